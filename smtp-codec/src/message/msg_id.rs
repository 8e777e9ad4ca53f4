//! Message identifiers (RFC 5322 §3.6.4) and phrase lists (§3.6.5).

use alloc::string::String;
use alloc::vec::Vec;

use super::address::Parser;
use super::block::{HeaderOptions, trim_wsp};
use super::lexer::{Kind, ValueError, lex};

/// Parses a list of message identifiers (Message-ID, In-Reply-To,
/// References), returning each without its angle brackets.
///
/// An identifier is `"<" id-left "@" id-right ">"`; the obsolete forms
/// (CFWS inside, quoted local parts) are accepted and returned without the
/// CFWS, and the obsolete phrases RFC 5322 §4.5.4 allows between the
/// identifiers of In-Reply-To and References are skipped. At least one
/// identifier is required.
/// [`HeaderOptions::lenient_message_ids`] falls back to reading each
/// whitespace- or comma-separated word as an identifier when the value is
/// not a valid list.
///
/// ```
/// use smtp_codec::message::{HeaderOptions, parse_msg_ids};
///
/// let ids = parse_msg_ids(b" <1234@local.machine.example>\r\n <3456@example.net>", HeaderOptions::default())?;
/// assert_eq!(ids, ["1234@local.machine.example", "3456@example.net"]);
/// assert!(parse_msg_ids(b"<>", HeaderOptions::default()).is_err());
/// # Ok::<(), smtp_codec::message::ValueError>(())
/// ```
pub fn parse_msg_ids(raw: &[u8], options: HeaderOptions) -> Result<Vec<String>, ValueError> {
    let strict = strict_ids(raw, options);
    if options.lenient_message_ids && strict.is_err() {
        let ids: Vec<String> = trim_wsp(raw)
            .split(|&c| matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b','))
            .map(|w| {
                let w = w.strip_prefix(b"<").unwrap_or(w);
                w.strip_suffix(b">").unwrap_or(w)
            })
            .filter(|w| !w.is_empty())
            .map(|w| String::from_utf8_lossy(w).into_owned())
            .collect();
        if !ids.is_empty() {
            return Ok(ids);
        }
    }
    strict
}

fn strict_ids(raw: &[u8], options: HeaderOptions) -> Result<Vec<String>, ValueError> {
    let toks = lex(raw, false)?;
    let mut p = Parser {
        raw,
        toks: &toks,
        i: 0,
        options,
    };
    let mut ids = Vec::new();
    let fail = |offset| ValueError::InvalidMessageId { offset };
    while let Some(t) = p.peek() {
        match t.kind {
            Kind::Special(b'<') => {
                p.i += 1;
                let mut comments = Vec::new();
                let id = p.addr_spec(&mut comments).map_err(|_| fail(t.start))?;
                match p.peek() {
                    Some(t) if t.is_special(b'>') => p.i += 1,
                    _ => return Err(fail(t.start)),
                }
                ids.push(id);
            }
            // obs-phrase words between identifiers.
            Kind::Atom | Kind::Quoted(_) | Kind::Special(b'.') => p.i += 1,
            _ => return Err(fail(t.start)),
        }
    }
    if ids.is_empty() {
        return Err(fail(raw.len()));
    }
    Ok(ids)
}

/// Parses a list of phrases (Keywords): comma-separated, each decoded like
/// a display name; empty elements (obsolete syntax) are skipped.
///
/// ```
/// use smtp_codec::message::{HeaderOptions, parse_keywords};
///
/// let words = parse_keywords(b" multi \r\n list, with, =?UTF-8?Q?caf=C3=A9?=,", HeaderOptions::default())?;
/// assert_eq!(words, ["multi list", "with", "café"]);
/// # Ok::<(), smtp_codec::message::ValueError>(())
/// ```
pub fn parse_keywords(raw: &[u8], options: HeaderOptions) -> Result<Vec<String>, ValueError> {
    let toks = lex(raw, options.lenient_encoded_words)?;
    let p = Parser {
        raw,
        toks: &toks,
        i: 0,
        options,
    };
    let mut out = Vec::new();
    let mut words = Vec::new();
    for t in &toks {
        match t.kind {
            Kind::Comment(_) => {}
            Kind::Atom | Kind::Quoted(_) | Kind::Special(b'.') => words.push(t),
            Kind::Special(b',') => {
                if !words.is_empty() {
                    out.push(p.phrase(&words));
                    words.clear();
                }
            }
            _ => return Err(ValueError::InvalidPhrase { offset: t.start }),
        }
    }
    if !words.is_empty() {
        out.push(p.phrase(&words));
    }
    Ok(out)
}
