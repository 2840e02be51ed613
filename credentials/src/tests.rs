use super::*;
use hangups_core::api::Cookies;
use hangups_core::auth::{AccessToken, MemoryStore};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

/// A fresh directory under the system's temporary directory.
fn scratch() -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "hangups-credentials-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn creds(refresh: Option<&str>) -> Credentials {
    Credentials {
        refresh_token: refresh.map(RefreshToken::new),
        access_token: AccessToken::new("a"),
        cookies: Cookies::from_iter([("SAPISID", "s")]),
    }
}

#[test]
fn file_store_round_trip_and_mode() {
    let dir = scratch();
    let path = dir.join("nested").join("refresh_token.txt");
    let mut store = FileStore::new(&path).with_cookie_file(dir.join("cookies.txt"));
    assert_eq!(store.refresh_token(), None);
    assert_eq!(store.cookies(), None);
    store.set_refresh_token(&RefreshToken::new("1//tok\n"));
    assert_eq!(std::fs::read(&path).unwrap(), b"1//tok", "written trimmed");
    assert_eq!(store.refresh_token().unwrap().expose(), "1//tok");
    store.set_refresh_token(&RefreshToken::new("2"));
    assert_eq!(store.refresh_token().unwrap().expose(), "2");
    let cookies = Cookies::from_iter([("SID", "x"), ("SAPISID", "y")]);
    store.set_cookies(&cookies);
    assert_eq!(store.cookies(), Some(cookies));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for p in [path.clone(), dir.join("cookies.txt")] {
            let mode = std::fs::metadata(&p).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{}", p.display());
        }
        let mode = std::fs::metadata(path.parent().unwrap())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700);
    }
    let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, ["refresh_token.txt"], "no temporary file left");
    store.clear();
    assert!(!path.exists() && !dir.join("cookies.txt").exists());
    store.clear(); // nothing to remove: fine
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn unwritable_store_only_logs() {
    let dir = scratch();
    std::fs::create_dir_all(&dir).unwrap();
    // The token path is a directory: writing fails, reading finds nothing.
    let mut store = FileStore::new(&dir);
    store.set_refresh_token(&RefreshToken::new("t"));
    assert!(store
        .try_set_refresh_token(&RefreshToken::new("t"))
        .is_err());
    assert_eq!(store.refresh_token(), None);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn default_paths() {
    let env = |vars: &'static [(&'static str, &'static str)]| {
        move |name: &str| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| PathBuf::from(v))
        }
    };
    if cfg!(all(unix, not(target_os = "macos"))) {
        assert_eq!(
            default_path_from(env(&[("HOME", "/home/ada")])),
            Some(PathBuf::from("/home/ada/.cache/hangups/refresh_token.txt"))
        );
        assert_eq!(
            default_path_from(env(&[("HOME", "/home/ada"), ("XDG_CACHE_HOME", "/c")])),
            Some(PathBuf::from("/c/hangups/refresh_token.txt"))
        );
        assert_eq!(
            default_path_from(env(&[("HOME", "/h"), ("XDG_CACHE_HOME", "rel")])),
            Some(PathBuf::from("/h/.cache/hangups/refresh_token.txt")),
            "a relative XDG_CACHE_HOME is ignored"
        );
    }
    assert_eq!(default_path_from(env(&[])), None);
    assert_eq!(default_path_from(env(&[("HOME", "")])), None);
}

#[test]
fn plan_uses_a_stored_token_and_keeps_a_rotated_one() {
    let mut store = MemoryStore {
        token: Some(RefreshToken::new("old")),
        session: None,
    };
    let mut plan = SignInPlan::new("u");
    let mut never = |_: &str| -> Option<String> { panic!("no prompt expected") };
    let Next::Run(Grant::RefreshToken(t)) = plan.next(&mut store, &mut never, None) else {
        panic!()
    };
    assert_eq!(t.expose(), "old");
    let outcome = RunOutcome {
        new_refresh_token: Some(RefreshToken::new("new")),
        result: Ok(creds(Some("new"))),
    };
    let Next::Finished(Ok(c)) = plan.next(&mut store, &mut never, Some(outcome)) else {
        panic!()
    };
    assert_eq!(c.cookies.get("SAPISID"), Some("s"));
    assert_eq!(store.token.unwrap().expose(), "new");
    assert!(store.session.is_some(), "cookies stored too");
}

#[test]
fn plan_asks_for_a_code_without_a_token_and_stores_the_new_one() {
    let mut store = MemoryStore::default();
    let mut plan = SignInPlan::new("https://login");
    let mut asked = Vec::new();
    let mut prompt = |url: &str| {
        asked.push(url.to_string());
        Some("  4/code \n".to_string())
    };
    let Next::Run(Grant::AuthCode(code)) = plan.next(&mut store, &mut prompt, None) else {
        panic!()
    };
    assert_eq!(code.expose(), "4/code", "trimmed");
    let outcome = RunOutcome {
        new_refresh_token: Some(RefreshToken::new("fresh")),
        result: Err(AuthError::NoSessionCookies),
    };
    let Next::Finished(Err(AuthError::NoSessionCookies)) =
        plan.next(&mut store, &mut prompt, Some(outcome))
    else {
        panic!()
    };
    assert_eq!(asked, ["https://login"]);
    assert_eq!(
        store.token.unwrap().expose(),
        "fresh",
        "kept even though a later step failed"
    );
}

#[test]
fn plan_revoked_token_is_forgotten_and_a_code_asked_for() {
    let mut store = MemoryStore {
        token: Some(RefreshToken::new("revoked")),
        session: Some(Cookies::from_iter([("SAPISID", "old")])),
    };
    let mut plan = SignInPlan::new("u");
    let mut prompt = |_: &str| Some("c".to_string());
    let _ = plan.next(&mut store, &mut prompt, None);
    let refused = RunOutcome::from(Err(AuthError::InvalidGrant {
        description: String::new(),
    }));
    let Next::Run(Grant::AuthCode(_)) = plan.next(&mut store, &mut prompt, Some(refused)) else {
        panic!()
    };
    assert_eq!(store, MemoryStore::default(), "everything forgotten");
    let ok = RunOutcome {
        new_refresh_token: Some(RefreshToken::new("r2")),
        result: Ok(creds(Some("r2"))),
    };
    assert!(matches!(
        plan.next(&mut store, &mut prompt, Some(ok)),
        Next::Finished(Ok(_))
    ));
    assert_eq!(store.token.unwrap().expose(), "r2");
}

#[test]
fn plan_network_failure_keeps_the_token_and_does_not_prompt() {
    let mut store = MemoryStore {
        token: Some(RefreshToken::new("good")),
        session: None,
    };
    let mut plan = SignInPlan::new("u");
    let _ = plan.next(&mut store, &mut NoPrompt, None);
    let down = RunOutcome::from(Err(AuthError::Transport {
        stage: hangups_core::auth::Stage::Token,
        reason: "refused".into(),
    }));
    let Next::Finished(Err(e)) = plan.next(&mut store, &mut NoPrompt, Some(down)) else {
        panic!()
    };
    assert!(e.is_transient());
    assert_eq!(store.token.unwrap().expose(), "good");
    // Misuse after the end is an error, not a panic.
    assert!(matches!(
        plan.next(&mut MemoryStore::default(), &mut NoPrompt, None),
        Next::Finished(Err(AuthError::AlreadyStarted))
    ));
}

#[test]
fn no_token_and_no_prompt_is_a_sign_in_error() {
    let mut plan = SignInPlan::new("u");
    let Next::Finished(Err(e)) = plan.next(&mut MemoryStore::default(), &mut NoPrompt, None) else {
        panic!()
    };
    assert_eq!(e, AuthError::NoRefreshToken);
    assert!(e.is_sign_in_again());
    assert!(manual_login_instructions("https://x/").contains("oauth_code"));
}
