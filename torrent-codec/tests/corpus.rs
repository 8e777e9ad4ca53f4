//! The real and malformed torrent files in `tests/corpus/` (see its SOURCES.txt) decode
//! or fail as libtorrent's tests expect (tests/corpus/EXPECTATIONS.txt), and every
//! info-hash matches tests/corpus/COMPUTED_PROFILE.tsv.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use sha1::{Digest, Sha1};
use sha2::Sha256;
use torrent_codec::bencode::{Decoder, Encode, Error, Tolerated, Value, decode};

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// Reads a corpus file; leaked so views into it can outlive the statement.
fn read(rel: &str) -> &'static [u8] {
    let data = std::fs::read(corpus().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    Box::leak(data.into_boxed_slice())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

struct Row {
    path: String,
    top: String,
    max_depth: usize,
    noncanonical: Vec<String>,
    trailing: usize,
    kind: String,
    sha1: String,
    sha256: String,
}

fn profile() -> Vec<Row> {
    let text = std::fs::read_to_string(corpus().join("COMPUTED_PROFILE.tsv")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with("path\t") && !l.is_empty())
        .map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            let get = |i: usize| c.get(i).copied().unwrap_or("").to_string();
            Row {
                path: get(0),
                top: get(1),
                max_depth: get(2).parse().unwrap(),
                noncanonical: get(3)
                    .split(',')
                    .filter(|s| *s != "-" && !s.is_empty())
                    .map(String::from)
                    .collect(),
                trailing: get(4).parse().unwrap(),
                kind: get(5),
                sha1: get(6),
                sha256: get(7),
            }
        })
        .collect()
}

/// Depth of the deepest value (the root is at 0, its items at 1, ...), walked iteratively.
fn max_depth(v: Value<'_>) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(v, 0usize)];
    while let Some((v, depth)) = stack.pop() {
        deepest = deepest.max(depth);
        match v {
            Value::List(l) => stack.extend(l.iter().map(|c| (c, depth + 1))),
            Value::Dict(d) => stack.extend(d.iter().map(|(_, c)| (c, depth + 1))),
            _ => {}
        }
    }
    deepest
}

fn kind_of(t: &Tolerated) -> &'static str {
    match t {
        Tolerated::IntegerLeadingZero { .. } => "int-leading-zero",
        Tolerated::LengthLeadingZero { .. } => "len-leading-zero",
        Tolerated::UnsortedKey { .. } => "unsorted-keys",
        Tolerated::DuplicateKey { .. } => "dup-key",
        Tolerated::TrailingBytes { .. } => "trailing",
        _ => "other",
    }
}

fn error_kind(e: &Error) -> &'static str {
    match e {
        Error::IntegerLeadingZero { .. } => "int-leading-zero",
        Error::LengthLeadingZero { .. } => "len-leading-zero",
        Error::UnsortedKey { .. } => "unsorted-keys",
        Error::DuplicateKey { .. } => "dup-key",
        Error::TrailingBytes { .. } => "trailing",
        _ => "other",
    }
}

fn check_hashes(row: &Row, value: Value<'_>) {
    match value.get(b"info") {
        Some(info @ Value::Dict(_)) => {
            assert_eq!(
                hex(&Sha1::digest(info.raw())),
                row.sha1,
                "{}: v1 info-hash",
                row.path
            );
            if !row.sha256.is_empty() {
                assert_eq!(
                    hex(&Sha256::digest(info.raw())),
                    row.sha256,
                    "{}: v2 info-hash",
                    row.path
                );
            }
        }
        _ => assert_eq!(row.kind, "-", "{}: no info dictionary", row.path),
    }
}

#[test]
fn every_profiled_file_decodes_or_fails_as_expected() {
    let rows = profile();
    assert!(rows.len() >= 130, "profile has {} rows", rows.len());
    let (mut strict_ok, mut tolerated_ok, mut rejected) = (0, 0, 0);
    for row in &rows {
        let data = read(&row.path);
        let strict = decode(data);
        let tolerant = Decoder::tolerant().decode(data);

        if row.max_depth >= 100 {
            // Nesting past libtorrent's depth limit of 100: rejected in every mode.
            assert!(
                matches!(strict, Err(Error::DepthLimit { limit: 100, .. })),
                "{}: {strict:?}",
                row.path
            );
            assert!(
                matches!(tolerant, Err(Error::DepthLimit { .. })),
                "{}",
                row.path
            );
            rejected += 1;
            continue;
        }

        let mut expected: BTreeSet<&str> = row.noncanonical.iter().map(|s| s.as_str()).collect();
        if row.trailing > 0 {
            expected.insert("trailing");
        }
        let tolerant = tolerant.unwrap_or_else(|e| panic!("{}: tolerant decode: {e}", row.path));
        let reported: BTreeSet<&str> = tolerant.tolerated.iter().map(kind_of).collect();
        assert_eq!(reported, expected, "{}: tolerated deviations", row.path);
        assert_eq!(
            max_depth(tolerant.value),
            row.max_depth,
            "{}: depth",
            row.path
        );
        let top = match tolerant.value {
            Value::Dict(_) => "dict",
            Value::Bytes { .. } => "string",
            Value::List(_) => "list",
            Value::Integer { .. } => "int",
        };
        assert_eq!(top, row.top, "{}: top-level type", row.path);
        check_hashes(row, tolerant.value);

        if expected.is_empty() {
            let v = strict.unwrap_or_else(|e| panic!("{}: strict decode: {e}", row.path));
            assert_eq!(v, tolerant.value);
            // Canonical input re-encodes byte for byte.
            assert_eq!(v.to_bencode(), data, "{}: re-encoding", row.path);
            strict_ok += 1;
        } else {
            let err = strict.expect_err(&row.path);
            assert!(
                expected.contains(error_kind(&err)),
                "{}: strict error {err} not among {expected:?}",
                row.path
            );
            // The strict error is the first tolerated deviation, at the same offset.
            assert_eq!(err, tolerant.tolerated[0].to_error(), "{}", row.path);
            if let Tolerated::TrailingBytes { len, .. } = tolerant.tolerated.last().unwrap() {
                assert_eq!(*len, row.trailing, "{}", row.path);
            }
            // Re-encoding canonicalises; the result decodes strictly to the same meaning.
            let canonical = tolerant.value.to_bencode();
            let again = decode(&canonical).unwrap_or_else(|e| panic!("{}: {e}", row.path));
            assert_eq!(again, tolerant.value.to_owned_value(), "{}", row.path);
            tolerated_ok += 1;
        }
    }
    assert_eq!(strict_ok + tolerated_ok + rejected, rows.len());
    assert!(strict_ok >= 110 && tolerated_ok >= 9 && rejected == 1);
}

/// EXPECTATIONS.txt section C: the files libtorrent rejects for a bencode reason.
#[test]
fn libtorrent_bencode_failures_fail_with_that_kind() {
    let dir = "libtorrent/test_torrents/";
    let depth = decode(read(&format!("{dir}v2_deep_recursion.torrent")));
    assert!(matches!(depth, Err(Error::DepthLimit { limit: 100, .. })));

    let unordered = read(&format!("{dir}v2_unordered_files.torrent"));
    assert!(matches!(decode(unordered), Err(Error::UnsortedKey { .. })));
    let overlong = read(&format!("{dir}v2_overlong_integer.torrent"));
    assert!(matches!(
        decode(overlong),
        Err(Error::IntegerLeadingZero { .. })
    ));

    // libtorrent tolerates soft errors in v1 torrents but refuses them in v2 ones;
    // the tolerant decoder reports what a v2 reader must refuse.
    for data in [&unordered, &overlong] {
        let d = Decoder::tolerant().decode(data).unwrap();
        let info = d.value.get(b"info").unwrap();
        assert_eq!(info.get(b"meta version").and_then(|v| v.as_int()), Some(2));
        assert!(!d.tolerated.is_empty());
    }
    // v1 with unsorted keys: tolerated, as libtorrent loads it.
    let v1 = Decoder::tolerant()
        .decode(read(&format!("{dir}unordered.torrent")))
        .unwrap();
    assert!(matches!(v1.tolerated[..], [Tolerated::UnsortedKey { .. }]));
    assert!(
        v1.value
            .get(b"info")
            .unwrap()
            .get(b"meta version")
            .is_none()
    );
}

/// EXPECTATIONS.txt sections B and E: facts about specific files, read through the views.
#[test]
fn observations_from_upstream_tests() {
    let dir = "libtorrent/test_torrents/";
    let t = decode(read(&format!("{dir}creation_date.torrent"))).unwrap();
    assert_eq!(
        t.get(b"creation date").and_then(|v| v.as_int()),
        Some(1234567)
    );
    let t = decode(read(&format!("{dir}no_creation_date.torrent"))).unwrap();
    assert!(t.get(b"creation date").is_none());

    let t = decode(read(&format!("{dir}large_piece_size.torrent"))).unwrap_err();
    assert!(matches!(t, Error::TrailingBytes { len: 1, .. }));
    let t = Decoder::tolerant()
        .decode(read(&format!("{dir}large_piece_size.torrent")))
        .unwrap();
    let info = t.value.get(b"info").unwrap();
    assert_eq!(
        info.get(b"piece length").and_then(|v| v.as_int()),
        Some(32767 * 16384)
    );

    let t = decode(read(&format!("{dir}dht_nodes.torrent"))).unwrap();
    let nodes: Vec<(String, i64)> = t
        .get(b"nodes")
        .and_then(|n| n.as_list())
        .unwrap()
        .iter()
        .map(|pair| {
            let pair = pair.as_list().unwrap();
            let host = pair.get(0).and_then(|h| h.as_str()).unwrap().to_string();
            (host, pair.get(1).and_then(|p| p.as_int()).unwrap())
        })
        .collect();
    assert_eq!(
        nodes,
        [
            ("127.0.0.1".to_string(), 6881),
            ("192.168.1.1".to_string(), 6881)
        ]
    );

    for similar in ["similar.torrent", "similar2.torrent"] {
        let t = decode(read(&format!("{dir}{similar}"))).unwrap();
        let list = t
            .get(b"similar")
            .or_else(|| t.get(b"info").and_then(|i| i.get(b"similar")))
            .and_then(|s| s.as_list())
            .unwrap();
        let hashes: Vec<&[u8]> = list.iter().map(|h| h.as_bytes().unwrap()).collect();
        assert_eq!(hashes, [b"aaaaaaaaaaaaaaaaaaaa"]);
    }

    let t = decode(read("rqbit/torrents/private.torrent")).unwrap();
    assert_eq!(
        t.get(b"info")
            .and_then(|i| i.get(b"private"))
            .and_then(|p| p.as_int()),
        Some(1)
    );

    for (file, hash) in [
        (
            "rqbit/torrents/ubuntu-21.04-desktop-amd64.iso.torrent",
            "64a980abe6e448226bb930ba061592e44c3781a1",
        ),
        (
            "lava_torrent/files/ubuntu-16.04.4-desktop-amd64.iso.torrent",
            "778ce280b595e57780ff083f2eb6f897dfa4a4ee",
        ),
        (
            "lava_torrent/files/tails-amd64-3.6.1.torrent",
            "a2a8d9b1ba0b1ac3d1ffa8062e02c0f9c23de31a",
        ),
        (
            "libtorrent/test_torrents/invalid_name2.torrent",
            "b61560c2918f463768cd122b6d2fdd47b77bdb35",
        ),
    ] {
        let data = read(file);
        let info = decode(data).unwrap().get(b"info").unwrap();
        assert_eq!(hex(&Sha1::digest(info.raw())), hash, "{file}");
        // The info dictionary re-encodes and re-decodes to an equal value.
        let again = info.to_bencode();
        assert_eq!(decode(&again).unwrap(), info);
    }

    for (file, v2) in [
        (
            "v2.torrent",
            "597b180c1a170a585dfc5e85d834d69013ceda174b8f357d5bb1a0ca509faf0a",
        ),
        (
            "v2_multipiece_file.torrent",
            "108ac2c3718ce722e6896edc56c4afa98f1d711ecaace7aad74fca418ebd03de",
        ),
        (
            "v2_only.torrent",
            "95e04d0c4bad94ab206efa884666fd89777dbe4f7bd9945af1829037a85c6192",
        ),
    ] {
        let data = read(&format!("{dir}{file}"));
        let info = decode(data).unwrap().get(b"info").unwrap();
        assert_eq!(hex(&Sha256::digest(info.raw())), v2, "{file}");
    }

    for file in ["with-one-node.torrent", "with-two-nodes.torrent"] {
        let t = decode(read(&format!("serde_bencode/torrents/{file}"))).unwrap();
        let nodes = t.get(b"nodes").and_then(|n| n.as_list()).unwrap();
        assert!(!nodes.is_empty(), "{file}");
        for node in nodes {
            let pair = node.as_list().unwrap();
            assert!(
                pair.get(0).and_then(|h| h.as_str()).is_some(),
                "{file}: host"
            );
            assert!(
                pair.get(1).and_then(|p| p.as_int()).is_some(),
                "{file}: port"
            );
            assert_eq!(pair.len(), 2);
        }
    }
}

/// Real KRPC traffic (EXPECTATIONS.txt E): decode, then encode byte for byte.
#[test]
fn dht_messages_round_trip_byte_for_byte() {
    let dir = corpus().join("rqbit/dht_krpc");
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let data = std::fs::read(entry.unwrap().path()).unwrap();
        let v = decode(&data).unwrap();
        assert!(v.get(b"y").and_then(|y| y.as_bytes()).is_some());
        assert!(v.get(b"t").is_some());
        assert_eq!(v.to_bencode(), data);
        assert_eq!(v.to_owned_value().to_bencode(), data);
        n += 1;
    }
    assert_eq!(n, 6);
}

/// A BEP 10 extended handshake as it arrives on the wire: 4-byte length, message id 20,
/// extension id 0, then the bencoded dictionary.
#[test]
fn extended_handshake_payload() {
    let data = read("rqbit/librqbit_test/extended-handshake.bin");
    let len = u32::from_be_bytes(data[..4].try_into().unwrap()) as usize;
    assert_eq!(data[4], 20);
    assert_eq!(data[5], 0);
    let payload = &data[6..4 + len];
    let (v, used) = Decoder::tolerant().decode_prefix(payload, |_| {}).unwrap();
    assert_eq!(used, payload.len());
    assert!(v.get(b"m").and_then(|m| m.as_dict()).is_some());
    // Every split point: the first part alone is always incomplete, never malformed.
    for cut in 0..payload.len() {
        let err = decode(&payload[..cut]).unwrap_err();
        assert!(err.is_incomplete(), "cut at {cut}: {err}");
    }
}
