//! Signing in over tokio: [`get_auth`] (hangups' `get_auth`), the
//! terminal version [`get_auth_stdin`], and [`Client::connect_with_store`],
//! a client that signs in again by itself when its session cookies stop
//! working. The flow itself is the core's [`Login`] machine; this module
//! only opens its connections and runs the `get_auth` policy of
//! [`hangups_credentials`].
//!
//! ```no_run
//! use hangups_tokio::{get_auth_stdin, Client, Config, FileStore};
//!
//! # async fn run() -> Result<(), hangups_tokio::Error> {
//! // First run: prints the login URL and asks for the `oauth_code`;
//! // later runs: the refresh token stored in the cache file is enough.
//! let path = FileStore::default_path().expect("a cache directory");
//! let cookies = get_auth_stdin(&path).await?;
//! let (client, _events) = Client::connect(cookies, Config::default()).await?;
//! # Ok(()) }
//! ```

use crate::conn::{self, IoEvent};
use crate::{Client, Command, Config, Error, Events};
use hangups_core::api::Cookies;
use hangups_core::auth::{AuthConfig, AuthError, Grant, Login, LoginEvent, TokenStore};
use hangups_core::client::{ConnId, Input, Output};
use hangups_credentials::{Next, RunOutcome, SignInPlan};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Instant, SystemTime, UNIX_EPOCH};
use tokio::sync::mpsc;

pub use hangups_core::auth::{Credentials, MemoryStore, RefreshToken};
pub use hangups_credentials::{CredentialsPrompt, FileStore, NoPrompt, StdinPrompt};

/// Signs in to Google (hangups' `get_auth`): with the refresh token in
/// `store`, or else (or if it was revoked: it is then removed) with an
/// authorization code from `prompt`. Returns the session cookies for
/// [`Client::connect`].
pub async fn get_auth<P: CredentialsPrompt, S: TokenStore>(
    prompt: &mut P,
    store: &mut S,
) -> Result<Cookies, Error> {
    Ok(get_auth_with(prompt, store, &Config::default())
        .await?
        .cookies)
}

/// [`get_auth`] against the servers of `config` (e.g. an emulator), and
/// with everything the flow yields.
pub async fn get_auth_with<P: CredentialsPrompt, S: TokenStore>(
    prompt: &mut P,
    store: &mut S,
    config: &Config,
) -> Result<Credentials, Error> {
    let tls = crate::tls::client_config(&config.extra_root_certs_pem)?;
    let auth = config.auth_config(|name| std::env::var(name).ok());
    let mut plan = SignInPlan::new(auth.login_url());
    let mut outcome = None;
    loop {
        match plan.next(store, prompt, outcome.take()) {
            Next::Run(grant) => outcome = Some(run_login(&auth, &tls, grant).await),
            Next::Finished(result) => return Ok(result?),
        }
    }
}

/// [`get_auth`] with the refresh token cached in the file at `path` and
/// the manual login on the terminal (hangups' `get_auth_stdin`).
pub async fn get_auth_stdin(path: impl AsRef<Path>) -> Result<Cookies, Error> {
    get_auth_stdin_with(path, &Config::default()).await
}

/// [`get_auth_stdin`] against the servers of `config`.
pub async fn get_auth_stdin_with(
    path: impl AsRef<Path>,
    config: &Config,
) -> Result<Cookies, Error> {
    let mut store = FileStore::new(path.as_ref());
    let creds = get_auth_with(&mut StdinPrompt, &mut store, config).await?;
    Ok(creds.cookies)
}

impl Client {
    /// Signs in from `store` without asking anyone (its session cookies
    /// if it keeps them, else its refresh token), connects, and from then
    /// on renews the session by itself: when the server refuses the
    /// cookies (HTTP 401), the client signs in again with the refresh
    /// token, once, and sends the refused calls again. A refused refresh
    /// token is removed from the store and the calls fail with the 401.
    pub async fn connect_with_store<S: TokenStore + Send + 'static>(
        mut store: S,
        mut config: Config,
    ) -> Result<(Client, Events), Error> {
        let cookies = match store.cookies() {
            Some(cookies) => cookies,
            None => {
                get_auth_with(&mut NoPrompt, &mut store, &config)
                    .await?
                    .cookies
            }
        };
        let tls = crate::tls::client_config(&config.extra_root_certs_pem)?;
        let auth = config.auth_config(|name| std::env::var(name).ok());
        config.client.renew_session = true;
        let capacity = config.event_queue_capacity;
        let mut core_config = config.into_core(cookies, |name| std::env::var(name).ok());
        core_config.rng_seed = crate::os_seed();
        let mut core = hangups_core::client::Client::new(core_config, Instant::now(), unix_secs())?;
        core.connect(Instant::now());
        let (commands, command_rx) = mpsc::unbounded_channel();
        let (event_tx, events) = Events::channel(capacity);
        let renewer = Renewer {
            store: Arc::new(Mutex::new(store)),
            auth,
            tls: tls.clone(),
            commands: commands.clone(),
        };
        let driver =
            crate::driver::Driver::new(core, tls, command_rx, event_tx).with_renewer(renewer);
        tokio::spawn(driver.run());
        Ok((Client { commands }, events))
    }
}

/// What a client made by [`Client::connect_with_store`] signs in again with.
#[derive(Clone)]
pub(crate) struct Renewer {
    store: Arc<Mutex<dyn TokenStore + Send>>,
    auth: AuthConfig,
    tls: Arc<rustls::ClientConfig>,
    commands: mpsc::UnboundedSender<Command>,
}

impl Renewer {
    /// Signs in again on a task of its own; the result comes back to the
    /// driver as [`Command::Renewed`].
    pub(crate) fn start(&self) {
        let this = self.clone();
        tokio::spawn(async move {
            let result = this.renew().await;
            let _ = this.commands.send(Command::Renewed(result));
        });
    }

    async fn renew(&self) -> Result<Cookies, AuthError> {
        let token = self.lock().refresh_token();
        let token = token.ok_or(AuthError::NoRefreshToken)?;
        let outcome = run_login(&self.auth, &self.tls, Grant::RefreshToken(token)).await;
        outcome.settle_renewal(&mut *self.lock())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, dyn TokenStore + Send + 'static> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The wall clock in Unix seconds (0 if it is before 1970).
pub(crate) fn unix_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Runs the core's [`Login`] from `grant` to its end over tokio
/// connections (the same connection tasks as the client's).
async fn run_login(auth: &AuthConfig, tls: &Arc<rustls::ClientConfig>, grant: Grant) -> RunOutcome {
    let mut login = match Login::new(auth.clone(), Instant::now(), unix_secs()) {
        Ok(login) => login,
        Err(e) => return RunOutcome::from(Err(e)),
    };
    if let Err(e) = login.start(Instant::now(), grant) {
        return RunOutcome::from(Err(e));
    }
    let (io_tx, mut io_rx) = mpsc::unbounded_channel();
    let mut conns: HashMap<ConnId, (mpsc::UnboundedSender<Vec<u8>>, tokio::task::AbortHandle)> =
        HashMap::new();
    let mut new_refresh_token = None;
    loop {
        while let Some(out) = login.poll_output() {
            match out {
                Output::Connect {
                    conn,
                    host,
                    port,
                    tls: use_tls,
                    via,
                } => {
                    let (writes, rx) = mpsc::unbounded_channel();
                    let target = conn::Target {
                        host,
                        port,
                        tls: use_tls.then(|| tls.clone()),
                        via,
                    };
                    let task = tokio::spawn(conn::run(conn, target, rx, io_tx.clone()));
                    conns.insert(conn, (writes, task.abort_handle()));
                }
                Output::Transmit { conn, bytes } => {
                    if let Some((writes, _)) = conns.get(&conn) {
                        let _ = writes.send(bytes);
                    }
                }
                Output::Close { conn } => {
                    if let Some((_, task)) = conns.remove(&conn) {
                        task.abort();
                    }
                }
            }
        }
        while let Some(event) = login.poll_event() {
            match event {
                LoginEvent::NewRefreshToken(token) => new_refresh_token = Some(token),
                LoginEvent::Finished(result) => {
                    for (_, (_, task)) in conns.drain() {
                        task.abort();
                    }
                    return RunOutcome {
                        new_refresh_token,
                        result,
                    };
                }
                _ => {}
            }
        }
        let deadline = login.poll_timeout().map(tokio::time::Instant::from_std);
        tokio::select! {
            Some(io) = io_rx.recv() => {
                let now = Instant::now();
                match io {
                    IoEvent::Connected(c) => login.handle_input(now, Input::Connected(c)),
                    IoEvent::Data(c, bytes) => login.handle_input(now, Input::Data(c, &bytes)),
                    IoEvent::Closed(c) => {
                        conns.remove(&c);
                        login.handle_input(now, Input::Closed(c));
                    }
                }
            }
            () = crate::driver::sleep_until(deadline) => login.handle_timeout(Instant::now()),
        }
    }
}
