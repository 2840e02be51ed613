//! Secrets never leak: a full manual login, a session and a renewal on
//! every adapter, with every log record captured at trace level (spans and
//! events, every field), and not one of the tokens, codes or cookie values
//! the emulator handed out shows up in them, nor in the `Debug` output of
//! what the sign-in returns.

use hangups_core::auth::TokenStore;
use hangups_proto::hangouts::GetSelfInfoRequest;
use hangups_tests::emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use hangups_tokio::FileStore;
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Writes every span and event, with all fields, into one string.
struct Capture {
    log: Arc<Mutex<String>>,
    next_id: AtomicU64,
}

struct Fields<'a>(&'a mut String);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl Capture {
    fn append(&self, f: impl FnOnce(&mut String)) {
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut log);
        log.push('\n');
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn max_level_hint(&self) -> Option<tracing::level_filters::LevelFilter> {
        Some(tracing::level_filters::LevelFilter::TRACE)
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        self.append(|log| {
            let _ = write!(log, "span {}", span.metadata().name());
            span.record(&mut Fields(log));
        });
        Id::from_u64(self.next_id.fetch_add(1, Ordering::Relaxed) + 1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        self.append(|log| values.record(&mut Fields(log)));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        self.append(|log| {
            let m = event.metadata();
            let _ = write!(log, "{} {}", m.level(), m.target());
            event.record(&mut Fields(log));
        });
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

/// The browser step of the manual login (plain HTTP).
fn browser_login(url: &str) -> Option<String> {
    let rest = url.strip_prefix("http://")?;
    let (authority, path) = rest.split_at(rest.find('/')?);
    let mut tcp = std::net::TcpStream::connect(authority).ok()?;
    write!(
        tcp,
        "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    tcp.read_to_string(&mut response).ok()?;
    let start = response.find("oauth_code=")? + "oauth_code=".len();
    Some(response[start..].split([';', '\r']).next()?.to_string())
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "hangups-auth-secrets-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

macro_rules! config {
    ($krate:ident, $emu:expr) => {{
        let mut config = $krate::Config::default().with_url(&$emu.url()).unwrap();
        config.proxy_from_env = false;
        config
    }};
}

fn tokio_session(emu: &EmulatorHandle, debug: &mut String) {
    let dir = scratch("tokio");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut store = FileStore::new(dir.join("t")).with_cookie_file(dir.join("c"));
        let mut prompt = |url: &str| browser_login(url);
        let creds =
            hangups_tokio::get_auth_with(&mut prompt, &mut store, &config!(hangups_tokio, emu))
                .await
                .expect("signed in");
        let _ = write!(debug, "{creds:?} {:?} {store:?}", creds.cookies);
        store.clear();
        store.set_refresh_token(creds.refresh_token.as_ref().unwrap());
        let (client, _events) =
            hangups_tokio::Client::connect_with_store(store, config!(hangups_tokio, emu))
                .await
                .expect("connect");
        client
            .get_self_info(GetSelfInfoRequest::default())
            .await
            .expect("call");
        emu.expire_cookies(&emu.self_user_id()).unwrap();
        let info = client
            .get_self_info(GetSelfInfoRequest::default())
            .await
            .expect("renewed");
        let _ = write!(debug, "{info:?} {client:?}");
        client.disconnect().await;
    });
    let _ = std::fs::remove_dir_all(dir);
}

fn smol_session(emu: &EmulatorHandle, debug: &mut String) {
    let dir = scratch("smol");
    smol::block_on(async {
        let mut store = FileStore::new(dir.join("t"));
        let mut prompt = |url: &str| browser_login(url);
        let creds =
            hangups_smol::get_auth_with(&mut prompt, &mut store, &config!(hangups_smol, emu))
                .await
                .expect("signed in");
        let _ = write!(debug, "{creds:?}");
        let (client, _events) =
            hangups_smol::Client::connect_with_store(store, config!(hangups_smol, emu))
                .await
                .expect("connect");
        emu.expire_cookies(&emu.self_user_id()).unwrap();
        client
            .get_self_info(GetSelfInfoRequest::default())
            .await
            .expect("renewed");
        client.disconnect().await;
    });
    let _ = std::fs::remove_dir_all(dir);
}

fn blocking_session(emu: &EmulatorHandle, debug: &mut String) {
    let dir = scratch("blocking");
    let mut store = FileStore::new(dir.join("t"));
    let mut prompt = |url: &str| browser_login(url);
    let creds =
        hangups_blocking::get_auth_with(&mut prompt, &mut store, &config!(hangups_blocking, emu))
            .expect("signed in");
    let _ = write!(debug, "{creds:?}");
    let (client, _events) =
        hangups_blocking::Client::connect_with_store(store, config!(hangups_blocking, emu))
            .expect("connect");
    emu.expire_cookies(&emu.self_user_id()).unwrap();
    client
        .get_self_info(GetSelfInfoRequest::default())
        .expect("renewed");
    // A revoked token: the error message holds no secret either.
    let mut revoked = FileStore::new(dir.join("r"));
    revoked.set_refresh_token(&hangups_core::auth::RefreshToken::new(
        emu.revoked_refresh_token(&emu.self_user_id()).unwrap(),
    ));
    let e = hangups_blocking::get_auth_with(
        &mut hangups_blocking::NoPrompt,
        &mut revoked,
        &config!(hangups_blocking, emu),
    )
    .expect_err("revoked");
    let _ = write!(debug, "{e} {e:?}");
    client.disconnect();
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn no_token_code_or_cookie_value_in_logs_or_debug_output() {
    let log = Arc::new(Mutex::new(String::new()));
    tracing::subscriber::set_global_default(Capture {
        log: log.clone(),
        next_id: AtomicU64::new(0),
    })
    .expect("the only subscriber of this test binary");
    let emu = Emulator::start(EmulatorConfig::default()).expect("emulator");
    let mut debug = String::new();
    tokio_session(&emu, &mut debug);
    smol_session(&emu, &mut debug);
    blocking_session(&emu, &mut debug);

    let secrets = emu.issued_secrets();
    assert!(secrets.len() > 20, "{} secrets", secrets.len());
    let log = log.lock().unwrap().clone();
    assert!(log.contains("sign-in request"), "the capture works:\n{log}");
    assert!(
        log.contains("signing in again"),
        "renewals happened:\n{log}"
    );
    for secret in &secrets {
        assert!(
            !log.contains(secret.as_str()),
            "{secret:?} leaked into the logs"
        );
        assert!(
            !debug.contains(secret.as_str()),
            "{secret:?} leaked into Debug output"
        );
    }
    // Per adapter: the login, the store-only start, one renewal.
    assert_eq!(emu.sign_in_count("merge_session"), 9);
}
