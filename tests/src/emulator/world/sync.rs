//! SyncAllNewEvents (PROTOCOL.md §7.6) and how it honours
//! `max_response_size_bytes`.
//!
//! # What a truncated reply looks like
//!
//! Neither hangups 0.4.18 nor the schema says what the real server sent
//! when a reply would pass the cap: hangups sends 1 MiB, walks
//! `conversation_state` and ignores both the reply's `sync_timestamp` and,
//! for known conversations, each state's `event_continuation_token`;
//! `SyncAllNewEventsResponse` has no "more" field (only `response_header`,
//! `sync_timestamp`, `conversation_state`). The one paging device the
//! schema has is `ConversationState.event_continuation_token` ("retrieving
//! more events from a position in a conversation"), which GetConversation
//! takes to return the events **before** that position. So the emulator
//! truncates the way that device can repair:
//!
//! - Every conversation that changed since `last_sync_timestamp` is in the
//!   reply, with its metadata, even if that alone passes the cap: a client
//!   cannot learn of a conversation left out.
//! - Events are added **newest first** across all those conversations
//!   while the reply's protobuf encoding stays within the cap; at the first
//!   one that does not fit, no more are added (the size counted is the
//!   reply's protobuf encoding without its response header). So each conversation keeps
//!   its newest new events (oldest first, as always) and loses a run of
//!   older ones.
//! - A conversation that lost some carries an `event_continuation_token`
//!   before the oldest event it kept (or, if it kept none, just after its
//!   newest event): GetConversation with it returns the rest, page by page,
//!   down to the sync position. A complete conversation carries no token.
//! - `sync_timestamp` stays the server's time, as for a complete reply.
//!
//! No cap (absent or 0) means no truncation.

use super::ops::Res;
use super::queries::token_before;
use super::*;

/// The size in bytes of a protobuf length prefix for `len` bytes.
fn varint_len(len: usize) -> usize {
    let mut n = 1;
    let mut v = len >> 7;
    while v > 0 {
        n += 1;
        v >>= 7;
    }
    n
}

/// The bytes a length-delimited field of `len` bytes takes (tag < 16).
fn field_len(len: usize) -> usize {
    1 + varint_len(len) + len
}

/// A token for every event of a conversation up to and including `newest`.
fn token_after(newest: u64) -> EventContinuationToken {
    let before = newest.saturating_add(1);
    EventContinuationToken {
        event_id: None,
        storage_continuation_token: Some(before.to_string().into_bytes()),
        event_timestamp: Some(before),
    }
}

impl World {
    pub(crate) fn sync_all_new_events(
        &mut self,
        caller: &Caller,
        req: SyncAllNewEventsRequest,
    ) -> Res<SyncAllNewEventsResponse> {
        let since = req.last_sync_timestamp.unwrap_or(0);
        let cap = req
            .max_response_size_bytes
            .filter(|c| *c > 0)
            .map(|c| usize::try_from(c).unwrap_or(usize::MAX));
        let now = self.clock.now();
        // Each changed conversation with its new events, oldest first.
        let mut changed: Vec<(ConversationState, Vec<&StoredEvent>)> = Vec::new();
        for c in self
            .convs
            .iter()
            .filter(|c| c.members.contains_key(&caller.user))
        {
            let new: Vec<&StoredEvent> = c
                .visible_events(&caller.user)
                .filter(|e| e.timestamp() > since)
                .collect();
            if new.is_empty() && c.changed_us <= since {
                continue;
            }
            let state = ConversationState {
                conversation_id: Some(conversation_id(&c.id)),
                conversation: Some(self.conversation_view(c, &caller.user)),
                event: new
                    .iter()
                    .map(|e| self.event_view(c, e, &caller.user))
                    .collect(),
                event_continuation_token: None,
            };
            changed.push((state, new));
        }
        let mut response = SyncAllNewEventsResponse {
            sync_timestamp: Some(now),
            response_header: None, // filled in by the endpoint, not counted
            conversation_state: changed.iter().map(|(s, _)| s.clone()).collect(),
        };
        let fits = |r: &SyncAllNewEventsResponse| {
            cap.is_none_or(|cap| hangups_proto::encode_binary(r).len() <= cap)
        };
        if !fits(&response) {
            truncate(&mut response, &changed, cap.unwrap_or(usize::MAX));
        }
        Ok(response)
    }
}

/// Keeps the newest events that fit in `cap` bytes (see the module docs).
fn truncate(
    response: &mut SyncAllNewEventsResponse,
    changed: &[(ConversationState, Vec<&StoredEvent>)],
    cap: usize,
) {
    for state in &mut response.conversation_state {
        state.event.clear();
    }
    // The reply's size, kept exact as events are added: the fields outside
    // the states, plus each state's field with its current size.
    let mut state_sizes: Vec<usize> = response
        .conversation_state
        .iter()
        .map(|s| hangups_proto::encode_binary(s).len())
        .collect();
    let mut total = hangups_proto::encode_binary(response).len();
    // Every new event, newest first (ties: response order).
    let mut order: Vec<(u64, usize, usize)> = changed
        .iter()
        .enumerate()
        .flat_map(|(si, (_, new))| {
            new.iter()
                .enumerate()
                .map(move |(ei, e)| (e.timestamp(), si, ei))
        })
        .collect();
    order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    // How many of each conversation's newest events fit.
    let mut kept = vec![0usize; changed.len()];
    for (_, si, ei) in order {
        let event = &changed[si].0.event[ei];
        let cost = field_len(hangups_proto::encode_binary(event).len());
        let old = state_sizes[si];
        let grown = total - field_len(old) + field_len(old + cost);
        if grown > cap {
            break;
        }
        total = grown;
        state_sizes[si] = old + cost;
        kept[si] += 1;
    }
    for (si, state) in response.conversation_state.iter_mut().enumerate() {
        let (full, new) = &changed[si];
        let skip = full.event.len() - kept[si];
        state.event = full.event[skip..].to_vec();
        if skip > 0 {
            state.event_continuation_token = Some(match new.get(skip) {
                Some(oldest_kept) => Box::new(token_before(oldest_kept)),
                None => Box::new(token_after(new.last().map_or(0, |e| e.timestamp()))),
            });
        }
    }
}
