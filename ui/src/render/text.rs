//! Text for the screen: control characters made harmless, styled runs
//! wrapped at a width in terminal columns (unicode-width).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use unicode_width::UnicodeWidthChar;

/// Replaces what could drive the terminal: C0 controls and DEL become
/// their visible control pictures (U+2400…), C1 controls and bidi
/// overrides U+FFFD; tabs become a space. Newlines are kept only with
/// `keep_newlines`.
pub fn sanitize(text: &str, keep_newlines: bool) -> String {
    text.chars()
        .filter_map(|c| match c {
            '\n' if keep_newlines => Some('\n'),
            '\t' => Some(' '),
            '\r' if keep_newlines => None,
            '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32),
            '\u{7f}' => Some('\u{2421}'),
            '\u{80}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {
                Some('\u{fffd}')
            }
            c => Some(c),
        })
        .collect()
}

/// A char's width in columns (controls: 0, already sanitized away).
pub fn char_width(c: char) -> usize {
    c.width().unwrap_or(0)
}

/// A text's width in columns.
pub fn width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}

/// One screen line: styled runs.
pub type Runs = Vec<(String, Style)>;

/// Wraps styled runs (newlines start a new line) into lines of at most
/// `width` columns, at the last space when there is one on the line (the
/// space stays at the line's end), else between characters; a character
/// wider than the width is dropped rather than overflowing. At least one
/// line.
pub fn wrap(runs: &[(String, Style)], width: usize) -> Vec<Runs> {
    let mut lines: Vec<Vec<(char, Style)>> = vec![Vec::new()];
    let mut used = 0;
    for (text, style) in runs {
        for c in text.chars() {
            if c == '\n' {
                lines.push(Vec::new());
                used = 0;
                continue;
            }
            let w = char_width(c);
            if w > width {
                continue;
            }
            if used + w > width {
                let line = lines.last_mut().expect("never empty");
                let carry = match line.iter().rposition(|(ch, _)| *ch == ' ') {
                    Some(space) if space + 1 < line.len() => line.split_off(space + 1),
                    _ => Vec::new(),
                };
                used = carry.iter().map(|(ch, _)| char_width(*ch)).sum();
                lines.push(carry);
            }
            lines.last_mut().expect("never empty").push((c, *style));
            used += w;
        }
    }
    lines
        .into_iter()
        .map(|line| {
            let mut runs: Runs = Vec::new();
            for (c, style) in line {
                match runs.last_mut() {
                    Some((s, st)) if *st == style => s.push(c),
                    _ => runs.push((c.to_string(), style)),
                }
            }
            runs
        })
        .collect()
}

/// Writes runs at `(x, y)` inside `area`, clipped to it; returns the
/// column after the text.
pub fn put(buf: &mut Buffer, area: Rect, x: u16, y: u16, runs: &[(String, Style)]) -> u16 {
    if y < area.top() || y >= area.bottom() || x >= area.right() {
        return x;
    }
    let mut x = x.max(area.left());
    let mut last: Option<u16> = None;
    for (text, style) in runs {
        for c in text.chars() {
            let w = char_width(c) as u16;
            if w == 0 {
                // A combining mark joins the previous cell.
                if let Some(cell) = last.and_then(|lx| buf.cell_mut((lx, y))) {
                    let joined = format!("{}{c}", cell.symbol());
                    cell.set_symbol(&joined);
                }
                continue;
            }
            if x + w > area.right() {
                return x;
            }
            if let Some(cell) = buf.cell_mut((x, y)) {
                cell.set_char(c).set_style(*style);
            }
            last = Some(x);
            // The cells a wide character covers are reset to blank.
            for k in 1..w {
                if let Some(cell) = buf.cell_mut((x + k, y)) {
                    cell.reset();
                }
            }
            x += w;
        }
    }
    x
}

/// Fills a line of `area` with a style.
pub fn fill(buf: &mut Buffer, area: Rect, y: u16, style: Style) {
    if y < area.top() || y >= area.bottom() {
        return;
    }
    for x in area.left()..area.right() {
        if let Some(cell) = buf.cell_mut((x, y)) {
            cell.set_char(' ').set_style(style);
        }
    }
}

/// Writes a text centred on line `y` of `area`.
pub fn put_centered(buf: &mut Buffer, area: Rect, y: u16, text: &str, style: Style) {
    let w = width(text) as u16;
    let x = area.left() + area.width.saturating_sub(w) / 2;
    put(buf, area, x, y, &[(text.to_owned(), style)]);
}
