//! The adapter against a tiny fake server on 127.0.0.1 (tests/support):
//! connect, the channel's first events, one API call, disconnect.

mod support;

use hangups_smol::proto::hangouts::{GetSelfInfoRequest, ResponseStatus};
use hangups_smol::{Client, Config, Cookies, Error, Event, Events};
use smol::future::FutureExt;
use smol::stream::StreamExt;
use std::future::Future;

/// `fut`, or a panic after [`support::WAIT`].
async fn within<T>(fut: impl Future<Output = T>) -> T {
    fut.or(async {
        smol::Timer::after(support::WAIT).await;
        panic!("timed out")
    })
    .await
}

async fn connect() -> (Client, Events) {
    let config = Config::default().with_url(&support::start()).expect("url");
    let cookies = Cookies::from_iter([("SAPISID", "abc")]);
    Client::connect(cookies, config).await.expect("connect")
}

#[test]
fn connects_calls_and_disconnects() {
    smol::block_on(async {
        let (client, mut events) = connect().await;
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
    })
}

#[test]
fn dropping_every_handle_closes_the_client_and_events_is_a_stream() {
    smol::block_on(async {
        let (client, mut events) = connect().await;
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
