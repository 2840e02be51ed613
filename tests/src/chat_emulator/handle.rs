//! The Chat emulator's in-process side door: `chat_*` methods on the
//! emulator's handle, the same as the control API.

use super::ChatFaults;
use crate::emulator::EmulatorHandle;

impl EmulatorHandle {
    /// A Chat space called `display_name` with `members` (`users/…`) and
    /// the app; returns its name (`spaces/…`).
    pub fn chat_create_space(
        &self,
        display_name: &str,
        members: &[&str],
    ) -> Result<String, String> {
        let members = members.iter().map(|m| m.to_string()).collect();
        self.shared
            .lock()
            .chat
            .create_space(display_name, members, true)
    }

    /// A Chat space the app is **not** a member of.
    pub fn chat_create_space_without_app(
        &self,
        display_name: &str,
        members: &[&str],
    ) -> Result<String, String> {
        let members = members.iter().map(|m| m.to_string()).collect();
        self.shared
            .lock()
            .chat
            .create_space(display_name, members, false)
    }

    /// An incoming webhook of `space`: the full URL to POST messages to.
    pub fn chat_webhook(&self, space: &str) -> Result<String, String> {
        let base = self.url();
        self.shared.lock().chat.create_webhook(&base, space)
    }

    /// A bearer token for `principal` (`"app"` or `users/…`) with `scopes`.
    pub fn chat_token(&self, principal: &str, scopes: &[&str]) -> Result<String, String> {
        let scopes: Vec<String> = scopes.iter().map(|s| s.to_string()).collect();
        self.shared.lock().chat.issue_token(principal, &scopes)
    }

    /// A new service account `name` (`[a-z0-9-]`, email
    /// `<name>@emulator-project.iam.gserviceaccount.com`): its key file
    /// JSON, with `token_uri` = this emulator's `/token`.
    pub fn chat_service_account(&self, name: &str) -> Result<serde_json::Value, String> {
        let base = self.url();
        self.shared.lock().chat.create_service_account(&base, name)
    }

    /// A new installed-app OAuth client: Google's client file
    /// (`{"installed": {...}}`) with `auth_uri` = this emulator's
    /// `/o/oauth2/auth` and `token_uri` = its `/token`.
    pub fn chat_oauth_client(&self) -> serde_json::Value {
        let base = self.url();
        self.shared.lock().chat.create_oauth_client(&base)
    }

    /// Revokes a user's refresh token; whether it was known.
    pub fn chat_revoke_refresh_token(&self, token: &str) -> bool {
        self.shared.lock().chat.revoke_refresh_token(token)
    }

    /// Replaces the Chat fault knobs.
    pub fn set_chat_faults(&self, faults: ChatFaults) {
        self.shared.lock().chat.faults.set(faults);
    }

    /// How often the Chat knob `name` (`fail`, `cut`, `stall`, `quota`)
    /// fired so far.
    pub fn chat_fired(&self, name: &str) -> u64 {
        self.shared
            .lock()
            .chat
            .faults
            .fired
            .get(name)
            .copied()
            .unwrap_or(0)
    }

    /// Moves the Chat clock forward by `ms`.
    pub fn chat_advance_clock(&self, ms: u64) {
        self.shared.lock().chat.offset_us += ms * 1000;
    }

    /// The Chat state as `GET /_emulator/chat/state` shows it.
    pub fn chat_state(&self) -> serde_json::Value {
        let mut inner = self.shared.lock();
        let now = inner.world.clock.now();
        inner.chat.state(now)
    }
}
