//! HTTP/1.1 heads and chunked bodies, read: http-codec against httparse (what hyper
//! uses) and picohttpparser (the C parser httparse is modelled on, through
//! picohttpparser-sys), on httparse's own benchmark inputs, in one run.
//!
//! `http_req`, `http_req_short`, `http_resp`, `http_resp_short`: each parser parses the
//! whole head and the walk then reads the start line and every header field, adding up
//! the lengths of method and target (or the status code and reason) and of every name
//! and value. The walks compute the same checksum, asserted once before measuring.
//! State is kept across iterations as a server keeps it across requests: our
//! `HeadParser` is `reset()`, httparse and picohttpparser write into one header array
//! of 16 entries (httparse's own benchmark size; the inputs have at most 11 fields).
//!
//! `http_req_chunked`: a POST request with a 4 KiB chunked body in five chunks, read
//! completely: http-codec parses the head, decides the framing with
//! `Framing::of_request` (Content-Length, Transfer-Encoding, Connection, Expect
//! checked) and runs a `BodyDecoder` to the end; httparse parses the head, a
//! hand-written scan of the same fields decides the framing, and a loop over
//! `httparse::parse_chunk_size` walks the chunks, checks each chunk's CRLF and reads
//! the (empty) trailer section with `httparse::parse_headers`. Both add up the data
//! lengths. picohttpparser is left out of this group: `phr_decode_chunked` rewrites the
//! buffer in place, so it would have to copy the input every iteration.

use std::hint::black_box;

use applayer_benches::{
    HTTP_CHUNK_SIZES, HTTP_REQ, HTTP_REQ_SHORT, HTTP_RESP, HTTP_RESP_SHORT, http_chunked_post,
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use http_codec::h1::{
    BodyChunk, BodyDecoder, BodyFraming, Framing, HeadKind, HeadParser, Limits, ParseOptions,
};

/// Header slots for httparse and picohttpparser, as in httparse's benchmark.
const SLOTS: usize = 16;

// ---- heads: parse, then read every part ----

fn walk_ours_request(parser: &mut HeadParser, input: &[u8]) -> usize {
    parser.reset();
    let len = parser
        .parse(input)
        .expect("http-codec parses the request")
        .expect("complete");
    let req = parser.request(input);
    let mut sum = len + req.method().len() + req.target().len();
    for h in req.headers() {
        sum += h.name.len() + h.value.len();
    }
    sum
}

fn walk_ours_response(parser: &mut HeadParser, input: &[u8]) -> usize {
    parser.reset();
    let len = parser
        .parse(input)
        .expect("http-codec parses the response")
        .expect("complete");
    let resp = parser.response(input);
    let mut sum = len + usize::from(resp.status()) + resp.reason().len();
    for h in resp.headers() {
        sum += h.name.len() + h.value.len();
    }
    sum
}

fn walk_httparse_request<'b>(headers: &mut [httparse::Header<'b>], input: &'b [u8]) -> usize {
    let mut req = httparse::Request::new(headers);
    let httparse::Status::Complete(len) = req.parse(input).expect("httparse parses the request")
    else {
        panic!("httparse: request incomplete");
    };
    let mut sum = len + req.method.map_or(0, str::len) + req.path.map_or(0, str::len);
    for h in req.headers.iter() {
        sum += h.name.len() + h.value.len();
    }
    sum
}

fn walk_httparse_response<'b>(headers: &mut [httparse::Header<'b>], input: &'b [u8]) -> usize {
    let mut resp = httparse::Response::new(headers);
    let httparse::Status::Complete(len) = resp.parse(input).expect("httparse parses the response")
    else {
        panic!("httparse: response incomplete");
    };
    let mut sum = len + usize::from(resp.code.unwrap_or(0)) + resp.reason.map_or(0, str::len);
    for h in resp.headers.iter() {
        sum += h.name.len() + h.value.len();
    }
    sum
}

mod pico {
    //! picohttpparser through its raw binding. The C functions fill `phr_header`s
    //! with pointers into the input; only lengths are read back here.
    #![allow(unsafe_code)]

    use picohttpparser_sys::{phr_header, phr_parse_request, phr_parse_response};
    use std::ptr;

    pub(crate) type Slots = [phr_header; super::SLOTS];

    pub(crate) fn slots() -> Slots {
        [phr_header::default(); super::SLOTS]
    }

    pub(crate) fn walk_request(headers: &mut Slots, input: &[u8]) -> usize {
        let mut method = ptr::null();
        let mut method_len = 0;
        let mut path = ptr::null();
        let mut path_len = 0;
        let mut minor_version = 0;
        let mut num_headers = headers.len();
        // SAFETY: `input` is valid for `input.len()` bytes; every out-pointer points to
        // a live local, and `headers` has room for `num_headers` entries. The C code
        // only reads `input` and writes through the given pointers.
        let ret = unsafe {
            phr_parse_request(
                input.as_ptr().cast(),
                input.len(),
                &mut method,
                &mut method_len,
                &mut path,
                &mut path_len,
                &mut minor_version,
                headers.as_mut_ptr(),
                &mut num_headers,
                0,
            )
        };
        assert!(ret > 0, "picohttpparser: request not parsed ({ret})");
        let mut sum = ret as usize + method_len + path_len;
        for h in &headers[..num_headers] {
            sum += h.name_len + h.value_len;
        }
        sum
    }

    pub(crate) fn walk_response(headers: &mut Slots, input: &[u8]) -> usize {
        let mut minor_version = 0;
        let mut status = 0;
        let mut msg = ptr::null();
        let mut msg_len = 0;
        let mut num_headers = headers.len();
        // SAFETY: as in `walk_request`.
        let ret = unsafe {
            phr_parse_response(
                input.as_ptr().cast(),
                input.len(),
                &mut minor_version,
                &mut status,
                &mut msg,
                &mut msg_len,
                headers.as_mut_ptr(),
                &mut num_headers,
                0,
            )
        };
        assert!(ret > 0, "picohttpparser: response not parsed ({ret})");
        let mut sum = ret as usize + status as usize + msg_len;
        for h in &headers[..num_headers] {
            sum += h.name_len + h.value_len;
        }
        sum
    }
}

fn http_heads(c: &mut Criterion) {
    let cases: [(&str, &[u8], HeadKind); 4] = [
        ("http_req", HTTP_REQ, HeadKind::Request),
        ("http_req_short", HTTP_REQ_SHORT, HeadKind::Request),
        ("http_resp", HTTP_RESP, HeadKind::Response),
        ("http_resp_short", HTTP_RESP_SHORT, HeadKind::Response),
    ];
    for (group, input, kind) in cases {
        let mut parser = HeadParser::new(kind, ParseOptions::default(), &Limits::default());
        let mut headers = [httparse::EMPTY_HEADER; SLOTS];
        let mut pico_headers = pico::slots();
        let is_request = kind == HeadKind::Request;
        let ours = |p: &mut HeadParser, input: &[u8]| {
            if is_request {
                walk_ours_request(p, input)
            } else {
                walk_ours_response(p, input)
            }
        };
        let theirs = |h: &mut [httparse::Header<'static>], input: &'static [u8]| {
            if is_request {
                walk_httparse_request(h, input)
            } else {
                walk_httparse_response(h, input)
            }
        };
        let pico = |h: &mut pico::Slots, input: &[u8]| {
            if is_request {
                pico::walk_request(h, input)
            } else {
                pico::walk_response(h, input)
            }
        };
        // The three parsers must see the same head, or the comparison is meaningless.
        let want = ours(&mut parser, input);
        assert_eq!(theirs(&mut headers, input), want, "{group}: httparse");
        assert_eq!(
            pico(&mut pico_headers, input),
            want,
            "{group}: picohttpparser"
        );

        let mut g = c.benchmark_group(group);
        g.throughput(Throughput::Bytes(input.len() as u64));
        g.bench_function("http-codec", |b| {
            b.iter(|| ours(&mut parser, black_box(input)))
        });
        g.bench_function("httparse", |b| {
            b.iter(|| theirs(&mut headers, black_box(input)))
        });
        g.bench_function("picohttpparser", |b| {
            b.iter(|| pico(&mut pico_headers, black_box(input)))
        });
        g.finish();
    }
}

// ---- a chunked request, head and body ----

/// What reading the chunked request gave: the body's data length and the bytes used.
#[derive(Debug, PartialEq, Eq)]
struct BodyRead {
    data: usize,
    consumed: usize,
}

fn read_chunked_ours(parser: &mut HeadParser, input: &[u8]) -> BodyRead {
    let options = ParseOptions::default();
    let limits = Limits::default();
    parser.reset();
    let head = parser
        .parse(input)
        .expect("http-codec parses the head")
        .expect("complete");
    let framing = Framing::of_request(&parser.request(input), &options).expect("framing");
    assert_eq!(framing.body, BodyFraming::Chunked);
    let mut body = BodyDecoder::new(framing.body, options, &limits).expect("decoder");
    let mut rest = &input[head..];
    let mut data = 0;
    loop {
        let (used, chunk) = body.decode(rest).expect("http-codec decodes the body");
        rest = &rest[used..];
        match chunk {
            BodyChunk::Data(d) => data += black_box(d).len(),
            BodyChunk::End => break,
            BodyChunk::NeedMore => panic!("http-codec: body incomplete"),
        }
    }
    BodyRead {
        data,
        consumed: input.len() - rest.len(),
    }
}

/// The list element of a comma-separated field value that comes last, trimmed.
fn last_element(value: &[u8]) -> &[u8] {
    let last = value.rsplit(|&c| c == b',').next().unwrap_or_default();
    last.trim_ascii()
}

/// What a server built on httparse has to do itself: find the framing fields, walk the
/// chunks with `parse_chunk_size`, check each chunk's CRLF, read the trailer section.
fn read_chunked_httparse<'b>(
    headers: &mut [httparse::Header<'b>],
    trailers: &mut [httparse::Header<'b>],
    input: &'b [u8],
) -> BodyRead {
    let mut req = httparse::Request::new(headers);
    let httparse::Status::Complete(head) = req.parse(input).expect("httparse parses the head")
    else {
        panic!("httparse: head incomplete");
    };
    let (mut chunked, mut content_length, mut close) = (false, None, false);
    for h in req.headers.iter() {
        if h.name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = last_element(h.value).eq_ignore_ascii_case(b"chunked");
        } else if h.name.eq_ignore_ascii_case("content-length") {
            let n = std::str::from_utf8(h.value.trim_ascii())
                .ok()
                .and_then(|s| s.parse::<u64>().ok());
            content_length = Some(n.expect("a valid Content-Length"));
        } else if h.name.eq_ignore_ascii_case("connection") {
            close |= h
                .value
                .split(|&c| c == b',')
                .any(|t| t.trim_ascii().eq_ignore_ascii_case(b"close"));
        }
    }
    assert!(chunked && content_length.is_none() && !close);
    let mut pos = head;
    let mut data = 0;
    loop {
        let httparse::Status::Complete((used, size)) =
            httparse::parse_chunk_size(&input[pos..]).expect("httparse parses the chunk size")
        else {
            panic!("httparse: chunk size incomplete");
        };
        pos += used;
        if size == 0 {
            break;
        }
        let end = pos + usize::try_from(size).expect("chunk fits in memory");
        data += black_box(&input[pos..end]).len();
        assert_eq!(&input[end..end + 2], b"\r\n", "httparse walk: chunk CRLF");
        pos = end + 2;
    }
    let httparse::Status::Complete((used, _)) =
        httparse::parse_headers(&input[pos..], trailers).expect("httparse parses the trailers")
    else {
        panic!("httparse: trailers incomplete");
    };
    BodyRead {
        data,
        consumed: pos + used,
    }
}

fn http_req_chunked(c: &mut Criterion) {
    let input = http_chunked_post();
    let input = input.as_slice();
    let mut parser = HeadParser::new(
        HeadKind::Request,
        ParseOptions::default(),
        &Limits::default(),
    );
    let mut headers = [httparse::EMPTY_HEADER; SLOTS];
    let mut trailers = [httparse::EMPTY_HEADER; SLOTS];
    let want = BodyRead {
        data: HTTP_CHUNK_SIZES.iter().sum(),
        consumed: input.len(),
    };
    assert_eq!(read_chunked_ours(&mut parser, input), want, "http-codec");
    assert_eq!(
        read_chunked_httparse(&mut headers, &mut trailers, input),
        want,
        "httparse"
    );

    let mut g = c.benchmark_group("http_req_chunked");
    g.throughput(Throughput::Bytes(input.len() as u64));
    g.bench_function("http-codec", |b| {
        b.iter(|| read_chunked_ours(&mut parser, black_box(input)))
    });
    g.bench_function("httparse", |b| {
        b.iter(|| read_chunked_httparse(&mut headers, &mut trailers, black_box(input)))
    });
    g.finish();
}

criterion_group!(benches, http_heads, http_req_chunked);
criterion_main!(benches);
