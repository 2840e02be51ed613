//! `spaces.messages.list`: the filter grammar, ordering, `showDeleted`
//! and page tokens.

use super::error::{ChatError, ChatResult};
use super::time::parse_rfc3339;
use super::Ctx;
use base64::Engine as _;
use serde_json::{json, Value};

/// A parsed `filter`.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Filter {
    after: Option<u64>,
    before: Option<u64>,
    thread: Option<String>,
}

fn bad_filter(why: &str) -> ChatError {
    ChatError::invalid("filter", format!("Invalid filter: {why}"))
}

/// `create_time > "…"`, `create_time < "…"`, `thread.name = …` joined by
/// `AND`.
pub(crate) fn parse_filter(text: &str) -> ChatResult<Filter> {
    let mut f = Filter::default();
    if text.trim().is_empty() {
        return Ok(f);
    }
    for clause in text.split(" AND ") {
        let clause = clause.trim();
        let (field, op, value) = ["<", ">", "="]
            .iter()
            .find_map(|op| {
                clause
                    .split_once(op)
                    .map(|(a, b)| (a.trim(), *op, b.trim().trim_matches('"')))
            })
            .ok_or_else(|| bad_filter(&format!("{clause:?} is not a comparison")))?;
        match (field, op) {
            ("create_time", ">" | "<") => {
                let t = parse_rfc3339(value)
                    .ok_or_else(|| bad_filter(&format!("{value:?} is not an RFC 3339 time")))?;
                if op == ">" {
                    f.after = Some(t);
                } else {
                    f.before = Some(t);
                }
            }
            ("thread.name", "=") => {
                if f.thread.is_some() {
                    return Err(bad_filter("at most one thread.name"));
                }
                f.thread = Some(value.to_string());
            }
            _ => return Err(bad_filter(&format!("{clause:?} is not supported"))),
        }
    }
    Ok(f)
}

/// `(offset, fingerprint of the other parameters)` ↔ an opaque token.
fn token(offset: usize, fingerprint: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{offset}|{fingerprint}"))
}

fn untoken(text: &str, fingerprint: &str) -> ChatResult<usize> {
    let bad = || ChatError::invalid("page_token", "Invalid page token.");
    let raw = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| bad())?;
    let raw = String::from_utf8(raw).map_err(|_| bad())?;
    let (offset, fp) = raw.split_once('|').ok_or_else(bad)?;
    if fp != fingerprint {
        return Err(ChatError::invalid(
            "page_token",
            "The page token does not match the other parameters of the request.",
        ));
    }
    offset.parse().map_err(|_| bad())
}

/// `spaces.messages.list`.
pub(crate) fn list(ctx: &mut Ctx<'_>) -> ChatResult<Value> {
    let req = ctx.req;
    let page_size = match req.param("pageSize").filter(|p| !p.is_empty()) {
        None => 25,
        Some(p) => match p.parse::<i64>() {
            Ok(n) if n < 0 => {
                return Err(ChatError::invalid(
                    "page_size",
                    "pageSize must not be negative.",
                ))
            }
            Ok(0) => 25,
            Ok(n) => n.min(1000) as usize,
            Err(_) => {
                return Err(ChatError::invalid(
                    "page_size",
                    format!("Invalid value at 'page_size' (TYPE_INT32), \"{p}\""),
                ))
            }
        },
    };
    let filter_text = req.param("filter").unwrap_or("");
    let filter = parse_filter(filter_text)?;
    let order = req
        .param("orderBy")
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let desc = match order.split_whitespace().collect::<Vec<_>>().as_slice() {
        [] | ["create_time"] | ["create_time", "asc"] => false,
        ["create_time", "desc"] => true,
        _ => {
            return Err(ChatError::invalid(
                "order_by",
                "orderBy must be create_time ASC or DESC.",
            ))
        }
    };
    let show_deleted = match req.param("showDeleted") {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(ChatError::invalid(
                "show_deleted",
                format!("Invalid value at 'show_deleted' (TYPE_BOOL), \"{other}\""),
            ))
        }
    };
    let fingerprint = format!("{filter_text}|{desc}|{show_deleted}|{}", ctx.space);
    let offset = match req.param("pageToken").filter(|t| !t.is_empty()) {
        Some(t) => untoken(t, &fingerprint)?,
        None => 0,
    };
    let mut all: Vec<_> = ctx
        .chat
        .world
        .messages
        .iter()
        .filter(|m| m.space == ctx.space)
        .filter(|m| show_deleted || m.delete_us.is_none())
        .filter(|m| filter.after.is_none_or(|t| m.create_us > t))
        .filter(|m| filter.before.is_none_or(|t| m.create_us < t))
        .filter(|m| filter.thread.as_ref().is_none_or(|t| &m.thread == t))
        .collect();
    all.sort_by_key(|m| m.create_us);
    if desc {
        all.reverse();
    }
    let page: Vec<Value> = all
        .iter()
        .skip(offset)
        .take(page_size)
        .map(|m| m.to_json())
        .collect();
    let mut out = json!({});
    if !page.is_empty() {
        out["messages"] = Value::Array(page);
    }
    if offset + page_size < all.len() {
        out["nextPageToken"] = json!(token(offset + page_size, &fingerprint));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters() {
        let f = parse_filter(
            r#"create_time > "2026-01-01T00:00:00Z" AND thread.name = spaces/A/threads/B"#,
        )
        .unwrap();
        assert_eq!(f.thread.as_deref(), Some("spaces/A/threads/B"));
        assert!(f.after.is_some() && f.before.is_none());
        assert!(parse_filter("text = hi").is_err());
        assert!(parse_filter(r#"create_time = "2026-01-01T00:00:00Z""#).is_err());
        assert!(parse_filter("thread.name = a AND thread.name = b").is_err());
        assert!(parse_filter(r#"create_time > "yesterday""#).is_err());
        assert_eq!(parse_filter("").unwrap(), Filter::default());
        assert_eq!(untoken(&token(50, "x"), "x").unwrap(), 50);
        assert!(untoken(&token(50, "x"), "y").is_err());
    }
}
