//! Property tests: encode/decode round trips, truncation, and tolerant canonicalisation.

use std::collections::BTreeMap;

use proptest::prelude::*;
use torrent_codec::bencode::{Decoder, Encode, OwnedValue, decode};

fn value() -> impl Strategy<Value = OwnedValue> {
    let leaf = prop_oneof![
        any::<i64>().prop_map(OwnedValue::Integer),
        prop_oneof![Just(0i64), Just(-1), Just(i64::MIN), Just(i64::MAX)]
            .prop_map(OwnedValue::Integer),
        proptest::collection::vec(any::<u8>(), 0..24).prop_map(OwnedValue::Bytes),
    ];
    leaf.prop_recursive(6, 96, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(OwnedValue::List),
            proptest::collection::btree_map(
                proptest::collection::vec(any::<u8>(), 0..6),
                inner,
                0..8
            )
            .prop_map(OwnedValue::Dict),
        ]
    })
}

/// Writes `v` non-canonically: dictionary entries in the order `shuffle` picks, some
/// keys repeated after their first occurrence, integers and lengths zero-padded.
fn sloppy(v: &OwnedValue, seed: &mut u64, out: &mut Vec<u8>) -> bool {
    let next = |seed: &mut u64| {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        *seed >> 33
    };
    let mut deviated = false;
    match v {
        OwnedValue::Integer(i) => {
            if next(seed) % 3 == 0 && *i > 0 {
                out.extend_from_slice(format!("i00{i}e").as_bytes());
                deviated = true;
            } else {
                out.extend_from_slice(format!("i{i}e").as_bytes());
            }
        }
        OwnedValue::Bytes(b) => {
            if next(seed) % 3 == 0 {
                out.extend_from_slice(format!("0{}:", b.len()).as_bytes());
                deviated = true;
            } else {
                out.extend_from_slice(format!("{}:", b.len()).as_bytes());
            }
            out.extend_from_slice(b);
        }
        OwnedValue::List(l) => {
            out.push(b'l');
            for item in l {
                deviated |= sloppy(item, seed, out);
            }
            out.push(b'e');
        }
        OwnedValue::Dict(d) => {
            let mut entries: Vec<(&Vec<u8>, &OwnedValue)> = d.iter().collect();
            if next(seed) % 2 == 0 {
                entries.reverse();
            }
            out.push(b'd');
            for (k, item) in entries {
                out.extend_from_slice(format!("{}:", k.len()).as_bytes());
                out.extend_from_slice(k);
                deviated |= sloppy(item, seed, out);
                // Repeat the key with a different value: the first occurrence must win.
                if next(seed) % 4 == 0 {
                    out.extend_from_slice(format!("{}:", k.len()).as_bytes());
                    out.extend_from_slice(k);
                    out.extend_from_slice(b"11:not-the-one");
                }
            }
            out.push(b'e');
        }
    }
    deviated
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn decode_of_encode_is_identity(v in value()) {
        let bytes = v.to_bencode();
        let view = decode(&bytes).unwrap();
        prop_assert_eq!(view, v.clone());
        prop_assert_eq!(view.to_owned_value(), v);
    }

    #[test]
    fn encode_of_decode_is_identity_on_canonical_input(v in value()) {
        let bytes = v.to_bencode();
        let view = decode(&bytes).unwrap();
        prop_assert_eq!(view.to_bencode(), bytes.clone());
        prop_assert_eq!(view.raw(), &bytes[..]);
        // Tolerant mode reports nothing on canonical input.
        let d = Decoder::tolerant().decode(&bytes).unwrap();
        prop_assert!(d.tolerated.is_empty());
        prop_assert_eq!(d.consumed, bytes.len());
    }

    #[test]
    fn every_proper_prefix_is_incomplete(v in value()) {
        let bytes = v.to_bencode();
        for cut in 0..bytes.len() {
            let err = decode(&bytes[..cut]).unwrap_err();
            prop_assert!(err.is_incomplete(), "cut {}: {}", cut, err);
        }
    }

    #[test]
    fn tolerant_decoding_canonicalises_sloppy_input(v in value(), seed in any::<u64>()) {
        let mut seed = seed;
        let mut bytes = Vec::new();
        sloppy(&v, &mut seed, &mut bytes);
        let d = Decoder::tolerant().decode(&bytes).unwrap();
        // Same meaning as the original, first occurrence of each key winning.
        prop_assert_eq!(d.value, v.clone());
        prop_assert_eq!(d.value.to_bencode(), v.to_bencode());
        // Strict mode rejects exactly when something was tolerated, with that first error.
        match decode(&bytes) {
            Ok(_) => prop_assert!(d.tolerated.is_empty()),
            Err(e) => prop_assert_eq!(Some(e), d.tolerated.first().map(|t| t.to_error())),
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = decode(&bytes);
        if let Ok(d) = Decoder::tolerant().decode(&bytes) {
            let canonical = d.value.to_bencode();
            prop_assert_eq!(decode(&canonical).unwrap(), d.value.to_owned_value());
        }
    }
}

#[test]
fn empty_containers_and_empty_keys() {
    let mut d = BTreeMap::new();
    d.insert(Vec::new(), OwnedValue::List(Vec::new()));
    let v = OwnedValue::Dict(d);
    assert_eq!(v.to_bencode(), b"d0:lee");
    assert_eq!(decode(b"d0:lee").unwrap(), v);
}
