//! An HTTP request as the rest of the core builds it.

/// The request method (the client only ever needs these two).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// `GET`
    Get,
    /// `POST`
    Post,
}

/// One HTTP/1.1 request to `host:port`. The codec writes the request line
/// (path and query percent-encoded), `Host`, the given headers, and
/// `Content-Length` for a POST.
#[derive(Debug, Clone, PartialEq, Eq)]
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
}

/// `application/x-www-form-urlencoded` text of `pairs`, spaces as `+`.
pub fn form_urlencode(pairs: &[(&str, &str)]) -> String {
    let _ = pairs;
    String::new()
}
