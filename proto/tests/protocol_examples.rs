//! The examples of PROTOCOL.md §1.10 (wire text after HTTP de-chunking):
//! their pblite payloads decode to what the document says. The framing and
//! the two outer JSON layers are unwrapped here with serde_json; the channel
//! itself (hangups-core) owns that job in production.

use hangups_proto::hangouts::*;
use hangups_proto::pblite;

const NOOP: &str = r##"17
[[6,["noop"]
]
]
"##;
const CLIENT_ID: &str = r##"154
[[2,[{"p":"{\"1\":{\"1\":{\"1\":{\"1\":1,\"2\":1}},\"4\":\"1521086182842\",\"5\":\"S1\"},\"3\":{\"1\":{\"1\":1},\"2\":\"lcsw_hangouts_00BBCF28\"}}"}]
]
]
"##;
const CHAT_MESSAGE: &str = r##"616
[[5,[{"p":"{\"1\":{\"1\":{\"1\":{\"1\":1,\"2\":1}},\"4\":\"1521002546965\",\"5\":\"S4\"},\"2\":{\"1\":{\"1\":\"babel\",\"2\":\"conserver.google.com\"},\"2\":\"[\\\"cbu\\\",[[[2,null,\\\"-7225030924581218421\\\",null,1521002546845000],null,[[[\\\"UgzJilj2Tg_oqk5EhEp4AaABAQ\\\"],[\\\"102224360723365489932\\\",\\\"102224360723365489932\\\"],1521002546845000,[[\\\"110994664963851875523\\\",\\\"110994664963851875523\\\"],null,30],null,null,[null,null,[[[0,\\\"Hello \\\",[0]],[0,\\\"world\\\",[1]]]]],null,null,null,null,\\\"7-H0Z7-FkyB7-H0Z7-Fkyx\\\",null,null,1,null,null,null,null,null,null,null,1]]]]]\"}}"}]
]
]
"##;

/// Splits `<len>\n<payload>` and checks the UTF-16 length.
fn payload(chunk: &str) -> serde_json::Value {
    let (len, rest) = chunk.split_once('\n').unwrap();
    let len: usize = len.parse().unwrap();
    assert_eq!(
        rest.encode_utf16().count(),
        len,
        "declared length counts UTF-16 units"
    );
    serde_json::from_str(rest).unwrap()
}

fn wrapper(chunk: &str) -> serde_json::Value {
    let p = payload(chunk)[0][1][0]["p"].as_str().unwrap().to_string();
    serde_json::from_str(&p).unwrap()
}

#[test]
fn noop_is_a_noop() {
    let v = payload(NOOP);
    assert_eq!(v[0][0], 6);
    assert_eq!(v[0][1][0], "noop");
}

#[test]
fn client_id_chunk_carries_the_client_id() {
    let w = wrapper(CLIENT_ID);
    assert_eq!(w["3"]["2"], "lcsw_hangouts_00BBCF28");
}

#[test]
fn batch_update_decodes_to_one_chat_message_event() {
    let w = wrapper(CHAT_MESSAGE);
    let text = w["2"]["2"].as_str().unwrap();
    assert_eq!(pblite::peek_tag(text).as_deref(), Some("cbu"));
    let d = pblite::decode_with::<BatchUpdate>(text, pblite::DecodeOptions::tagged()).unwrap();
    assert_eq!(d.skipped, 0);
    let batch = d.message;
    assert_eq!(batch.state_update.len(), 1);
    let su = &batch.state_update[0];
    let header = su.state_update_header.as_ref().unwrap();
    assert_eq!(
        header.active_client_state,
        Some(ActiveClientState::ACTIVE_CLIENT_STATE_OTHER_ACTIVE)
    );
    assert_eq!(
        header.request_trace_id.as_deref(),
        Some("-7225030924581218421")
    );
    assert_eq!(header.current_server_time, Some(1521002546845000));
    let StateUpdateKind::EventNotification(n) = &su.state_update else {
        panic!("expected an event_notification, got {:?}", su.state_update);
    };
    let ev = n.event.as_ref().unwrap();
    assert_eq!(ev.event_id.as_deref(), Some("7-H0Z7-FkyB7-H0Z7-Fkyx"));
    assert_eq!(
        ev.conversation_id.as_ref().unwrap().id.as_deref(),
        Some("UgzJilj2Tg_oqk5EhEp4AaABAQ")
    );
    assert_eq!(
        ev.sender_id.as_ref().unwrap().gaia_id.as_deref(),
        Some("102224360723365489932")
    );
    assert_eq!(ev.timestamp, Some(1521002546845000));
    let state = ev.self_event_state.as_ref().unwrap();
    assert_eq!(
        state.user_id.as_ref().unwrap().chat_id.as_deref(),
        Some("110994664963851875523")
    );
    assert_eq!(
        state.notification_level,
        Some(NotificationLevel::NOTIFICATION_LEVEL_RING)
    );
    assert_eq!(ev.advances_sort_timestamp, Some(true));
    assert_eq!(
        ev.event_type,
        Some(EventType::EVENT_TYPE_REGULAR_CHAT_MESSAGE)
    );
    let segs = &ev
        .chat_message
        .as_ref()
        .unwrap()
        .message_content
        .as_ref()
        .unwrap()
        .segment;
    assert_eq!(segs.len(), 2);
    assert_eq!(segs[0].text.as_deref(), Some("Hello "));
    assert_eq!(segs[0].formatting.as_ref().unwrap().bold, Some(false));
    assert_eq!(segs[1].text.as_deref(), Some("world"));
    assert_eq!(segs[1].formatting.as_ref().unwrap().bold, Some(true));
    assert!(segs
        .iter()
        .all(|s| s.r#type == SegmentType::SEGMENT_TYPE_TEXT));
    // Re-encoding gives back the same pblite text.
    assert_eq!(pblite::encode_tagged("cbu", &batch), text);
}

#[test]
fn self_presence_capture_decodes_to_field_14() {
    let text = format!(
        "{}{}{}",
        r#"["cbu",[[[0,null,"173955572810212329",null,1521002546845000]"#,
        ",null".repeat(12),
        r#",[[["lcsw_hangouts_E5EC3DFB","2DA6A88554072FCA"],30]]]]]"#
    );
    let batch: BatchUpdate = pblite::decode_tagged(&text).unwrap();
    let su = &batch.state_update[0];
    let StateUpdateKind::SelfPresenceNotification(n) = &su.state_update else {
        panic!(
            "expected self_presence_notification, got {:?}",
            su.state_update
        );
    };
    let cps = n.client_presence_state.as_ref().unwrap();
    let id = cps.identifier.as_ref().unwrap();
    assert_eq!(id.resource.as_deref(), Some("lcsw_hangouts_E5EC3DFB"));
    assert_eq!(id.header_id.as_deref(), Some("2DA6A88554072FCA"));
    assert_eq!(
        cps.state,
        Some(ClientPresenceStateType::CLIENT_PRESENCE_STATE_DESKTOP_IDLE)
    );
    assert_eq!(
        su.state_update_header.as_ref().unwrap().active_client_state,
        Some(ActiveClientState::ACTIVE_CLIENT_STATE_NO_ACTIVE)
    );
}
