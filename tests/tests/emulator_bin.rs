//! The `hangups-emulator` binary prints its listening line once ready and
//! serves what it announced.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(args: &[&str]) -> (Killed, String) {
    let child = Command::new(env!("CARGO_BIN_EXE_hangups-emulator"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the binary starts");
    let mut child = Killed(child);
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    (child, line)
}

fn get_state(addr: &str) -> String {
    let mut tcp = TcpStream::connect(addr).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    tcp.write_all(b"GET /_emulator/state HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut out = String::new();
    tcp.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn prints_the_listening_line_and_serves() {
    let (_child, line) = spawn(&[
        "--listen",
        "127.0.0.1:0",
        "--noop-interval",
        "5",
        "--long-poll",
        "30",
    ]);
    let url = line
        .strip_suffix('\n')
        .and_then(|l| l.strip_prefix("listening on http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("unexpected line {line:?}"));
    let port: u16 = url.parse().expect("a port");
    assert_ne!(port, 0);
    let resp = get_state(&format!("127.0.0.1:{port}"));
    assert!(resp.starts_with("HTTP/1.1 200 OK\r\n"), "{resp}");
    assert!(resp.contains("\"self_user_id\":\"100000000000000000001\""));
}

#[test]
fn tls_writes_the_certificate() {
    let dir = std::env::temp_dir().join(format!("hangups-emulator-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cert = dir.join("cert.pem");
    let (_child, line) = spawn(&[
        "--listen",
        "127.0.0.1:0",
        "--tls",
        "--cert-out",
        cert.to_str().unwrap(),
    ]);
    assert!(
        line.starts_with("listening on https://127.0.0.1:"),
        "{line:?}"
    );
    let pem = std::fs::read_to_string(&cert).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_arguments_fail() {
    let out = Command::new(env!("CARGO_BIN_EXE_hangups-emulator"))
        .args(["--listen", "nonsense"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let out = Command::new(env!("CARGO_BIN_EXE_hangups-emulator"))
        .args(["--tls"])
        .output()
        .unwrap();
    assert!(!out.status.success(), "--tls needs --cert-out");
}

/// One request on its own connection; the whole response.
fn send(addr: &str, method: &str, path: &str, headers: &str, body: &str) -> String {
    let mut tcp = TcpStream::connect(addr).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{headers}Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    tcp.write_all(req.as_bytes()).unwrap();
    let mut out = String::new();
    tcp.read_to_string(&mut out).unwrap();
    out
}

/// The `"key": "value"` string of a JSON response.
fn field(resp: &str, key: &str) -> String {
    let body = resp.split_once("\r\n\r\n").unwrap().1;
    let v: serde_json::Value = serde_json::from_str(body).unwrap();
    v[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} in {body}"))
        .to_string()
}

#[test]
fn serves_the_chat_emulator_too() {
    let (_child, line) = spawn(&["--listen", "127.0.0.1:0"]);
    let addr = line
        .trim()
        .trim_start_matches("listening on http://")
        .to_string();
    let space = field(
        &send(
            &addr,
            "POST",
            "/_emulator/chat/spaces",
            "",
            r#"{"displayName":"Ops"}"#,
        ),
        "name",
    );
    let token = field(
        &send(
            &addr,
            "POST",
            "/_emulator/chat/tokens",
            "",
            r#"{"principal":"app","scopes":["chat.bot"]}"#,
        ),
        "access_token",
    );
    let auth = format!("Authorization: Bearer {token}\r\n");
    let resp = send(
        &addr,
        "POST",
        &format!("/v1/{space}/messages"),
        &auth,
        r#"{"text":"hi"}"#,
    );
    assert!(resp.starts_with("HTTP/1.1 200 OK\r\n"), "{resp}");
    assert_eq!(field(&resp, "text"), "hi");
    let anon = send(
        &addr,
        "POST",
        &format!("/v1/{space}/messages"),
        "",
        r#"{"text":"hi"}"#,
    );
    assert!(anon.starts_with("HTTP/1.1 401 "), "{anon}");
}

#[test]
fn lively_replies_to_the_self_user() {
    let (_child, line) = spawn(&["--listen", "127.0.0.1:0", "--lively"]);
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("unexpected line {line:?}"))
        .to_string();
    let group = "UgwEmulatorGroupChat4AaABAQ";
    let events = || {
        let resp = get_state(&addr);
        let body = resp.split_once("\r\n\r\n").unwrap().1.to_string();
        let v: serde_json::Value = serde_json::from_str(&body).unwrap();
        v["conversations"]
            .as_array()
            .and_then(|cs| cs.iter().find(|c| c["id"] == group).cloned())
            .map(|c| c["event_count"].as_u64().unwrap_or_else(|| panic!("{c}")))
            .unwrap_or_else(|| panic!("no group in {body}"))
    };
    let before = events();
    let body = format!(
        r#"{{"conversation_id":"{group}","sender_id":"100000000000000000001","text":"anyone?"}}"#
    );
    let resp = send(&addr, "POST", "/_emulator/messages", "", &body);
    assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while events() < before + 2 {
        assert!(std::time::Instant::now() < deadline, "no reply");
        std::thread::sleep(Duration::from_millis(50));
    }
}
