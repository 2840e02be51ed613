//! Where the sign-in flow goes and what it sends: every URL is
//! configuration, so the emulator can serve the whole flow.

use super::error::AuthError;
use crate::api::url::{split_url, SplitUrl};
use crate::api::OriginAllowList;
use crate::http::{Method, Request};
use std::time::Duration;

/// The OAuth client id hangups uses (the iOS app's; PROTOCOL.md §4).
pub const CLIENT_ID: &str = "936475272427.apps.googleusercontent.com";
/// The matching OAuth client secret (public: it ships in the app).
pub const CLIENT_SECRET: &str = "KWsJlkaMn1jGLxQpWxMnOox-";
/// The scopes asked for.
pub const SCOPES: [&str; 2] = [
    "https://www.google.com/accounts/OAuthLogin",
    "https://www.googleapis.com/auth/userinfo.email",
];
/// The `redirect_uri` of the code exchange (out of band).
pub const REDIRECT_URI: &str = "urn:ietf:wg:oauth:2.0:oob";

/// How to sign in. [`AuthConfig::default`] is Google; [`AuthConfig::with_url`]
/// points every request at one server (the emulator).
///
/// ```
/// use hangups_core::auth::AuthConfig;
///
/// let google = AuthConfig::default();
/// assert!(google.login_url().starts_with(
///     "https://accounts.google.com/o/oauth2/programmatic_auth?scope=https%3A%2F%2Fwww.google.com%2Faccounts%2FOAuthLogin+https"
/// ));
/// let emu = AuthConfig::default().with_url("http://127.0.0.1:8080")?;
/// assert_eq!(emu.token_url, "http://127.0.0.1:8080/o/oauth2/token");
/// // Only that origin: not Google's hosts, not another port of the same host.
/// use hangups_core::api::Origin;
/// assert!(emu.allow_list.allows(&Origin::new(false, "127.0.0.1", 8080)));
/// assert!(!emu.allow_list.allows(&Origin::https("accounts.google.com")));
/// assert!(!emu.allow_list.allows(&Origin::new(false, "127.0.0.1", 8081)));
/// # Ok::<(), hangups_core::auth::AuthError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthConfig {
    /// Where the user signs in with a browser (without the query).
    pub login_base_url: String,
    /// The OAuth token endpoint.
    pub token_url: String,
    /// The OAuthLogin endpoint (access token → uberauth).
    pub oauth_login_url: String,
    /// The MergeSession endpoint (uberauth → cookies).
    pub merge_session_url: String,
    /// MergeSession's `continue` parameter (where it redirects to).
    pub continue_url: String,
    /// The OAuth client id.
    pub client_id: String,
    /// The OAuth client secret.
    pub client_secret: String,
    /// The scopes asked for in the login URL.
    pub scopes: Vec<String>,
    /// `device_name` in the login URL.
    pub device_name: String,
    /// `User-Agent` of every request of the flow.
    pub user_agent: String,
    /// The origins (scheme, host and port) that may receive a token, a code
    /// or a cookie: by default `https://*.google.com` on port 443. The token,
    /// OAuthLogin and MergeSession URLs must be on it. The `Bearer` token
    /// only goes to the OAuthLogin and MergeSession URLs themselves, and a
    /// MergeSession redirect is only followed while it stays on the
    /// MergeSession origin exactly (see [`Login`](super::Login)).
    pub allow_list: OriginAllowList,
    /// The domain whose cookies make the session (`google.com`, meaning
    /// cookies set with `Domain=.google.com`).
    pub cookie_domain: String,
    /// Connect and inactivity timeout of each request.
    pub request_timeout: Duration,
    /// Overall deadline of each request, from the start to the last byte
    /// of the response, however steadily bytes arrive (120 s).
    pub response_timeout: Duration,
    /// Most redirects followed after MergeSession.
    pub max_redirects: u32,
    /// Largest response body accepted, in bytes.
    pub max_body: usize,
    /// HTTP proxies for the flow's requests (none by default).
    pub proxy: crate::proxy::ProxyConfig,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            login_base_url: "https://accounts.google.com/o/oauth2/programmatic_auth".into(),
            token_url: "https://accounts.google.com/o/oauth2/token".into(),
            oauth_login_url: "https://accounts.google.com/accounts/OAuthLogin".into(),
            merge_session_url: "https://accounts.google.com/MergeSession".into(),
            continue_url: "http://www.google.com".into(),
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.into(),
            scopes: SCOPES.iter().map(|s| s.to_string()).collect(),
            device_name: "hangups".into(),
            // hangups: `hangups/<version> (<OS> <machine>)`.
            user_agent: format!(
                "hangups-rs/{} ({} {})",
                env!("CARGO_PKG_VERSION"),
                std::env::consts::OS,
                std::env::consts::ARCH
            ),
            allow_list: OriginAllowList::google(),
            cookie_domain: "google.com".into(),
            request_timeout: Duration::from_secs(30),
            response_timeout: Duration::from_secs(120),
            max_redirects: 5,
            max_body: 1024 * 1024,
            proxy: crate::proxy::ProxyConfig::default(),
        }
    }
}

impl AuthConfig {
    /// Every endpoint on the server at `url` (`http(s)://host[:port]`),
    /// with the same paths as Google's. The allow-list is *replaced* by that
    /// one origin (scheme, host and port): Google's hosts are no longer
    /// allowed, nor another port or the other scheme of the same host. The
    /// session is the cookies the server sets for itself (`Domain=<host>`).
    pub fn with_url(mut self, url: &str) -> Result<Self, AuthError> {
        let base = split_url(url).map_err(|why| AuthError::Config(format!("{url:?}: {why}")))?;
        let scheme = if base.tls { "https" } else { "http" };
        let host = if base.host.contains(':') {
            format!("[{}]", base.host)
        } else {
            base.host.clone()
        };
        let origin = format!("{scheme}://{host}:{}", base.port);
        self.login_base_url = format!("{origin}/o/oauth2/programmatic_auth");
        self.token_url = format!("{origin}/o/oauth2/token");
        self.oauth_login_url = format!("{origin}/accounts/OAuthLogin");
        self.merge_session_url = format!("{origin}/MergeSession");
        self.allow_list = OriginAllowList::only(base.origin());
        self.cookie_domain = base.host.to_ascii_lowercase();
        Ok(self)
    }

    /// Sets the `User-Agent` (default `hangups-rs/<version> (<OS> <machine>)`,
    /// after hangups' `hangups/<version> (<OS> <machine>)`).
    pub fn with_user_agent(mut self, user_agent: &str) -> Self {
        self.user_agent = user_agent.to_string();
        self
    }

    /// The URL to open in a browser for the manual login: scopes joined by
    /// a literal `+`, everything else percent-encoded (PROTOCOL.md §4).
    pub fn login_url(&self) -> String {
        let scope = self.scopes.join(" ");
        let query = crate::http::form_urlencode(&[
            ("scope", &scope),
            ("client_id", &self.client_id),
            ("device_name", &self.device_name),
        ]);
        format!("{}?{query}", self.login_base_url)
    }

    /// Checks every URL: parses, and its origin on the allow-list.
    pub fn validate(&self) -> Result<(), AuthError> {
        for url in [
            &self.token_url,
            &self.oauth_login_url,
            &self.merge_session_url,
        ] {
            self.target(url)?;
        }
        Ok(())
    }

    /// `url` split, refusing origins off the allow-list.
    pub(crate) fn target(&self, url: &str) -> Result<SplitUrl, AuthError> {
        let split = split_url(url).map_err(|why| AuthError::Config(format!("{url:?}: {why}")))?;
        if !self.allow_list.allows(&split.origin()) {
            return Err(AuthError::Config(format!(
                "{} is not on the allow-list",
                split.origin()
            )));
        }
        Ok(split)
    }

    /// A request to `url` with the flow's common headers.
    pub(crate) fn request(&self, method: Method, url: &SplitUrl) -> Request {
        let mut req = Request::new(method, &url.host, url.port, url.tls, &url.path);
        req.query = url.query.clone();
        req.with_header("user-agent", &self.user_agent)
    }
}
