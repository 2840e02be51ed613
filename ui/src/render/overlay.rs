//! The overlays, centred in a bordered box: the menu, the rename prompt,
//! the user picker, the remove list and the help screen.

use hangups_core::state::ConversationList;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::widgets::{Block, Borders, Clear, Widget};

use super::text::{put, sanitize, width};
use crate::model::{App, Overlay, PickMode, Picker};
use crate::settings::Key;

/// A binding's name as urwid spells it (`ctrl d`, `meta a`, `k`).
pub fn key_name(key: &Key) -> String {
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};
    let mut name = String::new();
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        name.push_str("ctrl ");
    }
    if key.modifiers.contains(KeyModifiers::ALT) {
        name.push_str("meta ");
    }
    if key.modifiers.contains(KeyModifiers::SHIFT) {
        name.push_str("shift ");
    }
    match key.code {
        KeyCode::Char(c) => name.push(c),
        KeyCode::F(n) => name.push_str(&format!("f{n}")),
        KeyCode::PageUp => name.push_str("page up"),
        KeyCode::PageDown => name.push_str("page down"),
        other => name.push_str(&format!("{other:?}").to_lowercase()),
    }
    name
}

/// The help screen's lines: the actual bindings, then the fixed keys.
pub fn help_lines(app: &App) -> Vec<String> {
    let k = &app.settings().keys;
    let mut lines = vec![
        format!("{:<18} next tab", key_name(&k.next_tab)),
        format!("{:<18} previous tab", key_name(&k.prev_tab)),
        format!("{:<18} close tab", key_name(&k.close_tab)),
        format!("{:<18} quit", key_name(&k.quit)),
        format!(
            "{:<18} menu: rename, people, leave, archive, quiet, history",
            key_name(&k.menu)
        ),
        format!(
            "{:<18} up / down",
            format!("{} / {}", key_name(&k.up), key_name(&k.down))
        ),
        format!(
            "{:<18} page up / down",
            format!("{} / {}", key_name(&k.page_up), key_name(&k.page_down))
        ),
    ];
    for (keys, what) in [
        ("meta a", "next conversation with unread messages"),
        ("f1", "this help (? in the list)"),
        ("list: enter", "open the conversation"),
        ("list: /", "filter conversations by name"),
        ("list: a", "show / hide archived conversations"),
        ("list: n", "new conversation"),
        ("enter", "send (/image PATH [caption] attaches)"),
        ("meta enter", "new line"),
        ("up / down", "input history (empty box)"),
        ("meta up / down", "scroll one message"),
        ("ctrl home / end", "oldest / newest message"),
        ("ctrl r", "search loaded history (again: older)"),
        ("ctrl x", "edit in $EDITOR"),
        ("[off] in a title", "history is off (menu: turn history on)"),
        ("esc", "close this"),
    ] {
        lines.push(format!("{keys:<18} {what}"));
    }
    lines
}

fn boxed(area: Rect, buf: &mut Buffer, title: &str, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    let rect = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    Clear.render(rect, buf);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(title.to_owned());
    let inner = block.inner(rect);
    block.render(rect, buf);
    inner
}

fn list_lines(buf: &mut Buffer, inner: Rect, y0: u16, items: &[String], selected: Option<usize>) {
    let height = usize::from(inner.bottom().saturating_sub(y0));
    let sel = selected.unwrap_or(0);
    let first = (sel + 1).saturating_sub(height);
    for (i, item) in items.iter().enumerate().skip(first).take(height) {
        let style = if Some(i) == selected {
            Style::default().add_modifier(Modifier::REVERSED)
        } else {
            Style::default()
        };
        put(
            buf,
            inner,
            inner.x,
            y0 + (i - first) as u16,
            &[(sanitize(item, false), style)],
        );
    }
}

fn field_line(buf: &mut Buffer, inner: Rect, y: u16, label: &str, text: &str) -> Option<Position> {
    if y >= inner.bottom() || inner.width == 0 {
        return None;
    }
    let text = sanitize(text, false);
    put(
        buf,
        inner,
        inner.x,
        y,
        &[(format!("{label}{text}"), Style::default())],
    );
    let x =
        (usize::from(inner.x) + width(label) + width(&text)).min(usize::from(inner.right()) - 1);
    Some(Position::new(x as u16, y))
}

/// Draws the open overlay; the cursor's position if it has a text field.
pub(super) fn draw(
    app: &App,
    _list: &ConversationList,
    area: Rect,
    buf: &mut Buffer,
) -> Option<Position> {
    let overlay = app.overlay.as_ref()?;
    if area.width < 3 || area.height < 3 {
        return None;
    }
    match overlay {
        Overlay::Help => {
            let lines = help_lines(app);
            let inner = boxed(area, buf, " Keys ", 80, lines.len() as u16 + 2);
            list_lines(buf, inner, inner.y, &lines, None);
            None
        }
        Overlay::Menu {
            items, selected, ..
        } => {
            let labels: Vec<String> = items.iter().map(|(_, l)| l.clone()).collect();
            let inner = boxed(area, buf, " Menu ", 40, labels.len() as u16 + 2);
            list_lines(buf, inner, inner.y, &labels, Some(*selected));
            None
        }
        Overlay::Rename { field, .. } => {
            let inner = boxed(area, buf, " Rename ", 60, 3);
            field_line(buf, inner, inner.y, "New name: ", field.text())
        }
        Overlay::Remove {
            users, selected, ..
        } => {
            let names: Vec<String> = users.iter().map(|(_, n)| n.clone()).collect();
            let inner = boxed(area, buf, " Remove someone ", 50, names.len() as u16 + 2);
            list_lines(buf, inner, inner.y, &names, Some(*selected));
            None
        }
        Overlay::Pick(Picker {
            mode,
            query,
            results,
            selected,
            picked,
            naming,
            searching,
        }) => {
            let title = match mode {
                PickMode::Create => " New conversation ",
                PickMode::Add(_) => " Add people ",
            };
            let inner = boxed(area, buf, title, 70, 16);
            let mut cursor = field_line(buf, inner, inner.y, "Name or email: ", query.text());
            let help = if searching.is_some() {
                "Searching…".to_owned()
            } else if results.is_empty() {
                "Enter: search".to_owned()
            } else {
                format!(
                    "Enter: done, Tab: pick for a group ({} picked)",
                    picked.len()
                )
            };
            put(
                buf,
                inner,
                inner.x,
                inner.y + 1,
                &[(help, Style::default())],
            );
            if let Some(name) = naming {
                cursor = field_line(
                    buf,
                    inner,
                    inner.y + 2,
                    "Group name (optional): ",
                    name.text(),
                );
            }
            let items: Vec<String> = results
                .iter()
                .map(|u| {
                    let mark = if picked.iter().any(|p| p.id == u.id) {
                        "[x]"
                    } else {
                        "[ ]"
                    };
                    match &u.email {
                        Some(e) => format!("{mark} {} <{e}>", u.name),
                        None => format!("{mark} {}", u.name),
                    }
                })
                .collect();
            if inner.height > 3 {
                list_lines(buf, inner, inner.y + 3, &items, Some(*selected));
            }
            cursor
        }
    }
}
