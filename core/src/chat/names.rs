//! Resource names of the Chat API, checked before any request is built:
//! a bad name is an error here, never a request the server refuses.

use std::fmt;

/// Why a resource name or id was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NameError {
    /// The name does not have the expected shape (`what`: e.g. `spaces/{space}`).
    #[error("invalid {kind} name {name:?}: expected {what}")]
    Shape {
        /// Which kind of name (`space`, `message`, `thread`).
        kind: &'static str,
        /// The name given.
        name: String,
        /// The expected shape.
        what: &'static str,
    },
    /// A client-assigned message id that is not `client-` followed by
    /// lower-case letters, digits and `-`, at most 63 characters in all.
    #[error("invalid client-assigned message id {0:?}: expected `client-` + [a-z0-9-], at most 63 characters")]
    ClientId(String),
}

/// One path segment of a name: non-empty, no `/`, and nothing that would
/// change the request target (`?`, `#`, whitespace, control characters).
fn is_segment(s: &str) -> bool {
    !s.is_empty()
        && s != "."
        && s != ".."
        && s.chars().all(|c| {
            c != '/' && c != '?' && c != '#' && c != '%' && !c.is_whitespace() && !c.is_control()
        })
}

/// `prefix/{a}` or `prefix/{a}/middle/{b}`, split into its ids.
fn split<'a>(name: &'a str, parts: &[&str]) -> Option<Vec<&'a str>> {
    let segs: Vec<&str> = name.split('/').collect();
    if segs.len() != parts.len() * 2 {
        return None;
    }
    let mut ids = Vec::new();
    for (i, fixed) in parts.iter().enumerate() {
        if segs[2 * i] != *fixed || !is_segment(segs[2 * i + 1]) {
            return None;
        }
        ids.push(segs[2 * i + 1]);
    }
    Some(ids)
}

macro_rules! name_type {
    ($(#[$doc:meta])* $ty:ident, $kind:literal, $what:literal, [$($part:literal),+]) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $ty(String);

        impl $ty {
            /// Parses a full resource name.
            pub fn parse(name: &str) -> Result<$ty, NameError> {
                match split(name, &[$($part),+]) {
                    Some(_) => Ok($ty(name.to_string())),
                    None => Err(NameError::Shape { kind: $kind, name: name.to_string(), what: $what }),
                }
            }

            /// The full resource name.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $ty {
            type Err = NameError;
            fn from_str(s: &str) -> Result<$ty, NameError> {
                $ty::parse(s)
            }
        }

        impl TryFrom<&str> for $ty {
            type Error = NameError;
            fn try_from(s: &str) -> Result<$ty, NameError> {
                $ty::parse(s)
            }
        }
    };
}

name_type!(
    /// A space: `spaces/{space}`.
    ///
    /// ```
    /// use hangups_core::chat::SpaceName;
    /// assert_eq!(SpaceName::parse("spaces/AAAA")?.id(), "AAAA");
    /// assert!(SpaceName::parse("spaces/AAAA/messages/x").is_err());
    /// # Ok::<(), hangups_core::chat::NameError>(())
    /// ```
    SpaceName, "space", "spaces/{space}", ["spaces"]
);
name_type!(
    /// A message: `spaces/{space}/messages/{message}` (the last part may
    /// be a client-assigned id, `client-…`).
    MessageName, "message", "spaces/{space}/messages/{message}", ["spaces", "messages"]
);
name_type!(
    /// A thread: `spaces/{space}/threads/{thread}`.
    ThreadName, "thread", "spaces/{space}/threads/{thread}", ["spaces", "threads"]
);

impl SpaceName {
    /// The space id (after `spaces/`).
    pub fn id(&self) -> &str {
        &self.0["spaces/".len()..]
    }

    /// The message `id` in this space (a server id or a client-assigned one).
    pub fn message(&self, id: &str) -> Result<MessageName, NameError> {
        MessageName::parse(&format!("{}/messages/{id}", self.0))
    }
}

impl MessageName {
    /// The space the message is in.
    pub fn space(&self) -> SpaceName {
        let end = self.0.find("/messages/").unwrap_or(self.0.len());
        SpaceName(self.0[..end].to_string())
    }

    /// The message id (after `/messages/`).
    pub fn id(&self) -> &str {
        let start = self
            .0
            .find("/messages/")
            .map_or(0, |i| i + "/messages/".len());
        &self.0[start..]
    }

    /// Whether the id is client-assigned (`client-…`): only such a message
    /// can be created by an update with `allowMissing`.
    pub fn is_client_assigned(&self) -> bool {
        ClientMessageId::parse(self.id()).is_ok()
    }
}

impl ThreadName {
    /// The space the thread is in.
    pub fn space(&self) -> SpaceName {
        let end = self.0.find("/threads/").unwrap_or(self.0.len());
        SpaceName(self.0[..end].to_string())
    }
}

/// A client-assigned message id (`messageId` of create): `client-`
/// followed by `[a-z0-9-]`, at most 63 characters in all.
///
/// ```
/// use hangups_core::chat::ClientMessageId;
/// assert!(ClientMessageId::parse("client-order-42").is_ok());
/// assert!(ClientMessageId::parse("client-Upper").is_err());
/// assert!(ClientMessageId::parse("order-42").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClientMessageId(String);

impl ClientMessageId {
    /// The longest id, in characters.
    pub const MAX_LEN: usize = 63;

    /// Checks an id.
    pub fn parse(id: &str) -> Result<ClientMessageId, NameError> {
        let ok = id.len() > "client-".len()
            && id.len() <= Self::MAX_LEN
            && id.starts_with("client-")
            && id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(ClientMessageId(id.to_string()))
        } else {
            Err(NameError::ClientId(id.to_string()))
        }
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ClientMessageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_accept_and_reject() {
        assert!(SpaceName::parse("spaces/A1-b_c").is_ok());
        for bad in [
            "",
            "spaces",
            "spaces/",
            "space/A",
            "spaces/A/",
            "spaces/A B",
            "spaces/A?x",
            "spaces/A#x",
            "spaces/..",
            "spaces/%2F",
            "/spaces/A",
        ] {
            assert!(SpaceName::parse(bad).is_err(), "{bad:?}");
        }
        let m = MessageName::parse("spaces/S/messages/M.1").unwrap();
        assert_eq!(m.space().as_str(), "spaces/S");
        assert_eq!(m.id(), "M.1");
        assert!(!m.is_client_assigned());
        assert!(MessageName::parse("spaces/S/messages/client-x")
            .unwrap()
            .is_client_assigned());
        for bad in [
            "spaces/S",
            "spaces/S/messages/",
            "spaces/S/threads/T",
            "spaces/S/messages/a/b",
        ] {
            assert!(MessageName::parse(bad).is_err(), "{bad:?}");
        }
        let t = ThreadName::parse("spaces/S/threads/T").unwrap();
        assert_eq!(t.space().id(), "S");
        assert!(ThreadName::parse("spaces/S/messages/T").is_err());
        assert_eq!(
            SpaceName::parse("spaces/S")
                .unwrap()
                .message("client-a")
                .unwrap()
                .as_str(),
            "spaces/S/messages/client-a"
        );
        assert!(SpaceName::parse("spaces/S")
            .unwrap()
            .message("a/b")
            .is_err());
    }

    #[test]
    fn client_ids() {
        let max = format!("client-{}", "a".repeat(56));
        assert_eq!(max.len(), 63);
        assert!(ClientMessageId::parse(&max).is_ok());
        let long = format!("{max}a");
        for bad in [
            "client-",
            "client-A",
            "client-a_b",
            "clientx-a",
            "Client-a",
            long.as_str(),
            "client-é",
        ] {
            assert!(ClientMessageId::parse(bad).is_err(), "{bad:?}");
        }
    }
}
