//! The status line (the model's priority order), or the history search
//! prompt while searching.

use hangups_core::state::ConversationList;
use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};

use super::text::{fill, put, sanitize, width};
use crate::model::{App, Now};
use crate::settings::Element;

/// The search prompt.
pub const SEARCH: &str = "(search) ";

fn search_text(app: &App) -> Option<String> {
    app.active_conversation_tab()
        .and_then(|t| t.search.as_ref())
        .map(|s| sanitize(s.text(), false))
}

pub(super) fn draw(app: &App, list: &ConversationList, now: Now, area: Rect, buf: &mut Buffer) {
    if area.height == 0 || area.width == 0 {
        return;
    }
    let style = app.settings().palette.style(Element::StatusLine);
    fill(buf, area, area.y, style);
    let text = match search_text(app) {
        Some(query) => format!("{SEARCH}{query}"),
        None => sanitize(&app.status_text(list, now), false),
    };
    put(buf, area, area.x, area.y, &[(text, style)]);
}

/// Where the cursor goes while searching.
pub(super) fn search_cursor(app: &App, area: Rect) -> Option<Position> {
    let query = search_text(app)?;
    if area.height == 0 || area.width == 0 {
        return None;
    }
    let x =
        (usize::from(area.x) + width(SEARCH) + width(&query)).min(usize::from(area.right()) - 1);
    Some(Position::new(x as u16, area.y))
}
