//! The Chat emulator's fault knobs ([`ChatFaults`]) and the counters of
//! what fired.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Fault knobs of the Chat emulator, set with
/// [`EmulatorHandle::set_chat_faults`](crate::emulator::EmulatorHandle::set_chat_faults)
/// or `POST /_emulator/chat/faults` (the same fields as JSON). Setting them
/// **replaces** every knob; `{}` clears them all. Counts go down as the
/// knobs fire; how often each fired shows in `GET /_emulator/chat/state`
/// (`fired`) under the names `fail`, `cut`, `stall`, `quota`.
///
/// Knobs apply to `/v1/` API calls only, in this order: `stall` if
/// `stall_before_apply`, `fail` (before anything else, changes nothing),
/// then the call is applied, then `stall` (unless before), then `cut`.
/// The Hangouts emulator's `split_writes` knob splits these responses too.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ChatFaults {
    /// The next `fail_count` calls are answered with this HTTP status (500
    /// INTERNAL, 503 UNAVAILABLE, 429 RESOURCE_EXHAUSTED, …) in Google's
    /// error envelope, before authentication, and change nothing.
    pub fail_status: Option<u16>,
    /// How many calls `fail_status` answers (0 with a status counts as 1).
    pub fail_count: u32,
    /// With `fail_status`: a RetryInfo `retryDelay` of this many ms in the
    /// error (and a `Retry-After` header in whole seconds, rounded up).
    pub retry_delay_ms: Option<u64>,
    /// The next this-many calls are applied (a create is stored, an
    /// update is made) and then the connection is dropped without a
    /// response: a client must retry, and a retried create with the same
    /// `requestId` returns the same message.
    pub cut_after_apply: u32,
    /// The next `stall_count` calls are applied and their response held
    /// back this long (ms) before it is written.
    pub stall_ms: Option<u64>,
    /// How many calls `stall_ms` holds (0 with a delay counts as 1).
    pub stall_count: u32,
    /// With `stall_ms`: hold the call **before** it is applied (and before
    /// `fail`), so that a client that gives up has changed nothing.
    pub stall_before_apply: bool,
    /// **Sticky.** The project has no Chat app configured: every call made
    /// with an app's credentials is 404 NOT_FOUND "Google Chat app not
    /// found…" with a `Help` link, as Google answers then.
    pub app_not_configured: bool,
    /// The per-space write quota per minute (create, patch, update,
    /// delete, webhooks included) instead of Google's 60.
    pub writes_per_minute: Option<u32>,
    /// The per-space read quota per minute (get, list) instead of
    /// Google's 900.
    pub reads_per_minute: Option<u32>,
}

/// The knobs in force and the counters.
#[derive(Debug, Default)]
pub(crate) struct FaultState {
    pub knobs: ChatFaults,
    pub fired: BTreeMap<&'static str, u64>,
}

impl FaultState {
    pub(crate) fn set(&mut self, mut knobs: ChatFaults) {
        if knobs.fail_status.is_some() && knobs.fail_count == 0 {
            knobs.fail_count = 1;
        }
        if knobs.stall_ms.is_some() && knobs.stall_count == 0 {
            knobs.stall_count = 1;
        }
        self.knobs = knobs;
    }

    pub(crate) fn count(&mut self, name: &'static str) {
        *self.fired.entry(name).or_insert(0) += 1;
    }

    /// An injected failure for this call: `(status, retry delay)`.
    pub(crate) fn take_fail(&mut self) -> Option<(u16, Option<u64>)> {
        let status = self.knobs.fail_status?;
        self.knobs.fail_count = self.knobs.fail_count.saturating_sub(1);
        if self.knobs.fail_count == 0 {
            self.knobs.fail_status = None;
        }
        self.count("fail");
        Some((status, self.knobs.retry_delay_ms))
    }

    /// The stall of this call, if one is armed for this point
    /// (`before`: ahead of applying it).
    pub(crate) fn take_stall(&mut self, before: bool) -> Option<u64> {
        if self.knobs.stall_before_apply != before {
            return None;
        }
        let ms = self.knobs.stall_ms?;
        self.knobs.stall_count = self.knobs.stall_count.saturating_sub(1);
        if self.knobs.stall_count == 0 {
            self.knobs.stall_ms = None;
        }
        self.count("stall");
        Some(ms)
    }

    pub(crate) fn take_cut(&mut self) -> bool {
        if self.knobs.cut_after_apply == 0 {
            return false;
        }
        self.knobs.cut_after_apply -= 1;
        self.count("cut");
        true
    }

    pub(crate) fn writes_per_minute(&self) -> u32 {
        self.knobs.writes_per_minute.unwrap_or(60)
    }

    pub(crate) fn reads_per_minute(&self) -> u32 {
        self.knobs.reads_per_minute.unwrap_or(900)
    }
}
