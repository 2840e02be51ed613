//! Fault knobs: ways to make the emulator misbehave on purpose (the
//! public [`Faults`]), and the state that arms, fires and counts them.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::time::Duration;

/// Fault knobs, set from
/// [`EmulatorHandle::set_faults`](super::EmulatorHandle::set_faults) or
/// `POST /_emulator/faults` (the same fields as JSON, durations in ms).
///
/// Setting faults **replaces** every knob (fields left out are off), so
/// `Faults::default()` clears them all. Knobs are either *sticky* (in force
/// until replaced) or *one-shot* (cleared once they fire; until then they
/// stay armed). `expire_sessions` is an action carried out at once. How
/// often each knob fired (named as in [`Faults::KNOBS`]) shows in the
/// control API's `state` (`faults_fired`) and `GET /_emulator/faults`, and
/// in [`EmulatorHandle::faults_fired`](super::EmulatorHandle::faults_fired):
/// a one-shot knob counts when it fires, `split_writes` counts each write
/// it split, `close_after_each_chunk` each long-poll it ran, and
/// `expire_sessions` each time it was set.
///
/// "The next long-poll write" below means the next time any open or new
/// long-poll is about to send something: its response head, a noop, a
/// client id or a StateUpdate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// **One-shot.** The next long-poll write sends only this many more
    /// bytes of its response and then the TCP connection is dropped in the
    /// middle of the body (no terminating chunk): the client sees a cut body
    /// and asks for a new SID (PROTOCOL.md §1.4, §1.11 "SID expiry"). The
    /// session itself stays valid, and an update whose chunk was cut stays
    /// queued for it; a client on a new SID catches up with SyncAllNewEvents.
    pub drop_long_poll_after: Option<usize>,
    /// **Sticky.** Every response on every connection is written in pieces
    /// of this many bytes (0 counts as 1), with a flush after each piece
    /// (TCP_NODELAY is on, so each piece leaves as its own segment).
    pub split_writes: Option<usize>,
    /// **Action.** Every channel session that exists now is expired: an open
    /// long-poll on it ends normally at once, and the next channel request
    /// with its SID gets `HTTP/1.1 400 Unknown SID`. Always reads back false.
    pub expire_sessions: bool,
    /// **One-shot.** The next long-poll write is held back for this long:
    /// nothing is sent and the connection stays open (a dead connection;
    /// past the client's keep-alive timeout the client gives up). Afterwards
    /// the long-poll carries on, unless a newer long-poll on the same SID
    /// replaced it meanwhile. JSON: `stall_ms`.
    #[serde(rename = "stall_ms", with = "millis")]
    pub stall: Option<Duration>,
    /// **Sticky.** Every long-poll ends normally (0-size HTTP chunk,
    /// `Connection: close`, the connection closed) after the first chunk
    /// that follows its opening noop, so each chunk arrives on its own
    /// long-poll.
    pub close_after_each_chunk: bool,
    /// **One-shot.** The next chat API call is answered with this HTTP
    /// status (e.g. 500) and a short text body, and changes nothing.
    pub api_http_status: Option<u16>,
    /// **One-shot.** The next chat API call is answered with HTTP 200 and a
    /// response whose `response_header.status` is this (e.g. 3 for
    /// UNEXPECTED_ERROR) with `api_error_description`, and changes nothing.
    pub api_response_status: Option<i32>,
    /// The `error_description` that goes with `api_response_status`.
    pub api_error_description: Option<String>,
    /// If set, the two API faults fire only on this endpoint (e.g.
    /// `conversations/sendchatmessage`); other calls go through.
    pub api_fault_endpoint: Option<String>,
    /// **One-shot.** The next session (SID) request is answered with this
    /// HTTP status and creates no session.
    pub sid_http_status: Option<u16>,
    /// **One-shot.** These bytes are sent raw inside the long-poll body
    /// (as one HTTP chunk) before the next long-poll write: junk where a
    /// length line belongs, a bad chunk, and so on.
    pub long_poll_garbage: Option<String>,
}

impl Faults {
    /// The name of every knob, as the fire counts name them (the JSON
    /// field names, `stall` for `stall_ms`; `api_error_description` and `api_fault_endpoint` are
    /// modifiers of the two API knobs, not knobs).
    pub const KNOBS: [&'static str; 9] = [
        "drop_long_poll_after",
        "split_writes",
        "expire_sessions",
        "stall",
        "close_after_each_chunk",
        "api_http_status",
        "api_response_status",
        "sid_http_status",
        "long_poll_garbage",
    ];

    /// The knobs this value sets (names from [`Faults::KNOBS`]), in that order.
    pub fn knobs(&self) -> Vec<&'static str> {
        let set = [
            self.drop_long_poll_after.is_some(),
            self.split_writes.is_some(),
            self.expire_sessions,
            self.stall.is_some(),
            self.close_after_each_chunk,
            self.api_http_status.is_some(),
            self.api_response_status.is_some(),
            self.sid_http_status.is_some(),
            self.long_poll_garbage.is_some(),
        ];
        Self::KNOBS
            .iter()
            .zip(set)
            .filter_map(|(name, on)| on.then_some(*name))
            .collect()
    }
}

/// `Option<Duration>` as integer milliseconds.
mod millis {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::time::Duration;

    pub fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_some(&u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
        Ok(Option::<u64>::deserialize(d)?.map(Duration::from_millis))
    }
}

/// An API call answered by a fault instead of the world.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ApiFault {
    /// An HTTP error status.
    Http(u16),
    /// HTTP 200 with a non-OK response header.
    Status(i32, String),
}

/// The faults in force, and how often each fired.
#[derive(Debug, Default)]
pub(crate) struct FaultState {
    current: Faults,
    fired: BTreeMap<&'static str, u64>,
}

impl FaultState {
    /// Replaces the knobs; returns whether sessions must be expired now.
    pub fn set(&mut self, mut faults: Faults) -> bool {
        let expire = std::mem::take(&mut faults.expire_sessions);
        self.current = faults;
        if expire {
            self.count("expire_sessions");
        }
        expire
    }

    pub fn current(&self) -> &Faults {
        &self.current
    }

    fn count(&mut self, name: &'static str) {
        *self.fired.entry(name).or_default() += 1;
    }

    /// How often each fault fired, for the control API's `state`.
    pub fn fired(&self) -> &BTreeMap<&'static str, u64> {
        &self.fired
    }

    /// The sticky write split, if any (at least 1); counts one write split.
    pub fn split(&mut self) -> Option<usize> {
        let k = self.current.split_writes?.max(1);
        self.count("split_writes");
        Some(k)
    }

    /// Whether the long-poll starting now ends after its first chunk;
    /// counts one long-poll run so.
    pub fn close_after_each_chunk(&mut self) -> bool {
        let on = self.current.close_after_each_chunk;
        if on {
            self.count("close_after_each_chunk");
        }
        on
    }

    pub fn take_stall(&mut self) -> Option<Duration> {
        let d = self.current.stall.take()?;
        self.count("stall");
        Some(d)
    }

    pub fn take_drop(&mut self) -> Option<usize> {
        let n = self.current.drop_long_poll_after.take()?;
        self.count("drop_long_poll_after");
        Some(n)
    }

    pub fn take_garbage(&mut self) -> Option<String> {
        let g = self.current.long_poll_garbage.take()?;
        self.count("long_poll_garbage");
        Some(g)
    }

    pub fn take_sid_status(&mut self) -> Option<u16> {
        let s = self.current.sid_http_status.take()?;
        self.count("sid_http_status");
        Some(s)
    }

    /// The API fault for a call to `endpoint`, if one is armed for it.
    pub fn take_api_fault(&mut self, endpoint: &str) -> Option<ApiFault> {
        let c = &mut self.current;
        if c.api_fault_endpoint
            .as_deref()
            .is_some_and(|e| e != endpoint)
        {
            return None;
        }
        if let Some(status) = c.api_http_status.take() {
            self.count("api_http_status");
            return Some(ApiFault::Http(status));
        }
        if let Some(status) = c.api_response_status.take() {
            let description = c.api_error_description.take().unwrap_or_default();
            self.count("api_response_status");
            return Some(ApiFault::Status(status, description));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_and_defaults() {
        let f: Faults = serde_json::from_str(r#"{"stall_ms": 3000, "split_writes": 1}"#).unwrap();
        assert_eq!(f.stall, Some(Duration::from_secs(3)));
        assert_eq!(f.split_writes, Some(1));
        assert!(!f.close_after_each_chunk);
        let back = serde_json::to_value(&f).unwrap();
        assert_eq!(back["stall_ms"], 3000);
        assert!(serde_json::from_str::<Faults>(r#"{"nope": 1}"#).is_err());
    }

    #[test]
    fn one_shot_and_sticky() {
        let mut s = FaultState::default();
        let expire = s.set(Faults {
            split_writes: Some(0),
            stall: Some(Duration::from_millis(5)),
            api_http_status: Some(500),
            api_fault_endpoint: Some("a/b".into()),
            expire_sessions: true,
            ..Default::default()
        });
        assert!(expire && !s.current().expire_sessions);
        assert_eq!(s.split(), Some(1));
        assert_eq!(s.split(), Some(1));
        assert_eq!(s.take_stall(), Some(Duration::from_millis(5)));
        assert_eq!(s.take_stall(), None);
        assert_eq!(s.take_api_fault("x/y"), None);
        assert_eq!(s.take_api_fault("a/b"), Some(ApiFault::Http(500)));
        assert_eq!(s.take_api_fault("a/b"), None);
        assert_eq!(s.fired()["stall"], 1);
        assert_eq!(s.fired()["split_writes"], 2);
        assert_eq!(s.fired()["expire_sessions"], 1);
        assert_eq!(s.fired()["api_http_status"], 1);
        assert!(!s.close_after_each_chunk());
        assert!(!s.fired().contains_key("close_after_each_chunk"));
    }

    #[test]
    fn every_knob_is_named_and_counted_under_its_name() {
        let all = Faults {
            drop_long_poll_after: Some(1),
            split_writes: Some(1),
            expire_sessions: true,
            stall: Some(Duration::from_millis(1)),
            close_after_each_chunk: true,
            api_http_status: Some(500),
            api_response_status: Some(3),
            sid_http_status: Some(503),
            long_poll_garbage: Some("x".into()),
            ..Default::default()
        };
        assert_eq!(all.knobs(), Faults::KNOBS);
        assert!(Faults::default().knobs().is_empty());
        let mut s = FaultState::default();
        s.set(all);
        s.split();
        s.close_after_each_chunk();
        s.take_stall();
        s.take_drop();
        s.take_garbage();
        s.take_sid_status();
        s.take_api_fault("any");
        s.take_api_fault("any");
        let fired: Vec<&str> = s.fired().keys().copied().collect();
        let mut knobs = Faults::KNOBS.to_vec();
        knobs.sort_unstable();
        assert_eq!(fired, knobs);
        // Every JSON field but the two modifiers is a knob.
        let json = serde_json::to_value(Faults::default()).unwrap();
        let mut fields: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .filter(|k| !k.starts_with("api_error") && !k.starts_with("api_fault"))
            .map(|k| if k == "stall_ms" { "stall" } else { k })
            .collect();
        fields.sort_unstable();
        assert_eq!(fields, knobs);
    }
}
