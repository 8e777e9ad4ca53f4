//! Borrowed views over validated bencode.
//!
//! Views are only made by the decoder, over input it has validated, so reading them
//! never fails; the readers below still treat every index as fallible, so a broken
//! invariant ends an iteration early instead of panicking.

use alloc::vec::Vec;
use core::fmt;

use super::owned::OwnedValue;

/// A bencode value borrowed from the input it was decoded from.
///
/// Every value keeps its exact byte span ([`Value::raw`]), so hashes over the input
/// (the info-hash of a torrent's `info` dictionary) use the original bytes, never a
/// re-encoding. Lists and dictionaries are read lazily from that span: walking them
/// allocates nothing.
///
/// Equality is structural: an integer equals another with the same value, whatever the
/// digits were; dictionaries compare entry by entry in input order.
///
/// ```
/// use torrent_codec::bencode::{decode, Value};
/// let v = decode(b"l4:spami42ee").unwrap();
/// let items: Vec<Value<'_>> = v.as_list().unwrap().iter().collect();
/// assert_eq!(items[0].as_bytes(), Some(&b"spam"[..]));
/// assert_eq!(items[1].as_int(), Some(42));
/// assert_eq!(items[1].raw(), b"i42e");
/// ```
#[derive(Clone, Copy)]
pub enum Value<'a> {
    /// `i<digits>e`.
    Integer {
        /// The value.
        value: i64,
        /// The whole encoded integer, `i` to `e`.
        raw: &'a [u8],
    },
    /// `<length>:<bytes>`.
    Bytes {
        /// The contents.
        bytes: &'a [u8],
        /// The whole encoded string, length prefix included.
        raw: &'a [u8],
    },
    /// `l<values>e`.
    List(List<'a>),
    /// `d<key><value>...e`.
    Dict(Dict<'a>),
}

/// The kind of a [`Value`], for messages and dispatch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// An integer.
    Integer,
    /// A byte string.
    Bytes,
    /// A list.
    List,
    /// A dictionary.
    Dict,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Integer => "integer",
            Kind::Bytes => "byte string",
            Kind::List => "list",
            Kind::Dict => "dictionary",
        })
    }
}

/// One step of a depth-first walk over a value: see [`Value::tokens`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Token<'a> {
    /// An integer.
    Integer(i64),
    /// A byte string: a value, or a key when it stands at an even position inside a
    /// dictionary.
    Bytes(&'a [u8]),
    /// The start of a list; its items follow, then [`Token::End`].
    ListStart,
    /// The start of a dictionary; keys and values alternate, then [`Token::End`].
    DictStart,
    /// The end of the innermost open list or dictionary.
    End,
}

/// Depth-first walk over a validated value, one [`Token`] at a time: a single cursor
/// over the input, so a whole walk costs time linear in the input, needs no stack and
/// allocates nothing, however deep the nesting.
#[derive(Clone, Debug)]
pub struct Tokens<'a> {
    raw: &'a [u8],
    pos: usize,
    depth: usize,
    done: bool,
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Token<'a>;

    #[inline]
    fn next(&mut self) -> Option<Token<'a>> {
        if self.done {
            return None;
        }
        let token = match *self.raw.get(self.pos)? {
            b'l' => {
                self.pos += 1;
                self.depth += 1;
                Token::ListStart
            }
            b'd' => {
                self.pos += 1;
                self.depth += 1;
                Token::DictStart
            }
            b'e' => {
                self.pos += 1;
                self.depth = self.depth.saturating_sub(1);
                Token::End
            }
            b'i' => {
                let (value, end) = int_at(self.raw, self.pos)?;
                self.pos = end;
                Token::Integer(value)
            }
            _ => {
                let (bytes, end) = bytes_at(self.raw, self.pos)?;
                self.pos = end;
                Token::Bytes(bytes)
            }
        };
        self.done = self.depth == 0;
        Some(token)
    }
}

impl core::iter::FusedIterator for Tokens<'_> {}

/// A bencode list borrowed from its input; iterate it with [`List::iter`].
#[derive(Clone, Copy)]
pub struct List<'a> {
    raw: &'a [u8],
    sorted: bool,
}

/// A bencode dictionary borrowed from its input.
///
/// Keys are byte strings. In input decoded strictly they are unique and sorted, and
/// [`Dict::get`] stops as soon as it passes where the key would be. Input decoded in
/// tolerant mode may hold unsorted or duplicate keys; lookups then scan the whole
/// dictionary and return the first occurrence, as libtorrent does.
#[derive(Clone, Copy)]
pub struct Dict<'a> {
    raw: &'a [u8],
    sorted: bool,
}

impl<'a> Value<'a> {
    /// The exact bytes this value was decoded from.
    pub fn raw(&self) -> &'a [u8] {
        match *self {
            Value::Integer { raw, .. } | Value::Bytes { raw, .. } => raw,
            Value::List(l) => l.raw,
            Value::Dict(d) => d.raw,
        }
    }

    /// Which kind of value this is.
    pub fn kind(&self) -> Kind {
        match self {
            Value::Integer { .. } => Kind::Integer,
            Value::Bytes { .. } => Kind::Bytes,
            Value::List(_) => Kind::List,
            Value::Dict(_) => Kind::Dict,
        }
    }

    /// Walks the value depth-first as [`Token`]s, in input order (duplicate keys
    /// included), without recursion or allocation.
    ///
    /// ```
    /// use torrent_codec::bencode::{decode, Token};
    /// let v = decode(b"d1:ali1eee").unwrap();
    /// let tokens: Vec<Token<'_>> = v.tokens().collect();
    /// assert_eq!(
    ///     tokens,
    ///     [Token::DictStart, Token::Bytes(b"a"), Token::ListStart, Token::Integer(1), Token::End, Token::End]
    /// );
    /// ```
    pub fn tokens(&self) -> Tokens<'a> {
        Tokens {
            raw: self.raw(),
            pos: 0,
            depth: 0,
            done: false,
        }
    }

    /// True when every dictionary inside is known to have unique, sorted keys (see
    /// [`Dict::keys_sorted`]); always true for scalars.
    pub(super) fn keys_sorted(&self) -> bool {
        match self {
            Value::List(l) => l.sorted,
            Value::Dict(d) => d.sorted,
            _ => true,
        }
    }

    /// The integer, if this is one.
    pub fn as_int(&self) -> Option<i64> {
        match *self {
            Value::Integer { value, .. } => Some(value),
            _ => None,
        }
    }

    /// The byte string's contents, if this is one.
    pub fn as_bytes(&self) -> Option<&'a [u8]> {
        match *self {
            Value::Bytes { bytes, .. } => Some(bytes),
            _ => None,
        }
    }

    /// The byte string as UTF-8 text, if this is a byte string holding valid UTF-8.
    pub fn as_str(&self) -> Option<&'a str> {
        self.as_bytes().and_then(|b| core::str::from_utf8(b).ok())
    }

    /// The list, if this is one.
    pub fn as_list(&self) -> Option<List<'a>> {
        match *self {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    /// The dictionary, if this is one.
    pub fn as_dict(&self) -> Option<Dict<'a>> {
        match *self {
            Value::Dict(d) => Some(d),
            _ => None,
        }
    }

    /// Looks `key` up if this is a dictionary.
    ///
    /// ```
    /// let v = torrent_codec::bencode::decode(b"d1:ai1ee").unwrap();
    /// assert_eq!(v.get(b"a").and_then(|a| a.as_int()), Some(1));
    /// assert!(v.get(b"b").is_none());
    /// ```
    pub fn get(&self, key: &[u8]) -> Option<Value<'a>> {
        self.as_dict().and_then(|d| d.get(key))
    }

    /// Copies this value into an [`OwnedValue`] that outlives the input. Duplicate keys
    /// keep their first occurrence; unsorted keys come out sorted. Iterative and linear
    /// in the input: deep values cannot overflow the stack.
    pub fn to_owned_value(&self) -> OwnedValue {
        OwnedValue::from_tokens(self.tokens())
    }
}

impl<'a> List<'a> {
    /// The exact bytes of the list, `l` to `e`.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// Iterates over the items in order.
    pub fn iter(&self) -> ListIter<'a> {
        ListIter {
            raw: self.raw,
            pos: 1,
            sorted: self.sorted,
        }
    }

    /// Counts the items (walks the list).
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// True if the list has no items.
    pub fn is_empty(&self) -> bool {
        self.raw.len() <= 2
    }

    /// The item at `index` (walks the list up to it).
    pub fn get(&self, index: usize) -> Option<Value<'a>> {
        self.iter().nth(index)
    }
}

impl<'a> IntoIterator for List<'a> {
    type Item = Value<'a>;
    type IntoIter = ListIter<'a>;
    fn into_iter(self) -> ListIter<'a> {
        self.iter()
    }
}

impl<'a> IntoIterator for &List<'a> {
    type Item = Value<'a>;
    type IntoIter = ListIter<'a>;
    fn into_iter(self) -> ListIter<'a> {
        self.iter()
    }
}

/// Iterator over a [`List`]'s items.
#[derive(Clone, Debug)]
pub struct ListIter<'a> {
    raw: &'a [u8],
    pos: usize,
    sorted: bool,
}

impl<'a> Iterator for ListIter<'a> {
    type Item = Value<'a>;

    #[inline]
    fn next(&mut self) -> Option<Value<'a>> {
        if self.raw.get(self.pos).is_none_or(|&b| b == b'e') {
            return None;
        }
        let (value, next) = value_at(self.raw, self.pos, self.sorted)?;
        self.pos = next;
        Some(value)
    }
}

impl core::iter::FusedIterator for ListIter<'_> {}

impl<'a> Dict<'a> {
    /// The exact bytes of the dictionary, `d` to `e`.
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// Iterates over `(key, value)` entries in input order.
    pub fn iter(&self) -> DictIter<'a> {
        DictIter {
            raw: self.raw,
            pos: 1,
            sorted: self.sorted,
        }
    }

    /// Iterates over the keys in input order.
    pub fn keys(&self) -> impl Iterator<Item = &'a [u8]> + use<'a> {
        self.iter().map(|(k, _)| k)
    }

    /// Counts the entries (walks the dictionary).
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// True if the dictionary has no entries.
    pub fn is_empty(&self) -> bool {
        self.raw.len() <= 2
    }

    /// True when every dictionary of the decoded input is known to have unique, sorted
    /// keys: always after a strict decode, and after a tolerant one that tolerated no
    /// unsorted or duplicate key. The flag is per decode, not per dictionary: one
    /// tolerated key-order deviation anywhere makes it false everywhere, and lookups
    /// then scan whole dictionaries.
    pub fn keys_sorted(&self) -> bool {
        self.sorted
    }

    /// The value of `key`: the first occurrence if the key is duplicated.
    ///
    /// ```
    /// let v = torrent_codec::bencode::decode(b"d3:bar4:spam3:fooi42ee").unwrap();
    /// let d = v.as_dict().unwrap();
    /// assert_eq!(d.get(b"foo").and_then(|f| f.as_int()), Some(42));
    /// assert_eq!(d.get_str(b"bar"), Some("spam"));
    /// assert_eq!(d.get_int(b"bar"), None, "present, but not an integer");
    /// ```
    pub fn get(&self, key: &[u8]) -> Option<Value<'a>> {
        let mut it = self.iter();
        while let Some((k, v)) = it.next_entry_for(key) {
            match k.cmp(key) {
                core::cmp::Ordering::Equal => return Some(v),
                core::cmp::Ordering::Greater if self.sorted => return None,
                _ => {}
            }
        }
        None
    }

    /// True if `key` is present.
    pub fn contains_key(&self, key: &[u8]) -> bool {
        self.get(key).is_some()
    }

    /// The integer at `key`, if present and an integer.
    pub fn get_int(&self, key: &[u8]) -> Option<i64> {
        self.get(key).and_then(|v| v.as_int())
    }

    /// The byte string at `key`, if present and a byte string.
    pub fn get_bytes(&self, key: &[u8]) -> Option<&'a [u8]> {
        self.get(key).and_then(|v| v.as_bytes())
    }

    /// The UTF-8 text at `key`, if present and a valid UTF-8 byte string.
    pub fn get_str(&self, key: &[u8]) -> Option<&'a str> {
        self.get(key).and_then(|v| v.as_str())
    }

    /// The list at `key`, if present and a list.
    pub fn get_list(&self, key: &[u8]) -> Option<List<'a>> {
        self.get(key).and_then(|v| v.as_list())
    }

    /// The dictionary at `key`, if present and a dictionary.
    pub fn get_dict(&self, key: &[u8]) -> Option<Dict<'a>> {
        self.get(key).and_then(|v| v.as_dict())
    }
}

impl<'a> IntoIterator for Dict<'a> {
    type Item = (&'a [u8], Value<'a>);
    type IntoIter = DictIter<'a>;
    fn into_iter(self) -> DictIter<'a> {
        self.iter()
    }
}

impl<'a> IntoIterator for &Dict<'a> {
    type Item = (&'a [u8], Value<'a>);
    type IntoIter = DictIter<'a>;
    fn into_iter(self) -> DictIter<'a> {
        self.iter()
    }
}

/// Iterator over a [`Dict`]'s `(key, value)` entries in input order.
#[derive(Clone, Debug)]
pub struct DictIter<'a> {
    raw: &'a [u8],
    pos: usize,
    sorted: bool,
}

impl<'a> DictIter<'a> {
    /// Reads the next entry; the value is only decoded (containers: skipped over) when
    /// its key equals `wanted`, which keeps lookups cheap.
    #[inline]
    fn next_entry_for(&mut self, wanted: &[u8]) -> Option<(&'a [u8], Value<'a>)> {
        if self.raw.get(self.pos).is_none_or(|&b| b == b'e') {
            return None;
        }
        let (key, value_pos) = bytes_at(self.raw, self.pos)?;
        if key != wanted {
            self.pos = skip_value(self.raw, value_pos)?;
            return Some((key, EMPTY_LIST));
        }
        let (value, next) = value_at(self.raw, value_pos, self.sorted)?;
        self.pos = next;
        Some((key, value))
    }
}

/// Placeholder value handed back with keys that did not match a lookup; never leaves
/// this module.
const EMPTY_LIST: Value<'static> = Value::List(List {
    raw: b"le",
    sorted: true,
});

impl<'a> Iterator for DictIter<'a> {
    type Item = (&'a [u8], Value<'a>);

    #[inline]
    fn next(&mut self) -> Option<Self::Item> {
        if self.raw.get(self.pos).is_none_or(|&b| b == b'e') {
            return None;
        }
        let (key, value_pos) = bytes_at(self.raw, self.pos)?;
        let (value, next) = value_at(self.raw, value_pos, self.sorted)?;
        self.pos = next;
        Some((key, value))
    }
}

impl core::iter::FusedIterator for DictIter<'_> {}

/// Reads the validated byte string starting at `pos`: its contents and the offset
/// after it. Lengths are a few digits: an inline loop.
#[inline]
fn bytes_at(buf: &[u8], pos: usize) -> Option<(&[u8], usize)> {
    let mut p = pos;
    let mut len = 0usize;
    loop {
        let c = *buf.get(p)?;
        p += 1;
        if c == b':' {
            break;
        }
        // Validated input: the digits fit (the length is at most the input size).
        len = len
            .wrapping_mul(10)
            .wrapping_add(usize::from(c.wrapping_sub(b'0')));
    }
    let end = p.checked_add(len)?;
    Some((buf.get(p..end)?, end))
}

/// The offset of the `e` ending the integer whose `i` is at `pos`.
#[inline]
fn int_end(buf: &[u8], pos: usize) -> Option<usize> {
    let mut p = pos + 1;
    while *buf.get(p)? != b'e' {
        p += 1;
    }
    Some(p)
}

/// Reads the validated integer whose `i` is at `pos`: its value and the offset after
/// its `e`.
#[inline]
fn int_at(buf: &[u8], pos: usize) -> Option<(i64, usize)> {
    let e = int_end(buf, pos)?;
    let digits = buf.get(pos + 1..e)?;
    let (negative, digits) = match digits.split_first() {
        Some((b'-', d)) => (true, d),
        _ => (false, digits),
    };
    // Accumulate negatively so i64::MIN parses without overflow.
    let mut value: i64 = 0;
    for &d in digits {
        value = value
            .checked_mul(10)?
            .checked_sub(i64::from(d.wrapping_sub(b'0')))?;
    }
    if !negative {
        value = value.checked_neg()?;
    }
    Some((value, e + 1))
}

/// Reads the validated value starting at `pos` of `buf`: the view and the offset after it.
#[inline]
pub(super) fn value_at(buf: &[u8], pos: usize, sorted: bool) -> Option<(Value<'_>, usize)> {
    match *buf.get(pos)? {
        b'i' => {
            let (value, end) = int_at(buf, pos)?;
            Some((
                Value::Integer {
                    value,
                    raw: buf.get(pos..end)?,
                },
                end,
            ))
        }
        b'l' | b'd' => {
            let end = skip_value(buf, pos)?;
            let raw = buf.get(pos..end)?;
            let v = if buf.get(pos) == Some(&b'l') {
                Value::List(List { raw, sorted })
            } else {
                Value::Dict(Dict { raw, sorted })
            };
            Some((v, end))
        }
        _ => {
            let (bytes, end) = bytes_at(buf, pos)?;
            Some((
                Value::Bytes {
                    bytes,
                    raw: buf.get(pos..end)?,
                },
                end,
            ))
        }
    }
}

/// The offset just after the validated value starting at `pos`. Containers are skipped
/// with a depth counter, without recursion.
#[inline]
fn skip_value(buf: &[u8], mut pos: usize) -> Option<usize> {
    let mut depth = 0usize;
    loop {
        match *buf.get(pos)? {
            b'l' | b'd' => {
                depth += 1;
                pos += 1;
                continue;
            }
            b'e' => {
                depth = depth.checked_sub(1)?;
                pos += 1;
            }
            b'i' => pos = int_end(buf, pos)? + 1,
            _ => pos = bytes_at(buf, pos)?.1,
        }
        if depth == 0 {
            return Some(pos);
        }
    }
}

impl PartialEq for Value<'_> {
    /// Structural equality in input order (integers by value, byte strings by content,
    /// dictionary entries pairwise), compared token by token: linear, no recursion.
    fn eq(&self, other: &Self) -> bool {
        self.raw() == other.raw() || self.tokens().eq(other.tokens())
    }
}

impl Eq for Value<'_> {}

impl PartialEq for List<'_> {
    fn eq(&self, other: &Self) -> bool {
        Value::List(*self) == Value::List(*other)
    }
}

impl Eq for List<'_> {}

impl PartialEq for Dict<'_> {
    fn eq(&self, other: &Self) -> bool {
        Value::Dict(*self) == Value::Dict(*other)
    }
}

impl Eq for Dict<'_> {}

impl PartialEq<OwnedValue> for Value<'_> {
    /// Compares by meaning: a view of a dictionary with unsorted or duplicate keys
    /// equals the owned dictionary holding the first occurrence of each key.
    fn eq(&self, other: &OwnedValue) -> bool {
        if self.keys_sorted() {
            self.tokens().eq(other.tokens())
        } else {
            self.to_owned_value() == *other
        }
    }
}

impl PartialEq<Value<'_>> for OwnedValue {
    fn eq(&self, other: &Value<'_>) -> bool {
        other == self
    }
}

/// Writes a byte string as text when it is printable UTF-8, else escaped.
pub(super) struct ShowBytes<'a>(pub(super) &'a [u8]);

impl fmt::Debug for ShowBytes<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match core::str::from_utf8(self.0) {
            Ok(s) if !s.chars().any(char::is_control) => fmt::Debug::fmt(s, f),
            _ => write!(f, "b\"{}\"", self.0.escape_ascii()),
        }
    }
}

/// Formats a token stream as `{"key": [1, "text"]}`, iteratively (the stack of open
/// containers is a `Vec`, not the call stack).
pub(super) fn fmt_tokens<'a>(
    tokens: impl Iterator<Item = Token<'a>>,
    f: &mut fmt::Formatter<'_>,
) -> fmt::Result {
    // (is a dictionary, items written so far) per open container.
    let mut open: Vec<(bool, usize)> = Vec::new();
    for token in tokens {
        if token != Token::End
            && let Some((is_dict, n)) = open.last_mut()
        {
            match (*is_dict, *n) {
                (_, 0) => {}
                (true, n) if n % 2 == 1 => f.write_str(": ")?,
                _ => f.write_str(", ")?,
            }
            *n += 1;
        }
        match token {
            Token::Integer(i) => write!(f, "{i}")?,
            Token::Bytes(b) => fmt::Debug::fmt(&ShowBytes(b), f)?,
            Token::ListStart => {
                f.write_str("[")?;
                open.push((false, 0));
            }
            Token::DictStart => {
                f.write_str("{")?;
                open.push((true, 0));
            }
            Token::End => {
                let closing = match open.pop() {
                    Some((true, _)) => "}",
                    _ => "]",
                };
                f.write_str(closing)?;
            }
        }
    }
    Ok(())
}

impl fmt::Debug for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_tokens(self.tokens(), f)
    }
}

impl fmt::Debug for List<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&Value::List(*self), f)
    }
}

impl fmt::Debug for Dict<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&Value::Dict(*self), f)
    }
}
