//! Any bytes from a client: a `ServerConnection` answering every request never
//! panics, whatever the cuts, timers and end of stream. The first two bytes seed
//! the cuts, the clock and the kind of answers. Fed whole or in pieces (timers
//! aside), it reports the same requests, the same end of each and the same error.
#![no_main]

use std::time::{Duration, Instant};

use bytes::Bytes;
use http_codec::h1::{
    BodyLength, ErrorKind, Limits, ServerConfig, ServerConnection, ServerEvent, WriteError,
};
use libfuzzer_sys::fuzz_target;

type Fields = Vec<(String, Vec<u8>)>;

/// What the driver saw, as plain data. Bodies are left out: how much of a body
/// comes out before an error depends on the cuts.
#[derive(Debug, PartialEq, Eq)]
enum Seen {
    Request(String, String, Fields),
    End(Option<Fields>),
    Upgraded,
}

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

const NO_FIELDS: &[(&str, &str)] = &[];

fn config() -> ServerConfig {
    let mut limits = Limits::default();
    limits.max_head_size = 1024;
    limits.max_headers = 16;
    limits.max_target_len = 256;
    limits.max_trailer_size = 256;
    limits.max_chunk_extensions = 128;
    limits.max_body_size = Some(2048);
    let mut c = ServerConfig::default();
    c.limits = limits;
    c.header_read_timeout = Some(Duration::from_secs(5));
    c.keep_alive_timeout = Some(Duration::from_secs(10));
    c.body_read_timeout = Some(Duration::from_secs(3));
    c
}

/// Answers the current request; `style` picks the kind of answer. Every
/// answer is valid for any request (101 is never sent).
fn answer(conn: &mut ServerConnection, style: u64, head_request: bool) {
    let r = match style % 5 {
        0 => conn.send_response(200, None, &[("x-a", "1")], BodyLength::Empty),
        1 => conn.send_full_response(
            200,
            &[("content-type", "text/plain")],
            Bytes::from_static(b"hello"),
        ),
        2 => match conn.send_response(200, None, NO_FIELDS, BodyLength::Chunked) {
            Err(WriteError::BodyNotAllowed) if head_request => {
                conn.send_response(200, None, NO_FIELDS, BodyLength::Known(3))
            }
            // A 2xx to CONNECT is complete at its head (a tunnel follows).
            Ok(()) if !conn.is_sending_body() => Ok(()),
            Ok(()) => conn
                .send_data(Bytes::from_static(b"abc"))
                .and_then(|()| conn.finish_response(&[("x-t", "1")])),
            Err(e) => Err(e),
        },
        3 => conn
            .send_response(103, None, &[("link", "</a>")], BodyLength::Empty)
            .and_then(|()| conn.send_response(204, None, NO_FIELDS, BodyLength::Empty)),
        _ => conn.send_response(200, None, &[("connection", "close")], BodyLength::Empty),
    };
    r.expect("a valid answer to a waiting request");
}

struct Driver {
    conn: ServerConnection,
    seen: Vec<Seen>,
    style: u64,
    head_request: bool,
    honour_continue: bool,
}

impl Driver {
    fn drain(&mut self) {
        loop {
            while self.conn.poll_transmit().is_some() {}
            let Some(event) = self.conn.poll_event() else {
                break;
            };
            match event {
                ServerEvent::Request(head) => {
                    self.head_request = head.method() == "HEAD";
                    let fields = head
                        .headers()
                        .iter()
                        .map(|h| (h.name.to_string(), h.value.to_vec()))
                        .collect();
                    self.seen.push(Seen::Request(
                        head.method().to_string(),
                        head.target().to_string(),
                        fields,
                    ));
                    if self.honour_continue && self.conn.expects_continue() {
                        self.conn.send_continue();
                        assert!(!self.conn.expects_continue());
                    }
                }
                ServerEvent::Data(d) => assert!(!d.is_empty()),
                ServerEvent::EndOfRequest(trailers) => {
                    self.seen.push(Seen::End(trailers.map(|t| {
                        t.headers()
                            .iter()
                            .map(|h| (h.name.to_string(), h.value.to_vec()))
                            .collect()
                    })));
                    // One style per request, whatever the cuts.
                    answer(&mut self.conn, self.style, self.head_request);
                    self.style = self.style.wrapping_add(1);
                }
                ServerEvent::Upgraded(_) => {
                    self.seen.push(Seen::Upgraded);
                    assert!(self.conn.is_upgraded());
                }
                _ => {}
            }
        }
    }
}

/// Feeds the pieces, answering each request once its body ended, then ends the
/// stream. With `clock`, time advances before each piece (timers fire) and
/// 100-continue is honoured. Returns what was seen and the final error.
fn run(
    pieces: &[&[u8]],
    style: u64,
    clock: Option<&mut XorShift>,
) -> (Vec<Seen>, Option<ErrorKind>) {
    let mut now = Instant::now();
    let mut d = Driver {
        conn: ServerConnection::new(config(), now),
        seen: Vec::new(),
        style,
        head_request: false,
        honour_continue: clock.is_some(),
    };
    let mut clock = clock;
    let mut returned = None;
    for piece in pieces {
        if let Some(rng) = clock.as_deref_mut() {
            now += Duration::from_millis(rng.next() % 4000);
            if d.conn.poll_timeout().is_some_and(|t| t <= now) {
                if let Err(e) = d.conn.handle_timeout(now) {
                    returned.get_or_insert(e);
                }
                d.drain();
            }
        }
        if let Err(e) = d.conn.handle_input(now, piece) {
            returned.get_or_insert(e);
        }
        d.drain();
    }
    if let Err(e) = d.conn.handle_eof(now) {
        returned.get_or_insert(e);
    }
    d.drain();
    // An error returned is the one the connection keeps.
    if let Some(e) = returned {
        assert_eq!(d.conn.error(), Some(&e));
    }
    let error = d.conn.error().copied();
    if error.is_some() {
        assert!(!d.conn.wants_input());
        assert!(d.conn.should_close());
        assert_eq!(d.conn.poll_timeout(), None);
        // Calm after the error.
        assert_eq!(d.conn.handle_input(now, b"GET / HTTP/1.1\r\n\r\n"), Ok(()));
        assert!(d.conn.poll_event().is_none());
        assert!(d.conn.poll_transmit().is_none());
    }
    (d.seen, error.map(|e| e.kind()))
}

fuzz_target!(|data: &[u8]| {
    let [cut_seed, style_seed, stream @ ..] = data else {
        return;
    };
    let style = u64::from(*style_seed);
    let whole = run(&[stream], style, None);

    let mut rng = XorShift(u64::from(*cut_seed) << 40 | stream.len() as u64 | 1);
    let max_piece = u64::from(*cut_seed) + 1;
    let mut pieces = Vec::new();
    let mut rest = stream;
    while !rest.is_empty() {
        let n = ((rng.next() % max_piece) as usize + 1).min(rest.len());
        let (piece, tail) = rest.split_at(n);
        pieces.push(piece);
        rest = tail;
    }
    assert_eq!(run(&pieces, style, None), whole, "{} pieces", pieces.len());

    // Timers firing between pieces, 100-continue honoured: anything but a panic goes.
    let mut clock = XorShift(u64::from(*style_seed) << 20 | 7);
    run(&pieces, style, Some(&mut clock));
});
