//! The tab bar: `" title "` per tab, the active one in `active_tab`, the
//! others in `inactive_tab`, on `tab_background`.

use hangups_core::state::ConversationList;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::text::{fill, put, sanitize};
use crate::model::App;
use crate::settings::Element;

pub(super) fn draw(app: &App, list: &ConversationList, area: Rect, buf: &mut Buffer) {
    if area.height == 0 {
        return;
    }
    let palette = &app.settings().palette;
    fill(buf, area, area.y, palette.style(Element::TabBackground));
    let mut x = area.x;
    let first = app.first_visible_tab(list, area.width);
    for (i, title) in app.tab_titles(list).iter().enumerate().skip(first) {
        let element = if i == app.active_tab_index() {
            Element::ActiveTab
        } else {
            Element::InactiveTab
        };
        let run = (
            format!(" {} ", sanitize(title, false)),
            palette.style(element),
        );
        x = put(buf, area, x, area.y, &[run]).saturating_add(1);
    }
}
