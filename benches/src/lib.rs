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

// The HTTP/1.1 heads below are httparse's own benchmark inputs, copied byte for byte
// from seanmonstar/httparse, `benches/parse.rs` (MIT OR Apache-2.0), so that our
// figures can be set beside the ones its authors publish.

/// A browser's GET request with a long cookie (720 B; httparse's `REQ`).
pub const HTTP_REQ: &[u8] = b"\
GET /wp-content/uploads/2010/03/hello-kitty-darth-vader-pink.jpg HTTP/1.1\r\n\
Host: www.kittyhell.com\r\n\
User-Agent: Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10.6; ja-JP-mac; rv:1.9.2.3) Gecko/20100401 Firefox/3.6.3 Pathtraq/0.9\r\n\
Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n\
Accept-Language: ja,en-us;q=0.7,en;q=0.3\r\n\
Accept-Encoding: gzip,deflate\r\n\
Accept-Charset: Shift_JIS,utf-8;q=0.7,*;q=0.7\r\n\
Keep-Alive: 115\r\n\
Connection: keep-alive\r\n\
Cookie: wp_ozh_wsa_visits=2; wp_ozh_wsa_visit_lasttime=xxxxxxxxxx; __utma=xxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.x; __utmz=xxxxxxxxx.xxxxxxxxxx.x.x.utmccn=(referral)|utmcsr=reader.livedoor.com|utmcct=/reader/|utmcmd=referral|padding=under256\r\n\r\n";

/// A minimal HTTP/1.0 request with two fields (68 B; httparse's `REQ_SHORT`).
pub const HTTP_REQ_SHORT: &[u8] = b"\
GET / HTTP/1.0\r\n\
Host: example.com\r\n\
Cookie: session=60; user_id=1\r\n\r\n";

/// A response head carrying the browser request's fields (699 B; httparse's `RESP`,
/// whose authors note the fields are syntactically valid if not all meaningful).
pub const HTTP_RESP: &[u8] = b"\
HTTP/1.1 200 OK\r\n\
Date: Wed, 21 Oct 2015 07:28:00 GMT\r\n\
Host: www.kittyhell.com\r\n\
User-Agent: Mozilla/5.0 (Macintosh; U; Intel Mac OS X 10.6; ja-JP-mac; rv:1.9.2.3) Gecko/20100401 Firefox/3.6.3 Pathtraq/0.9\r\n\
Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n\
Accept-Language: ja,en-us;q=0.7,en;q=0.3\r\n\
Accept-Encoding: gzip,deflate\r\n\
Accept-Charset: Shift_JIS,utf-8;q=0.7,*;q=0.7\r\n\
Keep-Alive: 115\r\n\
Connection: keep-alive\r\n\
Cookie: wp_ozh_wsa_visits=2; wp_ozh_wsa_visit_lasttime=xxxxxxxxxx; __utma=xxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.xxxxxxxxxx.x; __utmz=xxxxxxxxx.xxxxxxxxxx.x.x.utmccn=(referral)|utmcsr=reader.livedoor.com|utmcct=/reader/|utmcmd=referral|padding=under256\r\n\r\n";

/// A minimal HTTP/1.0 response with two fields (91 B; httparse's `RESP_SHORT`).
pub const HTTP_RESP_SHORT: &[u8] = b"\
HTTP/1.0 200 OK\r\n\
Date: Wed, 21 Oct 2015 07:28:00 GMT\r\n\
Set-Cookie: session=60; user_id=1\r\n\r\n";

/// The chunk sizes of [`http_chunked_post`]'s body: 4,096 bytes in five chunks of
/// uneven length, as a client streaming an upload might send them.
pub const HTTP_CHUNK_SIZES: &[usize] = &[1024, 1024, 1000, 512, 536];

/// A POST request whose 4 KiB body is sent with the chunked coding (no extensions,
/// no trailer fields), written here for the benchmark.
pub fn http_chunked_post() -> Vec<u8> {
    let mut out = b"\
POST /api/v1/upload HTTP/1.1\r\n\
Host: uploads.example.com\r\n\
User-Agent: curl/8.5.0\r\n\
Accept: */*\r\n\
Content-Type: application/octet-stream\r\n\
Transfer-Encoding: chunked\r\n\r\n"
        .to_vec();
    let mut byte = 0u8;
    for &size in HTTP_CHUNK_SIZES {
        out.extend_from_slice(format!("{size:x}\r\n").as_bytes());
        out.extend((0..size).map(|_| {
            byte = byte.wrapping_add(1);
            byte
        }));
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}
