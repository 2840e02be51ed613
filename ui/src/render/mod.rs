//! Rendering: a pure function of the [`App`], the conversation list, the
//! time and the time zone into a ratatui [`Frame`]. Nothing here reads a
//! clock or the terminal; tests render into ratatui's `TestBackend` at a
//! fixed size and time zone.
//!
//! The screen, top to bottom: the tab bar, the body (the conversation
//! list or a conversation's messages), the status line, and in a
//! conversation the compose box; overlays are drawn over it all. Every
//! size works, down to nothing.

use chrono::TimeZone;
use hangups_core::state::ConversationList;
use ratatui::layout::Rect;
use ratatui::Frame;

use crate::model::{App, Now};

mod compose;
mod list;
mod messages;
mod overlay;
mod status;
mod tabs;
#[cfg(test)]
mod tests;
pub mod text;

/// The compose box grows to at most this many lines.
pub const COMPOSE_MAX_LINES: u16 = 5;

/// Draws the whole screen. `tz` is the time zone of dates and times
/// (`chrono::Local` in the shell, a fixed offset in tests).
pub fn draw<Tz: TimeZone>(app: &App, list: &ConversationList, now: Now, tz: &Tz, frame: &mut Frame)
where
    Tz::Offset: std::fmt::Display,
{
    let area = frame.area();
    if area.width == 0 || area.height == 0 {
        return;
    }
    let mut rest = area;
    fn take_bottom(rest: &mut Rect, rows: u16) -> Rect {
        let rows = rows.min(rest.height);
        rest.height -= rows;
        Rect::new(rest.x, rest.y + rest.height, rest.width, rows)
    }
    let compose_area = match app.active_conversation_tab() {
        Some(tab) => {
            let rows = compose::rows_needed(tab, area.width).min(COMPOSE_MAX_LINES);
            take_bottom(&mut rest, rows)
        }
        None => take_bottom(&mut rest, 0),
    };
    let tab_rows = u16::from(rest.height >= 1);
    let tab_area = Rect::new(rest.x, rest.y, rest.width, tab_rows);
    rest.y += tab_rows;
    rest.height -= tab_rows;
    let status_area = take_bottom(&mut rest, 1);
    let body_area = rest;

    let buf = frame.buffer_mut();
    tabs::draw(app, list, tab_area, buf);
    match app.active_conversation_tab() {
        Some(tab) => messages::draw(app, tab, list, tz, body_area, buf),
        None => list::draw(app, list, body_area, buf),
    }
    status::draw(app, list, now, status_area, buf);
    let mut cursor = None;
    if let Some(tab) = app.active_conversation_tab() {
        cursor = compose::draw(app, tab, compose_area, buf);
    }
    if let Some(c) = list::filter_cursor(app, list, body_area) {
        cursor = Some(c);
    }
    if let Some(c) = status::search_cursor(app, status_area) {
        cursor = Some(c);
    }
    if let Some(c) = overlay::draw(app, list, area, frame.buffer_mut()) {
        cursor = Some(c);
    } else if app.has_overlay() {
        cursor = None;
    }
    if let Some(position) = cursor {
        frame.set_cursor_position(position);
    }
}
