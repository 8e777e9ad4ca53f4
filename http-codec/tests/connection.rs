//! The HTTP/1.1 connection state machines as a user drives them.
//!
//! - `server_*`: [`ServerConnection`] fed request bytes, answering with
//!   commands, checked by its events, transmitted bytes and deadlines.
//! - `client_*`: [`ClientConnection`] likewise with response bytes.
//! - `back_to_back_*`: a client and a server wired to each other with a
//!   simulated clock, no sockets.
//! - `prop_*`: split invariance of both machines, and serialize → parse round
//!   trips of the wire layer.
//!
//! Time is simulated everywhere: every `Instant` is a fixed start plus an offset.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http_codec::h1::{
    BodyChunk, BodyDecoder, BodyFraming, BodyLength, ClientConfig, ClientConnection, ClientEvent,
    ErrorKind, Framing, HeadKind, HeadParser, Headers, Limits, ParseOptions, RequestId,
    ServerConfig, ServerConnection, ServerEvent, Version, WriteError, write_chunk,
    write_last_chunk, write_request_head, write_response_head,
};
use proptest::prelude::*;
use proptest::sample::Index;

// ---------------------------------------------------------------------------
// Helpers: owned, comparable events and small drivers.
// ---------------------------------------------------------------------------

/// Header fields as owned `(name, value)` pairs, in wire order.
type Fields = Vec<(String, Vec<u8>)>;

/// No header fields (for commands that take a slice of pairs).
const NO_FIELDS: &[(&str, &str)] = &[];

fn fields(headers: Headers<'_>) -> Fields {
    headers
        .iter()
        .map(|h| (h.name.to_string(), h.value.to_vec()))
        .collect()
}

fn owned_fields(pairs: &[(&str, &str)]) -> Fields {
    pairs
        .iter()
        .map(|(n, v)| (n.to_string(), v.as_bytes().to_vec()))
        .collect()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A server event reduced to plain data, so event sequences compare with `==`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Srv {
    Request {
        method: String,
        target: String,
        version: Version,
        headers: Fields,
    },
    Data(Vec<u8>),
    End(Option<Fields>),
    Upgraded(Vec<u8>),
}

impl From<ServerEvent> for Srv {
    fn from(event: ServerEvent) -> Self {
        match event {
            ServerEvent::Request(r) => Srv::Request {
                method: r.method().to_string(),
                target: r.target().to_string(),
                version: r.version(),
                headers: fields(r.headers()),
            },
            ServerEvent::Data(d) => Srv::Data(d.to_vec()),
            ServerEvent::EndOfRequest(t) => Srv::End(t.map(|t| fields(t.headers()))),
            ServerEvent::Upgraded(rest) => Srv::Upgraded(rest.to_vec()),
            other => panic!("unexpected server event {other:?}"),
        }
    }
}

/// A client event reduced to plain data (request ids as numbers).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Cli {
    Continue(u64),
    Informational(u64, u16, Fields),
    Response(u64, u16, Fields),
    Data(u64, Vec<u8>),
    End(u64, Option<Fields>),
    Upgraded(u64, Vec<u8>),
    Aborted(u64),
}

impl From<ClientEvent> for Cli {
    fn from(event: ClientEvent) -> Self {
        match event {
            ClientEvent::Continue(id) => Cli::Continue(id.0),
            ClientEvent::Informational(id, r) => {
                Cli::Informational(id.0, r.status(), fields(r.headers()))
            }
            ClientEvent::Response(id, r) => Cli::Response(id.0, r.status(), fields(r.headers())),
            ClientEvent::Data(id, d) => Cli::Data(id.0, d.to_vec()),
            ClientEvent::EndOfResponse(id, t) => Cli::End(id.0, t.map(|t| fields(t.headers()))),
            ClientEvent::Upgraded(id, rest) => Cli::Upgraded(id.0, rest.to_vec()),
            ClientEvent::Aborted(id) => Cli::Aborted(id.0),
            other => panic!("unexpected client event {other:?}"),
        }
    }
}

/// Joins adjacent body pieces: how a body is cut into `Data` events depends
/// on how the input arrived, its bytes do not.
fn merge_server_data(events: Vec<Srv>) -> Vec<Srv> {
    let mut out: Vec<Srv> = Vec::new();
    for e in events {
        match (out.last_mut(), e) {
            (Some(Srv::Data(acc)), Srv::Data(d)) => acc.extend_from_slice(&d),
            (_, e) => out.push(e),
        }
    }
    out
}

fn merge_client_data(events: Vec<Cli>) -> Vec<Cli> {
    let mut out: Vec<Cli> = Vec::new();
    for e in events {
        match (out.last_mut(), e) {
            (Some(Cli::Data(a, acc)), Cli::Data(b, d)) if *a == b => acc.extend_from_slice(&d),
            (_, e) => out.push(e),
        }
    }
    out
}

fn server_events(conn: &mut ServerConnection) -> Vec<Srv> {
    std::iter::from_fn(|| conn.poll_event())
        .map(Srv::from)
        .collect()
}

fn client_events(conn: &mut ClientConnection) -> Vec<Cli> {
    std::iter::from_fn(|| conn.poll_event())
        .map(Cli::from)
        .collect()
}

fn server_output(conn: &mut ServerConnection) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(b) = conn.poll_transmit() {
        out.extend_from_slice(&b);
    }
    out
}

fn client_output(conn: &mut ClientConnection) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(b) = conn.poll_transmit() {
        out.extend_from_slice(&b);
    }
    out
}

fn new_server() -> (ServerConnection, Instant) {
    let now = Instant::now();
    (ServerConnection::new(ServerConfig::default(), now), now)
}

fn new_client() -> (ClientConnection, Instant) {
    let now = Instant::now();
    (ClientConnection::new(ClientConfig::default(), now), now)
}

fn request_event(method: &str, target: &str, headers: &[(&str, &str)]) -> Srv {
    Srv::Request {
        method: method.to_string(),
        target: target.to_string(),
        version: Version::Http11,
        headers: owned_fields(headers),
    }
}

/// Answers the current request with an empty 200.
fn respond_empty(conn: &mut ServerConnection) {
    conn.send_response(200, None, NO_FIELDS, BodyLength::Empty)
        .expect("a request is waiting");
}

/// Answers the current request with `body` (Content-Length framing).
fn respond_with(conn: &mut ServerConnection, body: &'static [u8]) {
    conn.send_full_response(200, NO_FIELDS, Bytes::from_static(body))
        .expect("a request is waiting");
}

fn has_field_line(wire: &[u8], line: &str) -> bool {
    text(wire).contains(&format!("\r\n{line}\r\n"))
}

fn send_get(conn: &mut ClientConnection, now: Instant, target: &str) -> RequestId {
    conn.send_request(
        now,
        "GET",
        target,
        &[("host", "example")],
        BodyLength::Empty,
    )
    .expect("connection is reusable")
}

// ---------------------------------------------------------------------------
// Server: requests and bodies.
// ---------------------------------------------------------------------------

#[test]
fn server_simple_get_is_answered_and_stays_open() {
    let (mut conn, now) = new_server();
    conn.handle_input(
        now,
        b"GET /hello?x=1 HTTP/1.1\r\nHost: example\r\nAccept: */*\r\n\r\n",
    )
    .unwrap();
    assert_eq!(
        server_events(&mut conn),
        [
            request_event(
                "GET",
                "/hello?x=1",
                &[("Host", "example"), ("Accept", "*/*")]
            ),
            Srv::End(None),
        ]
    );
    conn.send_full_response(
        200,
        &[("content-type", "text/plain")],
        Bytes::from_static(b"hello"),
    )
    .unwrap();
    assert_eq!(
        text(&server_output(&mut conn)),
        "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\ncontent-length: 5\r\n\r\nhello"
    );
    assert!(!conn.should_close());
    assert!(conn.wants_input());
    assert!(conn.error().is_none());
}

#[test]
fn server_post_with_content_length_delivers_the_body() {
    let (mut conn, now) = new_server();
    conn.handle_input(
        now,
        b"POST /submit HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello",
    )
    .unwrap();
    let first = server_events(&mut conn);
    assert_eq!(first.len(), 2);
    assert_eq!(first[1], Srv::Data(b"hello".to_vec()));
    conn.handle_input(now, b" world").unwrap();
    assert_eq!(
        server_events(&mut conn),
        [Srv::Data(b" world".to_vec()), Srv::End(None)]
    );
    respond_empty(&mut conn);
    assert!(text(&server_output(&mut conn)).starts_with("HTTP/1.1 200 OK\r\n"));
    assert!(!conn.should_close());
}

#[test]
fn server_request_head_exposes_its_framing() {
    let (mut conn, now) = new_server();
    conn.handle_input(
        now,
        b"PUT /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc",
    )
    .unwrap();
    let Some(ServerEvent::Request(head)) = conn.poll_event() else {
        panic!("expected a request");
    };
    assert_eq!(head.framing().body, BodyFraming::Length(3));
    assert_eq!(head.framing().content_length, Some(3));
    assert!(head.framing().keep_alive);
    assert_eq!(head.headers().get("content-length"), Some(&b"3"[..]));
    assert!(head.raw().starts_with(b"PUT /x HTTP/1.1\r\n"));
}

#[test]
fn server_chunked_body_with_trailers() {
    let (mut conn, now) = new_server();
    let wire = b"POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\
        5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n";
    // Byte by byte: the decoder must resume anywhere.
    for b in wire.iter() {
        conn.handle_input(now, std::slice::from_ref(b)).unwrap();
    }
    let events = merge_server_data(server_events(&mut conn));
    assert_eq!(
        events,
        [
            request_event(
                "POST",
                "/up",
                &[("Host", "a"), ("Transfer-Encoding", "chunked")]
            ),
            Srv::Data(b"hello world".to_vec()),
            Srv::End(Some(owned_fields(&[
                ("X-Checksum", "abc"),
                ("X-Other", "1")
            ]))),
        ]
    );
    respond_empty(&mut conn);
    assert!(!conn.should_close());
}

#[test]
fn server_chunked_body_without_trailers_ends_with_none() {
    let (mut conn, now) = new_server();
    conn.handle_input(
        now,
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
    )
    .unwrap();
    let events = server_events(&mut conn);
    assert_eq!(events[1..], [Srv::Data(b"abc".to_vec()), Srv::End(None)]);
}

// ---------------------------------------------------------------------------
// Server: pipelining and persistence.
// ---------------------------------------------------------------------------

#[test]
fn server_pipelined_requests_are_answered_strictly_in_order() {
    let (mut conn, now) = new_server();
    conn.handle_input(
        now,
        b"GET /1 HTTP/1.1\r\nHost: a\r\n\r\n\
          POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc\
          GET /3 HTTP/1.1\r\nHost: a\r\n\r\n",
    )
    .unwrap();
    // Only the first request is parsed before it is answered.
    assert_eq!(
        server_events(&mut conn),
        [request_event("GET", "/1", &[("Host", "a")]), Srv::End(None)]
    );
    // A response in progress still holds the next request back.
    conn.send_response(200, None, NO_FIELDS, BodyLength::Known(3))
        .unwrap();
    conn.send_data(Bytes::from_static(b"one")).unwrap();
    assert_eq!(conn.poll_event().map(Srv::from), None);
    conn.finish_response(NO_FIELDS).unwrap();
    assert_eq!(
        server_events(&mut conn),
        [
            request_event("POST", "/2", &[("Host", "a"), ("Content-Length", "3")]),
            Srv::Data(b"abc".to_vec()),
            Srv::End(None),
        ]
    );
    respond_with(&mut conn, b"two");
    assert_eq!(
        server_events(&mut conn),
        [request_event("GET", "/3", &[("Host", "a")]), Srv::End(None)]
    );
    respond_with(&mut conn, b"three");
    assert_eq!(conn.poll_event().map(Srv::from), None);
    assert_eq!(
        text(&server_output(&mut conn)),
        "HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\none\
         HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\ntwo\
         HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\nthree"
    );
    assert!(!conn.should_close());
}

#[test]
fn server_http11_connection_close_request_closes_after_the_response() {
    let (mut conn, now) = new_server();
    conn.handle_input(
        now,
        b"GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\nGET /never HTTP/1.1\r\n\r\n",
    )
    .unwrap();
    assert_eq!(server_events(&mut conn).len(), 2);
    respond_with(&mut conn, b"bye");
    // Not closed until the response has been taken for sending.
    assert!(!conn.should_close());
    let out = server_output(&mut conn);
    assert!(has_field_line(&out, "connection: close"), "{}", text(&out));
    assert!(conn.should_close());
    assert!(!conn.wants_input());
    // The pipelined request is never parsed, later input is ignored.
    assert_eq!(conn.poll_event().map(Srv::from), None);
    conn.handle_input(now, b"GET /more HTTP/1.1\r\n\r\n")
        .unwrap();
    assert_eq!(conn.poll_event().map(Srv::from), None);
    assert_eq!(conn.poll_transmit(), None);
}

#[test]
fn server_response_with_connection_close_closes_without_duplicating_the_header() {
    let (mut conn, now) = new_server();
    conn.handle_input(now, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        .unwrap();
    server_events(&mut conn);
    conn.send_full_response(200, &[("Connection", "close")], Bytes::from_static(b"x"))
        .unwrap();
    let out = text(&server_output(&mut conn));
    assert_eq!(
        out.to_ascii_lowercase()
            .matches("connection: close")
            .count(),
        1
    );
    assert!(conn.should_close());
}

#[test]
fn server_http10_without_keep_alive_closes() {
    let (mut conn, now) = new_server();
    conn.handle_input(now, b"GET / HTTP/1.0\r\n\r\n").unwrap();
    let events = server_events(&mut conn);
    assert!(
        matches!(
            &events[0],
            Srv::Request {
                version: Version::Http10,
                ..
            }
        ),
        "{events:?}"
    );
    respond_with(&mut conn, b"hi");
    let out = server_output(&mut conn);
    // The response is HTTP/1.1 (RFC 9110 §6.2) and says it closes.
    assert!(text(&out).starts_with("HTTP/1.1 200 OK\r\n"));
    assert!(has_field_line(&out, "connection: close"), "{}", text(&out));
    assert!(conn.should_close());
}

#[test]
fn server_http10_keep_alive_is_kept_alive() {
    let (mut conn, now) = new_server();
    conn.handle_input(now, b"GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        .unwrap();
    server_events(&mut conn);
    respond_with(&mut conn, b"hi");
    let out = server_output(&mut conn);
    assert!(
        has_field_line(&out, "connection: keep-alive"),
        "{}",
        text(&out)
    );
    assert!(!conn.should_close());
    // A second request on the same connection.
    conn.handle_input(now, b"GET /b HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        .unwrap();
    let events = server_events(&mut conn);
    assert!(matches!(&events[0], Srv::Request { target, .. } if target == "/b"));
}

#[test]
fn server_chunked_response_to_http10_is_close_delimited() {
    let (mut conn, now) = new_server();
    conn.handle_input(now, b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        .unwrap();
    server_events(&mut conn);
    conn.send_response(200, None, NO_FIELDS, BodyLength::Chunked)
        .unwrap();
    conn.send_data(Bytes::from_static(b"hello ")).unwrap();
    conn.send_data(Bytes::from_static(b"world")).unwrap();
    conn.finish_response(NO_FIELDS).unwrap();
    assert_eq!(
        text(&server_output(&mut conn)),
        "HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nhello world"
    );
    assert!(conn.should_close());
}

#[test]
fn server_trailers_of_a_chunked_response_to_http10_are_dropped() {
    let (mut conn, now) = new_server();
    conn.handle_input(now, b"GET / HTTP/1.0\r\n\r\n").unwrap();
    server_events(&mut conn);
    // The application does not know the client is HTTP/1.0.
    conn.send_response(200, None, NO_FIELDS, BodyLength::Chunked)
        .unwrap();
    conn.send_data(Bytes::from_static(b"abc")).unwrap();
    conn.finish_response(&[("x-sum", "3")]).unwrap();
    assert_eq!(
        text(&server_output(&mut conn)),
        "HTTP/1.1 200 OK\r\nconnection: close\r\n\r\nabc"
    );
    assert!(conn.should_close());
}

#[test]
fn server_chunked_response_to_http11_is_chunked_with_trailers() {
    let (mut conn, now) = new_server();
    conn.handle_input(now, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        .unwrap();
    server_events(&mut conn);
    conn.send_response(200, None, NO_FIELDS, BodyLength::Chunked)
        .unwrap();
    conn.send_data(Bytes::from_static(b"hello")).unwrap();
    conn.send_data(Bytes::new()).unwrap(); // an empty piece writes nothing
    conn.finish_response(&[("x-sum", "5")]).unwrap();
    assert_eq!(
        text(&server_output(&mut conn)),
        "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nx-sum: 5\r\n\r\n"
    );
    assert!(!conn.should_close());
}

#[test]
fn server_large_body_pieces_are_queued_in_order() {
    let (mut conn, now) = new_server();
    conn.handle_input(now, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        .unwrap();
    server_events(&mut conn);
    let big = Bytes::from(vec![b'x'; 10_000]);
    conn.send_response(200, None, NO_FIELDS, BodyLength::Chunked)
        .unwrap();
    conn.send_data(Bytes::from_static(b"small")).unwrap();
    conn.send_data(big.clone()).unwrap();
    conn.send_data(Bytes::from_static(b"tail")).unwrap();
    assert_eq!(conn.pending_transmit(), {
        let head = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n".len();
        head + (3 + 5 + 2) + (6 + 10_000 + 2) + (3 + 4 + 2)
    });
    conn.finish_response(NO_FIELDS).unwrap();
    let out = server_output(&mut conn);
    let mut expected =
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n5\r\nsmall\r\n2710\r\n".to_vec();
    expected.extend_from_slice(&big);
    expected.extend_from_slice(b"\r\n4\r\ntail\r\n0\r\n\r\n");
    assert_eq!(out, expected);
    assert_eq!(conn.pending_transmit(), 0);
}

// ---------------------------------------------------------------------------
// Server: responses without a body, interim responses, 100-continue.
// ---------------------------------------------------------------------------

#[test]
fn server_head_response_keeps_content_length_but_carries_no_body() {
    let (mut conn, now) = new_server();
    conn.handle_input(
        now,
        b"HEAD /file HTTP/1.1\r\nHost: a\r\n\r\nGET /next HTTP/1.1\r\nHost: a\r\n\r\n",
    )
    .unwrap();
    server_events(&mut conn);
    conn.send_response(200, None, NO_FIELDS, BodyLength::Known(42))
        .unwrap();
    // The response is complete: there is no body to send.
    assert_eq!(
        conn.send_data(Bytes::from_static(b"x")),
        Err(WriteError::InvalidState)
    );
    assert_eq!(
        text(&server_output(&mut conn)),
        "HTTP/1.1 200 OK\r\ncontent-length: 42\r\n\r\n"
    );
    // And the next request follows at once.
    assert_eq!(
        server_events(&mut conn),
        [
            request_event("GET", "/next", &[("Host", "a")]),
            Srv::End(None)
        ]
    );
    // send_full_response to HEAD writes the length of the body, not the body.
    respond_with(&mut conn, b"ignored");
    conn.handle_input(now, b"HEAD / HTTP/1.1\r\nHost: a\r\n\r\n")
        .unwrap();
    server_output(&mut conn);
    server_events(&mut conn);
    respond_with(&mut conn, b"12345");
    assert_eq!(
        text(&server_output(&mut conn)),
        "HTTP/1.1 200 OK\r\ncontent-length: 5\r\n\r\n"
    );
    assert!(!conn.should_close());
}

#[test]
fn server_204_and_304_carry_no_body() {
    let (mut conn, now) = new_server();
    conn.handle_input(now, b"DELETE /x HTTP/1.1\r\nHost: a\r\n\r\n")
        .unwrap();
    server_events(&mut conn);
    assert_eq!(
        conn.send_response(204, None, NO_FIELDS, BodyLength::Known(3)),
        Err(WriteError::BodyNotAllowed)
    );
    assert_eq!(
        conn.send_response(204, None, NO_FIELDS, BodyLength::Chunked),
        Err(WriteError::BodyNotAllowed)
    );
    assert_eq!(conn.pending_transmit(), 0, "a refused head is not queued");
    conn.send_response(204, None, NO_FIELDS, BodyLength::Empty)
        .unwrap();
    assert_eq!(
        text(&server_output(&mut conn)),
        "HTTP/1.1 204 No Content\r\n\r\n"
    );

    conn.handle_input(
        now,
        b"GET /x HTTP/1.1\r\nHost: a\r\nIf-None-Match: \"v1\"\r\n\r\n",
    )
    .unwrap();
    server_events(&mut conn);
    conn.send_response(304, None, &[("etag", "\"v1\"")], BodyLength::Known(100))
        .unwrap();
    assert_eq!(
        text(&server_output(&mut conn)),
        "HTTP/1.1 304 Not Modified\r\netag: \"v1\"\r\ncontent-length: 100\r\n\r\n"
    );
    assert!(!conn.should_close());
    assert!(conn.wants_input());
}

#[test]
fn server_expect_100_continue_is_sent_on_request() {
    let (mut conn, now) = new_server();
    conn.handle_input(
        now,
        b"PUT /big HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n",
    )
    .unwrap();
    assert_eq!(server_events(&mut conn).len(), 1);
    assert!(conn.expects_continue());
    assert_eq!(conn.pending_transmit(), 0, "100 is the application's call");
    conn.send_continue();
    assert!(!conn.expects_continue());
    conn.send_continue(); // only once
    assert_eq!(
        text(&server_output(&mut conn)),
        "HTTP/1.1 100 Continue\r\n\r\n"
    );
    conn.handle_input(now, b"hello").unwrap();
    assert_eq!(
        server_events(&mut conn),
        [Srv::Data(b"hello".to_vec()), Srv::End(None)]
    );
    respond_empty(&mut conn);
    let out = server_output(&mut conn);
    assert!(!has_field_line(&out, "connection: close"), "{}", text(&out));
    assert!(!conn.should_close());
}

#[test]
fn server_expect_continue_is_moot_once_the_body_arrived() {
    let (mut conn, now) = new_server();
    conn.handle_input(
        now,
        b"PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok",
    )
    .unwrap();
    assert!(!conn.expects_continue());
    conn.send_continue();
    assert_eq!(conn.pending_transmit(), 0);
}

#[test]
fn server_interim_100_via_send_response_counts_as_continue() {
    let (mut conn, now) = new_server();
    conn.handle_input(
        now,
        b"PUT / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n",
    )
    .unwrap();
    conn.send_response(100, None, NO_FIELDS, BodyLength::Empty)
        .unwrap();
    assert!(!conn.expects_continue());
    assert_eq!(
        text(&server_output(&mut conn)),
        "HTTP/1.1 100 Continue\r\n\r\n"
    );
}

#[test]
fn server_final_response_without_reading_the_body_closes() {
    let (mut conn, now) = new_server();
    conn.handle_input(
        now,
        b"PUT /big HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 100000\r\n\r\n",
    )
    .unwrap();
    server_events(&mut conn);
    assert!(conn.expects_continue());
    conn.send_response(413, None, NO_FIELDS, BodyLength::Empty)
        .unwrap();
    let out = server_output(&mut conn);
    assert!(text(&out).starts_with("HTTP/1.1 413 Content Too Large\r\n"));
    // The client may or may not send the body now: the connection cannot be
    // reused, and the response says so (RFC 9110 §10.1.1).
    assert!(has_field_line(&out, "connection: close"), "{}", text(&out));
    assert!(conn.should_close());
    assert!(!conn.wants_input());
}

#[test]
fn server_response_started_before_the_body_was_read_announces_close() {
    let (mut conn, now) = new_server();
    conn.handle_input(
        now,
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123",
    )
    .unwrap();
    server_events(&mut conn);
    // Answered early (an error page, say): the rest of the body would be
    // read as the next request, so the connection ends and says so.
    respond_with(&mut conn, b"early");
    let out = server_output(&mut conn);
    assert!(has_field_line(&out, "connection: close"), "{}", text(&out));
    assert!(conn.should_close());
    conn.handle_input(now, b"456789").unwrap();
    assert_eq!(conn.poll_event().map(Srv::from), None);
}

#[test]
fn server_interim_103_precedes_the_final_response() {
    let (mut conn, now) = new_server();
    conn.handle_input(now, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        .unwrap();
    server_events(&mut conn);
    conn.send_response(
        103,
        None,
        &[("link", "</style.css>; rel=preload")],
        BodyLength::Empty,
    )
    .unwrap();
    respond_with(&mut conn, b"page");
    assert_eq!(
        text(&server_output(&mut conn)),
        "HTTP/1.1 103 Early Hints\r\nlink: </style.css>; rel=preload\r\n\r\n\
         HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\npage"
    );
}

#[test]
fn server_interim_responses_are_not_sent_to_http10_clients() {
    let (mut conn, now) = new_server();
    conn.handle_input(now, b"GET / HTTP/1.0\r\n\r\n").unwrap();
    server_events(&mut conn);
    conn.send_response(103, None, NO_FIELDS, BodyLength::Empty)
        .unwrap();
    assert_eq!(conn.pending_transmit(), 0);
}

// ---------------------------------------------------------------------------
// Server: protocol switches.
// ---------------------------------------------------------------------------

const UPGRADE_REQUEST: &[u8] =
    b"GET /chat HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n";

#[test]
fn server_101_hands_over_the_connection_with_buffered_bytes() {
    let (mut conn, now) = new_server();
    let mut input = UPGRADE_REQUEST.to_vec();
    input.extend_from_slice(b"\x81\x05hello");
    conn.handle_input(now, &input).unwrap();
    let events = server_events(&mut conn);
    let Srv::Request { headers, .. } = &events[0] else {
        panic!("{events:?}")
    };
    assert_eq!(headers.len(), 3);
    assert!(!conn.is_upgraded());
    conn.send_response(
        101,
        None,
        &[("connection", "upgrade"), ("upgrade", "websocket")],
        BodyLength::Empty,
    )
    .unwrap();
    assert_eq!(
        text(&server_output(&mut conn)),
        "HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: websocket\r\n\r\n"
    );
    assert_eq!(
        server_events(&mut conn),
        [Srv::Upgraded(b"\x81\x05hello".to_vec())]
    );
    assert!(conn.is_upgraded());
    assert!(!conn.should_close(), "the transport is the caller's now");
    assert!(!conn.wants_input());
    assert_eq!(conn.poll_timeout(), None);
    // The state machine no longer reads.
    conn.handle_input(now, b"\x81\x00").unwrap();
    assert_eq!(conn.poll_event().map(Srv::from), None);
}

#[test]
fn server_non_101_answer_to_an_upgrade_request_continues_http() {
    let (mut conn, now) = new_server();
    let mut input = UPGRADE_REQUEST.to_vec();
    input.extend_from_slice(b"GET /next HTTP/1.1\r\nHost: a\r\n\r\n");
    conn.handle_input(now, &input).unwrap();
    server_events(&mut conn);
    respond_with(&mut conn, b"no upgrade for you");
    assert!(!conn.is_upgraded());
    assert_eq!(
        server_events(&mut conn),
        [
            request_event("GET", "/next", &[("Host", "a")]),
            Srv::End(None)
        ]
    );
}

#[test]
fn server_refuses_101_without_an_upgrade_request() {
    let (mut conn, now) = new_server();
    conn.handle_input(
        now,
        b"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\n\r\n",
    )
    .unwrap();
    server_events(&mut conn);
    assert_eq!(
        conn.send_response(101, None, NO_FIELDS, BodyLength::Empty),
        Err(WriteError::InvalidState)
    );
    respond_empty(&mut conn);
    assert!(!conn.is_upgraded());
}

#[test]
fn server_connect_2xx_becomes_a_tunnel() {
    let (mut conn, now) = new_server();
    conn.handle_input(
        now,
        b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n\x16\x03\x01",
    )
    .unwrap();
    assert_eq!(
        server_events(&mut conn),
        [
            request_event("CONNECT", "example.com:443", &[("Host", "example.com:443")]),
            Srv::End(None)
        ]
    );
    conn.send_response(200, None, NO_FIELDS, BodyLength::Empty)
        .unwrap();
    assert_eq!(text(&server_output(&mut conn)), "HTTP/1.1 200 OK\r\n\r\n");
    assert_eq!(
        server_events(&mut conn),
        [Srv::Upgraded(b"\x16\x03\x01".to_vec())]
    );
    assert!(conn.is_upgraded());
}

#[test]
fn server_refused_connect_stays_http() {
    let (mut conn, now) = new_server();
    conn.handle_input(
        now,
        b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n",
    )
    .unwrap();
    server_events(&mut conn);
    conn.send_response(407, None, NO_FIELDS, BodyLength::Empty)
        .unwrap();
    assert!(!conn.is_upgraded());
    assert!(
        text(&server_output(&mut conn)).starts_with("HTTP/1.1 407 \r\ncontent-length: 0\r\n\r\n")
    );
    assert!(!conn.should_close());
}

// ---------------------------------------------------------------------------
// Server: protocol errors.
// ---------------------------------------------------------------------------

fn config_with(f: impl FnOnce(&mut ServerConfig)) -> ServerConfig {
    let mut config = ServerConfig::default();
    f(&mut config);
    config
}

/// Feeds `input`, expects an error with `status`, checks the queued error
/// response, and checks the closed connection stays calm afterwards.
fn assert_rejected(config: ServerConfig, input: &[u8], status: u16, kind: ErrorKind) {
    let now = Instant::now();
    let mut conn = ServerConnection::new(config, now);
    let err = conn
        .handle_input(now, input)
        .expect_err("the input is malformed");
    assert_eq!(err.kind(), kind, "{}", text(input));
    assert_eq!(err.status(), status, "{}", text(input));
    assert_eq!(conn.error(), Some(&err));
    let out = server_output(&mut conn);
    assert!(
        text(&out).starts_with(&format!("HTTP/1.1 {status} ")),
        "{}",
        text(&out)
    );
    assert!(has_field_line(&out, "connection: close"), "{}", text(&out));
    assert!(has_field_line(&out, "content-length: 0"), "{}", text(&out));
    assert!(conn.should_close());
    assert!(!conn.wants_input());
    assert_eq!(conn.poll_timeout(), None);
    // Whatever arrives next is ignored, without panics.
    let events_before = server_events(&mut conn).len();
    assert!(events_before <= 2);
    conn.handle_input(now, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        .unwrap();
    conn.handle_input(now, b"\0\xff garbage \r\n\r\n").unwrap();
    conn.handle_timeout(now + Duration::from_secs(3600))
        .unwrap();
    let _ = conn.handle_eof(now);
    assert_eq!(conn.poll_event().map(Srv::from), None);
    assert_eq!(conn.poll_transmit(), None);
    assert_eq!(
        conn.send_response(200, None, NO_FIELDS, BodyLength::Empty),
        Err(WriteError::InvalidState)
    );
    conn.send_continue();
    assert_eq!(conn.poll_transmit(), None);
}

#[test]
fn server_rejects_malformed_heads_with_400() {
    let cases: &[(&[u8], ErrorKind)] = &[
        (b"GET / HTTP/1.1\r\nHost\r\n\r\n", ErrorKind::MissingColon),
        (
            b"GET / HTTP/1.1\r\nHost : a\r\n\r\n",
            ErrorKind::WhitespaceBeforeColon,
        ),
        (b"GET / HTTP/1.1\nHost: a\n\n", ErrorKind::BareLf),
        (b"GET  / HTTP/1.1\r\n\r\n", ErrorKind::InvalidTarget),
        (b"G(T / HTTP/1.1\r\n\r\n", ErrorKind::InvalidMethod),
        (b"GET / HTTP/1.1 \r\n\r\n", ErrorKind::InvalidStartLine),
        (b"GET / HTTQ/1.1\r\n\r\n", ErrorKind::InvalidVersion),
        (
            b"GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n",
            ErrorKind::ObsFold,
        ),
        (
            b"GET / HTTP/1.1\r\nX: a\x00b\r\n\r\n",
            ErrorKind::InvalidHeaderValue,
        ),
        (b"GET / HTTP/1.1\r\n\r\n", ErrorKind::InvalidHost),
        (
            b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
            ErrorKind::InvalidHost,
        ),
    ];
    for &(input, kind) in cases {
        assert_rejected(ServerConfig::default(), input, 400, kind);
    }
}

#[test]
fn server_rejects_faulty_framing_with_400() {
    let cases: &[(&[u8], ErrorKind)] = &[
        (
            b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
            ErrorKind::ContentLengthWithTransferEncoding,
        ),
        (
            b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n",
            ErrorKind::InvalidContentLength,
        ),
        (
            b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n",
            ErrorKind::DuplicateContentLength,
        ),
        (
            b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n",
            ErrorKind::InvalidTransferEncoding,
        ),
        (
            b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n",
            ErrorKind::TransferEncodingOnHttp10,
        ),
        (
            b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
            ErrorKind::InvalidChunkSize,
        ),
        (
            b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX",
            ErrorKind::MissingChunkCrlf,
        ),
    ];
    for &(input, kind) in cases {
        assert_rejected(ServerConfig::default(), input, 400, kind);
    }
}

#[test]
fn server_rejects_a_declared_body_over_the_limit_with_413() {
    let config = config_with(|c| c.limits.max_body_size = Some(10));
    assert_rejected(
        config.clone(),
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\n",
        413,
        ErrorKind::BodyTooLarge,
    );
    // A chunked body is counted as it arrives.
    assert_rejected(
        config,
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\
          8\r\n01234567\r\n8\r\n01234567\r\n",
        413,
        ErrorKind::BodyTooLarge,
    );
}

#[test]
fn server_rejects_a_long_target_with_414() {
    let mut input = b"GET /".to_vec();
    input.extend(std::iter::repeat_n(b'a', 9000));
    input.extend_from_slice(b" HTTP/1.1\r\nHost: a\r\n\r\n");
    assert_rejected(
        ServerConfig::default(),
        &input,
        414,
        ErrorKind::TargetTooLong,
    );
    // Also while the request line is still incomplete.
    assert_rejected(
        ServerConfig::default(),
        &input[..8 * 1024 + 200],
        414,
        ErrorKind::TargetTooLong,
    );
}

#[test]
fn server_rejects_oversized_heads_with_431() {
    let mut many = b"GET / HTTP/1.1\r\n".to_vec();
    for i in 0..101 {
        many.extend_from_slice(format!("X-{i}: v\r\n").as_bytes());
    }
    many.extend_from_slice(b"\r\n");
    assert_rejected(
        ServerConfig::default(),
        &many,
        431,
        ErrorKind::TooManyHeaders,
    );

    let mut big = b"GET / HTTP/1.1\r\nX-Big: ".to_vec();
    big.extend(std::iter::repeat_n(b'a', 70_000));
    big.extend_from_slice(b"\r\n\r\n");
    assert_rejected(ServerConfig::default(), &big, 431, ErrorKind::HeadTooLarge);

    let small = config_with(|c| c.limits.max_head_size = 64);
    assert_rejected(
        small,
        b"GET / HTTP/1.1\r\nHost: a\r\nAccept: text/html,application/xhtml+xml\r\n\r\n",
        431,
        ErrorKind::HeadTooLarge,
    );
}

#[test]
fn server_rejects_unknown_transfer_codings_with_501() {
    assert_rejected(
        ServerConfig::default(),
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
        501,
        ErrorKind::UnsupportedTransferCoding,
    );
}

#[test]
fn server_rejects_http2_with_505() {
    assert_rejected(
        ServerConfig::default(),
        b"GET / HTTP/2.0\r\nHost: a\r\n\r\n",
        505,
        ErrorKind::UnsupportedVersion,
    );
}

#[test]
fn server_rejects_unknown_expectations_with_417() {
    assert_rejected(
        ServerConfig::default(),
        b"POST / HTTP/1.1\r\nHost: a\r\nExpect: 200-ok\r\nContent-Length: 1\r\n\r\n",
        417,
        ErrorKind::UnsupportedExpectation,
    );
}

#[test]
fn server_without_error_responses_just_closes() {
    let config = config_with(|c| c.error_responses = false);
    let now = Instant::now();
    let mut conn = ServerConnection::new(config, now);
    let err = conn
        .handle_input(now, b"GET / HTTP/9.9\r\n\r\n")
        .unwrap_err();
    assert_eq!(err.status(), 505);
    assert_eq!(conn.poll_transmit(), None);
    assert!(conn.should_close());
}

#[test]
fn server_malformed_pipelined_request_is_answered_after_the_good_one() {
    let (mut conn, now) = new_server();
    conn.handle_input(
        now,
        b"GET / HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nBad Header\r\n\r\n",
    )
    .unwrap();
    server_events(&mut conn);
    // The error is found while the response is being finished: a command
    // cannot return it, the connection records it and answers 400 after.
    respond_with(&mut conn, b"ok");
    assert_eq!(
        conn.error().map(|e| e.kind()),
        Some(ErrorKind::WhitespaceBeforeColon)
    );
    let out = text(&server_output(&mut conn));
    assert!(
        out.starts_with(
            "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokHTTP/1.1 400 Bad Request\r\n"
        ),
        "{out}"
    );
    assert!(conn.should_close());
}

#[test]
fn server_error_while_a_response_streams_sends_no_error_response() {
    let (mut conn, now) = new_server();
    conn.handle_input(
        now,
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n",
    )
    .unwrap();
    server_events(&mut conn);
    // The application answers before the body ends (an echo, say).
    conn.send_response(200, None, NO_FIELDS, BodyLength::Chunked)
        .unwrap();
    conn.send_data(Bytes::from_static(b"abc")).unwrap();
    let err = conn.handle_input(now, b"nothex\r\n").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidChunkSize);
    let out = text(&server_output(&mut conn));
    assert!(!out.contains("400"), "a head was already sent: {out}");
    assert!(conn.should_close());
    assert_eq!(
        conn.send_data(Bytes::from_static(b"more")),
        Err(WriteError::InvalidState)
    );
}

// ---------------------------------------------------------------------------
// Server: timers and end of stream.
// ---------------------------------------------------------------------------

fn timed_config() -> ServerConfig {
    config_with(|c| {
        c.header_read_timeout = Some(Duration::from_secs(10));
        c.keep_alive_timeout = Some(Duration::from_secs(60));
        c.body_read_timeout = Some(Duration::from_secs(20));
    })
}

#[test]
fn server_header_read_timeout_answers_408() {
    let t0 = Instant::now();
    let mut conn = ServerConnection::new(timed_config(), t0);
    assert_eq!(conn.poll_timeout(), Some(t0 + Duration::from_secs(60)));
    let t1 = t0 + Duration::from_secs(1);
    conn.handle_input(t1, b"GET / HTTP/1.1\r\nHo").unwrap();
    let deadline = t1 + Duration::from_secs(10);
    assert_eq!(conn.poll_timeout(), Some(deadline));
    // More bytes of the same head do not move the deadline.
    conn.handle_input(t1 + Duration::from_secs(5), b"st: a\r\n")
        .unwrap();
    assert_eq!(conn.poll_timeout(), Some(deadline));
    // An early call is a no-op.
    conn.handle_timeout(deadline - Duration::from_millis(1))
        .unwrap();
    assert_eq!(conn.pending_transmit(), 0);
    let err = conn.handle_timeout(deadline).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    let out = text(&server_output(&mut conn));
    assert!(out.starts_with("HTTP/1.1 408 Request Timeout\r\n"), "{out}");
    assert!(out.contains("\r\nconnection: close\r\n"));
    assert!(conn.should_close());
    assert_eq!(conn.poll_timeout(), None);
}

#[test]
fn server_idle_keep_alive_timeout_closes_quietly() {
    let t0 = Instant::now();
    let mut conn = ServerConnection::new(timed_config(), t0);
    let t1 = t0 + Duration::from_secs(3);
    conn.handle_input(t1, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        .unwrap();
    // No timer while the application works on the request.
    assert_eq!(conn.poll_timeout(), None);
    server_events(&mut conn);
    respond_empty(&mut conn);
    server_output(&mut conn);
    // The response is written out 5 s later: the idle clock starts then,
    // not at the request's arrival.
    let t2 = t1 + Duration::from_secs(5);
    conn.handle_timeout(t2).unwrap();
    let deadline = t2 + Duration::from_secs(60);
    assert_eq!(conn.poll_timeout(), Some(deadline));
    conn.handle_timeout(deadline - Duration::from_secs(1))
        .unwrap();
    assert!(!conn.should_close());
    conn.handle_timeout(deadline).unwrap();
    assert!(conn.should_close());
    assert_eq!(
        conn.poll_transmit(),
        None,
        "nothing is sent to an idle peer"
    );
    assert!(conn.error().is_none());
}

#[test]
fn server_body_read_timeout_answers_408() {
    let t0 = Instant::now();
    let mut conn = ServerConnection::new(timed_config(), t0);
    conn.handle_input(
        t0,
        b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n0123",
    )
    .unwrap();
    server_events(&mut conn);
    assert_eq!(conn.poll_timeout(), Some(t0 + Duration::from_secs(20)));
    // Each read of the body restarts the wait.
    let t1 = t0 + Duration::from_secs(15);
    conn.handle_input(t1, b"45").unwrap();
    assert_eq!(conn.poll_timeout(), Some(t1 + Duration::from_secs(20)));
    conn.handle_timeout(t0 + Duration::from_secs(20)).unwrap();
    let err = conn
        .handle_timeout(t1 + Duration::from_secs(20))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert!(text(&server_output(&mut conn)).starts_with("HTTP/1.1 408 "));
    assert!(conn.should_close());
}

#[test]
fn server_without_timeouts_arms_no_timer() {
    let config = config_with(|c| {
        c.header_read_timeout = None;
        c.keep_alive_timeout = None;
        c.body_read_timeout = None;
    });
    let t0 = Instant::now();
    let mut conn = ServerConnection::new(config, t0);
    assert_eq!(conn.poll_timeout(), None);
    conn.handle_input(t0, b"GET / HTT").unwrap();
    assert_eq!(conn.poll_timeout(), None);
    conn.handle_timeout(t0 + Duration::from_secs(1_000_000))
        .unwrap();
    assert!(!conn.should_close());
}

#[test]
fn server_eof_mid_head_is_unexpected_eof() {
    let (mut conn, now) = new_server();
    conn.handle_input(now, b"GET / HTTP/1.1\r\nHost:").unwrap();
    let err = conn.handle_eof(now).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedEof);
    assert!(conn.should_close() || conn.pending_transmit() > 0);
    server_output(&mut conn);
    assert!(conn.should_close());
}

#[test]
fn server_eof_mid_body_is_unexpected_eof() {
    let (mut conn, now) = new_server();
    conn.handle_input(
        now,
        b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab",
    )
    .unwrap();
    let err = conn.handle_eof(now).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedEof);
    server_output(&mut conn);
    assert!(conn.should_close());
}

#[test]
fn server_eof_between_requests_closes_quietly() {
    let (mut conn, now) = new_server();
    conn.handle_input(now, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        .unwrap();
    server_events(&mut conn);
    respond_empty(&mut conn);
    server_output(&mut conn);
    conn.handle_eof(now).unwrap();
    assert!(conn.should_close());
    assert!(conn.error().is_none());
}

#[test]
fn server_eof_after_a_request_still_lets_the_response_out() {
    let (mut conn, now) = new_server();
    conn.handle_input(now, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        .unwrap();
    conn.handle_eof(now).unwrap();
    assert!(!conn.should_close());
    server_events(&mut conn);
    respond_with(&mut conn, b"late");
    let out = server_output(&mut conn);
    assert!(text(&out).ends_with("\r\n\r\nlate"));
    assert!(has_field_line(&out, "connection: close"), "{}", text(&out));
    assert!(conn.should_close());
}

// ---------------------------------------------------------------------------
// Server: command misuse.
// ---------------------------------------------------------------------------

#[test]
fn server_commands_out_of_order_are_invalid_state() {
    let (mut conn, now) = new_server();
    assert_eq!(
        conn.send_response(200, None, NO_FIELDS, BodyLength::Empty),
        Err(WriteError::InvalidState)
    );
    assert_eq!(
        conn.send_data(Bytes::from_static(b"x")),
        Err(WriteError::InvalidState)
    );
    assert_eq!(
        conn.finish_response(NO_FIELDS),
        Err(WriteError::InvalidState)
    );
    conn.handle_input(now, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        .unwrap();
    respond_empty(&mut conn);
    // One response per request.
    assert_eq!(
        conn.send_response(200, None, NO_FIELDS, BodyLength::Empty),
        Err(WriteError::InvalidState)
    );
    assert_eq!(
        conn.pending_transmit(),
        "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n".len()
    );
}

#[test]
fn server_refuses_invalid_response_heads_and_queues_nothing() {
    let (mut conn, now) = new_server();
    conn.handle_input(now, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        .unwrap();
    server_events(&mut conn);
    let k = BodyLength::Known(1);
    assert_eq!(
        conn.send_response(200, None, &[("Content-Length", "1")], k),
        Err(WriteError::ConflictingFraming(0))
    );
    assert_eq!(
        conn.send_response(
            200,
            None,
            &[("x-a", "1"), ("transfer-encoding", "chunked")],
            k
        ),
        Err(WriteError::ConflictingFraming(1))
    );
    assert_eq!(
        conn.send_response(200, None, &[("x-a", "1"), ("x-b", "a\r\nx-evil: 1")], k),
        Err(WriteError::InvalidHeaderValue(1))
    );
    assert_eq!(
        conn.send_response(200, None, &[("x-a", "1\n")], k),
        Err(WriteError::InvalidHeaderValue(0))
    );
    assert_eq!(
        conn.send_response(200, None, &[("bad name", "1")], k),
        Err(WriteError::InvalidHeaderName(0))
    );
    assert_eq!(
        conn.send_response(200, Some(b"OK\r\nx: y"), NO_FIELDS, k),
        Err(WriteError::InvalidReason)
    );
    assert_eq!(
        conn.send_response(1000, None, NO_FIELDS, k),
        Err(WriteError::InvalidStatus)
    );
    assert_eq!(conn.pending_transmit(), 0);
    // The request is still waiting for a correct answer.
    conn.send_response(200, Some(b"Fine"), NO_FIELDS, k)
        .unwrap();
    conn.send_data(Bytes::from_static(b"!")).unwrap();
    conn.finish_response(NO_FIELDS).unwrap();
    assert_eq!(
        text(&server_output(&mut conn)),
        "HTTP/1.1 200 Fine\r\ncontent-length: 1\r\n\r\n!"
    );
}

#[test]
fn server_body_must_match_its_content_length() {
    let (mut conn, now) = new_server();
    conn.handle_input(now, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        .unwrap();
    server_events(&mut conn);
    conn.send_response(200, None, NO_FIELDS, BodyLength::Known(4))
        .unwrap();
    assert_eq!(
        conn.send_data(Bytes::from_static(b"12345")),
        Err(WriteError::BodyLengthMismatch)
    );
    conn.send_data(Bytes::from_static(b"123")).unwrap();
    assert_eq!(
        conn.finish_response(NO_FIELDS),
        Err(WriteError::BodyLengthMismatch)
    );
    conn.send_data(Bytes::from_static(b"4")).unwrap();
    assert_eq!(
        conn.finish_response(&[("x-trailer", "1")]),
        Err(WriteError::BodyNotAllowed),
        "trailers need a chunked body"
    );
    conn.finish_response(NO_FIELDS).unwrap();
    assert!(text(&server_output(&mut conn)).ends_with("\r\n\r\n1234"));
}

#[test]
fn server_stops_wanting_input_while_a_pipelined_backlog_exceeds_the_head_limit() {
    let config = config_with(|c| c.limits.max_head_size = 1024);
    let now = Instant::now();
    let mut conn = ServerConnection::new(config, now);
    let one = b"GET /x HTTP/1.1\r\nHost: a\r\n\r\n";
    let mut backlog = Vec::new();
    while backlog.len() < 1100 {
        backlog.extend_from_slice(one);
    }
    let count = backlog.len() / one.len();
    conn.handle_input(now, &backlog).unwrap();
    assert!(!conn.wants_input(), "over a head's worth is buffered");
    let mut answered = 0;
    while let Some(event) = conn.poll_event() {
        if matches!(event, ServerEvent::EndOfRequest(_)) {
            respond_empty(&mut conn);
            answered += 1;
            if answered == 1 {
                // Still over the limit after the first request left the buffer.
                assert!(!conn.wants_input());
            }
        }
    }
    assert_eq!(answered, count);
    assert!(conn.wants_input());
}

#[test]
fn server_input_beyond_the_backlog_bound_fails_with_buffer_full() {
    let config = config_with(|c| c.limits.max_head_size = 1024);
    let now = Instant::now();
    let mut conn = ServerConnection::new(config, now);
    conn.handle_input(now, b"GET / HTTP/1.1\r\nHost: a\r\n\r\n")
        .unwrap();
    // The caller ignores wants_input() and keeps pushing pipelined requests.
    let flood = b"GET / HTTP/1.1\r\nHost: a\r\n\r\n".repeat(400);
    // Input that arrives while wants_input() was true is taken whole...
    conn.handle_input(now, &flood).unwrap();
    assert!(!conn.wants_input());
    // ...more after it said no is refused, without answering the valid
    // request in progress with an error.
    let err = conn.handle_input(now, &flood).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BufferFull);
    assert!(conn.should_close());
    assert_eq!(conn.poll_transmit(), None);
}

// ---------------------------------------------------------------------------
// Client.
// ---------------------------------------------------------------------------

#[test]
fn client_get_and_response() {
    let (mut conn, now) = new_client();
    assert!(conn.is_reusable());
    assert!(conn.is_idle());
    let id = conn
        .send_request(
            now,
            "GET",
            "/index.html",
            &[("host", "example.com"), ("accept", "*/*")],
            BodyLength::Empty,
        )
        .unwrap();
    assert_eq!(
        text(&client_output(&mut conn)),
        "GET /index.html HTTP/1.1\r\nhost: example.com\r\naccept: */*\r\n\r\n"
    );
    assert!(!conn.is_idle());
    conn.handle_input(now, b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhe")
        .unwrap();
    conn.handle_input(now, b"llo").unwrap();
    assert_eq!(
        merge_client_data(client_events(&mut conn)),
        [
            Cli::Response(id.0, 200, owned_fields(&[("Content-Length", "5")])),
            Cli::Data(id.0, b"hello".to_vec()),
            Cli::End(id.0, None),
        ]
    );
    assert!(conn.is_reusable());
    assert!(conn.is_idle());
    assert!(!conn.should_close());
}

#[test]
fn client_response_head_exposes_status_reason_and_framing() {
    let (mut conn, now) = new_client();
    send_get(&mut conn, now, "/");
    conn.handle_input(
        now,
        b"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n",
    )
    .unwrap();
    let Some(ClientEvent::Response(_, head)) = conn.poll_event() else {
        panic!("expected a response");
    };
    assert_eq!(head.status(), 404);
    assert_eq!(head.reason(), b"Not Found");
    assert_eq!(head.version(), Version::Http11);
    assert_eq!(head.framing().body, BodyFraming::Chunked);
}

#[test]
fn client_pipelined_requests_are_matched_in_order() {
    let (mut conn, now) = new_client();
    let ids: Vec<RequestId> = (1..=3)
        .map(|i| send_get(&mut conn, now, &format!("/{i}")))
        .collect();
    assert_eq!(ids, [RequestId(0), RequestId(1), RequestId(2)]);
    let out = text(&client_output(&mut conn));
    assert_eq!(out.matches("GET /").count(), 3);
    conn.handle_input(
        now,
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na\
          HTTP/1.1 201 Created\r\nContent-Length: 1\r\n\r\nb\
          HTTP/1.1 202 Accepted\r\nContent-Length: 1\r\n\r\nc",
    )
    .unwrap();
    let cl = owned_fields(&[("Content-Length", "1")]);
    assert_eq!(
        client_events(&mut conn),
        [
            Cli::Response(0, 200, cl.clone()),
            Cli::Data(0, b"a".to_vec()),
            Cli::End(0, None),
            Cli::Response(1, 201, cl.clone()),
            Cli::Data(1, b"b".to_vec()),
            Cli::End(1, None),
            Cli::Response(2, 202, cl),
            Cli::Data(2, b"c".to_vec()),
            Cli::End(2, None),
        ]
    );
    assert!(conn.is_idle());
}

#[test]
fn client_head_response_with_content_length_has_no_body() {
    let (mut conn, now) = new_client();
    let head = conn
        .send_request(now, "HEAD", "/file", &[("host", "a")], BodyLength::Empty)
        .unwrap();
    let get = send_get(&mut conn, now, "/next");
    conn.handle_input(
        now,
        b"HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n\
          HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
    )
    .unwrap();
    assert_eq!(
        client_events(&mut conn),
        [
            Cli::Response(head.0, 200, owned_fields(&[("Content-Length", "1234")])),
            Cli::End(head.0, None),
            Cli::Response(get.0, 200, owned_fields(&[("Content-Length", "2")])),
            Cli::Data(get.0, b"ok".to_vec()),
            Cli::End(get.0, None),
        ]
    );
}

#[test]
fn client_304_has_no_body() {
    let (mut conn, now) = new_client();
    let id = send_get(&mut conn, now, "/");
    conn.handle_input(
        now,
        b"HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\nContent-Length: 99\r\n\r\n",
    )
    .unwrap();
    let events = client_events(&mut conn);
    assert!(matches!(events[0], Cli::Response(_, 304, _)));
    assert_eq!(events[1], Cli::End(id.0, None));
    assert!(conn.is_reusable());
}

#[test]
fn client_close_delimited_response_ends_at_eof() {
    let (mut conn, now) = new_client();
    let id = send_get(&mut conn, now, "/");
    client_output(&mut conn);
    conn.handle_input(now, b"HTTP/1.1 200 OK\r\n\r\nabc")
        .unwrap();
    // The body runs until the server closes: no more requests on this one.
    assert!(!conn.is_reusable());
    conn.handle_input(now, b"def").unwrap();
    conn.handle_eof(now).unwrap();
    assert_eq!(
        merge_client_data(client_events(&mut conn)),
        [
            Cli::Response(id.0, 200, vec![]),
            Cli::Data(id.0, b"abcdef".to_vec()),
            Cli::End(id.0, None),
        ]
    );
    assert!(conn.should_close());
    assert!(!conn.is_reusable());
    assert!(conn.error().is_none());
}

#[test]
fn client_chunked_response_with_trailers() {
    let (mut conn, now) = new_client();
    let id = send_get(&mut conn, now, "/");
    let wire = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\
        4\r\nWiki\r\n5;ext=1\r\npedia\r\n0\r\nExpires: never\r\n\r\n";
    for piece in wire.chunks(3) {
        conn.handle_input(now, piece).unwrap();
    }
    assert_eq!(
        merge_client_data(client_events(&mut conn)),
        [
            Cli::Response(id.0, 200, owned_fields(&[("Transfer-Encoding", "chunked")])),
            Cli::Data(id.0, b"Wikipedia".to_vec()),
            Cli::End(id.0, Some(owned_fields(&[("Expires", "never")]))),
        ]
    );
    assert!(conn.is_reusable());
}

#[test]
fn client_eof_mid_body_is_unexpected_eof() {
    let (mut conn, now) = new_client();
    let id = send_get(&mut conn, now, "/");
    client_output(&mut conn);
    conn.handle_input(now, b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
        .unwrap();
    let err = conn.handle_eof(now).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedEof);
    let events = client_events(&mut conn);
    assert_eq!(events.last(), Some(&Cli::Aborted(id.0)));
    assert!(conn.should_close());
    assert_eq!(
        conn.error().map(|e| e.kind()),
        Some(ErrorKind::UnexpectedEof)
    );
}

#[test]
fn client_eof_before_any_response_aborts_the_requests() {
    let (mut conn, now) = new_client();
    let a = send_get(&mut conn, now, "/a");
    let b = send_get(&mut conn, now, "/b");
    client_output(&mut conn);
    conn.handle_eof(now).unwrap();
    assert_eq!(
        client_events(&mut conn),
        [Cli::Aborted(a.0), Cli::Aborted(b.0)]
    );
    assert!(conn.should_close());
    assert_eq!(
        conn.send_request(now, "GET", "/", NO_FIELDS, BodyLength::Empty),
        Err(WriteError::InvalidState)
    );
}

#[test]
fn client_holds_the_body_until_100_continue() {
    let (mut conn, now) = new_client();
    let id = conn
        .send_request(
            now,
            "PUT",
            "/upload",
            &[("host", "a"), ("expect", "100-continue")],
            BodyLength::Known(5),
        )
        .unwrap();
    conn.send_data(Bytes::from_static(b"hello")).unwrap();
    conn.finish_request(NO_FIELDS).unwrap();
    assert_eq!(
        text(&client_output(&mut conn)),
        "PUT /upload HTTP/1.1\r\nhost: a\r\nexpect: 100-continue\r\ncontent-length: 5\r\n\r\n"
    );
    assert_eq!(conn.poll_timeout(), Some(now + Duration::from_secs(1)));
    let t1 = now + Duration::from_millis(200);
    conn.handle_input(t1, b"HTTP/1.1 100 Continue\r\n\r\n")
        .unwrap();
    assert_eq!(client_events(&mut conn), [Cli::Continue(id.0)]);
    assert_eq!(client_output(&mut conn), b"hello");
    assert_eq!(conn.poll_timeout(), None);
    conn.handle_input(t1, b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")
        .unwrap();
    assert_eq!(
        client_events(&mut conn),
        [
            Cli::Response(id.0, 201, owned_fields(&[("Content-Length", "0")])),
            Cli::End(id.0, None)
        ]
    );
    assert!(conn.is_reusable());
}

#[test]
fn client_body_sent_after_100_continue_streams_directly() {
    let (mut conn, now) = new_client();
    let id = conn
        .send_request(
            now,
            "POST",
            "/",
            &[("host", "a"), ("expect", "100-continue")],
            BodyLength::Chunked,
        )
        .unwrap();
    client_output(&mut conn);
    conn.handle_input(now, b"HTTP/1.1 100 Continue\r\n\r\n")
        .unwrap();
    assert_eq!(client_events(&mut conn), [Cli::Continue(id.0)]);
    assert_eq!(conn.poll_transmit(), None, "nothing was held");
    conn.send_data(Bytes::from_static(b"abc")).unwrap();
    conn.finish_request(&[("x-t", "1")]).unwrap();
    assert_eq!(
        text(&client_output(&mut conn)),
        "3\r\nabc\r\n0\r\nx-t: 1\r\n\r\n"
    );
}

#[test]
fn client_sends_the_held_body_when_the_continue_wait_times_out() {
    let (mut conn, now) = new_client();
    let id = conn
        .send_request(
            now,
            "POST",
            "/",
            &[("host", "a"), ("expect", "100-continue")],
            BodyLength::Chunked,
        )
        .unwrap();
    conn.send_data(Bytes::from_static(b"abc")).unwrap();
    conn.finish_request(&[("x-t", "1")]).unwrap();
    client_output(&mut conn);
    let deadline = now + ClientConfig::default().expect_continue_timeout;
    assert_eq!(conn.poll_timeout(), Some(deadline));
    conn.handle_timeout(deadline - Duration::from_millis(1))
        .unwrap();
    assert_eq!(conn.poll_transmit(), None);
    conn.handle_timeout(deadline).unwrap();
    assert_eq!(client_events(&mut conn), [Cli::Continue(id.0)]);
    assert_eq!(
        text(&client_output(&mut conn)),
        "3\r\nabc\r\n0\r\nx-t: 1\r\n\r\n"
    );
    // A late 100 changes nothing.
    conn.handle_input(deadline, b"HTTP/1.1 100 Continue\r\n\r\n")
        .unwrap();
    assert_eq!(client_events(&mut conn), []);
    assert!(conn.is_reusable());
}

#[test]
fn client_final_response_before_100_drops_the_body_and_the_connection() {
    let (mut conn, now) = new_client();
    let id = conn
        .send_request(
            now,
            "PUT",
            "/",
            &[("host", "a"), ("expect", "100-continue")],
            BodyLength::Known(5),
        )
        .unwrap();
    conn.send_data(Bytes::from_static(b"hello")).unwrap();
    conn.finish_request(NO_FIELDS).unwrap();
    client_output(&mut conn);
    conn.handle_input(
        now,
        b"HTTP/1.1 413 Content Too Large\r\nContent-Length: 4\r\n\r\nno!!",
    )
    .unwrap();
    assert_eq!(
        client_events(&mut conn),
        [
            Cli::Response(id.0, 413, owned_fields(&[("Content-Length", "4")])),
            Cli::Data(id.0, b"no!!".to_vec()),
            Cli::End(id.0, None),
        ]
    );
    assert_eq!(conn.poll_transmit(), None, "the body was never sent");
    assert!(!conn.is_reusable());
    assert!(conn.should_close());
    assert_eq!(conn.poll_timeout(), None);
}

#[test]
fn client_reports_103_early_hints() {
    let (mut conn, now) = new_client();
    let id = send_get(&mut conn, now, "/");
    conn.handle_input(
        now,
        b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n\
          HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
    )
    .unwrap();
    assert_eq!(
        client_events(&mut conn),
        [
            Cli::Informational(
                id.0,
                103,
                owned_fields(&[("Link", "</a.css>; rel=preload")])
            ),
            Cli::Response(id.0, 200, owned_fields(&[("Content-Length", "0")])),
            Cli::End(id.0, None),
        ]
    );
}

#[test]
fn client_101_upgrades_with_the_bytes_after_the_head() {
    let (mut conn, now) = new_client();
    let id = conn
        .send_request(
            now,
            "GET",
            "/chat",
            &[
                ("host", "a"),
                ("connection", "upgrade"),
                ("upgrade", "websocket"),
            ],
            BodyLength::Empty,
        )
        .unwrap();
    client_output(&mut conn);
    conn.handle_input(
        now,
        b"HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x02hi",
    )
    .unwrap();
    let events = client_events(&mut conn);
    assert!(matches!(events[0], Cli::Response(i, 101, _) if i == id.0));
    assert_eq!(events[1], Cli::Upgraded(id.0, b"\x81\x02hi".to_vec()));
    assert!(!conn.is_reusable());
    assert!(!conn.should_close(), "the transport is the caller's now");
    conn.handle_input(now, b"more frames").unwrap();
    assert_eq!(client_events(&mut conn), []);
}

#[test]
fn client_101_without_an_upgrade_request_is_an_error() {
    let (mut conn, now) = new_client();
    let id = send_get(&mut conn, now, "/");
    client_output(&mut conn);
    let err = conn
        .handle_input(now, b"HTTP/1.1 101 Switching Protocols\r\n\r\n")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedResponse);
    assert_eq!(client_events(&mut conn), [Cli::Aborted(id.0)]);
    assert!(conn.should_close());
}

#[test]
fn client_connect_2xx_becomes_a_tunnel() {
    let (mut conn, now) = new_client();
    let id = conn
        .send_request(
            now,
            "CONNECT",
            "example.com:443",
            &[("host", "example.com:443")],
            BodyLength::Empty,
        )
        .unwrap();
    assert!(!conn.is_reusable(), "nothing may follow a CONNECT");
    conn.handle_input(now, b"HTTP/1.1 200 OK\r\n\r\n\x16\x03")
        .unwrap();
    let events = client_events(&mut conn);
    assert!(matches!(events[0], Cli::Response(i, 200, _) if i == id.0));
    assert_eq!(events[1], Cli::Upgraded(id.0, b"\x16\x03".to_vec()));
}

#[test]
fn client_connection_close_response_aborts_later_pipelined_requests() {
    let (mut conn, now) = new_client();
    let ids: Vec<u64> = (0..3).map(|_| send_get(&mut conn, now, "/").0).collect();
    client_output(&mut conn);
    conn.handle_input(
        now,
        b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
    )
    .unwrap();
    assert_eq!(
        client_events(&mut conn)[1..],
        [
            Cli::Data(ids[0], b"ok".to_vec()),
            Cli::End(ids[0], None),
            Cli::Aborted(ids[1]),
            Cli::Aborted(ids[2]),
        ]
    );
    assert!(conn.should_close());
    assert!(!conn.is_reusable());
}

#[test]
fn client_is_not_reusable_while_reading_a_response_that_closes() {
    let (mut conn, now) = new_client();
    send_get(&mut conn, now, "/");
    conn.handle_input(
        now,
        b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 10\r\n\r\nabc",
    )
    .unwrap();
    assert!(
        !conn.is_reusable(),
        "the connection ends after this response"
    );
}

#[test]
fn client_is_not_reusable_after_sending_connection_close() {
    let (mut conn, now) = new_client();
    let id = conn
        .send_request(
            now,
            "GET",
            "/",
            &[("host", "a"), ("connection", "close")],
            BodyLength::Empty,
        )
        .unwrap();
    assert!(!conn.is_reusable());
    client_output(&mut conn);
    conn.handle_input(now, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        .unwrap();
    assert_eq!(client_events(&mut conn).last(), Some(&Cli::End(id.0, None)));
    assert!(conn.should_close());
}

#[test]
fn client_response_without_a_request_is_an_error() {
    let (mut conn, now) = new_client();
    let err = conn
        .handle_input(now, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedResponse);
    assert!(conn.should_close());
    // A closed connection ignores input and refuses requests.
    conn.handle_input(now, b"HTTP/1.1 200 OK\r\n\r\n").unwrap();
    assert_eq!(client_events(&mut conn), []);
    assert_eq!(
        conn.send_request(now, "GET", "/", NO_FIELDS, BodyLength::Empty),
        Err(WriteError::InvalidState)
    );
}

#[test]
fn client_extra_bytes_after_the_last_response_are_an_error() {
    let (mut conn, now) = new_client();
    let id = send_get(&mut conn, now, "/");
    let err = conn
        .handle_input(now, b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nxy")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnexpectedResponse);
    assert_eq!(
        client_events(&mut conn)[1..],
        [Cli::Data(id.0, b"x".to_vec()), Cli::End(id.0, None)]
    );
}

#[test]
fn client_malformed_response_is_an_error_that_aborts() {
    let (mut conn, now) = new_client();
    let id = send_get(&mut conn, now, "/");
    let err = conn
        .handle_input(now, b"HTTP/1.1 2x0 OK\r\n\r\n")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidStatus);
    assert_eq!(client_events(&mut conn), [Cli::Aborted(id.0)]);
    assert_eq!(conn.error(), Some(&err));
}

#[test]
fn client_response_timeout() {
    let config = {
        let mut c = ClientConfig::default();
        c.response_timeout = Some(Duration::from_secs(10));
        c
    };
    let t0 = Instant::now();
    let mut conn = ClientConnection::new(config, t0);
    assert_eq!(conn.poll_timeout(), None, "no request, no timer");
    let a = send_get(&mut conn, t0, "/a");
    let t1 = t0 + Duration::from_secs(4);
    let b = send_get(&mut conn, t1, "/b");
    assert_eq!(conn.poll_timeout(), Some(t0 + Duration::from_secs(10)));
    // The first response arrives in time; the second request's clock runs.
    client_output(&mut conn);
    conn.handle_input(t1, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
        .unwrap();
    assert_eq!(conn.poll_timeout(), Some(t1 + Duration::from_secs(10)));
    conn.handle_timeout(t0 + Duration::from_secs(10)).unwrap();
    let err = conn
        .handle_timeout(t1 + Duration::from_secs(10))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(
        client_events(&mut conn)[2..],
        [Cli::Aborted(b.0)],
        "after {a:?}"
    );
    assert!(conn.should_close());
    assert_eq!(conn.poll_timeout(), None);
}

#[test]
fn client_refuses_invalid_requests_and_queues_nothing() {
    let (mut conn, now) = new_client();
    let empty = BodyLength::Empty;
    assert_eq!(
        conn.send_request(now, "GE T", "/", NO_FIELDS, empty),
        Err(WriteError::InvalidMethod)
    );
    assert_eq!(
        conn.send_request(now, "GET", "/a b", NO_FIELDS, empty),
        Err(WriteError::InvalidTarget)
    );
    assert_eq!(
        conn.send_request(now, "GET", "/", &[("x", "a\r\nb")], empty),
        Err(WriteError::InvalidHeaderValue(0))
    );
    assert_eq!(
        conn.send_request(
            now,
            "POST",
            "/",
            &[("content-length", "1")],
            BodyLength::Known(1)
        ),
        Err(WriteError::ConflictingFraming(0))
    );
    assert_eq!(conn.poll_transmit(), None);
    assert!(conn.is_idle());
    // Body misuse.
    conn.send_request(now, "POST", "/", NO_FIELDS, BodyLength::Known(2))
        .unwrap();
    assert!(!conn.is_reusable(), "the body is not finished");
    assert_eq!(
        conn.send_data(Bytes::from_static(b"abc")),
        Err(WriteError::BodyLengthMismatch)
    );
    assert_eq!(
        conn.finish_request(NO_FIELDS),
        Err(WriteError::BodyLengthMismatch)
    );
    conn.send_data(Bytes::from_static(b"ab")).unwrap();
    conn.finish_request(NO_FIELDS).unwrap();
    assert!(conn.is_reusable());
    assert_eq!(conn.send_data(Bytes::new()), Err(WriteError::InvalidState));
}

// ---------------------------------------------------------------------------
// Back to back: a client and a server wired together, simulated clock.
// ---------------------------------------------------------------------------

/// A client and a server connected by an in-memory transport.
struct BackToBack {
    now: Instant,
    client: ClientConnection,
    server: ServerConnection,
    client_log: Vec<Cli>,
    /// What the echo application saw of the current request.
    request_body: Vec<u8>,
    request_chunked: bool,
    server_log: Vec<Srv>,
}

impl BackToBack {
    fn new() -> Self {
        let now = Instant::now();
        BackToBack {
            now,
            client: ClientConnection::new(ClientConfig::default(), now),
            server: ServerConnection::new(ServerConfig::default(), now),
            client_log: Vec::new(),
            request_body: Vec::new(),
            request_chunked: false,
            server_log: Vec::new(),
        }
    }

    /// The echo server: answers each request with its body, chunked (with a
    /// trailer counting the bytes) when the request was chunked; asks for
    /// the body of `Expect: 100-continue` requests.
    fn serve(&mut self, event: ServerEvent) {
        self.server_log.push(Srv::from(event.clone()));
        match event {
            ServerEvent::Request(head) => {
                self.request_body.clear();
                self.request_chunked = head.framing().body == BodyFraming::Chunked;
                if self.server.expects_continue() {
                    self.server.send_continue();
                }
            }
            ServerEvent::Data(d) => self.request_body.extend_from_slice(&d),
            ServerEvent::EndOfRequest(_) => {
                let body = Bytes::from(std::mem::take(&mut self.request_body));
                if self.request_chunked {
                    self.server
                        .send_response(200, None, &[("x-echo", "chunked")], BodyLength::Chunked)
                        .unwrap();
                    let half = body.len() / 2;
                    self.server.send_data(body.slice(..half)).unwrap();
                    self.server.send_data(body.slice(half..)).unwrap();
                    let count = body.len().to_string();
                    self.server
                        .finish_response(&[("x-echo-length", count.as_str())])
                        .unwrap();
                } else {
                    self.server
                        .send_full_response(200, &[("x-echo", "length")], body)
                        .unwrap();
                }
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    /// Moves bytes both ways and handles events until nothing moves.
    fn pump(&mut self) {
        loop {
            let mut moved = false;
            while let Some(b) = self.client.poll_transmit() {
                self.server.handle_input(self.now, &b).unwrap();
                moved = true;
            }
            while let Some(event) = self.server.poll_event() {
                self.serve(event);
                moved = true;
            }
            let mut wrote = false;
            while let Some(b) = self.server.poll_transmit() {
                self.client.handle_input(self.now, &b).unwrap();
                moved = true;
                wrote = true;
            }
            if wrote {
                // As a driver does once output is written: the clocks that
                // count from the end of a response start now.
                self.server.handle_timeout(self.now).unwrap();
            }
            while let Some(event) = self.client.poll_event() {
                self.client_log.push(Cli::from(event));
                moved = true;
            }
            if !moved {
                return;
            }
        }
    }

    /// Advances the clock, firing due timers.
    fn advance(&mut self, by: Duration) {
        self.now += by;
        if self.client.poll_timeout().is_some_and(|t| t <= self.now) {
            self.client.handle_timeout(self.now).unwrap();
        }
        if self.server.poll_timeout().is_some_and(|t| t <= self.now) {
            self.server.handle_timeout(self.now).unwrap();
        }
        self.pump();
    }

    /// The body bytes and trailers the client received for `id`.
    fn response_of(&self, id: RequestId) -> (u16, Fields, Vec<u8>, Option<Fields>) {
        let mut status = 0;
        let mut headers = Vec::new();
        let mut body = Vec::new();
        let mut trailers = None;
        let mut ended = false;
        for e in &self.client_log {
            match e {
                Cli::Response(i, s, h) if *i == id.0 => {
                    status = *s;
                    headers = h.clone();
                }
                Cli::Data(i, d) if *i == id.0 => body.extend_from_slice(d),
                Cli::End(i, t) if *i == id.0 => {
                    trailers = t.clone();
                    ended = true;
                }
                _ => {}
            }
        }
        assert!(
            ended,
            "no complete response for {id:?}: {:?}",
            self.client_log
        );
        (status, headers, body, trailers)
    }
}

fn pattern(len: usize, seed: u8) -> Bytes {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect::<Vec<u8>>()
        .into()
}

#[test]
fn back_to_back_exchanges_over_one_persistent_connection() {
    let mut net = BackToBack::new();
    let now = net.now;

    // 1. A GET.
    let get = send_get(&mut net.client, now, "/");
    net.pump();
    let (status, headers, body, trailers) = net.response_of(get);
    assert_eq!(status, 200);
    assert!(headers.contains(&("content-length".to_string(), b"0".to_vec())));
    assert!(body.is_empty() && trailers.is_none());

    // 2. A POST with a Content-Length body, sent in pieces (one large).
    let sent = pattern(20_000, 7);
    let post = net
        .client
        .send_request(
            now,
            "POST",
            "/echo",
            &[("host", "a")],
            BodyLength::Known(sent.len() as u64),
        )
        .unwrap();
    net.client.send_data(sent.slice(..100)).unwrap();
    net.pump();
    net.client.send_data(sent.slice(100..)).unwrap();
    net.client.finish_request(NO_FIELDS).unwrap();
    net.pump();
    let (status, _, body, _) = net.response_of(post);
    assert_eq!(status, 200);
    assert_eq!(body, sent);

    // 3. A chunked upload with trailers, echoed chunked with a trailer.
    let sent = pattern(5_000, 3);
    let chunked = net
        .client
        .send_request(now, "PUT", "/echo", &[("host", "a")], BodyLength::Chunked)
        .unwrap();
    for piece in sent.chunks(777) {
        net.client.send_data(Bytes::copy_from_slice(piece)).unwrap();
        net.pump();
    }
    net.client
        .finish_request(&[("x-upload-done", "yes")])
        .unwrap();
    net.pump();
    let (status, headers, body, trailers) = net.response_of(chunked);
    assert_eq!(status, 200);
    assert!(headers.contains(&("transfer-encoding".to_string(), b"chunked".to_vec())));
    assert_eq!(body, sent);
    assert_eq!(trailers, Some(owned_fields(&[("x-echo-length", "5000")])));
    assert!(
        net.server_log
            .contains(&Srv::End(Some(owned_fields(&[("x-upload-done", "yes")]))))
    );

    // 4. 100-continue: the body waits for the server's 100.
    let sent = pattern(3_000, 11);
    let expect = net
        .client
        .send_request(
            now,
            "POST",
            "/echo",
            &[("host", "a"), ("expect", "100-continue")],
            BodyLength::Known(sent.len() as u64),
        )
        .unwrap();
    net.client.send_data(sent.clone()).unwrap();
    net.client.finish_request(NO_FIELDS).unwrap();
    net.pump();
    assert!(net.client_log.contains(&Cli::Continue(expect.0)));
    let (_, _, body, _) = net.response_of(expect);
    assert_eq!(body, sent);

    // 5. Two pipelined requests, the second a HEAD.
    let a = send_get(&mut net.client, now, "/a");
    let head = net
        .client
        .send_request(now, "HEAD", "/h", &[("host", "a")], BodyLength::Empty)
        .unwrap();
    net.pump();
    assert!(net.response_of(a).2.is_empty());
    assert!(net.response_of(head).2.is_empty());

    assert!(net.client.is_reusable());
    assert!(net.client.is_idle());
    assert!(!net.server.should_close());
    assert!(!net.client.should_close());
    assert!(net.client.error().is_none() && net.server.error().is_none());
    assert!(!net.client_log.iter().any(|e| matches!(e, Cli::Aborted(_))));

    // 6. Both sides idle: the server's keep-alive timer closes it quietly,
    // and the client sees the end of the stream.
    net.advance(Duration::from_secs(75));
    assert!(net.server.should_close());
    net.client.handle_eof(net.now).unwrap();
    assert!(net.client.should_close());
    assert!(net.client.error().is_none());
}

#[test]
fn back_to_back_rejected_expect_continue_closes_both_sides() {
    let mut net = BackToBack::new();
    let now = net.now;
    let id = net
        .client
        .send_request(
            now,
            "PUT",
            "/big",
            &[("host", "a"), ("expect", "100-continue")],
            BodyLength::Known(1_000_000),
        )
        .unwrap();
    net.client.send_data(pattern(1000, 1)).unwrap();
    // Deliver the head by hand: this server refuses the upload.
    let head = client_output(&mut net.client);
    net.server.handle_input(now, &head).unwrap();
    server_events(&mut net.server);
    assert!(net.server.expects_continue());
    net.server
        .send_response(413, None, NO_FIELDS, BodyLength::Empty)
        .unwrap();
    net.pump();
    let (status, _, _, _) = net.response_of(id);
    assert_eq!(status, 413);
    assert!(net.server.should_close());
    assert!(net.client.should_close());
    assert!(!net.client.is_reusable());
}

#[test]
fn back_to_back_expect_continue_without_a_100_falls_back_to_the_timer() {
    let mut net = BackToBack::new();
    let now = net.now;
    let sent = pattern(64, 5);
    let id = net
        .client
        .send_request(
            now,
            "POST",
            "/",
            &[("host", "a"), ("expect", "100-continue")],
            BodyLength::Known(64),
        )
        .unwrap();
    net.client.send_data(sent.clone()).unwrap();
    net.client.finish_request(NO_FIELDS).unwrap();
    // A server application that never calls send_continue: the client
    // gives up waiting after a second and sends the body anyway.
    let head = client_output(&mut net.client);
    net.server.handle_input(now, &head).unwrap();
    for e in server_events(&mut net.server) {
        net.server_log.push(e);
    }
    net.now += Duration::from_secs(1);
    net.client.handle_timeout(net.now).unwrap();
    let body = client_output(&mut net.client);
    assert_eq!(body, sent);
    net.server.handle_input(net.now, &body).unwrap();
    while let Some(e) = net.server.poll_event() {
        if !matches!(e, ServerEvent::Request(_)) {
            net.serve(e);
        }
    }
    net.pump();
    assert_eq!(net.response_of(id).2, sent);
    assert!(net.client.is_reusable());
}

// ---------------------------------------------------------------------------
// Generators for the property tests.
// ---------------------------------------------------------------------------

/// A body as generated: how the wire carries it.
#[derive(Debug, Clone)]
enum GenBody {
    None,
    Length(Vec<u8>),
    Chunked {
        chunks: Vec<Vec<u8>>,
        extensions: bool,
        trailers: Fields,
    },
}

impl GenBody {
    fn bytes(&self) -> Vec<u8> {
        match self {
            GenBody::None => Vec::new(),
            GenBody::Length(b) => b.clone(),
            GenBody::Chunked { chunks, .. } => chunks.concat(),
        }
    }

    fn trailers(&self) -> Option<Fields> {
        match self {
            GenBody::Chunked { trailers, .. } if !trailers.is_empty() => Some(trailers.clone()),
            _ => None,
        }
    }

    fn framing_field(&self) -> Option<(String, Vec<u8>)> {
        match self {
            GenBody::None => None,
            GenBody::Length(b) => Some((
                "Content-Length".to_string(),
                b.len().to_string().into_bytes(),
            )),
            GenBody::Chunked { .. } => Some(("Transfer-Encoding".to_string(), b"chunked".to_vec())),
        }
    }

    /// The body as it goes on the wire after the head.
    fn write_wire(&self, out: &mut Vec<u8>) {
        match self {
            GenBody::None => {}
            GenBody::Length(b) => out.extend_from_slice(b),
            GenBody::Chunked {
                chunks,
                extensions,
                trailers,
            } => {
                for c in chunks.iter().filter(|c| !c.is_empty()) {
                    out.extend_from_slice(format!("{:X}", c.len()).as_bytes());
                    if *extensions {
                        out.extend_from_slice(b";name=\"quoted value\";flag");
                    }
                    out.extend_from_slice(b"\r\n");
                    out.extend_from_slice(c);
                    out.extend_from_slice(b"\r\n");
                }
                out.extend_from_slice(b"0\r\n");
                write_fields(out, trailers);
                out.extend_from_slice(b"\r\n");
            }
        }
    }
}

fn write_fields(out: &mut Vec<u8>, fields: &Fields) {
    for (n, v) in fields {
        out.extend_from_slice(n.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(v);
        out.extend_from_slice(b"\r\n");
    }
}

/// Field names that mean nothing to framing or persistence.
fn field_name() -> impl Strategy<Value = String> {
    "[Xx]-[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}"
}

/// Field values as a parser returns them: valid bytes (obs-text included),
/// no surrounding whitespace.
fn field_value() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(
        prop_oneof![
            8 => 0x21u8..=0x7e,
            1 => 0x80u8..=0xff,
            1 => Just(b' '),
            1 => Just(b'\t'),
        ],
        0..24,
    )
    .prop_map(|mut v| {
        while v.last().is_some_and(|&c| c == b' ' || c == b'\t') {
            v.pop();
        }
        let lead = v.iter().take_while(|&&c| c == b' ' || c == b'\t').count();
        v.drain(..lead);
        v
    })
}

fn field_list(max: usize) -> impl Strategy<Value = Fields> {
    proptest::collection::vec((field_name(), field_value()), 0..max)
}

fn body_bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..max)
}

fn gen_body() -> impl Strategy<Value = GenBody> {
    prop_oneof![
        Just(GenBody::None),
        body_bytes(300).prop_map(GenBody::Length),
        (
            proptest::collection::vec(body_bytes(100), 0..5),
            any::<bool>(),
            field_list(3)
        )
            .prop_map(|(chunks, extensions, trailers)| GenBody::Chunked {
                chunks,
                extensions,
                trailers,
            }),
    ]
}

#[derive(Debug, Clone)]
struct GenRequest {
    method: String,
    target: String,
    headers: Fields,
    body: GenBody,
}

fn gen_request() -> impl Strategy<Value = GenRequest> {
    (
        prop_oneof![
            Just("GET"),
            Just("POST"),
            Just("PUT"),
            Just("DELETE"),
            Just("PATCH"),
            Just("OPTIONS"),
            Just("HEAD"),
            Just("M-SEARCH"),
        ],
        "/[A-Za-z0-9._~%/-]{0,24}(\\?[a-z0-9=&]{0,12})?",
        field_list(6),
        gen_body(),
    )
        .prop_map(|(method, target, headers, body)| GenRequest {
            method: method.to_string(),
            target,
            headers,
            body,
        })
}

impl GenRequest {
    /// All fields in wire order: Host, the generated ones, the framing field.
    fn all_fields(&self) -> Fields {
        let mut all = vec![("Host".to_string(), b"example.com".to_vec())];
        all.extend(self.headers.iter().cloned());
        all.extend(self.body.framing_field());
        all
    }

    fn write_wire(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(format!("{} {} HTTP/1.1\r\n", self.method, self.target).as_bytes());
        write_fields(out, &self.all_fields());
        out.extend_from_slice(b"\r\n");
        self.body.write_wire(out);
    }

    /// The events a server must report for this request.
    fn expected_events(&self) -> Vec<Srv> {
        let mut events = vec![Srv::Request {
            method: self.method.clone(),
            target: self.target.clone(),
            version: Version::Http11,
            headers: self.all_fields(),
        }];
        let body = self.body.bytes();
        if !body.is_empty() {
            events.push(Srv::Data(body));
        }
        events.push(Srv::End(self.body.trailers()));
        events
    }
}

/// Cuts `wire` at the given points (duplicates and order do not matter).
fn split_at_points<'a>(wire: &'a [u8], points: &[Index]) -> Vec<&'a [u8]> {
    let mut cuts: Vec<usize> = points.iter().map(|p| p.index(wire.len() + 1)).collect();
    cuts.sort_unstable();
    cuts.dedup();
    let mut pieces = Vec::new();
    let mut from = 0;
    for cut in cuts {
        pieces.push(&wire[from..cut]);
        from = cut;
    }
    pieces.push(&wire[from..]);
    pieces
}

/// Feeds a server the pieces, answering each request as soon as its body
/// ended so the next one is parsed; returns its events, bodies merged.
fn run_server(pieces: &[&[u8]]) -> (Vec<Srv>, Vec<u8>) {
    let now = Instant::now();
    let mut conn = ServerConnection::new(ServerConfig::default(), now);
    let mut log = Vec::new();
    let mut out = Vec::new();
    for piece in pieces {
        conn.handle_input(now, piece).expect("valid requests");
        while let Some(event) = conn.poll_event() {
            let end = matches!(event, ServerEvent::EndOfRequest(_));
            log.push(Srv::from(event));
            if end {
                conn.send_response(200, None, NO_FIELDS, BodyLength::Empty)
                    .unwrap();
            }
        }
        while let Some(b) = conn.poll_transmit() {
            out.extend_from_slice(&b);
        }
    }
    assert!(conn.error().is_none());
    (merge_server_data(log), out)
}

#[derive(Debug, Clone)]
struct GenResponse {
    head_request: bool,
    early_hints: bool,
    status: u16,
    headers: Fields,
    body: GenBody,
}

fn gen_response() -> impl Strategy<Value = GenResponse> {
    (
        any::<bool>(),
        proptest::bool::weighted(0.2),
        prop_oneof![
            Just(200u16),
            Just(201),
            Just(204),
            Just(206),
            Just(304),
            Just(404),
            Just(500),
            Just(599),
        ],
        field_list(6),
        gen_body(),
    )
        .prop_map(|(head_request, early_hints, status, headers, body)| {
            // Every response is self-delimiting: an absent body is Content-Length 0,
            // a 204 has no framing field at all.
            let body = match (status, body) {
                (204, _) => GenBody::None,
                (_, GenBody::None) => GenBody::Length(Vec::new()),
                (_, b) => b,
            };
            GenResponse {
                head_request,
                early_hints,
                status,
                headers,
                body,
            }
        })
}

impl GenResponse {
    fn carries_body(&self) -> bool {
        !self.head_request && self.status != 204 && self.status != 304
    }

    fn all_fields(&self) -> Fields {
        let mut all = self.headers.clone();
        all.extend(self.body.framing_field());
        all
    }

    fn write_wire(&self, out: &mut Vec<u8>) {
        if self.early_hints {
            out.extend_from_slice(
                b"HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n",
            );
        }
        out.extend_from_slice(format!("HTTP/1.1 {} Whatever\r\n", self.status).as_bytes());
        write_fields(out, &self.all_fields());
        out.extend_from_slice(b"\r\n");
        if self.carries_body() {
            self.body.write_wire(out);
        }
    }

    fn expected_events(&self, id: u64) -> Vec<Cli> {
        let mut events = Vec::new();
        if self.early_hints {
            events.push(Cli::Informational(
                id,
                103,
                owned_fields(&[("Link", "</s.css>; rel=preload")]),
            ));
        }
        events.push(Cli::Response(id, self.status, self.all_fields()));
        let mut trailers = None;
        if self.carries_body() {
            let body = self.body.bytes();
            if !body.is_empty() {
                events.push(Cli::Data(id, body));
            }
            trailers = self.body.trailers();
        }
        events.push(Cli::End(id, trailers));
        events
    }
}

/// Sends one request per response (HEAD or GET), then feeds the pieces.
fn run_client(responses: &[GenResponse], pieces: &[&[u8]]) -> Vec<Cli> {
    let now = Instant::now();
    let mut conn = ClientConnection::new(ClientConfig::default(), now);
    for r in responses {
        let method = if r.head_request { "HEAD" } else { "GET" };
        conn.send_request(now, method, "/", &[("host", "a")], BodyLength::Empty)
            .unwrap();
    }
    client_output(&mut conn);
    let mut log = Vec::new();
    for piece in pieces {
        conn.handle_input(now, piece).expect("valid responses");
        log.extend(client_events(&mut conn));
    }
    assert!(conn.is_idle());
    assert!(conn.is_reusable());
    merge_client_data(log)
}

/// Decodes a whole body with the wire layer; returns data and trailers.
fn decode_body(framing: BodyFraming, wire: &[u8]) -> (Vec<u8>, Option<Fields>) {
    let mut decoder = BodyDecoder::new(framing, ParseOptions::default(), &Limits::default())
        .expect("no body limit");
    let mut data = Vec::new();
    let mut rest = wire;
    loop {
        let (used, chunk) = decoder.decode(rest).expect("valid body");
        match chunk {
            BodyChunk::Data(d) => data.extend_from_slice(d),
            BodyChunk::End => {
                assert_eq!(used, rest.len(), "bytes left after the body");
                break;
            }
            BodyChunk::NeedMore => panic!("incomplete body"),
        }
        rest = &rest[used..];
    }
    let trailers = decoder.trailers().map(fields).filter(|t| !t.is_empty());
    (data, trailers)
}

fn write_body_chunked(chunks: &[Vec<u8>], trailers: &Fields, out: &mut Vec<u8>) {
    for c in chunks {
        write_chunk(c, out);
    }
    write_last_chunk(
        out,
        trailers.iter().map(|(n, v)| (n.as_bytes(), v.as_slice())),
    )
    .expect("valid trailers");
}

// ---------------------------------------------------------------------------
// Property tests.
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn prop_server_events_do_not_depend_on_input_splits(
        requests in proptest::collection::vec(gen_request(), 1..4),
        points in proptest::collection::vec(any::<Index>(), 0..12),
    ) {
        let mut wire = Vec::new();
        for r in &requests {
            r.write_wire(&mut wire);
        }
        let (whole, whole_out) = run_server(&[&wire]);
        let expected: Vec<Srv> = requests.iter().flat_map(GenRequest::expected_events).collect();
        prop_assert_eq!(&whole, &expected);
        let (split, split_out) = run_server(&split_at_points(&wire, &points));
        prop_assert_eq!(&split, &expected);
        prop_assert_eq!(whole_out, split_out);
        // Byte by byte as well.
        let bytes: Vec<&[u8]> = wire.chunks(1).collect();
        prop_assert_eq!(run_server(&bytes).0, expected);
    }

    #[test]
    fn prop_client_events_do_not_depend_on_input_splits(
        responses in proptest::collection::vec(gen_response(), 1..4),
        points in proptest::collection::vec(any::<Index>(), 0..12),
    ) {
        let mut wire = Vec::new();
        for r in &responses {
            r.write_wire(&mut wire);
        }
        let expected: Vec<Cli> = responses
            .iter()
            .enumerate()
            .flat_map(|(i, r)| r.expected_events(i as u64))
            .collect();
        prop_assert_eq!(run_client(&responses, &[&wire]), expected.clone());
        prop_assert_eq!(run_client(&responses, &split_at_points(&wire, &points)), expected.clone());
        let bytes: Vec<&[u8]> = wire.chunks(1).collect();
        prop_assert_eq!(run_client(&responses, &bytes), expected);
    }

    #[test]
    fn prop_request_round_trips_through_the_wire_layer(
        request in gen_request(),
        chunked in any::<bool>(),
        chunks in proptest::collection::vec(body_bytes(200), 0..5),
        trailers in field_list(4),
    ) {
        let body: Vec<u8> = chunks.concat();
        let framing = if chunked { BodyLength::Chunked } else { BodyLength::Known(body.len() as u64) };
        let mut wire = Vec::new();
        write_request_head(
            &mut wire,
            &request.method,
            &request.target,
            Version::Http11,
            request.headers.iter().map(|(n, v)| (n.as_bytes(), v.as_slice())),
            Some(framing),
        ).expect("generated heads are valid");
        let head_len = wire.len();
        if chunked {
            write_body_chunked(&chunks, &trailers, &mut wire);
        } else {
            wire.extend_from_slice(&body);
        }

        let mut parser = HeadParser::new(HeadKind::Request, ParseOptions::default(), &Limits::default());
        prop_assert_eq!(parser.parse(&wire), Ok(Some(head_len)));
        let parsed = parser.request(&wire);
        prop_assert_eq!(parsed.method(), request.method.as_str());
        prop_assert_eq!(parsed.target(), request.target.as_str());
        prop_assert_eq!(parsed.version(), Version::Http11);
        let mut headers = fields(parsed.headers());
        let framing_field = headers.pop().expect("the framing field is last");
        prop_assert_eq!(&headers, &request.headers);
        prop_assert_eq!(
            framing_field.0.as_str(),
            if chunked { "transfer-encoding" } else { "content-length" }
        );
        let f = Framing::of_request(&parsed, &ParseOptions::default()).expect("valid framing");
        prop_assert!(f.keep_alive);
        let (data, got_trailers) = decode_body(f.body, &wire[head_len..]);
        prop_assert_eq!(data, body);
        let expected_trailers = (chunked && !trailers.is_empty()).then_some(trailers);
        prop_assert_eq!(got_trailers, expected_trailers);
    }

    #[test]
    fn prop_response_round_trips_through_the_wire_layer(
        status in 200u16..600,
        reason in "[A-Za-z][A-Za-z -]{0,20}",
        headers in field_list(6),
        chunked in any::<bool>(),
        chunks in proptest::collection::vec(body_bytes(200), 0..5),
        trailers in field_list(4),
    ) {
        prop_assume!(status != 204 && status != 304);
        let body: Vec<u8> = chunks.concat();
        let framing = if chunked { BodyLength::Chunked } else { BodyLength::Known(body.len() as u64) };
        let mut wire = Vec::new();
        write_response_head(
            &mut wire,
            Version::Http11,
            status,
            Some(reason.as_bytes()),
            headers.iter().map(|(n, v)| (n.as_bytes(), v.as_slice())),
            Some(framing),
        ).expect("generated heads are valid");
        let head_len = wire.len();
        if chunked {
            write_body_chunked(&chunks, &trailers, &mut wire);
        } else {
            wire.extend_from_slice(&body);
        }

        let mut parser = HeadParser::new(HeadKind::Response, ParseOptions::default(), &Limits::default());
        prop_assert_eq!(parser.parse(&wire), Ok(Some(head_len)));
        let parsed = parser.response(&wire);
        prop_assert_eq!(parsed.status(), status);
        prop_assert_eq!(parsed.reason(), reason.as_bytes());
        let mut got = fields(parsed.headers());
        got.pop();
        prop_assert_eq!(&got, &headers);
        let f = Framing::of_response(&parsed, "GET", &ParseOptions::default()).expect("valid framing");
        prop_assert!(f.keep_alive);
        let (data, got_trailers) = decode_body(f.body, &wire[head_len..]);
        prop_assert_eq!(data, body);
        let expected_trailers = (chunked && !trailers.is_empty()).then_some(trailers);
        prop_assert_eq!(got_trailers, expected_trailers);
    }

    #[test]
    fn prop_back_to_back_bodies_arrive_byte_exact(
        bodies in proptest::collection::vec((any::<bool>(), proptest::collection::vec(body_bytes(3000), 0..4)), 1..5),
    ) {
        let mut net = BackToBack::new();
        let now = net.now;
        let mut ids = Vec::new();
        for (chunked, pieces) in &bodies {
            let total: usize = pieces.iter().map(Vec::len).sum();
            let length = if *chunked { BodyLength::Chunked } else { BodyLength::Known(total as u64) };
            let id = net.client.send_request(now, "POST", "/", &[("host", "a")], length).unwrap();
            // On the client, `Known(0)` is a request without a body: nothing to finish.
            if *chunked || total > 0 {
                for p in pieces {
                    net.client.send_data(Bytes::copy_from_slice(p)).unwrap();
                }
                net.client.finish_request(NO_FIELDS).unwrap();
            }
            net.pump();
            ids.push(id);
        }
        for (id, (_, pieces)) in ids.iter().zip(&bodies) {
            prop_assert_eq!(net.response_of(*id).2, pieces.concat());
        }
        prop_assert!(net.client.is_reusable());
        prop_assert!(!net.server.should_close());
    }
}

// ---------------------------------------------------------------------------
// Regressions from review.
// ---------------------------------------------------------------------------

#[test]
fn server_refuses_101_while_the_request_body_is_unread() {
    let now = Instant::now();
    let mut conn = ServerConnection::new(ServerConfig::default(), now);
    conn.handle_input(
        now,
        b"POST / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: h2c\r\nContent-Length: 10\r\n\r\nabc",
    )
    .unwrap();
    while conn.poll_event().is_some() {}
    let r = conn.send_response(101, None, &[("upgrade", "h2c")], BodyLength::Empty);
    assert_eq!(r, Err(WriteError::InvalidState));
    // Once the body is read, the switch is allowed.
    conn.handle_input(now, b"defghij").unwrap();
    while conn.poll_event().is_some() {}
    conn.send_response(101, None, &[("upgrade", "h2c")], BodyLength::Empty)
        .unwrap();
    assert!(conn.is_upgraded());
}

#[test]
fn server_head_and_204_take_the_lengths_a_handler_naturally_gives() {
    let now = Instant::now();
    let mut conn = ServerConnection::new(ServerConfig::default(), now);
    conn.handle_input(now, b"HEAD /s HTTP/1.1\r\nHost: a\r\n\r\n")
        .unwrap();
    while conn.poll_event().is_some() {}
    conn.send_response(200, None, &[] as &[(&str, &str)], BodyLength::Chunked)
        .unwrap();
    assert!(!conn.is_sending_body());
    let out: Vec<u8> = std::iter::from_fn(|| conn.poll_transmit())
        .flatten()
        .collect();
    assert!(out.ends_with(b"transfer-encoding: chunked\r\n\r\n"));
    conn.handle_input(now, b"DELETE /x HTTP/1.1\r\nHost: a\r\n\r\n")
        .unwrap();
    while conn.poll_event().is_some() {}
    conn.send_response(204, None, &[] as &[(&str, &str)], BodyLength::Known(0))
        .unwrap();
    let out: Vec<u8> = std::iter::from_fn(|| conn.poll_transmit())
        .flatten()
        .collect();
    assert_eq!(out, b"HTTP/1.1 204 No Content\r\n\r\n");
    assert!(!conn.should_close());
}

#[test]
fn upgrade_in_an_http10_request_is_ignored() {
    let now = Instant::now();
    let mut conn = ServerConnection::new(ServerConfig::default(), now);
    conn.handle_input(
        now,
        b"GET / HTTP/1.0\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n",
    )
    .unwrap();
    let Some(ServerEvent::Request(head)) = conn.poll_event() else {
        panic!("request expected");
    };
    assert!(!head.framing().upgrade);
    while conn.poll_event().is_some() {}
    assert_eq!(
        conn.send_response(101, None, &[("upgrade", "websocket")], BodyLength::Empty),
        Err(WriteError::InvalidState)
    );
}
