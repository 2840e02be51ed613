//! The [`App`] state, the input dispatch and the finished effects.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::time::Instant;

use hangups_core::client::Event as ClientEvent;
use hangups_core::proto::hangouts::TypingType;
use hangups_core::state::{ConversationList, Notification, Update};
use ratatui::crossterm::event::KeyEventKind;

use super::{
    names, ConvTab, Effect, EffectId, History, Input, ListView, Now, Outcome, Overlay, Status,
    ViewFocus,
};
use crate::settings::Settings;

/// What a running effect was for, to act on its outcome.
#[derive(Debug)]
pub(crate) enum Pending {
    /// A message; its text comes back to the compose box on failure.
    Send {
        conversation_id: String,
        text: String,
    },
    /// Older history of a conversation.
    History { conversation_id: String },
    /// A user search of the pick overlay.
    Search,
    /// A conversation being created.
    Create,
    /// The compose box in `$EDITOR`.
    Edit { conversation_id: String },
    /// Anything else: what to say if it fails.
    Other(&'static str),
}

/// The application state.
#[derive(Debug)]
pub struct App {
    pub(crate) settings: Settings,
    effects: VecDeque<Effect>,
    next_effect: u64,
    /// The conversation tabs (tab 0, the list, is not among them).
    pub(crate) tabs: Vec<ConvTab>,
    /// The active tab: 0 is the conversation list, `i` is `tabs[i - 1]`.
    pub(crate) active: usize,
    pub(crate) list_view: ListView,
    pub(crate) status: Status,
    pub(crate) overlay: Option<Overlay>,
    pub(crate) pending: HashMap<EffectId, Pending>,
    /// Read positions marked here and not yet confirmed by the server.
    pub(crate) read_up_to: HashMap<String, u64>,
    /// Conversations archived locally.
    pub(crate) archived: BTreeSet<String>,
    /// Conversations the self user left or that were deleted: the list
    /// hides them (they stay in hangups-core's list) until added again.
    pub(crate) gone: BTreeSet<String>,
    /// Whether the terminal has focus (assumed until told otherwise).
    pub(crate) focused: bool,
    /// The terminal's size.
    pub(crate) size: (u16, u16),
    last_active: Option<Instant>,
    /// When STARTED was last sent, per conversation.
    pub(crate) typing_sent: HashMap<String, Instant>,
    /// When the compose box of a conversation with typing sent last
    /// changed, and whether PAUSED was sent since.
    pub(crate) typing_edit: HashMap<String, (Instant, bool)>,
    title: Option<String>,
}

/// SetActive at most this often.
pub(crate) const ACTIVE_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

impl App {
    /// A new application with these settings.
    pub fn new(settings: Settings) -> App {
        App {
            settings,
            effects: VecDeque::new(),
            next_effect: 1,
            tabs: Vec::new(),
            active: 0,
            list_view: ListView::default(),
            status: Status::default(),
            overlay: None,
            pending: HashMap::new(),
            read_up_to: HashMap::new(),
            archived: BTreeSet::new(),
            gone: BTreeSet::new(),
            focused: true,
            size: (100, 30),
            last_active: None,
            typing_sent: HashMap::new(),
            typing_edit: HashMap::new(),
            title: None,
        }
    }

    /// The settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Starts with these locally archived conversations (as the shell
    /// loaded them after the last [`Effect::SaveArchived`]).
    pub fn set_archived(&mut self, ids: impl IntoIterator<Item = String>) {
        self.archived = ids.into_iter().collect();
    }

    /// Takes one input at `now`; `list` is the conversation list after the
    /// input (an [`Input::Update`] is already folded into it).
    pub fn handle(&mut self, input: Input, now: Now, list: &ConversationList) {
        match input {
            Input::Key(key) => {
                if key.kind != KeyEventKind::Release {
                    self.on_key(key, now, list);
                }
            }
            Input::Paste(text) => self.on_paste(&text, now, list),
            Input::Resize { width, height } => self.size = (width, height),
            Input::Mouse(mouse) => self.on_mouse(mouse, now, list),
            Input::Focus(focused) => self.focused = focused,
            Input::Update(update) => self.on_update(update, now, list),
            Input::Tick => self.pause_typing(now),
            Input::Done { id, outcome } => self.on_done(id, outcome, now, list),
        }
        self.status.expire(now);
        self.clamp(list);
        self.fill_screen(list);
        self.refresh_title(list);
    }

    /// The next effect to run.
    pub fn poll_effect(&mut self) -> Option<Effect> {
        self.effects.pop_front()
    }

    /// A fresh effect id.
    pub(crate) fn effect_id(&mut self) -> EffectId {
        let id = EffectId(self.next_effect);
        self.next_effect += 1;
        id
    }

    /// Queues an effect.
    pub(crate) fn push(&mut self, effect: Effect) {
        self.effects.push_back(effect);
    }

    /// Queues an effect built from a fresh id, remembering what it is for.
    pub(crate) fn start(&mut self, pending: Pending, effect: impl FnOnce(EffectId) -> Effect) {
        let id = self.effect_id();
        self.pending.insert(id, pending);
        self.push(effect(id));
    }

    /// The id of the conversation on the active tab, if any.
    pub fn active_conversation(&self) -> Option<&str> {
        self.active
            .checked_sub(1)
            .and_then(|i| self.tabs.get(i))
            .map(|t| t.id.as_str())
    }

    /// How many unread messages a conversation has (chat messages from
    /// others newer than the self read timestamp, or the position marked
    /// read here).
    pub fn unread(&self, list: &ConversationList, conversation_id: &str) -> usize {
        let Some(conv) = list.get(conversation_id) else {
            return 0;
        };
        let local = self.read_up_to.get(conversation_id).copied().unwrap_or(0);
        names::unread_count(conv, list.users().self_id(), local)
    }

    /// Whether a conversation is archived (on the server or here).
    pub fn is_archived(&self, list: &ConversationList, conversation_id: &str) -> bool {
        self.archived.contains(conversation_id)
            || list.get(conversation_id).is_some_and(|c| c.is_archived())
    }

    /// The unread total over the conversations that are not archived.
    pub fn unread_total(&self, list: &ConversationList) -> usize {
        list.get_all(true)
            .iter()
            .filter(|c| !self.is_archived(list, c.id()))
            .map(|c| self.unread(list, c.id()))
            .sum()
    }

    /// Shows a message in the status line for 10 s.
    pub(crate) fn say(&mut self, text: impl Into<String>, now: Now) {
        self.status.say(text.into(), now);
    }

    fn refresh_title(&mut self, list: &ConversationList) {
        let title = match self.unread_total(list) {
            0 => "hangups".to_owned(),
            n => format!("hangups ({n})"),
        };
        if self.title.as_deref() != Some(title.as_str()) {
            self.title = Some(title.clone());
            self.push(Effect::SetTitle(title));
        }
    }

    /// Marks the active conversation read and tells the server this
    /// client is active: hangups does both on any key in a conversation.
    pub(crate) fn key_in_conversation(&mut self, now: Now, list: &ConversationList) {
        let Some(id) = self.active_conversation().map(str::to_owned) else {
            return;
        };
        if self.unread(list, &id) > 0 {
            if let Some(newest) = list
                .get(&id)
                .and_then(|c| c.events().iter().map(|e| e.timestamp()).max())
            {
                self.read_up_to.insert(id.clone(), newest);
            }
            let eid = self.effect_id();
            self.push(Effect::MarkRead {
                id: eid,
                conversation_id: id,
            });
        }
        let due = self
            .last_active
            .is_none_or(|t| now.instant.saturating_duration_since(t) >= ACTIVE_EVERY);
        if due {
            self.last_active = Some(now.instant);
            let eid = self.effect_id();
            self.push(Effect::SetActive { id: eid });
        }
    }

    /// Sends PAUSED where STARTED was sent and the compose box has not
    /// changed for [`TYPING_PAUSE`](super::keys::TYPING_PAUSE) (the text
    /// stays; the next edit sends STARTED again).
    fn pause_typing(&mut self, now: Now) {
        let mut idle: Vec<String> = self
            .typing_edit
            .iter()
            .filter(|(_, (at, paused))| {
                !paused && now.instant.saturating_duration_since(*at) >= super::keys::TYPING_PAUSE
            })
            .map(|(id, _)| id.clone())
            .collect();
        idle.sort();
        for conversation_id in idle {
            if let Some(edit) = self.typing_edit.get_mut(&conversation_id) {
                edit.1 = true;
            }
            let id = self.effect_id();
            self.push(Effect::SetTyping {
                id,
                conversation_id,
                typing: TypingType::TYPING_TYPE_PAUSED,
            });
        }
    }

    /// Sends STOPPED if STARTED was sent in this conversation.
    pub(crate) fn stop_typing(&mut self, conversation_id: &str) {
        self.typing_edit.remove(conversation_id);
        if self.typing_sent.remove(conversation_id).is_some() {
            let id = self.effect_id();
            self.push(Effect::SetTyping {
                id,
                conversation_id: conversation_id.to_owned(),
                typing: TypingType::TYPING_TYPE_STOPPED,
            });
        }
    }

    fn on_update(&mut self, update: Update, now: Now, list: &ConversationList) {
        match update {
            Update::Notification(note) => match note {
                Notification::NewEvent(event) => {
                    let from_other = event.kind() == hangups_core::state::EventKind::ChatMessage
                        && event.user_id() != *list.users().self_id();
                    if from_other {
                        self.status.message_arrived(event.conversation_id(), now);
                    }
                    self.on_new_event(&event, now, list);
                }
                Notification::Typing(typing) if typing.user_id != *list.users().self_id() => {
                    self.status.on_typing(&typing, now);
                }
                Notification::Watermark(w) if w.user_id == *list.users().self_id() => {
                    let local = self.read_up_to.get(&w.conversation_id).copied();
                    if local.is_some_and(|t| w.read_timestamp >= t) {
                        self.read_up_to.remove(&w.conversation_id);
                    }
                }
                Notification::ConversationLeft(id) => self.conversation_gone(&id, list),
                Notification::ConversationDeleted {
                    conversation_id, ..
                } => self.conversation_gone(&conversation_id, list),
                Notification::ConversationAdded(id) => {
                    self.gone.remove(&id);
                }
                _ => {}
            },
            Update::Client(event) => match event {
                ClientEvent::Disconnected { retry_at, .. } => self.status.disconnected(retry_at),
                ClientEvent::Reconnected { .. } => self.status.reconnected(now),
                ClientEvent::Connected => self.status.connected(),
                ClientEvent::Closed { error: Some(e) } => self.status.closed(e.to_string()),
                ClientEvent::SessionExpired => self.say("Session expired; signing in again", now),
                _ => {}
            },
            Update::CatchUpFailed(_) => self.status.catch_up_failed(now),
            Update::Lagged { missed } => {
                self.say(format!("fell behind: {missed} updates re-fetched"), now);
            }
            Update::ConversationFetchFailed { error, .. } => {
                self.say(format!("Failed to load a conversation: {error}"), now);
            }
            _ => {}
        }
    }

    fn on_done(&mut self, id: EffectId, outcome: Outcome, now: Now, list: &ConversationList) {
        let Some(pending) = self.pending.remove(&id) else {
            return;
        };
        match (pending, outcome) {
            (
                Pending::Send {
                    conversation_id,
                    text,
                },
                Outcome::Failed(why),
            ) => {
                if let Some(tab) = self.tab_mut(&conversation_id) {
                    if tab.compose.is_empty() {
                        tab.compose.set_text(&text);
                    }
                }
                self.say(format!("Failed to send message: {why}"), now);
            }
            (Pending::History { conversation_id }, outcome) => {
                let Some(tab) = self.tab_mut(&conversation_id) else {
                    return;
                };
                match outcome {
                    Outcome::Loaded(0) => tab.history = History::NoMore,
                    Outcome::Failed(why) => {
                        tab.history = History::Failed;
                        self.say(format!("Failed to load history: {why}"), now);
                    }
                    Outcome::Loaded(n) => {
                        tab.history = History::Idle;
                        if tab.focus == ViewFocus::Top {
                            tab.focus = ViewFocus::Event(n - 1);
                        } else if let ViewFocus::Event(i) = tab.focus {
                            tab.focus = ViewFocus::Event(i + n);
                        }
                    }
                    _ => tab.history = History::Idle,
                }
            }
            (Pending::Search, outcome) => self.on_search_done(id, outcome, now),
            (Pending::Create, Outcome::Created(conversation_id)) => {
                self.overlay = None;
                self.open_tab(&conversation_id, true, list);
            }
            (Pending::Edit { conversation_id }, Outcome::Edited(text)) => {
                if let Some(tab) = self.tab_mut(&conversation_id) {
                    tab.compose.set_text(&text);
                }
            }
            (pending, Outcome::Failed(why)) => {
                let what = match pending {
                    Pending::Create => "create the conversation",
                    Pending::Edit { .. } => "run the editor",
                    Pending::Other(what) => what,
                    _ => "do that",
                };
                self.say(format!("Failed to {what}: {why}"), now);
            }
            _ => {}
        }
    }
}
