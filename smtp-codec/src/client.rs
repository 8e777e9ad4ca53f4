//! The client side of an SMTP session as a pure state machine.
//!
//! [`ClientSession`] reads the greeting, says EHLO (falling back to HELO
//! when the server does not know EHLO), optionally runs STARTTLS and AUTH
//! (PLAIN or LOGIN), then sends the messages given to
//! [`ClientSession::send_mail`] one after another: MAIL, RCPT and DATA
//! pipelined when the server offers PIPELINING (RFC 2920), the body as one
//! `BDAT n LAST` chunk when it offers CHUNKING (RFC 3030) and otherwise
//! dot-stuffed after DATA. Each message ends in one
//! [`ClientEvent::Sent`] with every recipient's reply; every error keeps
//! the server's reply text.
//!
//! # Driving it
//!
//! After each call to `handle_input`, `handle_eof`, `handle_timeout`,
//! `send_mail`, `quit` or `starttls_complete`: send what
//! [`ClientSession::poll_transmit`] returns, take every
//! [`ClientSession::poll_event`], close the transport once
//! [`ClientSession::is_closed`], and otherwise wake at
//! [`ClientSession::poll_timeout`].
//!
//! ```
//! use std::time::Instant;
//! use smtp_codec::client::{ClientConfig, ClientEvent, ClientSession, Envelope};
//!
//! let now = Instant::now();
//! let mut c = ClientSession::new(ClientConfig::new("client.example"), now);
//! let id = c.send_mail(Envelope::new(Some("a@example.org"), ["b@example.net"]), b"Subject: hi\r\n\r\nhello\r\n".to_vec())?;
//! c.handle_input(now, b"220 mx.example.net ESMTP\r\n");
//! assert_eq!(c.poll_transmit().unwrap(), b"EHLO client.example\r\n");
//! c.handle_input(now, b"250-mx.example.net\r\n250 PIPELINING\r\n");
//! assert!(matches!(c.poll_event(), Some(ClientEvent::Ready { .. })));
//! assert_eq!(c.poll_transmit().unwrap(), b"MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.net>\r\nDATA\r\n");
//! c.handle_input(now, b"250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 go ahead\r\n");
//! assert_eq!(c.poll_transmit().unwrap(), b"Subject: hi\r\n\r\nhello\r\n.\r\n");
//! c.handle_input(now, b"250 2.0.0 queued as 1234\r\n");
//! let Some(ClientEvent::Sent { id: done, result }) = c.poll_event() else { panic!() };
//! assert_eq!(done, id);
//! assert_eq!(result.unwrap().reply.text(), "queued as 1234");
//! # Ok::<(), smtp_codec::client::ClientError>(())
//! ```

use alloc::borrow::ToOwned;
use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;
use std::time::{Duration, Instant};

use crate::address::{Domain, Mailbox};
use crate::capability::Capabilities;
use crate::command::{
    BodyType, Command, CommandWriteError, ForwardPath, MailParameters, RcptParameters,
};
use crate::data::{DotStuffer, LineEndingPolicy};
use crate::reply::{OwnedReply, ReplyError, ReplyLimits, parse_reply};
use crate::sasl;

/// When to use STARTTLS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StartTlsPolicy {
    /// Never (the default; the transport cannot do TLS).
    #[default]
    Never,
    /// When the server offers it.
    Opportunistic,
    /// Always; fail when the server does not offer it.
    Required,
}

/// A user name and password for AUTH.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthCredentials {
    /// The user name.
    pub username: String,
    /// The password.
    pub password: String,
}

impl core::fmt::Debug for AuthCredentials {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("AuthCredentials")
            .field("username", &self.username)
            .field("password", &"<hidden>")
            .finish()
    }
}

/// Client behaviour and timeouts (RFC 5321 §4.5.3.2).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientConfig {
    /// The name to give in EHLO/HELO: a domain or an address literal.
    pub helo_name: String,
    /// STARTTLS use. Default [`StartTlsPolicy::Never`].
    pub starttls: StartTlsPolicy,
    /// Credentials for AUTH (PLAIN preferred, then LOGIN).
    pub auth: Option<AuthCredentials>,
    /// Send credentials without TLS. Default false: AUTH then fails with
    /// [`ClientError::AuthUnavailable`] rather than expose the password.
    pub allow_plaintext_auth: bool,
    /// Use PIPELINING when offered. Default true.
    pub pipelining: bool,
    /// Use BDAT when CHUNKING is offered. Default true.
    pub chunking: bool,
    /// Bare CR or LF in a message body: [`LineEndingPolicy::Normalize`]
    /// by default (files with LF line ends are sent as CRLF); `Reject`
    /// fails the message. No policy can end DATA early.
    pub body_line_endings: LineEndingPolicy,
    /// Bounds on the server's replies.
    pub reply_limits: ReplyLimits,
    /// Greeting wait (5 min).
    pub greeting_timeout: Duration,
    /// Wait for replies to EHLO, MAIL, RCPT and others (5 min).
    pub command_timeout: Duration,
    /// Wait for the reply to DATA (2 min).
    pub data_init_timeout: Duration,
    /// Wait for the reply after the body (10 min).
    pub data_end_timeout: Duration,
}

impl ClientConfig {
    /// The defaults, with this EHLO name.
    pub fn new(helo_name: &str) -> Self {
        ClientConfig {
            helo_name: helo_name.to_owned(),
            starttls: StartTlsPolicy::Never,
            auth: None,
            allow_plaintext_auth: false,
            pipelining: true,
            chunking: true,
            body_line_endings: LineEndingPolicy::Normalize,
            reply_limits: ReplyLimits::default(),
            greeting_timeout: Duration::from_secs(300),
            command_timeout: Duration::from_secs(300),
            data_init_timeout: Duration::from_secs(120),
            data_end_timeout: Duration::from_secs(600),
        }
    }
}

/// Sender and recipients of one message.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Envelope {
    /// The reverse path; `None` sends `<>`.
    pub from: Option<String>,
    /// The recipients.
    pub to: Vec<String>,
}

impl Envelope {
    /// An envelope.
    pub fn new<I, S>(from: Option<&str>, to: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        Envelope {
            from: from.map(str::to_owned),
            to: to.into_iter().map(|s| s.as_ref().to_owned()).collect(),
        }
    }
}

/// Identifies a message given to [`ClientSession::send_mail`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MessageId(pub u64);

/// One recipient's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipientResult {
    /// The address.
    pub address: String,
    /// The server's reply to its RCPT.
    pub reply: OwnedReply,
}

impl RecipientResult {
    /// Whether the server accepted it.
    pub fn accepted(&self) -> bool {
        self.reply.code.is_positive()
    }
}

/// A message the server accepted, for at least one recipient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// Every recipient's reply, in order; some may be refusals.
    pub recipients: Vec<RecipientResult>,
    /// The reply to the end of the body.
    pub reply: OwnedReply,
}

/// Why a message or the session failed. Every variant that stems from a
/// reply carries it whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The greeting was not 220.
    #[error("server refused the connection: {0}")]
    Greeting(OwnedReply),
    /// EHLO and HELO were refused.
    #[error("server refused EHLO/HELO: {0}")]
    Hello(OwnedReply),
    /// STARTTLS was refused.
    #[error("server refused STARTTLS: {0}")]
    StartTls(OwnedReply),
    /// STARTTLS is required and the server does not offer it.
    #[error("server does not offer STARTTLS")]
    TlsUnavailable,
    /// Authentication failed.
    #[error("authentication failed: {0}")]
    Auth(OwnedReply),
    /// No usable mechanism (PLAIN, LOGIN) is offered, or TLS is missing.
    #[error("no usable authentication mechanism (or no TLS)")]
    AuthUnavailable,
    /// MAIL FROM was refused.
    #[error("sender refused: {0}")]
    Mail(OwnedReply),
    /// Every recipient was refused.
    #[error("all recipients refused")]
    AllRecipientsRefused(Vec<RecipientResult>),
    /// DATA, BDAT or the end of the body was refused.
    #[error("message refused: {0}")]
    Data(OwnedReply),
    /// The server is closing the session (421).
    #[error("server closing the connection: {0}")]
    ServiceClosing(OwnedReply),
    /// The server's bytes are not valid SMTP replies.
    #[error("malformed reply: {0}")]
    Protocol(ReplyError),
    /// A reply arrived when none was expected.
    #[error("unexpected reply: {0}")]
    Unexpected(OwnedReply),
    /// The server did not answer in time.
    #[error("timeout waiting for the server")]
    Timeout,
    /// The connection closed.
    #[error("connection closed")]
    ConnectionClosed,
    /// The message is larger than the server's SIZE.
    #[error("message of {size} octets exceeds the server's limit of {limit}")]
    TooLarge {
        /// The message size.
        size: u64,
        /// The server's SIZE.
        limit: u64,
    },
    /// The envelope needs SMTPUTF8, or the body 8BITMIME, and the server
    /// does not offer it.
    #[error("server lacks the {0} extension this message needs")]
    ExtensionMissing(&'static str),
    /// An address or name that cannot be written.
    #[error("invalid envelope: {0}")]
    InvalidEnvelope(CommandWriteError),
    /// A bare CR or LF in the body under [`LineEndingPolicy::Reject`].
    #[error("bare CR or LF in the message body")]
    BareLineEnding,
}

/// What the session reports.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientEvent {
    /// The session is set up (after EHLO, STARTTLS, AUTH).
    Ready {
        /// What the server offers.
        capabilities: Capabilities,
    },
    /// The 220 to STARTTLS arrived: run the TLS handshake on the transport,
    /// then call [`ClientSession::starttls_complete`].
    StartTls,
    /// A message is done.
    Sent {
        /// Which one.
        id: MessageId,
        /// Its outcome.
        result: Result<Delivery, ClientError>,
    },
    /// The session ended; `None` after a clean QUIT.
    Closed(Option<ClientError>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Greeting,
    Ehlo,
    Helo,
    StartTls,
    AuthPlain,
    AuthLoginUser,
    AuthLoginPass,
    AuthDone,
    Mail,
    Rcpt(usize),
    Data,
    DataEnd,
    Bdat,
    Rset,
    Quit,
}

#[derive(Debug)]
struct Job {
    id: MessageId,
    envelope: Envelope,
    body: Vec<u8>,
}

#[derive(Debug)]
struct Active {
    job: Job,
    mail_failed: Option<OwnedReply>,
    recipients: Vec<RecipientResult>,
    use_bdat: bool,
    /// MAIL, the RCPTs (and DATA) went out in one batch.
    pipelined: bool,
    /// DATA was pipelined with MAIL and RCPT.
    data_sent: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Setup,
    HandOver,
    Ready,
    Closed,
}

/// The client side of one SMTP connection. See the [module docs](self).
#[derive(Debug)]
pub struct ClientSession {
    config: ClientConfig,
    phase: Phase,
    inbuf: Vec<u8>,
    out: Vec<u8>,
    events: VecDeque<ClientEvent>,
    expect: VecDeque<Expect>,
    deadline: Option<Instant>,
    caps: Capabilities,
    tls: bool,
    queue: VecDeque<Job>,
    active: Option<Active>,
    next_id: u64,
    quit_requested: bool,
    /// A refused transaction may still be open on the server.
    tx_open: bool,
    /// The latest time the caller gave.
    clock: Instant,
    /// Commands went out from `send_mail` or `quit`, which are given no
    /// time: their deadline starts at the next call that brings one.
    unarmed: bool,
}

impl ClientSession {
    /// A session on a new connection; it waits for the greeting.
    pub fn new(config: ClientConfig, now: Instant) -> Self {
        let deadline = Some(now + config.greeting_timeout);
        ClientSession {
            config,
            phase: Phase::Setup,
            inbuf: Vec::new(),
            out: Vec::new(),
            events: VecDeque::new(),
            expect: VecDeque::from([Expect::Greeting]),
            deadline,
            caps: Capabilities::default(),
            tls: false,
            queue: VecDeque::new(),
            active: None,
            next_id: 0,
            quit_requested: false,
            tx_open: false,
            clock: now,
            unarmed: false,
        }
    }

    /// A session on a connection that is already TLS (port 465).
    pub fn new_tls(config: ClientConfig, now: Instant) -> Self {
        let mut s = Self::new(config, now);
        s.tls = true;
        s
    }

    /// What the server advertised (empty before EHLO).
    pub fn capabilities(&self) -> &Capabilities {
        &self.caps
    }

    /// Queue a message. The envelope is checked now; the body is sent as
    /// given (line endings per [`ClientConfig::body_line_endings`]).
    pub fn send_mail(
        &mut self,
        envelope: Envelope,
        body: Vec<u8>,
    ) -> Result<MessageId, ClientError> {
        check_envelope(&envelope)?;
        let id = MessageId(self.next_id);
        self.next_id += 1;
        if self.phase == Phase::Closed {
            self.events.push_back(ClientEvent::Sent {
                id,
                result: Err(ClientError::ConnectionClosed),
            });
            return Ok(id);
        }
        self.queue.push_back(Job { id, envelope, body });
        self.pump(None);
        Ok(id)
    }

    /// Send QUIT once every queued message is done.
    pub fn quit(&mut self) {
        self.quit_requested = true;
        self.pump(None);
    }

    /// Bytes to send.
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        (!self.out.is_empty()).then(|| core::mem::take(&mut self.out))
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<ClientEvent> {
        self.events.pop_front()
    }

    /// When [`ClientSession::handle_timeout`] is due. Right after
    /// `send_mail` or `quit` set an idle session talking, it is due at once:
    /// that call gives the session the time its new deadline counts from.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.expect.is_empty() || self.phase == Phase::Closed || self.phase == Phase::HandOver {
            None
        } else {
            self.deadline
        }
    }

    /// Whether the session is over.
    pub fn is_closed(&self) -> bool {
        self.phase == Phase::Closed
    }

    /// Whether the connection runs over TLS.
    pub fn is_tls(&self) -> bool {
        self.tls
    }

    /// Bytes from the server.
    pub fn handle_input(&mut self, now: Instant, data: &[u8]) {
        self.tick(now);
        // During the TLS hand-over the transport's TLS layer owns the bytes;
        // any that reach the session are plaintext the server sent after
        // its 220, which never belongs to the TLS session (CVE-2011-0411):
        // they are dropped, as those that came with the 220 are.
        if matches!(self.phase, Phase::Closed | Phase::HandOver) {
            return;
        }
        self.inbuf.extend_from_slice(data);
        loop {
            let parsed = match parse_reply(&self.inbuf, &self.config.reply_limits) {
                Ok(Some((reply, used))) => Ok((reply.to_owned(), used)),
                Ok(None) => break,
                Err(e) => Err(e),
            };
            match parsed {
                Ok((reply, used)) => {
                    self.inbuf.drain(..used);
                    self.on_reply(now, reply);
                    if matches!(self.phase, Phase::Closed | Phase::HandOver) {
                        break;
                    }
                }
                Err(e) => {
                    self.close(Some(ClientError::Protocol(e)));
                    break;
                }
            }
        }
    }

    /// The server closed the connection.
    pub fn handle_eof(&mut self, _now: Instant) {
        if self.phase != Phase::Closed {
            // After QUIT with nothing else outstanding, a close before the
            // 221 loses nothing.
            let only_quit = self.expect.iter().all(|e| *e == Expect::Quit);
            let clean =
                only_quit && self.quit_requested && self.queue.is_empty() && self.active.is_none();
            self.close(if clean {
                None
            } else {
                Some(ClientError::ConnectionClosed)
            });
        }
    }

    /// Time passed; a call before the deadline does nothing.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.tick(now);
        if let Some(d) = self.poll_timeout()
            && now >= d
        {
            self.close(Some(ClientError::Timeout));
        }
    }

    /// The TLS handshake after [`ClientEvent::StartTls`] succeeded: EHLO
    /// is sent again (RFC 3207 §4.2).
    pub fn starttls_complete(&mut self, now: Instant) {
        if self.phase == Phase::HandOver {
            self.phase = Phase::Setup;
            self.tls = true;
            self.caps = Capabilities::default();
            self.inbuf.clear();
            self.send_hello(now, true);
        }
    }

    fn command(&mut self, cmd: &Command<'_>, expect: Expect) {
        match cmd.write(&mut self.out) {
            Ok(()) => self.expect.push_back(expect),
            // Only the configured EHLO name can get here: envelopes are
            // checked in `send_mail`.
            Err(e) => self.close(Some(ClientError::InvalidEnvelope(e))),
        }
    }

    /// Note the caller's time, and start a deadline that waited for it.
    fn tick(&mut self, now: Instant) {
        self.clock = self.clock.max(now);
        if self.unarmed {
            self.arm(now);
        }
    }

    fn arm(&mut self, now: Instant) {
        self.unarmed = false;
        let t = match self.expect.front() {
            Some(Expect::Greeting) => self.config.greeting_timeout,
            Some(Expect::Data) => self.config.data_init_timeout,
            Some(Expect::DataEnd | Expect::Bdat) => self.config.data_end_timeout,
            _ => self.config.command_timeout,
        };
        self.deadline = Some(now + t);
    }

    fn send_hello(&mut self, now: Instant, extended: bool) {
        let name = self.config.helo_name.clone();
        let domain = Domain::parse_utf8(&name).unwrap_or(Domain::Name(&name));
        let cmd = if extended {
            Command::Ehlo(domain)
        } else {
            Command::Helo(domain)
        };
        self.command(&cmd, if extended { Expect::Ehlo } else { Expect::Helo });
        self.arm(now);
    }

    fn close(&mut self, error: Option<ClientError>) {
        if self.phase == Phase::Closed {
            return;
        }
        self.phase = Phase::Closed;
        self.expect.clear();
        self.inbuf.clear();
        let err = error.clone().unwrap_or(ClientError::ConnectionClosed);
        if let Some(a) = self.active.take() {
            self.events.push_back(ClientEvent::Sent {
                id: a.job.id,
                result: Err(err.clone()),
            });
        }
        while let Some(j) = self.queue.pop_front() {
            self.events.push_back(ClientEvent::Sent {
                id: j.id,
                result: Err(err.clone()),
            });
        }
        self.events.push_back(ClientEvent::Closed(error));
    }

    fn on_reply(&mut self, now: Instant, reply: OwnedReply) {
        let Some(expect) = self.expect.pop_front() else {
            return self.close(Some(ClientError::Unexpected(reply)));
        };
        if reply.code.get() == 421 && expect != Expect::Quit {
            return self.close(Some(ClientError::ServiceClosing(reply)));
        }
        match expect {
            Expect::Greeting => {
                if reply.code.get() == 220 {
                    self.send_hello(now, true);
                } else {
                    self.close(Some(ClientError::Greeting(reply)));
                }
            }
            Expect::Ehlo => {
                if reply.code.is_positive() {
                    self.after_hello(now, reply, true);
                } else if reply.code.is_permanent() {
                    self.send_hello(now, false);
                } else {
                    self.close(Some(ClientError::Hello(reply)));
                }
            }
            Expect::Helo => {
                if reply.code.is_positive() {
                    self.after_hello(now, reply, false);
                } else {
                    self.close(Some(ClientError::Hello(reply)));
                }
            }
            Expect::StartTls => {
                if reply.code.get() == 220 {
                    self.phase = Phase::HandOver;
                    // Nothing read before the handshake belongs to TLS.
                    self.inbuf.clear();
                    self.events.push_back(ClientEvent::StartTls);
                } else if self.config.starttls == StartTlsPolicy::Opportunistic {
                    // Opportunistic TLS refused: go on in plaintext, as
                    // Postfix's `may` level does (AUTH still needs TLS
                    // unless plaintext AUTH is allowed).
                    self.authenticate(now);
                } else {
                    self.close(Some(ClientError::StartTls(reply)));
                }
            }
            Expect::AuthPlain | Expect::AuthDone => {
                if reply.code.get() == 235 {
                    self.ready(now);
                } else {
                    self.close(Some(ClientError::Auth(reply)));
                }
            }
            Expect::AuthLoginUser | Expect::AuthLoginPass => {
                let Some(cred) = self.config.auth.clone() else {
                    return;
                };
                if reply.code.get() == 334 {
                    let (value, next) = if expect == Expect::AuthLoginUser {
                        (cred.username, Expect::AuthLoginPass)
                    } else {
                        (cred.password, Expect::AuthDone)
                    };
                    self.out
                        .extend_from_slice(sasl::base64_encode(value.as_bytes()).as_bytes());
                    self.out.extend_from_slice(b"\r\n");
                    self.expect.push_back(next);
                    self.arm(now);
                } else {
                    self.close(Some(ClientError::Auth(reply)));
                }
            }
            Expect::Mail => {
                if let Some(a) = &mut self.active
                    && !reply.code.is_positive()
                {
                    a.mail_failed = Some(reply);
                }
                if !self.pipelined() {
                    self.after_mail(now);
                }
            }
            Expect::Rcpt(i) => {
                if let Some(a) = &mut self.active {
                    let address = a.job.envelope.to[i].clone();
                    a.recipients.push(RecipientResult { address, reply });
                    let last = i + 1 == a.job.envelope.to.len();
                    if last && !a.data_sent {
                        self.after_rcpts(now);
                    } else if !last && !a.pipelined {
                        self.send_rcpt(i + 1);
                    }
                }
            }
            Expect::Data => self.on_data_reply(now, reply),
            Expect::DataEnd | Expect::Bdat => {
                if let Some(a) = self.active.take() {
                    let result = if reply.code.is_positive() {
                        Ok(Delivery {
                            recipients: a.recipients,
                            reply,
                        })
                    } else {
                        Err(ClientError::Data(reply))
                    };
                    self.events.push_back(ClientEvent::Sent {
                        id: a.job.id,
                        result,
                    });
                }
            }
            Expect::Rset => {}
            Expect::Quit => {
                self.close(None);
                return;
            }
        }
        if self.phase != Phase::Closed {
            self.pump(Some(now));
            if !self.expect.is_empty() {
                self.arm(now);
            }
        }
    }

    fn pipelined(&self) -> bool {
        self.config.pipelining && self.caps.pipelining
    }

    fn after_hello(&mut self, now: Instant, reply: OwnedReply, extended: bool) {
        self.caps = if extended {
            Capabilities::from_ehlo_lines(reply.lines.iter().map(String::as_str))
        } else {
            Capabilities::default()
        };
        if !self.tls {
            match self.config.starttls {
                StartTlsPolicy::Required if !self.caps.starttls => {
                    return self.close(Some(ClientError::TlsUnavailable));
                }
                StartTlsPolicy::Required | StartTlsPolicy::Opportunistic if self.caps.starttls => {
                    self.command(&Command::StartTls, Expect::StartTls);
                    self.arm(now);
                    return;
                }
                _ => {}
            }
        }
        self.authenticate(now);
    }

    /// After EHLO (and STARTTLS, or its refusal under the opportunistic
    /// policy): AUTH if credentials are configured, else ready.
    fn authenticate(&mut self, now: Instant) {
        let Some(cred) = self.config.auth.clone() else {
            return self.ready(now);
        };
        if !self.tls && !self.config.allow_plaintext_auth {
            return self.close(Some(ClientError::AuthUnavailable));
        }
        if self.caps.supports_auth("PLAIN") {
            let Ok(ir) = sasl::plain_response("", &cred.username, &cred.password) else {
                return self.close(Some(ClientError::AuthUnavailable));
            };
            self.command(
                &Command::Auth {
                    mechanism: "PLAIN",
                    initial_response: Some(&ir),
                },
                Expect::AuthPlain,
            );
        } else if self.caps.supports_auth("LOGIN") {
            self.command(
                &Command::Auth {
                    mechanism: "LOGIN",
                    initial_response: None,
                },
                Expect::AuthLoginUser,
            );
        } else {
            return self.close(Some(ClientError::AuthUnavailable));
        }
        self.arm(now);
    }

    fn ready(&mut self, _now: Instant) {
        self.phase = Phase::Ready;
        self.events.push_back(ClientEvent::Ready {
            capabilities: self.caps.clone(),
        });
    }

    /// Start the next message or QUIT when idle.
    fn pump(&mut self, now: Option<Instant>) {
        if self.phase != Phase::Ready || self.active.is_some() || !self.expect.is_empty() {
            return;
        }
        while let Some(job) = self.queue.pop_front() {
            match self.prepare(job) {
                Ok(()) => break,
                Err((id, e)) => self
                    .events
                    .push_back(ClientEvent::Sent { id, result: Err(e) }),
            }
        }
        if self.active.is_none() && self.quit_requested && self.queue.is_empty() {
            self.command(&Command::Quit, Expect::Quit);
        }
        if !self.expect.is_empty() {
            match now {
                Some(now) => self.arm(now),
                // From `send_mail` or `quit`, after idling for who knows
                // how long: the old deadline is meaningless, and the next
                // `handle_*` call brings the time to count from.
                None => {
                    self.deadline = Some(self.clock);
                    self.unarmed = true;
                }
            }
        }
    }

    /// Check a message against the server's extensions and send MAIL (and
    /// with PIPELINING, the RCPTs and DATA too).
    fn prepare(&mut self, mut job: Job) -> Result<(), (MessageId, ClientError)> {
        let id = job.id;
        let fail = |e| (id, e);
        let utf8 = job
            .envelope
            .from
            .iter()
            .chain(&job.envelope.to)
            .any(|a| !a.is_ascii());
        if utf8 && !self.caps.smtputf8 {
            return Err(fail(ClientError::ExtensionMissing("SMTPUTF8")));
        }
        let use_bdat = self.config.chunking && self.caps.chunking;
        if self.config.body_line_endings != LineEndingPolicy::Allow {
            job.body = normalize(&job.body, self.config.body_line_endings)
                .ok_or(fail(ClientError::BareLineEnding))?;
        }
        // A message ends with CRLF (RFC 5322 §2.1), and the end of DATA
        // adds one anyway: add it here, so that SIZE counts it and BDAT
        // sends the same message as DATA.
        if !job.body.is_empty() && !job.body.ends_with(b"\r\n") {
            job.body.extend_from_slice(b"\r\n");
        }
        let eight_bit = job.body.iter().any(|&b| b >= 0x80);
        if eight_bit && !self.caps.eight_bit_mime {
            return Err(fail(ClientError::ExtensionMissing("8BITMIME")));
        }
        let size = job.body.len() as u64;
        if let Some(limit) = self.caps.size
            && limit > 0
            && size > limit
        {
            return Err(fail(ClientError::TooLarge { size, limit }));
        }
        let mut params = MailParameters::default();
        if self.caps.size.is_some() {
            params.size = Some(size);
        }
        if eight_bit {
            params.body = Some(BodyType::EightBitMime);
        }
        params.smtputf8 = utf8;
        let from = job.envelope.from.clone();
        let from_mb = match from.as_deref().map(Mailbox::parse_utf8).transpose() {
            Ok(m) => m,
            Err(e) => return Err(fail(ClientError::InvalidEnvelope(e.into()))),
        };
        let pipelined = self.pipelined();
        if core::mem::take(&mut self.tx_open) {
            self.command(&Command::Rset, Expect::Rset);
        }
        self.active = Some(Active {
            job,
            mail_failed: None,
            recipients: Vec::new(),
            pipelined,
            use_bdat,
            data_sent: false,
        });
        self.command(
            &Command::Mail {
                from: from_mb,
                params,
            },
            Expect::Mail,
        );
        if pipelined {
            let n = self.active.as_ref().map_or(0, |a| a.job.envelope.to.len());
            for i in 0..n {
                self.send_rcpt(i);
            }
            if !use_bdat {
                self.command(&Command::Data, Expect::Data);
                if let Some(a) = &mut self.active {
                    a.data_sent = true;
                }
            }
        }
        Ok(())
    }

    fn send_rcpt(&mut self, i: usize) {
        let Some(a) = &self.active else { return };
        let to = a.job.envelope.to[i].clone();
        // Recipients were checked in `send_mail`; Postmaster is what is left.
        let fp = match Mailbox::parse_utf8(&to) {
            Ok(m) => ForwardPath::Mailbox(m),
            Err(_) => ForwardPath::Postmaster,
        };
        self.command(
            &Command::Rcpt {
                to: fp,
                params: RcptParameters::default(),
            },
            Expect::Rcpt(i),
        );
    }

    /// Without PIPELINING: MAIL answered.
    fn after_mail(&mut self, _now: Instant) {
        let Some(a) = &self.active else { return };
        if let Some(reply) = a.mail_failed.clone() {
            let a = self.active.take().expect("active");
            self.events.push_back(ClientEvent::Sent {
                id: a.job.id,
                result: Err(ClientError::Mail(reply)),
            });
            return;
        }
        self.send_rcpt(0);
    }

    /// Every RCPT answered (and DATA not pipelined).
    fn after_rcpts(&mut self, _now: Instant) {
        let Some(a) = &self.active else { return };
        if let Some(reply) = a.mail_failed.clone() {
            let a = self.active.take().expect("active");
            self.events.push_back(ClientEvent::Sent {
                id: a.job.id,
                result: Err(ClientError::Mail(reply)),
            });
            return;
        }
        if !a.recipients.iter().any(RecipientResult::accepted) {
            let a = self.active.take().expect("active");
            self.events.push_back(ClientEvent::Sent {
                id: a.job.id,
                result: Err(ClientError::AllRecipientsRefused(a.recipients)),
            });
            // MAIL was accepted: RSET before the next MAIL (not before QUIT).
            self.tx_open = true;
            return;
        }
        if a.use_bdat {
            let size = a.job.body.len() as u64;
            let body = core::mem::take(&mut self.active.as_mut().expect("active").job.body);
            self.command(&Command::Bdat { size, last: true }, Expect::Bdat);
            self.out.extend_from_slice(&body);
        } else {
            self.command(&Command::Data, Expect::Data);
        }
    }

    fn on_data_reply(&mut self, _now: Instant, reply: OwnedReply) {
        let Some(a) = &mut self.active else { return };
        let nobody = a.mail_failed.is_some() || !a.recipients.iter().any(RecipientResult::accepted);
        if reply.code.get() == 354 {
            if nobody {
                // An old server said 354 with nobody to deliver to: end
                // the empty data at once (RFC 2920 §3.1); it will refuse it.
                self.out.extend_from_slice(b".\r\n");
                self.expect.push_back(Expect::Rset);
            } else {
                let body = core::mem::take(&mut a.job.body);
                let mut stuffer = DotStuffer::new(LineEndingPolicy::Allow);
                let mut wire = Vec::with_capacity(body.len() + body.len() / 64 + 5);
                // The body's line endings were settled in `prepare`.
                let _ = stuffer.encode(&body, &mut wire);
                let _ = stuffer.finish(&mut wire);
                self.out.extend_from_slice(&wire);
                self.expect.push_back(Expect::DataEnd);
                return;
            }
        }
        let a = self.active.take().expect("active");
        if a.mail_failed.is_none() && reply.code.get() != 354 {
            // DATA refused with MAIL accepted: the transaction is still
            // open; RSET before the next MAIL (not before QUIT).
            self.tx_open = true;
        }
        let error = if let Some(m) = a.mail_failed {
            ClientError::Mail(m)
        } else if nobody {
            ClientError::AllRecipientsRefused(a.recipients)
        } else {
            ClientError::Data(reply)
        };
        self.events.push_back(ClientEvent::Sent {
            id: a.job.id,
            result: Err(error),
        });
    }
}

fn check_envelope(e: &Envelope) -> Result<(), ClientError> {
    let bad = |err| ClientError::InvalidEnvelope(CommandWriteError::Address(err));
    if let Some(f) = &e.from {
        Mailbox::parse_utf8(f).map_err(bad)?;
    }
    if e.to.is_empty() {
        return Err(ClientError::InvalidEnvelope(CommandWriteError::Invalid {
            what: "recipient list",
            offset: 0,
        }));
    }
    for t in &e.to {
        if !t.eq_ignore_ascii_case("postmaster") {
            Mailbox::parse_utf8(t).map_err(bad)?;
        }
    }
    Ok(())
}

/// Bare CR and LF become CRLF (Normalize), or `None` (Reject).
fn normalize(body: &[u8], policy: LineEndingPolicy) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(body.len() + body.len() / 32);
    let mut i = 0;
    while i < body.len() {
        match body[i] {
            b'\r' if body.get(i + 1) == Some(&b'\n') => {
                out.extend_from_slice(b"\r\n");
                i += 2;
                continue;
            }
            b'\r' | b'\n' => {
                if policy == LineEndingPolicy::Reject {
                    return None;
                }
                out.extend_from_slice(b"\r\n");
            }
            c => out.push(c),
        }
        i += 1;
    }
    Some(out)
}
