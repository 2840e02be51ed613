//! # hangups-smol
//!
//! The hangups-rs client over smol: this crate opens TCP (async-io) and
//! TLS (futures-rustls, rustls with ring) connections for the sans-IO
//! [`hangups_core::client::Client`], copies bytes both ways, sleeps on an
//! [`async_io::Timer`](smol::Timer) until the core's next deadline, and
//! gives its events and API calls a smol face. All protocol logic is in
//! hangups-core; the API is the same as hangups-tokio's.
//!
//! ```no_run
//! use hangups_smol::{Client, Config, Cookies, Event};
//! use hangups_smol::proto::hangouts::GetSelfInfoRequest;
//!
//! # fn main() -> Result<(), hangups_smol::Error> {
//! let cookies = Cookies::from_iter([("SAPISID", "…"), ("SID", "…")]);
//! smol::block_on(async {
//!     let (client, mut events) = Client::connect(cookies, Config::default()).await?;
//!     let me = client.get_self_info(GetSelfInfoRequest::default()).await?;
//!     println!("signed in as {:?}", me.self_entity);
//!     while let Some(event) = events.next().await {
//!         if let Event::StateUpdate(update) = event {
//!             println!("{update:?}");
//!         }
//!     }
//!     Ok(())
//! })
//! # }
//! ```
//!
//! `Client` is a cheap handle (`Clone`); a driver task owns the core. It
//! is spawned with [`smol::spawn`], on smol's global executor, so it runs
//! whatever executor awaits the handles. Each connection is one more
//! spawned task, and dropping that [`smol::Task`] closes the connection.
//! Dropping every handle disconnects.

#![forbid(unsafe_code)]

mod auth;
mod conn;
mod driver;
mod model;
mod tls;

pub use auth::{
    get_auth, get_auth_stdin, get_auth_stdin_with, get_auth_with, Credentials, CredentialsPrompt,
    FileStore, MemoryStore, NoPrompt, RefreshToken, StdinPrompt,
};

pub use hangups_core::api::{
    ApiError, ApiRequest, ApiResponse, Cookies, UploadError, UploadedImage,
};
pub use hangups_core::client::{ChannelError, Event, FatalError};
pub use hangups_core::proto;
pub use hangups_core::state::{ConversationEvent, Image, Notification, Update, User, UserId};
pub use hangups_core::{message, state};
pub use model::{Conversation, ConversationList, Notifications};

use hangups_core::api::ApiCall;
use smol::channel::{self, Receiver, Sender};
use std::time::{Instant, SystemTime, UNIX_EPOCH};

pub use hangups_core::adapter::{Config, Delivery, Error};
use hangups_core::adapter::{EventSource, QueueReceiver};

/// A command from a handle to the driver task. Replies go through
/// one-message channels.
pub(crate) enum Command {
    Request(ApiRequest, Sender<Result<ApiResponse, ApiError>>),
    Upload(String, Vec<u8>, Sender<Result<UploadedImage, UploadError>>),
    SetActive,
    Disconnect(Sender<()>),
    /// The result of signing in again after `Event::SessionExpired`.
    Renewed(Result<Cookies, hangups_core::auth::AuthError>),
}

/// A handle to a connected client. Cheap to clone; every clone talks to
/// the same driver task.
#[derive(Debug, Clone)]
pub struct Client {
    commands: Sender<Command>,
}

/// The client's events, in order: channel state changes, client id, state
/// updates, unknown pushes, and finally [`Event::Closed`]. API responses go
/// to the calls that asked for them, not here. Also a
/// [`Stream`](futures_core::Stream).
///
/// A bounded queue ([`Config::event_queue_capacity`], default
/// [`DEFAULT_EVENT_QUEUE_CAPACITY`](hangups_core::adapter::DEFAULT_EVENT_QUEUE_CAPACITY)):
/// if the application stops taking events, the driver drops pushed updates
/// past the capacity rather than grow or wait, and says so in order:
/// [`next_delivery`](Self::next_delivery) yields
/// [`Delivery::Lagged`] where they
/// were dropped (the high-level list catches up on it); [`next`](Self::next)
/// skips it with a warning and adds it to [`missed`](Self::missed).
#[derive(Debug)]
pub struct Events {
    // Boxed: the receiver's `Stream` needs pinning, and `Events` stays `Unpin`.
    rx: std::pin::Pin<Box<Receiver<Delivery>>>,
    queue: QueueReceiver,
    missed: u64,
}

impl Events {
    /// The driver's side and the application's side of a queue of `capacity`.
    pub(crate) fn channel(capacity: usize) -> (driver::EventTx, Events) {
        let (tx, rx) = channel::unbounded();
        let (queue_tx, queue) = hangups_core::adapter::event_queue(capacity);
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

    fn poll_event(&mut self, cx: &mut std::task::Context<'_>) -> std::task::Poll<Option<Event>> {
        loop {
            match std::task::ready!(self.poll_delivery(cx)) {
                Some(Delivery::Event(event)) => return std::task::Poll::Ready(Some(event)),
                Some(Delivery::Lagged { missed }) => {
                    tracing::warn!(missed, "events not taken in time were dropped");
                    self.missed += missed;
                }
                Some(_) => {}
                None => return std::task::Poll::Ready(None),
            }
        }
    }
}

impl EventSource for Events {
    fn poll_delivery(
        &mut self,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Delivery>> {
        use futures_core::Stream;
        match self.rx.as_mut().poll_next(cx) {
            std::task::Poll::Ready(Some(delivery)) => {
                self.queue.took();
                std::task::Poll::Ready(Some(delivery))
            }
            std::task::Poll::Ready(None) => std::task::Poll::Ready(None),
            std::task::Poll::Pending => match self.queue.lagged() {
                Some(lag) => std::task::Poll::Ready(Some(lag)),
                None => std::task::Poll::Pending,
            },
        }
    }
}

impl futures_core::Stream for Events {
    type Item = Event;
    fn poll_next(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Event>> {
        self.poll_event(cx)
    }
}

impl Client {
    /// Starts a client with `cookies` and connects its push channel. The
    /// driver task is started with [`smol::spawn`] (smol's global
    /// executor), so any executor may await this and the handles.
    pub async fn connect(cookies: Cookies, config: Config) -> Result<(Client, Events), Error> {
        let tls = tls::client_config(&config.extra_root_certs_pem)?;
        let capacity = config.event_queue_capacity;
        let mut core_config = config.into_core(cookies, |name| std::env::var(name).ok());
        core_config.rng_seed = os_seed();
        let unix_secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let mut core = hangups_core::client::Client::new(core_config, Instant::now(), unix_secs)?;
        core.connect(Instant::now());
        let (commands, command_rx) = channel::unbounded();
        let (event_tx, events) = Events::channel(capacity);
        smol::spawn(driver::Driver::new(core, tls, command_rx, event_tx).run()).detach();
        Ok((Client { commands }, events))
    }

    /// Sends any chat API request and waits for its response.
    pub async fn request(&self, request: ApiRequest) -> Result<ApiResponse, Error> {
        let (tx, rx) = channel::bounded(1);
        self.commands
            .send(Command::Request(request, tx))
            .await
            .map_err(|_| Error::Closed)?;
        Ok(rx.recv().await.map_err(|_| Error::Closed)??)
    }

    /// Sends a typed chat API request and waits for its typed response.
    pub async fn call<R: ApiCall>(&self, request: R) -> Result<R::Response, Error> {
        let response = self.request(request.into()).await?;
        R::response_from(response).map_err(|_| Error::UnexpectedResponse)
    }

    /// Uploads an image; put the returned `photo_id` in
    /// `SendChatMessageRequest.existing_media`.
    pub async fn upload_image(
        &self,
        filename: &str,
        image: Vec<u8>,
    ) -> Result<UploadedImage, Error> {
        let (tx, rx) = channel::bounded(1);
        self.commands
            .send(Command::Upload(filename.to_string(), image, tx))
            .await
            .map_err(|_| Error::Closed)?;
        Ok(rx.recv().await.map_err(|_| Error::Closed)??)
    }

    /// Marks this client as the active one (PROTOCOL.md §7.1).
    pub fn set_active(&self) {
        let _ = self.commands.try_send(Command::SetActive);
    }

    /// Closes every connection; returns once the driver has stopped.
    pub async fn disconnect(&self) {
        let (tx, rx) = channel::bounded(1);
        if self.commands.send(Command::Disconnect(tx)).await.is_ok() {
            let _ = rx.recv().await;
        }
    }
}

macro_rules! api_methods {
    ($( $(#[$doc:meta])* $name:ident($req:ty) -> $resp:ty; )*) => {
        impl Client {
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

/// A seed for the core's RNG from the OS (std's hasher keys are random).
pub(crate) fn os_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish()
}

/// Now in microseconds since the Unix epoch (0 before it).
fn unix_micros() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
}
