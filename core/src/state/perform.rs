//! Conversation actions by conversation id, for the adapters' conversation
//! handles: [`Action`] names one, [`ConversationList::action_request`]
//! builds its request from the current state (and makes the local change
//! hangups makes before sending), [`ConversationList::apply_action_response`]
//! makes the local change after the response. The adapters only send.

use hangups_proto::hangouts::{
    Event, GetConversationRequest, GetConversationResponse, NotificationLevel, OffTheRecordStatus,
    Segment, TypingType,
};

use super::conversation::GetEvents;
use super::events::ConversationEvent;
use super::list::ConversationList;
use super::users::UserId;
use super::StateError;
use crate::api::{ApiRequest, ApiResponse};

/// One conversation action of hangups' `Conversation` (PROTOCOL.md §7.8).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Action {
    /// `send_message`: these segments, and optionally an uploaded or
    /// existing photo (`image_id`) owned by `image_user_id`.
    SendMessage {
        /// The message text (see [`crate::message::ChatMessageSegment`]).
        segments: Vec<Segment>,
        /// A photo id (from an upload or an existing photo).
        image_id: Option<String>,
        /// The photo's owner, if not the self user.
        image_user_id: Option<String>,
    },
    /// `rename`.
    Rename(String),
    /// `leave`: a group is left, a one-to-one conversation deleted; then
    /// the conversation is removed from the list.
    Leave {
        /// Now (µs since the Unix epoch): the one-to-one deletion's
        /// `delete_upper_bound_timestamp`.
        now_us: u64,
    },
    /// `set_typing`.
    SetTyping(TypingType),
    /// `update_read_timestamp`: `None` means the newest loaded event's
    /// timestamp, or now with no loaded events. Nothing is sent unless it
    /// is later than the current one.
    UpdateReadTimestamp(Option<u64>),
    /// `set_notification_level`.
    SetNotificationLevel(NotificationLevel),
    /// `modify_otr_status`.
    ModifyOtrStatus(OffTheRecordStatus),
    /// `set_group_link_sharing_enabled` (groups only).
    SetGroupLinkSharingEnabled(bool),
    /// `add_users` (groups only).
    AddUsers(Vec<UserId>),
    /// `remove_user` (groups only).
    RemoveUser(UserId),
}

impl Action {
    /// A plain-text message: the text parsed as hangups'
    /// `ChatMessageSegment.from_str` does (markdown, HTML, links).
    pub fn send_text(text: &str) -> Action {
        Action::SendMessage {
            segments: crate::message::segments_from_str(text),
            image_id: None,
            image_user_id: None,
        }
    }
}

/// The image of a `send_message`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Image {
    /// Upload these bytes first (PROTOCOL.md §6).
    Upload {
        /// The file name given to the upload server.
        filename: String,
        /// The image file's bytes.
        data: Vec<u8>,
    },
    /// An already uploaded or existing photo.
    Existing {
        /// Its photo id.
        photo_id: String,
        /// Its owner, if not the self user.
        user_id: Option<String>,
    },
}

/// What [`ConversationList::history`] needs: the events, or a request.
#[derive(Clone, Debug, PartialEq)]
pub enum History {
    /// The loaded events, oldest first.
    Loaded(Vec<ConversationEvent>),
    /// Send this, then [`ConversationList::apply_history`].
    Fetch(Box<GetConversationRequest>),
}

impl ConversationList {
    /// [`Conversation::get_events`](super::Conversation::get_events) by
    /// conversation id, with owned events.
    pub fn history(
        &self,
        conversation_id: &str,
        event_id: Option<&str>,
        max_events: usize,
    ) -> Result<History, StateError> {
        let conv = self
            .get(conversation_id)
            .ok_or_else(|| StateError::UnknownConversation(conversation_id.to_owned()))?;
        Ok(match conv.get_events(event_id, max_events)? {
            GetEvents::Loaded(events) => History::Loaded(events.into_iter().cloned().collect()),
            GetEvents::Fetch(request) => History::Fetch(request),
        })
    }

    /// [`Conversation::apply_history`](super::Conversation::apply_history)
    /// by conversation id: the returned events, oldest first.
    pub fn apply_history(
        &mut self,
        conversation_id: &str,
        response: &GetConversationResponse,
    ) -> Result<Vec<ConversationEvent>, StateError> {
        let conv = self
            .get_mut(conversation_id)
            .ok_or_else(|| StateError::UnknownConversation(conversation_id.to_owned()))?;
        Ok(conv.apply_history(response))
    }

    /// The request for `action` in `conversation_id`, or `None` when there
    /// is nothing to send (a read timestamp that is not later). Like
    /// hangups, [`Action::UpdateReadTimestamp`] sets the read timestamp
    /// locally first; `now_us` (the caller's clock, µs since the Unix
    /// epoch) is what `UpdateReadTimestamp(None)` marks read up to in a
    /// conversation with no loaded events. Errors: an unknown
    /// conversation, a group-only action on a one-to-one conversation.
    pub fn action_request(
        &mut self,
        conversation_id: &str,
        action: &Action,
        now_us: u64,
    ) -> Result<Option<ApiRequest>, StateError> {
        let conv = self
            .get_mut(conversation_id)
            .ok_or_else(|| StateError::UnknownConversation(conversation_id.to_owned()))?;
        let request = match action {
            Action::SendMessage {
                segments,
                image_id,
                image_user_id,
            } => conv
                .send_message_request(
                    segments.clone(),
                    image_id.as_deref(),
                    image_user_id.as_deref(),
                )
                .into(),
            Action::Rename(name) => conv.rename_request(name).into(),
            Action::Leave { now_us } => conv.leave_request(*now_us),
            Action::SetTyping(typing) => conv.set_typing_request(*typing).into(),
            Action::UpdateReadTimestamp(ts) => {
                return Ok(conv
                    .update_read_timestamp(*ts, now_us)
                    .map(ApiRequest::from))
            }
            Action::SetNotificationLevel(level) => {
                conv.set_notification_level_request(*level).into()
            }
            Action::ModifyOtrStatus(status) => conv.modify_otr_status_request(*status).into(),
            Action::SetGroupLinkSharingEnabled(on) => {
                conv.set_group_link_sharing_enabled_request(*on)?.into()
            }
            Action::AddUsers(users) => conv.add_users_request(users)?.into(),
            Action::RemoveUser(user) => conv.remove_user_request(user)?.into(),
        };
        Ok(Some(request))
    }

    /// What follows a successful response: [`Action::Leave`] removes the
    /// conversation from the list (hangups' `leave_conversation`; see
    /// [`ConversationList::leave_conversation`] for how it stays away). Returns
    /// the event the server created, if the response has one. It is
    /// **not** added here: it enters the conversation when its event
    /// notification arrives (§7.8), where its id tells the application
    /// that it is its own.
    pub fn apply_action_response(
        &mut self,
        conversation_id: &str,
        action: &Action,
        response: &ApiResponse,
    ) -> Option<ConversationEvent> {
        if let Action::Leave { .. } = action {
            self.leave_conversation(conversation_id);
        }
        created_event(response).cloned().map(ConversationEvent::new)
    }
}

/// The `created_event` of the responses that have one.
pub fn created_event(response: &ApiResponse) -> Option<&Event> {
    match response {
        ApiResponse::SendChatMessage(r) => r.created_event.as_deref(),
        ApiResponse::RenameConversation(r) => r.created_event.as_deref(),
        ApiResponse::AddUser(r) => r.created_event.as_deref(),
        ApiResponse::RemoveUser(r) => r.created_event.as_deref(),
        ApiResponse::ModifyOtrStatus(r) => r.created_event.as_deref(),
        ApiResponse::SetGroupLinkSharingEnabled(r) => r.created_event.as_deref(),
        _ => None,
    }
}

/// Calls `$callback!` with the conversation actions that are one request
/// each, so that every adapter generates the same conversation methods:
/// `name(args) => action;` with their docs. (`send_message`, `leave` and
/// `get_events` need more than one step and are written by hand.)
#[macro_export]
macro_rules! for_each_conversation_action {
    ($callback:ident) => {
        $callback! {
            /// Renames the conversation (hangups' `rename`); returns the
            /// rename event the server created.
            rename(name: &str) => $crate::state::Action::Rename(name.to_owned());
            /// Sets the self user's typing status (hangups' `set_typing`;
            /// `TYPING_TYPE_STARTED`, `PAUSED` or `STOPPED`).
            set_typing(typing: $crate::proto::hangouts::TypingType) =>
                $crate::state::Action::SetTyping(typing);
            /// Marks the conversation read up to `read_timestamp` (µs;
            /// `None`: the newest loaded event, or now if none is loaded),
            /// locally first (hangups' `update_read_timestamp`). Sends
            /// nothing unless it is later.
            update_read_timestamp(read_timestamp: Option<u64>) =>
                $crate::state::Action::UpdateReadTimestamp(read_timestamp);
            /// Sets the notification level (`QUIET` or `RING`).
            set_notification_level(level: $crate::proto::hangouts::NotificationLevel) =>
                $crate::state::Action::SetNotificationLevel(level);
            /// Turns history off (`OFF_THE_RECORD`) or on; returns the OTR
            /// modification event.
            modify_otr_status(status: $crate::proto::hangouts::OffTheRecordStatus) =>
                $crate::state::Action::ModifyOtrStatus(status);
            /// Turns joining by link on or off (groups only); returns the
            /// modification event.
            set_group_link_sharing_enabled(enabled: bool) =>
                $crate::state::Action::SetGroupLinkSharingEnabled(enabled);
            /// Adds users (groups only); returns the membership event.
            add_users(users: &[$crate::state::UserId]) =>
                $crate::state::Action::AddUsers(users.to_vec());
            /// Removes a user (groups only); returns the membership event.
            remove_user(user: &$crate::state::UserId) =>
                $crate::state::Action::RemoveUser(user.clone());
        }
    };
}
