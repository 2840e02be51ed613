//! Rendered-buffer snapshots at 100×30 in UTC (the text of each line,
//! trailing spaces cut), and sizes down to nothing.

use ratatui::backend::TestBackend;
use ratatui::crossterm::event::KeyCode;
use ratatui::Terminal;

use crate::model::test_support::*;
use crate::model::History;
use crate::settings::Settings;

/// 2024-01-01 at h:m:s UTC, in µs.
fn at(h: u64, m: u64, s: u64) -> u64 {
    T0 - (34 * 60 + 51) * S + ((h * 60 + m) * 60 + s) * S
}

/// TUI.md's sample screen: a renamed group with "Seen by" lines and a
/// background tab with unread messages.
fn sample() -> World {
    let group = Conv::new("g", &["ada", "alan", "grace"])
        .name("Emulator group (Rust port)")
        .read(at(1, 29, 40))
        .events(vec![
            text(
                "g",
                "1",
                at(0, 34, 51),
                "grace",
                "Multi-byte check: é, 日本語, 😀",
            ),
            text(
                "g",
                "2",
                at(1, 29, 34),
                "alan",
                "Has anyone seen the new tab bar? (y)",
            ),
            text("g", "3", at(1, 29, 41), "ada", "hello ☺ from hangups ❤"),
            rename("g", "4", at(1, 30, 30), "ada", "Emulator group (Rust port)"),
        ])
        .watermark("grace", at(1, 0, 0))
        .watermark("alan", at(1, 29, 40));
    let grace = Conv::new("h", &["grace"]).sort(at(0, 0, 0));
    let mut w = World::new(&[group, grace]);
    w.open("g");
    w.app.tabs[0].history = History::NoMore;
    w.deliver(text("h", "h1", at(1, 31, 0), "grace", "psst"));
    w.deliver(text("h", "h2", at(1, 31, 1), "grace", "psst again"));
    w
}

fn blank(n: usize) -> Vec<String> {
    vec![String::new(); n]
}

#[test]
fn the_sample_screen() {
    let w = sample();
    let mut expected = vec![
        " Conversations   Emulator group (Rust port) (1)   Grace Hopper (2)".to_owned(),
        format!("{}No more messages", " ".repeat(42)),
        "(12:34:51 AM) Grace: Multi-byte check: é, 日本語, 😀".to_owned(),
        "[ Seen by Grace. ]".to_owned(),
        "(01:29:34 AM) Alan: Has anyone seen the new tab bar? (y)".to_owned(),
        "[ Seen by Alan. ]".to_owned(),
        "(01:29:41 AM) Ada: hello ☺ from hangups ❤".to_owned(),
        "(01:30:30 AM) Ada renamed the conversation to Emulator group (Rust port)".to_owned(),
    ];
    expected.extend(blank(20));
    expected.push(String::new()); // the status line (no server label)
    expected.push("Send message:".to_owned());
    assert_eq!(w.screen(100, 30), expected);
}

#[test]
fn the_list_screen_with_markers_and_selection() {
    let w = World::new(&[
        Conv::new("a", &["ada"]).sort(T0 + 2 * S).events(vec![text(
            "a",
            "1",
            T0 + 2 * S,
            "ada",
            "hi",
        )]),
        Conv::new("q", &["alan", "grace"])
            .sort(T0 + S)
            .quiet()
            .otr(),
    ]);
    let screen = w.screen(100, 30);
    assert_eq!(screen[0], " Conversations");
    assert_eq!(screen[1], "Ada Lovelace (1)");
    assert_eq!(screen[2], "Alan, Grace  [quiet]  [history off]");
    assert_eq!(screen[3], "");
    assert_eq!(screen[29], "", "no compose box in the list");
}

#[test]
fn status_line_and_compose_cursor() {
    let settings = Settings {
        server_label: Some("emulator (embedded)".into()),
        ..Settings::default()
    };
    let mut w = World::with_settings(&[Conv::new("c", &["ada"])], settings);
    w.open("c");
    w.type_str("héllo 日本");
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    terminal
        .draw(|f| super::draw(&w.app, &w.list, w.now, &chrono::Utc, f))
        .unwrap();
    let screen = w.screen(100, 30);
    assert_eq!(screen[28], "emulator (embedded)");
    assert_eq!(screen[29], "Send message: héllo 日本");
    // "Send message: " is 14 columns, "héllo " 6, "日本" 4.
    terminal.backend_mut().assert_cursor_position((24, 29));
}

#[test]
fn multi_line_compose_grows() {
    let mut w = World::new(&[Conv::new("c", &["ada"])]);
    w.open("c");
    w.input(crate::model::Input::Paste("one\ntwo".into()));
    let screen = w.screen(40, 10);
    assert_eq!(screen[8], "Send message: one");
    assert_eq!(screen[9], "              two");
}

#[test]
fn control_characters_from_the_server_are_escaped() {
    let mut w = World::new(&[Conv::new("c", &["ada"])]);
    w.deliver(text("c", "1", T0, "ada", "\u{1b}[2Jboom\u{7}\rx\u{9b}y"));
    w.open("c");
    let screen = w.screen(100, 30);
    assert_eq!(screen[2], "(12:34:51 AM) Ada: ␛[2Jboom␇x\u{fffd}y");
    for line in &screen {
        assert!(!line.chars().any(|c| c.is_control()), "{line:?}");
    }
}

#[test]
fn long_and_wide_messages_wrap_at_the_width() {
    let mut w = World::new(&[Conv::new("c", &["ada"])]);
    w.deliver(text("c", "1", T0, "ada", &"日本語".repeat(5)));
    w.open("c");
    let screen = w.screen(26, 8);
    // The word does not fit after "(12:34:51 AM) Ada: " (19 columns): it
    // moves to the next line, 13 wide characters (26 columns), then the
    // rest.
    assert_eq!(screen[2], "(12:34:51 AM) Ada:");
    assert_eq!(screen[3], "日本語日本語日本語日本語日");
    assert_eq!(screen[4], "本語");
}

#[test]
fn scrolled_up_the_view_ends_at_the_focused_message() {
    let events: Vec<_> = (0..40)
        .map(|i| {
            text(
                "c",
                &format!("e{i}"),
                T0 + i * S,
                "ada",
                &format!("message {i}"),
            )
        })
        .collect();
    let mut w = World::new(&[Conv::new("c", &["ada"]).events(events)]);
    w.open("c");
    let screen = w.screen(60, 10);
    assert_eq!(
        screen[7], "(12:35:30 AM) Ada: message 39",
        "follows the bottom"
    );
    w.key(KeyCode::Up, ratatui::crossterm::event::KeyModifiers::ALT);
    let screen = w.screen(60, 10);
    assert_eq!(screen[7], "(12:35:29 AM) Ada: message 38");
    w.key(
        KeyCode::Home,
        ratatui::crossterm::event::KeyModifiers::CONTROL,
    );
    let screen = w.screen(60, 10);
    assert_eq!(screen[1].trim(), "Loading...");
    assert_eq!(screen[2], "(12:34:51 AM) Ada: message 0");
}

#[test]
fn reconnecting_is_in_the_status_line() {
    use hangups_core::client::{ChannelError, Event};
    let mut w = World::new(&[]);
    let retry_at = w.now.instant + std::time::Duration::from_secs(7);
    w.input(crate::model::Input::Update(
        hangups_core::state::Update::Client(Event::Disconnected {
            error: ChannelError::UnknownSid,
            retry_at,
        }),
    ));
    let screen = w.screen(100, 30);
    assert_eq!(screen[29], "RECONNECTING… next attempt in 7s");
}

#[test]
fn help_overlay_lists_the_bindings() {
    let mut w = World::new(&[]);
    w.press(KeyCode::F(1));
    let screen = w.screen(100, 30).join("\n");
    for needle in [
        "ctrl d", "next tab", "ctrl e", "quit", "meta a", "ctrl r", "list: /",
    ] {
        assert!(screen.contains(needle), "{needle} in\n{screen}");
    }
}

#[test]
fn menu_overlay_is_drawn() {
    let mut w = World::new(&[Conv::new("c", &["ada"])]);
    w.open("c");
    w.ctrl('n');
    let screen = w.screen(100, 30).join("\n");
    assert!(screen.contains("Rename conversation"), "{screen}");
    assert!(screen.contains("Leave conversation"));
}

#[test]
fn every_size_down_to_nothing_draws() {
    let mut w = sample();
    w.type_str("typed text that is long enough to wrap a few times at tiny widths");
    for overlay in [false, true] {
        if overlay {
            w.ctrl('n');
        }
        for width in 0..=24 {
            for height in 0..=8 {
                let _ = w.screen(width, height);
            }
        }
    }
    let screen = w.screen(20, 5);
    assert_eq!(screen.len(), 5);
}

#[test]
fn combining_marks_stay_with_their_letter() {
    let mut w = World::new(&[Conv::new("c", &["ada"])]);
    w.deliver(text("c", "1", T0, "ada", "cafe\u{301}!"));
    w.open("c");
    assert_eq!(w.screen(60, 6)[2], "(12:34:51 AM) Ada: cafe\u{301}!");
}

#[test]
fn the_active_tab_stays_visible_when_the_bar_overflows() {
    let convs: Vec<Conv> = (0..6)
        .map(|i| Conv::new(&format!("c{i}"), &["ada"]).name(&format!("Conversation number {i}")))
        .collect();
    let mut w = World::new(&convs);
    for i in 0..6 {
        w.open(&format!("c{i}"));
    }
    let bar = &w.screen(60, 6)[0];
    assert!(bar.contains("Conversation number 5"), "{bar}");
    assert!(!bar.contains("Conversations "), "{bar}");
}

#[test]
fn a_click_on_a_tab_switches_to_it() {
    use ratatui::crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    let settings = Settings {
        mouse: true,
        ..Settings::default()
    };
    let mut w = World::with_settings(&[Conv::new("a", &["ada"])], settings);
    w.open("a");
    let click = |column| {
        crate::model::Input::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column,
            row: 0,
            modifiers: KeyModifiers::NONE,
        })
    };
    // " Conversations " is columns 0..15.
    w.input(click(3));
    assert_eq!(w.app.active_tab_index(), 0);
    w.input(click(17));
    assert_eq!(w.app.active_tab_index(), 1);
}

#[test]
fn messages_wrap_at_spaces() {
    let mut w = World::new(&[Conv::new("c", &["ada"])]);
    w.deliver(text("c", "1", T0, "ada", "the quick brown fox jumps"));
    w.open("c");
    let screen = w.screen(30, 8);
    // "(12:34:51 AM) Ada: " is 19 columns: "the quick " fits (29), "brown" not.
    assert_eq!(screen[2], "(12:34:51 AM) Ada: the quick");
    assert_eq!(screen[3], "brown fox jumps");
}

#[test]
fn the_wheel_scrolls_messages_only_with_mouse_support() {
    use ratatui::crossterm::event::{KeyModifiers, MouseEvent, MouseEventKind};
    let events: Vec<_> = (0..10)
        .map(|i| text("c", &format!("e{i}"), T0 + i * S, "ada", &format!("m{i}")))
        .collect();
    let wheel = || {
        crate::model::Input::Mouse(MouseEvent {
            kind: MouseEventKind::ScrollUp,
            column: 5,
            row: 5,
            modifiers: KeyModifiers::NONE,
        })
    };
    let mut off = World::new(&[Conv::new("c", &["ada"]).events(events.clone())]);
    off.open("c");
    off.input(wheel());
    assert_eq!(off.app.tabs[0].focus, crate::model::ViewFocus::Bottom);
    let settings = Settings {
        mouse: true,
        ..Settings::default()
    };
    let mut on = World::with_settings(&[Conv::new("c", &["ada"]).events(events)], settings);
    on.open("c");
    on.input(wheel());
    assert_eq!(on.app.tabs[0].focus, crate::model::ViewFocus::Event(6));
}

#[test]
fn help_shows_rebound_keys() {
    let mut settings = Settings::default();
    settings.keys.next_tab = crate::settings::Key::ctrl('l');
    let mut w = World::with_settings(&[], settings);
    w.press(KeyCode::F(1));
    let screen = w.screen(100, 30).join("\n");
    assert!(screen.contains("ctrl l             next tab"), "{screen}");
}

#[test]
fn the_create_overlay_shows_results_and_picks() {
    let mut w = World::new(&[]);
    w.press(KeyCode::Char('n'));
    w.type_str("a");
    w.press(KeyCode::Enter);
    let id = w
        .effects()
        .into_iter()
        .find_map(|e| match e {
            crate::model::Effect::SearchUsers { id, .. } => Some(id),
            _ => None,
        })
        .unwrap();
    let user = |g: &str, n: &str| crate::model::FoundUser {
        id: uid(g),
        name: n.into(),
        email: Some(format!("{g}@example.com")),
    };
    w.done(
        id,
        crate::model::Outcome::Users(vec![
            user("ada", "Ada Lovelace"),
            user("alan", "Alan Turing"),
        ]),
    );
    w.press(KeyCode::Tab);
    let screen = w.screen(100, 30).join("\n");
    assert!(screen.contains("New conversation"), "{screen}");
    assert!(screen.contains("Name or email: a"));
    assert!(screen.contains("[x] Ada Lovelace <ada@example.com>"));
    assert!(screen.contains("[ ] Alan Turing <alan@example.com>"));
    assert!(screen.contains("(1 picked)"));
}

#[test]
fn a_click_on_a_list_row_opens_the_conversation_drawn_there_when_scrolled() {
    use ratatui::crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
    let settings = Settings {
        mouse: true,
        ..Settings::default()
    };
    // Twelve conversations, eight rows of list on a 40×10 screen.
    let convs: Vec<Conv> = (0..12)
        .map(|i| {
            Conv::new(&format!("c{i:02}"), &["ada"])
                .name(&format!("Conversation {i:02}"))
                .sort(T0 + i * S)
        })
        .collect();
    let mut w = World::with_settings(&convs, settings);
    w.input(crate::model::Input::Resize {
        width: 40,
        height: 10,
    });
    // Select the last row: the list scrolls.
    w.press(KeyCode::End);
    let screen = w.screen(40, 10);
    let row = 3u16;
    let drawn = screen[usize::from(row)].trim().to_owned();
    assert!(
        !screen.iter().any(|l| l.contains("Conversation 11")),
        "scrolled: {screen:?}"
    );
    w.input(crate::model::Input::Mouse(MouseEvent {
        kind: MouseEventKind::Down(MouseButton::Left),
        column: 2,
        row,
        modifiers: KeyModifiers::NONE,
    }));
    assert_eq!(w.app.active_tab_index(), 1);
    let opened = w.app.tab_titles(&w.list)[1].clone();
    assert!(
        drawn.starts_with(&opened),
        "clicked {drawn:?}, opened {opened:?}"
    );
}

#[test]
fn the_filter_cursor_is_where_the_filter_is_edited() {
    let mut w = World::new(&[Conv::new("a", &["ada"])]);
    w.press(KeyCode::Char('/'));
    w.type_str("adé");
    w.press(KeyCode::Left);
    w.press(KeyCode::Left);
    let mut terminal = Terminal::new(TestBackend::new(40, 10)).unwrap();
    terminal
        .draw(|f| crate::render::draw(&w.app, &w.list, w.now, &chrono::Utc, f))
        .unwrap();
    let cursor = terminal.get_cursor_position().unwrap();
    // "Filter: " is 8 columns, then "a" before the cursor.
    assert_eq!((cursor.x, cursor.y), (9, 8), "{:?}", w.screen(40, 10));
}
