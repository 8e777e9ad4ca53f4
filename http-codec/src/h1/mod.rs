//! HTTP/1.1 (RFC 9110, RFC 9112).
//!
//! - Wire layer: [`HeadParser`] (resumable, zero-copy request and response
//!   heads), [`Framing`] (body length and persistence, RFC 9112 §6.3),
//!   [`BodyDecoder`] / [`ChunkedDecoder`] (streaming bodies), and the
//!   writers [`write_request_head`], [`write_response_head`], [`write_chunk`].
//! - State machines (with `std`): [`ServerConnection`] and
//!   [`ClientConnection`], driven as described on each type.
//!
//! Parsing is strict by default; each leniency real peers need is a named
//! field of [`ParseOptions`], off by default.

mod body;
mod chars;
#[cfg(feature = "std")]
mod client;
mod error;
mod framing;
mod head;
#[cfg(feature = "std")]
mod outbuf;
mod owned;
#[cfg(feature = "std")]
mod server;
mod target;
mod write;

pub use body::{BodyChunk, BodyDecoder, ChunkedDecoder, write_chunk, write_chunk_header};
#[cfg(feature = "std")]
pub use client::{ClientConfig, ClientConnection, ClientEvent, RequestId};
pub use error::{Error, ErrorKind, WriteError};
pub use framing::{BodyFraming, Framing};
pub use head::{HeadKind, HeadParser, Header, HeaderIter, Headers, Request, Response, Version};
pub use owned::{RequestHead, ResponseHead, Trailers};
#[cfg(feature = "std")]
pub use server::{ServerConfig, ServerConnection, ServerEvent};
pub use target::TargetForm;
#[cfg(feature = "tokio")]
pub(crate) use target::is_host as is_valid_host;
pub use write::{
    BodyLength, canonical_reason, write_last_chunk, write_request_head, write_response_head,
};

/// Size and count limits, checked before anything is buffered.
///
/// The defaults follow the strictest widely deployed peers: hyper's 100
/// header fields, nginx's 8 KiB request line, hyper's 16 KiB budget for
/// chunk extensions and trailers.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest message head, start line and empty line included (431 when
    /// exceeded). Default 64 KiB.
    pub max_head_size: usize,
    /// Most header fields in a head (431). Default 100.
    pub max_headers: usize,
    /// Longest request-target (414). Default 8 KiB.
    pub max_target_len: usize,
    /// Total bytes of chunk extensions in one body. Default 16 KiB.
    pub max_chunk_extensions: usize,
    /// Largest trailer section (431); its field count is also capped by
    /// `max_headers`. Default 16 KiB.
    pub max_trailer_size: usize,
    /// Largest body accepted (413); `None` for no limit. Default `None`:
    /// bodies are streamed, never buffered whole.
    pub max_body_size: Option<u64>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_head_size: 64 * 1024,
            max_headers: 100,
            max_target_len: 8 * 1024,
            max_chunk_extensions: 16 * 1024,
            max_trailer_size: 16 * 1024,
            max_body_size: None,
        }
    }
}

/// What to do with a request that has both Content-Length and Transfer-Encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ClTePolicy {
    /// Reject it (400): the default, as RFC 9112 §6.3 allows, since such a
    /// request is the classic smuggling vector.
    #[default]
    Reject,
    /// Ignore Content-Length, read the body as chunked and close the
    /// connection after the response (what hyper does).
    DropAndClose,
}

/// Leniencies, all off by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ParseOptions {
    /// Accept LF without CR as a line ending in heads and chunk framing.
    pub allow_bare_lf: bool,
    /// Accept obsolete line folding in response header values (RFC 9112
    /// §5.2 lets user agents unfold it); requests always reject it.
    pub allow_obs_fold: bool,
    /// Accept more than one space between the parts of a status line.
    pub allow_multiple_spaces_in_status_line: bool,
    /// Accept repeated Content-Length fields (or list elements) when all
    /// are equal, as hyper does; by default any repetition is rejected.
    pub allow_identical_content_lengths: bool,
    /// Requests with both Content-Length and Transfer-Encoding.
    pub content_length_with_transfer_encoding: ClTePolicy,
}
