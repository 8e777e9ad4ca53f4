//! An HTTP/1.1 client on tokio: a keep-alive [`Connection`] driving
//! [`ClientConnection`] over one TCP stream, and a one-shot [`get`].
//!
//! ```no_run
//! # async fn run() -> Result<(), http_codec::client::ClientError> {
//! use http_codec::client::{Connection, get};
//!
//! let page = get("http://127.0.0.1:8080/index.html").await?;
//! println!("{} ({} bytes)", page.head.status(), page.body.len());
//!
//! let mut conn = Connection::connect("127.0.0.1:8080").await?;
//! for path in ["/a", "/b"] {
//!     let response = conn.fetch("GET", path, &[], bytes::Bytes::new()).await?;
//!     println!("{path}: {}", response.head.status());
//! }
//! # Ok(()) }
//! ```

use std::format;
use std::io;
use std::string::{String, ToString};
use std::time::Instant;
use std::vec::Vec;

use ::tokio::io::{AsyncReadExt, AsyncWriteExt};
use ::tokio::net::{TcpStream, ToSocketAddrs};
use bytes::{Bytes, BytesMut};

use crate::h1::{
    BodyLength, ClientConfig, ClientConnection, ClientEvent, Error, RequestId, ResponseHead,
    Trailers, WriteError,
};

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The socket failed.
    #[error("i/o error: {0}")]
    Io(#[from] io::Error),
    /// The server's response broke the protocol.
    #[error("protocol error: {0}")]
    Protocol(#[from] Error),
    /// The request could not be written (an invalid header, for one).
    #[error("invalid request: {0}")]
    Write(#[from] WriteError),
    /// The server closed the connection before answering.
    #[error("connection closed before the response")]
    Closed,
    /// A response body larger than the limit given.
    #[error("response body larger than the limit")]
    TooLarge,
    /// A URL this client cannot fetch (only `http://host[:port][/path]`).
    #[error("unsupported URL: {0}")]
    InvalidUrl(String),
}

/// A whole response.
#[derive(Debug, Clone)]
pub struct FullResponse {
    /// Status, reason and headers.
    pub head: ResponseHead,
    /// The body.
    pub body: Bytes,
    /// Trailer fields of a chunked body.
    pub trailers: Option<Trailers>,
}

/// One keep-alive HTTP/1.1 connection.
#[derive(Debug)]
pub struct Connection {
    stream: TcpStream,
    conn: ClientConnection,
    host: String,
    buf: BytesMut,
    eof: bool,
    failed: Option<Error>,
}

/// The response to [`Connection::send`], with its body still to read.
#[derive(Debug)]
pub struct ResponseStream<'c> {
    conn: &'c mut Connection,
    id: RequestId,
    /// Status, reason and headers.
    pub head: ResponseHead,
    done: bool,
    trailers: Option<Trailers>,
}

impl Connection {
    /// Connects to `addr`; the `Host` header is the address as given.
    pub async fn connect(addr: &str) -> Result<Connection, ClientError> {
        Self::connect_with(addr, addr, ClientConfig::default()).await
    }

    /// Connects to `addr`, sending `host` as the `Host` header.
    pub async fn connect_with(
        addr: impl ToSocketAddrs,
        host: &str,
        config: ClientConfig,
    ) -> Result<Connection, ClientError> {
        let stream = TcpStream::connect(addr).await?;
        let _ = stream.set_nodelay(true);
        Ok(Connection {
            stream,
            conn: ClientConnection::new(config, Instant::now()),
            host: host.to_string(),
            buf: BytesMut::with_capacity(16 * 1024),
            eof: false,
            failed: None,
        })
    }

    /// True while another request may be sent on this connection.
    pub fn is_reusable(&self) -> bool {
        self.conn.is_reusable() && !self.eof
    }

    async fn flush(&mut self) -> Result<(), ClientError> {
        while let Some(b) = self.conn.poll_transmit() {
            self.stream.write_all(&b).await?;
        }
        Ok(())
    }

    /// Reads until an event is available; `None` when the connection ended.
    async fn next_event(&mut self) -> Result<Option<ClientEvent>, ClientError> {
        loop {
            self.flush().await?;
            if let Some(e) = self.conn.poll_event() {
                return Ok(Some(e));
            }
            if let Some(e) = self.failed.take() {
                return Err(e.into());
            }
            if self.eof {
                return Ok(None);
            }
            let deadline = self.conn.poll_timeout();
            self.buf.clear();
            let read = self.stream.read_buf(&mut self.buf);
            let n = match deadline {
                Some(d) => {
                    match ::tokio::time::timeout_at(::tokio::time::Instant::from_std(d), read).await
                    {
                        Ok(r) => Some(r?),
                        Err(_) => None,
                    }
                }
                None => Some(read.await?),
            };
            let now = Instant::now();
            let result = match n {
                None => self.conn.handle_timeout(now),
                Some(0) => {
                    self.eof = true;
                    self.conn.handle_eof(now)
                }
                Some(n) => self.conn.handle_input(now, &self.buf[..n]),
            };
            if let Err(e) = result {
                // Events already queued (a complete response before the bad
                // bytes) are delivered first; the error comes after them.
                self.failed = Some(e);
            }
        }
    }

    /// Sends a request with a whole body (empty: no body) and returns the
    /// response head; read the body from the returned stream. `headers` must
    /// not hold Content-Length or Transfer-Encoding; `Host` is added unless given.
    pub async fn send(
        &mut self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: Bytes,
    ) -> Result<ResponseStream<'_>, ClientError> {
        let mut all: Vec<(&str, &str)> = Vec::with_capacity(headers.len() + 1);
        if !headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("host")) {
            all.push(("host", &self.host));
        }
        all.extend_from_slice(headers);
        let length = if body.is_empty()
            && matches!(method, "GET" | "HEAD" | "DELETE" | "OPTIONS" | "TRACE")
        {
            BodyLength::Empty
        } else {
            BodyLength::Known(body.len() as u64)
        };
        let id = self
            .conn
            .send_request(Instant::now(), method, target, &all, length)?;
        if !body.is_empty() {
            self.conn.send_data(body)?;
            self.conn.finish_request(&[] as &[(&str, &str)])?;
        }
        loop {
            match self.next_event().await? {
                Some(ClientEvent::Response(rid, head)) if rid == id => {
                    return Ok(ResponseStream {
                        conn: self,
                        id,
                        head,
                        done: false,
                        trailers: None,
                    });
                }
                Some(ClientEvent::Aborted(rid)) if rid == id => return Err(ClientError::Closed),
                Some(_) => {}
                None => return Err(ClientError::Closed),
            }
        }
    }

    /// Sends a request and reads the whole response (bodies up to 64 MiB;
    /// use [`send`](Self::send) to stream larger ones).
    pub async fn fetch(
        &mut self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
        body: Bytes,
    ) -> Result<FullResponse, ClientError> {
        let mut response = self.send(method, target, headers, body).await?;
        let body = response.collect(64 << 20).await?;
        let trailers = response.trailers.take();
        Ok(FullResponse {
            head: response.head,
            body,
            trailers,
        })
    }
}

impl ResponseStream<'_> {
    /// The next piece of the body, `None` at its end.
    pub async fn chunk(&mut self) -> Result<Option<Bytes>, ClientError> {
        if self.done {
            return Ok(None);
        }
        loop {
            match self.conn.next_event().await? {
                Some(ClientEvent::Data(id, b)) if id == self.id => return Ok(Some(b)),
                Some(ClientEvent::EndOfResponse(id, t)) if id == self.id => {
                    self.done = true;
                    self.trailers = t;
                    return Ok(None);
                }
                Some(ClientEvent::Upgraded(id, _)) if id == self.id => {
                    self.done = true;
                    return Ok(None);
                }
                Some(ClientEvent::Aborted(id)) if id == self.id => return Err(ClientError::Closed),
                Some(_) => {}
                None => return Err(ClientError::Closed),
            }
        }
    }

    /// Reads the rest of the body, failing past `limit` bytes.
    pub async fn collect(&mut self, limit: usize) -> Result<Bytes, ClientError> {
        let mut out = BytesMut::new();
        while let Some(b) = self.chunk().await? {
            if out.len() + b.len() > limit {
                return Err(ClientError::TooLarge);
            }
            out.extend_from_slice(&b);
        }
        Ok(out.freeze())
    }

    /// Trailer fields, once the body was read to its end.
    pub fn trailers(&self) -> Option<&Trailers> {
        self.trailers.as_ref()
    }
}

/// The parts of an `http://` URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpUrl {
    /// Host as written (brackets kept for IPv6 literals).
    pub host: String,
    /// Port (80 when absent).
    pub port: u16,
    /// `host` or `host:port` as the Host header.
    pub authority: String,
    /// Path and query (`/` when absent); the fragment is dropped.
    pub target: String,
}

/// Splits an `http://host[:port][/path][?query]` URL. `https` is refused:
/// this client has no TLS.
///
/// ```
/// let u = http_codec::client::parse_http_url("http://[::1]:8080/a?b#frag").unwrap();
/// assert_eq!((u.host.as_str(), u.port, u.target.as_str()), ("[::1]", 8080, "/a?b"));
/// ```
pub fn parse_http_url(url: &str) -> Result<HttpUrl, ClientError> {
    let bad = || ClientError::InvalidUrl(url.to_string());
    let rest = url
        .strip_prefix("http://")
        .or_else(|| {
            url.get(..7)
                .filter(|s| s.eq_ignore_ascii_case("http://"))
                .map(|_| &url[7..])
        })
        .ok_or_else(bad)?;
    let rest = rest.split('#').next().unwrap_or("");
    let split = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(split);
    if authority.is_empty() || authority.contains('@') {
        return Err(bad());
    }
    let (host, port) = if let Some(end) = authority.strip_prefix('[').and_then(|a| a.find(']')) {
        let host = &authority[..end + 2];
        match &authority[end + 2..] {
            "" => (host, 80),
            p => (
                host,
                p.strip_prefix(':')
                    .and_then(|p| p.parse().ok())
                    .ok_or_else(bad)?,
            ),
        }
    } else {
        match authority.rsplit_once(':') {
            Some((h, p)) => (h, p.parse().map_err(|_| bad())?),
            None => (authority, 80),
        }
    };
    if host.is_empty() || !crate::h1::is_valid_host(host.as_bytes()) {
        return Err(bad());
    }
    let target = if path.is_empty() {
        "/".to_string()
    } else if path.starts_with('?') {
        format!("/{path}")
    } else {
        path.to_string()
    };
    if !target.bytes().all(|c| (0x21..0x7f).contains(&c)) {
        return Err(bad());
    }
    Ok(HttpUrl {
        host: host.to_string(),
        port,
        authority: authority.to_string(),
        target,
    })
}

/// Fetches `url` (`http://` only) over a new connection and returns the
/// whole response (bodies up to 64 MiB).
pub async fn get(url: &str) -> Result<FullResponse, ClientError> {
    let u = parse_http_url(url)?;
    let host = u.host.trim_start_matches('[').trim_end_matches(']');
    let mut conn =
        Connection::connect_with((host, u.port), &u.authority, ClientConfig::default()).await?;
    conn.fetch("GET", &u.target, &[], Bytes::new()).await
}
