//! Idempotent creates: like the real servers, a repeated
//! `client_generated_id` gets what the first request created, not a second
//! one. An event-creating call (SendChatMessage, Rename, AddUser,
//! RemoveUser, ModifyOTRStatus, SetGroupLinkSharingEnabled) whose
//! `event_request_header.client_generated_id` matches an event the caller
//! already created in that conversation answers with that event, changes
//! nothing and pushes nothing; a CreateConversation whose
//! `client_generated_id` matches a conversation the caller created answers
//! with that conversation (`new_conversation_created = false`). A missing
//! or zero id is never matched.

use super::*;

impl World {
    /// The caller's view of the event the caller already created in the
    /// header's conversation with the header's client-generated id.
    pub(crate) fn repeated_event(
        &self,
        caller: &str,
        header: Option<&EventRequestHeader>,
    ) -> Option<(usize, Event)> {
        let header = header?;
        let cgid = header.client_generated_id.filter(|c| *c != 0)?.to_string();
        let id = header.conversation_id.as_ref()?.id.as_deref()?;
        let ci = self
            .convs
            .iter()
            .position(|c| c.id == id && c.members.contains_key(caller))?;
        let conv = &self.convs[ci];
        let event = conv.events.iter().find(|e| {
            e.client_generated_id.as_deref() == Some(cgid.as_str())
                && e.event
                    .sender_id
                    .as_ref()
                    .and_then(|s| s.gaia_id.as_deref())
                    == Some(caller)
        })?;
        Some((ci, self.event_view(conv, event, caller)))
    }

    /// The conversation the caller created with this client-generated id.
    pub(crate) fn repeated_conversation(&self, caller: &str, cgid: Option<u64>) -> Option<usize> {
        let cgid = cgid.filter(|c| *c != 0)?.to_string();
        self.convs.iter().position(|c| {
            c.members
                .get(caller)
                .is_some_and(|m| m.client_generated_id.as_deref() == Some(cgid.as_str()))
        })
    }
}
