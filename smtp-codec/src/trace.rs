//! Trace header fields a receiving server adds (RFC 5321 §4.4):
//! `Return-Path` and `Received`, with the protocol names of RFC 3848.
//!
//! ```
//! use std::net::{IpAddr, Ipv4Addr};
//! use std::time::Instant;
//! use smtp_codec::server::{ServerConfig, ServerEvent, ServerSession};
//! use smtp_codec::trace::trace_headers;
//!
//! let now = Instant::now();
//! let mut s = ServerSession::new(ServerConfig::new("mx.example.org"), now);
//! s.handle_input(now, b"EHLO client.example\r\nMAIL FROM:<a@example.org>\r\n");
//! while let Some(ev) = s.poll_event() {
//!     if matches!(ev, ServerEvent::Mail(_) | ServerEvent::Rcpt(_)) { s.accept(now)?; }
//! }
//! s.handle_input(now, b"RCPT TO:<b@example.net>\r\n");
//! while s.poll_event().is_some() { s.accept(now)?; }
//! s.handle_input(now, b"BDAT 5 LAST\r\nhi\r\n\r\n");
//! let Some(ServerEvent::Message(tx)) = s.poll_event() else { panic!() };
//! let head = trace_headers(&tx, Some(IpAddr::V4(Ipv4Addr::LOCALHOST)), "mx.example.org", "17A", "Sun, 22 Nov 2026 10:00:00 +0000");
//! assert_eq!(head, "Return-Path: <a@example.org>\r\n\
//!     Received: from client.example ([127.0.0.1])\r\n\
//!     \tby mx.example.org with ESMTP id 17A\r\n\
//!     \tfor <b@example.net>; Sun, 22 Nov 2026 10:00:00 +0000\r\n");
//! # Ok::<(), smtp_codec::server::DecisionError>(())
//! ```

use alloc::format;
use alloc::string::String;
use std::net::IpAddr;

use crate::server::Transaction;

/// The `with` protocol name of RFC 3848 for this transaction: SMTP, ESMTP,
/// ESMTPA, ESMTPS or ESMTPSA.
pub fn protocol_name(tx: &Transaction) -> &'static str {
    match (tx.extended, tx.tls, tx.authenticated.is_some()) {
        (false, _, _) => "SMTP",
        (true, false, false) => "ESMTP",
        (true, true, false) => "ESMTPS",
        (true, false, true) => "ESMTPA",
        (true, true, true) => "ESMTPSA",
    }
}

/// `Return-Path` and `Received` fields to put before the message, CRLF
/// terminated. `by` names this host, `id` the stored message, `date` is an
/// RFC 5322 date (see [`crate::message::format_date`]). `for` is given
/// when there is exactly one recipient, as RFC 5321 §4.4 advises for
/// privacy. Control characters in `by`, `id` or `date` are dropped, so the
/// result is always exactly two fields; the envelope values come from
/// parsed commands and cannot contain them.
pub fn trace_headers(
    tx: &Transaction,
    peer: Option<IpAddr>,
    by: &str,
    id: &str,
    date: &str,
) -> String {
    let clean = |s: &str| -> String { s.chars().filter(|c| !c.is_control()).collect() };
    let mut h = format!(
        "Return-Path: <{}>\r\n",
        tx.mail.from.as_deref().unwrap_or("")
    );
    h += &format!("Received: from {}", clean(&tx.helo));
    if let Some(ip) = peer {
        match ip {
            IpAddr::V4(a) => h += &format!(" ([{a}])"),
            IpAddr::V6(a) => h += &format!(" ([IPv6:{a}])"),
        }
    }
    h += &format!(
        "\r\n\tby {} with {} id {}",
        clean(by),
        protocol_name(tx),
        clean(id)
    );
    if let [one] = tx.recipients.as_slice() {
        h += &format!("\r\n\tfor <{}>", one.to);
    }
    h += &format!("; {}\r\n", clean(date));
    h
}
