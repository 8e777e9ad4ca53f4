//! Borrowed, validated DNS messages.

use core::net::{Ipv4Addr, Ipv6Addr};

use super::error::Error;
use super::name::{NameRef, check_name};
use super::rdata::{EdnsOptions, RData, parse_rdata, skip_name};
use super::types::{Class, Opcode, Rcode, Rtype};

/// Limits and leniencies applied while parsing a message.
///
/// ```
/// use dns_codec::wire::{Limits, Message};
/// let mut msg = vec![0u8; 12];
/// msg.push(0); // one stray byte after an empty message
/// assert!(Message::parse(&msg).is_err());
/// assert!(Message::parse_with(&msg, &Limits::default().allow_trailing_bytes(true)).is_ok());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Limits {
    /// Most compression pointers followed while reading one name. Default 127: a name
    /// has at most 127 labels, and no valid compression needs more than one pointer
    /// per label.
    pub max_pointer_hops: usize,
    /// Accept bytes after the last record the header announces (they are ignored).
    /// Default false.
    pub trailing_bytes: bool,
}

impl Limits {
    /// The defaults.
    pub const DEFAULT: Limits = Limits {
        max_pointer_hops: 127,
        trailing_bytes: false,
    };

    /// Replaces [`Limits::max_pointer_hops`].
    pub const fn max_pointer_hops(mut self, hops: usize) -> Self {
        self.max_pointer_hops = hops;
        self
    }

    /// Replaces [`Limits::trailing_bytes`].
    pub const fn allow_trailing_bytes(mut self, allow: bool) -> Self {
        self.trailing_bytes = allow;
        self
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// The fixed 12-byte message header, without the section counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Header {
    /// Message id, chosen by the querier and echoed by the responder.
    pub id: u16,
    /// Response (true) or query.
    pub qr: bool,
    /// Kind of query.
    pub opcode: Opcode,
    /// Authoritative answer.
    pub aa: bool,
    /// Truncated.
    pub tc: bool,
    /// Recursion desired.
    pub rd: bool,
    /// Recursion available.
    pub ra: bool,
    /// The reserved Z bit (must be zero).
    pub z: bool,
    /// Authentic data (RFC 4035).
    pub ad: bool,
    /// Checking disabled (RFC 4035).
    pub cd: bool,
    /// The low 4 bits of the response code.
    pub rcode: u8,
}

impl Default for Opcode {
    fn default() -> Self {
        Opcode::QUERY
    }
}

impl Header {
    /// Reads the header from the first 12 bytes.
    pub fn parse(bytes: &[u8; 12]) -> Header {
        let f = u16::from_be_bytes([bytes[2], bytes[3]]);
        Header {
            id: u16::from_be_bytes([bytes[0], bytes[1]]),
            qr: f & 0x8000 != 0,
            opcode: Opcode(((f >> 11) & 0xF) as u8),
            aa: f & 0x0400 != 0,
            tc: f & 0x0200 != 0,
            rd: f & 0x0100 != 0,
            ra: f & 0x0080 != 0,
            z: f & 0x0040 != 0,
            ad: f & 0x0020 != 0,
            cd: f & 0x0010 != 0,
            rcode: (f & 0xF) as u8,
        }
    }

    /// The 16 flag bits as on the wire.
    pub fn flags(&self) -> u16 {
        (u16::from(self.qr) << 15)
            | (u16::from(self.opcode.0 & 0xF) << 11)
            | (u16::from(self.aa) << 10)
            | (u16::from(self.tc) << 9)
            | (u16::from(self.rd) << 8)
            | (u16::from(self.ra) << 7)
            | (u16::from(self.z) << 6)
            | (u16::from(self.ad) << 5)
            | (u16::from(self.cd) << 4)
            | u16::from(self.rcode & 0xF)
    }
}

/// A DNS message borrowed from its buffer, validated completely by [`Message::parse`]:
/// every name (compression pointers included), every record and every RDATA of a
/// known type. Reading it afterwards cannot fail and allocates nothing.
///
/// ```
/// use dns_codec::wire::{Message, RData, Rtype};
/// // A response: www.example.com. A 192.0.2.1, the owner compressed to the question.
/// let wire = b"\x12\x34\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00\
/// \x03www\x07example\x03com\x00\x00\x01\x00\x01\
/// \xc0\x0c\x00\x01\x00\x01\x00\x00\x0e\x10\x00\x04\xc0\x00\x02\x01";
/// let msg = Message::parse(wire)?;
/// assert_eq!(msg.header().id, 0x1234);
/// let q = msg.questions().next().unwrap();
/// assert_eq!(q.name.to_string(), "www.example.com.");
/// let answer = msg.answers().next().unwrap();
/// assert_eq!(answer.rtype, Rtype::A);
/// assert_eq!(answer.name, q.name);
/// assert_eq!(answer.data(), RData::A("192.0.2.1".parse().unwrap()));
/// # Ok::<(), dns_codec::wire::Error>(())
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Message<'a> {
    buf: &'a [u8],
    counts: [u16; 4],
    /// Start offsets of the answer, authority and additional sections, and the end.
    starts: [usize; 4],
    opt: Option<usize>,
    max_hops: usize,
}

/// A question-section entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Question<'a> {
    /// The name asked about.
    pub name: NameRef<'a>,
    /// The type asked for.
    pub qtype: Rtype,
    /// The class asked for.
    pub qclass: Class,
}

/// A resource record in a message.
#[derive(Clone, Copy, Debug)]
pub struct Record<'a> {
    /// Owner name.
    pub name: NameRef<'a>,
    /// Type.
    pub rtype: Rtype,
    /// Class (for OPT: the requester's UDP payload size).
    pub class: Class,
    /// Time to live, seconds (for OPT: extended RCODE, version and flags).
    pub ttl: u32,
    msg: &'a [u8],
    rdata_start: usize,
    rdata_end: usize,
    max_hops: usize,
}

impl<'a> Record<'a> {
    /// The raw RDATA bytes (names inside may be compression pointers into the message).
    pub fn rdata(&self) -> &'a [u8] {
        self.msg
            .get(self.rdata_start..self.rdata_end)
            .unwrap_or_default()
    }

    /// The typed RDATA.
    #[inline]
    pub fn data(&self) -> RData<'a> {
        // Fast paths for the most common, fixed-layout types (validated by parse).
        let rd = self.rdata();
        match self.rtype {
            Rtype::A => {
                if let [a, b, c, d] = *rd {
                    return RData::A(Ipv4Addr::new(a, b, c, d));
                }
            }
            Rtype::AAAA => {
                if let Ok(octets) = <[u8; 16]>::try_from(rd) {
                    return RData::Aaaa(Ipv6Addr::from(octets));
                }
            }
            Rtype::NS => return RData::Ns(NameRef::new(self.msg, self.rdata_start)),
            Rtype::CNAME => return RData::Cname(NameRef::new(self.msg, self.rdata_start)),
            Rtype::PTR => return RData::Ptr(NameRef::new(self.msg, self.rdata_start)),
            _ => {}
        }
        self.data_slow()
    }

    #[inline(never)]
    fn data_slow(&self) -> RData<'a> {
        parse_rdata(
            self.msg,
            self.rdata_start,
            self.rdata_end,
            self.rtype,
            self.max_hops,
            true,
        )
        .unwrap_or(RData::Unknown {
            rtype: self.rtype,
            data: self.rdata(),
        })
    }
}

impl PartialEq for Record<'_> {
    /// Same owner (ignoring case), type, class, TTL and RDATA meaning.
    fn eq(&self, other: &Self) -> bool {
        self.name == other.name
            && self.rtype == other.rtype
            && self.class == other.class
            && self.ttl == other.ttl
            && self.data() == other.data()
    }
}

impl Eq for Record<'_> {}

/// The EDNS(0) information of a message's OPT record (RFC 6891).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edns<'a> {
    /// Largest UDP payload the sender can receive.
    pub udp_payload_size: u16,
    /// Upper 8 bits of the 12-bit response code.
    pub extended_rcode: u8,
    /// EDNS version (0 is the only one defined).
    pub version: u8,
    /// DNSSEC OK bit.
    pub dnssec_ok: bool,
    /// The other 15 flag bits (must be zero).
    pub z: u16,
    /// The options.
    pub options: EdnsOptions<'a>,
}

/// Iterator over one section's records.
#[derive(Clone, Debug)]
pub struct Records<'a> {
    buf: &'a [u8],
    pos: usize,
    left: u16,
    max_hops: usize,
}

fn be16(buf: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes([*buf.get(at)?, *buf.get(at + 1)?]))
}

fn be32(buf: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes([
        *buf.get(at)?,
        *buf.get(at + 1)?,
        *buf.get(at + 2)?,
        *buf.get(at + 3)?,
    ]))
}

impl<'a> Iterator for Records<'a> {
    type Item = Record<'a>;

    #[inline]
    fn next(&mut self) -> Option<Record<'a>> {
        self.left = self.left.checked_sub(1)?;
        let name_end = skip_name(self.buf, self.pos)?;
        let rtype = Rtype(be16(self.buf, name_end)?);
        let class = Class(be16(self.buf, name_end + 2)?);
        let ttl = be32(self.buf, name_end + 4)?;
        let rdlen = usize::from(be16(self.buf, name_end + 8)?);
        let rdata_start = name_end + 10;
        let record = Record {
            name: NameRef::new(self.buf, self.pos),
            rtype,
            class,
            ttl,
            msg: self.buf,
            rdata_start,
            rdata_end: rdata_start + rdlen,
            max_hops: self.max_hops,
        };
        self.pos = rdata_start + rdlen;
        Some(record)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (usize::from(self.left), Some(usize::from(self.left)))
    }
}

impl ExactSizeIterator for Records<'_> {}

/// Iterator over the question section.
#[derive(Clone, Debug)]
pub struct Questions<'a> {
    buf: &'a [u8],
    pos: usize,
    left: u16,
}

impl<'a> Iterator for Questions<'a> {
    type Item = Question<'a>;

    fn next(&mut self) -> Option<Question<'a>> {
        self.left = self.left.checked_sub(1)?;
        let end = skip_name(self.buf, self.pos)?;
        let q = Question {
            name: NameRef::new(self.buf, self.pos),
            qtype: Rtype(be16(self.buf, end)?),
            qclass: Class(be16(self.buf, end + 2)?),
        };
        self.pos = end + 4;
        Some(q)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (usize::from(self.left), Some(usize::from(self.left)))
    }
}

impl ExactSizeIterator for Questions<'_> {}

/// Which section a record is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Section {
    /// Answer section.
    Answer,
    /// Authority section.
    Authority,
    /// Additional section.
    Additional,
}

impl<'a> Message<'a> {
    /// Parses and validates a whole message with default [`Limits`].
    pub fn parse(buf: &'a [u8]) -> Result<Message<'a>, Error> {
        Message::parse_with(buf, &Limits::DEFAULT)
    }

    /// Parses and validates a whole message.
    pub fn parse_with(buf: &'a [u8], limits: &Limits) -> Result<Message<'a>, Error> {
        let Some(header) = buf.get(..12) else {
            return Err(Error::UnexpectedEnd { offset: buf.len() });
        };
        let count = |i: usize| u16::from_be_bytes([header[4 + 2 * i], header[5 + 2 * i]]);
        let counts = [count(0), count(1), count(2), count(3)];
        let hops = limits.max_pointer_hops;
        let need = |p: usize, n: usize| {
            if p + n <= buf.len() {
                Ok(())
            } else {
                Err(Error::UnexpectedEnd { offset: buf.len() })
            }
        };

        let mut pos = 12;
        for _ in 0..counts[0] {
            pos = check_name(buf, pos, buf.len(), hops, Ok(()))?;
            need(pos, 4)?;
            pos += 4;
        }
        let mut starts = [0usize; 4];
        let mut opt = None;
        for (section, &n) in counts[1..].iter().enumerate() {
            starts[section] = pos;
            for _ in 0..n {
                let record = pos;
                let name_end = check_name(buf, pos, buf.len(), hops, Ok(()))?;
                need(name_end, 10)?;
                let rtype = Rtype(u16::from_be_bytes([buf[name_end], buf[name_end + 1]]));
                let rdlen = usize::from(u16::from_be_bytes([buf[name_end + 8], buf[name_end + 9]]));
                let rdata = name_end + 10;
                need(rdata, rdlen)?;
                if rtype == Rtype::OPT {
                    let reason = if section != 2 {
                        Some("OPT outside the additional section")
                    } else if opt.is_some() {
                        Some("more than one OPT record")
                    } else if buf[record] != 0 {
                        Some("OPT owner is not the root")
                    } else {
                        None
                    };
                    if let Some(reason) = reason {
                        return Err(Error::BadOpt {
                            offset: record,
                            reason,
                        });
                    }
                    opt = Some(record);
                }
                match (rtype, rdlen) {
                    (Rtype::A, 4) | (Rtype::AAAA, 16) => {}
                    _ => {
                        parse_rdata(buf, rdata, rdata + rdlen, rtype, hops, false)?;
                    }
                }
                pos = rdata + rdlen;
            }
        }
        starts[3] = pos;
        if pos < buf.len() && !limits.trailing_bytes {
            return Err(Error::TrailingBytes {
                offset: pos,
                len: buf.len() - pos,
            });
        }
        Ok(Message {
            buf,
            counts,
            starts,
            opt,
            max_hops: hops,
        })
    }

    /// The whole message as given (trailing bytes included, if allowed).
    pub fn as_bytes(&self) -> &'a [u8] {
        self.buf
    }

    /// The header fields.
    pub fn header(&self) -> Header {
        let mut h = [0u8; 12];
        h.copy_from_slice(self.buf.get(..12).unwrap_or(&[0; 12]));
        Header::parse(&h)
    }

    /// Section counts: question, answer, authority, additional.
    pub fn counts(&self) -> [u16; 4] {
        self.counts
    }

    /// The full response code: the header's 4 bits, extended by EDNS when present.
    pub fn rcode(&self) -> Rcode {
        let low = u16::from(self.header().rcode);
        let high = self.edns().map_or(0, |e| u16::from(e.extended_rcode));
        Rcode((high << 4) | low)
    }

    /// The question section.
    pub fn questions(&self) -> Questions<'a> {
        Questions {
            buf: self.buf,
            pos: 12,
            left: self.counts[0],
        }
    }

    /// The first question, if any (most messages have exactly one).
    pub fn question(&self) -> Option<Question<'a>> {
        self.questions().next()
    }

    /// Records of one section.
    pub fn section(&self, section: Section) -> Records<'a> {
        let i = match section {
            Section::Answer => 0,
            Section::Authority => 1,
            Section::Additional => 2,
        };
        Records {
            buf: self.buf,
            pos: self.starts[i],
            left: self.counts[i + 1],
            max_hops: self.max_hops,
        }
    }

    /// The answer section.
    pub fn answers(&self) -> Records<'a> {
        self.section(Section::Answer)
    }

    /// The authority section.
    pub fn authority(&self) -> Records<'a> {
        self.section(Section::Authority)
    }

    /// The additional section (the OPT pseudo-record included, if present).
    pub fn additional(&self) -> Records<'a> {
        self.section(Section::Additional)
    }

    /// The EDNS(0) information, if the message has an OPT record.
    pub fn edns(&self) -> Option<Edns<'a>> {
        let at = self.opt?;
        let mut records = Records {
            buf: self.buf,
            pos: at,
            left: 1,
            max_hops: self.max_hops,
        };
        let r = records.next()?;
        let RData::Opt(options) = r.data() else {
            return None;
        };
        Some(Edns {
            udp_payload_size: r.class.0,
            extended_rcode: (r.ttl >> 24) as u8,
            version: (r.ttl >> 16) as u8,
            dnssec_ok: r.ttl & 0x8000 != 0,
            z: (r.ttl & 0x7FFF) as u16,
            options,
        })
    }
}
