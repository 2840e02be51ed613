//! The parts of the world a test scripts from outside, beyond messages
//! (which are in the parent module): off-the-record conversations,
//! hangout (call) events, phone (Google Voice) participants, read
//! states that only GetConversation fills, typing from other users
//! (which the server ends when it expires), observed events. Each is one
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
            event_request_header: Some(Box::new(EventRequestHeader {
                conversation_id: Some(ConversationId {
                    id: Some(conversation.to_string()),
                }),
                ..Default::default()
            })),
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

impl Inner {
    /// `sender` starts (`start`) or ends the hangout (call) of
    /// `conversation`: a HANGOUT event with a `hangout_event` of that type
    /// naming the sender, pushed to every participant with the
    /// conversation's new `has_active_hangout`. Returns the event's id.
    pub(crate) fn hangout(
        &mut self,
        conversation: &str,
        sender: &str,
        start: bool,
    ) -> Result<String, String> {
        let ci = self
            .world
            .conv_of_participant(sender, conversation)
            .map_err(|f| f.description)?;
        if self.world.convs[ci].active_hangout == start {
            let now = if start { "already" } else { "no hangout" };
            return Err(format!("{now} going on in {conversation}"));
        }
        self.world.convs[ci].active_hangout = start;
        let event_type = if start {
            HangoutEventType::HANGOUT_EVENT_TYPE_START
        } else {
            HangoutEventType::HANGOUT_EVENT_TYPE_END
        };
        let ei = self
            .world
            .append_event(ci, sender, None, EventType::EVENT_TYPE_HANGOUT, |e| {
                e.hangout_event = Some(Box::new(HangoutEvent {
                    event_type: Some(event_type),
                    participant_id: vec![super::world::participant_id(sender)],
                }));
            });
        let recipients = self.world.convs[ci].participants.clone();
        self.world.push_event(ci, ei, &recipients);
        let id = self.world.convs[ci].events[ei].id().to_string();
        self.deliver();
        Ok(id)
    }
}

impl Inner {
    /// `user`'s SetTyping in `conversation`, as the API call would.
    pub(crate) fn typing(
        &mut self,
        conversation: &str,
        user: &str,
        kind: TypingType,
    ) -> Result<u64, String> {
        let caller = Caller {
            user: user.to_string(),
            client_id: None,
        };
        let req = SetTypingRequest {
            conversation_id: Some(ConversationId {
                id: Some(conversation.to_string()),
            }),
            r#type: Some(kind),
            ..Default::default()
        };
        let response = self
            .world
            .set_typing(&caller, req)
            .map_err(|f| f.description)?;
        self.deliver();
        Ok(response.timestamp.unwrap_or(0))
    }

    /// Pushes a STOPPED typing for every STARTED whose time is up.
    pub(crate) fn expire_typing(&mut self) {
        if self.world.expire_typing() {
            self.deliver();
        }
    }
}

impl Inner {
    /// An `EVENT_TYPE_OBSERVED_EVENT` from `sender` in `conversation`:
    /// kept in history and pushed like any event. Returns its id.
    pub(crate) fn observed_event(
        &mut self,
        conversation: &str,
        sender: &str,
    ) -> Result<String, String> {
        let ci = self
            .world
            .conv_of_participant(sender, conversation)
            .map_err(|f| f.description)?;
        let ei = self.world.append_event(
            ci,
            sender,
            None,
            EventType::EVENT_TYPE_OBSERVED_EVENT,
            |_| {},
        );
        let recipients = self.world.convs[ci].participants.clone();
        self.world.push_event(ci, ei, &recipients);
        let id = self.world.convs[ci].events[ei].id().to_string();
        self.deliver();
        Ok(id)
    }
}

impl super::world::World {
    /// From now on (`zero`) the read states of `conversation` go out zero
    /// in pushes, syncs and call replies; only GetConversation carries
    /// the real ones. `false`: the real ones everywhere again.
    pub(crate) fn set_zero_read_states(
        &mut self,
        conversation: &str,
        zero: bool,
    ) -> Result<(), String> {
        if self.conv(conversation).is_none() {
            return Err(format!("unknown conversation {conversation:?}"));
        }
        if zero {
            self.zero_read_states.insert(conversation.to_string());
        } else {
            self.zero_read_states.remove(conversation);
        }
        Ok(())
    }
}

impl EmulatorHandle {
    /// An `EVENT_TYPE_OBSERVED_EVENT` (no content) from `sender` in
    /// `conversation`, in which they take part: kept in history and
    /// pushed with the conversation to every participant. Clients skip
    /// such events among a conversation's initial events (PROTOCOL.md
    /// §7.7) but keep them when pushed or paged. Returns its id.
    pub fn observed_event(&self, conversation: &str, sender: &str) -> Result<String, String> {
        self.shared.lock().observed_event(conversation, sender)
    }

    /// `user` types (`kind`) in `conversation`, in which they take part,
    /// as their SetTyping would: a typing notification pushed to every
    /// participant. A STARTED that no other SetTyping of theirs there
    /// follows within [`EmulatorConfig::typing_timeout`](super::EmulatorConfig::typing_timeout)
    /// is ended by the server with a STOPPED push. Returns the timestamp.
    pub fn set_typing(
        &self,
        conversation: &str,
        user: &str,
        kind: TypingType,
    ) -> Result<u64, String> {
        self.shared.lock().typing(conversation, user, kind)
    }

    /// From now on (`zero == true`) every read state of `conversation`
    /// (the self read state and each participant's `read_state`) has a
    /// zero timestamp in pushes, SyncRecentConversations,
    /// SyncAllNewEvents and call replies; GetConversation alone carries
    /// the real ones, which a client must end with. `false` undoes it.
    pub fn set_zero_read_states(&self, conversation: &str, zero: bool) -> Result<(), String> {
        self.shared
            .lock()
            .world
            .set_zero_read_states(conversation, zero)
    }

    /// [`create_conversation`](Self::create_conversation) sorted at
    /// `sort_timestamp` (µs) instead of now: several may share one, and a
    /// SyncRecentConversations page then never ends inside such a run
    /// (the next page asks for conversations strictly older).
    pub fn create_conversation_at(
        &self,
        name: Option<&str>,
        group: bool,
        participants: &[&str],
        sort_timestamp: u64,
    ) -> Result<String, String> {
        super::control::create_conversation(
            &mut self.shared.lock(),
            None,
            name.map(str::to_string),
            group,
            participants.iter().map(|p| p.to_string()).collect(),
            Some(sort_timestamp),
        )
    }

    /// From now on (`true`) event pushes carry conversation deltas with
    /// only what the event changed: no delivery media, a zero read
    /// timestamp for everyone but the sender, the sender's read state
    /// only; the rest stays in the client's copy. `false`: whole
    /// conversations again (the default).
    pub fn set_partial_deltas(&self, partial: bool) {
        self.shared.lock().world.partial_deltas = partial;
    }

    /// Adds a phone (Google Voice) user: `phone` in E.164 (`+12125551212`),
    /// `name` empty if the world knows only the number. Conversations
    /// with such a user go by Google Voice; its `participant_data` shows
    /// the number, its entity (GetEntityById by id or by `phone`) the
    /// name.
    pub fn add_phone_user(&self, id: &str, name: &str, phone: &str) -> Result<(), String> {
        self.shared.lock().world.add_phone_user(id, name, phone)
    }

    /// `sender` starts (`start == true`) or ends the hangout (call) of
    /// `conversation`, in which they take part: a HANGOUT event
    /// (`hangout_event.event_type` START or END) kept in history and
    /// pushed with the conversation, whose `has_active_hangout` follows.
    /// Starting twice or ending none is refused. Returns the event's id.
    pub fn hangout(&self, conversation: &str, sender: &str, start: bool) -> Result<String, String> {
        self.shared.lock().hangout(conversation, sender, start)
    }

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
