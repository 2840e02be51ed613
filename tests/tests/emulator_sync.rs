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
                event_continuation_token: Some(Box::new(token.clone())),
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
        token = *page.event_continuation_token.unwrap();
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
            Some(token) => ids(&page_back(&me, &conv, (**token).clone(), since)),
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
        assert_eq!(&ids(&page_back(&me, &conv, *token, since)), want);
    }
}

fn erh(conv: &str, cgid: u64) -> Option<EventRequestHeader> {
    Some(EventRequestHeader {
        conversation_id: cid(conv),
        client_generated_id: Some(cgid),
        expected_otr: Some(OffTheRecordStatus::OFF_THE_RECORD_STATUS_ON_THE_RECORD),
        delivery_medium: None,
        event_type: None,
    })
}

fn send(raw: &Raw, conv: &str, text: &str, cgid: u64) -> Event {
    *raw.ok(SendChatMessageRequest {
        message_content: Some(Box::new(MessageContent {
            segment: vec![Segment {
                r#type: SegmentType::SEGMENT_TYPE_TEXT,
                text: Some(text.into()),
                formatting: None,
                link_data: None,
            }],
            attachment: vec![],
        })),
        event_request_header: erh(conv, cgid).map(Box::new),
        ..Default::default()
    })
    .created_event
    .expect("created_event")
}

/// The event ids of `conv` newer than `since`, as the self user sees them.
fn new_ids(me: &Raw, conv: &str, since: u64) -> Vec<String> {
    sync(me, since, 0)
        .conversation_state
        .iter()
        .filter(|s| s.conversation_id == cid(conv))
        .flat_map(|s| ids(&s.event))
        .collect()
}

#[test]
fn a_repeated_client_generated_id_creates_nothing_twice() {
    let emu = start();
    let me = Raw::me(&emu);
    let grace = Raw::new(&emu, GRACE);
    let since = now(&me);
    let first = send(&me, GROUP, "once", 77);
    let again = send(&me, GROUP, "once", 77);
    assert_eq!(again.event_id, first.event_id, "the same event back");
    assert_eq!(again.timestamp, first.timestamp);
    assert_eq!(
        new_ids(&me, GROUP, since),
        ids(std::slice::from_ref(&first))
    );
    // The same id from another user, or in another conversation, is new.
    let hers = send(&grace, GROUP, "hers", 77);
    let other = send(&me, ONE_TO_ONE, "elsewhere", 77);
    assert_ne!(hers.event_id, first.event_id);
    assert_eq!(new_ids(&me, ONE_TO_ONE, since), ids(&[other]));
    assert_eq!(new_ids(&me, GROUP, since).len(), 2);

    // Another event-creating call: rename, repeated, changes nothing more.
    let rename = |name: &str| {
        me.ok(RenameConversationRequest {
            new_name: Some(name.into()),
            event_request_header: erh(GROUP, 78).map(Box::new),
            ..Default::default()
        })
        .created_event
        .unwrap()
    };
    let r1 = rename("First name");
    let r2 = rename("Second name");
    assert_eq!(r1.event_id, r2.event_id);
    let name = me
        .ok(GetConversationRequest {
            conversation_spec: Some(ConversationSpec {
                conversation_id: cid(GROUP),
            }),
            ..Default::default()
        })
        .conversation_state
        .unwrap()
        .conversation
        .unwrap()
        .name;
    assert_eq!(name.as_deref(), Some("First name"));
    assert_eq!(new_ids(&me, GROUP, since).len(), 3);

    // CreateConversation by its client_generated_id.
    let create = || {
        me.ok(CreateConversationRequest {
            r#type: Some(ConversationType::CONVERSATION_TYPE_GROUP),
            client_generated_id: Some(79),
            name: Some("Made once".into()),
            invitee_id: vec![InviteeID {
                gaia_id: Some(ALAN.into()),
                fallback_name: None,
            }],
            ..Default::default()
        })
    };
    let c1 = create();
    let c2 = create();
    assert_eq!(c1.new_conversation_created, Some(true));
    assert_eq!(c2.new_conversation_created, Some(false));
    let id = |c: &CreateConversationResponse| c.conversation.clone().unwrap().conversation_id;
    assert_eq!(id(&c1), id(&c2));
    let count = me
        .ok(SyncRecentConversationsRequest::default())
        .conversation_state
        .len();
    assert_eq!(count, 3, "the two defaults and one new group");
}
