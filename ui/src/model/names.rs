//! Conversation names, unread counts and tab titles, as hangups builds
//! them (`get_conv_name`).

use hangups_core::state::{Conversation, ConversationList, EventKind, UserId};
use unicode_width::UnicodeWidthChar;

/// A tab title is at most this many columns wide.
pub const TAB_TITLE_WIDTH: usize = 30;

/// The name of a conversation: its custom name; else, of the others, the
/// full name (one other), or the first names sorted by user id ("A, B",
/// with `truncate` "A, B, +N" beyond two); "Empty Conversation" if nobody
/// else is in it.
pub fn conversation_name(conv: &Conversation, list: &ConversationList, truncate: bool) -> String {
    if let Some(name) = conv.name() {
        return name.to_owned();
    }
    let self_id = list.users().self_id();
    let mut others: Vec<_> = conv
        .users(list.users())
        .into_iter()
        .filter(|u| u.id != *self_id && !u.is_self)
        .collect();
    others.sort_by(|a, b| a.id.cmp(&b.id));
    match others.as_slice() {
        [] => "Empty Conversation".to_owned(),
        [one] => one.full_name.clone(),
        _ => {
            let firsts: Vec<&str> = others.iter().map(|u| u.first_name.as_str()).collect();
            if truncate && firsts.len() > 2 {
                format!("{}, +{}", firsts[..2].join(", "), firsts.len() - 2)
            } else {
                firsts.join(", ")
            }
        }
    }
}

/// The unread messages: loaded chat messages from others newer than the
/// self read timestamp (or `read_up_to`, if later).
pub fn unread_count(conv: &Conversation, self_id: &UserId, read_up_to: u64) -> usize {
    let read = conv.latest_read_timestamp().max(read_up_to);
    conv.events()
        .iter()
        .filter(|e| {
            e.timestamp() > read && e.kind() == EventKind::ChatMessage && e.user_id() != *self_id
        })
        .count()
}

/// `name` plus " (N)" when there are unread messages.
pub fn with_unread(name: &str, unread: usize) -> String {
    if unread > 0 {
        format!("{name} ({unread})")
    } else {
        name.to_owned()
    }
}

/// Cuts a text to at most `width` columns, ending in "…" when cut.
pub fn truncate_to_width(text: &str, width: usize) -> String {
    let total: usize = text.chars().map(|c| c.width().unwrap_or(0)).sum();
    if total <= width {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        used += w;
        out.push(c);
    }
    if width > 0 {
        out.push('…');
    }
    out
}

/// A tab's title: the truncated name plus the unread count, at most
/// [`TAB_TITLE_WIDTH`] columns.
pub fn tab_title(list: &ConversationList, conversation_id: &str, unread: usize) -> String {
    let name = match list.get(conversation_id) {
        Some(conv) => conversation_name(conv, list, true),
        None => "New conversation".to_owned(),
    };
    // Off the record (history off) shows as a trailing "[off]", before
    // the unread count, so that a conversation's history state is visible
    // from any tab.
    let off = list
        .get(conversation_id)
        .is_some_and(|c| c.is_off_the_record());
    let mut suffix = String::new();
    if off {
        suffix.push_str(" [off]");
    }
    if unread > 0 {
        suffix.push_str(&format!(" ({unread})"));
    }
    let room = TAB_TITLE_WIDTH.saturating_sub(suffix.len());
    format!("{}{suffix}", truncate_to_width(&name, room))
}
