//! core::state: catch-up sync (§7.6 with DESIGN.md's "nothing lost") and
//! the build_user_conversation_list machine (§7.2) over scripted responses.

use hangups_core::api::{ApiRequest, ApiResponse};
use hangups_core::proto::hangouts::Conversation;
use hangups_core::proto::hangouts::*;
use hangups_core::state::{
    BuildUserConversationList, CatchUpSync, ConversationList, Notification, StateError, UserId,
    UserList,
};

fn cid(id: &str) -> Option<ConversationId> {
    Some(ConversationId {
        id: Some(id.into()),
    })
}

fn pid(g: &str) -> ParticipantId {
    ParticipantId {
        gaia_id: Some(g.into()),
        chat_id: Some(g.into()),
    }
}

fn conv_state(id: &str, parts: &[&str], events: Vec<Event>) -> ConversationState {
    ConversationState {
        conversation_id: cid(id),
        conversation: Some(Conversation {
            conversation_id: cid(id),
            participant_data: parts
                .iter()
                .map(|g| ConversationParticipantData {
                    id: Some(pid(g)),
                    fallback_name: Some(format!("{g} person")),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        }),
        event: events,
        ..Default::default()
    }
}

fn ev(conv: &str, id: &str, ts: u64) -> Event {
    Event {
        conversation_id: cid(conv),
        sender_id: Some(pid("bob")),
        timestamp: Some(ts),
        event_id: Some(id.into()),
        ..Default::default()
    }
}

fn self_entity() -> Entity {
    Entity {
        id: Some(pid("self")),
        ..Default::default()
    }
}

fn delivered(notes: &[Notification]) -> Vec<(String, u64)> {
    notes
        .iter()
        .filter_map(|n| match n {
            Notification::NewEvent(e) => Some((e.id().to_owned(), e.timestamp())),
            _ => None,
        })
        .collect()
}

#[test]
fn catch_up_delivers_every_newer_event_once_in_timestamp_order() {
    let users = UserList::new(&self_entity(), &[], &[]);
    let states = [
        conv_state("a", &["self", "bob"], vec![ev("a", "a-old", 900)]),
        conv_state("b", &["self", "bob"], vec![]),
    ];
    let mut list = ConversationList::new(&states, users, 0);
    // Restored sync position (e.g. saved before a restart).
    list.set_sync_timestamp(1_000);
    let req = list.catch_up_request();
    assert_eq!(req.last_sync_timestamp, Some(1_000));
    assert_eq!(req.max_response_size_bytes, Some(1_048_576));

    // Newer before older across conversations, duplicates within the
    // response and across states, an event at/before the sync start, and a
    // conversation the list does not know.
    let resp = SyncAllNewEventsResponse {
        sync_timestamp: Some(123), // not used
        conversation_state: vec![
            conv_state(
                "a",
                &["self", "bob"],
                vec![
                    ev("a", "a3", 1_300),
                    ev("a", "a1", 1_100),
                    ev("a", "a-old", 900),
                    ev("a", "a-edge", 1_000),
                    ev("a", "a1", 1_100),
                ],
            ),
            conv_state(
                "b",
                &["self", "bob"],
                vec![ev("b", "b2", 1_200), ev("b", "b0", 1_050)],
            ),
            conv_state(
                "new",
                &["self", "newbie"],
                vec![ev("new", "n-hist", 500), ev("new", "n1", 1_150)],
            ),
            // A duplicate of b2 listed again (e.g. a repeated state).
            ConversationState {
                conversation_id: cid("b"),
                event: vec![ev("b", "b2", 1_200)],
                ..Default::default()
            },
        ],
        ..Default::default()
    };
    let notes = list.apply_catch_up(&resp);
    assert_eq!(
        delivered(&notes),
        [
            ("b0".to_owned(), 1_050),
            ("a1".to_owned(), 1_100),
            ("n1".to_owned(), 1_150),
            ("b2".to_owned(), 1_200),
            ("a3".to_owned(), 1_300),
        ]
    );
    assert!(notes.contains(&Notification::ConversationAdded("new".into())));
    assert!(notes.contains(&Notification::ConversationChanged("a".into())));
    assert_eq!(list.sync_timestamp(), 1_300);

    // The new conversation has its history (not notified) and new events.
    let new = list.get("new").unwrap();
    let ids: Vec<_> = new.events().iter().map(|e| e.id()).collect();
    assert_eq!(ids, ["n-hist", "n1"]);
    assert_eq!(
        list.users()
            .get(&UserId::new("newbie", "newbie"))
            .unwrap()
            .full_name,
        "newbie person"
    );
    // The state without a `conversation` left "b" as it was.
    assert_eq!(list.get("b").unwrap().user_ids().len(), 2);

    // The same response again delivers nothing new.
    list.set_sync_timestamp(1_000);
    let again = list.apply_catch_up(&resp);
    assert!(delivered(&again).is_empty());
    assert_eq!(list.sync_timestamp(), 1_300);

    // An empty response keeps the position.
    let none = list.apply_catch_up(&SyncAllNewEventsResponse::default());
    assert!(none.is_empty());
    assert_eq!(list.sync_timestamp(), 1_300);
}

fn src_page(ids: &[&str], end: u64, server_time: u64) -> ApiResponse {
    ApiResponse::from(SyncRecentConversationsResponse {
        response_header: Some(ResponseHeader {
            current_server_time: Some(server_time),
            ..Default::default()
        }),
        sync_timestamp: Some(1), // lags: not used
        conversation_state: ids
            .iter()
            .map(|id| {
                conv_state(
                    id,
                    &["self", "bob", id],
                    vec![ev(id, &format!("{id}-e"), 10)],
                )
            })
            .collect(),
        continuation_end_timestamp: Some(end),
    })
}

fn expect_src(req: Option<ApiRequest>) -> SyncRecentConversationsRequest {
    match req {
        Some(ApiRequest::SyncRecentConversations(r)) => *r,
        other => panic!("{other:?}"),
    }
}

#[test]
fn build_pages_to_the_end_then_entities_then_self_info() {
    let mut b = BuildUserConversationList::new().with_entity_batch_size(2);
    let r1 = expect_src(b.next_request());
    assert_eq!(r1.last_event_timestamp, None);
    assert_eq!(r1.max_conversations, Some(100));
    assert_eq!(r1.max_events_per_conversation, Some(1));
    assert_eq!(
        r1.sync_filter,
        [
            SyncFilter::SYNC_FILTER_INBOX,
            SyncFilter::SYNC_FILTER_ARCHIVED
        ]
    );
    assert!(b.next_request().is_none(), "one request at a time");
    b.on_response(src_page(&["c1", "c2"], 5_000, 100)).unwrap();

    let r2 = expect_src(b.next_request());
    assert_eq!(r2.last_event_timestamp, Some(5_000));
    b.on_response(src_page(&["c3"], 4_000, 200)).unwrap();
    let r3 = expect_src(b.next_request());
    assert_eq!(r3.last_event_timestamp, Some(4_000));
    b.on_response(src_page(&["c4"], 0, 300)).unwrap();

    // Distinct participants: self, bob, c4, c3, c1, c2 → batches of 2.
    let mut looked_up = Vec::new();
    for i in 0..3 {
        match b.next_request() {
            Some(ApiRequest::GetEntityById(r)) => {
                assert!(r.batch_lookup_spec.len() <= 2);
                for spec in &r.batch_lookup_spec {
                    assert_eq!(spec.create_offnetwork_gaia, Some(true));
                    looked_up.push(spec.gaia_id.clone().unwrap());
                }
                if i == 1 {
                    b.on_error().unwrap(); // skipped, as hangups
                } else {
                    let entities = r
                        .batch_lookup_spec
                        .iter()
                        .map(|s| EntityResult {
                            lookup_spec: Some(Box::new(s.clone())),
                            entity: vec![Entity {
                                id: Some(pid(s.gaia_id.as_deref().unwrap())),
                                properties: Some(EntityProperties {
                                    display_name: Some(format!(
                                        "Real {}",
                                        s.gaia_id.as_deref().unwrap()
                                    )),
                                    ..Default::default()
                                }),
                                ..Default::default()
                            }],
                        })
                        .collect();
                    b.on_response(ApiResponse::from(GetEntityByIdResponse {
                        entity_result: entities,
                        // top-level entities are not used
                        entity: vec![Entity {
                            id: Some(pid("ignored")),
                            ..Default::default()
                        }],
                        ..Default::default()
                    }))
                    .unwrap();
                }
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(looked_up, ["self", "bob", "c4", "c3", "c1", "c2"]);

    assert!(matches!(b.next_request(), Some(ApiRequest::GetSelfInfo(_))));
    b.on_response(ApiResponse::from(GetSelfInfoResponse {
        self_entity: Some(Box::new(Entity {
            id: Some(pid("self")),
            properties: Some(EntityProperties {
                display_name: Some("Me Myself".into()),
                ..Default::default()
            }),
            ..Default::default()
        })),
        ..Default::default()
    }))
    .unwrap();
    assert!(b.is_done());
    assert!(b.next_request().is_none());

    let list = b.finish().unwrap();
    assert_eq!(
        list.sync_timestamp(),
        300,
        "last page's current_server_time"
    );
    // Pages are prepended: the last page first.
    let order: Vec<_> = list
        .get_all(true)
        .iter()
        .map(|c| c.id().to_owned())
        .collect();
    assert_eq!(order, ["c4", "c3", "c1", "c2"]);
    assert_eq!(list.get("c1").unwrap().events().len(), 1);
    let users = list.users();
    // The looked-up entity replaces the self entity's user (same id).
    assert_eq!(users.self_user().full_name, "Real self");
    assert!(users.self_user().is_self);
    let name = |g: &str| users.get(&UserId::new(g, g)).unwrap().full_name.clone();
    assert_eq!(name("bob"), "Real bob");
    assert_eq!(
        name("c3"),
        "c3 person",
        "its batch failed: participant fallback"
    );
    assert_eq!(name("c1"), "Real c1");
    assert!(users.get(&UserId::new("ignored", "ignored")).is_none());
}

#[test]
fn build_with_no_participants_skips_entities() {
    let mut b = BuildUserConversationList::new();
    expect_src(b.next_request());
    b.on_response(ApiResponse::from(SyncRecentConversationsResponse::default()))
        .unwrap();
    assert!(matches!(b.next_request(), Some(ApiRequest::GetSelfInfo(_))));
    b.on_response(ApiResponse::from(GetSelfInfoResponse::default()))
        .unwrap();
    let list = b.finish().unwrap();
    assert!(list.get_all(true).is_empty());
    assert_eq!(list.sync_timestamp(), 0);
}

#[test]
fn build_stops_after_100_pages() {
    let mut b = BuildUserConversationList::new();
    let mut pages = 0;
    while let Some(ApiRequest::SyncRecentConversations(_)) = b.next_request() {
        pages += 1;
        b.on_response(src_page(&[], 7, 1)).unwrap();
    }
    assert_eq!(pages, 100);
}

#[test]
fn build_errors() {
    // SyncRecentConversations failure propagates.
    let mut b = BuildUserConversationList::new();
    b.next_request();
    assert!(matches!(b.on_error(), Err(StateError::BuildFailed(_))));
    assert!(b.next_request().is_none());
    assert!(b.finish().is_err());

    // A response of the wrong endpoint fails the build.
    let mut b = BuildUserConversationList::new();
    b.next_request();
    assert!(matches!(
        b.on_response(ApiResponse::from(GetSelfInfoResponse::default())),
        Err(StateError::UnexpectedResponse("GetSelfInfo"))
    ));
    assert!(b.is_done());

    // A response with no request outstanding.
    let mut b = BuildUserConversationList::new();
    assert!(b
        .on_response(ApiResponse::from(SyncRecentConversationsResponse::default()))
        .is_err());

    // GetSelfInfo failure propagates; finishing early is an error.
    let mut b = BuildUserConversationList::new();
    assert!(b.clone().finish().is_err());
    b.next_request();
    b.on_response(ApiResponse::from(SyncRecentConversationsResponse::default()))
        .unwrap();
    b.next_request();
    assert!(b.on_error().is_err());
    assert!(b.finish().is_err());
}

#[test]
fn catch_up_unknown_conversation_without_metadata_keeps_history() {
    let users = UserList::new(&self_entity(), &[], &[]);
    let mut list = ConversationList::new(&[], users, 100);
    let resp = SyncAllNewEventsResponse {
        conversation_state: vec![ConversationState {
            conversation_id: cid("x"),
            event: vec![ev("x", "old", 50), ev("x", "new", 150)],
            event_continuation_token: Some(Box::new(EventContinuationToken {
                event_id: Some("t".into()),
                ..Default::default()
            })),
            ..Default::default()
        }],
        ..Default::default()
    };
    let notes = list.apply_catch_up(&resp);
    assert_eq!(delivered(&notes), [("new".to_owned(), 150)]);
    let x = list.get("x").unwrap();
    assert_eq!(x.id(), "x");
    assert_eq!(x.events().len(), 2);
    assert!(x.continuation_token().is_some());
    assert_eq!(list.sync_timestamp(), 150);
}

fn token(ts: u64) -> Option<EventContinuationToken> {
    Some(EventContinuationToken {
        event_timestamp: Some(ts),
        ..Default::default()
    })
}

fn ids(events: &[Event]) -> Vec<String> {
    events.iter().map(|e| e.event_id.clone().unwrap()).collect()
}

fn page_reply(conv: &str, events: Vec<Event>, before: Option<u64>) -> ApiResponse {
    GetConversationResponse {
        conversation_state: Some(Box::new(ConversationState {
            conversation_id: cid(conv),
            event: events,
            event_continuation_token: before.and_then(token).map(Box::new),
            ..Default::default()
        })),
        ..Default::default()
    }
    .into()
}

fn page_position(request: Option<ApiRequest>) -> (String, u64) {
    match request {
        Some(ApiRequest::GetConversation(r)) => (
            r.conversation_spec
                .unwrap()
                .conversation_id
                .unwrap()
                .id
                .unwrap(),
            r.event_continuation_token.unwrap().event_timestamp.unwrap(),
        ),
        other => panic!("expected a page, got {other:?}"),
    }
}

#[test]
fn a_truncated_reply_is_paged_back_to_the_start_across_conversations() {
    let users = UserList::new(&self_entity(), &[], &[]);
    let list = ConversationList::new(&[conv_state("known", &["self", "bob"], vec![])], users, 100);
    let mut sync = list.catch_up();
    assert_eq!(sync.from(), 100);
    let Some(ApiRequest::SyncAllNewEvents(r)) = sync.next_request() else {
        panic!("the sync first")
    };
    assert_eq!(r.last_sync_timestamp, Some(100));
    assert!(sync.next_request().is_none(), "one request at a time");
    let reply = SyncAllNewEventsResponse {
        conversation_state: vec![
            // Complete: no token.
            conv_state("done", &["self", "bob"], vec![ev("done", "d1", 250)]),
            // Cut inside: kept its newest, a token before it.
            ConversationState {
                event_continuation_token: token(600).map(Box::new),
                ..conv_state("known", &["self", "bob"], vec![ev("known", "k3", 600)])
            },
            // Cut across: kept nothing.
            ConversationState {
                event_continuation_token: token(701).map(Box::new),
                ..conv_state("fresh", &["self", "carol"], vec![])
            },
            // A token at the start: nothing left out.
            ConversationState {
                event_continuation_token: token(90).map(Box::new),
                ..conv_state("old", &["self", "bob"], vec![ev("old", "x1", 300)])
            },
        ],
        ..Default::default()
    };
    sync.on_response(reply.into()).unwrap();
    assert_eq!(page_position(sync.next_request()), ("known".into(), 600));
    sync.on_response(page_reply("known", vec![ev("known", "k2", 400)], Some(400)))
        .unwrap();
    assert_eq!(
        page_position(sync.next_request()),
        ("known".into(), 400),
        "the same conversation to its end first"
    );
    sync.on_response(page_reply(
        "known",
        vec![ev("known", "k0", 80), ev("known", "k1", 120)],
        Some(80),
    ))
    .unwrap();
    assert_eq!(page_position(sync.next_request()), ("fresh".into(), 701));
    assert!(!sync.is_done());
    sync.on_response(page_reply(
        "fresh",
        vec![ev("fresh", "f0", 60), ev("fresh", "f1", 700)],
        Some(60),
    ))
    .unwrap();
    assert!(sync.is_done() && sync.next_request().is_none());
    assert_eq!(sync.pages(), 3);
    let whole = sync.finish().unwrap();
    let known = &whole.conversation_state[1];
    assert_eq!(ids(&known.event), ["k0", "k1", "k2", "k3"]);
    assert_eq!(known.event_continuation_token, token(80).map(Box::new));

    let mut list = list;
    let notes = list.apply_catch_up(&whole);
    let new: Vec<String> = notes
        .iter()
        .filter_map(|n| match n {
            Notification::NewEvent(e) => Some(e.id().to_owned()),
            _ => None,
        })
        .collect();
    assert_eq!(new, ["k1", "d1", "x1", "k2", "k3", "f1"]);
    assert_eq!(list.sync_timestamp(), 700);
    // The unknown conversation keeps its event at the start and the token
    // of its last page, for history.
    let fresh = list.get("fresh").unwrap();
    assert_eq!(fresh.events().len(), 2);
    assert!(fresh.get_event("f0").is_some());
}

#[test]
fn a_page_that_goes_no_further_back_ends_the_paging() {
    let mut sync = CatchUpSync::new(100);
    sync.next_request();
    let reply = SyncAllNewEventsResponse {
        conversation_state: vec![ConversationState {
            event_continuation_token: token(500).map(Box::new),
            ..conv_state("c", &["self"], vec![ev("c", "c2", 500)])
        }],
        ..Default::default()
    };
    sync.on_response(reply.into()).unwrap();
    sync.next_request().unwrap();
    // The server repeats the same event with the same token.
    sync.on_response(page_reply("c", vec![ev("c", "c2", 500)], Some(500)))
        .unwrap();
    assert!(sync.is_done());
    // A wrong answer fails it.
    let mut sync = CatchUpSync::new(0);
    sync.next_request();
    assert!(matches!(
        sync.on_response(GetSelfInfoResponse::default().into()),
        Err(StateError::UnexpectedResponse(_))
    ));
    assert!(CatchUpSync::new(0).finish().is_err(), "not finished");
}

#[test]
fn applying_a_truncated_reply_keeps_the_position_before_the_gap() {
    let users = UserList::new(&self_entity(), &[], &[]);
    let mut list = ConversationList::new(&[conv_state("c", &["self", "bob"], vec![])], users, 100);
    let reply = SyncAllNewEventsResponse {
        conversation_state: vec![
            ConversationState {
                event_continuation_token: token(500).map(Box::new),
                ..conv_state("c", &["self", "bob"], vec![ev("c", "c5", 500)])
            },
            conv_state("d", &["self", "bob"], vec![ev("d", "d9", 900)]),
        ],
        ..Default::default()
    };
    list.apply_catch_up(&reply);
    assert_eq!(
        list.sync_timestamp(),
        499,
        "the next catch-up asks for what was left out"
    );
}
