//! Errors and tolerated deviations reported by the bencode decoder.

use core::fmt;

/// Why a bencode input was rejected.
///
/// Every variant carries the byte offset (from the start of the input given to the
/// decoder) where the problem was found. Offsets of value-level problems point at the
/// first byte of the offending value (the `i` of an integer, the first digit of a byte
/// string's length); offsets of byte-level problems point at the offending byte.
///
/// [`Error::is_incomplete`] tells truncation (more input could make it valid) apart from
/// malformed input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The input ended before the value starting earlier was complete.
    #[error("input ends at offset {offset} before the value is complete")]
    UnexpectedEof {
        /// Where more input was needed (the input length).
        offset: usize,
    },
    /// A byte string declares more bytes than remain in the input.
    #[error("byte string at offset {offset} declares {declared} bytes but only {available} remain")]
    LengthPastEnd {
        /// Offset of the first digit of the length.
        offset: usize,
        /// The declared length (saturated at `u64::MAX`).
        declared: u64,
        /// Bytes available after the `:`.
        available: usize,
    },
    /// A byte that cannot start a value where a value was expected.
    #[error("byte {byte:#04x} at offset {offset} cannot start a bencode value")]
    UnexpectedByte {
        /// Offset of the byte.
        offset: usize,
        /// The byte found.
        byte: u8,
    },
    /// An integer with no digits (`ie`, `i-e`).
    #[error("integer at offset {offset} has no digits")]
    EmptyInteger {
        /// Offset of the `i`.
        offset: usize,
    },
    /// A byte other than a digit or the closing `e` inside an integer.
    #[error("invalid byte {byte:#04x} inside the integer at offset {offset}")]
    InvalidInteger {
        /// Offset of the invalid byte.
        offset: usize,
        /// The byte found.
        byte: u8,
    },
    /// An integer written with a leading zero (`i03e`); BEP 3 forbids it.
    #[error("integer at offset {offset} has a leading zero")]
    IntegerLeadingZero {
        /// Offset of the `i`.
        offset: usize,
    },
    /// `i-0e`: BEP 3 forbids negative zero.
    #[error("integer at offset {offset} is negative zero")]
    NegativeZero {
        /// Offset of the `i`.
        offset: usize,
    },
    /// An integer outside the signed 64-bit range.
    #[error("integer at offset {offset} does not fit in a signed 64-bit integer")]
    IntegerOverflow {
        /// Offset of the `i`.
        offset: usize,
    },
    /// A byte other than a digit or `:` inside a byte string's length.
    #[error("invalid byte {byte:#04x} in the byte-string length at offset {offset}")]
    InvalidLength {
        /// Offset of the invalid byte.
        offset: usize,
        /// The byte found.
        byte: u8,
    },
    /// A byte-string length written with a leading zero (`03:abc`).
    #[error("byte-string length at offset {offset} has a leading zero")]
    LengthLeadingZero {
        /// Offset of the first digit.
        offset: usize,
    },
    /// A dictionary key that is not a byte string.
    #[error("dictionary key at offset {offset} is not a byte string")]
    NonStringKey {
        /// Offset of the key's first byte.
        offset: usize,
    },
    /// A dictionary ends after a key, before its value.
    #[error("dictionary ends at offset {offset} after a key with no value")]
    MissingValue {
        /// Offset of the `e`.
        offset: usize,
    },
    /// A dictionary key that sorts before the key preceding it (BEP 3 requires sorted keys).
    #[error("dictionary key at offset {offset} is not in sorted order")]
    UnsortedKey {
        /// Offset of the key.
        offset: usize,
    },
    /// A dictionary key equal to the key preceding it.
    #[error("dictionary key at offset {offset} duplicates the previous key")]
    DuplicateKey {
        /// Offset of the key.
        offset: usize,
    },
    /// Bytes follow the top-level value.
    #[error("{len} trailing bytes after the top-level value, at offset {offset}")]
    TrailingBytes {
        /// Offset of the first trailing byte.
        offset: usize,
        /// How many bytes follow the value.
        len: usize,
    },
    /// More nested lists and dictionaries than [`Limits::max_depth`](super::Limits::max_depth).
    #[error("nesting deeper than the limit of {limit} at offset {offset}")]
    DepthLimit {
        /// Offset of the container that went past the limit.
        offset: usize,
        /// The limit in force.
        limit: usize,
    },
    /// More values than [`Limits::max_items`](super::Limits::max_items).
    #[error("more than the limit of {limit} items, at offset {offset}")]
    ItemLimit {
        /// Offset of the first item past the limit.
        offset: usize,
        /// The limit in force.
        limit: usize,
    },
}

impl Error {
    /// The byte offset where the problem was found.
    pub fn offset(&self) -> usize {
        match *self {
            Error::UnexpectedEof { offset }
            | Error::LengthPastEnd { offset, .. }
            | Error::UnexpectedByte { offset, .. }
            | Error::EmptyInteger { offset }
            | Error::InvalidInteger { offset, .. }
            | Error::IntegerLeadingZero { offset }
            | Error::NegativeZero { offset }
            | Error::IntegerOverflow { offset }
            | Error::InvalidLength { offset, .. }
            | Error::LengthLeadingZero { offset }
            | Error::NonStringKey { offset }
            | Error::MissingValue { offset }
            | Error::UnsortedKey { offset }
            | Error::DuplicateKey { offset }
            | Error::TrailingBytes { offset, .. }
            | Error::DepthLimit { offset, .. }
            | Error::ItemLimit { offset, .. } => offset,
        }
    }

    /// True when the input is a valid prefix that was cut short: appending more bytes
    /// could make it decode. A streaming caller reads more input and tries again.
    ///
    /// ```
    /// use torrent_codec::bencode::decode;
    /// assert!(decode(b"d3:foo").unwrap_err().is_incomplete());
    /// assert!(decode(b"5:abc").unwrap_err().is_incomplete());
    /// assert!(!decode(b"i1x").unwrap_err().is_incomplete());
    /// ```
    pub fn is_incomplete(&self) -> bool {
        matches!(
            self,
            Error::UnexpectedEof { .. } | Error::LengthPastEnd { .. }
        )
    }
}

/// A deviation from canonical bencode that [`Mode::Tolerant`](super::Mode::Tolerant)
/// accepted, with where it was found.
///
/// These are the "soft errors" libtorrent's decoder reports and tolerates, plus the
/// trailing bytes it ignores. A caller that must refuse them in some context
/// (libtorrent refuses any soft error inside a v2 torrent) turns one into the strict
/// error with [`Tolerated::to_error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Tolerated {
    /// An integer with leading zeros (`i007e`), read as its numeric value.
    IntegerLeadingZero {
        /// Offset of the `i`.
        offset: usize,
    },
    /// A byte-string length with leading zeros (`03:abc`).
    LengthLeadingZero {
        /// Offset of the first digit.
        offset: usize,
    },
    /// A dictionary key that sorts before the previous key.
    UnsortedKey {
        /// Offset of the key.
        offset: usize,
    },
    /// A dictionary key equal to the previous key. Lookups return the first occurrence.
    DuplicateKey {
        /// Offset of the key.
        offset: usize,
    },
    /// Bytes after the top-level value (often a trailing newline); they are ignored.
    TrailingBytes {
        /// Offset of the first trailing byte.
        offset: usize,
        /// How many bytes were ignored.
        len: usize,
    },
}

impl Tolerated {
    /// The byte offset of the deviation.
    pub fn offset(&self) -> usize {
        match *self {
            Tolerated::IntegerLeadingZero { offset }
            | Tolerated::LengthLeadingZero { offset }
            | Tolerated::UnsortedKey { offset }
            | Tolerated::DuplicateKey { offset }
            | Tolerated::TrailingBytes { offset, .. } => offset,
        }
    }

    /// The error strict mode reports for the same deviation.
    ///
    /// ```
    /// use torrent_codec::bencode::{Decoder, Error};
    /// let decoded = Decoder::tolerant().decode(b"i007e").unwrap();
    /// assert_eq!(decoded.value.as_int(), Some(7));
    /// assert_eq!(decoded.tolerated[0].to_error(), Error::IntegerLeadingZero { offset: 0 });
    /// ```
    pub fn to_error(&self) -> Error {
        match *self {
            Tolerated::IntegerLeadingZero { offset } => Error::IntegerLeadingZero { offset },
            Tolerated::LengthLeadingZero { offset } => Error::LengthLeadingZero { offset },
            Tolerated::UnsortedKey { offset } => Error::UnsortedKey { offset },
            Tolerated::DuplicateKey { offset } => Error::DuplicateKey { offset },
            Tolerated::TrailingBytes { offset, len } => Error::TrailingBytes { offset, len },
        }
    }
}

impl fmt::Display for Tolerated {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Tolerated::IntegerLeadingZero { offset } => {
                write!(f, "integer with a leading zero at offset {offset}")
            }
            Tolerated::LengthLeadingZero { offset } => {
                write!(
                    f,
                    "byte-string length with a leading zero at offset {offset}"
                )
            }
            Tolerated::UnsortedKey { offset } => {
                write!(f, "dictionary key out of sorted order at offset {offset}")
            }
            Tolerated::DuplicateKey { offset } => {
                write!(f, "duplicate dictionary key at offset {offset}")
            }
            Tolerated::TrailingBytes { offset, len } => {
                write!(f, "{len} trailing bytes ignored at offset {offset}")
            }
        }
    }
}
