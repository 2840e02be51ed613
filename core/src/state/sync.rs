//! Sans-IO sync steps: catch-up after (re)connect (PROTOCOL.md §7.6, with
//! DESIGN.md's "nothing lost" difference) and
//! [`BuildUserConversationList`] (§7.2).

use std::collections::HashSet;

use hangups_proto::hangouts::{
    ConversationId, ConversationParticipantData, ConversationState, Entity, EntityLookupSpec,
    GetEntityByIdRequest, GetSelfInfoRequest, SyncAllNewEventsRequest, SyncAllNewEventsResponse,
    SyncFilter, SyncRecentConversationsRequest,
};

use super::catch_up::{gap, CatchUpSync};
use super::conversation::Conversation;
use super::events::ConversationEvent;
use super::list::{conv_id, ConversationList, Notification};
use super::users::{UserId, UserList};
use super::StateError;
use crate::api::{ApiRequest, ApiResponse};

/// `max_response_size_bytes` of the catch-up request.
pub const SYNC_MAX_RESPONSE_SIZE_BYTES: u64 = 1_048_576;
/// `max_conversations` per SyncRecentConversations page.
pub const SYNC_MAX_CONVERSATIONS: u64 = 100;
/// At most this many SyncRecentConversations pages are requested.
pub const SYNC_MAX_PAGES: u32 = 100;

impl ConversationList {
    /// A catch-up from the sync position, to the end of a truncated reply:
    /// drive it, then [`ConversationList::apply_catch_up`] its
    /// [`finish`](CatchUpSync::finish). Start one after every connect and
    /// reconnect.
    pub fn catch_up(&self) -> CatchUpSync {
        CatchUpSync::new(self.sync_timestamp())
    }

    /// The catch-up request (§7.6): `SyncAllNewEvents{last_sync_timestamp =
    /// sync_timestamp, max_response_size_bytes = 1 MiB}`: the first request
    /// of [`ConversationList::catch_up`]. A reply may be truncated (see
    /// [`CatchUpSync`]); only [`CatchUpSync`] pages the rest.
    pub fn catch_up_request(&self) -> SyncAllNewEventsRequest {
        SyncAllNewEventsRequest {
            last_sync_timestamp: Some(self.sync_timestamp()),
            max_response_size_bytes: Some(SYNC_MAX_RESPONSE_SIZE_BYTES),
            ..Default::default()
        }
    }

    /// Applies a catch-up response.
    ///
    /// First, per conversation state in response order: a known
    /// conversation gets its `conversation` as a delta (absent: nothing)
    /// and [`Notification::ConversationChanged`]; an unknown one is added
    /// with its events not newer than the sync start (observed events
    /// skipped) and its continuation token, and
    /// [`Notification::ConversationAdded`]. Participants go to the users.
    ///
    /// Then **every** event newer than the sync start, from all
    /// conversations, is delivered once, in timestamp order (ties keep
    /// response order), deduplicated by event id against the response and
    /// the loaded events, as [`Notification::NewEvent`]. The sync position
    /// ends at the newest timestamp seen (never moves back), but not past
    /// a gap: if a conversation state is incomplete (it has a continuation
    /// token pointing after the sync start, as a truncated reply leaves it,
    /// see [`CatchUpSync`]), the position stays before the gap, so the next
    /// catch-up asks for the left-out events again. Pass the
    /// [`CatchUpSync::finish`] of a whole catch-up to have none.
    ///
    /// Differences from hangups (DESIGN.md): hangups walks the response in
    /// order and moves the sync position as it goes, so an older event
    /// after a newer one (even in another conversation) is lost; and it
    /// adds unknown conversations silently, never notifying their events.
    /// The response's `sync_timestamp` is not used, as in hangups.
    pub fn apply_catch_up(&mut self, response: &SyncAllNewEventsResponse) -> Vec<Notification> {
        let start = self.sync_timestamp();
        let mut out = Vec::new();
        let mut fresh: Vec<ConversationEvent> = Vec::new();
        let first_gap = response
            .conversation_state
            .iter()
            .filter_map(|s| gap(s, start))
            .min();
        for state in &response.conversation_state {
            let id = match conv_id(state.conversation_id.as_ref()) {
                "" => state
                    .conversation
                    .as_ref()
                    .map(|c| conv_id(c.conversation_id.as_ref()))
                    .unwrap_or(""),
                id => id,
            }
            .to_owned();
            if id.is_empty()
                || (self.get(&id).is_none() && self.ignores(&id, state.conversation.as_ref()))
            {
                continue;
            }
            if let Some(msg) = &state.conversation {
                self.users_mut().add_participants(&msg.participant_data);
            }
            let (old, new): (Vec<_>, Vec<_>) = state
                .event
                .iter()
                .cloned()
                .map(ConversationEvent::new)
                .partition(|e| e.timestamp() <= start);
            match self.get_mut(&id) {
                Some(conv) => {
                    if let Some(msg) = &state.conversation {
                        conv.update_conversation(msg);
                    }
                    out.push(Notification::ConversationChanged(id.clone()));
                }
                None => {
                    let mut msg = state.conversation.clone().unwrap_or_default();
                    if conv_id(msg.conversation_id.as_ref()).is_empty() {
                        msg.conversation_id = Some(ConversationId {
                            id: Some(id.clone()),
                        });
                    }
                    self.insert(Conversation::new(
                        msg,
                        old.into_iter().map(ConversationEvent::into_raw),
                        state.event_continuation_token.as_deref().cloned(),
                    ));
                    out.push(Notification::ConversationAdded(id.clone()));
                }
            }
            // Events take the conversation id they were listed under.
            fresh.extend(new.into_iter().map(|e| {
                let mut raw = e.into_raw();
                if conv_id(raw.conversation_id.as_ref()).is_empty() {
                    raw.conversation_id = state
                        .conversation_id
                        .clone()
                        .or_else(|| state.conversation.as_ref()?.conversation_id.clone());
                }
                ConversationEvent::new(raw)
            }));
        }
        fresh.sort_by_key(ConversationEvent::timestamp); // stable
        let mut seen = HashSet::new();
        let mut newest = start;
        for event in fresh {
            if !seen.insert(event.id().to_owned()) {
                continue;
            }
            newest = newest.max(event.timestamp());
            self.add_event(event, &mut out);
        }
        if let Some(gap) = first_gap {
            newest = newest.min(gap.saturating_sub(1)).max(start);
        }
        self.set_sync_timestamp(newest);
        out
    }
}

/// Where [`BuildUserConversationList`] is.
#[derive(Clone, Debug, PartialEq)]
enum Step {
    /// Next: a SyncRecentConversations page.
    Recent {
        page: u32,
        last_event_timestamp: Option<u64>,
    },
    /// Next: GetEntityById batch `batch` (index into the lookup batches).
    Entities { batch: usize },
    /// Next: GetSelfInfo.
    SelfInfo,
    /// Built (or failed); nothing more to send.
    Done,
}

/// hangups' `build_user_conversation_list` as a sans-IO machine (§7.2):
/// SyncRecentConversations pages to the end (at most 100), GetEntityById
/// for every distinct participant, GetSelfInfo, then the
/// [`ConversationList`] with its [`UserList`].
///
/// Drive it: send [`next_request`](Self::next_request), feed the result to
/// [`on_response`](Self::on_response) or [`on_error`](Self::on_error),
/// repeat until `next_request` is `None`, then [`finish`](Self::finish).
/// One request is outstanding at a time.
#[derive(Clone, Debug)]
pub struct BuildUserConversationList {
    step: Step,
    awaiting: bool,
    conv_states: Vec<ConversationState>,
    sync_timestamp: u64,
    batches: Vec<Vec<EntityLookupSpec>>,
    batch_size: usize,
    entities: Vec<Entity>,
    self_entity: Option<Entity>,
    error: Option<StateError>,
}

impl Default for BuildUserConversationList {
    fn default() -> Self {
        Self::new()
    }
}

impl BuildUserConversationList {
    /// A machine about to request the first SyncRecentConversations page.
    pub fn new() -> Self {
        BuildUserConversationList {
            step: Step::Recent {
                page: 0,
                last_event_timestamp: None,
            },
            awaiting: false,
            conv_states: Vec::new(),
            sync_timestamp: 0,
            batches: Vec::new(),
            batch_size: usize::MAX,
            entities: Vec::new(),
            self_entity: None,
            error: None,
        }
    }

    /// Looks entities up in batches of at most `size` specs (hangups sends
    /// one request with all of them, the default). `0` counts as 1.
    pub fn with_entity_batch_size(mut self, size: usize) -> Self {
        self.batch_size = size.max(1);
        self
    }

    /// The next request to send, or `None` when waiting for a response or
    /// done. Calling it again before the response returns `None`.
    pub fn next_request(&mut self) -> Option<ApiRequest> {
        if self.awaiting {
            return None;
        }
        let request = match &self.step {
            Step::Recent {
                last_event_timestamp,
                ..
            } => ApiRequest::from(SyncRecentConversationsRequest {
                last_event_timestamp: *last_event_timestamp,
                max_conversations: Some(SYNC_MAX_CONVERSATIONS),
                max_events_per_conversation: Some(1),
                sync_filter: vec![
                    SyncFilter::SYNC_FILTER_INBOX,
                    SyncFilter::SYNC_FILTER_ARCHIVED,
                ],
                ..Default::default()
            }),
            Step::Entities { batch } => ApiRequest::from(GetEntityByIdRequest {
                batch_lookup_spec: self.batches.get(*batch).cloned().unwrap_or_default(),
                ..Default::default()
            }),
            Step::SelfInfo => ApiRequest::from(GetSelfInfoRequest::default()),
            Step::Done => return None,
        };
        self.awaiting = true;
        Some(request)
    }

    /// Whether the machine has nothing more to send.
    pub fn is_done(&self) -> bool {
        self.step == Step::Done
    }

    /// Feeds the response to the last request. A response of the wrong
    /// endpoint, or one with no request outstanding, fails the build.
    pub fn on_response(&mut self, response: ApiResponse) -> Result<(), StateError> {
        if !self.awaiting || self.step == Step::Done {
            return self.fail(StateError::UnexpectedResponse(response.name()));
        }
        self.awaiting = false;
        match (&self.step, response) {
            (Step::Recent { page, .. }, ApiResponse::SyncRecentConversations(r)) => {
                let page = *page + 1;
                let mut states = r.conversation_state;
                states.append(&mut self.conv_states); // each page is prepended
                self.conv_states = states;
                self.sync_timestamp = r
                    .response_header
                    .and_then(|h| h.current_server_time)
                    .unwrap_or(self.sync_timestamp);
                match r.continuation_end_timestamp.unwrap_or(0) {
                    ts if ts != 0 && page < SYNC_MAX_PAGES => {
                        self.step = Step::Recent {
                            page,
                            last_event_timestamp: Some(ts),
                        }
                    }
                    _ => self.start_entities(),
                }
            }
            (Step::Entities { batch }, ApiResponse::GetEntityById(r)) => {
                let batch = *batch;
                self.entities
                    .extend(r.entity_result.into_iter().flat_map(|e| e.entity));
                self.next_batch(batch);
            }
            (Step::SelfInfo, ApiResponse::GetSelfInfo(r)) => {
                self.self_entity = Some(r.self_entity.map(|e| *e).unwrap_or_default());
                self.step = Step::Done;
            }
            (_, other) => return self.fail(StateError::UnexpectedResponse(other.name())),
        }
        Ok(())
    }

    /// The last request failed. A GetEntityById failure is skipped (hangups
    /// warns and goes on without those entities); any other failure ends
    /// the build with [`StateError::BuildFailed`].
    pub fn on_error(&mut self) -> Result<(), StateError> {
        if !self.awaiting {
            return self.fail(StateError::BuildFailed("no request outstanding"));
        }
        self.awaiting = false;
        match self.step {
            Step::Entities { batch } => {
                self.next_batch(batch);
                Ok(())
            }
            Step::Recent { .. } => self.fail(StateError::BuildFailed("SyncRecentConversations")),
            Step::SelfInfo => self.fail(StateError::BuildFailed("GetSelfInfo")),
            Step::Done => self.fail(StateError::BuildFailed("no request outstanding")),
        }
    }

    fn fail(&mut self, error: StateError) -> Result<(), StateError> {
        self.step = Step::Done;
        self.awaiting = false;
        self.error = Some(error.clone());
        Err(error)
    }

    fn participants(&self) -> impl Iterator<Item = &ConversationParticipantData> {
        self.conv_states
            .iter()
            .filter_map(|s| s.conversation.as_ref())
            .flat_map(|c| c.participant_data.iter())
    }

    fn start_entities(&mut self) {
        let mut seen = HashSet::new();
        let specs: Vec<EntityLookupSpec> = self
            .participants()
            .map(|p| UserId::from_opt(p.id.as_ref()))
            .filter(|id| seen.insert(id.clone()))
            .map(|id| EntityLookupSpec {
                gaia_id: Some(id.gaia_id),
                create_offnetwork_gaia: Some(true),
                ..Default::default()
            })
            .collect();
        self.batches = specs
            .chunks(self.batch_size.min(specs.len().max(1)))
            .map(<[EntityLookupSpec]>::to_vec)
            .collect();
        self.next_batch_from(0);
    }

    fn next_batch(&mut self, done: usize) {
        self.next_batch_from(done + 1);
    }

    fn next_batch_from(&mut self, batch: usize) {
        self.step = if batch < self.batches.len() {
            Step::Entities { batch }
        } else {
            Step::SelfInfo
        };
    }

    /// The built list (with its users and sync position), once
    /// [`is_done`](Self::is_done); the error if the build failed or is not
    /// finished.
    pub fn finish(self) -> Result<ConversationList, StateError> {
        if let Some(error) = self.error {
            return Err(error);
        }
        let Some(self_entity) = &self.self_entity else {
            return Err(StateError::BuildFailed("not finished"));
        };
        let participants: Vec<ConversationParticipantData> = self.participants().cloned().collect();
        let users = UserList::new(self_entity, &self.entities, &participants);
        Ok(ConversationList::new(
            &self.conv_states,
            users,
            self.sync_timestamp,
        ))
    }
}
