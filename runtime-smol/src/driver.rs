//! The driver task: owns the core and runs its loop (STYLE.md §3): drain
//! outputs and events, arm the timer, wait for one input (the first of an
//! IO event, a command and the timer, raced).

use crate::conn::{self, IoEvent};
use crate::Command;
use hangups_core::api::{ApiError, ApiResponse, UploadError, UploadedImage};
use hangups_core::client::{Client as Core, ConnId, Event, Input, Output, RequestId};
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
    events: Sender<Event>,
    io_tx: Sender<IoEvent>,
    io_rx: Receiver<IoEvent>,
    conns: HashMap<ConnId, Conn>,
    requests: HashMap<RequestId, Sender<Result<ApiResponse, ApiError>>>,
    uploads: HashMap<RequestId, Sender<Result<UploadedImage, UploadError>>>,
    disconnect_waiters: Vec<Sender<()>>,
    /// Signs in again on `Event::SessionExpired` (see `auth.rs`).
    renewer: Option<crate::auth::Renewer>,
}

impl Driver {
    pub(crate) fn new(
        core: Core,
        tls: Arc<rustls::ClientConfig>,
        commands: Receiver<Command>,
        events: Sender<Event>,
    ) -> Self {
        let (io_tx, io_rx) = channel::unbounded();
        Driver {
            core,
            tls,
            commands,
            events,
            io_tx,
            io_rx,
            conns: HashMap::new(),
            requests: HashMap::new(),
            uploads: HashMap::new(),
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
            Some(Command::Request(req, reply)) => match self.core.request(now, req) {
                Ok(id) => {
                    self.requests.insert(id, reply);
                }
                Err(_) => {
                    let _ = reply.try_send(Err(ApiError::Transport("the client is closed".into())));
                }
            },
            Some(Command::Upload(name, image, reply)) => {
                match self.core.upload_image(now, &name, image) {
                    Ok(id) => {
                        self.uploads.insert(id, reply);
                    }
                    Err(_) => {
                        let _ = reply
                            .try_send(Err(UploadError::Transport("the client is closed".into())));
                    }
                }
            }
            Some(Command::SetActive) => self.core.set_active(now),
            Some(Command::Renewed(result)) => {
                let renewed = result.map_err(crate::Error::from).and_then(|cookies| {
                    let unix = crate::auth::unix_secs();
                    Ok(self.core.set_cookies(now, cookies, unix)?)
                });
                if let Err(e) = renewed {
                    tracing::warn!(error = %e, "signing in again failed");
                    self.core.session_renewal_failed(now);
                }
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
            match event {
                Event::Response { id, result } => {
                    if let Some(reply) = self.requests.remove(&id) {
                        let _ = reply.try_send(result.map(|r| *r));
                    }
                }
                Event::ImageUploaded { id, result } => {
                    if let Some(reply) = self.uploads.remove(&id) {
                        let _ = reply.try_send(result);
                    }
                }
                other => {
                    if let (Event::SessionExpired, Some(renewer)) = (&other, &self.renewer) {
                        tracing::info!("session cookies refused; signing in again");
                        renewer.start();
                    }
                    closed |= matches!(other, Event::Closed { .. });
                    let _ = self.events.try_send(other);
                }
            }
        }
        closed
    }
}
