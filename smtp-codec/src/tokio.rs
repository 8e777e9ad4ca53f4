//! SMTP over tokio: [`serve`] runs a [`ServerSession`] per TCP connection
//! and asks a [`Handler`] about envelopes and messages; [`Client`] drives a
//! [`ClientSession`] over one TCP connection. Nothing protocol-specific
//! lives here: these move bytes, keep time and call the handler.
//!
//! STARTTLS needs a TLS stack on the transport, which these adapters do
//! not have: [`serve`] refuses a configuration that offers it, and a
//! client asking for it fails with [`ClientError::TlsUnavailable`] (with
//! [`StartTlsPolicy::Required`](crate::client::StartTlsPolicy)) before any
//! credentials are sent.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use smtp_codec::server::{ServerConfig, Transaction};
//! use smtp_codec::tokio::{serve, Decision, Handler, SessionInfo};
//!
//! struct Print;
//! impl Handler for Print {
//!     async fn message(&self, tx: Transaction, info: &SessionInfo) -> Decision {
//!         println!("{} sent {} octets to {:?}", info.peer, tx.body.len(), tx.recipients);
//!         Decision::Accept
//!     }
//! }
//!
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:2525").await?;
//! serve(listener, ServerConfig::new("mx.example.org"), Print).await
//! # }
//! ```

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::string::String;
use std::sync::Arc;
use std::time::{Duration, Instant};
use std::vec;
use std::vec::Vec;

use ::tokio::io::{AsyncReadExt, AsyncWriteExt};
use ::tokio::net::{TcpListener, TcpStream, ToSocketAddrs};
use ::tokio::sync::Semaphore;

use crate::client::{ClientConfig, ClientError, ClientEvent, ClientSession, Delivery, Envelope};
use crate::reply::OwnedReply;
use crate::sasl::Credentials;
use crate::server::{
    AuthMechanism, MailRequest, RcptRequest, ServerConfig, ServerEvent, ServerSession, Transaction,
};

/// The answer to a MAIL, RCPT, AUTH or message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Accept with the standard reply.
    Accept,
    /// Accept with this 2xx reply.
    AcceptWith(OwnedReply),
    /// Refuse with the standard reply (550 / 535 / 554).
    Refuse,
    /// Refuse with this 4xx or 5xx reply.
    Reject(OwnedReply),
}

/// The connection a session runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct SessionInfo {
    /// The client's address.
    pub peer: SocketAddr,
    /// The address it connected to.
    pub local: SocketAddr,
}

/// What a server decides. Every method has a default: accept any sender
/// and recipient, refuse every login, and accept every message.
pub trait Handler: Send + Sync + 'static {
    /// MAIL FROM.
    fn mail(
        &self,
        mail: &MailRequest,
        info: &SessionInfo,
    ) -> impl Future<Output = Decision> + Send {
        let _ = (mail, info);
        async { Decision::Accept }
    }

    /// RCPT TO, with the transaction's sender.
    fn rcpt(
        &self,
        rcpt: &RcptRequest,
        mail: &MailRequest,
        info: &SessionInfo,
    ) -> impl Future<Output = Decision> + Send {
        let _ = (rcpt, mail, info);
        async { Decision::Accept }
    }

    /// Credentials to check: true accepts them.
    fn auth(
        &self,
        mechanism: AuthMechanism,
        credentials: &Credentials,
        info: &SessionInfo,
    ) -> impl Future<Output = bool> + Send {
        let _ = (mechanism, credentials, info);
        async { false }
    }

    /// A complete message. Accept only once it is stored: the client
    /// forgets it on the 250.
    fn message(&self, tx: Transaction, info: &SessionInfo)
    -> impl Future<Output = Decision> + Send;
}

/// Settings of [`serve_with`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServeConfig {
    /// Each session's settings.
    pub session: ServerConfig,
    /// Sessions served at once; more wait in the accept queue. Default 1024.
    pub max_connections: usize,
    /// Longest a write may wait for the client to read. Default 60 s.
    pub write_timeout: Duration,
}

impl ServeConfig {
    /// Defaults around these session settings.
    pub fn new(session: ServerConfig) -> Self {
        ServeConfig {
            session,
            max_connections: 1024,
            write_timeout: Duration::from_secs(60),
        }
    }
}

/// Serve SMTP on `listener` until it fails.
pub async fn serve<H: Handler>(
    listener: TcpListener,
    config: ServerConfig,
    handler: H,
) -> io::Result<()> {
    serve_with(listener, ServeConfig::new(config), handler).await
}

/// [`serve`] with adapter settings.
pub async fn serve_with<H: Handler>(
    listener: TcpListener,
    config: ServeConfig,
    handler: H,
) -> io::Result<()> {
    if config.session.starttls {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "STARTTLS is offered but this adapter has no TLS stack",
        ));
    }
    let handler = Arc::new(handler);
    let config = Arc::new(config);
    let slots = Arc::new(Semaphore::new(config.max_connections.max(1)));
    loop {
        let permit = slots
            .clone()
            .acquire_owned()
            .await
            .map_err(io::Error::other)?;
        let (stream, peer) = match listener.accept().await {
            Ok(s) => s,
            // Per-connection failures (reset before accept, out of fds for a
            // moment) must not stop the server.
            Err(e) if is_transient(&e) => {
                ::tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
            Err(e) => return Err(e),
        };
        let handler = handler.clone();
        let config = config.clone();
        ::tokio::spawn(async move {
            let _permit = permit;
            let local = stream.local_addr().unwrap_or(peer);
            let info = SessionInfo { peer, local };
            let _ = session(stream, &config, &*handler, info).await;
        });
    }
}

fn is_transient(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
            | io::ErrorKind::Interrupted
    ) || e.raw_os_error().is_some_and(|c| c == 24 || c == 23)
}

async fn write_all(stream: &mut TcpStream, bytes: &[u8], limit: Duration) -> io::Result<()> {
    match ::tokio::time::timeout(limit, stream.write_all(bytes)).await {
        Ok(r) => r,
        Err(_) => Err(io::ErrorKind::TimedOut.into()),
    }
}

/// Close without losing the last reply: shut the write side, then read
/// and drop what the client still sends for a moment, so the kernel does
/// not answer it with a reset that destroys the reply in flight.
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

async fn session<H: Handler>(
    mut stream: TcpStream,
    config: &ServeConfig,
    handler: &H,
    info: SessionInfo,
) -> io::Result<()> {
    let _ = stream.set_nodelay(true);
    let mut s = ServerSession::new(config.session.clone(), Instant::now());
    let mut buf = vec![0u8; 64 * 1024];
    let mut mail: Option<MailRequest> = None;
    loop {
        if let Some(out) = s.poll_transmit() {
            write_all(&mut stream, &out, config.write_timeout).await?;
        }
        while let Some(ev) = s.poll_event() {
            let decision = match ev {
                ServerEvent::Mail(m) => {
                    let d = handler.mail(&m, &info).await;
                    mail = Some(m);
                    Some(d)
                }
                ServerEvent::Rcpt(r) => {
                    // A RCPT event only follows an accepted MAIL.
                    match &mail {
                        Some(m) => Some(handler.rcpt(&r, m, &info).await),
                        None => Some(Decision::Refuse),
                    }
                }
                ServerEvent::Auth {
                    mechanism,
                    credentials,
                } => {
                    let ok = handler.auth(mechanism, &credentials, &info).await;
                    Some(if ok {
                        Decision::Accept
                    } else {
                        Decision::Refuse
                    })
                }
                ServerEvent::Message(tx) => Some(handler.message(*tx, &info).await),
                // `serve_with` refuses configurations that offer STARTTLS.
                ServerEvent::StartTls => return Ok(()),
                _ => None,
            };
            if let Some(d) = decision {
                let now = Instant::now();
                let r = match &d {
                    Decision::Accept => s.accept(now),
                    Decision::AcceptWith(r) => s.accept_with(now, r),
                    Decision::Refuse => s.refuse(now),
                    Decision::Reject(r) => s.reject(now, r),
                };
                // A handler's reply of the wrong class becomes a local error.
                if r.is_err() {
                    let _ = s.reject(now, &local_error());
                }
            }
            if let Some(out) = s.poll_transmit() {
                write_all(&mut stream, &out, config.write_timeout).await?;
            }
        }
        if s.is_closed() {
            linger_close(stream).await;
            return Ok(());
        }
        let read = match s.poll_timeout() {
            Some(at) => {
                let at = ::tokio::time::Instant::from_std(at);
                ::tokio::time::timeout_at(at, stream.read(&mut buf))
                    .await
                    .ok()
            }
            None => Some(stream.read(&mut buf).await),
        };
        let now = Instant::now();
        match read {
            None => s.handle_timeout(now),
            Some(Ok(0)) | Some(Err(_)) => {
                s.handle_eof(now);
                return Ok(());
            }
            Some(Ok(n)) => s.handle_input(now, &buf[..n]),
        }
    }
}

/// Why [`Client`] failed: the transport, or SMTP.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SendError {
    /// Connecting, reading or writing failed.
    #[error("i/o: {0}")]
    Io(#[from] io::Error),
    /// The server refused, or broke the protocol.
    #[error(transparent)]
    Smtp(#[from] ClientError),
}

/// An SMTP client connection: greeting, EHLO, AUTH done in
/// [`Client::connect`], then any number of messages.
///
/// ```no_run
/// # async fn run() -> Result<(), smtp_codec::tokio::SendError> {
/// use smtp_codec::client::{ClientConfig, Envelope};
/// use smtp_codec::tokio::Client;
///
/// let mut c = Client::connect("127.0.0.1:2525", ClientConfig::new("client.example")).await?;
/// let d = c.send(Envelope::new(Some("a@example.org"), ["b@example.net"]), b"Subject: hi\r\n\r\nhello\r\n".to_vec()).await?;
/// println!("{}", d.reply);
/// c.quit().await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Client {
    stream: TcpStream,
    session: ClientSession,
    buf: Vec<u8>,
    capabilities: crate::capability::Capabilities,
}

impl Client {
    /// Connect and set the session up.
    pub async fn connect<A: ToSocketAddrs>(
        addr: A,
        config: ClientConfig,
    ) -> Result<Self, SendError> {
        let stream = TcpStream::connect(addr).await?;
        let _ = stream.set_nodelay(true);
        let mut c = Client {
            stream,
            session: ClientSession::new(config, Instant::now()),
            buf: vec![0u8; 16 * 1024],
            capabilities: Default::default(),
        };
        loop {
            match c.next_event().await? {
                ClientEvent::Ready { capabilities } => {
                    c.capabilities = capabilities;
                    return Ok(c);
                }
                ClientEvent::Closed(e) => {
                    return Err(e.unwrap_or(ClientError::ConnectionClosed).into());
                }
                ClientEvent::StartTls => return Err(ClientError::TlsUnavailable.into()),
                _ => {}
            }
        }
    }

    /// What the server offers.
    pub fn capabilities(&self) -> &crate::capability::Capabilities {
        &self.capabilities
    }

    /// Send one message; the result holds every recipient's reply.
    pub async fn send(&mut self, envelope: Envelope, body: Vec<u8>) -> Result<Delivery, SendError> {
        let id = self.session.send_mail(envelope, body)?;
        loop {
            match self.next_event().await? {
                ClientEvent::Sent { id: done, result } if done == id => return Ok(result?),
                ClientEvent::Closed(e) => {
                    return Err(e.unwrap_or(ClientError::ConnectionClosed).into());
                }
                _ => {}
            }
        }
    }

    /// QUIT and close.
    pub async fn quit(mut self) -> Result<(), SendError> {
        self.session.quit();
        loop {
            if let ClientEvent::Closed(e) = self.next_event().await? {
                let _ = self.stream.shutdown().await;
                return match e {
                    None => Ok(()),
                    Some(e) => Err(e.into()),
                };
            }
        }
    }

    /// Drive the session until it has an event.
    async fn next_event(&mut self) -> Result<ClientEvent, SendError> {
        loop {
            if let Some(out) = self.session.poll_transmit() {
                self.stream.write_all(&out).await?;
            }
            if let Some(ev) = self.session.poll_event() {
                return Ok(ev);
            }
            let read = match self.session.poll_timeout() {
                Some(at) => {
                    let at = ::tokio::time::Instant::from_std(at);
                    ::tokio::time::timeout_at(at, self.stream.read(&mut self.buf))
                        .await
                        .ok()
                }
                None if self.session.is_closed() => {
                    return Ok(ClientEvent::Closed(Some(ClientError::ConnectionClosed)));
                }
                None => Some(self.stream.read(&mut self.buf).await),
            };
            let now = Instant::now();
            match read {
                None => self.session.handle_timeout(now),
                Some(Ok(0)) => self.session.handle_eof(now),
                Some(Ok(n)) => self.session.handle_input(now, &self.buf[..n]),
                Some(Err(e)) => return Err(e.into()),
            }
        }
    }
}

/// Connect, send one message, QUIT.
pub async fn send_mail<A: ToSocketAddrs>(
    addr: A,
    config: ClientConfig,
    envelope: Envelope,
    body: Vec<u8>,
) -> Result<Delivery, SendError> {
    let mut c = Client::connect(addr, config).await?;
    let d = c.send(envelope, body).await?;
    // The message is delivered; a failing QUIT does not undo that.
    let _ = c.quit().await;
    Ok(d)
}

fn local_error() -> OwnedReply {
    OwnedReply {
        code: crate::reply::ReplyCode::new(451).expect("451 is a reply code"),
        enhanced: Some(crate::reply::EnhancedCode::new(4, 3, 0)),
        lines: vec![String::from("Local error in processing")],
    }
}
