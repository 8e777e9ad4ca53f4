//! Domain names: borrowed views that read through compression pointers, an owned
//! uncompressed form, presentation format, case-insensitive comparison and the DNSSEC
//! canonical order.

use core::cmp::Ordering;
use core::fmt;
use core::hash::{Hash, Hasher};

use super::error::Error;
use super::types::Rtype;

/// Longest name in wire form, root label included (RFC 1035 section 3.1).
pub const MAX_NAME_LEN: usize = 255;
/// Longest label (RFC 1035 section 3.1).
pub const MAX_LABEL_LEN: usize = 63;
/// Most labels a name can have besides the root (each takes at least 2 bytes).
pub const MAX_LABELS: usize = 127;

/// Validates the name starting at `pos`: labels, compression pointers (strictly
/// backward: each points before the labels that led to it, so chains always
/// terminate), the hop limit and the 255-byte limit. The bytes read in place must stay
/// below `limit`. Returns the offset just after the name's in-place bytes.
pub(crate) fn check_name(
    msg: &[u8],
    pos: usize,
    limit: usize,
    max_hops: usize,
    compression: Result<(), Rtype>,
) -> Result<usize, Error> {
    let mut p = pos;
    let mut in_place_end = None;
    let mut segment_start = pos;
    let mut len = 0usize;
    let mut hops = 0usize;
    loop {
        let bound = if in_place_end.is_none() {
            limit
        } else {
            msg.len()
        };
        let Some(&b) = msg.get(p).filter(|_| p < bound) else {
            return Err(Error::UnexpectedEnd { offset: p });
        };
        match b & 0xC0 {
            0x00 if b == 0 => {
                len += 1;
                if len > MAX_NAME_LEN {
                    return Err(Error::NameTooLong { offset: pos });
                }
                return Ok(in_place_end.unwrap_or(p + 1));
            }
            0x00 => {
                let l = usize::from(b);
                len += 1 + l;
                // The root label still has to fit.
                if len + 1 > MAX_NAME_LEN {
                    return Err(Error::NameTooLong { offset: pos });
                }
                if p + 1 + l > bound {
                    return Err(Error::UnexpectedEnd { offset: bound });
                }
                p += 1 + l;
            }
            0xC0 => {
                if let Err(rtype) = compression {
                    return Err(Error::CompressionNotAllowed { offset: p, rtype });
                }
                let Some(&lo) = msg.get(p + 1).filter(|_| p + 1 < bound) else {
                    return Err(Error::UnexpectedEnd { offset: p + 1 });
                };
                let target = (usize::from(b & 0x3F) << 8) | usize::from(lo);
                if target >= segment_start {
                    return Err(Error::ForwardPointer { offset: p, target });
                }
                if target < 12 {
                    return Err(Error::PointerIntoHeader { offset: p, target });
                }
                hops += 1;
                if hops > max_hops {
                    return Err(Error::TooManyPointers {
                        offset: pos,
                        limit: max_hops,
                    });
                }
                in_place_end.get_or_insert(p + 2);
                p = target;
                segment_start = target;
            }
            _ => return Err(Error::ReservedLabelType { offset: p, byte: b }),
        }
    }
}

/// A domain name borrowed from a message (or from a [`Name`]), read through
/// compression pointers on demand. Only made over names the parser validated.
///
/// Equality, hashing and [`NameRef::canonical_cmp`] ignore ASCII case, as DNS does.
/// `Display` writes presentation format (`www.example.com.`), escaping as RFC 4343
/// and RFC 1035 section 5.1 require.
#[derive(Clone, Copy)]
pub struct NameRef<'a> {
    buf: &'a [u8],
    start: usize,
}

/// Iterator over a name's labels, left to right, without the root label.
#[derive(Clone, Debug)]
pub struct Labels<'a> {
    buf: &'a [u8],
    pos: usize,
    hops_left: u8,
}

impl<'a> Labels<'a> {
    /// Labels of the name at `pos` of `buf` (which must hold a valid name there).
    pub(crate) fn over(buf: &'a [u8], pos: usize) -> Self {
        Labels {
            buf,
            pos,
            hops_left: 128,
        }
    }
}

impl<'a> Iterator for Labels<'a> {
    type Item = &'a [u8];

    #[inline]
    fn next(&mut self) -> Option<&'a [u8]> {
        loop {
            let b = *self.buf.get(self.pos)?;
            if b & 0xC0 == 0xC0 {
                // Validated names only point backward; the hop budget is a second
                // guard that cannot be exhausted by valid input.
                self.hops_left = self.hops_left.checked_sub(1)?;
                let lo = *self.buf.get(self.pos + 1)?;
                self.pos = (usize::from(b & 0x3F) << 8) | usize::from(lo);
                continue;
            }
            if b == 0 {
                self.pos = usize::MAX;
                return None;
            }
            let start = self.pos + 1;
            let label = self.buf.get(start..start + usize::from(b))?;
            self.pos = start + usize::from(b);
            return Some(label);
        }
    }
}

impl core::iter::FusedIterator for Labels<'_> {}

impl<'a> NameRef<'a> {
    /// A view of the validated name at `start` of `buf`.
    pub(crate) fn new(buf: &'a [u8], start: usize) -> Self {
        NameRef { buf, start }
    }

    /// The root name `.`.
    pub const ROOT: NameRef<'static> = NameRef {
        buf: &[0],
        start: 0,
    };

    /// The labels, left to right, without the empty root label.
    pub fn labels(&self) -> Labels<'a> {
        Labels {
            buf: self.buf,
            pos: self.start,
            hops_left: 128,
        }
    }

    /// Number of labels, not counting the root.
    pub fn label_count(&self) -> usize {
        self.labels().count()
    }

    /// True for the root name.
    pub fn is_root(&self) -> bool {
        self.labels().next().is_none()
    }

    /// Length of the uncompressed wire form, root label included (at most 255).
    pub fn wire_len(&self) -> usize {
        self.labels().map(|l| l.len() + 1).sum::<usize>() + 1
    }

    /// Copies the name into an owned [`Name`].
    pub fn to_name(&self) -> Name {
        let mut name = Name::root();
        for label in self.labels() {
            // Validated: every label fits and the total stays within 255 bytes.
            let _ = name.push_label(label);
        }
        name
    }

    /// True if `self` equals `ancestor` or lies below it (`www.example.com.` is below
    /// `example.com.` and `.`), ignoring ASCII case.
    pub fn is_below_or_at(&self, ancestor: &NameRef<'_>) -> bool {
        let (mine, theirs) = (self.label_count(), ancestor.label_count());
        mine >= theirs
            && self
                .labels()
                .skip(mine - theirs)
                .zip(ancestor.labels())
                .all(|(a, b)| a.eq_ignore_ascii_case(b))
    }

    /// Compares in DNSSEC canonical order (RFC 4034 section 6.1): label by label from
    /// the right, each label as lowercase bytes; a name sorts before its subdomains.
    pub fn canonical_cmp(&self, other: &NameRef<'_>) -> Ordering {
        // Where each label's length byte is, so labels can be taken from the right.
        let mut a = [0u16; MAX_LABELS];
        let mut b = [0u16; MAX_LABELS];
        let na = label_positions(self.buf, self.start, &mut a);
        let nb = label_positions(other.buf, other.start, &mut b);
        for (&pa, &pb) in a[..na].iter().rev().zip(b[..nb].iter().rev()) {
            let ord = label_at(self.buf, pa)
                .iter()
                .map(u8::to_ascii_lowercase)
                .cmp(label_at(other.buf, pb).iter().map(u8::to_ascii_lowercase));
            if ord != Ordering::Equal {
                return ord;
            }
        }
        na.cmp(&nb)
    }
}

/// Longest [`NameRef::canonical_key`]: every byte escaped (2 bytes) plus a terminator
/// per label, for a 255-byte name.
pub(crate) const CANONICAL_KEY_LEN: usize = 2 * MAX_NAME_LEN;

impl NameRef<'_> {
    /// Writes a byte string that sorts like the name in DNSSEC canonical order (RFC
    /// 4034 section 6.1) under plain byte comparison: labels from the right,
    /// lowercased, each ended by 0x00, with bytes 0 and 1 escaped as 0x01 and the byte
    /// plus one so the terminator sorts first. A name's key is a prefix of the keys of
    /// the names below it. Returns the key's length.
    pub(crate) fn canonical_key(&self, out: &mut [u8; CANONICAL_KEY_LEN]) -> usize {
        let mut positions = [0u16; MAX_LABELS];
        let n = label_positions(self.buf, self.start, &mut positions);
        let mut w = 0;
        for &pos in positions[..n].iter().rev() {
            for &b in label_at(self.buf, pos) {
                let b = b.to_ascii_lowercase();
                let escaped: &[u8] = if b <= 1 {
                    &[1, b + 1]
                } else {
                    core::slice::from_ref(&b)
                };
                if let Some(dst) = out.get_mut(w..w + escaped.len()) {
                    dst.copy_from_slice(escaped);
                    w += escaped.len();
                }
            }
            if let Some(dst) = out.get_mut(w) {
                *dst = 0;
                w += 1;
            }
        }
        w
    }
}

/// Records the offset of each label's length byte of the validated name at `pos`
/// (following pointers); returns the label count.
fn label_positions(buf: &[u8], mut pos: usize, out: &mut [u16; MAX_LABELS]) -> usize {
    let mut n = 0;
    let mut hops = 0u8;
    while let Some(&b) = buf.get(pos) {
        if b & 0xC0 == 0xC0 {
            hops += 1;
            let Some(&lo) = buf.get(pos + 1) else { break };
            if hops > 128 {
                break;
            }
            pos = (usize::from(b & 0x3F) << 8) | usize::from(lo);
            continue;
        }
        if b == 0 || n == MAX_LABELS {
            break;
        }
        out[n] = pos as u16;
        n += 1;
        pos += 1 + usize::from(b);
    }
    n
}

/// The label whose length byte is at `pos`.
fn label_at(buf: &[u8], pos: u16) -> &[u8] {
    let pos = usize::from(pos);
    let len = buf.get(pos).map_or(0, |&l| usize::from(l));
    buf.get(pos + 1..pos + 1 + len).unwrap_or_default()
}

impl PartialEq for NameRef<'_> {
    fn eq(&self, other: &Self) -> bool {
        let mut a = self.labels();
        let mut b = other.labels();
        loop {
            match (a.next(), b.next()) {
                (None, None) => return true,
                (Some(x), Some(y)) if x.eq_ignore_ascii_case(y) => {}
                _ => return false,
            }
        }
    }
}

impl Eq for NameRef<'_> {}

impl Hash for NameRef<'_> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        for label in self.labels() {
            state.write_u8(label.len() as u8);
            for b in label {
                state.write_u8(b.to_ascii_lowercase());
            }
        }
        state.write_u8(0);
    }
}

/// Writes one label in presentation format.
fn write_label(f: &mut fmt::Formatter<'_>, label: &[u8]) -> fmt::Result {
    for &b in label {
        match b {
            b'.' | b';' | b'\\' | b'(' | b')' | b'"' | b'@' | b'$' => {
                write!(f, "\\{}", char::from(b))?
            }
            0x21..=0x7E => write!(f, "{}", char::from(b))?,
            _ => write!(f, "\\{b:03}")?,
        }
    }
    Ok(())
}

impl fmt::Display for NameRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut any = false;
        for label in self.labels() {
            write_label(f, label)?;
            f.write_str(".")?;
            any = true;
        }
        if !any {
            f.write_str(".")?;
        }
        Ok(())
    }
}

impl fmt::Debug for NameRef<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NameRef({self})")
    }
}

/// An owned domain name in uncompressed wire form, stored inline (no allocation).
///
/// ```
/// use dns_codec::wire::Name;
/// let name: Name = "WWW.Example.com".parse().unwrap();
/// assert_eq!(name.to_string(), "WWW.Example.com.");
/// assert_eq!(name, "www.example.com.".parse::<Name>().unwrap(), "case-insensitive");
/// assert_eq!(name.as_wire(), b"\x03WWW\x07Example\x03com\x00");
/// assert_eq!("a\\.b.c".parse::<Name>().unwrap().label_count(), 2, "escaped dot");
/// ```
#[derive(Clone)]
pub struct Name {
    buf: [u8; MAX_NAME_LEN],
    len: u8,
}

impl Name {
    /// The root name `.`.
    pub fn root() -> Name {
        Name {
            buf: [0; MAX_NAME_LEN],
            len: 1,
        }
    }

    /// A borrowed view, usable wherever a name from a message is.
    pub fn as_ref(&self) -> NameRef<'_> {
        NameRef::new(self.as_wire(), 0)
    }

    /// The uncompressed wire form, root label included.
    pub fn as_wire(&self) -> &[u8] {
        &self.buf[..usize::from(self.len)]
    }

    /// Parses an uncompressed wire-form name that must fill `wire` exactly.
    pub fn from_wire(wire: &[u8]) -> Result<Name, Error> {
        let end = check_name(wire, 0, wire.len(), 0, Ok(()))?;
        if end != wire.len() {
            return Err(Error::TrailingBytes {
                offset: end,
                len: wire.len() - end,
            });
        }
        Ok(NameRef::new(wire, 0).to_name())
    }

    /// Appends a label on the right, before the root (`www` then `example` builds
    /// `www.example.`).
    pub fn push_label(&mut self, label: &[u8]) -> Result<(), Error> {
        if label.is_empty() || label.len() > MAX_LABEL_LEN {
            return Err(Error::BadNameText {
                position: 0,
                reason: "labels are 1 to 63 bytes long",
            });
        }
        let at = usize::from(self.len) - 1;
        let new_len = at + 1 + label.len() + 1;
        if new_len > MAX_NAME_LEN {
            return Err(Error::NameTooLong { offset: 0 });
        }
        self.buf[at] = label.len() as u8;
        self.buf[at + 1..at + 1 + label.len()].copy_from_slice(label);
        self.buf[new_len - 1] = 0;
        self.len = new_len as u8;
        Ok(())
    }

    /// Appends all labels of `suffix` (making a relative name absolute under an origin).
    pub fn append(&mut self, suffix: &NameRef<'_>) -> Result<(), Error> {
        for label in suffix.labels() {
            self.push_label(label)?;
        }
        Ok(())
    }

    /// Number of labels, not counting the root.
    pub fn label_count(&self) -> usize {
        self.as_ref().label_count()
    }

    /// The labels, left to right.
    pub fn labels(&self) -> Labels<'_> {
        self.as_ref().labels()
    }

    /// True for the root name.
    pub fn is_root(&self) -> bool {
        self.len == 1
    }

    /// Parses presentation format: labels separated by dots, `\X` for a literal
    /// character and `\DDD` for a byte in decimal. A trailing dot is optional (the
    /// name is taken as absolute either way); `.` alone is the root.
    pub fn parse_text(text: &str) -> Result<Name, Error> {
        let bytes = text.as_bytes();
        let mut name = Name::root();
        if text == "." {
            return Ok(name);
        }
        let mut label = [0u8; MAX_LABEL_LEN];
        let mut n = 0usize;
        let mut i = 0usize;
        let bad = |position, reason| Error::BadNameText { position, reason };
        while i < bytes.len() {
            let c = bytes[i];
            let byte = match c {
                b'.' => {
                    if n == 0 {
                        return Err(bad(i, "empty label"));
                    }
                    name.push_label(&label[..n])
                        .map_err(|_| bad(i, "name longer than 255 bytes"))?;
                    n = 0;
                    i += 1;
                    continue;
                }
                b'\\' => {
                    let rest = &bytes[i + 1..];
                    match rest {
                        [d0, d1, d2, ..]
                            if d0.is_ascii_digit()
                                && d1.is_ascii_digit()
                                && d2.is_ascii_digit() =>
                        {
                            let v = u16::from(d0 - b'0') * 100
                                + u16::from(d1 - b'0') * 10
                                + u16::from(d2 - b'0');
                            let v =
                                u8::try_from(v).map_err(|_| bad(i, "\\DDD escape above 255"))?;
                            i += 4;
                            v
                        }
                        [d0, ..] if d0.is_ascii_digit() => {
                            return Err(bad(i, "\\DDD escape needs three digits"));
                        }
                        [x, ..] => {
                            i += 2;
                            *x
                        }
                        [] => return Err(bad(i, "escape at end of name")),
                    }
                }
                _ => {
                    i += 1;
                    c
                }
            };
            if n == MAX_LABEL_LEN {
                return Err(bad(i, "label longer than 63 bytes"));
            }
            label[n] = byte;
            n += 1;
        }
        if n > 0 {
            name.push_label(&label[..n])
                .map_err(|_| bad(bytes.len(), "name longer than 255 bytes"))?;
        }
        Ok(name)
    }
}

impl Default for Name {
    fn default() -> Self {
        Name::root()
    }
}

impl core::str::FromStr for Name {
    type Err = Error;
    fn from_str(s: &str) -> Result<Name, Error> {
        Name::parse_text(s)
    }
}

impl PartialEq for Name {
    fn eq(&self, other: &Self) -> bool {
        self.as_ref() == other.as_ref()
    }
}

impl Eq for Name {}

impl PartialEq<NameRef<'_>> for Name {
    fn eq(&self, other: &NameRef<'_>) -> bool {
        self.as_ref() == *other
    }
}

impl PartialEq<Name> for NameRef<'_> {
    fn eq(&self, other: &Name) -> bool {
        *self == other.as_ref()
    }
}

impl Hash for Name {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_ref().hash(state);
    }
}

impl PartialOrd for Name {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Name {
    /// DNSSEC canonical order (RFC 4034 section 6.1).
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_ref().canonical_cmp(&other.as_ref())
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.as_ref(), f)
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Name({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(text: &str) -> alloc::vec::Vec<u8> {
        let name: Name = text.parse().unwrap();
        let mut buf = [0u8; CANONICAL_KEY_LEN];
        let n = name.as_ref().canonical_key(&mut buf);
        buf[..n].to_vec()
    }

    #[test]
    fn canonical_key_orders_like_canonical_cmp() {
        let names = [
            "example",
            "a.example",
            "yljkjljk.a.example",
            "Z.a.example",
            "zABC.a.EXAMPLE",
            "z.example",
            "\\001.z.example",
            "*.z.example",
            "\\200.z.example",
            "\\000.a",
            "\\001\\000.a",
            "a",
            "\\000",
            ".",
        ];
        for a in names {
            for b in names {
                let (na, nb): (Name, Name) = (a.parse().unwrap(), b.parse().unwrap());
                assert_eq!(key(a).cmp(&key(b)), na.cmp(&nb), "{a} vs {b}");
            }
        }
        // A name's key is a prefix of the keys of the names below it.
        assert!(key("x.a.example").starts_with(&key("a.example")));
        assert!(!key("xa.example").starts_with(&key("a.example")));
        // The longest possible key fits.
        let long = ["\\001"; 127].join(".");
        assert_eq!(key(&long).len(), 127 * 3);
    }
}
