//! The server side of an SMTP session as a pure state machine.
//!
//! [`ServerSession`] takes the bytes a client sends and the current time,
//! and gives back the bytes to send, events, and the next deadline. It
//! greets, answers EHLO/HELO with the configured extensions, enforces the
//! command sequence of RFC 5321 §4.1.4 (503 out of sequence), handles
//! pipelined commands (RFC 2920), DATA with dot-unstuffing, BDAT chunks
//! (RFC 3030), SIZE (RFC 1870) before and during the body, AUTH PLAIN and
//! LOGIN (RFC 4954) with the caller checking the credentials, and STARTTLS
//! (RFC 3207) as a hand-over that drops every byte received before the TLS
//! handshake (CVE-2011-0411, CVE-2024-34083).
//!
//! # Driving it
//!
//! After creating the session and after each call to `handle_input`,
//! `handle_eof`, `handle_timeout`, [`ServerSession::accept`],
//! [`ServerSession::reject`] or [`ServerSession::starttls_complete`]:
//!
//! 1. send what [`ServerSession::poll_transmit`] returns;
//! 2. take every [`ServerSession::poll_event`]; events marked *decision*
//!    wait for `accept` or `reject` before the session reads further
//!    (commands pipelined behind them stay buffered);
//! 3. close the transport once [`ServerSession::is_closed`] is true and
//!    everything is sent; otherwise wake at [`ServerSession::poll_timeout`].
//!
//! ```
//! use std::time::Instant;
//! use smtp_codec::server::{ServerConfig, ServerEvent, ServerSession};
//!
//! let now = Instant::now();
//! let mut s = ServerSession::new(ServerConfig::new("mx.example.org"), now);
//! assert!(s.poll_transmit().unwrap().starts_with(b"220 mx.example.org"));
//! s.handle_input(now, b"EHLO client.example\r\nMAIL FROM:<a@example.com>\r\n");
//! s.poll_transmit();
//! assert!(matches!(s.poll_event(), Some(ServerEvent::Hello { .. })));
//! let Some(ServerEvent::Mail(mail)) = s.poll_event() else { panic!() };
//! assert_eq!(mail.from.as_deref(), Some("a@example.com"));
//! s.accept(now)?;
//! assert_eq!(s.poll_transmit().unwrap(), b"250 2.1.0 Ok\r\n");
//! # Ok::<(), smtp_codec::server::DecisionError>(())
//! ```

use alloc::borrow::ToOwned;
use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use std::time::{Duration, Instant};

use crate::capability::Capabilities;
use crate::command::{BodyType, Command, CommandOptions, ForwardPath, Notify, Ret};
use crate::data::{DataError, DotUnstuffer, LineEndingPolicy};
use crate::line::{LineError, take_line};
use crate::reply::{EnhancedCode, OwnedReply, ReplyWriteError, write_reply};
use crate::sasl::{self, Credentials};

/// How the server behaves, with limits modelled on Postfix's defaults.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServerConfig {
    /// The name the server gives in its greeting and EHLO reply.
    pub hostname: String,
    /// Text after the host name in the 220 greeting. Default `ESMTP`.
    pub greeting: String,
    /// Extensions to advertise. [`ServerConfig::new`] enables PIPELINING,
    /// 8BITMIME, SMTPUTF8, CHUNKING, BINARYMIME and ENHANCEDSTATUSCODES.
    /// `SIZE` is taken from [`ServerConfig::max_message_size`]; STARTTLS is
    /// offered only when [`ServerConfig::starttls`] is set, and AUTH only
    /// when allowed by [`ServerConfig::auth_requires_tls`].
    pub capabilities: Capabilities,
    /// Offer STARTTLS (the caller must be able to run the TLS handshake).
    /// Default false.
    pub starttls: bool,
    /// Offer AUTH only on a TLS connection. Default true.
    pub auth_requires_tls: bool,
    /// Refuse MAIL until the client has authenticated (530). Default false.
    pub require_auth: bool,
    /// Longest command line, counting CRLF. RFC 5321 needs 512; AUTH may
    /// need more (RFC 4954 §4). Default 4096.
    pub max_line: usize,
    /// Most recipients per transaction; more get 452 4.5.3. Default 1000
    /// (Postfix's `smtpd_recipient_limit`; RFC 5321 asks for at least 100).
    pub max_recipients: usize,
    /// Largest message body in octets, advertised as SIZE. Default
    /// 10 240 000 (Postfix's `message_size_limit`).
    pub max_message_size: u64,
    /// Errors (bad commands, rejected sequence) before the server answers
    /// 421 and closes. Default 20 (Postfix's `smtpd_hard_error_limit`).
    pub max_errors: usize,
    /// Bare CR or LF in command lines. Default [`LineEndingPolicy::Reject`]:
    /// 521 and close, as Postfix's `smtpd_forbid_bare_newline`.
    pub command_line_endings: LineEndingPolicy,
    /// Bare CR or LF in DATA. Default [`LineEndingPolicy::Reject`]. None of
    /// the policies lets them end the data.
    pub data_line_endings: LineEndingPolicy,
    /// Leniencies for command syntax.
    pub command_options: CommandOptions,
    /// Accept MAIL and RCPT parameters no extension defines and pass them
    /// on, instead of answering 555. Default false.
    pub accept_unknown_parameters: bool,
    /// How long to wait for the next command (RFC 5321 §4.5.3.2.7: at least
    /// 5 minutes). Default 300 s.
    pub command_timeout: Duration,
    /// How long to wait for more of a DATA or BDAT body. Default 300 s.
    pub data_timeout: Duration,
}

impl ServerConfig {
    /// The defaults, with this host name.
    pub fn new(hostname: &str) -> Self {
        let capabilities = Capabilities {
            pipelining: true,
            eight_bit_mime: true,
            smtputf8: true,
            chunking: true,
            binary_mime: true,
            enhanced_status_codes: true,
            ..Capabilities::default()
        };
        ServerConfig {
            hostname: hostname.to_owned(),
            greeting: "ESMTP".to_owned(),
            capabilities,
            starttls: false,
            auth_requires_tls: true,
            require_auth: false,
            max_line: 4096,
            max_recipients: 1000,
            max_message_size: 10_240_000,
            max_errors: 20,
            command_line_endings: LineEndingPolicy::Reject,
            data_line_endings: LineEndingPolicy::Reject,
            command_options: CommandOptions::default(),
            accept_unknown_parameters: false,
            command_timeout: Duration::from_secs(300),
            data_timeout: Duration::from_secs(300),
        }
    }
}

/// The envelope sender a client gave, waiting for a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct MailRequest {
    /// The reverse path; `None` for `<>`.
    pub from: Option<String>,
    /// `SIZE=`.
    pub size: Option<u64>,
    /// `BODY=`.
    pub body: Option<BodyType>,
    /// `SMTPUTF8`.
    pub smtputf8: bool,
    /// `RET=`.
    pub ret: Option<Ret>,
    /// `ENVID=` (xtext).
    pub envid: Option<String>,
    /// `AUTH=` (xtext).
    pub auth: Option<String>,
    /// Other parameters (only with [`ServerConfig::accept_unknown_parameters`]).
    pub other: Vec<(String, Option<String>)>,
}

/// A recipient a client gave, waiting for a decision.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RcptRequest {
    /// The forward path (`Postmaster` for `<Postmaster>`).
    pub to: String,
    /// `NOTIFY=`.
    pub notify: Option<Notify>,
    /// `ORCPT=` as `(addr-type, xtext)`.
    pub orcpt: Option<(String, String)>,
    /// Other parameters (only with [`ServerConfig::accept_unknown_parameters`]).
    pub other: Vec<(String, Option<String>)>,
}

/// A SASL mechanism the session runs itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMechanism {
    /// PLAIN (RFC 4616).
    Plain,
    /// LOGIN (draft-murchison-sasl-login).
    Login,
}

/// A complete mail transaction: envelope and body.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Transaction {
    /// The domain the client gave in HELO or EHLO.
    pub helo: String,
    /// Whether it used EHLO.
    pub extended: bool,
    /// The identity it authenticated as, if any.
    pub authenticated: Option<String>,
    /// Whether the session runs over TLS (after STARTTLS).
    pub tls: bool,
    /// The accepted sender.
    pub mail: MailRequest,
    /// The accepted recipients, in order.
    pub recipients: Vec<RcptRequest>,
    /// The body: dot-unstuffed DATA (ending with the CRLF before the final
    /// `.`), or the BDAT chunks joined.
    pub body: Vec<u8>,
    /// Whether the body came by BDAT.
    pub chunked: bool,
}

/// What the session reports. *Decision* events wait for
/// [`ServerSession::accept`] or [`ServerSession::reject`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ServerEvent {
    /// HELO or EHLO was answered.
    Hello {
        /// The client's domain.
        domain: String,
        /// EHLO rather than HELO.
        extended: bool,
    },
    /// *Decision*: MAIL FROM. Accepting answers `250 2.1.0 Ok`.
    Mail(MailRequest),
    /// *Decision*: RCPT TO. Accepting answers `250 2.1.5 Ok`.
    Rcpt(RcptRequest),
    /// *Decision*: credentials to check. Accepting answers
    /// `235 2.7.0 Authentication successful`, [`ServerSession::refuse`]
    /// `535 5.7.8`.
    Auth {
        /// The mechanism used.
        mechanism: AuthMechanism,
        /// What the client presented.
        credentials: Credentials,
    },
    /// *Decision*: a complete message. Accepting answers
    /// `250 2.0.0 Ok: queued`; answer only once it is safely stored.
    Message(Box<Transaction>),
    /// The `220` to STARTTLS is queued and every byte after the command was
    /// dropped. Send the pending output, run the TLS handshake on the
    /// transport, then call [`ServerSession::starttls_complete`].
    StartTls,
    /// A transaction was abandoned (RSET, HELO/EHLO, or a failed body).
    Reset,
}

/// Why a decision was not taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DecisionError {
    /// No decision event is waiting.
    #[error("no decision is pending")]
    NothingPending,
    /// The reply's class does not fit (an acceptance must be 2xx, a
    /// rejection 4xx or 5xx).
    #[error("reply code {0} does not fit this decision")]
    WrongClass(u16),
    /// The reply cannot be sent as given (an enhanced code whose class is
    /// not the reply code's, a control character in the text).
    #[error("invalid reply: {0}")]
    InvalidReply(#[from] ReplyWriteError),
}

/// Why the session ended on its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ServerError {
    /// Bare CR or LF under [`LineEndingPolicy::Reject`] (521 sent).
    #[error("bare CR or LF from the client")]
    BareLineEnding,
    /// Too many errors (421 sent).
    #[error("too many errors")]
    TooManyErrors,
    /// The client was idle too long (421 sent).
    #[error("timeout")]
    Timeout,
    /// The client closed the connection before QUIT.
    #[error("connection closed by the client")]
    UnexpectedEof,
    /// Input after STARTTLS before [`ServerSession::starttls_complete`].
    #[error("input during the TLS hand-over")]
    InputDuringHandOver,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    Mail,
    Rcpt,
    Auth,
    Message,
}

#[derive(Debug)]
enum State {
    /// Reading command lines.
    Command,
    /// Skipping the rest of an over-long line.
    DiscardLine,
    /// Reading a DATA body.
    Data(DotUnstuffer),
    /// Reading a BDAT chunk: bytes left, whether it is the last, whether
    /// it is to be kept.
    Bdat {
        remaining: u64,
        last: bool,
        keep: bool,
    },
    /// AUTH PLAIN waiting for its response line.
    AuthPlain,
    /// AUTH LOGIN waiting for the user name, then the password.
    AuthLogin { username: Option<String> },
    /// A decision event is out.
    Decision(Pending),
    /// After the 220 to STARTTLS.
    HandOver,
    /// Closed, or closing once output is sent.
    Closed,
}

#[derive(Debug, Default)]
struct Tx {
    mail: Option<MailRequest>,
    recipients: Vec<RcptRequest>,
    pending_rcpt: Option<RcptRequest>,
    body: Vec<u8>,
    /// BDAT used in this transaction.
    chunked: bool,
    /// Octets over the limit arrived: the body is discarded, 552 follows.
    too_big: bool,
}

/// The server side of one SMTP connection. See the [module docs](self) for
/// the driving order.
#[derive(Debug)]
pub struct ServerSession {
    config: ServerConfig,
    state: State,
    inbuf: Vec<u8>,
    /// Bytes of `inbuf` already searched for a line end.
    scanned: usize,
    out: Vec<u8>,
    events: VecDeque<ServerEvent>,
    helo: Option<(String, bool)>,
    tls: bool,
    authenticated: Option<String>,
    /// The identity of credentials waiting for a decision.
    pending_auth: Option<String>,
    tx: Tx,
    errors: usize,
    deadline: Option<Instant>,
    error: Option<ServerError>,
    esc: bool,
}

impl ServerSession {
    /// A new session; the 220 greeting is queued.
    pub fn new(config: ServerConfig, now: Instant) -> Self {
        let esc = config.capabilities.enhanced_status_codes;
        let mut s = ServerSession {
            state: State::Command,
            inbuf: Vec::new(),
            scanned: 0,
            out: Vec::new(),
            events: VecDeque::new(),
            helo: None,
            tls: false,
            authenticated: None,
            pending_auth: None,
            tx: Tx::default(),
            errors: 0,
            deadline: None,
            error: None,
            esc,
            config,
        };
        let text = format!("{} {}", s.config.hostname, s.config.greeting);
        s.reply_text(220, None, &text);
        s.deadline = Some(now + s.config.command_timeout);
        s
    }

    /// A session on a connection that is already TLS (port 465).
    pub fn new_tls(config: ServerConfig, now: Instant) -> Self {
        let mut s = Self::new(config, now);
        s.tls = true;
        s
    }

    /// Bytes to send, if any.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        (!self.out.is_empty()).then(|| core::mem::take(&mut self.out))
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<ServerEvent> {
        self.events.pop_front()
    }

    /// When [`ServerSession::handle_timeout`] is due.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match self.state {
            State::Closed | State::Decision(_) | State::HandOver => None,
            _ => self.deadline,
        }
    }

    /// Whether the session is over: close the transport after sending what
    /// [`ServerSession::poll_transmit`] returns.
    pub fn is_closed(&self) -> bool {
        matches!(self.state, State::Closed)
    }

    /// Why the session ended, if it ended on an error.
    pub fn error(&self) -> Option<ServerError> {
        self.error
    }

    /// Whether the session runs over TLS.
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// The identity the client authenticated as.
    pub fn authenticated(&self) -> Option<&str> {
        self.authenticated.as_deref()
    }

    /// Bytes received and not yet processed (pipelined behind a decision).
    pub fn buffered(&self) -> usize {
        self.inbuf.len()
    }

    /// Whether the session will process more input now. False while a
    /// decision is pending: a driver should stop reading when
    /// [`ServerSession::buffered`] grows large.
    pub fn wants_input(&self) -> bool {
        !matches!(
            self.state,
            State::Decision(_) | State::Closed | State::HandOver
        )
    }

    /// Feed bytes from the client.
    pub fn handle_input(&mut self, now: Instant, data: &[u8]) {
        match self.state {
            State::Closed => return,
            State::HandOver => {
                // Plaintext after STARTTLS: never carried into the TLS session.
                self.fail(
                    ServerError::InputDuringHandOver,
                    421,
                    (4, 7, 0),
                    "TLS hand-over interrupted",
                );
                return;
            }
            _ => {}
        }
        self.inbuf.extend_from_slice(data);
        self.process(now);
        // After processing, so the deadline follows the state the input
        // left: the data timeout once DATA is answered with 354.
        self.touch(now);
    }

    /// The client closed its side.
    pub fn handle_eof(&mut self, _now: Instant) {
        if !matches!(self.state, State::Closed) {
            self.error = Some(ServerError::UnexpectedEof);
            self.state = State::Closed;
            self.inbuf.clear();
        }
    }

    /// Time passed; a call before [`ServerSession::poll_timeout`] does nothing.
    pub fn handle_timeout(&mut self, now: Instant) {
        if let Some(d) = self.poll_timeout()
            && now >= d
        {
            self.fail(ServerError::Timeout, 421, (4, 4, 2), "Timeout exceeded");
        }
    }

    /// Accept the pending decision with the standard reply.
    pub fn accept(&mut self, now: Instant) -> Result<(), DecisionError> {
        let State::Decision(p) = self.state else {
            return Err(DecisionError::NothingPending);
        };
        let (code, esc, text) = match p {
            Pending::Mail => (250, (2, 1, 0), "Ok"),
            Pending::Rcpt => (250, (2, 1, 5), "Ok"),
            Pending::Auth => (235, (2, 7, 0), "Authentication successful"),
            Pending::Message => (250, (2, 0, 0), "Ok: queued"),
        };
        self.decide(now, true, code, Some(esc), &[text])
    }

    /// Refuse the pending decision with the standard reply: `550 5.7.1` for
    /// MAIL, `550 5.1.1` for RCPT, `535 5.7.8` for AUTH, `554 5.6.0` for a
    /// message.
    pub fn refuse(&mut self, now: Instant) -> Result<(), DecisionError> {
        let State::Decision(p) = self.state else {
            return Err(DecisionError::NothingPending);
        };
        let (code, esc, text) = match p {
            Pending::Mail => (550, (5, 7, 1), "Sender address rejected"),
            Pending::Rcpt => (550, (5, 1, 1), "Recipient address rejected"),
            Pending::Auth => (535, (5, 7, 8), "Authentication credentials invalid"),
            Pending::Message => (554, (5, 6, 0), "Message rejected"),
        };
        self.decide(now, false, code, Some(esc), &[text])
    }

    /// Accept the pending decision with a 2xx reply of the caller's.
    pub fn accept_with(&mut self, now: Instant, reply: &OwnedReply) -> Result<(), DecisionError> {
        if !reply.code.is_positive() {
            return Err(DecisionError::WrongClass(reply.code.get()));
        }
        self.decide_owned(now, true, reply)
    }

    /// Refuse the pending decision with a 4xx or 5xx reply.
    pub fn reject(&mut self, now: Instant, reply: &OwnedReply) -> Result<(), DecisionError> {
        if !(reply.code.is_transient() || reply.code.is_permanent()) {
            return Err(DecisionError::WrongClass(reply.code.get()));
        }
        self.decide_owned(now, false, reply)
    }

    fn decide_owned(
        &mut self,
        now: Instant,
        ok: bool,
        reply: &OwnedReply,
    ) -> Result<(), DecisionError> {
        let lines: Vec<&str> = reply.lines.iter().map(String::as_str).collect();
        let esc = reply.enhanced.map(|e| (e.class, e.subject, e.detail));
        self.decide(now, ok, reply.code.get(), esc, &lines)
    }

    fn decide(
        &mut self,
        now: Instant,
        ok: bool,
        code: u16,
        esc: Option<(u8, u16, u16)>,
        lines: &[&str],
    ) -> Result<(), DecisionError> {
        let State::Decision(p) = self.state else {
            return Err(DecisionError::NothingPending);
        };
        // Written aside first: a reply that cannot be written must not
        // leave the client waiting for an answer that never comes.
        let mut wire = Vec::new();
        write_reply(&mut wire, code, self.enhanced(esc), lines)?;
        self.out.extend_from_slice(&wire);
        self.state = State::Command;
        match (p, ok) {
            (Pending::Mail, true) => {}
            (Pending::Mail, false) => self.tx = Tx::default(),
            (Pending::Rcpt, true) => {
                if let Some(r) = self.tx.pending_rcpt.take() {
                    self.tx.recipients.push(r);
                }
            }
            (Pending::Rcpt, false) => self.tx.pending_rcpt = None,
            (Pending::Auth, true) => self.authenticated = self.pending_auth.take(),
            (Pending::Auth, false) => self.pending_auth = None,
            (Pending::Message, _) => self.tx = Tx::default(),
        }
        self.process(now);
        // After processing: a DATA or BDAT buffered behind the decision
        // starts the data timeout.
        self.touch(now);
        Ok(())
    }

    /// The TLS handshake after [`ServerEvent::StartTls`] succeeded: the
    /// session starts over (RFC 3207 §4.2), waiting for EHLO.
    pub fn starttls_complete(&mut self, now: Instant) {
        if matches!(self.state, State::HandOver) {
            self.state = State::Command;
            self.tls = true;
            self.helo = None;
            self.authenticated = None;
            self.tx = Tx::default();
            self.inbuf.clear();
            self.scanned = 0;
            self.touch(now);
        }
    }

    fn touch(&mut self, now: Instant) {
        let t = match self.state {
            State::Data(_) | State::Bdat { .. } => self.config.data_timeout,
            _ => self.config.command_timeout,
        };
        self.deadline = Some(now + t);
    }

    fn fail(&mut self, e: ServerError, code: u16, esc: (u8, u16, u16), text: &str) {
        self.reply_text(code, Some(esc), text);
        self.error = Some(e);
        self.state = State::Closed;
        self.inbuf.clear();
    }

    fn reply_text(&mut self, code: u16, esc: Option<(u8, u16, u16)>, text: &str) {
        self.reply(code, esc, &[text]);
    }

    /// The enhanced code to send, if ENHANCEDSTATUSCODES is on.
    fn enhanced(&self, esc: Option<(u8, u16, u16)>) -> Option<EnhancedCode> {
        esc.filter(|_| self.esc)
            .map(|(a, b, c)| EnhancedCode::new(a, b, c))
    }

    fn reply(&mut self, code: u16, esc: Option<(u8, u16, u16)>, lines: &[&str]) {
        let esc = self.enhanced(esc);
        // Codes and texts are this module's own (the caller's are checked
        // in `decide`).
        let _ = write_reply(&mut self.out, code, esc, lines);
    }

    fn error_reply(&mut self, code: u16, esc: (u8, u16, u16), text: &str) {
        self.reply_text(code, Some(esc), text);
        self.errors += 1;
        if self.errors >= self.config.max_errors {
            self.fail(
                ServerError::TooManyErrors,
                421,
                (4, 7, 0),
                "Too many errors",
            );
        }
    }

    fn process(&mut self, now: Instant) {
        loop {
            let progressed = match self.state {
                State::Closed | State::Decision(_) | State::HandOver => return,
                State::Command | State::AuthPlain | State::AuthLogin { .. } => self.step_line(now),
                State::DiscardLine => self.step_discard(),
                State::Data(_) => self.step_data(now),
                State::Bdat { .. } => self.step_bdat(now),
            };
            if !progressed {
                return;
            }
        }
    }

    fn consume(&mut self, n: usize) {
        self.inbuf.drain(..n);
        self.scanned = 0;
    }

    fn step_discard(&mut self) -> bool {
        match memchr::memchr(b'\n', &self.inbuf) {
            Some(p) => {
                self.consume(p + 1);
                self.state = State::Command;
                true
            }
            None => {
                self.inbuf.clear();
                self.scanned = 0;
                false
            }
        }
    }

    fn step_line(&mut self, now: Instant) -> bool {
        let max = self.config.max_line;
        let found = match take_line(
            &self.inbuf,
            self.scanned,
            self.config.command_line_endings,
            max,
        ) {
            // A NUL or bare CR where the line is already over the limit: the
            // line is too long, as it is found when the bytes come in pieces
            // and the limit is reached before the NUL or CR arrives.
            Err(LineError::Nul { offset }) if offset >= max => Err(LineError::TooLong { max }),
            Err(LineError::BareLineEnding {
                offset,
                byte: b'\r',
            }) if offset + 2 > max => Err(LineError::TooLong { max }),
            other => other,
        };
        let line = match found {
            Ok(Some(l)) => l,
            Ok(None) => {
                self.scanned = self.inbuf.len();
                return false;
            }
            Err(LineError::TooLong { .. }) => {
                self.state = State::DiscardLine;
                self.error_reply(500, (5, 5, 2), "Line too long");
                return true;
            }
            Err(LineError::BareLineEnding { .. }) => {
                self.fail(
                    ServerError::BareLineEnding,
                    521,
                    (5, 5, 2),
                    "Bare CR or LF received",
                );
                return false;
            }
            Err(LineError::Nul { offset }) => {
                // Skip the whole line: a NUL is never part of a command.
                match memchr::memchr(b'\n', &self.inbuf[offset..]) {
                    Some(p) => self.consume(offset + p + 1),
                    None => {
                        self.consume(offset);
                        self.state = State::DiscardLine;
                    }
                }
                if matches!(self.state, State::AuthPlain | State::AuthLogin { .. }) {
                    self.state = State::Command;
                }
                self.error_reply(500, (5, 5, 2), "NUL in command");
                return true;
            }
        };
        let bytes: Vec<u8> = self.inbuf[..line.len].to_vec();
        self.consume(line.consumed);
        match core::mem::replace(&mut self.state, State::Command) {
            State::AuthPlain => self.auth_plain_response(&bytes),
            State::AuthLogin { username } => self.auth_login_response(&bytes, username),
            _ => self.command(now, &bytes),
        }
        true
    }

    fn command(&mut self, now: Instant, line: &[u8]) {
        let mut opts = self.config.command_options;
        opts.smtputf8 = self.tx.mail.as_ref().is_some_and(|m| m.smtputf8);
        let cmd = match Command::parse_with(line, &opts) {
            Ok(c) => c,
            Err(e) => {
                // A BDAT whose arguments do not parse leaves its chunk on
                // the wire; its length is unknown, so the session ends.
                if line.len() >= 4 && line[..4].eq_ignore_ascii_case(b"BDAT") {
                    self.fail(
                        ServerError::TooManyErrors,
                        421,
                        (4, 7, 0),
                        "Malformed BDAT, closing",
                    );
                    return;
                }
                let (code, esc, text) = e.reply();
                self.error_reply(code, (esc.class, esc.subject, esc.detail), text);
                return;
            }
        };
        match cmd {
            Command::Helo(d) => self.hello(d.to_string(), false),
            Command::Ehlo(d) => self.hello(d.to_string(), true),
            Command::Mail { from, params } => self.mail(from.map(|m| m.to_string()), &params),
            Command::Rcpt { to, params } => self.rcpt(to, &params),
            Command::Data => self.data(),
            Command::Bdat { size, last } => self.bdat(now, size, last),
            Command::Rset => {
                self.reset_tx();
                self.reply_text(250, Some((2, 0, 0)), "Ok");
            }
            Command::Noop(_) => self.reply_text(250, Some((2, 0, 0)), "Ok"),
            Command::Quit => {
                let text = format!("{} closing connection", self.config.hostname);
                self.reply_text(221, Some((2, 0, 0)), &text);
                self.state = State::Closed;
                self.inbuf.clear();
            }
            Command::Vrfy(_) => self.reply_text(
                252,
                Some((2, 5, 2)),
                "Cannot VRFY user, but will accept message and attempt delivery",
            ),
            Command::Expn(_) => self.error_reply(502, (5, 5, 1), "EXPN not implemented"),
            Command::Help(_) => self.reply_text(
                214,
                Some((2, 0, 0)),
                "See RFC 5321 (https://www.rfc-editor.org/rfc/rfc5321)",
            ),
            Command::StartTls => self.starttls(),
            Command::Auth {
                mechanism,
                initial_response,
            } => self.auth(mechanism, initial_response),
        }
    }

    fn reset_tx(&mut self) {
        if self.tx.mail.is_some() {
            self.events.push_back(ServerEvent::Reset);
        }
        self.tx = Tx::default();
    }

    fn advertised(&self) -> Capabilities {
        let mut caps = self.config.capabilities.clone();
        caps.size = Some(self.config.max_message_size);
        caps.starttls = self.config.starttls && !self.tls;
        if !self.tls && self.config.auth_requires_tls {
            caps.auth.clear();
        }
        caps
    }

    fn hello(&mut self, domain: String, extended: bool) {
        self.reset_tx();
        if extended {
            let mut lines = vec![format!("{} greets {}", self.config.hostname, domain)];
            lines.extend(self.advertised().ehlo_lines());
            let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
            self.reply(250, None, &refs);
        } else {
            let text = self.config.hostname.clone();
            self.reply(250, None, &[&text]);
        }
        self.helo = Some((domain.clone(), extended));
        self.events
            .push_back(ServerEvent::Hello { domain, extended });
    }

    fn mail(&mut self, from: Option<String>, params: &crate::command::MailParameters<'_>) {
        if self.helo.is_none() {
            return self.error_reply(503, (5, 5, 1), "Send HELO/EHLO first");
        }
        if self.tx.mail.is_some() {
            return self.error_reply(503, (5, 5, 1), "Nested MAIL command");
        }
        if self.config.require_auth && self.authenticated.is_none() {
            return self.error_reply(530, (5, 7, 0), "Authentication required");
        }
        let caps = self.advertised();
        let extended = self.helo.as_ref().is_some_and(|h| h.1);
        let unsupported = !extended
            && (params.size.is_some() || params.body.is_some() || params.smtputf8)
            || (params.body == Some(BodyType::BinaryMime) && !caps.binary_mime)
            || (params.body == Some(BodyType::EightBitMime) && !caps.eight_bit_mime)
            || (params.smtputf8 && !caps.smtputf8)
            || ((params.ret.is_some() || params.envid.is_some()) && !caps.dsn)
            || (params.auth.is_some() && caps.auth.is_empty());
        let other: Vec<(String, Option<String>)> = params
            .other
            .iter()
            .map(|p| (p.keyword.to_owned(), p.value.map(str::to_owned)))
            .collect();
        if unsupported || (!other.is_empty() && !self.config.accept_unknown_parameters) {
            return self.error_reply(555, (5, 5, 4), "Unsupported parameter");
        }
        if params
            .size
            .is_some_and(|n| n > self.config.max_message_size)
        {
            return self.error_reply(552, (5, 3, 4), "Message size exceeds fixed limit");
        }
        let req = MailRequest {
            from,
            size: params.size,
            body: params.body,
            smtputf8: params.smtputf8,
            ret: params.ret,
            envid: params.envid.map(str::to_owned),
            auth: params.auth.map(str::to_owned),
            other,
        };
        self.tx.mail = Some(req.clone());
        self.state = State::Decision(Pending::Mail);
        self.events.push_back(ServerEvent::Mail(req));
    }

    fn rcpt(&mut self, to: ForwardPath<'_>, params: &crate::command::RcptParameters<'_>) {
        if self.tx.mail.is_none() {
            return self.error_reply(503, (5, 5, 1), "Need MAIL before RCPT");
        }
        if self.tx.recipients.len() >= self.config.max_recipients {
            return self.reply_text(452, Some((4, 5, 3)), "Too many recipients");
        }
        let caps = self.advertised();
        let other: Vec<(String, Option<String>)> = params
            .other
            .iter()
            .map(|p| (p.keyword.to_owned(), p.value.map(str::to_owned)))
            .collect();
        if ((params.notify.is_some() || params.orcpt.is_some()) && !caps.dsn)
            || (!other.is_empty() && !self.config.accept_unknown_parameters)
        {
            return self.error_reply(555, (5, 5, 4), "Unsupported parameter");
        }
        let req = RcptRequest {
            to: to.to_string(),
            notify: params.notify,
            orcpt: params
                .orcpt
                .map(|o| (o.addr_type.to_owned(), o.address.to_owned())),
            other,
        };
        self.tx.pending_rcpt = Some(req.clone());
        self.state = State::Decision(Pending::Rcpt);
        self.events.push_back(ServerEvent::Rcpt(req));
    }

    fn data(&mut self) {
        let Some(mail) = &self.tx.mail else {
            return self.error_reply(503, (5, 5, 1), "Need MAIL command");
        };
        if mail.body == Some(BodyType::BinaryMime) || self.tx.chunked {
            return self.error_reply(503, (5, 5, 1), "Use BDAT for this transaction");
        }
        if self.tx.recipients.is_empty() {
            return self.error_reply(554, (5, 5, 1), "No valid recipients");
        }
        self.reply_text(354, None, "End data with <CR><LF>.<CR><LF>");
        self.state = State::Data(DotUnstuffer::new(self.config.data_line_endings));
    }

    fn bdat(&mut self, now: Instant, size: u64, last: bool) {
        // The chunk follows the command whatever the answer; it is always
        // read, so it can never be taken for commands.
        let mut keep = true;
        let mut refuse: Option<(u16, (u8, u16, u16), &str)> = None;
        if !self.advertised().chunking {
            refuse = Some((502, (5, 5, 1), "BDAT not supported"));
        } else if self.helo.as_ref().is_some_and(|h| !h.1) {
            // CHUNKING is an extension: it needs EHLO (RFC 3030 §2).
            refuse = Some((503, (5, 5, 1), "BDAT needs EHLO"));
        } else if self.tx.mail.is_none() {
            refuse = Some((503, (5, 5, 1), "Need MAIL command"));
        } else if self.tx.recipients.is_empty() {
            refuse = Some((554, (5, 5, 1), "No valid recipients"));
        }
        if let Some((code, esc, text)) = refuse {
            keep = false;
            self.error_reply(code, esc, text);
            if self.is_closed() {
                return;
            }
        } else {
            self.tx.chunked = true;
            // `size` comes from the client: up to u64::MAX.
            let total = (self.tx.body.len() as u64).saturating_add(size);
            if self.tx.too_big || total > self.config.max_message_size {
                self.tx.too_big = true;
                keep = false;
            }
        }
        self.state = State::Bdat {
            remaining: size,
            last,
            keep,
        };
        self.touch(now);
        if size == 0 {
            self.end_bdat_chunk();
        }
    }

    fn step_bdat(&mut self, _now: Instant) -> bool {
        let State::Bdat {
            remaining, keep, ..
        } = &mut self.state
        else {
            return false;
        };
        if self.inbuf.is_empty() {
            return false;
        }
        let n = (*remaining).min(self.inbuf.len() as u64) as usize;
        *remaining -= n as u64;
        let done = *remaining == 0;
        if *keep {
            self.tx.body.extend_from_slice(&self.inbuf[..n]);
        }
        self.consume(n);
        if done {
            self.end_bdat_chunk();
        }
        true
    }

    fn end_bdat_chunk(&mut self) {
        let State::Bdat { last, keep, .. } = self.state else {
            return;
        };
        self.state = State::Command;
        if self.tx.too_big && self.tx.mail.is_some() {
            // Answer this chunk and drop the transaction (RFC 3030 §2).
            self.tx = Tx::default();
            self.events.push_back(ServerEvent::Reset);
            return self.reply_text(552, Some((5, 3, 4)), "Message size exceeds fixed limit");
        }
        if !keep {
            return;
        }
        if last {
            self.deliver();
        } else {
            let text = format!("{} octets received", self.tx.body.len());
            self.reply_text(250, Some((2, 0, 0)), &text);
        }
    }

    fn step_data(&mut self, _now: Instant) -> bool {
        let State::Data(un) = &mut self.state else {
            return false;
        };
        if self.inbuf.is_empty() {
            return false;
        }
        let before = self.tx.body.len();
        let result = un.decode(&self.inbuf, &mut self.tx.body);
        // Over the limit: keep reading to the end, keep nothing.
        if self.tx.too_big || self.tx.body.len() as u64 > self.config.max_message_size {
            self.tx.too_big = true;
            self.tx.body.clear();
        }
        let _ = before;
        match result {
            Ok(Some(used)) => {
                self.consume(used);
                self.state = State::Command;
                if self.tx.too_big {
                    self.tx = Tx::default();
                    self.events.push_back(ServerEvent::Reset);
                    self.reply_text(552, Some((5, 3, 4)), "Message size exceeds fixed limit");
                } else {
                    self.deliver();
                }
                true
            }
            Ok(None) => {
                self.inbuf.clear();
                self.scanned = 0;
                false
            }
            Err(DataError::BareLineEnding { .. }) => {
                self.tx = Tx::default();
                self.fail(
                    ServerError::BareLineEnding,
                    521,
                    (5, 5, 2),
                    "Bare CR or LF received",
                );
                false
            }
            Err(DataError::Finished) => {
                self.state = State::Command;
                true
            }
        }
    }

    fn deliver(&mut self) {
        let tx = core::mem::take(&mut self.tx);
        let (helo, extended) = self.helo.clone().unwrap_or_default();
        let Some(mail) = tx.mail else { return };
        self.events
            .push_back(ServerEvent::Message(Box::new(Transaction {
                helo,
                extended,
                authenticated: self.authenticated.clone(),
                tls: self.tls,
                mail,
                recipients: tx.recipients,
                body: tx.body,
                chunked: tx.chunked,
            })));
        self.state = State::Decision(Pending::Message);
    }

    fn starttls(&mut self) {
        if !self.config.starttls || self.tls {
            return self.error_reply(502, (5, 5, 1), "STARTTLS not available");
        }
        self.reply_text(220, Some((2, 0, 0)), "Ready to start TLS");
        // Everything the client sent after STARTTLS was sent in the clear
        // before the handshake: it must not reach the TLS session.
        self.inbuf.clear();
        self.scanned = 0;
        self.state = State::HandOver;
        self.events.push_back(ServerEvent::StartTls);
    }

    fn auth(&mut self, mechanism: &str, initial: Option<&str>) {
        if self.helo.as_ref().is_none_or(|h| !h.1) {
            return self.error_reply(503, (5, 5, 1), "Send EHLO first");
        }
        if self.authenticated.is_some() {
            return self.error_reply(503, (5, 5, 1), "Already authenticated");
        }
        if self.tx.mail.is_some() {
            return self.error_reply(503, (5, 5, 1), "AUTH not allowed during a transaction");
        }
        let caps = self.advertised();
        if caps.auth.is_empty() && !self.config.capabilities.auth.is_empty() {
            return self.error_reply(
                538,
                (5, 7, 11),
                "Encryption required for requested authentication mechanism",
            );
        }
        if !caps.supports_auth(mechanism) {
            return self.error_reply(504, (5, 5, 4), "Unrecognized authentication type");
        }
        if mechanism.eq_ignore_ascii_case("PLAIN") {
            match initial {
                Some(ir) => self.auth_plain_response(ir.as_bytes()),
                None => {
                    // RFC 4954 §4: `"334" SP [base64] CRLF`; the space is
                    // required even with an empty challenge, and
                    // `write_reply` leaves it out of a text-less line.
                    self.out.extend_from_slice(b"334 \r\n");
                    self.state = State::AuthPlain;
                }
            }
        } else if mechanism.eq_ignore_ascii_case("LOGIN") {
            match initial {
                Some(ir) => self.auth_login_response(ir.as_bytes(), None),
                None => {
                    self.reply(334, None, &["VXNlcm5hbWU6"]);
                    self.state = State::AuthLogin { username: None };
                }
            }
        } else {
            self.error_reply(504, (5, 5, 4), "Unrecognized authentication type");
        }
    }

    fn auth_text<'b>(&mut self, line: &'b [u8]) -> Option<&'b str> {
        if line == b"*" {
            self.error_reply(501, (5, 0, 0), "Authentication cancelled");
            return None;
        }
        match core::str::from_utf8(line) {
            Ok(s) => Some(s),
            Err(_) => {
                self.error_reply(501, (5, 5, 2), "Invalid base64 data");
                None
            }
        }
    }

    fn auth_plain_response(&mut self, line: &[u8]) {
        let Some(text) = self.auth_text(line) else {
            return;
        };
        match sasl::decode_plain(text) {
            Ok(credentials) => {
                if !credentials.authzid.is_empty() && credentials.authzid != credentials.username {
                    return self.error_reply(
                        535,
                        (5, 7, 8),
                        "Authorization identity not permitted",
                    );
                }
                self.pending_auth = Some(credentials.username.clone());
                self.state = State::Decision(Pending::Auth);
                self.events.push_back(ServerEvent::Auth {
                    mechanism: AuthMechanism::Plain,
                    credentials,
                });
            }
            Err(_) => self.error_reply(501, (5, 5, 2), "Invalid base64 data"),
        }
    }

    fn auth_login_response(&mut self, line: &[u8], username: Option<String>) {
        let Some(text) = self.auth_text(line) else {
            return;
        };
        let value = match sasl::decode_login(text) {
            Ok(v) => v,
            Err(_) => return self.error_reply(501, (5, 5, 2), "Invalid base64 data"),
        };
        match username {
            None => {
                self.reply(334, None, &["UGFzc3dvcmQ6"]);
                self.state = State::AuthLogin {
                    username: Some(value),
                };
            }
            Some(username) => {
                self.pending_auth = Some(username.clone());
                self.state = State::Decision(Pending::Auth);
                self.events.push_back(ServerEvent::Auth {
                    mechanism: AuthMechanism::Login,
                    credentials: Credentials {
                        authzid: String::new(),
                        username,
                        password: value,
                    },
                });
            }
        }
    }
}
