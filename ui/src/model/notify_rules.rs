//! What a new event does: a chat message from someone else in a
//! conversation that is not quiet opens its tab in the background and
//! notifies (unless that conversation is on screen with the terminal
//! focused); any message ends its sender's typing.

use hangups_core::state::{ConversationEvent, ConversationList, EventKind};

use super::{App, Effect, Now};

impl App {
    pub(crate) fn on_new_event(
        &mut self,
        event: &ConversationEvent,
        _now: Now,
        list: &ConversationList,
    ) {
        let conversation_id = event.conversation_id().to_owned();
        let sender = event.user_id();
        if event.kind() != EventKind::ChatMessage {
            return;
        }
        self.status.stopped_typing(&conversation_id, &sender);
        if sender == *list.users().self_id() {
            return;
        }
        let Some(conv) = list.get(&conversation_id) else {
            return;
        };
        if conv.is_quiet() {
            return;
        }
        self.open_tab(&conversation_id, false, list);
        let on_screen =
            self.focused && self.active_conversation() == Some(conversation_id.as_str());
        if !self.settings.notifications || on_screen {
            return;
        }
        let (title, body) = if self.settings.discreet_notifications {
            ("hangups".to_owned(), "New message".to_owned())
        } else {
            let text = event
                .as_chat_message()
                .map(|m| m.text())
                .unwrap_or_default();
            (list.users().get_user(&sender).full_name.clone(), text)
        };
        let id = self.effect_id();
        self.push(Effect::Notify { id, title, body });
    }
}
