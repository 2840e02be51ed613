//! The shell run headless (ratatui's `TestBackend`, synthetic keys from a
//! channel) against the in-process emulator while it misbehaves: expired
//! cookies, a failing SID request, a stall, a dropped long-poll, the
//! server gone and back. After each fault the loop is still running (it
//! never quit), a message injected by the emulator reaches the list the
//! shell keeps current, and a message sent through the shell's effect
//! runner ([`shell::perform`]) arrives in the emulator's world.

use std::time::Duration;

use hangups_core::message::segments_from_str;
use hangups_tests::emulator::{Emulator, EmulatorConfig, EmulatorHandle, Faults};
use hangups_tokio::ConversationList;
use hangups_ui::model::{App, Effect, EffectId, Outcome};
use hangups_ui::notify::Recording;
use hangups_ui::settings::Settings;
use hangups_ui::shell::{self, connect, headless::ChannelHost, Context};
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;

const SELF: &str = "100000000000000000001";
const GRACE: &str = "100000000000000000002";
const GROUP: &str = "UgwEmulatorGroupChat4AaABAQ";

fn key(code: KeyCode, modifiers: KeyModifiers) -> Event {
    Event::Key(KeyEvent::new(code, modifiers))
}

/// The texts of a conversation in the emulator's world.
fn world_texts(emu: &EmulatorHandle, conv: &str) -> Vec<String> {
    emu.conversation_states(SELF)
        .into_iter()
        .filter(|c| c.conversation_id.as_ref().and_then(|i| i.id.as_deref()) == Some(conv))
        .flat_map(|c| c.event)
        .filter_map(|e| {
            let segments = e.chat_message?.message_content?.segment;
            Some(segments.into_iter().filter_map(|s| s.text).collect())
        })
        .collect()
}

fn list_has(list: &ConversationList, conv: &str, event_id: &str) -> bool {
    list.get(conv)
        .and_then(|c| c.with(|c| c.get_event(event_id).is_some()))
        .unwrap_or(false)
}

async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while !done() {
        assert!(tokio::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// After a fault: keys, an injected message that must reach the list, a
/// sent one that must reach the world.
async fn survive(
    emu: &EmulatorHandle,
    list: &ConversationList,
    keys: &shell::headless::EventSender,
    step: &str,
) {
    for k in [
        KeyCode::Enter,
        KeyCode::End,
        KeyCode::Home,
        KeyCode::Char('x'),
        KeyCode::Tab,
    ] {
        keys.send(key(k, KeyModifiers::NONE))
            .expect("the loop reads keys");
    }
    let injected = emu
        .inject_message(GROUP, GRACE, &format!("from Grace after {step} é 😀"))
        .unwrap();
    let t0 = tokio::time::Instant::now();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while !list_has(list, GROUP, &injected) {
        if tokio::time::Instant::now() > deadline {
            panic!(
                "{step}: injected not in list; sessions {}",
                emu.state()["sessions"]
            );
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    eprintln!("{step}: injected after {:?}", t0.elapsed());
    let text = format!("sent after {step}");
    let effect = Effect::SendMessage {
        id: EffectId(1),
        conversation_id: GROUP.into(),
        segments: segments_from_str(&text),
        image: None,
    };
    // A failed send (the fault still biting) is retried, as a user would.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let outcome = shell::perform(list.clone(), None, effect.clone()).await;
        if outcome == Some((EffectId(1), Outcome::Ok)) {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{step}: {outcome:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    wait_until(&format!("{step}: the sent message in the world"), || {
        world_texts(emu, GROUP).contains(&text)
    })
    .await;
    // And back in the client's list, through the push channel.
    wait_until(&format!("{step}: the sent message in the list"), || {
        list_texts(list, GROUP).contains(&text)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shell_survives_every_fault_and_ends_with_status_0() {
    let mut emu = Emulator::start(EmulatorConfig::default()).unwrap();
    let conn = connect::connect_emulator(&emu.url()).await.unwrap();
    let list = conn.list.clone();
    let (mut host, keys) = ChannelHost::new();
    let mut term = Terminal::new(TestBackend::new(100, 30)).unwrap();
    let mut app = App::new(Settings::default());
    let mut notifier = Recording::new();
    let cx = Context {
        notifier: &mut notifier,
        archived_path: None,
    };
    let run = shell::run(
        &mut term,
        &mut host,
        &mut app,
        &list,
        conn.notifications,
        cx,
    );
    let mut run = std::pin::pin!(run);
    let scenario = async {
        survive(&emu, &list, &keys, "the start").await;

        emu.expire_cookies(SELF).unwrap();
        survive(&emu, &list, &keys, "expired cookies").await;

        emu.set_faults(Faults {
            expire_sessions: true,
            sid_http_status: Some(500),
            ..Faults::default()
        });
        survive(&emu, &list, &keys, "a failed SID request").await;
        assert!(emu.fault_fired("sid_http_status") >= 1);

        emu.set_faults(Faults {
            stall: Some(Duration::from_secs(2)),
            ..Faults::default()
        });
        survive(&emu, &list, &keys, "a stall").await;
        assert!(emu.fault_fired("stall") >= 1);

        emu.set_faults(Faults {
            drop_long_poll_after: Some(0),
            ..Faults::default()
        });
        survive(&emu, &list, &keys, "a dropped long-poll").await;
        assert!(emu.fault_fired("drop_long_poll_after") >= 1);

        // The server goes away for 2 s (connections dropped, connecting
        // refused) and comes back on the same address with its world.
        let emu_ref = &mut emu;
        tokio::task::block_in_place(|| emu_ref.restart(Duration::from_secs(2))).unwrap();
        survive(&emu, &list, &keys, "the server gone and back").await;
    };
    tokio::select! {
        ended = &mut run => panic!("the shell stopped during the faults: {ended:?}"),
        () = scenario => {}
    }
    keys.send(key(KeyCode::Char('e'), KeyModifiers::CONTROL))
        .unwrap();
    let status = tokio::time::timeout(Duration::from_secs(10), run).await;
    assert_eq!(status.expect("the quit key ends the loop").unwrap(), 0);
    // The client ends equal to the world: the group's loaded messages are
    // the world's newest ones, in order, each once (six injected and six
    // sent through the faults among them).
    let loaded = list_texts(&list, GROUP);
    let world = world_texts(&emu, GROUP);
    assert!(loaded.len() >= 12, "{loaded:?}");
    assert_eq!(loaded[..], world[world.len() - loaded.len()..]);
    for step in ["the start", "a stall", "the server gone and back"] {
        let once = |t: &str| loaded.iter().filter(|l| l.as_str() == t).count() == 1;
        assert!(once(&format!("from Grace after {step} é 😀")), "{loaded:?}");
        assert!(once(&format!("sent after {step}")), "{loaded:?}");
    }
    list.client().disconnect().await;
}

/// The texts of a conversation's loaded chat messages in the client's
/// list, oldest first.
fn list_texts(list: &ConversationList, conv: &str) -> Vec<String> {
    list.get(conv)
        .and_then(|c| {
            c.with(|c| {
                c.events()
                    .iter()
                    .filter_map(|e| e.as_chat_message().map(|m| m.text()))
                    .collect()
            })
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ctrl_c_ends_with_status_130_and_the_editor_suspends_the_terminal() {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    let conn = connect::connect_emulator(&emu.url()).await.unwrap();
    let (mut host, keys) = ChannelHost::new();
    let record = host.record();
    let mut term = Terminal::new(TestBackend::new(100, 30)).unwrap();
    let mut app = App::new(Settings::default());
    let mut notifier = Recording::new();
    let cx = Context {
        notifier: &mut notifier,
        archived_path: None,
    };
    keys.send(key(KeyCode::Char('c'), KeyModifiers::CONTROL))
        .unwrap();
    let status = shell::run(
        &mut term,
        &mut host,
        &mut app,
        &conn.list,
        conn.notifications,
        cx,
    );
    let status = tokio::time::timeout(Duration::from_secs(10), status).await;
    assert_eq!(status.unwrap().unwrap(), shell::INTERRUPTED);
    assert_eq!(record.lock().unwrap().suspensions, 0);
    // It drew the first screen before reading the key.
    let drawn: String = term
        .backend()
        .buffer()
        .content()
        .iter()
        .map(|c| c.symbol())
        .collect();
    assert!(!drawn.trim().is_empty(), "nothing drawn");
    conn.list.client().disconnect().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_effect_runs_against_the_emulator() {
    use hangups_core::proto::hangouts::TypingType;
    use hangups_core::state::UserId;
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    let conn = connect::connect_emulator(&emu.url()).await.unwrap();
    let l = conn.list.clone();
    let id = EffectId(7);
    let run = |effect: Effect| shell::perform(l.clone(), None, effect);
    let ok = Some((id, Outcome::Ok));
    let grace = UserId::new(GRACE, GRACE);
    assert_eq!(
        run(Effect::Rename {
            id,
            conversation_id: GROUP.into(),
            name: "Renamed by the shell".into()
        })
        .await,
        ok
    );
    assert_eq!(
        run(Effect::SetTyping {
            id,
            conversation_id: GROUP.into(),
            typing: TypingType::TYPING_TYPE_STARTED
        })
        .await,
        ok
    );
    assert_eq!(
        run(Effect::MarkRead {
            id,
            conversation_id: GROUP.into()
        })
        .await,
        ok
    );
    assert_eq!(run(Effect::SetActive { id }).await, ok);
    let Some((_, Outcome::Loaded(_))) = run(Effect::LoadHistory {
        id,
        conversation_id: GROUP.into(),
        before_event_id: None,
        max_events: 50,
    })
    .await
    else {
        panic!("no history");
    };
    let Some((_, Outcome::Users(users))) = run(Effect::SearchUsers {
        id,
        query: "grace".into(),
    })
    .await
    else {
        panic!("no search");
    };
    assert!(users.iter().any(|u| u.id.gaia_id == GRACE), "{users:?}");
    let Some((_, Outcome::Created(created))) = run(Effect::CreateConversation {
        id,
        user_ids: vec![grace.clone()],
        name: Some("Made by the shell".into()),
        group: true,
    })
    .await
    else {
        panic!("not created");
    };
    assert!(emu.state().to_string().contains(&created));
    assert_eq!(
        run(Effect::SetQuiet {
            id,
            conversation_id: GROUP.into(),
            quiet: true
        })
        .await,
        ok
    );
    assert_eq!(
        run(Effect::SetOffTheRecord {
            id,
            conversation_id: GROUP.into(),
            off_the_record: true
        })
        .await,
        ok
    );
    assert_eq!(
        run(Effect::RemoveUser {
            id,
            conversation_id: GROUP.into(),
            user_id: grace.clone()
        })
        .await,
        ok
    );
    assert_eq!(
        run(Effect::AddUsers {
            id,
            conversation_id: GROUP.into(),
            user_ids: vec![grace]
        })
        .await,
        ok
    );
    let missing = run(Effect::SendMessage {
        id,
        conversation_id: GROUP.into(),
        segments: segments_from_str("with an image"),
        image: Some("/nonexistent/cat.png".into()),
    })
    .await;
    let Some((_, Outcome::Failed(why))) = missing else {
        panic!("{missing:?}");
    };
    assert!(why.starts_with("Failed to find image"), "{why}");
    assert!(!world_texts(&emu, GROUP).contains(&"with an image".to_string()));
    assert_eq!(
        run(Effect::Leave {
            id,
            conversation_id: GROUP.into()
        })
        .await,
        ok
    );
    assert_eq!(run(Effect::Quit(0)).await, None, "the loop's own effect");
    conn.list.client().disconnect().await;
}
