//! smtp-codec's tokio server doing what postfix's `smtp-sink` does without `-d`:
//! accept every sender, recipient and message, and throw the message away. For
//! `scripts/bench-smtp`, which runs postfix's `smtp-source` against both.
//!
//! ```sh
//! cargo run --release -p applayer-benches --bin applayer_smtp_sink -- 127.0.0.1:2526 [THREADS]
//! ```
//!
//! THREADS is the number of tokio worker threads (default 2); `1` runs a
//! current-thread runtime, like smtp-sink's single process.

use smtp_codec::server::{ServerConfig, Transaction};
use smtp_codec::tokio::{Decision, Handler, SessionInfo, serve};
use tokio::net::TcpListener;

const DEFAULT_ADDR: &str = "127.0.0.1:2526";

struct Discard;

impl Handler for Discard {
    async fn message(&self, tx: Transaction, _info: &SessionInfo) -> Decision {
        drop(tx);
        Decision::Accept
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| DEFAULT_ADDR.to_owned());
    let threads: usize = match args.next() {
        Some(n) => n.parse()?,
        None => 2,
    };
    let runtime = if threads <= 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .enable_time()
            .build()?
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_io()
            .enable_time()
            .build()?
    };
    runtime.block_on(async move {
        let listener = TcpListener::bind(&addr).await?;
        eprintln!(
            "applayer_smtp_sink listening on {} ({threads} thread(s))",
            listener.local_addr()?
        );
        serve(listener, ServerConfig::new("sink.test"), Discard).await?;
        Ok(())
    })
}
