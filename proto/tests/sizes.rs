//! The inline sizes of the messages a client holds most, pinned: the
//! codegen boxes members larger than `THRESHOLD` bytes (see the
//! hangups-proto-codegen `boxing` module), and a schema or codegen change
//! that grows these again should be a decision, not an accident.

use hangups_proto::hangouts::{
    Attachment, ChatMessage, Conversation, DeliveryMedium, EmbedItem, Event, StateUpdate,
    StateUpdateKind,
};
use std::mem::size_of;

#[test]
fn hot_messages_stay_small() {
    // Before boxing: Event 672, StateUpdate 1,208, Attachment 368.
    assert!(size_of::<Event>() <= 320, "Event: {}", size_of::<Event>());
    assert!(
        size_of::<StateUpdate>() <= 112,
        "StateUpdate: {}",
        size_of::<StateUpdate>()
    );
    assert!(
        size_of::<StateUpdateKind>() <= 40,
        "StateUpdateKind: {}",
        size_of::<StateUpdateKind>()
    );
    assert!(
        size_of::<Attachment>() <= 128,
        "Attachment: {}",
        size_of::<Attachment>()
    );
    assert!(
        size_of::<EmbedItem>() <= 128,
        "EmbedItem: {}",
        size_of::<EmbedItem>()
    );
    assert!(
        size_of::<DeliveryMedium>() <= 24,
        "DeliveryMedium: {}",
        size_of::<DeliveryMedium>()
    );
    assert!(
        size_of::<ChatMessage>() <= 72,
        "ChatMessage: {}",
        size_of::<ChatMessage>()
    );
    assert!(
        size_of::<Conversation>() <= 384,
        "Conversation: {}",
        size_of::<Conversation>()
    );
}

/// Every generated type keeps the bounds users and the codecs rely on.
#[test]
fn boxed_messages_keep_their_bounds() {
    fn bounds<T: 'static + Send + Sync + Clone + std::fmt::Debug + PartialEq + Default>() {}
    bounds::<Event>();
    bounds::<StateUpdate>();
    bounds::<StateUpdateKind>();
    bounds::<Attachment>();
    // A boxed member round-trips through both codecs.
    let e = Event {
        medium_type: Some(DeliveryMedium {
            phone_number: Some(Box::new(hangups_proto::hangouts::PhoneNumber {
                e164: Some("+15550100".into()),
                ..Default::default()
            })),
            ..Default::default()
        }),
        self_event_state: Some(Box::new(hangups_proto::hangouts::UserEventState {
            client_generated_id: Some("cg".into()),
            ..Default::default()
        })),
        ..Default::default()
    };
    let bin = hangups_proto::encode_binary(&e);
    assert_eq!(hangups_proto::decode_binary::<Event>(&bin).unwrap(), e);
    let text = hangups_proto::pblite::encode(&e);
    assert_eq!(hangups_proto::pblite::decode::<Event>(&text).unwrap(), e);
}
