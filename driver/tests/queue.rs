//! The driver's bounded event queue: what fits goes on, pushed updates
//! past the capacity are counted and reported in their place, channel
//! events always go on; and LiveList catches up on a lag.

use hangups_core::api::ApiRequest;
use hangups_core::client::Event;
use hangups_core::proto::hangouts::Entity;
use hangups_core::state::{ConversationList, LiveList, Update, UserList};
use hangups_driver::{event_queue, Delivery};

fn update() -> Event {
    Event::StateUpdate(Box::default())
}

fn kinds(items: &[Delivery]) -> Vec<String> {
    items
        .iter()
        .map(|d| match d {
            Delivery::Event(Event::StateUpdate(_)) => "update".to_string(),
            Delivery::Event(other) => format!("{other:?}"),
            Delivery::Lagged { missed } => format!("lagged {missed}"),
            _ => "other".to_string(),
        })
        .collect()
}

#[test]
fn past_the_capacity_updates_are_counted_and_reported_in_their_place() {
    let (tx, rx) = event_queue(2);
    let mut channel: Vec<Delivery> = Vec::new();
    for _ in 0..5 {
        tx.offer(update(), |d| channel.push(d));
    }
    assert_eq!(kinds(&channel), ["update", "update"], "full at two");
    // A channel event goes on anyway, after the lag so far.
    tx.offer(Event::Subscribed, |d| channel.push(d));
    assert_eq!(
        kinds(&channel),
        ["update", "update", "lagged 3", "Subscribed"]
    );
    assert_eq!(tx.queued(), 4);
    // The application takes everything; the next update fits again.
    for _ in 0..4 {
        rx.took();
    }
    assert!(rx.lagged().is_none());
    tx.offer(update(), |d| channel.push(d));
    assert_eq!(channel.len(), 5);
    rx.took();
    // Dropped while full, then the application empties the queue: it
    // learns of the lag without waiting for another event.
    tx.offer(update(), |d| channel.push(d));
    tx.offer(update(), |d| channel.push(d));
    tx.offer(update(), |d| channel.push(d));
    assert_eq!(channel.len(), 7);
    rx.took();
    rx.took();
    assert!(matches!(rx.lagged(), Some(Delivery::Lagged { missed: 1 })));
    assert!(rx.lagged().is_none(), "reported once");
}

#[test]
fn a_lag_is_reported_and_caught_up_from_the_sync_position() {
    let users = UserList::new(&Entity::default(), &[], &[]);
    let mut live = LiveList::new(ConversationList::new(&[], users, 5));
    let (token, _) = live.poll_request().unwrap();
    live.handle_response(
        token,
        Ok(hangups_core::proto::hangouts::SyncAllNewEventsResponse::default().into()),
    );
    assert!(live.poll_request().is_none());
    live.handle_lag(7);
    assert!(matches!(
        live.poll_update(),
        Some(Update::Lagged { missed: 7 })
    ));
    match live.poll_request() {
        Some((_, ApiRequest::SyncAllNewEvents(r))) => assert_eq!(r.last_sync_timestamp, Some(5)),
        other => panic!("expected a catch-up, got {other:?}"),
    }
}

#[test]
fn keep_alives_never_grow_a_full_queue_and_are_not_a_lag() {
    let (tx, rx) = event_queue(1);
    let mut channel: Vec<Delivery> = Vec::new();
    tx.offer(Event::KeepAlive, |d| channel.push(d));
    for _ in 0..100 {
        tx.offer(Event::KeepAlive, |d| channel.push(d));
    }
    assert_eq!(kinds(&channel), ["KeepAlive"]);
    rx.took();
    assert!(rx.lagged().is_none());
}
