//! Credentials scoped by origin (scheme, host and port), deterministically:
//! the client, the image upload and the sign-in machine against scripted
//! servers, no sockets. A listener on another port of an allowed host gets
//! nothing, plain-HTTP Google hosts get nothing, a MergeSession redirect
//! off its origin gets neither the Bearer token nor a cookie, and a
//! configured server URL replaces Google's allow-list.

mod support;

use hangups_core::api::{Origin, OriginAllowList, UploadError};
use hangups_core::auth::{AuthConfig, AuthError, CookieJar, Grant, Login, LoginEvent};
use hangups_core::client::{Client, Config, ConfigError, Event, Input, Output};
use std::time::Instant;
use support::*;

// ---- the client and the image upload ----

/// Starts an upload on `sim` and answers its session request with
/// `put_url`; returns the events.
fn upload_pointing_at(sim: &mut Sim, put_url: &str) -> Vec<Event> {
    sim.client
        .upload_image(sim.now, "x.png", vec![1, 2, 3])
        .unwrap();
    sim.drain();
    let (c1, req) = sim.next_request();
    assert!(
        req.header("cookie").is_some() && req.header("authorization").is_some(),
        "the session request to the configured origin carries the credentials"
    );
    let session = serde_json::json!({"sessionStatus": {"externalFieldTransfers": [
        {"putInfo": {"url": put_url}}]}});
    sim.send(c1, &response(200, "OK", session.to_string().as_bytes()));
    sim.take_events()
}

fn assert_refused(events: &[Event], origin: &str) {
    match events {
        [Event::ImageUploaded {
            result: Err(UploadError::HostNotAllowed { host }),
            ..
        }] => assert_eq!(host, origin),
        other => panic!("not refused: {other:?}"),
    }
}

#[test]
fn an_upload_url_on_another_port_of_the_emulator_gets_nothing() {
    for (url, origin) in [
        (
            "http://127.0.0.1:8081/upload/put/1",
            "http://127.0.0.1:8081",
        ),
        (
            "https://127.0.0.1:8080/upload/put/1",
            "https://127.0.0.1:8080",
        ),
        ("http://127.0.0.1/upload/put/1", "http://127.0.0.1"),
    ] {
        let mut sim = Sim::new(config());
        let events = upload_pointing_at(&mut sim, url);
        assert!(sim.pending.is_empty(), "{url}: a connection was opened");
        assert!(
            sim.conns.values().all(|c| c.port == 8080 && !c.tls),
            "{url}: {:?}",
            sim.conns
                .values()
                .map(|c| (c.port, c.tls))
                .collect::<Vec<_>>()
        );
        assert_refused(&events, origin);
    }
}

#[test]
fn an_upload_url_on_the_emulators_own_origin_gets_the_credentials() {
    let mut sim = Sim::new(config());
    let events = upload_pointing_at(&mut sim, "http://127.0.0.1:8080/upload/put/1");
    assert!(events.is_empty(), "{events:?}");
    let (_, put) = sim.next_request();
    assert_eq!(put.path(), "/upload/put/1");
    assert_eq!(
        put.header("cookie"),
        Some("SAPISID=abc; SID=sid-cookie; HSID=h")
    );
    assert!(put.header("authorization").is_some());
}

#[test]
fn plain_http_or_another_port_of_a_google_host_gets_nothing() {
    for (url, origin) in [
        (
            "http://docs.google.com/upload/photos/resumable?upload_id=1",
            "http://docs.google.com",
        ),
        (
            "http://docs.google.com:443/upload",
            "http://docs.google.com:443",
        ),
        (
            "https://docs.google.com:8443/upload",
            "https://docs.google.com:8443",
        ),
    ] {
        let mut sim = Sim::new(Config::new(cookies()));
        let events = upload_pointing_at(&mut sim, url);
        assert!(sim.pending.is_empty(), "{url}: a connection was opened");
        assert_refused(&events, origin);
    }
    // The configured servers too: refused before anything is sent.
    for (role, tls, port) in [
        ("channel", false, 80),
        ("api", false, 443),
        ("api", true, 8443),
    ] {
        let mut cfg = Config::new(cookies());
        let ep = hangups_core::api::ApiEndpoint::new("chat-pa.clients6.google.com", port, tls);
        let origin = ep.origin().to_string();
        if role == "api" {
            cfg.api = ep;
        } else {
            cfg.channel = ep;
        }
        match Client::new(cfg, Instant::now(), UNIX_SECS) {
            Err(ConfigError::HostNotAllowed { role: r, host }) => {
                assert_eq!((r, host), (role, origin))
            }
            other => panic!("{role} {origin}: {other:?}"),
        }
    }
}

#[test]
fn a_configured_url_replaces_the_google_allow_list() {
    let cfg = Config::new(cookies())
        .with_url("http://127.0.0.1:8080")
        .unwrap();
    assert_eq!(
        cfg.allow_list,
        OriginAllowList::only(Origin::new(false, "127.0.0.1", 8080))
    );
    for origin in [
        Origin::https("x.google.com"),
        Origin::https("chat-pa.clients6.google.com"),
        Origin::https("docs.google.com"),
        Origin::new(false, "127.0.0.1", 8081),
    ] {
        assert!(!cfg.allow_list.allows(&origin), "{origin}");
    }
    // So a Google server left in the configuration is refused.
    let mut google_api = cfg.clone();
    google_api.api = hangups_core::api::ApiEndpoint::google();
    assert!(matches!(
        Client::new(google_api, Instant::now(), UNIX_SECS),
        Err(ConfigError::HostNotAllowed { role: "api", .. })
    ));
    // And an upload URL on Google's upload host gets nothing.
    let mut cfg = cfg;
    cfg.reuse_connections = false;
    let mut sim = Sim::new(cfg);
    let events = upload_pointing_at(&mut sim, "https://docs.google.com/upload?upload_id=1");
    assert!(sim.pending.is_empty());
    assert_refused(&events, "https://docs.google.com");
    // IPv6 and TLS emulator URLs: that origin alone.
    let v6 = Config::new(cookies())
        .with_url("https://[::1]:8443")
        .unwrap();
    assert!(v6.allow_list.allows(&Origin::new(true, "::1", 8443)));
    assert!(!v6.allow_list.allows(&Origin::new(false, "::1", 8443)));
    assert!(!v6.allow_list.allows(&Origin::https("x.google.com")));

    let auth = AuthConfig::default()
        .with_url("http://127.0.0.1:8080")
        .unwrap();
    assert_eq!(
        auth.allow_list,
        OriginAllowList::only(Origin::new(false, "127.0.0.1", 8080))
    );
    assert!(!auth.allow_list.allows(&Origin::https("x.google.com")));
    assert!(!auth
        .allow_list
        .allows(&Origin::https("accounts.google.com")));
}

#[test]
fn every_channel_and_api_request_goes_to_the_configured_origin() {
    let mut sim = Sim::new(config());
    sim.client.connect(sim.now);
    sim.drain();
    let (_, req) = sim.next_request();
    assert!(req.header("cookie").is_some(), "positive control");
    assert!(sim
        .conns
        .values()
        .all(|c| c.host == "127.0.0.1" && c.port == 8080 && !c.tls));
}

// ---- the cookie jar ----

#[test]
fn secure_cookies_only_go_over_tls() {
    let mut jar = CookieJar::new();
    jar.store(
        "accounts.google.com",
        "SAPISID=s; Domain=.google.com; Secure",
        0,
    );
    jar.store("accounts.google.com", "LSID=l; Secure", 0);
    jar.store("accounts.google.com", "SID=i; Domain=.google.com", 0);
    assert_eq!(
        jar.header_for("accounts.google.com", true).as_deref(),
        Some("SAPISID=s; LSID=l; SID=i")
    );
    assert_eq!(
        jar.header_for("accounts.google.com", false).as_deref(),
        Some("SID=i")
    );
    assert_eq!(
        jar.header_for("www.google.com", false).as_deref(),
        Some("SID=i")
    );
}

// ---- the sign-in machine ----

/// What the sign-in machine did: each connection it asked for, and each
/// request it wrote (as text).
struct LoginRun {
    connects: Vec<Origin>,
    requests: Vec<String>,
    result: Option<Result<hangups_core::auth::Credentials, AuthError>>,
}

fn run_login(config: AuthConfig, replies: &[Vec<u8>]) -> LoginRun {
    let now = Instant::now();
    let mut login = Login::new(config, now, 1_700_000_000).unwrap();
    login
        .start(now, Grant::AccessToken("bearer-secret".into()))
        .unwrap();
    let mut run = LoginRun {
        connects: Vec::new(),
        requests: Vec::new(),
        result: None,
    };
    let mut replies = replies.iter();
    for _ in 0..100 {
        while let Some(ev) = login.poll_event() {
            if let LoginEvent::Finished(r) = ev {
                run.result = Some(r);
            }
        }
        match login.poll_output() {
            Some(Output::Connect {
                conn,
                host,
                port,
                tls,
                ..
            }) => {
                run.connects.push(Origin::new(tls, &host, port));
                login.handle_input(now, Input::Connected(conn));
            }
            Some(Output::Transmit { conn, bytes }) => {
                run.requests.push(String::from_utf8(bytes).unwrap());
                match replies.next() {
                    Some(r) => login.handle_input(now, Input::Data(conn, r)),
                    None => login.handle_input(now, Input::Closed(conn)),
                }
            }
            Some(Output::Close { .. }) => {}
            Some(other) => panic!("unexpected {other:?}"),
            None => break,
        }
    }
    run
}

fn http(status: &str, headers: &[&str]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\n");
    for h in headers {
        out.push_str(h);
        out.push_str("\r\n");
    }
    out.push_str("Content-Length: 0\r\n\r\n");
    out.into_bytes()
}

fn uberauth() -> Vec<u8> {
    b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nuber".to_vec()
}

/// MergeSession's reply: the session cookies and a redirect to `location`.
fn merge_session(domain: &str, location: &str) -> Vec<u8> {
    http(
        "302 Found",
        &[
            &format!("Set-Cookie: SAPISID=sapisid-secret; Domain={domain}; Secure"),
            &format!("Set-Cookie: SID=sid-secret; Domain={domain}"),
            &format!("Location: {location}"),
        ],
    )
}

fn assert_no_secret(run: &LoginRun, after: usize) {
    for req in &run.requests[after..] {
        for secret in [
            "bearer-secret",
            "sid-secret",
            "sapisid-secret",
            "authorization",
            "cookie",
        ] {
            assert!(!req.contains(secret), "{secret} in {req}");
        }
    }
}

#[test]
fn a_merge_session_redirect_to_another_port_is_not_followed() {
    let emu = AuthConfig::default()
        .with_url("http://127.0.0.1:8080")
        .unwrap();
    for location in [
        "http://127.0.0.1:8081/steal",  // another port of the same host
        "https://127.0.0.1:8080/steal", // the other scheme on the same port
        "http://127.0.0.1/steal",       // the default port
        "http://localhost:8080/steal",  // another name for the host
    ] {
        let run = run_login(
            emu.clone(),
            &[uberauth(), merge_session("127.0.0.1", location)],
        );
        let here = Origin::new(false, "127.0.0.1", 8080);
        assert_eq!(
            run.connects,
            [here.clone(), here],
            "{location}: not followed"
        );
        assert_eq!(run.requests.len(), 2);
        let creds = run.result.expect("finished").expect("signed in");
        assert_eq!(
            creds.cookies.iter().collect::<Vec<_>>(),
            [("SAPISID", "sapisid-secret"), ("SID", "sid-secret")],
            "ended with the cookies gathered so far"
        );
    }
}

#[test]
fn a_merge_session_redirect_off_googles_origin_is_not_followed() {
    for location in [
        "http://accounts.google.com/CheckCookie", // plain HTTP, same host
        "https://accounts.google.com:8443/CheckCookie", // another port
        "https://www.google.com/",                // another allowed origin: no Bearer, no cookie
        "http://www.google.com",                  // hangups' `continue`
        "//evil.example/x",
        "https://evil.example/x",
    ] {
        let run = run_login(
            AuthConfig::default(),
            &[uberauth(), merge_session(".google.com", location)],
        );
        assert_eq!(
            run.connects,
            [
                Origin::https("accounts.google.com"),
                Origin::https("accounts.google.com")
            ],
            "{location}"
        );
        assert_no_secret(&run, 2);
        assert!(run.result.expect("finished").is_ok(), "{location}");
    }
}

#[test]
fn a_redirect_on_the_merge_session_origin_keeps_the_bearer_and_cookies() {
    let run = run_login(
        AuthConfig::default(),
        &[
            uberauth(),
            merge_session(
                ".google.com",
                "https://Accounts.Google.com:443/CheckCookie?x=1",
            ),
            http("302 Found", &["Location: /again"]),
            http(
                "302 Found",
                &["Location: https://accounts.google.com:444/x"],
            ),
        ],
    );
    assert_eq!(run.connects, vec![Origin::https("accounts.google.com"); 4]);
    for req in &run.requests[1..] {
        assert!(
            req.contains("authorization: Bearer bearer-secret\r\n"),
            "{req}"
        );
    }
    assert!(run.requests[2]
        .starts_with("GET /CheckCookie?x=1 HTTP/1.1\r\nHost: accounts.google.com\r\n"));
    assert!(run.requests[2].contains("cookie: SAPISID=sapisid-secret; SID=sid-secret\r\n"));
    assert!(run.requests[3].starts_with("GET /again HTTP/1.1\r\n"));
    assert!(run.result.expect("finished").is_ok());
}

#[test]
fn the_bearer_only_goes_to_configured_allowed_origins() {
    let now = Instant::now();
    // The default list: plain HTTP or another port of Google's hosts is
    // refused up front, before any token is sent.
    for (field, url) in [
        ("token", "http://accounts.google.com/o/oauth2/token"),
        (
            "oauth_login",
            "http://accounts.google.com/accounts/OAuthLogin",
        ),
        (
            "merge_session",
            "https://accounts.google.com:8443/MergeSession",
        ),
    ] {
        let mut config = AuthConfig::default();
        match field {
            "token" => config.token_url = url.into(),
            "oauth_login" => config.oauth_login_url = url.into(),
            _ => config.merge_session_url = url.into(),
        }
        match Login::new(config, now, 0) {
            Err(AuthError::Config(why)) => assert!(why.contains("not on the allow-list"), "{why}"),
            other => panic!("{url}: {other:?}"),
        }
    }
    // With an emulator URL: only that origin, not Google's, not another port.
    for url in [
        "https://accounts.google.com/accounts/OAuthLogin",
        "http://127.0.0.1:8081/accounts/OAuthLogin",
    ] {
        let mut config = AuthConfig::default()
            .with_url("http://127.0.0.1:8080")
            .unwrap();
        config.oauth_login_url = url.into();
        assert!(
            matches!(Login::new(config, now, 0), Err(AuthError::Config(_))),
            "{url}"
        );
    }
}
