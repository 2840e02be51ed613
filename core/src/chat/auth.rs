//! Where Chat API requests go ([`ChatEndpoint`]) and the credentials they
//! carry ([`ChatAuth`]).

use super::error::InvalidRequest;
use crate::api::Origin;
use crate::http::Request;

/// The credentials of a call. `Debug` never prints them.
#[derive(Clone, PartialEq, Eq)]
pub enum ChatAuth {
    /// An OAuth access token (service account, delegated or user), sent as
    /// `Authorization: Bearer …`.
    Bearer(String),
    /// An incoming webhook's `key` and `token`, sent in the query. A
    /// webhook can only create messages.
    Webhook {
        /// The `key` parameter of the webhook URL.
        key: String,
        /// The `token` parameter of the webhook URL.
        token: String,
    },
    /// A service account: the [`ChatClient`](super::ChatClient) signs a
    /// JWT, exchanges it for an access token (or uses it directly, in
    /// self-signed mode), caches the token and refreshes it before it
    /// expires and after a 401.
    ServiceAccount(super::ServiceAccount),
    /// A user of an installed app (OAuth, [`oauth`](super::oauth)): the
    /// [`ChatClient`](super::ChatClient) exchanges the authorization code or
    /// the refresh token for access tokens, caches them and refreshes them
    /// before they expire and after a 401; a new refresh token is reported
    /// as [`ChatEvent::NewRefreshToken`](super::ChatEvent).
    User(super::UserOAuth),
}

impl std::fmt::Debug for ChatAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChatAuth::Bearer(_) => f.write_str("Bearer(<redacted>)"),
            ChatAuth::Webhook { .. } => f.write_str("Webhook { <redacted> }"),
            ChatAuth::ServiceAccount(sa) => write!(f, "ServiceAccount({sa:?})"),
            ChatAuth::User(u) => write!(f, "User({u:?})"),
        }
    }
}

impl ChatAuth {
    /// Splits a webhook URL as Google shows it
    /// (`https://chat.googleapis.com/v1/spaces/S/messages?key=K&token=T`)
    /// into its server, its space and its credentials (percent-decoded).
    /// `None` if it is not such a URL.
    pub fn from_webhook_url(url: &str) -> Option<(ChatEndpoint, super::SpaceName, ChatAuth)> {
        let u = crate::api::url::split_url(url).ok()?;
        let (prefix, rest) = u.path.split_once("/v1/")?;
        let space = super::SpaceName::parse(rest.strip_suffix("/messages")?).ok()?;
        let find = |k: &str| u.query.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
        let auth = ChatAuth::Webhook {
            key: find("key")?,
            token: find("token")?,
        };
        let endpoint = ChatEndpoint {
            origin: u.origin(),
            base_path: prefix.trim_end_matches('/').to_string(),
        };
        Some((endpoint, space, auth))
    }

    /// Adds the credentials to `request`.
    pub(crate) fn apply(&self, request: &mut Request) -> Result<(), InvalidRequest> {
        let bad = |name| InvalidRequest::Parameter {
            name,
            value: "<redacted>".into(),
        };
        match self {
            ChatAuth::Bearer(token) => {
                if token.is_empty() || token.chars().any(|c| c.is_control() || c == ' ') {
                    return Err(bad("bearer token"));
                }
                request
                    .headers
                    .push(("Authorization".into(), format!("Bearer {token}")));
            }
            ChatAuth::Webhook { key, token } => {
                if key.is_empty() || token.is_empty() {
                    return Err(bad("webhook key or token"));
                }
                request.query.push(("key".into(), key.clone()));
                request.query.push(("token".into(), token.clone()));
            }
            ChatAuth::ServiceAccount(_) | ChatAuth::User(_) => {
                return Err(InvalidRequest::NoAccessToken)
            }
        }
        Ok(())
    }
}

/// The server: `https://chat.googleapis.com` by default, or an emulator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatEndpoint {
    origin: Origin,
    base_path: String,
}

impl Default for ChatEndpoint {
    fn default() -> Self {
        ChatEndpoint::google()
    }
}

impl ChatEndpoint {
    /// `https://chat.googleapis.com`.
    pub fn google() -> Self {
        ChatEndpoint {
            origin: Origin::https("chat.googleapis.com"),
            base_path: String::new(),
        }
    }

    /// The server at `url` (`http(s)://host[:port][/prefix]`): requests go
    /// to `prefix/v1/…`. Parsed as strictly as every URL of the core.
    pub fn parse(url: &str) -> Result<Self, InvalidRequest> {
        use crate::api::url::{parse_authority, split_scheme};
        let bad = || InvalidRequest::Parameter {
            name: "base URL",
            value: url.to_string(),
        };
        let (scheme, authority, path) = split_scheme(url).map_err(|_| bad())?;
        let tls = match scheme.to_ascii_lowercase().as_str() {
            "https" => true,
            "http" => false,
            _ => return Err(bad()),
        };
        let a = parse_authority(authority, false).map_err(|_| bad())?;
        if a.host.is_empty() || path.contains(['?', '#']) {
            return Err(bad());
        }
        let port = a.port.unwrap_or(if tls { 443 } else { 80 });
        Ok(ChatEndpoint {
            origin: Origin::new(tls, &a.host, port),
            base_path: path.trim_end_matches('/').to_string(),
        })
    }

    /// The origin (scheme, host, port).
    pub fn origin(&self) -> &Origin {
        &self.origin
    }

    /// The path before `/v1` (empty for Google).
    pub fn base_path(&self) -> &str {
        &self.base_path
    }

    pub(crate) fn host(&self) -> &str {
        self.origin.host()
    }

    pub(crate) fn port(&self) -> u16 {
        self.origin.port()
    }

    pub(crate) fn tls(&self) -> bool {
        self.origin.tls()
    }
}
