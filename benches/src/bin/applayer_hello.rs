//! http-codec's tokio server answering like `hyper_hello`, for `scripts/bench-wrk`:
//! HTTP/1.1 with keep-alive, on a tokio multi-thread runtime with 2 worker threads.
//! Every request gets `200 OK`, `content-type: text/plain` and the 13-byte body
//! `Hello, World!` (the server adds `content-length` and `date`).
//!
//! ```sh
//! cargo run --release -p applayer-benches --bin applayer_hello -- 127.0.0.1:18090
//! ```

use http_codec::server::{Request, Response, serve};
use tokio::net::TcpListener;

const DEFAULT_ADDR: &str = "127.0.0.1:18090";
const BODY: &[u8] = b"Hello, World!";

async fn hello(_request: Request) -> Response {
    Response::new(200)
        .header("content-type", "text/plain")
        .body(BODY)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| DEFAULT_ADDR.to_owned());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_io()
        .enable_time()
        .build()?;
    runtime.block_on(async move {
        let listener = TcpListener::bind(&addr).await?;
        eprintln!("applayer_hello listening on {}", listener.local_addr()?);
        serve(listener, hello).await?;
        Ok(())
    })
}
