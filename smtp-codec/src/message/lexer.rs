//! Tokens of structured field values (RFC 5322 §3.2): atoms, quoted strings,
//! domain literals, comments and specials, with folding whitespace and
//! quoted-pairs resolved.

use alloc::string::String;
use alloc::vec::Vec;

use super::encoded_word::decode_text;

/// Why a field value could not be read as its type. Offsets count from the
/// start of the input given to [`HeaderBlock`](super::HeaderBlock) when they
/// come from its accessors, and from the start of the value when they come
/// from the free functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValueError {
    /// A quoted string without its closing quote.
    #[error("unterminated quoted string at byte {offset}")]
    UnterminatedQuote {
        /// Where the quoted string starts.
        offset: usize,
    },
    /// A comment without its closing parenthesis.
    #[error("unterminated comment at byte {offset}")]
    UnterminatedComment {
        /// Where the comment starts.
        offset: usize,
    },
    /// A domain literal without its closing bracket.
    #[error("unterminated domain literal at byte {offset}")]
    UnterminatedDomainLiteral {
        /// Where the literal starts.
        offset: usize,
    },
    /// A byte that no structured field may hold (a control character, or a
    /// backslash outside a quoted string or comment).
    #[error("invalid character at byte {offset}")]
    InvalidChar {
        /// Offset of the byte.
        offset: usize,
    },
    /// Not an RFC 5322 address list (or mailbox, or group).
    #[error("invalid address at byte {offset}")]
    InvalidAddress {
        /// Where the token that did not fit starts.
        offset: usize,
    },
    /// Not an RFC 5322 date-time.
    #[error("invalid date at byte {offset}")]
    InvalidDate {
        /// Where the token that did not fit starts.
        offset: usize,
    },
    /// Not a list of RFC 5322 `msg-id`s.
    #[error("invalid message identifier at byte {offset}")]
    InvalidMessageId {
        /// Where the token that did not fit starts.
        offset: usize,
    },
    /// Not a list of phrases (Keywords).
    #[error("invalid phrase list at byte {offset}")]
    InvalidPhrase {
        /// Where the token that did not fit starts.
        offset: usize,
    },
    /// A field that may appear once appears again.
    #[error("repeated header field at byte {offset}")]
    Duplicate {
        /// Start of the second occurrence.
        offset: usize,
    },
}

impl ValueError {
    /// The same error with its offset moved by `by`.
    pub(crate) fn shifted(self, by: usize) -> Self {
        use ValueError::*;
        match self {
            UnterminatedQuote { offset } => UnterminatedQuote {
                offset: offset + by,
            },
            UnterminatedComment { offset } => UnterminatedComment {
                offset: offset + by,
            },
            UnterminatedDomainLiteral { offset } => UnterminatedDomainLiteral {
                offset: offset + by,
            },
            InvalidChar { offset } => InvalidChar {
                offset: offset + by,
            },
            InvalidAddress { offset } => InvalidAddress {
                offset: offset + by,
            },
            InvalidDate { offset } => InvalidDate {
                offset: offset + by,
            },
            InvalidMessageId { offset } => InvalidMessageId {
                offset: offset + by,
            },
            InvalidPhrase { offset } => InvalidPhrase {
                offset: offset + by,
            },
            Duplicate { offset } => Duplicate { offset },
        }
    }
}

/// What a token is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A run of atext (and of bytes >= 0x80, RFC 6532); its text is
    /// `raw[start..end]`.
    Atom,
    /// A quoted string's content, quoted-pairs resolved, folds unfolded
    /// (encoded-words are not decoded inside).
    Quoted(String),
    /// A domain literal, brackets included, whitespace removed.
    Literal(String),
    /// A comment's content, RFC 2047 encoded-words decoded, inner
    /// parentheses kept.
    Comment(String),
    /// One of `)<>:;@\,.]`.
    Special(u8),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub(crate) kind: Kind,
    pub(crate) start: usize,
    pub(crate) end: usize,
    /// Whitespace or a comment came between the previous token and this one.
    pub(crate) space_before: bool,
}

impl Token {
    pub(crate) fn is_special(&self, c: u8) -> bool {
        self.kind == Kind::Special(c)
    }
}

pub(crate) fn is_atext(c: u8) -> bool {
    c.is_ascii_alphanumeric() || b"!#$%&'*+-/=?^_`{|}~".contains(&c) || c >= 0x80
}

/// Splits a structured field value into tokens. `lenient` decodes
/// encoded-words in comments the lenient way.
pub(crate) fn lex(raw: &[u8], lenient: bool) -> Result<Vec<Token>, ValueError> {
    let mut out = Vec::new();
    let mut i = 0;
    let mut space = false;
    while i < raw.len() {
        let c = raw[i];
        let start = i;
        let kind = match c {
            b' ' | b'\t' | b'\r' | b'\n' => {
                space = true;
                i += 1;
                continue;
            }
            b'(' => {
                let mut depth = 1u32;
                let mut text = Vec::new();
                i += 1;
                loop {
                    let Some(&b) = raw.get(i) else {
                        return Err(ValueError::UnterminatedComment { offset: start });
                    };
                    i += 1;
                    match b {
                        b'\\' => {
                            let Some(&e) = raw.get(i) else {
                                return Err(ValueError::UnterminatedComment { offset: start });
                            };
                            i += 1;
                            if e != b'\r' && e != b'\n' {
                                text.push(e);
                            }
                        }
                        b'(' => {
                            depth += 1;
                            text.push(b);
                        }
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                            text.push(b);
                        }
                        b'\r' | b'\n' => {}
                        0 => return Err(ValueError::InvalidChar { offset: i - 1 }),
                        _ => text.push(b),
                    }
                }
                let kind = Kind::Comment(decode_text(&text, lenient));
                out.push(Token {
                    kind,
                    start,
                    end: i,
                    space_before: space,
                });
                // A comment separates the tokens around it.
                space = true;
                continue;
            }
            b'"' => {
                let mut text = Vec::new();
                i += 1;
                loop {
                    let Some(&b) = raw.get(i) else {
                        return Err(ValueError::UnterminatedQuote { offset: start });
                    };
                    i += 1;
                    match b {
                        b'"' => break,
                        b'\\' => {
                            let Some(&e) = raw.get(i) else {
                                return Err(ValueError::UnterminatedQuote { offset: start });
                            };
                            i += 1;
                            if e != b'\r' && e != b'\n' {
                                text.push(e);
                            }
                        }
                        b'\r' | b'\n' => {}
                        0 => return Err(ValueError::InvalidChar { offset: i - 1 }),
                        _ => text.push(b),
                    }
                }
                Kind::Quoted(String::from_utf8_lossy(&text).into_owned())
            }
            b'[' => {
                let mut text = Vec::from(&b"["[..]);
                i += 1;
                loop {
                    let Some(&b) = raw.get(i) else {
                        return Err(ValueError::UnterminatedDomainLiteral { offset: start });
                    };
                    i += 1;
                    match b {
                        b']' => break,
                        b'\\' => {
                            let Some(&e) = raw.get(i) else {
                                return Err(ValueError::UnterminatedDomainLiteral {
                                    offset: start,
                                });
                            };
                            i += 1;
                            if !matches!(e, b' ' | b'\t' | b'\r' | b'\n' | 0) {
                                text.push(e);
                            }
                        }
                        b' ' | b'\t' | b'\r' | b'\n' => {}
                        b'[' | 0..=0x1f | 0x7f => {
                            return Err(ValueError::InvalidChar { offset: i - 1 });
                        }
                        _ => text.push(b),
                    }
                }
                text.push(b']');
                Kind::Literal(String::from_utf8_lossy(&text).into_owned())
            }
            c if is_atext(c) => {
                while i < raw.len() && is_atext(raw[i]) {
                    i += 1;
                }
                out.push(Token {
                    kind: Kind::Atom,
                    start,
                    end: i,
                    space_before: space,
                });
                space = false;
                continue;
            }
            b')' | b'<' | b'>' | b':' | b';' | b'@' | b',' | b'.' | b']' => {
                i += 1;
                Kind::Special(c)
            }
            _ => return Err(ValueError::InvalidChar { offset: i }),
        };
        out.push(Token {
            kind,
            start,
            end: i,
            space_before: space,
        });
        space = false;
    }
    Ok(out)
}
