//! Every chat API endpoint of the emulator, round trip with hangups-core's
//! `ApiRequest::encode_body` / `decode_response`, and the StateUpdates each
//! pushes; image upload; API-level errors.

mod support;

use hangups_core::api::{
    ApiEndpoint, ApiError, AuthHeaders, Cookies, ImageUpload, OriginAllowList, API_KEY,
};
use hangups_core::http::Method;
use hangups_proto::hangouts::StateUpdateKind as Su;
use hangups_proto::hangouts::*;
use support::*;

fn cid(id: &str) -> Option<ConversationId> {
    Some(ConversationId {
        id: Some(id.into()),
    })
}

fn pid(id: &str) -> ParticipantId {
    ParticipantId {
        gaia_id: Some(id.into()),
        chat_id: Some(id.into()),
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

fn text(t: &str) -> Option<MessageContent> {
    Some(MessageContent {
        segment: vec![Segment {
            r#type: SegmentType::SEGMENT_TYPE_TEXT,
            text: Some(t.into()),
            formatting: None,
            link_data: None,
        }],
        attachment: vec![],
    })
}

fn send(raw: &Raw, conv: &str, t: &str, cgid: u64) -> Event {
    *raw.ok(SendChatMessageRequest {
        message_content: text(t).map(Box::new),
        event_request_header: erh(conv, cgid).map(Box::new),
        ..Default::default()
    })
    .created_event
    .expect("created_event")
}

fn status_of(r: Result<ApiResponse, ApiError>) -> i32 {
    match r {
        Err(ApiError::Status { status, .. }) => status,
        other => panic!("expected a non-OK status, got {other:?}"),
    }
}

use hangups_core::api::ApiResponse;

#[test]
fn get_self_info() {
    let emu = start();
    let me = Raw::me(&emu);
    let resp = me.call(GetSelfInfoRequest::default()).unwrap();
    let header = resp.response_header().unwrap().clone();
    assert_eq!(header.status, Some(ResponseStatus::RESPONSE_STATUS_OK));
    assert!(header.current_server_time.unwrap() > 0);
    let info = GetSelfInfoResponse::try_from(resp).unwrap();
    let entity = info.self_entity.unwrap();
    assert_eq!(
        entity.id.unwrap().gaia_id.as_deref(),
        Some(emu.self_user_id().as_str())
    );
    let props = entity.properties.unwrap();
    assert_eq!(props.email, ["ada@example.com"]);
    assert_eq!(props.display_name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(props.first_name.as_deref(), Some("Ada"));
}

#[test]
fn send_chat_message_pushes_to_every_participant() {
    let emu = start();
    let me = Raw::me(&emu);
    let mut mine = me.connected();
    let mut grace = Raw::new(&emu, GRACE).connected();
    let event = send(&me, ONE_TO_ONE, "from the API é😀", 42);
    assert_eq!(
        event
            .self_event_state
            .as_ref()
            .unwrap()
            .client_generated_id
            .as_deref(),
        Some("42")
    );
    assert_eq!(
        event.event_type,
        Some(EventType::EVENT_TYPE_REGULAR_CHAT_MESSAGE)
    );
    let own = mine.next_update();
    let Su::EventNotification(n) = &own.state_update else {
        panic!()
    };
    let pushed = n.event.as_ref().unwrap();
    assert_eq!(pushed.event_id, event.event_id);
    assert_eq!(
        pushed
            .self_event_state
            .as_ref()
            .unwrap()
            .client_generated_id
            .as_deref(),
        Some("42")
    );
    let conv = own.conversation.as_ref().unwrap();
    let read = conv
        .self_conversation_state
        .as_ref()
        .unwrap()
        .self_read_state
        .as_ref()
        .unwrap();
    assert_eq!(
        read.latest_read_timestamp, event.timestamp,
        "sending marks read"
    );
    let theirs = grace.next_update();
    let Su::EventNotification(n) = &theirs.state_update else {
        panic!()
    };
    let e = n.event.as_ref().unwrap();
    assert_eq!(e.event_id, event.event_id);
    let ses = e.self_event_state.as_ref().unwrap();
    assert_eq!(ses.client_generated_id, None, "only the sender sees its id");
    assert_eq!(
        ses.user_id.as_ref().unwrap().gaia_id.as_deref(),
        Some(GRACE)
    );
    assert_eq!(event_text(&theirs), "from the API é😀");
    // Timestamps strictly increase.
    let again = send(&me, ONE_TO_ONE, "second", 43);
    assert!(again.timestamp > event.timestamp);
    // Not a participant, unknown conversation, empty message.
    let grace_raw = Raw::new(&emu, GRACE);
    let alan = Raw::new(&emu, ALAN);
    let r = alan.call(SendChatMessageRequest {
        message_content: text("intruder").map(Box::new),
        event_request_header: erh(ONE_TO_ONE, 1).map(Box::new),
        ..Default::default()
    });
    assert_eq!(status_of(r), 4);
    let r = grace_raw.call(SendChatMessageRequest {
        message_content: text("x").map(Box::new),
        event_request_header: erh("UgwNoSuchConversation", 1).map(Box::new),
        ..Default::default()
    });
    assert_eq!(status_of(r), 4);
    let r = grace_raw.call(SendChatMessageRequest {
        event_request_header: erh(ONE_TO_ONE, 1).map(Box::new),
        ..Default::default()
    });
    assert_eq!(status_of(r), 4);
}

#[test]
fn rename_otr_and_link_sharing_create_events() {
    let emu = start();
    let me = Raw::me(&emu);
    let mut alan = Raw::new(&emu, ALAN).connected();
    let e = me
        .ok(RenameConversationRequest {
            new_name: Some("Renamed ☕".into()),
            event_request_header: erh(GROUP, 1).map(Box::new),
            ..Default::default()
        })
        .created_event
        .unwrap();
    let rename = e.conversation_rename.unwrap();
    assert_eq!(
        (rename.old_name.as_deref(), rename.new_name.as_deref()),
        (Some("Emulator group"), Some("Renamed ☕"))
    );
    let u = alan.next_update();
    assert_eq!(
        u.conversation.as_ref().unwrap().name.as_deref(),
        Some("Renamed ☕")
    );
    let Su::EventNotification(n) = &u.state_update else {
        panic!()
    };
    assert_eq!(
        n.event.as_ref().unwrap().event_type,
        Some(EventType::EVENT_TYPE_CONVERSATION_RENAME)
    );

    let e = me
        .ok(ModifyOTRStatusRequest {
            otr_status: Some(OffTheRecordStatus::OFF_THE_RECORD_STATUS_OFF_THE_RECORD),
            event_request_header: erh(GROUP, 2).map(Box::new),
            ..Default::default()
        })
        .created_event
        .unwrap();
    let m = e.otr_modification.unwrap();
    assert_eq!(
        m.old_otr_status,
        Some(OffTheRecordStatus::OFF_THE_RECORD_STATUS_ON_THE_RECORD)
    );
    assert_eq!(
        m.new_otr_status,
        Some(OffTheRecordStatus::OFF_THE_RECORD_STATUS_OFF_THE_RECORD)
    );
    let u = alan.next_update();
    assert_eq!(
        u.conversation.as_ref().unwrap().otr_status,
        Some(OffTheRecordStatus::OFF_THE_RECORD_STATUS_OFF_THE_RECORD)
    );

    let r = me.ok(SetGroupLinkSharingEnabledRequest {
        event_request_header: erh(GROUP, 3).map(Box::new),
        group_link_sharing_status: Some(GroupLinkSharingStatus::GROUP_LINK_SHARING_STATUS_ON),
        ..Default::default()
    });
    let e = r.created_event.unwrap();
    assert_eq!(
        e.event_type,
        Some(EventType::EVENT_TYPE_GROUP_LINK_SHARING_MODIFICATION)
    );
    assert_eq!(
        r.updated_conversation.unwrap().group_link_sharing_status,
        Some(GroupLinkSharingStatus::GROUP_LINK_SHARING_STATUS_ON)
    );
    let u = alan.next_update();
    let Su::EventNotification(n) = &u.state_update else {
        panic!()
    };
    assert!(n
        .event
        .as_ref()
        .unwrap()
        .group_link_sharing_modification
        .is_some());
    let url = me
        .ok(GetGroupConversationUrlRequest {
            conversation_id: cid(GROUP),
            ..Default::default()
        })
        .group_conversation_url
        .unwrap();
    assert!(
        url.starts_with("https://hangouts.google.com/group/"),
        "{url}"
    );
    // One-to-one conversations have neither.
    let r = me.call(GetGroupConversationUrlRequest {
        conversation_id: cid(ONE_TO_ONE),
        ..Default::default()
    });
    assert_eq!(status_of(r), 4);
    let r = me.call(SetGroupLinkSharingEnabledRequest {
        event_request_header: erh(ONE_TO_ONE, 4).map(Box::new),
        group_link_sharing_status: Some(GroupLinkSharingStatus::GROUP_LINK_SHARING_STATUS_ON),
        ..Default::default()
    });
    assert_eq!(status_of(r), 4);
}

#[test]
fn add_and_remove_users() {
    let emu = start();
    emu.add_user("200", "Barbara Liskov", Some("barbara@example.com"))
        .unwrap();
    let me = Raw::me(&emu);
    let mut barbara = Raw::new(&emu, "200").connected();
    let mut grace = Raw::new(&emu, GRACE).connected();
    let e = me
        .ok(AddUserRequest {
            invitee_id: vec![InviteeID {
                gaia_id: Some("200".into()),
                fallback_name: None,
            }],
            event_request_header: erh(GROUP, 1).map(Box::new),
            ..Default::default()
        })
        .created_event
        .unwrap();
    let mc = e.membership_change.unwrap();
    assert_eq!(
        mc.r#type,
        Some(MembershipChangeType::MEMBERSHIP_CHANGE_TYPE_JOIN)
    );
    assert_eq!(mc.participant_ids, [pid("200")]);
    for c in [&mut barbara, &mut grace] {
        let u = c.next_update();
        assert_eq!(
            u.conversation.as_ref().unwrap().current_participant.len(),
            4
        );
    }
    // Grace removes Barbara; then Barbara is gone.
    let e = Raw::new(&emu, GRACE)
        .ok(RemoveUserRequest {
            participant_id: Some(Box::new(pid("200"))),
            event_request_header: erh(GROUP, 2).map(Box::new),
            ..Default::default()
        })
        .created_event
        .unwrap();
    assert_eq!(e.event_type, Some(EventType::EVENT_TYPE_REMOVE_USER));
    let u = barbara.next_update();
    let conv = u.conversation.as_ref().unwrap();
    assert_eq!(conv.current_participant.len(), 3);
    assert_eq!(
        conv.self_conversation_state.as_ref().unwrap().status,
        Some(ConversationStatus::CONVERSATION_STATUS_LEFT)
    );
    let r = Raw::new(&emu, "200").call(SendChatMessageRequest {
        message_content: text("still here?").map(Box::new),
        event_request_header: erh(GROUP, 3).map(Box::new),
        ..Default::default()
    });
    assert_eq!(status_of(r), 4);
    // Leaving: no participant_id removes the caller.
    let e = Raw::new(&emu, ALAN)
        .ok(RemoveUserRequest {
            event_request_header: erh(GROUP, 4).map(Box::new),
            ..Default::default()
        })
        .created_event
        .unwrap();
    assert_eq!(e.membership_change.unwrap().participant_ids, [pid(ALAN)]);
    // Not in one-to-ones.
    let r = me.call(AddUserRequest {
        invitee_id: vec![InviteeID {
            gaia_id: Some(ALAN.into()),
            fallback_name: None,
        }],
        event_request_header: erh(ONE_TO_ONE, 5).map(Box::new),
        ..Default::default()
    });
    assert_eq!(status_of(r), 4);
}

#[test]
fn create_and_delete_conversations() {
    let emu = start();
    let me = Raw::me(&emu);
    let mut alan = Raw::new(&emu, ALAN).connected();
    let r = me.ok(CreateConversationRequest {
        r#type: Some(ConversationType::CONVERSATION_TYPE_GROUP),
        client_generated_id: Some(7),
        name: Some("New group".into()),
        invitee_id: vec![InviteeID {
            gaia_id: Some(ALAN.into()),
            fallback_name: None,
        }],
        ..Default::default()
    });
    assert_eq!(r.new_conversation_created, Some(true));
    let conv = r.conversation.unwrap();
    let id = conv.conversation_id.unwrap().id.unwrap();
    assert_eq!(
        conv.self_conversation_state
            .unwrap()
            .client_generated_id
            .as_deref(),
        Some("7")
    );
    let u = alan.next_update();
    let Su::ConversationNotification(n) = &u.state_update else {
        panic!("{u:?}")
    };
    assert_eq!(
        n.conversation.as_ref().unwrap().name.as_deref(),
        Some("New group")
    );
    // The existing one-to-one comes back.
    let r = me.ok(CreateConversationRequest {
        r#type: Some(ConversationType::CONVERSATION_TYPE_ONE_TO_ONE),
        invitee_id: vec![InviteeID {
            gaia_id: Some(GRACE.into()),
            fallback_name: None,
        }],
        ..Default::default()
    });
    assert_eq!(r.new_conversation_created, Some(false));
    assert_eq!(r.conversation.unwrap().conversation_id, cid(ONE_TO_ONE));

    // Deleting hides it from the list until a newer event.
    let mut mine = me.connected();
    let r = me.ok(DeleteConversationRequest {
        conversation_id: cid(ONE_TO_ONE),
        ..Default::default()
    });
    let action = r.delete_action.unwrap();
    assert_eq!(
        action.delete_type,
        Some(DeleteType::DELETE_TYPE_UPPER_BOUND)
    );
    let u = mine.next_update();
    let Su::DeleteNotification(n) = &u.state_update else {
        panic!("{u:?}")
    };
    assert_eq!(n.conversation_id, cid(ONE_TO_ONE));
    let listed = |raw: &Raw| -> Vec<String> {
        raw.ok(SyncRecentConversationsRequest::default())
            .conversation_state
            .into_iter()
            .map(|s| s.conversation_id.unwrap().id.unwrap())
            .collect()
    };
    assert!(!listed(&me).contains(&ONE_TO_ONE.to_string()));
    assert!(listed(&me).contains(&id));
    send(&Raw::new(&emu, GRACE), ONE_TO_ONE, "are you there?", 1);
    let states = me
        .ok(SyncRecentConversationsRequest::default())
        .conversation_state;
    let one = states
        .iter()
        .find(|s| s.conversation_id == cid(ONE_TO_ONE))
        .expect("back in the list");
    assert_eq!(one.event.len(), 1, "only the events after the delete");
}

#[test]
fn notifications_without_events() {
    let emu = start();
    let me = Raw::me(&emu);
    let mut grace = Raw::new(&emu, GRACE).connected();
    let mut mine = me.connected();

    let t = me.ok(SetTypingRequest {
        conversation_id: cid(GROUP),
        r#type: Some(TypingType::TYPING_TYPE_STARTED),
        ..Default::default()
    });
    assert!(t.timestamp.is_some());
    let u = grace.next_update();
    let Su::TypingNotification(n) = &u.state_update else {
        panic!("{u:?}")
    };
    assert_eq!(
        n.sender_id.as_ref().unwrap().gaia_id.as_deref(),
        Some(emu.self_user_id().as_str())
    );
    assert_eq!(n.r#type, Some(TypingType::TYPING_TYPE_STARTED));
    assert!(matches!(
        mine.next_update().state_update,
        Su::TypingNotification(_)
    ));

    let latest = 1_000;
    me.ok(UpdateWatermarkRequest {
        conversation_id: cid(GROUP),
        last_read_timestamp: Some(u64::MAX),
        ..Default::default()
    });
    let u = grace.next_update();
    let Su::WatermarkNotification(n) = &u.state_update else {
        panic!("{u:?}")
    };
    assert!(n.latest_read_timestamp.unwrap() > latest);
    assert!(matches!(
        mine.next_update().state_update,
        Su::WatermarkNotification(_)
    ));

    me.ok(SetFocusRequest {
        conversation_id: cid(GROUP),
        r#type: Some(FocusType::FOCUS_TYPE_FOCUSED),
        ..Default::default()
    });
    let u = grace.next_update();
    let Su::FocusNotification(n) = &u.state_update else {
        panic!("{u:?}")
    };
    assert_eq!(n.r#type, Some(FocusType::FOCUS_TYPE_FOCUSED));
    mine.next_update();

    me.ok(EasterEggRequest {
        conversation_id: cid(GROUP),
        easter_egg: Some(EasterEgg {
            message: Some("ponies".into()),
        }),
        ..Default::default()
    });
    let u = grace.next_update();
    let Su::EasterEggNotification(n) = &u.state_update else {
        panic!("{u:?}")
    };
    assert_eq!(
        n.easter_egg.as_ref().unwrap().message.as_deref(),
        Some("ponies")
    );
    mine.next_update();

    // The notification level is the caller's own: only its sessions hear.
    me.ok(SetConversationNotificationLevelRequest {
        conversation_id: cid(GROUP),
        level: Some(NotificationLevel::NOTIFICATION_LEVEL_QUIET),
        ..Default::default()
    });
    let u = mine.next_update();
    let Su::NotificationLevelNotification(n) = &u.state_update else {
        panic!("{u:?}")
    };
    assert_eq!(n.level, Some(NotificationLevel::NOTIFICATION_LEVEL_QUIET));
    let state = u.conversation.unwrap().self_conversation_state.unwrap();
    assert_eq!(
        state.notification_level,
        Some(NotificationLevel::NOTIFICATION_LEVEL_QUIET)
    );
    // Grace's next update is the next message, not the level change.
    emu.inject_message(GROUP, ALAN, "after").unwrap();
    assert_eq!(event_text(&grace.next_update()), "after");
}

#[test]
fn presence_and_active_client() {
    let emu = start();
    let me = Raw::me(&emu);
    let mut mine = me.connected();
    let mut other = me.connected();
    let mut grace = Raw::new(&emu, GRACE).connected();
    me.ok(SetPresenceRequest {
        presence_state_setting: Some(PresenceStateSetting {
            timeout_secs: Some(720),
            r#type: Some(ClientPresenceStateType::CLIENT_PRESENCE_STATE_DESKTOP_IDLE),
        }),
        ..Default::default()
    });
    let u = mine.next_update();
    let Su::SelfPresenceNotification(n) = &u.state_update else {
        panic!("{u:?}")
    };
    assert_eq!(
        n.client_presence_state.as_ref().unwrap().state,
        Some(ClientPresenceStateType::CLIENT_PRESENCE_STATE_DESKTOP_IDLE)
    );
    other.next_update();
    let u = grace.next_update();
    let Su::PresenceNotification(n) = &u.state_update else {
        panic!("{u:?}")
    };
    assert_eq!(
        n.presence[0].presence.as_ref().unwrap().available,
        Some(false)
    );

    let r = Raw::new(&emu, GRACE).ok(QueryPresenceRequest {
        participant_id: vec![pid(&emu.self_user_id()), pid("999")],
        field_mask: vec![
            FieldMask::FIELD_MASK_AVAILABLE,
            FieldMask::FIELD_MASK_LAST_SEEN,
        ],
        ..Default::default()
    });
    let p = r.presence_result[0].presence.as_ref().unwrap();
    assert_eq!(p.available, Some(false));
    assert!(
        p.last_seen.is_some() && p.reachable.is_none(),
        "masked: {p:?}"
    );
    assert_eq!(r.presence_result[1].presence, None);

    // SetActiveClient: this session is IS_ACTIVE, the other OTHER_ACTIVE.
    me.ok(SetActiveClientRequest {
        is_active: Some(true),
        full_jid: Some(format!("ada@example.com/{}", mine.client_id)),
        timeout_secs: Some(120),
        ..Default::default()
    });
    let r = me.call(SetActiveClientRequest {
        is_active: Some(true),
        full_jid: Some(format!("someone@else.example/{}", mine.client_id)),
        ..Default::default()
    });
    assert_eq!(status_of(r), 4);
    emu.inject_message(ONE_TO_ONE, GRACE, "who is active?")
        .unwrap();
    let state = |u: StateUpdate| u.state_update_header.unwrap().active_client_state;
    assert_eq!(
        state(mine.next_update()),
        Some(ActiveClientState::ACTIVE_CLIENT_STATE_IS_ACTIVE)
    );
    assert_eq!(
        state(other.next_update()),
        Some(ActiveClientState::ACTIVE_CLIENT_STATE_OTHER_ACTIVE)
    );
}

#[test]
fn entities() {
    let emu = start();
    let me = Raw::me(&emu);
    let r = me.ok(GetEntityByIdRequest {
        batch_lookup_spec: vec![
            EntityLookupSpec {
                gaia_id: Some(GRACE.into()),
                create_offnetwork_gaia: Some(true),
                ..Default::default()
            },
            EntityLookupSpec {
                email: Some("ALAN@example.com".into()),
                ..Default::default()
            },
            EntityLookupSpec {
                gaia_id: Some("404".into()),
                ..Default::default()
            },
        ],
        ..Default::default()
    });
    assert_eq!(r.entity_result.len(), 3);
    let name = |e: &Entity| e.properties.as_ref().unwrap().display_name.clone().unwrap();
    assert_eq!(name(&r.entity_result[0].entity[0]), "Grace Hopper");
    assert_eq!(
        r.entity_result[0]
            .lookup_spec
            .as_ref()
            .unwrap()
            .gaia_id
            .as_deref(),
        Some(GRACE)
    );
    assert_eq!(name(&r.entity_result[1].entity[0]), "Alan Turing");
    assert!(r.entity_result[2].entity.is_empty());

    let r = me.ok(SearchEntitiesRequest {
        query: Some("hopper".into()),
        max_count: Some(10),
        ..Default::default()
    });
    assert_eq!(r.entity.len(), 1);
    assert_eq!(name(&r.entity[0]), "Grace Hopper");

    emu.add_user("300", "Stranger Danger", None).unwrap();
    let asked = Some(SuggestedContactGroupHash {
        max_results: Some(10),
        hash: None,
    });
    let r = me.ok(GetSuggestedEntitiesRequest {
        max_count: Some(10),
        contacts_you_hangout_with: asked.clone().map(Box::new),
        other_contacts_on_hangouts: asked.map(Box::new),
        ..Default::default()
    });
    assert_eq!(r.entity.len(), 3);
    let group = r.contacts_you_hangout_with.unwrap();
    assert_eq!(group.contact.len(), 2);
    assert_eq!(r.other_contacts_on_hangouts.unwrap().contact.len(), 1);
    // Asking again with the hash: matched, no contacts.
    let r = me.ok(GetSuggestedEntitiesRequest {
        contacts_you_hangout_with: Some(Box::new(SuggestedContactGroupHash {
            max_results: Some(10),
            hash: group.hash,
        })),
        ..Default::default()
    });
    let again = r.contacts_you_hangout_with.unwrap();
    assert_eq!((again.hash_matched, again.contact.len()), (Some(true), 0));
}

#[test]
fn get_conversation_pages_events_back_in_time() {
    let emu = start();
    let me = Raw::me(&emu);
    let id = emu
        .create_conversation(Some("history"), true, &[&emu.self_user_id(), GRACE, ALAN])
        .unwrap();
    let mut sent = Vec::new();
    for i in 0..7 {
        sent.push(
            emu.inject_message(&id, if i % 2 == 0 { GRACE } else { ALAN }, &format!("m{i}"))
                .unwrap(),
        );
    }
    // Metadata only (what a client does for an unknown conversation).
    let r = me.ok(GetConversationRequest {
        conversation_spec: Some(ConversationSpec {
            conversation_id: cid(&id),
        }),
        include_event: Some(false),
        ..Default::default()
    });
    let state = r.conversation_state.unwrap();
    assert!(state.event.is_empty());
    assert_eq!(state.conversation.unwrap().name.as_deref(), Some("history"));
    // Pages of 3, newest first, each oldest-first inside.
    let mut token = None;
    let mut got: Vec<String> = Vec::new();
    for _ in 0..5 {
        let r = me.ok(GetConversationRequest {
            conversation_spec: Some(ConversationSpec {
                conversation_id: cid(&id),
            }),
            include_event: Some(true),
            max_events_per_conversation: Some(3),
            event_continuation_token: token.clone(),
            ..Default::default()
        });
        let state = r.conversation_state.unwrap();
        let ids: Vec<String> = state
            .event
            .iter()
            .map(|e| e.event_id.clone().unwrap())
            .collect();
        let ts: Vec<u64> = state.event.iter().map(|e| e.timestamp.unwrap()).collect();
        assert!(ts.windows(2).all(|w| w[0] < w[1]));
        got.splice(0..0, ids);
        token = state.event_continuation_token;
        if token.is_none() {
            break;
        }
        assert_eq!(
            token.as_ref().unwrap().event_id,
            state.event.first().unwrap().event_id
        );
    }
    assert_eq!(got, sent);
    let r = Raw::new(&emu, "100000000000000000003").call(GetConversationRequest {
        conversation_spec: Some(ConversationSpec {
            conversation_id: cid(ONE_TO_ONE),
        }),
        ..Default::default()
    });
    assert_eq!(status_of(r), 4, "not a member");
}

#[test]
fn sync_recent_conversations_pages_by_sort_timestamp() {
    let emu = start();
    let me = Raw::me(&emu);
    let extra = emu
        .create_conversation(Some("third"), true, &[&emu.self_user_id(), ALAN])
        .unwrap();
    let first = me.ok(SyncRecentConversationsRequest {
        max_conversations: Some(100),
        max_events_per_conversation: Some(1),
        sync_filter: vec![
            SyncFilter::SYNC_FILTER_INBOX,
            SyncFilter::SYNC_FILTER_ARCHIVED,
        ],
        ..Default::default()
    });
    assert_eq!(first.continuation_end_timestamp, Some(0));
    let ids: Vec<_> = first
        .conversation_state
        .iter()
        .map(|s| s.conversation_id.clone().unwrap().id.unwrap())
        .collect();
    assert_eq!(
        ids,
        [extra.clone(), GROUP.to_string(), ONE_TO_ONE.to_string()],
        "newest first"
    );
    let group = &first.conversation_state[1];
    assert_eq!(group.event.len(), 1);
    assert!(group.event_continuation_token.is_some());
    // One per page.
    let mut seen = Vec::new();
    let mut last = None;
    for _ in 0..5 {
        let page = me.ok(SyncRecentConversationsRequest {
            last_event_timestamp: last,
            max_conversations: Some(1),
            max_events_per_conversation: Some(1),
            ..Default::default()
        });
        seen.extend(
            page.conversation_state
                .iter()
                .map(|s| s.conversation_id.clone().unwrap().id.unwrap()),
        );
        match page.continuation_end_timestamp {
            Some(0) | None => break,
            t => last = t,
        }
    }
    assert_eq!(seen, ids);
    // Archived conversations only with the ARCHIVED filter.
    let archive = serde_json::json!({"conversation_id": GROUP, "archived": true});
    assert_eq!(
        me.control(Method::Post, "archive", archive).head.status,
        200
    );
    let inbox = me.ok(SyncRecentConversationsRequest {
        sync_filter: vec![SyncFilter::SYNC_FILTER_INBOX],
        ..Default::default()
    });
    assert_eq!(inbox.conversation_state.len(), 2);
    let archived = me.ok(SyncRecentConversationsRequest {
        sync_filter: vec![SyncFilter::SYNC_FILTER_ARCHIVED],
        ..Default::default()
    });
    assert_eq!(archived.conversation_state.len(), 1);
    let view = &archived.conversation_state[0]
        .conversation
        .as_ref()
        .unwrap()
        .self_conversation_state
        .as_ref()
        .unwrap()
        .view;
    assert_eq!(view, &[ConversationView::CONVERSATION_VIEW_ARCHIVED]);
}

#[test]
fn sync_all_new_events_returns_what_changed_since() {
    let emu = start();
    let me = Raw::me(&emu);
    let start = me
        .call(GetSelfInfoRequest::default())
        .unwrap()
        .response_header()
        .unwrap()
        .current_server_time
        .unwrap();
    let e1 = emu.inject_message(GROUP, GRACE, "new 1").unwrap();
    let e2 = emu.inject_message(GROUP, ALAN, "new 2").unwrap();
    let r = me.ok(SyncAllNewEventsRequest {
        last_sync_timestamp: Some(start),
        max_response_size_bytes: Some(1_048_576),
        ..Default::default()
    });
    assert!(r.sync_timestamp.unwrap() >= start);
    assert_eq!(r.conversation_state.len(), 1, "only the group changed");
    let ids: Vec<_> = r.conversation_state[0]
        .event
        .iter()
        .map(|e| e.event_id.clone().unwrap())
        .collect();
    assert_eq!(ids, [e1, e2]);
    let later = me.ok(SyncAllNewEventsRequest {
        last_sync_timestamp: r.sync_timestamp,
        ..Default::default()
    });
    assert!(later.conversation_state.is_empty());
    let all = me.ok(SyncAllNewEventsRequest::default());
    assert_eq!(all.conversation_state.len(), 2);
    assert_eq!(
        all.conversation_state
            .iter()
            .map(|s| s.event.len())
            .sum::<usize>(),
        8
    );
}

#[test]
fn offnetwork_invitation_is_recorded() {
    let emu = start();
    let me = Raw::me(&emu);
    me.ok(SendOffnetworkInvitationRequest {
        invitee_address: Some(Box::new(OffnetworkAddress {
            r#type: Some(OffnetworkAddressType::OFFNETWORK_ADDRESS_TYPE_EMAIL),
            email: Some("friend@example.org".into()),
        })),
        ..Default::default()
    });
    assert_eq!(emu.state()["invitations"][0]["to"], "friend@example.org");
    let r = me.call(SendOffnetworkInvitationRequest::default());
    assert_eq!(status_of(r), 4);
}

#[test]
fn image_upload_then_send_it() {
    let emu = start();
    let me = Raw::me(&emu);
    let cookies: Cookies = emu.self_cookies().into_iter().collect();
    let auth = AuthHeaders::new(&cookies, 1_700_000_000).unwrap();
    let endpoint = ApiEndpoint::new("127.0.0.1", emu.addr().port(), false);
    let allow = OriginAllowList::only(endpoint.origin());
    let image = b"\x89PNG\r\n\x1a\nnot really a png".to_vec();
    let (mut upload, first) =
        ImageUpload::start("cat.png", image.len(), &endpoint, API_KEY, &auth, &allow).unwrap();
    let resp = me.send(&first);
    let second = upload
        .on_session_response(resp.head.status, &resp.body, image)
        .unwrap();
    assert_eq!(second.host, "127.0.0.1");
    assert!(second.path.starts_with("/upload/photos/put/"));
    let resp = me.send(&second);
    let uploaded = upload
        .on_upload_response(resp.head.status, &resp.body)
        .unwrap();
    assert!(!uploaded.photo_id.is_empty() && uploaded.url.starts_with("https://"));

    let mut grace = Raw::new(&emu, GRACE).connected();
    let e = me
        .ok(SendChatMessageRequest {
            message_content: Some(Box::new(MessageContent::default())),
            existing_media: Some(ExistingMedia {
                photo: Some(Box::new(Photo {
                    photo_id: Some(uploaded.photo_id.clone()),
                    ..Default::default()
                })),
            }),
            event_request_header: erh(ONE_TO_ONE, 9).map(Box::new),
            ..Default::default()
        })
        .created_event
        .unwrap();
    let attachment = &e.chat_message.unwrap().message_content.unwrap().attachment[0];
    let photo = attachment
        .embed_item
        .as_ref()
        .unwrap()
        .plus_photo
        .as_ref()
        .unwrap();
    assert_eq!(photo.photo_id.as_deref(), Some(uploaded.photo_id.as_str()));
    assert!(photo.thumbnail.as_ref().unwrap().image_url.is_some());
    assert!(matches!(
        grace.next_update().state_update,
        Su::EventNotification(_)
    ));
    // An unknown photo id is refused.
    let r = me.call(SendChatMessageRequest {
        existing_media: Some(ExistingMedia {
            photo: Some(Box::new(Photo {
                photo_id: Some("123".into()),
                ..Default::default()
            })),
        }),
        event_request_header: erh(ONE_TO_ONE, 10).map(Box::new),
        ..Default::default()
    });
    assert_eq!(status_of(r), 4);
}

#[test]
fn api_level_errors() {
    let emu = start();
    let me = Raw::me(&emu);
    let mut call = hangups_core::api::ApiRequest::from(GetSelfInfoRequest::default());
    call.set_request_header(hangups_core::api::request_header("t", None));
    // Wrong key.
    let mut req = me.api_request(&call);
    req.query[1].1 = "wrong".into();
    assert_eq!(me.send(&req).head.status, 400);
    // Unknown endpoint.
    let mut req = me.api_request(&call);
    req.path = "/chat/v1/contacts/nosuchthing".into();
    assert_eq!(me.send(&req).head.status, 404);
    // Not protobuf.
    let req = me.api_request(&call).with_body(vec![0xff, 0xff, 0xff]);
    assert_eq!(me.send(&req).head.status, 400);
    // No credentials.
    let anon = Raw::anonymous(&emu);
    assert_eq!(anon.send(&anon.api_request(&call)).head.status, 401);
    // GET is not allowed.
    let mut req = me.api_request(&call);
    req.method = Method::Get;
    assert_eq!(me.send(&req).head.status, 405);
}

#[test]
fn an_empty_continuation_token_means_no_older_history() {
    // hangups stores an empty token once the server stops sending one
    // (PROTOCOL.md §7.7) and sends it on the next page request.
    let emu = start();
    let me = Raw::me(&emu);
    let r = me.ok(GetConversationRequest {
        conversation_spec: Some(ConversationSpec {
            conversation_id: cid("UgwEmulatorOneToOne4AaABAQ"),
        }),
        include_event: Some(true),
        max_events_per_conversation: Some(10),
        event_continuation_token: Some(Box::new(EventContinuationToken::default())),
        ..Default::default()
    });
    let state = r.conversation_state.unwrap();
    assert!(state.event.is_empty(), "{:?}", state.event);
    assert!(state.event_continuation_token.is_none());
}

#[test]
fn a_location_becomes_a_place_attachment() {
    let emu = start();
    let me = Raw::me(&emu);
    let r = me.ok(SendChatMessageRequest {
        event_request_header: erh("UgwEmulatorGroupChat4AaABAQ", 77).map(Box::new),
        location: Some(Location {
            place: Some(Box::new(Place {
                url: Some("https://maps.google.com/maps?q=37.4,-122.0".into()),
                name: Some("Computer History Museum".into()),
                ..Default::default()
            })),
        }),
        ..Default::default()
    });
    let ev = r.created_event.unwrap();
    let att = &ev.chat_message.unwrap().message_content.unwrap().attachment;
    let item = att[0].embed_item.as_ref().unwrap();
    assert_eq!(item.r#type, vec![ItemType::ITEM_TYPE_PLACE_V2]);
    assert_eq!(
        item.place.as_ref().unwrap().name.as_deref(),
        Some("Computer History Museum")
    );
}
