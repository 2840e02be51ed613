//! The adapter against a tiny fake server on 127.0.0.1 (tests/support):
//! connect, the channel's first events, one API call, disconnect.

mod support;

use hangups_blocking::proto::hangouts::{GetSelfInfoRequest, ResponseStatus};
use hangups_blocking::{Client, Config, Cookies, Error, Event, Events};

fn connect() -> (Client, Events) {
    let config = Config::default().with_url(&support::start()).expect("url");
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
    let (client, mut events) = connect();
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
    let (client, mut events) = connect();
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
