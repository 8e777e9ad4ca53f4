//! A wire-level message driver shared by the integration tests: it frames a
//! byte stream into messages with nothing but the public wire layer
//! ([`HeadParser`], [`Framing`], [`BodyDecoder`]), the way a connection does,
//! and reports every message with its exact body and how the stream ended.
//!
//! Input may be fed in any number of pieces; the outcome must not depend on
//! where the pieces split (the tests check that).

// Each test crate uses a different part of this module.
#![allow(dead_code)]

use http_codec::h1::{
    BodyChunk, BodyDecoder, BodyFraming, ErrorKind, Framing, HeadKind, HeadParser, Limits,
    ParseOptions,
};

/// Which side's messages the stream carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// Requests, as a server reads them.
    Request,
    /// Responses, as a client reads them.
    Response,
}

/// How to read a stream.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) role: Role,
    pub(crate) options: ParseOptions,
    pub(crate) limits: Limits,
    /// For responses: the method of the request each response answers.
    pub(crate) request_method: &'static str,
    /// Ignore the body framing of every head (llhttp's `skipBody`: the
    /// callback tells the parser that the message has no body).
    pub(crate) skip_body: bool,
}

impl Config {
    pub(crate) fn new(role: Role, options: ParseOptions) -> Self {
        Config {
            role,
            options,
            limits: Limits::default(),
            request_method: "GET",
            skip_body: false,
        }
    }
}

/// One complete message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Message {
    /// `METHOD target` of a request, or the status code of a response.
    pub(crate) head: String,
    /// The body with its framing removed.
    pub(crate) body: Vec<u8>,
    /// Offset one past the message's last byte (chunked trailers included).
    pub(crate) end: usize,
    pub(crate) framing: BodyFraming,
    pub(crate) keep_alive: bool,
    pub(crate) upgrade: bool,
    pub(crate) other_transfer_codings: bool,
    /// Trailer fields of a chunked body, as `name: value` text.
    pub(crate) trailers: Vec<String>,
}

/// How the stream ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum End {
    /// All input consumed between messages (empty lines between messages
    /// count as nothing, as RFC 9112 §2.2 lets a server skip them).
    Idle,
    /// The input ends inside a message; the body bytes it delivered so far.
    Incomplete { partial_body: Vec<u8> },
    /// A message switched protocols (CONNECT, or Upgrade); the bytes from
    /// `at` on belong to the new protocol and are not parsed.
    Upgrade { at: usize },
    /// A byte other than CR or LF arrived after a message that closes the
    /// connection (its `keep_alive` was false); it is never parsed.
    DataAfterClose { at: usize },
    /// The stream was rejected: what and where (absolute offset).
    Rejected { kind: ErrorKind, at: u64 },
}

/// Messages completed, and how the stream ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Outcome {
    pub(crate) messages: Vec<Message>,
    pub(crate) end: End,
}

impl Outcome {
    /// The bodies of the completed messages.
    pub(crate) fn bodies(&self) -> Vec<&[u8]> {
        self.messages.iter().map(|m| &m.body[..]).collect()
    }

    pub(crate) fn rejected(&self) -> Option<ErrorKind> {
        match self.end {
            End::Rejected { kind, .. } => Some(kind),
            _ => None,
        }
    }
}

// One per driver, short-lived: not worth boxing.
#[allow(clippy::large_enum_variant)]
enum State {
    Head,
    Body {
        decoder: BodyDecoder,
        message: Message,
        /// Absolute offset of the body's first byte.
        start: usize,
    },
}

/// Frames a stream fed in pieces.
pub(crate) struct Driver {
    config: Config,
    parser: HeadParser,
    /// Bytes not yet consumed; `pending[0]` is at absolute offset `base`.
    pending: Vec<u8>,
    base: usize,
    state: State,
    messages: Vec<Message>,
    /// The last message closes the connection.
    closing: bool,
    end: Option<End>,
}

impl Driver {
    pub(crate) fn new(config: Config) -> Self {
        let kind = match config.role {
            Role::Request => HeadKind::Request,
            Role::Response => HeadKind::Response,
        };
        let parser = HeadParser::new(kind, config.options, &config.limits);
        Driver {
            config,
            parser,
            pending: Vec::new(),
            base: 0,
            state: State::Head,
            messages: Vec::new(),
            closing: false,
            end: None,
        }
    }

    /// Feeds the next piece of the stream.
    pub(crate) fn feed(&mut self, data: &[u8]) {
        if self.end.is_some() {
            return;
        }
        self.pending.extend_from_slice(data);
        self.run();
    }

    fn consume(&mut self, n: usize) {
        self.pending.drain(..n);
        self.base += n;
    }

    fn reject(&mut self, kind: ErrorKind, at: u64) {
        self.end = Some(End::Rejected { kind, at });
    }

    fn run(&mut self) {
        while self.end.is_none() {
            match &mut self.state {
                State::Head => {
                    if self.closing {
                        let stray = self.pending.iter().position(|&c| c != b'\r' && c != b'\n');
                        if let Some(i) = stray {
                            self.end = Some(End::DataAfterClose { at: self.base + i });
                        }
                        return;
                    }
                    if self.pending.is_empty() {
                        return;
                    }
                    let n = match self.parser.parse(&self.pending) {
                        Err(e) => return self.reject(e.kind(), self.base as u64 + e.offset()),
                        Ok(None) => return,
                        Ok(Some(n)) => n,
                    };
                    let options = self.config.options;
                    let (head, framing) = match self.config.role {
                        Role::Request => {
                            let request = self.parser.request(&self.pending);
                            let head = format!("{} {}", request.method(), request.target());
                            (head, Framing::of_request(&request, &options))
                        }
                        Role::Response => {
                            let response = self.parser.response(&self.pending);
                            let head = response.status().to_string();
                            let method = self.config.request_method;
                            (head, Framing::of_response(&response, method, &options))
                        }
                    };
                    let framing = match framing {
                        Ok(f) => f,
                        Err(e) => return self.reject(e.kind(), self.base as u64 + e.offset()),
                    };
                    let body = if self.config.skip_body {
                        BodyFraming::None
                    } else {
                        framing.body
                    };
                    let decoder = match BodyDecoder::new(body, options, &self.config.limits) {
                        Ok(d) => d,
                        Err(e) => return self.reject(e.kind(), (self.base + n) as u64),
                    };
                    self.consume(n);
                    self.state = State::Body {
                        decoder,
                        message: Message {
                            head,
                            body: Vec::new(),
                            end: 0,
                            framing: body,
                            keep_alive: framing.keep_alive,
                            upgrade: framing.upgrade,
                            other_transfer_codings: framing.other_transfer_codings,
                            trailers: Vec::new(),
                        },
                        start: self.base,
                    };
                }
                State::Body {
                    decoder,
                    message,
                    start,
                } => {
                    let (used, chunk) = match decoder.decode(&self.pending) {
                        Ok(r) => r,
                        Err(e) => {
                            let at = *start as u64 + e.offset();
                            return self.reject(e.kind(), at);
                        }
                    };
                    let done = match chunk {
                        BodyChunk::Data(d) => {
                            message.body.extend_from_slice(d);
                            false
                        }
                        BodyChunk::End => true,
                        BodyChunk::NeedMore => {
                            self.consume(used);
                            return;
                        }
                    };
                    self.consume(used);
                    if done {
                        self.complete();
                    }
                }
            }
        }
    }

    fn complete(&mut self) {
        let State::Body {
            decoder,
            mut message,
            ..
        } = std::mem::replace(&mut self.state, State::Head)
        else {
            unreachable!("complete() outside a body");
        };
        message.end = self.base;
        if let Some(trailers) = decoder.trailers() {
            message.trailers = trailers
                .iter()
                .map(|h| format!("{}: {}", h.name, String::from_utf8_lossy(h.value)))
                .collect();
        }
        let (upgrade, keep_alive) = (message.upgrade, message.keep_alive);
        self.messages.push(message);
        self.parser.reset();
        if upgrade {
            self.end = Some(End::Upgrade { at: self.base });
        } else if !keep_alive {
            self.closing = true;
        }
    }

    /// The outcome once the input ends. With `eof`, the connection closed
    /// there too: a close-delimited body completes, anything else unfinished
    /// is `UnexpectedEof`.
    pub(crate) fn finish(mut self, eof: bool) -> Outcome {
        let end = match self.end.take() {
            Some(end) => end,
            None => match std::mem::replace(&mut self.state, State::Head) {
                State::Head => {
                    let stray = self.pending.iter().any(|&c| c != b'\r' && c != b'\n');
                    if !stray || self.closing {
                        End::Idle
                    } else if eof {
                        End::Rejected {
                            kind: ErrorKind::UnexpectedEof,
                            at: (self.base + self.pending.len()) as u64,
                        }
                    } else {
                        End::Incomplete {
                            partial_body: Vec::new(),
                        }
                    }
                }
                State::Body {
                    mut decoder,
                    mut message,
                    ..
                } => {
                    if !eof {
                        End::Incomplete {
                            partial_body: message.body,
                        }
                    } else if let Err(e) = decoder.finish() {
                        End::Rejected {
                            kind: e.kind(),
                            at: (self.base + self.pending.len()) as u64,
                        }
                    } else {
                        message.end = self.base + self.pending.len();
                        self.messages.push(message);
                        End::Idle
                    }
                }
            },
        };
        Outcome {
            messages: self.messages,
            end,
        }
    }
}

/// Frames `input` given whole.
pub(crate) fn run(config: &Config, input: &[u8], eof: bool) -> Outcome {
    run_pieces(config, &[input], eof)
}

/// Frames `input` given in `pieces` (concatenated, they are the input).
pub(crate) fn run_pieces(config: &Config, pieces: &[&[u8]], eof: bool) -> Outcome {
    let mut driver = Driver::new(config.clone());
    for piece in pieces {
        driver.feed(piece);
    }
    driver.finish(eof)
}

/// Checks that feeding `input` split in two at every offset, and one byte at
/// a time, gives `expected`. Returns a description of the first difference.
pub(crate) fn check_split_invariance(
    config: &Config,
    input: &[u8],
    eof: bool,
    expected: &Outcome,
) -> Result<(), String> {
    for at in 0..=input.len() {
        let (a, b) = input.split_at(at);
        let got = run_pieces(config, &[a, b], eof);
        if &got != expected {
            return Err(format!(
                "split at {at}: {got:?}\n  whole input: {expected:?}"
            ));
        }
    }
    let bytes: Vec<&[u8]> = input.chunks(1).collect();
    let got = run_pieces(config, &bytes, eof);
    if &got != expected {
        return Err(format!(
            "one byte at a time: {got:?}\n  whole input: {expected:?}"
        ));
    }
    Ok(())
}

/// Shows bytes as an escaped string, for failure messages.
pub(crate) fn show(bytes: &[u8]) -> String {
    bytes.escape_ascii().to_string()
}
