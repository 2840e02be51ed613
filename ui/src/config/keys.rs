//! urwid key names (`ctrl d`, `meta x`, `k`, `page up`, `f1`, `enter`, …)
//! parsed into [`Key`]s, and back.

use ratatui::crossterm::event::{KeyCode, KeyModifiers};

use crate::settings::Key;

/// A key name that is not one urwid knows.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid key name {name:?}: {reason}")]
pub struct KeyNameError {
    /// What was given.
    pub name: String,
    /// Why it is refused.
    pub reason: &'static str,
}

/// Parses an urwid key name: modifiers (`ctrl`, `meta`, `shift`, any
/// order, separated by spaces) then the key: one character (`k`, `K`,
/// `?`), a named key (`enter`, `esc`, `tab`, `backspace`, `delete`,
/// `insert`, `home`, `end`, `page up`, `page down`, `up`, `down`, `left`,
/// `right`, `space`) or `f1`…`f20`. `shift tab` is the back tab.
pub fn parse_key(name: &str) -> Result<Key, KeyNameError> {
    let err = |reason| KeyNameError {
        name: name.to_string(),
        reason,
    };
    // A lone space is urwid's name of the space bar.
    if name == " " {
        return Ok(Key::plain(KeyCode::Char(' ')));
    }
    let mut modifiers = KeyModifiers::NONE;
    let mut rest = name.trim();
    while let Some((word, tail)) = rest.split_once(' ') {
        let m = match word.to_ascii_lowercase().as_str() {
            "ctrl" => KeyModifiers::CONTROL,
            "meta" | "alt" => KeyModifiers::ALT,
            "shift" => KeyModifiers::SHIFT,
            _ => break,
        };
        modifiers |= m;
        rest = tail.trim_start();
    }
    if rest.is_empty() {
        return Err(err("no key after the modifiers"));
    }
    let mut chars = rest.chars();
    let code = match (chars.next(), chars.next()) {
        (Some(c), None) => {
            if modifiers.contains(KeyModifiers::CONTROL) {
                KeyCode::Char(c.to_ascii_lowercase())
            } else {
                KeyCode::Char(c)
            }
        }
        _ => match rest.to_ascii_lowercase().as_str() {
            "enter" | "return" => KeyCode::Enter,
            "esc" | "escape" => KeyCode::Esc,
            "tab" if modifiers.contains(KeyModifiers::SHIFT) => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            "tab" => KeyCode::Tab,
            "backspace" => KeyCode::Backspace,
            "delete" => KeyCode::Delete,
            "insert" => KeyCode::Insert,
            "home" => KeyCode::Home,
            "end" => KeyCode::End,
            "page up" => KeyCode::PageUp,
            "page down" => KeyCode::PageDown,
            "up" => KeyCode::Up,
            "down" => KeyCode::Down,
            "left" => KeyCode::Left,
            "right" => KeyCode::Right,
            "space" => KeyCode::Char(' '),
            other => match other.strip_prefix('f').map(str::parse::<u8>) {
                Some(Ok(n)) if (1..=20).contains(&n) => KeyCode::F(n),
                _ => return Err(err("not an urwid key name")),
            },
        },
    };
    // Shift on a character is its case already.
    if matches!(code, KeyCode::Char(_)) && modifiers.contains(KeyModifiers::SHIFT) {
        return Err(err(
            "shift with a character: write the character's case instead",
        ));
    }
    Ok(Key { code, modifiers })
}

/// The urwid name of a key (`ctrl d`, `page up`, `f1`), as
/// [`parse_key`] reads it.
pub fn key_name(key: &Key) -> String {
    let mut out = String::new();
    if key.modifiers.contains(KeyModifiers::SHIFT) || key.code == KeyCode::BackTab {
        out.push_str("shift ");
    }
    if key.modifiers.contains(KeyModifiers::ALT) {
        out.push_str("meta ");
    }
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        out.push_str("ctrl ");
    }
    let name = match key.code {
        KeyCode::Char(' ') => "space".to_string(),
        KeyCode::Char(c) => c.to_string(),
        KeyCode::Enter => "enter".into(),
        KeyCode::Esc => "esc".into(),
        KeyCode::Tab | KeyCode::BackTab => "tab".into(),
        KeyCode::Backspace => "backspace".into(),
        KeyCode::Delete => "delete".into(),
        KeyCode::Insert => "insert".into(),
        KeyCode::Home => "home".into(),
        KeyCode::End => "end".into(),
        KeyCode::PageUp => "page up".into(),
        KeyCode::PageDown => "page down".into(),
        KeyCode::Up => "up".into(),
        KeyCode::Down => "down".into(),
        KeyCode::Left => "left".into(),
        KeyCode::Right => "right".into(),
        KeyCode::F(n) => format!("f{n}"),
        other => format!("{other:?}").to_ascii_lowercase(),
    };
    out.push_str(&name);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hangups_defaults_parse() {
        assert_eq!(parse_key("ctrl d"), Ok(Key::ctrl('d')));
        assert_eq!(parse_key("ctrl e"), Ok(Key::ctrl('e')));
        assert_eq!(parse_key("k"), Ok(Key::plain(KeyCode::Char('k'))));
        assert_eq!(parse_key("K"), Ok(Key::plain(KeyCode::Char('K'))));
    }

    #[test]
    fn named_keys_and_modifiers() {
        assert_eq!(parse_key("page up"), Ok(Key::plain(KeyCode::PageUp)));
        assert_eq!(parse_key("page down"), Ok(Key::plain(KeyCode::PageDown)));
        assert_eq!(parse_key("f1"), Ok(Key::plain(KeyCode::F(1))));
        assert_eq!(parse_key("enter"), Ok(Key::plain(KeyCode::Enter)));
        assert_eq!(parse_key(" "), Ok(Key::plain(KeyCode::Char(' '))));
        assert_eq!(
            parse_key("meta x"),
            Ok(Key {
                code: KeyCode::Char('x'),
                modifiers: KeyModifiers::ALT
            })
        );
        assert_eq!(
            parse_key("meta ctrl page up"),
            Ok(Key {
                code: KeyCode::PageUp,
                modifiers: KeyModifiers::ALT | KeyModifiers::CONTROL
            })
        );
        assert_eq!(parse_key("shift tab"), Ok(Key::plain(KeyCode::BackTab)));
        assert_eq!(parse_key("ctrl D"), Ok(Key::ctrl('d')));
    }

    #[test]
    fn bad_names_are_errors() {
        for bad in [
            "", "ctrl", "ctrl ", "pgup", "f0", "f21", "hyper x", "shift a", "ctrl xy",
        ] {
            assert!(parse_key(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn names_round_trip() {
        for name in [
            "ctrl d",
            "meta x",
            "k",
            "page up",
            "f12",
            "enter",
            "shift tab",
            "meta ctrl b",
        ] {
            let key = parse_key(name).unwrap();
            assert_eq!(parse_key(&key_name(&key)), Ok(key), "{name}");
        }
    }
}
