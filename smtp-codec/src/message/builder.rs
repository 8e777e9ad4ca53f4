//! Writing messages: folding, RFC 2047 encoding, and refusing anything that
//! could inject a header.

use alloc::string::String;
use alloc::vec::Vec;

use super::address::{Address, Mailbox, is_dot_atom};
use super::date::DateTime;
use super::encoded_word::{base64_encode, push_q, q_len};
use super::lexer::is_atext;

/// Why a message (or a date, or a Message-ID) could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// CR, LF or NUL in a header name or value: the way to inject a header,
    /// never written.
    #[error("CR, LF or NUL (byte {byte:#04x} at {offset}) in the {field} field's input")]
    ForbiddenByte {
        /// The field the input was for.
        field: String,
        /// The byte.
        byte: u8,
        /// Its offset in the string the caller passed.
        offset: usize,
    },
    /// A header name that is empty or holds a byte outside printable ASCII,
    /// or a colon.
    #[error("invalid header field name {name:?}")]
    InvalidName {
        /// The name as given.
        name: String,
    },
    /// A raw header value (see [`MessageBuilder::header`]) holding a
    /// control character or non-ASCII text; use
    /// [`MessageBuilder::text_header`] for text.
    #[error("invalid byte {byte:#04x} at {offset} in the value of {field}")]
    InvalidValue {
        /// The field.
        field: String,
        /// The byte.
        byte: u8,
        /// Its offset in the value.
        offset: usize,
    },
    /// Not an RFC 5322 addr-spec (`local-part@domain`, ASCII).
    #[error("invalid address {address:?}")]
    InvalidAddress {
        /// The address as given.
        address: String,
    },
    /// A group without a name.
    #[error("a group needs a name")]
    EmptyGroupName,
    /// Not an RFC 5322 msg-id (`<id-left@id-right>`), or a domain for
    /// [`message_id`] that is not a dot-atom.
    #[error("invalid message identifier {id:?}")]
    InvalidMessageId {
        /// The identifier (or domain) as given.
        id: String,
    },
    /// A time outside the years 1900 to 9999, an offset beyond ±99:59, or
    /// a [`DateTime`] with a field out of range.
    #[error("date out of range")]
    DateOutOfRange,
    /// A field RFC 5322 requires (From, Date) was not set.
    #[error("the {field} field is required")]
    MissingField {
        /// The field.
        field: &'static str,
    },
    /// A field that may appear only once was given twice (an extra header
    /// repeating one the builder writes, or two Sender or Bcc fields).
    #[error("the {field} field may appear only once")]
    DuplicateField {
        /// The field.
        field: String,
    },
    /// A word of a raw header value is too long to fit a 998-octet line.
    #[error("the {field} field has a word too long for a 998-octet line")]
    LineTooLong {
        /// The field.
        field: String,
    },
    /// A body line longer than 998 octets (RFC 5322 §2.1.1); encode the
    /// body (quoted-printable, base64) instead of breaking it silently.
    #[error("body line {line} (at byte {offset}) is longer than 998 octets")]
    BodyLineTooLong {
        /// The line number, from 1.
        line: usize,
        /// Offset of the line's start in the body given.
        offset: usize,
    },
    /// NUL in the body (RFC 5322 §2.3 excludes it).
    #[error("NUL in the body at byte {offset}")]
    BodyNul {
        /// Offset in the body given.
        offset: usize,
    },
}

/// Where lines are folded when they can be.
const FOLD_AT: usize = 78;
/// The hard limit, line ending excluded.
const MAX_LINE: usize = 998;
/// The longest encoded-word (RFC 2047 §2).
const MAX_WORD: usize = 75;
/// `=?UTF-8?Q?` and `?=`.
const WORD_OVERHEAD: usize = 12;
/// An encoded-word room for the widest character (12 in Q).
const MIN_WORD: usize = WORD_OVERHEAD + 12;
/// Words and whitespace runs longer than this are encoded (and so split)
/// rather than risk the 998 limit (a run and a word together stay under
/// it).
const LONG: usize = 400;

/// Writes one field, folding at the whitespace before chunks.
struct Folder<'o> {
    out: &'o mut Vec<u8>,
    line_len: usize,
    /// Something follows the name on the current line (a fold would not
    /// leave the line empty).
    can_fold: bool,
}

impl<'o> Folder<'o> {
    fn start(out: &'o mut Vec<u8>, name: &str) -> Self {
        out.extend_from_slice(name.as_bytes());
        out.push(b':');
        Folder {
            line_len: name.len() + 1,
            out,
            can_fold: false,
        }
    }

    /// Appends `ws` then `text`, folding before `ws` if the line would pass
    /// 78 characters and `ws` is not empty (an empty `ws` attaches `text`).
    fn push(&mut self, ws: &str, text: &str) -> Result<(), ()> {
        let need = ws.len() + text.len();
        if self.can_fold && !ws.is_empty() && self.line_len + need > FOLD_AT {
            self.out.extend_from_slice(b"\r\n");
            self.line_len = 0;
        }
        if self.line_len + need > MAX_LINE {
            return Err(());
        }
        self.out.extend_from_slice(ws.as_bytes());
        self.out.extend_from_slice(text.as_bytes());
        self.line_len += need;
        self.can_fold = true;
        Ok(())
    }

    /// Room left on this line for a chunk after `ws`.
    fn room(&self, ws: &str) -> usize {
        FOLD_AT.saturating_sub(self.line_len + ws.len())
    }

    fn finish(self) {
        self.out.extend_from_slice(b"\r\n");
    }

    /// `text` as RFC 2047 encoded-words (UTF-8, Q or B, whichever is
    /// shorter), each at most 75 characters, none splitting a character,
    /// sized to fit the line where they go. The first follows `ws`, the
    /// others a space (which decoders drop between encoded-words).
    fn push_encoded(&mut self, ws: &str, text: &str) -> Result<(), ()> {
        let q: usize = text.chars().map(q_len).sum();
        let b = text.len().div_ceil(3) * 4;
        // Q reads better; B only when clearly shorter.
        let use_q = q <= b + 4;
        let mut ws = ws;
        let mut rest = text;
        loop {
            let here = self.room(ws);
            let cap = if here >= MIN_WORD {
                here.min(MAX_WORD)
            } else if self.can_fold {
                FOLD_AT.saturating_sub(ws.len()).clamp(MIN_WORD, MAX_WORD)
            } else {
                MAX_WORD
            };
            let budget = cap - WORD_OVERHEAD;
            let mut word = String::with_capacity(cap);
            let mut used = 0;
            if use_q {
                word.push_str("=?UTF-8?Q?");
                let mut encoded = 0;
                for c in rest.chars() {
                    let l = q_len(c);
                    if used > 0 && encoded + l > budget {
                        break;
                    }
                    push_q(c, &mut word);
                    encoded += l;
                    used += c.len_utf8();
                }
            } else {
                word.push_str("=?UTF-8?B?");
                let max_bytes = budget / 4 * 3;
                for c in rest.chars() {
                    if used > 0 && used + c.len_utf8() > max_bytes {
                        break;
                    }
                    used += c.len_utf8();
                }
                base64_encode(rest.as_bytes().get(..used).unwrap_or_default(), &mut word);
            }
            word.push_str("?=");
            self.push(ws, &word)?;
            rest = rest.get(used..).unwrap_or_default();
            if rest.is_empty() {
                return Ok(());
            }
            ws = " ";
        }
    }
}

fn is_wsp(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// Splits `s` into its leading whitespace and (word, whitespace after)
/// pairs.
fn words(s: &str) -> (&str, Vec<(&str, &str)>) {
    let body = s.trim_start_matches(is_wsp);
    let lead = &s[..s.len() - body.len()];
    let mut out = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let w_end = rest.find(is_wsp).unwrap_or(rest.len());
        let (word, after) = rest.split_at(w_end);
        let next = after.trim_start_matches(is_wsp);
        let ws = &after[..after.len() - next.len()];
        out.push((word, ws));
        rest = next;
    }
    (lead, out)
}

/// Whether a word of unstructured text must be encoded: non-ASCII, a
/// control character, something a decoder could take for an encoded-word,
/// or too long to fit a line.
fn needs_encoding(word: &str) -> bool {
    word.len() > LONG
        || word.contains("=?")
        || word.bytes().any(|b| b >= 0x7f || (b < 0x20 && b != b'\t'))
}

/// Unstructured text (Subject, Comments, text headers): words as written
/// where they can be, encoded-words where they must be. Whitespace is kept
/// exactly: literal between plain words, inside the encoded text next to
/// encoded words, so that a reader that unfolds and decodes (and trims the
/// ends) gets `text` back.
fn push_unstructured(f: &mut Folder<'_>, text: &str) -> Result<(), ()> {
    if text.is_empty() {
        return Ok(());
    }
    let (lead, ws) = words(text);
    let n = ws.len();
    if n == 0 {
        // Only whitespace.
        return f.push_encoded(" ", text);
    }
    let mut encode: Vec<bool> = ws.iter().map(|(w, _)| needs_encoding(w)).collect();
    if !lead.is_empty() {
        encode[0] = true;
    }
    if !ws[n - 1].1.is_empty() {
        encode[n - 1] = true;
    }
    for k in 0..n - 1 {
        if ws[k].1.len() > LONG {
            encode[k] = true;
            encode[k + 1] = true;
        }
    }
    let mut k = 0;
    // Offsets of each word in `text`, to slice spans out of it.
    let mut starts = Vec::with_capacity(n);
    let mut at = lead.len();
    for (w, s) in &ws {
        starts.push(at);
        at += w.len() + s.len();
    }
    while k < n {
        let before = if k == 0 { " " } else { ws[k - 1].1 };
        if !encode[k] {
            f.push(before, ws[k].0)?;
            k += 1;
            continue;
        }
        let mut j = k;
        while j + 1 < n && encode[j + 1] {
            j += 1;
        }
        let from = if k == 0 { 0 } else { starts[k] };
        let to = if j == n - 1 {
            text.len()
        } else {
            starts[j] + ws[j].0.len()
        };
        f.push_encoded(before, &text[from..to])?;
        k = j + 1;
    }
    Ok(())
}

/// A display name (or group name) as a phrase: atoms when it is plain
/// words, a quoted string when it is ASCII, encoded-words otherwise.
/// `suffix` (a `:` or `:;,` after a group name) sticks to the last word,
/// or follows a space after an encoded-word (RFC 2047 §5(3)).
fn push_phrase(f: &mut Folder<'_>, ws: &str, name: &str, suffix: &str) -> Result<(), ()> {
    let ascii_printable = name.bytes().all(|b| (0x20..0x7f).contains(&b));
    let encode = |f: &mut Folder<'_>| {
        f.push_encoded(ws, name)?;
        if suffix.is_empty() {
            Ok(())
        } else {
            f.push(" ", suffix)
        }
    };
    if !ascii_printable || name.contains("=?") {
        return encode(f);
    }
    let atoms = !name.is_empty()
        && name
            .split(' ')
            .all(|w| !w.is_empty() && w.bytes().all(is_atext));
    if atoms {
        let mut ws = ws;
        let mut words = name.split(' ').peekable();
        while let Some(w) = words.next() {
            if words.peek().is_none() {
                let mut last = String::with_capacity(w.len() + suffix.len());
                last.push_str(w);
                last.push_str(suffix);
                f.push(ws, &last)?;
            } else {
                f.push(ws, w)?;
            }
            ws = " ";
        }
        return Ok(());
    }
    let mut quoted = String::with_capacity(name.len() + 2 + suffix.len());
    quoted.push('"');
    for c in name.chars() {
        if c == '"' || c == '\\' {
            quoted.push('\\');
        }
        quoted.push(c);
    }
    quoted.push('"');
    if quoted.len() > LONG {
        return encode(f);
    }
    quoted.push_str(suffix);
    f.push(ws, &quoted)
}

/// An RFC 5322 addr-spec in ASCII: dot-atom or quoted local part, dot-atom
/// or literal domain.
fn valid_addr_spec(s: &str) -> bool {
    let Some(at) = s.rfind('@') else {
        return false;
    };
    let (local, domain) = (&s[..at], &s[at + 1..]);
    let local_ok = is_dot_atom(local) && local.is_ascii() || valid_quoted(local);
    local_ok && valid_domain(domain)
}

fn valid_quoted(s: &str) -> bool {
    let Some(inner) = s.strip_prefix('"').and_then(|s| s.strip_suffix('"')) else {
        return false;
    };
    let mut escaped = false;
    for b in inner.bytes() {
        if !(0x20..0x7f).contains(&b) && b != b'\t' {
            return false;
        }
        if escaped {
            escaped = false;
        } else if b == b'\\' {
            escaped = true;
        } else if b == b'"' {
            return false;
        }
    }
    !escaped
}

fn valid_domain(s: &str) -> bool {
    if let Some(inner) = s.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
        return inner
            .bytes()
            .all(|b| (33..=126).contains(&b) && !b"[]\\".contains(&b));
    }
    s.is_ascii() && is_dot_atom(s)
}

fn push_mailbox(f: &mut Folder<'_>, ws: &str, m: &Mailbox, after: &str) -> Result<(), ()> {
    match m.name.as_deref() {
        None | Some("") => {
            let mut text = String::with_capacity(m.address.len() + after.len());
            text.push_str(&m.address);
            text.push_str(after);
            f.push(ws, &text)
        }
        Some(name) => {
            push_phrase(f, ws, name, "")?;
            let mut text = String::with_capacity(m.address.len() + 2 + after.len());
            text.push('<');
            text.push_str(&m.address);
            text.push('>');
            text.push_str(after);
            f.push(" ", &text)
        }
    }
}

fn push_addresses(f: &mut Folder<'_>, list: &[Address]) -> Result<(), ()> {
    for (k, a) in list.iter().enumerate() {
        let after = if k + 1 < list.len() { "," } else { "" };
        match a {
            Address::Mailbox(m) => push_mailbox(f, " ", m, after)?,
            Address::Group(g) => {
                if g.members.is_empty() {
                    let mut suffix = String::from(":;");
                    suffix.push_str(after);
                    push_phrase(f, " ", &g.name, &suffix)?;
                    continue;
                }
                push_phrase(f, " ", &g.name, ":")?;
                for (i, m) in g.members.iter().enumerate() {
                    if i + 1 < g.members.len() {
                        push_mailbox(f, " ", m, ",")?;
                    } else {
                        let mut end = String::from(";");
                        end.push_str(after);
                        push_mailbox(f, " ", m, &end)?;
                    }
                }
            }
        }
    }
    Ok(())
}

/// A msg-id without its brackets, if `id` is one (with or without them).
fn bare_msg_id(id: &str) -> Option<&str> {
    let inner = match id.strip_prefix('<') {
        Some(rest) => rest.strip_suffix('>')?,
        None => id,
    };
    let at = inner.rfind('@')?;
    let (left, right) = (&inner[..at], &inner[at + 1..]);
    let right_ok = match right.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
        Some(lit) => lit
            .bytes()
            .all(|b| (33..=126).contains(&b) && !b"[]\\".contains(&b)),
        None => right.is_ascii() && is_dot_atom(right),
    };
    (left.is_ascii() && is_dot_atom(left) && right_ok).then_some(inner)
}

/// A Message-ID from the caller's unique bits (a random `u128`, a counter
/// with a boot id, a hash...) and a domain the caller controls:
/// `<{26 base32 characters}@{domain}>`. Uniqueness is the caller's to
/// provide; the crate has no random number generator.
///
/// ```
/// use smtp_codec::message::message_id;
///
/// let id = message_id(u128::MAX, "mail.example.com")?;
/// assert_eq!(id, "<h7777777777777777777777777@mail.example.com>");
/// assert!(message_id(1, "bad domain").is_err());
/// # Ok::<(), smtp_codec::message::BuildError>(())
/// ```
pub fn message_id(unique: u128, domain: &str) -> Result<String, BuildError> {
    if !(domain.is_ascii() && is_dot_atom(domain)) {
        return Err(BuildError::InvalidMessageId {
            id: String::from(domain),
        });
    }
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut id = String::with_capacity(domain.len() + 29);
    id.push('<');
    // 128 bits in 26 five-bit digits, most significant first (the first
    // digit holds the top 3 bits).
    for k in (0..26).rev() {
        let digit = (unique >> (5 * k)) & 31;
        id.push(char::from(ALPHABET[digit as usize]));
    }
    id.push('@');
    id.push_str(domain);
    id.push('>');
    Ok(id)
}

#[derive(Debug, Clone)]
enum DateSource {
    Unix(i64, i16),
    Fields(DateTime),
}

#[derive(Debug, Clone)]
enum Extra {
    Raw(String),
    Text(String),
}

/// Builds an RFC 5322 message with CRLF line endings.
///
/// Fields are written in the order Date, From, Sender (if given as an
/// extra header it comes later), Reply-To, To, Cc, Subject, Message-ID,
/// In-Reply-To, References, then the extra headers in the order added, an
/// empty line and the body. From and Date are required. Every setter
/// stores; [`build`](Self::build) checks everything and writes, so the
/// first problem comes back as a [`BuildError`] and nothing half-written
/// escapes.
///
/// ```
/// use smtp_codec::message::{Group, Mailbox, MessageBuilder};
///
/// let wire = MessageBuilder::new()
///     .date(0, 0)
///     .from(Mailbox::with_name("Joe Q. Public", "joe@example.com"))
///     .to(Group { name: "Undisclosed recipients".into(), members: vec![] })
///     .build()?;
/// assert_eq!(
///     wire,
///     b"Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n\
///       From: \"Joe Q. Public\" <joe@example.com>\r\n\
///       To: Undisclosed recipients:;\r\n\
///       \r\n"
/// );
/// # Ok::<(), smtp_codec::message::BuildError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct MessageBuilder {
    date: Option<DateSource>,
    from: Vec<Mailbox>,
    reply_to: Vec<Address>,
    to: Vec<Address>,
    cc: Vec<Address>,
    subject: Option<String>,
    message_id: Option<String>,
    in_reply_to: Vec<String>,
    references: Vec<String>,
    extra: Vec<(String, Extra)>,
    body: Vec<u8>,
}

/// Fields RFC 5322 §3.6 allows at most once.
const SINGLE: [&str; 11] = [
    "Date",
    "From",
    "Sender",
    "Reply-To",
    "To",
    "Cc",
    "Bcc",
    "Message-ID",
    "In-Reply-To",
    "References",
    "Subject",
];
/// The ones the builder writes itself.
const MANAGED: [&str; 9] = [
    "Date",
    "From",
    "Reply-To",
    "To",
    "Cc",
    "Message-ID",
    "In-Reply-To",
    "References",
    "Subject",
];

fn forbidden(field: &str, s: &str) -> Result<(), BuildError> {
    match s.bytes().position(|b| matches!(b, b'\r' | b'\n' | 0)) {
        Some(offset) => Err(BuildError::ForbiddenByte {
            field: String::from(field),
            byte: s.as_bytes()[offset],
            offset,
        }),
        None => Ok(()),
    }
}

fn check_mailbox(field: &str, m: &Mailbox) -> Result<(), BuildError> {
    if let Some(name) = &m.name {
        forbidden(field, name)?;
    }
    forbidden(field, &m.address)?;
    if !valid_addr_spec(&m.address) {
        return Err(BuildError::InvalidAddress {
            address: m.address.clone(),
        });
    }
    Ok(())
}

fn check_addresses(field: &str, list: &[Address]) -> Result<(), BuildError> {
    for a in list {
        match a {
            Address::Mailbox(m) => check_mailbox(field, m)?,
            Address::Group(g) => {
                forbidden(field, &g.name)?;
                if g.name.trim_matches(is_wsp).is_empty() {
                    return Err(BuildError::EmptyGroupName);
                }
                for m in &g.members {
                    check_mailbox(field, m)?;
                }
            }
        }
    }
    Ok(())
}

fn check_id(field: &str, id: &str) -> Result<(), BuildError> {
    forbidden(field, id)?;
    match bare_msg_id(id) {
        Some(_) => Ok(()),
        None => Err(BuildError::InvalidMessageId {
            id: String::from(id),
        }),
    }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| (33..=126).contains(&b) && b != b':')
}

impl MessageBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an author (From). Several authors are allowed; RFC 5322 then
    /// wants a Sender, which [`header`](Self::header) can add.
    pub fn from(mut self, mailbox: Mailbox) -> Self {
        self.from.push(mailbox);
        self
    }

    /// Adds a recipient (To).
    pub fn to(mut self, address: impl Into<Address>) -> Self {
        self.to.push(address.into());
        self
    }

    /// Adds a carbon-copy recipient (Cc).
    pub fn cc(mut self, address: impl Into<Address>) -> Self {
        self.cc.push(address.into());
        self
    }

    /// Adds a Reply-To address.
    pub fn reply_to(mut self, address: impl Into<Address>) -> Self {
        self.reply_to.push(address.into());
        self
    }

    /// Sets the Subject: any text, encoded as RFC 2047 encoded-words where
    /// it is not plain ASCII.
    pub fn subject(mut self, text: impl Into<String>) -> Self {
        self.subject = Some(text.into());
        self
    }

    /// Sets the Date from the caller's clock: `unix_seconds` shown
    /// `offset_minutes` east of UTC (see [`format_date`](super::format_date)).
    pub fn date(mut self, unix_seconds: i64, offset_minutes: i16) -> Self {
        self.date = Some(DateSource::Unix(unix_seconds, offset_minutes));
        self
    }

    /// Sets the Date from its fields.
    pub fn date_time(mut self, date: DateTime) -> Self {
        self.date = Some(DateSource::Fields(date));
        self
    }

    /// Sets the Message-ID, with or without its angle brackets (see
    /// [`message_id`] to make one).
    pub fn message_id(mut self, id: impl Into<String>) -> Self {
        self.message_id = Some(id.into());
        self
    }

    /// Adds a message identifier to In-Reply-To.
    pub fn in_reply_to(mut self, id: impl Into<String>) -> Self {
        self.in_reply_to.push(id.into());
        self
    }

    /// Adds a message identifier to References.
    pub fn references(mut self, id: impl Into<String>) -> Self {
        self.references.push(id.into());
        self
    }

    /// Adds a field written as given (printable ASCII and whitespace only),
    /// folded at its whitespace. For fields the builder writes itself use
    /// their setters.
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.extra.push((name.into(), Extra::Raw(value.into())));
        self
    }

    /// Adds an unstructured text field (`Comments`, `X-Whatever`), encoded
    /// like the Subject.
    pub fn text_header(mut self, name: impl Into<String>, text: impl Into<String>) -> Self {
        self.extra.push((name.into(), Extra::Text(text.into())));
        self
    }

    /// Sets the body. Line endings become CRLF (a bare LF or CR each ends a
    /// line); lines over 998 octets and NUL are refused.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Self {
        self.body = body.into();
        self
    }

    /// Checks everything and writes the message.
    pub fn build(&self) -> Result<Vec<u8>, BuildError> {
        let mut out = Vec::new();
        self.write_to(&mut out)?;
        Ok(out)
    }

    /// Checks everything and appends the message to `out`; on error `out`
    /// is left as it was.
    pub fn write_to(&self, out: &mut Vec<u8>) -> Result<(), BuildError> {
        self.check()?;
        let len = out.len();
        let result = self.write_unchecked(out);
        if result.is_err() {
            out.truncate(len);
        }
        result
    }

    fn check(&self) -> Result<(), BuildError> {
        if self.from.is_empty() {
            return Err(BuildError::MissingField { field: "From" });
        }
        if self.date.is_none() {
            return Err(BuildError::MissingField { field: "Date" });
        }
        for m in &self.from {
            check_mailbox("From", m)?;
        }
        check_addresses("Reply-To", &self.reply_to)?;
        check_addresses("To", &self.to)?;
        check_addresses("Cc", &self.cc)?;
        if let Some(s) = &self.subject {
            forbidden("Subject", s)?;
        }
        if let Some(id) = &self.message_id {
            check_id("Message-ID", id)?;
        }
        for id in &self.in_reply_to {
            check_id("In-Reply-To", id)?;
        }
        for id in &self.references {
            check_id("References", id)?;
        }
        let mut seen: Vec<&str> = Vec::new();
        for (name, value) in &self.extra {
            forbidden(name, name)?;
            if !valid_name(name) {
                return Err(BuildError::InvalidName { name: name.clone() });
            }
            let text = match value {
                Extra::Raw(v) | Extra::Text(v) => v,
            };
            forbidden(name, text)?;
            if let Extra::Raw(v) = value
                && let Some(offset) = v
                    .bytes()
                    .position(|b| b >= 0x7f || (b < 0x20 && b != b'\t'))
            {
                return Err(BuildError::InvalidValue {
                    field: name.clone(),
                    byte: v.as_bytes()[offset],
                    offset,
                });
            }
            let single = SINGLE.iter().find(|s| s.eq_ignore_ascii_case(name));
            if let Some(single) = single {
                if MANAGED.contains(single) || seen.contains(single) {
                    return Err(BuildError::DuplicateField {
                        field: name.clone(),
                    });
                }
                seen.push(single);
            }
        }
        match self.date {
            Some(DateSource::Unix(secs, offset)) => DateTime::from_unix(secs, offset).map(|_| ()),
            Some(DateSource::Fields(d)) if d.is_valid() => Ok(()),
            _ => Err(BuildError::DateOutOfRange),
        }
    }

    fn write_unchecked(&self, out: &mut Vec<u8>) -> Result<(), BuildError> {
        let too_long = |field: &str| BuildError::LineTooLong {
            field: String::from(field),
        };
        let date = match self.date {
            Some(DateSource::Unix(secs, offset)) => DateTime::from_unix(secs, offset)?,
            Some(DateSource::Fields(d)) => d,
            None => return Err(BuildError::MissingField { field: "Date" }),
        };
        let mut f = Folder::start(out, "Date");
        f.push(" ", &alloc::format!("{date}"))
            .map_err(|_| too_long("Date"))?;
        f.finish();

        let from: Vec<Address> = self.from.iter().cloned().map(Address::Mailbox).collect();
        for (name, list) in [
            ("From", &from),
            ("Reply-To", &self.reply_to),
            ("To", &self.to),
            ("Cc", &self.cc),
        ] {
            if list.is_empty() {
                continue;
            }
            let mut f = Folder::start(out, name);
            push_addresses(&mut f, list).map_err(|_| too_long(name))?;
            f.finish();
        }
        if let Some(s) = &self.subject {
            let mut f = Folder::start(out, "Subject");
            push_unstructured(&mut f, s).map_err(|_| too_long("Subject"))?;
            f.finish();
        }
        if let Some(id) = &self.message_id {
            let mut f = Folder::start(out, "Message-ID");
            push_ids(&mut f, core::slice::from_ref(id)).map_err(|_| too_long("Message-ID"))?;
            f.finish();
        }
        for (name, ids) in [
            ("In-Reply-To", &self.in_reply_to),
            ("References", &self.references),
        ] {
            if ids.is_empty() {
                continue;
            }
            let mut f = Folder::start(out, name);
            push_ids(&mut f, ids).map_err(|_| too_long(name))?;
            f.finish();
        }
        for (name, value) in &self.extra {
            let mut f = Folder::start(out, name);
            match value {
                Extra::Text(t) => push_unstructured(&mut f, t),
                Extra::Raw(v) => push_raw(&mut f, v),
            }
            .map_err(|_| too_long(name))?;
            f.finish();
        }
        out.extend_from_slice(b"\r\n");
        write_body(&self.body, out)
    }
}

fn push_ids(f: &mut Folder<'_>, ids: &[String]) -> Result<(), ()> {
    for id in ids {
        let inner = bare_msg_id(id).ok_or(())?;
        let mut text = String::with_capacity(inner.len() + 2);
        text.push('<');
        text.push_str(inner);
        text.push('>');
        f.push(" ", &text)?;
    }
    Ok(())
}

/// A raw value: folded at its whitespace, never changed.
fn push_raw(f: &mut Folder<'_>, value: &str) -> Result<(), ()> {
    let (lead, words) = words(value);
    if words.is_empty() {
        return f.push(" ", value);
    }
    let n = words.len();
    for (k, (w, after)) in words.iter().enumerate() {
        let before = if k == 0 { None } else { Some(words[k - 1].1) };
        let trailing = if k + 1 == n { *after } else { "" };
        let mut text = String::with_capacity(w.len() + trailing.len());
        text.push_str(w);
        text.push_str(trailing);
        match before {
            None => {
                let mut ws = String::from(" ");
                ws.push_str(lead);
                f.push(&ws, &text)?;
            }
            Some(ws) => f.push(ws, &text)?,
        }
    }
    Ok(())
}

/// Appends `body` with CRLF line endings.
fn write_body(body: &[u8], out: &mut Vec<u8>) -> Result<(), BuildError> {
    out.reserve(body.len() + body.len() / 32);
    let mut line = 1;
    let mut line_start = 0;
    let mut i = 0;
    while i < body.len() {
        let b = body[i];
        let end = match b {
            0 => return Err(BuildError::BodyNul { offset: i }),
            b'\r' if body.get(i + 1) == Some(&b'\n') => Some(i + 2),
            b'\r' | b'\n' => Some(i + 1),
            _ => None,
        };
        match end {
            Some(next) => {
                if i - line_start > MAX_LINE {
                    return Err(BuildError::BodyLineTooLong {
                        line,
                        offset: line_start,
                    });
                }
                out.extend_from_slice(&body[line_start..i]);
                out.extend_from_slice(b"\r\n");
                line += 1;
                line_start = next;
                i = next;
            }
            None => i += 1,
        }
    }
    if body.len() - line_start > MAX_LINE {
        return Err(BuildError::BodyLineTooLong {
            line,
            offset: line_start,
        });
    }
    out.extend_from_slice(&body[line_start..]);
    Ok(())
}
