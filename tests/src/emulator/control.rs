//! The JSON control API under `/_emulator/` (listed in the
//! [module docs](super#control-api)). No credentials: it is the test's
//! side door into the world.

use super::http::{Request, Response};
use super::{Faults, Inner, Shared};
use hangups_proto::hangouts::{
    ConversationNotification, ConversationType, StateUpdateKind, TypingType,
};
use serde::Deserialize;
use serde_json::{json, Value};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewMessage {
    conversation_id: String,
    sender_id: String,
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewUser {
    id: String,
    name: String,
    #[serde(default)]
    email: Option<String>,
    /// An E.164 number: a phone (Google Voice) user.
    #[serde(default)]
    phone: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewConversation {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    name: Option<String>,
    participants: Vec<String>,
    #[serde(rename = "type")]
    kind: String,
    /// The sort timestamp (µs) instead of the creation time.
    #[serde(default)]
    sort_timestamp: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Archive {
    conversation_id: String,
    #[serde(default)]
    user: Option<String>,
    archived: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Otr {
    conversation_id: String,
    #[serde(default)]
    user: Option<String>,
    off_the_record: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Hangout {
    conversation_id: String,
    sender_id: String,
    event: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Deltas {
    partial: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Typing {
    conversation_id: String,
    sender_id: String,
    #[serde(rename = "type")]
    kind: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Observed {
    conversation_id: String,
    sender_id: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReadStates {
    conversation_id: String,
    zero: bool,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct SessionRequest {
    #[serde(default)]
    user: Option<String>,
}

pub(crate) fn handle(shared: &Shared, req: &Request) -> Response {
    let what = req.path.trim_start_matches("/_emulator/");
    let result = match (req.method.as_str(), what) {
        ("GET", "state") => Ok(shared.lock().state()),
        ("POST", "messages") => parse(&req.body).and_then(|m: NewMessage| {
            let id = shared
                .lock()
                .inject_message(&m.conversation_id, &m.sender_id, &m.text)?;
            Ok(json!({"event_id": id}))
        }),
        ("POST", "users") => parse(&req.body).and_then(|u: NewUser| {
            let mut inner = shared.lock();
            match (&u.phone, &u.email) {
                (Some(phone), None) => inner.world.add_phone_user(&u.id, &u.name, phone)?,
                (Some(_), Some(_)) => return Err("a phone user has no email".into()),
                (None, _) => inner.world.add_user(&u.id, &u.name, u.email.as_deref())?,
            }
            Ok(user_json(&inner, &u.id))
        }),
        ("POST", "conversations") => parse(&req.body).and_then(|c: NewConversation| {
            let group = match c.kind.as_str() {
                "group" => true,
                "one_to_one" => false,
                other => return Err(format!("unknown type {other:?}")),
            };
            let id = create_conversation(
                &mut shared.lock(),
                c.id,
                c.name,
                group,
                c.participants,
                c.sort_timestamp,
            )?;
            Ok(json!({"id": id}))
        }),
        ("POST", "archive") => parse(&req.body).and_then(|a: Archive| {
            let mut inner = shared.lock();
            let user = a.user.unwrap_or_else(|| inner.world.self_user.clone());
            inner
                .world
                .set_archived(&user, &a.conversation_id, a.archived)
                .map_err(|f| f.description)?;
            inner.deliver();
            Ok(json!({}))
        }),
        ("POST", "otr") => parse(&req.body).and_then(|o: Otr| {
            let mut inner = shared.lock();
            let user = o.user.unwrap_or_else(|| inner.world.self_user.clone());
            let id = inner.set_off_the_record(&o.conversation_id, &user, o.off_the_record)?;
            Ok(json!({"event_id": id}))
        }),
        ("POST", "hangouts") => parse(&req.body).and_then(|h: Hangout| {
            let start = match h.event.as_str() {
                "start" => true,
                "end" => false,
                other => return Err(format!("unknown hangout event {other:?}")),
            };
            let id = shared
                .lock()
                .hangout(&h.conversation_id, &h.sender_id, start)?;
            Ok(json!({"event_id": id}))
        }),
        ("POST", "deltas") => parse(&req.body).map(|d: Deltas| {
            shared.lock().world.partial_deltas = d.partial;
            json!({"partial": d.partial})
        }),
        ("POST", "typing") => parse(&req.body).and_then(|t: Typing| {
            let kind = match t.kind.as_str() {
                "started" => TypingType::TYPING_TYPE_STARTED,
                "paused" => TypingType::TYPING_TYPE_PAUSED,
                "stopped" => TypingType::TYPING_TYPE_STOPPED,
                other => return Err(format!("unknown typing type {other:?}")),
            };
            let ts = shared
                .lock()
                .typing(&t.conversation_id, &t.sender_id, kind)?;
            Ok(json!({"timestamp": ts}))
        }),
        ("POST", "observed") => parse(&req.body).and_then(|o: Observed| {
            let id = shared
                .lock()
                .observed_event(&o.conversation_id, &o.sender_id)?;
            Ok(json!({"event_id": id}))
        }),
        ("POST", "read_states") => parse(&req.body).and_then(|r: ReadStates| {
            shared
                .lock()
                .world
                .set_zero_read_states(&r.conversation_id, r.zero)?;
            Ok(json!({"conversation_id": r.conversation_id, "zero": r.zero}))
        }),
        ("GET", "faults") => {
            let inner = shared.lock();
            Ok(json!({
                "faults": serde_json::to_value(inner.faults.current()).unwrap_or_default(),
                "fired": serde_json::to_value(inner.faults.fired()).unwrap_or_default(),
            }))
        }
        ("POST", "faults") => parse(&req.body).map(|f: Faults| {
            let mut inner = shared.lock();
            inner.set_faults(f);
            serde_json::to_value(inner.faults.current()).unwrap_or_default()
        }),
        ("POST", "session") => {
            let body: Result<SessionRequest, String> = if req.body.is_empty() {
                Ok(SessionRequest::default())
            } else {
                parse(&req.body)
            };
            body.and_then(|s| {
                let inner = shared.lock();
                let user = s.user.unwrap_or_else(|| inner.world.self_user.clone());
                if inner.world.user(&user).is_none() {
                    return Err(format!("unknown user {user:?}"));
                }
                Ok(user_json(&inner, &user))
            })
        }
        ("POST", "oauth") => session_user(shared, req).map(|user| {
            let mut inner = shared.lock();
            json!({
                "user": user,
                "code": inner.auth_code(&user),
                "refresh_token": inner.refresh_token(&user),
                "revoked_refresh_token": inner.revoked_refresh_token(&user),
            })
        }),
        ("POST", "expire_cookies") => session_user(shared, req).and_then(|user| {
            let mut inner = shared.lock();
            inner.expire_cookies(&user)?;
            Ok(user_json(&inner, &user))
        }),
        (
            _,
            "state" | "messages" | "users" | "conversations" | "archive" | "otr" | "hangouts"
            | "deltas" | "typing" | "observed" | "read_states" | "faults" | "session" | "oauth"
            | "expire_cookies",
        ) => {
            return Response::text(405, "Method Not Allowed", "method not allowed");
        }
        _ => return Response::text(404, "Not Found", "Not Found"),
    };
    match result {
        Ok(v) => Response::json(200, &v),
        Err(e) => Response::json(400, &json!({"error": e})),
    }
}

/// The `{user?}` of a body (the self user when empty), checked to exist.
fn session_user(shared: &Shared, req: &Request) -> Result<String, String> {
    let body: SessionRequest = if req.body.is_empty() {
        SessionRequest::default()
    } else {
        parse(&req.body)?
    };
    let inner = shared.lock();
    let user = body.user.unwrap_or_else(|| inner.world.self_user.clone());
    if inner.world.user(&user).is_none() {
        return Err(format!("unknown user {user:?}"));
    }
    Ok(user)
}

fn parse<T: for<'de> Deserialize<'de>>(body: &[u8]) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|e| format!("invalid JSON body: {e}"))
}

/// A user with its cookie set (`cookies` as `[[name, value], ..]`).
fn user_json(inner: &Inner, id: &str) -> Value {
    let u = inner.world.user(id).expect("checked");
    json!({
        "user": u.id,
        "name": u.name,
        "email": u.email,
        "phone": u.phone,
        "cookies": u.cookies.iter().map(|(n, v)| json!([n, v])).collect::<Vec<_>>(),
    })
}

/// Creates a conversation of `participants` (the first is the creator),
/// sorted at `sort_timestamp` if given (else its creation time), and
/// pushes it to them.
pub(crate) fn create_conversation(
    inner: &mut Inner,
    id: Option<String>,
    name: Option<String>,
    group: bool,
    participants: Vec<String>,
    sort_timestamp: Option<u64>,
) -> Result<String, String> {
    let mut unique: Vec<String> = Vec::new();
    for p in participants {
        if !unique.contains(&p) {
            unique.push(p);
        }
    }
    let kind = if group {
        if unique.len() < 2 {
            return Err("a group needs at least two participants".into());
        }
        ConversationType::CONVERSATION_TYPE_GROUP
    } else {
        if unique.len() != 2 {
            return Err("a one-to-one conversation needs two participants".into());
        }
        ConversationType::CONVERSATION_TYPE_ONE_TO_ONE
    };
    let pending = inner.world.outbox.len();
    let ci = inner.world.new_conversation(id, kind, name, unique, None)?;
    if let Some(ts) = sort_timestamp {
        inner.world.convs[ci].sort_us = ts;
        // The pushes of the new conversation say so too.
        let views: Vec<_> = inner.world.outbox[pending..]
            .iter()
            .map(|p| {
                inner
                    .world
                    .conversation_view(&inner.world.convs[ci], &p.user)
            })
            .collect();
        for (push, view) in inner.world.outbox[pending..].iter_mut().zip(views) {
            push.update.conversation = Some(Box::new(view.clone()));
            push.update.state_update =
                StateUpdateKind::ConversationNotification(ConversationNotification {
                    conversation: Some(Box::new(view)),
                });
        }
    }
    let id = inner.world.convs[ci].id.clone();
    inner.deliver();
    Ok(id)
}
