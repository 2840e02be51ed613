//! The adapter against a tiny fake server on 127.0.0.1 (tests/support):
//! connect, the channel's first events, one API call, disconnect; over
//! plain TCP and TLS.

mod support;

use hangups_tokio::proto::hangouts::{
    GetSelfInfoRequest, MessageContent, ResponseStatus, Segment, SendChatMessageRequest,
};
use hangups_tokio::{ApiError, Client, Config, Cookies, Error, Event, Events};
use std::time::Duration;
use tokio::time::timeout;

async fn connect(url: &str) -> (Client, Events) {
    let config = Config::default()
        .with_url(url)
        .expect("url")
        .with_root_cert_pem(support::CA_PEM);
    let cookies = Cookies::from_iter([("SAPISID", "abc")]);
    Client::connect(cookies, config).await.expect("connect")
}

async fn next(events: &mut Events) -> Option<Event> {
    timeout(support::WAIT, events.next())
        .await
        .expect("an event in time")
}

#[tokio::test]
async fn connects_calls_and_disconnects() {
    scenario(&support::start()).await;
}

#[tokio::test]
async fn connects_calls_and_disconnects_over_tls() {
    scenario(&support::start_tls()).await;
}

async fn scenario(url: &str) {
    let (client, mut events) = connect(url).await;
    let ev = next(&mut events).await;
    assert!(matches!(ev, Some(Event::Connected)), "{ev:?}");
    let ev = next(&mut events).await;
    assert!(
        matches!(&ev, Some(Event::ClientId(id)) if id == support::CLIENT_ID),
        "{ev:?}"
    );

    let me = timeout(
        support::WAIT,
        client.get_self_info(GetSelfInfoRequest::default()),
    )
    .await
    .expect("a response in time")
    .expect("get_self_info");
    let status = me.response_header.and_then(|h| h.status);
    assert_eq!(status, Some(ResponseStatus::RESPONSE_STATUS_OK));
    let gaia = me.self_entity.and_then(|e| e.id).and_then(|id| id.gaia_id);
    assert_eq!(gaia.as_deref(), Some(support::GAIA_ID));

    timeout(support::WAIT, client.disconnect())
        .await
        .expect("disconnected in time");
    let mut last = None;
    while let Some(ev) = next(&mut events).await {
        last = Some(ev);
    }
    assert!(
        matches!(last, Some(Event::Closed { error: None })),
        "{last:?}"
    );

    let after = client.get_self_info(GetSelfInfoRequest::default()).await;
    assert!(matches!(after, Err(Error::Closed)), "{after:?}");
}

#[tokio::test]
async fn dropping_every_handle_closes_the_client() {
    let (client, mut events) = connect(&support::start()).await;
    let ev = next(&mut events).await;
    assert!(matches!(ev, Some(Event::Connected)), "{ev:?}");
    drop(client.clone());
    drop(client);
    let mut last = None;
    while let Some(ev) = next(&mut events).await {
        last = Some(ev);
    }
    assert!(
        matches!(last, Some(Event::Closed { error: None })),
        "{last:?}"
    );
}

/// A 2 MiB request over TLS: the server answers (404) only once it has
/// read the whole body.
#[tokio::test]
async fn a_large_request_is_written_whole_over_tls() {
    let (client, _events) = connect(&support::start_tls()).await;
    let result = timeout(support::WAIT, client.send_chat_message(large_message()))
        .await
        .expect("a response in time");
    assert!(
        matches!(result, Err(Error::Api(ApiError::Http { status: 404, .. }))),
        "{result:?}"
    );
    client.disconnect().await;
}

/// With a short request timeout against a server that never answers, the
/// client gives up on its connections and closes them: over TCP after the
/// request is written, over TLS in the middle of the handshake.
#[tokio::test]
async fn connections_that_time_out_are_closed() {
    for scheme in ["http", "https"] {
        let (port, closed) = support::start_silent();
        let (client, _events) = connect_quick(&format!("{scheme}://127.0.0.1:{port}")).await;
        let seen = tokio::task::spawn_blocking(move || closed.recv_timeout(support::WAIT))
            .await
            .expect("join");
        assert!(seen.is_ok(), "{scheme}: the connection was not closed");
        client.disconnect().await;
    }
}

async fn connect_quick(url: &str) -> (Client, Events) {
    let mut config = Config::default().with_url(url).expect("url");
    config.client.request_timeout = Duration::from_millis(200);
    let cookies = Cookies::from_iter([("SAPISID", "abc")]);
    Client::connect(cookies, config).await.expect("connect")
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
