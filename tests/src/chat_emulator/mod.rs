//! The Google Chat emulator: a fake `chat.googleapis.com` serving the
//! `spaces.messages` REST methods under `/v1/` on the same server as the
//! Hangouts [`emulator`](crate::emulator) (same port, same thread, same
//! clock), with its own world, tokens, webhooks, quota and fault knobs.
//!
//! ```
//! use hangups_tests::emulator::{Emulator, EmulatorConfig};
//!
//! let emu = Emulator::start(EmulatorConfig::default())?;
//! let space = emu.chat_create_space("Builds", &["users/42"])?;
//! let token = emu.chat_token("app", &["https://www.googleapis.com/auth/chat.bot"])?;
//! let hook = emu.chat_webhook(&space)?;
//! assert!(hook.starts_with(&format!("{}/v1/{space}/messages?key=", emu.url())));
//! assert!(token.starts_with("ya29."));
//! assert_eq!(emu.chat_state()["spaces"][0]["name"], space.as_str());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # API routes
//!
//! | method | HTTP | path |
//! |---|---|---|
//! | create | `POST` | `/v1/spaces/{space}/messages` |
//! | list | `GET` | `/v1/spaces/{space}/messages` |
//! | get | `GET` | `/v1/spaces/{space}/messages/{message}` |
//! | patch / update | `PATCH` / `PUT` | `/v1/spaces/{space}/messages/{message}` |
//! | delete | `DELETE` | `/v1/spaces/{space}/messages/{message}` |
//! | token (service account, user) | `POST` | `/token` (form-encoded) |
//! | user consent (answered at once) | `GET` | `/o/oauth2/auth` |
//!
//! `{message}` is the server id (`AbCd….EfGh…`) or the client-assigned id
//! (`client-…`). Errors come in Google's envelope `{"error": {"code",
//! "message", "status", "details"}}` (INVALID_ARGUMENT 400 with a
//! `BadRequest` naming the field, FAILED_PRECONDITION 400, UNAUTHENTICATED
//! 401 with `WWW-Authenticate`, PERMISSION_DENIED 403, NOT_FOUND 404,
//! ALREADY_EXISTS 409, RESOURCE_EXHAUSTED 429 with `ErrorInfo` reason
//! `RATE_LIMIT_EXCEEDED` and `RetryInfo`, INTERNAL 500, UNAVAILABLE 503).
//! Responses are pretty JSON (`prettyPrint=false`: compact); `alt=json`
//! and `$alt=json;enum-encoding=int` are accepted, the latter answering
//! enums (`sender.type`, `deletionMetadata.deletionType`) as numbers; other
//! `alt` values are INVALID_ARGUMENT.
//!
//! ## Callers
//!
//! - `Authorization: Bearer <token>` (or `access_token=` in the query) with
//!   a token from the control API. Scopes (full URLs or short names): an
//!   app (`"app"`) needs `chat.bot` to create, get, patch, update and
//!   delete, and `chat.app.messages.readonly` to list (and get); `chat.bot`
//!   alone cannot list: PERMISSION_DENIED with ErrorInfo
//!   `ACCESS_TOKEN_SCOPE_INSUFFICIENT`. A user (`users/…`) needs
//!   `chat.messages` (all), `chat.messages.create` (create) or
//!   `chat.messages.readonly` (get, list). No token or an unknown one:
//!   401 UNAUTHENTICATED.
//! - The caller must be a member of the space: an app that is not gets 403
//!   PERMISSION_DENIED, a user 404 NOT_FOUND (the space is hidden). An
//!   unknown space is 404.
//! - Incoming webhooks: `POST /v1/spaces/X/messages?key=K&token=T`, no
//!   OAuth, create only (other methods: 403); the response holds only
//!   `name` and `thread.name`. A webhook is its own BOT user, so its thread
//!   keys are its own.
//! - Service accounts (key files from the control API): `POST /token`
//!   form-encoded `grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`
//!   `&assertion=JWT` (RS256, header `kid` = `private_key_id`, claims `iss`
//!   = `client_email`, `aud` = the key file's `token_uri`, `scope`
//!   space-separated, `iat`, `exp` ≤ `iat` + 3600, not expired, `iat` at
//!   most 5 min ahead of the emulator clock) → `{"access_token",
//!   "expires_in": 3599, "token_type": "Bearer"}` for the app, or with
//!   `sub` (an email, not the account's own) for the user `users/<sub>`
//!   (domain-wide delegation; list that name among the space's members).
//!   Failures: 400 `{"error", "error_description"}` with `invalid_grant`
//!   (bad signature, unknown account or `kid`, wrong `aud`, times),
//!   `invalid_scope` (no scope), `unsupported_grant_type`,
//!   `invalid_request`. A **self-signed JWT** is also accepted directly as
//!   the bearer token (what the GAPIC client sends): same signature and
//!   time checks, `sub` absent or the account's email, `aud` absent or
//!   `https://chat.googleapis.com/`; the caller is the app with the
//!   `scope` claim's scopes; anything wrong is 401.
//! - Users of an installed app (client files from the control API):
//!   `GET /o/oauth2/auth?response_type=code&client_id&redirect_uri&scope`
//!   `&code_challenge&code_challenge_method=S256&state` consents at once as
//!   the user named by `user` or `login_hint` (`users/<id>` or `<id>`;
//!   `users/self` if none) and answers 302 to the loopback `redirect_uri`
//!   (`http://127.0.0.1[:port]`, `localhost`, `[::1]`) with `code`,
//!   `scope` and `state`; `consent=deny` redirects with
//!   `error=access_denied`, a missing S256 challenge with
//!   `error=invalid_request`; an unknown client is 401, another
//!   `redirect_uri` 400 (no redirect). `POST /token`
//!   `grant_type=authorization_code&code&code_verifier&redirect_uri`
//!   `&client_id[&client_secret]`: the verifier's S256 must be the
//!   challenge, each code works once (a failed try uses it up), the
//!   `redirect_uri` must match → `{"access_token", "expires_in": 3599,
//!   "refresh_token", "scope"}`; `grant_type=refresh_token&refresh_token`
//!   `&client_id` → a new access token. The tokens act as the user with the
//!   consented scopes. Failures: 400 `invalid_grant` (bad code, verifier
//!   or refresh token), `redirect_uri_mismatch`, `invalid_client`.
//! - Only the sender may edit or delete a message (else 403).
//!
//! ## Rules
//!
//! - **create**: `requestId` — the same id from the same caller in the
//!   same space returns the message it created, as it is now, whatever the
//!   new body says; from another caller: 409 ALREADY_EXISTS. `messageId` —
//!   `client-` then `[a-z0-9-]`, at most 63 characters (else 400), unique
//!   in the space (else 409); the message is then reachable as
//!   `spaces/X/messages/client-…` and carries `clientAssignedMessageId`.
//!   Threading: without `messageReplyOption` (or with
//!   `MESSAGE_REPLY_OPTION_UNSPECIFIED`/`0`) every message starts a new
//!   thread and `thread.threadKey`/`thread.name` are ignored, as Google does.
//!   With `REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD` (`1`) or
//!   `REPLY_MESSAGE_OR_FAIL` (`2`): `thread.name` of an existing thread of
//!   the space replies to it; else `thread.threadKey` (or the deprecated
//!   `threadKey` query parameter; ≤ 4,000 characters) replies to the thread
//!   the same caller named with that key, or starts one under that key.
//!   `REPLY_MESSAGE_OR_FAIL` with an unknown `thread.name` (or with neither
//!   name nor key) is 404 NOT_FOUND; the fallback starts a new thread.
//!   `text` over 32,000 bytes, or cards over 32,000 bytes of JSON: 400; no
//!   `text`, `cardsV2`, `cards` or `attachment`: 400 "Message cannot be
//!   empty". Unknown body fields: 400. Output-only fields are ignored.
//! - **list**: `pageSize` default 25, at most 1,000 (larger is clamped),
//!   negative 400; `pageToken` is opaque and only valid with the same
//!   `filter`, `orderBy` and `showDeleted` (else 400); `filter` joins with
//!   ` AND ` the clauses `create_time > "RFC-3339"`, `create_time <
//!   "RFC-3339"` and at most one `thread.name = spaces/X/threads/Y`
//!   (anything else 400); `orderBy` `create_time ASC` (default) or `DESC`;
//!   `showDeleted=true` lists deleted messages with `deleteTime`,
//!   `deletionMetadata` and no content. No message: `{}`.
//! - **patch** (PATCH) and **update** (PUT): `updateMask` is required
//!   (400), comma-separated paths in snake_case or camelCase: `text`,
//!   `attachment`, `cards`, `cards_v2`, `accessory_widgets`,
//!   `quoted_message_metadata` (removal only), `*`; others 400. A masked
//!   field absent from the body is cleared. `allowMissing=true` on a
//!   missing `client-…` name creates the message (mask ignored) in a new
//!   thread. Sets `lastUpdateTime`.
//! - **delete** returns `{}`; the message stays for `showDeleted`. With a
//!   user's token, deleting the first message of a thread that has
//!   replies needs `force=true` (which deletes the replies too), else 400
//!   FAILED_PRECONDITION. Deleted messages are 404 to get, patch, delete.
//! - **Quota**: 60 writes (create, patch, update, delete, webhooks) per
//!   space per minute of the emulator clock (see [`ChatFaults`] to change
//!   it, `POST /_emulator/chat/clock` to move time), and 900 reads (get,
//!   list) per space per minute; over either: 429 RESOURCE_EXHAUSTED,
//!   ErrorInfo `RATE_LIMIT_EXCEEDED`, RetryInfo with the whole seconds
//!   until a slot frees up. Every call that passes authentication and
//!   membership takes a slot, even one that then fails validation.
//!
//! # Control API
//!
//! JSON over HTTP, no credentials; errors are `400 {"error": "…"}`.
//!
//! - `POST /_emulator/chat/spaces` `{"displayName", "members"?: ["users/…"],
//!   "appMember"?: true}` → `{"name": "spaces/…"}`: a space, the app a
//!   member unless `appMember` is false;
//! - `POST /_emulator/chat/webhooks` `{"space"}` → `{"url"}`: the full URL
//!   to POST to (`…/v1/spaces/X/messages?key=…&token=…`);
//! - `POST /_emulator/chat/tokens` `{"principal": "app" | "users/…",
//!   "scopes": [...]}` → `{"access_token", "token_type": "Bearer",
//!   "expires_in"}`;
//! - `POST /_emulator/chat/service_accounts` `{"name"}` → the key file
//!   JSON (`type`, `project_id`, `private_key_id`, `private_key` PKCS#8 PEM,
//!   `client_email` = `<name>@emulator-project.iam.gserviceaccount.com`,
//!   `client_id`, `token_uri` = `<emulator>/token`, …);
//! - `POST /_emulator/chat/oauth_clients` `{}` → an installed-app client
//!   file `{"installed": {"client_id", "client_secret", "auth_uri" =
//!   <emulator>/o/oauth2/auth, "token_uri" = <emulator>/token, …}}`;
//! - `POST /_emulator/chat/revoke` `{"refresh_token"}` → `{"revoked"}`:
//!   forgets a user's refresh token;
//! - `POST /_emulator/chat/faults` with [`ChatFaults`] as JSON → the knobs
//!   now set; `GET /_emulator/chat/faults` → `{faults, fired}`;
//! - `POST /_emulator/chat/clock` `{"advance_ms"}` → `{"now"}`: moves the
//!   Chat clock forward (quota windows, `createTime`);
//! - `GET /_emulator/chat/state` → `{now, spaces, threads, messages (as the
//!   API shows them, deleted ones too), webhooks, requests: {total, create,
//!   get, list, update, delete, token, authorize}, faults, fired: {fail, cut, stall, quota}}`.
//!
//! The same in process: [`EmulatorHandle::chat_create_space`](crate::emulator::EmulatorHandle::chat_create_space)
//! and the other `chat_*` methods of the handle.

mod api;
mod auth;
mod body;
pub mod browser;
mod control;
mod error;
mod faults;
mod handle;
mod list;
mod messages;
mod service_accounts;
mod time;
mod token;
mod user_oauth;
mod world;

pub use faults::ChatFaults;

pub(crate) use api::{serve, stall_before};
pub(crate) use control::handle as control;
pub(crate) use token::handle as token_endpoint;

/// `GET /o/oauth2/auth` (user OAuth consent, answered at once).
pub(crate) fn authorize_endpoint(shared: &crate::emulator::Shared, req: &Request) -> Response {
    shared.lock().chat.authorize(req)
}

use crate::emulator::http::{Request, Response};
use std::collections::BTreeMap;
use std::time::Duration;

/// The Chat side of the emulator's state (behind the emulator's lock).
#[derive(Debug)]
pub(crate) struct ChatState {
    world: world::ChatWorld,
    auth: auth::Auth,
    faults: faults::FaultState,
    /// Requests by method (and `total`).
    requests: BTreeMap<&'static str, u64>,
    /// How far the Chat clock is ahead of the emulator's.
    offset_us: u64,
    /// The last timestamp handed out (they never repeat).
    last_us: u64,
}

impl ChatState {
    pub(crate) fn new(seed: u64) -> Self {
        ChatState {
            world: world::ChatWorld::new(seed),
            auth: auth::Auth {
                public_key: service_accounts::public_key(),
                ..auth::Auth::default()
            },
            faults: faults::FaultState::default(),
            requests: BTreeMap::new(),
            offset_us: 0,
            last_us: 0,
        }
    }

    fn count(&mut self, what: &'static str) {
        *self.requests.entry(what).or_insert(0) += 1;
    }

    /// The Chat clock, from the emulator's clock reading `base`.
    fn now(&mut self, base: u64) -> u64 {
        self.last_us = self.last_us.max(base + self.offset_us);
        self.last_us
    }

    /// A fresh timestamp, after every one handed out.
    fn tick(&mut self, now: u64) -> u64 {
        self.last_us = (self.last_us + 1).max(now);
        self.last_us
    }
}

/// One call being served.
pub(crate) struct Ctx<'a> {
    chat: &'a mut ChatState,
    req: &'a Request,
    now: u64,
    caller: world::Principal,
    space: String,
}

/// What the HTTP server does with a `/v1/` request.
pub(crate) struct Reply {
    /// The response to write.
    pub response: Response,
    /// Wait this long first.
    pub stall: Option<Duration>,
    /// Drop the connection instead of answering.
    pub cut: bool,
}

impl Reply {
    fn now(response: Response) -> Self {
        Reply {
            response,
            stall: None,
            cut: false,
        }
    }
}
