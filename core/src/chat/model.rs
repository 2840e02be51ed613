//! The `Message` resource and the parts of its schema closure used in
//! practice, as serde models (camelCase on the wire).
//!
//! Every struct keeps the fields it does not know in `extra`, so a message
//! read, changed and written back loses nothing the server added since
//! this model was written. Card widgets (`cards`, `cardsV2`,
//! `accessoryWidgets`) and rarely used metadata stay plain JSON values.
//! Enum fields are [`EnumValue`]s: the name (`"HUMAN"`) or the number a
//! client using `enum-encoding=int` sends (`1`), kept verbatim.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// An enum field as sent: its name, or its number (GAPIC clients ask for
/// `enum-encoding=int`). Written back exactly as it was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum EnumValue {
    /// The value's name, e.g. `"USER_MENTION"`.
    Name(String),
    /// The value's number, e.g. `1`.
    Number(i64),
}

impl EnumValue {
    /// The name, if the value was sent by name.
    pub fn name(&self) -> Option<&str> {
        match self {
            EnumValue::Name(n) => Some(n),
            EnumValue::Number(_) => None,
        }
    }
}

impl From<&str> for EnumValue {
    fn from(s: &str) -> Self {
        EnumValue::Name(s.to_string())
    }
}

macro_rules! model {
    ($(#[$doc:meta])* $ty:ident { $($(#[$fdoc:meta])* $field:ident : $fty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct $ty {
            $(
                $(#[$fdoc])*
                #[serde(default, skip_serializing_if = "Option::is_none")]
                pub $field: Option<$fty>,
            )*
            /// Fields this model does not know, kept verbatim.
            #[serde(flatten)]
            pub extra: Map<String, Value>,
        }
    };
}

model!(
    /// A message in a space.
    Message {
        /// `spaces/{space}/messages/{message}`.
        name: String,
        /// Who sent it (output only).
        sender: User,
        /// RFC-3339 creation time (output only but in import mode).
        create_time: String,
        /// RFC-3339 time of the last edit (output only).
        last_update_time: String,
        /// RFC-3339 deletion time (output only).
        delete_time: String,
        /// Plain text body, at most 32,000 bytes.
        text: String,
        /// The text with formatting markup (output only).
        formatted_text: String,
        /// The text without the app mentions (output only).
        argument_text: String,
        /// How `text` is marked up (input).
        markup_syntax: EnumValue,
        /// Legacy cards (deprecated), as JSON.
        cards: Value,
        /// Cards v2 (`[{cardId, card}]`), as JSON.
        cards_v2: Value,
        /// Mentions, slash commands, rich links (output only).
        annotations: Vec<Annotation>,
        /// The thread (`name` or `threadKey`).
        thread: Thread,
        /// The space (output only).
        space: Space,
        /// Text shown where cards cannot be.
        fallback_text: String,
        /// An app's response parameters (input only).
        action_response: ActionResponse,
        /// The slash command invoked (output only).
        slash_command: SlashCommand,
        /// Attachments.
        attachment: Vec<Attachment>,
        /// A URL matched by a link preview.
        matched_url: MatchedUrl,
        /// Whether it is a reply in a thread (output only).
        thread_reply: bool,
        /// The client-assigned id given at creation.
        client_assigned_message_id: String,
        /// Reaction counts (output only).
        emoji_reaction_summaries: Vec<EmojiReactionSummary>,
        /// The one user who can see this private message.
        private_message_viewer: User,
        /// How it was deleted (output only).
        deletion_metadata: DeletionMetadata,
        /// The message this one quotes.
        quoted_message_metadata: QuotedMessageMetadata,
        /// GIFs attached, as JSON.
        attached_gifs: Value,
        /// Widgets below the message, as JSON.
        accessory_widgets: Value,
        /// Sent without notifying.
        silent: bool,
    }
);

model!(
    /// A user or an app.
    User {
        /// `users/{user}`; `users/app` is the calling app.
        name: String,
        /// The display name (output only).
        display_name: String,
        /// The user's Workspace domain.
        domain_id: String,
        /// `HUMAN` or `BOT`.
        r#type: EnumValue,
        /// Whether the user is deleted or hidden.
        is_anonymous: bool,
    }
);

model!(
    /// A thread.
    Thread {
        /// `spaces/{space}/threads/{thread}`.
        name: String,
        /// The app's own key for the thread (≤ 4,000 characters).
        thread_key: String,
    }
);

model!(
    /// A space, as carried by a message.
    Space {
        /// `spaces/{space}`.
        name: String,
        /// The space's display name.
        display_name: String,
        /// The deprecated space type (`ROOM`, `DM`).
        r#type: EnumValue,
        /// The space type (`SPACE`, `GROUP_CHAT`, `DIRECT_MESSAGE`).
        space_type: EnumValue,
        /// Whether the space is a DM between a user and the app.
        single_user_bot_dm: bool,
    }
);

model!(
    /// A span of the text that is a mention, command, link or emoji.
    Annotation {
        /// `USER_MENTION`, `SLASH_COMMAND`, `RICH_LINK`, `CUSTOM_EMOJI`.
        r#type: EnumValue,
        /// Where the span starts (in characters of `text`).
        start_index: i64,
        /// How long the span is.
        length: i64,
        /// For `USER_MENTION`, as JSON (`{user, type}`).
        user_mention: Value,
        /// For `SLASH_COMMAND`, as JSON (`{bot, type, commandName, commandId, triggersDialog}`).
        slash_command: Value,
        /// For `RICH_LINK`, as JSON.
        rich_link_metadata: Value,
        /// For `CUSTOM_EMOJI`, as JSON.
        custom_emoji_metadata: Value,
    }
);

model!(
    /// An attachment.
    Attachment {
        /// `spaces/{space}/messages/{message}/attachments/{attachment}`.
        name: String,
        /// The file name.
        content_name: String,
        /// The MIME type.
        content_type: String,
        /// Thumbnail URL (output only).
        thumbnail_uri: String,
        /// Download URL (output only).
        download_uri: String,
        /// `UPLOADED_CONTENT` or `DRIVE_FILE`.
        source: EnumValue,
        /// Reference to uploaded data, as JSON.
        attachment_data_ref: Value,
        /// Reference to a Drive file, as JSON.
        drive_data_ref: Value,
    }
);

model!(
    /// The slash command a message invoked.
    SlashCommand {
        /// The command's id (int64 as a string).
        command_id: String,
    }
);

model!(
    /// What an app wants done with its response (input only).
    ActionResponse {
        /// `NEW_MESSAGE`, `UPDATE_MESSAGE`, `REQUEST_CONFIG`, `DIALOG`, …
        r#type: EnumValue,
        /// The URL for `REQUEST_CONFIG`.
        url: String,
        /// A dialog, as JSON.
        dialog_action: Value,
        /// An updated widget, as JSON.
        updated_widget: Value,
    }
);

model!(
    /// How many users reacted with one emoji.
    EmojiReactionSummary {
        /// The emoji (`{unicode}` or `{customEmoji}`), as JSON.
        emoji: Value,
        /// How many reactions.
        reaction_count: i64,
    }
);

model!(
    /// How a message was deleted.
    DeletionMetadata {
        /// `CREATOR`, `SPACE_OWNER`, `ADMIN`, `APP_MESSAGE_EXPIRY`, …
        deletion_type: EnumValue,
    }
);

model!(
    /// The message a message quotes.
    QuotedMessageMetadata {
        /// The quoted message's name.
        name: String,
        /// Its last update time, which must match when quoting.
        last_update_time: String,
        /// `REPLY` or `FORWARD`.
        quote_type: EnumValue,
        /// A snapshot of the quoted message, as JSON.
        quoted_message_snapshot: Value,
        /// Where a forwarded message came from, as JSON.
        forwarded_metadata: Value,
    }
);

model!(
    /// A URL in the text that a link preview matched.
    MatchedUrl {
        /// The URL.
        url: String,
    }
);

/// One page of `list`. An empty space answers `{}`: no messages, no token.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ListMessagesResponse {
    /// The messages of this page.
    #[serde(default)]
    pub messages: Vec<Message>,
    /// The token of the next page; `None` (or empty) on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
    /// Fields this model does not know, kept verbatim.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Message {
    /// A message with only `text` set (what a simple post sends).
    pub fn text(text: &str) -> Message {
        Message {
            text: Some(text.to_string()),
            ..Message::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trip_keeps_unknown_fields_and_integer_enums() {
        let wire = json!({
            "name": "spaces/S/messages/M",
            "sender": {"name": "users/1", "type": 1, "futureField": [1, 2]},
            "text": "hi",
            "annotations": [{"type": "USER_MENTION", "startIndex": 0, "length": 3,
                "userMention": {"user": {"name": "users/2"}, "type": "MENTION"}}],
            "thread": {"name": "spaces/S/threads/T", "threadKey": "k"},
            "space": {"name": "spaces/S", "spaceType": "SPACE", "type": 1},
            "cardsV2": [{"cardId": "c", "card": {"header": {"title": "t"}}}],
            "emojiReactionSummaries": [{"emoji": {"unicode": "🙂"}, "reactionCount": 2}],
            "deletionMetadata": {"deletionType": 2},
            "brandNew": {"nested": true}
        });
        let m: Message = serde_json::from_value(wire.clone()).unwrap();
        assert_eq!(
            m.sender.as_ref().unwrap().r#type,
            Some(EnumValue::Number(1))
        );
        assert_eq!(
            m.annotations.as_ref().unwrap()[0]
                .r#type
                .as_ref()
                .and_then(EnumValue::name),
            Some("USER_MENTION")
        );
        assert_eq!(m.extra["brandNew"], json!({"nested": true}));
        assert_eq!(
            m.sender.as_ref().unwrap().extra["futureField"],
            json!([1, 2])
        );
        assert_eq!(serde_json::to_value(&m).unwrap(), wire);
    }

    #[test]
    fn empty_list_page() {
        let page: ListMessagesResponse = serde_json::from_str("{}").unwrap();
        assert!(page.messages.is_empty());
        assert_eq!(page.next_page_token, None);
        let page: ListMessagesResponse =
            serde_json::from_str(r#"{"messages":[{"text":"a"}],"nextPageToken":"t"}"#).unwrap();
        assert_eq!(page.messages[0].text.as_deref(), Some("a"));
        assert_eq!(page.next_page_token.as_deref(), Some("t"));
    }

    #[test]
    fn text_constructor_serialises_only_text() {
        assert_eq!(
            serde_json::to_string(&Message::text("x")).unwrap(),
            r#"{"text":"x"}"#
        );
    }
}
