//! The status line: priority and expiry.

use std::time::Duration;

use hangups_core::client::{ChannelError, Event as ClientEvent};
use hangups_core::proto::hangouts::TypingType;
use hangups_core::state::Update;

use crate::model::test_support::*;
use crate::model::Input;
use crate::settings::Settings;

fn world() -> World {
    let settings = Settings {
        server_label: Some("emulator (embedded)".into()),
        ..Settings::default()
    };
    let mut w = World::with_settings(&[Conv::new("c", &["ada", "grace"])], settings);
    w.open("c");
    w
}

fn disconnect(w: &mut World, in_secs: u64) {
    let retry_at = w.now.instant + Duration::from_secs(in_secs);
    w.input(Input::Update(Update::Client(ClientEvent::Disconnected {
        error: ChannelError::UnknownSid,
        retry_at,
    })));
}

#[test]
fn idle_shows_the_server_label() {
    let w = world();
    assert_eq!(w.status(), "emulator (embedded)");
}

#[test]
fn reconnecting_with_the_next_attempt_then_reconnected_for_a_while() {
    let mut w = world();
    disconnect(&mut w, 5);
    w.typing("c", "ada", TypingType::TYPING_TYPE_STARTED);
    assert_eq!(
        w.status(),
        "RECONNECTING… next attempt in 5s",
        "beats typing"
    );
    w.advance(2);
    assert_eq!(w.status(), "RECONNECTING… next attempt in 3s");
    w.advance(3);
    assert_eq!(w.status(), "RECONNECTING… trying now");
    disconnect(&mut w, 5);
    w.advance(2);
    w.input(Input::Update(Update::Client(ClientEvent::Reconnected {
        last_sync: None,
    })));
    assert_eq!(w.status(), "Reconnected");
    w.advance(6);
    assert_eq!(w.status(), "Ada is typing...");
}

#[test]
fn a_temporary_message_beats_typing_and_lasts_ten_seconds() {
    let mut w = world();
    w.typing("c", "ada", TypingType::TYPING_TYPE_STARTED);
    w.app.say("Failed to find image x", w.now);
    assert_eq!(w.status(), "Failed to find image x");
    w.advance(9);
    assert_eq!(w.status(), "Failed to find image x");
    w.typing("c", "ada", TypingType::TYPING_TYPE_STARTED);
    w.advance(1);
    assert_eq!(w.status(), "Ada is typing...");
}

#[test]
fn typing_names_and_expiry() {
    let mut w = world();
    w.typing("c", "grace", TypingType::TYPING_TYPE_STARTED);
    w.typing("c", "ada", TypingType::TYPING_TYPE_STARTED);
    assert_eq!(w.status(), "Ada, Grace are typing...");
    w.typing("c", "grace", TypingType::TYPING_TYPE_STOPPED);
    assert_eq!(w.status(), "Ada is typing...");
    // A message from Ada ends hers.
    w.deliver(text("c", "1", T0 + S, "ada", "done"));
    assert_eq!(w.status(), "emulator (embedded)");
    // STARTED without a refresh expires after 15 s.
    w.typing("c", "grace", TypingType::TYPING_TYPE_STARTED);
    w.advance(14);
    assert_eq!(w.status(), "Grace is typing...");
    w.advance(1);
    assert_eq!(w.status(), "emulator (embedded)");
}

#[test]
fn typing_elsewhere_and_own_typing_are_not_shown() {
    let mut w = world();
    w.typing("other", "ada", TypingType::TYPING_TYPE_STARTED);
    w.typing("c", "me", TypingType::TYPING_TYPE_STARTED);
    assert_eq!(w.status(), "emulator (embedded)");
}

#[test]
fn history_off_and_quiet_are_shown_when_idle() {
    let mut w = World::new(&[Conv::new("c", &["ada"]).otr().quiet()]);
    w.open("c");
    assert_eq!(w.status(), "History is off · Quiet");
}

#[test]
fn a_client_that_stopped_for_good_says_so() {
    use hangups_core::client::FatalError;
    let mut w = world();
    w.input(Input::Update(Update::Client(ClientEvent::Closed {
        error: Some(FatalError::RetriesExhausted {
            attempts: 5,
            last: ChannelError::UnknownSid,
        }),
    })));
    assert!(
        w.status().starts_with("DISCONNECTED: gave up after 5"),
        "{}",
        w.status()
    );
}
