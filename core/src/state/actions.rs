//! Conversation actions as requests (PROTOCOL.md §7.8): the caller sends
//! them with `Client::request`, which also fills `request_header` and a
//! fresh `client_generated_id`. Nothing here changes local state: a sent
//! message enters the conversation when its event notification arrives.

use hangups_proto::hangouts::{
    AddUserRequest, ConversationId, DeleteConversationRequest, EventRequestHeader, ExistingMedia,
    GroupLinkSharingStatus, InviteeID, MessageContent, ModifyOTRStatusRequest, NotificationLevel,
    OffTheRecordStatus, Photo, RemoveUserRequest, RenameConversationRequest, Segment,
    SendChatMessageRequest, SetConversationNotificationLevelRequest,
    SetGroupLinkSharingEnabledRequest, SetTypingRequest, TypingType,
};

use super::conversation::Conversation;
use super::users::UserId;
use super::StateError;
use crate::api::ApiRequest;

impl Conversation {
    fn conversation_id_msg(&self) -> Option<ConversationId> {
        Some(ConversationId {
            id: Some(self.id().to_owned()),
        })
    }

    fn require_group(&self) -> Result<(), StateError> {
        if self.is_group() {
            Ok(())
        } else {
            Err(StateError::NotGroup(self.id().to_owned()))
        }
    }

    /// The event request header: conversation id, `expected_otr`
    /// (`OFF_THE_RECORD` if the conversation is, else `ON_THE_RECORD`), and
    /// [`Conversation::delivery_medium`]. `client_generated_id` is left for
    /// the client to fill.
    pub fn event_request_header(&self) -> EventRequestHeader {
        EventRequestHeader {
            conversation_id: self.conversation_id_msg(),
            expected_otr: Some(if self.is_off_the_record() {
                OffTheRecordStatus::OFF_THE_RECORD_STATUS_OFF_THE_RECORD
            } else {
                OffTheRecordStatus::OFF_THE_RECORD_STATUS_ON_THE_RECORD
            }),
            delivery_medium: Some(self.delivery_medium()),
            ..Default::default()
        }
    }

    /// `SendChatMessage` with these segments (message content always
    /// present); `image_id` attaches an uploaded or existing photo, and
    /// `image_user_id` names its owner (`is_custom_user_id = true`).
    pub fn send_message_request(
        &self,
        segments: Vec<Segment>,
        image_id: Option<&str>,
        image_user_id: Option<&str>,
    ) -> SendChatMessageRequest {
        let existing_media = image_id.map(|id| ExistingMedia {
            photo: Some(Box::new(Photo {
                photo_id: Some(id.to_owned()),
                user_id: image_user_id.map(str::to_owned),
                is_custom_user_id: image_user_id.map(|_| true),
                ..Default::default()
            })),
        });
        SendChatMessageRequest {
            message_content: Some(Box::new(MessageContent {
                segment: segments,
                ..Default::default()
            })),
            existing_media,
            event_request_header: Some(Box::new(self.event_request_header())),
            ..Default::default()
        }
    }

    /// `RenameConversation{new_name}`.
    pub fn rename_request(&self, name: &str) -> RenameConversationRequest {
        RenameConversationRequest {
            new_name: Some(name.to_owned()),
            event_request_header: Some(Box::new(self.event_request_header())),
            ..Default::default()
        }
    }

    /// `SetConversationNotificationLevel{conversation_id, level}`.
    pub fn set_notification_level_request(
        &self,
        level: NotificationLevel,
    ) -> SetConversationNotificationLevelRequest {
        SetConversationNotificationLevelRequest {
            conversation_id: self.conversation_id_msg(),
            level: Some(level),
            ..Default::default()
        }
    }

    /// `ModifyOTRStatus{otr_status}`.
    pub fn modify_otr_status_request(&self, status: OffTheRecordStatus) -> ModifyOTRStatusRequest {
        ModifyOTRStatusRequest {
            otr_status: Some(status),
            event_request_header: Some(Box::new(self.event_request_header())),
            ..Default::default()
        }
    }

    /// `SetTyping{conversation_id, type}` (hangups' default is `STARTED`).
    pub fn set_typing_request(&self, typing: TypingType) -> SetTypingRequest {
        SetTypingRequest {
            conversation_id: self.conversation_id_msg(),
            r#type: Some(typing),
            ..Default::default()
        }
    }

    /// `AddUser{invitee_id=[gaia ids]}`; groups only.
    pub fn add_users_request(&self, users: &[UserId]) -> Result<AddUserRequest, StateError> {
        self.require_group()?;
        Ok(AddUserRequest {
            invitee_id: users
                .iter()
                .map(|u| InviteeID {
                    gaia_id: Some(u.gaia_id.clone()),
                    ..Default::default()
                })
                .collect(),
            event_request_header: Some(Box::new(self.event_request_header())),
            ..Default::default()
        })
    }

    /// `RemoveUser{participant_id{gaia_id}}`; groups only.
    pub fn remove_user_request(&self, user: &UserId) -> Result<RemoveUserRequest, StateError> {
        self.require_group()?;
        Ok(RemoveUserRequest {
            participant_id: Some(Box::new(hangups_proto::hangouts::ParticipantId {
                gaia_id: Some(user.gaia_id.clone()),
                chat_id: None,
            })),
            event_request_header: Some(Box::new(self.event_request_header())),
            ..Default::default()
        })
    }

    /// Leaving: a group gets `RemoveUser` without a participant; a
    /// one-to-one conversation `DeleteConversation` with
    /// `delete_upper_bound_timestamp = now_us` (the caller's clock, µs).
    /// Afterwards, [`ConversationList::remove_conversation`](super::ConversationList::remove_conversation).
    pub fn leave_request(&self, now_us: u64) -> ApiRequest {
        if self.is_group() {
            ApiRequest::from(RemoveUserRequest {
                event_request_header: Some(Box::new(self.event_request_header())),
                ..Default::default()
            })
        } else {
            ApiRequest::from(DeleteConversationRequest {
                conversation_id: self.conversation_id_msg(),
                delete_upper_bound_timestamp: Some(now_us),
                ..Default::default()
            })
        }
    }

    /// `SetGroupLinkSharingEnabled{status ON or OFF}`; groups only.
    pub fn set_group_link_sharing_enabled_request(
        &self,
        enabled: bool,
    ) -> Result<SetGroupLinkSharingEnabledRequest, StateError> {
        self.require_group()?;
        Ok(SetGroupLinkSharingEnabledRequest {
            event_request_header: Some(Box::new(self.event_request_header())),
            group_link_sharing_status: Some(if enabled {
                GroupLinkSharingStatus::GROUP_LINK_SHARING_STATUS_ON
            } else {
                GroupLinkSharingStatus::GROUP_LINK_SHARING_STATUS_OFF
            }),
            ..Default::default()
        })
    }
}
