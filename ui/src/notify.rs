//! Desktop notifications behind a trait: [`NoNotifier`], [`Bell`] (BEL
//! to the terminal), [`Recording`] (tests) and, with the `dbus` feature,
//! `dbus::DbusNotifier` (notify-rust over pure-Rust zbus). Each
//! notification replaces the previous one. Titles and bodies are Rust
//! strings: nothing depends on the locale (hangups' D-Bus notifier crashed
//! on non-ASCII under `LANG=C`).

use std::sync::{Arc, Mutex};

/// Why a notification was not shown (logged and ignored by the shell).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NotifyError {
    /// Writing to the terminal failed.
    #[error("cannot ring the bell: {0}")]
    Io(#[from] std::io::Error),
    /// The desktop's notification service failed (no session bus, …).
    #[error("desktop notification failed: {0}")]
    Desktop(String),
}

/// Something that shows notifications.
pub trait Notifier: Send {
    /// Shows one, replacing the previous one. `body` is plain text (a
    /// notifier whose medium reads markup escapes it).
    fn notify(&mut self, title: &str, body: &str) -> Result<(), NotifyError>;
}

/// Shows nothing (`--notification-type none`).
#[derive(Debug, Default)]
pub struct NoNotifier;

impl Notifier for NoNotifier {
    fn notify(&mut self, _title: &str, _body: &str) -> Result<(), NotifyError> {
        Ok(())
    }
}

/// Rings the terminal bell (`--notification-type bell`): writes BEL to
/// the given writer (the terminal the shell draws on).
#[derive(Debug)]
pub struct Bell<W> {
    out: W,
}

impl<W: std::io::Write + Send> Bell<W> {
    /// A bell writing to `out`.
    pub fn new(out: W) -> Bell<W> {
        Bell { out }
    }

    /// The writer (tests read what was rung).
    pub fn get_ref(&self) -> &W {
        &self.out
    }
}

impl<W: std::io::Write + Send> Notifier for Bell<W> {
    fn notify(&mut self, _title: &str, _body: &str) -> Result<(), NotifyError> {
        self.out.write_all(b"\x07")?;
        self.out.flush()?;
        Ok(())
    }
}

/// Records every notification as (title, body), for tests. Clones share
/// the record.
#[derive(Clone, Debug, Default)]
pub struct Recording {
    shown: Arc<Mutex<Vec<(String, String)>>>,
}

impl Recording {
    /// A new, empty record.
    pub fn new() -> Recording {
        Recording::default()
    }

    /// Everything shown so far, oldest first.
    pub fn shown(&self) -> Vec<(String, String)> {
        self.shown.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }
}

impl Notifier for Recording {
    fn notify(&mut self, title: &str, body: &str) -> Result<(), NotifyError> {
        self.shown
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((title.to_string(), body.to_string()));
        Ok(())
    }
}

/// Escapes `&`, `<`, `>`, `"` and `'` for the markup of notification
/// bodies (the freedesktop spec's subset of HTML).
pub fn escape_markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Desktop notifications over D-Bus (the `dbus` feature).
#[cfg(feature = "dbus")]
pub mod dbus {
    use std::sync::{Arc, Mutex};

    use super::{escape_markup, Notifier, NotifyError};

    /// notify-rust over its pure-Rust zbus backend. [`Notifier::notify`]
    /// shows from a thread of its own (a slow bus never holds up the
    /// terminal) and logs failures there; without a session bus each
    /// notification fails with [`NotifyError::Desktop`].
    #[derive(Debug, Default)]
    pub struct DbusNotifier {
        /// The id of the last notification shown, which the next
        /// replaces; held while showing, so notifications go in order.
        last: Arc<Mutex<Option<u32>>>,
    }

    impl DbusNotifier {
        /// A notifier (connects on the first notification).
        pub fn new() -> DbusNotifier {
            DbusNotifier::default()
        }

        /// Shows one now, on this thread, replacing the previous one.
        pub fn show_blocking(&self, title: &str, body: &str) -> Result<(), NotifyError> {
            let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
            let mut n = notify_rust::Notification::new();
            n.appname("hangups")
                .summary(title)
                .body(&escape_markup(body));
            if let Some(id) = *last {
                n.id(id);
            }
            let handle = n.show().map_err(|e| NotifyError::Desktop(e.to_string()))?;
            *last = Some(handle.id());
            Ok(())
        }
    }

    impl Notifier for DbusNotifier {
        fn notify(&mut self, title: &str, body: &str) -> Result<(), NotifyError> {
            let this = DbusNotifier {
                last: Arc::clone(&self.last),
            };
            let (title, body) = (title.to_string(), body.to_string());
            std::thread::Builder::new()
                .name("hangups-notify".into())
                .spawn(move || {
                    if let Err(e) = this.show_blocking(&title, &body) {
                        tracing::warn!("{e}");
                    }
                })
                .map(drop)
                .map_err(NotifyError::Io)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bell_writes_bel() {
        let mut bell = Bell::new(Vec::new());
        bell.notify("Grace", "hi").unwrap();
        bell.notify("Grace", "日本語").unwrap();
        assert_eq!(bell.get_ref(), b"\x07\x07");
    }

    #[test]
    fn recording_records_and_clones_share() {
        let rec = Recording::new();
        let mut other = rec.clone();
        other.notify("Grace Hopper", "é, 日本語, 😀").unwrap();
        assert_eq!(
            rec.shown(),
            vec![("Grace Hopper".into(), "é, 日本語, 😀".into())]
        );
        NoNotifier.notify("x", "y").unwrap();
    }

    #[cfg(feature = "dbus")]
    #[test]
    fn dbus_without_a_session_bus_fails_cleanly() {
        // No bus at this address: an error, not a panic or a hang.
        std::env::set_var(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/hangups-bus",
        );
        let mut n = dbus::DbusNotifier::new();
        let err = n.show_blocking("Grace", "<b>é 日本語</b>").unwrap_err();
        assert!(matches!(err, NotifyError::Desktop(_)), "{err:?}");
        // From its thread: the failure is logged, not returned.
        n.notify("Grace", "é").unwrap();
    }

    #[test]
    fn markup_is_escaped() {
        assert_eq!(
            escape_markup("<b>a & b</b> \"q\" 'x' 😀"),
            "&lt;b&gt;a &amp; b&lt;/b&gt; &quot;q&quot; &#39;x&#39; 😀"
        );
    }
}
