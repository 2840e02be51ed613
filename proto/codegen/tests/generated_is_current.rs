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
    assert_eq!(seg.fields[0].rust_name, "type_pb");
    assert_eq!(
        seg.fields[0].label,
        hangups_proto_codegen::schema::Label::Required
    );
}
