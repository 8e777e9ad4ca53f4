//! DNS over TCP framing (RFC 7766 section 8; RFC 1035 section 4.2.2): each message is
//! preceded by its length as two bytes, big-endian.

use alloc::vec::Vec;

/// Why a TCP stream could not be framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum FrameError {
    /// A frame shorter than a DNS header (12 bytes): the peer is not speaking DNS or
    /// the stream is out of step. The connection should be closed.
    #[error("frame of {len} bytes at stream offset {offset} is shorter than a DNS header")]
    TooShort {
        /// Declared length.
        len: usize,
        /// Stream offset of the length prefix.
        offset: u64,
    },
    /// A frame longer than the configured maximum.
    #[error("frame of {len} bytes at stream offset {offset} exceeds the limit of {limit}")]
    TooLong {
        /// Declared length.
        len: usize,
        /// Stream offset of the length prefix.
        offset: u64,
        /// The limit in force.
        limit: usize,
    },
}

/// Splits a TCP byte stream into DNS messages, whatever the read boundaries.
///
/// Feed bytes as they arrive with [`TcpFramer::feed`], then take complete messages
/// with [`TcpFramer::next_message`] until it returns `None`. Buffered bytes never
/// exceed one maximum-size frame plus what was fed since the last call.
///
/// ```
/// use dns_codec::wire::TcpFramer;
/// let mut framer = TcpFramer::new();
/// let mut msg = vec![0u8; 12];
/// msg[0] = 0xAB;
/// let mut stream = (msg.len() as u16).to_be_bytes().to_vec();
/// stream.extend_from_slice(&msg);
/// framer.feed(&stream[..5]);
/// assert_eq!(framer.next_message(), None);
/// framer.feed(&stream[5..]);
/// assert_eq!(framer.next_message(), Some(Ok(&msg[..])));
/// assert_eq!(framer.next_message(), None);
/// ```
#[derive(Debug, Clone)]
pub struct TcpFramer {
    buf: Vec<u8>,
    start: usize,
    consumed: u64,
    max_len: usize,
    failed: Option<FrameError>,
}

impl Default for TcpFramer {
    fn default() -> Self {
        TcpFramer::new()
    }
}

impl TcpFramer {
    /// A framer accepting messages up to 65,535 bytes.
    pub fn new() -> Self {
        TcpFramer::with_max_len(65_535)
    }

    /// A framer refusing frames longer than `max_len` (a server that only takes
    /// queries can use 512 or so).
    pub fn with_max_len(max_len: usize) -> Self {
        TcpFramer {
            buf: Vec::new(),
            start: 0,
            consumed: 0,
            max_len: max_len.min(65_535),
            failed: None,
        }
    }

    /// Appends bytes read from the stream.
    pub fn feed(&mut self, bytes: &[u8]) {
        if self.failed.is_some() {
            return;
        }
        if self.start > 0 && self.start == self.buf.len() {
            self.buf.clear();
            self.start = 0;
        } else if self.start > 65_537 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        self.buf.extend_from_slice(bytes);
    }

    /// The next complete message, `None` if more bytes are needed, or the error that
    /// stopped the stream (returned again on every later call).
    pub fn next_message(&mut self) -> Option<Result<&[u8], FrameError>> {
        if let Some(e) = self.failed {
            return Some(Err(e));
        }
        let rest = &self.buf[self.start..];
        let [hi, lo, ..] = *rest else {
            return None;
        };
        let len = usize::from(u16::from_be_bytes([hi, lo]));
        let offset = self.consumed;
        let error = if len < 12 {
            Some(FrameError::TooShort { len, offset })
        } else if len > self.max_len {
            Some(FrameError::TooLong {
                len,
                offset,
                limit: self.max_len,
            })
        } else {
            None
        };
        if let Some(e) = error {
            self.failed = Some(e);
            self.buf = Vec::new();
            self.start = 0;
            return Some(Err(e));
        }
        if rest.len() < 2 + len {
            return None;
        }
        let from = self.start + 2;
        self.start = from + len;
        self.consumed += 2 + len as u64;
        Some(Ok(&self.buf[from..from + len]))
    }

    /// Bytes buffered that are not yet part of a returned message.
    pub fn buffered(&self) -> usize {
        self.buf.len() - self.start
    }
}

/// The 2-byte length prefix for a message of `len` bytes, or `None` above 65,535.
pub fn frame_prefix(len: usize) -> Option<[u8; 2]> {
    u16::try_from(len).ok().map(u16::to_be_bytes)
}
