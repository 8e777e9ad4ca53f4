//! RFC 2047 encoded-words: decoding unstructured text, encoding for the
//! builder.

use alloc::string::String;
use alloc::vec::Vec;

use encoding_rs::Encoding;

use super::block::{HeaderOptions, trim_wsp};

/// Decodes an unstructured field value (Subject, Comments, any `X-` text):
/// unfolds it (RFC 5322 §2.2.3: the line breaks of folds are removed, the
/// whitespace after them kept), trims leading and trailing whitespace, and
/// decodes RFC 2047 encoded-words.
///
/// Strictly (the default) an encoded-word is a whole whitespace-delimited
/// word `=?charset?B|Q?text?=` with no spaces or `?` in its text, as RFC 2047
/// §5 requires; the whitespace between two adjacent encoded-words is dropped
/// and words in the same charset are joined before decoding, so a character
/// split across two words survives. A word in an unknown charset, or whose
/// text does not decode, is left as written. Other bytes are read as UTF-8
/// (RFC 6532); invalid sequences become U+FFFD.
/// [`HeaderOptions::lenient_encoded_words`] also decodes encoded-words
/// glued to other text or holding spaces and folds.
///
/// Charsets are those of the WHATWG Encoding Standard (UTF-8, ISO-8859-x,
/// Windows-125x, KOI8-R/U, Shift_JIS, EUC-JP, ISO-2022-JP, GBK, GB18030,
/// Big5, EUC-KR, UTF-16...), looked up by any of their labels; an RFC 2231
/// language suffix (`US-ASCII*EN`) is ignored.
///
/// ```
/// use smtp_codec::message::{HeaderOptions, decode_unstructured};
///
/// let raw = b" =?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=";
/// let text = decode_unstructured(raw, HeaderOptions::default());
/// assert_eq!(text, "If you can read this you understand the example.");
///
/// let glued = b"[SPAM]=?UTF-8?Q?caf=C3=A9?=";
/// assert_eq!(decode_unstructured(glued, HeaderOptions::default()), "[SPAM]=?UTF-8?Q?caf=C3=A9?=");
/// let mut lenient = HeaderOptions::default();
/// lenient.lenient_encoded_words = true;
/// assert_eq!(decode_unstructured(glued, lenient), "[SPAM]café");
/// ```
pub fn decode_unstructured(raw: &[u8], options: HeaderOptions) -> String {
    decode_text(trim_wsp(raw), options.lenient_encoded_words)
}

fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n')
}

/// Appends `bytes` as text: line breaks removed (unfolding), UTF-8 decoded
/// with replacement.
fn push_raw(out: &mut String, bytes: &[u8]) {
    if bytes.iter().any(|&c| c == b'\r' || c == b'\n') {
        let unfolded: Vec<u8> = bytes
            .iter()
            .copied()
            .filter(|&c| c != b'\r' && c != b'\n')
            .collect();
        out.push_str(&String::from_utf8_lossy(&unfolded));
    } else {
        out.push_str(&String::from_utf8_lossy(bytes));
    }
}

type Pending = Option<(&'static Encoding, Vec<u8>)>;

fn flush(out: &mut String, pending: &mut Pending) {
    if let Some((enc, bytes)) = pending.take() {
        let (text, _) = enc.decode_without_bom_handling(&bytes);
        out.push_str(&text);
    }
}

fn add(out: &mut String, pending: &mut Pending, enc: &'static Encoding, bytes: Vec<u8>) {
    match pending {
        Some((e, buf)) if *e == enc => buf.extend_from_slice(&bytes),
        _ => {
            flush(out, pending);
            *pending = Some((enc, bytes));
        }
    }
}

/// Decodes text that may hold encoded-words (unstructured values, comments,
/// and phrases in lenient mode). Whitespace is kept as written except
/// between encoded-words.
pub(crate) fn decode_text(s: &[u8], lenient: bool) -> String {
    if lenient {
        return decode_lenient(s);
    }
    let mut out = String::new();
    let mut pending: Pending = None;
    let mut held_ws: &[u8] = &[];
    let mut after_encoded = false;
    let mut i = 0;
    while i < s.len() {
        let start = i;
        if is_ws(s[i]) {
            while i < s.len() && is_ws(s[i]) {
                i += 1;
            }
            if after_encoded {
                held_ws = &s[start..i];
            } else {
                push_raw(&mut out, &s[start..i]);
            }
            continue;
        }
        while i < s.len() && !is_ws(s[i]) {
            i += 1;
        }
        let word = &s[start..i];
        match encoded_word(word) {
            Some((enc, bytes)) => {
                held_ws = &[];
                add(&mut out, &mut pending, enc, bytes);
                after_encoded = true;
            }
            None => {
                flush(&mut out, &mut pending);
                push_raw(&mut out, held_ws);
                held_ws = &[];
                push_raw(&mut out, word);
                after_encoded = false;
            }
        }
    }
    flush(&mut out, &mut pending);
    push_raw(&mut out, held_ws);
    out
}

/// RFC 2047 `especials`, which a charset name cannot hold.
fn is_token_char(c: u8) -> bool {
    (0x21..0x7f).contains(&c) && !b"()<>@,;:\"/[]?.=".contains(&c)
}

fn charset(name: &[u8]) -> Option<&'static Encoding> {
    // RFC 2231 §5: `charset*language`.
    let name = name.split(|&c| c == b'*').next().unwrap_or(name);
    Encoding::for_label(name)
}

/// Whether `word` is, as a whole, an encoded-word that decodes.
pub(crate) fn is_encoded_word(word: &[u8]) -> bool {
    encoded_word(word).is_some()
}

/// A whole word `=?charset?enc?text?=`, strictly: its decoded bytes and
/// charset.
fn encoded_word(word: &[u8]) -> Option<(&'static Encoding, Vec<u8>)> {
    let inner = word.strip_prefix(b"=?")?.strip_suffix(b"?=")?;
    let mut parts = inner.splitn(3, |&c| c == b'?');
    let (cs, enc, text) = (parts.next()?, parts.next()?, parts.next()?);
    if cs.is_empty() || !cs.iter().all(|&c| is_token_char(c)) || text.is_empty() {
        return None;
    }
    if text
        .iter()
        .any(|&c| c == b'?' || !(0x21..0x7f).contains(&c))
    {
        return None;
    }
    let encoding = charset(cs)?;
    let bytes = match enc {
        b"Q" | b"q" => q_decode(text, false)?,
        b"B" | b"b" => base64_decode(text)?,
        _ => return None,
    };
    Some((encoding, bytes))
}

fn decode_lenient(s: &[u8]) -> String {
    let mut out = String::new();
    let mut pending: Pending = None;
    let mut after_encoded = false;
    let mut literal_start = 0;
    let mut i = 0;
    while let Some(p) = find_start(s, i) {
        match lenient_word_at(s, p) {
            Some((end, enc, bytes)) => {
                let literal = &s[literal_start..p];
                if !(after_encoded && literal.iter().all(|&c| is_ws(c))) {
                    flush(&mut out, &mut pending);
                    push_raw(&mut out, literal);
                }
                add(&mut out, &mut pending, enc, bytes);
                after_encoded = true;
                i = end;
                literal_start = end;
            }
            None => i = p + 1,
        }
    }
    flush(&mut out, &mut pending);
    push_raw(&mut out, s.get(literal_start..).unwrap_or(&[]));
    out
}

fn find_start(s: &[u8], from: usize) -> Option<usize> {
    let rest = s.get(from..)?;
    rest.windows(2).position(|w| w == b"=?").map(|p| p + from)
}

/// An encoded-word starting at `p`, leniently: its text may hold spaces
/// (kept in Q, ignored in B) and folds (removed), and may be empty.
fn lenient_word_at(s: &[u8], p: usize) -> Option<(usize, &'static Encoding, Vec<u8>)> {
    let cs_start = p + 2;
    let mut j = cs_start;
    while j < s.len() && is_token_char(s[j]) && j - cs_start < 64 {
        j += 1;
    }
    if j == cs_start || *s.get(j)? != b'?' || *s.get(j + 2)? != b'?' {
        return None;
    }
    let enc = s[j + 1];
    let encoding = charset(&s[cs_start..j])?;
    let mut k = j + 3;
    let mut text = Vec::new();
    let end = loop {
        let c = *s.get(k)?;
        match c {
            b'?' => {
                if s.get(k + 1) == Some(&b'=') {
                    break k + 2;
                }
                return None;
            }
            b'\r' | b'\n' => {
                // A fold inside the word: gone with the whitespace after it.
                k += 1;
                while k < s.len() && is_ws(s[k]) {
                    k += 1;
                }
                continue;
            }
            _ => text.push(c),
        }
        k += 1;
    };
    let bytes = match enc {
        b'Q' | b'q' => q_decode(&text, true)?,
        b'B' | b'b' => {
            text.retain(|&c| !is_ws(c));
            if text.is_empty() {
                Vec::new()
            } else {
                base64_decode(&text)?
            }
        }
        _ => return None,
    };
    Some((end, encoding, bytes))
}

fn hex(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'A'..=b'F' => Some(c - b'A' + 10),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

/// The Q encoding (RFC 2047 §4.2). Strictly, `=` must start a hex pair;
/// leniently a stray `=` is kept.
fn q_decode(text: &[u8], lenient: bool) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b'_' => out.push(b' '),
            b'=' => match (
                text.get(i + 1).copied().and_then(hex),
                text.get(i + 2).copied().and_then(hex),
            ) {
                (Some(h), Some(l)) => {
                    out.push(h << 4 | l);
                    i += 2;
                }
                _ if lenient => out.push(b'='),
                _ => return None,
            },
            c => out.push(c),
        }
        i += 1;
    }
    Some(out)
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64_value(c: u8) -> Option<u32> {
    match c {
        b'A'..=b'Z' => Some(u32::from(c - b'A')),
        b'a'..=b'z' => Some(u32::from(c - b'a') + 26),
        b'0'..=b'9' => Some(u32::from(c - b'0') + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Base64 as mailers write it: padding optional, bits after the last whole
/// byte ignored; anything but the alphabet before the padding fails.
fn base64_decode(text: &[u8]) -> Option<Vec<u8>> {
    let data = match text.iter().position(|&c| c == b'=') {
        Some(p) => {
            if !text[p..].iter().all(|&c| c == b'=') {
                return None;
            }
            &text[..p]
        }
        None => text,
    };
    let mut out = Vec::with_capacity(data.len() / 4 * 3 + 2);
    let mut acc = 0u32;
    let mut bits = 0;
    for &c in data {
        acc = (acc << 6) | base64_value(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Appends the padded base64 form of `bytes`.
pub(crate) fn base64_encode(bytes: &[u8], out: &mut String) {
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(char::from(BASE64[(n >> (18 - 6 * k) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
}

/// Bytes written literally in the Q encoding: the set RFC 2047 §5(3) allows
/// in a phrase, which is safe in unstructured text and comments too.
fn q_literal(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!*+-/".contains(&b)
}

/// Length of `c` in the Q encoding.
pub(crate) fn q_len(c: char) -> usize {
    let mut buf = [0u8; 4];
    c.encode_utf8(&mut buf)
        .bytes()
        .map(|b| if q_literal(b) || b == b' ' { 1 } else { 3 })
        .sum()
}

/// Appends `c` in the Q encoding.
pub(crate) fn push_q(c: char, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut buf = [0u8; 4];
    for b in c.encode_utf8(&mut buf).bytes() {
        if b == b' ' {
            out.push('_');
        } else if q_literal(b) {
            out.push(char::from(b));
        } else {
            out.push('=');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
    }
}
