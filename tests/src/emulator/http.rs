//! A hand-written HTTP/1.1 server over tokio TCP (and TLS): keep-alive,
//! requests parsed with httparse (Content-Length bodies only), responses
//! written through [`Conn::send`] so that faults control the exact bytes
//! and how they are split. Routing to the handlers is at the bottom.

use super::{api, control, longpoll, oauth, upload, Shared};
use std::io;
use std::net::TcpListener as StdListener;
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio_rustls::TlsAcceptor;

const MAX_HEAD: usize = 64 * 1024;
const MAX_HEADERS: usize = 64;
const MAX_BODY: usize = 64 * 1024 * 1024;

/// A byte stream a connection runs over (TCP or TLS over TCP).
pub(crate) trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// Accepts connections until `stop` turns true.
/// How often expired typing is looked for (the granularity of
/// [`EmulatorConfig::typing_timeout`](super::EmulatorConfig::typing_timeout)).
const TYPING_TICK: std::time::Duration = std::time::Duration::from_millis(50);

pub(crate) async fn serve(
    shared: Arc<Shared>,
    listener: StdListener,
    tls: Option<TlsAcceptor>,
    mut stop: watch::Receiver<bool>,
) {
    let listener = match TcpListener::from_std(listener) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("hangups-emulator: cannot listen: {e}");
            return;
        }
    };
    // Typing that expires on the server is ended on this tick.
    let mut typing_tick = tokio::time::interval(TYPING_TICK);
    typing_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tokio::select! {
            _ = typing_tick.tick() => {
                let mut inner = shared.lock();
                inner.expire_typing();
                inner.tick_lively(std::time::Instant::now());
            }
            accepted = listener.accept() => {
                let Ok((tcp, _peer)) = accepted else { continue };
                let _ = tcp.set_nodelay(true);
                let shared = Arc::clone(&shared);
                let tls = tls.clone();
                tokio::spawn(async move {
                    let stream: Box<dyn Stream> = match tls {
                        Some(acceptor) => match acceptor.accept(tcp).await {
                            Ok(s) => Box::new(s),
                            Err(_) => return,
                        },
                        None => Box::new(tcp),
                    };
                    let mut conn = Conn { stream, buf: Vec::new(), shared };
                    let _ = conn.run().await;
                });
            }
            _ = stop.changed() => return,
        }
    }
}

/// A parsed request.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub method: String,
    pub path: String,
    pub query: Vec<(String, String)>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The client asked to close after this request.
    pub close: bool,
}

impl Request {
    /// The first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every header called `name`.
    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The first query parameter called `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A complete response (anything but the long-poll).
#[derive(Debug, Clone)]
pub(crate) struct Response {
    pub status: u16,
    pub reason: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, reason: &str, content_type: &str, body: impl Into<Vec<u8>>) -> Self {
        Response {
            status,
            reason: reason.to_string(),
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
        }
    }

    pub fn text(status: u16, reason: &str, body: &str) -> Self {
        Response::new(status, reason, "text/plain; charset=UTF-8", body)
    }

    pub fn json(status: u16, value: &serde_json::Value) -> Self {
        Response::new(
            status,
            reason_for(status),
            "application/json; charset=UTF-8",
            value.to_string(),
        )
    }

    /// `400 Unknown SID` with the same body (§1.4: both are checked).
    pub fn unknown_sid() -> Self {
        Response::text(400, "Unknown SID", "Unknown SID")
    }

    fn encode(&self, close: bool) -> Vec<u8> {
        let mut out = format!("HTTP/1.1 {} {}\r\n", self.status, self.reason).into_bytes();
        for (n, v) in &self.headers {
            out.extend_from_slice(format!("{n}: {v}\r\n").as_bytes());
        }
        out.extend_from_slice(format!("Content-Length: {}\r\n", self.body.len()).as_bytes());
        if close {
            out.extend_from_slice(b"Connection: close\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(&self.body);
        out
    }
}

/// The usual reason phrase of `status`.
pub(crate) fn reason_for(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Unknown",
    }
}

/// What the buffer holds.
enum Parsed {
    Complete(Request),
    /// Not a whole request yet; the head asks for `100 Continue`.
    Partial {
        expects_continue: bool,
    },
}

/// What happens to a connection after a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flow {
    /// Wait for the next request.
    KeepAlive,
    /// Close it cleanly.
    Close,
    /// Drop it at once (a fault cut the response short).
    Abort,
}

/// Why [`Conn::send_limited`] stopped early.
#[derive(Debug)]
pub(crate) struct Aborted;

/// One client connection.
pub(crate) struct Conn {
    stream: Box<dyn Stream>,
    buf: Vec<u8>,
    pub(crate) shared: Arc<Shared>,
}

impl Conn {
    /// Serves requests until the client closes, an error, or a close.
    async fn run(&mut self) -> io::Result<()> {
        loop {
            let req = match self.read_request().await {
                Ok(Some(req)) => req,
                Ok(None) => return Ok(()),
                Err(resp) => {
                    self.respond(&resp, true).await?;
                    return Ok(());
                }
            };
            match route(self, req).await? {
                Flow::KeepAlive => {}
                Flow::Close => {
                    let _ = self.stream.shutdown().await;
                    return Ok(());
                }
                // Dropped as it is: no close_notify, no terminating chunk.
                Flow::Abort => return Ok(()),
            }
        }
    }

    /// Reads one request; `Ok(None)` when the client closed or idled out
    /// between requests; `Err` is the error response for a bad request.
    async fn read_request(&mut self) -> Result<Option<Request>, Response> {
        let idle = self.shared.config.keep_alive_timeout;
        let mut continued = false;
        loop {
            if !self.buf.is_empty() {
                match self.parse()? {
                    Parsed::Complete(req) => return Ok(Some(req)),
                    Parsed::Partial { expects_continue } => {
                        if expects_continue && !continued {
                            continued = true;
                            if self.send(b"HTTP/1.1 100 Continue\r\n\r\n").await.is_err() {
                                return Ok(None);
                            }
                        }
                    }
                }
            }
            match tokio::time::timeout(idle, self.read_some()).await {
                Ok(Ok(0)) | Ok(Err(_)) | Err(_) => return Ok(None),
                Ok(Ok(_)) => {}
            }
        }
    }

    /// Reads what the client sent into the buffer; `Ok(0)` at its end.
    /// Cancel-safe (used while a long-poll waits, to notice the client
    /// leaving).
    pub(crate) async fn read_some(&mut self) -> io::Result<usize> {
        let mut chunk = [0u8; 16 * 1024];
        let n = self.stream.read(&mut chunk).await?;
        self.buf.extend_from_slice(&chunk[..n]);
        Ok(n)
    }

    /// A complete request at the front of the buffer, if there is one.
    fn parse(&mut self) -> Result<Parsed, Response> {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        let mut r = httparse::Request::new(&mut headers);
        let head_len = match r.parse(&self.buf) {
            Ok(httparse::Status::Complete(n)) => n,
            Ok(httparse::Status::Partial) if self.buf.len() > MAX_HEAD => {
                return Err(Response::text(
                    431,
                    reason_for(431),
                    "request head too large",
                ))
            }
            Ok(httparse::Status::Partial) => {
                return Ok(Parsed::Partial {
                    expects_continue: false,
                })
            }
            Err(e) => {
                return Err(Response::text(
                    400,
                    "Bad Request",
                    &format!("bad request: {e}"),
                ))
            }
        };
        let headers: Vec<(String, String)> = r
            .headers
            .iter()
            .map(|h| {
                (
                    h.name.to_string(),
                    String::from_utf8_lossy(h.value).into_owned(),
                )
            })
            .collect();
        let find = |name: &str| {
            headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.trim().to_string())
        };
        if find("transfer-encoding").is_some() {
            return Err(Response::text(
                501,
                reason_for(501),
                "chunked request bodies are not supported",
            ));
        }
        let length = match find("content-length") {
            None => 0,
            Some(v) => v
                .parse::<usize>()
                .map_err(|_| Response::text(400, "Bad Request", "bad Content-Length"))?,
        };
        if length > MAX_BODY {
            return Err(Response::text(413, reason_for(413), "body too large"));
        }
        if self.buf.len() < head_len + length {
            let expects_continue =
                find("expect").is_some_and(|e| e.eq_ignore_ascii_case("100-continue"));
            return Ok(Parsed::Partial { expects_continue });
        }
        let method = r.method.unwrap_or("").to_string();
        let target = r.path.unwrap_or("/").to_string();
        let http10 = r.version == Some(0);
        let close = match find("connection") {
            Some(c) if c.eq_ignore_ascii_case("close") => true,
            Some(c) if c.eq_ignore_ascii_case("keep-alive") => false,
            _ => http10,
        };
        let body = self.buf[head_len..head_len + length].to_vec();
        self.buf.drain(..head_len + length);
        let (path, query) = match target.split_once('?') {
            Some((p, q)) => (p.to_string(), parse_form(q)),
            None => (target, Vec::new()),
        };
        Ok(Parsed::Complete(Request {
            method,
            path: percent_decode(&path, false),
            query,
            headers,
            body,
            close,
        }))
    }

    /// Writes `resp` (with `Connection: close` if `close`).
    pub(crate) async fn respond(&mut self, resp: &Response, close: bool) -> io::Result<()> {
        self.send(&resp.encode(close)).await
    }

    /// Writes `bytes`, split into pieces with a flush after each when the
    /// `split_writes` fault is on.
    pub(crate) async fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        let mut unlimited = None;
        self.send_limited(bytes, &mut unlimited)
            .await?
            .map_err(|Aborted| io::Error::other("aborted"))
    }

    /// [`Conn::send`], but if `budget` is set, only that many more bytes go
    /// out; then `Ok(Err(Aborted))` and the connection must be dropped.
    pub(crate) async fn send_limited(
        &mut self,
        bytes: &[u8],
        budget: &mut Option<usize>,
    ) -> io::Result<Result<(), Aborted>> {
        let split = self.shared.lock().faults.split();
        let (now, cut) = match budget {
            Some(b) if *b <= bytes.len() => (&bytes[..*b], true),
            Some(b) => {
                *b -= bytes.len();
                (bytes, false)
            }
            None => (bytes, false),
        };
        match split {
            Some(k) => {
                for piece in now.chunks(k) {
                    self.stream.write_all(piece).await?;
                    self.stream.flush().await?;
                }
            }
            None => {
                self.stream.write_all(now).await?;
                self.stream.flush().await?;
            }
        }
        Ok(if cut { Err(Aborted) } else { Ok(()) })
    }
}

/// Dispatches one request.
async fn route(conn: &mut Conn, req: Request) -> io::Result<Flow> {
    const BIND: &str = "/client-channel/channel/bind";
    if req.path == BIND && req.method == "GET" {
        return match longpoll::long_poll(conn, &req).await? {
            Flow::KeepAlive if req.close => Ok(Flow::Close),
            flow => Ok(flow),
        };
    }
    let shared = Arc::clone(&conn.shared);
    if req.path.starts_with("/v1/") {
        if let Some(d) = crate::chat_emulator::stall_before(&shared) {
            tokio::time::sleep(d).await;
        }
        let reply = crate::chat_emulator::serve(&shared, &req);
        if let Some(d) = reply.stall {
            tokio::time::sleep(d).await;
        }
        if reply.cut {
            return Ok(Flow::Abort);
        }
        conn.respond(&reply.response, req.close).await?;
        return Ok(if req.close {
            Flow::Close
        } else {
            Flow::KeepAlive
        });
    }
    let resp = match (req.method.as_str(), req.path.as_str()) {
        ("POST", BIND) => longpoll::forward_channel(&shared, &req),
        (_, BIND) => method_not_allowed(),
        ("POST", p) if p.starts_with("/chat/v1/") => api::handle(&shared, &req),
        (_, p) if p.starts_with("/chat/v1/") => method_not_allowed(),
        (_, p) if p.starts_with("/upload/photos/") => upload::handle(&shared, &req),
        ("POST", "/token") => crate::chat_emulator::token_endpoint(&shared, &req),
        ("GET", "/o/oauth2/auth") => crate::chat_emulator::authorize_endpoint(&shared, &req),
        ("POST", "/o/oauth2/token") => oauth::token(&mut shared.lock(), &req),
        ("GET", "/accounts/OAuthLogin") => oauth::oauth_login(&mut shared.lock(), &req),
        ("GET", "/MergeSession") => oauth::merge_session(&mut shared.lock(), &req),
        ("GET", "/o/oauth2/programmatic_auth") => oauth::login_page(&mut shared.lock()),
        (_, p) if p.starts_with("/_emulator/chat/") => crate::chat_emulator::control(&shared, &req),
        (_, p) if p.starts_with("/_emulator/") => control::handle(&shared, &req),
        _ => Response::text(404, "Not Found", "Not Found"),
    };
    conn.respond(&resp, req.close).await?;
    Ok(if req.close {
        Flow::Close
    } else {
        Flow::KeepAlive
    })
}

fn method_not_allowed() -> Response {
    Response::text(405, reason_for(405), "method not allowed")
}

/// `application/x-www-form-urlencoded` (and query strings): `+` is a space.
pub(crate) fn parse_form(text: &str) -> Vec<(String, String)> {
    text.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (n, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(n, true), percent_decode(v, true))
        })
        .collect()
}

/// Decodes `%XX` escapes (invalid ones are kept as they are).
pub(crate) fn percent_decode(s: &str, plus_as_space: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(v) => {
                        out.push(v);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' if plus_as_space => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let f = parse_form("count=2&ofs=0&req0_p=%7B%223%22%3A+%7B%7D%7D&x&%zz=%4");
        assert_eq!(f[0], ("count".into(), "2".into()));
        assert_eq!(f[2].1, r#"{"3": {}}"#);
        assert_eq!(f[3], ("x".into(), String::new()));
        assert_eq!(f[4], ("%zz".into(), "%4".into()));
        assert_eq!(percent_decode("a%2Fb+c", false), "a/b+c");
        assert_eq!(percent_decode("%C3%A9", false), "é");
    }
}
