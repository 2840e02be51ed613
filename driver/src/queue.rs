//! The bounded event queue between an adapter's driver and the
//! application: what to do with an event when the application has fallen
//! behind, written once for every adapter (each brings its own channel).
//!
//! The queue holds at most [`Config::event_queue_capacity`](crate::Config::event_queue_capacity)
//! events (default [`DEFAULT_EVENT_QUEUE_CAPACITY`]). When it is full, the
//! driver neither waits nor grows it: a pushed state update (or unknown
//! push) is **dropped and counted**, and so is every later one until the
//! application has taken events again; then a [`Delivery::Lagged`] with
//! the count goes on the queue first, in the place of what was dropped.
//! Everything dropped can be fetched again with SyncAllNewEvents from the
//! position the application had before the gap, which is what the
//! high-level list does ([`Update::Lagged`](hangups_core::state::Update::Lagged)).
//! Client events about the channel (connected, reconnected, disconnected,
//! client id, subscribed, session expired, closed) are never dropped: they
//! are few, and go on the queue even when it is full. A keep-alive past the
//! capacity is dropped unreported (it carries nothing).

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;

use hangups_core::client::Event;

/// Default capacity of an adapter's event queue.
pub const DEFAULT_EVENT_QUEUE_CAPACITY: usize = 1024;

/// One item of an adapter's event queue.
#[derive(Debug)]
#[non_exhaustive]
pub enum Delivery {
    /// A client event.
    Event(Event),
    /// The application fell behind: this many pushed updates were dropped
    /// here. Catch up (SyncAllNewEvents from the last position) to get
    /// their events back.
    Lagged {
        /// How many were dropped.
        missed: u64,
    },
}

#[derive(Debug)]
struct Shared {
    capacity: usize,
    /// Items on the queue, not taken yet.
    queued: AtomicUsize,
    /// Updates dropped since the last [`Delivery::Lagged`].
    missed: AtomicU64,
}

/// The driver's side of the queue: decides what goes on the channel.
#[derive(Debug, Clone)]
pub struct QueueSender(Arc<Shared>);

/// The application's side: counts what it takes, and reports a lag the
/// driver could not put on the channel yet.
#[derive(Debug)]
pub struct QueueReceiver(Arc<Shared>);

/// A queue of `capacity` events (0 counts as 1), shared by the two sides.
///
/// When it is full, the driver neither waits nor grows it: a pushed state
/// update (or unknown push) is dropped and counted, and so is every later
/// one until the application has taken events again; then a
/// [`Delivery::Lagged`] with the count goes on the queue first, in the
/// place of what was dropped (or the application's side reports it when it
/// finds the channel empty). Channel events (connected, reconnected,
/// disconnected, client id, subscribed, session expired, closed) are never
/// dropped: they are few, and go on the queue even when it is full.
pub fn event_queue(capacity: usize) -> (QueueSender, QueueReceiver) {
    let shared = Arc::new(Shared {
        capacity: capacity.max(1),
        queued: AtomicUsize::new(0),
        missed: AtomicU64::new(0),
    });
    (QueueSender(shared.clone()), QueueReceiver(shared))
}

impl QueueSender {
    /// Puts `event` on the queue with `send` (the adapter's channel), or
    /// counts it as missed (see [`event_queue`]). Never waits.
    pub fn offer(&self, event: Event, mut send: impl FnMut(Delivery)) {
        let shared = &self.0;
        // A keep-alive carries nothing to lose: past the capacity it is
        // dropped without a lag report (it must not grow the queue either).
        if matches!(event, Event::KeepAlive) && shared.queued.load(SeqCst) >= shared.capacity {
            return;
        }
        let droppable = matches!(event, Event::StateUpdate(_) | Event::UnknownPush { .. });
        if !droppable || shared.queued.load(SeqCst) < shared.capacity {
            self.report_lag(&mut send);
            self.push(Delivery::Event(event), &mut send);
            return;
        }
        shared.missed.fetch_add(1, SeqCst);
        // The application may have emptied the queue meanwhile (and seen
        // no lag yet): report it now, so it is not left waiting.
        if shared.queued.load(SeqCst) < shared.capacity {
            self.report_lag(&mut send);
        }
    }

    /// How many events are on the queue now.
    pub fn queued(&self) -> usize {
        self.0.queued.load(SeqCst)
    }

    fn report_lag(&self, send: &mut impl FnMut(Delivery)) {
        let missed = self.0.missed.swap(0, SeqCst);
        if missed > 0 {
            self.push(Delivery::Lagged { missed }, send);
        }
    }

    fn push(&self, delivery: Delivery, send: &mut impl FnMut(Delivery)) {
        self.0.queued.fetch_add(1, SeqCst);
        send(delivery);
    }
}

impl QueueReceiver {
    /// Call for every item taken off the channel.
    pub fn took(&self) {
        let _ = self
            .0
            .queued
            .fetch_update(SeqCst, SeqCst, |n| Some(n.saturating_sub(1)));
    }

    /// Call when the channel is empty: the lag the driver has not put on
    /// it yet, if any.
    pub fn lagged(&self) -> Option<Delivery> {
        let missed = self.0.missed.swap(0, SeqCst);
        (missed > 0).then_some(Delivery::Lagged { missed })
    }
}

/// Where the high-level list takes its client events from: an adapter's
/// event queue (each adapter's `Events`).
pub trait EventSource: Unpin {
    /// The next item; `None` once the client closed.
    fn poll_delivery(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Delivery>>;
}
