//! Owned heads and trailers, backed by `Bytes` split off a receive buffer.

use alloc::vec::Vec;
use core::fmt;

use bytes::Bytes;

use super::framing::Framing;
use super::head::{HeadParser, HeaderSpan, Headers, Request, Response, StartLine, Version};

/// The parts every owned head has: its bytes and where things are in them.
#[derive(Clone)]
struct OwnedHead {
    buf: Bytes,
    start: StartLine,
    headers: Vec<HeaderSpan>,
    framing: Framing,
}

impl OwnedHead {
    fn new(buf: Bytes, parser: &HeadParser, framing: Framing) -> Self {
        OwnedHead {
            buf,
            start: parser.start_line_spans(),
            headers: parser.header_spans().to_vec(),
            framing,
        }
    }

    fn headers(&self) -> Headers<'_> {
        Headers::from_parts(&self.buf, &self.headers)
    }
}

/// A received request head that owns its bytes (a `Bytes` slice of the
/// connection's buffer: no copy) together with its framing.
#[derive(Clone)]
pub struct RequestHead(OwnedHead);

impl RequestHead {
    #[cfg_attr(not(feature = "std"), allow(dead_code))]
    pub(crate) fn new(buf: Bytes, parser: &HeadParser, framing: Framing) -> Self {
        RequestHead(OwnedHead::new(buf, parser, framing))
    }

    /// The head as a borrowed view.
    pub fn as_request(&self) -> Request<'_> {
        Request::from_parts(&self.0.buf, &self.0.start, &self.0.headers)
    }

    /// The method.
    pub fn method(&self) -> &str {
        self.as_request().method()
    }

    /// The request-target as sent.
    pub fn target(&self) -> &str {
        self.as_request().target()
    }

    /// The HTTP version.
    pub fn version(&self) -> Version {
        self.as_request().version()
    }

    /// The header fields in wire order.
    pub fn headers(&self) -> Headers<'_> {
        self.0.headers()
    }

    /// Body framing, persistence, `Expect: 100-continue` and upgrade.
    pub fn framing(&self) -> &Framing {
        &self.0.framing
    }

    /// The raw bytes of the head, as received (leading empty lines included).
    pub fn raw(&self) -> &Bytes {
        &self.0.buf
    }
}

impl fmt::Debug for RequestHead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.as_request(), f)
    }
}

/// A received response head that owns its bytes, with its framing.
#[derive(Clone)]
pub struct ResponseHead(OwnedHead);

impl ResponseHead {
    #[cfg_attr(not(feature = "std"), allow(dead_code))]
    pub(crate) fn new(buf: Bytes, parser: &HeadParser, framing: Framing) -> Self {
        ResponseHead(OwnedHead::new(buf, parser, framing))
    }

    /// The head as a borrowed view.
    pub fn as_response(&self) -> Response<'_> {
        Response::from_parts(&self.0.buf, &self.0.start, &self.0.headers)
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.0.start.status
    }

    /// The reason phrase as sent.
    pub fn reason(&self) -> &[u8] {
        self.as_response().reason()
    }

    /// The HTTP version.
    pub fn version(&self) -> Version {
        self.as_response().version()
    }

    /// The header fields in wire order.
    pub fn headers(&self) -> Headers<'_> {
        self.0.headers()
    }

    /// Body framing and persistence.
    pub fn framing(&self) -> &Framing {
        &self.0.framing
    }

    /// The raw bytes of the head, as received.
    pub fn raw(&self) -> &Bytes {
        &self.0.buf
    }
}

impl fmt::Debug for ResponseHead {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.as_response(), f)
    }
}

/// The trailer fields of a chunked body.
#[derive(Clone, Default)]
pub struct Trailers {
    buf: Vec<u8>,
    headers: Vec<HeaderSpan>,
}

impl Trailers {
    #[cfg_attr(not(feature = "std"), allow(dead_code))]
    pub(crate) fn from_headers(h: Headers<'_>) -> Option<Self> {
        if h.is_empty() {
            return None;
        }
        let (buf, spans) = h.raw_parts();
        Some(Trailers {
            buf: buf.to_vec(),
            headers: spans.to_vec(),
        })
    }

    /// The fields in wire order.
    pub fn headers(&self) -> Headers<'_> {
        Headers::from_parts(&self.buf, &self.headers)
    }
}

impl fmt::Debug for Trailers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.headers(), f)
    }
}
