//! Internet Message Format headers (RFC 5322): parse a header block without
//! copying, read its fields as typed values, and build messages that cannot
//! carry an injected header.
//!
//! # Reading
//!
//! [`HeaderBlock::parse`] splits a message (or just its header section) into
//! [`Field`]s in wire order, each borrowing its name and raw value, and finds
//! where the body starts. It accepts CRLF and bare LF line endings (and says
//! which it saw), rejects what no reader can interpret safely (a line without
//! a colon, a bad name byte, NUL, a bare CR) and enforces [`HeaderLimits`].
//!
//! Typed accessors decode the common fields: [`HeaderBlock::from`],
//! [`to`](HeaderBlock::to), [`cc`](HeaderBlock::cc),
//! [`reply_to`](HeaderBlock::reply_to) (address lists with groups),
//! [`subject`](HeaderBlock::subject) (unfolded, RFC 2047 encoded-words
//! decoded), [`date`](HeaderBlock::date), [`message_id`](HeaderBlock::message_id),
//! [`in_reply_to`](HeaderBlock::in_reply_to) and
//! [`references`](HeaderBlock::references). The same decoders are free
//! functions ([`parse_address_list`], [`decode_unstructured`], [`parse_date`],
//! [`parse_msg_ids`]) for fields the accessors do not cover.
//!
//! Parsing is strict by default, as RFC 5322 and RFC 2047 read; the obsolete
//! syntax of RFC 5322 §4 (which a receiver must accept) is always accepted.
//! The leniencies that other mail readers apply are named fields of
//! [`HeaderOptions`], off by default.
//!
//! ```
//! use smtp_codec::message::{HeaderBlock, LineEnding};
//!
//! let raw = b"From: =?UTF-8?Q?J=C3=B6rg?= <jorg@example.com>\r\n\
//!             Subject: Caf=?ISO-8859-1?Q?=E9?= is not decoded, but\r\n \
//!             =?ISO-8859-1?Q?caf=E9?= is\r\n\
//!             Date: Sun, 22 Nov 2026 10:00:00 +0100\r\n\
//!             \r\n\
//!             Hello\r\n";
//! let block = HeaderBlock::parse(raw)?;
//! assert_eq!(block.line_ending(), Some(LineEnding::Crlf));
//! assert_eq!(block.body(), b"Hello\r\n");
//!
//! let from = block.from()?.expect("a From field");
//! let jorg = &from[0].mailboxes()[0];
//! assert_eq!(jorg.name.as_deref(), Some("Jörg"));
//! assert_eq!(jorg.address, "jorg@example.com");
//!
//! let subject = block.subject()?.expect("a Subject field");
//! assert_eq!(subject, "Caf=?ISO-8859-1?Q?=E9?= is not decoded, but café is");
//!
//! let date = block.date()?.expect("a Date field");
//! assert_eq!((date.year, date.month, date.day, date.offset_minutes), (2026, 11, 22, 60));
//! assert_eq!(date.to_unix(), 1_795_338_000);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Building
//!
//! [`MessageBuilder`] writes a message with CRLF line endings. Header values
//! are folded at whitespace to stay within 78 characters where a fold point
//! exists (never over 998); non-ASCII text in the subject and display names
//! becomes RFC 2047 encoded-words; display names are quoted when they need
//! it. Any CR, LF or NUL in a name or value the caller passes is refused with
//! a [`BuildError`], so no caller input can start a header of its own. The
//! crate has no clock and no random number generator: the date is the
//! caller's unix time ([`format_date`]), and [`message_id`] turns the
//! caller's unique bits into a Message-ID.
//!
//! ```
//! use smtp_codec::message::{HeaderBlock, Mailbox, MessageBuilder, message_id};
//!
//! let id = message_id(0x1234_5678_9abc_def0, "example.com")?;
//! let wire = MessageBuilder::new()
//!     .from(Mailbox::with_name("Zoë Example", "zoe@example.com"))
//!     .to(Mailbox::new("ops@example.net"))
//!     .subject("Réunion à 10h")
//!     .date(1_795_341_600, 0)
//!     .message_id(&id)
//!     .header("X-Ticket", "4711")
//!     .body("Line one\nline two\n")
//!     .build()?;
//! let text = std::str::from_utf8(&wire)?;
//! assert!(text.starts_with("Date: Sun, 22 Nov 2026 10:00:00 +0000\r\n"));
//! assert!(text.contains("From: =?UTF-8?Q?Zo=C3=AB_Example?= <zoe@example.com>\r\n"));
//! assert!(text.ends_with("\r\n\r\nLine one\r\nline two\r\n"));
//!
//! // What was built reads back the same.
//! let block = HeaderBlock::parse(&wire)?;
//! assert_eq!(block.subject()?.as_deref(), Some("Réunion à 10h"));
//! assert_eq!(block.message_id()?.as_deref(), Some(&id[1..id.len() - 1]));
//!
//! // A line break in a value could start a new header: refused.
//! assert!(MessageBuilder::new().subject("hi\r\nBcc: x@example.org").build().is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod address;
mod block;
mod builder;
mod date;
mod encoded_word;
mod lexer;
mod msg_id;

pub use address::{Address, Group, Mailbox, parse_address_list};
pub use block::{Field, HeaderBlock, HeaderError, HeaderLimits, HeaderOptions, LineEnding};
pub use builder::{BuildError, MessageBuilder, message_id};
pub use date::{DateTime, format_date, parse_date};
pub use encoded_word::decode_unstructured;
pub use lexer::ValueError;
pub use msg_id::{parse_keywords, parse_msg_ids};
