//! Driving a `ServerSession` from tests: a driver that keeps what the session
//! sent and reported, a reader for the replies in it, and the transcript
//! format of `corpus/smtp-transcripts` (see `corpus/SOURCES.txt`).

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use smtp_codec::reply::{EnhancedCode, OwnedReply, ReplyCode, ReplyLimits, parse_reply};
use smtp_codec::server::{ServerConfig, ServerEvent, ServerSession};

/// A session with the bytes it sent and the events it reported, drained in
/// the documented order after every call.
pub(crate) struct Driver {
    pub(crate) session: ServerSession,
    pub(crate) now: Instant,
    /// Everything the session sent.
    pub(crate) sent: Vec<u8>,
    /// How much of `sent` [`Driver::reply`] has read.
    read: usize,
    /// Events not yet taken with [`Driver::event`].
    events: VecDeque<ServerEvent>,
}

impl Driver {
    /// A new session; its greeting is left unread.
    pub(crate) fn new(config: ServerConfig) -> Self {
        let now = Instant::now();
        let session = ServerSession::new(config, now);
        Self::wrap(session, now)
    }

    /// A session on a connection that is already TLS; greeting unread.
    pub(crate) fn new_tls(config: ServerConfig) -> Self {
        let now = Instant::now();
        let session = ServerSession::new_tls(config, now);
        Self::wrap(session, now)
    }

    fn wrap(session: ServerSession, now: Instant) -> Self {
        let mut d = Driver {
            session,
            now,
            sent: Vec::new(),
            read: 0,
            events: VecDeque::new(),
        };
        d.pump();
        d
    }

    /// A session past the greeting and `EHLO client.example` (its reply and
    /// `Hello` event taken).
    pub(crate) fn after_ehlo(config: ServerConfig) -> Self {
        let mut d = Self::new(config);
        assert_eq!(d.code(), 220);
        d.input(b"EHLO client.example\r\n");
        assert_eq!(d.code(), 250);
        assert!(matches!(d.event(), Some(ServerEvent::Hello { .. })));
        d
    }

    /// Drains output, then events.
    pub(crate) fn pump(&mut self) {
        while let Some(out) = self.session.poll_transmit() {
            assert!(!out.is_empty(), "poll_transmit gave an empty buffer");
            self.sent.extend_from_slice(&out);
        }
        while let Some(e) = self.session.poll_event() {
            self.events.push_back(e);
        }
    }

    /// `handle_input` at the current time.
    pub(crate) fn input(&mut self, bytes: &[u8]) {
        self.session.handle_input(self.now, bytes);
        self.pump();
    }

    /// Moves the clock on.
    pub(crate) fn advance(&mut self, by: Duration) {
        self.now += by;
    }

    /// `handle_timeout` at the current time.
    pub(crate) fn timeout(&mut self) {
        self.session.handle_timeout(self.now);
        self.pump();
    }

    /// `handle_eof` at the current time.
    pub(crate) fn eof(&mut self) {
        self.session.handle_eof(self.now);
        self.pump();
    }

    /// The next event reported.
    pub(crate) fn event(&mut self) -> Option<ServerEvent> {
        self.events.pop_front()
    }

    /// Every event not yet taken.
    pub(crate) fn events(&mut self) -> Vec<ServerEvent> {
        self.events.drain(..).collect()
    }

    /// Accepts the pending decision with the standard reply.
    pub(crate) fn accept(&mut self) {
        self.session
            .accept(self.now)
            .expect("a decision is pending");
        self.pump();
    }

    /// Refuses the pending decision with the standard reply.
    pub(crate) fn refuse(&mut self) {
        self.session
            .refuse(self.now)
            .expect("a decision is pending");
        self.pump();
    }

    /// Rejects the pending decision with this reply.
    pub(crate) fn reject(&mut self, reply: &OwnedReply) {
        self.session
            .reject(self.now, reply)
            .expect("a decision is pending");
        self.pump();
    }

    /// The next complete reply the session sent, if any.
    pub(crate) fn reply(&mut self) -> Option<OwnedReply> {
        self.reply_with_bytes().map(|(r, _)| r)
    }

    /// The next complete reply and its wire bytes.
    pub(crate) fn reply_with_bytes(&mut self) -> Option<(OwnedReply, Vec<u8>)> {
        let (reply, used) = parse_reply(&self.sent[self.read..], &ReplyLimits::default())
            .expect("the session sends well-formed replies")?;
        let owned = reply.to_owned();
        let bytes = self.sent[self.read..self.read + used].to_vec();
        self.read += used;
        Some((owned, bytes))
    }

    /// The next reply's code; panics when there is none.
    pub(crate) fn code(&mut self) -> u16 {
        self.reply().expect("a reply").code.get()
    }

    /// The codes of every reply not yet read.
    pub(crate) fn codes(&mut self) -> Vec<u16> {
        let mut codes = Vec::new();
        while let Some(r) = self.reply() {
            codes.push(r.code.get());
        }
        codes
    }

    /// The raw bytes not yet read as replies.
    pub(crate) fn unread(&mut self) -> &[u8] {
        &self.sent[self.read..]
    }
}

/// A reply for `reject`/`accept_with`.
pub(crate) fn reply(code: u16, enhanced: Option<(u8, u16, u16)>, text: &str) -> OwnedReply {
    OwnedReply {
        code: ReplyCode::new(code).expect("a valid code"),
        enhanced: enhanced.map(|(c, s, d)| EnhancedCode::new(c, s, d)),
        lines: vec![text.to_string()],
    }
}

/// Runs a whole session: each piece is fed in turn, and every decision is
/// taken as it comes: the `n`th decision is accepted unless bit `n % 64` of
/// `refusals` is set. STARTTLS is completed at once. Returns the bytes sent
/// and every event.
pub(crate) fn run_session(
    config: &ServerConfig,
    pieces: &[&[u8]],
    refusals: u64,
) -> (Vec<u8>, Vec<ServerEvent>) {
    let now = Instant::now();
    let mut s = ServerSession::new(config.clone(), now);
    let mut sent = Vec::new();
    let mut events = Vec::new();
    let mut decisions = 0u32;
    let mut drain = |s: &mut ServerSession, sent: &mut Vec<u8>, events: &mut Vec<ServerEvent>| {
        loop {
            while let Some(out) = s.poll_transmit() {
                sent.extend_from_slice(&out);
            }
            let Some(e) = s.poll_event() else { break };
            let decision = matches!(
                e,
                ServerEvent::Mail(_)
                    | ServerEvent::Rcpt(_)
                    | ServerEvent::Auth { .. }
                    | ServerEvent::Message(_)
            );
            if decision {
                let r = if refusals >> (decisions % 64) & 1 == 1 {
                    s.refuse(now)
                } else {
                    s.accept(now)
                };
                r.expect("the decision event is pending");
                decisions += 1;
            }
            if matches!(e, ServerEvent::StartTls) {
                s.starttls_complete(now);
            }
            events.push(e);
        }
    };
    drain(&mut s, &mut sent, &mut events);
    for piece in pieces {
        s.handle_input(now, piece);
        drain(&mut s, &mut sent, &mut events);
    }
    (sent, events)
}

/// One line of a transcript.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TraceLine {
    /// `C: payload`: a client line (payload + CRLF on the wire).
    Client(String),
    /// `S: payload`: a server line.
    Server(String),
    /// `== TLS ==`: the STARTTLS handshake completed.
    Tls,
    /// `C~ <N octets>` (schematic files): N octets of a BDAT chunk.
    Chunk(usize),
}

/// The lines of a transcript, comments left out.
pub(crate) fn parse_trace(text: &str) -> Vec<TraceLine> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            if let Some(p) = l.strip_prefix("C: ") {
                TraceLine::Client(p.to_string())
            } else if l == "C:" {
                TraceLine::Client(String::new())
            } else if let Some(p) = l.strip_prefix("S: ") {
                TraceLine::Server(p.to_string())
            } else if l == "== TLS ==" {
                TraceLine::Tls
            } else if let Some(p) = l.strip_prefix("C~ <") {
                let n = p.strip_suffix(" octets>").expect("C~ <N octets>");
                TraceLine::Chunk(n.parse().expect("a chunk size"))
            } else {
                panic!("unknown transcript line {l:?}")
            }
        })
        .collect()
}

/// A transcript as what to do in wire order.
#[derive(Debug, Clone)]
pub(crate) enum Step {
    /// Client bytes sent back to back (lines with CRLF, chunks).
    Send(Vec<u8>),
    /// One complete server reply, and its wire bytes.
    Expect(OwnedReply, Vec<u8>),
    /// The TLS handshake completed.
    Tls,
}

/// Groups a transcript into batches of client bytes and whole replies.
/// `chunk(n)` gives the octets for a `C~ <n octets>` placeholder.
pub(crate) fn steps(lines: &[TraceLine], chunk: &mut dyn FnMut(usize) -> Vec<u8>) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut server = Vec::new();
    let flush = |server: &mut Vec<u8>, steps: &mut Vec<Step>| {
        let mut at = 0;
        while at < server.len() {
            let (r, used) = parse_reply(&server[at..], &ReplyLimits::default())
                .expect("transcript replies parse")
                .expect("transcript replies are complete");
            steps.push(Step::Expect(r.to_owned(), server[at..at + used].to_vec()));
            at += used;
        }
        server.clear();
    };
    for line in lines {
        match line {
            TraceLine::Server(p) => {
                server.extend_from_slice(p.as_bytes());
                server.extend_from_slice(b"\r\n");
                continue;
            }
            _ => flush(&mut server, &mut steps),
        }
        let bytes = match line {
            TraceLine::Client(p) => [p.as_bytes(), b"\r\n"].concat(),
            TraceLine::Chunk(n) => chunk(*n),
            TraceLine::Tls => {
                steps.push(Step::Tls);
                continue;
            }
            TraceLine::Server(_) => unreachable!(),
        };
        match steps.last_mut() {
            Some(Step::Send(batch)) => batch.extend_from_slice(&bytes),
            _ => steps.push(Step::Send(bytes)),
        }
    }
    flush(&mut server, &mut steps);
    steps
}
