use super::*;
use ratatui::crossterm::event::KeyCode;
use ratatui::style::Color;

struct Tmp(PathBuf);

impl Tmp {
    fn new(name: &str, text: &str) -> Tmp {
        let dir =
            std::env::temp_dir().join(format!("hangups-ui-config-{}-{name}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("hangups.conf");
        std::fs::write(&path, text).unwrap();
        Tmp(path)
    }
}

impl Drop for Tmp {
    fn drop(&mut self) {
        if let Some(dir) = self.0.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

fn load_with(conf: &str, args: &[&str]) -> Result<Options, ConfigError> {
    let tmp = Tmp::new(&format!("{:x}", fxhash(conf, args)), conf);
    let mut all = vec!["hangups", "-c", tmp.0.to_str().unwrap()];
    all.extend_from_slice(args);
    load_from(all, Path::new("/nonexistent/hangups.conf"))
}

fn fxhash(conf: &str, args: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in conf.bytes().chain(args.iter().flat_map(|a| a.bytes())) {
        h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    h
}

#[test]
fn hangups_defaults() {
    let o = load_with("", &[]).unwrap();
    assert_eq!(
        o.settings,
        Settings {
            server_label: Some("emulator (embedded)".into()),
            ..Settings::default()
        }
    );
    assert_eq!(o.server, Server::Embedded);
    assert!(
        o.token_path.ends_with("hangups/refresh_token.txt"),
        "{:?}",
        o.token_path
    );
    assert!(o.log.ends_with("hangups/log/hangups.log"), "{:?}", o.log);
    assert!(!o.debug && !o.manual_login);
    assert_eq!(o.notification, NotificationType::Default);
}

#[test]
fn every_flag_on_the_command_line() {
    let o = load_with(
        "",
        &[
            "--token-path",
            "/t",
            "--log",
            "/l",
            "-d",
            "--date-format",
            "%F",
            "--time-format",
            "%T",
            "--manual-login",
            "--keep-emoticons",
            "--notification-type",
            "bell",
            "-D",
            "--col-scheme",
            "solarized-dark",
            "--col-palette-colors",
            "256",
            "--key-quit",
            "ctrl q",
            "--key-up",
            "page up",
            "--mouse",
            "--col-msg-date-fg",
            "h200",
        ],
    )
    .unwrap();
    assert_eq!(o.token_path, PathBuf::from("/t"));
    assert_eq!(o.log, PathBuf::from("/l"));
    assert!(o.debug && o.manual_login);
    assert_eq!(
        o.server,
        Server::Google,
        "a --token-path is the real service"
    );
    let s = &o.settings;
    assert_eq!(
        (s.date_format.as_str(), s.time_format.as_str()),
        ("%F", "%T")
    );
    assert!(s.keep_emoticons && s.discreet_notifications && s.mouse);
    assert_eq!(o.notification, NotificationType::Bell);
    assert_eq!(s.keys.quit, Key::ctrl('q'));
    assert_eq!(s.keys.up, Key::plain(KeyCode::PageUp));
    assert_eq!(
        s.palette.style(Element::MsgDate).fg,
        Some(Color::Indexed(200))
    );
    assert_eq!(
        s.palette.style(Element::MsgSelf),
        Scheme::SolarizedDark.palette().style(Element::MsgSelf)
    );
}

use crate::settings::Key;

#[test]
fn the_file_takes_the_same_names_and_the_command_line_wins() {
    let conf = "[section]\nkey-quit = ctrl q\ndate-format: %Y\nmanual-login\nkeep-emoticons = false\ncol-msg-text-fg = dark red\n";
    let o = load_with(conf, &[]).unwrap();
    assert_eq!(o.settings.keys.quit, Key::ctrl('q'));
    assert_eq!(o.settings.date_format, "%Y");
    assert!(o.manual_login);
    assert!(!o.settings.keep_emoticons);
    assert_eq!(
        o.settings.palette.style(Element::MsgText).fg,
        Some(Color::Red)
    );
    let o = load_with(
        conf,
        &[
            "--key-quit",
            "ctrl x",
            "--date-format",
            "%m",
            "--manual-login",
        ],
    )
    .unwrap();
    assert_eq!(o.settings.keys.quit, Key::ctrl('x'));
    assert_eq!(o.settings.date_format, "%m");
}

#[test]
fn unknown_options_in_the_file_name_file_and_line() {
    let err = load_with("date-format = x\n\nno-such-option = 1\n", &[]).unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(err, ConfigError::UnknownOption { line: 3, .. }),
        "{err:?}"
    );
    assert!(
        text.contains("hangups.conf:3: unknown option \"no-such-option\""),
        "{text}"
    );
    assert_eq!(err.exit_code(), 2);
    assert!(matches!(
        load_with("config = /x\n", &[]).unwrap_err(),
        ConfigError::UnknownOption { line: 1, .. }
    ));
}

#[test]
fn bad_values_are_typed_errors() {
    let err = load_with("\nkey-quit = hyper q\n", &[]).unwrap_err();
    assert!(
        matches!(err, ConfigError::BadValue { line: 2, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("hyper q"), "{err}");
    let err = load_with("", &["--key-quit", "ctrl"]).unwrap_err();
    assert!(matches!(err, ConfigError::Cli(_)));
    assert_eq!(err.exit_code(), 2);
    for args in [
        &["--notification-type", "growl"][..],
        &["--col-palette-colors", "8"],
        &["--col-scheme", "neon"],
        &["--col-status-line-bg", "puce"],
        &["--no-such-flag"],
    ] {
        let err = load_with("", args).unwrap_err();
        assert_eq!(err.exit_code(), 2, "{args:?}");
    }
    let err = load_with("", &["--col-msg-date-fg", "#f00"]).unwrap_err();
    assert!(
        matches!(err, ConfigError::PaletteTooSmall { needs: 88, .. }),
        "{err:?}"
    );
    let err = load_with("manual-login = perhaps\n", &[]).unwrap_err();
    assert!(
        matches!(err, ConfigError::BadValue { line: 1, .. }),
        "{err:?}"
    );
}

#[test]
fn help_and_version_exit_zero() {
    for flag in ["-h", "--help", "-v", "--version"] {
        let err = load_with("", &[flag]).unwrap_err();
        assert_eq!(err.exit_code(), 0, "{flag}");
    }
}

#[test]
fn apple_falls_back_with_a_warning() {
    let o = load_with("", &["--notification-type", "apple"]).unwrap();
    assert_eq!(o.notification, NotificationType::Default);
    assert!(
        o.warnings[0].contains("apple is not supported"),
        "{:?}",
        o.warnings
    );
    let o = load_with("", &["--notification-type", "none"]).unwrap();
    assert!(!o.settings.notifications);
}

#[test]
fn servers() {
    assert_eq!(
        load_with("", &["--url", "google"]).unwrap().server,
        Server::Google
    );
    let o = load_with("", &["--url", "http://127.0.0.1:1"]).unwrap();
    assert_eq!(o.server, Server::Emulator("http://127.0.0.1:1".into()));
}

#[test]
fn the_example_config_is_valid() {
    let text = include_str!("../../hangups.conf.example");
    let o = load_with(text, &[]).unwrap();
    // Every option of the command line is in the example.
    for arg in command().get_arguments() {
        let Some(long) = arg.get_long() else { continue };
        if matches!(long, "config" | "version" | "help") {
            continue;
        }
        assert!(
            text.lines().any(|l| l
                .trim_start_matches(['#', ' '])
                .starts_with(&format!("{long} "))
                || l.trim_start_matches(['#', ' '])
                    .starts_with(&format!("{long}="))),
            "{long} missing from hangups.conf.example"
        );
    }
    assert_eq!(o.settings.keys, KeyBindings::default());
}
