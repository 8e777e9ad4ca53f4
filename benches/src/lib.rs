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

// ---- SMTP ----

/// The RFC transcripts of smtp-codec's test corpus (RFC 5321 Appendix D, RFC 2920 §4,
/// RFC 3030 §4.1, RFC 4954; sources in `smtp-codec/tests/corpus/SOURCES.txt`):
/// `C: ` client lines and `S: ` server lines, one protocol line each.
pub const SMTP_TRANSCRIPTS: &[&str] = &[
    include_str!("../../smtp-codec/tests/corpus/smtp-transcripts/rfc2920-1-no-pipelining.trace"),
    include_str!("../../smtp-codec/tests/corpus/smtp-transcripts/rfc2920-2-pipelined.trace"),
    include_str!(
        "../../smtp-codec/tests/corpus/smtp-transcripts/rfc2920-3-all-rcpt-rejected.trace"
    ),
    include_str!(
        "../../smtp-codec/tests/corpus/smtp-transcripts/rfc2920-4-data-accepted-no-rcpt.trace"
    ),
    include_str!("../../smtp-codec/tests/corpus/smtp-transcripts/rfc3030-4.1-bdat-simple.trace"),
    include_str!(
        "../../smtp-codec/tests/corpus/smtp-transcripts/rfc4954-1-auth-plain-initial-response.trace"
    ),
    include_str!(
        "../../smtp-codec/tests/corpus/smtp-transcripts/rfc4954-2-auth-plain-no-initial-response.trace"
    ),
    include_str!("../../smtp-codec/tests/corpus/smtp-transcripts/rfc4954-3-auth-cram-md5.trace"),
    include_str!(
        "../../smtp-codec/tests/corpus/smtp-transcripts/rfc4954-4-auth-external-empty-ir.trace"
    ),
    include_str!("../../smtp-codec/tests/corpus/smtp-transcripts/rfc4954-5-mail-auth-param.trace"),
    include_str!("../../smtp-codec/tests/corpus/smtp-transcripts/rfc5321-D1-typical.trace"),
    include_str!("../../smtp-codec/tests/corpus/smtp-transcripts/rfc5321-D2-aborted.trace"),
    include_str!("../../smtp-codec/tests/corpus/smtp-transcripts/rfc5321-D3-relayed-step1.trace"),
    include_str!("../../smtp-codec/tests/corpus/smtp-transcripts/rfc5321-D3-relayed-step2.trace"),
    include_str!("../../smtp-codec/tests/corpus/smtp-transcripts/rfc5321-D4-vrfy.trace"),
];

/// Every client command line of [`SMTP_TRANSCRIPTS`], in order, each with its CRLF, as
/// one stream: DATA content (after a 354 up to the lone "."), BDAT chunk octets and
/// SASL continuation lines (the client line after a 334) are left out.
pub fn smtp_transcript_commands() -> Vec<u8> {
    let mut out = Vec::new();
    for text in SMTP_TRANSCRIPTS {
        let (mut in_data, mut bdat_left, mut continuation) = (false, 0usize, false);
        for line in text.lines() {
            if let Some(server) = line.strip_prefix("S: ") {
                in_data |= server.starts_with("354");
                continuation = server.starts_with("334");
                continue;
            }
            let Some(client) = line.strip_prefix("C: ").or(line.strip_prefix("C:")) else {
                continue;
            };
            if in_data {
                in_data = client != ".";
            } else if bdat_left > 0 {
                bdat_left = bdat_left.saturating_sub(client.len() + 2);
            } else if std::mem::take(&mut continuation) {
            } else {
                if let Some(n) = client.strip_prefix("BDAT ") {
                    bdat_left = n
                        .split(' ')
                        .next()
                        .and_then(|n| n.parse().ok())
                        .unwrap_or(0);
                }
                out.extend_from_slice(client.as_bytes());
                out.extend_from_slice(b"\r\n");
            }
        }
    }
    out
}

/// Every server reply of [`SMTP_TRANSCRIPTS`], in order, as one stream.
pub fn smtp_transcript_replies() -> Vec<u8> {
    let mut out = Vec::new();
    for text in SMTP_TRANSCRIPTS {
        for line in text.lines() {
            if let Some(server) = line.strip_prefix("S: ") {
                out.extend_from_slice(server.as_bytes());
                out.extend_from_slice(b"\r\n");
            }
        }
    }
    out
}

/// What a submission client sends for one message to three recipients, pipelined,
/// with the parameters real clients use (written here for the benchmark; only
/// parameters both parsers know, as smtp-proto refuses unknown ones).
pub const SMTP_COMMAND_MIX: &[u8] = b"\
EHLO client-17.mail.example.net\r\n\
AUTH PLAIN AGpvaG4uZG9lQGV4YW1wbGUub3JnAGNvcnJlY3QgaG9yc2UgYmF0dGVyeSBzdGFwbGU=\r\n\
MAIL FROM:<john.doe@example.org> SIZE=48213 BODY=8BITMIME RET=HDRS ENVID=QQ314159\r\n\
RCPT TO:<alice@mail.example.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;alice@mail.example.com\r\n\
RCPT TO:<bob.smith@example.net> NOTIFY=FAILURE,DELAY\r\n\
RCPT TO:<carol+lists@sub.example.co.uk>\r\n\
DATA\r\n\
RSET\r\n\
MAIL FROM:<> BODY=7BIT\r\n\
RCPT TO:<bounces@example.org>\r\n\
BDAT 4096 LAST\r\n\
NOOP\r\n\
VRFY postmaster\r\n\
QUIT\r\n";

/// Replies a client reads in a session: greeting, a capability list, enhanced
/// status codes, a multi-line rejection (written here for the benchmark, in the forms
/// Postfix and Gmail send).
pub const SMTP_REPLY_MIX: &[u8] = b"\
220 mx.example.com ESMTP Postfix (Debian/GNU)\r\n\
250-mx.example.com\r\n\
250-PIPELINING\r\n\
250-SIZE 35882577\r\n\
250-VRFY\r\n\
250-ETRN\r\n\
250-STARTTLS\r\n\
250-AUTH PLAIN LOGIN\r\n\
250-ENHANCEDSTATUSCODES\r\n\
250-8BITMIME\r\n\
250-DSN\r\n\
250-SMTPUTF8\r\n\
250 CHUNKING\r\n\
235 2.7.0 Authentication successful\r\n\
250 2.1.0 Ok\r\n\
250 2.1.5 Ok\r\n\
550-5.1.1 The email account that you tried to reach does not exist. Please try\r\n\
550-5.1.1 double-checking the recipient's email address for typos or\r\n\
550 5.1.1 unnecessary spaces. For more information, go to the help center.\r\n\
354 End data with <CR><LF>.<CR><LF>\r\n\
250 2.0.0 Ok: queued as 4XYZ1234AB\r\n\
221 2.0.0 Bye\r\n";

/// The capability reply of [`SMTP_REPLY_MIX`] on its own (what EHLO gets from Postfix).
pub const SMTP_EHLO_REPLY: &[u8] = b"\
250-mx.example.com\r\n\
250-PIPELINING\r\n\
250-SIZE 35882577\r\n\
250-VRFY\r\n\
250-ETRN\r\n\
250-STARTTLS\r\n\
250-AUTH PLAIN LOGIN\r\n\
250-ENHANCEDSTATUSCODES\r\n\
250-8BITMIME\r\n\
250-DSN\r\n\
250-SMTPUTF8\r\n\
250 CHUNKING\r\n";

/// A message of about `len` bytes in DATA form, ending in CRLF "." CRLF: headers,
/// then 76-column base64-like lines with a short text line now and then, one in eight
/// of those starting with a dot (stuffed to ".."), as a mail client sends it. Also
/// returns the length of the unstuffed body up to and including its last CRLF.
pub fn smtp_data_message(len: usize) -> (Vec<u8>, usize) {
    let mut out = b"\
From: John Doe <john.doe@example.org>\r\n\
To: Alice <alice@mail.example.com>\r\n\
Subject: Quarterly figures\r\n\
Date: Tue, 1 Jul 2025 10:00:00 +0000\r\n\
Message-ID: <20250701100000.1234@example.org>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: application/octet-stream\r\n\
Content-Transfer-Encoding: base64\r\n\r\n"
        .to_vec();
    let mut stuffed = 0;
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut x: u32 = 0x1234_5678;
    let mut line = 0u32;
    while out.len() < len {
        line += 1;
        if line.is_multiple_of(16) {
            if line.is_multiple_of(128) {
                out.extend_from_slice(b"..");
                stuffed += 1;
            }
            out.extend_from_slice(b"a short line of text in between\r\n");
            continue;
        }
        for _ in 0..76 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            out.push(B64[(x % 64) as usize]);
        }
        out.extend_from_slice(b"\r\n");
    }
    let body = out.len() - stuffed;
    out.extend_from_slice(b".\r\n");
    (out, body)
}
