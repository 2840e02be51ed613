//! The compose box: "Send message: " and the text (several lines with
//! Alt+Enter or a paste), wrapped, the cursor where the text's cursor is.

use ratatui::buffer::Buffer;
use ratatui::layout::{Position, Rect};

use super::text::{char_width, put, sanitize, width};
use crate::model::{App, ConvTab};
use crate::settings::Element;

/// The compose box's prompt.
pub const PROMPT: &str = "Send message: ";

/// The text laid out: visual lines of (text) and the cursor's (line,
/// column) in text columns.
fn layout(text: &str, cursor: usize, columns: usize) -> (Vec<String>, (usize, usize)) {
    let columns = columns.max(1);
    let mut lines = vec![String::new()];
    let mut used = 0;
    let mut at = (0, 0);
    for (i, c) in text.char_indices() {
        if i == cursor {
            at = (lines.len() - 1, used);
        }
        if c == '\n' {
            lines.push(String::new());
            used = 0;
            continue;
        }
        let shown = sanitize(c.encode_utf8(&mut [0; 4]), false);
        let w = width(&shown);
        if used + w > columns && used > 0 {
            lines.push(String::new());
            used = 0;
            if i == cursor {
                at = (lines.len() - 1, 0);
            }
        }
        lines.last_mut().expect("never empty").push_str(&shown);
        used += w;
    }
    if cursor >= text.len() {
        at = (lines.len() - 1, used);
        if used >= columns {
            lines.push(String::new());
            at = (lines.len() - 1, 0);
        }
    }
    (lines, at)
}

fn prompt_width(area_width: u16) -> usize {
    let p = width(PROMPT);
    if usize::from(area_width) > p + 1 {
        p
    } else {
        0
    }
}

/// How many lines the box needs at this width.
pub(super) fn rows_needed(tab: &ConvTab, area_width: u16) -> u16 {
    let columns = usize::from(area_width).saturating_sub(prompt_width(area_width));
    let (lines, _) = layout(tab.compose.text(), tab.compose.cursor(), columns);
    u16::try_from(lines.len()).unwrap_or(u16::MAX).max(1)
}

/// Draws the box; the cursor's position.
pub(super) fn draw(app: &App, tab: &ConvTab, area: Rect, buf: &mut Buffer) -> Option<Position> {
    if area.height == 0 || area.width == 0 {
        return None;
    }
    let style = app.settings().palette.style(Element::MsgText);
    let pw = prompt_width(area.width);
    let columns = usize::from(area.width) - pw;
    let (lines, (cl, cc)) = layout(tab.compose.text(), tab.compose.cursor(), columns);
    let height = usize::from(area.height);
    let first = (cl + 1).saturating_sub(height);
    for (k, line) in lines.iter().enumerate().skip(first).take(height) {
        let y = area.y + (k - first) as u16;
        let prompt = if k == 0 { &PROMPT[..pw] } else { "" };
        let x = put(buf, area, area.x, y, &[(prompt.to_owned(), style)]);
        let x = x.max(area.x + pw as u16);
        put(buf, area, x, y, &[(line.clone(), style)]);
    }
    let x = (usize::from(area.x) + pw + cc).min(usize::from(area.right()) - 1);
    let y = area.y as usize + cl - first;
    let _ = char_width;
    Some(Position::new(x as u16, y as u16))
}
