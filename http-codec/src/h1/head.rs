//! Resumable, zero-copy parsing of request and response heads.

use alloc::vec::Vec;
use core::fmt;

use super::chars::{
    ascii_str, find_control_byte, find_invalid_target_byte, find_invalid_value_byte, is_token,
    trim_ows,
};
use super::error::{Error, ErrorKind};
use super::{Limits, ParseOptions};

/// An HTTP/1.x version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Version {
    /// HTTP/1.0: connections close after each message unless both sides ask
    /// for keep-alive; no chunked coding.
    Http10,
    /// HTTP/1.1 (also any later 1.x minor version, which RFC 9112 §2.3 says to
    /// treat as the highest minor version we implement).
    Http11,
}

impl Version {
    /// `HTTP/1.0` or `HTTP/1.1`.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::Http10 => "HTTP/1.0",
            Version::Http11 => "HTTP/1.1",
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Offsets of a byte range in a head buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Span {
    pub(crate) start: u32,
    pub(crate) end: u32,
}

impl Span {
    #[inline]
    fn new(start: usize, end: usize) -> Self {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }
    #[inline]
    pub(crate) fn of(self, buf: &[u8]) -> &[u8] {
        &buf[self.start as usize..self.end as usize]
    }
}

/// Where one header field sits in a head buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct HeaderSpan {
    pub(crate) name: Span,
    pub(crate) value: Span,
    /// The value spans obsolete line folds (only with `allow_obs_fold`).
    pub(crate) folded: bool,
}

/// What kind of head a [`HeadParser`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeadKind {
    /// A request line and header fields.
    Request,
    /// A status line and header fields.
    Response,
    /// A trailer section: header fields only (after a chunked body).
    Trailers,
}

#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct StartLine {
    pub(crate) method: Span,
    pub(crate) target: Span,
    pub(crate) reason: Span,
    pub(crate) status: u16,
    pub(crate) version: Option<Version>,
}

/// A resumable head parser.
///
/// Hand it the bytes of a message from its first byte on, as they arrive: the
/// whole buffer so far each time, growing. It remembers where it stopped, so
/// feeding a head one byte at a time is linear in its size (no rescans), and
/// it records only offsets, so the parsed head borrows the caller's buffer.
/// Once [`parse`](Self::parse) returns the head length, read the head with
/// [`request`](Self::request), [`response`](Self::response) or
/// [`trailers`](Self::trailers), passing the same buffer.
///
/// ```
/// use http_codec::h1::{HeadKind, HeadParser, Limits, ParseOptions};
///
/// let mut parser = HeadParser::new(HeadKind::Request, ParseOptions::default(), &Limits::default());
/// let wire = b"GET /index.html HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n";
/// assert_eq!(parser.parse(&wire[..20])?, None); // not complete yet
/// let len = parser.parse(wire)?.expect("complete");
/// assert_eq!(len, wire.len());
/// let req = parser.request(wire);
/// assert_eq!((req.method(), req.target()), ("GET", "/index.html"));
/// assert_eq!(req.headers().get("host"), Some(&b"example.com"[..]));
/// # Ok::<(), http_codec::h1::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct HeadParser {
    kind: HeadKind,
    options: ParseOptions,
    max_head: usize,
    max_headers: usize,
    max_target: usize,
    /// Start of the next line not yet processed.
    pos: usize,
    /// Where the search for the next LF resumes.
    scan: usize,
    started: bool,
    done: Option<usize>,
    failed: Option<Error>,
    start: StartLine,
    headers: Vec<HeaderSpan>,
}

impl HeadParser {
    /// A parser for `kind`, with `options` and the head limits of `limits`.
    pub fn new(kind: HeadKind, options: ParseOptions, limits: &Limits) -> Self {
        HeadParser {
            kind,
            options,
            max_head: match kind {
                HeadKind::Trailers => limits.max_trailer_size,
                _ => limits.max_head_size,
            }
            .min(u32::MAX as usize),
            max_headers: limits.max_headers,
            max_target: limits.max_target_len,
            pos: 0,
            scan: 0,
            started: kind == HeadKind::Trailers,
            done: None,
            failed: None,
            start: StartLine::default(),
            headers: Vec::new(),
        }
    }

    /// Forgets the head parsed so far, keeping the header storage, for the next message.
    pub fn reset(&mut self) {
        self.pos = 0;
        self.scan = 0;
        self.started = self.kind == HeadKind::Trailers;
        self.done = None;
        self.failed = None;
        self.start = StartLine::default();
        self.headers.clear();
    }

    /// The kind of head this parser reads.
    pub fn kind(&self) -> HeadKind {
        self.kind
    }

    /// Continues parsing `buf`, which must begin with the bytes given to the
    /// previous calls since [`new`](Self::new) or [`reset`](Self::reset).
    ///
    /// Returns `Ok(Some(n))` once the head is complete (`n` bytes long, the
    /// empty line included; body bytes follow it), `Ok(None)` when more input
    /// is needed, or the error at the first offending byte. Leading empty
    /// lines before a start line are skipped, as RFC 9112 §2.2 asks.
    ///
    /// An error is final: later calls return it again until [`reset`](Self::reset).
    pub fn parse(&mut self, buf: &[u8]) -> Result<Option<usize>, Error> {
        if let Some(e) = self.failed {
            return Err(e);
        }
        let r = self.parse_lines(buf);
        if let Err(e) = r {
            self.failed = Some(e);
        }
        r
    }

    fn parse_lines(&mut self, buf: &[u8]) -> Result<Option<usize>, Error> {
        if let Some(n) = self.done {
            return Ok(Some(n));
        }
        loop {
            if self.started && self.scan <= self.pos {
                match self.fast_header_line(buf) {
                    Fast::Header => continue,
                    Fast::End(n) => {
                        self.done = Some(n);
                        return Ok(Some(n));
                    }
                    Fast::Incomplete => {
                        self.scan = buf.len().max(self.pos);
                        return self.check_partial(buf).map(|()| None);
                    }
                    Fast::Slow => {}
                }
            }
            let from = self.scan.max(self.pos);
            let lf = match memchr::memchr(b'\n', buf.get(from..).unwrap_or(&[])) {
                Some(i) => from + i,
                None => {
                    self.scan = buf.len().max(self.pos);
                    return self.check_partial(buf).map(|()| None);
                }
            };
            if let Some(at) = self.limit_exceeded(lf, lf >= self.max_head) {
                return Err(self.too_large(buf, at));
            }
            let line_start = self.pos;
            let end = if lf > line_start && buf[lf - 1] == b'\r' {
                lf - 1
            } else if self.options.allow_bare_lf {
                lf
            } else {
                return Err(err(ErrorKind::BareLf, lf));
            };
            self.pos = lf + 1;
            self.scan = lf + 1;
            if !self.started {
                if end == line_start {
                    // An empty line before the start line.
                    continue;
                }
                self.start_line(buf, line_start, end)?;
                self.started = true;
                continue;
            }
            if end == line_start {
                self.done = Some(lf + 1);
                return Ok(Some(lf + 1));
            }
            self.header_line(buf, line_start, end)?;
        }
    }

    /// One pass over a plain header line (`token ":" OWS value CRLF`) at
    /// `self.pos`: the name by table, the value eight bytes at a time until
    /// its CR. Anything else (errors, leniencies, limits, obs-fold) goes to
    /// the general path, which reports it. `Incomplete` means no LF lies
    /// between `self.pos` and the end of `buf`.
    #[inline]
    fn fast_header_line(&mut self, buf: &[u8]) -> Fast {
        let start = self.pos;
        let rest = buf.get(start..).unwrap_or(&[]);
        match rest {
            [b'\r', b'\n', ..] => {
                return if start + 1 < self.max_head {
                    Fast::End(start + 2)
                } else {
                    Fast::Slow
                };
            }
            [] | [b'\r'] => return Fast::Incomplete,
            _ => {}
        }
        let mut i = 0;
        while i < rest.len() && is_token(rest[i]) {
            i += 1;
        }
        if i == rest.len() {
            return Fast::Incomplete;
        }
        if i == 0 || rest[i] != b':' {
            return Fast::Slow;
        }
        let name_end = i;
        i += 1;
        while i < rest.len() && (rest[i] == b' ' || rest[i] == b'\t') {
            i += 1;
        }
        let v0 = i;
        loop {
            match find_control_byte(&rest[i..]) {
                None => return Fast::Incomplete,
                Some(k) if rest[i + k] == b'\t' => i += k + 1,
                Some(k) => {
                    i += k;
                    break;
                }
            }
        }
        if rest[i] != b'\r' {
            return Fast::Slow;
        }
        match rest.get(i + 1) {
            None => return Fast::Incomplete,
            Some(b'\n') => {}
            Some(_) => return Fast::Slow,
        }
        let lf = start + i + 1;
        if lf >= self.max_head || self.headers.len() >= self.max_headers {
            return Fast::Slow;
        }
        let mut v1 = i;
        while v1 > v0 && (rest[v1 - 1] == b' ' || rest[v1 - 1] == b'\t') {
            v1 -= 1;
        }
        self.headers.push(HeaderSpan {
            name: Span::new(start, start + name_end),
            value: Span::new(start + v0, start + v1),
            folded: false,
        });
        self.pos = lf + 1;
        self.scan = lf + 1;
        Fast::Header
    }

    fn too_large(&self, buf: &[u8], at: usize) -> Error {
        let _ = buf;
        if !self.started && self.kind == HeadKind::Request {
            err(ErrorKind::TargetTooLong, at)
        } else if self.kind == HeadKind::Trailers {
            err(ErrorKind::TrailerTooLarge, at)
        } else {
            err(ErrorKind::HeadTooLarge, at)
        }
    }

    /// Checks limits on an incomplete line, so an endless line fails early.
    fn check_partial(&self, buf: &[u8]) -> Result<(), Error> {
        match self.limit_exceeded(buf.len(), buf.len() > self.max_head) {
            Some(at) => Err(self.too_large(buf, at)),
            None => Ok(()),
        }
    }

    /// Whether the current line breaks a size limit; `end` is the offset of
    /// its LF, or the buffer length while the line is still open. The limits:
    /// the head size (`over_head`), and for a request line `max_target + 64`
    /// bytes (method, target and version), checked on complete lines too so
    /// that where the input splits never decides. Returns the offset to
    /// report, the first byte past the limit, also independent of splits.
    fn limit_exceeded(&self, end: usize, over_head: bool) -> Option<usize> {
        let line_limit = (!self.started && self.kind == HeadKind::Request)
            .then(|| self.pos.saturating_add(self.max_target.saturating_add(64)))
            .filter(|&at| end > at);
        match (over_head, line_limit) {
            (false, None) => None,
            (true, None) => Some(self.max_head),
            (_, Some(at)) => Some(at.min(self.max_head)),
        }
    }

    fn start_line(&mut self, buf: &[u8], start: usize, end: usize) -> Result<(), Error> {
        match self.kind {
            HeadKind::Request => self.request_line(buf, start, end),
            HeadKind::Response => self.status_line(buf, start, end),
            HeadKind::Trailers => Ok(()),
        }
    }

    fn request_line(&mut self, buf: &[u8], start: usize, end: usize) -> Result<(), Error> {
        let line = &buf[start..end];
        // method
        let mut i = 0;
        while i < line.len() && is_token(line[i]) {
            i += 1;
        }
        if i == 0 || i == line.len() || line[i] != b' ' {
            let at = if i == line.len() { end } else { start + i };
            return Err(err(ErrorKind::InvalidMethod, at));
        }
        let method = Span::new(start, start + i);
        // target
        let t0 = i + 1;
        let rest = &line[t0..];
        let t_len = match find_invalid_target_byte(rest) {
            Some(k) => {
                if rest[k] != b' ' {
                    return Err(err(ErrorKind::InvalidTarget, start + t0 + k));
                }
                k
            }
            None => return Err(err(ErrorKind::InvalidVersion, end)),
        };
        if t_len == 0 {
            return Err(err(ErrorKind::InvalidTarget, start + t0));
        }
        if t_len > self.max_target {
            return Err(err(ErrorKind::TargetTooLong, start + t0 + self.max_target));
        }
        let target = Span::new(start + t0, start + t0 + t_len);
        let v0 = t0 + t_len + 1;
        let version = parse_version(&line[v0..], start + v0)?;
        if v0 + 8 != line.len() {
            return Err(err(ErrorKind::InvalidStartLine, start + v0 + 8));
        }
        check_target_form(method.of(buf), target.of(buf), target.start as usize)?;
        self.start.method = method;
        self.start.target = target;
        self.start.version = Some(version);
        Ok(())
    }

    fn status_line(&mut self, buf: &[u8], start: usize, end: usize) -> Result<(), Error> {
        let line = &buf[start..end];
        let version = parse_version(line, start)?;
        let mut i = 8;
        if line.get(i) != Some(&b' ') {
            return Err(err(ErrorKind::InvalidStartLine, start + i));
        }
        i += 1;
        if self.options.allow_multiple_spaces_in_status_line {
            while line.get(i) == Some(&b' ') {
                i += 1;
            }
        }
        let code = match line.get(i..i + 3) {
            Some(d) if d.iter().all(u8::is_ascii_digit) => {
                u16::from(d[0] - b'0') * 100 + u16::from(d[1] - b'0') * 10 + u16::from(d[2] - b'0')
            }
            _ => return Err(err(ErrorKind::InvalidStatus, start + i)),
        };
        if code < 100 {
            return Err(err(ErrorKind::InvalidStatus, start + i));
        }
        i += 3;
        let reason = if i == line.len() {
            // "HTTP/1.1 200" without the space: sent by real servers and
            // accepted by every major client.
            Span::new(end, end)
        } else {
            if line[i] != b' ' {
                return Err(err(ErrorKind::InvalidStatus, start + i));
            }
            i += 1;
            if self.options.allow_multiple_spaces_in_status_line {
                while line.get(i) == Some(&b' ') {
                    i += 1;
                }
            }
            if let Some(k) = find_invalid_value_byte(&line[i..]) {
                return Err(err(ErrorKind::InvalidReason, start + i + k));
            }
            Span::new(start + i, end)
        };
        self.start.version = Some(version);
        self.start.status = code;
        self.start.reason = reason;
        Ok(())
    }

    fn header_line(&mut self, buf: &[u8], start: usize, end: usize) -> Result<(), Error> {
        let line = &buf[start..end];
        if line[0] == b' ' || line[0] == b'\t' {
            return self.continuation(buf, start, end);
        }
        let mut i = 0;
        while i < line.len() && is_token(line[i]) {
            i += 1;
        }
        if i == line.len() {
            let kind = if i == 0 {
                ErrorKind::InvalidHeaderName
            } else {
                ErrorKind::MissingColon
            };
            return Err(err(kind, end));
        }
        if line[i] != b':' {
            let kind = match line[i] {
                b' ' | b'\t' if i > 0 => ErrorKind::WhitespaceBeforeColon,
                b'\r' => ErrorKind::BareCr,
                _ => ErrorKind::InvalidHeaderName,
            };
            return Err(err(kind, start + i));
        }
        if i == 0 {
            return Err(err(ErrorKind::InvalidHeaderName, start));
        }
        let name = Span::new(start, start + i);
        let mut v0 = i + 1;
        while v0 < line.len() && (line[v0] == b' ' || line[v0] == b'\t') {
            v0 += 1;
        }
        let mut v1 = line.len();
        if let Some(k) = find_invalid_value_byte(&line[v0..]) {
            let kind = if line[v0 + k] == b'\r' {
                ErrorKind::BareCr
            } else {
                ErrorKind::InvalidHeaderValue
            };
            return Err(err(kind, start + v0 + k));
        }
        while v1 > v0 && (line[v1 - 1] == b' ' || line[v1 - 1] == b'\t') {
            v1 -= 1;
        }
        if self.headers.len() >= self.max_headers {
            let kind = if self.kind == HeadKind::Trailers {
                ErrorKind::TrailerTooLarge
            } else {
                ErrorKind::TooManyHeaders
            };
            return Err(err(kind, start));
        }
        self.headers.push(HeaderSpan {
            name,
            value: Span::new(start + v0, start + v1),
            folded: false,
        });
        Ok(())
    }

    /// A line starting with whitespace: obs-fold (RFC 9112 §5.2).
    fn continuation(&mut self, buf: &[u8], start: usize, end: usize) -> Result<(), Error> {
        let allowed = self.options.allow_obs_fold && self.kind == HeadKind::Response;
        let Some(last) = self.headers.last_mut().filter(|_| allowed) else {
            return Err(err(ErrorKind::ObsFold, start));
        };
        let line = &buf[start..end];
        if let Some(k) = find_invalid_value_byte(line) {
            return Err(err(ErrorKind::InvalidHeaderValue, start + k));
        }
        let first = line.iter().position(|&c| c != b' ' && c != b'\t');
        if let Some(first) = first {
            let last_byte = line
                .iter()
                .rposition(|&c| c != b' ' && c != b'\t')
                .unwrap_or(first);
            if last.value.start == last.value.end {
                // The value so far is empty: it starts on this line.
                last.value = Span::new(start + first, start + last_byte + 1);
            } else {
                last.value.end = (start + last_byte + 1) as u32;
                last.folded = true;
            }
        }
        Ok(())
    }

    /// The parsed request head. `buf` must be the buffer the parse completed on.
    ///
    /// # Panics
    /// If the parser is not a request parser or the head is not complete.
    pub fn request<'a>(&'a self, buf: &'a [u8]) -> Request<'a> {
        assert!(
            self.kind == HeadKind::Request && self.done.is_some(),
            "request head not complete"
        );
        Request {
            buf,
            start: &self.start,
            headers: Headers {
                buf,
                spans: &self.headers,
            },
        }
    }

    /// The parsed response head. `buf` must be the buffer the parse completed on.
    ///
    /// # Panics
    /// If the parser is not a response parser or the head is not complete.
    pub fn response<'a>(&'a self, buf: &'a [u8]) -> Response<'a> {
        assert!(
            self.kind == HeadKind::Response && self.done.is_some(),
            "response head not complete"
        );
        Response {
            buf,
            start: &self.start,
            headers: Headers {
                buf,
                spans: &self.headers,
            },
        }
    }

    /// The parsed trailer fields (or the header fields of any head).
    pub fn trailers<'a>(&'a self, buf: &'a [u8]) -> Headers<'a> {
        Headers {
            buf,
            spans: &self.headers,
        }
    }

    #[cfg_attr(not(feature = "std"), allow(dead_code))]
    pub(crate) fn start_line_spans(&self) -> StartLine {
        self.start
    }

    #[cfg_attr(not(feature = "std"), allow(dead_code))]
    pub(crate) fn header_spans(&self) -> &[HeaderSpan] {
        &self.headers
    }
}

/// Outcome of [`HeadParser::fast_header_line`].
enum Fast {
    Header,
    End(usize),
    Incomplete,
    Slow,
}

#[inline]
fn err(kind: ErrorKind, at: usize) -> Error {
    Error::new(kind, at as u64)
}

fn parse_version(s: &[u8], at: usize) -> Result<Version, Error> {
    let v = match s.get(..8) {
        Some(v) => v,
        None => return Err(err(ErrorKind::InvalidVersion, at)),
    };
    if &v[..5] != b"HTTP/" || !v[5].is_ascii_digit() || v[6] != b'.' || !v[7].is_ascii_digit() {
        return Err(err(ErrorKind::InvalidVersion, at));
    }
    match (v[5], v[7]) {
        (b'1', b'0') => Ok(Version::Http10),
        (b'1', _) => Ok(Version::Http11),
        _ => Err(err(ErrorKind::UnsupportedVersion, at)),
    }
}

/// RFC 9112 §3.2: origin-form, absolute-form, authority-form (CONNECT only),
/// asterisk-form (OPTIONS only).
fn check_target_form(method: &[u8], target: &[u8], at: usize) -> Result<(), Error> {
    if method == b"CONNECT" {
        return if super::target::is_authority_form(target) {
            Ok(())
        } else {
            Err(err(ErrorKind::InvalidTarget, at))
        };
    }
    match target[0] {
        b'/' => Ok(()),
        b'*' if target.len() == 1 && method == b"OPTIONS" => Ok(()),
        _ if super::target::is_absolute_form(target) => Ok(()),
        _ => Err(err(ErrorKind::InvalidTarget, at)),
    }
}

/// One header field: its name as sent (original case) and its value with
/// surrounding whitespace removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header<'a> {
    /// The field name, in the case it was sent in (always ASCII).
    pub name: &'a str,
    /// The field value: bytes, since obs-text (0x80–0xFF) is allowed.
    pub value: &'a [u8],
    folded: bool,
}

impl<'a> Header<'a> {
    /// A header from its parts (for building requests and responses).
    pub fn new(name: &'a str, value: &'a [u8]) -> Self {
        Header {
            name,
            value,
            folded: false,
        }
    }

    /// The value as UTF-8 text, if it is.
    pub fn value_str(&self) -> Option<&'a str> {
        core::str::from_utf8(self.value).ok()
    }

    /// True when the value spans obsolete line folds (only with
    /// [`ParseOptions::allow_obs_fold`]); [`unfolded_value`](Self::unfolded_value)
    /// then replaces each fold with one space, as RFC 9112 §5.2 says.
    pub fn is_folded(&self) -> bool {
        self.folded
    }

    /// The value with each obsolete line fold (CRLF or LF and the whitespace
    /// after it) replaced by a single space.
    pub fn unfolded_value(&self) -> alloc::borrow::Cow<'a, [u8]> {
        if !self.folded {
            return alloc::borrow::Cow::Borrowed(self.value);
        }
        let mut out = Vec::with_capacity(self.value.len());
        let mut i = 0;
        let v = self.value;
        while i < v.len() {
            if v[i] == b'\r' || v[i] == b'\n' {
                while out.last().is_some_and(|&c| c == b' ' || c == b'\t') {
                    out.pop();
                }
                while i < v.len() && matches!(v[i], b'\r' | b'\n' | b' ' | b'\t') {
                    i += 1;
                }
                out.push(b' ');
            } else {
                out.push(v[i]);
                i += 1;
            }
        }
        alloc::borrow::Cow::Owned(out)
    }
}

/// The header fields of a head, in wire order, borrowed from its buffer.
#[derive(Clone, Copy)]
pub struct Headers<'a> {
    buf: &'a [u8],
    spans: &'a [HeaderSpan],
}

impl<'a> Headers<'a> {
    pub(crate) fn from_parts(buf: &'a [u8], spans: &'a [HeaderSpan]) -> Self {
        Headers { buf, spans }
    }

    pub(crate) fn raw_parts(&self) -> (&'a [u8], &'a [HeaderSpan]) {
        (self.buf, self.spans)
    }

    /// Number of fields (repeated names counted each time).
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// True when there are no fields.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The field at `index` in wire order.
    pub fn at(&self, index: usize) -> Option<Header<'a>> {
        self.spans.get(index).map(|s| self.header(s))
    }

    #[inline]
    fn header(&self, s: &HeaderSpan) -> Header<'a> {
        let name = s.name.of(self.buf);
        Header {
            // Names were checked to be token characters: ASCII.
            name: ascii_str(name),
            value: s.value.of(self.buf),
            folded: s.folded,
        }
    }

    /// All fields in wire order.
    #[inline]
    pub fn iter(&self) -> HeaderIter<'a> {
        HeaderIter {
            headers: *self,
            index: 0,
        }
    }

    /// The value of the first field named `name` (ASCII case-insensitive).
    pub fn get(&self, name: &str) -> Option<&'a [u8]> {
        self.get_all(name).next()
    }

    /// The values of every field named `name`, in wire order.
    pub fn get_all<'n>(&self, name: &'n str) -> impl Iterator<Item = &'a [u8]> + 'n
    where
        'a: 'n,
    {
        let h = *self;
        h.spans
            .iter()
            .filter(move |s| s.name.of(h.buf).eq_ignore_ascii_case(name.as_bytes()))
            .map(move |s| s.value.of(h.buf))
    }

    /// True when a comma-separated field named `name` lists `token`
    /// (case-insensitive), as in `Connection: keep-alive, Upgrade`.
    pub fn has_token(&self, name: &str, token: &str) -> bool {
        self.get_all(name).any(|v| {
            v.split(|&c| c == b',')
                .any(|t| trim_ows(t).eq_ignore_ascii_case(token.as_bytes()))
        })
    }
}

impl fmt::Debug for Headers<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(
                self.iter()
                    .map(|h| (h.name, alloc::string::String::from_utf8_lossy(h.value))),
            )
            .finish()
    }
}

impl<'a> IntoIterator for Headers<'a> {
    type Item = Header<'a>;
    type IntoIter = HeaderIter<'a>;
    fn into_iter(self) -> HeaderIter<'a> {
        self.iter()
    }
}

/// Iterator over [`Headers`].
#[derive(Clone)]
pub struct HeaderIter<'a> {
    headers: Headers<'a>,
    index: usize,
}

impl<'a> Iterator for HeaderIter<'a> {
    type Item = Header<'a>;
    #[inline]
    fn next(&mut self) -> Option<Header<'a>> {
        let s = self.headers.spans.get(self.index)?;
        self.index += 1;
        Some(self.headers.header(s))
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.headers.spans.len() - self.index;
        (n, Some(n))
    }
}

impl ExactSizeIterator for HeaderIter<'_> {}

/// A parsed request head, borrowing its buffer.
#[derive(Clone, Copy)]
pub struct Request<'a> {
    buf: &'a [u8],
    start: &'a StartLine,
    headers: Headers<'a>,
}

impl<'a> Request<'a> {
    pub(crate) fn from_parts(buf: &'a [u8], start: &'a StartLine, spans: &'a [HeaderSpan]) -> Self {
        Request {
            buf,
            start,
            headers: Headers { buf, spans },
        }
    }

    /// The method, case-sensitive as RFC 9110 says (`GET`, not `get`).
    #[inline]
    pub fn method(&self) -> &'a str {
        ascii_str(self.start.method.of(self.buf))
    }

    /// The request-target as sent (visible ASCII).
    #[inline]
    pub fn target(&self) -> &'a str {
        ascii_str(self.start.target.of(self.buf))
    }

    /// The HTTP version.
    pub fn version(&self) -> Version {
        self.start.version.unwrap_or(Version::Http11)
    }

    /// The header fields in wire order.
    #[inline]
    pub fn headers(&self) -> Headers<'a> {
        self.headers
    }
}

impl fmt::Debug for Request<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method())
            .field("target", &self.target())
            .field("version", &self.version())
            .field("headers", &self.headers)
            .finish()
    }
}

/// A parsed response head, borrowing its buffer.
#[derive(Clone, Copy)]
pub struct Response<'a> {
    buf: &'a [u8],
    start: &'a StartLine,
    headers: Headers<'a>,
}

impl<'a> Response<'a> {
    pub(crate) fn from_parts(buf: &'a [u8], start: &'a StartLine, spans: &'a [HeaderSpan]) -> Self {
        Response {
            buf,
            start,
            headers: Headers { buf, spans },
        }
    }

    /// The status code (100–999).
    #[inline]
    pub fn status(&self) -> u16 {
        self.start.status
    }

    /// The reason phrase as sent (possibly empty; may hold obs-text).
    #[inline]
    pub fn reason(&self) -> &'a [u8] {
        self.start.reason.of(self.buf)
    }

    /// The HTTP version.
    pub fn version(&self) -> Version {
        self.start.version.unwrap_or(Version::Http11)
    }

    /// The header fields in wire order.
    #[inline]
    pub fn headers(&self) -> Headers<'a> {
        self.headers
    }
}

impl fmt::Debug for Response<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("status", &self.status())
            .field(
                "reason",
                &alloc::string::String::from_utf8_lossy(self.reason()),
            )
            .field("version", &self.version())
            .field("headers", &self.headers)
            .finish()
    }
}
