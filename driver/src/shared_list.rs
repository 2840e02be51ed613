//! [`SharedList`]: the [`LiveList`] that an adapter's list handles,
//! conversation handles and notification stream share, with every read
//! and every step that needs no IO, so the three adapters only add their
//! sends and waits.

use std::sync::{Arc, Mutex, MutexGuard};

use crate::Error;
use hangups_core::api::{ApiRequest, ApiResponse};
use hangups_core::state::{
    Action, Conversation, ConversationEvent, ConversationList, History, LiveList, User, UserId,
};

/// A [`LiveList`] behind a mutex that is never held across a wait. Cheap
/// to clone; clones share the list.
#[derive(Debug, Clone)]
pub struct SharedList {
    inner: Arc<Mutex<LiveList>>,
}

impl SharedList {
    /// Shares `list`, kept current by a [`LiveList`].
    pub fn new(list: ConversationList) -> Self {
        SharedList {
            inner: Arc::new(Mutex::new(LiveList::new(list))),
        }
    }

    /// The live list, locked (a panic elsewhere does not poison it for us).
    pub fn lock(&self) -> MutexGuard<'_, LiveList> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Reads the list (conversations, users, sync position).
    pub fn with<R>(&self, f: impl FnOnce(&ConversationList) -> R) -> R {
        f(self.lock().list())
    }

    /// Reads one conversation (`None` if the list has no such id).
    pub fn with_conversation<R>(
        &self,
        conversation_id: &str,
        f: impl FnOnce(&Conversation) -> R,
    ) -> Option<R> {
        self.with(|list| list.get(conversation_id).map(f))
    }

    /// Whether the list has this conversation.
    pub fn contains(&self, conversation_id: &str) -> bool {
        self.with(|list| list.get(conversation_id).is_some())
    }

    /// The ids of every conversation, in the list's order; archived ones
    /// only if asked.
    pub fn conversation_ids(&self, include_archived: bool) -> Vec<String> {
        self.with(|list| {
            list.get_all(include_archived)
                .iter()
                .map(|c| c.id().to_owned())
                .collect()
        })
    }

    /// A user by id (a default `Unknown` user if unknown, as hangups).
    pub fn user(&self, id: &UserId) -> User {
        self.with(|list| list.users().get_user(id).into_owned())
    }

    /// The self user.
    pub fn self_user(&self) -> User {
        self.with(|list| list.users().self_user().into_owned())
    }

    /// The sync position (µs) to save for a restart (see
    /// [`LiveList::sync_timestamp`]).
    pub fn sync_timestamp(&self) -> u64 {
        self.lock().sync_timestamp()
    }

    /// Restores a saved sync position (µs): the next catch-up starts there.
    pub fn set_sync_timestamp(&self, sync_timestamp: u64) {
        self.lock().list_mut().set_sync_timestamp(sync_timestamp)
    }

    /// [`ConversationList::action_request`].
    pub fn action_request(
        &self,
        conversation_id: &str,
        action: &Action,
        now_us: u64,
    ) -> Result<Option<ApiRequest>, Error> {
        Ok(self
            .lock()
            .list_mut()
            .action_request(conversation_id, action, now_us)?)
    }

    /// [`ConversationList::apply_action_response`].
    pub fn apply_action_response(
        &self,
        conversation_id: &str,
        action: &Action,
        response: &ApiResponse,
    ) -> Option<ConversationEvent> {
        self.lock()
            .list_mut()
            .apply_action_response(conversation_id, action, response)
    }

    /// [`ConversationList::history`].
    pub fn history(
        &self,
        conversation_id: &str,
        event_id: Option<&str>,
        max_events: usize,
    ) -> Result<History, Error> {
        Ok(self
            .lock()
            .list()
            .history(conversation_id, event_id, max_events)?)
    }

    /// [`ConversationList::apply_history`].
    pub fn apply_history(
        &self,
        conversation_id: &str,
        response: &hangups_core::proto::hangouts::GetConversationResponse,
    ) -> Result<Vec<ConversationEvent>, Error> {
        Ok(self
            .lock()
            .list_mut()
            .apply_history(conversation_id, response)?)
    }
}
