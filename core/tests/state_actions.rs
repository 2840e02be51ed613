//! core::state: action requests (§7.8) and folding garbage without panics.

use hangups_core::api::ApiRequest;
use hangups_core::proto::hangouts::StateUpdateKind as Oneof;
use hangups_core::proto::hangouts::*;
use hangups_core::rng::Rng;
use hangups_core::state::{ConversationList, StateError, UserId, UserList};

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

fn state(
    id: &str,
    group: bool,
    otr: bool,
    options: Vec<DeliveryMediumOption>,
) -> ConversationState {
    ConversationState {
        conversation_id: cid(id),
        conversation: Some(Conversation {
            conversation_id: cid(id),
            r#type: Some(if group {
                ConversationType::CONVERSATION_TYPE_GROUP
            } else {
                ConversationType::CONVERSATION_TYPE_ONE_TO_ONE
            }),
            otr_status: otr.then_some(OffTheRecordStatus::OFF_THE_RECORD_STATUS_OFF_THE_RECORD),
            group_link_sharing_status: Some(GroupLinkSharingStatus::GROUP_LINK_SHARING_STATUS_ON),
            self_conversation_state: Some(UserConversationState {
                delivery_medium_option: options,
                ..Default::default()
            }),
            participant_data: vec![ConversationParticipantData {
                id: Some(pid("bob")),
                ..Default::default()
            }],
            ..Default::default()
        }),
        event: vec![Event {
            conversation_id: cid(id),
            event_id: Some(format!("{id}-e")),
            timestamp: Some(5),
            ..Default::default()
        }],
        ..Default::default()
    }
}

fn medium(t: DeliveryMediumType, default: Option<bool>) -> DeliveryMediumOption {
    DeliveryMediumOption {
        delivery_medium: Some(DeliveryMedium {
            medium_type: Some(t),
            ..Default::default()
        }),
        current_default: default,
    }
}

fn list() -> ConversationList {
    let users = UserList::new(&Entity::default(), &[], &[]);
    ConversationList::new(
        &[
            state("g", true, false, vec![]),
            state(
                "o",
                false,
                true,
                vec![
                    medium(DeliveryMediumType::DELIVERY_MEDIUM_BABEL, None),
                    medium(DeliveryMediumType::DELIVERY_MEDIUM_GOOGLE_VOICE, Some(true)),
                    medium(DeliveryMediumType::DELIVERY_MEDIUM_LOCAL_SMS, Some(false)),
                ],
            ),
        ],
        users,
        0,
    )
}

#[test]
fn event_request_header_and_messages() {
    let l = list();
    let g = l.get("g").unwrap();
    let o = l.get("o").unwrap();
    assert!(g.is_group_link_sharing_enabled());
    assert!(!o.is_group_link_sharing_enabled(), "only groups");

    let h = g.event_request_header();
    assert_eq!(h.conversation_id, cid("g"));
    assert_eq!(h.client_generated_id, None, "the client fills it");
    assert_eq!(
        h.expected_otr,
        Some(OffTheRecordStatus::OFF_THE_RECORD_STATUS_ON_THE_RECORD)
    );
    assert_eq!(
        h.delivery_medium.unwrap().medium_type,
        Some(DeliveryMediumType::DELIVERY_MEDIUM_BABEL),
        "no options: BABEL"
    );
    let h = o.event_request_header();
    assert_eq!(
        h.expected_otr,
        Some(OffTheRecordStatus::OFF_THE_RECORD_STATUS_OFF_THE_RECORD)
    );
    assert_eq!(
        h.delivery_medium.unwrap().medium_type,
        Some(DeliveryMediumType::DELIVERY_MEDIUM_GOOGLE_VOICE),
        "the current default wins"
    );

    let segs = hangups_core::message::segments_from_str("hi *there*");
    let m = g.send_message_request(segs.clone(), Some("pic"), Some("sticker-user"));
    assert_eq!(m.message_content.unwrap().segment, segs);
    let photo = m.existing_media.unwrap().photo.unwrap();
    assert_eq!(photo.photo_id.as_deref(), Some("pic"));
    assert_eq!(photo.user_id.as_deref(), Some("sticker-user"));
    assert_eq!(photo.is_custom_user_id, Some(true));
    let plain = g.send_message_request(vec![], None, None);
    assert!(plain.message_content.is_some(), "always present");
    assert!(plain.existing_media.is_none());
    // The request goes through the client like any other.
    let mut req = ApiRequest::from(plain);
    assert!(req.set_client_generated_id(7));

    assert_eq!(g.rename_request("N").new_name.as_deref(), Some("N"));
    assert_eq!(
        g.set_typing_request(TypingType::TYPING_TYPE_STARTED).r#type,
        Some(TypingType::TYPING_TYPE_STARTED)
    );
    assert_eq!(
        g.set_notification_level_request(NotificationLevel::NOTIFICATION_LEVEL_QUIET)
            .conversation_id,
        cid("g")
    );
    assert_eq!(
        g.modify_otr_status_request(OffTheRecordStatus::OFF_THE_RECORD_STATUS_OFF_THE_RECORD)
            .otr_status,
        Some(OffTheRecordStatus::OFF_THE_RECORD_STATUS_OFF_THE_RECORD)
    );
}

#[test]
fn group_only_actions_and_leaving() {
    let l = list();
    let g = l.get("g").unwrap();
    let o = l.get("o").unwrap();
    let carol = UserId::new("carol", "carol");
    let add = g.add_users_request(std::slice::from_ref(&carol)).unwrap();
    assert_eq!(add.invitee_id[0].gaia_id.as_deref(), Some("carol"));
    let rm = g.remove_user_request(&carol).unwrap();
    assert_eq!(rm.participant_id.unwrap().gaia_id.as_deref(), Some("carol"));
    assert_eq!(
        g.set_group_link_sharing_enabled_request(false)
            .unwrap()
            .group_link_sharing_status,
        Some(GroupLinkSharingStatus::GROUP_LINK_SHARING_STATUS_OFF)
    );
    assert_eq!(
        o.add_users_request(std::slice::from_ref(&carol)),
        Err(StateError::NotGroup("o".into()))
    );
    assert!(o.remove_user_request(&carol).is_err());
    assert!(o.set_group_link_sharing_enabled_request(true).is_err());

    match g.leave_request(99) {
        ApiRequest::RemoveUser(r) => assert!(r.participant_id.is_none()),
        other => panic!("{other:?}"),
    }
    match o.leave_request(99) {
        ApiRequest::DeleteConversation(r) => {
            assert_eq!(r.delete_upper_bound_timestamp, Some(99));
            assert_eq!(r.conversation_id, cid("o"));
        }
        other => panic!("{other:?}"),
    }
}

/// Mutated encodings of real updates and sync responses, decoded and
/// folded: whatever decodes must fold without a panic.
#[test]
fn folding_mutated_input_never_panics() {
    let event = Event {
        conversation_id: cid("g"),
        sender_id: Some(pid("bob")),
        timestamp: Some(10),
        event_id: Some("x".into()),
        chat_message: Some(ChatMessage::default()),
        membership_change: Some(Box::new(MembershipChange {
            r#type: Some(MembershipChangeType::MEMBERSHIP_CHANGE_TYPE_LEAVE),
            participant_ids: vec![pid("bob")],
        })),
        ..Default::default()
    };
    let seeds: Vec<StateUpdate> = vec![
        StateUpdate {
            conversation: (state("n", true, false, vec![]).conversation).map(Box::new),
            state_update: Oneof::EventNotification(Box::new(EventNotification {
                event: Some(event.clone()),
            })),
            ..Default::default()
        },
        StateUpdate {
            state_update: Oneof::WatermarkNotification(Box::new(WatermarkNotification {
                sender_id: Some(Box::new(pid("bob"))),
                conversation_id: cid("g"),
                latest_read_timestamp: Some(3),
            })),
            ..Default::default()
        },
        StateUpdate {
            state_update: Oneof::DeleteNotification(Box::new(DeleteActionNotification {
                conversation_id: cid("o"),
                delete_action: Some(Box::new(DeleteAction::default())),
            })),
            ..Default::default()
        },
    ];
    let sync = SyncAllNewEventsResponse {
        conversation_state: vec![
            state("g", true, false, vec![]),
            state("z", false, true, vec![]),
        ],
        ..Default::default()
    };
    let encoded: Vec<Vec<u8>> = seeds
        .iter()
        .map(hangups_core::proto::encode_binary)
        .collect();
    let sync_bytes = hangups_core::proto::encode_binary(&sync);
    let mut rng = Rng::new(42);
    let mut l = list();
    let mut decoded = 0;
    for round in 0..3000 {
        let base = if round % 4 == 3 {
            &sync_bytes
        } else {
            &encoded[round % encoded.len()]
        };
        let mut bytes = base.clone();
        for _ in 0..=rng.up_to(3) {
            if bytes.is_empty() {
                break;
            }
            let i = rng.up_to(bytes.len() as u64 - 1) as usize;
            bytes[i] = rng.next_u64() as u8;
        }
        if round % 4 == 3 {
            if let Ok(resp) = hangups_core::proto::decode_binary::<SyncAllNewEventsResponse>(&bytes)
            {
                decoded += 1;
                l.apply_catch_up(&resp);
            }
        } else if let Ok(update) = hangups_core::proto::decode_binary::<StateUpdate>(&bytes) {
            decoded += 1;
            for note in l.fold(&update) {
                if let hangups_core::state::Notification::NeedsConversation(id) = note {
                    if rng.up_to(1) == 0 {
                        l.add_conversation_state(&state(&id, rng.up_to(1) == 0, false, vec![]));
                    } else {
                        l.conversation_fetch_failed(&id);
                    }
                }
            }
        }
        for c in l.get_all(true) {
            let _ = (
                c.name(),
                c.unread_events(),
                c.users(l.users()),
                c.delivery_medium(),
            );
            for e in c.events() {
                if let Some(m) = e.as_chat_message() {
                    let _ = (m.text(), m.attachments());
                }
            }
        }
    }
    assert!(decoded > 200, "{decoded}");
}
