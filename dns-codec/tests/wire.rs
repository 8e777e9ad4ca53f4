//! Known answers (RFC examples), builder behaviour, and property tests: every record
//! type and whole messages survive write -> parse, and TCP framing is split-invariant.

use std::net::{Ipv4Addr, Ipv6Addr};

use dns_codec::wire::{
    BuildError, Caa, CharStrings, Class, Dnskey, Ds, Edns, EdnsOption, EdnsOptions, Error, Header,
    Limits, Message, MessageBuilder, Mx, Name, Naptr, Nsec, Nsec3, RData, Rcode, Rrsig, Rtype,
    Section, Soa, Srv, SvcParam, SvcParams, Svcb, TcpFramer, TypeBitmap, frame_prefix,
};
use proptest::prelude::*;

fn name(text: &str) -> Name {
    text.parse().unwrap()
}

fn edns(
    udp_payload_size: u16,
    extended_rcode: u8,
    dnssec_ok: bool,
    options: EdnsOptions<'_>,
) -> Edns<'_> {
    Edns {
        udp_payload_size,
        extended_rcode,
        version: 0,
        dnssec_ok,
        z: 0,
        options,
    }
}

#[test]
fn canonical_order_rfc4034_section_6_1() {
    // The example list from RFC 4034 section 6.1, already in canonical order.
    let ordered = [
        "example",
        "a.example",
        "yljkjljk.a.example",
        "Z.a.example",
        "zABC.a.EXAMPLE",
        "z.example",
        "\\001.z.example",
        "*.z.example",
        "\\200.z.example",
    ];
    let names: Vec<Name> = ordered.iter().map(|t| name(t)).collect();
    for pair in names.windows(2) {
        assert!(pair[0] < pair[1], "{} < {}", pair[0], pair[1]);
    }
    let mut shuffled = names.clone();
    shuffled.reverse();
    shuffled.sort();
    assert_eq!(shuffled, names);
}

#[test]
fn presentation_format_escapes_and_limits() {
    let n = name("a\\.b.c\\032d.\\\\.x\\000y");
    let labels: Vec<&[u8]> = n.labels().collect();
    assert_eq!(labels, [&b"a.b"[..], b"c d", b"\\", b"x\0y"]);
    assert_eq!(n.to_string(), "a\\.b.c\\032d.\\\\.x\\000y.");
    assert_eq!(name(&n.to_string()), n, "display output parses back");
    assert_eq!(name(".").to_string(), ".");
    assert!(name(".").is_root());
    assert_eq!(name("Example.COM"), name("example.com."));
    assert_eq!(
        name("Example.COM").to_string(),
        "Example.COM.",
        "case is kept"
    );

    let long_label = "a".repeat(64);
    assert!(matches!(
        long_label.parse::<Name>(),
        Err(Error::BadNameText { .. })
    ));
    assert!("a".repeat(63).parse::<Name>().is_ok());
    // 255 bytes exactly: 127 labels of 1 byte = 254 + root.
    let max = vec!["a"; 127].join(".");
    assert_eq!(name(&max).as_wire().len(), 255);
    let too_long = vec!["a"; 128].join(".");
    assert!(too_long.parse::<Name>().is_err());
    for bad in ["a..b", ".a", "a\\", "a\\25", "a\\256"] {
        assert!(bad.parse::<Name>().is_err(), "{bad}");
    }
}

#[test]
fn subdomain_test_ignores_case() {
    let zone = name("Example.com");
    assert!(
        name("www.EXAMPLE.com")
            .as_ref()
            .is_below_or_at(&zone.as_ref())
    );
    assert!(zone.as_ref().is_below_or_at(&zone.as_ref()));
    assert!(!name("example.org").as_ref().is_below_or_at(&zone.as_ref()));
    assert!(!name("com").as_ref().is_below_or_at(&zone.as_ref()));
    assert!(
        !name("wwwexample.com")
            .as_ref()
            .is_below_or_at(&zone.as_ref())
    );
    assert!(zone.as_ref().is_below_or_at(&Name::root().as_ref()));
}

#[test]
fn compression_reuses_suffixes_and_keeps_case() {
    let mut buf = vec![0u8; 65535];
    let mut b = MessageBuilder::new(&mut buf);
    let q = name("Host.Example.com");
    b.question(q.as_ref(), Rtype::MX, Class::IN).unwrap();
    let mx1 = name("mx1.example.com");
    let mx2 = name("mx2.Example.com");
    for (pref, target) in [(10, &mx1), (20, &mx2)] {
        b.answer(
            q.as_ref(),
            Class::IN,
            60,
            &RData::Mx(Mx {
                preference: pref,
                exchange: target.as_ref(),
            }),
        )
        .unwrap();
    }
    let len = b.finish();
    let msg = Message::parse(&buf[..len]).unwrap();
    let targets: Vec<String> = msg
        .answers()
        .map(|r| match r.data() {
            RData::Mx(mx) => mx.exchange.to_string(),
            other => panic!("{other:?}"),
        })
        .collect();
    // Case survives: "mx2.Example.com" shares the exact suffix "Example.com" with the
    // question, "mx1.example.com" only "com".
    assert_eq!(targets, ["mx1.example.com.", "mx2.Example.com."]);
    // header 12 + question (18 + 4) + 2 answers: owner pointer (2) + 10 + MX
    // (2 + "mx1.example" 12 + pointer 2) and (2 + "mx2" 4 + pointer 2)
    assert_eq!(len, 12 + 22 + (2 + 10 + 16) + (2 + 10 + 8));
}

#[test]
fn thousands_of_records_compress_in_linear_time_and_parse() {
    let mut buf = vec![0u8; 65535];
    let mut b = MessageBuilder::new(&mut buf);
    let zone = name("example.com");
    b.question(zone.as_ref(), Rtype::NS, Class::IN).unwrap();
    let mut added = 0;
    for i in 0..5000 {
        let target = name(&format!("ns{i}.sub{}.example.com", i % 50));
        match b.answer(zone.as_ref(), Class::IN, 60, &RData::Ns(target.as_ref())) {
            Ok(()) => added += 1,
            Err(BuildError::Truncated { .. }) => break,
            Err(e) => panic!("{e}"),
        }
    }
    assert!(b.truncated());
    assert!(b.header().tc);
    let len = b.finish();
    let msg = Message::parse(&buf[..len]).unwrap();
    assert!(msg.header().tc);
    assert_eq!(msg.answers().count(), added);
    // Every record after the first 50 needs ~2 (owner) + 10 + 4..7 (label) + 2 bytes.
    assert!(
        added > 2500,
        "only {added} records fit: compression is not working"
    );
    for (i, r) in msg.answers().enumerate() {
        let RData::Ns(ns) = r.data() else { panic!() };
        assert_eq!(ns.to_string(), format!("ns{i}.sub{}.example.com.", i % 50));
    }
}

#[test]
fn truncation_stops_at_a_record_boundary_and_keeps_edns() {
    let mut buf = [0u8; 4096];
    let mut b = MessageBuilder::new(&mut buf);
    b.set_limit(512);
    let cookie = [1, 2, 3, 4, 5, 6, 7, 8];
    let mut opts = vec![0, 10, 0, 8];
    opts.extend_from_slice(&cookie);
    b.set_edns(&edns(1232, 0, true, EdnsOptions::from_wire(&opts).unwrap()))
        .unwrap();
    let owner = name("big.example");
    b.question(owner.as_ref(), Rtype::TXT, Class::IN).unwrap();
    let text = vec![b'x'; 100];
    let mut wire = vec![100u8];
    wire.extend_from_slice(&text);
    let txt = CharStrings::from_wire(&wire).unwrap();
    let mut added = 0;
    while b
        .answer(owner.as_ref(), Class::IN, 1, &RData::Txt(txt))
        .is_ok()
    {
        added += 1;
    }
    assert_eq!(
        b.authority(owner.as_ref(), Class::IN, 1, &RData::Txt(txt)),
        Err(BuildError::Truncated { limit: 512 - 23 })
    );
    let len = b.finish();
    assert!(len <= 512);
    let msg = Message::parse(&buf[..len]).unwrap();
    assert!(msg.header().tc);
    assert_eq!(msg.answers().count(), added);
    assert_eq!(msg.authority().count(), 0);
    let edns = msg.edns().expect("OPT kept despite truncation");
    assert_eq!(edns.udp_payload_size, 1232);
    assert!(edns.dnssec_ok);
    assert_eq!(
        edns.options.iter().collect::<Vec<_>>(),
        [EdnsOption::Cookie {
            client: &cookie[..],
            server: None
        }]
    );
}

#[test]
fn additional_section_truncation_does_not_set_tc() {
    let mut buf = [0u8; 100];
    let mut b = MessageBuilder::new(&mut buf);
    let owner = name("a.example");
    b.question(owner.as_ref(), Rtype::A, Class::IN).unwrap();
    b.answer(owner.as_ref(), Class::IN, 1, &RData::A(Ipv4Addr::LOCALHOST))
        .unwrap();
    let mut dropped = false;
    for i in 0..10 {
        let host = name(&format!("glue{i}.example"));
        if b.additional(host.as_ref(), Class::IN, 1, &RData::A(Ipv4Addr::LOCALHOST))
            .is_err()
        {
            dropped = true;
        }
    }
    assert!(dropped);
    let len = b.finish();
    let msg = Message::parse(&buf[..len]).unwrap();
    assert!(!msg.header().tc);
    assert_eq!(msg.answers().count(), 1);
}

#[test]
fn sections_must_come_in_order_and_edns_first() {
    let mut buf = [0u8; 512];
    let mut b = MessageBuilder::new(&mut buf);
    let n = name("x.example");
    b.answer(n.as_ref(), Class::IN, 1, &RData::A(Ipv4Addr::LOCALHOST))
        .unwrap();
    assert!(matches!(
        b.question(n.as_ref(), Rtype::A, Class::IN),
        Err(BuildError::SectionOrder { .. })
    ));
    assert_eq!(
        b.set_edns(&edns(512, 0, false, EdnsOptions::from_wire(&[]).unwrap())),
        Err(BuildError::EdnsTooLate)
    );
}

#[test]
fn header_flags_round_trip() {
    let mut buf = [0u8; 12];
    let mut b = MessageBuilder::new(&mut buf);
    let h = Header {
        id: 0xFFFF,
        qr: true,
        opcode: dns_codec::wire::Opcode::NOTIFY,
        aa: true,
        tc: false,
        rd: true,
        ra: false,
        z: false,
        ad: true,
        cd: true,
        rcode: 3,
    };
    b.set_header(h);
    assert_eq!(b.finish(), 12);
    let msg = Message::parse(&buf).unwrap();
    assert_eq!(msg.header(), h);
    assert_eq!(msg.rcode(), Rcode::NXDOMAIN);
}

#[test]
fn extended_rcode_combines_header_and_edns() {
    let mut buf = [0u8; 512];
    let mut b = MessageBuilder::new(&mut buf);
    b.set_header(Header {
        qr: true,
        rcode: 0,
        ..Header::default()
    });
    // BADVERS = 16: upper bits 1, lower bits 0.
    b.set_edns(&edns(1232, 1, false, EdnsOptions::from_wire(&[]).unwrap()))
        .unwrap();
    let len = b.finish();
    assert_eq!(Message::parse(&buf[..len]).unwrap().rcode(), Rcode::BADVERS);
}

#[test]
fn opt_placement_rules() {
    // OPT in the answer section, a second OPT, an OPT with a non-root owner.
    let opt = |owner: &[u8]| {
        let mut r = owner.to_vec();
        r.extend_from_slice(&[0, 41, 4, 0, 0, 0, 0, 0, 0, 0]);
        r
    };
    let msg = |an: u16, ar: u16, records: &[Vec<u8>]| {
        let mut m = vec![0, 1, 0x81, 0, 0, 0];
        m.extend_from_slice(&an.to_be_bytes());
        m.extend_from_slice(&[0, 0]);
        m.extend_from_slice(&ar.to_be_bytes());
        for r in records {
            m.extend_from_slice(r);
        }
        m
    };
    assert!(Message::parse(&msg(0, 1, &[opt(b"\0")])).is_ok());
    assert!(matches!(
        Message::parse(&msg(1, 0, &[opt(b"\0")])),
        Err(Error::BadOpt { offset: 12, .. })
    ));
    assert!(matches!(
        Message::parse(&msg(0, 2, &[opt(b"\0"), opt(b"\0")])),
        Err(Error::BadOpt { offset: 23, .. })
    ));
    assert!(matches!(
        Message::parse(&msg(0, 1, &[opt(b"\x01a\0")])),
        Err(Error::BadOpt { .. })
    ));
}

#[test]
fn compression_forbidden_where_rfc_3597_says_so() {
    // An RRSIG whose signer name is a pointer to the question name.
    let mut m = vec![0, 1, 0x81, 0, 0, 1, 0, 1, 0, 0, 0, 0];
    m.extend_from_slice(b"\x07example\x00\x00\x2e\x00\x01");
    m.extend_from_slice(&[0xC0, 12, 0, 46, 0, 1, 0, 0, 0, 60]);
    let rdata = [
        0, 1, 8, 1, 0, 0, 0, 60, 0, 0, 0, 2, 0, 0, 0, 1, 0x12, 0x34, 0xC0, 12, 0xAA,
    ];
    m.extend_from_slice(&(rdata.len() as u16).to_be_bytes());
    m.extend_from_slice(&rdata);
    assert_eq!(
        Message::parse(&m).unwrap_err(),
        Error::CompressionNotAllowed {
            offset: 12 + 13 + 12 + 18,
            rtype: Rtype::RRSIG
        }
    );
}

#[test]
fn truncated_messages_say_so() {
    let mut buf = [0u8; 512];
    let mut b = MessageBuilder::new(&mut buf);
    let n = name("www.example.com");
    b.question(n.as_ref(), Rtype::A, Class::IN).unwrap();
    b.answer(
        n.as_ref(),
        Class::IN,
        60,
        &RData::A(Ipv4Addr::new(192, 0, 2, 1)),
    )
    .unwrap();
    let len = b.finish();
    for cut in 0..len {
        let err = Message::parse(&buf[..cut]).unwrap_err();
        assert!(err.is_truncated(), "cut {cut}: {err}");
    }
    assert!(Message::parse_with(&buf[..len], &Limits::default()).is_ok());
}

// ---- property tests ----------------------------------------------------------------

fn arb_name() -> impl Strategy<Value = Name> {
    let label = prop_oneof![
        4 => proptest::string::string_regex("[a-zA-Z0-9-]{1,12}").unwrap().prop_map(String::into_bytes),
        1 => proptest::collection::vec(any::<u8>(), 1..8),
    ];
    proptest::collection::vec(label, 0..5).prop_map(|labels| {
        let mut n = Name::root();
        for l in labels {
            n.push_label(&l).unwrap();
        }
        n
    })
}

fn char_strings(min: usize) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), min..4).prop_map(
        |strings| {
            let mut wire = Vec::new();
            for s in strings {
                wire.push(s.len() as u8);
                wire.extend_from_slice(&s);
            }
            wire
        },
    )
}

fn type_bitmap() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u16>(), 0..6).prop_map(|types| {
        let types: Vec<Rtype> = types.into_iter().map(Rtype).collect();
        let mut wire = Vec::new();
        TypeBitmap::encode(&types, &mut wire);
        wire
    })
}

fn svc_params() -> impl Strategy<Value = Vec<u8>> {
    (
        any::<bool>(),
        any::<u16>(),
        proptest::collection::vec(any::<[u8; 4]>(), 0..3),
        any::<bool>(),
    )
        .prop_map(|(alpn, port, v4, unknown)| {
            let mut wire = Vec::new();
            let mut push = |key: u16, value: &[u8]| {
                wire.extend_from_slice(&key.to_be_bytes());
                wire.extend_from_slice(&(value.len() as u16).to_be_bytes());
                wire.extend_from_slice(value);
            };
            if alpn {
                push(1, b"\x02h2\x08http/1.1");
            }
            push(3, &port.to_be_bytes());
            if !v4.is_empty() {
                push(4, &v4.concat());
            }
            if unknown {
                push(65000, b"opaque");
            }
            wire
        })
}

/// Owned data for one record of any typed kind (RData borrows from it).
#[derive(Debug, Clone)]
enum Spec {
    A([u8; 4]),
    Aaaa([u8; 16]),
    Ns(Name),
    Cname(Name),
    Ptr(Name),
    Dname(Name),
    Mx(u16, Name),
    Txt(Vec<u8>),
    Soa(Name, Name, [u32; 5]),
    Srv(u16, u16, u16, Name),
    Caa(u8, String, Vec<u8>),
    Naptr(u16, u16, [Vec<u8>; 3], Name),
    Svcb(bool, u16, Name, Vec<u8>),
    Ds(u16, u8, u8, Vec<u8>),
    Dnskey(u16, u8, Vec<u8>),
    Rrsig(u16, u8, u8, [u32; 3], u16, Name, Vec<u8>),
    Nsec(Name, Vec<u8>),
    Nsec3(u8, u16, Vec<u8>, Vec<u8>, Vec<u8>),
    Unknown(u16, Vec<u8>),
}

fn arb_spec() -> impl Strategy<Value = Spec> {
    let bytes = |max| proptest::collection::vec(any::<u8>(), 0..max);
    prop_oneof![
        any::<[u8; 4]>().prop_map(Spec::A),
        any::<[u8; 16]>().prop_map(Spec::Aaaa),
        arb_name().prop_map(Spec::Ns),
        arb_name().prop_map(Spec::Cname),
        arb_name().prop_map(Spec::Ptr),
        arb_name().prop_map(Spec::Dname),
        (any::<u16>(), arb_name()).prop_map(|(p, n)| Spec::Mx(p, n)),
        char_strings(1).prop_map(Spec::Txt),
        (arb_name(), arb_name(), any::<[u32; 5]>()).prop_map(|(a, b, c)| Spec::Soa(a, b, c)),
        (any::<u16>(), any::<u16>(), any::<u16>(), arb_name())
            .prop_map(|(a, b, c, n)| Spec::Srv(a, b, c, n)),
        (any::<u8>(), "[a-z0-9]{1,15}", bytes(40)).prop_map(|(f, t, v)| Spec::Caa(f, t, v)),
        (
            any::<u16>(),
            any::<u16>(),
            [bytes(20), bytes(20), bytes(40)],
            arb_name()
        )
            .prop_map(|(o, p, s, n)| Spec::Naptr(o, p, s, n)),
        (any::<bool>(), any::<u16>(), arb_name(), svc_params())
            .prop_map(|(h, p, n, w)| Spec::Svcb(h, p, n, w)),
        (any::<u16>(), any::<u8>(), any::<u8>(), bytes(48))
            .prop_map(|(a, b, c, d)| Spec::Ds(a, b, c, d)),
        (any::<u16>(), any::<u8>(), bytes(64)).prop_map(|(a, b, c)| Spec::Dnskey(a, b, c)),
        (
            any::<u16>(),
            any::<u8>(),
            any::<u8>(),
            any::<[u32; 3]>(),
            any::<u16>(),
            arb_name(),
            bytes(64)
        )
            .prop_map(|(a, b, c, d, e, f, g)| Spec::Rrsig(a, b, c, d, e, f, g)),
        (arb_name(), type_bitmap()).prop_map(|(n, t)| Spec::Nsec(n, t)),
        (
            any::<u8>(),
            any::<u16>(),
            bytes(16),
            proptest::collection::vec(any::<u8>(), 1..32),
            type_bitmap()
        )
            .prop_map(|(a, b, c, d, e)| Spec::Nsec3(a, b, c, d, e)),
        (
            prop_oneof![Just(99u16), Just(1234), Just(65280), Just(60)],
            bytes(40)
        )
            .prop_map(|(t, d)| Spec::Unknown(t, d)),
    ]
}

fn rdata(spec: &Spec) -> RData<'_> {
    match spec {
        Spec::A(a) => RData::A(Ipv4Addr::from(*a)),
        Spec::Aaaa(a) => RData::Aaaa(Ipv6Addr::from(*a)),
        Spec::Ns(n) => RData::Ns(n.as_ref()),
        Spec::Cname(n) => RData::Cname(n.as_ref()),
        Spec::Ptr(n) => RData::Ptr(n.as_ref()),
        Spec::Dname(n) => RData::Dname(n.as_ref()),
        Spec::Mx(p, n) => RData::Mx(Mx {
            preference: *p,
            exchange: n.as_ref(),
        }),
        Spec::Txt(w) => RData::Txt(CharStrings::from_wire(w).unwrap()),
        Spec::Soa(m, r, v) => RData::Soa(Soa {
            mname: m.as_ref(),
            rname: r.as_ref(),
            serial: v[0],
            refresh: v[1],
            retry: v[2],
            expire: v[3],
            minimum: v[4],
        }),
        Spec::Srv(p, w, port, n) => RData::Srv(Srv {
            priority: *p,
            weight: *w,
            port: *port,
            target: n.as_ref(),
        }),
        Spec::Caa(f, t, v) => RData::Caa(Caa {
            flags: *f,
            tag: t.as_bytes(),
            value: v,
        }),
        Spec::Naptr(o, p, s, n) => RData::Naptr(Naptr {
            order: *o,
            preference: *p,
            flags: &s[0],
            services: &s[1],
            regexp: &s[2],
            replacement: n.as_ref(),
        }),
        Spec::Svcb(https, p, n, w) => {
            let s = Svcb {
                priority: *p,
                target: n.as_ref(),
                params: SvcParams::from_wire(w).unwrap(),
            };
            if *https {
                RData::Https(s)
            } else {
                RData::Svcb(s)
            }
        }
        Spec::Ds(k, a, t, d) => RData::Ds(Ds {
            key_tag: *k,
            algorithm: *a,
            digest_type: *t,
            digest: d,
        }),
        Spec::Dnskey(f, a, k) => RData::Dnskey(Dnskey {
            flags: *f,
            protocol: 3,
            algorithm: *a,
            public_key: k,
        }),
        Spec::Rrsig(t, a, l, times, tag, signer, sig) => RData::Rrsig(Rrsig {
            type_covered: Rtype(*t),
            algorithm: *a,
            labels: *l,
            original_ttl: times[0],
            expiration: times[1],
            inception: times[2],
            key_tag: *tag,
            signer: signer.as_ref(),
            signature: sig,
        }),
        Spec::Nsec(n, t) => RData::Nsec(Nsec {
            next: n.as_ref(),
            types: TypeBitmap::from_wire(t).unwrap(),
        }),
        Spec::Nsec3(f, it, salt, next, t) => RData::Nsec3(Nsec3 {
            hash_algorithm: 1,
            flags: *f,
            iterations: *it,
            salt,
            next_hashed_owner: next,
            types: TypeBitmap::from_wire(t).unwrap(),
        }),
        Spec::Unknown(t, d) => RData::Unknown {
            rtype: Rtype(*t),
            data: d,
        },
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn every_record_type_round_trips(
        qname in arb_name(),
        records in proptest::collection::vec((arb_name(), any::<u32>(), arb_spec(), 0u8..3), 0..12),
        edns_wanted in proptest::option::of((512u16..4096, any::<bool>())),
        id in any::<u16>(),
    ) {
        let mut buf = vec![0u8; 65535];
        let mut b = MessageBuilder::new(&mut buf);
        b.set_header(Header { id, qr: true, aa: true, ..Header::default() });
        if let Some((size, dok)) = edns_wanted {
            b.set_edns(&edns(size, 0, dok, EdnsOptions::from_wire(&[0, 3, 0, 2, b'n', b's']).unwrap())).unwrap();
        }
        b.question(qname.as_ref(), Rtype::ANY, Class::IN).unwrap();
        let mut sorted = records.clone();
        sorted.sort_by_key(|r| r.3);
        for (owner, ttl, spec, section) in &sorted {
            let section = [Section::Answer, Section::Authority, Section::Additional][usize::from(*section)];
            b.record(section, owner.as_ref(), Class::IN, *ttl, &rdata(spec)).unwrap();
        }
        let len = b.finish();
        let msg = Message::parse(&buf[..len]).unwrap();
        prop_assert_eq!(msg.header().id, id);
        let q = msg.question().unwrap();
        prop_assert_eq!(q.name, qname.as_ref());
        prop_assert_eq!(q.name.to_string(), qname.to_string(), "case and escapes kept");
        let parsed: Vec<_> = msg
            .answers()
            .chain(msg.authority())
            .chain(msg.additional())
            .filter(|r| r.rtype != Rtype::OPT)
            .collect();
        prop_assert_eq!(parsed.len(), sorted.len());
        for (r, (owner, ttl, spec, _)) in parsed.iter().zip(&sorted) {
            prop_assert_eq!(r.name, owner.as_ref());
            prop_assert_eq!(r.ttl, *ttl);
            prop_assert_eq!(r.data(), rdata(spec));
        }
        match edns_wanted {
            Some((size, dok)) => {
                let e = msg.edns().unwrap();
                prop_assert_eq!((e.udp_payload_size, e.dnssec_ok), (size, dok));
                prop_assert_eq!(e.options.iter().next(), Some(EdnsOption::Nsid(b"ns")));
            }
            None => prop_assert!(msg.edns().is_none()),
        }
        // Copying every record into a second message gives the same records.
        let mut buf2 = vec![0u8; 65535];
        let mut b2 = MessageBuilder::new(&mut buf2);
        b2.question(q.name, q.qtype, q.qclass).unwrap();
        for (section, records) in [
            (Section::Answer, msg.answers()),
            (Section::Authority, msg.authority()),
            (Section::Additional, msg.additional()),
        ] {
            for r in records.filter(|r| r.rtype != Rtype::OPT) {
                b2.copy(section, &r).unwrap();
            }
        }
        let len2 = b2.finish();
        let msg2 = Message::parse(&buf2[..len2]).unwrap();
        let copied: Vec<_> = msg2.answers().chain(msg2.authority()).chain(msg2.additional()).collect();
        prop_assert_eq!(copied, parsed);
    }

    #[test]
    fn names_round_trip_through_text_and_wire(n in arb_name()) {
        let text = n.to_string();
        let back: Name = text.parse().unwrap();
        prop_assert_eq!(back.as_wire(), n.as_wire());
        let from_wire = Name::from_wire(n.as_wire()).unwrap();
        prop_assert_eq!(from_wire.as_wire(), n.as_wire());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        if let Ok(msg) = Message::parse(&bytes) {
            for q in msg.questions() {
                let _ = q.name.to_string();
            }
            for r in msg.answers().chain(msg.authority()).chain(msg.additional()) {
                let _ = (r.data(), r.name.to_string());
            }
        }
    }

    #[test]
    fn tcp_framing_is_split_invariant(
        sizes in proptest::collection::vec(12usize..600, 1..8),
        cuts in proptest::collection::vec(any::<prop::sample::Index>(), 0..10),
    ) {
        let messages: Vec<Vec<u8>> = sizes
            .iter()
            .enumerate()
            .map(|(i, &n)| (0..n).map(|j| (i * 31 + j) as u8).collect())
            .collect();
        let mut stream = Vec::new();
        for m in &messages {
            stream.extend_from_slice(&frame_prefix(m.len()).unwrap());
            stream.extend_from_slice(m);
        }
        let mut points: Vec<usize> = cuts.iter().map(|c| c.index(stream.len() + 1)).collect();
        points.push(0);
        points.push(stream.len());
        points.sort_unstable();
        let mut framer = TcpFramer::new();
        let mut got = Vec::new();
        for w in points.windows(2) {
            framer.feed(&stream[w[0]..w[1]]);
            while let Some(m) = framer.next_message() {
                got.push(m.unwrap().to_vec());
            }
        }
        prop_assert_eq!(got, messages);
        prop_assert_eq!(framer.buffered(), 0);
    }
}

#[test]
fn tcp_framer_rejects_short_and_long_frames_for_good() {
    let mut f = TcpFramer::with_max_len(512);
    f.feed(&[0, 5, 1, 2, 3, 4, 5]);
    let err = f.next_message().unwrap().unwrap_err();
    assert_eq!(
        err,
        dns_codec::wire::FrameError::TooShort { len: 5, offset: 0 }
    );
    f.feed(&[0, 12]);
    assert_eq!(f.next_message(), Some(Err(err)), "the stream stays failed");
    let mut f = TcpFramer::with_max_len(512);
    f.feed(&[2, 1]);
    assert!(matches!(
        f.next_message(),
        Some(Err(dns_codec::wire::FrameError::TooLong { len: 513, .. }))
    ));
}

#[test]
fn svcb_and_typed_params() {
    let wire =
        b"\x00\x01\x00\x09\x02h2\x05h3-29\x00\x03\x00\x02\x01\xbb\x00\x04\x00\x04\xc0\x00\x02\x01";
    let params = SvcParams::from_wire(wire).unwrap();
    let got: Vec<SvcParam<'_>> = params.iter().collect();
    assert_eq!(got.len(), 3);
    match got[0] {
        SvcParam::Alpn(ids) => assert_eq!(ids.iter().collect::<Vec<_>>(), [&b"h2"[..], b"h3-29"]),
        other => panic!("{other:?}"),
    }
    assert_eq!(got[1], SvcParam::Port(443));
    assert_eq!(got[2], SvcParam::Ipv4Hint(&[192, 0, 2, 1]));
    // Keys out of order, a bad port length, an empty alpn: malformed.
    assert!(SvcParams::from_wire(b"\x00\x03\x00\x02\x01\xbb\x00\x01\x00\x03\x02h2").is_none());
    assert!(SvcParams::from_wire(b"\x00\x03\x00\x01\x01").is_none());
    assert!(SvcParams::from_wire(b"\x00\x01\x00\x00").is_none());
}

#[test]
fn dnskey_key_tag_rfc4034_example() {
    // RFC 4034 section 5.4: the DNSKEY with key tag 60485 (RSA/SHA-1, 1024 bits).
    let key = "AQOeiiR0GOMYkDshWoSKz9XzfwJr1AYtsmx3TGkJaNXVbfi/2pHm822aJ5iI9BMzNXxeYCmZDRD99WYwYqUSdjMmmAphXdvxegXd/M5+X7OrzKBaMbCVdFLUUh6DhweJBjEVv5f2wwjM9XzcnOf+EPbtG9DMBmADjFDc2w/rljwvFw==";
    let public_key = data_encoding_base64(key);
    let k = Dnskey {
        flags: 256,
        protocol: 3,
        algorithm: 5,
        public_key: &public_key,
    };
    assert_eq!(k.key_tag(), 60485);
}

/// Minimal base64 decoder for the test vector (no dependency needed for one key).
fn data_encoding_base64(text: &str) -> Vec<u8> {
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in text.bytes().filter(|&c| c != b'=') {
        let v = alphabet.iter().position(|&a| a == c).unwrap() as u32;
        bits = (bits << 6) | v;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    out
}

#[test]
fn pointers_into_the_header_are_rejected() {
    // The answer's owner points at offset 4, inside the header.
    let mut m = vec![0, 1, 0x81, 0, 0, 0, 0, 1, 0, 0, 0, 0];
    m.extend_from_slice(&[0xC0, 4, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1]);
    assert_eq!(
        Message::parse(&m).unwrap_err(),
        Error::PointerIntoHeader {
            offset: 12,
            target: 4
        }
    );
}

#[test]
fn edns_version_and_flags_are_copied() {
    let mut buf = [0u8; 512];
    let mut b = MessageBuilder::new(&mut buf);
    let options = EdnsOptions::from_wire(&[]).unwrap();
    b.set_edns(&Edns {
        udp_payload_size: 4096,
        extended_rcode: 1,
        version: 1,
        dnssec_ok: true,
        z: 0x1234,
        options,
    })
    .unwrap();
    let len = b.finish();
    let e = Message::parse(&buf[..len]).unwrap().edns().unwrap();
    assert_eq!((e.version, e.z, e.extended_rcode), (1, 0x1234, 1));
}
