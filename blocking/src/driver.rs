//! The driver thread: owns the core and runs its loop (STYLE.md §3): drain
//! outputs and events, then wait on the one channel for an IO event or a
//! command until the core's deadline.

use crate::conn::{self, IoEvent};
use crate::{Command, Msg};
use hangups_core::api::{ApiError, ApiResponse, UploadError, UploadedImage};
use hangups_core::client::{Client as Core, ConnId, Event, Input, Output, RequestId};
use std::collections::HashMap;
use std::sync::mpsc::{Receiver, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub(crate) struct Driver {
    core: Core,
    tls: Arc<rustls::ClientConfig>,
    connect_timeout: Duration,
    /// Cloned into every connection's threads.
    tx: Sender<Msg>,
    rx: Receiver<Msg>,
    events: Sender<Event>,
    /// Dropping one closes its connection.
    conns: HashMap<ConnId, conn::Handle>,
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
        connect_timeout: Duration,
        tx: Sender<Msg>,
        rx: Receiver<Msg>,
        events: Sender<Event>,
    ) -> Self {
        Driver {
            core,
            tls,
            connect_timeout,
            tx,
            rx,
            events,
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
            Command::Request(req, reply) => match self.core.request(now, req) {
                Ok(id) => {
                    self.requests.insert(id, reply);
                }
                Err(_) => {
                    let _ = reply.send(Err(ApiError::Transport("the client is closed".into())));
                }
            },
            Command::Upload(name, image, reply) => {
                match self.core.upload_image(now, &name, image) {
                    Ok(id) => {
                        self.uploads.insert(id, reply);
                    }
                    Err(_) => {
                        let _ =
                            reply.send(Err(UploadError::Transport("the client is closed".into())));
                    }
                }
            }
            Command::SetActive => self.core.set_active(now),
            Command::Renewed(result) => {
                let renewed = result.map_err(crate::Error::from).and_then(|cookies| {
                    let unix = crate::auth::unix_secs();
                    Ok(self.core.set_cookies(now, cookies, unix)?)
                });
                if let Err(e) = renewed {
                    tracing::warn!(error = %e, "signing in again failed");
                    self.core.session_renewal_failed(now);
                }
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
            match event {
                Event::Response { id, result } => {
                    if let Some(reply) = self.requests.remove(&id) {
                        let _ = reply.send(result.map(|r| *r));
                    }
                }
                Event::ImageUploaded { id, result } => {
                    if let Some(reply) = self.uploads.remove(&id) {
                        let _ = reply.send(result);
                    }
                }
                other => {
                    if let (Event::SessionExpired, Some(renewer)) = (&other, &self.renewer) {
                        tracing::info!("session cookies refused; signing in again");
                        renewer.start();
                    }
                    closed |= matches!(other, Event::Closed { .. });
                    let _ = self.events.send(other);
                }
            }
        }
        closed
    }
}
