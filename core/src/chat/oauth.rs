//! User sign-in for an installed app: OAuth 2.0's authorization-code flow
//! with a loopback redirect (`http://127.0.0.1:PORT`) and PKCE (S256).
//!
//! 1. [`InstalledApp::authorize`] makes a [`Pkce`] pair and a `state` from
//!    the caller-seeded RNG and the authorization URL to show the user;
//! 2. the driver accepts the browser's redirect on its loopback port and
//!    hands its request line to [`parse_redirect`], which checks `state`
//!    and returns the code (or a typed refusal such as `access_denied`);
//! 3. [`UserOAuth::from_code`] goes in [`ChatAuth::User`](super::ChatAuth):
//!    the [`ChatClient`](super::ChatClient) exchanges the code
//!    (`grant_type=authorization_code` with the `code_verifier`), keeps the
//!    refresh token it gets (reported as
//!    [`ChatEvent::NewRefreshToken`](super::ChatEvent) for the caller to
//!    store) and refreshes the access token with it
//!    (`grant_type=refresh_token`) before it expires and after a 401.
//!
//! Later runs start from the stored token: [`UserOAuth::from_refresh_token`].

use super::service_account::SCOPE_PREFIX;
use crate::auth::RefreshToken;
use crate::rng::Rng;
use base64::Engine as _;
use serde_json::Value;
use sha2::Digest as _;

/// Google's authorization endpoint.
pub const GOOGLE_AUTH_URI: &str = "https://accounts.google.com/o/oauth2/auth";
/// Google's token endpoint.
pub const GOOGLE_TOKEN_URI: &str = "https://oauth2.googleapis.com/token";

/// The user scopes of `spaces.messages`: `chat.messages` (everything),
/// `chat.messages.create`, `chat.messages.readonly`.
pub const USER_SCOPES: [&str; 3] = [
    "https://www.googleapis.com/auth/chat.messages",
    "https://www.googleapis.com/auth/chat.messages.create",
    "https://www.googleapis.com/auth/chat.messages.readonly",
];

/// Why a client file or a setting of the app was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AppError {
    /// Not a JSON object with an `installed` object.
    #[error("not an installed-app client file: {0}")]
    Json(String),
    /// A required field is absent, empty or not a string.
    #[error("client file has no {0:?}")]
    MissingField(&'static str),
    /// `auth_uri` or `token_uri` is not an `http(s)` URL.
    #[error("{0:?} is not an http(s) URL")]
    BadUri(String),
}

/// An installed app's OAuth client. `Debug` never prints the secret.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InstalledApp {
    /// `client_id`.
    pub client_id: String,
    /// `client_secret` (Google issues one to installed apps; it is not a
    /// secret there, but is still sent when present).
    pub client_secret: Option<String>,
    /// The authorization endpoint.
    pub auth_uri: String,
    /// The token endpoint.
    pub token_uri: String,
    /// Full scope URLs asked for.
    pub scopes: Vec<String>,
}

impl std::fmt::Debug for InstalledApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InstalledApp")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("auth_uri", &self.auth_uri)
            .field("token_uri", &self.token_uri)
            .field("scopes", &self.scopes)
            .finish()
    }
}

fn full_scopes<S: AsRef<str>>(scopes: &[S]) -> Vec<String> {
    let mut out: Vec<String> = scopes
        .iter()
        .map(|s| s.as_ref().trim())
        .filter(|s| !s.is_empty())
        .map(|s| {
            if s.starts_with("https://") {
                s.to_string()
            } else {
                format!("{SCOPE_PREFIX}{s}")
            }
        })
        .collect();
    if out.is_empty() {
        out.push(USER_SCOPES[0].into());
    }
    out
}

fn check_uri(uri: &str) -> Result<(), AppError> {
    crate::api::url::split_url(uri)
        .map(drop)
        .map_err(|_| AppError::BadUri(uri.to_string()))
}

impl InstalledApp {
    /// Google's endpoints with `client_id` and `scopes` (full URLs or
    /// short names such as `chat.messages`; none means `chat.messages`).
    pub fn new<S: AsRef<str>>(client_id: impl Into<String>, scopes: &[S]) -> Self {
        InstalledApp {
            client_id: client_id.into(),
            client_secret: None,
            auth_uri: GOOGLE_AUTH_URI.into(),
            token_uri: GOOGLE_TOKEN_URI.into(),
            scopes: full_scopes(scopes),
        }
    }

    /// Sets the client secret.
    pub fn with_secret(mut self, secret: impl Into<String>) -> Self {
        self.client_secret = Some(secret.into());
        self
    }

    /// Other endpoints (an emulator). Both must be `http(s)` URLs.
    pub fn with_endpoints(mut self, auth_uri: &str, token_uri: &str) -> Result<Self, AppError> {
        check_uri(auth_uri)?;
        check_uri(token_uri)?;
        self.auth_uri = auth_uri.into();
        self.token_uri = token_uri.into();
        Ok(self)
    }

    /// Reads Google's installed-app client file (`{"installed":
    /// {"client_id", "client_secret"?, "auth_uri", "token_uri", …}}`),
    /// asking for `scopes` (as in [`InstalledApp::new`]).
    pub fn from_client_json<S: AsRef<str>>(text: &str, scopes: &[S]) -> Result<Self, AppError> {
        let v: Value = serde_json::from_str(text).map_err(|e| AppError::Json(e.to_string()))?;
        let inner = v
            .get("installed")
            .filter(|i| i.is_object())
            .ok_or_else(|| AppError::Json("no \"installed\" object".into()))?;
        let field = |name: &'static str| match inner.get(name).and_then(Value::as_str) {
            Some(s) if !s.trim().is_empty() => Ok(s.to_string()),
            _ => Err(AppError::MissingField(name)),
        };
        let auth_uri = field("auth_uri")?;
        let token_uri = field("token_uri")?;
        check_uri(&auth_uri)?;
        check_uri(&token_uri)?;
        Ok(InstalledApp {
            client_id: field("client_id")?,
            client_secret: field("client_secret").ok(),
            auth_uri,
            token_uri,
            scopes: full_scopes(scopes),
        })
    }

    /// A new sign-in for a browser redirected to `redirect_uri`
    /// (`http://127.0.0.1:PORT`): a fresh PKCE pair and `state` from `rng`,
    /// and the authorization URL (`response_type=code`, `client_id`,
    /// `redirect_uri`, `scope`, `code_challenge`,
    /// `code_challenge_method=S256`, `state`, `access_type=offline`,
    /// `prompt=consent`, and `login_hint` if given).
    pub fn authorize(
        &self,
        redirect_uri: &str,
        login_hint: Option<&str>,
        rng: &mut Rng,
    ) -> AuthorizationRequest {
        let pkce = Pkce::generate(rng);
        let state = random_string(rng, 32);
        let scope = self.scopes.join(" ");
        let mut params = vec![
            ("response_type", "code"),
            ("client_id", self.client_id.as_str()),
            ("redirect_uri", redirect_uri),
            ("scope", scope.as_str()),
            ("code_challenge", pkce.challenge.as_str()),
            ("code_challenge_method", "S256"),
            ("state", state.as_str()),
            ("access_type", "offline"),
            ("prompt", "consent"),
        ];
        if let Some(hint) = login_hint {
            params.push(("login_hint", hint));
        }
        let query = crate::http::form_urlencode(&params);
        let sep = if self.auth_uri.contains('?') {
            '&'
        } else {
            '?'
        };
        AuthorizationRequest {
            url: format!("{}{sep}{query}", self.auth_uri),
            redirect_uri: redirect_uri.to_string(),
            state,
            pkce,
        }
    }
}

/// The URL-safe characters of a PKCE verifier (RFC 7636 `unreserved`).
const UNRESERVED: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

fn random_string(rng: &mut Rng, len: usize) -> String {
    (0..len)
        .map(|_| UNRESERVED[rng.up_to(UNRESERVED.len() as u64 - 1) as usize] as char)
        .collect()
}

/// A PKCE pair: the secret `code_verifier` and its S256 `code_challenge`.
/// `Debug` never prints the verifier.
#[derive(Clone, PartialEq, Eq)]
pub struct Pkce {
    verifier: String,
    /// `BASE64URL(SHA256(verifier))`, unpadded.
    pub challenge: String,
}

impl std::fmt::Debug for Pkce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkce")
            .field("verifier", &"<redacted>")
            .field("challenge", &self.challenge)
            .finish()
    }
}

impl Pkce {
    /// Length of generated verifiers (RFC 7636 allows 43 to 128).
    pub const VERIFIER_LEN: usize = 64;

    /// A fresh verifier from `rng` (64 unreserved characters).
    pub fn generate(rng: &mut Rng) -> Self {
        let verifier = random_string(rng, Self::VERIFIER_LEN);
        Pkce {
            challenge: s256_challenge(&verifier),
            verifier,
        }
    }

    /// A given verifier: `None` unless it is 43 to 128 unreserved
    /// characters.
    pub fn from_verifier(verifier: &str) -> Option<Self> {
        let ok = (43..=128).contains(&verifier.len())
            && verifier.bytes().all(|b| UNRESERVED.contains(&b));
        ok.then(|| Pkce {
            challenge: s256_challenge(verifier),
            verifier: verifier.to_string(),
        })
    }

    /// The `code_verifier` sent with the code.
    pub fn verifier(&self) -> &str {
        &self.verifier
    }
}

/// `BASE64URL-ENCODE(SHA256(ASCII(verifier)))` without padding (RFC 7636
/// §4.2).
pub fn s256_challenge(verifier: &str) -> String {
    let digest = sha2::Sha256::digest(verifier.as_bytes());
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest)
}

/// One sign-in in progress: the URL to open, and what checking the
/// redirect and exchanging the code need. `Debug` never prints the
/// verifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthorizationRequest {
    /// The authorization URL to open in a browser.
    pub url: String,
    /// The loopback redirect URI the URL names.
    pub redirect_uri: String,
    /// The `state` the redirect must carry back.
    pub state: String,
    /// The PKCE pair.
    pub pkce: Pkce,
}

/// Why the redirect did not bring a code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RedirectError {
    /// Not an HTTP request line (`GET /?… HTTP/1.1`).
    #[error("not an HTTP request line: {0:?}")]
    BadRequestLine(String),
    /// `state` is absent or not the one sent (a forged or stale redirect).
    #[error("the redirect's state does not match this sign-in")]
    StateMismatch,
    /// The user refused (`error=access_denied`).
    #[error("the user denied access")]
    AccessDenied,
    /// The authorization server reported another error.
    #[error("authorization failed: {error}: {description}")]
    Refused {
        /// `error` (`invalid_scope`, `unauthorized_client`, …).
        error: String,
        /// `error_description` (empty when absent).
        description: String,
    },
    /// Neither `code` nor `error` (a favicon request, …).
    #[error("the redirect has no code")]
    MissingCode,
}

/// The code of the browser's redirect to the loopback listener, given the
/// request line it sent (`GET /?code=…&state=… HTTP/1.1`) and the `state`
/// of the sign-in.
pub fn parse_redirect(request_line: &str, expected_state: &str) -> Result<String, RedirectError> {
    let line = request_line.trim_end_matches(['\r', '\n']);
    let bad = || RedirectError::BadRequestLine(line.chars().take(200).collect());
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad());
    };
    if method != "GET" || !version.starts_with("HTTP/") || !target.starts_with('/') {
        return Err(bad());
    }
    let u = crate::api::url::split_url(&format!("http://127.0.0.1{target}")).map_err(|_| bad())?;
    let find = |k: &str| {
        u.query
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    };
    let state_ok = find("state").is_some_and(|s| constant_time_eq(s, expected_state));
    if let Some(error) = find("error") {
        // An error redirect is reported even with a bad state only as a
        // mismatch: an attacker must not be able to fake a refusal.
        if !state_ok {
            return Err(RedirectError::StateMismatch);
        }
        if error == "access_denied" {
            return Err(RedirectError::AccessDenied);
        }
        return Err(RedirectError::Refused {
            error: error.to_string(),
            description: find("error_description").unwrap_or("").to_string(),
        });
    }
    let Some(code) = find("code").filter(|c| !c.is_empty()) else {
        return Err(RedirectError::MissingCode);
    };
    if !state_ok {
        return Err(RedirectError::StateMismatch);
    }
    Ok(code.to_string())
}

fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// What the client trades for access tokens.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UserGrant {
    /// A fresh authorization code (first sign-in): exchanged once.
    Code {
        /// The code of the redirect.
        code: String,
        /// The PKCE verifier of the sign-in.
        verifier: String,
        /// The redirect URI of the sign-in (must match).
        redirect_uri: String,
    },
    /// A refresh token (kept from an earlier sign-in).
    RefreshToken(RefreshToken),
}

/// A user's credentials for [`ChatAuth::User`](super::ChatAuth): the app
/// and its grant. `Debug` never prints the code or tokens.
#[derive(Clone, PartialEq, Eq)]
pub struct UserOAuth {
    /// The OAuth client.
    pub app: InstalledApp,
    /// The code or refresh token.
    pub grant: UserGrant,
}

impl std::fmt::Debug for UserOAuth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserOAuth")
            .field("app", &self.app)
            .field("grant", &self.grant)
            .finish()
    }
}

impl std::fmt::Debug for UserGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            UserGrant::Code { .. } => "Code(<redacted>)",
            UserGrant::RefreshToken(_) => "RefreshToken(<redacted>)",
        })
    }
}

impl UserOAuth {
    /// The first sign-in: `code` of the redirect of `request`.
    pub fn from_code(
        app: InstalledApp,
        code: impl Into<String>,
        request: &AuthorizationRequest,
    ) -> Self {
        UserOAuth {
            app,
            grant: UserGrant::Code {
                code: code.into(),
                verifier: request.pkce.verifier().to_string(),
                redirect_uri: request.redirect_uri.clone(),
            },
        }
    }

    /// A later run: the stored refresh token.
    pub fn from_refresh_token(app: InstalledApp, token: RefreshToken) -> Self {
        UserOAuth {
            app,
            grant: UserGrant::RefreshToken(token),
        }
    }

    /// The token POST's form fields.
    pub(crate) fn token_form(&self) -> Vec<(&str, &str)> {
        let mut form = match &self.grant {
            UserGrant::Code {
                code,
                verifier,
                redirect_uri,
            } => vec![
                ("grant_type", "authorization_code"),
                ("code", code.as_str()),
                ("code_verifier", verifier.as_str()),
                ("redirect_uri", redirect_uri.as_str()),
            ],
            UserGrant::RefreshToken(t) => vec![
                ("grant_type", "refresh_token"),
                ("refresh_token", t.expose()),
            ],
        };
        form.push(("client_id", self.app.client_id.as_str()));
        if let Some(secret) = &self.app.client_secret {
            form.push(("client_secret", secret.as_str()));
        }
        form
    }
}

/// The `refresh_token` of a successful token response, if any.
pub(crate) fn refresh_token_of(body: &[u8]) -> Option<RefreshToken> {
    let v: Value = serde_json::from_slice(body).ok()?;
    let t = v.get("refresh_token")?.as_str()?;
    (!t.is_empty() && !t.chars().any(char::is_control)).then(|| RefreshToken::new(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc_7636_vector() {
        let p = Pkce::from_verifier("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").unwrap();
        // RFC 7636 appendix B (also what Python's hashlib and openssl give).
        assert_eq!(p.challenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        assert!(Pkce::from_verifier("short").is_none());
        assert!(Pkce::from_verifier(&"a".repeat(129)).is_none());
        assert!(Pkce::from_verifier(&format!("{}!", "a".repeat(50))).is_none());
    }

    #[test]
    fn generated_verifiers_are_valid_seeded_and_hidden() {
        let a = Pkce::generate(&mut Rng::new(7));
        assert_eq!(a.verifier().len(), 64);
        assert!(Pkce::from_verifier(a.verifier()).is_some());
        assert_eq!(Pkce::generate(&mut Rng::new(7)), a);
        assert_ne!(Pkce::generate(&mut Rng::new(8)), a);
        assert!(!format!("{a:?}").contains(a.verifier()));
    }

    fn split(url: &str) -> Vec<(String, String)> {
        crate::api::url::split_url(url).unwrap().query
    }

    #[test]
    fn the_authorization_url() {
        let app = InstalledApp::new("id.apps", &["chat.messages.create"]);
        let r = app.authorize("http://127.0.0.1:4711", Some("u@x"), &mut Rng::new(1));
        assert!(
            r.url
                .starts_with("https://accounts.google.com/o/oauth2/auth?"),
            "{}",
            r.url
        );
        let q = split(&r.url);
        let get = |k: &str| q.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("response_type"), Some("code"));
        assert_eq!(get("client_id"), Some("id.apps"));
        assert_eq!(get("redirect_uri"), Some("http://127.0.0.1:4711"));
        assert_eq!(
            get("scope"),
            Some("https://www.googleapis.com/auth/chat.messages.create")
        );
        assert_eq!(get("code_challenge"), Some(r.pkce.challenge.as_str()));
        assert_eq!(get("code_challenge_method"), Some("S256"));
        assert_eq!(get("state"), Some(r.state.as_str()));
        assert_eq!(get("access_type"), Some("offline"));
        assert_eq!(get("prompt"), Some("consent"));
        assert_eq!(get("login_hint"), Some("u@x"));
        assert!(!r.url.contains(r.pkce.verifier()));
        assert_eq!(r.pkce.challenge, s256_challenge(r.pkce.verifier()));
    }

    #[test]
    fn client_files_read() {
        let text = r#"{"installed":{"client_id":"c.apps","client_secret":"s3","auth_uri":"http://127.0.0.1:9/o/oauth2/auth","token_uri":"http://127.0.0.1:9/token","redirect_uris":["http://localhost"]}}"#;
        let app = InstalledApp::from_client_json(text, &["chat.messages"]).unwrap();
        assert_eq!(app.client_id, "c.apps");
        assert_eq!(app.client_secret.as_deref(), Some("s3"));
        assert_eq!(app.token_uri, "http://127.0.0.1:9/token");
        assert_eq!(app.scopes, [USER_SCOPES[0]]);
        assert!(!format!("{app:?}").contains("s3"));
        let none: [&str; 0] = [];
        assert!(matches!(
            InstalledApp::from_client_json(r#"{"web":{}}"#, &none),
            Err(AppError::Json(_))
        ));
        assert_eq!(
            InstalledApp::from_client_json(
                r#"{"installed":{"auth_uri":"http://a/","token_uri":"http://a/t"}}"#,
                &none
            ),
            Err(AppError::MissingField("client_id"))
        );
        assert!(matches!(
            InstalledApp::from_client_json(
                r#"{"installed":{"client_id":"c","auth_uri":"ftp://a/","token_uri":"http://a/t"}}"#,
                &none
            ),
            Err(AppError::BadUri(_))
        ));
    }

    #[test]
    fn redirects_parse() {
        let ok = parse_redirect("GET /?code=4%2F0Ab&state=st8&scope=x HTTP/1.1\r\n", "st8");
        assert_eq!(ok, Ok("4/0Ab".into()));
        assert_eq!(
            parse_redirect("GET /?code=c&state=other HTTP/1.1", "st8"),
            Err(RedirectError::StateMismatch)
        );
        assert_eq!(
            parse_redirect("GET /?code=c HTTP/1.1", "st8"),
            Err(RedirectError::StateMismatch)
        );
        assert_eq!(
            parse_redirect("GET /?error=access_denied&state=st8 HTTP/1.1", "st8"),
            Err(RedirectError::AccessDenied)
        );
        assert_eq!(
            parse_redirect("GET /?error=access_denied&state=x HTTP/1.1", "st8"),
            Err(RedirectError::StateMismatch)
        );
        assert_eq!(
            parse_redirect(
                "GET /?error=invalid_scope&error_description=bad+scope&state=st8 HTTP/1.1",
                "st8"
            ),
            Err(RedirectError::Refused {
                error: "invalid_scope".into(),
                description: "bad scope".into()
            })
        );
        assert_eq!(
            parse_redirect("GET /favicon.ico HTTP/1.1", "st8"),
            Err(RedirectError::MissingCode)
        );
        for line in [
            "",
            "garbage",
            "POST /?code=c&state=st8 HTTP/1.1",
            "GET x HTTP/1.1",
        ] {
            assert!(
                matches!(
                    parse_redirect(line, "st8"),
                    Err(RedirectError::BadRequestLine(_))
                ),
                "{line}"
            );
        }
    }

    #[test]
    fn token_forms() {
        let app = InstalledApp::new("cid", &["chat.messages"]).with_secret("sec");
        let r = app.authorize("http://127.0.0.1:1", None, &mut Rng::new(3));
        let u = UserOAuth::from_code(app.clone(), "the-code", &r);
        let form = u.token_form();
        assert!(form.contains(&("grant_type", "authorization_code")));
        assert!(form.contains(&("code_verifier", r.pkce.verifier())));
        assert!(form.contains(&("redirect_uri", "http://127.0.0.1:1")));
        assert!(form.contains(&("client_secret", "sec")));
        assert!(!format!("{u:?}").contains("the-code"));
        let u = UserOAuth::from_refresh_token(app, RefreshToken::new("1//r"));
        assert!(u.token_form().contains(&("refresh_token", "1//r")));
        assert_eq!(
            refresh_token_of(br#"{"access_token":"a","refresh_token":"1//n"}"#),
            Some(RefreshToken::new("1//n"))
        );
        assert_eq!(refresh_token_of(br#"{"access_token":"a"}"#), None);
    }
}
