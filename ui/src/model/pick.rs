//! The user picker of "new conversation" and "add people": type a name
//! or an email, Enter searches (Effect::SearchUsers); Up/Down choose,
//! Tab picks several (a group), Enter creates a one-to-one with the chosen
//! user, or asks the group's name (optional) and creates the group; in
//! "add people" Enter adds the picked (or chosen) users.

use ratatui::crossterm::event::{KeyCode, KeyEvent};

use super::app::Pending;
use super::menu::edit_field;
use super::{App, Compose, Effect, EffectId, FoundUser, Now, Outcome, Overlay};

/// What the user picker is for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PickMode {
    /// A new conversation.
    Create,
    /// People to add to this conversation.
    Add(String),
}

/// The picker's state.
#[derive(Clone, Debug)]
pub(crate) struct Picker {
    pub(crate) mode: PickMode,
    pub(crate) query: Compose,
    pub(crate) results: Vec<FoundUser>,
    pub(crate) selected: usize,
    pub(crate) picked: Vec<FoundUser>,
    /// Naming the group (after picking), if so.
    pub(crate) naming: Option<Compose>,
    /// The search running.
    pub(crate) searching: Option<EffectId>,
}

impl Picker {
    pub(crate) fn new(mode: PickMode) -> Picker {
        Picker {
            mode,
            query: Compose::default(),
            results: Vec::new(),
            selected: 0,
            picked: Vec::new(),
            naming: None,
            searching: None,
        }
    }

    fn toggle_selected(&mut self) {
        if let Some(user) = self.results.get(self.selected) {
            match self.picked.iter().position(|p| p.id == user.id) {
                Some(i) => {
                    self.picked.remove(i);
                }
                None => self.picked.push(user.clone()),
            }
        }
    }
}

impl App {
    /// A key in the picker; whether it stays open.
    pub(crate) fn pick_key(&mut self, p: &mut Picker, key: &KeyEvent) -> bool {
        if let Some(name) = p.naming.as_mut() {
            if key.code == KeyCode::Enter {
                let name = Some(name.text().trim().to_owned()).filter(|n| !n.is_empty());
                let user_ids = p.picked.iter().map(|u| u.id.clone()).collect();
                self.start(Pending::Create, |id| Effect::CreateConversation {
                    id,
                    user_ids,
                    name,
                    group: true,
                });
            } else {
                edit_field(name, key);
            }
            return true;
        }
        match key.code {
            KeyCode::Up => p.selected = p.selected.saturating_sub(1),
            KeyCode::Down => p.selected = (p.selected + 1).min(p.results.len().saturating_sub(1)),
            KeyCode::Tab => p.toggle_selected(),
            KeyCode::Enter if !p.query.text().trim().is_empty() && p.results.is_empty() => {
                let query = p.query.text().trim().to_owned();
                let id = self.effect_id();
                self.pending.insert(id, Pending::Search);
                p.searching = Some(id);
                self.push(Effect::SearchUsers { id, query });
            }
            KeyCode::Enter => return self.pick_done(p),
            _ => {
                if edit_field(&mut p.query, key) {
                    // A new query: the old results no longer apply.
                    p.results.clear();
                    p.selected = 0;
                    p.searching = None;
                }
            }
        }
        true
    }

    /// Enter with results; whether the picker stays open.
    fn pick_done(&mut self, p: &mut Picker) -> bool {
        if p.picked.is_empty() {
            if let Some(user) = p.results.get(p.selected) {
                p.picked.push(user.clone());
            }
        }
        let user_ids: Vec<_> = p.picked.iter().map(|u| u.id.clone()).collect();
        match (&p.mode, user_ids.len()) {
            (_, 0) => true,
            (PickMode::Add(conversation_id), _) => {
                let conversation_id = conversation_id.clone();
                self.start(Pending::Other("add them"), |id| Effect::AddUsers {
                    id,
                    conversation_id,
                    user_ids,
                });
                false
            }
            (PickMode::Create, 1) => {
                self.start(Pending::Create, |id| Effect::CreateConversation {
                    id,
                    user_ids,
                    name: None,
                    group: false,
                });
                true
            }
            (PickMode::Create, _) => {
                p.naming = Some(Compose::default());
                true
            }
        }
    }

    /// A user search finished.
    pub(crate) fn on_search_done(&mut self, id: EffectId, outcome: Outcome, now: Now) {
        let Some(Overlay::Pick(p)) = self.overlay.as_mut() else {
            return;
        };
        if p.searching != Some(id) {
            return;
        }
        p.searching = None;
        match outcome {
            Outcome::Users(users) => {
                p.results = users;
                p.selected = 0;
                if p.results.is_empty() {
                    self.say("Nobody found", now);
                }
            }
            Outcome::Failed(why) => self.say(format!("Failed to search: {why}"), now),
            _ => {}
        }
    }
}
