//! The header block: fields in wire order, zero-copy.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

use super::address::{Address, parse_address_list};
use super::date::{DateTime, parse_date};
use super::encoded_word::decode_unstructured;
use super::lexer::ValueError;
use super::msg_id::{parse_keywords, parse_msg_ids};

/// Size and count limits of a header block, checked while scanning, before
/// anything past them is looked at.
///
/// The defaults follow Postfix, the strictest widely deployed MTA here:
/// `header_size_limit` (102400 bytes) and RFC 5322's 998-octet lines.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct HeaderLimits {
    /// Largest header block, from the first byte up to and including the
    /// empty line that ends it. Default 102400 (Postfix's
    /// `header_size_limit`).
    pub max_block_size: usize,
    /// Most fields in a block. Default 1000.
    pub max_fields: usize,
    /// Longest line, its line ending not counted. Default 998, the hard
    /// limit of RFC 5322 §2.1.1; raise it to read mail from senders that
    /// ignore it.
    pub max_line_length: usize,
}

impl Default for HeaderLimits {
    fn default() -> Self {
        HeaderLimits {
            max_block_size: 102_400,
            max_fields: 1000,
            max_line_length: 998,
        }
    }
}

/// Leniencies of the typed decoders, all off by default. Each is something
/// real mail readers (mail-parser, Thunderbird, Python's `email`) do and the
/// RFCs do not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct HeaderOptions {
    /// Decode RFC 2047 encoded-words that are not whitespace-delimited
    /// (`Re:=?UTF-8?Q?x?=`), that sit inside quoted strings, or whose text
    /// holds spaces or line folds. Off: only whole words that match the
    /// RFC 2047 grammar are decoded, anything else is shown as written.
    pub lenient_encoded_words: bool,
    /// In address lists: a missing comma after a group (`a: x@y; b: z@w;`),
    /// specials such as `@` in an unquoted display name
    /// (`a@b.c <a@b.c>`), and a display name after the angle address
    /// (`<a@b.c> Name`).
    pub lenient_addresses: bool,
    /// Message identifiers without angle brackets: when a field is not a
    /// valid list of `<id-left@id-right>`, each whitespace-separated word is
    /// taken as an identifier.
    pub lenient_message_ids: bool,
}

/// The line endings a header block used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LineEnding {
    /// Every line ended in CRLF, as RFC 5322 requires on the wire.
    Crlf,
    /// Every line ended in a bare LF (files on disk, mbox, maildir).
    Lf,
    /// Both.
    Mixed,
}

/// Why a header block could not be parsed. Offsets count from the start of
/// the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HeaderError {
    /// A line that is neither a field (`name:`), a continuation (starting
    /// with whitespace) nor the empty line ending the block.
    #[error("header line without a colon at byte {offset}")]
    MissingColon {
        /// Start of the line.
        offset: usize,
    },
    /// A field name holds a byte outside printable ASCII.
    #[error("invalid byte {byte:#04x} in a header field name at byte {offset}")]
    InvalidNameByte {
        /// Offset of the byte.
        offset: usize,
        /// The byte.
        byte: u8,
    },
    /// A line starts with a colon.
    #[error("empty header field name at byte {offset}")]
    EmptyName {
        /// Start of the line.
        offset: usize,
    },
    /// The first line starts with whitespace: a continuation of no field.
    #[error("continuation line without a field at byte {offset}")]
    ContinuationWithoutField {
        /// Start of the line.
        offset: usize,
    },
    /// A NUL byte, which no header may hold (RFC 5322 §2.2).
    #[error("NUL byte in the header block at byte {offset}")]
    Nul {
        /// Offset of the NUL.
        offset: usize,
    },
    /// A CR not followed by LF. Readers disagree on whether it ends a line,
    /// so it is never accepted.
    #[error("CR not followed by LF at byte {offset}")]
    BareCr {
        /// Offset of the CR.
        offset: usize,
    },
    /// The block is larger than [`HeaderLimits::max_block_size`].
    #[error("header block larger than {limit} bytes")]
    TooLarge {
        /// The limit.
        limit: usize,
    },
    /// More fields than [`HeaderLimits::max_fields`].
    #[error("more than {limit} header fields (the next at byte {offset})")]
    TooManyFields {
        /// The limit.
        limit: usize,
        /// Start of the first field over the limit.
        offset: usize,
    },
    /// A line longer than [`HeaderLimits::max_line_length`].
    #[error("header line at byte {offset} longer than {limit} bytes")]
    LineTooLong {
        /// Start of the line.
        offset: usize,
        /// The limit.
        limit: usize,
    },
}

/// One header field: its name and raw value, borrowed from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field<'a> {
    name: &'a str,
    raw_value: &'a [u8],
    offset: usize,
    value_offset: usize,
}

impl<'a> Field<'a> {
    /// The name as written (compare with `eq_ignore_ascii_case`).
    pub fn name(&self) -> &'a str {
        self.name
    }

    /// Everything after the colon up to the line ending that ends the field:
    /// leading whitespace and folds (line ending plus whitespace) included.
    pub fn raw_value(&self) -> &'a [u8] {
        self.raw_value
    }

    /// Where the field's name starts in the input.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Where [`raw_value`](Self::raw_value) starts in the input (just after
    /// the colon).
    pub fn value_offset(&self) -> usize {
        self.value_offset
    }

    /// The value unfolded (RFC 5322 §2.2.3: the line breaks of folds removed,
    /// the whitespace after them kept), leading and trailing whitespace
    /// trimmed. Borrowed unless the field was folded.
    pub fn unfolded(&self) -> Cow<'a, [u8]> {
        let v = trim_wsp(self.raw_value);
        if v.iter().any(|&c| c == b'\r' || c == b'\n') {
            Cow::Owned(
                v.iter()
                    .copied()
                    .filter(|&c| c != b'\r' && c != b'\n')
                    .collect(),
            )
        } else {
            Cow::Borrowed(v)
        }
    }

    /// Whether this field is called `name` (ASCII case-insensitive).
    pub fn is(&self, name: &str) -> bool {
        self.name.eq_ignore_ascii_case(name)
    }
}

/// Trims SP, HTAB, CR and LF from both ends.
pub(crate) fn trim_wsp(v: &[u8]) -> &[u8] {
    let ws = |c: &u8| matches!(c, b' ' | b'\t' | b'\r' | b'\n');
    let start = v.iter().position(|c| !ws(c)).unwrap_or(v.len());
    let end = v.iter().rposition(|c| !ws(c)).map_or(start, |e| e + 1);
    v.get(start..end).unwrap_or(&[])
}

/// A parsed header block: the fields of a message in wire order.
///
/// ```
/// use smtp_codec::message::HeaderBlock;
///
/// let block = HeaderBlock::parse(b"Received: a\nreceived: b\nX-Spam: no\n\nbody")?;
/// assert_eq!(block.fields().len(), 3);
/// assert_eq!(block.get("RECEIVED").map(|f| f.raw_value()), Some(&b" a"[..]));
/// assert_eq!(block.get_all("received").count(), 2);
/// assert_eq!(block.body(), b"body");
/// # Ok::<(), smtp_codec::message::HeaderError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderBlock<'a> {
    input: &'a [u8],
    fields: Vec<Field<'a>>,
    body_offset: usize,
    has_separator: bool,
    line_ending: Option<LineEnding>,
    options: HeaderOptions,
}

fn is_ftext(c: u8) -> bool {
    (33..=126).contains(&c) && c != b':'
}

impl<'a> HeaderBlock<'a> {
    /// Parses the header block at the start of `input` (a whole message, or
    /// only its headers) with the default limits and options.
    ///
    /// The block ends at the first empty line; without one, it runs to the
    /// end of `input` and the last line needs no line ending.
    pub fn parse(input: &'a [u8]) -> Result<Self, HeaderError> {
        Self::parse_with(input, &HeaderLimits::default(), HeaderOptions::default())
    }

    /// Parses with explicit limits; `options` apply to the typed accessors.
    pub fn parse_with(
        input: &'a [u8],
        limits: &HeaderLimits,
        options: HeaderOptions,
    ) -> Result<Self, HeaderError> {
        let mut fields = Vec::new();
        let mut crlf = false;
        let mut lf = false;
        let mut pos = 0;
        // Nothing at or past `window` is ever looked at.
        let window = input.len().min(limits.max_block_size);
        let too_large = HeaderError::TooLarge {
            limit: limits.max_block_size,
        };
        let (body_offset, has_separator) = loop {
            if pos >= input.len() {
                break (input.len(), false);
            }
            if pos >= window {
                return Err(too_large);
            }
            let line = pos;
            match input[pos] {
                b'\n' => {
                    lf = true;
                    break (pos + 1, true);
                }
                b'\r' => {
                    if pos + 1 >= window {
                        return Err(if pos + 1 < input.len() {
                            too_large
                        } else {
                            HeaderError::BareCr { offset: pos }
                        });
                    }
                    if input[pos + 1] != b'\n' {
                        return Err(HeaderError::BareCr { offset: pos });
                    }
                    crlf = true;
                    break (pos + 2, true);
                }
                b' ' | b'\t' => return Err(HeaderError::ContinuationWithoutField { offset: pos }),
                b':' => return Err(HeaderError::EmptyName { offset: pos }),
                _ => {}
            }
            if fields.len() >= limits.max_fields {
                return Err(HeaderError::TooManyFields {
                    limit: limits.max_fields,
                    offset: pos,
                });
            }
            // The name.
            let mut i = pos;
            while i < window && is_ftext(input[i]) {
                i += 1;
            }
            let name_end = i;
            while i < window && matches!(input[i], b' ' | b'\t') {
                i += 1;
            }
            if i - line > limits.max_line_length {
                return Err(HeaderError::LineTooLong {
                    offset: line,
                    limit: limits.max_line_length,
                });
            }
            if i >= window {
                return Err(if i < input.len() {
                    too_large
                } else {
                    HeaderError::MissingColon { offset: line }
                });
            }
            match input[i] {
                b':' => {}
                b'\r' | b'\n' | b' ' | b'\t' => {
                    return Err(HeaderError::MissingColon { offset: line });
                }
                0 => return Err(HeaderError::Nul { offset: i }),
                byte if i == name_end => {
                    return Err(HeaderError::InvalidNameByte { offset: i, byte });
                }
                // Whitespace then something else: no colon on this line.
                _ => return Err(HeaderError::MissingColon { offset: line }),
            }
            let name = core::str::from_utf8(&input[pos..name_end]).map_err(|_| {
                HeaderError::InvalidNameByte {
                    offset: pos,
                    byte: input[pos],
                }
            })?;
            let value_start = i + 1;
            // The value: lines until one not followed by whitespace.
            let mut line_start = line;
            let mut j = value_start;
            let (value_end, next) = loop {
                let rest = &input[j..window];
                let Some(k) = memchr::memchr3(b'\r', b'\n', 0, rest) else {
                    if j + rest.len() - line_start > limits.max_line_length {
                        return Err(HeaderError::LineTooLong {
                            offset: line_start,
                            limit: limits.max_line_length,
                        });
                    }
                    if window < input.len() {
                        return Err(too_large);
                    }
                    // The input ends inside the last field.
                    break (input.len(), input.len());
                };
                let at = j + k;
                if at - line_start > limits.max_line_length {
                    return Err(HeaderError::LineTooLong {
                        offset: line_start,
                        limit: limits.max_line_length,
                    });
                }
                let after = match input[at] {
                    0 => return Err(HeaderError::Nul { offset: at }),
                    b'\r' => {
                        if at + 1 >= window {
                            return Err(if at + 1 < input.len() {
                                too_large
                            } else {
                                HeaderError::BareCr { offset: at }
                            });
                        }
                        if input[at + 1] != b'\n' {
                            return Err(HeaderError::BareCr { offset: at });
                        }
                        crlf = true;
                        at + 2
                    }
                    _ => {
                        lf = true;
                        at + 1
                    }
                };
                if after < input.len() && matches!(input[after], b' ' | b'\t') {
                    line_start = after;
                    j = after;
                } else {
                    break (at, after);
                }
            };
            fields.push(Field {
                name,
                raw_value: &input[value_start..value_end],
                offset: line,
                value_offset: value_start,
            });
            pos = next;
        };
        let line_ending = match (crlf, lf) {
            (true, true) => Some(LineEnding::Mixed),
            (true, false) => Some(LineEnding::Crlf),
            (false, true) => Some(LineEnding::Lf),
            (false, false) => None,
        };
        Ok(HeaderBlock {
            input,
            fields,
            body_offset,
            has_separator,
            line_ending,
            options,
        })
    }

    /// The fields in wire order.
    pub fn fields(&self) -> &[Field<'a>] {
        &self.fields
    }

    /// The first field called `name` (ASCII case-insensitive).
    pub fn get(&self, name: &str) -> Option<&Field<'a>> {
        self.fields.iter().find(|f| f.is(name))
    }

    /// Every field called `name`, in wire order.
    pub fn get_all<'s>(&'s self, name: &'s str) -> impl Iterator<Item = &'s Field<'a>> + 's {
        self.fields.iter().filter(move |f| f.is(name))
    }

    /// Where the body starts: just after the empty line, or the end of the
    /// input when there was none.
    pub fn body_offset(&self) -> usize {
        self.body_offset
    }

    /// The bytes after the header block.
    pub fn body(&self) -> &'a [u8] {
        self.input.get(self.body_offset..).unwrap_or(&[])
    }

    /// Whether an empty line ended the block (`false` when the input held
    /// only header lines).
    pub fn has_separator(&self) -> bool {
        self.has_separator
    }

    /// The line endings seen; `None` if the block had no line ending at all.
    pub fn line_ending(&self) -> Option<LineEnding> {
        self.line_ending
    }

    /// The options the typed accessors use.
    pub fn options(&self) -> HeaderOptions {
        self.options
    }

    /// The one field called `name`: `None` if absent, an error if repeated
    /// (RFC 5322 §3.6 allows the fields read here at most once; two
    /// differing copies are a way to show a reader one value and a filter
    /// another).
    fn single<'s>(&'s self, name: &'s str) -> Result<Option<&'s Field<'a>>, ValueError> {
        let mut all = self.get_all(name);
        let first = all.next();
        if let Some(second) = all.next() {
            return Err(ValueError::Duplicate {
                offset: second.offset,
            });
        }
        Ok(first)
    }

    fn addresses(&self, name: &str) -> Result<Option<Vec<Address>>, ValueError> {
        self.single(name)?
            .map(|f| {
                parse_address_list(f.raw_value, self.options).map_err(|e| e.shifted(f.value_offset))
            })
            .transpose()
    }

    /// `From`: the author's mailboxes (groups are returned as parsed; RFC
    /// 5322 allows them only with RFC 6854).
    pub fn from(&self) -> Result<Option<Vec<Address>>, ValueError> {
        self.addresses("From")
    }

    /// `To`.
    pub fn to(&self) -> Result<Option<Vec<Address>>, ValueError> {
        self.addresses("To")
    }

    /// `Cc`.
    pub fn cc(&self) -> Result<Option<Vec<Address>>, ValueError> {
        self.addresses("Cc")
    }

    /// `Reply-To`.
    pub fn reply_to(&self) -> Result<Option<Vec<Address>>, ValueError> {
        self.addresses("Reply-To")
    }

    /// `Subject`, unfolded, trimmed, with RFC 2047 encoded-words decoded
    /// (see [`decode_unstructured`]).
    pub fn subject(&self) -> Result<Option<String>, ValueError> {
        Ok(self
            .single("Subject")?
            .map(|f| decode_unstructured(f.raw_value, self.options)))
    }

    /// Any field read as unstructured text (the first of its name), like
    /// [`subject`](Self::subject).
    pub fn text(&self, name: &str) -> Option<String> {
        self.get(name)
            .map(|f| decode_unstructured(f.raw_value, self.options))
    }

    /// `Date` (the origination date).
    pub fn date(&self) -> Result<Option<DateTime>, ValueError> {
        self.single("Date")?
            .map(|f| parse_date(f.raw_value).map_err(|e| e.shifted(f.value_offset)))
            .transpose()
    }

    fn ids(&self, name: &str) -> Result<Option<Vec<String>>, ValueError> {
        self.single(name)?
            .map(|f| {
                parse_msg_ids(f.raw_value, self.options).map_err(|e| e.shifted(f.value_offset))
            })
            .transpose()
    }

    /// `Message-ID`, without its angle brackets (`id-left@id-right`).
    pub fn message_id(&self) -> Result<Option<String>, ValueError> {
        let Some(f) = self.single("Message-ID")? else {
            return Ok(None);
        };
        let ids =
            parse_msg_ids(f.raw_value, self.options).map_err(|e| e.shifted(f.value_offset))?;
        match <[String; 1]>::try_from(ids) {
            Ok([id]) => Ok(Some(id)),
            Err(_) => Err(ValueError::InvalidMessageId {
                offset: f.value_offset,
            }),
        }
    }

    /// `In-Reply-To`: message identifiers without angle brackets.
    pub fn in_reply_to(&self) -> Result<Option<Vec<String>>, ValueError> {
        self.ids("In-Reply-To")
    }

    /// `References`: message identifiers without angle brackets.
    pub fn references(&self) -> Result<Option<Vec<String>>, ValueError> {
        self.ids("References")
    }

    /// Every `Keywords` field's phrases, in order (RFC 5322 §3.6.5).
    pub fn keywords(&self) -> Result<Option<Vec<String>>, ValueError> {
        let mut out: Option<Vec<String>> = None;
        for f in self.get_all("Keywords") {
            let words =
                parse_keywords(f.raw_value, self.options).map_err(|e| e.shifted(f.value_offset))?;
            out.get_or_insert_with(Vec::new).extend(words);
        }
        Ok(out)
    }
}
