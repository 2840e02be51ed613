//! The `/v1/` router: injected failures, system parameters, the caller
//! and its membership, the per-space write quota, the method, and how the
//! answer is written (enum encoding, pretty JSON, stall, cut).

use super::auth::Verb;
use super::error::{ChatError, ChatResult, Status};
use super::world::Principal;
use super::{list, messages, Ctx, Reply};
use crate::emulator::http::{Request, Response};
use crate::emulator::Shared;
use serde_json::Value;
use std::time::Duration;

/// A minute in µs: the quota window.
const MINUTE_US: u64 = 60_000_000;

/// How long to hold a `/v1/…` request before it is served at all
/// (`stall_before_apply`).
pub(crate) fn stall_before(shared: &Shared) -> Option<Duration> {
    let mut inner = shared.lock();
    inner
        .chat
        .faults
        .take_stall(true)
        .map(Duration::from_millis)
}

/// Serves one `/v1/…` request.
pub(crate) fn serve(shared: &Shared, req: &Request) -> Reply {
    let mut inner = shared.lock();
    let base = inner.world.clock.now();
    let chat = &mut inner.chat;
    chat.count("total");
    if let Some((status, delay)) = chat.faults.take_fail() {
        let s = Status::from_http(status);
        let mut e = ChatError::new(s, format!("Injected {} ({status}).", s.name()));
        if s == Status::ResourceExhausted {
            e = ChatError::rate_limited("Injected quota failure.", delay);
        } else if let Some(ms) = delay {
            e = e.with_detail(serde_json::json!({
                "@type": "type.googleapis.com/google.rpc.RetryInfo",
                "retryDelay": super::error::duration_text(ms),
            }));
        }
        let mut resp = error_response(&e, status);
        if let Some(ms) = delay {
            resp.headers
                .push(("Retry-After".into(), ms.div_ceil(1000).to_string()));
        }
        return Reply::now(resp);
    }
    let now = chat.now(base);
    let enum_int = [req.param("$alt"), req.param("alt")]
        .into_iter()
        .flatten()
        .any(|a| a.split(';').any(|p| p.trim() == "enum-encoding=int"));
    let pretty = req.param("prettyPrint") != Some("false");
    let result = dispatch(chat, req, now);
    let resp = match result {
        Ok(mut v) => {
            if enum_int {
                ints(&mut v);
            }
            let text = if pretty {
                serde_json::to_string_pretty(&v).unwrap_or_default()
            } else {
                v.to_string()
            };
            Response::new(200, "OK", "application/json; charset=UTF-8", text)
        }
        Err(e) => {
            if e.status == Status::ResourceExhausted {
                chat.faults.count("quota");
            }
            error_response(&e, e.status.http())
        }
    };
    let stall = chat.faults.take_stall(false).map(Duration::from_millis);
    let cut = chat.faults.take_cut();
    Reply {
        response: resp,
        stall,
        cut,
    }
}

fn error_response(e: &ChatError, status: u16) -> Response {
    let text = serde_json::to_string_pretty(&e.body()).unwrap_or_default();
    let mut r = Response::new(
        status,
        crate::emulator::http::reason_for(status),
        "application/json; charset=UTF-8",
        text,
    );
    if e.status == Status::Unauthenticated {
        r.headers.push((
            "WWW-Authenticate".into(),
            "Bearer realm=\"https://accounts.google.com/\"".into(),
        ));
    }
    r
}

/// Which method a path and HTTP method name: `(verb, space, message)`.
fn route(req: &Request) -> ChatResult<(Verb, String, Option<String>)> {
    let path = req.path.trim_start_matches("/v1/");
    let parts: Vec<&str> = path.split('/').collect();
    let (space, message) = match parts.as_slice() {
        ["spaces", s, "messages"] if !s.is_empty() => (format!("spaces/{s}"), None),
        ["spaces", s, "messages", m] if !s.is_empty() && !m.is_empty() => (
            format!("spaces/{s}"),
            Some(format!("spaces/{s}/messages/{m}")),
        ),
        _ => {
            return Err(ChatError::new(
                Status::NotFound,
                format!("Method not found: {} {}.", req.method, req.path),
            ))
        }
    };
    let verb = match (req.method.as_str(), message.is_some()) {
        ("POST", false) => Verb::Create,
        ("GET", false) => Verb::List,
        ("GET", true) => Verb::Get,
        ("PATCH" | "PUT", true) => Verb::Update,
        ("DELETE", true) => Verb::Delete,
        _ => {
            return Err(ChatError::new(
                Status::NotFound,
                format!("Method not found: {} {}.", req.method, req.path),
            ))
        }
    };
    Ok((verb, space, message))
}

fn dispatch(chat: &mut super::ChatState, req: &Request, now: u64) -> ChatResult<Value> {
    let (verb, space, message) = route(req)?;
    chat.count(verb.name());
    for alt in [req.param("alt"), req.param("$alt")].into_iter().flatten() {
        if alt.split(';').next().map(str::trim) != Some("json") {
            return Err(ChatError::invalid(
                "alt",
                format!("Unsupported alt {alt:?}."),
            ));
        }
    }
    let caller = chat.auth.caller(req, verb, &space, now)?;
    let Some(s) = chat.world.space(&space) else {
        return Err(ChatError::not_found(&format!("Space {space}")));
    };
    if caller == Principal::App && chat.faults.knobs.app_not_configured {
        return Err(ChatError::new(
            Status::NotFound,
            "Google Chat app not found. To create a Chat app, you must turn on the Chat API \
             and configure the app in the Google Cloud console.",
        )
        .with_detail(serde_json::json!({
            "@type": "type.googleapis.com/google.rpc.Help",
            "links": [{
                "description": "To configure a Chat app, see the Chat API configuration page.",
                "url": "https://developers.google.com/workspace/chat/configure-chat-api",
            }],
        })));
    }
    let member = match &caller {
        Principal::Webhook(_) => true,
        other => s.members.contains(&other.user_name()),
    };
    if !member {
        return Err(match caller {
            Principal::App => ChatError::denied(
                "The caller does not have permission: the app is not a member of the space.",
            ),
            _ => ChatError::not_found(&format!("Space {space}")),
        });
    }
    let (limit, metric) = if verb.is_write() {
        (chat.faults.writes_per_minute(), "Write requests per space")
    } else {
        (chat.faults.reads_per_minute(), "Read requests per space")
    };
    let s = chat.world.space_mut(&space).expect("checked");
    let window = if verb.is_write() {
        &mut s.writes
    } else {
        &mut s.reads
    };
    take_quota(window, limit as usize, now).map_err(|wait_ms| {
        ChatError::rate_limited(
            &format!(
                "Quota exceeded for quota metric '{metric}' of service \
                 'chat.googleapis.com' for {space}."
            ),
            Some(wait_ms),
        )
    })?;
    let mut ctx = Ctx {
        chat,
        req,
        now,
        caller,
        space,
    };
    match (verb, message) {
        (Verb::Create, _) => messages::create(&mut ctx),
        (Verb::List, _) => list::list(&mut ctx),
        (Verb::Get, Some(m)) => messages::get(&mut ctx, &m),
        (Verb::Update, Some(m)) => messages::update(&mut ctx, &m),
        (Verb::Delete, Some(m)) => messages::delete(&mut ctx, &m),
        _ => Err(ChatError::new(Status::NotFound, "Method not found.")),
    }
}

/// Takes one slot of a per-minute quota whose recent uses are `window`;
/// when it is full, the whole seconds (in ms) until a slot frees up.
fn take_quota(
    window: &mut std::collections::VecDeque<u64>,
    limit: usize,
    now: u64,
) -> Result<(), u64> {
    while window.front().is_some_and(|t| t + MINUTE_US <= now) {
        window.pop_front();
    }
    if window.len() >= limit {
        let oldest = *window.front().unwrap_or(&now);
        let wait_s = (oldest + MINUTE_US).saturating_sub(now).div_ceil(1_000_000);
        return Err(wait_s.max(1) * 1000);
    }
    window.push_back(now);
    Ok(())
}

/// Enums as their numbers (`$alt=json;enum-encoding=int`).
fn ints(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, val) in map.iter_mut() {
                let n = match (k.as_str(), val.as_str()) {
                    ("type", Some("TYPE_UNSPECIFIED")) => Some(0),
                    ("type", Some("HUMAN")) => Some(1),
                    ("type", Some("BOT")) => Some(2),
                    ("deletionType", Some(t)) => [
                        "DELETION_TYPE_UNSPECIFIED",
                        "CREATOR",
                        "SPACE_OWNER",
                        "ADMIN",
                        "APP_MESSAGE_EXPIRY",
                        "CREATOR_VIA_APP",
                        "SPACE_OWNER_VIA_APP",
                        "SPACE_MEMBER",
                    ]
                    .iter()
                    .position(|e| *e == t),
                    _ => None,
                };
                match n {
                    Some(n) => *val = Value::from(n),
                    None => ints(val),
                }
            }
        }
        Value::Array(a) => a.iter_mut().for_each(ints),
        _ => {}
    }
}
