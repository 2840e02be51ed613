//! The OAuth token endpoint of service accounts, `POST /token`
//! (`grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=JWT`):
//! an access token for the app, or with `sub` for that user (domain-wide
//! delegation, `users/<sub>`). Failures are `400 {"error",
//! "error_description"}` as Google's.

use super::auth::Grant;
use super::service_accounts::{check_times, scopes, verify, GrantError};
use super::world::Principal;
use crate::emulator::http::{parse_form, Request, Response};
use crate::emulator::Shared;
use serde_json::json;

const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// The audiences Google's token endpoint accepts besides its own URL.
const GOOGLE_TOKEN_AUDIENCES: &[&str] = &[
    "https://oauth2.googleapis.com/token",
    "https://www.googleapis.com/oauth2/v4/token",
];

pub(crate) fn handle(shared: &Shared, req: &Request) -> Response {
    let mut inner = shared.lock();
    let base = inner.world.clock.now();
    let chat = &mut inner.chat;
    chat.count("token");
    let now = chat.now(base);
    let token_uri = format!("{}/token", shared.base_url);
    let form = parse_form(&String::from_utf8_lossy(&req.body));
    let field = |n: &str| form.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
    if matches!(
        field("grant_type"),
        Some("authorization_code" | "refresh_token")
    ) {
        return match chat.user_token(&form) {
            Ok(body) => Response::json(200, &body),
            Err(e) => Response::json(
                400,
                &json!({"error": e.error, "error_description": e.description}),
            ),
        };
    }
    let result = (|| -> Result<Grant, GrantError> {
        if field("grant_type") != Some(JWT_BEARER) {
            return Err(GrantError {
                error: "unsupported_grant_type",
                description: format!("Invalid grant_type: {}", field("grant_type").unwrap_or("")),
            });
        }
        let assertion = field("assertion").ok_or(GrantError {
            error: "invalid_request",
            description: "Missing required parameter: assertion".into(),
        })?;
        let (account, claims) = verify(assertion, &chat.auth.accounts, &chat.auth.public_key)?;
        // The key's token_uri, or Google's token endpoint: google-auth
        // (the official Python library) always signs aud =
        // https://oauth2.googleapis.com/token, whatever the key file says,
        // and Google accepts it (found by running it against this server).
        let aud = claims["aud"].as_str();
        if aud != Some(token_uri.as_str())
            && !aud.is_some_and(|a| GOOGLE_TOKEN_AUDIENCES.contains(&a))
        {
            return Err(GrantError {
                error: "invalid_grant",
                description: format!("Invalid JWT: aud must be {token_uri}."),
            });
        }
        check_times(&claims, now)?;
        let scopes = scopes(&claims);
        if scopes.is_empty() {
            return Err(GrantError {
                error: "invalid_scope",
                description: "Empty or missing scope not allowed.".into(),
            });
        }
        let principal = match claims["sub"].as_str() {
            Some(sub) if sub != account.email => Principal::User(format!("users/{sub}")),
            _ => Principal::App,
        };
        Ok(Grant { principal, scopes })
    })();
    match result {
        Ok(grant) => {
            let token = chat.store_grant(grant);
            Response::json(
                200,
                &json!({"access_token": token, "expires_in": 3599, "token_type": "Bearer"}),
            )
        }
        Err(e) => Response::json(
            400,
            &json!({"error": e.error, "error_description": e.description}),
        ),
    }
}
