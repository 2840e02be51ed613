//! Origins — scheme, host and port (RFC 6454) — and the allow-list of
//! origins that may receive the session's credentials (PROTOCOL.md §2.3).

use std::fmt;

use super::url::split_url;
use crate::http::Request;

/// Where a request goes, as far as credentials are concerned: whether it
/// uses TLS (`https`) or not (`http`), the host and the port.
///
/// Hosts are kept lower-case, IPv6 literals without brackets; the port is
/// always explicit (a URL without one gets 443 or 80 from its scheme), so
/// `https://Docs.Google.com` and `https://docs.google.com:443` are the same
/// origin. Displayed as `scheme://host[:port]`, the port left out when it
/// is the scheme's default.
///
/// ```
/// use hangups_core::api::Origin;
///
/// let o = Origin::parse("HTTP://LocalHost:8080/some/path")?;
/// assert_eq!(o, Origin::new(false, "localhost", 8080));
/// assert_eq!(o.to_string(), "http://localhost:8080");
/// assert_eq!(Origin::parse("https://docs.google.com")?, Origin::https("docs.google.com"));
/// assert_eq!(Origin::new(true, "[::1]", 443).to_string(), "https://[::1]");
/// # Ok::<(), hangups_core::api::InvalidOrigin>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Origin {
    tls: bool,
    host: String,
    port: u16,
}

/// A URL [`Origin::parse`] cannot take.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid origin {url:?}: {reason}")]
pub struct InvalidOrigin {
    /// The URL given.
    pub url: String,
    /// What is wrong with it.
    pub reason: &'static str,
}

impl Origin {
    /// The origin `host:port`, over TLS if `tls`. The host is lower-cased;
    /// brackets around an IPv6 literal are dropped.
    pub fn new(tls: bool, host: &str, port: u16) -> Origin {
        let host = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .unwrap_or(host);
        Origin {
            tls,
            host: host.to_ascii_lowercase(),
            port,
        }
    }

    /// `https://host` on port 443.
    pub fn https(host: &str) -> Origin {
        Origin::new(true, host, 443)
    }

    /// The origin of an absolute `http(s)://host[:port][/…]` URL (anything
    /// after the authority is ignored). Refuses what the strict URL splitter
    /// refuses: user info, backslashes, whitespace, non-ASCII, bad ports.
    pub fn parse(url: &str) -> Result<Origin, InvalidOrigin> {
        split_url(url)
            .map(|u| u.origin())
            .map_err(|reason| InvalidOrigin {
                url: url.to_string(),
                reason,
            })
    }

    /// The origin a request goes to (`req.tls`, `req.host`, `req.port`).
    pub fn of(req: &Request) -> Origin {
        Origin::new(req.tls, &req.host, req.port)
    }

    /// Whether the origin uses TLS.
    pub fn tls(&self) -> bool {
        self.tls
    }

    /// `https` or `http`.
    pub fn scheme(&self) -> &'static str {
        if self.tls {
            "https"
        } else {
            "http"
        }
    }

    /// The host, lower-case (IPv6 literals without brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://", self.scheme())?;
        if self.host.contains(':') {
            write!(f, "[{}]", self.host)?;
        } else {
            f.write_str(&self.host)?;
        }
        let default = if self.tls { 443 } else { 80 };
        if self.port != default {
            write!(f, ":{}", self.port)?;
        }
        Ok(())
    }
}

/// The origins that may receive the session's credentials: cookies, the
/// SAPISIDHASH `authorization`, and (in [`AuthConfig`](crate::auth::AuthConfig))
/// tokens, codes and sign-in cookies. It replaced the host-only
/// `HostAllowList` of earlier versions. It holds two kinds of entries:
///
/// - **suffixes** ([`OriginAllowList::with_https_suffix`]), which only ever
///   match `https` on port 443: Google's default
///   ([`OriginAllowList::google`]) is every `https://<name>.google.com`
///   (bare `google.com` refused, as in hangups), so
///   `http://docs.google.com` or `https://docs.google.com:8443` is *not*
///   allowed;
/// - **exact origins** ([`OriginAllowList::with_origin`]), configured
///   explicitly (the emulator's `http://127.0.0.1:PORT`): that scheme, host
///   and port, nothing else — not another port of the same host, not the
///   other scheme. This is the only way plain HTTP is ever allowed.
///
/// A configured server URL ([`Config::with_url`](crate::client::Config::with_url),
/// [`Config::with_server`](crate::client::Config::with_server),
/// [`AuthConfig::with_url`](crate::auth::AuthConfig::with_url)) *replaces*
/// the Google list with its own origin ([`OriginAllowList::only`]) instead
/// of adding to it.
///
/// ```
/// use hangups_core::api::{Origin, OriginAllowList};
///
/// let google = OriginAllowList::default();
/// assert!(google.allows(&Origin::https("docs.google.com")));
/// assert!(!google.allows(&Origin::new(false, "docs.google.com", 80))); // plain HTTP
/// assert!(!google.allows(&Origin::new(true, "docs.google.com", 8443))); // another port
///
/// let emulator = OriginAllowList::only(Origin::new(false, "127.0.0.1", 8080));
/// assert!(emulator.allows(&Origin::new(false, "127.0.0.1", 8080)));
/// assert!(!emulator.allows(&Origin::new(false, "127.0.0.1", 8081)));
/// assert!(!emulator.allows(&Origin::https("docs.google.com"))); // replaced, not added to
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginAllowList {
    exact: Vec<Origin>,
    https_suffixes: Vec<String>,
}

impl Default for OriginAllowList {
    /// [`OriginAllowList::google`].
    fn default() -> Self {
        OriginAllowList::google()
    }
}

impl OriginAllowList {
    /// Every `https://<name>.google.com` on port 443.
    pub fn google() -> Self {
        OriginAllowList::empty().with_https_suffix(".google.com")
    }

    /// A list that allows nothing at all.
    pub fn empty() -> Self {
        OriginAllowList {
            exact: Vec::new(),
            https_suffixes: Vec::new(),
        }
    }

    /// A list that allows exactly `origin` and nothing else (what a
    /// configured server URL gives).
    pub fn only(origin: Origin) -> Self {
        OriginAllowList::empty().with_origin(origin)
    }

    /// Also allows exactly `origin`: its scheme, host and port. This is
    /// the only kind of entry that can allow plain HTTP; an origin with an
    /// empty host is ignored.
    pub fn with_origin(mut self, origin: Origin) -> Self {
        if !origin.host.is_empty() && !self.exact.contains(&origin) {
            self.exact.push(origin);
        }
        self
    }

    /// Also allows every `https` host *below* `suffix`, on port 443 only:
    /// `"example.org"` or `".example.org"` allows `https://a.example.org`,
    /// not `https://example.org` itself, nor `https://badexample.org`, nor
    /// `http://a.example.org`, nor `https://a.example.org:8443`. An empty
    /// suffix is ignored.
    pub fn with_https_suffix(mut self, suffix: &str) -> Self {
        let mut s = suffix.trim_start_matches('.').to_ascii_lowercase();
        if !s.is_empty() {
            s.insert(0, '.');
            self.https_suffixes.push(s);
        }
        self
    }

    /// Whether credentials may be sent to `origin`. A suffix only matches a
    /// well-formed DNS name (labels of letters, digits, `-` and `_`, none
    /// empty, no trailing dot) with at least one label before the suffix.
    pub fn allows(&self, origin: &Origin) -> bool {
        if origin.host.is_empty() {
            return false;
        }
        if self.exact.contains(origin) {
            return true;
        }
        if !origin.tls || origin.port != 443 || !is_dns_name(&origin.host) {
            return false;
        }
        self.https_suffixes
            .iter()
            .any(|s| origin.host.len() > s.len() && origin.host.ends_with(s.as_str()))
    }

    /// Whether credentials may go with `req` (to [`Origin::of`] it).
    pub fn allows_request(&self, req: &Request) -> bool {
        self.allows(&Origin::of(req))
    }
}

/// Labels of `[A-Za-z0-9_-]`, separated by single dots, none empty.
fn is_dns_name(host: &str) -> bool {
    host.split('.').all(|label| {
        !label.is_empty()
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    })
}

#[cfg(test)]
mod tests;
