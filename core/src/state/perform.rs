//! Conversation actions by conversation id, for the adapters' conversation
//! handles: [`Action`] names one, [`ConversationList::action_request`]
//! builds its request from the current state (and makes the local change
//! hangups makes before sending), [`ConversationList::apply_action_response`]
//! makes the local change after the response. The adapters only send.

use hangups_proto::hangouts::{Event, NotificationLevel, OffTheRecordStatus, Segment, TypingType};

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
    /// timestamp. Nothing is sent unless it is later than the current one.
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

impl ConversationList {
    /// The request for `action` in `conversation_id`, or `None` when there
    /// is nothing to send (a read timestamp that is not later). Like
    /// hangups, [`Action::UpdateReadTimestamp`] sets the read timestamp
    /// locally first. Errors: an unknown conversation, a group-only action
    /// on a one-to-one conversation.
    pub fn action_request(
        &mut self,
        conversation_id: &str,
        action: &Action,
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
                return Ok(conv.update_read_timestamp(*ts).map(ApiRequest::from))
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
    /// conversation from the list (hangups' `leave_conversation`). Returns
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
            self.remove_conversation(conversation_id);
        }
        created_event(response).cloned().map(ConversationEvent::new)
    }
}

/// The `created_event` of the responses that have one.
pub fn created_event(response: &ApiResponse) -> Option<&Event> {
    match response {
        ApiResponse::SendChatMessage(r) => r.created_event.as_ref(),
        ApiResponse::RenameConversation(r) => r.created_event.as_ref(),
        ApiResponse::AddUser(r) => r.created_event.as_ref(),
        ApiResponse::RemoveUser(r) => r.created_event.as_ref(),
        ApiResponse::ModifyOtrStatus(r) => r.created_event.as_ref(),
        ApiResponse::SetGroupLinkSharingEnabled(r) => r.created_event.as_ref(),
        _ => None,
    }
}
