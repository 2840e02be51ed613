//! The Message a client sends: parsed, checked for unknown fields, size
//! and emptiness, split into the content the server keeps.

use super::error::{ChatError, ChatResult};
use serde_json::{Map, Value};

/// The content fields a client may set (kept as sent).
pub(crate) const CONTENT: &[&str] = &[
    "text",
    "cards",
    "cardsV2",
    "attachment",
    "fallbackText",
    "accessoryWidgets",
    "quotedMessageMetadata",
    "privateMessageViewer",
];

/// Every field of Message (the others are output or input only: accepted
/// and not kept).
const KNOWN: &[&str] = &[
    "accessoryWidgets",
    "actionResponse",
    "annotations",
    "argumentText",
    "attachedGifs",
    "attachment",
    "cards",
    "cardsV2",
    "clientAssignedMessageId",
    "createTime",
    "deleteTime",
    "deletionMetadata",
    "emojiReactionSummaries",
    "fallbackText",
    "formattedText",
    "lastUpdateTime",
    "markupSyntax",
    "matchedUrl",
    "name",
    "privateMessageViewer",
    "quotedMessageMetadata",
    "sender",
    "silent",
    "slashCommand",
    "space",
    "text",
    "thread",
    "threadReply",
];

/// A message is at most this many bytes.
pub(crate) const MAX_MESSAGE_BYTES: usize = 32_000;

/// The JSON object of a request body (`{}` when empty).
pub(crate) fn parse(body: &[u8]) -> ChatResult<Map<String, Value>> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ChatError::invalid("", format!("Invalid JSON payload received. {e}")))?;
    let Value::Object(map) = value else {
        return Err(ChatError::invalid(
            "",
            "Invalid JSON payload received. Expected an object.",
        ));
    };
    for k in map.keys() {
        if !KNOWN.contains(&k.as_str()) {
            return Err(ChatError::invalid(
                k,
                format!("Invalid JSON payload received. Unknown name \"{k}\": Cannot find field."),
            ));
        }
    }
    Ok(map)
}

/// The content fields of `body`.
pub(crate) fn content(body: &Map<String, Value>) -> Map<String, Value> {
    body.iter()
        .filter(|(k, v)| CONTENT.contains(&k.as_str()) && !v.is_null())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// `thread.threadKey` and `thread.name` of the body.
pub(crate) fn thread_fields(body: &Map<String, Value>) -> (Option<String>, Option<String>) {
    let t = body.get("thread");
    let field = |f: &str| {
        t.and_then(|t| t.get(f))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
    };
    (field("threadKey"), field("name"))
}

fn non_empty(v: Option<&Value>) -> bool {
    match v {
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
        _ => false,
    }
}

/// The size and emptiness rules on what a message will hold.
pub(crate) fn check(content: &Map<String, Value>) -> ChatResult<()> {
    let text_len = content
        .get("text")
        .and_then(Value::as_str)
        .map_or(0, str::len);
    if text_len > MAX_MESSAGE_BYTES {
        return Err(ChatError::invalid(
            "text",
            format!("Message text is {text_len} bytes; the maximum is {MAX_MESSAGE_BYTES}."),
        ));
    }
    for (field, json) in [("cards_v2", "cardsV2"), ("cards", "cards")] {
        let size = content.get(json).map_or(0, |v| v.to_string().len());
        if size > MAX_MESSAGE_BYTES {
            return Err(ChatError::invalid(
                field,
                format!("Cards are {size} bytes; the maximum is {MAX_MESSAGE_BYTES}."),
            ));
        }
    }
    if !["text", "cardsV2", "cards", "attachment"]
        .iter()
        .any(|f| non_empty(content.get(*f)))
    {
        return Err(ChatError::invalid("text", "Message cannot be empty"));
    }
    Ok(())
}

/// The message fields an `updateMask` names: snake_case or camelCase
/// paths, comma-separated, `*` for all.
pub(crate) fn mask_fields(mask: &str) -> ChatResult<Vec<&'static str>> {
    let mut out = Vec::new();
    for path in mask.split(',').map(str::trim) {
        let fields: &[&'static str] = match path {
            "*" => &[
                "text",
                "attachment",
                "cards",
                "cardsV2",
                "accessoryWidgets",
                "quotedMessageMetadata",
            ],
            "text" => &["text"],
            "attachment" => &["attachment"],
            "cards" => &["cards"],
            "cards_v2" | "cardsV2" => &["cardsV2"],
            "accessory_widgets" | "accessoryWidgets" => &["accessoryWidgets"],
            "quoted_message_metadata" | "quotedMessageMetadata" => &["quotedMessageMetadata"],
            other => {
                return Err(ChatError::invalid(
                    "update_mask",
                    format!("Invalid update mask path \"{other}\"."),
                ))
            }
        };
        for f in fields {
            if !out.contains(f) {
                out.push(*f);
            }
        }
    }
    Ok(out)
}

/// A client-assigned id: `client-`, at most 63 of `[a-z0-9-]`.
pub(crate) fn valid_client_id(id: &str) -> bool {
    id.starts_with("client-")
        && id.len() > "client-".len()
        && id.len() <= 63
        && id
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules() {
        assert!(valid_client_id("client-abc-1"));
        assert!(!valid_client_id("client-ABC"));
        assert!(!valid_client_id("abc"));
        assert!(!valid_client_id(&format!("client-{}", "a".repeat(57))));
        assert!(valid_client_id(&format!("client-{}", "a".repeat(56))));
        assert_eq!(mask_fields("text, cards_v2").unwrap(), ["text", "cardsV2"]);
        assert_eq!(mask_fields("cardsV2").unwrap(), ["cardsV2"]);
        assert!(mask_fields("sender").is_err());
        assert!(mask_fields("").is_err());
        let mut m = Map::new();
        assert!(check(&m).is_err());
        m.insert("text".into(), "x".repeat(32_001).into());
        assert!(check(&m).is_err());
        m.insert("text".into(), "é".repeat(16_000).into());
        assert!(check(&m).is_ok());
        assert!(parse(b"{\"bogus\": 1}").is_err());
        assert!(parse(b"{\n  \"text\": \"hi\"\n}").is_ok());
    }
}
