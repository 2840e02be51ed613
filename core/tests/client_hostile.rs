//! A hostile server, scripted, on a virtual clock: bytes that dribble
//! forever, replies too large to accept, kept connections closed under a
//! request, and the end of a long-poll in the same read as a push. Each
//! test checks the fault took effect and what the client did about it.

mod support;

use hangups_core::api::{ApiError, ApiRequest, ResponseError, TransportError};
use hangups_core::client::{ChannelError, ConnId, Event};
use hangups_proto::hangouts::*;
use std::time::Duration;
use support::*;

fn send_message_request() -> ApiRequest {
    ApiRequest::from(SendChatMessageRequest {
        event_request_header: Some(Box::new(EventRequestHeader {
            conversation_id: Some(ConversationId {
                id: Some("conv1".into()),
            }),
            ..Default::default()
        })),
        ..Default::default()
    })
}

fn client_generated_id(req: &Req) -> Option<u64> {
    let r: SendChatMessageRequest = hangups_proto::decode_binary(&req.body).unwrap();
    r.event_request_header?.client_generated_id
}

/// SID, long-poll, noop, client id and subscription: a subscribed session.
fn subscribed(sim: &mut Sim) -> ConnId {
    sim.client.connect(sim.now);
    sim.drain();
    let (sid, _) = sim.next_request();
    sim.send(sid, &response(200, "OK", sid_body("SID1", "G1").as_bytes()));
    let (poll, _) = sim.next_request();
    sim.send(poll, &stream_head());
    sim.send(poll, &http_chunk(noop_chunk(1).as_bytes()));
    sim.send(poll, &http_chunk(client_id_chunk(2, "cid").as_bytes()));
    let (sub, _) = sim.next_request();
    sim.send(sub, &response(200, "OK", b"[]"));
    let ev = sim.take_events();
    assert!(
        matches!(
            &ev[..],
            [Event::Connected, Event::ClientId(_), Event::Subscribed]
        ),
        "{ev:?}"
    );
    poll
}

#[test]
fn an_api_reply_dribbled_one_byte_a_second_fails_at_the_overall_deadline() {
    let mut sim = Sim::new(config());
    let id = sim.client.request(sim.now, send_message_request()).unwrap();
    sim.drain();
    let (conn, req) = sim.next_request();
    let cgid = client_generated_id(&req).expect("an id");
    let reply = response(200, "OK", &[b'A'; 4096]);
    let mut sent = 0;
    let deadline = sim.client.poll_timeout().unwrap();
    while sim.events.is_empty() && sent < reply.len() {
        sim.advance(Duration::from_secs(1));
        if sim.is_closed_by_client(conn) {
            break;
        }
        sim.send(conn, &reply[sent..sent + 1]);
        sent += 1;
    }
    // Every byte re-armed the idle timer, yet the request ended at its
    // overall deadline (120 s)...
    let waited = sim.now.duration_since(sim.start);
    assert!(sim.is_closed_by_client(conn));
    assert!(
        (Duration::from_secs(119)..=Duration::from_secs(122)).contains(&waited),
        "{waited:?}"
    );
    assert!(deadline <= sim.now);
    // ...and, a send being safe to repeat (the server deduplicates its
    // client_generated_id), it goes again with the same id; nothing is
    // reported yet.
    assert!(sim.take_events().is_empty());
    let (again, req) = sim.next_request();
    assert_ne!(again, conn);
    assert_eq!(client_generated_id(&req), Some(cgid));
    let _ = id;
}

#[test]
fn a_dribbled_long_poll_that_never_completes_a_chunk_is_dead_after_the_push_timeout() {
    let mut sim = Sim::new(config());
    let poll = subscribed(&mut sim);
    let start = sim.now;
    // A chunk that never ends: one byte a second.
    let mut endless = b"99999\n".to_vec();
    endless.resize(10_000, b'x');
    let mut i = 0;
    while !sim.is_closed_by_client(poll) {
        sim.send(poll, &http_chunk(&endless[i..i + 1]));
        i += 1;
        sim.advance(Duration::from_secs(1));
    }
    let waited = sim.now.duration_since(start);
    assert!(
        (Duration::from_secs(59)..=Duration::from_secs(61)).contains(&waited),
        "{waited:?}"
    );
    let ev = sim.take_events();
    assert!(
        matches!(
            &ev[..],
            [Event::Disconnected {
                error: ChannelError::PushTimeout(_),
                ..
            }]
        ),
        "{ev:?}"
    );
    // It comes back with the same session.
    sim.advance_to_timeout();
    let (_, req) = sim.next_request();
    assert_eq!(req.method, "GET");
}

#[test]
fn a_long_poll_head_dribbled_one_byte_a_second_fails_at_the_head_deadline() {
    let mut sim = Sim::new(config());
    sim.client.connect(sim.now);
    sim.drain();
    let (sid, _) = sim.next_request();
    sim.send(sid, &response(200, "OK", sid_body("SID1", "G1").as_bytes()));
    let (poll, _) = sim.next_request();
    let start = sim.now;
    let head = stream_head().repeat(10);
    let mut i = 0;
    while !sim.is_closed_by_client(poll) && i < head.len() {
        sim.advance(Duration::from_secs(1));
        sim.send(poll, &head[i..i + 1]);
        i += 1;
    }
    let waited = sim.now.duration_since(start);
    assert!(sim.is_closed_by_client(poll));
    assert!(
        (Duration::from_secs(29)..=Duration::from_secs(31)).contains(&waited),
        "{waited:?}"
    );
}

#[test]
fn an_oversized_reply_to_a_send_is_reported_once_and_never_posted_again() {
    let mut config = config();
    config.max_response_body = 1024;
    let mut sim = Sim::new(config);
    let id = sim.client.request(sim.now, send_message_request()).unwrap();
    sim.drain();
    let (conn, _) = sim.next_request();
    sim.send(conn, &response(200, "OK", &[b'A'; 4096]));
    let ev = sim.take_events();
    assert!(
        matches!(&ev[..], [Event::Response { id: i, result: Err(ApiError::BadResponse(ResponseError::TooLarge { limit: 1024 })) }] if *i == id),
        "{ev:?}"
    );
    assert!(sim.pending.is_empty(), "the send was posted again");
}

#[test]
fn a_send_retried_after_a_lost_connection_keeps_its_client_generated_id() {
    let mut sim = Sim::new(config());
    sim.client.request(sim.now, send_message_request()).unwrap();
    sim.drain();
    let (first, req) = sim.next_request();
    let cgid = client_generated_id(&req).expect("an id");
    sim.close(first);
    let (second, req) = sim.next_request();
    assert_ne!(first, second);
    assert_eq!(client_generated_id(&req), Some(cgid));
    sim.close(second);
    let (_, req) = sim.next_request();
    assert_eq!(client_generated_id(&req), Some(cgid));
}

#[test]
fn an_easter_egg_that_may_have_arrived_is_not_sent_twice() {
    let mut sim = Sim::new(config());
    let id = sim
        .client
        .request(sim.now, ApiRequest::from(EasterEggRequest::default()))
        .unwrap();
    sim.drain();
    let (conn, _) = sim.next_request();
    sim.close(conn);
    let ev = sim.take_events();
    assert!(
        matches!(&ev[..], [Event::Response { id: i, result: Err(ApiError::Transport(TransportError::ClosedBeforeResponse)) }] if *i == id),
        "{ev:?}"
    );
    assert!(sim.pending.is_empty());
}

#[test]
fn a_refused_connection_is_retried_even_for_a_call_that_is_not_idempotent() {
    let mut sim = Sim::new(config());
    sim.client
        .request(sim.now, ApiRequest::from(EasterEggRequest::default()))
        .unwrap();
    sim.drain();
    sim.refuse();
    let (_, req) = sim.next_request();
    assert!(req.target.contains("easteregg"), "{}", req.target);
}

#[test]
fn the_end_of_a_long_poll_in_the_same_read_as_a_push_delivers_the_push() {
    let mut sim = Sim::new(config());
    let poll = subscribed(&mut sim);
    let mut bytes = http_chunk(cbu_chunk(3, &event_pblite("last", 5, "hi")).as_bytes());
    bytes.extend_from_slice(HTTP_END);
    sim.send(poll, &bytes);
    let ev = sim.take_events();
    assert!(matches!(&ev[..], [Event::StateUpdate(_)]), "{ev:?}");
    // ...and the channel polls again at once.
    let (_, req) = sim.next_request();
    assert_eq!(req.method, "GET");
}

#[test]
fn a_session_that_never_gets_a_client_id_is_replaced() {
    let mut sim = Sim::new(config());
    sim.client.connect(sim.now);
    sim.drain();
    let (sid, _) = sim.next_request();
    sim.send(sid, &response(200, "OK", sid_body("SID1", "G1").as_bytes()));
    let (poll, _) = sim.next_request();
    sim.send(poll, &stream_head());
    sim.send(poll, &http_chunk(noop_chunk(1).as_bytes()));
    assert!(!sim.is_closed_by_client(poll));
    // A second keep-alive and still no id: this session is deaf for good.
    sim.send(poll, &http_chunk(noop_chunk(2).as_bytes()));
    assert!(sim.is_closed_by_client(poll));
    let ev = sim.take_events();
    assert!(
        matches!(
            &ev[..],
            [
                Event::Connected,
                Event::Disconnected {
                    error: ChannelError::NoClientId,
                    ..
                }
            ]
        ),
        "{ev:?}"
    );
    sim.advance_to_timeout();
    let (_, req) = sim.next_request();
    assert_eq!(req.method, "POST");
    assert!(!req.target.contains("SID="));
}
