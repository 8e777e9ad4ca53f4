//! Errors of the HTTP/1.1 wire layer and connection state machines.

/// What was wrong with the input. Each kind says which response status a
/// server should answer with ([`ErrorKind::status`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The method is empty or holds a byte that is not a token character.
    #[error("invalid method: not an RFC 9110 token")]
    InvalidMethod,
    /// The request-target holds a byte outside visible ASCII, or its form does
    /// not fit the method (authority-form only for CONNECT, `*` only for OPTIONS).
    #[error("invalid request-target")]
    InvalidTarget,
    /// The request-target is longer than [`Limits::max_target_len`](crate::h1::Limits::max_target_len).
    #[error("request-target longer than the limit")]
    TargetTooLong,
    /// The HTTP-version is not `HTTP/` DIGIT `.` DIGIT.
    #[error("invalid HTTP-version")]
    InvalidVersion,
    /// The HTTP-version is well formed but not 1.0 or 1.x.
    #[error("unsupported HTTP version")]
    UnsupportedVersion,
    /// The status code is not three digits, or the space around it is missing.
    #[error("invalid status code")]
    InvalidStatus,
    /// The reason phrase holds a control character.
    #[error("invalid reason phrase")]
    InvalidReason,
    /// A space or other byte out of place in the start line (two spaces, a
    /// tab, a missing space).
    #[error("malformed start line")]
    InvalidStartLine,
    /// A header field name is empty or holds a non-token byte.
    #[error("invalid header field name")]
    InvalidHeaderName,
    /// Whitespace between a header field name and its colon (RFC 9112 §5.1
    /// requires rejecting this).
    #[error("whitespace before the colon of a header field")]
    WhitespaceBeforeColon,
    /// A header line without a colon.
    #[error("header line without a colon")]
    MissingColon,
    /// A header field value holds NUL, a control character or DEL.
    #[error("invalid character in a header field value")]
    InvalidHeaderValue,
    /// A line ended in LF without CR (allowed only with `allow_bare_lf`).
    #[error("line ended by a bare LF")]
    BareLf,
    /// A CR not followed by LF.
    #[error("CR not followed by LF")]
    BareCr,
    /// A header line starting with whitespace: obsolete line folding, or
    /// whitespace before the first header.
    #[error("obsolete line folding (a header line starting with whitespace)")]
    ObsFold,
    /// The head is larger than [`Limits::max_head_size`](crate::h1::Limits::max_head_size).
    #[error("message head larger than the limit")]
    HeadTooLarge,
    /// More header fields than [`Limits::max_headers`](crate::h1::Limits::max_headers).
    #[error("more header fields than the limit")]
    TooManyHeaders,
    /// A Content-Length value that is not a plain decimal number, or overflows u64.
    #[error("invalid Content-Length")]
    InvalidContentLength,
    /// More than one Content-Length (field or list element).
    #[error("more than one Content-Length")]
    DuplicateContentLength,
    /// Content-Length and Transfer-Encoding in one request.
    #[error("request has both Content-Length and Transfer-Encoding")]
    ContentLengthWithTransferEncoding,
    /// A CONNECT request with Content-Length or Transfer-Encoding: CONNECT
    /// has no content (RFC 9110 §9.3.6), so such bytes would be ambiguous.
    #[error("CONNECT request with a body")]
    ConnectWithBody,
    /// An HTTP/1.1 request without exactly one Host field, or a Host value
    /// that is not `host[:port]` (RFC 9112 §3.2: answer 400).
    #[error("missing, repeated or invalid Host")]
    InvalidHost,
    /// Transfer-Encoding in an HTTP/1.0 message (RFC 9112 §6.1: framing is faulty).
    #[error("Transfer-Encoding in an HTTP/1.0 message")]
    TransferEncodingOnHttp10,
    /// A request whose Transfer-Encoding does not end in exactly one `chunked`,
    /// or whose value is empty or not a list of tokens.
    #[error("invalid Transfer-Encoding")]
    InvalidTransferEncoding,
    /// A transfer coding other than `chunked` (the server answers 501).
    #[error("transfer coding not implemented")]
    UnsupportedTransferCoding,
    /// A chunk-size line that is not hex digits followed by optional extensions.
    #[error("invalid chunk size")]
    InvalidChunkSize,
    /// A chunk size larger than 2^64 - 1.
    #[error("chunk size overflows 64 bits")]
    ChunkSizeOverflow,
    /// A malformed chunk extension.
    #[error("invalid chunk extension")]
    InvalidChunkExtension,
    /// Chunk extensions longer than [`Limits::max_chunk_extensions`](crate::h1::Limits::max_chunk_extensions).
    #[error("chunk extensions longer than the limit")]
    ChunkExtensionTooLong,
    /// Chunk data not followed by CRLF.
    #[error("chunk data not followed by CRLF")]
    MissingChunkCrlf,
    /// Trailer section larger than [`Limits::max_trailer_size`](crate::h1::Limits::max_trailer_size).
    #[error("trailer section larger than the limit")]
    TrailerTooLarge,
    /// A body larger than [`Limits::max_body_size`](crate::h1::Limits::max_body_size).
    #[error("body larger than the limit")]
    BodyTooLarge,
    /// The peer closed the connection in the middle of a message.
    #[error("connection closed in the middle of a message")]
    UnexpectedEof,
    /// Bytes after a message on a connection that was to close after it.
    #[error("data after the last message of a closing connection")]
    DataAfterClose,
    /// An `Expect` value other than `100-continue` (the server answers 417).
    #[error("unsupported Expect value")]
    UnsupportedExpectation,
    /// Input arrived while the connection could not take it and its buffer is full.
    #[error("input buffer full: stop reading until the connection wants input")]
    BufferFull,
    /// A response without a request to match it, or data before the status line.
    #[error("unexpected data: no request is waiting for a response")]
    UnexpectedResponse,
    /// The peer did not finish a message head (or an idle connection) in time.
    #[error("timed out")]
    Timeout,
}

impl ErrorKind {
    /// The status a server should answer a request with this error with.
    ///
    /// 400 for malformed requests, 408 for timeouts, 413 for bodies over the
    /// limit, 414 for long targets, 417 for unknown expectations, 431 for
    /// oversized heads or too many fields, 501 for unknown transfer codings,
    /// 505 for unsupported versions.
    pub fn status(self) -> u16 {
        match self {
            ErrorKind::TargetTooLong => 414,
            ErrorKind::HeadTooLarge | ErrorKind::TooManyHeaders | ErrorKind::TrailerTooLarge => 431,
            ErrorKind::BodyTooLarge => 413,
            ErrorKind::UnsupportedVersion => 505,
            ErrorKind::UnsupportedTransferCoding => 501,
            ErrorKind::UnsupportedExpectation => 417,
            ErrorKind::Timeout => 408,
            _ => 400,
        }
    }
}

/// An error with the offset of the offending byte.
///
/// For head parsing the offset counts from the first byte of the message (or
/// of the buffer handed to the parser); for body decoding and connections it
/// counts from the first byte the decoder or connection was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[error("{kind} at byte {offset}")]
pub struct Error {
    kind: ErrorKind,
    offset: u64,
}

impl Error {
    /// An error of `kind` at `offset`.
    pub fn new(kind: ErrorKind, offset: u64) -> Self {
        Error { kind, offset }
    }

    /// What was wrong.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Where: the offset of the offending byte.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// The status a server should answer with; see [`ErrorKind::status`].
    pub fn status(&self) -> u16 {
        self.kind.status()
    }

    pub(crate) fn shifted(self, by: u64) -> Self {
        Error {
            kind: self.kind,
            offset: self.offset.saturating_add(by),
        }
    }
}

/// Why a message could not be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum WriteError {
    /// A method that is not a token.
    #[error("method is not a token")]
    InvalidMethod,
    /// A request-target with a byte outside visible ASCII (CR, LF, NUL, space...).
    #[error("request-target holds a byte outside visible ASCII")]
    InvalidTarget,
    /// A status code outside 100..=999.
    #[error("status code outside 100..=999")]
    InvalidStatus,
    /// A reason phrase holding CR, LF, NUL or another control character.
    #[error("reason phrase holds a control character")]
    InvalidReason,
    /// The header with this index has an empty or non-token name.
    #[error("header {0} has an invalid name")]
    InvalidHeaderName(usize),
    /// The header with this index has CR, LF, NUL or another control character in its value.
    #[error("header {0} has CR, LF, NUL or a control character in its value")]
    InvalidHeaderValue(usize),
    /// The header with this index is a framing header (Content-Length or
    /// Transfer-Encoding) that contradicts the body framing asked for.
    #[error("header {0} contradicts the body framing")]
    ConflictingFraming(usize),
    /// More body bytes than the declared Content-Length, or fewer at the end.
    #[error("body length does not match Content-Length")]
    BodyLengthMismatch,
    /// The message, in this state, cannot carry a body or trailers.
    #[error("the message cannot carry a body here")]
    BodyNotAllowed,
    /// The call is out of order for the connection's state.
    #[error("call out of order for the connection state")]
    InvalidState,
}
