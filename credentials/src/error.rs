//! What can be wrong with a credentials file: [`TokenFileError`], each
//! naming the path and the problem.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Why a token (or cookie) file was not read, written or removed. Every
/// variant names the path; none holds the secret.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TokenFileError {
    /// The path is a symbolic link. It is neither followed nor replaced:
    /// give the path of the file itself.
    #[error("{}: is a symbolic link; give the path of the file itself", path.display())]
    Symlink {
        /// The path given.
        path: PathBuf,
    },
    /// The path exists and is not a regular file (a directory, a device,
    /// a FIFO…). It is never opened for reading, replaced or removed.
    #[error("{}: is a {kind}, not a regular file", path.display())]
    NotAFile {
        /// The path given.
        path: PathBuf,
        /// What it is.
        kind: FileKind,
    },
    /// The file is larger than a credentials file can be.
    #[error("{}: is {size} bytes, larger than {what} can be ({limit} bytes at most); it is left untouched", path.display())]
    TooLarge {
        /// The path given.
        path: PathBuf,
        /// What it should hold ("a refresh token", "session cookies").
        what: &'static str,
        /// Its size in bytes (at least `limit + 1`).
        size: u64,
        /// The largest size accepted.
        limit: u64,
    },
    /// The file holds something else than what it should: it is not used,
    /// and never overwritten or removed.
    #[error("{}: does not hold {what} ({problem}); it is left untouched", path.display())]
    Content {
        /// The path given.
        path: PathBuf,
        /// What it should hold ("a refresh token", "session cookies").
        what: &'static str,
        /// What is wrong with it.
        problem: ContentProblem,
    },
    /// The file (or its directory) could not be read.
    #[error("{}: cannot read it: {source}", path.display())]
    Read {
        /// The path given.
        path: PathBuf,
        /// The system's error.
        source: io::Error,
    },
    /// The file could not be written (or its directory created, or a
    /// file created in it).
    #[error("{}: cannot write it: {source}", path.display())]
    Write {
        /// The path given.
        path: PathBuf,
        /// The system's error.
        source: io::Error,
    },
    /// The file could not be removed.
    #[error("{}: cannot remove it: {source}", path.display())]
    Remove {
        /// The path given.
        path: PathBuf,
        /// The system's error.
        source: io::Error,
    },
    /// The refresh token to store is not one this store can read back
    /// (the server sent something odd); nothing was written.
    #[error("{}: the refresh token to store is not storable ({problem}); nothing was written", path.display())]
    Unstorable {
        /// The path of the store.
        path: PathBuf,
        /// What is wrong with the token.
        problem: ContentProblem,
    },
}

/// What a path that is not a regular file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FileKind {
    /// A directory.
    Directory,
    /// A character device (`/dev/null`, a terminal…).
    CharDevice,
    /// A block device (a disk).
    BlockDevice,
    /// A named pipe (FIFO).
    Fifo,
    /// A Unix domain socket.
    Socket,
    /// Anything else.
    Other,
}

impl FileKind {
    /// The kind of a file that is not a regular file or a symlink.
    pub(crate) fn of(file_type: std::fs::FileType) -> FileKind {
        if file_type.is_dir() {
            return FileKind::Directory;
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if file_type.is_char_device() {
                return FileKind::CharDevice;
            }
            if file_type.is_block_device() {
                return FileKind::BlockDevice;
            }
            if file_type.is_fifo() {
                return FileKind::Fifo;
            }
            if file_type.is_socket() {
                return FileKind::Socket;
            }
        }
        FileKind::Other
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileKind::Directory => "directory",
            FileKind::CharDevice => "character device",
            FileKind::BlockDevice => "block device",
            FileKind::Fifo => "named pipe (FIFO)",
            FileKind::Socket => "socket",
            FileKind::Other => "special file",
        })
    }
}

/// What is wrong with a file's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ContentProblem {
    /// Nothing but whitespace (a token to store).
    Empty,
    /// A space or a tab inside the token.
    Whitespace,
    /// More than one line (a token is one line).
    LineBreak,
    /// A control character.
    Control,
    /// Characters outside printable ASCII (in a token).
    NotAscii,
    /// Bytes that are not UTF-8 text (in a cookie file).
    NotUtf8,
    /// A line of a cookie file that is not `name=value` (1-based).
    NotCookieLine(usize),
}

impl fmt::Display for ContentProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ContentProblem::Empty => f.write_str("it is empty"),
            ContentProblem::Whitespace => f.write_str("it contains a space or a tab"),
            ContentProblem::LineBreak => f.write_str("it has more than one line"),
            ContentProblem::Control => f.write_str("it contains a control character"),
            ContentProblem::NotAscii => f.write_str("it holds characters outside printable ASCII"),
            ContentProblem::NotUtf8 => f.write_str("it is not UTF-8 text"),
            ContentProblem::NotCookieLine(n) => write!(f, "line {n} is not name=value"),
        }
    }
}
