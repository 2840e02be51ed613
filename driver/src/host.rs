//! The chat client's side of a drive loop, written once for every
//! runtime: the commands its handles send, where each event goes (a call's
//! answer to its caller, the rest onto the bounded event queue), and
//! signing in again when the server refuses the session cookies.

use std::ops::ControlFlow;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use hangups_core::api::{ApiRequest, Cookies};
use hangups_core::auth::{AuthConfig, AuthError, Grant, TokenStore};
use hangups_core::client::{Client as Core, Event};
use hangups_credentials::RunOutcome;

use crate::calls::{apply_renewal, Calls, RequestReply, UploadReply};
use crate::drive::Host;
use crate::queue::{Delivery, QueueSender};

/// What a handle asks of the drive loop.
pub enum Command {
    /// A chat API call.
    Request(ApiRequest, RequestReply),
    /// An image upload.
    Upload(String, Vec<u8>, UploadReply),
    /// Become the active client.
    SetActive,
    /// Close; the callback runs once the loop has stopped.
    Disconnect(Box<dyn FnOnce() + Send>),
    /// The result of signing in again after `Event::SessionExpired`.
    Renewed(Result<Cookies, AuthError>),
    /// The last handle was dropped.
    HandlesGone,
}

impl std::fmt::Debug for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = match self {
            Command::Request(request, _) => request.name(),
            Command::Upload(..) => "Upload",
            Command::SetActive => "SetActive",
            Command::Disconnect(_) => "Disconnect",
            Command::Renewed(_) => "Renewed",
            Command::HandlesGone => "HandlesGone",
        };
        f.write_str(name)
    }
}

/// Sends a command to the drive loop; `false` once it has stopped.
pub(crate) type CommandSink = Arc<dyn Fn(Command) -> bool + Send + Sync>;

/// Runs a sign-in flow somewhere (a task, a thread) and hands its outcome
/// to the callback.
pub(crate) type SpawnLogin =
    Arc<dyn Fn(AuthConfig, Grant, Box<dyn FnOnce(RunOutcome) + Send>) + Send + Sync>;

/// What a client that keeps its refresh token signs in again with.
pub(crate) struct Renewer {
    pub(crate) store: Arc<Mutex<dyn TokenStore + Send>>,
    pub(crate) auth: AuthConfig,
    pub(crate) spawn: SpawnLogin,
    pub(crate) reply: CommandSink,
}

impl Renewer {
    /// Signs in again in the background; the result comes back to the
    /// drive loop as [`Command::Renewed`].
    fn start(&self) {
        let token = lock(&self.store).refresh_token();
        let Some(token) = token else {
            (self.reply)(Command::Renewed(Err(AuthError::NoRefreshToken)));
            return;
        };
        let store = self.store.clone();
        let reply = self.reply.clone();
        let done = Box::new(move |outcome: RunOutcome| {
            let result = outcome.settle_renewal(&mut *lock(&store));
            reply(Command::Renewed(result));
        });
        (self.spawn)(self.auth.clone(), Grant::RefreshToken(token), done);
    }
}

fn lock<T: ?Sized>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The chat client's host.
pub(crate) struct ClientHost {
    calls: Calls,
    events: async_channel::Sender<Delivery>,
    queue: QueueSender,
    renewer: Option<Renewer>,
    disconnect_waiters: Vec<Box<dyn FnOnce() + Send>>,
}

impl ClientHost {
    pub(crate) fn new(
        (events, queue): (async_channel::Sender<Delivery>, QueueSender),
        renewer: Option<Renewer>,
    ) -> Self {
        ClientHost {
            calls: Calls::default(),
            events,
            queue,
            renewer,
            disconnect_waiters: Vec::new(),
        }
    }

    /// The loop has stopped: tells whoever waits for it.
    pub(crate) fn finish(self) {
        for waiter in self.disconnect_waiters {
            waiter();
        }
    }
}

impl Host<Core> for ClientHost {
    type Command = Command;

    fn command(&mut self, core: &mut Core, now: Instant, command: Command) {
        match command {
            Command::Request(request, reply) => self.calls.request(core, now, request, reply),
            Command::Upload(name, image, reply) => {
                self.calls.upload(core, now, &name, image, reply)
            }
            Command::SetActive => core.set_active(now),
            Command::Renewed(result) => apply_renewal(core, now, crate::unix_secs(), result),
            Command::Disconnect(done) => {
                self.disconnect_waiters.push(done);
                core.disconnect(now);
            }
            Command::HandlesGone => core.disconnect(now),
        }
    }

    fn event(&mut self, _: &mut Core, event: Event) -> ControlFlow<()> {
        let Some(event) = self.calls.route(event) else {
            return ControlFlow::Continue(());
        };
        if let (Event::SessionExpired, Some(renewer)) = (&event, &self.renewer) {
            tracing::info!("session cookies refused; signing in again");
            renewer.start();
        }
        let closed = matches!(event, Event::Closed { .. });
        let events = &self.events;
        self.queue.offer(event, |delivery| {
            let _ = events.try_send(delivery);
        });
        if closed {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }
}
