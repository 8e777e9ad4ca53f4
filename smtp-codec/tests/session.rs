//! ClientSession and ServerSession wired back to back over a simulated
//! clock, no sockets: what one sends the other reads.

use std::time::{Duration, Instant};

use proptest::prelude::*;
use smtp_codec::client::{
    AuthCredentials, ClientConfig, ClientError, ClientEvent, ClientSession, Delivery, Envelope,
    StartTlsPolicy,
};
use smtp_codec::reply::{EnhancedCode, OwnedReply, ReplyCode};
use smtp_codec::server::{ServerConfig, ServerEvent, ServerSession, Transaction};

/// How the simulated server decides.
#[derive(Clone)]
struct Policy {
    refuse_rcpt: Vec<&'static str>,
    password: &'static str,
    refuse_message: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            refuse_rcpt: Vec::new(),
            password: "secret",
            refuse_message: false,
        }
    }
}

struct Run {
    messages: Vec<Transaction>,
    client_events: Vec<ClientEvent>,
    server_events: Vec<ServerEvent>,
    /// Every byte the client sent, per transmit.
    client_wire: Vec<Vec<u8>>,
    server_closed: bool,
    client_closed: bool,
}

fn reply(code: u16, esc: (u8, u16, u16), text: &str) -> OwnedReply {
    OwnedReply {
        code: ReplyCode::new(code).unwrap(),
        enhanced: Some(EnhancedCode::new(esc.0, esc.1, esc.2)),
        lines: vec![text.to_owned()],
    }
}

/// Run both machines until neither has anything to say. `chunk` splits
/// every transmission into pieces of that size.
fn run(
    mut client: ClientSession,
    mut server: ServerSession,
    policy: &Policy,
    chunk: usize,
    mut now: Instant,
) -> Run {
    let mut r = Run {
        messages: Vec::new(),
        client_events: Vec::new(),
        server_events: Vec::new(),
        client_wire: Vec::new(),
        server_closed: false,
        client_closed: false,
    };
    for _ in 0..10_000 {
        let mut progress = false;
        while let Some(bytes) = server.poll_transmit() {
            progress = true;
            for piece in bytes.chunks(chunk.max(1)) {
                client.handle_input(now, piece);
            }
        }
        while let Some(ev) = server.poll_event() {
            progress = true;
            match &ev {
                ServerEvent::Mail(_) => server.accept(now).unwrap(),
                ServerEvent::Rcpt(rc) => {
                    if policy.refuse_rcpt.contains(&rc.to.as_str()) {
                        server
                            .reject(now, &reply(550, (5, 1, 1), "No such user"))
                            .unwrap();
                    } else {
                        server.accept(now).unwrap();
                    }
                }
                ServerEvent::Auth { credentials, .. } => {
                    if credentials.password == policy.password {
                        server.accept(now).unwrap();
                    } else {
                        server.refuse(now).unwrap();
                    }
                }
                ServerEvent::Message(tx) => {
                    r.messages.push((**tx).clone());
                    if policy.refuse_message {
                        server
                            .reject(now, &reply(451, (4, 3, 0), "Disk full"))
                            .unwrap();
                    } else {
                        server.accept(now).unwrap();
                    }
                }
                ServerEvent::StartTls => {
                    // The "handshake": both sides switch once the 220 is out.
                    while let Some(bytes) = server.poll_transmit() {
                        client.handle_input(now, &bytes);
                    }
                    server.starttls_complete(now);
                }
                _ => {}
            }
            r.server_events.push(ev);
        }
        while let Some(bytes) = client.poll_transmit() {
            progress = true;
            r.client_wire.push(bytes.clone());
            for piece in bytes.chunks(chunk.max(1)) {
                server.handle_input(now, piece);
            }
        }
        while let Some(ev) = client.poll_event() {
            progress = true;
            if ev == ClientEvent::StartTls {
                client.starttls_complete(now);
            }
            r.client_events.push(ev);
        }
        if server.is_closed() && !r.server_closed {
            // A closing server's last words arrive before its FIN.
            while let Some(bytes) = server.poll_transmit() {
                client.handle_input(now, &bytes);
            }
            r.server_closed = true;
            client.handle_eof(now);
            progress = true;
        }
        if client.is_closed() && !r.client_closed {
            r.client_closed = true;
            server.handle_eof(now);
            progress = true;
        }
        if !progress {
            break;
        }
        now += Duration::from_millis(1);
    }
    r
}

fn sent(r: &Run) -> Vec<Result<Delivery, ClientError>> {
    r.client_events
        .iter()
        .filter_map(|e| match e {
            ClientEvent::Sent { result, .. } => Some(result.clone()),
            _ => None,
        })
        .collect()
}

const BODY: &[u8] = b"Subject: test\r\n\r\n.leading dot\r\nline\r\n.\r\nafter a lone dot\r\n";

fn both(
    server_cfg: ServerConfig,
    client_cfg: ClientConfig,
    policy: &Policy,
    messages: &[(Envelope, &[u8])],
    chunk: usize,
) -> Run {
    let now = Instant::now();
    let server = ServerSession::new(server_cfg, now);
    let mut client = ClientSession::new(client_cfg, now);
    for (env, body) in messages {
        client.send_mail(env.clone(), body.to_vec()).unwrap();
    }
    client.quit();
    run(client, server, policy, chunk, now)
}

fn env(to: &[&str]) -> Envelope {
    Envelope::new(Some("sender@example.org"), to.iter().copied())
}

#[test]
fn bdat_pipelined_delivery_keeps_the_body_exactly() {
    let r = both(
        ServerConfig::new("mx.test"),
        ClientConfig::new("client.test"),
        &Policy::default(),
        &[(env(&["a@example.net", "b@example.net"]), BODY)],
        usize::MAX,
    );
    assert_eq!(r.messages.len(), 1);
    let m = &r.messages[0];
    assert!(m.chunked, "CHUNKING is advertised, so BDAT is used");
    assert_eq!(m.body, BODY);
    assert_eq!(m.mail.from.as_deref(), Some("sender@example.org"));
    let to: Vec<_> = m.recipients.iter().map(|r| r.to.as_str()).collect();
    assert_eq!(to, ["a@example.net", "b@example.net"]);
    let results = sent(&r);
    assert_eq!(results.len(), 1);
    let d = results[0].as_ref().unwrap();
    assert!(d.recipients.iter().all(|r| r.accepted()));
    assert!(r.client_closed && r.server_closed);
    assert_eq!(
        r.client_events.last(),
        Some(&ClientEvent::Closed(None)),
        "{:?}\n{:?}",
        r.client_events,
        r.client_wire
            .iter()
            .map(|w| String::from_utf8_lossy(w).into_owned())
            .collect::<Vec<_>>()
    );
    // MAIL and both RCPTs went out in one write (PIPELINING).
    assert!(
        r.client_wire
            .iter()
            .any(|w| w.starts_with(b"MAIL FROM:") && w.ends_with(b"RCPT TO:<b@example.net>\r\n"))
    );
}

#[test]
fn data_path_without_chunking_or_pipelining() {
    let mut scfg = ServerConfig::new("mx.test");
    scfg.capabilities.chunking = false;
    scfg.capabilities.pipelining = false;
    let r = both(
        scfg,
        ClientConfig::new("client.test"),
        &Policy::default(),
        &[
            (env(&["a@example.net"]), BODY),
            (env(&["c@example.net"]), b"second\n.\n"),
        ],
        7,
    );
    assert_eq!(r.messages.len(), 2);
    assert!(!r.messages[0].chunked);
    assert_eq!(r.messages[0].body, BODY);
    // LF endings normalised by the client, the dot line stuffed and unstuffed.
    assert_eq!(r.messages[1].body, b"second\r\n.\r\n");
    // One command per write without PIPELINING.
    for w in &r.client_wire {
        let lines = w.split(|&b| b == b'\n').filter(|l| !l.is_empty()).count();
        assert!(
            lines == 1 || !w.starts_with(b"MAIL") && !w.starts_with(b"RCPT"),
            "{:?}",
            String::from_utf8_lossy(w)
        );
    }
    assert!(sent(&r).iter().all(Result::is_ok));
}

#[test]
fn a_body_without_a_final_crlf_gets_one_counted_in_size_by_data_and_bdat() {
    for chunking in [true, false] {
        let mut scfg = ServerConfig::new("mx.test");
        scfg.capabilities.chunking = chunking;
        let r = both(
            scfg,
            ClientConfig::new("client.test"),
            &Policy::default(),
            &[(
                env(&["a@example.net"]),
                b"Subject: x\n\nno newline at the end",
            )],
            usize::MAX,
        );
        assert_eq!(r.messages.len(), 1);
        let m = &r.messages[0];
        assert_eq!(m.chunked, chunking);
        assert_eq!(m.body, b"Subject: x\r\n\r\nno newline at the end\r\n");
        assert_eq!(m.mail.size, Some(m.body.len() as u64));
    }
}

#[test]
fn per_recipient_results_and_all_refused() {
    let policy = Policy {
        refuse_rcpt: vec!["bad@example.net"],
        ..Policy::default()
    };
    for chunking in [true, false] {
        let mut scfg = ServerConfig::new("mx.test");
        scfg.capabilities.chunking = chunking;
        let r = both(
            scfg,
            ClientConfig::new("client.test"),
            &policy,
            &[
                (env(&["ok@example.net", "bad@example.net"]), BODY),
                (env(&["bad@example.net"]), BODY),
                (env(&["ok@example.net"]), BODY),
            ],
            usize::MAX,
        );
        let results = sent(&r);
        assert_eq!(results.len(), 3, "chunking={chunking}");
        let d = results[0].as_ref().unwrap();
        assert!(d.recipients[0].accepted());
        assert!(!d.recipients[1].accepted());
        assert_eq!(d.recipients[1].reply.to_string(), "550 5.1.1 No such user");
        match &results[1] {
            Err(ClientError::AllRecipientsRefused(rs)) => assert_eq!(rs[0].reply.code.get(), 550),
            other => panic!("{other:?}"),
        }
        assert!(
            results[2].is_ok(),
            "the session goes on after a refused message: {results:?}"
        );
        assert_eq!(r.messages.len(), 2);
        assert_eq!(r.messages[0].recipients.len(), 1);
    }
}

#[test]
fn message_refusal_keeps_the_servers_text() {
    let policy = Policy {
        refuse_message: true,
        ..Policy::default()
    };
    let r = both(
        ServerConfig::new("mx.test"),
        ClientConfig::new("client.test"),
        &policy,
        &[(env(&["a@example.net"]), BODY)],
        3,
    );
    match &sent(&r)[0] {
        Err(ClientError::Data(reply)) => assert_eq!(reply.to_string(), "451 4.3.0 Disk full"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn auth_plain_and_login() {
    for (mechs, password, ok) in [
        (vec!["PLAIN", "LOGIN"], "secret", true),
        (vec!["LOGIN"], "secret", true),
        (vec!["PLAIN"], "wrong", false),
        (vec!["LOGIN"], "wrong", false),
    ] {
        let mut scfg = ServerConfig::new("mx.test");
        scfg.capabilities.auth = mechs.iter().map(|s| s.to_string()).collect();
        scfg.auth_requires_tls = false;
        scfg.require_auth = true;
        let mut ccfg = ClientConfig::new("client.test");
        ccfg.auth = Some(AuthCredentials {
            username: "user".into(),
            password: password.into(),
        });
        ccfg.allow_plaintext_auth = true;
        let r = both(
            scfg,
            ccfg,
            &Policy::default(),
            &[(env(&["a@example.net"]), BODY)],
            5,
        );
        let results = sent(&r);
        if ok {
            assert!(results[0].is_ok(), "{mechs:?}: {results:?}");
            assert_eq!(r.messages[0].authenticated.as_deref(), Some("user"));
        } else {
            match &results[0] {
                Err(ClientError::Auth(reply)) => assert_eq!(reply.code.get(), 535),
                other => panic!("{mechs:?}: {other:?}"),
            }
            assert!(r.messages.is_empty());
        }
    }
}

#[test]
fn client_refuses_plaintext_auth_by_default() {
    let mut scfg = ServerConfig::new("mx.test");
    scfg.capabilities.auth = ["PLAIN"].into();
    scfg.auth_requires_tls = false;
    let mut ccfg = ClientConfig::new("client.test");
    ccfg.auth = Some(AuthCredentials {
        username: "user".into(),
        password: "secret".into(),
    });
    let r = both(
        scfg,
        ccfg,
        &Policy::default(),
        &[(env(&["a@example.net"]), BODY)],
        64,
    );
    assert!(matches!(sent(&r)[0], Err(ClientError::AuthUnavailable)));
    assert!(
        r.client_wire.iter().all(|w| !w.starts_with(b"AUTH")),
        "no credentials on the wire"
    );
}

#[test]
fn starttls_then_auth() {
    let mut scfg = ServerConfig::new("mx.test");
    scfg.starttls = true;
    scfg.capabilities.auth = ["PLAIN"].into();
    let mut ccfg = ClientConfig::new("client.test");
    ccfg.starttls = StartTlsPolicy::Required;
    ccfg.auth = Some(AuthCredentials {
        username: "user".into(),
        password: "secret".into(),
    });
    let r = both(
        scfg,
        ccfg,
        &Policy::default(),
        &[(env(&["a@example.net"]), BODY)],
        usize::MAX,
    );
    assert!(sent(&r)[0].is_ok(), "{:?}", r.client_events);
    assert!(r.messages[0].tls);
    assert_eq!(r.messages[0].authenticated.as_deref(), Some("user"));
    let ehlos = r
        .client_wire
        .iter()
        .filter(|w| w.starts_with(b"EHLO"))
        .count();
    assert_eq!(ehlos, 2, "EHLO again after the handshake");
}

#[test]
fn starttls_required_but_not_offered() {
    let mut ccfg = ClientConfig::new("client.test");
    ccfg.starttls = StartTlsPolicy::Required;
    let r = both(
        ServerConfig::new("mx.test"),
        ccfg,
        &Policy::default(),
        &[(env(&["a@example.net"]), BODY)],
        64,
    );
    assert!(matches!(sent(&r)[0], Err(ClientError::TlsUnavailable)));
    assert!(r.messages.is_empty());
}

#[test]
fn size_limits_on_both_sides() {
    let mut scfg = ServerConfig::new("mx.test");
    scfg.max_message_size = 20;
    let r = both(
        scfg,
        ClientConfig::new("client.test"),
        &Policy::default(),
        &[(env(&["a@example.net"]), BODY)],
        64,
    );
    assert!(matches!(
        sent(&r)[0],
        Err(ClientError::TooLarge { limit: 20, .. })
    ));
    assert!(
        r.client_wire.iter().all(|w| !w.starts_with(b"MAIL")),
        "the client checks SIZE before MAIL"
    );
}

#[test]
fn utf8_envelope_uses_smtputf8() {
    let r = both(
        ServerConfig::new("mx.test"),
        ClientConfig::new("client.test"),
        &Policy::default(),
        &[(
            Envelope::new(Some("jöran@bücher.example"), ["ü@example.net"]),
            "Subject: ü\r\n\r\nü\r\n".as_bytes(),
        )],
        64,
    );
    assert!(sent(&r)[0].is_ok(), "{:?}", r.client_events);
    assert!(r.messages[0].mail.smtputf8);
    assert_eq!(r.messages[0].recipients[0].to, "ü@example.net");
    let mut scfg = ServerConfig::new("mx.test");
    scfg.capabilities.smtputf8 = false;
    let r = both(
        scfg,
        ClientConfig::new("client.test"),
        &Policy::default(),
        &[(Envelope::new(Some("ü@x.example"), ["a@example.net"]), BODY)],
        64,
    );
    assert!(matches!(
        sent(&r)[0],
        Err(ClientError::ExtensionMissing("SMTPUTF8"))
    ));
}

#[test]
fn invalid_envelopes_are_refused_before_sending() {
    let now = Instant::now();
    let mut c = ClientSession::new(ClientConfig::new("client.test"), now);
    for bad in ["a@b\r\nRCPT TO:<x@y>", "a b@c", "", "a@"] {
        assert!(matches!(
            c.send_mail(Envelope::new(Some(bad), ["ok@example.net"]), Vec::new()),
            Err(ClientError::InvalidEnvelope(_))
        ));
        assert!(
            c.send_mail(Envelope::new(Some("ok@example.net"), [bad]), Vec::new())
                .is_err()
        );
    }
}

#[test]
fn server_timeout_reaches_the_client_as_421() {
    let now = Instant::now();
    let mut server = ServerSession::new(ServerConfig::new("mx.test"), now);
    let mut client = ClientSession::new(ClientConfig::new("client.test"), now);
    let greeting = server.poll_transmit().unwrap();
    client.handle_input(now, &greeting);
    let _ehlo = client.poll_transmit().unwrap(); // lost: the server never sees it
    let at = server.poll_timeout().unwrap();
    assert_eq!(at, now + Duration::from_secs(300));
    server.handle_timeout(at - Duration::from_secs(1));
    assert!(!server.is_closed());
    server.handle_timeout(at);
    assert!(server.is_closed());
    client.handle_input(at, &server.poll_transmit().unwrap());
    match client.poll_event() {
        Some(ClientEvent::Closed(Some(ClientError::ServiceClosing(r)))) => {
            assert_eq!(r.code.get(), 421)
        }
        other => panic!("{other:?}"),
    }
    // The client's own timeout: 5 minutes for the EHLO reply.
    let mut client = ClientSession::new(ClientConfig::new("client.test"), now);
    client.handle_input(now, &greeting);
    let t = client.poll_timeout().unwrap();
    assert_eq!(t, now + Duration::from_secs(300));
    client.handle_timeout(t);
    assert!(client.is_closed());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any body, any split: the server stores exactly what the client was
    /// given (after line-ending normalisation), by DATA and by BDAT.
    #[test]
    fn any_body_arrives_intact(
        lines in proptest::collection::vec("[.a-z ]{0,12}", 0..12),
        chunk in 1usize..50,
        chunking in any::<bool>(),
        pipelining in any::<bool>(),
    ) {
        let body: Vec<u8> = lines.iter().flat_map(|l| [l.as_bytes(), b"\r\n"].concat()).collect();
        let mut scfg = ServerConfig::new("mx.test");
        scfg.capabilities.chunking = chunking;
        scfg.capabilities.pipelining = pipelining;
        let r = both(scfg, ClientConfig::new("client.test"), &Policy::default(), &[(env(&["a@example.net"]), &body)], chunk);
        prop_assert_eq!(r.messages.len(), 1);
        prop_assert_eq!(&r.messages[0].body, &body);
        prop_assert!(sent(&r)[0].is_ok());
        prop_assert!(r.client_closed && r.server_closed);
    }
}
