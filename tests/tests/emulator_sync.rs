//! The emulator's SyncAllNewEvents under `max_response_size_bytes`: a
//! reply that would pass the cap keeps each conversation's newest events
//! and a continuation token for the rest, and GetConversation with that
//! token gives the rest back; and repeated `client_generated_id`s create
//! nothing twice.

mod support;

use hangups_proto::hangouts::*;
use std::collections::BTreeSet;
use support::*;

fn cid(id: &str) -> Option<ConversationId> {
    Some(ConversationId {
        id: Some(id.into()),
    })
}

fn now(me: &Raw) -> u64 {
    me.call(GetSelfInfoRequest::default())
        .unwrap()
        .response_header()
        .unwrap()
        .current_server_time
        .unwrap()
}

fn sync(me: &Raw, since: u64, cap: u64) -> SyncAllNewEventsResponse {
    me.ok(SyncAllNewEventsRequest {
        last_sync_timestamp: Some(since),
        max_response_size_bytes: Some(cap),
        ..Default::default()
    })
}

fn ids(events: &[Event]) -> Vec<String> {
    events.iter().map(|e| e.event_id.clone().unwrap()).collect()
}

/// Pages one conversation back from `token` until an event is not newer
/// than `since` or the server has no more; returns the pages' events newer
/// than `since`, oldest first.
fn page_back(me: &Raw, conv: &str, mut token: EventContinuationToken, since: u64) -> Vec<Event> {
    let mut older: Vec<Event> = Vec::new();
    for _ in 0..100 {
        let page = me
            .ok(GetConversationRequest {
                conversation_spec: Some(ConversationSpec {
                    conversation_id: cid(conv),
                }),
                include_event: Some(true),
                include_conversation_metadata: Some(false),
                max_events_per_conversation: Some(2),
                event_continuation_token: Some(token.clone()),
                ..Default::default()
            })
            .conversation_state
            .unwrap();
        let done = page.event.is_empty()
            || page.event.iter().any(|e| e.timestamp.unwrap() <= since)
            || page.event_continuation_token.is_none();
        let mut fresh: Vec<Event> = page
            .event
            .into_iter()
            .filter(|e| e.timestamp.unwrap() > since)
            .collect();
        fresh.append(&mut older);
        older = fresh;
        if done {
            return older;
        }
        token = page.event_continuation_token.unwrap();
    }
    panic!("paging did not end");
}

#[test]
fn a_small_cap_keeps_the_newest_events_and_a_token_for_the_rest() {
    let emu = start();
    let me = Raw::me(&emu);
    let since = now(&me);
    let mut group = Vec::new();
    let mut one = Vec::new();
    for i in 0..6 {
        group.push(
            emu.inject_message(GROUP, GRACE, &format!("group {i}"))
                .unwrap(),
        );
        one.push(
            emu.inject_message(ONE_TO_ONE, GRACE, &format!("one {i}"))
                .unwrap(),
        );
    }
    let full = sync(&me, since, 1_048_576);
    assert!(full
        .conversation_state
        .iter()
        .all(|s| s.event.len() == 6 && s.event_continuation_token.is_none()));
    let full_size = hangups_proto::encode_binary(&SyncAllNewEventsResponse {
        response_header: None,
        ..full.clone()
    })
    .len();

    // About half of the events fit.
    let cap = u64::try_from(full_size / 2).unwrap();
    let cut = sync(&me, since, cap);
    assert_eq!(
        cut.conversation_state.len(),
        2,
        "no conversation is left out"
    );
    let kept: usize = cut.conversation_state.iter().map(|s| s.event.len()).sum();
    assert!(kept > 0 && kept < 12, "kept {kept} of 12");
    let size = hangups_proto::encode_binary(&SyncAllNewEventsResponse {
        response_header: None,
        ..cut.clone()
    })
    .len();
    assert!(size <= full_size / 2, "{size} bytes over the cap {cap}");
    let mut everything = BTreeSet::new();
    for state in &cut.conversation_state {
        let conv = state.conversation_id.clone().unwrap().id.unwrap();
        let want = if conv == GROUP { &group } else { &one };
        let got = ids(&state.event);
        // The newest ones, oldest first.
        assert_eq!(got[..], want[want.len() - got.len()..], "{conv}");
        let mut all = match &state.event_continuation_token {
            None => {
                assert_eq!(got.len(), 6, "{conv}: cut without a token");
                Vec::new()
            }
            Some(token) => ids(&page_back(&me, &conv, token.clone(), since)),
        };
        all.extend(got);
        assert_eq!(&all, want, "{conv}: paging gives the rest back");
        everything.extend(all);
    }
    assert_eq!(everything.len(), 12);

    // A cap too small for any event: every state, no events, each a token
    // for all of its new events.
    let tiny = sync(&me, since, 1);
    assert_eq!(tiny.conversation_state.len(), 2);
    for state in &tiny.conversation_state {
        assert!(state.event.is_empty());
        assert!(state.conversation.is_some());
        let conv = state.conversation_id.clone().unwrap().id.unwrap();
        let token = state.event_continuation_token.clone().expect("token");
        let want = if conv == GROUP { &group } else { &one };
        assert_eq!(&ids(&page_back(&me, &conv, token, since)), want);
    }
}
