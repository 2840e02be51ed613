//! The menu, rename, create (search, pick, name), add, remove, leave,
//! quiet, history, help, search in history.

use ratatui::crossterm::event::KeyCode;

use crate::model::test_support::*;
use crate::model::{Effect, FoundUser, Outcome, Overlay, ViewFocus};

fn found(g: &str, name: &str) -> FoundUser {
    FoundUser {
        id: uid(g),
        name: name.into(),
        email: Some(format!("{g}@example.com")),
    }
}

fn search_id(effects: &[Effect], query: &str) -> crate::model::EffectId {
    effects
        .iter()
        .find_map(|e| match e {
            Effect::SearchUsers { id, query: q } if q == query => Some(*id),
            _ => None,
        })
        .expect("SearchUsers")
}

#[test]
fn menu_renames() {
    let mut w = World::new(&[Conv::new("c", &["ada"])]);
    w.open("c");
    w.ctrl('n');
    assert!(matches!(w.app.overlay, Some(Overlay::Menu { .. })));
    w.press(KeyCode::Enter);
    w.type_str("Tea time");
    w.press(KeyCode::Enter);
    assert!(w.effects().iter().any(|e| matches!(e,
        Effect::Rename { conversation_id, name, .. } if conversation_id == "c" && name == "Tea time")));
    assert!(w.app.overlay.is_none());
}

fn menu_pick(w: &mut World, label_starts: &str) {
    w.ctrl('n');
    let Some(Overlay::Menu { items, .. }) = &w.app.overlay else {
        panic!("menu")
    };
    let i = items
        .iter()
        .position(|(_, l)| l.starts_with(label_starts))
        .unwrap_or_else(|| panic!("{label_starts} in {items:?}"));
    for _ in 0..i {
        w.press(KeyCode::Down);
    }
    w.press(KeyCode::Enter);
}

#[test]
fn menu_quiet_history_leave() {
    let mut w = World::new(&[Conv::new("c", &["ada", "alan"])]);
    w.open("c");
    w.effects();
    menu_pick(&mut w, "Quiet");
    assert!(w
        .effects()
        .iter()
        .any(|e| matches!(e, Effect::SetQuiet { quiet: true, .. })));
    menu_pick(&mut w, "Turn history off");
    assert!(w.effects().iter().any(|e| matches!(
        e,
        Effect::SetOffTheRecord {
            off_the_record: true,
            ..
        }
    )));
    menu_pick(&mut w, "Remove");
    w.press(KeyCode::Down);
    w.press(KeyCode::Enter);
    assert!(w.effects().iter().any(|e| matches!(e,
        Effect::RemoveUser { user_id, .. } if *user_id == uid("alan"))));
    menu_pick(&mut w, "Leave");
    assert!(w
        .effects()
        .iter()
        .any(|e| matches!(e, Effect::Leave { conversation_id, .. } if conversation_id == "c")));
    assert_eq!(w.app.active_tab_index(), 0, "its tab closes");
}

#[test]
fn create_one_to_one_from_a_search_and_open_it() {
    let mut w = World::new(&[Conv::new("c", &["ada"])]);
    w.press(KeyCode::Char('n'));
    w.type_str("gra");
    w.press(KeyCode::Enter);
    let id = search_id(&w.effects(), "gra");
    w.done(
        id,
        Outcome::Users(vec![
            found("grace", "Grace Hopper"),
            found("zed", "Zed Shaw"),
        ]),
    );
    w.press(KeyCode::Down);
    w.press(KeyCode::Enter);
    let (id, users) = w
        .effects()
        .into_iter()
        .find_map(|e| match e {
            Effect::CreateConversation {
                id,
                user_ids,
                name: None,
                group: false,
            } => Some((id, user_ids)),
            _ => None,
        })
        .expect("CreateConversation");
    assert_eq!(users, [uid("zed")]);
    w.done(id, Outcome::Created("new".into()));
    assert!(w.app.overlay.is_none());
    assert_eq!(w.app.active_conversation(), Some("new"));
}

#[test]
fn create_a_named_group_by_picking_several() {
    let mut w = World::new(&[]);
    w.press(KeyCode::Char('n'));
    w.type_str("a");
    w.press(KeyCode::Enter);
    let id = search_id(&w.effects(), "a");
    w.done(
        id,
        Outcome::Users(vec![found("ada", "Ada"), found("alan", "Alan")]),
    );
    w.press(KeyCode::Tab);
    w.press(KeyCode::Down);
    w.press(KeyCode::Tab);
    w.press(KeyCode::Enter);
    w.type_str("Pioneers");
    w.press(KeyCode::Enter);
    assert!(w.effects().iter().any(|e| matches!(e,
        Effect::CreateConversation { user_ids, name: Some(n), group: true, .. }
            if user_ids == &[uid("ada"), uid("alan")] && n == "Pioneers")));
}

#[test]
fn a_stale_search_result_is_ignored() {
    let mut w = World::new(&[]);
    w.press(KeyCode::Char('n'));
    w.type_str("a");
    w.press(KeyCode::Enter);
    let id = search_id(&w.effects(), "a");
    w.type_str("b");
    w.done(id, Outcome::Users(vec![found("ada", "Ada")]));
    let Some(Overlay::Pick(p)) = &w.app.overlay else {
        panic!("picker")
    };
    assert!(p.results.is_empty());
}

#[test]
fn add_people_through_the_menu() {
    let mut w = World::new(&[Conv::new("c", &["ada", "alan"])]);
    w.open("c");
    menu_pick(&mut w, "Add");
    w.type_str("zed");
    w.press(KeyCode::Enter);
    let id = search_id(&w.effects(), "zed");
    w.done(id, Outcome::Users(vec![found("zed", "Zed")]));
    w.press(KeyCode::Enter);
    assert!(w.effects().iter().any(|e| matches!(e,
        Effect::AddUsers { conversation_id, user_ids, .. } if conversation_id == "c" && user_ids == &[uid("zed")])));
}

#[test]
fn help_with_question_mark_or_f1_and_any_key_closes() {
    let mut w = World::new(&[Conv::new("c", &["ada"])]);
    w.press(KeyCode::Char('?'));
    assert!(matches!(w.app.overlay, Some(Overlay::Help)));
    w.press(KeyCode::Char('x'));
    assert!(w.app.overlay.is_none());
    w.open("c");
    w.press(KeyCode::F(1));
    assert!(matches!(w.app.overlay, Some(Overlay::Help)));
    w.press(KeyCode::Esc);
    assert!(w.app.overlay.is_none());
    assert_eq!(
        w.app.tabs[0].compose.text(),
        "",
        "the closing key is not typed"
    );
}

#[test]
fn ctrl_r_searches_loaded_history_newest_first() {
    let mut w = World::new(&[Conv::new("c", &["ada"]).events(vec![
        text("c", "1", T0 + S, "ada", "the cat"),
        text("c", "2", T0 + 2 * S, "ada", "a dog"),
        text("c", "3", T0 + 3 * S, "ada", "another cat"),
        text("c", "4", T0 + 4 * S, "ada", "bird"),
    ])]);
    w.open("c");
    w.ctrl('r');
    w.type_str("CAT");
    assert_eq!(w.app.tabs[0].focus, ViewFocus::Event(2));
    w.ctrl('r');
    assert_eq!(w.app.tabs[0].focus, ViewFocus::Event(0), "again: older");
    w.press(KeyCode::Esc);
    assert_eq!(w.app.tabs[0].focus, ViewFocus::Bottom);
    assert_eq!(
        w.app.tabs[0].compose.text(),
        "",
        "search keys are not typed"
    );
}

#[test]
fn a_new_query_drops_the_old_results() {
    let mut w = World::new(&[]);
    w.press(KeyCode::Char('n'));
    w.type_str("a");
    w.press(KeyCode::Enter);
    let id = search_id(&w.effects(), "a");
    w.done(id, Outcome::Users(vec![found("ada", "Ada")]));
    w.type_str("l");
    w.press(KeyCode::Enter);
    search_id(&w.effects(), "al");
}
