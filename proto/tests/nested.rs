//! `pblite::decode_nested` (pblite read where it sits, escaped twice inside
//! a push chunk) gives what `decode_with` gives on the unescaped text, or
//! an error (after which callers unescape and use `decode_with`).

use hangups_proto::hangouts::BatchUpdate;
use hangups_proto::pblite::{self, DecodeOptions};

/// `pblite` as it appears inside the "p" string of a chunk, followed by
/// the rest of the wrapper and chunk.
fn nested(pblite: &str) -> (String, usize) {
    let once = serde_json::to_string(pblite).unwrap();
    let twice = serde_json::to_string(&once).unwrap();
    // Drop the quotes of the outer string and the opening quote of the
    // inner one (`"\"`), keep the inner closing quote (`\"`).
    let body = &twice[3..twice.len() - 1];
    (format!("{body}}}}}\"}}]]]"), body.len())
}

fn check(pblite: &str, must_take: bool) {
    let (raw, used) = nested(pblite);
    let plain = pblite::decode_with::<BatchUpdate>(pblite, DecodeOptions::tagged());
    match pblite::decode_nested::<BatchUpdate>(&raw, DecodeOptions::tagged()) {
        Ok((decoded, n)) => {
            let plain =
                plain.unwrap_or_else(|e| panic!("nested decodes, plain fails ({e}): {pblite}"));
            assert_eq!(decoded, plain, "{pblite}");
            assert_eq!(n, used, "{pblite}");
        }
        Err(e) => assert!(!must_take, "nested fails ({e}): {pblite}"),
    }
}

const EVENT: &str = r#"["cbu", [[[2, null, null, null, 1500000000000000], null, [[["CONV00"], ["100000", "100000"], 1500000000000000, null, null, null, [null, null, [[[0, "héllo 😀 \"q\" back\\slash new\nline tab\there \/", [1]], [2, "link", null, ["https://example.org/0"]]], [[[[249], {"27639957": [[null, null, null, "https://t/0", null, null, null, null, null, 640, 480], null, null, null, null, "https://photos.example/0.jpg"]}]]]]], null, null, null, null, "EV00000000", null, null, 1, null, 1]]]]]"#;

#[test]
fn usual_payloads_decode_in_place() {
    check(EVENT, true);
    check(r#"["cbu",[]]"#, true);
    check(r#"["cbu"]"#, true);
    check(&EVENT.replace(", ", ",\n "), true);
    check(&EVENT.replace(", ", ",\t\r\n"), true);
}

#[test]
fn unusual_escapes_agree_or_fail() {
    for text in [
        r#"["cbu",[[[2,null,"é\u00e9\ud83d\ude00😀\/\"\\\n\t\b\f",null,5]]]]"#,
        r#"["cbu",[[[2,null,"\ud800 lone",null,5]]]]"#,
        r#"["cbu",[[[2,null,"\udc00",null,5]]]]"#,
        r#"["cbu",[[[2,null,"\ud800\u0041",null,5]]]]"#,
        r#"["cbu",[[[2,null,"a\u0000b",null,5]]]]"#,
        r#"["cbu",[[[2,null,"bad \x",null,5]]]]"#,
        r#"["cbu",[[[2,null,"ctl	tab",null,5]]]]"#,
        r#"["cbu",[[[2,null,{"1":"k\"ey"},null,5]]]]"#,
        r#"["cbu",[[[2,null,"x",null,5]]]] trailing"#,
        r#"["cbu",[[[2,null,"x",null,5]]]"#,
        r#"["cbu",[[[2,null,"x",null,5e3,-0.5,1E+2]]]]"#,
        r#"["cbu",[[[2,null,"x",null,true,false]]]]"#,
        r#"["cbu",[[[2,null,"unterminated]]]]"#,
    ] {
        check(text, false);
    }
}

#[test]
fn every_corruption_agrees_or_fails() {
    for (at, _) in EVENT.char_indices() {
        let (head, tail) = EVENT.split_at(at);
        for insert in [
            "\"", "\\", "\\\"", "\\\\", "\\u", "\\u00e9", "\n", "[", "]", ",", "{", " ",
        ] {
            check(&format!("{head}{insert}{tail}"), false);
        }
    }
}

/// Raw text whose outer escapes are unusual (a structural character or a
/// quote written as \u at the middle or outer level) fails rather than
/// decoding differently.
#[test]
fn unusual_outer_escapes_fail() {
    let (raw, _) = nested(r#"["cbu",[[[2,null,"x"]]]]"#);
    for variant in [
        raw.replacen('[', "\\u005b", 2),
        raw.replacen("\\\\\\\"", "\\\\u0022", 1),
        raw.replacen("\\\\\\\"", "\\u005c\\u005c\\\"", 1),
        raw.replacen(',', "\n,", 1),
    ] {
        assert!(
            pblite::decode_nested::<BatchUpdate>(&variant, DecodeOptions::tagged()).is_err(),
            "{variant}"
        );
    }
}
