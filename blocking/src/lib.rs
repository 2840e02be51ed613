//! # hangups-blocking
//!
//! The hangups-rs client over blocking std sockets and threads: this crate
//! opens TCP (`std::net`) and TLS (rustls with ring) connections for the
//! sans-IO [`hangups_core::client::Client`], copies bytes both ways, waits
//! for the core's next deadline, and gives its events and API calls a
//! blocking face. All protocol logic is in hangups-core; the API is the
//! same as hangups-tokio's, with plain methods and an iterator of events.
//!
//! ```no_run
//! use hangups_blocking::{Client, Config, Cookies, Event};
//! use hangups_blocking::proto::hangouts::GetSelfInfoRequest;
//!
//! # fn main() -> Result<(), hangups_blocking::Error> {
//! let cookies = Cookies::from_iter([("SAPISID", "…"), ("SID", "…")]);
//! let (client, events) = Client::connect(cookies, Config::default())?;
//! let me = client.get_self_info(GetSelfInfoRequest::default())?;
//! println!("signed in as {:?}", me.self_entity);
//! for event in events {
//!     if let Event::StateUpdate(update) = event {
//!         println!("{update:?}");
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! # Design
//!
//! - **The driver thread** owns the core. Its loop: drain the core's
//!   outputs and events, then wait on **one** `std::sync::mpsc` channel
//!   that carries both IO events from connection threads and commands from
//!   handles, with `recv_timeout(deadline - now)`; on a timeout it calls
//!   `handle_timeout`. API replies go back on one-message channels.
//!   [`Client`] is a cheap handle (`Clone`); when the last one is dropped
//!   the driver is told and disconnects. The driver stops after
//!   [`Event::Closed`].
//! - **Each connection** has a reader thread and a writer thread. The
//!   reader connects (with a connect timeout of the core's
//!   `request_timeout`), does the TLS handshake, reports `Connected`,
//!   starts the writer, then reads and reports data until the socket ends.
//!   The writer takes bytes from a channel the driver feeds, so a slow peer
//!   never blocks the driver.
//! - **TLS**: reader and writer share the `rustls::ClientConnection`
//!   behind a `Mutex`, each holding it only to decrypt or encrypt, never
//!   across socket IO. Only the writer writes to the socket: it encrypts
//!   and takes the TLS records out in one locked step and writes them in
//!   that order, so records never interleave. When decrypting leaves rustls
//!   with something to send (a key update reply, an alert), the reader
//!   wakes the writer with an empty message.
//! - **Close**: the driver's handle of a connection holds the socket (once
//!   connected); dropping it, on [`Output::Close`](hangups_core::client::Output::Close)
//!   or when the driver stops, marks the connection closed and calls
//!   `TcpStream::shutdown`, so the reader's blocking read and the writer's
//!   blocking write return, and drops the write channel, so an idle writer
//!   wakes. Both threads then end and report nothing more. A connection
//!   closed while still connecting ends right after its connect returns.

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
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use hangups_core::adapter::QueueReceiver;
pub use hangups_core::adapter::{Config, Delivery, Error};

/// A command from a handle to the driver thread.
pub(crate) enum Command {
    Request(ApiRequest, Sender<Result<ApiResponse, ApiError>>),
    Upload(String, Vec<u8>, Sender<Result<UploadedImage, UploadError>>),
    SetActive,
    Disconnect(Sender<()>),
    /// The result of signing in again after `Event::SessionExpired`.
    Renewed(Result<Cookies, hangups_core::auth::AuthError>),
}

/// Everything the driver thread waits for, on its one channel.
pub(crate) enum Msg {
    Io(conn::IoEvent),
    Command(Command),
    /// The last [`Client`] handle was dropped.
    HandlesGone,
}

/// A handle to a connected client. Cheap to clone; every clone talks to
/// the same driver thread.
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Handle>,
}

/// Shared by the clones of a [`Client`]; its drop tells the driver.
#[derive(Debug)]
struct Handle {
    tx: Sender<Msg>,
}

impl Drop for Handle {
    fn drop(&mut self) {
        let _ = self.tx.send(Msg::HandlesGone);
    }
}

/// The client's events, in order: channel state changes, client id, state
/// updates, unknown pushes, and finally [`Event::Closed`]. API responses go
/// to the calls that asked for them, not here. Iterating blocks until the
/// next event; the iterator ends after the client closed.
///
/// A bounded queue ([`Config::event_queue_capacity`], default
/// [`DEFAULT_EVENT_QUEUE_CAPACITY`](hangups_core::adapter::DEFAULT_EVENT_QUEUE_CAPACITY)):
/// if the application stops taking events, the driver drops pushed updates
/// past the capacity rather than grow or wait, and says so in order:
/// [`next_delivery`](Self::next_delivery) yields
/// [`Delivery::Lagged`] where they
/// were dropped (the high-level list catches up on it); the iterator skips
/// it with a warning and adds it to [`missed`](Self::missed).
#[derive(Debug)]
pub struct Events {
    rx: Receiver<Delivery>,
    queue: QueueReceiver,
    missed: u64,
}

impl Iterator for Events {
    type Item = Event;
    /// The next event, waiting as long as it takes; `None` after the client closed.
    fn next(&mut self) -> Option<Event> {
        loop {
            let delivery = self.next_delivery()?;
            if let Some(event) = self.skip_lag(delivery) {
                return Some(event);
            }
        }
    }
}

impl Events {
    /// The driver's side and the application's side of a queue of `capacity`.
    pub(crate) fn channel(capacity: usize) -> (driver::EventTx, Events) {
        let (tx, rx) = mpsc::channel();
        let (queue_tx, queue) = hangups_core::adapter::event_queue(capacity);
        let events = Events {
            rx,
            queue,
            missed: 0,
        };
        ((tx, queue_tx), events)
    }

    /// The next event, waiting at most `timeout`; `None` if none came in
    /// time or the client has closed (then [`Iterator::next`] is `None` too).
    pub fn recv_timeout(&mut self, timeout: Duration) -> Option<Event> {
        let deadline = Instant::now() + timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let delivery = self.recv_delivery_timeout(left)?;
            if let Some(event) = self.skip_lag(delivery) {
                return Some(event);
            }
        }
    }

    /// The next event or lag report, waiting as long as it takes; `None`
    /// after the client closed.
    pub fn next_delivery(&mut self) -> Option<Delivery> {
        match self.rx.try_recv() {
            Ok(delivery) => Some(self.took(delivery)),
            Err(mpsc::TryRecvError::Disconnected) => None,
            Err(mpsc::TryRecvError::Empty) => match self.queue.lagged() {
                Some(lag) => Some(lag),
                None => self.rx.recv().ok().map(|d| self.took(d)),
            },
        }
    }

    /// The next event or lag report, waiting at most `timeout`; `None` if
    /// none came in time or the client has closed.
    pub fn recv_delivery_timeout(&mut self, timeout: Duration) -> Option<Delivery> {
        match self.rx.try_recv() {
            Ok(delivery) => Some(self.took(delivery)),
            Err(mpsc::TryRecvError::Disconnected) => None,
            Err(mpsc::TryRecvError::Empty) => match self.queue.lagged() {
                Some(lag) => Some(lag),
                None => self.rx.recv_timeout(timeout).ok().map(|d| self.took(d)),
            },
        }
    }

    /// How many pushed updates the iterator skipped as dropped.
    pub fn missed(&self) -> u64 {
        self.missed
    }

    fn took(&self, delivery: Delivery) -> Delivery {
        self.queue.took();
        delivery
    }

    fn skip_lag(&mut self, delivery: Delivery) -> Option<Event> {
        match delivery {
            Delivery::Event(event) => Some(event),
            Delivery::Lagged { missed } => {
                tracing::warn!(missed, "events not taken in time were dropped");
                self.missed += missed;
                None
            }
            _ => None,
        }
    }
}

impl Client {
    /// Starts a client with `cookies` and connects its push channel: starts
    /// the driver thread and returns at once. [`Error::Closed`] if the
    /// thread cannot be started.
    pub fn connect(cookies: Cookies, config: Config) -> Result<(Client, Events), Error> {
        let tls = tls::client_config(&config.extra_root_certs_pem)?;
        let capacity = config.event_queue_capacity;
        let mut core_config = config.into_core(cookies, |name| std::env::var(name).ok());
        core_config.rng_seed = os_seed();
        let connect_timeout = core_config.request_timeout;
        let unix_secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let mut core = hangups_core::client::Client::new(core_config, Instant::now(), unix_secs)?;
        core.connect(Instant::now());
        let (tx, rx) = mpsc::channel();
        let (event_tx, events) = Events::channel(capacity);
        let driver = driver::Driver::new(core, tls, connect_timeout, tx.clone(), rx, event_tx);
        std::thread::Builder::new()
            .name("hangups-driver".into())
            .spawn(move || driver.run())
            .map_err(|_| Error::Closed)?;
        let inner = Arc::new(Handle { tx });
        Ok((Client { inner }, events))
    }

    fn send(&self, command: Command) -> Result<(), Error> {
        let msg = Msg::Command(command);
        self.inner.tx.send(msg).map_err(|_| Error::Closed)
    }

    /// Sends any chat API request and waits for its response.
    pub fn request(&self, request: ApiRequest) -> Result<ApiResponse, Error> {
        let (tx, rx) = mpsc::channel();
        self.send(Command::Request(request, tx))?;
        Ok(rx.recv().map_err(|_| Error::Closed)??)
    }

    /// Sends a typed chat API request and waits for its typed response.
    pub fn call<R: ApiCall>(&self, request: R) -> Result<R::Response, Error> {
        let response = self.request(request.into())?;
        R::response_from(response).map_err(|_| Error::UnexpectedResponse)
    }

    /// Uploads an image; put the returned `photo_id` in
    /// `SendChatMessageRequest.existing_media`.
    pub fn upload_image(&self, filename: &str, image: Vec<u8>) -> Result<UploadedImage, Error> {
        let (tx, rx) = mpsc::channel();
        self.send(Command::Upload(filename.to_string(), image, tx))?;
        Ok(rx.recv().map_err(|_| Error::Closed)??)
    }

    /// Marks this client as the active one (PROTOCOL.md §7.1).
    pub fn set_active(&self) {
        let _ = self.send(Command::SetActive);
    }

    /// Closes every connection; returns once the driver has stopped.
    pub fn disconnect(&self) {
        let (tx, rx) = mpsc::channel();
        if self.send(Command::Disconnect(tx)).is_ok() {
            let _ = rx.recv();
        }
    }
}

macro_rules! api_methods {
    ($( $(#[$doc:meta])* $name:ident($req:ty) -> $resp:ty; )*) => {
        impl Client {
            $(
                $(#[$doc])*
                pub fn $name(&self, request: $req) -> Result<$resp, Error> {
                    self.call(request)
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
