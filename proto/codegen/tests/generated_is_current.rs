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
        "EventNotification(EventNotification)",
        "pub r#type: SegmentType",
    ] {
        assert!(types.contains(name), "{name:?} missing");
    }
}
