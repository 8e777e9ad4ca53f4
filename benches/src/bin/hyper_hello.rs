//! The smallest useful hyper 1.x server, for `scripts/bench-wrk`: HTTP/1.1 only, with
//! keep-alive, on a tokio multi-thread runtime with 2 worker threads. Every request
//! gets `200 OK`, `content-type: text/plain` and the 13-byte body `Hello, World!`
//! (hyper adds `content-length` and `date`).
//!
//! ```sh
//! cargo run --release -p applayer-benches --bin hyper_hello -- 127.0.0.1:18090
//! ```

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;

const DEFAULT_ADDR: &str = "127.0.0.1:18090";
const BODY: &[u8] = b"Hello, World!";

async fn hello(_request: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let mut response = Response::new(Full::new(Bytes::from_static(BODY)));
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    Ok(response)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr: SocketAddr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| DEFAULT_ADDR.to_owned())
        .parse()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_io()
        .build()?;
    runtime.block_on(async move {
        let listener = TcpListener::bind(addr).await?;
        eprintln!("hyper_hello listening on {}", listener.local_addr()?);
        loop {
            let stream = match listener.accept().await {
                Ok((stream, _peer)) => stream,
                // Out of descriptors or a connection reset before accept: keep serving.
                Err(e) => {
                    eprintln!("accept: {e}");
                    continue;
                }
            };
            let _ = stream.set_nodelay(true);
            tokio::spawn(async move {
                let connection = http1::Builder::new()
                    .keep_alive(true)
                    .serve_connection(TokioIo::new(stream), service_fn(hello));
                // A client that goes away mid-request is not the server's problem.
                let _ = connection.await;
            });
        }
    })
}
