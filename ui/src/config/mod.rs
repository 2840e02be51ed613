//! The command line and the config file (shared/TUI.md §1): hangups'
//! flags with its names and defaults, the config file with the same names
//! without `--`, urwid key names and colour specs, plus `--url` and
//! `--mouse`. [`load`] turns them into [`Options`]: the
//! [`Settings`] for the model and renderer and what the shell needs.
//!
//! Precedence: the user config file (`-c/--config`, default
//! `~/.config/hangups/hangups.conf`, created empty if missing), then
//! `./hangups.conf`, then the command line, later ones winning.

pub mod colours;
pub mod file;
pub mod keys;

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::{Arg, ArgAction, CommandFactory, FromArgMatches, Parser, ValueEnum};

use crate::settings::{Element, KeyBindings, Settings};
pub use colours::{parse_colour, Colour, ColourError, Scheme};
pub use keys::{key_name, parse_key, KeyNameError};

/// Why the options cannot be used. The binary prints it and exits with
/// status 2 ([`ConfigError::exit_code`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The command line (or `--help` / `--version`, which clap prints).
    #[error("{0}")]
    Cli(#[from] clap::Error),
    /// A config file line that is not a setting.
    #[error(transparent)]
    Syntax(#[from] file::SyntaxError),
    /// A config file names an option that does not exist.
    #[error("{}:{line}: unknown option {key:?}", file.display())]
    UnknownOption {
        /// The file.
        file: PathBuf,
        /// 1-based line.
        line: usize,
        /// The name.
        key: String,
    },
    /// A config file's value is refused.
    #[error("{}:{line}: {key}: {reason}", file.display())]
    BadValue {
        /// The file.
        file: PathBuf,
        /// 1-based line.
        line: usize,
        /// The option.
        key: String,
        /// Why (clap's message).
        reason: String,
    },
    /// A config file cannot be read (or the default one created).
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A high colour with a 16-colour palette.
    #[error("{option} {spec:?} needs --col-palette-colors {needs} or more")]
    PaletteTooSmall {
        /// The option (`--col-msg-date-fg`).
        option: String,
        /// The colour.
        spec: String,
        /// 88 or 256.
        needs: u16,
    },
}

impl ConfigError {
    /// The exit status: 0 for `--help` / `--version`, else 2.
    pub fn exit_code(&self) -> u8 {
        match self {
            ConfigError::Cli(e) if !e.use_stderr() => 0,
            _ => 2,
        }
    }
}

/// `--notification-type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum NotificationType {
    /// No notifications.
    None,
    /// D-Bus when built with the `dbus` feature, else none.
    Default,
    /// The terminal bell.
    Bell,
    /// Desktop notifications over D-Bus (the `dbus` feature).
    Dbus,
    /// macOS notifications: not supported by this client (falls back to
    /// `default`).
    Apple,
}

/// `--col-palette-colors`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PaletteColors {
    /// 16 colours.
    #[value(name = "16")]
    C16,
    /// 88 colours.
    #[value(name = "88")]
    C88,
    /// 256 colours.
    #[value(name = "256")]
    C256,
}

impl PaletteColors {
    fn count(self) -> u16 {
        match self {
            PaletteColors::C16 => 16,
            PaletteColors::C88 => 88,
            PaletteColors::C256 => 256,
        }
    }
}

/// hangups' command line (the colour overrides are added by
/// [`command`]).
#[derive(Clone, Debug, Parser)]
#[command(
    name = "hangups",
    about = "hangups: the terminal client of hangups-rs",
    long_about = "hangups: the terminal client of hangups-rs.\n\nWith no --url and no \
                  --token-path it runs on an embedded emulator (other users reply and \
                  type now and then). Options may also be set in the config file, with \
                  the same names without --.",
    disable_version_flag = true,
    version
)]
pub struct Cli {
    /// Print the version and exit.
    #[arg(short = 'v', long = "version", action = ArgAction::Version)]
    version: Option<bool>,
    /// The refresh token cache [default: ~/.cache/hangups/refresh_token.txt].
    /// Giving it signs in to Google (unless --url names an emulator).
    #[arg(long, value_name = "PATH")]
    pub token_path: Option<PathBuf>,
    /// The log file [default: ~/.cache/hangups/log/hangups.log]; WARNING
    /// and above unless -d.
    #[arg(long, value_name = "PATH")]
    pub log: Option<PathBuf>,
    /// Log at DEBUG.
    #[arg(short = 'd', long)]
    pub debug: bool,
    /// The config file [default: ~/.config/hangups/hangups.conf].
    #[arg(short = 'c', long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// strftime format of the date line.
    #[arg(long, value_name = "FORMAT", default_value = "< %y-%m-%d >")]
    pub date_format: String,
    /// strftime format of message times.
    #[arg(long, value_name = "FORMAT", default_value = "(%I:%M:%S %p)")]
    pub time_format: String,
    /// Sign in with the browser's oauth_code, not the prompts.
    #[arg(long)]
    pub manual_login: bool,
    /// Send emoticons as typed (else one standing as its own word becomes
    /// an emoji).
    #[arg(long)]
    pub keep_emoticons: bool,
    /// How to notify of new messages.
    #[arg(long, value_enum, default_value = "default", value_name = "TYPE")]
    pub notification_type: NotificationType,
    /// Notifications say only "hangups" / "New message".
    #[arg(short = 'D', long)]
    pub discreet_notifications: bool,
    /// The colour scheme.
    #[arg(long, value_enum, default_value = "default", value_name = "SCHEME")]
    pub col_scheme: Scheme,
    /// How many colours the terminal has (#rgb and hN colours need 88 or 256).
    #[arg(long, value_enum, default_value = "16", value_name = "N")]
    pub col_palette_colors: PaletteColors,
    /// Next tab.
    #[arg(long, value_name = "KEY", default_value = "ctrl d", value_parser = parse_key)]
    pub key_next_tab: crate::settings::Key,
    /// Previous tab.
    #[arg(long, value_name = "KEY", default_value = "ctrl u", value_parser = parse_key)]
    pub key_prev_tab: crate::settings::Key,
    /// Close the tab.
    #[arg(long, value_name = "KEY", default_value = "ctrl w", value_parser = parse_key)]
    pub key_close_tab: crate::settings::Key,
    /// Quit.
    #[arg(long, value_name = "KEY", default_value = "ctrl e", value_parser = parse_key)]
    pub key_quit: crate::settings::Key,
    /// The conversation menu.
    #[arg(long, value_name = "KEY", default_value = "ctrl n", value_parser = parse_key)]
    pub key_menu: crate::settings::Key,
    /// Up.
    #[arg(long, value_name = "KEY", default_value = "k", value_parser = parse_key)]
    pub key_up: crate::settings::Key,
    /// Down.
    #[arg(long, value_name = "KEY", default_value = "j", value_parser = parse_key)]
    pub key_down: crate::settings::Key,
    /// Page up.
    #[arg(long, value_name = "KEY", default_value = "ctrl b", value_parser = parse_key)]
    pub key_page_up: crate::settings::Key,
    /// Page down.
    #[arg(long, value_name = "KEY", default_value = "ctrl f", value_parser = parse_key)]
    pub key_page_down: crate::settings::Key,
    /// The server: a running emulator (http://HOST:PORT), or "google".
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Mouse support (click tabs and conversations, scroll).
    #[arg(long)]
    pub mouse: bool,
}

/// The id of `--col-<elem>-<fg|bg>` in the matches.
fn colour_id(element: Element, fg: bool) -> String {
    format!(
        "col-{}-{}",
        element.name().replace('_', "-"),
        if fg { "fg" } else { "bg" }
    )
}

/// The whole command: [`Cli`] and the 18 colour overrides.
pub fn command() -> clap::Command {
    // The config file's settings come first: a later occurrence wins.
    let mut cmd = Cli::command().args_override_self(true);
    for element in Element::ALL {
        for fg in [true, false] {
            let id = colour_id(element, fg);
            let side = if fg { "foreground" } else { "background" };
            cmd = cmd.arg(
                Arg::new(id.clone())
                    .long(id)
                    .value_name("COLOUR")
                    .value_parser(parse_colour)
                    .help(format!("The {side} of {} (urwid colour)", element.name())),
            );
        }
    }
    cmd
}

/// Where to connect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Server {
    /// An emulator started in-process (no `--url`, no `--token-path`).
    Embedded,
    /// A running emulator (`--url http://HOST:PORT`).
    Emulator(String),
    /// Google itself (`--url google`, or a `--token-path`).
    Google,
}

/// Everything the options decide.
#[derive(Clone, Debug)]
pub struct Options {
    /// For the model and the renderer.
    pub settings: Settings,
    /// Where to connect.
    pub server: Server,
    /// The refresh token cache (given, or the default).
    pub token_path: PathBuf,
    /// The log file.
    pub log: PathBuf,
    /// DEBUG instead of WARNING.
    pub debug: bool,
    /// `--manual-login`.
    pub manual_login: bool,
    /// How to notify (`apple` already replaced by `default`).
    pub notification: NotificationType,
    /// Warnings to show (e.g. `apple` is unsupported).
    pub warnings: Vec<String>,
    /// The config files read.
    pub config_files: Vec<PathBuf>,
}

/// Where hangups keeps its files (`~/.cache/hangups`, `~/.config/hangups`).
pub fn dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "hangups")
}

/// The options of the process: its arguments and config files.
pub fn load() -> Result<Options, ConfigError> {
    load_from(std::env::args_os(), Path::new("hangups.conf"))
}

/// The options of `args` (the first is the program name), reading the
/// user config file (creating the default one if missing) and `local`
/// (`./hangups.conf` in [`load`]) if it exists.
pub fn load_from<I, T>(args: I, local: &Path) -> Result<Options, ConfigError>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let cmd = command();
    // First pass: the command line alone (errors, --help, and -c).
    let first = cmd.clone().try_get_matches_from(&args)?;
    let cli_alone = Cli::from_arg_matches(&first)?;
    let user_file = match &cli_alone.config {
        Some(path) => path.clone(),
        None => {
            let path = dirs()
                .map(|d| d.config_dir().join("hangups.conf"))
                .unwrap_or_else(|| PathBuf::from("hangups.conf.user"));
            create_empty(&path)?;
            path
        }
    };
    let mut files = vec![user_file];
    if local.is_file() {
        files.push(local.to_path_buf());
    }
    let mut entries = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.clone(),
            source,
        })?;
        entries.extend(file::parse(path, &text)?);
    }
    // Second pass: the files' settings as arguments, then the command line.
    let mut full: Vec<OsString> = vec![args.first().cloned().unwrap_or_else(|| "hangups".into())];
    for entry in &entries {
        let extra = entry_args(&cmd, entry)?;
        // Each setting alone, so that a bad value names its line.
        let mut alone = vec![full[0].clone()];
        alone.extend(extra.iter().cloned());
        if let Err(e) = cmd.clone().try_get_matches_from(&alone) {
            return Err(ConfigError::BadValue {
                file: entry.file.clone(),
                line: entry.line,
                key: entry.key.clone(),
                reason: first_line(&e.to_string()),
            });
        }
        full.extend(extra);
    }
    full.extend(args.iter().skip(1).cloned());
    let matches = cmd.try_get_matches_from(&full)?;
    let cli = Cli::from_arg_matches(&matches)?;
    let mut options = options_of(&cli, &matches)?;
    options.config_files = files;
    Ok(options)
}

fn first_line(s: &str) -> String {
    s.lines()
        .next()
        .unwrap_or_default()
        .trim_start_matches("error: ")
        .to_string()
}

fn create_empty(path: &Path) -> Result<(), ConfigError> {
    if path.exists() {
        return Ok(());
    }
    let io = |source| ConfigError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    std::fs::write(path, "").map_err(io)
}

/// The arguments a config file entry stands for.
fn entry_args(cmd: &clap::Command, entry: &Entry) -> Result<Vec<OsString>, ConfigError> {
    let unknown = || ConfigError::UnknownOption {
        file: entry.file.clone(),
        line: entry.line,
        key: entry.key.clone(),
    };
    if matches!(entry.key.as_str(), "config" | "version" | "help") {
        return Err(unknown());
    }
    let arg = cmd
        .get_arguments()
        .find(|a| a.get_long() == Some(entry.key.as_str()))
        .ok_or_else(unknown)?;
    let flag = matches!(arg.get_action(), ArgAction::SetTrue);
    let option = OsString::from(format!("--{}", entry.key));
    if flag {
        return match file::flag_value(entry.value.as_deref()) {
            Some(true) => Ok(vec![option]),
            Some(false) => Ok(Vec::new()),
            None => Err(ConfigError::BadValue {
                file: entry.file.clone(),
                line: entry.line,
                key: entry.key.clone(),
                reason: "a flag takes true or false".into(),
            }),
        };
    }
    match &entry.value {
        Some(v) => Ok(vec![option, OsString::from(v)]),
        None => Err(ConfigError::BadValue {
            file: entry.file.clone(),
            line: entry.line,
            key: entry.key.clone(),
            reason: "needs a value".into(),
        }),
    }
}

use file::Entry;

fn options_of(cli: &Cli, matches: &clap::ArgMatches) -> Result<Options, ConfigError> {
    let mut warnings = Vec::new();
    let mut palette = cli.col_scheme.palette();
    let colours = cli.col_palette_colors.count();
    for element in Element::ALL {
        for fg in [true, false] {
            let id = colour_id(element, fg);
            if let Some(colour) = matches.get_one::<Colour>(&id) {
                if colour.needs_palette > colours {
                    return Err(ConfigError::PaletteTooSmall {
                        spec: matches
                            .get_raw(&id)
                            .and_then(|mut r| r.next())
                            .map(|s| s.to_string_lossy().into_owned())
                            .unwrap_or_default(),
                        option: format!("--{id}"),
                        needs: colour.needs_palette,
                    });
                }
                colours::apply(&mut palette, element, fg, colour);
            }
        }
    }
    let mut notification = cli.notification_type;
    if notification == NotificationType::Apple {
        warnings.push(
            "--notification-type apple is not supported by this client; using default".into(),
        );
        notification = NotificationType::Default;
    }
    if notification == NotificationType::Dbus && !cfg!(feature = "dbus") {
        warnings.push(
            "--notification-type dbus needs hangups built with the `dbus` feature; notifications are off"
                .into(),
        );
        notification = NotificationType::None;
    }
    let dirs = dirs();
    let cache = |rel: &str| {
        dirs.as_ref()
            .map(|d| d.cache_dir().join(rel))
            .unwrap_or_else(|| PathBuf::from(rel))
    };
    let server = match cli.url.as_deref() {
        Some("google") => Server::Google,
        Some(url) => Server::Emulator(url.to_string()),
        None if cli.token_path.is_some() => Server::Google,
        None => Server::Embedded,
    };
    let settings = Settings {
        date_format: cli.date_format.clone(),
        time_format: cli.time_format.clone(),
        keep_emoticons: cli.keep_emoticons,
        discreet_notifications: cli.discreet_notifications,
        notifications: notification != NotificationType::None,
        keys: KeyBindings {
            next_tab: cli.key_next_tab,
            prev_tab: cli.key_prev_tab,
            close_tab: cli.key_close_tab,
            quit: cli.key_quit,
            menu: cli.key_menu,
            up: cli.key_up,
            down: cli.key_down,
            page_up: cli.key_page_up,
            page_down: cli.key_page_down,
        },
        palette,
        mouse: cli.mouse,
        server_label: match &server {
            Server::Embedded => Some("emulator (embedded)".into()),
            Server::Emulator(url) => Some(format!("emulator at {url}")),
            Server::Google => None,
        },
    };
    Ok(Options {
        settings,
        server,
        token_path: cli
            .token_path
            .clone()
            .unwrap_or_else(|| cache("refresh_token.txt")),
        log: cli.log.clone().unwrap_or_else(|| cache("log/hangups.log")),
        debug: cli.debug,
        manual_login: cli.manual_login,
        notification,
        warnings,
        config_files: Vec::new(),
    })
}

#[cfg(test)]
mod tests;
