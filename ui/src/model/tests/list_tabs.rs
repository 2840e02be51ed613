//! Names, ordering, unread, tabs, archived, filter, next unread.

use ratatui::crossterm::event::{KeyCode, KeyModifiers};

use crate::model::names;
use crate::model::test_support::*;
use crate::model::Effect;

fn ids(w: &World) -> Vec<String> {
    w.app
        .visible_conversations(&w.list)
        .iter()
        .map(|c| c.id().to_owned())
        .collect()
}

fn name_of(w: &World, id: &str, truncate: bool) -> String {
    names::conversation_name(w.list.get(id).unwrap(), &w.list, truncate)
}

#[test]
fn names_custom_one_to_one_group_and_empty() {
    let w = World::new(&[
        Conv::new("named", &["ada"]).name("Tea"),
        Conv::new("one", &["grace"]),
        Conv::new("group", &["zed", "alan", "ada", "grace"]),
        Conv::new("empty", &[]),
    ]);
    assert_eq!(name_of(&w, "named", true), "Tea");
    assert_eq!(name_of(&w, "one", true), "Grace Hopper");
    // First names sorted by user id: ada, alan, grace, zed.
    assert_eq!(name_of(&w, "group", false), "Ada, Alan, Grace, Zed");
    assert_eq!(name_of(&w, "group", true), "Ada, Alan, +2");
    assert_eq!(name_of(&w, "empty", true), "Empty Conversation");
}

#[test]
fn list_is_newest_first_and_resorts_live() {
    let mut w = World::new(&[
        Conv::new("old", &["ada"]).sort(T0),
        Conv::new("new", &["alan"]).sort(T0 + 10 * S),
    ]);
    assert_eq!(ids(&w), ["new", "old"]);
    // A message in "old" moves its sort timestamp.
    w.deliver(text("old", "e1", T0 + 20 * S, "ada", "hi"));
    assert_eq!(ids(&w), ["old", "new"]);
}

#[test]
fn new_conversations_appear_live() {
    let mut w = World::new(&[Conv::new("a", &["ada"])]);
    w.add_conversation(&Conv::new("b", &["alan"]).sort(T0 + S));
    assert_eq!(ids(&w), ["b", "a"]);
}

#[test]
fn unread_counts_only_others_chat_messages_after_read_timestamp() {
    let w = World::new(&[Conv::new("c", &["ada"]).read(T0 + 2 * S).events(vec![
        text("c", "1", T0 + S, "ada", "old"),
        text("c", "2", T0 + 3 * S, "ada", "new"),
        text("c", "3", T0 + 4 * S, "me", "mine"),
        rename("c", "4", T0 + 5 * S, "ada", "x"),
        text("c", "5", T0 + 6 * S, "ada", "newer"),
    ])]);
    assert_eq!(w.app.unread(&w.list, "c"), 2);
    assert_eq!(w.app.tab_titles(&w.list), ["Conversations"]);
}

#[test]
fn enter_opens_or_switches_and_tab_zero_never_closes() {
    let mut w = World::new(&[Conv::new("a", &["ada"]), Conv::new("b", &["alan"])]);
    w.ctrl('w');
    assert_eq!(w.app.active_tab_index(), 0);
    w.open("a");
    assert_eq!(w.app.active_conversation(), Some("a"));
    w.open("b");
    w.open("a");
    assert_eq!(w.app.tab_titles(&w.list).len(), 3, "no second tab for a");
    assert_eq!(w.app.active_tab_index(), 1);
}

#[test]
fn next_and_previous_wrap_and_close_moves_to_previous() {
    let mut w = World::new(&[Conv::new("a", &["ada"]), Conv::new("b", &["alan"])]);
    w.open("a");
    w.open("b");
    assert_eq!(w.app.active_tab_index(), 2);
    w.ctrl('d');
    assert_eq!(w.app.active_tab_index(), 0, "next wraps");
    w.ctrl('u');
    assert_eq!(w.app.active_tab_index(), 2, "previous wraps");
    w.ctrl('w');
    assert_eq!(w.app.active_tab_index(), 1);
    assert_eq!(w.app.active_conversation(), Some("a"));
}

#[test]
fn tab_titles_have_unread_counts_and_are_truncated() {
    let long = "A very long conversation name that goes on and on";
    let mut w = World::new(&[Conv::new("a", &["ada"]).name(long)]);
    w.deliver(text("a", "1", T0 + S, "ada", "hi"));
    let titles = w.app.tab_titles(&w.list);
    let title = &titles[1];
    assert!(title.ends_with("… (1)"), "{title}");
    assert!(unicode_width::UnicodeWidthStr::width(title.as_str()) <= names::TAB_TITLE_WIDTH);
}

#[test]
fn message_from_someone_else_opens_a_background_tab_unless_quiet_or_own() {
    let mut w = World::new(&[Conv::new("a", &["ada"]), Conv::new("q", &["alan"]).quiet()]);
    w.deliver(text("a", "1", T0 + S, "me", "mine"));
    assert_eq!(w.app.tab_titles(&w.list).len(), 1, "own message: no tab");
    w.deliver(text("q", "2", T0 + S, "alan", "shh"));
    assert_eq!(w.app.tab_titles(&w.list).len(), 1, "quiet: no tab");
    w.deliver(text("a", "3", T0 + 2 * S, "ada", "hi"));
    assert_eq!(
        w.app.tab_titles(&w.list),
        ["Conversations", "Ada Lovelace (1)"]
    );
    assert_eq!(w.app.active_tab_index(), 0, "in the background");
}

#[test]
fn archived_hidden_until_toggled_and_archiving_saves() {
    let mut w = World::new(&[
        Conv::new("a", &["ada"]),
        Conv::new("z", &["alan"]).archived(),
    ]);
    assert_eq!(ids(&w), ["a"]);
    w.press(KeyCode::Char('a'));
    assert_eq!(ids(&w), ["a", "z"]);
    w.press(KeyCode::Char('a'));
    // Archive "a" through the menu.
    w.effects();
    w.app.toggle_archived("a");
    assert!(ids(&w).is_empty());
    let effects = w.effects();
    assert!(effects.iter().any(|e| matches!(e,
        Effect::SaveArchived { conversation_ids, .. } if conversation_ids == &["a".to_owned()])));
}

#[test]
fn filter_by_name_with_slash() {
    let mut w = World::new(&[Conv::new("a", &["ada"]), Conv::new("g", &["grace"])]);
    w.press(KeyCode::Char('/'));
    w.type_str("HOP");
    assert_eq!(ids(&w), ["g"], "anywhere in the name, any case");
    w.press(KeyCode::Enter);
    assert_eq!(w.app.active_conversation(), None, "Enter ends the filter");
    w.press(KeyCode::Enter);
    assert_eq!(w.app.active_conversation(), Some("g"));
    w.ctrl('u');
    w.press(KeyCode::Esc);
    assert_eq!(ids(&w).len(), 2);
}

#[test]
fn alt_a_jumps_to_the_next_unread() {
    let mut w = World::new(&[
        Conv::new("a", &["ada"]).sort(T0 + 3 * S),
        Conv::new("b", &["alan"]).sort(T0 + 2 * S),
        Conv::new("c", &["grace"]).sort(T0 + S),
    ]);
    w.input(crate::model::Input::Key(
        ratatui::crossterm::event::KeyEvent::new(KeyCode::Char('a'), KeyModifiers::ALT),
    ));
    assert_eq!(w.status(), "No unread messages");
    w.deliver(text("c", "1", T0 + 4 * S, "grace", "x"));
    w.deliver(text("b", "2", T0 + 5 * S, "alan", "y"));
    // Order now: b, c, a. From the list (selection b) the next unread after b is c.
    w.alt('a');
    assert_eq!(w.app.active_conversation(), Some("c"));
}

#[test]
fn leaving_a_conversation_closes_its_tab_and_keeps_the_active_one() {
    use hangups_core::state::{Notification, Update};
    let mut w = World::new(&[
        Conv::new("a", &["ada"]),
        Conv::new("b", &["alan"]),
        Conv::new("c", &["grace"]),
    ]);
    w.open("a");
    w.open("b");
    w.open("c");
    w.ctrl('u');
    assert_eq!(w.app.active_conversation(), Some("b"));
    w.input(crate::model::Input::Update(Update::Notification(
        Notification::ConversationLeft("a".into()),
    )));
    assert_eq!(w.app.tab_titles(&w.list).len(), 3);
    assert_eq!(w.app.active_conversation(), Some("b"));
}

#[test]
fn a_deleted_active_conversation_closes_its_tab_to_the_previous_one() {
    use hangups_core::state::{Notification, Update};
    let mut w = World::new(&[
        Conv::new("a", &["ada"]).sort(T0 + 3 * S),
        Conv::new("b", &["alan"]).sort(T0 + 2 * S),
        Conv::new("c", &["grace"]).sort(T0 + S),
    ]);
    w.open("a");
    w.open("b");
    w.open("c");
    w.ctrl('u');
    assert_eq!(w.app.active_conversation(), Some("b"));
    w.input(crate::model::Input::Update(Update::Notification(
        Notification::ConversationDeleted {
            conversation_id: "b".into(),
            upper_bound_timestamp: T0 + 4 * S,
        },
    )));
    assert_eq!(w.app.tab_titles(&w.list).len(), 3, "b's tab is gone");
    assert_eq!(w.app.active_conversation(), Some("a"), "the previous tab");
    assert_eq!(ids(&w), ["a", "c"], "the list hides it");
}

#[test]
fn a_left_conversation_leaves_the_list_and_the_selection_on_its_row() {
    use hangups_core::state::{Notification, Update};
    let mut w = World::new(&[
        Conv::new("a", &["ada"]).sort(T0 + 3 * S),
        Conv::new("b", &["alan"]).sort(T0 + 2 * S),
        Conv::new("c", &["grace"]).sort(T0 + S),
    ]);
    let gone = |w: &mut World, id: &str| {
        w.input(crate::model::Input::Update(Update::Notification(
            Notification::ConversationLeft(id.into()),
        )))
    };
    // Selected b; a (above it) goes: b stays selected.
    w.app.list_view.selected = 1;
    gone(&mut w, "a");
    assert_eq!(ids(&w), ["b", "c"]);
    assert_eq!(w.app.selected_conversation(&w.list).as_deref(), Some("b"));
    // The selected one goes: the row taking its place is selected.
    gone(&mut w, "b");
    assert_eq!(ids(&w), ["c"]);
    assert_eq!(w.app.selected_conversation(&w.list).as_deref(), Some("c"));
    gone(&mut w, "c");
    assert!(ids(&w).is_empty());
    assert_eq!(w.app.list_view.selected, 0);
    // Added again (the self user is back): listed again.
    w.input(crate::model::Input::Update(Update::Notification(
        Notification::ConversationAdded("a".into()),
    )));
    assert_eq!(ids(&w), ["a"]);
}

#[test]
fn an_off_the_record_conversation_says_so_in_its_tab_title() {
    let mut w = World::new(&[Conv::new("a", &["ada"]).otr(), Conv::new("b", &["alan"])]);
    w.deliver(text("a", "1", T0 + S, "ada", "hi"));
    w.deliver(text("b", "2", T0 + S, "alan", "hi"));
    let titles = w.app.tab_titles(&w.list);
    assert!(
        titles.contains(&"Ada Lovelace [off] (1)".to_owned()),
        "{titles:?}"
    );
    assert!(titles.contains(&"Alan Turing (1)".to_owned()), "{titles:?}");
}
