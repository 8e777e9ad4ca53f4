//! Canonical encoder: integers without leading zeros, dictionary keys sorted and
//! unique. Iterative, so deep values cannot overflow the stack.

use alloc::vec::Vec;

use super::owned::OwnedValue;
use super::value::{Dict, DictIter, List, ListIter, Token, Value};

/// Writes a value as canonical bencode.
///
/// Implemented for borrowed views ([`Value`], [`List`], [`Dict`]), for [`OwnedValue`],
/// and for integers and byte strings. Encoding a view of non-canonical input (decoded
/// in tolerant mode) canonicalises it: integers lose their leading zeros, keys are
/// sorted, and of duplicate keys the first occurrence is kept, matching lookups.
///
/// ```
/// use torrent_codec::bencode::{Decoder, Encode};
/// let decoded = Decoder::tolerant().decode(b"d1:bi007e1:ai1e1:bi2ee").unwrap();
/// assert_eq!(decoded.value.to_bencode(), b"d1:ai1e1:bi7ee");
/// ```
pub trait Encode {
    /// Appends the canonical encoding to `out`.
    fn encode_to(&self, out: &mut Vec<u8>);

    /// The canonical encoding in a new buffer.
    fn to_bencode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode_to(&mut out);
        out
    }
}

/// Appends `i<value>e`.
///
/// ```
/// let mut out = Vec::new();
/// torrent_codec::bencode::write_int(&mut out, -42);
/// assert_eq!(out, b"i-42e");
/// ```
pub fn write_int(out: &mut Vec<u8>, value: i64) {
    out.push(b'i');
    if value < 0 {
        out.push(b'-');
    }
    write_decimal(out, value.unsigned_abs());
    out.push(b'e');
}

/// Appends `<length>:<bytes>`.
///
/// ```
/// let mut out = Vec::new();
/// torrent_codec::bencode::write_bytes(&mut out, b"spam");
/// assert_eq!(out, b"4:spam");
/// ```
pub fn write_bytes(out: &mut Vec<u8>, bytes: &[u8]) {
    write_decimal(out, bytes.len() as u64);
    out.push(b':');
    out.extend_from_slice(bytes);
}

fn write_decimal(out: &mut Vec<u8>, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        if let Some(d) = digits.get_mut(i) {
            *d = b'0' + (n % 10) as u8;
        }
        n /= 10;
        if n == 0 || i == 0 {
            break;
        }
    }
    out.extend_from_slice(digits.get(i..).unwrap_or_default());
}

impl Encode for i64 {
    fn encode_to(&self, out: &mut Vec<u8>) {
        write_int(out, *self);
    }
}

impl Encode for [u8] {
    fn encode_to(&self, out: &mut Vec<u8>) {
        write_bytes(out, self);
    }
}

impl Encode for str {
    fn encode_to(&self, out: &mut Vec<u8>) {
        write_bytes(out, self.as_bytes());
    }
}

/// An open container while encoding a view.
enum ViewFrame<'a> {
    List(ListIter<'a>),
    /// A dictionary already in canonical key order: streamed without copying.
    Sorted(DictIter<'a>),
    /// A dictionary that needed sorting or de-duplication.
    Entries(alloc::vec::IntoIter<(&'a [u8], Value<'a>)>),
}

/// Keys strictly increasing?
fn canonical_order(d: &Dict<'_>) -> bool {
    if d.keys_sorted() {
        return true;
    }
    let mut prev: Option<&[u8]> = None;
    for k in d.keys() {
        if prev.is_some_and(|p| p >= k) {
            return false;
        }
        prev = Some(k);
    }
    true
}

fn open_view<'a>(v: Value<'a>, out: &mut Vec<u8>, stack: &mut Vec<ViewFrame<'a>>) {
    match v {
        Value::Integer { value, .. } => write_int(out, value),
        Value::Bytes { bytes, .. } => write_bytes(out, bytes),
        Value::List(l) => {
            out.push(b'l');
            stack.push(ViewFrame::List(l.iter()));
        }
        Value::Dict(d) => {
            out.push(b'd');
            if canonical_order(&d) {
                stack.push(ViewFrame::Sorted(d.iter()));
            } else {
                let mut entries: Vec<_> = d.iter().collect();
                // Stable: among equal keys the first occurrence stays first.
                entries.sort_by(|a, b| a.0.cmp(b.0));
                entries.dedup_by(|later, earlier| later.0 == earlier.0);
                stack.push(ViewFrame::Entries(entries.into_iter()));
            }
        }
    }
}

/// Writes a token stream canonically: integers and lengths without leading zeros.
/// Keys are written in stream order, so the stream must already be in canonical key
/// order.
fn encode_tokens<'a>(tokens: impl Iterator<Item = Token<'a>>, out: &mut Vec<u8>) {
    for token in tokens {
        match token {
            Token::Integer(i) => write_int(out, i),
            Token::Bytes(b) => write_bytes(out, b),
            Token::ListStart => out.push(b'l'),
            Token::DictStart => out.push(b'd'),
            Token::End => out.push(b'e'),
        }
    }
}

impl Encode for Value<'_> {
    /// Linear in the input when its keys are known sorted (strict decoding, or tolerant
    /// decoding that tolerated no key-order deviation). Otherwise each dictionary's
    /// entries are collected, sorted and de-duplicated, and nested containers are
    /// re-scanned once per enclosing level: bounded by the depth limit.
    fn encode_to(&self, out: &mut Vec<u8>) {
        if self.keys_sorted() {
            encode_tokens(self.tokens(), out);
            return;
        }
        let mut stack = Vec::new();
        open_view(*self, out, &mut stack);
        while let Some(top) = stack.last_mut() {
            let next = match top {
                ViewFrame::List(it) => it.next().map(|v| (None, v)),
                ViewFrame::Sorted(it) => it.next().map(|(k, v)| (Some(k), v)),
                ViewFrame::Entries(it) => it.next().map(|(k, v)| (Some(k), v)),
            };
            match next {
                Some((key, value)) => {
                    if let Some(k) = key {
                        write_bytes(out, k);
                    }
                    open_view(value, out, &mut stack);
                }
                None => {
                    out.push(b'e');
                    stack.pop();
                }
            }
        }
    }
}

impl Encode for List<'_> {
    fn encode_to(&self, out: &mut Vec<u8>) {
        Value::List(*self).encode_to(out);
    }
}

impl Encode for Dict<'_> {
    fn encode_to(&self, out: &mut Vec<u8>) {
        Value::Dict(*self).encode_to(out);
    }
}

impl Encode for OwnedValue {
    fn encode_to(&self, out: &mut Vec<u8>) {
        encode_tokens(self.tokens(), out);
    }
}

impl Encode for Vec<u8> {
    fn encode_to(&self, out: &mut Vec<u8>) {
        write_bytes(out, self);
    }
}

impl<const N: usize> Encode for [u8; N] {
    fn encode_to(&self, out: &mut Vec<u8>) {
        write_bytes(out, self);
    }
}

impl Encode for alloc::string::String {
    fn encode_to(&self, out: &mut Vec<u8>) {
        write_bytes(out, self.as_bytes());
    }
}

impl<T: Encode + ?Sized> Encode for &T {
    fn encode_to(&self, out: &mut Vec<u8>) {
        (**self).encode_to(out);
    }
}
