//! Message body length and connection persistence, per RFC 9112 §6.3 and §9.3.

use super::chars::{is_token, is_token_str, trim_ows};
use super::error::{Error, ErrorKind};
use super::head::{HeaderSpan, Request, Response, Version};
use super::{ClTePolicy, ParseOptions};

/// How the body of a message is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFraming {
    /// No body at all.
    None,
    /// Exactly this many bytes (never 0: a zero length is [`BodyFraming::None`]).
    Length(u64),
    /// The chunked transfer coding.
    Chunked,
    /// Everything until the connection closes (responses only).
    UntilClose,
}

/// What a head says about its body and the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Framing {
    /// How the body is delimited.
    pub body: BodyFraming,
    /// The connection may carry another message after this one, as far as
    /// this message is concerned (RFC 9112 §9.3: HTTP/1.1 unless
    /// `Connection: close`; HTTP/1.0 only with `Connection: keep-alive`;
    /// never after a close-delimited body or a dropped Content-Length).
    pub keep_alive: bool,
    /// A request with `Expect: 100-continue` (HTTP/1.1 only; RFC 9110
    /// §10.1.1 says to ignore it in HTTP/1.0).
    pub expect_continue: bool,
    /// A request asking to switch protocols (`Upgrade` listed in
    /// `Connection`), or CONNECT; for a response, 101 or a 2xx to CONNECT.
    pub upgrade: bool,
    /// The Transfer-Encoding lists codings besides the final `chunked`
    /// (such as `gzip, chunked`): the body is delivered still in them.
    pub other_transfer_codings: bool,
    /// The declared Content-Length, when there is one (for HEAD responses and
    /// 304s it describes the representation, not this message).
    pub content_length: Option<u64>,
}

struct Scan {
    content_length: Option<(u64, usize)>,
    te_at: Option<usize>,
    te_chunked_last: bool,
    te_chunked_count: u32,
    te_other: bool,
    te_elements: u32,
    close: bool,
    keep_alive: bool,
    connection_upgrade: bool,
    upgrade_header: bool,
    expect_continue: bool,
    expect_other: Option<usize>,
}

fn scan(
    buf: &[u8],
    spans: &[HeaderSpan],
    options: &ParseOptions,
    is_request: bool,
) -> Result<Scan, Error> {
    let mut s = Scan {
        content_length: None,
        te_at: None,
        te_chunked_last: false,
        te_chunked_count: 0,
        te_other: false,
        te_elements: 0,
        close: false,
        keep_alive: false,
        connection_upgrade: false,
        upgrade_header: false,
        expect_continue: false,
        expect_other: None,
    };
    for h in spans {
        let name = h.name.of(buf);
        let value = h.value.of(buf);
        let at = h.value.start as usize;
        // Dispatch on length first: most headers are none of these.
        match name.len() {
            14 if name.eq_ignore_ascii_case(b"content-length") => {
                for element in value.split(|&c| c == b',') {
                    let n = parse_content_length(trim_ows(element))
                        .ok_or(Error::new(ErrorKind::InvalidContentLength, at as u64))?;
                    match s.content_length {
                        None => s.content_length = Some((n, at)),
                        Some((m, _)) if m == n && options.allow_identical_content_lengths => {}
                        Some(_) => {
                            return Err(Error::new(ErrorKind::DuplicateContentLength, at as u64));
                        }
                    }
                }
            }
            17 if name.eq_ignore_ascii_case(b"transfer-encoding") => {
                if s.te_at.is_none() {
                    s.te_at = Some(at);
                }
                for element in value.split(|&c| c == b',') {
                    let element = trim_ows(element);
                    if element.is_empty() {
                        continue;
                    }
                    // transfer-coding = token *( OWS ";" OWS transfer-parameter )
                    let coding_end = element
                        .iter()
                        .position(|&c| !is_token(c))
                        .unwrap_or(element.len());
                    let coding = &element[..coding_end];
                    if coding.is_empty() || !transfer_params_ok(&element[coding_end..]) {
                        return Err(Error::new(ErrorKind::InvalidTransferEncoding, at as u64));
                    }
                    s.te_elements += 1;
                    if coding.eq_ignore_ascii_case(b"chunked") {
                        if coding_end != element.len() {
                            // chunked takes no parameters.
                            return Err(Error::new(ErrorKind::InvalidTransferEncoding, at as u64));
                        }
                        s.te_chunked_count += 1;
                        s.te_chunked_last = true;
                    } else {
                        s.te_other = true;
                        s.te_chunked_last = false;
                    }
                }
            }
            10 if name.eq_ignore_ascii_case(b"connection") => {
                for element in value.split(|&c| c == b',') {
                    let t = trim_ows(element);
                    if t.eq_ignore_ascii_case(b"close") {
                        s.close = true;
                    } else if t.eq_ignore_ascii_case(b"keep-alive") {
                        s.keep_alive = true;
                    } else if t.eq_ignore_ascii_case(b"upgrade") {
                        s.connection_upgrade = true;
                    }
                }
            }
            7 if name.eq_ignore_ascii_case(b"upgrade") => s.upgrade_header = true,
            6 if is_request && name.eq_ignore_ascii_case(b"expect") => {
                for element in value.split(|&c| c == b',') {
                    let t = trim_ows(element);
                    if t.eq_ignore_ascii_case(b"100-continue") {
                        s.expect_continue = true;
                    } else if !t.is_empty() && s.expect_other.is_none() {
                        s.expect_other = Some(at);
                    }
                }
            }
            _ => {}
        }
    }
    Ok(s)
}

fn transfer_params_ok(mut rest: &[u8]) -> bool {
    // *( OWS ";" OWS token "=" ( token / quoted-string ) ), checked loosely
    // for shape: the parameters are never interpreted.
    while !rest.is_empty() {
        let r = trim_ows(rest);
        let Some(r) = r.strip_prefix(b";") else {
            return false;
        };
        let r = trim_ows(r);
        let end = r.iter().position(|&c| c == b';').unwrap_or(r.len());
        let param = &r[..end];
        let Some(eq) = param.iter().position(|&c| c == b'=') else {
            return false;
        };
        if !is_token_str(trim_ows(&param[..eq])) || trim_ows(&param[eq + 1..]).is_empty() {
            return false;
        }
        rest = &r[end..];
    }
    true
}

/// `1*DIGIT` without sign, without overflow. Leading zeros are a plain decimal.
pub(crate) fn parse_content_length(s: &[u8]) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let mut n: u64 = 0;
    for &c in s {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
    }
    Some(n)
}

fn persistent(version: Version, s: &Scan) -> bool {
    match version {
        Version::Http11 => !s.close,
        Version::Http10 => s.keep_alive && !s.close,
    }
}

impl Framing {
    /// The framing of a request (RFC 9112 §6.3, rules 3–7).
    ///
    /// Errors: Transfer-Encoding in HTTP/1.0; Transfer-Encoding with
    /// Content-Length (unless [`ClTePolicy::DropAndClose`]); a
    /// Transfer-Encoding not ending in exactly one `chunked`; an invalid or
    /// repeated Content-Length; an `Expect` other than `100-continue`.
    ///
    /// ```
    /// use http_codec::h1::{BodyFraming, Framing, HeadKind, HeadParser, Limits, ParseOptions};
    ///
    /// let wire = b"POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
    /// let mut parser = HeadParser::new(HeadKind::Request, ParseOptions::default(), &Limits::default());
    /// parser.parse(wire)?;
    /// let framing = Framing::of_request(&parser.request(wire), &ParseOptions::default())?;
    /// assert_eq!(framing.body, BodyFraming::Chunked);
    /// assert!(framing.keep_alive);
    /// # Ok::<(), http_codec::h1::Error>(())
    /// ```
    pub fn of_request(request: &Request<'_>, options: &ParseOptions) -> Result<Framing, Error> {
        let (buf, spans) = request.headers().raw_parts();
        let s = scan(buf, spans, options, true)?;
        let version = request.version();
        let mut keep_alive = persistent(version, &s);
        let body = if let Some(te_at) = s.te_at {
            if version == Version::Http10 {
                return Err(Error::new(
                    ErrorKind::TransferEncodingOnHttp10,
                    te_at as u64,
                ));
            }
            if let Some((_, cl_at)) = s.content_length {
                match options.content_length_with_transfer_encoding {
                    ClTePolicy::Reject => {
                        return Err(Error::new(
                            ErrorKind::ContentLengthWithTransferEncoding,
                            cl_at as u64,
                        ));
                    }
                    ClTePolicy::DropAndClose => keep_alive = false,
                }
            }
            if s.te_elements == 0 || !s.te_chunked_last || s.te_chunked_count != 1 {
                return Err(Error::new(ErrorKind::InvalidTransferEncoding, te_at as u64));
            }
            BodyFraming::Chunked
        } else {
            match s.content_length {
                Some((0, _)) | None => BodyFraming::None,
                Some((n, _)) => BodyFraming::Length(n),
            }
        };
        if let Some(at) = s.expect_other
            && version == Version::Http11
        {
            return Err(Error::new(ErrorKind::UnsupportedExpectation, at as u64));
        }
        let connect = request.method() == "CONNECT";
        if connect && (s.te_at.is_some() || s.content_length.is_some_and(|(n, _)| n > 0)) {
            let at = s.te_at.or(s.content_length.map(|(_, at)| at)).unwrap_or(0);
            return Err(Error::new(ErrorKind::ConnectWithBody, at as u64));
        }
        // RFC 9110 §7.8: Upgrade in an HTTP/1.0 request is ignored.
        let upgrade =
            connect || (s.upgrade_header && s.connection_upgrade && version == Version::Http11);
        Ok(Framing {
            body,
            keep_alive,
            expect_continue: s.expect_continue && version == Version::Http11,
            upgrade,
            other_transfer_codings: s.te_other,
            content_length: s.content_length.map(|(n, _)| n),
        })
    }

    /// The framing of a response to a request with `request_method`
    /// (RFC 9112 §6.3, rules 1–7).
    ///
    /// HEAD responses, 1xx, 204 and 304 have no body; a 2xx to CONNECT is a
    /// tunnel; Transfer-Encoding ending in `chunked` wins over Content-Length
    /// (and the connection then closes after the response); another
    /// Transfer-Encoding, or neither header, means the body runs until close.
    pub fn of_response(
        response: &Response<'_>,
        request_method: &str,
        options: &ParseOptions,
    ) -> Result<Framing, Error> {
        let (buf, spans) = response.headers().raw_parts();
        let s = scan(buf, spans, options, false)?;
        let version = response.version();
        let status = response.status();
        let mut keep_alive = persistent(version, &s);
        let connect_ok = request_method == "CONNECT" && (200..300).contains(&status);
        let no_body = request_method == "HEAD"
            || status < 200
            || status == 204
            || status == 304
            || connect_ok;
        let body = if no_body {
            BodyFraming::None
        } else if let Some(te_at) = s.te_at {
            if version == Version::Http10 {
                return Err(Error::new(
                    ErrorKind::TransferEncodingOnHttp10,
                    te_at as u64,
                ));
            }
            if s.content_length.is_some() {
                keep_alive = false;
            }
            if s.te_chunked_last && s.te_chunked_count == 1 {
                BodyFraming::Chunked
            } else {
                keep_alive = false;
                BodyFraming::UntilClose
            }
        } else {
            match s.content_length {
                Some((0, _)) => BodyFraming::None,
                Some((n, _)) => BodyFraming::Length(n),
                None => {
                    keep_alive = false;
                    BodyFraming::UntilClose
                }
            }
        };
        Ok(Framing {
            body,
            keep_alive,
            expect_continue: false,
            upgrade: status == 101 || connect_ok,
            other_transfer_codings: s.te_other && !no_body,
            content_length: s.content_length.map(|(n, _)| n),
        })
    }
}
