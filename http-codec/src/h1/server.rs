//! The server side of an HTTP/1.1 connection, as a pure state machine.

use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::time::Duration;
use std::time::Instant;

use bytes::{Buf, Bytes, BytesMut};

use super::body::{BodyChunk, BodyDecoder, write_chunk_header};
use super::error::{Error, ErrorKind, WriteError};
use super::framing::Framing;
use super::head::{HeadKind, HeadParser, Version};
use super::outbuf::OutQueue;
use super::owned::{RequestHead, Trailers};
use super::write::{BodyLength, write_last_chunk, write_response_head};
use super::{Limits, ParseOptions};

/// Settings of a [`ServerConnection`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServerConfig {
    /// Size limits.
    pub limits: Limits,
    /// Parsing leniencies.
    pub options: ParseOptions,
    /// Time allowed from the first byte of a request head to its end (408
    /// after it). Default 30 s, as hyper.
    pub header_read_timeout: Option<Duration>,
    /// How long an idle persistent connection is kept, counted from the
    /// first call carrying `now` after the previous response ended (call
    /// `handle_timeout(now)` when a response is written out; a spurious call
    /// only updates the clock).
    /// Default 75 s, as nginx.
    pub keep_alive_timeout: Option<Duration>,
    /// Longest pause between two reads of a request body (408 after it).
    /// Default 60 s, as nginx's `client_body_timeout`.
    pub body_read_timeout: Option<Duration>,
    /// On a protocol error, queue a minimal error response (the status from
    /// [`Error::status`], `connection: close`) before closing. Default on.
    pub error_responses: bool,
    /// Reject (400) HTTP/1.1 requests without exactly one Host field, and
    /// any request with a repeated or malformed Host, as RFC 9112 §3.2
    /// requires. Default on.
    pub require_host: bool,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            limits: Limits::default(),
            options: ParseOptions::default(),
            header_read_timeout: Some(Duration::from_secs(30)),
            keep_alive_timeout: Some(Duration::from_secs(75)),
            body_read_timeout: Some(Duration::from_secs(60)),
            error_responses: true,
            require_host: true,
        }
    }
}

/// What a [`ServerConnection`] reports.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum ServerEvent {
    /// A request head. Its body (if any) follows as `Data` events, then
    /// `EndOfRequest`. Answer it with [`ServerConnection::send_response`].
    Request(RequestHead),
    /// A piece of the request body (framing removed), in order.
    Data(Bytes),
    /// The request body is complete, with its trailer fields, if any.
    EndOfRequest(Option<Trailers>),
    /// The connection switched protocols (a 101 response, or a 2xx to
    /// CONNECT, was sent): from here on it is the caller's. These are the
    /// bytes received after the request, which belong to the new protocol.
    Upgraded(Bytes),
}

#[derive(Debug)]
enum Reader {
    Head,
    Body(BodyDecoder),
    /// The request was read; waiting for the response to finish.
    Done,
    Upgraded,
    Closed,
}

#[derive(Debug, Clone, Copy)]
struct Pending {
    version: Version,
    head_method: bool,
    keep_alive: bool,
    upgrade: bool,
    connect: bool,
    expect_continue: bool,
    continue_sent: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoder {
    None,
    Length(u64),
    Chunked,
    UntilClose,
}

#[derive(Debug, Clone, Copy)]
enum Writer {
    /// No request is waiting for an answer.
    Idle,
    /// A request is waiting for its (final) response head.
    Awaiting(Pending),
    /// The response body is being sent.
    Body {
        encoder: Encoder,
        keep_alive: bool,
        switching: bool,
        /// A chunked body sent close-delimited to an HTTP/1.0 client: it
        /// cannot carry the trailers the application may still give.
        drop_trailers: bool,
    },
    Done,
}

/// The server side of one HTTP/1.1 connection: a pure state machine.
///
/// # Driving it
///
/// Feed received bytes with [`handle_input`](Self::handle_input) (and the
/// end of the stream with [`handle_eof`](Self::handle_eof)). After that call,
/// and after each command ([`send_response`](Self::send_response),
/// [`send_data`](Self::send_data), [`finish_response`](Self::finish_response),
/// [`send_continue`](Self::send_continue)), do this in order:
///
/// 1. send every buffer [`poll_transmit`](Self::poll_transmit) returns;
/// 2. handle every [`poll_event`](Self::poll_event);
/// 3. arm a timer for [`poll_timeout`](Self::poll_timeout) and call
///    [`handle_timeout`](Self::handle_timeout) when it fires;
/// 4. close the transport once [`should_close`](Self::should_close) is true.
///
/// Read input only while [`wants_input`](Self::wants_input) is true, so
/// pipelined requests cannot make the buffer grow without bound.
///
/// Requests are handled one at a time, in order: the next pipelined request
/// is parsed once the response to the previous one is finished. A protocol
/// error is returned from the call that found it; the connection then queues
/// an error response (see [`ServerConfig::error_responses`]) and closes.
///
/// ```
/// use std::time::Instant;
/// use bytes::Bytes;
/// use http_codec::h1::{BodyLength, ServerConfig, ServerConnection, ServerEvent};
///
/// let now = Instant::now();
/// let mut conn = ServerConnection::new(ServerConfig::default(), now);
/// conn.handle_input(now, b"GET /hello HTTP/1.1\r\nHost: example\r\n\r\n")?;
/// while let Some(event) = conn.poll_event() {
///     if let ServerEvent::Request(req) = event {
///         assert_eq!(req.target(), "/hello");
///         conn.send_response(200, None, &[("content-type", "text/plain")], BodyLength::Known(2))
///             .unwrap();
///         conn.send_data(Bytes::from_static(b"hi")).unwrap();
///         conn.finish_response(&[] as &[(&str, &str)]).unwrap();
///     }
/// }
/// let mut sent = Vec::new();
/// while let Some(b) = conn.poll_transmit() {
///     sent.extend_from_slice(&b);
/// }
/// assert_eq!(sent, b"HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 2\r\n\r\nhi");
/// assert!(!conn.should_close()); // persistent: ready for the next request
/// # Ok::<(), http_codec::h1::Error>(())
/// ```
#[derive(Debug)]
pub struct ServerConnection {
    config: ServerConfig,
    parser: HeadParser,
    rbuf: BytesMut,
    reader: Reader,
    writer: Writer,
    events: VecDeque<ServerEvent>,
    out: OutQueue,
    scratch: Vec<u8>,
    closing: bool,
    peer_closed: bool,
    error: Option<Error>,
    last_now: Instant,
    head_started: Option<Instant>,
    idle_since: Instant,
    body_activity: Instant,
    /// Stream offset of `rbuf[0]`, for error offsets.
    consumed: u64,
    /// A response ended since the last call carrying `now`.
    clock_pending: bool,
}

impl ServerConnection {
    /// A new connection, accepted at `now`.
    pub fn new(config: ServerConfig, now: Instant) -> Self {
        let parser = HeadParser::new(HeadKind::Request, config.options, &config.limits);
        ServerConnection {
            config,
            parser,
            rbuf: BytesMut::new(),
            reader: Reader::Head,
            writer: Writer::Idle,
            events: VecDeque::new(),
            out: OutQueue::default(),
            scratch: Vec::new(),
            closing: false,
            peer_closed: false,
            error: None,
            last_now: now,
            head_started: None,
            idle_since: now,
            body_activity: now,
            consumed: 0,
            clock_pending: false,
        }
    }

    /// Records `now`; after a response ended, restarts the clocks that
    /// count from it (idle keep-alive, a pipelined head or body).
    fn tick(&mut self, now: Instant) {
        self.last_now = now;
        if self.clock_pending {
            self.clock_pending = false;
            self.idle_since = now;
            if self.head_started.is_some() {
                self.head_started = Some(now);
            }
            self.body_activity = now;
        }
    }

    /// The error that closed the connection, if one did.
    pub fn error(&self) -> Option<&Error> {
        self.error.as_ref()
    }

    /// True while the connection can take more input without buffering
    /// more than a head's worth of pipelined requests.
    pub fn wants_input(&self) -> bool {
        match self.reader {
            Reader::Head | Reader::Body(_) => !self.closing,
            Reader::Done => !self.closing && self.rbuf.len() < self.config.limits.max_head_size,
            Reader::Upgraded | Reader::Closed => false,
        }
    }

    /// True once the transport should be closed: the connection is done
    /// and everything queued was taken by [`poll_transmit`](Self::poll_transmit).
    pub fn should_close(&self) -> bool {
        self.closing && self.out.is_empty()
    }

    /// Bytes received from the peer.
    pub fn handle_input(&mut self, now: Instant, data: &[u8]) -> Result<(), Error> {
        self.tick(now);
        match self.reader {
            Reader::Closed | Reader::Upgraded => return Ok(()),
            // Input while `wants_input()` said no: the caller ignored backpressure.
            Reader::Done if self.rbuf.len() >= self.config.limits.max_head_size.max(4096) => {
                let at = self.consumed + self.rbuf.len() as u64;
                return self.fail(Error::new(ErrorKind::BufferFull, at));
            }
            _ => {}
        }
        if self.closing {
            // The connection is closing after the current response: more
            // requests will not be answered.
            return Ok(());
        }
        self.rbuf.extend_from_slice(data);
        self.process(now)
    }

    /// The peer closed its sending side.
    pub fn handle_eof(&mut self, now: Instant) -> Result<(), Error> {
        self.tick(now);
        self.peer_closed = true;
        match &mut self.reader {
            Reader::Head => {
                if !self.rbuf.is_empty() {
                    let at = self.consumed + self.rbuf.len() as u64;
                    return self.fail(Error::new(ErrorKind::UnexpectedEof, at));
                }
                if matches!(self.writer, Writer::Idle) {
                    self.reader = Reader::Closed;
                    self.closing = true;
                }
            }
            Reader::Body(decoder) => {
                if let Err(e) = decoder.finish() {
                    let at = self.consumed + self.rbuf.len() as u64;
                    return self.fail(Error::new(e.kind(), at));
                }
            }
            Reader::Done | Reader::Upgraded | Reader::Closed => {}
        }
        Ok(())
    }

    /// The next deadline, if a timer is running.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.closing {
            return None;
        }
        match self.reader {
            Reader::Head if matches!(self.writer, Writer::Idle) => match self.head_started {
                Some(t) => self.config.header_read_timeout.map(|d| t + d),
                None => self.config.keep_alive_timeout.map(|d| self.idle_since + d),
            },
            Reader::Body(_) => self
                .config
                .body_read_timeout
                .map(|d| self.body_activity + d),
            _ => None,
        }
    }

    /// A timer fired (a call before the deadline does nothing). Returns the
    /// `Timeout` error when a request was cut short (a 408 is queued); an
    /// idle connection just closes.
    pub fn handle_timeout(&mut self, now: Instant) -> Result<(), Error> {
        self.tick(now);
        let Some(deadline) = self.poll_timeout() else {
            return Ok(());
        };
        if now < deadline {
            return Ok(());
        }
        let at = self.consumed + self.rbuf.len() as u64;
        match self.reader {
            Reader::Head if self.head_started.is_none() => {
                self.reader = Reader::Closed;
                self.closing = true;
                Ok(())
            }
            _ => self.fail(Error::new(ErrorKind::Timeout, at)),
        }
    }

    /// The next bytes to send, in order.
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        self.out.pop()
    }

    /// Bytes queued for sending.
    pub fn pending_transmit(&self) -> usize {
        self.out.len()
    }

    /// The next event.
    pub fn poll_event(&mut self) -> Option<ServerEvent> {
        self.events.pop_front()
    }

    fn fail(&mut self, e: Error) -> Result<(), Error> {
        // BufferFull is the caller's misuse, not the request's fault: the
        // request being answered stays unanswered rather than getting a 400.
        if self.config.error_responses
            && e.kind() != ErrorKind::BufferFull
            && matches!(self.writer, Writer::Idle | Writer::Awaiting(_))
        {
            let status = e.status();
            self.scratch.clear();
            // The status and the fixed headers are always valid.
            let _ = write_response_head(
                &mut self.scratch,
                Version::Http11,
                status,
                None,
                [("connection", "close")],
                Some(BodyLength::Known(0)),
            );
            self.out.extend(&self.scratch);
        }
        self.reader = Reader::Closed;
        self.writer = Writer::Done;
        self.closing = true;
        self.error = Some(e);
        self.rbuf.clear();
        Err(e)
    }

    fn process(&mut self, now: Instant) -> Result<(), Error> {
        loop {
            match &mut self.reader {
                Reader::Head => {
                    if !matches!(self.writer, Writer::Idle) || self.rbuf.is_empty() {
                        return Ok(());
                    }
                    if self.head_started.is_none() {
                        self.head_started = Some(now);
                    }
                    let n = match self.parser.parse(&self.rbuf) {
                        Ok(Some(n)) => n,
                        Ok(None) => return Ok(()),
                        Err(e) => return self.fail(e.shifted(self.consumed)),
                    };
                    self.start_request(now, n)?;
                }
                Reader::Body(decoder) => {
                    if self.rbuf.is_empty() && !decoder.is_done() {
                        return Ok(());
                    }
                    self.body_activity = now;
                    let (used, chunk) = match decoder.decode(&self.rbuf) {
                        Ok(r) => r,
                        Err(e) => {
                            let at = self.consumed;
                            return self.fail(Error::new(e.kind(), at));
                        }
                    };
                    match chunk {
                        BodyChunk::Data(d) => {
                            let off = d.as_ptr() as usize - self.rbuf.as_ptr() as usize;
                            let len = d.len();
                            let taken = self.rbuf.split_to(used).freeze();
                            self.consumed += used as u64;
                            self.events
                                .push_back(ServerEvent::Data(taken.slice(off..off + len)));
                        }
                        BodyChunk::End => {
                            let trailers = decoder.trailers().and_then(Trailers::from_headers);
                            self.rbuf.advance(used);
                            self.consumed += used as u64;
                            self.events.push_back(ServerEvent::EndOfRequest(trailers));
                            self.reader = Reader::Done;
                        }
                        BodyChunk::NeedMore => {
                            self.rbuf.advance(used);
                            self.consumed += used as u64;
                            return Ok(());
                        }
                    }
                }
                Reader::Done | Reader::Upgraded | Reader::Closed => return Ok(()),
            }
        }
    }

    fn start_request(&mut self, now: Instant, n: usize) -> Result<(), Error> {
        let head = self.rbuf.split_to(n).freeze();
        let base = self.consumed;
        self.consumed += n as u64;
        let framing = match Framing::of_request(&self.parser.request(&head), &self.config.options) {
            Ok(f) => f,
            Err(e) => return self.fail(e.shifted(base)),
        };
        if self.config.require_host && !host_ok(&self.parser.request(&head)) {
            return self.fail(Error::new(ErrorKind::InvalidHost, base));
        }
        if framing.other_transfer_codings {
            return self.fail(Error::new(ErrorKind::UnsupportedTransferCoding, base));
        }
        let decoder = match BodyDecoder::new(framing.body, self.config.options, &self.config.limits)
        {
            Ok(d) => d,
            Err(e) => return self.fail(e.shifted(base)),
        };
        let request = RequestHead::new(head, &self.parser, framing);
        self.parser.reset();
        self.head_started = None;
        self.body_activity = now;
        let connect = request.method() == "CONNECT";
        self.writer = Writer::Awaiting(Pending {
            version: request.version(),
            head_method: request.method() == "HEAD",
            keep_alive: framing.keep_alive,
            upgrade: framing.upgrade && !connect,
            connect,
            expect_continue: framing.expect_continue,
            continue_sent: false,
        });
        self.events.push_back(ServerEvent::Request(request));
        if decoder.is_done() {
            self.events.push_back(ServerEvent::EndOfRequest(None));
            self.reader = Reader::Done;
        } else {
            self.reader = Reader::Body(decoder);
        }
        Ok(())
    }

    /// Sends `100 Continue` to a request that asked for it with `Expect:
    /// 100-continue` and whose body has not been read; otherwise does
    /// nothing. Call it when you decide to read the body.
    pub fn send_continue(&mut self) {
        if let Writer::Awaiting(p) = &mut self.writer
            && p.expect_continue
            && !p.continue_sent
            && matches!(self.reader, Reader::Body(_))
        {
            p.continue_sent = true;
            self.out.extend(b"HTTP/1.1 100 Continue\r\n\r\n");
        }
    }

    /// True when the current request asked for `100 Continue` and neither it
    /// nor a final response has been sent.
    pub fn expects_continue(&self) -> bool {
        matches!(self.writer, Writer::Awaiting(p) if p.expect_continue && !p.continue_sent)
            && matches!(self.reader, Reader::Body(_))
    }

    /// Sends a response head for the current request.
    ///
    /// `status` 100–199 (except 101) sends an interim response; the final
    /// response follows with another call. `reason` = `None` writes the
    /// standard phrase. The connection writes the framing header for `body`
    /// (do not put Content-Length or Transfer-Encoding in `headers`) and a
    /// `connection` header when it must close or keep an HTTP/1.0 client
    /// alive. A response to HEAD, a 204 and a 304 carry no body (a
    /// `BodyLength::Known` for HEAD or 304 is written as the Content-Length
    /// of the representation). Chunked bodies go to HTTP/1.0 clients
    /// close-delimited. A 101, or a 2xx to CONNECT, hands the connection over:
    /// see [`ServerEvent::Upgraded`].
    pub fn send_response<N, V>(
        &mut self,
        status: u16,
        reason: Option<&[u8]>,
        headers: &[(N, V)],
        body: BodyLength,
    ) -> Result<(), WriteError>
    where
        N: AsRef<[u8]>,
        V: AsRef<[u8]>,
    {
        let Writer::Awaiting(mut p) = self.writer else {
            return Err(WriteError::InvalidState);
        };
        if !(100..=999).contains(&status) {
            return Err(WriteError::InvalidStatus);
        }
        let fields = || headers.iter().map(|(n, v)| (n.as_ref(), v.as_ref()));
        self.scratch.clear();
        if (100..200).contains(&status) && status != 101 {
            if p.version == Version::Http10 {
                // HTTP/1.0 clients do not understand interim responses.
                return Ok(());
            }
            write_response_head(
                &mut self.scratch,
                Version::Http11,
                status,
                reason,
                fields(),
                None,
            )?;
            self.out.extend(&self.scratch);
            if status == 100 {
                p.continue_sent = true;
                self.writer = Writer::Awaiting(p);
            }
            return Ok(());
        }
        // Switching protocols before the request body is read would hand
        // the rest of the body to the new protocol.
        if status == 101 && (!p.upgrade || matches!(self.reader, Reader::Body(_))) {
            return Err(WriteError::InvalidState);
        }
        let switching = status == 101 || (p.connect && (200..300).contains(&status));
        let no_body = p.head_method || status == 204 || status == 304 || switching;
        let (header, encoder) = if switching {
            (None, Encoder::None)
        } else if no_body {
            match body {
                BodyLength::Empty => (Some(BodyLength::Empty), Encoder::None),
                BodyLength::Known(0) if status == 204 => (Some(BodyLength::Empty), Encoder::None),
                BodyLength::Known(n) if status != 204 => {
                    (Some(BodyLength::Known(n)), Encoder::None)
                }
                // A HEAD response may carry the framing the GET would have had.
                BodyLength::Chunked if p.head_method => (Some(BodyLength::Chunked), Encoder::None),
                BodyLength::UntilClose if p.head_method => {
                    (Some(BodyLength::UntilClose), Encoder::None)
                }
                _ => return Err(WriteError::BodyNotAllowed),
            }
        } else {
            match body {
                BodyLength::Empty => (Some(BodyLength::Known(0)), Encoder::None),
                BodyLength::Known(0) => (Some(BodyLength::Known(0)), Encoder::None),
                BodyLength::Known(n) => (Some(BodyLength::Known(n)), Encoder::Length(n)),
                BodyLength::Chunked if p.version == Version::Http10 => {
                    (Some(BodyLength::UntilClose), Encoder::UntilClose)
                }
                BodyLength::Chunked => (Some(BodyLength::Chunked), Encoder::Chunked),
                BodyLength::UntilClose => (Some(BodyLength::UntilClose), Encoder::UntilClose),
            }
        };
        let mut user_close = false;
        let mut user_keep_alive = false;
        for (n, v) in fields() {
            if n.eq_ignore_ascii_case(b"connection") {
                for t in v.split(|&c| c == b',') {
                    let t = super::chars::trim_ows(t);
                    user_close |= t.eq_ignore_ascii_case(b"close");
                    user_keep_alive |= t.eq_ignore_ascii_case(b"keep-alive");
                }
            }
        }
        // A final answer to `Expect: 100-continue` before asking for the
        // body: the client may or may not send it now, so the connection
        // cannot be reused, and the response says so (RFC 9110 §10.1.1).
        // Any request body still unread (declined 100-continue or not) ends
        // the connection after this response, since its rest would be read
        // as the next request; the head says so.
        let body_declined = matches!(self.reader, Reader::Body(_));
        let keep_alive = p.keep_alive
            && !body_declined
            && !user_close
            && encoder != Encoder::UntilClose
            && !self.peer_closed
            && !switching;
        let extra: &[(&str, &str)] = if switching {
            &[]
        } else if !keep_alive && !user_close {
            &[("connection", "close")]
        } else if keep_alive && p.version == Version::Http10 && !user_keep_alive {
            &[("connection", "keep-alive")]
        } else {
            &[]
        };
        let all = fields().chain(extra.iter().map(|&(n, v)| (n.as_bytes(), v.as_bytes())));
        write_response_head(
            &mut self.scratch,
            Version::Http11,
            status,
            reason,
            all,
            header,
        )?;
        self.out.extend(&self.scratch);
        self.writer = Writer::Body {
            encoder,
            keep_alive,
            switching,
            drop_trailers: body == BodyLength::Chunked && encoder == Encoder::UntilClose,
        };
        if encoder == Encoder::None {
            self.end_response();
        }
        Ok(())
    }

    /// Sends a piece of the response body.
    pub fn send_data(&mut self, data: Bytes) -> Result<(), WriteError> {
        let Writer::Body { encoder, .. } = &mut self.writer else {
            return Err(WriteError::InvalidState);
        };
        match encoder {
            Encoder::None => {
                if !data.is_empty() {
                    return Err(WriteError::BodyNotAllowed);
                }
            }
            Encoder::Length(rem) => {
                if data.len() as u64 > *rem {
                    return Err(WriteError::BodyLengthMismatch);
                }
                *rem -= data.len() as u64;
                self.out.push(data);
            }
            Encoder::Chunked => {
                if !data.is_empty() {
                    self.scratch.clear();
                    write_chunk_header(data.len(), &mut self.scratch);
                    self.out.extend(&self.scratch);
                    self.out.push(data);
                    self.out.extend(b"\r\n");
                }
            }
            Encoder::UntilClose => self.out.push(data),
        }
        Ok(())
    }

    /// Ends the response body, with trailer fields for a chunked body (to an
    /// HTTP/1.0 client, which gets it close-delimited, they are dropped).
    pub fn finish_response<N, V>(&mut self, trailers: &[(N, V)]) -> Result<(), WriteError>
    where
        N: AsRef<[u8]>,
        V: AsRef<[u8]>,
    {
        let Writer::Body {
            encoder,
            drop_trailers,
            ..
        } = self.writer
        else {
            return Err(WriteError::InvalidState);
        };
        match encoder {
            Encoder::Length(rem) if rem != 0 => return Err(WriteError::BodyLengthMismatch),
            // Trailers are optional metadata (RFC 9110 §6.5): the chunked
            // body asked for went out close-delimited, so they are dropped.
            Encoder::UntilClose if drop_trailers => {}
            Encoder::Chunked => {
                self.scratch.clear();
                write_last_chunk(
                    &mut self.scratch,
                    trailers.iter().map(|(n, v)| (n.as_ref(), v.as_ref())),
                )?;
                self.out.extend(&self.scratch);
            }
            _ if !trailers.is_empty() => return Err(WriteError::BodyNotAllowed),
            _ => {}
        }
        self.end_response();
        Ok(())
    }

    /// Sends a whole response with a body in one call.
    pub fn send_full_response<N, V>(
        &mut self,
        status: u16,
        headers: &[(N, V)],
        body: Bytes,
    ) -> Result<(), WriteError>
    where
        N: AsRef<[u8]>,
        V: AsRef<[u8]>,
    {
        self.send_response(status, None, headers, BodyLength::Known(body.len() as u64))?;
        if matches!(
            self.writer,
            Writer::Body {
                encoder: Encoder::Length(_),
                ..
            }
        ) {
            self.send_data(body)?;
            self.finish_response(&[] as &[(&str, &str)])?;
        }
        Ok(())
    }

    fn end_response(&mut self) {
        let Writer::Body {
            keep_alive,
            switching,
            ..
        } = self.writer
        else {
            return;
        };
        self.writer = Writer::Done;
        if switching {
            self.reader = Reader::Upgraded;
            self.closing = false;
            let rest = self.rbuf.split().freeze();
            self.events.push_back(ServerEvent::Upgraded(rest));
            return;
        }
        let request_read = matches!(self.reader, Reader::Done);
        if keep_alive && request_read && !self.peer_closed {
            self.writer = Writer::Idle;
            self.reader = Reader::Head;
            self.idle_since = self.last_now;
            // The response ended at an unknown time: the next call carrying
            // `now` restarts the idle and header clocks from it.
            self.clock_pending = true;
            // Pipelined requests already buffered.
            let now = self.last_now;
            let _ = self.process(now);
        } else {
            self.reader = Reader::Closed;
            self.closing = true;
            self.rbuf.clear();
        }
    }

    /// True while a response body is being sent (after
    /// [`send_response`](Self::send_response), before
    /// [`finish_response`](Self::finish_response)); false once a response
    /// that carries no body (HEAD, 204, 304) was completed by its head.
    pub fn is_sending_body(&self) -> bool {
        matches!(self.writer, Writer::Body { .. })
    }

    /// True once the connection switched protocols (see [`ServerEvent::Upgraded`]).
    pub fn is_upgraded(&self) -> bool {
        matches!(self.reader, Reader::Upgraded)
    }
}

/// RFC 9112 §3.2: exactly one Host in HTTP/1.1 (at most one in 1.0), and its
/// value empty or `uri-host [ ":" port ]`.
fn host_ok(request: &super::head::Request<'_>) -> bool {
    let mut hosts = request.headers().get_all("host");
    let first = hosts.next();
    if hosts.next().is_some() {
        return false;
    }
    match first {
        None => request.version() == Version::Http10,
        Some([]) => true,
        Some(v) => {
            let (host, port) = match v.iter().rposition(|&c| c == b':') {
                Some(i) if !v.ends_with(b"]") => (&v[..i], &v[i + 1..]),
                _ => (v, &b""[..]),
            };
            port.len() <= 5 && port.iter().all(u8::is_ascii_digit) && super::target::is_host(host)
        }
    }
}
