//! [`CatchUpSync`]: one catch-up (PROTOCOL.md §7.6) to the end, also when
//! the server truncated the SyncAllNewEvents reply at
//! `max_response_size_bytes`.
//!
//! A truncated reply (as the emulator sends it; the real server's form is
//! not documented) keeps each conversation's **newest** new events and
//! gives the conversation an `event_continuation_token` before the oldest
//! one it kept. This machine pages such a conversation back with
//! GetConversation and that token until it reaches the sync start, and
//! only then hands over the whole reply, so that
//! [`ConversationList::apply_catch_up`](super::ConversationList::apply_catch_up)
//! delivers every event once, in timestamp order, before the sync position
//! moves.

use std::collections::VecDeque;

use hangups_proto::hangouts::{
    ConversationSpec, ConversationState, EventContinuationToken, GetConversationRequest,
    SyncAllNewEventsRequest, SyncAllNewEventsResponse,
};

use super::list::conv_id;
use super::sync::SYNC_MAX_RESPONSE_SIZE_BYTES;
use super::StateError;
use crate::api::{ApiRequest, ApiResponse};

/// Events asked for per GetConversation page of a catch-up.
pub const CATCH_UP_PAGE_EVENTS: u64 = 100;
/// At most this many GetConversation pages per catch-up; a server that
/// asks for more fails the catch-up ([`StateError::CatchUpTooLong`]).
pub const CATCH_UP_MAX_PAGES: u32 = 10_000;

/// Where a continuation token points: events before this time (µs) are
/// left to fetch. `None`: unknown (treated as "maybe some").
fn token_position(token: &EventContinuationToken) -> Option<u64> {
    token.event_timestamp.filter(|t| *t > 0)
}

/// Whether `state` left out events newer than `from`: it has a token that
/// does not point at or before `from` (by the token's timestamp, else by
/// the oldest event the state has).
pub(super) fn is_incomplete(state: &ConversationState, from: u64) -> bool {
    let Some(token) = &state.event_continuation_token else {
        return false;
    };
    let oldest = state.event.iter().filter_map(|e| e.timestamp).min();
    token_position(token).or(oldest).is_none_or(|at| at > from)
}

/// The oldest time (µs) before which `state` may have left events out,
/// if it is [incomplete](is_incomplete).
pub(super) fn gap(state: &ConversationState, from: u64) -> Option<u64> {
    if !is_incomplete(state, from) {
        return None;
    }
    let token = state.event_continuation_token.as_ref()?;
    let oldest = state.event.iter().filter_map(|e| e.timestamp).min();
    Some(
        token_position(token)
            .or(oldest)
            .unwrap_or(from.saturating_add(1)),
    )
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    /// Next: the SyncAllNewEvents request.
    Sync,
    /// Next: a page of the conversation state at this index.
    Page(usize),
    /// Every conversation is complete (or the catch-up failed).
    Done,
}

/// One catch-up as a sans-IO machine: SyncAllNewEvents from `from`, then
/// GetConversation pages (with each incomplete conversation's
/// continuation token, [`CATCH_UP_PAGE_EVENTS`] at a time) until every
/// conversation reaches back to `from`.
///
/// Drive it like [`BuildUserConversationList`](super::BuildUserConversationList):
/// send [`next_request`](Self::next_request), feed the answer to
/// [`on_response`](Self::on_response) (a failure: drop the machine and
/// start again from the same position), repeat until
/// [`is_done`](Self::is_done), then apply [`finish`](Self::finish) with
/// [`ConversationList::apply_catch_up`](super::ConversationList::apply_catch_up).
///
/// ```
/// use hangups_core::api::{ApiRequest, ApiResponse};
/// use hangups_core::proto::hangouts::*;
/// use hangups_core::state::CatchUpSync;
///
/// let cid = Some(ConversationId { id: Some("c".into()) });
/// let ev = |id: &str, ts| Event {
///     conversation_id: cid.clone(),
///     event_id: Some(id.into()),
///     timestamp: Some(ts),
///     ..Default::default()
/// };
/// let mut sync = CatchUpSync::new(10);
/// assert!(matches!(sync.next_request(), Some(ApiRequest::SyncAllNewEvents(_))));
/// // Truncated: the newest event, and a token for the ones before it.
/// let token = EventContinuationToken { event_timestamp: Some(30), ..Default::default() };
/// let reply = SyncAllNewEventsResponse {
///     conversation_state: vec![ConversationState {
///         conversation_id: cid.clone(),
///         event: vec![ev("e3", 30)],
///         event_continuation_token: Some(Box::new(token)),
///         ..Default::default()
///     }],
///     ..Default::default()
/// };
/// sync.on_response(reply.into()).unwrap();
/// let Some(ApiRequest::GetConversation(page)) = sync.next_request() else { panic!() };
/// assert_eq!(page.event_continuation_token.unwrap().event_timestamp, Some(30));
/// let page = GetConversationResponse {
///     conversation_state: Some(Box::new(ConversationState {
///         conversation_id: cid.clone(),
///         event: vec![ev("e1", 5), ev("e2", 20)],
///         ..Default::default()
///     })),
///     ..Default::default()
/// };
/// sync.on_response(page.into()).unwrap();
/// assert!(sync.is_done());
/// let whole = sync.finish().unwrap();
/// let ids: Vec<_> = whole.conversation_state[0].event.iter().map(|e| e.event_id.clone().unwrap()).collect();
/// assert_eq!(ids, ["e1", "e2", "e3"]);
/// ```
#[derive(Clone, Debug)]
pub struct CatchUpSync {
    from: u64,
    max_response_size_bytes: u64,
    step: Step,
    awaiting: bool,
    response: SyncAllNewEventsResponse,
    /// Indexes of the conversation states still to page, in reply order.
    incomplete: VecDeque<usize>,
    pages: u32,
}

impl CatchUpSync {
    /// A catch-up of everything after `from` (µs).
    pub fn new(from: u64) -> Self {
        CatchUpSync {
            from,
            max_response_size_bytes: SYNC_MAX_RESPONSE_SIZE_BYTES,
            step: Step::Sync,
            awaiting: false,
            response: SyncAllNewEventsResponse::default(),
            incomplete: VecDeque::new(),
            pages: 0,
        }
    }

    /// Asks the server to cap the SyncAllNewEvents reply at `bytes`
    /// (default [`SYNC_MAX_RESPONSE_SIZE_BYTES`], as hangups).
    pub fn with_max_response_size_bytes(mut self, bytes: u64) -> Self {
        self.max_response_size_bytes = bytes;
        self
    }

    /// The position the catch-up starts from (µs).
    pub fn from(&self) -> u64 {
        self.from
    }

    /// Whether every conversation is complete: [`finish`](Self::finish).
    pub fn is_done(&self) -> bool {
        self.step == Step::Done
    }

    /// How many GetConversation pages were asked for so far.
    pub fn pages(&self) -> u32 {
        self.pages
    }

    /// The next request, or `None` while waiting for an answer or done.
    pub fn next_request(&mut self) -> Option<ApiRequest> {
        if self.awaiting {
            return None;
        }
        let request = match self.step {
            Step::Sync => SyncAllNewEventsRequest {
                last_sync_timestamp: Some(self.from),
                max_response_size_bytes: Some(self.max_response_size_bytes),
                ..Default::default()
            }
            .into(),
            Step::Page(i) => {
                let state = self.response.conversation_state.get(i)?;
                GetConversationRequest {
                    conversation_spec: Some(ConversationSpec {
                        conversation_id: Some(hangups_proto::hangouts::ConversationId {
                            id: Some(state_id(state).to_owned()),
                        }),
                    }),
                    include_conversation_metadata: Some(false),
                    include_event: Some(true),
                    max_events_per_conversation: Some(CATCH_UP_PAGE_EVENTS),
                    event_continuation_token: state.event_continuation_token.clone(),
                    ..Default::default()
                }
                .into()
            }
            Step::Done => return None,
        };
        self.awaiting = true;
        Some(request)
    }

    /// Takes the answer to the last request. An answer of the wrong kind,
    /// or more than [`CATCH_UP_MAX_PAGES`] pages, fails the catch-up.
    pub fn on_response(&mut self, response: ApiResponse) -> Result<(), StateError> {
        if !self.awaiting {
            return Err(StateError::UnexpectedResponse(response.name()));
        }
        self.awaiting = false;
        match (self.step, response) {
            (Step::Sync, ApiResponse::SyncAllNewEvents(reply)) => {
                self.response = *reply;
                self.incomplete = (0..self.response.conversation_state.len())
                    .filter(|&i| is_incomplete(&self.response.conversation_state[i], self.from))
                    .collect();
                self.next_step();
                Ok(())
            }
            (Step::Page(i), ApiResponse::GetConversation(reply)) => {
                let page = reply.conversation_state.unwrap_or_default();
                self.add_page(i, *page);
                self.next_step();
                Ok(())
            }
            (_, other) => {
                self.step = Step::Done;
                Err(StateError::UnexpectedResponse(other.name()))
            }
        }
    }

    /// Puts a page's events in front of the state's, and decides whether
    /// the conversation needs another page.
    fn add_page(&mut self, i: usize, page: ConversationState) {
        let Some(state) = self.response.conversation_state.get_mut(i) else {
            return;
        };
        let before = state.event.iter().filter_map(|e| e.timestamp).min();
        let oldest = page.event.iter().filter_map(|e| e.timestamp).min();
        let mut events = page.event;
        events.append(&mut state.event);
        state.event = events;
        state.event_continuation_token = page.event_continuation_token;
        // Done with it: no events (the start of its history), the sync
        // start reached, no token, or a page that went no further back (a
        // server that repeats itself).
        let progressed = match (oldest, before) {
            (Some(o), Some(b)) => o < b,
            (Some(_), None) => true,
            (None, _) => false,
        };
        let more = progressed
            && oldest.is_some_and(|o| o > self.from)
            && state.event_continuation_token.is_some();
        if more {
            self.incomplete.push_front(i);
        }
    }

    fn next_step(&mut self) {
        self.step = match self.incomplete.pop_front() {
            Some(i) if self.pages < CATCH_UP_MAX_PAGES => {
                self.pages += 1;
                Step::Page(i)
            }
            Some(_) => {
                self.incomplete.clear();
                self.pages = u32::MAX;
                Step::Done
            }
            None => Step::Done,
        };
    }

    /// The reply with every page merged in (each conversation's events
    /// oldest first, its token the one before its oldest); or
    /// [`StateError::CatchUpTooLong`] if it needed more than
    /// [`CATCH_UP_MAX_PAGES`] pages, or [`StateError::BuildFailed`] if it
    /// is not done.
    pub fn finish(self) -> Result<SyncAllNewEventsResponse, StateError> {
        if self.pages == u32::MAX {
            return Err(StateError::CatchUpTooLong);
        }
        if self.step != Step::Done {
            return Err(StateError::BuildFailed("catch-up not finished"));
        }
        Ok(self.response)
    }
}

fn state_id(state: &ConversationState) -> &str {
    match conv_id(state.conversation_id.as_ref()) {
        "" => state
            .conversation
            .as_ref()
            .map(|c| conv_id(c.conversation_id.as_ref()))
            .unwrap_or(""),
        id => id,
    }
}
