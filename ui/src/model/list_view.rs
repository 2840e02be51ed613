//! Tab 0, the conversation list: newest first by sort timestamp, archived
//! conversations hidden unless asked for, a filter by name.

use hangups_core::state::{Conversation, ConversationList};

use super::{names, App, Compose, Effect};

/// The list's own state.
#[derive(Clone, Debug, Default)]
pub(crate) struct ListView {
    /// The selected row.
    pub(crate) selected: usize,
    /// The filter (names containing it, case-insensitively).
    pub(crate) filter: Compose,
    /// Whether keys edit the filter.
    pub(crate) filtering: bool,
    /// Whether archived conversations are shown.
    pub(crate) show_archived: bool,
}

impl ListView {
    /// Whether the filter line shows (while editing it, or when set).
    pub(crate) fn filter_shown(&self) -> bool {
        self.filtering || !self.filter.is_empty()
    }

    /// The first row on screen of a list of `count` conversations in
    /// `height` rows: the list scrolls just enough to show the selection.
    /// The renderer draws from it and a mouse click maps through it.
    pub(crate) fn first_row(&self, count: usize, height: usize) -> usize {
        let selected = self.selected.min(count.saturating_sub(1));
        (selected + 1).saturating_sub(height)
    }
}

/// The sort timestamp: the conversation's, or its newest loaded event's
/// if later (a pushed event can come before the delta that moves it).
pub(crate) fn sort_timestamp(conv: &Conversation) -> u64 {
    let newest = conv.events().iter().map(|e| e.timestamp()).max();
    conv.last_modified().max(newest.unwrap_or(0))
}

impl App {
    /// The conversations the list shows, in order: newest first by sort
    /// timestamp (ties by id), archived ones only when shown, filtered.
    pub fn visible_conversations<'l>(&self, list: &'l ConversationList) -> Vec<&'l Conversation> {
        let filter = self.list_view.filter.text().to_lowercase();
        let mut convs: Vec<&Conversation> = list
            .get_all(true)
            .into_iter()
            .filter(|c| !self.gone.contains(c.id()))
            .filter(|c| self.list_view.show_archived || !self.is_archived(list, c.id()))
            .filter(|c| {
                filter.is_empty()
                    || names::conversation_name(c, list, false)
                        .to_lowercase()
                        .contains(&filter)
            })
            .collect();
        convs.sort_by(|a, b| {
            sort_timestamp(b)
                .cmp(&sort_timestamp(a))
                .then_with(|| a.id().cmp(b.id()))
        });
        convs
    }

    /// The selected conversation of the list, if any.
    pub(crate) fn selected_conversation(&self, list: &ConversationList) -> Option<String> {
        self.visible_conversations(list)
            .get(self.list_view.selected)
            .map(|c| c.id().to_owned())
    }

    /// Moves the list's selection by `delta` rows, clamped.
    pub(crate) fn move_selection(&mut self, list: &ConversationList, delta: isize) {
        let count = self.visible_conversations(list).len();
        let last = count.saturating_sub(1);
        let current = self.list_view.selected.min(last);
        self.list_view.selected = current.saturating_add_signed(delta).min(last);
    }

    /// The self user left a conversation, or it was deleted: its tab
    /// closes (the previous one becomes active if it was), the list hides
    /// it and keeps the selection on the same conversation (on the row
    /// that takes the gone one's place if it was the selected one).
    pub(crate) fn conversation_gone(&mut self, conversation_id: &str, list: &ConversationList) {
        self.close_conversation(conversation_id);
        let selected = self.selected_conversation(list);
        self.gone.insert(conversation_id.to_owned());
        if let Some(row) = selected.and_then(|id| {
            self.visible_conversations(list)
                .iter()
                .position(|c| c.id() == id)
        }) {
            self.list_view.selected = row;
        }
        let last = self.visible_conversations(list).len().saturating_sub(1);
        self.list_view.selected = self.list_view.selected.min(last);
    }

    /// Archives a conversation here (or brings it back), saving the set.
    pub(crate) fn toggle_archived(&mut self, conversation_id: &str) {
        if !self.archived.remove(conversation_id) {
            self.archived.insert(conversation_id.to_owned());
        }
        let id = self.effect_id();
        let conversation_ids = self.archived.iter().cloned().collect();
        self.push(Effect::SaveArchived {
            id,
            conversation_ids,
        });
    }

    /// The next conversation with unread messages after the current one
    /// (in list order, wrapping), if any.
    pub(crate) fn next_unread(&self, list: &ConversationList) -> Option<String> {
        let convs = self.visible_conversations(list);
        let current = self
            .active_conversation()
            .map(str::to_owned)
            .or_else(|| self.selected_conversation(list));
        let start = current
            .and_then(|id| convs.iter().position(|c| c.id() == id))
            .map_or(0, |i| i + 1);
        (0..convs.len())
            .map(|k| convs[(start + k) % convs.len()])
            .find(|c| self.unread(list, c.id()) > 0)
            .map(|c| c.id().to_owned())
    }
}
