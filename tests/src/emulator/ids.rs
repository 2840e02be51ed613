//! Identifiers and time for the emulator: a seeded generator for every id
//! the server makes up (SIDs, client ids, event and conversation ids,
//! cookies), and a microsecond clock whose timestamps never repeat.

use std::time::{SystemTime, UNIX_EPOCH};

const BASE64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const HEX_UPPER: &[u8; 16] = b"0123456789ABCDEF";

/// splitmix64: small, seedable, good enough for made-up ids.
#[derive(Debug, Clone)]
pub(crate) struct Ids {
    state: u64,
}

impl Ids {
    pub(crate) fn new(seed: u64) -> Self {
        Ids { state: seed }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn text(&mut self, len: usize, alphabet: &[u8]) -> String {
        (0..len)
            .map(|_| {
                let i = (self.next_u64() % alphabet.len() as u64) as usize;
                char::from(alphabet[i])
            })
            .collect()
    }

    /// A channel session id: 16 upper-case hex digits (`98803CAAD92268E8`).
    pub(crate) fn sid(&mut self) -> String {
        self.text(16, HEX_UPPER)
    }

    /// A gsessionid: 22 base64url characters (`7tCoFHumSL-IT6BHpCaxLA`).
    pub(crate) fn gsid(&mut self) -> String {
        self.text(22, BASE64URL)
    }

    /// A client id: `lcsw_hangouts_` and 8 upper-case hex digits.
    pub(crate) fn client_id(&mut self) -> String {
        format!("lcsw_hangouts_{}", self.text(8, HEX_UPPER))
    }

    /// An event id: 22 base64url characters (`7-H0Z7-FkyB7-H0Z7-Fkyx`).
    pub(crate) fn event_id(&mut self) -> String {
        self.text(22, BASE64URL)
    }

    /// A conversation id in the real servers' shape (`UgzJilj2Tg_oqk5EhEp4AaABAQ`).
    pub(crate) fn conversation_id(&mut self) -> String {
        format!("Ugw{}4AaABAQ", self.text(16, BASE64URL))
    }

    /// A cookie value of `len` base64url characters.
    pub(crate) fn cookie(&mut self, len: usize) -> String {
        self.text(len, BASE64URL)
    }

    /// A request trace id: a decimal number, as in real StateUpdate headers.
    pub(crate) fn trace_id(&mut self) -> String {
        (self.next_u64() >> 1).to_string()
    }
}

/// Microseconds since the Unix epoch on the wall clock.
pub(crate) fn wall_micros() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

/// The server's clock in microseconds. Every timestamp it hands out is at
/// least the wall clock, and an event timestamp is strictly greater than
/// every timestamp handed out before (event or "current server time"), so
/// a client that syncs "events newer than the server time I saw" never
/// misses one.
#[derive(Debug, Clone, Default)]
pub(crate) struct Clock {
    last: u64,
    /// Replaces the wall clock while the default history is written.
    history: Option<u64>,
}

impl Clock {
    fn wall(&self) -> u64 {
        self.history.unwrap_or_else(wall_micros)
    }

    /// The current server time (never earlier than a previous answer).
    pub(crate) fn now(&mut self) -> u64 {
        self.last = self.last.max(self.wall());
        self.last
    }

    /// A fresh event timestamp, strictly after everything handed out so far.
    pub(crate) fn next_event(&mut self) -> u64 {
        self.last = self.wall().max(self.last + 1);
        self.last
    }

    /// Pretends the wall clock reads `at` (µs) until called with `None`:
    /// the default world's history is written in the past this way.
    pub(crate) fn set_history(&mut self, at: Option<u64>) {
        self.history = at;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let mut ids = Ids::new(1);
        assert_eq!(ids.sid().len(), 16);
        assert_eq!(ids.gsid().len(), 22);
        let c = ids.client_id();
        assert!(c.starts_with("lcsw_hangouts_") && c.len() == 22);
        assert_eq!(ids.event_id().len(), 22);
        assert!(ids.conversation_id().starts_with("Ugw"));
        assert_ne!(Ids::new(1).sid(), Ids::new(2).sid());
        assert_eq!(Ids::new(3).sid(), Ids::new(3).sid());
    }

    #[test]
    fn clock_is_strictly_increasing_for_events() {
        let mut c = Clock::default();
        let now = c.now();
        let e1 = c.next_event();
        let e2 = c.next_event();
        assert!(e1 > now && e2 > e1);
        assert!(c.now() >= e2);
        c.set_history(Some(5));
        assert!(c.next_event() > e2, "never goes back");
        let mut h = Clock::default();
        h.set_history(Some(1_000));
        assert_eq!(
            (h.next_event(), h.next_event(), h.now()),
            (1_000, 1_001, 1_001)
        );
        h.set_history(None);
        assert!(h.next_event() > 1_000_000);
    }
}
