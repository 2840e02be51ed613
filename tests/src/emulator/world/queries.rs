//! The endpoints that only read the world: self info, entities,
//! presence, conversations with event paging (PROTOCOL.md §7.7), and
//! SyncRecentConversations (§7.2); SyncAllNewEvents is in `sync`.

use super::ops::{Fail, Res};
use super::*;

/// Default and largest page sizes.
const DEFAULT_EVENTS: usize = 50;
const DEFAULT_CONVERSATIONS: usize = 100;
const MAX_PAGE: usize = 1000;
const DEFAULT_SEARCH: usize = 10;

fn page_size(requested: Option<u64>, default: usize) -> usize {
    match requested {
        None | Some(0) => default,
        Some(n) => usize::try_from(n).unwrap_or(MAX_PAGE).min(MAX_PAGE),
    }
}

/// The continuation token for the events before `oldest`.
pub(super) fn token_before(oldest: &StoredEvent) -> EventContinuationToken {
    EventContinuationToken {
        event_id: Some(oldest.id().to_string()),
        storage_continuation_token: Some(oldest.timestamp().to_string().into_bytes()),
        event_timestamp: Some(oldest.timestamp()),
    }
}

/// The timestamp a continuation token points before, if it has one.
fn token_timestamp(token: &EventContinuationToken) -> Option<u64> {
    token.event_timestamp.filter(|t| *t > 0).or_else(|| {
        let bytes = token.storage_continuation_token.as_deref()?;
        std::str::from_utf8(bytes).ok()?.parse().ok()
    })
}

impl World {
    /// The newest `max` events of `conv` visible to `viewer` that are older
    /// than `before` (all if `None`), oldest first, with the token for the
    /// events before them if there are any.
    pub(crate) fn event_page(
        &self,
        conv: &Conv,
        viewer: &str,
        before: Option<u64>,
        max: usize,
    ) -> (Vec<Event>, Option<EventContinuationToken>) {
        let older: Vec<&StoredEvent> = conv
            .visible_events(viewer)
            .filter(|e| before.is_none_or(|b| e.timestamp() < b))
            .collect();
        let start = older.len().saturating_sub(max);
        let page = &older[start..];
        let token = match (start > 0, page.first()) {
            (true, Some(first)) => Some(token_before(first)),
            _ => None,
        };
        let events = page
            .iter()
            .map(|e| self.event_view(conv, e, viewer))
            .collect();
        (events, token)
    }

    pub(crate) fn get_self_info(&self, caller: &Caller) -> Res<GetSelfInfoResponse> {
        let user = self
            .user(&caller.user)
            .ok_or_else(|| Fail::invalid("unknown user"))?;
        Ok(GetSelfInfoResponse {
            self_entity: Some(Box::new(self.entity(user))),
            is_known_minor: Some(false),
            dnd_state: Some(Box::new(DoNotDisturbSetting {
                do_not_disturb: Some(user.presence.dnd),
                expiration_timestamp: None,
                version: None,
            })),
            desktop_off_setting: Some(DesktopOffSetting {
                desktop_off: Some(user.presence.desktop_off),
            }),
            desktop_off_state: Some(DesktopOffState {
                desktop_off: Some(user.presence.desktop_off),
                version: None,
            }),
            google_plus_user: Some(false),
            rich_presence_state: Some(RichPresenceState {
                get_rich_presence_enabled_state: [
                    RichPresenceType::RICH_PRESENCE_TYPE_DEVICE,
                    RichPresenceType::RICH_PRESENCE_TYPE_LAST_SEEN,
                ]
                .into_iter()
                .map(|t| RichPresenceEnabledState {
                    r#type: Some(t),
                    enabled: Some(true),
                })
                .collect(),
            }),
            default_country: Some(Box::new(Country {
                region_code: Some("US".to_string()),
                country_code: Some(1),
            })),
            ..Default::default()
        })
    }

    pub(crate) fn get_entity_by_id(&self, req: GetEntityByIdRequest) -> Res<GetEntityByIdResponse> {
        let entity_result = req
            .batch_lookup_spec
            .into_iter()
            .map(|spec| {
                let found: Vec<Entity> = self
                    .users
                    .iter()
                    .filter(|u| {
                        spec.gaia_id.as_deref() == Some(u.id.as_str())
                            || spec.phone.is_some() && spec.phone == u.phone
                            || spec.email.as_deref().is_some_and(|e| {
                                u.email
                                    .as_deref()
                                    .is_some_and(|m| m.eq_ignore_ascii_case(e))
                            })
                    })
                    .map(|u| self.entity(u))
                    .collect();
                EntityResult {
                    lookup_spec: Some(Box::new(spec)),
                    entity: found,
                }
            })
            .collect();
        Ok(GetEntityByIdResponse {
            entity_result,
            ..Default::default()
        })
    }

    pub(crate) fn search_entities(
        &self,
        caller: &Caller,
        req: SearchEntitiesRequest,
    ) -> Res<SearchEntitiesResponse> {
        let query = req.query.unwrap_or_default().to_lowercase();
        if query.is_empty() {
            return Err(Fail::invalid("empty query"));
        }
        let max = page_size(req.max_count, DEFAULT_SEARCH);
        let entity = self
            .users
            .iter()
            .filter(|u| u.id != caller.user)
            .filter(|u| {
                u.name.to_lowercase().contains(&query)
                    || u.email
                        .as_deref()
                        .is_some_and(|e| e.to_lowercase().contains(&query))
            })
            .take(max)
            .map(|u| self.entity(u))
            .collect();
        Ok(SearchEntitiesResponse {
            entity,
            ..Default::default()
        })
    }

    pub(crate) fn get_suggested_entities(
        &self,
        caller: &Caller,
        req: GetSuggestedEntitiesRequest,
    ) -> Res<GetSuggestedEntitiesResponse> {
        let contacts = self.contacts_of(&caller.user);
        let others: Vec<String> = self
            .users
            .iter()
            .filter(|u| u.id != caller.user && !contacts.contains(&u.id))
            .map(|u| u.id.clone())
            .collect();
        let max = page_size(req.max_count, MAX_PAGE);
        let entities = |ids: &[String]| -> Vec<Entity> {
            ids.iter()
                .filter_map(|id| self.user(id))
                .take(max)
                .map(|u| self.entity(u))
                .collect()
        };
        let group = |asked: &Option<Box<SuggestedContactGroupHash>>, ids: &[String]| {
            let asked = asked.as_ref()?;
            let hash = group_hash(ids);
            let matched = asked.hash.as_deref() == Some(hash.as_slice());
            let limit = page_size(asked.max_results, MAX_PAGE);
            let contact = if matched {
                Vec::new()
            } else {
                entities(ids)
                    .into_iter()
                    .take(limit)
                    .map(|e| SuggestedContact {
                        entity: Some(Box::new(e)),
                        invitation_status: Some(InvitationStatus::INVITATION_STATUS_ACCEPTED),
                    })
                    .collect()
            };
            Some(Box::new(SuggestedContactGroup {
                hash_matched: Some(matched),
                hash: Some(hash),
                contact,
            }))
        };
        let mut all = contacts.clone();
        all.extend(others.iter().cloned());
        Ok(GetSuggestedEntitiesResponse {
            entity: entities(&all),
            favorites: group(&req.favorites, &[]),
            contacts_you_hangout_with: group(&req.contacts_you_hangout_with, &contacts),
            other_contacts_on_hangouts: group(&req.other_contacts_on_hangouts, &others),
            other_contacts: group(&req.other_contacts, &[]),
            dismissed_contacts: group(&req.dismissed_contacts, &[]),
            pinned_favorites: group(&req.pinned_favorites, &[]),
            ..Default::default()
        })
    }

    pub(crate) fn query_presence(&self, req: QueryPresenceRequest) -> Res<QueryPresenceResponse> {
        let mask = |m: FieldMask| req.field_mask.is_empty() || req.field_mask.contains(&m);
        let presence_result = req
            .participant_id
            .into_iter()
            .map(|pid| {
                let user = pid.gaia_id.as_deref().and_then(|id| self.user(id));
                let presence = user.map(|u| {
                    let p = self.presence(u);
                    Presence {
                        reachable: p
                            .reachable
                            .filter(|_| mask(FieldMask::FIELD_MASK_REACHABLE)),
                        available: p
                            .available
                            .filter(|_| mask(FieldMask::FIELD_MASK_AVAILABLE)),
                        device_status: p
                            .device_status
                            .filter(|_| mask(FieldMask::FIELD_MASK_DEVICE)),
                        status_message: p
                            .status_message
                            .filter(|_| mask(FieldMask::FIELD_MASK_MOOD)),
                        last_seen: p
                            .last_seen
                            .filter(|_| mask(FieldMask::FIELD_MASK_LAST_SEEN)),
                    }
                });
                PresenceResult {
                    user_id: Some(Box::new(pid)),
                    presence: presence.map(Box::new),
                }
            })
            .collect();
        Ok(QueryPresenceResponse {
            presence_result,
            ..Default::default()
        })
    }

    pub(crate) fn get_conversation(
        &self,
        caller: &Caller,
        req: GetConversationRequest,
    ) -> Res<GetConversationResponse> {
        let id = req
            .conversation_spec
            .and_then(|s| s.conversation_id)
            .and_then(|c| c.id)
            .ok_or_else(|| Fail::invalid("missing conversation_spec.conversation_id"))?;
        let ci = self.conv_of_member(&caller.user, &id)?;
        let conv = &self.convs[ci];
        let conversation = (req.include_conversation_metadata != Some(false))
            .then(|| self.exact_view(conv, &caller.user));
        let (event, event_continuation_token) = if req.include_event == Some(true) {
            let max = page_size(req.max_events_per_conversation, DEFAULT_EVENTS);
            match req.event_continuation_token.as_ref() {
                // No token (field 7 absent): the newest page. hangups
                // relies on it for a conversation it fetched because an
                // update named it: that fetch keeps no token, so its
                // first history request carries none.
                None => self.event_page(conv, &caller.user, None, max),
                Some(token) => match token_timestamp(token) {
                    Some(before) => self.event_page(conv, &caller.user, Some(before), max),
                    // A token with no position (an empty field 7: hangups
                    // stores an empty token once a reply carries none, and
                    // at the initial sync when the state has none, §7.7):
                    // the history is exhausted, nothing older. hangups' UI
                    // depends on this: it marks the start of history when
                    // get_events returns nothing, which it would never see
                    // if an empty token paged from the newest again.
                    None => (Vec::new(), None),
                },
            }
        } else {
            (Vec::new(), None)
        };
        Ok(GetConversationResponse {
            conversation_state: Some(Box::new(ConversationState {
                conversation_id: Some(conversation_id(&id)),
                conversation,
                event,
                event_continuation_token: event_continuation_token.map(Box::new),
            })),
            ..Default::default()
        })
    }

    pub(crate) fn get_group_conversation_url(
        &self,
        caller: &Caller,
        req: GetGroupConversationUrlRequest,
    ) -> Res<GetGroupConversationUrlResponse> {
        let id = req
            .conversation_id
            .and_then(|c| c.id)
            .ok_or_else(|| Fail::invalid("missing conversation_id"))?;
        let ci = self.conv_of_participant(&caller.user, &id)?;
        let conv = &self.convs[ci];
        if !conv.is_group() {
            return Err(Fail::invalid("only group conversations have a link"));
        }
        Ok(GetGroupConversationUrlResponse {
            group_conversation_url: Some(format!(
                "https://hangouts.google.com/group/{}",
                conv.link_token
            )),
            ..Default::default()
        })
    }

    pub(crate) fn sync_recent_conversations(
        &mut self,
        caller: &Caller,
        req: SyncRecentConversationsRequest,
    ) -> Res<SyncRecentConversationsResponse> {
        let now = self.clock.now();
        let inbox = req.sync_filter.contains(&SyncFilter::SYNC_FILTER_INBOX);
        let archived = req.sync_filter.contains(&SyncFilter::SYNC_FILTER_ARCHIVED);
        let before = req.last_event_timestamp.filter(|t| *t > 0);
        let mut convs: Vec<&Conv> = self
            .convs
            .iter()
            .filter(|c| c.listed_for(&caller.user))
            .filter(|c| {
                let a = c.members[&caller.user].archived;
                req.sync_filter.is_empty() || (inbox && !a) || (archived && a)
            })
            .filter(|c| before.is_none_or(|b| c.sort_us < b))
            .collect();
        convs.sort_by_key(|c| std::cmp::Reverse(c.sort_us));
        let mut max = page_size(req.max_conversations, DEFAULT_CONVERSATIONS);
        // Never cut a run of equal sort timestamps: the next page asks for
        // conversations strictly before the last one's, which would drop
        // the rest of the run.
        while max > 0 && max < convs.len() && convs[max].sort_us == convs[max - 1].sort_us {
            max += 1;
        }
        let more = convs.len() > max;
        convs.truncate(max);
        let max_events = page_size(req.max_events_per_conversation, DEFAULT_EVENTS);
        let continuation_end_timestamp = match (more, convs.last()) {
            (true, Some(last)) => last.sort_us,
            _ => 0,
        };
        let conversation_state = convs
            .iter()
            .map(|c| {
                let (event, token) = self.event_page(c, &caller.user, None, max_events);
                ConversationState {
                    conversation_id: Some(conversation_id(&c.id)),
                    conversation: Some(self.conversation_view(c, &caller.user)),
                    event,
                    event_continuation_token: token.map(Box::new),
                }
            })
            .collect();
        Ok(SyncRecentConversationsResponse {
            sync_timestamp: Some(now),
            conversation_state,
            continuation_end_timestamp: Some(continuation_end_timestamp),
            ..Default::default()
        })
    }
}

/// A stable 8-byte hash of a contact group (FNV-1a over the ids).
fn group_hash(ids: &[String]) -> Vec<u8> {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for id in ids {
        for b in id.bytes().chain([0]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h.to_be_bytes().to_vec()
}
