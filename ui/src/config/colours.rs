//! urwid colour specs (`dark red`, `light gray`, `default`, `bold,yellow`,
//! `#f80`, `h123`, `g50`) and hangups' colour schemes.

use ratatui::style::{Color, Modifier, Style};

use crate::settings::{Element, Palette};

/// A colour spec that urwid would refuse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid colour {spec:?}: {reason}")]
pub struct ColourError {
    /// What was given.
    pub spec: String,
    /// Why.
    pub reason: String,
}

/// A parsed colour spec: a colour (or none: only attributes), the
/// attributes (`bold`, `underline`, `standout`, `italics`, `blink`,
/// `strikethrough`), and the least palette size it needs (16, 88, 256).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Colour {
    /// The colour; `None` when the spec only names attributes (or is empty).
    pub color: Option<Color>,
    /// Text attributes.
    pub modifiers: Modifier,
    /// 16, or 88 / 256 for a high colour.
    pub needs_palette: u16,
}

/// urwid's 16 basic colour names and `default`.
const BASIC: [(&str, Color); 17] = [
    ("black", Color::Black),
    ("dark red", Color::Red),
    ("dark green", Color::Green),
    ("brown", Color::Yellow),
    ("dark blue", Color::Blue),
    ("dark magenta", Color::Magenta),
    ("dark cyan", Color::Cyan),
    ("light gray", Color::Gray),
    ("dark gray", Color::DarkGray),
    ("light red", Color::LightRed),
    ("light green", Color::LightGreen),
    ("yellow", Color::LightYellow),
    ("light blue", Color::LightBlue),
    ("light magenta", Color::LightMagenta),
    ("light cyan", Color::LightCyan),
    ("white", Color::White),
    ("default", Color::Reset),
];

/// Parses an urwid colour spec: comma-separated parts, at most one colour
/// among them. Empty: no colour (the scheme's stays).
pub fn parse_colour(spec: &str) -> Result<Colour, ColourError> {
    let err = |reason: &str| ColourError {
        spec: spec.to_string(),
        reason: reason.to_string(),
    };
    let mut out = Colour {
        color: None,
        modifiers: Modifier::empty(),
        needs_palette: 16,
    };
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let lower = part.to_ascii_lowercase();
        let modifier = match lower.as_str() {
            "bold" => Some(Modifier::BOLD),
            "underline" => Some(Modifier::UNDERLINED),
            "standout" => Some(Modifier::REVERSED),
            "italics" => Some(Modifier::ITALIC),
            "blink" => Some(Modifier::SLOW_BLINK),
            "strikethrough" => Some(Modifier::CROSSED_OUT),
            _ => None,
        };
        if let Some(m) = modifier {
            out.modifiers |= m;
            continue;
        }
        let (color, needs) = high_or_basic(&lower).ok_or_else(|| {
            err("not an urwid colour (black, dark red, …, white, default, #rgb, h0–h255, g0–g100)")
        })?;
        if out.color.replace(color).is_some() {
            return Err(err("more than one colour"));
        }
        out.needs_palette = needs;
    }
    Ok(out)
}

fn high_or_basic(name: &str) -> Option<(Color, u16)> {
    if let Some((_, c)) = BASIC.iter().find(|(n, _)| *n == name) {
        return Some((*c, 16));
    }
    if let Some(hex) = name.strip_prefix('#') {
        // urwid's #rgb: one hex digit per component, mapped to the
        // 256-colour cube (6 levels per component).
        let digits: Vec<u32> = hex.chars().map(|c| c.to_digit(16)).collect::<Option<_>>()?;
        let [r, g, b] = digits.as_slice() else {
            return None;
        };
        let level = |v: u32| ((v * 5 + 7) / 15) as u8;
        let index = 16 + 36 * level(*r) + 6 * level(*g) + level(*b);
        return Some((Color::Indexed(index), 88));
    }
    if let Some(n) = name.strip_prefix('h') {
        let n: u8 = n.parse().ok()?;
        return Some((Color::Indexed(n), if n < 88 { 88 } else { 256 }));
    }
    if let Some(n) = name.strip_prefix('g') {
        let n: u8 = n.parse().ok()?;
        if n > 100 {
            return None;
        }
        // 0 black, 100 white, the 24 grays of the 256-colour palette between.
        let index = match n {
            0 => 16,
            100 => 231,
            n => 232 + ((u16::from(n) * 23 + 50) / 100) as u8,
        };
        return Some((Color::Indexed(index), 256));
    }
    None
}

/// hangups' colour schemes (`--col-scheme`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Scheme {
    /// The default scheme.
    Default,
    /// Solarized, dark.
    SolarizedDark,
}

impl Scheme {
    /// The scheme's palette.
    pub fn palette(self) -> Palette {
        match self {
            Scheme::Default => Palette::default_scheme(),
            Scheme::SolarizedDark => {
                let mut p = Palette::default_scheme();
                let s = |fg: Color, bg: Color| Style::default().fg(fg).bg(bg);
                let rows = [
                    (Element::ActiveTab, s(Color::Gray, Color::LightBlue)),
                    (
                        Element::InactiveTab,
                        s(Color::Reset, Color::LightGreen).add_modifier(Modifier::UNDERLINED),
                    ),
                    (Element::MsgDate, s(Color::Cyan, Color::Reset)),
                    (Element::MsgSender, s(Color::Blue, Color::Reset)),
                    (Element::MsgSelf, s(Color::Green, Color::Reset)),
                    (Element::MsgText, s(Color::Reset, Color::Reset)),
                    (Element::MsgTextSelf, s(Color::Reset, Color::Reset)),
                    (
                        Element::StatusLine,
                        s(Color::Reset, Color::Reset).add_modifier(Modifier::REVERSED),
                    ),
                    (
                        Element::TabBackground,
                        s(Color::Black, Color::LightGreen)
                            .add_modifier(Modifier::REVERSED | Modifier::UNDERLINED),
                    ),
                ];
                for (e, style) in rows {
                    p.set(e, style);
                }
                p
            }
        }
    }
}

/// Applies an `--col-<elem>-fg` (`fg: true`) or `-bg` override.
pub fn apply(palette: &mut Palette, element: Element, fg: bool, colour: &Colour) {
    let mut style = palette.style(element);
    if let Some(c) = colour.color {
        style = if fg { style.fg(c) } else { style.bg(c) };
    }
    style = style.add_modifier(colour.modifiers);
    palette.set(element, style);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_names() {
        assert_eq!(parse_colour("dark red").unwrap().color, Some(Color::Red));
        assert_eq!(parse_colour("brown").unwrap().color, Some(Color::Yellow));
        assert_eq!(
            parse_colour("yellow").unwrap().color,
            Some(Color::LightYellow)
        );
        assert_eq!(parse_colour("light gray").unwrap().color, Some(Color::Gray));
        assert_eq!(parse_colour("default").unwrap().color, Some(Color::Reset));
        assert_eq!(parse_colour("").unwrap().color, None);
        for (name, _) in BASIC {
            assert_eq!(parse_colour(name).unwrap().needs_palette, 16);
        }
    }

    #[test]
    fn attributes_and_colour() {
        let c = parse_colour("bold, underline,light blue").unwrap();
        assert_eq!(c.color, Some(Color::LightBlue));
        assert_eq!(c.modifiers, Modifier::BOLD | Modifier::UNDERLINED);
        assert_eq!(
            parse_colour("standout").unwrap().modifiers,
            Modifier::REVERSED
        );
    }

    #[test]
    fn high_colours() {
        let c = parse_colour("#f00").unwrap();
        assert_eq!(c.color, Some(Color::Indexed(196)));
        assert_eq!(c.needs_palette, 88);
        assert_eq!(
            parse_colour("#000").unwrap().color,
            Some(Color::Indexed(16))
        );
        assert_eq!(
            parse_colour("#fff").unwrap().color,
            Some(Color::Indexed(231))
        );
        assert_eq!(parse_colour("h200").unwrap().needs_palette, 256);
        assert_eq!(
            parse_colour("h200").unwrap().color,
            Some(Color::Indexed(200))
        );
        assert_eq!(parse_colour("g50").unwrap().needs_palette, 256);
    }

    #[test]
    fn bad_colours() {
        for bad in [
            "red",
            "dark  red",
            "#ff",
            "#ggg",
            "h256",
            "g101",
            "black,white",
            "h-1",
        ] {
            assert!(parse_colour(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn override_keeps_the_other_side() {
        let mut p = Palette::default_scheme();
        let before = p.style(Element::MsgDate);
        apply(
            &mut p,
            Element::MsgDate,
            true,
            &parse_colour("dark red").unwrap(),
        );
        assert_eq!(p.style(Element::MsgDate).fg, Some(Color::Red));
        assert_eq!(p.style(Element::MsgDate).bg, before.bg);
        assert_ne!(Scheme::SolarizedDark.palette(), Scheme::Default.palette());
    }
}
