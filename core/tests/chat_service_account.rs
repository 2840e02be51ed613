//! Service-account sign-in in the `ChatClient` machine, against a
//! scripted fake server on a virtual clock with a fake signer: the token
//! POST and its JWT, the cached token, refresh before expiry and after a
//! 401, OAuth refusals as typed errors, held calls, self-signed mode.

mod chat_support;

use base64::Engine as _;
use chat_support::{Req, Sim};
use hangups_core::chat::{
    ChatAuth, ChatClient, ChatConfig, ChatError, ChatEvent, ChatResponse, CreateMessage,
    GetMessage, InvalidRequest, MessageName, OAuthErrorCode, ServiceAccount, ServiceAccountKey,
    SignError, Signer, SpaceName, CHAT_BOT_SCOPE,
};
use hangups_core::client::ConnId;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const UNIX: u64 = 1_800_000_000;
const EMAIL: &str = "app@proj.iam.gserviceaccount.com";
const TOKEN_URI: &str = "http://127.0.0.1:9090/token";
const SIG: &[u8] = b"fake-signature";
const MSG: &str = r#"{"name":"spaces/S/messages/M","text":"hi"}"#;
/// A PEM whose body is a DER SEQUENCE (the fake signer never parses it).
const PEM: &str = "-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEA\n-----END PRIVATE KEY-----\n";

/// Signs with fixed bytes and remembers what it signed.
#[derive(Default)]
struct FakeSigner {
    signed: Mutex<Vec<Vec<u8>>>,
    fail: bool,
}

impl Signer for FakeSigner {
    fn sign_rs256(&self, message: &[u8]) -> Result<Vec<u8>, SignError> {
        if self.fail {
            return Err(SignError("no key".into()));
        }
        self.signed.lock().unwrap().push(message.to_vec());
        Ok(SIG.to_vec())
    }
}

fn key() -> ServiceAccountKey {
    ServiceAccountKey::from_json(
        &json!({
            "type": "service_account",
            "project_id": "proj",
            "private_key_id": "kid-1",
            "private_key": PEM,
            "client_email": EMAIL,
            "token_uri": TOKEN_URI,
        })
        .to_string(),
    )
    .unwrap()
}

fn account(signer: Arc<FakeSigner>) -> ServiceAccount {
    ServiceAccount::new(key(), &["chat.bot", "chat.app.messages.readonly"], signer)
}

fn config(sa: ServiceAccount) -> ChatConfig {
    ChatConfig::new(ChatAuth::ServiceAccount(sa))
        .with_url("http://127.0.0.1:8080")
        .unwrap()
        .with_rng_seed(7)
}

fn sim(sa: ServiceAccount) -> Sim {
    Sim::with_wall_clock(config(sa), UNIX)
}

fn get() -> GetMessage {
    GetMessage::new(MessageName::parse("spaces/S/messages/M").unwrap())
}

fn b64(part: &str) -> Vec<u8> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part)
        .expect("base64url")
}

/// The header, claims and signature of a JWT.
fn decode_jwt(jwt: &str) -> (Value, Value, Vec<u8>) {
    let parts: Vec<&str> = jwt.split('.').collect();
    assert_eq!(parts.len(), 3, "{jwt}");
    (
        serde_json::from_slice(&b64(parts[0])).unwrap(),
        serde_json::from_slice(&b64(parts[1])).unwrap(),
        b64(parts[2]),
    )
}

fn form(req: &Req) -> Vec<(String, String)> {
    String::from_utf8(req.body.clone())
        .unwrap()
        .split('&')
        .map(|p| {
            let (n, v) = p.split_once('=').unwrap();
            (n.to_string(), v.replace("%3A", ":"))
        })
        .collect()
}

/// Takes the next request, which must be the token POST; its JWT claims.
fn expect_token_post(sim: &mut Sim) -> (ConnId, Value) {
    let (conn, claims, _) = expect_token_jwt(sim);
    (conn, claims)
}

/// The token POST's connection, JWT claims and JWT.
fn expect_token_jwt(sim: &mut Sim) -> (ConnId, Value, String) {
    let (conn, req) = sim.expect_request();
    assert_eq!((req.method.as_str(), req.path()), ("POST", "/token"));
    assert_eq!(sim.conns[&conn].port, 9090, "to the token_uri's origin");
    assert_eq!(
        req.header("authorization"),
        None,
        "no bearer on the token POST"
    );
    assert_eq!(
        req.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    let f = form(&req);
    assert_eq!(f[0].0, "grant_type");
    assert_eq!(f[0].1, "urn:ietf:params:oauth:grant-type:jwt-bearer");
    assert_eq!(f[1].0, "assertion");
    let (header, claims, sig) = decode_jwt(&f[1].1);
    assert_eq!(
        header,
        json!({"alg": "RS256", "typ": "JWT", "kid": "kid-1"})
    );
    assert_eq!(sig, SIG);
    (conn, claims, f[1].1.clone())
}

fn grant(sim: &mut Sim, conn: ConnId, token: &str, expires_in: u64) {
    let body = json!({"access_token": token, "expires_in": expires_in, "token_type": "Bearer"});
    sim.respond(conn, 200, &[], &body.to_string());
}

/// Takes the next request, an API call; its bearer token.
fn expect_api_call(sim: &mut Sim) -> (ConnId, String) {
    let (conn, req) = sim.expect_request();
    assert_eq!(sim.conns[&conn].port, 8080, "{req:?}");
    assert!(req.path().starts_with("/v1/spaces/S"), "{req:?}");
    let auth = req.header("authorization").expect("a bearer").to_string();
    (
        conn,
        auth.strip_prefix("Bearer ").expect("Bearer …").to_string(),
    )
}

fn results(sim: &mut Sim) -> Vec<Result<ChatResponse, ChatError>> {
    sim.take_events()
        .into_iter()
        .filter_map(|e| match e {
            ChatEvent::Response { result, .. } => Some(result),
            _ => None,
        })
        .collect()
}

#[test]
fn the_jwt_claims_are_right_and_the_token_is_reused() {
    let signer = Arc::new(FakeSigner::default());
    let mut sim = sim(account(signer.clone()));
    sim.chat.get(sim.now, get()).unwrap();
    let (conn, claims, jwt) = expect_token_jwt(&mut sim);
    assert_eq!(
        claims,
        json!({
            "iss": EMAIL,
            "scope": format!("{CHAT_BOT_SCOPE} https://www.googleapis.com/auth/chat.app.messages.readonly"),
            "aud": TOKEN_URI,
            "iat": UNIX,
            "exp": UNIX + 3600,
        })
    );
    // The signature covers exactly `header.claims`.
    let signed = signer.signed.lock().unwrap()[0].clone();
    assert_eq!(
        Some(signed.as_slice()),
        jwt.rsplit_once('.').map(|(m, _)| m.as_bytes())
    );
    assert!(sim.next_request().is_none(), "the call waits for the token");
    grant(&mut sim, conn, "ya29.first", 3599);
    let (api, bearer) = expect_api_call(&mut sim);
    assert_eq!(bearer, "ya29.first");
    sim.respond(api, 200, &[], MSG);
    assert!(matches!(
        results(&mut sim)[..],
        [Ok(ChatResponse::Message(_))]
    ));
    sim.advance(Duration::from_secs(600));
    sim.chat.get(sim.now, get()).unwrap();
    let (api, bearer) = expect_api_call(&mut sim);
    assert_eq!(bearer, "ya29.first", "the cached token");
    sim.respond(api, 200, &[], MSG);
    assert_eq!(results(&mut sim).len(), 1);
    assert_eq!(signer.signed.lock().unwrap().len(), 1, "signed once");
}

#[test]
fn the_token_is_refreshed_five_minutes_before_it_expires() {
    let mut sim = sim(account(Arc::new(FakeSigner::default())));
    sim.chat.get(sim.now, get()).unwrap();
    let (conn, _) = expect_token_post(&mut sim);
    grant(&mut sim, conn, "ya29.first", 3600);
    let (api, _) = expect_api_call(&mut sim);
    sim.respond(api, 200, &[], MSG);
    // 54 minutes on: still the first token.
    sim.advance(Duration::from_secs(54 * 60));
    sim.chat.get(sim.now, get()).unwrap();
    let (api, bearer) = expect_api_call(&mut sim);
    assert_eq!(bearer, "ya29.first");
    sim.respond(api, 200, &[], MSG);
    // 56 minutes on: within 5 minutes of expiry, a new one.
    sim.advance(Duration::from_secs(2 * 60));
    sim.chat.get(sim.now, get()).unwrap();
    let (conn, claims) = expect_token_post(&mut sim);
    assert_eq!(
        claims["iat"],
        json!(UNIX + 56 * 60),
        "iat from Instant deltas"
    );
    assert_eq!(claims["exp"], json!(UNIX + 56 * 60 + 3600));
    grant(&mut sim, conn, "ya29.second", 3600);
    let (api, bearer) = expect_api_call(&mut sim);
    assert_eq!(bearer, "ya29.second");
    sim.respond(api, 200, &[], MSG);
    assert_eq!(results(&mut sim).len(), 3);
}

#[test]
fn a_short_lived_token_is_not_refetched_in_a_loop() {
    let mut sim = sim(account(Arc::new(FakeSigner::default())));
    sim.chat.get(sim.now, get()).unwrap();
    let (conn, _) = expect_token_post(&mut sim);
    grant(&mut sim, conn, "ya29.short", 60);
    let (api, bearer) = expect_api_call(&mut sim);
    assert_eq!(bearer, "ya29.short");
    sim.respond(api, 200, &[], MSG);
    assert!(matches!(results(&mut sim)[..], [Ok(_)]));
}

#[test]
fn a_401_refreshes_the_token_once_and_retries() {
    let mut sim = sim(account(Arc::new(FakeSigner::default())));
    sim.chat.get(sim.now, get()).unwrap();
    let (conn, _) = expect_token_post(&mut sim);
    grant(&mut sim, conn, "ya29.revoked", 3599);
    let (api, _) = expect_api_call(&mut sim);
    let unauth = r#"{"error":{"code":401,"message":"Request had invalid authentication credentials.","status":"UNAUTHENTICATED"}}"#;
    sim.respond(api, 401, &[], unauth);
    assert!(results(&mut sim).is_empty(), "not ended by the first 401");
    let (conn, _) = expect_token_post(&mut sim);
    grant(&mut sim, conn, "ya29.fresh", 3599);
    let (api, bearer) = expect_api_call(&mut sim);
    assert_eq!(bearer, "ya29.fresh");
    // A second 401 on the same call is its answer.
    sim.respond(api, 401, &[], unauth);
    match &results(&mut sim)[..] {
        [Err(ChatError::Api(e))] => assert_eq!(e.http_status, 401),
        other => panic!("{other:?}"),
    }
    assert!(sim.next_request().is_none(), "no third attempt");
}

#[test]
fn invalid_grant_is_a_typed_error_with_its_description() {
    let mut sim = sim(account(Arc::new(FakeSigner::default())));
    sim.chat.get(sim.now, get()).unwrap();
    let (conn, _) = expect_token_post(&mut sim);
    let body = r#"{"error":"invalid_grant","error_description":"Invalid JWT Signature."}"#;
    sim.respond(conn, 400, &[], body);
    match &results(&mut sim)[..] {
        [Err(ChatError::Token(e))] => {
            assert_eq!(e.code, OAuthErrorCode::InvalidGrant);
            assert_eq!(e.description, "Invalid JWT Signature.");
            assert_eq!(e.http_status, 400);
        }
        other => panic!("{other:?}"),
    }
    assert!(sim.next_request().is_none(), "neither retried nor sent");
    assert_eq!(sim.chat.pending(), 0);
}

#[test]
fn a_failing_token_endpoint_counts_as_a_failed_attempt() {
    let mut sim = sim(account(Arc::new(FakeSigner::default())));
    sim.chat.get(sim.now, get()).unwrap();
    let (conn, _) = expect_token_post(&mut sim);
    sim.respond(conn, 503, &[], "busy");
    let events = sim.take_events();
    assert!(
        matches!(&events[..], [ChatEvent::Retrying { attempt: 1, error: ChatError::Api(e), .. }] if e.http_status == 503),
        "{events:?}"
    );
    sim.advance_to_timer().expect("a retry timer");
    let (conn, _) = expect_token_post(&mut sim);
    grant(&mut sim, conn, "ya29.late", 3599);
    let (api, bearer) = expect_api_call(&mut sim);
    assert_eq!(bearer, "ya29.late");
    sim.respond(api, 200, &[], MSG);
    assert!(matches!(results(&mut sim)[..], [Ok(_)]));
}

#[test]
fn calls_made_while_the_token_comes_are_held_then_sent() {
    let mut sim = sim(account(Arc::new(FakeSigner::default())));
    let space = SpaceName::parse("spaces/S").unwrap();
    sim.chat.get(sim.now, get()).unwrap();
    sim.chat
        .create(
            sim.now,
            CreateMessage::new(space, hangups_core::chat::Message::text("hi")),
        )
        .unwrap();
    let (conn, _) = expect_token_post(&mut sim);
    sim.chat.get(sim.now, get()).unwrap();
    assert!(
        sim.next_request().is_none(),
        "one token POST for every call"
    );
    assert_eq!(sim.chat.pending(), 3);
    grant(&mut sim, conn, "ya29.t", 3599);
    for _ in 0..3 {
        let (api, bearer) = expect_api_call(&mut sim);
        assert_eq!(bearer, "ya29.t");
        sim.respond(api, 200, &[], MSG);
    }
    assert_eq!(results(&mut sim).len(), 3);
    assert!(sim.next_request().is_none());
}

#[test]
fn a_subject_goes_into_the_jwt() {
    let mut sim = sim(account(Arc::new(FakeSigner::default())).with_subject("ada@example.com"));
    sim.chat.get(sim.now, get()).unwrap();
    let (_, claims) = expect_token_post(&mut sim);
    assert_eq!(claims["sub"], json!("ada@example.com"));
    assert_eq!(claims["iss"], json!(EMAIL));
}

#[test]
fn self_signed_mode_sends_the_jwt_as_the_bearer() {
    let mut sim = sim(account(Arc::new(FakeSigner::default())).self_signed());
    sim.chat.get(sim.now, get()).unwrap();
    let (api, bearer) = expect_api_call(&mut sim);
    let (header, claims, sig) = decode_jwt(&bearer);
    assert_eq!(header["kid"], json!("kid-1"));
    assert_eq!(sig, SIG);
    assert_eq!(claims["iss"], json!(EMAIL));
    assert_eq!(claims["sub"], json!(EMAIL));
    assert_eq!(claims["iat"], json!(UNIX));
    assert_eq!(claims["exp"], json!(UNIX + 3600));
    assert!(claims.get("aud").is_none(), "{claims}");
    sim.respond(api, 200, &[], MSG);
    sim.chat.get(sim.now, get()).unwrap();
    let (_, again) = expect_api_call(&mut sim);
    assert_eq!(again, bearer, "reused while valid");
}

#[test]
fn a_signer_failure_ends_the_call_with_a_typed_error() {
    let signer = Arc::new(FakeSigner {
        fail: true,
        ..FakeSigner::default()
    });
    let mut sim = sim(account(signer));
    sim.chat.get(sim.now, get()).unwrap();
    assert!(sim.next_request().is_none());
    assert!(matches!(
        &results(&mut sim)[..],
        [Err(ChatError::Sign(SignError(_)))]
    ));
}

#[test]
fn service_accounts_need_a_wall_clock() {
    let err = ChatClient::new(
        config(account(Arc::new(FakeSigner::default()))),
        Instant::now(),
    )
    .unwrap_err();
    assert_eq!(err, ChatError::Invalid(InvalidRequest::NoWallClock));
    // A self-signed JWT cannot act as a user.
    let sa = account(Arc::new(FakeSigner::default()))
        .with_subject("ada@example.com")
        .self_signed();
    assert!(ChatClient::with_wall_clock(config(sa), Instant::now(), UNIX).is_err());
}

#[test]
fn debug_never_shows_the_key_or_the_token() {
    let mut sim = sim(account(Arc::new(FakeSigner::default())));
    sim.chat.get(sim.now, get()).unwrap();
    let (conn, _) = expect_token_post(&mut sim);
    grant(&mut sim, conn, "ya29.secret", 3599);
    let shown = format!("{:?}", sim.chat);
    assert!(!shown.contains("MIIB"), "{shown}");
    assert!(!shown.contains("ya29.secret"), "{shown}");
    assert!(shown.contains(EMAIL), "{shown}");
}

#[test]
fn a_token_that_expires_at_once_is_used_not_refetched_in_a_loop() {
    let mut sim = sim(account(Arc::new(FakeSigner::default())));
    sim.chat.get(sim.now, get()).unwrap();
    let (conn, _) = expect_token_post(&mut sim);
    grant(&mut sim, conn, "ya29.zero", 0);
    let (api, bearer) = expect_api_call(&mut sim);
    assert_eq!(bearer, "ya29.zero");
    sim.respond(api, 200, &[], MSG);
    assert!(matches!(results(&mut sim)[..], [Ok(_)]));
}

#[test]
fn new_credentials_release_the_calls_waiting_for_a_token() {
    let mut sim = sim(account(Arc::new(FakeSigner::default())));
    sim.chat.get(sim.now, get()).unwrap();
    let (conn, _) = expect_token_post(&mut sim);
    sim.chat.set_auth(ChatAuth::Bearer("user-token".into()));
    let (api, bearer) = expect_api_call(&mut sim);
    assert_eq!(bearer, "user-token");
    sim.respond(api, 200, &[], MSG);
    assert!(matches!(results(&mut sim)[..], [Ok(_)]));
    assert!(
        sim.conns[&conn].closed,
        "the abandoned token POST is closed"
    );
}
