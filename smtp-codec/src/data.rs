//! DATA transparency (RFC 5321 §4.5.2) as streaming codecs.
//!
//! [`DotStuffer`] prepares a message for the client side of DATA: a `.` is
//! doubled at the start of every line (the first line included, and after a
//! bare CR or LF too, so a receiver that wrongly takes those for line ends
//! still sees no terminator), and [`DotStuffer::finish`] closes with
//! CRLF "." CRLF. [`DotUnstuffer`] is the server side: it removes the
//! stuffing and reports the end of data only at CRLF "." CRLF (or "." CRLF as
//! the very first line). Bare CR and bare LF follow a [`LineEndingPolicy`];
//! under none of them can they end the data early.
//!
//! Both work on input split at any point.

use alloc::vec::Vec;

/// What to do with a CR not followed by LF, or an LF not preceded by CR.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LineEndingPolicy {
    /// Fail with [`DataError::BareLineEnding`] (the server answers 5xx and
    /// closes, as Postfix does). The default.
    #[default]
    Reject,
    /// Turn each bare CR or LF into CRLF. The line it starts can never be
    /// the end-of-data line.
    Normalize,
    /// Keep bare CR and LF as they are; they never end a line for the
    /// purpose of finding the end of data.
    Allow,
}

/// Why DATA could not be encoded or decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DataError {
    /// A bare CR or LF under [`LineEndingPolicy::Reject`], at this offset of
    /// the stream given so far.
    #[error("bare {} at byte {offset}", if *byte == b'\r' { "CR" } else { "LF" })]
    BareLineEnding {
        /// Offset of the offending byte.
        offset: u64,
        /// `b'\r'` or `b'\n'`.
        byte: u8,
    },
    /// Input after the end of data, or after an error.
    #[error("the codec is finished")]
    Finished,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stuff {
    /// At the start of a line (or of the data).
    LineStart,
    /// Inside a line.
    Mid,
    /// After a CR inside a line.
    Cr,
}

/// The client side of DATA: dot-stuffing and the final terminator.
///
/// ```
/// use smtp_codec::data::{DotStuffer, LineEndingPolicy};
///
/// let mut out = Vec::new();
/// let mut s = DotStuffer::new(LineEndingPolicy::Normalize);
/// s.encode(b".first\nsecond", &mut out)?;
/// s.finish(&mut out)?;
/// assert_eq!(out, b"..first\r\nsecond\r\n.\r\n");
/// # Ok::<(), smtp_codec::data::DataError>(())
/// ```
#[derive(Debug, Clone)]
pub struct DotStuffer {
    policy: LineEndingPolicy,
    state: Stuff,
    offset: u64,
    /// The last byte written was the LF of a CRLF (or nothing was written).
    at_crlf: bool,
}

impl DotStuffer {
    /// A stuffer applying `policy` to bare CR and LF in the message.
    pub fn new(policy: LineEndingPolicy) -> Self {
        DotStuffer {
            policy,
            state: Stuff::LineStart,
            offset: 0,
            at_crlf: true,
        }
    }

    /// Appends the stuffed form of `input` to `out`.
    pub fn encode(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), DataError> {
        out.reserve(input.len() + input.len() / 64 + 2);
        let mut i = 0;
        while i < input.len() {
            let c = input[i];
            match self.state {
                Stuff::Mid => {
                    // Copy the run up to the next CR or LF at once.
                    let run = memchr::memchr2(b'\r', b'\n', &input[i..]).unwrap_or(input.len() - i);
                    if run > 0 {
                        out.extend_from_slice(&input[i..i + run]);
                        self.at_crlf = false;
                        i += run;
                        continue;
                    }
                    if c == b'\r' {
                        self.state = Stuff::Cr;
                    } else {
                        self.bare(b'\n', self.offset + i as u64, out)?;
                    }
                }
                Stuff::LineStart => match c {
                    b'.' => {
                        out.extend_from_slice(b"..");
                        self.at_crlf = false;
                        self.state = Stuff::Mid;
                    }
                    b'\r' => self.state = Stuff::Cr,
                    b'\n' => self.bare(b'\n', self.offset + i as u64, out)?,
                    _ => {
                        out.push(c);
                        self.at_crlf = false;
                        self.state = Stuff::Mid;
                    }
                },
                Stuff::Cr => {
                    if c == b'\n' {
                        out.extend_from_slice(b"\r\n");
                        self.at_crlf = true;
                        self.state = Stuff::LineStart;
                    } else {
                        // The CR was the byte before this one (maybe in an
                        // earlier piece): offset + i - 1 >= 0.
                        self.bare(b'\r', (self.offset + i as u64) - 1, out)?;
                        // The byte after the bare CR starts the next line.
                        continue;
                    }
                }
            }
            i += 1;
        }
        self.offset += input.len() as u64;
        Ok(())
    }

    fn bare(&mut self, byte: u8, offset: u64, out: &mut Vec<u8>) -> Result<(), DataError> {
        match self.policy {
            LineEndingPolicy::Reject => {
                return Err(DataError::BareLineEnding { offset, byte });
            }
            LineEndingPolicy::Normalize => {
                out.extend_from_slice(b"\r\n");
                self.at_crlf = true;
            }
            LineEndingPolicy::Allow => {
                out.push(byte);
                self.at_crlf = false;
            }
        }
        self.state = Stuff::LineStart;
        Ok(())
    }

    /// Ends the message: a CRLF if the message did not end with one, then
    /// "." CRLF. A CR left pending at the very end is a bare CR and follows
    /// the policy (an error under `Reject`).
    pub fn finish(&mut self, out: &mut Vec<u8>) -> Result<(), DataError> {
        if self.state == Stuff::Cr {
            // The offset of that CR is the last byte given.
            self.bare(b'\r', self.offset - 1, out)?;
        }
        if !self.at_crlf {
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b".\r\n");
        self.state = Stuff::LineStart;
        self.at_crlf = true;
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unstuff {
    /// At a line start; `eligible`: the line may be the end-of-data line
    /// (it follows a real CRLF, or is the first line).
    LineStart {
        eligible: bool,
    },
    /// A `.` at a line start.
    Dot {
        eligible: bool,
    },
    /// `.` CR at an eligible line start: LF ends the data.
    DotCr,
    Mid,
    /// A CR inside a line.
    Cr,
    Ended,
    Failed,
}

/// The server side of DATA: removes dot-stuffing and finds the end of data.
///
/// ```
/// use smtp_codec::data::{DotUnstuffer, LineEndingPolicy};
///
/// let mut body = Vec::new();
/// let mut u = DotUnstuffer::new(LineEndingPolicy::Reject);
/// assert_eq!(u.decode(b"..x\r\ny\r", &mut body)?, None); // more needed
/// assert_eq!(u.decode(b"\n.\r\nQUIT\r\n", &mut body)?, Some(4)); // QUIT is not data
/// assert_eq!(body, b".x\r\ny\r\n");
/// # Ok::<(), smtp_codec::data::DataError>(())
/// ```
#[derive(Debug, Clone)]
pub struct DotUnstuffer {
    policy: LineEndingPolicy,
    state: Unstuff,
    offset: u64,
    /// Copy clean stretches in bulk (off only to test against the plain
    /// byte-by-byte path).
    bulk: bool,
}

impl DotUnstuffer {
    /// An un-stuffer applying `policy` to bare CR and LF.
    pub fn new(policy: LineEndingPolicy) -> Self {
        DotUnstuffer {
            policy,
            state: Unstuff::LineStart { eligible: true },
            offset: 0,
            bulk: true,
        }
    }

    /// True once the end of data was found.
    pub fn is_ended(&self) -> bool {
        self.state == Unstuff::Ended
    }

    /// Appends the message bytes of `input` to `out`. Returns
    /// `Some(consumed)` when the end of data was found after `consumed`
    /// bytes of `input` (the rest is the next command), or `None` when all of
    /// `input` was message data.
    pub fn decode(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<Option<usize>, DataError> {
        if matches!(self.state, Unstuff::Ended | Unstuff::Failed) {
            return Err(DataError::Finished);
        }
        out.reserve(input.len());
        let mut i = 0;
        while i < input.len() {
            let c = input[i];
            match self.state {
                Unstuff::Mid => {
                    let run = if self.bulk {
                        clean_stretch(&input[i..])
                    } else {
                        0
                    };
                    if run > 0 {
                        out.extend_from_slice(&input[i..i + run]);
                        i += run;
                        if input[i - 1] == b'\n' {
                            // The stretch ends with a CRLF: the next line may be
                            // the end of data.
                            self.state = Unstuff::LineStart { eligible: true };
                        }
                        continue;
                    }
                    let run = memchr::memchr2(b'\r', b'\n', &input[i..]).unwrap_or(input.len() - i);
                    if run > 0 {
                        out.extend_from_slice(&input[i..i + run]);
                        i += run;
                        continue;
                    }
                    if c == b'\r' {
                        self.state = Unstuff::Cr;
                    } else {
                        self.bare(b'\n', self.offset + i as u64, out)?;
                    }
                }
                Unstuff::LineStart { eligible } => match c {
                    b'.' => self.state = Unstuff::Dot { eligible },
                    b'\r' => self.state = Unstuff::Cr,
                    b'\n' => self.bare(b'\n', self.offset + i as u64, out)?,
                    _ => {
                        out.push(c);
                        self.state = Unstuff::Mid;
                    }
                },
                Unstuff::Dot { eligible } => match c {
                    b'\r' if eligible => self.state = Unstuff::DotCr,
                    b'\r' | b'\n' => {
                        // A lone "." ended by a bare line ending: not the
                        // end of data; the dot is content.
                        out.push(b'.');
                        self.state = Unstuff::Mid;
                        continue;
                    }
                    _ => {
                        // A stuffing dot: dropped; this byte is content.
                        out.push(c);
                        self.state = Unstuff::Mid;
                    }
                },
                Unstuff::DotCr => {
                    if c == b'\n' {
                        self.state = Unstuff::Ended;
                        self.offset += (i + 1) as u64;
                        return Ok(Some(i + 1));
                    }
                    // "." CR then not LF: a bare CR after a lone dot.
                    out.push(b'.');
                    // The CR was the byte before this one: offset + i - 1 >= 0.
                    self.bare(b'\r', (self.offset + i as u64) - 1, out)?;
                    continue;
                }
                Unstuff::Cr => {
                    if c == b'\n' {
                        out.extend_from_slice(b"\r\n");
                        self.state = Unstuff::LineStart { eligible: true };
                    } else {
                        self.bare(b'\r', (self.offset + i as u64) - 1, out)?;
                        continue;
                    }
                }
                Unstuff::Ended | Unstuff::Failed => unreachable!("checked on entry"),
            }
            i += 1;
        }
        self.offset += input.len() as u64;
        Ok(None)
    }

    /// A bare CR or LF at stream offset `offset`.
    fn bare(&mut self, byte: u8, offset: u64, out: &mut Vec<u8>) -> Result<(), DataError> {
        match self.policy {
            LineEndingPolicy::Reject => {
                self.state = Unstuff::Failed;
                Err(DataError::BareLineEnding { offset, byte })
            }
            LineEndingPolicy::Normalize => {
                out.extend_from_slice(b"\r\n");
                self.state = Unstuff::LineStart { eligible: false };
                Ok(())
            }
            LineEndingPolicy::Allow => {
                out.push(byte);
                self.state = Unstuff::LineStart { eligible: false };
                Ok(())
            }
        }
    }
}
/// The length of the longest prefix of `s` (which starts inside a line,
/// after a byte that is not CR) that can be copied as it is: it ends just
/// before the next line that starts with a dot (stuffing or the end of
/// data), every CR in it is followed by LF and every LF preceded by CR, and
/// it never ends in a CR (whose LF may not have been seen). Returns 0 when
/// the first line ending is not a clean CRLF, so the byte-by-byte path
/// reports it.
///
/// Lines are not visited one by one: blocks are checked with one
/// branch-free pass each, which the compiler vectorises, and only the block
/// holding a dot line or a bad line ending is searched precisely.
#[inline]
fn clean_stretch(s: &[u8]) -> usize {
    const BLOCK: usize = 256;
    if s.first() == Some(&b'\n') {
        return 0;
    }
    // Whole blocks: every pair (k, k + 1) with k < pos is checked.
    let mut pos = 0;
    while pos + BLOCK < s.len() {
        let block = &s[pos..=pos + BLOCK];
        let mut flags = 0u8;
        for (a, b) in block.iter().zip(&block[1..]) {
            let bad = u8::from(*a == b'\r') ^ u8::from(*b == b'\n');
            let dot_line = u8::from(*a == b'\n') & u8::from(*b == b'.');
            flags |= bad | dot_line;
        }
        if flags != 0 {
            break;
        }
        pos += BLOCK;
    }
    // The rest, up to the next dot line.
    let mut end = match memchr::memmem::find(&s[pos..], b"\n.") {
        Some(p) => pos + p + 1,
        None => s.len(),
    };
    if end > pos && s[end - 1] == b'\r' {
        end -= 1;
    }
    let tail_ok = end > pos && s[end - 1] != b'\r' && pairs_ok(&s[pos..end]);
    let stop = if tail_ok { end } else { pos };
    // Never stop between the CR and LF of a pair: the byte-by-byte path
    // must see the CR.
    if stop > 0 && s[stop - 1] == b'\r' {
        stop - 1
    } else {
        stop
    }
}

/// Whether each CR of `s` except a last byte is followed by LF, and each
/// LF after the first byte is preceded by CR.
#[inline]
fn pairs_ok(s: &[u8]) -> bool {
    let mut bad = 0u8;
    for (a, b) in s.iter().zip(&s[1..]) {
        bad |= u8::from(*a == b'\r') ^ u8::from(*b == b'\n');
    }
    bad == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;
    use alloc::vec;
    use proptest::prelude::*;

    fn run(
        policy: LineEndingPolicy,
        bulk: bool,
        input: &[u8],
        split: usize,
    ) -> (Vec<u8>, Result<Option<usize>, DataError>) {
        let mut u = DotUnstuffer::new(policy);
        u.bulk = bulk;
        let mut out = Vec::new();
        let mut at = 0;
        for piece in input.chunks(split.max(1)) {
            match u.decode(piece, &mut out) {
                Ok(None) => at += piece.len(),
                Ok(Some(n)) => return (out, Ok(Some(at + n))),
                Err(e) => return (out, Err(e)),
            }
        }
        (out, Ok(None))
    }

    proptest! {
        /// The bulk path gives exactly what the byte-by-byte path gives, on
        /// long inputs with line endings, bare CR/LF and dots anywhere.
        #[test]
        fn bulk_matches_bytewise(
            parts in proptest::collection::vec(
                prop_oneof![
                    4 => "[a-z]{0,90}".prop_map(String::into_bytes),
                    3 => Just(b"\r\n".to_vec()),
                    1 => Just(b"\r\n.".to_vec()),
                    1 => Just(b"\r\n..".to_vec()),
                    1 => Just(b"\r".to_vec()),
                    1 => Just(b"\n".to_vec()),
                    1 => Just(b".".to_vec()),
                    1 => Just(b"\r\n.\r\n".to_vec()),
                ],
                0..120,
            ),
            split in 1usize..2000,
            policy in prop_oneof![Just(LineEndingPolicy::Reject), Just(LineEndingPolicy::Normalize), Just(LineEndingPolicy::Allow)],
        ) {
            let input: Vec<u8> = parts.concat();
            let bytewise = run(policy, false, &input, usize::MAX);
            prop_assert_eq!(run(policy, true, &input, usize::MAX), bytewise.clone());
            prop_assert_eq!(run(policy, true, &input, split), bytewise);
        }
    }

    #[test]
    fn long_clean_lines_across_blocks() {
        let mut input = vec![];
        for i in 0..500 {
            input.extend_from_slice(&[b'a' + (i % 26) as u8; 77]);
            input.extend_from_slice(if i % 50 == 7 { b"\r\n.." } else { b"\r\n" });
        }
        input.extend_from_slice(b".\r\n");
        for split in [1, 255, 256, 257, 4096, usize::MAX] {
            assert_eq!(
                run(LineEndingPolicy::Reject, true, &input, split),
                run(LineEndingPolicy::Reject, false, &input, usize::MAX)
            );
        }
    }
}
