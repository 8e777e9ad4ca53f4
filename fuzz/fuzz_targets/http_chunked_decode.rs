//! Any bytes as a chunked body. The first byte seeds the options and how the
//! rest is cut: fed whole or in pieces of random size, the decoder delivers the
//! same data, trailers and outcome. The data (and trailers) re-encoded with
//! `write_chunk` + `write_last_chunk` decode to the same again.
#![no_main]

use http_codec::h1::{
    BodyChunk, BodyDecoder, BodyFraming, Error, ErrorKind, Limits, ParseOptions, write_chunk,
    write_last_chunk,
};
use libfuzzer_sys::fuzz_target;

type Fields = Vec<(String, Vec<u8>)>;

#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    /// The body ended after this many input bytes.
    End(usize),
    NeedMore,
    Failed(Error),
}

#[derive(Debug)]
struct Decoded {
    data: Vec<u8>,
    trailers: Option<Fields>,
    outcome: Outcome,
}

/// A small deterministic generator for piece sizes.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn decode(options: ParseOptions, limits: &Limits, pieces: &[&[u8]]) -> Decoded {
    let mut decoder =
        BodyDecoder::new(BodyFraming::Chunked, options, limits).expect("chunked has no length");
    let mut data = Vec::new();
    let mut pending: Vec<u8> = Vec::new();
    let mut consumed = 0;
    for piece in pieces {
        pending.extend_from_slice(piece);
        loop {
            let (used, chunk) = match decoder.decode(&pending) {
                Ok(r) => r,
                Err(e) => {
                    return Decoded {
                        data,
                        trailers: None,
                        outcome: Outcome::Failed(e),
                    };
                }
            };
            assert!(used <= pending.len());
            match chunk {
                BodyChunk::Data(d) => {
                    assert!(!d.is_empty(), "no empty data pieces");
                    data.extend_from_slice(d);
                }
                BodyChunk::End => {
                    assert!(decoder.is_done());
                    let trailers = decoder.trailers().map(|t| {
                        t.iter()
                            .map(|h| (h.name.to_string(), h.value.to_vec()))
                            .collect()
                    });
                    return Decoded {
                        data,
                        trailers,
                        outcome: Outcome::End(consumed + used),
                    };
                }
                BodyChunk::NeedMore => assert_eq!(used, pending.len()),
            }
            consumed += used;
            pending.drain(..used);
            if pending.is_empty() {
                break;
            }
        }
    }
    assert_eq!(decoder.received(), data.len() as u64);
    Decoded {
        data,
        trailers: None,
        outcome: Outcome::NeedMore,
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&seed, body)) = data.split_first() else {
        return;
    };
    let mut options = ParseOptions::default();
    options.allow_bare_lf = seed & 1 != 0;
    let mut limits = Limits::default();
    if seed & 2 != 0 {
        limits.max_chunk_extensions = 64;
        limits.max_trailer_size = 128;
        limits.max_headers = 4;
    }
    if seed & 4 != 0 {
        limits.max_body_size = Some(256);
    }

    let whole = decode(options, &limits, &[body]);

    let mut rng = XorShift(u64::from(seed) << 32 | body.len() as u64 | 1);
    let max_piece = u64::from(seed >> 3) + 1;
    let mut pieces = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let n = ((rng.next() % max_piece) as usize + 1).min(rest.len());
        let (piece, tail) = rest.split_at(n);
        pieces.push(piece);
        rest = tail;
    }
    let split = decode(options, &limits, &pieces);

    match (&whole.outcome, &split.outcome) {
        // How much body came out before the limit tripped depends on the cuts.
        (Outcome::Failed(a), Outcome::Failed(b))
            if a.kind() == ErrorKind::BodyTooLarge && b.kind() == ErrorKind::BodyTooLarge =>
        {
            let max = limits.max_body_size.expect("a limit was set");
            assert!(whole.data.len() as u64 <= max && split.data.len() as u64 <= max);
            return;
        }
        (a, b) => assert_eq!(a, b, "outcome, whole vs {} pieces", pieces.len()),
    }
    assert_eq!(whole.data, split.data);
    assert_eq!(whole.trailers, split.trailers);

    // Re-encode what was decoded (in pieces cut by the same generator) and decode again.
    let trailers = whole.trailers.clone().unwrap_or_default();
    let mut wire = Vec::new();
    let mut rest = &whole.data[..];
    while !rest.is_empty() {
        let n = ((rng.next() % 512) as usize + 1).min(rest.len());
        write_chunk(&rest[..n], &mut wire);
        rest = &rest[n..];
    }
    write_last_chunk(
        &mut wire,
        trailers.iter().map(|(n, v)| (n.as_bytes(), v.as_slice())),
    )
    .expect("decoded trailers are writable");
    let mut relaxed = limits.clone();
    relaxed.max_body_size = None;
    relaxed.max_trailer_size = Limits::default().max_trailer_size.max(wire.len());
    let again = decode(ParseOptions::default(), &relaxed, &[&wire]);
    assert_eq!(again.outcome, Outcome::End(wire.len()));
    assert_eq!(again.data, whole.data);
    assert_eq!(again.trailers.unwrap_or_default(), trailers);
});
