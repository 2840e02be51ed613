//! Which proxy a request goes through.

use super::Proxy;

/// Which proxy to use for which request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProxyConfig {
    /// For plain `http://` requests.
    pub http: Option<Proxy>,
    /// For `https://` requests (through a tunnel).
    pub https: Option<Proxy>,
    /// Hosts reached directly: exact names, domain suffixes (`.example.com`
    /// or `example.com` also match subdomains), IP literals (IPv6 bare or
    /// in brackets), or `*`; a `:port` is ignored.
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

    /// From the environment, read through `env` (the adapter passes
    /// `|name| std::env::var(name).ok()`; the core reads nothing itself).
    /// Each variable is looked up upper case first, then lower case:
    /// `HTTP_PROXY` for plain requests, `HTTPS_PROXY` for TLS ones,
    /// `ALL_PROXY` for either when its own is unset or empty, `NO_PROXY`
    /// for the exceptions. Values are [`Proxy::from_url`] URLs of any kind
    /// (`http`, `socks5`, `socks5h`); unparsable ones are ignored.
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> Self {
        let var = |name: &str| {
            env(name)
                .or_else(|| env(&name.to_ascii_lowercase()))
                .filter(|v| !v.trim().is_empty())
        };
        let all = var("ALL_PROXY");
        let pick = |own: Option<String>| {
            own.or_else(|| all.clone())
                .and_then(|v| Proxy::from_url(&v).ok())
        };
        ProxyConfig {
            http: pick(var("HTTP_PROXY")),
            https: pick(var("HTTPS_PROXY")),
            no_proxy: parse_no_proxy(var("NO_PROXY").as_deref()),
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
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(&host);
        let bypass = self.no_proxy.iter().any(|entry| {
            let entry = without_port(entry).trim_end_matches('.');
            if entry == "*" {
                return true;
            }
            let suffix = entry.trim_start_matches('.');
            !suffix.is_empty() && (host == suffix || host.ends_with(&format!(".{suffix}")))
        });
        (!bypass).then_some(proxy)
    }
}

/// A `NO_PROXY` entry without its port: `host:port`, `[v6]:port`, `[v6]`;
/// a bare IPv6 address (several colons) is kept whole.
fn without_port(entry: &str) -> &str {
    if let Some(inner) = entry.strip_prefix('[') {
        return inner.split(']').next().unwrap_or_default();
    }
    match entry.split_once(':') {
        Some((host, port)) if !port.contains(':') => host,
        _ => entry,
    }
}

fn parse_no_proxy(value: Option<&str>) -> Vec<String> {
    value
        .unwrap_or_default()
        .split(',')
        .map(|s| s.trim().to_ascii_lowercase())
        .filter(|s| !s.is_empty())
        .collect()
}
