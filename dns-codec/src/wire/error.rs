//! Errors of the DNS wire layer.

use super::types::Rtype;

/// Why a DNS message (or part of one) was rejected.
///
/// Every variant carries the byte offset, from the start of the message, where the
/// problem was found. [`Error::is_truncated`] tells a message cut short apart from a
/// malformed one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The message ended inside a header, name, record or RDATA field.
    #[error("message ends at offset {offset} inside a field that needs more bytes")]
    UnexpectedEnd {
        /// Where more bytes were needed.
        offset: usize,
    },
    /// A label length byte with the reserved `0b01` or `0b10` top bits (RFC 6891
    /// deprecated extended labels).
    #[error("reserved label type {byte:#04x} at offset {offset}")]
    ReservedLabelType {
        /// Offset of the length byte.
        offset: usize,
        /// The byte found.
        byte: u8,
    },
    /// A name longer than 255 bytes in wire form (RFC 1035 section 3.1).
    #[error("name at offset {offset} is longer than 255 bytes")]
    NameTooLong {
        /// Offset where the name starts.
        offset: usize,
    },
    /// A compression pointer that does not point strictly before the labels that led
    /// to it: forward and self-referencing pointers could loop.
    #[error("compression pointer at offset {offset} points forward to {target}")]
    ForwardPointer {
        /// Offset of the pointer.
        offset: usize,
        /// Where it points.
        target: usize,
    },
    /// A compression pointer into the 12-byte message header, where no name can be.
    #[error("compression pointer at offset {offset} points into the header (offset {target})")]
    PointerIntoHeader {
        /// Offset of the pointer.
        offset: usize,
        /// Where it points.
        target: usize,
    },
    /// More compression pointers in one name than [`Limits::max_pointer_hops`](super::Limits::max_pointer_hops).
    #[error("name at offset {offset} follows more than {limit} compression pointers")]
    TooManyPointers {
        /// Offset where the name starts.
        offset: usize,
        /// The limit in force.
        limit: usize,
    },
    /// A compressed name where the record type forbids compression (RFC 3597 section 4:
    /// RRSIG, NSEC, SVCB/HTTPS targets, and every type not defined in RFC 1035).
    #[error("compressed name at offset {offset} in {rtype} RDATA, which forbids compression")]
    CompressionNotAllowed {
        /// Offset of the pointer.
        offset: usize,
        /// The record type.
        rtype: Rtype,
    },
    /// RDATA whose length or content does not fit its record type.
    #[error("malformed {rtype} RDATA at offset {offset}: {reason}")]
    BadRdata {
        /// Offset of the field at fault.
        offset: usize,
        /// The record type.
        rtype: Rtype,
        /// What is wrong.
        reason: &'static str,
    },
    /// An OPT pseudo-record outside the additional section, a second one, or one whose
    /// owner is not the root (RFC 6891 section 6.1.1).
    #[error("misplaced OPT record at offset {offset}: {reason}")]
    BadOpt {
        /// Offset of the record.
        offset: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// Bytes after the last record the header counts announce.
    #[error("{len} bytes after the last record, at offset {offset}")]
    TrailingBytes {
        /// Offset of the first extra byte.
        offset: usize,
        /// How many.
        len: usize,
    },
    /// A presentation-format name that could not be parsed.
    #[error("invalid name text at character {position}: {reason}")]
    BadNameText {
        /// Character index in the text.
        position: usize,
        /// What is wrong.
        reason: &'static str,
    },
}

impl Error {
    /// True when the message was cut short: the same message, complete, might parse
    /// (a UDP answer truncated in transit, a TCP read that stopped early).
    pub fn is_truncated(&self) -> bool {
        matches!(self, Error::UnexpectedEnd { .. })
    }
}
