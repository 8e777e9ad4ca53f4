//! Request-target forms of RFC 9112 §3.2.

/// The four request-target forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetForm {
    /// `/path?query`: the usual form.
    Origin,
    /// `http://host/path`: to proxies.
    Absolute,
    /// `host:port`: CONNECT only.
    Authority,
    /// `*`: server-wide OPTIONS only.
    Asterisk,
}

impl TargetForm {
    /// The form of an already validated request-target.
    pub fn of(method: &str, target: &str) -> TargetForm {
        if method == "CONNECT" {
            TargetForm::Authority
        } else if target == "*" {
            TargetForm::Asterisk
        } else if target.starts_with('/') {
            TargetForm::Origin
        } else {
            TargetForm::Absolute
        }
    }
}

fn is_unreserved_or_sub_delim(c: u8) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            b'-' | b'.'
                | b'_'
                | b'~'
                | b'!'
                | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
        )
}

/// `uri-host ":" port` with a non-empty host and 1–5 port digits.
pub(crate) fn is_authority_form(t: &[u8]) -> bool {
    let Some(colon) = t.iter().rposition(|&c| c == b':') else {
        return false;
    };
    let (host, port) = (&t[..colon], &t[colon + 1..]);
    if port.is_empty() || port.len() > 5 || !port.iter().all(u8::is_ascii_digit) {
        return false;
    }
    is_host(host)
}

/// An IP-literal in brackets, or a reg-name / IPv4 address.
pub(crate) fn is_host(host: &[u8]) -> bool {
    if host.is_empty() {
        return false;
    }
    if host[0] == b'[' {
        return host.len() > 2
            && host[host.len() - 1] == b']'
            && host[1..host.len() - 1].iter().all(|&c| {
                c.is_ascii_hexdigit()
                    || matches!(c, b':' | b'.' | b'%' | b'v' | b'V')
                    || is_unreserved_or_sub_delim(c)
            });
    }
    let mut i = 0;
    while i < host.len() {
        let c = host[i];
        if c == b'%' {
            if i + 2 >= host.len()
                || !(host[i + 1].is_ascii_hexdigit() && host[i + 2].is_ascii_hexdigit())
            {
                return false;
            }
            i += 3;
            continue;
        }
        if !is_unreserved_or_sub_delim(c) {
            return false;
        }
        i += 1;
    }
    true
}

/// `scheme ":" ...` where scheme is ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
pub(crate) fn is_absolute_form(t: &[u8]) -> bool {
    let Some(colon) = t.iter().position(|&c| c == b':') else {
        return false;
    };
    let scheme = &t[..colon];
    !scheme.is_empty()
        && scheme[0].is_ascii_alphabetic()
        && scheme
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authority_form() {
        assert!(is_authority_form(b"example.com:443"));
        assert!(is_authority_form(b"home_0.netscape.com:443"));
        assert!(is_authority_form(b"[::1]:8080"));
        assert!(is_authority_form(b"127.0.0.1:1"));
        assert!(!is_authority_form(b"example.com"));
        assert!(!is_authority_form(b":443"));
        assert!(!is_authority_form(b"example.com:"));
        assert!(!is_authority_form(b"example.com:44a"));
        assert!(!is_authority_form(b"/path:443"));
        assert!(!is_authority_form(b"a%2:1"));
        assert!(!is_authority_form(b"a%:1"));
        assert!(is_authority_form(b"a%41:1"));
    }

    #[test]
    fn absolute_form() {
        assert!(is_absolute_form(b"http://example.com/"));
        assert!(is_absolute_form(b"svn+ssh://x"));
        assert!(!is_absolute_form(b"1http://x"));
        assert!(!is_absolute_form(b"example.com"));
        assert!(!is_absolute_form(b"://x"));
    }
}
