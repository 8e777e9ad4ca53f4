//! The client side of an HTTP/1.1 connection, as a pure state machine.

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::time::Duration;
use std::time::Instant;

use bytes::{Buf, Bytes, BytesMut};

use super::body::{BodyChunk, BodyDecoder, write_chunk_header};
use super::chars::trim_ows;
use super::error::{Error, ErrorKind, WriteError};
use super::framing::Framing;
use super::head::{HeadKind, HeadParser, Version};
use super::outbuf::OutQueue;
use super::owned::{ResponseHead, Trailers};
use super::write::{BodyLength, write_last_chunk, write_request_head};
use super::{Limits, ParseOptions};

/// Settings of a [`ClientConnection`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ClientConfig {
    /// Size limits for responses.
    pub limits: Limits,
    /// Parsing leniencies for responses.
    pub options: ParseOptions,
    /// How long to wait for `100 Continue` before sending the body of a
    /// request with `Expect: 100-continue`. Default 1 s, as curl.
    pub expect_continue_timeout: Duration,
    /// Time allowed for a response head to arrive once its request was
    /// sent; `None` (the default) waits for ever.
    pub response_timeout: Option<Duration>,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            limits: Limits::default(),
            options: ParseOptions::default(),
            expect_continue_timeout: Duration::from_secs(1),
            response_timeout: None,
        }
    }
}

/// Identifies a request sent on a [`ClientConnection`]: responses come back
/// in the order requests were sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(pub u64);

/// What a [`ClientConnection`] reports.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ClientEvent {
    /// Send the body of this `Expect: 100-continue` request now: the server
    /// answered 100, or the wait timed out. Body data given before this
    /// event was held and has now been queued.
    Continue(RequestId),
    /// An interim response other than 100 and 101 (such as 103 Early Hints).
    Informational(RequestId, ResponseHead),
    /// The final response head. Its body follows as `Data`, then
    /// `EndOfResponse`.
    Response(RequestId, ResponseHead),
    /// A piece of the response body, in order.
    Data(RequestId, Bytes),
    /// The response is complete, with trailer fields if any.
    EndOfResponse(RequestId, Option<Trailers>),
    /// The connection switched protocols (101, or a 2xx to CONNECT): it is
    /// the caller's now. These bytes followed the response head.
    Upgraded(RequestId, Bytes),
    /// The connection closed before this request got a response; it was
    /// sent (perhaps partly) and may be retried if it is idempotent.
    Aborted(RequestId),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    None,
    Waiting(Instant),
    Released,
    Refused,
}

#[derive(Debug)]
struct InFlight {
    id: RequestId,
    head_method: bool,
    connect: bool,
    upgrade: bool,
    close: bool,
    sent_at: Instant,
    expect: Expect,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoder {
    Length(u64),
    Chunked,
}

#[derive(Debug)]
enum Writer {
    Idle,
    Body {
        id: RequestId,
        encoder: Encoder,
        held: Vec<Bytes>,
        finish_held: Option<Vec<u8>>,
    },
}

#[derive(Debug)]
enum Reader {
    Head,
    Body {
        id: RequestId,
        decoder: BodyDecoder,
        keep_alive: bool,
    },
    Upgraded,
    Closed,
}

/// The client side of one HTTP/1.1 connection: a pure state machine.
///
/// # Driving it
///
/// Send requests with [`send_request`](Self::send_request) (then
/// [`send_data`](Self::send_data) and [`finish_request`](Self::finish_request)
/// for a body); feed received bytes with [`handle_input`](Self::handle_input)
/// and the end of the stream with [`handle_eof`](Self::handle_eof). After each
/// call, in order: send every [`poll_transmit`](Self::poll_transmit) buffer,
/// handle every [`poll_event`](Self::poll_event), arm a timer for
/// [`poll_timeout`](Self::poll_timeout) and call
/// [`handle_timeout`](Self::handle_timeout) when it fires; close the
/// transport once [`should_close`](Self::should_close) is true.
///
/// Requests may be pipelined (sent before earlier responses arrive);
/// responses are matched to them in order. [`is_reusable`](Self::is_reusable)
/// says whether another request may be sent.
///
/// ```
/// use std::time::Instant;
/// use http_codec::h1::{BodyLength, ClientConfig, ClientConnection, ClientEvent};
///
/// let now = Instant::now();
/// let mut conn = ClientConnection::new(ClientConfig::default(), now);
/// let id = conn.send_request(now, "GET", "/", &[("host", "example.com")], BodyLength::Empty).unwrap();
/// assert_eq!(&conn.poll_transmit().unwrap()[..], b"GET / HTTP/1.1\r\nhost: example.com\r\n\r\n");
///
/// conn.handle_input(now, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")?;
/// assert!(matches!(conn.poll_event(), Some(ClientEvent::Response(i, r)) if i == id && r.status() == 200));
/// assert!(matches!(conn.poll_event(), Some(ClientEvent::Data(_, d)) if &d[..] == b"hi"));
/// assert!(matches!(conn.poll_event(), Some(ClientEvent::EndOfResponse(_, None))));
/// assert!(conn.is_reusable());
/// # Ok::<(), http_codec::h1::Error>(())
/// ```
#[derive(Debug)]
pub struct ClientConnection {
    config: ClientConfig,
    parser: HeadParser,
    rbuf: BytesMut,
    reader: Reader,
    writer: Writer,
    in_flight: VecDeque<InFlight>,
    events: VecDeque<ClientEvent>,
    out: OutQueue,
    scratch: Vec<u8>,
    next_id: u64,
    closing: bool,
    error: Option<Error>,
    consumed: u64,
}

impl ClientConnection {
    /// A new connection, opened at `now`.
    pub fn new(config: ClientConfig, now: Instant) -> Self {
        let _ = now;
        let parser = HeadParser::new(HeadKind::Response, config.options, &config.limits);
        ClientConnection {
            config,
            parser,
            rbuf: BytesMut::new(),
            reader: Reader::Head,
            writer: Writer::Idle,
            in_flight: VecDeque::new(),
            events: VecDeque::new(),
            out: OutQueue::default(),
            scratch: Vec::new(),
            next_id: 0,
            closing: false,
            error: None,
            consumed: 0,
        }
    }

    /// True when another request may be sent now: the connection is open,
    /// persistent so far, and the previous request was fully written.
    ///
    /// It is false while a request in flight ends the connection (it said
    /// `Connection: close`, asked to upgrade, or is a CONNECT) and while a
    /// response that closes the connection is being read.
    pub fn is_reusable(&self) -> bool {
        let reader_persistent = match &self.reader {
            Reader::Head => true,
            Reader::Body { keep_alive, .. } => *keep_alive,
            Reader::Upgraded | Reader::Closed => false,
        };
        !self.closing
            && matches!(self.writer, Writer::Idle)
            && reader_persistent
            && !self
                .in_flight
                .iter()
                .any(|f| f.close || f.upgrade || f.connect)
    }

    /// True when no request is waiting for (the rest of) its response.
    pub fn is_idle(&self) -> bool {
        self.in_flight.is_empty() && matches!(self.writer, Writer::Idle)
    }

    /// The error that closed the connection, if one did.
    pub fn error(&self) -> Option<&Error> {
        self.error.as_ref()
    }

    /// True once the transport should be closed (everything queued was taken).
    pub fn should_close(&self) -> bool {
        self.closing && self.out.is_empty()
    }

    /// The next bytes to send, in order.
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        self.out.pop()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<ClientEvent> {
        self.events.pop_front()
    }

    /// Sends a request head. `body` says what follows: `Empty` for none
    /// (no framing header), `Known(n)` for exactly n bytes, `Chunked`.
    /// Do not put Content-Length or Transfer-Encoding in `headers`; do put
    /// `Host`. With `Expect: 100-continue` in `headers`, body data is held
    /// until [`ClientEvent::Continue`].
    pub fn send_request<N, V>(
        &mut self,
        now: Instant,
        method: &str,
        target: &str,
        headers: &[(N, V)],
        body: BodyLength,
    ) -> Result<RequestId, WriteError>
    where
        N: AsRef<[u8]>,
        V: AsRef<[u8]>,
    {
        if !self.is_reusable() {
            return Err(WriteError::InvalidState);
        }
        let fields = || headers.iter().map(|(n, v)| (n.as_ref(), v.as_ref()));
        let mut expect = false;
        let mut close = false;
        let mut upgrade = false;
        let mut has_upgrade_header = false;
        for (n, v) in fields() {
            if n.eq_ignore_ascii_case(b"expect") {
                expect |= trim_ows(v).eq_ignore_ascii_case(b"100-continue");
            } else if n.eq_ignore_ascii_case(b"connection") {
                for t in v.split(|&c| c == b',') {
                    close |= trim_ows(t).eq_ignore_ascii_case(b"close");
                    upgrade |= trim_ows(t).eq_ignore_ascii_case(b"upgrade");
                }
            } else if n.eq_ignore_ascii_case(b"upgrade") {
                has_upgrade_header = true;
            }
        }
        self.scratch.clear();
        write_request_head(
            &mut self.scratch,
            method,
            target,
            Version::Http11,
            fields(),
            Some(body),
        )?;
        self.out.extend(&self.scratch);
        let id = RequestId(self.next_id);
        self.next_id += 1;
        let has_body = matches!(body, BodyLength::Known(n) if n > 0) || body == BodyLength::Chunked;
        let expect = if expect && has_body {
            Expect::Waiting(now + self.config.expect_continue_timeout)
        } else {
            Expect::None
        };
        self.in_flight.push_back(InFlight {
            id,
            head_method: method == "HEAD",
            connect: method == "CONNECT",
            upgrade: upgrade && has_upgrade_header,
            close,
            sent_at: now,
            expect,
        });
        if has_body {
            let encoder = match body {
                BodyLength::Known(n) => Encoder::Length(n),
                _ => Encoder::Chunked,
            };
            self.writer = Writer::Body {
                id,
                encoder,
                held: Vec::new(),
                finish_held: None,
            };
        }
        Ok(id)
    }

    fn expect_of(&self, id: RequestId) -> Expect {
        self.in_flight
            .iter()
            .find(|f| f.id == id)
            .map_or(Expect::None, |f| f.expect)
    }

    /// Sends a piece of the current request's body.
    pub fn send_data(&mut self, data: Bytes) -> Result<(), WriteError> {
        let Writer::Body { id, .. } = &self.writer else {
            return Err(WriteError::InvalidState);
        };
        let expect = self.expect_of(*id);
        let Writer::Body { encoder, held, .. } = &mut self.writer else {
            return Err(WriteError::InvalidState);
        };
        if let Encoder::Length(rem) = encoder {
            if data.len() as u64 > *rem {
                return Err(WriteError::BodyLengthMismatch);
            }
            *rem -= data.len() as u64;
        }
        match expect {
            Expect::Waiting(_) => held.push(data),
            Expect::Refused => {}
            Expect::None | Expect::Released => {
                Self::encode(&mut self.out, &mut self.scratch, *encoder, data)
            }
        }
        Ok(())
    }

    fn encode(out: &mut OutQueue, scratch: &mut Vec<u8>, encoder: Encoder, data: Bytes) {
        if data.is_empty() {
            return;
        }
        if encoder == Encoder::Chunked {
            scratch.clear();
            write_chunk_header(data.len(), scratch);
            out.extend(scratch);
            out.push(data);
            out.extend(b"\r\n");
        } else {
            out.push(data);
        }
    }

    /// Ends the current request's body, with trailer fields for a chunked body.
    pub fn finish_request<N, V>(&mut self, trailers: &[(N, V)]) -> Result<(), WriteError>
    where
        N: AsRef<[u8]>,
        V: AsRef<[u8]>,
    {
        let Writer::Body { id, encoder, .. } = &self.writer else {
            return Err(WriteError::InvalidState);
        };
        let (id, encoder) = (*id, *encoder);
        let mut tail = Vec::new();
        match encoder {
            Encoder::Length(rem) if rem != 0 => return Err(WriteError::BodyLengthMismatch),
            Encoder::Length(_) if !trailers.is_empty() => return Err(WriteError::BodyNotAllowed),
            Encoder::Length(_) => {}
            Encoder::Chunked => write_last_chunk(
                &mut tail,
                trailers.iter().map(|(n, v)| (n.as_ref(), v.as_ref())),
            )?,
        }
        match self.expect_of(id) {
            Expect::Waiting(_) => {
                if let Writer::Body { finish_held, .. } = &mut self.writer {
                    *finish_held = Some(tail);
                }
            }
            Expect::Refused => self.writer = Writer::Idle,
            Expect::None | Expect::Released => {
                self.out.extend(&tail);
                self.writer = Writer::Idle;
            }
        }
        Ok(())
    }

    /// Releases held body data of `id` (100 received or the wait is over).
    fn release(&mut self, id: RequestId) {
        if let Some(f) = self.in_flight.iter_mut().find(|f| f.id == id) {
            if !matches!(f.expect, Expect::Waiting(_)) {
                return;
            }
            f.expect = Expect::Released;
        }
        self.events.push_back(ClientEvent::Continue(id));
        if let Writer::Body {
            id: wid,
            encoder,
            held,
            finish_held,
        } = &mut self.writer
            && *wid == id
        {
            for data in held.drain(..) {
                Self::encode(&mut self.out, &mut self.scratch, *encoder, data);
            }
            if let Some(tail) = finish_held.take() {
                self.out.extend(&tail);
                self.writer = Writer::Idle;
            }
        }
    }

    /// Bytes received from the server.
    pub fn handle_input(&mut self, now: Instant, data: &[u8]) -> Result<(), Error> {
        let _ = now;
        match self.reader {
            Reader::Upgraded | Reader::Closed => return Ok(()),
            _ => {}
        }
        self.rbuf.extend_from_slice(data);
        self.process()
    }

    /// The server closed its sending side: ends a close-delimited body, or
    /// fails an unfinished message. Requests still waiting are `Aborted`.
    pub fn handle_eof(&mut self, now: Instant) -> Result<(), Error> {
        let _ = now;
        let result = match &mut self.reader {
            Reader::Body { id, decoder, .. } => {
                let id = *id;
                match decoder.finish() {
                    Ok(()) => {
                        self.events.push_back(ClientEvent::EndOfResponse(id, None));
                        self.in_flight.pop_front();
                        Ok(())
                    }
                    Err(e) => Err(Error::new(e.kind(), self.consumed)),
                }
            }
            Reader::Head if !self.rbuf.is_empty() => Err(Error::new(
                ErrorKind::UnexpectedEof,
                self.consumed + self.rbuf.len() as u64,
            )),
            _ => Ok(()),
        };
        if !matches!(self.reader, Reader::Upgraded) {
            self.close();
        }
        if let Err(e) = result {
            self.error = Some(e);
        }
        result
    }

    /// The next deadline, if a timer is running.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.closing {
            return None;
        }
        let expect = self.in_flight.iter().find_map(|f| match f.expect {
            Expect::Waiting(t) => Some(t),
            _ => None,
        });
        let response = match (
            &self.reader,
            self.config.response_timeout,
            self.in_flight.front(),
        ) {
            (Reader::Head, Some(d), Some(f)) => Some(f.sent_at + d),
            _ => None,
        };
        match (expect, response) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// A timer fired (early calls do nothing). Returns `Timeout` when a
    /// response did not arrive in time; the connection then closes.
    pub fn handle_timeout(&mut self, now: Instant) -> Result<(), Error> {
        let due: Vec<RequestId> = self
            .in_flight
            .iter()
            .filter(|f| matches!(f.expect, Expect::Waiting(t) if t <= now))
            .map(|f| f.id)
            .collect();
        for id in due {
            self.release(id);
        }
        if let (Reader::Head, Some(d), Some(f)) = (
            &self.reader,
            self.config.response_timeout,
            self.in_flight.front(),
        ) && !self.closing
            && f.sent_at + d <= now
        {
            let e = Error::new(ErrorKind::Timeout, self.consumed + self.rbuf.len() as u64);
            return self.fail(e);
        }
        Ok(())
    }

    fn close(&mut self) {
        self.closing = true;
        self.reader = Reader::Closed;
        self.writer = Writer::Idle;
        self.rbuf.clear();
        for f in self.in_flight.drain(..) {
            self.events.push_back(ClientEvent::Aborted(f.id));
        }
    }

    fn fail(&mut self, e: Error) -> Result<(), Error> {
        self.error = Some(e);
        self.close();
        Err(e)
    }

    fn process(&mut self) -> Result<(), Error> {
        loop {
            match &mut self.reader {
                Reader::Head => {
                    if self.rbuf.is_empty() {
                        return Ok(());
                    }
                    if self.in_flight.is_empty() {
                        let e = Error::new(ErrorKind::UnexpectedResponse, self.consumed);
                        return self.fail(e);
                    }
                    let n = match self.parser.parse(&self.rbuf) {
                        Ok(Some(n)) => n,
                        Ok(None) => return Ok(()),
                        Err(e) => {
                            let e = e.shifted(self.consumed);
                            return self.fail(e);
                        }
                    };
                    self.response_head(n)?;
                }
                Reader::Body {
                    id,
                    decoder,
                    keep_alive,
                } => {
                    if self.rbuf.is_empty() && !decoder.is_done() {
                        return Ok(());
                    }
                    let (id, keep_alive) = (*id, *keep_alive);
                    let (used, chunk) = match decoder.decode(&self.rbuf) {
                        Ok(r) => r,
                        Err(e) => {
                            let e = Error::new(e.kind(), self.consumed);
                            return self.fail(e);
                        }
                    };
                    match chunk {
                        BodyChunk::Data(d) => {
                            let off = d.as_ptr() as usize - self.rbuf.as_ptr() as usize;
                            let len = d.len();
                            let taken = self.rbuf.split_to(used).freeze();
                            self.consumed += used as u64;
                            self.events
                                .push_back(ClientEvent::Data(id, taken.slice(off..off + len)));
                        }
                        BodyChunk::End => {
                            let trailers = decoder.trailers().and_then(Trailers::from_headers);
                            self.rbuf.advance(used);
                            self.consumed += used as u64;
                            self.events
                                .push_back(ClientEvent::EndOfResponse(id, trailers));
                            self.end_response(keep_alive);
                        }
                        BodyChunk::NeedMore => {
                            self.rbuf.advance(used);
                            self.consumed += used as u64;
                            return Ok(());
                        }
                    }
                }
                Reader::Upgraded | Reader::Closed => return Ok(()),
            }
        }
    }

    fn response_head(&mut self, n: usize) -> Result<(), Error> {
        let head = self.rbuf.split_to(n).freeze();
        let base = self.consumed;
        self.consumed += n as u64;
        let front = self.in_flight.front().expect("checked non-empty");
        let method = if front.head_method {
            "HEAD"
        } else if front.connect {
            "CONNECT"
        } else {
            "GET"
        };
        let framing = match Framing::of_response(
            &self.parser.response(&head),
            method,
            &self.config.options,
        ) {
            Ok(f) => f,
            Err(e) => return self.fail(e.shifted(base)),
        };
        let response = ResponseHead::new(head, &self.parser, framing);
        self.parser.reset();
        let id = front.id;
        let status = response.status();
        if (100..200).contains(&status) {
            match status {
                100 => self.release(id),
                101 if front.upgrade => {
                    self.events.push_back(ClientEvent::Response(id, response));
                    self.upgrade(id);
                }
                101 => return self.fail(Error::new(ErrorKind::UnexpectedResponse, base)),
                _ => self
                    .events
                    .push_back(ClientEvent::Informational(id, response)),
            }
            return Ok(());
        }
        let mut must_close = false;
        if let Some(f) = self.in_flight.front_mut()
            && matches!(f.expect, Expect::Waiting(_))
        {
            // A final answer before 100: the body is not sent, so the
            // connection cannot be reused (the server may still expect it).
            f.expect = Expect::Refused;
            must_close = true;
            if matches!(&self.writer, Writer::Body { id: w, .. } if *w == id) {
                self.writer = Writer::Idle;
            }
        }
        if matches!(&self.writer, Writer::Body { id: w, .. } if *w == id) {
            // The request body is still being written: the server answered
            // early, so the rest of the body ends the connection's reuse.
            must_close = true;
        }
        let front = self.in_flight.front().expect("checked non-empty");
        let keep_alive = framing.keep_alive && !front.close && !must_close;
        if front.connect && (200..300).contains(&status) {
            self.events.push_back(ClientEvent::Response(id, response));
            self.upgrade(id);
            return Ok(());
        }
        let decoder = match BodyDecoder::new(framing.body, self.config.options, &self.config.limits)
        {
            Ok(d) => d,
            Err(e) => return self.fail(e.shifted(base)),
        };
        self.events.push_back(ClientEvent::Response(id, response));
        if decoder.is_done() {
            self.events.push_back(ClientEvent::EndOfResponse(id, None));
            self.end_response(keep_alive);
        } else {
            self.reader = Reader::Body {
                id,
                decoder,
                keep_alive,
            };
        }
        Ok(())
    }

    fn upgrade(&mut self, id: RequestId) {
        self.in_flight.pop_front();
        let rest = self.rbuf.split().freeze();
        self.events.push_back(ClientEvent::Upgraded(id, rest));
        self.reader = Reader::Upgraded;
        for f in self.in_flight.drain(..) {
            self.events.push_back(ClientEvent::Aborted(f.id));
        }
    }

    fn end_response(&mut self, keep_alive: bool) {
        self.in_flight.pop_front();
        if keep_alive {
            self.reader = Reader::Head;
        } else {
            self.close();
        }
    }
}
