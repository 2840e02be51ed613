//! The parts of the world a test scripts from outside, beyond messages
//! (which are in the parent module): off-the-record conversations,
//! hangout (call) events, phone (Google Voice) participants. Each is one
//! [`Inner`] operation, reached through the control API (`control`) and
//! an [`EmulatorHandle`] method.

use super::world::Caller;
use super::{EmulatorHandle, Inner};
use hangups_proto::hangouts::*;

impl Inner {
    /// `user` turns the history of `conversation` off (`off_the_record`)
    /// or on, as ModifyOTRStatus does; returns the OTR event's id.
    pub(crate) fn set_off_the_record(
        &mut self,
        conversation: &str,
        user: &str,
        off_the_record: bool,
    ) -> Result<String, String> {
        let caller = Caller {
            user: user.to_string(),
            client_id: None,
        };
        let status = if off_the_record {
            OffTheRecordStatus::OFF_THE_RECORD_STATUS_OFF_THE_RECORD
        } else {
            OffTheRecordStatus::OFF_THE_RECORD_STATUS_ON_THE_RECORD
        };
        let req = ModifyOTRStatusRequest {
            otr_status: Some(status),
            event_request_header: Some(EventRequestHeader {
                conversation_id: Some(ConversationId {
                    id: Some(conversation.to_string()),
                }),
                ..Default::default()
            }),
            ..Default::default()
        };
        let response = self
            .world
            .modify_otr_status(&caller, req)
            .map_err(|f| f.description)?;
        self.deliver();
        Ok(response
            .created_event
            .and_then(|e| e.event_id)
            .unwrap_or_default())
    }
}

impl EmulatorHandle {
    /// `user` turns the history of `conversation` off (`true`) or back on,
    /// as a client's ModifyOTRStatus would. While it is off, new events
    /// are pushed (`persisted: false`) but not kept: no history reply
    /// (GetConversation, SyncRecentConversations, SyncAllNewEvents) and
    /// no [`conversation_states`](Self::conversation_states) has them.
    /// The OTR event itself is kept. Returns its id.
    pub fn set_off_the_record(
        &self,
        conversation: &str,
        user: &str,
        off_the_record: bool,
    ) -> Result<String, String> {
        self.shared
            .lock()
            .set_off_the_record(conversation, user, off_the_record)
    }
}
