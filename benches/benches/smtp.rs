//! SMTP commands, replies and DATA, read: smtp-codec against smtp-proto (the parser
//! of the Stalwart mail server), on the same inputs, in one run.
//!
//! `smtp_command_transcripts`, `smtp_command_mix`: a pipelined stream of client
//! command lines (every command of the RFC transcripts in smtp-codec's test corpus;
//! a submission client's session with the parameters real clients send). Each
//! parser reads every line to its end, parameters included: smtp-codec finds the
//! line with `take_line` (strict CRLF) and parses it with `Command::parse`;
//! smtp-proto's `Request::parse` reads up to the LF. The walk then adds up the
//! arguments: the domain of HELO/EHLO, the address of MAIL/RCPT and their SIZE,
//! ENVID and ORCPT address, the text of VRFY, the initial response of AUTH, the BDAT size.
//! Both walks compute the same checksum, asserted once before measuring.
//!
//! `smtp_reply_transcripts`, `smtp_reply_mix`: a stream of server replies. smtp-codec's
//! `parse_reply` returns a view of each reply (code, enhanced status code, lines);
//! smtp-proto's `ResponseReceiver` builds a `Response` with the text in a `String`.
//! The walk adds up the code and the text of every line, without enhanced codes.
//!
//! `smtp_ehlo`: a Postfix capability reply, read into capabilities: smtp-codec's
//! `parse_reply` then `Capabilities::from_ehlo_reply`; smtp-proto's
//! `EhloResponse::parse`.
//!
//! `smtp_data_unstuff`: a 10 MB message in DATA form, fed in 64 KiB reads, un-stuffed
//! into one reused buffer up to CRLF "." CRLF: smtp-codec's `DotUnstuffer` (which
//! also refuses bare CR and LF, the SMTP smuggling defence) and smtp-proto's
//! `DataReceiver` (which does not look for them). Both give the same body, asserted
//! once before measuring.

use std::hint::black_box;

use applayer_benches::{
    SMTP_COMMAND_MIX, SMTP_EHLO_REPLY, SMTP_REPLY_MIX, smtp_data_message, smtp_transcript_commands,
    smtp_transcript_replies,
};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use smtp_codec::address::{Domain, Mailbox};
use smtp_codec::capability::Capabilities;
use smtp_codec::command::{Command, ForwardPath};
use smtp_codec::data::{DotUnstuffer, LineEndingPolicy};
use smtp_codec::line::take_line;
use smtp_codec::reply::{ReplyLimits, parse_reply};
use smtp_proto::request::receiver::DataReceiver;
use smtp_proto::response::parser::ResponseReceiver;
use smtp_proto::{EhloResponse, Request};

/// The longest command line (RFC 5321 §4.5.3.1.4 says 512 with CRLF; AUTH PLAIN
/// initial responses can be longer, so servers allow more).
const MAX_COMMAND_LINE: usize = 4096;

// ---- commands ----

fn domain_len(d: &Domain<'_>) -> usize {
    match d {
        Domain::Name(n) => n.len(),
        other => other.to_string().len(),
    }
}

fn mailbox_len(m: &Mailbox<'_>) -> usize {
    m.local_part().len() + 1 + domain_len(&m.domain())
}

fn walk_ours_commands(input: &[u8]) -> usize {
    let mut rest = input;
    let mut sum = 0;
    while !rest.is_empty() {
        let line = take_line(rest, 0, LineEndingPolicy::Reject, MAX_COMMAND_LINE)
            .expect("smtp-codec finds the line")
            .expect("complete");
        let cmd = Command::parse(&rest[..line.len]).expect("smtp-codec parses the command");
        sum += 1 + match cmd {
            Command::Helo(d) | Command::Ehlo(d) => domain_len(&d),
            Command::Mail { from, params } => {
                from.as_ref().map_or(0, mailbox_len)
                    + params.size.unwrap_or(0) as usize
                    + params.envid.map_or(0, str::len)
            }
            Command::Rcpt { to, params } => {
                (match to {
                    ForwardPath::Postmaster => "Postmaster".len(),
                    ForwardPath::Mailbox(m) => mailbox_len(&m),
                }) + params.orcpt.map_or(0, |o| o.address.len())
            }
            Command::Vrfy(s) | Command::Expn(s) => s.len(),
            Command::Noop(s) | Command::Help(s) => s.map_or(0, str::len),
            Command::Auth {
                initial_response, ..
            } => initial_response.map_or(0, str::len),
            Command::Bdat { size, .. } => size as usize,
            _ => 0,
        };
        rest = &rest[line.consumed..];
    }
    sum
}

fn walk_smtp_proto_commands(input: &[u8]) -> usize {
    let mut it = input.iter();
    let mut sum = 0;
    while !it.as_slice().is_empty() {
        let req = Request::parse(&mut it).expect("smtp-proto parses the command");
        sum += 1 + match req {
            Request::Helo { host } | Request::Ehlo { host } => host.len(),
            Request::Mail { from } => {
                from.address.len() + from.size + from.env_id.as_deref().map_or(0, str::len)
            }
            Request::Rcpt { to } => to.address.len() + to.orcpt.as_deref().map_or(0, str::len),
            Request::Vrfy { value } | Request::Expn { value } => value.len(),
            Request::Noop { value } | Request::Help { value } => value.len(),
            Request::Auth {
                initial_response, ..
            } => initial_response.len(),
            Request::Bdat { chunk_size, .. } => chunk_size,
            _ => 0,
        };
    }
    sum
}

fn smtp_commands(c: &mut Criterion) {
    let transcripts = smtp_transcript_commands();
    let cases: [(&str, &[u8]); 2] = [
        ("smtp_command_transcripts", &transcripts),
        ("smtp_command_mix", SMTP_COMMAND_MIX),
    ];
    for (group, input) in cases {
        let want = walk_ours_commands(input);
        assert_eq!(walk_smtp_proto_commands(input), want, "{group}: smtp-proto");

        let mut g = c.benchmark_group(group);
        g.throughput(Throughput::Bytes(input.len() as u64));
        g.bench_function("smtp-codec", |b| {
            b.iter(|| walk_ours_commands(black_box(input)))
        });
        g.bench_function("smtp-proto", |b| {
            b.iter(|| walk_smtp_proto_commands(black_box(input)))
        });
        g.finish();
    }
}

// ---- replies ----

fn walk_ours_replies(limits: &ReplyLimits, input: &[u8]) -> usize {
    let mut rest = input;
    let mut sum = 0;
    while !rest.is_empty() {
        let (reply, used) = parse_reply(rest, limits)
            .expect("smtp-codec parses the reply")
            .expect("complete");
        sum += usize::from(reply.code().get());
        for line in reply.text_lines() {
            sum += 1 + line.len();
        }
        rest = &rest[used..];
    }
    sum
}

fn walk_smtp_proto_replies(receiver: &mut ResponseReceiver, input: &[u8]) -> usize {
    let mut it = input.iter();
    let mut sum = 0;
    while !it.as_slice().is_empty() {
        receiver.reset();
        let reply = receiver
            .parse(&mut it)
            .expect("smtp-proto parses the reply");
        // Lines are joined with LF. A line of the code and a space (`334 `)
        // comes back as "\r": counted as the empty text it is.
        let text = reply.message.strip_suffix('\r').unwrap_or(&reply.message);
        sum += usize::from(reply.code) + 1 + text.len();
    }
    sum
}

fn smtp_replies(c: &mut Criterion) {
    let transcripts = smtp_transcript_replies();
    let limits = ReplyLimits::default();
    let mut receiver = ResponseReceiver::default();
    let cases: [(&str, &[u8]); 2] = [
        ("smtp_reply_transcripts", &transcripts),
        ("smtp_reply_mix", SMTP_REPLY_MIX),
    ];
    for (group, input) in cases {
        let want = walk_ours_replies(&limits, input);
        assert_eq!(
            walk_smtp_proto_replies(&mut receiver, input),
            want,
            "{group}: smtp-proto"
        );

        let mut g = c.benchmark_group(group);
        g.throughput(Throughput::Bytes(input.len() as u64));
        g.bench_function("smtp-codec", |b| {
            b.iter(|| walk_ours_replies(&limits, black_box(input)))
        });
        g.bench_function("smtp-proto", |b| {
            b.iter(|| walk_smtp_proto_replies(&mut receiver, black_box(input)))
        });
        g.finish();
    }
}

/// What both read from the capability reply: the size limit, the number of
/// mechanisms, and whether PIPELINING and STARTTLS are there.
fn ehlo_ours(limits: &ReplyLimits, input: &[u8]) -> (u64, usize, bool, bool) {
    let (reply, _) = parse_reply(input, limits)
        .expect("smtp-codec parses the reply")
        .expect("complete");
    let caps = Capabilities::from_ehlo_reply(&reply);
    (
        caps.size.unwrap_or(0),
        caps.auth.len(),
        caps.pipelining,
        caps.starttls,
    )
}

fn ehlo_smtp_proto(input: &[u8]) -> (u64, usize, bool, bool) {
    let ehlo: EhloResponse<String> =
        EhloResponse::parse(&mut input.iter()).expect("smtp-proto parses the reply");
    (
        ehlo.size as u64,
        ehlo.auth().count_ones() as usize,
        ehlo.has_capability(smtp_proto::EXT_PIPELINING),
        ehlo.has_capability(smtp_proto::EXT_START_TLS),
    )
}

fn smtp_ehlo(c: &mut Criterion) {
    let limits = ReplyLimits::default();
    let input = SMTP_EHLO_REPLY;
    let want = ehlo_ours(&limits, input);
    assert_eq!(want, (35_882_577, 2, true, true));
    assert_eq!(ehlo_smtp_proto(input), want, "smtp-proto");

    let mut g = c.benchmark_group("smtp_ehlo");
    g.throughput(Throughput::Bytes(input.len() as u64));
    g.bench_function("smtp-codec", |b| {
        b.iter(|| ehlo_ours(&limits, black_box(input)))
    });
    g.bench_function("smtp-proto", |b| {
        b.iter(|| ehlo_smtp_proto(black_box(input)))
    });
    g.finish();
}

// ---- DATA ----

const DATA_LEN: usize = 10 * 1024 * 1024;
const READ_SIZE: usize = 64 * 1024;

/// The body length and the bytes used up to the end of data.
fn unstuff_ours(input: &[u8], body: &mut Vec<u8>) -> (usize, usize) {
    body.clear();
    let mut d = DotUnstuffer::new(LineEndingPolicy::Reject);
    let mut at = 0;
    for read in input.chunks(READ_SIZE) {
        match d.decode(read, body).expect("smtp-codec un-stuffs") {
            Some(n) => return (body.len(), at + n),
            None => at += read.len(),
        }
    }
    panic!("smtp-codec: no end of data");
}

fn unstuff_smtp_proto(input: &[u8], body: &mut Vec<u8>) -> (usize, usize) {
    body.clear();
    let mut d = DataReceiver::new();
    let mut at = 0;
    for read in input.chunks(READ_SIZE) {
        let mut it = read.iter();
        if d.ingest(&mut it, body) {
            return (body.len(), at + read.len() - it.len());
        }
        at += read.len();
    }
    panic!("smtp-proto: no end of data");
}

fn smtp_data(c: &mut Criterion) {
    let (input, body_len) = smtp_data_message(DATA_LEN);
    let input = input.as_slice();
    let mut body = Vec::with_capacity(input.len());
    let want = (body_len, input.len());
    assert_eq!(unstuff_ours(input, &mut body), want, "smtp-codec");
    let ours = body.clone();
    assert_eq!(unstuff_smtp_proto(input, &mut body), want, "smtp-proto");
    assert!(body == ours, "the same body");

    let mut g = c.benchmark_group("smtp_data_unstuff");
    g.throughput(Throughput::Bytes(input.len() as u64));
    g.sample_size(30);
    g.bench_function("smtp-codec", |b| {
        b.iter(|| unstuff_ours(black_box(input), &mut body))
    });
    g.bench_function("smtp-proto", |b| {
        b.iter(|| unstuff_smtp_proto(black_box(input), &mut body))
    });
    g.finish();
}

criterion_group!(benches, smtp_commands, smtp_replies, smtp_ehlo, smtp_data);
criterion_main!(benches);
