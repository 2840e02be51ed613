//! Session credentials: the cookies, the auth headers computed once per
//! connect (PROTOCOL.md §1.1, §3), and [`apply_auth`], which adds them to a
//! request only if its origin is on the [`OriginAllowList`] (§2.3).

use std::fmt;

use sha1::{Digest, Sha1};

use super::error::ApiError;
use super::origin::OriginAllowList;
use crate::http::Request;

/// The `origin` hangups sends, which is also hashed into SAPISIDHASH.
pub const ORIGIN: &str = "https://hangouts.google.com";

/// The session cookies, in order: name/value pairs sent verbatim (values
/// unquoted) in the `cookie` header.
///
/// `Debug` shows the names only; values are secrets and print as
/// `<redacted>`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Cookies {
    pairs: Vec<(String, String)>,
}

impl Cookies {
    /// No cookies.
    pub fn new() -> Self {
        Cookies::default()
    }

    /// Sets cookie `name` to `value`: replaces the value in place if the
    /// name is already there (names compare exactly), else appends.
    pub fn insert(&mut self, name: &str, value: &str) {
        match self.pairs.iter_mut().find(|(n, _)| n == name) {
            Some((_, v)) => *v = value.to_string(),
            None => self.pairs.push((name.to_string(), value.to_string())),
        }
    }

    /// The value of cookie `name`, if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The cookies as `(name, value)`, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// How many cookies there are.
    pub fn len(&self) -> usize {
        self.pairs.len()
    }

    /// Whether there are no cookies.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// The `cookie` header value: `name=value; name2=value2`, values
    /// unquoted (PROTOCOL.md §1.1).
    fn header_value(&self) -> Result<String, ApiError> {
        let mut out = String::new();
        for (name, value) in &self.pairs {
            if !is_token(name) || !is_cookie_value(value) {
                return Err(ApiError::InvalidCookie { name: name.clone() });
            }
            if !out.is_empty() {
                out.push_str("; ");
            }
            out.push_str(name);
            out.push('=');
            out.push_str(value);
        }
        Ok(out)
    }
}

impl<N: Into<String>, V: Into<String>> FromIterator<(N, V)> for Cookies {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(iter: I) -> Self {
        let mut cookies = Cookies::new();
        for (n, v) in iter {
            cookies.insert(&n.into(), &v.into());
        }
        cookies
    }
}

impl fmt::Debug for Cookies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (name, _) in &self.pairs {
            map.entry(name, &format_args!("<redacted>"));
        }
        map.finish()
    }
}

/// An RFC 7230 token (what a cookie name must be).
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// A value that can sit in a header between `=` and `; `: no control
/// characters and no `;`. Quotes and other printable text pass unchanged.
fn is_cookie_value(s: &str) -> bool {
    !s.chars().any(|c| c.is_control() || c == ';')
}

/// The SAPISIDHASH header value of PROTOCOL.md §3:
/// `SAPISIDHASH <t>_<lowercase hex SHA-1 of "<t> <sapisid> <origin>">`.
pub fn sapisidhash(unix_secs: u64, sapisid: &str, origin: &str) -> String {
    let input = format!("{unix_secs} {sapisid} {origin}");
    let digest = Sha1::digest(input.as_bytes());
    let mut out = format!("SAPISIDHASH {unix_secs}_");
    for byte in digest {
        out.push(char::from(HEX[usize::from(byte >> 4)]));
        out.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    out
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// The four credential headers of one session, computed once per connect
/// (PROTOCOL.md §1.1): `authorization: SAPISIDHASH …`, `origin`,
/// `x-goog-authuser: 0` and `cookie`.
///
/// `Debug` redacts the authorization and cookie values.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthHeaders {
    authorization: String,
    origin: String,
    cookie: String,
}

impl AuthHeaders {
    /// The headers for `cookies` at wall-clock time `unix_secs` (seconds
    /// since the Unix epoch, supplied by the caller), with the origin
    /// [`ORIGIN`].
    ///
    /// Fails with [`ApiError::MissingSapisid`] without a `SAPISID` cookie,
    /// and with [`ApiError::InvalidCookie`] if a cookie cannot be written
    /// into a header.
    pub fn new(cookies: &Cookies, unix_secs: u64) -> Result<Self, ApiError> {
        AuthHeaders::with_origin(cookies, unix_secs, ORIGIN)
    }

    /// [`AuthHeaders::new`] with another origin (hashed and sent).
    pub fn with_origin(cookies: &Cookies, unix_secs: u64, origin: &str) -> Result<Self, ApiError> {
        if origin.chars().any(char::is_control) {
            return Err(ApiError::InvalidCookie {
                name: "origin".to_string(),
            });
        }
        let sapisid = cookies.get("SAPISID").ok_or(ApiError::MissingSapisid)?;
        let cookie = cookies.header_value()?;
        Ok(AuthHeaders {
            authorization: sapisidhash(unix_secs, sapisid, origin),
            origin: origin.to_string(),
            cookie,
        })
    }

    /// The `authorization` value (`SAPISIDHASH <t>_<hash>`).
    pub fn authorization(&self) -> &str {
        &self.authorization
    }

    /// The `origin` value.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The `cookie` value (`name=value; name2=value2`).
    pub fn cookie(&self) -> &str {
        &self.cookie
    }

    /// The header fields in the order they are added to a request.
    pub fn fields(&self) -> [(&'static str, &str); 4] {
        [
            ("authorization", &self.authorization),
            ("origin", &self.origin),
            ("x-goog-authuser", "0"),
            ("cookie", &self.cookie),
        ]
    }
}

impl fmt::Debug for AuthHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthHeaders")
            .field("authorization", &format_args!("<redacted>"))
            .field("origin", &self.origin)
            .field("cookie", &format_args!("<redacted>"))
            .finish()
    }
}

/// Adds the session's credential headers (authorization, origin,
/// x-goog-authuser, cookie) to `req`, replacing any already there, but
/// only if `allow` allows its origin (scheme, host and port, see
/// [`OriginAllowList`]). Returns whether they were added; a request to any
/// other origin — another port of an allowed host, plain HTTP to a Google
/// host — is left untouched.
pub fn apply_auth(req: &mut Request, auth: &AuthHeaders, allow: &OriginAllowList) -> bool {
    if !allow.allows_request(req) {
        return false;
    }
    let fields = auth.fields();
    req.headers
        .retain(|(name, _)| !fields.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)));
    for (name, value) in fields {
        req.headers.push((name.to_string(), value.to_string()));
    }
    true
}

#[cfg(test)]
mod tests {
    use super::super::origin::Origin;
    use super::*;
    use crate::http::Method;

    fn cookies() -> Cookies {
        [("SAPISID", "abc"), ("HSID", "x\"y"), ("SID", "s3cr3t")]
            .into_iter()
            .collect()
    }

    #[test]
    fn sapisidhash_worked_example() {
        assert_eq!(
            sapisidhash(1234567890, "abc", ORIGIN),
            "SAPISIDHASH 1234567890_fc8d2bc1330be75b1748d35d13c332bb0087b98c"
        );
        let mut c = Cookies::new();
        c.insert("SAPISID", "abc");
        let auth = AuthHeaders::new(&c, 1234567890).unwrap();
        assert_eq!(
            auth.authorization(),
            "SAPISIDHASH 1234567890_fc8d2bc1330be75b1748d35d13c332bb0087b98c"
        );
        assert_eq!(auth.origin(), "https://hangouts.google.com");
    }

    #[test]
    fn cookie_header_is_ordered_and_unquoted() {
        let auth = AuthHeaders::new(&cookies(), 1).unwrap();
        assert_eq!(auth.cookie(), "SAPISID=abc; HSID=x\"y; SID=s3cr3t");
    }

    #[test]
    fn insert_replaces_in_place() {
        let mut c = cookies();
        c.insert("SAPISID", "new");
        c.insert("NID", "n");
        let names: Vec<_> = c.iter().collect();
        assert_eq!(
            names,
            [
                ("SAPISID", "new"),
                ("HSID", "x\"y"),
                ("SID", "s3cr3t"),
                ("NID", "n")
            ]
        );
        assert_eq!(c.len(), 4);
        assert!(!c.is_empty());
    }

    #[test]
    fn missing_sapisid_is_a_typed_error() {
        let c: Cookies = [("SID", "x")].into_iter().collect();
        assert!(matches!(
            AuthHeaders::new(&c, 1),
            Err(ApiError::MissingSapisid)
        ));
        assert!(matches!(
            AuthHeaders::new(&Cookies::new(), 1),
            Err(ApiError::MissingSapisid)
        ));
    }

    #[test]
    fn header_breaking_cookies_are_refused() {
        for (name, value) in [
            ("SID", "a\r\nX-Evil: 1"),
            ("SID", "a;b=c"),
            ("S ID", "a"),
            ("S=ID", "a"),
            ("", "a"),
        ] {
            let mut c = cookies();
            c.insert(name, value);
            match AuthHeaders::new(&c, 1) {
                Err(ApiError::InvalidCookie { name: n }) => assert_eq!(n, name),
                other => panic!("{name:?}={value:?}: {other:?}"),
            }
        }
        assert!(AuthHeaders::with_origin(&cookies(), 1, "https://x\r\n").is_err());
    }

    #[test]
    fn debug_redacts_secrets() {
        let c = cookies();
        let auth = AuthHeaders::new(&c, 1234567890).unwrap();
        let text = format!("{c:?} {c:#?} {auth:?} {auth:#?}");
        for secret in ["abc", "x\"y", "s3cr3t", "fc8d2bc1", "SAPISIDHASH"] {
            assert!(!text.contains(secret), "{secret} leaked in {text}");
        }
        assert!(text.contains("SAPISID") && text.contains("<redacted>"));
    }

    #[test]
    fn auth_goes_only_to_allowed_origins() {
        let auth = AuthHeaders::new(&cookies(), 1234567890).unwrap();
        let allow = OriginAllowList::google().with_origin(Origin::new(false, "127.0.0.1", 8080));
        for (tls, host, port) in [
            (true, "example.com", 443),
            (true, "google.com", 443),
            (true, "evil.google.com.attacker.net", 443),
            (true, "docs.google.com.", 443),
            (true, "googIe.com", 443),
            (true, "attacker.net", 443),
            // Google's hosts over plain HTTP, or on another port.
            (false, "docs.google.com", 80),
            (false, "chat-pa.clients6.google.com", 443),
            (true, "docs.google.com", 8443),
            // The emulator's host, but another port or the other scheme.
            (false, "127.0.0.1", 8081),
            (false, "127.0.0.1", 80),
            (true, "127.0.0.1", 8080),
            (false, "127.0.0.2", 8080),
        ] {
            let mut req = Request::new(Method::Post, host, port, tls, "/");
            assert!(!apply_auth(&mut req, &auth, &allow), "{host}:{port}");
            assert!(req.headers.is_empty(), "{host}:{port}: {:?}", req.headers);
        }
        for (tls, host, port) in [
            (true, "chat-pa.clients6.google.com", 443),
            (true, "Docs.Google.com", 443),
            (false, "127.0.0.1", 8080),
        ] {
            let mut req = Request::new(Method::Post, host, port, tls, "/");
            assert!(apply_auth(&mut req, &auth, &allow));
            assert!(apply_auth(&mut req, &auth, &allow), "idempotent");
            assert_eq!(
                req.headers,
                [
                    ("authorization", auth.authorization()),
                    ("origin", "https://hangouts.google.com"),
                    ("x-goog-authuser", "0"),
                    ("cookie", "SAPISID=abc; HSID=x\"y; SID=s3cr3t"),
                ]
                .map(|(n, v)| (n.to_string(), v.to_string()))
            );
        }
    }
}
