use super::*;

fn cmd() -> Command {
    Command::new(
        "receive_messages",
        "prints chat messages as they arrive",
        &[
            Opt::value("--count", "N", "how many messages"),
            Opt::value("--timeout", "SECS", "how long to wait"),
            Opt::value("--message-text", "TEXT", "the message"),
        ],
    )
}

#[cfg(unix)]
fn not_utf8(bytes: &[u8]) -> OsString {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::OsStr::from_bytes(bytes).to_os_string()
}

#[test]
fn values_flags_and_the_common_options() {
    let args = cmd()
        .parse([
            "--count",
            "3",
            "--timeout=10",
            "-d",
            "--log",
            "x.log",
            "--url",
            "http://127.0.0.1:1",
            "--count",
            "4",
        ])
        .unwrap();
    assert_eq!(args.get("--count"), Some("4"), "the last one wins");
    assert_eq!(args.parsed::<u32>("--count", 1).unwrap(), 4);
    assert_eq!(args.get("--timeout"), Some("10"));
    assert!(args.flag("--debug"));
    assert_eq!(args.get("--log"), Some("x.log"));
    assert_eq!(args.or("--token-path", "none"), "none");
    let all: Vec<_> = args.all().map(|(n, _)| n).collect();
    assert_eq!(all, ["--count", "--timeout", "--log", "--url", "--count"]);
    assert!(!cmd().parse(Vec::<String>::new()).unwrap().flag("--debug"));
    assert_eq!(
        cmd()
            .parse(["--message-text=a=b"])
            .unwrap()
            .get("--message-text"),
        Some("a=b")
    );
}

#[cfg(unix)]
#[test]
fn an_argument_that_is_not_utf8_is_an_error() {
    for args in [
        vec![not_utf8(b"--count"), not_utf8(b"\xff\xfe")],
        vec![not_utf8(b"--c\xc3ount")],
        vec![not_utf8(b"\x80")],
    ] {
        let err = cmd().parse(args.clone()).unwrap_err();
        assert!(matches!(err, CliError::NotUtf8 { .. }), "{args:?}: {err:?}");
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().contains("not valid UTF-8"), "{err}");
    }
    let err = cmd()
        .parse([not_utf8(b"--count"), not_utf8(b"a\xffb")])
        .unwrap_err();
    assert_eq!(
        err,
        CliError::NotUtf8 {
            index: 2,
            lossy: "a\u{fffd}b".into()
        }
    );
}

#[test]
fn bad_command_lines_are_errors_with_status_2() {
    let cases: &[(&[&str], &str)] = &[
        (&["--nope"], "unknown argument \"--nope\""),
        (&["stray"], "unknown argument \"stray\""),
        (&["--count"], "--count needs a value (N)"),
        (&["--debug=yes"], "--debug takes no value"),
        (
            &["--message-text", ""],
            "--message-text: the value is empty or blank",
        ),
        (
            &["--message-text", " \t\n"],
            "--message-text: the value is empty or blank",
        ),
        (
            &["--message-text="],
            "--message-text: the value is empty or blank",
        ),
        (&["--url", "  "], "--url: the value is empty or blank"),
    ];
    for (args, want) in cases {
        let err = cmd().parse(args.iter().copied()).unwrap_err();
        assert_eq!(err.exit_code(), 2, "{args:?}");
        assert!(err.to_string().contains(want), "{args:?}: {err}");
    }
}

#[test]
fn help_lists_every_option_and_exits_0() {
    for flag in ["-h", "--help"] {
        let err = cmd().parse(["--count", "1", flag]).unwrap_err();
        assert_eq!(err.exit_code(), 0);
        let CliError::Help(text) = err else { panic!() };
        for needle in [
            "receive_messages: prints chat messages",
            "--count N",
            "--timeout SECS",
            "-d, --debug",
            "--log PATH",
            "--token-path PATH",
            "--url URL",
            "-h, --help",
        ] {
            assert!(text.contains(needle), "{needle:?} not in\n{text}");
        }
    }
}

#[test]
fn numbers_and_durations_are_checked() {
    let args = |v: &str| cmd().parse(["--timeout", v, "--count", v]).unwrap();
    assert_eq!(
        args("60").secs("--timeout", 1, 3600).unwrap(),
        Duration::from_secs(60)
    );
    assert_eq!(
        cmd()
            .parse(["-d"])
            .unwrap()
            .secs("--timeout", 7, 10)
            .unwrap(),
        Duration::from_secs(7)
    );
    for bad in [
        "18446744073709551615",
        "18446744073709551616",
        "3601",
        "-1",
        "1.5",
        "x",
    ] {
        let err = args(bad).secs("--timeout", 1, 3600).unwrap_err();
        assert_eq!(err.exit_code(), 2);
        assert!(err.to_string().starts_with("--timeout"), "{err}");
    }
    let err = args("18446744073709551615")
        .secs("--timeout", 1, 3600)
        .unwrap_err();
    assert!(err.to_string().contains("at most 3600 seconds"), "{err}");
    assert!(args("-3").parsed::<usize>("--count", 1).is_err());
    assert!(args("99999999999999999999999")
        .parsed::<u64>("--count", 1)
        .is_err());
    let geo = |v: &str| {
        cmd()
            .parse(["--count", v])
            .unwrap()
            .number_in("--count", 0.0, -90.0..=90.0)
    };
    assert_eq!(geo("45.5").unwrap(), 45.5);
    for bad in ["NaN", "inf", "-91", "1e400"] {
        assert!(geo(bad).is_err(), "{bad}");
    }
}

#[test]
fn input_files_are_bounded_and_regular() {
    let dir = std::env::temp_dir().join(format!("hangups-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let small = dir.join("small.png");
    std::fs::write(&small, [1u8; 10]).unwrap();
    let p = |path: &Path| path.to_str().unwrap().to_string();
    assert_eq!(
        read_file_at_most("--image", &p(&small), 10).unwrap().len(),
        10
    );
    let err = read_file_at_most("--image", &p(&small), 9).unwrap_err();
    assert!(
        err.to_string().contains("10 bytes; at most 9 are read"),
        "{err}"
    );
    let err = read_file_at_most("--image", &p(&dir), 9).unwrap_err();
    assert!(err.to_string().contains("not a regular file"), "{err}");
    let err = read_file_at_most("--image", &p(&dir.join("missing")), 9).unwrap_err();
    assert!(err.to_string().starts_with("--image"), "{err}");
    #[cfg(unix)]
    {
        let fifo = dir.join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success());
        if made {
            let err = read_file_at_most("--image", &p(&fifo), 9).unwrap_err();
            assert!(err.to_string().contains("not a regular file"), "{err}");
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn positionals_are_kept_only_when_asked_for() {
    let cmd = Command::with_positionals(
        "hangups-chat",
        "posts",
        "hangups-chat COMMAND [ARGS]",
        &[
            Opt::value("--space", "SPACE", "the space"),
            Opt::flag("--json", "JSON"),
        ],
    );
    let args = cmd
        .parse([
            "send",
            "--space",
            "spaces/A",
            "hello world",
            "-d",
            "--",
            "--json",
            "-x",
        ])
        .unwrap();
    assert_eq!(args.positionals(), ["send", "hello world", "--json", "-x"]);
    assert_eq!(args.get("--space"), Some("spaces/A"));
    assert!(args.flag("--debug"));
    assert!(!args.flag("--json"), "after -- it is text");
    // Only the logging and help options of COMMON.
    assert!(matches!(
        cmd.parse(["--url", "x"]),
        Err(CliError::Unknown { .. })
    ));
    assert!(matches!(
        cmd.parse(["--nope"]),
        Err(CliError::Unknown { .. })
    ));
    let Err(CliError::Help(help)) = cmd.footer("Exit status: …").parse(["-h"]) else {
        panic!("help")
    };
    assert!(
        help.contains("Usage: hangups-chat COMMAND [ARGS]"),
        "{help}"
    );
    assert!(help.ends_with("Exit status: …"), "{help}");
    // The examples' commands still refuse them.
    assert!(matches!(
        cmd_plain().parse(["send"]),
        Err(CliError::Unknown { .. })
    ));
}

fn cmd_plain() -> Command {
    cmd()
}
