//! Typing that expires on the server: a STARTED typing that no later
//! SetTyping of the same user in the same conversation follows within
//! `typing_timeout` is ended by a STOPPED typing push, as if the user's
//! client had said so.

use super::{conversation_id, participant_id, World};
use crate::emulator::ids::wall_micros;
use hangups_proto::hangouts::{SetTypingNotification, StateUpdateKind as Su, TypingType};

impl World {
    /// Notes a SetTyping of `user` in `conversation`: STARTED (re)arms
    /// its expiry, anything else ends it.
    pub(crate) fn note_typing(&mut self, conversation: &str, user: &str, kind: TypingType) {
        let key = (conversation.to_string(), user.to_string());
        match (kind, self.typing_timeout) {
            (TypingType::TYPING_TYPE_STARTED, Some(timeout)) => {
                let after = u64::try_from(timeout.as_micros()).unwrap_or(u64::MAX);
                self.typing.insert(key, wall_micros().saturating_add(after));
            }
            _ => {
                self.typing.remove(&key);
            }
        }
    }

    /// Ends every typing whose time is up: a STOPPED typing notification
    /// from its user, pushed to the conversation's participants (none if
    /// the user has left it since). Returns whether anything was pushed.
    pub(crate) fn expire_typing(&mut self) -> bool {
        let now = wall_micros();
        let due: Vec<(String, String)> = self
            .typing
            .iter()
            .filter(|(_, &at)| at <= now)
            .map(|(key, _)| key.clone())
            .collect();
        let mut pushed = false;
        for key in due {
            self.typing.remove(&key);
            let (conversation, user) = key;
            let Some(conv) = self.conv(&conversation) else {
                continue;
            };
            if !conv.is_participant(&user) {
                continue;
            }
            let recipients = conv.participants.clone();
            let update = Su::TypingNotification(Box::new(SetTypingNotification {
                conversation_id: Some(conversation_id(&conversation)),
                sender_id: Some(Box::new(participant_id(&user))),
                timestamp: Some(self.clock.now()),
                r#type: Some(TypingType::TYPING_TYPE_STOPPED),
            }));
            self.push_each(&recipients, None, update);
            pushed = true;
        }
        pushed
    }
}
