//! The driver thread: owns the core and runs its loop (STYLE.md §3): drain
//! outputs and events, then wait on the one channel for an IO event or a
//! command until the core's deadline.

use crate::conn::{self, IoEvent};
use crate::{Command, Msg};
use hangups_core::adapter::{Delivery, QueueSender};
use hangups_core::client::{Client as Core, ConnId, Event, Input, Output};
use std::collections::HashMap;
use std::sync::mpsc::{Receiver, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The driver's side of the event queue.
pub(crate) type EventTx = (Sender<Delivery>, QueueSender);

pub(crate) struct Driver {
    core: Core,
    tls: Arc<rustls::ClientConfig>,
    connect_timeout: Duration,
    /// Cloned into every connection's threads.
    tx: Sender<Msg>,
    rx: Receiver<Msg>,
    events: Sender<Delivery>,
    /// Bounds what `events` holds (see `hangups_core::adapter::event_queue`).
    queue: QueueSender,
    /// Dropping one closes its connection.
    conns: HashMap<ConnId, conn::Handle>,
    /// The calls in flight and where their answers go.
    calls: hangups_core::adapter::Calls,
    disconnect_waiters: Vec<Sender<()>>,
    /// Signs in again on `Event::SessionExpired` (see `auth.rs`).
    renewer: Option<crate::auth::Renewer>,
}

impl Driver {
    pub(crate) fn new(
        core: Core,
        tls: Arc<rustls::ClientConfig>,
        connect_timeout: Duration,
        tx: Sender<Msg>,
        rx: Receiver<Msg>,
        (events, queue): EventTx,
    ) -> Self {
        Driver {
            core,
            tls,
            connect_timeout,
            tx,
            rx,
            events,
            queue,
            conns: HashMap::new(),
            calls: Default::default(),
            disconnect_waiters: Vec::new(),
            renewer: None,
        }
    }

    /// Renews the session with `renewer` when the cookies are refused.
    pub(crate) fn with_renewer(mut self, renewer: crate::auth::Renewer) -> Self {
        self.renewer = Some(renewer);
        self
    }

    pub(crate) fn run(mut self) {
        loop {
            // 1. drain
            if self.drain() {
                break;
            }
            // 2. wait for one input until the deadline. The channel never
            // disconnects (we hold a sender), so an error is a timeout.
            let msg = match self.core.poll_timeout() {
                Some(at) => {
                    let wait = at.saturating_duration_since(Instant::now());
                    self.rx.recv_timeout(wait).ok()
                }
                None => self.rx.recv().ok(),
            };
            let now = Instant::now();
            match msg {
                None => self.core.handle_timeout(now),
                Some(Msg::Io(IoEvent::Connected(c))) => {
                    self.core.handle_input(now, Input::Connected(c))
                }
                Some(Msg::Io(IoEvent::Data(c, bytes))) => {
                    self.core.handle_input(now, Input::Data(c, &bytes))
                }
                Some(Msg::Io(IoEvent::Closed(c))) => {
                    self.conns.remove(&c);
                    self.core.handle_input(now, Input::Closed(c));
                }
                Some(Msg::Command(command)) => self.command(now, command),
                Some(Msg::HandlesGone) => self.core.disconnect(now),
            }
        }
        // Dropping the handles shuts every socket down.
        self.conns.clear();
        for w in self.disconnect_waiters.drain(..) {
            let _ = w.send(());
        }
    }

    fn command(&mut self, now: Instant, command: Command) {
        match command {
            Command::Request(req, reply) => {
                let reply = Box::new(move |r| {
                    let _ = reply.send(r);
                });
                self.calls.request(&mut self.core, now, req, reply);
            }
            Command::Upload(name, image, reply) => {
                let reply = Box::new(move |r| {
                    let _ = reply.send(r);
                });
                self.calls.upload(&mut self.core, now, &name, image, reply);
            }
            Command::SetActive => self.core.set_active(now),
            Command::Renewed(result) => {
                let unix = crate::auth::unix_secs();
                hangups_core::adapter::apply_renewal(&mut self.core, now, unix, result);
            }
            Command::Disconnect(done) => {
                self.disconnect_waiters.push(done);
                self.core.disconnect(now);
            }
        }
    }

    /// Applies outputs and routes events; `true` once the core closed.
    fn drain(&mut self) -> bool {
        while let Some(out) = self.core.poll_output() {
            match out {
                Output::Connect {
                    conn,
                    host,
                    port,
                    tls,
                    via,
                } => {
                    let tls = tls.then(|| self.tls.clone());
                    let timeout = self.connect_timeout;
                    let handle = conn::open(conn, host, port, tls, via, timeout, self.tx.clone());
                    self.conns.insert(conn, handle);
                }
                Output::Transmit { conn, bytes } => {
                    if let Some(c) = self.conns.get(&conn) {
                        c.write(bytes);
                    }
                }
                Output::Close { conn } => {
                    self.conns.remove(&conn);
                }
            }
        }
        let mut closed = false;
        while let Some(event) = self.core.poll_event() {
            let Some(other) = self.calls.route(event) else {
                continue;
            };
            if let (Event::SessionExpired, Some(renewer)) = (&other, &self.renewer) {
                tracing::info!("session cookies refused; signing in again");
                renewer.start();
            }
            closed |= matches!(other, Event::Closed { .. });
            let events = &self.events;
            self.queue.offer(other, |d| {
                let _ = events.send(d);
            });
        }
        closed
    }
}
