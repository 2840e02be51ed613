//! The two defects found when pb-rs + quick-protobuf were tried on
//! hangouts.proto (shared DEPENDENCIES.md §3), handled:
//! 1. an enum number the schema does not know was read as another value
//!    (MembershipChangeType 42 became JOIN);
//! 2. nesting was unbounded: 3,000 levels overflowed the stack.

use hangups_proto::hangouts::*;
use hangups_proto::{decode_binary, decode_binary_with_limit, encode_binary, pblite, DecodeError};

#[test]
fn unknown_enum_number_is_kept_in_binary() {
    // MembershipChange { type = 42 }: tag 1 varint.
    let m: MembershipChange = decode_binary(&[0x08, 42]).unwrap();
    assert_eq!(m.r#type, Some(MembershipChangeType::from(42)));
    assert_ne!(
        m.r#type,
        Some(MembershipChangeType::MEMBERSHIP_CHANGE_TYPE_JOIN)
    );
    assert_eq!(
        format!("{:?}", m.r#type.unwrap()),
        "MembershipChangeType(42)"
    );
    assert_eq!(
        encode_binary(&m),
        vec![0x08, 42],
        "and written back unchanged"
    );
    // Known values keep their names.
    let m: MembershipChange = decode_binary(&[0x08, 2]).unwrap();
    assert_eq!(
        m.r#type,
        Some(MembershipChangeType::MEMBERSHIP_CHANGE_TYPE_LEAVE)
    );
    assert_eq!(
        m.r#type.unwrap().name(),
        Some("MEMBERSHIP_CHANGE_TYPE_LEAVE")
    );
}

#[test]
fn unknown_enum_numbers_are_kept_in_repeated_and_negative_cases() {
    // UserConversationState.view (10, repeated, unpacked): 1, 9999, -1.
    let mut bytes = vec![0x50, 0x01, 0x50, 0x8f, 0x4e];
    bytes.extend([
        0x50, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
    ]);
    let u: UserConversationState = decode_binary(&bytes).unwrap();
    assert_eq!(
        u.view.iter().map(|v| v.0).collect::<Vec<_>>(),
        vec![1, 9999, -1]
    );
    assert_eq!(encode_binary(&u), bytes);
}

#[test]
fn unknown_enum_number_is_kept_in_pblite() {
    let m: MembershipChange = pblite::decode("[42]").unwrap();
    assert_eq!(m.r#type.map(|t| t.0), Some(42));
    assert_eq!(pblite::encode(&m), "[42]");
}

#[test]
fn enum_default_is_the_first_declared_value() {
    assert_eq!(
        MembershipChangeType::default(),
        MembershipChangeType::MEMBERSHIP_CHANGE_TYPE_JOIN
    );
    assert_eq!(SegmentType::default(), SegmentType::SEGMENT_TYPE_TEXT);
    assert_eq!(
        SegmentType::from_name("SEGMENT_TYPE_LINK"),
        Some(SegmentType::SEGMENT_TYPE_LINK)
    );
    assert_eq!(ItemType::KNOWN.len(), 4);
}

fn varint(mut v: u64, out: &mut Vec<u8>) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// Binary EmbedItem -> place -> Place -> address -> EmbedItem ... with
/// `levels` messages in all (built inside out, without recursion).
fn nested_binary(levels: usize) -> Vec<u8> {
    let mut inner: Vec<u8> = Vec::new();
    for level in (1..levels).rev() {
        // The message at `level` holds the one at `level + 1`.
        let is_embed_item = level % 2 == 1;
        let field: u64 = if is_embed_item { 35_825_640 } else { 24 };
        let mut outer = Vec::with_capacity(inner.len() + 10);
        varint(field << 3 | 2, &mut outer);
        varint(inner.len() as u64, &mut outer);
        outer.extend_from_slice(&inner);
        inner = outer;
    }
    inner
}

#[test]
fn binary_nesting_3000_levels_is_a_typed_error_not_a_stack_overflow() {
    let bytes = nested_binary(3000);
    assert!(bytes.len() > 15_000, "{}", bytes.len());
    let r = decode_binary::<EmbedItem>(&bytes);
    assert!(
        matches!(r, Err(DecodeError::TooDeep { limit: 100 })),
        "{r:?}"
    );
}

#[test]
fn binary_depth_limit_is_exact() {
    assert!(decode_binary::<EmbedItem>(&nested_binary(100)).is_ok());
    assert!(matches!(
        decode_binary::<EmbedItem>(&nested_binary(101)),
        Err(DecodeError::TooDeep { .. })
    ));
    assert!(decode_binary_with_limit::<EmbedItem>(&nested_binary(10), 10).is_ok());
    assert!(decode_binary_with_limit::<EmbedItem>(&nested_binary(11), 10).is_err());
}

/// The same chain as pblite: EmbedItem `[{"35825640":PLACE}]`, Place with
/// address at index 23.
fn nested_pblite(levels: usize) -> String {
    let mut s = String::new();
    for level in 1..=levels {
        if level == levels {
            s.push_str("[]");
        } else if level % 2 == 1 {
            s.push_str("[{\"35825640\":");
        } else {
            s.push('[');
            s.push_str(&"null,".repeat(23));
        }
    }
    for level in (1..levels).rev() {
        s.push_str(if level % 2 == 1 { "}]" } else { "]" });
    }
    s
}

#[test]
fn pblite_nesting_3000_levels_is_a_typed_error_not_a_stack_overflow() {
    let text = nested_pblite(3000);
    let r = pblite::decode::<EmbedItem>(&text);
    assert!(
        matches!(r, Err(DecodeError::TooDeep { limit: 100 })),
        "{r:?}"
    );
}

#[test]
fn pblite_depth_limit_is_exact() {
    // 100 levels with a set field at the bottom decode.
    let ok = nested_pblite(99).replacen("[]", "[null,\"id\"]", 1);
    let item: EmbedItem = pblite::decode(&ok).unwrap();
    assert!(item.place.is_some());
    assert!(matches!(
        pblite::decode::<EmbedItem>(&nested_pblite(102)),
        Err(DecodeError::TooDeep { .. })
    ));
}

#[test]
fn deep_json_in_unknown_fields_is_skipped_without_recursion() {
    // 200,000 nested arrays in an unknown field of Segment.
    let deep = format!(
        "[0,\"a\",null,null,{}{}]",
        "[".repeat(200_000),
        "]".repeat(200_000)
    );
    let s: Segment = pblite::decode(&deep).unwrap();
    assert_eq!(s.text.as_deref(), Some("a"));
    let deep_obj = format!(
        "[0,\"a\",null,null,{}1{}]",
        "{\"k\":".repeat(100_000),
        "}".repeat(100_000)
    );
    let s: Segment = pblite::decode(&deep_obj).unwrap();
    assert_eq!(s.text.as_deref(), Some("a"));
}

#[test]
fn decoded_types_are_owned_and_send() {
    fn owned<T: Send + Sync + 'static>(_: &T) {}
    let b: BatchUpdate = pblite::decode_tagged(r#"["cbu",[[[1]]]]"#).unwrap();
    owned(&b);
    let handle = std::thread::spawn(move || b.state_update.len());
    assert_eq!(handle.join().unwrap(), 1);
}

#[test]
fn nested_length_past_its_parent_is_a_typed_error_not_a_panic() {
    // BatchUpdate { state_update (len 2) { state_update_header (len 100) } }:
    // quick-protobuf 0.8.1 alone overflows a subtraction here.
    let r = decode_binary::<BatchUpdate>(&[0x0a, 0x02, 0x0a, 0x64]);
    assert!(
        matches!(r, Err(DecodeError::InvalidProtobuf { offset: 2, .. })),
        "{r:?}"
    );
    for bad in [
        &[0x0a][..],
        &[0x0a, 0x05, 0x00],
        &[0x08],
        &[0x08, 0xff],
        &[0x0b],
        &[0x0f],
        &[0x09, 1, 2],
    ] {
        let r = decode_binary::<BatchUpdate>(bad);
        assert!(
            matches!(r, Err(DecodeError::InvalidProtobuf { .. })),
            "{bad:?}: {r:?}"
        );
    }
    // Invalid UTF-8 in a string is quick-protobuf's own error.
    let r = decode_binary::<ConversationId>(&[0x0a, 0x01, 0xff]);
    assert!(matches!(r, Err(DecodeError::Protobuf(_))), "{r:?}");
}
