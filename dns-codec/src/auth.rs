//! Authoritative answers as a pure function over a set of zones.
//!
//! [`Catalog::answer`] takes a query as received and writes the response into the
//! caller's buffer: exact answers, CNAME chains inside the zone, DNAME substitution
//! (RFC 6672), wildcards (RFC 4592), NXDOMAIN and NODATA with the SOA in the authority
//! section (RFC 2308), referrals with glue at zone cuts, additional-section addresses
//! for MX, NS and SRV targets, the AA flag, REFUSED outside every zone, FORMERR and
//! NOTIMP for what is not understood, EDNS(0) per RFC 6891 (BADVERS for versions above
//! 0) and truncation to the requester's UDP payload size.
//!
//! ```
//! use dns_codec::auth::{Catalog, Transport, Zone};
//! use dns_codec::wire::{Class, Header, Message, MessageBuilder, Name, RData, Rcode, Rtype};
//! use dns_codec::zone::{parse_zone, ZoneOptions};
//!
//! let text = "$ORIGIN example.test.\n$TTL 300\n\
//! @ SOA ns hostmaster 1 7200 3600 1209600 60\n@ NS ns\nns A 192.0.2.53\n\
//! www CNAME web\nweb A 192.0.2.80\n";
//! let zone = Zone::new(parse_zone(text, &ZoneOptions::default()).unwrap()).unwrap();
//! let catalog = Catalog::new(vec![zone]).unwrap();
//!
//! let mut query = [0u8; 512];
//! let mut b = MessageBuilder::new(&mut query);
//! b.set_header(Header { id: 42, ..Header::default() });
//! b.question("WWW.example.test".parse::<Name>().unwrap().as_ref(), Rtype::A, Class::IN).unwrap();
//! let qlen = b.finish();
//!
//! let mut out = [0u8; 512];
//! let len = catalog.answer(&query[..qlen], Transport::Udp, &mut out).unwrap();
//! let response = Message::parse(&out[..len]).unwrap();
//! assert!(response.header().aa);
//! assert_eq!(response.rcode(), Rcode::NOERROR);
//! let answers: Vec<_> = response.answers().map(|r| r.rtype).collect();
//! assert_eq!(answers, [Rtype::CNAME, Rtype::A]);
//! ```

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use core::ops::Bound;

use crate::wire::name::CANONICAL_KEY_LEN;
use crate::wire::{
    Class, Edns, EdnsOptions, Header, Message, MessageBuilder, Name, NameRef, Opcode, Question,
    RData, Rcode, Rtype, Section,
};
use crate::zone::ZoneRecord;

/// How the query arrived: UDP answers are limited to the requester's payload size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// UDP: at most 512 bytes, or the EDNS payload size (capped by the server's).
    Udp,
    /// TCP: up to 65,535 bytes.
    Tcp,
}

/// Why a set of records is not a usable zone.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ZoneLoadError {
    /// No SOA record, or more than one.
    #[error("a zone needs exactly one SOA record, found {0}")]
    SoaCount(usize),
    /// No NS record at the apex.
    #[error("the zone apex {0} has no NS records")]
    NoApexNs(Box<Name>),
    /// A record whose owner is not at or below the apex.
    #[error("{owner} is outside the zone {apex}")]
    OutOfZone {
        /// The record's owner.
        owner: Box<Name>,
        /// The zone apex.
        apex: Box<Name>,
    },
    /// A CNAME next to other data, or two CNAMEs, at one name (RFC 1034 section 3.6.2).
    #[error("{0} has a CNAME and other data")]
    CnameAndOtherData(Box<Name>),
    /// Records of a class other than the SOA's.
    #[error("{0} is in a different class from the SOA")]
    MixedClass(Box<Name>),
    /// Two zones with the same apex and class.
    #[error("two zones for {0}")]
    DuplicateZone(Box<Name>),
    /// RDATA that is not valid for its type.
    #[error("{owner} {rtype}: invalid RDATA: {error}")]
    BadRdata {
        /// The record's owner.
        owner: Box<Name>,
        /// Its type.
        rtype: Rtype,
        /// What is wrong.
        error: crate::wire::Error,
    },
    /// A type that cannot be zone data (OPT, TSIG, TKEY, AXFR, IXFR, MAILA, MAILB,
    /// ANY), or more than one DNAME at a name.
    #[error("{owner}: {rtype} cannot be zone data")]
    NotZoneData {
        /// The record's owner.
        owner: Box<Name>,
        /// Its type.
        rtype: Rtype,
    },
}

/// One RRset: a type, a TTL and the RDATA of each record (uncompressed wire form).
#[derive(Debug, Clone, PartialEq, Eq)]
struct RrSet {
    rtype: Rtype,
    ttl: u32,
    rdatas: Vec<Vec<u8>>,
}

/// A zone loaded for answering: records grouped by owner name and type.
#[derive(Debug, Clone)]
pub struct Zone {
    apex: Name,
    class: Class,
    /// Owner names by their canonical-order key (`NameRef::canonical_key`): DNSSEC
    /// canonical order under plain byte comparison, and a name's key is a prefix of
    /// its descendants' keys.
    nodes: BTreeMap<Vec<u8>, Vec<RrSet>>,
}

/// The name's canonical-order key (see `NameRef::canonical_key`) in a stack buffer.
fn stack_key<'k>(name: &Name, buf: &'k mut [u8; CANONICAL_KEY_LEN]) -> &'k [u8] {
    let len = name.as_ref().canonical_key(buf);
    &buf[..len]
}

fn key_of(name: &Name) -> Vec<u8> {
    let mut buf = [0u8; CANONICAL_KEY_LEN];
    stack_key(name, &mut buf).to_vec()
}

impl Zone {
    /// Groups `records` into a zone; the SOA's owner is the apex.
    pub fn new(records: Vec<ZoneRecord>) -> Result<Zone, ZoneLoadError> {
        let soas: Vec<&ZoneRecord> = records.iter().filter(|r| r.rtype == Rtype::SOA).collect();
        if soas.len() != 1 {
            return Err(ZoneLoadError::SoaCount(soas.len()));
        }
        let apex = soas[0].owner.clone();
        let class = soas[0].class;
        let mut nodes: BTreeMap<Vec<u8>, Vec<RrSet>> = BTreeMap::new();
        let mut names: BTreeMap<Vec<u8>, Name> = BTreeMap::new();
        for r in records {
            if matches!(r.rtype.0, 41 | 249 | 250 | 251 | 252 | 253 | 254 | 255) {
                return Err(ZoneLoadError::NotZoneData {
                    owner: Box::new(r.owner),
                    rtype: r.rtype,
                });
            }
            if let Err(error) = RData::from_wire(r.rtype, &r.rdata) {
                return Err(ZoneLoadError::BadRdata {
                    owner: Box::new(r.owner),
                    rtype: r.rtype,
                    error,
                });
            }
            if !r.owner.as_ref().is_below_or_at(&apex.as_ref()) {
                return Err(ZoneLoadError::OutOfZone {
                    owner: Box::new(r.owner),
                    apex: Box::new(apex),
                });
            }
            if r.class != class {
                return Err(ZoneLoadError::MixedClass(Box::new(r.owner)));
            }
            let key = key_of(&r.owner);
            if !names.contains_key(&key) {
                names.insert(key.clone(), r.owner.clone());
            }
            let sets = nodes.entry(key).or_default();
            match sets.iter_mut().find(|s| s.rtype == r.rtype) {
                Some(set) => {
                    // An RRset has one TTL (RFC 2181 section 5.2): the lowest wins.
                    set.ttl = set.ttl.min(r.ttl);
                    if !set.rdatas.contains(&r.rdata) {
                        set.rdatas.push(r.rdata);
                    }
                }
                None => sets.push(RrSet {
                    rtype: r.rtype,
                    ttl: r.ttl,
                    rdatas: alloc::vec![r.rdata],
                }),
            }
        }
        for (key, sets) in &nodes {
            let name = names.get(key);
            if sets
                .iter()
                .any(|s| s.rtype == Rtype::DNAME && s.rdatas.len() > 1)
            {
                return Err(ZoneLoadError::NotZoneData {
                    owner: Box::new(name.cloned().unwrap_or_default()),
                    rtype: Rtype::DNAME,
                });
            }
            let cname = sets.iter().find(|s| s.rtype == Rtype::CNAME);
            let others = sets
                .iter()
                .filter(|s| !matches!(s.rtype, Rtype::CNAME | Rtype::RRSIG | Rtype::NSEC))
                .count();
            if cname.is_some_and(|c| c.rdatas.len() > 1 || others > 0) {
                let name = name.cloned().unwrap_or_default();
                return Err(ZoneLoadError::CnameAndOtherData(Box::new(name)));
            }
        }
        if !nodes
            .get(&key_of(&apex))
            .is_some_and(|sets| sets.iter().any(|s| s.rtype == Rtype::NS))
        {
            return Err(ZoneLoadError::NoApexNs(Box::new(apex)));
        }
        Ok(Zone { apex, class, nodes })
    }

    /// The apex name.
    pub fn apex(&self) -> &Name {
        &self.apex
    }

    /// The class.
    pub fn class(&self) -> Class {
        self.class
    }

    fn node(&self, name: &Name) -> Option<&Vec<RrSet>> {
        let mut key = [0u8; CANONICAL_KEY_LEN];
        let key = stack_key(name, &mut key);
        self.nodes.get(key)
    }

    fn rrset(&self, name: &Name, rtype: Rtype) -> Option<&RrSet> {
        self.node(name)?.iter().find(|s| s.rtype == rtype)
    }

    /// True if `name` owns records or has descendants that do (an empty
    /// non-terminal exists too, RFC 4592 section 2.2.2): a descendant's key starts
    /// with the name's key.
    fn exists(&self, name: &Name) -> bool {
        let mut key = [0u8; CANONICAL_KEY_LEN];
        let key = stack_key(name, &mut key);
        self.nodes
            .range::<[u8], _>((Bound::Included(key), Bound::Unbounded))
            .next()
            .is_some_and(|(k, _)| k.starts_with(key))
    }

    fn soa(&self) -> Option<&RrSet> {
        self.rrset(&self.apex, Rtype::SOA)
    }

    /// Negative-answer TTL: the smaller of the SOA's TTL and its minimum field.
    fn negative_ttl(&self) -> u32 {
        let Some(soa) = self.soa() else { return 0 };
        let minimum = soa
            .rdatas
            .first()
            .and_then(|rd| match RData::from_wire(Rtype::SOA, rd) {
                Ok(RData::Soa(s)) => Some(s.minimum),
                _ => None,
            })
            .unwrap_or(soa.ttl);
        soa.ttl.min(minimum)
    }
}

/// The zones a server answers for.
#[derive(Debug, Clone)]
pub struct Catalog {
    zones: Vec<Zone>,
    udp_payload_size: u16,
    minimal_responses: bool,
}

impl Default for Catalog {
    /// No zones (every query is REFUSED), EDNS UDP payload size 1232.
    fn default() -> Self {
        Catalog {
            zones: Vec::new(),
            udp_payload_size: 1232,
            minimal_responses: false,
        }
    }
}

/// Longest CNAME/DNAME chain followed inside the served zones.
const MAX_CHAIN: usize = 16;

/// RDATA of a record in a response being assembled.
enum OutData<'z> {
    /// From the zone.
    Wire(&'z [u8]),
    /// A CNAME synthesized from a DNAME (RFC 6672): its target.
    SynthesizedCname(Box<Name>),
}

/// One record in a response being assembled.
struct Out<'z> {
    owner: Name,
    ttl: u32,
    rtype: Rtype,
    data: OutData<'z>,
}

impl Out<'_> {
    fn rdata(&self) -> Result<RData<'_>, crate::wire::Error> {
        match &self.data {
            OutData::Wire(rd) => RData::from_wire(self.rtype, rd),
            OutData::SynthesizedCname(target) => Ok(RData::Cname(Name::as_ref(target))),
        }
    }
}

/// A response before it is written.
#[derive(Default)]
struct Response<'z> {
    rcode: u8,
    aa: bool,
    answer: Vec<Out<'z>>,
    authority: Vec<Out<'z>>,
    /// Authority records sent only if they fit (the zone's NS on positive answers).
    optional_authority: Vec<Out<'z>>,
    additional: Vec<Out<'z>>,
}

impl<'z> Response<'z> {
    fn push_set(section: &mut Vec<Out<'z>>, owner: &Name, set: &'z RrSet) {
        for rd in &set.rdatas {
            section.push(Out {
                owner: owner.clone(),
                ttl: set.ttl,
                rtype: set.rtype,
                data: OutData::Wire(rd),
            });
        }
    }
}

impl Catalog {
    /// A catalog of zones; the server's EDNS UDP payload size is 1232 (the DNS flag
    /// day 2020 value).
    pub fn new(zones: Vec<Zone>) -> Result<Catalog, ZoneLoadError> {
        for (i, z) in zones.iter().enumerate() {
            if zones[..i]
                .iter()
                .any(|o| o.apex == z.apex && o.class == z.class)
            {
                return Err(ZoneLoadError::DuplicateZone(Box::new(z.apex.clone())));
            }
        }
        Ok(Catalog {
            zones,
            udp_payload_size: 1232,
            minimal_responses: false,
        })
    }

    /// Leaves the zone's NS records (and their addresses) out of the authority section
    /// of positive answers. By default they are included, as nsd and BIND do for
    /// authoritative answers; minimal responses are smaller and fit UDP more often.
    pub fn with_minimal_responses(mut self, minimal: bool) -> Self {
        self.minimal_responses = minimal;
        self
    }

    /// Sets the largest UDP response the server sends to EDNS requesters (at least
    /// 512).
    pub fn with_udp_payload_size(mut self, size: u16) -> Self {
        self.udp_payload_size = size.max(512);
        self
    }

    /// The zones.
    pub fn zones(&self) -> &[Zone] {
        &self.zones
    }

    /// The zone with the longest apex at or above `name`; for DS at a zone's apex,
    /// the parent zone if this catalog has it (DS lives on the parent side, RFC 4035
    /// section 3.1.4.1).
    fn zone_for(&self, name: &NameRef<'_>, class: Class, qtype: Rtype) -> Option<&Zone> {
        let mut candidates: Vec<&Zone> = self
            .zones
            .iter()
            .filter(|z| z.class == class && name.is_below_or_at(&z.apex.as_ref()))
            .collect();
        candidates.sort_by_key(|z| core::cmp::Reverse(z.apex.label_count()));
        match candidates.as_slice() {
            [child, parent, ..] if qtype == Rtype::DS && child.apex.as_ref() == *name => {
                Some(parent)
            }
            [first, ..] => Some(first),
            [] => None,
        }
    }

    /// Answers one query: parses `query`, writes the response into `out` and returns
    /// its length. Returns `None` when no response must be sent: the input is a
    /// response itself, or too short to hold a header.
    pub fn answer(&self, query: &[u8], transport: Transport, out: &mut [u8]) -> Option<usize> {
        let header_bytes: &[u8; 12] = query.get(..12)?.try_into().ok()?;
        let header = Header::parse(header_bytes);
        if header.qr {
            return None;
        }
        let reply_header = |rcode: u8| Header {
            id: header.id,
            qr: true,
            opcode: header.opcode,
            rd: header.rd,
            cd: header.cd,
            rcode,
            ..Header::default()
        };
        let Ok(msg) = Message::parse(query) else {
            return Some(error_reply(
                out,
                reply_header(Rcode::FORMERR.0 as u8),
                None,
                None,
            ));
        };
        let question = msg.question();
        let edns = msg.edns();
        // Error replies to EDNS queries carry an OPT record too (RFC 6891 section 7).
        let error_opt = edns.map(|_| self.udp_payload_size);
        if header.opcode != Opcode::QUERY {
            let h = reply_header(Rcode::NOTIMP.0 as u8);
            return Some(error_reply(out, h, question, error_opt));
        }
        let Some(q) = question.filter(|_| msg.counts()[0] == 1) else {
            let h = reply_header(Rcode::FORMERR.0 as u8);
            return Some(error_reply(out, h, question, error_opt));
        };
        let limit = match (transport, edns) {
            (Transport::Tcp, _) => out.len().min(65_535),
            (Transport::Udp, Some(e)) => {
                usize::from(e.udp_payload_size.min(self.udp_payload_size).max(512))
            }
            (Transport::Udp, None) => 512,
        };
        let empty = EdnsOptions::from_wire(&[]).ok()?;
        let our_edns = |extended_rcode| Edns {
            udp_payload_size: self.udp_payload_size,
            extended_rcode,
            version: 0,
            dnssec_ok: false,
            z: 0,
            options: empty,
        };
        if let Some(e) = edns
            && e.version > 0
        {
            // BADVERS = 16: upper bits 1 in OPT, lower bits 0 in the header.
            let mut b = MessageBuilder::new(out);
            b.set_limit(limit);
            b.set_header(reply_header(0));
            let _ = b.set_edns(&our_edns(1));
            return Some(b.finish());
        }
        if matches!(q.qtype, Rtype::AXFR) || q.qtype.0 == 251 {
            // Zone transfers are not offered.
            return Some(self.write(
                out,
                limit,
                reply_header(Rcode::REFUSED.0 as u8),
                q,
                edns.map(|_| our_edns(0)),
                &Response::default(),
            ));
        }
        let qname = q.name.to_name();
        let Some(zone) = self.zone_for(&q.name, q.qclass, q.qtype) else {
            return Some(self.write(
                out,
                limit,
                reply_header(Rcode::REFUSED.0 as u8),
                q,
                edns.map(|_| our_edns(0)),
                &Response::default(),
            ));
        };
        let response = resolve(zone, &qname, q.qtype, !self.minimal_responses);
        let mut h = reply_header(response.rcode);
        h.aa = response.aa;
        Some(self.write(out, limit, h, q, edns.map(|_| our_edns(0)), &response))
    }

    fn write(
        &self,
        out: &mut [u8],
        limit: usize,
        header: Header,
        q: Question<'_>,
        edns: Option<Edns<'_>>,
        response: &Response<'_>,
    ) -> usize {
        let build = |out: &mut [u8], truncate: bool, optional: bool| -> Result<usize, ()> {
            let mut b = MessageBuilder::new(out);
            b.set_limit(limit);
            let mut h = header;
            h.tc = truncate;
            b.set_header(h);
            if let Some(e) = &edns {
                b.set_edns(e).map_err(|_| ())?;
            }
            b.question(q.name, q.qtype, q.qclass).map_err(|_| ())?;
            if !truncate {
                for (section, records) in [
                    (Section::Answer, &response.answer),
                    (Section::Authority, &response.authority),
                ] {
                    for r in records {
                        let data = r.rdata().map_err(|_| ())?;
                        b.record(section, r.owner.as_ref(), Class(q.qclass.0), r.ttl, &data)
                            .map_err(|_| ())?;
                    }
                }
                // Optional: all of the NS RRset or none of it (the caller retries
                // without it before falling back to TC).
                if optional {
                    for r in &response.optional_authority {
                        let data = r.rdata().map_err(|_| ())?;
                        b.record(
                            Section::Authority,
                            r.owner.as_ref(),
                            Class(q.qclass.0),
                            r.ttl,
                            &data,
                        )
                        .map_err(|_| ())?;
                    }
                }
                for r in &response.additional {
                    let Ok(data) = r.rdata() else { continue };
                    // Additional data is optional: stop at the first that does not fit.
                    if b.record(
                        Section::Additional,
                        r.owner.as_ref(),
                        Class(q.qclass.0),
                        r.ttl,
                        &data,
                    )
                    .is_err()
                    {
                        break;
                    }
                }
            }
            Ok(b.finish())
        };
        // A response whose answer or authority does not fit is sent with TC set and
        // those sections empty: the client retries over TCP (RFC 7766).
        build(out, false, true)
            .or_else(|()| build(out, false, false))
            .or_else(|()| build(out, true, false))
            .unwrap_or_else(|()| error_reply(out, header, Some(q), None))
    }
}

/// A header-only reply (with the question when there is one, and an OPT record when
/// the query had one).
fn error_reply(out: &mut [u8], header: Header, q: Option<Question<'_>>, opt: Option<u16>) -> usize {
    let mut b = MessageBuilder::new(out);
    b.set_limit(512);
    b.set_header(header);
    if let (Some(size), Ok(options)) = (opt, EdnsOptions::from_wire(&[])) {
        let _ = b.set_edns(&Edns {
            udp_payload_size: size,
            extended_rcode: 0,
            version: 0,
            dnssec_ok: false,
            z: 0,
            options,
        });
    }
    if let Some(q) = q {
        let _ = b.question(q.name, q.qtype, q.qclass);
    }
    b.finish()
}

/// Finds the answer to `qname`/`qtype` in `zone`, following CNAMEs and DNAMEs inside it.
fn resolve<'z>(zone: &'z Zone, qname: &Name, qtype: Rtype, authority_ns: bool) -> Response<'z> {
    let mut response = Response {
        aa: true,
        ..Response::default()
    };
    let mut name = qname.clone();
    let mut seen: Vec<Name> = Vec::new();
    for _ in 0..MAX_CHAIN {
        match step(zone, &name, qtype, &mut response) {
            Step::Done => break,
            Step::Follow(next) => {
                if next == name
                    || seen.contains(&next)
                    || !next.as_ref().is_below_or_at(&zone.apex.as_ref())
                {
                    // A loop, or a target outside this zone: the resolver goes on.
                    break;
                }
                seen.push(name);
                name = next;
            }
        }
    }
    // A positive authoritative answer also names the zone's servers (unless the
    // answer is that very RRset).
    let answers_apex_ns = response
        .answer
        .iter()
        .any(|r| r.rtype == Rtype::NS && r.owner == zone.apex);
    // nsd leaves the NS out of DNSSEC key material answers (DS, DNSKEY): so do we.
    if authority_ns
        && !matches!(qtype, Rtype::DS | Rtype::DNSKEY)
        && response.aa
        && response.rcode == 0
        && !response.answer.is_empty()
        && response.authority.is_empty()
        && !answers_apex_ns
        && let Some(ns) = zone.rrset(&zone.apex, Rtype::NS)
    {
        Response::push_set(&mut response.optional_authority, &zone.apex, ns);
    }
    additional(zone, &mut response);
    response
}

// Moved by value once per chain step; boxing would only add an allocation.
#[allow(clippy::large_enum_variant)]
enum Step {
    Done,
    Follow(Name),
}

/// The ancestors of `name` strictly below the apex, from the top down.
fn ancestors_below_apex(zone: &Zone, name: &Name) -> Vec<Name> {
    let labels: Vec<&[u8]> = name.labels().collect();
    let apex_labels = zone.apex.label_count();
    let mut out = Vec::new();
    for keep in (apex_labels + 1)..labels.len() {
        let mut n = Name::root();
        for l in &labels[labels.len() - keep..] {
            let _ = n.push_label(l);
        }
        out.push(n);
    }
    out
}

fn step<'z>(zone: &'z Zone, name: &Name, qtype: Rtype, response: &mut Response<'z>) -> Step {
    // Zone cuts and DNAMEs above the name; a DNAME may also sit at the apex (RFC 6672
    // section 2.3), where NS records are the zone's own and no cut.
    let mut above = Vec::new();
    if *name != zone.apex {
        above.push(zone.apex.clone());
    }
    above.extend(ancestors_below_apex(zone, name));
    for ancestor in above {
        let at_apex = ancestor == zone.apex;
        if !at_apex && let Some(ns) = zone.rrset(&ancestor, Rtype::NS) {
            // A referral; after a CNAME chain into the delegation, the chain stays
            // authoritative and the referral follows it in the authority section.
            if response.answer.is_empty() {
                response.aa = false;
            }
            Response::push_set(&mut response.authority, &ancestor, ns);
            return Step::Done;
        }
        if let Some(dname) = zone.rrset(&ancestor, Rtype::DNAME) {
            Response::push_set(&mut response.answer, &ancestor, dname);
            let Some(Ok(RData::Dname(target))) = dname
                .rdatas
                .first()
                .map(|rd| RData::from_wire(Rtype::DNAME, rd))
            else {
                return Step::Done;
            };
            // Replace the ancestor suffix of `name` with the DNAME target.
            let keep = name.label_count() - ancestor.label_count();
            let mut new = Name::root();
            for l in name.labels().take(keep) {
                let _ = new.push_label(l);
            }
            if new.append(&target).is_err() {
                // The substituted name is too long (RFC 6672 section 2.2): YXDOMAIN.
                response.rcode = Rcode::YXDOMAIN.0 as u8;
                return Step::Done;
            }
            push_synthesized_cname(response, name, dname.ttl, new.clone());
            return Step::Follow(new);
        }
    }
    // The name itself (at the apex or below), or a wildcard.
    // A wildcard's records are answered with the query name as owner (RFC 4592).
    let owner_sets = match zone.node(name) {
        Some(sets) => Some(sets),
        None if zone.exists(name) => None,
        None => match wildcard(zone, name) {
            Wildcard::Records(sets) => Some(sets),
            // `*.ce` exists only as an empty non-terminal: NODATA (RFC 4592 2.2.2).
            Wildcard::Empty => None,
            Wildcard::None => {
                response.rcode = Rcode::NXDOMAIN.0 as u8;
                negative(zone, response);
                return Step::Done;
            }
        },
    };
    let Some(sets) = owner_sets else {
        negative(zone, response);
        return Step::Done;
    };
    if *name != zone.apex
        && let Some(ns) = sets.iter().find(|s| s.rtype == Rtype::NS)
        && qtype != Rtype::DS
    {
        // The name is itself a zone cut: a referral.
        if response.answer.is_empty() {
            response.aa = false;
        }
        Response::push_set(&mut response.authority, name, ns);
        return Step::Done;
    }
    if qtype != Rtype::CNAME
        && qtype != Rtype::ANY
        && let Some(cname) = sets.iter().find(|s| s.rtype == Rtype::CNAME)
    {
        Response::push_set(&mut response.answer, name, cname);
        return match cname
            .rdatas
            .first()
            .map(|rd| RData::from_wire(Rtype::CNAME, rd))
        {
            Some(Ok(RData::Cname(target))) => Step::Follow(target.to_name()),
            _ => Step::Done,
        };
    }
    let before = response.answer.len();
    for set in sets
        .iter()
        .filter(|s| s.rtype == qtype || (qtype == Rtype::ANY && s.rtype != Rtype::RRSIG))
    {
        Response::push_set(&mut response.answer, name, set);
    }
    if response.answer.len() == before {
        negative(zone, response);
    }
    Step::Done
}

/// Adds the CNAME a DNAME substitution synthesizes (RFC 6672 section 3.1).
fn push_synthesized_cname(response: &mut Response<'_>, owner: &Name, ttl: u32, target: Name) {
    response.answer.push(Out {
        owner: owner.clone(),
        ttl,
        rtype: Rtype::CNAME,
        data: OutData::SynthesizedCname(Box::new(target)),
    });
}

/// What the wildcard under a name's closest encloser holds.
enum Wildcard<'z> {
    Records(&'z Vec<RrSet>),
    /// `*.ce` exists only because names below it do.
    Empty,
    None,
}

/// The wildcard that covers `name` (RFC 4592): `*` under its closest encloser.
fn wildcard<'z>(zone: &'z Zone, name: &Name) -> Wildcard<'z> {
    let labels: Vec<&[u8]> = name.labels().collect();
    // The closest encloser: the longest existing ancestor.
    for keep in (zone.apex.label_count()..labels.len()).rev() {
        let mut encloser = Name::root();
        for l in &labels[labels.len() - keep..] {
            let _ = encloser.push_label(l);
        }
        if zone.exists(&encloser) {
            let mut star = Name::root();
            let _ = star.push_label(b"*");
            if star.append(&encloser.as_ref()).is_err() {
                return Wildcard::None;
            }
            return match zone.node(&star) {
                Some(sets) => Wildcard::Records(sets),
                None if zone.exists(&star) => Wildcard::Empty,
                None => Wildcard::None,
            };
        }
    }
    Wildcard::None
}

/// NXDOMAIN/NODATA: the SOA in the authority section with the negative TTL.
fn negative<'z>(zone: &'z Zone, response: &mut Response<'z>) {
    if let Some(soa) = zone.soa()
        && let Some(rd) = soa.rdatas.first()
    {
        response.authority.push(Out {
            owner: zone.apex.clone(),
            ttl: zone.negative_ttl(),
            rtype: Rtype::SOA,
            data: OutData::Wire(rd),
        });
    }
}

/// Addresses of MX, NS and SRV targets found in the zone (and glue below cuts).
fn additional<'z>(zone: &'z Zone, response: &mut Response<'z>) {
    let mut targets: Vec<Name> = Vec::new();
    for r in response
        .answer
        .iter()
        .chain(&response.authority)
        .chain(&response.optional_authority)
    {
        let target = match r.rdata() {
            Ok(RData::Mx(mx)) => mx.exchange,
            Ok(RData::Ns(ns)) => ns,
            Ok(RData::Srv(srv)) => srv.target,
            _ => continue,
        };
        let t = target.to_name();
        if !targets.contains(&t) {
            targets.push(t);
        }
    }
    for t in targets {
        for rtype in [Rtype::A, Rtype::AAAA] {
            if let Some(set) = zone.rrset(&t, rtype) {
                Response::push_set(&mut response.additional, &t, set);
            }
        }
    }
}
