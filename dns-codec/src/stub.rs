//! A stub resolver as a Sans-IO state machine: it builds queries, matches responses,
//! retransmits with backoff and falls back to TCP, but never touches a socket, a clock
//! or a random number generator.
//!
//! # Driving it
//!
//! After every call that feeds it ([`StubResolver::query`],
//! [`StubResolver::handle_datagram`], [`StubResolver::handle_tcp_message`],
//! [`StubResolver::handle_timeout`]), drain [`StubResolver::poll_transmit`], then
//! [`StubResolver::poll_event`], then read [`StubResolver::poll_timeout`] and wake up at
//! that instant.
//!
//! ```
//! use std::time::{Duration, Instant};
//! use dns_codec::stub::{StubConfig, StubEvent, StubResolver, Protocol};
//! use dns_codec::wire::{Message, Name, Rtype};
//!
//! let server = "127.0.0.1:53".parse().unwrap();
//! let mut stub = StubResolver::new(StubConfig::new(vec![server]));
//! let mut seed = 0x2545_f491_4f6c_dd1du64;
//! let mut rng = move || { seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17; seed };
//! let now = Instant::now();
//! let name: Name = "example.test".parse().unwrap();
//! let id = stub.query(now, &name, Rtype::A, &mut rng).unwrap();
//!
//! let t = stub.poll_transmit().unwrap();
//! assert_eq!((t.server, t.protocol), (server, Protocol::Udp));
//! // No answer: the deadline passes and the query goes out again, with a longer wait.
//! let deadline = stub.poll_timeout().unwrap();
//! stub.handle_timeout(deadline);
//! assert!(stub.poll_transmit().is_some());
//! assert!(stub.poll_timeout().unwrap() - deadline > deadline - now);
//! # let _ = id;
//! ```

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::net::SocketAddr;
use core::time::Duration;

use std::time::Instant;

use crate::wire::{
    BuildError, Class, Edns, EdnsOptions, Header, Message, MessageBuilder, Name, Rtype,
};

/// Settings for a [`StubResolver`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StubConfig {
    /// Servers to ask, tried in turn on each retransmission.
    pub servers: Vec<SocketAddr>,
    /// Wait before the first retransmission. Default 1 s; doubled each time.
    pub initial_timeout: Duration,
    /// Longest wait between transmissions. Default 8 s.
    pub max_timeout: Duration,
    /// Transmissions per query over UDP before giving up. Default 4.
    pub attempts: u32,
    /// Randomise the case of the query name (0x20 encoding) and require the response
    /// to echo it exactly. Default true.
    pub case_randomization: bool,
    /// EDNS UDP payload size offered; `None` sends no OPT record. Default 1232.
    pub edns_payload_size: Option<u16>,
    /// Ask for recursion (RD). Default true.
    pub recursion_desired: bool,
    /// How queries are first sent. Default UDP (TCP after a truncated answer).
    pub start_protocol: Protocol,
}

impl StubConfig {
    /// Defaults for these servers.
    pub fn new(servers: Vec<SocketAddr>) -> Self {
        StubConfig {
            servers,
            initial_timeout: Duration::from_secs(1),
            max_timeout: Duration::from_secs(8),
            attempts: 4,
            case_randomization: true,
            edns_payload_size: Some(1232),
            recursion_desired: true,
            start_protocol: Protocol::Udp,
        }
    }
}

/// Handle of one query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct QueryId(u64);

/// How a query is to be sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    /// One datagram.
    Udp,
    /// Over a TCP connection, with the 2-byte length prefix (RFC 7766); the driver
    /// feeds the response to [`StubResolver::handle_tcp_message`].
    Tcp,
}

/// A message to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// The query it belongs to.
    pub query: QueryId,
    /// Where to send it.
    pub server: SocketAddr,
    /// How.
    pub protocol: Protocol,
    /// The DNS message (no length prefix).
    pub message: Vec<u8>,
}

/// Something the resolver has to report.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StubEvent {
    /// A response that matches the query: parse it with [`Message::parse`].
    Answer {
        /// The query answered.
        query: QueryId,
        /// The server that answered.
        server: SocketAddr,
        /// The response bytes.
        response: Vec<u8>,
    },
    /// Every attempt went unanswered.
    Timeout {
        /// The query given up.
        query: QueryId,
    },
    /// A datagram that answers no outstanding query (wrong id, source, question or
    /// case, or not a valid response); it was ignored.
    Mismatch {
        /// Where it came from.
        from: SocketAddr,
        /// Why it did not match.
        reason: &'static str,
    },
}

#[derive(Debug)]
struct Pending {
    id: QueryId,
    message: Vec<u8>,
    msg_id: u16,
    name: Name,
    qtype: Rtype,
    server: usize,
    protocol: Protocol,
    /// True once a truncated UDP answer moved the query to TCP (it then stays with
    /// the server that truncated).
    tc_fallback: bool,
    /// Every server asked so far: a late answer from any of them is accepted.
    asked: Vec<SocketAddr>,
    /// Transmissions over UDP, then over TCP (after a truncated answer).
    udp_sent: u32,
    tcp_sent: u32,
    wait: Duration,
    deadline: Instant,
}

/// TCP attempts after a truncated UDP answer before giving up.
const TCP_ATTEMPTS: u32 = 2;

/// The stub resolver. See the module documentation for the drive order.
#[derive(Debug)]
pub struct StubResolver {
    config: StubConfig,
    pending: Vec<Pending>,
    transmits: VecDeque<Transmit>,
    events: VecDeque<StubEvent>,
    next: u64,
}

impl StubResolver {
    /// A resolver with no queries outstanding.
    pub fn new(config: StubConfig) -> Self {
        StubResolver {
            config,
            pending: Vec::new(),
            transmits: VecDeque::new(),
            events: VecDeque::new(),
            next: 0,
        }
    }

    /// Starts a query for `name`/`qtype` (class IN). `random` supplies the message id
    /// and the 0x20 case bits; use a cryptographically secure source in production.
    pub fn query(
        &mut self,
        now: Instant,
        name: &Name,
        qtype: Rtype,
        random: &mut impl FnMut() -> u64,
    ) -> Result<QueryId, BuildError> {
        // A free message id; a bad RNG or 65,536 outstanding queries must not loop.
        let mut msg_id = None;
        for _ in 0..256 {
            let candidate = random() as u16;
            if !self.pending.iter().any(|p| p.msg_id == candidate) {
                msg_id = Some(candidate);
                break;
            }
        }
        let msg_id = msg_id.ok_or(BuildError::TooManyRecords)?;
        let mut asked = Name::root();
        let mut bits = random();
        let mut used = 0;
        for label in name.labels() {
            let mut l = [0u8; 63];
            let l = &mut l[..label.len()];
            l.copy_from_slice(label);
            if self.config.case_randomization {
                for b in l.iter_mut().filter(|b| b.is_ascii_alphabetic()) {
                    if used == 64 {
                        bits = random();
                        used = 0;
                    }
                    *b = if bits & 1 == 1 {
                        b.to_ascii_uppercase()
                    } else {
                        b.to_ascii_lowercase()
                    };
                    bits >>= 1;
                    used += 1;
                }
            }
            asked
                .push_label(l)
                .map_err(|_| BuildError::TooManyRecords)?;
        }
        let mut buf = alloc::vec![0u8; 512];
        let mut b = MessageBuilder::new(&mut buf);
        b.set_header(Header {
            id: msg_id,
            rd: self.config.recursion_desired,
            ..Header::default()
        });
        if let Some(size) = self.config.edns_payload_size {
            let options = EdnsOptions::from_wire(&[]).map_err(|_| BuildError::TooManyRecords)?;
            b.set_edns(&Edns {
                udp_payload_size: size,
                extended_rcode: 0,
                version: 0,
                dnssec_ok: false,
                z: 0,
                options,
            })?;
        }
        b.question(asked.as_ref(), qtype, Class::IN)?;
        let len = b.finish();
        buf.truncate(len);

        let id = QueryId(self.next);
        self.next += 1;
        let wait = self.config.initial_timeout;
        let pending = Pending {
            id,
            message: buf,
            msg_id,
            name: asked,
            qtype,
            server: 0,
            protocol: self.config.start_protocol,
            tc_fallback: false,
            asked: Vec::new(),
            udp_sent: 0,
            tcp_sent: 0,
            wait,
            deadline: now.checked_add(wait).unwrap_or(now),
        };
        self.pending.push(pending);
        if let Some(i) = self.pending.len().checked_sub(1) {
            self.send(i, now);
        }
        Ok(id)
    }

    fn send(&mut self, index: usize, now: Instant) {
        let Some(p) = self.pending.get_mut(index) else {
            return;
        };
        let Some(&server) = self
            .config
            .servers
            .get(p.server % self.config.servers.len().max(1))
        else {
            // No servers: nothing can answer.
            let query = p.id;
            self.pending.remove(index);
            self.events.push_back(StubEvent::Timeout { query });
            return;
        };
        match p.protocol {
            Protocol::Udp => p.udp_sent += 1,
            Protocol::Tcp => p.tcp_sent += 1,
        }
        if !p.asked.contains(&server) {
            p.asked.push(server);
        }
        // A wait too long to represent means "never retransmit".
        p.deadline = now
            .checked_add(p.wait)
            .unwrap_or(now + Duration::from_secs(u32::MAX.into()));
        self.transmits.push_back(Transmit {
            query: p.id,
            server,
            protocol: p.protocol,
            message: p.message.clone(),
        });
    }

    /// Feeds a UDP datagram received from `from`.
    pub fn handle_datagram(&mut self, now: Instant, from: SocketAddr, datagram: &[u8]) {
        self.handle_response(now, from, datagram, Protocol::Udp);
    }

    /// Feeds a DNS message read from a TCP connection to `server` (without the length
    /// prefix).
    pub fn handle_tcp_message(&mut self, now: Instant, server: SocketAddr, message: &[u8]) {
        self.handle_response(now, server, message, Protocol::Tcp);
    }

    fn handle_response(
        &mut self,
        now: Instant,
        from: SocketAddr,
        bytes: &[u8],
        protocol: Protocol,
    ) {
        let mismatch = |events: &mut VecDeque<StubEvent>, reason| {
            events.push_back(StubEvent::Mismatch { from, reason });
        };
        let Ok(msg) = Message::parse(bytes) else {
            return mismatch(&mut self.events, "not a valid DNS message");
        };
        let h = msg.header();
        if !h.qr {
            return mismatch(&mut self.events, "not a response");
        }
        let Some(index) = self.pending.iter().position(|p| p.msg_id == h.id) else {
            return mismatch(&mut self.events, "no outstanding query has this id");
        };
        let p = &self.pending[index];
        if !p.asked.contains(&from) {
            return mismatch(
                &mut self.events,
                "from an address the query was not sent to",
            );
        }
        if p.protocol != protocol {
            return mismatch(
                &mut self.events,
                "over a transport the query was not sent on",
            );
        }
        let Some(q) = msg.question() else {
            return mismatch(&mut self.events, "the response has no question");
        };
        let same_case = q.name.labels().eq(p.name.labels());
        if q.qtype != p.qtype || q.qclass != Class::IN || q.name != p.name.as_ref() {
            return mismatch(&mut self.events, "the question differs from the one asked");
        }
        if self.config.case_randomization && !same_case {
            return mismatch(
                &mut self.events,
                "the question's letter case differs (0x20)",
            );
        }
        if h.tc && protocol == Protocol::Udp {
            // Truncated: ask the same server again over TCP (RFC 7766).
            let p = &mut self.pending[index];
            p.protocol = Protocol::Tcp;
            p.tc_fallback = true;
            // Ask the server that truncated (it may differ from the current one).
            if let Some(i) = self.config.servers.iter().position(|s| *s == from) {
                p.server = i;
            }
            p.wait = self.config.initial_timeout.max(Duration::from_secs(2));
            self.send(index, now);
            return;
        }
        let p = self.pending.remove(index);
        self.events.push_back(StubEvent::Answer {
            query: p.id,
            server: from,
            response: bytes.to_vec(),
        });
    }

    /// Retransmits or gives up on every query whose deadline has passed; a call
    /// before any deadline does nothing.
    pub fn handle_timeout(&mut self, now: Instant) {
        let mut i = 0;
        while i < self.pending.len() {
            let p = &mut self.pending[i];
            if p.deadline > now {
                i += 1;
                continue;
            }
            let exhausted = match (p.protocol, p.tc_fallback) {
                (Protocol::Tcp, true) => p.tcp_sent >= TCP_ATTEMPTS,
                (Protocol::Tcp, false) => p.tcp_sent >= self.config.attempts.max(1),
                (Protocol::Udp, _) => p.udp_sent >= self.config.attempts.max(1),
            };
            if exhausted {
                let query = p.id;
                self.pending.remove(i);
                self.events.push_back(StubEvent::Timeout { query });
                continue;
            }
            // Next server (a TCP fallback stays with the server that truncated),
            // longer wait (exponential backoff, capped).
            if !p.tc_fallback {
                p.server += 1;
            }
            p.wait = p
                .wait
                .saturating_mul(2)
                .min(self.config.max_timeout.max(p.wait));
            self.send(i, now);
            i += 1;
        }
    }

    /// Stops waiting for a query (no event is reported for it, and its queued
    /// transmits are dropped).
    pub fn cancel(&mut self, query: QueryId) {
        self.pending.retain(|p| p.id != query);
        self.transmits.retain(|t| t.query != query);
    }

    /// The next message to send.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.transmits.pop_front()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<StubEvent> {
        self.events.pop_front()
    }

    /// When [`StubResolver::handle_timeout`] must next be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.pending.iter().map(|p| p.deadline).min()
    }

    /// True if a transmit is waiting to be taken.
    pub fn poll_transmit_pending(&self) -> bool {
        !self.transmits.is_empty()
    }

    /// Queries outstanding.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }
}
