//! The drive loop on a plain thread, over blocking std sockets: the same
//! [`Conns`] bookkeeping (TLS, tunnels) and the same [`Host`]s as the
//! async loop, waiting on one channel for socket news, commands and the
//! machine's deadline. hangups-blocking is a facade over this module.

mod sockets;
mod wait;

pub use wait::{block_on, block_on_until};

use std::convert::Infallible;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hangups_core::api::Cookies;
use hangups_core::auth::{AuthConfig, Credentials, Grant, TokenStore};
use hangups_core::machine::Machine;
use hangups_credentials::{CredentialsPrompt, Next, NoPrompt, RunOutcome, SignInPlan};

use crate::client::{new_core, Client, Events};
use crate::conns::{Conns, SocketAction, TlsRoots};
use crate::drive::Host;
use crate::host::{ClientHost, Command, CommandSink, Renewer, SpawnLogin};
use crate::start::{start_login, LoginHost};
use crate::{Config, Error};
use sockets::{SockEvent, Socket};

/// Names a client driven on a thread of its own over blocking sockets
/// (`Client<Blocking>`); hangups-blocking wraps it in blocking calls.
#[derive(Debug, Clone, Copy, Default)]
pub struct Blocking;

/// What the loop's one channel carries.
pub(crate) enum Msg<C> {
    Io(SockEvent),
    Command(C),
}

/// Both ends of a loop's channel.
type Channel<C> = (Sender<Msg<C>>, Receiver<Msg<C>>);

/// Runs `machine` with `host` until the host ends it.
fn drive<M: Machine, H: Host<M>>(
    machine: &mut M,
    host: &mut H,
    mut conns: Conns,
    (tx, rx): Channel<H::Command>,
    connect_timeout: Duration,
) where
    H::Command: Send,
{
    let mut sockets = std::collections::HashMap::new();
    let mut finished = false;
    loop {
        loop {
            conns.apply_all(machine);
            let mut any = false;
            while let Some(event) = machine.poll_event() {
                any = true;
                finished |= host.event(machine, event).is_break();
            }
            while let Some(action) = conns.poll_action() {
                any = true;
                match action {
                    SocketAction::Open { id, host, port } => {
                        let io = tx.clone();
                        let report = move |event| io.send(Msg::Io(event)).is_ok();
                        let socket = Socket::open(id, host, port, connect_timeout, report);
                        sockets.insert(id, socket);
                    }
                    SocketAction::Write { id, bytes } => {
                        if let Some(socket) = sockets.get(&id) {
                            socket.write(bytes);
                        }
                    }
                    SocketAction::Close { id } => {
                        sockets.remove(&id);
                    }
                }
            }
            if !any {
                break;
            }
        }
        if finished || host.is_finished() {
            break;
        }
        let msg = match machine.poll_timeout() {
            Some(at) => match rx.recv_timeout(at.saturating_duration_since(Instant::now())) {
                Ok(msg) => Some(msg),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => break,
            },
            None => match rx.recv() {
                Ok(msg) => Some(msg),
                Err(_) => break,
            },
        };
        let now = Instant::now();
        match msg {
            None => machine.handle_timeout(now),
            Some(Msg::Command(command)) => host.command(machine, now, command),
            Some(Msg::Io(SockEvent::Connected(id))) => conns.on_connected(machine, now, id),
            Some(Msg::Io(SockEvent::Data(id, bytes))) => conns.on_data(machine, now, id, &bytes),
            Some(Msg::Io(SockEvent::Closed(id))) => {
                sockets.remove(&id);
                conns.on_closed(machine, now, id);
            }
        }
    }
    // Dropping the sockets shuts them down.
    sockets.clear();
}

impl Client<Blocking> {
    /// Starts a client with `cookies` on a thread of its own and connects
    /// its push channel; returns at once. [`Error::Closed`] if the thread
    /// cannot be started.
    pub fn connect_blocking(cookies: Cookies, config: Config) -> Result<(Self, Events), Error> {
        let roots = TlsRoots::new(&config.extra_root_certs_pem)?;
        let capacity = config.event_queue_capacity;
        let timeout = config.client.request_timeout;
        let core = new_core(cookies, config)?;
        spawn_client(core, roots, capacity, timeout, |_| None)
    }

    /// [`Client::connect_with_store`](crate::Client::connect_with_store),
    /// on a thread of its own; signing in runs on the calling thread, and
    /// later on threads of their own.
    pub fn connect_with_store_blocking<S: TokenStore + Send + 'static>(
        mut store: S,
        mut config: Config,
    ) -> Result<(Self, Events), Error> {
        let cookies = match store.cookies() {
            Some(cookies) => cookies,
            None => get_auth_blocking(&mut NoPrompt, &mut store, &config)?.cookies,
        };
        let roots = TlsRoots::new(&config.extra_root_certs_pem)?;
        let auth = config.auth_config(|name| std::env::var(name).ok());
        config.client.renew_session = true;
        let capacity = config.event_queue_capacity;
        let timeout = config.client.request_timeout;
        let core = new_core(cookies, config)?;
        let spawn = login_spawner(roots.clone(), timeout);
        let store = Arc::new(Mutex::new(store));
        spawn_client(core, roots, capacity, timeout, |reply| {
            Some(Renewer {
                store,
                auth,
                spawn,
                reply,
            })
        })
    }
}

impl crate::ChatClient<Blocking> {
    /// Starts a Google Chat client with `config` on a thread of its own
    /// (see [`ChatClient::start`](crate::ChatClient::start)).
    pub fn start_blocking(
        config: hangups_core::chat::ChatConfig,
        extra_root_certs_pem: &[String],
    ) -> Result<Self, Error> {
        Self::start_blocking_with(config, extra_root_certs_pem, None)
    }

    /// [`start_blocking`](Self::start_blocking) keeping a user's refresh
    /// token in `store` (see
    /// [`ChatClient::start_with_store`](crate::ChatClient::start_with_store)).
    pub fn start_blocking_with_store(
        config: hangups_core::chat::ChatConfig,
        extra_root_certs_pem: &[String],
        store: impl hangups_core::auth::TokenStore + Send + 'static,
    ) -> Result<Self, Error> {
        Self::start_blocking_with(config, extra_root_certs_pem, Some(Box::new(store)))
    }

    fn start_blocking_with(
        config: hangups_core::chat::ChatConfig,
        extra_root_certs_pem: &[String],
        store: Option<crate::chat::ChatStore>,
    ) -> Result<Self, Error> {
        let roots = TlsRoots::new(extra_root_certs_pem)?;
        let timeout = config.request_timeout;
        let mut core = crate::chat::new_core(config)?;
        let (tx, rx) = mpsc::channel::<Msg<crate::chat::ChatCommand>>();
        let commands = tx.clone();
        let sink: crate::chat::ChatSink =
            Arc::new(move |command| commands.send(Msg::Command(command)).is_ok());
        let mut host = crate::chat::ChatHost::with_store(store);
        std::thread::Builder::new()
            .name("hangups-chat".into())
            .spawn(move || drive(&mut core, &mut host, Conns::new(roots), (tx, rx), timeout))
            .map_err(|_| Error::Closed)?;
        Ok(crate::ChatClient::from_sink(sink))
    }
}

fn spawn_client(
    mut core: hangups_core::client::Client,
    roots: TlsRoots,
    capacity: usize,
    connect_timeout: Duration,
    renewer: impl FnOnce(CommandSink) -> Option<Renewer>,
) -> Result<(Client<Blocking>, Events), Error> {
    let (tx, rx) = mpsc::channel::<Msg<Command>>();
    let commands = tx.clone();
    let sink: CommandSink = Arc::new(move |command| commands.send(Msg::Command(command)).is_ok());
    let (event_tx, events) = Events::channel(capacity);
    let mut host = ClientHost::new(event_tx, renewer(sink.clone()));
    std::thread::Builder::new()
        .name("hangups-driver".into())
        .spawn(move || {
            drive(
                &mut core,
                &mut host,
                Conns::new(roots),
                (tx, rx),
                connect_timeout,
            );
            host.finish();
        })
        .map_err(|_| Error::Closed)?;
    Ok((Client::from_sink(sink), events))
}

fn login_spawner(roots: TlsRoots, connect_timeout: Duration) -> SpawnLogin {
    Arc::new(move |auth, grant, done| {
        let roots = roots.clone();
        let spawned = std::thread::Builder::new()
            .name("hangups-login".into())
            .spawn(move || done(run_login_blocking(&auth, roots, grant, connect_timeout)));
        if let Err(e) = spawned {
            tracing::warn!(error = %e, "cannot start a thread to sign in again");
        }
    })
}

/// Runs the core's [`Login`](hangups_core::auth::Login) from `grant` to its
/// end on this thread.
pub fn run_login_blocking(
    auth: &AuthConfig,
    roots: TlsRoots,
    grant: Grant,
    connect_timeout: Duration,
) -> RunOutcome {
    let mut login = match start_login(auth, grant) {
        Ok(login) => login,
        Err(outcome) => return outcome,
    };
    let mut host = LoginHost::default();
    let channel = mpsc::channel::<Msg<Infallible>>();
    drive(
        &mut login,
        &mut host,
        Conns::new(roots),
        channel,
        connect_timeout,
    );
    host.into_outcome()
}

/// [`get_auth_with`](crate::get_auth_with) on this thread.
pub fn get_auth_blocking<P: CredentialsPrompt, S: TokenStore>(
    prompt: &mut P,
    store: &mut S,
    config: &Config,
) -> Result<Credentials, Error> {
    let roots = TlsRoots::new(&config.extra_root_certs_pem)?;
    let auth = config.auth_config(|name| std::env::var(name).ok());
    let timeout = config.client.request_timeout;
    let mut plan = SignInPlan::new(auth.login_url());
    let mut outcome = None;
    loop {
        match plan.next(store, prompt, outcome.take()) {
            Next::Run(grant) => {
                outcome = Some(run_login_blocking(&auth, roots.clone(), grant, timeout))
            }
            Next::Finished(result) => return Ok(result?),
        }
    }
}
