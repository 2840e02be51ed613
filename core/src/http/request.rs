//! An HTTP request as the rest of the core builds it, and its encoding.
//!
//! Header injection policy: [`Request::encode`] is infallible and never
//! writes a line the caller did not ask for. It removes control characters
//! other than HTAB (so CR, LF and NUL) from header values and the host,
//! removes non-token bytes from header names (dropping a header whose name
//! ends up empty), and skips caller headers named `Host`, `Content-Length`
//! or `Transfer-Encoding`, since the codec owns the message framing.
//! [`Request::validate`] reports each of those cases as an [`HttpError`]
//! for callers that prefer to reject such a request.

use super::percent;
use super::HttpError;

/// The request method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT` (the Google Chat API's `update`)
    Put,
    /// `PATCH` (the Google Chat API's `patch`)
    Patch,
    /// `DELETE`
    Delete,
}

impl Method {
    /// The method's name as written in the request line.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// One HTTP/1.1 request to `host:port`. The codec writes the request line
/// (path and query percent-encoded), `Host`, the given headers, and
/// `Content-Length` for a POST.
///
/// `Debug` redacts the values of `cookie` and `authorization` headers and
/// prints only the body's length, so requests can be logged safely.
#[derive(Clone, PartialEq, Eq)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// Host name or IP literal (no port).
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// Whether the connection uses TLS (decides the default port in `Host`).
    pub tls: bool,
    /// The path, unencoded (e.g. `/chat/v1/conversations/sendchatmessage`).
    pub path: String,
    /// Query parameters in order, unencoded.
    pub query: Vec<(String, String)>,
    /// Header fields in order, besides `Host` and `Content-Length`.
    pub headers: Vec<(String, String)>,
    /// The body (empty for GET).
    pub body: Vec<u8>,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| {
                let secret =
                    n.eq_ignore_ascii_case("cookie") || n.eq_ignore_ascii_case("authorization");
                (n.as_str(), if secret { "<redacted>" } else { v.as_str() })
            })
            .collect();
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("tls", &self.tls)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("headers", &headers)
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl Request {
    /// A request with no query, headers or body.
    pub fn new(method: Method, host: &str, port: u16, tls: bool, path: &str) -> Self {
        Request {
            method,
            host: host.to_string(),
            port,
            tls,
            path: path.to_string(),
            query: Vec::new(),
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// Appends a query parameter.
    pub fn with_query(mut self, name: &str, value: &str) -> Self {
        self.query.push((name.to_string(), value.to_string()));
        self
    }

    /// Appends a header field.
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }

    /// Sets the body.
    pub fn with_body(mut self, body: Vec<u8>) -> Self {
        self.body = body;
        self
    }

    /// The first header field called `name` (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The request target: the path percent-encoded as a path (`/`,
    /// unreserved characters, sub-delims, `:` and `@` kept; a missing
    /// leading `/` is added), then `?name=value&...` with each name and
    /// value percent-encoded as a query component (only unreserved
    /// characters kept, space as `%20`).
    pub fn target(&self) -> String {
        let mut out = String::with_capacity(self.path.len() + 1);
        if !self.path.starts_with('/') {
            out.push('/');
        }
        percent::encode_path(&self.path, &mut out);
        for (i, (name, value)) in self.query.iter().enumerate() {
            out.push(if i == 0 { '?' } else { '&' });
            percent::encode_query_component(name, &mut out);
            out.push('=');
            percent::encode_query_component(value, &mut out);
        }
        out
    }

    /// The `Host` header value: the host (IPv6 literals in brackets),
    /// with `:port` unless the port is the scheme's default (443 with TLS,
    /// 80 without). Control characters and spaces are removed.
    pub fn host_header(&self) -> String {
        let host: String = self
            .host
            .chars()
            .filter(|&c| !is_bad_host_char(c))
            .collect();
        let mut out = String::with_capacity(host.len() + 8);
        if host.contains(':') && !host.starts_with('[') {
            out.push('[');
            out.push_str(&host);
            out.push(']');
        } else {
            out.push_str(&host);
        }
        let default_port = if self.tls { 443 } else { 80 };
        if self.port != default_port {
            out.push(':');
            out.push_str(&self.port.to_string());
        }
        out
    }

    /// The request as bytes on the wire: request line, `Host`, the
    /// caller's headers in order, `Content-Length` (always for `POST`,
    /// `PUT` and `PATCH`, otherwise when the body is not empty), a blank line, the body.
    ///
    /// Never fails: see the module docs for how header fields that could
    /// inject lines are sanitised ([`Request::validate`] reports them).
    pub fn encode(&self) -> Vec<u8> {
        self.encode_with_target(self.target())
    }

    /// As [`Request::encode`], with the absolute-form target
    /// (`http://host:port/path?query`) a plain-HTTP proxy needs.
    pub fn encode_for_proxy(&self) -> Vec<u8> {
        let scheme = if self.tls { "https" } else { "http" };
        self.encode_with_target(format!(
            "{scheme}://{}{}",
            self.host_header(),
            self.target()
        ))
    }

    fn encode_with_target(&self, target: String) -> Vec<u8> {
        let headers_len: usize = self
            .headers
            .iter()
            .map(|(n, v)| n.len() + v.len() + 4)
            .sum();
        let mut out =
            Vec::with_capacity(target.len() + self.host.len() + headers_len + self.body.len() + 64);
        out.extend_from_slice(self.method.as_str().as_bytes());
        out.push(b' ');
        out.extend_from_slice(target.as_bytes());
        out.extend_from_slice(b" HTTP/1.1\r\nHost: ");
        out.extend_from_slice(self.host_header().as_bytes());
        out.extend_from_slice(b"\r\n");
        for (name, value) in &self.headers {
            if is_reserved(name) {
                continue;
            }
            let start = out.len();
            out.extend(name.bytes().filter(|&b| is_tchar(b)));
            if out.len() == start {
                continue;
            }
            out.extend_from_slice(b": ");
            out.extend(value.bytes().filter(|&b| !is_bad_value_byte(b)));
            out.extend_from_slice(b"\r\n");
        }
        if matches!(self.method, Method::Post | Method::Put | Method::Patch)
            || !self.body.is_empty()
        {
            out.extend_from_slice(b"Content-Length: ");
            out.extend_from_slice(self.body.len().to_string().as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&self.body);
        out
    }

    /// Checks that [`encode`](Request::encode) will write the request
    /// exactly as given, without removing anything: the host is non-empty
    /// without spaces or control characters, header names are tokens,
    /// header values have no control characters but HTAB (no CR, LF, NUL),
    /// and no header is one the codec writes itself.
    pub fn validate(&self) -> Result<(), HttpError> {
        if self.host.is_empty() || self.host.chars().any(is_bad_host_char) {
            return Err(HttpError::InvalidHost(self.host.clone()));
        }
        for (name, value) in &self.headers {
            if name.is_empty() || !name.bytes().all(is_tchar) {
                return Err(HttpError::InvalidHeaderName(name.clone()));
            }
            if is_reserved(name) {
                return Err(HttpError::ReservedHeader(name.clone()));
            }
            if value.bytes().any(is_bad_value_byte) {
                return Err(HttpError::InvalidHeaderValue(name.clone()));
            }
        }
        Ok(())
    }
}

/// Headers the codec writes itself (the message framing).
fn is_reserved(name: &str) -> bool {
    ["host", "content-length", "transfer-encoding"]
        .iter()
        .any(|r| name.eq_ignore_ascii_case(r))
}

/// RFC 9110 `tchar`.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// Control characters other than HTAB (CR, LF and NUL among them).
fn is_bad_value_byte(b: u8) -> bool {
    b.is_ascii_control() && b != b'\t'
}

fn is_bad_host_char(c: char) -> bool {
    c.is_control() || c.is_whitespace()
}

/// `application/x-www-form-urlencoded` text of `pairs`, byte for byte what
/// Python 3's `urllib.parse.urlencode` gives: `name=value` joined by `&`,
/// each encoded with `quote_plus` rules (letters, digits and `_.-~` kept,
/// space as `+`, everything else as uppercase `%XX` of its UTF-8 bytes).
pub fn form_urlencode(pairs: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for (i, (name, value)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        percent::encode_form_component(name, &mut out);
        out.push('=');
        percent::encode_form_component(value, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(req: &Request) -> String {
        String::from_utf8(req.encode()).unwrap()
    }

    #[test]
    fn get_with_query() {
        let req = Request::new(Method::Get, "example.com", 443, true, "/a b/c")
            .with_query("q", "x y&z=1+2/3")
            .with_query("é", "")
            .with_header("Accept", "*/*");
        assert_eq!(req.target(), "/a%20b/c?q=x%20y%26z%3D1%2B2%2F3&%C3%A9=");
        assert_eq!(
            text(&req),
            "GET /a%20b/c?q=x%20y%26z%3D1%2B2%2F3&%C3%A9= HTTP/1.1\r\n\
             Host: example.com\r\nAccept: */*\r\n\r\n"
        );
    }

    #[test]
    fn path_encoding() {
        let req = |p: &str| Request::new(Method::Get, "h", 80, false, p).target();
        assert_eq!(req(""), "/");
        assert_eq!(req("rel"), "/rel");
        assert_eq!(req("/a&b=c+d;e/f:g@h"), "/a&b=c+d;e/f:g@h");
        assert_eq!(req("/?#%"), "/%3F%23%25");
        assert_eq!(req("/ünï"), "/%C3%BCn%C3%AF");
        assert_eq!(req("/x\r\nHost: evil"), "/x%0D%0AHost:%20evil");
    }

    #[test]
    fn host_header_and_ports() {
        let host = |h: &str, port, tls| Request::new(Method::Get, h, port, tls, "/").host_header();
        assert_eq!(host("a.com", 443, true), "a.com");
        assert_eq!(host("a.com", 80, false), "a.com");
        assert_eq!(host("a.com", 80, true), "a.com:80");
        assert_eq!(host("a.com", 443, false), "a.com:443");
        assert_eq!(host("a.com", 8080, false), "a.com:8080");
        assert_eq!(host("::1", 443, true), "[::1]");
        assert_eq!(host("2001:db8::1", 8443, true), "[2001:db8::1]:8443");
        assert_eq!(host("[::1]", 81, false), "[::1]:81");
        assert_eq!(host("a.com\r\n X", 443, true), "a.comX");
    }

    #[test]
    fn post_always_has_content_length() {
        let req = Request::new(Method::Post, "h", 80, false, "/p");
        assert_eq!(
            text(&req),
            "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n"
        );
        let req = req
            .with_header("Content-Type", "text/plain")
            .with_body(b"hi".to_vec());
        assert_eq!(
            text(&req),
            "POST /p HTTP/1.1\r\nHost: h\r\nContent-Type: text/plain\r\n\
             Content-Length: 2\r\n\r\nhi"
        );
    }

    #[test]
    fn get_content_length_only_with_body() {
        let req = Request::new(Method::Get, "h", 80, false, "/");
        assert!(!text(&req).contains("Content-Length"));
        let req = req.with_body(b"abc".to_vec());
        assert!(text(&req).ends_with("Content-Length: 3\r\n\r\nabc"));
    }

    #[test]
    fn header_injection_is_stripped_and_rejected() {
        let req = Request::new(Method::Get, "h", 80, false, "/")
            .with_header("X-A", "one\r\nInjected: yes")
            .with_header("X-B\r\nEvil", "v\0\tw");
        assert_eq!(
            text(&req),
            "GET / HTTP/1.1\r\nHost: h\r\nX-A: oneInjected: yes\r\nX-BEvil: v\tw\r\n\r\n"
        );
        assert_eq!(
            req.validate(),
            Err(HttpError::InvalidHeaderValue("X-A".into()))
        );
        let req = Request::new(Method::Get, "h", 80, false, "/").with_header("X-B\r\nEvil", "v");
        assert_eq!(
            req.validate(),
            Err(HttpError::InvalidHeaderName("X-B\r\nEvil".into()))
        );
        let req = Request::new(Method::Get, "h", 80, false, "/").with_header("\r\n", "v");
        assert_eq!(text(&req), "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
        assert!(req.validate().is_err());
        let req = Request::new(Method::Get, "h\n", 80, false, "/");
        assert_eq!(req.validate(), Err(HttpError::InvalidHost("h\n".into())));
        assert!(Request::new(Method::Get, "", 80, false, "/")
            .validate()
            .is_err());
    }

    #[test]
    fn framing_headers_are_the_codecs() {
        let req = Request::new(Method::Post, "h", 80, false, "/")
            .with_header("content-length", "99")
            .with_header("Host", "other")
            .with_header("Transfer-Encoding", "chunked")
            .with_body(b"x".to_vec());
        assert_eq!(
            text(&req),
            "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\nx"
        );
        assert_eq!(
            req.validate(),
            Err(HttpError::ReservedHeader("content-length".into()))
        );
    }

    #[test]
    fn valid_request_validates() {
        let req = Request::new(Method::Post, "::1", 443, true, "/a b")
            .with_query("k", "v v")
            .with_header("Cookie", "a=b; c=d\tx")
            .with_body(b"body".to_vec());
        assert_eq!(req.validate(), Ok(()));
    }

    #[test]
    fn form_urlencode_matches_python() {
        let got = form_urlencode(&[
            ("count", "2"),
            ("ofs", "0"),
            ("req0_p", r#"{"3": {"1": {"1": "babel"}}}"#),
            (
                "req1_p",
                r#"{"3": {"1": {"1": "babel_presence_last_seen"}}}"#,
            ),
        ]);
        assert_eq!(
            got,
            "count=2&ofs=0&req0_p=%7B%223%22%3A+%7B%221%22%3A+%7B%221%22%3A+%22babel%22%7D%7D%7D\
             &req1_p=%7B%223%22%3A+%7B%221%22%3A+%7B%221%22%3A+%22babel_presence_last_seen%22%7D%7D%7D"
        );
        // `urllib.parse.urlencode([("a b", "c&d=e+f"), ("é/~*", "\0\n")])`
        assert_eq!(
            form_urlencode(&[("a b", "c&d=e+f"), ("é/~*", "\0\n")]),
            "a+b=c%26d%3De%2Bf&%C3%A9%2F~%2A=%00%0A"
        );
        assert_eq!(form_urlencode(&[("", ""), ("k", "")]), "=&k=");
        assert_eq!(form_urlencode(&[]), "");
    }
}
