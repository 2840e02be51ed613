//! Careful file access for credentials: the path is looked at (without
//! following a symlink) before it is opened, so a directory, a device or a
//! FIFO is never opened (a FIFO would block) nor replaced; what is read is
//! bounded; writes go to a private temporary file renamed into place.

use crate::error::{FileKind, TokenFileError};
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// A regular file's bytes, and the open file (to fix its mode).
pub(crate) struct Contents {
    pub(crate) file: File,
    pub(crate) bytes: Vec<u8>,
}

/// Reads the regular file at `path`, at most `limit` bytes: `Ok(None)` if
/// nothing is there. A symlink, anything but a regular file, or a larger
/// file is refused without reading it.
pub(crate) fn read_checked(
    path: &Path,
    what: &'static str,
    limit: u64,
) -> Result<Option<Contents>, TokenFileError> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        // Nothing there (a directory above it may be a file: writing says so).
        Err(e)
            if matches!(
                e.kind(),
                io::ErrorKind::NotFound | io::ErrorKind::NotADirectory
            ) =>
        {
            return Ok(None)
        }
        Err(source) => return Err(read_error(path, source)),
    };
    check_type(path, meta.file_type())?;
    check_size(path, what, meta.len(), limit)?;
    let mut file = match open_no_follow(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) if is_symlink_refusal(&e) => return Err(symlink(path)),
        Err(source) => return Err(read_error(path, source)),
    };
    // The path may have changed since it was looked at: check what was opened.
    let meta = file.metadata().map_err(|e| read_error(path, e))?;
    check_type(path, meta.file_type())?;
    let mut bytes = Vec::new();
    (&mut file)
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| read_error(path, e))?;
    check_size(path, what, bytes.len() as u64, limit)?;
    Ok(Some(Contents { file, bytes }))
}

fn check_type(path: &Path, file_type: std::fs::FileType) -> Result<(), TokenFileError> {
    if file_type.is_symlink() {
        Err(symlink(path))
    } else if !file_type.is_file() {
        Err(TokenFileError::NotAFile {
            path: path.to_path_buf(),
            kind: FileKind::of(file_type),
        })
    } else {
        Ok(())
    }
}

fn check_size(
    path: &Path,
    what: &'static str,
    size: u64,
    limit: u64,
) -> Result<(), TokenFileError> {
    if size > limit {
        return Err(TokenFileError::TooLarge {
            path: path.to_path_buf(),
            what,
            size,
            limit,
        });
    }
    Ok(())
}

fn symlink(path: &Path) -> TokenFileError {
    TokenFileError::Symlink {
        path: path.to_path_buf(),
    }
}

fn read_error(path: &Path, source: io::Error) -> TokenFileError {
    TokenFileError::Read {
        path: path.to_path_buf(),
        source,
    }
}

/// Opens for reading without following a final symlink, and without
/// blocking if a FIFO was put there after the type check.
#[cfg(unix)]
fn open_no_follow(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
}

#[cfg(not(unix))]
fn open_no_follow(path: &Path) -> io::Result<File> {
    File::open(path)
}

#[cfg(unix)]
fn is_symlink_refusal(e: &io::Error) -> bool {
    e.raw_os_error() == Some(libc::ELOOP)
}

#[cfg(not(unix))]
fn is_symlink_refusal(_e: &io::Error) -> bool {
    false
}

/// Makes the file private (0600) if its group or others may read or write
/// it, with a warning naming the path (and another if that fails).
#[cfg(unix)]
pub(crate) fn make_private(path: &Path, file: &File) {
    use std::os::unix::fs::PermissionsExt;
    let Ok(meta) = file.metadata() else { return };
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 == 0 {
        return;
    }
    let mode = format!("{mode:o}");
    match file.set_permissions(std::fs::Permissions::from_mode(0o600)) {
        Ok(()) => tracing::warn!(
            path = %path.display(),
            mode,
            "the credentials file could be read by other users; it is now private (mode 600)"
        ),
        Err(e) => tracing::warn!(
            path = %path.display(),
            mode,
            error = %e,
            "the credentials file can be read by other users, and cannot be made private"
        ),
    }
}

#[cfg(not(unix))]
pub(crate) fn make_private(_path: &Path, _file: &File) {}

/// The directory `path` is in (`.` for a bare name).
fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Whether a file could be created at `path` (which does not exist): a
/// file is created and removed in its directory, or, if that does not
/// exist yet, in the nearest directory above it (where the missing ones
/// would be created). Nothing is left behind.
pub(crate) fn probe_writable(path: &Path) -> Result<(), TokenFileError> {
    let write_error = |source| TokenFileError::Write {
        path: path.to_path_buf(),
        source,
    };
    let mut dir = parent_dir(path);
    loop {
        match std::fs::metadata(&dir) {
            Ok(meta) if meta.is_dir() => break,
            Ok(_) => {
                let detail = format!("{} is not a directory", dir.display());
                return Err(write_error(io::Error::new(
                    io::ErrorKind::NotADirectory,
                    detail,
                )));
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => match dir.parent() {
                Some(up) if !up.as_os_str().is_empty() => dir = up.to_path_buf(),
                _ => dir = PathBuf::from("."),
            },
            Err(e) => return Err(write_error(e)),
        }
    }
    let probe = dir.join(format!(".hangups-probe-{}", std::process::id()));
    let created = open_private(&probe).map_err(write_error);
    let _ = std::fs::remove_file(&probe);
    created.map(drop)
}

/// Writes `bytes` to `path` atomically: parent directories are created
/// (0700 on Unix), a temporary file next to it is written with mode 0600,
/// flushed to disk, and renamed over `path`. It does not look at what
/// `path` is: [`FileStore`](crate::FileStore) checks that first.
pub fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = parent_dir(path);
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
fn open_private(path: &Path) -> io::Result<File> {
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
fn open_private(path: &Path) -> io::Result<File> {
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
