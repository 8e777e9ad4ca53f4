//! Finding the end of a command or reply line in a byte stream.
//!
//! SMTP lines end in CRLF. A bare LF or a CR not followed by LF follows a
//! [`LineEndingPolicy`]: rejected by default, as Postfix does since 3.9.

use crate::data::LineEndingPolicy;

/// A complete line found in a buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    /// Length of the line's content, without its ending.
    pub len: usize,
    /// Bytes consumed: the content and its ending.
    pub consumed: usize,
}

/// Why no line could be taken from the buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LineError {
    /// The line is longer than the limit, counting its CRLF.
    #[error("line longer than {max} octets")]
    TooLong {
        /// The limit.
        max: usize,
    },
    /// A bare CR or LF under [`LineEndingPolicy::Reject`], at this offset.
    #[error("bare {} at byte {offset} of the line", if *byte == b'\r' { "CR" } else { "LF" })]
    BareLineEnding {
        /// Offset in the line.
        offset: usize,
        /// `b'\r'` or `b'\n'`.
        byte: u8,
    },
    /// A NUL byte, at this offset of the line.
    #[error("NUL at byte {offset} of the line")]
    Nul {
        /// Offset in the line.
        offset: usize,
    },
}

/// Take the first line of `buf`.
///
/// `scanned` is how many bytes of `buf` an earlier call already looked at
/// without finding an end (pass 0 at first; the return value's `Ok(None)`
/// means "all of `buf` scanned"), so feeding a long line a byte at a time
/// stays linear. `max` counts the line ending.
///
/// Under [`LineEndingPolicy::Normalize`] and [`LineEndingPolicy::Allow`] a
/// bare LF ends the line as CRLF would (that is what lenient servers do with
/// commands); a bare CR is kept in the line, where the command grammar then
/// refuses it.
///
/// ```
/// use smtp_codec::data::LineEndingPolicy;
/// use smtp_codec::line::{take_line, Line, LineError};
///
/// assert_eq!(take_line(b"NOOP\r\nQUIT", 0, LineEndingPolicy::Reject, 512), Ok(Some(Line { len: 4, consumed: 6 })));
/// assert_eq!(take_line(b"NOOP\r", 0, LineEndingPolicy::Reject, 512), Ok(None));
/// assert!(matches!(take_line(b"NOOP\n", 0, LineEndingPolicy::Reject, 512), Err(LineError::BareLineEnding { offset: 4, .. })));
/// ```
pub fn take_line(
    buf: &[u8],
    scanned: usize,
    policy: LineEndingPolicy,
    max: usize,
) -> Result<Option<Line>, LineError> {
    // Re-examine the last scanned byte: it may be a CR whose LF just came.
    let mut from = scanned.saturating_sub(1).min(buf.len());
    loop {
        let Some(pos) = memchr::memchr3(b'\r', b'\n', 0, &buf[from..]).map(|p| p + from) else {
            return if buf.len() >= max {
                Err(LineError::TooLong { max })
            } else {
                Ok(None)
            };
        };
        // A line already over the limit is that, whatever byte comes
        // next: the answer must not depend on where the input was split.
        if pos >= max {
            return Err(LineError::TooLong { max });
        }
        match buf[pos] {
            0 => return Err(LineError::Nul { offset: pos }),
            b'\n' => {
                if pos + 1 > max {
                    return Err(LineError::TooLong { max });
                }
                if policy == LineEndingPolicy::Reject {
                    return Err(LineError::BareLineEnding {
                        offset: pos,
                        byte: b'\n',
                    });
                }
                return Ok(Some(Line {
                    len: pos,
                    consumed: pos + 1,
                }));
            }
            _ => match buf.get(pos + 1) {
                Some(b'\n') => {
                    if pos + 2 > max {
                        return Err(LineError::TooLong { max });
                    }
                    return Ok(Some(Line {
                        len: pos,
                        consumed: pos + 2,
                    }));
                }
                Some(_) => {
                    if policy == LineEndingPolicy::Reject {
                        return Err(LineError::BareLineEnding {
                            offset: pos,
                            byte: b'\r',
                        });
                    }
                    from = pos + 1;
                }
                None => {
                    return if pos + 2 > max {
                        Err(LineError::TooLong { max })
                    } else {
                        Ok(None)
                    };
                }
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use LineEndingPolicy::*;

    #[test]
    fn lines() {
        assert_eq!(take_line(b"", 0, Reject, 10), Ok(None));
        assert_eq!(
            take_line(b"\r\n", 0, Reject, 10),
            Ok(Some(Line {
                len: 0,
                consumed: 2
            }))
        );
        assert_eq!(
            take_line(b"ab\nc", 0, Normalize, 10),
            Ok(Some(Line {
                len: 2,
                consumed: 3
            }))
        );
        assert_eq!(
            take_line(b"a\rb\r\n", 0, Allow, 10),
            Ok(Some(Line {
                len: 3,
                consumed: 5
            }))
        );
        assert!(take_line(b"a\rb\r\n", 0, Reject, 10).is_err());
        assert_eq!(
            take_line(b"a\0b", 0, Allow, 10),
            Err(LineError::Nul { offset: 1 })
        );
        assert_eq!(
            take_line(b"12345678\r\n", 0, Reject, 10),
            Ok(Some(Line {
                len: 8,
                consumed: 10
            }))
        );
        assert_eq!(
            take_line(b"123456789\r\n", 0, Reject, 10),
            Err(LineError::TooLong { max: 10 })
        );
        assert_eq!(
            take_line(b"123456789\r", 0, Reject, 10),
            Err(LineError::TooLong { max: 10 })
        );
        assert_eq!(
            take_line(b"1234567890", 0, Reject, 10),
            Err(LineError::TooLong { max: 10 })
        );
        // Resuming after a CR that was the last byte.
        assert_eq!(take_line(b"ab\r", 0, Reject, 10), Ok(None));
        assert_eq!(
            take_line(b"ab\r\n", 3, Reject, 10),
            Ok(Some(Line {
                len: 2,
                consumed: 4
            }))
        );
    }
}
