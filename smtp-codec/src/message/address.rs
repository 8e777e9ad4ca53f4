//! Address lists (RFC 5322 §3.4 and the obsolete forms of §4.4).

use alloc::string::String;
use alloc::vec::Vec;

use super::block::HeaderOptions;
use super::encoded_word::{decode_text, is_encoded_word};
use super::lexer::{Kind, Token, ValueError, lex};

/// A mailbox as header fields write it: an optional display name and an
/// addr-spec (`local-part@domain`).
///
/// This is the RFC 5322 form, with display names and comments; the SMTP
/// envelope form is [`crate::address::Mailbox`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Mailbox {
    /// The display name, RFC 2047 encoded-words decoded, quotes and escapes
    /// removed; `None` when there is none.
    pub name: Option<String>,
    /// The addr-spec, with comments and folding removed. A quoted local part
    /// stays quoted unless its content is a dot-atom (`"john"@x` reads as
    /// `john@x`). An obsolete source route (`<@relay:a@b>`) is dropped, as
    /// RFC 5322 §4.4 says.
    pub address: String,
    /// The comments written in or around the mailbox, joined by a space
    /// (`addr (Full Name)` is the old way of naming the owner).
    pub comment: Option<String>,
}

impl Mailbox {
    /// A mailbox without a display name.
    pub fn new(address: impl Into<String>) -> Self {
        Mailbox {
            name: None,
            address: address.into(),
            comment: None,
        }
    }

    /// A mailbox with a display name.
    pub fn with_name(name: impl Into<String>, address: impl Into<String>) -> Self {
        Mailbox {
            name: Some(name.into()),
            address: address.into(),
            comment: None,
        }
    }
}

/// A named group of mailboxes (`Friends: a@x, b@y;`), possibly empty
/// (`Undisclosed recipients:;`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Group {
    /// The group's display name.
    pub name: String,
    /// Its members.
    pub members: Vec<Mailbox>,
}

/// One element of an address list.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Address {
    /// A single mailbox.
    Mailbox(Mailbox),
    /// A group.
    Group(Group),
}

impl Address {
    /// The mailbox, or the group's members.
    pub fn mailboxes(&self) -> &[Mailbox] {
        match self {
            Address::Mailbox(m) => core::slice::from_ref(m),
            Address::Group(g) => &g.members,
        }
    }
}

impl From<Mailbox> for Address {
    fn from(m: Mailbox) -> Self {
        Address::Mailbox(m)
    }
}

impl From<Group> for Address {
    fn from(g: Group) -> Self {
        Address::Group(g)
    }
}

/// Parses an address list (the value of From, To, Cc, Reply-To, Resent-*).
///
/// Accepts the obsolete syntax RFC 5322 §4.4 requires readers to accept
/// (empty list elements, CFWS around the dots of addresses, source routes,
/// `.` in unquoted display names). RFC 2047 encoded-words are decoded in
/// display names and comments, as whole words only unless
/// [`HeaderOptions::lenient_encoded_words`] is set.
///
/// ```
/// use smtp_codec::message::{Address, HeaderOptions, parse_address_list};
///
/// let list = parse_address_list(
///     b" \"Joe Q. Public\" <john.q.public@example.com>, A Group:Ed Jones <c@a.test>,joe@where.test;",
///     HeaderOptions::default(),
/// )?;
/// assert_eq!(list[0].mailboxes()[0].name.as_deref(), Some("Joe Q. Public"));
/// let Address::Group(group) = &list[1] else { panic!() };
/// assert_eq!(group.name, "A Group");
/// assert_eq!(group.members[1].address, "joe@where.test");
/// # Ok::<(), smtp_codec::message::ValueError>(())
/// ```
pub fn parse_address_list(raw: &[u8], options: HeaderOptions) -> Result<Vec<Address>, ValueError> {
    let toks = lex(raw, options.lenient_encoded_words)?;
    let mut p = Parser {
        raw,
        toks: &toks,
        i: 0,
        options,
    };
    let mut out = Vec::new();
    loop {
        let mut comments = Vec::new();
        p.skip_comments(&mut comments);
        let Some(t) = p.peek() else { break };
        if t.is_special(b',') {
            // obs-addr-list: an empty element.
            p.i += 1;
            continue;
        }
        let address = p.address(comments, true)?;
        let was_group = matches!(address, Address::Group(_));
        out.push(address);
        match p.peek() {
            None => break,
            Some(t) if t.is_special(b',') => p.i += 1,
            Some(_) if was_group && options.lenient_addresses => {}
            Some(t) => return Err(ValueError::InvalidAddress { offset: t.start }),
        }
    }
    if out.is_empty() {
        return Err(ValueError::InvalidAddress { offset: raw.len() });
    }
    Ok(out)
}

pub(crate) struct Parser<'t> {
    pub(crate) raw: &'t [u8],
    pub(crate) toks: &'t [Token],
    pub(crate) i: usize,
    pub(crate) options: HeaderOptions,
}

fn is_word(t: &Token) -> bool {
    matches!(t.kind, Kind::Atom | Kind::Quoted(_))
}

impl<'t> Parser<'t> {
    /// The next token that is not a comment, without consuming it; the
    /// comments before it are skipped and dropped.
    pub(crate) fn peek(&mut self) -> Option<&'t Token> {
        while let Some(t) = self.toks.get(self.i) {
            if matches!(t.kind, Kind::Comment(_)) {
                self.i += 1;
            } else {
                return Some(t);
            }
        }
        None
    }

    pub(crate) fn skip_comments(&mut self, into: &mut Vec<String>) {
        while let Some(t) = self.toks.get(self.i) {
            match &t.kind {
                Kind::Comment(c) => {
                    into.push(c.clone());
                    self.i += 1;
                }
                _ => break,
            }
        }
    }

    fn offset(&self) -> usize {
        self.toks.get(self.i).map_or(self.raw.len(), |t| t.start)
    }

    fn err(&self) -> ValueError {
        ValueError::InvalidAddress {
            offset: self.offset(),
        }
    }

    pub(crate) fn atom_text(&self, t: &Token) -> String {
        String::from_utf8_lossy(self.raw.get(t.start..t.end).unwrap_or(&[])).into_owned()
    }

    /// A mailbox or (when `group_ok`) a group; `comments` are those already
    /// skipped before it. Consumes trailing comments.
    fn address(
        &mut self,
        mut comments: Vec<String>,
        group_ok: bool,
    ) -> Result<Address, ValueError> {
        if self.options.lenient_addresses
            && let Some(m) = self.lenient_named(&mut comments)?
        {
            return Ok(Address::Mailbox(m));
        }
        // Words (and obs-phrase dots) that may be a display name or a
        // local part.
        let mut words: Vec<&'t Token> = Vec::new();
        loop {
            self.skip_comments(&mut comments);
            match self.toks.get(self.i) {
                Some(t) if is_word(t) || t.is_special(b'.') => {
                    words.push(t);
                    self.i += 1;
                }
                _ => break,
            }
        }
        let Some(next) = self.toks.get(self.i) else {
            return Err(self.err());
        };
        match next.kind {
            Kind::Special(b'<') => {
                let name = if words.is_empty() {
                    None
                } else {
                    if !is_word(words[0]) {
                        return Err(ValueError::InvalidAddress {
                            offset: words[0].start,
                        });
                    }
                    Some(self.phrase(&words))
                };
                let address = self.angle_addr(&mut comments)?;
                let mut name = name;
                self.trailing(&mut comments, &mut name)?;
                Ok(Address::Mailbox(mailbox(name, address, comments)))
            }
            Kind::Special(b'@') => {
                let local = self.local_part(&words)?;
                self.i += 1;
                let domain = self.domain(&mut comments)?;
                let mut name = None;
                self.trailing(&mut comments, &mut name)?;
                Ok(Address::Mailbox(mailbox(
                    name,
                    alloc::format!("{local}@{domain}"),
                    comments,
                )))
            }
            Kind::Special(b':') if group_ok && words.first().is_some_and(|t| is_word(t)) => {
                let name = self.phrase(&words);
                self.i += 1;
                let members = self.group_list()?;
                Ok(Address::Group(Group { name, members }))
            }
            _ => Err(self.err()),
        }
    }

    /// Comments after a mailbox, up to the `,` or `;` or end; with
    /// `lenient_addresses`, words there become the display name if there
    /// was none (`<a@b.c> Name`).
    fn trailing(
        &mut self,
        comments: &mut Vec<String>,
        name: &mut Option<String>,
    ) -> Result<(), ValueError> {
        self.skip_comments(comments);
        if self.options.lenient_addresses && name.is_none() {
            let mut words: Vec<&'t Token> = Vec::new();
            loop {
                self.skip_comments(comments);
                match self.toks.get(self.i) {
                    Some(t) if is_word(t) || t.is_special(b'.') => {
                        words.push(t);
                        self.i += 1;
                    }
                    _ => break,
                }
            }
            if !words.is_empty() {
                *name = Some(self.phrase(&words));
            }
        }
        Ok(())
    }

    /// With `lenient_addresses`: a display name holding specials before an
    /// angle address (`a@b.c <a@b.c>`), read as the text written.
    fn lenient_named(&mut self, comments: &mut Vec<String>) -> Result<Option<Mailbox>, ValueError> {
        let start = self.i;
        let mut odd = false;
        let mut j = self.i;
        while let Some(t) = self.toks.get(j) {
            match t.kind {
                Kind::Special(b'<') => break,
                Kind::Special(b'.') | Kind::Atom | Kind::Quoted(_) | Kind::Comment(_) => {}
                Kind::Special(b'@') | Kind::Literal(_) => odd = true,
                _ => return Ok(None),
            }
            j += 1;
        }
        if !odd || j >= self.toks.len() {
            return Ok(None);
        }
        let mut text = String::new();
        for t in &self.toks[start..j] {
            let piece = match &t.kind {
                Kind::Comment(c) => {
                    comments.push(c.clone());
                    continue;
                }
                Kind::Quoted(q) => q.clone(),
                Kind::Literal(l) => l.clone(),
                Kind::Atom => self.atom_text(t),
                Kind::Special(c) => String::from(char::from(*c)),
            };
            if t.space_before && !text.is_empty() {
                text.push(' ');
            }
            text.push_str(&piece);
        }
        self.i = j;
        let address = self.angle_addr(comments)?;
        let name = decode_text(text.as_bytes(), self.options.lenient_encoded_words);
        let mut name = Some(name);
        self.trailing(comments, &mut name)?;
        Ok(Some(mailbox(name, address, core::mem::take(comments))))
    }

    /// `group-list ";"` after the colon, then trailing CFWS.
    fn group_list(&mut self) -> Result<Vec<Mailbox>, ValueError> {
        let mut members = Vec::new();
        loop {
            let mut comments = Vec::new();
            self.skip_comments(&mut comments);
            match self.toks.get(self.i) {
                Some(t) if t.is_special(b';') => {
                    self.i += 1;
                    break;
                }
                Some(t) if t.is_special(b',') => {
                    self.i += 1;
                    continue;
                }
                None if self.options.lenient_addresses => break,
                None => return Err(self.err()),
                Some(_) => {}
            }
            match self.address(comments, false)? {
                Address::Mailbox(m) => members.push(m),
                Address::Group(_) => return Err(self.err()),
            }
            match self.peek() {
                Some(t) if t.is_special(b',') => self.i += 1,
                Some(t) if t.is_special(b';') => {}
                None if self.options.lenient_addresses => {}
                _ => return Err(self.err()),
            }
        }
        let _ = self.peek();
        Ok(members)
    }

    /// `"<" [obs-route] addr-spec ">"`, at the `<`.
    fn angle_addr(&mut self, comments: &mut Vec<String>) -> Result<String, ValueError> {
        self.i += 1;
        self.skip_comments(comments);
        // obs-route: *(CFWS / ",") "@" domain *("," [CFWS] ["@" domain]) ":"
        if matches!(self.toks.get(self.i), Some(t) if t.is_special(b'@') || t.is_special(b',')) {
            loop {
                self.skip_comments(comments);
                match self.toks.get(self.i) {
                    Some(t) if t.is_special(b',') => self.i += 1,
                    Some(t) if t.is_special(b'@') => {
                        self.i += 1;
                        self.domain(comments)?;
                    }
                    Some(t) if t.is_special(b':') => {
                        self.i += 1;
                        break;
                    }
                    _ => return Err(self.err()),
                }
            }
        }
        let spec = self.addr_spec(comments)?;
        self.skip_comments(comments);
        match self.toks.get(self.i) {
            Some(t) if t.is_special(b'>') => {
                self.i += 1;
                Ok(spec)
            }
            _ => Err(self.err()),
        }
    }

    /// `local-part "@" domain`.
    pub(crate) fn addr_spec(&mut self, comments: &mut Vec<String>) -> Result<String, ValueError> {
        let mut words: Vec<&'t Token> = Vec::new();
        loop {
            self.skip_comments(comments);
            match self.toks.get(self.i) {
                Some(t) if is_word(t) || t.is_special(b'.') => {
                    words.push(t);
                    self.i += 1;
                }
                _ => break,
            }
        }
        let local = self.local_part(&words)?;
        match self.toks.get(self.i) {
            Some(t) if t.is_special(b'@') => self.i += 1,
            _ => return Err(self.err()),
        }
        let domain = self.domain(comments)?;
        Ok(alloc::format!("{local}@{domain}"))
    }

    /// `word *("." word)`, canonical: dot-atom text when every word is an
    /// atom (or the quoted content is a dot-atom), else one quoted string.
    fn local_part(&self, words: &[&'t Token]) -> Result<String, ValueError> {
        let fail = |t: Option<&&Token>| ValueError::InvalidAddress {
            offset: t.map_or(self.offset(), |t| t.start),
        };
        if words.is_empty() {
            return Err(fail(None));
        }
        let mut plain = String::new();
        let mut quoted = false;
        for (k, t) in words.iter().enumerate() {
            let want_word = k % 2 == 0;
            match &t.kind {
                Kind::Atom if want_word => plain.push_str(&self.atom_text(t)),
                Kind::Quoted(q) if want_word => {
                    quoted = true;
                    plain.push_str(q);
                }
                Kind::Special(b'.') if !want_word => plain.push('.'),
                _ => return Err(fail(Some(t))),
            }
        }
        if words.len().is_multiple_of(2) {
            return Err(fail(words.last()));
        }
        if !quoted || is_dot_atom(&plain) {
            return Ok(plain);
        }
        let mut out = String::with_capacity(plain.len() + 2);
        out.push('"');
        for c in plain.chars() {
            if c == '"' || c == '\\' {
                out.push('\\');
            }
            out.push(c);
        }
        out.push('"');
        Ok(out)
    }

    /// `dot-atom / domain-literal / obs-domain`, without CFWS.
    pub(crate) fn domain(&mut self, comments: &mut Vec<String>) -> Result<String, ValueError> {
        self.skip_comments(comments);
        let mut out = String::new();
        match self.toks.get(self.i) {
            Some(Token {
                kind: Kind::Literal(l),
                ..
            }) => {
                self.i += 1;
                self.skip_comments(comments);
                return Ok(l.clone());
            }
            Some(t) if t.kind == Kind::Atom => {
                out.push_str(&self.atom_text(t));
                self.i += 1;
            }
            _ => return Err(self.err()),
        }
        loop {
            self.skip_comments(comments);
            match self.toks.get(self.i) {
                Some(t) if t.is_special(b'.') => {
                    self.i += 1;
                    self.skip_comments(comments);
                    match self.toks.get(self.i) {
                        Some(t) if t.kind == Kind::Atom => {
                            out.push('.');
                            out.push_str(&self.atom_text(t));
                            self.i += 1;
                        }
                        _ => return Err(self.err()),
                    }
                }
                _ => return Ok(out),
            }
        }
    }

    /// A display name: words joined by one space where whitespace or a
    /// comment separated them, none between adjacent encoded-words.
    pub(crate) fn phrase(&self, words: &[&'t Token]) -> String {
        let lenient = self.options.lenient_encoded_words;
        let mut out = String::new();
        if lenient {
            // Read the phrase as text, then decode encoded-words anywhere.
            let mut text = String::new();
            for t in words {
                if t.space_before && !text.is_empty() {
                    text.push(' ');
                }
                match &t.kind {
                    Kind::Quoted(q) => text.push_str(q),
                    Kind::Atom => text.push_str(&self.atom_text(t)),
                    _ => text.push('.'),
                }
            }
            return decode_text(text.as_bytes(), true);
        }
        // Adjacent encoded-words, decoded together so that the whitespace
        // between them goes and a character split across them survives.
        let mut run: Vec<u8> = Vec::new();
        let mut run_space = false;
        let flush = |out: &mut String, run: &mut Vec<u8>, space: bool| {
            if !run.is_empty() {
                if space && !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(&decode_text(run, false));
                run.clear();
            }
        };
        for t in words {
            let raw = self.raw.get(t.start..t.end).unwrap_or(&[]);
            if t.kind == Kind::Atom && is_encoded_word(raw) {
                if run.is_empty() {
                    run_space = t.space_before;
                } else {
                    run.push(b' ');
                }
                run.extend_from_slice(raw);
                continue;
            }
            flush(&mut out, &mut run, run_space);
            if t.space_before && !out.is_empty() {
                out.push(' ');
            }
            match &t.kind {
                Kind::Atom => out.push_str(&String::from_utf8_lossy(raw)),
                Kind::Quoted(q) => out.push_str(q),
                _ => out.push('.'),
            }
        }
        flush(&mut out, &mut run, run_space);
        out
    }
}

fn mailbox(name: Option<String>, address: String, comments: Vec<String>) -> Mailbox {
    let comment = if comments.is_empty() {
        None
    } else {
        Some(comments.join(" "))
    };
    Mailbox {
        name,
        address,
        comment,
    }
}

/// `dot-atom-text`: atext runs joined by single dots.
pub(crate) fn is_dot_atom(s: &str) -> bool {
    !s.is_empty()
        && s.split('.')
            .all(|part| !part.is_empty() && part.bytes().all(super::lexer::is_atext))
}
