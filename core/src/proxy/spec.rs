//! One proxy server: its kind, address and credentials, and its URL.

use crate::api::url::{parse_authority, split_scheme};

/// What a proxy speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProxyKind {
    /// An HTTP proxy: `CONNECT` tunnels (and absolute-form plain requests).
    Http,
    /// A SOCKS5 proxy (RFC 1928).
    Socks5 {
        /// `socks5h://`: the proxy resolves the target name (the tunnel
        /// sends it as a domain). `socks5://` (false): the driver resolves
        /// it and gives the tunnel an IP address.
        remote_dns: bool,
    },
}

impl ProxyKind {
    /// The port used when the URL gives none: 80 for HTTP, 1080 for SOCKS.
    pub fn default_port(self) -> u16 {
        match self {
            ProxyKind::Http => 80,
            ProxyKind::Socks5 { .. } => 1080,
        }
    }
}

/// A username and password for a proxy. `Debug` never prints the password.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct ProxyCredentials {
    /// The username (percent-decoded from the URL).
    pub username: String,
    /// The password (percent-decoded; empty when the URL has none).
    pub password: String,
}

impl std::fmt::Debug for ProxyCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProxyCredentials")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .finish()
    }
}

/// A proxy server.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Proxy {
    /// What it speaks.
    pub kind: ProxyKind,
    /// Host name (lowercase) or IP literal (IPv6 without brackets): where
    /// the driver connects.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// Credentials: `Proxy-Authorization: Basic` for HTTP, RFC 1929
    /// username/password for SOCKS5.
    pub auth: Option<ProxyCredentials>,
}

/// Why a proxy URL was refused. Never carries the password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ProxyUrlError {
    /// The value is empty.
    #[error("empty proxy URL")]
    Empty,
    /// Not `http`, `socks5` or `socks5h` (HTTPS proxies are not supported).
    #[error("unsupported proxy scheme {0:?} (http, socks5 or socks5h)")]
    UnsupportedScheme(String),
    /// The URL or its `[user:pass@]host:port` is malformed.
    #[error("malformed proxy URL: {0}")]
    Malformed(&'static str),
    /// A SOCKS5 username or password is longer than 255 bytes (RFC 1929).
    #[error("SOCKS5 username and password are at most 255 bytes each")]
    CredentialsTooLong,
    /// An HTTP proxy username contains `:`, which Basic cannot carry.
    #[error("an HTTP proxy username cannot contain ':'")]
    ColonInUsername,
}

impl Proxy {
    /// An HTTP proxy at `host:port` without credentials.
    pub fn http(host: &str, port: u16) -> Proxy {
        Proxy {
            kind: ProxyKind::Http,
            host: host.to_ascii_lowercase(),
            port,
            auth: None,
        }
    }

    /// Parses a proxy URL: `http://[user[:pass]@]host[:port]`,
    /// `socks5://…` (local DNS), `socks5h://…` (remote DNS), or a bare
    /// `host[:port]` (HTTP). Credentials are percent-decoded; IPv6 hosts go
    /// in brackets; the default port is 80 (HTTP) or 1080 (SOCKS); a path
    /// is ignored; surrounding whitespace is trimmed.
    pub fn from_url(url: &str) -> Result<Proxy, ProxyUrlError> {
        let url = url.trim();
        if url.is_empty() {
            return Err(ProxyUrlError::Empty);
        }
        let with_scheme;
        let url = if url.contains("://") {
            url
        } else {
            with_scheme = format!("http://{url}");
            &with_scheme
        };
        let (scheme, authority, _path) = split_scheme(url).map_err(ProxyUrlError::Malformed)?;
        let kind = match scheme.to_ascii_lowercase().as_str() {
            "http" => ProxyKind::Http,
            "socks5" => ProxyKind::Socks5 { remote_dns: false },
            "socks5h" => ProxyKind::Socks5 { remote_dns: true },
            _ => return Err(ProxyUrlError::UnsupportedScheme(scheme.to_string())),
        };
        let a = parse_authority(authority, true).map_err(ProxyUrlError::Malformed)?;
        let auth = a.userinfo.map(|(username, password)| ProxyCredentials {
            username,
            password: password.unwrap_or_default(),
        });
        let proxy = Proxy {
            kind,
            host: a.host,
            port: a.port.unwrap_or(kind.default_port()),
            auth,
        };
        proxy.check_credentials()?;
        Ok(proxy)
    }

    /// Whether the driver must resolve the target name itself and give the
    /// [`Tunnel`](super::Tunnel) an IP address (`socks5://`). For HTTP and
    /// `socks5h://` proxies the name goes to the proxy.
    pub fn resolves_target_locally(&self) -> bool {
        self.kind == ProxyKind::Socks5 { remote_dns: false }
    }

    /// Whether a request (TLS or not) goes through a [`Tunnel`](super::Tunnel):
    /// always through SOCKS5; through an HTTP proxy only with TLS (plain
    /// requests go to it in absolute form).
    pub fn needs_tunnel(&self, tls: bool) -> bool {
        tls || self.kind != ProxyKind::Http
    }

    /// Checks that the credentials fit the kind's wire format.
    pub(crate) fn check_credentials(&self) -> Result<(), ProxyUrlError> {
        let Some(c) = &self.auth else {
            return Ok(());
        };
        match self.kind {
            ProxyKind::Http if c.username.contains(':') => Err(ProxyUrlError::ColonInUsername),
            ProxyKind::Socks5 { .. } if c.username.len() > 255 || c.password.len() > 255 => {
                Err(ProxyUrlError::CredentialsTooLong)
            }
            _ => Ok(()),
        }
    }
}
