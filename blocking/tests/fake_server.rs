//! The adapter against a tiny fake server on 127.0.0.1 (tests/support):
//! connect, the channel's first events, one API call, disconnect; over
//! plain TCP and TLS.

mod support;

use hangups_blocking::proto::hangouts::{
    GetSelfInfoRequest, MessageContent, ResponseStatus, Segment, SendChatMessageRequest,
};
use hangups_blocking::{ApiError, Client, Config, Cookies, Error, Event, Events};
use std::time::Duration;

fn connect(url: &str) -> (Client, Events) {
    let config = Config::default()
        .with_url(url)
        .expect("url")
        .with_root_cert_pem(support::CA_PEM);
    let cookies = Cookies::from_iter([("SAPISID", "abc")]);
    Client::connect(cookies, config).expect("connect")
}

/// The events up to [`Event::Closed`], each within [`support::WAIT`];
/// checks that the iterator ends there.
fn until_closed(events: &mut Events) -> Vec<Event> {
    let mut seen = Vec::new();
    loop {
        let Some(ev) = events.recv_timeout(support::WAIT) else {
            panic!("no Closed in time; so far {seen:?}");
        };
        let closed = matches!(ev, Event::Closed { .. });
        seen.push(ev);
        if closed {
            assert!(events.next().is_none(), "events after Closed");
            return seen;
        }
    }
}

#[test]
fn connects_calls_and_disconnects() {
    scenario(&support::start());
}

#[test]
fn connects_calls_and_disconnects_over_tls() {
    scenario(&support::start_tls());
}

fn scenario(url: &str) {
    let (client, mut events) = connect(url);
    let ev = events.recv_timeout(support::WAIT);
    assert!(matches!(ev, Some(Event::Connected)), "{ev:?}");
    let ev = events.recv_timeout(support::WAIT);
    assert!(
        matches!(&ev, Some(Event::ClientId(id)) if id == support::CLIENT_ID),
        "{ev:?}"
    );

    // Bounded by the core's request timeout (30 s) and the server's reads.
    let me = client
        .get_self_info(GetSelfInfoRequest::default())
        .expect("get_self_info");
    let status = me.response_header.and_then(|h| h.status);
    assert_eq!(status, Some(ResponseStatus::RESPONSE_STATUS_OK));
    let gaia = me.self_entity.and_then(|e| e.id).and_then(|id| id.gaia_id);
    assert_eq!(gaia.as_deref(), Some(support::GAIA_ID));

    client.disconnect();
    let rest = until_closed(&mut events);
    assert!(
        matches!(rest.last(), Some(Event::Closed { error: None })),
        "{rest:?}"
    );

    let after = client.get_self_info(GetSelfInfoRequest::default());
    assert!(matches!(after, Err(Error::Closed)), "{after:?}");
}

#[test]
fn dropping_every_handle_closes_the_client() {
    let (client, mut events) = connect(&support::start());
    let ev = events.recv_timeout(support::WAIT);
    assert!(matches!(ev, Some(Event::Connected)), "{ev:?}");
    drop(client.clone());
    drop(client);
    let rest = until_closed(&mut events);
    assert!(
        matches!(rest.last(), Some(Event::Closed { error: None })),
        "{rest:?}"
    );
}

/// A 2 MiB request over TLS: the server answers (404) only once it has
/// read the whole body.
#[test]
fn a_large_request_is_written_whole_over_tls() {
    let (client, _events) = connect(&support::start_tls());
    // Bounded by the core's request timeout (30 s) and the server's reads.
    let result = client.send_chat_message(large_message());
    assert!(
        matches!(result, Err(Error::Api(ApiError::Http { status: 404, .. }))),
        "{result:?}"
    );
    client.disconnect();
}

/// With a short request timeout against a server that never answers, the
/// client gives up on its connections and closes them: over TCP after the
/// request is written, over TLS in the middle of the handshake.
#[test]
fn connections_that_time_out_are_closed() {
    for scheme in ["http", "https"] {
        let (port, closed) = support::start_silent();
        let mut config = Config::default()
            .with_url(&format!("{scheme}://127.0.0.1:{port}"))
            .expect("url");
        config.client.request_timeout = Duration::from_millis(200);
        let cookies = Cookies::from_iter([("SAPISID", "abc")]);
        let (client, _events) = Client::connect(cookies, config).expect("connect");
        let seen = closed.recv_timeout(support::WAIT);
        assert!(seen.is_ok(), "{scheme}: the connection was not closed");
        client.disconnect();
    }
}

/// A chat message of 2 MiB of text.
fn large_message() -> SendChatMessageRequest {
    SendChatMessageRequest {
        message_content: Some(MessageContent {
            segment: vec![Segment {
                text: Some("x".repeat(2 << 20)),
                ..Default::default()
            }],
            ..Default::default()
        }),
        ..Default::default()
    }
}
