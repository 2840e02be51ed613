//! One test per decoding rule of PROTOCOL.md §5, with the outcomes hangups
//! 0.4.18 produced on the same inputs (run with protobuf 3.20; recorded
//! here so these tests need no Python), plus the deliberate differences.

use hangups_proto::hangouts::*;
use hangups_proto::pblite::{self, DecodeOptions, Decoded};
use hangups_proto::{DecodeError, Message};

fn dec<M: Message>(text: &str) -> Decoded<M> {
    pblite::decode_with(text, DecodeOptions::default()).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn event(text: &str) -> Decoded<Event> {
    dec(text)
}

#[test]
fn field_n_is_at_index_n_minus_1() {
    let e = event(r#"[["c"],["g","h"],1521002546845000]"#).message;
    assert_eq!(e.conversation_id.unwrap().id.as_deref(), Some("c"));
    let s = e.sender_id.unwrap();
    assert_eq!(
        (s.gaia_id.as_deref(), s.chat_id.as_deref()),
        (Some("g"), Some("h"))
    );
    assert_eq!(e.timestamp, Some(1521002546845000));
}

#[test]
fn null_is_absent() {
    let d = event(r#"[null,null,5,null]"#);
    assert_eq!(
        d.message,
        Event {
            timestamp: Some(5),
            ..Default::default()
        }
    );
    assert_eq!(d.skipped, 0);
}

#[test]
fn unknown_field_numbers_are_ignored_whatever_their_value() {
    // Segment has fields 1..4; 9 is unknown, its value deeply nested.
    let d: Decoded<Segment> =
        dec(r#"[0,"a",null,null,null,null,null,null,[[[[[[1]]]]]],{"77":{"x":[1]}}]"#);
    assert_eq!(d.message.text.as_deref(), Some("a"));
    assert_eq!(d.skipped, 0, "unknown fields are not malformed");
    let d: Decoded<Segment> = dec(r#"[0,"a",{"0":1}]"#);
    assert_eq!(d.message.text.as_deref(), Some("a"));
}

#[test]
fn message_value_that_is_not_an_array_leaves_it_absent() {
    for v in ["0", "\"\"", "false", "\"abc\"", "5", "true"] {
        let d: Decoded<Segment> = dec(&format!("[0,null,{v}]"));
        assert_eq!(d.message.formatting, None, "{v}");
        assert_eq!(d.skipped, 1, "{v}");
    }
    // An object that is not the last element is a (wrong-typed) value.
    let d: Decoded<Segment> = dec(r#"[0,null,{},null]"#);
    assert_eq!(d.message.formatting, None);
    assert_eq!(d.skipped, 1);
}

#[test]
fn empty_or_all_null_message_is_absent_but_one_field_makes_it_present() {
    for v in [
        "[]",
        "[null]",
        "[null,null]",
        "[null,null,null,null,null,null,7]",
    ] {
        let s: Segment = dec(&format!("[0,null,{v}]")).message;
        assert_eq!(s.formatting, None, "{v}");
    }
    let s: Segment = dec(r#"[0,null,[0]]"#).message;
    assert_eq!(
        s.formatting,
        Some(Formatting {
            bold: Some(false),
            ..Default::default()
        })
    );
    // `[""]` is present: field 1 set to "".
    let c: ConversationId = dec(r#"[""]"#).message;
    assert_eq!(c.id.as_deref(), Some(""));
    let e = event(r#"[[""]]"#).message;
    assert_eq!(
        e.conversation_id,
        Some(ConversationId {
            id: Some(String::new())
        })
    );
}

#[test]
fn integers_given_strings_are_dropped_except_int64_and_uint64() {
    // int32 (EventAnnotation.type): dropped, as hangups.
    let d: Decoded<EventAnnotation> = dec(r#"["7"]"#);
    assert_eq!(d.message.r#type, None);
    assert_eq!(d.skipped, 1);
    // uint64 (Event.timestamp): accepted (deliberate difference).
    let d = event(r#"[null,null,"1521002546845000"]"#);
    assert_eq!(d.message.timestamp, Some(1521002546845000));
    assert_eq!(d.skipped, 0);
    let d = event(r#"[null,null,"18446744073709551615"]"#);
    assert_eq!(d.message.timestamp, Some(u64::MAX));
    for bad in [r#""-1""#, r#""1.5""#, r#""12a""#, r#""""#, r#"" 1""#] {
        let d = event(&format!("[null,null,{bad}]"));
        assert_eq!(d.message.timestamp, None, "{bad}");
        assert_eq!(d.skipped, 1);
    }
}

#[test]
fn integers_given_floats_are_dropped() {
    for v in ["1.0", "1.5", "1e2", "-0.0"] {
        let d: Decoded<EventAnnotation> = dec(&format!("[{v}]"));
        assert_eq!(d.message.r#type, None, "{v}");
        assert_eq!(d.skipped, 1);
    }
    let d: Decoded<EventAnnotation> = dec("[-0]");
    assert_eq!(d.message.r#type, Some(0));
}

#[test]
fn true_and_false_are_one_and_zero_for_ints_enums_and_bools() {
    let a: EventAnnotation = dec("[true]").message;
    assert_eq!(a.r#type, Some(1));
    let e = event("[null,null,true]").message;
    assert_eq!(e.timestamp, Some(1));
    let s: Segment = dec(r#"[true,"a"]"#).message;
    assert_eq!(s.r#type, SegmentType::SEGMENT_TYPE_LINE_BREAK);
    let u: UserConversationState =
        dec("[null,null,null,null,null,null,null,null,null,[1,true]]").message;
    assert_eq!(u.view, vec![ConversationView::CONVERSATION_VIEW_INBOX; 2]);
}

#[test]
fn bool_accepts_any_integer_but_not_strings_or_floats() {
    let field = |v: &str| {
        event(&format!(
            "[null,null,null,null,null,null,null,null,null,null,null,null,null,null,{v}]"
        ))
    };
    for (v, want) in [
        ("2", true),
        ("-1", true),
        ("0", false),
        ("1", true),
        ("true", true),
        ("false", false),
    ] {
        assert_eq!(field(v).message.advances_sort_timestamp, Some(want), "{v}");
    }
    for v in ["1.0", r#""true""#, r#""1""#] {
        let d = field(v);
        assert_eq!(d.message.advances_sort_timestamp, None, "{v}");
        assert_eq!(d.skipped, 1);
    }
}

#[test]
fn double_accepts_integers_and_drops_strings() {
    let geo = |v: &str| -> Decoded<EmbedItemGeoCoordinates> {
        let mut text = String::from("[");
        text.push_str(&"null,".repeat(35));
        text.push_str(v);
        text.push(']');
        dec(&text)
    };
    assert_eq!(geo("1").message.latitude, Some(1.0));
    assert_eq!(geo("true").message.latitude, Some(1.0));
    assert_eq!(
        geo("-0.0").message.latitude.map(f64::to_bits),
        Some((-0.0f64).to_bits())
    );
    assert_eq!(
        geo("123456789012345678901234567890").message.latitude,
        Some(1.2345678901234568e29)
    );
    assert_eq!(geo("1e400").message.latitude, Some(f64::INFINITY));
    let d = geo(r#""1.5""#);
    assert_eq!((d.message.latitude, d.skipped), (None, 1));
}

#[test]
fn string_given_non_string_is_dropped() {
    let id = |v: &str| {
        event(&format!(
            "[null,null,null,null,null,null,null,null,null,null,null,{v},null]"
        ))
    };
    for v in ["5", "true", "[]", r#""\ud800""#] {
        let d = id(v);
        assert_eq!(d.message.event_id, None, "{v}");
        assert_eq!(d.skipped, 1, "{v}");
    }
    assert_eq!(id(r#""""#).message.event_id.as_deref(), Some(""));
    assert_eq!(
        id(r#""a\u00e9\ud83d\ude00\n\"""#)
            .message
            .event_id
            .as_deref(),
        Some("aé😀\n\"")
    );
}

#[test]
fn unknown_enum_numbers_are_kept() {
    // hangups drops 99 (proto2); we keep it (deliberate difference).
    let s: Segment = dec(r#"[99,"a"]"#).message;
    assert_eq!(s.r#type, SegmentType::from(99));
    assert_eq!(s.r#type.0, 99);
    assert!(!s.r#type.is_known());
    let u: UserConversationState =
        dec("[null,null,null,null,null,null,null,null,null,[1,99]]").message;
    assert_eq!(u.view.iter().map(|v| v.0).collect::<Vec<_>>(), vec![1, 99]);
    // A string is still not an enum.
    let d: Decoded<Segment> = dec(r#"["0","a"]"#);
    assert_eq!((d.message.text.as_deref(), d.skipped), (Some("a"), 1));
}

#[test]
fn negative_into_unsigned_and_out_of_range_are_dropped() {
    for v in ["-1", "18446744073709551616"] {
        let d = event(&format!("[null,null,{v}]"));
        assert_eq!((d.message.timestamp, d.skipped), (None, 1), "{v}");
    }
    for v in ["2147483648", "-2147483649"] {
        let d: Decoded<EventAnnotation> = dec(&format!("[{v}]"));
        assert_eq!((d.message.r#type, d.skipped), (None, 1), "{v}");
    }
    let a: EventAnnotation = dec("[-2147483648]").message;
    assert_eq!(a.r#type, Some(i32::MIN));
}

fn hash(v: &str) -> Decoded<SuggestedContactGroupHash> {
    dec(&format!("[null,{v}]"))
}

#[test]
fn bytes_are_base64_with_stray_characters_removed() {
    for v in [
        r#""QQ==""#,
        r#""Q Q==""#,
        r#""!!QQ==!!""#,
        r#""QR==""#,
        r#""QQ==QQ==""#,
    ] {
        assert_eq!(hash(v).message.hash.as_deref(), Some(&b"A"[..]), "{v}");
    }
    assert_eq!(hash(r#""""#).message.hash, Some(vec![]));
    assert_eq!(
        hash(r#""aGVsbG8=""#).message.hash.as_deref(),
        Some(&b"hello"[..])
    );
}

#[test]
fn bytes_with_bad_padding_or_wrong_type_are_dropped() {
    for v in [r#""QQ""#, r#""QQ=""#, r#""Q\u00e9Q==""#, "5"] {
        let d = hash(v);
        assert_eq!((d.message.hash, d.skipped), (None, 1), "{v}");
    }
}

fn emails(v: &str) -> Decoded<EntityProperties> {
    dec(&format!("[null,null,null,null,{v}]"))
}

#[test]
fn repeated_scalar_with_any_bad_element_is_cleared_whole() {
    for v in [r#"["a",null,"b"]"#, r#"["a",5]"#, r#"[5,"a"]"#] {
        let d = emails(v);
        assert!(d.message.email.is_empty(), "{v}");
        assert_eq!(d.skipped, 1);
    }
    assert_eq!(emails(r#"["a","b"]"#).message.email, vec!["a", "b"]);
    // Clearing also drops what the positional value added before.
    let d: Decoded<EntityProperties> = dec(r#"[null,null,null,null,["a"],null,{"5":["b",null]}]"#);
    assert!(d.message.email.is_empty());
}

#[test]
fn repeated_scalar_given_a_non_array_is_cleared() {
    // hangups splits a string into characters for a repeated *string*
    // field (["a","b","c"]) and uses an object's keys; PROTOCOL.md §5 says
    // cleared, which we follow for every repeated scalar.
    for v in ["5", "true", r#""abc""#] {
        let d = emails(v);
        assert!(d.message.email.is_empty(), "{v}");
        assert_eq!(d.skipped, 1);
    }
    let d: Decoded<EntityProperties> = dec(r#"[null,null,null,null,{"a":1},null]"#);
    assert!(d.message.email.is_empty());
}

fn annotations(v: &str) -> Decoded<ChatMessage> {
    dec(&format!("[null,{v}]"))
}

#[test]
fn repeated_message_null_or_non_array_elements_append_empty_messages() {
    let d = annotations(r#"[null,5,"x",[],[4]]"#);
    let a = &d.message.annotation;
    assert_eq!(a.len(), 5);
    assert!(a[..4].iter().all(|x| *x == EventAnnotation::default()));
    assert_eq!(a[4].r#type, Some(4));
    assert_eq!(d.skipped, 2, "5 and \"x\" are reported; null is not");
    assert!(annotations("[]").message.annotation.is_empty());
}

#[test]
fn repeated_message_given_a_string_appends_one_empty_message_per_character() {
    let d = annotations(r#""ab""#);
    assert_eq!(d.message.annotation, vec![EventAnnotation::default(); 2]);
    let d = annotations(r#""😀é""#);
    assert_eq!(d.message.annotation.len(), 2, "characters, not bytes");
    // An object not in last position: one per key, as hangups.
    let d: Decoded<ChatMessage> = dec(r#"[null,{"a":1,"b":2},null]"#);
    assert_eq!(d.message.annotation.len(), 2);
}

#[test]
fn repeated_message_given_a_number_is_skipped_not_fatal() {
    // hangups raised TypeError here, which killed its channel.
    for v in ["5", "true"] {
        let d = annotations(v);
        assert!(d.message.annotation.is_empty());
        assert_eq!(d.skipped, 1);
    }
}

#[test]
fn trailing_object_holds_extra_fields_applied_after_positional_ones() {
    let s: Segment = dec(r#"[0,"a",{"2":"b"}]"#).message;
    assert_eq!(s.text.as_deref(), Some("b"), "scalars overwrite");
    let s: Segment = dec(r#"[0,{"2":"b"}]"#).message;
    assert_eq!((s.r#type.0, s.text.as_deref()), (0, Some("b")));
    let s: Segment = dec(r#"[{"1":2}]"#).message;
    assert_eq!(s.r#type, SegmentType::SEGMENT_TYPE_LINK);
    let p: EntityProperties = dec(r#"[null,null,null,null,["a"],null,{"5":["b"]}]"#).message;
    assert_eq!(p.email, vec!["a", "b"], "repeated fields append");
    let s: Segment = dec(r#"[0,null,[1],{"3":[null,1]}]"#).message;
    assert_eq!(
        s.formatting,
        Some(Formatting {
            bold: Some(true),
            italic: Some(true),
            ..Default::default()
        }),
        "messages merge"
    );
    // Keys as Python's int() reads them.
    for k in [" 2", "+2"] {
        let s: Segment = dec(&format!(r#"[0,"a",{{"{k}":"b"}}]"#)).message;
        assert_eq!(s.text.as_deref(), Some("b"), "{k:?}");
    }
}

#[test]
fn only_the_last_object_is_the_trailing_object() {
    let d: Decoded<Segment> = dec(r#"[0,"a",{"3":[1]},{"3":[null,1]}]"#);
    // The first object is positional field 3 (wrong type), the second the extras.
    assert_eq!(
        d.message.formatting,
        Some(Formatting {
            italic: Some(true),
            ..Default::default()
        })
    );
    assert_eq!(d.skipped, 1);
}

#[test]
fn trailing_object_with_a_non_numeric_key_skips_that_entry() {
    // hangups raised ValueError (fatal); we skip the entry and go on.
    let d: Decoded<Segment> = dec(r#"[0,"a",{"x":1,"2":"b"}]"#);
    assert_eq!(d.message.text.as_deref(), Some("b"));
    assert_eq!(d.skipped, 1);
}

#[test]
fn huge_field_numbers_live_in_the_trailing_object() {
    let e: EmbedItem = dec(r#"[[249],"id",{"27639957":[[null,null,null,"https://t/0",null,null,null,null,null,640,480],null,null,null,null,"https://p/0.jpg"]}]"#).message;
    assert_eq!(e.r#type, vec![ItemType::ITEM_TYPE_PLUS_PHOTO]);
    let p = e.plus_photo.unwrap();
    assert_eq!(p.url.as_deref(), Some("https://p/0.jpg"));
    let t = p.thumbnail.unwrap();
    assert_eq!(
        (t.image_url.as_deref(), t.width_px, t.height_px),
        (Some("https://t/0"), Some(640), Some(480))
    );
}

#[test]
fn oneof_the_later_member_wins() {
    let su: StateUpdate = dec(r#"[null,null,[[["c"]]],null,[["c"]]]"#).message;
    assert!(matches!(
        su.state_update,
        StateUpdateKind::TypingNotification(_)
    ));
    let su: StateUpdate = dec(r#"[null,null,null,null,[["c"]],{"3":[[["c"]]]}]"#).message;
    assert!(matches!(
        su.state_update,
        StateUpdateKind::EventNotification(_)
    ));
}

#[test]
fn leading_type_tag_is_skipped_on_request() {
    let b: BatchUpdate = pblite::decode_tagged(r#"["cbu"]"#).unwrap();
    assert!(b.state_update.is_empty());
    let b: BatchUpdate = pblite::decode_tagged(r#"[]"#).unwrap();
    assert!(b.state_update.is_empty());
    let b: BatchUpdate = pblite::decode_tagged(r#"["cbu",{"1":[[]]}]"#).unwrap();
    assert_eq!(b.state_update, vec![StateUpdate::default()]);
    assert_eq!(pblite::peek_tag(r#" ["cbu",[]]"#).as_deref(), Some("cbu"));
    assert_eq!(pblite::peek_tag(r#"[1]"#), None);
}

#[test]
fn top_level_value_that_is_not_an_array_is_an_empty_message() {
    for v in ["5", r#"{"1":0}"#, r#""cbu""#] {
        let d: Decoded<Segment> = dec(v);
        assert_eq!(d.message, Segment::default(), "{v}");
        assert_eq!(d.skipped, 1);
    }
}

#[test]
fn invalid_json_is_an_error_not_a_panic() {
    for bad in [
        "",
        "[",
        "[1,]",
        "[01]",
        "[1 2]",
        "[\"a]",
        "[nul]",
        "[1]x",
        "[\"\\x\"]",
        "[\"a\u{1}\"]",
        "[{\"1\" 2}]",
        "[1e]",
        "[-]",
    ] {
        let r = pblite::decode::<Segment>(bad);
        assert!(matches!(r, Err(DecodeError::Json { .. })), "{bad:?}: {r:?}");
    }
    assert!(matches!(
        pblite::decode_bytes::<Segment>(b"[\"\xff\"]", DecodeOptions::default()),
        Err(DecodeError::Json { .. })
    ));
}

#[test]
fn whitespace_between_tokens_is_allowed() {
    let s: Segment = dec(" [ 0 ,\n\"a\" ,\t[ 1 ] ,\r{ \"2\" : \"b\" } ] \n").message;
    assert_eq!(s.text.as_deref(), Some("b"));
    assert_eq!(s.formatting.unwrap().bold, Some(true));
}

#[test]
fn encoding_writes_what_the_servers_send() {
    let e = Event {
        conversation_id: Some(ConversationId {
            id: Some("c".into()),
        }),
        timestamp: Some(1 << 60),
        advances_sort_timestamp: Some(true),
        ..Default::default()
    };
    assert_eq!(
        pblite::encode(&e),
        r#"[["c"],null,"1152921504606846976",null,null,null,null,null,null,null,null,null,null,null,1]"#
    );
    let h = SuggestedContactGroupHash {
        max_results: Some(9007199254740991),
        hash: Some(b"hello".to_vec()),
    };
    assert_eq!(pblite::encode(&h), r#"[9007199254740991,"aGVsbG8="]"#);
    let item = EmbedItem {
        id: Some("x".into()),
        plus_photo: Some(Box::new(PlusPhoto {
            url: Some("u".into()),
            ..Default::default()
        })),
        ..Default::default()
    };
    assert_eq!(
        pblite::encode(&item),
        r#"[null,"x",{"27639957":[null,null,null,null,null,"u"]}]"#
    );
    let only_extra = EmbedItem {
        plus_photo: item.plus_photo.clone(),
        ..Default::default()
    };
    assert_eq!(
        pblite::encode(&only_extra),
        r#"[{"27639957":[null,null,null,null,null,"u"]}]"#
    );
    assert_eq!(pblite::encode(&Event::default()), "[]");
    assert_eq!(
        pblite::encode_tagged("cbu", &BatchUpdate::default()),
        r#"["cbu"]"#
    );
    let s = Segment {
        text: Some("q\"\\\n\u{1}é😀".into()),
        ..Default::default()
    };
    assert_eq!(pblite::encode(&s), "[0,\"q\\\"\\\\\\n\\u0001é😀\"]");
    assert_eq!(pblite::decode::<Segment>(&pblite::encode(&s)).unwrap(), s);
}
