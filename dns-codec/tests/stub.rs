//! The stub resolver wired back to back with the authoritative answerer, on a
//! simulated clock: matching, 0x20, spoofing, retransmission with backoff, server
//! rotation, timeouts and the TCP fallback.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use dns_codec::auth::{Catalog, Transport, Zone};
use dns_codec::stub::{Protocol, StubConfig, StubEvent, StubResolver, Transmit};
use dns_codec::wire::{Message, Name, RData, Rcode, Rtype};
use dns_codec::zone::{ZoneOptions, parse_zone};

const ZONE: &str = r#"
$ORIGIN example.test.
$TTL 60
@    SOA ns hm 1 7200 3600 1209600 30
@    NS  ns
ns   A   192.0.2.53
www  A   192.0.2.80
big  TXT "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
big  TXT "1123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
big  TXT "2123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
big  TXT "3123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
big  TXT "4123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
big  TXT "5123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
"#;

fn catalog() -> Catalog {
    let zone = Zone::new(parse_zone(ZONE, &ZoneOptions::default()).unwrap()).unwrap();
    Catalog::new(vec![zone]).unwrap()
}

fn rng(seed: u64) -> impl FnMut() -> u64 {
    let mut s = seed | 1;
    move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    }
}

fn server(n: u8) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, n], 53))
}

/// The authoritative side's answer to a transmit.
fn answer(c: &Catalog, t: &Transmit) -> Vec<u8> {
    let mut out = vec![0u8; 65535];
    let transport = match t.protocol {
        Protocol::Udp => Transport::Udp,
        Protocol::Tcp => Transport::Tcp,
    };
    let n = c.answer(&t.message, transport, &mut out).unwrap();
    out.truncate(n);
    out
}

fn name(text: &str) -> Name {
    text.parse().unwrap()
}

#[test]
fn query_is_answered_and_matched() {
    let c = catalog();
    let mut stub = StubResolver::new(StubConfig::new(vec![server(1)]));
    let now = Instant::now();
    let id = stub
        .query(now, &name("www.example.test"), Rtype::A, &mut rng(7))
        .unwrap();
    let t = stub.poll_transmit().unwrap();
    assert_eq!(
        (t.server, t.protocol, t.query),
        (server(1), Protocol::Udp, id)
    );
    // 0x20: the name went out in mixed case, the EDNS payload size is offered.
    let q = Message::parse(&t.message).unwrap();
    assert_eq!(q.question().unwrap().name, name("www.example.test"));
    assert_ne!(q.question().unwrap().name.to_string(), "www.example.test.");
    assert_eq!(q.edns().unwrap().udp_payload_size, 1232);
    stub.handle_datagram(now, server(1), &answer(&c, &t));
    match stub.poll_event() {
        Some(StubEvent::Answer {
            query,
            server: from,
            response,
        }) => {
            assert_eq!((query, from), (id, server(1)));
            let msg = Message::parse(&response).unwrap();
            assert_eq!(
                msg.answers().next().unwrap().data(),
                RData::A("192.0.2.80".parse().unwrap())
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(stub.pending(), 0);
    assert_eq!(stub.poll_timeout(), None);
}

#[test]
fn spoofed_and_stray_responses_are_ignored() {
    let c = catalog();
    let mut stub = StubResolver::new(StubConfig::new(vec![server(1)]));
    let now = Instant::now();
    stub.query(now, &name("www.example.test"), Rtype::A, &mut rng(9))
        .unwrap();
    let t = stub.poll_transmit().unwrap();
    let good = answer(&c, &t);

    // From the wrong address.
    stub.handle_datagram(now, server(2), &good);
    assert!(
        matches!(stub.poll_event(), Some(StubEvent::Mismatch { reason, .. }) if reason.contains("address"))
    );
    // Wrong id.
    let mut wrong_id = good.clone();
    wrong_id[0] ^= 0xFF;
    stub.handle_datagram(now, server(1), &wrong_id);
    assert!(
        matches!(stub.poll_event(), Some(StubEvent::Mismatch { reason, .. }) if reason.contains("id"))
    );
    // Right id, but the question's case flipped (an off-path guess at 0x20).
    let mut flipped = good.clone();
    let at = flipped
        .windows(3)
        .position(|w| w.eq_ignore_ascii_case(b"www"))
        .unwrap();
    for b in &mut flipped[at..at + 3] {
        *b ^= 0x20;
    }
    stub.handle_datagram(now, server(1), &flipped);
    assert!(
        matches!(stub.poll_event(), Some(StubEvent::Mismatch { reason, .. }) if reason.contains("0x20"))
    );
    // Garbage.
    stub.handle_datagram(now, server(1), b"\x00\x01garbage");
    assert!(matches!(
        stub.poll_event(),
        Some(StubEvent::Mismatch { .. })
    ));
    // Still waiting; then the genuine answer is accepted.
    assert_eq!(stub.pending(), 1);
    stub.handle_datagram(now, server(1), &good);
    assert!(matches!(stub.poll_event(), Some(StubEvent::Answer { .. })));
}

#[test]
fn retransmits_with_backoff_across_servers_then_times_out() {
    let mut config = StubConfig::new(vec![server(1), server(2)]);
    config.attempts = 3;
    let mut stub = StubResolver::new(config);
    let start = Instant::now();
    let id = stub
        .query(start, &name("www.example.test"), Rtype::A, &mut rng(3))
        .unwrap();
    let mut sent = vec![stub.poll_transmit().unwrap().server];
    let mut waits = Vec::new();
    let mut now = start;
    loop {
        let deadline = stub.poll_timeout().unwrap();
        waits.push(deadline - now);
        // A spurious early wake-up changes nothing.
        stub.handle_timeout(now);
        assert!(stub.poll_transmit().is_none());
        now = deadline;
        stub.handle_timeout(now);
        if let Some(t) = stub.poll_transmit() {
            sent.push(t.server);
            continue;
        }
        break;
    }
    assert_eq!(sent, [server(1), server(2), server(1)]);
    assert_eq!(
        waits,
        [
            Duration::from_secs(1),
            Duration::from_secs(2),
            Duration::from_secs(4)
        ]
    );
    assert_eq!(stub.poll_event(), Some(StubEvent::Timeout { query: id }));
    assert_eq!(stub.pending(), 0);
}

#[test]
fn truncated_answers_are_retried_over_tcp() {
    let c = catalog();
    let mut config = StubConfig::new(vec![server(1)]);
    config.edns_payload_size = None;
    let mut stub = StubResolver::new(config);
    let now = Instant::now();
    let id = stub
        .query(now, &name("big.example.test"), Rtype::TXT, &mut rng(5))
        .unwrap();
    let udp = stub.poll_transmit().unwrap();
    let truncated = answer(&c, &udp);
    assert!(Message::parse(&truncated).unwrap().header().tc);
    stub.handle_datagram(now, server(1), &truncated);
    assert!(stub.poll_event().is_none(), "TC is not an answer");
    let tcp = stub.poll_transmit().unwrap();
    assert_eq!(
        (tcp.protocol, tcp.server, tcp.message.clone()),
        (Protocol::Tcp, server(1), udp.message)
    );
    // The same response over UDP again no longer matches: the query moved to TCP.
    stub.handle_datagram(now, server(1), &truncated);
    assert!(matches!(
        stub.poll_event(),
        Some(StubEvent::Mismatch { .. })
    ));
    stub.handle_tcp_message(now, server(1), &answer(&c, &tcp));
    match stub.poll_event() {
        Some(StubEvent::Answer {
            query, response, ..
        }) => {
            assert_eq!(query, id);
            assert_eq!(Message::parse(&response).unwrap().answers().count(), 6);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn many_queries_are_told_apart() {
    let c = catalog();
    let mut stub = StubResolver::new(StubConfig::new(vec![server(1)]));
    let now = Instant::now();
    let mut random = rng(11);
    let ids: Vec<_> = (0..50)
        .map(|i| {
            let n = if i % 2 == 0 {
                "www.example.test"
            } else {
                "nope.example.test"
            };
            stub.query(now, &name(n), Rtype::A, &mut random).unwrap()
        })
        .collect();
    let transmits: Vec<_> = std::iter::from_fn(|| stub.poll_transmit()).collect();
    assert_eq!(transmits.len(), 50);
    // Answer in reverse order: each answer still reaches its own query.
    for t in transmits.iter().rev() {
        stub.handle_datagram(now, server(1), &answer(&c, t));
    }
    let mut answered = Vec::new();
    while let Some(e) = stub.poll_event() {
        let StubEvent::Answer {
            query, response, ..
        } = e
        else {
            panic!("{e:?}")
        };
        let rcode = Message::parse(&response).unwrap().rcode();
        let i = ids.iter().position(|&x| x == query).unwrap();
        assert_eq!(
            rcode,
            if i % 2 == 0 {
                Rcode::NOERROR
            } else {
                Rcode::NXDOMAIN
            }
        );
        answered.push(query);
    }
    assert_eq!(answered.len(), 50);
}

#[test]
fn review_regressions_in_the_stub() {
    let c = catalog();
    let now = Instant::now();
    // A late answer from the first server is accepted after moving to the second.
    let mut stub = StubResolver::new(StubConfig::new(vec![server(1), server(2)]));
    stub.query(now, &name("www.example.test"), Rtype::A, &mut rng(21))
        .unwrap();
    let first = stub.poll_transmit().unwrap();
    let deadline = stub.poll_timeout().unwrap();
    stub.handle_timeout(deadline);
    assert_eq!(stub.poll_transmit().unwrap().server, server(2));
    stub.handle_datagram(deadline, server(1), &answer(&c, &first));
    let event = stub.poll_event();
    assert!(
        matches!(event, Some(StubEvent::Answer { server: s, .. }) if s == server(1)),
        "{event:?}"
    );

    // Queries that start over TCP rotate servers too.
    let mut config = StubConfig::new(vec![server(1), server(2)]);
    config.start_protocol = Protocol::Tcp;
    let mut stub = StubResolver::new(config);
    stub.query(now, &name("www.example.test"), Rtype::A, &mut rng(22))
        .unwrap();
    assert_eq!(stub.poll_transmit().unwrap().server, server(1));
    stub.handle_timeout(stub.poll_timeout().unwrap());
    assert_eq!(stub.poll_transmit().unwrap().server, server(2));

    // Cancelling drops queued transmits.
    let mut stub = StubResolver::new(StubConfig::new(vec![server(1)]));
    let id = stub
        .query(now, &name("www.example.test"), Rtype::A, &mut rng(23))
        .unwrap();
    stub.cancel(id);
    assert!(stub.poll_transmit().is_none());
    assert_eq!(stub.poll_timeout(), None);

    // A constant RNG cannot make id selection loop forever.
    let mut stub = StubResolver::new(StubConfig::new(vec![server(1)]));
    let mut constant = || 7u64;
    assert!(
        stub.query(now, &name("a.example.test"), Rtype::A, &mut constant)
            .is_ok()
    );
    assert!(
        stub.query(now, &name("b.example.test"), Rtype::A, &mut constant)
            .is_err()
    );

    // A huge initial timeout (never retransmit) does not overflow.
    let mut config = StubConfig::new(vec![server(1)]);
    config.initial_timeout = Duration::MAX;
    let mut stub = StubResolver::new(config);
    stub.query(now, &name("www.example.test"), Rtype::A, &mut rng(24))
        .unwrap();
    stub.handle_timeout(now + Duration::from_secs(3600));
    assert_eq!(stub.pending(), 1);
}
