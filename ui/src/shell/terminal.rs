//! The real terminal: crossterm on standard output. [`setup`] enters raw
//! mode and the alternate screen, turns on bracketed paste and focus
//! reporting (and mouse capture with `--mouse`) and sets the title;
//! [`restore`] undoes it, and runs on every exit path: the guard's drop,
//! errors, and panics ([`install_panic_hook`]).

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use ratatui::crossterm::event::{
    DisableBracketedPaste, DisableFocusChange, DisableMouseCapture, EnableBracketedPaste,
    EnableFocusChange, EnableMouseCapture, EventStream,
};
use ratatui::crossterm::terminal::{
    disable_raw_mode, enable_raw_mode, EnterAlternateScreen, LeaveAlternateScreen, SetTitle,
};
use ratatui::crossterm::{cursor, execute};

use super::Host;

/// Whether the terminal is set up now (restore is idempotent).
static ACTIVE: AtomicBool = AtomicBool::new(false);
/// Whether mouse capture was turned on.
static MOUSE: AtomicBool = AtomicBool::new(false);

/// Takes the terminal: raw mode, alternate screen, bracketed paste, focus
/// change reporting, mouse capture if `mouse`, the title "hangups".
pub fn setup(mouse: bool) -> io::Result<()> {
    enable_raw_mode()?;
    ACTIVE.store(true, Ordering::SeqCst);
    MOUSE.store(mouse, Ordering::SeqCst);
    let mut out = io::stdout();
    execute!(
        out,
        EnterAlternateScreen,
        EnableBracketedPaste,
        EnableFocusChange,
        SetTitle("hangups")
    )?;
    if mouse {
        execute!(out, EnableMouseCapture)?;
    }
    Ok(())
}

/// Gives the terminal back as it was (safe to call more than once, and
/// from a panic hook).
pub fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = io::stdout();
    if MOUSE.load(Ordering::SeqCst) {
        let _ = execute!(out, DisableMouseCapture);
    }
    let _ = execute!(
        out,
        DisableFocusChange,
        DisableBracketedPaste,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = disable_raw_mode();
    let _ = out.flush();
}

/// Restores the terminal before the default panic message is printed.
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}

/// Restores the terminal when dropped.
#[derive(Debug)]
pub struct Guard;

impl Drop for Guard {
    fn drop(&mut self) {
        restore();
    }
}

/// The host of the binary: crossterm's [`EventStream`] and standard output.
#[derive(Debug, Default)]
pub struct CrosstermHost {
    mouse: bool,
}

impl CrosstermHost {
    /// The host; `mouse`: mouse capture is on (restored after `$EDITOR`).
    pub fn new(mouse: bool) -> CrosstermHost {
        CrosstermHost { mouse }
    }
}

impl Host for CrosstermHost {
    type Events = EventStream;

    fn events(&mut self) -> EventStream {
        EventStream::new()
    }

    fn set_title(&mut self, title: &str) -> io::Result<()> {
        execute!(io::stdout(), SetTitle(title))
    }

    fn suspend(&mut self) -> io::Result<()> {
        restore();
        Ok(())
    }

    fn resume(&mut self) -> io::Result<()> {
        setup(self.mouse)
    }
}
