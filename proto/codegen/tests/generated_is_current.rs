//! The checked-in generated sources are exactly what the generator writes
//! from the checked-in hangouts.proto.

#[test]
fn checked_in_generated_sources_are_current() {
    let files = hangups_proto_codegen::generate().expect("codegen runs");
    assert_eq!(files.len(), 4);
    let dir = hangups_proto_codegen::proto_dir();
    for (rel, text) in files {
        let current = std::fs::read_to_string(dir.join(&rel)).unwrap_or_default();
        assert!(
            current == text,
            "{} is out of date: run `cargo run -p hangups-proto-codegen` and commit",
            rel.display()
        );
    }
}

#[test]
fn schema_resolves_every_field() {
    let dir = hangups_proto_codegen::proto_dir();
    let schema = hangups_proto_codegen::schema::Schema::load(&dir.join("hangouts.proto")).unwrap();
    assert!(
        schema.messages.len() >= 150,
        "{} messages",
        schema.messages.len()
    );
    let eu = schema.message("EmbedItem").unwrap();
    let plus = eu.fields.iter().find(|f| f.number == 27_639_957).unwrap();
    assert_eq!(
        plus.ty,
        hangups_proto_codegen::schema::Type::Message("PlusPhoto".into())
    );
    let thumb = schema
        .message("PlusPhoto")
        .unwrap()
        .fields
        .iter()
        .find(|f| f.name == "thumbnail")
        .unwrap()
        .clone();
    assert_eq!(
        thumb.ty,
        hangups_proto_codegen::schema::Type::Message("PlusPhoto.Thumbnail".into())
    );
    let seg = schema.message("Segment").unwrap();
    assert_eq!(seg.fields[0].rust_name, "r#type");
    assert_eq!(
        seg.fields[0].label,
        hangups_proto_codegen::schema::Label::Required
    );
    let update = schema.message("StateUpdate").unwrap();
    assert_eq!(update.oneofs.len(), 1);
    assert_eq!(update.oneofs[0].rust_type, "StateUpdateKind");
    let member = update.fields.iter().find(|f| f.number == 3).unwrap();
    assert_eq!(member.name, "event_notification");
    assert_eq!(member.rust_name, "EventNotification");
    assert_eq!(thumb_path(&schema), "PlusPhotoThumbnail");
}

fn thumb_path(schema: &hangups_proto_codegen::schema::Schema) -> &str {
    &schema.message("PlusPhoto.Thumbnail").unwrap().rust_path
}

#[test]
fn generated_types_use_flat_idiomatic_names() {
    let files = hangups_proto_codegen::generate().expect("codegen runs");
    let types = &files
        .iter()
        .find(|(p, _)| p.ends_with("hangouts.rs"))
        .unwrap()
        .1;
    for leak in ["mod_", "OneOf", "type_pb", "event_notification("] {
        assert!(!types.contains(leak), "pb-rs name {leak:?} leaked");
    }
    for name in [
        "pub struct PlusPhotoThumbnail",
        "pub struct PlusPhotoMediaType(pub i32)",
        "pub enum StateUpdateKind",
        "EventNotification(Box<EventNotification>)",
        "pub r#type: SegmentType",
    ] {
        assert!(types.contains(name), "{name:?} missing");
    }
}

/// The boxing rule (see `hangups_proto_codegen::boxing`): large, rarely
/// present members are boxed in the type and in both codecs; hot members
/// and small ones stay inline.
#[test]
fn large_cold_members_are_boxed_hot_and_small_ones_are_not() {
    let files = hangups_proto_codegen::generate().expect("codegen runs");
    let types = &files
        .iter()
        .find(|(p, _)| p.ends_with("hangouts.rs"))
        .unwrap()
        .1;
    for boxed in [
        "pub self_event_state: Option<Box<UserEventState>>,",
        "pub hash_modifier: Option<Box<HashModifier>>,",
        "pub phone_number: Option<Box<PhoneNumber>>,",
        "pub plus_photo: Option<Box<PlusPhoto>>,",
        "Some(Box::new(r.read_message::<UserEventState>(bytes)?))",
        "w.write_message(&**s)",
    ] {
        assert!(types.contains(boxed), "{boxed:?} missing");
    }
    for inline in [
        "pub sender_id: Option<ParticipantId>,",
        "pub chat_message: Option<ChatMessage>,",
        "pub conversation_id: Option<ConversationId>,",
        "pub embed_item: Option<EmbedItem>,",
        "pub formatting: Option<Formatting>,",
        "pub request_header: Option<RequestHeader>,",
        "pub response_header: Option<ResponseHeader>,",
    ] {
        assert!(types.contains(inline), "{inline:?} missing");
    }
    let schema = hangups_proto_codegen::schema::Schema::load(
        &hangups_proto_codegen::proto_dir().join("hangouts.proto"),
    )
    .unwrap();
    for hot in hangups_proto_codegen::boxing::HOT {
        let (m, f) = hot.split_once('.').unwrap();
        if m == "*" {
            assert!(
                schema
                    .messages
                    .iter()
                    .any(|x| x.fields.iter().any(|x| x.name == f)),
                "{hot}: no message has it"
            );
            continue;
        }
        let msg = schema
            .message(m)
            .unwrap_or_else(|| panic!("{hot}: no message"));
        assert!(
            msg.fields.iter().any(|x| x.name == f),
            "{hot}: no such field"
        );
    }
}
