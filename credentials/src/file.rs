//! The refresh-token file store (hangups' `RefreshTokenCache`): the token
//! in a file, checked before it is used (see [`FileStore`]), written
//! atomically (a temporary file in the same directory, then a rename) with
//! mode 0600 on Unix.

use crate::content::{check_cookie_text, parse_token, MAX_COOKIE_FILE, MAX_TOKEN_FILE};
use crate::error::TokenFileError;
use crate::safe_fs::{make_private, probe_writable, read_checked, write_private};
use hangups_core::api::Cookies;
use hangups_core::auth::{decode_cookies, encode_cookies, RefreshToken, TokenStore};
use std::path::{Path, PathBuf};

const TOKEN: &str = "a refresh token";
const COOKIES: &str = "session cookies";

/// Stores the refresh token in a file, and optionally the session cookies
/// in another.
///
/// It cannot hurt what the path names by mistake. The path must be a
/// regular file (or not exist yet): a symlink, a directory, a device or a
/// FIFO is refused without being opened, as is a file over 4 KiB (64 KiB
/// for cookies) or one whose text is not a token (one word of printable
/// ASCII; the whitespace around it is trimmed) — see
/// [`content`](crate::content). A refused file is never overwritten or
/// removed. A token file others may read is made private (0600), with a
/// warning.
///
/// As a [`TokenStore`], [`TokenStore::unusable`] reports a refused path,
/// or a missing token file that could not be created, so that signing in
/// stops with that reason instead of asking for a login that could not be
/// kept; failures to store or remove later are logged (`tracing::warn`,
/// with the path and the reason, never the secret). The `try_` and `load_`
/// methods return them as [`TokenFileError`]s.
///
/// ```no_run
/// use hangups_credentials::FileStore;
/// use hangups_core::auth::{RefreshToken, TokenStore};
///
/// let mut store = FileStore::new(FileStore::default_path().expect("a cache directory"));
/// store.set_refresh_token(&RefreshToken::new("1//token"));
/// assert_eq!(store.refresh_token().unwrap().expose(), "1//token");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStore {
    token_path: PathBuf,
    cookie_path: Option<PathBuf>,
}

impl FileStore {
    /// A store keeping the refresh token at `path`. Nothing is checked
    /// yet: see [`FileStore::check`].
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileStore {
            token_path: path.into(),
            cookie_path: None,
        }
    }

    /// Also keeps the session cookies, at `path` (one `name=value` a line,
    /// written like the token).
    pub fn with_cookie_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.cookie_path = Some(path.into());
        self
    }

    /// Where the token lives.
    pub fn path(&self) -> &Path {
        &self.token_path
    }

    /// hangups' default: `<user cache dir>/hangups/refresh_token.txt`
    /// (`$XDG_CACHE_HOME` or `~/.cache` on Linux and other Unix systems,
    /// `~/Library/Caches` on macOS, `%LOCALAPPDATA%\hangups\Cache` on
    /// Windows). `None` if the environment names no home.
    pub fn default_path() -> Option<PathBuf> {
        default_path_from(|name| std::env::var_os(name).map(PathBuf::from))
    }

    /// Whether the store can be used: its files (if they exist) are
    /// readable files of the right kind, and if there is no token file
    /// yet (or it is blank), one can be created in its directory (a probe
    /// file is created and removed; no directory is made).
    pub fn check(&self) -> Result<(), TokenFileError> {
        let token = self.load_refresh_token()?;
        self.load_cookies()?;
        if token.is_none() {
            probe_writable(&self.token_path)?;
        }
        Ok(())
    }

    /// The stored refresh token, trimmed; `Ok(None)` if the file does not
    /// exist or is blank. A token file others may read is made private.
    pub fn load_refresh_token(&self) -> Result<Option<RefreshToken>, TokenFileError> {
        let Some(contents) = read_checked(&self.token_path, TOKEN, MAX_TOKEN_FILE)? else {
            return Ok(None);
        };
        let token = parse_token(&contents.bytes).map_err(|problem| TokenFileError::Content {
            path: self.token_path.clone(),
            what: TOKEN,
            problem,
        })?;
        make_private(&self.token_path, &contents.file);
        Ok(token.map(RefreshToken::new))
    }

    /// The stored session cookies, if this store keeps them and some are
    /// stored.
    pub fn load_cookies(&self) -> Result<Option<Cookies>, TokenFileError> {
        let Some(path) = &self.cookie_path else {
            return Ok(None);
        };
        let Some(contents) = read_checked(path, COOKIES, MAX_COOKIE_FILE)? else {
            return Ok(None);
        };
        let text =
            check_cookie_text(&contents.bytes).map_err(|problem| TokenFileError::Content {
                path: path.clone(),
                what: COOKIES,
                problem,
            })?;
        make_private(path, &contents.file);
        let cookies = decode_cookies(text);
        Ok((!cookies.is_empty()).then_some(cookies))
    }

    /// Stores `token`, replacing the file only if it is ours to replace
    /// (missing, blank, or a token).
    pub fn try_set_refresh_token(&self, token: &RefreshToken) -> Result<(), TokenFileError> {
        let path = &self.token_path;
        let text = match parse_token(token.expose().as_bytes()) {
            Ok(Some(text)) => text,
            Ok(None) => {
                return Err(TokenFileError::Unstorable {
                    path: path.clone(),
                    problem: crate::error::ContentProblem::Empty,
                })
            }
            Err(problem) => {
                return Err(TokenFileError::Unstorable {
                    path: path.clone(),
                    problem,
                })
            }
        };
        self.load_refresh_token()?;
        write(path, text.as_bytes())
    }

    /// Stores `cookies` if this store keeps them, replacing the file only
    /// if it holds cookies (or nothing).
    pub fn try_set_cookies(&self, cookies: &Cookies) -> Result<(), TokenFileError> {
        let Some(path) = &self.cookie_path else {
            return Ok(());
        };
        let text = encode_cookies(cookies);
        if let Err(problem) = check_cookie_text(text.as_bytes()) {
            return Err(TokenFileError::Unstorable {
                path: path.clone(),
                problem,
            });
        }
        self.load_cookies()?;
        write(path, text.as_bytes())
    }

    /// Removes the stored token (and cookies), but only files this store
    /// would read: anything else at the paths is left alone, and reported.
    pub fn try_clear(&self) -> Result<(), TokenFileError> {
        let token = self.load_refresh_token().map(drop);
        let token = token.and_then(|()| remove(&self.token_path));
        let cookies = match &self.cookie_path {
            Some(path) => self.load_cookies().map(drop).and_then(|()| remove(path)),
            None => Ok(()),
        };
        token.and(cookies)
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<(), TokenFileError> {
    write_private(path, bytes).map_err(|source| TokenFileError::Write {
        path: path.to_path_buf(),
        source,
    })
}

fn remove(path: &Path) -> Result<(), TokenFileError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(source) => Err(TokenFileError::Remove {
            path: path.to_path_buf(),
            source,
        }),
    }
}

impl TokenStore for FileStore {
    fn unusable(&mut self) -> Option<String> {
        self.check().err().map(|e| e.to_string())
    }

    fn refresh_token(&mut self) -> Option<RefreshToken> {
        self.load_refresh_token().unwrap_or_else(|e| {
            tracing::warn!(error = %e, "not using the refresh token file");
            None
        })
    }

    fn set_refresh_token(&mut self, token: &RefreshToken) {
        if let Err(e) = self.try_set_refresh_token(token) {
            tracing::warn!(error = %e, "cannot store the refresh token");
        }
    }

    fn clear(&mut self) {
        if let Err(e) = self.try_clear() {
            tracing::warn!(error = %e, "cannot remove the stored credentials");
        }
    }

    fn cookies(&mut self) -> Option<Cookies> {
        self.load_cookies().unwrap_or_else(|e| {
            tracing::warn!(error = %e, "not using the cookie file");
            None
        })
    }

    fn set_cookies(&mut self, cookies: &Cookies) {
        if let Err(e) = self.try_set_cookies(cookies) {
            tracing::warn!(error = %e, "cannot store the session cookies");
        }
    }
}

/// The default path as [`FileStore::default_path`], with the environment
/// read through `env`.
pub fn default_path_from(env: impl Fn(&str) -> Option<PathBuf>) -> Option<PathBuf> {
    let non_empty = |name: &str| env(name).filter(|p| !p.as_os_str().is_empty());
    let dir = if cfg!(windows) {
        non_empty("LOCALAPPDATA")?.join("hangups").join("Cache")
    } else if cfg!(target_os = "macos") {
        non_empty("HOME")?
            .join("Library")
            .join("Caches")
            .join("hangups")
    } else {
        match non_empty("XDG_CACHE_HOME").filter(|p| p.is_absolute()) {
            Some(cache) => cache.join("hangups"),
            None => non_empty("HOME")?.join(".cache").join("hangups"),
        }
    };
    Some(dir.join("refresh_token.txt"))
}
