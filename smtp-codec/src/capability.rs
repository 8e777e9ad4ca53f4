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
    /// `AUTH` mechanisms (RFC 4954), upper case, in the order given.
    pub auth: Vec<String>,
    /// Other extensions: keyword (upper case) and parameters.
    pub other: Vec<(String, Vec<String>)>,
}

impl Capabilities {
    /// Read the capabilities from a (positive) EHLO reply. Lines that are
    /// not `keyword *(SP param)` are kept whole in [`Capabilities::other`].
    pub fn from_ehlo_reply(reply: &Reply<'_>) -> Self {
        let mut caps = Capabilities::default();
        let mut lines = reply.lines();
        if let Some(first) = lines.next() {
            let first = text(first);
            caps.domain = first.split(' ').next().unwrap_or("").to_owned();
        }
        for line in lines {
            caps.add_line(&text(line));
        }
        caps
    }

    /// Read the capabilities from the text lines of an EHLO reply (the
    /// first names the server), as kept in
    /// [`OwnedReply::lines`](crate::reply::OwnedReply::lines).
    pub fn from_ehlo_lines<'a, I: IntoIterator<Item = &'a str>>(lines: I) -> Self {
        let mut caps = Capabilities::default();
        let mut lines = lines.into_iter();
        if let Some(first) = lines.next() {
            caps.domain = first.split(' ').next().unwrap_or("").to_owned();
        }
        for line in lines {
            caps.add_line(line);
        }
        caps
    }

    fn add_line(&mut self, line: &str) {
        let mut words = line.split([' ', '=']).filter(|w| !w.is_empty());
        let Some(keyword) = words.next() else { return };
        let valid = keyword
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'-')
            && !keyword.starts_with('-');
        if !valid {
            self.other.push((line.to_owned(), Vec::new()));
            return;
        }
        // Known keywords are matched without building an upper-case copy.
        let flag = match keyword.len() {
            3 if keyword.eq_ignore_ascii_case("DSN") => Some(&mut self.dsn),
            8 if keyword.eq_ignore_ascii_case("8BITMIME") => Some(&mut self.eight_bit_mime),
            8 if keyword.eq_ignore_ascii_case("SMTPUTF8") => Some(&mut self.smtputf8),
            8 if keyword.eq_ignore_ascii_case("CHUNKING") => Some(&mut self.chunking),
            8 if keyword.eq_ignore_ascii_case("STARTTLS") => Some(&mut self.starttls),
            10 if keyword.eq_ignore_ascii_case("PIPELINING") => Some(&mut self.pipelining),
            10 if keyword.eq_ignore_ascii_case("BINARYMIME") => Some(&mut self.binary_mime),
            19 if keyword.eq_ignore_ascii_case("ENHANCEDSTATUSCODES") => {
                Some(&mut self.enhanced_status_codes)
            }
            _ => None,
        };
        if let Some(flag) = flag {
            *flag = true;
        } else if keyword.eq_ignore_ascii_case("SIZE") {
            self.size = Some(words.next().and_then(|p| p.parse().ok()).unwrap_or(0));
        } else if keyword.eq_ignore_ascii_case("AUTH") {
            // `AUTH=PLAIN LOGIN` is the pre-RFC 4954 form some servers
            // still send next to the standard one.
            for m in words {
                if !self.auth.iter().any(|a| a.eq_ignore_ascii_case(m)) {
                    self.auth.push(m.to_ascii_uppercase());
                }
            }
        } else {
            self.other.push((
                keyword.to_ascii_uppercase(),
                words.map(str::to_owned).collect(),
            ));
        }
    }

    /// Whether the server offers this SASL mechanism (case-insensitive).
    pub fn supports_auth(&self, mechanism: &str) -> bool {
        self.auth.iter().any(|m| m.eq_ignore_ascii_case(mechanism))
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
            lines.push(format!("AUTH {}", self.auth.join(" ")));
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

/// Reply text as a `str`, borrowed when it is UTF-8 (as it almost always is).
fn text(line: &[u8]) -> Cow<'_, str> {
    match core::str::from_utf8(line) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => String::from_utf8_lossy(line),
    }
}
