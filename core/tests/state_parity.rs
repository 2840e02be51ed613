//! core::state where hangups 0.4.18 was run side by side: history paging
//! of a fetched conversation (absent token ≠ empty token, PROTOCOL.md
//! §7.7), `update_read_timestamp(None)` with no loaded events, typing in
//! an unknown conversation, and the name rules' character classes (the
//! outcomes recorded from hangups' `User` under Python 3.11).

use hangups_core::api::ApiRequest;
use hangups_core::proto::hangouts::StateUpdateKind as Oneof;
use hangups_core::proto::hangouts::*;
use hangups_core::proto::hangouts::{Conversation, Entity};
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

fn conv_state(id: &str, events: Vec<Event>) -> ConversationState {
    ConversationState {
        conversation_id: cid(id),
        conversation: Some(Conversation {
            conversation_id: cid(id),
            r#type: Some(ConversationType::CONVERSATION_TYPE_GROUP),
            ..Default::default()
        }),
        event: events,
        ..Default::default()
    }
}

fn event(conv: &str, id: &str, ts: u64) -> Event {
    Event {
        conversation_id: cid(conv),
        sender_id: Some(pid("grace")),
        timestamp: Some(ts),
        event_id: Some(id.into()),
        ..Default::default()
    }
}

fn update(oneof: Oneof) -> StateUpdate {
    StateUpdate {
        state_update: oneof,
        ..Default::default()
    }
}

fn event_update(e: Event) -> StateUpdate {
    update(Oneof::EventNotification(Box::new(EventNotification {
        event: Some(e),
    })))
}

fn list(states: &[ConversationState]) -> ConversationList {
    let me = Entity {
        id: Some(pid("self")),
        ..Default::default()
    };
    ConversationList::new(states, UserList::new(&me, &[], &[]), 100)
}

fn history_request(l: &ConversationList, conv: &str, oldest: &str) -> GetConversationRequest {
    match l.history(conv, Some(oldest), 50).unwrap() {
        History::Fetch(req) => *req,
        other => panic!("expected a fetch: {other:?}"),
    }
}

/// hangups' `_get_or_fetch_conversation` keeps the reply's token only if
/// the field is present (`HasField`), else `None`: the next GetConversation
/// carries no token at all, and the server pages from the newest event.
#[test]
fn a_fetched_conversation_without_a_token_pages_from_the_newest() {
    let mut l = list(&[]);
    let notes = l.fold(&event_update(event("g", "joined", 700)));
    assert_eq!(notes, [Notification::NeedsConversation("g".into())]);
    let notes = l.add_conversation_state(&conv_state("g", vec![]));
    assert!(notes.contains(&Notification::ConversationAdded("g".into())));
    assert_eq!(l.get("g").unwrap().continuation_token(), None);

    let req = history_request(&l, "g", "joined");
    assert_eq!(req.event_continuation_token, None, "no field 7 at all");
    assert_eq!(req.include_event, Some(true));

    // The newest page comes back (with the join itself) and no token:
    // hangups then stores an empty token unconditionally.
    let backlog: Vec<Event> = (1..=6)
        .map(|i| event("g", &format!("m{i}"), i * 100))
        .chain([event("g", "joined", 700)])
        .collect();
    let resp = GetConversationResponse {
        conversation_state: Some(Box::new(conv_state("g", backlog))),
        ..Default::default()
    };
    let returned = l.apply_history("g", &resp).unwrap();
    assert_eq!(returned.len(), 7, "every returned event, as hangups");
    assert_eq!(l.get("g").unwrap().events().len(), 7);
    assert_eq!(
        l.get("g").unwrap().continuation_token(),
        Some(&EventContinuationToken::default())
    );
    let again = history_request(&l, "g", "m1");
    assert_eq!(
        again.event_continuation_token,
        Some(Box::new(EventContinuationToken::default())),
        "an empty field 7 (3a 00) once a reply stored it"
    );
}

/// A fetched conversation whose reply has a token keeps it.
#[test]
fn a_fetched_conversation_with_a_token_sends_it() {
    let mut l = list(&[]);
    l.fold(&event_update(event("g", "e9", 900)));
    let token = EventContinuationToken {
        event_id: Some("e9".into()),
        event_timestamp: Some(900),
        ..Default::default()
    };
    let mut state = conv_state("g", vec![]);
    state.event_continuation_token = Some(Box::new(token.clone()));
    l.add_conversation_state(&state);
    let req = history_request(&l, "g", "e9");
    assert_eq!(req.event_continuation_token, Some(Box::new(token)));
}

/// hangups' initial sync stores `conv_state.event_continuation_token`,
/// an empty message when absent: the request carries an empty field 7.
#[test]
fn an_initially_synced_conversation_without_a_token_sends_an_empty_one() {
    let l = list(&[conv_state("c", vec![event("c", "e1", 10)])]);
    assert_eq!(
        l.get("c").unwrap().continuation_token(),
        Some(&EventContinuationToken::default())
    );
    let req = history_request(&l, "c", "e1");
    assert_eq!(
        req.event_continuation_token,
        Some(Box::new(EventContinuationToken::default()))
    );
}

/// hangups: `read_timestamp = events[-1].timestamp if events else now`.
#[test]
fn update_read_timestamp_without_events_marks_read_up_to_now() {
    let mut l = list(&[conv_state("c", vec![])]);
    let req = l
        .action_request("c", &Action::UpdateReadTimestamp(None), 5_000)
        .unwrap()
        .expect("a request");
    let ApiRequest::UpdateWatermark(req) = req else {
        panic!("{req:?}")
    };
    assert_eq!(req.last_read_timestamp, Some(5_000));
    assert_eq!(req.conversation_id, cid("c"));
    assert_eq!(l.get("c").unwrap().latest_read_timestamp(), 5_000);
    // Not later than the read timestamp now: nothing to send.
    let again = l.action_request("c", &Action::UpdateReadTimestamp(None), 5_000);
    assert!(again.unwrap().is_none());

    // With events the newest one wins, whatever the clock says.
    let mut l = list(&[conv_state("d", vec![event("d", "e1", 40)])]);
    let mut c = l.get("d").unwrap().clone();
    let req = c.update_read_timestamp(None, 9_999).unwrap();
    assert_eq!(req.last_read_timestamp, Some(40));
    let req = l
        .action_request("d", &Action::UpdateReadTimestamp(None), 9_999)
        .unwrap();
    assert!(
        matches!(req, Some(ApiRequest::UpdateWatermark(r)) if r.last_read_timestamp == Some(40))
    );
}

/// hangups fires `on_typing`, then fetches the unknown conversation.
#[test]
fn typing_in_an_unknown_conversation_fetches_it() {
    let mut l = list(&[]);
    let typing = || {
        update(Oneof::TypingNotification(Box::new(SetTypingNotification {
            conversation_id: cid("new"),
            sender_id: Some(Box::new(pid("grace"))),
            timestamp: Some(77),
            r#type: Some(TypingType::TYPING_TYPE_STARTED),
        })))
    };
    let status = Notification::Typing(TypingStatus {
        conversation_id: "new".into(),
        user_id: UserId::new("grace", "grace"),
        timestamp: 77,
        status: TypingType::TYPING_TYPE_STARTED,
    });
    assert_eq!(
        l.fold(&typing()),
        [
            status.clone(),
            Notification::NeedsConversation("new".into())
        ]
    );
    assert_eq!(l.fold(&typing()), [status], "asked once per wait");
    assert_eq!(l.pending_conversations(), ["new"]);
    let notes = l.add_conversation_state(&conv_state("new", vec![]));
    assert_eq!(notes, [Notification::ConversationAdded("new".into())]);
    assert!(l.pending_conversations().is_empty());
}

/// Outcomes of hangups 0.4.18's `User(full_name=…, first_name=None)` under
/// Python 3.11 (`str.isalpha`, `str.split`): letter numbers, combining
/// marks and Other_Alphabetic symbols are no letters there, and U+001C to
/// U+001F split words.
#[test]
fn name_rules_follow_pythons_character_classes() {
    let cases: &[(&str, &str, NameType)] = &[
        ("Ⅻ", "Ⅻ", NameType::Numeric),
        ("〇", "〇", NameType::Numeric),
        ("Ⅻ 〇", "Ⅻ 〇", NameType::Numeric),
        ("\u{345}", "\u{345}", NameType::Numeric),
        ("\u{93e}", "\u{93e}", NameType::Numeric),
        ("ⒶⒷ", "ⒶⒷ", NameType::Numeric),
        ("Ada\x1cLovelace", "Ada", NameType::Real),
        ("Ada\x1dB", "Ada", NameType::Real),
        ("Ada\x1eB", "Ada", NameType::Real),
        ("Ada\x1fB", "Ada", NameType::Real),
        ("\x1cAda B", "Ada", NameType::Real),
        ("Ada\u{85}B", "Ada", NameType::Real),
        ("Ada\u{a0}B", "Ada", NameType::Real),
        ("Ada\u{3000}B", "Ada", NameType::Real),
        ("Ⅻ Ada", "Ⅻ", NameType::Real),
        ("x\u{200b}Y z", "x\u{200b}Y", NameType::Real),
    ];
    for &(full, first, kind) in cases {
        let u = User::new(UserId::new("u", "u"), Some(full), None, None, vec![], false);
        assert_eq!(
            (u.full_name.as_str(), u.first_name.as_str(), u.name_type),
            (full, first, kind),
            "{full:?}"
        );
    }
}
