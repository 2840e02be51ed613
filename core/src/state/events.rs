//! [`ConversationEvent`]: an `Event` message with its kind (PROTOCOL.md
//! §7.3 "Event wrapping", §7.8 text).

use hangups_proto::hangouts::{
    ChatMessage, ConversationId, DeliveryMedium, DeliveryMediumType, EmbedItem, Event, EventType,
    Formatting, GroupLinkSharingModification, GroupLinkSharingStatus, HangoutEvent,
    HangoutEventType, LinkData, MembershipChange, MembershipChangeType, MessageContent,
    NotificationLevel, OTRModification, OffTheRecordStatus, ParticipantId, PlusPhotoThumbnail,
    Segment, SegmentType, UserEventState,
};

use std::borrow::Cow;
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

/// An event in a conversation's permanent record: what the `Event` message
/// said, its [`EventKind`], and typed views of the kind's data.
///
/// Stored for memory (see [`crate::state`]'s "Memory" section): a plain
/// chat message (text segments, no attachment or annotation; nearly every
/// event) is kept in a compact form (one string buffer for the event id,
/// client id and segment texts, a boxed segment slice, the conversation id
/// and the user ids shared with every other event of the conversation),
/// and [`ConversationEvent::raw`] rebuilds the `Event` message from it;
/// any other event keeps its message. Both are behind one `Arc`: cloning
/// a `ConversationEvent` (as the fold does for
/// [`Notification::NewEvent`](super::Notification::NewEvent)) copies
/// nothing.
#[derive(Clone, PartialEq)]
pub struct ConversationEvent(Arc<Repr>);

#[derive(Clone, Debug, PartialEq)]
enum Repr {
    Compact(Compact),
    Full { event: Box<Event>, kind: EventKind },
}

impl std::fmt::Debug for ConversationEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConversationEvent")
            .field("kind", &self.kind())
            .field("event", &*self.raw())
            .finish()
    }
}

impl From<Event> for ConversationEvent {
    fn from(event: Event) -> Self {
        ConversationEvent::new(event)
    }
}

/// Shares the ids the events of one conversation repeat: the
/// conversation id and each user's `ParticipantId` are kept once and
/// every event holds an `Arc` of them.
#[derive(Clone, Debug, Default)]
pub(super) struct Interner {
    conversation: Option<Arc<str>>,
    users: Vec<Arc<ParticipantId>>,
}

impl Interner {
    /// The shared conversation id equal to `id`.
    pub(super) fn conversation(&mut self, id: &str) -> Arc<str> {
        match &self.conversation {
            Some(c) if **c == *id => c.clone(),
            _ => {
                let c: Arc<str> = id.into();
                if self.conversation.is_none() {
                    self.conversation = Some(c.clone());
                }
                c
            }
        }
    }

    /// The shared `ParticipantId` equal to `p` (a conversation has a few
    /// users, so a linear search is the fastest lookup).
    pub(super) fn user(&mut self, p: &ParticipantId) -> Arc<ParticipantId> {
        if let Some(u) = self.users.iter().find(|u| ***u == *p) {
            return u.clone();
        }
        let u = Arc::new(p.clone());
        self.users.push(u.clone());
        u
    }
}

impl ConversationEvent {
    /// Wraps an `Event` message.
    pub fn new(event: Event) -> Self {
        match Compact::of(&event, &mut Interner::default()) {
            Some(c) => ConversationEvent(Arc::new(Repr::Compact(c))),
            None => ConversationEvent::full(event),
        }
    }

    fn full(event: Event) -> Self {
        let kind = EventKind::of(&event);
        ConversationEvent(Arc::new(Repr::Full {
            event: Box::new(event),
            kind,
        }))
    }

    /// Stores a borrowed `Event`, sharing ids through `interner`.
    pub(super) fn from_proto(event: &Event, interner: &mut Interner) -> Self {
        match Compact::of(event, interner) {
            Some(c) => ConversationEvent(Arc::new(Repr::Compact(c))),
            None => ConversationEvent::full(event.clone()),
        }
    }

    /// Shares this event's ids through `interner` (when it is not shared
    /// yet, as after [`ConversationEvent::new`]).
    pub(super) fn intern(&mut self, interner: &mut Interner) {
        if let Some(Repr::Compact(c)) = Arc::get_mut(&mut self.0) {
            c.conversation = interner.conversation(&c.conversation);
            c.sender = interner.user(&c.sender);
            if let Some(u) = &mut c.self_user {
                *u = interner.user(u);
            }
        }
    }

    /// The event's id (`event_id`; empty if absent).
    pub fn id(&self) -> &str {
        match &*self.0 {
            Repr::Compact(c) => c.id(),
            Repr::Full { event, .. } => event.event_id.as_deref().unwrap_or(""),
        }
    }

    /// Whether [`ConversationEvent::id`] is `id`.
    pub(super) fn has_id(&self, id: &str) -> bool {
        match &*self.0 {
            Repr::Compact(c) => c.id_bytes() == id.as_bytes(),
            Repr::Full { event, .. } => event.event_id.as_deref().unwrap_or("") == id,
        }
    }

    /// When it happened, in microseconds since the Unix epoch (0 if
    /// absent).
    pub fn timestamp(&self) -> u64 {
        match &*self.0 {
            Repr::Compact(c) => c.timestamp,
            Repr::Full { event, .. } => event.timestamp.unwrap_or(0),
        }
    }

    /// Who created it (`sender_id`).
    pub fn user_id(&self) -> UserId {
        match &*self.0 {
            Repr::Compact(c) => UserId::from_participant_id(&c.sender),
            Repr::Full { event, .. } => UserId::from_opt(event.sender_id.as_ref()),
        }
    }

    /// The conversation it belongs to (empty if absent).
    pub fn conversation_id(&self) -> &str {
        match &*self.0 {
            Repr::Compact(c) => &c.conversation,
            Repr::Full { event, .. } => event
                .conversation_id
                .as_ref()
                .and_then(|c| c.id.as_deref())
                .unwrap_or(""),
        }
    }

    /// Its kind.
    pub fn kind(&self) -> EventKind {
        match &*self.0 {
            Repr::Compact(_) => EventKind::ChatMessage,
            Repr::Full { kind, .. } => *kind,
        }
    }

    /// Whether `event_type` is `EVENT_TYPE_OBSERVED_EVENT`, which is not a
    /// conversation event (skipped when a conversation is built).
    pub fn is_observed(&self) -> bool {
        let observed = EventType::EVENT_TYPE_OBSERVED_EVENT;
        match &*self.0 {
            Repr::Compact(c) => c.has(HAS_EVENT_TYPE) && i32::from(c.event_type) == observed.0,
            Repr::Full { event, .. } => event.event_type == Some(observed),
        }
    }

    /// The underlying message: borrowed when it is kept, else rebuilt
    /// (equal to the message the event was made from).
    pub fn raw(&self) -> Cow<'_, Event> {
        match &*self.0 {
            Repr::Compact(c) => Cow::Owned(c.to_event()),
            Repr::Full { event, .. } => Cow::Borrowed(event),
        }
    }

    /// Unwraps the underlying message.
    pub fn into_raw(self) -> Event {
        match Arc::try_unwrap(self.0) {
            Ok(Repr::Full { event, .. }) => *event,
            Ok(Repr::Compact(c)) => c.to_event(),
            Err(shared) => ConversationEvent(shared).raw().into_owned(),
        }
    }

    fn event(&self) -> Option<&Event> {
        match &*self.0 {
            Repr::Compact(_) => None,
            Repr::Full { event, .. } => Some(event),
        }
    }

    /// The chat message, if this is a [`EventKind::ChatMessage`].
    pub fn as_chat_message(&self) -> Option<ChatMessageEvent<'_>> {
        match &*self.0 {
            Repr::Compact(c) => Some(ChatMessageEvent {
                message: ChatRef::Compact(c),
            }),
            Repr::Full { event, kind } => match (kind, &event.chat_message) {
                (EventKind::ChatMessage, Some(message)) => Some(ChatMessageEvent {
                    message: ChatRef::Proto(message),
                }),
                _ => None,
            },
        }
    }

    /// The OTR change, if this is an [`EventKind::Otr`].
    pub fn as_otr(&self) -> Option<OtrEvent<'_>> {
        match (self.kind(), self.event()?.otr_modification.as_deref()) {
            (EventKind::Otr, Some(m)) => Some(OtrEvent(m)),
            _ => None,
        }
    }

    /// The rename, if this is an [`EventKind::Rename`].
    pub fn as_rename(&self) -> Option<RenameEvent<'_>> {
        match (self.kind(), &self.event()?.conversation_rename) {
            (EventKind::Rename, Some(r)) => Some(RenameEvent {
                new_name: r.new_name.as_deref().unwrap_or(""),
                old_name: r.old_name.as_deref().unwrap_or(""),
            }),
            _ => None,
        }
    }

    /// The membership change, if this is an [`EventKind::MembershipChange`].
    pub fn as_membership_change(&self) -> Option<MembershipChangeEvent<'_>> {
        match (self.kind(), self.event()?.membership_change.as_deref()) {
            (EventKind::MembershipChange, Some(m)) => Some(MembershipChangeEvent(m)),
            _ => None,
        }
    }

    /// The Hangout call event, if this is an [`EventKind::Hangout`].
    pub fn as_hangout(&self) -> Option<HangoutCallEvent<'_>> {
        match (self.kind(), self.event()?.hangout_event.as_deref()) {
            (EventKind::Hangout, Some(h)) => Some(HangoutCallEvent(h)),
            _ => None,
        }
    }

    /// The group link sharing change, if this is an
    /// [`EventKind::GroupLinkSharingModification`].
    pub fn as_group_link_sharing_modification(
        &self,
    ) -> Option<GroupLinkSharingModificationEvent<'_>> {
        match (self.kind(), &self.event()?.group_link_sharing_modification) {
            (EventKind::GroupLinkSharingModification, Some(g)) => {
                Some(GroupLinkSharingModificationEvent(g))
            }
            _ => None,
        }
    }
}

// Presence bits of `Compact::bits`.
const HAS_TIMESTAMP: u32 = 1;
const HAS_SELF_STATE: u32 = 1 << 1;
const HAS_SELF_USER: u32 = 1 << 2;
const HAS_CGID: u32 = 1 << 3;
const HAS_NOTIFICATION_LEVEL: u32 = 1 << 4;
const HAS_MESSAGE_CONTENT: u32 = 1 << 5;
const HAS_OTR_STATUS: u32 = 1 << 6;
const HAS_MEDIUM: u32 = 1 << 7;
const HAS_MEDIUM_TYPE: u32 = 1 << 8;
const HAS_EVENT_TYPE: u32 = 1 << 9;
const HAS_EVENT_VERSION: u32 = 1 << 10;
/// Two bits each (0 absent, 1 false, 2 true).
const ADVANCES_SHIFT: u32 = 11;
const PERSISTED_SHIFT: u32 = 13;

fn tri(b: Option<bool>) -> u32 {
    match b {
        None => 0,
        Some(false) => 1,
        Some(true) => 2,
    }
}

fn untri(bits: u32) -> Option<bool> {
    match bits & 3 {
        1 => Some(false),
        2 => Some(true),
        _ => None,
    }
}

/// A plain chat message event, compact: what [`ConversationEvent`] keeps
/// instead of the `Event` message. Every field of the message is here
/// (events with a field that cannot be, such as attachments, keep the
/// message).
#[derive(Clone, Debug, PartialEq)]
struct Compact {
    /// The event id, the client generated id, then for each segment its
    /// header (LEB128: type, text length, link target length, bits) and
    /// its text and link target (UTF-8, written from `&str`s).
    buf: Box<[u8]>,
    conversation: Arc<str>,
    sender: Arc<ParticipantId>,
    self_user: Option<Arc<ParticipantId>>,
    timestamp: u64,
    event_version: u64,
    id_len: u16,
    cgid_len: u16,
    segment_count: u16,
    bits: u16,
    notification_level: i16,
    otr_status: i16,
    medium_type: i16,
    event_type: i16,
}

/// One text segment's header: its texts follow it in [`Compact::buf`].
#[derive(Clone, Copy, Debug, PartialEq)]
struct CompactSegment {
    r#type: i32,
    /// Text present; formatting present and its four flags (two bits each);
    /// link data present; link target present.
    bits: u16,
}

const SEG_TEXT: u16 = 1;
const SEG_FORMATTING: u16 = 1 << 1;
const SEG_FLAGS_SHIFT: u16 = 2;
const SEG_LINK_DATA: u16 = 1 << 10;
const SEG_LINK_TARGET: u16 = 1 << 11;

fn put_varint(buf: &mut Vec<u8>, mut v: u32) {
    while v >= 0x80 {
        buf.push((v as u8) | 0x80);
        v >>= 7;
    }
    buf.push(v as u8);
}

fn varint_len(v: u32) -> usize {
    match v {
        0..0x80 => 1,
        0x80..0x4000 => 2,
        0x4000..0x20_0000 => 3,
        0x20_0000..0x1000_0000 => 4,
        _ => 5,
    }
}

fn get_varint(buf: &[u8], at: &mut usize) -> u32 {
    let mut v = 0u32;
    let mut shift = 0;
    while let Some(&b) = buf.get(*at) {
        *at += 1;
        if shift < 32 {
            v |= u32::from(b & 0x7f) << shift;
        }
        if b & 0x80 == 0 {
            break;
        }
        shift += 7;
    }
    v
}

/// `buf[at..at + len]` as text (always UTF-8: it was written from a `str`).
fn text_at(buf: &[u8], at: usize, len: usize) -> &str {
    buf.get(at..at + len)
        .and_then(|b| std::str::from_utf8(b).ok())
        .unwrap_or("")
}

/// The value of an enum that fits the compact form (`i16`).
fn small(v: Option<i32>) -> Option<i16> {
    v.map_or(Some(0), |v| i16::try_from(v).ok())
}

impl Compact {
    /// The compact form of `e`, if it has one: a chat message with a
    /// conversation id, an event id and a sender, no attachment, no
    /// annotation, and no field of the other kinds.
    fn of<'e>(e: &'e Event, interner: &mut Interner) -> Option<Compact> {
        let chat = e.chat_message.as_ref()?;
        let conversation = e.conversation_id.as_ref()?.id.as_deref()?;
        let id = e.event_id.as_deref()?;
        let sender = e.sender_id.as_ref()?;
        if !chat.annotation.is_empty()
            || chat
                .message_content
                .as_ref()
                .is_some_and(|c| !c.attachment.is_empty())
            || e.source_type.is_some()
            || e.membership_change.is_some()
            || e.conversation_rename.is_some()
            || e.hangout_event.is_some()
            || e.expiration_timestamp.is_some()
            || e.otr_modification.is_some()
            || e.hash_modifier.is_some()
            || e.group_link_sharing_modification.is_some()
            || e.medium_type
                .as_ref()
                .is_some_and(|m| m.phone_number.is_some())
        {
            return None;
        }
        let segs: &[Segment] = chat
            .message_content
            .as_ref()
            .map_or(&[], |c| c.segment.as_slice());
        let state = e.self_event_state.as_deref();
        let cgid = state.and_then(|s| s.client_generated_id.as_deref());
        let notification_level = small(state.and_then(|s| s.notification_level).map(|n| n.0))?;
        let otr_status = small(e.otr_status.map(|s| s.0))?;
        let medium_type = small(
            e.medium_type
                .as_ref()
                .and_then(|m| m.medium_type)
                .map(|m| m.0),
        )?;
        let event_type = small(e.event_type.map(|t| t.0))?;
        let id_len = u16::try_from(id.len()).ok()?;
        let cgid_len = u16::try_from(cgid.map_or(0, str::len)).ok()?;
        let segment_count = u16::try_from(segs.len()).ok()?;
        // Each segment's header, then its text and link target; the buffer
        // is sized exactly (a boxed slice from a longer Vec reallocates).
        let seg_parts = |s: &'e Segment| -> Option<(u32, u32, u32, u32, &'e str, &'e str)> {
            let text = s.text.as_deref();
            let link = s.link_data.as_ref().and_then(|l| l.link_target.as_deref());
            let mut bits = 0u16;
            if text.is_some() {
                bits |= SEG_TEXT;
            }
            if let Some(f) = &s.formatting {
                bits |= SEG_FORMATTING;
                let flags = tri(f.bold)
                    | tri(f.italic) << 2
                    | tri(f.strikethrough) << 4
                    | tri(f.underline) << 6;
                bits |= (flags as u16) << SEG_FLAGS_SHIFT;
            }
            if s.link_data.is_some() {
                bits |= SEG_LINK_DATA;
            }
            if link.is_some() {
                bits |= SEG_LINK_TARGET;
            }
            let (text, link) = (text.unwrap_or(""), link.unwrap_or(""));
            Some((
                s.r#type.0 as u32,
                u32::try_from(text.len()).ok()?,
                u32::try_from(link.len()).ok()?,
                u32::from(bits),
                text,
                link,
            ))
        };
        let mut len = id.len() + cgid.map_or(0, str::len);
        for s in segs {
            let (ty, tl, ll, bits, text, link) = seg_parts(s)?;
            len += varint_len(ty) + varint_len(tl) + varint_len(ll) + varint_len(bits);
            len += text.len() + link.len();
        }
        let mut buf = Vec::with_capacity(len);
        buf.extend_from_slice(id.as_bytes());
        buf.extend_from_slice(cgid.unwrap_or("").as_bytes());
        for s in segs {
            let (ty, tl, ll, bits, text, link) = seg_parts(s)?;
            put_varint(&mut buf, ty);
            put_varint(&mut buf, tl);
            put_varint(&mut buf, ll);
            put_varint(&mut buf, bits);
            buf.extend_from_slice(text.as_bytes());
            buf.extend_from_slice(link.as_bytes());
        }
        debug_assert_eq!(buf.len(), buf.capacity());
        let mut bits = 0;
        let mut flag = |present: bool, bit: u32| {
            if present {
                bits |= bit;
            }
        };
        flag(e.timestamp.is_some(), HAS_TIMESTAMP);
        flag(state.is_some(), HAS_SELF_STATE);
        flag(state.is_some_and(|s| s.user_id.is_some()), HAS_SELF_USER);
        flag(cgid.is_some(), HAS_CGID);
        flag(
            state.is_some_and(|s| s.notification_level.is_some()),
            HAS_NOTIFICATION_LEVEL,
        );
        flag(chat.message_content.is_some(), HAS_MESSAGE_CONTENT);
        flag(e.otr_status.is_some(), HAS_OTR_STATUS);
        flag(e.medium_type.is_some(), HAS_MEDIUM);
        flag(
            e.medium_type
                .as_ref()
                .is_some_and(|m| m.medium_type.is_some()),
            HAS_MEDIUM_TYPE,
        );
        flag(e.event_type.is_some(), HAS_EVENT_TYPE);
        flag(e.event_version.is_some(), HAS_EVENT_VERSION);
        bits |= tri(e.advances_sort_timestamp) << ADVANCES_SHIFT;
        bits |= tri(e.persisted) << PERSISTED_SHIFT;
        Some(Compact {
            buf: buf.into_boxed_slice(),
            conversation: interner.conversation(conversation),
            sender: interner.user(sender),
            self_user: state
                .and_then(|s| s.user_id.as_deref())
                .map(|u| interner.user(u)),
            timestamp: e.timestamp.unwrap_or(0),
            event_version: e.event_version.unwrap_or(0),
            id_len,
            cgid_len,
            segment_count,
            bits: bits as u16,
            notification_level,
            otr_status,
            medium_type,
            event_type,
        })
    }

    fn has(&self, bit: u32) -> bool {
        u32::from(self.bits) & bit != 0
    }

    fn id(&self) -> &str {
        text_at(&self.buf, 0, self.id_len.into())
    }

    fn id_bytes(&self) -> &[u8] {
        self.buf.get(..self.id_len.into()).unwrap_or(&[])
    }

    /// Each segment with its text and link target.
    fn segments(&self) -> impl Iterator<Item = (CompactSegment, &str, &str)> {
        let buf = &self.buf[..];
        let mut at = usize::from(self.id_len) + usize::from(self.cgid_len);
        (0..self.segment_count).map(move |_| {
            let r#type = get_varint(buf, &mut at) as i32;
            let text_len = get_varint(buf, &mut at) as usize;
            let link_len = get_varint(buf, &mut at) as usize;
            let bits = get_varint(buf, &mut at) as u16;
            let text = text_at(buf, at, text_len);
            at += text_len;
            let link = text_at(buf, at, link_len);
            at += link_len;
            (CompactSegment { r#type, bits }, text, link)
        })
    }

    fn chat_message(&self) -> ChatMessage {
        ChatMessage {
            annotation: Vec::new(),
            message_content: self.has(HAS_MESSAGE_CONTENT).then(|| MessageContent {
                segment: self
                    .segments()
                    .map(|(s, text, link)| {
                        let flag =
                            |shift: u16| untri(u32::from(s.bits >> (SEG_FLAGS_SHIFT + shift)));
                        Segment {
                            r#type: SegmentType(s.r#type),
                            text: (s.bits & SEG_TEXT != 0).then(|| text.to_owned()),
                            formatting: (s.bits & SEG_FORMATTING != 0).then(|| Formatting {
                                bold: flag(0),
                                italic: flag(2),
                                strikethrough: flag(4),
                                underline: flag(6),
                            }),
                            link_data: (s.bits & SEG_LINK_DATA != 0).then(|| LinkData {
                                link_target: (s.bits & SEG_LINK_TARGET != 0)
                                    .then(|| link.to_owned()),
                            }),
                        }
                    })
                    .collect(),
                attachment: Vec::new(),
            }),
        }
    }

    /// The `Event` message this was made from.
    fn to_event(&self) -> Event {
        let cgid = text_at(&self.buf, self.id_len.into(), self.cgid_len.into());
        Event {
            conversation_id: Some(ConversationId {
                id: Some(self.conversation.to_string()),
            }),
            sender_id: Some((*self.sender).clone()),
            timestamp: self.has(HAS_TIMESTAMP).then_some(self.timestamp),
            self_event_state: self.has(HAS_SELF_STATE).then(|| {
                Box::new(UserEventState {
                    user_id: self.self_user.as_ref().map(|u| Box::new((**u).clone())),
                    client_generated_id: self.has(HAS_CGID).then(|| cgid.to_owned()),
                    notification_level: self
                        .has(HAS_NOTIFICATION_LEVEL)
                        .then_some(NotificationLevel(self.notification_level.into())),
                })
            }),
            chat_message: Some(self.chat_message()),
            event_id: Some(self.id().to_owned()),
            advances_sort_timestamp: untri(u32::from(self.bits) >> ADVANCES_SHIFT),
            otr_status: self
                .has(HAS_OTR_STATUS)
                .then_some(OffTheRecordStatus(self.otr_status.into())),
            persisted: untri(u32::from(self.bits) >> PERSISTED_SHIFT),
            medium_type: self.has(HAS_MEDIUM).then(|| DeliveryMedium {
                medium_type: self
                    .has(HAS_MEDIUM_TYPE)
                    .then_some(DeliveryMediumType(self.medium_type.into())),
                phone_number: None,
            }),
            event_type: self
                .has(HAS_EVENT_TYPE)
                .then_some(EventType(self.event_type.into())),
            event_version: self.has(HAS_EVENT_VERSION).then_some(self.event_version),
            ..Default::default()
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
    message: ChatRef<'a>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum ChatRef<'a> {
    Proto(&'a ChatMessage),
    Compact(&'a Compact),
}

impl<'a> ChatMessageEvent<'a> {
    /// The message's segments.
    pub fn segments(&self) -> Vec<ChatMessageSegment> {
        match self.message {
            ChatRef::Proto(m) => m
                .message_content
                .iter()
                .flat_map(|c| c.segment.iter())
                .map(ChatMessageSegment::from_segment)
                .collect(),
            ChatRef::Compact(c) => c
                .segments()
                .map(|(s, text, link)| {
                    let flag = |shift: u16| {
                        s.bits & SEG_FORMATTING != 0
                            && untri(u32::from(s.bits >> (SEG_FLAGS_SHIFT + shift))) == Some(true)
                    };
                    ChatMessageSegment {
                        text: text.to_owned(),
                        segment_type: SegmentType(s.r#type),
                        is_bold: flag(0),
                        is_italic: flag(2),
                        is_strikethrough: flag(4),
                        is_underline: flag(6),
                        link_target: (!link.is_empty()).then(|| link.to_owned()),
                    }
                })
                .collect(),
        }
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
        let message = match self.message {
            ChatRef::Proto(m) => Some(m),
            // The compact form has no attachments.
            ChatRef::Compact(_) => None,
        };
        message
            .into_iter()
            .flat_map(|m| m.message_content.iter())
            .flat_map(|c| c.attachment.iter())
            .filter_map(|a| a.embed_item.as_ref())
    }

    /// The text without formatting, as hangups builds it: TEXT and LINK
    /// texts concatenated, a LINE_BREAK starts a new line, other segment
    /// types are ignored; every photo attachment adds its image URL as an
    /// extra line.
    pub fn text(&self) -> String {
        let mut text = String::new();
        let mut add = |ty: SegmentType, t: &str| match ty {
            SegmentType::SEGMENT_TYPE_TEXT | SegmentType::SEGMENT_TYPE_LINK => text.push_str(t),
            SegmentType::SEGMENT_TYPE_LINE_BREAK => text.push('\n'),
            _ => {}
        };
        match self.message {
            ChatRef::Proto(m) => {
                for segment in m.message_content.iter().flat_map(|c| &c.segment) {
                    add(segment.r#type, segment.text.as_deref().unwrap_or(""));
                }
            }
            ChatRef::Compact(c) => {
                for (s, t, _) in c.segments() {
                    add(SegmentType(s.r#type), t);
                }
            }
        }
        for url in self.image_urls() {
            text.push('\n');
            text.push_str(&url);
        }
        text
    }

    /// The underlying message: borrowed when the event keeps its `Event`
    /// message, else rebuilt.
    pub fn raw(&self) -> Cow<'a, ChatMessage> {
        match self.message {
            ChatRef::Proto(m) => Cow::Borrowed(m),
            ChatRef::Compact(c) => Cow::Owned(c.chat_message()),
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use hangups_proto::hangouts::{Attachment as AttachmentMsg, EventAnnotation};

    fn pid(g: &str) -> ParticipantId {
        ParticipantId {
            gaia_id: Some(g.into()),
            chat_id: Some(g.into()),
        }
    }

    fn chat(segments: Vec<Segment>) -> Event {
        Event {
            conversation_id: Some(ConversationId {
                id: Some("conv".into()),
            }),
            sender_id: Some(pid("1")),
            timestamp: Some(42),
            event_id: Some("ev".into()),
            chat_message: Some(ChatMessage {
                message_content: Some(MessageContent {
                    segment: segments,
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn is_compact(e: &ConversationEvent) -> bool {
        matches!(&*e.0, Repr::Compact(_))
    }

    /// Every field the compact form holds, in each of its states, comes
    /// back from `raw()` as it went in.
    #[test]
    fn compact_chat_events_rebuild_the_message_they_came_from() {
        let tris = [None, Some(false), Some(true)];
        let mut variants = Vec::new();
        for (i, t) in tris.iter().enumerate() {
            let mut e = chat(vec![
                Segment {
                    r#type: SegmentType::SEGMENT_TYPE_TEXT,
                    text: Some("héllo ".into()),
                    formatting: Some(Formatting {
                        bold: *t,
                        italic: tris[(i + 1) % 3],
                        strikethrough: tris[(i + 2) % 3],
                        underline: *t,
                    }),
                    link_data: None,
                },
                Segment {
                    r#type: SegmentType::SEGMENT_TYPE_LINK,
                    text: Some("x.org".into()),
                    formatting: None,
                    link_data: Some(LinkData {
                        link_target: (i != 1).then(|| "https://x.org".into()),
                    }),
                },
                Segment {
                    r#type: SegmentType(99),
                    text: None,
                    ..Default::default()
                },
                // Lengths and a type that take several varint bytes.
                Segment {
                    r#type: SegmentType(-5),
                    text: Some("ü".repeat(200 * (i + 1))),
                    link_data: Some(LinkData {
                        link_target: Some("l".repeat(70_000)),
                    }),
                    ..Default::default()
                },
            ]);
            e.advances_sort_timestamp = *t;
            e.persisted = tris[(i + 1) % 3];
            e.otr_status = (i > 0).then_some(OffTheRecordStatus(i as i32));
            e.event_type = (i != 1).then_some(EventType::EVENT_TYPE_REGULAR_CHAT_MESSAGE);
            e.event_version = (i != 0).then_some(7);
            e.medium_type = match i {
                0 => None,
                1 => Some(DeliveryMedium::default()),
                _ => Some(DeliveryMedium {
                    medium_type: Some(DeliveryMediumType::DELIVERY_MEDIUM_BABEL),
                    phone_number: None,
                }),
            };
            e.self_event_state = match i {
                0 => None,
                1 => Some(Box::default()),
                _ => Some(Box::new(UserEventState {
                    user_id: Some(Box::new(pid("self"))),
                    client_generated_id: Some("cg-1".into()),
                    notification_level: Some(NotificationLevel::NOTIFICATION_LEVEL_RING),
                })),
            };
            if i == 1 {
                e.timestamp = None;
                e.chat_message.as_mut().unwrap().message_content = None;
            }
            variants.push(e);
        }
        for e in variants {
            let stored = ConversationEvent::new(e.clone());
            assert!(is_compact(&stored), "{e:?}");
            assert_eq!(*stored.raw(), e);
            assert_eq!(stored.clone().into_raw(), e);
            let full = ConversationEvent::full(e.clone());
            assert_eq!(stored.id(), full.id());
            assert_eq!(stored.timestamp(), full.timestamp());
            assert_eq!(stored.user_id(), full.user_id());
            assert_eq!(stored.conversation_id(), full.conversation_id());
            assert_eq!(stored.kind(), full.kind());
            assert_eq!(stored.is_observed(), full.is_observed());
            let (a, b) = (
                stored.as_chat_message().unwrap(),
                full.as_chat_message().unwrap(),
            );
            assert_eq!(a.segments(), b.segments());
            assert_eq!(a.text(), b.text());
            assert_eq!(a.raw(), b.raw());
            assert_eq!(a.attachments(), b.attachments());
        }
    }

    #[test]
    fn events_the_compact_form_cannot_hold_keep_their_message() {
        let mut with_attachment = chat(vec![]);
        with_attachment
            .chat_message
            .as_mut()
            .unwrap()
            .message_content
            .as_mut()
            .unwrap()
            .attachment
            .push(AttachmentMsg::default());
        let mut annotated = chat(vec![]);
        annotated
            .chat_message
            .as_mut()
            .unwrap()
            .annotation
            .push(EventAnnotation::default());
        let mut expiring = chat(vec![]);
        expiring.expiration_timestamp = Some(1);
        let mut no_id = chat(vec![]);
        no_id.event_id = None;
        let rename = Event {
            event_id: Some("r".into()),
            conversation_rename: Some(Box::default()),
            ..Default::default()
        };
        for e in [with_attachment, annotated, expiring, no_id, rename] {
            let stored = ConversationEvent::new(e.clone());
            assert!(!is_compact(&stored), "{e:?}");
            assert!(matches!(stored.raw(), Cow::Borrowed(_)));
            assert_eq!(*stored.raw(), e);
        }
    }

    #[test]
    fn a_stored_event_is_one_small_arc() {
        // The memory figure of the fold bench rests on these.
        assert_eq!(std::mem::size_of::<ConversationEvent>(), 8);
        assert!(
            std::mem::size_of::<Repr>() <= 80,
            "{}",
            std::mem::size_of::<Repr>()
        );
    }

    #[test]
    fn events_of_one_conversation_share_its_ids() {
        let mut interner = Interner::default();
        let a = ConversationEvent::from_proto(&chat(vec![]), &mut interner);
        let mut b = ConversationEvent::new(chat(vec![]));
        b.intern(&mut interner);
        let (Repr::Compact(a), Repr::Compact(b)) = (&*a.0, &*b.0) else {
            panic!("not compact");
        };
        assert!(Arc::ptr_eq(&a.conversation, &b.conversation));
        assert!(Arc::ptr_eq(&a.sender, &b.sender));
    }
}
