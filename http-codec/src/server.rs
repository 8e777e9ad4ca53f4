//! An HTTP/1.1 server on tokio, driving [`ServerConnection`] per TCP
//! connection. Nothing protocol-specific lives here: this module moves bytes,
//! runs the handler, streams bodies and enforces the connection limit.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use http_codec::server::{serve, Request, Response};
//!
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! serve(listener, |req: Request| async move {
//!     Response::new(200)
//!         .header("content-type", "text/plain")
//!         .body(format!("you asked for {}\n", req.head().target()))
//! })
//! .await
//! # }
//! ```

use std::boxed::Box;
use std::collections::VecDeque;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};
use std::vec;
use std::vec::Vec;

use ::tokio::io::{AsyncReadExt, AsyncWriteExt};
use ::tokio::net::{TcpListener, TcpStream};
use ::tokio::sync::{Notify, Semaphore, mpsc, oneshot};
use ::tokio::task::JoinSet;
use bytes::Bytes;

use crate::date::format_http_date;
use crate::h1::{BodyLength, RequestHead, ServerConfig, ServerConnection, ServerEvent, Trailers};

/// Settings of [`serve_with`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServeConfig {
    /// Settings of each connection's state machine (limits, timeouts).
    pub connection: ServerConfig,
    /// Connections served at once; further ones wait in the accept queue.
    /// Default 1024.
    pub max_connections: usize,
    /// After shutdown is asked for, how long open connections may finish
    /// their current exchange. Default 10 s.
    pub shutdown_grace: Duration,
    /// Add a `date` header to responses that lack one (RFC 9110 §6.6.1).
    /// Default on.
    pub date_header: bool,
    /// Longest a single write may wait for the peer to read; the connection
    /// is dropped after it. Default 60 s.
    pub write_timeout: Duration,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            connection: ServerConfig::default(),
            max_connections: 1024,
            shutdown_grace: Duration::from_secs(10),
            date_header: true,
            write_timeout: Duration::from_secs(60),
        }
    }
}

/// A request given to the handler: its head and a streamed body.
#[derive(Debug)]
pub struct Request {
    head: RequestHead,
    body: Body,
    upgrade: Option<oneshot::Receiver<Upgraded>>,
}

/// A connection handed over after a `101 Switching Protocols` response (or
/// a 2xx to CONNECT): the TCP stream and the bytes the client sent after
/// its request, which belong to the new protocol.
#[derive(Debug)]
pub struct Upgraded {
    /// The connection, now speaking the new protocol.
    pub stream: TcpStream,
    /// Bytes already received after the request.
    pub buffered: Bytes,
}

/// Resolves to the [`Upgraded`] connection once the switching response was
/// sent; fails if the handler answered otherwise or the connection ended.
#[derive(Debug)]
pub struct OnUpgrade(Option<oneshot::Receiver<Upgraded>>);

/// The request was not upgraded.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the connection was not upgraded")]
pub struct NotUpgraded;

impl OnUpgrade {
    /// Waits for the hand-over.
    pub async fn await_upgrade(self) -> Result<Upgraded, NotUpgraded> {
        match self.0 {
            Some(rx) => rx.await.map_err(|_| NotUpgraded),
            None => Err(NotUpgraded),
        }
    }
}

impl Request {
    /// Method, target, version, headers and framing.
    pub fn head(&self) -> &RequestHead {
        &self.head
    }

    /// The body, to read piece by piece.
    pub fn body_mut(&mut self) -> &mut Body {
        &mut self.body
    }

    /// For a request asking to switch protocols (`Upgrade` with
    /// `Connection: upgrade`) or a CONNECT: spawn a task awaiting this, then
    /// return a 101 (or a 2xx to CONNECT) response; the task gets the stream.
    pub fn on_upgrade(&mut self) -> OnUpgrade {
        OnUpgrade(self.upgrade.take())
    }

    /// Splits into head and body.
    pub fn into_parts(self) -> (RequestHead, Body) {
        (self.head, self.body)
    }
}

/// A request body arriving in pieces. Reading it the first time sends
/// `100 Continue` if the client asked for it.
#[derive(Debug)]
pub struct Body {
    rx: Option<mpsc::Receiver<BodyItem>>,
    wants: Option<Arc<Notify>>,
    trailers: Option<Trailers>,
}

#[derive(Debug)]
enum BodyItem {
    Data(Bytes),
    End(Option<Trailers>),
}

/// The request body ended before it was complete (the connection failed).
#[derive(Debug, Clone, thiserror::Error)]
#[error("request body incomplete: the connection failed")]
pub struct BodyError;

impl Body {
    fn empty() -> Self {
        Body {
            rx: None,
            wants: None,
            trailers: None,
        }
    }

    /// The next piece, `Ok(None)` at the end.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, BodyError> {
        if let Some(n) = self.wants.take() {
            n.notify_one();
        }
        let Some(rx) = &mut self.rx else {
            return Ok(None);
        };
        match rx.recv().await {
            Some(BodyItem::Data(b)) => Ok(Some(b)),
            Some(BodyItem::End(t)) => {
                self.trailers = t;
                self.rx = None;
                Ok(None)
            }
            None => {
                self.rx = None;
                Err(BodyError)
            }
        }
    }

    /// Reads the whole body, failing if it exceeds `limit` bytes.
    pub async fn collect(&mut self, limit: usize) -> Result<Bytes, BodyError> {
        let mut out = Vec::new();
        while let Some(b) = self.chunk().await? {
            if out.len() + b.len() > limit {
                return Err(BodyError);
            }
            out.extend_from_slice(&b);
        }
        Ok(out.into())
    }

    /// The trailer fields, once the body was read to its end.
    pub fn trailers(&self) -> Option<&Trailers> {
        self.trailers.as_ref()
    }
}

/// A response body.
#[derive(Debug)]
pub enum ResponseBody {
    /// No body.
    Empty,
    /// All of it at once.
    Full(Bytes),
    /// Streamed through a channel; `length` when known (else chunked).
    Stream {
        /// The total length, when known up front.
        length: Option<u64>,
        /// The pieces, in order; the body ends when the sender is dropped.
        chunks: mpsc::Receiver<Bytes>,
    },
}

/// A response returned by the handler.
#[derive(Debug)]
pub struct Response {
    status: u16,
    headers: Vec<(std::borrow::Cow<'static, str>, Bytes)>,
    body: ResponseBody,
}

impl Response {
    /// A response with `status`, no headers and no body.
    pub fn new(status: u16) -> Self {
        Response {
            status,
            headers: Vec::new(),
            body: ResponseBody::Empty,
        }
    }

    /// Adds a header (Content-Length and Transfer-Encoding are written by
    /// the connection from the body; giving them here fails the response).
    pub fn header(
        mut self,
        name: impl Into<std::borrow::Cow<'static, str>>,
        value: impl Into<Bytes>,
    ) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Sets a whole body.
    pub fn body(mut self, body: impl Into<Bytes>) -> Self {
        self.body = ResponseBody::Full(body.into());
        self
    }

    /// Sets a streamed body: returns the response and the sender to feed it.
    pub fn streaming(mut self, length: Option<u64>) -> (Self, mpsc::Sender<Bytes>) {
        let (tx, rx) = mpsc::channel(16);
        self.body = ResponseBody::Stream { length, chunks: rx };
        (self, tx)
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.status
    }
}

/// Serves `listener` with `handler` for ever, with the default [`ServeConfig`].
pub async fn serve<H, F>(listener: TcpListener, handler: H) -> io::Result<()>
where
    H: Fn(Request) -> F + Send + Sync + 'static,
    F: Future<Output = Response> + Send + 'static,
{
    serve_with(
        listener,
        ServeConfig::default(),
        handler,
        std::future::pending(),
    )
    .await
}

/// Serves `listener` with `handler` until `shutdown` completes; then stops
/// accepting, lets open connections finish their current exchange for up to
/// [`ServeConfig::shutdown_grace`], and returns.
pub async fn serve_with<H, F>(
    listener: TcpListener,
    config: ServeConfig,
    handler: H,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()>
where
    H: Fn(Request) -> F + Send + Sync + 'static,
    F: Future<Output = Response> + Send + 'static,
{
    let handler = Arc::new(handler);
    let config = Arc::new(config);
    let slots = Arc::new(Semaphore::new(config.max_connections.max(1)));
    let (stop_tx, stop_rx) = ::tokio::sync::watch::channel(false);
    let mut tasks = JoinSet::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let permit = ::tokio::select! {
            p = slots.clone().acquire_owned() => p.expect("semaphore never closed"),
            () = &mut shutdown => break,
        };
        let accepted = ::tokio::select! {
            a = listener.accept() => a,
            () = &mut shutdown => break,
        };
        while tasks.try_join_next().is_some() {}
        let (stream, _) = match accepted {
            Ok(a) => a,
            Err(e) if is_per_connection_error(&e) => continue,
            Err(_) => {
                // Out of descriptors or similar: back off instead of spinning.
                ::tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let handler = handler.clone();
        let config = config.clone();
        let stop_rx = stop_rx.clone();
        tasks.spawn(async move {
            let _permit = permit;
            let _ = connection(stream, &config, &*handler, stop_rx).await;
        });
    }
    let _ = stop_tx.send(true);
    let grace = ::tokio::time::sleep(config.shutdown_grace);
    ::tokio::pin!(grace);
    loop {
        ::tokio::select! {
            r = tasks.join_next() => if r.is_none() { break },
            () = &mut grace => { tasks.abort_all(); break }
        }
    }
    Ok(())
}

fn is_per_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
    )
}

type HandlerFuture = Pin<Box<dyn Future<Output = Response> + Send>>;

/// The cached `date` header value, refreshed once a second.
struct DateCache {
    at: u64,
    value: Bytes,
}

impl DateCache {
    fn get(&mut self) -> Bytes {
        let now = SystemTime::now();
        let secs = now
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        if secs != self.at || self.value.is_empty() {
            self.at = secs;
            self.value = Bytes::from(format_http_date(now));
        }
        self.value.clone()
    }
}

/// Writes everything queued, failing if the peer stops reading for longer
/// than the write timeout.
async fn write_out(
    stream: &mut TcpStream,
    conn: &mut ServerConnection,
    limit: Duration,
) -> io::Result<()> {
    while let Some(b) = conn.poll_transmit() {
        match ::tokio::time::timeout(limit, stream.write_all(&b)).await {
            Ok(r) => r?,
            Err(_) => {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "peer stopped reading",
                ));
            }
        }
    }
    Ok(())
}

/// Closes after sending FIN, reading and discarding what the peer still
/// sends for a moment: closing with unread input makes the kernel send a
/// reset, which can destroy a response the peer has not read yet.
async fn linger_close(mut stream: TcpStream) {
    let _ = stream.shutdown().await;
    let mut sink = [0u8; 4096];
    let mut left = 256 * 1024usize;
    let deadline = ::tokio::time::Instant::now() + Duration::from_secs(1);
    while left > 0 {
        match ::tokio::time::timeout_at(deadline, stream.read(&mut sink)).await {
            Ok(Ok(n)) if n > 0 => left = left.saturating_sub(n),
            _ => break,
        }
    }
}

async fn connection<H, F>(
    mut stream: TcpStream,
    config: &ServeConfig,
    handler: &H,
    mut stop_rx: ::tokio::sync::watch::Receiver<bool>,
) -> io::Result<()>
where
    H: Fn(Request) -> F + Send + Sync + 'static,
    F: Future<Output = Response> + Send + 'static,
{
    let mut conn = ServerConnection::new(config.connection.clone(), Instant::now());
    let mut buf = vec![0u8; 16 * 1024];
    let mut date = DateCache {
        at: 0,
        value: Bytes::new(),
    };
    let mut pending: Option<HandlerFuture> = None;
    let mut body_tx: Option<mpsc::Sender<BodyItem>> = None;
    let mut backlog: VecDeque<BodyItem> = VecDeque::new();
    let mut wants_body = Arc::new(Notify::new());
    let mut streaming: Option<mpsc::Receiver<Bytes>> = None;
    let mut upgrade_tx: Option<oneshot::Sender<Upgraded>> = None;
    let mut eof = false;
    // One timer per connection, armed lazily: it is moved earlier when the
    // deadline moves earlier, and otherwise left to fire and be re-armed, so
    // a busy keep-alive connection does not touch the timer wheel per request.
    let timer = ::tokio::time::sleep(Duration::from_secs(3600));
    ::tokio::pin!(timer);
    let mut armed: Option<Instant> = None;
    loop {
        write_out(&mut stream, &mut conn, config.write_timeout).await?;
        if conn.should_close() {
            break;
        }
        while let Some(event) = conn.poll_event() {
            match event {
                ServerEvent::Request(head) => {
                    // Whatever the previous request's handler left unread
                    // belongs to it, never to this one.
                    body_tx = None;
                    backlog.clear();
                    wants_body = Arc::new(Notify::new());
                    let has_body = head.framing().body != crate::h1::BodyFraming::None;
                    let body = if has_body {
                        let (tx, rx) = mpsc::channel(8);
                        body_tx = Some(tx);
                        Body {
                            rx: Some(rx),
                            wants: head.framing().expect_continue.then(|| wants_body.clone()),
                            trailers: None,
                        }
                    } else {
                        Body::empty()
                    };
                    let upgrade = if head.framing().upgrade {
                        let (tx, rx) = oneshot::channel();
                        upgrade_tx = Some(tx);
                        Some(rx)
                    } else {
                        upgrade_tx = None;
                        None
                    };
                    pending = Some(Box::pin(handler(Request {
                        head,
                        body,
                        upgrade,
                    })));
                }
                ServerEvent::Data(b) => backlog.push_back(BodyItem::Data(b)),
                ServerEvent::EndOfRequest(t) => {
                    if body_tx.is_some() {
                        backlog.push_back(BodyItem::End(t));
                    }
                }
                ServerEvent::Upgraded(buffered) => {
                    write_out(&mut stream, &mut conn, config.write_timeout).await?;
                    if let Some(tx) = upgrade_tx.take() {
                        let _ = tx.send(Upgraded { stream, buffered });
                    }
                    return Ok(());
                }
            }
        }
        // Hand buffered body pieces to the handler as far as the channel takes them.
        while let Some(tx) = &body_tx {
            let Some(item) = backlog.pop_front() else {
                break;
            };
            let end = matches!(item, BodyItem::End(_));
            match tx.try_send(item) {
                Ok(()) if end => body_tx = None,
                Ok(()) => {}
                Err(mpsc::error::TrySendError::Full(item)) => {
                    backlog.push_front(item);
                    break;
                }
                Err(mpsc::error::TrySendError::Closed(_)) => {
                    // The handler dropped the body: discard the rest.
                    body_tx = None;
                    backlog.clear();
                }
            }
        }
        if body_tx.is_none() {
            backlog.clear();
        }
        let stop = *stop_rx.borrow_and_update();
        if stop && pending.is_none() && streaming.is_none() {
            break;
        }
        // During shutdown, keep reading only for a request being handled
        // (its body), not for new ones.
        let can_read = !eof
            && conn.wants_input()
            && backlog.is_empty()
            && (!stop || pending.is_some() || body_tx.is_some());
        let deadline = conn.poll_timeout();
        match (deadline, armed) {
            (Some(d), Some(a)) if a <= d => {}
            (Some(d), _) => {
                timer.as_mut().reset(::tokio::time::Instant::from_std(d));
                armed = Some(d);
            }
            (None, _) => {}
        }
        let tx_ready = body_tx.clone();
        ::tokio::select! {
            r = stream.read(&mut buf), if can_read => {
                let n = r?;
                let now = Instant::now();
                let result = if n == 0 { eof = true; conn.handle_eof(now) } else { conn.handle_input(now, &buf[..n]) };
                if result.is_err() {
                    body_tx = None;
                    backlog.clear();
                }
            }
            response = async { pending.as_mut().expect("guarded").await }, if pending.is_some() => {
                pending = None;
                streaming = start_response(&mut conn, response, config.date_header.then(|| date.get()));
                if streaming.is_none() {
                    conn.handle_timeout(Instant::now()).ok();
                }
            }
            chunk = async { streaming.as_mut().expect("guarded").recv().await }, if streaming.is_some() => {
                match chunk {
                    Some(b) => {
                        if conn.send_data(b).is_err() {
                            return Ok(());
                        }
                    }
                    None => {
                        streaming = None;
                        if conn.finish_response(&[] as &[(&str, &str)]).is_err() {
                            return Ok(());
                        }
                        conn.handle_timeout(Instant::now()).ok();
                    }
                }
            }
            permit = async { tx_ready.as_ref().expect("guarded").reserve().await }, if tx_ready.is_some() && !backlog.is_empty() => {
                match permit {
                    Ok(p) => if let Some(item) = backlog.pop_front() {
                        let end = matches!(item, BodyItem::End(_));
                        p.send(item);
                        if end { body_tx = None; }
                    },
                    Err(_) => { body_tx = None; backlog.clear(); }
                }
            }
            () = wants_body.notified(), if conn.expects_continue() => conn.send_continue(),
            () = &mut timer, if armed.is_some() => {
                armed = None;
                if conn.handle_timeout(Instant::now()).is_err() {
                    body_tx = None;
                    backlog.clear();
                }
            }
            _ = stop_rx.changed(), if !stop => {}
        }
    }
    linger_close(stream).await;
    Ok(())
}

/// Writes the response head (and a whole body); returns the channel of a
/// streamed body.
fn start_response(
    conn: &mut ServerConnection,
    response: Response,
    date: Option<Bytes>,
) -> Option<mpsc::Receiver<Bytes>> {
    let mut headers: Vec<(&[u8], &[u8])> = response
        .headers
        .iter()
        .map(|(n, v)| (n.as_bytes(), v.as_ref()))
        .collect();
    if let Some(d) = &date
        && !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(b"date"))
    {
        headers.push((b"date", d.as_ref()));
    }
    if (100..200).contains(&response.status) && response.status != 101 {
        // The handler's answer must be final; an interim status here would
        // leave the request unanswered.
        let _ = conn.send_response(500, None, &[("connection", "close")], BodyLength::Empty);
        return None;
    }
    let (length, full, stream) = match response.body {
        // The connection writes `content-length: 0` where a body could be, nothing for 204/304.
        ResponseBody::Empty => (BodyLength::Empty, None, None),
        ResponseBody::Full(b) => (BodyLength::Known(b.len() as u64), Some(b), None),
        ResponseBody::Stream { length, chunks } => (
            length.map_or(BodyLength::Chunked, BodyLength::Known),
            None,
            Some(chunks),
        ),
    };
    if conn
        .send_response(response.status, None, &headers, length)
        .is_err()
    {
        // An invalid response from the handler: answer 500 instead.
        let _ = conn.send_response(500, None, &[("connection", "close")], BodyLength::Known(0));
        return None;
    }
    if !conn.is_sending_body() {
        // HEAD, 204, 304 and switching responses end with their head: a
        // body given for them is dropped (and its sender sees a closed channel).
        return None;
    }
    if let Some(b) = full {
        let _ = conn.send_data(b);
        let _ = conn.finish_response(&[] as &[(&str, &str)]);
        return None;
    }
    if stream.is_none() {
        let _ = conn.finish_response(&[] as &[(&str, &str)]);
    }
    stream
}
