//! `hangups-chat`: Google Chat messages from the command line (a CI job
//! posting a build result, a script reading a space), on
//! [`hangups_blocking::ChatClient`].
//!
//! ```text
//! hangups-chat send TEXT [--space SPACE] [--thread-key KEY] [--reply-option new|fallback|fail]
//! hangups-chat get NAME
//! hangups-chat list SPACE [--page-size N] [--page-token T] [--all]
//! hangups-chat edit NAME TEXT
//! hangups-chat delete NAME [--force]
//! ```
//!
//! Credentials, one of:
//!
//! - `--webhook URL`: an incoming webhook as Google shows it (`send` only;
//!   the URL names the server and the space);
//! - `--token TOKEN`, or the `CHAT_TOKEN` environment variable: an OAuth
//!   access token sent as a bearer token, to `https://chat.googleapis.com`
//!   or to `--url URL` (an emulator);
//! - `--token-path PATH --client-file PATH`: user OAuth for an installed
//!   app. The refresh token is kept in the file at `--token-path` (with
//!   hangups-credentials' file rules). The first run prints an
//!   authorization URL on standard error, then waits up to 5 minutes for
//!   the browser's redirect to a loopback port (PKCE); later runs start
//!   from the stored token. `--client-file` is the OAuth client JSON of a
//!   "Desktop app", and the scope is `chat.messages`.
//! - `--key-file PATH [--subject EMAIL]`: a service-account key file as
//!   Google issues it (the app signs in with `chat.bot`, and for `list`
//!   also `chat.app.messages.readonly`; with `--subject` it acts as that
//!   user with `chat.messages`, by domain-wide delegation).
//!
//! With none of them and no `--url`, the command runs against a Chat
//! emulator started in this process, in a space made for it (`send` needs
//! no `--space`, `list` no `SPACE`), and says so on standard error.
//!
//! Calls are retried as the client does (429 and 5xx, honouring the
//! server's `RetryInfo`; a create is retry-safe by its `requestId`):
//! `--max-attempts 1` fails at once instead.
//!
//! `--json` prints the API's JSON (one line) instead of a one-line
//! summary per message; `list --all` prints `{"messages": [...]}`.
//!
//! Exit status ([`exit_code`]): 0 ok; 2 bad usage (including a malformed
//! space or message name); 3 not found (`NOT_FOUND`); 4 permission denied
//! or unauthenticated (`PERMISSION_DENIED`, `UNAUTHENTICATED`); 5 quota
//! (`RESOURCE_EXHAUSTED`, HTTP 429, after the client's retries); 6 invalid
//! argument (`INVALID_ARGUMENT`, or a request the client refused to send);
//! 1 anything else (network, server errors). An error is one line on
//! standard error: `error: STATUS: message` from Google's error envelope.

use crate::cli::{self, Args, CliError, Command, Opt};
use crate::emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use hangups_blocking::chat::{
    ChatAuth, ChatConfig, ChatError, CreateMessage, DeleteMessage, GetMessage, InstalledApp,
    ListMessages, ListMessagesResponse, Message, MessageName, ReplyOption, SpaceName,
    UpdateMessage, UpdateVerb,
};
use hangups_blocking::{oauth, ChatClient, FileStore, TokenStore};
use std::ffi::OsString;
use std::io::Write;
use std::time::Duration;

/// Success.
pub const EXIT_OK: u8 = 0;
/// Any other failure (network, server error, output).
pub const EXIT_OTHER: u8 = 1;
/// A bad command line.
pub const EXIT_USAGE: u8 = cli::EXIT_USAGE;
/// The space or message does not exist (`NOT_FOUND`).
pub const EXIT_NOT_FOUND: u8 = 3;
/// `PERMISSION_DENIED` or `UNAUTHENTICATED`.
pub const EXIT_DENIED: u8 = 4;
/// `RESOURCE_EXHAUSTED` (HTTP 429).
pub const EXIT_QUOTA: u8 = 5;
/// `INVALID_ARGUMENT`, or a request refused before it was sent.
pub const EXIT_INVALID: u8 = 6;

/// The largest `--ca-cert` file read.
const MAX_PEM: u64 = 1 << 20;
/// Largest service-account key file read (Google's are about 2.3 KB).
const MAX_KEY_FILE: u64 = 64 << 10;

const USAGE: &str = "hangups-chat COMMAND [ARGS] [OPTIONS]

Commands:
  send TEXT        post TEXT (or --text TEXT) in --space SPACE
  get NAME         print message NAME (spaces/S/messages/M)
  list SPACE       print the messages of SPACE (spaces/S), oldest first
  edit NAME TEXT   replace the text of message NAME
  delete NAME      delete message NAME";

const FOOTER: &str = "Credentials: --webhook URL (send only), --token TOKEN or CHAT_TOKEN (bearer),
or none and no --url: an emulator in this process, in a space made for the run.

Exit status: 0 ok, 2 usage, 3 not found, 4 permission denied or unauthenticated,
5 quota (429), 6 invalid argument, 1 other.
";

const OPTIONS: &[Opt] = &[
    Opt::value("--space", "SPACE", "send: the space (spaces/S)"),
    Opt::value(
        "--text",
        "TEXT",
        "send, edit: the text (instead of the argument)",
    ),
    Opt::value(
        "--thread-key",
        "KEY",
        "send: post in the thread the caller calls KEY",
    ),
    Opt::value(
        "--reply-option",
        "OPT",
        "send: new | fallback (default with --thread-key) | fail (NOT_FOUND if no such thread)",
    ),
    Opt::value(
        "--request-id",
        "ID",
        "send: the requestId (a rerun returns the same message)",
    ),
    Opt::value(
        "--page-size",
        "N",
        "list: messages per page (1..=1000; server default 25)",
    ),
    Opt::value(
        "--page-token",
        "TOKEN",
        "list: the page after a previous one",
    ),
    Opt::flag("--all", "list: every page"),
    Opt::flag(
        "--force",
        "delete: also delete the threaded replies (user credentials)",
    ),
    Opt::value(
        "--webhook",
        "URL",
        "credentials: an incoming webhook URL (send only)",
    ),
    Opt::value(
        "--token",
        "TOKEN",
        "credentials: an OAuth access token (default: $CHAT_TOKEN)",
    ),
    Opt::value(
        "--key-file",
        "PATH",
        "credentials: a service-account key file",
    ),
    Opt::value(
        "--token-path",
        "PATH",
        "credentials: user OAuth, the refresh token file (the first run signs in through the browser)",
    ),
    Opt::value(
        "--client-file",
        "PATH",
        "with --token-path: the OAuth client JSON (\"Desktop app\") of the installed app",
    ),
    Opt::value(
        "--subject",
        "EMAIL",
        "with --key-file: the user to act as (domain-wide delegation)",
    ),
    Opt::value(
        "--url",
        "URL",
        "the server (an emulator, http://HOST:PORT); default Google's",
    ),
    Opt::value(
        "--ca-cert",
        "PATH",
        "also trust the PEM certificates in PATH (a TLS emulator)",
    ),
    Opt::value(
        "--max-attempts",
        "N",
        "attempts per call, the first included (1..=10, default 5; 1: no retries)",
    ),
    Opt::flag("--json", "print the API's JSON instead of a summary"),
];

/// Which options each command takes (besides credentials, `--url`,
/// `--ca-cert`, `--json` and the logging ones).
fn command_options(command: &str) -> Option<&'static [&'static str]> {
    Some(match command {
        "send" => &[
            "--space",
            "--text",
            "--thread-key",
            "--reply-option",
            "--request-id",
        ],
        "get" => &[],
        "list" => &["--page-size", "--page-token", "--all"],
        "edit" => &["--text"],
        "delete" => &["--force"],
        _ => return None,
    })
}

const SHARED_OPTIONS: &[&str] = &[
    "--webhook",
    "--token",
    "--key-file",
    "--subject",
    "--token-path",
    "--client-file",
    "--url",
    "--ca-cert",
    "--max-attempts",
    "--json",
    "--debug",
    "--log",
];

/// The command line.
pub fn command() -> Command {
    Command::with_positionals(
        "hangups-chat",
        "Google Chat messages from the command line",
        USAGE,
        OPTIONS,
    )
    .footer(FOOTER)
}

/// Why a run failed: its exit status and its one line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}")]
pub struct Failure {
    /// The exit status.
    pub code: u8,
    /// What went wrong, one line.
    pub line: String,
}

impl Failure {
    fn usage(line: impl Into<String>) -> Failure {
        Failure {
            code: EXIT_USAGE,
            line: line.into(),
        }
    }

    fn other(line: impl std::fmt::Display) -> Failure {
        Failure {
            code: EXIT_OTHER,
            line: one_line(&line.to_string()),
        }
    }
}

impl From<CliError> for Failure {
    fn from(e: CliError) -> Failure {
        Failure {
            code: e.exit_code(),
            line: e.to_string(),
        }
    }
}

impl From<ChatError> for Failure {
    fn from(e: ChatError) -> Failure {
        Failure {
            code: exit_code(&e),
            line: error_line(&e),
        }
    }
}

/// The exit status of a failed call (see the [module docs](self)).
pub fn exit_code(e: &ChatError) -> u8 {
    match e {
        ChatError::Api(g) => match (g.status.as_str(), g.http_status) {
            ("NOT_FOUND", _) | ("", 404) => EXIT_NOT_FOUND,
            ("PERMISSION_DENIED" | "UNAUTHENTICATED", _) | ("", 401 | 403) => EXIT_DENIED,
            ("RESOURCE_EXHAUSTED", _) | (_, 429) => EXIT_QUOTA,
            ("INVALID_ARGUMENT", _) | ("", 400) => EXIT_INVALID,
            _ => EXIT_OTHER,
        },
        ChatError::Invalid(_) => EXIT_INVALID,
        // The token endpoint refused the key (unknown account, bad scope).
        ChatError::Token(_) | ChatError::Key(_) => EXIT_DENIED,
        _ => EXIT_OTHER,
    }
}

/// One line naming the cause: `STATUS: message` for the server's errors
/// (`HTTP 502: …` when the body had no status), else the client's reason.
pub fn error_line(e: &ChatError) -> String {
    match e {
        ChatError::Api(g) if g.status.is_empty() => {
            one_line(&format!("HTTP {}: {}", g.http_status, g.message))
        }
        ChatError::Api(g) => one_line(&format!("{}: {}", g.status, g.message)),
        other => one_line(&other.to_string()),
    }
}

/// `s` with every run of line breaks and control characters as one space.
fn one_line(s: &str) -> String {
    s.split(|c: char| c.is_control())
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The command a run does, checked.
#[derive(Debug)]
enum Action {
    Send {
        space: Option<SpaceName>,
        text: String,
        reply: Option<ReplyOption>,
    },
    Get(MessageName),
    List(Option<SpaceName>, Option<u32>),
    Edit(MessageName, String),
    Delete(MessageName),
}

/// Where the calls go.
enum Target {
    Webhook(ChatConfig, SpaceName),
    Bearer(ChatConfig),
    /// User OAuth; the store keeps the refresh token.
    User(ChatConfig, FileStore),
    Embedded,
}

/// Runs `hangups-chat` with `args` (without the program name), printing
/// to `out` and `err`; returns the exit status. Never panics on input.
pub fn run<I>(args: I, env_token: Option<OsString>, out: &mut dyn Write, err: &mut dyn Write) -> u8
where
    I: IntoIterator,
    I::Item: Into<OsString>,
{
    match run_inner(args, env_token, out, err) {
        Ok(()) => EXIT_OK,
        Err(f) if f.code == EXIT_OK => {
            // --help
            let _ = write!(out, "{}", f.line);
            EXIT_OK
        }
        Err(f) => {
            let _ = writeln!(err, "error: {}", f.line);
            f.code
        }
    }
}

/// `hangups-chat` as a program: [`run`] on the process's arguments.
pub fn main() -> std::process::ExitCode {
    let code = run(
        std::env::args_os().skip(1),
        std::env::var_os("CHAT_TOKEN"),
        &mut std::io::stdout().lock(),
        &mut std::io::stderr().lock(),
    );
    std::process::ExitCode::from(code)
}

fn run_inner<I>(
    args: I,
    env_token: Option<OsString>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> Result<(), Failure>
where
    I: IntoIterator,
    I::Item: Into<OsString>,
{
    let args = match command().parse(args) {
        Err(CliError::Help(text)) => {
            return Err(Failure {
                code: EXIT_OK,
                line: text,
            })
        }
        other => other?,
    };
    let action = action(&args)?;
    let attempts = match args.get("--max-attempts") {
        None => None,
        Some(v) => match v.trim().parse::<u32>() {
            Ok(n) if (1..=10).contains(&n) => Some(n),
            _ => {
                return Err(
                    CliError::invalid("--max-attempts", v, "a whole number from 1 to 10").into(),
                )
            }
        },
    };
    let target = target(&args, env_token, &action)?;
    cli::init_logging(&args)?;
    let json = args.flag("--json");
    let extra_pem = match args.get("--ca-cert") {
        None => Vec::new(),
        Some(path) => {
            let bytes = cli::read_file_at_most("--ca-cert", path, MAX_PEM)?;
            vec![String::from_utf8(bytes)
                .map_err(|_| CliError::invalid("--ca-cert", path, "not PEM text"))?]
        }
    };
    let mut store = None;
    let (config, hook_space, emulator) = match target {
        Target::Webhook(config, space) => (config, Some(space), None),
        Target::Bearer(config) => (config, None, None),
        Target::User(config, file) => {
            store = Some(file);
            (config, None, None)
        }
        Target::Embedded => {
            let (emulator, config, space) = embedded()?;
            let _ = writeln!(
                err,
                "hangups-chat: used the embedded emulator at {} (space {space}); \
                 pass --url and --token, or --webhook, for a real server",
                emulator.url()
            );
            (config, Some(space), Some(emulator))
        }
    };
    // The driver seeds the client from the OS (the config's seed is 0), so
    // every run draws its own requestIds.
    let mut config = config;
    if let Some(n) = attempts {
        config.max_attempts = n;
    }
    let chat = match store {
        Some(store) => ChatClient::start_with_store(config, &extra_pem, store),
        None => ChatClient::start(config, &extra_pem),
    }
    .map_err(Failure::other)?;
    let result = execute(&chat, &args, action, hook_space, json, out);
    drop(chat);
    drop(emulator);
    result
}

/// The positional arguments, checked against the command.
fn action(args: &Args) -> Result<Action, Failure> {
    let pos = args.positionals();
    let Some(command) = pos.first() else {
        return Err(Failure::usage(
            "no command: send, get, list, edit or delete (try --help)",
        ));
    };
    let allowed = command_options(command).ok_or_else(|| {
        Failure::usage(format!(
            "unknown command {command:?}: send, get, list, edit or delete (try --help)"
        ))
    })?;
    if let Some((name, _)) = args
        .all()
        .find(|(n, _)| !allowed.contains(n) && !SHARED_OPTIONS.contains(n))
    {
        return Err(Failure::usage(format!("{command} does not take {name}")));
    }
    for flag in ["--all", "--force"] {
        if args.flag(flag) && !allowed.contains(&flag) {
            return Err(Failure::usage(format!("{command} does not take {flag}")));
        }
    }
    let rest = &pos[1..];
    let text = |rest: &[String], what: &str| -> Result<String, Failure> {
        match (rest, args.get("--text")) {
            ([t], None) => Ok(t.clone()),
            ([], Some(t)) => Ok(t.to_string()),
            ([], None) => Err(Failure::usage(format!("{command} needs {what}"))),
            ([_], Some(_)) => Err(Failure::usage(
                "the text is given twice (argument and --text)",
            )),
            _ => Err(Failure::usage(format!(
                "{command}: too many arguments (quote the text)"
            ))),
        }
    };
    let message_name =
        |s: &str| MessageName::parse(s).map_err(|e| Failure::usage(format!("{command}: {e}")));
    let space_name =
        |s: &str| SpaceName::parse(s).map_err(|e| Failure::usage(format!("{command}: {e}")));
    let exactly_one = |rest: &[String], what: &str| match rest {
        [one] => Ok(one.clone()),
        [] => Err(Failure::usage(format!("{command} needs {what}"))),
        _ => Err(Failure::usage(format!("{command}: too many arguments"))),
    };
    let pages = args.get("--page-size").map(page_size).transpose()?;
    Ok(match command.as_str() {
        "send" => Action::Send {
            space: args.get("--space").map(space_name).transpose()?,
            text: text(rest, "TEXT")?,
            reply: args.get("--reply-option").map(reply_option).transpose()?,
        },
        "get" => Action::Get(message_name(&exactly_one(rest, "NAME")?)?),
        "list" => match rest {
            [] => Action::List(None, pages),
            [space] => Action::List(Some(space_name(space)?), pages),
            _ => return Err(Failure::usage("list: too many arguments")),
        },
        "edit" => match rest {
            [] => return Err(Failure::usage("edit needs NAME and TEXT")),
            [name, more @ ..] => Action::Edit(message_name(name)?, text(more, "TEXT")?),
        },
        _ => Action::Delete(message_name(&exactly_one(rest, "NAME")?)?),
    })
}

/// The credentials and server, checked against the command.
fn target(args: &Args, env_token: Option<OsString>, action: &Action) -> Result<Target, Failure> {
    if let Some(path) = args.get("--token-path") {
        return user_target(args, path, action);
    }
    if args.get("--client-file").is_some() {
        return Err(Failure::usage("--client-file goes with --token-path"));
    }
    if let Some(path) = args.get("--key-file") {
        if args.get("--token").is_some() || args.get("--webhook").is_some() {
            return Err(Failure::usage("--key-file: give one credential"));
        }
        let bytes = cli::read_file_at_most("--key-file", path, MAX_KEY_FILE)?;
        let key = String::from_utf8(bytes)
            .map_err(|_| CliError::invalid("--key-file", path, "not a JSON key file"))?;
        let subject = args.get("--subject");
        let scopes: &[&str] = match (subject, action) {
            (Some(_), _) => &["chat.messages"],
            (None, Action::List(..)) => &["chat.bot", "chat.app.messages.readonly"],
            (None, _) => &["chat.bot"],
        };
        let mut config = hangups_blocking::service_account_config(&key, scopes, subject)
            .map_err(|e| Failure::usage(format!("--key-file {path}: {e}")))?;
        if let Some(url) = args.get("--url") {
            config = config
                .with_url(url)
                .map_err(|e| Failure::usage(format!("--url: {e}")))?;
        }
        return match action {
            Action::Send { space: None, .. } => Err(Failure::usage("send needs --space SPACE")),
            Action::List(None, _) => Err(Failure::usage("list needs SPACE")),
            _ => Ok(Target::Bearer(config)),
        };
    }
    if args.get("--subject").is_some() {
        return Err(Failure::usage("--subject goes with --key-file"));
    }
    let token = match args.get("--token") {
        Some(t) => Some(t.to_string()),
        None => match env_token {
            None => None,
            Some(t) => {
                let t = t
                    .into_string()
                    .map_err(|_| Failure::usage("CHAT_TOKEN is not valid UTF-8"))?;
                (!t.trim().is_empty()).then_some(t)
            }
        },
    };
    let url = args.get("--url");
    if let Some(hook) = args.get("--webhook") {
        if args.get("--token").is_some() {
            return Err(Failure::usage("--webhook and --token: give one credential"));
        }
        if url.is_some() {
            return Err(Failure::usage(
                "--webhook names its server; leave out --url",
            ));
        }
        let Action::Send { space, .. } = action else {
            return Err(Failure::usage("a webhook can only send"));
        };
        let (config, hook_space) = ChatConfig::for_webhook(hook).ok_or_else(|| {
            Failure::usage(
                "--webhook: not a webhook URL (https://HOST/v1/spaces/S/messages?key=K&token=T)",
            )
        })?;
        if let Some(space) = space.as_ref().filter(|s| **s != hook_space) {
            return Err(Failure::usage(format!(
                "--space {space} is not the webhook's space {hook_space}"
            )));
        }
        return Ok(Target::Webhook(config, hook_space));
    }
    match (token, url) {
        (Some(token), url) => {
            let mut config = ChatConfig::new(ChatAuth::Bearer(token));
            if let Some(url) = url {
                config = config
                    .with_url(url)
                    .map_err(|e| Failure::usage(format!("--url: {e}")))?;
            }
            match action {
                Action::Send { space: None, .. } => Err(Failure::usage("send needs --space SPACE")),
                Action::List(None, _) => Err(Failure::usage("list needs SPACE")),
                _ => Ok(Target::Bearer(config)),
            }
        }
        (None, Some(_)) => Err(Failure::usage(
            "--url needs credentials: --token TOKEN (or CHAT_TOKEN)",
        )),
        (None, None) => Ok(Target::Embedded),
    }
}

/// How long the first user sign-in waits for the browser.
const SIGN_IN_TIMEOUT: Duration = Duration::from_secs(300);

/// User OAuth from `--token-path` and `--client-file`: the stored refresh
/// token, or (first run) a browser sign-in whose URL goes to stderr.
fn user_target(args: &Args, token_path: &str, action: &Action) -> Result<Target, Failure> {
    if ["--token", "--webhook", "--key-file"]
        .iter()
        .any(|o| args.get(o).is_some())
    {
        return Err(Failure::usage("--token-path: give one credential"));
    }
    let Some(client_path) = args.get("--client-file") else {
        return Err(Failure::usage(
            "--token-path needs --client-file PATH (the OAuth client JSON)",
        ));
    };
    let bytes = cli::read_file_at_most("--client-file", client_path, MAX_KEY_FILE)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| CliError::invalid("--client-file", client_path, "not JSON"))?;
    let app = InstalledApp::from_client_json(&text, &["chat.messages"])
        .map_err(|e| Failure::usage(format!("--client-file {client_path}: {e}")))?;
    let mut store = FileStore::new(token_path);
    if let Some(why) = store.unusable() {
        return Err(Failure::usage(format!("--token-path: {why}")));
    }
    let auth = oauth::user_auth_blocking(&app, &mut store, None, SIGN_IN_TIMEOUT, |url| {
        eprintln!("hangups-chat: to sign in, open this URL in a browser: {url}");
    })
    .map_err(|e| Failure {
        code: EXIT_DENIED,
        line: format!("error: sign-in: {e}"),
    })?;
    let mut config = ChatConfig::new(auth);
    if let Some(url) = args.get("--url") {
        config = config
            .with_url(url)
            .map_err(|e| Failure::usage(format!("--url: {e}")))?;
    }
    match action {
        Action::Send { space: None, .. } => Err(Failure::usage("send needs --space SPACE")),
        Action::List(None, _) => Err(Failure::usage("list needs SPACE")),
        _ => Ok(Target::User(config, store)),
    }
}

/// An emulator in this process, a space with the app in it, and a
/// client configuration with an app token that may write and read.
fn embedded() -> Result<(EmulatorHandle, ChatConfig, SpaceName), Failure> {
    let fail = |e: String| Failure::other(format!("the embedded emulator: {e}"));
    let emulator = Emulator::start(EmulatorConfig::default()).map_err(|e| fail(e.to_string()))?;
    let space = emulator
        .chat_create_space("hangups-chat", &["users/100000000000000000001"])
        .map_err(fail)?;
    let space = SpaceName::parse(&space).map_err(|e| fail(e.to_string()))?;
    let token = emulator
        .chat_token("app", &["chat.bot", "chat.app.messages.readonly"])
        .map_err(fail)?;
    let config = ChatConfig::new(ChatAuth::Bearer(token))
        .with_url(&emulator.url())
        .map_err(|e| fail(e.to_string()))?;
    Ok((emulator, config, space))
}

fn execute(
    chat: &ChatClient,
    args: &Args,
    action: Action,
    default_space: Option<SpaceName>,
    json: bool,
    out: &mut dyn Write,
) -> Result<(), Failure> {
    let mut print = |line: String| writeln!(out, "{line}").map_err(Failure::other);
    let need_space = |space: Option<SpaceName>| {
        space
            .or_else(|| default_space.clone())
            .ok_or_else(|| Failure::usage("no space"))
    };
    match action {
        Action::Send { space, text, reply } => {
            let mut req = CreateMessage::new(need_space(space)?, Message::text(&text));
            if let Some(key) = args.get("--thread-key") {
                req = req.thread_key(key);
            }
            if let Some(id) = args.get("--request-id") {
                req = req.request_id(id);
            }
            if let Some(opt) = reply {
                req = req.reply_option(opt);
            }
            let m = chat.create(req)?;
            print(if json { to_json(&m)? } else { created(&m) })
        }
        Action::Get(name) => {
            let m = chat.get(GetMessage::new(name))?;
            print(if json { to_json(&m)? } else { summary(&m) })
        }
        Action::List(space, pages) => {
            let mut req = ListMessages::new(need_space(space)?);
            if let Some(n) = pages {
                req = req.page_size(n);
            }
            if let Some(t) = args.get("--page-token") {
                req = req.page_token(t);
            }
            if args.flag("--all") {
                let mut messages = Vec::new();
                for m in chat.list_all(req) {
                    let m = m?;
                    if !json {
                        print(summary(&m))?;
                    }
                    messages.push(m);
                }
                if json {
                    let mut all = ListMessagesResponse::default();
                    all.messages = messages;
                    print(to_json(&all)?)?;
                }
                return Ok(());
            }
            let page = chat.list(req)?;
            if json {
                return print(to_json(&page)?);
            }
            for m in &page.messages {
                print(summary(m))?;
            }
            match page.next_page_token.as_deref().filter(|t| !t.is_empty()) {
                Some(t) => print(format!("next page: --page-token {t}")),
                None => Ok(()),
            }
        }
        Action::Edit(name, text) => {
            let m = chat.patch(UpdateMessage::new(
                UpdateVerb::Patch,
                name,
                Message::text(&text),
                "text",
            ))?;
            print(if json {
                to_json(&m)?
            } else {
                format!("updated {}", summary(&m))
            })
        }
        Action::Delete(name) => {
            let label = name.to_string();
            chat.delete(DeleteMessage::new(name).force(args.flag("--force")))?;
            print(if json {
                "{}".into()
            } else {
                format!("deleted {label}")
            })
        }
    }
}

fn reply_option(v: &str) -> Result<ReplyOption, Failure> {
    match v.trim() {
        "new" => Ok(ReplyOption::NewThread),
        "fallback" => Ok(ReplyOption::FallbackToNewThread),
        "fail" => Ok(ReplyOption::OrFail),
        _ => Err(CliError::invalid("--reply-option", v, "one of new, fallback, fail").into()),
    }
}

fn page_size(v: &str) -> Result<u32, Failure> {
    match v.trim().parse::<u32>() {
        Ok(n) if (1..=1000).contains(&n) => Ok(n),
        _ => Err(CliError::invalid("--page-size", v, "a whole number from 1 to 1000").into()),
    }
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String, Failure> {
    serde_json::to_string(v).map_err(Failure::other)
}

/// `created NAME in THREAD`.
fn created(m: &Message) -> String {
    let name = m.name.as_deref().unwrap_or("(no name)");
    match m.thread.as_ref().and_then(|t| t.name.as_deref()) {
        Some(thread) => format!("created {name} in {thread}"),
        None => format!("created {name}"),
    }
}

/// `NAME TIME SENDER: TEXT`, on one line.
fn summary(m: &Message) -> String {
    let name = m.name.as_deref().unwrap_or("(no name)");
    let time = m.create_time.as_deref().unwrap_or("-");
    let sender = m
        .sender
        .as_ref()
        .and_then(|s| s.display_name.as_deref().or(s.name.as_deref()))
        .unwrap_or("-");
    let text = m.text.as_deref().unwrap_or("");
    format!("{name} {time} {sender}: {}", text.escape_debug())
}

#[cfg(test)]
mod tests {
    use super::*;
    use hangups_blocking::chat::GoogleError;

    fn api(http: u16, body: &str) -> ChatError {
        ChatError::Api(GoogleError::from_response(http, None, body.as_bytes()))
    }

    #[test]
    fn exit_codes_follow_the_status() {
        let env = |status: &str, code: u16| {
            format!(r#"{{"error":{{"code":{code},"status":"{status}","message":"m\nn"}}}}"#)
        };
        for (status, http, want) in [
            ("NOT_FOUND", 404, EXIT_NOT_FOUND),
            ("PERMISSION_DENIED", 403, EXIT_DENIED),
            ("UNAUTHENTICATED", 401, EXIT_DENIED),
            ("RESOURCE_EXHAUSTED", 429, EXIT_QUOTA),
            ("INVALID_ARGUMENT", 400, EXIT_INVALID),
            ("INTERNAL", 500, EXIT_OTHER),
        ] {
            let e = api(http, &env(status, http));
            assert_eq!(exit_code(&e), want, "{status}");
            assert_eq!(error_line(&e), format!("{status}: m n"));
        }
        assert_eq!(exit_code(&api(429, "busy")), EXIT_QUOTA);
        assert_eq!(exit_code(&api(404, "<html>")), EXIT_NOT_FOUND);
        assert!(!error_line(&api(502, "bad\r\ngateway")).contains('\n'));
    }

    fn code_of(args: &[&str]) -> (u8, String) {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = run(args.iter().copied(), None, &mut out, &mut err);
        (code, String::from_utf8_lossy(&err).into_owned())
    }

    #[test]
    fn bad_usage_is_status_2_before_any_network() {
        for args in [
            &[][..],
            &["frobnicate"],
            &["send"],
            &["send", "a", "b"],
            &["send", "a", "--text", "b"],
            &["get"],
            &["get", "spaces/A"],
            &["get", "spaces/A/messages/B", "--all"],
            &["list", "spaces/A", "--page-size", "0"],
            &["list", "spaces/A", "--page-size", "x"],
            &["list", "spaces/A", "--thread-key", "k"],
            &["send", "x", "--reply-option", "sometimes"],
            &["send", "x", "--key-file", "/nonexistent"],
            &["send", "x", "--subject", "a@b.c"],
            &["send", "x", "--url", "http://127.0.0.1:1"],
            &["send", "x", "--webhook", "http://127.0.0.1:1/nope"],
            &[
                "get",
                "spaces/A/messages/B",
                "--webhook",
                "http://h/v1/spaces/A/messages?key=k&token=t",
            ],
            &["send", "x", "--token", "t", "--url", "ftp://h"],
            &["send", "x", "--token", "t"],
            &["send", "x", "--max-attempts", "0"],
            &["send", "x", "--max-attempts", "11"],
        ] {
            let (code, err) = code_of(args);
            assert_eq!(code, EXIT_USAGE, "{args:?}: {err}");
            assert!(
                err.starts_with("error: ") && err.lines().count() == 1,
                "{args:?}: {err:?}"
            );
        }
        let (code, err) = code_of(&["send", "x", "--key-file", "/nonexistent/k.json"]);
        assert_eq!(code, EXIT_USAGE);
        assert!(err.contains("k.json"), "{err}");
    }

    #[test]
    fn help_lists_the_exit_codes() {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        assert_eq!(run(["--help"], None, &mut out, &mut err), EXIT_OK);
        let out = String::from_utf8(out).unwrap();
        assert!(
            out.contains("3 not found") && out.contains("5 quota"),
            "{out}"
        );
    }
}
