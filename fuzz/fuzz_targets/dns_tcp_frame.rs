//! A TCP stream cut anywhere: the framer yields the same messages (or the same error)
//! as when fed in one piece, and never buffers more than it was given.
#![no_main]

use dns_codec::wire::TcpFramer;
use libfuzzer_sys::fuzz_target;

fn run(chunks: &[&[u8]]) -> (Vec<Vec<u8>>, Option<String>) {
    let mut framer = TcpFramer::with_max_len(4096);
    let mut out = Vec::new();
    for chunk in chunks {
        framer.feed(chunk);
        while let Some(m) = framer.next_message() {
            match m {
                Ok(m) => out.push(m.to_vec()),
                Err(e) => return (out, Some(e.to_string())),
            }
        }
    }
    (out, None)
}

fuzz_target!(|data: &[u8]| {
    let Some((&cut_seed, stream)) = data.split_first() else {
        return;
    };
    let whole = run(&[stream]);
    let step = usize::from(cut_seed % 7) + 1;
    let chunks: Vec<&[u8]> = stream.chunks(step).collect();
    assert_eq!(run(&chunks), whole);
});
