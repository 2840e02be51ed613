//! User OAuth for installed apps: OAuth clients from the control API
//! (`POST /_emulator/chat/oauth_clients` → `{"installed": {...}}`), the
//! authorization endpoint `GET /o/oauth2/auth` that consents at once and
//! redirects (302) to the loopback `redirect_uri` with `code` and `state`,
//! and the `authorization_code` (PKCE S256 checked, one use per code,
//! `redirect_uri` must match) and `refresh_token` grants of `POST /token`.
//! Issued access tokens act as the user with the granted scopes.

use super::auth::{short_scope, Grant};
use super::service_accounts::GrantError;
use super::world::Principal;
use super::ChatState;
use crate::emulator::http::{Request, Response};
use base64::Engine as _;
use serde_json::{json, Value};

/// The user a sign-in acts as when neither `login_hint` nor `user` names
/// one.
pub(crate) const DEFAULT_USER: &str = "users/self";

/// A registered OAuth client.
#[derive(Debug, Clone)]
pub(crate) struct OAuthClient {
    pub client_id: String,
    pub client_secret: String,
}

/// What a code or refresh token stands for.
#[derive(Debug, Clone)]
pub(crate) struct UserGrant {
    pub client_id: String,
    pub user: String,
    pub scopes: Vec<String>,
}

/// An issued, unused authorization code.
#[derive(Debug, Clone)]
pub(crate) struct PendingCode {
    pub grant: UserGrant,
    pub redirect_uri: String,
    pub challenge: String,
}

fn err(error: &'static str, description: impl Into<String>) -> GrantError {
    GrantError {
        error,
        description: description.into(),
    }
}

fn loopback(uri: &str) -> bool {
    ["http://127.0.0.1", "http://localhost", "http://[::1]"]
        .iter()
        .any(|p| {
            uri.strip_prefix(p)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/']))
        })
}

fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl ChatState {
    /// A new OAuth client: Google's installed-app client file, its
    /// endpoints on this emulator.
    pub(crate) fn create_oauth_client(&mut self, base_url: &str) -> Value {
        let client = OAuthClient {
            client_id: format!(
                "{}-{}.apps.googleusercontent.com",
                self.world.ids.next_u64() % 1_000_000_000_000,
                self.world.token(32).to_ascii_lowercase()
            ),
            client_secret: format!("GOCSPX-{}", self.world.token(28)),
        };
        let file = json!({"installed": {
            "client_id": client.client_id,
            "project_id": "emulator-project",
            "auth_uri": format!("{base_url}/o/oauth2/auth"),
            "token_uri": format!("{base_url}/token"),
            "client_secret": client.client_secret,
            "redirect_uris": ["http://localhost"],
        }});
        self.auth.oauth_clients.push(client);
        file
    }

    /// `GET /o/oauth2/auth`: consents at once as the user named by
    /// `user` or `login_hint` ([`DEFAULT_USER`] otherwise) and redirects to
    /// `redirect_uri` with a code; `consent=deny` redirects with
    /// `error=access_denied`.
    pub(crate) fn authorize(&mut self, req: &Request) -> Response {
        self.count("authorize");
        let p = |n: &str| req.param(n).unwrap_or("");
        let client_id = p("client_id");
        if !self
            .auth
            .oauth_clients
            .iter()
            .any(|c| c.client_id == client_id)
        {
            return Response::text(401, "Unauthorized", "Error 401: invalid_client");
        }
        let redirect_uri = p("redirect_uri");
        if !loopback(redirect_uri) {
            return Response::text(400, "Bad Request", "Error 400: redirect_uri_mismatch");
        }
        let state = req
            .param("state")
            .map(|s| format!("&state={}", enc(s)))
            .unwrap_or_default();
        let sep = if redirect_uri.contains('?') { '&' } else { '?' };
        let redirect = |query: String| {
            let mut r = Response::text(302, "Found", "");
            r.headers.push((
                "Location".into(),
                format!("{redirect_uri}{sep}{query}{state}"),
            ));
            r
        };
        let error = |e: &str, d: &str| redirect(format!("error={e}&error_description={}", enc(d)));
        if p("response_type") != "code" {
            return error("unsupported_response_type", "response_type must be code");
        }
        if p("code_challenge_method") != "S256" || p("code_challenge").len() != 43 {
            return error(
                "invalid_request",
                "PKCE with code_challenge_method=S256 is required",
            );
        }
        let scopes: Vec<String> = p("scope")
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(short_scope)
            .collect();
        if scopes.is_empty() {
            return error("invalid_scope", "Missing required parameter: scope");
        }
        if p("consent") == "deny" {
            return error("access_denied", "The user denied access");
        }
        let who = req
            .param("user")
            .or(req.param("login_hint"))
            .unwrap_or(DEFAULT_USER);
        let user = if who.starts_with("users/") {
            who.to_string()
        } else {
            format!("users/{who}")
        };
        let code = format!("4/0A{}", self.world.token(40));
        self.auth.codes.insert(
            code.clone(),
            PendingCode {
                grant: UserGrant {
                    client_id: client_id.into(),
                    user,
                    scopes,
                },
                redirect_uri: redirect_uri.into(),
                challenge: p("code_challenge").into(),
            },
        );
        redirect(format!("code={}&scope={}", enc(&code), enc(p("scope"))))
    }

    /// The `authorization_code` and `refresh_token` grants of `POST /token`.
    pub(crate) fn user_token(&mut self, form: &[(String, String)]) -> Result<Value, GrantError> {
        let field = |n: &str| {
            form.iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.as_str())
                .unwrap_or("")
        };
        let client_id = field("client_id");
        let client = self
            .auth
            .oauth_clients
            .iter()
            .find(|c| c.client_id == client_id)
            .ok_or_else(|| err("invalid_client", "The OAuth client was not found."))?;
        if !field("client_secret").is_empty() && field("client_secret") != client.client_secret {
            return Err(err("invalid_client", "Unauthorized"));
        }
        let (grant, refresh) = if field("grant_type") == "authorization_code" {
            // One use: removed whatever happens next.
            let pending = self
                .auth
                .codes
                .remove(field("code"))
                .ok_or_else(|| err("invalid_grant", "Malformed auth code."))?;
            if pending.grant.client_id != client_id {
                return Err(err(
                    "invalid_grant",
                    "The code was issued to another client.",
                ));
            }
            if pending.redirect_uri != field("redirect_uri") {
                return Err(err("redirect_uri_mismatch", "Bad Request"));
            }
            let digest =
                ring::digest::digest(&ring::digest::SHA256, field("code_verifier").as_bytes());
            let challenge =
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(digest.as_ref());
            if field("code_verifier").len() < 43 || challenge != pending.challenge {
                return Err(err("invalid_grant", "Invalid code verifier."));
            }
            let refresh = format!("1//0{}", self.world.token(60));
            self.auth
                .refresh_tokens
                .insert(refresh.clone(), pending.grant.clone());
            (pending.grant, Some(refresh))
        } else {
            let grant = self
                .auth
                .refresh_tokens
                .get(field("refresh_token"))
                .filter(|g| g.client_id == client_id)
                .cloned()
                .ok_or_else(|| err("invalid_grant", "Token has been expired or revoked."))?;
            (grant, None)
        };
        let scope = grant
            .scopes
            .iter()
            .map(|s| format!("https://www.googleapis.com/auth/{s}"))
            .collect::<Vec<_>>()
            .join(" ");
        let token = self.store_grant(Grant {
            principal: Principal::User(grant.user.clone()),
            scopes: grant.scopes.clone(),
        });
        let mut body = json!({"access_token": token, "expires_in": 3599, "token_type": "Bearer", "scope": scope});
        if let Some(r) = refresh {
            body["refresh_token"] = json!(r);
        }
        Ok(body)
    }

    /// Forgets a refresh token (the user revoked access).
    pub(crate) fn revoke_refresh_token(&mut self, token: &str) -> bool {
        self.auth.refresh_tokens.remove(token).is_some()
    }
}
