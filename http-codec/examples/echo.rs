//! Answers every request with 200 and its own body, for interop tests.
//!
//! ```text
//! cargo run -p http-codec --features tokio --example echo -- 127.0.0.1:8081
//! ```
//!
//! Whatever the method and target, the whole request body is read (which sends
//! `100 Continue` when the client asked for it) and echoed back, with headers
//! describing the request:
//!
//! - `x-method`, `x-target`, `x-version`: the request line;
//! - `x-framing`: how the request body was delimited (`none`, `length N`,
//!   `chunked`);
//! - `x-expect-continue`: `yes` when the request carried `Expect: 100-continue`;
//! - `x-body-length`: the length of the body received;
//! - `x-trailers`: the trailer field names of a chunked body, comma separated.
//!
//! Bodies over 64 MiB, or cut short, are answered 400.

use http_codec::h1::BodyFraming;
use http_codec::server::{Request, Response, ServeConfig, serve_with};

const LIMIT: usize = 64 << 20;

async fn handle(mut req: Request) -> Response {
    let head = req.head();
    let method = head.method().to_string();
    let target = head.target().to_string();
    let version = head.version().as_str().to_string();
    let framing = match head.framing().body {
        BodyFraming::None => "none".to_string(),
        BodyFraming::Length(n) => format!("length {n}"),
        BodyFraming::Chunked => "chunked".to_string(),
        BodyFraming::UntilClose => "until-close".to_string(),
    };
    let expect = if head.framing().expect_continue {
        "yes"
    } else {
        "no"
    };
    let body = match req.body_mut().collect(LIMIT).await {
        Ok(b) => b,
        Err(e) => {
            return Response::new(400)
                .header("content-type", "text/plain; charset=utf-8")
                .header("connection", "close")
                .body(format!("{e}\n"));
        }
    };
    let trailers = req
        .body_mut()
        .trailers()
        .map(|t| {
            t.headers()
                .iter()
                .map(|h| h.name.to_ascii_lowercase())
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default();
    let mut response = Response::new(200)
        .header("content-type", "application/octet-stream")
        .header("x-method", method)
        .header("x-target", target)
        .header("x-version", version)
        .header("x-framing", framing)
        .header("x-expect-continue", expect)
        .header("x-body-length", body.len().to_string());
    if !trailers.is_empty() {
        response = response.header("x-trailers", trailers);
    }
    response.body(body)
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8081".into());
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("echoing on http://{}", listener.local_addr()?);
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    serve_with(listener, ServeConfig::default(), handle, shutdown).await
}
