//! llhttp's own test corpus (Node.js's HTTP/1 parser), replayed through the
//! wire layer: every request and response case of llhttp v9.4.2's
//! `test/request/*.md`, `test/response/*.md` and `test/url.md`, reduced to
//! its outcome by `tests/corpus/llhttp/convert.py` (see
//! `tests/corpus/SOURCES.txt`).
//!
//! For each case the stream is framed with [`HeadParser`], [`Framing`] and
//! [`BodyDecoder`] (the driver in `common/mod.rs`) and compared with llhttp:
//! accepted or rejected alike, the same number of messages, the same body
//! bytes for each, and an unfinished message where llhttp has one. Where we
//! deliberately differ the case is pinned in [`PINNED`] with the reason, and
//! our own behaviour is asserted so it cannot drift unnoticed.
//!
//! [`HeadParser`]: http_codec::h1::HeadParser
//! [`Framing`]: http_codec::h1::Framing
//! [`BodyDecoder`]: http_codec::h1::BodyDecoder

mod common;

use common::{Config, End, Outcome, Role, check_split_invariance, run, show};
use http_codec::h1::{ClTePolicy, ErrorKind, ParseOptions};

const CASES: &str = include_str!("corpus/llhttp/llhttp-cases.tsv");

/// One llhttp case, as `convert.py` wrote it.
struct Case<'a> {
    id: &'a str,
    name: &'a str,
    kind: &'a str,
    ty: &'a str,
    flags: Vec<&'a str>,
    input: Vec<u8>,
    outcome: &'a str,
    code: Option<u32>,
    offset: Option<u64>,
    messages: usize,
    bodies: Vec<Vec<u8>>,
    partial: Vec<u8>,
    finish: Option<u8>,
}

fn cases() -> Vec<Case<'static>> {
    CASES
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            assert_eq!(f.len(), 13, "malformed corpus line: {line}");
            let opt = |s: &str| (s != "-").then(|| s.to_owned());
            let messages: usize = f[9].parse().expect("message count");
            let bodies = if messages == 0 {
                Vec::new()
            } else {
                f[10].split(',').map(hex).collect()
            };
            assert_eq!(bodies.len(), messages, "{}", f[0]);
            Case {
                id: f[0],
                name: f[1],
                kind: f[2],
                ty: f[3],
                flags: if f[4] == "-" {
                    Vec::new()
                } else {
                    f[4].split(',').collect()
                },
                input: base64(f[5]),
                outcome: f[6],
                code: opt(f[7]).map(|s| s.parse().expect("code")),
                offset: opt(f[8]).map(|s| s.parse().expect("offset")),
                messages,
                bodies,
                partial: opt(f[11]).map(|s| hex(&s)).unwrap_or_default(),
                finish: opt(f[12]).map(|s| s.parse().expect("finish")),
            }
        })
        .collect()
}

fn hex(s: &str) -> Vec<u8> {
    assert!(s.len().is_multiple_of(2), "odd hex: {s}");
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex digit"))
        .collect()
}

/// Standard base64 with padding.
fn base64(s: &str) -> Vec<u8> {
    fn value(c: u8) -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c:#x}"),
        }
    }
    let s = s.as_bytes();
    assert!(s.len().is_multiple_of(4), "base64 length");
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    for quad in s.chunks(4) {
        let pad = quad.iter().rev().take_while(|&&c| c == b'=').count();
        let mut n = 0u32;
        for &c in &quad[..4 - pad] {
            n = n << 6 | value(c);
        }
        n <<= 6 * pad as u32;
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - pad]);
    }
    out
}

#[test]
fn base64_decoder() {
    assert_eq!(base64(""), b"");
    assert_eq!(base64("Zg=="), b"f");
    assert_eq!(base64("Zm8="), b"fo");
    assert_eq!(base64("Zm9v"), b"foo");
    assert_eq!(base64("Zm9vYmFy"), b"foobar");
    assert_eq!(base64("/+8A"), [0xff, 0xef, 0x00]);
}

/// The role and options for an llhttp parser mode. `None` for the options
/// when we offer no equivalent of the mode's leniency: the case then runs
/// strict, and must either agree anyway or be pinned.
fn mode(ty: &str) -> (Role, Option<ParseOptions>) {
    let (role, lenient) = if let Some(rest) = ty.strip_prefix("request") {
        (Role::Request, rest)
    } else if let Some(rest) = ty.strip_prefix("response") {
        (Role::Response, rest)
    } else {
        panic!("unknown llhttp type {ty}")
    };
    let mut o = ParseOptions::default();
    let equivalent = match lenient {
        "" | "-finish" => true,
        "-lenient-optional-cr-before-lf" => {
            o.allow_bare_lf = true;
            true
        }
        "-lenient-chunked-length" => {
            o.content_length_with_transfer_encoding = ClTePolicy::DropAndClose;
            true
        }
        // llhttp's lenient headers is many things; the one we share is
        // unfolding obs-fold in responses (RFC 9112 §5.2).
        "-lenient-headers" if role == Role::Response => {
            o.allow_obs_fold = true;
            true
        }
        "-lenient-all" => {
            o.allow_bare_lf = true;
            o.allow_obs_fold = true;
            o.allow_multiple_spaces_in_status_line = true;
            o.allow_identical_content_lengths = true;
            o.content_length_with_transfer_encoding = ClTePolicy::DropAndClose;
            true
        }
        _ => false,
    };
    (role, equivalent.then_some(o))
}

/// Our behaviour on a case where we deliberately differ from llhttp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ours {
    /// We reject the stream with this error (at once, or when the line or
    /// head holding the offending byte ends).
    Rejects(ErrorKind),
    /// We accept it: every message framed, no error.
    Accepts,
    /// The message closes the connection, and the bytes after it are never
    /// parsed as another message.
    StopsAtClose,
}

use ErrorKind::*;
use Ours::*;

const NO_HTTP09: &str = "HTTP/0.9 is not spoken: only HTTP/1.x messages are parsed";
const HTTP_ONLY: &str = "HTTP only: RTSP and ICE (SHOUTcast) versions are not HTTP-versions";
const NO_REQUEST_FOLD: &str = "obs-fold in a request is always rejected (RFC 9112 §5.2 lets a server reject it); allow_obs_fold is for responses";
const NO_WS_COLON: &str = "whitespace between a field name and its colon must be rejected in a request (RFC 9112 §5.1): the classic `Content-Length :` smuggling gadget";
const NO_BARE_CR: &str = "a CR not followed by LF is never a line ending (RFC 9112 §2.2); no leniency, it is a smuggling vector";
const NO_CTL_IN_VALUE: &str =
    "control characters in a field value are invalid (RFC 9110 §5.5); no leniency offered";
const NO_DATA_AFTER_CLOSE: &str = "no leniency: after a message that closes the connection, later bytes are never read as a message";
const TE_NOT_CHUNKED: &str = "a request Transfer-Encoding that does not end in exactly one chunked is rejected under every policy (RFC 9112 §6.3 rule 4: 400 and close)";
const NO_LENIENT_VERSION: &str = "no version leniency: only HTTP/1.x is parsed (505 otherwise)";

/// Cases where we deliberately differ from llhttp, by `file:line`, with what
/// we do instead and why.
const PINNED: &[(&str, Ours, &str)] = &[
    // Deliberate deviations named in the design.
    ("request/sample.md:317", Rejects(InvalidVersion), NO_HTTP09),
    (
        "response/sample.md:648",
        Rejects(UnsupportedVersion),
        NO_HTTP09,
    ),
    ("request/method.md:375", Rejects(InvalidVersion), HTTP_ONLY),
    ("request/method.md:405", Rejects(InvalidVersion), HTTP_ONLY),
    ("request/method.md:433", Rejects(InvalidVersion), HTTP_ONLY),
    ("response/sample.md:43", Rejects(InvalidVersion), HTTP_ONLY),
    ("response/sample.md:63", Rejects(InvalidVersion), HTTP_ONLY),
    (
        "request/invalid.md:69",
        Accepts,
        "a method is any token (RFC 9110 §9.1): ANNOUNCE over HTTP is the application's to refuse (501)",
    ),
    (
        "request/invalid.md:359",
        Accepts,
        "a method is any token (RFC 9110 §9.1): MKCOLA is the application's to refuse (501)",
    ),
    // Request-target forms.
    (
        "request/method.md:138",
        Rejects(InvalidTarget),
        "asterisk-form is only for OPTIONS (RFC 9112 §3.2.4); SSDP's `M-SEARCH *` is HTTPU over UDP, not HTTP/1.1",
    ),
    (
        "request/method.md:461",
        Rejects(InvalidTarget),
        "`PRI *` is the HTTP/2 preface, to be recognised before the HTTP/1 parser; asterisk-form is only for OPTIONS",
    ),
    (
        "url.md:32",
        Accepts,
        "`schema:/path` is a valid absolute-URI (RFC 3986 §4.3); llhttp insists on `://`",
    ),
    (
        "url.md:184",
        Accepts,
        "the parser checks only the scheme of an absolute-form target; the authority (`a:b@@host`) is the URI layer's to validate",
    ),
    // Framing.
    (
        "request/method.md:99",
        Rejects(ConnectWithBody),
        "CONNECT has no content (RFC 9110 §9.3.6): a Content-Length or Transfer-Encoding on it is ambiguous (body or tunnel bytes?), so it is rejected; llhttp tunnels right after the head",
    ),
    (
        "request/invalid.md:571",
        Rejects(InvalidMethod),
        "with bare LF allowed, `0\\n` is the last chunk and the next `\\n` ends the trailers, so `Baz: ghi` starts a new request; llhttp's lenient mode folds `0\\n\\n` into one line and reads `Baz` as a trailer",
    ),
    // Leniencies we do not offer.
    (
        "request/connection.md:113",
        StopsAtClose,
        NO_DATA_AFTER_CLOSE,
    ),
    (
        "request/connection.md:397",
        StopsAtClose,
        NO_DATA_AFTER_CLOSE,
    ),
    (
        "response/connection.md:196",
        StopsAtClose,
        NO_DATA_AFTER_CLOSE,
    ),
    (
        "response/connection.md:263",
        StopsAtClose,
        NO_DATA_AFTER_CLOSE,
    ),
    (
        "request/connection.md:484",
        Rejects(ObsFold),
        NO_REQUEST_FOLD,
    ),
    (
        "request/connection.md:579",
        Rejects(ObsFold),
        NO_REQUEST_FOLD,
    ),
    ("request/sample.md:336", Rejects(ObsFold), NO_REQUEST_FOLD),
    ("request/sample.md:576", Rejects(ObsFold), NO_REQUEST_FOLD),
    (
        "request/invalid.md:690",
        Rejects(ObsFold),
        "a field line starting with whitespace is obs-fold, rejected in requests; llhttp's lenient mode folds ` Content-Length: 38` into the previous value",
    ),
    (
        "request/connection.md:640",
        Rejects(WhitespaceBeforeColon),
        NO_WS_COLON,
    ),
    (
        "request/content-length.md:192",
        Rejects(WhitespaceBeforeColon),
        NO_WS_COLON,
    ),
    ("request/content-length.md:522", Rejects(BareCr), NO_BARE_CR),
    ("request/invalid.md:184", Rejects(BareCr), NO_BARE_CR),
    (
        "request/lenient-headers.md:112",
        Rejects(BareCr),
        NO_BARE_CR,
    ),
    (
        "request/transfer-encoding.md:1029",
        Rejects(BareCr),
        NO_BARE_CR,
    ),
    (
        "request/sample.md:458",
        Rejects(InvalidStartLine),
        NO_BARE_CR,
    ),
    (
        "response/invalid.md:154",
        Rejects(InvalidReason),
        NO_BARE_CR,
    ),
    (
        "request/lenient-header-value-relaxed.md:13",
        Rejects(InvalidHeaderValue),
        NO_CTL_IN_VALUE,
    ),
    (
        "request/lenient-headers.md:9",
        Rejects(InvalidHeaderValue),
        NO_CTL_IN_VALUE,
    ),
    (
        "request/lenient-headers.md:37",
        Rejects(InvalidHeaderValue),
        NO_CTL_IN_VALUE,
    ),
    (
        "request/content-length.md:232",
        Rejects(InvalidTransferEncoding),
        TE_NOT_CHUNKED,
    ),
    (
        "request/transfer-encoding.md:539",
        Rejects(InvalidTransferEncoding),
        TE_NOT_CHUNKED,
    ),
    (
        "request/transfer-encoding.md:683",
        Rejects(InvalidTransferEncoding),
        TE_NOT_CHUNKED,
    ),
    (
        "request/transfer-encoding.md:716",
        Rejects(InvalidTransferEncoding),
        TE_NOT_CHUNKED,
    ),
    (
        "request/transfer-encoding.md:1144",
        Rejects(MissingChunkCrlf),
        "chunk data must end in CRLF (RFC 9112 §7.1); without it the chunk boundary is ambiguous",
    ),
    (
        "request/transfer-encoding.md:1218",
        Rejects(InvalidChunkSize),
        "whitespace after a chunk size is only allowed before `;` (BWS of RFC 9112 §7.1.1)",
    ),
    (
        "response/transfer-encoding.md:392",
        Rejects(InvalidTransferEncoding),
        "with obs-fold allowed, the unfolded value `chunked abc` is not a transfer-coding list: rejected, not read until close",
    ),
    (
        "request/lenient-version.md:7",
        Rejects(UnsupportedVersion),
        NO_LENIENT_VERSION,
    ),
    (
        "response/lenient-version.md:7",
        Rejects(UnsupportedVersion),
        NO_LENIENT_VERSION,
    ),
];

/// How one case compares.
enum Verdict {
    /// Same outcome.
    Agree,
    /// llhttp rejects at once; we reject the same input once the line or
    /// head holding the offending byte ends (we validate a line when its LF
    /// arrives, and framing when the head is complete).
    AgreeLate {
        ours: u64,
    },
    Differ(String),
}

struct Run {
    config: Config,
    input: Vec<u8>,
    eof: bool,
    outcome: Outcome,
}

fn run_case(case: &Case<'_>) -> Run {
    if case.kind == "url" {
        let mut input = b"GET ".to_vec();
        input.extend_from_slice(&case.input);
        input.extend_from_slice(b" HTTP/1.1\r\n\r\n");
        let config = Config::new(Role::Request, ParseOptions::default());
        let outcome = run(&config, &input, false);
        return Run {
            config,
            input,
            eof: false,
            outcome,
        };
    }
    let (role, options) = mode(case.ty);
    let mut config = Config::new(role, options.unwrap_or_default());
    if case.flags.contains(&"skipBody") {
        // llhttp's on_headers_complete returned 1: no body, as for HEAD.
        config.skip_body = true;
        config.request_method = "HEAD";
    }
    let eof = case.ty.ends_with("-finish");
    let outcome = run(&config, &case.input, eof);
    Run {
        config,
        input: case.input.clone(),
        eof,
        outcome,
    }
}

fn compare(case: &Case<'_>, r: &Run) -> Verdict {
    let ours = &r.outcome;
    if case.kind == "url" {
        return match (case.outcome, &ours.end) {
            ("ok", End::Idle) if ours.messages.len() == 1 => Verdict::Agree,
            ("error", End::Rejected { .. }) => Verdict::Agree,
            _ => Verdict::Differ(format!("llhttp {}, ours {:?}", case.outcome, ours.end)),
        };
    }
    // llhttp_finish with state 1 completes a close-delimited message (the
    // fixture does not log that completion).
    let expected_messages = case.messages + usize::from(case.finish == Some(1));
    let bodies_agree = {
        let ours_bodies = ours.bodies();
        let n = case.messages.min(ours_bodies.len());
        ours.messages.len() == expected_messages
            && case.bodies[..n]
                .iter()
                .zip(&ours_bodies[..n])
                .all(|(a, b)| a == b)
    };
    if !bodies_agree {
        return Verdict::Differ(format!(
            "llhttp {} message(s) with bodies {:?}, ours {:?} then {:?}",
            expected_messages,
            case.bodies.iter().map(|b| show(b)).collect::<Vec<_>>(),
            ours.bodies().iter().map(|b| show(b)).collect::<Vec<_>>(),
            ours.end
        ));
    }
    let outcome = match case.finish {
        Some(0 | 1) => "idle",
        Some(_) => "eof-error",
        None => case.outcome,
    };
    match (outcome, &ours.end) {
        ("idle", End::Idle) => Verdict::Agree,
        // llhttp pauses exactly where the new protocol's bytes begin.
        ("upgrade", End::Upgrade { at }) if case.offset == Some(*at as u64) => Verdict::Agree,
        // llhttp reports this error one past the first byte after the message.
        ("close", End::DataAfterClose { at }) if case.offset == Some(*at as u64 + 1) => {
            Verdict::Agree
        }
        ("eof-error", End::Rejected { kind, .. }) if *kind == ErrorKind::UnexpectedEof => {
            Verdict::Agree
        }
        ("incomplete", End::Incomplete { partial_body }) if *partial_body == case.partial => {
            Verdict::Agree
        }
        ("error", End::Rejected { at, .. }) => {
            let theirs = case.offset.expect("error offset");
            let from = ours.messages.last().map_or(0, |m| m.end);
            if roughly_same_place(&r.input, from, theirs, *at) {
                Verdict::Agree
            } else {
                Verdict::Differ(format!(
                    "both reject, llhttp at {theirs} (code {:?}), ours at {at}: {:?}",
                    case.code, ours.end
                ))
            }
        }
        ("error", End::Incomplete { .. }) => {
            // Complete the line and the head: the offending byte must then
            // be rejected where it already was.
            let mut longer = r.input.clone();
            longer.extend_from_slice(b"\r\n\r\n");
            let probe = run(&r.config, &longer, r.eof);
            match probe.end {
                End::Rejected { at, .. } if (at as usize) < r.input.len() => {
                    Verdict::AgreeLate { ours: at }
                }
                _ => Verdict::Differ(format!(
                    "llhttp rejects at {:?} (code {:?}); ours is incomplete, and still {:?} once the head ends",
                    case.offset, case.code, probe.end
                )),
            }
        }
        _ => Verdict::Differ(format!(
            "llhttp {outcome} (code {:?} at {:?}), ours {:?}",
            case.code, case.offset, ours.end
        )),
    }
}

/// Both error offsets fall in the same part of the failing message (which
/// starts at `from`): its head (start line, fields, and the empty line
/// after them, where llhttp reports framing errors), or after it. Within a
/// head the two parsers name different bytes: llhttp the byte where it
/// stopped, we the field value at fault or the bare LF itself.
fn roughly_same_place(input: &[u8], from: usize, theirs: u64, ours: u64) -> bool {
    let mut start = from;
    while start < input.len() && matches!(input[start], b'\r' | b'\n') {
        start += 1;
    }
    let mut head_end = input.len();
    for i in start..input.len() {
        if input[i] == b'\n' {
            let rest = &input[i + 1..];
            if rest.starts_with(b"\n") {
                head_end = i + 2;
                break;
            }
            if rest.starts_with(b"\r\n") {
                head_end = i + 3;
                break;
            }
        }
    }
    let in_head = |at: u64| at as usize <= head_end;
    in_head(theirs) == in_head(ours)
}

/// What we do with a case, in the terms of [`Ours`].
fn our_behaviour(r: &Run) -> Option<Ours> {
    match &r.outcome.end {
        End::Rejected { kind, .. } => Some(Rejects(*kind)),
        End::DataAfterClose { .. } => Some(StopsAtClose),
        End::Incomplete { .. } => {
            // Rejected once the offending line ends?
            let mut longer = r.input.clone();
            longer.extend_from_slice(b"\r\n\r\n");
            match run(&r.config, &longer, r.eof).end {
                End::Rejected { kind, at } if (at as usize) < r.input.len() => Some(Rejects(kind)),
                _ => None,
            }
        }
        End::Idle | End::Upgrade { .. } => Some(Accepts),
    }
}

fn pinned(id: &str) -> Option<(Ours, &'static str)> {
    PINNED
        .iter()
        .find(|(p, _, _)| *p == id)
        .map(|&(_, ours, why)| (ours, why))
}

#[test]
fn llhttp_corpus() {
    let cases = cases();
    assert_eq!(cases.len(), 272, "the corpus has 272 cases");
    let (mut agree, mut late, mut pins) = (0, 0, 0);
    let mut failures = Vec::new();
    for case in &cases {
        let r = run_case(case);
        let verdict = compare(case, &r);
        let label = format!("{} {:?} [{}]", case.id, case.name, case.ty);
        match (verdict, pinned(case.id)) {
            (Verdict::Agree, None) => agree += 1,
            (Verdict::AgreeLate { ours }, None) => {
                late += 1;
                eprintln!(
                    "  late: {label}: llhttp rejects at {:?}, we at {ours} once the line ends",
                    case.offset
                );
            }
            (Verdict::Differ(why), None) => {
                failures.push(format!("{label}\n    {why}\n    input: {}", show(&r.input)))
            }
            (Verdict::Differ(_), Some((ours, why))) => {
                if our_behaviour(&r) == Some(ours) {
                    pins += 1;
                    eprintln!("  pinned: {label}: we {ours:?}: {why}");
                } else {
                    failures.push(format!(
                        "{label}: pinned as {ours:?}, but ours is {:?}",
                        r.outcome.end
                    ));
                }
            }
            (_, Some(_)) => failures.push(format!("{label}: pinned, but agrees with llhttp now")),
        }
    }
    eprintln!(
        "llhttp corpus: {} cases, {} agree ({} of them detected at the end of the line), {} pinned deviations, {} differ",
        cases.len(),
        agree + late,
        late,
        pins,
        failures.len()
    );
    assert!(
        failures.is_empty(),
        "{} case(s) differ from llhttp:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert_eq!(PINNED.len(), pins, "every pin is used once");
}

#[test]
fn llhttp_corpus_split_invariance() {
    for case in cases() {
        let r = run_case(&case);
        if let Err(why) = check_split_invariance(&r.config, &r.input, r.eof, &r.outcome) {
            panic!("{} {:?}: {why}", case.id, case.name);
        }
    }
}
