//! SMTP commands (RFC 5321 §4.1 and the extensions real servers advertise):
//! zero-copy parsing of one command line, and writing that refuses any
//! argument that could end the line or start another.
//!
//! ```
//! use smtp_codec::command::{BodyType, Command};
//!
//! let cmd = Command::parse(b"MAIL FROM:<jane@example.org> SIZE=1024 BODY=8BITMIME X-TRACE=7")?;
//! let Command::Mail { from, params } = &cmd else { unreachable!() };
//! assert_eq!(from.unwrap().to_string(), "jane@example.org");
//! assert_eq!(params.size, Some(1024));
//! assert_eq!(params.body, Some(BodyType::EightBitMime));
//! let unknown: Vec<_> = params.other.iter().map(|p| (p.keyword, p.value)).collect();
//! assert_eq!(unknown, [("X-TRACE", Some("7"))]);
//!
//! let mut wire = Vec::new();
//! cmd.write(&mut wire)?;
//! assert_eq!(wire, b"MAIL FROM:<jane@example.org> SIZE=1024 BODY=8BITMIME X-TRACE=7\r\n");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::{self, Write as _};

use crate::address::{self, AddressError, Domain, Mailbox};
use crate::line::str_from;
use crate::reply::EnhancedCode;

/// One SMTP command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Command<'a> {
    /// `HELO domain`.
    Helo(Domain<'a>),
    /// `EHLO domain` or `EHLO [address-literal]`.
    Ehlo(Domain<'a>),
    /// `MAIL FROM:<reverse-path> [params]`; `None` is the null path `<>`.
    Mail {
        /// The reverse path.
        from: Option<Mailbox<'a>>,
        /// Its parameters.
        params: MailParameters<'a>,
    },
    /// `RCPT TO:<forward-path> [params]`.
    Rcpt {
        /// The forward path.
        to: ForwardPath<'a>,
        /// Its parameters.
        params: RcptParameters<'a>,
    },
    /// `DATA`.
    Data,
    /// `BDAT size [LAST]` (RFC 3030).
    Bdat {
        /// Octets of the chunk that follows the command line.
        size: u64,
        /// Whether this is the last chunk.
        last: bool,
    },
    /// `RSET`.
    Rset,
    /// `NOOP [string]`.
    Noop(Option<&'a str>),
    /// `QUIT`.
    Quit,
    /// `VRFY string`.
    Vrfy(&'a str),
    /// `EXPN string`.
    Expn(&'a str),
    /// `HELP [string]`.
    Help(Option<&'a str>),
    /// `STARTTLS` (RFC 3207).
    StartTls,
    /// `AUTH mechanism [initial-response]` (RFC 4954). An initial response
    /// of `=` (empty) is given as `Some("=")`, as on the wire.
    Auth {
        /// The SASL mechanism name, as sent (compare case-insensitively).
        mechanism: &'a str,
        /// The base64 initial response.
        initial_response: Option<&'a str>,
    },
}

/// The forward path of RCPT: a mailbox or the special `<Postmaster>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ForwardPath<'a> {
    /// `<Postmaster>` without a domain (RFC 5321 §4.1.1.3).
    Postmaster,
    /// A mailbox.
    Mailbox(Mailbox<'a>),
}

impl fmt::Display for ForwardPath<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ForwardPath::Postmaster => f.write_str("Postmaster"),
            ForwardPath::Mailbox(m) => m.fmt(f),
        }
    }
}

/// `BODY=` of RFC 6152 / RFC 3030.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BodyType {
    /// `7BIT`.
    SevenBit,
    /// `8BITMIME`.
    EightBitMime,
    /// `BINARYMIME` (needs BDAT).
    BinaryMime,
}

impl BodyType {
    /// The keyword value.
    pub fn as_str(self) -> &'static str {
        match self {
            BodyType::SevenBit => "7BIT",
            BodyType::EightBitMime => "8BITMIME",
            BodyType::BinaryMime => "BINARYMIME",
        }
    }
}

/// `RET=` of RFC 3461.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ret {
    /// `FULL`: return the whole message in a DSN.
    Full,
    /// `HDRS`: return only the headers.
    Headers,
}

/// `NOTIFY=` of RFC 3461. All three false is `NEVER`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Notify {
    /// `SUCCESS`.
    pub success: bool,
    /// `FAILURE`.
    pub failure: bool,
    /// `DELAY`.
    pub delay: bool,
}

/// `ORCPT=addr-type;xtext` of RFC 3461.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OriginalRecipient<'a> {
    /// The address type, usually `rfc822` or `utf-8`.
    pub addr_type: &'a str,
    /// The address, still xtext-encoded (see [`xtext_decode`]).
    pub address: &'a str,
}

/// One `keyword[=value]` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Parameter<'a> {
    /// The keyword, as sent.
    pub keyword: &'a str,
    /// The value, if any.
    pub value: Option<&'a str>,
}

/// Parameters this crate has no typed field for, kept in order. Two are
/// equal when they list the same parameters in the same order, whether
/// parsed or built with [`Parameters::from_list`].
#[derive(Clone, Copy, Default)]
pub struct Parameters<'a> {
    repr: ParamRepr<'a>,
}

impl fmt::Debug for Parameters<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl PartialEq for Parameters<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl Eq for Parameters<'_> {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ParamRepr<'a> {
    /// The parameter text of a parsed command, and the keywords to skip
    /// (the typed ones).
    Parsed {
        text: &'a str,
        known: &'static [&'static str],
    },
    List(&'a [Parameter<'a>]),
}

impl Default for ParamRepr<'_> {
    fn default() -> Self {
        ParamRepr::List(&[])
    }
}

impl<'a> Parameters<'a> {
    /// Parameters to write, from a list.
    pub fn from_list(list: &'a [Parameter<'a>]) -> Self {
        Parameters {
            repr: ParamRepr::List(list),
        }
    }

    /// The parameters, in order.
    pub fn iter(&self) -> impl Iterator<Item = Parameter<'a>> + 'a {
        let (text, known, list): (&'a str, &'static [&'static str], &'a [Parameter<'a>]) =
            match self.repr {
                ParamRepr::Parsed { text, known } => (text, known, &[]),
                ParamRepr::List(list) => ("", &[], list),
            };
        split_spaces(text)
            .filter(|s| !s.is_empty())
            .map(split_param)
            .filter(move |p| !known.iter().any(|k| k.eq_ignore_ascii_case(p.keyword)))
            .chain(list.iter().copied())
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.iter().next().is_none()
    }
}

fn split_param(s: &str) -> Parameter<'_> {
    match find_byte(s, b'=') {
        Some(eq) => Parameter {
            keyword: &s[..eq],
            value: Some(&s[eq + 1..]),
        },
        None => Parameter {
            keyword: s,
            value: None,
        },
    }
}

/// Parameters of MAIL FROM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct MailParameters<'a> {
    /// `SIZE=` (RFC 1870): the declared message size.
    pub size: Option<u64>,
    /// `BODY=` (RFC 6152, RFC 3030).
    pub body: Option<BodyType>,
    /// `SMTPUTF8` (RFC 6531).
    pub smtputf8: bool,
    /// `RET=` (RFC 3461).
    pub ret: Option<Ret>,
    /// `ENVID=` (RFC 3461), xtext-encoded.
    pub envid: Option<&'a str>,
    /// `AUTH=` (RFC 4954), xtext-encoded; `<>` for none.
    pub auth: Option<&'a str>,
    /// Every other parameter.
    pub other: Parameters<'a>,
}

/// Parameters of RCPT TO.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct RcptParameters<'a> {
    /// `NOTIFY=` (RFC 3461).
    pub notify: Option<Notify>,
    /// `ORCPT=` (RFC 3461).
    pub orcpt: Option<OriginalRecipient<'a>>,
    /// Every other parameter.
    pub other: Parameters<'a>,
}

const MAIL_KNOWN: &[&str] = &["SIZE", "BODY", "SMTPUTF8", "RET", "ENVID", "AUTH"];
const RCPT_KNOWN: &[&str] = &["NOTIFY", "ORCPT"];

/// Leniencies and session state that change how a line parses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct CommandOptions {
    /// The transaction was opened with `SMTPUTF8`, so RCPT, VRFY and EXPN
    /// may carry UTF-8 (RFC 6531). MAIL FROM needs no option: its own
    /// `SMTPUTF8` parameter allows UTF-8 in its path.
    pub smtputf8: bool,
    /// Accept a space between `FROM:`/`TO:` and the path, which RFC 5321
    /// does not allow but some old clients send. Off by default.
    pub allow_space_after_colon: bool,
    /// Accept any printable argument to HELO and EHLO instead of a domain
    /// or address literal (hosts named with underscores, bare IPs). An
    /// argument that is neither is then given as [`Domain::Name`] (a valid
    /// domain or literal is typed as usual). Off by default.
    pub lenient_helo: bool,
}

/// Why a command line was refused. [`CommandError::reply`] gives the reply
/// a server should send.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CommandError {
    /// The verb is not one this crate knows.
    #[error("unrecognized command")]
    Unrecognized,
    /// The arguments do not follow the command's syntax.
    #[error("syntax error in {what} at byte {offset}")]
    Syntax {
        /// What was being parsed.
        what: &'static str,
        /// Offset in the line.
        offset: usize,
    },
    /// The mailbox or domain is not valid.
    #[error("bad address at byte {offset}: {error}")]
    Address {
        /// What was wrong.
        error: AddressError,
        /// Offset in the line where the address starts.
        offset: usize,
    },
    /// A parameter was given twice.
    #[error("duplicate parameter at byte {offset}")]
    DuplicateParameter {
        /// Offset in the line.
        offset: usize,
    },
    /// A known parameter with a value it cannot have.
    #[error("invalid value for {keyword} at byte {offset}")]
    InvalidParameter {
        /// The parameter.
        keyword: &'static str,
        /// Offset in the line.
        offset: usize,
    },
    /// Bytes that are not UTF-8, or non-ASCII outside SMTPUTF8.
    #[error("non-ASCII text at byte {offset}")]
    NotAscii {
        /// Offset in the line.
        offset: usize,
    },
}

impl CommandError {
    /// The reply code and enhanced status code a server answers with
    /// (RFC 5321 §4.2.2, RFC 3463, RFC 6531 §3.7.4).
    pub fn reply(&self) -> (u16, EnhancedCode, &'static str) {
        match self {
            CommandError::Unrecognized => (500, EnhancedCode::new(5, 5, 1), "Command unrecognized"),
            CommandError::Syntax { .. } | CommandError::DuplicateParameter { .. } => (
                501,
                EnhancedCode::new(5, 5, 4),
                "Syntax error in parameters or arguments",
            ),
            CommandError::InvalidParameter { .. } => {
                (501, EnhancedCode::new(5, 5, 4), "Invalid parameter value")
            }
            CommandError::Address {
                error: AddressError::NeedsSmtpUtf8 { .. },
                ..
            } => (
                553,
                EnhancedCode::new(5, 6, 7),
                "Non-ASCII address needs SMTPUTF8",
            ),
            CommandError::Address { .. } => (501, EnhancedCode::new(5, 1, 3), "Bad address syntax"),
            CommandError::NotAscii { .. } => (
                500,
                EnhancedCode::new(5, 6, 7),
                "Non-ASCII command needs SMTPUTF8",
            ),
        }
    }
}

/// Why a command could not be written: an argument that is not valid for
/// its place, which would otherwise corrupt or inject a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CommandWriteError {
    /// An argument with a byte its grammar does not allow (CR, LF, NUL,
    /// space where none may be...).
    #[error("invalid {what} at byte {offset}")]
    Invalid {
        /// Which argument.
        what: &'static str,
        /// Offset inside that argument.
        offset: usize,
    },
    /// An invalid mailbox or domain.
    #[error("invalid address: {0}")]
    Address(#[from] AddressError),
}

fn syntax(what: &'static str, offset: usize) -> CommandError {
    CommandError::Syntax { what, offset }
}

impl<'a> Command<'a> {
    /// Parse one command line, without its CRLF, with default options.
    #[inline]
    pub fn parse(line: &'a [u8]) -> Result<Self, CommandError> {
        Self::parse_with(line, &CommandOptions::default())
    }

    /// Parse one command line, without its CRLF.
    #[inline]
    pub fn parse_with(line: &'a [u8], opts: &CommandOptions) -> Result<Self, CommandError> {
        let parsed = parse_common(line, opts);
        // The general parser is the grammar; the fast one must agree.
        debug_assert_eq!(parsed, Self::parse_in_order(line, opts));
        parsed
    }

    /// [`Command::parse_with`] production by production, in the order
    /// that decides which error a line with several gets.
    fn parse_in_order(line: &'a [u8], opts: &CommandOptions) -> Result<Self, CommandError> {
        let line = match core::str::from_utf8(line) {
            Ok(s) => s,
            Err(e) => {
                return Err(CommandError::NotAscii {
                    offset: e.valid_up_to(),
                });
            }
        };
        let verb_end = find_byte(line, b' ').unwrap_or(line.len());
        let rest = &line[verb_end..];
        let cmd = match verb_key(&line.as_bytes()[..verb_end]) {
            HELO => Command::Helo(parse_helo(rest, opts, verb_end)?),
            EHLO => Command::Ehlo(parse_helo(rest, opts, verb_end)?),
            MAIL => parse_mail(line, verb_end, opts)?,
            RCPT => parse_rcpt(line, verb_end, opts)?,
            DATA => no_args(rest, verb_end, Command::Data)?,
            RSET => no_args(rest, verb_end, Command::Rset)?,
            QUIT => no_args(rest, verb_end, Command::Quit)?,
            STARTTLS => no_args(rest, verb_end, Command::StartTls)?,
            NOOP => Command::Noop(optional_string(line, verb_end, opts)?),
            HELP => Command::Help(optional_string(line, verb_end, opts)?),
            VRFY => Command::Vrfy(
                optional_string(line, verb_end, opts)?.ok_or(syntax("argument", verb_end))?,
            ),
            EXPN => Command::Expn(
                optional_string(line, verb_end, opts)?.ok_or(syntax("argument", verb_end))?,
            ),
            BDAT => parse_bdat(rest, verb_end)?,
            AUTH => parse_auth(rest, verb_end)?,
            _ => return Err(CommandError::Unrecognized),
        };
        Ok(cmd)
    }

    /// The command's verb, upper case.
    pub fn verb(&self) -> &'static str {
        match self {
            Command::Helo(_) => "HELO",
            Command::Ehlo(_) => "EHLO",
            Command::Mail { .. } => "MAIL",
            Command::Rcpt { .. } => "RCPT",
            Command::Data => "DATA",
            Command::Bdat { .. } => "BDAT",
            Command::Rset => "RSET",
            Command::Noop(_) => "NOOP",
            Command::Quit => "QUIT",
            Command::Vrfy(_) => "VRFY",
            Command::Expn(_) => "EXPN",
            Command::Help(_) => "HELP",
            Command::StartTls => "STARTTLS",
            Command::Auth { .. } => "AUTH",
        }
    }

    /// Append the command line, with its CRLF, to `out`. Every argument is
    /// checked first; on error nothing is written.
    pub fn write(&self, out: &mut Vec<u8>) -> Result<(), CommandWriteError> {
        self.validate()?;
        let mut s = String::new();
        // Writing to a String cannot fail.
        let _ = self.write_unchecked(&mut s);
        out.extend_from_slice(s.as_bytes());
        out.extend_from_slice(b"\r\n");
        Ok(())
    }

    /// Check every argument against its grammar.
    pub fn validate(&self) -> Result<(), CommandWriteError> {
        match self {
            Command::Helo(d) | Command::Ehlo(d) => d.validate(true)?,
            Command::Mail { from, params } => {
                if let Some(m) = from {
                    m.validate(params.smtputf8)?;
                    check_path_len(m)?;
                }
                // The same rules as parsing: xtext (RFC 3461 §4, RFC 4954 §5).
                if let Some(v) = params.envid {
                    check_xtext(v, "ENVID", MAX_ENVID)?;
                }
                if let Some(v) = params.auth
                    && v != "<>"
                {
                    check_xtext(v, "AUTH", usize::MAX)?;
                }
                check_params(&params.other, params.smtputf8, MAIL_KNOWN)?;
            }
            Command::Rcpt { to, params } => {
                if let ForwardPath::Mailbox(m) = to {
                    m.validate(true)?;
                    check_path_len(m)?;
                }
                if let Some(o) = params.orcpt {
                    check_keyword(o.addr_type, "ORCPT address type")?;
                    check_value(o.address, "ORCPT", true)?;
                }
                check_params(&params.other, true, RCPT_KNOWN)?;
            }
            Command::Noop(Some(s))
            | Command::Help(Some(s))
            | Command::Vrfy(s)
            | Command::Expn(s) => check_text(s, "argument")?,
            Command::Auth {
                mechanism,
                initial_response,
            } => {
                check_mechanism(mechanism)?;
                if let Some(ir) = initial_response {
                    check_base64(ir)?;
                }
            }
            Command::Data
            | Command::Bdat { .. }
            | Command::Rset
            | Command::Noop(None)
            | Command::Help(None)
            | Command::Quit
            | Command::StartTls => {}
        }
        Ok(())
    }

    fn write_unchecked(&self, s: &mut String) -> fmt::Result {
        s.push_str(self.verb());
        match self {
            Command::Helo(d) | Command::Ehlo(d) => write!(s, " {d}"),
            Command::Mail { from, params } => {
                s.push_str(" FROM:<");
                if let Some(m) = from {
                    write!(s, "{m}")?;
                }
                s.push('>');
                if let Some(n) = params.size {
                    write!(s, " SIZE={n}")?;
                }
                if let Some(b) = params.body {
                    write!(s, " BODY={}", b.as_str())?;
                }
                if params.smtputf8 {
                    s.push_str(" SMTPUTF8");
                }
                if let Some(r) = params.ret {
                    s.push_str(if r == Ret::Full {
                        " RET=FULL"
                    } else {
                        " RET=HDRS"
                    });
                }
                if let Some(v) = params.envid {
                    write!(s, " ENVID={v}")?;
                }
                if let Some(v) = params.auth {
                    write!(s, " AUTH={v}")?;
                }
                write_other(s, &params.other)
            }
            Command::Rcpt { to, params } => {
                write!(s, " TO:<{to}>")?;
                if let Some(n) = params.notify {
                    s.push_str(" NOTIFY=");
                    if n == Notify::default() {
                        s.push_str("NEVER");
                    } else {
                        let mut first = true;
                        for (on, name) in [
                            (n.success, "SUCCESS"),
                            (n.failure, "FAILURE"),
                            (n.delay, "DELAY"),
                        ] {
                            if on {
                                if !first {
                                    s.push(',');
                                }
                                s.push_str(name);
                                first = false;
                            }
                        }
                    }
                }
                if let Some(o) = params.orcpt {
                    write!(s, " ORCPT={};{}", o.addr_type, o.address)?;
                }
                write_other(s, &params.other)
            }
            Command::Bdat { size, last } => {
                write!(s, " {size}")?;
                if *last {
                    s.push_str(" LAST");
                }
                Ok(())
            }
            Command::Noop(Some(a))
            | Command::Help(Some(a))
            | Command::Vrfy(a)
            | Command::Expn(a) => {
                write!(s, " {a}")
            }
            Command::Auth {
                mechanism,
                initial_response,
            } => {
                write!(s, " {mechanism}")?;
                if let Some(ir) = initial_response {
                    write!(s, " {ir}")?;
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }
}

impl fmt::Display for Command<'_> {
    /// The command line without CRLF, as [`Command::write`] would send it
    /// (without validation: use `write` for the wire).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        self.write_unchecked(&mut s)?;
        f.write_str(&s)
    }
}

fn write_other(s: &mut String, params: &Parameters<'_>) -> fmt::Result {
    for p in params.iter() {
        write!(s, " {}", p.keyword)?;
        if let Some(v) = p.value {
            write!(s, "={v}")?;
        }
    }
    Ok(())
}

/// The longest ENVID (RFC 3461 §4.4: 100 characters).
const MAX_ENVID: usize = 100;

/// A non-empty xtext value of at most `max` octets.
fn check_xtext(v: &str, what: &'static str, max: usize) -> Result<(), CommandWriteError> {
    let bad = |offset| Err(CommandWriteError::Invalid { what, offset });
    if v.is_empty() {
        return bad(0);
    }
    if v.len() > max {
        return bad(max);
    }
    match xtext_error_at(v) {
        Some(offset) => bad(offset),
        None => Ok(()),
    }
}

/// Counts the octets written through it.
struct OctetCount(usize);

impl fmt::Write for OctetCount {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0 += s.len();
        Ok(())
    }
}

/// A path with this mailbox fits in RFC 5321 §4.5.3.1.3's 256 octets (with
/// its angle brackets), as parsing requires.
fn check_path_len(m: &Mailbox<'_>) -> Result<(), CommandWriteError> {
    let mut n = OctetCount(2);
    let _ = write!(n, "{m}");
    if n.0 > address::MAX_PATH {
        return Err(AddressError::TooLong {
            what: "path",
            max: address::MAX_PATH,
        }
        .into());
    }
    Ok(())
}

fn check_params(
    params: &Parameters<'_>,
    utf8: bool,
    known: &[&str],
) -> Result<(), CommandWriteError> {
    for p in params.iter() {
        check_keyword(p.keyword, "parameter keyword")?;
        if known.iter().any(|k| k.eq_ignore_ascii_case(p.keyword)) {
            // A typed parameter given again as an untyped one would be a
            // duplicate on the wire.
            return Err(CommandWriteError::Invalid {
                what: "parameter (use the typed field)",
                offset: 0,
            });
        }
        if let Some(v) = p.value {
            check_value(v, "parameter value", utf8)?;
        }
    }
    Ok(())
}

/// esmtp-keyword = (ALPHA / DIGIT) *(ALPHA / DIGIT / "-")
fn check_keyword(k: &str, what: &'static str) -> Result<(), CommandWriteError> {
    match k
        .bytes()
        .position(|c| !(c.is_ascii_alphanumeric() || c == b'-'))
    {
        _ if k.is_empty() || k.starts_with('-') => {
            Err(CommandWriteError::Invalid { what, offset: 0 })
        }
        Some(offset) => Err(CommandWriteError::Invalid { what, offset }),
        None => Ok(()),
    }
}

/// esmtp-value = 1*(%d33-60 / %d62-126), plus UTF-8 under SMTPUTF8.
fn check_value(v: &str, what: &'static str, utf8: bool) -> Result<(), CommandWriteError> {
    if v.is_empty() {
        return Err(CommandWriteError::Invalid { what, offset: 0 });
    }
    match v.bytes().position(|c| !is_value_byte(c, utf8)) {
        Some(offset) => Err(CommandWriteError::Invalid { what, offset }),
        None => Ok(()),
    }
}

fn is_value_byte(c: u8, utf8: bool) -> bool {
    matches!(c, 33..=60 | 62..=126) || (utf8 && c >= 0x80)
}

/// Free text arguments: no controls (so no CR, LF or NUL).
fn check_text(v: &str, what: &'static str) -> Result<(), CommandWriteError> {
    match v.chars().position(|c| c.is_control()) {
        Some(_) => Err(CommandWriteError::Invalid {
            what,
            offset: v
                .char_indices()
                .find(|(_, c)| c.is_control())
                .map_or(0, |(i, _)| i),
        }),
        None if v.is_empty() => Err(CommandWriteError::Invalid { what, offset: 0 }),
        None => Ok(()),
    }
}

/// sasl-mech = 1*20mech-char; mech-char = UPPER-ALPHA / DIGIT / HYPHEN / UNDERSCORE
/// (lower case is accepted too, as servers compare case-insensitively).
fn check_mechanism(m: &str) -> Result<(), CommandWriteError> {
    const WHAT: &str = "SASL mechanism";
    if m.is_empty() || m.len() > 20 {
        return Err(CommandWriteError::Invalid {
            what: WHAT,
            offset: 0,
        });
    }
    match m
        .bytes()
        .position(|c| !(c.is_ascii_alphanumeric() || c == b'-' || c == b'_'))
    {
        Some(offset) => Err(CommandWriteError::Invalid { what: WHAT, offset }),
        None => Ok(()),
    }
}

fn check_base64(s: &str) -> Result<(), CommandWriteError> {
    const WHAT: &str = "base64 response";
    if s == "=" {
        return Ok(());
    }
    if s.is_empty() {
        return Err(CommandWriteError::Invalid {
            what: WHAT,
            offset: 0,
        });
    }
    match s
        .bytes()
        .position(|c| !(c.is_ascii_alphanumeric() || c == b'+' || c == b'/' || c == b'='))
    {
        Some(offset) => Err(CommandWriteError::Invalid { what: WHAT, offset }),
        None => Ok(()),
    }
}

/// A verb of up to 8 bytes as one number: its length above its bytes
/// (little-endian) with the case bit 0x20 cleared. Only ASCII letters become
/// upper-case letters that way, and every verb is letters, so equal keys
/// are the same verb in any case. 0 for anything longer or empty.
const fn verb_key(v: &[u8]) -> u128 {
    if v.is_empty() || v.len() > 8 {
        return 0;
    }
    let mut word = [0u8; 8];
    let mut i = 0;
    while i < v.len() {
        word[i] = v[i] & !0x20;
        i += 1;
    }
    (v.len() as u128) << 64 | u64::from_le_bytes(word) as u128
}

const HELO: u128 = verb_key(b"HELO");
const EHLO: u128 = verb_key(b"EHLO");
const MAIL: u128 = verb_key(b"MAIL");
const RCPT: u128 = verb_key(b"RCPT");
const DATA: u128 = verb_key(b"DATA");
const RSET: u128 = verb_key(b"RSET");
const QUIT: u128 = verb_key(b"QUIT");
const STARTTLS: u128 = verb_key(b"STARTTLS");
const NOOP: u128 = verb_key(b"NOOP");
const HELP: u128 = verb_key(b"HELP");
const VRFY: u128 = verb_key(b"VRFY");
const EXPN: u128 = verb_key(b"EXPN");
const BDAT: u128 = verb_key(b"BDAT");
const AUTH: u128 = verb_key(b"AUTH");

/// The first `byte` (ASCII) in `s`: a plain loop, which beats `str::find`'s
/// searcher on the short pieces of a command line.
fn find_byte(s: &str, byte: u8) -> Option<usize> {
    s.bytes().position(|c| c == byte)
}

/// `text.split(' ')`, with [`find_byte`].
fn split_spaces(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    core::iter::from_fn(move || {
        let r = rest?;
        match find_byte(r, b' ') {
            Some(i) => {
                rest = Some(&r[i + 1..]);
                Some(&r[..i])
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

fn no_args<'a>(rest: &str, at: usize, cmd: Command<'a>) -> Result<Command<'a>, CommandError> {
    if rest.is_empty() {
        Ok(cmd)
    } else {
        Err(syntax("command without arguments", at))
    }
}

fn check_ascii(s: &str, base: usize, utf8: bool) -> Result<(), CommandError> {
    if utf8 {
        return Ok(());
    }
    match s.bytes().position(|c| c >= 0x80) {
        Some(p) => Err(CommandError::NotAscii { offset: base + p }),
        None => Ok(()),
    }
}

fn parse_helo<'a>(
    rest: &'a str,
    opts: &CommandOptions,
    at: usize,
) -> Result<Domain<'a>, CommandError> {
    let arg = rest.strip_prefix(' ').ok_or(syntax("domain", at))?;
    let base = at + 1;
    if arg.is_empty() {
        return Err(syntax("domain", base));
    }
    if opts.lenient_helo {
        if let Ok(domain) = address::parse_domain_or_literal(arg, true, 0) {
            return Ok(domain);
        }
        return match arg
            .char_indices()
            .find(|(_, c)| c.is_control() || c.is_whitespace())
        {
            Some((p, _)) => Err(syntax("domain", base + p)),
            None => Ok(Domain::Name(arg)),
        };
    }
    address::parse_domain_or_literal(arg, true, 0).map_err(|error| CommandError::Address {
        error,
        offset: base,
    })
}

/// `line[at..]` must be ` KEYWORD:`; returns the offset just past the colon.
fn expect_prefix(
    line: &str,
    at: usize,
    keyword: &'static str,
    opts: &CommandOptions,
) -> Result<usize, CommandError> {
    let want = keyword.len() + 2;
    // Bytes, not `str` slices: the keyword's last letter may be the start
    // of a multi-byte character.
    let b = line
        .as_bytes()
        .get(at..at + want)
        .ok_or(syntax(keyword, at))?;
    if b[0] != b' '
        || !b[1..want - 1].eq_ignore_ascii_case(keyword.as_bytes())
        || b[want - 1] != b':'
    {
        return Err(syntax(keyword, at));
    }
    let mut end = at + want;
    if opts.allow_space_after_colon && line.as_bytes().get(end) == Some(&b' ') {
        end += 1;
    }
    Ok(end)
}

/// The end (exclusive) of a `<...>` path starting at `start`, honouring
/// quoted strings in the local part and address literals, whose content may
/// hold `>` and `"` (dcontent of RFC 5321 §4.1.3).
fn path_end(line: &str, start: usize) -> Result<usize, CommandError> {
    let b = line.as_bytes();
    if b.get(start) != Some(&b'<') {
        return Err(syntax("path", start));
    }
    let mut i = start + 1;
    let mut quoted = false;
    let mut literal = false;
    while i < b.len() {
        match b[i] {
            b'\\' if quoted => i += 1,
            b'"' if !literal => quoted = !quoted,
            b'[' if !quoted => literal = true,
            b']' if !quoted => literal = false,
            b'>' if !quoted && !literal => return Ok(i + 1),
            _ => {}
        }
        i += 1;
    }
    Err(syntax("path", b.len()))
}

/// Split the parameter text (after the path) and check each keyword and
/// value; returns the text without its leading space.
fn param_text(line: &str, from: usize, utf8: bool) -> Result<&str, CommandError> {
    let rest = &line[from..];
    if rest.is_empty() {
        return Ok(rest);
    }
    let text = rest.strip_prefix(' ').ok_or(syntax("parameters", from))?;
    let base = from + 1;
    let mut pos = 0;
    for piece in split_spaces(text) {
        let at = base + pos;
        pos += piece.len() + 1;
        if piece.is_empty() {
            return Err(syntax("parameters", at));
        }
        let p = split_param(piece);
        if check_keyword(p.keyword, "").is_err() {
            return Err(syntax("parameter keyword", at));
        }
        if let Some(v) = p.value {
            if let Some(k) = v.bytes().position(|c| !is_value_byte(c, true)) {
                return Err(syntax("parameter value", at + p.keyword.len() + 1 + k));
            }
            if v.is_empty() {
                return Err(syntax("parameter value", at + p.keyword.len() + 1));
            }
            if !utf8 {
                check_ascii(v, at + p.keyword.len() + 1, false)?;
            }
        }
    }
    Ok(text)
}

/// Walk the parameters with their offsets.
fn params_with_offsets(text: &str, base: usize) -> impl Iterator<Item = (usize, Parameter<'_>)> {
    let mut pos = 0;
    split_spaces(text)
        .filter(|s| !s.is_empty())
        .map(move |piece| {
            let at = base + pos;
            pos += piece.len() + 1;
            (at, split_param(piece))
        })
}

fn parse_mail<'a>(
    line: &'a str,
    at: usize,
    opts: &CommandOptions,
) -> Result<Command<'a>, CommandError> {
    let start = expect_prefix(line, at, "FROM", opts)?;
    let end = path_end(line, start)?;
    // SMTPUTF8 in this command allows UTF-8 in its own path (RFC 6531 §3.4).
    let text = param_text(line, end, true)?;
    let pbase = end + 1;
    let mut params = MailParameters::default();
    let mut seen = [false; 6];
    for (off, p) in params_with_offsets(text, pbase) {
        let Some(k) = MAIL_KNOWN
            .iter()
            .position(|k| k.eq_ignore_ascii_case(p.keyword))
        else {
            continue;
        };
        if core::mem::replace(&mut seen[k], true) {
            return Err(CommandError::DuplicateParameter { offset: off });
        }
        let bad = CommandError::InvalidParameter {
            keyword: MAIL_KNOWN[k],
            offset: off,
        };
        match (k, p.value) {
            (0, Some(v)) => params.size = Some(parse_decimal(v).ok_or(bad)?),
            (1, Some(v)) => {
                params.body = Some(match () {
                    _ if v.eq_ignore_ascii_case("7BIT") => BodyType::SevenBit,
                    _ if v.eq_ignore_ascii_case("8BITMIME") => BodyType::EightBitMime,
                    _ if v.eq_ignore_ascii_case("BINARYMIME") => BodyType::BinaryMime,
                    _ => return Err(bad),
                })
            }
            (2, None) => params.smtputf8 = true,
            (3, Some(v)) if v.eq_ignore_ascii_case("FULL") => params.ret = Some(Ret::Full),
            (3, Some(v)) if v.eq_ignore_ascii_case("HDRS") => params.ret = Some(Ret::Headers),
            (4, Some(v)) if is_xtext(v) && v.len() <= MAX_ENVID => params.envid = Some(v),
            (5, Some(v)) if v == "<>" || is_xtext(v) => params.auth = Some(v),
            _ => return Err(bad),
        }
    }
    params.other = Parameters {
        repr: ParamRepr::Parsed {
            text,
            known: MAIL_KNOWN,
        },
    };
    let utf8 = params.smtputf8;
    if !utf8 {
        check_ascii(text, pbase, false)?;
    }
    // Non-ASCII in the path without SMTPUTF8 is refused by the address
    // grammar, as `NeedsSmtpUtf8` (553 5.6.7, RFC 6531 §3.7.4.1), not as a
    // non-ASCII command line.
    let from = address::parse_path(&line[start..end], utf8, true, 0).map_err(|error| {
        CommandError::Address {
            error,
            offset: start,
        }
    })?;
    Ok(Command::Mail { from, params })
}

fn parse_rcpt<'a>(
    line: &'a str,
    at: usize,
    opts: &CommandOptions,
) -> Result<Command<'a>, CommandError> {
    let start = expect_prefix(line, at, "TO", opts)?;
    let end = path_end(line, start)?;
    // Parameter values are checked for ASCII here, the path by the address
    // grammar below (553 5.6.7 without SMTPUTF8, RFC 6531 §3.7.4.1).
    let text = param_text(line, end, opts.smtputf8)?;
    let path = &line[start..end];
    let to = if path.eq_ignore_ascii_case("<postmaster>") {
        ForwardPath::Postmaster
    } else {
        match address::parse_path(path, opts.smtputf8, false, 0) {
            Ok(Some(m)) => ForwardPath::Mailbox(m),
            Ok(None) => return Err(syntax("path", start)),
            Err(error) => {
                return Err(CommandError::Address {
                    error,
                    offset: start,
                });
            }
        }
    };
    let mut params = RcptParameters::default();
    let mut seen = [false; 2];
    for (off, p) in params_with_offsets(text, end + 1) {
        let Some(k) = RCPT_KNOWN
            .iter()
            .position(|k| k.eq_ignore_ascii_case(p.keyword))
        else {
            continue;
        };
        if core::mem::replace(&mut seen[k], true) {
            return Err(CommandError::DuplicateParameter { offset: off });
        }
        let bad = CommandError::InvalidParameter {
            keyword: RCPT_KNOWN[k],
            offset: off,
        };
        match (k, p.value) {
            (0, Some(v)) => params.notify = Some(parse_notify(v).ok_or(bad)?),
            (1, Some(v)) => {
                let (addr_type, address) = v.split_once(';').ok_or(bad)?;
                if check_keyword(addr_type, "").is_err() || address.is_empty() {
                    return Err(bad);
                }
                if !(is_xtext(address)
                    || (opts.smtputf8 && address.bytes().all(|c| is_value_byte(c, true))))
                {
                    return Err(bad);
                }
                params.orcpt = Some(OriginalRecipient { addr_type, address });
            }
            _ => return Err(bad),
        }
    }
    params.other = Parameters {
        repr: ParamRepr::Parsed {
            text,
            known: RCPT_KNOWN,
        },
    };
    Ok(Command::Rcpt { to, params })
}

fn parse_notify(v: &str) -> Option<Notify> {
    if v.len() == 5 && v.eq_ignore_ascii_case("NEVER") {
        return Some(Notify::default());
    }
    let mut n = Notify::default();
    let mut rest = v.as_bytes();
    loop {
        let comma = rest.iter().position(|&c| c == b',');
        let part = &rest[..comma.unwrap_or(rest.len())];
        // Upper case as clients send them, then in any case.
        let flag = match part {
            b"SUCCESS" => &mut n.success,
            b"FAILURE" => &mut n.failure,
            b"DELAY" => &mut n.delay,
            _ if part.eq_ignore_ascii_case(b"SUCCESS") => &mut n.success,
            _ if part.eq_ignore_ascii_case(b"FAILURE") => &mut n.failure,
            _ if part.eq_ignore_ascii_case(b"DELAY") => &mut n.delay,
            _ => return None,
        };
        if core::mem::replace(flag, true) {
            return None;
        }
        match comma {
            Some(k) => rest = &rest[k + 1..],
            None => return Some(n),
        }
    }
}

/// 1 to 20 digits, without overflow.
fn parse_decimal(v: &str) -> Option<u64> {
    decimal(v.as_bytes())
}

/// [`parse_decimal`] on bytes.
#[inline]
fn decimal(v: &[u8]) -> Option<u64> {
    if v.is_empty() || v.len() > 20 {
        return None;
    }
    v.iter().try_fold(0u64, |n, &c| {
        if !c.is_ascii_digit() {
            return None;
        }
        n.checked_mul(10)?.checked_add(u64::from(c - b'0'))
    })
}

fn optional_string<'a>(
    line: &'a str,
    at: usize,
    opts: &CommandOptions,
) -> Result<Option<&'a str>, CommandError> {
    let rest = &line[at..];
    if rest.is_empty() {
        return Ok(None);
    }
    let arg = rest.strip_prefix(' ').ok_or(syntax("argument", at))?;
    if arg.is_empty() {
        return Err(syntax("argument", at + 1));
    }
    if let Some((p, _)) = arg.char_indices().find(|(_, c)| c.is_control()) {
        return Err(syntax("argument", at + 1 + p));
    }
    check_ascii(arg, at + 1, opts.smtputf8)?;
    Ok(Some(arg))
}

fn parse_bdat(rest: &str, at: usize) -> Result<Command<'static>, CommandError> {
    let arg = rest.strip_prefix(' ').ok_or(syntax("chunk size", at))?;
    let (size, last) = match arg.split_once(' ') {
        Some((size, last)) if last.eq_ignore_ascii_case("LAST") => (size, true),
        Some(_) => return Err(syntax("LAST", at + 1 + arg.find(' ').unwrap_or(0) + 1)),
        None => (arg, false),
    };
    let size = parse_decimal(size).ok_or(syntax("chunk size", at + 1))?;
    Ok(Command::Bdat { size, last })
}

fn parse_auth(rest: &str, at: usize) -> Result<Command<'_>, CommandError> {
    let arg = rest.strip_prefix(' ').ok_or(syntax("SASL mechanism", at))?;
    let (mechanism, initial_response) = match arg.split_once(' ') {
        Some((m, ir)) => (m, Some(ir)),
        None => (arg, None),
    };
    if check_mechanism(mechanism).is_err() {
        return Err(syntax("SASL mechanism", at + 1));
    }
    if let Some(ir) = initial_response
        && check_base64(ir).is_err()
    {
        return Err(syntax("initial response", at + 2 + mechanism.len()));
    }
    Ok(Command::Auth {
        mechanism,
        initial_response,
    })
}

// ---- the common case in one pass ----

// Byte classes of `parse_common`, one table lookup per byte.

/// esmtp-keyword: letters, digits and `-`.
const KEYWORD: u8 = 1;
/// esmtp-value without UTF-8: %d33-60 / %d62-126.
const VALUE: u8 = 2;
/// Printable ASCII and space: free text without controls.
const TEXT: u8 = 4;
/// SASL mechanism names: letters, digits, `-` and `_`.
const MECHANISM: u8 = 8;

static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        if b.is_ascii_alphanumeric() {
            t[c] |= KEYWORD | MECHANISM;
        }
        if matches!(b, 33..=60 | 62..=126) {
            t[c] |= VALUE;
        }
        if matches!(b, 32..=126) {
            t[c] |= TEXT;
        }
        c += 1;
    }
    t[b'-' as usize] |= KEYWORD | MECHANISM;
    t[b'_' as usize] |= MECHANISM;
    t
};

/// Whether `c` is in `class`.
#[inline(always)]
fn is(c: u8, class: u8) -> bool {
    CLASS[usize::from(c)] & class != 0
}

/// Where the bytes of `class` that start at `b[from..]` end.
#[inline(always)]
fn span(b: &[u8], from: usize, class: u8) -> usize {
    let mut i = from;
    while i < b.len() && is(b[i], class) {
        i += 1;
    }
    i
}

/// The common command lines in one pass over their bytes: a known verb,
/// then arguments that are valid as written, ASCII, without quoting or
/// address literals. Anything else, errors included, goes to
/// [`Command::parse_in_order`], which names the error. What this accepts,
/// that parser gives the same way, as debug builds check.
///
/// Each command is built where it is returned, so that it is not copied on
/// its way out.
#[inline(always)]
fn parse_common<'a>(b: &'a [u8], opts: &CommandOptions) -> Result<Command<'a>, CommandError> {
    // Every verb is letters, whose case bit (0x20) the mask clears; only
    // letters become upper-case letters that way. Four letters, then a
    // space and arguments or the end (or STARTTLS). The verb and the
    // keywords after it are ASCII, so UTF-8 is checked only from the
    // arguments on.
    let verb = b
        .first_chunk::<4>()
        .map_or(0, |v| u32::from_le_bytes(*v) & 0xdfdf_dfdf);
    match (verb, b.get(4)) {
        (DATA4, None) => return Ok(Command::Data),
        (RSET4, None) => return Ok(Command::Rset),
        (QUIT4, None) => return Ok(Command::Quit),
        (NOOP4, None) => return Ok(Command::Noop(None)),
        (HELP4, None) => return Ok(Command::Help(None)),
        (STAR4, Some(_)) => {
            let tail = b[4..].first_chunk::<4>().map(|t| u32::from_le_bytes(*t));
            if b.len() == 8 && tail.map(|t| t & 0xdfdf_dfdf) == Some(verb4(b"TTLS")) {
                return Ok(Command::StartTls);
            }
        }
        (_, Some(b' ')) => {
            let arg = &b[5..];
            match verb {
                EHLO4 | HELO4 => {
                    if let Some(domain) = common_domain(b) {
                        return Ok(if verb == EHLO4 {
                            Command::Ehlo(domain)
                        } else {
                            Command::Helo(domain)
                        });
                    }
                }
                MAIL4 => {
                    if let Some((from, params)) = common_mail(b, opts) {
                        return Ok(Command::Mail { from, params });
                    }
                }
                RCPT4 => {
                    if let Some((to, params)) = common_rcpt(b, opts) {
                        return Ok(Command::Rcpt { to, params });
                    }
                }
                NOOP4 | HELP4 | VRFY4 | EXPN4 => {
                    if let Some(text) = common_text(arg) {
                        return Ok(match verb {
                            NOOP4 => Command::Noop(Some(text)),
                            HELP4 => Command::Help(Some(text)),
                            VRFY4 => Command::Vrfy(text),
                            _ => Command::Expn(text),
                        });
                    }
                }
                BDAT4 => {
                    if let Some((size, last)) = common_bdat(arg) {
                        return Ok(Command::Bdat { size, last });
                    }
                }
                AUTH4 => {
                    if let Some((mechanism, initial_response)) = common_auth(arg) {
                        return Ok(Command::Auth {
                            mechanism,
                            initial_response,
                        });
                    }
                }
                _ => {}
            }
        }
        _ => {}
    }
    Command::parse_in_order(b, opts)
}

const HELO4: u32 = verb4(b"HELO");
const EHLO4: u32 = verb4(b"EHLO");
const MAIL4: u32 = verb4(b"MAIL");
const RCPT4: u32 = verb4(b"RCPT");
const DATA4: u32 = verb4(b"DATA");
const RSET4: u32 = verb4(b"RSET");
const QUIT4: u32 = verb4(b"QUIT");
const NOOP4: u32 = verb4(b"NOOP");
const HELP4: u32 = verb4(b"HELP");
const VRFY4: u32 = verb4(b"VRFY");
const EXPN4: u32 = verb4(b"EXPN");
const BDAT4: u32 = verb4(b"BDAT");
const AUTH4: u32 = verb4(b"AUTH");
const STAR4: u32 = verb4(b"STAR");

/// Four bytes as one number, to compare with a verb's.
const fn verb4(v: &[u8; 4]) -> u32 {
    u32::from_le_bytes(*v)
}

/// The domain of HELO and EHLO: a name, as [`address::simple_domain`]
/// reads it, or anything [`address::parse_domain_or_literal`] accepts.
#[inline]
fn common_domain(line: &[u8]) -> Option<Domain<'_>> {
    let arg = str_from(line, 5)?;
    if address::simple_domain(arg.as_bytes(), 0) == Some(arg.len()) {
        return Some(Domain::Name(arg));
    }
    address::parse_domain_or_literal(arg, true, 0).ok()
}

/// A free-text argument: printable ASCII, not empty.
#[inline]
fn common_text(arg: &[u8]) -> Option<&str> {
    if arg.is_empty() || !arg.iter().all(|&c| is(c, TEXT)) {
        return None;
    }
    core::str::from_utf8(arg).ok()
}

/// `MAIL FROM:<path> [params]`.
#[inline]
fn common_mail<'a>(
    line: &'a [u8],
    opts: &CommandOptions,
) -> Option<(Option<Mailbox<'a>>, MailParameters<'a>)> {
    let line = after_keyword(line, b"FROM:", opts)?;
    let (from, end) = address::parse_simple_path(line)?;
    let mut params = MailParameters::default();
    let mut seen = 0u8;
    let text = common_params(line, end, |key, value| {
        let bit = match (key, value) {
            (SIZE, Some(v)) => {
                params.size = Some(parse_decimal(v)?);
                0
            }
            (BODY, Some(v)) => {
                params.body = Some(body_type(v)?);
                1
            }
            (SMTPUTF8, None) => {
                params.smtputf8 = true;
                2
            }
            (RET, Some(v)) => {
                params.ret = Some(ret(v)?);
                3
            }
            (ENVID, Some(v)) if v.len() <= MAX_ENVID && common_xtext(v) => {
                params.envid = Some(v);
                4
            }
            (AUTH_PARAM, Some(v)) if v == "<>" || common_xtext(v) => {
                params.auth = Some(v);
                5
            }
            (SIZE | BODY | SMTPUTF8 | RET | ENVID | AUTH_PARAM, _) => return None,
            _ => return Some(()),
        };
        // A second one is an error.
        let first = seen & 1 << bit == 0;
        seen |= 1 << bit;
        first.then_some(())
    })?;
    params.other = Parameters {
        repr: ParamRepr::Parsed {
            text,
            known: MAIL_KNOWN,
        },
    };
    Some((from, params))
}

/// `RCPT TO:<path> [params]`.
#[inline]
fn common_rcpt<'a>(
    line: &'a [u8],
    opts: &CommandOptions,
) -> Option<(ForwardPath<'a>, RcptParameters<'a>)> {
    let line = after_keyword(line, b"TO:", opts)?;
    let b = line.as_bytes();
    let postmaster = b.get(1).is_some_and(|&c| c | 0x20 == b'p')
        && b.get(..12)
            .is_some_and(|p| p.eq_ignore_ascii_case(b"<postmaster>"));
    let (to, end) = match postmaster {
        true => (ForwardPath::Postmaster, 12),
        false => match address::parse_simple_path(line)? {
            (Some(m), end) => (ForwardPath::Mailbox(m), end),
            (None, _) => return None,
        },
    };
    let mut params = RcptParameters::default();
    let text = common_params(line, end, |key, value| {
        let first = match (key, value) {
            (NOTIFY, Some(v)) => params.notify.replace(parse_notify(v)?).is_none(),
            (ORCPT, Some(v)) => {
                let semicolon = v.bytes().position(|c| c == b';')?;
                let (addr_type, address) = (v.get(..semicolon)?, v.get(semicolon + 1..)?);
                // addr-type is an esmtp-keyword.
                let valid = addr_type
                    .bytes()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphanumeric())
                    && addr_type.bytes().all(|c| is(c, KEYWORD))
                    && !address.is_empty()
                    && common_xtext(address);
                valid.then_some(())?;
                let orcpt = OriginalRecipient { addr_type, address };
                params.orcpt.replace(orcpt).is_none()
            }
            (NOTIFY | ORCPT, _) => return None,
            _ => true,
        };
        first.then_some(())
    })?;
    params.other = Parameters {
        repr: ParamRepr::Parsed {
            text,
            known: RCPT_KNOWN,
        },
    };
    Some((to, params))
}

/// `FROM:` or `TO:` in any case after the verb of `line` (and a space
/// under [`CommandOptions::allow_space_after_colon`]); the rest, from the
/// path.
#[inline]
fn after_keyword<'a>(line: &'a [u8], keyword: &[u8], opts: &CommandOptions) -> Option<&'a str> {
    if !line
        .get(5..5 + keyword.len())?
        .eq_ignore_ascii_case(keyword)
    {
        return None;
    }
    let mut start = 5 + keyword.len();
    if opts.allow_space_after_colon && line.get(start) == Some(&b' ') {
        start += 1;
    }
    str_from(line, start)
}

/// The parameters after a path that ends at `line[end..]`, in one pass:
/// ` keyword[=value]` pieces, each keyword an esmtp-keyword and each value
/// ASCII. `each` gets the keyword's key (as [`verb_key`]) and the value;
/// returns the parameter text (after its first space).
#[inline]
fn common_params<'a>(
    line: &'a str,
    end: usize,
    mut each: impl FnMut(u64, Option<&'a str>) -> Option<()>,
) -> Option<&'a str> {
    let b = line.as_bytes();
    if end == b.len() {
        return Some("");
    }
    if b[end] != b' ' {
        return None;
    }
    let mut i = end + 1;
    loop {
        let keyword = i;
        // An esmtp-keyword: a letter or digit first.
        if !b.get(i)?.is_ascii_alphanumeric() {
            return None;
        }
        i = span(b, i, KEYWORD);
        let key = keyword_key(b, keyword, i);
        let value = match b.get(i) {
            Some(b'=') => {
                let v = i + 1;
                i = span(b, v, VALUE);
                if i == v {
                    return None;
                }
                Some(&line[v..i])
            }
            _ => None,
        };
        each(key, value)?;
        match b.get(i) {
            None => return Some(&line[end + 1..]),
            Some(b' ') => i += 1,
            Some(_) => return None,
        }
    }
}

/// A parameter keyword as one number to match on: its bytes (at most
/// eight, else none match) with the case bit (0x20) cleared, zero bytes
/// after them. Letters, digits and hyphens stay apart that way, and none
/// becomes zero, so equal keys are the same keyword in any case.
const fn param_key(keyword: &[u8]) -> u64 {
    if keyword.len() > 8 {
        return 0;
    }
    let mut word = [0u8; 8];
    let mut i = 0;
    while i < keyword.len() {
        word[i] = keyword[i] & !0x20;
        i += 1;
    }
    u64::from_le_bytes(word)
}

/// [`param_key`] of the keyword `b[start..end]` (letters, digits and
/// hyphens), read as one word where the line goes on that far.
#[inline(always)]
fn keyword_key(b: &[u8], start: usize, end: usize) -> u64 {
    let len = end - start;
    match b.get(start..).and_then(|rest| rest.first_chunk::<8>()) {
        Some(_) if len > 8 => 0,
        Some(word) => {
            let keep = u64::MAX >> (8 * (8 - len));
            u64::from_le_bytes(*word) & keep & 0xdfdf_dfdf_dfdf_dfdf
        }
        None => param_key(&b[start..end]),
    }
}

/// xtext, for a value already known to be printable ASCII without `=`
/// (as [`common_params`] reads values): what is left to check is that each
/// `+` starts a hex escape.
#[inline]
fn common_xtext(v: &str) -> bool {
    v.bytes().all(|c| c != b'+') || is_xtext(v)
}

/// Base64 (RFC 4954's initial response): letters, digits, `+`, `/` and
/// `=`, sixteen bytes at a time without an early exit, which the compiler
/// turns into vector compares.
#[inline]
fn is_base64(b: &[u8]) -> bool {
    let base64 = |c: u8| c.is_ascii_alphanumeric() | (c == b'+') | (c == b'/') | (c == b'=');
    let (blocks, tail) = b.as_chunks::<16>();
    blocks
        .iter()
        .all(|block| block.iter().fold(true, |all, &c| all & base64(c)))
        && tail.iter().all(|&c| base64(c))
}

/// `BDAT size [LAST]`.
#[inline]
fn common_bdat(b: &[u8]) -> Option<(u64, bool)> {
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    let size = decimal(&b[..digits])?;
    let last = match &b[digits..] {
        [] => false,
        [b' ', rest @ ..] if rest.eq_ignore_ascii_case(b"LAST") => true,
        _ => return None,
    };
    Some((size, last))
}

/// `AUTH mechanism [initial-response]`.
#[inline]
fn common_auth(arg: &[u8]) -> Option<(&str, Option<&str>)> {
    let end = span(arg, 0, MECHANISM);
    if end == 0 || end > 20 {
        return None;
    }
    let initial_response = match arg.get(end) {
        None => None,
        Some(b' ') => {
            let ir = &arg[end + 1..];
            if ir.is_empty() || !is_base64(ir) {
                return None;
            }
            Some(ir)
        }
        Some(_) => return None,
    };
    // All ASCII by now.
    let text = str_from(arg, 0)?;
    let initial_response = match initial_response {
        Some(_) => Some(text.get(end + 1..)?),
        None => None,
    };
    Some((text.get(..end)?, initial_response))
}

/// `BODY=` values.
fn body_type(v: &str) -> Option<BodyType> {
    // Upper case as clients send them, then in any case.
    match v.as_bytes() {
        b"8BITMIME" => return Some(BodyType::EightBitMime),
        b"7BIT" => return Some(BodyType::SevenBit),
        _ => {}
    }
    match () {
        _ if v.eq_ignore_ascii_case("7BIT") => Some(BodyType::SevenBit),
        _ if v.eq_ignore_ascii_case("8BITMIME") => Some(BodyType::EightBitMime),
        _ if v.eq_ignore_ascii_case("BINARYMIME") => Some(BodyType::BinaryMime),
        _ => None,
    }
}

/// `RET=` values.
fn ret(v: &str) -> Option<Ret> {
    match v.as_bytes() {
        b"HDRS" => return Some(Ret::Headers),
        b"FULL" => return Some(Ret::Full),
        _ => {}
    }
    match () {
        _ if v.eq_ignore_ascii_case("FULL") => Some(Ret::Full),
        _ if v.eq_ignore_ascii_case("HDRS") => Some(Ret::Headers),
        _ => None,
    }
}

const SIZE: u64 = param_key(b"SIZE");
const BODY: u64 = param_key(b"BODY");
const SMTPUTF8: u64 = param_key(b"SMTPUTF8");
const RET: u64 = param_key(b"RET");
const ENVID: u64 = param_key(b"ENVID");
const AUTH_PARAM: u64 = param_key(b"AUTH");
const NOTIFY: u64 = param_key(b"NOTIFY");
const ORCPT: u64 = param_key(b"ORCPT");

/// xtext (RFC 3461 §4): `xchar` is 33–126 except `+` and `=`; `+XX` is an
/// upper-case hex escape.
pub fn is_xtext(s: &str) -> bool {
    xtext_error_at(s).is_none()
}

/// The offset of the first byte that breaks the xtext grammar, if any.
fn xtext_error_at(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'+' => {
                let hex = |c: u8| c.is_ascii_digit() || (b'A'..=b'F').contains(&c);
                match (b.get(i + 1), b.get(i + 2)) {
                    (Some(&h), Some(&l)) if hex(h) && hex(l) => i += 3,
                    _ => return Some(i),
                }
            }
            b'=' => return Some(i),
            33..=126 => i += 1,
            _ => return Some(i),
        }
    }
    None
}

/// Decode xtext (RFC 3461 §4) to bytes; `None` if it is not valid xtext.
///
/// ```
/// assert_eq!(smtp_codec::command::xtext_decode("a+2Bb").as_deref(), Some(&b"a+b"[..]));
/// ```
pub fn xtext_decode(s: &str) -> Option<Vec<u8>> {
    if !is_xtext(s) {
        return None;
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'+' {
            let v = |c: u8| {
                if c.is_ascii_digit() {
                    c - b'0'
                } else {
                    c - b'A' + 10
                }
            };
            out.push(v(b[i + 1]) << 4 | v(b[i + 2]));
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(out)
}

/// Encode bytes as xtext (RFC 3461 §4).
///
/// ```
/// assert_eq!(smtp_codec::command::xtext_encode(b"a+b=c d"), "a+2Bb+3Dc+20d");
/// ```
pub fn xtext_encode(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len());
    for &c in bytes {
        if matches!(c, 33..=126) && c != b'+' && c != b'=' {
            s.push(c as char);
        } else {
            let _ = write!(s, "+{c:02X}");
        }
    }
    s
}
