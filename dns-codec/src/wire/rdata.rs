//! Typed RDATA. One function, [`parse_rdata`], both validates RDATA while a message is
//! parsed and builds the typed view later, so the two can never disagree.

use core::fmt;
use core::net::{Ipv4Addr, Ipv6Addr};

use super::error::Error;
use super::name::{NameRef, check_name};
use super::types::Rtype;

/// Typed RDATA of a record, borrowing the message.
///
/// Types without a variant here are kept whole as [`RData::Unknown`] (RFC 3597), so
/// nothing is lost when a message is read and written back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RData<'a> {
    /// IPv4 address (RFC 1035).
    A(Ipv4Addr),
    /// IPv6 address (RFC 3596).
    Aaaa(Ipv6Addr),
    /// Authoritative name server (RFC 1035).
    Ns(NameRef<'a>),
    /// Canonical name (RFC 1035).
    Cname(NameRef<'a>),
    /// Domain name pointer (RFC 1035).
    Ptr(NameRef<'a>),
    /// Delegation name (RFC 6672).
    Dname(NameRef<'a>),
    /// Mail exchange (RFC 1035).
    Mx(Mx<'a>),
    /// Text: one or more character strings (RFC 1035).
    Txt(CharStrings<'a>),
    /// Start of authority (RFC 1035).
    Soa(Soa<'a>),
    /// Service locator (RFC 2782).
    Srv(Srv<'a>),
    /// Certification authority authorization (RFC 8659).
    Caa(Caa<'a>),
    /// Naming authority pointer (RFC 3403).
    Naptr(Naptr<'a>),
    /// Service binding (RFC 9460).
    Svcb(Svcb<'a>),
    /// HTTPS service binding (RFC 9460).
    Https(Svcb<'a>),
    /// EDNS(0) options of an OPT pseudo-record (RFC 6891); see also
    /// [`Message::edns`](super::Message::edns).
    Opt(EdnsOptions<'a>),
    /// Delegation signer (RFC 4034).
    Ds(Ds<'a>),
    /// DNS public key (RFC 4034).
    Dnskey(Dnskey<'a>),
    /// DNSSEC signature (RFC 4034).
    Rrsig(Rrsig<'a>),
    /// Next secure record (RFC 4034).
    Nsec(Nsec<'a>),
    /// Hashed next secure record (RFC 5155).
    Nsec3(Nsec3<'a>),
    /// Mail destination (RFC 1035, obsolete).
    Md(NameRef<'a>),
    /// Mail forwarder (RFC 1035, obsolete).
    Mf(NameRef<'a>),
    /// Mailbox (RFC 1035, experimental).
    Mb(NameRef<'a>),
    /// Mail group member (RFC 1035, experimental).
    Mg(NameRef<'a>),
    /// Mail rename (RFC 1035, experimental).
    Mr(NameRef<'a>),
    /// Mailbox information (RFC 1035, experimental).
    Minfo(Minfo<'a>),
    /// Responsible person (RFC 1183).
    Rp(Rp<'a>),
    /// AFS database location (RFC 1183).
    Afsdb(Afsdb<'a>),
    /// Route through (RFC 1183).
    Rt(Rt<'a>),
    /// X.400 mail mapping (RFC 2163).
    Px(Px<'a>),
    /// Signature (RFC 2535; SIG(0) of RFC 2931): the layout of RRSIG.
    Sig(Rrsig<'a>),
    /// Next domain (RFC 2535, obsolete).
    Nxt(Nxt<'a>),
    /// Any other type, kept as opaque bytes (RFC 3597). Such RDATA never holds
    /// compressed names (RFC 3597 section 4), so it is copied verbatim.
    Unknown {
        /// The record type.
        rtype: Rtype,
        /// The RDATA bytes.
        data: &'a [u8],
    },
}

/// MX RDATA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Mx<'a> {
    /// Lower is preferred.
    pub preference: u16,
    /// The mail exchanger.
    pub exchange: NameRef<'a>,
}

/// MINFO RDATA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Minfo<'a> {
    /// Mailbox responsible for the list.
    pub rmailbx: NameRef<'a>,
    /// Mailbox for errors.
    pub emailbx: NameRef<'a>,
}

/// RP RDATA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rp<'a> {
    /// The responsible person's mailbox.
    pub mbox: NameRef<'a>,
    /// Where TXT records about them are.
    pub txt: NameRef<'a>,
}

/// AFSDB RDATA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Afsdb<'a> {
    /// Server subtype.
    pub subtype: u16,
    /// The server.
    pub hostname: NameRef<'a>,
}

/// RT RDATA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rt<'a> {
    /// Lower is preferred.
    pub preference: u16,
    /// The intermediate host.
    pub intermediate: NameRef<'a>,
}

/// PX RDATA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Px<'a> {
    /// Lower is preferred.
    pub preference: u16,
    /// RFC 822 part.
    pub map822: NameRef<'a>,
    /// X.400 part.
    pub mapx400: NameRef<'a>,
}

/// NXT RDATA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Nxt<'a> {
    /// Next name.
    pub next: NameRef<'a>,
    /// The RFC 2535 type bitmap, as on the wire.
    pub bitmap: &'a [u8],
}

/// SOA RDATA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Soa<'a> {
    /// Primary name server.
    pub mname: NameRef<'a>,
    /// Responsible mailbox, as a name.
    pub rname: NameRef<'a>,
    /// Zone serial number.
    pub serial: u32,
    /// Secondary refresh interval, seconds.
    pub refresh: u32,
    /// Secondary retry interval, seconds.
    pub retry: u32,
    /// Secondary expiry, seconds.
    pub expire: u32,
    /// Negative-caching TTL, seconds (RFC 2308).
    pub minimum: u32,
}

/// SRV RDATA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Srv<'a> {
    /// Lower is preferred.
    pub priority: u16,
    /// Relative weight among equal priorities.
    pub weight: u16,
    /// Service port.
    pub port: u16,
    /// Target host (`.` means the service is not offered).
    pub target: NameRef<'a>,
}

/// CAA RDATA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Caa<'a> {
    /// Flags; bit 128 is "issuer critical".
    pub flags: u8,
    /// Property tag (`issue`, `issuewild`, `iodef`, ...): 1 to 15 ASCII letters and digits.
    pub tag: &'a [u8],
    /// Property value.
    pub value: &'a [u8],
}

/// NAPTR RDATA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Naptr<'a> {
    /// Processing order, lower first.
    pub order: u16,
    /// Preference among equal orders.
    pub preference: u16,
    /// Flags character string.
    pub flags: &'a [u8],
    /// Services character string.
    pub services: &'a [u8],
    /// Substitution regular expression.
    pub regexp: &'a [u8],
    /// Replacement name.
    pub replacement: NameRef<'a>,
}

/// SVCB or HTTPS RDATA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Svcb<'a> {
    /// 0 for alias mode, otherwise service mode priority.
    pub priority: u16,
    /// Target name (`.` means the owner name).
    pub target: NameRef<'a>,
    /// Service parameters, keys strictly increasing.
    pub params: SvcParams<'a>,
}

/// DS RDATA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ds<'a> {
    /// Key tag of the referenced DNSKEY.
    pub key_tag: u16,
    /// DNSSEC algorithm number.
    pub algorithm: u8,
    /// Digest algorithm number.
    pub digest_type: u8,
    /// The digest.
    pub digest: &'a [u8],
}

/// DNSKEY RDATA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Dnskey<'a> {
    /// Flags (256 zone key, 257 zone key + secure entry point).
    pub flags: u16,
    /// Always 3.
    pub protocol: u8,
    /// DNSSEC algorithm number.
    pub algorithm: u8,
    /// The public key.
    pub public_key: &'a [u8],
}

impl Dnskey<'_> {
    /// The key tag (RFC 4034 appendix B), as DS and RRSIG records refer to the key.
    pub fn key_tag(&self) -> u16 {
        let mut acc: u32 = 0;
        let header = [
            (self.flags >> 8) as u8,
            self.flags as u8,
            self.protocol,
            self.algorithm,
        ];
        for (i, b) in header.iter().chain(self.public_key).enumerate() {
            acc += if i % 2 == 0 {
                u32::from(*b) << 8
            } else {
                u32::from(*b)
            };
        }
        acc += (acc >> 16) & 0xFFFF;
        (acc & 0xFFFF) as u16
    }
}

/// RRSIG RDATA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rrsig<'a> {
    /// Type of the RRset signed.
    pub type_covered: Rtype,
    /// DNSSEC algorithm number.
    pub algorithm: u8,
    /// Labels in the original owner name.
    pub labels: u8,
    /// TTL of the RRset as signed.
    pub original_ttl: u32,
    /// End of validity, seconds since the epoch (serial arithmetic).
    pub expiration: u32,
    /// Start of validity.
    pub inception: u32,
    /// Key tag of the signing key.
    pub key_tag: u16,
    /// Zone of the signing key (never compressed).
    pub signer: NameRef<'a>,
    /// The signature.
    pub signature: &'a [u8],
}

/// NSEC RDATA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Nsec<'a> {
    /// Next owner name in canonical order (never compressed).
    pub next: NameRef<'a>,
    /// Types present at the owner.
    pub types: TypeBitmap<'a>,
}

/// NSEC3 RDATA.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Nsec3<'a> {
    /// Hash algorithm (1 = SHA-1).
    pub hash_algorithm: u8,
    /// Flags (bit 1 = opt-out).
    pub flags: u8,
    /// Extra hash iterations.
    pub iterations: u16,
    /// Salt.
    pub salt: &'a [u8],
    /// Hash of the next owner name.
    pub next_hashed_owner: &'a [u8],
    /// Types present at the original owner.
    pub types: TypeBitmap<'a>,
}

/// A validated sequence of `<length><bytes>` character strings (TXT, SVCB `alpn`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct CharStrings<'a>(&'a [u8]);

impl<'a> CharStrings<'a> {
    /// Checks that `wire` is a sequence of character strings and wraps it.
    pub fn from_wire(wire: &'a [u8]) -> Option<Self> {
        let mut p = 0;
        while p < wire.len() {
            p += 1 + usize::from(wire[p]);
        }
        (p == wire.len()).then_some(CharStrings(wire))
    }

    /// The wire bytes (length prefixes included).
    pub fn as_wire(&self) -> &'a [u8] {
        self.0
    }

    /// The strings, without their length bytes.
    pub fn iter(&self) -> impl Iterator<Item = &'a [u8]> + use<'a> {
        let wire = self.0;
        let mut p = 0usize;
        core::iter::from_fn(move || {
            let len = usize::from(*wire.get(p)?);
            let s = wire.get(p + 1..p + 1 + len)?;
            p += 1 + len;
            Some(s)
        })
    }
}

impl fmt::Debug for CharStrings<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter().map(Escaped)).finish()
    }
}

/// Debug-formats bytes as an escaped string.
struct Escaped<'a>(&'a [u8]);

impl fmt::Debug for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "\"{}\"", self.0.escape_ascii())
    }
}

/// A validated NSEC/NSEC3 type bitmap (RFC 4034 section 4.1.2).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TypeBitmap<'a>(&'a [u8]);

impl<'a> TypeBitmap<'a> {
    /// Checks `wire` (windows in increasing order, each 1 to 32 bytes) and wraps it.
    pub fn from_wire(wire: &'a [u8]) -> Option<Self> {
        let mut p = 0;
        let mut last: Option<u8> = None;
        while p < wire.len() {
            let window = wire[p];
            let len = usize::from(*wire.get(p + 1)?);
            if !(1..=32).contains(&len) || last.is_some_and(|l| l >= window) {
                return None;
            }
            last = Some(window);
            p += 2 + len;
        }
        (p == wire.len()).then_some(TypeBitmap(wire))
    }

    /// Encodes a set of types as a bitmap, appending to `out`.
    pub fn encode(types: &[Rtype], out: &mut alloc::vec::Vec<u8>) {
        let mut sorted: alloc::vec::Vec<u16> = types.iter().map(|t| t.0).collect();
        sorted.sort_unstable();
        sorted.dedup();
        let mut i = 0;
        while i < sorted.len() {
            let window = (sorted[i] >> 8) as u8;
            let mut bits = [0u8; 32];
            let mut used = 0;
            while i < sorted.len() && (sorted[i] >> 8) as u8 == window {
                let low = (sorted[i] & 0xFF) as usize;
                bits[low / 8] |= 0x80 >> (low % 8);
                used = used.max(low / 8 + 1);
                i += 1;
            }
            out.push(window);
            out.push(used as u8);
            out.extend_from_slice(&bits[..used]);
        }
    }

    /// The wire bytes.
    pub fn as_wire(&self) -> &'a [u8] {
        self.0
    }

    /// The types, in increasing order.
    pub fn iter(&self) -> impl Iterator<Item = Rtype> + use<'a> {
        let wire = self.0;
        let mut p = 0usize;
        let mut bit = 0usize;
        core::iter::from_fn(move || {
            loop {
                let window = *wire.get(p)?;
                let len = usize::from(*wire.get(p + 1)?);
                while bit < len * 8 {
                    let b = bit;
                    bit += 1;
                    if wire.get(p + 2 + b / 8)? & (0x80 >> (b % 8)) != 0 {
                        return Some(Rtype((u16::from(window) << 8) | b as u16));
                    }
                }
                p += 2 + len;
                bit = 0;
            }
        })
    }

    /// True if `rtype` is in the bitmap.
    pub fn contains(&self, rtype: Rtype) -> bool {
        self.iter().any(|t| t == rtype)
    }
}

impl fmt::Debug for TypeBitmap<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Validated SVCB/HTTPS service parameters (RFC 9460 section 2.2).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SvcParams<'a>(&'a [u8]);

/// One SVCB/HTTPS service parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SvcParam<'a> {
    /// Keys a client must understand (key 0): 2-byte keys.
    Mandatory(&'a [u8]),
    /// ALPN protocol ids (key 1).
    Alpn(CharStrings<'a>),
    /// The default ALPN is not offered (key 2).
    NoDefaultAlpn,
    /// Alternative port (key 3).
    Port(u16),
    /// IPv4 address hints (key 4): 4-byte addresses.
    Ipv4Hint(&'a [u8]),
    /// Encrypted ClientHello configuration (key 5).
    Ech(&'a [u8]),
    /// IPv6 address hints (key 6): 16-byte addresses.
    Ipv6Hint(&'a [u8]),
    /// Any other key, value kept.
    Unknown {
        /// The key.
        key: u16,
        /// The value.
        value: &'a [u8],
    },
}

impl<'a> SvcParams<'a> {
    /// Checks `wire` (keys strictly increasing, each value well formed for its key)
    /// and wraps it.
    pub fn from_wire(wire: &'a [u8]) -> Option<Self> {
        let mut p = 0;
        let mut last: Option<u16> = None;
        while p < wire.len() {
            let key = u16::from_be_bytes([*wire.get(p)?, *wire.get(p + 1)?]);
            let len = usize::from(u16::from_be_bytes([*wire.get(p + 2)?, *wire.get(p + 3)?]));
            let value = wire.get(p + 4..p + 4 + len)?;
            if last.is_some_and(|l| l >= key) || !svc_value_ok(key, value) {
                return None;
            }
            last = Some(key);
            p += 4 + len;
        }
        Some(SvcParams(wire))
    }

    /// The wire bytes.
    pub fn as_wire(&self) -> &'a [u8] {
        self.0
    }

    /// The parameters in key order.
    pub fn iter(&self) -> impl Iterator<Item = SvcParam<'a>> + use<'a> {
        let wire = self.0;
        let mut p = 0usize;
        core::iter::from_fn(move || {
            let key = u16::from_be_bytes([*wire.get(p)?, *wire.get(p + 1)?]);
            let len = usize::from(u16::from_be_bytes([*wire.get(p + 2)?, *wire.get(p + 3)?]));
            let value = wire.get(p + 4..p + 4 + len)?;
            p += 4 + len;
            Some(match key {
                0 => SvcParam::Mandatory(value),
                1 => SvcParam::Alpn(CharStrings(value)),
                2 => SvcParam::NoDefaultAlpn,
                3 => SvcParam::Port(u16::from_be_bytes([*value.first()?, *value.get(1)?])),
                4 => SvcParam::Ipv4Hint(value),
                5 => SvcParam::Ech(value),
                6 => SvcParam::Ipv6Hint(value),
                _ => SvcParam::Unknown { key, value },
            })
        })
    }
}

fn svc_value_ok(key: u16, value: &[u8]) -> bool {
    match key {
        0 => !value.is_empty() && value.len().is_multiple_of(2),
        1 => {
            !value.is_empty()
                && CharStrings::from_wire(value).is_some_and(|c| c.iter().all(|s| !s.is_empty()))
        }
        2 => value.is_empty(),
        3 => value.len() == 2,
        4 => !value.is_empty() && value.len().is_multiple_of(4),
        6 => !value.is_empty() && value.len().is_multiple_of(16),
        _ => true,
    }
}

impl fmt::Debug for SvcParams<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Validated EDNS(0) options (RFC 6891 section 6.1.2).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct EdnsOptions<'a>(&'a [u8]);

/// One EDNS(0) option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EdnsOption<'a> {
    /// Name server identifier (RFC 5001), code 3.
    Nsid(&'a [u8]),
    /// Client subnet (RFC 7871), code 8.
    ClientSubnet {
        /// Address family (1 IPv4, 2 IPv6).
        family: u16,
        /// Significant bits of the address sent.
        source_prefix: u8,
        /// Significant bits the answer covers.
        scope_prefix: u8,
        /// The address, truncated to the source prefix.
        address: &'a [u8],
    },
    /// DNS cookie (RFC 7873), code 10.
    Cookie {
        /// 8-byte client cookie.
        client: &'a [u8],
        /// 8- to 32-byte server cookie, if present.
        server: Option<&'a [u8]>,
    },
    /// Padding (RFC 7830), code 12.
    Padding(&'a [u8]),
    /// Extended DNS error (RFC 8914), code 15.
    ExtendedError {
        /// INFO-CODE.
        info_code: u16,
        /// EXTRA-TEXT (UTF-8 by the RFC; not checked).
        extra_text: &'a [u8],
    },
    /// Any other option, kept.
    Unknown {
        /// Option code.
        code: u16,
        /// Option data.
        data: &'a [u8],
    },
}

impl<'a> EdnsOptions<'a> {
    /// Checks `wire` (well-formed code/length/data triples, known options well
    /// formed) and wraps it. On failure returns the offset and a reason.
    pub fn from_wire(wire: &'a [u8]) -> Result<Self, (usize, &'static str)> {
        let mut p = 0;
        while p < wire.len() {
            let (Some(h), Some(l)) = (wire.get(p..p + 2), wire.get(p + 2..p + 4)) else {
                return Err((p, "option header runs past RDATA"));
            };
            let code = u16::from_be_bytes([h[0], h[1]]);
            let len = usize::from(u16::from_be_bytes([l[0], l[1]]));
            let Some(data) = wire.get(p + 4..p + 4 + len) else {
                return Err((p, "option data runs past RDATA"));
            };
            if let Err(reason) = option_ok(code, data) {
                return Err((p, reason));
            }
            p += 4 + len;
        }
        Ok(EdnsOptions(wire))
    }

    /// The wire bytes.
    pub fn as_wire(&self) -> &'a [u8] {
        self.0
    }

    /// The options in wire order.
    pub fn iter(&self) -> impl Iterator<Item = EdnsOption<'a>> + use<'a> {
        let wire = self.0;
        let mut p = 0usize;
        core::iter::from_fn(move || {
            let code = u16::from_be_bytes([*wire.get(p)?, *wire.get(p + 1)?]);
            let len = usize::from(u16::from_be_bytes([*wire.get(p + 2)?, *wire.get(p + 3)?]));
            let data = wire.get(p + 4..p + 4 + len)?;
            p += 4 + len;
            Some(match code {
                3 => EdnsOption::Nsid(data),
                8 => EdnsOption::ClientSubnet {
                    family: u16::from_be_bytes([*data.first()?, *data.get(1)?]),
                    source_prefix: *data.get(2)?,
                    scope_prefix: *data.get(3)?,
                    address: data.get(4..)?,
                },
                10 => EdnsOption::Cookie {
                    client: data.get(..8)?,
                    server: data.get(8..).filter(|s| !s.is_empty()),
                },
                12 => EdnsOption::Padding(data),
                15 => EdnsOption::ExtendedError {
                    info_code: u16::from_be_bytes([*data.first()?, *data.get(1)?]),
                    extra_text: data.get(2..)?,
                },
                _ => EdnsOption::Unknown { code, data },
            })
        })
    }
}

fn option_ok(code: u16, data: &[u8]) -> Result<(), &'static str> {
    match code {
        8 => {
            let [f0, f1, source, scope, address @ ..] = data else {
                return Err("client subnet option shorter than 4 bytes");
            };
            let max_bits = match u16::from_be_bytes([*f0, *f1]) {
                1 => 32,
                2 => 128,
                _ => return Err("client subnet family is neither 1 (IPv4) nor 2 (IPv6)"),
            };
            if *source > max_bits || *scope > max_bits {
                return Err("client subnet prefix longer than the address");
            }
            if address.len() != usize::from(*source).div_ceil(8) {
                return Err("client subnet address length does not match its prefix");
            }
            Ok(())
        }
        10 if data.len() == 8 || (16..=40).contains(&data.len()) => Ok(()),
        10 => Err("cookie is neither 8 bytes nor 16 to 40 bytes"),
        15 if data.len() >= 2 => Ok(()),
        15 => Err("extended DNS error shorter than 2 bytes"),
        _ => Ok(()),
    }
}

impl fmt::Debug for EdnsOptions<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Reads RDATA fields in order, failing with [`Error::BadRdata`] at the field that does
/// not fit.
struct Fields<'a> {
    msg: &'a [u8],
    pos: usize,
    end: usize,
    rtype: Rtype,
    max_hops: usize,
    /// The RDATA was validated before (reading a parsed message): skip the checks.
    trusted: bool,
}

impl<'a> Fields<'a> {
    fn bad(&self, reason: &'static str) -> Error {
        Error::BadRdata {
            offset: self.pos,
            rtype: self.rtype,
            reason,
        }
    }

    fn bytes(&mut self, n: usize) -> Result<&'a [u8], Error> {
        let end = self.pos.checked_add(n).filter(|e| *e <= self.end);
        let Some(s) = end.and_then(|e| self.msg.get(self.pos..e)) else {
            return Err(self.bad("field runs past the end of RDATA"));
        };
        self.pos += n;
        Ok(s)
    }

    fn u8(&mut self) -> Result<u8, Error> {
        Ok(self.bytes(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, Error> {
        let b = self.bytes(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, Error> {
        let b = self.bytes(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn char_string(&mut self) -> Result<&'a [u8], Error> {
        let len = usize::from(self.u8()?);
        self.bytes(len)
    }

    fn rest(&mut self) -> &'a [u8] {
        let s = self.msg.get(self.pos..self.end).unwrap_or_default();
        self.pos = self.end;
        s
    }

    fn name(&mut self) -> Result<NameRef<'a>, Error> {
        let start = self.pos;
        if self.trusted {
            self.pos = skip_name(self.msg, start).ok_or(Error::UnexpectedEnd { offset: start })?;
            return Ok(NameRef::new(self.msg, start));
        }
        let compression = if self.rtype.allows_compression() {
            Ok(())
        } else {
            Err(self.rtype)
        };
        self.pos = check_name(self.msg, start, self.end, self.max_hops, compression)?;
        Ok(NameRef::new(self.msg, start))
    }

    fn type_bitmap(&mut self) -> Result<TypeBitmap<'a>, Error> {
        let at = self.pos;
        let wire = self.rest();
        if self.trusted {
            return Ok(TypeBitmap(wire));
        }
        TypeBitmap::from_wire(wire).ok_or(Error::BadRdata {
            offset: at,
            rtype: self.rtype,
            reason: "type bitmap malformed",
        })
    }

    fn finish(&self) -> Result<(), Error> {
        if self.pos == self.end {
            Ok(())
        } else {
            Err(self.bad("bytes left over after the last field"))
        }
    }
}

/// Offset just after the name at `pos`, not following pointers (validated input).
#[inline]
pub(crate) fn skip_name(buf: &[u8], mut pos: usize) -> Option<usize> {
    loop {
        let b = *buf.get(pos)?;
        if b & 0xC0 == 0xC0 {
            return Some(pos + 2);
        }
        if b == 0 {
            return Some(pos + 1);
        }
        pos += 1 + usize::from(b);
    }
}

/// Validates the RDATA of type `rtype` at `msg[start..end]` and returns its typed view.
/// With `trusted` (RDATA of a message [`parse_rdata`] already accepted), the checks
/// are skipped and only the layout is read.
pub(crate) fn parse_rdata<'a>(
    msg: &'a [u8],
    start: usize,
    end: usize,
    rtype: Rtype,
    max_hops: usize,
    trusted: bool,
) -> Result<RData<'a>, Error> {
    let mut f = Fields {
        msg,
        pos: start,
        end,
        rtype,
        max_hops,
        trusted,
    };
    let data = match rtype {
        Rtype::A => {
            let b = f.bytes(4)?;
            RData::A(Ipv4Addr::new(b[0], b[1], b[2], b[3]))
        }
        Rtype::AAAA => {
            let mut octets = [0u8; 16];
            octets.copy_from_slice(f.bytes(16)?);
            RData::Aaaa(Ipv6Addr::from(octets))
        }
        Rtype::NS => RData::Ns(f.name()?),
        Rtype::CNAME => RData::Cname(f.name()?),
        Rtype::PTR => RData::Ptr(f.name()?),
        Rtype::DNAME => RData::Dname(f.name()?),
        Rtype::MX => RData::Mx(Mx {
            preference: f.u16()?,
            exchange: f.name()?,
        }),
        Rtype::TXT => {
            if start == end {
                return Err(f.bad("TXT needs at least one character string"));
            }
            if trusted {
                f.rest();
            }
            while f.pos < f.end {
                f.char_string()?;
            }
            RData::Txt(CharStrings(msg.get(start..end).unwrap_or_default()))
        }
        Rtype::SOA => RData::Soa(Soa {
            mname: f.name()?,
            rname: f.name()?,
            serial: f.u32()?,
            refresh: f.u32()?,
            retry: f.u32()?,
            expire: f.u32()?,
            minimum: f.u32()?,
        }),
        Rtype::SRV => RData::Srv(Srv {
            priority: f.u16()?,
            weight: f.u16()?,
            port: f.u16()?,
            target: f.name()?,
        }),
        Rtype::CAA => {
            let flags = f.u8()?;
            let tag = f.char_string()?;
            if !trusted && tag.is_empty()
                || tag.len() > 15
                || !tag.iter().all(u8::is_ascii_alphanumeric)
            {
                return Err(f.bad("CAA tag must be 1 to 15 ASCII letters and digits"));
            }
            RData::Caa(Caa {
                flags,
                tag,
                value: f.rest(),
            })
        }
        Rtype::NAPTR => RData::Naptr(Naptr {
            order: f.u16()?,
            preference: f.u16()?,
            flags: f.char_string()?,
            services: f.char_string()?,
            regexp: f.char_string()?,
            replacement: f.name()?,
        }),
        Rtype::SVCB | Rtype::HTTPS => {
            let priority = f.u16()?;
            let target = f.name()?;
            let at = f.pos;
            let wire = f.rest();
            let params = if trusted {
                SvcParams(wire)
            } else {
                SvcParams::from_wire(wire).ok_or(Error::BadRdata {
                    offset: at,
                    rtype,
                    reason: "service parameters malformed or keys not strictly increasing",
                })?
            };
            let svcb = Svcb {
                priority,
                target,
                params,
            };
            if rtype == Rtype::SVCB {
                RData::Svcb(svcb)
            } else {
                RData::Https(svcb)
            }
        }
        Rtype::OPT => {
            let options =
                EdnsOptions::from_wire(f.rest()).map_err(|(at, reason)| Error::BadRdata {
                    offset: start + at,
                    rtype,
                    reason,
                })?;
            RData::Opt(options)
        }
        Rtype::DS => RData::Ds(Ds {
            key_tag: f.u16()?,
            algorithm: f.u8()?,
            digest_type: f.u8()?,
            digest: f.rest(),
        }),
        Rtype::DNSKEY => RData::Dnskey(Dnskey {
            flags: f.u16()?,
            protocol: f.u8()?,
            algorithm: f.u8()?,
            public_key: f.rest(),
        }),
        Rtype::RRSIG | Rtype::SIG => {
            let sig = Rrsig {
                type_covered: Rtype(f.u16()?),
                algorithm: f.u8()?,
                labels: f.u8()?,
                original_ttl: f.u32()?,
                expiration: f.u32()?,
                inception: f.u32()?,
                key_tag: f.u16()?,
                signer: f.name()?,
                signature: f.rest(),
            };
            if rtype == Rtype::SIG {
                RData::Sig(sig)
            } else {
                RData::Rrsig(sig)
            }
        }
        Rtype::MD => RData::Md(f.name()?),
        Rtype::MF => RData::Mf(f.name()?),
        Rtype::MB => RData::Mb(f.name()?),
        Rtype::MG => RData::Mg(f.name()?),
        Rtype::MR => RData::Mr(f.name()?),
        Rtype::MINFO => RData::Minfo(Minfo {
            rmailbx: f.name()?,
            emailbx: f.name()?,
        }),
        Rtype::RP => RData::Rp(Rp {
            mbox: f.name()?,
            txt: f.name()?,
        }),
        Rtype::AFSDB => RData::Afsdb(Afsdb {
            subtype: f.u16()?,
            hostname: f.name()?,
        }),
        Rtype::RT => RData::Rt(Rt {
            preference: f.u16()?,
            intermediate: f.name()?,
        }),
        Rtype::PX => RData::Px(Px {
            preference: f.u16()?,
            map822: f.name()?,
            mapx400: f.name()?,
        }),
        Rtype::NXT => RData::Nxt(Nxt {
            next: f.name()?,
            bitmap: f.rest(),
        }),
        Rtype::NSEC => {
            let next = f.name()?;
            let types = f.type_bitmap()?;
            RData::Nsec(Nsec { next, types })
        }
        Rtype::NSEC3 => {
            let hash_algorithm = f.u8()?;
            let flags = f.u8()?;
            let iterations = f.u16()?;
            let salt = f.char_string()?;
            let next_hashed_owner = f.char_string()?;
            if next_hashed_owner.is_empty() {
                return Err(f.bad("NSEC3 next hashed owner is empty"));
            }
            let types = f.type_bitmap()?;
            RData::Nsec3(Nsec3 {
                hash_algorithm,
                flags,
                iterations,
                salt,
                next_hashed_owner,
                types,
            })
        }
        _ => RData::Unknown {
            rtype,
            data: f.rest(),
        },
    };
    f.finish()?;
    Ok(data)
}

impl<'a> RData<'a> {
    /// Validates uncompressed RDATA of type `rtype` (as a zone file or another
    /// standalone source holds it) and returns its typed view.
    ///
    /// ```
    /// use dns_codec::wire::{RData, Rtype};
    /// let mx = RData::from_wire(Rtype::MX, b"\x00\x0a\x04mail\x07example\x00").unwrap();
    /// let RData::Mx(mx) = mx else { panic!() };
    /// assert_eq!((mx.preference, mx.exchange.to_string().as_str()), (10, "mail.example."));
    /// ```
    pub fn from_wire(rtype: Rtype, wire: &'a [u8]) -> Result<RData<'a>, Error> {
        // No message around it: compression pointers have nothing valid to point to.
        parse_rdata(wire, 0, wire.len(), rtype, 0, false)
    }

    /// The RDATA in uncompressed wire form (names written out in full), as zone files,
    /// DNSSEC and RFC 3597 generic presentation need it.
    ///
    /// ```
    /// use dns_codec::wire::{Mx, Name, RData};
    /// let exchange: Name = "mail.example".parse().unwrap();
    /// let mx = RData::Mx(Mx { preference: 10, exchange: exchange.as_ref() });
    /// assert_eq!(mx.to_wire(), b"\x00\x0a\x04mail\x07example\x00");
    /// ```
    pub fn to_wire(&self) -> alloc::vec::Vec<u8> {
        let mut out = alloc::vec::Vec::new();
        // Writing into a Vec cannot fail.
        let _ = super::builder::write_rdata(self, &mut out);
        out
    }

    /// The record type this RDATA belongs to.
    pub fn rtype(&self) -> Rtype {
        match self {
            RData::A(_) => Rtype::A,
            RData::Aaaa(_) => Rtype::AAAA,
            RData::Ns(_) => Rtype::NS,
            RData::Cname(_) => Rtype::CNAME,
            RData::Ptr(_) => Rtype::PTR,
            RData::Dname(_) => Rtype::DNAME,
            RData::Mx(_) => Rtype::MX,
            RData::Txt(_) => Rtype::TXT,
            RData::Soa(_) => Rtype::SOA,
            RData::Srv(_) => Rtype::SRV,
            RData::Caa(_) => Rtype::CAA,
            RData::Naptr(_) => Rtype::NAPTR,
            RData::Svcb(_) => Rtype::SVCB,
            RData::Https(_) => Rtype::HTTPS,
            RData::Opt(_) => Rtype::OPT,
            RData::Ds(_) => Rtype::DS,
            RData::Dnskey(_) => Rtype::DNSKEY,
            RData::Rrsig(_) => Rtype::RRSIG,
            RData::Nsec(_) => Rtype::NSEC,
            RData::Nsec3(_) => Rtype::NSEC3,
            RData::Md(_) => Rtype::MD,
            RData::Mf(_) => Rtype::MF,
            RData::Mb(_) => Rtype::MB,
            RData::Mg(_) => Rtype::MG,
            RData::Mr(_) => Rtype::MR,
            RData::Minfo(_) => Rtype::MINFO,
            RData::Rp(_) => Rtype::RP,
            RData::Afsdb(_) => Rtype::AFSDB,
            RData::Rt(_) => Rtype::RT,
            RData::Px(_) => Rtype::PX,
            RData::Sig(_) => Rtype::SIG,
            RData::Nxt(_) => Rtype::NXT,
            RData::Unknown { rtype, .. } => *rtype,
        }
    }
}
