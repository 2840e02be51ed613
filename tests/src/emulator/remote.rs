//! A client's side of a running emulator's control API, over plain HTTP
//! with the standard library: the session (cookies) and the refresh token
//! of the self user, as `hangups --url URL` and the examples use them.

use std::io::{Read, Write};

/// Why the control API could not be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RemoteError {
    /// The URL is not `http://HOST:PORT`.
    #[error("invalid emulator URL {0:?}: must be http://HOST:PORT (the control API is fetched over plain HTTP)")]
    BadUrl(String),
    /// Connecting, writing or reading failed.
    #[error("{authority}: {source}")]
    Io {
        /// `HOST:PORT`.
        authority: String,
        /// Why.
        source: std::io::Error,
    },
    /// The answer is not the JSON expected.
    #[error("bad answer from the emulator's control API: {0}")]
    BadAnswer(String),
}

/// What a client needs to sign in as the self user of a running emulator.
#[derive(Clone, PartialEq, Eq)]
pub struct RemoteSession {
    /// The session cookies (`POST /_emulator/session`).
    pub cookies: Vec<(String, String)>,
    /// The user's refresh token (`POST /_emulator/oauth`), to sign in
    /// again when the cookies expire.
    pub refresh_token: Option<String>,
}

impl std::fmt::Debug for RemoteSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteSession").finish_non_exhaustive()
    }
}

/// `POST /_emulator/<route>` with an empty body; the JSON answer.
pub fn control_post(url: &str, route: &str) -> Result<serde_json::Value, RemoteError> {
    let authority = url
        .strip_prefix("http://")
        .ok_or_else(|| RemoteError::BadUrl(url.to_string()))?
        .trim_end_matches('/')
        .to_string();
    if authority.is_empty() || authority.contains('/') {
        return Err(RemoteError::BadUrl(url.to_string()));
    }
    let io = |source| RemoteError::Io {
        authority: authority.clone(),
        source,
    };
    let mut stream = std::net::TcpStream::connect(&authority).map_err(io)?;
    write!(
        stream,
        "POST /_emulator/{route} HTTP/1.1\r\nHost: {authority}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .map_err(io)?;
    let mut response = String::new();
    stream.read_to_string(&mut response).map_err(io)?;
    let (_, body) = response
        .split_once("\r\n\r\n")
        .ok_or_else(|| RemoteError::BadAnswer("no HTTP body".into()))?;
    serde_json::from_str(body).map_err(|e| RemoteError::BadAnswer(e.to_string()))
}

/// The self user's session cookies from the emulator at `url`.
pub fn fetch_session(url: &str) -> Result<Vec<(String, String)>, RemoteError> {
    let json = control_post(url, "session")?;
    let cookies = json["cookies"]
        .as_array()
        .ok_or_else(|| RemoteError::BadAnswer("no cookies in the session".into()))?;
    Ok(cookies
        .iter()
        .filter_map(|c| Some((c[0].as_str()?.to_string(), c[1].as_str()?.to_string())))
        .collect())
}

/// The self user's cookies and refresh token from the emulator at `url`.
pub fn fetch_remote_session(url: &str) -> Result<RemoteSession, RemoteError> {
    let cookies = fetch_session(url)?;
    let oauth = control_post(url, "oauth")?;
    Ok(RemoteSession {
        cookies,
        refresh_token: oauth["refresh_token"].as_str().map(str::to_string),
    })
}
