//! User sign-in for Google Chat (installed apps): the loopback redirect
//! listener of OAuth's authorization-code flow with PKCE
//! ([`hangups_core::chat::oauth`]), blocking ([`authorize_blocking`]) and
//! async ([`authorize`]: the blocking listener on a thread of its own), and
//! [`user_auth_blocking`] / [`user_auth`], which start from the refresh
//! token in a [`TokenStore`] when there is one and sign in through the
//! browser otherwise. Start the client with the same store
//! ([`ChatClient::start_with_store`](crate::ChatClient::start_with_store),
//! [`ChatClient::start_blocking_with_store`](crate::ChatClient::start_blocking_with_store))
//! and it saves the refresh token the code exchange brings (and forgets a
//! revoked one).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::{Duration, Instant};

use hangups_core::auth::TokenStore;
use hangups_core::chat::oauth::{parse_redirect, RedirectError};
use hangups_core::chat::{ChatAuth, InstalledApp, UserOAuth};
use hangups_core::rng::Rng;

/// Why the browser sign-in did not bring a code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OAuthError {
    /// The loopback listener failed.
    #[error("loopback listener: {0}")]
    Io(#[from] std::io::Error),
    /// No redirect came in time.
    #[error("no sign-in redirect within {0:?}")]
    Timeout(Duration),
    /// The redirect was refused (state mismatch, `access_denied`, …).
    #[error(transparent)]
    Redirect(#[from] RedirectError),
}

const PAGE_OK: &str = "<!doctype html><html><head><meta charset=\"utf-8\"><title>Signed in</title></head><body><p>Signed in to Google Chat. You may close this window.</p></body></html>";
const PAGE_ERR: &str = "<!doctype html><html><head><meta charset=\"utf-8\"><title>Sign-in failed</title></head><body><p>Sign-in failed. You may close this window.</p></body></html>";

/// Signs the user in through a browser: binds `127.0.0.1:0`, builds the
/// authorization URL for that port (`login_hint` if given), hands it to
/// `show` (print it, or open a browser), and waits up to `timeout` for the
/// redirect. Requests that carry neither a code nor an error (a favicon)
/// get a 404 and the wait goes on; the first that does is answered with a
/// small HTML page and ends the wait. The result goes in
/// [`ChatAuth::User`].
pub fn authorize_blocking(
    app: &InstalledApp,
    login_hint: Option<&str>,
    timeout: Duration,
    show: impl FnOnce(&str),
) -> Result<UserOAuth, OAuthError> {
    let listener = TcpListener::bind(("127.0.0.1", 0))?;
    let port = listener.local_addr()?.port();
    let mut rng = Rng::new(crate::os_seed());
    let request = app.authorize(&format!("http://127.0.0.1:{port}"), login_hint, &mut rng);
    show(&request.url);
    listener.set_nonblocking(true)?;
    let deadline = Instant::now() + timeout;
    loop {
        let stream = loop {
            match listener.accept() {
                Ok((stream, _)) => break stream,
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                    if Instant::now() >= deadline {
                        return Err(OAuthError::Timeout(timeout));
                    }
                    std::thread::sleep(Duration::from_millis(10));
                }
                Err(e) => return Err(e.into()),
            }
        };
        let Ok(line) = read_request_line(&stream, deadline) else {
            continue;
        };
        match parse_redirect(&line, &request.state) {
            Err(RedirectError::MissingCode) | Err(RedirectError::BadRequestLine(_)) => {
                answer(&stream, "404 Not Found", "Not Found");
            }
            Err(e) => {
                answer(&stream, "400 Bad Request", PAGE_ERR);
                return Err(e.into());
            }
            Ok(code) => {
                answer(&stream, "200 OK", PAGE_OK);
                return Ok(UserOAuth::from_code(app.clone(), code, &request));
            }
        }
    }
}

/// [`authorize_blocking`] for async code: the listener runs on a thread;
/// the future waits for it.
pub async fn authorize(
    app: InstalledApp,
    login_hint: Option<String>,
    timeout: Duration,
    show: impl FnOnce(&str) + Send + 'static,
) -> Result<UserOAuth, OAuthError> {
    let (tx, rx) = async_channel::bounded(1);
    std::thread::Builder::new()
        .name("hangups-oauth".into())
        .spawn(move || {
            let _ = tx.try_send(authorize_blocking(
                &app,
                login_hint.as_deref(),
                timeout,
                show,
            ));
        })?;
    rx.recv().await.unwrap_or(Err(OAuthError::Timeout(timeout)))
}

/// The user's credentials: from the refresh token in `store` if it has
/// one (no browser), else from a browser sign-in ([`authorize_blocking`]).
/// Start the client with the same store so the refresh token it gets is
/// saved.
pub fn user_auth_blocking(
    app: &InstalledApp,
    store: &mut dyn TokenStore,
    login_hint: Option<&str>,
    timeout: Duration,
    show: impl FnOnce(&str),
) -> Result<ChatAuth, OAuthError> {
    if let Some(token) = store.refresh_token().filter(|t| !t.is_empty()) {
        return Ok(ChatAuth::User(UserOAuth::from_refresh_token(
            app.clone(),
            token,
        )));
    }
    authorize_blocking(app, login_hint, timeout, show).map(ChatAuth::User)
}

/// [`user_auth_blocking`] for async code.
pub async fn user_auth(
    app: InstalledApp,
    store: &mut (dyn TokenStore + Send),
    login_hint: Option<String>,
    timeout: Duration,
    show: impl FnOnce(&str) + Send + 'static,
) -> Result<ChatAuth, OAuthError> {
    if let Some(token) = store.refresh_token().filter(|t| !t.is_empty()) {
        return Ok(ChatAuth::User(UserOAuth::from_refresh_token(app, token)));
    }
    authorize(app, login_hint, timeout, show)
        .await
        .map(ChatAuth::User)
}

/// The first line of the request on `stream` (at most 8 KiB of head).
fn read_request_line(mut stream: &TcpStream, deadline: Instant) -> std::io::Result<String> {
    stream.set_nonblocking(false)?;
    let left = deadline
        .saturating_duration_since(Instant::now())
        .max(Duration::from_millis(100));
    stream.set_read_timeout(Some(left.min(Duration::from_secs(10))))?;
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 8192 {
        let n = stream.read(&mut buf)?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    let text = String::from_utf8_lossy(&head);
    Ok(text.lines().next().unwrap_or("").to_string())
}

fn answer(mut stream: &TcpStream, status: &str, body: &str) {
    let kind = if body.starts_with('<') {
        "text/html; charset=utf-8"
    } else {
        "text/plain"
    };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.flush();
}

#[cfg(test)]
mod tests {
    use super::*;
    use hangups_core::auth::MemoryStore;
    use hangups_core::auth::RefreshToken;
    use hangups_core::chat::UserGrant;

    fn app() -> InstalledApp {
        InstalledApp::new("cid", &["chat.messages"])
    }

    /// Plays the browser: GETs `target` on the redirect URI's port.
    fn browse(url: &str, target: impl Fn(&str) -> String) -> String {
        let q = url.split_once('?').unwrap().1;
        let get = |k: &str| {
            q.split('&')
                .find_map(|p| p.strip_prefix(&format!("{k}=")))
                .unwrap()
                .to_string()
        };
        let redirect = get("redirect_uri").replace("%3A", ":").replace("%2F", "/");
        let port: u16 = redirect.rsplit(':').next().unwrap().parse().unwrap();
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        write!(
            s,
            "GET {} HTTP/1.1\r\nHost: x\r\n\r\n",
            target(&get("state"))
        )
        .unwrap();
        let mut out = String::new();
        let _ = s.read_to_string(&mut out);
        out
    }

    #[test]
    fn the_loopback_listener_takes_the_code() {
        let (tx, rx) = std::sync::mpsc::channel();
        let got = authorize_blocking(&app(), None, Duration::from_secs(10), |url| {
            let url = url.to_string();
            std::thread::spawn(move || {
                let favicon = browse(&url, |_| "/favicon.ico".into());
                let page = browse(&url, |state| format!("/?code=abc&state={state}"));
                tx.send((favicon, page)).unwrap();
            });
        })
        .unwrap();
        let UserGrant::Code { code, .. } = &got.grant else {
            panic!()
        };
        assert_eq!(code, "abc");
        let (favicon, page) = rx.recv().unwrap();
        assert!(favicon.starts_with("HTTP/1.1 404"), "{favicon}");
        assert!(
            page.starts_with("HTTP/1.1 200") && page.contains("Signed in"),
            "{page}"
        );
    }

    #[test]
    fn a_forged_state_and_a_refusal_are_errors() {
        let err = authorize_blocking(&app(), None, Duration::from_secs(10), |url| {
            let url = url.to_string();
            std::thread::spawn(move || browse(&url, |_| "/?code=abc&state=forged".into()));
        })
        .unwrap_err();
        assert!(
            matches!(err, OAuthError::Redirect(RedirectError::StateMismatch)),
            "{err:?}"
        );
        let err = authorize_blocking(&app(), None, Duration::from_secs(10), |url| {
            let url = url.to_string();
            std::thread::spawn(move || {
                browse(&url, |state| format!("/?error=access_denied&state={state}"))
            });
        })
        .unwrap_err();
        assert!(
            matches!(err, OAuthError::Redirect(RedirectError::AccessDenied)),
            "{err:?}"
        );
    }

    #[test]
    fn no_redirect_times_out() {
        let err = authorize_blocking(&app(), None, Duration::from_millis(50), |_| {}).unwrap_err();
        assert!(matches!(err, OAuthError::Timeout(_)), "{err:?}");
    }

    #[test]
    fn a_stored_refresh_token_needs_no_browser() {
        let mut store = MemoryStore::default();
        store.set_refresh_token(&RefreshToken::new("1//kept"));
        let auth = user_auth_blocking(&app(), &mut store, None, Duration::ZERO, |_| {
            panic!("no browser")
        })
        .unwrap();
        let ChatAuth::User(u) = auth else { panic!() };
        assert_eq!(
            u.grant,
            UserGrant::RefreshToken(RefreshToken::new("1//kept"))
        );
    }
}
