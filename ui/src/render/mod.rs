//! Rendering: a pure function of the [`App`], the conversation list, the
//! time and the time zone into a ratatui [`Frame`]. Nothing here reads a
//! clock or the terminal; tests render into ratatui's `TestBackend` at a
//! fixed size and time zone.

use chrono::TimeZone;
use hangups_core::state::ConversationList;
use ratatui::Frame;

use crate::model::{App, Now};

/// Draws the whole screen. `tz` is the time zone of dates and times
/// (`chrono::Local` in the shell, a fixed offset in tests).
pub fn draw<Tz: TimeZone>(app: &App, list: &ConversationList, now: Now, tz: &Tz, frame: &mut Frame)
where
    Tz::Offset: std::fmt::Display,
{
    let _ = (app, list, now, tz);
    let area = frame.area();
    frame.render_widget(ratatui::widgets::Paragraph::new("hangups"), area);
}
