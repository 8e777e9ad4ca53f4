//! An authoritative DNS server on tokio: UDP and TCP on the same port, answering from a
//! [`Catalog`] through the pure [`Catalog::answer`]. Nothing protocol-specific lives
//! here: this module moves bytes and enforces connection limits and timeouts.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use std::sync::Arc;
//! use dns_codec::auth::{Catalog, Zone};
//! use dns_codec::server::{Server, ServerConfig};
//! use dns_codec::zone::{parse_zone, ZoneOptions};
//!
//! let text = std::fs::read_to_string("example.test.zone")?;
//! let zone = Zone::new(parse_zone(&text, &ZoneOptions::default()).unwrap()).unwrap();
//! let catalog = Arc::new(Catalog::new(vec![zone]).unwrap());
//! let server = Server::bind("127.0.0.1:5300".parse().unwrap(), catalog, ServerConfig::default()).await?;
//! println!("serving on {}", server.local_addr());
//! server.run_until(async { let _ = tokio::signal::ctrl_c().await; }).await
//! # }
//! ```

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use std::vec;
use std::vec::Vec;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

use crate::auth::{Catalog, Transport};
use crate::wire::{TcpFramer, frame_prefix};

/// Server limits.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServerConfig {
    /// Most TCP connections open at once; more wait in the listen queue. Default 256.
    pub max_tcp_connections: usize,
    /// A TCP connection idle this long is closed (RFC 7766 section 6.2.3 suggests
    /// seconds). Default 10 s.
    pub tcp_idle_timeout: Duration,
    /// Tasks reading the UDP socket concurrently. Default: the number of CPUs.
    pub udp_workers: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            max_tcp_connections: 256,
            tcp_idle_timeout: Duration::from_secs(10),
            udp_workers: std::thread::available_parallelism().map_or(2, |n| n.get()),
        }
    }
}

/// A bound server: call [`Server::run_until`] to serve.
#[derive(Debug)]
pub struct Server {
    udp: Arc<UdpSocket>,
    tcp: TcpListener,
    catalog: Arc<Catalog>,
    config: ServerConfig,
}

impl Server {
    /// Binds UDP and TCP on `addr` (port 0 picks a free port, the same for both).
    pub async fn bind(
        addr: SocketAddr,
        catalog: Arc<Catalog>,
        config: ServerConfig,
    ) -> io::Result<Server> {
        let udp = UdpSocket::bind(addr).await?;
        let tcp = TcpListener::bind(udp.local_addr()?).await?;
        Ok(Server {
            udp: Arc::new(udp),
            tcp,
            catalog,
            config,
        })
    }

    /// The address served (UDP and TCP).
    pub fn local_addr(&self) -> SocketAddr {
        self.udp
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([0, 0, 0, 0], 0)))
    }

    /// Serves until `shutdown` completes, then stops accepting, lets TCP connections
    /// finish the query they are answering, and returns.
    pub async fn run_until(self, shutdown: impl Future<Output = ()>) -> io::Result<()> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let mut tasks = JoinSet::new();
        for _ in 0..self.config.udp_workers.max(1) {
            tasks.spawn(udp_worker(
                self.udp.clone(),
                self.catalog.clone(),
                stop_rx.clone(),
            ));
        }
        let limit = Arc::new(Semaphore::new(self.config.max_tcp_connections.max(1)));
        tokio::pin!(shutdown);
        loop {
            // Finished connections release their task slots as they go.
            while tasks.try_join_next().is_some() {}
            let permit = tokio::select! {
                () = &mut shutdown => break,
                permit = limit.clone().acquire_owned() => match permit {
                    Ok(p) => p,
                    Err(_) => break,
                },
            };
            let (stream, _) = tokio::select! {
                () = &mut shutdown => break,
                accepted = self.tcp.accept() => match accepted {
                    Ok(a) => a,
                    Err(_) => {
                        // Out of file descriptors and the like: back off instead of
                        // spinning, then keep serving.
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                },
            };
            let catalog = self.catalog.clone();
            let idle = self.config.tcp_idle_timeout;
            let stop = stop_rx.clone();
            tasks.spawn(async move {
                let _permit = permit;
                tcp_connection(stream, catalog, idle, stop).await;
            });
        }
        let _ = stop_tx.send(true);
        while tasks.join_next().await.is_some() {}
        Ok(())
    }
}

async fn udp_worker(
    socket: Arc<UdpSocket>,
    catalog: Arc<Catalog>,
    mut stop: watch::Receiver<bool>,
) {
    let mut query = vec![0u8; 65_535];
    let mut response = vec![0u8; 65_535];
    loop {
        let (len, peer) = tokio::select! {
            _ = stop.changed() => return,
            received = socket.recv_from(&mut query) => match received {
                Ok(r) => r,
                // ICMP errors surface here on some systems: ignore and go on.
                Err(_) => continue,
            },
        };
        if let Some(n) = catalog.answer(&query[..len], Transport::Udp, &mut response) {
            let _ = socket.send_to(&response[..n], peer).await;
        }
    }
}

async fn tcp_connection(
    mut stream: TcpStream,
    catalog: Arc<Catalog>,
    idle: Duration,
    mut stop: watch::Receiver<bool>,
) {
    let mut framer = TcpFramer::new();
    let mut read_buf = vec![0u8; 16 * 1024];
    let mut response = vec![0u8; 65_535];
    let mut out = Vec::with_capacity(2 + 65_535);
    // When the first byte of an unfinished query arrived: a query must be complete
    // within `idle` of it, so a client trickling bytes cannot hold a slot forever.
    let mut partial_since: Option<tokio::time::Instant> = None;
    loop {
        // Answer every complete query already buffered (pipelining, RFC 7766 6.2.1).
        while let Some(message) = framer.next_message() {
            let Ok(query) = message else { return };
            let Some(n) = catalog.answer(query, Transport::Tcp, &mut response) else {
                continue;
            };
            out.clear();
            out.extend_from_slice(&frame_prefix(n).unwrap_or([0, 0]));
            out.extend_from_slice(&response[..n]);
            // A client that does not read its answers is dropped after `idle`.
            let written = tokio::select! {
                _ = stop.changed() => return,
                w = tokio::time::timeout(idle, stream.write_all(&out)) => w,
            };
            if !matches!(written, Ok(Ok(()))) {
                return;
            }
        }
        if *stop.borrow() {
            return;
        }
        partial_since = match (framer.buffered(), partial_since) {
            (0, _) => None,
            (_, None) => Some(tokio::time::Instant::now()),
            (_, since) => since,
        };
        let deadline = match partial_since {
            Some(since) => since + idle,
            None => tokio::time::Instant::now() + idle,
        };
        let read = tokio::select! {
            _ = stop.changed() => return,
            r = tokio::time::timeout_at(deadline, stream.read(&mut read_buf)) => r,
        };
        match read {
            Ok(Ok(0)) | Ok(Err(_)) | Err(_) => return,
            Ok(Ok(n)) => framer.feed(&read_buf[..n]),
        }
    }
}
