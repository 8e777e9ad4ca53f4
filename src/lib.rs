//! # applayer
//!
//! Sans-IO application-layer protocol codecs. This umbrella crate re-exports each
//! protocol crate behind a feature of the same name (all on by default):
//!
//! | feature | crate | covers today |
//! |---|---|---|
//! | `torrent-codec` | [`torrent_codec`] | bencode (BEP 3): strict and tolerant zero-copy decoding, canonical encoding |
//!
//! ```
//! # #[cfg(feature = "torrent-codec")] {
//! use applayer::torrent_codec::bencode::decode;
//! let v = decode(b"d4:spaml1:a1:bee").unwrap();
//! assert_eq!(v.get(b"spam").and_then(|l| l.as_list()).map(|l| l.len()), Some(2));
//! # }
//! ```
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(feature = "torrent-codec")]
pub use torrent_codec;
