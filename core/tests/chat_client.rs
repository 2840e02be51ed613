//! The `ChatClient` machine against a scripted fake server on a virtual
//! clock: retries and their delays, request ids, connection reuse, the
//! origin check, pagination and closing.

mod chat_support;

use chat_support::{config, Sim};
use hangups_core::api::{OriginAllowList, TransportError};
use hangups_core::chat::{
    ChatClient, ChatError, ChatEvent, ChatRequest, ChatResponse, CreateMessage, DeleteMessage,
    GetMessage, InvalidRequest, ListMessages, Message, MessageName, Paginator, SpaceName,
    UpdateMessage, UpdateVerb,
};
use std::time::{Duration, Instant};

const MSG: &str =
    r#"{"name":"spaces/S/messages/M","text":"hi","thread":{"name":"spaces/S/threads/T"}}"#;

fn space() -> SpaceName {
    SpaceName::parse("spaces/S").unwrap()
}

fn get() -> GetMessage {
    GetMessage::new(MessageName::parse("spaces/S/messages/M").unwrap())
}

fn unavailable() -> String {
    r#"{"error":{"code":503,"message":"try later","status":"UNAVAILABLE"}}"#.into()
}

fn responses(events: &[ChatEvent]) -> Vec<&Result<ChatResponse, ChatError>> {
    events
        .iter()
        .filter_map(|e| match e {
            ChatEvent::Response { result, .. } => Some(result),
            _ => None,
        })
        .collect()
}

fn is_uuid_v4(s: &str) -> bool {
    let p: Vec<&str> = s.split('-').collect();
    p.len() == 5
        && p.iter().map(|x| x.len()).eq([8, 4, 4, 4, 12])
        && s.bytes()
            .all(|b| b == b'-' || b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        && p[2].starts_with('4')
}

#[test]
fn create_gets_a_request_id_and_a_message_back() {
    let mut sim = Sim::new(config());
    let id = sim
        .chat
        .create(sim.now, CreateMessage::new(space(), Message::text("hi")))
        .unwrap();
    let (conn, req) = sim.expect_request();
    assert_eq!(
        (req.method.as_str(), req.path()),
        ("POST", "/v1/spaces/S/messages")
    );
    assert!(
        is_uuid_v4(req.param("requestId").unwrap()),
        "{}",
        req.target
    );
    assert_eq!(req.header("authorization"), Some("Bearer tok"));
    assert_eq!(req.json(), serde_json::json!({"text": "hi"}));
    sim.respond(conn, 200, &[], MSG);
    let events = sim.take_events();
    let [ChatEvent::Response {
        id: got,
        result: Ok(ChatResponse::Message(m)),
    }] = events.as_slice()
    else {
        panic!("{events:?}")
    };
    assert_eq!(*got, id);
    assert_eq!(
        m.thread.as_ref().unwrap().name.as_deref(),
        Some("spaces/S/threads/T")
    );
    assert_eq!(sim.chat.pending(), 0);
}

#[test]
fn a_create_retried_after_503_keeps_its_request_id() {
    let mut sim = Sim::new(config());
    sim.chat
        .create(sim.now, CreateMessage::new(space(), Message::text("hi")))
        .unwrap();
    let (conn, first) = sim.expect_request();
    let rid = first.param("requestId").unwrap().to_string();
    sim.respond(conn, 503, &[], &unavailable());
    let events = sim.take_events();
    let [ChatEvent::Retrying {
        attempt: 1,
        delay,
        error: ChatError::Api(e),
        ..
    }] = events.as_slice()
    else {
        panic!("{events:?}")
    };
    assert_eq!(e.status, "UNAVAILABLE");
    // First retry: 1 s with 50 % jitter.
    assert!(
        *delay >= Duration::from_millis(500) && *delay <= Duration::from_secs(1),
        "{delay:?}"
    );
    assert!(sim.next_request().is_none(), "nothing before the delay");
    sim.advance(*delay - Duration::from_millis(1));
    assert!(sim.next_request().is_none(), "nothing before the delay");
    sim.advance(Duration::from_millis(1));
    let (conn, second) = sim.expect_request();
    assert_eq!(second.param("requestId"), Some(rid.as_str()));
    assert_eq!(second.body, first.body);
    sim.respond(conn, 200, &[], MSG);
    assert!(matches!(
        responses(&sim.take_events())[..],
        [Ok(ChatResponse::Message(_))]
    ));
}

#[test]
fn a_429_with_retry_info_waits_at_least_that_long() {
    let mut sim = Sim::new(config());
    sim.chat.get(sim.now, get()).unwrap();
    let (conn, _) = sim.expect_request();
    let body = r#"{"error":{"code":429,"status":"RESOURCE_EXHAUSTED","message":"slow down","details":[
        {"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"RATE_LIMIT_EXCEEDED","domain":"googleapis.com"},
        {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"7s"}]}}"#;
    sim.respond(conn, 429, &[], body);
    let events = sim.take_events();
    let [ChatEvent::Retrying { delay, error, .. }] = events.as_slice() else {
        panic!("{events:?}")
    };
    assert_eq!(*delay, Duration::from_secs(7));
    assert_eq!(error.retry_delay(), Some(Duration::from_secs(7)));
    sim.advance(Duration::from_millis(6_999));
    assert!(sim.next_request().is_none(), "retried before 7 s");
    sim.advance(Duration::from_millis(1));
    assert!(sim.next_request().is_some(), "retried at 7 s");
}

#[test]
fn retry_after_wins_when_longer_than_retry_info() {
    let mut sim = Sim::new(config());
    sim.chat.get(sim.now, get()).unwrap();
    let (conn, _) = sim.expect_request();
    let body = r#"{"error":{"code":429,"status":"RESOURCE_EXHAUSTED","message":"x","details":[
        {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"1.5s"}]}}"#;
    sim.respond(conn, 429, &[("Retry-After", "12")], body);
    let events = sim.take_events();
    let [ChatEvent::Retrying { delay, .. }] = events.as_slice() else {
        panic!("{events:?}")
    };
    assert_eq!(*delay, Duration::from_secs(12));
    assert_eq!(sim.advance_to_timer(), Some(Duration::from_secs(12)));
    assert!(sim.next_request().is_some());
}

#[test]
fn a_400_is_not_retried() {
    let mut sim = Sim::new(config());
    sim.chat.get(sim.now, get()).unwrap();
    let (conn, _) = sim.expect_request();
    let body = r#"{"error":{"code":400,"status":"INVALID_ARGUMENT","message":"Message cannot be empty","details":[
        {"@type":"type.googleapis.com/google.rpc.BadRequest","fieldViolations":[{"field":"text","description":"empty"}]}]}}"#;
    sim.respond(conn, 400, &[], body);
    let events = sim.take_events();
    let [ChatEvent::Response {
        result: Err(ChatError::Api(e)),
        ..
    }] = events.as_slice()
    else {
        panic!("{events:?}")
    };
    assert_eq!(
        (e.http_status, e.status.as_str()),
        (400, "INVALID_ARGUMENT")
    );
    assert!(
        matches!(&e.details[0], hangups_core::chat::ErrorDetail::BadRequest { field_violations } if field_violations[0].field == "text")
    );
    for _ in 0..5 {
        sim.advance(Duration::from_secs(60));
    }
    assert!(sim.next_request().is_none());
    assert_eq!(sim.connects, 1);
    assert!(sim.take_events().is_empty());
}

#[test]
fn attempts_are_capped_and_delays_grow() {
    let mut sim = Sim::new(config());
    sim.chat.get(sim.now, get()).unwrap();
    let mut delays = Vec::new();
    for _ in 0..5 {
        let (conn, _) = sim.expect_request();
        sim.respond(conn, 500, &[], "{}");
        for e in sim.take_events() {
            match e {
                ChatEvent::Retrying { delay, .. } => delays.push(delay),
                ChatEvent::Response { result, .. } => {
                    assert!(matches!(result, Err(ChatError::Api(ref g)) if g.http_status == 500));
                    assert_eq!(delays.len(), 4);
                    // 1, 2, 4, 8 s, each with up to 50 % jitter off.
                    for (i, d) in delays.iter().enumerate() {
                        let base = Duration::from_secs(1 << i);
                        assert!(*d <= base && *d >= base / 2, "retry {i}: {d:?}");
                    }
                    assert!(sim
                        .chat
                        .poll_timeout()
                        .is_none_or(|t| t > sim.now + Duration::from_secs(1)));
                    return;
                }
                _ => unreachable!(),
            }
        }
        sim.advance_to_timer();
    }
    panic!("no final response after 5 attempts: {delays:?}");
}

#[test]
fn transport_failures_are_retried_for_idempotent_calls() {
    let mut sim = Sim::new(config());
    sim.chat.get(sim.now, get()).unwrap();
    let (conn, _) = sim.expect_request();
    sim.cut(conn);
    let events = sim.take_events();
    assert!(
        matches!(
            events.as_slice(),
            [ChatEvent::Retrying {
                error: ChatError::Transport(TransportError::ClosedBeforeResponse),
                ..
            }]
        ),
        "{events:?}"
    );
    sim.advance_to_timer();
    let (conn, _) = sim.expect_request();
    sim.respond(conn, 200, &[], MSG);
    assert!(matches!(responses(&sim.take_events())[..], [Ok(_)]));
}

#[test]
fn a_create_without_request_id_is_not_resent_once_it_may_have_arrived() {
    let mut sim = Sim::new(config());
    // `send` sends the create as given: no requestId.
    sim.chat
        .send(
            sim.now,
            ChatRequest::Create(CreateMessage::new(space(), Message::text("x"))),
        )
        .unwrap();
    let (conn, req) = sim.expect_request();
    assert_eq!(req.param("requestId"), None);
    sim.cut(conn);
    let events = sim.take_events();
    assert!(
        matches!(responses(&events)[..], [Err(ChatError::Transport(_))]),
        "{events:?}"
    );
    // ... nor after a 503.
    sim.chat
        .send(
            sim.now,
            ChatRequest::Create(CreateMessage::new(space(), Message::text("x"))),
        )
        .unwrap();
    let (conn, _) = sim.expect_request();
    sim.respond(conn, 503, &[], &unavailable());
    assert!(matches!(
        responses(&sim.take_events())[..],
        [Err(ChatError::Api(_))]
    ));
    // But a connection that never opened proves it never arrived.
    let mut sim = Sim::new(config());
    sim.chat
        .send(
            sim.now,
            ChatRequest::Create(CreateMessage::new(space(), Message::text("x"))),
        )
        .unwrap();
    let Some(hangups_core::client::Output::Connect { conn, .. }) = sim.chat.poll_output() else {
        panic!("a connect")
    };
    sim.chat
        .handle_input(sim.now, hangups_core::client::Input::Closed(conn));
    let events = sim.take_events();
    assert!(
        matches!(
            events.as_slice(),
            [ChatEvent::Retrying {
                error: ChatError::Transport(TransportError::ConnectFailed),
                ..
            }]
        ),
        "{events:?}"
    );
    sim.advance_to_timer();
    assert!(sim.next_request().is_some());
}

#[test]
fn a_silent_server_times_out_and_the_call_is_retried() {
    let mut cfg = config();
    cfg.response_timeout = Duration::from_secs(10);
    cfg.request_timeout = Duration::from_secs(5);
    let mut sim = Sim::new(cfg);
    sim.chat
        .delete(
            sim.now,
            DeleteMessage::new(MessageName::parse("spaces/S/messages/M").unwrap()),
        )
        .unwrap();
    let (_, req) = sim.expect_request();
    assert_eq!(req.method, "DELETE");
    assert_eq!(sim.advance_to_timer(), Some(Duration::from_secs(5)));
    let events = sim.take_events();
    assert!(
        matches!(
            events.as_slice(),
            [ChatEvent::Retrying {
                error: ChatError::Transport(TransportError::TimedOut(_)),
                ..
            }]
        ),
        "{events:?}"
    );
    sim.advance_to_timer();
    let (conn, _) = sim.expect_request();
    sim.respond(conn, 200, &[], "{}");
    assert!(matches!(
        responses(&sim.take_events())[..],
        [Ok(ChatResponse::Deleted)]
    ));
}

#[test]
fn keep_alive_connections_are_reused() {
    let mut sim = Sim::new(config());
    for _ in 0..3 {
        sim.chat.get(sim.now, get()).unwrap();
        let (conn, _) = sim.expect_request();
        sim.respond(conn, 200, &[], MSG);
    }
    assert_eq!(sim.connects, 1);
    assert_eq!(responses(&sim.take_events()).len(), 3);
    let mut cfg = config();
    cfg.reuse_connections = false;
    let mut sim = Sim::new(cfg);
    for _ in 0..2 {
        sim.chat.get(sim.now, get()).unwrap();
        let (conn, _) = sim.expect_request();
        sim.respond(conn, 200, &[], MSG);
    }
    assert_eq!(sim.connects, 2);
}

#[test]
fn no_credentials_to_another_origin() {
    // The endpoint is not on the allow-list: refused before any output.
    let mut cfg = config();
    cfg.allow_list = OriginAllowList::google();
    let err = ChatClient::new(cfg, Instant::now()).unwrap_err();
    assert_eq!(
        err,
        ChatError::Invalid(InvalidRequest::HostNotAllowed {
            host: "http://127.0.0.1:8080".into()
        })
    );
    let mut cfg = config();
    cfg.allow_list = OriginAllowList::empty();
    assert!(ChatClient::new(cfg, Instant::now()).is_err());
    // The default list is the configured origin alone.
    let cfg = config();
    assert!(!cfg
        .allow_list
        .allows(&hangups_core::api::Origin::new(false, "127.0.0.1", 8081)));
    assert!(!cfg
        .allow_list
        .allows(&hangups_core::api::Origin::https("chat.googleapis.com")));
    let google =
        hangups_core::chat::ChatConfig::new(hangups_core::chat::ChatAuth::Bearer("t".into()));
    assert!(google
        .allow_list
        .allows(&hangups_core::api::Origin::https("chat.googleapis.com")));
    assert!(!google
        .allow_list
        .allows(&hangups_core::api::Origin::https("evil.google.com")));
}

#[test]
fn invalid_requests_fail_before_any_output() {
    let mut sim = Sim::new(config());
    let u = UpdateMessage::new(
        UpdateVerb::Patch,
        MessageName::parse("spaces/S/messages/M").unwrap(),
        Message::text("x"),
        "sender",
    );
    assert!(matches!(
        sim.chat.patch(sim.now, u),
        Err(ChatError::Invalid(InvalidRequest::UpdateMaskPath(_)))
    ));
    assert!(sim
        .chat
        .list(sim.now, ListMessages::new(space()).page_size(0))
        .is_err());
    sim.pump();
    assert_eq!(sim.connects, 0);
    assert_eq!(sim.chat.pending(), 0);
}

#[test]
fn patch_and_update_pick_their_verb() {
    let mut sim = Sim::new(config());
    let name = MessageName::parse("spaces/S/messages/M").unwrap();
    let u = UpdateMessage::new(UpdateVerb::Update, name.clone(), Message::text("x"), "text");
    sim.chat.patch(sim.now, u.clone()).unwrap();
    let (conn, req) = sim.expect_request();
    assert_eq!(
        (req.method.as_str(), req.param("updateMask")),
        ("PATCH", Some("text"))
    );
    sim.respond(conn, 200, &[], MSG);
    sim.chat.update(sim.now, u).unwrap();
    let (_, req) = sim.expect_request();
    assert_eq!(req.method, "PUT");
}

#[test]
fn a_bad_success_body_is_a_decode_error_not_retried() {
    let mut sim = Sim::new(config());
    sim.chat.get(sim.now, get()).unwrap();
    let (conn, _) = sim.expect_request();
    sim.respond(conn, 200, &[], "<html>");
    assert!(matches!(
        responses(&sim.take_events())[..],
        [Err(ChatError::Decode { status: 200, .. })]
    ));
    assert!(sim.next_request().is_none());
}

#[test]
fn the_paginator_walks_every_page() {
    let mut sim = Sim::new(config());
    let mut pages = Paginator::new(ListMessages::new(space()).page_size(2));
    let bodies = [
        r#"{"messages":[{"name":"spaces/S/messages/1"},{"name":"spaces/S/messages/2"}],"nextPageToken":"p2"}"#,
        r#"{"messages":[{"name":"spaces/S/messages/3"}],"nextPageToken":"p3"}"#,
        "{}",
    ];
    let mut names = Vec::new();
    let mut tokens = Vec::new();
    while let Some(req) = pages.next_request() {
        sim.chat.list(sim.now, req).unwrap();
        let (conn, req) = sim.expect_request();
        assert_eq!(req.param("pageSize"), Some("2"));
        tokens.push(req.param("pageToken").map(String::from));
        sim.respond(conn, 200, &[], bodies[pages.pages() as usize]);
        let events = sim.take_events();
        let [ChatEvent::Response {
            result: Ok(ChatResponse::List(page)),
            ..
        }] = events.as_slice()
        else {
            panic!("{events:?}")
        };
        names.extend(page.messages.iter().filter_map(|m| m.name.clone()));
        pages.on_page(page);
    }
    assert_eq!(
        names,
        [
            "spaces/S/messages/1",
            "spaces/S/messages/2",
            "spaces/S/messages/3"
        ]
    );
    assert_eq!(tokens, [None, Some("p2".into()), Some("p3".into())]);
    assert!(pages.is_done());
    // A server repeating a token ends the walk.
    let mut pages = Paginator::new(ListMessages::new(space()));
    let page: hangups_core::chat::ListMessagesResponse =
        serde_json::from_str(r#"{"nextPageToken":"a"}"#).unwrap();
    pages.on_page(&page);
    pages.on_page(&page);
    assert!(pages.next_request().is_none());
}

#[test]
fn close_fails_running_calls_and_refuses_new_ones() {
    let mut sim = Sim::new(config());
    let a = sim.chat.get(sim.now, get()).unwrap();
    sim.expect_request();
    let b = sim.chat.get(sim.now, get()).unwrap();
    let (conn, _) = sim.expect_request();
    sim.respond(conn, 503, &[], "{}");
    sim.take_events();
    sim.chat.close(sim.now);
    let events = sim.take_events();
    let ids: Vec<_> = events
        .iter()
        .map(|e| match e {
            ChatEvent::Response {
                id,
                result: Err(ChatError::Closed),
            } => *id,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(ids, [a, b]);
    assert!(sim.conns.values().all(|c| c.closed));
    assert_eq!(sim.chat.get(sim.now, get()), Err(ChatError::Closed));
    assert_eq!(sim.chat.poll_timeout(), None);
}

#[test]
fn refreshed_credentials_go_with_the_retry() {
    let mut sim = Sim::new(config());
    sim.chat.get(sim.now, get()).unwrap();
    let (conn, _) = sim.expect_request();
    sim.respond(conn, 503, &[], "{}");
    sim.chat
        .set_auth(hangups_core::chat::ChatAuth::Bearer("fresh".into()));
    sim.advance_to_timer();
    let (_, req) = sim.expect_request();
    assert_eq!(req.header("authorization"), Some("Bearer fresh"));
}

#[test]
fn a_webhook_client_posts_with_key_and_token_and_only_creates() {
    let url = "http://127.0.0.1:8080/v1/spaces/AAA/messages?key=K&token=T%2B";
    let (cfg, space) = hangups_core::chat::ChatConfig::for_webhook(url).unwrap();
    let mut sim = Sim::new(cfg.with_rng_seed(1));
    sim.chat
        .create(
            sim.now,
            CreateMessage::new(space, Message::text("alert")).thread_key("incident-7"),
        )
        .unwrap();
    let (conn, req) = sim.expect_request();
    assert_eq!(req.path(), "/v1/spaces/AAA/messages");
    assert_eq!(req.param("key"), Some("K"));
    assert_eq!(req.param("token"), Some("T%2B"));
    assert_eq!(
        req.param("messageReplyOption"),
        Some("REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD")
    );
    assert_eq!(req.header("authorization"), None);
    assert_eq!(
        req.header("content-type"),
        Some("application/json; charset=UTF-8")
    );
    // A webhook burst hits 429: the post is retried, not lost.
    sim.respond(conn, 429, &[("Retry-After", "2")], "{}");
    sim.take_events();
    assert_eq!(sim.advance_to_timer(), Some(Duration::from_secs(2)));
    let (conn, again) = sim.expect_request();
    assert_eq!(again.param("requestId"), req.param("requestId"));
    sim.respond(
        conn,
        200,
        &[],
        r#"{"name":"spaces/AAA/messages/M","thread":{"name":"spaces/AAA/threads/T"}}"#,
    );
    assert!(matches!(
        responses(&sim.take_events())[..],
        [Ok(ChatResponse::Message(_))]
    ));
    assert_eq!(
        sim.chat.get(sim.now, get()),
        Err(ChatError::Invalid(InvalidRequest::WebhookCreateOnly("get")))
    );
}

#[test]
fn a_server_asking_for_too_long_a_wait_ends_the_call() {
    let mut sim = Sim::new(config());
    sim.chat.get(sim.now, get()).unwrap();
    let (conn, _) = sim.expect_request();
    sim.respond(conn, 503, &[("Retry-After", "301")], "{}");
    let events = sim.take_events();
    assert!(
        matches!(responses(&events)[..], [Err(ChatError::Api(ref e))] if e.retry_after == Some(Duration::from_secs(301))),
        "{events:?}"
    );
    // Exactly the limit is still waited.
    sim.chat.get(sim.now, get()).unwrap();
    let (conn, _) = sim.expect_request();
    sim.respond(conn, 503, &[("Retry-After", "300")], "{}");
    sim.advance(Duration::from_millis(299_999));
    assert!(sim.next_request().is_none());
    sim.advance(Duration::from_millis(1));
    assert!(sim.next_request().is_some());
}

#[test]
fn a_retry_after_date_is_waited_against_the_wall_clock() {
    // 1994-11-06T08:49:37Z is 784,111,777; the client's clock reads 45 s
    // before it, and the clock has moved 5 s when the 503 arrives.
    let mut sim = Sim::with_wall_clock(config(), 784_111_777 - 45);
    sim.advance(Duration::from_secs(5));
    sim.chat.get(sim.now, get()).unwrap();
    let (conn, _) = sim.expect_request();
    sim.respond(
        conn,
        503,
        &[("Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT")],
        "{}",
    );
    sim.take_events();
    sim.advance(Duration::from_millis(39_999));
    assert!(sim.next_request().is_none(), "not before the date");
    sim.advance(Duration::from_millis(1));
    assert!(sim.next_request().is_some(), "retried at the date");
    // Without a wall clock the date is ignored: the usual backoff applies.
    let mut sim = Sim::new(config());
    sim.chat.get(sim.now, get()).unwrap();
    let (conn, _) = sim.expect_request();
    sim.respond(
        conn,
        503,
        &[("Retry-After", "Sun, 06 Nov 2094 08:49:37 GMT")],
        "{}",
    );
    sim.advance(Duration::from_secs(30));
    assert!(sim.next_request().is_some(), "the backoff, not the date");
}
