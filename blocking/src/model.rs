//! The high-level API (hangups' `build_user_conversation_list`,
//! `ConversationList`, `Conversation`): [`hangups_core::adapter`]'s, run to
//! completion on the calling thread (its futures only wait in this
//! adapter's blocking calls).

use std::ops::Deref;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use futures_lite::future::block_on;
use hangups_core::adapter::{self, Delivery, SharedList};
use hangups_core::proto::hangouts::Segment;
use hangups_core::state::{self, ConversationEvent, Image, Update};

use crate::{ApiRequest, ApiResponse, Client, Error, Events, UploadedImage};

impl adapter::AsyncClient for Client {
    fn request(
        &self,
        request: ApiRequest,
    ) -> impl std::future::Future<Output = Result<ApiResponse, Error>> + Send + 'static {
        let client = self.clone();
        async move { Client::request(&client, request) }
    }
    fn upload_image(
        &self,
        filename: String,
        image: Vec<u8>,
    ) -> impl std::future::Future<Output = Result<UploadedImage, Error>> + Send + 'static {
        let client = self.clone();
        async move { Client::upload_image(&client, &filename, image) }
    }
    fn now_unix_us(&self) -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
    }
}

/// The user's conversations, kept current by [`Notifications`] (hangups'
/// `ConversationList`). Cheap to clone. Reads ([`SharedList`]'s methods,
/// through `Deref`) see the current state.
#[derive(Debug, Clone)]
pub struct ConversationList(adapter::ConversationList<Client>);

/// One conversation of a [`ConversationList`], to act in (hangups'
/// `Conversation`). Cheap to clone; reads go to the list's current state.
#[derive(Debug, Clone)]
pub struct Conversation(adapter::Conversation<Client>);

/// The list's updates, in order, as an [`Iterator`]. Taking them is what
/// keeps the list current: it folds the client's events, catches up after
/// every (re)connect and fetches unknown conversations on the way.
#[derive(Debug)]
pub struct Notifications(adapter::Notifications<Client, EventSource>);

/// The client's events as a stream that waits on this thread, until an
/// optional deadline (then it says "no more", for now).
#[derive(Debug)]
struct EventSource {
    events: Events,
    deadline: Option<Instant>,
}

impl adapter::EventSource for EventSource {
    fn poll_delivery(&mut self, _: &mut Context<'_>) -> Poll<Option<Delivery>> {
        Poll::Ready(match self.deadline {
            None => self.events.next_delivery(),
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                self.events.recv_delivery_timeout(left)
            }
        })
    }
}

impl Client {
    /// hangups' `build_user_conversation_list` (PROTOCOL.md §7.2): the
    /// list (recent conversations to the end, their users, the self user)
    /// and its [`Notifications`], which take over `events`.
    pub fn build_user_conversation_list(
        &self,
        events: Events,
    ) -> Result<(ConversationList, Notifications), Error> {
        let source = EventSource {
            events,
            deadline: None,
        };
        let (list, notes) = block_on(adapter::build_user_conversation_list(self, source))?;
        Ok((ConversationList(list), Notifications(notes)))
    }
}

impl Deref for ConversationList {
    type Target = SharedList;
    fn deref(&self) -> &SharedList {
        &self.0
    }
}

impl ConversationList {
    /// The conversation with this id.
    pub fn get(&self, conversation_id: &str) -> Option<Conversation> {
        self.0.get(conversation_id).map(Conversation)
    }

    /// Every conversation, in the list's order; archived ones only if asked.
    pub fn get_all(&self, include_archived: bool) -> Vec<Conversation> {
        self.0
            .get_all(include_archived)
            .into_iter()
            .map(Conversation)
            .collect()
    }

    /// The client the list uses.
    pub fn client(&self) -> &Client {
        self.0.client()
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
hangups_core::for_each_conversation_action!(action_methods);

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
    /// [`hangups_core::adapter::Conversation::send_message`].
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
    /// [`hangups_core::adapter::Conversation::get_events`].
    pub fn get_events(
        &self,
        event_id: Option<&str>,
        max_events: usize,
    ) -> Result<Vec<ConversationEvent>, Error> {
        block_on(self.0.get_events(event_id, max_events))
    }
}

impl Notifications {
    /// The next update, waiting at most about `timeout` for a client event
    /// (a catch-up or fetch in progress is finished first); `None` on
    /// timeout or once the client closed.
    pub fn recv_timeout(&mut self, timeout: Duration) -> Option<Update> {
        self.0.events_mut().deadline = Some(Instant::now() + timeout);
        let update = block_on(self.0.next());
        self.0.events_mut().deadline = None;
        update
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
