//! The high-level API (hangups' `build_user_conversation_list`,
//! `ConversationList`, `Conversation`): thin blocking wrappers over
//! [`hangups_core::state`] and [`SharedList`], which hold all the logic.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hangups_core::adapter::SharedList;
use hangups_core::proto::hangouts::Segment;
use hangups_core::state::{self, Action, BuildUserConversationList};
use hangups_core::state::{ConversationEvent, History, Image, Update};

use crate::{Client, Error, Events};

/// One lock per conversation: its messages go out in order (§7.8).
type SendOrder = Arc<Mutex<HashMap<String, Arc<Mutex<()>>>>>;

/// The user's conversations, kept current by [`Notifications`] (hangups'
/// `ConversationList`). Cheap to clone. Reads ([`SharedList`]'s methods,
/// through `Deref`) see the current state.
#[derive(Debug, Clone)]
pub struct ConversationList {
    client: Client,
    shared: SharedList,
    send_order: SendOrder,
}

/// One conversation of a [`ConversationList`], to act in (hangups'
/// `Conversation`). Cheap to clone; reads go to the list's current state.
#[derive(Debug, Clone)]
pub struct Conversation {
    list: ConversationList,
    id: String,
}

/// The list's updates, in order, as an [`Iterator`]. Taking them is what
/// keeps the list current: it folds the client's
/// events, catches up after every (re)connect and fetches unknown
/// conversations on the way ([`hangups_core::state::LiveList`]).
pub struct Notifications {
    client: Client,
    shared: SharedList,
    events: Events,
}

impl std::fmt::Debug for Notifications {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Notifications").finish_non_exhaustive()
    }
}

impl Client {
    /// hangups' `build_user_conversation_list` (PROTOCOL.md §7.2): builds
    /// the list (recent conversations to the end, their users, the self
    /// user) and turns `events` into its [`Notifications`]. Errors of
    /// GetEntityById are tolerated; the others are returned.
    pub fn build_user_conversation_list(
        &self,
        events: Events,
    ) -> Result<(ConversationList, Notifications), Error> {
        let mut build = BuildUserConversationList::new();
        while let Some(request) = build.next_request() {
            match self.request(request) {
                Ok(response) => build.on_response(response)?,
                Err(error) => build.on_error().map_err(|_| error)?,
            }
        }
        let shared = SharedList::new(build.finish()?);
        let list = ConversationList {
            client: self.clone(),
            shared: shared.clone(),
            send_order: SendOrder::default(),
        };
        let notifications = Notifications {
            client: self.clone(),
            shared,
            events,
        };
        Ok((list, notifications))
    }
}

impl std::ops::Deref for ConversationList {
    type Target = SharedList;
    fn deref(&self) -> &SharedList {
        &self.shared
    }
}

impl ConversationList {
    /// The conversation with this id.
    pub fn get(&self, conversation_id: &str) -> Option<Conversation> {
        self.contains(conversation_id)
            .then(|| self.handle(conversation_id))
    }

    /// Every conversation, in the list's order; archived ones only if asked.
    pub fn get_all(&self, include_archived: bool) -> Vec<Conversation> {
        let ids = self.conversation_ids(include_archived);
        ids.iter().map(|id| self.handle(id)).collect()
    }

    fn handle(&self, id: &str) -> Conversation {
        Conversation {
            list: self.clone(),
            id: id.to_owned(),
        }
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
                    self.perform($action)
                }
            )*
        }
    };
}
hangups_core::for_each_conversation_action!(action_methods);

impl Conversation {
    /// The conversation id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Reads the conversation's current state (`None` once it left the list).
    pub fn with<R>(&self, f: impl FnOnce(&state::Conversation) -> R) -> Option<R> {
        self.list.with_conversation(&self.id, f)
    }

    /// A copy of the conversation's current state.
    pub fn snapshot(&self) -> Option<state::Conversation> {
        self.with(Clone::clone)
    }

    /// Sends a message (hangups' `send_message`): these segments (see
    /// [`hangups_core::message::segments_from_str`]) and an optional image,
    /// uploaded first if need be. Messages to one conversation go out one
    /// after another, in call order. Returns the created event; it enters
    /// the conversation when its notification arrives, with the same id.
    pub fn send_message(
        &self,
        segments: Vec<Segment>,
        image: Option<Image>,
    ) -> Result<Option<ConversationEvent>, Error> {
        let order = {
            let mut locks = self.list.send_order.lock().map_err(|_| Error::Closed)?;
            locks.entry(self.id.clone()).or_default().clone()
        };
        let _in_order = order.lock().unwrap_or_else(|e| e.into_inner());
        let (image_id, image_user_id) = match image {
            None => (None, None),
            Some(Image::Existing { photo_id, user_id }) => (Some(photo_id), user_id),
            Some(Image::Upload { filename, data }) => {
                let uploaded = self.list.client.upload_image(&filename, data)?;
                (Some(uploaded.photo_id), None)
            }
        };
        let action = Action::SendMessage {
            segments,
            image_id,
            image_user_id,
        };
        self.perform(action)
    }

    /// Leaves the conversation (a group) or deletes it (one-to-one), then
    /// removes it from the list (hangups' `leave_conversation`).
    pub fn leave(&self) -> Result<(), Error> {
        let now_us = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_micros() as u64);
        self.perform(Action::Leave { now_us }).map(drop)
    }

    /// hangups' `get_events`: with no `event_id`, the newest `max_events`
    /// loaded events; else up to `max_events` before that event, fetching
    /// older history from the server when it is the oldest loaded one.
    /// Oldest first.
    pub fn get_events(
        &self,
        event_id: Option<&str>,
        max_events: usize,
    ) -> Result<Vec<ConversationEvent>, Error> {
        match self.list.history(&self.id, event_id, max_events)? {
            History::Loaded(events) => Ok(events),
            History::Fetch(request) => {
                let response = self.list.client.get_conversation(*request)?;
                self.list.apply_history(&self.id, &response)
            }
        }
    }

    fn perform(&self, action: Action) -> Result<Option<ConversationEvent>, Error> {
        let Some(request) = self.list.action_request(&self.id, &action)? else {
            return Ok(None);
        };
        let response = self.list.client.request(request)?;
        Ok(self
            .list
            .apply_action_response(&self.id, &action, &response))
    }
}

impl Notifications {
    /// The next update, waiting at most about `timeout` for a client event
    /// (a catch-up or fetch in progress is finished first); `None` on
    /// timeout or once the client closed.
    pub fn recv_timeout(&mut self, timeout: Duration) -> Option<Update> {
        let deadline = Instant::now() + timeout;
        self.next_until(Some(deadline))
    }

    fn next_until(&mut self, deadline: Option<Instant>) -> Option<Update> {
        loop {
            let request = {
                let mut live = self.shared.lock();
                if let Some(update) = live.poll_update() {
                    return Some(update);
                }
                live.poll_request()
            };
            if let Some((token, request)) = request {
                let result = self.client.request(request);
                self.shared.lock().handle_response(token, result);
                continue;
            }
            let event = match deadline {
                None => self.events.next()?,
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    self.events.recv_timeout(left)?
                }
            };
            self.shared.lock().handle_event(event);
        }
    }
}

impl Iterator for Notifications {
    type Item = Update;
    /// The next update, waiting as long as it takes; `None` once the
    /// client closed.
    fn next(&mut self) -> Option<Update> {
        self.next_until(None)
    }
}
