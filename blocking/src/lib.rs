//! # hangups-blocking
//!
//! The hangups-rs client over blocking std sockets and threads. All
//! protocol logic is in hangups-core, and the drive loop (TLS, connection
//! bookkeeping, the event queue, the high-level handles) is
//! hangups-driver's, here on a thread of its own over std sockets
//! ([`hangups_driver::blocking`]); this crate gives it blocking calls. The
//! API is the same as hangups-tokio's, with plain methods and an iterator
//! of events.
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
//! Signing in: the first run prints the login URL and asks for the
//! `oauth_code`; later runs need only the refresh token in the cache file.
//! [`Client::connect_with_store`] signs in again by itself when the session
//! cookies stop working.
//!
//! ```no_run
//! use hangups_blocking::{get_auth_stdin, Client, Config, FileStore};
//!
//! # fn run() -> Result<(), hangups_blocking::Error> {
//! let path = FileStore::default_path().expect("a cache directory");
//! let cookies = get_auth_stdin(&path)?;
//! let (client, _events) = Client::connect(cookies, Config::default())?;
//! # Ok(()) }
//! ```
//!
//! # Design
//!
//! The driver thread runs hangups-driver's loop: drain the core's outputs
//! and events, then wait on one channel for socket news, commands and the
//! core's deadline. Each socket has a reader thread (connect with the
//! core's `request_timeout`, then read) and a writer thread fed by a
//! channel, so a slow peer never blocks the driver; TLS is done on the
//! driver thread, on bytes. Every call here sends a command and waits for
//! its answer on a channel (the thread parks; nothing blocks inside a
//! future's `poll`). Dropping the last [`Client`] disconnects.

#![forbid(unsafe_code)]

mod chat_client;
mod model;

use std::path::Path;
use std::time::{Duration, Instant};

use hangups_driver::blocking::{block_on, block_on_until, get_auth_blocking, Blocking};
use hangups_driver::hangups_core::api::ApiCall;

pub use chat_client::{ChatClient, MessagePages};
pub use hangups_driver::hangups_core::api::{
    ApiError, ApiRequest, ApiResponse, Cookies, UploadError, UploadedImage,
};
pub use hangups_driver::hangups_core::auth::{Credentials, MemoryStore, RefreshToken, TokenStore};
pub use hangups_driver::hangups_core::client::{ChannelError, Event, FatalError};
pub use hangups_driver::hangups_core::state::{
    ConversationEvent, Image, Notification, Update, User, UserId,
};
pub use hangups_driver::hangups_core::{chat, message, proto, state};
pub use hangups_driver::hangups_credentials::{
    CredentialsPrompt, FileStore, NoPrompt, StdinPrompt,
};
pub use hangups_driver::{
    oauth, service_account, service_account_config, Config, Delivery, Error, RsaSigner,
    DEFAULT_EVENT_QUEUE_CAPACITY,
};
pub use model::{Conversation, ConversationList, Notifications};

/// A handle to a connected client. Cheap to clone; every clone talks to
/// the same driver thread. Dropping every handle disconnects.
#[derive(Debug, Clone)]
pub struct Client(hangups_driver::Client<Blocking>);

/// The client's events, in order: channel state changes, client id, state
/// updates, unknown pushes, and finally [`Event::Closed`]. API responses go
/// to the calls that asked for them, not here. Iterating blocks until the
/// next event; the iterator ends after the client closed.
///
/// A bounded queue ([`Config::event_queue_capacity`], default
/// [`DEFAULT_EVENT_QUEUE_CAPACITY`]): if the application stops taking
/// events, the driver drops pushed updates past the capacity rather than
/// grow or wait, and says so in order: [`next_delivery`](Self::next_delivery)
/// yields [`Delivery::Lagged`] where they were dropped (the high-level list
/// catches up on it); the iterator skips it with a warning and adds it to
/// [`missed`](Self::missed).
#[derive(Debug)]
pub struct Events(hangups_driver::Events);

impl Iterator for Events {
    type Item = Event;
    /// The next event, waiting as long as it takes; `None` after the client closed.
    fn next(&mut self) -> Option<Event> {
        block_on(self.0.next())
    }
}

impl Events {
    /// The next event, waiting at most `timeout`; `None` if none came in
    /// time or the client has closed (then [`Iterator::next`] is `None` too).
    pub fn recv_timeout(&mut self, timeout: Duration) -> Option<Event> {
        block_on_until(self.0.next(), Some(Instant::now() + timeout)).flatten()
    }

    /// The next event or lag report, waiting as long as it takes; `None`
    /// after the client closed.
    pub fn next_delivery(&mut self) -> Option<Delivery> {
        block_on(self.0.next_delivery())
    }

    /// The next event or lag report, waiting at most `timeout`; `None` if
    /// none came in time or the client has closed.
    pub fn recv_delivery_timeout(&mut self, timeout: Duration) -> Option<Delivery> {
        block_on_until(self.0.next_delivery(), Some(Instant::now() + timeout)).flatten()
    }

    /// How many pushed updates the iterator skipped as dropped.
    pub fn missed(&self) -> u64 {
        self.0.missed()
    }
}

impl Client {
    /// Starts a client with `cookies` and connects its push channel: starts
    /// the driver thread and returns at once. [`Error::Closed`] if the
    /// thread cannot be started.
    pub fn connect(cookies: Cookies, config: Config) -> Result<(Client, Events), Error> {
        let (client, events) = hangups_driver::Client::connect_blocking(cookies, config)?;
        Ok((Client(client), Events(events)))
    }

    /// Signs in from `store` without asking anyone (its session cookies
    /// if it keeps them, else its refresh token), connects, and from then
    /// on renews the session by itself: when the server refuses the
    /// cookies (HTTP 401), the client signs in again with the refresh
    /// token, once, and sends the refused calls again. A refused refresh
    /// token is removed from the store and the calls fail with the 401.
    pub fn connect_with_store<S: TokenStore + Send + 'static>(
        store: S,
        config: Config,
    ) -> Result<(Client, Events), Error> {
        let (client, events) = hangups_driver::Client::connect_with_store_blocking(store, config)?;
        Ok((Client(client), Events(events)))
    }

    /// Sends any chat API request and waits for its response.
    pub fn request(&self, request: ApiRequest) -> Result<ApiResponse, Error> {
        block_on(self.0.request(request))
    }

    /// Sends a typed chat API request and waits for its typed response.
    pub fn call<R: ApiCall>(&self, request: R) -> Result<R::Response, Error> {
        block_on(self.0.call(request))
    }

    /// Uploads an image; put the returned `photo_id` in
    /// `SendChatMessageRequest.existing_media`.
    pub fn upload_image(&self, filename: &str, image: Vec<u8>) -> Result<UploadedImage, Error> {
        block_on(self.0.upload_image(filename, image))
    }

    /// Marks this client as the active one (PROTOCOL.md §7.1).
    pub fn set_active(&self) {
        self.0.set_active();
    }

    /// Closes every connection; returns once the driver has stopped.
    pub fn disconnect(&self) {
        block_on(self.0.disconnect());
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
hangups_driver::hangups_core::for_each_api_call!(api_methods);

/// Signs in to Google (hangups' `get_auth`): with the refresh token in
/// `store`, or else (or if it was revoked: it is then removed) with an
/// authorization code from `prompt`. Returns the session cookies for
/// [`Client::connect`].
pub fn get_auth<P: CredentialsPrompt, S: TokenStore>(
    prompt: &mut P,
    store: &mut S,
) -> Result<Cookies, Error> {
    Ok(get_auth_blocking(prompt, store, &Config::default())?.cookies)
}

/// [`get_auth`] against the servers of `config` (e.g. an emulator), and
/// with everything the flow yields.
pub fn get_auth_with<P: CredentialsPrompt, S: TokenStore>(
    prompt: &mut P,
    store: &mut S,
    config: &Config,
) -> Result<Credentials, Error> {
    get_auth_blocking(prompt, store, config)
}

/// [`get_auth`] with the refresh token cached in the file at `path` and
/// the manual login on the terminal (hangups' `get_auth_stdin`).
pub fn get_auth_stdin(path: impl AsRef<Path>) -> Result<Cookies, Error> {
    get_auth_stdin_with(path, &Config::default())
}

/// [`get_auth_stdin`] against the servers of `config`.
pub fn get_auth_stdin_with(path: impl AsRef<Path>, config: &Config) -> Result<Cookies, Error> {
    let mut store = FileStore::new(path.as_ref());
    Ok(get_auth_blocking(&mut StdinPrompt, &mut store, config)?.cookies)
}
