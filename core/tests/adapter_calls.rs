//! hangups_core::adapter::Calls: answers reach the replies of their calls.

use hangups_core::adapter::Calls;
use hangups_core::api::{ApiError, Cookies, TransportError};
use hangups_core::client::{Client, Config, Event, RequestId};
use hangups_core::proto::hangouts::GetSelfInfoRequest;
use std::sync::mpsc;
use std::time::Instant;

#[test]
fn answers_reach_their_replies_and_other_events_come_back() {
    let now = Instant::now();
    let config =
        Config::new(Cookies::from_iter([("SAPISID", "s")])).with_server("127.0.0.1", 1, false);
    let mut core = Client::new(config, now, 0).unwrap();
    let mut calls = Calls::default();
    let (tx, rx) = mpsc::channel();
    calls.request(
        &mut core,
        now,
        GetSelfInfoRequest::default().into(),
        Box::new(move |r| tx.send(r).unwrap()),
    );
    assert_eq!(calls.len(), 1);
    let id = RequestId(0);
    let event = Event::Response {
        id,
        result: Err(ApiError::Transport(TransportError::ClosedBeforeResponse)),
    };
    assert!(calls.route(event).is_none());
    assert!(rx.try_recv().unwrap().is_err());
    assert!(calls.is_empty());
    assert!(matches!(
        calls.route(Event::Connected),
        Some(Event::Connected)
    ));
    // A closed core answers at once.
    core.disconnect(now);
    let (tx, rx) = mpsc::channel();
    calls.request(
        &mut core,
        now,
        GetSelfInfoRequest::default().into(),
        Box::new(move |r| tx.send(r).unwrap()),
    );
    assert!(matches!(rx.try_recv(), Ok(Err(ApiError::Closed))));
    assert!(calls.is_empty());
}
