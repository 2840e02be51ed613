//! The high-level API (hangups' `build_user_conversation_list`,
//! `ConversationList`, `Conversation`): hangups-driver's, with every call
//! waited for on the calling thread.

use std::ops::Deref;
use std::time::{Duration, Instant};

use hangups_driver::blocking::{block_on, block_on_until, Blocking};
use hangups_driver::hangups_core::proto::hangouts::Segment;
use hangups_driver::hangups_core::state::{self, ConversationEvent, Image, Update};
use hangups_driver::SharedList;

use crate::{Client, Error, Events};

/// The user's conversations, kept current by [`Notifications`] (hangups'
/// `ConversationList`). Cheap to clone. Reads ([`SharedList`]'s methods,
/// through `Deref`) see the current state.
#[derive(Debug, Clone)]
pub struct ConversationList {
    inner: hangups_driver::ConversationList<Blocking>,
    client: Client,
}

/// One conversation of a [`ConversationList`], to act in (hangups'
/// `Conversation`). Cheap to clone; reads go to the list's current state.
#[derive(Debug, Clone)]
pub struct Conversation(hangups_driver::Conversation<Blocking>);

/// The list's updates, in order, as an [`Iterator`]. Taking them is what
/// keeps the list current: it folds the client's events, catches up after
/// every (re)connect and fetches unknown conversations on the way.
#[derive(Debug)]
pub struct Notifications(hangups_driver::Notifications<Blocking>);

impl Client {
    /// hangups' `build_user_conversation_list` (PROTOCOL.md §7.2): the
    /// list (recent conversations to the end, their users, the self user)
    /// and its [`Notifications`], which take over `events`.
    pub fn build_user_conversation_list(
        &self,
        events: Events,
    ) -> Result<(ConversationList, Notifications), Error> {
        let (inner, notes) = block_on(self.0.build_user_conversation_list(events.0))?;
        let list = ConversationList {
            inner,
            client: self.clone(),
        };
        Ok((list, Notifications(notes)))
    }
}

impl Deref for ConversationList {
    type Target = SharedList;
    fn deref(&self) -> &SharedList {
        &self.inner
    }
}

impl ConversationList {
    /// The conversation with this id.
    pub fn get(&self, conversation_id: &str) -> Option<Conversation> {
        self.inner.get(conversation_id).map(Conversation)
    }

    /// Every conversation, in the list's order; archived ones only if asked.
    pub fn get_all(&self, include_archived: bool) -> Vec<Conversation> {
        self.inner
            .get_all(include_archived)
            .into_iter()
            .map(Conversation)
            .collect()
    }

    /// The client the list uses.
    pub fn client(&self) -> &Client {
        &self.client
    }
}

macro_rules! action_methods {
    ($( $(#[$doc:meta])* $name:ident($($arg:ident: $ty:ty),*) => $action:expr; )*) => {
        impl Conversation {
            $(
                $(#[$doc])*
                pub fn $name(&self, $($arg: $ty),*) -> Result<Option<ConversationEvent>, Error> {
                    block_on(self.0.$name($($arg),*))
                }
            )*
        }
    };
}
hangups_driver::hangups_core::for_each_conversation_action!(action_methods);

impl Conversation {
    /// The conversation id.
    pub fn id(&self) -> &str {
        self.0.id()
    }

    /// Reads the conversation's current state (`None` once it left the list).
    pub fn with<R>(&self, f: impl FnOnce(&state::Conversation) -> R) -> Option<R> {
        self.0.with(f)
    }

    /// A copy of the conversation's current state.
    pub fn snapshot(&self) -> Option<state::Conversation> {
        self.0.snapshot()
    }

    /// Sends a message (hangups' `send_message`); see
    /// [`hangups_driver::Conversation::send_message`].
    pub fn send_message(
        &self,
        segments: Vec<Segment>,
        image: Option<Image>,
    ) -> Result<Option<ConversationEvent>, Error> {
        block_on(self.0.send_message(segments, image))
    }

    /// Leaves the conversation (a group) or deletes it (one-to-one), then
    /// removes it from the list (hangups' `leave_conversation`).
    pub fn leave(&self) -> Result<(), Error> {
        block_on(self.0.leave())
    }

    /// hangups' `get_events`; see
    /// [`hangups_driver::Conversation::get_events`].
    pub fn get_events(
        &self,
        event_id: Option<&str>,
        max_events: usize,
    ) -> Result<Vec<ConversationEvent>, Error> {
        block_on(self.0.get_events(event_id, max_events))
    }
}

impl Notifications {
    /// The next update, waiting at most `timeout`; `None` on timeout or
    /// once the client closed. A catch-up or fetch still in flight at the
    /// timeout is kept and goes on with the next call.
    pub fn recv_timeout(&mut self, timeout: Duration) -> Option<Update> {
        block_on_until(self.0.next(), Some(Instant::now() + timeout)).flatten()
    }
}

impl Iterator for Notifications {
    type Item = Update;
    /// The next update, waiting as long as it takes; `None` once the
    /// client closed.
    fn next(&mut self) -> Option<Update> {
        block_on(self.0.next())
    }
}
