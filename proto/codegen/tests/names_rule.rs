//! The naming rule of `names::rewrite` on a small proto that has what
//! hangouts.proto lacks: two oneofs in one message, a nested enum, keyword
//! fields in nested messages, and a name collision.

use hangups_proto_codegen::schema::Schema;
use std::path::PathBuf;

fn write_proto(tag: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "hangups-codegen-names-{tag}-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("sample.proto");
    std::fs::write(&path, text).unwrap();
    path
}

const SAMPLE: &str = r#"
syntax = "proto2";
message Outer {
  message Inner { optional int32 match = 1; }
  enum Mode { MODE_A = 0; MODE_B = 1; }
  optional Inner inner = 1;
  optional Mode mode = 2;
  optional string type = 3;
  oneof first { Inner a_member = 4; Inner b_member = 5; }
  oneof second_choice { Inner c_member = 6; }
}
message Single {
  oneof payload { Outer outer_value = 1; }
}
"#;

#[test]
fn nested_oneof_and_keyword_names() {
    let proto = write_proto("sample", SAMPLE);
    let schema = Schema::load(&proto).unwrap();
    let raw = hangups_proto_codegen::run_pb_rs(&proto).unwrap();
    let out = hangups_proto_codegen::types_source(&raw, &schema).unwrap();
    let _ = std::fs::remove_dir_all(proto.parent().unwrap());

    for leak in ["mod_", "OneOf", "_pb", "a_member(", "outer_value("] {
        assert!(!out.contains(leak), "pb-rs name {leak:?} left:\n{out}");
    }
    for want in [
        "pub struct OuterInner {",
        "pub r#match: Option<i32>",
        "pub struct OuterMode(pub i32);",
        "pub mode: Option<OuterMode>",
        "pub r#type: Option<String>",
        // two oneofs: <Message><Oneof in CamelCase>
        "pub enum OuterFirst {",
        "AMember(OuterInner)",
        "BMember(OuterInner)",
        "pub first: OuterFirst",
        "pub enum OuterSecondChoice {",
        "CMember(OuterInner)",
        "pub second_choice: OuterSecondChoice",
        // the only oneof: <Message>Kind
        "pub enum SingleKind {",
        // Outer is larger than boxing::THRESHOLD: boxed
        "OuterValue(Box<Outer>)",
        "SingleKind::None",
    ] {
        assert!(out.contains(want), "{want:?} missing:\n{out}");
    }
    let outer = schema.message("Outer").unwrap();
    let names: Vec<_> = outer.oneofs.iter().map(|o| o.rust_type.as_str()).collect();
    assert_eq!(names, ["OuterFirst", "OuterSecondChoice"]);
}

#[test]
fn colliding_flat_names_are_rejected() {
    let proto = write_proto(
        "clash",
        "syntax = \"proto2\";\n\
         message Outer { message Inner { optional int32 x = 1; } }\n\
         message OuterInner { optional int32 y = 1; }\n",
    );
    let err = Schema::load(&proto).unwrap_err();
    let _ = std::fs::remove_dir_all(proto.parent().unwrap());
    assert!(err.contains("OuterInner"), "{err}");
}
