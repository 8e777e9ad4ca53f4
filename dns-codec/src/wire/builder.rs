//! Writing messages into a caller's buffer, with name compression in linear time.

use alloc::vec::Vec;

use super::message::{Edns, Header, Record, Section};
use super::name::{Labels, MAX_LABELS, NameRef};
use super::rdata::RData;
use super::types::{Class, Rtype};

/// Why a message could not be built as asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The record did not fit in the size limit and was left out whole. In the answer
    /// and authority sections the TC bit is set; a client retries over TCP.
    #[error("the message is full: the record does not fit in {limit} bytes")]
    Truncated {
        /// The size limit in force.
        limit: usize,
    },
    /// Sections must be written in order: question, answer, authority, additional.
    #[error("{section} written after a later section")]
    SectionOrder {
        /// The section that came too late.
        section: &'static str,
    },
    /// A section already holds 65,535 entries.
    #[error("a section already holds 65535 entries")]
    TooManyRecords,
    /// RDATA longer than 65,535 bytes.
    #[error("RDATA longer than 65535 bytes")]
    RdataTooLong,
    /// EDNS must be set before any record is added, so its space can be reserved.
    #[error("EDNS must be set before the first record")]
    EdnsTooLate,
}

/// Suffix table for name compression: open addressing over (hash, offset) pairs, each
/// candidate verified against the bytes already written, so every name costs time
/// bounded by its own length (no scan over earlier names; cf. CVE-2024-8508).
#[derive(Debug, Clone, Default)]
pub struct Compressor {
    slots: Vec<(u32, u16)>,
    used: usize,
    /// EDNS option bytes waiting to be written at the end (kept here so a reused table
    /// also reuses this buffer).
    edns_options: Vec<u8>,
}

impl Compressor {
    /// An empty table.
    pub fn new() -> Self {
        Compressor::default()
    }

    fn clear(&mut self) {
        self.slots.iter_mut().for_each(|s| *s = (0, 0));
        self.used = 0;
        self.edns_options.clear();
    }

    fn candidates(&self, hash: u32) -> impl Iterator<Item = usize> + '_ {
        let mask = self.slots.len().wrapping_sub(1);
        let start = hash as usize & mask;
        (0..self.slots.len())
            .map(move |i| self.slots[(start + i) & mask])
            .take_while(|&(_, off)| off != 0)
            .filter(move |&(h, _)| h == hash)
            .map(|(_, off)| usize::from(off))
    }

    fn insert(&mut self, hash: u32, offset: u16) {
        if (self.used + 1) * 2 > self.slots.len() {
            let old = core::mem::take(&mut self.slots);
            self.slots = alloc::vec![(0, 0); (old.len() * 2).max(64)];
            self.used = 0;
            for (h, off) in old.into_iter().filter(|&(_, off)| off != 0) {
                self.insert(h, off);
            }
        }
        let mask = self.slots.len() - 1;
        let mut i = hash as usize & mask;
        while self.slots[i].1 != 0 {
            i = (i + 1) & mask;
        }
        self.slots[i] = (hash, offset);
        self.used += 1;
    }
}

/// Hash of a name suffix, computed right to left (exact bytes: compression keeps the
/// case of every name as given).
fn suffix_hash(label: &[u8], rest: u32) -> u32 {
    let mut h = rest ^ 0x811c_9dc5 ^ (label.len() as u32);
    for &b in label {
        h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
    }
    h.wrapping_mul(0x9E37_79B1).rotate_left(5)
}

/// Builds a message into a caller's buffer, section by section.
///
/// Names are compressed against every name written before (owner names and the names
/// in NS, CNAME, SOA, PTR, MX RDATA, the types RFC 3597 allows to be compressed).
/// When a record does not fit the size limit it is left out whole and
/// [`BuildError::Truncated`] is returned; in the answer and authority sections the TC
/// bit is set as well (RFC 2181 section 9: missing additional data does not need it).
/// EDNS, if set first, has its space reserved so the OPT record is always written.
///
/// ```
/// use dns_codec::wire::{Class, Header, Message, MessageBuilder, Name, RData, Rtype};
/// let name: Name = "www.example.com".parse().unwrap();
/// let mut buf = [0u8; 512];
/// let mut b = MessageBuilder::new(&mut buf);
/// b.set_header(Header { id: 7, qr: true, aa: true, ..Header::default() });
/// b.question(name.as_ref(), Rtype::A, Class::IN)?;
/// b.answer(name.as_ref(), Class::IN, 300, &RData::A("192.0.2.1".parse().unwrap()))?;
/// let len = b.finish();
///
/// let msg = Message::parse(&buf[..len]).unwrap();
/// assert_eq!(msg.answers().next().unwrap().name, name);
/// assert_eq!(len, 49, "the answer's owner is a 2-byte pointer to the question");
/// # Ok::<(), dns_codec::wire::BuildError>(())
/// ```
#[derive(Debug)]
pub struct MessageBuilder<'b> {
    buf: &'b mut [u8],
    len: usize,
    limit: usize,
    header: Header,
    counts: [u16; 4],
    /// 0 question, 1 answer, 2 authority, 3 additional.
    section: usize,
    compressor: Compressor,
    edns: Option<(u16, u32)>,
    truncated: bool,
}

impl<'b> MessageBuilder<'b> {
    /// A builder writing into `buf`, limited to its length (at most 65,535 bytes).
    pub fn new(buf: &'b mut [u8]) -> Self {
        MessageBuilder::with_compressor(buf, Compressor::new())
    }

    /// A builder reusing a compression table from an earlier message (see
    /// [`MessageBuilder::finish_and_reuse`]), so building allocates nothing once warm.
    pub fn with_compressor(buf: &'b mut [u8], mut compressor: Compressor) -> Self {
        compressor.clear();
        let limit = buf.len().min(65_535);
        let mut b = MessageBuilder {
            buf,
            len: 12,
            limit,
            header: Header::default(),
            counts: [0; 4],
            section: 0,
            compressor,
            edns: None,
            truncated: false,
        };
        if b.limit < 12 {
            b.len = 0;
        }
        b
    }

    /// Lowers the size limit (a UDP responder: 512, or the requester's EDNS payload
    /// size). Never raises it above the buffer length.
    pub fn set_limit(&mut self, limit: usize) {
        self.limit = limit.min(self.buf.len()).min(65_535).max(self.len);
    }

    /// Sets the header fields (counts are kept by the builder).
    pub fn set_header(&mut self, header: Header) {
        let tc = self.header.tc;
        self.header = header;
        self.header.tc |= tc;
    }

    /// The header as it stands (TC included if set by truncation).
    pub fn header(&self) -> Header {
        self.header
    }

    /// True once a record was left out for lack of space.
    pub fn truncated(&self) -> bool {
        self.truncated
    }

    /// Adds an OPT record (RFC 6891) at the end of the additional section, reserving
    /// its space now: call before adding any record. The fields are those a parsed
    /// message reports ([`Message::edns`](super::Message::edns)), so EDNS can be copied
    /// as is; `extended_rcode` is the upper 8 bits of a 12-bit response code.
    ///
    /// ```
    /// use dns_codec::wire::{Edns, EdnsOptions, Message, MessageBuilder};
    /// let mut buf = [0u8; 512];
    /// let mut b = MessageBuilder::new(&mut buf);
    /// let options = EdnsOptions::from_wire(&[]).unwrap();
    /// b.set_edns(&Edns { udp_payload_size: 1232, extended_rcode: 0, version: 0, dnssec_ok: true, z: 0, options })?;
    /// let len = b.finish();
    /// assert!(Message::parse(&buf[..len]).unwrap().edns().unwrap().dnssec_ok);
    /// # Ok::<(), dns_codec::wire::BuildError>(())
    /// ```
    pub fn set_edns(&mut self, edns: &Edns<'_>) -> Result<(), BuildError> {
        if self.counts.iter().any(|&c| c > 0) {
            return Err(BuildError::EdnsTooLate);
        }
        let ttl = (u32::from(edns.extended_rcode) << 24)
            | (u32::from(edns.version) << 16)
            | if edns.dnssec_ok { 0x8000 } else { 0 }
            | u32::from(edns.z & 0x7FFF);
        let options = edns.options.as_wire();
        let size = 11 + options.len();
        if self.len + size > self.limit {
            return Err(BuildError::Truncated { limit: self.limit });
        }
        self.limit -= size;
        self.edns = Some((edns.udp_payload_size, ttl));
        self.compressor.edns_options.clear();
        self.compressor.edns_options.extend_from_slice(options);
        Ok(())
    }

    fn enter(&mut self, section: usize, name: &'static str) -> Result<(), BuildError> {
        if section < self.section {
            return Err(BuildError::SectionOrder { section: name });
        }
        self.section = section;
        if self.counts[section] == u16::MAX {
            return Err(BuildError::TooManyRecords);
        }
        Ok(())
    }

    fn put(&mut self, bytes: &[u8]) -> Result<(), ()> {
        let end = self.len + bytes.len();
        if end > self.limit {
            return Err(());
        }
        self.buf[self.len..end].copy_from_slice(bytes);
        self.len = end;
        Ok(())
    }

    /// Writes `name`, compressed against earlier names when `compress`.
    fn put_name(&mut self, name: NameRef<'_>, compress: bool) -> Result<(), ()> {
        // The name, uncompressed, and where each label starts in it: small arrays, so
        // the per-name setup stays cheap.
        let mut wire = [0u8; 255];
        let mut starts = [0u8; MAX_LABELS];
        let mut n = 0;
        let mut w = 0;
        for label in name.labels() {
            let (Some(dst), Some(slot)) = (wire.get_mut(w..w + 1 + label.len()), starts.get_mut(n))
            else {
                return Err(());
            };
            dst[0] = label.len() as u8;
            dst[1..].copy_from_slice(label);
            *slot = w as u8;
            w += 1 + label.len();
            n += 1;
        }
        let label = |i: usize| {
            let at = usize::from(starts[i]);
            &wire[at + 1..at + 1 + usize::from(wire[at])]
        };
        // hashes[i]: the suffix starting at label i.
        let mut hashes = [0u32; MAX_LABELS + 1];
        for i in (0..n).rev() {
            hashes[i] = suffix_hash(label(i), hashes[i + 1]);
        }
        // The longest suffix already in the message.
        let mut pointer = None;
        let mut split = n;
        if compress {
            'search: for i in 0..n {
                let suffix = &wire[usize::from(starts[i])..w];
                for off in self.compressor.candidates(hashes[i]) {
                    if off < self.len && self.suffix_at(off, suffix) {
                        pointer = Some(off);
                        split = i;
                        break 'search;
                    }
                }
            }
        }
        let head_end = if split < n {
            usize::from(starts[split])
        } else {
            w
        };
        let at = self.len;
        self.put(&wire[..head_end])?;
        if compress {
            for i in 0..split {
                let off = at + usize::from(starts[i]);
                if off < 0x3FFF {
                    self.compressor.insert(hashes[i], off as u16);
                }
            }
        }
        match pointer {
            Some(off) => self.put(&(0xC000 | off as u16).to_be_bytes()),
            None => self.put(&[0]),
        }
    }

    /// True if the name written at `off` is exactly `suffix` (uncompressed labels,
    /// without the root byte).
    fn suffix_at(&self, off: usize, suffix: &[u8]) -> bool {
        let mut rest = suffix;
        for label in Labels::over(&self.buf[..self.len], off) {
            match rest.split_first() {
                Some((&len, tail))
                    if usize::from(len) == label.len() && tail.starts_with(label) =>
                {
                    rest = &tail[label.len()..];
                }
                _ => return false,
            }
        }
        rest.is_empty()
    }

    /// Adds a question.
    pub fn question(
        &mut self,
        name: NameRef<'_>,
        qtype: Rtype,
        qclass: Class,
    ) -> Result<(), BuildError> {
        self.enter(0, "a question")?;
        let mark = self.len;
        let r = self.put_name(name, true).and_then(|()| {
            self.put(&qtype.0.to_be_bytes())?;
            self.put(&qclass.0.to_be_bytes())
        });
        self.done(0, mark, r)
    }

    fn done(&mut self, section: usize, mark: usize, r: Result<(), ()>) -> Result<(), BuildError> {
        match r {
            Ok(()) => {
                self.counts[section] += 1;
                Ok(())
            }
            Err(()) => {
                // Back to the record boundary; table entries past it are ignored
                // because candidates are verified against the bytes below `len`.
                self.len = mark;
                self.truncated = true;
                if section < 3 {
                    self.header.tc = true;
                }
                Err(BuildError::Truncated { limit: self.limit })
            }
        }
    }

    /// Adds a record to the answer section.
    pub fn answer(
        &mut self,
        owner: NameRef<'_>,
        class: Class,
        ttl: u32,
        data: &RData<'_>,
    ) -> Result<(), BuildError> {
        self.record(Section::Answer, owner, class, ttl, data)
    }

    /// Adds a record to the authority section.
    pub fn authority(
        &mut self,
        owner: NameRef<'_>,
        class: Class,
        ttl: u32,
        data: &RData<'_>,
    ) -> Result<(), BuildError> {
        self.record(Section::Authority, owner, class, ttl, data)
    }

    /// Adds a record to the additional section.
    pub fn additional(
        &mut self,
        owner: NameRef<'_>,
        class: Class,
        ttl: u32,
        data: &RData<'_>,
    ) -> Result<(), BuildError> {
        self.record(Section::Additional, owner, class, ttl, data)
    }

    /// Copies a record read from another message (names re-compressed for this one).
    pub fn copy(&mut self, section: Section, record: &Record<'_>) -> Result<(), BuildError> {
        self.record(
            section,
            record.name,
            record.class,
            record.ttl,
            &record.data(),
        )
    }

    /// Adds a record to `section`.
    pub fn record(
        &mut self,
        section: Section,
        owner: NameRef<'_>,
        class: Class,
        ttl: u32,
        data: &RData<'_>,
    ) -> Result<(), BuildError> {
        let (index, label) = match section {
            Section::Answer => (1, "an answer record"),
            Section::Authority => (2, "an authority record"),
            Section::Additional => (3, "an additional record"),
        };
        self.enter(index, label)?;
        let mark = self.len;
        let rtype = data.rtype();
        let r = (|| {
            self.put_name(owner, true)?;
            self.put(&rtype.0.to_be_bytes())?;
            self.put(&class.0.to_be_bytes())?;
            self.put(&ttl.to_be_bytes())?;
            let len_at = self.len;
            self.put(&[0, 0])?;
            self.put_rdata(data)?;
            let rdlen = self.len - len_at - 2;
            let rdlen = u16::try_from(rdlen).map_err(|_| ())?;
            self.buf[len_at..len_at + 2].copy_from_slice(&rdlen.to_be_bytes());
            Ok(())
        })();
        self.done(index, mark, r)
    }

    fn put_rdata(&mut self, data: &RData<'_>) -> Result<(), ()> {
        write_rdata(data, self)
    }

    /// Writes the header and the OPT record and returns the message length: the
    /// message is `buf[..len]`.
    pub fn finish(mut self) -> usize {
        self.finish_inner()
    }

    /// Like [`MessageBuilder::finish`], also handing back the compression table for
    /// the next message.
    pub fn finish_and_reuse(mut self) -> (usize, Compressor) {
        let len = self.finish_inner();
        (len, core::mem::take(&mut self.compressor))
    }

    fn finish_inner(&mut self) -> usize {
        if self.buf.len() < 12 {
            return 0;
        }
        if let Some((size, ttl)) = self.edns.take() {
            // Space was reserved in set_edns.
            let options = core::mem::take(&mut self.compressor.edns_options);
            self.limit += 11 + options.len();
            let mut opt = [0u8; 11];
            opt[1..3].copy_from_slice(&Rtype::OPT.0.to_be_bytes());
            opt[3..5].copy_from_slice(&size.to_be_bytes());
            opt[5..9].copy_from_slice(&ttl.to_be_bytes());
            opt[9..11].copy_from_slice(&(options.len() as u16).to_be_bytes());
            if self.put(&opt).is_ok() && self.put(&options).is_ok() {
                self.counts[3] += 1;
            }
            self.compressor.edns_options = options;
        }
        let mut h = [0u8; 12];
        h[..2].copy_from_slice(&self.header.id.to_be_bytes());
        h[2..4].copy_from_slice(&self.header.flags().to_be_bytes());
        for (i, c) in self.counts.iter().enumerate() {
            h[4 + 2 * i..6 + 2 * i].copy_from_slice(&c.to_be_bytes());
        }
        self.buf[..12].copy_from_slice(&h);
        self.len
    }
}

/// Where RDATA is written: into a message (names compressed where RFC 3597 allows) or
/// a plain buffer (never compressed).
pub(crate) trait RdataSink {
    fn put(&mut self, bytes: &[u8]) -> Result<(), ()>;
    fn put_name(&mut self, name: NameRef<'_>, compress: bool) -> Result<(), ()>;
}

impl RdataSink for MessageBuilder<'_> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), ()> {
        MessageBuilder::put(self, bytes)
    }
    fn put_name(&mut self, name: NameRef<'_>, compress: bool) -> Result<(), ()> {
        MessageBuilder::put_name(self, name, compress)
    }
}

impl RdataSink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) -> Result<(), ()> {
        self.extend_from_slice(bytes);
        Ok(())
    }
    fn put_name(&mut self, name: NameRef<'_>, _compress: bool) -> Result<(), ()> {
        for label in name.labels() {
            self.push(label.len() as u8);
            self.extend_from_slice(label);
        }
        self.push(0);
        Ok(())
    }
}

pub(crate) fn write_rdata<S: RdataSink>(data: &RData<'_>, sink: &mut S) -> Result<(), ()> {
    // RFC 3597 section 4: compress only in the RFC 1035 types.
    match *data {
        RData::A(a) => sink.put(&a.octets()),
        RData::Aaaa(a) => sink.put(&a.octets()),
        RData::Ns(n) | RData::Cname(n) | RData::Ptr(n) => sink.put_name(n, true),
        RData::Dname(n) => sink.put_name(n, false),
        RData::Mx(mx) => {
            sink.put(&mx.preference.to_be_bytes())?;
            sink.put_name(mx.exchange, true)
        }
        RData::Txt(t) => sink.put(t.as_wire()),
        RData::Soa(s) => {
            sink.put_name(s.mname, true)?;
            sink.put_name(s.rname, true)?;
            for v in [s.serial, s.refresh, s.retry, s.expire, s.minimum] {
                sink.put(&v.to_be_bytes())?;
            }
            Ok(())
        }
        RData::Srv(s) => {
            for v in [s.priority, s.weight, s.port] {
                sink.put(&v.to_be_bytes())?;
            }
            sink.put_name(s.target, false)
        }
        RData::Caa(c) => {
            sink.put(&[c.flags, c.tag.len() as u8])?;
            sink.put(c.tag)?;
            sink.put(c.value)
        }
        RData::Naptr(n) => {
            sink.put(&n.order.to_be_bytes())?;
            sink.put(&n.preference.to_be_bytes())?;
            for s in [n.flags, n.services, n.regexp] {
                sink.put(&[u8::try_from(s.len()).map_err(|_| ())?])?;
                sink.put(s)?;
            }
            sink.put_name(n.replacement, false)
        }
        RData::Svcb(s) | RData::Https(s) => {
            sink.put(&s.priority.to_be_bytes())?;
            sink.put_name(s.target, false)?;
            sink.put(s.params.as_wire())
        }
        RData::Opt(o) => sink.put(o.as_wire()),
        RData::Ds(d) => {
            sink.put(&d.key_tag.to_be_bytes())?;
            sink.put(&[d.algorithm, d.digest_type])?;
            sink.put(d.digest)
        }
        RData::Dnskey(k) => {
            sink.put(&k.flags.to_be_bytes())?;
            sink.put(&[k.protocol, k.algorithm])?;
            sink.put(k.public_key)
        }
        RData::Md(n) | RData::Mf(n) | RData::Mb(n) | RData::Mg(n) | RData::Mr(n) => {
            sink.put_name(n, true)
        }
        RData::Minfo(m) => {
            sink.put_name(m.rmailbx, true)?;
            sink.put_name(m.emailbx, true)
        }
        RData::Rp(r) => {
            sink.put_name(r.mbox, false)?;
            sink.put_name(r.txt, false)
        }
        RData::Afsdb(a) => {
            sink.put(&a.subtype.to_be_bytes())?;
            sink.put_name(a.hostname, false)
        }
        RData::Rt(r) => {
            sink.put(&r.preference.to_be_bytes())?;
            sink.put_name(r.intermediate, false)
        }
        RData::Px(p) => {
            sink.put(&p.preference.to_be_bytes())?;
            sink.put_name(p.map822, false)?;
            sink.put_name(p.mapx400, false)
        }
        RData::Nxt(n) => {
            sink.put_name(n.next, false)?;
            sink.put(n.bitmap)
        }
        RData::Rrsig(s) | RData::Sig(s) => {
            sink.put(&s.type_covered.0.to_be_bytes())?;
            sink.put(&[s.algorithm, s.labels])?;
            for v in [s.original_ttl, s.expiration, s.inception] {
                sink.put(&v.to_be_bytes())?;
            }
            sink.put(&s.key_tag.to_be_bytes())?;
            sink.put_name(s.signer, false)?;
            sink.put(s.signature)
        }
        RData::Nsec(n) => {
            sink.put_name(n.next, false)?;
            sink.put(n.types.as_wire())
        }
        RData::Nsec3(n) => {
            sink.put(&[n.hash_algorithm, n.flags])?;
            sink.put(&n.iterations.to_be_bytes())?;
            sink.put(&[u8::try_from(n.salt.len()).map_err(|_| ())?])?;
            sink.put(n.salt)?;
            sink.put(&[u8::try_from(n.next_hashed_owner.len()).map_err(|_| ())?])?;
            sink.put(n.next_hashed_owner)?;
            sink.put(n.types.as_wire())
        }
        RData::Unknown { data, .. } => sink.put(data),
    }
}
