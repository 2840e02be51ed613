//! Percent-encoding (RFC 3986 §2.1) for the request target and form bodies.

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// RFC 3986 `unreserved`; also exactly what Python 3's `quote_plus` keeps.
fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// Bytes a path keeps as they are: `pchar` (unreserved, sub-delims, `:`,
/// `@`) plus the segment separator `/`.
fn is_path_safe(b: u8) -> bool {
    is_unreserved(b)
        || matches!(
            b,
            b'/' | b'!'
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
                | b':'
                | b'@'
        )
}

fn push_escaped(out: &mut String, b: u8) {
    out.push('%');
    out.push(char::from(HEX[usize::from(b >> 4)]));
    out.push(char::from(HEX[usize::from(b & 0x0f)]));
}

fn encode_with(s: &str, out: &mut String, keep: fn(u8) -> bool, space_plus: bool) {
    for &b in s.as_bytes() {
        if keep(b) {
            out.push(char::from(b));
        } else if space_plus && b == b' ' {
            out.push('+');
        } else {
            push_escaped(out, b);
        }
    }
}

/// Appends `path` encoded as a URI path: `/`, unreserved characters,
/// sub-delims, `:` and `@` kept; everything else (space, `?`, `#`, `%`,
/// non-ASCII as UTF-8) as uppercase `%XX`.
pub(crate) fn encode_path(path: &str, out: &mut String) {
    encode_with(path, out, is_path_safe, false);
}

/// Appends `s` encoded as one query name or value: unreserved characters
/// kept, everything else (space included) as uppercase `%XX`.
pub(crate) fn encode_query_component(s: &str, out: &mut String) {
    encode_with(s, out, is_unreserved, false);
}

/// Appends `s` encoded as Python 3's `urllib.parse.quote_plus` does:
/// letters, digits and `_.-~` kept, space as `+`, everything else as
/// uppercase `%XX` (so `*` becomes `%2A`).
pub(crate) fn encode_form_component(s: &str, out: &mut String) {
    encode_with(s, out, is_unreserved, true);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(f: fn(&str, &mut String), s: &str) -> String {
        let mut out = String::new();
        f(s, &mut out);
        out
    }

    #[test]
    fn path_keeps_pchars_and_slash() {
        assert_eq!(
            run(encode_path, "/a/b-c._~!$&'()*+,;=:@"),
            "/a/b-c._~!$&'()*+,;=:@"
        );
        assert_eq!(run(encode_path, "/a b?c#d%e"), "/a%20b%3Fc%23d%25e");
        assert_eq!(
            run(encode_path, "/é\"<>\\^`{|}"),
            "/%C3%A9%22%3C%3E%5C%5E%60%7B%7C%7D"
        );
        assert_eq!(run(encode_path, "\r\n\0"), "%0D%0A%00");
    }

    #[test]
    fn query_component_keeps_only_unreserved() {
        assert_eq!(run(encode_query_component, "aZ09-._~"), "aZ09-._~");
        assert_eq!(
            run(encode_query_component, "a b&c=d+e/f*"),
            "a%20b%26c%3Dd%2Be%2Ff%2A"
        );
        assert_eq!(run(encode_query_component, "€"), "%E2%82%AC");
    }

    #[test]
    fn form_component_matches_quote_plus() {
        // Every printable ASCII character, checked against
        // `urllib.parse.quote_plus` of Python 3.
        let printable: String = (32u8..127).map(char::from).collect();
        assert_eq!(
            run(encode_form_component, &printable),
            "+%21%22%23%24%25%26%27%28%29%2A%2B%2C-.%2F0123456789%3A%3B%3C%3D%3E%3F%40\
             ABCDEFGHIJKLMNOPQRSTUVWXYZ%5B%5C%5D%5E_%60abcdefghijklmnopqrstuvwxyz%7B%7C%7D~"
        );
        assert_eq!(run(encode_form_component, "é\0\n"), "%C3%A9%00%0A");
    }
}
