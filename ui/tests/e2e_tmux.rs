//! The end-to-end test in a real terminal (shared/TUI.md §6): tmux runs
//! the built `hangups` binary at 100×30 (`LANG=C.UTF-8`, `TZ=UTC`) with
//! `--url` on an emulator this test starts in-process on loopback; keys
//! go in with `send-keys`, the screen comes out with `capture-pane`.
//!
//! Without tmux the test prints a notice and passes, unless
//! `HANGUPS_REQUIRE_TMUX=1` (CI sets it), when it fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use hangups_tests::emulator::{Emulator, EmulatorConfig, Faults};

const GRACE: &str = "100000000000000000002";
const GROUP: &str = "UgwEmulatorGroupChat4AaABAQ";
const ONE_TO_ONE: &str = "UgwEmulatorOneToOne4AaABAQ";

/// A private tmux server (no user config), killed when dropped.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn cmd(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .output()
            .expect("tmux runs")
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.cmd(args);
        assert!(
            out.status.success(),
            "tmux {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.ok(&["capture-pane", "-p", "-t", "app"])
    }

    /// Waits until the screen shows `text` (20 s at most).
    fn wait_for(&self, text: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "never showed {text:?}; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn keys(&self, literal: &str) {
        self.ok(&["send-keys", "-t", "app", "-l", literal]);
    }

    fn key(&self, name: &str) {
        self.ok(&["send-keys", "-t", "app", name]);
    }

    fn dead_status(&self) -> String {
        let format = "#{pane_dead} #{pane_dead_status}";
        let status = self.ok(&["display", "-p", "-t", "app", format]);
        let status = status.trim().to_string();
        if status == "1" {
            // Dead without a status: tmux (3.3a) saw the pane's end but
            // missed the SIGCHLD, and the process waits unreaped (a
            // zombie). A child of the server that exits makes it reap
            // every child, ours included.
            self.ok(&["run-shell", "true"]);
        }
        status
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

fn tmux_available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hangups-e2e-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn shell_quote(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', "'\\''"))
}

/// Whether the test can run: tmux is there, or it is missing and not
/// required (then a notice says the test did not run).
fn can_run() -> bool {
    if tmux_available() {
        return true;
    }
    let required = std::env::var("HANGUPS_REQUIRE_TMUX").is_ok_and(|v| v == "1");
    assert!(!required, "tmux is missing and HANGUPS_REQUIRE_TMUX=1");
    eprintln!("notice: tmux is not installed; the end-to-end test did not run");
    false
}

/// Starts `hangups ARGS` at 100×30 in a private tmux server, with an
/// empty config file and its log, cache and config in `dir`.
fn launch(name: &str, dir: &Path, args: &str) -> (Tmux, PathBuf) {
    let conf = dir.join("hangups.conf");
    std::fs::write(&conf, "").unwrap();
    let log = dir.join("hangups.log");
    let app = env!("CARGO_BIN_EXE_hangups");
    let command = format!(
        "cd {dir} && env TERM=xterm-256color LANG=C.UTF-8 TZ=UTC XDG_CONFIG_HOME={dir} XDG_CACHE_HOME={dir} {app} {args} -c {conf} --log {log} -d",
        dir = shell_quote(dir),
        app = shell_quote(Path::new(app)),
        conf = shell_quote(&conf),
        log = shell_quote(&log),
    );
    let tmux = Tmux {
        socket: format!("e2e-{}-{name}", std::process::id()),
    };
    // remain-on-exit in the same tmux command, before the app can exit.
    tmux.ok(&[
        "new-session",
        "-d",
        "-s",
        "app",
        "-x",
        "100",
        "-y",
        "30",
        &command,
        ";",
        "set-option",
        "-t",
        "app",
        "remain-on-exit",
        "on",
    ]);
    (tmux, log)
}

/// Ctrl+E quits with status 0 (tmux may see the pane's end before it has
/// the status: wait for both).
fn quit_with_status_0(tmux: &Tmux, log: &Path) {
    tmux.key("C-e");
    let deadline = Instant::now() + Duration::from_secs(10);
    while !tmux.dead_status().starts_with("1 ") {
        assert!(
            Instant::now() < deadline,
            "Ctrl+E did not quit: {:?} (signal {:?}); processes:\n{}\nthe screen:\n{}\nthe log:\n{}",
            tmux.dead_status(),
            tmux.ok(&["display", "-p", "-t", "app", "#{pane_dead_signal}"]),
            String::from_utf8_lossy(
                &Command::new("ps")
                    .args(["-eo", "pid,ppid,stat,args"])
                    .output()
                    .map(|o| o.stdout)
                    .unwrap_or_default()
            )
            .lines()
            .filter(|l| l.contains("hangups") && !l.contains("e2e_tmux"))
            .collect::<Vec<_>>()
            .join("\n"),
            tmux.screen(),
            std::fs::read_to_string(log).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(tmux.dead_status(), "1 0");
}

#[test]
fn hangups_with_no_arguments_runs_on_its_embedded_lively_emulator() {
    if !can_run() {
        return;
    }
    let dir = temp_dir("embedded");
    let (tmux, log) = launch("embedded", &dir, "");
    tmux.wait_for("emulator (embedded)");
    tmux.wait_for("Grace Hopper");
    // The one-to-one is the second row; Grace answers what is sent to her.
    tmux.key("Down");
    tmux.key("Enter");
    tmux.wait_for("Send message:");
    tmux.keys("ping from the e2e test");
    tmux.key("Enter");
    tmux.wait_for("Ada: ping from the e2e test");
    tmux.wait_for("ping from the e2e test\u{201d}");
    quit_with_status_0(&tmux, &log);
    drop(tmux);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn hangups_in_a_real_terminal_against_the_emulator() {
    if !can_run() {
        return;
    }
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    let dir = temp_dir("url");
    let (tmux, log) = launch("url", &dir, &format!("--url {}", emu.url()));

    // It starts and renders the list.
    {
        tmux.wait_for("Conversations");
        tmux.wait_for("Grace Hopper");
        // Open the newest conversation (the group after this message).
        emu.inject_message(GROUP, GRACE, "top of the list").unwrap();
        tmux.wait_for("Emulator group");
        tmux.key("Enter");
        tmux.wait_for("Send message:");
        tmux.keys("hello");
        tmux.key("Enter");
        tmux.wait_for(": hello");
        emu.inject_message(GROUP, GRACE, "Hi from Grace é 日本語")
            .unwrap();
        tmux.wait_for("Hi from Grace é 日本語");
        // A message in the other conversation opens its tab in the
        // background, with its unread count in the title (the tab bar is
        // the first line; the one-to-one had no tab before).
        let tab_bar = |screen: &str| screen.lines().next().unwrap_or("").to_string();
        assert!(
            !tab_bar(&tmux.screen()).contains("Grace Hopper"),
            "{}",
            tmux.screen()
        );
        emu.inject_message(ONE_TO_ONE, GRACE, "psst").unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let bar = tab_bar(&tmux.screen());
            let count = bar
                .split("Grace Hopper (")
                .nth(1)
                .and_then(|rest| rest.split(')').next())
                .and_then(|n| n.parse::<u32>().ok());
            if count.is_some_and(|n| n >= 1) {
                break;
            }
            assert!(Instant::now() < deadline, "no unread count: {bar:?}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    // A fault: the push channel's connection is dropped; the client
    // survives (still rendering, still reading keys).
    emu.set_faults(Faults {
        drop_long_poll_after: Some(0),
        ..Faults::default()
    });
    emu.inject_message(GROUP, GRACE, "after the fault").unwrap();
    tmux.wait_for("after the fault");
    assert!(
        emu.fault_fired("drop_long_poll_after") >= 1,
        "the fault never fired"
    );
    std::thread::sleep(Duration::from_millis(500));
    let status = tmux.dead_status();
    assert_eq!(
        status,
        "0",
        "the client exited on a fault; the screen:\n{}\nthe log:\n{}",
        tmux.screen(),
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    // Still reading keys and rendering.
    tmux.keys("xyzzy");
    tmux.wait_for("xyzzy");

    quit_with_status_0(&tmux, &log);
    drop(tmux);
    emu.shutdown();
    let _ = std::fs::remove_dir_all(&dir);
}
