//! Request smuggling: raw streams that parsers disagree on, and what this
//! crate makes of each. Every row is either rejected with the named error,
//! or framed one way only: the listed messages with their exact bodies, and
//! what the rest of the stream is (nothing, an unfinished message, bytes a
//! closing connection never reads, or a switched protocol).
//!
//! The rows are framed with the public wire layer through the driver in
//! `common/mod.rs`, whole and split at every offset, which must agree.

mod common;

use common::{Config, End, Message, Role, check_split_invariance, run, show};
use http_codec::h1::{ClTePolicy, ErrorKind, ParseOptions};

use ErrorKind::*;

/// Parser options of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opts {
    Strict,
    BareLf,
    DropAndClose,
    IdenticalLengths,
    ObsFold,
}

impl Opts {
    fn options(self) -> ParseOptions {
        let mut o = ParseOptions::default();
        match self {
            Opts::Strict => {}
            Opts::BareLf => o.allow_bare_lf = true,
            Opts::DropAndClose => {
                o.content_length_with_transfer_encoding = ClTePolicy::DropAndClose;
            }
            Opts::IdenticalLengths => o.allow_identical_content_lengths = true,
            Opts::ObsFold => o.allow_obs_fold = true,
        }
        o
    }
}

/// An expected message.
#[derive(Debug, Clone)]
struct Msg {
    /// `METHOD target`, or the status code of a response.
    head: &'static str,
    body: &'static [u8],
    keep_alive: bool,
    /// Transfer codings besides the final chunked (`gzip, chunked`).
    coded: bool,
    trailers: &'static [&'static str],
    /// Offset one past the message's last byte, where it matters.
    end: Option<usize>,
}

/// A message that keeps the connection open, with this body.
fn msg(head: &'static str, body: &'static [u8]) -> Msg {
    Msg {
        head,
        body,
        keep_alive: true,
        coded: false,
        trailers: &[],
        end: None,
    }
}

impl Msg {
    /// The connection closes after it.
    fn closing(mut self) -> Msg {
        self.keep_alive = false;
        self
    }
    fn coded(mut self) -> Msg {
        self.coded = true;
        self
    }
    fn trailers(mut self, t: &'static [&'static str]) -> Msg {
        self.trailers = t;
        self
    }
    fn ends_at(mut self, end: usize) -> Msg {
        self.end = Some(end);
        self
    }
}

/// What follows the framed messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rest {
    /// Nothing: the stream ends between messages.
    Nothing,
    /// A message that has not ended (its body bytes so far).
    Unfinished(&'static [u8]),
    /// Bytes after a message that closes the connection: never parsed.
    Unread,
    /// The connection switched protocols; the rest is not HTTP/1.
    Switched,
    /// The stream is rejected with this error.
    Rejected(ErrorKind),
}

struct Case {
    name: &'static str,
    wire: &'static [u8],
    role: Role,
    /// For responses: the request method.
    method: &'static str,
    opts: Opts,
    messages: Vec<Msg>,
    rest: Rest,
}

/// A request stream rejected with `kind` before any message.
fn reject(name: &'static str, wire: &'static [u8], kind: ErrorKind) -> Case {
    frame(name, wire, vec![], Rest::Rejected(kind))
}

/// A request stream framed into `messages`, then `rest`.
fn frame(name: &'static str, wire: &'static [u8], messages: Vec<Msg>, rest: Rest) -> Case {
    Case {
        name,
        wire,
        role: Role::Request,
        method: "GET",
        opts: Opts::Strict,
        messages,
        rest,
    }
}

impl Case {
    fn with(mut self, opts: Opts) -> Case {
        self.opts = opts;
        self
    }
    /// A response stream, answering `method`.
    fn response(mut self, method: &'static str) -> Case {
        self.role = Role::Response;
        self.method = method;
        self
    }
}

fn cases() -> Vec<Case> {
    vec![
        // --- CL.TE and TE.CL: both framing headers in one request ---------------
        reject(
            "CL.TE: Content-Length first, then chunked",
            b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG",
            ContentLengthWithTransferEncoding,
        ),
        reject(
            "TE.CL: chunked first, then Content-Length",
            b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n",
            ContentLengthWithTransferEncoding,
        ),
        reject(
            "CL 0 with chunked is still both headers",
            b"POST / HTTP/1.1\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
            ContentLengthWithTransferEncoding,
        ),
        frame(
            "CL.TE with DropAndClose: chunked wins, the trailing G is never a request",
            b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nG",
            vec![msg("POST /", b"").closing()],
            Rest::Unread,
        )
        .with(Opts::DropAndClose),
        frame(
            "TE.CL with DropAndClose: the chunked body is read whole, then the connection closes",
            b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n8\r\nSMUGGLED\r\n0\r\n\r\n",
            vec![msg("POST /", b"SMUGGLED").closing()],
            Rest::Nothing,
        )
        .with(Opts::DropAndClose),
        frame(
            "TE.CL with DropAndClose: a request hidden in the chunk is body, the one after is unread",
            b"POST / HTTP/1.1\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n17\r\nGET /admin HTTP/1.1\r\n\r\n\r\n0\r\n\r\nGET /admin HTTP/1.1\r\n\r\n",
            vec![msg("POST /", b"GET /admin HTTP/1.1\r\n\r\n").closing()],
            Rest::Unread,
        )
        .with(Opts::DropAndClose),
        reject(
            "DropAndClose does not rescue a Transfer-Encoding that is not chunked",
            b"POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: xchunked\r\n\r\nhello",
            InvalidTransferEncoding,
        )
        .with(Opts::DropAndClose),
        reject(
            "Transfer-Encoding in HTTP/1.0",
            b"POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            TransferEncodingOnHttp10,
        ),
        reject(
            "Transfer-Encoding with Content-Length in HTTP/1.0",
            b"POST / HTTP/1.0\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\nhello",
            TransferEncodingOnHttp10,
        ),
        // --- TE.TE: obfuscated Transfer-Encoding ---------------------------------
        reject(
            "TE xchunked",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: xchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            InvalidTransferEncoding,
        ),
        reject(
            "TE chunked, identity (chunked not last)",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked, identity\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            InvalidTransferEncoding,
        ),
        frame(
            "TE identity, chunked: chunked framing, the other coding flagged (the server answers 501)",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: identity, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            vec![msg("POST /", b"hello").coded()],
            Rest::Nothing,
        ),
        reject(
            "TE chunked, chunked",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            InvalidTransferEncoding,
        ),
        reject(
            "TE chunked twice, in two fields",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            InvalidTransferEncoding,
        ),
        reject(
            "TE chunked, then a second field gzip: chunked is not last",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            InvalidTransferEncoding,
        ),
        frame(
            "TE gzip, then a second field chunked: chunked is last",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            vec![msg("POST /", b"hello").coded()],
            Rest::Nothing,
        ),
        reject(
            "TE gzip alone in a request",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\nhello",
            InvalidTransferEncoding,
        ),
        frame(
            "TE with spaces before chunked (OWS)",
            b"POST / HTTP/1.1\r\nTransfer-Encoding:    chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            vec![msg("POST /", b"hello")],
            Rest::Nothing,
        ),
        frame(
            "TE with a tab before and after chunked (OWS)",
            b"POST / HTTP/1.1\r\nTransfer-Encoding:\tchunked\t\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            vec![msg("POST /", b"hello")],
            Rest::Nothing,
        ),
        reject(
            "TE with a space before the colon",
            b"POST / HTTP/1.1\r\nTransfer-Encoding : chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            WhitespaceBeforeColon,
        ),
        reject(
            "TE with a tab before the colon",
            b"POST / HTTP/1.1\r\nTransfer-Encoding\t: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            WhitespaceBeforeColon,
        ),
        reject(
            "TE line starting with a space (whitespace before the first field)",
            b"POST / HTTP/1.1\r\n Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            ObsFold,
        ),
        frame(
            "Transfer_Encoding is another field: Content-Length frames the body",
            b"POST / HTTP/1.1\r\nTransfer_Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n",
            vec![msg("POST /", b"0\r\n\r\n")],
            Rest::Nothing,
        ),
        reject(
            "TE value folded onto the next line",
            b"POST / HTTP/1.1\r\nTransfer-Encoding:\r\n chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            ObsFold,
        ),
        reject(
            "TE value folded onto the next line, allow_obs_fold is for responses only",
            b"POST / HTTP/1.1\r\nTransfer-Encoding:\r\n chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            ObsFold,
        )
        .with(Opts::ObsFold),
        reject(
            "TE \"chunked\" in quotes",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: \"chunked\"\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            InvalidTransferEncoding,
        ),
        reject(
            "TE chunked with a parameter",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked;foo=bar\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            InvalidTransferEncoding,
        ),
        frame(
            "TE CHUNKED in capitals (codings are case-insensitive)",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: CHUNKED\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            vec![msg("POST /", b"hello")],
            Rest::Nothing,
        ),
        frame(
            "TRANSFER-ENCODING in capitals (names are case-insensitive)",
            b"POST / HTTP/1.1\r\nTRANSFER-ENCODING: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            vec![msg("POST /", b"hello")],
            Rest::Nothing,
        ),
        reject(
            "TE empty",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: \r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            InvalidTransferEncoding,
        ),
        frame(
            "TE with an empty list element before chunked (RFC 9110 §5.6.1)",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: , chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            vec![msg("POST /", b"hello")],
            Rest::Nothing,
        ),
        reject(
            "TE chunk (truncated)",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunk\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            InvalidTransferEncoding,
        ),
        reject(
            "TE chunked followed by a vertical tab",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\x0b\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            InvalidHeaderValue,
        ),
        reject(
            "TE chunked followed by NUL",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\x00\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            InvalidHeaderValue,
        ),
        reject(
            "TE with a zero-width space (UTF-8) before chunked",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: \xe2\x80\x8bchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            InvalidTransferEncoding,
        ),
        reject(
            "TE with a Latin-1 no-break space (0xA0) before chunked",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: \xa0chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            InvalidTransferEncoding,
        ),
        reject(
            "TE name followed by a no-break space (UTF-8) before the colon",
            b"POST / HTTP/1.1\r\nTransfer-Encoding\xc2\xa0: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            InvalidHeaderName,
        ),
        // --- Content-Length ------------------------------------------------------
        reject(
            "CL repeated with the same value",
            b"POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
            DuplicateContentLength,
        ),
        frame(
            "CL repeated with the same value, allowed by option",
            b"POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
            vec![msg("POST /", b"hello")],
            Rest::Nothing,
        )
        .with(Opts::IdenticalLengths),
        reject(
            "CL repeated with different values",
            b"POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
            DuplicateContentLength,
        ),
        reject(
            "CL repeated with different values, even when identical ones are allowed",
            b"POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
            DuplicateContentLength,
        )
        .with(Opts::IdenticalLengths),
        reject(
            "CL list 5, 5",
            b"POST / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\nhello",
            DuplicateContentLength,
        ),
        frame(
            "CL list 5, 5, allowed by option",
            b"POST / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\nhello",
            vec![msg("POST /", b"hello")],
            Rest::Nothing,
        )
        .with(Opts::IdenticalLengths),
        reject(
            "CL list 5,6",
            b"POST / HTTP/1.1\r\nContent-Length: 5,6\r\n\r\nhello!",
            DuplicateContentLength,
        )
        .with(Opts::IdenticalLengths),
        reject(
            "CL +5",
            b"POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\nhello",
            InvalidContentLength,
        ),
        reject(
            "CL -5",
            b"POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\nhello",
            InvalidContentLength,
        ),
        reject(
            "CL 0x5",
            b"POST / HTTP/1.1\r\nContent-Length: 0x5\r\n\r\nhello",
            InvalidContentLength,
        ),
        frame(
            "CL with spaces around the value (OWS)",
            b"POST / HTTP/1.1\r\nContent-Length:  5  \r\n\r\nhello",
            vec![msg("POST /", b"hello")],
            Rest::Nothing,
        ),
        reject(
            "CL 5 5",
            b"POST / HTTP/1.1\r\nContent-Length: 5 5\r\n\r\nhello",
            InvalidContentLength,
        ),
        frame(
            "CL 005 is decimal 5, not octal",
            b"POST / HTTP/1.1\r\nContent-Length: 005\r\n\r\nhelloGET / HTTP/1.1\r\n\r\n",
            vec![msg("POST /", b"hello").ends_at(45), msg("GET /", b"")],
            Rest::Nothing,
        ),
        reject(
            "CL that overflows 64 bits",
            b"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\nhello",
            InvalidContentLength,
        ),
        reject(
            "CL 2^64 overflows by one",
            b"POST / HTTP/1.1\r\nContent-Length: 18446744073709551616\r\n\r\nhello",
            InvalidContentLength,
        ),
        frame(
            "CL 2^64-1 is a valid (unfinished) length",
            b"POST / HTTP/1.1\r\nContent-Length: 18446744073709551615\r\n\r\nhello",
            vec![],
            Rest::Unfinished(b"hello"),
        ),
        reject(
            "CL empty",
            b"POST / HTTP/1.1\r\nContent-Length: \r\n\r\nhello",
            InvalidContentLength,
        ),
        reject(
            "CL with a trailing comma",
            b"POST / HTTP/1.1\r\nContent-Length: 5,\r\n\r\nhello",
            InvalidContentLength,
        ),
        reject(
            "CL in fullwidth digits",
            "POST / HTTP/1.1\r\nContent-Length: \u{ff15}\r\n\r\nhello".as_bytes(),
            InvalidContentLength,
        ),
        reject(
            "CL in Arabic-Indic digits",
            "POST / HTTP/1.1\r\nContent-Length: \u{665}\r\n\r\nhello".as_bytes(),
            InvalidContentLength,
        ),
        reject(
            "CL name followed by a vertical tab",
            b"POST / HTTP/1.1\r\nContent-Length\x0b: 5\r\n\r\nhello",
            InvalidHeaderName,
        ),
        reject(
            "CL with a space before the colon",
            b"POST / HTTP/1.1\r\nContent-Length : 5\r\n\r\nhello",
            WhitespaceBeforeColon,
        ),
        frame(
            "Content_Length is another field: no body, the next bytes start a request",
            b"POST / HTTP/1.1\r\nContent_Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\n\r\n",
            vec![msg("POST /", b""), msg("helloGET /", b"")],
            Rest::Nothing,
        ),
        // --- CR and LF ----------------------------------------------------------
        reject(
            "bare CR inside a field value",
            b"GET / HTTP/1.1\r\nX: a\rb\r\n\r\n",
            BareCr,
        ),
        reject(
            "bare CR as a line ending hides Content-Length",
            b"POST / HTTP/1.1\r\nX: a\rContent-Length: 5\r\n\r\nhello",
            BareCr,
        ),
        reject(
            "CR CR LF at the end of a field line",
            b"GET / HTTP/1.1\r\nX: a\r\r\n\r\n",
            BareCr,
        ),
        reject(
            "bare CR ending the request line",
            b"GET / HTTP/1.1\rHost: a\r\n\r\n",
            InvalidStartLine,
        ),
        reject(
            "bare LF line endings",
            b"GET / HTTP/1.1\nHost: a\n\n",
            BareLf,
        ),
        frame(
            "bare LF line endings, allowed by option",
            b"GET / HTTP/1.1\nHost: a\n\nGET /2 HTTP/1.1\n\n",
            vec![msg("GET /", b""), msg("GET /2", b"")],
            Rest::Nothing,
        )
        .with(Opts::BareLf),
        reject(
            "bare LF hides Transfer-Encoding from a CRLF-only reader",
            b"POST / HTTP/1.1\r\nX: x\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            BareLf,
        ),
        frame(
            "bare LF allowed: the field after it is a field, every time",
            b"POST / HTTP/1.1\r\nX: x\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            vec![msg("POST /", b"hello")],
            Rest::Nothing,
        )
        .with(Opts::BareLf),
        reject(
            "bare LF after a chunk size",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n",
            InvalidChunkSize,
        ),
        reject(
            "bare LF after chunk data",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\n0\r\n\r\n",
            MissingChunkCrlf,
        ),
        frame(
            "bare LF chunk framing, allowed by option",
            b"POST / HTTP/1.1\nTransfer-Encoding: chunked\n\n5\nhello\n0\n\n",
            vec![msg("POST /", b"hello")],
            Rest::Nothing,
        )
        .with(Opts::BareLf),
        // --- NUL and other bytes out of place -----------------------------------
        reject(
            "NUL in the request-target",
            b"GET /a\x00b HTTP/1.1\r\n\r\n",
            InvalidTarget,
        ),
        reject(
            "NUL in a field name",
            b"GET / HTTP/1.1\r\nX\x00Y: 1\r\n\r\n",
            InvalidHeaderName,
        ),
        reject(
            "NUL in a field value",
            b"GET / HTTP/1.1\r\nX: a\x00b\r\n\r\n",
            InvalidHeaderValue,
        ),
        reject(
            "NUL in the method",
            b"G\x00ET / HTTP/1.1\r\n\r\n",
            InvalidMethod,
        ),
        reject(
            "Content-Length name ending in NUL",
            b"POST / HTTP/1.1\r\nContent-Length\x00: 5\r\n\r\nhello",
            InvalidHeaderName,
        ),
        reject(
            "bare CR in the request-target",
            b"GET /a\rb HTTP/1.1\r\n\r\n",
            InvalidTarget,
        ),
        reject(
            "DEL in a field value",
            b"GET / HTTP/1.1\r\nX: a\x7fb\r\n\r\n",
            InvalidHeaderValue,
        ),
        // --- chunk sizes and chunk lines -----------------------------------------
        reject(
            "chunk size of 18 hex digits overflows",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nhello\r\n0\r\n\r\n",
            ChunkSizeOverflow,
        ),
        reject(
            "chunk size 2^64 overflows",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n10000000000000000\r\nhello\r\n0\r\n\r\n",
            ChunkSizeOverflow,
        ),
        frame(
            "chunk size with leading zeros",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n00000000000000000000005\r\nhello\r\n000\r\n\r\n",
            vec![msg("POST /", b"hello")],
            Rest::Nothing,
        ),
        reject(
            "chunk size 0x5",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n",
            InvalidChunkSize,
        ),
        reject(
            "chunk size -5",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n",
            InvalidChunkSize,
        ),
        reject(
            "chunk size +5",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n+5\r\nhello\r\n0\r\n\r\n",
            InvalidChunkSize,
        ),
        reject(
            "chunk size followed by a space and no extension",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n",
            InvalidChunkSize,
        ),
        frame(
            "chunk size, whitespace, then an extension (BWS before ;)",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5 ;ext=1\r\nhello\r\n0\r\n\r\n",
            vec![msg("POST /", b"hello")],
            Rest::Nothing,
        ),
        reject(
            "chunk extension without ;",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5 ext\r\nhello\r\n0\r\n\r\n",
            InvalidChunkSize,
        ),
        reject(
            "chunk size running into letters: 5f then o",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5foo\r\nhello\r\n0\r\n\r\n",
            InvalidChunkSize,
        ),
        reject(
            "bare CR in a chunk extension",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;a\rb\r\nhello\r\n0\r\n\r\n",
            BareCr,
        ),
        reject(
            "unterminated quoted chunk extension swallowing the line end",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5;a=\"x\r\nhello\r\n0\r\n\r\n",
            InvalidChunkExtension,
        ),
        reject(
            "chunk data without its CRLF",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello0\r\n\r\n",
            MissingChunkCrlf,
        ),
        reject(
            "chunk data longer than its size",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX\r\n0\r\n\r\n",
            MissingChunkCrlf,
        ),
        reject(
            "chunk data shorter than its size",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nhello\r\n0\r\n\r\n",
            MissingChunkCrlf,
        ),
        reject(
            "empty line where a chunk size belongs",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n\r\n0\r\n\r\n",
            InvalidChunkSize,
        ),
        frame(
            "chunked body cut short",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
            vec![],
            Rest::Unfinished(b"hel"),
        ),
        // --- trailers ------------------------------------------------------------
        reject(
            "a request line in the trailer section",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nGET /admin HTTP/1.1\r\nHost: a\r\n\r\n",
            WhitespaceBeforeColon,
        ),
        frame(
            "trailers end exactly at their empty line; the next request follows",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-T: 1\r\n\r\nGET /admin HTTP/1.1\r\nHost: a\r\n\r\n",
            vec![
                msg("POST /", b"").trailers(&["X-T: 1"]).ends_at(60),
                msg("GET /admin", b""),
            ],
            Rest::Nothing,
        ),
        reject(
            "obs-fold in the trailer section",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX: a\r\n b\r\n\r\n",
            ObsFold,
        ),
        frame(
            "Content-Length in trailers frames nothing",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nContent-Length: 5\r\n\r\nGET / HTTP/1.1\r\n\r\n",
            vec![
                msg("POST /", b"").trailers(&["Content-Length: 5"]),
                msg("GET /", b""),
            ],
            Rest::Nothing,
        ),
        frame(
            "Transfer-Encoding in trailers frames nothing",
            b"POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\nGET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nTransfer-Encoding: chunked\r\n\r\n",
            vec![
                msg("POST /", b""),
                msg("GET /", b"").trailers(&["Transfer-Encoding: chunked"]),
            ],
            Rest::Nothing,
        ),
        frame(
            "last chunk without its final CRLF is unfinished, whatever follows",
            b"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n",
            vec![],
            Rest::Unfinished(b"hello"),
        ),
        // --- request line --------------------------------------------------------
        reject(
            "two spaces between method and target",
            b"GET  / HTTP/1.1\r\n\r\n",
            InvalidTarget,
        ),
        reject(
            "two spaces between target and version",
            b"GET /  HTTP/1.1\r\n\r\n",
            InvalidVersion,
        ),
        reject(
            "tab between method and target",
            b"GET\t/ HTTP/1.1\r\n\r\n",
            InvalidMethod,
        ),
        reject(
            "tab between target and version",
            b"GET /\tHTTP/1.1\r\n\r\n",
            InvalidTarget,
        ),
        reject(
            "trailing space after the version",
            b"GET / HTTP/1.1 \r\n\r\n",
            InvalidStartLine,
        ),
        reject(
            "leading space before the method",
            b" GET / HTTP/1.1\r\n\r\n",
            InvalidMethod,
        ),
        reject(
            "absolute-form with a space in it",
            b"GET http://a.example/x y HTTP/1.1\r\n\r\n",
            InvalidVersion,
        ),
        reject(
            "absolute-form with a space in the authority",
            b"GET http://a b/ HTTP/1.1\r\n\r\n",
            InvalidVersion,
        ),
        reject(
            "lowercase protocol name",
            b"GET / http/1.1\r\n\r\n",
            InvalidVersion,
        ),
        reject(
            "HTTP/2.0 on an HTTP/1 connection",
            b"GET / HTTP/2.0\r\n\r\n",
            UnsupportedVersion,
        ),
        // --- pipelining and connection ends --------------------------------------
        frame(
            "pipelined requests after a Content-Length body",
            b"POST /1 HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloPOST /2 HTTP/1.1\r\nContent-Length: 3\r\n\r\nbye",
            vec![
                msg("POST /1", b"hello").ends_at(44),
                msg("POST /2", b"bye").ends_at(86),
            ],
            Rest::Nothing,
        ),
        frame(
            "pipelined request after a chunked body",
            b"POST /1 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET /2 HTTP/1.1\r\n\r\n",
            vec![msg("POST /1", b"hello").ends_at(63), msg("GET /2", b"")],
            Rest::Nothing,
        ),
        frame(
            "a Content-Length longer than the body swallows the next request's start",
            b"POST / HTTP/1.1\r\nContent-Length: 10\r\n\r\nhelloGET / HTTP/1.1\r\n\r\n",
            vec![msg("POST /", b"helloGET /")],
            Rest::Rejected(InvalidMethod),
        ),
        frame(
            "empty lines between pipelined requests are skipped",
            b"GET /1 HTTP/1.1\r\n\r\n\r\n\r\nGET /2 HTTP/1.1\r\n\r\n",
            vec![msg("GET /1", b""), msg("GET /2", b"")],
            Rest::Nothing,
        ),
        frame(
            "HTTP/1.0 without keep-alive: the next request is never read",
            b"POST / HTTP/1.0\r\nContent-Length: 5\r\n\r\nhelloGET /admin HTTP/1.0\r\n\r\n",
            vec![msg("POST /", b"hello").closing()],
            Rest::Unread,
        ),
        frame(
            "HTTP/1.0 with keep-alive: the next request is read",
            b"POST / HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 5\r\n\r\nhelloGET /2 HTTP/1.0\r\n\r\n",
            vec![msg("POST /", b"hello"), msg("GET /2", b"").closing()],
            Rest::Nothing,
        ),
        frame(
            "Connection: close, then a smuggled request",
            b"GET / HTTP/1.1\r\nConnection: close\r\n\r\nGET /admin HTTP/1.1\r\n\r\n",
            vec![msg("GET /", b"").closing()],
            Rest::Unread,
        ),
        frame(
            "Upgrade: the bytes after the request are not HTTP/1",
            b"GET / HTTP/1.1\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\nGET /admin HTTP/1.1\r\n\r\n",
            vec![msg("GET /", b"")],
            Rest::Switched,
        ),
        reject(
            "Expect other than 100-continue",
            b"POST / HTTP/1.1\r\nExpect: 100-continue, smuggle\r\nContent-Length: 5\r\n\r\nhello",
            UnsupportedExpectation,
        ),
        // --- responses (as a client reads them) ----------------------------------
        frame(
            "response with chunked and Content-Length: chunked wins, then close",
            b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nHTTP/1.1 200 OK\r\n\r\n",
            vec![msg("200", b"hello").closing()],
            Rest::Unread,
        )
        .response("GET"),
        frame(
            "response to HEAD: Content-Length describes, frames nothing",
            b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
            vec![msg("200", b""), msg("204", b"")],
            Rest::Nothing,
        )
        .response("HEAD"),
        frame(
            "folded Connection: close in a response is still close",
            b"HTTP/1.1 200 OK\r\nConnection: keep-alive,\r\n close\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 200 OK\r\n\r\n",
            vec![msg("200", b"hello").closing()],
            Rest::Unread,
        )
        .response("GET")
        .with(Opts::ObsFold),
        frame(
            "folded Transfer-Encoding list in a response ends in chunked",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip,\r\n chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            vec![msg("200", b"hello").coded()],
            Rest::Nothing,
        )
        .response("GET")
        .with(Opts::ObsFold),
        frame(
            "response to HEAD with chunked: no body, the next bytes are the next response",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
            vec![msg("200", b""), msg("204", b"")],
            Rest::Nothing,
        )
        .response("HEAD"),
        frame(
            "304 with Content-Length has no body",
            b"HTTP/1.1 304 Not Modified\r\nContent-Length: 5\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
            vec![msg("304", b""), msg("200", b"ok")],
            Rest::Nothing,
        )
        .response("GET"),
        frame(
            "100 Continue, then the final response",
            b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
            vec![msg("100", b""), msg("200", b"ok")],
            Rest::Nothing,
        )
        .response("POST"),
        frame(
            "101 with Content-Length: no body, the protocol switches at once",
            b"HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\nContent-Length: 4\r\n\r\nbody",
            vec![msg("101", b"")],
            Rest::Switched,
        )
        .response("GET"),
        frame(
            "2xx to CONNECT with Content-Length: a tunnel, no body",
            b"HTTP/1.1 200 Connection Established\r\nContent-Length: 4\r\n\r\nbody",
            vec![msg("200", b"")],
            Rest::Switched,
        )
        .response("CONNECT"),
        frame(
            "response Transfer-Encoding not ending in chunked: read until close",
            b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
            vec![],
            Rest::Unfinished(b"5\r\nhello\r\n0\r\n\r\n"),
        )
        .response("GET"),
    ]
}

fn check(case: &Case) -> Result<(), String> {
    let mut config = Config::new(case.role, case.opts.options());
    config.request_method = case.method;
    let outcome = run(&config, case.wire, false);
    let got = &outcome.messages;
    let same_messages = got.len() == case.messages.len()
        && got
            .iter()
            .zip(&case.messages)
            .all(|(g, want)| message_matches(g, want));
    let rest = match &outcome.end {
        End::Idle => Rest::Nothing,
        End::Incomplete { partial_body } => {
            let want = match case.rest {
                Rest::Unfinished(b) => b,
                _ => b"",
            };
            if partial_body != want {
                return Err(format!("unfinished body {:?}", show(partial_body)));
            }
            Rest::Unfinished(want)
        }
        End::DataAfterClose { .. } => Rest::Unread,
        End::Upgrade { .. } => Rest::Switched,
        End::Rejected { kind, .. } => Rest::Rejected(*kind),
    };
    if !same_messages || rest != case.rest {
        return Err(format!(
            "expected {:?} then {:?}\n  got {:?}\n  then {:?}",
            case.messages, case.rest, outcome.messages, outcome.end
        ));
    }
    check_split_invariance(&config, case.wire, false, &outcome)
}

fn message_matches(got: &Message, want: &Msg) -> bool {
    got.head == want.head
        && got.body == want.body
        && got.keep_alive == want.keep_alive
        && got.other_transfer_codings == want.coded
        && got.trailers == want.trailers
        && want.end.is_none_or(|end| got.end == end)
}

#[test]
fn smuggling_cases() {
    let cases = cases();
    let mut failures = Vec::new();
    for case in &cases {
        if let Err(why) = check(case) {
            failures.push(format!("{}: {why}\n  wire: {}", case.name, show(case.wire)));
        }
    }
    let rejected = cases
        .iter()
        .filter(|c| matches!(c.rest, Rest::Rejected(_)))
        .count();
    eprintln!(
        "smuggling: {} cases ({} rejected, {} framed), {} failed",
        cases.len(),
        rejected,
        cases.len() - rejected,
        failures.len()
    );
    assert!(cases.len() >= 70);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Names are what a failure message shows: they must tell rows apart.
#[test]
fn case_names_are_unique() {
    let cases = cases();
    let mut names: Vec<&str> = cases.iter().map(|c| c.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), cases.len());
}

/// Size limits decide the same way wherever the input splits: one reader of
/// these bytes must never accept what another rejects because the packets
/// fell differently.
#[test]
fn size_limits_do_not_depend_on_splits() {
    let line = |method_len: usize, target_len: usize, header_len: usize| {
        let mut wire = vec![b'M'; method_len];
        wire.extend_from_slice(b" /");
        wire.extend(std::iter::repeat_n(b'a', target_len));
        wire.extend_from_slice(b" HTTP/1.1\r\nX: ");
        wire.extend(std::iter::repeat_n(b'v', header_len));
        wire.extend_from_slice(b"\r\n\r\n");
        wire
    };
    let config = Config::new(Role::Request, ParseOptions::default());
    for (wire, want) in [
        // A request line longer than the target limit plus 64 bytes: even
        // with a short target, it is refused before its end arrives, so it
        // must be refused whole too.
        (line(8300, 0, 0), Some((TargetTooLong, 8256))),
        (line(3, 8250, 0), Some((TargetTooLong, 8256))),
        (line(3, 8200, 0), Some((TargetTooLong, 4 + 8192))),
        (line(3, 8100, 0), None),
        (line(3, 70_000, 0), Some((TargetTooLong, 8256))),
        (line(3, 10, 70_000), Some((HeadTooLarge, 64 * 1024))),
    ] {
        let outcome = run(&config, &wire, false);
        let got = match outcome.end {
            End::Rejected { kind, at } => Some((kind, at)),
            _ => None,
        };
        assert_eq!(got, want, "{}", show(&wire[..40]));
        // Every split would take minutes here; the split points that matter
        // are around the limits.
        for at in [
            1, 4000, 8255, 8256, 8257, 8300, 8400, 65_535, 65_536, 65_537,
        ] {
            if at < wire.len() {
                let (a, b) = wire.split_at(at);
                let split = common::run_pieces(&config, &[a, b], false);
                assert_eq!(split, outcome, "split at {at}");
            }
        }
    }
}
