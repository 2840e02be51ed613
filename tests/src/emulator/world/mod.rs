//! The in-memory world: users, conversations and their events, and how
//! each of them looks to a given user (the protobuf views the API returns
//! and the channel pushes).
//!
//! Every change an API call or the control API makes goes through
//! [`ops`](self::ops) and leaves the StateUpdates it causes in
//! [`World::outbox`], one per recipient user; the channel then copies each
//! into every subscribed session of that user.

mod defaults;
mod events;
mod ops;
mod phones;
mod queries;
mod repeat;
mod sync;
mod typing;

pub(crate) use ops::{Caller, Fail};

use super::ids::{Clock, Ids};
use hangups_proto::hangouts::*;
use std::collections::{BTreeMap, BTreeSet};

/// One user of the world.
#[derive(Debug, Clone)]
pub(crate) struct User {
    /// The gaia id, also used as chat id.
    pub id: String,
    /// The display name.
    pub name: String,
    /// The email address, if any.
    pub email: Option<String>,
    /// The session cookies that authenticate as this user, in the order a
    /// browser would send them (SID, HSID, SSID, APISID, SAPISID).
    pub cookies: Vec<(String, String)>,
    /// Presence as set by SetPresence.
    pub presence: UserPresence,
    /// The active client (`client id`, valid until µs) set by SetActiveClient.
    pub active_client: Option<(String, u64)>,
    /// The E.164 number of a phone (Google Voice) user (see `phones`).
    pub phone: Option<String>,
}

impl User {
    /// The SAPISID cookie value.
    pub fn sapisid(&self) -> &str {
        cookie(&self.cookies, "SAPISID").unwrap_or("")
    }

    /// The first word of the name.
    pub fn first_name(&self) -> &str {
        self.name.split_whitespace().next().unwrap_or(&self.name)
    }
}

fn cookie<'a>(cookies: &'a [(String, String)], name: &str) -> Option<&'a str> {
    cookies
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// What SetPresence stored for a user.
#[derive(Debug, Clone, Default)]
pub(crate) struct UserPresence {
    /// The client presence state (DESKTOP_ACTIVE by default).
    pub state: Option<ClientPresenceStateType>,
    /// Do not disturb.
    pub dnd: bool,
    /// Desktop off.
    pub desktop_off: bool,
    /// The status message ("mood").
    pub mood: Vec<Segment>,
    /// When the user last did something (µs).
    pub last_seen: u64,
}

/// A user's own state in a conversation.
#[derive(Debug, Clone)]
pub(crate) struct Member {
    pub read_us: u64,
    pub level: NotificationLevel,
    pub archived: bool,
    pub status: ConversationStatus,
    /// Events at or before this are deleted for this user (DeleteConversation).
    pub deleted_upto: u64,
    pub inviter: String,
    pub invite_us: u64,
    pub client_generated_id: Option<String>,
}

impl Member {
    fn new(inviter: &str, invite_us: u64) -> Self {
        Member {
            read_us: 0,
            level: NotificationLevel::NOTIFICATION_LEVEL_RING,
            archived: false,
            status: ConversationStatus::CONVERSATION_STATUS_ACTIVE,
            deleted_upto: 0,
            inviter: inviter.to_string(),
            invite_us,
            client_generated_id: None,
        }
    }
}

/// An event as stored: the proto without `self_event_state`, which is
/// made per viewer, and the sender's client-generated id.
#[derive(Debug, Clone)]
pub(crate) struct StoredEvent {
    pub event: Event,
    pub client_generated_id: Option<String>,
    /// Kept in history: false for an event of an off-the-record
    /// conversation (`persisted: false`), which is pushed once and then
    /// gone (GetConversation, SyncRecentConversations and
    /// SyncAllNewEvents never return it).
    pub kept: bool,
}

impl StoredEvent {
    pub fn timestamp(&self) -> u64 {
        self.event.timestamp.unwrap_or(0)
    }
    pub fn id(&self) -> &str {
        self.event.event_id.as_deref().unwrap_or("")
    }
}

/// One conversation.
#[derive(Debug, Clone)]
pub(crate) struct Conv {
    pub id: String,
    pub kind: ConversationType,
    pub name: Option<String>,
    /// Current participants, in joining order.
    pub participants: Vec<String>,
    /// Everyone who ever took part, with their own state.
    pub members: BTreeMap<String, Member>,
    /// Events, oldest first, timestamps strictly increasing.
    pub events: Vec<StoredEvent>,
    pub otr: OffTheRecordStatus,
    pub link_sharing: GroupLinkSharingStatus,
    /// Timestamp of the newest event (creation time before any).
    pub sort_us: u64,
    /// When anything about the conversation last changed.
    pub changed_us: u64,
    /// The token of the group link.
    pub link_token: String,
    /// A hangout (call) is going on: started and not yet ended.
    pub active_hangout: bool,
}

impl Conv {
    pub fn is_group(&self) -> bool {
        self.kind == ConversationType::CONVERSATION_TYPE_GROUP
    }

    pub fn is_participant(&self, user: &str) -> bool {
        self.participants.iter().any(|p| p == user)
    }

    /// The events `viewer` can see in history (kept, not deleted by
    /// them), oldest first.
    pub fn visible_events<'a>(&'a self, viewer: &str) -> impl Iterator<Item = &'a StoredEvent> {
        let upto = self.members.get(viewer).map_or(0, |m| m.deleted_upto);
        self.events
            .iter()
            .filter(move |e| e.kept && e.timestamp() > upto)
    }

    /// Whether the conversation shows in `viewer`'s list: a current
    /// participant who has not deleted it (or got new events since).
    pub fn listed_for(&self, viewer: &str) -> bool {
        let Some(m) = self.members.get(viewer) else {
            return false;
        };
        if !self.is_participant(viewer) || m.status == ConversationStatus::CONVERSATION_STATUS_LEFT
        {
            return false;
        }
        m.deleted_upto == 0
            || self
                .events
                .last()
                .is_some_and(|e| e.timestamp() > m.deleted_upto)
    }
}

/// A StateUpdate for every subscribed session of `user` (the header is
/// filled in per session at delivery).
#[derive(Debug, Clone)]
pub(crate) struct Push {
    pub user: String,
    pub update: StateUpdate,
    /// Only for sessions subscribed to `babel_presence_last_seen`.
    pub presence: bool,
}

/// An uploaded image.
#[derive(Debug, Clone)]
pub(crate) struct Upload {
    pub owner: String,
    pub filename: String,
    pub size: usize,
    pub bytes: Option<Vec<u8>>,
}

/// The whole world.
#[derive(Debug)]
pub(crate) struct World {
    pub users: Vec<User>,
    pub convs: Vec<Conv>,
    pub self_user: String,
    pub ids: Ids,
    pub clock: Clock,
    pub outbox: Vec<Push>,
    /// Off-network invitations sent: (from, address).
    pub invitations: Vec<(String, String)>,
    /// Image uploads by upload id.
    pub uploads: BTreeMap<String, Upload>,
    /// Event pushes carry partial conversation deltas (see
    /// `partial_delta` in `events`).
    pub partial_deltas: bool,
    /// Conversations whose read states go out zero everywhere but in
    /// GetConversation replies (see [`World::conversation_view`]).
    pub zero_read_states: BTreeSet<String>,
    /// How long a STARTED typing lasts before the server stops it.
    pub typing_timeout: Option<std::time::Duration>,
    /// Typing going on: (conversation, user) → when it expires (µs,
    /// wall clock).
    pub typing: BTreeMap<(String, String), u64>,
}

/// The self user of every world.
pub(crate) const SELF_USER_ID: &str = "100000000000000000001";

impl World {
    /// A world with only the self user.
    pub fn empty(seed: u64) -> World {
        let mut w = World {
            users: Vec::new(),
            convs: Vec::new(),
            self_user: SELF_USER_ID.to_string(),
            ids: Ids::new(seed),
            clock: Clock::default(),
            outbox: Vec::new(),
            invitations: Vec::new(),
            uploads: BTreeMap::new(),
            partial_deltas: false,
            zero_read_states: BTreeSet::new(),
            typing_timeout: None,
            typing: BTreeMap::new(),
        };
        w.add_user(SELF_USER_ID, "Ada Lovelace", Some("ada@example.com"))
            .expect("fresh world");
        w
    }

    /// The default world: the self user, two others, a one-to-one and a
    /// group conversation with a few messages (multi-byte text included).
    pub fn with_defaults(seed: u64) -> World {
        let mut w = World::empty(seed);
        defaults::populate(&mut w);
        w
    }

    pub fn user(&self, id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    pub fn user_mut(&mut self, id: &str) -> Option<&mut User> {
        self.users.iter_mut().find(|u| u.id == id)
    }

    /// The user whose SAPISID cookie is `sapisid`.
    pub fn user_by_sapisid(&self, sapisid: &str) -> Option<&User> {
        self.users.iter().find(|u| u.sapisid() == sapisid)
    }

    pub fn conv(&self, id: &str) -> Option<&Conv> {
        self.convs.iter().find(|c| c.id == id)
    }

    /// A new cookie set (SID, HSID, SSID, APISID, SAPISID).
    pub fn fresh_cookies(&mut self) -> Vec<(String, String)> {
        let mut cookies = Vec::new();
        for (name, len) in [("SID", 71), ("HSID", 17), ("SSID", 17), ("APISID", 34)] {
            cookies.push((name.to_string(), self.ids.cookie(len)));
        }
        let sapisid = format!("{}/{}", self.ids.cookie(16), self.ids.cookie(17));
        cookies.push(("SAPISID".to_string(), sapisid));
        cookies
    }

    /// Adds a user with a fresh cookie set.
    pub fn add_user(&mut self, id: &str, name: &str, email: Option<&str>) -> Result<(), String> {
        if id.is_empty() || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(format!("invalid user id {id:?}"));
        }
        if self.user(id).is_some() {
            return Err(format!("user {id} exists"));
        }
        let cookies = self.fresh_cookies();
        let now = crate::emulator::ids::wall_micros();
        self.users.push(User {
            id: id.to_string(),
            name: name.to_string(),
            email: email.map(str::to_string),
            cookies,
            presence: UserPresence {
                last_seen: now,
                ..Default::default()
            },
            active_client: None,
            phone: None,
        });
        Ok(())
    }

    /// The display name of `id` (or "unknown").
    pub fn name_of(&self, id: &str) -> String {
        self.user(id)
            .map_or_else(|| "unknown".to_string(), |u| u.name.clone())
    }

    /// The users who share a current conversation with `user` (not `user`),
    /// in the order of the world's user list.
    pub fn contacts_of(&self, user: &str) -> Vec<String> {
        self.users
            .iter()
            .filter(|u| u.id != user)
            .filter(|u| {
                self.convs
                    .iter()
                    .any(|c| c.is_participant(user) && c.is_participant(&u.id))
            })
            .map(|u| u.id.clone())
            .collect()
    }

    // ---- views ----

    /// How `conv` looks to `viewer` in pushes, syncs and call replies:
    /// [`exact_view`](Self::exact_view), but with every read timestamp
    /// zero (self read state and `read_state`) if `conv` is in
    /// `zero_read_states`.
    pub fn conversation_view(&self, conv: &Conv, viewer: &str) -> Conversation {
        let mut view = self.exact_view(conv, viewer);
        if self.zero_read_states.contains(&conv.id) {
            let own = view
                .self_conversation_state
                .as_mut()
                .and_then(|s| s.self_read_state.as_mut());
            for read in own.into_iter().chain(view.read_state.iter_mut()) {
                read.latest_read_timestamp = Some(0);
            }
        }
        view
    }

    /// How `conv` looks to `viewer`, read states as they are: what
    /// GetConversation returns and what a client's copy must end equal to.
    pub fn exact_view(&self, conv: &Conv, viewer: &str) -> Conversation {
        let member = conv
            .members
            .get(viewer)
            .cloned()
            .unwrap_or_else(|| Member::new(viewer, conv.sort_us));
        let view = if member.archived {
            ConversationView::CONVERSATION_VIEW_ARCHIVED
        } else {
            ConversationView::CONVERSATION_VIEW_INBOX
        };
        Conversation {
            conversation_id: Some(conversation_id(&conv.id)),
            r#type: Some(conv.kind),
            name: conv.name.clone(),
            self_conversation_state: Some(UserConversationState {
                client_generated_id: member.client_generated_id.clone(),
                self_read_state: Some(UserReadState {
                    participant_id: Some(Box::new(participant_id(viewer))),
                    latest_read_timestamp: Some(member.read_us),
                }),
                status: Some(member.status),
                notification_level: Some(member.level),
                view: vec![view],
                inviter_id: Some(Box::new(participant_id(&member.inviter))),
                invite_timestamp: Some(member.invite_us),
                sort_timestamp: Some(conv.sort_us),
                active_timestamp: Some(member.invite_us),
                invite_affinity: None,
                delivery_medium_option: self.delivery_options(conv),
            }),
            read_state: conv
                .participants
                .iter()
                .map(|p| UserReadState {
                    participant_id: Some(Box::new(participant_id(p))),
                    latest_read_timestamp: Some(conv.members.get(p).map_or(0, |m| m.read_us)),
                })
                .collect(),
            has_active_hangout: Some(conv.active_hangout),
            otr_status: Some(conv.otr),
            otr_toggle: Some(OffTheRecordToggle::OFF_THE_RECORD_TOGGLE_ENABLED),
            conversation_history_supported: Some(true),
            current_participant: conv
                .participants
                .iter()
                .map(|p| participant_id(p))
                .collect(),
            participant_data: conv
                .participants
                .iter()
                .map(|p| self.participant_data(p))
                .collect(),
            network_type: self.network_types(conv),
            force_history_state: None,
            group_link_sharing_status: conv.is_group().then_some(conv.link_sharing),
        }
    }

    /// Every conversation listed for `viewer`, whole: its view and every
    /// visible event (oldest first).
    pub fn full_states(&self, viewer: &str) -> Vec<ConversationState> {
        self.convs
            .iter()
            .filter(|c| c.listed_for(viewer))
            .map(|c| ConversationState {
                conversation_id: Some(conversation_id(&c.id)),
                conversation: Some(self.exact_view(c, viewer)),
                event: c
                    .visible_events(viewer)
                    .map(|e| self.event_view(c, e, viewer))
                    .collect(),
                event_continuation_token: None,
            })
            .collect()
    }

    /// How `event` looks to `viewer`: with `self_event_state` for the
    /// viewer, and the client-generated id only if the viewer sent it.
    pub fn event_view(&self, conv: &Conv, event: &StoredEvent, viewer: &str) -> Event {
        let mut e = event.event.clone();
        let sender = e
            .sender_id
            .as_ref()
            .and_then(|s| s.gaia_id.as_deref())
            .unwrap_or("");
        e.self_event_state = Some(Box::new(UserEventState {
            user_id: Some(Box::new(participant_id(viewer))),
            client_generated_id: if sender == viewer {
                event.client_generated_id.clone()
            } else {
                None
            },
            notification_level: Some(
                conv.members
                    .get(viewer)
                    .map_or(NotificationLevel::NOTIFICATION_LEVEL_RING, |m| m.level),
            ),
        }));
        e
    }

    /// The entity of a user (a phone user's has the number, and the
    /// real name if known).
    pub fn entity(&self, user: &User) -> Entity {
        let kind = if user.phone.is_some() {
            ParticipantType::PARTICIPANT_TYPE_GOOGLE_VOICE
        } else {
            ParticipantType::PARTICIPANT_TYPE_GAIA
        };
        Entity {
            id: Some(participant_id(&user.id)),
            presence: None,
            properties: Some(EntityProperties {
                r#type: Some(ProfileType::PROFILE_TYPE_ES_USER),
                display_name: Some(match (&user.phone, user.name.is_empty()) {
                    (Some(phone), true) => phone.clone(),
                    _ => user.name.clone(),
                }),
                first_name: (!user.name.is_empty()).then(|| user.first_name().to_string()),
                photo_url: Some(format!(
                    "//lh3.googleusercontent.com/emulator/{}/photo.jpg",
                    user.id
                )),
                email: user.email.iter().cloned().collect(),
                phone: user.phone.iter().cloned().collect(),
                in_users_domain: Some(false),
                gender: None,
                photo_url_status: Some(PhotoUrlStatus::PHOTO_URL_STATUS_USER_PHOTO),
                canonical_email: user.email.clone(),
            }),
            entity_type: Some(kind),
            had_past_hangout_state: None,
        }
    }

    /// The presence of a user as QueryPresence and presence
    /// notifications report it.
    pub fn presence(&self, user: &User) -> Presence {
        let state = user
            .presence
            .state
            .unwrap_or(ClientPresenceStateType::CLIENT_PRESENCE_STATE_DESKTOP_ACTIVE);
        let available = state == ClientPresenceStateType::CLIENT_PRESENCE_STATE_DESKTOP_ACTIVE
            && !user.presence.dnd;
        let now = crate::emulator::ids::wall_micros();
        Presence {
            reachable: Some(!user.presence.desktop_off),
            available: Some(available),
            device_status: Some(DeviceStatus {
                mobile: Some(false),
                desktop: Some(!user.presence.desktop_off),
                tablet: Some(false),
            }),
            status_message: (!user.presence.mood.is_empty()).then(|| StatusMessageState {
                status_message: vec![MessageContent {
                    segment: user.presence.mood.clone(),
                    attachment: Vec::new(),
                }],
            }),
            last_seen: Some(Box::new(LastSeen {
                last_seen_timestamp_usec: Some(user.presence.last_seen),
                usec_since_last_seen: Some(now.saturating_sub(user.presence.last_seen)),
            })),
        }
    }

    /// A summary for the control API's `state`.
    pub fn summary(&self) -> serde_json::Value {
        use serde_json::json;
        let users: Vec<_> = self
            .users
            .iter()
            .map(|u| json!({"id": u.id, "name": u.name, "email": u.email, "phone": u.phone, "is_self": u.id == self.self_user}))
            .collect();
        let convs: Vec<_> = self
            .convs
            .iter()
            .map(|c| {
                let kind = if c.is_group() { "group" } else { "one_to_one" };
                json!({
                    "id": c.id,
                    "type": kind,
                    "name": c.name,
                    "participants": c.participants,
                    "event_count": c.events.len(),
                    "last_event_id": c.events.last().map(|e| e.id().to_string()),
                    "sort_timestamp": c.sort_us,
                    "otr": c.otr == OffTheRecordStatus::OFF_THE_RECORD_STATUS_OFF_THE_RECORD,
                    "active_hangout": c.active_hangout,
                    "group_link_sharing": c.link_sharing == GroupLinkSharingStatus::GROUP_LINK_SHARING_STATUS_ON,
                    "members": c.members.iter().map(|(id, m)| (id.clone(), json!({
                        "read_timestamp": m.read_us,
                        "notification_level": m.level.0,
                        "archived": m.archived,
                        "status": m.status.0,
                        "deleted_upto": m.deleted_upto,
                    }))).collect::<serde_json::Map<_, _>>(),
                })
            })
            .collect();
        let invitations: Vec<_> = self
            .invitations
            .iter()
            .map(|(from, to)| json!({"from": from, "to": to}))
            .collect();
        json!({
            "self_user_id": self.self_user,
            "users": users,
            "conversations": convs,
            "invitations": invitations,
            "uploads": self.uploads.len(),
            "partial_deltas": self.partial_deltas,
            "zero_read_states": self.zero_read_states,
        })
    }
}

/// `ParticipantId{gaia_id: id, chat_id: id}`.
pub(crate) fn participant_id(id: &str) -> ParticipantId {
    ParticipantId {
        gaia_id: Some(id.to_string()),
        chat_id: Some(id.to_string()),
    }
}

/// `ConversationId{id}`.
pub(crate) fn conversation_id(id: &str) -> ConversationId {
    ConversationId {
        id: Some(id.to_string()),
    }
}

/// `DeliveryMedium{medium_type: BABEL}`.
pub(crate) fn babel_medium() -> DeliveryMedium {
    DeliveryMedium {
        medium_type: Some(DeliveryMediumType::DELIVERY_MEDIUM_BABEL),
        phone_number: None,
    }
}

/// Plain text as segments: TEXT runs and LINE_BREAK segments for `\n`.
pub(crate) fn text_segments(text: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push(Segment {
                r#type: SegmentType::SEGMENT_TYPE_LINE_BREAK,
                text: Some("\n".to_string()),
                formatting: None,
                link_data: None,
            });
        }
        let line = line.strip_suffix('\r').unwrap_or(line);
        if !line.is_empty() {
            out.push(Segment {
                r#type: SegmentType::SEGMENT_TYPE_TEXT,
                text: Some(line.to_string()),
                formatting: None,
                link_data: None,
            });
        }
    }
    out
}
