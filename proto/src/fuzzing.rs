//! Fuzzing hooks: the logic of every fuzz target of this crate, compiled
//! with the crate so the targets in `fuzz/` stay one-line shims and the
//! same checks run on stable over the committed corpus
//! (`tests/fuzz_corpus.rs`). Each hook panics only if an invariant breaks.

use crate::hangouts::BatchUpdate;
use crate::pblite::{self, DecodeOptions};
use crate::{decode_binary, encode_binary};

/// pblite decoding of arbitrary bytes, tagged and untagged. Whatever
/// decodes must re-encode to text that decodes to the same message, and
/// decoding the text where it sits escaped twice (as in a push chunk) must
/// give the same or fail.
pub fn pblite_decode(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        nested_agrees(text);
    }
    for options in [DecodeOptions::tagged(), DecodeOptions::default()] {
        let Ok(decoded) = pblite::decode_bytes::<BatchUpdate>(data, options) else {
            continue;
        };
        let text = pblite::encode(&decoded.message);
        let again = pblite::decode_with::<BatchUpdate>(&text, DecodeOptions::default())
            .unwrap_or_else(|e| panic!("re-encoded text does not decode: {e}\n{text}"));
        assert_eq!(
            again.skipped, 0,
            "re-encoded text has malformed fields: {text}"
        );
        assert_eq!(
            pblite::encode(&again.message),
            text,
            "pblite round trip is not stable"
        );
    }
}

/// [`pblite::decode_nested`] on `text` escaped twice gives what
/// [`pblite::decode_with`] gives on `text`, or an error.
fn nested_agrees(text: &str) {
    // Inside the "p" string: the inner string's contents, its closing
    // quote, then the rest of a wrapper and chunk.
    let inner = json_escape(text);
    let raw = format!("{}\\\"}}}}\"}}]]]", json_escape(&inner));
    let used = raw.len() - "}}\"}]]]".len();
    for options in [DecodeOptions::tagged(), DecodeOptions::default()] {
        let Ok((nested, n)) = pblite::decode_nested::<BatchUpdate>(&raw, options) else {
            continue;
        };
        let plain = pblite::decode_with::<BatchUpdate>(text, options)
            .unwrap_or_else(|e| panic!("decodes nested but not plain ({e}): {text:?}"));
        assert_eq!(nested, plain, "nested decoding differs: {text:?}");
        assert_eq!(n, used, "nested decoding ends elsewhere: {text:?}");
    }
}

/// The contents of a JSON string holding `text` (as serde_json writes it).
fn json_escape(text: &str) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c < ' ' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// Binary decoding of arbitrary bytes as a `BatchUpdate`. Whatever decodes
/// must re-encode to bytes that decode and re-encode identically.
pub fn binary_batch_update(data: &[u8]) {
    let Ok(message) = decode_binary::<BatchUpdate>(data) else {
        return;
    };
    let bytes = encode_binary(&message);
    let again: BatchUpdate =
        decode_binary(&bytes).unwrap_or_else(|e| panic!("re-encoded bytes do not decode: {e}"));
    assert_eq!(
        encode_binary(&again),
        bytes,
        "binary round trip is not stable"
    );
}
