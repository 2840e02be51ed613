//! The tabs: tab 0 is the conversation list (never closed), then one tab
//! per open conversation, each with its compose box and scroll position.

use hangups_core::state::ConversationList;

use super::{names, App, Compose};

/// Where the message view is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum ViewFocus {
    /// Following the newest event.
    #[default]
    Bottom,
    /// Scrolled up: this event (index into the loaded events) is at the
    /// bottom of the view.
    Event(usize),
    /// At the top: the "Loading..." / "No more messages" line.
    Top,
}

/// Older history of a conversation tab.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum History {
    /// More may be loaded by scrolling to the top.
    #[default]
    Idle,
    /// A [`LoadHistory`](super::Effect::LoadHistory) is running.
    Loading(super::EffectId),
    /// The server has nothing older.
    NoMore,
    /// The last load failed: not retried by itself (scrolling to the top
    /// tries again).
    Failed,
}

/// A conversation tab.
#[derive(Clone, Debug, Default)]
pub(crate) struct ConvTab {
    /// The conversation's id.
    pub(crate) id: String,
    /// The compose box.
    pub(crate) compose: Compose,
    /// The message view's position.
    pub(crate) focus: ViewFocus,
    /// Older history.
    pub(crate) history: History,
    /// Searching the loaded history: the query.
    pub(crate) search: Option<Compose>,
}

impl App {
    /// The tab of a conversation.
    pub(crate) fn tab_mut(&mut self, conversation_id: &str) -> Option<&mut ConvTab> {
        self.tabs.iter_mut().find(|t| t.id == conversation_id)
    }

    /// The active conversation tab.
    pub(crate) fn active_tab_mut(&mut self) -> Option<&mut ConvTab> {
        self.active
            .checked_sub(1)
            .and_then(|i| self.tabs.get_mut(i))
    }

    /// The active conversation tab.
    pub(crate) fn active_conversation_tab(&self) -> Option<&ConvTab> {
        self.active.checked_sub(1).and_then(|i| self.tabs.get(i))
    }

    /// Opens a conversation's tab (or finds it), switching to it if
    /// `switch`. A tab opened on a conversation without loaded events
    /// asks for its history at once (its top, "Loading...", is on screen).
    pub(crate) fn open_tab(
        &mut self,
        conversation_id: &str,
        switch: bool,
        list: &ConversationList,
    ) {
        let index = match self.tabs.iter().position(|t| t.id == conversation_id) {
            Some(i) => i,
            None => {
                self.tabs.push(ConvTab {
                    id: conversation_id.to_owned(),
                    ..ConvTab::default()
                });
                self.tabs.len() - 1
            }
        };
        if switch {
            self.switch_to(index + 1);
            self.fill_screen(list);
        }
    }

    /// While the active conversation's loaded events are too few to fill
    /// its view, the top ("Loading...") is on screen: ask for older
    /// history, as hangups does when that line shows (at once for a tab
    /// with no loaded event). Each row takes at least one line, so fewer
    /// events than the view's lines means the top is visible.
    pub(crate) fn fill_screen(&mut self, list: &ConversationList) {
        let Some(tab) = self.active_conversation_tab() else {
            return;
        };
        if tab.history != History::Idle || tab.search.is_some() {
            return;
        }
        // The tab bar, the status line and the compose box take 3 rows.
        let view_lines = usize::from(self.size.1.saturating_sub(3));
        let loaded = list.get(&tab.id).map_or(0, |c| c.events().len());
        if loaded == 0 || loaded < view_lines {
            let id = tab.id.clone();
            self.load_history(&id, list);
        }
    }

    /// Makes tab `index` active (leaving the current one: typing stops).
    pub(crate) fn switch_to(&mut self, index: usize) {
        if index == self.active || index > self.tabs.len() {
            return;
        }
        if let Some(id) = self.active_conversation().map(str::to_owned) {
            self.stop_typing(&id);
        }
        self.active = index;
    }

    /// The next tab, wrapping.
    pub(crate) fn next_tab(&mut self) {
        let count = self.tabs.len() + 1;
        self.switch_to((self.active + 1) % count);
    }

    /// The previous tab, wrapping.
    pub(crate) fn prev_tab(&mut self) {
        let count = self.tabs.len() + 1;
        self.switch_to((self.active + count - 1) % count);
    }

    /// Closes the active tab (not the list), moving to the previous one.
    pub(crate) fn close_active_tab(&mut self) {
        if let Some(id) = self.active_conversation().map(str::to_owned) {
            self.close_conversation(&id);
        }
    }

    /// Closes a conversation's tab, if open.
    pub(crate) fn close_conversation(&mut self, conversation_id: &str) {
        let Some(i) = self.tabs.iter().position(|t| t.id == conversation_id) else {
            return;
        };
        self.stop_typing(conversation_id);
        self.tabs.remove(i);
        let index = i + 1;
        if self.active >= index {
            self.active -= 1;
        }
    }

    /// Keeps every index in range after the list changed.
    pub(crate) fn clamp(&mut self, list: &ConversationList) {
        if self.active > self.tabs.len() {
            self.active = self.tabs.len();
        }
        for tab in &mut self.tabs {
            let count = list.get(&tab.id).map_or(0, |c| c.events().len());
            if let ViewFocus::Event(i) = tab.focus {
                if i + 1 >= count {
                    tab.focus = ViewFocus::Bottom;
                }
            }
        }
        let visible = self.visible_conversations(list).len();
        if self.list_view.selected >= visible {
            self.list_view.selected = visible.saturating_sub(1);
        }
    }

    /// Every tab's title, tab 0 first.
    pub fn tab_titles(&self, list: &ConversationList) -> Vec<String> {
        let mut titles = vec!["Conversations".to_owned()];
        for tab in &self.tabs {
            titles.push(names::tab_title(list, &tab.id, self.unread(list, &tab.id)));
        }
        titles
    }

    /// The first tab the bar shows at this width: tabs scroll off to the
    /// left so that the active one is visible.
    pub fn first_visible_tab(&self, list: &ConversationList, width: u16) -> usize {
        let widths: Vec<usize> = self
            .tab_titles(list)
            .iter()
            .map(|t| unicode_width::UnicodeWidthStr::width(t.as_str()) + 3)
            .collect();
        let active = self.active.min(widths.len().saturating_sub(1));
        let mut first = 0;
        while first < active
            && widths[first..=active].iter().sum::<usize>() > usize::from(width) + 1
        {
            first += 1;
        }
        first
    }

    /// The tab at a column of the tab bar (each title is drawn as
    /// `" title "`, one space apart), for mouse clicks.
    pub(crate) fn tab_at_column(&self, list: &ConversationList, column: u16) -> Option<usize> {
        let mut x = 0usize;
        let first = self.first_visible_tab(list, self.size.0);
        for (i, title) in self.tab_titles(list).iter().enumerate().skip(first) {
            let w = unicode_width::UnicodeWidthStr::width(title.as_str()) + 2;
            if (x..x + w).contains(&usize::from(column)) {
                return Some(i);
            }
            x += w + 1;
        }
        None
    }
}

impl App {
    /// Whether an overlay is open.
    pub(crate) fn has_overlay(&self) -> bool {
        self.overlay.is_some()
    }
}

impl App {
    /// The active tab's index (0: the list).
    pub fn active_tab_index(&self) -> usize {
        self.active
    }
}
