//! The adapter against a tiny fake server on 127.0.0.1 (tests/support):
//! connect, the channel's first events, one API call, disconnect; over
//! plain TCP and TLS.

mod support;

use hangups_smol::proto::hangouts::{
    GetSelfInfoRequest, MessageContent, ResponseStatus, Segment, SendChatMessageRequest,
};
use hangups_smol::{ApiError, Client, Config, Cookies, Error, Event, Events};
use smol::future::FutureExt;
use smol::stream::StreamExt;
use std::future::Future;
use std::time::Duration;

/// `fut`, or a panic after [`support::WAIT`].
async fn within<T>(fut: impl Future<Output = T>) -> T {
    fut.or(async {
        smol::Timer::after(support::WAIT).await;
        panic!("timed out")
    })
    .await
}

async fn connect(url: &str) -> (Client, Events) {
    let config = Config::default()
        .with_url(url)
        .expect("url")
        .with_root_cert_pem(support::CA_PEM);
    let cookies = Cookies::from_iter([("SAPISID", "abc")]);
    Client::connect(cookies, config).await.expect("connect")
}

#[test]
fn connects_calls_and_disconnects() {
    smol::block_on(scenario(&support::start()));
}

#[test]
fn connects_calls_and_disconnects_over_tls() {
    smol::block_on(scenario(&support::start_tls()));
}

async fn scenario(url: &str) {
    let (client, mut events) = connect(url).await;
    let ev = within(events.next()).await;
    assert!(matches!(ev, Some(Event::Connected)), "{ev:?}");
    let ev = within(events.next()).await;
    assert!(
        matches!(&ev, Some(Event::ClientId(id)) if id == support::CLIENT_ID),
        "{ev:?}"
    );

    let me = within(client.get_self_info(GetSelfInfoRequest::default()))
        .await
        .expect("get_self_info");
    let status = me.response_header.and_then(|h| h.status);
    assert_eq!(status, Some(ResponseStatus::RESPONSE_STATUS_OK));
    let gaia = me.self_entity.and_then(|e| e.id).and_then(|id| id.gaia_id);
    assert_eq!(gaia.as_deref(), Some(support::GAIA_ID));

    within(client.disconnect()).await;
    let mut last = None;
    while let Some(ev) = within(events.next()).await {
        last = Some(ev);
    }
    assert!(
        matches!(last, Some(Event::Closed { error: None })),
        "{last:?}"
    );

    let after = client.get_self_info(GetSelfInfoRequest::default()).await;
    assert!(matches!(after, Err(Error::Closed)), "{after:?}");
}

#[test]
fn dropping_every_handle_closes_the_client_and_events_is_a_stream() {
    smol::block_on(async {
        let (client, mut events) = connect(&support::start()).await;
        let ev = within(StreamExt::next(&mut events)).await;
        assert!(matches!(ev, Some(Event::Connected)), "{ev:?}");
        drop(client.clone());
        drop(client);
        let rest: Vec<Event> = within(events.collect()).await;
        assert!(
            matches!(rest.last(), Some(Event::Closed { error: None })),
            "{rest:?}"
        );
    })
}

/// A 2 MiB request over TLS: the server answers (404) only once it has
/// read the whole body.
#[test]
fn a_large_request_is_written_whole_over_tls() {
    smol::block_on(async {
        let (client, _events) = connect(&support::start_tls()).await;
        let result = within(client.send_chat_message(large_message())).await;
        assert!(
            matches!(result, Err(Error::Api(ApiError::Http { status: 404, .. }))),
            "{result:?}"
        );
        client.disconnect().await;
    })
}

/// With a short request timeout against a server that never answers, the
/// client gives up on its connections and closes them: over TCP after the
/// request is written, over TLS in the middle of the handshake.
#[test]
fn connections_that_time_out_are_closed() {
    smol::block_on(async {
        for scheme in ["http", "https"] {
            let (port, closed) = support::start_silent();
            let mut config = Config::default()
                .with_url(&format!("{scheme}://127.0.0.1:{port}"))
                .expect("url");
            config.client.request_timeout = Duration::from_millis(200);
            let cookies = Cookies::from_iter([("SAPISID", "abc")]);
            let (client, _events) = Client::connect(cookies, config).await.expect("connect");
            let seen = smol::unblock(move || closed.recv_timeout(support::WAIT)).await;
            assert!(seen.is_ok(), "{scheme}: the connection was not closed");
            client.disconnect().await;
        }
    })
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
