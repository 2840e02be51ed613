//! The driver task: owns the core and runs its loop (STYLE.md §3): drain
//! outputs and events, arm the timer, wait for one input.

use crate::conn::{self, IoEvent};
use crate::Command;
use hangups_core::adapter::{Delivery, QueueSender};
use hangups_core::client::{Client as Core, ConnId, Event, Input, Output};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::{mpsc, oneshot};
use tokio::task::AbortHandle;

/// The driver's side of the event queue.
pub(crate) type EventTx = (mpsc::UnboundedSender<Delivery>, QueueSender);

struct Conn {
    writes: mpsc::UnboundedSender<Vec<u8>>,
    task: AbortHandle,
}

pub(crate) struct Driver {
    core: Core,
    tls: Arc<rustls::ClientConfig>,
    commands: mpsc::UnboundedReceiver<Command>,
    events: mpsc::UnboundedSender<Delivery>,
    /// Bounds what `events` holds (see `hangups_core::adapter::event_queue`).
    queue: QueueSender,
    io_tx: mpsc::UnboundedSender<IoEvent>,
    io_rx: mpsc::UnboundedReceiver<IoEvent>,
    conns: HashMap<ConnId, Conn>,
    /// The calls in flight and where their answers go.
    calls: hangups_core::adapter::Calls,
    disconnect_waiters: Vec<oneshot::Sender<()>>,
    /// Signs in again on `Event::SessionExpired` (see `auth.rs`).
    renewer: Option<crate::auth::Renewer>,
}

impl Driver {
    pub(crate) fn new(
        core: Core,
        tls: Arc<rustls::ClientConfig>,
        commands: mpsc::UnboundedReceiver<Command>,
        (events, queue): EventTx,
    ) -> Self {
        let (io_tx, io_rx) = mpsc::unbounded_channel();
        Driver {
            core,
            tls,
            commands,
            events,
            queue,
            io_tx,
            io_rx,
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

    pub(crate) async fn run(mut self) {
        loop {
            // 1. drain
            if self.drain() {
                break;
            }
            // 2. arm
            let deadline = self.core.poll_timeout().map(tokio::time::Instant::from_std);
            // 3. one input
            tokio::select! {
                Some(io) = self.io_rx.recv() => {
                    let now = Instant::now();
                    match io {
                        IoEvent::Connected(c) => self.core.handle_input(now, Input::Connected(c)),
                        IoEvent::Data(c, bytes) => self.core.handle_input(now, Input::Data(c, &bytes)),
                        IoEvent::Closed(c) => {
                            self.conns.remove(&c);
                            self.core.handle_input(now, Input::Closed(c));
                        }
                    }
                }
                command = self.commands.recv() => self.command(command),
                () = sleep_until(deadline) => self.core.handle_timeout(Instant::now()),
            }
        }
        for (_, c) in self.conns.drain() {
            c.task.abort();
        }
        for w in self.disconnect_waiters.drain(..) {
            let _ = w.send(());
        }
    }

    fn command(&mut self, command: Option<Command>) {
        let now = Instant::now();
        match command {
            Some(Command::Request(req, reply)) => {
                let reply = Box::new(move |r| {
                    let _ = reply.send(r);
                });
                self.calls.request(&mut self.core, now, req, reply);
            }
            Some(Command::Upload(name, image, reply)) => {
                let reply = Box::new(move |r| {
                    let _ = reply.send(r);
                });
                self.calls.upload(&mut self.core, now, &name, image, reply);
            }
            Some(Command::SetActive) => self.core.set_active(now),
            Some(Command::Renewed(result)) => {
                let unix = crate::auth::unix_secs();
                hangups_core::adapter::apply_renewal(&mut self.core, now, unix, result);
            }
            Some(Command::Disconnect(done)) => {
                self.disconnect_waiters.push(done);
                self.core.disconnect(now);
            }
            // Every handle is gone.
            None => self.core.disconnect(now),
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
                    let (writes, rx) = mpsc::unbounded_channel();
                    let tls = tls.then(|| self.tls.clone());
                    let target = conn::Target {
                        host,
                        port,
                        tls,
                        via,
                    };
                    let task = tokio::spawn(conn::run(conn, target, rx, self.io_tx.clone()));
                    self.conns.insert(
                        conn,
                        Conn {
                            writes,
                            task: task.abort_handle(),
                        },
                    );
                }
                Output::Transmit { conn, bytes } => {
                    if let Some(c) = self.conns.get(&conn) {
                        let _ = c.writes.send(bytes);
                    }
                }
                Output::Close { conn } => {
                    if let Some(c) = self.conns.remove(&conn) {
                        c.task.abort();
                    }
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

pub(crate) async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
