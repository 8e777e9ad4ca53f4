//! Any input: strict and tolerant decoding never panic, hang or overflow the stack,
//! and every view they return can be walked and queried.
#![no_main]

use libfuzzer_sys::fuzz_target;
use torrent_codec::bencode::{Decoder, Error, Limits, Value, decode};

fn walk(root: Value<'_>) -> usize {
    let mut seen = 0;
    let mut stack = vec![root];
    while let Some(v) = stack.pop() {
        seen += 1;
        let _ = (v.raw().len(), v.kind(), v.as_str());
        match v {
            Value::List(l) => {
                assert_eq!(l.len(), l.iter().count());
                stack.extend(l.iter());
            }
            Value::Dict(d) => {
                for (k, child) in d.iter() {
                    // Every key is found again by lookup (the first occurrence).
                    assert!(d.get(k).is_some());
                    stack.push(child);
                }
            }
            _ => {}
        }
    }
    seen
}

fn is_soft(e: &Error) -> bool {
    matches!(
        e,
        Error::IntegerLeadingZero { .. }
            | Error::LengthLeadingZero { .. }
            | Error::UnsortedKey { .. }
            | Error::DuplicateKey { .. }
            | Error::TrailingBytes { .. }
    )
}

fuzz_target!(|data: &[u8]| {
    let strict = decode(data);
    let tolerant = Decoder::tolerant().decode(data);
    match (&strict, &tolerant) {
        (Ok(s), Ok(t)) => {
            assert!(t.tolerated.is_empty());
            assert_eq!(*s, t.value);
            assert_eq!(s.raw(), data);
            walk(*s);
        }
        (Err(e), Ok(t)) => {
            // Strict fails exactly on the first deviation tolerant mode reports.
            assert_eq!(Some(*e), t.tolerated.first().map(|x| x.to_error()));
            walk(t.value);
        }
        (Err(e), Err(f)) => {
            // Tolerant mode may pass a soft deviation and fail later; otherwise both
            // modes fail the same way at the same place.
            if !is_soft(e) {
                assert_eq!(e, f);
            }
        }
        (Ok(_), Err(e)) => panic!("strict accepted what tolerant rejected: {e}"),
    }
    // Small limits must fail cleanly too.
    let tight =
        Decoder::tolerant().with_limits(Limits::default().with_max_depth(3).with_max_items(16));
    if let Ok(d) = tight.decode(data) {
        assert!(walk(d.value) <= 16);
    }
    let _ = Decoder::strict().decode_prefix(data, |_| {});
});
