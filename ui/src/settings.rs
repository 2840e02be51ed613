//! What the command line and the config file decide, as plain data for the
//! [`model`](crate::model) and the [`render`](crate::render)er. Parsing
//! (hangups' flags, the config file, urwid key names, colour names) lives
//! in the config layer; this module only holds the result and hangups'
//! defaults.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::style::{Color, Modifier, Style};

/// Everything the model and the renderer are told.
#[derive(Clone, Debug, PartialEq)]
pub struct Settings {
    /// strftime format of the date line (`--date-format`, hangups:
    /// `< %y-%m-%d >`).
    pub date_format: String,
    /// strftime format of a message's time (`--time-format`, hangups:
    /// `(%I:%M:%S %p)`).
    pub time_format: String,
    /// Keep outgoing emoticons as typed (`--keep-emoticons`); off: an
    /// emoticon standing as its own word becomes an emoji.
    pub keep_emoticons: bool,
    /// Notifications say only "hangups" / "New message"
    /// (`-D/--discreet-notifications`).
    pub discreet_notifications: bool,
    /// Whether the model asks for notifications at all
    /// (`--notification-type none` turns them off).
    pub notifications: bool,
    /// The key bindings (`--key-*`).
    pub keys: KeyBindings,
    /// The colours (`--col-scheme`, `--col-<elem>-fg/-bg`).
    pub palette: Palette,
    /// Mouse support (off by default, as in hangups).
    pub mouse: bool,
    /// What the status line says about the server when nothing else is
    /// shown, e.g. "emulator (embedded)"; `None` for Google itself.
    pub server_label: Option<String>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            date_format: "< %y-%m-%d >".into(),
            time_format: "(%I:%M:%S %p)".into(),
            keep_emoticons: false,
            discreet_notifications: false,
            notifications: true,
            keys: KeyBindings::default(),
            palette: Palette::default(),
            mouse: false,
            server_label: None,
        }
    }
}

/// One key with its modifiers, as a binding names it (urwid's `ctrl d`,
/// `meta x`, `k`, `page up`, `f1`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Key {
    /// The key.
    pub code: KeyCode,
    /// Ctrl, Alt (urwid's `meta`), Shift.
    pub modifiers: KeyModifiers,
}

impl Key {
    /// A key without modifiers.
    pub const fn plain(code: KeyCode) -> Key {
        Key {
            code,
            modifiers: KeyModifiers::NONE,
        }
    }

    /// Ctrl and a character.
    pub const fn ctrl(c: char) -> Key {
        Key {
            code: KeyCode::Char(c),
            modifiers: KeyModifiers::CONTROL,
        }
    }

    /// Whether a key event is this key (Shift is ignored on characters,
    /// whose case already says it).
    pub fn matches(&self, event: &KeyEvent) -> bool {
        let mut mods = event.modifiers;
        if matches!(event.code, KeyCode::Char(_)) {
            mods.remove(KeyModifiers::SHIFT);
        }
        let code = match event.code {
            KeyCode::Char(c) if mods.contains(KeyModifiers::CONTROL) => {
                KeyCode::Char(c.to_ascii_lowercase())
            }
            other => other,
        };
        code == self.code && mods == self.modifiers
    }
}

/// hangups' bindings (`--key-next-tab` … `--key-page-down`), with its
/// defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeyBindings {
    /// `ctrl d`.
    pub next_tab: Key,
    /// `ctrl u`.
    pub prev_tab: Key,
    /// `ctrl w`.
    pub close_tab: Key,
    /// `ctrl e`.
    pub quit: Key,
    /// `ctrl n`.
    pub menu: Key,
    /// `k`.
    pub up: Key,
    /// `j`.
    pub down: Key,
    /// `ctrl b`.
    pub page_up: Key,
    /// `ctrl f`.
    pub page_down: Key,
}

impl Default for KeyBindings {
    fn default() -> Self {
        KeyBindings {
            next_tab: Key::ctrl('d'),
            prev_tab: Key::ctrl('u'),
            close_tab: Key::ctrl('w'),
            quit: Key::ctrl('e'),
            menu: Key::ctrl('n'),
            up: Key::plain(KeyCode::Char('k')),
            down: Key::plain(KeyCode::Char('j')),
            page_up: Key::ctrl('b'),
            page_down: Key::ctrl('f'),
        }
    }
}

/// The elements hangups colours (`--col-<elem>-fg/-bg`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Element {
    /// The selected tab's title.
    ActiveTab,
    /// Other tab titles.
    InactiveTab,
    /// The date line.
    MsgDate,
    /// A sender's name.
    MsgSender,
    /// The self user's name.
    MsgSelf,
    /// A message's text.
    MsgText,
    /// The self user's text.
    MsgTextSelf,
    /// The status line.
    StatusLine,
    /// The tab bar behind the titles.
    TabBackground,
}

impl Element {
    /// Every element, in hangups' order.
    pub const ALL: [Element; 9] = [
        Element::ActiveTab,
        Element::InactiveTab,
        Element::MsgDate,
        Element::MsgSender,
        Element::MsgSelf,
        Element::MsgText,
        Element::MsgTextSelf,
        Element::StatusLine,
        Element::TabBackground,
    ];

    /// The name in `--col-<name>-fg` (`active_tab`, …).
    pub fn name(self) -> &'static str {
        match self {
            Element::ActiveTab => "active_tab",
            Element::InactiveTab => "inactive_tab",
            Element::MsgDate => "msg_date",
            Element::MsgSender => "msg_sender",
            Element::MsgSelf => "msg_self",
            Element::MsgText => "msg_text",
            Element::MsgTextSelf => "msg_text_self",
            Element::StatusLine => "status_line",
            Element::TabBackground => "tab_background",
        }
    }
}

/// A style per [`Element`].
#[derive(Clone, Debug, PartialEq)]
pub struct Palette {
    styles: [Style; 9],
}

impl Palette {
    /// hangups' `default` scheme.
    pub fn default_scheme() -> Palette {
        let s = |fg: Color, bg: Color| Style::default().fg(fg).bg(bg);
        Palette {
            styles: [
                s(Color::White, Color::DarkGray).add_modifier(Modifier::BOLD),
                s(Color::Gray, Color::DarkGray),
                s(Color::Blue, Color::Reset),
                s(Color::Gray, Color::Reset).add_modifier(Modifier::BOLD),
                s(Color::White, Color::Reset).add_modifier(Modifier::BOLD),
                s(Color::Reset, Color::Reset),
                s(Color::White, Color::Reset),
                s(Color::Reset, Color::Reset),
                s(Color::Reset, Color::DarkGray),
            ],
        }
    }

    /// The style of an element.
    pub fn style(&self, element: Element) -> Style {
        self.styles[Self::index(element)]
    }

    /// Replaces the style of an element.
    pub fn set(&mut self, element: Element, style: Style) {
        self.styles[Self::index(element)] = style;
    }

    fn index(element: Element) -> usize {
        Element::ALL
            .iter()
            .position(|e| *e == element)
            .unwrap_or_default()
    }
}

impl Default for Palette {
    fn default() -> Self {
        Palette::default_scheme()
    }
}
