//! Each request of the flow (PROTOCOL.md §4) as a pure function, and each
//! response's interpretation as another: no IO, no state. [`Login`](super::Login)
//! strings them together; embedders with their own HTTP stack can use
//! them directly.

use super::config::{AuthConfig, REDIRECT_URI};
use super::error::{AuthError, Stage};
use super::secret::{AccessToken, AuthCode, RefreshToken, UberAuth};
use crate::http::{form_urlencode, Method, Request};

/// What the token endpoint granted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tokens {
    /// The access token.
    pub access_token: AccessToken,
    /// A refresh token, when the grant issued one (the code exchange does).
    pub refresh_token: Option<RefreshToken>,
}

fn token_request(config: &AuthConfig, form: &[(&str, &str)]) -> Result<Request, AuthError> {
    let url = config.target(&config.token_url)?;
    Ok(config
        .request(Method::Post, &url)
        .with_header("content-type", "application/x-www-form-urlencoded")
        .with_body(form_urlencode(form).into_bytes()))
}

/// Step 1: `POST <token_url>` with `grant_type=refresh_token`.
pub fn refresh_request(config: &AuthConfig, token: &RefreshToken) -> Result<Request, AuthError> {
    token_request(
        config,
        &[
            ("client_id", &config.client_id),
            ("client_secret", &config.client_secret),
            ("grant_type", "refresh_token"),
            ("refresh_token", token.expose()),
        ],
    )
}

/// Step 2 (manual login): `POST <token_url>` with
/// `grant_type=authorization_code` and the code the user pasted.
pub fn code_request(config: &AuthConfig, code: &AuthCode) -> Result<Request, AuthError> {
    token_request(
        config,
        &[
            ("client_id", &config.client_id),
            ("client_secret", &config.client_secret),
            ("code", code.expose()),
            ("grant_type", "authorization_code"),
            ("redirect_uri", REDIRECT_URI),
        ],
    )
}

/// The token endpoint's answer: `access_token` (and `refresh_token`) on
/// success; `invalid_grant` becomes [`AuthError::InvalidGrant`] (sign in
/// again), other OAuth errors [`AuthError::TokenError`], a status without
/// a JSON error [`AuthError::Http`].
pub fn parse_token_response(status: u16, reason: &str, body: &[u8]) -> Result<Tokens, AuthError> {
    #[derive(serde::Deserialize)]
    struct Reply {
        access_token: Option<String>,
        refresh_token: Option<String>,
        error: Option<serde_json::Value>,
        error_description: Option<String>,
    }
    let reply: Result<Reply, _> = serde_json::from_slice(body);
    match reply {
        Ok(Reply {
            error: Some(error),
            error_description,
            ..
        }) => {
            let error = match error {
                serde_json::Value::String(s) => s,
                other => other.to_string(),
            };
            let description = error_description.unwrap_or_default();
            if error == "invalid_grant" {
                Err(AuthError::InvalidGrant { description })
            } else {
                Err(AuthError::TokenError {
                    status,
                    error,
                    description,
                })
            }
        }
        _ if status != 200 => Err(AuthError::Http {
            stage: Stage::Token,
            status,
            reason: reason.to_string(),
        }),
        Ok(Reply {
            access_token: Some(access),
            refresh_token,
            ..
        }) if !access.is_empty() => Ok(Tokens {
            access_token: AccessToken::new(access),
            refresh_token: refresh_token
                .filter(|r| !r.is_empty())
                .map(RefreshToken::new),
        }),
        Ok(_) => Err(AuthError::Protocol {
            stage: Stage::Token,
            detail: "no access_token in the reply".into(),
        }),
        Err(e) => Err(AuthError::Protocol {
            stage: Stage::Token,
            detail: format!("not JSON: {e}"),
        }),
    }
}

/// Step 3: `GET <oauth_login_url>?source=hangups&issueuberauth=1` with
/// `Authorization: Bearer <access token>`.
pub fn oauth_login_request(
    config: &AuthConfig,
    access: &AccessToken,
) -> Result<Request, AuthError> {
    let url = config.target(&config.oauth_login_url)?;
    Ok(config
        .request(Method::Get, &url)
        .with_query("source", "hangups")
        .with_query("issueuberauth", "1")
        .with_header("authorization", &format!("Bearer {}", access.expose())))
}

/// OAuthLogin's answer: the body text is the uberauth token.
pub fn parse_oauth_login_response(
    status: u16,
    reason: &str,
    body: &[u8],
) -> Result<UberAuth, AuthError> {
    if status != 200 {
        return Err(AuthError::Http {
            stage: Stage::OAuthLogin,
            status,
            reason: reason.to_string(),
        });
    }
    let text = std::str::from_utf8(body).map_err(|_| AuthError::Protocol {
        stage: Stage::OAuthLogin,
        detail: "the uberauth token is not UTF-8".into(),
    })?;
    let token = text.trim();
    if token.is_empty() || token.chars().any(|c| c.is_control() || c == ' ') {
        return Err(AuthError::Protocol {
            stage: Stage::OAuthLogin,
            detail: "no usable uberauth token in the body".into(),
        });
    }
    Ok(UberAuth::new(token))
}

/// Step 4: `GET <merge_session_url>?service=mail&continue=<continue_url>&uberauth=<token>`
/// with the same Bearer header.
pub fn merge_session_request(
    config: &AuthConfig,
    access: &AccessToken,
    uberauth: &UberAuth,
) -> Result<Request, AuthError> {
    let url = config.target(&config.merge_session_url)?;
    Ok(config
        .request(Method::Get, &url)
        .with_query("service", "mail")
        .with_query("continue", &config.continue_url)
        .with_query("uberauth", uberauth.expose())
        .with_header("authorization", &format!("Bearer {}", access.expose())))
}
