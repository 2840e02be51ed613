//! In a conversation: mark read, set active, sending, history, texts,
//! notifications, the terminal title, typing sent.

use hangups_core::proto::hangouts::{HangoutEventType, Segment, TypingType};
use ratatui::crossterm::event::{KeyCode, KeyModifiers};

use crate::model::test_support::*;
use crate::model::texts::{self, RowKind};
use crate::model::{Effect, Input, Outcome, ViewFocus};
use crate::settings::Settings;

fn segment_texts(segments: &[Segment]) -> String {
    segments.iter().filter_map(|s| s.text.clone()).collect()
}

fn sent(effects: &[Effect]) -> Vec<(String, Option<std::path::PathBuf>)> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::SendMessage {
                segments, image, ..
            } => Some((segment_texts(segments), image.clone())),
            _ => None,
        })
        .collect()
}

/// `n` chat messages from ada in `c`, enough to fill a 100×30 view from
/// 27 on (so that its top is off screen and nothing loads by itself).
fn many(n: u64) -> Conv {
    Conv::new("c", &["ada"]).events(
        (1..=n)
            .map(|i| text("c", &i.to_string(), T0 + i * S, "ada", "m"))
            .collect(),
    )
}

fn one(conv: Conv) -> World {
    let id = conv.id.clone();
    let mut w = World::new(&[conv]);
    w.open(&id);
    w.effects();
    w
}

#[test]
fn any_key_marks_read_only_when_unread_and_sets_active_once_a_minute() {
    let mut w = World::new(&[Conv::new("c", &["ada"])]);
    w.deliver(text("c", "1", T0 + S, "ada", "hi"));
    w.open("c");
    w.effects();
    w.press(KeyCode::Char('x'));
    let effects = w.effects();
    assert!(effects
        .iter()
        .any(|e| matches!(e, Effect::MarkRead { conversation_id, .. } if conversation_id == "c")));
    assert!(effects
        .iter()
        .any(|e| matches!(e, Effect::SetActive { .. })));
    assert_eq!(w.app.unread(&w.list, "c"), 0);
    w.press(KeyCode::Char('y'));
    let effects = w.effects();
    assert!(
        !effects.iter().any(|e| matches!(e, Effect::MarkRead { .. })),
        "nothing unread"
    );
    assert!(
        !effects
            .iter()
            .any(|e| matches!(e, Effect::SetActive { .. })),
        "rate-limited"
    );
    w.advance(61);
    w.press(KeyCode::Char('z'));
    assert!(w
        .effects()
        .iter()
        .any(|e| matches!(e, Effect::SetActive { .. })));
}

#[test]
fn keys_in_the_list_do_not_mark_read() {
    let mut w = World::new(&[Conv::new("c", &["ada"])]);
    w.deliver(text("c", "1", T0 + S, "ada", "hi"));
    w.effects();
    w.press(KeyCode::Down);
    assert!(!w
        .effects()
        .iter()
        .any(|e| matches!(e, Effect::MarkRead { .. })));
}

#[test]
fn enter_sends_through_markup_and_emoticons_and_empty_is_ignored() {
    let mut w = one(Conv::new("c", &["ada"]));
    w.type_str("   ");
    w.press(KeyCode::Enter);
    assert!(sent(&w.effects()).is_empty());
    w.ctrl('a');
    w.ctrl('k');
    w.type_str("hi :) **bold** <3x");
    w.press(KeyCode::Enter);
    let s = sent(&w.effects());
    assert_eq!(s, [("hi \u{263a} bold <3x".to_owned(), None)]);
}

#[test]
fn keep_emoticons_keeps_them() {
    let settings = Settings {
        keep_emoticons: true,
        ..Settings::default()
    };
    let mut w = World::with_settings(&[Conv::new("c", &["ada"])], settings);
    w.open("c");
    w.type_str("hi :)");
    w.press(KeyCode::Enter);
    assert_eq!(sent(&w.effects())[0].0, "hi :)");
}

#[test]
fn image_command_attaches_with_a_caption() {
    let mut w = one(Conv::new("c", &["ada"]));
    w.type_str("/image /tmp/cat.png look :)");
    w.press(KeyCode::Enter);
    let s = sent(&w.effects());
    assert_eq!(
        s,
        [("look \u{263a}".to_owned(), Some("/tmp/cat.png".into()))]
    );
}

#[test]
fn failed_send_puts_the_text_back_and_says_why() {
    let mut w = one(Conv::new("c", &["ada"]));
    w.type_str("important");
    w.press(KeyCode::Enter);
    let id = w
        .effects()
        .iter()
        .find_map(|e| match e {
            Effect::SendMessage { id, .. } => Some(*id),
            _ => None,
        })
        .unwrap();
    assert_eq!(w.app.tabs[0].compose.text(), "");
    w.done(id, Outcome::Failed("network down".into()));
    assert_eq!(w.app.tabs[0].compose.text(), "important");
    assert_eq!(w.status(), "Failed to send message: network down");
    w.advance(11);
    assert_eq!(w.status(), "", "the message lasts 10 s");
}

#[test]
fn scrolling_to_the_top_loads_history_then_no_more() {
    let mut w = one(many(30));
    w.press(KeyCode::PageUp);
    assert!(
        !w.effects()
            .iter()
            .any(|e| matches!(e, Effect::LoadHistory { .. })),
        "the top is not on screen yet"
    );
    w.press(KeyCode::PageUp);
    assert_eq!(w.app.tabs[0].focus, ViewFocus::Top);
    let effects = w.effects();
    let (id, before) = effects
        .iter()
        .find_map(|e| match e {
            Effect::LoadHistory {
                id,
                before_event_id,
                max_events: 50,
                ..
            } => Some((*id, before_event_id.clone())),
            _ => None,
        })
        .expect("LoadHistory");
    assert_eq!(before.as_deref(), Some("1"));
    w.press(KeyCode::PageUp);
    assert!(
        !w.effects()
            .iter()
            .any(|e| matches!(e, Effect::LoadHistory { .. })),
        "one at a time"
    );
    w.done(id, Outcome::Loaded(0));
    assert_eq!(w.app.tabs[0].history, crate::model::History::NoMore);
    w.press(KeyCode::PageUp);
    assert!(!w
        .effects()
        .iter()
        .any(|e| matches!(e, Effect::LoadHistory { .. })));
    // Paging down (27 messages a page) gets back to the bottom.
    w.ctrl('f');
    w.ctrl('f');
    assert_eq!(w.app.tabs[0].focus, ViewFocus::Bottom);
}

#[test]
fn event_texts() {
    let w = World::new(&[Conv::new("c", &["ada", "alan"]).events(vec![
        rename("c", "1", T0, "ada", "Tea"),
        rename("c", "2", T0, "ada", ""),
        membership("c", "3", T0, "ada", true, &["alan", "grace"]),
        membership("c", "4", T0, "alan", false, &["alan"]),
        hangout("c", "5", T0, HangoutEventType::HANGOUT_EVENT_TYPE_START),
        hangout("c", "6", T0, HangoutEventType::HANGOUT_EVENT_TYPE_END),
        hangout("c", "7", T0, HangoutEventType::HANGOUT_EVENT_TYPE_ONGOING),
        link_sharing("c", "8", T0, "ada", true),
        link_sharing("c", "9", T0, "ada", false),
        otr("c", "10", T0, "ada", true),
        otr("c", "11", T0, "ada", false),
        hangups_core::proto::hangouts::Event {
            chat_message: None,
            ..text("c", "12", T0, "ada", "")
        },
    ])]);
    let conv = w.list.get("c").unwrap();
    let got: Vec<String> = conv
        .events()
        .iter()
        .map(|e| match texts::body(e, &w.list) {
            texts::Body::Notice(t) => t,
            texts::Body::Chat { text, .. } => text,
        })
        .collect();
    assert_eq!(
        got,
        [
            "Ada renamed the conversation to Tea",
            "Ada cleared the conversation name",
            "Ada added Alan Turing, Grace Hopper to the conversation",
            "Alan Turing left the conversation",
            "A Hangout call is starting.",
            "A Hangout call ended.",
            "A Hangout call is ongoing.",
            "Ada turned on joining by link.",
            "Ada turned off joining by link.",
            "Ada turned off history.",
            "Ada turned on history.",
            "Unknown conversation event",
        ]
    );
}

#[test]
fn seen_by_goes_under_the_newest_event_at_or_before_each_watermark() {
    let w = World::new(&[Conv::new("c", &["ada", "grace"])
        .events(vec![
            text("c", "1", T0 + S, "ada", "one"),
            text("c", "2", T0 + 3 * S, "me", "two"),
            text("c", "3", T0 + 5 * S, "ada", "three"),
        ])
        .watermark("grace", T0 + 4 * S)
        .watermark("ada", T0 + 5 * S)
        .watermark("me", T0 + 5 * S)]);
    let conv = w.list.get("c").unwrap();
    let rows = texts::rows(conv, &w.list, &Settings::default(), &chrono::Utc);
    let seen: Vec<(usize, String)> = rows
        .iter()
        .filter_map(|r| match &r.kind {
            RowKind::SeenBy(s) => Some((r.event, s.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(
        seen,
        [
            (1, "[ Seen by Grace. ]".to_owned()),
            (2, "[ Seen by Ada. ]".to_owned())
        ]
    );
}

#[test]
fn date_line_when_the_day_changes_in_the_time_zone() {
    let w = World::new(&[Conv::new("c", &["ada"]).events(vec![
        text("c", "1", T0, "ada", "a"),            // 2024-01-01 00:34:51 UTC
        text("c", "2", T0 + 3600 * S, "ada", "b"), // same day
        text("c", "3", T0 + 26 * 3600 * S, "ada", "c"),
    ])]);
    let conv = w.list.get("c").unwrap();
    let dates = |tz: &chrono::FixedOffset| -> Vec<(usize, String)> {
        texts::rows(conv, &w.list, &Settings::default(), tz)
            .into_iter()
            .filter_map(|r| match r.kind {
                RowKind::Date(d) => Some((r.event, d)),
                _ => None,
            })
            .collect()
    };
    let utc = chrono::FixedOffset::east_opt(0).unwrap();
    assert_eq!(dates(&utc), [(2, "< 24-01-02 >".to_owned())]);
    // One hour west, the first message is still on Dec 31.
    let west = chrono::FixedOffset::west_opt(3600).unwrap();
    assert_eq!(
        dates(&west),
        [
            (1, "< 24-01-01 >".to_owned()),
            (2, "< 24-01-02 >".to_owned())
        ]
    );
}

#[test]
fn a_bad_time_format_falls_back_instead_of_panicking() {
    assert_eq!(
        texts::format_time(T0, "%Q %", "(%H:%M)", &chrono::Utc),
        "(00:34)"
    );
}

#[test]
fn notifications_for_others_in_non_quiet_unless_on_screen_with_focus() {
    let mut w = World::new(&[Conv::new("c", &["ada"]), Conv::new("q", &["alan"]).quiet()]);
    let notes = |w: &mut World| -> Vec<(String, String)> {
        w.effects()
            .into_iter()
            .filter_map(|e| match e {
                Effect::Notify { title, body, .. } => Some((title, body)),
                _ => None,
            })
            .collect()
    };
    w.deliver(text("c", "1", T0 + S, "ada", "hi"));
    assert_eq!(
        notes(&mut w),
        [("Ada Lovelace".to_owned(), "hi".to_owned())]
    );
    w.deliver(text("c", "2", T0 + 2 * S, "me", "mine"));
    w.deliver(text("q", "3", T0 + 2 * S, "alan", "quiet"));
    assert!(notes(&mut w).is_empty());
    w.open("c");
    w.deliver(text("c", "4", T0 + 3 * S, "ada", "on screen"));
    assert!(notes(&mut w).is_empty(), "on screen with focus");
    w.input(Input::Focus(false));
    w.deliver(text("c", "5", T0 + 4 * S, "ada", "away"));
    assert_eq!(notes(&mut w).len(), 1, "terminal without focus");
}

#[test]
fn discreet_and_disabled_notifications() {
    let discreet = Settings {
        discreet_notifications: true,
        ..Settings::default()
    };
    let mut w = World::with_settings(&[Conv::new("c", &["ada"])], discreet);
    w.deliver(text("c", "1", T0 + S, "ada", "secret"));
    assert!(w.effects().iter().any(|e| matches!(e,
        Effect::Notify { title, body, .. } if title == "hangups" && body == "New message")));
    let off = Settings {
        notifications: false,
        ..Settings::default()
    };
    let mut w = World::with_settings(&[Conv::new("c", &["ada"])], off);
    w.deliver(text("c", "1", T0 + S, "ada", "x"));
    assert!(!w
        .effects()
        .iter()
        .any(|e| matches!(e, Effect::Notify { .. })));
}

#[test]
fn terminal_title_follows_the_unread_total() {
    let mut w = World::new(&[Conv::new("c", &["ada"])]);
    let titles = |w: &mut World| -> Vec<String> {
        w.effects()
            .into_iter()
            .filter_map(|e| match e {
                Effect::SetTitle(t) => Some(t),
                _ => None,
            })
            .collect()
    };
    assert_eq!(titles(&mut w), ["hangups"]);
    w.deliver(text("c", "1", T0 + S, "ada", "a"));
    w.deliver(text("c", "2", T0 + 2 * S, "ada", "b"));
    assert_eq!(titles(&mut w), ["hangups (1)", "hangups (2)"]);
    w.advance(1);
    assert!(titles(&mut w).is_empty(), "only when it changes");
    w.open("c");
    w.press(KeyCode::Char('x'));
    assert_eq!(titles(&mut w), ["hangups"]);
}

#[test]
fn typing_is_sent_refreshed_every_10s_paused_and_stopped() {
    let mut w = one(Conv::new("c", &["ada"]));
    let typing = |w: &mut World| -> Vec<TypingType> {
        w.effects()
            .into_iter()
            .filter_map(|e| match e {
                Effect::SetTyping { typing, .. } => Some(typing),
                _ => None,
            })
            .collect()
    };
    w.type_str("he");
    assert_eq!(typing(&mut w), [TypingType::TYPING_TYPE_STARTED]);
    // Typing on, a key every 4 s: STARTED again only after 10 s.
    for _ in 0..2 {
        w.advance(4);
        w.type_str("l");
        assert_eq!(typing(&mut w), []);
    }
    w.advance(4);
    w.type_str("l");
    assert_eq!(typing(&mut w), [TypingType::TYPING_TYPE_STARTED]);
    // 5 s without a change, text still there: PAUSED, once; the next
    // key resumes.
    w.advance(4);
    assert_eq!(typing(&mut w), []);
    w.advance(1);
    assert_eq!(typing(&mut w), [TypingType::TYPING_TYPE_PAUSED]);
    w.advance(1);
    assert_eq!(typing(&mut w), []);
    // (6 s after the last STARTED: only the pause makes this one due.)
    w.type_str("o");
    assert_eq!(typing(&mut w), [TypingType::TYPING_TYPE_STARTED]);
    w.press(KeyCode::Enter);
    assert_eq!(typing(&mut w), [TypingType::TYPING_TYPE_STOPPED]);
    w.type_str("x");
    typing(&mut w);
    w.ctrl('d');
    assert_eq!(
        typing(&mut w),
        [TypingType::TYPING_TYPE_STOPPED],
        "leaving the tab"
    );
    w.key(KeyCode::Char('x'), KeyModifiers::NONE);
}

#[test]
fn seen_by_moves_with_a_watermark_notification() {
    let mut w = World::new(&[Conv::new("c", &["ada"]).events(vec![
        text("c", "1", T0 + S, "me", "one"),
        text("c", "2", T0 + 2 * S, "me", "two"),
    ])]);
    let seen = |w: &World| {
        let conv = w.list.get("c").unwrap();
        texts::seen_by(conv, &w.list)
            .into_iter()
            .collect::<Vec<_>>()
    };
    assert!(seen(&w).is_empty());
    w.watermark("c", "ada", T0 + S);
    assert_eq!(seen(&w), [(0, vec!["Ada".to_owned()])]);
    w.watermark("c", "ada", T0 + 9 * S);
    assert_eq!(seen(&w), [(1, vec!["Ada".to_owned()])]);
}

#[test]
fn image_without_a_path_says_how() {
    let mut w = one(Conv::new("c", &["ada"]));
    w.type_str("/image ");
    w.press(KeyCode::Enter);
    assert!(sent(&w.effects()).is_empty());
    assert_eq!(w.status(), "Usage: /image PATH [caption]");
    assert_eq!(w.app.tabs[0].compose.text(), "/image ");
    // "/images" is just text.
    w.ctrl('a');
    w.ctrl('k');
    w.type_str("/images are nice");
    w.press(KeyCode::Enter);
    assert_eq!(sent(&w.effects()), [("/images are nice".to_owned(), None)]);
}

#[test]
fn opening_a_conversation_whose_top_is_on_screen_loads_its_history() {
    let mut w = World::new(&[
        Conv::new("e", &["ada"]),
        Conv::new("d", &["alan"]).events(vec![text("d", "1", T0, "alan", "x")]),
        many(30),
    ]);
    w.open("e");
    assert!(w.effects().iter().any(|e| matches!(e,
        Effect::LoadHistory { conversation_id, before_event_id: None, .. } if conversation_id == "e")));
    // One event does not fill the view: "Loading..." shows, so it loads
    // (hangups loads when that line comes into view).
    w.open("d");
    assert!(w.effects().iter().any(|e| matches!(e,
        Effect::LoadHistory { conversation_id, before_event_id: Some(b), .. } if conversation_id == "d" && b == "1")));
    // Thirty fill a 100×30 screen: nothing loads until scrolled up...
    w.open("c");
    assert!(!w
        .effects()
        .iter()
        .any(|e| matches!(e, Effect::LoadHistory { .. })));
    // ...or until the terminal grows past them.
    w.input(crate::model::Input::Resize {
        width: 100,
        height: 60,
    });
    assert!(w.effects().iter().any(|e| matches!(e,
        Effect::LoadHistory { conversation_id, .. } if conversation_id == "c")));
}

#[test]
fn a_failed_load_is_not_retried_until_scrolled_to_the_top() {
    let mut w =
        World::new(&[Conv::new("c", &["ada"]).events(vec![text("c", "1", T0, "ada", "x")])]);
    w.open("c");
    let id = w
        .effects()
        .iter()
        .find_map(|e| match e {
            Effect::LoadHistory { id, .. } => Some(*id),
            _ => None,
        })
        .expect("the top is on screen");
    w.done(id, Outcome::Failed("boom".into()));
    w.advance(1);
    w.advance(1);
    assert!(!w
        .effects()
        .iter()
        .any(|e| matches!(e, Effect::LoadHistory { .. })));
    w.press(KeyCode::PageUp);
    assert!(w
        .effects()
        .iter()
        .any(|e| matches!(e, Effect::LoadHistory { .. })));
}

#[test]
fn after_a_page_of_history_the_view_stays_at_the_old_top() {
    let mut w = one(many(30));
    w.press(KeyCode::PageUp);
    w.press(KeyCode::PageUp);
    let id = w
        .effects()
        .iter()
        .find_map(|e| match e {
            Effect::LoadHistory { id, .. } => Some(*id),
            _ => None,
        })
        .unwrap();
    // (The shell put the loaded event in the list: here event 0.)
    w.done(id, Outcome::Loaded(1));
    assert_eq!(w.app.tabs[0].focus, ViewFocus::Event(0));
    assert_eq!(w.app.tabs[0].history, crate::model::History::Idle);
}
