//! Fuzzing hooks: the logic of every fuzz target of this crate, compiled
//! with the crate so the targets in `fuzz/` stay one-line shims and the
//! same checks run on stable over the committed corpus
//! (`tests/fuzz_corpus.rs`). Each hook panics only if an invariant breaks.

use crate::hangouts::BatchUpdate;
use crate::pblite::{self, DecodeOptions};
use crate::{decode_binary, encode_binary};

/// pblite decoding of arbitrary bytes, tagged and untagged. Whatever
/// decodes must re-encode to text that decodes to the same message.
pub fn pblite_decode(data: &[u8]) {
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
