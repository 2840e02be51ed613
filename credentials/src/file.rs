//! The refresh-token file store (hangups' `RefreshTokenCache`): the raw
//! token in a file, read verbatim, written atomically (a temporary file in
//! the same directory, then a rename) with mode 0600 on Unix.

use hangups_core::api::Cookies;
use hangups_core::auth::{decode_cookies, encode_cookies, RefreshToken, TokenStore};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// Stores the refresh token in a file, and optionally the session cookies
/// in another. Read failures count as "nothing stored"; write failures are
/// logged (without the secret) and otherwise ignored, as in hangups.
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
    /// A store keeping the refresh token at `path`.
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

    /// Stores `token`, reporting failure (the [`TokenStore`] method only logs).
    pub fn try_set_refresh_token(&self, token: &RefreshToken) -> io::Result<()> {
        write_private(&self.token_path, token.expose().as_bytes())
    }

    /// Stores `cookies` if this store keeps them, reporting failure.
    pub fn try_set_cookies(&self, cookies: &Cookies) -> io::Result<()> {
        match &self.cookie_path {
            Some(path) => write_private(path, encode_cookies(cookies).as_bytes()),
            None => Ok(()),
        }
    }
}

impl TokenStore for FileStore {
    fn refresh_token(&mut self) -> Option<RefreshToken> {
        let text = std::fs::read_to_string(&self.token_path).ok()?;
        (!text.is_empty()).then(|| RefreshToken::new(text))
    }

    fn set_refresh_token(&mut self, token: &RefreshToken) {
        if let Err(e) = self.try_set_refresh_token(token) {
            tracing::warn!(path = %self.token_path.display(), error = %e, "cannot store the refresh token");
        }
    }

    fn clear(&mut self) {
        for path in std::iter::once(&self.token_path).chain(self.cookie_path.as_ref()) {
            match std::fs::remove_file(path) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => {
                    tracing::warn!(path = %path.display(), error = %e, "cannot remove stored credentials")
                }
            }
        }
    }

    fn cookies(&mut self) -> Option<Cookies> {
        let text = std::fs::read_to_string(self.cookie_path.as_ref()?).ok()?;
        let cookies = decode_cookies(&text);
        (!cookies.is_empty()).then_some(cookies)
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

/// Writes `bytes` to `path` atomically: parent directories are created
/// (0700 on Unix), a temporary file next to it is written with mode 0600,
/// flushed to disk, and renamed over `path`.
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    create_private_dir(&dir)?;
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "no file name"))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".tmp{}", std::process::id()));
    let tmp = dir.join(tmp_name);
    let result = (|| {
        let mut file = open_private(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(unix)]
fn open_private(path: &Path) -> io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    // A stale temporary file of an earlier crash is replaced.
    let _ = std::fs::remove_file(path);
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn open_private(path: &Path) -> io::Result<std::fs::File> {
    let _ = std::fs::remove_file(path);
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> io::Result<()> {
    std::fs::create_dir_all(dir)
}
