//! The Chat world: spaces with their members, threads (a thread key is
//! scoped to the caller that used it), messages, and the ids the server
//! makes up.

use super::time::format_micros;
use crate::emulator::Ids;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, VecDeque};

/// Who makes a call.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Principal {
    /// A user, `users/<id>`.
    User(String),
    /// The Chat app (`users/app` to itself).
    App,
    /// An incoming webhook (its own BOT user, `users/<id>`).
    Webhook(String),
}

impl Principal {
    /// The sender's resource name.
    pub(crate) fn user_name(&self) -> String {
        match self {
            Principal::User(u) | Principal::Webhook(u) => u.clone(),
            Principal::App => APP_USER.to_string(),
        }
    }

    /// The key that scopes thread keys and request ids.
    pub(crate) fn scope(&self) -> String {
        self.user_name()
    }

    fn is_human(&self) -> bool {
        matches!(self, Principal::User(_))
    }
}

/// The app's user name as the app sees it.
pub(crate) const APP_USER: &str = "users/app";

/// One space.
#[derive(Debug, Clone)]
pub(crate) struct Space {
    pub name: String,
    pub display_name: String,
    /// `users/…` of human members, and `users/app` when the app is one.
    pub members: Vec<String>,
    /// Write timestamps (µs) of the last minute, for the per-space quota.
    pub writes: VecDeque<u64>,
    /// Read timestamps (µs) of the last minute.
    pub reads: VecDeque<u64>,
}

/// One thread.
#[derive(Debug, Clone)]
pub(crate) struct Thread {
    pub name: String,
    pub space: String,
    /// `(caller scope, thread key)` that named it, if any.
    pub key: Option<(String, String)>,
}

/// One message (content fields as JSON, the rest as metadata).
#[derive(Debug, Clone)]
pub(crate) struct Message {
    pub name: String,
    pub space: String,
    pub thread: String,
    pub sender: Principal,
    pub client_id: Option<String>,
    pub create_us: u64,
    pub update_us: Option<u64>,
    pub delete_us: Option<u64>,
    /// `true` when it was not the first message of its thread.
    pub reply: bool,
    /// The content fields (`text`, `cardsV2`, `cards`, `attachment`, …).
    pub content: Map<String, Value>,
}

impl Message {
    /// The Message resource as the API returns it.
    pub(crate) fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("name".into(), json!(self.name));
        let bot = !self.sender.is_human();
        m.insert(
            "sender".into(),
            json!({"name": self.sender.user_name(), "type": if bot { "BOT" } else { "HUMAN" }}),
        );
        m.insert("createTime".into(), json!(format_micros(self.create_us)));
        if let Some(u) = self.update_us {
            m.insert("lastUpdateTime".into(), json!(format_micros(u)));
        }
        if let Some(d) = self.delete_us {
            m.insert("deleteTime".into(), json!(format_micros(d)));
            m.insert(
                "deletionMetadata".into(),
                json!({"deletionType": "CREATOR"}),
            );
        } else {
            for (k, v) in &self.content {
                m.insert(k.clone(), v.clone());
            }
            if let Some(t) = self.content.get("text") {
                m.insert("argumentText".into(), t.clone());
                m.insert("formattedText".into(), t.clone());
            }
        }
        m.insert("thread".into(), json!({"name": self.thread}));
        m.insert("space".into(), json!({"name": self.space}));
        if self.reply {
            m.insert("threadReply".into(), json!(true));
        }
        if let Some(c) = &self.client_id {
            m.insert("clientAssignedMessageId".into(), json!(c));
        }
        Value::Object(m)
    }
}

/// The stored result of a create with a `requestId`.
#[derive(Debug, Clone)]
pub(crate) struct RequestRecord {
    pub caller: String,
    pub message: String,
}

/// Every space, thread and message.
#[derive(Debug)]
pub(crate) struct ChatWorld {
    pub ids: Ids,
    pub spaces: Vec<Space>,
    pub threads: Vec<Thread>,
    /// In creation order.
    pub messages: Vec<Message>,
    /// `(space, requestId)` → what it created.
    pub requests: BTreeMap<(String, String), RequestRecord>,
}

const ID_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

impl ChatWorld {
    pub(crate) fn new(seed: u64) -> Self {
        ChatWorld {
            ids: Ids::new(seed ^ 0xC4A7),
            spaces: Vec::new(),
            threads: Vec::new(),
            messages: Vec::new(),
            requests: BTreeMap::new(),
        }
    }

    /// `len` characters of `[A-Za-z0-9]`.
    pub(crate) fn token(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from(ID_CHARS[(self.ids.next_u64() % ID_CHARS.len() as u64) as usize]))
            .collect()
    }

    /// A new space; the app is a member if `app`.
    pub(crate) fn add_space(
        &mut self,
        display_name: &str,
        members: Vec<String>,
        app: bool,
    ) -> String {
        let name = format!("spaces/{}", self.token(11));
        let mut all = members;
        if app {
            all.push(APP_USER.into());
        }
        self.spaces.push(Space {
            name: name.clone(),
            display_name: display_name.into(),
            members: all,
            writes: VecDeque::new(),
            reads: VecDeque::new(),
        });
        name
    }

    pub(crate) fn space(&self, name: &str) -> Option<&Space> {
        self.spaces.iter().find(|s| s.name == name)
    }

    pub(crate) fn space_mut(&mut self, name: &str) -> Option<&mut Space> {
        self.spaces.iter_mut().find(|s| s.name == name)
    }

    /// A new thread in `space`, named by `key` if given.
    pub(crate) fn new_thread(&mut self, space: &str, key: Option<(String, String)>) -> String {
        let name = format!("{space}/threads/{}", self.token(11));
        self.threads.push(Thread {
            name: name.clone(),
            space: space.into(),
            key,
        });
        name
    }

    pub(crate) fn thread_by_key(&self, space: &str, scope: &str, key: &str) -> Option<String> {
        self.threads
            .iter()
            .find(|t| {
                t.space == space && t.key.as_ref().is_some_and(|(s, k)| s == scope && k == key)
            })
            .map(|t| t.name.clone())
    }

    pub(crate) fn thread_exists(&self, name: &str) -> bool {
        self.threads.iter().any(|t| t.name == name)
    }

    /// A fresh server message id: `<11>.<11>` as Google's look.
    pub(crate) fn message_id(&mut self) -> String {
        format!("{}.{}", self.token(11), self.token(11))
    }

    /// The message `name` names: its server name or
    /// `spaces/X/messages/client-…`.
    pub(crate) fn find(&self, name: &str) -> Option<usize> {
        let (space, id) = name.split_once("/messages/")?;
        self.messages.iter().position(|m| {
            m.space == space && (m.name == name || m.client_id.as_deref() == Some(id))
        })
    }

    pub(crate) fn client_id_taken(&self, space: &str, id: &str) -> bool {
        self.messages
            .iter()
            .any(|m| m.space == space && m.client_id.as_deref() == Some(id))
    }

    /// The world as the control API's `state` shows it.
    pub(crate) fn summary(&self) -> Value {
        json!({
            "spaces": self.spaces.iter().map(|s| json!({
                "name": s.name,
                "displayName": s.display_name,
                "members": s.members,
            })).collect::<Vec<_>>(),
            "threads": self.threads.iter().map(|t| json!({
                "name": t.name,
                "threadKey": t.key.as_ref().map(|(_, k)| k.clone()),
                "keyScope": t.key.as_ref().map(|(s, _)| s.clone()),
            })).collect::<Vec<_>>(),
            "messages": self.messages.iter().map(Message::to_json).collect::<Vec<_>>(),
        })
    }
}
