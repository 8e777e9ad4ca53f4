//! The extensions an EHLO reply advertises (RFC 5321 §4.1.1.1), as a typed
//! set; extensions this crate does not know are kept.
//!
//! ```
//! use smtp_codec::capability::Capabilities;
//! use smtp_codec::reply::{parse_reply, ReplyLimits};
//!
//! let wire = b"250-mx.example\r\n250-PIPELINING\r\n250-SIZE 35882577\r\n250-AUTH PLAIN LOGIN\r\n250-XCLIENT NAME ADDR\r\n250 CHUNKING\r\n";
//! let (reply, _) = parse_reply(wire, &ReplyLimits::default())?.unwrap();
//! let caps = Capabilities::from_ehlo_reply(&reply);
//! assert!(caps.pipelining && caps.chunking);
//! assert_eq!(caps.size, Some(35882577));
//! assert!(caps.supports_auth("plain"));
//! assert_eq!(caps.other[0].0, "XCLIENT");
//! # Ok::<(), smtp_codec::reply::ReplyError>(())
//! ```

use alloc::borrow::{Cow, ToOwned};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::line::find_byte;
use crate::reply::Reply;

/// What a server advertised in its EHLO reply (client side), or will
/// advertise (server side, see [`Capabilities::ehlo_lines`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Capabilities {
    /// The domain the server names on the first line.
    pub domain: String,
    /// `PIPELINING` (RFC 2920).
    pub pipelining: bool,
    /// `SIZE [n]` (RFC 1870): `Some(0)` when advertised without a fixed
    /// limit, `Some(n)` for a limit of n octets.
    pub size: Option<u64>,
    /// `8BITMIME` (RFC 6152).
    pub eight_bit_mime: bool,
    /// `SMTPUTF8` (RFC 6531).
    pub smtputf8: bool,
    /// `CHUNKING` (RFC 3030): BDAT.
    pub chunking: bool,
    /// `BINARYMIME` (RFC 3030).
    pub binary_mime: bool,
    /// `STARTTLS` (RFC 3207).
    pub starttls: bool,
    /// `DSN` (RFC 3461).
    pub dsn: bool,
    /// `ENHANCEDSTATUSCODES` (RFC 2034).
    pub enhanced_status_codes: bool,
    /// `VRFY`: the server says it answers VRFY (RFC 5321 §3.5.2;
    /// Postfix advertises it).
    pub vrfy: bool,
    /// `EXPN` (RFC 5321 §3.5.2).
    pub expn: bool,
    /// `ETRN` (RFC 1985): remote queue starting.
    pub etrn: bool,
    /// `HELP` (RFC 5321 §4.1.1.8).
    pub help: bool,
    /// `AUTH` mechanisms (RFC 4954), in the order given.
    pub auth: AuthMechanisms,
    /// Other extensions: keyword (upper case) and parameters.
    pub other: Vec<(String, Vec<String>)>,
}

impl Capabilities {
    /// Read the capabilities from a (positive) EHLO reply. Lines that are
    /// not `keyword *(SP param)` are kept whole in [`Capabilities::other`].
    pub fn from_ehlo_reply(reply: &Reply<'_>) -> Self {
        let raw = reply.as_bytes();
        let mut caps = Capabilities::default();
        let Some((first, mut at)) = reply_line(raw, 0) else {
            return caps;
        };
        caps.domain = first_word(first);
        // Each line is three digits, `-` or a space, text without CR or
        // LF, then CRLF (`parse_reply` made sure of it), so the known
        // extensions can be read straight from the reply's bytes.
        let mut flags = 0;
        while at < raw.len() {
            at = match caps.add_known_line(raw, at + 4, &mut flags) {
                Some(cr) => cr + 2,
                None => {
                    let Some((line, next)) = reply_line(raw, at) else {
                        break;
                    };
                    caps.add_line(line);
                    next
                }
            };
        }
        caps.set_flags(flags);
        caps
    }

    /// Read the capabilities from the text lines of an EHLO reply (the
    /// first names the server), as kept in
    /// [`OwnedReply::lines`](crate::reply::OwnedReply::lines).
    pub fn from_ehlo_lines<'a, I: IntoIterator<Item = &'a str>>(lines: I) -> Self {
        let mut caps = Capabilities::default();
        let mut lines = lines.into_iter();
        if let Some(first) = lines.next() {
            caps.domain = first_word(first.as_bytes());
        }
        for line in lines {
            caps.add_line(line.as_bytes());
        }
        caps
    }

    /// The common case of [`Capabilities::add_line`], with few branches:
    /// the text of a reply line at `raw[text..]` that starts with a known
    /// keyword in upper case. A flag is added to `flags` (bit
    /// [`Extension`]). Returns where the line's CR is, or `None` to leave
    /// the line to `add_line`.
    #[inline]
    fn add_known_line(&mut self, raw: &[u8], text: usize, flags: &mut u16) -> Option<usize> {
        let start = load16(raw, text)?;
        let (low, high) = (start as u64, (start >> 64) as u64);
        // The only known keyword that can start with these three bytes,
        // then all of it.
        let known = &EXTENSION_SLOTS[extension_slot(low)];
        if low & known.masks[0] != known.words[0] || high & known.masks[1] != known.words[1] {
            return None;
        }
        let (name, extension) = KNOWN_EXTENSIONS[usize::from(known.index)];
        let end = text + name.len();
        if name.len() > 16 && raw.get(text + 16..end)? != &name.as_bytes()[16..] {
            return None;
        }
        // Most lines are the keyword alone, up to CR.
        let cr = match raw.get(end)? {
            b'\r' => end,
            b' ' | b'=' => end + find_byte(&raw[end..], b'\r')?,
            _ => return None,
        };
        match extension {
            Extension::Size | Extension::Auth => self.add_extension(extension, &raw[end..cr]),
            flag => *flags |= 1 << flag as u16,
        }
        Some(cr)
    }

    /// Set the flag fields with their bit (see [`Extension`]) in `flags`.
    fn set_flags(&mut self, flags: u16) {
        let on = |e: Extension| flags & (1 << e as u16) != 0;
        self.pipelining |= on(Extension::Pipelining);
        self.eight_bit_mime |= on(Extension::EightBitMime);
        self.smtputf8 |= on(Extension::SmtpUtf8);
        self.chunking |= on(Extension::Chunking);
        self.binary_mime |= on(Extension::BinaryMime);
        self.starttls |= on(Extension::StartTls);
        self.dsn |= on(Extension::Dsn);
        self.enhanced_status_codes |= on(Extension::EnhancedStatusCodes);
        self.vrfy |= on(Extension::Vrfy);
        self.expn |= on(Extension::Expn);
        self.etrn |= on(Extension::Etrn);
        self.help |= on(Extension::Help);
    }

    /// One extension line: `keyword *((SP / "=") param)`, read from its
    /// bytes: only what goes into [`Capabilities::other`] is copied.
    fn add_line(&mut self, line: &[u8]) {
        let is_separator = |c: &u8| *c == b' ' || *c == b'=';
        let Some(start) = line.iter().position(|c| !is_separator(c)) else {
            return;
        };
        let end = line[start..]
            .iter()
            .position(is_separator)
            .map_or(line.len(), |n| start + n);
        let (keyword, params) = (&line[start..end], &line[end..]);
        if keyword[0] == b'-' || !keyword.iter().all(|&c| is_keyword_byte(c)) {
            self.other.push((text(line).into_owned(), Vec::new()));
            return;
        }
        match KNOWN_EXTENSIONS
            .iter()
            .find(|(name, _)| name.as_bytes().eq_ignore_ascii_case(keyword))
        {
            Some((_, extension)) => self.add_extension(*extension, params),
            None => {
                let params = split_words(params).map(|w| text(w).into_owned()).collect();
                self.other
                    .push((text(keyword).to_ascii_uppercase(), params));
            }
        }
    }

    /// A known extension with what follows its keyword.
    fn add_extension(&mut self, extension: Extension, params: &[u8]) {
        match extension {
            Extension::Size => {
                let limit = split_words(params).next().and_then(decimal);
                self.size = Some(limit.unwrap_or(0));
            }
            Extension::Auth => {
                // `AUTH=PLAIN LOGIN` is the pre-RFC 4954 form some servers
                // still send next to the standard one.
                for m in split_words(params) {
                    self.auth.insert_bytes(m);
                }
            }
            flag => self.set_flags(1 << flag as u16),
        }
    }

    /// Whether the server offers this SASL mechanism (case-insensitive).
    pub fn supports_auth(&self, mechanism: &str) -> bool {
        self.auth.contains(mechanism)
    }

    /// The lines of an EHLO reply after the first (which names the
    /// server), one per extension, for a server to send.
    pub fn ehlo_lines(&self) -> Vec<String> {
        let mut lines = Vec::new();
        let flags = [
            (self.pipelining, "PIPELINING"),
            (self.eight_bit_mime, "8BITMIME"),
            (self.smtputf8, "SMTPUTF8"),
            (self.chunking, "CHUNKING"),
            (self.binary_mime, "BINARYMIME"),
            (self.starttls, "STARTTLS"),
            (self.dsn, "DSN"),
            (self.enhanced_status_codes, "ENHANCEDSTATUSCODES"),
            (self.vrfy, "VRFY"),
            (self.expn, "EXPN"),
            (self.etrn, "ETRN"),
            (self.help, "HELP"),
        ];
        if let Some(n) = self.size {
            lines.push(if n == 0 {
                "SIZE".to_owned()
            } else {
                format!("SIZE {n}")
            });
        }
        for (on, name) in flags {
            if on {
                lines.push(name.to_owned());
            }
        }
        if !self.auth.is_empty() {
            let mut line = String::from("AUTH");
            for m in self.auth.iter() {
                line.push(' ');
                line.push_str(m);
            }
            lines.push(line);
        }
        for (k, params) in &self.other {
            if params.is_empty() {
                lines.push(k.clone());
            } else {
                lines.push(format!("{k} {}", params.join(" ")));
            }
        }
        lines
    }
}

/// esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
fn is_keyword_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-'
}

/// The extensions with a field of their own.
#[derive(Debug, Clone, Copy)]
enum Extension {
    Size,
    Auth,
    Pipelining,
    EightBitMime,
    SmtpUtf8,
    Chunking,
    BinaryMime,
    StartTls,
    Dsn,
    EnhancedStatusCodes,
    Vrfy,
    Expn,
    Etrn,
    Help,
}

/// Their keywords, upper case.
const KNOWN_EXTENSIONS: [(&str, Extension); 14] = [
    ("SIZE", Extension::Size),
    ("AUTH", Extension::Auth),
    ("PIPELINING", Extension::Pipelining),
    ("8BITMIME", Extension::EightBitMime),
    ("SMTPUTF8", Extension::SmtpUtf8),
    ("CHUNKING", Extension::Chunking),
    ("BINARYMIME", Extension::BinaryMime),
    ("STARTTLS", Extension::StartTls),
    ("DSN", Extension::Dsn),
    ("ENHANCEDSTATUSCODES", Extension::EnhancedStatusCodes),
    ("VRFY", Extension::Vrfy),
    ("EXPN", Extension::Expn),
    ("ETRN", Extension::Etrn),
    ("HELP", Extension::Help),
];

/// Where the known keyword whose first three bytes are those of `word`
/// (little-endian) is in [`EXTENSION_SLOTS`]: a multiplicative hash, with
/// a multiplier under which the known keywords, whose first three bytes
/// differ, all have slots of their own (checked as the table is built).
const fn extension_slot(word: u64) -> usize {
    ((word & 0xff_ffff).wrapping_mul(0xb6e8_05d1_6c8a_2655) >> 60) as usize
}

/// A known keyword in [`EXTENSION_SLOTS`].
#[derive(Clone, Copy)]
struct ExtensionSlot {
    /// Its first sixteen bytes, as two little-endian words (zero bytes
    /// past its end)...
    words: [u64; 2],
    /// ...and which bytes of those words are the keyword's.
    masks: [u64; 2],
    /// Where it is in [`KNOWN_EXTENSIONS`].
    index: u8,
}

/// The known keywords by [`extension_slot`]. A slot no keyword hashes to
/// matches nothing (its mask keeps a byte its word does not have).
static EXTENSION_SLOTS: [ExtensionSlot; 16] = {
    let mut slots = [ExtensionSlot {
        words: [u64::MAX, 0],
        masks: [0, 0],
        index: 0,
    }; 16];
    let mut i = 0;
    while i < KNOWN_EXTENSIONS.len() {
        let name = KNOWN_EXTENSIONS[i].0.as_bytes();
        let mut bytes = [0u8; 16];
        let mut mask = [0u8; 16];
        let mut k = 0;
        while k < name.len() && k < 16 {
            bytes[k] = name[k];
            mask[k] = 0xff;
            k += 1;
        }
        let word = u128::from_le_bytes(bytes);
        let mask = u128::from_le_bytes(mask);
        let slot = extension_slot(word as u64);
        assert!(slots[slot].masks[0] == 0, "two keywords in one slot");
        slots[slot] = ExtensionSlot {
            words: [word as u64, (word >> 64) as u64],
            masks: [mask as u64, (mask >> 64) as u64],
            index: i as u8,
        };
        i += 1;
    }
    slots
};

/// Sixteen bytes of `raw` from `at` as a little-endian number; past the
/// end of `raw`, zero bytes.
#[inline]
fn load16(raw: &[u8], at: usize) -> Option<u128> {
    let rest = raw.get(at..)?;
    if let Some(word) = rest.first_chunk::<16>() {
        return Some(u128::from_le_bytes(*word));
    }
    let mut word = [0u8; 16];
    word[..rest.len()].copy_from_slice(rest);
    Some(u128::from_le_bytes(word))
}

/// The words of extension parameters: split at spaces and `=`, empty
/// ones skipped.
fn split_words(params: &[u8]) -> impl Iterator<Item = &[u8]> {
    let is_separator = |c: &u8| *c == b' ' || *c == b'=';
    let mut rest = params;
    core::iter::from_fn(move || {
        let start = rest.iter().position(|c| !is_separator(c))?;
        let word = &rest[start..];
        let end = word.iter().position(is_separator).unwrap_or(word.len());
        rest = &word[end..];
        Some(&word[..end])
    })
}

/// A number as `str::parse::<u64>` reads one: an optional `+`, then
/// digits, without overflow.
fn decimal(word: &[u8]) -> Option<u64> {
    let digits = word.strip_prefix(b"+").unwrap_or(word);
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &c| {
        if !c.is_ascii_digit() {
            return None;
        }
        n.checked_mul(10)?.checked_add(u64::from(c - b'0'))
    })
}

/// The text of the line of `raw` (a parsed reply) that starts at `at`,
/// and where the next line starts.
fn reply_line(raw: &[u8], at: usize) -> Option<(&[u8], usize)> {
    let cr = at + find_byte(raw.get(at..)?, b'\r')?;
    Some((raw.get(at + 4..cr).unwrap_or(&[]), cr + 2))
}

/// The text of the first line up to its first space: the server's name.
fn first_word(line: &[u8]) -> String {
    let end = find_byte(line, b' ').unwrap_or(line.len());
    text(&line[..end]).into_owned()
}

/// Reply text as a `str`, borrowed when it is UTF-8 (as it almost always
/// is). A replacement character stands for each byte that is not; cutting
/// the text at ASCII bytes first gives the same characters.
fn text(line: &[u8]) -> Cow<'_, str> {
    match core::str::from_utf8(line) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(line),
    }
}

/// The SASL mechanisms this crate knows by name; each is kept as a number.
const KNOWN_MECHANISMS: [&str; 14] = [
    "PLAIN",
    "LOGIN",
    "CRAM-MD5",
    "DIGEST-MD5",
    "SCRAM-SHA-1",
    "SCRAM-SHA-1-PLUS",
    "SCRAM-SHA-256",
    "SCRAM-SHA-256-PLUS",
    "XOAUTH2",
    "OAUTHBEARER",
    "EXTERNAL",
    "GSSAPI",
    "NTLM",
    "ANONYMOUS",
];

/// In [`AuthMechanisms::order`]: the next of [`AuthMechanisms::other`].
const OTHER_SLOT: u64 = 15;
/// How many mechanisms [`AuthMechanisms::order`] holds.
const SLOTS: u8 = 16;

/// The SASL mechanisms a server offers (RFC 4954), upper case, each once
/// (compared case-insensitively), in the order they were added.
///
/// The mechanisms in common use (PLAIN, LOGIN, CRAM-MD5, SCRAM-SHA-256,
/// XOAUTH2, OAUTHBEARER...) are kept as numbers, so reading the AUTH line of
/// an EHLO reply allocates nothing unless it names others.
///
/// ```
/// use smtp_codec::capability::AuthMechanisms;
///
/// let mut auth = AuthMechanisms::from(["login", "X-CUSTOM", "PLAIN"]);
/// assert!(!auth.insert("Plain"));
/// assert!(auth.contains("x-custom"));
/// assert_eq!(auth, ["LOGIN", "X-CUSTOM", "PLAIN"]);
/// assert_eq!(auth.len(), 3);
/// ```
#[derive(Clone, Default)]
pub struct AuthMechanisms {
    /// The order, four bits a mechanism from the lowest bits up: a known
    /// mechanism as its index in [`KNOWN_MECHANISMS`] plus one, or
    /// [`OTHER_SLOT`] for the next string of `other`.
    order: u64,
    /// How many of the sixteen places of `order` are used. When all are,
    /// the mechanisms that come next, known or not, are strings of `other`
    /// after those `order` names.
    slots: u8,
    /// The known mechanisms in `order`, bit `index`.
    known: u16,
    /// The others, upper case, in order.
    other: Vec<String>,
}

impl AuthMechanisms {
    /// None.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a mechanism (stored upper case) unless it is there already;
    /// whether it was added.
    pub fn insert(&mut self, mechanism: &str) -> bool {
        self.insert_bytes(mechanism.as_bytes())
    }

    /// [`AuthMechanisms::insert`] from the bytes of a reply (a byte that is
    /// not UTF-8 becomes a replacement character).
    fn insert_bytes(&mut self, mechanism: &[u8]) -> bool {
        if let Some(index) = known_mechanism(mechanism)
            && self.slots < SLOTS
        {
            if self.known & (1 << index) != 0 {
                return false;
            }
            self.known |= 1 << index;
            self.push_slot(index as u64 + 1);
            return true;
        }
        let name = text(mechanism);
        if self.contains(&name) {
            return false;
        }
        if self.slots < SLOTS {
            self.push_slot(OTHER_SLOT);
        }
        self.other.push(name.to_ascii_uppercase());
        true
    }

    fn push_slot(&mut self, value: u64) {
        self.order |= value << (4 * u32::from(self.slots));
        self.slots += 1;
    }

    /// Whether this mechanism is there (case-insensitive).
    pub fn contains(&self, mechanism: &str) -> bool {
        if let Some(index) = known_mechanism(mechanism.as_bytes())
            && self.known & (1 << index) != 0
        {
            return true;
        }
        self.other.iter().any(|m| m.eq_ignore_ascii_case(mechanism))
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.known.count_ones() as usize + self.other.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Remove them all.
    pub fn clear(&mut self) {
        *self = Self::default();
    }

    /// The mechanisms, upper case, in the order they were added.
    pub fn iter(&self) -> AuthMechanismsIter<'_> {
        AuthMechanismsIter {
            order: self.order,
            slots: self.slots,
            other: self.other.iter(),
        }
    }
}

/// The mechanisms of an [`AuthMechanisms`], in order.
#[derive(Debug, Clone)]
pub struct AuthMechanismsIter<'a> {
    order: u64,
    slots: u8,
    other: core::slice::Iter<'a, String>,
}

impl<'a> Iterator for AuthMechanismsIter<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if self.slots == 0 {
            return self.other.next().map(String::as_str);
        }
        let slot = self.order & 0xf;
        self.order >>= 4;
        self.slots -= 1;
        match slot {
            OTHER_SLOT => self.other.next().map(String::as_str),
            known => Some(KNOWN_MECHANISMS[known as usize - 1]),
        }
    }
}

/// The index of a mechanism in [`KNOWN_MECHANISMS`], compared
/// case-insensitively.
fn known_mechanism(name: &[u8]) -> Option<usize> {
    // Upper case as servers send them, then in any case.
    let exact = match name {
        b"PLAIN" => 0,
        b"LOGIN" => 1,
        b"CRAM-MD5" => 2,
        b"XOAUTH2" => 8,
        b"OAUTHBEARER" => 9,
        _ => {
            return KNOWN_MECHANISMS
                .iter()
                .position(|k| k.len() == name.len() && k.as_bytes().eq_ignore_ascii_case(name));
        }
    };
    debug_assert_eq!(KNOWN_MECHANISMS[exact].as_bytes(), name);
    Some(exact)
}

impl fmt::Debug for AuthMechanisms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl PartialEq for AuthMechanisms {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for AuthMechanisms {}

impl<S: AsRef<str>> PartialEq<[S]> for AuthMechanisms {
    fn eq(&self, other: &[S]) -> bool {
        self.iter().eq(other.iter().map(AsRef::as_ref))
    }
}

impl<S: AsRef<str>, const N: usize> PartialEq<[S; N]> for AuthMechanisms {
    fn eq(&self, other: &[S; N]) -> bool {
        self == &other[..]
    }
}

impl<'a> IntoIterator for &'a AuthMechanisms {
    type Item = &'a str;
    type IntoIter = AuthMechanismsIter<'a>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<S: AsRef<str>> Extend<S> for AuthMechanisms {
    fn extend<I: IntoIterator<Item = S>>(&mut self, iter: I) {
        for m in iter {
            self.insert(m.as_ref());
        }
    }
}

impl<S: AsRef<str>> FromIterator<S> for AuthMechanisms {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        let mut set = Self::new();
        set.extend(iter);
        set
    }
}

impl<S: AsRef<str>, const N: usize> From<[S; N]> for AuthMechanisms {
    fn from(list: [S; N]) -> Self {
        list.into_iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_keywords_take_the_fast_path() {
        for (name, _) in KNOWN_EXTENSIONS {
            for line in [
                format!("250-{name}\r\n250 X\r\n"),
                format!("250 {name} 1 2\r\n"),
            ] {
                let mut caps = Capabilities::default();
                let mut flags = 0;
                let cr = caps.add_known_line(line.as_bytes(), 4, &mut flags);
                assert_eq!(cr, line.find('\r'), "{line:?}");
            }
        }
        // Not in upper case, or longer: left to the general reader.
        for line in [
            "250 Pipelining\r\n",
            "250 PIPELININGS\r\n",
            "250 SIZES 1\r\n",
        ] {
            let mut flags = 0;
            let cr = Capabilities::default().add_known_line(line.as_bytes(), 4, &mut flags);
            assert_eq!(cr, None, "{line:?}");
        }
    }

    #[test]
    fn mechanisms_keep_their_order() {
        let mut a = AuthMechanisms::new();
        assert!(a.is_empty());
        for m in ["x-one", "LOGIN", "plain", "X-TWO", "XOAUTH2"] {
            assert!(a.insert(m));
        }
        assert!(!a.insert("Login") && !a.insert("x-ONE"));
        assert_eq!(a, ["X-ONE", "LOGIN", "PLAIN", "X-TWO", "XOAUTH2"]);
        assert_eq!(a.len(), 5);
        assert!(a.contains("xoauth2") && a.contains("X-two") && !a.contains("NTLM"));
        // Past sixteen, the rest are strings, known or not, still in order.
        let names: Vec<String> = (0..20)
            .map(|i| match i {
                3 => "PLAIN".into(),
                17 => "NTLM".into(),
                18 => "plain".into(),
                i => format!("X-{i}"),
            })
            .collect();
        let b: AuthMechanisms = names.iter().collect();
        let want: Vec<String> = names
            .iter()
            .filter(|n| *n != "plain")
            .map(|n| n.to_ascii_uppercase())
            .collect();
        assert_eq!(b, want[..]);
        assert_eq!(b.len(), 19);
        assert!(b.contains("ntlm") && b.contains("x-19"));
        let mut c = b.clone();
        c.clear();
        assert!(c.is_empty() && c != b);
    }
}
