//! Keys, paste and mouse: hangups' bindings first, then the overlays, the
//! list's keys, and in a conversation the message view's keys and the
//! compose box (which gets every key that is nothing else, so typed
//! characters are never dropped).
//!
//! Anywhere: the bindings (`ctrl d` / `ctrl u` next/previous tab, `ctrl w`
//! close, `ctrl e` quit, `ctrl n` menu), Ctrl+C quits with status 1, F1
//! help, Alt+A next unread.
//! The list: Up/Down/`j`/`k`, PageUp/PageDown/`ctrl b`/`ctrl f`,
//! Home/End, Enter/Space open, `/` filter, `a` archived on/off, `n` new
//! conversation, `?` help. A conversation: Enter sends, Alt+Enter a new
//! line, readline keys, Up/Down the input history (when the box is empty
//! or shows history), PageUp/PageDown/`ctrl b`/`ctrl f` and Alt+Up/Down
//! scroll, Ctrl+Home/Ctrl+End top and bottom, Ctrl+R search the loaded
//! history, Ctrl+X edit in `$EDITOR`.

use hangups_core::message::segments_from_str;
use hangups_core::proto::hangouts::TypingType;
use hangups_core::state::ConversationList;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEventKind};

use super::app::Pending;
use super::compose::CaseChange;
use super::menu::edit_field;
use super::status::TYPING_FOR;
use super::{emoticons, texts, App, Effect, History, Now, Overlay, ViewFocus};

/// Refresh STARTED at most this often while typing.
pub(crate) const TYPING_REFRESH: std::time::Duration = std::time::Duration::from_secs(10);
/// PAUSED after this long without a change to a non-empty compose box.
pub(crate) const TYPING_PAUSE: std::time::Duration = std::time::Duration::from_secs(5);
/// How many events hangups loads at the top.
pub(crate) const HISTORY_PAGE: usize = 50;

const _: () = assert!(TYPING_REFRESH.as_secs() < TYPING_FOR.as_secs());

impl App {
    pub(crate) fn on_key(&mut self, key: KeyEvent, now: Now, list: &ConversationList) {
        let keys = self.settings.keys;
        if self.active > 0 && self.overlay.is_none() {
            self.key_in_conversation(now, list);
        }
        if keys.quit.matches(&key) {
            self.push(Effect::Quit(0));
            return;
        }
        // hangups exits abnormally on Ctrl+C (its KeyboardInterrupt).
        if key.code == KeyCode::Char('c') && key.modifiers == KeyModifiers::CONTROL {
            self.push(Effect::Quit(1));
            return;
        }
        if key.code == KeyCode::F(1) {
            self.overlay = match self.overlay {
                Some(Overlay::Help) => None,
                _ => Some(Overlay::Help),
            };
            return;
        }
        if self.overlay.is_some() {
            self.overlay_key(key, now, list);
            return;
        }
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        if keys.next_tab.matches(&key) {
            self.next_tab();
        } else if keys.prev_tab.matches(&key) {
            self.prev_tab();
        } else if keys.close_tab.matches(&key) {
            self.close_active_tab();
        } else if keys.menu.matches(&key) {
            self.open_menu(list);
        } else if alt && matches!(key.code, KeyCode::Char('a' | 'A')) {
            match self.next_unread(list) {
                Some(id) => self.open_tab(&id, true, list),
                None => self.say("No unread messages", now),
            }
        } else if self.active == 0 {
            self.list_key(key, now, list);
        } else {
            self.conversation_key(key, now, list);
        }
    }

    fn list_key(&mut self, key: KeyEvent, _now: Now, list: &ConversationList) {
        let keys = self.settings.keys;
        let page = self.size.1.saturating_sub(3).max(1) as isize;
        if self.list_view.filtering {
            match key.code {
                KeyCode::Enter => self.list_view.filtering = false,
                KeyCode::Esc => {
                    self.list_view.filtering = false;
                    self.list_view.filter.set_text("");
                }
                KeyCode::Up => self.move_selection(list, -1),
                KeyCode::Down => self.move_selection(list, 1),
                _ => {
                    edit_field(&mut self.list_view.filter, &key);
                    self.list_view.selected = 0;
                }
            }
            return;
        }
        let plain = !key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT);
        if keys.up.matches(&key) || key.code == KeyCode::Up {
            self.move_selection(list, -1);
        } else if keys.down.matches(&key) || key.code == KeyCode::Down {
            self.move_selection(list, 1);
        } else if keys.page_up.matches(&key) || key.code == KeyCode::PageUp {
            self.move_selection(list, -page);
        } else if keys.page_down.matches(&key) || key.code == KeyCode::PageDown {
            self.move_selection(list, page);
        } else if key.code == KeyCode::Home {
            self.list_view.selected = 0;
        } else if key.code == KeyCode::End {
            self.move_selection(list, isize::MAX);
        } else if matches!(key.code, KeyCode::Enter | KeyCode::Char(' ')) && plain {
            if let Some(id) = self.selected_conversation(list) {
                self.open_tab(&id, true, list);
            }
        } else if plain && key.code == KeyCode::Char('/') {
            self.list_view.filtering = true;
        } else if plain && key.code == KeyCode::Char('a') {
            self.list_view.show_archived = !self.list_view.show_archived;
        } else if plain && key.code == KeyCode::Char('n') {
            self.open_create();
        } else if plain && key.code == KeyCode::Char('?') {
            self.overlay = Some(Overlay::Help);
        } else if key.code == KeyCode::Esc {
            self.list_view.filter.set_text("");
        }
    }

    fn conversation_key(&mut self, key: KeyEvent, now: Now, list: &ConversationList) {
        let keys = self.settings.keys;
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        let page = self.size.1.saturating_sub(4).max(1) as usize;
        let Some(conversation_id) = self.active_conversation().map(str::to_owned) else {
            return;
        };
        if self.search_key(&key, list) {
            return;
        }
        if keys.page_up.matches(&key) || key.code == KeyCode::PageUp {
            self.scroll(-(page as isize), list);
            return;
        }
        if keys.page_down.matches(&key) || key.code == KeyCode::PageDown {
            self.scroll(page as isize, list);
            return;
        }
        let Some(tab) = self.active_tab_mut() else {
            return;
        };
        let before = tab.compose.text().to_owned();
        let c = &mut tab.compose;
        match key.code {
            KeyCode::Up if alt => return self.scroll(-1, list),
            KeyCode::Down if alt => return self.scroll(1, list),
            KeyCode::Home if ctrl => return self.scroll(isize::MIN, list),
            KeyCode::End if ctrl => return self.scroll(isize::MAX, list),
            KeyCode::Char('r') if ctrl => {
                tab.search = Some(super::Compose::default());
                return;
            }
            KeyCode::Char('x') if ctrl => {
                let text = c.text().to_owned();
                self.start(Pending::Edit { conversation_id }, |id| {
                    Effect::EditExternally { id, text }
                });
                return;
            }
            KeyCode::Enter if alt => c.insert("\n"),
            KeyCode::Enter => return self.send(&conversation_id, now),
            KeyCode::Up if c.at_history() => c.history_prev(),
            KeyCode::Down if c.at_history() => c.history_next(),
            KeyCode::Up => return self.scroll(-1, list),
            KeyCode::Down => return self.scroll(1, list),
            KeyCode::Char('a') if ctrl => c.home(),
            KeyCode::Char('k') if ctrl => c.kill_line(),
            KeyCode::Char('t') if ctrl => c.transpose_chars(),
            KeyCode::Char('h') if ctrl => c.backspace(),
            KeyCode::Char('y') if ctrl => c.yank(),
            KeyCode::Char('b') if alt => c.word_left(),
            KeyCode::Char('f') if alt => c.word_right(),
            KeyCode::Char('d') if alt => c.kill_word(),
            KeyCode::Char('c') if alt => c.change_word(CaseChange::Capitalize),
            KeyCode::Char('l') if alt => c.change_word(CaseChange::Lower),
            KeyCode::Char('u') if alt => c.change_word(CaseChange::Upper),
            KeyCode::Char('t') if alt => c.transpose_words(),
            KeyCode::Backspace if alt => c.kill_word_back(),
            KeyCode::Backspace => c.backspace(),
            KeyCode::Delete => c.delete(),
            KeyCode::Left => c.left(),
            KeyCode::Right => c.right(),
            KeyCode::Home => c.home(),
            KeyCode::End => c.end(),
            KeyCode::Tab => c.insert("\t"),
            KeyCode::Char(ch) if !ctrl && !alt => c.insert(ch.encode_utf8(&mut [0; 4])),
            _ => {}
        }
        let after = tab.compose.text().to_owned();
        if after != before {
            self.typed(&conversation_id, after.is_empty(), now);
        }
    }

    /// A key while searching the loaded history; whether it was used.
    fn search_key(&mut self, key: &KeyEvent, list: &ConversationList) -> bool {
        let Some(tab) = self.active_tab_mut() else {
            return false;
        };
        let Some(search) = tab.search.as_mut() else {
            return false;
        };
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let again = ctrl && key.code == KeyCode::Char('r');
        match key.code {
            KeyCode::Esc => {
                tab.search = None;
                tab.focus = ViewFocus::Bottom;
                return true;
            }
            KeyCode::Enter => {
                tab.search = None;
                return true;
            }
            _ if again => {}
            _ => {
                if !edit_field(search, key) {
                    return false;
                }
            }
        }
        let query = search.text().to_lowercase();
        let id = tab.id.clone();
        let Some(conv) = list.get(&id) else {
            return true;
        };
        let events = conv.events();
        let below = match tab.focus {
            ViewFocus::Event(i) if again => i,
            ViewFocus::Event(i) => i + 1,
            ViewFocus::Top => 0,
            ViewFocus::Bottom => events.len(),
        };
        if query.is_empty() {
            return true;
        }
        let found = (0..below.min(events.len())).rev().find(|&i| {
            texts::search_text(&events[i], list)
                .to_lowercase()
                .contains(&query)
        });
        if let Some(i) = found {
            tab.focus = ViewFocus::Event(i);
        }
        true
    }

    /// The compose box changed: STARTED when typing starts or resumes
    /// after a PAUSED (refreshed at most every 10 s), STOPPED when it is
    /// emptied.
    fn typed(&mut self, conversation_id: &str, empty: bool, now: Now) {
        if empty {
            self.stop_typing(conversation_id);
            return;
        }
        let was_paused = self
            .typing_edit
            .insert(conversation_id.to_owned(), (now.instant, false))
            .is_some_and(|(_, paused)| paused);
        let due = was_paused
            || self
                .typing_sent
                .get(conversation_id)
                .is_none_or(|t| now.instant.saturating_duration_since(*t) >= TYPING_REFRESH);
        if due {
            self.typing_sent
                .insert(conversation_id.to_owned(), now.instant);
            let id = self.effect_id();
            self.push(Effect::SetTyping {
                id,
                conversation_id: conversation_id.to_owned(),
                typing: TypingType::TYPING_TYPE_STARTED,
            });
        }
    }

    /// Moves the active tab's view by `delta` events (negative: up); at
    /// the top, older history is loaded.
    pub(crate) fn scroll(&mut self, delta: isize, list: &ConversationList) {
        let count = self
            .active_conversation()
            .and_then(|id| list.get(id))
            .map_or(0, |c| c.events().len());
        let Some(tab) = self.active_tab_mut() else {
            return;
        };
        let newest = count.saturating_sub(1);
        let current = match tab.focus {
            ViewFocus::Bottom => newest as isize,
            ViewFocus::Event(i) => i.min(newest) as isize,
            ViewFocus::Top => -1,
        };
        let target = current.saturating_add(delta);
        tab.focus = if count == 0 || target < 0 {
            ViewFocus::Top
        } else if target as usize >= newest {
            ViewFocus::Bottom
        } else {
            ViewFocus::Event(target as usize)
        };
        if tab.focus == ViewFocus::Top && matches!(tab.history, History::Idle | History::Failed) {
            let conversation_id = tab.id.clone();
            self.load_history(&conversation_id, list);
        }
    }

    /// Asks for older history of a conversation (the oldest loaded event
    /// names where).
    pub(crate) fn load_history(&mut self, conversation_id: &str, list: &ConversationList) {
        let id = self.effect_id();
        self.pending.insert(
            id,
            Pending::History {
                conversation_id: conversation_id.to_owned(),
            },
        );
        if let Some(tab) = self.tab_mut(conversation_id) {
            tab.history = History::Loading(id);
        }
        let before_event_id = list
            .get(conversation_id)
            .and_then(|c| c.events().first())
            .map(|e| e.id().to_owned());
        self.push(Effect::LoadHistory {
            id,
            conversation_id: conversation_id.to_owned(),
            before_event_id,
            max_events: HISTORY_PAGE,
        });
    }

    /// Enter: send the compose box (empty is ignored).
    fn send(&mut self, conversation_id: &str, now: Now) {
        let Some(tab) = self.tab_mut(conversation_id) else {
            return;
        };
        if tab.compose.text().trim().is_empty() {
            return;
        }
        tab.focus = ViewFocus::Bottom;
        let text = tab.compose.take();
        self.stop_typing(conversation_id);
        let (image, message) = match text.strip_prefix("/image") {
            Some(rest) if rest.is_empty() || rest.starts_with(' ') => {
                let rest = rest.trim_start();
                let (path, caption) = rest.split_once(' ').unwrap_or((rest, ""));
                if path.is_empty() {
                    if let Some(tab) = self.tab_mut(conversation_id) {
                        tab.compose.set_text(&text);
                    }
                    self.say("Usage: /image PATH [caption]", now);
                    return;
                }
                (
                    Some(std::path::PathBuf::from(path)),
                    caption.trim().to_owned(),
                )
            }
            _ => (None, text.clone()),
        };
        let message = if self.settings.keep_emoticons {
            message
        } else {
            emoticons::replace_emoticons(&message)
        };
        let segments = if message.is_empty() {
            Vec::new()
        } else {
            segments_from_str(&message)
        };
        let conversation_id = conversation_id.to_owned();
        self.start(
            Pending::Send {
                conversation_id: conversation_id.clone(),
                text,
            },
            |id| Effect::SendMessage {
                id,
                conversation_id,
                segments,
                image,
            },
        );
    }

    pub(crate) fn on_paste(&mut self, text: &str, now: Now, list: &ConversationList) {
        if let Some(overlay) = self.overlay.as_mut() {
            let field = match overlay {
                Overlay::Rename { field, .. } => Some(field),
                Overlay::Pick(p) => Some(p.naming.as_mut().unwrap_or(&mut p.query)),
                _ => None,
            };
            if let Some(field) = field {
                field.insert(&text.replace(['\n', '\r'], " "));
            }
            return;
        }
        if self.active == 0 {
            if self.list_view.filtering {
                self.list_view
                    .filter
                    .insert(&text.replace(['\n', '\r'], " "));
            }
            return;
        }
        self.key_in_conversation(now, list);
        let Some(tab) = self.active_tab_mut() else {
            return;
        };
        let text = text.replace("\r\n", "\n").replace('\r', "\n");
        tab.compose.insert(&text);
        let id = tab.id.clone();
        let empty = tab.compose.is_empty();
        self.typed(&id, empty, now);
    }

    pub(crate) fn on_mouse(
        &mut self,
        mouse: ratatui::crossterm::event::MouseEvent,
        now: Now,
        list: &ConversationList,
    ) {
        if !self.settings.mouse || self.overlay.is_some() {
            return;
        }
        match mouse.kind {
            MouseEventKind::ScrollUp if self.active > 0 => self.scroll(-3, list),
            MouseEventKind::ScrollDown if self.active > 0 => self.scroll(3, list),
            MouseEventKind::ScrollUp => self.move_selection(list, -1),
            MouseEventKind::ScrollDown => self.move_selection(list, 1),
            MouseEventKind::Down(MouseButton::Left) if mouse.row == 0 => {
                if let Some(i) = self.tab_at_column(list, mouse.column) {
                    self.switch_to(i);
                }
            }
            MouseEventKind::Down(MouseButton::Left) if self.active == 0 && mouse.row >= 1 => {
                // The rows start under the tab bar and end above the status
                // line (and the filter line, when it shows).
                let count = self.visible_conversations(list).len();
                let filter = usize::from(self.list_view.filter_shown());
                let height = usize::from(self.size.1).saturating_sub(2 + filter);
                let on_screen = usize::from(mouse.row - 1);
                let row = on_screen + self.list_view.first_row(count, height);
                if on_screen < height && row < count {
                    self.list_view.selected = row;
                    if let Some(id) = self.selected_conversation(list) {
                        self.open_tab(&id, true, list);
                    }
                }
            }
            _ => {}
        }
        let _ = now;
    }
}
