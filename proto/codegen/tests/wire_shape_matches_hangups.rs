//! hangouts.proto has hangups 0.4.18's wire shape on every field hangups has:
//! the same number, name, label and type (scalar kind, enum or message by
//! full name), and every value of every enum hangups has. Fields, messages
//! and enum values that only hangouts.proto has are allowed.
//!
//! The tables in proto/schema/ were dumped from hangups 0.4.18's compiled
//! `hangouts_pb2.py` by proto/schema/dump_hangups_schema.py; this test reads
//! them and needs no Python.

use hangups_proto_codegen::schema::{Label, Schema, Type};

const FIELDS: &str = include_str!("../../schema/hangups-0.4.18.tsv");
const ENUMS: &str = include_str!("../../schema/hangups-0.4.18-enums.tsv");

fn rows(table: &str) -> impl Iterator<Item = Vec<&str>> {
    table
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split('\t').collect())
}

fn schema() -> Schema {
    let dir = hangups_proto_codegen::proto_dir();
    Schema::load(&dir.join("hangouts.proto")).expect("hangouts.proto parses")
}

fn label_str(l: Label) -> &'static str {
    match l {
        Label::Optional => "optional",
        Label::Required => "required",
        Label::Repeated => "repeated",
    }
}

fn type_str(t: &Type) -> String {
    match t {
        Type::Scalar(k) => (*k).to_string(),
        Type::Enum(n) => format!("enum:{n}"),
        Type::Message(n) => format!("message:{n}"),
    }
}

/// Every difference between the proto and the hangups field table.
fn field_mismatches(schema: &Schema, table: &str) -> Vec<String> {
    let mut out = Vec::new();
    for row in rows(table) {
        let [msg, number, name, label, ty] = row[..] else {
            out.push(format!("malformed row {row:?}"));
            continue;
        };
        let Some(m) = schema.message(msg) else {
            out.push(format!("message {msg} is missing"));
            continue;
        };
        let Ok(number) = number.parse::<u32>() else {
            out.push(format!("{msg}: bad number {number:?}"));
            continue;
        };
        let Some(f) = m.fields.iter().find(|f| f.number == number) else {
            out.push(format!("{msg} = {number} ({name}) is missing"));
            continue;
        };
        let ours = (f.name.as_str(), label_str(f.label), type_str(&f.ty));
        if ours != (name, label, ty.to_string()) {
            out.push(format!(
                "{msg} = {number}: ours {} {} {}, hangups {label} {ty} {name}",
                ours.1, ours.2, ours.0
            ));
        }
    }
    out
}

/// Every enum value of the hangups enum table the proto lacks or names
/// differently.
fn enum_mismatches(schema: &Schema, table: &str) -> Vec<String> {
    let mut out = Vec::new();
    for row in rows(table) {
        let [name, number, value] = row[..] else {
            out.push(format!("malformed row {row:?}"));
            continue;
        };
        let Some(e) = schema.enum_(name) else {
            out.push(format!("enum {name} is missing"));
            continue;
        };
        let Ok(number) = number.parse::<i32>() else {
            out.push(format!("{name}: bad number {number:?}"));
            continue;
        };
        if !e.values.iter().any(|(n, v)| *v == number && n == value) {
            out.push(format!("{name}: {value} = {number} is missing"));
        }
    }
    out
}

#[test]
fn every_hangups_field_has_the_same_number_name_label_and_type() {
    let mismatches = field_mismatches(&schema(), FIELDS);
    assert!(
        mismatches.is_empty(),
        "{} fields differ from hangups 0.4.18:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[test]
fn every_hangups_enum_value_is_defined() {
    let mismatches = enum_mismatches(&schema(), ENUMS);
    assert!(
        mismatches.is_empty(),
        "{} enum values differ from hangups 0.4.18:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

#[test]
fn the_tables_cover_the_whole_hangups_schema() {
    // A truncated table would make the comparisons above vacuous.
    assert!(rows(FIELDS).count() >= 460, "field table is too short");
    assert!(rows(ENUMS).count() >= 190, "enum table is too short");
    let s = schema();
    assert!(s.message("MoodState").is_some() && s.message("StatusMessageState").is_some());
}

#[test]
fn a_drifted_field_is_reported() {
    let s = schema();
    let row = "MoodState\t4\tstatus_message\toptional\tmessage:StatusMessageState\n";
    assert!(field_mismatches(&s, row).is_empty());
    for drifted in [
        "MoodState\t9\tstatus_message\toptional\tmessage:StatusMessageState\n",
        "MoodState\t4\tstatus_message\trepeated\tmessage:StatusMessageState\n",
        "MoodState\t4\tstatus_message\toptional\tmessage:MoodSetting\n",
        "MoodState\t4\tmood\toptional\tmessage:StatusMessageState\n",
        "NoSuchMessage\t1\tx\toptional\tStr\n",
    ] {
        assert_eq!(field_mismatches(&s, drifted).len(), 1, "{drifted}");
    }
    assert_eq!(
        enum_mismatches(&s, "ActiveClientState\t7\tACTIVE_CLIENT_STATE_IS_ACTIVE\n").len(),
        1
    );
}
