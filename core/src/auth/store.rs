//! Where credentials live between runs: the [`TokenStore`] trait (files in
//! the adapters, a database in a bridge), an in-memory store, and a text
//! form of the session cookies for stores that keep them too.

use super::secret::RefreshToken;
use crate::api::Cookies;

/// Keeps the refresh token (and optionally the session cookies) between
/// runs. Failures to write are the store's business (hangups only logs
/// them): signing in goes on without a cache.
///
/// ```
/// use hangups_core::auth::{MemoryStore, RefreshToken, TokenStore};
///
/// let mut store = MemoryStore::default();
/// assert_eq!(store.refresh_token(), None);
/// store.set_refresh_token(&RefreshToken::new("1//t"));
/// assert_eq!(store.refresh_token().unwrap().expose(), "1//t");
/// store.clear();
/// assert_eq!(store.refresh_token(), None);
/// ```
pub trait TokenStore {
    /// Why the store cannot be used at all, if it cannot (e.g. its file is
    /// not a token file, or could not be written): signing in then stops
    /// with this reason instead of asking for a login that could not be
    /// kept. `None` (the default): usable.
    fn unusable(&mut self) -> Option<String> {
        None
    }
    /// The stored refresh token, if any (a read failure is "none").
    fn refresh_token(&mut self) -> Option<RefreshToken>;
    /// Stores a refresh token, replacing the old one.
    fn set_refresh_token(&mut self, token: &RefreshToken);
    /// Forgets everything stored (the token was revoked).
    fn clear(&mut self);
    /// The stored session cookies, if this store keeps them.
    fn cookies(&mut self) -> Option<Cookies> {
        None
    }
    /// Stores the session cookies (ignored unless the store keeps them).
    fn set_cookies(&mut self, _cookies: &Cookies) {}
}

impl<T: TokenStore + ?Sized> TokenStore for Box<T> {
    fn unusable(&mut self) -> Option<String> {
        (**self).unusable()
    }
    fn refresh_token(&mut self) -> Option<RefreshToken> {
        (**self).refresh_token()
    }
    fn set_refresh_token(&mut self, token: &RefreshToken) {
        (**self).set_refresh_token(token)
    }
    fn clear(&mut self) {
        (**self).clear()
    }
    fn cookies(&mut self) -> Option<Cookies> {
        (**self).cookies()
    }
    fn set_cookies(&mut self, cookies: &Cookies) {
        (**self).set_cookies(cookies)
    }
}

/// A store in memory (tests, or a caller that persists by itself).
/// `Debug` is redacted like the tokens and cookies it holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemoryStore {
    /// The refresh token.
    pub token: Option<RefreshToken>,
    /// The session cookies.
    pub session: Option<Cookies>,
}

impl TokenStore for MemoryStore {
    fn refresh_token(&mut self) -> Option<RefreshToken> {
        self.token.clone()
    }
    fn set_refresh_token(&mut self, token: &RefreshToken) {
        self.token = Some(token.clone());
    }
    fn clear(&mut self) {
        self.token = None;
        self.session = None;
    }
    fn cookies(&mut self) -> Option<Cookies> {
        self.session.clone()
    }
    fn set_cookies(&mut self, cookies: &Cookies) {
        self.session = Some(cookies.clone());
    }
}

/// The cookies as text, one `name=value` per line (what the file store
/// writes). Round-trips through [`decode_cookies`]. A cookie whose name or
/// value holds a control character (no valid cookie does) is left out.
pub fn encode_cookies(cookies: &Cookies) -> String {
    let mut out = String::new();
    for (name, value) in cookies.iter().filter(|(n, v)| storable(n, v)) {
        out.push_str(name);
        out.push('=');
        out.push_str(value);
        out.push('\n');
    }
    out
}

/// Reads [`encode_cookies`]' text; lines without `=`, with an empty name
/// or with a control character are skipped.
pub fn decode_cookies(text: &str) -> Cookies {
    text.lines()
        .filter_map(|line| line.split_once('='))
        .filter(|(name, value)| storable(name, value))
        .collect()
}

/// A cookie the line format can hold: a name, and no control characters
/// (found by fuzzing: a stray `\r` did not survive a round trip).
fn storable(name: &str, value: &str) -> bool {
    !name.is_empty()
        && !name.contains('=')
        && !(name.chars().chain(value.chars()).any(char::is_control))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_text_round_trips() {
        let c: Cookies = [("SID", "a=b"), ("SAPISID", "x/y\"z")]
            .into_iter()
            .collect();
        let text = encode_cookies(&c);
        assert_eq!(text, "SID=a=b\nSAPISID=x/y\"z\n");
        assert_eq!(decode_cookies(&text), c);
        assert!(decode_cookies("junk\n=x\n\n").is_empty());
        let mut store = MemoryStore::default();
        store.set_cookies(&c);
        let text = format!("{store:?}");
        assert!(!text.contains("a=b") && !text.contains("x/y"));
        let mut boxed: Box<dyn TokenStore> = Box::new(store);
        assert_eq!(boxed.cookies(), Some(c));
        boxed.clear();
        assert_eq!(boxed.cookies(), None);
    }
}
