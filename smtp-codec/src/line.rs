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
#[inline]
pub fn take_line(
    buf: &[u8],
    scanned: usize,
    policy: LineEndingPolicy,
    max: usize,
) -> Result<Option<Line>, LineError> {
    // Re-examine the last scanned byte: it may be a CR whose LF just came.
    let mut from = scanned.saturating_sub(1).min(buf.len());
    loop {
        let Some(pos) = find_line_end(&buf[from..]).map(|p| p + from) else {
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

/// Eight bytes at a time: the words of a slice, read little-endian so that
/// the lowest set bit of a match mask names the first matching byte.
pub(crate) const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `word` that is zero. Exact for the lowest
/// such byte (a borrow only runs upward from a zero byte), which is all
/// the searches below use.
#[inline(always)]
pub(crate) fn zero_bytes(word: u64) -> u64 {
    word.wrapping_sub(ONES) & !word & HIGHS
}

/// The high bit of each byte of `word` that is a control: below 0x20, or
/// DEL. Exact for every byte: the sums stay within their bytes.
#[inline(always)]
pub(crate) fn control_bytes(word: u64) -> u64 {
    let low = word & !HIGHS;
    // With the high bit clear: below 0x20 when adding 0x60 does not reach
    // 0x80, DEL when adding 1 does.
    let control = !(low + ONES * 0x60) | (low + ONES);
    control & !word & HIGHS
}

/// The offset of the first control byte (below 0x20, or DEL) in `b`.
///
/// A plain word-at-a-time scan: the lines of SMTP are short, so it beats
/// `memchr`'s vector code, which pays for its setup on every call.
#[inline]
pub(crate) fn find_control(b: &[u8]) -> Option<usize> {
    let (words, tail) = b.as_chunks::<8>();
    for (i, w) in words.iter().enumerate() {
        let m = control_bytes(u64::from_le_bytes(*w));
        if m != 0 {
            return Some(i * 8 + (m.trailing_zeros() / 8) as usize);
        }
    }
    let at = words.len() * 8;
    tail.iter()
        .position(|&c| c < 0x20 || c == 0x7f)
        .map(|i| at + i)
}

/// The offset of the first CR, LF or NUL in `b`: eight bytes at a time
/// over the length of a command line, `memchr` after that.
#[inline(always)]
fn find_line_end(b: &[u8]) -> Option<usize> {
    const SHORT: usize = 128;
    let (words, _) = b[..b.len().min(SHORT)].as_chunks::<8>();
    for (i, w) in words.iter().enumerate() {
        let word = u64::from_le_bytes(*w);
        // Bytes below 0x0e: CR, LF, NUL and a few other controls (HT above
        // all), which the exact search steps over.
        if word.wrapping_sub(ONES * 0x0e) & !word & HIGHS != 0
            && let Some(at) = w.iter().position(|&c| matches!(c, b'\r' | b'\n' | 0))
        {
            return Some(i * 8 + at);
        }
    }
    let at = words.len() * 8;
    memchr::memchr3(b'\r', b'\n', 0, &b[at..]).map(|p| at + p)
}

/// `b[start..]` as a `str`, where the bytes before `start` are ASCII (a
/// command's verb, a reply's code). UTF-8 is checked from the 8-byte
/// boundary at or before `start` where there is one: `from_utf8` checks a
/// byte at a time until its input is aligned, then two words at a time.
#[inline]
pub(crate) fn str_from(b: &[u8], start: usize) -> Option<&str> {
    let misaligned = (b.as_ptr() as usize).wrapping_add(start) % 8;
    let from = start - misaligned.min(start);
    core::str::from_utf8(&b[from..]).ok()?.get(start - from..)
}

/// The offset of the first `byte` in `b`, as [`find_control`] does it.
#[inline]
pub(crate) fn find_byte(b: &[u8], byte: u8) -> Option<usize> {
    let (words, tail) = b.as_chunks::<8>();
    let pattern = ONES * u64::from(byte);
    for (i, w) in words.iter().enumerate() {
        let m = zero_bytes(u64::from_le_bytes(*w) ^ pattern);
        if m != 0 {
            return Some(i * 8 + (m.trailing_zeros() / 8) as usize);
        }
    }
    let at = words.len() * 8;
    tail.iter().position(|&c| c == byte).map(|i| at + i)
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

    #[test]
    fn word_scans() {
        // Every position, with bytes a borrow could confuse around the
        // first match (0x80, 0xff, 0x20, 0x7e, 0x21) and more matches after.
        for len in 0..40 {
            for at in 0..=len {
                for filler in [b'a', 0x80, 0xff, b' ', 0x7e, 0x21] {
                    for hit in [0u8, b'\t', b'\r', b'\n', 0x1f, 0x7f, b'a'] {
                        let mut b = alloc::vec![filler; len];
                        for later in b.iter_mut().skip(at).step_by(3) {
                            *later = hit;
                        }
                        let control = b.iter().position(|&c| c < 0x20 || c == 0x7f);
                        assert_eq!(find_control(&b), control, "{b:?}");
                        let first = b.iter().position(|&c| c == hit);
                        assert_eq!(find_byte(&b, hit), first, "{b:?}");
                    }
                }
            }
        }
    }
}
