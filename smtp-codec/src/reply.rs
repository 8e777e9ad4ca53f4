//! SMTP replies (RFC 5321 §4.2): single and multi-line, with enhanced
//! status codes (RFC 3463, RFC 2034).
//!
//! ```
//! use smtp_codec::reply::{parse_reply, write_reply, EnhancedCode, ReplyLimits};
//!
//! let wire = b"250-mail.example.org\r\n250-PIPELINING\r\n250 SIZE 10240000\r\nQUIT";
//! let (reply, used) = parse_reply(wire, &ReplyLimits::default())?.expect("complete");
//! assert_eq!(used, wire.len() - 4);
//! assert_eq!(reply.code().get(), 250);
//! assert_eq!(reply.lines().count(), 3);
//!
//! let mut out = Vec::new();
//! write_reply(&mut out, 550, Some(EnhancedCode::new(5, 1, 1)), &["No such user"])?;
//! assert_eq!(out, b"550 5.1.1 No such user\r\n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::line::{find_byte, find_control, str_from};

/// A three-digit reply code: first digit 2–5, second 0–5, third 0–9.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ReplyCode(u16);

impl ReplyCode {
    /// A code, if it is in the RFC 5321 §4.2 grammar.
    pub fn new(code: u16) -> Option<Self> {
        let (a, b) = (code / 100, code / 10 % 10);
        ((2..=5).contains(&a) && b <= 5).then_some(ReplyCode(code))
    }

    /// The number.
    pub fn get(self) -> u16 {
        self.0
    }

    /// The first digit: 2 positive, 3 intermediate, 4 transient failure,
    /// 5 permanent failure.
    pub fn class(self) -> u8 {
        (self.0 / 100) as u8
    }

    /// 2xx.
    pub fn is_positive(self) -> bool {
        self.class() == 2
    }

    /// 3xx.
    pub fn is_intermediate(self) -> bool {
        self.class() == 3
    }

    /// 4xx.
    pub fn is_transient(self) -> bool {
        self.class() == 4
    }

    /// 5xx.
    pub fn is_permanent(self) -> bool {
        self.class() == 5
    }
}

impl fmt::Display for ReplyCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// An enhanced status code `class.subject.detail` (RFC 3463).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EnhancedCode {
    /// 2 success, 4 persistent transient failure, 5 permanent failure.
    pub class: u8,
    /// Subject (0–999).
    pub subject: u16,
    /// Detail (0–999).
    pub detail: u16,
}

impl EnhancedCode {
    /// A code from its three parts.
    pub const fn new(class: u8, subject: u16, detail: u16) -> Self {
        EnhancedCode {
            class,
            subject,
            detail,
        }
    }

    /// Parse `c.s.d` at the start of `text`, followed by a space or the
    /// end; returns the code and the bytes it took (with the space).
    #[inline]
    pub fn parse_prefix(text: &[u8]) -> Option<(Self, usize)> {
        let class = match text.first() {
            Some(&c @ (b'2' | b'4' | b'5')) => c - b'0',
            _ => return None,
        };
        if text.get(1) != Some(&b'.') {
            return None;
        }
        let (subject, n1) = digits(&text[2..])?;
        let at = 2 + n1;
        if text.get(at) != Some(&b'.') {
            return None;
        }
        let (detail, n2) = digits(&text[at + 1..])?;
        let end = at + 1 + n2;
        match text.get(end) {
            None => Some((EnhancedCode::new(class, subject, detail), end)),
            Some(b' ') => Some((EnhancedCode::new(class, subject, detail), end + 1)),
            Some(_) => None,
        }
    }
}

/// 1 to 3 digits, and how many.
#[inline(always)]
fn digits(b: &[u8]) -> Option<(u16, usize)> {
    let mut value = 0;
    for (n, &c) in b.iter().take(4).enumerate() {
        if !c.is_ascii_digit() {
            return (n > 0).then_some((value, n));
        }
        value = value * 10 + u16::from(c - b'0');
    }
    // All digits: at most three of them.
    (1..=3).contains(&b.len()).then_some((value, b.len()))
}

impl fmt::Display for EnhancedCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.class, self.subject, self.detail)
    }
}

/// Bounds on a reply, checked as it arrives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReplyLimits {
    /// Longest reply line, counting CRLF. RFC 5321 §4.5.3.1.5 says 512;
    /// real servers send longer text. Default 2048.
    pub max_line: usize,
    /// Most lines in one reply. Default 256 (an EHLO reply lists one
    /// extension per line).
    pub max_lines: usize,
}

impl Default for ReplyLimits {
    fn default() -> Self {
        ReplyLimits {
            max_line: 2048,
            max_lines: 256,
        }
    }
}

/// Why a reply could not be parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplyError {
    /// A line that does not start with a valid code and `-`, space or CRLF.
    #[error("malformed reply line at byte {offset}")]
    Malformed {
        /// Offset in the reply.
        offset: usize,
    },
    /// A line of a multi-line reply with a different code (RFC 5321 §4.2.1).
    #[error("reply code changes within a multi-line reply at byte {offset}")]
    CodeMismatch {
        /// Offset in the reply.
        offset: usize,
    },
    /// A bare CR or LF, NUL or other control in the text.
    #[error("invalid byte in reply text at byte {offset}")]
    InvalidByte {
        /// Offset in the reply.
        offset: usize,
    },
    /// A line over [`ReplyLimits::max_line`].
    #[error("reply line longer than {max} octets")]
    LineTooLong {
        /// The limit.
        max: usize,
    },
    /// More lines than [`ReplyLimits::max_lines`].
    #[error("reply has more than {max} lines")]
    TooManyLines {
        /// The limit.
        max: usize,
    },
}

/// A complete reply, borrowing the bytes it was parsed from.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Reply<'a> {
    code: ReplyCode,
    /// All lines with their CRLFs.
    raw: &'a [u8],
    /// Where the first line's CR is in `raw`.
    first_cr: usize,
}

impl fmt::Debug for Reply<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `first_cr` is known from `raw`.
        f.debug_struct("Reply")
            .field("code", &self.code)
            .field("raw", &self.raw)
            .finish()
    }
}

impl<'a> Reply<'a> {
    /// The reply code.
    #[inline]
    pub fn code(&self) -> ReplyCode {
        self.code
    }

    /// The reply's bytes as received, all lines with their CRLF.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.raw
    }

    /// The text of each line (after `250-` or `250 `), without CRLF. A
    /// line with only the code has empty text.
    #[inline]
    pub fn lines(&self) -> impl Iterator<Item = &'a [u8]> + 'a {
        let raw = self.raw;
        line_spans(raw, self.first_cr).map(move |(start, end)| &raw[start..end])
    }

    /// The text of the first line.
    fn first_line(&self) -> &'a [u8] {
        self.raw.get(4..self.first_cr).unwrap_or(&[])
    }

    /// The enhanced status code at the start of the first line, if it has
    /// one whose class matches the reply code's.
    #[inline]
    pub fn enhanced_code(&self) -> Option<EnhancedCode> {
        EnhancedCode::parse_prefix(self.first_line())
            .map(|(c, _)| c)
            .filter(|c| c.class == self.code.class())
    }

    /// The text of each line with the enhanced status code removed.
    #[inline]
    pub fn text_lines(&self) -> impl Iterator<Item = Cow<'a, str>> + 'a {
        let raw = self.raw;
        let class = self.code.class();
        // The first line's code says whether the lines have one.
        let first = EnhancedCode::parse_prefix(self.first_line()).filter(|(c, _)| c.class == class);
        let (strip, mut skip) = (first.is_some(), first.map_or(0, |(_, n)| n));
        // One UTF-8 check for the text of the whole reply: every line of
        // valid text is a slice of it, cut at ASCII bytes (a code and its
        // separator, CRLF).
        let text = str_from(raw, 4);
        line_spans(raw, self.first_cr).map(move |(start, end)| {
            let start = match core::mem::take(&mut skip) {
                0 if strip => {
                    start + EnhancedCode::parse_prefix(&raw[start..end]).map_or(0, |(_, n)| n)
                }
                n => start + n,
            };
            match text {
                _ if start == end => Cow::Borrowed(""),
                Some(text) => Cow::Borrowed(&text[start - 4..end - 4]),
                None => String::from_utf8_lossy(&raw[start..end]),
            }
        })
    }

    /// Keep the reply past the buffer.
    pub fn to_owned(&self) -> OwnedReply {
        OwnedReply {
            code: self.code,
            enhanced: self.enhanced_code(),
            lines: self.text_lines().map(Cow::into_owned).collect(),
        }
    }
}

/// Where the text of each line of a parsed reply starts and ends in its
/// bytes (after `250-`, before CRLF), the first line's CR being at
/// `first_cr`. A parsed reply has no LF but those that end its lines.
fn line_spans(raw: &[u8], first_cr: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut line = 0;
    let mut cr = Some(first_cr);
    core::iter::from_fn(move || {
        let end = match cr.take() {
            Some(cr) => cr,
            None => line + find_byte(raw.get(line..)?, b'\r')?,
        };
        let start = line + 4;
        line = end + 2;
        // A line that is the code alone (`250` CRLF) has no text.
        Some((start.min(end), end))
    })
}

/// A reply kept past its buffer, or built to be sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OwnedReply {
    /// The reply code.
    pub code: ReplyCode,
    /// The enhanced status code, if the reply had one.
    pub enhanced: Option<EnhancedCode>,
    /// The text lines, without codes.
    pub lines: Vec<String>,
}

impl OwnedReply {
    /// Write it (see [`write_reply`]).
    pub fn write(&self, out: &mut Vec<u8>) -> Result<(), ReplyWriteError> {
        let lines: Vec<&str> = self.lines.iter().map(String::as_str).collect();
        write_reply(out, self.code.get(), self.enhanced, &lines)
    }

    /// The text joined with spaces.
    pub fn text(&self) -> String {
        self.lines.join(" ")
    }
}

impl fmt::Display for OwnedReply {
    /// `550 5.1.1 No such user` (lines joined with spaces).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code)?;
        if let Some(e) = self.enhanced {
            write!(f, " {e}")?;
        }
        for l in &self.lines {
            write!(f, " {l}")?;
        }
        Ok(())
    }
}

/// Take one complete reply from the start of `buf`: `Ok(None)` until its
/// last line has arrived, then the reply and the bytes it used.
#[inline]
pub fn parse_reply<'a>(
    buf: &'a [u8],
    limits: &ReplyLimits,
) -> Result<Option<(Reply<'a>, usize)>, ReplyError> {
    match parse_complete_reply(buf, limits) {
        Some(found) => {
            // The general parser is the grammar; the fast one must agree.
            debug_assert_eq!(parse_reply_in_order(buf, limits), Ok(Some(found)));
            Ok(Some(found))
        }
        None => parse_reply_in_order(buf, limits),
    }
}

/// The common case in one pass: a complete, valid reply at the start of
/// `buf`. Each line is the first line's three digits (a valid code), `-` or
/// a space and text (or CRLF right after the code), then CRLF; the text has
/// no control but HT; the limits hold. Anything else (more to come, an
/// error, a limit) is `None`, and [`parse_reply_in_order`] reads it,
/// checking the bytes in the order they arrive to name the right error.
///
/// The reply is scanned for control bytes eight at a time from end to end;
/// each one found is the CR of a line (or an HT in its text), where the
/// next line's code and separator are checked.
#[inline(always)]
fn parse_complete_reply<'a>(buf: &'a [u8], limits: &ReplyLimits) -> Option<(Reply<'a>, usize)> {
    let digits = *buf.first_chunk::<3>()?;
    let code = reply_code(digits)?;
    let code_bytes = u32::from_le_bytes([digits[0], digits[1], digits[2], 0]);
    let (mut line, mut lines, mut first_cr) = (0, 1, 0);
    let mut sep = *buf.get(3)?;
    let mut at = match sep {
        b' ' | b'-' => 4,
        b'\r' => 3,
        _ => return None,
    };
    loop {
        let found = at + find_control(buf.get(at..)?)?;
        match buf[found] {
            b'\r' => {}
            b'\t' => {
                at = found + 1;
                continue;
            }
            _ => return None,
        }
        // The line, CRLF included, must fit in `max_line`.
        let next = found + 2;
        if buf.get(found + 1) != Some(&b'\n')
            || next - line > limits.max_line
            || lines > limits.max_lines
        {
            return None;
        }
        if lines == 1 {
            first_cr = found;
        }
        // The last line: `250 text` or `250` alone.
        if sep == b' ' || found == line + 3 {
            let raw = &buf[..next];
            return Some((
                Reply {
                    code,
                    raw,
                    first_cr,
                },
                next,
            ));
        }
        // A full set of lines that is not over yet will exceed the limit.
        let header = u32::from_le_bytes(*buf.get(next..)?.first_chunk::<4>()?);
        if lines >= limits.max_lines || header & 0xff_ffff != code_bytes {
            return None;
        }
        sep = (header >> 24) as u8;
        at = match sep {
            b' ' | b'-' => next + 4,
            b'\r' => next + 3,
            _ => return None,
        };
        (line, lines) = (next, lines + 1);
    }
}

/// A reply code from its three digits, if it is one (as [`ReplyCode::new`]).
#[inline]
fn reply_code([a, b, c]: [u8; 3]) -> Option<ReplyCode> {
    let valid = matches!(a, b'2'..=b'5') && matches!(b, b'0'..=b'5') && c.is_ascii_digit();
    valid.then(|| {
        ReplyCode(u16::from(a - b'0') * 100 + u16::from(b - b'0') * 10 + u16::from(c - b'0'))
    })
}

/// [`parse_reply`], byte by byte in the order the bytes arrive, so that an
/// error is the one the shortest erroneous prefix of the input gives.
fn parse_reply_in_order<'a>(
    buf: &'a [u8],
    limits: &ReplyLimits,
) -> Result<Option<(Reply<'a>, usize)>, ReplyError> {
    let mut pos = 0;
    let mut code: Option<ReplyCode> = None;
    let mut lines = 0;
    loop {
        let rest = &buf[pos..];
        // Check what has arrived of the line, even before its end. Bytes
        // past the line limit are not looked at, so every error is the one
        // the shortest erroneous prefix of the input already gives.
        // An LF past the limit would end a line too long anyway.
        let end = memchr::memchr(b'\n', &rest[..rest.len().min(limits.max_line)]);
        let line_len = end.map_or(rest.len(), |e| e + 1);
        let line = &rest[..line_len.min(limits.max_line)];
        // Digits, then the code they make, then the separator: in the
        // order the bytes arrive.
        let head = line.len().min(3);
        check_head(&line[..head], pos)?;
        if line.len() >= 3 {
            let c = u16::from(line[0] - b'0') * 100
                + u16::from(line[1] - b'0') * 10
                + u16::from(line[2] - b'0');
            let c = ReplyCode::new(c).ok_or(ReplyError::Malformed { offset: pos })?;
            if code.is_some_and(|prev| prev != c) {
                return Err(ReplyError::CodeMismatch { offset: pos });
            }
            code = Some(c);
        }
        // A line may be just the code, then CRLF.
        if line.len() >= 4 && !matches!(line[3], b'-' | b' ' | b'\r') {
            return Err(ReplyError::Malformed { offset: pos + 3 });
        }
        if line_len > limits.max_line {
            check_text(line, pos)?;
            return Err(ReplyError::LineTooLong {
                max: limits.max_line,
            });
        }
        let Some(end) = end else {
            check_text(line, pos)?;
            return Ok(None);
        };
        // A complete line: text without controls (checked first, so the
        // error is the one a prefix of the line already gave), then CRLF.
        check_text(&rest[..end], pos)?;
        if end == 0 || rest[end - 1] != b'\r' {
            return Err(ReplyError::InvalidByte { offset: pos + end });
        }
        let content = &rest[..end - 1];
        if content.len() < 3 {
            return Err(ReplyError::Malformed { offset: pos });
        }
        lines += 1;
        if lines > limits.max_lines {
            return Err(ReplyError::TooManyLines {
                max: limits.max_lines,
            });
        }
        pos += end + 1;
        let last = content.len() == 3 || content[3] == b' ';
        // A full set of lines that is not over yet will exceed the limit.
        if !last && lines >= limits.max_lines {
            return Err(ReplyError::TooManyLines {
                max: limits.max_lines,
            });
        }
        if last {
            let code = code.ok_or(ReplyError::Malformed { offset: 0 })?;
            return Ok(Some((
                Reply {
                    code,
                    raw: &buf[..pos],
                    first_cr: find_byte(buf, b'\r').unwrap_or(0),
                },
                pos,
            )));
        }
    }
}

/// The code digits, as far as they have arrived.
fn check_head(head: &[u8], pos: usize) -> Result<(), ReplyError> {
    match head.iter().position(|c| !c.is_ascii_digit()) {
        Some(i) => Err(ReplyError::Malformed { offset: pos + i }),
        None => Ok(()),
    }
}

/// Text after the separator: HT, printable ASCII and 8-bit bytes (UTF-8
/// text under SMTPUTF8); no CR except the final one, no NUL.
fn check_text(line: &[u8], pos: usize) -> Result<(), ReplyError> {
    let Some(text) = line.get(4..) else {
        return Ok(());
    };
    // A final CR is the one of the line's CRLF (perhaps with its LF still
    // to come).
    let text = text.strip_suffix(b"\r").unwrap_or(text);
    match first_control(text) {
        Some(i) => Err(ReplyError::InvalidByte {
            offset: pos + 4 + i,
        }),
        None => Ok(()),
    }
}

/// The first control byte other than HT. Whole 16-byte blocks are checked
/// without an early exit, which the compiler turns into vector compares.
fn first_control(text: &[u8]) -> Option<usize> {
    let bad = |c: u8| (c < 0x20 && c != b'\t') || c == 0x7f;
    let mut blocks = text.chunks_exact(16);
    let mut at = 0;
    for block in &mut blocks {
        if block.iter().fold(false, |any, &c| any | bad(c)) {
            return block.iter().position(|&c| bad(c)).map(|i| at + i);
        }
        at += 16;
    }
    blocks
        .remainder()
        .iter()
        .position(|&c| bad(c))
        .map(|i| at + i)
}

/// Why a reply could not be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ReplyWriteError {
    /// The code is not in the RFC 5321 grammar.
    #[error("invalid reply code {0}")]
    InvalidCode(u16),
    /// The enhanced code's class differs from the reply code's first
    /// digit, or a part is out of range.
    #[error("enhanced status code does not match the reply code")]
    InvalidEnhancedCode,
    /// A control character (CR, LF, NUL, ...) in a text line.
    #[error("control character in reply line {line} at byte {offset}")]
    InvalidText {
        /// Which line.
        line: usize,
        /// Offset in it.
        offset: usize,
    },
}

/// Append a reply to `out`: each line of `lines` becomes one reply line
/// (`code-text` then `code text` for the last), each prefixed with the
/// enhanced code when given (RFC 2034 §4). No line may contain a control
/// character, so text from anywhere cannot add a line. An empty `lines`
/// writes one line with the code alone (plus the enhanced code).
pub fn write_reply(
    out: &mut Vec<u8>,
    code: u16,
    enhanced: Option<EnhancedCode>,
    lines: &[&str],
) -> Result<(), ReplyWriteError> {
    let rc = ReplyCode::new(code).ok_or(ReplyWriteError::InvalidCode(code))?;
    if let Some(e) = enhanced
        && (e.class != rc.class() || e.subject > 999 || e.detail > 999)
    {
        return Err(ReplyWriteError::InvalidEnhancedCode);
    }
    for (line, text) in lines.iter().enumerate() {
        if let Some((offset, _)) = text
            .char_indices()
            .find(|(_, c)| c.is_control() && *c != '\t')
        {
            return Err(ReplyWriteError::InvalidText { line, offset });
        }
    }
    let n = lines.len().max(1);
    for i in 0..n {
        let text = lines.get(i).copied().unwrap_or("");
        let sep = if i + 1 == n { ' ' } else { '-' };
        let mut head = [0u8; 4];
        head[..3].copy_from_slice(&[
            b'0' + (code / 100) as u8,
            b'0' + (code / 10 % 10) as u8,
            b'0' + (code % 10) as u8,
        ]);
        head[3] = sep as u8;
        match (enhanced, text.is_empty()) {
            (None, true) if n == 1 => out.extend_from_slice(&head[..3]),
            _ => out.extend_from_slice(&head),
        }
        if let Some(e) = enhanced {
            let s = alloc::format!("{e}");
            out.extend_from_slice(s.as_bytes());
            if !text.is_empty() {
                out.push(b' ');
            }
        }
        out.extend_from_slice(text.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    fn parse(b: &[u8]) -> Result<Option<(Reply<'_>, usize)>, ReplyError> {
        parse_reply(b, &ReplyLimits::default())
    }

    #[test]
    fn replies() {
        let (r, n) = parse(b"220 ready\r\n").unwrap().unwrap();
        assert_eq!((r.code().get(), n), (220, 11));
        let (r, _) = parse(b"250\r\n").unwrap().unwrap();
        assert_eq!(r.lines().collect::<Vec<_>>(), [b""]);
        assert_eq!(parse(b"250-a\r\n250"), Ok(None));
        assert_eq!(parse(b"250-a\r\n25"), Ok(None));
        assert!(parse(b"250-a\r\n251 b\r\n").is_err());
        assert!(parse(b"250 a\n").is_err());
        assert!(parse(b"250 a\rb\r\n").is_err());
        assert!(parse(b"2x0 a\r\n").is_err());
        assert!(parse(b"250_a\r\n").is_err());
        assert!(parse(b"199 a\r\n").is_err());
        assert!(parse(b"260 a\r\n").is_err());
        assert!(parse(b"25\r\n").is_err());
        let (r, _) = parse(b"550-5.1.1 no\r\n550 5.1.1 such user\r\n")
            .unwrap()
            .unwrap();
        assert_eq!(r.enhanced_code(), Some(EnhancedCode::new(5, 1, 1)));
        assert_eq!(r.to_owned().to_string(), "550 5.1.1 no such user");
        // A class mismatch is text, not a code.
        let (r, _) = parse(b"250 5.1.1 odd\r\n").unwrap().unwrap();
        assert_eq!(r.enhanced_code(), None);
    }

    #[test]
    fn writing() {
        let mut out = Vec::new();
        write_reply(&mut out, 250, None, &["a", "PIPELINING"]).unwrap();
        write_reply(&mut out, 354, None, &[]).unwrap();
        assert_eq!(out, b"250-a\r\n250 PIPELINING\r\n354\r\n");
        assert!(write_reply(&mut out, 250, None, &["a\r\n250 b"]).is_err());
        assert!(write_reply(&mut out, 250, Some(EnhancedCode::new(5, 0, 0)), &["x"]).is_err());
        assert!(write_reply(&mut out, 600, None, &["x"]).is_err());
    }
}
