//! HTTP `CONNECT`: the request, and the proxy's reply head.

use super::{ProxyCredentials, TunnelError, MAX_HTTP_REPLY};
use base64::Engine as _;

/// The `CONNECT` request that opens a tunnel to `host:port` (an IPv6 host
/// without brackets), with `Proxy-Authorization: Basic` if `auth`.
pub(crate) fn connect_head(host: &str, port: u16, auth: Option<&ProxyCredentials>) -> Vec<u8> {
    let authority = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    let mut head = format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n");
    if let Some(c) = auth {
        head.push_str(&format!(
            "Proxy-Authorization: {}\r\n",
            basic_authorization(c)
        ));
    }
    head.push_str("\r\n");
    head.into_bytes()
}

/// The `Proxy-Authorization` value for `c`: `Basic base64(user:pass)`.
pub(crate) fn basic_authorization(c: &ProxyCredentials) -> String {
    let token =
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", c.username, c.password));
    format!("Basic {token}")
}

/// Collects the proxy's reply head, bounded by [`MAX_HTTP_REPLY`].
#[derive(Debug, Default)]
pub(crate) struct HttpReply {
    head: Vec<u8>,
}

impl HttpReply {
    /// Feeds bytes. `Ok(None)`: need more (all of `input` was the
    /// proxy's). `Ok(Some(n))`: a 2xx reply ended after `n` bytes of
    /// `input`.
    pub(crate) fn feed(&mut self, input: &[u8]) -> Result<Option<usize>, TunnelError> {
        let before = self.head.len();
        let take = input.len().min(MAX_HTTP_REPLY - before);
        self.head.extend_from_slice(&input[..take]);
        let from = before.saturating_sub(3);
        let Some(end) = find_head_end(&self.head[from..]).map(|e| e + from) else {
            if self.head.len() >= MAX_HTTP_REPLY {
                return Err(TunnelError::ReplyTooLarge {
                    limit: MAX_HTTP_REPLY,
                });
            }
            return Ok(None);
        };
        self.head.truncate(end);
        let mut headers = [httparse::EMPTY_HEADER; 64];
        let mut response = httparse::Response::new(&mut headers);
        match response.parse(&self.head) {
            Ok(httparse::Status::Complete(_)) => {}
            Ok(httparse::Status::Partial) => {
                return Err(TunnelError::MalformedHttpReply("incomplete head".into()))
            }
            Err(e) => return Err(TunnelError::MalformedHttpReply(e.to_string())),
        }
        let status = response.code.unwrap_or_default();
        // A 2xx answer to CONNECT has no body: the head is all of it.
        if (200..300).contains(&status) {
            Ok(Some(end - before))
        } else {
            Err(TunnelError::HttpRefused {
                status,
                reason: response.reason.unwrap_or_default().to_string(),
            })
        }
    }
}

/// Index just past the first `\r\n\r\n` (or `\n\n`) in `input`.
fn find_head_end(input: &[u8]) -> Option<usize> {
    let crlf = input
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| i + 4);
    let lf = input.windows(2).position(|w| w == b"\n\n").map(|i| i + 2);
    match (crlf, lf) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}
