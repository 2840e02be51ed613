//! Credentials go only to the origins they belong to, on every runtime
//! adapter (tokio, smol, blocking), proven with real listeners on other
//! loopback ports of the same host:
//!
//! - an image upload whose session server hands back an upload URL on
//!   another port: the upload is refused with a typed error and that port
//!   receives nothing (no connection, so no cookie and no SAPISIDHASH);
//! - a MergeSession redirect (the emulator's `302` to `continue`) to another
//!   port: it is not followed, so that port never sees the `Bearer` token or
//!   a cookie, and the sign-in still ends with the session cookies.

use hangups_core::api::{ApiEndpoint, Cookies, Origin, UploadError};
use hangups_core::auth::{MemoryStore, RefreshToken};
use hangups_tests::emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// A listener on a fresh loopback port that records every request it gets
/// (an empty string for a connection that sent nothing) and answers each
/// with `reply`.
struct Listener {
    port: u16,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Listener {
    fn start(reply: impl Fn() -> Vec<u8> + Send + 'static) -> Listener {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let request = read_request(&mut stream);
                log.lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .push(request);
                let _ = stream.write_all(&reply());
            }
        });
        Listener { port, seen }
    }

    fn requests(&self) -> Vec<String> {
        self.seen
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// One request: the head, then as much body as `Content-Length` says.
fn read_request(stream: &mut std::net::TcpStream) -> String {
    let mut bytes = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let head_end = bytes.windows(4).position(|w| w == b"\r\n\r\n");
        if let Some(end) = head_end {
            let head = String::from_utf8_lossy(&bytes[..end]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if bytes.len() >= end + 4 + length {
                break;
            }
        }
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => bytes.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

fn ok_reply(body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Whether `request` carries any credential header.
fn has_credentials(request: &str) -> bool {
    let lower = request.to_ascii_lowercase();
    ["\r\ncookie:", "\r\nauthorization:", "\r\nx-goog-authuser:"]
        .iter()
        .any(|h| lower.contains(h))
}

fn emulator() -> EmulatorHandle {
    Emulator::start(EmulatorConfig::default()).expect("emulator starts")
}

fn self_cookies(emu: &EmulatorHandle) -> Cookies {
    emu.self_cookies().into_iter().collect()
}

fn token_store(emu: &EmulatorHandle) -> MemoryStore {
    MemoryStore {
        token: Some(RefreshToken::new(
            emu.refresh_token(&emu.self_user_id()).expect("a token"),
        )),
        ..MemoryStore::default()
    }
}

/// The upload-session server on one port, pointing the upload at a trap on
/// another port of the same host; returns both listeners.
fn upload_servers() -> (Listener, Listener) {
    let trap = Listener::start(|| ok_reply("{}"));
    let put_url = format!("http://127.0.0.1:{}/upload/photos/put/1", trap.port);
    let session = Listener::start(move || {
        ok_reply(
            &serde_json::json!({"sessionStatus": {"externalFieldTransfers": [
                {"putInfo": {"url": put_url}}]}})
            .to_string(),
        )
    });
    (session, trap)
}

/// The adapter configuration for `emu`, with the image upload session on
/// `session_port` (explicitly allowed).
macro_rules! upload_config {
    ($krate:ident, $emu:expr, $session_port:expr) => {{
        let mut config = $krate::Config::default().with_url(&$emu.url()).unwrap();
        config.proxy_from_env = false;
        config.client.upload = ApiEndpoint::new("127.0.0.1", $session_port, false);
        config.client.allow_list =
            config
                .client
                .allow_list
                .with_origin(Origin::new(false, "127.0.0.1", $session_port));
        config
    }};
}

/// The adapter configuration for `emu`, with MergeSession's `continue`
/// (where the emulator redirects to) on `trap_port`.
macro_rules! login_config {
    ($krate:ident, $emu:expr, $trap_port:expr) => {{
        let mut config = $krate::Config::default().with_url(&$emu.url()).unwrap();
        config.proxy_from_env = false;
        config.auth.continue_url = format!("http://127.0.0.1:{}/next", $trap_port);
        config
    }};
}

fn check_upload<E: std::fmt::Debug>(
    result: Result<hangups_core::api::UploadedImage, E>,
    is_refusal: impl Fn(&E) -> bool,
    session: &Listener,
    trap: &Listener,
) {
    let to_trap = trap.requests();
    assert!(
        to_trap.is_empty(),
        "the other port got {} connection(s), credentials: {}",
        to_trap.len(),
        to_trap.iter().any(|r| has_credentials(r))
    );
    let to_session = session.requests();
    assert_eq!(to_session.len(), 1, "the session request went out");
    assert!(
        has_credentials(&to_session[0]),
        "the allowed session server got the credentials (so the test could see a leak)"
    );
    match result {
        Err(e) if is_refusal(&e) => {}
        other => panic!("not refused: {other:?}"),
    }
}

fn check_login<E: std::fmt::Debug>(
    result: Result<hangups_core::auth::Credentials, E>,
    emu: &EmulatorHandle,
    trap: &Listener,
) {
    let to_trap = trap.requests();
    assert!(
        to_trap.is_empty(),
        "the redirect target got {} request(s), credentials: {}",
        to_trap.len(),
        to_trap.iter().any(|r| has_credentials(r))
    );
    assert_eq!(emu.sign_in_count("merge_session"), 1);
    let creds = result.expect("signed in with the cookies MergeSession set");
    assert_eq!(creds.cookies, self_cookies(emu));
}

fn is_refusal(e: &UploadError) -> bool {
    matches!(e, UploadError::HostNotAllowed { .. })
}

macro_rules! async_scenarios {
    ($module:ident, $krate:ident, run = |$f:ident| $run:expr) => {
        mod $module {
            use super::*;

            fn run<F: std::future::Future<Output = ()>>($f: F) {
                $run
            }

            #[test]
            fn an_upload_url_on_another_port_gets_nothing() {
                run(async {
                    let emu = emulator();
                    let (session, trap) = upload_servers();
                    let config = upload_config!($krate, emu, session.port);
                    let (client, _events) = $krate::Client::connect(self_cookies(&emu), config)
                        .await
                        .expect("connect");
                    let result = client.upload_image("cat.png", b"png".to_vec()).await;
                    client.disconnect().await;
                    check_upload(
                        result,
                        |e| matches!(e, $krate::Error::Upload(u) if is_refusal(u)),
                        &session,
                        &trap,
                    );
                });
            }

            #[test]
            fn a_merge_session_redirect_to_another_port_gets_nothing() {
                run(async {
                    let emu = emulator();
                    let trap = Listener::start(|| ok_reply(""));
                    let config = login_config!($krate, emu, trap.port);
                    let mut store = token_store(&emu);
                    let result =
                        $krate::get_auth_with(&mut $krate::NoPrompt, &mut store, &config).await;
                    check_login(result, &emu, &trap);
                });
            }
        }
    };
}

async_scenarios!(
    tokio_adapter,
    hangups_tokio,
    run = |f| tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
);

async_scenarios!(smol_adapter, hangups_smol, run = |f| smol::block_on(f));

mod blocking_adapter {
    use super::*;

    #[test]
    fn an_upload_url_on_another_port_gets_nothing() {
        let emu = emulator();
        let (session, trap) = upload_servers();
        let config = upload_config!(hangups_blocking, emu, session.port);
        let (client, _events) =
            hangups_blocking::Client::connect(self_cookies(&emu), config).expect("connect");
        let result = client.upload_image("cat.png", b"png".to_vec());
        client.disconnect();
        check_upload(
            result,
            |e| matches!(e, hangups_blocking::Error::Upload(u) if is_refusal(u)),
            &session,
            &trap,
        );
    }

    #[test]
    fn a_merge_session_redirect_to_another_port_gets_nothing() {
        let emu = emulator();
        let trap = Listener::start(|| ok_reply(""));
        let config = login_config!(hangups_blocking, emu, trap.port);
        let mut store = token_store(&emu);
        let result =
            hangups_blocking::get_auth_with(&mut hangups_blocking::NoPrompt, &mut store, &config);
        check_login(result, &emu, &trap);
    }
}
