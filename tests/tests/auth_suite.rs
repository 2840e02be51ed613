//! Signing in, on every runtime adapter (tokio, smol, blocking), against
//! the emulator's OAuth token endpoint, OAuthLogin and MergeSession: the
//! manual code login end to end (the prompt "opens" the login URL like a
//! browser and copies the `oauth_code` cookie), start-up from a stored
//! refresh token, a revoked token (a clear error, the stored token
//! removed), a mid-session 401 (one renewal, the call retried), and the
//! token file's mode. Each scenario is written once over [`AuthHarness`].

use hangups_core::api::Cookies;
use hangups_core::auth::{Credentials, RefreshToken, TokenStore};
use hangups_proto::hangouts::{GetSelfInfoRequest, GetSelfInfoResponse};
use hangups_tests::emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use hangups_tests::proxies::ProxyServer;
use hangups_tokio::{CredentialsPrompt, FileStore, NoPrompt};
use std::future::Future;
use std::io::{Read, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

/// An adapter's error, as the scenarios look at it.
#[derive(Debug)]
struct Fail {
    message: String,
    sign_in_again: bool,
    http: Option<u16>,
}

macro_rules! fail {
    ($krate:ident, $e:expr) => {{
        let e: $krate::Error = $e;
        let message = e.to_string();
        match e {
            $krate::Error::Auth(a) => Fail {
                message,
                sign_in_again: a.is_sign_in_again(),
                http: None,
            },
            $krate::Error::Api($krate::ApiError::Http { status, .. }) => Fail {
                message,
                sign_in_again: false,
                http: Some(status),
            },
            _ => Fail {
                message,
                sign_in_again: false,
                http: None,
            },
        }
    }};
}

macro_rules! config {
    ($krate:ident, $emu:expr) => {
        config!($krate, $emu, None)
    };
    ($krate:ident, $emu:expr, $proxy:expr) => {{
        let emu: &EmulatorHandle = $emu;
        let mut config = $krate::Config::default().with_url(&emu.url()).unwrap();
        config.proxy_from_env = false;
        let proxy: Option<&str> = $proxy;
        if let Some(proxy) = proxy {
            config = config.with_proxy(proxy).unwrap();
        }
        if let Some(pem) = emu.cert_pem() {
            config = config.with_root_cert_pem(&pem);
        }
        config
    }};
}

/// What the scenarios need of an adapter.
trait AuthHarness {
    const NAME: &'static str;
    type Client;
    type Events;
    fn run<F: Future<Output = ()>>(f: F);
    fn get_auth<P: CredentialsPrompt>(
        prompt: &mut P,
        store: &mut FileStore,
        emu: &EmulatorHandle,
    ) -> impl Future<Output = Result<Credentials, Fail>> {
        Self::get_auth_via(prompt, store, emu, None)
    }
    /// `get_auth_with`, through an HTTP proxy if given.
    fn get_auth_via<P: CredentialsPrompt>(
        prompt: &mut P,
        store: &mut FileStore,
        emu: &EmulatorHandle,
        proxy: Option<&str>,
    ) -> impl Future<Output = Result<Credentials, Fail>>;
    fn connect(
        cookies: Cookies,
        emu: &EmulatorHandle,
    ) -> impl Future<Output = (Self::Client, Self::Events)>;
    fn connect_with_store(
        store: FileStore,
        emu: &EmulatorHandle,
    ) -> impl Future<Output = Result<(Self::Client, Self::Events), Fail>>;
    fn self_info(client: &Self::Client) -> impl Future<Output = Result<GetSelfInfoResponse, Fail>>;
    fn disconnect(client: &Self::Client) -> impl Future<Output = ()>;
}

macro_rules! async_harness {
    ($name:ident, $krate:ident, $label:literal, run = |$f:ident| $run:expr) => {
        struct $name;
        impl AuthHarness for $name {
            const NAME: &'static str = $label;
            type Client = $krate::Client;
            type Events = $krate::Events;
            fn run<F: Future<Output = ()>>($f: F) {
                $run
            }
            async fn get_auth_via<P: CredentialsPrompt>(
                prompt: &mut P,
                store: &mut FileStore,
                emu: &EmulatorHandle,
                proxy: Option<&str>,
            ) -> Result<Credentials, Fail> {
                $krate::get_auth_with(prompt, store, &config!($krate, emu, proxy))
                    .await
                    .map_err(|e| fail!($krate, e))
            }
            async fn connect(
                cookies: Cookies,
                emu: &EmulatorHandle,
            ) -> (Self::Client, Self::Events) {
                $krate::Client::connect(cookies, config!($krate, emu))
                    .await
                    .expect("connect")
            }
            async fn connect_with_store(
                store: FileStore,
                emu: &EmulatorHandle,
            ) -> Result<(Self::Client, Self::Events), Fail> {
                $krate::Client::connect_with_store(store, config!($krate, emu))
                    .await
                    .map_err(|e| fail!($krate, e))
            }
            async fn self_info(client: &Self::Client) -> Result<GetSelfInfoResponse, Fail> {
                client
                    .get_self_info(GetSelfInfoRequest::default())
                    .await
                    .map_err(|e| fail!($krate, e))
            }
            async fn disconnect(client: &Self::Client) {
                client.disconnect().await
            }
        }
    };
}

async_harness!(
    TokioHarness,
    hangups_tokio,
    "tokio",
    run = |f| tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
);

async_harness!(
    SmolHarness,
    hangups_smol,
    "smol",
    run = |f| smol::block_on(f)
);

struct BlockingHarness;
impl AuthHarness for BlockingHarness {
    const NAME: &'static str = "blocking";
    type Client = hangups_blocking::Client;
    type Events = hangups_blocking::Events;
    fn run<F: Future<Output = ()>>(f: F) {
        futures_lite::future::block_on(f)
    }
    async fn get_auth_via<P: CredentialsPrompt>(
        prompt: &mut P,
        store: &mut FileStore,
        emu: &EmulatorHandle,
        proxy: Option<&str>,
    ) -> Result<Credentials, Fail> {
        hangups_blocking::get_auth_with(prompt, store, &config!(hangups_blocking, emu, proxy))
            .map_err(|e| fail!(hangups_blocking, e))
    }
    async fn connect(cookies: Cookies, emu: &EmulatorHandle) -> (Self::Client, Self::Events) {
        hangups_blocking::Client::connect(cookies, config!(hangups_blocking, emu)).expect("connect")
    }
    async fn connect_with_store(
        store: FileStore,
        emu: &EmulatorHandle,
    ) -> Result<(Self::Client, Self::Events), Fail> {
        hangups_blocking::Client::connect_with_store(store, config!(hangups_blocking, emu))
            .map_err(|e| fail!(hangups_blocking, e))
    }
    async fn self_info(client: &Self::Client) -> Result<GetSelfInfoResponse, Fail> {
        client
            .get_self_info(GetSelfInfoRequest::default())
            .map_err(|e| fail!(hangups_blocking, e))
    }
    async fn disconnect(client: &Self::Client) {
        client.disconnect()
    }
}

// ---- helpers ----

fn emulator(tls: bool) -> EmulatorHandle {
    Emulator::start(EmulatorConfig::default().with_tls(tls)).expect("emulator starts")
}

/// A fresh directory under the system's temporary directory.
fn scratch() -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "hangups-auth-suite-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// What the user does in the browser: opens the login URL (plain HTTP
/// here), signs in, and copies the `oauth_code` cookie.
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
    response.lines().find_map(|line| {
        let (name, value) = line.split_once(':')?;
        if !name.eq_ignore_ascii_case("set-cookie") {
            return None;
        }
        let value = value.trim().strip_prefix("oauth_code=")?;
        Some(value.split(';').next()?.to_string())
    })
}

fn self_cookies(emu: &EmulatorHandle) -> Cookies {
    emu.self_cookies().into_iter().collect()
}

fn good_token(emu: &EmulatorHandle) -> RefreshToken {
    RefreshToken::new(emu.refresh_token(&emu.self_user_id()).unwrap())
}

fn revoked_token(emu: &EmulatorHandle) -> RefreshToken {
    RefreshToken::new(emu.revoked_refresh_token(&emu.self_user_id()).unwrap())
}

#[cfg(unix)]
fn assert_private(path: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "{}", path.display());
}

#[cfg(not(unix))]
fn assert_private(_path: &std::path::Path) {}

// ---- scenarios ----

async fn manual_code_login<H: AuthHarness>(tls: bool) {
    let emu = emulator(tls);
    let dir = scratch();
    let path = dir.join("hangups").join("refresh_token.txt");
    let mut store = FileStore::new(&path);
    let mut shown = Vec::new();
    let emu_ref = &emu;
    let mut prompt = |url: &str| {
        shown.push(url.to_string());
        if tls {
            emu_ref.auth_code(&emu_ref.self_user_id())
        } else {
            browser_login(url)
        }
    };
    let creds = H::get_auth(&mut prompt, &mut store, &emu)
        .await
        .unwrap_or_else(|e| panic!("{}: {e:?}", H::NAME));
    assert_eq!(shown.len(), 1, "asked once");
    assert!(
        shown[0].starts_with(&format!("{}/o/oauth2/programmatic_auth?scope=", emu.url())),
        "{}",
        shown[0]
    );
    assert_eq!(creds.cookies, self_cookies(&emu), "the self user's cookies");
    assert_eq!(creds.refresh_token, Some(good_token(&emu)));
    // The new refresh token is stored, privately.
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        good_token(&emu).expose()
    );
    assert_private(&path);
    let (client, _events) = H::connect(creds.cookies, &emu).await;
    let me = H::self_info(&client).await.expect("self info");
    let id = me.self_entity.and_then(|e| e.id).and_then(|i| i.gaia_id);
    assert_eq!(id, Some(emu.self_user_id()));
    H::disconnect(&client).await;
    let _ = std::fs::remove_dir_all(dir);
}

async fn start_from_stored_token<H: AuthHarness>() {
    let emu = emulator(false);
    let dir = scratch();
    let path = dir.join("refresh_token.txt");
    let mut store = FileStore::new(&path);
    store.set_refresh_token(&good_token(&emu));
    let mut prompt = |_: &str| -> Option<String> { panic!("no prompt with a good token") };
    let creds = H::get_auth(&mut prompt, &mut store, &emu)
        .await
        .expect("signed in");
    assert_eq!(creds.cookies, self_cookies(&emu));
    assert_eq!(emu.sign_in_count("token"), 1);
    assert_eq!(emu.sign_in_count("oauth_login"), 1);
    assert_eq!(emu.sign_in_count("merge_session"), 1);
    assert_eq!(store.refresh_token(), Some(good_token(&emu)), "kept");
    let (client, _events) = H::connect(creds.cookies, &emu).await;
    H::self_info(&client).await.expect("self info");
    H::disconnect(&client).await;
    let _ = std::fs::remove_dir_all(dir);
}

async fn revoked_token_is_cleared<H: AuthHarness>() {
    let emu = emulator(false);
    let dir = scratch();
    let path = dir.join("refresh_token.txt");
    let mut store = FileStore::new(&path);
    store.set_refresh_token(&revoked_token(&emu));
    // Nobody to ask: a clear "sign in again" error, and the token is gone.
    let e = H::get_auth(&mut NoPrompt, &mut store, &emu)
        .await
        .expect_err("revoked");
    assert!(e.sign_in_again, "{e:?}");
    assert!(e.message.contains("invalid_grant"), "{}", e.message);
    assert!(!path.exists(), "the revoked token was removed");
    // With nothing stored, a store-only client cannot start either.
    let e = H::connect_with_store(FileStore::new(&path), &emu)
        .await
        .err()
        .expect("no token");
    assert!(e.sign_in_again && e.message.contains("Refresh token not found"));
    // With a user to ask, the manual login takes over.
    store.set_refresh_token(&revoked_token(&emu));
    let mut prompt = |url: &str| browser_login(url);
    let creds = H::get_auth(&mut prompt, &mut store, &emu)
        .await
        .expect("signed in with a code");
    assert_eq!(creds.cookies, self_cookies(&emu));
    assert_eq!(store.refresh_token(), Some(good_token(&emu)));
    let _ = std::fs::remove_dir_all(dir);
}

async fn mid_session_401_renews_once<H: AuthHarness>() {
    let emu = emulator(false);
    let dir = scratch();
    let path = dir.join("refresh_token.txt");
    let cookie_path = dir.join("cookies.txt");
    let store = FileStore::new(&path).with_cookie_file(&cookie_path);
    store.try_set_refresh_token(&good_token(&emu)).unwrap();
    let (client, _events) = H::connect_with_store(store.clone(), &emu)
        .await
        .expect("connect");
    H::self_info(&client).await.expect("self info");
    assert_eq!(emu.sign_in_count("merge_session"), 1);
    assert_private(&cookie_path);

    // The server drops the session: the next call gets a 401, the client
    // signs in again once, and the call goes through.
    emu.expire_cookies(&emu.self_user_id()).unwrap();
    H::self_info(&client)
        .await
        .unwrap_or_else(|e| panic!("{}: retried after renewal: {e:?}", H::NAME));
    assert_eq!(emu.sign_in_count("token"), 2);
    assert_eq!(emu.sign_in_count("merge_session"), 2, "one renewal");
    let stored = std::fs::read_to_string(&cookie_path).unwrap();
    assert!(
        stored.contains(&emu.self_cookies()[0].1),
        "new cookies stored"
    );

    // Now the token is revoked too: the call fails with its 401, and the
    // dead credentials are removed.
    FileStore::new(&path)
        .try_set_refresh_token(&revoked_token(&emu))
        .unwrap();
    emu.expire_cookies(&emu.self_user_id()).unwrap();
    let e = H::self_info(&client).await.expect_err("cannot renew");
    assert_eq!(e.http, Some(401), "{e:?}");
    assert!(!path.exists() && !cookie_path.exists());
    H::disconnect(&client).await;

    // A store with cookies starts from them, without the OAuth exchange.
    store.try_set_refresh_token(&good_token(&emu)).unwrap();
    store.try_set_cookies(&self_cookies(&emu)).unwrap();
    let before = emu.sign_in_count("merge_session");
    let (client, _events) = H::connect_with_store(store, &emu).await.expect("connect");
    H::self_info(&client).await.expect("self info");
    assert_eq!(emu.sign_in_count("merge_session"), before);
    H::disconnect(&client).await;
    let _ = std::fs::remove_dir_all(dir);
}

/// The whole sign-in goes through the configured proxy: an HTTP proxy
/// (`CONNECT` tunnels over TLS, absolute-form requests in plain HTTP) or a
/// SOCKS5 one with a username and password (tunnels either way).
async fn sign_in_through_a_proxy<H: AuthHarness>(socks: bool, tls: bool) {
    let emu = emulator(tls);
    let proxy = if socks {
        ProxyServer::socks5(Some(("alice", "s3cret")))
    } else {
        ProxyServer::http(None)
    };
    let dir = scratch();
    let mut store = FileStore::new(dir.join("refresh_token.txt"));
    store.set_refresh_token(&good_token(&emu));
    let creds = H::get_auth_via(&mut NoPrompt, &mut store, &emu, Some(&proxy.url()))
        .await
        .unwrap_or_else(|e| panic!("{}: {e:?}", H::NAME));
    assert_eq!(creds.cookies, self_cookies(&emu));
    let target = format!("127.0.0.1:{}", emu.addr().port());
    let targets = proxy.targets();
    assert!(
        !targets.is_empty(),
        "{}: nothing went through the proxy",
        H::NAME
    );
    assert!(targets.iter().all(|t| *t == target), "{targets:?}");
    assert_eq!(proxy.refused(), 0);
    if tls || socks {
        assert_eq!(proxy.forwarded(), 0);
    } else {
        // Token, OAuthLogin, MergeSession: one connection each (the proxy
        // closes after every forwarded request).
        assert_eq!(proxy.forwarded(), 3, "{targets:?}");
        assert_eq!(proxy.tunnels(), 0);
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// A SOCKS5 proxy refusing the password: signing in fails with an error
/// (no panic), the token stays, the emulator is never reached.
async fn sign_in_refused_by_the_proxy<H: AuthHarness>() {
    let emu = emulator(false);
    let proxy = ProxyServer::socks5(Some(("alice", "s3cret")));
    let dir = scratch();
    let mut store = FileStore::new(dir.join("refresh_token.txt"));
    store.set_refresh_token(&good_token(&emu));
    let url = proxy.url().replace("s3cret", "wrong");
    let err = H::get_auth_via(&mut NoPrompt, &mut store, &emu, Some(&url))
        .await
        .expect_err("refused by the proxy");
    assert!(!err.sign_in_again, "{}: {err:?}", H::NAME);
    assert!(proxy.refused() >= 1);
    assert_eq!(proxy.tunnels(), 0);
    assert_eq!(emu.sign_in_count("token"), 0);
    let _ = std::fs::remove_dir_all(dir);
}

macro_rules! auth_suite {
    ($module:ident, $harness:ty) => {
        mod $module {
            use super::*;

            #[test]
            fn manual_code_login_end_to_end() {
                <$harness>::run(manual_code_login::<$harness>(false));
            }

            #[test]
            fn manual_code_login_over_tls() {
                <$harness>::run(manual_code_login::<$harness>(true));
            }

            #[test]
            fn start_up_from_a_stored_refresh_token() {
                <$harness>::run(start_from_stored_token::<$harness>());
            }

            #[test]
            fn a_revoked_token_is_a_clear_error_and_is_removed() {
                <$harness>::run(revoked_token_is_cleared::<$harness>());
            }

            #[test]
            fn sign_in_through_a_plain_proxy() {
                <$harness>::run(sign_in_through_a_proxy::<$harness>(false, false));
            }

            #[test]
            fn sign_in_through_a_proxy_tunnel() {
                <$harness>::run(sign_in_through_a_proxy::<$harness>(false, true));
            }

            #[test]
            fn sign_in_through_socks5_with_credentials() {
                <$harness>::run(sign_in_through_a_proxy::<$harness>(true, false));
            }

            #[test]
            fn sign_in_through_socks5_over_tls() {
                <$harness>::run(sign_in_through_a_proxy::<$harness>(true, true));
            }

            #[test]
            fn sign_in_refused_by_a_socks5_proxy() {
                <$harness>::run(sign_in_refused_by_the_proxy::<$harness>());
            }

            #[test]
            fn a_mid_session_401_renews_once_and_retries() {
                <$harness>::run(mid_session_401_renews_once::<$harness>());
            }
        }
    };
}

auth_suite!(tokio_adapter, TokioHarness);
auth_suite!(smol_adapter, SmolHarness);
auth_suite!(blocking_adapter, BlockingHarness);
