//! Phone (Google Voice) participants: a user with a phone number is
//! reached over Google Voice, not Babel. A conversation with one is a
//! Google Voice conversation: its default delivery medium is
//! `DELIVERY_MEDIUM_GOOGLE_VOICE` (Babel stays an option), its events
//! carry that medium, and a message sent over another medium is refused.
//! In `participant_data` such a user is `PARTICIPANT_TYPE_GOOGLE_VOICE`
//! with the phone number as `fallback_name` (what a server shows before
//! it knows a name); the entity (GetEntityById, also by `phone`) has the
//! real name when the world knows one, `entity_type` GOOGLE_VOICE and the
//! number in `properties.phone`.

use super::*;

/// `DeliveryMedium{GOOGLE_VOICE, phone_number}`.
pub(crate) fn voice_medium(phone: Option<&str>) -> DeliveryMedium {
    DeliveryMedium {
        medium_type: Some(DeliveryMediumType::DELIVERY_MEDIUM_GOOGLE_VOICE),
        phone_number: phone.map(|p| {
            Box::new(PhoneNumber {
                e164: Some(p.to_string()),
                i18n_data: None,
            })
        }),
    }
}

impl World {
    /// Adds a phone (Google Voice) user with a fresh cookie set; `name`
    /// empty means the world knows only the number.
    pub fn add_phone_user(&mut self, id: &str, name: &str, phone: &str) -> Result<(), String> {
        let digits = phone.strip_prefix('+').unwrap_or("");
        if digits.len() < 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("invalid E.164 phone number {phone:?}"));
        }
        if self.users.iter().any(|u| u.phone.as_deref() == Some(phone)) {
            return Err(format!("phone number {phone} taken"));
        }
        self.add_user(id, name, None)?;
        if let Some(u) = self.user_mut(id) {
            u.phone = Some(phone.to_string());
        }
        Ok(())
    }

    /// The phone number of `id`, if it is a phone user.
    pub fn phone_of(&self, id: &str) -> Option<&str> {
        self.user(id).and_then(|u| u.phone.as_deref())
    }

    /// Whether `conv` has a phone participant (a Google Voice
    /// conversation).
    pub fn is_voice(&self, conv: &Conv) -> bool {
        conv.participants.iter().any(|p| self.phone_of(p).is_some())
    }

    /// The medium events of `conv` go by.
    pub fn medium_of(&self, conv: &Conv) -> DeliveryMedium {
        if self.is_voice(conv) {
            voice_medium(self.voice_number(conv))
        } else {
            babel_medium()
        }
    }

    /// The number a Google Voice conversation is reached at: its first
    /// phone participant's.
    fn voice_number<'a>(&'a self, conv: &Conv) -> Option<&'a str> {
        conv.participants.iter().find_map(|p| self.phone_of(p))
    }

    /// The delivery media `viewer` may send `conv` by (the last one is
    /// the current default).
    pub fn delivery_options(&self, conv: &Conv) -> Vec<DeliveryMediumOption> {
        let babel = DeliveryMediumOption {
            delivery_medium: Some(babel_medium()),
            current_default: Some(!self.is_voice(conv)),
        };
        if !self.is_voice(conv) {
            return vec![babel];
        }
        vec![
            babel,
            DeliveryMediumOption {
                delivery_medium: Some(voice_medium(self.voice_number(conv))),
                current_default: Some(true),
            },
        ]
    }

    /// The network types of `conv`.
    pub fn network_types(&self, conv: &Conv) -> Vec<NetworkType> {
        let mut types = vec![NetworkType::NETWORK_TYPE_BABEL];
        if self.is_voice(conv) {
            types.push(NetworkType::NETWORK_TYPE_GOOGLE_VOICE);
        }
        types
    }

    /// `participant_data` for `id`: a phone user by number, others by name.
    pub fn participant_data(&self, id: &str) -> ConversationParticipantData {
        let (name, kind) = match self.phone_of(id) {
            Some(phone) => (
                phone.to_string(),
                ParticipantType::PARTICIPANT_TYPE_GOOGLE_VOICE,
            ),
            None => (self.name_of(id), ParticipantType::PARTICIPANT_TYPE_GAIA),
        };
        ConversationParticipantData {
            id: Some(participant_id(id)),
            fallback_name: Some(name),
            invitation_status: Some(InvitationStatus::INVITATION_STATUS_ACCEPTED),
            participant_type: Some(kind),
            new_invitation_status: Some(InvitationStatus::INVITATION_STATUS_ACCEPTED),
        }
    }

    /// Refuses a message to a Google Voice conversation sent by another
    /// medium than Google Voice.
    pub(crate) fn check_medium(
        &self,
        conv: &Conv,
        header: Option<&EventRequestHeader>,
    ) -> Result<(), String> {
        let asked = header
            .and_then(|h| h.delivery_medium.as_ref())
            .and_then(|m| m.medium_type)
            .unwrap_or(DeliveryMediumType::DELIVERY_MEDIUM_BABEL);
        if self.is_voice(conv) && asked != DeliveryMediumType::DELIVERY_MEDIUM_GOOGLE_VOICE {
            return Err(format!(
                "{} has a phone participant: only DELIVERY_MEDIUM_GOOGLE_VOICE reaches it, not {}",
                conv.id, asked.0
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_users_are_found_by_number_and_named_by_it_in_participant_data() {
        let mut w = World::with_defaults(1);
        w.add_phone_user("200000000000000000001", "Bob Dialer", "+12125551212")
            .unwrap();
        assert!(w
            .add_phone_user("200000000000000000002", "", "+12125551212")
            .is_err());
        assert!(w
            .add_phone_user("200000000000000000003", "", "555")
            .is_err());
        let found = w
            .get_entity_by_id(GetEntityByIdRequest {
                batch_lookup_spec: vec![EntityLookupSpec {
                    phone: Some("+12125551212".into()),
                    ..Default::default()
                }],
                ..Default::default()
            })
            .unwrap();
        let entity = &found.entity_result[0].entity;
        assert_eq!(entity.len(), 1);
        let props = entity[0].properties.as_ref().unwrap();
        assert_eq!(props.display_name.as_deref(), Some("Bob Dialer"));
        assert_eq!(props.phone, ["+12125551212"]);
        assert_eq!(
            entity[0].entity_type,
            Some(ParticipantType::PARTICIPANT_TYPE_GOOGLE_VOICE)
        );
        let data = w.participant_data("200000000000000000001");
        assert_eq!(data.fallback_name.as_deref(), Some("+12125551212"));
        assert_eq!(
            w.participant_data(defaults::GRACE).fallback_name.as_deref(),
            Some("Grace Hopper")
        );
    }
}
