//! Any bytes from a client: a `ServerSession` deciding every MAIL, RCPT, AUTH
//! and message as the input says never panics, whatever the cuts, timers and
//! end of stream. The first byte seeds the cuts, the second picks the
//! configuration and the decisions. Fed whole or in pieces (timers and
//! STARTTLS aside), it sends the same bytes and reports the same events.
//! Every reply is well-formed, output stays in proportion to input, and a
//! closed session stays silent.
#![no_main]

use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use smtp_codec::data::LineEndingPolicy;
use smtp_codec::reply::{EnhancedCode, OwnedReply, ReplyCode, ReplyLimits, parse_reply};
use smtp_codec::server::{DecisionError, ServerConfig, ServerEvent, ServerSession};

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

const POLICIES: [LineEndingPolicy; 3] = [
    LineEndingPolicy::Reject,
    LineEndingPolicy::Normalize,
    LineEndingPolicy::Allow,
];

fn config(flags: u8) -> ServerConfig {
    let mut c = ServerConfig::new("mx.example.org");
    c.command_line_endings = POLICIES[usize::from(flags & 3) % 3];
    c.data_line_endings = POLICIES[usize::from(flags >> 2 & 3) % 3];
    c.starttls = flags & 0x10 != 0;
    c.capabilities.auth = ["PLAIN", "LOGIN"].into();
    c.auth_requires_tls = flags & 0x20 == 0;
    c.require_auth = flags & 0x40 != 0;
    c.capabilities.dsn = flags & 0x40 != 0;
    if flags & 0x80 != 0 {
        c.max_line = 64;
        c.max_message_size = 100;
        c.max_recipients = 2;
        c.max_errors = 5;
    }
    c.command_timeout = Duration::from_secs(30);
    c.data_timeout = Duration::from_secs(10);
    c
}

fn owned(code: u16, enhanced: Option<EnhancedCode>, text: &str) -> OwnedReply {
    OwnedReply {
        code: ReplyCode::new(code).expect("a valid code"),
        enhanced,
        lines: vec![text.to_owned()],
    }
}

/// What the driver saw, as plain data.
type Seen = (Vec<u8>, Vec<ServerEvent>);

struct Driver {
    s: ServerSession,
    now: Instant,
    sent: Vec<u8>,
    events: Vec<ServerEvent>,
    decide: XorShift,
}

impl Driver {
    fn decide(&mut self) {
        let now = self.now;
        let r = match self.decide.next() % 6 {
            0..=2 => self.s.accept(now),
            3 => self.s.refuse(now),
            4 => self.s.reject(
                now,
                &owned(451, Some(EnhancedCode::new(4, 3, 0)), "Try later"),
            ),
            _ => self
                .s
                .accept_with(now, &owned(250, None, "fine, multi-word reply")),
        };
        r.expect("a decision event is pending");
    }

    fn drain(&mut self) {
        loop {
            while let Some(out) = self.s.poll_transmit() {
                assert!(!out.is_empty());
                self.sent.extend_from_slice(&out);
            }
            let Some(e) = self.s.poll_event() else {
                break;
            };
            match &e {
                ServerEvent::Mail(_)
                | ServerEvent::Rcpt(_)
                | ServerEvent::Auth { .. }
                | ServerEvent::Message(_) => {
                    assert!(!self.s.wants_input(), "a decision is pending");
                    assert_eq!(self.s.poll_timeout(), None);
                    self.events.push(e);
                    self.decide();
                }
                ServerEvent::StartTls => {
                    self.events.push(e);
                    self.s.starttls_complete(self.now);
                    assert!(self.s.is_tls());
                }
                _ => self.events.push(e),
            }
        }
        if self.s.is_closed() {
            assert_eq!(self.s.poll_timeout(), None);
            assert!(!self.s.wants_input());
        } else if self.s.wants_input() {
            assert!(self.s.poll_timeout().is_some());
            assert_eq!(self.s.accept(self.now), Err(DecisionError::NothingPending));
        }
    }
}

fn run(config: &ServerConfig, pieces: &[&[u8]], flags: u8, clock: Option<&mut XorShift>) -> Seen {
    let now = Instant::now();
    let mut d = Driver {
        s: ServerSession::new(config.clone(), now),
        now,
        sent: Vec::new(),
        events: Vec::new(),
        decide: XorShift(u64::from(flags) << 32 | 0x9e37_79b9),
    };
    d.drain();
    let mut clock = clock;
    let mut fed = 0usize;
    for piece in pieces {
        if let Some(rng) = clock.as_deref_mut() {
            d.now += Duration::from_millis(rng.next() % 20_000);
            // A spurious timer call is a no-op; a due one may close.
            d.s.handle_timeout(d.now);
            d.drain();
        }
        let closed = d.s.is_closed();
        let before = (d.sent.len(), d.events.len());
        d.s.handle_input(d.now, piece);
        d.drain();
        if closed {
            assert_eq!((d.sent.len(), d.events.len()), before, "input after close");
        }
        fed += piece.len();
        // The greeting and a closing reply, and a bounded answer per octet.
        assert!(
            d.sent.len() <= 32 * fed + 256,
            "{} octets out for {fed} in",
            d.sent.len()
        );
    }
    d.s.handle_eof(d.now);
    d.drain();
    assert!(d.s.is_closed());
    // Calm once closed.
    let before = (d.sent.len(), d.events.len());
    d.s.handle_input(d.now, b"QUIT\r\n");
    d.s.handle_timeout(d.now + Duration::from_secs(3600));
    d.drain();
    assert_eq!((d.sent.len(), d.events.len()), before);
    // Everything sent is a sequence of complete, well-formed replies.
    let mut at = 0;
    while at < d.sent.len() {
        let (_, used) = parse_reply(&d.sent[at..], &ReplyLimits::default())
            .expect("a well-formed reply")
            .expect("a complete reply");
        at += used;
    }
    (d.sent, d.events)
}

fuzz_target!(|data: &[u8]| {
    let [cut_seed, flags, stream @ ..] = data else {
        return;
    };
    let config = config(*flags);
    let whole = run(&config, &[stream], *flags, None);

    let mut rng = XorShift(u64::from(*cut_seed) << 40 | stream.len() as u64 | 1);
    let max_piece = u64::from(*cut_seed) + 1;
    let mut pieces = Vec::new();
    let mut rest = stream;
    while !rest.is_empty() {
        let n = ((rng.next() % max_piece) as usize + 1).min(rest.len());
        let (piece, tail) = rest.split_at(n);
        pieces.push(piece);
        rest = tail;
    }
    let split = run(&config, &pieces, *flags, None);
    // The hand-over after STARTTLS drops what came in the same input, so
    // only without it may the cuts not matter.
    if !config.starttls {
        assert_eq!(
            String::from_utf8_lossy(&split.0),
            String::from_utf8_lossy(&whole.0),
            "{} pieces",
            pieces.len()
        );
        assert_eq!(split.1, whole.1);
    }

    // Timers firing between pieces: anything but a panic or a broken
    // invariant goes.
    let mut clock = XorShift(u64::from(*flags) << 20 | 7);
    run(&config, &pieces, *flags, Some(&mut clock));
});
