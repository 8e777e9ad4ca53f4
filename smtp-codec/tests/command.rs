//! Command lines: known answers for every command and parameter, errors with
//! their offsets and replies, every client command of the RFC transcripts in
//! `tests/corpus/smtp-transcripts/`, and proptests that no argument can add
//! a line and that `parse(write(x)) == x`.

use std::net::{Ipv4Addr, Ipv6Addr};
use std::path::Path;

use proptest::prelude::*;
use smtp_codec::address::{AddressError, Domain, Mailbox};
use smtp_codec::command::{
    BodyType, Command, CommandError, CommandOptions, CommandWriteError, ForwardPath,
    MailParameters, Notify, OriginalRecipient, Parameter, Parameters, RcptParameters, Ret,
    is_xtext, xtext_decode, xtext_encode,
};
use smtp_codec::reply::EnhancedCode;

fn parse(line: &str) -> Command<'_> {
    Command::parse(line.as_bytes()).unwrap_or_else(|e| panic!("{line:?}: {e}"))
}

fn parse_utf8(line: &str) -> Command<'_> {
    Command::parse_with(line.as_bytes(), &utf8_opts()).unwrap_or_else(|e| panic!("{line:?}: {e}"))
}

fn err(line: &str) -> CommandError {
    match Command::parse(line.as_bytes()) {
        Ok(c) => panic!("{line:?} parsed as {c:?}"),
        Err(e) => e,
    }
}

fn err_with(line: &str, opts: &CommandOptions) -> CommandError {
    match Command::parse_with(line.as_bytes(), opts) {
        Ok(c) => panic!("{line:?} parsed as {c:?}"),
        Err(e) => e,
    }
}

fn utf8_opts() -> CommandOptions {
    let mut o = CommandOptions::default();
    o.smtputf8 = true;
    o
}

fn wire(cmd: &Command<'_>) -> String {
    let mut out = Vec::new();
    cmd.write(&mut out)
        .unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    String::from_utf8(out).expect("UTF-8")
}

/// Parse, check the verb, and check that writing gives the line back (the
/// canonical form: upper-case verb and keywords).
fn known(line: &str, canonical: &str) -> Command<'static> {
    let line: &'static str = Box::leak(line.to_owned().into_boxed_str());
    let cmd = parse(line);
    assert_eq!(wire(&cmd), format!("{canonical}\r\n"), "{line:?}");
    cmd
}

fn reply_of(e: CommandError) -> (u16, EnhancedCode) {
    let (code, enhanced, text) = e.reply();
    assert!(!text.is_empty());
    (code, enhanced)
}

fn mailbox<'a>(local: &'a str, domain: &'a str) -> Mailbox<'a> {
    Mailbox::new(local, Domain::Name(domain), false).unwrap()
}

fn params_of<'a>(p: &Parameters<'a>) -> Vec<(&'a str, Option<&'a str>)> {
    p.iter().map(|p| (p.keyword, p.value)).collect()
}

const SYNTAX: (u16, EnhancedCode) = (501, EnhancedCode::new(5, 5, 4));
const BAD_ADDRESS: (u16, EnhancedCode) = (501, EnhancedCode::new(5, 1, 3));

// ---- HELO / EHLO ----

#[test]
fn helo_and_ehlo() {
    assert_eq!(
        known("HELO relay.example.org", "HELO relay.example.org"),
        Command::Helo(Domain::Name("relay.example.org"))
    );
    assert_eq!(
        known("EHLO bar.com", "EHLO bar.com"),
        Command::Ehlo(Domain::Name("bar.com"))
    );
    assert_eq!(
        known("ehlo Bar.COM", "EHLO Bar.COM"),
        Command::Ehlo(Domain::Name("Bar.COM"))
    );
    assert_eq!(
        known("EHLO [192.0.2.1]", "EHLO [192.0.2.1]"),
        Command::Ehlo(Domain::Ipv4(Ipv4Addr::new(192, 0, 2, 1)))
    );
    assert_eq!(
        known("EHLO [IPv6:2001:db8::1]", "EHLO [IPv6:2001:db8::1]"),
        Command::Ehlo(Domain::Ipv6("2001:db8::1".parse::<Ipv6Addr>().unwrap()))
    );
    // The tag is matched case-insensitively and written canonically.
    assert_eq!(
        known("EHLO [ipv6:::1]", "EHLO [IPv6:::1]"),
        Command::Ehlo(Domain::Ipv6(Ipv6Addr::LOCALHOST))
    );
    assert_eq!(
        known("EHLO [x-tag:some:content]", "EHLO [x-tag:some:content]"),
        Command::Ehlo(Domain::General {
            tag: "x-tag",
            content: "some:content"
        })
    );
    assert_eq!(known("HeLo a", "HELO a"), Command::Helo(Domain::Name("a")));
}

#[test]
fn helo_errors() {
    assert_eq!(
        err("EHLO"),
        CommandError::Syntax {
            what: "domain",
            offset: 4
        }
    );
    assert_eq!(
        err("EHLO "),
        CommandError::Syntax {
            what: "domain",
            offset: 5
        }
    );
    for (line, inner) in [
        (
            "EHLO a_b.example",
            AddressError::Invalid {
                what: "domain",
                offset: 1,
            },
        ),
        (
            "EHLO a b",
            AddressError::Invalid {
                what: "domain",
                offset: 1,
            },
        ),
        (
            "EHLO -a.example",
            AddressError::Invalid {
                what: "domain",
                offset: 0,
            },
        ),
        (
            "EHLO [300.0.0.1]",
            AddressError::Invalid {
                what: "IPv4 address literal",
                offset: 1,
            },
        ),
        (
            "EHLO [IPv6:2001:db8::zz]",
            AddressError::Invalid {
                what: "IPv6 address literal",
                offset: 6,
            },
        ),
        (
            "EHLO 192.0.2.1]",
            AddressError::Invalid {
                what: "domain",
                offset: 9,
            },
        ),
    ] {
        let e = err(line);
        assert_eq!(
            e,
            CommandError::Address {
                error: inner,
                offset: 5
            },
            "{line}"
        );
        assert_eq!(reply_of(e), BAD_ADDRESS, "{line}");
    }
}

#[test]
fn lenient_helo() {
    let mut o = CommandOptions::default();
    o.lenient_helo = true;
    let p = |l: &'static str| Command::parse_with(l.as_bytes(), &o);
    assert_eq!(
        p("EHLO host_name"),
        Ok(Command::Ehlo(Domain::Name("host_name")))
    );
    assert_eq!(
        p("HELO 192.0.2.1"),
        Ok(Command::Helo(Domain::Name("192.0.2.1")))
    );
    // Real domains and literals stay typed.
    assert_eq!(
        p("EHLO [192.0.2.1]"),
        Ok(Command::Ehlo(Domain::Ipv4(Ipv4Addr::new(192, 0, 2, 1))))
    );
    assert_eq!(
        p("EHLO mx.example"),
        Ok(Command::Ehlo(Domain::Name("mx.example")))
    );
    assert_eq!(
        p("EHLO a b"),
        Err(CommandError::Syntax {
            what: "domain",
            offset: 6
        })
    );
    assert_eq!(
        p("EHLO a\tb"),
        Err(CommandError::Syntax {
            what: "domain",
            offset: 6
        })
    );
}

// ---- MAIL ----

#[test]
fn mail_with_every_parameter() {
    let cmd = known(
        "MAIL FROM:<jane@example.org> SIZE=1024 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=QQ314159 AUTH=e+3Dmc2@example.com X-TRACE=7 XFLAG",
        "MAIL FROM:<jane@example.org> SIZE=1024 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=QQ314159 AUTH=e+3Dmc2@example.com X-TRACE=7 XFLAG",
    );
    let Command::Mail { from, params } = cmd else {
        panic!("{cmd:?}")
    };
    assert_eq!(from, Some(mailbox("jane", "example.org")));
    assert_eq!(params.size, Some(1024));
    assert_eq!(params.body, Some(BodyType::EightBitMime));
    assert!(params.smtputf8);
    assert_eq!(params.ret, Some(Ret::Headers));
    assert_eq!(params.envid, Some("QQ314159"));
    assert_eq!(params.auth, Some("e+3Dmc2@example.com"));
    assert_eq!(
        xtext_decode(params.auth.unwrap()).as_deref(),
        Some(&b"e=mc2@example.com"[..])
    );
    assert_eq!(
        params_of(&params.other),
        [("X-TRACE", Some("7")), ("XFLAG", None)]
    );
    assert!(!params.other.is_empty());
}

#[test]
fn mail_parameters_case_and_order() {
    // Keywords and typed values in any case; typed ones are written first.
    let cmd = known(
        "mail from:<a@b.example> x-one=1 body=7bit size=0 ret=full auth=<> x-two",
        "MAIL FROM:<a@b.example> SIZE=0 BODY=7BIT RET=FULL AUTH=<> x-one=1 x-two",
    );
    let Command::Mail { params, .. } = cmd else {
        panic!()
    };
    assert_eq!(params.body, Some(BodyType::SevenBit));
    assert_eq!(params.size, Some(0));
    assert_eq!(params.ret, Some(Ret::Full));
    assert_eq!(params.auth, Some("<>"));
    assert_eq!(
        params_of(&params.other),
        [("x-one", Some("1")), ("x-two", None)]
    );

    let cmd = known(
        "MAIL FROM:<ned@ymir.claremont.edu> BODY=BINARYMIME",
        "MAIL FROM:<ned@ymir.claremont.edu> BODY=BINARYMIME",
    );
    let Command::Mail { params, .. } = cmd else {
        panic!()
    };
    assert_eq!(params.body, Some(BodyType::BinaryMime));
    assert!(params.other.is_empty());
    assert_eq!(
        known(
            "MAIL FROM:<a@b> SIZE=18446744073709551615",
            "MAIL FROM:<a@b> SIZE=18446744073709551615"
        ),
        {
            let mut p = MailParameters::default();
            p.size = Some(u64::MAX);
            Command::Mail {
                from: Some(mailbox("a", "b")),
                params: p,
            }
        }
    );
}

#[test]
fn mail_paths() {
    assert_eq!(
        known("MAIL FROM:<>", "MAIL FROM:<>"),
        Command::Mail {
            from: None,
            params: MailParameters::default()
        }
    );
    // Source routes are checked and dropped (RFC 5321 §4.1.1.3).
    assert_eq!(
        known(
            "MAIL FROM:<@a.example,@b.example:user@c.example>",
            "MAIL FROM:<user@c.example>"
        ),
        Command::Mail {
            from: Some(mailbox("user", "c.example")),
            params: MailParameters::default()
        }
    );
    assert_eq!(
        err("MAIL FROM:<@a.example,b.example:user@c.example>"),
        CommandError::Address {
            error: AddressError::Invalid {
                what: "source route",
                offset: 12
            },
            offset: 10
        }
    );
    // Quoted local parts keep their quotes; `>` inside quotes is no end.
    let Command::Mail { from, .. } = known(
        "MAIL FROM:<\"john >doe\"@example.com> SIZE=5",
        "MAIL FROM:<\"john >doe\"@example.com> SIZE=5",
    ) else {
        panic!()
    };
    assert_eq!(from.unwrap().local_part(), "\"john >doe\"");
    // Nor inside an address literal, whose content may hold `>`, `"` and `@`.
    let Command::Mail { from, .. } = known(
        "MAIL FROM:<x@[tag:a>\"@b]> SIZE=5",
        "MAIL FROM:<x@[tag:a>\"@b]> SIZE=5",
    ) else {
        panic!()
    };
    assert_eq!(
        from.unwrap().domain(),
        Domain::General {
            tag: "tag",
            content: "a>\"@b"
        }
    );
    let Command::Mail { from, .. } = known(
        "MAIL FROM:<postmaster@[IPv6:::1]>",
        "MAIL FROM:<postmaster@[IPv6:::1]>",
    ) else {
        panic!()
    };
    assert_eq!(from.unwrap().domain(), Domain::Ipv6(Ipv6Addr::LOCALHOST));
}

#[test]
fn mail_errors() {
    let cases: &[(&str, CommandError)] = &[
        (
            "MAIL",
            CommandError::Syntax {
                what: "FROM",
                offset: 4,
            },
        ),
        (
            "MAIL TO:<a@b>",
            CommandError::Syntax {
                what: "FROM",
                offset: 4,
            },
        ),
        (
            "MAIL FROM <a@b>",
            CommandError::Syntax {
                what: "FROM",
                offset: 4,
            },
        ),
        (
            "MAIL FROM:a@b",
            CommandError::Syntax {
                what: "path",
                offset: 10,
            },
        ),
        (
            "MAIL FROM: <a@b>",
            CommandError::Syntax {
                what: "path",
                offset: 10,
            },
        ),
        (
            "MAIL FROM:<a@b",
            CommandError::Syntax {
                what: "path",
                offset: 14,
            },
        ),
        (
            "MAIL FROM:<a@b>SIZE=1",
            CommandError::Syntax {
                what: "parameters",
                offset: 15,
            },
        ),
        (
            "MAIL FROM:<a@b>  SIZE=1",
            CommandError::Syntax {
                what: "parameters",
                offset: 16,
            },
        ),
        (
            "MAIL FROM:<a@b> SIZE=1 ",
            CommandError::Syntax {
                what: "parameters",
                offset: 23,
            },
        ),
        (
            "MAIL FROM:<a@b> -X=1",
            CommandError::Syntax {
                what: "parameter keyword",
                offset: 16,
            },
        ),
        (
            "MAIL FROM:<a@b> X=",
            CommandError::Syntax {
                what: "parameter value",
                offset: 18,
            },
        ),
        (
            "MAIL FROM:<a@b> X=a=b",
            CommandError::Syntax {
                what: "parameter value",
                offset: 19,
            },
        ),
        (
            "MAIL FROM:<a@b> SIZE=1 size=2",
            CommandError::DuplicateParameter { offset: 23 },
        ),
        (
            "MAIL FROM:<a@b> SIZE=big",
            CommandError::InvalidParameter {
                keyword: "SIZE",
                offset: 16,
            },
        ),
        (
            "MAIL FROM:<a@b> SIZE=-1",
            CommandError::InvalidParameter {
                keyword: "SIZE",
                offset: 16,
            },
        ),
        (
            "MAIL FROM:<a@b> SIZE=18446744073709551616",
            CommandError::InvalidParameter {
                keyword: "SIZE",
                offset: 16,
            },
        ),
        (
            "MAIL FROM:<a@b> SIZE",
            CommandError::InvalidParameter {
                keyword: "SIZE",
                offset: 16,
            },
        ),
        (
            "MAIL FROM:<a@b> BODY=9BIT",
            CommandError::InvalidParameter {
                keyword: "BODY",
                offset: 16,
            },
        ),
        (
            "MAIL FROM:<a@b> SMTPUTF8=yes",
            CommandError::InvalidParameter {
                keyword: "SMTPUTF8",
                offset: 16,
            },
        ),
        (
            "MAIL FROM:<a@b> RET=ALL",
            CommandError::InvalidParameter {
                keyword: "RET",
                offset: 16,
            },
        ),
        (
            "MAIL FROM:<a@b> ENVID=a+zz",
            CommandError::InvalidParameter {
                keyword: "ENVID",
                offset: 16,
            },
        ),
        (
            "MAIL FROM:<a@b> AUTH=a+2",
            CommandError::InvalidParameter {
                keyword: "AUTH",
                offset: 16,
            },
        ),
        (
            "MAIL FROM:<a b@c>",
            CommandError::Address {
                error: AddressError::Invalid {
                    what: "local part",
                    offset: 2,
                },
                offset: 10,
            },
        ),
        (
            "MAIL FROM:<a@b..c>",
            CommandError::Address {
                error: AddressError::Invalid {
                    what: "domain",
                    offset: 5,
                },
                offset: 10,
            },
        ),
    ];
    for (line, want) in cases {
        let e = err(line);
        assert_eq!(&e, want, "{line}");
        let expected = match e {
            CommandError::Address { .. } => BAD_ADDRESS,
            _ => SYNTAX,
        };
        assert_eq!(reply_of(e), expected, "{line}");
    }
    // ENVID is at most 100 characters (RFC 3461 §4.4).
    let ok = format!("MAIL FROM:<> ENVID={}", "x".repeat(100));
    parse(&ok);
    let long = format!("MAIL FROM:<> ENVID={}", "x".repeat(101));
    assert_eq!(
        err(&long),
        CommandError::InvalidParameter {
            keyword: "ENVID",
            offset: 13
        }
    );
    // A path is at most 256 octets with its brackets.
    let long = format!("MAIL FROM:<{}@{}.example>", "a".repeat(64), "b.".repeat(94));
    assert!(matches!(
        err(&long),
        CommandError::Address {
            error: AddressError::TooLong { max: 256, .. },
            offset: 10
        }
    ));
    // `allow_space_after_colon` is the only way to accept `FROM: <...>`.
    let mut o = CommandOptions::default();
    o.allow_space_after_colon = true;
    assert_eq!(
        Command::parse_with(b"MAIL FROM: <a@b>", &o),
        Ok(Command::Mail {
            from: Some(mailbox("a", "b")),
            params: MailParameters::default()
        })
    );
    assert_eq!(
        Command::parse_with(b"RCPT TO: <a@b>", &o),
        Ok(Command::Rcpt {
            to: ForwardPath::Mailbox(mailbox("a", "b")),
            params: RcptParameters::default()
        })
    );
}

// ---- RCPT ----

#[test]
fn rcpt_with_parameters() {
    let Command::Rcpt { to, params } = known(
        "RCPT TO:<ned@innosoft.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;ned+40innosoft.com X-PRIORITY=1",
        "RCPT TO:<ned@innosoft.com> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;ned+40innosoft.com X-PRIORITY=1",
    ) else {
        panic!()
    };
    assert_eq!(to, ForwardPath::Mailbox(mailbox("ned", "innosoft.com")));
    assert_eq!(
        params.notify,
        Some(Notify {
            success: true,
            failure: true,
            delay: false
        })
    );
    assert_eq!(
        params.orcpt,
        Some(OriginalRecipient {
            addr_type: "rfc822",
            address: "ned+40innosoft.com"
        })
    );
    assert_eq!(params_of(&params.other), [("X-PRIORITY", Some("1"))]);

    let Command::Rcpt { params, .. } =
        known("rcpt to:<a@b> notify=never", "RCPT TO:<a@b> NOTIFY=NEVER")
    else {
        panic!()
    };
    assert_eq!(params.notify, Some(Notify::default()));
    let Command::Rcpt { params, .. } = known(
        "RCPT TO:<a@b> NOTIFY=delay,Success",
        "RCPT TO:<a@b> NOTIFY=SUCCESS,DELAY",
    ) else {
        panic!()
    };
    assert_eq!(
        params.notify,
        Some(Notify {
            success: true,
            failure: false,
            delay: true
        })
    );
}

#[test]
fn rcpt_paths() {
    for line in [
        "RCPT TO:<Postmaster>",
        "RCPT TO:<postmaster>",
        "rcpt to:<POSTMASTER>",
    ] {
        assert_eq!(
            known(line, "RCPT TO:<Postmaster>"),
            Command::Rcpt {
                to: ForwardPath::Postmaster,
                params: RcptParameters::default()
            }
        );
    }
    // With a domain it is an ordinary mailbox.
    assert_eq!(
        known(
            "RCPT TO:<Postmaster@example.com>",
            "RCPT TO:<Postmaster@example.com>"
        ),
        Command::Rcpt {
            to: ForwardPath::Mailbox(mailbox("Postmaster", "example.com")),
            params: RcptParameters::default()
        }
    );
    // Quoted local parts with spaces, `>` and escaped quotes.
    for (line, local) in [
        ("RCPT TO:<\"john doe\"@example.com>", "\"john doe\""),
        ("RCPT TO:<\"a>b\"@example.com> NOTIFY=NEVER", "\"a>b\""),
        ("RCPT TO:<\"a\\\"> b\"@example.com>", "\"a\\\"> b\""),
        ("RCPT TO:<\"\"@example.com>", "\"\""),
    ] {
        let Command::Rcpt {
            to: ForwardPath::Mailbox(m),
            ..
        } = known(line, line)
        else {
            panic!("{line}")
        };
        assert_eq!(m.local_part(), local, "{line}");
        assert_eq!(m.domain(), Domain::Name("example.com"));
    }
    assert_eq!(
        known(
            "RCPT TO:<@hosta.int,@jkl.org:userc@d.bar.org>",
            "RCPT TO:<userc@d.bar.org>"
        ),
        Command::Rcpt {
            to: ForwardPath::Mailbox(mailbox("userc", "d.bar.org")),
            params: RcptParameters::default()
        }
    );
}

#[test]
fn rcpt_errors() {
    let cases: &[(&str, CommandError)] = &[
        (
            "RCPT TO:<>",
            CommandError::Address {
                error: AddressError::Invalid {
                    what: "path",
                    offset: 1,
                },
                offset: 8,
            },
        ),
        (
            "RCPT FROM:<a@b>",
            CommandError::Syntax {
                what: "TO",
                offset: 4,
            },
        ),
        (
            "RCPT TO:<\"a>b@c>",
            CommandError::Syntax {
                what: "path",
                offset: 16,
            },
        ),
        (
            "RCPT TO:<a@b> NOTIFY=NEVER,SUCCESS",
            CommandError::InvalidParameter {
                keyword: "NOTIFY",
                offset: 14,
            },
        ),
        (
            "RCPT TO:<a@b> NOTIFY=SUCCESS,SUCCESS",
            CommandError::InvalidParameter {
                keyword: "NOTIFY",
                offset: 14,
            },
        ),
        (
            "RCPT TO:<a@b> NOTIFY=SOMETIMES",
            CommandError::InvalidParameter {
                keyword: "NOTIFY",
                offset: 14,
            },
        ),
        (
            "RCPT TO:<a@b> ORCPT=a@b",
            CommandError::InvalidParameter {
                keyword: "ORCPT",
                offset: 14,
            },
        ),
        (
            "RCPT TO:<a@b> ORCPT=rfc822;a+zz",
            CommandError::InvalidParameter {
                keyword: "ORCPT",
                offset: 14,
            },
        ),
        (
            "RCPT TO:<a@b> ORCPT=rfc822;",
            CommandError::InvalidParameter {
                keyword: "ORCPT",
                offset: 14,
            },
        ),
        (
            "RCPT TO:<a@b> NOTIFY=NEVER notify=never",
            CommandError::DuplicateParameter { offset: 27 },
        ),
        (
            "RCPT TO:<a@@b>",
            CommandError::Address {
                error: AddressError::Invalid {
                    what: "domain",
                    offset: 3,
                },
                offset: 8,
            },
        ),
    ];
    for (line, want) in cases {
        let e = err(line);
        assert_eq!(&e, want, "{line}");
        let expected = match e {
            CommandError::Address { .. } => BAD_ADDRESS,
            _ => SYNTAX,
        };
        assert_eq!(reply_of(e), expected, "{line}");
    }
}

// ---- SMTPUTF8 ----

#[test]
fn utf8_only_under_smtputf8() {
    let needs = (553, EnhancedCode::new(5, 6, 7));
    // MAIL: its own SMTPUTF8 parameter allows UTF-8 in its path.
    let e = err("MAIL FROM:<jösé@bücher.example>");
    assert_eq!(
        e,
        CommandError::Address {
            error: AddressError::NeedsSmtpUtf8 {
                what: "local part",
                offset: 2
            },
            offset: 10
        }
    );
    assert_eq!(reply_of(e), needs);
    let e = err("MAIL FROM:<jose@bücher.example>");
    assert_eq!(
        e,
        CommandError::Address {
            error: AddressError::NeedsSmtpUtf8 {
                what: "domain",
                offset: 7
            },
            offset: 10
        }
    );
    assert_eq!(reply_of(e), needs);
    let Command::Mail { from, params } = known(
        "MAIL FROM:<jösé@bücher.example> SMTPUTF8",
        "MAIL FROM:<jösé@bücher.example> SMTPUTF8",
    ) else {
        panic!()
    };
    assert!(params.smtputf8);
    assert_eq!(from.unwrap().local_part(), "jösé");
    // The session option does not stand in for the parameter.
    assert!(matches!(
        err_with("MAIL FROM:<jösé@x>", &utf8_opts()),
        CommandError::Address {
            error: AddressError::NeedsSmtpUtf8 { .. },
            ..
        }
    ));
    // Non-ASCII parameter values: only with SMTPUTF8.
    let e = err("MAIL FROM:<a@b> X-NOTE=café");
    assert_eq!(e, CommandError::NotAscii { offset: 26 });
    assert_eq!(reply_of(e), (500, EnhancedCode::new(5, 6, 7)));
    parse("MAIL FROM:<a@b> SMTPUTF8 X-NOTE=café");

    // RCPT, VRFY, EXPN, NOOP, HELP: after a MAIL with SMTPUTF8 (the option).
    let e = err("RCPT TO:<jösé@bücher.example>");
    assert_eq!(reply_of(e), needs);
    assert_eq!(
        parse_utf8("RCPT TO:<jösé@bücher.example>"),
        Command::Rcpt {
            to: ForwardPath::Mailbox(Mailbox::parse_utf8("jösé@bücher.example").unwrap()),
            params: RcptParameters::default()
        }
    );
    assert_eq!(
        parse_utf8("RCPT TO:<a@b> ORCPT=utf-8;jösé@x"),
        Command::Rcpt {
            to: ForwardPath::Mailbox(mailbox("a", "b")),
            params: {
                let mut p = RcptParameters::default();
                p.orcpt = Some(OriginalRecipient {
                    addr_type: "utf-8",
                    address: "jösé@x",
                });
                p
            }
        }
    );
    assert_eq!(
        err("RCPT TO:<a@b> ORCPT=utf-8;jösé@x"),
        CommandError::NotAscii { offset: 27 }
    );
    for (line, offset) in [
        ("VRFY Jösé", 6),
        ("EXPN Lïst", 6),
        ("NOOP ü", 5),
        ("HELP ü", 5),
    ] {
        let e = err(line);
        assert_eq!(e, CommandError::NotAscii { offset }, "{line}");
        assert_eq!(reply_of(e), (500, EnhancedCode::new(5, 6, 7)));
        parse_utf8(line);
    }
    assert_eq!(parse_utf8("VRFY Jösé"), Command::Vrfy("Jösé"));
    // Bytes that are not UTF-8 at all, and a non-ASCII verb.
    assert_eq!(
        Command::parse(b"MAIL FROM:<\xff@x>"),
        Err(CommandError::NotAscii { offset: 11 })
    );
    assert_eq!(
        Command::parse_with(b"VRFY \xc3", &utf8_opts()),
        Err(CommandError::NotAscii { offset: 5 })
    );
    assert_eq!(err("DÄTA"), CommandError::Unrecognized);
}

// ---- the other commands ----

#[test]
fn commands_without_arguments() {
    for (line, cmd) in [
        ("DATA", Command::Data),
        ("RSET", Command::Rset),
        ("QUIT", Command::Quit),
        ("STARTTLS", Command::StartTls),
        ("NOOP", Command::Noop(None)),
        ("HELP", Command::Help(None)),
    ] {
        assert_eq!(known(line, line), cmd);
        assert_eq!(known(&line.to_lowercase(), line), cmd);
        assert_eq!(cmd.verb(), line);
        if !matches!(cmd, Command::Noop(_) | Command::Help(_)) {
            let with_arg = format!("{line} x");
            assert_eq!(
                err(&with_arg),
                CommandError::Syntax {
                    what: "command without arguments",
                    offset: line.len()
                },
                "{with_arg}"
            );
            let trailing = format!("{line} ");
            assert!(matches!(err(&trailing), CommandError::Syntax { .. }));
        }
    }
    assert_eq!(known("Quit", "QUIT"), Command::Quit);
    assert_eq!(known("sTaRtTlS", "STARTTLS"), Command::StartTls);
}

#[test]
fn bdat() {
    assert_eq!(
        known("BDAT 86 LAST", "BDAT 86 LAST"),
        Command::Bdat {
            size: 86,
            last: true
        }
    );
    assert_eq!(
        known("bdat 100000", "BDAT 100000"),
        Command::Bdat {
            size: 100_000,
            last: false
        }
    );
    assert_eq!(
        known("BDAT 0 last", "BDAT 0 LAST"),
        Command::Bdat {
            size: 0,
            last: true
        }
    );
    for (line, want) in [
        (
            "BDAT",
            CommandError::Syntax {
                what: "chunk size",
                offset: 4,
            },
        ),
        (
            "BDAT ",
            CommandError::Syntax {
                what: "chunk size",
                offset: 5,
            },
        ),
        (
            "BDAT x",
            CommandError::Syntax {
                what: "chunk size",
                offset: 5,
            },
        ),
        (
            "BDAT -1",
            CommandError::Syntax {
                what: "chunk size",
                offset: 5,
            },
        ),
        (
            "BDAT 18446744073709551616",
            CommandError::Syntax {
                what: "chunk size",
                offset: 5,
            },
        ),
        (
            "BDAT 1 FIRST",
            CommandError::Syntax {
                what: "LAST",
                offset: 7,
            },
        ),
        (
            "BDAT 1 LAST ",
            CommandError::Syntax {
                what: "LAST",
                offset: 7,
            },
        ),
        (
            "BDAT 1  LAST",
            CommandError::Syntax {
                what: "LAST",
                offset: 7,
            },
        ),
    ] {
        let e = err(line);
        assert_eq!(e, want, "{line}");
        assert_eq!(reply_of(e), SYNTAX);
    }
}

#[test]
fn string_arguments() {
    assert_eq!(known("NOOP", "NOOP"), Command::Noop(None));
    assert_eq!(
        known("noop keep me alive", "NOOP keep me alive"),
        Command::Noop(Some("keep me alive"))
    );
    assert_eq!(
        known("VRFY Crispin", "VRFY Crispin"),
        Command::Vrfy("Crispin")
    );
    assert_eq!(
        known("vrfy <Admin.MRC@foo.com>", "VRFY <Admin.MRC@foo.com>"),
        Command::Vrfy("<Admin.MRC@foo.com>")
    );
    assert_eq!(
        known("EXPN Example-People", "EXPN Example-People"),
        Command::Expn("Example-People")
    );
    assert_eq!(known("HELP MAIL", "HELP MAIL"), Command::Help(Some("MAIL")));
    // A second space is part of the argument.
    assert_eq!(known("VRFY  x", "VRFY  x"), Command::Vrfy(" x"));
    for (line, want) in [
        (
            "VRFY",
            CommandError::Syntax {
                what: "argument",
                offset: 4,
            },
        ),
        (
            "EXPN",
            CommandError::Syntax {
                what: "argument",
                offset: 4,
            },
        ),
        (
            "VRFY ",
            CommandError::Syntax {
                what: "argument",
                offset: 5,
            },
        ),
        (
            "NOOP ",
            CommandError::Syntax {
                what: "argument",
                offset: 5,
            },
        ),
        (
            "VRFY a\tb",
            CommandError::Syntax {
                what: "argument",
                offset: 6,
            },
        ),
        (
            "HELP a\0",
            CommandError::Syntax {
                what: "argument",
                offset: 6,
            },
        ),
        (
            "NOOP a\rb",
            CommandError::Syntax {
                what: "argument",
                offset: 6,
            },
        ),
    ] {
        let e = err(line);
        assert_eq!(e, want, "{line:?}");
        assert_eq!(reply_of(e), SYNTAX);
    }
}

#[test]
fn auth() {
    assert_eq!(
        known(
            "AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ=",
            "AUTH PLAIN dGVzdAB0ZXN0ADEyMzQ="
        ),
        Command::Auth {
            mechanism: "PLAIN",
            initial_response: Some("dGVzdAB0ZXN0ADEyMzQ=")
        }
    );
    assert_eq!(
        known("AUTH CRAM-MD5", "AUTH CRAM-MD5"),
        Command::Auth {
            mechanism: "CRAM-MD5",
            initial_response: None
        }
    );
    // `=` is an empty initial response (RFC 4954 §4).
    assert_eq!(
        known("AUTH EXTERNAL =", "AUTH EXTERNAL ="),
        Command::Auth {
            mechanism: "EXTERNAL",
            initial_response: Some("=")
        }
    );
    // The mechanism is kept as sent.
    assert_eq!(
        known("auth login", "AUTH login"),
        Command::Auth {
            mechanism: "login",
            initial_response: None
        }
    );
    assert_eq!(
        known("AUTH X_OAUTH2-20", "AUTH X_OAUTH2-20"),
        Command::Auth {
            mechanism: "X_OAUTH2-20",
            initial_response: None
        }
    );
    for (line, want) in [
        (
            "AUTH",
            CommandError::Syntax {
                what: "SASL mechanism",
                offset: 4,
            },
        ),
        (
            "AUTH ",
            CommandError::Syntax {
                what: "SASL mechanism",
                offset: 5,
            },
        ),
        (
            "AUTH PL@IN",
            CommandError::Syntax {
                what: "SASL mechanism",
                offset: 5,
            },
        ),
        (
            "AUTH ABCDEFGHIJKLMNOPQRSTU",
            CommandError::Syntax {
                what: "SASL mechanism",
                offset: 5,
            },
        ),
        (
            "AUTH PLAIN ",
            CommandError::Syntax {
                what: "initial response",
                offset: 11,
            },
        ),
        (
            "AUTH PLAIN a b",
            CommandError::Syntax {
                what: "initial response",
                offset: 11,
            },
        ),
        (
            "AUTH PLAIN dGVz*",
            CommandError::Syntax {
                what: "initial response",
                offset: 11,
            },
        ),
    ] {
        let e = err(line);
        assert_eq!(e, want, "{line}");
        assert_eq!(reply_of(e), SYNTAX);
    }
}

#[test]
fn unrecognized() {
    for line in [
        "",
        " ",
        " QUIT",
        "QUITX",
        "XQUIT",
        "bugy",
        "LHLO example.com",
        "ETRN example.com",
        "QUIT\r",
        "STARTTLSX",
        "VERYLONGVERBINDEED",
        "MAIL:FROM:<a@b>",
    ] {
        let e = err(line);
        assert_eq!(e, CommandError::Unrecognized, "{line:?}");
        assert_eq!(reply_of(e), (500, EnhancedCode::new(5, 5, 1)));
    }
}

// ---- writing ----

#[test]
fn write_known_answers() {
    let list = [
        Parameter {
            keyword: "X-A",
            value: Some("1"),
        },
        Parameter {
            keyword: "XB",
            value: None,
        },
    ];
    let mut mp = MailParameters::default();
    mp.size = Some(35_882_577);
    mp.body = Some(BodyType::EightBitMime);
    mp.ret = Some(Ret::Full);
    mp.envid = Some("QQ314159");
    mp.auth = Some("<>");
    mp.other = Parameters::from_list(&list);
    let mail = Command::Mail {
        from: Some(mailbox("Smith", "bar.com")),
        params: mp,
    };
    assert_eq!(
        wire(&mail),
        "MAIL FROM:<Smith@bar.com> SIZE=35882577 BODY=8BITMIME RET=FULL ENVID=QQ314159 AUTH=<> X-A=1 XB\r\n"
    );
    assert_eq!(parse(wire(&mail).trim_end()), mail);

    let mut rp = RcptParameters::default();
    rp.notify = Some(Notify {
        success: false,
        failure: true,
        delay: true,
    });
    rp.orcpt = Some(OriginalRecipient {
        addr_type: "rfc822",
        address: "Jones+40foo.com",
    });
    let rcpt = Command::Rcpt {
        to: ForwardPath::Mailbox(mailbox("Jones", "foo.com")),
        params: rp,
    };
    assert_eq!(
        wire(&rcpt),
        "RCPT TO:<Jones@foo.com> NOTIFY=FAILURE,DELAY ORCPT=rfc822;Jones+40foo.com\r\n"
    );
    assert_eq!(parse(wire(&rcpt).trim_end()), rcpt);
    for (cmd, line) in [
        (Command::Helo(Domain::Name("x.example")), "HELO x.example"),
        (
            Command::Ehlo(Domain::Ipv4(Ipv4Addr::new(10, 0, 0, 1))),
            "EHLO [10.0.0.1]",
        ),
        (
            Command::Ehlo(Domain::Ipv6(Ipv6Addr::LOCALHOST)),
            "EHLO [IPv6:::1]",
        ),
        (
            Command::Bdat {
                size: 0,
                last: true,
            },
            "BDAT 0 LAST",
        ),
        (Command::Noop(Some("x y")), "NOOP x y"),
        (Command::Vrfy("Smith"), "VRFY Smith"),
        (Command::Expn("list"), "EXPN list"),
        (Command::Help(None), "HELP"),
        (
            Command::Auth {
                mechanism: "PLAIN",
                initial_response: Some("="),
            },
            "AUTH PLAIN =",
        ),
        (Command::Data, "DATA"),
        (Command::Quit, "QUIT"),
    ] {
        assert_eq!(wire(&cmd), format!("{line}\r\n"));
        assert_eq!(cmd.to_string(), line);
        assert_eq!(parse(line), cmd);
    }
}

#[test]
fn write_refuses_bad_arguments() {
    let refused = |cmd: Command<'_>| {
        let mut out = b"kept".to_vec();
        let e = cmd.write(&mut out).expect_err(&format!("{cmd:?} written"));
        assert_eq!(out, b"kept", "{cmd:?}: written despite {e}");
        assert_eq!(cmd.validate(), Err(e));
        e
    };
    refused(Command::Helo(Domain::Name("a b")));
    refused(Command::Ehlo(Domain::Name("x\r\nRCPT TO:<a@b>")));
    refused(Command::Ehlo(Domain::Name("")));
    refused(Command::Ehlo(Domain::General {
        tag: "IPv6",
        content: "::1",
    }));
    refused(Command::Ehlo(Domain::General {
        tag: "x",
        content: "a]",
    }));
    refused(Command::Noop(Some("a\r\nQUIT")));
    refused(Command::Noop(Some("")));
    refused(Command::Vrfy("a\nb"));
    refused(Command::Expn("a\0"));
    refused(Command::Help(Some("\u{85}")));
    refused(Command::Auth {
        mechanism: "PLAIN LOGIN",
        initial_response: None,
    });
    refused(Command::Auth {
        mechanism: "",
        initial_response: None,
    });
    refused(Command::Auth {
        mechanism: "PLAIN",
        initial_response: Some("abc\r\n"),
    });
    refused(Command::Auth {
        mechanism: "PLAIN",
        initial_response: Some(""),
    });
    let mail = |p: MailParameters<'static>| Command::Mail {
        from: None,
        params: p,
    };
    for (envid, auth) in [
        (Some("a+zz"), None),
        (Some("a=b"), None),
        (Some(""), None),
        (Some("a b"), None),
        (None, Some("x\r\n")),
        (None, Some("a b")),
        (None, Some("")),
    ] {
        let mut p = MailParameters::default();
        p.envid = envid;
        p.auth = auth;
        refused(mail(p));
    }
    let mut p = MailParameters::default();
    p.envid = Some(Box::leak("x".repeat(101).into_boxed_str()));
    refused(mail(p));
    for list in [
        &[Parameter {
            keyword: "SIZE",
            value: Some("1"),
        }][..],
        &[Parameter {
            keyword: "X",
            value: Some("a b"),
        }],
        &[Parameter {
            keyword: "X",
            value: Some(""),
        }],
        &[Parameter {
            keyword: "X Y",
            value: None,
        }],
        &[Parameter {
            keyword: "-X",
            value: None,
        }],
        &[Parameter {
            keyword: "X",
            value: Some("é"),
        }],
    ] {
        let mut p = MailParameters::default();
        p.other = Parameters::from_list(list);
        refused(mail(p));
    }
    // A non-ASCII mailbox needs the SMTPUTF8 parameter.
    let m = Mailbox::parse_utf8("jösé@x").unwrap();
    let e = refused(Command::Mail {
        from: Some(m),
        params: MailParameters::default(),
    });
    assert!(matches!(
        e,
        CommandWriteError::Address(AddressError::NeedsSmtpUtf8 { .. })
    ));
    let mut p = MailParameters::default();
    p.smtputf8 = true;
    assert_eq!(
        wire(&Command::Mail {
            from: Some(m),
            params: p
        }),
        "MAIL FROM:<jösé@x> SMTPUTF8\r\n"
    );
    // A path over 256 octets could not be read back.
    let local = "a".repeat(64);
    let domain = format!("{}example", "b.".repeat(94));
    let m = Mailbox::new(&local, Domain::Name(&domain), false).unwrap();
    assert_eq!(
        refused(Command::Rcpt {
            to: ForwardPath::Mailbox(m),
            params: RcptParameters::default()
        }),
        CommandWriteError::Address(AddressError::TooLong {
            what: "path",
            max: 256
        })
    );
    let mut rp = RcptParameters::default();
    rp.orcpt = Some(OriginalRecipient {
        addr_type: "rfc 822",
        address: "a",
    });
    refused(Command::Rcpt {
        to: ForwardPath::Postmaster,
        params: rp,
    });
    rp.orcpt = Some(OriginalRecipient {
        addr_type: "rfc822",
        address: "a\r\n",
    });
    refused(Command::Rcpt {
        to: ForwardPath::Postmaster,
        params: rp,
    });
}

#[test]
fn xtext() {
    assert!(is_xtext("e+3Dmc2@example.com"));
    assert!(is_xtext(""));
    for bad in ["a=b", "a+", "a+3", "a+3d", "a b", "é"] {
        assert!(!is_xtext(bad), "{bad}");
        assert_eq!(xtext_decode(bad), None);
    }
    assert_eq!(xtext_encode(b"e=mc2@example.com"), "e+3Dmc2@example.com");
    assert_eq!(xtext_encode(b"\x00\xff+"), "+00+FF+2B");
}

// ---- the RFC transcripts ----

/// The client command lines of a transcript: `C: ` lines, without the
/// DATA content (after a 354 up to the lone "."), BDAT chunk octets, and
/// SASL continuation lines (the client line after a 334).
fn transcript_commands(text: &str) -> Vec<String> {
    let mut commands = Vec::new();
    let mut in_data = false;
    let mut bdat_left = 0usize;
    let mut continuation = false;
    for line in text.lines() {
        if let Some(server) = line.strip_prefix("S: ") {
            if server.starts_with("354") {
                in_data = true;
            }
            continuation = server.starts_with("334");
            continue;
        }
        let Some(client) = line.strip_prefix("C: ").or(line.strip_prefix("C:")) else {
            continue;
        };
        if in_data {
            in_data = client != ".";
            continue;
        }
        if bdat_left > 0 {
            bdat_left = bdat_left.saturating_sub(client.len() + 2);
            continue;
        }
        if std::mem::take(&mut continuation) {
            continue;
        }
        if let Some(n) = client.strip_prefix("BDAT ") {
            bdat_left = n.split(' ').next().unwrap().parse().unwrap();
        }
        commands.push(client.to_owned());
    }
    commands
}

#[test]
fn every_transcript_command_parses() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/smtp-transcripts");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "trace"))
        .collect();
    files.sort();
    assert!(files.len() >= 15, "{files:?}");
    let mut total = 0;
    let mut verbs = std::collections::BTreeSet::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        let commands = transcript_commands(&text);
        assert!(!commands.is_empty(), "{file:?}");
        for line in &commands {
            let cmd = Command::parse(line.as_bytes())
                .unwrap_or_else(|e| panic!("{}: {line:?}: {e}", file.display()));
            assert_eq!(cmd.verb(), line.split(' ').next().unwrap(), "{line}");
            // The RFC examples are written canonically.
            assert_eq!(wire(&cmd), format!("{line}\r\n"));
            verbs.insert(cmd.verb());
            total += 1;
        }
    }
    assert!(total >= 74, "only {total} commands");
    for verb in [
        "EHLO", "HELO", "MAIL", "RCPT", "DATA", "BDAT", "RSET", "QUIT", "VRFY", "STARTTLS", "AUTH",
    ] {
        assert!(verbs.contains(verb), "no {verb} in the transcripts");
    }
}

// ---- proptests ----

/// Strings that are often close to valid and often hostile.
fn nasty_string() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-zA-Z0-9.-]{1,12}",
        2 => "[a-zA-Z0-9 \r\n\0\t<>\":@.,;=+\\[\\]\\\\-]{0,12}",
        1 => "[+=A-F0-9a-z]{1,10}",
        1 => "[a-z]{1,5}(\r\n|\r|\n|\0)[A-Z ]{0,8}",
        1 => any::<String>(),
        1 => "\\PC{0,8}",
    ]
}

#[derive(Debug, Clone)]
struct Hostile {
    kind: u8,
    s: [String; 6],
    flags: [bool; 4],
}

fn hostile() -> impl Strategy<Value = Hostile> {
    (
        0u8..12,
        [
            nasty_string(),
            nasty_string(),
            nasty_string(),
            nasty_string(),
            nasty_string(),
            nasty_string(),
        ],
        any::<[bool; 4]>(),
    )
        .prop_map(|(kind, s, flags)| Hostile { kind, s, flags })
}

/// Check one write: an error and nothing written, or exactly one line that
/// parses back to the same command.
fn check_one_line(cmd: &Command<'_>) -> Result<(), TestCaseError> {
    let mut out = Vec::new();
    match cmd.write(&mut out) {
        Err(_) => prop_assert!(out.is_empty()),
        Ok(()) => {
            prop_assert!(out.ends_with(b"\r\n"), "{:?}", out);
            let line = &out[..out.len() - 2];
            prop_assert!(
                !line.iter().any(|&c| matches!(c, b'\r' | b'\n' | 0)),
                "{:?}",
                String::from_utf8_lossy(&out)
            );
            let back = Command::parse_with(line, &utf8_opts());
            prop_assert_eq!(back, Ok(*cmd), "{:?}", String::from_utf8_lossy(line));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn no_argument_adds_a_line(h in hostile()) {
        let [a, b, c, d, e, f] = &h.s;
        let list = [Parameter { keyword: e, value: if h.flags[2] { Some(f) } else { None } }];
        let domain = if h.flags[1] {
            Domain::General { tag: a, content: b }
        } else {
            Domain::Name(a)
        };
        let mailbox = Mailbox::new(c, Domain::Name(d), true).ok();
        let cmd = match h.kind {
            0 => Command::Helo(domain),
            1 => Command::Ehlo(domain),
            2 => {
                let mut p = MailParameters::default();
                p.smtputf8 = h.flags[0];
                p.envid = h.flags[1].then_some(a.as_str());
                p.auth = h.flags[3].then_some(b.as_str());
                p.other = Parameters::from_list(&list);
                Command::Mail { from: mailbox, params: p }
            }
            3 => {
                let mut p = RcptParameters::default();
                p.orcpt = h.flags[0].then_some(OriginalRecipient { addr_type: a, address: b });
                p.other = Parameters::from_list(&list);
                let to = mailbox.map_or(ForwardPath::Postmaster, ForwardPath::Mailbox);
                Command::Rcpt { to, params: p }
            }
            4 => Command::Noop(Some(a)),
            5 => Command::Vrfy(a),
            6 => Command::Expn(a),
            7 => Command::Help(Some(a)),
            8 => Command::Auth {
                mechanism: a,
                initial_response: h.flags[0].then_some(b.as_str()),
            },
            9 => Command::Ehlo(Domain::Name(a)),
            10 => Command::Mail {
                from: Mailbox::new(a, Domain::General { tag: b, content: d }, true).ok(),
                params: MailParameters::default(),
            },
            _ => Command::Rcpt {
                to: Mailbox::new(a, Domain::Name(b), false)
                    .map_or(ForwardPath::Postmaster, ForwardPath::Mailbox),
                params: RcptParameters::default(),
            },
        };
        check_one_line(&cmd)?;
    }
}

// Valid values, for `parse(write(x)) == x`.

fn label() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9]([a-zA-Z0-9-]{0,6}[a-zA-Z0-9])?"
}

fn domain_name() -> impl Strategy<Value = String> {
    prop::collection::vec(label(), 1..4).prop_map(|l| l.join("."))
}

#[derive(Debug, Clone)]
enum DomainValue {
    Name(String),
    V4([u8; 4]),
    V6([u16; 8]),
    General(String, String),
}

impl DomainValue {
    fn domain(&self) -> Domain<'_> {
        match self {
            DomainValue::Name(n) => Domain::Name(n),
            DomainValue::V4(a) => Domain::Ipv4(Ipv4Addr::from(*a)),
            DomainValue::V6(a) => Domain::Ipv6(Ipv6Addr::from(*a)),
            DomainValue::General(t, c) => Domain::General { tag: t, content: c },
        }
    }
}

fn domain_value() -> impl Strategy<Value = DomainValue> {
    prop_oneof![
        4 => domain_name().prop_map(DomainValue::Name),
        1 => any::<[u8; 4]>().prop_map(DomainValue::V4),
        1 => any::<[u16; 8]>().prop_map(DomainValue::V6),
        1 => ("[a-zA-Z0-9][a-zA-Z0-9-]{0,5}[a-zA-Z0-9]", "[!-Z^-~]{1,12}")
            .prop_filter("IPv6 is its own variant", |(t, _)| !t.eq_ignore_ascii_case("IPv6"))
            .prop_map(|(t, c)| DomainValue::General(t, c)),
    ]
}

fn local_part() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]{1,8}(\\.[a-zA-Z0-9!#$%&'*+/=?^_`{|}~-]{1,8}){0,2}",
        1 => "\"([ !#-\\[\\]-~]|\\\\[ -~]){0,12}\"",
    ]
}

fn xtext_value() -> impl Strategy<Value = String> {
    "([!-*,-<>-~]|\\+[0-9A-F]{2}){1,16}"
}

fn esmtp_value() -> impl Strategy<Value = String> {
    "[!-<>-~]{1,12}"
}

fn extra_params() -> impl Strategy<Value = Vec<(String, Option<String>)>> {
    prop::collection::vec(("X-[A-Z0-9]{1,6}", prop::option::of(esmtp_value())), 0..3)
}

fn text_arg() -> impl Strategy<Value = String> {
    "[ -~]{1,30}"
}

#[derive(Debug, Clone)]
struct ValidCommand {
    kind: u8,
    domain: DomainValue,
    local: String,
    texts: [String; 3],
    size: Option<u64>,
    body: Option<u8>,
    ret: Option<bool>,
    notify: Option<[bool; 3]>,
    flags: [bool; 4],
    extra: Vec<(String, Option<String>)>,
}

fn valid_command() -> impl Strategy<Value = ValidCommand> {
    (
        (0u8..14, domain_value(), local_part()),
        (xtext_value(), text_arg(), "[A-Z0-9_-]{1,20}"),
        (
            prop::option::of(any::<u64>()),
            prop::option::of(0u8..3),
            prop::option::of(any::<bool>()),
            prop::option::of(any::<[bool; 3]>()),
        ),
        any::<[bool; 4]>(),
        extra_params(),
    )
        .prop_map(
            |((kind, domain, local), (x, t, m), (size, body, ret, notify), flags, extra)| {
                ValidCommand {
                    texts: [x, t, m],
                    kind,
                    domain,
                    local,
                    size,
                    body,
                    ret,
                    notify,
                    flags,
                    extra,
                }
            },
        )
}

fn build<'a>(v: &'a ValidCommand, list: &'a [Parameter<'a>]) -> Command<'a> {
    let [xtext, text, mech] = &v.texts;
    let mailbox = Mailbox::new(&v.local, v.domain.domain(), false).expect("valid mailbox");
    match v.kind {
        0 => Command::Helo(v.domain.domain()),
        1 => Command::Ehlo(v.domain.domain()),
        2 => {
            let mut p = MailParameters::default();
            p.size = v.size;
            p.body = v.body.map(|b| {
                [
                    BodyType::SevenBit,
                    BodyType::EightBitMime,
                    BodyType::BinaryMime,
                ][b as usize]
            });
            p.ret = v
                .ret
                .map(|full| if full { Ret::Full } else { Ret::Headers });
            p.envid = v.flags[0].then_some(xtext.as_str());
            p.auth = match (v.flags[1], v.flags[2]) {
                (true, true) => Some("<>"),
                (true, false) => Some(xtext.as_str()),
                _ => None,
            };
            p.other = Parameters::from_list(list);
            Command::Mail {
                from: (!v.flags[3]).then_some(mailbox),
                params: p,
            }
        }
        3 => {
            let mut p = RcptParameters::default();
            p.notify = v.notify.map(|[success, failure, delay]| Notify {
                success,
                failure,
                delay,
            });
            p.orcpt = v.flags[0].then_some(OriginalRecipient {
                addr_type: if v.flags[1] { "rfc822" } else { "X-TYPE" },
                address: xtext,
            });
            p.other = Parameters::from_list(list);
            Command::Rcpt {
                to: if v.flags[3] {
                    ForwardPath::Postmaster
                } else {
                    ForwardPath::Mailbox(mailbox)
                },
                params: p,
            }
        }
        4 => Command::Data,
        5 => Command::Bdat {
            size: v.size.unwrap_or(0),
            last: v.flags[0],
        },
        6 => Command::Rset,
        7 => Command::Noop(v.flags[0].then_some(text.as_str())),
        8 => Command::Quit,
        9 => Command::Vrfy(text),
        10 => Command::Expn(text),
        11 => Command::Help(v.flags[0].then_some(text.as_str())),
        12 => Command::StartTls,
        _ => Command::Auth {
            mechanism: mech,
            initial_response: match (v.flags[0], v.flags[1]) {
                (true, true) => Some("="),
                (true, false) => Some("dGVzdAB0ZXN0ADEyMzQ="),
                _ => None,
            },
        },
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn valid_commands_round_trip(v in valid_command()) {
        let list: Vec<Parameter<'_>> = v
            .extra
            .iter()
            .map(|(k, val)| Parameter { keyword: k, value: val.as_deref() })
            .collect();
        let cmd = build(&v, &list);
        let mut out = Vec::new();
        cmd.write(&mut out).map_err(|e| TestCaseError::fail(format!("{cmd:?}: {e}")))?;
        prop_assert!(out.ends_with(b"\r\n"));
        let line = &out[..out.len() - 2];
        prop_assert_eq!(Command::parse(line), Ok(cmd), "{}", String::from_utf8_lossy(line));
        // And writing what was parsed gives the same bytes.
        let again = Command::parse(line).unwrap();
        let mut out2 = Vec::new();
        again.write(&mut out2).unwrap();
        prop_assert_eq!(out2, out);
    }

    #[test]
    fn utf8_commands_round_trip(
        local in "[a-zé中]{1,6}",
        domain in "[a-zü]{1,6}\\.example",
        text in "[a-zé ]{1,10}",
    ) {
        let m = Mailbox::new(&local, Domain::Name(&domain), true).unwrap();
        let mut p = MailParameters::default();
        p.smtputf8 = true;
        for cmd in [
            Command::Mail { from: Some(m), params: p },
            Command::Rcpt { to: ForwardPath::Mailbox(m), params: RcptParameters::default() },
            Command::Vrfy(&text),
            Command::Ehlo(Domain::Name(&domain)),
        ] {
            let mut out = Vec::new();
            cmd.write(&mut out).unwrap();
            let line = &out[..out.len() - 2];
            prop_assert_eq!(Command::parse_with(line, &utf8_opts()), Ok(cmd));
        }
    }

    #[test]
    fn xtext_round_trip(bytes in prop::collection::vec(any::<u8>(), 0..40)) {
        let x = xtext_encode(&bytes);
        prop_assert!(is_xtext(&x));
        prop_assert_eq!(xtext_decode(&x), Some(bytes));
    }

    #[test]
    fn parse_never_panics(line in prop::collection::vec(any::<u8>(), 0..80), utf8: bool, lenient: bool) {
        let mut o = CommandOptions::default();
        o.smtputf8 = utf8;
        o.lenient_helo = lenient;
        o.allow_space_after_colon = lenient;
        let _ = Command::parse_with(&line, &o);
    }

    #[test]
    fn parsed_commands_write_and_parse_back(
        line in prop_oneof![
            "(MAIL FROM|RCPT TO|mail from|rcpt to):<[a-z\"@. >\\[\\]:]{0,12}>( [A-Za-z=+0-9<>;,-]{1,12}){0,3}",
            "(EHLO|HELO|VRFY|NOOP|AUTH|BDAT|HELP) [ -~]{0,16}",
        ]
    ) {
        if let Ok(cmd) = Command::parse(line.as_bytes()) {
            let mut out = Vec::new();
            cmd.write(&mut out).map_err(|e| TestCaseError::fail(format!("{cmd:?}: {e}")))?;
            prop_assert_eq!(Command::parse(&out[..out.len() - 2]), Ok(cmd));
        }
    }
}
