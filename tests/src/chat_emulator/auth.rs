//! Who is calling: bearer tokens minted by the control API (each with a
//! principal and scopes), incoming-webhook `key`/`token` pairs, and the
//! scope each method needs.

use super::error::{ChatError, ChatResult};
use super::service_accounts::{check_times, scopes, verify, Account};
use super::world::Principal;
use crate::emulator::http::Request;
use std::collections::BTreeMap;

/// One issued access token.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    pub principal: Principal,
    /// Short scope names (`chat.bot`, `chat.messages`, …).
    pub scopes: Vec<String>,
}

/// One incoming webhook.
#[derive(Debug, Clone)]
pub(crate) struct Webhook {
    pub space: String,
    pub key: String,
    pub token: String,
    /// Its BOT user (`users/<id>`).
    pub user: String,
}

/// Tokens and webhooks.
#[derive(Debug, Default)]
pub(crate) struct Auth {
    pub tokens: BTreeMap<String, Grant>,
    pub webhooks: Vec<Webhook>,
    /// Service accounts (all sign with the built-in test key).
    pub accounts: Vec<Account>,
    /// The public half of that key (DER RSAPublicKey).
    pub public_key: Vec<u8>,
    /// User OAuth: installed-app clients, unused codes, refresh tokens.
    pub oauth_clients: Vec<super::user_oauth::OAuthClient>,
    pub codes: BTreeMap<String, super::user_oauth::PendingCode>,
    pub refresh_tokens: BTreeMap<String, super::user_oauth::UserGrant>,
}

/// What a method needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verb {
    Create,
    Get,
    List,
    Update,
    Delete,
}

impl Verb {
    /// The name counted in `state.requests`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Verb::Create => "create",
            Verb::Get => "get",
            Verb::List => "list",
            Verb::Update => "update",
            Verb::Delete => "delete",
        }
    }

    /// Any one of these scopes allows the call.
    fn scopes(self, app: bool) -> &'static [&'static str] {
        match (self, app) {
            (Verb::Create, true) | (Verb::Update, true) | (Verb::Delete, true) => &["chat.bot"],
            (Verb::Get, true) => &["chat.bot", "chat.app.messages.readonly"],
            // chat.bot does not allow list: an admin-approved scope does.
            (Verb::List, true) => &["chat.app.messages.readonly"],
            (Verb::Create, false) => &["chat.messages", "chat.messages.create"],
            (Verb::Get, false) | (Verb::List, false) => {
                &["chat.messages", "chat.messages.readonly"]
            }
            (Verb::Update, false) | (Verb::Delete, false) => &["chat.messages"],
        }
    }

    pub(crate) fn is_write(self) -> bool {
        matches!(self, Verb::Create | Verb::Update | Verb::Delete)
    }
}

/// `https://www.googleapis.com/auth/chat.bot` → `chat.bot`.
pub(crate) fn short_scope(scope: &str) -> String {
    scope
        .trim()
        .trim_start_matches("https://www.googleapis.com/auth/")
        .to_string()
}

impl Auth {
    /// A self-signed JWT of a service account used as the bearer token
    /// (no token exchange): `iss` = `sub` (if any) = the account's email,
    /// `aud` absent or `https://chat.googleapis.com/`, valid times; the
    /// app with the `scope` claim's scopes.
    fn self_signed(&self, jwt: &str, now_us: u64) -> Option<Grant> {
        let (account, claims) = verify(jwt, &self.accounts, &self.public_key).ok()?;
        check_times(&claims, now_us).ok()?;
        let sub_ok = claims["sub"].as_str().is_none_or(|s| s == account.email);
        let aud_ok = claims["aud"]
            .as_str()
            .is_none_or(|a| a.trim_end_matches('/') == "https://chat.googleapis.com");
        (sub_ok && aud_ok).then(|| Grant {
            principal: Principal::App,
            scopes: scopes(&claims),
        })
    }

    /// The webhook `key` and `token` name, for `space`.
    pub(crate) fn webhook(&self, space: &str, key: &str, token: &str) -> Option<&Webhook> {
        self.webhooks
            .iter()
            .find(|w| w.space == space && w.key == key && w.token == token)
    }

    /// The caller of `req` for `verb` in `space`: a webhook (create
    /// only), or a bearer token (`Authorization` or `access_token`) with a
    /// scope that allows `verb`.
    pub(crate) fn caller(
        &self,
        req: &Request,
        verb: Verb,
        space: &str,
        now_us: u64,
    ) -> ChatResult<Principal> {
        if let (Some(key), Some(token)) = (req.param("key"), req.param("token")) {
            return match self.webhook(space, key, token) {
                Some(w) if verb == Verb::Create => Ok(Principal::Webhook(w.user.clone())),
                Some(_) => Err(ChatError::denied(
                    "Incoming webhooks can only create messages.",
                )),
                None => Err(ChatError::denied("Invalid webhook key or token.")),
            };
        }
        let bearer = req
            .header("authorization")
            .and_then(|h| {
                let (scheme, value) = h.trim().split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| value.trim())
            })
            .or_else(|| req.param("access_token"))
            .or_else(|| req.param("oauth_token"));
        let bearer = bearer.ok_or_else(ChatError::unauthenticated)?;
        let self_signed;
        let grant = match self.tokens.get(bearer) {
            Some(g) => g,
            None => {
                self_signed = self
                    .self_signed(bearer, now_us)
                    .ok_or_else(ChatError::unauthenticated)?;
                &self_signed
            }
        };
        let app = grant.principal == Principal::App;
        let allowed = verb.scopes(app);
        if !grant.scopes.iter().any(|s| allowed.contains(&s.as_str())) {
            return Err(ChatError::denied(format!(
                "Request had insufficient authentication scopes: {} needs one of {}.",
                verb.name(),
                allowed.join(", ")
            ))
            .with_detail(serde_json::json!({
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
                "domain": "googleapis.com",
                "metadata": {"service": "chat.googleapis.com", "method": verb.name()},
            })));
        }
        Ok(grant.principal.clone())
    }
}
