//! The SASL pieces SMTP AUTH needs (RFC 4954): base64 as SMTP carries it,
//! and the PLAIN (RFC 4616) and LOGIN mechanisms.
//!
//! ```
//! use smtp_codec::sasl::{decode_plain, plain_response};
//!
//! let wire = plain_response("", "tim", "tanstaaftanstaaf")?;
//! assert_eq!(wire, "AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
//! let c = decode_plain(&wire)?;
//! assert_eq!((c.username.as_str(), c.password.as_str()), ("tim", "tanstaaftanstaaf"));
//! # Ok::<(), smtp_codec::sasl::SaslError>(())
//! ```

use alloc::string::String;
use alloc::vec::Vec;

/// Why a SASL exchange failed to decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SaslError {
    /// Not valid base64, at this offset.
    #[error("invalid base64 at byte {offset}")]
    Base64 {
        /// Offset in the encoded text.
        offset: usize,
    },
    /// The decoded PLAIN message is not `authzid NUL authcid NUL passwd`.
    #[error("malformed PLAIN credentials")]
    MalformedPlain,
    /// A name or password that is not UTF-8 or contains NUL.
    #[error("credentials are not NUL-free UTF-8")]
    InvalidText,
}

/// Credentials a client presented.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The authorization identity (empty: the same as `username`).
    pub authzid: String,
    /// The authentication identity.
    pub username: String,
    /// The password.
    pub password: String,
}

impl core::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Credentials")
            .field("authzid", &self.authzid)
            .field("username", &self.username)
            .field("password", &"<hidden>")
            .finish()
    }
}

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding.
pub fn base64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decode standard base64; padding is required (RFC 4954 §4 uses RFC 4648
/// base64), and bits after the data must be zero. `=` alone is empty.
pub fn base64_decode(text: &str) -> Result<Vec<u8>, SaslError> {
    let b = text.as_bytes();
    if b == b"=" {
        return Ok(Vec::new());
    }
    if !b.len().is_multiple_of(4) {
        return Err(SaslError::Base64 { offset: b.len() });
    }
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(b.len() / 4 * 3);
    for (q, quad) in b.chunks(4).enumerate() {
        let last = (q + 1) * 4 == b.len();
        let pad = quad.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && !last) {
            return Err(SaslError::Base64 {
                offset: q * 4 + 4 - pad,
            });
        }
        let mut n = 0u32;
        for (i, &c) in quad[..4 - pad].iter().enumerate() {
            n |= val(c).ok_or(SaslError::Base64 { offset: q * 4 + i })? << (18 - 6 * i);
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        let keep = 3 - pad;
        if bytes[keep..].iter().any(|&x| x != 0) {
            return Err(SaslError::Base64 {
                offset: q * 4 + 3 - pad,
            });
        }
        out.extend_from_slice(&bytes[..keep]);
    }
    Ok(out)
}

fn text(bytes: &[u8]) -> Result<String, SaslError> {
    match core::str::from_utf8(bytes) {
        Ok(s) if !s.contains('\0') => Ok(s.into()),
        _ => Err(SaslError::InvalidText),
    }
}

/// Decode a base64 PLAIN response: `authzid NUL authcid NUL passwd`.
pub fn decode_plain(response: &str) -> Result<Credentials, SaslError> {
    let raw = base64_decode(response)?;
    let mut parts = raw.split(|&c| c == 0);
    let (Some(z), Some(u), Some(p), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(SaslError::MalformedPlain);
    };
    if u.is_empty() {
        return Err(SaslError::MalformedPlain);
    }
    Ok(Credentials {
        authzid: text(z)?,
        username: text(u)?,
        password: text(p)?,
    })
}

/// Decode one base64 LOGIN response (a user name or a password).
pub fn decode_login(response: &str) -> Result<String, SaslError> {
    text(&base64_decode(response)?)
}

/// The base64 PLAIN response for these credentials; NUL in any of them is
/// refused (it would shift the fields).
pub fn plain_response(authzid: &str, username: &str, password: &str) -> Result<String, SaslError> {
    if [authzid, username, password]
        .iter()
        .any(|s| s.contains('\0'))
    {
        return Err(SaslError::InvalidText);
    }
    let mut raw = Vec::with_capacity(authzid.len() + username.len() + password.len() + 2);
    raw.extend_from_slice(authzid.as_bytes());
    raw.push(0);
    raw.extend_from_slice(username.as_bytes());
    raw.push(0);
    raw.extend_from_slice(password.as_bytes());
    Ok(base64_encode(&raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trip() {
        for n in 0..40u8 {
            let data: Vec<u8> = (0..n).map(|i| i.wrapping_mul(37)).collect();
            assert_eq!(base64_decode(&base64_encode(&data)).unwrap(), data);
        }
        assert_eq!(base64_encode(b"Username:"), "VXNlcm5hbWU6");
        assert!(base64_decode("abc").is_err());
        assert!(base64_decode("ab=c").is_err());
        assert!(base64_decode("ab==cdef").is_err());
        assert!(base64_decode("QR==").is_err());
        assert!(base64_decode("a\r\nb").is_err());
        assert!(decode_plain(&base64_encode(b"a\0b")).is_err());
        assert!(decode_plain(&base64_encode(b"\0\0p")).is_err());
        assert!(plain_response("", "u\0", "p").is_err());
    }
}
