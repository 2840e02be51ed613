//! `spaces.messages` create, get, patch/update and delete.

use super::body;
use super::error::{ChatError, ChatResult, Status};
use super::world::{Message, Principal, RequestRecord};
use super::Ctx;
use serde_json::{json, Map, Value};

/// How a create threads (`messageReplyOption`, by name or number).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReplyOption {
    NewThread,
    FallbackToNew,
    OrFail,
}

fn reply_option(value: Option<&str>) -> ChatResult<ReplyOption> {
    match value.unwrap_or("") {
        "" | "MESSAGE_REPLY_OPTION_UNSPECIFIED" | "0" => Ok(ReplyOption::NewThread),
        "REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD" | "1" => Ok(ReplyOption::FallbackToNew),
        "REPLY_MESSAGE_OR_FAIL" | "2" => Ok(ReplyOption::OrFail),
        other => Err(ChatError::invalid(
            "message_reply_option",
            format!("Invalid value at 'message_reply_option' ({other:?})."),
        )),
    }
}

/// `spaces.messages.create`.
pub(crate) fn create(ctx: &mut Ctx<'_>) -> ChatResult<Value> {
    let req = ctx.req;
    let body = body::parse(&req.body)?;
    let scope = ctx.caller.scope();
    let request_id = req.param("requestId").filter(|r| !r.is_empty());
    if let Some(rid) = request_id {
        let key = (ctx.space.clone(), rid.to_string());
        if let Some(rec) = ctx.chat.world.requests.get(&key) {
            if rec.caller != scope {
                return Err(ChatError::new(
                    Status::AlreadyExists,
                    format!("Request id {rid:?} was already used by another caller."),
                ));
            }
            let i = ctx.chat.world.find(&rec.message).ok_or_else(|| {
                ChatError::new(Status::Internal, "the message of the request id is gone")
            })?;
            return Ok(ctx.chat.world.messages[i].to_json());
        }
    }
    let option = reply_option(req.param("messageReplyOption"))?;
    let client_id = req.param("messageId").filter(|m| !m.is_empty());
    if let Some(id) = client_id {
        if !body::valid_client_id(id) {
            return Err(ChatError::invalid(
                "message_id",
                format!(
                    "Invalid message id {id:?}: it must start with \"client-\" and hold at \
                     most 63 characters of a-z, 0-9 and -."
                ),
            ));
        }
        if ctx.chat.world.client_id_taken(&ctx.space, id) {
            return Err(ChatError::new(
                Status::AlreadyExists,
                format!("Message {}/messages/{id} already exists.", ctx.space),
            ));
        }
    }
    let content = body::content(&body);
    body::check(&content)?;
    let (body_key, thread_name) = body::thread_fields(&body);
    let key = body_key.or_else(|| req.param("threadKey").map(str::to_string));
    if key.as_ref().is_some_and(|k| k.len() > 4000) {
        return Err(ChatError::invalid(
            "thread.thread_key",
            "A thread key is at most 4000 characters.",
        ));
    }
    let (thread, reply) = choose_thread(ctx, option, key, thread_name, &scope)?;
    let name = insert(ctx, content, thread, reply, client_id.map(str::to_string));
    if let Some(rid) = request_id {
        ctx.chat.world.requests.insert(
            (ctx.space.clone(), rid.to_string()),
            RequestRecord {
                caller: scope,
                message: name.clone(),
            },
        );
    }
    let i = ctx.chat.world.find(&name).expect("just inserted");
    let m = ctx.chat.world.messages[i].to_json();
    if matches!(ctx.caller, Principal::Webhook(_)) {
        return Ok(json!({"name": m["name"], "thread": {"name": m["thread"]["name"]}}));
    }
    Ok(m)
}

/// The thread a new message goes to, and whether it is a reply.
fn choose_thread(
    ctx: &mut Ctx<'_>,
    option: ReplyOption,
    key: Option<String>,
    thread_name: Option<String>,
    scope: &str,
) -> ChatResult<(String, bool)> {
    let world = &mut ctx.chat.world;
    if option == ReplyOption::NewThread {
        // Google ignores thread.name and threadKey without a reply option.
        return Ok((world.new_thread(&ctx.space, None), false));
    }
    if let Some(name) = thread_name {
        let here = name.starts_with(&format!("{}/threads/", ctx.space));
        if here && world.thread_exists(&name) {
            return Ok((name, true));
        }
        if option == ReplyOption::OrFail {
            return Err(ChatError::not_found(&format!("Thread {name}")));
        }
        return Ok((world.new_thread(&ctx.space, None), false));
    }
    match key {
        Some(k) => match world.thread_by_key(&ctx.space, scope, &k) {
            Some(t) => Ok((t, true)),
            None => Ok((world.new_thread(&ctx.space, Some((scope.into(), k))), false)),
        },
        None if option == ReplyOption::OrFail => Err(ChatError::not_found(
            "Thread (no thread.name or thread.threadKey given)",
        )),
        None => Ok((world.new_thread(&ctx.space, None), false)),
    }
}

/// Stores a new message of the caller; returns its name.
fn insert(
    ctx: &mut Ctx<'_>,
    content: Map<String, Value>,
    thread: String,
    reply: bool,
    client_id: Option<String>,
) -> String {
    let id = ctx.chat.world.message_id();
    let name = format!("{}/messages/{id}", ctx.space);
    let create_us = ctx.chat.tick(ctx.now);
    ctx.chat.world.messages.push(Message {
        name: name.clone(),
        space: ctx.space.clone(),
        thread,
        sender: ctx.caller.clone(),
        client_id,
        create_us,
        update_us: None,
        delete_us: None,
        reply,
        content,
    });
    name
}

/// The live message `name` names, or NOT_FOUND.
fn live(ctx: &Ctx<'_>, name: &str) -> ChatResult<usize> {
    ctx.chat
        .world
        .find(name)
        .filter(|i| ctx.chat.world.messages[*i].delete_us.is_none())
        .ok_or_else(|| ChatError::not_found(&format!("Message {name}")))
}

/// `spaces.messages.get`.
pub(crate) fn get(ctx: &mut Ctx<'_>, name: &str) -> ChatResult<Value> {
    let i = live(ctx, name)?;
    Ok(ctx.chat.world.messages[i].to_json())
}

fn flag(ctx: &Ctx<'_>, name: &str) -> ChatResult<bool> {
    match ctx.req.param(name) {
        None | Some("false") => Ok(false),
        Some("true") | Some("") => Ok(true),
        Some(other) => Err(ChatError::invalid(
            name,
            format!("Invalid value at '{name}' (TYPE_BOOL), \"{other}\""),
        )),
    }
}

/// `spaces.messages.patch` (PATCH) and `spaces.messages.update` (PUT).
pub(crate) fn update(ctx: &mut Ctx<'_>, name: &str) -> ChatResult<Value> {
    let body = body::parse(&ctx.req.body)?;
    let allow_missing = flag(ctx, "allowMissing")?;
    let found = ctx.chat.world.find(name);
    let Some(i) = found.filter(|i| ctx.chat.world.messages[*i].delete_us.is_none()) else {
        let id = name.rsplit('/').next().unwrap_or("");
        if !allow_missing {
            return Err(ChatError::not_found(&format!("Message {name}")));
        }
        if found.is_some() || !body::valid_client_id(id) {
            return Err(ChatError::invalid(
                "allow_missing",
                "allowMissing needs a free client-assigned message id (client-…).",
            ));
        }
        // Created as if by create; the mask is ignored.
        let content = body::content(&body);
        body::check(&content)?;
        let thread = ctx.chat.world.new_thread(&ctx.space, None);
        let new = insert(ctx, content, thread, false, Some(id.to_string()));
        let i = ctx.chat.world.find(&new).expect("just inserted");
        return Ok(ctx.chat.world.messages[i].to_json());
    };
    let mask = ctx
        .req
        .param("updateMask")
        .filter(|m| !m.trim().is_empty())
        .ok_or_else(|| ChatError::invalid("update_mask", "updateMask is required."))?;
    let fields = body::mask_fields(mask)?;
    if ctx.chat.world.messages[i].sender != ctx.caller {
        return Err(ChatError::denied(
            "Only the sender of a message can edit it.",
        ));
    }
    let mut content = ctx.chat.world.messages[i].content.clone();
    for f in fields {
        match body.get(f).filter(|v| !v.is_null()) {
            Some(_) if f == "quotedMessageMetadata" => {
                return Err(ChatError::invalid(
                    "quoted_message_metadata",
                    "quoted_message_metadata can only be removed.",
                ))
            }
            Some(v) => {
                content.insert(f.to_string(), v.clone());
            }
            None => {
                content.remove(f);
            }
        }
    }
    body::check(&content)?;
    let now = ctx.chat.tick(ctx.now);
    let m = &mut ctx.chat.world.messages[i];
    m.content = content;
    m.update_us = Some(now);
    Ok(m.to_json())
}

/// `spaces.messages.delete` (`force`: with a user's token, the replies of
/// a thread's first message too; without it such a message is refused).
pub(crate) fn delete(ctx: &mut Ctx<'_>, name: &str) -> ChatResult<Value> {
    let force = flag(ctx, "force")?;
    let i = live(ctx, name)?;
    let world = &ctx.chat.world;
    let m = &world.messages[i];
    if m.sender != ctx.caller {
        return Err(ChatError::denied(
            "Only the sender of a message can delete it.",
        ));
    }
    let replies: Vec<usize> = world
        .messages
        .iter()
        .enumerate()
        .filter(|(j, r)| *j != i && r.thread == m.thread && r.delete_us.is_none())
        .map(|(j, _)| j)
        .collect();
    let user = matches!(ctx.caller, Principal::User(_));
    let mut doomed = vec![i];
    if user && !m.reply && !replies.is_empty() {
        if !force {
            return Err(ChatError::new(
                Status::FailedPrecondition,
                "The message has threaded replies; set force=true to delete them too.",
            ));
        }
        doomed.extend(replies);
    }
    let now = ctx.chat.tick(ctx.now);
    for j in doomed {
        ctx.chat.world.messages[j].delete_us = Some(now);
    }
    Ok(json!({}))
}
