//! Replies: known answers, errors with offsets, limits, the split-invariance
//! and write/parse round-trip proptests, and EHLO capabilities from real
//! servers' replies and from the RFC transcripts in
//! `tests/corpus/smtp-transcripts/`.

use std::path::Path;

use proptest::prelude::*;
use smtp_codec::capability::Capabilities;
use smtp_codec::reply::{
    EnhancedCode, OwnedReply, Reply, ReplyCode, ReplyError, ReplyLimits, ReplyWriteError,
    parse_reply, write_reply,
};

fn parse(b: &[u8]) -> Result<Option<(Reply<'_>, usize)>, ReplyError> {
    parse_reply(b, &ReplyLimits::default())
}

fn complete(b: &[u8]) -> (Reply<'_>, usize) {
    match parse(b) {
        Ok(Some(r)) => r,
        other => panic!("{:?}: {other:?}", String::from_utf8_lossy(b)),
    }
}

fn err(b: &[u8]) -> ReplyError {
    match parse(b) {
        Err(e) => e,
        other => panic!("{:?}: {other:?}", String::from_utf8_lossy(b)),
    }
}

fn lines<'a>(r: &Reply<'a>) -> Vec<&'a str> {
    r.lines().map(|l| std::str::from_utf8(l).unwrap()).collect()
}

fn texts(r: &Reply<'_>) -> Vec<String> {
    r.text_lines().map(|t| t.into_owned()).collect()
}

fn written(code: u16, enhanced: Option<EnhancedCode>, text: &[&str]) -> Vec<u8> {
    let mut out = Vec::new();
    write_reply(&mut out, code, enhanced, text).unwrap();
    out
}

fn limits(max_line: usize, max_lines: usize) -> ReplyLimits {
    let mut l = ReplyLimits::default();
    l.max_line = max_line;
    l.max_lines = max_lines;
    l
}

// ---- parsing ----

#[test]
fn single_line() {
    let (r, n) = complete(b"220 mx.example ESMTP ready\r\nEHLO");
    assert_eq!(n, 28);
    assert_eq!(r.code(), ReplyCode::new(220).unwrap());
    assert_eq!(r.code().get(), 220);
    assert_eq!(r.as_bytes(), b"220 mx.example ESMTP ready\r\n");
    assert_eq!(lines(&r), ["mx.example ESMTP ready"]);
    assert_eq!(r.enhanced_code(), None);
    assert_eq!(r.to_owned().text(), "mx.example ESMTP ready");
    assert_eq!(r.to_owned().to_string(), "220 mx.example ESMTP ready");
    // Tabs and 8-bit text are allowed (SMTPUTF8 servers send UTF-8).
    let (r, _) = complete("250 ok\tdone — très bien\r\n".as_bytes());
    assert_eq!(texts(&r), ["ok\tdone — très bien"]);
}

#[test]
fn code_only_lines() {
    let (r, n) = complete(b"354\r\n");
    assert_eq!((r.code().get(), n), (354, 5));
    assert_eq!(lines(&r), [""]);
    let (r, _) = complete(b"334 \r\n");
    assert_eq!(lines(&r), [""]);
    // In a multi-line reply, `250-` with nothing after it, and a last line
    // that is only the code.
    let (r, _) = complete(b"250-\r\n250-x\r\n250\r\n");
    assert_eq!(lines(&r), ["", "x", ""]);
    let owned = r.to_owned();
    assert_eq!(owned.lines, ["", "x", ""]);
}

#[test]
fn multi_line() {
    let wire =
        b"250-mail.example.org Hello\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 8BITMIME\r\n";
    let (r, n) = complete(wire);
    assert_eq!(n, wire.len());
    assert_eq!(
        lines(&r),
        [
            "mail.example.org Hello",
            "PIPELINING",
            "SIZE 10240000",
            "8BITMIME"
        ]
    );
    // Every proper prefix is incomplete.
    for i in 0..wire.len() {
        assert_eq!(parse(&wire[..i]), Ok(None), "prefix {i}");
    }
    // Two replies back to back: one at a time.
    let two = b"250 first\r\n251 second\r\n";
    let (r, n) = complete(two);
    assert_eq!((r.code().get(), n), (250, 11));
    let (r, n) = complete(&two[n..]);
    assert_eq!((r.code().get(), n), (251, 12));
}

#[test]
fn enhanced_codes() {
    let (r, _) = complete(b"250 2.1.0 Ok\r\n");
    assert_eq!(r.enhanced_code(), Some(EnhancedCode::new(2, 1, 0)));
    assert_eq!(texts(&r), ["Ok"]);
    assert_eq!(lines(&r), ["2.1.0 Ok"]);
    let (r, _) = complete(
        b"550-5.1.1 The email account that you tried to reach does not exist.\r\n550 5.1.1 Please try double-checking the recipient's email address.\r\n",
    );
    assert_eq!(r.enhanced_code(), Some(EnhancedCode::new(5, 1, 1)));
    assert_eq!(
        texts(&r),
        [
            "The email account that you tried to reach does not exist.",
            "Please try double-checking the recipient's email address."
        ]
    );
    let owned = r.to_owned();
    assert_eq!(
        owned,
        OwnedReply {
            code: ReplyCode::new(550).unwrap(),
            enhanced: Some(EnhancedCode::new(5, 1, 1)),
            lines: vec![
                "The email account that you tried to reach does not exist.".into(),
                "Please try double-checking the recipient's email address.".into()
            ],
        }
    );
    // Three-digit subject and detail; the code alone on the line.
    let (r, _) = complete(b"452 4.999.123\r\n");
    assert_eq!(r.enhanced_code(), Some(EnhancedCode::new(4, 999, 123)));
    assert_eq!(texts(&r), [""]);
    assert_eq!(EnhancedCode::new(4, 999, 123).to_string(), "4.999.123");
    // Class mismatch: the text is kept as text (RFC 3463 §2: the class
    // must match the reply's first digit).
    let (r, _) = complete(b"250 5.1.1 odd\r\n");
    assert_eq!(r.enhanced_code(), None);
    assert_eq!(texts(&r), ["5.1.1 odd"]);
    let (r, _) = complete(b"550 2.0.0 odd\r\n");
    assert_eq!(r.enhanced_code(), None);
    // Not codes: class 3, too many digits, missing parts, no space after.
    for text in [
        "3.0.0 x",
        "5.1000.1 x",
        "5.1.1000 x",
        "5..1 x",
        "5.1 x",
        "5.1.1x",
        "5.1.1\tx",
        ".1.1 x",
        "51.1.1 x",
    ] {
        let wire = format!("550 {text}\r\n");
        let (r, _) = complete(wire.as_bytes());
        assert_eq!(r.enhanced_code(), None, "{text}");
        assert_eq!(texts(&r), [text]);
    }
    assert_eq!(
        EnhancedCode::parse_prefix(b"5.7.1 denied"),
        Some((EnhancedCode::new(5, 7, 1), 6))
    );
    assert_eq!(
        EnhancedCode::parse_prefix(b"2.0.0"),
        Some((EnhancedCode::new(2, 0, 0), 5))
    );
    assert_eq!(EnhancedCode::parse_prefix(b"6.0.0"), None);
    // A first line without a code: the next lines' codes stay text.
    let (r, _) = complete(b"250-first\r\n250 2.0.0 second\r\n");
    assert_eq!(r.enhanced_code(), None);
    assert_eq!(texts(&r), ["first", "2.0.0 second"]);
}

#[test]
fn reply_codes() {
    for ok in [
        200, 211, 220, 250, 252, 354, 421, 450, 451, 452, 455, 500, 530, 550, 555, 559,
    ] {
        let c = ReplyCode::new(ok).unwrap_or_else(|| panic!("{ok}"));
        assert_eq!(c.get(), ok);
        assert_eq!(c.class(), (ok / 100) as u8);
        complete(format!("{ok} x\r\n").as_bytes());
    }
    for bad in [0, 99, 100, 199, 260, 299, 600, 999, 1000, 2500] {
        assert_eq!(ReplyCode::new(bad), None, "{bad}");
    }
    let c = ReplyCode::new(354).unwrap();
    assert!(c.is_intermediate() && !c.is_positive() && !c.is_transient() && !c.is_permanent());
    assert!(ReplyCode::new(250).unwrap().is_positive());
    assert!(ReplyCode::new(421).unwrap().is_transient());
    assert!(ReplyCode::new(554).unwrap().is_permanent());
}

#[test]
fn errors_with_offsets() {
    use ReplyError::*;
    for (wire, want) in [
        (&b"2x0 a\r\n"[..], Malformed { offset: 1 }),
        (b"x", Malformed { offset: 0 }),
        (b"250_a\r\n", Malformed { offset: 3 }),
        (b"250a\r\n", Malformed { offset: 3 }),
        (b"25\r\n", Malformed { offset: 2 }),
        (b"\r\n", Malformed { offset: 0 }),
        (b" 250 a\r\n", Malformed { offset: 0 }),
        (b"199 a\r\n", Malformed { offset: 0 }),
        (b"600 a\r\n", Malformed { offset: 0 }),
        (b"260 a\r\n", Malformed { offset: 0 }),
        (b"250-a\r\n25x", Malformed { offset: 9 }),
        (b"250-a\r\n199 b\r\n", Malformed { offset: 7 }),
        (b"250-a\r\n251 b\r\n", CodeMismatch { offset: 7 }),
        (b"250-a\r\n250-b\r\n550 c\r\n", CodeMismatch { offset: 14 }),
        (b"250 a\n", InvalidByte { offset: 5 }),
        (b"250\n", Malformed { offset: 3 }),
        (b"250 a\rb\r\n", InvalidByte { offset: 5 }),
        (b"250 a\rb", InvalidByte { offset: 5 }),
        (b"250 a\r\r\n", InvalidByte { offset: 5 }),
        (b"250 a\0b\r\n", InvalidByte { offset: 5 }),
        (b"250 a\x7f\r\n", InvalidByte { offset: 5 }),
        (b"250 a\x1b[0m\r\n", InvalidByte { offset: 5 }),
        (b"250-a\r\n250 b\nc", InvalidByte { offset: 12 }),
        // The earliest bad byte is reported, as it was for the prefix.
        (b"250 a\rX\n", InvalidByte { offset: 5 }),
    ] {
        assert_eq!(err(wire), want, "{:?}", String::from_utf8_lossy(wire));
    }
    // Errors are found as soon as their bytes arrive.
    assert_eq!(parse(b"2x"), Err(ReplyError::Malformed { offset: 1 }));
    assert_eq!(
        parse(b"250-a\r\n251"),
        Err(ReplyError::CodeMismatch { offset: 7 })
    );
    assert_eq!(
        parse(b"250 a\0"),
        Err(ReplyError::InvalidByte { offset: 5 })
    );
    assert_eq!(parse(b"250 a\r"), Ok(None));
    assert_eq!(parse(b"25"), Ok(None));
    assert_eq!(parse(b""), Ok(None));
}

#[test]
fn limits_are_checked_as_bytes_arrive() {
    // max_line counts the CRLF.
    let l = limits(10, 3);
    let exact = b"250 abcde\r\n"; // 11 octets
    assert_eq!(
        parse_reply(exact, &l),
        Err(ReplyError::LineTooLong { max: 10 })
    );
    assert!(parse_reply(b"250 abcd\r\n", &l).unwrap().is_some());
    assert_eq!(parse_reply(b"250 abcd\r", &l), Ok(None));
    // Before the line ends.
    assert_eq!(
        parse_reply(b"250 abcdefgh", &l),
        Err(ReplyError::LineTooLong { max: 10 })
    );
    assert_eq!(parse_reply(b"250 abcdef", &l), Ok(None));
    // Lines.
    assert!(
        parse_reply(b"250-a\r\n250-b\r\n250 c\r\n", &l)
            .unwrap()
            .is_some()
    );
    assert_eq!(
        parse_reply(b"250-a\r\n250-b\r\n250-c\r\n", &l),
        Err(ReplyError::TooManyLines { max: 3 })
    );
    // Known as soon as the third line turns out not to be the last.
    assert_eq!(parse_reply(b"250-a\r\n250-b\r\n250-c", &l), Ok(None));
    assert_eq!(
        parse_reply(b"250-a\r\n250-b\r\n250-c\r\n", &l),
        Err(ReplyError::TooManyLines { max: 3 })
    );
    // The defaults.
    let d = ReplyLimits::default();
    assert_eq!((d.max_line, d.max_lines), (2048, 256));
    let long = format!("250 {}\r\n", "x".repeat(2042));
    assert!(parse(long.as_bytes()).unwrap().is_some());
    let long = format!("250 {}\r\n", "x".repeat(2043));
    assert_eq!(err(long.as_bytes()), ReplyError::LineTooLong { max: 2048 });
    let many = "250-x\r\n".repeat(256) + "250 x\r\n";
    assert_eq!(err(many.as_bytes()), ReplyError::TooManyLines { max: 256 });
}

// ---- writing ----

#[test]
fn write_known_answers() {
    assert_eq!(
        written(250, Some(EnhancedCode::new(2, 1, 0)), &["Ok"]),
        b"250 2.1.0 Ok\r\n"
    );
    assert_eq!(written(354, None, &[]), b"354\r\n");
    assert_eq!(written(354, None, &[""]), b"354\r\n");
    assert_eq!(
        written(354, None, &["End data with <CR><LF>.<CR><LF>"]),
        b"354 End data with <CR><LF>.<CR><LF>\r\n"
    );
    assert_eq!(
        written(550, Some(EnhancedCode::new(5, 1, 1)), &["a", "b"]),
        b"550-5.1.1 a\r\n550 5.1.1 b\r\n"
    );
    assert_eq!(
        written(250, Some(EnhancedCode::new(2, 0, 0)), &[]),
        b"250 2.0.0\r\n"
    );
    assert_eq!(written(250, None, &["a", ""]), b"250-a\r\n250 \r\n");
    assert_eq!(written(250, None, &["", "a"]), b"250-\r\n250 a\r\n");
    assert_eq!(written(220, None, &["tab\there"]), b"220 tab\there\r\n");
    let owned = OwnedReply {
        code: ReplyCode::new(221).unwrap(),
        enhanced: Some(EnhancedCode::new(2, 0, 0)),
        lines: vec!["Bye".into()],
    };
    let mut out = Vec::new();
    owned.write(&mut out).unwrap();
    assert_eq!(out, b"221 2.0.0 Bye\r\n");
    assert_eq!(owned.to_string(), "221 2.0.0 Bye");
}

#[test]
fn write_refusals() {
    let refused = |code: u16, enhanced: Option<EnhancedCode>, text: &[&str]| {
        let mut out = b"kept".to_vec();
        let e = write_reply(&mut out, code, enhanced, text).unwrap_err();
        assert_eq!(out, b"kept");
        e
    };
    for code in [0, 199, 260, 600, 1250] {
        assert_eq!(
            refused(code, None, &["x"]),
            ReplyWriteError::InvalidCode(code)
        );
    }
    assert_eq!(
        refused(250, Some(EnhancedCode::new(5, 0, 0)), &["x"]),
        ReplyWriteError::InvalidEnhancedCode
    );
    assert_eq!(
        refused(250, Some(EnhancedCode::new(2, 1000, 0)), &["x"]),
        ReplyWriteError::InvalidEnhancedCode
    );
    assert_eq!(
        refused(250, Some(EnhancedCode::new(2, 0, 1000)), &["x"]),
        ReplyWriteError::InvalidEnhancedCode
    );
    assert_eq!(
        refused(250, None, &["ok", "a\r\n250 injected"]),
        ReplyWriteError::InvalidText { line: 1, offset: 1 }
    );
    assert_eq!(
        refused(250, None, &["é\0"]),
        ReplyWriteError::InvalidText { line: 0, offset: 2 }
    );
    assert_eq!(
        refused(250, None, &["\u{85}"]),
        ReplyWriteError::InvalidText { line: 0, offset: 0 }
    );
    assert_eq!(
        refused(250, None, &["\x7f"]),
        ReplyWriteError::InvalidText { line: 0, offset: 0 }
    );
}

// ---- proptests ----

/// Reply text: anything without a control character except HT.
fn text_line() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[ -~]{0,40}",
        1 => "[ -~\t]{0,10}",
        1 => "[^\\p{Cc}]{0,12}",
        1 => "[2-5]\\.[0-9]{1,3}\\.[0-9]{1,3}( [a-z]{0,5})?",
    ]
}

fn reply_code() -> impl Strategy<Value = u16> {
    (2u16..=5, 0u16..=5, 0u16..=9).prop_map(|(a, b, c)| a * 100 + b * 10 + c)
}

fn reply_parts() -> impl Strategy<Value = (u16, Option<EnhancedCode>, Vec<String>)> {
    (
        reply_code(),
        prop::option::of((0u16..1000, 0u16..1000)),
        prop::collection::vec(text_line(), 0..6),
    )
        .prop_map(|(code, e, lines)| {
            let class = (code / 100) as u8;
            // Class 3 has no enhanced codes (RFC 3463 §3.1).
            let enhanced = e
                .filter(|_| class != 3)
                .map(|(s, d)| EnhancedCode::new(class, s, d));
            (code, enhanced, lines)
        })
}

/// The raw text of each line that writing these parts gives.
fn expected_lines(enhanced: Option<EnhancedCode>, lines: &[String]) -> Vec<String> {
    let one = [String::new()];
    let lines = if lines.is_empty() { &one[..] } else { lines };
    lines
        .iter()
        .map(|l| match enhanced {
            None => l.clone(),
            Some(e) if l.is_empty() => e.to_string(),
            Some(e) => format!("{e} {l}"),
        })
        .collect()
}

fn any_control() -> impl Strategy<Value = char> {
    prop_oneof![
        (0u8..0x20)
            .prop_filter("HT is allowed", |&c| c != b'\t')
            .prop_map(char::from),
        Just('\x7f'),
        (0x80u32..0xa0).prop_map(|c| char::from_u32(c).unwrap()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn write_then_parse((code, enhanced, text) in reply_parts(), trailing in "[ -~\r\n]{0,8}") {
        let refs: Vec<&str> = text.iter().map(String::as_str).collect();
        let mut out = Vec::new();
        write_reply(&mut out, code, enhanced, &refs).unwrap();
        let len = out.len();
        out.extend_from_slice(trailing.as_bytes());
        let (r, n) = parse(&out).unwrap().unwrap();
        prop_assert_eq!(n, len);
        prop_assert_eq!(r.code().get(), code);
        let got: Vec<String> = r.lines().map(|l| String::from_utf8(l.to_vec()).unwrap()).collect();
        prop_assert_eq!(got, expected_lines(enhanced, &text));
        if let Some(e) = enhanced {
            prop_assert_eq!(r.enhanced_code(), Some(e));
            let expected_text = if text.is_empty() { vec![String::new()] } else { text.clone() };
            prop_assert_eq!(r.to_owned().lines, expected_text);
        }
        // The owned form writes a reply that reads back the same.
        let owned = r.to_owned();
        let mut again = Vec::new();
        owned.write(&mut again).unwrap();
        let (r2, n2) = parse(&again).unwrap().unwrap();
        prop_assert_eq!(n2, again.len());
        prop_assert_eq!(r2.to_owned(), owned);
    }

    #[test]
    fn every_proper_prefix_is_incomplete((code, enhanced, text) in reply_parts()) {
        let refs: Vec<&str> = text.iter().map(String::as_str).collect();
        let mut out = Vec::new();
        write_reply(&mut out, code, enhanced, &refs).unwrap();
        for i in 0..out.len() {
            prop_assert_eq!(parse(&out[..i]), Ok(None), "prefix {} of {:?}", i, String::from_utf8_lossy(&out));
        }
        let (r, n) = parse(&out).unwrap().unwrap();
        prop_assert_eq!(n, out.len());
        prop_assert_eq!(r.as_bytes(), &out[..]);
    }

    #[test]
    fn errors_are_stable_as_bytes_arrive(bytes in prop::collection::vec(
        prop_oneof![
            6 => prop::sample::select(b"0123456789 -\r\n".to_vec()),
            2 => 0x20u8..0x7f,
            1 => any::<u8>(),
        ],
        0..40,
    )) {
        // Once a prefix is an error, every longer input gives that error;
        // once it is complete, the same reply.
        let l = limits(16, 3);
        let full = parse_reply(&bytes, &l);
        for i in 0..=bytes.len() {
            match parse_reply(&bytes[..i], &l) {
                Ok(None) => {}
                Ok(Some((r, n))) => {
                    let Ok(Some((fr, fnn))) = full else {
                        return Err(TestCaseError::fail(format!("prefix {i} complete, full {full:?}")));
                    };
                    prop_assert_eq!((r, n), (fr, fnn));
                    break;
                }
                Err(e) => {
                    prop_assert_eq!(full, Err(e), "prefix {}", i);
                    break;
                }
            }
        }
    }

    #[test]
    fn write_refuses_every_control_character(
        (code, enhanced, mut text) in reply_parts(),
        c in any_control(),
        at_line in any::<prop::sample::Index>(),
        at_char in any::<prop::sample::Index>(),
    ) {
        if text.is_empty() {
            text.push(String::new());
        }
        let line = at_line.index(text.len());
        let chars: Vec<char> = text[line].chars().collect();
        let pos = at_char.index(chars.len() + 1);
        let offset: usize = chars[..pos].iter().map(|c| c.len_utf8()).sum();
        // Earlier lines and chars must be clean for the offset to be this one.
        for l in &mut text[..line] {
            l.retain(|c| !c.is_control() || c == '\t');
        }
        let mut s: String = chars[..pos].iter().collect();
        s.push(c);
        s.extend(&chars[pos..]);
        text[line] = s;
        let refs: Vec<&str> = text.iter().map(String::as_str).collect();
        let mut out = Vec::new();
        prop_assert_eq!(
            write_reply(&mut out, code, enhanced, &refs),
            Err(ReplyWriteError::InvalidText { line, offset })
        );
        prop_assert!(out.is_empty());
    }

    #[test]
    fn ehlo_lines_round_trip(caps in capabilities()) {
        let mut text = vec![caps.domain.clone()];
        text.extend(caps.ehlo_lines());
        let refs: Vec<&str> = text.iter().map(String::as_str).collect();
        let mut out = Vec::new();
        write_reply(&mut out, 250, None, &refs).unwrap();
        let (r, _) = parse(&out).unwrap().unwrap();
        prop_assert_eq!(Capabilities::from_ehlo_reply(&r), caps);
    }
}

fn capabilities() -> impl Strategy<Value = Capabilities> {
    (
        "[a-z0-9][a-z0-9.-]{0,20}",
        any::<[bool; 12]>(),
        prop::option::of(any::<u64>()),
        prop::collection::btree_set("[A-Z0-9_-]{1,12}", 0..4),
        prop::collection::vec(
            (
                "X[A-Z0-9-]{0,8}",
                prop::collection::vec("[!-<>-~]{1,8}", 0..3),
            ),
            0..3,
        ),
    )
        .prop_map(|(domain, f, size, auth, other)| {
            let mut c = Capabilities::default();
            c.domain = domain;
            c.pipelining = f[0];
            c.eight_bit_mime = f[1];
            c.smtputf8 = f[2];
            c.chunking = f[3];
            c.binary_mime = f[4];
            c.starttls = f[5];
            c.dsn = f[6];
            c.enhanced_status_codes = f[7];
            c.vrfy = f[8];
            c.expn = f[9];
            c.etrn = f[10];
            c.help = f[11];
            c.size = size;
            c.auth = auth.into_iter().collect();
            c.other = other;
            c
        })
}

// ---- capabilities from real EHLO replies ----

fn caps_of(wire: &[u8]) -> Capabilities {
    let (r, n) = complete(wire);
    assert_eq!(n, wire.len());
    Capabilities::from_ehlo_reply(&r)
}

fn other(k: &str, params: &[&str]) -> (String, Vec<String>) {
    (
        k.to_owned(),
        params.iter().map(|p| (*p).to_owned()).collect(),
    )
}

#[test]
fn postfix_ehlo() {
    let c = caps_of(
        b"250-mail.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n250-ETRN\r\n250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n",
    );
    assert_eq!(c.domain, "mail.example.com");
    assert!(c.pipelining && c.starttls && c.enhanced_status_codes && c.eight_bit_mime);
    assert!(c.dsn && c.smtputf8 && c.chunking);
    assert!(!c.binary_mime);
    assert_eq!(c.size, Some(10_240_000));
    assert!(c.auth.is_empty());
    assert!(c.vrfy && c.etrn && !c.expn && !c.help);
    assert!(c.other.is_empty());
}

#[test]
fn exim_ehlo() {
    let c = caps_of(
        b"250-mx.example.org Hello client.example.net [192.0.2.1]\r\n250-SIZE 52428800\r\n250-8BITMIME\r\n250-PIPELINING\r\n250-PIPE_CONNECT\r\n250-AUTH PLAIN LOGIN\r\n250-CHUNKING\r\n250-STARTTLS\r\n250-PRDR\r\n250 HELP\r\n",
    );
    assert_eq!(c.domain, "mx.example.org");
    assert_eq!(c.size, Some(52_428_800));
    assert!(c.eight_bit_mime && c.pipelining && c.chunking && c.starttls);
    assert_eq!(c.auth, ["PLAIN", "LOGIN"]);
    assert!(c.supports_auth("login") && !c.supports_auth("CRAM-MD5"));
    // PIPE_CONNECT is not an esmtp-keyword (underscore): kept whole.
    assert_eq!(c.other, [other("PIPE_CONNECT", &[]), other("PRDR", &[])]);
    assert!(c.help);
}

#[test]
fn gmail_like_ehlo() {
    let c = caps_of(
        b"250-smtp.gmail.com at your service, [203.0.113.5]\r\n250-SIZE 35882577\r\n250-8BITMIME\r\n250-AUTH LOGIN PLAIN XOAUTH2 PLAIN-CLIENTTOKEN OAUTHBEARER XOAUTH\r\n250-ENHANCEDSTATUSCODES\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 SMTPUTF8\r\n",
    );
    assert_eq!(c.domain, "smtp.gmail.com");
    assert_eq!(c.size, Some(35_882_577));
    assert_eq!(
        c.auth,
        [
            "LOGIN",
            "PLAIN",
            "XOAUTH2",
            "PLAIN-CLIENTTOKEN",
            "OAUTHBEARER",
            "XOAUTH"
        ]
    );
    assert!(c.enhanced_status_codes && c.pipelining && c.chunking && c.smtputf8);
    assert!(!c.starttls);
    assert!(c.other.is_empty());
}

#[test]
fn older_servers_ehlo() {
    // `AUTH=` next to `AUTH` (pre-RFC 4954 clients), lower case, SIZE with
    // no number, BINARYMIME, and an extension with parameters.
    let c = caps_of(
        b"250-relay.example\r\n250-AUTH LOGIN PLAIN\r\n250-AUTH=LOGIN PLAIN\r\n250-size\r\n250-BINARYMIME\r\n250-x-custom a b\r\n250 dsn\r\n",
    );
    assert_eq!(c.auth, ["LOGIN", "PLAIN"]);
    assert_eq!(c.size, Some(0));
    assert!(c.binary_mime && c.dsn);
    assert_eq!(c.other, [other("X-CUSTOM", &["a", "b"])]);
    // A one-line reply has only the domain.
    let c = caps_of(b"250 xyz.com is on the air\r\n");
    assert_eq!(c.domain, "xyz.com");
    assert_eq!(c, {
        let mut d = Capabilities::default();
        d.domain = "xyz.com".into();
        d
    });
    // And what we advertise reads back the same.
    let mut lines = vec![c.domain.clone()];
    lines.extend(caps_of(b"250-mx\r\n250-SIZE\r\n250 AUTH PLAIN\r\n").ehlo_lines());
    assert_eq!(lines, ["xyz.com", "SIZE", "AUTH PLAIN"]);
}

// ---- the RFC transcripts ----

/// The server replies of a transcript, each as its wire bytes.
fn transcript_replies(text: &str) -> Vec<Vec<u8>> {
    let mut replies = Vec::new();
    let mut current = Vec::new();
    for line in text.lines() {
        let Some(server) = line.strip_prefix("S: ") else {
            continue;
        };
        current.extend_from_slice(server.as_bytes());
        current.extend_from_slice(b"\r\n");
        if server.as_bytes().get(3) != Some(&b'-') {
            replies.push(std::mem::take(&mut current));
        }
    }
    assert!(current.is_empty(), "unterminated reply");
    replies
}

fn transcripts() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/smtp-transcripts");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "trace"))
        .collect();
    files.sort();
    assert!(files.len() >= 15);
    files
        .into_iter()
        .map(|f| {
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(f).unwrap())
        })
        .collect()
}

#[test]
fn every_transcript_reply_parses() {
    let mut total = 0;
    for (name, text) in transcripts() {
        let replies = transcript_replies(&text);
        // All of a transcript's replies as one stream, taken one by one.
        let stream: Vec<u8> = replies.concat();
        let mut at = 0;
        for wire in &replies {
            let (r, n) = parse(&stream[at..])
                .unwrap_or_else(|e| panic!("{name}: {e}"))
                .unwrap_or_else(|| panic!("{name}: incomplete"));
            assert_eq!(r.as_bytes(), &wire[..], "{name}");
            assert_eq!(n, wire.len());
            at += n;
            // Writing the owned form reads back the same.
            let owned = r.to_owned();
            let mut out = Vec::new();
            owned.write(&mut out).unwrap();
            assert_eq!(complete(&out).0.to_owned(), owned, "{name}");
            total += 1;
        }
        assert_eq!(at, stream.len());
    }
    assert!(total >= 96, "only {total} replies");
}

#[test]
fn transcript_ehlo_capabilities() {
    let mut seen = 0;
    for (name, text) in transcripts() {
        // The reply after each EHLO: the first server reply that follows.
        let mut lines = text.lines();
        while let Some(line) = lines.next() {
            if !line.starts_with("C: EHLO ") {
                continue;
            }
            let mut wire = Vec::new();
            for l in lines.by_ref() {
                let Some(s) = l.strip_prefix("S: ") else {
                    continue;
                };
                wire.extend_from_slice(s.as_bytes());
                wire.extend_from_slice(b"\r\n");
                if s.as_bytes().get(3) != Some(&b'-') {
                    break;
                }
            }
            let c = caps_of(&wire);
            seen += 1;
            match name.as_str() {
                "rfc5321-D1-typical.trace" => {
                    assert_eq!(c.domain, "foo.com");
                    assert!(c.eight_bit_mime && c.dsn);
                    assert_eq!(c.size, Some(0));
                    assert!(c.help && c.other.is_empty());
                }
                "rfc2920-2-pipelined.trace" => {
                    assert_eq!(c.domain, "innosoft.com");
                    assert!(c.pipelining);
                }
                "rfc3030-4.1-bdat-simple.trace" => {
                    assert_eq!(c.domain, "cnri.reston.va.us");
                    assert!(c.chunking && !c.pipelining);
                }
                "rfc4954-3-auth-cram-md5.trace" => {
                    assert_eq!(c.auth, ["DIGEST-MD5", "CRAM-MD5"]);
                    assert!(c.enhanced_status_codes && c.starttls);
                }
                "rfc4954-4-auth-external-empty-ir.trace" if !c.starttls => {
                    // After STARTTLS.
                    assert_eq!(c.auth, ["EXTERNAL", "GSSAPI", "DIGEST-MD5", "PLAIN"]);
                    assert!(c.supports_auth("external"));
                }
                _ => {}
            }
            // What the server advertised, advertised again, reads back the same.
            let mut text = vec![c.domain.clone()];
            text.extend(c.ehlo_lines());
            let refs: Vec<&str> = text.iter().map(String::as_str).collect();
            assert_eq!(caps_of(&written(250, None, &refs)), c, "{name}");
        }
    }
    assert!(seen >= 15, "only {seen} EHLO replies");
}
