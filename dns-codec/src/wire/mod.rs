//! The wire layer: messages, names, typed RDATA, a builder and TCP framing.
//!
//! Parsing validates a whole message once ([`Message::parse`]); reading it afterwards
//! cannot fail and allocates nothing. Names are read through compression pointers
//! that must point strictly backward, with a hop limit, and never by recursion.

mod builder;
mod error;
mod message;
pub(crate) mod name;
mod rdata;
mod tcp;
mod types;

pub use builder::{BuildError, Compressor, MessageBuilder};
pub use error::Error;
pub use message::{Edns, Header, Limits, Message, Question, Questions, Record, Records, Section};
pub use name::{Labels, MAX_LABEL_LEN, MAX_LABELS, MAX_NAME_LEN, Name, NameRef};
pub use rdata::{
    Afsdb, Caa, CharStrings, Dnskey, Ds, EdnsOption, EdnsOptions, Minfo, Mx, Naptr, Nsec, Nsec3,
    Nxt, Px, RData, Rp, Rrsig, Rt, Soa, Srv, SvcParam, SvcParams, Svcb, TypeBitmap,
};
pub use tcp::{FrameError, TcpFramer, frame_prefix};
pub use types::{Class, Opcode, Rcode, Rtype};
