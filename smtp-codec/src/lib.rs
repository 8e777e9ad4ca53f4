#![doc = include_str!("../README.md")]
#![no_std]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod address;
pub mod capability;
#[cfg(feature = "std")]
pub mod client;
pub mod command;
pub mod data;
pub mod line;
pub mod message;
pub mod reply;
pub mod sasl;
#[cfg(feature = "std")]
pub mod server;
#[cfg(feature = "tokio")]
pub mod tokio;
#[cfg(feature = "std")]
pub mod trace;
