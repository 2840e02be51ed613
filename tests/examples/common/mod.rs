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
#![allow(dead_code)] // each example uses a part

pub use hangups_tests::emulator::{Emulator, EmulatorConfig, EmulatorHandle};
pub use hangups_tokio::{Client, Config, Cookies, Event, Events};
use std::io::{Read, Write};
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

/// `--name value` options; `--url` and `--token-path` are always accepted.
pub struct Args(Vec<(String, String)>);

impl Args {
    /// The command line, accepting only `known` options (and `--url`).
    pub fn parse(known: &[&str]) -> Result<Args> {
        let mut pairs = Vec::new();
        let mut args = std::env::args().skip(1);
        while let Some(name) = args.next() {
            if name != "--url" && name != "--token-path" && !known.contains(&name.as_str()) {
                let mut all = known.to_vec();
                all.extend(["--url", "--token-path"]);
                return Err(
                    format!("unknown argument {name:?} (options: {})", all.join(" ")).into(),
                );
            }
            let value = args.next().ok_or(format!("{name} needs a value"))?;
            pairs.push((name, value));
        }
        Ok(Args(pairs))
    }

    /// The value of `name`, if given.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every option given, in order.
    pub fn all(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// The value of `name`, or `default`.
    pub fn or(&self, name: &str, default: &str) -> String {
        self.get(name).unwrap_or(default).to_string()
    }

    /// The value of `name` parsed, or `default`.
    pub fn parsed<T: std::str::FromStr>(&self, name: &str, default: T) -> Result<T>
    where
        T::Err: std::fmt::Display,
    {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|e| format!("{name} {v}: {e}").into()),
        }
    }
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
        Some(url) => (None, Config::default().with_url(url)?),
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

/// The exit code of an example's result.
pub fn exit(result: Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{}: {e}", std::env::args().next().unwrap_or_default());
            ExitCode::FAILURE
        }
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
    let authority = url
        .strip_prefix("http://")
        .ok_or("--url must be http://HOST:PORT (the control API is fetched over plain HTTP)")?
        .trim_end_matches('/');
    let mut stream =
        std::net::TcpStream::connect(authority).map_err(|e| format!("{authority}: {e}"))?;
    write!(stream, "POST /_emulator/session HTTP/1.1\r\nHost: {authority}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let (_, body) = response.split_once("\r\n\r\n").ok_or("bad response")?;
    let json: serde_json::Value =
        serde_json::from_str(body).map_err(|e| format!("bad session JSON: {e}"))?;
    let cookies = json["cookies"]
        .as_array()
        .ok_or("no cookies in the session")?;
    Ok(cookies
        .iter()
        .filter_map(|c| Some((c[0].as_str()?.to_string(), c[1].as_str()?.to_string())))
        .collect())
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
