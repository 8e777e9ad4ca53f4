//! Validating decoder: one linear pass over the input, no recursion, no allocation for
//! nesting up to [`INLINE_DEPTH`] levels.

use alloc::vec::Vec;
use core::cmp::Ordering;

use super::error::{Error, Tolerated};
use super::value::{Value, value_at};

/// Nesting levels tracked without touching the heap. Deeper input (when
/// [`Limits::max_depth`] allows it) spills the rest of the stack into one `Vec`.
pub const INLINE_DEPTH: usize = 128;

/// Resource limits applied while decoding. Exceeding one is an error, never a stack
/// overflow or an unbounded allocation.
///
/// ```
/// use torrent_codec::bencode::{Decoder, Error, Limits};
/// let limits = Limits::default().with_max_depth(2);
/// let err = Decoder::strict().with_limits(limits).decode(b"lllee").unwrap_err();
/// assert_eq!(err, Error::DepthLimit { offset: 2, limit: 2 });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Limits {
    /// Most lists and dictionaries open at once. Default 100, libtorrent's default
    /// depth limit (which libtorrent applies one level earlier: it refuses the 100th).
    pub max_depth: usize,
    /// Most values in one input, counting every integer, byte string, list, dictionary
    /// and dictionary key (not the closing `e`s, which libtorrent's token count also
    /// includes). Default 3,000,000, libtorrent's `max_decode_tokens` for torrent files.
    pub max_items: usize,
}

impl Limits {
    /// The default limits (depth 100, 3,000,000 items).
    pub const DEFAULT: Limits = Limits {
        max_depth: 100,
        max_items: 3_000_000,
    };

    /// Replaces [`Limits::max_depth`].
    pub const fn with_max_depth(mut self, max_depth: usize) -> Self {
        self.max_depth = max_depth;
        self
    }

    /// Replaces [`Limits::max_items`].
    pub const fn with_max_items(mut self, max_items: usize) -> Self {
        self.max_items = max_items;
        self
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::DEFAULT
    }
}

/// How strictly the decoder applies BEP 3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Mode {
    /// BEP 3 exactly: canonical integers and lengths, dictionary keys strictly
    /// increasing, nothing after the top-level value. The default.
    #[default]
    Strict,
    /// Accept the soft errors libtorrent's decoder tolerates (leading zeros in integers
    /// and lengths, unsorted and duplicate keys) and the bytes after the top-level value
    /// that libtorrent ignores, reporting each one as a [`Tolerated`]. Everything else
    /// stays an error, including `i-0e`, which libtorrent accepts silently. A key equal
    /// to the one before it is a duplicate; a repeat further away is reported as an
    /// unsorted key (it necessarily breaks the order somewhere before it).
    Tolerant,
}

/// A configured decoder. [`decode`] is the strict decoder with default limits.
///
/// ```
/// use torrent_codec::bencode::{Decoder, Tolerated};
/// // A torrent file written by a sloppy tool: unsorted keys and a trailing newline.
/// let input = b"d4:name3:foo4:infodee\n";
/// assert!(Decoder::strict().decode(input).is_err());
/// let decoded = Decoder::tolerant().decode(input).unwrap();
/// assert_eq!(decoded.value.get(b"name").and_then(|v| v.as_str()), Some("foo"));
/// assert_eq!(
///     decoded.tolerated,
///     [Tolerated::UnsortedKey { offset: 12 }, Tolerated::TrailingBytes { offset: 21, len: 1 }]
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Decoder {
    limits: Limits,
    mode: Mode,
}

/// A decoded value with what the decoder tolerated to get it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Decoded<'a> {
    /// The top-level value, borrowing the input.
    pub value: Value<'a>,
    /// Bytes of input the value occupies (trailing bytes tolerated after it are not
    /// counted).
    pub consumed: usize,
    /// Every deviation tolerated, in input order. Always empty in strict mode.
    pub tolerated: Vec<Tolerated>,
}

impl Decoder {
    /// A strict decoder with default limits.
    pub const fn strict() -> Self {
        Decoder {
            limits: Limits::DEFAULT,
            mode: Mode::Strict,
        }
    }

    /// A tolerant decoder with default limits (see [`Mode::Tolerant`]).
    pub const fn tolerant() -> Self {
        Decoder {
            limits: Limits::DEFAULT,
            mode: Mode::Tolerant,
        }
    }

    /// Replaces the limits.
    pub const fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Replaces the mode.
    pub const fn with_mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    /// The limits in force.
    pub const fn limits(&self) -> Limits {
        self.limits
    }

    /// The mode in force.
    pub const fn mode(&self) -> Mode {
        self.mode
    }

    /// Decodes one complete value that must span the whole input (in tolerant mode,
    /// bytes after it are ignored and reported).
    ///
    /// Validates everything in one pass; the returned views then read the input lazily
    /// without re-checking it. Allocates nothing in strict mode (for nesting up to
    /// [`INLINE_DEPTH`]); in tolerant mode only the list of tolerated deviations
    /// allocates, and only when there is one.
    pub fn decode<'a>(&self, input: &'a [u8]) -> Result<Decoded<'a>, Error> {
        let mut tolerated = Vec::new();
        let (value, consumed) =
            self.decode_inner(input, true, &mut |t: Tolerated| tolerated.push(t))?;
        Ok(Decoded {
            value,
            consumed,
            tolerated,
        })
    }

    /// Decodes one value at the start of `input` and returns it with the number of
    /// bytes it occupies; whatever follows is left alone, in every mode (for messages
    /// that carry raw bytes after a bencoded header, as BEP 9 `ut_metadata` data
    /// messages do).
    ///
    /// Tolerated deviations inside the value are passed to `on_tolerated` as they are
    /// found, so an input that fails later (or turns out incomplete) may already have
    /// reported some; a caller retrying on [`Error::is_incomplete`] should discard
    /// what an unsuccessful attempt reported.
    ///
    /// ```
    /// use torrent_codec::bencode::Decoder;
    /// let msg = b"d8:msg_typei1e5:piecei0eeRAW PIECE BYTES";
    /// let (header, used) = Decoder::strict().decode_prefix(msg, |_| {}).unwrap();
    /// assert_eq!(header.get(b"piece").and_then(|v| v.as_int()), Some(0));
    /// assert_eq!(&msg[used..], b"RAW PIECE BYTES");
    /// ```
    pub fn decode_prefix<'a>(
        &self,
        input: &'a [u8],
        mut on_tolerated: impl FnMut(Tolerated),
    ) -> Result<(Value<'a>, usize), Error> {
        self.decode_inner(input, false, &mut on_tolerated)
    }

    fn decode_inner<'a>(
        &self,
        input: &'a [u8],
        whole: bool,
        on_tolerated: &mut dyn FnMut(Tolerated),
    ) -> Result<(Value<'a>, usize), Error> {
        let mut scan = Scan {
            input,
            tolerant: self.mode == Mode::Tolerant,
            sorted: true,
            on_tolerated,
        };
        let end = scan.validate(&self.limits)?;
        if whole && end < input.len() {
            let trailing = Tolerated::TrailingBytes {
                offset: end,
                len: input.len() - end,
            };
            if scan.tolerant {
                (scan.on_tolerated)(trailing);
            } else {
                return Err(trailing.to_error());
            }
        }
        let sorted = scan.sorted;
        let value = input
            .get(..end)
            .and_then(|raw| value_at(raw, 0, sorted))
            .map(|(value, _)| value)
            .ok_or(Error::UnexpectedEof { offset: end })?;
        Ok((value, end))
    }
}

/// Decodes `input` strictly (BEP 3) with default [`Limits`]: one value spanning the
/// whole input.
///
/// ```
/// use torrent_codec::bencode::{decode, Error};
/// let torrent = decode(b"d8:announce15:http://t.co/ann4:infod6:lengthi5e4:name1:aee")?;
/// assert_eq!(torrent.get(b"announce").and_then(|v| v.as_str()), Some("http://t.co/ann"));
/// let info = torrent.get(b"info").unwrap();
/// // The raw span of `info` is what its info-hash is computed over.
/// assert_eq!(info.raw(), b"d6:lengthi5e4:name1:ae");
///
/// assert_eq!(decode(b"i03e"), Err(Error::IntegerLeadingZero { offset: 0 }));
/// # Ok::<(), Error>(())
/// ```
pub fn decode(input: &[u8]) -> Result<Value<'_>, Error> {
    Decoder::strict()
        .decode_inner(input, true, &mut |_| {})
        .map(|(value, _)| value)
}

/// Decodes `input` in [`Mode::Tolerant`] with default limits, returning the value and
/// what was tolerated.
pub fn decode_tolerant(input: &[u8]) -> Result<Decoded<'_>, Error> {
    Decoder::tolerant().decode(input)
}

/// One open container during validation.
#[derive(Clone, Copy)]
struct Frame {
    dict: bool,
    /// In a dictionary: the next item is a key (or the closing `e`).
    expect_key: bool,
    /// In a dictionary: span of the previous key (`prev_start == prev_end` and
    /// `!has_prev` before the first key).
    has_prev: bool,
    prev_start: usize,
    prev_end: usize,
}

const EMPTY_FRAME: Frame = Frame {
    dict: false,
    expect_key: false,
    has_prev: false,
    prev_start: 0,
    prev_end: 0,
};

/// Open containers: the first [`INLINE_DEPTH`] on the stack, the rest in a `Vec`.
struct FrameStack {
    inline: [Frame; INLINE_DEPTH],
    spill: Vec<Frame>,
    len: usize,
}

impl FrameStack {
    fn new() -> Self {
        FrameStack {
            inline: [EMPTY_FRAME; INLINE_DEPTH],
            spill: Vec::new(),
            len: 0,
        }
    }

    #[inline]
    fn top_mut(&mut self) -> Option<&mut Frame> {
        match self.len {
            0 => None,
            n if n <= INLINE_DEPTH => self.inline.get_mut(n - 1),
            _ => self.spill.last_mut(),
        }
    }

    #[inline]
    fn push(&mut self, frame: Frame) {
        if let Some(slot) = self.inline.get_mut(self.len) {
            *slot = frame;
        } else {
            self.spill.push(frame);
        }
        self.len += 1;
    }

    #[inline]
    fn pop(&mut self) {
        if self.len > INLINE_DEPTH {
            self.spill.pop();
        }
        self.len = self.len.saturating_sub(1);
    }
}

struct Scan<'a, 'f> {
    input: &'a [u8],
    tolerant: bool,
    /// False once an unsorted or duplicate key was tolerated: lookups must then scan
    /// whole dictionaries.
    sorted: bool,
    on_tolerated: &'f mut dyn FnMut(Tolerated),
}

impl Scan<'_, '_> {
    /// Strict mode: the deviation is an error. Tolerant mode: report it and go on.
    #[inline]
    fn deviation(&mut self, t: Tolerated) -> Result<(), Error> {
        if self.tolerant {
            if matches!(
                t,
                Tolerated::UnsortedKey { .. } | Tolerated::DuplicateKey { .. }
            ) {
                self.sorted = false;
            }
            (self.on_tolerated)(t);
            Ok(())
        } else {
            Err(t.to_error())
        }
    }

    /// Validates one value starting at offset 0 and returns where it ends.
    fn validate(&mut self, limits: &Limits) -> Result<usize, Error> {
        let input = self.input;
        let mut stack = FrameStack::new();
        let mut pos = 0usize;
        let mut items = 0usize;
        loop {
            let Some(&b) = input.get(pos) else {
                return Err(Error::UnexpectedEof { offset: pos });
            };
            if b == b'e' {
                match stack.top_mut() {
                    None => {
                        return Err(Error::UnexpectedByte {
                            offset: pos,
                            byte: b,
                        });
                    }
                    Some(f) if f.dict && !f.expect_key => {
                        return Err(Error::MissingValue { offset: pos });
                    }
                    Some(_) => {}
                }
                stack.pop();
                pos += 1;
            } else {
                items += 1;
                if items > limits.max_items {
                    return Err(Error::ItemLimit {
                        offset: pos,
                        limit: limits.max_items,
                    });
                }
                let key_expected = matches!(stack.top_mut(), Some(f) if f.expect_key);
                if key_expected {
                    if !b.is_ascii_digit() {
                        return Err(Error::NonStringKey { offset: pos });
                    }
                    let (start, end) = self.byte_string(pos)?;
                    let Some(frame) = stack.top_mut() else {
                        return Err(Error::NonStringKey { offset: pos });
                    };
                    let order = if frame.has_prev {
                        let prev = input.get(frame.prev_start..frame.prev_end);
                        prev.cmp(&input.get(start..end))
                    } else {
                        Ordering::Less
                    };
                    frame.has_prev = true;
                    frame.prev_start = start;
                    frame.prev_end = end;
                    frame.expect_key = false;
                    match order {
                        Ordering::Less => {}
                        Ordering::Equal => {
                            self.deviation(Tolerated::DuplicateKey { offset: pos })?
                        }
                        Ordering::Greater => {
                            self.deviation(Tolerated::UnsortedKey { offset: pos })?
                        }
                    }
                    pos = end;
                    continue;
                }
                match b {
                    b'0'..=b'9' => pos = self.byte_string(pos)?.1,
                    b'i' => pos = self.integer(pos)?,
                    b'l' | b'd' => {
                        if stack.len >= limits.max_depth {
                            return Err(Error::DepthLimit {
                                offset: pos,
                                limit: limits.max_depth,
                            });
                        }
                        stack.push(Frame {
                            dict: b == b'd',
                            expect_key: b == b'd',
                            ..EMPTY_FRAME
                        });
                        pos += 1;
                        continue;
                    }
                    _ => {
                        return Err(Error::UnexpectedByte {
                            offset: pos,
                            byte: b,
                        });
                    }
                }
            }
            // A value (scalar or container) has just ended.
            match stack.top_mut() {
                None => return Ok(pos),
                Some(f) => {
                    if f.dict {
                        f.expect_key = true;
                    }
                }
            }
        }
    }

    /// Validates the integer whose `i` is at `start`; returns the offset after its `e`.
    ///
    /// Problems no further input could fix (overflow; in strict mode a leading zero or
    /// `-0`) are reported as soon as they are seen, even before the closing `e`, so
    /// [`Error::is_incomplete`] is only true when more input could help.
    fn integer(&mut self, start: usize) -> Result<usize, Error> {
        let input = self.input;
        let mut pos = start + 1;
        let negative = input.get(pos) == Some(&b'-');
        if negative {
            pos += 1;
        }
        let digits = pos;
        let limit = if negative {
            i64::MIN.unsigned_abs()
        } else {
            i64::MAX as u64
        };
        let mut magnitude: u64 = 0;
        while let Some(&c) = input.get(pos) {
            if !c.is_ascii_digit() {
                break;
            }
            if !self.tolerant && pos == digits + 1 && input.get(digits) == Some(&b'0') {
                return Err(Error::IntegerLeadingZero { offset: start });
            }
            magnitude = match magnitude
                .checked_mul(10)
                .and_then(|m| m.checked_add(u64::from(c - b'0')))
            {
                Some(m) if m <= limit => m,
                _ => return Err(Error::IntegerOverflow { offset: start }),
            };
            pos += 1;
        }
        let count = pos - digits;
        match input.get(pos) {
            None if !self.tolerant && negative && count == 1 && magnitude == 0 => {
                // `i-0` can only continue as `-0` or `-0<digits>`: both forbidden.
                return Err(Error::NegativeZero { offset: start });
            }
            None => return Err(Error::UnexpectedEof { offset: pos }),
            Some(b'e') => {}
            Some(&byte) => return Err(Error::InvalidInteger { offset: pos, byte }),
        }
        if count == 0 {
            return Err(Error::EmptyInteger { offset: start });
        }
        if negative && magnitude == 0 {
            return Err(Error::NegativeZero { offset: start });
        }
        if count > 1 && input.get(digits) == Some(&b'0') {
            self.deviation(Tolerated::IntegerLeadingZero { offset: start })?;
        }
        Ok(pos + 1)
    }

    /// Validates the byte string whose length starts at `start`; returns the span of
    /// its contents.
    fn byte_string(&mut self, start: usize) -> Result<(usize, usize), Error> {
        let input = self.input;
        let mut pos = start;
        let mut declared: u64 = 0;
        while let Some(&c) = input.get(pos) {
            if !c.is_ascii_digit() {
                break;
            }
            if !self.tolerant && pos == start + 1 && input.get(start) == Some(&b'0') {
                return Err(Error::LengthLeadingZero { offset: start });
            }
            declared = declared
                .saturating_mul(10)
                .saturating_add(u64::from(c - b'0'));
            pos += 1;
        }
        match input.get(pos) {
            None => return Err(Error::UnexpectedEof { offset: pos }),
            Some(b':') => {}
            Some(&byte) => return Err(Error::InvalidLength { offset: pos, byte }),
        }
        if pos - start > 1 && input.get(start) == Some(&b'0') {
            self.deviation(Tolerated::LengthLeadingZero { offset: start })?;
        }
        let data = pos + 1;
        let available = input.len() - data;
        match usize::try_from(declared) {
            Ok(len) if len <= available => Ok((data, data + len)),
            _ => Err(Error::LengthPastEnd {
                offset: start,
                declared,
                available,
            }),
        }
    }
}
