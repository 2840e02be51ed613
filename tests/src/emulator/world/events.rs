//! The endpoints that create events (PROTOCOL.md §7.8): a chat message,
//! rename, membership changes, OTR and group-link changes. Each event gets
//! a unique id and a strictly increasing timestamp, and is pushed with the
//! conversation delta to every participant.

use super::ops::{erh_conversation, Caller, Fail, Res};
use super::*;
use hangups_proto::hangouts::StateUpdateKind as Su;

impl World {
    // ---- helpers ----

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
        let medium = self.medium_of(&self.convs[ci]);
        let conv = &mut self.convs[ci];
        let mut event = Event {
            conversation_id: Some(conversation_id(&conv.id)),
            sender_id: Some(participant_id(sender)),
            timestamp: Some(ts),
            event_id: Some(event_id),
            advances_sort_timestamp: Some(true),
            otr_status: Some(conv.otr),
            persisted: Some(conv.otr == OffTheRecordStatus::OFF_THE_RECORD_STATUS_ON_THE_RECORD),
            medium_type: Some(medium),
            event_type: Some(event_type),
            event_version: Some(ts),
            ..Default::default()
        };
        fill(&mut event);
        let kept = event.persisted != Some(false);
        conv.events.push(StoredEvent {
            event,
            client_generated_id: client_generated_id.map(|c| c.to_string()),
            kept,
        });
        conv.sort_us = ts;
        conv.changed_us = ts;
        conv.events.len() - 1
    }

    /// Pushes event `ei` of conversation `ci` (with the conversation delta)
    /// to each of `recipients`.
    pub(crate) fn push_event(&mut self, ci: usize, ei: usize, recipients: &[String]) {
        let conv = &self.convs[ci];
        let sender = conv.events[ei]
            .event
            .sender_id
            .as_ref()
            .and_then(|s| s.gaia_id.clone())
            .unwrap_or_default();
        let delta = |r: &str| {
            let view = self.conversation_view(conv, r);
            if self.partial_deltas {
                partial_delta(view, &sender, r)
            } else {
                view
            }
        };
        let pushes: Vec<Push> = recipients
            .iter()
            .map(|r| Push {
                user: r.clone(),
                update: StateUpdate {
                    state_update_header: None,
                    conversation: Some(Box::new(delta(r))),
                    state_update: Su::EventNotification(Box::new(EventNotification {
                        event: Some(self.event_view(conv, &conv.events[ei], r)),
                    })),
                },
                presence: false,
            })
            .collect();
        self.outbox.extend(pushes);
    }

    /// Pushes `update` to each of `recipients`, with the (full) conversation delta
    /// of `ci` if given.
    pub(crate) fn push_each(&mut self, recipients: &[String], ci: Option<usize>, update: Su) {
        for r in recipients {
            let conversation = ci.map(|ci| self.conversation_view(&self.convs[ci], r));
            self.outbox.push(Push {
                user: r.clone(),
                update: StateUpdate {
                    state_update_header: None,
                    conversation: conversation.map(Box::new),
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
        let header = req.event_request_header.as_deref();
        if let Some((_, event)) = self.repeated_event(&caller.user, header) {
            return Ok(SendChatMessageResponse {
                created_event: Some(Box::new(event)),
                ..Default::default()
            });
        }
        let ci = self.conv_of_participant(&caller.user, &erh_conversation(header)?)?;
        self.check_medium(&self.convs[ci], header)
            .map_err(Fail::invalid)?;
        let cgid = header.and_then(|h| h.client_generated_id);
        let event_type = header
            .and_then(|h| h.event_type)
            .unwrap_or(EventType::EVENT_TYPE_REGULAR_CHAT_MESSAGE);
        let mut content = req.message_content.map(|c| *c).unwrap_or_default();
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
        // A location (SendChatMessageRequest.location) becomes a place attachment.
        if let Some(place) = req.location.and_then(|l| l.place) {
            content.attachment.push(Attachment {
                embed_item: Some(EmbedItem {
                    r#type: vec![ItemType::ITEM_TYPE_PLACE_V2],
                    id: place.url.clone(),
                    place: Some(place),
                    ..Default::default()
                }),
            });
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
            created_event: Some(Box::new(self.event_view(
                conv,
                &conv.events[ei],
                &caller.user,
            ))),
            ..Default::default()
        })
    }

    pub(crate) fn rename_conversation(
        &mut self,
        caller: &Caller,
        req: RenameConversationRequest,
    ) -> Res<RenameConversationResponse> {
        let header = req.event_request_header.as_deref();
        if let Some((_, event)) = self.repeated_event(&caller.user, header) {
            return Ok(RenameConversationResponse {
                created_event: Some(Box::new(event)),
                ..Default::default()
            });
        }
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
                e.conversation_rename = Some(Box::new(ConversationRename {
                    new_name: Some(new_name),
                    old_name: Some(old_name),
                }))
            },
        );
        Ok(RenameConversationResponse {
            created_event: Some(Box::new(event)),
            ..Default::default()
        })
    }

    pub(crate) fn add_participants(
        &mut self,
        caller: &Caller,
        req: AddUserRequest,
    ) -> Res<AddUserResponse> {
        let header = req.event_request_header.as_deref();
        if let Some((_, event)) = self.repeated_event(&caller.user, header) {
            return Ok(AddUserResponse {
                created_event: Some(Box::new(event)),
                ..Default::default()
            });
        }
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
            e.membership_change = Some(Box::new(MembershipChange {
                r#type: Some(MembershipChangeType::MEMBERSHIP_CHANGE_TYPE_JOIN),
                participant_ids: ids,
            }))
        });
        Ok(AddUserResponse {
            created_event: Some(Box::new(event)),
            ..Default::default()
        })
    }

    pub(crate) fn remove_user(
        &mut self,
        caller: &Caller,
        req: RemoveUserRequest,
    ) -> Res<RemoveUserResponse> {
        let header = req.event_request_header.as_deref();
        if let Some((_, event)) = self.repeated_event(&caller.user, header) {
            return Ok(RemoveUserResponse {
                created_event: Some(Box::new(event)),
                ..Default::default()
            });
        }
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
                e.membership_change = Some(Box::new(MembershipChange {
                    r#type: Some(MembershipChangeType::MEMBERSHIP_CHANGE_TYPE_LEAVE),
                    participant_ids: vec![participant_id(&target)],
                }))
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
            created_event: Some(Box::new(self.event_view(
                conv,
                &conv.events[ei],
                &caller.user,
            ))),
            ..Default::default()
        })
    }

    pub(crate) fn modify_otr_status(
        &mut self,
        caller: &Caller,
        req: ModifyOTRStatusRequest,
    ) -> Res<ModifyOTRStatusResponse> {
        let header = req.event_request_header.as_deref();
        if let Some((_, event)) = self.repeated_event(&caller.user, header) {
            return Ok(ModifyOTRStatusResponse {
                created_event: Some(Box::new(event)),
                ..Default::default()
            });
        }
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
                // The change itself stays in history either way.
                e.persisted = Some(true);
                e.otr_modification = Some(Box::new(OTRModification {
                    old_otr_status: Some(old),
                    new_otr_status: Some(new),
                    old_otr_toggle: Some(toggle),
                    new_otr_toggle: Some(toggle),
                }))
            },
        );
        Ok(ModifyOTRStatusResponse {
            created_event: Some(Box::new(event)),
            ..Default::default()
        })
    }

    pub(crate) fn set_group_link_sharing_enabled(
        &mut self,
        caller: &Caller,
        req: SetGroupLinkSharingEnabledRequest,
    ) -> Res<SetGroupLinkSharingEnabledResponse> {
        let header = req.event_request_header.as_deref();
        if let Some((ci, event)) = self.repeated_event(&caller.user, header) {
            return Ok(SetGroupLinkSharingEnabledResponse {
                created_event: Some(Box::new(event)),
                updated_conversation: Some(Box::new(
                    self.conversation_view(&self.convs[ci], &caller.user),
                )),
                ..Default::default()
            });
        }
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
            created_event: Some(Box::new(event)),
            updated_conversation: Some(Box::new(
                self.conversation_view(&self.convs[ci], &caller.user),
            )),
            ..Default::default()
        })
    }
}

/// The attachment of an uploaded photo.
fn photo_attachment(id: &str, upload: &Upload) -> Attachment {
    let url = format!("https://lh3.googleusercontent.com/emulator/{id}");
    Attachment {
        embed_item: Some(EmbedItem {
            r#type: vec![ItemType::ITEM_TYPE_PLUS_PHOTO],
            id: Some(id.to_string()),
            plus_photo: Some(Box::new(PlusPhoto {
                thumbnail: Some(Box::new(PlusPhotoThumbnail {
                    url: Some(url.clone()),
                    image_url: Some(url.clone()),
                    width_px: Some(640),
                    height_px: Some(480),
                })),
                owner_obfuscated_id: Some(upload.owner.clone()),
                album_id: None,
                photo_id: Some(id.to_string()),
                url: Some(url.clone()),
                original_content_url: Some(url),
                media_type: Some(PlusPhotoMediaType::MEDIA_TYPE_PHOTO),
                stream_id: Vec::new(),
            })),
            ..Default::default()
        }),
    }
}

/// A conversation delta that carries only what an event by `sender`
/// changed, as `viewer` gets it: no `delivery_medium_option` (unchanged),
/// the viewer's own read timestamp zero unless the viewer sent the event,
/// and `read_state` only for the sender (whose read mark the event
/// moved). A client must keep what such a delta leaves out (PROTOCOL.md
/// §7.4).
fn partial_delta(mut view: Conversation, sender: &str, viewer: &str) -> Conversation {
    if let Some(state) = view.self_conversation_state.as_mut() {
        state.delivery_medium_option.clear();
        if viewer != sender {
            if let Some(read) = state.self_read_state.as_mut() {
                read.latest_read_timestamp = Some(0);
            }
        }
    }
    view.read_state
        .retain(|r| r.participant_id.as_ref().and_then(|p| p.gaia_id.as_deref()) == Some(sender));
    view
}
