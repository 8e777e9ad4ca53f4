//! Presentation-format RDATA into wire form, per type, and the RFC 3597 generic form.

use alloc::vec::Vec;
use core::str::FromStr;

use super::lexer::Token;
use super::{ZoneError, ZoneErrorKind, err_at, name_token, period_value, type_token};
use crate::wire::{Name, RData, Rtype, TypeBitmap};

struct Fields<'t, 'a> {
    tokens: &'t [Token<'a>],
    next: usize,
    /// Where to point when a field is missing: the last token seen.
    anchor: Token<'a>,
    origin: Option<&'t Name>,
    out: Vec<u8>,
}

fn invalid(t: &Token<'_>, expected: &'static str) -> ZoneError {
    err_at(t, ZoneErrorKind::Invalid { expected })
}

impl<'a> Fields<'_, 'a> {
    fn token(&mut self, expected: &'static str) -> Result<Token<'a>, ZoneError> {
        let t = *self
            .tokens
            .get(self.next)
            .ok_or_else(|| err_at(&self.anchor, ZoneErrorKind::Missing { expected }))?;
        self.next += 1;
        self.anchor = t;
        Ok(t)
    }

    fn more(&self) -> bool {
        self.next < self.tokens.len()
    }

    fn number<T: FromStr>(&mut self, expected: &'static str) -> Result<T, ZoneError> {
        let t = self.token(expected)?;
        core::str::from_utf8(t.text)
            .ok()
            .filter(|s| !t.quoted && !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| invalid(&t, expected))
    }

    fn u8(&mut self, expected: &'static str) -> Result<(), ZoneError> {
        let v: u8 = self.number(expected)?;
        self.out.push(v);
        Ok(())
    }

    /// A DNSSEC algorithm: a number or its mnemonic (RFC 4034 section 2.2, IANA).
    fn algorithm(&mut self) -> Result<(), ZoneError> {
        let t = self.token("the algorithm")?;
        let named = [
            ("RSAMD5", 1),
            ("DH", 2),
            ("DSA", 3),
            ("RSASHA1", 5),
            ("DSA-NSEC3-SHA1", 6),
            ("RSASHA1-NSEC3-SHA1", 7),
            ("RSASHA256", 8),
            ("RSASHA512", 10),
            ("ECC-GOST", 12),
            ("ECDSAP256SHA256", 13),
            ("ECDSAP384SHA384", 14),
            ("ED25519", 15),
            ("ED448", 16),
            ("INDIRECT", 252),
            ("PRIVATEDNS", 253),
            ("PRIVATEOID", 254),
        ];
        let value = core::str::from_utf8(t.text).ok().and_then(|s| {
            s.parse::<u8>().ok().or_else(|| {
                named
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(s))
                    .map(|&(_, v)| v)
            })
        });
        self.out
            .push(value.ok_or_else(|| invalid(&t, "an algorithm number or mnemonic"))?);
        Ok(())
    }

    fn u16(&mut self, expected: &'static str) -> Result<(), ZoneError> {
        let v: u16 = self.number(expected)?;
        self.out.extend_from_slice(&v.to_be_bytes());
        Ok(())
    }

    fn u32(&mut self, expected: &'static str) -> Result<(), ZoneError> {
        let v: u32 = self.number(expected)?;
        self.out.extend_from_slice(&v.to_be_bytes());
        Ok(())
    }

    /// SOA timers and the RRSIG original TTL: 32 bits, TTL units accepted.
    fn period(&mut self, expected: &'static str) -> Result<(), ZoneError> {
        let t = self.token(expected)?;
        let v = period_value(t.text).ok_or_else(|| invalid(&t, expected))?;
        self.out.extend_from_slice(&v.to_be_bytes());
        Ok(())
    }

    fn name(&mut self, expected: &'static str) -> Result<(), ZoneError> {
        let t = self.token(expected)?;
        let name = name_token(&t, self.origin)?;
        self.out.extend_from_slice(name.as_wire());
        Ok(())
    }

    /// One `<length><bytes>` character string from a quoted or bare token.
    fn char_string(&mut self, expected: &'static str) -> Result<(), ZoneError> {
        let t = self.token(expected)?;
        let bytes = unescape(&t)?;
        let len =
            u8::try_from(bytes.len()).map_err(|_| invalid(&t, "a string of at most 255 bytes"))?;
        self.out.push(len);
        self.out.extend_from_slice(&bytes);
        Ok(())
    }

    /// All remaining tokens joined, as hex (at least one token).
    fn hex_rest(&mut self, expected: &'static str) -> Result<(), ZoneError> {
        let first = self.token(expected)?;
        let mut text = first.text.to_vec();
        while self.more() {
            text.extend_from_slice(self.token(expected)?.text);
        }
        let bytes = hex(&text).ok_or_else(|| invalid(&first, expected))?;
        self.out.extend_from_slice(&bytes);
        Ok(())
    }

    /// All remaining tokens joined, as base64 (at least one token).
    fn base64_rest(&mut self, expected: &'static str) -> Result<(), ZoneError> {
        let first = self.token(expected)?;
        let mut text = first.text.to_vec();
        while self.more() {
            text.extend_from_slice(self.token(expected)?.text);
        }
        let bytes = base64(&text).ok_or_else(|| invalid(&first, expected))?;
        self.out.extend_from_slice(&bytes);
        Ok(())
    }

    /// All remaining tokens as type mnemonics, encoded as an NSEC type bitmap.
    fn types_rest(&mut self) -> Result<(), ZoneError> {
        let mut types = Vec::new();
        while self.more() {
            let t = self.token("a record type")?;
            types.push(type_token(t.text).ok_or_else(|| err_at(&t, ZoneErrorKind::UnknownType))?);
        }
        TypeBitmap::encode(&types, &mut self.out);
        Ok(())
    }

    /// An RRSIG time: YYYYMMDDHHmmSS (UTC) or seconds since the epoch.
    fn sig_time(&mut self, expected: &'static str) -> Result<(), ZoneError> {
        let t = self.token(expected)?;
        let v = sig_time(t.text).ok_or_else(|| invalid(&t, expected))?;
        self.out.extend_from_slice(&v.to_be_bytes());
        Ok(())
    }
}

/// Decodes `\X` and `\DDD` escapes in a token.
fn unescape(t: &Token<'_>) -> Result<Vec<u8>, ZoneError> {
    let mut out = Vec::with_capacity(t.text.len());
    let mut i = 0;
    let text = t.text;
    while i < text.len() {
        if text[i] != b'\\' {
            out.push(text[i]);
            i += 1;
            continue;
        }
        match text.get(i + 1..i + 4) {
            Some(d) if d.iter().all(u8::is_ascii_digit) => {
                let v = u16::from(d[0] - b'0') * 100
                    + u16::from(d[1] - b'0') * 10
                    + u16::from(d[2] - b'0');
                out.push(u8::try_from(v).map_err(|_| invalid(t, "a \\DDD escape of at most 255"))?);
                i += 4;
            }
            _ => match text.get(i + 1) {
                Some(d) if d.is_ascii_digit() => {
                    return Err(invalid(t, "a \\DDD escape with three digits"));
                }
                Some(&c) => {
                    out.push(c);
                    i += 2;
                }
                None => return Err(invalid(t, "a character after the backslash")),
            },
        }
    }
    Ok(out)
}

fn hex(text: &[u8]) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    text.chunks(2)
        .map(|p| {
            let d = |c: u8| (c as char).to_digit(16);
            Some((d(p[0])? * 16 + d(p[1])?) as u8)
        })
        .collect()
}

fn base64(text: &[u8]) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let body = text
        .strip_suffix(b"==")
        .or_else(|| text.strip_suffix(b"="))
        .unwrap_or(text);
    if !text.len().is_multiple_of(4) || body.contains(&b'=') {
        return None;
    }
    let mut out = Vec::with_capacity(body.len() * 3 / 4);
    let (mut bits, mut n) = (0u32, 0);
    for &c in body {
        bits = (bits << 6) | value(c)?;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    // Leftover bits must be zero (canonical encoding).
    (bits & ((1 << n) - 1) == 0).then_some(out)
}

fn base32hex(text: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let (mut bits, mut n) = (0u64, 0);
    for &c in text {
        let v = match c.to_ascii_uppercase() {
            b'0'..=b'9' => c - b'0',
            b'A'..=b'V' => c.to_ascii_uppercase() - b'A' + 10,
            _ => return None,
        };
        bits = (bits << 5) | u64::from(v);
        n += 5;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    (bits & ((1 << n) - 1) == 0).then_some(out)
}

/// Days from 1970-01-01 to the given civil date (proleptic Gregorian).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn sig_time(text: &[u8]) -> Option<u32> {
    if !text.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let s = core::str::from_utf8(text).ok()?;
    if text.len() != 14 {
        return s.parse().ok();
    }
    let n = |r: core::ops::Range<usize>| s.get(r)?.parse::<i64>().ok();
    let (y, mo, d, h, mi, se) = (
        n(0..4)?,
        n(4..6)?,
        n(6..8)?,
        n(8..10)?,
        n(10..12)?,
        n(12..14)?,
    );
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let secs = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + se;
    // Serial number arithmetic (RFC 4034 section 3.1.5): modulo 2^32.
    Some(secs.rem_euclid(1 << 32) as u32)
}

/// SVCB/HTTPS parameter keys by name (RFC 9460 section 14.3.2).
fn svc_key(name: &[u8]) -> Option<u16> {
    Some(match name {
        b"mandatory" => 0,
        b"alpn" => 1,
        b"no-default-alpn" => 2,
        b"port" => 3,
        b"ipv4hint" => 4,
        b"ech" => 5,
        b"ipv6hint" => 6,
        b"dohpath" => 7,
        b"ohttp" => 8,
        _ => core::str::from_utf8(name.strip_prefix(b"key")?)
            .ok()?
            .parse()
            .ok()?,
    })
}

/// Splits a value list at commas not escaped with `\` (RFC 9460 appendix A.1), after
/// the value's own character-string escapes were decoded.
fn value_list(value: &[u8]) -> Vec<Vec<u8>> {
    let mut items = Vec::new();
    let mut item = Vec::new();
    let mut i = 0;
    while i < value.len() {
        match value[i] {
            b'\\' if i + 1 < value.len() => {
                item.push(value[i + 1]);
                i += 2;
            }
            b',' => {
                items.push(core::mem::take(&mut item));
                i += 1;
            }
            c => {
                item.push(c);
                i += 1;
            }
        }
    }
    items.push(item);
    items
}

/// SVCB/HTTPS parameters: `key=value` items (RFC 9460 section 2.1; the value may be
/// quoted), written in increasing key order.
fn svc_params(f: &mut Fields<'_, '_>) -> Result<(), ZoneError> {
    let mut params: Vec<(u16, Vec<u8>)> = Vec::new();
    let mut mandatory: Option<(Token<'_>, Vec<u16>)> = None;
    while f.more() {
        let t = f.token("a service parameter")?;
        let raw = unescape(&t)?;
        let (key, mut value) = match raw.iter().position(|&b| b == b'=') {
            Some(eq) => (raw[..eq].to_vec(), Some(raw[eq + 1..].to_vec())),
            None => (raw.clone(), None),
        };
        // `key="quoted value"`: the lexer ends the bare part at the quote.
        if value.as_deref() == Some(&[][..])
            && let Some(next) = f.tokens.get(f.next)
            && next.quoted
            && next.line == t.line
            && next.column == t.column + t.text.len()
        {
            let q = f.token("the quoted value")?;
            value = Some(unescape(&q)?);
        }
        let key_num = svc_key(&key).ok_or_else(|| invalid(&t, "a service parameter key"))?;
        let needs_value = !matches!(key_num, 2 | 8);
        let value = match value {
            Some(v) if !v.is_empty() || !needs_value => v,
            None if !needs_value => Vec::new(),
            _ => return Err(invalid(&t, "a value for this service parameter")),
        };
        if !needs_value && !value.is_empty() {
            return Err(invalid(&t, "no value for this service parameter"));
        }
        let list = || value_list(&value);
        let mut wire = Vec::new();
        match key_num {
            0 => {
                let mut keys = Vec::new();
                for k in list() {
                    let n = svc_key(&k).ok_or_else(|| invalid(&t, "a key in mandatory"))?;
                    if n == 0 || keys.contains(&n) {
                        return Err(invalid(
                            &t,
                            "distinct keys other than mandatory in mandatory",
                        ));
                    }
                    keys.push(n);
                }
                keys.sort_unstable();
                for n in &keys {
                    wire.extend_from_slice(&n.to_be_bytes());
                }
                mandatory = Some((t, keys));
            }
            1 => {
                for id in list() {
                    if id.is_empty() {
                        return Err(invalid(&t, "non-empty ALPN ids"));
                    }
                    wire.push(
                        u8::try_from(id.len())
                            .map_err(|_| invalid(&t, "ALPN ids of at most 255 bytes"))?,
                    );
                    wire.extend_from_slice(&id);
                }
            }
            3 => {
                let port: u16 = core::str::from_utf8(&value)
                    .ok()
                    .and_then(|p| p.parse().ok())
                    .ok_or_else(|| invalid(&t, "a port number"))?;
                wire.extend_from_slice(&port.to_be_bytes());
            }
            4 => {
                for a in list() {
                    let a = core::str::from_utf8(&a)
                        .ok()
                        .and_then(|a| core::net::Ipv4Addr::from_str(a).ok())
                        .ok_or_else(|| invalid(&t, "IPv4 addresses"))?;
                    wire.extend_from_slice(&a.octets());
                }
            }
            5 => wire = base64(&value).ok_or_else(|| invalid(&t, "base64 ECH configuration"))?,
            6 => {
                for a in list() {
                    let a = core::str::from_utf8(&a)
                        .ok()
                        .and_then(|a| core::net::Ipv6Addr::from_str(a).ok())
                        .ok_or_else(|| invalid(&t, "IPv6 addresses"))?;
                    wire.extend_from_slice(&a.octets());
                }
            }
            _ => wire = value.clone(),
        }
        if params.iter().any(|(k, _)| *k == key_num) {
            return Err(invalid(&t, "each service parameter key once"));
        }
        params.push((key_num, wire));
    }
    if let Some((t, keys)) = &mandatory
        && keys.iter().any(|k| !params.iter().any(|(p, _)| p == k))
    {
        return Err(invalid(t, "every mandatory key present"));
    }
    params.sort_by_key(|(k, _)| *k);
    for (k, v) in params {
        f.out.extend_from_slice(&k.to_be_bytes());
        let len = u16::try_from(v.len()).map_err(|_| invalid(&f.anchor, "a shorter parameter"))?;
        f.out.extend_from_slice(&len.to_be_bytes());
        f.out.extend_from_slice(&v);
    }
    Ok(())
}

/// The RDATA of one record in wire form.
pub(super) fn rdata(
    rtype: Rtype,
    tokens: &[Token<'_>],
    type_tok: &Token<'_>,
    origin: Option<&Name>,
) -> Result<Vec<u8>, ZoneError> {
    let mut f = Fields {
        tokens,
        next: 0,
        anchor: *type_tok,
        origin,
        out: Vec::new(),
    };
    // RFC 3597 generic form, for any type.
    if tokens
        .first()
        .is_some_and(|t| !t.quoted && t.text == b"\\#")
    {
        f.token("\\#")?;
        let len: u16 = f.number("the RDATA length")?;
        if f.more() {
            f.hex_rest("hex RDATA")?;
        }
        if f.out.len() != usize::from(len) {
            return Err(invalid(&f.anchor, "as many hex bytes as the length says"));
        }
    } else {
        match rtype {
            Rtype::A => {
                let t = f.token("an IPv4 address")?;
                let a = core::str::from_utf8(t.text)
                    .ok()
                    .and_then(|a| core::net::Ipv4Addr::from_str(a).ok())
                    .ok_or_else(|| invalid(&t, "an IPv4 address"))?;
                f.out.extend_from_slice(&a.octets());
            }
            Rtype::AAAA => {
                let t = f.token("an IPv6 address")?;
                let a = core::str::from_utf8(t.text)
                    .ok()
                    .and_then(|a| core::net::Ipv6Addr::from_str(a).ok())
                    .ok_or_else(|| invalid(&t, "an IPv6 address"))?;
                f.out.extend_from_slice(&a.octets());
            }
            Rtype::NS
            | Rtype::CNAME
            | Rtype::PTR
            | Rtype::DNAME
            | Rtype::MD
            | Rtype::MF
            | Rtype::MB
            | Rtype::MG
            | Rtype::MR => f.name("a name")?,
            Rtype::MX | Rtype::AFSDB | Rtype::RT | Rtype::KX => {
                f.u16("a preference")?;
                f.name("a name")?;
            }
            Rtype::MINFO | Rtype::RP => {
                f.name("a mailbox name")?;
                f.name("a name")?;
            }
            Rtype::PX => {
                f.u16("a preference")?;
                f.name("the RFC 822 name")?;
                f.name("the X.400 name")?;
            }
            Rtype::TXT | Rtype::SPF => {
                f.char_string("a character string")?;
                while f.more() {
                    f.char_string("a character string")?;
                }
            }
            Rtype::HINFO => {
                f.char_string("the CPU")?;
                f.char_string("the OS")?;
            }
            Rtype::SOA => {
                f.name("the primary name server")?;
                f.name("the responsible mailbox")?;
                f.u32("the serial")?;
                f.period("the refresh interval")?;
                f.period("the retry interval")?;
                f.period("the expiry")?;
                f.period("the minimum TTL")?;
            }
            Rtype::SRV => {
                f.u16("the priority")?;
                f.u16("the weight")?;
                f.u16("the port")?;
                f.name("the target")?;
            }
            Rtype::CAA => {
                f.u8("the flags")?;
                let tag = f.token("the tag")?;
                let tag_len =
                    u8::try_from(tag.text.len()).map_err(|_| invalid(&tag, "a short tag"))?;
                f.out.push(tag_len);
                f.out.extend_from_slice(tag.text);
                let value = f.token("the value")?;
                f.out.extend_from_slice(&unescape(&value)?);
            }
            Rtype::NAPTR => {
                f.u16("the order")?;
                f.u16("the preference")?;
                f.char_string("the flags")?;
                f.char_string("the services")?;
                f.char_string("the regular expression")?;
                f.name("the replacement")?;
            }
            Rtype::SVCB | Rtype::HTTPS => {
                f.u16("the priority")?;
                f.name("the target")?;
                svc_params(&mut f)?;
            }
            Rtype::DS | Rtype::CDS => {
                f.u16("the key tag")?;
                f.algorithm()?;
                f.u8("the digest type")?;
                f.hex_rest("the hex digest")?;
            }
            Rtype::DNSKEY | Rtype::CDNSKEY => {
                f.u16("the flags")?;
                f.u8("the protocol")?;
                f.algorithm()?;
                f.base64_rest("the base64 public key")?;
            }
            Rtype::RRSIG | Rtype::SIG => {
                let t = f.token("the type covered")?;
                let covered =
                    type_token(t.text).ok_or_else(|| err_at(&t, ZoneErrorKind::UnknownType))?;
                f.out.extend_from_slice(&covered.0.to_be_bytes());
                f.algorithm()?;
                f.u8("the label count")?;
                f.period("the original TTL")?;
                f.sig_time("the expiration time")?;
                f.sig_time("the inception time")?;
                f.u16("the key tag")?;
                f.name("the signer name")?;
                f.base64_rest("the base64 signature")?;
            }
            Rtype::NSEC => {
                f.name("the next name")?;
                f.types_rest()?;
            }
            Rtype::NSEC3 | Rtype::NSEC3PARAM => {
                f.u8("the hash algorithm")?;
                f.u8("the flags")?;
                f.u16("the iterations")?;
                let salt = f.token("the salt")?;
                let salt_bytes = if salt.text == b"-" {
                    Vec::new()
                } else {
                    hex(salt.text).ok_or_else(|| invalid(&salt, "a hex salt or -"))?
                };
                f.out.push(
                    u8::try_from(salt_bytes.len()).map_err(|_| invalid(&salt, "a shorter salt"))?,
                );
                f.out.extend_from_slice(&salt_bytes);
                if rtype == Rtype::NSEC3 {
                    let next = f.token("the next hashed owner")?;
                    let hash =
                        base32hex(next.text).ok_or_else(|| invalid(&next, "a base32hex hash"))?;
                    f.out.push(
                        u8::try_from(hash.len()).map_err(|_| invalid(&next, "a shorter hash"))?,
                    );
                    f.out.extend_from_slice(&hash);
                    f.types_rest()?;
                }
            }
            Rtype::OPENPGPKEY => f.base64_rest("the base64 key")?,
            Rtype::TLSA => {
                f.u8("the usage")?;
                f.u8("the selector")?;
                f.u8("the matching type")?;
                f.hex_rest("the hex certificate data")?;
            }
            Rtype::SSHFP => {
                f.u8("the algorithm")?;
                f.u8("the fingerprint type")?;
                f.hex_rest("the hex fingerprint")?;
            }
            Rtype::ZONEMD => {
                f.u32("the serial")?;
                f.u8("the scheme")?;
                f.u8("the hash algorithm")?;
                f.hex_rest("the hex digest")?;
            }
            _ => return Err(err_at(type_tok, ZoneErrorKind::UnsupportedType(rtype))),
        }
    }
    if let Some(extra) = tokens.get(f.next) {
        return Err(err_at(extra, ZoneErrorKind::TrailingTokens));
    }
    if f.out.len() > 65_535 {
        return Err(invalid(type_tok, "RDATA of at most 65535 bytes"));
    }
    RData::from_wire(rtype, &f.out).map_err(|e| err_at(type_tok, ZoneErrorKind::Rdata(e)))?;
    Ok(f.out)
}
