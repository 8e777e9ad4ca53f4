//! Any input: strict and tolerant decoding never panic, hang or overflow the stack,
//! and every view they return can be walked and queried.
#![no_main]

use libfuzzer_sys::fuzz_target;
use torrent_codec::bencode::{Decoder, Error, Limits, Token, Value, decode};

/// Walks every value through the iterators; returns (values, containers, keys).
fn walk(root: Value<'_>) -> (usize, usize, usize) {
    let (mut values, mut containers, mut keys) = (0, 0, 0);
    let mut stack = vec![root];
    while let Some(v) = stack.pop() {
        values += 1;
        let _ = (v.raw().len(), v.kind(), v.as_str());
        match v {
            Value::List(l) => {
                containers += 1;
                assert_eq!(l.len(), l.iter().count());
                stack.extend(l.iter());
            }
            Value::Dict(d) => {
                containers += 1;
                for (k, child) in d.iter() {
                    // Every key is found again by lookup (the first occurrence).
                    assert!(d.get(k).is_some());
                    keys += 1;
                    stack.push(child);
                }
            }
            _ => {}
        }
    }
    (values, containers, keys)
}

/// The token walk agrees with the iterator walk: a start and an end per container,
/// one token per scalar value and per key.
fn check_tokens(v: Value<'_>) {
    let (values, containers, keys) = walk(v);
    assert_eq!(
        v.tokens().count(),
        2 * containers + (values - containers) + keys
    );
    let starts = v
        .tokens()
        .filter(|t| matches!(t, Token::ListStart | Token::DictStart))
        .count();
    assert_eq!(starts, containers);
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
            check_tokens(*s);
            let _ = format!("{s:?}");
        }
        (Err(e), Ok(t)) => {
            // Strict fails exactly on the first deviation tolerant mode reports.
            assert_eq!(Some(*e), t.tolerated.first().map(|x| x.to_error()));
            check_tokens(t.value);
        }
        (Err(e), Err(f)) => {
            // Tolerant mode may pass a soft deviation and fail later, and strict mode
            // refuses a truncated `i-0` that tolerant mode could still complete as
            // `i-01e`; otherwise both modes fail the same way at the same place.
            if !is_soft(e) && !matches!(e, Error::NegativeZero { .. }) {
                assert_eq!(e, f);
            }
        }
        (Ok(_), Err(e)) => panic!("strict accepted what tolerant rejected: {e}"),
    }
    // Small limits must fail cleanly too.
    let tight =
        Decoder::tolerant().with_limits(Limits::default().with_max_depth(3).with_max_items(16));
    if let Ok(d) = tight.decode(data) {
        assert!(walk(d.value).0 <= 16);
    }
    let _ = Decoder::strict().decode_prefix(data, |_| {});
});
