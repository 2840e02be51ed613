//! What a fault scenario must observe, so that it fails when the fault
//! never happened: the knob's fire count, whether the push channel must
//! report a reconnect, and duplicates counted in what actually arrived.

#![allow(dead_code)]

use hangups_core::client::Event;
use hangups_tests::emulator::{EmulatorHandle, Faults};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// What a scenario with these faults must see.
#[derive(Debug, Clone)]
pub struct Expect {
    /// The knobs set (names of [`Faults::KNOBS`]); each must fire.
    pub knobs: Vec<&'static str>,
    /// Whether the push channel must fail and come back
    /// (`Disconnected`, then `Reconnected`).
    pub reconnect: bool,
}

/// The expectation for `faults`: every knob set must fire; the knobs that
/// break the long-poll (a cut body, an expired SID, a stall past the push
/// timeout, garbage in the stream, a refused SID request) must make the
/// client report a reconnect. One-byte writes and a long-poll per chunk
/// are not failures: the channel just carries on.
pub fn of(faults: &Faults) -> Expect {
    let knobs = faults.knobs();
    let breaking = [
        "drop_long_poll_after",
        "expire_sessions",
        "stall",
        "long_poll_garbage",
        "sid_http_status",
    ];
    let reconnect = knobs.iter().any(|k| breaking.contains(k));
    Expect { knobs, reconnect }
}

/// Connection events seen by a scenario.
#[derive(Debug, Default, Clone)]
pub struct Seen {
    /// `Event::Disconnected` count.
    pub disconnected: usize,
    /// `Event::Reconnected` count.
    pub reconnected: usize,
}

impl Seen {
    /// Counts `event` if it is a connection event.
    pub fn note(&mut self, event: &Event) {
        match event {
            Event::Disconnected { .. } => self.disconnected += 1,
            Event::Reconnected { .. } => self.reconnected += 1,
            _ => {}
        }
    }

    /// Whether the reconnect `expect` asks for (if any) was reported.
    pub fn enough(&self, expect: &Expect) -> bool {
        !expect.reconnect || (self.disconnected > 0 && self.reconnected > 0)
    }
}

impl Expect {
    /// Waits (up to `limit`) until every knob fired once; knobs that fire
    /// only on traffic (a SID request, an API call) may need it first, so
    /// this does not fail: [`Expect::check`] does, at the end.
    pub fn until_fired(&self, emu: &EmulatorHandle, limit: Duration) {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline && self.knobs.iter().any(|k| emu.fault_fired(k) == 0) {
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Panics (naming `who`) unless every knob fired and, when a reconnect
    /// is expected, the client reported one.
    pub fn check(&self, emu: &EmulatorHandle, seen: &Seen, who: &str) {
        let fired = emu.faults_fired();
        for knob in &self.knobs {
            let n = fired.get(*knob).copied().unwrap_or(0);
            assert!(n >= 1, "{who}: the fault {knob} never fired ({fired:?})");
        }
        if self.reconnect {
            assert!(
                seen.disconnected >= 1 && seen.reconnected >= 1,
                "{who}: {:?} must make the client report a reconnect; saw {seen:?}",
                self.knobs
            );
        }
    }
}

/// The ids that occur more than once in `ids`, with their counts.
pub fn duplicates<'a>(ids: impl IntoIterator<Item = &'a String>) -> BTreeMap<&'a str, usize> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for id in ids {
        *counts.entry(id.as_str()).or_default() += 1;
    }
    counts.retain(|_, n| *n > 1);
    counts
}
