//! The adapter against a tiny fake server on 127.0.0.1 (tests/support):
//! connect, the channel's first events, one API call, disconnect.

mod support;

use hangups_tokio::proto::hangouts::{GetSelfInfoRequest, ResponseStatus};
use hangups_tokio::{Client, Config, Cookies, Error, Event, Events};
use tokio::time::timeout;

async fn connect() -> (Client, Events) {
    let config = Config::default().with_url(&support::start()).expect("url");
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
    let (client, mut events) = connect().await;
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
    let (client, mut events) = connect().await;
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
