//! The endpoints that change the world: each takes the caller and the
//! decoded request, changes the world, leaves the StateUpdates a real
//! server would push in [`World::outbox`], and returns the response
//! (without its response header, which the dispatcher adds).

use super::*;
use hangups_proto::hangouts::StateUpdateStateUpdate as Su;

/// Who makes an API call.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    /// The user (from the cookies).
    pub user: String,
    /// `request_header.client_identifier.resource`, if sent.
    pub client_id: Option<String>,
}

/// A call the world refuses: a non-OK response header.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Fail {
    pub status: ResponseStatus,
    pub description: String,
}

impl Fail {
    pub fn invalid(description: impl Into<String>) -> Fail {
        Fail {
            status: ResponseStatus::RESPONSE_STATUS_INVALID_REQUEST,
            description: description.into(),
        }
    }
}

pub(crate) type Res<T> = Result<T, Fail>;

fn erh_conversation(header: Option<&EventRequestHeader>) -> Res<String> {
    header
        .and_then(|h| h.conversation_id.as_ref())
        .and_then(|c| c.id.clone())
        .ok_or_else(|| Fail::invalid("missing event_request_header.conversation_id"))
}

fn conv_id_field(id: Option<&ConversationId>) -> Res<String> {
    id.and_then(|c| c.id.clone())
        .ok_or_else(|| Fail::invalid("missing conversation_id"))
}

impl World {
    // ---- helpers ----

    /// The index of conversation `id`, which `user` must currently take part in.
    pub(crate) fn conv_of_participant(&self, user: &str, id: &str) -> Res<usize> {
        let i = self
            .convs
            .iter()
            .position(|c| c.id == id)
            .ok_or_else(|| Fail::invalid(format!("unknown conversation {id}")))?;
        if !self.convs[i].is_participant(user) {
            return Err(Fail::invalid(format!("{user} is not in conversation {id}")));
        }
        Ok(i)
    }

    /// The index of conversation `id`, which `user` must have taken part in.
    pub(crate) fn conv_of_member(&self, user: &str, id: &str) -> Res<usize> {
        let i = self
            .convs
            .iter()
            .position(|c| c.id == id)
            .ok_or_else(|| Fail::invalid(format!("unknown conversation {id}")))?;
        if !self.convs[i].members.contains_key(user) {
            return Err(Fail::invalid(format!("{user} is not in conversation {id}")));
        }
        Ok(i)
    }

    /// Appends a new event to conversation `ci`; returns its index.
    pub(crate) fn append_event(
        &mut self,
        ci: usize,
        sender: &str,
        client_generated_id: Option<u64>,
        event_type: EventType,
        fill: impl FnOnce(&mut Event),
    ) -> usize {
        let ts = self.clock.next_event();
        let event_id = self.ids.event_id();
        let conv = &mut self.convs[ci];
        let mut event = Event {
            conversation_id: Some(conversation_id(&conv.id)),
            sender_id: Some(participant_id(sender)),
            timestamp: Some(ts),
            event_id: Some(event_id),
            advances_sort_timestamp: Some(true),
            otr_status: Some(conv.otr),
            persisted: Some(conv.otr == OffTheRecordStatus::OFF_THE_RECORD_STATUS_ON_THE_RECORD),
            medium_type: Some(babel_medium()),
            event_type: Some(event_type),
            event_version: Some(ts),
            ..Default::default()
        };
        fill(&mut event);
        conv.events.push(StoredEvent {
            event,
            client_generated_id: client_generated_id.map(|c| c.to_string()),
        });
        conv.sort_us = ts;
        conv.changed_us = ts;
        conv.events.len() - 1
    }

    /// Pushes event `ei` of conversation `ci` (with the conversation delta)
    /// to each of `recipients`.
    pub(crate) fn push_event(&mut self, ci: usize, ei: usize, recipients: &[String]) {
        let conv = &self.convs[ci];
        let pushes: Vec<Push> = recipients
            .iter()
            .map(|r| Push {
                user: r.clone(),
                update: StateUpdate {
                    state_update_header: None,
                    conversation: Some(self.conversation_view(conv, r)),
                    state_update: Su::event_notification(EventNotification {
                        event: Some(self.event_view(conv, &conv.events[ei], r)),
                    }),
                },
                presence: false,
            })
            .collect();
        self.outbox.extend(pushes);
    }

    /// Pushes `update` to each of `recipients`, with the conversation delta
    /// of `ci` if given.
    pub(crate) fn push_each(&mut self, recipients: &[String], ci: Option<usize>, update: Su) {
        for r in recipients {
            let conversation = ci.map(|ci| self.conversation_view(&self.convs[ci], r));
            self.outbox.push(Push {
                user: r.clone(),
                update: StateUpdate {
                    state_update_header: None,
                    conversation,
                    state_update: update.clone(),
                },
                presence: false,
            });
        }
    }

    /// Creates an event, pushes it to the current participants and returns
    /// the caller's view of it.
    fn event_for_all(
        &mut self,
        caller: &Caller,
        ci: usize,
        cgid: Option<u64>,
        event_type: EventType,
        fill: impl FnOnce(&mut Event),
    ) -> Event {
        let ei = self.append_event(ci, &caller.user, cgid, event_type, fill);
        let recipients = self.convs[ci].participants.clone();
        self.push_event(ci, ei, &recipients);
        let conv = &self.convs[ci];
        self.event_view(conv, &conv.events[ei], &caller.user)
    }

    // ---- event-creating endpoints ----

    /// A chat message from `sender` (used by SendChatMessage and by the
    /// control API). Returns the event index.
    pub(crate) fn post_message(
        &mut self,
        ci: usize,
        sender: &str,
        cgid: Option<u64>,
        event_type: EventType,
        chat_message: ChatMessage,
    ) -> usize {
        let ei = self.append_event(ci, sender, cgid, event_type, |e| {
            e.chat_message = Some(chat_message);
        });
        let ts = self.convs[ci].events[ei].timestamp();
        let conv = &mut self.convs[ci];
        for (id, m) in conv.members.iter_mut() {
            if conv.participants.contains(id) {
                m.archived = false;
            }
        }
        if let Some(m) = conv.members.get_mut(sender) {
            m.read_us = m.read_us.max(ts);
        }
        let recipients = conv.participants.clone();
        self.push_event(ci, ei, &recipients);
        ei
    }

    pub(crate) fn send_chat_message(
        &mut self,
        caller: &Caller,
        req: SendChatMessageRequest,
    ) -> Res<SendChatMessageResponse> {
        let header = req.event_request_header.as_ref();
        let ci = self.conv_of_participant(&caller.user, &erh_conversation(header)?)?;
        let cgid = header.and_then(|h| h.client_generated_id);
        let event_type = header
            .and_then(|h| h.event_type)
            .unwrap_or(EventType::EVENT_TYPE_REGULAR_CHAT_MESSAGE);
        let mut content = req.message_content.unwrap_or_default();
        if content.segment.is_empty() {
            content.segment = req
                .chat_message_spec
                .into_iter()
                .flat_map(|s| s.segment)
                .collect();
        }
        if let Some(photo) = req.existing_media.and_then(|m| m.photo) {
            let id = photo.photo_id.unwrap_or_default();
            let upload = self
                .uploads
                .get(&id)
                .filter(|u| u.bytes.is_some())
                .ok_or_else(|| Fail::invalid(format!("unknown photo id {id:?}")))?;
            content.attachment.push(photo_attachment(&id, upload));
        }
        if content.segment.is_empty() && content.attachment.is_empty() {
            return Err(Fail::invalid("empty message"));
        }
        let chat_message = ChatMessage {
            annotation: req.annotation,
            message_content: Some(content),
        };
        let ei = self.post_message(ci, &caller.user, cgid, event_type, chat_message);
        let conv = &self.convs[ci];
        Ok(SendChatMessageResponse {
            created_event: Some(self.event_view(conv, &conv.events[ei], &caller.user)),
            ..Default::default()
        })
    }

    pub(crate) fn rename_conversation(
        &mut self,
        caller: &Caller,
        req: RenameConversationRequest,
    ) -> Res<RenameConversationResponse> {
        let header = req.event_request_header.as_ref();
        let ci = self.conv_of_participant(&caller.user, &erh_conversation(header)?)?;
        let cgid = header.and_then(|h| h.client_generated_id);
        let new_name = req.new_name.unwrap_or_default();
        let old_name = self.convs[ci].name.clone().unwrap_or_default();
        self.convs[ci].name = (!new_name.is_empty()).then(|| new_name.clone());
        let event = self.event_for_all(
            caller,
            ci,
            cgid,
            EventType::EVENT_TYPE_CONVERSATION_RENAME,
            |e| {
                e.conversation_rename = Some(ConversationRename {
                    new_name: Some(new_name),
                    old_name: Some(old_name),
                })
            },
        );
        Ok(RenameConversationResponse {
            created_event: Some(event),
            ..Default::default()
        })
    }

    pub(crate) fn add_participants(
        &mut self,
        caller: &Caller,
        req: AddUserRequest,
    ) -> Res<AddUserResponse> {
        let header = req.event_request_header.as_ref();
        let ci = self.conv_of_participant(&caller.user, &erh_conversation(header)?)?;
        if !self.convs[ci].is_group() {
            return Err(Fail::invalid(
                "users can only be added to group conversations",
            ));
        }
        let cgid = header.and_then(|h| h.client_generated_id);
        let mut added = Vec::new();
        for invitee in &req.invitee_id {
            let id = invitee.gaia_id.clone().unwrap_or_default();
            if self.user(&id).is_none() {
                return Err(Fail::invalid(format!("unknown user {id:?}")));
            }
            if !self.convs[ci].is_participant(&id) && !added.contains(&id) {
                added.push(id);
            }
        }
        if added.is_empty() {
            return Err(Fail::invalid("nobody to add"));
        }
        let now = self.clock.now();
        let conv = &mut self.convs[ci];
        for id in &added {
            conv.participants.push(id.clone());
            let m = conv
                .members
                .entry(id.clone())
                .or_insert_with(|| Member::new(&caller.user, now));
            m.status = ConversationStatus::CONVERSATION_STATUS_ACTIVE;
            m.inviter = caller.user.clone();
            m.invite_us = now;
        }
        let ids: Vec<ParticipantId> = added.iter().map(|a| participant_id(a)).collect();
        let event = self.event_for_all(caller, ci, cgid, EventType::EVENT_TYPE_ADD_USER, |e| {
            e.membership_change = Some(MembershipChange {
                type_pb: Some(MembershipChangeType::MEMBERSHIP_CHANGE_TYPE_JOIN),
                participant_ids: ids,
            })
        });
        Ok(AddUserResponse {
            created_event: Some(event),
            ..Default::default()
        })
    }

    pub(crate) fn remove_user(
        &mut self,
        caller: &Caller,
        req: RemoveUserRequest,
    ) -> Res<RemoveUserResponse> {
        let header = req.event_request_header.as_ref();
        let ci = self.conv_of_participant(&caller.user, &erh_conversation(header)?)?;
        if !self.convs[ci].is_group() {
            return Err(Fail::invalid(
                "users can only be removed from group conversations",
            ));
        }
        let cgid = header.and_then(|h| h.client_generated_id);
        let target = req
            .participant_id
            .and_then(|p| p.gaia_id)
            .unwrap_or_else(|| caller.user.clone());
        if !self.convs[ci].is_participant(&target) {
            return Err(Fail::invalid(format!(
                "{target} is not in the conversation"
            )));
        }
        let recipients = self.convs[ci].participants.clone();
        let ei = self.append_event(
            ci,
            &caller.user,
            cgid,
            EventType::EVENT_TYPE_REMOVE_USER,
            |e| {
                e.membership_change = Some(MembershipChange {
                    type_pb: Some(MembershipChangeType::MEMBERSHIP_CHANGE_TYPE_LEAVE),
                    participant_ids: vec![participant_id(&target)],
                })
            },
        );
        let conv = &mut self.convs[ci];
        conv.participants.retain(|p| *p != target);
        if let Some(m) = conv.members.get_mut(&target) {
            m.status = ConversationStatus::CONVERSATION_STATUS_LEFT;
        }
        self.push_event(ci, ei, &recipients);
        let conv = &self.convs[ci];
        Ok(RemoveUserResponse {
            created_event: Some(self.event_view(conv, &conv.events[ei], &caller.user)),
            ..Default::default()
        })
    }

    pub(crate) fn modify_otr_status(
        &mut self,
        caller: &Caller,
        req: ModifyOTRStatusRequest,
    ) -> Res<ModifyOTRStatusResponse> {
        let header = req.event_request_header.as_ref();
        let ci = self.conv_of_participant(&caller.user, &erh_conversation(header)?)?;
        let cgid = header.and_then(|h| h.client_generated_id);
        let new = req.otr_status.unwrap_or_default();
        if new != OffTheRecordStatus::OFF_THE_RECORD_STATUS_OFF_THE_RECORD
            && new != OffTheRecordStatus::OFF_THE_RECORD_STATUS_ON_THE_RECORD
        {
            return Err(Fail::invalid(format!("invalid otr_status {}", new.0)));
        }
        let old = std::mem::replace(&mut self.convs[ci].otr, new);
        let toggle = OffTheRecordToggle::OFF_THE_RECORD_TOGGLE_ENABLED;
        let event = self.event_for_all(
            caller,
            ci,
            cgid,
            EventType::EVENT_TYPE_OTR_MODIFICATION,
            |e| {
                e.otr_modification = Some(OTRModification {
                    old_otr_status: Some(old),
                    new_otr_status: Some(new),
                    old_otr_toggle: Some(toggle),
                    new_otr_toggle: Some(toggle),
                })
            },
        );
        Ok(ModifyOTRStatusResponse {
            created_event: Some(event),
            ..Default::default()
        })
    }

    pub(crate) fn set_group_link_sharing_enabled(
        &mut self,
        caller: &Caller,
        req: SetGroupLinkSharingEnabledRequest,
    ) -> Res<SetGroupLinkSharingEnabledResponse> {
        let header = req.event_request_header.as_ref();
        let ci = self.conv_of_participant(&caller.user, &erh_conversation(header)?)?;
        if !self.convs[ci].is_group() {
            return Err(Fail::invalid("link sharing is for group conversations"));
        }
        let cgid = header.and_then(|h| h.client_generated_id);
        let status = req.group_link_sharing_status.unwrap_or_default();
        if status != GroupLinkSharingStatus::GROUP_LINK_SHARING_STATUS_ON
            && status != GroupLinkSharingStatus::GROUP_LINK_SHARING_STATUS_OFF
        {
            return Err(Fail::invalid(format!("invalid status {}", status.0)));
        }
        self.convs[ci].link_sharing = status;
        let event = self.event_for_all(
            caller,
            ci,
            cgid,
            EventType::EVENT_TYPE_GROUP_LINK_SHARING_MODIFICATION,
            |e| {
                e.group_link_sharing_modification = Some(GroupLinkSharingModification {
                    new_status: Some(status),
                })
            },
        );
        Ok(SetGroupLinkSharingEnabledResponse {
            created_event: Some(event),
            updated_conversation: Some(self.conversation_view(&self.convs[ci], &caller.user)),
            ..Default::default()
        })
    }

    // ---- conversations ----

    /// Creates a conversation of `participants` (the creator first) and
    /// pushes a conversation_notification to each. Returns its index.
    pub(crate) fn new_conversation(
        &mut self,
        id: Option<String>,
        kind: ConversationType,
        name: Option<String>,
        participants: Vec<String>,
        creator_cgid: Option<String>,
    ) -> Result<usize, String> {
        let id = id.unwrap_or_else(|| self.ids.conversation_id());
        if self.conv(&id).is_some() {
            return Err(format!("conversation {id} exists"));
        }
        if let Some(p) = participants.iter().find(|p| self.user(p).is_none()) {
            return Err(format!("unknown user {p:?}"));
        }
        let creator = participants.first().cloned().ok_or("no participants")?;
        let ts = self.clock.next_event();
        let link_token = self.ids.cookie(22);
        let mut members = BTreeMap::new();
        for p in &participants {
            members.insert(p.clone(), Member::new(&creator, ts));
        }
        if let Some(m) = members.get_mut(&creator) {
            m.client_generated_id = creator_cgid;
        }
        self.convs.push(Conv {
            id,
            kind,
            name: name.filter(|n| !n.is_empty()),
            participants: participants.clone(),
            members,
            events: Vec::new(),
            otr: OffTheRecordStatus::OFF_THE_RECORD_STATUS_ON_THE_RECORD,
            link_sharing: GroupLinkSharingStatus::GROUP_LINK_SHARING_STATUS_OFF,
            sort_us: ts,
            changed_us: ts,
            link_token,
        });
        let ci = self.convs.len() - 1;
        for p in &participants {
            let conversation = self.conversation_view(&self.convs[ci], p);
            self.outbox.push(Push {
                user: p.clone(),
                update: StateUpdate {
                    state_update_header: None,
                    conversation: Some(conversation.clone()),
                    state_update: Su::conversation_notification(ConversationNotification {
                        conversation: Some(conversation),
                    }),
                },
                presence: false,
            });
        }
        Ok(ci)
    }

    pub(crate) fn create_conversation(
        &mut self,
        caller: &Caller,
        req: CreateConversationRequest,
    ) -> Res<CreateConversationResponse> {
        let kind = req.type_pb.unwrap_or_default();
        let mut invitees: Vec<String> = Vec::new();
        for i in &req.invitee_id {
            let id = i.gaia_id.clone().unwrap_or_default();
            if self.user(&id).is_none() {
                return Err(Fail::invalid(format!("unknown user {id:?}")));
            }
            if id != caller.user && !invitees.contains(&id) {
                invitees.push(id);
            }
        }
        let one_to_one = ConversationType::CONVERSATION_TYPE_ONE_TO_ONE;
        if kind == one_to_one {
            if invitees.len() != 1 {
                return Err(Fail::invalid("a one-to-one conversation needs one invitee"));
            }
            let existing = self.convs.iter().position(|c| {
                c.kind == one_to_one
                    && c.is_participant(&caller.user)
                    && c.is_participant(&invitees[0])
            });
            if let Some(ci) = existing {
                return Ok(CreateConversationResponse {
                    conversation: Some(self.conversation_view(&self.convs[ci], &caller.user)),
                    new_conversation_created: Some(false),
                    ..Default::default()
                });
            }
        } else if kind != ConversationType::CONVERSATION_TYPE_GROUP {
            return Err(Fail::invalid(format!(
                "invalid conversation type {}",
                kind.0
            )));
        } else if invitees.is_empty() {
            return Err(Fail::invalid("a group needs at least one invitee"));
        }
        let mut participants = vec![caller.user.clone()];
        participants.extend(invitees);
        let cgid = req.client_generated_id.map(|c| c.to_string());
        let ci = self
            .new_conversation(None, kind, req.name, participants, cgid)
            .map_err(Fail::invalid)?;
        Ok(CreateConversationResponse {
            conversation: Some(self.conversation_view(&self.convs[ci], &caller.user)),
            new_conversation_created: Some(true),
            ..Default::default()
        })
    }

    pub(crate) fn delete_conversation(
        &mut self,
        caller: &Caller,
        req: DeleteConversationRequest,
    ) -> Res<DeleteConversationResponse> {
        let id = conv_id_field(req.conversation_id.as_ref())?;
        let ci = self.conv_of_member(&caller.user, &id)?;
        let now = self.clock.now();
        let bound = req.delete_upper_bound_timestamp.unwrap_or(now).min(now);
        let conv = &mut self.convs[ci];
        if let Some(m) = conv.members.get_mut(&caller.user) {
            m.deleted_upto = m.deleted_upto.max(bound);
        }
        conv.changed_us = now;
        let action = DeleteAction {
            delete_action_timestamp: Some(now),
            delete_upper_bound_timestamp: Some(bound),
            delete_type: Some(DeleteType::DELETE_TYPE_UPPER_BOUND),
        };
        let update = Su::delete_notification(DeleteActionNotification {
            conversation_id: Some(conversation_id(&id)),
            delete_action: Some(action.clone()),
        });
        self.push_each(std::slice::from_ref(&caller.user), None, update);
        Ok(DeleteConversationResponse {
            delete_action: Some(action),
            ..Default::default()
        })
    }

    /// Archives or unarchives a conversation for `user` (control API).
    pub(crate) fn set_archived(&mut self, user: &str, id: &str, archived: bool) -> Res<()> {
        let ci = self.conv_of_member(user, id)?;
        let now = self.clock.now();
        let conv = &mut self.convs[ci];
        let m = conv.members.get_mut(user).expect("member");
        let view = |a: bool| {
            if a {
                ConversationView::CONVERSATION_VIEW_ARCHIVED
            } else {
                ConversationView::CONVERSATION_VIEW_INBOX
            }
        };
        let old = view(m.archived);
        m.archived = archived;
        conv.changed_us = now;
        let update = Su::view_modification(ConversationViewModification {
            conversation_id: Some(conversation_id(id)),
            old_view: Some(old),
            new_view: Some(view(archived)),
        });
        self.push_each(&[user.to_string()], Some(ci), update);
        Ok(())
    }

    // ---- notifications without events ----

    pub(crate) fn set_typing(
        &mut self,
        caller: &Caller,
        req: SetTypingRequest,
    ) -> Res<SetTypingResponse> {
        let id = conv_id_field(req.conversation_id.as_ref())?;
        let ci = self.conv_of_participant(&caller.user, &id)?;
        let now = self.clock.now();
        let update = Su::typing_notification(SetTypingNotification {
            conversation_id: Some(conversation_id(&id)),
            sender_id: Some(participant_id(&caller.user)),
            timestamp: Some(now),
            type_pb: Some(req.type_pb.unwrap_or(TypingType::TYPING_TYPE_STARTED)),
        });
        let recipients = self.convs[ci].participants.clone();
        self.push_each(&recipients, None, update);
        Ok(SetTypingResponse {
            timestamp: Some(now),
            ..Default::default()
        })
    }

    pub(crate) fn update_watermark(
        &mut self,
        caller: &Caller,
        req: UpdateWatermarkRequest,
    ) -> Res<UpdateWatermarkResponse> {
        let id = conv_id_field(req.conversation_id.as_ref())?;
        let ci = self.conv_of_participant(&caller.user, &id)?;
        let now = self.clock.now();
        let ts = req.last_read_timestamp.unwrap_or(0).min(now);
        let conv = &mut self.convs[ci];
        let m = conv.members.get_mut(&caller.user).expect("participant");
        m.read_us = m.read_us.max(ts);
        let read = m.read_us;
        conv.changed_us = now;
        let update = Su::watermark_notification(WatermarkNotification {
            sender_id: Some(participant_id(&caller.user)),
            conversation_id: Some(conversation_id(&id)),
            latest_read_timestamp: Some(read),
        });
        let recipients = conv.participants.clone();
        self.push_each(&recipients, None, update);
        Ok(UpdateWatermarkResponse::default())
    }

    pub(crate) fn set_focus(
        &mut self,
        caller: &Caller,
        req: SetFocusRequest,
    ) -> Res<SetFocusResponse> {
        let id = conv_id_field(req.conversation_id.as_ref())?;
        let ci = self.conv_of_participant(&caller.user, &id)?;
        let now = self.clock.now();
        let update = Su::focus_notification(SetFocusNotification {
            conversation_id: Some(conversation_id(&id)),
            sender_id: Some(participant_id(&caller.user)),
            timestamp: Some(now),
            type_pb: Some(req.type_pb.unwrap_or(FocusType::FOCUS_TYPE_FOCUSED)),
            device: Some(FocusDevice::FOCUS_DEVICE_DESKTOP),
        });
        let recipients = self.convs[ci].participants.clone();
        self.push_each(&recipients, None, update);
        Ok(SetFocusResponse {
            timestamp: Some(now),
            ..Default::default()
        })
    }

    pub(crate) fn set_conversation_notification_level(
        &mut self,
        caller: &Caller,
        req: SetConversationNotificationLevelRequest,
    ) -> Res<SetConversationNotificationLevelResponse> {
        let id = conv_id_field(req.conversation_id.as_ref())?;
        let ci = self.conv_of_member(&caller.user, &id)?;
        let level = req.level.unwrap_or_default();
        if level != NotificationLevel::NOTIFICATION_LEVEL_QUIET
            && level != NotificationLevel::NOTIFICATION_LEVEL_RING
        {
            return Err(Fail::invalid(format!("invalid level {}", level.0)));
        }
        let now = self.clock.now();
        let conv = &mut self.convs[ci];
        conv.members.get_mut(&caller.user).expect("member").level = level;
        conv.changed_us = now;
        let update =
            Su::notification_level_notification(SetConversationNotificationLevelNotification {
                conversation_id: Some(conversation_id(&id)),
                level: Some(level),
                timestamp: Some(now),
            });
        self.push_each(std::slice::from_ref(&caller.user), Some(ci), update);
        Ok(SetConversationNotificationLevelResponse {
            timestamp: Some(now),
            ..Default::default()
        })
    }

    pub(crate) fn easter_egg(
        &mut self,
        caller: &Caller,
        req: EasterEggRequest,
    ) -> Res<EasterEggResponse> {
        let id = conv_id_field(req.conversation_id.as_ref())?;
        let ci = self.conv_of_participant(&caller.user, &id)?;
        let now = self.clock.now();
        let update = Su::easter_egg_notification(EasterEggNotification {
            sender_id: Some(participant_id(&caller.user)),
            conversation_id: Some(conversation_id(&id)),
            easter_egg: Some(req.easter_egg.unwrap_or_default()),
        });
        let recipients = self.convs[ci].participants.clone();
        self.push_each(&recipients, None, update);
        Ok(EasterEggResponse {
            timestamp: Some(now),
            ..Default::default()
        })
    }

    // ---- presence and clients ----

    pub(crate) fn set_presence(
        &mut self,
        caller: &Caller,
        req: SetPresenceRequest,
    ) -> Res<SetPresenceResponse> {
        let now = self.clock.now();
        let user = self
            .user_mut(&caller.user)
            .ok_or_else(|| Fail::invalid("unknown user"))?;
        let p = &mut user.presence;
        if let Some(s) = req.presence_state_setting.as_ref().and_then(|s| s.type_pb) {
            p.state = Some(s);
        }
        if let Some(d) = req.dnd_setting.as_ref().and_then(|d| d.do_not_disturb) {
            p.dnd = d;
        }
        if let Some(d) = req.desktop_off_setting.as_ref().and_then(|d| d.desktop_off) {
            p.desktop_off = d;
        }
        if let Some(s) = req.status_message_setting {
            p.mood = s
                .status_message
                .into_iter()
                .flat_map(|m| m.segment)
                .collect();
        }
        p.last_seen = now;
        let (state, dnd, desktop_off) = (p.state, p.dnd, p.desktop_off);
        let self_update = Su::self_presence_notification(SelfPresenceNotification {
            client_presence_state: Some(ClientPresenceState {
                identifier: Some(ClientIdentifier {
                    resource: caller.client_id.clone(),
                    header_id: None,
                }),
                state,
            }),
            do_not_disturb_setting: Some(DoNotDisturbSetting {
                do_not_disturb: Some(dnd),
                expiration_time: None,
                version: None,
            }),
            desktop_off_setting: Some(DesktopOffSetting {
                desktop_off: Some(desktop_off),
            }),
            desktop_off_state: None,
            mood_state: None,
        });
        self.push_each(std::slice::from_ref(&caller.user), None, self_update);
        let user = self.user(&caller.user).expect("user");
        let presence = Su::presence_notification(PresenceNotification {
            presence: vec![PresenceResult {
                user_id: Some(participant_id(&caller.user)),
                presence: Some(self.presence(user)),
            }],
        });
        for contact in self.contacts_of(&caller.user) {
            self.outbox.push(Push {
                user: contact,
                update: StateUpdate {
                    state_update_header: None,
                    conversation: None,
                    state_update: presence.clone(),
                },
                presence: true,
            });
        }
        Ok(SetPresenceResponse::default())
    }

    pub(crate) fn set_active_client(
        &mut self,
        caller: &Caller,
        req: SetActiveClientRequest,
    ) -> Res<SetActiveClientResponse> {
        let now = self.clock.now();
        let jid = req.full_jid.unwrap_or_default();
        let (email, resource) = jid
            .split_once('/')
            .ok_or_else(|| Fail::invalid(format!("full_jid {jid:?} is not <email>/<client id>")))?;
        let user = self
            .user_mut(&caller.user)
            .ok_or_else(|| Fail::invalid("unknown user"))?;
        if user
            .email
            .as_deref()
            .is_some_and(|e| !e.eq_ignore_ascii_case(email))
        {
            return Err(Fail::invalid(format!("{email} is not the account's email")));
        }
        if req.is_active == Some(true) {
            let timeout = req.timeout_secs.unwrap_or(120).min(24 * 3600);
            user.active_client = Some((resource.to_string(), now + timeout * 1_000_000));
        } else if user
            .active_client
            .as_ref()
            .is_some_and(|(c, _)| c == resource)
        {
            user.active_client = None;
        }
        Ok(SetActiveClientResponse::default())
    }

    pub(crate) fn send_offnetwork_invitation(
        &mut self,
        caller: &Caller,
        req: SendOffnetworkInvitationRequest,
    ) -> Res<SendOffnetworkInvitationResponse> {
        let email = req
            .invitee_address
            .and_then(|a| a.email)
            .filter(|e| e.contains('@'))
            .ok_or_else(|| Fail::invalid("missing invitee email"))?;
        self.invitations.push((caller.user.clone(), email));
        Ok(SendOffnetworkInvitationResponse::default())
    }
}

/// The attachment of an uploaded photo.
fn photo_attachment(id: &str, upload: &Upload) -> Attachment {
    let url = format!("https://lh3.googleusercontent.com/emulator/{id}");
    Attachment {
        embed_item: Some(EmbedItem {
            type_pb: vec![ItemType::ITEM_TYPE_PLUS_PHOTO],
            id: Some(id.to_string()),
            plus_photo: Some(PlusPhoto {
                thumbnail: Some(PlusPhotoThumbnail {
                    url: Some(url.clone()),
                    image_url: Some(url.clone()),
                    width_px: Some(640),
                    height_px: Some(480),
                }),
                owner_obfuscated_id: Some(upload.owner.clone()),
                album_id: None,
                photo_id: Some(id.to_string()),
                url: Some(url.clone()),
                original_content_url: Some(url),
                media_type: Some(PlusPhotoMediaType::MEDIA_TYPE_PHOTO),
                stream_id: Vec::new(),
            }),
            ..Default::default()
        }),
    }
}
