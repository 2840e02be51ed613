//! [`Client`], the handle to a chat client's drive loop, and [`Events`],
//! its bounded event queue. Both are the same for every runtime: a handle
//! only sends [`Command`]s, whoever drives.

use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

use hangups_core::api::{ApiCall, ApiRequest, ApiResponse, Cookies, UploadedImage};
use hangups_core::client::Event;
use hangups_core::state::StateError;

use crate::host::{Command, CommandSink};
use crate::queue::{event_queue, Delivery, EventSource, QueueReceiver, QueueSender};
use crate::{Config, Error};

/// A handle to a connected client. Cheap to clone; every clone talks to
/// the same drive loop. Dropping the last one disconnects. `R` names the
/// runtime it was started on (hangups-tokio's `Client` is
/// `Client<TokioRuntime>`); a handle never uses it after starting.
pub struct Client<R> {
    inner: Arc<Inner>,
    runtime: PhantomData<fn() -> R>,
}

struct Inner {
    send: CommandSink,
}

impl Drop for Inner {
    fn drop(&mut self) {
        (self.send)(Command::HandlesGone);
    }
}

impl<R> Clone for Client<R> {
    fn clone(&self) -> Self {
        Client {
            inner: self.inner.clone(),
            runtime: PhantomData,
        }
    }
}

impl<R> std::fmt::Debug for Client<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").finish_non_exhaustive()
    }
}

impl<R> Client<R> {
    /// A handle sending its commands through `send`.
    pub(crate) fn from_sink(send: CommandSink) -> Self {
        Client {
            inner: Arc::new(Inner { send }),
            runtime: PhantomData,
        }
    }

    fn send(&self, command: Command) -> Result<(), Error> {
        if (self.inner.send)(command) {
            Ok(())
        } else {
            Err(Error::Closed)
        }
    }

    /// Sends any chat API request and waits for its response.
    pub async fn request(&self, request: ApiRequest) -> Result<ApiResponse, Error> {
        let (tx, rx) = async_channel::bounded(1);
        let reply = Box::new(move |result| {
            let _ = tx.try_send(result);
        });
        self.send(Command::Request(request, reply))?;
        Ok(rx.recv().await.map_err(|_| Error::Closed)??)
    }

    /// Sends a typed chat API request and waits for its typed response.
    pub async fn call<C: ApiCall>(&self, request: C) -> Result<C::Response, Error> {
        let response = self.request(request.into()).await?;
        C::response_from(response)
            .map_err(|other| Error::State(StateError::UnexpectedResponse(other.name())))
    }

    /// Uploads an image; put the returned `photo_id` in
    /// `SendChatMessageRequest.existing_media`.
    pub async fn upload_image(
        &self,
        filename: &str,
        image: Vec<u8>,
    ) -> Result<UploadedImage, Error> {
        let (tx, rx) = async_channel::bounded(1);
        let reply = Box::new(move |result| {
            let _ = tx.try_send(result);
        });
        self.send(Command::Upload(filename.to_string(), image, reply))?;
        Ok(rx.recv().await.map_err(|_| Error::Closed)??)
    }

    /// Marks this client as the active one (PROTOCOL.md §7.1).
    pub fn set_active(&self) {
        let _ = self.send(Command::SetActive);
    }

    /// Closes every connection; returns once the drive loop has stopped.
    pub async fn disconnect(&self) {
        let (tx, rx) = async_channel::bounded::<()>(1);
        let done = Box::new(move || {
            let _ = tx.try_send(());
        });
        if self.send(Command::Disconnect(done)).is_ok() {
            let _ = rx.recv().await;
        }
    }
}

macro_rules! api_methods {
    ($( $(#[$doc:meta])* $name:ident($req:ty) -> $resp:ty; )*) => {
        impl<R> Client<R> {
            $(
                $(#[$doc])*
                pub async fn $name(&self, request: $req) -> Result<$resp, Error> {
                    self.call(request).await
                }
            )*
        }
    };
}
hangups_core::for_each_api_call!(api_methods);

/// The client's events, in order: channel state changes, client id, state
/// updates, unknown pushes, and finally [`Event::Closed`]. API responses go
/// to the calls that asked for them, not here.
///
/// A bounded queue ([`Config::event_queue_capacity`], default
/// [`DEFAULT_EVENT_QUEUE_CAPACITY`](crate::DEFAULT_EVENT_QUEUE_CAPACITY)):
/// if the application stops taking events, the drive loop drops pushed
/// updates past the capacity rather than grow or wait, and says so in
/// order: [`next_delivery`](Self::next_delivery) yields
/// [`Delivery::Lagged`] where they were dropped (the high-level list
/// catches up on it); [`next`](Self::next) skips it with a warning and adds
/// it to [`missed`](Self::missed).
#[derive(Debug)]
pub struct Events {
    rx: Pin<Box<async_channel::Receiver<Delivery>>>,
    queue: QueueReceiver,
    missed: u64,
}

/// The drive loop's side of an event queue.
pub(crate) type EventTx = (async_channel::Sender<Delivery>, QueueSender);

impl Events {
    /// Both sides of a queue of `capacity`.
    pub(crate) fn channel(capacity: usize) -> (EventTx, Events) {
        let (tx, rx) = async_channel::unbounded();
        let (queue_tx, queue) = event_queue(capacity);
        let events = Events {
            rx: Box::pin(rx),
            queue,
            missed: 0,
        };
        ((tx, queue_tx), events)
    }

    /// The next event; `None` after the client closed. A lag is skipped
    /// (logged, and counted in [`missed`](Self::missed)).
    pub async fn next(&mut self) -> Option<Event> {
        std::future::poll_fn(|cx| self.poll_event(cx)).await
    }

    /// The next event or lag report; `None` after the client closed.
    pub async fn next_delivery(&mut self) -> Option<Delivery> {
        std::future::poll_fn(|cx| self.poll_delivery(cx)).await
    }

    /// How many pushed updates [`next`](Self::next) skipped as dropped.
    pub fn missed(&self) -> u64 {
        self.missed
    }

    /// Polls for the next event, skipping (and counting) lag reports.
    pub fn poll_event(&mut self, cx: &mut Context<'_>) -> Poll<Option<Event>> {
        loop {
            match std::task::ready!(self.poll_delivery(cx)) {
                Some(Delivery::Event(event)) => return Poll::Ready(Some(event)),
                Some(Delivery::Lagged { missed }) => {
                    tracing::warn!(missed, "events not taken in time were dropped");
                    self.missed += missed;
                }
                None => return Poll::Ready(None),
            }
        }
    }
}

impl EventSource for Events {
    fn poll_delivery(&mut self, cx: &mut Context<'_>) -> Poll<Option<Delivery>> {
        use futures_core::Stream;
        match self.rx.as_mut().poll_next(cx) {
            Poll::Ready(Some(delivery)) => {
                self.queue.took();
                Poll::Ready(Some(delivery))
            }
            Poll::Ready(None) => Poll::Ready(None),
            Poll::Pending => match self.queue.lagged() {
                Some(lag) => Poll::Ready(Some(lag)),
                None => Poll::Pending,
            },
        }
    }
}

impl futures_core::Stream for Events {
    type Item = Event;
    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Event>> {
        self.poll_event(cx)
    }
}

/// A new core for `cookies` and `config`, seeded from the OS, with its
/// push channel connecting.
pub(crate) fn new_core(
    cookies: Cookies,
    config: Config,
) -> Result<hangups_core::client::Client, Error> {
    let mut core_config = config.into_core(cookies, |name| std::env::var(name).ok());
    core_config.rng_seed = crate::os_seed();
    let now = Instant::now();
    let mut core = hangups_core::client::Client::new(core_config, now, crate::unix_secs())?;
    core.connect(now);
    Ok(core)
}
