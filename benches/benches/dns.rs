//! DNS messages, read and written: dns-codec against hickory-proto and domain, on the
//! same inputs in one run.
//!
//! `dns parse+walk/<input>`: each crate parses the message and visits the question and
//! every record of every section: the owner name (every label), type, TTL and the typed
//! RDATA (address octets; the names in NS, CNAME, MX, SOA, RRSIG, NSEC; key, digest and
//! signature lengths; other types: RDATA length). The three walks compute the same
//! checksum, asserted once before measuring, so they do the same work. The crates split
//! that work differently: dns-codec validates the whole message in `Message::parse` and
//! the walk then reads it in place; domain parses lazily, record by record, during the
//! walk; hickory-proto decodes into an owned `Message` (records with owned names and
//! RDATA) and the walk reads that. hickory-proto moves the OPT record out of the
//! additional section into `Message::extensions`, so its walk reads it there.
//!
//! `dns build/<case>`: the response rebuilt with name compression (question, records,
//! OPT) from names parsed before measuring, into a buffer kept across iterations.
//! dns-codec is measured reusing its compression table between messages
//! (`with_compressor`/`finish_and_reuse`) and with a fresh table each time; hickory-proto
//! building its `Message` (which clones the names into owned records) and emitting it
//! with `BinEncoder`, and emitting a `Message` built beforehand; domain with its
//! `HashCompressor` (a new table per message: it cannot be handed on). Every output is
//! parsed back with dns-codec once and must hold the same header and records as the
//! input it was modelled on.

use std::hint::black_box;
use std::net::{Ipv4Addr, Ipv6Addr};

use applayer_benches::DNS_INPUTS;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dns_codec::wire as ours;

/// What a walk saw: the records (OPT included, questions not) and a checksum over every
/// value it read.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Walk {
    records: usize,
    sum: u64,
}

impl Walk {
    fn add(&mut self, v: u64) {
        self.sum = self.sum.wrapping_add(v);
    }
}

/// A name's share of the checksum: one plus the length of every label but the root.
fn label_score<'a>(labels: impl Iterator<Item = &'a [u8]>) -> u64 {
    labels.map(|l| 1 + l.len() as u64).sum()
}

fn octet_sum(octets: &[u8]) -> u64 {
    octets.iter().map(|&b| u64::from(b)).sum()
}

/// The OPT record's share: requester's payload size and the DO bit.
fn opt_score(payload: u16, ttl: u32) -> u64 {
    u64::from(payload) + u64::from((ttl >> 15) & 1)
}

// ---- parse+walk, one function per crate ----

fn ours_name(n: ours::NameRef<'_>) -> u64 {
    label_score(n.labels())
}

fn walk_ours(input: &[u8]) -> Walk {
    use ours::RData;
    let msg = ours::Message::parse(input).expect("dns-codec parses the input");
    let mut w = Walk::default();
    for q in msg.questions() {
        w.add(ours_name(q.name) + u64::from(q.qtype.0));
    }
    for r in msg.answers().chain(msg.authority()).chain(msg.additional()) {
        w.records += 1;
        if r.rtype == ours::Rtype::OPT {
            w.add(opt_score(r.class.0, r.ttl));
            continue;
        }
        w.add(ours_name(r.name) + u64::from(r.rtype.0) + u64::from(r.ttl));
        w.add(match r.data() {
            RData::A(a) => octet_sum(&a.octets()),
            RData::Aaaa(a) => octet_sum(&a.octets()),
            RData::Ns(n) | RData::Cname(n) | RData::Ptr(n) | RData::Dname(n) => ours_name(n),
            RData::Mx(mx) => u64::from(mx.preference) + ours_name(mx.exchange),
            RData::Soa(s) => ours_name(s.mname) + ours_name(s.rname) + u64::from(s.serial),
            RData::Txt(t) => t.iter().map(|s| s.len() as u64).sum(),
            RData::Rrsig(s) => {
                u64::from(s.type_covered.0) + ours_name(s.signer) + s.signature.len() as u64
            }
            RData::Dnskey(k) => u64::from(k.flags) + k.public_key.len() as u64,
            RData::Ds(d) => u64::from(d.key_tag) + d.digest.len() as u64,
            RData::Nsec(n) => ours_name(n.next) + n.types.iter().count() as u64,
            _ => r.rdata().len() as u64,
        });
    }
    w
}

fn hickory_name(n: &hickory_proto::rr::Name) -> u64 {
    label_score(n.iter())
}

fn walk_hickory(input: &[u8]) -> Walk {
    use hickory_proto::dnssec::PublicKey;
    use hickory_proto::dnssec::rdata::DNSSECRData;
    use hickory_proto::rr::RData;
    use hickory_proto::serialize::binary::BinEncodable;
    let msg = hickory_proto::op::Message::from_vec(input).expect("hickory-proto parses the input");
    let mut w = Walk::default();
    for q in msg.queries() {
        w.add(hickory_name(q.name()) + u64::from(u16::from(q.query_type())));
    }
    let records = msg
        .answers()
        .iter()
        .chain(msg.name_servers())
        .chain(msg.additionals());
    for r in records.chain(msg.signature()) {
        w.records += 1;
        w.add(hickory_name(r.name()) + u64::from(u16::from(r.record_type())) + u64::from(r.ttl()));
        w.add(match r.data() {
            RData::A(a) => octet_sum(&a.0.octets()),
            RData::AAAA(a) => octet_sum(&a.0.octets()),
            RData::NS(n) => hickory_name(&n.0),
            RData::CNAME(n) => hickory_name(&n.0),
            RData::PTR(n) => hickory_name(&n.0),
            RData::MX(mx) => u64::from(mx.preference()) + hickory_name(mx.exchange()),
            RData::SOA(s) => {
                hickory_name(s.mname()) + hickory_name(s.rname()) + u64::from(s.serial())
            }
            RData::TXT(t) => t.txt_data().iter().map(|s| s.len() as u64).sum(),
            RData::DNSSEC(DNSSECRData::RRSIG(s)) => {
                u64::from(u16::from(s.type_covered()))
                    + hickory_name(s.signer_name())
                    + s.sig().len() as u64
            }
            RData::DNSSEC(DNSSECRData::DNSKEY(k)) => {
                u64::from(k.flags()) + k.public_key().public_bytes().len() as u64
            }
            RData::DNSSEC(DNSSECRData::DS(d)) => u64::from(d.key_tag()) + d.digest().len() as u64,
            RData::DNSSEC(DNSSECRData::NSEC(n)) => {
                hickory_name(n.next_domain_name()) + n.type_bit_maps().count() as u64
            }
            RData::Unknown { rdata, .. } => rdata.anything().len() as u64,
            // No input holds another type; re-encoding stands in for the RDATA length.
            other => other.to_bytes().map_or(0, |b| b.len() as u64),
        });
    }
    if let Some(edns) = msg.extensions() {
        w.records += 1;
        let do_bit = if edns.flags().dnssec_ok { 0x8000 } else { 0 };
        w.add(opt_score(edns.max_payload(), do_bit));
    }
    w
}

type DomainName<'a> = domain::base::ParsedName<&'a [u8]>;

fn domain_name(n: &DomainName<'_>) -> u64 {
    label_score(n.iter().filter(|l| !l.is_root()).map(|l| l.as_slice()))
}

fn walk_domain(input: &[u8]) -> Walk {
    use domain::rdata::AllRecordData;
    let msg = domain::base::Message::from_octets(input).expect("domain parses the header");
    let mut w = Walk::default();
    let mut questions = msg.question();
    for q in &mut questions {
        let q = q.expect("domain parses the question");
        w.add(domain_name(q.qname()) + u64::from(q.qtype().to_int()));
    }
    let mut section = questions.answer().expect("domain finds the answer section");
    loop {
        for r in &mut section {
            let r = r.expect("domain parses the record");
            let rdlen = u64::from(r.rdlen());
            let r = r
                .into_any_record::<AllRecordData<&[u8], DomainName<'_>>>()
                .expect("domain parses the RDATA");
            w.records += 1;
            if let AllRecordData::Opt(_) = r.data() {
                w.add(opt_score(r.class().to_int(), r.ttl().as_secs()));
                continue;
            }
            w.add(
                domain_name(r.owner())
                    + u64::from(r.rtype().to_int())
                    + u64::from(r.ttl().as_secs()),
            );
            w.add(match r.data() {
                AllRecordData::A(a) => octet_sum(&a.addr().octets()),
                AllRecordData::Aaaa(a) => octet_sum(&a.addr().octets()),
                AllRecordData::Ns(n) => domain_name(n.nsdname()),
                AllRecordData::Cname(n) => domain_name(n.cname()),
                AllRecordData::Ptr(n) => domain_name(n.ptrdname()),
                AllRecordData::Dname(n) => domain_name(n.dname()),
                AllRecordData::Mx(mx) => u64::from(mx.preference()) + domain_name(mx.exchange()),
                AllRecordData::Soa(s) => {
                    domain_name(s.mname())
                        + domain_name(s.rname())
                        + u64::from(s.serial().into_int())
                }
                AllRecordData::Txt(t) => t.iter().map(|s| s.len() as u64).sum(),
                AllRecordData::Rrsig(s) => {
                    u64::from(s.type_covered().to_int())
                        + domain_name(s.signer_name())
                        + s.signature().len() as u64
                }
                AllRecordData::Dnskey(k) => u64::from(k.flags()) + k.public_key().len() as u64,
                AllRecordData::Ds(d) => u64::from(d.key_tag()) + d.digest().len() as u64,
                AllRecordData::Nsec(n) => {
                    domain_name(n.next_name()) + n.types().iter().count() as u64
                }
                _ => rdlen,
            });
        }
        match section
            .next_section()
            .expect("domain finds the next section")
        {
            Some(next) => section = next,
            None => break,
        }
    }
    w
}

fn dns_parse_walk(c: &mut Criterion) {
    for (name, input) in DNS_INPUTS {
        // Same records and the same checksum from every crate, or the comparison is
        // meaningless.
        let expected = walk_ours(input);
        let counts = ours::Message::parse(input).expect("dns-codec").counts();
        assert_eq!(
            expected.records,
            counts[1..].iter().map(|&n| usize::from(n)).sum::<usize>()
        );
        assert_eq!(
            walk_hickory(input),
            expected,
            "hickory-proto walk of {name}"
        );
        assert_eq!(walk_domain(input), expected, "domain walk of {name}");

        let mut g = c.benchmark_group(format!("dns parse+walk/{name}"));
        g.throughput(Throughput::Bytes(input.len() as u64));
        g.bench_function("dns-codec", |b| b.iter(|| walk_ours(black_box(input))));
        g.bench_function("hickory-proto", |b| {
            b.iter(|| walk_hickory(black_box(input)))
        });
        g.bench_function("domain", |b| b.iter(|| walk_domain(black_box(input))));
        g.finish();
    }
}

// ---- build ----

/// RDATA of the records rebuilt (the types the two build cases hold).
#[derive(Clone)]
enum Rd<N> {
    A(Ipv4Addr),
    Aaaa(Ipv6Addr),
    Ns(N),
    Cname(N),
}

/// A response to build, with names already parsed into type `N` of one crate.
struct Spec<N> {
    header: ours::Header,
    qname: N,
    qtype: u16,
    edns_payload: u16,
    records: Vec<(ours::Section, N, u32, Rd<N>)>,
}

impl Spec<String> {
    /// The response `input` holds, names in presentation format.
    fn of(input: &[u8]) -> Self {
        let msg = ours::Message::parse(input).expect("dns-codec");
        let q = msg.question().expect("one question");
        let mut records = Vec::new();
        let sections = [
            ours::Section::Answer,
            ours::Section::Authority,
            ours::Section::Additional,
        ];
        for section in sections {
            for r in msg.section(section).filter(|r| r.rtype != ours::Rtype::OPT) {
                assert_eq!(r.class, ours::Class::IN);
                let data = match r.data() {
                    ours::RData::A(a) => Rd::A(a),
                    ours::RData::Aaaa(a) => Rd::Aaaa(a),
                    ours::RData::Ns(n) => Rd::Ns(n.to_string()),
                    ours::RData::Cname(n) => Rd::Cname(n.to_string()),
                    other => panic!("no build case holds {other:?}"),
                };
                records.push((section, r.name.to_string(), r.ttl, data));
            }
        }
        let edns = msg.edns().expect("the build cases carry EDNS");
        assert!(edns.options.as_wire().is_empty() && !edns.dnssec_ok);
        Spec {
            header: msg.header(),
            qname: q.name.to_string(),
            qtype: q.qtype.0,
            edns_payload: edns.udp_payload_size,
            records,
        }
    }

    /// The same response with every name parsed by `parse`.
    fn map<N>(&self, parse: impl Fn(&str) -> N) -> Spec<N> {
        let rd = |d: &Rd<String>| match d {
            Rd::A(a) => Rd::A(*a),
            Rd::Aaaa(a) => Rd::Aaaa(*a),
            Rd::Ns(n) => Rd::Ns(parse(n)),
            Rd::Cname(n) => Rd::Cname(parse(n)),
        };
        Spec {
            header: self.header,
            qname: parse(&self.qname),
            qtype: self.qtype,
            edns_payload: self.edns_payload,
            records: self
                .records
                .iter()
                .map(|(s, o, t, d)| (*s, parse(o), *t, rd(d)))
                .collect(),
        }
    }
}

fn build_ours(
    s: &Spec<ours::Name>,
    buf: &mut [u8],
    compressor: ours::Compressor,
) -> (usize, ours::Compressor) {
    use ours::{Class, RData};
    let mut b = ours::MessageBuilder::with_compressor(buf, compressor);
    b.set_header(s.header);
    let edns = ours::Edns {
        udp_payload_size: s.edns_payload,
        extended_rcode: 0,
        version: 0,
        dnssec_ok: false,
        z: 0,
        options: ours::EdnsOptions::from_wire(&[]).expect("empty options"),
    };
    b.set_edns(&edns).expect("EDNS fits");
    b.question(s.qname.as_ref(), ours::Rtype(s.qtype), Class::IN)
        .expect("question fits");
    for (section, owner, ttl, data) in &s.records {
        let data = match data {
            Rd::A(a) => RData::A(*a),
            Rd::Aaaa(a) => RData::Aaaa(*a),
            Rd::Ns(n) => RData::Ns(n.as_ref()),
            Rd::Cname(n) => RData::Cname(n.as_ref()),
        };
        b.record(*section, owner.as_ref(), Class::IN, *ttl, &data)
            .expect("record fits");
    }
    b.finish_and_reuse()
}

fn hickory_message(s: &Spec<hickory_proto::rr::Name>) -> hickory_proto::op::Message {
    use hickory_proto::op::{Edns, Message, MessageType, OpCode, Query};
    use hickory_proto::rr::rdata::{A, AAAA, CNAME, NS};
    use hickory_proto::rr::{RData, Record, RecordType};
    let mut m = Message::new();
    let h = s.header;
    m.set_id(h.id)
        .set_message_type(MessageType::Response)
        .set_op_code(OpCode::Query)
        .set_authoritative(h.aa)
        .set_recursion_desired(h.rd)
        .set_recursion_available(h.ra);
    m.add_query(Query::query(s.qname.clone(), RecordType::from(s.qtype)));
    for (section, owner, ttl, data) in &s.records {
        let data = match data {
            Rd::A(a) => RData::A(A(*a)),
            Rd::Aaaa(a) => RData::AAAA(AAAA(*a)),
            Rd::Ns(n) => RData::NS(NS(n.clone())),
            Rd::Cname(n) => RData::CNAME(CNAME(n.clone())),
        };
        let record = Record::from_rdata(owner.clone(), *ttl, data);
        match section {
            ours::Section::Answer => m.add_answer(record),
            ours::Section::Authority => m.add_name_server(record),
            ours::Section::Additional => m.add_additional(record),
        };
    }
    let mut edns = Edns::new();
    edns.set_max_payload(s.edns_payload);
    m.set_edns(edns);
    m
}

fn emit_hickory(m: &hickory_proto::op::Message, buf: &mut Vec<u8>) -> usize {
    use hickory_proto::serialize::binary::{BinEncodable, BinEncoder};
    buf.clear();
    m.emit(&mut BinEncoder::new(buf))
        .expect("hickory-proto emits");
    buf.len()
}

type DomainOwnedName = domain::base::Name<Vec<u8>>;

fn build_domain(s: &Spec<DomainOwnedName>, buf: &mut Vec<u8>) -> usize {
    use domain::base::iana::{Class, Rtype};
    use domain::base::message_builder::{HashCompressor, MessageBuilder};
    use domain::rdata::{A, Aaaa, Cname, Ns};
    buf.clear();
    let mut b = MessageBuilder::from_target(HashCompressor::new(&mut *buf)).expect("header fits");
    let h = b.header_mut();
    h.set_id(s.header.id);
    h.set_qr(true);
    h.set_aa(s.header.aa);
    h.set_rd(s.header.rd);
    h.set_ra(s.header.ra);
    let mut q = b.question();
    q.push((&s.qname, Rtype::from_int(s.qtype)))
        .expect("question fits");
    // One builder type per section: push that section's records into it.
    macro_rules! push_section {
        ($builder:expr, $section:expr) => {
            for (_, owner, ttl, data) in s.records.iter().filter(|r| r.0 == $section) {
                match data {
                    Rd::A(a) => $builder.push((owner, Class::IN, *ttl, A::new(*a))),
                    Rd::Aaaa(a) => $builder.push((owner, Class::IN, *ttl, Aaaa::new(*a))),
                    Rd::Ns(n) => $builder.push((owner, Class::IN, *ttl, Ns::new(n))),
                    Rd::Cname(n) => $builder.push((owner, Class::IN, *ttl, Cname::new(n))),
                }
                .expect("record fits");
            }
        };
    }
    let mut answer = q.answer();
    push_section!(answer, ours::Section::Answer);
    let mut authority = answer.authority();
    push_section!(authority, ours::Section::Authority);
    let mut additional = authority.additional();
    push_section!(additional, ours::Section::Additional);
    additional
        .opt(|opt| {
            opt.set_udp_payload_size(s.edns_payload);
            Ok(())
        })
        .expect("OPT fits");
    additional.finish().as_slice().len()
}

/// Asserts that `built` holds the same header, question and records as `input`
/// (dns-codec compares names ignoring case and RDATA by meaning).
fn assert_same_message(input: &[u8], built: &[u8], who: &str) {
    let want = ours::Message::parse(input).expect("dns-codec parses the input");
    let got =
        ours::Message::parse(built).unwrap_or_else(|e| panic!("{who}: output does not parse: {e}"));
    assert_eq!(got.header(), want.header(), "{who}: header");
    assert_eq!(got.counts(), want.counts(), "{who}: section counts");
    assert!(got.questions().eq(want.questions()), "{who}: question");
    let sections = [
        ours::Section::Answer,
        ours::Section::Authority,
        ours::Section::Additional,
    ];
    for section in sections {
        assert!(
            got.section(section).eq(want.section(section)),
            "{who}: {section:?} section"
        );
    }
}

fn dns_build(c: &mut Criterion) {
    let cases: [(&str, &[u8]); 2] = [
        ("referral", include_bytes!("../data/referral.bin")),
        ("cname-chain", include_bytes!("../data/cname-chain.bin")),
    ];
    for (case, input) in cases {
        let spec = Spec::of(input);
        let ours_spec = spec.map(|n| n.parse::<ours::Name>().expect("dns-codec name"));
        let hickory_spec =
            spec.map(|n| hickory_proto::rr::Name::from_ascii(n).expect("hickory-proto name"));
        let domain_spec = spec.map(|n| n.parse::<DomainOwnedName>().expect("domain name"));
        let hickory_prebuilt = hickory_message(&hickory_spec);

        let mut ours_buf = vec![0u8; 4096];
        let mut vec_buf = Vec::with_capacity(4096);
        let (len, _) = build_ours(&ours_spec, &mut ours_buf, ours::Compressor::new());
        assert_same_message(input, &ours_buf[..len], "dns-codec");
        let hickory_len = emit_hickory(&hickory_message(&hickory_spec), &mut vec_buf);
        assert_same_message(input, &vec_buf[..hickory_len], "hickory-proto");
        let domain_len = build_domain(&domain_spec, &mut vec_buf);
        assert_same_message(input, &vec_buf[..domain_len], "domain");
        eprintln!(
            "dns build/{case}: {} bytes in; out: dns-codec {len}, hickory-proto {hickory_len}, domain {domain_len}",
            input.len()
        );

        let mut g = c.benchmark_group(format!("dns build/{case}"));
        g.throughput(Throughput::Bytes(len as u64));
        let mut compressor = ours::Compressor::new();
        g.bench_function("dns-codec", |b| {
            b.iter(|| {
                let (len, reused) = build_ours(
                    black_box(&ours_spec),
                    &mut ours_buf,
                    std::mem::take(&mut compressor),
                );
                compressor = reused;
                len
            })
        });
        g.bench_function("dns-codec (fresh compressor)", |b| {
            b.iter(|| {
                build_ours(
                    black_box(&ours_spec),
                    &mut ours_buf,
                    ours::Compressor::new(),
                )
                .0
            })
        });
        g.bench_function("hickory-proto", |b| {
            b.iter(|| emit_hickory(&hickory_message(black_box(&hickory_spec)), &mut vec_buf))
        });
        g.bench_function("hickory-proto (emit prebuilt Message)", |b| {
            b.iter(|| emit_hickory(black_box(&hickory_prebuilt), &mut vec_buf))
        });
        g.bench_function("domain", |b| {
            b.iter(|| build_domain(black_box(&domain_spec), &mut vec_buf))
        });
        g.finish();
    }
}

criterion_group!(benches, dns_parse_walk, dns_build);
criterion_main!(benches);
