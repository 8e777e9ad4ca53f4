#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

#[cfg(feature = "torrent-codec")]
pub use torrent_codec;

#[cfg(feature = "dns-codec")]
pub use dns_codec;

#[cfg(feature = "http-codec")]
pub use http_codec;

#[cfg(feature = "smtp-codec")]
pub use smtp_codec;
