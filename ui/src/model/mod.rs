//! The application state of `hangups`: a pure state machine in the manner
//! of the protocol core. [`App::handle`] takes one [`Input`] with the time
//! ([`Now`]) and the conversation list as it is after the input's update
//! was folded (hangups-core's [`ConversationList`](hangups_core::state::ConversationList)); [`App::poll_effect`]
//! hands out the [`Effect`]s it asked for. The shell runs each effect and
//! reports its [`Outcome`] back as [`Input::Done`] with the effect's
//! [`EffectId`]. No IO, no clock, no randomness: every test drives it with
//! made-up inputs.
//!
//! The shell/model contract (the `Input`, `Effect`, `Outcome` enums) is
//! shared with the shell; the state itself is private to this module and
//! read by [`render`](crate::render).

use std::path::PathBuf;
use std::time::Instant;

use hangups_core::proto::hangouts::Segment;
use hangups_core::state::{Update, UserId};
use ratatui::crossterm::event::{KeyEvent, MouseEvent};

mod app;
mod compose;
pub mod emoticons;
mod keys;
mod list_view;
mod menu;
pub mod names;
mod notify_rules;
mod pick;
mod status;
mod tabs;
#[cfg(test)]
pub(crate) mod test_support;
#[cfg(test)]
mod tests;
pub mod texts;

pub use app::App;
pub(crate) use compose::Compose;
pub(crate) use list_view::ListView;
pub(crate) use menu::Overlay;
pub(crate) use pick::{PickMode, Picker};
pub(crate) use status::Status;
pub(crate) use tabs::{ConvTab, History, ViewFocus};

/// The time an input happens at: the monotonic instant (timeouts, the next
/// reconnection attempt, typing expiry) and the wall clock (µs since the
/// Unix epoch; dates and "read up to").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Now {
    /// Monotonic time.
    pub instant: Instant,
    /// Wall-clock time, µs since the Unix epoch.
    pub wall_us: u64,
}

/// Something that happened to the application.
#[derive(Debug)]
#[non_exhaustive]
pub enum Input {
    /// A key press.
    Key(KeyEvent),
    /// Bracketed paste: the pasted text, newlines included.
    Paste(String),
    /// The terminal's new size.
    Resize {
        /// Columns.
        width: u16,
        /// Rows.
        height: u16,
    },
    /// A mouse event (only with mouse support on).
    Mouse(MouseEvent),
    /// The terminal gained (`true`) or lost focus.
    Focus(bool),
    /// An update of the conversation list's notifications, already folded
    /// into the list passed with it.
    Update(Update),
    /// A periodic tick (the shell sends one every second): expiries.
    Tick,
    /// An effect finished.
    Done {
        /// Which effect.
        id: EffectId,
        /// How it ended.
        outcome: Outcome,
    },
}

/// Names an [`Effect`] when its [`Outcome`] comes back.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EffectId(pub u64);

/// Work the model asks the shell to do.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Effect {
    /// Send a chat message (segments already through hangups' markup
    /// parser and emoticon replacement) with an optional image read from a
    /// path and uploaded first. Outcome: [`Outcome::Ok`] or an error.
    SendMessage {
        /// Effect id.
        id: EffectId,
        /// Where.
        conversation_id: String,
        /// The message.
        segments: Vec<Segment>,
        /// An image file to attach.
        image: Option<PathBuf>,
    },
    /// Rename a conversation.
    Rename {
        /// Effect id.
        id: EffectId,
        /// Which.
        conversation_id: String,
        /// The new name.
        name: String,
    },
    /// Load older history: up to `max_events` before the oldest loaded
    /// event (`Conversation::get_events`). Outcome: [`Outcome::Loaded`].
    LoadHistory {
        /// Effect id.
        id: EffectId,
        /// Which conversation.
        conversation_id: String,
        /// The oldest loaded event (None: the newest events).
        before_event_id: Option<String>,
        /// How many (hangups: 50).
        max_events: usize,
    },
    /// Mark a conversation read up to its newest loaded event.
    MarkRead {
        /// Effect id.
        id: EffectId,
        /// Which.
        conversation_id: String,
    },
    /// Tell the server this client is active (SetActiveClient).
    SetActive {
        /// Effect id.
        id: EffectId,
    },
    /// Send the self user's typing status.
    SetTyping {
        /// Effect id.
        id: EffectId,
        /// Where.
        conversation_id: String,
        /// `STARTED`, `PAUSED` or `STOPPED`.
        typing: hangups_core::proto::hangouts::TypingType,
    },
    /// Search users by name or email (SearchEntities). Outcome:
    /// [`Outcome::Users`].
    SearchUsers {
        /// Effect id.
        id: EffectId,
        /// What was typed.
        query: String,
    },
    /// Create a conversation with these users (one: one-to-one; more, or a
    /// name: a group). Outcome: [`Outcome::Created`].
    CreateConversation {
        /// Effect id.
        id: EffectId,
        /// Who, besides the self user.
        user_ids: Vec<UserId>,
        /// A group's name.
        name: Option<String>,
        /// A group even with one other user.
        group: bool,
    },
    /// Add people to a group.
    AddUsers {
        /// Effect id.
        id: EffectId,
        /// Which conversation.
        conversation_id: String,
        /// Who.
        user_ids: Vec<UserId>,
    },
    /// Remove someone from a group.
    RemoveUser {
        /// Effect id.
        id: EffectId,
        /// Which conversation.
        conversation_id: String,
        /// Who.
        user_id: UserId,
    },
    /// Leave a group (delete a one-to-one).
    Leave {
        /// Effect id.
        id: EffectId,
        /// Which.
        conversation_id: String,
    },
    /// Quiet (no notifications) or ring.
    SetQuiet {
        /// Effect id.
        id: EffectId,
        /// Which.
        conversation_id: String,
        /// Quiet when true.
        quiet: bool,
    },
    /// Turn history off (`off_the_record`) or on.
    SetOffTheRecord {
        /// Effect id.
        id: EffectId,
        /// Which.
        conversation_id: String,
        /// Off the record when true.
        off_the_record: bool,
    },
    /// Save the locally archived conversation ids (the protocol has no
    /// archive request; see the README).
    SaveArchived {
        /// Effect id.
        id: EffectId,
        /// Every archived conversation id.
        conversation_ids: Vec<String>,
    },
    /// A desktop notification (the shell's notifier escapes the body as
    /// its medium needs). Discreet mode is already applied.
    Notify {
        /// Effect id.
        id: EffectId,
        /// The title (the sender, or "hangups").
        title: String,
        /// The body (the text, or "New message").
        body: String,
    },
    /// Suspend the terminal and edit this text in `$EDITOR`. Outcome:
    /// [`Outcome::Edited`].
    EditExternally {
        /// Effect id.
        id: EffectId,
        /// The compose box's text.
        text: String,
    },
    /// Set the terminal's title.
    SetTitle(String),
    /// Quit with this exit status.
    Quit(u8),
}

/// How an effect ended.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Outcome {
    /// Done, nothing to report.
    Ok,
    /// [`Effect::LoadHistory`]: how many events were loaded (0: no more).
    Loaded(usize),
    /// [`Effect::SearchUsers`]: the matches.
    Users(Vec<FoundUser>),
    /// [`Effect::CreateConversation`]: the conversation's id.
    Created(String),
    /// [`Effect::EditExternally`]: the edited text.
    Edited(String),
    /// It failed, and why (shown in the status line).
    Failed(String),
}

/// A user found by [`Effect::SearchUsers`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FoundUser {
    /// Who.
    pub id: UserId,
    /// The display name.
    pub name: String,
    /// An email address, if known.
    pub email: Option<String>,
}
