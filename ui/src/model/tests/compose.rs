//! The compose box: readline keys, paste, input history, multi-line,
//! `$EDITOR`, characters never dropped.

use ratatui::crossterm::event::{KeyCode, KeyModifiers};

use crate::model::test_support::*;
use crate::model::{Compose, Effect, Outcome};

fn world() -> World {
    let mut w = World::new(&[Conv::new("c", &["ada"])]);
    w.open("c");
    w.effects();
    w
}

fn text(w: &World) -> (String, usize) {
    let c = &w.app.tabs[0].compose;
    (c.text().to_owned(), c.cursor())
}

#[test]
fn readline_movement_and_kills() {
    let mut w = world();
    w.type_str("hello big world");
    w.ctrl('a');
    assert_eq!(text(&w).1, 0);
    w.alt('f');
    assert_eq!(text(&w).1, 5);
    w.alt('d');
    assert_eq!(text(&w).0, "hello world");
    w.ctrl('y');
    assert_eq!(text(&w).0, "hello big world", "C-y yanks the kill");
    w.key(KeyCode::End, KeyModifiers::NONE);
    w.key(KeyCode::Backspace, KeyModifiers::ALT);
    assert_eq!(text(&w).0, "hello big ");
    w.alt('b');
    w.ctrl('k');
    assert_eq!(text(&w).0, "hello ");
    w.ctrl('h');
    assert_eq!(text(&w).0, "hello");
    w.press(KeyCode::Left);
    w.press(KeyCode::Delete);
    assert_eq!(text(&w).0, "hell");
    w.press(KeyCode::Home);
    w.press(KeyCode::Right);
    assert_eq!(text(&w).1, 1);
}

#[test]
fn transpose_and_case() {
    let mut w = world();
    w.type_str("ab");
    w.ctrl('t');
    assert_eq!(text(&w).0, "ba");
    w.ctrl('a');
    w.ctrl('k');
    w.type_str("one two");
    w.ctrl('a');
    w.alt('u');
    assert_eq!(text(&w).0, "ONE two");
    w.alt('c');
    assert_eq!(text(&w).0, "ONE Two");
    w.ctrl('a');
    w.alt('l');
    assert_eq!(text(&w).0, "one Two");
    w.alt('t');
    assert_eq!(text(&w).0, "Two one");
}

#[test]
fn bindings_shadow_ctrl_keys_but_letters_always_reach_the_box() {
    let mut w = world();
    // j and k are bindings in the list, text here.
    w.type_str("jk/a?n");
    assert_eq!(text(&w).0, "jk/a?n");
    w.ctrl('e');
    assert!(
        w.effects().contains(&Effect::Quit(0)),
        "C-e is quit, not end-of-line"
    );
}

#[test]
fn unicode_editing_never_splits_a_char() {
    let mut w = world();
    w.type_str("é日😀");
    w.press(KeyCode::Left);
    w.press(KeyCode::Backspace);
    assert_eq!(text(&w).0, "é😀");
    w.ctrl('t');
    assert_eq!(text(&w).0, "😀é");
}

#[test]
fn paste_keeps_newlines_and_alt_enter_adds_one() {
    let mut w = world();
    w.input(crate::model::Input::Paste("a\r\nb".into()));
    w.key(KeyCode::Enter, KeyModifiers::ALT);
    w.type_str("c");
    assert_eq!(text(&w).0, "a\nb\nc");
    w.press(KeyCode::Enter);
    let sent = w
        .effects()
        .into_iter()
        .any(|e| matches!(e, Effect::SendMessage { .. }));
    assert!(sent);
}

#[test]
fn up_and_down_browse_the_input_history_when_empty() {
    let mut w = world();
    for m in ["first", "second"] {
        w.type_str(m);
        w.press(KeyCode::Enter);
    }
    w.press(KeyCode::Up);
    assert_eq!(text(&w).0, "second");
    w.press(KeyCode::Up);
    assert_eq!(text(&w).0, "first");
    w.press(KeyCode::Up);
    assert_eq!(text(&w).0, "first");
    w.press(KeyCode::Down);
    assert_eq!(text(&w).0, "second");
    w.press(KeyCode::Down);
    assert_eq!(text(&w).0, "");
    // With a draft, Up scrolls the messages instead.
    w.type_str("draft");
    w.press(KeyCode::Up);
    assert_eq!(text(&w).0, "draft");
}

#[test]
fn ctrl_x_edits_externally_and_takes_the_result() {
    let mut w = world();
    w.type_str("draft");
    w.ctrl('x');
    let id = w
        .effects()
        .into_iter()
        .find_map(|e| match e {
            Effect::EditExternally { id, text } if text == "draft" => Some(id),
            _ => None,
        })
        .expect("EditExternally");
    w.done(id, Outcome::Edited("line 1\nline 2".into()));
    assert_eq!(text(&w).0, "line 1\nline 2");
}

#[test]
fn compose_unit_history_draft_is_restored() {
    let mut c = Compose::default();
    c.insert("sent");
    c.take();
    assert!(c.at_history());
    c.history_prev();
    assert_eq!(c.text(), "sent");
    c.history_next();
    assert_eq!(c.text(), "");
}
