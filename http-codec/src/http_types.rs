//! Conversions to and from the `http` crate's types (feature `http`).

use alloc::string::ToString;
use alloc::vec::Vec;

use crate::h1::{
    BodyLength, RequestHead, ResponseHead, Version, WriteError, write_request_head,
    write_response_head,
};

fn to_http_version(v: Version) -> http::Version {
    match v {
        Version::Http10 => http::Version::HTTP_10,
        Version::Http11 => http::Version::HTTP_11,
    }
}

fn from_http_version(v: http::Version) -> Result<Version, WriteError> {
    match v {
        http::Version::HTTP_10 => Ok(Version::Http10),
        http::Version::HTTP_11 => Ok(Version::Http11),
        _ => Err(WriteError::InvalidState),
    }
}

impl RequestHead {
    /// The head as an `http::Request<()>` (feature `http`). Fails when the
    /// `http` crate refuses a part (it is stricter about some targets).
    ///
    /// ```
    /// # use http_codec::h1::*;
    /// # use std::time::Instant;
    /// let mut conn = ServerConnection::new(ServerConfig::default(), Instant::now());
    /// conn.handle_input(Instant::now(), b"GET /x?y=1 HTTP/1.1\r\nHost: a\r\n\r\n").unwrap();
    /// let Some(ServerEvent::Request(head)) = conn.poll_event() else { panic!() };
    /// let req = head.to_http().unwrap();
    /// assert_eq!(req.uri().query(), Some("y=1"));
    /// assert_eq!(req.headers()["host"], "a");
    /// ```
    pub fn to_http(&self) -> Result<http::Request<()>, http::Error> {
        let mut b = http::Request::builder()
            .method(self.method())
            .uri(self.target())
            .version(to_http_version(self.version()));
        for h in self.headers() {
            b = b.header(h.name, h.value);
        }
        b.body(())
    }
}

impl ResponseHead {
    /// The head as an `http::Response<()>` (feature `http`).
    pub fn to_http(&self) -> Result<http::Response<()>, http::Error> {
        let mut b = http::Response::builder()
            .status(self.status())
            .version(to_http_version(self.version()));
        for h in self.headers() {
            b = b.header(h.name, h.value);
        }
        b.body(())
    }
}

/// Writes the head of an `http::Request` (feature `http`); `framing` as in
/// [`write_request_head`]. HTTP/2 and later versions are refused.
///
/// ```
/// let req = http::Request::post("/submit").header("host", "example.com").body(()).unwrap();
/// let mut out = Vec::new();
/// http_codec::write_http_request_head(&mut out, &req, Some(http_codec::h1::BodyLength::Known(3))).unwrap();
/// assert_eq!(out, b"POST /submit HTTP/1.1\r\nhost: example.com\r\ncontent-length: 3\r\n\r\n");
/// ```
pub fn write_http_request_head<B>(
    out: &mut Vec<u8>,
    request: &http::Request<B>,
    framing: Option<BodyLength>,
) -> Result<(), WriteError> {
    let target = request.uri().path_and_query().map_or_else(
        || request.uri().to_string(),
        |p| {
            if request.uri().scheme().is_some() {
                request.uri().to_string()
            } else {
                p.as_str().into()
            }
        },
    );
    write_request_head(
        out,
        request.method().as_str(),
        &target,
        from_http_version(request.version())?,
        request
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_bytes())),
        framing,
    )
}

/// Writes the head of an `http::Response` (feature `http`).
pub fn write_http_response_head<B>(
    out: &mut Vec<u8>,
    response: &http::Response<B>,
    framing: Option<BodyLength>,
) -> Result<(), WriteError> {
    write_response_head(
        out,
        from_http_version(response.version())?,
        response.status().as_u16(),
        response.status().canonical_reason().map(str::as_bytes),
        response
            .headers()
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_bytes())),
        framing,
    )
}
