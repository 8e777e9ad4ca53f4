//! Streaming body decoding: Content-Length, chunked (RFC 9112 §7.1), until close.

use alloc::vec::Vec;

use super::chars::is_token;
use super::error::{Error, ErrorKind};
use super::framing::BodyFraming;
use super::head::{HeadKind, HeadParser, Headers};
use super::{Limits, ParseOptions};

/// One step of body decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyChunk<'a> {
    /// Body bytes, borrowed from the input (chunk framing removed).
    Data(&'a [u8]),
    /// The body is complete. With chunked coding, the trailer fields are in
    /// [`BodyDecoder::trailers`].
    End,
    /// All input was consumed; more is needed.
    NeedMore,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Chunk {
    /// Reading hex digits (at least one seen when `digits > 0`).
    Size,
    /// Whitespace after the size, which must lead to `;`.
    BwsBeforeSemi,
    ExtBeforeName,
    ExtName,
    ExtAfterName,
    ExtBeforeValue,
    ExtToken,
    ExtQuoted,
    ExtQuotedEscape,
    ExtAfterQuoted,
    /// CR seen at the end of the size line.
    SizeLf,
    Data,
    DataCr,
    DataLf,
    Trailers,
    Done,
}

/// A streaming decoder for the chunked transfer coding.
///
/// Chunk sizes are read without overflow, chunk extensions are checked
/// against the RFC 9112 grammar and counted against
/// [`Limits::max_chunk_extensions`], and the trailer section is parsed like a
/// header section, bounded by [`Limits::max_trailer_size`].
#[derive(Debug, Clone)]
pub struct ChunkedDecoder {
    state: Chunk,
    size: u64,
    digits: u32,
    remaining: u64,
    ext_len: usize,
    max_ext: usize,
    allow_bare_lf: bool,
    options: ParseOptions,
    max_trailer_size: usize,
    max_headers: usize,
    /// Created when a trailer section with fields arrives (rare), so the
    /// decoder stays small and allocation-free otherwise.
    trailer: Option<alloc::boxed::Box<TrailerSection>>,
    /// Offset of the next input byte, counted from the start of the body.
    offset: u64,
}

impl ChunkedDecoder {
    /// A decoder with `options` (bare LF) and `limits` (extensions, trailers).
    pub fn new(options: ParseOptions, limits: &Limits) -> Self {
        ChunkedDecoder {
            state: Chunk::Size,
            size: 0,
            digits: 0,
            remaining: 0,
            ext_len: 0,
            max_ext: limits.max_chunk_extensions,
            allow_bare_lf: options.allow_bare_lf,
            options,
            max_trailer_size: limits.max_trailer_size,
            max_headers: limits.max_headers,
            trailer: None,
            offset: 0,
        }
    }

    /// True once the last chunk and the trailer section were read.
    pub fn is_done(&self) -> bool {
        self.state == Chunk::Done
    }

    /// The trailer fields, once [`is_done`](Self::is_done).
    pub fn trailers(&self) -> Option<Headers<'_>> {
        (self.state == Chunk::Done).then(|| match &self.trailer {
            Some(t) => t.parser.trailers(&t.buf),
            None => Headers::from_parts(&[], &[]),
        })
    }

    fn fail(&self, kind: ErrorKind, i: usize) -> Error {
        Error::new(kind, self.offset + i as u64)
    }

    /// Decodes from `input`: returns how many bytes were consumed and what
    /// they gave. Call again with the unconsumed rest; `NeedMore` means all
    /// of `input` was used.
    pub fn decode<'a>(&mut self, input: &'a [u8]) -> Result<(usize, BodyChunk<'a>), Error> {
        let r = self.decode_inner(input);
        if let Ok((n, _)) = r {
            self.offset += n as u64;
        }
        r
    }

    fn decode_inner<'a>(&mut self, input: &'a [u8]) -> Result<(usize, BodyChunk<'a>), Error> {
        let mut i = 0;
        while i < input.len() {
            // Fast paths for the common shapes: a plain `hex CRLF` size line
            // and the CRLF after chunk data.
            match self.state {
                Chunk::DataCr if input[i..].starts_with(b"\r\n") => {
                    self.state = Chunk::Size;
                    i += 2;
                    continue;
                }
                Chunk::Size if self.digits == 0 => {
                    let rest = &input[i..];
                    let n = rest
                        .iter()
                        .take(16)
                        .take_while(|c| c.is_ascii_hexdigit())
                        .count();
                    if n > 0 && rest.get(n..n + 2) == Some(b"\r\n") {
                        self.size = rest[..n].iter().fold(0u64, |acc, &c| {
                            (acc << 4) | u64::from(hex_value(c).unwrap_or(0))
                        });
                        self.digits = n as u32;
                        self.end_size_line();
                        i += n + 2;
                        continue;
                    }
                }
                _ => {}
            }
            let c = input[i];
            match self.state {
                Chunk::Data => {
                    let avail = (input.len() - i) as u64;
                    let take = self.remaining.min(avail) as usize;
                    self.remaining -= take as u64;
                    if self.remaining == 0 {
                        self.state = Chunk::DataCr;
                    }
                    return Ok((i + take, BodyChunk::Data(&input[i..i + take])));
                }
                Chunk::Trailers => return self.trailers_step(input, i),
                Chunk::Done => return Ok((i, BodyChunk::End)),
                Chunk::Size => {
                    if let Some(d) = hex_value(c) {
                        self.digits += 1;
                        if self.size > u64::MAX >> 4 {
                            return Err(self.fail(ErrorKind::ChunkSizeOverflow, i));
                        }
                        if self.digits > 64 {
                            return Err(self.fail(ErrorKind::InvalidChunkSize, i));
                        }
                        self.size = (self.size << 4) | u64::from(d);
                    } else if self.digits == 0 {
                        return Err(self.fail(ErrorKind::InvalidChunkSize, i));
                    } else {
                        match c {
                            b'\r' => self.state = Chunk::SizeLf,
                            b'\n' if self.allow_bare_lf => self.end_size_line(),
                            b';' => self.ext(Chunk::ExtBeforeName, i)?,
                            b' ' | b'\t' => self.ext(Chunk::BwsBeforeSemi, i)?,
                            _ => return Err(self.fail(ErrorKind::InvalidChunkSize, i)),
                        }
                    }
                }
                Chunk::BwsBeforeSemi => match c {
                    b' ' | b'\t' => self.ext(Chunk::BwsBeforeSemi, i)?,
                    b';' => self.ext(Chunk::ExtBeforeName, i)?,
                    _ => return Err(self.fail(ErrorKind::InvalidChunkSize, i)),
                },
                Chunk::ExtBeforeName => match c {
                    b' ' | b'\t' => self.ext(Chunk::ExtBeforeName, i)?,
                    c if is_token(c) => self.ext(Chunk::ExtName, i)?,
                    _ => return Err(self.fail(ErrorKind::InvalidChunkExtension, i)),
                },
                Chunk::ExtName => match c {
                    c if is_token(c) => self.ext(Chunk::ExtName, i)?,
                    b' ' | b'\t' => self.ext(Chunk::ExtAfterName, i)?,
                    b'=' => self.ext(Chunk::ExtBeforeValue, i)?,
                    b';' => self.ext(Chunk::ExtBeforeName, i)?,
                    b'\r' => self.state = Chunk::SizeLf,
                    b'\n' if self.allow_bare_lf => self.end_size_line(),
                    _ => return Err(self.fail(ErrorKind::InvalidChunkExtension, i)),
                },
                Chunk::ExtAfterName => match c {
                    b' ' | b'\t' => self.ext(Chunk::ExtAfterName, i)?,
                    b'=' => self.ext(Chunk::ExtBeforeValue, i)?,
                    b';' => self.ext(Chunk::ExtBeforeName, i)?,
                    _ => return Err(self.fail(ErrorKind::InvalidChunkExtension, i)),
                },
                Chunk::ExtBeforeValue => match c {
                    b' ' | b'\t' => self.ext(Chunk::ExtBeforeValue, i)?,
                    b'"' => self.ext(Chunk::ExtQuoted, i)?,
                    c if is_token(c) => self.ext(Chunk::ExtToken, i)?,
                    _ => return Err(self.fail(ErrorKind::InvalidChunkExtension, i)),
                },
                Chunk::ExtToken => match c {
                    c if is_token(c) => self.ext(Chunk::ExtToken, i)?,
                    b' ' | b'\t' => self.ext(Chunk::BwsBeforeSemi, i)?,
                    b';' => self.ext(Chunk::ExtBeforeName, i)?,
                    b'\r' => self.state = Chunk::SizeLf,
                    b'\n' if self.allow_bare_lf => self.end_size_line(),
                    _ => return Err(self.fail(ErrorKind::InvalidChunkExtension, i)),
                },
                Chunk::ExtQuoted => match c {
                    b'"' => self.ext(Chunk::ExtAfterQuoted, i)?,
                    b'\\' => self.ext(Chunk::ExtQuotedEscape, i)?,
                    b'\t' | b' ' | 0x21 | 0x23..=0x5b | 0x5d..=0x7e | 0x80..=0xff => {
                        self.ext(Chunk::ExtQuoted, i)?
                    }
                    _ => return Err(self.fail(ErrorKind::InvalidChunkExtension, i)),
                },
                Chunk::ExtQuotedEscape => match c {
                    b'\t' | b' ' | 0x21..=0x7e | 0x80..=0xff => self.ext(Chunk::ExtQuoted, i)?,
                    _ => return Err(self.fail(ErrorKind::InvalidChunkExtension, i)),
                },
                Chunk::ExtAfterQuoted => match c {
                    b' ' | b'\t' => self.ext(Chunk::BwsBeforeSemi, i)?,
                    b';' => self.ext(Chunk::ExtBeforeName, i)?,
                    b'\r' => self.state = Chunk::SizeLf,
                    b'\n' if self.allow_bare_lf => self.end_size_line(),
                    _ => return Err(self.fail(ErrorKind::InvalidChunkExtension, i)),
                },
                Chunk::SizeLf => {
                    if c != b'\n' {
                        return Err(self.fail(ErrorKind::BareCr, i));
                    }
                    self.end_size_line();
                }
                Chunk::DataCr => match c {
                    b'\r' => self.state = Chunk::DataLf,
                    b'\n' if self.allow_bare_lf => self.state = Chunk::Size,
                    _ => return Err(self.fail(ErrorKind::MissingChunkCrlf, i)),
                },
                Chunk::DataLf => {
                    if c != b'\n' {
                        return Err(self.fail(ErrorKind::MissingChunkCrlf, i));
                    }
                    self.state = Chunk::Size;
                }
            }
            i += 1;
        }
        Ok((
            i,
            if self.state == Chunk::Done {
                BodyChunk::End
            } else {
                BodyChunk::NeedMore
            },
        ))
    }

    #[inline]
    fn ext(&mut self, next: Chunk, i: usize) -> Result<(), Error> {
        self.ext_len += 1;
        if self.ext_len > self.max_ext {
            return Err(self.fail(ErrorKind::ChunkExtensionTooLong, i));
        }
        self.state = next;
        Ok(())
    }

    fn end_size_line(&mut self) {
        if self.size == 0 {
            self.state = Chunk::Trailers;
        } else {
            self.remaining = self.size;
            self.state = Chunk::Data;
        }
        self.size = 0;
        self.digits = 0;
    }

    fn trailers_step<'a>(
        &mut self,
        input: &'a [u8],
        i: usize,
    ) -> Result<(usize, BodyChunk<'a>), Error> {
        let rest = &input[i..];
        // The common case: no trailer fields, the final CRLF at hand.
        if self.trailer.is_none()
            && (rest.starts_with(b"\r\n") || (self.allow_bare_lf && rest.starts_with(b"\n")))
        {
            let n = if rest[0] == b'\r' { 2 } else { 1 };
            self.state = Chunk::Done;
            return Ok((i + n, BodyChunk::End));
        }
        let (options, max_trailer_size, max_headers) =
            (self.options, self.max_trailer_size, self.max_headers);
        let t = self.trailer.get_or_insert_with(|| {
            let limits = Limits {
                max_trailer_size,
                max_headers,
                ..Limits::default()
            };
            alloc::boxed::Box::new(TrailerSection {
                buf: Vec::new(),
                parser: HeadParser::new(HeadKind::Trailers, options, &limits),
            })
        });
        let before = t.buf.len();
        // Never buffer more than the limit allows (plus the byte that breaks it).
        let room = max_trailer_size.saturating_add(1).saturating_sub(before);
        t.buf.extend_from_slice(&rest[..rest.len().min(room)]);
        let base = self.offset + i as u64 - before as u64;
        match t.parser.parse(&t.buf) {
            Ok(Some(n)) => {
                t.buf.truncate(n);
                self.state = Chunk::Done;
                Ok((i + (n - before), BodyChunk::End))
            }
            Ok(None) => Ok((input.len(), BodyChunk::NeedMore)),
            Err(e) => Err(e.shifted(base)),
        }
    }
}

/// A trailer section being read: its bytes and their parser.
#[derive(Debug, Clone)]
struct TrailerSection {
    buf: Vec<u8>,
    parser: HeadParser,
}

#[inline]
fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

#[derive(Debug, Clone)]
enum Kind {
    None,
    Length(u64),
    Chunked(ChunkedDecoder),
    UntilClose,
    Done,
}

/// A streaming decoder for a message body of any [`BodyFraming`].
///
/// Data comes out as slices of the input (no copies); the body-size limit
/// is enforced as bytes arrive, and up front for a declared length.
///
/// ```
/// use http_codec::h1::{BodyChunk, BodyDecoder, BodyFraming, Limits, ParseOptions};
///
/// let mut body = BodyDecoder::new(BodyFraming::Chunked, ParseOptions::default(), &Limits::default())?;
/// let mut input: &[u8] = b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Sum: 1\r\n\r\n";
/// let mut text = Vec::new();
/// loop {
///     let (used, chunk) = body.decode(input)?;
///     input = &input[used..];
///     match chunk {
///         BodyChunk::Data(d) => text.extend_from_slice(d),
///         BodyChunk::End => break,
///         BodyChunk::NeedMore => unreachable!("the whole body was given"),
///     }
/// }
/// assert_eq!(text, b"hello world");
/// assert_eq!(body.trailers().unwrap().get("x-sum"), Some(&b"1"[..]));
/// # Ok::<(), http_codec::h1::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct BodyDecoder {
    kind: Kind,
    received: u64,
    max: Option<u64>,
}

impl BodyDecoder {
    /// A decoder for `framing`. Fails with `BodyTooLarge` at once when a
    /// declared length exceeds [`Limits::max_body_size`].
    pub fn new(
        framing: BodyFraming,
        options: ParseOptions,
        limits: &Limits,
    ) -> Result<Self, Error> {
        let kind = match framing {
            BodyFraming::None => Kind::None,
            BodyFraming::Length(n) => {
                if limits.max_body_size.is_some_and(|max| n > max) {
                    return Err(Error::new(ErrorKind::BodyTooLarge, 0));
                }
                Kind::Length(n)
            }
            BodyFraming::Chunked => Kind::Chunked(ChunkedDecoder::new(options, limits)),
            BodyFraming::UntilClose => Kind::UntilClose,
        };
        Ok(BodyDecoder {
            kind,
            received: 0,
            max: limits.max_body_size,
        })
    }

    /// True once the body is complete.
    pub fn is_done(&self) -> bool {
        match &self.kind {
            Kind::None | Kind::Done => true,
            Kind::Chunked(c) => c.is_done(),
            _ => false,
        }
    }

    /// Body bytes delivered so far.
    pub fn received(&self) -> u64 {
        self.received
    }

    /// Body bytes still expected, when known (Content-Length bodies).
    pub fn remaining(&self) -> Option<u64> {
        match self.kind {
            Kind::Length(n) => Some(n),
            Kind::None | Kind::Done => Some(0),
            _ => None,
        }
    }

    /// The trailer fields of a finished chunked body.
    pub fn trailers(&self) -> Option<Headers<'_>> {
        match &self.kind {
            Kind::Chunked(c) => c.trailers(),
            _ => None,
        }
    }

    /// Decodes from `input`; see [`ChunkedDecoder::decode`].
    pub fn decode<'a>(&mut self, input: &'a [u8]) -> Result<(usize, BodyChunk<'a>), Error> {
        let (used, chunk) = match &mut self.kind {
            Kind::None | Kind::Done => return Ok((0, BodyChunk::End)),
            Kind::Length(n) => {
                if input.is_empty() {
                    return Ok((0, BodyChunk::NeedMore));
                }
                let take = (*n).min(input.len() as u64) as usize;
                *n -= take as u64;
                if *n == 0 {
                    self.kind = Kind::Done;
                }
                (take, BodyChunk::Data(&input[..take]))
            }
            Kind::Chunked(c) => c.decode(input)?,
            Kind::UntilClose => {
                if input.is_empty() {
                    return Ok((0, BodyChunk::NeedMore));
                }
                (input.len(), BodyChunk::Data(input))
            }
        };
        if let BodyChunk::Data(d) = chunk {
            self.received += d.len() as u64;
            if self.max.is_some_and(|max| self.received > max) {
                return Err(Error::new(
                    ErrorKind::BodyTooLarge,
                    self.received - d.len() as u64,
                ));
            }
        }
        Ok((used, chunk))
    }

    /// The connection closed: completes a close-delimited body, or fails with
    /// `UnexpectedEof` for an unfinished one.
    pub fn finish(&mut self) -> Result<(), Error> {
        match self.kind {
            Kind::UntilClose => {
                self.kind = Kind::Done;
                Ok(())
            }
            _ if self.is_done() => Ok(()),
            _ => Err(Error::new(ErrorKind::UnexpectedEof, self.received)),
        }
    }
}

/// Writes the size line of a chunk of `len` bytes (`len` must not be 0: a
/// zero-size chunk is the last chunk).
pub fn write_chunk_header(len: usize, out: &mut Vec<u8>) {
    debug_assert!(len > 0);
    let mut digits = [0u8; 16];
    let mut n = len;
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b"0123456789abcdef"[n & 15];
        n >>= 4;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[i..]);
    out.extend_from_slice(b"\r\n");
}

/// Writes one whole chunk: size line, data, CRLF. Nothing for empty data
/// (an empty chunk would end the body).
pub fn write_chunk(data: &[u8], out: &mut Vec<u8>) {
    if data.is_empty() {
        return;
    }
    write_chunk_header(data.len(), out);
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
}
