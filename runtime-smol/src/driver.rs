//! The driver task: owns the core and runs its loop (STYLE.md §3): drain
//! outputs and events, arm the timer, wait for one input (the first of an
//! IO event, a command and the timer, raced).

use crate::conn::{self, IoEvent};
use crate::Command;
use hangups_core::adapter::{Delivery, QueueSender};
use hangups_core::client::{Client as Core, ConnId, Event, Input, Output};
use smol::channel::{self, Receiver, Sender};
use smol::future::FutureExt;
use smol::{Task, Timer};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

/// A connection task and its write queue. Dropping it drops the task,
/// which cancels it and closes its socket.
struct Conn {
    writes: Sender<Vec<u8>>,
    _task: Task<()>,
}

/// The driver's side of the event queue.
pub(crate) type EventTx = (Sender<Delivery>, QueueSender);

/// What woke the driver.
enum Wake {
    Io(IoEvent),
    Command(Option<Command>),
    Timeout,
}

pub(crate) struct Driver {
    core: Core,
    tls: Arc<rustls::ClientConfig>,
    commands: Receiver<Command>,
    events: Sender<Delivery>,
    /// Bounds what `events` holds (see `hangups_core::adapter::event_queue`).
    queue: QueueSender,
    io_tx: Sender<IoEvent>,
    io_rx: Receiver<IoEvent>,
    conns: HashMap<ConnId, Conn>,
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
        commands: Receiver<Command>,
        (events, queue): EventTx,
    ) -> Self {
        let (io_tx, io_rx) = channel::unbounded();
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
            let timer = match self.core.poll_timeout() {
                Some(at) => Timer::at(at),
                None => Timer::never(),
            };
            // 3. one input. The IO channel never closes (we hold a sender).
            let io = async { self.io_rx.recv().await.map_or(Wake::Timeout, Wake::Io) };
            let command = async { Wake::Command(self.commands.recv().await.ok()) };
            let timeout = async {
                timer.await;
                Wake::Timeout
            };
            let now = Instant::now();
            match io.race(command).race(timeout).await {
                Wake::Io(IoEvent::Connected(c)) => self.core.handle_input(now, Input::Connected(c)),
                Wake::Io(IoEvent::Data(c, bytes)) => {
                    self.core.handle_input(now, Input::Data(c, &bytes))
                }
                Wake::Io(IoEvent::Closed(c)) => {
                    self.conns.remove(&c);
                    self.core.handle_input(now, Input::Closed(c));
                }
                Wake::Command(command) => self.command(command),
                Wake::Timeout => self.core.handle_timeout(Instant::now()),
            }
        }
        // Dropping the tasks closes their connections.
        self.conns.clear();
        for w in self.disconnect_waiters.drain(..) {
            let _ = w.try_send(());
        }
    }

    fn command(&mut self, command: Option<Command>) {
        let now = Instant::now();
        match command {
            Some(Command::Request(req, reply)) => {
                let reply = Box::new(move |r| {
                    let _ = reply.try_send(r);
                });
                self.calls.request(&mut self.core, now, req, reply);
            }
            Some(Command::Upload(name, image, reply)) => {
                let reply = Box::new(move |r| {
                    let _ = reply.try_send(r);
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
                    let (writes, rx) = channel::unbounded();
                    let tls = tls.then(|| self.tls.clone());
                    let target = conn::Target {
                        host,
                        port,
                        tls,
                        via,
                    };
                    let task = smol::spawn(conn::run(conn, target, rx, self.io_tx.clone()));
                    self.conns.insert(
                        conn,
                        Conn {
                            writes,
                            _task: task,
                        },
                    );
                }
                Output::Transmit { conn, bytes } => {
                    if let Some(c) = self.conns.get(&conn) {
                        let _ = c.writes.try_send(bytes);
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
                let _ = events.try_send(d);
            });
        }
        closed
    }
}
