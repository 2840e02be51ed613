//! The endpoints that change the world without creating events
//! (conversations, notifications, presence, clients), and what every
//! endpoint shares: the caller, the refusal type, conversation lookups.
//! Each takes the caller and the decoded request, changes the world,
//! leaves the StateUpdates a real server would push in
//! [`World::outbox`], and returns the response (without its response
//! header, which the dispatcher adds). The event-creating ones are in
//! `events`.

use super::*;
use hangups_proto::hangouts::StateUpdateKind as Su;

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

pub(super) fn erh_conversation(header: Option<&EventRequestHeader>) -> Res<String> {
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
    // ---- lookups ----

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
            active_hangout: false,
        });
        let ci = self.convs.len() - 1;
        for p in &participants {
            let conversation = self.conversation_view(&self.convs[ci], p);
            self.outbox.push(Push {
                user: p.clone(),
                update: StateUpdate {
                    state_update_header: None,
                    conversation: Some(Box::new(conversation.clone())),
                    state_update: Su::ConversationNotification(ConversationNotification {
                        conversation: Some(Box::new(conversation)),
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
        if let Some(ci) = self.repeated_conversation(&caller.user, req.client_generated_id) {
            return Ok(CreateConversationResponse {
                conversation: Some(Box::new(
                    self.conversation_view(&self.convs[ci], &caller.user),
                )),
                new_conversation_created: Some(false),
                ..Default::default()
            });
        }
        let kind = req.r#type.unwrap_or_default();
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
                    conversation: Some(Box::new(
                        self.conversation_view(&self.convs[ci], &caller.user),
                    )),
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
            conversation: Some(Box::new(
                self.conversation_view(&self.convs[ci], &caller.user),
            )),
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
        let update = Su::DeleteNotification(Box::new(DeleteActionNotification {
            conversation_id: Some(conversation_id(&id)),
            delete_action: Some(Box::new(action.clone())),
        }));
        self.push_each(std::slice::from_ref(&caller.user), None, update);
        Ok(DeleteConversationResponse {
            delete_action: Some(Box::new(action)),
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
        let update = Su::ViewModification(Box::new(ConversationViewModification {
            conversation_id: Some(conversation_id(id)),
            old_view: Some(old),
            new_view: Some(view(archived)),
        }));
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
        let update = Su::TypingNotification(Box::new(SetTypingNotification {
            conversation_id: Some(conversation_id(&id)),
            sender_id: Some(Box::new(participant_id(&caller.user))),
            timestamp: Some(now),
            r#type: Some(req.r#type.unwrap_or(TypingType::TYPING_TYPE_STARTED)),
        }));
        let recipients = self.convs[ci].participants.clone();
        self.push_each(&recipients, None, update);
        let kind = req.r#type.unwrap_or(TypingType::TYPING_TYPE_STARTED);
        self.note_typing(&id, &caller.user, kind);
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
        let update = Su::WatermarkNotification(Box::new(WatermarkNotification {
            sender_id: Some(Box::new(participant_id(&caller.user))),
            conversation_id: Some(conversation_id(&id)),
            latest_read_timestamp: Some(read),
        }));
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
        let update = Su::FocusNotification(Box::new(SetFocusNotification {
            conversation_id: Some(conversation_id(&id)),
            sender_id: Some(Box::new(participant_id(&caller.user))),
            timestamp: Some(now),
            r#type: Some(req.r#type.unwrap_or(FocusType::FOCUS_TYPE_FOCUSED)),
            device: Some(FocusDevice::FOCUS_DEVICE_DESKTOP),
        }));
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
        let update = Su::NotificationLevelNotification(Box::new(
            SetConversationNotificationLevelNotification {
                conversation_id: Some(conversation_id(&id)),
                level: Some(level),
                timestamp: Some(now),
            },
        ));
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
        let update = Su::EasterEggNotification(Box::new(EasterEggNotification {
            sender_id: Some(Box::new(participant_id(&caller.user))),
            conversation_id: Some(conversation_id(&id)),
            easter_egg: Some(req.easter_egg.unwrap_or_default()),
        }));
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
        if let Some(s) = req.presence_state_setting.as_ref().and_then(|s| s.r#type) {
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
        let self_update = Su::SelfPresenceNotification(Box::new(SelfPresenceNotification {
            client_presence_state: Some(ClientPresenceState {
                identifier: Some(Box::new(ClientIdentifier {
                    resource: caller.client_id.clone(),
                    header_id: None,
                })),
                state,
            }),
            do_not_disturb_setting: Some(Box::new(DoNotDisturbSetting {
                do_not_disturb: Some(dnd),
                expiration_timestamp: None,
                version: None,
            })),
            desktop_off_setting: Some(DesktopOffSetting {
                desktop_off: Some(desktop_off),
            }),
            desktop_off_state: None,
            mood_state: None,
        }));
        self.push_each(std::slice::from_ref(&caller.user), None, self_update);
        let user = self.user(&caller.user).expect("user");
        let presence = Su::PresenceNotification(PresenceNotification {
            presence: vec![PresenceResult {
                user_id: Some(Box::new(participant_id(&caller.user))),
                presence: Some(Box::new(self.presence(user))),
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
