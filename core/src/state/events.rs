//! [`ConversationEvent`]: an `Event` message with its kind (PROTOCOL.md
//! §7.3 "Event wrapping", §7.8 text).

use hangups_proto::hangouts::{
    ChatMessage, EmbedItem, Event, EventType, GroupLinkSharingModification, GroupLinkSharingStatus,
    HangoutEvent, HangoutEventType, MembershipChange, MembershipChangeType, OTRModification,
    OffTheRecordStatus, PlusPhotoThumbnail, SegmentType,
};

use std::sync::Arc;

use super::users::UserId;
use crate::message::ChatMessageSegment;

/// What an event is, by the first sub-message present in this order
/// (hangups' event classes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// `chat_message`: hangups' `ChatMessageEvent`.
    ChatMessage,
    /// `otr_modification`: `OTREvent`.
    Otr,
    /// `conversation_rename`: `RenameEvent`.
    Rename,
    /// `membership_change`: `MembershipChangeEvent`.
    MembershipChange,
    /// `hangout_event`: `HangoutEvent`.
    Hangout,
    /// `group_link_sharing_modification`:
    /// `GroupLinkSharingModificationEvent`.
    GroupLinkSharingModification,
    /// None of those: a plain `ConversationEvent`.
    Generic,
}

impl EventKind {
    /// The kind of `event` (first present wins).
    pub fn of(event: &Event) -> Self {
        if event.chat_message.is_some() {
            EventKind::ChatMessage
        } else if event.otr_modification.is_some() {
            EventKind::Otr
        } else if event.conversation_rename.is_some() {
            EventKind::Rename
        } else if event.membership_change.is_some() {
            EventKind::MembershipChange
        } else if event.hangout_event.is_some() {
            EventKind::Hangout
        } else if event.group_link_sharing_modification.is_some() {
            EventKind::GroupLinkSharingModification
        } else {
            EventKind::Generic
        }
    }
}

/// An event in a conversation's permanent record: the `Event` message, its
/// [`EventKind`], and typed views of the kind's data.
///
/// The message is immutable and shared: cloning a `ConversationEvent` (as
/// the fold does for [`Notification::NewEvent`](super::Notification::NewEvent))
/// does not copy it.
#[derive(Clone, Debug, PartialEq)]
pub struct ConversationEvent {
    event: Arc<Event>,
    kind: EventKind,
}

impl From<Event> for ConversationEvent {
    fn from(event: Event) -> Self {
        ConversationEvent::new(event)
    }
}

impl ConversationEvent {
    /// Wraps an `Event` message.
    pub fn new(event: Event) -> Self {
        let kind = EventKind::of(&event);
        ConversationEvent {
            event: Arc::new(event),
            kind,
        }
    }

    /// The event's id (`event_id`; empty if absent).
    pub fn id(&self) -> &str {
        self.event.event_id.as_deref().unwrap_or("")
    }

    /// When it happened, in microseconds since the Unix epoch (0 if
    /// absent).
    pub fn timestamp(&self) -> u64 {
        self.event.timestamp.unwrap_or(0)
    }

    /// Who created it (`sender_id`).
    pub fn user_id(&self) -> UserId {
        UserId::from_opt(self.event.sender_id.as_ref())
    }

    /// The conversation it belongs to (empty if absent).
    pub fn conversation_id(&self) -> &str {
        self.event
            .conversation_id
            .as_ref()
            .and_then(|c| c.id.as_deref())
            .unwrap_or("")
    }

    /// Its kind.
    pub fn kind(&self) -> EventKind {
        self.kind
    }

    /// Whether `event_type` is `EVENT_TYPE_OBSERVED_EVENT`, which is not a
    /// conversation event (skipped when a conversation is built).
    pub fn is_observed(&self) -> bool {
        self.event.event_type == Some(EventType::EVENT_TYPE_OBSERVED_EVENT)
    }

    /// The underlying message.
    pub fn raw(&self) -> &Event {
        &self.event
    }

    /// Unwraps the underlying message.
    pub fn into_raw(self) -> Event {
        Arc::unwrap_or_clone(self.event)
    }

    /// The chat message, if this is a [`EventKind::ChatMessage`].
    pub fn as_chat_message(&self) -> Option<ChatMessageEvent<'_>> {
        match (self.kind, &self.event.chat_message) {
            (EventKind::ChatMessage, Some(message)) => Some(ChatMessageEvent { message }),
            _ => None,
        }
    }

    /// The OTR change, if this is an [`EventKind::Otr`].
    pub fn as_otr(&self) -> Option<OtrEvent<'_>> {
        match (self.kind, &self.event.otr_modification) {
            (EventKind::Otr, Some(m)) => Some(OtrEvent(m)),
            _ => None,
        }
    }

    /// The rename, if this is an [`EventKind::Rename`].
    pub fn as_rename(&self) -> Option<RenameEvent<'_>> {
        match (self.kind, &self.event.conversation_rename) {
            (EventKind::Rename, Some(r)) => Some(RenameEvent {
                new_name: r.new_name.as_deref().unwrap_or(""),
                old_name: r.old_name.as_deref().unwrap_or(""),
            }),
            _ => None,
        }
    }

    /// The membership change, if this is an [`EventKind::MembershipChange`].
    pub fn as_membership_change(&self) -> Option<MembershipChangeEvent<'_>> {
        match (self.kind, &self.event.membership_change) {
            (EventKind::MembershipChange, Some(m)) => Some(MembershipChangeEvent(m)),
            _ => None,
        }
    }

    /// The Hangout call event, if this is an [`EventKind::Hangout`].
    pub fn as_hangout(&self) -> Option<HangoutCallEvent<'_>> {
        match (self.kind, &self.event.hangout_event) {
            (EventKind::Hangout, Some(h)) => Some(HangoutCallEvent(h)),
            _ => None,
        }
    }

    /// The group link sharing change, if this is an
    /// [`EventKind::GroupLinkSharingModification`].
    pub fn as_group_link_sharing_modification(
        &self,
    ) -> Option<GroupLinkSharingModificationEvent<'_>> {
        match (self.kind, &self.event.group_link_sharing_modification) {
            (EventKind::GroupLinkSharingModification, Some(g)) => {
                Some(GroupLinkSharingModificationEvent(g))
            }
            _ => None,
        }
    }
}

/// A chat message attachment, read from its `EmbedItem`.
#[derive(Clone, Debug, PartialEq)]
pub enum Attachment {
    /// A photo (`embed_item.plus_photo`).
    Photo {
        /// `thumbnail.image_url`: the URL hangups shows (empty if absent).
        image_url: String,
        /// `plus_photo.url`, if any.
        url: Option<String>,
        /// `plus_photo.photo_id`, if any.
        photo_id: Option<String>,
    },
    /// A place (`embed_item.place`), e.g. a shared location.
    Place {
        /// The place's name, if any.
        name: Option<String>,
        /// The place's URL (usually a maps link), if any.
        url: Option<String>,
        /// `(latitude, longitude)` from `place.geo.geo_coordinates`, if any.
        coordinates: Option<(f64, f64)>,
        /// `place.address.postal_address.street_address`, if any.
        address: Option<String>,
    },
    /// Bare coordinates (`embed_item.geo_coordinates`).
    Location {
        /// Latitude in degrees (0 if absent).
        latitude: f64,
        /// Longitude in degrees (0 if absent).
        longitude: f64,
    },
    /// Any other embed item, as it came.
    Other(Box<EmbedItem>),
}

impl Attachment {
    /// Reads one embed item.
    pub fn from_embed_item(item: &EmbedItem) -> Self {
        if let Some(photo) = &item.plus_photo {
            let thumb: Option<&PlusPhotoThumbnail> = photo.thumbnail.as_deref();
            return Attachment::Photo {
                image_url: thumb.and_then(|t| t.image_url.clone()).unwrap_or_default(),
                url: photo.url.clone(),
                photo_id: photo.photo_id.clone(),
            };
        }
        if let Some(place) = &item.place {
            let coordinates = place
                .geo
                .as_ref()
                .and_then(|g| g.geo_coordinates.as_ref())
                .map(|c| (c.latitude.unwrap_or(0.0), c.longitude.unwrap_or(0.0)));
            let address = place
                .address
                .as_ref()
                .and_then(|a| a.postal_address.as_ref())
                .and_then(|p| p.street_address.clone());
            return Attachment::Place {
                name: place.name.clone(),
                url: place.url.clone(),
                coordinates,
                address,
            };
        }
        if let Some(c) = &item.geo_coordinates {
            return Attachment::Location {
                latitude: c.latitude.unwrap_or(0.0),
                longitude: c.longitude.unwrap_or(0.0),
            };
        }
        Attachment::Other(Box::new(item.clone()))
    }
}

/// A chat message (hangups' `ChatMessageEvent`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ChatMessageEvent<'a> {
    message: &'a ChatMessage,
}

impl<'a> ChatMessageEvent<'a> {
    /// The message's segments.
    pub fn segments(&self) -> Vec<ChatMessageSegment> {
        self.message
            .message_content
            .iter()
            .flat_map(|c| c.segment.iter())
            .map(ChatMessageSegment::from_segment)
            .collect()
    }

    /// The attachments, typed.
    pub fn attachments(&self) -> Vec<Attachment> {
        self.embed_items()
            .map(Attachment::from_embed_item)
            .collect()
    }

    /// hangups' `attachments`: the `thumbnail.image_url` of every photo
    /// attachment (empty when a photo has none).
    pub fn image_urls(&self) -> Vec<String> {
        self.embed_items()
            .filter_map(|item| item.plus_photo.as_ref())
            .map(|p| {
                p.thumbnail
                    .as_ref()
                    .and_then(|t| t.image_url.clone())
                    .unwrap_or_default()
            })
            .collect()
    }

    fn embed_items(&self) -> impl Iterator<Item = &'a EmbedItem> + 'a {
        self.message
            .message_content
            .iter()
            .flat_map(|c| c.attachment.iter())
            .filter_map(|a| a.embed_item.as_ref())
    }

    /// The text without formatting, as hangups builds it: TEXT and LINK
    /// texts concatenated, a LINE_BREAK starts a new line, other segment
    /// types are ignored; every photo attachment adds its image URL as an
    /// extra line.
    pub fn text(&self) -> String {
        let mut text = String::new();
        for segment in self.message.message_content.iter().flat_map(|c| &c.segment) {
            match segment.r#type {
                SegmentType::SEGMENT_TYPE_TEXT | SegmentType::SEGMENT_TYPE_LINK => {
                    text.push_str(segment.text.as_deref().unwrap_or(""));
                }
                SegmentType::SEGMENT_TYPE_LINE_BREAK => text.push('\n'),
                _ => {}
            }
        }
        for url in self.image_urls() {
            text.push('\n');
            text.push_str(&url);
        }
        text
    }

    /// The underlying message.
    pub fn raw(&self) -> &'a ChatMessage {
        self.message
    }
}

/// A change of the conversation's off-the-record status (`OTREvent`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OtrEvent<'a>(&'a OTRModification);

impl OtrEvent<'_> {
    /// The new status (`OFF_THE_RECORD` or `ON_THE_RECORD`; 0 if absent).
    pub fn new_otr_status(&self) -> OffTheRecordStatus {
        self.0.new_otr_status.unwrap_or_default()
    }

    /// The old status (0 if absent).
    pub fn old_otr_status(&self) -> OffTheRecordStatus {
        self.0.old_otr_status.unwrap_or_default()
    }
}

/// A rename (`RenameEvent`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RenameEvent<'a> {
    /// The new name; empty if the name was cleared.
    pub new_name: &'a str,
    /// The old name; empty if there was none.
    pub old_name: &'a str,
}

/// Participants joining or leaving (`MembershipChangeEvent`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MembershipChangeEvent<'a>(&'a MembershipChange);

impl MembershipChangeEvent<'_> {
    /// `MEMBERSHIP_CHANGE_TYPE_JOIN` or `_LEAVE` (0 if absent).
    pub fn change_type(&self) -> MembershipChangeType {
        self.0.r#type.unwrap_or_default()
    }

    /// The users involved.
    pub fn participant_ids(&self) -> Vec<UserId> {
        self.0
            .participant_ids
            .iter()
            .map(UserId::from_participant_id)
            .collect()
    }
}

/// A Hangout voice or video call event (hangups' `HangoutEvent`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct HangoutCallEvent<'a>(&'a HangoutEvent);

impl HangoutCallEvent<'_> {
    /// Start, end, join, leave, … (0 if absent).
    pub fn event_type(&self) -> HangoutEventType {
        self.0.event_type.unwrap_or_default()
    }

    /// The participants involved.
    pub fn participant_ids(&self) -> Vec<UserId> {
        self.0
            .participant_id
            .iter()
            .map(UserId::from_participant_id)
            .collect()
    }
}

/// A change of group link sharing (`GroupLinkSharingModificationEvent`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GroupLinkSharingModificationEvent<'a>(&'a GroupLinkSharingModification);

impl GroupLinkSharingModificationEvent<'_> {
    /// `GROUP_LINK_SHARING_STATUS_ON` or `_OFF` (0 if absent).
    pub fn new_status(&self) -> GroupLinkSharingStatus {
        self.0.new_status.unwrap_or_default()
    }
}
