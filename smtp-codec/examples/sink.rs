//! A receiving SMTP server that stores each message as an `.eml` file.
//!
//! ```text
//! cargo run -p smtp-codec --features tokio --example sink -- --dir /tmp/mail
//! cargo run -p smtp-codec --features tokio --example sink -- \
//!     --listen 127.0.0.1:2525 --dir /tmp/mail --hostname sink.test \
//!     --max-size 20000000 --auth user:secret
//! ```
//!
//! Each message gets a `Return-Path` and a `Received` header (RFC 5321
//! §4.4) and is written to a temporary file, synced, renamed to
//! `<dir>/<time>-<n>.eml` and the directory synced. Only then is the end
//! of data answered 250: a message the client saw accepted is on disk.
//! A failed write is answered `451 4.3.0`, so the client keeps the message
//! and tries again. One line per message goes to standard output.
//!
//! `--auth USER:PASS` offers AUTH PLAIN and LOGIN without TLS (this
//! example has no TLS): use it on loopback only.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use smtp_codec::message::format_date;
use smtp_codec::reply::{EnhancedCode, OwnedReply, ReplyCode};
use smtp_codec::sasl::Credentials;
use smtp_codec::server::{AuthMechanism, ServerConfig, Transaction};
use smtp_codec::tokio::{Decision, Handler, SessionInfo, serve};
use smtp_codec::trace::trace_headers;

struct Sink {
    dir: PathBuf,
    hostname: String,
    auth: Option<(String, String)>,
    counter: AtomicU64,
}

impl Handler for Sink {
    async fn auth(&self, _m: AuthMechanism, c: &Credentials, _info: &SessionInfo) -> bool {
        self.auth
            .as_ref()
            .is_some_and(|(u, p)| *u == c.username && *p == c.password)
    }

    async fn message(&self, tx: Transaction, info: &SessionInfo) -> Decision {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let name = format!("{}{:09}-{n}", now.as_secs(), now.subsec_nanos());
        let date = format_date(now.as_secs() as i64, 0).unwrap_or_default();
        let head =
            trace_headers(&tx, Some(info.peer.ip()), &self.hostname, &name, &date).into_bytes();
        let dir = self.dir.clone();
        let size = tx.body.len();
        let body = tx.body;
        let stored = tokio::task::spawn_blocking(move || store(&dir, &name, &head, &body)).await;
        match stored {
            Ok(Ok(path)) => {
                let to: Vec<String> = tx
                    .recipients
                    .iter()
                    .map(|r| format!("<{}>", r.to))
                    .collect();
                println!(
                    "stored {} from=<{}> to={} size={size}",
                    path.display(),
                    tx.mail.from.as_deref().unwrap_or(""),
                    to.join(",")
                );
                Decision::Accept
            }
            Ok(Err(e)) => {
                eprintln!("sink: cannot store a message: {e}");
                Decision::Reject(reply(
                    451,
                    (4, 3, 0),
                    "Error: cannot store the message, try again later",
                ))
            }
            Err(e) => {
                eprintln!("sink: store task failed: {e}");
                Decision::Reject(reply(
                    451,
                    (4, 3, 0),
                    "Error: cannot store the message, try again later",
                ))
            }
        }
    }
}

fn reply(code: u16, esc: (u8, u16, u16), text: &str) -> OwnedReply {
    OwnedReply {
        code: ReplyCode::new(code).expect("a valid code"),
        enhanced: Some(EnhancedCode::new(esc.0, esc.1, esc.2)),
        lines: vec![text.to_owned()],
    }
}

fn store(dir: &Path, name: &str, head: &[u8], body: &[u8]) -> std::io::Result<PathBuf> {
    let tmp = dir.join(format!(".{name}.tmp"));
    let path = dir.join(format!("{name}.eml"));
    let result = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(head)?;
        f.write_all(body)?;
        f.sync_all()?;
        std::fs::rename(&tmp, &path)?;
        std::fs::File::open(dir)?.sync_all()
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map(|()| path)
}

fn usage() -> ExitCode {
    eprintln!(
        "usage: sink --dir DIR [--listen ADDR (127.0.0.1:2525)] [--hostname NAME] [--max-size OCTETS] [--auth USER:PASS]"
    );
    ExitCode::from(2)
}

#[tokio::main]
async fn main() -> ExitCode {
    let mut listen = String::from("127.0.0.1:2525");
    let mut dir = None;
    let mut hostname = String::from("localhost");
    let mut max_size = None;
    let mut auth = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let Some(v) = args.next() else { return usage() };
        match a.as_str() {
            "--listen" => listen = v,
            "--dir" => dir = Some(PathBuf::from(v)),
            "--hostname" => hostname = v,
            "--max-size" => match v.parse::<u64>() {
                Ok(n) => max_size = Some(n),
                Err(_) => return usage(),
            },
            "--auth" => match v.split_once(':') {
                Some((u, p)) => auth = Some((u.to_owned(), p.to_owned())),
                None => return usage(),
            },
            _ => return usage(),
        }
    }
    let Some(dir) = dir else { return usage() };
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("sink: {}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    let mut config = ServerConfig::new(&hostname);
    if let Some(n) = max_size {
        config.max_message_size = n;
    }
    if auth.is_some() {
        config.capabilities.auth = ["PLAIN", "LOGIN"].into();
        config.auth_requires_tls = false;
    }
    let listener = match tokio::net::TcpListener::bind(&listen).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("sink: bind {listen}: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "listening on {}",
        listener
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or(listen)
    );
    let sink = Sink {
        dir,
        hostname,
        auth,
        counter: AtomicU64::new(0),
    };
    match serve(listener, config, sink).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sink: {e}");
            ExitCode::FAILURE
        }
    }
}
