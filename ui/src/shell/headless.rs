//! A [`Host`] for tests: terminal events from a channel, the title and
//! suspensions recorded, `$EDITOR` replaced by a function.

use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use futures_lite::Stream;
use ratatui::crossterm::event::Event as TermEvent;
use tokio::sync::mpsc;

use super::Host;

/// Sends synthetic terminal events to a [`ChannelHost`].
pub type EventSender = mpsc::UnboundedSender<TermEvent>;

/// What a [`ChannelHost`] saw.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Record {
    /// Every title set, in order.
    pub titles: Vec<String>,
    /// How often the terminal was suspended.
    pub suspensions: usize,
}

/// A host whose events come from an [`EventSender`]; the editor returns
/// its input with `" (edited)"` appended.
#[derive(Debug)]
pub struct ChannelHost {
    rx: Arc<Mutex<mpsc::UnboundedReceiver<TermEvent>>>,
    record: Arc<Mutex<Record>>,
}

impl ChannelHost {
    /// A host and the sender of its events.
    pub fn new() -> (ChannelHost, EventSender) {
        let (tx, rx) = mpsc::unbounded_channel();
        let host = ChannelHost {
            rx: Arc::new(Mutex::new(rx)),
            record: Arc::default(),
        };
        (host, tx)
    }

    /// What it saw so far (shared: read it while the loop runs).
    pub fn record(&self) -> Arc<Mutex<Record>> {
        Arc::clone(&self.record)
    }

    fn note(&self, f: impl FnOnce(&mut Record)) {
        f(&mut self.record.lock().unwrap_or_else(|e| e.into_inner()));
    }
}

/// The events of a [`ChannelHost`]; the stream ends when every sender is
/// dropped.
#[derive(Debug)]
pub struct ChannelEvents(Arc<Mutex<mpsc::UnboundedReceiver<TermEvent>>>);

impl Stream for ChannelEvents {
    type Item = io::Result<TermEvent>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let mut rx = self.0.lock().unwrap_or_else(|e| e.into_inner());
        rx.poll_recv(cx).map(|e| e.map(Ok))
    }
}

impl Host for ChannelHost {
    type Events = ChannelEvents;

    fn events(&mut self) -> ChannelEvents {
        ChannelEvents(Arc::clone(&self.rx))
    }

    fn set_title(&mut self, title: &str) -> io::Result<()> {
        self.note(|r| r.titles.push(title.to_string()));
        Ok(())
    }

    fn suspend(&mut self) -> io::Result<()> {
        self.note(|r| r.suspensions += 1);
        Ok(())
    }

    fn resume(&mut self) -> io::Result<()> {
        Ok(())
    }

    async fn edit(&mut self, text: String) -> Result<String, String> {
        Ok(format!("{text} (edited)"))
    }
}
