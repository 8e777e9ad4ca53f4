//! Authoritative answers over a test zone: every case a server must get right.

use dns_codec::auth::{Catalog, Transport, Zone, ZoneLoadError};
use dns_codec::wire::{
    Class, Edns, EdnsOptions, Header, Message, MessageBuilder, Name, Opcode, RData, Rcode, Rtype,
};
use dns_codec::zone::{ZoneOptions, parse_zone};

const ZONE: &str = r#"
$ORIGIN example.test.
$TTL 3600
@       SOA   ns1 hostmaster 2024010101 7200 3600 1209600 300
@       NS    ns1
@       NS    ns2.elsewhere.test.
@       MX    10 mail
@       TXT   "v=spf1 -all"
ns1     A     192.0.2.53
        AAAA  2001:db8::53
mail    A     192.0.2.25
www     CNAME web
web     A     192.0.2.80
        AAAA  2001:db8::80
alias   CNAME www
out     CNAME www.other.test.
loop1   CNAME loop2
loop2   CNAME loop1
_sip._tcp SRV 10 60 5060 sipserver
sipserver A   192.0.2.99
*.wild  A     192.0.2.42
*.wild  TXT   "wildcard"
deep.ent.x A  192.0.2.7
sub     NS    ns.sub
sub     NS    ns.outside.test.
ns.sub  A     192.0.2.200
sub     DS    12345 8 2 49FD46E6C4B45C55D4AC69CBD3CD34AC1AFE51DE3C8B8DE0C3F2E56E8C3F3A9B
big     TXT   "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
big     TXT   "1123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
big     TXT   "2123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
big     TXT   "3123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
big     TXT   "4123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
big     TXT   "5123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
moved   DNAME web.example.test.
"#;

/// Minimal responses, so each test sees only what its case adds; the default (the
/// zone's NS in the authority section, as nsd does) has its own test.
fn catalog() -> Catalog {
    let records = parse_zone(ZONE, &ZoneOptions::default()).unwrap();
    Catalog::new(vec![Zone::new(records).unwrap()])
        .unwrap()
        .with_minimal_responses(true)
}

fn query(name: &str, qtype: Rtype, edns: Option<(u16, u8)>) -> Vec<u8> {
    let mut buf = vec![0u8; 512];
    let mut b = MessageBuilder::new(&mut buf);
    b.set_header(Header {
        id: 0x5151,
        rd: true,
        ..Header::default()
    });
    if let Some((size, version)) = edns {
        b.set_edns(&Edns {
            udp_payload_size: size,
            extended_rcode: 0,
            version,
            dnssec_ok: false,
            z: 0,
            options: EdnsOptions::from_wire(&[]).unwrap(),
        })
        .unwrap();
    }
    b.question(name.parse::<Name>().unwrap().as_ref(), qtype, Class::IN)
        .unwrap();
    let len = b.finish();
    buf.truncate(len);
    buf
}

struct Answer {
    bytes: Vec<u8>,
}

impl Answer {
    fn msg(&self) -> Message<'_> {
        Message::parse(&self.bytes).unwrap()
    }
    /// (section, owner, type, rdata-as-text) for every record, OPT left out.
    fn records(&self) -> Vec<(&'static str, String, Rtype, String)> {
        let msg = self.msg();
        let mut out = Vec::new();
        for (section, records) in [
            ("an", msg.answers()),
            ("ns", msg.authority()),
            ("ar", msg.additional()),
        ] {
            for r in records.filter(|r| r.rtype != Rtype::OPT) {
                let data = match r.data() {
                    RData::A(a) => a.to_string(),
                    RData::Aaaa(a) => a.to_string(),
                    RData::Cname(n) | RData::Ns(n) | RData::Dname(n) => n.to_string(),
                    RData::Mx(mx) => format!("{} {}", mx.preference, mx.exchange),
                    RData::Soa(s) => format!("{} {}", s.mname, s.serial),
                    RData::Srv(s) => format!("{} {}", s.port, s.target),
                    RData::Txt(t) => t
                        .iter()
                        .map(|s| String::from_utf8_lossy(s).into_owned())
                        .collect::<Vec<_>>()
                        .join(""),
                    RData::Ds(d) => d.key_tag.to_string(),
                    other => format!("{other:?}"),
                };
                out.push((section, r.name.to_string(), r.rtype, data));
            }
        }
        out
    }
}

fn ask(c: &Catalog, name: &str, qtype: Rtype, transport: Transport) -> Answer {
    ask_raw(c, &query(name, qtype, None), transport)
}

fn ask_raw(c: &Catalog, q: &[u8], transport: Transport) -> Answer {
    let mut out = vec![0u8; 65535];
    let len = c.answer(q, transport, &mut out).expect("a response");
    out.truncate(len);
    Answer { bytes: out }
}

fn rec(
    section: &'static str,
    owner: &str,
    rtype: Rtype,
    data: &str,
) -> (&'static str, String, Rtype, String) {
    (section, owner.to_string(), rtype, data.to_string())
}

#[test]
fn exact_answer_with_additional_addresses() {
    let c = catalog();
    let a = ask(&c, "example.test", Rtype::MX, Transport::Udp);
    let h = a.msg().header();
    assert!(h.qr && h.aa && h.rd && !h.ra && !h.tc);
    assert_eq!(h.id, 0x5151);
    assert_eq!(a.msg().rcode(), Rcode::NOERROR);
    assert_eq!(
        a.records(),
        [
            rec("an", "example.test.", Rtype::MX, "10 mail.example.test."),
            rec("ar", "mail.example.test.", Rtype::A, "192.0.2.25"),
        ]
    );
    let a = ask(&c, "_sip._tcp.example.test", Rtype::SRV, Transport::Udp);
    assert_eq!(
        a.records(),
        [
            rec(
                "an",
                "_sip._tcp.example.test.",
                Rtype::SRV,
                "5060 sipserver.example.test."
            ),
            rec("ar", "sipserver.example.test.", Rtype::A, "192.0.2.99"),
        ]
    );
    let a = ask(&c, "example.test", Rtype::NS, Transport::Udp);
    assert_eq!(
        a.records(),
        [
            rec("an", "example.test.", Rtype::NS, "ns1.example.test."),
            rec("an", "example.test.", Rtype::NS, "ns2.elsewhere.test."),
            rec("ar", "ns1.example.test.", Rtype::A, "192.0.2.53"),
            rec("ar", "ns1.example.test.", Rtype::AAAA, "2001:db8::53"),
        ]
    );
}

#[test]
fn question_case_is_echoed() {
    let c = catalog();
    let a = ask(&c, "WeB.ExAmPlE.TeSt", Rtype::A, Transport::Udp);
    let msg = a.msg();
    assert_eq!(
        msg.question().unwrap().name.to_string(),
        "WeB.ExAmPlE.TeSt."
    );
    assert_eq!(msg.answers().count(), 1);
}

#[test]
fn cname_chains_inside_the_zone() {
    let c = catalog();
    let a = ask(&c, "alias.example.test", Rtype::A, Transport::Udp);
    assert_eq!(
        a.records(),
        [
            rec(
                "an",
                "alias.example.test.",
                Rtype::CNAME,
                "www.example.test."
            ),
            rec("an", "www.example.test.", Rtype::CNAME, "web.example.test."),
            rec("an", "web.example.test.", Rtype::A, "192.0.2.80"),
        ]
    );
    assert!(a.msg().header().aa);
    // Asking for the CNAME itself does not follow it.
    let a = ask(&c, "www.example.test", Rtype::CNAME, Transport::Udp);
    assert_eq!(
        a.records(),
        [rec(
            "an",
            "www.example.test.",
            Rtype::CNAME,
            "web.example.test."
        )]
    );
    // A target outside the zone: the chain stops, the resolver goes on.
    let a = ask(&c, "out.example.test", Rtype::A, Transport::Udp);
    assert_eq!(
        a.records(),
        [rec(
            "an",
            "out.example.test.",
            Rtype::CNAME,
            "www.other.test."
        )]
    );
    // A loop terminates.
    let a = ask(&c, "loop1.example.test", Rtype::A, Transport::Udp);
    assert_eq!(a.msg().answers().count(), 2);
}

#[test]
fn nxdomain_and_nodata_carry_the_soa_with_the_negative_ttl() {
    let c = catalog();
    let a = ask(&c, "nope.example.test", Rtype::A, Transport::Udp);
    assert_eq!(a.msg().rcode(), Rcode::NXDOMAIN);
    assert!(a.msg().header().aa);
    assert_eq!(
        a.records(),
        [rec(
            "ns",
            "example.test.",
            Rtype::SOA,
            "ns1.example.test. 2024010101"
        )]
    );
    assert_eq!(
        a.msg().authority().next().unwrap().ttl,
        300,
        "min(SOA TTL, minimum)"
    );
    // NODATA: the name exists, the type does not.
    let a = ask(&c, "web.example.test", Rtype::MX, Transport::Udp);
    assert_eq!(a.msg().rcode(), Rcode::NOERROR);
    assert_eq!(a.msg().answers().count(), 0);
    assert_eq!(a.msg().authority().next().unwrap().rtype, Rtype::SOA);
    // An empty non-terminal exists: NODATA, not NXDOMAIN.
    let a = ask(&c, "ent.x.example.test", Rtype::A, Transport::Udp);
    assert_eq!(a.msg().rcode(), Rcode::NOERROR);
    let a = ask(&c, "x.example.test", Rtype::A, Transport::Udp);
    assert_eq!(a.msg().rcode(), Rcode::NOERROR);
    // A CNAME to a name that does not exist: NXDOMAIN for the final target (RFC 6604).
    let a = ask(&c, "nothing.wild.example.test", Rtype::MX, Transport::Udp);
    assert_eq!(a.msg().rcode(), Rcode::NOERROR, "wildcard exists: NODATA");
}

#[test]
fn wildcards_synthesize_with_the_query_name() {
    let c = catalog();
    let a = ask(&c, "anything.wild.example.test", Rtype::A, Transport::Udp);
    assert_eq!(
        a.records(),
        [rec(
            "an",
            "anything.wild.example.test.",
            Rtype::A,
            "192.0.2.42"
        )]
    );
    let a = ask(&c, "a.b.wild.example.test", Rtype::TXT, Transport::Udp);
    assert_eq!(
        a.records(),
        [rec("an", "a.b.wild.example.test.", Rtype::TXT, "wildcard")]
    );
    // The wildcard does not cover the parent itself, nor names that exist.
    let a = ask(&c, "wild.example.test", Rtype::A, Transport::Udp);
    assert_eq!(
        a.msg().rcode(),
        Rcode::NOERROR,
        "wild is an empty non-terminal"
    );
    assert_eq!(a.msg().answers().count(), 0);
    // NODATA through the wildcard.
    let a = ask(&c, "other.wild.example.test", Rtype::AAAA, Transport::Udp);
    assert_eq!(
        (a.msg().rcode(), a.msg().answers().count()),
        (Rcode::NOERROR, 0)
    );
}

#[test]
fn delegations_are_referrals_with_glue() {
    let c = catalog();
    for name in [
        "sub.example.test",
        "host.sub.example.test",
        "a.b.sub.example.test",
    ] {
        let a = ask(&c, name, Rtype::A, Transport::Udp);
        let h = a.msg().header();
        assert!(!h.aa, "{name}: a referral is not authoritative");
        assert_eq!(a.msg().rcode(), Rcode::NOERROR);
        assert_eq!(
            a.records(),
            [
                rec("ns", "sub.example.test.", Rtype::NS, "ns.sub.example.test."),
                rec("ns", "sub.example.test.", Rtype::NS, "ns.outside.test."),
                rec("ar", "ns.sub.example.test.", Rtype::A, "192.0.2.200"),
            ],
            "{name}"
        );
    }
    // DS lives on the parent side of the cut: answered authoritatively.
    let a = ask(&c, "sub.example.test", Rtype::DS, Transport::Udp);
    assert!(a.msg().header().aa);
    assert_eq!(
        a.records(),
        [rec("an", "sub.example.test.", Rtype::DS, "12345")]
    );
}

#[test]
fn dname_substitution() {
    let c = catalog();
    let a = ask(&c, "www.moved.example.test", Rtype::A, Transport::Udp);
    // DNAME, the CNAME synthesized from it, then the answer for the new name.
    let records = a.records();
    assert_eq!(
        records[0],
        rec(
            "an",
            "moved.example.test.",
            Rtype::DNAME,
            "web.example.test."
        )
    );
    assert_eq!(
        records[1],
        rec(
            "an",
            "www.moved.example.test.",
            Rtype::CNAME,
            "www.web.example.test."
        )
    );
    assert_eq!(
        a.msg().rcode(),
        Rcode::NXDOMAIN,
        "www.web.example.test does not exist"
    );
}

#[test]
fn refused_formerr_notimp_and_silence() {
    let c = catalog();
    let a = ask(&c, "www.other.test", Rtype::A, Transport::Udp);
    assert_eq!(a.msg().rcode(), Rcode::REFUSED);
    assert!(!a.msg().header().aa);
    assert_eq!(a.msg().answers().count(), 0);
    // Zone transfers are not offered.
    let a = ask(&c, "example.test", Rtype::AXFR, Transport::Tcp);
    assert_eq!(a.msg().rcode(), Rcode::REFUSED);
    // Two questions: FORMERR.
    let mut q = query("example.test", Rtype::A, None);
    let extra = q[12..].to_vec();
    q[5] = 2;
    q.extend_from_slice(&extra);
    assert_eq!(
        ask_raw(&c, &q, Transport::Udp).msg().rcode(),
        Rcode::FORMERR
    );
    // Garbage after a header: FORMERR with the id kept.
    let mut garbage = query("example.test", Rtype::A, None);
    garbage.truncate(20);
    let a = ask_raw(&c, &garbage, Transport::Udp);
    assert_eq!(
        (a.msg().rcode(), a.msg().header().id),
        (Rcode::FORMERR, 0x5151)
    );
    // An UPDATE: NOTIMP.
    let mut update = query("example.test", Rtype::SOA, None);
    update[2] = (Opcode::UPDATE.0 << 3) | 1;
    let a = ask_raw(&c, &update, Transport::Udp);
    assert_eq!(a.msg().rcode(), Rcode::NOTIMP);
    assert_eq!(a.msg().header().opcode, Opcode::UPDATE);
    // Responses and runts get no answer at all.
    let mut response = query("example.test", Rtype::A, None);
    response[2] |= 0x80;
    assert!(
        c.answer(&response, Transport::Udp, &mut [0u8; 512])
            .is_none()
    );
    assert!(
        c.answer(&[0u8; 11], Transport::Udp, &mut [0u8; 512])
            .is_none()
    );
}

#[test]
fn edns_is_answered_and_badvers_for_unknown_versions() {
    let c = catalog();
    let a = ask_raw(
        &c,
        &query("web.example.test", Rtype::A, Some((4096, 0))),
        Transport::Udp,
    );
    let e = a.msg().edns().expect("OPT echoed");
    assert_eq!((e.udp_payload_size, e.version), (1232, 0));
    assert_eq!(a.msg().answers().count(), 1);
    let a = ask_raw(
        &c,
        &query("web.example.test", Rtype::A, Some((4096, 1))),
        Transport::Udp,
    );
    assert_eq!(a.msg().rcode(), Rcode::BADVERS);
    assert_eq!(a.msg().edns().unwrap().version, 0);
    // No EDNS in, none out.
    let a = ask(&c, "web.example.test", Rtype::A, Transport::Udp);
    assert!(a.msg().edns().is_none());
}

#[test]
fn udp_answers_are_truncated_to_the_payload_size_and_complete_over_tcp() {
    let c = catalog();
    let a = ask(&c, "big.example.test", Rtype::TXT, Transport::Udp);
    assert!(a.bytes.len() <= 512);
    assert!(a.msg().header().tc);
    assert_eq!(a.msg().answers().count(), 0);
    let a = ask_raw(
        &c,
        &query("big.example.test", Rtype::TXT, Some((1232, 0))),
        Transport::Udp,
    );
    assert!(!a.msg().header().tc, "fits in the EDNS payload size");
    assert_eq!(a.msg().answers().count(), 6);
    let a = ask(&c, "big.example.test", Rtype::TXT, Transport::Tcp);
    assert!(!a.msg().header().tc);
    assert_eq!(a.msg().answers().count(), 6);
}

#[test]
fn most_specific_zone_wins_and_bad_zones_are_refused() {
    let parent = Zone::new(parse_zone(ZONE, &ZoneOptions::default()).unwrap()).unwrap();
    let child_text = "$ORIGIN sub.example.test.\n$TTL 60\n@ SOA ns hm 1 2 3 4 5\n@ NS ns\nns A 192.0.2.200\nhost A 192.0.2.201\n";
    let child = Zone::new(parse_zone(child_text, &ZoneOptions::default()).unwrap()).unwrap();
    let c = Catalog::new(vec![parent, child])
        .unwrap()
        .with_minimal_responses(true);
    let a = ask(&c, "host.sub.example.test", Rtype::A, Transport::Udp);
    assert!(a.msg().header().aa);
    assert_eq!(
        a.records(),
        [rec("an", "host.sub.example.test.", Rtype::A, "192.0.2.201")]
    );

    let load = |text: &str| {
        Zone::new(parse_zone(text, &ZoneOptions::default().with_default_ttl(60)).unwrap())
    };
    assert!(matches!(
        load("a.test. A 192.0.2.1\n"),
        Err(ZoneLoadError::SoaCount(0))
    ));
    assert!(matches!(
        load("a.test. SOA a. b. 1 2 3 4 5\n"),
        Err(ZoneLoadError::NoApexNs(_))
    ));
    assert!(matches!(
        load("a.test. SOA a. b. 1 2 3 4 5\na.test. NS a.\nb.test. A 192.0.2.1\n"),
        Err(ZoneLoadError::OutOfZone { .. })
    ));
    assert!(matches!(
        load(
            "a.test. SOA a. b. 1 2 3 4 5\na.test. NS a.\nx.a.test. CNAME y.\nx.a.test. A 192.0.2.1\n"
        ),
        Err(ZoneLoadError::CnameAndOtherData(_))
    ));
}

#[test]
fn positive_answers_name_the_zone_servers_by_default() {
    let records = parse_zone(ZONE, &ZoneOptions::default()).unwrap();
    let c = Catalog::new(vec![Zone::new(records).unwrap()]).unwrap();
    let a = ask(&c, "web.example.test", Rtype::A, Transport::Udp);
    assert_eq!(
        a.records(),
        [
            rec("an", "web.example.test.", Rtype::A, "192.0.2.80"),
            rec("ns", "example.test.", Rtype::NS, "ns1.example.test."),
            rec("ns", "example.test.", Rtype::NS, "ns2.elsewhere.test."),
            rec("ar", "ns1.example.test.", Rtype::A, "192.0.2.53"),
            rec("ar", "ns1.example.test.", Rtype::AAAA, "2001:db8::53"),
        ]
    );
    // Not for the NS RRset itself, negative answers, referrals, DS or DNSKEY.
    let a = ask(&c, "example.test", Rtype::NS, Transport::Udp);
    assert_eq!(a.msg().authority().count(), 0);
    let a = ask(&c, "nope.example.test", Rtype::A, Transport::Udp);
    assert_eq!(a.msg().authority().next().unwrap().rtype, Rtype::SOA);
    let a = ask(&c, "sub.example.test", Rtype::DS, Transport::Udp);
    assert_eq!(a.msg().authority().count(), 0);
}

fn load(text: &str) -> Zone {
    Zone::new(parse_zone(text, &ZoneOptions::default().with_default_ttl(60)).unwrap()).unwrap()
}

const SMALL: &str = "$ORIGIN s.test.\n@ SOA ns hm 1 2 3 4 5\n@ NS ns\nns A 192.0.2.1\n";

#[test]
fn review_regressions_in_answers() {
    // A DNAME at the apex applies to every name below it (RFC 6672 section 2.3).
    let z = load(&format!("{SMALL}@ DNAME target.test.\n"));
    let c = Catalog::new(vec![z]).unwrap().with_minimal_responses(true);
    let a = ask(&c, "www.s.test", Rtype::A, Transport::Udp);
    let r = a.records();
    assert_eq!(r[0], rec("an", "s.test.", Rtype::DNAME, "target.test."));
    assert_eq!(
        r[1],
        rec("an", "www.s.test.", Rtype::CNAME, "www.target.test.")
    );

    // A CNAME to itself appears once.
    let c = Catalog::new(vec![load(&format!("{SMALL}self CNAME self\n"))]).unwrap();
    assert_eq!(
        ask(&c, "self.s.test", Rtype::A, Transport::Udp)
            .msg()
            .answers()
            .count(),
        1
    );

    // `*.w` existing only as an empty non-terminal: NODATA, not NXDOMAIN.
    let c = Catalog::new(vec![load(&format!("{SMALL}x.*.w A 192.0.2.9\n"))]).unwrap();
    let a = ask(&c, "other.w.s.test", Rtype::A, Transport::Udp);
    assert_eq!(
        (a.msg().rcode(), a.msg().answers().count()),
        (Rcode::NOERROR, 0)
    );

    // DS for a child apex comes from the parent zone when both are served.
    let parent = load(&format!(
        "{SMALL}kid NS ns.kid\nns.kid A 192.0.2.2\nkid DS 1 8 2 00FF\n"
    ));
    let child = load("$ORIGIN kid.s.test.\n@ SOA ns hm 1 2 3 4 5\n@ NS ns\nns A 192.0.2.2\n");
    let c = Catalog::new(vec![parent, child]).unwrap();
    let a = ask(&c, "kid.s.test", Rtype::DS, Transport::Udp);
    assert_eq!(a.msg().answers().next().unwrap().rtype, Rtype::DS);

    // A CNAME chain into a delegation: the chain, then the referral.
    let c = Catalog::new(vec![load(&format!(
        "{SMALL}kid NS ns.kid\nns.kid A 192.0.2.2\nto-kid CNAME host.kid\n"
    ))])
    .unwrap();
    let a = ask(&c, "to-kid.s.test", Rtype::A, Transport::Udp);
    let r = a.records();
    assert_eq!(
        r[0],
        rec("an", "to-kid.s.test.", Rtype::CNAME, "host.kid.s.test.")
    );
    assert_eq!(r[1], rec("ns", "kid.s.test.", Rtype::NS, "ns.kid.s.test."));

    // An empty catalog answers EDNS queries (REFUSED) instead of panicking.
    let empty = Catalog::default();
    let q = query("a.test", Rtype::A, Some((4096, 0)));
    let a = ask_raw(&empty, &q, Transport::Udp);
    assert_eq!(a.msg().rcode(), Rcode::REFUSED);

    // Error replies to EDNS queries keep the OPT record.
    let mut update = query("s.test", Rtype::SOA, Some((1232, 0)));
    update[2] = (Opcode::UPDATE.0 << 3) | 1;
    let a = ask_raw(&c, &update, Transport::Udp);
    assert_eq!(a.msg().rcode(), Rcode::NOTIMP);
    assert!(a.msg().edns().is_some());
}

#[test]
fn optional_authority_is_dropped_before_setting_tc() {
    // An answer that fits 512 bytes only without the zone's NS records.
    let mut text = String::from(SMALL);
    for i in 0..20 {
        text.push_str(&format!(
            "@ NS ns{i}.a-rather-long-name-for-a-name-server.test.\n"
        ));
    }
    text.push_str("big TXT \"");
    text.push_str(&"x".repeat(200));
    text.push_str("\" \"");
    text.push_str(&"y".repeat(200));
    text.push_str("\"\n");
    let c = Catalog::new(vec![load(&text)]).unwrap();
    let a = ask(&c, "big.s.test", Rtype::TXT, Transport::Udp);
    assert!(
        !a.msg().header().tc,
        "the answer fits without the NS records"
    );
    assert_eq!(a.msg().answers().count(), 1);
    assert_eq!(a.msg().authority().count(), 0);
}

#[test]
fn zones_reject_meta_types_and_bad_rdata() {
    let bad = |text: &str| {
        Zone::new(parse_zone(text, &ZoneOptions::default().with_default_ttl(60)).unwrap())
    };
    assert!(matches!(
        bad(&format!("{SMALL}x TYPE41 \\# 0\n")),
        Err(ZoneLoadError::NotZoneData { .. })
    ));
    assert!(matches!(
        bad(&format!("{SMALL}d DNAME a.test.\nd DNAME b.test.\n")),
        Err(ZoneLoadError::NotZoneData { .. })
    ));
    let mut records = parse_zone(SMALL, &ZoneOptions::default().with_default_ttl(60)).unwrap();
    let mut broken = records[2].clone();
    broken.rdata = vec![1, 2, 3];
    records.push(broken);
    assert!(matches!(
        Zone::new(records),
        Err(ZoneLoadError::BadRdata { .. })
    ));
}
