//! Users: [`UserId`], [`User`] with hangups' name rules, and the
//! [`UserList`] (PROTOCOL.md §7.10).

use std::borrow::Cow;
use std::collections::HashMap;

use super::python_chars;
use hangups_proto::hangouts::{ConversationParticipantData, Entity, ParticipantId};

/// The name shown for a user whose name is not known.
pub const DEFAULT_NAME: &str = "Unknown";

/// A user's identity: `(chat_id, gaia_id)`, compared on both (hangups'
/// `UserID`). Missing ids read as empty strings.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UserId {
    /// The chat id (in practice the same as the gaia id).
    pub chat_id: String,
    /// The Google account id.
    pub gaia_id: String,
}

/// A user id by its two parts, to look a [`UserId`]-keyed map up without
/// building a `UserId` (two `String`s).
pub(super) trait UserKey {
    /// The chat id.
    fn chat(&self) -> &str;
    /// The gaia id.
    fn gaia(&self) -> &str;
}

impl UserKey for UserId {
    fn chat(&self) -> &str {
        &self.chat_id
    }
    fn gaia(&self) -> &str {
        &self.gaia_id
    }
}

/// The id a `ParticipantId` names (absent parts are empty).
impl UserKey for ParticipantId {
    fn chat(&self) -> &str {
        self.chat_id.as_deref().unwrap_or("")
    }
    fn gaia(&self) -> &str {
        self.gaia_id.as_deref().unwrap_or("")
    }
}

impl<'a> std::borrow::Borrow<dyn UserKey + 'a> for UserId {
    fn borrow(&self) -> &(dyn UserKey + 'a) {
        self
    }
}

/// As `UserId`'s derived `Hash`: the chat id, then the gaia id.
impl std::hash::Hash for dyn UserKey + '_ {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.chat().hash(state);
        self.gaia().hash(state);
    }
}

impl PartialEq for dyn UserKey + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.chat() == other.chat() && self.gaia() == other.gaia()
    }
}

impl Eq for dyn UserKey + '_ {}

impl UserId {
    /// A user id from its two parts.
    pub fn new(chat_id: impl Into<String>, gaia_id: impl Into<String>) -> Self {
        UserId {
            chat_id: chat_id.into(),
            gaia_id: gaia_id.into(),
        }
    }

    /// The id a `ParticipantId` names (absent parts are empty).
    pub fn from_participant_id(id: &ParticipantId) -> Self {
        UserId {
            chat_id: id.chat_id.clone().unwrap_or_default(),
            gaia_id: id.gaia_id.clone().unwrap_or_default(),
        }
    }

    /// The id an optional `ParticipantId` names (absent: both parts empty).
    pub fn from_opt(id: Option<&ParticipantId>) -> Self {
        id.map(Self::from_participant_id).unwrap_or_default()
    }

    /// This id as a `ParticipantId` message.
    pub fn to_participant_id(&self) -> ParticipantId {
        ParticipantId {
            gaia_id: Some(self.gaia_id.clone()),
            chat_id: Some(self.chat_id.clone()),
        }
    }
}

/// How good a user's name is; a higher type wins in [`User::upgrade_name`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NameType {
    /// No name known: the name is [`DEFAULT_NAME`].
    #[default]
    Default = 0,
    /// A name with no letter in it, such as a phone number `+12125551212`.
    Numeric = 1,
    /// A real name.
    Real = 2,
}

/// A chat user (hangups' `User`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// Who this is.
    pub id: UserId,
    /// The full name ([`DEFAULT_NAME`] if unknown).
    pub full_name: String,
    /// The first name: as given, else the first word of the full name; the
    /// full name for numeric names; [`DEFAULT_NAME`] if unknown.
    pub first_name: String,
    /// How the name was derived.
    pub name_type: NameType,
    /// The profile photo URL, if any (as the server sent it).
    pub photo_url: Option<String>,
    /// The canonical email address, if any.
    pub canonical_email: Option<String>,
    /// Email addresses (`EntityProperties.email`).
    pub emails: Vec<String>,
    /// Whether this is the signed-in user.
    pub is_self: bool,
}

/// `(full, first, type)` by the rules of §7.10.
fn name_rules(full_name: Option<&str>, first_name: Option<&str>) -> (String, String, NameType) {
    match full_name.filter(|n| !n.is_empty()) {
        None => (DEFAULT_NAME.into(), DEFAULT_NAME.into(), NameType::Default),
        Some(full) if !full.chars().any(python_chars::is_alpha) => {
            (full.into(), full.into(), NameType::Numeric)
        }
        Some(full) => {
            let first = match first_name.filter(|n| !n.is_empty()) {
                Some(first) => first.to_owned(),
                None => python_chars::first_word(full).unwrap_or(full).to_owned(),
            };
            (full.into(), first, NameType::Real)
        }
    }
}

fn non_empty(s: Option<&String>) -> Option<String> {
    s.filter(|s| !s.is_empty()).cloned()
}

impl User {
    /// A user from a full and a first name, applying the name rules:
    /// no full name → `Unknown`/`Unknown`, [`NameType::Default`]; a full
    /// name without any letter (Python's `str.isalpha`: letter numbers
    /// such as `Ⅻ` and combining marks are none) → first name = full
    /// name, [`NameType::Numeric`]; else [`NameType::Real`], the first
    /// name being the given one or the first word of Python's `split()`
    /// (which also splits at U+001C to U+001F).
    pub fn new(
        id: UserId,
        full_name: Option<&str>,
        first_name: Option<&str>,
        photo_url: Option<String>,
        emails: Vec<String>,
        is_self: bool,
    ) -> Self {
        let (full_name, first_name, name_type) = name_rules(full_name, first_name);
        User {
            id,
            full_name,
            first_name,
            name_type,
            photo_url: photo_url.filter(|u| !u.is_empty()),
            canonical_email: None,
            emails,
            is_self,
        }
    }

    /// The fresh default user hangups returns for an unknown id:
    /// `Unknown`, not self.
    pub fn unknown(id: UserId) -> Self {
        User::new(id, None, None, None, Vec::new(), false)
    }

    /// A user from an `Entity`: `(display_name, first_name)`, photo URL,
    /// canonical email and emails. `is_self` when the id equals `self_id`,
    /// or when `self_id` is `None` (the entity *is* the self entity).
    pub fn from_entity(entity: &Entity, self_id: Option<&UserId>) -> Self {
        let id = UserId::from_opt(entity.id.as_ref());
        let props = entity.properties.clone().unwrap_or_default();
        let is_self = self_id.is_none_or(|s| *s == id);
        let mut user = User::new(
            id,
            props.display_name.as_deref(),
            props.first_name.as_deref(),
            props.photo_url.clone(),
            props.email.clone(),
            is_self,
        );
        user.canonical_email = non_empty(props.canonical_email.as_ref());
        user
    }

    /// A user from a `ConversationParticipantData`: its `fallback_name`
    /// as the full name, where exactly `unknown` counts as no name.
    pub fn from_participant_data(
        data: &ConversationParticipantData,
        self_id: Option<&UserId>,
    ) -> Self {
        let id = UserId::from_opt(data.id.as_ref());
        let is_self = self_id.is_none_or(|s| *s == id);
        let name = data.fallback_name.as_deref().filter(|n| *n != "unknown");
        User::new(id, name, None, None, Vec::new(), is_self)
    }

    /// Takes `other`'s full name, first name and name type if its type is
    /// strictly higher than this user's (a Google Voice participant first
    /// seen without a name, later as a number or a real name).
    pub fn upgrade_name(&mut self, other: &User) {
        if other.name_type > self.name_type {
            self.full_name.clone_from(&other.full_name);
            self.first_name.clone_from(&other.first_name);
            self.name_type = other.name_type;
        }
    }
}

/// Every known user (hangups' `UserList`): the self user, the entities
/// looked up, and the conversations' participants as a fallback.
#[derive(Clone, Debug, Default)]
pub struct UserList {
    self_id: UserId,
    users: Vec<User>,
    index: HashMap<UserId, usize>,
}

impl UserList {
    /// Builds the list as hangups does: the self user from `self_entity`,
    /// then every entity (replacing a user with the same id), then every
    /// participant not known yet (known ones get [`User::upgrade_name`]).
    pub fn new(
        self_entity: &Entity,
        entities: &[Entity],
        participants: &[ConversationParticipantData],
    ) -> Self {
        let self_user = User::from_entity(self_entity, None);
        let mut list = UserList {
            self_id: self_user.id.clone(),
            users: Vec::new(),
            index: HashMap::new(),
        };
        list.insert(self_user);
        for entity in entities {
            let user = User::from_entity(entity, Some(&list.self_id));
            list.insert(user);
        }
        list.add_participants(participants);
        list
    }

    fn insert(&mut self, user: User) {
        match self
            .index
            .get(&user.id)
            .and_then(|&i| self.users.get_mut(i))
        {
            Some(slot) => *slot = user,
            None => {
                self.index.insert(user.id.clone(), self.users.len());
                self.users.push(user);
            }
        }
    }

    /// The participant step (also run for every conversation delta): adds
    /// unknown participants, upgrades the names of known ones.
    pub fn add_participants(&mut self, participants: &[ConversationParticipantData]) {
        for data in participants {
            // A known user with a real name (the best type) cannot be
            // upgraded: skip building the user (its names, its strings).
            let known = match &data.id {
                Some(p) => self.index.get(p as &dyn UserKey),
                None => self.index.get(&UserId::default()),
            };
            if known
                .and_then(|&i| self.users.get(i))
                .is_some_and(|known| known.name_type == NameType::Real)
            {
                continue;
            }
            let user = User::from_participant_data(data, Some(&self.self_id));
            match self
                .index
                .get(&user.id)
                .and_then(|&i| self.users.get_mut(i))
            {
                Some(known) => known.upgrade_name(&user),
                None => self.insert(user),
            }
        }
    }

    /// The signed-in user's id.
    pub fn self_id(&self) -> &UserId {
        &self.self_id
    }

    /// The signed-in user.
    pub fn self_user(&self) -> Cow<'_, User> {
        self.get_user(&self.self_id)
    }

    /// The user with this id, if known.
    pub fn get(&self, id: &UserId) -> Option<&User> {
        self.index.get(id).and_then(|&i| self.users.get(i))
    }

    /// The user with this id; for an unknown id, as hangups does, a fresh
    /// default user (`Unknown`, not self) that is not stored.
    pub fn get_user(&self, id: &UserId) -> Cow<'_, User> {
        match self.get(id) {
            Some(user) => Cow::Borrowed(user),
            None => Cow::Owned(User::unknown(id.clone())),
        }
    }

    /// Every known user, in the order first seen.
    pub fn get_all(&self) -> &[User] {
        &self.users
    }

    /// How many users are known.
    pub fn len(&self) -> usize {
        self.users.len()
    }

    /// Whether no user is known (never true for a built list: the self
    /// user is always there).
    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_rules_table() {
        let cases = [
            (None, None, "Unknown", "Unknown", NameType::Default),
            (Some(""), Some("X"), "Unknown", "Unknown", NameType::Default),
            (
                Some("+1 212"),
                Some("X"),
                "+1 212",
                "+1 212",
                NameType::Numeric,
            ),
            (
                Some("Ada Lovelace"),
                None,
                "Ada Lovelace",
                "Ada",
                NameType::Real,
            ),
            (
                Some("Ada Lovelace"),
                Some(""),
                "Ada Lovelace",
                "Ada",
                NameType::Real,
            ),
            (
                Some("Ada Lovelace"),
                Some("A."),
                "Ada Lovelace",
                "A.",
                NameType::Real,
            ),
            (
                Some("Žofia\u{3000}K"),
                None,
                "Žofia\u{3000}K",
                "Žofia",
                NameType::Real,
            ),
            (Some("李"), None, "李", "李", NameType::Real),
            (Some("  "), None, "  ", "  ", NameType::Numeric),
        ];
        for (full, first, ef, efirst, et) in cases {
            let (f, fi, t) = name_rules(full, first);
            assert_eq!((f.as_str(), fi.as_str(), t), (ef, efirst, et), "{full:?}");
        }
    }
}

#[cfg(test)]
mod key_tests {
    use super::*;

    #[test]
    fn a_participant_id_finds_its_user_id_key() {
        let mut map: HashMap<UserId, u32> = HashMap::new();
        map.insert(UserId::new("c1", "g1"), 1);
        map.insert(UserId::new("", ""), 2);
        let p = ParticipantId {
            chat_id: Some("c1".into()),
            gaia_id: Some("g1".into()),
        };
        assert_eq!(map.get(&p as &dyn UserKey), Some(&1));
        assert_eq!(map.get(&ParticipantId::default() as &dyn UserKey), Some(&2));
        let swapped = ParticipantId {
            chat_id: Some("g1".into()),
            gaia_id: Some("c1".into()),
        };
        assert_eq!(map.get(&swapped as &dyn UserKey), None);
        // Parts are not concatenated: ("c", "1g1") is another id.
        let shifted = ParticipantId {
            chat_id: Some("c".into()),
            gaia_id: Some("1g1".into()),
        };
        assert_eq!(map.get(&shifted as &dyn UserKey), None);
    }
}
