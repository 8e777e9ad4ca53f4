//! Benchmarks of applayer's crates against the published crates doing the same job.
//!
//! Run them with `cargo bench -p applayer-benches`; the ratios are recorded in the
//! workspace's `BENCHMARKS.md`. This library only names the inputs the benchmarks share.

/// The bencode inputs: (name, bytes). Real data from the test corpus.
pub const BENCODE_INPUTS: &[(&str, &[u8])] = &[
    (
        "multi-file torrent (tails, 94 KB)",
        include_bytes!(
            "../../torrent-codec/tests/corpus/lava_torrent/files/tails-amd64-3.6.1.torrent"
        ),
    ),
    (
        "multi_kb.bencode (30 KB)",
        include_bytes!("../../torrent-codec/tests/corpus/bip-rs/multi_kb.bencode"),
    ),
    (
        "DHT find_node response (486 B)",
        include_bytes!("../../torrent-codec/tests/corpus/rqbit/dht_krpc/find_node_response_2.bin"),
    ),
];

/// The DNS messages: (name, bytes). Sources and licences in `data/SOURCES.txt`.
pub const DNS_INPUTS: &[(&str, &[u8])] = &[
    (
        "cname-chain (217 B)",
        include_bytes!("../data/cname-chain.bin"),
    ),
    ("referral (840 B)", include_bytes!("../data/referral.bin")),
    (
        "unbound DNSSEC response (4325 B)",
        include_bytes!("../data/unbound-dnssec-response.bin"),
    ),
];
