//! Known answers from BEP 3, every error kind with its offset, tolerant mode, limits,
//! the encoder and the accessors.

use std::collections::BTreeMap;

use torrent_codec::bencode::{
    Decoder, Encode, Error, Kind, Limits, Mode, OwnedValue, Tolerated, Value, decode,
    decode_tolerant, write_bytes, write_int,
};

#[test]
fn bep3_examples_decode() {
    assert_eq!(decode(b"4:spam").unwrap().as_bytes(), Some(&b"spam"[..]));
    assert_eq!(decode(b"0:").unwrap().as_bytes(), Some(&b""[..]));
    assert_eq!(decode(b"i3e").unwrap().as_int(), Some(3));
    assert_eq!(decode(b"i-3e").unwrap().as_int(), Some(-3));
    assert_eq!(decode(b"i0e").unwrap().as_int(), Some(0));

    let list = decode(b"l4:spam4:eggse").unwrap().as_list().unwrap();
    let items: Vec<_> = list.iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(items, ["spam", "eggs"]);

    let dict = decode(b"d3:cow3:moo4:spam4:eggse")
        .unwrap()
        .as_dict()
        .unwrap();
    assert_eq!(dict.get_str(b"cow"), Some("moo"));
    assert_eq!(dict.get_str(b"spam"), Some("eggs"));
    assert_eq!(dict.len(), 2);

    let dict = decode(b"d4:spaml1:a1:bee").unwrap();
    let spam: Vec<_> = dict
        .get(b"spam")
        .unwrap()
        .as_list()
        .unwrap()
        .iter()
        .map(|v| v.as_bytes().unwrap())
        .collect();
    assert_eq!(spam, [b"a", b"b"]);
}

#[test]
fn bep3_examples_encode() {
    let mut dict = BTreeMap::new();
    dict.insert(b"spam".to_vec(), OwnedValue::from("eggs"));
    dict.insert(b"cow".to_vec(), OwnedValue::from("moo"));
    assert_eq!(
        OwnedValue::Dict(dict).to_bencode(),
        b"d3:cow3:moo4:spam4:eggse"
    );
    assert_eq!(
        OwnedValue::from(vec![OwnedValue::from("spam"), OwnedValue::from("eggs")]).to_bencode(),
        b"l4:spam4:eggse"
    );
    assert_eq!(3i64.to_bencode(), b"i3e");
    assert_eq!((-3i64).to_bencode(), b"i-3e");
    assert_eq!(0i64.to_bencode(), b"i0e");
    assert_eq!("spam".to_bencode(), b"4:spam");
    assert_eq!(b"".as_slice().to_bencode(), b"0:");
    let mut out = Vec::new();
    write_int(&mut out, i64::MIN);
    write_bytes(&mut out, b"x");
    assert_eq!(out, b"i-9223372036854775808e1:x");
}

#[test]
fn integer_extremes() {
    assert_eq!(
        decode(b"i9223372036854775807e").unwrap().as_int(),
        Some(i64::MAX)
    );
    assert_eq!(
        decode(b"i-9223372036854775808e").unwrap().as_int(),
        Some(i64::MIN)
    );
    assert_eq!(
        decode(b"i9223372036854775808e"),
        Err(Error::IntegerOverflow { offset: 0 })
    );
    assert_eq!(
        decode(b"i-9223372036854775809e"),
        Err(Error::IntegerOverflow { offset: 0 })
    );
    assert_eq!(
        decode(b"li1ei99999999999999999999999999ee"),
        Err(Error::IntegerOverflow { offset: 4 })
    );
}

#[test]
fn each_strict_error_has_its_kind_and_offset() {
    let cases: &[(&[u8], Error)] = &[
        (b"", Error::UnexpectedEof { offset: 0 }),
        (b"l", Error::UnexpectedEof { offset: 1 }),
        (b"i12", Error::UnexpectedEof { offset: 3 }),
        (b"12", Error::UnexpectedEof { offset: 2 }),
        (b"d3:foo", Error::UnexpectedEof { offset: 6 }),
        (
            b"5:abc",
            Error::LengthPastEnd {
                offset: 0,
                declared: 5,
                available: 3,
            },
        ),
        (
            b"l99999999999999999999999:xe",
            Error::LengthPastEnd {
                offset: 1,
                declared: u64::MAX,
                available: 2,
            },
        ),
        (
            b"x",
            Error::UnexpectedByte {
                offset: 0,
                byte: b'x',
            },
        ),
        (
            b"e",
            Error::UnexpectedByte {
                offset: 0,
                byte: b'e',
            },
        ),
        (
            b"l-1e",
            Error::UnexpectedByte {
                offset: 1,
                byte: b'-',
            },
        ),
        (b"ie", Error::EmptyInteger { offset: 0 }),
        (b"i-e", Error::EmptyInteger { offset: 0 }),
        (
            b"i1-2e",
            Error::InvalidInteger {
                offset: 2,
                byte: b'-',
            },
        ),
        (
            b"i 1e",
            Error::InvalidInteger {
                offset: 1,
                byte: b' ',
            },
        ),
        (
            b"i+1e",
            Error::InvalidInteger {
                offset: 1,
                byte: b'+',
            },
        ),
        (
            b"i1.5e",
            Error::InvalidInteger {
                offset: 2,
                byte: b'.',
            },
        ),
        (b"i03e", Error::IntegerLeadingZero { offset: 0 }),
        (b"i00e", Error::IntegerLeadingZero { offset: 0 }),
        (b"i-03e", Error::IntegerLeadingZero { offset: 0 }),
        (b"i-0e", Error::NegativeZero { offset: 0 }),
        (b"i-00e", Error::IntegerLeadingZero { offset: 0 }),
        (
            b"3x:abc",
            Error::InvalidLength {
                offset: 1,
                byte: b'x',
            },
        ),
        (b"03:abc", Error::LengthLeadingZero { offset: 0 }),
        (b"00:", Error::LengthLeadingZero { offset: 0 }),
        (b"di1e1:ae", Error::NonStringKey { offset: 1 }),
        (b"dlee", Error::NonStringKey { offset: 1 }),
        (b"d1:ae", Error::MissingValue { offset: 4 }),
        (b"d1:bi1e1:ai2ee", Error::UnsortedKey { offset: 7 }),
        (b"d1:ai1e1:ai2ee", Error::DuplicateKey { offset: 7 }),
        // Byte-wise order: "a" < "aa" < "b", and uppercase sorts before lowercase.
        (b"d2:aai1e1:ai2ee", Error::UnsortedKey { offset: 8 }),
        (b"d1:ai1e1:Ai2ee", Error::UnsortedKey { offset: 7 }),
        (b"i1e\n", Error::TrailingBytes { offset: 3, len: 1 }),
        (b"lei1e", Error::TrailingBytes { offset: 2, len: 3 }),
        (b"dee", Error::TrailingBytes { offset: 2, len: 1 }),
    ];
    for (input, expected) in cases {
        let got = decode(input);
        assert_eq!(
            got.as_ref().err(),
            Some(expected),
            "input {:?}",
            input.escape_ascii().to_string()
        );
        assert_eq!(expected.offset(), got.unwrap_err().offset());
    }
}

#[test]
fn sorted_keys_accepted_including_prefixes_and_binary() {
    let v = decode(b"d0:i0e1:ai1e2:aai2e1:bi3e2:\xff\x00i4ee").unwrap();
    let keys: Vec<&[u8]> = v.as_dict().unwrap().keys().collect();
    assert_eq!(keys, [&b""[..], b"a", b"aa", b"b", b"\xff\x00"]);
    assert_eq!(v.get(b"aa").unwrap().as_int(), Some(2));
    assert_eq!(v.get(b"\xff\x00").unwrap().as_int(), Some(4));
    assert!(v.get(b"ab").is_none());
    assert!(v.get(b"zzz").is_none());
}

#[test]
fn incomplete_is_distinguished_from_malformed() {
    for input in [&b"d3:foo"[..], b"5:abc", b"l", b"i12", b"", b"d1:a"] {
        assert!(decode(input).unwrap_err().is_incomplete(), "{input:?}");
    }
    for input in [&b"i1x"[..], b"x", b"d1:ae", b"i03e", b"i1e "] {
        assert!(!decode(input).unwrap_err().is_incomplete(), "{input:?}");
    }
    // Prefixes no further input can repair are errors at once, not "incomplete".
    let never: &[(&[u8], Error)] = &[
        (b"i01", Error::IntegerLeadingZero { offset: 0 }),
        (b"i00", Error::IntegerLeadingZero { offset: 0 }),
        (b"i-0", Error::NegativeZero { offset: 0 }),
        (b"li-01", Error::IntegerLeadingZero { offset: 1 }),
        (
            b"i99999999999999999999",
            Error::IntegerOverflow { offset: 0 },
        ),
        (b"01", Error::LengthLeadingZero { offset: 0 }),
        (b"d1:a00", Error::LengthLeadingZero { offset: 4 }),
    ];
    for (input, err) in never {
        assert_eq!(decode(input).as_ref().err(), Some(err), "{input:?}");
    }
    // Tolerant mode accepts leading zeros, so those prefixes can still complete.
    for input in [&b"i01"[..], b"i-0", b"01", b"i-01"] {
        assert!(
            Decoder::tolerant()
                .decode(input)
                .unwrap_err()
                .is_incomplete(),
            "{input:?}"
        );
    }
}

#[test]
fn tolerant_mode_accepts_libtorrent_soft_errors_and_reports_them() {
    let d = decode_tolerant(b"d1:bi007e1:ai1e1:ai2e3:key03:vale\r\n").unwrap();
    assert_eq!(
        d.tolerated,
        [
            Tolerated::IntegerLeadingZero { offset: 4 },
            Tolerated::UnsortedKey { offset: 9 },
            Tolerated::DuplicateKey { offset: 15 },
            Tolerated::LengthLeadingZero { offset: 26 },
            Tolerated::TrailingBytes { offset: 33, len: 2 },
        ]
    );
    assert_eq!(d.consumed, 33);
    let dict = d.value.as_dict().unwrap();
    assert!(!dict.keys_sorted());
    assert_eq!(dict.get_int(b"b"), Some(7));
    // Duplicates: the first occurrence wins, as in libtorrent.
    assert_eq!(dict.get_int(b"a"), Some(1));
    assert_eq!(dict.get_str(b"key"), Some("val"));
    assert_eq!(dict.len(), 4);
    // Canonical again after encoding.
    assert_eq!(d.value.to_bencode(), b"d1:ai1e1:bi7e3:key3:vale");
    assert_eq!(
        d.value.to_owned_value().to_bencode(),
        b"d1:ai1e1:bi7e3:key3:vale"
    );
    // Each tolerated deviation is the strict error at the same place.
    let strict = decode(b"d1:bi007e1:ai1e1:ai2e3:key03:vale\r\n").unwrap_err();
    assert_eq!(strict, d.tolerated[0].to_error());
}

#[test]
fn tolerant_mode_still_rejects_real_errors() {
    for (input, err) in [
        (&b"i-0e"[..], Error::NegativeZero { offset: 0 }),
        (b"i-e", Error::EmptyInteger { offset: 0 }),
        (b"d1:ae", Error::MissingValue { offset: 4 }),
        (
            b"5:abc",
            Error::LengthPastEnd {
                offset: 0,
                declared: 5,
                available: 3,
            },
        ),
        (b"di1ei2ee", Error::NonStringKey { offset: 1 }),
    ] {
        assert_eq!(decode_tolerant(input).unwrap_err(), err);
    }
}

#[test]
fn decoder_configuration() {
    let d = Decoder::strict().with_mode(Mode::Tolerant);
    assert_eq!(d, Decoder::tolerant());
    assert_eq!(d.mode(), Mode::Tolerant);
    assert_eq!(Decoder::default().limits(), Limits::default());
    assert_eq!(Limits::default().max_depth, 100);
    assert_eq!(Limits::default().max_items, 3_000_000);
}

#[test]
fn depth_limit_is_exact() {
    let nested = |n: usize| {
        let mut v = vec![b'l'; n];
        v.extend(std::iter::repeat_n(b'e', n));
        v
    };
    assert!(decode(&nested(100)).is_ok());
    assert_eq!(
        decode(&nested(101)),
        Err(Error::DepthLimit {
            offset: 100,
            limit: 100
        })
    );
    let deep = Decoder::strict().with_limits(Limits::default().with_max_depth(5000));
    // Deeper than the inline stack: spills to the heap and still works.
    let input = nested(5000);
    let v = deep.decode(&input).unwrap().value;
    assert_eq!(v.to_bencode(), nested(5000));
    assert_eq!(v.to_owned_value().to_bencode(), nested(5000));
}

#[test]
fn item_limit_counts_every_value_and_key() {
    let limits = Limits::default().with_max_items(4);
    let d = Decoder::strict().with_limits(limits);
    // dict + key + value + key = 4 items; the 5th (a value) is refused.
    assert!(d.decode(b"d1:ai1ee").is_ok());
    assert_eq!(
        d.decode(b"d1:ai1e1:bi2ee"),
        Err(Error::ItemLimit {
            offset: 10,
            limit: 4
        })
    );
}

#[test]
fn one_mebibyte_of_open_lists_is_an_error_not_a_stack_overflow() {
    let input = vec![b'l'; 1 << 20];
    assert_eq!(
        decode(&input),
        Err(Error::DepthLimit {
            offset: 100,
            limit: 100
        })
    );
    assert!(decode_tolerant(&input).is_err());
    // Without a depth limit it is merely truncated.
    let unlimited = Decoder::strict().with_limits(Limits::default().with_max_depth(usize::MAX));
    assert_eq!(
        unlimited.decode(&input).unwrap_err(),
        Error::UnexpectedEof { offset: 1 << 20 }
    );
}

#[test]
fn a_million_item_list_decodes_and_walks() {
    let mut input = Vec::with_capacity(3_000_002);
    input.push(b'l');
    for i in 0..1_000_000u32 {
        input.extend_from_slice(if i % 2 == 0 { b"i7e" } else { b"1:x" });
    }
    input.push(b'e');
    let v = decode(&input).unwrap();
    let list = v.as_list().unwrap();
    assert_eq!(list.len(), 1_000_000);
    assert_eq!(
        list.iter().filter(|v| v.as_int() == Some(7)).count(),
        500_000
    );
    assert_eq!(v.to_bencode(), input);
    // A million items past a smaller item limit is refused.
    let limited = Decoder::strict().with_limits(Limits::default().with_max_items(999_999));
    assert!(matches!(
        limited.decode(&input),
        Err(Error::ItemLimit { limit: 999_999, .. })
    ));
}

#[test]
fn views_keep_raw_spans() {
    let input = b"d4:infod6:lengthi5e4:name1:ae1:xli03eee";
    let d = decode_tolerant(input).unwrap();
    let info = d.value.get(b"info").unwrap();
    assert_eq!(info.raw(), b"d6:lengthi5e4:name1:ae");
    let x = d.value.get(b"x").unwrap().as_list().unwrap();
    let first = x.get(0).unwrap();
    assert_eq!(first.raw(), b"i03e");
    assert_eq!(first.as_int(), Some(3));
    assert_eq!(x.raw(), b"li03ee");
    assert_eq!(d.value.raw(), input);
    assert_eq!(info.get(b"name").unwrap().raw(), b"1:a");
}

#[test]
fn accessors_and_kinds() {
    let v = decode(b"d1:bi1e1:d0:1:lldee1:s3:\xff\xfe\x00e").unwrap();
    let d = v.as_dict().unwrap();
    assert_eq!(v.kind(), Kind::Dict);
    assert_eq!(d.get(b"b").unwrap().kind(), Kind::Integer);
    assert_eq!(d.get(b"l").unwrap().kind(), Kind::List);
    assert_eq!(d.get(b"d").unwrap().kind(), Kind::Bytes);
    assert_eq!(d.get_bytes(b"s"), Some(&b"\xff\xfe\x00"[..]));
    assert_eq!(d.get_str(b"s"), None, "not UTF-8");
    assert_eq!(d.get_str(b"d"), Some(""));
    assert!(
        d.get_list(b"l")
            .unwrap()
            .get(0)
            .unwrap()
            .as_dict()
            .unwrap()
            .is_empty()
    );
    assert!(d.get_dict(b"b").is_none());
    assert!(d.contains_key(b"l"));
    assert!(!d.contains_key(b"z"));
    assert_eq!(v.as_int(), None);
    assert_eq!(Kind::Dict.to_string(), "dictionary");
    let entries: Vec<(&[u8], Value<'_>)> = d.iter().collect();
    assert_eq!(entries.len(), 4);
    assert_eq!(
        format!("{v:?}"),
        r#"{"b": 1, "d": "", "l": [{}], "s": b"\xff\xfe\x00"}"#
    );
}

#[test]
fn decode_prefix_leaves_what_follows() {
    let msg = b"d8:msg_typei1e5:piecei0e10:total_sizei5eeHELLO";
    let mut tolerated = Vec::new();
    let (v, used) = Decoder::strict()
        .decode_prefix(msg, |t| tolerated.push(t))
        .unwrap();
    assert_eq!(&msg[used..], b"HELLO");
    assert_eq!(v.get(b"total_size").unwrap().as_int(), Some(5));
    assert!(tolerated.is_empty());
    let (_, used) = Decoder::tolerant()
        .decode_prefix(b"d1:bi1e1:ai2eeXYZ", |t| tolerated.push(t))
        .unwrap();
    assert_eq!(used, 14);
    assert_eq!(tolerated, [Tolerated::UnsortedKey { offset: 7 }]);
}

#[test]
fn owned_values_compare_with_views_by_meaning() {
    let owned = decode(b"d1:ai1e1:bl1:xee").unwrap().to_owned_value();
    let sloppy = decode_tolerant(b"d1:bl1:xe1:ai1e1:ai9ee").unwrap().value;
    assert_eq!(sloppy, owned);
    assert_eq!(owned, sloppy);
    assert_eq!(owned.get(b"a").and_then(|a| a.as_int()), Some(1));
    assert_eq!(owned.get(b"b").unwrap().as_list().unwrap().len(), 1);
    assert_ne!(decode(b"i2e").unwrap(), OwnedValue::Integer(3));
    assert_ne!(decode(b"le").unwrap(), OwnedValue::Dict(BTreeMap::new()));
}

#[test]
fn errors_and_tolerations_display_what_and_where() {
    assert_eq!(
        Error::UnsortedKey { offset: 7 }.to_string(),
        "dictionary key at offset 7 is not in sorted order"
    );
    assert_eq!(
        Tolerated::TrailingBytes { offset: 3, len: 1 }.to_string(),
        "1 trailing bytes ignored at offset 3"
    );
}

#[test]
fn deep_values_compare_format_encode_and_convert_without_recursion() {
    let depth = 200_000;
    let limits = Limits::default().with_max_depth(depth);
    let mut canonical = vec![b'l'; depth];
    canonical.extend_from_slice(b"i1e");
    canonical.extend(std::iter::repeat_n(b'e', depth));
    let mut padded = vec![b'l'; depth];
    padded.extend_from_slice(b"i01e");
    padded.extend(std::iter::repeat_n(b'e', depth));

    let a = Decoder::strict()
        .with_limits(limits)
        .decode(&canonical)
        .unwrap()
        .value;
    let b = Decoder::tolerant()
        .with_limits(limits)
        .decode(&padded)
        .unwrap()
        .value;
    // Raw bytes differ only at the deepest level: equality must walk all the way down.
    assert_eq!(a, b);
    assert_eq!(b.to_bencode(), canonical);
    assert_eq!(a.tokens().count(), 2 * depth + 1);
    let debug = format!("{a:?}");
    assert_eq!(debug.len(), 2 * depth + 1);
    assert!(debug.starts_with("[[[") && debug.contains("[1]"));
    // Owned conversion and comparison are iterative too. (Dropping a deep OwnedValue
    // recurses, as for any nested Vec; forget it instead of dropping it here.)
    let owned = a.to_owned_value();
    assert_eq!(a, owned);
    assert_eq!(owned.to_bencode(), canonical);
    std::mem::forget(owned);
}

#[test]
fn encode_more_byte_string_types() {
    assert_eq!(b"spam".to_bencode(), b"4:spam");
    assert_eq!(b"spam".to_vec().to_bencode(), b"4:spam");
    assert_eq!(String::from("spam").to_bencode(), b"4:spam");
}
