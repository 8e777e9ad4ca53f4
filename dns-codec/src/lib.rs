#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod auth;
#[cfg(feature = "tokio")]
pub mod client;
#[cfg(feature = "tokio")]
pub mod server;
#[cfg(feature = "std")]
pub mod stub;
pub mod wire;
pub mod zone;
