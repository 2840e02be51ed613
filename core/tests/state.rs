//! core::state: the StateUpdate fold, events, conversations and users
//! (PROTOCOL.md §7.3–7.5, 7.7, 7.8, 7.10).

use hangups_core::proto::hangouts::StateUpdateKind as Oneof;
use hangups_core::proto::hangouts::*;
use hangups_core::proto::hangouts::{Attachment, Conversation};
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

fn uid(g: &str) -> UserId {
    UserId::new(g, g)
}

fn part(g: &str, name: Option<&str>) -> ConversationParticipantData {
    ConversationParticipantData {
        id: Some(pid(g)),
        fallback_name: name.map(Into::into),
        ..Default::default()
    }
}

fn conv_msg(id: &str, parts: &[&str]) -> Conversation {
    Conversation {
        conversation_id: cid(id),
        participant_data: parts.iter().map(|g| part(g, Some(g))).collect(),
        ..Default::default()
    }
}

fn conv_state(id: &str, events: Vec<Event>) -> ConversationState {
    ConversationState {
        conversation_id: cid(id),
        conversation: Some(conv_msg(id, &["self", "bob"])),
        event: events,
        ..Default::default()
    }
}

fn text_event(conv: &str, id: &str, ts: u64, sender: &str, text: &str) -> Event {
    Event {
        conversation_id: cid(conv),
        sender_id: Some(pid(sender)),
        timestamp: Some(ts),
        event_id: Some(id.into()),
        chat_message: Some(ChatMessage {
            message_content: Some(MessageContent {
                segment: vec![Segment {
                    r#type: SegmentType::SEGMENT_TYPE_TEXT,
                    text: Some(text.into()),
                    ..Default::default()
                }],
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn self_entity() -> Entity {
    Entity {
        id: Some(pid("self")),
        properties: Some(EntityProperties {
            display_name: Some("Self Person".into()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn list(ids: &[&str]) -> ConversationList {
    let states: Vec<_> = ids.iter().map(|id| conv_state(id, vec![])).collect();
    let users = UserList::new(&self_entity(), &[], &[]);
    ConversationList::new(&states, users, 100)
}

fn update(oneof: Oneof) -> StateUpdate {
    StateUpdate {
        state_update: oneof,
        ..Default::default()
    }
}

fn event_update(event: Event) -> StateUpdate {
    update(Oneof::EventNotification(Box::new(EventNotification {
        event: Some(event),
    })))
}

fn watermark(conv: &str, sender: &str, ts: u64) -> StateUpdate {
    update(Oneof::WatermarkNotification(Box::new(
        WatermarkNotification {
            sender_id: Some(Box::new(pid(sender))),
            conversation_id: cid(conv),
            latest_read_timestamp: Some(ts),
        },
    )))
}

fn new_event_ids(notes: &[Notification]) -> Vec<String> {
    notes
        .iter()
        .filter_map(|n| match n {
            Notification::NewEvent(e) => Some(e.id().to_owned()),
            _ => None,
        })
        .collect()
}

#[test]
fn event_notification_adds_once_and_moves_sync_position() {
    let mut l = list(&["c1"]);
    let notes = l.fold(&event_update(text_event("c1", "e1", 500, "bob", "hi")));
    assert_eq!(new_event_ids(&notes), ["e1"]);
    assert_eq!(notes.len(), 1);
    assert_eq!(l.sync_timestamp(), 500);
    let c = l.get("c1").unwrap();
    assert_eq!(c.events().len(), 1);
    assert_eq!(c.get_event("e1").unwrap().user_id(), uid("bob"));

    // A duplicate id is ignored, but moves the sync position (hangups).
    let dup = l.fold(&event_update(text_event("c1", "e1", 400, "bob", "again")));
    assert!(dup.is_empty());
    assert_eq!(l.get("c1").unwrap().events().len(), 1);
    assert_eq!(l.sync_timestamp(), 400);

    // Appended, not sorted.
    l.fold(&event_update(text_event("c1", "e0", 300, "bob", "older")));
    let ids: Vec<_> = l
        .get("c1")
        .unwrap()
        .events()
        .iter()
        .map(|e| e.id())
        .collect();
    assert_eq!(ids, ["e1", "e0"]);

    // No timestamp: the sync position stays.
    let mut e = text_event("c1", "e9", 0, "bob", "x");
    e.timestamp = None;
    l.fold(&event_update(e));
    assert_eq!(l.sync_timestamp(), 300);
}

#[test]
fn event_for_unknown_conversation_waits_for_fetch() {
    let mut l = list(&["c1"]);
    let n1 = l.fold(&event_update(text_event("c2", "a", 200, "bob", "1")));
    assert_eq!(n1, [Notification::NeedsConversation("c2".into())]);
    let n2 = l.fold(&event_update(text_event("c2", "b", 300, "bob", "2")));
    assert!(n2.is_empty(), "asked once per wait: {n2:?}");
    assert_eq!(l.pending_conversations(), ["c2"]);
    assert_eq!(
        l.sync_timestamp(),
        100,
        "not moved before the event is applied"
    );

    let req = ConversationList::fetch_request("c2");
    assert_eq!(req.include_event, Some(false));
    assert_eq!(req.conversation_spec.unwrap().conversation_id, cid("c2"));

    let notes = l.add_conversation_state(&conv_state("c2", vec![]));
    assert_eq!(notes[0], Notification::ConversationAdded("c2".into()));
    assert_eq!(new_event_ids(&notes), ["a", "b"]);
    assert_eq!(l.sync_timestamp(), 300);
    assert!(l.pending_conversations().is_empty());
    assert_eq!(l.get("c2").unwrap().events().len(), 2);
}

#[test]
fn failed_fetch_drops_waiting_updates() {
    let mut l = list(&["c1"]);
    l.fold(&event_update(text_event("c2", "a", 200, "bob", "1")));
    assert_eq!(l.conversation_fetch_failed("c2"), 1);
    assert!(l.pending_conversations().is_empty());
    assert_eq!(l.conversation_fetch_failed("c2"), 0);
    // The next update asks again.
    let n = l.fold(&event_update(text_event("c2", "b", 300, "bob", "2")));
    assert_eq!(n, [Notification::NeedsConversation("c2".into())]);
}

#[test]
fn typing_notification() {
    let mut l = list(&["c1"]);
    for conv in ["c1", "unknown"] {
        let notes = l.fold(&update(Oneof::TypingNotification(Box::new(
            SetTypingNotification {
                conversation_id: cid(conv),
                sender_id: Some(Box::new(pid("bob"))),
                timestamp: Some(77),
                r#type: Some(TypingType::TYPING_TYPE_STARTED),
            },
        ))));
        let mut want = vec![Notification::Typing(TypingStatus {
            conversation_id: conv.into(),
            user_id: uid("bob"),
            timestamp: 77,
            status: TypingType::TYPING_TYPE_STARTED,
        })];
        if conv == "unknown" {
            // Notified, then fetched, as hangups does.
            want.push(Notification::NeedsConversation(conv.into()));
        }
        assert_eq!(notes, want);
    }
    assert_eq!(l.pending_conversations(), ["unknown"]);
}

#[test]
fn watermarks_and_read_timestamp() {
    let mut l = list(&["c1"]);
    let n = l.fold(&watermark("c1", "bob", 50));
    assert_eq!(
        n,
        [Notification::Watermark(WatermarkUpdate {
            conversation_id: "c1".into(),
            user_id: uid("bob"),
            read_timestamp: 50,
        })]
    );
    assert_eq!(
        l.get("c1").unwrap().watermarks().get(&uid("bob")),
        Some(&50)
    );
    // Earlier: notified, watermark kept.
    assert_eq!(l.fold(&watermark("c1", "bob", 40)).len(), 1);
    assert_eq!(
        l.get("c1").unwrap().watermarks().get(&uid("bob")),
        Some(&50)
    );
    assert_eq!(l.get("c1").unwrap().latest_read_timestamp(), 0);

    // The self user's watermark sets latest_read_timestamp unconditionally.
    l.fold(&watermark("c1", "self", 90));
    assert_eq!(l.get("c1").unwrap().latest_read_timestamp(), 90);
    l.fold(&watermark("c1", "self", 80));
    assert_eq!(l.get("c1").unwrap().latest_read_timestamp(), 80);
    assert_eq!(
        l.get("c1").unwrap().watermarks().get(&uid("self")),
        Some(&90)
    );
}

#[test]
fn zero_timestamp_watermark_is_ignored() {
    let mut l = list(&["c1"]);
    l.fold(&watermark("c1", "self", 90));
    assert!(l.fold(&watermark("c1", "self", 0)).is_empty());
    assert!(l.fold(&watermark("c1", "carol", 0)).is_empty());
    let c = l.get("c1").unwrap();
    assert_eq!(c.latest_read_timestamp(), 90);
    assert_eq!(c.watermarks().get(&uid("carol")), None);
    // Nor via a delta's read states.
    let mut delta = conv_msg("c1", &["self", "bob"]);
    delta.read_state = vec![UserReadState {
        participant_id: Some(Box::new(pid("dave"))),
        latest_read_timestamp: Some(0),
    }];
    l.fold(&StateUpdate {
        conversation: Some(Box::new(delta)),
        ..Default::default()
    });
    assert_eq!(l.get("c1").unwrap().watermarks().get(&uid("dave")), None);
}

#[test]
fn watermark_for_unknown_conversation_applies_after_fetch() {
    let mut l = list(&[]);
    let n = l.fold(&watermark("c9", "bob", 70));
    assert!(matches!(&n[0], Notification::Watermark(w) if w.read_timestamp == 70));
    assert_eq!(n[1], Notification::NeedsConversation("c9".into()));
    l.add_conversation_state(&conv_state("c9", vec![]));
    assert_eq!(
        l.get("c9").unwrap().watermarks().get(&uid("bob")),
        Some(&70)
    );
}

#[test]
fn delta_replaces_conversation_with_hangups_exceptions() {
    let mut l = list(&["c1"]);
    // Start with a name, a delivery medium, a read timestamp.
    let mut first = conv_msg("c1", &["self", "bob"]);
    first.name = Some("Old".into());
    first.r#type = Some(ConversationType::CONVERSATION_TYPE_GROUP);
    first.self_conversation_state = Some(UserConversationState {
        self_read_state: Some(UserReadState {
            participant_id: Some(Box::new(pid("self"))),
            latest_read_timestamp: Some(1234),
        }),
        delivery_medium_option: vec![DeliveryMediumOption {
            delivery_medium: Some(DeliveryMedium {
                medium_type: Some(DeliveryMediumType::DELIVERY_MEDIUM_GOOGLE_VOICE),
                ..Default::default()
            }),
            current_default: Some(true),
        }],
        sort_timestamp: Some(10),
        ..Default::default()
    });
    let n = l.fold(&StateUpdate {
        conversation: Some(Box::new(first)),
        ..Default::default()
    });
    assert_eq!(n, [Notification::ConversationChanged("c1".into())]);
    let c = l.get("c1").unwrap();
    assert_eq!(c.name(), Some("Old"));
    assert_eq!(c.last_modified(), 10);

    // The delta: no name, archived, quiet, OTR, new participant, no
    // delivery options, zero read timestamp, a read state for bob.
    let mut delta = conv_msg("c1", &["self", "bob", "carol"]);
    delta.participant_data[2].fallback_name = Some("Carol King".into());
    delta.otr_status = Some(OffTheRecordStatus::OFF_THE_RECORD_STATUS_OFF_THE_RECORD);
    delta.read_state = vec![UserReadState {
        participant_id: Some(Box::new(pid("bob"))),
        latest_read_timestamp: Some(999),
    }];
    delta.self_conversation_state = Some(UserConversationState {
        view: vec![ConversationView::CONVERSATION_VIEW_ARCHIVED],
        notification_level: Some(NotificationLevel::NOTIFICATION_LEVEL_QUIET),
        sort_timestamp: Some(20),
        ..Default::default()
    });
    let n = l.fold(&StateUpdate {
        conversation: Some(Box::new(delta)),
        state_update: Oneof::ViewModification(Box::default()),
        ..Default::default()
    });
    assert_eq!(n, [Notification::ConversationChanged("c1".into())]);
    let c = l.get("c1").unwrap();
    assert_eq!(c.name(), None, "replaced: the name is gone");
    assert!(!c.is_group(), "replaced: type back to default");
    assert!(c.is_archived() && c.is_quiet() && c.is_off_the_record());
    assert_eq!(c.last_modified(), 20);
    assert_eq!(
        c.latest_read_timestamp(),
        1234,
        "zero read timestamp keeps old"
    );
    assert_eq!(
        c.delivery_medium().medium_type,
        Some(DeliveryMediumType::DELIVERY_MEDIUM_GOOGLE_VOICE),
        "empty options keep old"
    );
    assert_eq!(c.watermarks().get(&uid("bob")), Some(&999));
    assert_eq!(c.user_ids().len(), 3);
    let users = c.users(l.users());
    assert_eq!(users[2].full_name, "Carol King");
    assert_eq!(users[2].first_name, "Carol");
    assert!(users[0].is_self);

    assert_eq!(l.get_all(false).len(), 0);
    assert_eq!(l.get_all(true).len(), 1);
}

#[test]
fn delta_for_unknown_conversation_fetches_and_defers_the_rest() {
    let mut l = list(&["c1"]);
    let su = StateUpdate {
        conversation: Some(Box::new(conv_msg("c2", &["self", "zed"]))),
        state_update: Oneof::EventNotification(Box::new(EventNotification {
            event: Some(text_event("c2", "z1", 500, "zed", "hey")),
        })),
        ..Default::default()
    };
    let n = l.fold(&su);
    assert_eq!(n, [Notification::NeedsConversation("c2".into())]);
    // The participants are taken at once.
    assert_eq!(l.users().get(&uid("zed")).unwrap().full_name, "zed");
    let mut fetched = conv_state("c2", vec![]);
    fetched.conversation.as_mut().unwrap().name = Some("Fetched".into());
    let n = l.add_conversation_state(&fetched);
    assert_eq!(n[0], Notification::ConversationAdded("c2".into()));
    assert_eq!(new_event_ids(&n), ["z1"]);
    // The delta was discarded, the fetched state kept.
    assert_eq!(l.get("c2").unwrap().name(), Some("Fetched"));
}

#[test]
fn other_notification_kinds_act_only_through_the_delta() {
    let mut l = list(&["c1"]);
    let kinds = [
        Oneof::ConversationNotification(ConversationNotification::default()),
        Oneof::FocusNotification(Box::default()),
        Oneof::NotificationLevelNotification(Box::default()),
        Oneof::ReplyToInviteNotification(Box::default()),
        Oneof::ViewModification(Box::default()),
        Oneof::EasterEggNotification(Box::default()),
        Oneof::SelfPresenceNotification(Box::default()),
        Oneof::PresenceNotification(PresenceNotification::default()),
        Oneof::BlockNotification(BlockNotification::default()),
        Oneof::NotificationSettingNotification(Box::default()),
        Oneof::RichPresenceEnabledStateNotification(RichPresenceEnabledStateNotification::default()),
        Oneof::None,
    ];
    for kind in kinds {
        assert!(l.fold(&update(kind.clone())).is_empty(), "{kind:?}");
        let with_delta = StateUpdate {
            conversation: Some(Box::new(conv_msg("c1", &["self"]))),
            state_update: kind,
            ..Default::default()
        };
        assert_eq!(
            l.fold(&with_delta),
            [Notification::ConversationChanged("c1".into())]
        );
    }
    // An event notification with no event, a watermark with no id: nothing.
    assert!(l
        .fold(&update(Oneof::EventNotification(Box::default())))
        .is_empty());
}

#[test]
fn delete_notification_and_leaving() {
    let mut l = list(&["c1"]);
    let n = l.fold(&update(Oneof::DeleteNotification(Box::new(
        DeleteActionNotification {
            conversation_id: cid("c1"),
            delete_action: Some(Box::new(DeleteAction {
                delete_upper_bound_timestamp: Some(555),
                ..Default::default()
            })),
        },
    ))));
    assert_eq!(
        n,
        [Notification::ConversationDeleted {
            conversation_id: "c1".into(),
            upper_bound_timestamp: 555
        }]
    );
    assert!(l.get("c1").is_some(), "kept, as hangups");

    let leave = Event {
        conversation_id: cid("c1"),
        event_id: Some("m".into()),
        timestamp: Some(600),
        membership_change: Some(Box::new(MembershipChange {
            r#type: Some(MembershipChangeType::MEMBERSHIP_CHANGE_TYPE_LEAVE),
            participant_ids: vec![pid("self")],
        })),
        ..Default::default()
    };
    let n = l.fold(&event_update(leave));
    assert_eq!(n.len(), 2);
    assert_eq!(n[1], Notification::ConversationLeft("c1".into()));
    assert!(l.remove_conversation("c1").is_some());
    assert!(l.get("c1").is_none());
    assert!(l.remove_conversation("c1").is_none());
}

#[test]
fn event_kinds_and_chat_text() {
    let seg = |t: SegmentType, s: &str| Segment {
        r#type: t,
        text: Some(s.into()),
        ..Default::default()
    };
    let photo = |url: &str| Attachment {
        embed_item: Some(EmbedItem {
            plus_photo: Some(Box::new(PlusPhoto {
                thumbnail: Some(Box::new(PlusPhotoThumbnail {
                    image_url: Some(url.into()),
                    ..Default::default()
                })),
                ..Default::default()
            })),
            ..Default::default()
        }),
    };
    let place = Attachment {
        embed_item: Some(EmbedItem {
            place: Some(Box::new(Place {
                name: Some("Cafe".into()),
                geo: Some(Box::new(EmbedItem {
                    geo_coordinates: Some(Box::new(EmbedItemGeoCoordinates {
                        latitude: Some(1.5),
                        longitude: Some(-2.0),
                    })),
                    ..Default::default()
                })),
                ..Default::default()
            })),
            ..Default::default()
        }),
    };
    let mut e = text_event("c1", "e", 1, "bob", "");
    e.chat_message.as_mut().unwrap().message_content = Some(MessageContent {
        segment: vec![
            seg(SegmentType::SEGMENT_TYPE_TEXT, "Hello "),
            seg(SegmentType::SEGMENT_TYPE_LINK, "example.com"),
            seg(SegmentType::SEGMENT_TYPE_LINE_BREAK, "\n"),
            seg(SegmentType(77), "ignored"),
            seg(SegmentType::SEGMENT_TYPE_TEXT, "bye"),
        ],
        attachment: vec![photo("https://img/1"), place],
    });
    // A chat message wins over other parts (first present).
    e.conversation_rename = Some(Box::new(ConversationRename::default()));
    let ev = ConversationEvent::new(e);
    assert_eq!(ev.kind(), EventKind::ChatMessage);
    let msg = ev.as_chat_message().unwrap();
    assert_eq!(msg.text(), "Hello example.com\nbye\nhttps://img/1");
    assert_eq!(msg.segments().len(), 5);
    assert_eq!(msg.image_urls(), ["https://img/1"]);
    let atts = msg.attachments();
    assert!(
        matches!(&atts[0], hangups_core::state::Attachment::Photo { image_url, .. } if image_url == "https://img/1")
    );
    assert!(
        matches!(&atts[1], hangups_core::state::Attachment::Place { name: Some(n), coordinates: Some((a, b)), .. } if n == "Cafe" && *a == 1.5 && *b == -2.0)
    );
    assert!(ev.as_rename().is_none());

    let base = Event {
        conversation_id: cid("c1"),
        event_id: Some("k".into()),
        ..Default::default()
    };
    let otr = ConversationEvent::new(Event {
        otr_modification: Some(Box::new(OTRModification {
            new_otr_status: Some(OffTheRecordStatus::OFF_THE_RECORD_STATUS_OFF_THE_RECORD),
            ..Default::default()
        })),
        ..base.clone()
    });
    assert_eq!(otr.kind(), EventKind::Otr);
    assert_eq!(
        otr.as_otr().unwrap().new_otr_status(),
        OffTheRecordStatus::OFF_THE_RECORD_STATUS_OFF_THE_RECORD
    );
    let rename = ConversationEvent::new(Event {
        conversation_rename: Some(Box::new(ConversationRename {
            new_name: Some("New".into()),
            old_name: None,
        })),
        ..base.clone()
    });
    let r = rename.as_rename().unwrap();
    assert_eq!((r.new_name, r.old_name), ("New", ""));
    let hang = ConversationEvent::new(Event {
        hangout_event: Some(Box::new(HangoutEvent {
            event_type: Some(HangoutEventType::HANGOUT_EVENT_TYPE_START),
            ..Default::default()
        })),
        ..base.clone()
    });
    assert_eq!(
        hang.as_hangout().unwrap().event_type(),
        HangoutEventType::HANGOUT_EVENT_TYPE_START
    );
    let glsm = ConversationEvent::new(Event {
        group_link_sharing_modification: Some(GroupLinkSharingModification {
            new_status: Some(GroupLinkSharingStatus::GROUP_LINK_SHARING_STATUS_ON),
        }),
        ..base.clone()
    });
    assert_eq!(glsm.kind(), EventKind::GroupLinkSharingModification);
    assert_eq!(
        glsm.as_group_link_sharing_modification()
            .unwrap()
            .new_status(),
        GroupLinkSharingStatus::GROUP_LINK_SHARING_STATUS_ON
    );
    let generic = ConversationEvent::new(base);
    assert_eq!(generic.kind(), EventKind::Generic);
    assert_eq!(generic.timestamp(), 0);
    assert_eq!(generic.user_id(), UserId::default());
    assert_eq!(generic.conversation_id(), "c1");
    // An empty event: no panic, empty fields.
    let empty = ConversationEvent::new(Event::default());
    assert_eq!((empty.id(), empty.conversation_id()), ("", ""));
}

#[test]
fn history_paging() {
    let events: Vec<Event> = (1..=5)
        .map(|i| text_event("c1", &format!("e{i}"), i * 10, "bob", "x"))
        .collect();
    let mut observed = text_event("c1", "obs", 1, "bob", "");
    observed.event_type = Some(EventType::EVENT_TYPE_OBSERVED_EVENT);
    let mut all = vec![observed];
    all.extend(events);
    let mut state = conv_state("c1", all);
    state.event_continuation_token = Some(Box::new(EventContinuationToken {
        event_id: Some("tok".into()),
        ..Default::default()
    }));
    let mut c = hangups_core::state::Conversation::from_state(&state);
    assert_eq!(c.events().len(), 5, "observed events skipped");

    let ids = |v: &[&ConversationEvent]| v.iter().map(|e| e.id().to_owned()).collect::<Vec<_>>();
    match c.get_events(None, 2).unwrap() {
        GetEvents::Loaded(v) => assert_eq!(ids(&v), ["e4", "e5"]),
        other => panic!("{other:?}"),
    }
    match c.get_events(Some("e3"), 50).unwrap() {
        GetEvents::Loaded(v) => assert_eq!(ids(&v), ["e1", "e2"]),
        other => panic!("{other:?}"),
    }
    assert_eq!(ids(&c.events_before("e5", 1).unwrap()), ["e4"]);
    assert!(matches!(
        c.get_events(Some("nope"), 1),
        Err(StateError::UnknownEvent(_))
    ));
    let req = match c.get_events(Some("e1"), 20).unwrap() {
        GetEvents::Fetch(req) => req,
        other => panic!("{other:?}"),
    };
    assert_eq!(req.include_event, Some(true));
    assert_eq!(req.max_events_per_conversation, Some(20));
    assert_eq!(
        req.event_continuation_token.unwrap().event_id.as_deref(),
        Some("tok")
    );

    // Older events come back oldest first, one already known.
    let resp = GetConversationResponse {
        conversation_state: Some(Box::new(ConversationState {
            conversation_id: cid("c1"),
            event: vec![
                text_event("c1", "o1", 1, "bob", "x"),
                text_event("c1", "o2", 2, "bob", "x"),
                text_event("c1", "e1", 10, "bob", "x"),
            ],
            ..Default::default()
        })),
        ..Default::default()
    };
    let returned = c.apply_history(&resp);
    assert_eq!(returned.len(), 3);
    let all: Vec<_> = c.events().iter().map(|e| e.id()).collect();
    assert_eq!(all, ["o1", "o2", "e1", "e2", "e3", "e4", "e5"]);
    assert_eq!(
        c.continuation_token(),
        Some(&EventContinuationToken::default())
    );

    assert_eq!(c.next_event("o2", false).unwrap().unwrap().id(), "e1");
    assert_eq!(c.next_event("o2", true).unwrap().unwrap().id(), "o1");
    assert!(c.next_event("o1", true).unwrap().is_none());
    assert!(c.next_event("e5", false).unwrap().is_none());
    assert!(c.next_event("zz", false).is_err());

    // Unread and read timestamp.
    assert_eq!(c.unread_events().len(), 7);
    let req = c.update_read_timestamp(None, 0).unwrap();
    assert_eq!(req.last_read_timestamp, Some(50));
    assert_eq!(req.conversation_id, cid("c1"));
    assert!(c.unread_events().is_empty());
    assert!(c.update_read_timestamp(Some(40), 0).is_none());
    assert!(c.update_read_timestamp(None, 0).is_none());
}

#[test]
fn names_and_user_list() {
    let entity = |g: &str, display: Option<&str>, first: Option<&str>| Entity {
        id: Some(pid(g)),
        properties: Some(EntityProperties {
            display_name: display.map(Into::into),
            first_name: first.map(Into::into),
            photo_url: Some("//photo".into()),
            email: vec![format!("{g}@x")],
            canonical_email: Some(format!("{g}@x")),
            ..Default::default()
        }),
        ..Default::default()
    };
    let parts = [
        part("ann", Some("Ann From Participant")), // known entity: upgrade only if higher
        part("num", Some("+12125551212")),
        part("nobody", Some("unknown")),
        part("none", None),
        part("self", Some("Whatever")),
    ];
    let users = UserList::new(
        &entity("self", Some("Sam Self"), None),
        &[
            entity("ann", Some("Ann Smith"), Some("Annie")),
            entity("num", None, None),
        ],
        &parts,
    );
    let me = users.self_user();
    assert!(me.is_self);
    assert_eq!(
        (me.full_name.as_str(), me.first_name.as_str()),
        ("Sam Self", "Sam")
    );
    assert_eq!(me.name_type, NameType::Real);

    let ann = users.get(&uid("ann")).unwrap();
    assert_eq!(
        (ann.full_name.as_str(), ann.first_name.as_str()),
        ("Ann Smith", "Annie")
    );
    assert_eq!(ann.emails, ["ann@x"]);
    assert_eq!(ann.canonical_email.as_deref(), Some("ann@x"));
    assert_eq!(ann.photo_url.as_deref(), Some("//photo"));
    assert!(!ann.is_self);

    // Entity without a name, upgraded by a numeric participant name.
    let num = users.get(&uid("num")).unwrap();
    assert_eq!(num.name_type, NameType::Numeric);
    assert_eq!(num.first_name, "+12125551212");

    for g in ["nobody", "none"] {
        let u = users.get(&uid(g)).unwrap();
        assert_eq!(
            (u.full_name.as_str(), u.name_type),
            ("Unknown", NameType::Default)
        );
    }
    // Unknown id: a fresh default user, not stored.
    let ghost = users.get_user(&uid("ghost"));
    assert_eq!(ghost.full_name, "Unknown");
    assert!(!ghost.is_self);
    assert!(users.get(&uid("ghost")).is_none());
    assert_eq!(users.get_all().len(), 5);
    // UserId compares both parts.
    assert!(users.get(&UserId::new("ann", "other")).is_none());

    // upgrade_name: only strictly higher types win.
    let mut u = User::unknown(uid("v"));
    u.upgrade_name(&User::new(
        uid("v"),
        Some("+1 555"),
        None,
        None,
        vec![],
        false,
    ));
    assert_eq!(u.name_type, NameType::Numeric);
    u.upgrade_name(&User::new(
        uid("v"),
        Some("+1 666"),
        None,
        None,
        vec![],
        false,
    ));
    assert_eq!(u.full_name, "+1 555");
    u.upgrade_name(&User::new(
        uid("v"),
        Some("Vee Jay"),
        None,
        None,
        vec![],
        false,
    ));
    assert_eq!(
        (u.full_name.as_str(), u.first_name.as_str()),
        ("Vee Jay", "Vee")
    );
    u.upgrade_name(&User::unknown(uid("v")));
    assert_eq!(u.name_type, NameType::Real);
}
