//! Corpus tests: real and hostile DNS messages and records from other DNS projects'
//! test suites (see `tests/corpus/SOURCES.txt` for provenance and licences).
//!
//! - `c-ares/fuzzinput`, `unbound/packets-bin`: whole messages. Each either parses or is
//!   rejected with an [`Error`], never a panic; every parsed message is walked in full
//!   and re-emitted through [`MessageBuilder`] with the same meaning.
//! - `simple-dns/rr-wire`, `unbound/rr/*.cN`: single uncompressed records, wrapped in a
//!   minimal message, checked against their typed view and presentation form.
//! - Hand-made compression-pointer and name-length attacks, with exact errors.

use std::collections::BTreeMap;
use std::fs;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use dns_codec::wire::{
    Class, Edns, Error, Limits, Message, MessageBuilder, Name, NameRef, Question, RData, Record,
    Rtype, Section,
};

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

fn corpus_dir(sub: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/corpus")
        .join(sub)
}

/// All files of a corpus folder, sorted by name.
fn corpus_files(sub: &str) -> Vec<(String, Vec<u8>)> {
    let dir = corpus_dir(sub);
    let mut files: Vec<(String, Vec<u8>)> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.expect("directory entry").path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, fs::read(&path).expect("corpus file"))
        })
        .collect();
    files.sort();
    files
}

/// The variant name of an error (`UnexpectedEnd`, `BadRdata`, ...).
fn variant(e: &Error) -> String {
    let debug = format!("{e:?}");
    debug
        .split([' ', '{', '('])
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// The types the crate decodes into a dedicated [`RData`] variant.
const TYPED: &[Rtype] = &[
    Rtype::A,
    Rtype::AAAA,
    Rtype::NS,
    Rtype::CNAME,
    Rtype::PTR,
    Rtype::DNAME,
    Rtype::MX,
    Rtype::TXT,
    Rtype::SOA,
    Rtype::SRV,
    Rtype::CAA,
    Rtype::NAPTR,
    Rtype::SVCB,
    Rtype::HTTPS,
    Rtype::OPT,
    Rtype::DS,
    Rtype::DNSKEY,
    Rtype::RRSIG,
    Rtype::NSEC,
    Rtype::NSEC3,
    Rtype::MD,
    Rtype::MF,
    Rtype::MB,
    Rtype::MG,
    Rtype::MR,
    Rtype::MINFO,
    Rtype::RP,
    Rtype::AFSDB,
    Rtype::RT,
    Rtype::PX,
    Rtype::SIG,
    Rtype::NXT,
];

/// Names inside typed RDATA.
fn rdata_names<'a>(data: &RData<'a>) -> Vec<NameRef<'a>> {
    match *data {
        RData::Ns(n)
        | RData::Cname(n)
        | RData::Ptr(n)
        | RData::Dname(n)
        | RData::Md(n)
        | RData::Mf(n)
        | RData::Mb(n)
        | RData::Mg(n)
        | RData::Mr(n) => vec![n],
        RData::Minfo(m) => vec![m.rmailbx, m.emailbx],
        RData::Rp(r) => vec![r.mbox, r.txt],
        RData::Afsdb(a) => vec![a.hostname],
        RData::Rt(r) => vec![r.intermediate],
        RData::Px(p) => vec![p.map822, p.mapx400],
        RData::Sig(s) => vec![s.signer],
        RData::Nxt(n) => vec![n.next],
        RData::Mx(mx) => vec![mx.exchange],
        RData::Soa(soa) => vec![soa.mname, soa.rname],
        RData::Srv(srv) => vec![srv.target],
        RData::Naptr(naptr) => vec![naptr.replacement],
        RData::Svcb(s) | RData::Https(s) => vec![s.target],
        RData::Rrsig(sig) => vec![sig.signer],
        RData::Nsec(nsec) => vec![nsec.next],
        _ => vec![],
    }
}

/// A name read from a validated message: within the RFC 1035 limits, and its
/// presentation form reads back as the same name.
fn check_name(name: &NameRef<'_>, context: &str) {
    let text = name.to_string();
    assert!(
        name.wire_len() <= 255,
        "{context}: {text} is {} bytes",
        name.wire_len()
    );
    assert!(
        name.labels().all(|l| (1..=63).contains(&l.len())),
        "{context}: {text}"
    );
    let back: Name = text
        .parse()
        .unwrap_or_else(|e| panic!("{context}: Display output {text:?} does not parse back: {e}"));
    assert_eq!(
        back, *name,
        "{context}: {text:?} reads back as another name"
    );
    assert_eq!(
        back.as_ref().wire_len(),
        name.wire_len(),
        "{context}: {text}"
    );
}

/// Reads everything a parsed message offers; reading must not fail or panic.
fn walk(msg: &Message<'_>, context: &str) {
    let counts = msg.counts();
    assert_eq!(msg.questions().len(), usize::from(counts[0]), "{context}");
    for q in msg.questions() {
        check_name(&q.name, context);
        let _ = (q.qtype.to_string(), q.qclass.to_string());
    }
    let sections = [Section::Answer, Section::Authority, Section::Additional];
    for (i, section) in sections.into_iter().enumerate() {
        assert_eq!(
            msg.section(section).len(),
            usize::from(counts[i + 1]),
            "{context}"
        );
        for r in msg.section(section) {
            check_name(&r.name, context);
            let data = r.data();
            assert_eq!(data.rtype(), r.rtype, "{context}: {r:?}");
            if TYPED.contains(&r.rtype) {
                assert!(
                    !matches!(data, RData::Unknown { .. }),
                    "{context}: {} record validated by parse but read back as Unknown: {r:?}",
                    r.rtype
                );
            }
            for name in rdata_names(&data) {
                check_name(&name, context);
            }
            let _ = format!("{} {} {} {} {data:?}", r.name, r.ttl, r.class, r.rtype);
        }
    }
    let _ = (
        msg.rcode().to_string(),
        msg.edns().map(|e| format!("{e:?}")),
    );
}

fn questions<'a>(msg: &Message<'a>) -> Vec<Question<'a>> {
    msg.questions().collect()
}

fn records<'a>(msg: &Message<'a>, section: Section) -> Vec<Record<'a>> {
    msg.section(section)
        .filter(|r| r.rtype != Rtype::OPT)
        .collect()
}

/// The EDNS values the builder can carry.
fn edns_values<'a>(e: &Edns<'a>) -> (u16, u8, bool, dns_codec::wire::EdnsOptions<'a>) {
    (e.udp_payload_size, e.extended_rcode, e.dnssec_ok, e.options)
}

/// Builds a copy of `msg` with [`MessageBuilder`]: header, EDNS, questions, then every
/// record section by section. Returns the message length in `out`.
fn rebuild(msg: &Message<'_>, out: &mut [u8]) -> usize {
    let mut b = MessageBuilder::new(out);
    b.set_header(msg.header());
    if let Some(e) = msg.edns() {
        b.set_edns(&e).expect("set_edns before any record");
    }
    for q in msg.questions() {
        b.question(q.name, q.qtype, q.qclass)
            .expect("question fits");
    }
    for section in [Section::Answer, Section::Authority, Section::Additional] {
        for r in records(msg, section) {
            b.copy(section, &r)
                .unwrap_or_else(|e| panic!("copy {r:?}: {e}"));
        }
    }
    assert!(!b.truncated());
    b.finish()
}

/// Re-emits `msg` and checks the copy means the same: header, questions, records
/// section by section, EDNS. Also checks that rebuilding the copy gives the same bytes.
fn check_reemit(msg: &Message<'_>, context: &str) {
    let mut out = vec![0u8; 65_535];
    let len = rebuild(msg, &mut out);
    let copy = Message::parse(&out[..len])
        .unwrap_or_else(|e| panic!("{context}: the re-emitted message does not parse: {e}"));
    assert_eq!(copy.header(), msg.header(), "{context}: header");
    assert_eq!(questions(&copy), questions(msg), "{context}: questions");
    for section in [Section::Answer, Section::Authority, Section::Additional] {
        assert_eq!(
            records(&copy, section),
            records(msg, section),
            "{context}: {section:?}"
        );
    }
    assert_eq!(
        copy.edns().map(|e| edns_values(&e)),
        msg.edns().map(|e| edns_values(&e)),
        "{context}: EDNS"
    );
    assert_eq!(copy.rcode(), msg.rcode(), "{context}: rcode");
    walk(&copy, context);

    // Deterministic: the copy of the copy is byte for byte the copy.
    let mut again = vec![0u8; 65_535];
    let len2 = rebuild(&copy, &mut again);
    assert_eq!(
        &again[..len2],
        &out[..len],
        "{context}: rebuilding is not deterministic"
    );
}

#[derive(Debug, Default)]
struct Outcome {
    parsed: usize,
    /// Rejections by error variant.
    rejected: BTreeMap<String, usize>,
    /// Every rejection: file and error.
    details: Vec<(String, Error)>,
}

/// Parses every file of a message corpus (catching panics), walks and re-emits every
/// message that parses, and tallies the rejections.
fn run_message_corpus(sub: &str) -> Outcome {
    let mut outcome = Outcome::default();
    let mut parser_panics = Vec::new();
    let mut broken_invariants = Vec::new();
    let mut with_edns = 0;
    for (file, bytes) in corpus_files(sub) {
        let context = format!("{sub}/{file}");
        match catch_unwind(|| Message::parse(&bytes).map(|_| ())) {
            Err(_) => parser_panics.push(file),
            Ok(Err(e)) => {
                // The error is usable: it displays, and truncation is told apart.
                assert!(!e.to_string().is_empty());
                assert_eq!(e.is_truncated(), matches!(e, Error::UnexpectedEnd { .. }));
                *outcome.rejected.entry(variant(&e)).or_default() += 1;
                outcome.details.push((file, e));
            }
            Ok(Ok(())) => {
                outcome.parsed += 1;
                let msg = Message::parse(&bytes).unwrap();
                with_edns += usize::from(msg.edns().is_some());
                let checked = catch_unwind(AssertUnwindSafe(|| {
                    walk(&msg, &context);
                    check_reemit(&msg, &context);
                }));
                if checked.is_err() {
                    broken_invariants.push(file);
                }
            }
        }
    }
    assert!(
        parser_panics.is_empty(),
        "{sub}: Message::parse panicked on {parser_panics:?}"
    );
    assert!(
        broken_invariants.is_empty(),
        "{sub}: checks failed on {broken_invariants:?}"
    );
    let rejected: usize = outcome.rejected.values().sum();
    println!(
        "{sub}: {} parsed ({with_edns} with EDNS), {rejected} rejected {:?}",
        outcome.parsed, outcome.rejected
    );
    for (file, e) in &outcome.details {
        println!("  {file}: {e:?}");
    }
    outcome
}

fn tally(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs.iter().map(|&(k, v)| (k.to_owned(), v)).collect()
}

/// Wraps one uncompressed wire-format record in a response with ANCOUNT = 1.
fn wrap_record(rr: &[u8]) -> Vec<u8> {
    let mut msg = vec![0x12, 0x34, 0x84, 0x00, 0, 0, 0, 1, 0, 0, 0, 0];
    msg.extend_from_slice(rr);
    msg
}

/// Length of the uncompressed wire name at the start of `bytes`.
fn wire_name_len(bytes: &[u8]) -> usize {
    let mut p = 0;
    while bytes[p] != 0 {
        assert!(bytes[p] < 0x40, "uncompressed name expected");
        p += 1 + usize::from(bytes[p]);
    }
    p + 1
}

/// Copies the single answer of `msg` into a fresh message and checks it reads back equal.
fn check_record_roundtrip(msg: &Message<'_>, context: &str) {
    let record = msg.answers().next().expect("one answer");
    let mut out = vec![0u8; 65_535];
    let mut b = MessageBuilder::new(&mut out);
    b.copy(Section::Answer, &record)
        .unwrap_or_else(|e| panic!("{context}: copy: {e}"));
    let len = b.finish();
    let copy = Message::parse(&out[..len])
        .unwrap_or_else(|e| panic!("{context}: copy does not parse: {e}"));
    assert_eq!(copy.counts(), [0, 1, 0, 0], "{context}");
    let back = copy.answers().next().unwrap();
    assert_eq!(back, record, "{context}");
    if !record.rtype.allows_compression() {
        assert_eq!(
            back.rdata(),
            record.rdata(),
            "{context}: RDATA bytes differ"
        );
    }
}

fn be16(b: &[u8]) -> u16 {
    u16::from_be_bytes([b[0], b[1]])
}

fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

// ---------------------------------------------------------------------------------------
// 1. Whole messages
// ---------------------------------------------------------------------------------------

/// c-ares' fuzzer seeds and OSS-Fuzz regressions (responses, many malformed).
#[test]
fn c_ares_fuzzinput_parses_or_errors_and_reemits() {
    let outcome = run_message_corpus("c-ares/fuzzinput");
    // 74 files. The 13 rejected, all malformed on inspection:
    // - BadRdata (7): `answer_aaaa` has an AAAA record with RDLENGTH 4; `f6606f62...` a
    //   NAPTR cut short inside RDATA; five clusterfuzz-* inputs with A/AAAA of the wrong
    //   length or PTR RDATA with bytes after the name.
    // - UnexpectedEnd (3): clusterfuzz-* whose counts announce more than is there.
    // - NameTooLong (2): `multi-indir` (labels past 255 bytes) and a clusterfuzz input.
    // - ForwardPointer (1): a clusterfuzz name pointing ahead of itself.
    assert_eq!(outcome.parsed, 61, "{:?}", outcome.details);
    assert_eq!(
        outcome.rejected,
        tally(&[
            ("BadRdata", 7),
            ("ForwardPointer", 1),
            ("NameTooLong", 2),
            ("UnexpectedEnd", 3)
        ])
    );
    // The well-formed seeds are among the accepted ones.
    let rejected: Vec<&str> = outcome.details.iter().map(|(f, _)| f.as_str()).collect();
    assert!(!rejected.contains(&"answer_a"));
    assert!(
        rejected.contains(&"answer_aaaa"),
        "AAAA with 4 bytes of RDATA must be rejected"
    );
}

/// unbound's message-parser test packets (test_packets.2-.9), one message per file.
#[test]
fn unbound_packets_parse_or_error_and_reemit() {
    let outcome = run_message_corpus("unbound/packets-bin");
    // 288 files, 52 rejected:
    // - UnexpectedEnd (28): 27 of the deliberately short/garbage packets in
    //   test_packets.2/.3 (counts announce a question that is not there), and p8_00000,
    //   which unbound accepts leniently ("had arcount=1 but EDNS record is missing"; BIND
    //   accepts it too) - we do not, and report it as truncated.
    // - ReservedLabelType (18): garbage packets of .2/.3 (one starts with a TCP header),
    //   label bytes with 0x40/0x80 type bits.
    // - ForwardPointer (4): test_packets.5 hand-made compression cases 1 (query pointing
    //   into the answer), 2 (answer 1 pointing ahead to answer 2), 3 (pointer to itself)
    //   and 5 (pointer past the end of the packet).
    // - BadOpt (1): test_packets.5 case 6, two OPT records.
    // - TrailingBytes (1): p7_00000, two messages of test_packets.7 joined into one file
    //   (the split into files missed a separator); see below.
    assert_eq!(outcome.parsed, 235, "{:?}", outcome.details);
    assert_eq!(
        outcome.rejected,
        tally(&[
            ("BadOpt", 1),
            ("ForwardPointer", 4),
            ("PointerIntoHeader", 1),
            ("ReservedLabelType", 18),
            ("TrailingBytes", 1),
            ("UnexpectedEnd", 28),
        ])
    );

    // test_packets.5, the hand-made compression cases, one by one.
    let outcome_of = |file: &str| {
        let bytes = fs::read(corpus_dir("unbound/packets-bin").join(file)).unwrap();
        Message::parse(&bytes).map(|_| ())
    };
    let at = |offset, target| Err(Error::ForwardPointer { offset, target });
    assert_eq!(outcome_of("p5_00000.bin"), Ok(()), "0: no compression");
    assert_eq!(
        outcome_of("p5_00001.bin"),
        Ok(()),
        "0b: answer points to the query"
    );
    assert_eq!(
        outcome_of("p5_00002.bin"),
        at(12, 18),
        "1: query points into the answer"
    );
    assert_eq!(
        outcome_of("p5_00003.bin"),
        at(29, 45),
        "2: answer 1 points to answer 2"
    );
    assert_eq!(
        outcome_of("p5_00004.bin"),
        Ok(()),
        "2b: answer 2 points back to answer 1"
    );
    assert_eq!(
        outcome_of("p5_00005.bin"),
        at(29, 29),
        "3: pointer to itself"
    );
    // Case 4, "bad compression pointer - to header": no name can be in the header.
    assert!(
        matches!(
            outcome_of("p5_00006.bin"),
            Err(Error::PointerIntoHeader { .. })
        ),
        "4: pointer into the header"
    );
    assert_eq!(
        outcome_of("p5_00007.bin"),
        at(29, 187),
        "5: pointer past the end"
    );
    assert!(
        matches!(
            outcome_of("p5_00008.bin"),
            Err(Error::BadOpt { offset: 67, .. })
        ),
        "6: two OPT records"
    );
    let p8 = fs::read(corpus_dir("unbound/packets-bin").join("p8_00000.bin")).unwrap();
    let e = Message::parse(&p8).unwrap_err();
    assert!(
        e.is_truncated(),
        "ARCOUNT 1 with no additional record: {e:?}"
    );

    // p7_00000 is two whole messages back to back: the first parses once trailing bytes
    // are allowed, and the trailing bytes are the second.
    let p7 = fs::read(corpus_dir("unbound/packets-bin").join("p7_00000.bin")).unwrap();
    let Err(Error::TrailingBytes { offset, len }) = Message::parse(&p7) else {
        panic!("p7_00000 should have trailing bytes");
    };
    assert_eq!(offset + len, p7.len());
    let lenient = Limits::default().allow_trailing_bytes(true);
    for part in [&p7[..], &p7[..offset], &p7[offset..]] {
        let msg = Message::parse_with(part, &lenient).expect("each half is a message");
        walk(&msg, "p7_00000");
        check_reemit(&msg, "p7_00000");
    }
    let second = Message::parse(&p7[offset..]).unwrap();
    assert!(second.answers().len() > 0);
}

// ---------------------------------------------------------------------------------------
// 2. simple-dns: one uncompressed record per file
// ---------------------------------------------------------------------------------------

/// Independent decode of an NSEC/NSEC3 type bitmap.
fn bitmap_types(mut wire: &[u8]) -> Vec<Rtype> {
    let mut types = Vec::new();
    while let [window, len, rest @ ..] = wire {
        let (bits, tail) = rest.split_at(usize::from(*len));
        for (i, byte) in bits.iter().enumerate() {
            for bit in 0..8 {
                if byte & (0x80 >> bit) != 0 {
                    types.push(Rtype(u16::from(*window) << 8 | (i * 8 + bit) as u16));
                }
            }
        }
        wire = tail;
    }
    types
}

#[test]
fn simple_dns_records_parse_typed_and_roundtrip() {
    // File name -> expected type (numbers for the types the crate has no mnemonic for).
    let expected: &[(&str, u16)] = &[
        ("A.sample.A", 1),
        ("A.sample.VAXA", 1),
        ("A.sample.VENERA", 1),
        ("AAAA.sample", 28),
        ("AFSDB.sample", 18),
        ("CERT.sample", 37),
        ("DHCID.sample", 49),
        ("DNSKEY.sample", 48),
        ("DS.sample", 43),
        ("EUI48.sample", 108),
        ("EUI64.sample", 109),
        ("HINFO.sample", 13),
        ("HTTPS.sample", 65),
        ("IPSECKEY.sample", 45),
        ("ISDN.sample", 20),
        ("KX.sample", 36),
        ("LOC.sample", 29),
        ("MX.sample", 15),
        ("NS.sample", 2),
        ("NSAP-PTR.sample", 23),
        ("NSAP.sample", 22),
        ("NSEC.sample", 47),
        ("RP.sample", 17),
        ("RRSIG.sample", 46),
        ("RT.sample", 21),
        ("SOA.sample", 6),
        ("SRV.sample", 33),
        ("TXT.sample", 16),
        ("WKS.sample", 11),
        ("ZONEMD.sample", 63),
    ];
    let files = corpus_files("simple-dns/rr-wire");
    assert_eq!(
        files.iter().map(|(f, _)| f.as_str()).collect::<Vec<_>>(),
        expected.iter().map(|(f, _)| *f).collect::<Vec<_>>()
    );
    let mut typed = 0;
    for ((file, rr), &(_, rtype)) in files.iter().zip(expected) {
        let rtype = Rtype(rtype);
        let wire = wrap_record(rr);
        let msg = Message::parse(&wire).unwrap_or_else(|e| panic!("{file}: {e}"));
        walk(&msg, file);
        assert_eq!(msg.counts(), [0, 1, 0, 0]);
        let record = msg.answers().next().unwrap();

        // Fixed fields, decoded by hand.
        let owner_len = wire_name_len(rr);
        let fixed = &rr[owner_len..owner_len + 10];
        let rdata = &rr[owner_len + 10..];
        assert_eq!(
            usize::from(be16(&fixed[8..])),
            rdata.len(),
            "{file}: RDLENGTH"
        );
        assert_eq!(
            record.name,
            Name::from_wire(&rr[..owner_len]).unwrap(),
            "{file}"
        );
        assert_eq!(record.rtype, rtype, "{file}");
        assert_eq!(record.class, Class::IN, "{file}");
        assert_eq!(record.ttl, be32(&fixed[4..]), "{file}");
        assert_eq!(record.rdata(), rdata, "{file}");

        let data = record.data();
        assert_eq!(data.rtype(), rtype, "{file}");
        if TYPED.contains(&rtype) {
            typed += 1;
            assert!(!matches!(data, RData::Unknown { .. }), "{file}: {data:?}");
        } else {
            assert_eq!(data, RData::Unknown { rtype, data: rdata }, "{file}");
        }

        // Field values, decoded by hand from the RDATA bytes.
        match data {
            RData::A(a) => assert_eq!(a.octets(), rdata, "{file}"),
            RData::Aaaa(a) => assert_eq!(&a.octets()[..], rdata, "{file}"),
            RData::Ns(ns) => {
                assert_eq!(ns.to_string(), "A.ISI.EDU.");
                assert_eq!(ns, Name::from_wire(rdata).unwrap());
            }
            RData::Mx(mx) => {
                assert_eq!(mx.preference, be16(rdata));
                assert_eq!(mx.preference, 10);
                assert_eq!(mx.exchange.to_string(), "VENERA.sample.");
            }
            RData::Txt(txt) => {
                assert_eq!(txt.as_wire(), rdata);
                assert_eq!(txt.iter().collect::<Vec<_>>(), vec![&rdata[1..]]);
                assert_eq!(txt.iter().next().unwrap(), b"\"foo\nbar\"");
            }
            RData::Soa(soa) => {
                let m = wire_name_len(rdata);
                let r = m + wire_name_len(&rdata[m..]);
                let nums: Vec<u32> = rdata[r..].chunks(4).map(be32).collect();
                assert_eq!(
                    vec![soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum],
                    nums
                );
                assert_eq!(soa.mname.to_string(), "VENERA.sample.");
                assert_eq!(soa.rname.to_string(), "Action\\.domains.sample.");
                assert_eq!(soa.rname.label_count(), 2, "escaped dot inside a label");
            }
            RData::Srv(srv) => {
                assert_eq!(
                    [srv.priority, srv.weight, srv.port],
                    [be16(rdata), be16(&rdata[2..]), be16(&rdata[4..])]
                );
                assert_eq!(srv.port, 65535);
                assert_eq!(srv.target.to_string(), "old-slow-box.sample.");
            }
            RData::Dnskey(key) => {
                assert_eq!(key.flags, be16(rdata));
                assert_eq!((key.protocol, key.algorithm), (rdata[2], rdata[3]));
                assert_eq!((key.flags, key.protocol, key.algorithm), (256, 3, 5));
                assert_eq!(key.public_key, &rdata[4..]);
            }
            RData::Ds(ds) => {
                assert_eq!(ds.key_tag, be16(rdata));
                assert_eq!((ds.key_tag, ds.algorithm, ds.digest_type), (60485, 5, 1));
                assert_eq!(ds.digest, &rdata[4..]);
                assert_eq!(ds.digest.len(), 20, "SHA-1");
            }
            RData::Rrsig(sig) => {
                assert_eq!(sig.type_covered, Rtype(be16(rdata)));
                assert_eq!(sig.type_covered, Rtype::A);
                assert_eq!((sig.algorithm, sig.labels), (rdata[2], rdata[3]));
                assert_eq!(sig.original_ttl, be32(&rdata[4..]));
                assert_eq!(sig.expiration, be32(&rdata[8..]));
                assert_eq!(sig.inception, be32(&rdata[12..]));
                assert_eq!(sig.key_tag, be16(&rdata[16..]));
                assert_eq!(sig.signer.to_string(), "example.com.");
                let signer_len = wire_name_len(&rdata[18..]);
                assert_eq!(sig.signature, &rdata[18 + signer_len..]);
            }
            RData::Nsec(nsec) => {
                assert_eq!(nsec.next.to_string(), "host.example.com.");
                let n = wire_name_len(rdata);
                assert_eq!(nsec.types.as_wire(), &rdata[n..]);
                let types: Vec<Rtype> = nsec.types.iter().collect();
                assert_eq!(types, bitmap_types(&rdata[n..]));
                assert_eq!(types, [Rtype::A, Rtype::MX, Rtype::NSEC]);
                assert!(nsec.types.contains(Rtype::MX) && !nsec.types.contains(Rtype::RRSIG));
            }
            RData::Https(svcb) => {
                assert_eq!(svcb.priority, be16(rdata));
                assert_eq!(svcb.priority, 1);
                assert!(svcb.target.is_root(), "target . (the owner)");
                // Keys, decoded by hand.
                let mut keys = Vec::new();
                let mut p = 3;
                while p < rdata.len() {
                    keys.push(be16(&rdata[p..]));
                    p += 4 + usize::from(be16(&rdata[p + 2..]));
                }
                let alpn: Vec<&[u8]> = svcb
                    .params
                    .iter()
                    .find_map(|p| match p {
                        dns_codec::wire::SvcParam::Alpn(a) => Some(a.iter().collect()),
                        _ => None,
                    })
                    .expect("alpn");
                assert_eq!(alpn, [&b"http/1.1"[..], b"h2"]);
                assert_eq!(svcb.params.iter().count(), keys.len());
            }
            RData::Afsdb(a) => {
                assert_eq!(a.subtype, be16(rdata));
                assert_eq!(a.hostname.to_string(), "hostname.sample.");
            }
            RData::Rp(rp) => {
                let n = wire_name_len(rdata);
                assert_eq!(rp.mbox.wire_len(), n);
                assert_eq!(rp.txt.wire_len(), rdata.len() - n);
            }
            RData::Rt(rt) => {
                assert_eq!(rt.preference, be16(rdata));
                assert_eq!(rt.intermediate.wire_len(), rdata.len() - 2);
            }
            RData::Unknown { .. } => {}
            other => panic!("{file}: no spot check for {other:?}"),
        }
        check_record_roundtrip(&msg, file);
    }
    assert_eq!(
        typed, 17,
        "A x3, AAAA, AFSDB, DNSKEY, DS, HTTPS, MX, NS, NSEC, RP, RRSIG, RT, SOA, SRV, TXT"
    );
}

// ---------------------------------------------------------------------------------------
// 3. unbound test_ldnsrr.cN: hex wire record + presentation form
// ---------------------------------------------------------------------------------------

fn unhex(line: &str) -> Vec<u8> {
    assert!(line.len().is_multiple_of(2), "odd hex line {line}");
    (0..line.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&line[i..i + 2], 16).expect("hex"))
        .collect()
}

#[test]
fn unbound_ldnsrr_wire_matches_presentation() {
    let mut total = 0;
    let mut failures = Vec::new();
    let mut unnamed: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_type: BTreeMap<String, usize> = BTreeMap::new();
    let mut name_text_differs = Vec::new();
    for n in 1..=5 {
        let file = format!("test_ldnsrr.c{n}");
        let text = fs::read_to_string(corpus_dir("unbound/rr").join(&file)).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines.len().is_multiple_of(2), "{file}: lines come in pairs");
        for (i, pair) in lines.chunks(2).enumerate() {
            total += 1;
            let context = format!("{file} record {i}: {}", pair[1]);
            let wire = wrap_record(&unhex(pair[0].trim()));
            let msg = match Message::parse(&wire) {
                Ok(msg) => msg,
                Err(e) => {
                    failures.push(format!("{context}: {e:?}"));
                    continue;
                }
            };
            walk(&msg, &context);
            let record = msg.answers().next().unwrap();
            let tokens: Vec<&str> = pair[1].split('\t').collect();
            let [owner, ttl, class, rtype, ..] = tokens[..] else {
                panic!("{context}: expected owner, TTL, class, type");
            };

            // Owner: our presentation form is unbound's, ignoring case; the same escapes.
            let shown = record.name.to_string();
            if !shown.eq_ignore_ascii_case(owner) {
                name_text_differs.push(format!("{context}: {shown}"));
            }
            let parsed: Name = owner.parse().unwrap_or_else(|e| panic!("{context}: {e}"));
            assert_eq!(record.name, parsed, "{context}");

            assert_eq!(record.ttl.to_string(), ttl, "{context}");
            assert_eq!(record.class.to_string(), class, "{context}");
            // Type: where unbound writes TYPEnnn, the number; where it writes a
            // mnemonic, ours when we know one.
            *by_type.entry(rtype.to_owned()).or_default() += 1;
            if let Some(num) = rtype.strip_prefix("TYPE") {
                assert_eq!(record.rtype.0.to_string(), num, "{context}");
                assert_eq!(record.rtype.mnemonic(), None, "{context}");
            } else if record.rtype.mnemonic().is_some() {
                assert_eq!(record.rtype.to_string(), rtype, "{context}");
                assert_eq!(Rtype::from_mnemonic(rtype), Some(record.rtype), "{context}");
            } else {
                assert_eq!(record.rtype.to_string(), format!("TYPE{}", record.rtype.0));
                assert_eq!(Rtype::from_mnemonic(rtype), None, "{context}");
                *unnamed.entry(rtype.to_owned()).or_default() += 1;
            }
            check_record_roundtrip(&msg, &context);
        }
    }
    println!(
        "{total} records, {} rejected, types {by_type:?}",
        failures.len()
    );
    println!("mnemonics unbound knows and we do not: {unnamed:?}");
    for f in &failures {
        println!("  rejected: {f}");
    }
    for f in &name_text_differs {
        println!("  owner text differs: {f}");
    }
    assert_eq!(total, 7851);
    // Every record parses: nothing here trips the strict checks.
    assert!(failures.is_empty(), "{failures:#?}");
    // Owner names display exactly as unbound writes them (escapes included: the corpus
    // has IDN root-zone labels such as `\208\188\208\190\208\189.`).
    assert!(name_text_differs.is_empty(), "{name_text_differs:#?}");
    // Types unbound names and we show as TYPEnnn (their RDATA stays opaque). A new
    // mnemonic in `Rtype` shows up here.
    assert_eq!(
        unnamed,
        tally(&[
            ("APL", 5),
            ("ATMA", 2),
            ("CSYNC", 1),
            ("DLV", 1),
            ("EUI48", 1),
            ("EUI64", 1),
            ("GPOS", 2),
            ("HIP", 1),
            ("IPSECKEY", 1),
            ("ISDN", 10),
            ("L32", 3),
            ("L64", 3),
            ("LP", 3),
            ("NID", 3),
            ("NSAP", 5),
            ("NSAP-PTR", 2),
            ("TALINK", 2),
            ("WKS", 6),
            ("X25", 6),
        ])
    );
    // The bulk of the corpus is signed root-zone data.
    for (t, min) in [
        ("NS", 2267),
        ("RRSIG", 1581),
        ("NSEC", 827),
        ("DS", 321),
        ("A", 1529),
    ] {
        assert_eq!(by_type[t], min, "{t}");
    }
}

// ---------------------------------------------------------------------------------------
// 4. Compression-pointer and name-length attacks
// ---------------------------------------------------------------------------------------

/// A header with the given question and answer counts, then `body`.
fn message(qdcount: u16, ancount: u16, body: &[u8]) -> Vec<u8> {
    let mut m = vec![0xAB, 0xCD, 0x81, 0x80];
    m.extend_from_slice(&qdcount.to_be_bytes());
    m.extend_from_slice(&ancount.to_be_bytes());
    m.extend_from_slice(&[0, 0, 0, 0]);
    m.extend_from_slice(body);
    m
}

const QTYPE_A_IN: &[u8] = &[0, 1, 0, 1];

fn pointer(target: usize) -> [u8; 2] {
    assert!(target < 0x4000);
    (0xC000 | target as u16).to_be_bytes()
}

#[test]
fn pointer_to_itself_is_rejected() {
    // The question name at offset 12 is a pointer to offset 12.
    let m = message(1, 0, &[&pointer(12)[..], QTYPE_A_IN].concat());
    assert_eq!(
        Message::parse(&m).unwrap_err(),
        Error::ForwardPointer {
            offset: 12,
            target: 12
        }
    );
    // A label, then a pointer back to that label: `a.a.a.a...` forever.
    let m = message(1, 0, &[&b"\x01a"[..], &pointer(12), QTYPE_A_IN].concat());
    assert_eq!(
        Message::parse(&m).unwrap_err(),
        Error::ForwardPointer {
            offset: 14,
            target: 12
        }
    );
}

#[test]
fn forward_pointer_is_rejected_even_to_a_valid_name() {
    // Question 1 (offset 12) points to question 2's name at offset 18, `a.`.
    let body = [&pointer(18)[..], QTYPE_A_IN, b"\x01a\x00", QTYPE_A_IN].concat();
    let m = message(2, 0, &body);
    assert_eq!(
        Message::parse(&m).unwrap_err(),
        Error::ForwardPointer {
            offset: 12,
            target: 18
        }
    );
    // The same two questions in the other order compress backward and parse.
    let body = [&b"\x01a\x00"[..], QTYPE_A_IN, &pointer(12), QTYPE_A_IN].concat();
    let m = message(2, 0, &body);
    let msg = Message::parse(&m).unwrap();
    let names: Vec<String> = msg.questions().map(|q| q.name.to_string()).collect();
    assert_eq!(names, ["a.", "a."]);
}

#[test]
fn two_pointer_loop_is_rejected() {
    // Answer 1: owner `.`, type NULL (opaque RDATA, never read as a name), whose two
    // RDATA bytes at offset 23 are a pointer to offset 25. Answer 2's owner, at offset
    // 25, points back to 23: 25 -> 23 -> 25 -> ...
    let mut body = vec![0];
    body.extend_from_slice(&[0, 10, 0, 1, 0, 0, 0, 0, 0, 2]);
    body.extend_from_slice(&pointer(25));
    assert_eq!(12 + body.len(), 25);
    body.extend_from_slice(&pointer(23));
    body.extend_from_slice(&[0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 192, 0, 2, 1]);
    let m = message(0, 2, &body);
    assert_eq!(
        Message::parse(&m).unwrap_err(),
        Error::ForwardPointer {
            offset: 23,
            target: 25
        }
    );
    // With answer 2 removed, answer 1 alone is fine: its RDATA is opaque.
    let m = message(0, 1, &body[..13]);
    let msg = Message::parse(&m).unwrap();
    let data = msg.answers().next().unwrap().data();
    assert_eq!(
        data,
        RData::Unknown {
            rtype: Rtype(10),
            data: &pointer(25)
        }
    );
}

/// `n + 1` questions: the first for `.` at offset 12, each next one's name a pointer to
/// the previous one's, so question `i` follows `i` pointers.
fn pointer_chain(n: usize) -> Vec<u8> {
    let mut body = [&[0u8][..], QTYPE_A_IN].concat();
    let mut previous = 12;
    for _ in 0..n {
        let here = 12 + body.len();
        body.extend_from_slice(&pointer(previous));
        body.extend_from_slice(QTYPE_A_IN);
        previous = here;
    }
    assert!(previous < 0x3FFF);
    message(u16::try_from(n + 1).unwrap(), 0, &body)
}

#[test]
fn long_pointer_chain_needs_a_higher_hop_limit() {
    let offset_of = |i: usize| 12 + 5 + 6 * (i - 1);
    let chain = pointer_chain(200);
    assert_eq!(chain.len(), 12 + 5 + 200 * 6);
    // Default limit 127: question 128 is the first to follow too many pointers.
    assert_eq!(Limits::default().max_pointer_hops, 127);
    assert_eq!(
        Message::parse(&chain).unwrap_err(),
        Error::TooManyPointers {
            offset: offset_of(128),
            limit: 127
        }
    );
    // A raised limit accepts it, and every name reads back as the root.
    let msg = Message::parse_with(&chain, &Limits::default().max_pointer_hops(300)).unwrap();
    assert_eq!(msg.questions().len(), 201);
    assert!(
        msg.questions()
            .all(|q| q.name.is_root() && q.name.to_string() == ".")
    );
    walk(&msg, "pointer chain");
    // The limit is exact.
    assert!(Message::parse_with(&chain, &Limits::default().max_pointer_hops(200)).is_ok());
    assert_eq!(
        Message::parse_with(&chain, &Limits::default().max_pointer_hops(199)).unwrap_err(),
        Error::TooManyPointers {
            offset: offset_of(200),
            limit: 199
        }
    );
    assert!(Message::parse(&pointer_chain(127)).is_ok());
    assert_eq!(
        Message::parse(&pointer_chain(128)).unwrap_err(),
        Error::TooManyPointers {
            offset: offset_of(128),
            limit: 127
        }
    );
}

/// An uncompressed name of `len` wire bytes (root included) from labels of up to 63.
fn name_of_len(len: usize) -> Vec<u8> {
    let mut name = Vec::new();
    let mut left = len - 1;
    while left > 0 {
        let label = (left - 1).min(63);
        assert!(label > 0);
        name.push(label as u8);
        name.extend(std::iter::repeat_n(b'x', label));
        left -= 1 + label;
    }
    name.push(0);
    assert_eq!(name.len(), len);
    name
}

#[test]
fn name_longer_than_255_bytes_is_rejected() {
    // 63+63+63+62-byte labels: 256 bytes with the root label.
    let long = name_of_len(256);
    let m = message(1, 0, &[&long[..], QTYPE_A_IN].concat());
    assert_eq!(
        Message::parse(&m).unwrap_err(),
        Error::NameTooLong { offset: 12 }
    );
    // 255 bytes is the largest allowed.
    let max = name_of_len(255);
    let m = message(1, 0, &[&max[..], QTYPE_A_IN].concat());
    let msg = Message::parse(&m).unwrap();
    assert_eq!(msg.question().unwrap().name.wire_len(), 255);
    // Too long only through compression: 192 bytes of labels, then a pointer to a
    // 65-byte name.
    let question = name_of_len(65);
    let owner_at = 12 + question.len() + 4;
    let mut body = [&question[..], QTYPE_A_IN].concat();
    body.extend_from_slice(&name_of_len(193)[..192]);
    body.extend_from_slice(&pointer(12));
    body.extend_from_slice(&[0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 192, 0, 2, 1]);
    let m = message(1, 1, &body);
    assert_eq!(
        Message::parse(&m).unwrap_err(),
        Error::NameTooLong { offset: owner_at }
    );
}

#[test]
fn reserved_label_types_are_rejected() {
    // 0b01 (0x40, RFC 2673 extended labels) and 0b10 (0x80) type bits.
    for byte in [0x40u8, 0x41, 0x7F, 0x80, 0xBF] {
        let m = message(1, 0, &[&[byte, b'a', 0][..], QTYPE_A_IN].concat());
        assert_eq!(
            Message::parse(&m).unwrap_err(),
            Error::ReservedLabelType { offset: 12, byte }
        );
        let m = message(1, 0, &[&b"\x03www"[..], &[byte, 0], QTYPE_A_IN].concat());
        assert_eq!(
            Message::parse(&m).unwrap_err(),
            Error::ReservedLabelType { offset: 16, byte }
        );
    }
}

/// Records of the types RFC 3597 lets senders compress (MB, MG, MR, MINFO, MD, MF;
/// receivers also decompress RP, AFSDB, RT, PX, SIG, NXT) are typed, so their names
/// are decompressed when read and written again correctly when copied: copying verbatim
/// would leave pointers that mean something else in the new message.
#[test]
fn copy_keeps_the_meaning_of_compressed_names_in_opaque_rdata() {
    // Question foo.example. A; answer bar.example. MB, the mailbox a pointer to the
    // question name.
    let mut body = b"\x03foo\x07example\x00".to_vec();
    body.extend_from_slice(QTYPE_A_IN);
    body.extend_from_slice(b"\x03bar\x07example\x00\x00\x07\x00\x01\x00\x00\x00\x3c\x00\x02");
    body.extend_from_slice(&pointer(12));
    let m = message(1, 1, &body);
    let msg = Message::parse(&m).unwrap();
    let mut out = vec![0u8; 512];
    let mut b = MessageBuilder::new(&mut out);
    b.copy(Section::Answer, &msg.answers().next().unwrap())
        .unwrap();
    let len = b.finish();
    let copy = &out[..len];
    // Wherever the mailbox name ends up, `foo.example.` must be in the copy.
    assert!(
        copy.windows(4).any(|w| w == b"\x03foo"),
        "the copied MB record lost its mailbox foo.example.: {copy:02x?}"
    );
}
