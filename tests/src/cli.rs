//! The command lines of the examples and the demo (`tests/examples/`),
//! read from [`std::env::args_os`] so that no input can make them panic:
//! an argument that is not UTF-8, an unknown option, a missing, empty or
//! malformed value, or an absurd number is a [`CliError`] naming the
//! option, and the program exits with status 2 ([`CliError::exit_code`]).
//!
//! Every program takes the [`COMMON`] options besides its own: `--url`,
//! `--token-path`, and hangups' logging flags `-d/--debug` (DEBUG instead
//! of WARN) and `--log PATH`, plus `-h/--help`. Values follow the option
//! (`--count 3`) or an `=` (`--count=3`); empty or blank values are
//! refused (no option of the examples means anything by them).
//!
//! ```
//! use hangups_tests::cli::{Command, Opt};
//!
//! let cmd = Command::new("receive_messages", "prints messages", &[
//!     Opt::value("--count", "N", "how many messages to wait for"),
//! ]);
//! let args = cmd.parse(["--count", "3", "-d"]).unwrap();
//! assert_eq!(args.parsed::<u32>("--count", 1).unwrap(), 3);
//! assert!(args.flag("--debug"));
//! let err = cmd.parse(["--count", " "]).err().unwrap();
//! assert_eq!(err.exit_code(), 2);
//! ```

use std::ffi::OsString;
use std::io::Read;
use std::path::Path;
use std::time::Duration;

/// The exit status of a bad command line.
pub const EXIT_USAGE: u8 = 2;

/// One option a program accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opt {
    /// Its long name, with the dashes (`--count`).
    pub name: &'static str,
    /// Its short name, if any (`-d`).
    pub short: Option<&'static str>,
    /// The placeholder of its value in the help (`N`), `None` for a flag.
    pub value: Option<&'static str>,
    /// One line of help.
    pub help: &'static str,
}

impl Opt {
    /// An option taking a value.
    pub const fn value(name: &'static str, placeholder: &'static str, help: &'static str) -> Opt {
        Opt {
            name,
            short: None,
            value: Some(placeholder),
            help,
        }
    }

    /// A flag (no value).
    pub const fn flag(name: &'static str, help: &'static str) -> Opt {
        Opt {
            name,
            short: None,
            value: None,
            help,
        }
    }

    /// The same with a short name.
    pub const fn short(mut self, short: &'static str) -> Opt {
        self.short = Some(short);
        self
    }
}

/// The options every example and the demo take.
pub const COMMON: &[Opt] = &[
    Opt::value(
        "--url",
        "URL",
        "the server: a running emulator (http://HOST:PORT) or `google`; default: an emulator in this process",
    ),
    Opt::value(
        "--token-path",
        "PATH",
        "sign in with OAuth, the refresh token kept in PATH (a regular file of ours, or none yet)",
    ),
    Opt::flag("--debug", "log at DEBUG level instead of WARN (RUST_LOG, if set, wins)").short("-d"),
    Opt::value("--log", "PATH", "append the log to PATH instead of standard error"),
    Opt::flag("--help", "print this help and exit").short("-h"),
];

/// A bad command line, or a request for help.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// An argument is not valid UTF-8.
    #[error("argument {index} is not valid UTF-8 ({lossy:?})")]
    NotUtf8 {
        /// Its position (1 = the first after the program).
        index: usize,
        /// It, with the bad bytes replaced.
        lossy: String,
    },
    /// An argument no option of the program has.
    #[error("unknown argument {arg:?} (try --help)")]
    Unknown {
        /// The argument.
        arg: String,
    },
    /// An option that takes a value came last.
    #[error("{name} needs a value ({placeholder})")]
    MissingValue {
        /// The option.
        name: &'static str,
        /// Its value's placeholder.
        placeholder: &'static str,
    },
    /// A flag was given a value (`--debug=yes`).
    #[error("{name} takes no value")]
    UnexpectedValue {
        /// The flag.
        name: &'static str,
    },
    /// An empty or whitespace-only value.
    #[error("{name}: the value is empty or blank")]
    Blank {
        /// The option.
        name: &'static str,
    },
    /// A value that does not parse, or is out of range.
    #[error("{name} {value:?}: {reason}")]
    Invalid {
        /// The option.
        name: String,
        /// The value given.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// `-h/--help`: not an error; the text is the help.
    #[error("{0}")]
    Help(String),
}

impl CliError {
    /// The exit status: 0 for [`CliError::Help`], else [`EXIT_USAGE`].
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Help(_) => 0,
            _ => EXIT_USAGE,
        }
    }

    /// A [`CliError::Invalid`].
    pub fn invalid(name: &str, value: &str, reason: impl Into<String>) -> CliError {
        CliError::Invalid {
            name: name.to_string(),
            value: value.to_string(),
            reason: reason.into(),
        }
    }
}

/// A program's command line: its name, what it does and its options
/// (the [`COMMON`] ones are added).
#[derive(Debug, Clone)]
pub struct Command {
    name: String,
    about: String,
    options: Vec<Opt>,
    /// The usage line of the help; `None`: the examples' one.
    usage: Option<String>,
    /// Whether arguments that are not options are kept ([`Args::positionals`]).
    positionals: bool,
    /// Text printed after the options in the help.
    footer: String,
}

impl Command {
    /// The command line of program `name`.
    pub fn new(name: impl Into<String>, about: impl Into<String>, options: &[Opt]) -> Command {
        let mut all = options.to_vec();
        all.extend(
            COMMON
                .iter()
                .filter(|c| !options.iter().any(|o| o.name == c.name)),
        );
        Command {
            name: name.into(),
            about: about.into(),
            options: all,
            usage: None,
            positionals: false,
            footer: String::new(),
        }
    }

    /// A program with its own `usage` line, `options`, and only the
    /// logging and help options of [`COMMON`] (`-d/--debug`, `--log`,
    /// `-h/--help`). Arguments that are not options are kept as
    /// [`Args::positionals`]; after `--` every argument is one.
    pub fn with_positionals(
        name: impl Into<String>,
        about: impl Into<String>,
        usage: impl Into<String>,
        options: &[Opt],
    ) -> Command {
        let mut all = options.to_vec();
        all.extend(COMMON.iter().filter(|c| {
            matches!(c.name, "--debug" | "--log" | "--help")
                && !options.iter().any(|o| o.name == c.name)
        }));
        Command {
            name: name.into(),
            about: about.into(),
            options: all,
            usage: Some(usage.into()),
            positionals: true,
            footer: String::new(),
        }
    }

    /// Adds `footer` after the options in the help.
    pub fn footer(mut self, footer: impl Into<String>) -> Command {
        self.footer = footer.into();
        self
    }

    /// The help text `--help` prints.
    pub fn help(&self) -> String {
        let usage = match &self.usage {
            Some(u) => u.clone(),
            None => format!(
                "cargo run -p hangups-tests --example {} -- [OPTIONS]",
                self.name
            ),
        };
        let mut out = format!(
            "{}: {}\n\nUsage: {usage}\n\nOptions:\n",
            self.name, self.about
        );
        let rows: Vec<(String, &str)> = self
            .options
            .iter()
            .map(|o| {
                let names = match o.short {
                    Some(s) => format!("{s}, {}", o.name),
                    None => o.name.to_string(),
                };
                let left = match o.value {
                    Some(v) => format!("{names} {v}"),
                    None => names,
                };
                (left, o.help)
            })
            .collect();
        let width = rows.iter().map(|(l, _)| l.len()).max().unwrap_or(0);
        for (left, help) in rows {
            out.push_str(&format!("  {left:width$}  {help}\n"));
        }
        if !self.footer.is_empty() {
            out.push('\n');
            out.push_str(&self.footer);
        }
        out
    }

    /// Parses `args` (without the program name). `-h/--help` anywhere
    /// gives [`CliError::Help`].
    pub fn parse<I>(&self, args: I) -> Result<Args, CliError>
    where
        I: IntoIterator,
        I::Item: Into<OsString>,
    {
        let mut strings = Vec::new();
        for (i, arg) in args.into_iter().enumerate() {
            let arg: OsString = arg.into();
            match arg.into_string() {
                Ok(s) => strings.push(s),
                Err(bad) => {
                    return Err(CliError::NotUtf8 {
                        index: i + 1,
                        lossy: bad.to_string_lossy().into_owned(),
                    })
                }
            }
        }
        let mut parsed = Args::default();
        let mut rest = strings.into_iter();
        while let Some(arg) = rest.next() {
            if self.positionals {
                if arg == "--" {
                    parsed.positionals.extend(rest.by_ref());
                    break;
                }
                if !arg.starts_with('-') || arg == "-" {
                    parsed.positionals.push(arg);
                    continue;
                }
            }
            let (key, inline) = match arg.split_once('=') {
                Some((k, v)) if k.starts_with("--") => (k.to_string(), Some(v.to_string())),
                _ => (arg.clone(), None),
            };
            let opt = self
                .options
                .iter()
                .find(|o| o.name == key || o.short == Some(key.as_str()))
                .ok_or(CliError::Unknown { arg })?;
            if opt.name == "--help" {
                return Err(CliError::Help(self.help()));
            }
            match opt.value {
                None if inline.is_some() => {
                    return Err(CliError::UnexpectedValue { name: opt.name })
                }
                None => parsed.flags.push(opt.name),
                Some(placeholder) => {
                    let value = inline
                        .or_else(|| rest.next())
                        .ok_or(CliError::MissingValue {
                            name: opt.name,
                            placeholder,
                        })?;
                    if value.trim().is_empty() {
                        return Err(CliError::Blank { name: opt.name });
                    }
                    parsed.values.push((opt.name, value));
                }
            }
        }
        Ok(parsed)
    }

    /// Parses the process's own arguments ([`std::env::args_os`]).
    pub fn parse_env(&self) -> Result<Args, CliError> {
        self.parse(std::env::args_os().skip(1))
    }
}

/// A parsed command line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Args {
    values: Vec<(&'static str, String)>,
    flags: Vec<&'static str>,
    positionals: Vec<String>,
}

impl Args {
    /// The arguments that are not options, in order (only with
    /// [`Command::with_positionals`]; otherwise they are refused).
    pub fn positionals(&self) -> &[String] {
        &self.positionals
    }

    /// The value of option `name` (the last one if repeated).
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .rev()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Every option with a value, in order.
    pub fn all(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(n, v)| (*n, v.as_str()))
    }

    /// The value of `name`, or `default`.
    pub fn or(&self, name: &str, default: &str) -> String {
        self.get(name).unwrap_or(default).to_string()
    }

    /// Whether flag `name` was given.
    pub fn flag(&self, name: &str) -> bool {
        self.flags.contains(&name)
    }

    /// The value of `name` parsed, or `default`.
    pub fn parsed<T: std::str::FromStr>(&self, name: &str, default: T) -> Result<T, CliError>
    where
        T::Err: std::fmt::Display,
    {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v
                .trim()
                .parse()
                .map_err(|e: T::Err| CliError::invalid(name, v, e.to_string())),
        }
    }

    /// A number of seconds, at most `max` (or `default`): bigger values are
    /// refused rather than overflowing a deadline.
    pub fn secs(&self, name: &str, default: u64, max: u64) -> Result<Duration, CliError> {
        let secs: u64 = match self.get(name) {
            None => default,
            Some(v) => v
                .trim()
                .parse()
                .map_err(|_| CliError::invalid(name, v, "not a whole number of seconds"))?,
        };
        if secs > max {
            return Err(CliError::invalid(
                name,
                &secs.to_string(),
                format!("at most {max} seconds"),
            ));
        }
        Ok(Duration::from_secs(secs))
    }

    /// A finite number within `range` (or `default`).
    pub fn number_in(
        &self,
        name: &str,
        default: f64,
        range: std::ops::RangeInclusive<f64>,
    ) -> Result<f64, CliError> {
        let x: f64 = self.parsed(name, default)?;
        if !x.is_finite() || !range.contains(&x) {
            let reason = format!("not a number from {} to {}", range.start(), range.end());
            return Err(CliError::invalid(name, &x.to_string(), reason));
        }
        Ok(x)
    }
}

/// Installs the log as hangups does: WARN and above, DEBUG with
/// `-d/--debug`, or what `RUST_LOG` says if it is set; on standard error,
/// or appended to the file `--log PATH` (which must be a regular file if
/// it exists: a FIFO or a directory is refused, not opened). A subscriber
/// already installed wins.
pub fn init_logging(args: &Args) -> Result<(), CliError> {
    use tracing_subscriber::EnvFilter;
    let filter = match std::env::var_os("RUST_LOG") {
        Some(spec) => {
            let spec = spec
                .into_string()
                .map_err(|_| CliError::invalid("RUST_LOG", "…", "not valid UTF-8"))?;
            EnvFilter::try_new(&spec)
                .map_err(|e| CliError::invalid("RUST_LOG", &spec, e.to_string()))?
        }
        None if args.flag("--debug") => EnvFilter::new("debug"),
        None => EnvFilter::new("warn"),
    };
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = match args.get("--log") {
        None => builder.with_writer(std::io::stderr).try_init(),
        Some(path) => {
            let invalid = |reason: String| CliError::invalid("--log", path, reason);
            match std::fs::metadata(path) {
                Ok(meta) if !meta.is_file() => return Err(invalid("not a regular file".into())),
                _ => {}
            }
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| invalid(e.to_string()))?;
            builder
                .with_ansi(false)
                .with_writer(std::sync::Mutex::new(file))
                .try_init()
        }
    };
    Ok(())
}

/// Reads the regular file at `path` given as option `name`, refusing
/// anything else (a directory, a FIFO, which would block) and files over
/// `limit` bytes, without reading more than that.
pub fn read_file_at_most(name: &str, path: &str, limit: u64) -> Result<Vec<u8>, CliError> {
    let fail = |reason: String| CliError::invalid(name, path, reason);
    let meta = std::fs::metadata(Path::new(path)).map_err(|e| fail(e.to_string()))?;
    if !meta.is_file() {
        return Err(fail("not a regular file".into()));
    }
    let too_big = |size: u64| fail(format!("{size} bytes; at most {limit} are read"));
    if meta.len() > limit {
        return Err(too_big(meta.len()));
    }
    let file = std::fs::File::open(path).map_err(|e| fail(e.to_string()))?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| fail(e.to_string()))?;
    if bytes.len() as u64 > limit {
        return Err(too_big(bytes.len() as u64));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests;
