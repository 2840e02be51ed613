//! The status line, by priority: reconnecting (with the next attempt's
//! time), catching up and "Reconnected: what came back"; a temporary
//! message for 10 s; who is typing (expiring); the server label.
//!
//! After a reconnection the catch-up's events come in as ordinary new
//! events with no end marker (the keep-alive that follows is not an
//! update), so the tally of what came back ends after a quiet period of
//! [`CATCH_UP_QUIET`] without a new chat message, or at a failed catch-up.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use hangups_core::proto::hangouts::TypingType;
use hangups_core::state::{ConversationList, TypingStatus, UserId};

use super::{App, Now};

/// How long a temporary message stays.
pub(crate) const MESSAGE_FOR: Duration = Duration::from_secs(10);
/// How long "Reconnected: …" stays.
pub(crate) const RECONNECTED_FOR: Duration = Duration::from_secs(10);
/// The catch-up after a reconnection is over after this long without a
/// new chat message.
pub(crate) const CATCH_UP_QUIET: Duration = Duration::from_secs(5);
/// A STARTED typing status without a refresh expires after this.
pub(crate) const TYPING_FOR: Duration = Duration::from_secs(15);

/// The connection as the status line shows it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) enum Connection {
    /// Nothing to say.
    #[default]
    Up,
    /// The push channel is down; the next attempt is at this instant.
    Reconnecting(Instant),
    /// Back, catching up: the chat messages from others that came in so
    /// far, their conversations, and the last one's time.
    CatchingUp {
        /// How many messages.
        messages: usize,
        /// In which conversations.
        conversations: BTreeSet<String>,
        /// When the last one came (or the reconnection).
        last: Instant,
    },
    /// Back: what came back, said until this instant.
    Reconnected(String, Instant),
    /// The client stopped for good, and why.
    Closed(String),
}

/// The status line's sources.
#[derive(Clone, Debug, Default)]
pub(crate) struct Status {
    pub(crate) connection: Connection,
    /// A temporary message and when it goes.
    pub(crate) message: Option<(String, Instant)>,
    /// Who is typing, per conversation, until when.
    pub(crate) typing: BTreeMap<String, BTreeMap<UserId, Instant>>,
}

impl Status {
    /// A temporary message.
    pub(crate) fn say(&mut self, text: String, now: Now) {
        self.message = Some((text, now.instant + MESSAGE_FOR));
    }

    /// The channel went down.
    pub(crate) fn disconnected(&mut self, retry_at: Instant) {
        self.connection = Connection::Reconnecting(retry_at);
    }

    /// The channel is back: the tally of the catch-up starts.
    pub(crate) fn reconnected(&mut self, now: Now) {
        self.connection = Connection::CatchingUp {
            messages: 0,
            conversations: BTreeSet::new(),
            last: now.instant,
        };
    }

    /// A chat message from someone else arrived: counted while catching up.
    pub(crate) fn message_arrived(&mut self, conversation_id: &str, now: Now) {
        if let Connection::CatchingUp {
            messages,
            conversations,
            last,
        } = &mut self.connection
        {
            *messages += 1;
            conversations.insert(conversation_id.to_owned());
            *last = now.instant;
        }
    }

    /// The catch-up failed: the tally ends unsaid (it is retried).
    pub(crate) fn catch_up_failed(&mut self, now: Now) {
        if matches!(self.connection, Connection::CatchingUp { .. }) {
            self.connection = Connection::Up;
        }
        self.say("catching up failed, retrying".to_owned(), now);
    }

    /// The client stopped for good.
    pub(crate) fn closed(&mut self, why: String) {
        self.connection = Connection::Closed(why);
    }

    /// Connected (the first time).
    pub(crate) fn connected(&mut self) {
        if matches!(self.connection, Connection::Reconnecting(_)) {
            self.connection = Connection::Up;
        }
    }

    /// Someone's typing status: STARTED shows them (for [`TYPING_FOR`]),
    /// anything else hides them.
    pub(crate) fn on_typing(&mut self, typing: &TypingStatus, now: Now) {
        let users = self
            .typing
            .entry(typing.conversation_id.clone())
            .or_default();
        if typing.status == TypingType::TYPING_TYPE_STARTED {
            users.insert(typing.user_id.clone(), now.instant + TYPING_FOR);
        } else {
            users.remove(&typing.user_id);
        }
    }

    /// A message from someone ends their typing.
    pub(crate) fn stopped_typing(&mut self, conversation_id: &str, user: &UserId) {
        if let Some(users) = self.typing.get_mut(conversation_id) {
            users.remove(user);
        }
    }

    /// Drops what has expired.
    pub(crate) fn expire(&mut self, now: Now) {
        if self
            .message
            .as_ref()
            .is_some_and(|(_, t)| now.instant >= *t)
        {
            self.message = None;
        }
        match &self.connection {
            Connection::Reconnected(_, t) if now.instant >= *t => self.connection = Connection::Up,
            Connection::CatchingUp {
                messages,
                conversations,
                last,
            } if now.instant.saturating_duration_since(*last) >= CATCH_UP_QUIET => {
                let text = reconnected_text(*messages, conversations.len());
                self.connection = Connection::Reconnected(text, now.instant + RECONNECTED_FOR);
            }
            _ => {}
        }
        for users in self.typing.values_mut() {
            users.retain(|_, t| now.instant < *t);
        }
        self.typing.retain(|_, users| !users.is_empty());
    }
}

/// "Reconnected: 3 new messages in 2 conversations", or "nothing missed".
pub(crate) fn reconnected_text(messages: usize, conversations: usize) -> String {
    if messages == 0 {
        return "Reconnected: nothing missed".to_owned();
    }
    let m = if messages == 1 { "message" } else { "messages" };
    let c = if conversations == 1 {
        "conversation"
    } else {
        "conversations"
    };
    format!("Reconnected: {messages} new {m} in {conversations} {c}")
}

impl App {
    /// The status line's text at `now`.
    pub fn status_text(&self, list: &ConversationList, now: Now) -> String {
        match &self.status.connection {
            Connection::Reconnecting(at) => {
                let secs = at
                    .saturating_duration_since(now.instant)
                    .as_secs_f64()
                    .ceil();
                if secs <= 0.0 {
                    return "RECONNECTING… trying now".to_owned();
                }
                return format!("RECONNECTING… next attempt in {secs}s");
            }
            Connection::CatchingUp { .. } => return "Reconnected, catching up…".to_owned(),
            Connection::Reconnected(text, t) if now.instant < *t => return text.clone(),
            Connection::Closed(why) => return format!("DISCONNECTED: {why}"),
            _ => {}
        }
        if let Some((text, t)) = &self.status.message {
            if now.instant < *t {
                return text.clone();
            }
        }
        if let Some(typing) = self.typing_text(list, now) {
            return typing;
        }
        let mut parts = Vec::new();
        if let Some(conv) = self.active_conversation().and_then(|id| list.get(id)) {
            if conv.is_off_the_record() {
                parts.push("History is off".to_owned());
            }
            if conv.is_quiet() {
                parts.push("Quiet".to_owned());
            }
        }
        if let Some(label) = &self.settings.server_label {
            parts.push(label.clone());
        }
        parts.join(" · ")
    }

    fn typing_text(&self, list: &ConversationList, now: Now) -> Option<String> {
        let id = self.active_conversation()?;
        let users = self.status.typing.get(id)?;
        let mut names: Vec<String> = users
            .iter()
            .filter(|(_, t)| now.instant < **t)
            .map(|(u, _)| list.users().get_user(u).first_name.clone())
            .collect();
        names.sort();
        match names.len() {
            0 => None,
            1 => Some(format!("{} is typing...", names[0])),
            _ => Some(format!("{} are typing...", names.join(", "))),
        }
    }
}
