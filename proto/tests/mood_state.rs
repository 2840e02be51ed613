//! A pushed self-presence status message decodes with hangups 0.4.18's
//! shape (MoodState = 4 is StatusMessageState: whole MessageContents, so
//! attachments survive), not the seed's segments-only MoodSetting.

use hangups_proto::hangouts::*;
use hangups_proto::pblite;

// SelfPresenceNotification { mood_state (6): MoodState { status_message (4):
// StatusMessageState { status_message (1): [MessageContent { segment:
// [TEXT "at lunch"], attachment: [EmbedItem { id: "photo-1" }] }] } } }
const PUSHED: &str = r#"[null,null,null,null,null,
  [null,null,null,[[[[[0,"at lunch"]],[[[null,"photo-1"]]]]]]]]"#;

#[test]
fn pushed_status_message_keeps_segments_and_attachments() {
    let n: SelfPresenceNotification = pblite::decode(PUSHED).expect("decodes");
    let state = n.mood_state.and_then(|m| m.status_message).expect("status");
    let [content] = &state.status_message[..] else {
        panic!("one MessageContent expected: {state:?}");
    };
    assert_eq!(content.segment[0].text.as_deref(), Some("at lunch"));
    let ids: Vec<_> = content
        .attachment
        .iter()
        .map(|a| a.embed_item.as_ref().and_then(|e| e.id.as_deref()))
        .collect();
    assert_eq!(ids, [Some("photo-1")]);
}

#[test]
fn status_message_round_trips_through_pblite() {
    let n: SelfPresenceNotification = pblite::decode(PUSHED).expect("decodes");
    let again: SelfPresenceNotification = pblite::decode(&pblite::encode(&n)).expect("decodes");
    assert_eq!(again, n);
}
