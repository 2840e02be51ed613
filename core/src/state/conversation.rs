//! [`Conversation`]: one conversation's metadata, loaded events and
//! watermarks (PROTOCOL.md §7.4, §7.5, §7.7, §7.8).

use std::borrow::Cow;
use std::collections::hash_map::{Entry, RandomState};
use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

use hangups_proto::hangouts::{
    Conversation as ConversationMsg, ConversationId, ConversationSpec, ConversationState,
    ConversationType, ConversationView, DeliveryMedium, DeliveryMediumType, Event,
    EventContinuationToken, GetConversationRequest, GetConversationResponse,
    GroupLinkSharingStatus, NotificationLevel, OffTheRecordStatus, ParticipantId,
    UpdateWatermarkRequest, UserConversationState, UserReadState,
};

use super::events::{ConversationEvent, Interner};
use super::users::{User, UserId, UserKey, UserList};
use super::StateError;

/// What [`Conversation::get_events`] needs: the events are loaded, or the
/// older history must be fetched first.
#[derive(Clone, Debug, PartialEq)]
pub enum GetEvents<'a> {
    /// The events, oldest first (no request needed).
    Loaded(Vec<&'a ConversationEvent>),
    /// Send this request and hand the response to
    /// [`Conversation::apply_history`].
    Fetch(Box<GetConversationRequest>),
}

/// One chat conversation (hangups' `Conversation`).
#[derive(Clone, Debug, PartialEq)]
pub struct Conversation {
    id: String,
    conversation: ConversationMsg,
    events: Vec<ConversationEvent>,
    event_ids: EventIndex,
    interner: Interner,
    watermarks: HashMap<UserId, u64>,
    continuation_token: Option<EventContinuationToken>,
}

/// Finds a loaded event by id, for dedupe, without a copy of the id: each
/// event's index is kept under the SipHash of its id (computed once), so
/// growing the table rehashes no string; events whose hash is taken by
/// another id (practically never) go to a short list. Derived from
/// `events`: it always compares equal.
#[derive(Clone, Debug, Default)]
struct EventIndex {
    hasher: RandomState,
    by_hash: HashMap<u64, u32, BuildHasherDefault<HashIsKey>>,
    collided: Vec<u32>,
}

/// The hasher of `EventIndex::by_hash`: its keys already are hashes.
#[derive(Default)]
struct HashIsKey(u64);

impl Hasher for HashIsKey {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only u64 keys are hashed; this keeps any other input correct.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

impl EventIndex {
    /// The index in `events` of the event `id`.
    fn position(&self, events: &[ConversationEvent], id: &str) -> Option<usize> {
        self.position_hashed(events, id, self.hasher.hash_one(id))
    }

    fn position_hashed(&self, events: &[ConversationEvent], id: &str, hash: u64) -> Option<usize> {
        let is = |&i: &u32| events.get(i as usize).is_some_and(|e| e.has_id(id));
        if let Some(i) = self.by_hash.get(&hash).filter(|i| is(i)) {
            return Some(*i as usize);
        }
        self.collided.iter().find(|i| is(i)).map(|&i| i as usize)
    }

    /// Records that `events[index]` has id `id` (not loaded yet).
    fn insert(&mut self, id: &str, index: usize) {
        self.insert_hashed(self.hasher.hash_one(id), index);
    }

    fn insert_hashed(&mut self, hash: u64, index: usize) {
        let index = u32::try_from(index).unwrap_or(u32::MAX);
        match self.by_hash.entry(hash) {
            Entry::Vacant(slot) => {
                slot.insert(index);
            }
            Entry::Occupied(_) => self.collided.push(index),
        }
    }

    /// Rebuilds the index of all of `events`.
    fn rebuild(&mut self, events: &[ConversationEvent]) {
        self.by_hash.clear();
        self.collided.clear();
        for (i, e) in events.iter().enumerate() {
            self.insert(e.id(), i);
        }
    }
}

impl PartialEq for EventIndex {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl PartialEq for Interner {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// `*dst = src.clone()`, skipped when they are equal. (Not `clone_from`:
/// a `Vec` extended into grows past its length.)
fn set<T: Clone + PartialEq>(dst: &mut T, src: &T) {
    if dst != src {
        *dst = src.clone();
    }
}

fn conversation_id_of(msg: &ConversationMsg) -> Option<&str> {
    msg.conversation_id.as_ref().and_then(|c| c.id.as_deref())
}

impl Conversation {
    /// Builds a conversation from its message and initial events, skipping
    /// `EVENT_TYPE_OBSERVED_EVENT`s and duplicate ids (§7.7). The read
    /// states of `conversation` become the initial watermarks (zero
    /// timestamps ignored).
    pub fn new(
        conversation: ConversationMsg,
        events: impl IntoIterator<Item = Event>,
        continuation_token: Option<EventContinuationToken>,
    ) -> Self {
        let mut conv = Conversation {
            id: conversation_id_of(&conversation).unwrap_or("").to_owned(),
            conversation: ConversationMsg::default(),
            events: Vec::new(),
            event_ids: EventIndex::default(),
            interner: Interner::default(),
            watermarks: HashMap::new(),
            continuation_token,
        };
        conv.update_conversation(&conversation);
        for event in events {
            if event.event_type
                != Some(hangups_proto::hangouts::EventType::EVENT_TYPE_OBSERVED_EVENT)
            {
                conv.add_proto_event(&event);
            }
        }
        conv
    }

    /// Builds a conversation from a `ConversationState` (its conversation,
    /// events and continuation token, kept only if present: hangups'
    /// fetch of an unknown conversation); the id falls back to
    /// `conversation_state.conversation_id`.
    pub fn from_state(state: &ConversationState) -> Self {
        let mut conv = Conversation::new(
            state.conversation.clone().unwrap_or_default(),
            state.event.iter().cloned(),
            state.event_continuation_token.as_deref().cloned(),
        );
        if conv.id.is_empty() {
            if let Some(id) = state.conversation_id.as_ref().and_then(|c| c.id.as_deref()) {
                conv.id = id.to_owned();
            }
        }
        conv
    }

    // ---- getters ----

    /// The conversation's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The current `Conversation` message.
    pub fn raw(&self) -> &ConversationMsg {
        &self.conversation
    }

    /// The custom name; `None` if there is none (or it is empty).
    pub fn name(&self) -> Option<&str> {
        self.conversation.name.as_deref().filter(|n| !n.is_empty())
    }

    /// The conversation type (one-to-one or group; 0 if absent).
    pub fn conversation_type(&self) -> ConversationType {
        self.conversation.r#type.unwrap_or_default()
    }

    /// Whether this is a group conversation.
    pub fn is_group(&self) -> bool {
        self.conversation_type() == ConversationType::CONVERSATION_TYPE_GROUP
    }

    /// The participants' ids, from `participant_data`.
    pub fn user_ids(&self) -> Vec<UserId> {
        self.conversation
            .participant_data
            .iter()
            .map(|p| UserId::from_opt(p.id.as_ref()))
            .collect()
    }

    /// The participants, looked up in `users` (unknown ones as `Unknown`).
    pub fn users<'u>(&self, users: &'u UserList) -> Vec<Cow<'u, User>> {
        self.user_ids()
            .iter()
            .map(|id| users.get_user(id))
            .collect()
    }

    /// When the conversation was last modified: `sort_timestamp` (µs).
    pub fn last_modified(&self) -> u64 {
        self.self_state()
            .and_then(|s| s.sort_timestamp)
            .unwrap_or(0)
    }

    /// The self user's read timestamp (µs; 0 if none).
    pub fn latest_read_timestamp(&self) -> u64 {
        self.self_state()
            .and_then(|s| s.self_read_state.as_ref())
            .and_then(|r| r.latest_read_timestamp)
            .unwrap_or(0)
    }

    fn self_state(&self) -> Option<&hangups_proto::hangouts::UserConversationState> {
        self.conversation.self_conversation_state.as_ref()
    }

    /// Whether the archived view is among the conversation's views.
    pub fn is_archived(&self) -> bool {
        self.self_state().is_some_and(|s| {
            s.view
                .contains(&ConversationView::CONVERSATION_VIEW_ARCHIVED)
        })
    }

    /// Whether the notification level is `QUIET`.
    pub fn is_quiet(&self) -> bool {
        self.self_state().and_then(|s| s.notification_level)
            == Some(NotificationLevel::NOTIFICATION_LEVEL_QUIET)
    }

    /// Whether history is off (`otr_status == OFF_THE_RECORD`).
    pub fn is_off_the_record(&self) -> bool {
        self.conversation.otr_status
            == Some(OffTheRecordStatus::OFF_THE_RECORD_STATUS_OFF_THE_RECORD)
    }

    /// Whether joining by link is on: a group with status `ON`.
    pub fn is_group_link_sharing_enabled(&self) -> bool {
        self.is_group()
            && self.conversation.group_link_sharing_status
                == Some(GroupLinkSharingStatus::GROUP_LINK_SHARING_STATUS_ON)
    }

    /// The delivery medium for sending (§7.8): the first option's medium,
    /// overridden by the last option marked `current_default`; `BABEL` if
    /// there is none.
    pub fn delivery_medium(&self) -> DeliveryMedium {
        let options = self
            .self_state()
            .map(|s| s.delivery_medium_option.as_slice())
            .unwrap_or(&[]);
        let default = options
            .iter()
            .rev()
            .find(|o| o.current_default == Some(true));
        default
            .or(options.first())
            .and_then(|o| o.delivery_medium.clone())
            .unwrap_or(DeliveryMedium {
                medium_type: Some(DeliveryMediumType::DELIVERY_MEDIUM_BABEL),
                ..Default::default()
            })
    }

    /// Loaded events, oldest to newest (in the order they were added).
    pub fn events(&self) -> &[ConversationEvent] {
        &self.events
    }

    /// The loaded event with this id.
    pub fn get_event(&self, event_id: &str) -> Option<&ConversationEvent> {
        self.position(event_id).and_then(|i| self.events.get(i))
    }

    fn position(&self, event_id: &str) -> Option<usize> {
        self.event_ids.position(&self.events, event_id)
    }

    /// The event after (or with `prev`, before) the event `event_id`;
    /// `Ok(None)` at the end, an error if `event_id` is not loaded.
    pub fn next_event(
        &self,
        event_id: &str,
        prev: bool,
    ) -> Result<Option<&ConversationEvent>, StateError> {
        let i = self
            .position(event_id)
            .ok_or_else(|| StateError::UnknownEvent(event_id.to_owned()))?;
        Ok(if prev {
            i.checked_sub(1).and_then(|j| self.events.get(j))
        } else {
            self.events.get(i + 1)
        })
    }

    /// Every user's read watermark (µs) known so far.
    pub fn watermarks(&self) -> &HashMap<UserId, u64> {
        &self.watermarks
    }

    /// Loaded events later than [`Conversation::latest_read_timestamp`]
    /// (strictly; own messages count), oldest first.
    pub fn unread_events(&self) -> Vec<&ConversationEvent> {
        let read = self.latest_read_timestamp();
        self.events
            .iter()
            .filter(|e| e.timestamp() > read)
            .collect()
    }

    /// The stored continuation token for older history.
    pub fn continuation_token(&self) -> Option<&EventContinuationToken> {
        self.continuation_token.as_ref()
    }

    // ---- mutators ----

    /// Adds an event at the end (no sorting, as hangups). An event whose
    /// id is already loaded is ignored: returns `None`; else the added
    /// event.
    pub fn add_event(&mut self, mut event: ConversationEvent) -> Option<&ConversationEvent> {
        if self.position(event.id()).is_some() {
            return None;
        }
        event.intern(&mut self.interner);
        self.event_ids.insert(event.id(), self.events.len());
        self.events.push(event);
        self.events.last()
    }

    /// [`Conversation::add_event`] of a borrowed `Event` message: nothing is
    /// built for a known id, and the stored event shares this
    /// conversation's ids.
    pub(super) fn add_proto_event(&mut self, event: &Event) -> Option<&ConversationEvent> {
        let id = event.event_id.as_deref().unwrap_or("");
        let hash = self.event_ids.hasher.hash_one(id);
        if self
            .event_ids
            .position_hashed(&self.events, id, hash)
            .is_some()
        {
            return None;
        }
        let event = ConversationEvent::from_proto(event, &mut self.interner);
        self.event_ids.insert_hashed(hash, self.events.len());
        self.events.push(event);
        self.events.last()
    }

    /// Applies a conversation delta (a `StateUpdate.conversation`, or a
    /// `ConversationState.conversation` from a sync or fetch).
    ///
    /// **Replace, not merge**, as hangups (§7.4): the stored message
    /// becomes the delta, except that an empty
    /// `self_conversation_state.delivery_medium_option` keeps the old list
    /// and a zero/absent `self_read_state.latest_read_timestamp` keeps the
    /// old value. Every `read_state` entry raises that user's watermark if
    /// later (zero timestamps are **ignored**, unlike hangups, which sets
    /// an epoch watermark). The conversation id never changes.
    ///
    /// Why replace: proto2 presence could drive a field-wise merge, but the
    /// server sends repeated fields (views, participants, read states)
    /// whole, and an empty list there is a real value (e.g. no participant
    /// data); a merge would have to guess per field and could keep stale
    /// state forever (an archive view never cleared). The server sends
    /// full conversations in practice, which is why hangups' replace works.
    pub fn update_conversation(&mut self, delta: &ConversationMsg) {
        // In place, field by field: a field equal to the stored one (most
        // of a delta) is neither cloned nor dropped. Destructured without
        // `..`, so a new schema field cannot be forgotten.
        let ConversationMsg {
            conversation_id: _,
            r#type,
            name,
            self_conversation_state,
            read_state,
            has_active_hangout,
            otr_status,
            otr_toggle,
            conversation_history_supported,
            current_participant,
            participant_data,
            network_type,
            force_history_state,
            group_link_sharing_status,
        } = delta;
        if self.id.is_empty() {
            if let Some(id) = conversation_id_of(delta) {
                self.id = id.to_owned();
            }
        }
        let c = &mut self.conversation;
        if conversation_id_of(c) != Some(self.id.as_str()) {
            c.conversation_id = Some(ConversationId {
                id: Some(self.id.clone()),
            });
        }
        set(&mut c.r#type, r#type);
        set(&mut c.name, name);
        if c.read_state.len() == read_state.len() {
            // Usually the same users with new timestamps: keep their ids.
            for (dst, src) in c.read_state.iter_mut().zip(read_state) {
                let UserReadState {
                    participant_id,
                    latest_read_timestamp,
                } = src;
                set(&mut dst.participant_id, participant_id);
                dst.latest_read_timestamp = *latest_read_timestamp;
            }
        } else {
            set(&mut c.read_state, read_state);
        }
        set(&mut c.has_active_hangout, has_active_hangout);
        set(&mut c.otr_status, otr_status);
        set(&mut c.otr_toggle, otr_toggle);
        set(
            &mut c.conversation_history_supported,
            conversation_history_supported,
        );
        set(&mut c.current_participant, current_participant);
        set(&mut c.participant_data, participant_data);
        set(&mut c.network_type, network_type);
        set(&mut c.force_history_state, force_history_state);
        set(&mut c.group_link_sharing_status, group_link_sharing_status);
        let had_old = c.self_conversation_state.is_some();
        let state = c
            .self_conversation_state
            .get_or_insert_with(Default::default);
        let empty = UserConversationState::default();
        let UserConversationState {
            client_generated_id,
            self_read_state,
            status,
            notification_level,
            view,
            inviter_id,
            invite_timestamp,
            sort_timestamp,
            active_timestamp,
            invite_affinity,
            delivery_medium_option,
        } = self_conversation_state.as_ref().unwrap_or(&empty);
        set(&mut state.client_generated_id, client_generated_id);
        set(&mut state.status, status);
        set(&mut state.notification_level, notification_level);
        set(&mut state.view, view);
        set(&mut state.inviter_id, inviter_id);
        set(&mut state.invite_timestamp, invite_timestamp);
        set(&mut state.sort_timestamp, sort_timestamp);
        set(&mut state.active_timestamp, active_timestamp);
        set(&mut state.invite_affinity, invite_affinity);
        // An empty option list keeps the old one.
        if !(had_old && delivery_medium_option.is_empty()) {
            set(&mut state.delivery_medium_option, delivery_medium_option);
        }
        // A zero or absent read timestamp keeps the old one.
        let new_read = self_read_state
            .as_ref()
            .and_then(|r| r.latest_read_timestamp)
            .unwrap_or(0);
        let old_read = state
            .self_read_state
            .as_ref()
            .and_then(|r| r.latest_read_timestamp);
        if had_old && new_read == 0 && old_read.is_some() {
            let mut kept = self_read_state.clone().unwrap_or_default();
            kept.latest_read_timestamp = old_read;
            set(&mut state.self_read_state, &Some(kept));
        } else {
            set(&mut state.self_read_state, self_read_state);
        }
        for entry in read_state {
            let ts = entry.latest_read_timestamp.unwrap_or(0);
            if ts != 0 {
                match entry.participant_id.as_deref() {
                    Some(p) => self.raise_watermark_of(p, ts),
                    None => {
                        self.raise_watermark(UserId::default(), ts);
                    }
                }
            }
        }
    }

    /// [`Conversation::raise_watermark`] without building a `UserId` for a
    /// known user.
    fn raise_watermark_of(&mut self, p: &ParticipantId, ts: u64) {
        match self.watermarks.get_mut(p as &dyn UserKey) {
            Some(slot) => *slot = (*slot).max(ts),
            None => {
                self.watermarks.insert(UserId::from_participant_id(p), ts);
            }
        }
    }

    fn raise_watermark(&mut self, user: UserId, ts: u64) -> bool {
        let slot = self.watermarks.entry(user).or_insert(0);
        if ts > *slot {
            *slot = ts;
            true
        } else {
            false
        }
    }

    /// Applies a watermark notification (§7.5): from the self user it sets
    /// `latest_read_timestamp` (unconditionally); the user's watermark is
    /// raised if later. A zero timestamp is ignored (returns `false`).
    pub fn apply_watermark(&mut self, user: &UserId, is_self: bool, read_timestamp: u64) -> bool {
        if read_timestamp == 0 {
            return false;
        }
        if is_self {
            self.set_latest_read_timestamp(read_timestamp);
        }
        self.raise_watermark(user.clone(), read_timestamp);
        true
    }

    fn set_latest_read_timestamp(&mut self, ts: u64) {
        self.conversation
            .self_conversation_state
            .get_or_insert_with(Default::default)
            .self_read_state
            .get_or_insert_with(Default::default)
            .latest_read_timestamp = Some(ts);
    }

    /// hangups' `update_read_timestamp` without the IO: `ts` defaults to
    /// the newest loaded event's timestamp, and with no loaded events to
    /// `now_us` (the caller's clock, µs since the Unix epoch: hangups
    /// reads its clock there, and the core has none). Only if it is later
    /// than [`Conversation::latest_read_timestamp`], sets it locally and
    /// returns the `UpdateWatermark` request to send.
    pub fn update_read_timestamp(
        &mut self,
        ts: Option<u64>,
        now_us: u64,
    ) -> Option<UpdateWatermarkRequest> {
        let ts = ts.or_else(|| self.events.last().map(ConversationEvent::timestamp));
        let ts = ts.unwrap_or(now_us);
        if ts <= self.latest_read_timestamp() {
            return None;
        }
        self.set_latest_read_timestamp(ts);
        Some(UpdateWatermarkRequest {
            conversation_id: Some(ConversationId {
                id: Some(self.id.clone()),
            }),
            last_read_timestamp: Some(ts),
            ..Default::default()
        })
    }

    // ---- history paging (§7.7) ----

    /// hangups' `get_events` as a step: with no `event_id`, the newest
    /// `max_events` loaded events; for a loaded event that is not the
    /// oldest, up to `max_events` events before it; for the oldest, the
    /// `GetConversation` request that fetches older history. An unknown
    /// id is an error. Events come oldest first.
    pub fn get_events(
        &self,
        event_id: Option<&str>,
        max_events: usize,
    ) -> Result<GetEvents<'_>, StateError> {
        let end = match event_id {
            None => self.events.len(),
            Some(id) => self
                .position(id)
                .ok_or_else(|| StateError::UnknownEvent(id.to_owned()))?,
        };
        if event_id.is_some() && end == 0 {
            return Ok(GetEvents::Fetch(Box::new(self.history_request(max_events))));
        }
        Ok(GetEvents::Loaded(self.events_before_index(end, max_events)))
    }

    fn events_before_index(&self, end: usize, max: usize) -> Vec<&ConversationEvent> {
        let start = end.saturating_sub(max);
        self.events.get(start..end).unwrap_or(&[]).iter().collect()
    }

    /// Up to `max_events` loaded events before the event `event_id`,
    /// oldest first (no request).
    pub fn events_before(
        &self,
        event_id: &str,
        max_events: usize,
    ) -> Result<Vec<&ConversationEvent>, StateError> {
        let end = self
            .position(event_id)
            .ok_or_else(|| StateError::UnknownEvent(event_id.to_owned()))?;
        Ok(self.events_before_index(end, max_events))
    }

    /// The request for history older than the oldest loaded event:
    /// `GetConversation{include_event=true, max_events_per_conversation,
    /// event_continuation_token=<stored>}`. With no stored token the field
    /// is absent (the server pages from the newest event), which is not
    /// the same as a stored empty token (an empty field 7, `3a 00`): a
    /// conversation fetched because an update named it has no token until
    /// its first history reply, as in hangups (§7.7).
    pub fn history_request(&self, max_events: usize) -> GetConversationRequest {
        GetConversationRequest {
            conversation_spec: Some(ConversationSpec {
                conversation_id: Some(ConversationId {
                    id: Some(self.id.clone()),
                }),
            }),
            include_event: Some(true),
            max_events_per_conversation: Some(max_events as u64),
            event_continuation_token: self.continuation_token.clone().map(Box::new),
            ..Default::default()
        }
    }

    /// Applies a history response (§7.7): the conversation (if present)
    /// through [`Conversation::update_conversation`], the continuation
    /// token stored unconditionally (empty if absent, as hangups), and the
    /// returned events (oldest first) inserted before the loaded ones,
    /// skipping known ids. Returns every returned event, oldest first.
    pub fn apply_history(&mut self, response: &GetConversationResponse) -> Vec<ConversationEvent> {
        let Some(state) = &response.conversation_state else {
            self.continuation_token = Some(EventContinuationToken::default());
            return Vec::new();
        };
        if let Some(conv) = &state.conversation {
            self.update_conversation(conv);
        }
        self.continuation_token = Some(
            state
                .event_continuation_token
                .as_deref()
                .cloned()
                .unwrap_or_default(),
        );
        let returned: Vec<ConversationEvent> = state
            .event
            .iter()
            .map(|e| ConversationEvent::from_proto(e, &mut self.interner))
            .collect();
        let mut front: Vec<ConversationEvent> = Vec::new();
        let mut seen = EventIndex::default();
        for event in &returned {
            if self.position(event.id()).is_none() && seen.position(&front, event.id()).is_none() {
                seen.insert(event.id(), front.len());
                front.push(event.clone());
            }
        }
        if !front.is_empty() {
            front.append(&mut self.events);
            self.events = front;
            self.event_ids.rebuild(&self.events);
        }
        returned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(id: &str) -> ConversationEvent {
        ConversationEvent::new(Event {
            event_id: Some(id.into()),
            ..Default::default()
        })
    }

    #[test]
    fn event_index_finds_events_whose_hash_is_taken() {
        let events = vec![event("a"), event("b")];
        let mut ids = EventIndex::default();
        ids.insert("a", 0);
        // Plant "a"'s index under "b"'s hash: "b" then collides.
        let h = ids.hasher.hash_one("b");
        ids.by_hash.insert(h, 0);
        assert_eq!(ids.position(&events, "b"), None);
        ids.insert("b", 1);
        assert_eq!(ids.collided, [1]);
        assert_eq!(ids.position(&events, "b"), Some(1));
        assert_eq!(ids.position(&events, "a"), Some(0));
        assert_eq!(ids.position(&events, "c"), None);
        ids.rebuild(&events);
        assert!(ids.collided.is_empty());
        assert_eq!(ids.position(&events, "b"), Some(1));
    }

    /// The replace-not-merge rule as it was written before the in-place
    /// update (a clone of the delta, then the two exceptions).
    fn replaced(old: &ConversationMsg, id: &str, delta: &ConversationMsg) -> ConversationMsg {
        let mut new = delta.clone();
        new.conversation_id = Some(ConversationId {
            id: Some(id.to_owned()),
        });
        let state = new
            .self_conversation_state
            .get_or_insert_with(Default::default);
        if let Some(old) = old.self_conversation_state.clone() {
            if state.delivery_medium_option.is_empty() {
                state.delivery_medium_option = old.delivery_medium_option;
            }
            let new_read = state
                .self_read_state
                .as_ref()
                .and_then(|r| r.latest_read_timestamp)
                .unwrap_or(0);
            if new_read == 0 {
                let old_read = old.self_read_state.and_then(|r| r.latest_read_timestamp);
                if old_read.is_some() {
                    state
                        .self_read_state
                        .get_or_insert_with(Default::default)
                        .latest_read_timestamp = old_read;
                }
            }
        }
        new
    }

    #[test]
    fn in_place_update_replaces_as_the_rule_says() {
        use hangups_proto::hangouts::DeliveryMediumOption;
        let state = |read: Option<u64>, options: usize, sort: u64| UserConversationState {
            self_read_state: read.map(|t| UserReadState {
                latest_read_timestamp: Some(t),
                ..Default::default()
            }),
            delivery_medium_option: vec![DeliveryMediumOption::default(); options],
            sort_timestamp: Some(sort),
            view: vec![ConversationView::CONVERSATION_VIEW_INBOX],
            ..Default::default()
        };
        let reads = |r: &[(&str, u64)]| -> Vec<UserReadState> {
            r.iter()
                .map(|&(g, t)| UserReadState {
                    participant_id: Some(Box::new(UserId::new(g, g).to_participant_id())),
                    latest_read_timestamp: Some(t),
                })
                .collect()
        };
        let read_states = [reads(&[]), reads(&[("a", 1)]), reads(&[("b", 2), ("a", 3)])];
        let msg = |name: Option<&str>, st: Option<UserConversationState>| ConversationMsg {
            conversation_id: Some(ConversationId {
                id: Some("c".into()),
            }),
            name: name.map(Into::into),
            self_conversation_state: st,
            read_state: read_states[name.map_or(0, str::len) % 3].clone(),
            ..Default::default()
        };
        let states = [
            None,
            Some(UserConversationState::default()),
            Some(state(None, 0, 1)),
            Some(state(Some(0), 2, 2)),
            Some(state(Some(5), 0, 3)),
            Some(state(Some(9), 1, 4)),
        ];
        for old in &states {
            for new in &states {
                for name in [None, Some("n"), Some("nn"), Some("nnn")] {
                    let start = msg(Some("old"), old.clone());
                    let delta = msg(name, new.clone());
                    let mut conv = Conversation::new(start.clone(), [], None);
                    conv.update_conversation(&delta);
                    let want = replaced(
                        &Conversation::new(start, [], None).conversation,
                        "c",
                        &delta,
                    );
                    assert_eq!(conv.conversation, want, "old {old:?} delta {delta:?}");
                    // A second delta over the first (same read state users,
                    // new timestamps).
                    let mut again = delta.clone();
                    for r in &mut again.read_state {
                        r.latest_read_timestamp = r.latest_read_timestamp.map(|t| t + 10);
                    }
                    conv.update_conversation(&again);
                    let want = replaced(&want, "c", &again);
                    assert_eq!(conv.conversation, want, "then {again:?}");
                }
            }
        }
    }
}
