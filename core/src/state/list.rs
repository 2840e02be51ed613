//! [`ConversationList`] and the StateUpdate fold (PROTOCOL.md §7.2–7.5).

use std::collections::{HashMap, HashSet};

use hangups_proto::hangouts::{
    Conversation as ConversationMsg, ConversationId, ConversationSpec, ConversationState, Event,
    GetConversationRequest, MembershipChangeType, StateUpdate, StateUpdateKind as Oneof,
    TypingType, WatermarkNotification,
};

use super::conversation::Conversation;
use super::events::{ConversationEvent, EventKind};
use super::users::{UserId, UserList};

/// At most this many updates wait for one unknown conversation; beyond it
/// the oldest waiting update is dropped (the caller never fetched it).
pub const MAX_PENDING_PER_CONVERSATION: usize = 1024;

/// What a fold changed, for the application (hangups' `on_event`,
/// `on_typing`, `on_watermark_notification`, and more).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Notification {
    /// A new event was added to a conversation (duplicates never are).
    /// It shares the stored event (a [`ConversationEvent`] is one `Arc`).
    NewEvent(ConversationEvent),
    /// Someone's typing status (no state is kept: §7.9).
    Typing(TypingStatus),
    /// Someone's read watermark moved.
    Watermark(WatermarkUpdate),
    /// A conversation was added to the list.
    ConversationAdded(String),
    /// A known conversation's metadata was replaced by a delta.
    ConversationChanged(String),
    /// The self user left the conversation (a membership change LEAVE
    /// naming the self user). The conversation stays in the list.
    ConversationLeft(String),
    /// The conversation was deleted (a delete notification); it stays in
    /// the list, as in hangups, until [`ConversationList::remove_conversation`].
    ConversationDeleted {
        /// Which conversation.
        conversation_id: String,
        /// Events up to this time (µs) were deleted.
        upper_bound_timestamp: u64,
    },
    /// An update refers to a conversation this list does not know. Send
    /// [`ConversationList::fetch_request`] and pass the response's
    /// conversation state to [`ConversationList::add_conversation_state`]
    /// (the waiting updates are then applied), or call
    /// [`ConversationList::conversation_fetch_failed`] (they are dropped,
    /// as hangups drops the StateUpdate). Emitted once per wait.
    NeedsConversation(String),
}

/// A typing notification (hangups' `TypingStatusMessage`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TypingStatus {
    /// Which conversation.
    pub conversation_id: String,
    /// Who.
    pub user_id: UserId,
    /// When (µs).
    pub timestamp: u64,
    /// `STARTED`, `PAUSED` or `STOPPED`.
    pub status: TypingType,
}

/// A watermark notification (hangups' `WatermarkNotification`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WatermarkUpdate {
    /// Which conversation.
    pub conversation_id: String,
    /// Whose read position.
    pub user_id: UserId,
    /// Read up to this time (µs).
    pub read_timestamp: u64,
}

/// Work waiting for an unknown conversation.
#[derive(Clone, Debug, PartialEq)]
enum Pending {
    /// A whole update whose delta named the conversation: its oneof part.
    Update(Box<StateUpdate>),
    /// An event notification.
    Event(Box<Event>),
    /// A watermark (already notified): its state change.
    Watermark(WatermarkNotification),
    /// A typing notification (already notified; typing keeps no state):
    /// only the fetch, as hangups fetches the conversation.
    Typing,
}

/// The user's conversations (hangups' `ConversationList`), the
/// [`UserList`], and the sync position.
#[derive(Clone, Debug, Default)]
pub struct ConversationList {
    conversations: Vec<Conversation>,
    index: HashMap<String, usize>,
    users: UserList,
    sync_timestamp: u64,
    pending: HashMap<String, Vec<Pending>>,
    /// Conversations the self user left: news of them is not fetched.
    left: HashSet<String>,
}

pub(super) fn conv_id(id: Option<&ConversationId>) -> &str {
    id.and_then(|c| c.id.as_deref()).unwrap_or("")
}

fn delta_id(msg: &ConversationMsg) -> &str {
    conv_id(msg.conversation_id.as_ref())
}

impl ConversationList {
    /// Builds the list from conversation states (e.g. from
    /// SyncRecentConversations), the users, and the sync position (µs).
    /// A later state with a known id replaces the conversation in place.
    /// As in hangups' initial sync, a state without a continuation token
    /// stores an empty one (its history requests carry an empty token,
    /// PROTOCOL.md §7.7).
    pub fn new(conv_states: &[ConversationState], users: UserList, sync_timestamp: u64) -> Self {
        let mut list = ConversationList {
            users,
            sync_timestamp,
            ..Default::default()
        };
        for state in conv_states {
            if state.event_continuation_token.is_some() {
                list.insert(Conversation::from_state(state));
            } else {
                let mut state = state.clone();
                state.event_continuation_token = Some(Default::default());
                list.insert(Conversation::from_state(&state));
            }
        }
        list
    }

    /// Inserts or replaces; returns whether it was new.
    pub(super) fn insert(&mut self, conv: Conversation) -> bool {
        match self
            .index
            .get(conv.id())
            .and_then(|&i| self.conversations.get_mut(i))
        {
            Some(slot) => {
                *slot = conv;
                false
            }
            None => {
                self.index
                    .insert(conv.id().to_owned(), self.conversations.len());
                self.conversations.push(conv);
                true
            }
        }
    }

    // ---- getters ----

    /// The conversation with this id.
    pub fn get(&self, conversation_id: &str) -> Option<&Conversation> {
        self.index
            .get(conversation_id)
            .and_then(|&i| self.conversations.get(i))
    }

    /// The conversation with this id, mutably (e.g. for
    /// [`Conversation::update_read_timestamp`] or history paging).
    pub fn get_mut(&mut self, conversation_id: &str) -> Option<&mut Conversation> {
        self.index
            .get(conversation_id)
            .and_then(|&i| self.conversations.get_mut(i))
    }

    /// Every conversation in insertion order; archived ones only if
    /// `include_archived`.
    pub fn get_all(&self, include_archived: bool) -> Vec<&Conversation> {
        self.conversations
            .iter()
            .filter(|c| include_archived || !c.is_archived())
            .collect()
    }

    /// The users.
    pub fn users(&self) -> &UserList {
        &self.users
    }

    /// The users, mutably.
    pub fn users_mut(&mut self) -> &mut UserList {
        &mut self.users
    }

    /// The sync position (µs): catch-up sync asks for events after it.
    /// Save it to resume after a restart.
    pub fn sync_timestamp(&self) -> u64 {
        self.sync_timestamp
    }

    /// Restores a saved sync position (µs).
    pub fn set_sync_timestamp(&mut self, sync_timestamp: u64) {
        self.sync_timestamp = sync_timestamp;
    }

    /// Ids of unknown conversations that updates are waiting for.
    pub fn pending_conversations(&self) -> Vec<&str> {
        self.pending.keys().map(String::as_str).collect()
    }

    /// The request that fetches an unknown conversation (§7.3):
    /// `GetConversation{conversation_spec, include_event=false}`.
    pub fn fetch_request(conversation_id: &str) -> GetConversationRequest {
        GetConversationRequest {
            conversation_spec: Some(ConversationSpec {
                conversation_id: Some(ConversationId {
                    id: Some(conversation_id.to_owned()),
                }),
            }),
            include_event: Some(false),
            ..Default::default()
        }
    }

    // ---- mutators ----

    /// Removes a conversation locally (as hangups'
    /// `leave_conversation` does after the request), returning it.
    pub fn remove_conversation(&mut self, conversation_id: &str) -> Option<Conversation> {
        let i = self.index.remove(conversation_id)?;
        if i >= self.conversations.len() {
            return None;
        }
        let conv = self.conversations.remove(i);
        for slot in self.index.values_mut() {
            if *slot > i {
                *slot -= 1;
            }
        }
        Some(conv)
    }

    /// Removes a conversation the self user left and remembers it, so
    /// that the pushed news of the leaving (and anything else about it)
    /// does not fetch it back, as it does in hangups. Being added again
    /// (an update listing the self user as a participant) ends this.
    pub fn leave_conversation(&mut self, conversation_id: &str) -> Option<Conversation> {
        self.left.insert(conversation_id.to_owned());
        self.remove_conversation(conversation_id)
    }

    /// Whether news of an unknown conversation is to be ignored: the self
    /// user left it, and `delta` (if any) does not show them back in it.
    pub(super) fn ignores(&mut self, id: &str, delta: Option<&ConversationMsg>) -> bool {
        if !self.left.contains(id) {
            return false;
        }
        let me = self.users.self_id().to_participant_id();
        let back = delta.is_some_and(|d| {
            d.current_participant
                .iter()
                .any(|p| p.gaia_id == me.gaia_id)
        });
        if back {
            self.left.remove(id);
        }
        !back
    }

    /// Adds a fetched conversation (the `conversation_state` of a
    /// GetConversation response, after [`Notification::NeedsConversation`]),
    /// its participants to the users, then applies the updates that were
    /// waiting for it. A known conversation gets the state as a delta.
    pub fn add_conversation_state(&mut self, state: &ConversationState) -> Vec<Notification> {
        let mut out = Vec::new();
        let conv = Conversation::from_state(state);
        let id = conv.id().to_owned();
        if id.is_empty() {
            return out;
        }
        if let Some(msg) = &state.conversation {
            self.users.add_participants(&msg.participant_data);
        }
        match self.get_mut(&id) {
            Some(known) => {
                if let Some(msg) = &state.conversation {
                    known.update_conversation(msg);
                }
                out.push(Notification::ConversationChanged(id.clone()));
            }
            None => {
                self.insert(conv);
                out.push(Notification::ConversationAdded(id.clone()));
            }
        }
        for pending in self.pending.remove(&id).unwrap_or_default() {
            match pending {
                Pending::Update(update) => self.fold_oneof(&update, &mut out),
                Pending::Event(event) => self.on_event(&event, &mut out),
                Pending::Watermark(w) => self.apply_watermark(&w),
                Pending::Typing => {}
            }
        }
        out
    }

    /// The fetch of an unknown conversation failed: drops the updates
    /// waiting for it (hangups drops the StateUpdate). Returns how many.
    pub fn conversation_fetch_failed(&mut self, conversation_id: &str) -> usize {
        self.pending.remove(conversation_id).map_or(0, |p| p.len())
    }

    fn defer(&mut self, id: &str, pending: Pending, out: &mut Vec<Notification>) {
        if self.ignores(id, None) {
            return;
        }
        let queue = self.pending.entry(id.to_owned()).or_default();
        if queue.is_empty() {
            out.push(Notification::NeedsConversation(id.to_owned()));
        }
        if queue.len() >= MAX_PENDING_PER_CONVERSATION {
            queue.remove(0);
        }
        queue.push(pending);
    }

    /// Folds one StateUpdate (§7.3): first the conversation delta (field
    /// 13: participants to the users; a known conversation gets
    /// [`Conversation::update_conversation`]; an unknown one is fetched,
    /// the delta discarded, and the rest of the update waits for it), then
    /// the oneof: event, typing and watermark notifications change state
    /// and notify; a delete notification notifies; every other kind only
    /// acts through the delta.
    pub fn fold(&mut self, update: &StateUpdate) -> Vec<Notification> {
        let mut out = Vec::new();
        if let Some(delta) = &update.conversation {
            self.users.add_participants(&delta.participant_data);
            let id = delta_id(delta);
            if !id.is_empty() {
                match self.get_mut(id) {
                    Some(conv) => {
                        conv.update_conversation(delta);
                        out.push(Notification::ConversationChanged(id.to_owned()));
                    }
                    None => {
                        let id = id.to_owned();
                        if !self.ignores(&id, Some(delta)) {
                            self.defer(&id, Pending::Update(Box::new(update.clone())), &mut out);
                        }
                        return out;
                    }
                }
            }
        }
        self.fold_oneof(update, &mut out);
        out
    }

    fn fold_oneof(&mut self, update: &StateUpdate, out: &mut Vec<Notification>) {
        match &update.state_update {
            Oneof::EventNotification(n) => {
                if let Some(event) = &n.event {
                    self.on_event(event, out);
                }
            }
            Oneof::TypingNotification(t) => {
                let id = conv_id(t.conversation_id.as_ref()).to_owned();
                out.push(Notification::Typing(TypingStatus {
                    conversation_id: id.clone(),
                    user_id: UserId::from_opt(t.sender_id.as_deref()),
                    timestamp: t.timestamp.unwrap_or(0),
                    status: t.r#type.unwrap_or_default(),
                }));
                // Notified first, then fetched (hangups' order).
                if !id.is_empty() && self.get(&id).is_none() {
                    self.defer(&id, Pending::Typing, out);
                }
            }
            Oneof::WatermarkNotification(w) => {
                let ts = w.latest_read_timestamp.unwrap_or(0);
                if ts == 0 {
                    return; // zero-timestamp read states are ignored
                }
                let id = conv_id(w.conversation_id.as_ref()).to_owned();
                out.push(Notification::Watermark(WatermarkUpdate {
                    conversation_id: id.clone(),
                    user_id: UserId::from_opt(w.sender_id.as_deref()),
                    read_timestamp: ts,
                }));
                if self.get(&id).is_some() {
                    self.apply_watermark(w);
                } else if !id.is_empty() {
                    self.defer(&id, Pending::Watermark((**w).clone()), out);
                }
            }
            Oneof::DeleteNotification(d) => {
                let id = conv_id(d.conversation_id.as_ref());
                if !id.is_empty() {
                    out.push(Notification::ConversationDeleted {
                        conversation_id: id.to_owned(),
                        upper_bound_timestamp: d
                            .delete_action
                            .as_ref()
                            .and_then(|a| a.delete_upper_bound_timestamp)
                            .unwrap_or(0),
                    });
                }
            }
            _ => {}
        }
    }

    fn apply_watermark(&mut self, w: &WatermarkNotification) {
        let user = UserId::from_opt(w.sender_id.as_deref());
        let is_self = user == *self.users.self_id();
        let ts = w.latest_read_timestamp.unwrap_or(0);
        if let Some(conv) = self.get_mut(conv_id(w.conversation_id.as_ref())) {
            conv.apply_watermark(&user, is_self, ts);
        }
    }

    /// The event_notification path: the conversation must be known (else
    /// the event waits for it); the sync position moves to the event's
    /// timestamp (a missing or zero timestamp leaves it); a new event is
    /// added and notified.
    pub(super) fn on_event(&mut self, event: &Event, out: &mut Vec<Notification>) {
        let id = conv_id(event.conversation_id.as_ref());
        let Some(&i) = self.index.get(id) else {
            if !id.is_empty() {
                let id = id.to_owned();
                self.defer(&id, Pending::Event(Box::new(event.clone())), out);
            }
            return;
        };
        let ts = event.timestamp.unwrap_or(0);
        if ts != 0 {
            self.sync_timestamp = ts;
        }
        let Some(conv) = self.conversations.get_mut(i) else {
            return;
        };
        if let Some(added) = conv.add_proto_event(event) {
            notify_added(added, self.users.self_id(), out);
        }
    }

    /// Adds an event to its (known) conversation; notifies if new.
    pub(super) fn add_event(&mut self, event: ConversationEvent, out: &mut Vec<Notification>) {
        // Disjoint borrows: the conversation mutably, the users shared.
        let Some(conv) = self
            .index
            .get(event.conversation_id())
            .and_then(|&i| self.conversations.get_mut(i))
        else {
            return;
        };
        if let Some(added) = conv.add_event(event) {
            notify_added(added, self.users.self_id(), out);
        }
    }
}

/// The notifications of a newly added event: [`Notification::NewEvent`],
/// and [`Notification::ConversationLeft`] when the self user left.
fn notify_added(added: &ConversationEvent, self_id: &UserId, out: &mut Vec<Notification>) {
    let left = added.kind() == EventKind::MembershipChange
        && added.as_membership_change().is_some_and(|m| {
            m.change_type() == MembershipChangeType::MEMBERSHIP_CHANGE_TYPE_LEAVE
                && m.participant_ids().contains(self_id)
        });
    let left = left.then(|| added.conversation_id().to_owned());
    out.push(Notification::NewEvent(added.clone()));
    if let Some(id) = left {
        out.push(Notification::ConversationLeft(id));
    }
}
