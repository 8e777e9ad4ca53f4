//! Byte classes of RFC 9110 and RFC 9112, as lookup tables.

const fn build_token_table() -> [bool; 256] {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 256 {
        let c = i as u8;
        t[i] = matches!(c,
            b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' |
            b'^' | b'_' | b'`' | b'|' | b'~' | b'0'..=b'9' | b'a'..=b'z' | b'A'..=b'Z');
        i += 1;
    }
    t
}

/// `tchar` of RFC 9110 §5.6.2.
pub(crate) static TOKEN: [bool; 256] = build_token_table();

#[inline]
pub(crate) fn is_token(c: u8) -> bool {
    TOKEN[c as usize]
}

/// True when every byte is a token character and there is at least one.
pub(crate) fn is_token_str(s: &[u8]) -> bool {
    !s.is_empty() && s.iter().all(|&c| is_token(c))
}

/// A field-value byte (RFC 9110 §5.5): VCHAR, obs-text, SP, HTAB.
#[inline]
pub(crate) fn is_field_value_byte(c: u8) -> bool {
    c == b'\t' || (c >= 0x20 && c != 0x7f)
}

/// A request-target byte: visible ASCII (RFC 9112 §3.2 with RFC 3986, read as
/// broadly as deployed clients need: quotes, `|`, `{`, `}` and `#` are let through).
#[inline]
pub(crate) fn is_target_byte(c: u8) -> bool {
    (0x21..0x7f).contains(&c)
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// Index of the first byte in `s` that is not a field-value byte, if any.
///
/// Eight bytes at a time: a word is checked with the classic "has a byte below
/// n" trick for controls and "has a zero byte" for DEL; only words that trip it
/// (tabs included) are walked byte by byte.
#[inline]
pub(crate) fn find_invalid_value_byte(s: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i + 8 <= s.len() {
        let mut w = [0u8; 8];
        w.copy_from_slice(&s[i..i + 8]);
        let x = u64::from_le_bytes(w);
        let below_space = x.wrapping_sub(LO * 0x20) & !x & HI;
        let y = x ^ (LO * 0x7f);
        let del = y.wrapping_sub(LO) & !y & HI;
        if below_space | del != 0 {
            for (k, &c) in s[i..i + 8].iter().enumerate() {
                if !is_field_value_byte(c) {
                    return Some(i + k);
                }
            }
        }
        i += 8;
    }
    s[i..]
        .iter()
        .position(|&c| !is_field_value_byte(c))
        .map(|k| i + k)
}

/// A mask with the high bit set in the first byte of `x` (lowest address,
/// little-endian) that is below 0x20 or is 0x7f; bits above it may be noise
/// from borrows, never bits below it. Zero when there is no such byte.
#[inline]
fn control_mask(x: u64) -> u64 {
    let below_space = x.wrapping_sub(LO * 0x20) & !x & HI;
    let y = x ^ (LO * 0x7f);
    let del = y.wrapping_sub(LO) & !y & HI;
    below_space | del
}

#[inline]
fn load(s: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&s[at..at + 8]);
    u64::from_le_bytes(w)
}

/// Index of the first control byte (below 0x20, or DEL), tabs included.
/// Word at a time, the index found from the mask's lowest bit; the tail is
/// padded with a harmless byte rather than walked.
#[inline]
pub(crate) fn find_control_byte(s: &[u8]) -> Option<usize> {
    #[cfg(target_arch = "x86_64")]
    let mut i = {
        // SAFETY: SSE2 is part of the x86_64 baseline: every x86_64 CPU has it.
        #[allow(unsafe_code)]
        let found = unsafe { find_control_byte_sse2(s) };
        match found {
            Ok(at) => return Some(at),
            Err(scanned) => scanned,
        }
    };
    #[cfg(not(target_arch = "x86_64"))]
    let mut i = 0;
    while i + 8 <= s.len() {
        let m = control_mask(load(s, i));
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    if i < s.len() {
        let mut w = [b'a'; 8];
        w[..s.len() - i].copy_from_slice(&s[i..]);
        let m = control_mask(u64::from_le_bytes(w));
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
    }
    None
}

/// Sixteen bytes at a time: `Ok(index)` of the first control byte, or
/// `Err(n)` when the first `n` bytes (a multiple of 16) hold none.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "sse2")]
fn find_control_byte_sse2(s: &[u8]) -> Result<usize, usize> {
    use core::arch::x86_64::{
        _mm_cmpeq_epi8, _mm_min_epu8, _mm_movemask_epi8, _mm_or_si128, _mm_set_epi64x,
        _mm_set1_epi8,
    };
    let unit_sep = _mm_set1_epi8(0x1f);
    let del = _mm_set1_epi8(0x7f);
    let mut i = 0;
    while i + 16 <= s.len() {
        let v = _mm_set_epi64x(load(s, i + 8) as i64, load(s, i) as i64);
        // v <= 0x1f exactly when min(v, 0x1f) == v (unsigned).
        let control = _mm_cmpeq_epi8(_mm_min_epu8(v, unit_sep), v);
        let m = _mm_movemask_epi8(_mm_or_si128(control, _mm_cmpeq_epi8(v, del))) as u32;
        if m != 0 {
            return Ok(i + m.trailing_zeros() as usize);
        }
        i += 16;
    }
    Err(i)
}

/// Index of the first byte that is not a request-target byte, if any.
#[inline]
pub(crate) fn find_invalid_target_byte(s: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i + 8 <= s.len() {
        let mut w = [0u8; 8];
        w.copy_from_slice(&s[i..i + 8]);
        let x = u64::from_le_bytes(w);
        // Bytes <= 0x20 (controls and space), >= 0x80, or == 0x7f.
        let low = x.wrapping_sub(LO * 0x21) & !x & HI;
        let high = x & HI;
        let y = x ^ (LO * 0x7f);
        let del = y.wrapping_sub(LO) & !y & HI;
        if low | high | del != 0 {
            for (k, &c) in s[i..i + 8].iter().enumerate() {
                if !is_target_byte(c) {
                    return Some(i + k);
                }
            }
        }
        i += 8;
    }
    s[i..]
        .iter()
        .position(|&c| !is_target_byte(c))
        .map(|k| i + k)
}

/// `bytes` as a `&str` when it is ASCII (always, for the method, target
/// and field names the parser validated), else `""`.
///
/// `str::from_utf8` is an out-of-line call costing more than the whole
/// check for such short strings; `is_ascii` inlines to a word-at-a-time
/// loop, and ASCII is valid UTF-8.
#[inline]
#[allow(unsafe_code)]
pub(crate) fn ascii_str(bytes: &[u8]) -> &str {
    if bytes.is_ascii() {
        // SAFETY: every ASCII byte sequence is valid UTF-8.
        unsafe { core::str::from_utf8_unchecked(bytes) }
    } else {
        ""
    }
}

/// Trims optional whitespace (SP and HTAB) from both ends, and the CR and LF
/// of an obsolete line fold: only a folded value (`allow_obs_fold`) holds
/// them, and RFC 9112 §5.2 reads each fold as SP, so a list element such as
/// the `close` of `keep-alive,<CRLF> close` is still found.
#[inline]
pub(crate) fn trim_ows(s: &[u8]) -> &[u8] {
    let ws = |c: u8| matches!(c, b' ' | b'\t' | b'\r' | b'\n');
    let mut a = 0;
    let mut b = s.len();
    while a < b && ws(s[a]) {
        a += 1;
    }
    while b > a && ws(s[b - 1]) {
        b -= 1;
    }
    &s[a..b]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swar_scans_agree_with_byte_classes() {
        for c in 0..=255u8 {
            for pos in 0..33 {
                let mut v = [b'a'; 33];
                v[pos] = c;
                let want = if is_field_value_byte(c) {
                    None
                } else {
                    Some(pos)
                };
                assert_eq!(
                    find_invalid_value_byte(&v),
                    want,
                    "value byte {c:#x} at {pos}"
                );
                let want = if c < 0x20 || c == 0x7f {
                    Some(pos)
                } else {
                    None
                };
                assert_eq!(find_control_byte(&v), want, "control byte {c:#x} at {pos}");
                let want = if is_target_byte(c) { None } else { Some(pos) };
                assert_eq!(
                    find_invalid_target_byte(&v),
                    want,
                    "target byte {c:#x} at {pos}"
                );
            }
        }
    }
}
