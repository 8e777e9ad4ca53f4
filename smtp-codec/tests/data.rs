//! DATA transparency: smuggling sequences, streaming, round trips.

use proptest::prelude::*;
use smtp_codec::data::{DataError, DotStuffer, DotUnstuffer, LineEndingPolicy};

const POLICIES: [LineEndingPolicy; 3] = [
    LineEndingPolicy::Reject,
    LineEndingPolicy::Normalize,
    LineEndingPolicy::Allow,
];

/// The scanners' end-of-data candidates: (name, bytes).
fn eod_sequences() -> Vec<(String, Vec<u8>)> {
    let text = include_str!("corpus/smuggling/eod_sequences.tsv");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let mut cols = l.split('\t');
            let name = cols.next().unwrap().to_string();
            (name, unescape(cols.next().unwrap()))
        })
        .collect()
}

fn unescape(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' {
            match b[i + 1] {
                b'r' => out.push(b'\r'),
                b'n' => out.push(b'\n'),
                b'x' => {
                    let hex = std::str::from_utf8(&b[i + 2..i + 4]).unwrap();
                    out.push(u8::from_str_radix(hex, 16).unwrap());
                    i += 2;
                }
                c => panic!("unknown escape \\{}", c as char),
            }
            i += 2;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

/// Feeds `input` in pieces of `piece` bytes; returns the body, where the
/// data ended (offset in `input`) or the error.
fn unstuff(
    policy: LineEndingPolicy,
    input: &[u8],
    piece: usize,
) -> (Vec<u8>, Result<Option<usize>, DataError>) {
    let mut u = DotUnstuffer::new(policy);
    let mut body = Vec::new();
    let mut at = 0;
    for chunk in input.chunks(piece.max(1)) {
        match u.decode(chunk, &mut body) {
            Ok(Some(n)) => return (body, Ok(Some(at + n))),
            Ok(None) => at += chunk.len(),
            Err(e) => return (body, Err(e)),
        }
    }
    (body, Ok(None))
}

#[test]
fn only_crlf_dot_crlf_ends_data_under_every_policy() {
    let sequences = eod_sequences();
    assert!(sequences.len() >= 12, "corpus read");
    for (name, seq) in &sequences {
        // A message, the candidate, a smuggled transaction, then the real end.
        let mut input = b"Subject: a\r\n\r\nbody".to_vec();
        input.extend_from_slice(seq);
        input.extend_from_slice(b"MAIL FROM:<evil@example.com>\r\nRCPT TO:<victim@example.com>\r\nDATA\r\nsmuggled\r\n.\r\n");
        let real_end = input.len();
        for policy in POLICIES {
            for piece in [1, 2, 3, 7, input.len()] {
                let (_, result) = unstuff(policy, &input, piece);
                if name == "canonical" {
                    let want = b"Subject: a\r\n\r\nbody\r\n.\r\n".len();
                    assert_eq!(result, Ok(Some(want)), "{name} {policy:?} piece {piece}");
                    continue;
                }
                let has_bare = seq
                    .windows(2)
                    .any(|w| w == b"\n." || w == b"\r." || w == b"\r\r")
                    || seq.ends_with(b".\n")
                    || seq.ends_with(b".\r")
                    || seq.first() == Some(&b'\n')
                    || seq.first() == Some(&b'\r') && seq.get(1) != Some(&b'\n');
                match result {
                    Ok(Some(end)) => assert_eq!(
                        end, real_end,
                        "{name} {policy:?} piece {piece}: ended early"
                    ),
                    Err(DataError::BareLineEnding { .. }) => {
                        assert_eq!(
                            policy,
                            LineEndingPolicy::Reject,
                            "{name}: only Reject fails"
                        );
                        assert!(
                            has_bare,
                            "{name}: a bare CR or LF was reported where there is none"
                        );
                    }
                    other => panic!("{name} {policy:?} piece {piece}: {other:?}"),
                }
            }
        }
    }
}

#[test]
fn a_lone_dot_first_line_is_an_empty_message() {
    for policy in POLICIES {
        assert_eq!(
            unstuff(policy, b".\r\nQUIT\r\n", 1),
            (Vec::new(), Ok(Some(3)))
        );
    }
}

#[test]
fn stuffing_is_removed_only_at_line_starts() {
    let (body, end) = unstuff(LineEndingPolicy::Reject, b"..a\r\nb.c\r\n...\r\n.\r\n", 4);
    assert_eq!(body, b".a\r\nb.c\r\n..\r\n");
    assert_eq!(end, Ok(Some(18)));
}

#[test]
fn bare_line_endings_are_reported_with_their_offset() {
    let (_, r) = unstuff(LineEndingPolicy::Reject, b"abc\ndef\r\n.\r\n", 2);
    assert_eq!(
        r,
        Err(DataError::BareLineEnding {
            offset: 3,
            byte: b'\n'
        })
    );
    let (_, r) = unstuff(LineEndingPolicy::Reject, b"abc\rdef\r\n.\r\n", 4);
    assert_eq!(
        r,
        Err(DataError::BareLineEnding {
            offset: 3,
            byte: b'\r'
        })
    );
    // Normalize: bare endings become CRLF and the dot after them is not an end.
    let (body, r) = unstuff(LineEndingPolicy::Normalize, b"a\n.\nb\r\n.\r\n", 1);
    assert_eq!(r, Ok(Some(10)));
    assert_eq!(body, b"a\r\n.\r\nb\r\n");
}

#[test]
fn the_stuffer_guards_lines_after_bare_endings_and_closes_the_message() {
    let mut out = Vec::new();
    let mut s = DotStuffer::new(LineEndingPolicy::Allow);
    s.encode(b".a\n.b\r.c", &mut out).unwrap();
    s.finish(&mut out).unwrap();
    assert_eq!(out, b"..a\n..b\r..c\r\n.\r\n");
    let mut s = DotStuffer::new(LineEndingPolicy::Reject);
    assert_eq!(
        s.encode(b"ok\r\nbad\n", &mut Vec::new()),
        Err(DataError::BareLineEnding {
            offset: 7,
            byte: b'\n'
        })
    );
}

fn message() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop_oneof![
            Just(b'.'),
            Just(b'\r'),
            Just(b'\n'),
            Just(b'a'),
            any::<u8>(),
        ],
        0..200,
    )
}

/// What an un-stuffer hands back for a message our stuffer sent.
fn expected_body(policy: LineEndingPolicy, msg: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < msg.len() {
        match msg[i] {
            b'\r' if msg.get(i + 1) == Some(&b'\n') => {
                out.extend_from_slice(b"\r\n");
                i += 2;
                continue;
            }
            b'\r' | b'\n' => match policy {
                LineEndingPolicy::Reject => return None,
                LineEndingPolicy::Normalize => out.extend_from_slice(b"\r\n"),
                LineEndingPolicy::Allow => out.push(msg[i]),
            },
            c => out.push(c),
        }
        i += 1;
    }
    if !out.is_empty() && !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
    Some(out)
}

proptest! {
    #[test]
    fn stuff_then_unstuff_gives_the_message_back(msg in message(), piece in 1usize..17, policy in 0usize..3) {
        let policy = POLICIES[policy];
        let mut wire = Vec::new();
        let mut s = DotStuffer::new(policy);
        match s.encode(&msg, &mut wire) {
            Err(_) => prop_assert_eq!(expected_body(policy, &msg), None),
            Ok(()) => {
                if s.finish(&mut wire).is_err() {
                    prop_assert_eq!(expected_body(policy, &msg), None);
                    return Ok(());
                }
                wire.extend_from_slice(b"QUIT\r\n");
                let (body, end) = unstuff(policy, &wire, piece);
                prop_assert_eq!(end, Ok(Some(wire.len() - 6)));
                prop_assert_eq!(Some(body), expected_body(policy, &msg));
            }
        }
    }

    #[test]
    fn any_split_gives_the_same_result(input in message(), piece in 1usize..9, policy in 0usize..3) {
        let policy = POLICIES[policy];
        let whole = unstuff(policy, &input, input.len());
        prop_assert_eq!(unstuff(policy, &input, piece), whole);
    }
}
