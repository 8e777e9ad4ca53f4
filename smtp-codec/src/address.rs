//! Mailboxes, domains and paths: the grammar of RFC 5321 §4.1.2 and §4.1.3,
//! with the UTF-8 extensions of RFC 6531 (SMTPUTF8).
//!
//! Everything here borrows the text it was parsed from. The same functions
//! check values a caller builds by hand before they are written to the wire,
//! so a mailbox can never carry a space, CR, LF or NUL into a command line.
//!
//! ```
//! use smtp_codec::address::{Domain, Mailbox};
//!
//! let m = Mailbox::parse("\"john doe\"@[IPv6:2001:db8::1]")?;
//! assert_eq!(m.local_part(), "\"john doe\"");
//! assert!(matches!(m.domain(), Domain::Ipv6(_)));
//! assert!(Mailbox::parse("a b@example.com").is_err());
//! # Ok::<(), smtp_codec::address::AddressError>(())
//! ```

use core::fmt;
use core::net::{Ipv4Addr, Ipv6Addr};

/// Why a mailbox, domain or path is not valid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AddressError {
    /// A byte the grammar does not allow here, at this offset of the value.
    #[error("invalid {what} at byte {offset}")]
    Invalid {
        /// The production being parsed ("local part", "domain", ...).
        what: &'static str,
        /// Offset into the value.
        offset: usize,
    },
    /// Non-ASCII text where SMTPUTF8 was not in effect (RFC 6531 §3.2).
    #[error("non-ASCII {what} at byte {offset} without SMTPUTF8")]
    NeedsSmtpUtf8 {
        /// The production being parsed.
        what: &'static str,
        /// Offset into the value.
        offset: usize,
    },
    /// A part longer than RFC 5321 §4.5.3.1 allows (local part 64, domain
    /// 255, label 63 octets, path 256).
    #[error("{what} is longer than {max} octets")]
    TooLong {
        /// The production being parsed.
        what: &'static str,
        /// The limit in octets.
        max: usize,
    },
}

/// A domain or address literal (`Domain / address-literal` of RFC 5321).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Domain<'a> {
    /// A host name, as written (`example.com`; U-labels under SMTPUTF8).
    Name(&'a str),
    /// `[192.0.2.1]`.
    Ipv4(Ipv4Addr),
    /// `[IPv6:2001:db8::1]`.
    Ipv6(Ipv6Addr),
    /// `[tag:content]`, a general address literal.
    General {
        /// The standardized tag.
        tag: &'a str,
        /// The literal's content.
        content: &'a str,
    },
}

impl<'a> Domain<'a> {
    /// Parse a domain name or address literal. Non-ASCII labels are refused;
    /// use [`Domain::parse_utf8`] where SMTPUTF8 is in effect.
    pub fn parse(s: &'a str) -> Result<Self, AddressError> {
        parse_domain_or_literal(s, false, 0)
    }

    /// Parse, accepting UTF-8 labels (RFC 6531).
    pub fn parse_utf8(s: &'a str) -> Result<Self, AddressError> {
        parse_domain_or_literal(s, true, 0)
    }

    /// Whether this is a name with non-ASCII labels.
    pub fn is_ascii(&self) -> bool {
        match self {
            Domain::Name(n) => n.is_ascii(),
            Domain::General { tag, content } => tag.is_ascii() && content.is_ascii(),
            _ => true,
        }
    }

    /// Check a hand-built value against the grammar.
    pub fn validate(&self, utf8: bool) -> Result<(), AddressError> {
        match self {
            Domain::Name(n) => validate_domain_name(n, utf8, 0),
            Domain::Ipv4(_) | Domain::Ipv6(_) => Ok(()),
            // `[IPv6:...]` is written for `Domain::Ipv6` only: as a general
            // literal it would read back as an IPv6 address or not at all.
            Domain::General { tag, .. } if tag.eq_ignore_ascii_case("IPv6") => {
                Err(invalid("address literal tag", 0))
            }
            Domain::General { tag, content } => {
                validate_general_literal(tag, content, 0)?;
                Ok(())
            }
        }
    }
}

impl fmt::Display for Domain<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Domain::Name(n) => f.write_str(n),
            Domain::Ipv4(a) => write!(f, "[{a}]"),
            Domain::Ipv6(a) => write!(f, "[IPv6:{a}]"),
            Domain::General { tag, content } => write!(f, "[{tag}:{content}]"),
        }
    }
}

/// A mailbox: `Local-part "@" ( Domain / address-literal )`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Mailbox<'a> {
    local_part: &'a str,
    domain: Domain<'a>,
}

impl<'a> Mailbox<'a> {
    /// Build from parts, checking both (ASCII only unless `utf8`).
    pub fn new(local_part: &'a str, domain: Domain<'a>, utf8: bool) -> Result<Self, AddressError> {
        validate_local_part(local_part, utf8, 0)?;
        domain.validate(utf8)?;
        Ok(Mailbox { local_part, domain })
    }

    /// Parse `local@domain` (ASCII only).
    pub fn parse(s: &'a str) -> Result<Self, AddressError> {
        parse_mailbox(s, false, 0)
    }

    /// Parse `local@domain`, accepting UTF-8 (RFC 6531).
    pub fn parse_utf8(s: &'a str) -> Result<Self, AddressError> {
        parse_mailbox(s, true, 0)
    }

    /// The local part as written on the wire: a dot-string, or a quoted
    /// string with its quotes and backslashes.
    pub fn local_part(&self) -> &'a str {
        self.local_part
    }

    /// The domain or address literal.
    pub fn domain(&self) -> Domain<'a> {
        self.domain
    }

    /// Whether local part and domain are ASCII.
    pub fn is_ascii(&self) -> bool {
        self.local_part.is_ascii() && self.domain.is_ascii()
    }

    /// Check a value (for example one built with struct syntax elsewhere)
    /// against the grammar before it is written.
    pub fn validate(&self, utf8: bool) -> Result<(), AddressError> {
        validate_local_part(self.local_part, utf8, 0)?;
        self.domain.validate(utf8)
    }
}

impl fmt::Display for Mailbox<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.local_part, self.domain)
    }
}

/// Maximum octets in a local part (RFC 5321 §4.5.3.1.1).
pub const MAX_LOCAL_PART: usize = 64;
/// Maximum octets in a domain (RFC 5321 §4.5.3.1.2).
pub const MAX_DOMAIN: usize = 255;
/// Maximum octets in a path including the angle brackets (RFC 5321 §4.5.3.1.3).
pub const MAX_PATH: usize = 256;

/// Byte classes of the address grammar, one table lookup per byte.
const ATEXT: u8 = 1;
const LET_DIG_HYP: u8 = 2;
/// `.`, and `-` (which is also atext and let-dig-hyp).
const DOT: u8 = 4;
const HYPHEN: u8 = 8;

static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        if b.is_ascii_alphanumeric() {
            t[c] = ATEXT | LET_DIG_HYP;
        }
        c += 1;
    }
    let specials = b"!#$%&'*+-/=?^_`{|}~";
    let mut i = 0;
    while i < specials.len() {
        t[specials[i] as usize] |= ATEXT;
        i += 1;
    }
    t[b'-' as usize] |= LET_DIG_HYP | HYPHEN;
    t[b'.' as usize] |= DOT;
    t
};

pub(crate) fn is_atext(b: u8) -> bool {
    CLASS[b as usize] & ATEXT != 0
}

fn invalid(what: &'static str, offset: usize) -> AddressError {
    AddressError::Invalid { what, offset }
}

/// The length of the UTF-8 character starting at `s[i]` when it is a
/// non-ASCII character (`s` is a `str`, so it is well formed).
fn utf8_char_len(s: &str, i: usize) -> usize {
    s[i..].chars().next().map_or(1, char::len_utf8)
}

fn validate_local_part(s: &str, utf8: bool, base: usize) -> Result<(), AddressError> {
    const WHAT: &str = "local part";
    if s.len() > MAX_LOCAL_PART {
        return Err(AddressError::TooLong {
            what: WHAT,
            max: MAX_LOCAL_PART,
        });
    }
    let b = s.as_bytes();
    if b.is_empty() {
        return Err(invalid(WHAT, base));
    }
    if b[0] == b'"' {
        let end = quoted_string_end(s, utf8, base)?;
        if end != b.len() {
            return Err(invalid(WHAT, base + end));
        }
        return Ok(());
    }
    // Dot-string: atoms separated by single dots.
    let mut i = 0;
    let mut atom_start = true;
    while i < b.len() {
        let c = b[i];
        if c == b'.' {
            if atom_start {
                return Err(invalid(WHAT, base + i));
            }
            atom_start = true;
            i += 1;
        } else if is_atext(c) {
            atom_start = false;
            i += 1;
        } else if c >= 0x80 {
            if !utf8 {
                return Err(AddressError::NeedsSmtpUtf8 {
                    what: WHAT,
                    offset: base + i,
                });
            }
            atom_start = false;
            i += utf8_char_len(s, i);
        } else {
            return Err(invalid(WHAT, base + i));
        }
    }
    if atom_start {
        return Err(invalid(WHAT, base + b.len()));
    }
    Ok(())
}

/// With `s` starting at a DQUOTE, the offset just past the closing DQUOTE.
fn quoted_string_end(s: &str, utf8: bool, base: usize) -> Result<usize, AddressError> {
    const WHAT: &str = "quoted local part";
    let b = s.as_bytes();
    let mut i = 1;
    while i < b.len() {
        match b[i] {
            b'"' => return Ok(i + 1),
            b'\\' => match b.get(i + 1) {
                Some(&c) if (32..=126).contains(&c) => i += 2,
                Some(&c) if c >= 0x80 && utf8 => i += 1 + utf8_char_len(s, i + 1),
                Some(&c) if c >= 0x80 => {
                    return Err(AddressError::NeedsSmtpUtf8 {
                        what: WHAT,
                        offset: base + i + 1,
                    });
                }
                _ => return Err(invalid(WHAT, base + i + 1)),
            },
            c if (32..=126).contains(&c) => i += 1,
            c if c >= 0x80 => {
                if !utf8 {
                    return Err(AddressError::NeedsSmtpUtf8 {
                        what: WHAT,
                        offset: base + i,
                    });
                }
                i += utf8_char_len(s, i);
            }
            _ => return Err(invalid(WHAT, base + i)),
        }
    }
    Err(invalid(WHAT, base + b.len()))
}

fn validate_domain_name(s: &str, utf8: bool, base: usize) -> Result<(), AddressError> {
    const WHAT: &str = "domain";
    if s.len() > MAX_DOMAIN {
        return Err(AddressError::TooLong {
            what: WHAT,
            max: MAX_DOMAIN,
        });
    }
    let b = s.as_bytes();
    if b.is_empty() {
        return Err(invalid(WHAT, base));
    }
    let mut label_start = 0;
    let mut i = 0;
    // Let-dig [Ldh-str]: letters, digits, hyphens; no hyphen first or last.
    while i <= b.len() {
        // The common bytes first, one table lookup each.
        while i < b.len() && CLASS[b[i] as usize] & LET_DIG_HYP != 0 {
            i += 1;
        }
        if i == b.len() || b[i] == b'.' {
            let label = &b[label_start..i];
            if label.is_empty() || label[0] == b'-' {
                return Err(invalid(WHAT, base + label_start));
            }
            if label[label.len() - 1] == b'-' {
                return Err(invalid(WHAT, base + i - 1));
            }
            if label.len() > 63 {
                return Err(AddressError::TooLong {
                    what: "domain label",
                    max: 63,
                });
            }
            i += 1;
            label_start = i;
            continue;
        }
        let c = b[i];
        if c.is_ascii_alphanumeric() || c == b'-' {
            i += 1;
        } else if c >= 0x80 {
            if !utf8 {
                return Err(AddressError::NeedsSmtpUtf8 {
                    what: WHAT,
                    offset: base + i,
                });
            }
            let n = utf8_char_len(s, i);
            // U-labels: IDNA validity is the resolver's business; here only
            // whitespace and controls, which could break the line, are refused.
            let ch = s[i..].chars().next().unwrap_or(' ');
            if ch.is_whitespace() || ch.is_control() {
                return Err(invalid(WHAT, base + i));
            }
            i += n;
        } else {
            return Err(invalid(WHAT, base + i));
        }
    }
    Ok(())
}

fn validate_general_literal(tag: &str, content: &str, base: usize) -> Result<(), AddressError> {
    // Standardized-tag = Ldh-str; dcontent = %d33-90 / %d94-126
    let t = tag.as_bytes();
    if t.is_empty()
        || !t.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'-')
        || t[t.len() - 1] == b'-'
    {
        return Err(invalid("address literal tag", base));
    }
    if content.is_empty() {
        return Err(invalid("address literal", base + tag.len() + 1));
    }
    if let Some(p) = content
        .bytes()
        .position(|c| !matches!(c, 33..=90 | 94..=126))
    {
        return Err(invalid("address literal", base + tag.len() + 1 + p));
    }
    Ok(())
}

/// Parse `[...]` at the start of `s`; the whole of `s` must be the literal.
fn parse_address_literal(s: &str, base: usize) -> Result<Domain<'_>, AddressError> {
    const WHAT: &str = "address literal";
    let b = s.as_bytes();
    if b.len() < 3 || b[0] != b'[' || b[b.len() - 1] != b']' {
        return Err(invalid(WHAT, base));
    }
    let inner = &s[1..s.len() - 1];
    if let Some(colon) = inner.find(':') {
        let tag = &inner[..colon];
        let content = &inner[colon + 1..];
        if tag.eq_ignore_ascii_case("IPv6") {
            return content
                .parse::<Ipv6Addr>()
                .map(Domain::Ipv6)
                .map_err(|_| invalid("IPv6 address literal", base + 1 + colon + 1));
        }
        validate_general_literal(tag, content, base + 1)?;
        return Ok(Domain::General { tag, content });
    }
    // IPv4: four decimal octets; `Ipv4Addr::from_str` already refuses
    // leading zeros and values over 255.
    inner
        .parse::<Ipv4Addr>()
        .map(Domain::Ipv4)
        .map_err(|_| invalid("IPv4 address literal", base + 1))
}

pub(crate) fn parse_domain_or_literal(
    s: &str,
    utf8: bool,
    base: usize,
) -> Result<Domain<'_>, AddressError> {
    if s.starts_with('[') {
        parse_address_literal(s, base)
    } else {
        validate_domain_name(s, utf8, base)?;
        Ok(Domain::Name(s))
    }
}

pub(crate) fn parse_mailbox(s: &str, utf8: bool, base: usize) -> Result<Mailbox<'_>, AddressError> {
    let b = s.as_bytes();
    let at = if b.first() == Some(&b'"') {
        let end = quoted_string_end(s, utf8, base)?;
        if b.get(end) != Some(&b'@') {
            return Err(invalid("mailbox", base + end));
        }
        end
    } else {
        // A dot-string has no `@`; the domain may (in a general literal).
        match b.iter().position(|&c| c == b'@') {
            Some(at) => at,
            None => return Err(invalid("mailbox", base + s.len())),
        }
    };
    let local_part = &s[..at];
    validate_local_part(local_part, utf8, base)?;
    let domain = parse_domain_or_literal(&s[at + 1..], utf8, base + at + 1)?;
    Ok(Mailbox { local_part, domain })
}

/// The common path of MAIL and RCPT in one pass: `<>`, or
/// `<local@domain>` with an ASCII dot-string local part and a domain name
/// of at most 63 octets. `line` starts with the path. Returns the mailbox
/// (`None` for `<>`) and the offset just past the `>`; `None` for any other
/// path (a quoted local part, an address literal, a source route, UTF-8, an
/// error), which [`parse_path`] reads. What this accepts, `parse_path`
/// accepts the same way.
#[inline(always)]
pub(crate) fn parse_simple_path(line: &str) -> Option<(Option<Mailbox<'_>>, usize)> {
    let b = line.as_bytes();
    if b.first() != Some(&b'<') {
        return None;
    }
    if b.get(1) == Some(&b'>') {
        return Some((None, 2));
    }
    let at_sign = dot_string(b, 1)?;
    let end = simple_domain(b, at_sign + 1)?;
    if b.get(end) != Some(&b'>') || at_sign - 1 > MAX_LOCAL_PART {
        return None;
    }
    // The cuts are at ASCII bytes, so these are never `None`.
    let (local_part, rest) = line.split_at_checked(at_sign)?;
    let (domain, _) = rest.split_at_checked(end - at_sign)?;
    let mailbox = Mailbox {
        local_part: local_part.strip_prefix('<')?,
        domain: Domain::Name(domain.strip_prefix('@')?),
    };
    Some((Some(mailbox), end + 1))
}

/// A dot-string at `b[from..]` (atoms of atext separated by single dots)
/// up to `@`: where the `@` is.
#[inline(always)]
fn dot_string(b: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    loop {
        let atom = span(b, i, ATEXT);
        if atom == i {
            return None;
        }
        match b.get(atom)? {
            b'.' => i = atom + 1,
            b'@' => return Some(atom),
            _ => return None,
        }
    }
}

/// A domain name at `b[from..]` of at most 63 octets (so no label can be
/// too long) in one pass: labels of letters, digits and hyphens (none
/// first or last), separated by single dots. Returns where it ends (the
/// first byte that is none of those).
#[inline]
pub(crate) fn simple_domain(b: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    loop {
        let label = i;
        i = span(b, i, LET_DIG_HYP);
        if i == label || b[label] == b'-' || b[i - 1] == b'-' {
            return None;
        }
        if b.get(i) != Some(&b'.') {
            return (i - from <= 63).then_some(i);
        }
        i += 1;
    }
}

/// Where the bytes of `class` that start at `b[from..]` end.
#[inline(always)]
fn span(b: &[u8], from: usize, class: u8) -> usize {
    let rest = b.get(from..).unwrap_or(&[]);
    from + rest
        .iter()
        .position(|&c| CLASS[usize::from(c)] & class == 0)
        .unwrap_or(rest.len())
}

/// Parse a path `"<" [ A-d-l ":" ] Mailbox ">"`; the source route (A-d-l)
/// is checked and dropped, as RFC 5321 §4.1.1.3 tells receivers to do.
/// Returns `None` for the null path `<>` when `allow_null`.
pub(crate) fn parse_path(
    s: &str,
    utf8: bool,
    allow_null: bool,
    base: usize,
) -> Result<Option<Mailbox<'_>>, AddressError> {
    const WHAT: &str = "path";
    let b = s.as_bytes();
    if b.len() > MAX_PATH {
        return Err(AddressError::TooLong {
            what: WHAT,
            max: MAX_PATH,
        });
    }
    if b.len() < 2 || b[0] != b'<' || b[b.len() - 1] != b'>' {
        return Err(invalid(WHAT, base));
    }
    let inner = &s[1..s.len() - 1];
    if inner.is_empty() {
        return if allow_null {
            Ok(None)
        } else {
            Err(invalid(WHAT, base + 1))
        };
    }
    let mut start = 0;
    if inner.starts_with('@') {
        // A-d-l = At-domain *( "," At-domain ) ":"
        let colon = inner.find(':').ok_or(invalid("source route", base + 1))?;
        for (k, hop) in split_offsets(&inner[..colon], b',') {
            let hop_base = base + 1 + k;
            let name = hop
                .strip_prefix('@')
                .ok_or(invalid("source route", hop_base))?;
            validate_domain_name(name, utf8, hop_base + 1)?;
        }
        start = colon + 1;
    }
    parse_mailbox(&inner[start..], utf8, base + 1 + start).map(Some)
}

/// Pieces of `s` split at `sep`, each with its offset.
fn split_offsets(s: &str, sep: u8) -> impl Iterator<Item = (usize, &str)> {
    let mut pos = 0;
    s.split(sep as char).map(move |piece| {
        let at = pos;
        pos += piece.len() + 1;
        (at, piece)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn mailboxes() {
        for ok in [
            "a@example.com",
            "first.last@sub.example.co",
            "\"a b\"@example.com",
            "\"a\\\"b\"@example.com",
            "x@[192.0.2.1]",
            "x@[IPv6:::1]",
            "x@[tag:abc]",
            "!#$%&'*+-/=?^_`{|}~@x",
        ] {
            Mailbox::parse(ok).unwrap_or_else(|e| panic!("{ok}: {e}"));
        }
        for bad in [
            "",
            "@example.com",
            "a@",
            "a.@x",
            ".a@x",
            "a..b@x",
            "a b@x",
            "a@-x",
            "a@x-",
            "a@x..y",
            "a@[300.1.1.1]",
            "a@[01.1.1.1]",
            "a@[IPv6:zz]",
            "\"a@x",
            "a\r@x",
            "a@x\0",
            "ü@x",
        ] {
            assert!(Mailbox::parse(bad).is_err(), "{bad:?} accepted");
        }
        assert!(Mailbox::parse_utf8("ü@bücher.de").is_ok());
        assert!(Mailbox::parse_utf8("a@bü cher.de").is_err());
        assert!(matches!(
            Mailbox::parse("ü@x"),
            Err(AddressError::NeedsSmtpUtf8 { offset: 0, .. })
        ));
    }

    #[test]
    fn paths() {
        assert_eq!(parse_path("<>", false, true, 0), Ok(None));
        assert!(parse_path("<>", false, false, 0).is_err());
        let m = parse_path("<@a.example,@b.example:u@c.example>", false, false, 0)
            .unwrap()
            .unwrap();
        assert_eq!(m.to_string(), "u@c.example");
        assert!(parse_path("u@c.example", false, false, 0).is_err());
        assert!(parse_path("<u@c.example", false, false, 0).is_err());
        let long = alloc::format!("<{}@x>", "a".repeat(65));
        assert!(matches!(
            parse_path(&long, false, false, 0),
            Err(AddressError::TooLong { .. })
        ));
    }
}
