//! What the message view shows for each event, as hangups words it, and
//! the rows of a conversation: date lines when the day changes, message
//! and notice rows, and `[ Seen by A, B. ]` under the newest event at or
//! before each other user's watermark.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::format::{Item, StrftimeItems};
use chrono::{DateTime, TimeZone};
use hangups_core::proto::hangouts::{
    GroupLinkSharingStatus, HangoutEventType, MembershipChangeType, OffTheRecordStatus,
};
use hangups_core::state::{
    Attachment, Conversation, ConversationEvent, ConversationList, EventKind,
};

/// What an event says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Body {
    /// A chat message: the sender's first name, the text, and whether the
    /// self user sent it.
    Chat {
        /// The sender's first name.
        sender: String,
        /// The text (attachments as URLs on lines of their own).
        text: String,
        /// Sent by the self user.
        own: bool,
    },
    /// Anything else, as one sentence.
    Notice(String),
}

/// One row of the message view.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowKind {
    /// The date line (`--date-format`).
    Date(String),
    /// A chat message: its time (`--time-format`) and body.
    Message {
        /// The formatted time.
        time: String,
        /// The sender's first name.
        sender: String,
        /// The text.
        text: String,
        /// Sent by the self user.
        own: bool,
    },
    /// Another event: its time and text.
    Notice {
        /// The formatted time.
        time: String,
        /// The text.
        text: String,
    },
    /// `[ Seen by A, B. ]`.
    SeenBy(String),
}

/// A row and the event it belongs to (an index into the loaded events).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The event's index.
    pub event: usize,
    /// What it shows.
    pub kind: RowKind,
}

/// The body of an event.
pub fn body(event: &ConversationEvent, list: &ConversationList) -> Body {
    let users = list.users();
    let user = users.get_user(&event.user_id());
    let first = user.first_name.clone();
    let own = event.user_id() == *users.self_id();
    let full_names = |ids: Vec<hangups_core::state::UserId>| {
        ids.iter()
            .map(|id| users.get_user(id).full_name.clone())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let notice = match event.kind() {
        EventKind::ChatMessage => {
            let Some(msg) = event.as_chat_message() else {
                return Body::Notice("Unknown conversation event".into());
            };
            let mut text = msg.text();
            for a in msg.attachments() {
                if let Attachment::Place { url: Some(url), .. } = a {
                    text.push('\n');
                    text.push_str(&url);
                }
            }
            return Body::Chat {
                sender: first,
                text,
                own,
            };
        }
        EventKind::Rename => match event.as_rename() {
            Some(r) if r.new_name.is_empty() => format!("{first} cleared the conversation name"),
            Some(r) => format!("{first} renamed the conversation to {}", r.new_name),
            None => "Unknown conversation event".into(),
        },
        EventKind::MembershipChange => match event.as_membership_change() {
            Some(m) if m.change_type() == MembershipChangeType::MEMBERSHIP_CHANGE_TYPE_JOIN => {
                format!(
                    "{first} added {} to the conversation",
                    full_names(m.participant_ids())
                )
            }
            Some(m) => format!("{} left the conversation", full_names(m.participant_ids())),
            None => "Unknown conversation event".into(),
        },
        EventKind::Hangout => {
            let t = event.as_hangout().map(|h| h.event_type());
            match t {
                Some(HangoutEventType::HANGOUT_EVENT_TYPE_START) => {
                    "A Hangout call is starting.".into()
                }
                Some(HangoutEventType::HANGOUT_EVENT_TYPE_END) => "A Hangout call ended.".into(),
                Some(HangoutEventType::HANGOUT_EVENT_TYPE_ONGOING) => {
                    "A Hangout call is ongoing.".into()
                }
                _ => "Unknown Hangout call event.".into(),
            }
        }
        EventKind::GroupLinkSharingModification => {
            let on = event
                .as_group_link_sharing_modification()
                .map(|g| g.new_status())
                == Some(GroupLinkSharingStatus::GROUP_LINK_SHARING_STATUS_ON);
            let status = if on { "on" } else { "off" };
            format!("{first} turned {status} joining by link.")
        }
        EventKind::Otr => {
            let off = event.as_otr().map(|o| o.new_otr_status())
                == Some(OffTheRecordStatus::OFF_THE_RECORD_STATUS_OFF_THE_RECORD);
            let status = if off { "off" } else { "on" };
            format!("{first} turned {status} history.")
        }
        _ => "Unknown conversation event".into(),
    };
    Body::Notice(notice)
}

/// Formats a timestamp (µs) with a strftime format in `tz`; a format
/// chrono cannot read falls back to `fallback` (never a panic).
pub fn format_time<Tz: TimeZone>(timestamp_us: u64, format: &str, fallback: &str, tz: &Tz) -> String
where
    Tz::Offset: std::fmt::Display,
{
    let micros = i64::try_from(timestamp_us).unwrap_or(i64::MAX);
    let Some(utc) = DateTime::from_timestamp_micros(micros) else {
        return String::new();
    };
    let local = utc.with_timezone(tz);
    for fmt in [format, fallback] {
        if StrftimeItems::new(fmt).any(|i| matches!(i, Item::Error)) {
            continue;
        }
        let mut out = String::new();
        if write!(out, "{}", local.format(fmt)).is_ok() {
            return out;
        }
    }
    String::new()
}

fn day<Tz: TimeZone>(timestamp_us: u64, tz: &Tz) -> Option<chrono::NaiveDate> {
    let micros = i64::try_from(timestamp_us).ok()?;
    DateTime::from_timestamp_micros(micros).map(|d| d.with_timezone(tz).date_naive())
}

/// For each event index, the first names of the other users whose
/// watermark is at it (the newest event at or before the watermark),
/// sorted.
pub fn seen_by(conv: &Conversation, list: &ConversationList) -> BTreeMap<usize, Vec<String>> {
    let self_id = list.users().self_id();
    let mut seen: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for (user, &watermark) in conv.watermarks() {
        if user == self_id {
            continue;
        }
        let newest = conv
            .events()
            .iter()
            .enumerate()
            .filter(|(_, e)| e.timestamp() <= watermark)
            .max_by_key(|(i, e)| (e.timestamp(), *i))
            .map(|(i, _)| i);
        if let Some(i) = newest {
            seen.entry(i)
                .or_default()
                .push(list.users().get_user(user).first_name.clone());
        }
    }
    for names in seen.values_mut() {
        names.sort();
    }
    seen
}

/// The rows of a conversation's loaded events, oldest first.
pub fn rows<Tz: TimeZone>(
    conv: &Conversation,
    list: &ConversationList,
    settings: &crate::settings::Settings,
    tz: &Tz,
) -> Vec<Row>
where
    Tz::Offset: std::fmt::Display,
{
    let defaults = crate::settings::Settings::default();
    let seen = seen_by(conv, list);
    let mut rows = Vec::new();
    let mut previous_day = None;
    for (i, event) in conv.events().iter().enumerate() {
        let this_day = day(event.timestamp(), tz);
        if previous_day.is_some() && this_day != previous_day {
            let date = format_time(
                event.timestamp(),
                &settings.date_format,
                &defaults.date_format,
                tz,
            );
            rows.push(Row {
                event: i,
                kind: RowKind::Date(date),
            });
        }
        previous_day = this_day;
        let time = format_time(
            event.timestamp(),
            &settings.time_format,
            &defaults.time_format,
            tz,
        );
        let kind = match body(event, list) {
            Body::Chat { sender, text, own } => RowKind::Message {
                time,
                sender,
                text,
                own,
            },
            Body::Notice(text) => RowKind::Notice { time, text },
        };
        rows.push(Row { event: i, kind });
        if let Some(names) = seen.get(&i) {
            rows.push(Row {
                event: i,
                kind: RowKind::SeenBy(format!("[ Seen by {}. ]", names.join(", "))),
            });
        }
    }
    rows
}

/// The text of an event for searching (the message text or notice).
pub fn search_text(event: &ConversationEvent, list: &ConversationList) -> String {
    match body(event, list) {
        Body::Chat { sender, text, .. } => format!("{sender}: {text}"),
        Body::Notice(text) => text,
    }
}
