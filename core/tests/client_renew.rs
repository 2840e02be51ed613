//! Session renewal (`Config::renew_session`): a 401 holds the call and
//! reports `Event::SessionExpired`; `Client::set_cookies` sends it again
//! once with the new cookies; `session_renewal_failed` fails it. The
//! channel reports a 401 the same way and retries with the new cookies.

mod support;

use base64::Engine;
use hangups_core::api::{ApiError, ApiRequest, ApiResponse, Cookies};
use hangups_core::client::{Config, Event};
use hangups_proto::hangouts::*;
use support::*;

fn renewing() -> Config {
    let mut c = config();
    c.renew_session = true;
    c
}

fn ok_body() -> Vec<u8> {
    let resp = GetSelfInfoResponse {
        response_header: Some(ResponseHeader {
            status: Some(ResponseStatus::RESPONSE_STATUS_OK),
            ..Default::default()
        }),
        ..Default::default()
    };
    let bytes = hangups_proto::encode_binary(&resp);
    base64::engine::general_purpose::STANDARD
        .encode(bytes)
        .into_bytes()
}

fn new_cookies() -> Cookies {
    Cookies::from_iter([("SAPISID", "fresh"), ("SID", "fresh-sid")])
}

fn responses(sim: &mut Sim) -> Vec<Result<Box<ApiResponse>, ApiError>> {
    sim.take_events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Response { result, .. } => Some(result),
            _ => None,
        })
        .collect()
}

fn expired(sim: &mut Sim) -> usize {
    sim.events
        .iter()
        .filter(|e| matches!(e, Event::SessionExpired))
        .count()
}

#[test]
fn a_401_is_held_until_new_cookies_then_sent_again_once() {
    let mut sim = Sim::new(renewing());
    let call = ApiRequest::from(GetSelfInfoRequest::default());
    sim.client.request(sim.now, call.clone()).unwrap();
    sim.client.request(sim.now, call).unwrap();
    sim.drain();
    let (c1, _) = sim.next_request();
    let (c2, _) = sim.next_request();
    sim.send(c1, &response(401, "Unauthorized", b""));
    sim.send(c2, &response(401, "Unauthorized", b""));
    assert_eq!(expired(&mut sim), 1, "reported once: {:?}", sim.events);
    assert!(responses(&mut sim).is_empty(), "held, not failed");
    assert!(sim.pending.is_empty());

    sim.client
        .set_cookies(sim.now, new_cookies(), UNIX_SECS)
        .unwrap();
    sim.drain();
    let (c3, req) = sim.next_request();
    assert!(req.header("cookie").unwrap().contains("SAPISID=fresh"));
    assert!(req
        .header("authorization")
        .unwrap()
        .starts_with("SAPISIDHASH "));
    sim.send(c3, &response(200, "OK", &ok_body()));
    // The second one is refused again: no second renewal, it fails.
    let (c4, _) = sim.next_request();
    sim.send(c4, &response(401, "Unauthorized", b""));
    let results = responses(&mut sim);
    assert_eq!(results.len(), 2);
    assert!(results[0].is_ok());
    assert!(matches!(
        results[1],
        Err(ApiError::Http { status: 401, .. })
    ));
    assert_eq!(expired(&mut sim), 0);
}

#[test]
fn a_failed_renewal_fails_the_held_calls() {
    let mut sim = Sim::new(renewing());
    sim.client
        .request(sim.now, GetSelfInfoRequest::default().into())
        .unwrap();
    sim.drain();
    let (c, _) = sim.next_request();
    sim.send(c, &response(401, "Unauthorized", b""));
    assert_eq!(expired(&mut sim), 1);
    sim.client.session_renewal_failed(sim.now);
    sim.drain();
    let results = responses(&mut sim);
    assert!(matches!(
        &results[..],
        [Err(ApiError::Http { status: 401, reason })] if reason == "Unauthorized"
    ));
    // A later 401 is reported again.
    sim.client
        .request(sim.now, GetSelfInfoRequest::default().into())
        .unwrap();
    sim.drain();
    let (c, _) = sim.next_request();
    sim.send(c, &response(401, "Unauthorized", b""));
    assert_eq!(expired(&mut sim), 1);
}

#[test]
fn without_renewal_a_401_is_an_error_at_once() {
    let mut sim = Sim::new(config());
    sim.client
        .request(sim.now, GetSelfInfoRequest::default().into())
        .unwrap();
    sim.drain();
    let (c, _) = sim.next_request();
    sim.send(c, &response(401, "Unauthorized", b""));
    assert_eq!(expired(&mut sim), 0);
    assert!(matches!(
        &responses(&mut sim)[..],
        [Err(ApiError::Http { status: 401, .. })]
    ));
}

#[test]
fn disconnect_fails_held_calls() {
    let mut sim = Sim::new(renewing());
    sim.client
        .request(sim.now, GetSelfInfoRequest::default().into())
        .unwrap();
    sim.drain();
    let (c, _) = sim.next_request();
    sim.send(c, &response(401, "Unauthorized", b""));
    sim.client.disconnect(sim.now);
    sim.drain();
    assert_eq!(responses(&mut sim).len(), 1);
}

#[test]
fn a_channel_401_reports_expiry_and_retries_with_the_new_cookies() {
    let mut sim = Sim::new(renewing());
    sim.client.connect(sim.now);
    sim.drain();
    let (c, req) = sim.next_request();
    assert!(req.header("cookie").unwrap().contains("SAPISID=abc"));
    sim.send(c, &response(401, "Unauthorized", b""));
    assert_eq!(expired(&mut sim), 1);
    assert!(sim.pending.is_empty(), "waiting for the backoff");
    sim.client
        .set_cookies(sim.now, new_cookies(), UNIX_SECS)
        .unwrap();
    sim.drain();
    let (_, req) = sim.next_request();
    assert!(req
        .target
        .starts_with("/client-channel/channel/bind?VER=8&RID=81188"));
    assert!(req.header("cookie").unwrap().contains("SAPISID=fresh"));
}

#[test]
fn set_cookies_without_sapisid_is_refused() {
    let mut sim = Sim::new(renewing());
    let bad = Cookies::from_iter([("SID", "x")]);
    assert!(sim.client.set_cookies(sim.now, bad, UNIX_SECS).is_err());
}

#[test]
fn a_401_for_a_request_sent_with_replaced_cookies_is_resent_not_reported() {
    let mut sim = Sim::new(renewing());
    sim.client
        .request(sim.now, GetSelfInfoRequest::default().into())
        .unwrap();
    sim.client
        .request(sim.now, GetSelfInfoRequest::default().into())
        .unwrap();
    sim.drain();
    let (c1, _) = sim.next_request();
    let (c2, _) = sim.next_request();
    sim.send(c1, &response(401, "Unauthorized", b""));
    assert_eq!(expired(&mut sim), 1);
    sim.take_events();
    sim.client
        .set_cookies(sim.now, new_cookies(), UNIX_SECS)
        .unwrap();
    sim.drain();
    let (c3, _) = sim.next_request();
    sim.send(c3, &response(200, "OK", &ok_body()));
    // The second was sent with the old cookies: its 401 is no news.
    sim.send(c2, &response(401, "Unauthorized", b""));
    assert_eq!(expired(&mut sim), 0, "{:?}", sim.events);
    let (c4, req) = sim.next_request();
    assert!(req.header("cookie").unwrap().contains("SAPISID=fresh"));
    sim.send(c4, &response(200, "OK", &ok_body()));
    let results = responses(&mut sim);
    assert_eq!(results.len(), 2);
    assert!(results.iter().all(Result::is_ok));
}
