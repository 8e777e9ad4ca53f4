//! The tokio server and client over real loopback sockets.
#![cfg(feature = "tokio")]

use std::time::Duration;

use bytes::Bytes;
use http_codec::client::{Connection, get};
use http_codec::server::{Request, Response, ServeConfig, serve_with};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

async fn handler(mut req: Request) -> Response {
    match req.head().target() {
        "/echo" => {
            let body = req.body_mut().collect(1 << 20).await.unwrap_or_default();
            Response::new(200)
                .header("x-len", body.len().to_string())
                .body(body)
        }
        "/stream" => {
            let (response, tx) = Response::new(200).streaming(None);
            tokio::spawn(async move {
                for i in 0..5 {
                    let _ = tx.send(Bytes::from(format!("part {i}\n"))).await;
                }
            });
            response
        }
        "/ws" => {
            let upgrade = req.on_upgrade();
            tokio::spawn(async move {
                if let Ok(mut up) = upgrade.await_upgrade().await {
                    // Echo, starting with what the client sent early.
                    let _ = up.stream.write_all(&up.buffered).await;
                    let mut buf = [0u8; 64];
                    while let Ok(n) = up.stream.read(&mut buf).await {
                        if n == 0 || up.stream.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                }
            });
            Response::new(101)
                .header("connection", "upgrade")
                .header("upgrade", "echo")
        }
        "/reject" => Response::new(413).body("too big"),
        _ => Response::new(404).body("missing"),
    }
}

async fn start() -> (
    String,
    oneshot::Sender<()>,
    tokio::task::JoinHandle<std::io::Result<()>>,
) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(serve_with(
        listener,
        ServeConfig::default(),
        handler,
        async {
            let _ = stopped.await;
        },
    ));
    (addr, stop, task)
}

async fn raw_exchange(addr: &str, request: &[u8], until: &[u8]) -> Vec<u8> {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(request).await.unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    while !got.windows(until.len()).any(|w| w == until) {
        let n = tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
    }
    got
}

#[tokio::test]
async fn keep_alive_connection_serves_several_requests_and_streams() {
    let (addr, stop, task) = start().await;
    let mut conn = Connection::connect(&addr).await.unwrap();
    let r = conn
        .fetch("POST", "/echo", &[], Bytes::from_static(b"ping"))
        .await
        .unwrap();
    assert_eq!((r.head.status(), &r.body[..]), (200, &b"ping"[..]));
    assert_eq!(r.head.headers().get("x-len"), Some(&b"4"[..]));
    assert!(r.head.headers().get("date").is_some());
    let r = conn
        .fetch("GET", "/stream", &[], Bytes::new())
        .await
        .unwrap();
    assert_eq!(
        r.head.headers().get("transfer-encoding"),
        Some(&b"chunked"[..])
    );
    assert_eq!(&r.body[..], b"part 0\npart 1\npart 2\npart 3\npart 4\n");
    let r = conn.fetch("GET", "/nope", &[], Bytes::new()).await.unwrap();
    assert_eq!((r.head.status(), &r.body[..]), (404, &b"missing"[..]));
    assert!(conn.is_reusable());
    let page = get(&format!("http://{addr}/echo")).await.unwrap();
    assert_eq!(page.head.status(), 200);
    stop.send(()).unwrap();
    task.await.unwrap().unwrap();
}

#[tokio::test]
async fn expect_continue_is_answered_when_the_handler_reads_the_body() {
    let (addr, stop, _task) = start().await;
    let mut s = TcpStream::connect(&addr).await.unwrap();
    s.write_all(
        b"POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n",
    )
    .await
    .unwrap();
    let mut buf = [0u8; 256];
    let n = s.read(&mut buf).await.unwrap();
    assert_eq!(&buf[..n], b"HTTP/1.1 100 Continue\r\n\r\n");
    s.write_all(b"abc").await.unwrap();
    let mut got = Vec::new();
    while !got.ends_with(b"abc") {
        let n = s.read(&mut buf).await.unwrap();
        assert!(n > 0, "closed early: {:?}", String::from_utf8_lossy(&got));
        got.extend_from_slice(&buf[..n]);
    }
    assert!(got.starts_with(b"HTTP/1.1 200 OK\r\n"));
    let _ = stop.send(());
}

#[tokio::test]
async fn upgrade_hands_over_the_stream_with_early_bytes() {
    let (addr, stop, _task) = start().await;
    let got = raw_exchange(
        &addr,
        b"GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: echo\r\n\r\nearly-bytes",
        b"early-bytes",
    )
    .await;
    let text = String::from_utf8_lossy(&got);
    assert!(
        text.starts_with("HTTP/1.1 101 Switching Protocols\r\n"),
        "{text}"
    );
    assert!(text.ends_with("\r\n\r\nearly-bytes"), "{text}");
    let _ = stop.send(());
}

#[tokio::test]
async fn malformed_requests_get_400_and_close() {
    let (addr, stop, _task) = start().await;
    for bad in [
        &b"GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"[..],
        b"GET / HTTP/1.1\r\nBad Header: x\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",
        b"GET / HTTP/1.1\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: a/b\r\n\r\n",
        b"CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\nContent-Length: 3\r\n\r\nabc",
    ] {
        let mut s = TcpStream::connect(&addr).await.unwrap();
        s.write_all(bad).await.unwrap();
        let mut got = Vec::new();
        tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut got))
            .await
            .unwrap()
            .unwrap();
        let text = String::from_utf8_lossy(&got);
        assert!(text.starts_with("HTTP/1.1 400 Bad Request\r\n"), "{text}");
        assert!(text.contains("connection: close"), "{text}");
    }
    let _ = stop.send(());
}

#[tokio::test]
async fn an_early_response_reaches_a_client_still_sending_its_body() {
    let (addr, stop, _task) = start().await;
    let mut s = TcpStream::connect(&addr).await.unwrap();
    s.write_all(b"POST /reject HTTP/1.1\r\nHost: a\r\nContent-Length: 50000000\r\n\r\n")
        .await
        .unwrap();
    // Keep sending body bytes the server will never read, as an uploader does.
    let chunk = vec![b'x'; 64 * 1024];
    for _ in 0..4 {
        if s.write_all(&chunk).await.is_err() {
            break;
        }
    }
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout(Duration::from_secs(5), s.read(&mut buf))
            .await
            .unwrap()
        {
            Ok(0) | Err(_) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
    let text = String::from_utf8_lossy(&got);
    assert!(
        text.starts_with("HTTP/1.1 413 Content Too Large\r\n"),
        "{text}"
    );
    assert!(text.contains("connection: close"), "{text}");
    let _ = stop.send(());
}
