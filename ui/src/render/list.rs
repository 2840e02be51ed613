//! Tab 0: the conversations, newest first, with unread counts and quiet,
//! history-off and archived markers; the filter line at the bottom.

use hangups_core::state::ConversationList;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};
use ratatui::style::{Modifier, Style};

use super::text::{put, put_centered, sanitize, width};
use crate::model::{names, App};
use crate::settings::Element;

fn filter_shown(app: &App) -> bool {
    app.list_view.filter_shown()
}

/// The filter prompt.
const FILTER: &str = "Filter: ";

pub(super) fn draw(app: &App, list: &ConversationList, area: Rect, buf: &mut Buffer) {
    if area.height == 0 || area.width == 0 {
        return;
    }
    let palette = &app.settings().palette;
    let text_style = palette.style(Element::MsgText);
    let mut rows_area = area;
    if filter_shown(app) {
        rows_area.height -= 1;
        let y = area.bottom() - 1;
        let filter = sanitize(app.list_view.filter.text(), false);
        put(
            buf,
            area,
            area.x,
            y,
            &[
                (FILTER.to_owned(), palette.style(Element::MsgDate)),
                (filter, text_style),
            ],
        );
    }
    let convs = app.visible_conversations(list);
    if convs.is_empty() {
        let text = if filter_shown(app) {
            "No conversation matches"
        } else {
            "No conversations"
        };
        if rows_area.height > 0 {
            put_centered(buf, rows_area, rows_area.y, text, text_style);
        }
        return;
    }
    let height = usize::from(rows_area.height);
    let selected = app.list_view.selected.min(convs.len() - 1);
    let first = app.list_view.first_row(convs.len(), height);
    for (row, conv) in convs.iter().enumerate().skip(first).take(height) {
        let y = rows_area.y + (row - first) as u16;
        let mut label = names::with_unread(
            &sanitize(&names::conversation_name(conv, list, false), false),
            app.unread(list, conv.id()),
        );
        if conv.is_quiet() {
            label.push_str("  [quiet]");
        }
        if conv.is_off_the_record() {
            label.push_str("  [history off]");
        }
        if app.is_archived(list, conv.id()) {
            label.push_str("  [archived]");
        }
        let style = if row == selected {
            text_style.add_modifier(Modifier::REVERSED)
        } else {
            Style::default()
        };
        put(buf, rows_area, rows_area.x, y, &[(label, style)]);
    }
}

/// Where the cursor goes while the filter is edited.
pub(super) fn filter_cursor(app: &App, _list: &ConversationList, area: Rect) -> Option<Position> {
    if app.active_tab_index() != 0 || !app.list_view.filtering || area.height == 0 {
        return None;
    }
    let filter = &app.list_view.filter;
    let before = filter
        .text()
        .get(..filter.cursor())
        .unwrap_or(filter.text());
    let w = width(FILTER) + width(&sanitize(before, false));
    let x = (area.x as usize + w).min(area.right().saturating_sub(1) as usize) as u16;
    Some(Position::new(x, area.bottom() - 1))
}
