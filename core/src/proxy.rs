//! HTTP proxies, sans-IO: which proxy (if any) a request goes through,
//! from `HTTP_PROXY` / `HTTPS_PROXY` / `NO_PROXY` values or an explicit
//! setting, and the `CONNECT` tunnel handshake for TLS through a proxy.
//! The adapter reads the environment and the sockets; this module decides
//! and parses. (hangups only honoured `HTTP_PROXY`, for every request.)

use crate::http::{HttpError, Limits, ResponseEvent, ResponseParser};

/// A proxy server (`http://host:port`; HTTPS proxies are not supported).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proxy {
    /// Host name or IP literal.
    pub host: String,
    /// TCP port (default 80).
    pub port: u16,
}

impl Proxy {
    /// Parses `http://host:port`, `host:port` or `host`; `None` otherwise
    /// (an empty value, another scheme, credentials in the URL, a bad port).
    pub fn parse(url: &str) -> Option<Proxy> {
        let url = url.trim();
        let rest = match url.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("http") => rest,
            Some(_) => return None,
            None => url,
        };
        let authority = rest.split('/').next().unwrap_or_default();
        if authority.is_empty() || authority.contains('@') {
            return None;
        }
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (h, after) = v6.split_once(']')?;
            let port = match after.strip_prefix(':') {
                Some(p) => p.parse().ok()?,
                None if after.is_empty() => 80,
                None => return None,
            };
            (h.to_string(), port)
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h.to_string(), p.parse().ok()?),
                None => (authority.to_string(), 80),
            }
        };
        (!host.is_empty()).then_some(Proxy { host, port })
    }
}

/// Which proxy to use for which request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxyConfig {
    /// For plain `http://` requests.
    pub http: Option<Proxy>,
    /// For `https://` requests (through a `CONNECT` tunnel).
    pub https: Option<Proxy>,
    /// Hosts reached directly: exact names, domain suffixes (`.example.com`
    /// or `example.com` also match subdomains), IP literals, or `*`.
    pub no_proxy: Vec<String>,
}

impl ProxyConfig {
    /// One proxy for every request (an explicit setting).
    pub fn all(proxy: Proxy) -> Self {
        ProxyConfig {
            http: Some(proxy.clone()),
            https: Some(proxy),
            no_proxy: Vec::new(),
        }
    }

    /// From the values of `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY` (the
    /// adapter reads them, upper or lower case). Unparsable values are ignored.
    pub fn from_env_values(
        http: Option<&str>,
        https: Option<&str>,
        no_proxy: Option<&str>,
    ) -> Self {
        ProxyConfig {
            http: http.and_then(Proxy::parse),
            https: https.and_then(Proxy::parse),
            no_proxy: no_proxy
                .unwrap_or_default()
                .split(',')
                .map(|s| s.trim().to_ascii_lowercase())
                .filter(|s| !s.is_empty())
                .collect(),
        }
    }

    /// The proxy for a request to `host` (TLS or not), if any.
    pub fn proxy_for(&self, host: &str, tls: bool) -> Option<&Proxy> {
        let proxy = if tls {
            self.https.as_ref()
        } else {
            self.http.as_ref()
        }?;
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let bypass = self.no_proxy.iter().any(|entry| {
            let entry = entry
                .split(':')
                .next()
                .unwrap_or_default()
                .trim_end_matches('.');
            if entry == "*" {
                return true;
            }
            let suffix = entry.trim_start_matches('.');
            !suffix.is_empty() && (host == suffix || host.ends_with(&format!(".{suffix}")))
        });
        (!bypass).then_some(proxy)
    }
}

/// The `CONNECT` request that opens a tunnel to `host:port`.
pub fn connect_request(host: &str, port: u16) -> Vec<u8> {
    let authority = if host.contains(':') {
        format!("[{host}]:{port}")
    } else {
        format!("{host}:{port}")
    };
    format!("CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n\r\n").into_bytes()
}

/// Why a tunnel could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TunnelError {
    /// The proxy refused (any status other than 2xx).
    #[error("the proxy refused the tunnel: {status} {reason}")]
    Refused {
        /// The status code.
        status: u16,
        /// The reason phrase.
        reason: String,
    },
    /// The proxy's answer was not HTTP.
    #[error("bad proxy response: {0}")]
    Http(#[from] HttpError),
}

/// Reads the proxy's answer to [`connect_request`], fed as it arrives.
#[derive(Debug, Default)]
pub struct TunnelHandshake {
    head: Vec<u8>,
}

/// Largest proxy answer head accepted.
const MAX_HEAD: usize = 16 * 1024;

impl TunnelHandshake {
    /// A handshake waiting for the proxy's answer.
    pub fn new() -> Self {
        TunnelHandshake::default()
    }

    /// Feeds bytes from the proxy. `Ok(None)`: need more. `Ok(Some(n))`:
    /// the tunnel is open and the first `n` bytes of `input` were the
    /// proxy's; anything after them already belongs to the tunnel.
    pub fn feed(&mut self, input: &[u8]) -> Result<Option<usize>, TunnelError> {
        let before = self.head.len();
        let take = input.len().min(MAX_HEAD + 4 - before.min(MAX_HEAD));
        self.head.extend_from_slice(&input[..take]);
        let from = before.saturating_sub(3);
        let Some(end) = find_head_end(&self.head[from..]).map(|e| e + from) else {
            if self.head.len() > MAX_HEAD {
                return Err(HttpError::HeadTooLarge { limit: MAX_HEAD }.into());
            }
            return Ok(None);
        };
        // A 2xx answer to CONNECT has no body: the head is all of it.
        let mut parser = ResponseParser::new(Limits::default());
        let mut head = None;
        parser.feed(&self.head[..end], &mut |ev| {
            if let ResponseEvent::Head(h) = ev {
                head.get_or_insert(h);
            }
        })?;
        match head {
            Some(h) if (200..300).contains(&h.status) => Ok(Some(end - before)),
            Some(h) => Err(TunnelError::Refused {
                status: h.status,
                reason: h.reason,
            }),
            None => Err(HttpError::MalformedHead("no status line".into()).into()),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_proxy_urls() {
        assert_eq!(
            Proxy::parse("http://proxy:3128"),
            Some(Proxy {
                host: "proxy".into(),
                port: 3128
            })
        );
        assert_eq!(
            Proxy::parse("proxy.corp"),
            Some(Proxy {
                host: "proxy.corp".into(),
                port: 80
            })
        );
        assert_eq!(
            Proxy::parse("http://[::1]:8080/"),
            Some(Proxy {
                host: "::1".into(),
                port: 8080
            })
        );
        for bad in [
            "",
            "socks5://x:1",
            "http://user:pw@x:1",
            "http://x:notaport",
            "http://",
        ] {
            assert_eq!(Proxy::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn no_proxy_matches_hosts_and_suffixes() {
        let cfg = ProxyConfig::from_env_values(
            Some("http://p:1"),
            Some("http://s:2"),
            Some("localhost, .internal.net,example.com:443,127.0.0.1"),
        );
        assert_eq!(
            cfg.proxy_for("chat-pa.clients6.google.com", true)
                .map(|p| p.port),
            Some(2)
        );
        assert_eq!(
            cfg.proxy_for("chat-pa.clients6.google.com", false)
                .map(|p| p.port),
            Some(1)
        );
        for direct in [
            "localhost",
            "a.internal.net",
            "internal.net",
            "example.com",
            "www.example.com",
            "127.0.0.1",
            "LOCALHOST.",
        ] {
            assert!(cfg.proxy_for(direct, true).is_none(), "{direct}");
        }
        assert!(cfg.proxy_for("notexample.com", true).is_some());
        let all = ProxyConfig::from_env_values(Some("p:1"), None, Some("*"));
        assert!(all.proxy_for("anything", false).is_none());
        assert!(ProxyConfig::default().proxy_for("x", true).is_none());
    }

    #[test]
    fn connect_handshake() {
        assert_eq!(
            connect_request("h.example", 443),
            b"CONNECT h.example:443 HTTP/1.1\r\nHost: h.example:443\r\n\r\n"
        );
        let reply = b"HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x01";
        for split in 1..reply.len() {
            let mut h = TunnelHandshake::new();
            let first = h.feed(&reply[..split]).unwrap();
            if split >= reply.len() - 3 {
                assert_eq!(first, Some(reply.len() - 3));
            } else {
                assert_eq!(first, None, "split {split}");
                assert_eq!(
                    h.feed(&reply[split..]).unwrap(),
                    Some(reply.len() - 3 - split)
                );
            }
        }
        let mut h = TunnelHandshake::new();
        assert_eq!(
            h.feed(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n"),
            Err(TunnelError::Refused {
                status: 407,
                reason: "Proxy Authentication Required".into()
            })
        );
    }
}
