//! A conversation's messages: "Loading..." / "No more messages" at the
//! top, date lines, `(time) First: text` rows, notices, "Seen by"; the
//! view ends at the focused event (the newest when following).

use chrono::TimeZone;
use hangups_core::state::ConversationList;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;

use super::text::{put, put_centered, sanitize, wrap, Runs};
use crate::model::texts::{self, RowKind};
use crate::model::{App, ConvTab, History, ViewFocus};
use crate::settings::Element;

/// A screen line of the view.
enum ViewLine {
    /// Centred text.
    Centered(String, ratatui::style::Style),
    /// Styled runs of an event.
    Runs(Runs),
}

pub(super) fn draw<Tz: TimeZone>(
    app: &App,
    tab: &ConvTab,
    list: &ConversationList,
    tz: &Tz,
    area: Rect,
    buf: &mut Buffer,
) where
    Tz::Offset: std::fmt::Display,
{
    if area.height == 0 || area.width == 0 {
        return;
    }
    let palette = &app.settings().palette;
    let width = usize::from(area.width);
    let top_text = match tab.history {
        History::NoMore => "No more messages",
        _ => "Loading...",
    };
    // (line, event index) — the top line belongs to no event.
    let mut lines: Vec<(ViewLine, Option<usize>)> = vec![(
        ViewLine::Centered(top_text.to_owned(), palette.style(Element::MsgText)),
        None,
    )];
    let searching = tab.search.is_some();
    if let Some(conv) = list.get(&tab.id) {
        for row in texts::rows(conv, list, app.settings(), tz) {
            let highlight = searching && tab.focus == ViewFocus::Event(row.event);
            let mut runs: Runs = match row.kind {
                RowKind::Date(date) => {
                    let style = palette.style(Element::MsgDate);
                    lines.push((
                        ViewLine::Centered(sanitize(&date, false), style),
                        Some(row.event),
                    ));
                    continue;
                }
                RowKind::Message {
                    time,
                    sender,
                    text,
                    own,
                } => {
                    let (name_el, text_el) = if own {
                        (Element::MsgSelf, Element::MsgTextSelf)
                    } else {
                        (Element::MsgSender, Element::MsgText)
                    };
                    vec![
                        (
                            format!("{} ", sanitize(&time, false)),
                            palette.style(Element::MsgDate),
                        ),
                        (
                            format!("{}: ", sanitize(&sender, false)),
                            palette.style(name_el),
                        ),
                        (sanitize(&text, true), palette.style(text_el)),
                    ]
                }
                RowKind::Notice { time, text } => vec![
                    (
                        format!("{} ", sanitize(&time, false)),
                        palette.style(Element::MsgDate),
                    ),
                    (sanitize(&text, true), palette.style(Element::MsgText)),
                ],
                RowKind::SeenBy(text) => {
                    vec![(sanitize(&text, false), palette.style(Element::MsgText))]
                }
            };
            if highlight {
                for (_, style) in &mut runs {
                    *style = style.add_modifier(Modifier::REVERSED);
                }
            }
            for line in wrap(&runs, width) {
                lines.push((ViewLine::Runs(line), Some(row.event)));
            }
        }
    }
    let height = usize::from(area.height);
    let end = match tab.focus {
        ViewFocus::Bottom => lines.len(),
        ViewFocus::Top => height.min(lines.len()),
        ViewFocus::Event(i) => lines
            .iter()
            .rposition(|(_, e)| *e == Some(i))
            .map_or(lines.len(), |p| p + 1),
    };
    let end = end.max(height.min(lines.len()));
    let start = end.saturating_sub(height);
    for (k, (line, _)) in lines[start..end].iter().enumerate() {
        let y = area.y + k as u16;
        match line {
            ViewLine::Centered(text, style) => put_centered(buf, area, y, text, *style),
            ViewLine::Runs(runs) => {
                put(buf, area, area.x, y, runs);
            }
        }
    }
}
