//! User OAuth (installed app) in the `ChatClient` machine, against a
//! scripted fake server on a virtual clock: the code exchange with the
//! PKCE verifier, the refresh token reported and then used, the cached
//! access token refreshed before expiry and after a 401, `invalid_grant`
//! as a bad refresh token.

mod chat_support;

use chat_support::{Req, Sim};
use hangups_core::auth::RefreshToken;
use hangups_core::chat::oauth::parse_redirect;
use hangups_core::chat::{
    ChatAuth, ChatConfig, ChatError, ChatEvent, ChatResponse, GetMessage, InstalledApp,
    MessageName, OAuthErrorCode, UserOAuth,
};
use hangups_core::client::ConnId;
use hangups_core::rng::Rng;
use serde_json::json;
use std::time::Duration;

const TOKEN_URI: &str = "http://127.0.0.1:9090/token";
const MSG: &str = r#"{"name":"spaces/S/messages/M","text":"hi"}"#;

fn app() -> InstalledApp {
    InstalledApp::new("cid.apps", &["chat.messages"])
        .with_secret("shh")
        .with_endpoints("http://127.0.0.1:9090/o/oauth2/auth", TOKEN_URI)
        .unwrap()
}

fn sim(user: UserOAuth) -> Sim {
    // No wall clock: user tokens need none.
    Sim::new(
        ChatConfig::new(ChatAuth::User(user))
            .with_url("http://127.0.0.1:8080")
            .unwrap()
            .with_rng_seed(7),
    )
}

fn get() -> GetMessage {
    GetMessage::new(MessageName::parse("spaces/S/messages/M").unwrap())
}

fn form(req: &Req) -> Vec<(String, String)> {
    String::from_utf8(req.body.clone())
        .unwrap()
        .split('&')
        .map(|p| {
            let (n, v) = p.split_once('=').unwrap();
            (n.to_string(), decode(v))
        })
        .collect()
}

fn decode(v: &str) -> String {
    let b = v.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' => {
                out.push(u8::from_str_radix(&v[i + 1..i + 3], 16).unwrap());
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

fn field<'a>(f: &'a [(String, String)], name: &str) -> Option<&'a str> {
    f.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
}

/// The next request, the token POST: its connection and form.
fn expect_token_post(sim: &mut Sim) -> (ConnId, Vec<(String, String)>) {
    let (conn, req) = sim.expect_request();
    assert_eq!((req.method.as_str(), req.path()), ("POST", "/token"));
    assert_eq!(sim.conns[&conn].port, 9090);
    assert_eq!(req.header("authorization"), None);
    let f = form(&req);
    assert_eq!(field(&f, "client_id"), Some("cid.apps"));
    assert_eq!(field(&f, "client_secret"), Some("shh"));
    (conn, f)
}

fn expect_api_call(sim: &mut Sim) -> (ConnId, String) {
    let (conn, req) = sim.expect_request();
    assert_eq!(sim.conns[&conn].port, 8080, "{req:?}");
    let auth = req.header("authorization").expect("a bearer").to_string();
    (conn, auth.strip_prefix("Bearer ").unwrap().to_string())
}

fn grant(sim: &mut Sim, conn: ConnId, token: &str, refresh: Option<&str>, expires_in: u64) {
    let mut body = json!({"access_token": token, "expires_in": expires_in, "token_type": "Bearer"});
    if let Some(r) = refresh {
        body["refresh_token"] = json!(r);
    }
    sim.respond(conn, 200, &[], &body.to_string());
}

#[test]
fn the_code_is_exchanged_then_the_refresh_token_is_used() {
    let app = app();
    let request = app.authorize("http://127.0.0.1:4711", None, &mut Rng::new(5));
    let line = format!("GET /?code=4%2Fcode&state={} HTTP/1.1", request.state);
    let code = parse_redirect(&line, &request.state).unwrap();
    let mut sim = sim(UserOAuth::from_code(app, code, &request));
    sim.chat.get(sim.now, get()).unwrap();
    let (conn, f) = expect_token_post(&mut sim);
    assert_eq!(field(&f, "grant_type"), Some("authorization_code"));
    assert_eq!(field(&f, "code"), Some("4/code"));
    assert_eq!(field(&f, "code_verifier"), Some(request.pkce.verifier()));
    assert_eq!(field(&f, "redirect_uri"), Some("http://127.0.0.1:4711"));
    assert!(sim.next_request().is_none(), "the call waits for the token");
    grant(&mut sim, conn, "ya29.one", Some("1//refresh"), 3600);
    let (api, bearer) = expect_api_call(&mut sim);
    assert_eq!(bearer, "ya29.one");
    sim.respond(api, 200, &[], MSG);
    let events = sim.take_events();
    assert!(
        events.contains(&ChatEvent::NewRefreshToken(RefreshToken::new("1//refresh"))),
        "{events:?}"
    );
    assert!(events.iter().any(|e| matches!(
        e,
        ChatEvent::Response {
            result: Ok(ChatResponse::Message(_)),
            ..
        }
    )));
    // Cached for 55 minutes, then refreshed with the refresh token.
    sim.advance(Duration::from_secs(54 * 60));
    sim.chat.get(sim.now, get()).unwrap();
    let (api, bearer) = expect_api_call(&mut sim);
    assert_eq!(bearer, "ya29.one", "the cached token");
    sim.respond(api, 200, &[], MSG);
    sim.advance(Duration::from_secs(2 * 60));
    sim.chat.get(sim.now, get()).unwrap();
    let (conn, f) = expect_token_post(&mut sim);
    assert_eq!(field(&f, "grant_type"), Some("refresh_token"));
    assert_eq!(field(&f, "refresh_token"), Some("1//refresh"));
    assert_eq!(field(&f, "code"), None);
    grant(&mut sim, conn, "ya29.two", None, 3600);
    let (api, bearer) = expect_api_call(&mut sim);
    assert_eq!(bearer, "ya29.two");
    sim.respond(api, 200, &[], MSG);
    let events = sim.take_events();
    assert!(
        !events
            .iter()
            .any(|e| matches!(e, ChatEvent::NewRefreshToken(_))),
        "no new refresh token: none reported"
    );
}

#[test]
fn a_401_refreshes_once_and_a_rotated_refresh_token_is_reported() {
    let mut sim = sim(UserOAuth::from_refresh_token(
        app(),
        RefreshToken::new("1//old"),
    ));
    sim.chat.get(sim.now, get()).unwrap();
    let (conn, f) = expect_token_post(&mut sim);
    assert_eq!(field(&f, "refresh_token"), Some("1//old"));
    grant(&mut sim, conn, "ya29.revoked", None, 3600);
    let (api, _) = expect_api_call(&mut sim);
    let unauth = r#"{"error":{"code":401,"message":"bad","status":"UNAUTHENTICATED"}}"#;
    sim.respond(api, 401, &[], unauth);
    let (conn, f) = expect_token_post(&mut sim);
    assert_eq!(field(&f, "grant_type"), Some("refresh_token"));
    grant(&mut sim, conn, "ya29.fresh", Some("1//rotated"), 3600);
    let (api, bearer) = expect_api_call(&mut sim);
    assert_eq!(bearer, "ya29.fresh");
    // A second 401 ends the call: one refresh per call.
    sim.respond(api, 401, &[], unauth);
    let events = sim.take_events();
    assert!(events.contains(&ChatEvent::NewRefreshToken(RefreshToken::new("1//rotated"))));
    assert!(
        events.iter().any(|e| matches!(
            e,
            ChatEvent::Response { result: Err(ChatError::Api(g)), .. } if g.code == 401
        )),
        "{events:?}"
    );
    assert!(sim.next_request().is_none());
    // The next refresh uses the rotated token.
    sim.chat.get(sim.now, get()).unwrap();
    let (api, _) = expect_api_call(&mut sim);
    sim.respond(api, 401, &[], unauth);
    let (_, f) = expect_token_post(&mut sim);
    assert_eq!(field(&f, "refresh_token"), Some("1//rotated"));
}

#[test]
fn invalid_grant_says_the_refresh_token_is_bad() {
    let mut sim = sim(UserOAuth::from_refresh_token(
        app(),
        RefreshToken::new("1//revoked"),
    ));
    sim.chat.get(sim.now, get()).unwrap();
    let (conn, _) = expect_token_post(&mut sim);
    sim.respond(
        conn,
        400,
        &[],
        r#"{"error":"invalid_grant","error_description":"Token has been expired or revoked."}"#,
    );
    let events = sim.take_events();
    let [ChatEvent::Response {
        result: Err(ChatError::BadRefreshToken(e)),
        ..
    }] = &events[..]
    else {
        panic!("{events:?}")
    };
    assert_eq!(e.code, OAuthErrorCode::InvalidGrant);
    assert!(e.description.contains("revoked"));
    assert!(sim.next_request().is_none());
}

#[test]
fn other_refusals_stay_token_errors() {
    let mut sim = sim(UserOAuth::from_refresh_token(
        app(),
        RefreshToken::new("1//r"),
    ));
    sim.chat.get(sim.now, get()).unwrap();
    let (conn, _) = expect_token_post(&mut sim);
    sim.respond(conn, 401, &[], r#"{"error":"invalid_client"}"#);
    let events = sim.take_events();
    assert!(
        matches!(
            &events[..],
            [ChatEvent::Response { result: Err(ChatError::Token(e)), .. }]
                if e.code == OAuthErrorCode::InvalidClient
        ),
        "{events:?}"
    );
}
