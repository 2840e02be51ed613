//! Fixtures: users, conversations, events, and a [`World`] that drives an
//! [`App`] over a [`ConversationList`] with a made-up clock.

use std::time::{Duration, Instant};

use hangups_core::proto::hangouts::StateUpdateKind as Oneof;
use hangups_core::proto::hangouts::*;
use hangups_core::state::{ConversationList, Notification, TypingStatus, Update, UserId, UserList};
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;

use super::{App, Effect, EffectId, Input, Now, Outcome};
use crate::settings::Settings;

/// 2024-01-01 00:34:51 UTC, in µs.
pub(crate) const T0: u64 = 1_704_069_291_000_000;
/// One second in µs.
pub(crate) const S: u64 = 1_000_000;

pub(crate) fn pid(g: &str) -> ParticipantId {
    ParticipantId {
        gaia_id: Some(g.into()),
        chat_id: Some(g.into()),
    }
}

pub(crate) fn uid(g: &str) -> UserId {
    UserId::new(g, g)
}

fn cid(id: &str) -> Option<ConversationId> {
    Some(ConversationId {
        id: Some(id.into()),
    })
}

fn entity(g: &str, full: &str) -> Entity {
    Entity {
        id: Some(pid(g)),
        properties: Some(EntityProperties {
            display_name: Some(full.into()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// Self ("me", Me Myself), Ada, Alan, Grace, Zed.
pub(crate) fn users() -> UserList {
    UserList::new(
        &entity("me", "Me Myself"),
        &[
            entity("ada", "Ada Lovelace"),
            entity("alan", "Alan Turing"),
            entity("grace", "Grace Hopper"),
            entity("zed", "Zed Shaw"),
        ],
        &[],
    )
}

/// A conversation to build.
#[derive(Clone, Debug)]
pub(crate) struct Conv {
    pub(crate) id: String,
    pub(crate) others: Vec<&'static str>,
    pub(crate) name: Option<String>,
    pub(crate) sort: u64,
    pub(crate) read: u64,
    pub(crate) events: Vec<Event>,
    pub(crate) quiet: bool,
    pub(crate) otr: bool,
    pub(crate) archived: bool,
    pub(crate) watermarks: Vec<(&'static str, u64)>,
}

impl Conv {
    pub(crate) fn new(id: &str, others: &[&'static str]) -> Conv {
        Conv {
            id: id.into(),
            others: others.to_vec(),
            name: None,
            sort: T0,
            read: 0,
            events: Vec::new(),
            quiet: false,
            otr: false,
            archived: false,
            watermarks: Vec::new(),
        }
    }
    pub(crate) fn name(mut self, name: &str) -> Conv {
        self.name = Some(name.into());
        self
    }
    pub(crate) fn sort(mut self, sort: u64) -> Conv {
        self.sort = sort;
        self
    }
    pub(crate) fn read(mut self, read: u64) -> Conv {
        self.read = read;
        self
    }
    pub(crate) fn events(mut self, events: Vec<Event>) -> Conv {
        self.events = events;
        self
    }
    pub(crate) fn quiet(mut self) -> Conv {
        self.quiet = true;
        self
    }
    pub(crate) fn otr(mut self) -> Conv {
        self.otr = true;
        self
    }
    pub(crate) fn archived(mut self) -> Conv {
        self.archived = true;
        self
    }
    pub(crate) fn watermark(mut self, who: &'static str, ts: u64) -> Conv {
        self.watermarks.push((who, ts));
        self
    }

    pub(crate) fn state(&self) -> ConversationState {
        let mut parts = vec!["me"];
        parts.extend(self.others.iter().copied());
        let group = self.others.len() > 1;
        let conversation = Conversation {
            conversation_id: cid(&self.id),
            r#type: Some(if group {
                ConversationType::CONVERSATION_TYPE_GROUP
            } else {
                ConversationType::CONVERSATION_TYPE_ONE_TO_ONE
            }),
            name: self.name.clone(),
            participant_data: parts
                .iter()
                .map(|g| ConversationParticipantData {
                    id: Some(pid(g)),
                    ..Default::default()
                })
                .collect(),
            read_state: self
                .watermarks
                .iter()
                .map(|(g, ts)| UserReadState {
                    participant_id: Some(Box::new(pid(g))),
                    latest_read_timestamp: Some(*ts),
                })
                .collect(),
            otr_status: Some(if self.otr {
                OffTheRecordStatus::OFF_THE_RECORD_STATUS_OFF_THE_RECORD
            } else {
                OffTheRecordStatus::OFF_THE_RECORD_STATUS_ON_THE_RECORD
            }),
            self_conversation_state: Some(UserConversationState {
                self_read_state: Some(UserReadState {
                    participant_id: Some(Box::new(pid("me"))),
                    latest_read_timestamp: Some(self.read),
                }),
                notification_level: Some(if self.quiet {
                    NotificationLevel::NOTIFICATION_LEVEL_QUIET
                } else {
                    NotificationLevel::NOTIFICATION_LEVEL_RING
                }),
                view: if self.archived {
                    vec![ConversationView::CONVERSATION_VIEW_ARCHIVED]
                } else {
                    vec![ConversationView::CONVERSATION_VIEW_INBOX]
                },
                sort_timestamp: Some(self.sort),
                ..Default::default()
            }),
            ..Default::default()
        };
        ConversationState {
            conversation_id: cid(&self.id),
            conversation: Some(conversation),
            event: self.events.clone(),
            event_continuation_token: Some(Box::new(EventContinuationToken::default())),
        }
    }
}

fn base_event(conv: &str, id: &str, ts: u64, sender: &str) -> Event {
    Event {
        conversation_id: cid(conv),
        sender_id: Some(pid(sender)),
        timestamp: Some(ts),
        event_id: Some(id.into()),
        ..Default::default()
    }
}

pub(crate) fn text(conv: &str, id: &str, ts: u64, sender: &str, body: &str) -> Event {
    Event {
        chat_message: Some(ChatMessage {
            message_content: Some(MessageContent {
                segment: vec![Segment {
                    r#type: SegmentType::SEGMENT_TYPE_TEXT,
                    text: Some(body.into()),
                    ..Default::default()
                }],
                ..Default::default()
            }),
            ..Default::default()
        }),
        ..base_event(conv, id, ts, sender)
    }
}

pub(crate) fn rename(conv: &str, id: &str, ts: u64, sender: &str, new_name: &str) -> Event {
    Event {
        conversation_rename: Some(Box::new(ConversationRename {
            new_name: Some(new_name.into()),
            old_name: Some(String::new()),
        })),
        ..base_event(conv, id, ts, sender)
    }
}

pub(crate) fn membership(
    conv: &str,
    id: &str,
    ts: u64,
    sender: &str,
    join: bool,
    who: &[&str],
) -> Event {
    Event {
        membership_change: Some(Box::new(MembershipChange {
            r#type: Some(if join {
                MembershipChangeType::MEMBERSHIP_CHANGE_TYPE_JOIN
            } else {
                MembershipChangeType::MEMBERSHIP_CHANGE_TYPE_LEAVE
            }),
            participant_ids: who.iter().map(|g| pid(g)).collect(),
        })),
        ..base_event(conv, id, ts, sender)
    }
}

pub(crate) fn hangout(conv: &str, id: &str, ts: u64, kind: HangoutEventType) -> Event {
    Event {
        hangout_event: Some(Box::new(HangoutEvent {
            event_type: Some(kind),
            ..Default::default()
        })),
        ..base_event(conv, id, ts, "ada")
    }
}

pub(crate) fn otr(conv: &str, id: &str, ts: u64, sender: &str, off: bool) -> Event {
    Event {
        otr_modification: Some(Box::new(OTRModification {
            new_otr_status: Some(if off {
                OffTheRecordStatus::OFF_THE_RECORD_STATUS_OFF_THE_RECORD
            } else {
                OffTheRecordStatus::OFF_THE_RECORD_STATUS_ON_THE_RECORD
            }),
            ..Default::default()
        })),
        ..base_event(conv, id, ts, sender)
    }
}

pub(crate) fn link_sharing(conv: &str, id: &str, ts: u64, sender: &str, on: bool) -> Event {
    Event {
        group_link_sharing_modification: Some(GroupLinkSharingModification {
            new_status: Some(if on {
                GroupLinkSharingStatus::GROUP_LINK_SHARING_STATUS_ON
            } else {
                GroupLinkSharingStatus::GROUP_LINK_SHARING_STATUS_OFF
            }),
        }),
        ..base_event(conv, id, ts, sender)
    }
}

/// An app, a list and a clock.
pub(crate) struct World {
    pub(crate) app: App,
    pub(crate) list: ConversationList,
    pub(crate) now: Now,
}

impl World {
    pub(crate) fn new(convs: &[Conv]) -> World {
        World::with_settings(convs, Settings::default())
    }

    pub(crate) fn with_settings(convs: &[Conv], settings: Settings) -> World {
        let states: Vec<_> = convs.iter().map(Conv::state).collect();
        let list = ConversationList::new(&states, users(), T0);
        let start = Instant::now();
        let mut world = World {
            app: App::new(settings),
            list,
            now: Now {
                instant: start,
                wall_us: T0 + 3600 * S,
            },
        };
        world.input(Input::Tick);
        world
    }

    pub(crate) fn input(&mut self, input: Input) {
        self.app.handle(input, self.now, &self.list);
    }

    pub(crate) fn advance(&mut self, secs: u64) {
        self.now.instant += Duration::from_secs(secs);
        self.now.wall_us += secs * S;
        self.input(Input::Tick);
    }

    pub(crate) fn key(&mut self, code: KeyCode, modifiers: KeyModifiers) {
        self.input(Input::Key(KeyEvent::new(code, modifiers)));
    }

    pub(crate) fn press(&mut self, code: KeyCode) {
        self.key(code, KeyModifiers::NONE);
    }

    pub(crate) fn ctrl(&mut self, c: char) {
        self.key(KeyCode::Char(c), KeyModifiers::CONTROL);
    }

    pub(crate) fn alt(&mut self, c: char) {
        self.key(KeyCode::Char(c), KeyModifiers::ALT);
    }

    pub(crate) fn type_str(&mut self, s: &str) {
        for c in s.chars() {
            self.press(KeyCode::Char(c));
        }
    }

    /// Folds an update into the list and hands its notifications over.
    pub(crate) fn fold(&mut self, update: StateUpdate) {
        for note in self.list.fold(&update) {
            self.input(Input::Update(Update::Notification(note)));
        }
    }

    pub(crate) fn deliver(&mut self, event: Event) {
        self.fold(StateUpdate {
            state_update: Oneof::EventNotification(Box::new(EventNotification {
                event: Some(event),
            })),
            ..Default::default()
        });
    }

    pub(crate) fn watermark(&mut self, conv: &str, who: &str, ts: u64) {
        self.fold(StateUpdate {
            state_update: Oneof::WatermarkNotification(Box::new(WatermarkNotification {
                sender_id: Some(Box::new(pid(who))),
                conversation_id: cid(conv),
                latest_read_timestamp: Some(ts),
            })),
            ..Default::default()
        });
    }

    pub(crate) fn typing(&mut self, conv: &str, who: &str, status: TypingType) {
        let note = Notification::Typing(TypingStatus {
            conversation_id: conv.into(),
            user_id: uid(who),
            timestamp: self.now.wall_us,
            status,
        });
        self.input(Input::Update(Update::Notification(note)));
    }

    pub(crate) fn add_conversation(&mut self, conv: &Conv) {
        for note in self.list.add_conversation_state(&conv.state()) {
            self.input(Input::Update(Update::Notification(note)));
        }
    }

    pub(crate) fn done(&mut self, id: EffectId, outcome: Outcome) {
        self.input(Input::Done { id, outcome });
    }

    pub(crate) fn effects(&mut self) -> Vec<Effect> {
        std::iter::from_fn(|| self.app.poll_effect()).collect()
    }

    /// Opens a conversation's tab from the list (Enter on its row).
    pub(crate) fn open(&mut self, conv: &str) {
        self.app.switch_to(0);
        let row = self
            .app
            .visible_conversations(&self.list)
            .iter()
            .position(|c| c.id() == conv)
            .expect("conversation listed");
        self.app.list_view.selected = row;
        self.press(KeyCode::Enter);
    }

    pub(crate) fn status(&self) -> String {
        self.app.status_text(&self.list, self.now)
    }

    /// The screen at this size in UTC, as text lines (trailing spaces cut).
    pub(crate) fn screen(&self, width: u16, height: u16) -> Vec<String> {
        let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test backend");
        terminal
            .draw(|f| crate::render::draw(&self.app, &self.list, self.now, &chrono::Utc, f))
            .expect("draw");
        let buf = terminal.backend().buffer().clone();
        (0..height)
            .map(|y| {
                let mut line = String::new();
                let mut skip = 0;
                for x in 0..width {
                    if skip > 0 {
                        skip -= 1;
                        continue;
                    }
                    let symbol = buf[(x, y)].symbol();
                    skip = unicode_width::UnicodeWidthStr::width(symbol).saturating_sub(1);
                    line.push_str(symbol);
                }
                line.trim_end().to_owned()
            })
            .collect()
    }
}
