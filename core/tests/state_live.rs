//! core::state::LiveList (the list kept current from client events) and
//! conversation actions by id (`Action`).

use hangups_core::api::{ApiError, ApiRequest, ApiResponse};
use hangups_core::client::Event as ClientEvent;
use hangups_core::proto::hangouts::Conversation;
use hangups_core::proto::hangouts::StateUpdateKind as Oneof;
use hangups_core::proto::hangouts::*;
use hangups_core::state::LiveError as Error;
use hangups_core::state::*;

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

fn conv_state(id: &str, group: bool, events: Vec<Event>) -> ConversationState {
    ConversationState {
        conversation_id: cid(id),
        conversation: Some(Conversation {
            conversation_id: cid(id),
            r#type: Some(if group {
                ConversationType::CONVERSATION_TYPE_GROUP
            } else {
                ConversationType::CONVERSATION_TYPE_ONE_TO_ONE
            }),
            participant_data: ["self", "bob"]
                .iter()
                .map(|g| ConversationParticipantData {
                    id: Some(pid(g)),
                    fallback_name: Some((*g).into()),
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

fn pushed(event: Event) -> ClientEvent {
    ClientEvent::StateUpdate(Box::new(StateUpdate {
        state_update: Oneof::EventNotification(Box::new(EventNotification { event: Some(event) })),
        ..Default::default()
    }))
}

fn live(sync: u64) -> LiveList {
    let users = UserList::new(
        &Entity {
            id: Some(pid("self")),
            ..Default::default()
        },
        &[],
        &[],
    );
    let states = [
        conv_state("one", false, vec![]),
        conv_state("group", true, vec![]),
    ];
    LiveList::new(ConversationList::new(&states, users, sync))
}

fn catch_up_reply(states: Vec<ConversationState>) -> Result<ApiResponse, Error> {
    Ok(SyncAllNewEventsResponse {
        conversation_state: states,
        ..Default::default()
    }
    .into())
}

fn http_error() -> Error {
    Error::Api(ApiError::Http {
        status: 500,
        reason: "Internal Server Error".into(),
    })
}

/// The catch-up request's `last_sync_timestamp` and its token.
fn expect_catch_up(live: &mut LiveList) -> (RequestToken, u64) {
    match live.poll_request() {
        Some((token, ApiRequest::SyncAllNewEvents(r))) => {
            assert_eq!(
                r.max_response_size_bytes,
                Some(SYNC_MAX_RESPONSE_SIZE_BYTES)
            );
            (token, r.last_sync_timestamp.expect("position"))
        }
        other => panic!("expected a catch-up, got {other:?}"),
    }
}

fn drain(live: &mut LiveList) -> Vec<Update> {
    std::iter::from_fn(|| live.poll_update()).collect()
}

fn new_events(updates: &[Update]) -> Vec<String> {
    updates
        .iter()
        .filter_map(|u| match u {
            Update::Notification(Notification::NewEvent(e)) => Some(e.id().to_owned()),
            _ => None,
        })
        .collect()
}

#[test]
fn catches_up_at_start_and_holds_pushes_until_it_lands() {
    let mut live = live(100);
    let (token, from) = expect_catch_up(&mut live);
    assert_eq!(from, 100);
    assert!(live.poll_request().is_none(), "one catch-up at a time");
    // A push arrives while the catch-up is in flight: it waits.
    live.handle_event(pushed(ev("one", "pushed", 300)));
    assert!(drain(&mut live).is_empty());
    live.handle_response(
        token,
        catch_up_reply(vec![conv_state(
            "one",
            false,
            vec![ev("one", "missed", 200)],
        )]),
    );
    let updates = drain(&mut live);
    assert_eq!(new_events(&updates), ["missed", "pushed"]);
    assert_eq!(live.sync_timestamp(), 300);
    assert_eq!(live.list().get("one").unwrap().events().len(), 2);
    // Afterwards pushes fold at once.
    live.handle_event(pushed(ev("one", "later", 400)));
    assert_eq!(new_events(&drain(&mut live)), ["later"]);
    assert!(live.poll_request().is_none());
}

#[test]
fn every_connect_and_reconnect_catches_up() {
    let mut live = live(100);
    let (token, _) = expect_catch_up(&mut live);
    live.handle_response(token, catch_up_reply(vec![]));
    live.handle_event(pushed(ev("one", "a", 150)));
    live.handle_event(ClientEvent::Reconnected {
        last_sync: Some(150),
    });
    let updates = drain(&mut live);
    assert!(matches!(
        updates.last(),
        Some(Update::Client(ClientEvent::Reconnected { .. }))
    ));
    let (token, from) = expect_catch_up(&mut live);
    assert_eq!(from, 150);
    live.handle_response(
        token,
        catch_up_reply(vec![conv_state(
            "one",
            false,
            vec![ev("one", "a", 150), ev("one", "b", 160)],
        )]),
    );
    assert_eq!(new_events(&drain(&mut live)), ["b"]);
}

#[test]
fn a_subscription_catches_up_too() {
    let mut live = live(100);
    let (token, _) = expect_catch_up(&mut live);
    live.handle_response(token, catch_up_reply(vec![]));
    live.handle_event(ClientEvent::Subscribed);
    assert!(matches!(
        drain(&mut live)[..],
        [Update::Client(ClientEvent::Subscribed)]
    ));
    expect_catch_up(&mut live);
}

#[test]
fn a_reconnect_during_a_catch_up_asks_for_another() {
    let mut live = live(100);
    let (token, _) = expect_catch_up(&mut live);
    live.handle_event(ClientEvent::Reconnected { last_sync: None });
    assert!(live.poll_request().is_none());
    live.handle_response(token, catch_up_reply(vec![]));
    let (_, from) = expect_catch_up(&mut live);
    assert_eq!(from, 100);
}

#[test]
fn a_failed_catch_up_is_retried_from_the_same_position() {
    let mut live = live(100);
    let (token, _) = expect_catch_up(&mut live);
    live.handle_event(pushed(ev("one", "new", 500)));
    live.handle_response(token, Err(http_error()));
    let updates = drain(&mut live);
    assert!(matches!(updates[0], Update::CatchUpFailed(_)));
    // The held push is folded anyway, but the gap is remembered.
    assert_eq!(new_events(&updates), ["new"]);
    assert_eq!(
        live.sync_timestamp(),
        100,
        "a restart resumes before the gap"
    );
    assert!(live.poll_request().is_none(), "no retry without an event");
    live.handle_event(ClientEvent::ClientId("c".into()));
    let (token, from) = expect_catch_up(&mut live);
    assert_eq!(from, 100);
    live.handle_response(
        token,
        catch_up_reply(vec![conv_state(
            "one",
            false,
            vec![ev("one", "gap", 300), ev("one", "new", 500)],
        )]),
    );
    let updates = drain(&mut live);
    assert_eq!(new_events(&updates), ["gap"], "each event once");
    assert_eq!(live.sync_timestamp(), 500);
    // A wrong response type is a failure too.
    live.handle_event(ClientEvent::Connected);
    let (token, _) = expect_catch_up(&mut live);
    live.handle_response(token, Ok(GetSelfInfoResponse::default().into()));
    assert!(drain(&mut live).iter().any(|u| matches!(
        u,
        Update::CatchUpFailed(Error::State(StateError::UnexpectedResponse(_)))
    )));
}

#[test]
fn unknown_conversations_are_fetched_then_updated() {
    let mut live = live(100);
    let (token, _) = expect_catch_up(&mut live);
    live.handle_response(token, catch_up_reply(vec![]));
    live.handle_event(pushed(ev("new", "e1", 200)));
    let (token, request) = live.poll_request().expect("a fetch");
    match request {
        ApiRequest::GetConversation(r) => {
            assert_eq!(r.conversation_spec.unwrap().conversation_id, cid("new"));
        }
        other => panic!("{other:?}"),
    }
    assert!(drain(&mut live).is_empty(), "NeedsConversation is handled");
    live.handle_response(
        token,
        Ok(GetConversationResponse {
            conversation_state: Some(Box::new(conv_state("new", true, vec![]))),
            ..Default::default()
        }
        .into()),
    );
    let updates = drain(&mut live);
    assert!(matches!(
        &updates[0],
        Update::Notification(Notification::ConversationAdded(id)) if id == "new"
    ));
    assert_eq!(new_events(&updates), ["e1"]);

    // A failed fetch drops what waited, and says so.
    live.handle_event(pushed(ev("gone", "e2", 300)));
    live.handle_event(pushed(ev("gone", "e3", 301)));
    let (token, _) = live.poll_request().expect("a fetch");
    live.handle_response(token, Err(http_error()));
    match &drain(&mut live)[..] {
        [Update::ConversationFetchFailed {
            conversation_id,
            dropped: 2,
            ..
        }] => assert_eq!(conversation_id, "gone"),
        other => panic!("{other:?}"),
    }
    // An unknown token is ignored.
    live.handle_response(token, Err(Error::Closed));
    assert!(live.poll_update().is_none());
}

#[test]
fn other_updates_and_client_events_pass_through() {
    let mut live = live(100);
    let (token, _) = expect_catch_up(&mut live);
    live.handle_response(token, catch_up_reply(vec![]));
    live.handle_event(ClientEvent::StateUpdate(Box::new(StateUpdate {
        state_update: Oneof::FocusNotification(Box::new(SetFocusNotification {
            conversation_id: cid("one"),
            ..Default::default()
        })),
        ..Default::default()
    })));
    live.handle_event(ClientEvent::ClientId("cid".into()));
    live.handle_event(ClientEvent::Closed { error: None });
    let updates = drain(&mut live);
    assert!(
        matches!(&updates[0], Update::Other(u) if matches!(u.state_update, Oneof::FocusNotification(_)))
    );
    assert!(matches!(&updates[1], Update::Client(ClientEvent::ClientId(c)) if c == "cid"));
    assert!(matches!(
        &updates[2],
        Update::Client(ClientEvent::Closed { error: None })
    ));
    assert_eq!(updates.len(), 3);
}

#[test]
fn actions_build_requests_by_conversation_id() {
    let mut live = live(100);
    let list = live.list_mut();
    let send = list
        .action_request("one", &Action::send_text("Hi **you**"), 0)
        .unwrap()
        .unwrap();
    match &send {
        ApiRequest::SendChatMessage(r) => {
            let segs = &r.message_content.as_ref().unwrap().segment;
            assert_eq!(segs.len(), 2);
            assert_eq!(segs[1].formatting.as_ref().unwrap().bold, Some(true));
            assert_eq!(
                r.event_request_header.as_ref().unwrap().conversation_id,
                cid("one")
            );
        }
        other => panic!("{other:?}"),
    }
    let image = Action::SendMessage {
        segments: vec![],
        image_id: Some("photo".into()),
        image_user_id: None,
    };
    match list.action_request("one", &image, 0).unwrap().unwrap() {
        ApiRequest::SendChatMessage(r) => {
            let photo = r.existing_media.unwrap().photo.unwrap();
            assert_eq!(photo.photo_id.as_deref(), Some("photo"));
        }
        other => panic!("{other:?}"),
    }
    let name = |a: &Action, list: &mut ConversationList, conv: &str| {
        list.action_request(conv, a, 0).map(|r| r.map(|r| r.name()))
    };
    assert_eq!(
        name(&Action::Rename("n".into()), list, "one"),
        Ok(Some("RenameConversation"))
    );
    assert_eq!(
        name(&Action::Leave { now_us: 5 }, list, "one"),
        Ok(Some("DeleteConversation"))
    );
    assert_eq!(
        name(&Action::Leave { now_us: 5 }, list, "group"),
        Ok(Some("RemoveUser"))
    );
    let typing = Action::SetTyping(TypingType::TYPING_TYPE_STARTED);
    assert_eq!(name(&typing, list, "one"), Ok(Some("SetTyping")));
    let quiet = Action::SetNotificationLevel(NotificationLevel::NOTIFICATION_LEVEL_QUIET);
    assert_eq!(
        name(&quiet, list, "one"),
        Ok(Some("SetConversationNotificationLevel"))
    );
    let otr = Action::ModifyOtrStatus(OffTheRecordStatus::OFF_THE_RECORD_STATUS_OFF_THE_RECORD);
    assert_eq!(name(&otr, list, "one"), Ok(Some("ModifyOtrStatus")));
    let link = Action::SetGroupLinkSharingEnabled(true);
    assert_eq!(
        name(&link, list, "group"),
        Ok(Some("SetGroupLinkSharingEnabled"))
    );
    assert_eq!(
        name(&link, list, "one"),
        Err(StateError::NotGroup("one".into()))
    );
    let add = Action::AddUsers(vec![UserId::new("x", "x")]);
    assert_eq!(name(&add, list, "group"), Ok(Some("AddUser")));
    assert!(name(&add, list, "one").is_err());
    let remove = Action::RemoveUser(UserId::new("bob", "bob"));
    assert_eq!(name(&remove, list, "group"), Ok(Some("RemoveUser")));
    assert_eq!(
        name(&typing, list, "nope"),
        Err(StateError::UnknownConversation("nope".into()))
    );
}

#[test]
fn read_timestamps_and_leaving_change_the_list() {
    let mut live = live(100);
    let (token, _) = expect_catch_up(&mut live);
    live.handle_response(token, catch_up_reply(vec![]));
    live.handle_event(pushed(ev("one", "e", 700)));
    let list = live.list_mut();
    // Default: the newest event; set locally before the request.
    let req = list
        .action_request("one", &Action::UpdateReadTimestamp(None), 0)
        .unwrap();
    assert!(
        matches!(req, Some(ApiRequest::UpdateWatermark(r)) if r.last_read_timestamp == Some(700))
    );
    assert_eq!(list.get("one").unwrap().latest_read_timestamp(), 700);
    // Not later: nothing to send.
    assert_eq!(
        list.action_request("one", &Action::UpdateReadTimestamp(Some(600)), 0),
        Ok(None)
    );
    // The created event is returned, not added; leaving removes.
    let response: ApiResponse = SendChatMessageResponse {
        created_event: Some(Box::new(ev("one", "mine", 800))),
        ..Default::default()
    }
    .into();
    let created = list.apply_action_response("one", &Action::send_text("x"), &response);
    assert_eq!(created.map(|e| e.id().to_owned()).as_deref(), Some("mine"));
    assert!(list.get("one").unwrap().get_event("mine").is_none());
    let response: ApiResponse = DeleteConversationResponse::default().into();
    assert!(list
        .apply_action_response("one", &Action::Leave { now_us: 1 }, &response)
        .is_none());
    assert!(list.get("one").is_none());
    assert!(list.get("group").is_some());
}

#[test]
fn a_left_conversation_stays_away_until_rejoined() {
    let mut live = live(100);
    let (token, _) = expect_catch_up(&mut live);
    live.handle_response(token, catch_up_reply(vec![]));
    let response: ApiResponse = RemoveUserResponse::default().into();
    let list = live.list_mut();
    list.action_request("group", &Action::Leave { now_us: 1 }, 1)
        .unwrap();
    list.apply_action_response("group", &Action::Leave { now_us: 1 }, &response);
    assert!(list.get("group").is_none());
    // The news of our leaving (delta without us, then a bare event) is
    // not fetched back.
    let mut without_me = conv_state("group", true, vec![]).conversation.unwrap();
    without_me.current_participant = vec![pid("bob")];
    live.handle_event(ClientEvent::StateUpdate(Box::new(StateUpdate {
        conversation: Some(Box::new(without_me.clone())),
        state_update: Oneof::EventNotification(Box::new(EventNotification {
            event: Some(ev("group", "left", 200)),
        })),
        ..Default::default()
    })));
    live.handle_event(pushed(ev("group", "later", 201)));
    assert!(live.poll_request().is_none());
    assert!(drain(&mut live).is_empty());
    // Nor does a catch-up bring it back.
    live.handle_event(ClientEvent::Connected);
    let (token, _) = expect_catch_up(&mut live);
    live.handle_response(
        token,
        catch_up_reply(vec![conv_state("group", true, vec![ev("group", "x", 300)])]),
    );
    assert!(live.list().get("group").is_none());
    // Being added again does.
    let mut with_me = without_me;
    with_me.current_participant = vec![pid("bob"), pid("self")];
    live.handle_event(ClientEvent::StateUpdate(Box::new(StateUpdate {
        conversation: Some(Box::new(with_me)),
        state_update: Oneof::EventNotification(Box::new(EventNotification {
            event: Some(ev("group", "back", 400)),
        })),
        ..Default::default()
    })));
    assert!(matches!(
        live.poll_request(),
        Some((_, ApiRequest::GetConversation(_)))
    ));
}

fn token_before(ts: u64) -> Option<EventContinuationToken> {
    Some(EventContinuationToken {
        event_timestamp: Some(ts),
        ..Default::default()
    })
}

fn truncated(id: &str, events: Vec<Event>, before: u64) -> ConversationState {
    ConversationState {
        event_continuation_token: token_before(before).map(Box::new),
        ..conv_state(id, id == "group", events)
    }
}

/// The next request must be a catch-up page of `conv` with a token
/// before `before`.
fn expect_page(live: &mut LiveList, conv: &str, before: u64) -> RequestToken {
    match live.poll_request() {
        Some((token, ApiRequest::GetConversation(r))) => {
            let spec = r.conversation_spec.unwrap().conversation_id.unwrap();
            assert_eq!(spec.id.as_deref(), Some(conv));
            assert_eq!(r.include_event, Some(true));
            let at = r.event_continuation_token.unwrap().event_timestamp;
            assert_eq!(at, Some(before), "{conv}: the page's position");
            token
        }
        other => panic!("expected a page of {conv}, got {other:?}"),
    }
}

fn page(conv: &str, events: Vec<Event>, before: Option<u64>) -> Result<ApiResponse, Error> {
    Ok(GetConversationResponse {
        conversation_state: Some(Box::new(ConversationState {
            conversation_id: cid(conv),
            event: events,
            event_continuation_token: before.and_then(token_before).map(Box::new),
            ..Default::default()
        })),
        ..Default::default()
    }
    .into())
}

#[test]
fn a_truncated_catch_up_pages_every_conversation_before_anything_moves() {
    let mut live = live(100);
    let (token, _) = expect_catch_up(&mut live);
    live.handle_event(pushed(ev("one", "pushed", 900)));
    // Truncated inside "one" (kept its newest two, lost two) and across
    // conversations ("group" kept none of its three).
    live.handle_response(
        token,
        catch_up_reply(vec![
            truncated("one", vec![ev("one", "o3", 500), ev("one", "o4", 700)], 500),
            truncated("group", vec![], 801),
        ]),
    );
    assert!(
        drain(&mut live).is_empty(),
        "nothing before every page is in"
    );
    assert_eq!(live.sync_timestamp(), 100);
    // "one": a page with o2, then one that reaches back past the start.
    let t = expect_page(&mut live, "one", 500);
    assert!(live.poll_request().is_none(), "one page at a time");
    live.handle_response(t, page("one", vec![ev("one", "o2", 300)], Some(300)));
    let t = expect_page(&mut live, "one", 300);
    live.handle_response(
        t,
        page(
            "one",
            vec![ev("one", "old", 50), ev("one", "o1", 150)],
            Some(50),
        ),
    );
    // "group": everything in one page.
    let t = expect_page(&mut live, "group", 801);
    assert!(drain(&mut live).is_empty());
    assert_eq!(live.sync_timestamp(), 100);
    live.handle_response(
        t,
        page(
            "group",
            vec![
                ev("group", "g1", 200),
                ev("group", "g2", 600),
                ev("group", "g3", 800),
            ],
            None,
        ),
    );
    let updates = drain(&mut live);
    assert_eq!(
        new_events(&updates),
        ["o1", "g1", "o2", "o3", "g2", "o4", "g3", "pushed"],
        "every event newer than the start once, in timestamp order"
    );
    assert_eq!(live.sync_timestamp(), 900);
    assert!(live.poll_request().is_none());
    // The event at the start is not notified; the list has it all.
    assert!(live.list().get("one").unwrap().get_event("old").is_none());
    assert_eq!(live.list().get("group").unwrap().events().len(), 3);
}

#[test]
fn a_failed_page_fails_the_catch_up_and_it_is_retried_from_the_start() {
    let mut live = live(100);
    let (token, _) = expect_catch_up(&mut live);
    live.handle_response(
        token,
        catch_up_reply(vec![
            conv_state("group", true, vec![ev("group", "g1", 200)]),
            truncated("one", vec![ev("one", "o2", 400)], 400),
        ]),
    );
    let t = expect_page(&mut live, "one", 400);
    live.handle_response(t, Err(http_error()));
    let updates = drain(&mut live);
    assert!(
        matches!(updates[..], [Update::CatchUpFailed(_)]),
        "{updates:?}"
    );
    assert_eq!(live.sync_timestamp(), 100, "nothing applied, nothing moved");
    live.handle_event(ClientEvent::Reconnected { last_sync: None });
    let (token, from) = expect_catch_up(&mut live);
    assert_eq!(from, 100);
    live.handle_response(
        token,
        catch_up_reply(vec![
            conv_state("group", true, vec![ev("group", "g1", 200)]),
            conv_state(
                "one",
                false,
                vec![ev("one", "o1", 300), ev("one", "o2", 400)],
            ),
        ]),
    );
    assert_eq!(new_events(&drain(&mut live)), ["g1", "o1", "o2"]);
    assert_eq!(live.sync_timestamp(), 400);
}

#[test]
fn the_catch_up_cap_is_configurable() {
    let mut live = live(100);
    live.set_max_response_size_bytes(300);
    match live.poll_request() {
        Some((_, ApiRequest::SyncAllNewEvents(r))) => {
            assert_eq!(r.max_response_size_bytes, Some(300))
        }
        other => panic!("{other:?}"),
    }
}
