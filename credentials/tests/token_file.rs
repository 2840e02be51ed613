//! The token file cannot hurt: every path a careless user may give as
//! `--token-path` is refused with an error naming it, and nothing that is
//! not a token written by the store is ever sent, replaced or removed.

use hangups_core::api::Cookies;
use hangups_core::auth::{AuthError, RefreshToken, TokenStore};
use hangups_credentials::{ContentProblem, FileKind, FileStore, Next, SignInPlan, TokenFileError};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

/// A fresh, empty directory under the system's temporary directory.
fn scratch() -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "hangups-token-file-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

const NOTES: &str = "Meeting notes\n- ship the token store\n";

/// Signing in with `store`: must end at once with a configuration error
/// naming `path`, without asking for a code.
fn assert_sign_in_refused(store: &mut FileStore, path: &Path, needle: &str) {
    let mut plan = SignInPlan::new("https://login.example/");
    let mut prompt = |_: &str| -> Option<String> { panic!("asked for a code") };
    match plan.next(store, &mut prompt, None) {
        Next::Finished(Err(AuthError::Config(reason))) => {
            assert!(reason.contains(&path.display().to_string()), "{reason}");
            assert!(reason.contains(needle), "{reason:?} lacks {needle:?}");
        }
        other => panic!("signing in went on: {other:?}"),
    }
}

/// Everything that must not touch a refused path.
fn assert_left_alone(store: &mut FileStore, path: &Path) {
    let before = describe(path);
    store.set_refresh_token(&RefreshToken::new("1//new"));
    assert!(store
        .try_set_refresh_token(&RefreshToken::new("1//new"))
        .is_err());
    store.clear();
    assert!(store.try_clear().is_err());
    assert_eq!(store.refresh_token(), None);
    assert_eq!(describe(path), before, "{} was changed", path.display());
}

/// What is at `path`: its type and, for a file, its bytes; for a link,
/// its target.
fn describe(path: &Path) -> String {
    let meta = std::fs::symlink_metadata(path).expect("still there");
    if meta.file_type().is_symlink() {
        format!("link to {:?}", std::fs::read_link(path).unwrap())
    } else if meta.is_file() {
        let content = std::fs::read(path).map_err(|e| e.kind());
        format!("file of {} bytes: {content:?}", meta.len())
    } else {
        format!("{:?}", meta.file_type())
    }
}

#[test]
fn a_notes_file_is_not_sent_replaced_or_removed() {
    let dir = scratch();
    let path = dir.join("notes.txt");
    std::fs::write(&path, NOTES).unwrap();
    let mut store = FileStore::new(&path);
    let err = store.load_refresh_token().unwrap_err();
    assert!(
        matches!(
            err,
            TokenFileError::Content {
                problem: ContentProblem::Whitespace,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        err.to_string().contains("does not hold a refresh token"),
        "{err}"
    );
    assert_sign_in_refused(&mut store, &path, "left untouched");
    assert_left_alone(&mut store, &path);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), NOTES);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn other_non_token_text_is_refused() {
    let dir = scratch();
    let cases: [(&[u8], ContentProblem); 4] = [
        (b"1//a\n1//b\n", ContentProblem::LineBreak),
        (b"1//a\x00b", ContentProblem::Control),
        (b"\x89PNG\r\n\x1a\n", ContentProblem::NotAscii),
        ("jeton-\u{e9}".as_bytes(), ContentProblem::NotAscii),
    ];
    for (i, (bytes, want)) in cases.into_iter().enumerate() {
        let path = dir.join(format!("t{i}"));
        std::fs::write(&path, bytes).unwrap();
        let mut store = FileStore::new(&path);
        match store.load_refresh_token() {
            Err(TokenFileError::Content { problem, .. }) => assert_eq!(problem, want, "{bytes:?}"),
            other => panic!("{bytes:?}: {other:?}"),
        }
        assert_left_alone(&mut store, &path);
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_trailing_newline_is_trimmed_not_taken_for_a_revoked_token() {
    let dir = scratch();
    let path = dir.join("refresh_token.txt");
    std::fs::write(&path, "  1//from-echo\n").unwrap();
    let mut store = FileStore::new(&path);
    assert_eq!(store.refresh_token().unwrap().expose(), "1//from-echo");
    assert!(store.check().is_ok());
    // The plan sends the trimmed token.
    let mut plan = SignInPlan::new("u");
    let Next::Run(hangups_core::auth::Grant::RefreshToken(t)) =
        plan.next(&mut store, &mut hangups_credentials::NoPrompt, None)
    else {
        panic!("the token was not used")
    };
    assert_eq!(t.expose(), "1//from-echo");
    // It is ours to replace and to remove.
    store.set_refresh_token(&RefreshToken::new("1//rotated"));
    assert_eq!(std::fs::read(&path).unwrap(), b"1//rotated");
    store.clear();
    assert!(!path.exists());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_blank_file_holds_no_token_and_may_be_replaced() {
    let dir = scratch();
    let path = dir.join("refresh_token.txt");
    std::fs::write(&path, "\n").unwrap();
    let mut store = FileStore::new(&path);
    assert_eq!(store.load_refresh_token().unwrap(), None);
    store
        .try_set_refresh_token(&RefreshToken::new("1//t"))
        .unwrap();
    assert_eq!(store.refresh_token().unwrap().expose(), "1//t");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_directory_is_refused_and_kept() {
    let dir = scratch();
    let path = dir.join("token-dir");
    std::fs::create_dir(&path).unwrap();
    std::fs::write(path.join("inside"), "x").unwrap();
    let mut store = FileStore::new(&path);
    let err = store.load_refresh_token().unwrap_err();
    assert!(
        matches!(
            err,
            TokenFileError::NotAFile {
                kind: FileKind::Directory,
                ..
            }
        ),
        "{err:?}"
    );
    assert_sign_in_refused(&mut store, &path, "is a directory, not a regular file");
    assert_left_alone(&mut store, &path);
    assert!(path.join("inside").exists());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_large_file_is_refused_unread_and_kept() {
    let dir = scratch();
    let path = dir.join("big");
    let big = "a".repeat(4097);
    std::fs::write(&path, &big).unwrap();
    let mut store = FileStore::new(&path);
    let err = store.load_refresh_token().unwrap_err();
    assert!(
        matches!(
            err,
            TokenFileError::TooLarge {
                size: 4097,
                limit: 4096,
                ..
            }
        ),
        "{err:?}"
    );
    assert_sign_in_refused(&mut store, &path, "4097 bytes");
    assert_left_alone(&mut store, &path);
    // The largest accepted token file.
    std::fs::write(&path, &big[1..]).unwrap();
    assert!(store.load_refresh_token().unwrap().is_some());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_token_the_server_sends_with_spaces_is_not_written() {
    let dir = scratch();
    let path = dir.join("refresh_token.txt");
    let store = FileStore::new(&path);
    for bad in ["two words", "", " \n"] {
        let err = store
            .try_set_refresh_token(&RefreshToken::new(bad))
            .unwrap_err();
        assert!(matches!(err, TokenFileError::Unstorable { .. }), "{err:?}");
        assert!(!err.to_string().contains(bad) || bad.trim().is_empty());
    }
    assert!(!path.exists());
    // A token with whitespace around it is stored trimmed.
    store
        .try_set_refresh_token(&RefreshToken::new("1//tok\n"))
        .unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"1//tok");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_token_path_under_a_file_cannot_be_saved_and_says_so_before_any_prompt() {
    let dir = scratch();
    std::fs::write(dir.join("notes.txt"), NOTES).unwrap();
    let path = dir.join("notes.txt").join("refresh_token.txt");
    let mut store = FileStore::new(&path);
    let err = store.check().unwrap_err();
    assert!(matches!(err, TokenFileError::Write { .. }), "{err:?}");
    assert!(err.to_string().contains("is not a directory"), "{err}");
    assert_sign_in_refused(&mut store, &path, "cannot write it");
    let err = store
        .try_set_refresh_token(&RefreshToken::new("1//t"))
        .unwrap_err();
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("notes.txt")).unwrap(),
        NOTES
    );
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_missing_file_in_a_missing_directory_is_usable_and_leaves_nothing() {
    let dir = scratch();
    let path = dir.join("a").join("b").join("refresh_token.txt");
    let mut store = FileStore::new(&path);
    assert_eq!(store.unusable(), None);
    assert!(!dir.join("a").exists(), "the check made no directory");
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert!(left.is_empty(), "the probe was removed: {left:?}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_cookie_file_gets_the_same_care() {
    let dir = scratch();
    let token = dir.join("refresh_token.txt");
    let cookies_path = dir.join("notes.txt");
    std::fs::write(&cookies_path, NOTES).unwrap();
    let mut store = FileStore::new(&token).with_cookie_file(&cookies_path);
    let err = store.load_cookies().unwrap_err();
    assert!(
        matches!(
            err,
            TokenFileError::Content {
                problem: ContentProblem::NotCookieLine(1),
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(store.cookies(), None);
    assert_sign_in_refused(&mut store, &cookies_path, "does not hold session cookies");
    store.set_cookies(&Cookies::from_iter([("SAPISID", "s")]));
    store.clear();
    assert_eq!(std::fs::read_to_string(&cookies_path).unwrap(), NOTES);
    // A cookie file of ours round-trips.
    let ours = dir.join("cookies.txt");
    let mut store = FileStore::new(&token).with_cookie_file(&ours);
    let jar = Cookies::from_iter([("SID", "a=b"), ("SAPISID", "x y")]);
    store.try_set_cookies(&jar).unwrap();
    assert_eq!(store.cookies(), Some(jar));
    store.clear();
    assert!(!ours.exists());
    let _ = std::fs::remove_dir_all(dir);
}

#[cfg(unix)]
mod unix {
    use super::*;
    use std::os::unix::fs::PermissionsExt;
    use std::time::Duration;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_symlink_is_refused_not_followed_and_not_replaced() {
        let dir = scratch();
        let target = dir.join("real-token");
        std::fs::write(&target, "1//real").unwrap();
        let path = dir.join("link");
        std::os::unix::fs::symlink(&target, &path).unwrap();
        let mut store = FileStore::new(&path);
        let err = store.load_refresh_token().unwrap_err();
        assert!(matches!(err, TokenFileError::Symlink { .. }), "{err:?}");
        assert_sign_in_refused(&mut store, &path, "is a symbolic link");
        assert_left_alone(&mut store, &path);
        assert_eq!(std::fs::read(&target).unwrap(), b"1//real");
        // A dangling link too.
        let dangling = dir.join("dangling");
        std::os::unix::fs::symlink(dir.join("nothing"), &dangling).unwrap();
        let mut store = FileStore::new(&dangling);
        assert!(matches!(
            store.load_refresh_token(),
            Err(TokenFileError::Symlink { .. })
        ));
        assert_left_alone(&mut store, &dangling);
        assert!(!dir.join("nothing").exists(), "nothing written through it");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_character_device_is_refused_unopened() {
        let path = PathBuf::from("/dev/null");
        let mut store = FileStore::new(&path);
        let err = store.load_refresh_token().unwrap_err();
        assert!(
            matches!(
                err,
                TokenFileError::NotAFile {
                    kind: FileKind::CharDevice,
                    ..
                }
            ),
            "{err:?}"
        );
        assert_sign_in_refused(&mut store, &path, "is a character device");
    }

    #[test]
    fn a_character_device_is_never_replaced() {
        let dir = scratch();
        let path = dir.join("null");
        // Making a device needs privileges: skip where there are none.
        let made = std::process::Command::new("mknod")
            .arg(&path)
            .args(["c", "1", "3"])
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !made {
            eprintln!("skipped: cannot mknod here");
            return;
        }
        let mut store = FileStore::new(&path);
        assert_left_alone(&mut store, &path);
        use std::os::unix::fs::FileTypeExt;
        let kind = std::fs::symlink_metadata(&path).unwrap().file_type();
        assert!(kind.is_char_device(), "{kind:?}");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_fifo_is_refused_without_blocking() {
        let dir = scratch();
        let path = dir.join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&path)
            .status()
            .is_ok_and(|s| s.success());
        if !made {
            eprintln!("skipped: no mkfifo");
            return;
        }
        let (tx, rx) = std::sync::mpsc::channel();
        let p = path.clone();
        std::thread::spawn(move || {
            let mut store = FileStore::new(&p);
            let loaded = store.load_refresh_token().map(|_| ());
            assert_left_alone(&mut store, &p);
            let _ = tx.send(loaded);
        });
        // A reader that opened the FIFO would wait here for a writer.
        match rx.recv_timeout(Duration::from_secs(10)) {
            Ok(Err(TokenFileError::NotAFile {
                kind: FileKind::Fifo,
                ..
            })) => {}
            Ok(other) => panic!("{other:?}"),
            Err(e) => {
                // Unblock the reader before failing.
                let _ = std::fs::OpenOptions::new().write(true).open(&path);
                panic!("the store blocked on the FIFO: {e}")
            }
        }
        let mut store = FileStore::new(&path);
        assert_sign_in_refused(&mut store, &path, "named pipe");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_world_readable_token_is_used_made_private_and_warned_about() {
        let dir = scratch();
        let path = dir.join("refresh_token.txt");
        std::fs::write(&path, "1//shared\n").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let logs = capture(|| FileStore::new(&path).refresh_token());
        assert_eq!(logs.0.unwrap().expose(), "1//shared");
        assert_eq!(mode(&path), 0o600);
        let warning = logs.1.join("\n");
        assert!(warning.contains("WARN"), "{warning}");
        assert!(warning.contains(&path.display().to_string()), "{warning}");
        assert!(warning.contains("mode=644"), "{warning}");
        assert!(!warning.contains("1//shared"), "no secret in the log");
        // Private already: no warning.
        let again = capture(|| FileStore::new(&path).refresh_token());
        assert!(again.1.is_empty(), "{:?}", again.1);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn written_files_are_private() {
        let dir = scratch();
        let path = dir.join("nested").join("refresh_token.txt");
        let store = FileStore::new(&path).with_cookie_file(dir.join("cookies.txt"));
        store
            .try_set_refresh_token(&RefreshToken::new("1//t"))
            .unwrap();
        store
            .try_set_cookies(&Cookies::from_iter([("SID", "x")]))
            .unwrap();
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&dir.join("cookies.txt")), 0o600);
        assert_eq!(mode(path.parent().unwrap()), 0o700);
        let _ = std::fs::remove_dir_all(dir);
    }

    /// Whether permissions bind this process (not when run as root).
    fn permissions_bind(dir: &Path) -> bool {
        let probe = dir.join("probe");
        std::fs::write(&probe, "x").unwrap();
        std::fs::set_permissions(&probe, std::fs::Permissions::from_mode(0o000)).unwrap();
        let binds = std::fs::read(&probe).is_err();
        let _ = std::fs::remove_file(&probe);
        binds
    }

    #[test]
    fn an_unreadable_file_is_an_error_not_a_prompt() {
        let dir = scratch();
        if !permissions_bind(&dir) {
            eprintln!("skipped: permissions do not bind (root)");
            return;
        }
        let path = dir.join("refresh_token.txt");
        std::fs::write(&path, "1//t").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
        let mut store = FileStore::new(&path);
        let err = store.load_refresh_token().unwrap_err();
        assert!(matches!(err, TokenFileError::Read { .. }), "{err:?}");
        assert_sign_in_refused(&mut store, &path, "cannot read it");
        assert_left_alone(&mut store, &path);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"1//t");
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn an_unwritable_directory_is_an_error_before_the_prompt() {
        let dir = scratch();
        if !permissions_bind(&dir) {
            eprintln!("skipped: permissions do not bind (root)");
            return;
        }
        let locked = dir.join("locked");
        std::fs::create_dir(&locked).unwrap();
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o500)).unwrap();
        let path = locked.join("refresh_token.txt");
        let mut store = FileStore::new(&path);
        let err = store.check().unwrap_err();
        assert!(matches!(err, TokenFileError::Write { .. }), "{err:?}");
        assert_sign_in_refused(&mut store, &path, "cannot write it");
        let logs = capture(|| store.set_refresh_token(&RefreshToken::new("1//t")));
        let logs = logs.1.join("\n");
        assert!(logs.contains("cannot store the refresh token"), "{logs}");
        assert!(logs.contains(&path.display().to_string()), "{logs}");
        std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o700)).unwrap();
        let _ = std::fs::remove_dir_all(dir);
    }

    /// Runs `f`, collecting the log lines it emits on this thread.
    fn capture<T>(f: impl FnOnce() -> T) -> (T, Vec<String>) {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sub = Capture(lines.clone());
        let out = tracing::subscriber::with_default(sub, f);
        let lines = lines.lock().unwrap().clone();
        (out, lines)
    }

    /// A subscriber that keeps every event as `LEVEL field=value …`.
    struct Capture(Arc<Mutex<Vec<String>>>);

    struct Line(String);

    impl tracing::field::Visit for Line {
        fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
            self.0.push_str(&format!(" {}={value:?}", field.name()));
        }
        fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
            self.0.push_str(&format!(" {}={value}", field.name()));
        }
    }

    impl tracing::Subscriber for Capture {
        fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
            true
        }
        fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
            tracing::span::Id::from_u64(1)
        }
        fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
        fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
        fn event(&self, event: &tracing::Event<'_>) {
            let mut line = Line(event.metadata().level().to_string());
            event.record(&mut line);
            self.0.lock().unwrap().push(line.0);
        }
        fn enter(&self, _: &tracing::span::Id) {}
        fn exit(&self, _: &tracing::span::Id) {}
    }
}
