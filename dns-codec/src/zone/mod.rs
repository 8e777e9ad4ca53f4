//! Zone files: the RFC 1035 master-file format into records.
//!
//! Supported: `$ORIGIN`, `$TTL` (RFC 2308), `$INCLUDE` (off by default; on through
//! [`parse_zone_with_includes`]), relative names and `@`, omitted owner, TTL and class
//! (in either order), parentheses across lines, quoted strings, `\X` and `\DDD`
//! escapes, TTLs with units (`1h30m`), `TYPEnnn`/`CLASSnnn` and the RFC 3597 generic
//! RDATA syntax (`\# 4 c0000201`) for every type. Every error carries its line and
//! column.
//!
//! ```
//! use dns_codec::zone::{parse_zone, ZoneOptions};
//! use dns_codec::wire::{RData, Rtype};
//! let zone = r#"
//! $ORIGIN example.com.
//! $TTL 1h
//! @   IN SOA ns1 hostmaster ( 2024010101 ; serial
//!                             7200 3600 1209600 300 )
//!     IN NS  ns1
//! ns1    A   192.0.2.53
//! www 300 CNAME ns1
//! "#;
//! let records = parse_zone(zone, &ZoneOptions::default()).unwrap();
//! assert_eq!(records.len(), 4);
//! assert_eq!(records[1].owner.to_string(), "example.com.");
//! assert_eq!(records[2].ttl, 3600);
//! let RData::Cname(target) = records[3].data() else { panic!() };
//! assert_eq!(target.to_string(), "ns1.example.com.");
//! ```

mod lexer;
mod text;

use alloc::string::String;
use alloc::vec::Vec;

use crate::wire::{Class, Name, RData, Rtype};
use lexer::{Entry, Lexer, Token};

/// A record read from a zone file: RDATA in uncompressed wire form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneRecord {
    /// Owner name (absolute).
    pub owner: Name,
    /// Class.
    pub class: Class,
    /// Time to live, seconds.
    pub ttl: u32,
    /// Type.
    pub rtype: Rtype,
    /// RDATA, uncompressed wire form, validated for its type.
    pub rdata: Vec<u8>,
}

impl ZoneRecord {
    /// The typed RDATA.
    pub fn data(&self) -> RData<'_> {
        RData::from_wire(self.rtype, &self.rdata).unwrap_or(RData::Unknown {
            rtype: self.rtype,
            data: &self.rdata,
        })
    }
}

/// Settings for reading a zone file.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ZoneOptions {
    /// The origin before any `$ORIGIN` (relative names need one). Default: none.
    pub origin: Option<Name>,
    /// The TTL of records that give none, before any `$TTL`. Default: none (such a
    /// record is an error, unless an earlier record gave a TTL, which is then used as
    /// RFC 1035 says).
    pub default_ttl: Option<u32>,
    /// The class of the first record if it gives none. Default IN.
    pub default_class: Class,
    /// Most records read (includes counted). Default 10,000,000.
    pub max_records: usize,
    /// Deepest `$INCLUDE` nesting. Default 8.
    pub max_include_depth: usize,
    /// Most `$INCLUDE`s in all (a file including itself many times would otherwise
    /// multiply work at every level). Default 256.
    pub max_includes: usize,
}

impl Default for ZoneOptions {
    fn default() -> Self {
        ZoneOptions {
            origin: None,
            default_ttl: None,
            default_class: Class::IN,
            max_records: 10_000_000,
            max_include_depth: 8,
            max_includes: 256,
        }
    }
}

impl ZoneOptions {
    /// Sets the starting origin.
    pub fn with_origin(mut self, origin: Name) -> Self {
        self.origin = Some(origin);
        self
    }

    /// Sets the TTL used before any `$TTL`.
    pub fn with_default_ttl(mut self, ttl: u32) -> Self {
        self.default_ttl = Some(ttl);
        self
    }
}

/// What went wrong in a zone file, and where (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {kind}")]
pub struct ZoneError {
    /// Line of the offending token.
    pub line: usize,
    /// Column of the offending token.
    pub column: usize,
    /// What is wrong.
    pub kind: ZoneErrorKind,
}

/// The kinds of [`ZoneError`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ZoneErrorKind {
    /// A `(` without its `)` or the reverse.
    #[error("unbalanced parentheses")]
    UnbalancedParentheses,
    /// A quoted string runs to the end of the text.
    #[error("quoted string is not closed")]
    UnterminatedString,
    /// The entry ends before a field it needs.
    #[error("missing {expected}")]
    Missing {
        /// What was expected.
        expected: &'static str,
    },
    /// A token that is not what the field needs.
    #[error("expected {expected}")]
    Invalid {
        /// What was expected.
        expected: &'static str,
    },
    /// Tokens left after the last RDATA field.
    #[error("unexpected text after the record data")]
    TrailingTokens,
    /// A type mnemonic this parser does not know (use `TYPEnnn`).
    #[error("unknown record type (write it as TYPEnnn)")]
    UnknownType,
    /// A known type whose text format is not implemented here.
    #[error("{0} RDATA in text form is not supported; use the RFC 3597 form: \\# LENGTH HEX")]
    UnsupportedType(Rtype),
    /// A `$` directive this parser does not know.
    #[error("unknown directive")]
    UnknownDirective,
    /// `$INCLUDE` while includes are not enabled.
    #[error("$INCLUDE is disabled (use parse_zone_with_includes)")]
    IncludeDisabled,
    /// The include callback failed.
    #[error("$INCLUDE of {file} failed: {reason}")]
    IncludeFailed {
        /// The file named.
        file: String,
        /// The callback's error.
        reason: String,
    },
    /// `$INCLUDE` nested deeper than [`ZoneOptions::max_include_depth`].
    #[error("$INCLUDE nested deeper than the limit")]
    IncludeTooDeep,
    /// More `$INCLUDE`s than [`ZoneOptions::max_includes`].
    #[error("more $INCLUDE directives than the limit")]
    TooManyIncludes,
    /// A relative name with no origin to complete it.
    #[error("relative name with no $ORIGIN")]
    NoOrigin,
    /// The first entry omits the owner.
    #[error("no owner name (the first record must give one)")]
    NoOwner,
    /// A record gives no TTL and there is no default.
    #[error("no TTL (give one, or a $TTL directive)")]
    NoTtl,
    /// An invalid domain name.
    #[error("invalid name: {0}")]
    Name(crate::wire::Error),
    /// RDATA that encodes but is not valid for its type.
    #[error("invalid RDATA: {0}")]
    Rdata(crate::wire::Error),
    /// More records than [`ZoneOptions::max_records`].
    #[error("more records than the limit")]
    TooManyRecords,
}

/// Reads a zone file; `$INCLUDE` is refused.
pub fn parse_zone(text: &str, options: &ZoneOptions) -> Result<Vec<ZoneRecord>, ZoneError> {
    parse_zone_with_includes(text, options, &mut |_| {
        Err(String::from("includes are disabled"))
    })
    .map_err(|e| match e.kind {
        ZoneErrorKind::IncludeFailed { .. } => ZoneError {
            kind: ZoneErrorKind::IncludeDisabled,
            ..e
        },
        _ => e,
    })
}

/// Reads a zone file, resolving `$INCLUDE FILE [ORIGIN]` through `include`, which
/// returns the named file's text (the caller decides which files may be read).
pub fn parse_zone_with_includes(
    text: &str,
    options: &ZoneOptions,
    include: &mut dyn FnMut(&str) -> Result<String, String>,
) -> Result<Vec<ZoneRecord>, ZoneError> {
    let mut state = State {
        origin: options.origin.clone(),
        default_ttl: options.default_ttl,
        last_ttl: None,
        last_owner: None,
        last_class: options.default_class,
        records: Vec::new(),
        includes: 0,
        options,
    };
    state.read(text, include, 0)?;
    Ok(state.records)
}

struct State<'o> {
    origin: Option<Name>,
    default_ttl: Option<u32>,
    last_ttl: Option<u32>,
    last_owner: Option<Name>,
    last_class: Class,
    records: Vec<ZoneRecord>,
    includes: usize,
    options: &'o ZoneOptions,
}

pub(crate) fn err_at(token: &Token<'_>, kind: ZoneErrorKind) -> ZoneError {
    ZoneError {
        line: token.line,
        column: token.column,
        kind,
    }
}

/// Reads a name token: `@` is the origin; without a final unescaped dot the name is
/// relative to the origin.
pub(crate) fn name_token(token: &Token<'_>, origin: Option<&Name>) -> Result<Name, ZoneError> {
    let text = core::str::from_utf8(token.text).map_err(|_| {
        err_at(
            token,
            ZoneErrorKind::Invalid {
                expected: "a name in UTF-8 text",
            },
        )
    })?;
    if text == "@" {
        return origin
            .cloned()
            .ok_or_else(|| err_at(token, ZoneErrorKind::NoOrigin));
    }
    let trailing_backslashes = text
        .strip_suffix('.')
        .unwrap_or(text)
        .bytes()
        .rev()
        .take_while(|&b| b == b'\\')
        .count();
    let absolute = text.ends_with(".") && trailing_backslashes.is_multiple_of(2);
    let mut name = Name::parse_text(text).map_err(|e| err_at(token, ZoneErrorKind::Name(e)))?;
    if !absolute {
        let origin = origin.ok_or_else(|| err_at(token, ZoneErrorKind::NoOrigin))?;
        name.append(&origin.as_ref())
            .map_err(|e| err_at(token, ZoneErrorKind::Name(e)))?;
    }
    Ok(name)
}

/// A TTL: seconds, or BIND units (`1w2d3h4m5s`), at most 2^31 - 1 (RFC 2181).
pub(crate) fn ttl_value(text: &[u8]) -> Option<u32> {
    period_value(text).filter(|&t| t <= 0x7FFF_FFFF)
}

/// A 32-bit period in seconds or BIND units (SOA timers, RRSIG original TTL).
pub(crate) fn period_value(text: &[u8]) -> Option<u32> {
    if text.is_empty() {
        return None;
    }
    let mut total: u64 = 0;
    let mut current: u64 = 0;
    let mut digits = false;
    for &c in text {
        match c {
            b'0'..=b'9' => {
                current = current.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
                digits = true;
            }
            _ => {
                let unit = match c.to_ascii_lowercase() {
                    b's' => 1,
                    b'm' => 60,
                    b'h' => 3600,
                    b'd' => 86_400,
                    b'w' => 604_800,
                    _ => return None,
                };
                if !digits {
                    return None;
                }
                total = total.checked_add(current.checked_mul(unit)?)?;
                current = 0;
                digits = false;
            }
        }
    }
    total = total.checked_add(current)?;
    u32::try_from(total).ok()
}

fn class_token(text: &[u8]) -> Option<Class> {
    let text = core::str::from_utf8(text).ok()?;
    if let Some(c) = Class::from_mnemonic(text) {
        return Some(c);
    }
    let digits = text
        .get(..5)
        .filter(|p| p.eq_ignore_ascii_case("CLASS"))
        .map(|_| &text[5..])?;
    // Digits only: u16's parser would also take `+1`.
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().map(Class)
}

pub(crate) fn type_token(text: &[u8]) -> Option<Rtype> {
    let text = core::str::from_utf8(text).ok()?;
    if let Some(t) = Rtype::from_mnemonic(text) {
        return Some(t);
    }
    let digits = text
        .get(..4)
        .filter(|p| p.eq_ignore_ascii_case("TYPE"))
        .map(|_| &text[4..])?;
    // Digits only: u16's parser would also take `+1`.
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().map(Rtype)
}

impl State<'_> {
    fn read(
        &mut self,
        text: &str,
        include: &mut dyn FnMut(&str) -> Result<String, String>,
        depth: usize,
    ) -> Result<(), ZoneError> {
        let mut lexer = Lexer::new(text);
        while let Some(entry) = lexer.next_entry()? {
            let first = entry.tokens[0];
            if !entry.blank_owner && first.text.first() == Some(&b'$') && !first.quoted {
                self.directive(&entry, include, depth)?;
            } else {
                self.record(&entry)?;
            }
        }
        Ok(())
    }

    fn directive(
        &mut self,
        entry: &Entry<'_>,
        include: &mut dyn FnMut(&str) -> Result<String, String>,
        depth: usize,
    ) -> Result<(), ZoneError> {
        let first = &entry.tokens[0];
        let arg = |i: usize, expected| {
            entry
                .tokens
                .get(i)
                .ok_or_else(|| err_at(first, ZoneErrorKind::Missing { expected }))
        };
        let trailing = |n: usize| match entry.tokens.get(n) {
            Some(t) => Err(err_at(t, ZoneErrorKind::TrailingTokens)),
            None => Ok(()),
        };
        if first.text.eq_ignore_ascii_case(b"$ORIGIN") {
            let t = arg(1, "the origin name")?;
            let origin = name_token(t, self.origin.as_ref())?;
            self.origin = Some(origin);
            trailing(2)
        } else if first.text.eq_ignore_ascii_case(b"$TTL") {
            let t = arg(1, "the default TTL")?;
            self.default_ttl = Some(
                ttl_value(t.text)
                    .ok_or_else(|| err_at(t, ZoneErrorKind::Invalid { expected: "a TTL" }))?,
            );
            trailing(2)
        } else if first.text.eq_ignore_ascii_case(b"$INCLUDE") {
            let file_token = arg(1, "the file name")?;
            if depth >= self.options.max_include_depth {
                return Err(err_at(first, ZoneErrorKind::IncludeTooDeep));
            }
            self.includes += 1;
            if self.includes > self.options.max_includes {
                return Err(err_at(first, ZoneErrorKind::TooManyIncludes));
            }
            let file = String::from_utf8_lossy(file_token.text).into_owned();
            let included = include(&file).map_err(|reason| {
                err_at(
                    first,
                    ZoneErrorKind::IncludeFailed {
                        file: file.clone(),
                        reason,
                    },
                )
            })?;
            // An origin given with $INCLUDE applies inside the included file only.
            let saved = (self.origin.clone(), self.last_owner.clone());
            if let Some(t) = entry.tokens.get(2) {
                self.origin = Some(name_token(t, self.origin.as_ref())?);
                trailing(3)?;
            }
            self.read(&included, include, depth + 1)?;
            self.origin = saved.0;
            self.last_owner = saved.1;
            Ok(())
        } else {
            Err(err_at(first, ZoneErrorKind::UnknownDirective))
        }
    }

    fn record(&mut self, entry: &Entry<'_>) -> Result<(), ZoneError> {
        let tokens = &entry.tokens;
        let mut i = 0;
        let owner = if entry.blank_owner {
            self.last_owner
                .clone()
                .ok_or_else(|| err_at(&tokens[0], ZoneErrorKind::NoOwner))?
        } else {
            i = 1;
            name_token(&tokens[0], self.origin.as_ref())?
        };
        let mut ttl = None;
        let mut class = None;
        for _ in 0..2 {
            let Some(t) = tokens.get(i) else { break };
            if t.quoted {
                break;
            }
            if ttl.is_none() && t.text.first().is_some_and(u8::is_ascii_digit) {
                ttl = Some(
                    ttl_value(t.text)
                        .ok_or_else(|| err_at(t, ZoneErrorKind::Invalid { expected: "a TTL" }))?,
                );
                i += 1;
            } else if class.is_none()
                && (type_token(t.text).is_none()
                    // `ANY` is both a class and a type: a class when a type or a TTL
                    // follows.
                    || tokens.get(i + 1).is_some_and(|n| {
                        !n.quoted
                            && (type_token(n.text).is_some()
                                || (ttl.is_none() && n.text.first().is_some_and(u8::is_ascii_digit)))
                    }))
            {
                match class_token(t.text) {
                    Some(c) => {
                        class = Some(c);
                        i += 1;
                    }
                    None => break,
                }
            } else {
                break;
            }
        }
        let last = tokens.last().unwrap_or(&tokens[0]);
        let type_tok = tokens.get(i).ok_or_else(|| {
            err_at(
                last,
                ZoneErrorKind::Missing {
                    expected: "the record type",
                },
            )
        })?;
        let rtype = type_token(type_tok.text)
            .ok_or_else(|| err_at(type_tok, ZoneErrorKind::UnknownType))?;
        let rdata_tokens = &tokens[i + 1..];

        let ttl = match ttl.or(self.default_ttl).or(self.last_ttl) {
            Some(t) => t,
            None => return Err(err_at(type_tok, ZoneErrorKind::NoTtl)),
        };
        let class = class.unwrap_or(self.last_class);
        let rdata = text::rdata(rtype, rdata_tokens, type_tok, self.origin.as_ref())?;
        if self.records.len() >= self.options.max_records {
            return Err(err_at(&tokens[0], ZoneErrorKind::TooManyRecords));
        }
        // SOA's minimum field also serves as the default TTL when none is given
        // (RFC 1035 behaviour kept by BIND when $TTL is absent) only through last_ttl.
        self.last_ttl = Some(ttl);
        self.last_class = class;
        self.last_owner = Some(owner.clone());
        self.records.push(ZoneRecord {
            owner,
            class,
            ttl,
            rtype,
            rdata,
        });
        Ok(())
    }
}
