//! The high-level model hangups' users program against: [`ConversationList`],
//! [`Conversation`], [`ConversationEvent`], [`UserList`], [`User`]
//! (PROTOCOL.md §7), as pure sans-IO logic: no IO and no clock. Timestamps
//! are the data's microseconds since the Unix epoch (`u64`).
//!
//! - [`BuildUserConversationList`] is `build_user_conversation_list` as a
//!   machine: it hands out [`ApiRequest`](crate::api::ApiRequest)s and takes
//!   [`ApiResponse`](crate::api::ApiResponse)s, then yields the list.
//! - [`ConversationList::fold`] folds each
//!   [`Event::StateUpdate`](crate::client::Event::StateUpdate) into the
//!   model and returns typed [`Notification`]s. An update about an unknown
//!   conversation yields [`Notification::NeedsConversation`]: fetch it with
//!   [`ConversationList::fetch_request`] and call
//!   [`ConversationList::add_conversation_state`].
//! - Actions (§7.8) are request builders on [`Conversation`]
//!   (`send_message_request`, `rename_request`, `leave_request`, …).
//! - After every connect and reconnect, run a [`CatchUpSync`]
//!   ([`ConversationList::catch_up`]: SyncAllNewEvents, then the pages of a
//!   truncated reply) and apply its result with
//!   [`ConversationList::apply_catch_up`].
//! - [`LiveList`] does all of that from the client's events: it is what
//!   the adapters' notification streams run. [`Action`] names a
//!   conversation action by conversation id, for their conversation handles.
//!
//! ```
//! use hangups_core::proto::hangouts::*;
//! use hangups_core::proto::hangouts::StateUpdateKind;
//! use hangups_core::state::{ConversationList, Notification, UserList};
//!
//! let cid = |id: &str| Some(ConversationId { id: Some(id.into()) });
//! let state = ConversationState {
//!     conversation_id: cid("c1"),
//!     conversation: Some(Conversation { conversation_id: cid("c1"), ..Default::default() }),
//!     ..Default::default()
//! };
//! let users = UserList::new(&Entity::default(), &[], &[]);
//! let mut list = ConversationList::new(&[state], users, 1_000);
//!
//! let event = Event {
//!     conversation_id: cid("c1"),
//!     event_id: Some("e1".into()),
//!     timestamp: Some(2_000),
//!     ..Default::default()
//! };
//! let update = StateUpdate {
//!     state_update: StateUpdateKind::EventNotification(Box::new(EventNotification {
//!         event: Some(event),
//!     })),
//!     ..Default::default()
//! };
//! let notes = list.fold(&update);
//! assert!(matches!(&notes[..], [Notification::NewEvent(e)] if e.id() == "e1"));
//! assert!(list.fold(&update).is_empty()); // a duplicate event id is ignored
//! assert_eq!(list.sync_timestamp(), 2_000); // save this; restore with set_sync_timestamp
//! assert_eq!(list.catch_up_request().last_sync_timestamp, Some(2_000));
//! ```
//!
//! # Where this differs from hangups
//!
//! - Catch-up sync loses nothing: every event newer than the sync start is
//!   delivered once, in timestamp order, deduplicated by event id, also
//!   for conversations the list did not know ([`ConversationList::apply_catch_up`]),
//!   also when the server truncated the reply at `max_response_size_bytes`
//!   ([`CatchUpSync`] pages every conversation back to the sync start
//!   before the position moves; hangups ignores the continuation tokens
//!   and loses what the reply left out).
//! - Zero-timestamp read states (in deltas and watermark notifications)
//!   are ignored, not turned into epoch watermarks.
//! - The sync position is readable and restorable
//!   ([`ConversationList::sync_timestamp`], [`ConversationList::set_sync_timestamp`]);
//!   an event without a timestamp does not move it to 0.
//! - A conversation's read states seed its watermarks when it is built.
//! - Catch-up and fetched conversations add their participants to the
//!   [`UserList`] (hangups leaves them `Unknown`).
//! - A catch-up state without a `conversation` leaves the conversation as
//!   it was (hangups replaces it with an empty one).
//! - A conversation the self user left ([`ConversationList::leave_conversation`])
//!   stays out of the list: the pushed news of the leaving is not fetched
//!   back in (hangups re-adds it), until an update shows the self user in
//!   it again.
//! - [`LiveList`] holds pushes while a catch-up is in flight (so events
//!   come in timestamp order) and retries a failed catch-up from the same
//!   position; hangups only logs the failure, and the gap stays.
//! - Deltas are **replaced** as in hangups; see
//!   [`Conversation::update_conversation`] for why not merged.
//! - A conversation first seen in a catch-up reply without a continuation
//!   token keeps none, so its first history request pages from the newest
//!   event (hangups stores an empty token there, and its first page is
//!   empty). As in hangups, a conversation from the initial sync without
//!   a token stores an empty one, a fetched one without a token keeps
//!   none, and every history reply stores its token, empty if absent.
//! - Updates about an unknown conversation wait for one fetch (at most
//!   [`MAX_PENDING_PER_CONVERSATION`] of them); a failed fetch drops all
//!   that waited (hangups fetches once per update and drops only the
//!   update whose fetch failed). An update naming no conversation id
//!   fetches nothing.
//! - The name rules use Python's `str.isalpha` / `str.split` classes as
//!   Python 3.11 (Unicode 14.0) has them; characters assigned by later
//!   Unicode versions follow Rust's tables.
//!
//! # Memory
//!
//! A list holds every loaded event, so events are stored for size, not as
//! their `Event` message (320 bytes inline before any string, most of it
//! empty in a chat message). A [`ConversationEvent`] is one `Arc`:
//!
//! - a plain chat message (text segments; no attachment, annotation or
//!   other kind's field: nearly every event) is a compact record: one byte
//!   buffer holds the event id, the client generated id and every
//!   segment (a few header bytes, its text and link target); the
//!   conversation id and the sender's and self user's `ParticipantId`s are
//!   shared by every event of the conversation (an interner per
//!   conversation), and the scalars (timestamps, enums, flags) are packed.
//!   [`ConversationEvent::raw`] and [`ChatMessageEvent::raw`] rebuild the
//!   message on demand (`Cow::Owned`), equal to the one it was made from;
//! - any other event keeps its `Event` message (`raw` borrows it).
//!
//! The dedupe index of a conversation keeps each event's position under
//! the hash of its id, not a copy of the id. On the benchmark workload
//! (`cargo bench -p hangups-core --bench fold`: 1,000 conversations × 200
//! chat events) a list holds about 240 bytes per event, against 2,700 for
//! hangups 0.4.18 with its C++ protobuf backend (its RSS growth,
//! `tests/scripts/hangups_memory.py`). Cloning an event, as
//! [`Notification::NewEvent`] does, copies nothing.

mod actions;
mod catch_up;
mod conversation;
mod events;
mod list;
mod live;
mod perform;
mod python_chars;
mod sync;
mod users;

pub use catch_up::{CatchUpSync, CATCH_UP_MAX_PAGES, CATCH_UP_PAGE_EVENTS};
pub use conversation::{Conversation, GetEvents};
pub use events::{
    Attachment, ChatMessageEvent, ConversationEvent, EventKind, GroupLinkSharingModificationEvent,
    HangoutCallEvent, MembershipChangeEvent, OtrEvent, RenameEvent,
};
pub use list::{
    ConversationList, Notification, TypingStatus, WatermarkUpdate, MAX_PENDING_PER_CONVERSATION,
};
pub use live::{LiveError, LiveList, RequestToken, Update, MAX_HELD_UPDATES};
pub use perform::{created_event, Action, History, Image};
pub use sync::{
    BuildUserConversationList, SYNC_MAX_CONVERSATIONS, SYNC_MAX_PAGES, SYNC_MAX_RESPONSE_SIZE_BYTES,
};
pub use users::{NameType, User, UserId, UserList, DEFAULT_NAME};

/// Errors of the state model: lookups of unknown ids and build failures.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StateError {
    /// No loaded event has this id.
    #[error("unknown event id {0:?}")]
    UnknownEvent(String),
    /// A response of another endpoint than the request, or none expected.
    #[error("unexpected {0} response")]
    UnexpectedResponse(&'static str),
    /// A request of the build failed (or the build is not finished).
    #[error("build_user_conversation_list failed: {0}")]
    BuildFailed(&'static str),
    /// No conversation in the list has this id.
    #[error("unknown conversation id {0:?}")]
    UnknownConversation(String),
    /// A group-only action on a conversation that is not a group
    /// (hangups' `ConversationTypeError`).
    #[error("conversation {0:?} is not a group")]
    NotGroup(String),
    /// A catch-up needed more GetConversation pages than
    /// [`CATCH_UP_MAX_PAGES`]; it is retried from the same position.
    #[error("catch-up needed more than {CATCH_UP_MAX_PAGES} pages")]
    CatchUpTooLong,
}
