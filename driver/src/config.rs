//! [`Config`]: how every runtime reaches the service (core configuration
//! plus the TLS roots and the proxy-from-environment switch, all plain
//! data), and [`Error`], why a call failed. The facades re-export both.

use crate::queue::DEFAULT_EVENT_QUEUE_CAPACITY;
use hangups_core::api::{ApiError, Cookies, UploadError};
use hangups_core::client::ConfigError;
use hangups_core::proxy::{Proxy, ProxyConfig, ProxyUrlError};

/// How to reach the service.
#[derive(Debug, Clone)]
pub struct Config {
    /// The core's configuration: servers, timeouts, backoff, proxies. Its
    /// cookies are replaced by the ones given to the adapter's `connect`.
    pub client: hangups_core::client::Config,
    /// Extra trusted root certificates (PEM), besides the webpki roots;
    /// this is how tests trust an emulator's self-signed certificate.
    pub extra_root_certs_pem: Vec<String>,
    /// Fill `client.proxy` from `HTTP_PROXY` / `HTTPS_PROXY` /
    /// `ALL_PROXY` / `NO_PROXY` (or their lower-case forms) when it is
    /// empty (default: yes); see [`ProxyConfig::from_env`].
    pub proxy_from_env: bool,
    /// How to sign in (Google by default; [`Config::with_url`] points it
    /// at the same server as the client).
    pub auth: hangups_core::auth::AuthConfig,
    /// How many client events wait for the application at most (default
    /// [`DEFAULT_EVENT_QUEUE_CAPACITY`]); past that, pushed updates are
    /// dropped and reported as a [`Delivery::Lagged`](crate::Delivery::Lagged)
    /// (see [`event_queue`](crate::event_queue)).
    pub event_queue_capacity: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            client: hangups_core::client::Config::default(),
            extra_root_certs_pem: Vec::new(),
            proxy_from_env: true,
            auth: hangups_core::auth::AuthConfig::default(),
            event_queue_capacity: DEFAULT_EVENT_QUEUE_CAPACITY,
        }
    }
}

impl Config {
    /// Every server at `url` (`http://host:port` or `https://host:port`),
    /// e.g. an emulator on 127.0.0.1.
    pub fn with_url(mut self, url: &str) -> Result<Self, Error> {
        self.client = self
            .client
            .with_url(url)
            .map_err(|_| Error::BadUrl(url.to_string()))?;
        self.auth = self
            .auth
            .with_url(url)
            .map_err(|_| Error::BadUrl(url.to_string()))?;
        Ok(self)
    }

    /// Sends every request (sign-in too) through `proxy`, ignoring the
    /// environment: `http://[user:pass@]host[:port]` (an HTTP proxy:
    /// `CONNECT` tunnels for TLS, absolute-form plain requests),
    /// `socks5://…` or `socks5h://…` (SOCKS5, every request tunnelled; the
    /// target is always sent by name, so both behave as `socks5h`), or a
    /// bare `host[:port]` (HTTP); see [`Proxy::from_url`]. A URL it
    /// refuses is [`Error::BadProxy`].
    pub fn with_proxy(mut self, proxy: &str) -> Result<Self, Error> {
        let proxy = Proxy::from_url(proxy)?;
        self.client.proxy = ProxyConfig::all(proxy.clone());
        self.auth.proxy = ProxyConfig::all(proxy);
        self.proxy_from_env = false;
        Ok(self)
    }

    /// Trusts `pem` (one or more certificates) in addition to the webpki roots.
    pub fn with_root_cert_pem(mut self, pem: &str) -> Self {
        self.extra_root_certs_pem.push(pem.to_string());
        self
    }

    /// The sign-in configuration, with proxies from the environment (read
    /// through `env`) if asked and none is set.
    pub fn auth_config(
        &self,
        env: impl Fn(&str) -> Option<String>,
    ) -> hangups_core::auth::AuthConfig {
        let mut auth = self.auth.clone();
        if self.proxy_from_env && auth.proxy == ProxyConfig::default() {
            auth.proxy = proxy_from_env(&env);
        }
        auth
    }

    /// The core configuration for `cookies`. If asked, proxies come from
    /// the environment, read through `env` (the adapter passes
    /// `|name| std::env::var(name).ok()`; the core reads nothing itself).
    pub fn into_core(
        self,
        cookies: Cookies,
        env: impl Fn(&str) -> Option<String>,
    ) -> hangups_core::client::Config {
        let mut core = self.client;
        core.cookies = cookies;
        if self.proxy_from_env && core.proxy == ProxyConfig::default() {
            core.proxy = proxy_from_env(&env);
        }
        core
    }
}

fn proxy_from_env(env: &impl Fn(&str) -> Option<String>) -> ProxyConfig {
    ProxyConfig::from_env(env)
}

/// Why an adapter call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration cannot work (no SAPISID, server off the allow-list…).
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The chat API call failed.
    #[error(transparent)]
    Api(#[from] ApiError),
    /// The image upload failed.
    #[error(transparent)]
    Upload(#[from] UploadError),
    /// The high-level model refused: an unknown conversation or event, a
    /// group-only action on a one-to-one conversation.
    #[error(transparent)]
    State(#[from] hangups_core::state::StateError),
    /// The client is closed.
    #[error("the client is closed")]
    Closed,
    /// The Google Chat client could not start or a call failed.
    #[error(transparent)]
    Chat(#[from] hangups_core::chat::ChatError),
    /// A root certificate could not be read.
    #[error("invalid root certificate: {0}")]
    Tls(String),
    /// Not an `http://` or `https://` URL with a host.
    #[error("invalid server URL {0:?}")]
    BadUrl(String),
    /// The proxy URL given to [`Config::with_proxy`] was refused (its
    /// message never shows a password).
    #[error(transparent)]
    BadProxy(#[from] ProxyUrlError),
    /// Signing in failed; [`hangups_core::auth::AuthError::is_sign_in_again`]
    /// tells whether the user must sign in again.
    #[error(transparent)]
    Auth(#[from] hangups_core::auth::AuthError),
}

#[cfg(test)]
mod tests {
    use super::*;
    use hangups_core::proxy::ProxyKind;

    #[test]
    fn proxies_from_the_environment_only_when_asked_and_unset() {
        let env = |name: &str| match name {
            "https_proxy" => Some("http://p:3128".to_string()),
            "NO_PROXY" => Some("localhost".to_string()),
            _ => None,
        };
        let core = Config::default().into_core(Cookies::new(), env);
        assert_eq!(core.proxy.https, Proxy::from_url("p:3128").ok());
        assert_eq!(core.proxy.no_proxy, vec!["localhost".to_string()]);
        let off = Config {
            proxy_from_env: false,
            ..Config::default()
        };
        assert_eq!(
            off.into_core(Cookies::new(), env).proxy,
            ProxyConfig::default()
        );
        let explicit = Config::default()
            .with_proxy("http://q:1")
            .unwrap()
            .into_core(Cookies::new(), env);
        assert_eq!(explicit.proxy.http, Proxy::from_url("q:1").ok());
        // Every kind, ALL_PROXY too.
        let env = |name: &str| match name {
            "all_proxy" => Some("socks5h://u:p@s:1081".to_string()),
            "HTTP_PROXY" => Some("http://h:8080".to_string()),
            _ => None,
        };
        let core = Config::default().into_core(Cookies::new(), env);
        assert_eq!(core.proxy.http, Proxy::from_url("h:8080").ok());
        let https = core.proxy.https.expect("from ALL_PROXY");
        assert_eq!(https.kind, ProxyKind::Socks5 { remote_dns: true });
        assert_eq!((https.host.as_str(), https.port), ("s", 1081));
        assert_eq!(https.auth.map(|a| a.username), Some("u".to_string()));
    }

    #[test]
    fn the_url_points_sign_in_at_the_same_server() {
        let config = Config::default().with_url("http://127.0.0.1:9").unwrap();
        assert_eq!(config.auth.token_url, "http://127.0.0.1:9/o/oauth2/token");
        let env = |name: &str| (name == "HTTPS_PROXY").then(|| "http://p:1".to_string());
        assert_eq!(
            Config::default().auth_config(env).proxy.https,
            Proxy::from_url("p:1").ok()
        );
        let explicit = Config::default().with_proxy("http://q:2").unwrap();
        assert_eq!(
            explicit.auth_config(env).proxy.https,
            Proxy::from_url("q:2").ok()
        );
    }

    #[test]
    fn urls_and_proxies_are_checked() {
        assert!(Config::default().with_url("https://[::1]").is_ok());
        assert!(Config::default().with_url("http://127.0.0.1:8080/").is_ok());
        for bad in ["ftp://h", "http://", "http://h:notaport", "127.0.0.1:80"] {
            assert!(
                matches!(Config::default().with_url(bad), Err(Error::BadUrl(_))),
                "{bad}"
            );
        }
        for good in ["socks5://x:1", "socks5h://u:p@x", "http://u:p@x:3128", "x"] {
            let config = Config::default().with_proxy(good).expect(good);
            assert!(!config.proxy_from_env);
            assert_eq!(config.client.proxy, config.auth.proxy);
            assert!(config.client.proxy.https.is_some(), "{good}");
        }
        for bad in ["ftp://x", "", "https://x:1", "socks5://x:notaport"] {
            assert!(
                matches!(Config::default().with_proxy(bad), Err(Error::BadProxy(_))),
                "{bad:?}"
            );
        }
        let err = Config::default()
            .with_proxy("socks4://u:hunter2@x")
            .unwrap_err()
            .to_string();
        assert!(err.contains("socks4") && !err.contains("hunter2"), "{err}");
    }
}
