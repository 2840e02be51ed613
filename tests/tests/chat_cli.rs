//! The `hangups-chat` binary as a CI job runs it, against a Chat emulator
//! this test starts: what it prints, the JSON it emits, threads by
//! webhook, and the exit codes scripts branch on.

use hangups_tests::chat_emulator::ChatFaults;
use hangups_tests::emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use std::process::{Command, Output, Stdio};

const ADA: &str = "users/100000000000000000001";
/// An app that may also read (`chat.app.messages.readonly`).
const APP_SCOPES: &[&str] = &["chat.bot", "chat.app.messages.readonly"];

fn emulator() -> EmulatorHandle {
    Emulator::start(EmulatorConfig::default()).expect("emulator starts")
}

/// Runs `hangups-chat args`, stdin empty, no `CHAT_TOKEN`/`RUST_LOG`.
fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hangups-chat"))
        .args(args)
        .env_remove("CHAT_TOKEN")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .output()
        .expect("hangups-chat runs")
}

fn stdout(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).expect("UTF-8 stdout")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Exit status `code`, no panic; returns standard error.
fn assert_status(out: &Output, code: i32) -> String {
    let err = stderr(out);
    assert!(!err.contains("panicked"), "panicked:\n{err}");
    assert_eq!(out.status.code(), Some(code), "stderr:\n{err}");
    err
}

/// A space with the app in it and an app token with `scopes`.
fn space_and_token(emu: &EmulatorHandle, scopes: &[&str]) -> (String, String) {
    let space = emu.chat_create_space("Builds", &[ADA]).expect("space");
    let token = emu.chat_token("app", scopes).expect("token");
    (space, token)
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_str(stdout(out).trim()).expect("stdout is one JSON value")
}

#[test]
fn send_then_list_shows_the_message() {
    let emu = emulator();
    let url = emu.url();
    let (space, token) = space_and_token(&emu, APP_SCOPES);
    let auth = ["--url", url.as_str(), "--token", token.as_str()];
    let sent = run(&[&["send", "build 42 passed", "--space", &space][..], &auth].concat());
    assert_status(&sent, 0);
    let line = stdout(&sent);
    assert!(
        line.starts_with(&format!("created {space}/messages/")),
        "{line}"
    );
    assert_eq!(line.lines().count(), 1, "{line}");
    let listed = run(&[&["list", &space][..], &auth].concat());
    assert_status(&listed, 0);
    let lines = stdout(&listed);
    assert_eq!(lines.lines().count(), 1, "{lines}");
    assert!(lines.contains("build 42 passed"), "{lines}");
    // The message the emulator holds is the one sent.
    let state = emu.chat_state();
    let texts: Vec<_> = state["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter_map(|m| m["text"].as_str())
        .collect();
    assert_eq!(texts, ["build 42 passed"]);
}

#[test]
fn json_output_parses_for_send_get_edit_list_and_delete() {
    let emu = emulator();
    let url = emu.url();
    let (space, token) = space_and_token(&emu, APP_SCOPES);
    let auth = ["--url", url.as_str(), "--token", token.as_str(), "--json"];
    let sent = run(&[
        &["send", "--text", "deploy done", "--space", &space][..],
        &auth,
    ]
    .concat());
    assert_status(&sent, 0);
    let created = json(&sent);
    assert_eq!(created["text"], "deploy done");
    let name = created["name"].as_str().expect("a name").to_string();
    assert!(name.starts_with(&format!("{space}/messages/")), "{name}");

    let got = run(&[&["get", &name][..], &auth].concat());
    assert_status(&got, 0);
    assert_eq!(json(&got)["name"], name.as_str());

    let edited = run(&[&["edit", &name, "deploy done (edited)"][..], &auth].concat());
    assert_status(&edited, 0);
    assert_eq!(json(&edited)["text"], "deploy done (edited)");

    for extra in [&[][..], &["--all", "--page-size", "1"]] {
        let listed = run(&[&["list", &space][..], extra, &auth].concat());
        assert_status(&listed, 0);
        let page = json(&listed);
        assert_eq!(
            page["messages"][0]["text"], "deploy done (edited)",
            "{extra:?}"
        );
        assert_eq!(page["messages"].as_array().map(Vec::len), Some(1));
    }

    let deleted = run(&[&["delete", &name][..], &auth].concat());
    assert_status(&deleted, 0);
    assert_eq!(json(&deleted), serde_json::json!({}));
    let gone = run(&[&["get", &name][..], &auth].concat());
    assert_status(&gone, 3);
}

#[test]
fn webhook_posts_with_one_thread_key_land_in_one_thread() {
    let emu = emulator();
    let space = emu.chat_create_space("Alerts", &[ADA]).expect("space");
    let hook = emu.chat_webhook(&space).expect("webhook");
    let post = |text: &str, key: &str| {
        let out = run(&[
            "send",
            text,
            "--webhook",
            &hook,
            "--thread-key",
            key,
            "--json",
        ]);
        assert_status(&out, 0);
        json(&out)["thread"]["name"]
            .as_str()
            .expect("a thread name")
            .to_string()
    };
    let first = post("disk 91 %", "disk");
    let second = post("disk 97 %", "disk");
    let other = post("cpu 99 %", "cpu");
    assert_eq!(first, second, "one thread key, one thread");
    assert_ne!(first, other, "another key, another thread");
    assert!(first.starts_with(&format!("{space}/threads/")), "{first}");
    // A webhook cannot read: refused before anything is sent.
    let out = run(&["list", &space, "--webhook", &hook]);
    let err = assert_status(&out, 2);
    assert!(err.contains("webhook can only send"), "{err}");
}

#[test]
fn get_of_an_unknown_message_exits_3_with_one_line() {
    let emu = emulator();
    let url = emu.url();
    let (space, token) = space_and_token(&emu, APP_SCOPES);
    let name = format!("{space}/messages/nosuchmessage");
    let out = run(&["get", &name, "--url", &url, "--token", &token]);
    let err = assert_status(&out, 3);
    assert_eq!(err.lines().count(), 1, "{err:?}");
    assert!(err.starts_with("error: NOT_FOUND: "), "{err:?}");
    assert!(stdout(&out).is_empty());
}

#[test]
fn a_token_without_the_list_scope_exits_4() {
    let emu = emulator();
    let url = emu.url();
    // chat.bot may post but not list.
    let (space, token) = space_and_token(&emu, &["chat.bot"]);
    let sent = run(&[
        "send", "x", "--space", &space, "--url", &url, "--token", &token,
    ]);
    assert_status(&sent, 0);
    let out = run(&["list", &space, "--url", &url, "--token", &token]);
    let err = assert_status(&out, 4);
    assert_eq!(err.lines().count(), 1, "{err:?}");
    assert!(err.starts_with("error: PERMISSION_DENIED: "), "{err:?}");
    // A token the server never issued: UNAUTHENTICATED, also 4.
    let out = run(&["list", &space, "--url", &url, "--token", "ya29.forged"]);
    let err = assert_status(&out, 4);
    assert!(err.starts_with("error: UNAUTHENTICATED: "), "{err:?}");
}

#[test]
fn the_token_may_come_from_chat_token() {
    let emu = emulator();
    let url = emu.url();
    let (space, token) = space_and_token(&emu, APP_SCOPES);
    let out = Command::new(env!("CARGO_BIN_EXE_hangups-chat"))
        .args([
            "send",
            "from the environment",
            "--space",
            &space,
            "--url",
            &url,
        ])
        .env("CHAT_TOKEN", &token)
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .output()
        .expect("runs");
    assert_status(&out, 0);
    assert!(stdout(&out).starts_with("created "), "{}", stdout(&out));
}

#[test]
fn bad_usage_exits_2_with_a_message() {
    for (args, needle) in [
        (&[][..], "no command"),
        (&["post", "x"], "unknown command"),
        (&["send"], "send needs TEXT"),
        (&["get", "not-a-name"], "get:"),
        (&["list", "spaces/A", "--page-size", "5000"], "--page-size"),
        (&["send", "x", "--reply-option", "maybe"], "--reply-option"),
        (&["send", "x", "--frobnicate"], "unknown argument"),
        (
            &["send", "x", "--key-file", "/nonexistent/key.json"],
            "key.json",
        ),
        (
            &["send", "x", "--url", "http://127.0.0.1:9"],
            "--url needs credentials",
        ),
        (
            &["delete", "spaces/A/messages/B", "--thread-key", "k"],
            "does not take --thread-key",
        ),
    ] {
        let out = run(args);
        let err = assert_status(&out, 2);
        assert!(err.contains(needle), "{args:?}: {needle:?} not in {err:?}");
        assert!(err.starts_with("error: "), "{args:?}: {err:?}");
        assert!(stdout(&out).is_empty(), "{args:?}");
    }
    let help = run(&["--help"]);
    assert_status(&help, 0);
    assert!(stdout(&help).contains("Exit status: 0 ok, 2 usage, 3 not found"));
}

#[test]
fn without_credentials_it_uses_the_embedded_emulator() {
    let out = run(&["send", "hello from CI"]);
    let err = assert_status(&out, 0);
    assert!(err.contains("used the embedded emulator"), "{err}");
    assert!(
        stdout(&out).starts_with("created spaces/"),
        "{}",
        stdout(&out)
    );
    let out = run(&["list", "--json"]);
    assert_status(&out, 0);
    assert_eq!(
        json(&out),
        serde_json::json!({"messages": []}),
        "a fresh space is empty"
    );
}

#[test]
fn each_run_draws_its_own_request_id_unless_given_one() {
    let emu = emulator();
    let url = emu.url();
    let (space, token) = space_and_token(&emu, APP_SCOPES);
    let send = |extra: &[&str]| {
        let base = [
            "send",
            "nightly ok",
            "--space",
            &space,
            "--url",
            &url,
            "--token",
            &token,
        ];
        let out = run(&[&base[..], extra, &["--json"]].concat());
        assert_status(&out, 0);
        json(&out)["name"].as_str().expect("a name").to_string()
    };
    // Two runs, two messages (the same requestId would return the first).
    assert_ne!(send(&[]), send(&[]));
    // A rerun with one --request-id is the same message.
    let first = send(&["--request-id", "ci-run-1234"]);
    assert_eq!(send(&["--request-id", "ci-run-1234"]), first);
}

#[test]
fn a_quota_error_exits_5_and_names_the_status() {
    let emu = emulator();
    let url = emu.url();
    let (space, token) = space_and_token(&emu, APP_SCOPES);
    emu.set_chat_faults(ChatFaults {
        fail_status: Some(429),
        fail_count: 1000,
        ..ChatFaults::default()
    });
    let out = run(&[
        "send",
        "x",
        "--space",
        &space,
        "--url",
        &url,
        "--token",
        &token,
        "--max-attempts",
        "1",
    ]);
    let err = assert_status(&out, 5);
    assert_eq!(err.lines().count(), 1, "{err:?}");
    assert!(err.starts_with("error: RESOURCE_EXHAUSTED: "), "{err:?}");
    assert_eq!(emu.chat_fired("fail"), 1, "one attempt only");
}

#[test]
fn a_service_account_key_file_signs_in_and_an_unknown_one_exits_4() {
    let emu = emulator();
    let space = emu.chat_create_space("Builds", &[ADA]).expect("space");
    let key = emu.chat_service_account("ci-bot").expect("key file");
    let dir = std::env::temp_dir().join(format!("hangups-chat-key-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("key.json");
    std::fs::write(&path, key.to_string()).unwrap();
    let path = path.to_str().unwrap();
    let url = emu.url();
    let sent = run(&[
        "send",
        "signed with a key",
        "--space",
        &space,
        "--key-file",
        path,
        "--url",
        &url,
    ]);
    assert_status(&sent, 0);
    let state = emu.chat_state();
    assert_eq!(
        state["requests"]["token"].as_u64(),
        Some(1),
        "one token exchange"
    );
    let texts: Vec<&str> = state["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["text"].as_str())
        .collect();
    assert_eq!(texts, ["signed with a key"]);
    // The same key with another account's email: the emulator refuses it.
    let mut unknown = key.clone();
    unknown["client_email"] = "nobody@emulator-project.iam.gserviceaccount.com".into();
    let other = dir.join("unknown.json");
    std::fs::write(&other, unknown.to_string()).unwrap();
    let refused = run(&[
        "send",
        "x",
        "--space",
        &space,
        "--key-file",
        other.to_str().unwrap(),
        "--url",
        &url,
    ]);
    let err = assert_status(&refused, 4);
    assert!(
        err.starts_with("error: ") && err.lines().count() == 1,
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn user_oauth_signs_in_through_the_browser_once_then_from_the_token_file() {
    use std::io::BufRead;
    let emu = emulator();
    // The emulator's consent signs in `users/self` when no hint is given.
    let space = emu
        .chat_create_space("Team", &[ADA, "users/self"])
        .expect("space");
    let dir = std::env::temp_dir().join(format!("hangups-chat-oauth-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let client = dir.join("client.json");
    std::fs::write(&client, emu.chat_oauth_client().to_string()).unwrap();
    let token = dir.join("token");
    let url = emu.url();
    let args = |text: &'static str| {
        vec![
            "send".to_string(),
            text.to_string(),
            "--space".into(),
            space.clone(),
            "--token-path".into(),
            token.to_str().unwrap().to_string(),
            "--client-file".into(),
            client.to_str().unwrap().to_string(),
            "--url".into(),
            url.clone(),
        ]
    };
    // First run: the URL comes on stderr; the test consents as the browser.
    let mut child = Command::new(env!("CARGO_BIN_EXE_hangups-chat"))
        .args(args("first, after the browser"))
        .env_remove("CHAT_TOKEN")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("hangups-chat runs");
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    while stderr.read_line(&mut line).unwrap() > 0 && !line.contains("open this URL") {
        line.clear();
    }
    let auth_url = line.rsplit(' ').next().unwrap().trim().to_string();
    let page = hangups_tests::chat_emulator::browser::consent(&auth_url).expect("consent");
    assert!(page.contains(" 200 "), "{page}");
    let first = child.wait_with_output().unwrap();
    assert_eq!(
        first.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&first.stdout)
    );
    assert!(token.exists(), "the refresh token was saved");
    // Second run: from the token file, no browser.
    let second = run(&args("second, from the token file")
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>());
    let err = assert_status(&second, 0);
    assert!(
        !err.contains("open this URL"),
        "no second browser sign-in: {err}"
    );
    let state = emu.chat_state();
    let senders: Vec<&str> = state["messages"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["sender"]["name"].as_str())
        .collect();
    assert_eq!(senders.len(), 2, "{state}");
    assert!(
        senders
            .iter()
            .all(|s| s.starts_with("users/") && *s != "users/app"),
        "{senders:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
