//! What the hangups example ports share: argument parsing, the server (an
//! in-process emulator, or the one at `--url`, whose control API hands out
//! a session) and a connected tokio client.
//!
//! Signing in: without `--token-path` the examples use the emulator's
//! built-in account (its self user's cookies). With `--token-path PATH`
//! they sign in like hangups: with the refresh token cached in PATH, or,
//! if there is none (or it was revoked), with the manual login on the
//! terminal (open the printed URL, sign in, paste the `oauth_code`).
//! `--url google` talks to Google itself (then `--token-path` defaults to
//! hangups' cache file).
//!
//! Every example takes `-d/--debug` (log at DEBUG instead of WARN),
//! `--log PATH` (append the log to PATH instead of standard error) and
//! `-h/--help`; `RUST_LOG` overrides the level. A bad command line is an
//! error message and exit status 2, never a panic.
#![allow(dead_code)] // each example uses a part

pub use hangups_tests::emulator::{Emulator, EmulatorConfig, EmulatorHandle};
pub use hangups_tokio::{Client, Config, Cookies, Event, Events};
use std::process::ExitCode;
use std::time::Duration;

/// The errors of the examples.
pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// The self user of the emulator's default world.
pub const SELF_ID: &str = "100000000000000000001";
/// Grace Hopper (grace@example.com), in both default conversations.
pub const GRACE: &str = "100000000000000000002";
/// Alan Turing (alan@example.com), in the group.
pub const ALAN: &str = "100000000000000000003";
/// The default one-to-one conversation (self and Grace).
pub const ONE_TO_ONE: &str = "UgwEmulatorOneToOne4AaABAQ";
/// The default group conversation (self, Grace and Alan).
pub const GROUP: &str = "UgwEmulatorGroupChat4AaABAQ";

pub use hangups_tests::cli::{CliError, Opt};

/// A parsed command line ([`hangups_tests::cli::Args`]: `get`, `or`,
/// `parsed`, `secs`, `flag`…), with the log installed.
pub struct Args(hangups_tests::cli::Args);

impl std::ops::Deref for Args {
    type Target = hangups_tests::cli::Args;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl Args {
    /// The command line, accepting `known` options (each taking a value)
    /// besides the common ones (`--url`, `--token-path`, `-d/--debug`,
    /// `--log`, `-h/--help`); then the log is installed ([`init_logging`]).
    pub fn parse(known: &[&'static str]) -> Result<Args> {
        let opts: Vec<Opt> = known.iter().map(|&n| Opt::value(n, "VALUE", "")).collect();
        Args::parse_opts("a hangups-rs example", &opts)
    }

    /// [`Args::parse`] with a description of the program and of each
    /// option, for `--help`.
    pub fn parse_opts(about: &str, opts: &[Opt]) -> Result<Args> {
        let cmd = hangups_tests::cli::Command::new(program_name(), about, opts);
        let args = cmd.parse_env()?;
        init_logging(&args)?;
        Ok(Args(args))
    }
}

/// The program's name (its file name, for messages).
pub fn program_name() -> String {
    std::env::args_os()
        .next()
        .as_deref()
        .map(std::path::Path::new)
        .and_then(|p| p.file_stem())
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "example".into())
}

/// Installs the log as hangups does: WARN and above, DEBUG with
/// `-d/--debug`, or what `RUST_LOG` says if it is set; on standard error,
/// or appended to the file `--log PATH` (which must be a regular file if
/// it exists: a FIFO or a directory is refused, not opened).
pub fn init_logging(args: &hangups_tests::cli::Args) -> Result<()> {
    Ok(hangups_tests::cli::init_logging(args)?)
}

/// A connected client (its push channel has a client id), and the
/// in-process emulator unless `--url` was given.
pub struct Session {
    pub client: Client,
    pub events: Events,
    pub emulator: Option<EmulatorHandle>,
}

/// Starts an emulator (no `--url`) or uses the server at `--url`, signs in
/// (see the [module docs](self)), then connects and waits for the client id.
pub async fn connect(args: &Args) -> Result<Session> {
    let token_path = args.get("--token-path").map(std::path::PathBuf::from);
    let (emulator, config) = match args.get("--url") {
        None => {
            let emu = Emulator::start(EmulatorConfig::default())?;
            let config = Config::default().with_url(&emu.url())?;
            (Some(emu), config)
        }
        Some("google") => (None, Config::default()),
        Some(url) => {
            let config = Config::default()
                .with_url(url)
                .map_err(|e| CliError::invalid("--url", url, e.to_string()))?;
            (None, config)
        }
    };
    let cookies: Cookies = if let Some(path) = &token_path {
        hangups_tokio::get_auth_stdin_with(path, &config).await?
    } else if let Some(emu) = &emulator {
        emu.self_cookies().into_iter().collect()
    } else {
        match args.get("--url") {
            Some("google") => {
                let path = hangups_tokio::FileStore::default_path().ok_or("no cache directory")?;
                hangups_tokio::get_auth_stdin_with(path, &config).await?
            }
            Some(url) => fetch_session(url)?,
            None => return Err("no server".into()),
        }
    };
    let (client, events) = Client::connect(cookies, config).await?;
    let mut session = Session {
        client,
        events,
        emulator,
    };
    while !matches!(session.next_event().await?, Event::ClientId(_)) {}
    Ok(session)
}

impl Session {
    /// The next client event; an error after 30 s of silence.
    pub async fn next_event(&mut self) -> Result<Event> {
        match tokio::time::timeout(Duration::from_secs(30), self.events.next()).await {
            Ok(Some(ev)) => Ok(ev),
            Ok(None) => Err("the client closed".into()),
            Err(_) => Err("nothing happened for 30 s".into()),
        }
    }

    /// With the in-process emulator: waits until it pushes to our session.
    pub async fn wait_subscribed(&self) {
        let Some(emu) = &self.emulator else { return };
        for _ in 0..3000 {
            let sessions = emu.state()["sessions"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if sessions.iter().any(|s| s["subscribed"] == true) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Disconnects and stops the emulator.
    pub async fn close(self) {
        self.client.disconnect().await;
        if let Some(emu) = self.emulator {
            emu.shutdown();
        }
    }
}

/// The exit code of an example's result: 0, 2 for a bad command line
/// (with the message; `--help` prints the help and exits 0), or 1.
pub fn exit(result: Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => match e.downcast_ref::<CliError>() {
            Some(CliError::Help(text)) => {
                print!("{text}");
                ExitCode::SUCCESS
            }
            Some(usage) => {
                eprintln!("{}: {usage}", program_name());
                ExitCode::from(usage.exit_code())
            }
            None => {
                eprintln!("{}: {e}", program_name());
                ExitCode::FAILURE
            }
        },
    }
}

/// A conversation id as the protobuf wants it.
pub fn conversation_id(id: &str) -> Option<hangups_tokio::proto::hangouts::ConversationId> {
    Some(hangups_tokio::proto::hangouts::ConversationId {
        id: Some(id.to_string()),
    })
}

/// An event request header for conversation `id` (the client fills in
/// the client-generated id).
pub fn event_header(id: &str) -> Option<hangups_tokio::proto::hangouts::EventRequestHeader> {
    Some(hangups_tokio::proto::hangouts::EventRequestHeader {
        conversation_id: conversation_id(id),
        ..Default::default()
    })
}

/// The text of a chat message event.
pub fn text_of(ev: &hangups_tokio::proto::hangouts::Event) -> String {
    let segments = ev
        .chat_message
        .as_ref()
        .and_then(|c| c.message_content.as_ref())
        .map(|m| m.segment.as_slice())
        .unwrap_or(&[]);
    segments.iter().filter_map(|s| s.text.as_deref()).collect()
}

/// A session for the default user from an emulator's control API
/// (`POST /_emulator/session`), over plain HTTP.
pub fn fetch_session(url: &str) -> Result<Cookies> {
    match hangups_tests::emulator::remote::fetch_session(url) {
        Ok(cookies) => Ok(cookies.into_iter().collect()),
        Err(hangups_tests::emulator::remote::RemoteError::BadUrl(_)) => {
            let reason = "must be http://HOST:PORT (the control API is fetched over plain HTTP)";
            Err(CliError::invalid("--url", url, reason).into())
        }
        Err(e) => Err(e.into()),
    }
}

/// hangups' `build_user_conversation_list`, through the adapter's
/// high-level API: the list, its notifications (the session's events go
/// to them) and the emulator to stop at the end ([`close_list`]).
pub async fn build_conversation_list(
    session: Session,
) -> Result<(
    hangups_tokio::ConversationList,
    hangups_tokio::Notifications,
    Option<EmulatorHandle>,
)> {
    let (list, notifications) = session
        .client
        .build_user_conversation_list(session.events)
        .await?;
    Ok((list, notifications, session.emulator))
}

/// Disconnects the list's client and stops the emulator.
pub async fn close_list(list: hangups_tokio::ConversationList, emulator: Option<EmulatorHandle>) {
    list.client().disconnect().await;
    if let Some(emu) = emulator {
        emu.shutdown();
    }
}
