//! The sign-in machine (`hangups_core::auth::Login`) against scripted
//! responses: every step and every error.

use hangups_core::auth::*;
use hangups_core::client::{ConnId, Input, Output};
use std::time::{Duration, Instant};

const EMU: &str = "http://127.0.0.1:9";

fn emu() -> AuthConfig {
    AuthConfig::default().with_url(EMU).unwrap()
}

fn response(status: &str, headers: &[&str], body: &str) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status}\r\n");
    for h in headers {
        out.push_str(h);
        out.push_str("\r\n");
    }
    out.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
    out.into_bytes()
}

fn json(status: &str, body: &str) -> Vec<u8> {
    response(status, &["Content-Type: application/json"], body)
}

const COOKIES: [&str; 5] = [
    "SID=sid-secret; Domain=127.0.0.1; Path=/; Expires=Fri, 01-Jan-2100 00:00:00 GMT",
    "SAPISID=sapisid-secret; Domain=127.0.0.1; Path=/; Secure",
    "LSID=host-only-secret; Path=/; Secure; HttpOnly",
    // Not the server's to set: ignored (RFC 6265 §5.3).
    "OTHER=x; Domain=.example.org",
    // Google's domain, from 127.0.0.1: ignored too.
    "GOOGLE=x; Domain=.google.com",
];

/// Runs `login` against `replies`, one per request; returns each request
/// as text (head and body) and the events.
fn run(login: &mut Login, now: Instant, replies: &[Vec<u8>]) -> (Vec<String>, Vec<LoginEvent>) {
    let mut requests = Vec::new();
    let mut replies = replies.iter();
    let mut events = Vec::new();
    let mut open: Option<ConnId> = None;
    for _ in 0..100 {
        while let Some(ev) = login.poll_event() {
            events.push(ev);
        }
        match login.poll_output() {
            Some(Output::Connect { conn, .. }) => {
                open = Some(conn);
                login.handle_input(now, Input::Connected(conn));
            }
            Some(Output::Transmit { conn, bytes }) => {
                assert_eq!(Some(conn), open);
                requests.push(String::from_utf8(bytes).unwrap());
                match replies.next() {
                    Some(r) => login.handle_input(now, Input::Data(conn, r)),
                    None => login.handle_input(now, Input::Closed(conn)),
                }
            }
            Some(Output::Close { conn }) => assert_eq!(Some(conn), open),
            Some(other) => panic!("unexpected {other:?}"),
            None => break,
        }
    }
    (requests, events)
}

fn finished(events: Vec<LoginEvent>) -> Result<Credentials, AuthError> {
    match events.into_iter().last() {
        Some(LoginEvent::Finished(r)) => r,
        other => panic!("not finished: {other:?}"),
    }
}

fn happy_replies(token_json: &str) -> Vec<Vec<u8>> {
    vec![
        json("200 OK", token_json),
        response("200 OK", &[], "uber-secret\n"),
        response(
            "302 Found",
            &[
                &format!("Set-Cookie: {}", COOKIES[0]),
                &format!("Set-Cookie: {}", COOKIES[1]),
                &format!("Set-Cookie: {}", COOKIES[2]),
                &format!("Set-Cookie: {}", COOKIES[3]),
                "Location: http://www.google.com",
            ],
            "",
        ),
    ]
}

fn start(config: AuthConfig, grant: Grant) -> (Login, Instant) {
    let now = Instant::now();
    let mut login = Login::new(config, now, 1_700_000_000).unwrap();
    login.start(now, grant).unwrap();
    (login, now)
}

#[test]
fn login_url_is_hangups_one() {
    assert_eq!(
        AuthConfig::default().login_url(),
        "https://accounts.google.com/o/oauth2/programmatic_auth?scope=https%3A%2F%2Fwww.google.com%2Faccounts%2FOAuthLogin+https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fuserinfo.email&client_id=936475272427.apps.googleusercontent.com&device_name=hangups"
    );
    assert!(emu()
        .login_url()
        .starts_with("http://127.0.0.1:9/o/oauth2/programmatic_auth?scope="));
}

#[test]
fn refresh_token_to_cookies() {
    let (mut login, now) = start(emu(), Grant::RefreshToken("refresh/secret".into()));
    let (reqs, events) = run(
        &mut login,
        now,
        &happy_replies(r#"{"access_token":"access-secret","expires_in":3600}"#),
    );
    assert_eq!(
        reqs.len(),
        3,
        "the redirect off the allow-list is not followed"
    );
    assert!(reqs[0].starts_with("POST /o/oauth2/token HTTP/1.1\r\nHost: 127.0.0.1:9\r\n"));
    assert!(reqs[0].contains("user-agent: hangups-rs/"));
    assert!(reqs[0].contains("content-type: application/x-www-form-urlencoded\r\n"));
    assert!(reqs[0].ends_with(
        "\r\n\r\nclient_id=936475272427.apps.googleusercontent.com&client_secret=KWsJlkaMn1jGLxQpWxMnOox-&grant_type=refresh_token&refresh_token=refresh%2Fsecret"
    ));
    assert!(
        reqs[1].starts_with("GET /accounts/OAuthLogin?source=hangups&issueuberauth=1 HTTP/1.1\r\n")
    );
    assert!(reqs[1].contains("authorization: Bearer access-secret\r\n"));
    assert!(reqs[2].starts_with(
        "GET /MergeSession?service=mail&continue=http%3A%2F%2Fwww.google.com&uberauth=uber-secret HTTP/1.1\r\n"
    ));
    assert!(reqs[2].contains("authorization: Bearer access-secret\r\n"));
    assert!(!reqs[2].contains("cookie:"));
    assert_eq!(events.len(), 1);
    let creds = finished(events).unwrap();
    assert_eq!(
        creds.refresh_token,
        Some(RefreshToken::new("refresh/secret"))
    );
    assert_eq!(creds.access_token.expose(), "access-secret");
    assert_eq!(
        creds.cookies.iter().collect::<Vec<_>>(),
        [("SID", "sid-secret"), ("SAPISID", "sapisid-secret")]
    );
    assert!(login.is_finished());
    assert_eq!(login.poll_timeout(), None);
    let text = format!("{creds:?} {login:?}");
    for secret in [
        "refresh/secret",
        "access-secret",
        "sid-secret",
        "sapisid-secret",
        "uber-secret",
    ] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
}

#[test]
fn code_login_issues_a_refresh_token_first() {
    let (mut login, now) = start(emu(), Grant::AuthCode("4/code secret".into()));
    let (reqs, mut events) = run(
        &mut login,
        now,
        &happy_replies(
            r#"{"access_token":"a","refresh_token":"new-refresh","token_type":"Bearer"}"#,
        ),
    );
    assert!(reqs[0].ends_with(
        "client_id=936475272427.apps.googleusercontent.com&client_secret=KWsJlkaMn1jGLxQpWxMnOox-&code=4%2Fcode+secret&grant_type=authorization_code&redirect_uri=urn%3Aietf%3Awg%3Aoauth%3A2.0%3Aoob"
    ));
    assert_eq!(events.len(), 2);
    let Some(LoginEvent::NewRefreshToken(t)) = events.first() else {
        panic!("{events:?}")
    };
    assert_eq!(t.expose(), "new-refresh");
    let creds = finished(events.split_off(1)).unwrap();
    assert_eq!(creds.refresh_token.unwrap().expose(), "new-refresh");
}

#[test]
fn a_code_reply_without_refresh_token_is_malformed() {
    let (mut login, now) = start(emu(), Grant::AuthCode("c".into()));
    let (_, events) = run(
        &mut login,
        now,
        &[json("200 OK", r#"{"access_token":"a"}"#)],
    );
    let e = finished(events).unwrap_err();
    assert!(
        matches!(
            e,
            AuthError::Protocol {
                stage: Stage::Token,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn rotated_refresh_token_is_reported() {
    let (mut login, now) = start(emu(), Grant::RefreshToken("old".into()));
    let (_, events) = run(
        &mut login,
        now,
        &happy_replies(r#"{"access_token":"a","refresh_token":"rotated"}"#),
    );
    assert!(matches!(&events[0], LoginEvent::NewRefreshToken(t) if t.expose() == "rotated"));
}

#[test]
fn token_errors_are_sorted() {
    type Case = (Vec<u8>, fn(&AuthError) -> bool, bool, bool);
    let cases: Vec<Case> = vec![
        (
            json(
                "400 Bad Request",
                r#"{"error":"invalid_grant","error_description":"Token has been expired or revoked."}"#,
            ),
            |e| matches!(e, AuthError::InvalidGrant { description } if description.contains("revoked")),
            true,
            false,
        ),
        (
            json("200 OK", r#"{"error":"invalid_grant"}"#),
            |e| matches!(e, AuthError::InvalidGrant { .. }),
            true,
            false,
        ),
        (
            json("401 Unauthorized", r#"{"error":"invalid_client"}"#),
            |e| matches!(e, AuthError::TokenError { status: 401, error, .. } if error == "invalid_client"),
            false,
            false,
        ),
        (
            response("503 Service Unavailable", &[], "busy"),
            |e| {
                matches!(
                    e,
                    AuthError::Http {
                        stage: Stage::Token,
                        status: 503,
                        ..
                    }
                )
            },
            false,
            true,
        ),
        (
            json("200 OK", r#"{"token_type":"Bearer"}"#),
            |e| {
                matches!(
                    e,
                    AuthError::Protocol {
                        stage: Stage::Token,
                        ..
                    }
                )
            },
            false,
            false,
        ),
        (
            json("200 OK", "<html>"),
            |e| {
                matches!(
                    e,
                    AuthError::Protocol {
                        stage: Stage::Token,
                        ..
                    }
                )
            },
            false,
            false,
        ),
        (
            b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n".to_vec(),
            |e| {
                matches!(
                    e,
                    AuthError::Protocol {
                        stage: Stage::Token,
                        ..
                    }
                )
            },
            false,
            false,
        ),
    ];
    for (reply, check, sign_in, transient) in cases {
        let (mut login, now) = start(emu(), Grant::RefreshToken("t".into()));
        let (reqs, events) = run(&mut login, now, &[reply]);
        assert_eq!(reqs.len(), 1);
        let e = finished(events).unwrap_err();
        assert!(check(&e), "{e:?}");
        assert_eq!(e.is_sign_in_again(), sign_in, "{e:?}");
        assert_eq!(e.is_transient(), transient, "{e:?}");
        assert!(!e.to_string().contains('t') || !e.to_string().contains("=t"));
    }
}

#[test]
fn oauth_login_and_merge_session_errors() {
    let token = json("200 OK", r#"{"access_token":"a"}"#);
    type Case = (Vec<Vec<u8>>, fn(&AuthError) -> bool);
    let cases: Vec<Case> = vec![
        (
            vec![token.clone(), response("401 Unauthorized", &[], "no")],
            |e| {
                matches!(
                    e,
                    AuthError::Http {
                        stage: Stage::OAuthLogin,
                        status: 401,
                        ..
                    }
                )
            },
        ),
        (vec![token.clone(), response("200 OK", &[], " \n")], |e| {
            matches!(
                e,
                AuthError::Protocol {
                    stage: Stage::OAuthLogin,
                    ..
                }
            )
        }),
        (
            vec![
                token.clone(),
                response("200 OK", &[], "u"),
                response("500 Internal Server Error", &[], ""),
            ],
            |e| {
                matches!(
                    e,
                    AuthError::Http {
                        stage: Stage::MergeSession,
                        status: 500,
                        ..
                    }
                )
            },
        ),
        (
            vec![
                token.clone(),
                response("200 OK", &[], "u"),
                response("200 OK", &["Set-Cookie: SID=1; Domain=127.0.0.1"], ""),
            ],
            |e| matches!(e, AuthError::NoSessionCookies),
        ),
        (
            vec![
                token.clone(),
                response("200 OK", &[], "u"),
                response("200 OK", &["Set-Cookie: SAPISID=1"], ""),
            ],
            |e| matches!(e, AuthError::NoSessionCookies),
        ),
        (vec![token.clone(), response("200 OK", &[], "u")], |e| {
            matches!(
                e,
                AuthError::Transport {
                    stage: Stage::MergeSession,
                    ..
                }
            )
        }),
    ];
    for (replies, check) in cases {
        let (mut login, now) = start(emu(), Grant::RefreshToken("t".into()));
        let (_, events) = run(&mut login, now, &replies);
        let e = finished(events).unwrap_err();
        assert!(check(&e), "{e:?}");
        assert!(!e.is_sign_in_again());
    }
}

#[test]
fn start_from_an_access_token() {
    let (mut login, now) = start(emu(), Grant::AccessToken("acc".into()));
    let replies = happy_replies("unused");
    let (reqs, events) = run(&mut login, now, &replies[1..]);
    assert!(reqs[0].starts_with("GET /accounts/OAuthLogin?"));
    let creds = finished(events).unwrap();
    assert_eq!(creds.refresh_token, None);
}

#[test]
fn redirects_followed_on_the_merge_session_origin_only() {
    let (mut login, now) = start(AuthConfig::default(), Grant::AccessToken("acc".into()));
    let replies = vec![
        response("200 OK", &[], "u"),
        response(
            "302 Found",
            &[
                "Set-Cookie: SAPISID=s; Domain=.google.com; Secure",
                "Set-Cookie: SID=i; Domain=.google.com",
                "Location: /CheckCookie?continue=x",
            ],
            "",
        ),
        response(
            "302 Found",
            &[
                "Set-Cookie: NID=n; Domain=.google.com",
                "Location: http://www.google.com/",
            ],
            "",
        ),
        response("302 Found", &["Location: https://evil.example/steal"], ""),
    ];
    let (reqs, events) = run(&mut login, now, &replies);
    assert_eq!(
        reqs.len(),
        3,
        "the hop to http://www.google.com (another origin) is not followed"
    );
    assert!(reqs[2]
        .starts_with("GET /CheckCookie?continue=x HTTP/1.1\r\nHost: accounts.google.com\r\n"));
    assert!(reqs[2].contains("authorization: Bearer acc\r\n"));
    assert!(reqs[2].contains("cookie: SAPISID=s; SID=i\r\n"));
    let creds = finished(events).unwrap();
    assert_eq!(
        creds.cookies.iter().map(|(n, _)| n).collect::<Vec<_>>(),
        ["SAPISID", "SID", "NID"]
    );
}

#[test]
fn redirect_loops_end() {
    let config = AuthConfig {
        max_redirects: 2,
        ..AuthConfig::default()
    };
    let (mut login, now) = start(config, Grant::AccessToken("acc".into()));
    let hop = response(
        "302 Found",
        &[
            "Set-Cookie: SAPISID=s; Domain=google.com",
            "Location: /again",
        ],
        "",
    );
    let replies = vec![response("200 OK", &[], "u"), hop.clone(), hop.clone(), hop];
    let (reqs, events) = run(&mut login, now, &replies);
    assert_eq!(reqs.len(), 4);
    assert!(finished(events).is_ok());
}

#[test]
fn transport_failures_and_timeouts() {
    // The connection cannot be opened.
    let now = Instant::now();
    let mut login = Login::new(emu(), now, 0).unwrap().with_first_conn_id(1000);
    login.start(now, Grant::RefreshToken("t".into())).unwrap();
    let Some(Output::Connect { conn, .. }) = login.poll_output() else {
        panic!()
    };
    assert_eq!(conn, ConnId(1000));
    login.handle_input(now, Input::Closed(ConnId(7))); // not ours: ignored
    assert!(login.poll_event().is_none());
    login.handle_input(now, Input::Closed(conn));
    let Some(LoginEvent::Finished(Err(e))) = login.poll_event() else {
        panic!()
    };
    assert!(
        matches!(
            e,
            AuthError::Transport {
                stage: Stage::Token,
                ..
            }
        ) && e.is_transient()
    );

    // No answer within the timeout.
    let (mut login, now) = start(emu(), Grant::RefreshToken("t".into()));
    let Some(Output::Connect { conn, .. }) = login.poll_output() else {
        panic!()
    };
    login.handle_input(now, Input::Connected(conn));
    let _ = login.poll_output();
    let deadline = login.poll_timeout().unwrap();
    assert_eq!(deadline, now + Duration::from_secs(30));
    login.handle_timeout(now + Duration::from_secs(29));
    assert!(login.poll_event().is_none());
    login.handle_input(
        now + Duration::from_secs(29),
        Input::Data(conn, b"HTTP/1.1 200"),
    );
    login.handle_timeout(now + Duration::from_secs(31));
    assert!(login.poll_event().is_none(), "data re-arms the deadline");
    login.handle_timeout(now + Duration::from_secs(60));
    assert!(matches!(login.poll_output(), Some(Output::Close { conn: c }) if c == conn));
    assert!(matches!(
        login.poll_event(),
        Some(LoginEvent::Finished(Err(AuthError::Transport { .. })))
    ));

    // A body read until the connection closes.
    let (mut login, now) = start(emu(), Grant::RefreshToken("t".into()));
    let Some(Output::Connect { conn, .. }) = login.poll_output() else {
        panic!()
    };
    login.handle_input(now, Input::Connected(conn));
    let _ = login.poll_output();
    login.handle_input(
        now,
        Input::Data(
            conn,
            b"HTTP/1.1 400 Bad\r\n\r\n{\"error\":\"invalid_grant\"}",
        ),
    );
    login.handle_input(now, Input::Closed(conn));
    assert!(matches!(
        login.poll_event(),
        Some(LoginEvent::Finished(Err(AuthError::InvalidGrant { .. })))
    ));
}

#[test]
fn oversized_bodies_are_refused() {
    let mut config = emu();
    config.max_body = 10;
    let (mut login, now) = start(config, Grant::RefreshToken("t".into()));
    let (_, events) = run(
        &mut login,
        now,
        &[json("200 OK", r#"{"access_token":"aaaaaaaa"}"#)],
    );
    assert!(matches!(
        finished(events),
        Err(AuthError::Protocol {
            stage: Stage::Token,
            ..
        })
    ));
}

#[test]
fn configuration_is_checked() {
    let now = Instant::now();
    let config = AuthConfig {
        token_url: "https://evil.example/token".into(),
        ..AuthConfig::default()
    };
    assert!(matches!(
        Login::new(config, now, 0),
        Err(AuthError::Config(_))
    ));
    let config = AuthConfig {
        merge_session_url: "not a url".into(),
        ..AuthConfig::default()
    };
    assert!(matches!(
        Login::new(config, now, 0),
        Err(AuthError::Config(_))
    ));
    assert!(AuthConfig::default().with_url("ftp://x").is_err());
    let v6 = AuthConfig::default()
        .with_url("https://[::1]:8443")
        .unwrap();
    assert_eq!(v6.token_url, "https://[::1]:8443/o/oauth2/token");
    assert!(Login::new(v6, now, 0).is_ok());
    let mut login = Login::new(emu(), now, 0).unwrap();
    login.start(now, Grant::AuthCode("c".into())).unwrap();
    assert_eq!(
        login.start(now, Grant::AuthCode("c".into())),
        Err(AuthError::AlreadyStarted)
    );
}

#[test]
fn error_messages_never_hold_secrets() {
    let (mut login, now) = start(emu(), Grant::RefreshToken("refresh-secret".into()));
    let (_, events) = run(
        &mut login,
        now,
        &[json("400 Bad Request", r#"{"error":"invalid_grant"}"#)],
    );
    let e = finished(events).unwrap_err();
    assert_eq!(
        e.to_string(),
        "Token request error: 'invalid_grant' (); sign in again"
    );
    assert_eq!(
        AuthError::NoRefreshToken.to_string(),
        "Refresh token not found"
    );
    assert!(AuthError::NoAuthCode.is_sign_in_again());
}
