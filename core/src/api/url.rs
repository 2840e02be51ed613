//! A small, strict splitter for the absolute `http(s)` URLs a server hands
//! back (the image upload URL, PROTOCOL.md §6). It accepts only
//! `scheme://host[:port][/path][?query][#fragment]` in plain ASCII and
//! refuses anything a different URL parser might read differently (user
//! info, backslashes, whitespace), so the origin that is checked against
//! the allow-list is the origin that is connected to.

/// The parts of a URL, decoded into the unencoded form that
/// [`crate::http::Request`] takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SplitUrl {
    /// `https` (true) or `http` (false).
    pub tls: bool,
    /// Host name (lowercase) or IP literal (IPv6 without brackets).
    pub host: String,
    /// Explicit port, or 443 / 80.
    pub port: u16,
    /// Percent-decoded path; `/` when empty.
    pub path: String,
    /// Query pairs in order, `+` and percent escapes decoded.
    pub query: Vec<(String, String)>,
}

impl SplitUrl {
    /// The URL's origin: scheme, host and port.
    pub fn origin(&self) -> super::Origin {
        super::Origin::new(self.tls, &self.host, self.port)
    }
}

/// The authority of a URL: optional user info, host, optional port.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Authority {
    /// Percent-decoded `user[:password]`, when allowed and present.
    pub userinfo: Option<(String, Option<String>)>,
    /// Host name (lowercase) or IP literal (IPv6 without brackets).
    pub host: String,
    /// The explicit port; `None` when absent or empty (`host:`).
    pub port: Option<u16>,
}

impl std::fmt::Debug for Authority {
    // Never prints the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authority")
            .field("user", &self.userinfo.as_ref().map(|(u, _)| u))
            .field("host", &self.host)
            .field("port", &self.port)
            .finish()
    }
}

/// A URL cut at `://` and at the end of its authority:
/// `(scheme, authority, rest)`, where `rest` is the path, query and
/// fragment. Refuses what another URL parser might read differently:
/// non-ASCII, whitespace and control characters, backslashes.
pub(crate) fn split_scheme(url: &str) -> Result<(&str, &str, &str), &'static str> {
    if !url.is_ascii() {
        return Err("non-ASCII character");
    }
    if url.bytes().any(|b| b.is_ascii_control() || b == b' ') {
        return Err("whitespace or control character");
    }
    if url.contains('\\') {
        return Err("backslash");
    }
    let (scheme, rest) = url.split_once("://").ok_or("no scheme")?;
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, rest) = rest.split_at(authority_end);
    Ok((scheme, authority, rest))
}

/// Parses `[user[:password]@]host[:port]` (IPv6 hosts in brackets). User
/// info is refused unless `allow_userinfo`; at most one `@`.
pub(crate) fn parse_authority(
    authority: &str,
    allow_userinfo: bool,
) -> Result<Authority, &'static str> {
    let (userinfo, hostport) = match authority.split_once('@') {
        None => (None, authority),
        Some(_) if !allow_userinfo => return Err("user info in authority"),
        Some((_, after)) if after.contains('@') => return Err("more than one @ in authority"),
        Some((info, after)) => {
            let (user, password) = match info.split_once(':') {
                Some((u, p)) => (u, Some(percent_decode(p, false)?)),
                None => (info, None),
            };
            (Some((percent_decode(user, false)?, password)), after)
        }
    };
    let (host, port) = split_host_port(hostport)?;
    let port = match port {
        None | Some("") => None,
        Some(p) => Some(parse_port(p)?),
    };
    Ok(Authority {
        userinfo,
        host,
        port,
    })
}

/// Splits `url`; the error says what was wrong.
pub(crate) fn split_url(url: &str) -> Result<SplitUrl, &'static str> {
    let (scheme, authority, rest) = split_scheme(url)?;
    let (tls, default_port) = if scheme.eq_ignore_ascii_case("https") {
        (true, 443)
    } else if scheme.eq_ignore_ascii_case("http") {
        (false, 80)
    } else {
        return Err("scheme is not http or https");
    };
    let Authority { host, port, .. } = parse_authority(authority, false)?;
    let port = port.unwrap_or(default_port);
    let rest = rest.split_once('#').map_or(rest, |(before, _)| before);
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let lower = path.to_ascii_lowercase();
    if lower.contains("%2f") {
        return Err("encoded slash in path");
    }
    let path = if path.is_empty() {
        "/".to_string()
    } else {
        percent_decode(path, false)?
    };
    let mut pairs = Vec::new();
    for piece in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = piece.split_once('=').unwrap_or((piece, ""));
        pairs.push((percent_decode(name, true)?, percent_decode(value, true)?));
    }
    Ok(SplitUrl {
        tls,
        host,
        port,
        path,
        query: pairs,
    })
}

/// `host[:port]` or `[v6][:port]`; the host comes back lowercase.
fn split_host_port(authority: &str) -> Result<(String, Option<&str>), &'static str> {
    if let Some(bracketed) = authority.strip_prefix('[') {
        let (inner, after) = bracketed.split_once(']').ok_or("unclosed bracket")?;
        let valid = inner.contains(':')
            && inner
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.');
        if !valid {
            return Err("invalid IPv6 literal");
        }
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':').ok_or("junk after IPv6 literal")?),
        };
        return Ok((inner.to_ascii_lowercase(), port));
    }
    let (host, port) = match authority.split_once(':') {
        Some((h, p)) => (h, Some(p)),
        None => (authority, None),
    };
    if host.is_empty() {
        return Err("empty host");
    }
    let valid = host
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_');
    if !valid {
        return Err("invalid character in host");
    }
    Ok((host.to_ascii_lowercase(), port))
}

fn parse_port(p: &str) -> Result<u16, &'static str> {
    if p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) {
        return Err("invalid port");
    }
    match p.parse::<u16>() {
        Ok(0) | Err(_) => Err("invalid port"),
        Ok(port) => Ok(port),
    }
}

/// Decodes `%XX` escapes (and `+` as space when `plus_as_space`); the
/// result must be UTF-8.
fn percent_decode(s: &str, plus_as_space: bool) -> Result<String, &'static str> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hi = bytes.get(i + 1).and_then(|&b| hex_value(b));
                let lo = bytes.get(i + 2).and_then(|&b| hex_value(b));
                match (hi, lo) {
                    (Some(hi), Some(lo)) => out.push(hi << 4 | lo),
                    _ => return Err("malformed percent escape"),
                }
                i += 3;
            }
            b'+' if plus_as_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|_| "percent escapes are not UTF-8")
}

fn hex_value(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn typical_upload_url() {
        let u = split_url(
            "https://docs.google.com/upload/photos/resumable?authuser=0&upload_id=AEnB2U-q_x%3D&opi=1",
        )
        .unwrap();
        assert_eq!(
            u,
            SplitUrl {
                tls: true,
                host: "docs.google.com".into(),
                port: 443,
                path: "/upload/photos/resumable".into(),
                query: pairs(&[
                    ("authuser", "0"),
                    ("upload_id", "AEnB2U-q_x="),
                    ("opi", "1")
                ]),
            }
        );
    }

    #[test]
    fn ports_schemes_and_odd_shapes() {
        let u = split_url("HTTP://LocalHost:8080").unwrap();
        assert_eq!(
            (u.tls, u.host.as_str(), u.port, u.path.as_str()),
            (false, "localhost", 8080, "/")
        );
        assert!(u.query.is_empty());
        let u = split_url("http://127.0.0.1:/a%20b?x=1+2&&flag#frag?y=2").unwrap();
        assert_eq!((u.host.as_str(), u.port), ("127.0.0.1", 80));
        assert_eq!(u.path, "/a b");
        assert_eq!(u.query, pairs(&[("x", "1 2"), ("flag", "")]));
        let u = split_url("https://[::1]:9443/p").unwrap();
        assert_eq!((u.host.as_str(), u.port), ("::1", 9443));
        let u = split_url("https://h?q=%C3%A9").unwrap();
        assert_eq!((u.path.as_str(), u.query[0].1.as_str()), ("/", "é"));
    }

    #[test]
    fn authorities_with_user_info() {
        let a = parse_authority("us%40er:p%3Aw@[::1]:1080", true).unwrap();
        assert_eq!(a.userinfo, Some(("us@er".into(), Some("p:w".into()))));
        assert_eq!((a.host.as_str(), a.port), ("::1", Some(1080)));
        let a = parse_authority("user@Proxy", true).unwrap();
        assert_eq!(a.userinfo, Some(("user".into(), None)));
        assert_eq!((a.host.as_str(), a.port), ("proxy", None));
        assert!(!format!("{a:?}").contains("p:w"));
        for bad in ["a@b@c", "u@", "u%zz@h", "@", "h:0", "[x]"] {
            assert!(parse_authority(bad, true).is_err(), "{bad}");
        }
        assert!(parse_authority("u:p@h", false).is_err());
        let secret = parse_authority("u:hunter2@h", true).unwrap();
        assert!(!format!("{secret:?}").contains("hunter2"));
    }

    #[test]
    fn refuses_ambiguous_or_broken_urls() {
        for bad in [
            "",
            "docs.google.com/upload",
            "//docs.google.com/upload",
            "ftp://docs.google.com/",
            "javascript://docs.google.com/",
            "https://",
            "https://:443/",
            "https://evil.net@docs.google.com/",
            "https://docs.google.com@evil.net/",
            "https://evil.net\\@docs.google.com/",
            "https://evil.net\\.docs.google.com/",
            "https://docs.google.com /",
            "https://docs.google.com\t/",
            "https://docs.google.com\r\n/",
            "https://dócs.google.com/",
            "https://docs.google.com:0/",
            "https://docs.google.com:65536/",
            "https://docs.google.com:+443/",
            "https://docs.google.com:443:1/",
            "https://docs.google.com:x/",
            "https://[::1/",
            "https://[::1]x/",
            "https://[evil.net]/",
            "https://docs.google.com/a%2Fb",
            "https://docs.google.com/a%zz",
            "https://docs.google.com/?a=%",
            "https://docs.google.com/?a=%ff",
            "https://docs%2egoogle.com/",
        ] {
            assert!(
                split_url(bad).is_err(),
                "{bad:?} accepted: {:?}",
                split_url(bad)
            );
        }
    }
}
