//! Owned bencode values, for data that must outlive its input or is built by hand.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use super::value::{Kind, Token, fmt_tokens};

/// A bencode value that owns its data. Dictionaries are `BTreeMap`s, so keys are
/// unique and iterate in the sorted order canonical bencode needs.
///
/// Build one by hand or with [`Value::to_owned_value`](super::Value::to_owned_value),
/// and write it with [`Encode`](super::Encode).
///
/// ```
/// use std::collections::BTreeMap;
/// use torrent_codec::bencode::{Encode, OwnedValue};
/// let mut dict = BTreeMap::new();
/// dict.insert(b"spam".to_vec(), OwnedValue::from("eggs"));
/// dict.insert(b"cow".to_vec(), OwnedValue::from(vec![OwnedValue::from(1), OwnedValue::from("moo")]));
/// assert_eq!(OwnedValue::Dict(dict).to_bencode(), b"d3:cowli1e3:mooe4:spam4:eggse");
/// ```
///
/// Encoding, comparing (`==`), formatting (`{:?}`), [`OwnedValue::tokens`] and
/// building from a view are iterative. `Clone` and `Drop` recurse once per nesting
/// level, as for any nested `Vec`: values from the decoder are bounded by its depth
/// limit (default 100), but do not build owned values nested tens of thousands deep.
#[derive(Clone)]
pub enum OwnedValue {
    /// An integer.
    Integer(i64),
    /// A byte string.
    Bytes(Vec<u8>),
    /// A list.
    List(Vec<OwnedValue>),
    /// A dictionary with unique, sorted keys.
    Dict(BTreeMap<Vec<u8>, OwnedValue>),
}

impl OwnedValue {
    /// Which kind of value this is.
    pub fn kind(&self) -> Kind {
        match self {
            OwnedValue::Integer(_) => Kind::Integer,
            OwnedValue::Bytes(_) => Kind::Bytes,
            OwnedValue::List(_) => Kind::List,
            OwnedValue::Dict(_) => Kind::Dict,
        }
    }

    /// The integer, if this is one.
    pub fn as_int(&self) -> Option<i64> {
        match *self {
            OwnedValue::Integer(i) => Some(i),
            _ => None,
        }
    }

    /// The byte string, if this is one.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            OwnedValue::Bytes(b) => Some(b),
            _ => None,
        }
    }

    /// The byte string as UTF-8 text, if it is one and valid UTF-8.
    pub fn as_str(&self) -> Option<&str> {
        self.as_bytes().and_then(|b| core::str::from_utf8(b).ok())
    }

    /// The list's items, if this is a list.
    pub fn as_list(&self) -> Option<&[OwnedValue]> {
        match self {
            OwnedValue::List(l) => Some(l),
            _ => None,
        }
    }

    /// The dictionary, if this is one.
    pub fn as_dict(&self) -> Option<&BTreeMap<Vec<u8>, OwnedValue>> {
        match self {
            OwnedValue::Dict(d) => Some(d),
            _ => None,
        }
    }

    /// Looks `key` up if this is a dictionary.
    pub fn get(&self, key: &[u8]) -> Option<&OwnedValue> {
        self.as_dict().and_then(|d| d.get(key))
    }
}

impl OwnedValue {
    /// Walks the value depth-first as [`Token`]s (dictionaries in key order), without
    /// recursion.
    pub fn tokens(&self) -> OwnedTokens<'_> {
        OwnedTokens {
            stack: Vec::new(),
            next: Some(self),
        }
    }

    /// Builds a value from a well-formed token stream (as [`Value::tokens`] yields);
    /// of duplicate keys the first occurrence is kept. Linear and iterative.
    ///
    /// [`Value::tokens`]: super::Value::tokens
    pub(super) fn from_tokens<'a>(tokens: impl Iterator<Item = Token<'a>>) -> OwnedValue {
        enum Open {
            List(Vec<OwnedValue>),
            Dict(BTreeMap<Vec<u8>, OwnedValue>, Option<Vec<u8>>),
        }
        let mut stack: Vec<Open> = Vec::new();
        for token in tokens {
            let done = match token {
                Token::Integer(i) => OwnedValue::Integer(i),
                Token::Bytes(b) => {
                    if let Some(Open::Dict(_, key @ None)) = stack.last_mut() {
                        *key = Some(b.to_vec());
                        continue;
                    }
                    OwnedValue::Bytes(b.to_vec())
                }
                Token::ListStart => {
                    stack.push(Open::List(Vec::new()));
                    continue;
                }
                Token::DictStart => {
                    stack.push(Open::Dict(BTreeMap::new(), None));
                    continue;
                }
                Token::End => match stack.pop() {
                    Some(Open::List(items)) => OwnedValue::List(items),
                    Some(Open::Dict(map, _)) => OwnedValue::Dict(map),
                    None => continue,
                },
            };
            match stack.last_mut() {
                None => return done,
                Some(Open::List(items)) => items.push(done),
                Some(Open::Dict(map, key)) => {
                    if let Some(k) = key.take() {
                        map.entry(k).or_insert(done);
                    }
                }
            }
        }
        // Only reached with a truncated stream; views always yield complete ones.
        match stack.into_iter().next() {
            Some(Open::List(items)) => OwnedValue::List(items),
            Some(Open::Dict(map, _)) => OwnedValue::Dict(map),
            None => OwnedValue::List(Vec::new()),
        }
    }
}

/// Depth-first walk over an [`OwnedValue`]: see [`OwnedValue::tokens`].
#[derive(Debug, Clone)]
pub struct OwnedTokens<'a> {
    stack: Vec<OwnedFrame<'a>>,
    next: Option<&'a OwnedValue>,
}

#[derive(Debug, Clone)]
enum OwnedFrame<'a> {
    List(core::slice::Iter<'a, OwnedValue>),
    Dict(alloc::collections::btree_map::Iter<'a, Vec<u8>, OwnedValue>),
}

impl<'a> OwnedTokens<'a> {
    fn open(&mut self, v: &'a OwnedValue) -> Token<'a> {
        match v {
            OwnedValue::Integer(i) => Token::Integer(*i),
            OwnedValue::Bytes(b) => Token::Bytes(b),
            OwnedValue::List(l) => {
                self.stack.push(OwnedFrame::List(l.iter()));
                Token::ListStart
            }
            OwnedValue::Dict(d) => {
                self.stack.push(OwnedFrame::Dict(d.iter()));
                Token::DictStart
            }
        }
    }
}

impl<'a> Iterator for OwnedTokens<'a> {
    type Item = Token<'a>;

    fn next(&mut self) -> Option<Token<'a>> {
        if let Some(v) = self.next.take() {
            return Some(self.open(v));
        }
        let step = match self.stack.last_mut()? {
            OwnedFrame::List(it) => it.next().map(|v| (None, v)),
            OwnedFrame::Dict(it) => it.next().map(|(k, v)| (Some(k), v)),
        };
        match step {
            Some((None, v)) => Some(self.open(v)),
            Some((Some(k), v)) => {
                self.next = Some(v);
                Some(Token::Bytes(k))
            }
            None => {
                self.stack.pop();
                Some(Token::End)
            }
        }
    }
}

impl PartialEq for OwnedValue {
    /// Structural equality, compared token by token without recursion.
    fn eq(&self, other: &Self) -> bool {
        self.tokens().eq(other.tokens())
    }
}

impl Eq for OwnedValue {}

impl From<i64> for OwnedValue {
    fn from(v: i64) -> Self {
        OwnedValue::Integer(v)
    }
}

impl From<Vec<u8>> for OwnedValue {
    fn from(v: Vec<u8>) -> Self {
        OwnedValue::Bytes(v)
    }
}

impl From<&[u8]> for OwnedValue {
    fn from(v: &[u8]) -> Self {
        OwnedValue::Bytes(v.to_vec())
    }
}

impl From<&str> for OwnedValue {
    fn from(v: &str) -> Self {
        OwnedValue::Bytes(v.as_bytes().to_vec())
    }
}

impl From<String> for OwnedValue {
    fn from(v: String) -> Self {
        OwnedValue::Bytes(v.into_bytes())
    }
}

impl From<Vec<OwnedValue>> for OwnedValue {
    fn from(v: Vec<OwnedValue>) -> Self {
        OwnedValue::List(v)
    }
}

impl From<BTreeMap<Vec<u8>, OwnedValue>> for OwnedValue {
    fn from(v: BTreeMap<Vec<u8>, OwnedValue>) -> Self {
        OwnedValue::Dict(v)
    }
}

impl fmt::Debug for OwnedValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt_tokens(self.tokens(), f)
    }
}
