//! Reaching a server: the embedded emulator (no `--url`, no
//! `--token-path`; the lively world on), a running emulator (`--url
//! http://HOST:PORT`: the session and refresh token from its control
//! API), or Google (`--url google` or a `--token-path`: hangups' sign-in
//! on the terminal). Every path signs in again by itself when the session
//! cookies expire (a refresh token in the client's store).

use hangups_tests::emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use hangups_tokio::{
    Client, Config, ConversationList, Cookies, MemoryStore, Notifications, RefreshToken,
};

use crate::config::{Options, Server};

/// Why the client could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConnectError {
    /// The embedded emulator could not start.
    #[error("cannot start the embedded emulator: {0}")]
    Emulator(#[from] std::io::Error),
    /// The running emulator's control API failed.
    #[error(transparent)]
    Remote(#[from] hangups_tests::emulator::remote::RemoteError),
    /// Signing in, connecting or loading the conversations failed.
    #[error(transparent)]
    Client(#[from] hangups_tokio::Error),
}

/// A connected conversation list.
#[derive(Debug)]
pub struct Connection {
    /// The list.
    pub list: ConversationList,
    /// Its notifications (the shell polls them).
    pub notifications: Notifications,
    /// The embedded emulator, if any (stopped when dropped).
    pub emulator: Option<EmulatorHandle>,
}

/// The embedded emulator's configuration: the default world, lively.
pub fn embedded_config() -> EmulatorConfig {
    EmulatorConfig::default().with_lively(true)
}

/// Connects as the options say.
pub async fn connect(options: &Options) -> Result<Connection, ConnectError> {
    match &options.server {
        Server::Embedded => {
            let emu = Emulator::start(embedded_config())?;
            let self_id = emu.self_user_id();
            let store = MemoryStore {
                token: emu.refresh_token(&self_id).map(RefreshToken::new),
                session: Some(emu.self_cookies().into_iter().collect()),
            };
            let mut c = connect_store(&emu.url(), store).await?;
            c.emulator = Some(emu);
            Ok(c)
        }
        Server::Emulator(url) => connect_emulator(url).await,
        Server::Google => {
            let config = Config::default();
            let path = options.token_path.clone();
            if options.manual_login {
                tracing::info!("manual login: the sign-in prompts on the terminal");
            }
            // The refresh token (first run: the manual login's prompts),
            // then a client that signs in again by itself from that file.
            let _: Cookies = hangups_tokio::get_auth_stdin_with(&path, &config).await?;
            let store = hangups_tokio::FileStore::new(&path);
            let (client, events) = Client::connect_with_store(store, config).await?;
            let (list, notifications) = client.build_user_conversation_list(events).await?;
            Ok(Connection {
                list,
                notifications,
                emulator: None,
            })
        }
    }
}

/// Joins the running emulator at `url` as its self user.
pub async fn connect_emulator(url: &str) -> Result<Connection, ConnectError> {
    let owned = url.to_string();
    let session = tokio::task::spawn_blocking(move || {
        hangups_tests::emulator::remote::fetch_remote_session(&owned)
    })
    .await
    .map_err(std::io::Error::other)??;
    let store = MemoryStore {
        token: session.refresh_token.map(RefreshToken::new),
        session: Some(session.cookies.into_iter().collect()),
    };
    connect_store(url, store).await
}

async fn connect_store(url: &str, store: MemoryStore) -> Result<Connection, ConnectError> {
    let config = Config::default().with_url(url)?;
    let (client, events) = Client::connect_with_store(store, config).await?;
    let (list, notifications) = client.build_user_conversation_list(events).await?;
    Ok(Connection {
        list,
        notifications,
        emulator: None,
    })
}
