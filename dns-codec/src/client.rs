//! A stub client on tokio: [`query`] drives a [`StubResolver`] over a UDP socket and,
//! after a truncated answer, a TCP connection.
//!
//! ```no_run
//! # async fn run() -> Result<(), dns_codec::client::QueryError> {
//! use dns_codec::client::query;
//! use dns_codec::wire::{Message, Rtype};
//! let response = query("127.0.0.1:5300".parse().unwrap(), &"example.test".parse().unwrap(), Rtype::A).await?;
//! let msg = Message::parse(&response).expect("the resolver returns valid messages");
//! for record in msg.answers() {
//!     println!("{} {:?}", record.name, record.data());
//! }
//! # Ok(())
//! # }
//! ```

use std::io;
use std::net::SocketAddr;
use std::time::Instant;
use std::vec::Vec;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};

use crate::stub::{Protocol, StubConfig, StubEvent, StubResolver};
use crate::wire::{Name, Rtype, frame_prefix};

/// Why a query failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QueryError {
    /// No matching response before the last retransmission's deadline.
    #[error("no answer from {0}")]
    Timeout(SocketAddr),
    /// The query could not be built.
    #[error("query could not be built: {0}")]
    Build(#[from] crate::wire::BuildError),
    /// A socket error.
    #[error("network error: {0}")]
    Io(#[from] io::Error),
}

/// Message ids and 0x20 case bits from the operating system's random source, so an
/// off-path attacker cannot predict them.
fn os_random() -> Result<impl FnMut() -> u64, io::Error> {
    // Fail early if the OS source is unavailable, rather than send guessable ids.
    getrandom::u64().map_err(|e| io::Error::other(std::format!("OS random source: {e}")))?;
    Ok(|| getrandom::u64().unwrap_or(0x9E37_79B9_7F4A_7C15))
}

/// Asks `server` for `name`/`qtype` with the default [`StubConfig`] and returns the
/// response bytes.
pub async fn query(server: SocketAddr, name: &Name, qtype: Rtype) -> Result<Vec<u8>, QueryError> {
    query_with(StubConfig::new(std::vec![server]), name, qtype).await
}

/// Like [`query`] with a configured resolver (servers, timeouts, TCP first...).
pub async fn query_with(
    config: StubConfig,
    name: &Name,
    qtype: Rtype,
) -> Result<Vec<u8>, QueryError> {
    let first = config.servers.first().copied();
    let bind: SocketAddr = match first {
        Some(SocketAddr::V6(_)) => "[::]:0".parse().map_err(|_| io::Error::other("address"))?,
        _ => "0.0.0.0:0"
            .parse()
            .map_err(|_| io::Error::other("address"))?,
    };
    let udp = UdpSocket::bind(bind).await?;
    let mut rng = os_random()?;
    let mut stub = StubResolver::new(config);
    stub.query(now(), name, qtype, &mut rng)?;
    let mut buf = std::vec![0u8; 65_535];
    loop {
        while let Some(t) = stub.poll_transmit() {
            match t.protocol {
                Protocol::Udp => {
                    // A failed send is a lost packet: the stub retransmits or moves on.
                    let _ = udp.send_to(&t.message, t.server).await;
                }
                Protocol::Tcp => {
                    // One connection per TCP query, bounded by the stub's deadline; a
                    // failure counts as no answer.
                    let deadline = stub
                        .poll_timeout()
                        .map(tokio::time::Instant::from_std)
                        .unwrap_or_else(|| {
                            tokio::time::Instant::now() + std::time::Duration::from_secs(5)
                        });
                    if let Ok(Ok(reply)) =
                        tokio::time::timeout_at(deadline, tcp_exchange(t.server, &t.message)).await
                    {
                        stub.handle_tcp_message(now(), t.server, &reply);
                    }
                }
            }
        }
        while let Some(event) = stub.poll_event() {
            match event {
                StubEvent::Answer { response, .. } => return Ok(response),
                StubEvent::Timeout { .. } => {
                    return Err(QueryError::Timeout(
                        first.unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 0))),
                    ));
                }
                // Spoofed or stray datagrams are ignored.
                _ => {}
            }
        }
        if stub.poll_transmit_pending() {
            continue;
        }
        let Some(deadline) = stub.poll_timeout() else {
            return Err(QueryError::Timeout(
                first.unwrap_or_else(|| SocketAddr::from(([0, 0, 0, 0], 0))),
            ));
        };
        let deadline = tokio::time::Instant::from_std(deadline);
        tokio::select! {
            () = tokio::time::sleep_until(deadline) => stub.handle_timeout(now()),
            received = udp.recv_from(&mut buf) => {
                // Errors (ICMP unreachable reported on the socket) are lost packets.
                if let Ok((n, from)) = received {
                    stub.handle_datagram(now(), from, &buf[..n]);
                }
            }
        }
    }
}

/// The current time on tokio's clock (which tests may pause), as a std `Instant`.
fn now() -> Instant {
    tokio::time::Instant::now().into_std()
}

async fn tcp_exchange(server: SocketAddr, message: &[u8]) -> io::Result<Vec<u8>> {
    let mut stream = TcpStream::connect(server).await?;
    let prefix = frame_prefix(message.len()).ok_or_else(|| io::Error::other("query too long"))?;
    let mut framed = Vec::with_capacity(2 + message.len());
    framed.extend_from_slice(&prefix);
    framed.extend_from_slice(message);
    stream.write_all(&framed).await?;
    let mut len = [0u8; 2];
    stream.read_exact(&mut len).await?;
    let mut reply = std::vec![0u8; usize::from(u16::from_be_bytes(len))];
    stream.read_exact(&mut reply).await?;
    Ok(reply)
}
