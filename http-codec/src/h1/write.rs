//! Serializing request and response heads.

use alloc::vec::Vec;

use super::chars::{is_field_value_byte, is_target_byte, is_token_str};
use super::error::WriteError;
use super::head::Version;

/// The body a message being written will carry, so the writer can add the
/// framing header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyLength {
    /// No body and no framing header (a GET request; a 204 or 304 response).
    Empty,
    /// Exactly this many bytes: writes `content-length: n`. In the connection
    /// state machines `Known(0)`, like `Empty`, completes the message with
    /// its head (no `finish_*` call follows).
    Known(u64),
    /// Chunked: writes `transfer-encoding: chunked`.
    Chunked,
    /// Close-delimited (responses only): writes no framing header; the
    /// connection must close after the body.
    UntilClose,
}

fn is_framing_header(name: &[u8]) -> bool {
    name.eq_ignore_ascii_case(b"content-length") || name.eq_ignore_ascii_case(b"transfer-encoding")
}

fn check_value(v: &[u8]) -> bool {
    v.iter().all(|&c| is_field_value_byte(c))
        && v.first().is_none_or(|&c| c != b' ' && c != b'\t')
        && v.last().is_none_or(|&c| c != b' ' && c != b'\t')
}

/// Writes `headers` after validating them; with `framing` = `Some`, refuses
/// caller-supplied Content-Length/Transfer-Encoding and writes the header
/// for the given length.
fn write_fields<I, N, V>(
    out: &mut Vec<u8>,
    headers: I,
    framing: Option<BodyLength>,
    start: usize,
) -> Result<(), WriteError>
where
    I: IntoIterator<Item = (N, V)>,
    N: AsRef<[u8]>,
    V: AsRef<[u8]>,
{
    for (i, (name, value)) in headers.into_iter().enumerate() {
        let (name, value) = (name.as_ref(), value.as_ref());
        if !is_token_str(name) {
            out.truncate(start);
            return Err(WriteError::InvalidHeaderName(i));
        }
        if !check_value(value) {
            out.truncate(start);
            return Err(WriteError::InvalidHeaderValue(i));
        }
        if framing.is_some() && is_framing_header(name) {
            out.truncate(start);
            return Err(WriteError::ConflictingFraming(i));
        }
        out.extend_from_slice(name);
        out.extend_from_slice(b": ");
        out.extend_from_slice(value);
        out.extend_from_slice(b"\r\n");
    }
    match framing {
        Some(BodyLength::Known(n)) => {
            out.extend_from_slice(b"content-length: ");
            let mut digits = [0u8; 20];
            out.extend_from_slice(format_u64(n, &mut digits));
            out.extend_from_slice(b"\r\n");
        }
        Some(BodyLength::Chunked) => out.extend_from_slice(b"transfer-encoding: chunked\r\n"),
        Some(BodyLength::Empty | BodyLength::UntilClose) | None => {}
    }
    out.extend_from_slice(b"\r\n");
    Ok(())
}

pub(crate) fn format_u64(mut n: u64, digits: &mut [u8; 20]) -> &[u8] {
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    &digits[i..]
}

/// Appends a request head to `out`.
///
/// Every field is checked: the method and header names must be tokens, the
/// target visible ASCII, values free of CR, LF, NUL and other controls (and
/// of leading or trailing whitespace). With `framing` = `Some(len)` the
/// framing header is written for `len`, and a Content-Length or
/// Transfer-Encoding among `headers` is refused; with `None`, `headers` are
/// written as given. On error nothing is appended.
///
/// ```
/// use http_codec::h1::{write_request_head, BodyLength, Version, WriteError};
///
/// let mut out = Vec::new();
/// write_request_head(&mut out, "POST", "/form", Version::Http11,
///     [("Host", "example.com")], Some(BodyLength::Known(5)))?;
/// assert_eq!(out, b"POST /form HTTP/1.1\r\nHost: example.com\r\ncontent-length: 5\r\n\r\n");
///
/// let injected = write_request_head(&mut Vec::new(), "GET", "/", Version::Http11,
///     [("X-A", "1\r\nX-Evil: 1")], None);
/// assert_eq!(injected, Err(WriteError::InvalidHeaderValue(0)));
/// # Ok::<(), WriteError>(())
/// ```
pub fn write_request_head<I, N, V>(
    out: &mut Vec<u8>,
    method: &str,
    target: &str,
    version: Version,
    headers: I,
    framing: Option<BodyLength>,
) -> Result<(), WriteError>
where
    I: IntoIterator<Item = (N, V)>,
    N: AsRef<[u8]>,
    V: AsRef<[u8]>,
{
    if !is_token_str(method.as_bytes()) {
        return Err(WriteError::InvalidMethod);
    }
    if target.is_empty() || !target.bytes().all(is_target_byte) {
        return Err(WriteError::InvalidTarget);
    }
    if framing == Some(BodyLength::UntilClose) {
        return Err(WriteError::BodyNotAllowed);
    }
    let start = out.len();
    out.reserve(method.len() + target.len() + 64);
    out.extend_from_slice(method.as_bytes());
    out.push(b' ');
    out.extend_from_slice(target.as_bytes());
    out.push(b' ');
    out.extend_from_slice(version.as_str().as_bytes());
    out.extend_from_slice(b"\r\n");
    write_fields(out, headers, framing, start)
}

/// The standard reason phrase of a status code ("" for unknown codes).
pub fn canonical_reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        101 => "Switching Protocols",
        103 => "Early Hints",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        417 => "Expectation Failed",
        421 => "Misdirected Request",
        422 => "Unprocessable Content",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

/// Appends a response head to `out`; the checks and `framing` work as in
/// [`write_request_head`]. `reason` = `None` writes the standard phrase.
///
/// ```
/// use http_codec::h1::{write_response_head, BodyLength, Version};
///
/// let mut out = Vec::new();
/// write_response_head(&mut out, Version::Http11, 404, None,
///     [("content-type", "text/plain")], Some(BodyLength::Known(9)))?;
/// assert_eq!(out, b"HTTP/1.1 404 Not Found\r\ncontent-type: text/plain\r\ncontent-length: 9\r\n\r\n");
/// # Ok::<(), http_codec::h1::WriteError>(())
/// ```
pub fn write_response_head<I, N, V>(
    out: &mut Vec<u8>,
    version: Version,
    status: u16,
    reason: Option<&[u8]>,
    headers: I,
    framing: Option<BodyLength>,
) -> Result<(), WriteError>
where
    I: IntoIterator<Item = (N, V)>,
    N: AsRef<[u8]>,
    V: AsRef<[u8]>,
{
    if !(100..=999).contains(&status) {
        return Err(WriteError::InvalidStatus);
    }
    let reason = reason.unwrap_or(canonical_reason(status).as_bytes());
    if !reason.iter().all(|&c| is_field_value_byte(c)) {
        return Err(WriteError::InvalidReason);
    }
    let start = out.len();
    out.reserve(reason.len() + 64);
    out.extend_from_slice(version.as_str().as_bytes());
    out.push(b' ');
    let mut digits = [0u8; 20];
    out.extend_from_slice(format_u64(u64::from(status), &mut digits));
    out.push(b' ');
    out.extend_from_slice(reason);
    out.extend_from_slice(b"\r\n");
    write_fields(out, headers, framing, start)
}

/// Appends the last chunk and a trailer section (checked like headers).
pub fn write_last_chunk<I, N, V>(out: &mut Vec<u8>, trailers: I) -> Result<(), WriteError>
where
    I: IntoIterator<Item = (N, V)>,
    N: AsRef<[u8]>,
    V: AsRef<[u8]>,
{
    let start = out.len();
    out.extend_from_slice(b"0\r\n");
    write_fields(out, trailers, None, start)
}
