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
use std::time::{Instant, SystemTime, UNIX_EPOCH};
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

/// Seeds the id and 0x20 randomness from the clock and the socket's port. Not
/// cryptographic; callers who need unpredictable ids drive a [`StubResolver`] with
/// their own RNG.
fn weak_rng(port: u16) -> impl FnMut() -> u64 {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(1, |d| d.as_nanos() as u64);
    let mut state = nanos ^ (u64::from(port) << 48) | 1;
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
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
    let mut rng = weak_rng(udp.local_addr()?.port());
    let mut stub = StubResolver::new(config);
    stub.query(Instant::now(), name, qtype, &mut rng)?;
    let mut buf = std::vec![0u8; 65_535];
    loop {
        while let Some(t) = stub.poll_transmit() {
            match t.protocol {
                Protocol::Udp => {
                    udp.send_to(&t.message, t.server).await?;
                }
                Protocol::Tcp => {
                    // One connection per TCP query; a failure counts as no answer.
                    if let Ok(reply) = tcp_exchange(t.server, &t.message).await {
                        stub.handle_tcp_message(Instant::now(), t.server, &reply);
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
            () = tokio::time::sleep_until(deadline) => stub.handle_timeout(Instant::now()),
            received = udp.recv_from(&mut buf) => {
                let (n, from) = received?;
                stub.handle_datagram(Instant::now(), from, &buf[..n]);
            }
        }
    }
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
