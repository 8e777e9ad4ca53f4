//! Bencode (BEP 3): zero-copy strict decoding, a tolerant mode, and a canonical encoder.
//!
//! # Decoding
//!
//! [`decode`] validates the whole input in one pass (no recursion, no allocation) and
//! returns a [`Value`] borrowing it. Lists and dictionaries are then read lazily from
//! the validated bytes, and every value keeps its exact byte span ([`Value::raw`]).
//!
//! Strict mode (the default) rejects everything BEP 3 forbids: leading zeros, `-0`,
//! `i-e`, unsorted or duplicate keys, bytes after the top-level value, lengths that run
//! past the input; each with its own [`Error`] variant and byte offset.
//! [`Mode::Tolerant`] accepts the deviations libtorrent tolerates and reports each as a
//! [`Tolerated`]. [`Limits`] bound nesting depth and item count.
//!
//! Walking, comparing, formatting and encoding views never recurse: [`Value::tokens`]
//! is a single cursor over the validated input.
//!
//! ```
//! use torrent_codec::bencode::{decode, Decoder, Error, Tolerated};
//!
//! let msg = decode(b"d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe")?;
//! assert_eq!(msg.get(b"q").and_then(|q| q.as_str()), Some("ping"));
//! let id = msg.get(b"a").and_then(|a| a.get(b"id")).and_then(|id| id.as_bytes());
//! assert_eq!(id, Some(&b"abcdefghij0123456789"[..]));
//!
//! // A trailing newline: an error when strict, tolerated and reported otherwise.
//! assert_eq!(decode(b"i1e\n"), Err(Error::TrailingBytes { offset: 3, len: 1 }));
//! let lenient = Decoder::tolerant().decode(b"i1e\n")?;
//! assert_eq!(lenient.tolerated, [Tolerated::TrailingBytes { offset: 3, len: 1 }]);
//! # Ok::<(), Error>(())
//! ```
//!
//! # Encoding
//!
//! [`Encode`] writes canonical bencode from views or from [`OwnedValue`]s.
//!
//! ```
//! use torrent_codec::bencode::{decode, Encode};
//! let v = decode(b"l4:spami-3ee").unwrap();
//! assert_eq!(v.to_bencode(), b"l4:spami-3ee");
//! assert_eq!(v.to_owned_value().to_bencode(), b"l4:spami-3ee");
//! ```

mod decode;
mod encode;
mod error;
mod owned;
mod value;

pub use decode::{Decoded, Decoder, INLINE_DEPTH, Limits, Mode, decode, decode_tolerant};
pub use encode::{Encode, write_bytes, write_int};
pub use error::{Error, Tolerated};
pub use owned::{OwnedTokens, OwnedValue};
pub use value::{Dict, DictIter, Kind, List, ListIter, Token, Tokens, Value};
