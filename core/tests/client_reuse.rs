//! Kept-alive connections: a complete keep-alive response leaves the
//! connection open for the next request to the same server; a stale kept
//! connection is replaced transparently; idle ones close after a while.

mod support;

use hangups_core::api::ApiRequest;
use hangups_core::client::{Config, Event, Output};
use hangups_proto::hangouts::*;
use std::time::Duration;
use support::*;

fn reuse_config() -> Config {
    let mut c = config();
    c.reuse_connections = true;
    c
}

fn ok_self_info() -> Vec<u8> {
    use base64::Engine;
    let resp = GetSelfInfoResponse {
        response_header: Some(ResponseHeader {
            status: Some(ResponseStatus::RESPONSE_STATUS_OK),
            ..Default::default()
        }),
        ..Default::default()
    };
    let body =
        base64::engine::general_purpose::STANDARD.encode(hangups_proto::encode_binary(&resp));
    response(200, "OK", body.as_bytes())
}

fn call(sim: &mut Sim) {
    sim.client
        .request(sim.now, ApiRequest::from(GetSelfInfoRequest::default()))
        .unwrap();
    sim.drain();
}

fn responses(sim: &mut Sim) -> usize {
    sim.take_events()
        .iter()
        .filter(|e| matches!(e, Event::Response { result: Ok(_), .. }))
        .count()
}

#[test]
fn a_second_call_goes_out_on_the_kept_connection() {
    let mut sim = Sim::new(reuse_config());
    call(&mut sim);
    let (c, _) = sim.next_request();
    sim.send(c, &ok_self_info());
    assert_eq!(responses(&mut sim), 1);
    assert!(!sim.is_closed_by_client(c), "kept open");
    let before = sim.conns[&c].received.len();
    call(&mut sim);
    assert!(sim.pending.is_empty(), "no new connection");
    let second = support::parse_request(&sim.conns[&c].received[before..]);
    assert!(second.target.starts_with("/chat/v1/contacts/getselfinfo?"));
    sim.send(c, &ok_self_info());
    assert_eq!(responses(&mut sim), 1);
}

#[test]
fn connection_close_responses_are_not_kept() {
    let mut sim = Sim::new(reuse_config());
    call(&mut sim);
    let (c, _) = sim.next_request();
    let mut resp = ok_self_info();
    let at = resp.windows(2).position(|w| w == b"\r\n").unwrap() + 2;
    resp.splice(at..at, b"Connection: close\r\n".iter().copied());
    sim.send(c, &resp);
    assert_eq!(responses(&mut sim), 1);
    assert!(sim.is_closed_by_client(c));
    call(&mut sim);
    assert_eq!(sim.pending.len(), 1, "a new connection");
}

#[test]
fn a_stale_kept_connection_is_replaced_without_an_error() {
    let mut sim = Sim::new(reuse_config());
    call(&mut sim);
    let (c, _) = sim.next_request();
    sim.send(c, &ok_self_info());
    responses(&mut sim);
    call(&mut sim); // goes out on c…
    sim.close(c); // …which the server had closed
    assert!(sim.take_events().is_empty(), "no error surfaces");
    let (c2, req) = sim.next_request();
    assert_ne!(c2, c);
    assert!(req.target.starts_with("/chat/v1/contacts/getselfinfo?"));
    sim.send(c2, &ok_self_info());
    assert_eq!(responses(&mut sim), 1);
}

#[test]
fn idle_connections_close_after_the_idle_timeout_and_on_disconnect() {
    let mut sim = Sim::new(reuse_config());
    call(&mut sim);
    let (c, _) = sim.next_request();
    sim.send(c, &ok_self_info());
    responses(&mut sim);
    sim.advance(Duration::from_secs(19));
    assert!(!sim.is_closed_by_client(c));
    sim.advance(Duration::from_secs(1));
    assert!(sim.is_closed_by_client(c), "closed after 20 s idle");
    // Silence afterwards: data on it is ignored.
    sim.send(c, b"HTTP/1.1 200 OK\r\n\r\n");
    assert!(sim.take_events().is_empty());

    let mut sim = Sim::new(reuse_config());
    call(&mut sim);
    let (c, _) = sim.next_request();
    sim.send(c, &ok_self_info());
    sim.client.disconnect(sim.now);
    sim.drain();
    assert!(sim.is_closed_by_client(c));
    assert!(sim.client.poll_timeout().is_none());
    let _ = Output::Close { conn: c };
}

#[test]
fn the_long_poll_reuses_the_session_connection() {
    let mut sim = Sim::new(reuse_config());
    sim.client.connect(sim.now);
    sim.drain();
    let (c, _) = sim.next_request();
    let before = sim.conns[&c].received.len();
    sim.send(c, &response(200, "OK", sid_body("S", "G").as_bytes()));
    assert!(sim.pending.is_empty());
    let poll = support::parse_request(&sim.conns[&c].received[before..]);
    assert_eq!(poll.method, "GET");
    sim.send(c, &stream_head());
    sim.send(c, &http_chunk(noop_chunk(1).as_bytes()));
    assert!(matches!(sim.take_events()[..], [Event::Connected]));
}
