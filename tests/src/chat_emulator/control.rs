//! The Chat control API under `/_emulator/chat/` (listed in the
//! [module docs](super#control-api)).

use super::auth::{short_scope, Grant, Webhook};
use super::faults::ChatFaults;
use super::service_accounts::{key_file, Account};
use super::world::Principal;
use super::ChatState;
use crate::emulator::http::{Request, Response};
use crate::emulator::Shared;
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct NewSpace {
    display_name: String,
    #[serde(default)]
    members: Vec<String>,
    #[serde(default = "yes")]
    app_member: bool,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewWebhook {
    space: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewToken {
    principal: String,
    #[serde(default)]
    scopes: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewAccount {
    name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Revoke {
    refresh_token: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Clock {
    advance_ms: u64,
}

pub(crate) fn handle(shared: &Shared, req: &Request) -> Response {
    let what = req.path.trim_start_matches("/_emulator/chat/");
    let mut inner = shared.lock();
    let base_url = shared.base_url.clone();
    let base_now = inner.world.clock.now();
    let chat = &mut inner.chat;
    let result = match (req.method.as_str(), what) {
        ("GET", "state") => Ok(chat.state(base_now)),
        ("POST", "spaces") => parse(&req.body).and_then(|s: NewSpace| {
            let name = chat.create_space(&s.display_name, s.members, s.app_member)?;
            Ok(json!({"name": name}))
        }),
        ("POST", "webhooks") => parse(&req.body).and_then(|w: NewWebhook| {
            let url = chat.create_webhook(&base_url, &w.space)?;
            Ok(json!({"url": url}))
        }),
        ("POST", "tokens") => parse(&req.body).and_then(|t: NewToken| {
            let token = chat.issue_token(&t.principal, &t.scopes)?;
            Ok(json!({"access_token": token, "token_type": "Bearer", "expires_in": 3599}))
        }),
        ("POST", "service_accounts") => parse(&req.body)
            .and_then(|a: NewAccount| chat.create_service_account(&base_url, &a.name)),
        ("POST", "oauth_clients") => Ok(chat.create_oauth_client(&base_url)),
        ("POST", "revoke") => parse(&req.body)
            .map(|r: Revoke| json!({"revoked": chat.revoke_refresh_token(&r.refresh_token)})),
        ("GET", "faults") => Ok(json!({
            "faults": serde_json::to_value(&chat.faults.knobs).unwrap_or_default(),
            "fired": chat.faults.fired,
        })),
        ("POST", "faults") => parse(&req.body).map(|f: ChatFaults| {
            chat.faults.set(f);
            serde_json::to_value(&chat.faults.knobs).unwrap_or_default()
        }),
        ("POST", "clock") => parse(&req.body).map(|c: Clock| {
            chat.offset_us += c.advance_ms * 1000;
            json!({"now": super::time::format_micros(chat.now(base_now))})
        }),
        (
            _,
            "state" | "spaces" | "webhooks" | "tokens" | "service_accounts" | "oauth_clients"
            | "revoke" | "faults" | "clock",
        ) => return Response::text(405, "Method Not Allowed", "method not allowed"),
        _ => return Response::text(404, "Not Found", "Not Found"),
    };
    match result {
        Ok(v) => Response::json(200, &v),
        Err(e) => Response::json(400, &json!({"error": e})),
    }
}

fn parse<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|e| format!("invalid JSON body: {e}"))
}

impl ChatState {
    /// A space with `members` (`users/…`) and the app if `app`.
    pub(crate) fn create_space(
        &mut self,
        display_name: &str,
        members: Vec<String>,
        app: bool,
    ) -> Result<String, String> {
        if let Some(bad) = members
            .iter()
            .find(|m| !m.starts_with("users/") || m.len() < 7)
        {
            return Err(format!("a member is users/<id>, not {bad:?}"));
        }
        Ok(self.world.add_space(display_name, members, app))
    }

    /// An incoming webhook of `space`: its URL.
    pub(crate) fn create_webhook(&mut self, base_url: &str, space: &str) -> Result<String, String> {
        if self.world.space(space).is_none() {
            return Err(format!("unknown space {space:?}"));
        }
        let key = format!("AIza{}", self.world.token(35));
        let token = self.world.token(43);
        let user = format!("users/{}", self.world.ids.next_u64() % 1_000_000_000_000);
        self.auth.webhooks.push(Webhook {
            space: space.into(),
            key: key.clone(),
            token: token.clone(),
            user,
        });
        Ok(format!(
            "{base_url}/v1/{space}/messages?key={key}&token={token}"
        ))
    }

    /// A bearer token for `principal` (`users/…` or `app`) with `scopes`
    /// (full URLs or short names).
    pub(crate) fn issue_token(
        &mut self,
        principal: &str,
        scopes: &[String],
    ) -> Result<String, String> {
        let principal = match principal {
            "app" | "users/app" => Principal::App,
            u if u.starts_with("users/") && u.len() > 6 => Principal::User(u.into()),
            other => {
                return Err(format!(
                    "a principal is \"app\" or users/<id>, not {other:?}"
                ))
            }
        };
        Ok(self.store_grant(Grant {
            principal,
            scopes: scopes.iter().map(|s| short_scope(s)).collect(),
        }))
    }

    /// A new access token for `grant`.
    pub(crate) fn store_grant(&mut self, grant: Grant) -> String {
        let token = format!("ya29.{}", self.world.token(40));
        self.auth.tokens.insert(token.clone(), grant);
        token
    }

    /// A new service account called `name` (its email
    /// `<name>@emulator-project.iam.gserviceaccount.com`): its key file.
    pub(crate) fn create_service_account(
        &mut self,
        base_url: &str,
        name: &str,
    ) -> Result<Value, String> {
        let ok = !name.is_empty()
            && name.len() <= 30
            && name
                .bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-');
        if !ok {
            return Err(format!(
                "a service account name is [a-z0-9-]{{1,30}}, not {name:?}"
            ));
        }
        let email = format!("{name}@emulator-project.iam.gserviceaccount.com");
        if self.auth.accounts.iter().any(|a| a.email == email) {
            return Err(format!("{email} already exists"));
        }
        let account = Account {
            email,
            key_id: self.world.token(40).to_ascii_lowercase(),
            client_id: (100_000_000_000_000_000_000u128 + u128::from(self.world.ids.next_u64()))
                .to_string(),
        };
        let file = key_file(&account, base_url);
        self.auth.accounts.push(account);
        Ok(file)
    }

    /// The world, the knobs and the counters.
    pub(crate) fn state(&mut self, base_now: u64) -> Value {
        let mut v = self.world.summary();
        v["now"] = json!(super::time::format_micros(self.now(base_now)));
        v["requests"] = json!(self.requests);
        v["faults"] = serde_json::to_value(&self.faults.knobs).unwrap_or_default();
        v["fired"] = json!(self.faults.fired);
        v["webhooks"] = json!(self
            .auth
            .webhooks
            .iter()
            .map(|w| json!({"space": w.space, "user": w.user}))
            .collect::<Vec<_>>());
        v
    }
}
