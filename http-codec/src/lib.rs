#![doc = include_str!("../README.md")]
#![no_std]
// One audited `unsafe` (an ASCII slice viewed as `str`, in h1::chars).
#![deny(unsafe_code)]
#![deny(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

#[cfg(feature = "tokio")]
pub mod client;
#[cfg(feature = "std")]
pub mod date;
pub mod h1;
#[cfg(feature = "http")]
mod http_types;
#[cfg(feature = "tokio")]
pub mod server;

#[cfg(feature = "http")]
pub use http_types::{write_http_request_head, write_http_response_head};
