//! Owned bencode values, for data that must outlive its input or is built by hand.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use super::value::{Kind, ShowBytes};

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
/// Dropping a very deeply nested `OwnedValue` recurses once per level, as any nested
/// `Vec` does; values produced by the decoder are bounded by its depth limit.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
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
        match self {
            OwnedValue::Integer(i) => fmt::Debug::fmt(i, f),
            OwnedValue::Bytes(b) => fmt::Debug::fmt(&ShowBytes(b), f),
            OwnedValue::List(l) => f.debug_list().entries(l).finish(),
            OwnedValue::Dict(d) => f
                .debug_map()
                .entries(d.iter().map(|(k, v)| (ShowBytes(k), v)))
                .finish(),
        }
    }
}
