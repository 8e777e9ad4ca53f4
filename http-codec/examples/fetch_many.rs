//! Sends several requests over ONE keep-alive [`Connection`], for interop tests.
//!
//! ```text
//! cargo run -p http-codec --features tokio --example fetch_many -- \
//!     [--out DIR] ADDR [-X METHOD] [-H 'Name: value']... [--data-file PATH] TARGET ...
//! fetch_many --out /tmp/o 127.0.0.1:8080 /index.html -X HEAD /1m.bin \
//!     -H 'If-Modified-Since: Sat, 01 Jan 2050 00:00:00 GMT' /index.html
//! ```
//!
//! `-X`, `-H` and `--data-file` apply to the next TARGET only (GET with no
//! headers and no body by default). For each request it prints a block:
//!
//! ```text
//! request 1 GET /index.html
//! status 200 OK
//! header content-type: text/html
//! body 17 DIR/1.body
//! trailer name: value          (chunked bodies with trailers only)
//! reusable yes
//! ```
//!
//! and writes the body to `DIR/N.body` when `--out` is given. Every request
//! goes over the same connection: when the server closes it, the next request
//! fails and the program exits 1.

use std::path::PathBuf;

use bytes::Bytes;
use http_codec::client::Connection;

struct Req {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Bytes,
}

fn usage() -> ! {
    eprintln!(
        "usage: fetch_many [--out DIR] ADDR [-X METHOD] [-H 'Name: value']... [--data-file PATH] TARGET ..."
    );
    std::process::exit(2);
}

fn parse_args() -> (Option<PathBuf>, String, Vec<Req>) {
    let mut args = std::env::args().skip(1);
    let mut out = None;
    let mut addr = None;
    let mut reqs = Vec::new();
    let mut method = None;
    let mut headers = Vec::new();
    let mut body = Bytes::new();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--out" if addr.is_none() => {
                out = Some(PathBuf::from(args.next().unwrap_or_else(|| usage())))
            }
            "-X" => method = Some(args.next().unwrap_or_else(|| usage())),
            "-H" => {
                let h = args.next().unwrap_or_else(|| usage());
                let Some((n, v)) = h.split_once(':') else {
                    usage()
                };
                headers.push((n.trim().to_string(), v.trim().to_string()));
            }
            "--data-file" => {
                let p = args.next().unwrap_or_else(|| usage());
                body = match std::fs::read(&p) {
                    Ok(b) => b.into(),
                    Err(e) => {
                        eprintln!("fetch_many: {p}: {e}");
                        std::process::exit(2);
                    }
                };
            }
            _ if a.starts_with('-') => usage(),
            _ if addr.is_none() => addr = Some(a),
            _ => reqs.push(Req {
                method: method.take().unwrap_or_else(|| "GET".into()),
                target: a,
                headers: std::mem::take(&mut headers),
                body: std::mem::take(&mut body),
            }),
        }
    }
    let Some(addr) = addr else { usage() };
    if reqs.is_empty() {
        usage();
    }
    (out, addr, reqs)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let (out, addr, reqs) = parse_args();
    if let Some(dir) = &out {
        std::fs::create_dir_all(dir).expect("create the output directory");
    }
    let mut conn = match Connection::connect(&addr).await {
        Ok(c) => c,
        Err(e) => {
            eprintln!("fetch_many: connect {addr}: {e}");
            std::process::exit(1);
        }
    };
    for (i, r) in reqs.iter().enumerate() {
        let n = i + 1;
        println!("request {n} {} {}", r.method, r.target);
        if !conn.is_reusable() {
            eprintln!("fetch_many: the connection cannot carry request {n}");
            std::process::exit(1);
        }
        let headers: Vec<(&str, &str)> = r
            .headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let response = match conn
            .fetch(&r.method, &r.target, &headers, r.body.clone())
            .await
        {
            Ok(resp) => resp,
            Err(e) => {
                eprintln!("fetch_many: request {n} {} {}: {e}", r.method, r.target);
                std::process::exit(1);
            }
        };
        let head = &response.head;
        println!(
            "status {} {}",
            head.status(),
            String::from_utf8_lossy(head.reason())
        );
        for h in head.headers() {
            println!("header {}: {}", h.name, String::from_utf8_lossy(h.value));
        }
        match &out {
            Some(dir) => {
                let path = dir.join(format!("{n}.body"));
                std::fs::write(&path, &response.body).expect("write the body");
                println!("body {} {}", response.body.len(), path.display());
            }
            None => println!("body {}", response.body.len()),
        }
        if let Some(t) = &response.trailers {
            for h in t.headers() {
                println!("trailer {}: {}", h.name, String::from_utf8_lossy(h.value));
            }
        }
        println!("reusable {}", if conn.is_reusable() { "yes" } else { "no" });
    }
}
