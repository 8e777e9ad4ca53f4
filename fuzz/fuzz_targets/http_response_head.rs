//! Any bytes as a response head: parsing never panics; fed whole or in two pieces
//! (cut where the first byte says) it gives the same result; a complete head can be
//! read entirely and framed as the answer to GET, HEAD and CONNECT.
#![no_main]

use http_codec::h1::{
    BodyFraming, ClTePolicy, Error, Framing, HeadKind, HeadParser, Limits, ParseOptions, Response,
};
use libfuzzer_sys::fuzz_target;

fn lenient() -> ParseOptions {
    let mut o = ParseOptions::default();
    o.allow_bare_lf = true;
    o.allow_obs_fold = true;
    o.allow_multiple_spaces_in_status_line = true;
    o.allow_identical_content_lengths = true;
    o.content_length_with_transfer_encoding = ClTePolicy::DropAndClose;
    o
}

fn tight() -> Limits {
    let mut l = Limits::default();
    l.max_head_size = 512;
    l.max_headers = 8;
    l
}

/// Everything a user can read from a parsed response, as plain data.
fn read_all(resp: &Response<'_>) -> (u16, Vec<u8>, String, Vec<(String, Vec<u8>)>) {
    let headers = resp.headers();
    let mut fields = Vec::new();
    for (i, h) in headers.iter().enumerate() {
        assert_eq!(headers.at(i), Some(h));
        assert!(headers.get(h.name).is_some());
        let _ = (h.value_str(), h.is_folded(), h.unfolded_value());
        let _ = headers.has_token(h.name, "chunked");
        fields.push((h.name.to_string(), h.value.to_vec()));
    }
    assert_eq!(headers.len(), fields.len());
    let _ = format!("{resp:?}");
    assert!((100..=999).contains(&resp.status()));
    (
        resp.status(),
        resp.reason().to_vec(),
        resp.version().to_string(),
        fields,
    )
}

fuzz_target!(|data: &[u8]| {
    let split = data
        .first()
        .map_or(0, |&b| usize::from(b) * data.len() / 256);
    for limits in [Limits::default(), tight()] {
        for options in [ParseOptions::default(), lenient()] {
            let mut whole = HeadParser::new(HeadKind::Response, options, &limits);
            let r_whole: Result<Option<usize>, Error> = whole.parse(data);

            let mut pieces = HeadParser::new(HeadKind::Response, options, &limits);
            let r_pieces = match pieces.parse(&data[..split]) {
                Ok(None) => pieces.parse(data),
                done => done,
            };
            assert_eq!(r_whole, r_pieces, "split at {split}");

            let Ok(Some(n)) = r_whole else {
                continue;
            };
            assert!(n <= data.len());
            let resp = whole.response(data);
            let seen = read_all(&resp);
            assert_eq!(read_all(&pieces.response(data)), seen);
            let mut alone = HeadParser::new(HeadKind::Response, options, &limits);
            assert_eq!(alone.parse(&data[..n]), Ok(Some(n)));
            assert_eq!(read_all(&alone.response(&data[..n])), seen);
            for method in ["GET", "HEAD", "CONNECT"] {
                if let Ok(framing) = Framing::of_response(&resp, method, &options) {
                    if method == "HEAD" || resp.status() < 200 {
                        assert_eq!(framing.body, BodyFraming::None);
                    }
                    if framing.body == BodyFraming::UntilClose {
                        assert!(!framing.keep_alive);
                    }
                }
            }
        }
    }
});
