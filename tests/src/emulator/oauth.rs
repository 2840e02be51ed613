//! The sign-in flow of PROTOCOL.md §4 as Google serves it: the OAuth token
//! endpoint (refresh tokens and one-time authorization codes), OAuthLogin
//! (access token → uberauth) and MergeSession (uberauth → the user's
//! session cookies as `Set-Cookie`s for `.google.com`), and the browser
//! login page, which sets the `oauth_code` cookie the manual login copies.
//!
//! Every user has a refresh token; the self user also has a revoked one.
//! Authorization codes are minted on request (control API or the login
//! page) and work once; access tokens and uberauth tokens are minted by
//! the flow.

use super::http::{parse_form, Request, Response};
use super::Inner;
use serde_json::json;
use std::collections::BTreeMap;

/// The OAuth client the flow must present (hangups' own).
const CLIENT_ID: &str = "936475272427.apps.googleusercontent.com";
const CLIENT_SECRET: &str = "KWsJlkaMn1jGLxQpWxMnOox-";

/// Tokens and how often each step ran.
#[derive(Debug, Default)]
pub(crate) struct OAuth {
    /// refresh token → user.
    refresh: BTreeMap<String, String>,
    /// Refresh tokens that were revoked.
    revoked: Vec<String>,
    /// One-time authorization codes → user.
    codes: BTreeMap<String, String>,
    /// access token → user.
    access: BTreeMap<String, String>,
    /// One-time uberauth tokens → user.
    uberauth: BTreeMap<String, String>,
    /// Requests per step: token, oauth_login, merge_session.
    pub(crate) counts: BTreeMap<&'static str, u64>,
    /// Every token, code and cookie value ever handed out (for tests that
    /// check none of them leaks into logs).
    pub(crate) issued: Vec<String>,
}

impl OAuth {
    fn count(&mut self, step: &'static str) {
        *self.counts.entry(step).or_default() += 1;
    }

    /// Counts as JSON (for `GET /_emulator/state`).
    pub(crate) fn summary(&self) -> serde_json::Value {
        json!(self.counts)
    }
}

impl Inner {
    /// The refresh token of `user` (made on first use).
    pub(crate) fn refresh_token(&mut self, user: &str) -> Option<String> {
        self.world.user(user)?;
        if let Some((t, _)) = self.oauth.refresh.iter().find(|(_, u)| *u == user) {
            return Some(t.clone());
        }
        let token = format!("1//emu-refresh-{}", self.world.ids.cookie(24));
        self.oauth.issued.push(token.clone());
        self.oauth.refresh.insert(token.clone(), user.to_string());
        Some(token)
    }

    /// A refresh token of `user` that was revoked.
    pub(crate) fn revoked_refresh_token(&mut self, user: &str) -> Option<String> {
        self.world.user(user)?;
        let token = format!("1//emu-revoked-{}", self.world.ids.cookie(24));
        self.oauth.issued.push(token.clone());
        self.oauth.revoked.push(token.clone());
        Some(token)
    }

    /// A fresh one-time authorization code for `user`.
    pub(crate) fn auth_code(&mut self, user: &str) -> Option<String> {
        self.world.user(user)?;
        let code = format!("4/emu-code-{}", self.world.ids.cookie(24));
        self.oauth.issued.push(code.clone());
        self.oauth.codes.insert(code.clone(), user.to_string());
        Some(code)
    }

    /// Gives `user` a new cookie set: the old cookies stop working (the
    /// next request with them gets a 401), MergeSession hands out the new.
    pub(crate) fn expire_cookies(&mut self, user: &str) -> Result<(), String> {
        let fresh = self.world.fresh_cookies();
        let u = self
            .world
            .user_mut(user)
            .ok_or_else(|| format!("unknown user {user:?}"))?;
        let old = std::mem::replace(&mut u.cookies, fresh);
        self.oauth.issued.extend(old.into_iter().map(|(_, v)| v));
        Ok(())
    }

    fn mint_access(&mut self, user: &str) -> String {
        let token = format!("ya29.emu-{}", self.world.ids.cookie(32));
        self.oauth.issued.push(token.clone());
        self.oauth.access.insert(token.clone(), user.to_string());
        token
    }
}

/// `POST /o/oauth2/token`.
pub(crate) fn token(inner: &mut Inner, req: &Request) -> Response {
    inner.oauth.count("token");
    let form = parse_form(&String::from_utf8_lossy(&req.body));
    let get = |name: &str| {
        form.iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    if get("client_id") != Some(CLIENT_ID) || get("client_secret") != Some(CLIENT_SECRET) {
        return oauth_error(401, "invalid_client", "The OAuth client was not found.");
    }
    match get("grant_type") {
        Some("refresh_token") => {
            let token = get("refresh_token").unwrap_or_default();
            if inner.oauth.revoked.iter().any(|t| t == token) {
                return oauth_error(400, "invalid_grant", "Token has been expired or revoked.");
            }
            let Some(user) = inner.oauth.refresh.get(token).cloned() else {
                return oauth_error(400, "invalid_grant", "Bad Request");
            };
            let access = inner.mint_access(&user);
            Response::json(
                200,
                &json!({"access_token": access, "expires_in": 3599, "token_type": "Bearer"}),
            )
        }
        Some("authorization_code") => {
            if get("redirect_uri") != Some("urn:ietf:wg:oauth:2.0:oob") {
                return oauth_error(400, "redirect_uri_mismatch", "Bad Request");
            }
            let code = get("code").unwrap_or_default();
            let Some(user) = inner.oauth.codes.remove(code) else {
                return oauth_error(400, "invalid_grant", "Malformed auth code.");
            };
            let access = inner.mint_access(&user);
            let refresh = inner.refresh_token(&user).unwrap_or_default();
            Response::json(
                200,
                &json!({
                    "access_token": access,
                    "refresh_token": refresh,
                    "expires_in": 3599,
                    "token_type": "Bearer",
                }),
            )
        }
        _ => oauth_error(400, "unsupported_grant_type", "Invalid grant_type."),
    }
}

/// The user of a valid `Authorization: Bearer` header.
fn bearer_user(inner: &Inner, req: &Request) -> Option<String> {
    let token = req.header("authorization")?.strip_prefix("Bearer ")?;
    inner.oauth.access.get(token).cloned()
}

/// `GET /accounts/OAuthLogin?source=hangups&issueuberauth=1`.
pub(crate) fn oauth_login(inner: &mut Inner, req: &Request) -> Response {
    inner.oauth.count("oauth_login");
    let Some(user) = bearer_user(inner, req) else {
        return Response::text(401, "Unauthorized", "Error=BadAuthentication");
    };
    if req.param("issueuberauth") != Some("1") {
        return Response::text(400, "Bad Request", "Error=BadRequest");
    }
    let uber = format!("emu-uber-{}", inner.world.ids.cookie(40));
    inner.oauth.issued.push(uber.clone());
    inner.oauth.uberauth.insert(uber.clone(), user);
    Response::text(200, "OK", &uber)
}

/// `GET /MergeSession?service=mail&continue=…&uberauth=…`: a redirect to
/// `continue` that sets the user's cookies for `.google.com`, plus a
/// host-only cookie the client must not take for a session cookie.
pub(crate) fn merge_session(inner: &mut Inner, req: &Request) -> Response {
    inner.oauth.count("merge_session");
    let user = req
        .param("uberauth")
        .and_then(|u| inner.oauth.uberauth.remove(u));
    let Some(user) = user else {
        return Response::text(400, "Bad Request", "Error=BadAuthentication");
    };
    let Some(u) = inner.world.user(&user) else {
        return Response::text(400, "Bad Request", "Error=NoSuchUser");
    };
    let mut resp = Response::text(302, "Moved Temporarily", "");
    // Google sets them for `.google.com`; a client only accepts cookies
    // for the host it talks to (or a parent), so here: for ourselves.
    let domain = cookie_domain(req.header("host").unwrap_or("127.0.0.1"));
    for (name, value) in &u.cookies {
        let secure = if name == "SAPISID" || name == "SSID" {
            "; Secure"
        } else {
            ""
        };
        resp.headers.push((
            "Set-Cookie".into(),
            format!(
                "{name}={value}; Domain={domain}; Path=/; Expires=Fri, 01-Jan-2100 00:00:00 GMT{secure}; HttpOnly"
            ),
        ));
    }
    resp.headers.push((
        "Set-Cookie".into(),
        "LSID=emu-host-only; Path=/; Secure; HttpOnly".into(),
    ));
    let target = req.param("continue").unwrap_or("http://www.google.com");
    resp.headers.push(("Location".into(), target.to_string()));
    resp
}

/// `GET /o/oauth2/programmatic_auth`: "signs in" the self user, as a
/// browser would see it: a page saying so, and the `oauth_code` cookie.
pub(crate) fn login_page(inner: &mut Inner) -> Response {
    let user = inner.world.self_user.clone();
    let code = inner.auth_code(&user).unwrap_or_default();
    let mut resp = Response::new(
        200,
        "OK",
        "text/html; charset=UTF-8",
        format!(
            "<!doctype html><title>Hangups emulator sign-in</title>\
             <p>Signed in as {user}. The authorization code is the value of \
             the <code>oauth_code</code> cookie: <code>{code}</code></p>"
        ),
    );
    resp.headers
        .push(("Set-Cookie".into(), format!("oauth_code={code}; Path=/")));
    resp
}

fn oauth_error(status: u16, error: &str, description: &str) -> Response {
    Response::json(
        status,
        &json!({"error": error, "error_description": description}),
    )
}

/// The host part of a `Host` header (`[::1]:80` → `::1`, `a.b:80` → `a.b`).
fn cookie_domain(host: &str) -> String {
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(v6),
        None => host.rsplit_once(':').map_or(host, |(h, _)| h),
    };
    host.to_ascii_lowercase()
}
