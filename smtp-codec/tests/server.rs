//! `ServerSession` as a client sees it: RFC transcripts replayed with the
//! decisions their servers made, command sequencing, pipelining, DATA and
//! BDAT, AUTH, STARTTLS, smuggling vectors, timers, end of stream, and
//! split-invariance.

mod support;

use std::path::Path;
use std::time::Duration;

use proptest::prelude::*;
use smtp_codec::capability::Capabilities;
use smtp_codec::command::BodyType;
use smtp_codec::data::LineEndingPolicy;
use smtp_codec::reply::{EnhancedCode, ReplyLimits, parse_reply};
use smtp_codec::sasl::base64_encode;
use smtp_codec::server::{
    AuthMechanism, DecisionError, ServerConfig, ServerError, ServerEvent, Transaction,
};
use support::{Driver, Step, TraceLine, parse_trace, reply, run_session, steps};

fn config() -> ServerConfig {
    ServerConfig::new("mx.example.org")
}

/// AUTH PLAIN and LOGIN offered on plaintext too.
fn auth_config() -> ServerConfig {
    let mut c = config();
    c.capabilities.auth = ["PLAIN", "LOGIN"].into();
    c.auth_requires_tls = false;
    c
}

fn is_decision(e: &ServerEvent) -> bool {
    matches!(
        e,
        ServerEvent::Mail(_)
            | ServerEvent::Rcpt(_)
            | ServerEvent::Auth { .. }
            | ServerEvent::Message(_)
    )
}

fn messages(events: &[ServerEvent]) -> Vec<&Transaction> {
    events
        .iter()
        .filter_map(|e| match e {
            ServerEvent::Message(t) => Some(&**t),
            _ => None,
        })
        .collect()
}

/// Past EHLO, MAIL and one RCPT (both accepted).
fn in_transaction(config: ServerConfig) -> Driver {
    let mut d = Driver::after_ehlo(config);
    d.input(b"MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.net>\r\n");
    assert!(matches!(d.event(), Some(ServerEvent::Mail(_))));
    d.accept();
    assert!(matches!(d.event(), Some(ServerEvent::Rcpt(_))));
    d.accept();
    assert_eq!(d.codes(), [250, 250]);
    d
}

/// In a transaction, after DATA's 354.
fn in_data(config: ServerConfig) -> Driver {
    let mut d = in_transaction(config);
    d.input(b"DATA\r\n");
    assert_eq!(d.code(), 354);
    d
}

/// Takes the message event (with nothing else reported before it).
fn take_message(d: &mut Driver) -> Transaction {
    match d.event() {
        Some(ServerEvent::Message(t)) => *t,
        other => panic!("expected a message, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------
// 1. RFC transcripts

/// Where our server answers differently from the transcript's, on purpose.
struct Pin {
    file: &'static str,
    /// Index of the server reply in the transcript (the greeting is 0).
    reply: usize,
    theirs: u16,
    ours: u16,
    #[allow(dead_code)] // Documentation: the reason for the deviation.
    why: &'static str,
}

const PINS: &[Pin] = &[
    Pin {
        file: "rfc2920-4-data-accepted-no-rcpt.trace",
        reply: 5,
        theirs: 354,
        ours: 554,
        why: "RFC 5321 §3.3 lets a server answer DATA with 554 when no recipient \
              was accepted instead of reading a body it will refuse; RFC 2920 shows \
              the older behaviour",
    },
    Pin {
        file: "rfc2920-4-data-accepted-no-rcpt.trace",
        reply: 6,
        theirs: 554,
        ours: 500,
        why: "DATA got 554, so the client's lone '.' is read as a command, which is unrecognized",
    },
    Pin {
        file: "rfc4954-3-auth-cram-md5.trace",
        reply: 2,
        theirs: 334,
        ours: 504,
        why: "only PLAIN and LOGIN are implemented (CRAM-MD5 needs the stored plaintext password)",
    },
    Pin {
        file: "rfc4954-3-auth-cram-md5.trace",
        reply: 3,
        theirs: 235,
        ours: 500,
        why: "the AUTH failed, so the client's CRAM-MD5 response is read as a command",
    },
    Pin {
        file: "rfc4954-4-auth-external-empty-ir.trace",
        reply: 4,
        theirs: 235,
        ours: 504,
        why: "EXTERNAL (identity from the TLS client certificate) is not implemented",
    },
    Pin {
        file: "rfc5321-D4-vrfy.trace",
        reply: 2,
        theirs: 250,
        ours: 252,
        why: "VRFY never confirms a mailbox (RFC 5321 §3.5.3 allows 252), so it cannot be \
              used to harvest addresses; there is no VRFY decision event",
    },
];

/// Deterministic chunk octets for `C~` placeholders: binary, with the end of
/// DATA and commands inside, which BDAT must carry as plain content.
fn chunk_octets(n: usize) -> Vec<u8> {
    const PATTERN: &[u8] = b"\r\n.\r\nQUIT\r\nRSET\r\n\x00\xff\x80binary\n.\n";
    (0..n)
        .map(|i| PATTERN[(i * 7 + i / 31) % PATTERN.len()])
        .collect()
}

fn is_ehlo(batch: &[u8]) -> bool {
    batch.len() > 5
        && batch[..5].eq_ignore_ascii_case(b"EHLO ")
        && batch.iter().filter(|&&c| c == b'\n').count() == 1
}

fn capabilities(raw: &[u8]) -> Capabilities {
    let (r, _) = parse_reply(raw, &ReplyLimits::default()).unwrap().unwrap();
    Capabilities::from_ehlo_reply(&r)
}

/// The EHLO replies of a transcript, in order.
fn ehlo_replies(steps: &[Step]) -> Vec<&[u8]> {
    steps
        .windows(2)
        .filter_map(|w| match w {
            [Step::Send(batch), Step::Expect(_, raw)] if is_ehlo(batch) => Some(&raw[..]),
            _ => None,
        })
        .collect()
}

const IMPLEMENTED_AUTH: [&str; 2] = ["PLAIN", "LOGIN"];

/// A configuration advertising what the transcript's server advertised, as
/// far as this server implements it.
fn transcript_config(steps: &[Step]) -> ServerConfig {
    let ehlos = ehlo_replies(steps);
    let hostname = match steps.first() {
        Some(Step::Expect(greeting, _)) => greeting.lines[0].split(' ').next().unwrap().to_string(),
        _ => capabilities(ehlos[0]).domain,
    };
    let mut c = ServerConfig::new(&hostname);
    let mut caps = Capabilities::default();
    let mut starttls = false;
    for raw in &ehlos {
        let theirs = capabilities(raw);
        caps.pipelining |= theirs.pipelining;
        caps.eight_bit_mime |= theirs.eight_bit_mime;
        caps.smtputf8 |= theirs.smtputf8;
        caps.chunking |= theirs.chunking;
        caps.binary_mime |= theirs.binary_mime;
        caps.dsn |= theirs.dsn;
        caps.enhanced_status_codes |= theirs.enhanced_status_codes;
        starttls |= theirs.starttls;
        for m in theirs.auth.iter() {
            if IMPLEMENTED_AUTH.contains(&m) {
                caps.auth.insert(m);
            }
        }
        for o in theirs.other {
            if !caps.other.contains(&o) {
                caps.other.push(o);
            }
        }
    }
    // A transcript that abbreviates its EHLO reply may still use enhanced
    // codes (RFC 4954's examples do).
    caps.enhanced_status_codes |= steps
        .iter()
        .any(|s| matches!(s, Step::Expect(r, _) if r.enhanced.is_some()));
    c.capabilities = caps;
    c.starttls = starttls;
    c.auth_requires_tls = steps.iter().any(|s| matches!(s, Step::Tls));
    c
}

/// Our EHLO reply advertises what theirs did, where we implement it.
fn compare_ehlo(name: &str, ours: &[u8], theirs: &[u8], config: &ServerConfig) {
    let (ours, theirs) = (capabilities(ours), capabilities(theirs));
    let flags = |c: &Capabilities| {
        [
            c.pipelining,
            c.eight_bit_mime,
            c.smtputf8,
            c.chunking,
            c.binary_mime,
            c.dsn,
            c.enhanced_status_codes,
        ]
    };
    for (o, t) in flags(&ours).into_iter().zip(flags(&theirs)) {
        assert!(
            o || !t,
            "{name}: ours {ours:?} lacks an extension of {theirs:?}"
        );
    }
    assert_eq!(ours.starttls, theirs.starttls, "{name}: STARTTLS");
    let mut theirs_auth: Vec<&str> = theirs
        .auth
        .iter()
        .filter(|m| IMPLEMENTED_AUTH.contains(m))
        .collect();
    let mut ours_auth: Vec<&str> = ours.auth.iter().collect();
    theirs_auth.sort_unstable();
    ours_auth.sort_unstable();
    assert_eq!(ours_auth, theirs_auth, "{name}: AUTH");
    for o in &theirs.other {
        assert!(ours.other.contains(o), "{name}: {o:?}");
    }
    // Deviation: SIZE is always advertised, with the configured limit (D.1
    // advertises SIZE without one, RFC 2920's servers not at all).
    assert_eq!(ours.size, Some(config.max_message_size), "{name}: SIZE");
}

/// Replays one transcript; returns every event the session reported.
fn replay(name: &str, text: &str, used_pins: &mut Vec<(&'static str, usize)>) -> Vec<ServerEvent> {
    let lines = parse_trace(text);
    let steps = steps(&lines, &mut chunk_octets);
    let config = transcript_config(&steps);
    let mut d = match steps.first() {
        Some(Step::Expect(..)) => Driver::new(config.clone()),
        Some(Step::Tls) => {
            // Starts after STARTTLS: the greeting was read before.
            let mut d = Driver::new_tls(config.clone());
            assert_eq!(d.code(), 220);
            d
        }
        _ => panic!("{name}: a fragment without a greeting"),
    };
    let mut log: Vec<ServerEvent> = Vec::new();
    let mut reply_no = 0;
    let mut last_batch: &[u8] = b"";
    for (i, step) in steps.iter().enumerate() {
        match step {
            Step::Tls if i == 0 => {}
            Step::Tls => {
                assert!(d.unread().is_empty(), "{name}: output before the handshake");
                log.extend(d.events());
                assert!(
                    matches!(log.last(), Some(ServerEvent::StartTls)),
                    "{name}: handshake without a StartTls event"
                );
                d.session.starttls_complete(d.now);
                d.pump();
                assert!(d.session.is_tls());
            }
            Step::Send(batch) => {
                d.input(batch);
                last_batch = batch;
            }
            Step::Expect(theirs, theirs_raw) => {
                let pin = PINS.iter().find(|p| p.file == name && p.reply == reply_no);
                let expected = match pin {
                    Some(p) => {
                        assert_eq!(
                            theirs.code.get(),
                            p.theirs,
                            "{name}: pin {reply_no} is stale"
                        );
                        used_pins.push((p.file, p.reply));
                        p.ours
                    }
                    None => theirs.code.get(),
                };
                let (ours, ours_raw) = loop {
                    if let Some(r) = d.reply_with_bytes() {
                        break r;
                    }
                    let Some(e) = d.event() else {
                        panic!("{name}: silent where the transcript has reply {reply_no}: {theirs}")
                    };
                    let decision = is_decision(&e);
                    log.push(e);
                    if decision {
                        // The decision the transcript's server made.
                        if expected / 100 == 2 {
                            d.accept();
                        } else {
                            d.reject(theirs);
                        }
                    }
                };
                assert_eq!(
                    ours.code.get(),
                    expected,
                    "{name}: reply {reply_no}: ours `{ours}`, transcript `{theirs}`"
                );
                if let (None, Some(e)) = (pin, theirs.enhanced) {
                    assert_eq!(ours.enhanced, Some(e), "{name}: reply {reply_no}");
                }
                if is_ehlo(last_batch) && reply_no > 0 {
                    compare_ehlo(name, &ours_raw, theirs_raw, &config);
                }
                reply_no += 1;
            }
        }
    }
    log.extend(d.events());
    assert!(
        d.reply().is_none(),
        "{name}: replies the transcript does not have"
    );
    let quit = lines
        .iter()
        .rev()
        .find_map(|l| match l {
            TraceLine::Client(c) => Some(c == "QUIT"),
            _ => None,
        })
        .unwrap_or(false);
    assert_eq!(
        d.session.is_closed(),
        quit,
        "{name}: closed after QUIT, open otherwise"
    );
    if !quit {
        assert!(d.session.wants_input(), "{name}: a decision left pending");
    }
    log
}

#[test]
fn transcripts_replay_with_the_rfc_servers_reply_codes() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/smtp-transcripts");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    let mut used_pins = Vec::new();
    let mut replayed = 0;
    for name in &names {
        let text = std::fs::read_to_string(dir.join(name)).unwrap();
        if name == "rfc4954-5-mail-auth-param.trace" {
            // A fragment without greeting or EHLO: its own test below.
            continue;
        }
        let name = name.as_str();
        let log = replay(name, &text, &mut used_pins);
        replayed += 1;
        let msgs = messages(&log);
        let rcpts = |t: &Transaction| {
            t.recipients
                .iter()
                .map(|r| r.to.clone())
                .collect::<Vec<_>>()
        };
        match name {
            "rfc5321-D1-typical.trace" => {
                assert_eq!(msgs.len(), 1);
                assert_eq!(rcpts(msgs[0]), ["Jones@foo.com", "Brown@foo.com"]);
                assert_eq!(msgs[0].body, b"Blah blah blah...\r\n...etc. etc. etc.\r\n");
                assert_eq!(msgs[0].mail.from.as_deref(), Some("Smith@bar.com"));
                assert_eq!((msgs[0].helo.as_str(), msgs[0].extended), ("bar.com", true));
            }
            "rfc5321-D2-aborted.trace" => {
                assert!(msgs.is_empty());
                assert!(log.contains(&ServerEvent::Reset));
            }
            "rfc5321-D3-relayed-step2.trace" => {
                assert!(msgs[0].body.starts_with(
                    b"Received: from bar.com by foo.com ; Thu, 21 May 1998\r\n    05:33:29 -0700\r\n"
                ));
                assert!(
                    msgs[0]
                        .body
                        .ends_with(b"\r\n                        John.\r\n")
                );
            }
            "rfc2920-1-no-pipelining.trace" | "rfc2920-2-pipelined.trace" => {
                assert_eq!(msgs.len(), 1);
                assert_eq!(msgs[0].recipients.len(), 3);
                assert_eq!(msgs[0].body, b"body\r\n");
                assert_eq!(msgs[0].extended, name.contains("-2-"));
            }
            "rfc2920-3-all-rcpt-rejected.trace" | "rfc2920-4-data-accepted-no-rcpt.trace" => {
                assert!(msgs.is_empty());
            }
            "rfc3030-4.1-bdat-simple.trace" => {
                assert!(msgs[0].chunked);
                assert_eq!(
                    msgs[0].body,
                    b"To: Susan@random.com\r\nFrom: Sam@random.com\r\nSubject: This is a bodyless test message\r\n"
                );
                assert_eq!(msgs[0].body.len(), 86);
            }
            "rfc3030-4.2-bdat-pipelined-binarymime.schematic" => {
                assert_eq!(msgs[0].mail.body, Some(BodyType::BinaryMime));
                assert_eq!(
                    msgs[0].body,
                    [chunk_octets(100_000), chunk_octets(324)].concat()
                );
            }
            "rfc4954-1-auth-plain-initial-response.trace"
            | "rfc4954-2-auth-plain-no-initial-response.trace" => {
                let auth = log.iter().find_map(|e| match e {
                    ServerEvent::Auth {
                        mechanism,
                        credentials,
                    } => Some((*mechanism, credentials.clone())),
                    _ => None,
                });
                let (mechanism, c) = auth.expect("an AUTH decision");
                assert_eq!(mechanism, AuthMechanism::Plain);
                assert_eq!(
                    (&*c.authzid, &*c.username, &*c.password),
                    ("test", "test", "1234")
                );
            }
            _ => {}
        }
    }
    assert!(replayed >= 15, "transcripts found: {names:?}");
    for p in PINS {
        assert!(
            used_pins.contains(&(p.file, p.reply)),
            "pin {}#{} not reached",
            p.file,
            p.reply
        );
    }
}

#[test]
fn rfc4954_mail_auth_parameter_is_passed_on_as_given() {
    let text = include_str!("corpus/smtp-transcripts/rfc4954-5-mail-auth-param.trace");
    let lines = parse_trace(text);
    let mut d = Driver::after_ehlo(auth_config());
    let expected = [
        ("e=mc2@example.com", "e+3Dmc2@example.com"),
        ("john+@example.org", "<>"),
    ];
    let mut seen = 0;
    for line in &lines {
        match line {
            TraceLine::Client(c) => {
                d.input(format!("{c}\r\n").as_bytes());
                let Some(ServerEvent::Mail(m)) = d.event() else {
                    panic!("{c}: no MAIL decision")
                };
                assert_eq!(m.from.as_deref(), Some(expected[seen].0));
                assert_eq!(m.auth.as_deref(), Some(expected[seen].1));
                d.accept();
                seen += 1;
            }
            TraceLine::Server(s) => {
                assert_eq!(d.code(), s[..3].parse::<u16>().unwrap());
                // The fragment shows two separate transactions.
                d.input(b"RSET\r\n");
                assert_eq!(d.code(), 250);
                d.events();
            }
            _ => unreachable!(),
        }
    }
    assert_eq!(seen, 2);

    // AUTH= is refused where AUTH is not offered (RFC 4954 §5).
    let mut d = Driver::after_ehlo(config());
    d.input(b"MAIL FROM:<a@example.com> AUTH=<>\r\n");
    assert_eq!(d.code(), 555);
}

// ---------------------------------------------------------------------------
// 2. Sequencing and simple commands

#[test]
fn commands_out_of_sequence_get_503() {
    let mut d = Driver::new(config());
    assert_eq!(d.code(), 220);
    d.input(b"MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n");
    let r = d.reply().unwrap();
    assert_eq!(
        (r.code.get(), r.enhanced),
        (503, Some(EnhancedCode::new(5, 5, 1)))
    );
    assert_eq!(d.codes(), [503, 503]);
    d.input(b"EHLO client.example\r\nRCPT TO:<b@example.net>\r\nDATA\r\n");
    assert_eq!(d.codes(), [250, 503, 503]);
    d.input(b"MAIL FROM:<a@example.com>\r\n");
    d.events();
    d.accept();
    // DATA without an accepted recipient: 554 (RFC 5321 §3.3).
    d.input(b"MAIL FROM:<c@example.com>\r\nDATA\r\n");
    assert_eq!(d.codes(), [250, 503, 554]);
    assert!(d.events().is_empty(), "no nested MAIL event");
    // AUTH needs EHLO, STARTTLS needs the option.
    d.input(b"STARTTLS\r\n");
    assert_eq!(d.code(), 502);
}

#[test]
fn helo_gets_no_extensions() {
    let mut d = Driver::new(config());
    d.reply();
    d.input(b"HELO client.example\r\n");
    assert_eq!(d.unread(), b"250 mx.example.org\r\n");
    d.reply();
    assert_eq!(
        d.event(),
        Some(ServerEvent::Hello {
            domain: "client.example".into(),
            extended: false
        })
    );
    for param in ["SIZE=100", "BODY=8BITMIME", "SMTPUTF8", "BODY=BINARYMIME"] {
        d.input(format!("MAIL FROM:<a@example.com> {param}\r\n").as_bytes());
        let r = d.reply().unwrap();
        assert_eq!(r.code.get(), 555, "{param} after HELO");
        assert_eq!(r.enhanced, Some(EnhancedCode::new(5, 5, 4)));
    }
    // AUTH needs EHLO.
    d.input(b"AUTH PLAIN\r\n");
    assert_eq!(d.code(), 503);
    d.input(b"MAIL FROM:<a@example.com>\r\n");
    assert!(matches!(d.event(), Some(ServerEvent::Mail(_))));
}

#[test]
fn ehlo_advertises_the_configuration() {
    let mut d = Driver::new(config());
    d.reply();
    d.input(b"EHLO client.example\r\n");
    let (_, raw) = d.reply_with_bytes().unwrap();
    assert!(raw.starts_with(b"250-mx.example.org greets client.example\r\n"));
    let caps = capabilities(&raw);
    assert!(caps.pipelining && caps.chunking && caps.binary_mime && caps.enhanced_status_codes);
    assert!(caps.eight_bit_mime && caps.smtputf8);
    assert_eq!(caps.size, Some(10_240_000));
    assert!(!caps.starttls && !caps.dsn);
    assert!(caps.auth.is_empty());
}

#[test]
fn rset_abandons_the_transaction() {
    let mut d = in_transaction(config());
    d.input(b"RSET\r\n");
    let r = d.reply().unwrap();
    assert_eq!(
        (r.code.get(), r.enhanced),
        (250, Some(EnhancedCode::new(2, 0, 0)))
    );
    assert_eq!(d.events(), [ServerEvent::Reset]);
    d.input(b"RCPT TO:<b@example.net>\r\nDATA\r\n");
    assert_eq!(d.codes(), [503, 503]);
    // RSET outside a transaction: 250 and no event.
    d.input(b"RSET\r\n");
    assert_eq!(d.codes(), [250]);
    assert!(d.events().is_empty());
    // EHLO also abandons a transaction.
    let mut d = in_transaction(config());
    d.input(b"EHLO again.example\r\n");
    assert_eq!(d.code(), 250);
    assert_eq!(d.event(), Some(ServerEvent::Reset));
}

#[test]
fn noop_vrfy_expn_help_quit() {
    let mut d = Driver::after_ehlo(config());
    d.input(b"NOOP\r\nNOOP anything\r\nVRFY postmaster\r\nEXPN staff\r\nHELP\r\nHELP MAIL\r\n");
    assert_eq!(d.codes(), [250, 250, 252, 502, 214, 214]);
    assert!(d.events().is_empty());
    assert!(!d.session.is_closed());
    d.input(b"QUIT\r\nNOOP\r\n");
    let r = d.reply().unwrap();
    assert_eq!(r.code.get(), 221);
    assert!(r.text().contains("mx.example.org"));
    assert!(d.reply().is_none(), "nothing after QUIT is read");
    assert!(d.session.is_closed());
    assert_eq!(d.session.error(), None);
    assert_eq!(d.session.poll_timeout(), None);
    d.input(b"NOOP\r\n");
    assert!(d.unread().is_empty());
}

#[test]
fn unknown_commands_and_syntax_errors() {
    let mut d = Driver::after_ehlo(config());
    for (line, code) in [
        (&b"FOO\r\n"[..], 500),
        (b"\r\n", 500),
        (b"MAILFROM:<a@example.com>\r\n", 500),
        (b"MAIL FROM:a@example.com\r\n", 501),
        (b"MAIL FROM:<a@@example.com>\r\n", 501),
        (b"RCPT\r\n", 501),
        (b"DATA now\r\n", 501),
        (b"EHLO\r\n", 501),
        (b"QUIT now\r\n", 501),
    ] {
        d.input(line);
        let r = d.reply().unwrap();
        assert_eq!(r.code.get(), code, "{}", String::from_utf8_lossy(line));
        assert_eq!(r.enhanced.map(|e| e.class), Some(5));
    }
    assert!(d.events().is_empty());
    assert!(!d.session.is_closed());
}

#[test]
fn too_many_errors_close_with_421() {
    let mut c = config();
    c.max_errors = 3;
    let mut d = Driver::after_ehlo(c);
    d.input(b"FOO\r\nBAR\r\nNOOP\r\nBAZ\r\nNOOP\r\n");
    assert_eq!(d.codes(), [500, 500, 250, 500, 421]);
    assert!(d.session.is_closed());
    assert_eq!(d.session.error(), Some(ServerError::TooManyErrors));
    // Out-of-sequence commands count too.
    let mut c = config();
    c.max_errors = 2;
    let mut d = Driver::after_ehlo(c);
    d.input(b"RCPT TO:<a@example.com>\r\nDATA\r\n");
    assert_eq!(d.codes(), [503, 503, 421]);
    assert!(d.session.is_closed());
}

#[test]
fn an_overlong_line_gets_500_and_the_next_line_is_read() {
    let mut c = config();
    c.max_line = 512;
    let mut long = b"NOOP ".to_vec();
    long.resize(2000, b'a');
    long.extend_from_slice(b"\r\nNOOP\r\n");
    // Whole, and a byte at a time.
    for piece in [long.len(), 1] {
        let mut d = Driver::after_ehlo(c.clone());
        for p in long.chunks(piece) {
            d.input(p);
        }
        let r = d.reply().unwrap();
        assert_eq!(
            (r.code.get(), r.enhanced),
            (500, Some(EnhancedCode::new(5, 5, 2)))
        );
        assert_eq!(d.codes(), [250], "piece {piece}");
        assert_eq!(d.session.buffered(), 0);
    }
    // 512 octets with the CRLF is allowed; 513 is not.
    let mut d = Driver::after_ehlo(c);
    let mut ok = b"NOOP ".to_vec();
    ok.resize(510, b'a');
    ok.extend_from_slice(b"\r\n");
    d.input(&ok);
    assert_eq!(d.codes(), [250]);
    let mut over = b"NOOP ".to_vec();
    over.resize(511, b'a');
    over.extend_from_slice(b"\r\n");
    d.input(&over);
    assert_eq!(d.codes(), [500]);
}

#[test]
fn an_overlong_line_is_too_long_whatever_follows_the_limit() {
    // What comes after the limit (a NUL, a bare CR) cannot change the
    // answer, or the answer would depend on how the line was cut.
    let mut c = config();
    c.max_line = 64;
    for tail in [&b"\x00\r\n"[..], b"\rx\r\n", b"\nx\r\n", b"\r\n"] {
        for at in [63, 64, 65, 66] {
            let mut line = b"NOOP ".to_vec();
            line.resize(at, b'a');
            line.extend_from_slice(tail);
            line.extend_from_slice(b"NOOP\r\n");
            let whole = run_session(&c, &[&line], 0);
            for cut_at in 1..line.len() {
                let split = run_session(&c, &[&line[..cut_at], &line[cut_at..]], 0);
                assert_eq!(
                    String::from_utf8_lossy(&split.0),
                    String::from_utf8_lossy(&whole.0),
                    "{tail:?} at {at}, cut at {cut_at}"
                );
            }
        }
    }
}

#[test]
fn nul_in_a_command_line() {
    let mut d = Driver::after_ehlo(config());
    d.input(b"MAIL FROM:<a\x00@example.com>\r\nNOOP\r\n");
    let r = d.reply().unwrap();
    assert_eq!(
        (r.code.get(), r.enhanced),
        (500, Some(EnhancedCode::new(5, 5, 2)))
    );
    assert_eq!(d.codes(), [250]);
    assert!(d.events().is_empty(), "the line with a NUL is not a MAIL");
    // A NUL whose line ends in a later piece.
    d.input(b"NO\x00");
    d.input(b"OP\r\nNOOP\r\n");
    assert_eq!(d.codes(), [500, 250]);
}

#[test]
fn bare_line_endings_in_commands() {
    // Default: 521 and close (smtpd_forbid_bare_newline).
    let mut d = Driver::after_ehlo(config());
    d.input(b"NOOP\nNOOP\r\n");
    let r = d.reply().unwrap();
    assert_eq!(r.code.get(), 521);
    assert!(d.reply().is_none());
    assert!(d.session.is_closed());
    assert_eq!(d.session.error(), Some(ServerError::BareLineEnding));
    let mut d = Driver::after_ehlo(config());
    d.input(b"NOOP\rNOOP\r\n");
    assert_eq!(d.codes(), [521]);
    // Normalize: a bare LF ends a command line.
    let mut c = config();
    c.command_line_endings = LineEndingPolicy::Normalize;
    let mut d = Driver::after_ehlo(c);
    d.input(b"NOOP\nNOOP\r\n");
    assert_eq!(d.codes(), [250, 250]);
}

// ---------------------------------------------------------------------------
// 3. PIPELINING

#[test]
fn a_pipelined_batch_waits_for_each_decision() {
    let mut d = Driver::new(config());
    d.reply();
    let batch = b"EHLO client.example\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.net>\r\n\
                  RCPT TO:<c@example.net>\r\nRCPT TO:<d@example.net>\r\nDATA\r\n";
    d.input(batch);
    // Only the EHLO answered; MAIL waits; the rest is not even read.
    assert_eq!(d.codes(), [250]);
    assert!(matches!(d.event(), Some(ServerEvent::Hello { .. })));
    let Some(ServerEvent::Mail(m)) = d.event() else {
        panic!()
    };
    assert_eq!(m.from.as_deref(), Some("a@example.com"));
    assert_eq!(
        d.event(),
        None,
        "nothing behind the pending MAIL is processed"
    );
    assert!(!d.session.wants_input());
    assert_eq!(d.session.poll_timeout(), None);
    let behind = batch.len() - b"EHLO client.example\r\nMAIL FROM:<a@example.com>\r\n".len();
    assert_eq!(d.session.buffered(), behind);
    // More input while waiting is only buffered.
    d.input(b"NOOP\r\n");
    assert!(d.unread().is_empty());
    assert_eq!(d.event(), None);

    d.accept();
    assert_eq!(d.codes(), [250]);
    let to = |e: Option<ServerEvent>| match e {
        Some(ServerEvent::Rcpt(r)) => r.to,
        other => panic!("{other:?}"),
    };
    assert_eq!(to(d.event()), "b@example.net");
    assert_eq!(d.event(), None);
    d.accept();
    assert_eq!(to(d.event()), "c@example.net");
    d.reject(&reply(550, Some((5, 1, 1)), "No such user c"));
    assert_eq!(to(d.event()), "d@example.net");
    d.accept();
    // DATA and the NOOP (now body text) after the last decision.
    assert!(d.session.wants_input());
    let r: Vec<String> = std::iter::from_fn(|| d.reply())
        .map(|r| r.to_string())
        .collect();
    assert_eq!(
        r,
        [
            "250 2.1.5 Ok",
            "550 5.1.1 No such user c",
            "250 2.1.5 Ok",
            "354 End data with <CR><LF>.<CR><LF>"
        ]
    );
    d.input(b".\r\n");
    let t = take_message(&mut d);
    let rcpts: Vec<_> = t.recipients.iter().map(|r| r.to.as_str()).collect();
    assert_eq!(rcpts, ["b@example.net", "d@example.net"]);
    assert_eq!(t.body, b"NOOP\r\n");
}

#[test]
fn pipelined_quit_after_the_dot_waits_for_the_message_decision() {
    let mut d = in_data(config());
    d.input(b"hello\r\n.\r\nQUIT\r\n");
    take_message(&mut d);
    assert!(d.unread().is_empty());
    assert!(!d.session.is_closed());
    d.accept();
    assert_eq!(d.codes(), [250, 221]);
    assert!(d.session.is_closed());
}

#[test]
fn too_many_recipients_get_452() {
    let mut c = config();
    c.max_recipients = 2;
    let mut d = in_transaction(c);
    d.input(b"RCPT TO:<c@example.net>\r\n");
    d.events();
    d.accept();
    d.input(b"RCPT TO:<d@example.net>\r\n");
    let r = d.codes();
    assert_eq!(r, [250, 452]);
    assert!(d.events().is_empty());
    // Not an error that ends the session; the transaction goes on.
    d.input(b"DATA\r\n.\r\n");
    assert_eq!(d.code(), 354);
    assert_eq!(take_message(&mut d).recipients.len(), 2);
}

// ---------------------------------------------------------------------------
// Decisions

#[test]
fn decisions_check_their_replies() {
    let mut d = Driver::after_ehlo(config());
    let now = d.now;
    assert_eq!(d.session.accept(now), Err(DecisionError::NothingPending));
    assert_eq!(
        d.session.reject(now, &reply(550, None, "x")),
        Err(DecisionError::NothingPending)
    );
    d.input(b"MAIL FROM:<a@example.com>\r\n");
    assert_eq!(
        d.session.reject(now, &reply(250, None, "no")),
        Err(DecisionError::WrongClass(250))
    );
    assert_eq!(
        d.session.accept_with(now, &reply(550, None, "no")),
        Err(DecisionError::WrongClass(550))
    );
    // A reply that cannot be written is refused, not lost: the client
    // would wait for an answer forever.
    assert!(matches!(
        d.session
            .reject(now, &reply(550, Some((4, 7, 1)), "class mismatch")),
        Err(DecisionError::InvalidReply(_))
    ));
    assert!(matches!(
        d.session.reject(now, &reply(550, None, "two\r\n250 lines")),
        Err(DecisionError::InvalidReply(_))
    ));
    d.pump();
    assert!(d.unread().is_empty());
    // Still pending: a valid reply goes through, with the caller's text.
    d.session
        .accept_with(
            now,
            &reply(250, Some((2, 1, 0)), "Sender <a@example.com> ok"),
        )
        .unwrap();
    d.pump();
    assert_eq!(d.unread(), b"250 2.1.0 Sender <a@example.com> ok\r\n");
    d.reply();
    assert_eq!(d.session.accept(now), Err(DecisionError::NothingPending));
    // A refused MAIL leaves no transaction.
    d.input(b"RSET\r\nMAIL FROM:<b@example.com>\r\n");
    d.events();
    d.refuse();
    d.input(b"RCPT TO:<c@example.net>\r\n");
    let r: Vec<String> = std::iter::from_fn(|| d.reply())
        .map(|r| r.to_string())
        .collect();
    assert_eq!(r[1], "550 5.7.1 Sender address rejected");
    assert!(r[2].starts_with("503 "));
}

// ---------------------------------------------------------------------------
// 4. DATA

#[test]
fn data_body_is_unstuffed_and_keeps_its_final_crlf() {
    let mut d = in_data(config());
    d.input(b"Subject: dots\r\n\r\n..leading dot\r\n.\r\n");
    let t = take_message(&mut d);
    assert_eq!(t.body, b"Subject: dots\r\n\r\n.leading dot\r\n");
    assert_eq!(t.helo, "client.example");
    assert!(t.extended && !t.chunked && !t.tls);
    assert_eq!(t.authenticated, None);
    assert_eq!(t.mail.from.as_deref(), Some("a@example.com"));
    assert_eq!(t.recipients[0].to, "b@example.net");
    assert!(!d.session.wants_input(), "waiting for the message decision");
    d.accept();
    let r = d.reply().unwrap();
    assert_eq!(r.to_string(), "250 2.0.0 Ok: queued");
    // The transaction is over: a new one may start.
    d.input(b"RCPT TO:<x@example.net>\r\nMAIL FROM:<>\r\n");
    assert_eq!(d.code(), 503);
    let Some(ServerEvent::Mail(m)) = d.event() else {
        panic!()
    };
    assert_eq!(m.from, None, "the null reverse path");
}

#[test]
fn an_empty_message_and_a_message_split_everywhere() {
    let mut d = in_data(config());
    d.input(b".\r\n");
    assert_eq!(take_message(&mut d).body, b"");
    let mut d = in_data(config());
    for b in b"a\r\n..\r\n\r\n.\r\n" {
        d.input(&[*b]);
    }
    assert_eq!(take_message(&mut d).body, b"a\r\n.\r\n\r\n");
}

#[test]
fn a_message_decision_replies_as_the_caller_says() {
    let mut d = in_data(config());
    d.input(b"spam\r\n.\r\n");
    take_message(&mut d);
    d.reject(&reply(554, Some((5, 7, 1)), "Spam detected"));
    assert_eq!(d.reply().unwrap().to_string(), "554 5.7.1 Spam detected");
    // Rejected or not, the transaction is over.
    d.input(b"DATA\r\n");
    assert_eq!(d.code(), 503);

    let mut d = in_data(config());
    d.input(b"x\r\n.\r\n");
    take_message(&mut d);
    d.refuse();
    assert_eq!(d.reply().unwrap().to_string(), "554 5.6.0 Message rejected");

    let mut d = in_data(config());
    d.input(b"x\r\n.\r\n");
    take_message(&mut d);
    d.reject(&reply(451, Some((4, 3, 0)), "Try again later"));
    assert_eq!(d.code(), 451);
}

#[test]
fn a_size_parameter_over_the_limit_gets_552_at_mail() {
    let mut c = config();
    c.max_message_size = 100;
    let mut d = Driver::after_ehlo(c);
    d.input(b"MAIL FROM:<a@example.com> SIZE=101\r\n");
    let r = d.reply().unwrap();
    assert_eq!(
        (r.code.get(), r.enhanced),
        (552, Some(EnhancedCode::new(5, 3, 4)))
    );
    assert!(d.events().is_empty());
    d.input(b"MAIL FROM:<a@example.com> SIZE=100\r\n");
    let Some(ServerEvent::Mail(m)) = d.event() else {
        panic!()
    };
    assert_eq!(m.size, Some(100));
}

#[test]
fn a_body_over_the_limit_is_read_to_the_end_then_552() {
    let mut c = config();
    c.max_message_size = 100;
    let mut d = in_data(c);
    let mut body = Vec::new();
    for i in 0..20 {
        body.extend_from_slice(format!("line {i:02}\r\n").as_bytes());
    }
    // The over-long body holds what looks like commands: still body.
    body.extend_from_slice(b"MAIL FROM:<evil@example.com>\r\n.\r\n");
    for piece in body.chunks(7) {
        d.input(piece);
    }
    let r = d.reply().unwrap();
    assert_eq!(
        (r.code.get(), r.enhanced),
        (552, Some(EnhancedCode::new(5, 3, 4)))
    );
    assert_eq!(d.events(), [ServerEvent::Reset], "no message, no MAIL");
    assert!(!d.session.is_closed());
    // The transaction is dropped; the session goes on.
    d.input(b"RCPT TO:<b@example.net>\r\nMAIL FROM:<a@example.com>\r\n");
    assert_eq!(d.code(), 503);
    assert!(matches!(d.event(), Some(ServerEvent::Mail(_))));
    // Exactly at the limit is fine.
    let mut c = config();
    c.max_message_size = 10;
    let mut d = in_data(c);
    d.input(b"12345678\r\n.\r\n");
    assert_eq!(take_message(&mut d).body.len(), 10);
}

#[test]
fn bare_line_endings_in_data_follow_the_policy() {
    let mut d = in_data(config());
    d.input(b"a\nb\r\n.\r\n");
    assert_eq!(d.codes(), [521]);
    assert!(d.session.is_closed());
    assert_eq!(d.session.error(), Some(ServerError::BareLineEnding));
    assert!(d.events().is_empty());

    let mut c = config();
    c.data_line_endings = LineEndingPolicy::Normalize;
    let mut d = in_data(c);
    d.input(b"a\nb\r.\r\n.\r\n");
    assert_eq!(take_message(&mut d).body, b"a\r\nb\r\n.\r\n");
}

// ---------------------------------------------------------------------------
// 5. BDAT

#[test]
fn bdat_chunks_make_one_message() {
    let mut d = in_transaction(config());
    d.input(b"BDAT 5\r\nhello");
    let r = d.reply().unwrap();
    assert_eq!(
        (r.code.get(), r.enhanced),
        (250, Some(EnhancedCode::new(2, 0, 0)))
    );
    assert!(d.events().is_empty());
    // A chunk holding the end of DATA and commands, split in pieces.
    let chunk = b" world\r\n.\r\nQUIT\r\n";
    let mut wire = format!("BDAT {} LAST\r\n", chunk.len()).into_bytes();
    wire.extend_from_slice(chunk);
    for piece in wire.chunks(3) {
        d.input(piece);
    }
    let t = take_message(&mut d);
    assert_eq!(t.body, b"hello world\r\n.\r\nQUIT\r\n");
    assert!(t.chunked);
    assert!(!d.session.is_closed());
    d.accept();
    assert_eq!(d.codes(), [250]);
    assert!(!d.session.is_closed());
}

#[test]
fn bdat_zero_length_last() {
    let mut d = in_transaction(config());
    d.input(b"BDAT 3\r\nabcBDAT 0 LAST\r\n");
    assert_eq!(d.codes(), [250]);
    assert_eq!(take_message(&mut d).body, b"abc");
    d.accept();
    // A message of one empty chunk.
    let mut d = in_transaction(config());
    d.input(b"BDAT 0 LAST\r\n");
    assert_eq!(take_message(&mut d).body, b"");
}

#[test]
fn a_refused_bdat_still_consumes_its_chunk() {
    // Before MAIL: 503, and the chunk's "RSET" and "QUIT" are not commands.
    let mut d = Driver::after_ehlo(config());
    d.input(b"BDAT 12\r\nRSET\r\nQUIT\r\nNOOP\r\n");
    let r = d.reply().unwrap();
    assert_eq!(
        (r.code.get(), r.enhanced),
        (503, Some(EnhancedCode::new(5, 5, 1)))
    );
    assert_eq!(d.codes(), [250], "only the NOOP after the chunk");
    assert!(!d.session.is_closed());
    // Split, with LAST.
    d.input(b"BDAT 6 LAST\r\nRS");
    d.input(b"ET\r\nNOOP\r\n");
    assert_eq!(d.codes(), [503, 250]);

    // With MAIL but no accepted recipient: 554, and the transaction is
    // untouched (the chunk's RSET did not run).
    let mut d = Driver::after_ehlo(config());
    d.input(b"MAIL FROM:<a@example.com>\r\n");
    d.events();
    d.accept();
    d.input(b"BDAT 6\r\nRSET\r\nMAIL FROM:<b@example.com>\r\n");
    assert_eq!(d.codes(), [250, 554, 503]);
    assert!(d.events().is_empty(), "no Reset, no nested MAIL");
}

#[test]
fn bdat_carries_binarymime() {
    let mut d = Driver::after_ehlo(config());
    d.input(b"MAIL FROM:<a@example.com> BODY=BINARYMIME\r\n");
    let Some(ServerEvent::Mail(m)) = d.event() else {
        panic!()
    };
    assert_eq!(m.body, Some(BodyType::BinaryMime));
    d.accept();
    d.input(b"RCPT TO:<b@example.net>\r\n");
    d.events();
    d.accept();
    // BINARYMIME cannot go by DATA (RFC 3030 §3).
    d.input(b"DATA\r\n");
    assert_eq!(d.codes(), [250, 250, 503]);
    let body = b"\x00\xff\r.\n\r\n.\r\n";
    let mut wire = format!("BDAT {} LAST\r\n", body.len()).into_bytes();
    wire.extend_from_slice(body);
    d.input(&wire);
    let t = take_message(&mut d);
    assert_eq!(t.body, body);
    assert_eq!(t.mail.body, Some(BodyType::BinaryMime));
}

#[test]
fn data_after_bdat_is_out_of_sequence() {
    let mut d = in_transaction(config());
    d.input(b"BDAT 3\r\nabcDATA\r\n");
    assert_eq!(d.codes(), [250, 503]);
    d.input(b"BDAT 0 LAST\r\n");
    assert_eq!(take_message(&mut d).body, b"abc");
}

#[test]
fn bdat_over_the_limit_gets_552() {
    let mut c = config();
    c.max_message_size = 10;
    let mut d = in_transaction(c);
    // The client pipelines all its chunks.
    d.input(b"BDAT 8\r\n12345678BDAT 8\r\nRSET\r\nabBDAT 2 LAST\r\nxyNOOP\r\n");
    let r: Vec<String> = std::iter::from_fn(|| d.reply())
        .map(|r| r.to_string())
        .collect();
    assert_eq!(r[0], "250 2.0.0 8 octets received");
    assert_eq!(r[1], "552 5.3.4 Message size exceeds fixed limit");
    // The transaction is gone: the next chunk is out of sequence, and read.
    assert!(r[2].starts_with("503 "));
    assert_eq!(r[3], "250 2.0.0 Ok");
    assert_eq!(r.len(), 4);
    assert_eq!(d.events(), [ServerEvent::Reset]);
    // A chunk size near u64::MAX is refused at the end of... never: the
    // session reads it (and discards it) until the data timeout.
    let mut c = config();
    c.max_message_size = 10;
    let mut d = in_transaction(c);
    d.input(b"BDAT 1\r\nxBDAT 18446744073709551615\r\nabc");
    assert_eq!(d.codes(), [250]);
    assert!(!d.session.is_closed());
}

#[test]
fn a_malformed_bdat_closes_the_session() {
    // Its chunk length is unknown, so nothing after it can be read.
    let mut d = in_transaction(config());
    d.input(b"BDAT lots\r\nRSET\r\n");
    assert_eq!(d.codes(), [421]);
    assert!(d.session.is_closed());
}

// ---------------------------------------------------------------------------
// 6. AUTH

fn plain(user: &str, pass: &str) -> String {
    smtp_codec::sasl::plain_response("", user, pass).unwrap()
}

fn take_auth(d: &mut Driver) -> (AuthMechanism, String, String) {
    match d.event() {
        Some(ServerEvent::Auth {
            mechanism,
            credentials,
        }) => (mechanism, credentials.username, credentials.password),
        other => panic!("expected AUTH, got {other:?}"),
    }
}

#[test]
fn auth_plain_with_an_initial_response() {
    let mut d = Driver::after_ehlo(auth_config());
    d.input(format!("AUTH PLAIN {}\r\n", plain("tim", "tanstaaf")).as_bytes());
    assert_eq!(
        take_auth(&mut d),
        (AuthMechanism::Plain, "tim".into(), "tanstaaf".into())
    );
    assert!(d.unread().is_empty());
    d.accept();
    assert_eq!(
        d.reply().unwrap().to_string(),
        "235 2.7.0 Authentication successful"
    );
    assert_eq!(d.session.authenticated(), Some("tim"));
    // Once only.
    d.input(format!("AUTH PLAIN {}\r\n", plain("tim", "x")).as_bytes());
    assert_eq!(d.code(), 503);
    // The identity goes with the message.
    d.input(b"MAIL FROM:<tim@example.com>\r\n");
    d.events();
    d.accept();
    d.input(b"RCPT TO:<b@example.net>\r\n");
    d.events();
    d.accept();
    d.input(b"DATA\r\n.\r\n");
    assert_eq!(take_message(&mut d).authenticated.as_deref(), Some("tim"));
}

#[test]
fn auth_plain_without_an_initial_response() {
    let mut d = Driver::after_ehlo(auth_config());
    d.input(b"AUTH PLAIN\r\n");
    // RFC 4954 §4: "334" SP, even with an empty challenge.
    assert_eq!(d.unread(), b"334 \r\n");
    d.reply();
    d.input(format!("{}\r\n", plain("tim", "pw")).as_bytes());
    assert_eq!(
        take_auth(&mut d),
        (AuthMechanism::Plain, "tim".into(), "pw".into())
    );
    d.accept();
    assert_eq!(d.code(), 235);
}

#[test]
fn auth_login_asks_for_user_then_password() {
    let mut d = Driver::after_ehlo(auth_config());
    d.input(b"auth login\r\n");
    assert_eq!(d.reply().unwrap().to_string(), "334 VXNlcm5hbWU6");
    d.input(format!("{}\r\n", base64_encode(b"tim")).as_bytes());
    assert_eq!(d.reply().unwrap().to_string(), "334 UGFzc3dvcmQ6");
    assert!(d.events().is_empty());
    d.input(format!("{}\r\n", base64_encode(b"secret")).as_bytes());
    assert_eq!(
        take_auth(&mut d),
        (AuthMechanism::Login, "tim".into(), "secret".into())
    );
    d.accept();
    assert_eq!(d.code(), 235);
    assert_eq!(d.session.authenticated(), Some("tim"));
}

#[test]
fn auth_login_with_an_initial_response() {
    let mut d = Driver::after_ehlo(auth_config());
    d.input(format!("AUTH LOGIN {}\r\n", base64_encode(b"tim")).as_bytes());
    assert_eq!(d.reply().unwrap().to_string(), "334 UGFzc3dvcmQ6");
    d.input(format!("{}\r\n", base64_encode(b"secret")).as_bytes());
    assert_eq!(
        take_auth(&mut d),
        (AuthMechanism::Login, "tim".into(), "secret".into())
    );
}

#[test]
fn auth_cancelled_or_garbled() {
    let mut d = Driver::after_ehlo(auth_config());
    // "*" cancels (RFC 4954 §4).
    d.input(b"AUTH PLAIN\r\n*\r\n");
    assert_eq!(d.codes(), [334, 501]);
    d.input(b"AUTH LOGIN\r\n*\r\n");
    assert_eq!(d.codes(), [334, 501]);
    d.input(format!("AUTH LOGIN\r\n{}\r\n*\r\n", base64_encode(b"u")).as_bytes());
    assert_eq!(d.codes(), [334, 334, 501]);
    // Bad base64, in the response and in the initial response.
    d.input(b"AUTH PLAIN\r\nnot base64!\r\n");
    assert_eq!(d.codes(), [334, 501]);
    d.input(b"AUTH PLAIN abc\r\n");
    assert_eq!(d.codes(), [501]);
    d.input(b"AUTH PLAIN !!!!\r\n");
    assert_eq!(d.codes(), [501]);
    // Not PLAIN's authzid NUL authcid NUL passwd.
    d.input(format!("AUTH PLAIN {}\r\n", base64_encode(b"just text")).as_bytes());
    assert_eq!(d.codes(), [501]);
    // Unknown mechanisms.
    d.input(b"AUTH CRAM-MD5\r\nAUTH GSSAPI\r\n");
    assert_eq!(d.codes(), [504, 504]);
    assert!(d.events().is_empty());
    assert_eq!(d.session.authenticated(), None);
    // The session still works.
    d.input(format!("AUTH PLAIN {}\r\n", plain("u", "p")).as_bytes());
    assert!(matches!(d.event(), Some(ServerEvent::Auth { .. })));
}

#[test]
fn auth_refused() {
    let mut d = Driver::after_ehlo(auth_config());
    d.input(format!("AUTH PLAIN {}\r\n", plain("tim", "wrong")).as_bytes());
    take_auth(&mut d);
    d.refuse();
    let r = d.reply().unwrap();
    assert_eq!(
        (r.code.get(), r.enhanced),
        (535, Some(EnhancedCode::new(5, 7, 8)))
    );
    assert_eq!(d.session.authenticated(), None);
    // Another try is allowed.
    d.input(format!("AUTH PLAIN {}\r\n", plain("tim", "right")).as_bytes());
    take_auth(&mut d);
    d.accept();
    assert_eq!(d.code(), 235);
    // A proxy identity (authzid) other than the user's is refused.
    let mut d = Driver::after_ehlo(auth_config());
    let proxy = smtp_codec::sasl::plain_response("root", "tim", "pw").unwrap();
    d.input(format!("AUTH PLAIN {proxy}\r\n").as_bytes());
    assert_eq!(d.codes(), [535]);
    assert!(d.events().is_empty());
}

#[test]
fn auth_is_not_offered_in_plaintext_when_it_needs_tls() {
    let mut c = config();
    c.capabilities.auth = ["PLAIN"].into();
    assert!(c.auth_requires_tls, "the default");
    let mut d = Driver::new(c);
    d.reply();
    d.input(b"EHLO client.example\r\n");
    let (_, raw) = d.reply_with_bytes().unwrap();
    assert!(capabilities(&raw).auth.is_empty());
    d.input(format!("AUTH PLAIN {}\r\n", plain("tim", "pw")).as_bytes());
    let r = d.reply().unwrap();
    assert_eq!(
        (r.code.get(), r.enhanced),
        (538, Some(EnhancedCode::new(5, 7, 11)))
    );
    assert!(!d.events().iter().any(is_decision));
}

#[test]
fn require_auth_refuses_mail_until_authenticated() {
    let mut c = auth_config();
    c.require_auth = true;
    let mut d = Driver::after_ehlo(c);
    d.input(b"MAIL FROM:<a@example.com>\r\n");
    let r = d.reply().unwrap();
    assert_eq!(
        (r.code.get(), r.enhanced),
        (530, Some(EnhancedCode::new(5, 7, 0)))
    );
    d.input(format!("AUTH PLAIN {}\r\n", plain("tim", "pw")).as_bytes());
    take_auth(&mut d);
    d.refuse();
    d.input(b"MAIL FROM:<a@example.com>\r\n");
    assert_eq!(d.codes(), [535, 530]);
    d.input(format!("AUTH PLAIN {}\r\n", plain("tim", "pw")).as_bytes());
    take_auth(&mut d);
    d.accept();
    d.input(b"MAIL FROM:<a@example.com>\r\n");
    assert_eq!(d.codes(), [235]);
    assert!(matches!(d.event(), Some(ServerEvent::Mail(_))));
}

#[test]
fn auth_during_a_transaction_is_out_of_sequence() {
    let mut d = in_transaction(auth_config());
    d.input(format!("AUTH PLAIN {}\r\n", plain("tim", "pw")).as_bytes());
    assert_eq!(d.codes(), [503]);
}

// ---------------------------------------------------------------------------
// 7. STARTTLS

fn tls_config() -> ServerConfig {
    let mut c = config();
    c.starttls = true;
    c.capabilities.auth = ["PLAIN", "LOGIN"].into();
    c
}

#[test]
fn starttls_drops_plaintext_pipelined_behind_it() {
    let mut d = Driver::new(tls_config());
    d.reply();
    d.input(b"EHLO client.example\r\n");
    let (_, raw) = d.reply_with_bytes().unwrap();
    let caps = capabilities(&raw);
    assert!(caps.starttls);
    assert!(caps.auth.is_empty(), "no AUTH before TLS");
    d.events();
    // CVE-2011-0411: the injected MAIL rides in the plaintext packet.
    d.input(b"STARTTLS\r\nMAIL FROM:<evil@example.com>\r\n");
    let r = d.reply().unwrap();
    assert_eq!(r.to_string(), "220 2.0.0 Ready to start TLS");
    assert!(d.reply().is_none());
    assert_eq!(d.events(), [ServerEvent::StartTls]);
    assert!(!d.session.wants_input());
    assert_eq!(d.session.buffered(), 0);
    assert_eq!(d.session.poll_timeout(), None);
    assert!(!d.session.is_tls());
    d.session.starttls_complete(d.now);
    d.pump();
    assert!(d.session.is_tls());
    assert!(d.unread().is_empty(), "no greeting after the handshake");
    assert!(d.events().is_empty(), "the MAIL never happened");
    // The session starts over (RFC 3207 §4.2): EHLO first.
    d.input(b"MAIL FROM:<a@example.com>\r\n");
    let r = d.reply().unwrap();
    assert_eq!(r.code.get(), 503);
    assert!(r.text().contains("EHLO"), "{r}");
    d.input(b"EHLO client.example\r\n");
    let (_, raw) = d.reply_with_bytes().unwrap();
    let caps = capabilities(&raw);
    assert!(!caps.starttls, "STARTTLS is not offered twice");
    assert_eq!(caps.auth, ["PLAIN", "LOGIN"]);
    d.input(b"STARTTLS\r\n");
    assert_eq!(d.code(), 502);
    // The transaction knows it came over TLS.
    d.input(format!("AUTH PLAIN {}\r\n", plain("tim", "pw")).as_bytes());
    d.events();
    d.accept();
    d.input(b"MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n.\r\n");
    loop {
        match d.event() {
            Some(ServerEvent::Message(t)) => {
                assert!(t.tls);
                assert_eq!(t.authenticated.as_deref(), Some("tim"));
                break;
            }
            Some(e) if is_decision(&e) => d.accept(),
            Some(_) => {}
            None => panic!("no message"),
        }
    }
}

#[test]
fn starttls_forgets_the_state_before_it() {
    let mut d = Driver::new(tls_config());
    d.reply();
    d.input(b"EHLO client.example\r\nMAIL FROM:<a@example.com>\r\n");
    d.events();
    d.accept();
    d.input(b"STARTTLS\r\n");
    assert_eq!(d.codes(), [250, 250, 220]);
    d.session.starttls_complete(d.now);
    d.input(b"EHLO client.example\r\nRCPT TO:<b@example.net>\r\n");
    assert_eq!(d.codes(), [250, 503]);
}

#[test]
fn input_during_the_tls_handover_closes() {
    let mut d = Driver::new(tls_config());
    d.reply();
    d.input(b"EHLO client.example\r\nSTARTTLS\r\n");
    assert_eq!(d.codes(), [250, 220]);
    // Plaintext where the TLS ClientHello should be.
    d.input(b"MAIL FROM:<evil@example.com>\r\n");
    let r = d.reply().unwrap();
    assert_eq!(r.code.get(), 421);
    assert!(d.session.is_closed());
    assert_eq!(d.session.error(), Some(ServerError::InputDuringHandOver));
    // Too late to complete.
    d.session.starttls_complete(d.now);
    assert!(d.session.is_closed() && !d.session.is_tls());
}

#[test]
fn starttls_when_not_offered() {
    let mut d = Driver::after_ehlo(config());
    d.input(b"STARTTLS\r\nNOOP\r\n");
    assert_eq!(d.codes(), [502, 250]);
    // On a connection that is TLS from the start, AUTH is offered at once.
    let mut c = tls_config();
    c.starttls = true;
    let mut d = Driver::new_tls(c);
    d.reply();
    d.input(b"EHLO client.example\r\nSTARTTLS\r\n");
    let (_, raw) = d.reply_with_bytes().unwrap();
    let caps = capabilities(&raw);
    assert!(!caps.starttls);
    assert_eq!(caps.auth, ["PLAIN", "LOGIN"]);
    assert_eq!(d.codes(), [502]);
}

// ---------------------------------------------------------------------------
// 8. Smuggling vectors through the session

const POLICIES: [LineEndingPolicy; 3] = [
    LineEndingPolicy::Reject,
    LineEndingPolicy::Normalize,
    LineEndingPolicy::Allow,
];

fn has_bare_line_ending(b: &[u8]) -> bool {
    b.iter().enumerate().any(|(i, &c)| {
        (c == b'\r' && b.get(i + 1) != Some(&b'\n'))
            || (c == b'\n' && (i == 0 || b[i - 1] != b'\r'))
    })
}

/// Every bare CR and bare LF turned into CRLF.
fn normalize(b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match (b[i], b.get(i + 1)) {
            (b'\r', Some(b'\n')) => {
                out.extend_from_slice(b"\r\n");
                i += 2;
                continue;
            }
            (b'\r' | b'\n', _) => out.extend_from_slice(b"\r\n"),
            (c, _) => out.push(c),
        }
        i += 1;
    }
    out
}

#[test]
fn smuggling_vectors_never_end_a_message_early() {
    let vectors: serde_json::Value =
        serde_json::from_str(include_str!("corpus/smuggling/data_vectors.json")).unwrap();
    let vectors = vectors.as_array().unwrap();
    assert!(vectors.len() >= 20);
    for v in vectors {
        let id = v["id"].as_str().unwrap();
        let chunks: Vec<Vec<u8>> = v["input_chunks"]
            .as_array()
            .unwrap()
            .iter()
            // All the vectors' bytes are ASCII or NUL: one char, one byte.
            .map(|c| c.as_str().unwrap().chars().map(|ch| ch as u8).collect())
            .collect();
        let input = chunks.concat();
        let terminated = v["expect_terminated"].as_bool().unwrap();
        for policy in POLICIES {
            let mut c = config();
            c.data_line_endings = policy;
            let mut d = in_data(c);
            for chunk in &chunks {
                d.input(chunk);
            }
            let events = d.events();
            assert!(
                !events.iter().any(|e| matches!(e, ServerEvent::Mail(_))),
                "{id} {policy:?}: a smuggled MAIL"
            );
            let msgs = messages(&events);
            if policy == LineEndingPolicy::Reject && has_bare_line_ending(&input) {
                assert_eq!(d.codes(), [521], "{id}");
                assert!(d.session.is_closed());
                assert_eq!(d.session.error(), Some(ServerError::BareLineEnding));
                assert!(
                    msgs.is_empty(),
                    "{id}: a message despite the bare line ending"
                );
                continue;
            }
            if !terminated {
                assert!(msgs.is_empty(), "{id} {policy:?}");
                continue;
            }
            assert_eq!(msgs.len(), 1, "{id} {policy:?}: {events:?}");
            assert_eq!(d.session.buffered(), 0, "{id} {policy:?}: data ended early");
            let body = msgs[0].body.clone();
            d.accept();
            assert_eq!(
                d.codes(),
                [250],
                "{id} {policy:?}: only the message's reply"
            );
            assert!(
                d.events().is_empty(),
                "{id} {policy:?}: something after the message"
            );
            if let Some(expected) = v["expected_body"].as_str() {
                let mut expected: Vec<u8> = expected.chars().map(|ch| ch as u8).collect();
                // smtp-proto leaves the CRLF before the final "." out of the
                // body; RFC 5321 §4.1.1.4 keeps it (corpus/SOURCES.txt).
                if id.starts_with("smtp-proto-") {
                    expected.extend_from_slice(b"\r\n");
                }
                if policy == LineEndingPolicy::Normalize {
                    expected = normalize(&expected);
                }
                assert_eq!(
                    String::from_utf8_lossy(&body),
                    String::from_utf8_lossy(&expected),
                    "{id} {policy:?}"
                );
            }
            if let Some(part) = v["expected_body_contains"].as_str() {
                let found = body.windows(part.len()).any(|w| w == part.as_bytes());
                assert!(found, "{id} {policy:?}: {part:?} not in the body");
            }
        }
    }
}

#[test]
fn eod_candidates_through_the_session() {
    // The scanners' candidates (eod_sequences.tsv), each followed by a
    // smuggled transaction and the real end of data.
    let text = include_str!("corpus/smuggling/eod_sequences.tsv");
    let mut n = 0;
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
    {
        let mut cols = line.split('\t');
        let name = cols.next().unwrap();
        let seq = unescape(cols.next().unwrap());
        let mut input = b"Subject: a\r\n\r\nbody".to_vec();
        input.extend_from_slice(&seq);
        input.extend_from_slice(b"MAIL FROM:<evil@example.com>\r\nRCPT TO:<victim@example.com>\r\nDATA\r\nsmuggled\r\n.\r\n");
        for policy in POLICIES {
            let mut c = config();
            c.data_line_endings = policy;
            let mut d = in_data(c);
            d.input(&input);
            let events = d.events();
            let msgs = messages(&events);
            if name == "canonical" {
                // The control: the real end of data ends it, and what follows
                // is the client's next command.
                assert_eq!(msgs[0].body, b"Subject: a\r\n\r\nbody\r\n");
                d.accept();
                assert!(matches!(d.event(), Some(ServerEvent::Mail(_))));
                continue;
            }
            assert!(msgs.len() <= 1, "{name} {policy:?}");
            if let [m] = &msgs[..] {
                assert!(
                    m.body.ends_with(b"smuggled\r\n"),
                    "{name} {policy:?}: ended early"
                );
                d.accept();
                assert_eq!(d.codes(), [250]);
                assert!(d.events().is_empty(), "{name} {policy:?}");
            } else {
                assert_eq!(policy, LineEndingPolicy::Reject, "{name}");
                assert_eq!(d.codes(), [521], "{name}");
            }
        }
        n += 1;
    }
    assert!(n >= 12);
}

fn unescape(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' {
            match b[i + 1] {
                b'r' => out.push(b'\r'),
                b'n' => out.push(b'\n'),
                b'x' => {
                    let hex = std::str::from_utf8(&b[i + 2..i + 4]).unwrap();
                    out.push(u8::from_str_radix(hex, 16).unwrap());
                    i += 2;
                }
                c => panic!("unknown escape \\{}", c as char),
            }
            i += 2;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

// ---------------------------------------------------------------------------
// 9. Timeouts

#[test]
fn the_command_timeout_runs_from_the_greeting() {
    let mut d = Driver::new(config());
    let start = d.now;
    assert_eq!(
        d.session.poll_timeout(),
        Some(start + Duration::from_secs(300))
    );
    d.reply();
    d.advance(Duration::from_secs(299));
    d.timeout();
    assert!(
        d.unread().is_empty(),
        "a timer call before the deadline does nothing"
    );
    assert!(!d.session.is_closed());
    d.advance(Duration::from_secs(1));
    d.timeout();
    let r = d.reply().unwrap();
    assert_eq!(
        (r.code.get(), r.enhanced),
        (421, Some(EnhancedCode::new(4, 4, 2)))
    );
    assert!(d.session.is_closed());
    assert_eq!(d.session.error(), Some(ServerError::Timeout));
    assert_eq!(d.session.poll_timeout(), None);
    d.advance(Duration::from_secs(1000));
    d.timeout();
    assert!(d.unread().is_empty());
}

#[test]
fn input_moves_the_deadline() {
    let mut d = Driver::after_ehlo(config());
    d.advance(Duration::from_secs(200));
    d.input(b"NO");
    assert_eq!(
        d.session.poll_timeout(),
        Some(d.now + Duration::from_secs(300))
    );
    d.advance(Duration::from_secs(200));
    d.input(b"OP\r\n");
    assert_eq!(
        d.session.poll_timeout(),
        Some(d.now + Duration::from_secs(300))
    );
}

#[test]
fn no_timeout_while_a_decision_is_pending() {
    let mut d = Driver::after_ehlo(config());
    d.input(b"MAIL FROM:<a@example.com>\r\n");
    assert_eq!(d.session.poll_timeout(), None);
    d.advance(Duration::from_secs(3600));
    d.timeout();
    assert!(!d.session.is_closed());
    assert!(d.unread().is_empty());
    d.accept();
    assert_eq!(
        d.session.poll_timeout(),
        Some(d.now + Duration::from_secs(300))
    );
    assert_eq!(d.codes(), [250]);
}

#[test]
fn the_data_timeout_applies_to_bodies() {
    let mut c = config();
    c.data_timeout = Duration::from_secs(120);
    let mut d = in_transaction(c.clone());
    d.advance(Duration::from_secs(10));
    d.input(b"DATA\r\n");
    assert_eq!(d.code(), 354);
    assert_eq!(
        d.session.poll_timeout(),
        Some(d.now + Duration::from_secs(120))
    );
    d.advance(Duration::from_secs(100));
    d.input(b"part of a body\r\n");
    assert_eq!(
        d.session.poll_timeout(),
        Some(d.now + Duration::from_secs(120))
    );
    d.advance(Duration::from_secs(119));
    d.timeout();
    assert!(!d.session.is_closed());
    d.advance(Duration::from_secs(1));
    d.timeout();
    assert_eq!(d.reply().unwrap().to_string(), "421 4.4.2 Timeout exceeded");
    assert!(d.session.is_closed());
    assert!(d.events().is_empty(), "no message from a timed-out body");

    // The same after a DATA that waited behind a decision, and for BDAT.
    let mut d = Driver::after_ehlo(c.clone());
    d.input(b"MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n");
    d.events();
    d.accept();
    d.events();
    d.accept();
    assert_eq!(d.codes(), [250, 250, 354]);
    assert_eq!(
        d.session.poll_timeout(),
        Some(d.now + Duration::from_secs(120))
    );
    let mut d = in_transaction(c);
    d.input(b"BDAT 10\r\nabc");
    assert_eq!(
        d.session.poll_timeout(),
        Some(d.now + Duration::from_secs(120))
    );
    d.input(b"defghij");
    assert_eq!(
        d.session.poll_timeout(),
        Some(d.now + Duration::from_secs(300))
    );
}

// ---------------------------------------------------------------------------
// 10. End of stream

#[test]
fn eof_in_the_middle_of_a_transaction() {
    let mut d = in_data(config());
    d.input(b"Subject: cut\r\n\r\nhalf a bo");
    d.eof();
    assert!(d.events().is_empty(), "no message from a cut body");
    assert!(d.unread().is_empty());
    assert!(d.session.is_closed());
    assert_eq!(d.session.error(), Some(ServerError::UnexpectedEof));
    assert_eq!(d.session.poll_timeout(), None);
    // A closed session stays quiet.
    d.input(b".\r\nQUIT\r\n");
    d.timeout();
    assert!(d.unread().is_empty() && d.events().is_empty());
    assert_eq!(d.session.accept(d.now), Err(DecisionError::NothingPending));

    let mut d = in_transaction(config());
    d.input(b"BDAT 100 LAST\r\nshort");
    d.eof();
    assert!(d.events().is_empty());
    assert_eq!(d.session.error(), Some(ServerError::UnexpectedEof));

    // After QUIT, the end of stream is no error.
    let mut d = Driver::after_ehlo(config());
    d.input(b"QUIT\r\n");
    d.eof();
    assert_eq!(d.session.error(), None);
}

#[test]
fn eof_while_a_decision_is_pending() {
    let mut d = Driver::after_ehlo(config());
    d.input(b"MAIL FROM:<a@example.com>\r\n");
    d.eof();
    assert!(d.session.is_closed());
    assert_eq!(d.session.accept(d.now), Err(DecisionError::NothingPending));
    assert!(d.unread().is_empty());
}

// ---------------------------------------------------------------------------
// 11. Split-invariance and arbitrary input

/// Whole sessions a client could send, each with the configuration it needs.
fn sessions() -> Vec<(&'static str, ServerConfig, Vec<u8>)> {
    let mut dsn = config();
    dsn.capabilities.dsn = true;
    let mut small = config();
    small.max_message_size = 64;
    small.max_line = 64;
    let mut bdat = b"EHLO c.example\r\nMAIL FROM:<a@example.com> BODY=BINARYMIME\r\nRCPT TO:<b@example.net>\r\n".to_vec();
    bdat.extend_from_slice(b"BDAT 10\r\n\r\n.\r\nRSET\rBDAT 0 LAST\r\nBDAT 4\r\nxxxxQUIT\r\n");
    vec![
        (
            "data",
            config(),
            b"HELO c.example\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n\
              Subject: x\r\n\r\n..dot\r\nline\r\n.\r\nNOOP\r\nVRFY x\r\nQUIT\r\n"
                .to_vec(),
        ),
        ("bdat", config(), bdat),
        (
            "pipelined",
            dsn,
            b"EHLO c.example\r\nMAIL FROM:<a@example.com> SIZE=20 RET=HDRS ENVID=x\r\n\
              RCPT TO:<b@example.net> NOTIFY=SUCCESS,FAILURE\r\nRCPT TO:<c@example.net>\r\n\
              RCPT TO:<Postmaster>\r\nDATA\r\nbody\r\n.\r\nMAIL FROM:<>\r\nRCPT TO:<d@example.net>\r\n\
              DATA\r\n.\r\nRSET\r\nFOO\r\nQUIT\r\n"
                .to_vec(),
        ),
        (
            "auth",
            auth_config(),
            format!(
                "EHLO c.example\r\nAUTH LOGIN\r\n{}\r\n{}\r\nAUTH PLAIN\r\n{}\r\nMAIL FROM:<a@example.com> AUTH=<>\r\nQUIT\r\n",
                base64_encode(b"tim"),
                base64_encode(b"pw"),
                plain("tim", "pw")
            )
            .into_bytes(),
        ),
        (
            "limits",
            small,
            b"EHLO c.example\r\nNOOP aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\
              NO\0OP\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n\
              0123456789012345678901234567890123456789012345678901234567890123456789\r\n.\r\n\
              MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.net>\r\nBDAT 70\r\n\
              0123456789012345678901234567890123456789012345678901234567890123456789\
              BDAT 0 LAST\r\nQUIT\r\n"
                .to_vec(),
        ),
    ]
}

/// Cuts `input` at the given points (taken modulo its length).
fn cut<'a>(input: &'a [u8], points: &[usize]) -> Vec<&'a [u8]> {
    let mut at: Vec<usize> = points.iter().map(|p| p % (input.len() + 1)).collect();
    at.sort_unstable();
    at.dedup();
    let mut pieces = Vec::new();
    let mut start = 0;
    for p in at {
        pieces.push(&input[start..p]);
        start = p;
    }
    pieces.push(&input[start..]);
    pieces
}

#[test]
fn the_sessions_run_as_expected_when_fed_whole() {
    // The baseline the property below compares against.
    for (name, config, input) in sessions() {
        let (sent, events) = run_session(&config, &[&input], 0);
        let text = String::from_utf8_lossy(&sent);
        assert!(text.ends_with("closing connection\r\n"), "{name}: {text}");
        let n = messages(&events).len();
        let expected = match name {
            "data" | "bdat" => 1,
            "pipelined" => 2,
            _ => 0,
        };
        assert_eq!(n, expected, "{name}: {text}");
        if name == "limits" {
            assert_eq!(text.matches("552 5.3.4").count(), 2, "{text}");
        }
        if name == "auth" {
            assert_eq!(text.matches("235 2.7.0").count(), 1, "{text}");
            assert!(text.contains("\r\n503 "), "{text}");
        }
    }
}

proptest! {
    #[test]
    fn split_anywhere_same_output_and_events(
        points in prop::collection::vec(any::<usize>(), 0..12),
        refusals in any::<u64>(),
    ) {
        for (name, config, input) in sessions() {
            let whole = run_session(&config, &[&input], refusals);
            let pieces = cut(&input, &points);
            let split = run_session(&config, &pieces, refusals);
            prop_assert_eq!(
                String::from_utf8_lossy(&split.0),
                String::from_utf8_lossy(&whole.0),
                "{}", name
            );
            prop_assert_eq!(&split.1, &whole.1, "{}", name);
        }
    }

    #[test]
    fn any_bytes_in_any_pieces_never_panic_and_output_stays_bounded(
        input in prop::collection::vec(
            prop_oneof![
                3 => any::<u8>(),
                1 => Just(b'\r'),
                1 => Just(b'\n'),
                1 => Just(b'.'),
            ],
            0..600,
        ),
        words in prop::collection::vec(
            prop::sample::select(vec![
                &b"EHLO a\r\n"[..], b"HELO a\r\n", b"MAIL FROM:<a@b.c>\r\n", b"RCPT TO:<a@b.c>\r\n",
                b"DATA\r\n", b"BDAT 3\r\n", b"BDAT 0 LAST\r\n", b"\r\n.\r\n", b"RSET\r\n",
                b"AUTH PLAIN\r\n", b"AUTH LOGIN\r\n", b"*\r\n", b"VRFY a\r\n", b"HELP\r\n",
                b"STARTTLS\r\n", b"NOOP\r\n", b"\n", b"\r",
            ]),
            0..40,
        ),
        points in prop::collection::vec(any::<usize>(), 0..20),
        refusals in any::<u64>(),
        policy in 0usize..3,
        starttls in any::<bool>(),
    ) {
        // Commands interleaved with the noise, so the session gets far.
        let mut stream = Vec::new();
        for (i, w) in words.iter().enumerate() {
            stream.extend_from_slice(w);
            let from = (i * 37) % (input.len() + 1);
            let to = (from + 15).min(input.len());
            stream.extend_from_slice(&input[from..to]);
        }
        let mut c = auth_config();
        c.starttls = starttls;
        c.max_line = 128;
        c.max_message_size = 256;
        c.command_line_endings = POLICIES[policy];
        c.data_line_endings = POLICIES[(policy + 1) % 3];
        let pieces = cut(&stream, &points);
        let (sent, events) = run_session(&c, &pieces, refusals);
        // Every reply is well-formed.
        let mut at = 0;
        while at < sent.len() {
            let (_, used) = parse_reply(&sent[at..], &ReplyLimits::default())
                .expect("well-formed")
                .expect("complete");
            at += used;
        }
        // The greeting, the last 421 or 521, and at most a bounded reply per
        // input octet (an EHLO reply is the largest answer to the shortest
        // command).
        prop_assert!(sent.len() <= 32 * stream.len() + 256, "{} out for {} in", sent.len(), stream.len());
        prop_assert!(events.len() <= stream.len() + 1);
        // Without STARTTLS (whose hand-over drops what came with it), the
        // cuts change nothing.
        if !starttls {
            let whole = run_session(&c, &[&stream], refusals);
            prop_assert_eq!(String::from_utf8_lossy(&sent), String::from_utf8_lossy(&whole.0));
            prop_assert_eq!(events, whole.1);
        }
    }

    #[test]
    fn a_closed_session_stays_silent(
        input in prop::collection::vec(any::<u8>(), 0..300),
        more in prop::collection::vec(any::<u8>(), 1..50),
    ) {
        let mut c = config();
        c.max_errors = 2;
        let now = std::time::Instant::now();
        let mut s = smtp_codec::server::ServerSession::new(c, now);
        s.handle_input(now, &input);
        s.handle_input(now, b"QUIT\r\n");
        while s.poll_transmit().is_some() {}
        while s.poll_event().is_some() {}
        if s.is_closed() {
            s.handle_input(now, &more);
            s.handle_timeout(now + Duration::from_secs(10_000));
            s.handle_eof(now);
            prop_assert!(s.poll_transmit().is_none());
            prop_assert!(s.poll_event().is_none());
            prop_assert!(!s.wants_input());
            prop_assert_eq!(s.poll_timeout(), None);
        }
    }
}
