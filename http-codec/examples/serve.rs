//! Serves the files of a directory over HTTP/1.1, and never anything outside it.
//!
//! ```text
//! cargo run -p http-codec --features tokio --example serve -- ./public 127.0.0.1:8080
//! ```
//!
//! GET and HEAD; `index.html` for directories; Last-Modified with
//! If-Modified-Since answered 304. Paths with `..` or `.` segments (also
//! percent-encoded), encoded slashes or backslashes, NUL, and symlinks that
//! lead out of the directory are refused.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use bytes::Bytes;
use http_codec::date::{format_http_date, parse_http_date};
use http_codec::server::{Request, Response, ServeConfig, serve_with};
use tokio::io::AsyncReadExt;

fn percent_decode(segment: &str) -> Option<Vec<u8>> {
    let b = segment.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = b.get(i + 1..i + 3)?;
            let s = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(s, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(out)
}

/// Maps an origin-form target to a path under `root`, or `None` when it must be refused.
fn resolve(root: &Path, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next()?;
    if !path.starts_with('/') {
        return None;
    }
    let mut out = root.to_path_buf();
    for raw in path.split('/').filter(|s| !s.is_empty()) {
        let seg = percent_decode(raw)?;
        let seg = String::from_utf8(seg).ok()?;
        if seg == "." || seg == ".." || seg.contains(['/', '\\', '\0']) || seg.contains(':') {
            return None;
        }
        out.push(seg);
    }
    // Symlinks: the real path must still be inside the real root.
    let real = out.canonicalize().ok()?;
    let real = if real.is_dir() {
        real.join("index.html").canonicalize().ok()?
    } else {
        real
    };
    real.starts_with(root).then_some(real)
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" | "htm" => "text/html; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        "css" => "text/css",
        "js" => "text/javascript",
        "json" => "application/json",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "svg" => "image/svg+xml",
        _ => "application/octet-stream",
    }
}

fn plain(status: u16, text: &'static str) -> Response {
    Response::new(status)
        .header("content-type", "text/plain; charset=utf-8")
        .body(text)
}

async fn handle(root: Arc<PathBuf>, req: Request) -> Response {
    let head = req.head();
    let method = head.method();
    if method != "GET" && method != "HEAD" {
        return plain(405, "method not allowed\n").header("allow", "GET, HEAD");
    }
    let Some(path) = resolve(&root, head.target()) else {
        return plain(404, "not found\n");
    };
    let Ok(meta) = tokio::fs::metadata(&path).await else {
        return plain(404, "not found\n");
    };
    if !meta.is_file() {
        return plain(404, "not found\n");
    }
    // HTTP dates have one-second resolution.
    let modified = meta
        .modified()
        .ok()
        .and_then(|m| m.duration_since(UNIX_EPOCH).ok())
        .map(|d| UNIX_EPOCH + Duration::from_secs(d.as_secs()));
    let last_modified = modified.map(format_http_date);
    let since = head
        .headers()
        .get("if-modified-since")
        .and_then(|v| std::str::from_utf8(v).ok())
        .and_then(parse_http_date);
    if let (Some(m), Some(s)) = (modified, since)
        && m <= s
        && head.headers().get("if-none-match").is_none()
    {
        let mut r = Response::new(304);
        if let Some(lm) = last_modified {
            r = r.header("last-modified", lm);
        }
        return r;
    }
    let mut response = Response::new(200).header("content-type", content_type(&path));
    if let Some(lm) = last_modified {
        response = response.header("last-modified", lm);
    }
    if method == "HEAD" {
        let (response, _) = response.streaming(Some(meta.len()));
        return response;
    }
    let Ok(mut file) = tokio::fs::File::open(&path).await else {
        return plain(404, "not found\n");
    };
    let (response, tx) = response.streaming(Some(meta.len()));
    tokio::spawn(async move {
        let mut left = meta.len();
        while left > 0 {
            let mut buf = vec![0u8; 64 * 1024];
            match file.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let n = n.min(left as usize);
                    buf.truncate(n);
                    left -= n as u64;
                    if tx.send(Bytes::from(buf)).await.is_err() {
                        break;
                    }
                }
            }
        }
    });
    response
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let root = args.next().unwrap_or_else(|| ".".into());
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:8080".into());
    let root = Arc::new(Path::new(&root).canonicalize()?);
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!(
        "serving {} on http://{}",
        root.display(),
        listener.local_addr()?
    );
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    serve_with(
        listener,
        ServeConfig::default(),
        move |req| handle(root.clone(), req),
        shutdown,
    )
    .await
}
