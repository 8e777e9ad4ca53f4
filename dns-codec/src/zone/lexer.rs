//! Splits master-file text into entries of tokens (RFC 1035 section 5.1): comments,
//! parentheses across lines, quoted strings, escapes, and whether an entry's line
//! starts with blank space (then the owner is omitted).

use alloc::vec::Vec;

use super::{ZoneError, ZoneErrorKind};

/// One token: raw text (escapes still in it) and where it starts.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Token<'a> {
    pub(crate) text: &'a [u8],
    pub(crate) quoted: bool,
    pub(crate) line: usize,
    pub(crate) column: usize,
}

/// The tokens of one entry (one logical line).
#[derive(Debug, Default)]
pub(crate) struct Entry<'a> {
    pub(crate) tokens: Vec<Token<'a>>,
    /// The entry's first line starts with a space or tab: the owner is omitted.
    pub(crate) blank_owner: bool,
    pub(crate) line: usize,
}

pub(crate) struct Lexer<'a> {
    text: &'a [u8],
    pos: usize,
    line: usize,
    line_start: usize,
}

impl<'a> Lexer<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Lexer {
            text: text.as_bytes(),
            pos: 0,
            line: 1,
            line_start: 0,
        }
    }

    fn error(&self, kind: ZoneErrorKind, line: usize, column: usize) -> ZoneError {
        ZoneError { line, column, kind }
    }

    fn column(&self) -> usize {
        self.pos - self.line_start + 1
    }

    fn newline(&mut self) {
        self.pos += 1;
        self.line += 1;
        self.line_start = self.pos;
    }

    /// The next non-empty entry, or `None` at the end of the text.
    pub(crate) fn next_entry(&mut self) -> Result<Option<Entry<'a>>, ZoneError> {
        let mut entry = Entry::default();
        let mut depth = 0usize;
        let mut paren_at = (0, 0);
        let mut at_line_start = true;
        loop {
            let Some(&c) = self.text.get(self.pos) else {
                if depth > 0 {
                    return Err(self.error(
                        ZoneErrorKind::UnbalancedParentheses,
                        paren_at.0,
                        paren_at.1,
                    ));
                }
                return Ok((!entry.tokens.is_empty()).then_some(entry));
            };
            match c {
                b'\n' => {
                    self.newline();
                    if depth == 0 && !entry.tokens.is_empty() {
                        return Ok(Some(entry));
                    }
                    if entry.tokens.is_empty() {
                        // A blank or comment-only line: the next line decides.
                        entry.blank_owner = false;
                    }
                    at_line_start = depth == 0;
                }
                b' ' | b'\t' | b'\r' => {
                    if at_line_start && entry.tokens.is_empty() && (c == b' ' || c == b'\t') {
                        entry.blank_owner = true;
                    }
                    at_line_start = false;
                    self.pos += 1;
                }
                b';' => {
                    while self.text.get(self.pos).is_some_and(|&c| c != b'\n') {
                        self.pos += 1;
                    }
                }
                b'(' => {
                    if depth == 0 {
                        paren_at = (self.line, self.column());
                    }
                    depth += 1;
                    at_line_start = false;
                    self.pos += 1;
                }
                b')' => {
                    if depth == 0 {
                        return Err(self.error(
                            ZoneErrorKind::UnbalancedParentheses,
                            self.line,
                            self.column(),
                        ));
                    }
                    depth -= 1;
                    self.pos += 1;
                }
                b'"' => {
                    let (line, column) = (self.line, self.column());
                    self.pos += 1;
                    let start = self.pos;
                    loop {
                        match self.text.get(self.pos) {
                            None => {
                                return Err(self.error(
                                    ZoneErrorKind::UnterminatedString,
                                    line,
                                    column,
                                ));
                            }
                            Some(b'"') => break,
                            Some(b'\\') => {
                                self.pos += 1;
                                if self.text.get(self.pos) == Some(&b'\n') {
                                    self.newline();
                                } else {
                                    self.pos += 1;
                                }
                            }
                            Some(b'\n') => self.newline(),
                            Some(_) => self.pos += 1,
                        }
                    }
                    let end = self.pos.min(self.text.len());
                    self.pos += 1;
                    if entry.tokens.is_empty() {
                        entry.line = line;
                    }
                    entry.tokens.push(Token {
                        text: &self.text[start..end],
                        quoted: true,
                        line,
                        column,
                    });
                    at_line_start = false;
                }
                _ => {
                    let (line, column) = (self.line, self.column());
                    let start = self.pos;
                    while let Some(&c) = self.text.get(self.pos) {
                        match c {
                            b' ' | b'\t' | b'\r' | b'\n' | b';' | b'(' | b')' | b'"' => break,
                            b'\\' => {
                                self.pos += 1;
                                if self.text.get(self.pos) == Some(&b'\n') {
                                    self.newline();
                                } else if self.pos < self.text.len() {
                                    self.pos += 1;
                                }
                            }
                            _ => self.pos += 1,
                        }
                    }
                    if entry.tokens.is_empty() {
                        entry.line = line;
                    }
                    entry.tokens.push(Token {
                        text: &self.text[start..self.pos],
                        quoted: false,
                        line,
                        column,
                    });
                    at_line_start = false;
                }
            }
        }
    }
}
