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
    assert_eq!(w.status(), "Reconnected, catching up…");
    w.advance(5);
    assert_eq!(w.status(), "Reconnected: nothing missed");
    w.advance(9);
    assert_eq!(w.status(), "Reconnected: nothing missed");
    w.typing("c", "ada", TypingType::TYPING_TYPE_STARTED);
    w.advance(1);
    assert_eq!(w.status(), "Ada is typing...");
}

fn reconnect(w: &mut World) {
    disconnect(w, 1);
    w.advance(1);
    w.input(Input::Update(Update::Client(ClientEvent::Reconnected {
        last_sync: None,
    })));
}

#[test]
fn reconnected_says_what_the_catch_up_brought_back() {
    let mut w = World::new(&[Conv::new("c", &["ada"]), Conv::new("d", &["grace"])]);
    reconnect(&mut w);
    w.deliver(text("c", "1", T0 + S, "ada", "one"));
    w.advance(3);
    w.deliver(text("c", "2", T0 + 2 * S, "ada", "two"));
    w.deliver(text("d", "3", T0 + 3 * S, "grace", "three"));
    // Own messages (sent elsewhere) were not missed.
    w.deliver(text("d", "4", T0 + 4 * S, "me", "mine"));
    w.advance(4);
    assert_eq!(
        w.status(),
        "Reconnected, catching up…",
        "quiet for 4 s only"
    );
    w.advance(1);
    assert_eq!(w.status(), "Reconnected: 3 new messages in 2 conversations");
    // What comes after the quiet period is not counted.
    w.deliver(text("d", "5", T0 + 5 * S, "grace", "live"));
    assert_eq!(w.status(), "Reconnected: 3 new messages in 2 conversations");
    w.advance(10);
    assert_eq!(w.status(), "");
}

#[test]
fn reconnected_with_one_message_is_singular() {
    let mut w = World::new(&[Conv::new("c", &["ada"])]);
    reconnect(&mut w);
    w.deliver(text("c", "1", T0 + S, "ada", "one"));
    w.advance(5);
    assert_eq!(w.status(), "Reconnected: 1 new message in 1 conversation");
}

#[test]
fn a_failed_catch_up_ends_the_tally_and_says_it_retries() {
    use hangups_core::state::LiveError;
    let mut w = World::new(&[Conv::new("c", &["ada"])]);
    reconnect(&mut w);
    w.input(Input::Update(Update::CatchUpFailed(LiveError::Closed)));
    assert_eq!(w.status(), "catching up failed, retrying");
    w.advance(5);
    assert_eq!(w.status(), "catching up failed, retrying");
}

#[test]
fn lagging_says_how_many_updates_are_re_fetched() {
    let mut w = World::new(&[Conv::new("c", &["ada"])]);
    w.input(Input::Update(Update::Lagged { missed: 7 }));
    assert_eq!(w.status(), "fell behind: 7 updates re-fetched");
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
