//! Chat API calls through the client, deterministically (PROTOCOL.md §2):
//! the exact request, typed responses, status errors, transport retries,
//! and credentials only for allowed hosts.

mod support;

use base64::Engine;
use hangups_core::api::{ApiError, ApiRequest, ApiResponse, Deadline, TransportError};
use hangups_core::client::Config;
use hangups_proto::hangouts::*;
use std::time::Duration;
use support::*;

fn ok_header() -> Option<ResponseHeader> {
    Some(ResponseHeader {
        status: Some(ResponseStatus::RESPONSE_STATUS_OK),
        ..Default::default()
    })
}

fn b64(bytes: &[u8]) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .encode(bytes)
        .into_bytes()
}

fn send_message_request() -> ApiRequest {
    ApiRequest::from(SendChatMessageRequest {
        event_request_header: Some(Box::new(EventRequestHeader {
            conversation_id: Some(ConversationId {
                id: Some("conv1".into()),
            }),
            ..Default::default()
        })),
        message_content: Some(Box::new(MessageContent {
            segment: vec![Segment {
                text: Some("hi".into()),
                ..Default::default()
            }],
            ..Default::default()
        })),
        ..Default::default()
    })
}

#[test]
fn a_successful_call_sends_the_exact_request_and_returns_the_typed_response() {
    let mut sim = Sim::new(config());
    let id = sim.client.request(sim.now, send_message_request()).unwrap();
    sim.drain();
    let (conn, req) = sim.next_request();
    assert_eq!(req.method, "POST");
    assert_eq!(req.target, "/chat/v1/conversations/sendchatmessage?alt=proto&key=AIzaSyD7InnYR3VKdb4j2rMUEbTCIr2VyEazl6k");
    assert_eq!(req.header("content-type"), Some("application/x-protobuf"));
    assert_eq!(
        req.header("x-goog-encode-response-if-executable"),
        Some("base64")
    );
    assert_eq!(
        req.header("authorization"),
        Some("SAPISIDHASH 1234567890_fc8d2bc1330be75b1748d35d13c332bb0087b98c")
    );
    let sent: SendChatMessageRequest = hangups_proto::decode_binary(&req.body).unwrap();
    let rh = sent.request_header.unwrap();
    assert_eq!(
        rh.client_version.unwrap().client_id,
        Some(ClientId::CLIENT_ID_WEB_HANGOUTS)
    );
    assert_eq!(rh.language_code.as_deref(), Some("en"));
    assert!(rh.client_identifier.is_none(), "no client id yet");
    let cgid = sent
        .event_request_header
        .unwrap()
        .client_generated_id
        .expect("filled in");
    assert!(cgid <= 1 << 32);

    let resp = SendChatMessageResponse {
        response_header: ok_header(),
        created_event: Some(Box::new(Event {
            event_id: Some("ev9".into()),
            ..Default::default()
        })),
    };
    let mut body = b64(&hangups_proto::encode_binary(&resp));
    body.insert(4, b'\n'); // stray characters are ignored
    sim.send(conn, &response(200, "OK", &body));
    let events = sim.take_events();
    let [hangups_core::client::Event::Response {
        id: got,
        result: Ok(r),
    }] = &events[..]
    else {
        panic!("{events:?}")
    };
    assert_eq!(*got, id);
    let ApiResponse::SendChatMessage(r) = r.as_ref() else {
        panic!("{r:?}")
    };
    assert_eq!(
        r.created_event.as_ref().unwrap().event_id.as_deref(),
        Some("ev9")
    );
    assert!(sim.is_closed_by_client(conn));
}

fn one_response(sim: &mut Sim) -> Result<Box<ApiResponse>, ApiError> {
    let events = sim.take_events();
    match events.into_iter().next() {
        Some(hangups_core::client::Event::Response { result, .. }) => result,
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_non_ok_status_is_a_typed_error_with_the_description() {
    let mut sim = Sim::new(config());
    sim.client
        .request(sim.now, ApiRequest::from(GetSelfInfoRequest::default()))
        .unwrap();
    sim.drain();
    let (conn, _) = sim.next_request();
    let resp = GetSelfInfoResponse {
        response_header: Some(ResponseHeader {
            status: Some(ResponseStatus::RESPONSE_STATUS_INVALID_REQUEST),
            error_description: Some("bad conversation".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    sim.send(
        conn,
        &response(200, "OK", &b64(&hangups_proto::encode_binary(&resp))),
    );
    match one_response(&mut sim) {
        Err(ApiError::Status {
            status,
            description,
        }) => {
            assert_eq!(status, 4);
            assert_eq!(description, "bad conversation");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn bad_base64_and_bad_protobuf_and_http_errors_are_typed() {
    let mut sim = Sim::new(config());
    for (body, status) in [(&b"QQ"[..], 200u16), (&b"/w=="[..], 200), (&b""[..], 503)] {
        sim.client
            .request(sim.now, ApiRequest::from(GetSelfInfoRequest::default()))
            .unwrap();
        sim.drain();
        let (conn, _) = sim.next_request();
        sim.send(conn, &response(status, "X", body));
        let r = one_response(&mut sim);
        match status {
            503 => assert!(
                matches!(r, Err(ApiError::Http { status: 503, .. })),
                "{r:?}"
            ),
            _ => assert!(r.is_err(), "{r:?}"),
        }
    }
}

#[test]
fn transport_failures_are_retried_three_times_in_all() {
    let mut sim = Sim::new(config());
    sim.client
        .request(sim.now, ApiRequest::from(GetSelfInfoRequest::default()))
        .unwrap();
    sim.drain();
    sim.refuse();
    let (c2, _) = sim.next_request();
    sim.close(c2);
    assert!(sim.take_events().is_empty(), "two failures: still retrying");
    let (c3, _) = sim.next_request();
    sim.advance(Duration::from_secs(31)); // timeout on the third attempt
    assert!(sim.is_closed_by_client(c3));
    assert!(matches!(
        one_response(&mut sim),
        Err(ApiError::Transport(TransportError::TimedOut(
            Deadline::Idle
        )))
    ));
    assert!(sim.pending.is_empty(), "no fourth attempt");
}

#[test]
fn http_errors_are_not_retried() {
    let mut sim = Sim::new(config());
    sim.client
        .request(sim.now, ApiRequest::from(GetSelfInfoRequest::default()))
        .unwrap();
    sim.drain();
    let (c, _) = sim.next_request();
    sim.send(c, &response(500, "Internal Server Error", b""));
    assert!(matches!(
        one_response(&mut sim),
        Err(ApiError::Http { status: 500, .. })
    ));
    assert!(sim.pending.is_empty());
}

#[test]
fn the_client_id_goes_into_later_request_headers() {
    let mut sim = Sim::new(config());
    sim.client.connect(sim.now);
    sim.drain();
    let (c, _) = sim.next_request();
    sim.send(c, &response(200, "OK", sid_body("S", "G").as_bytes()));
    let (p, _) = sim.next_request();
    sim.send(p, &stream_head());
    sim.send(
        p,
        &http_chunk(client_id_chunk(1, "lcsw_hangouts_00BBCF28").as_bytes()),
    );
    let _sub = sim.accept();
    sim.client
        .request(sim.now, ApiRequest::from(GetSelfInfoRequest::default()))
        .unwrap();
    sim.drain();
    let (_, req) = sim.next_request();
    // PROTOCOL.md §2.1's verified bytes, with our version string.
    let sent: GetSelfInfoRequest = hangups_proto::decode_binary(&req.body).unwrap();
    let rh = sent.request_header.unwrap();
    assert_eq!(
        rh.client_identifier.unwrap().resource.as_deref(),
        Some("lcsw_hangouts_00BBCF28")
    );
}

#[test]
fn credentials_go_only_to_allowed_hosts() {
    use hangups_core::api::ApiEndpoint;
    use hangups_core::client::{Client, ConfigError};
    // A server off the allow-list is refused up front, with a typed error.
    for (role, host) in [
        ("api", "api.example.net"),
        ("channel", "evil.google.com.example.net"),
        ("api", "google.com"),
    ] {
        let mut cfg = Config::new(cookies());
        if role == "api" {
            cfg.api = ApiEndpoint::new(host, 443, true);
        } else {
            cfg.channel = ApiEndpoint::new(host, 443, true);
        }
        match Client::new(cfg, std::time::Instant::now(), UNIX_SECS) {
            Err(ConfigError::HostNotAllowed { role: r, host: h }) => {
                assert_eq!((r, h), (role, format!("https://{host}")))
            }
            other => panic!("{host}: {other:?}"),
        }
    }
    // An image upload URL the server points elsewhere gets nothing either
    // (checked in hangups_core::api::upload's tests); Google's hosts do get them.
    let mut sim = Sim::new(Config::new(cookies()));
    sim.client
        .request(sim.now, ApiRequest::from(GetSelfInfoRequest::default()))
        .unwrap();
    sim.client.connect(sim.now);
    sim.drain();
    for _ in 0..2 {
        let (c, req) = sim.next_request();
        assert!(sim.conns[&c].host.ends_with(".google.com"));
        assert!(sim.conns[&c].tls);
        assert!(req.header("cookie").is_some() && req.header("authorization").is_some());
    }
}

#[test]
fn requests_after_disconnect_are_refused_and_pending_ones_fail() {
    let mut sim = Sim::new(config());
    let id = sim
        .client
        .request(sim.now, ApiRequest::from(GetSelfInfoRequest::default()))
        .unwrap();
    sim.drain();
    sim.client.disconnect(sim.now);
    sim.drain();
    let events = sim.take_events();
    assert!(
        matches!(&events[0], hangups_core::client::Event::Response { id: i, result: Err(ApiError::Closed) } if *i == id)
    );
    assert!(matches!(
        events.last(),
        Some(hangups_core::client::Event::Closed { error: None })
    ));
    assert!(sim
        .client
        .request(sim.now, ApiRequest::from(GetSelfInfoRequest::default()))
        .is_err());
}

#[test]
fn debug_output_of_the_client_and_its_requests_holds_no_secret() {
    let mut sim = Sim::new(config());
    sim.client
        .request(sim.now, ApiRequest::from(GetSelfInfoRequest::default()))
        .unwrap();
    sim.client.connect(sim.now);
    sim.drain();
    let _ = sim.accept();
    let dump = format!("{:?}", sim.client);
    for secret in [
        "abc",
        "sid-cookie",
        "fc8d2bc1330be75b1748d35d13c332bb0087b98c",
    ] {
        assert!(!dump.contains(secret), "{secret} in {dump}");
    }
    let req = hangups_core::http::Request::new(hangups_core::http::Method::Get, "h", 1, false, "/")
        .with_header("Cookie", "SAPISID=abc")
        .with_header("authorization", "SAPISIDHASH 1_ff");
    let dump = format!("{req:?}");
    assert!(!dump.contains("abc") && !dump.contains("1_ff"), "{dump}");
}
