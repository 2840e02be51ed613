//! Starting things on an async [`Runtime`]: a chat client (its drive loop
//! spawned as one task), and sign-in flows (driven inside the caller's
//! future). The facades (hangups-tokio, hangups-smol) call these with
//! their runtime.

use std::convert::Infallible;
use std::ops::ControlFlow;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use hangups_core::api::Cookies;
use hangups_core::auth::{
    AuthConfig, AuthError, Credentials, Grant, Login, LoginEvent, TokenStore,
};
use hangups_core::chat::ChatConfig;
use hangups_core::machine::Machine;
use hangups_credentials::{CredentialsPrompt, Next, NoPrompt, RunOutcome, SignInPlan};

use crate::chat::{ChatClient, ChatCommand, ChatHost, ChatSink};
use crate::client::{new_core, Client, Events};
use crate::conns::{Conns, TlsRoots};
use crate::drive::{Drive, Host};
use crate::host::{ClientHost, Command, CommandSink, Renewer, SpawnLogin};
use crate::runtime::Runtime;
use crate::{Config, Error};

impl<R: Runtime + Default> Client<R> {
    /// Starts a client with `cookies` and connects its push channel; its
    /// drive loop is spawned on `R` (for tokio: inside a tokio runtime).
    pub async fn connect(cookies: Cookies, config: Config) -> Result<(Self, Events), Error> {
        Self::connect_on(R::default(), cookies, config).await
    }

    /// Signs in from `store` without asking anyone (its session cookies
    /// if it keeps them, else its refresh token), connects, and from then
    /// on renews the session by itself: when the server refuses the
    /// cookies (HTTP 401), the client signs in again with the refresh
    /// token, once, and sends the refused calls again. A refused refresh
    /// token is removed from the store and the calls fail with the 401.
    pub async fn connect_with_store<S: TokenStore + Send + 'static>(
        store: S,
        config: Config,
    ) -> Result<(Self, Events), Error> {
        Self::connect_with_store_on(R::default(), store, config).await
    }
}

impl<R: Runtime> Client<R> {
    /// [`connect`](Self::connect) on this runtime value.
    pub async fn connect_on(
        runtime: R,
        cookies: Cookies,
        config: Config,
    ) -> Result<(Self, Events), Error> {
        let roots = TlsRoots::new(&config.extra_root_certs_pem)?;
        let capacity = config.event_queue_capacity;
        let core = new_core(cookies, config)?;
        Ok(spawn_client(runtime, core, roots, capacity, |_| None))
    }

    /// [`connect_with_store`](Self::connect_with_store) on this runtime value.
    pub async fn connect_with_store_on<S: TokenStore + Send + 'static>(
        runtime: R,
        mut store: S,
        mut config: Config,
    ) -> Result<(Self, Events), Error> {
        let cookies = match store.cookies() {
            Some(cookies) => cookies,
            None => {
                get_auth_with(&runtime, &mut NoPrompt, &mut store, &config)
                    .await?
                    .cookies
            }
        };
        let roots = TlsRoots::new(&config.extra_root_certs_pem)?;
        let auth = config.auth_config(|name| std::env::var(name).ok());
        config.client.renew_session = true;
        let capacity = config.event_queue_capacity;
        let core = new_core(cookies, config)?;
        let spawn = login_spawner(runtime.clone(), roots.clone());
        let store = Arc::new(Mutex::new(store));
        Ok(spawn_client(runtime, core, roots, capacity, |reply| {
            Some(Renewer {
                store,
                auth,
                spawn,
                reply,
            })
        }))
    }
}

/// Spawns the drive loop of `core`; `renewer` gets the loop's command sink.
fn spawn_client<R: Runtime>(
    runtime: R,
    core: hangups_core::client::Client,
    roots: TlsRoots,
    capacity: usize,
    renewer: impl FnOnce(CommandSink) -> Option<Renewer>,
) -> (Client<R>, Events) {
    let (tx, rx) = async_channel::unbounded::<Command>();
    let sink: CommandSink = Arc::new(move |command| tx.try_send(command).is_ok());
    let (event_tx, events) = Events::channel(capacity);
    let host = ClientHost::new(event_tx, renewer(sink.clone()));
    spawn_machine(runtime, core, host, roots, rx, ClientHost::finish);
    (Client::from_sink(sink), events)
}

/// Spawns the drive loop of `machine` with `host` on `runtime`, taking
/// commands from `commands`; `finish` gets the host once the loop ended.
fn spawn_machine<M, H, R>(
    runtime: R,
    machine: M,
    host: H,
    roots: TlsRoots,
    commands: async_channel::Receiver<H::Command>,
    finish: fn(H),
) where
    M: Machine + Send + 'static,
    H: Host<M> + Send + 'static,
    R: Runtime,
{
    let mut drive = Drive::new(
        runtime.clone(),
        machine,
        host,
        Conns::new(roots),
        Some(commands),
    );
    runtime.spawn(Box::pin(async move {
        (&mut drive).await;
        finish(drive.into_host());
    }));
}

impl<R: Runtime + Default> ChatClient<R> {
    /// Starts a Google Chat client with `config` (see
    /// [`ChatConfig`](hangups_core::chat::ChatConfig)) on `R`, trusting
    /// `extra_root_certs_pem` besides the webpki roots (for an emulator's
    /// certificate; empty for Google).
    pub fn start(config: ChatConfig, extra_root_certs_pem: &[String]) -> Result<Self, Error> {
        Self::start_on(R::default(), config, extra_root_certs_pem)
    }

    /// [`start`](Self::start) keeping a user's refresh token in `store`:
    /// the one the code exchange (or a rotation) brings is saved, and one
    /// the token endpoint refuses (`invalid_grant`) is forgotten. See
    /// [`oauth`](crate::oauth).
    pub fn start_with_store(
        config: ChatConfig,
        extra_root_certs_pem: &[String],
        store: impl hangups_core::auth::TokenStore + Send + 'static,
    ) -> Result<Self, Error> {
        Self::start_on_with_store(R::default(), config, extra_root_certs_pem, store)
    }
}

impl<R: Runtime> ChatClient<R> {
    /// [`start`](Self::start) on this runtime value.
    pub fn start_on(
        runtime: R,
        config: ChatConfig,
        extra_root_certs_pem: &[String],
    ) -> Result<Self, Error> {
        Self::start_on_with(runtime, config, extra_root_certs_pem, None)
    }

    /// [`start_with_store`](Self::start_with_store) on this runtime value.
    pub fn start_on_with_store(
        runtime: R,
        config: ChatConfig,
        extra_root_certs_pem: &[String],
        store: impl hangups_core::auth::TokenStore + Send + 'static,
    ) -> Result<Self, Error> {
        Self::start_on_with(runtime, config, extra_root_certs_pem, Some(Box::new(store)))
    }

    fn start_on_with(
        runtime: R,
        config: ChatConfig,
        extra_root_certs_pem: &[String],
        store: Option<crate::chat::ChatStore>,
    ) -> Result<Self, Error> {
        let roots = TlsRoots::new(extra_root_certs_pem)?;
        let core = crate::chat::new_core(config)?;
        let (tx, rx) = async_channel::unbounded::<ChatCommand>();
        let sink: ChatSink = Arc::new(move |command| tx.try_send(command).is_ok());
        spawn_machine(runtime, core, ChatHost::with_store(store), roots, rx, drop);
        Ok(ChatClient::from_sink(sink))
    }
}

/// Runs sign-ins as tasks on `runtime`.
fn login_spawner<R: Runtime>(runtime: R, roots: TlsRoots) -> SpawnLogin {
    Arc::new(move |auth, grant, done| {
        let (inner, roots) = (runtime.clone(), roots.clone());
        runtime.spawn(Box::pin(async move {
            done(run_login(inner, &auth, roots, grant).await);
        }));
    })
}

/// The sign-in flow's side of a drive loop.
#[derive(Default)]
pub(crate) struct LoginHost {
    new_refresh_token: Option<hangups_core::auth::RefreshToken>,
    pub(crate) outcome: Option<RunOutcome>,
}

impl Host<Login> for LoginHost {
    type Command = Infallible;
    fn command(&mut self, _: &mut Login, _: Instant, command: Infallible) {
        match command {}
    }
    fn event(&mut self, _: &mut Login, event: LoginEvent) -> ControlFlow<()> {
        match event {
            LoginEvent::NewRefreshToken(token) => self.new_refresh_token = Some(token),
            LoginEvent::Finished(result) => {
                self.outcome = Some(RunOutcome {
                    new_refresh_token: self.new_refresh_token.take(),
                    result,
                });
                return ControlFlow::Break(());
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }
}

impl LoginHost {
    /// The outcome, once the flow has finished.
    pub(crate) fn into_outcome(self) -> RunOutcome {
        self.outcome
            .unwrap_or_else(|| RunOutcome::from(Err(AuthError::NoAuthCode)))
    }
}

/// A started [`Login`] for `grant`, or the outcome if it cannot start.
pub(crate) fn start_login(auth: &AuthConfig, grant: Grant) -> Result<Login, RunOutcome> {
    let now = Instant::now();
    let mut login =
        Login::new(auth.clone(), now, crate::unix_secs()).map_err(|e| RunOutcome::from(Err(e)))?;
    login
        .start(now, grant)
        .map_err(|e| RunOutcome::from(Err(e)))?;
    Ok(login)
}

/// Runs the core's [`Login`] from `grant` to its end, inside this future.
pub async fn run_login<R: Runtime>(
    runtime: R,
    auth: &AuthConfig,
    roots: TlsRoots,
    grant: Grant,
) -> RunOutcome {
    let login = match start_login(auth, grant) {
        Ok(login) => login,
        Err(outcome) => return outcome,
    };
    let mut drive = Drive::new(
        runtime,
        login,
        LoginHost::default(),
        Conns::new(roots),
        None,
    );
    (&mut drive).await;
    drive.into_host().into_outcome()
}

/// Signs in (hangups' `get_auth`) against the servers of `config`: with
/// the refresh token in `store`, or else (or if it was revoked: it is then
/// removed) with an authorization code from `prompt`.
pub async fn get_auth_with<R: Runtime, P: CredentialsPrompt, S: TokenStore>(
    runtime: &R,
    prompt: &mut P,
    store: &mut S,
    config: &Config,
) -> Result<Credentials, Error> {
    let roots = TlsRoots::new(&config.extra_root_certs_pem)?;
    let auth = config.auth_config(|name| std::env::var(name).ok());
    let mut plan = SignInPlan::new(auth.login_url());
    let mut outcome = None;
    loop {
        match plan.next(store, prompt, outcome.take()) {
            Next::Run(grant) => {
                let run = run_login(runtime.clone(), &auth, roots.clone(), grant);
                outcome = Some(run.await);
            }
            Next::Finished(result) => return Ok(result?),
        }
    }
}
