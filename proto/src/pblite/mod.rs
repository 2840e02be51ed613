//! pblite: protobuf as JSON arrays, the encoding of the push channel.
//!
//! A message is a JSON array whose element `n-1` holds field `n`; `null`
//! or a missing trailing element means absent; a JSON object as the *last*
//! element holds extra fields keyed by decimal field number (used for huge
//! numbers such as `EmbedItem.plus_photo` = 27639957). Payloads on the
//! channel start with a type tag (`"cbu"` for a `BatchUpdate`), which
//! [`decode_tagged`] skips.
//!
//! ## Decoding is permissive, exactly as hangups
//!
//! Following PROTOCOL.md §5: a value of the wrong type is dropped (the
//! field stays unset); an unknown field number is ignored; a message given
//! `[]` or only nulls is absent; one bad element (even `null`) in a repeated
//! scalar clears the whole field; a null or non-array element of a repeated
//! message still appends an empty message; bools read `0`/`1`, any integer,
//! or `true`/`false`; bytes are base64 with stray characters removed; a
//! double accepts an integer. Each skip is logged through `tracing` (target
//! `hangups_proto::pblite::decoder`) and counted in [`Decoded::skipped`];
//! only invalid JSON and nesting beyond the limit fail the whole message.
//!
//! Deliberate differences from hangups: int64/uint64 given as JSON strings
//! are accepted; unknown enum numbers are kept; a repeated message given a
//! number, or a trailing-object key that is not a number, is skipped where
//! hangups raised; a top-level value that is not an array decodes as an
//! empty message (hangups' rule for nested values).
//!
//! ## Encoding writes what the servers send
//!
//! Field n at index n-1, trailing nulls trimmed, fields numbered above
//! [`EXTRA_FIELD_THRESHOLD`] in a trailing object, bools as `0`/`1`, 64-bit
//! integers beyond ±2^53 as strings, bytes as base64, infinite doubles as
//! `1e999`/`-1e999` and NaN as `null` (JSON has neither). An empty message is `[]`, which decodes as *absent*: that is the
//! one way `decode(encode(m))` can differ from `m`.
//!
//! ```
//! use hangups_proto::hangouts::{Segment, SegmentType, Formatting};
//! use hangups_proto::pblite;
//!
//! let seg: Segment = pblite::decode(r#"[0,"world",[1]]"#)?;
//! assert_eq!(seg.r#type, SegmentType::SEGMENT_TYPE_TEXT);
//! assert_eq!(seg.text.as_deref(), Some("world"));
//! assert_eq!(seg.formatting, Some(Formatting { bold: Some(true), ..Default::default() }));
//! assert_eq!(pblite::encode(&seg), r#"[0,"world",[1]]"#);
//!
//! // A wrong-typed field is dropped, not fatal:
//! let seg: Segment = pblite::decode(r#"[0,17]"#)?;
//! assert_eq!(seg.text, None);
//! # Ok::<(), hangups_proto::DecodeError>(())
//! ```

mod decoder;
mod json;
pub(crate) mod kind;
mod writer;

pub(crate) use decoder::impl_slot;
#[doc(hidden)]
pub use decoder::{Decoder, Slot};
#[doc(hidden)]
pub use writer::FieldWriter;
pub use writer::EXTRA_FIELD_THRESHOLD;

use crate::{DecodeError, Message, DEFAULT_MAX_DEPTH};

/// How to decode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeOptions {
    /// Drop the first element of the top-level array (a type tag such as `"cbu"`).
    pub skip_tag: bool,
    /// Refuse messages nested deeper than this (the top message is level 1).
    pub max_depth: u32,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions {
            skip_tag: false,
            max_depth: DEFAULT_MAX_DEPTH,
        }
    }
}

impl DecodeOptions {
    /// Options with the type tag skipped.
    pub fn tagged() -> Self {
        DecodeOptions {
            skip_tag: true,
            ..Self::default()
        }
    }
}

/// A decoded message and how many malformed fields were skipped.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Decoded<M> {
    /// The message.
    pub message: M,
    /// Fields dropped or cleared by the permissive rules.
    pub skipped: usize,
}

/// Decodes an untagged pblite message.
pub fn decode<M: Message>(text: &str) -> Result<M, DecodeError> {
    decode_with(text, DecodeOptions::default()).map(|d| d.message)
}

/// Decodes a pblite message whose first element is a type tag (`["cbu", ...]`).
pub fn decode_tagged<M: Message>(text: &str) -> Result<M, DecodeError> {
    decode_with(text, DecodeOptions::tagged()).map(|d| d.message)
}

/// Decodes pblite given as bytes (invalid UTF-8 is a JSON error).
pub fn decode_bytes<M: Message>(
    bytes: &[u8],
    options: DecodeOptions,
) -> Result<Decoded<M>, DecodeError> {
    let text = std::str::from_utf8(bytes).map_err(|e| DecodeError::Json {
        offset: e.valid_up_to(),
        reason: "invalid UTF-8",
    })?;
    decode_with(text, options)
}

/// Decodes with explicit options, reporting the number of skipped fields.
pub fn decode_with<M: Message>(
    text: &str,
    options: DecodeOptions,
) -> Result<Decoded<M>, DecodeError> {
    let mut d = Decoder::new(text, options.max_depth);
    let mut message = M::default();
    d.message_into(&mut message, options.skip_tag)?;
    let skipped = d.finish()?;
    Ok(Decoded { message, skipped })
}

/// Decodes pblite that sits, escaped twice, inside a JSON string inside a
/// JSON string, as the payload of a push-channel chunk does (PROTOCOL.md
/// §1.6): `raw` starts at the first character of the inner string's
/// contents as they appear in the outer text, e.g. `[\\\"cbu\\\", [...]]\"}...`.
/// Returns the message and the length of `raw` up to and including the
/// `\"` that closes the inner string.
///
/// This reads the text where it is, without unescaping it first. It is
/// strict: an error does not mean that the unescaped text is not valid
/// pblite (escapes of structural characters, for one, are refused), only
/// that the caller must unescape it and use [`decode_with`]. When it
/// succeeds, the result is what [`decode_with`] gives on the unescaped
/// text.
#[doc(hidden)]
pub fn decode_nested<M: Message>(
    raw: &str,
    options: DecodeOptions,
) -> Result<(Decoded<M>, usize), DecodeError> {
    let mut d = Decoder::new_nested(raw, options.max_depth);
    let mut message = M::default();
    d.message_into(&mut message, options.skip_tag)?;
    let (skipped, used) = d.finish_nested()?;
    Ok((Decoded { message, skipped }, used))
}

/// The type tag of a tagged payload (`"cbu"` in `["cbu", ...]`), if its
/// first element is a string.
pub fn peek_tag(text: &str) -> Option<String> {
    let mut s = json::Scanner::new(text);
    if s.peek() != b'[' {
        return None;
    }
    s.pos += 1;
    if s.peek() != b'"' {
        return None;
    }
    match s.string() {
        Ok(json::Token::Str(t)) => Some(t.into_owned()),
        _ => None,
    }
}

/// Encodes a message as untagged pblite.
pub fn encode<M: Message>(message: &M) -> String {
    let mut out = String::new();
    writer::write_message(message, &mut out, None);
    out
}

/// Encodes a message with a leading type tag (`["cbu", ...]`).
pub fn encode_tagged<M: Message>(tag: &str, message: &M) -> String {
    let mut out = String::new();
    writer::write_message(message, &mut out, Some(tag));
    out
}
