//! The DATA un-stuffer on arbitrary bytes: the first byte picks the policy and
//! a split point. Fed whole and fed in two pieces it must agree; it must end
//! only right after CRLF "." CRLF (or "." CRLF at the start); and with
//! Normalize, stuffing the body again and un-stuffing gives the same body.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smtp_codec::data::{DotStuffer, DotUnstuffer, LineEndingPolicy};

fn run(
    policy: LineEndingPolicy,
    pieces: &[&[u8]],
) -> (Vec<u8>, Result<Option<usize>, smtp_codec::data::DataError>) {
    let mut u = DotUnstuffer::new(policy);
    let mut body = Vec::new();
    let mut at = 0;
    for p in pieces {
        match u.decode(p, &mut body) {
            Ok(Some(n)) => return (body, Ok(Some(at + n))),
            Ok(None) => at += p.len(),
            Err(e) => return (body, Err(e)),
        }
    }
    (body, Ok(None))
}

fuzz_target!(|data: &[u8]| {
    let Some((&head, input)) = data.split_first() else {
        return;
    };
    let policy = match head % 3 {
        0 => LineEndingPolicy::Reject,
        1 => LineEndingPolicy::Normalize,
        _ => LineEndingPolicy::Allow,
    };
    let split = (head as usize / 3) % (input.len() + 1);
    let whole = run(policy, &[input]);
    let (a, b) = input.split_at(split);
    assert_eq!(run(policy, &[a, b]), whole);
    if let (body, Ok(Some(end))) = &whole {
        let ended = &input[..*end];
        assert!(
            ended == b".\r\n" || ended.ends_with(b"\r\n.\r\n"),
            "ended without CRLF . CRLF"
        );
        if policy == LineEndingPolicy::Normalize {
            let mut wire = Vec::new();
            let mut s = DotStuffer::new(LineEndingPolicy::Reject);
            s.encode(body, &mut wire)
                .expect("a normalized body has no bare line endings");
            s.finish(&mut wire).expect("ends in CRLF or is empty");
            let (again, end) = run(LineEndingPolicy::Reject, &[&wire]);
            assert_eq!(end, Ok(Some(wire.len())));
            assert_eq!(&again, body);
        }
    }
});
