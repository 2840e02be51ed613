//! Every key with every modifier combination, in every tab and overlay
//! state, at small sizes: no panic, and the screen still draws.

use ratatui::crossterm::event::{KeyCode, KeyModifiers, MediaKeyCode, ModifierKeyCode};

use crate::model::test_support::*;
use crate::model::{Input, Outcome};

fn codes() -> Vec<KeyCode> {
    let mut codes = vec![
        KeyCode::Backspace,
        KeyCode::Enter,
        KeyCode::Left,
        KeyCode::Right,
        KeyCode::Up,
        KeyCode::Down,
        KeyCode::Home,
        KeyCode::End,
        KeyCode::PageUp,
        KeyCode::PageDown,
        KeyCode::Tab,
        KeyCode::BackTab,
        KeyCode::Delete,
        KeyCode::Insert,
        KeyCode::Null,
        KeyCode::Esc,
        KeyCode::CapsLock,
        KeyCode::ScrollLock,
        KeyCode::NumLock,
        KeyCode::PrintScreen,
        KeyCode::Pause,
        KeyCode::Menu,
        KeyCode::KeypadBegin,
        KeyCode::Media(MediaKeyCode::Play),
        KeyCode::Modifier(ModifierKeyCode::LeftShift),
    ];
    codes.extend((1..=24).map(KeyCode::F));
    codes.extend((' '..='~').map(KeyCode::Char));
    codes.extend(['é', '日', '😀', '\u{0}', '\u{1b}', '\u{7f}'].map(KeyCode::Char));
    codes
}

fn modifier_sets() -> Vec<KeyModifiers> {
    (0..8u8)
        .map(|bits| {
            let mut m = KeyModifiers::NONE;
            if bits & 1 != 0 {
                m |= KeyModifiers::SHIFT;
            }
            if bits & 2 != 0 {
                m |= KeyModifiers::CONTROL;
            }
            if bits & 4 != 0 {
                m |= KeyModifiers::ALT;
            }
            m
        })
        .collect()
}

/// The states to start from: the list (empty, filtering), a conversation
/// (empty, with text, scrolled, searching), each overlay.
fn states() -> Vec<(&'static str, World)> {
    let conv = || {
        Conv::new("c", &["ada", "alan"]).events(vec![
            text("c", "1", T0, "ada", "one"),
            text("c", "2", T0 + S, "me", "two"),
        ])
    };
    let mut out = Vec::new();
    out.push(("empty list", World::new(&[])));
    out.push(("list", World::new(&[conv()])));
    let mut w = World::new(&[conv()]);
    w.press(KeyCode::Char('/'));
    out.push(("filtering", w));
    let mut w = World::new(&[conv()]);
    w.open("c");
    out.push(("conversation", w));
    let mut w = World::new(&[conv()]);
    w.open("c");
    w.type_str("some text\nwith lines");
    w.press(KeyCode::PageUp);
    out.push(("typed and scrolled", w));
    let mut w = World::new(&[conv()]);
    w.open("c");
    w.ctrl('r');
    out.push(("searching", w));
    let mut w = World::new(&[conv()]);
    w.open("c");
    w.ctrl('n');
    out.push(("menu", w));
    let mut w = World::new(&[conv()]);
    w.press(KeyCode::Char('?'));
    out.push(("help", w));
    let mut w = World::new(&[conv()]);
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
    w.done(
        id,
        Outcome::Users(vec![crate::model::FoundUser {
            id: uid("ada"),
            name: "Ada".into(),
            email: None,
        }]),
    );
    out.push(("picker with results", w));
    out
}

#[test]
fn every_key_in_every_state_never_panics() {
    let codes = codes();
    let mods = modifier_sets();
    for (name, _) in states() {
        for m in &mods {
            // A fresh state per modifier set, every key in a row (the
            // state drifts as keys act: that is part of the test).
            let mut w = states().into_iter().find(|(n, _)| *n == name).unwrap().1;
            for code in &codes {
                w.key(*code, *m);
                w.effects();
            }
            let _ = w.screen(30, 8);
            // And each key from the untouched state, drawn at a tiny size.
            for code in &codes {
                let mut w = states().into_iter().find(|(n, _)| *n == name).unwrap().1;
                w.key(*code, *m);
                let _ = w.screen(20, 5);
            }
        }
    }
}

#[test]
fn paste_mouse_resize_and_focus_in_every_state_never_panic() {
    use ratatui::crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let settings = crate::settings::Settings {
        mouse: true,
        ..Default::default()
    };
    for (_, mut w) in states() {
        w.app.settings = settings.clone();
        w.input(Input::Paste("x\ny\u{1b}[2J".into()));
        for kind in [
            MouseEventKind::ScrollUp,
            MouseEventKind::ScrollDown,
            MouseEventKind::Down(MouseButton::Left),
        ] {
            for (column, row) in [(0, 0), (5, 0), (99, 0), (0, 3), (u16::MAX, u16::MAX)] {
                w.input(Input::Mouse(MouseEvent {
                    kind,
                    column,
                    row,
                    modifiers: KeyModifiers::NONE,
                }));
            }
        }
        w.input(Input::Resize {
            width: 0,
            height: 0,
        });
        w.input(Input::Focus(false));
        w.key(KeyCode::PageDown, KeyModifiers::NONE);
        for (width, height) in [(0, 0), (1, 1), (0, 10), (10, 0), (3, 2), (20, 5)] {
            let _ = w.screen(width, height);
        }
    }
}
