//! The examples and the demo as a careless user runs them: bad command
//! lines end with a message and exit status 2, never a panic, and a bad
//! `--token-path` is a clear error before any prompt, leaving the file
//! alone. The binaries are built (`cargo build --example …`, a no-op when
//! they are up to date) into this test's own target directory.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

const EXAMPLES: &[&str] = &[
    "demo",
    "receive_messages",
    "send_message",
    "upload_image",
    "get_self_info",
];

/// The directory of the example binaries, built once.
fn examples_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let exe = std::env::current_exe().expect("the test's path");
        // target/<profile>/deps/examples_cli-…
        let profile_dir = exe.parent().and_then(Path::parent).expect("a target dir");
        let target_dir = profile_dir.parent().expect("a target dir");
        let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
            Some("debug") | None => "dev",
            Some(other) => other,
        };
        let mut cmd = Command::new(env!("CARGO"));
        cmd.args(["build", "-q", "-p", "hangups-tests", "--profile", profile])
            .arg("--target-dir")
            .arg(target_dir);
        for name in EXAMPLES {
            cmd.args(["--example", name]);
        }
        let status = cmd.status().expect("cargo runs");
        assert!(status.success(), "building the examples failed");
        profile_dir.join("examples")
    })
}

/// Runs example `name` with `args`, stdin empty, and a clean log setting.
fn run(name: &str, args: &[OsString]) -> Output {
    let path = examples_dir().join(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    Command::new(&path)
        .args(args)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn os(args: &[&str]) -> Vec<OsString> {
    args.iter().map(OsString::from).collect()
}

/// A refusal: exit status `code`, `needle` in standard error, no panic.
fn assert_refused(name: &str, args: &[OsString], code: i32, needle: &str) {
    let out = run(name, args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("panicked"),
        "{name} {args:?} panicked:\n{stderr}"
    );
    assert_eq!(out.status.code(), Some(code), "{name} {args:?}:\n{stderr}");
    assert!(
        stderr.contains(needle),
        "{name} {args:?}: {needle:?} not in:\n{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn arguments_that_are_not_utf8_are_refused_by_every_example_tried() {
    use std::os::unix::ffi::OsStrExt;
    let bad = std::ffi::OsStr::from_bytes(b"--url=\xff\xfe").to_os_string();
    for name in EXAMPLES {
        assert_refused(name, std::slice::from_ref(&bad), 2, "is not valid UTF-8");
        let value = std::ffi::OsStr::from_bytes(b"caf\xe9").to_os_string();
        assert_refused(
            name,
            &[OsString::from("--token-path"), value],
            2,
            "argument 2 is not valid UTF-8",
        );
    }
}

#[test]
fn bad_values_are_refused_with_status_2() {
    assert_refused(
        "receive_messages",
        &os(&["--timeout", "18446744073709551615"]),
        2,
        "--timeout \"18446744073709551615\": at most 604800 seconds",
    );
    assert_refused(
        "receive_messages",
        &os(&["--count", "-1"]),
        2,
        "--count \"-1\"",
    );
    assert_refused(
        "receive_messages",
        &os(&["--count"]),
        2,
        "--count needs a value",
    );
    assert_refused(
        "send_message",
        &os(&["--message-text", ""]),
        2,
        "empty or blank",
    );
    assert_refused(
        "send_message",
        &os(&["--message-text", " \n "]),
        2,
        "empty or blank",
    );
    assert_refused("demo", &os(&["--nope"]), 2, "unknown argument \"--nope\"");
    assert_refused(
        "demo",
        &os(&["--url", "https://example.com"]),
        2,
        "must be http://",
    );
    assert_refused(
        "upload_image",
        &os(&["--image", "."]),
        2,
        "not a regular file",
    );
    assert_refused(
        "get_self_info",
        &os(&["--log", "."]),
        2,
        "--log \".\": not a regular file",
    );
}

#[test]
fn a_large_image_is_refused_unread() {
    let dir = scratch("image");
    let big = dir.join("big.png");
    let file = std::fs::File::create(&big).unwrap();
    file.set_len(32 * 1024 * 1024 + 1).unwrap();
    let arg = [OsString::from("--image"), big.clone().into_os_string()];
    assert_refused(
        "upload_image",
        &arg,
        2,
        "33554433 bytes; at most 33554432 are read",
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn help_is_printed_with_status_0() {
    for name in EXAMPLES {
        let out = run(name, &os(&["--help"]));
        assert_eq!(out.status.code(), Some(0), "{name}");
        let help = String::from_utf8_lossy(&out.stdout);
        for needle in ["-d, --debug", "--log PATH", "--token-path PATH"] {
            assert!(help.contains(needle), "{name}: {needle:?} not in\n{help}");
        }
    }
    let help = String::from_utf8_lossy(&run("upload_image", &os(&["-h"])).stdout).into_owned();
    assert!(help.contains("at most 32 MiB"), "{help}");
}

/// A fresh directory under the system's temporary directory.
fn scratch(what: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "hangups-examples-cli-{what}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_bad_token_path_is_an_error_before_any_prompt_and_is_left_alone() {
    let dir = scratch("token");
    let notes = dir.join("notes.txt");
    std::fs::write(&notes, "Meeting notes\nbuy milk\n").unwrap();
    let sub = dir.join("sub");
    std::fs::create_dir(&sub).unwrap();
    for (path, needle) in [
        (&notes, "does not hold a refresh token"),
        (&sub, "is a directory, not a regular file"),
    ] {
        // Without --url an emulator runs in-process; stdin is empty, so a
        // prompt would end in "no authorization code" instead.
        let args = [
            OsString::from("--token-path"),
            path.clone().into_os_string(),
        ];
        for name in ["get_self_info", "demo"] {
            assert_refused(name, &args, 1, needle);
            let stderr = String::from_utf8_lossy(&run(name, &args).stderr).into_owned();
            assert!(
                !stderr.contains("Authorization code"),
                "{name} prompted:\n{stderr}"
            );
            assert!(stderr.contains(&path.display().to_string()), "{stderr}");
        }
    }
    assert_eq!(
        std::fs::read_to_string(&notes).unwrap(),
        "Meeting notes\nbuy milk\n"
    );
    assert!(sub.is_dir());
    let _ = std::fs::remove_dir_all(dir);
}
