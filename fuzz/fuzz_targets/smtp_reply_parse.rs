//! Any bytes as the start of a reply stream: the first byte picks the limits
//! (odd: 64-octet lines and 4 lines; even: the defaults), the rest is what a
//! client received. Parsing never panics; feeding the input as it arrives
//! (every prefix, up to 2 KiB) gives `Ok(None)` until the same result as the
//! whole; a complete reply is exactly its bytes; and its owned form writes a
//! reply that parses back to the same code, enhanced code and lines.
#![no_main]

use libfuzzer_sys::fuzz_target;
use smtp_codec::capability::Capabilities;
use smtp_codec::reply::{ReplyLimits, ReplyWriteError, parse_reply};

fuzz_target!(|data: &[u8]| {
    let Some((&bits, input)) = data.split_first() else {
        return;
    };
    let mut limits = ReplyLimits::default();
    if bits & 1 != 0 {
        limits.max_line = 64;
        limits.max_lines = 4;
    }
    let whole = parse_reply(input, &limits);
    for i in 0..input.len().min(2048) {
        match parse_reply(&input[..i], &limits) {
            Ok(None) => {}
            early => {
                assert_eq!(early, whole, "prefix {i} disagrees with the whole input");
                break;
            }
        }
    }
    let Ok(Some((reply, used))) = whole else {
        return;
    };
    assert!(used > 0 && used <= input.len());
    assert_eq!(reply.as_bytes(), &input[..used]);
    assert_eq!(
        parse_reply(&input[..used], &limits),
        Ok(Some((reply, used)))
    );
    assert_eq!(reply.lines().count(), reply.text_lines().count());
    let _ = Capabilities::from_ehlo_reply(&reply).ehlo_lines();

    let owned = reply.to_owned();
    assert_eq!(owned.code, reply.code());
    assert_eq!(owned.enhanced, reply.enhanced_code());
    let mut out = Vec::new();
    match owned.write(&mut out) {
        Ok(()) => {}
        // Text may carry C1 controls (as UTF-8), which the writer refuses.
        Err(ReplyWriteError::InvalidText { line, .. }) => {
            assert!(
                owned.lines[line]
                    .chars()
                    .any(|c| c.is_control() && !c.is_ascii())
            );
            return;
        }
        Err(e) => panic!("{owned:?}: {e}"),
    }
    // Writing may lengthen lines (the enhanced code on every line, U+FFFD
    // for invalid UTF-8), so read it back without limits.
    let mut unlimited = ReplyLimits::default();
    unlimited.max_line = usize::MAX;
    unlimited.max_lines = usize::MAX;
    let (again, n) = parse_reply(&out, &unlimited)
        .expect("a written reply parses")
        .expect("a written reply is complete");
    assert_eq!(n, out.len());
    assert_eq!(again.to_owned(), owned);
});
