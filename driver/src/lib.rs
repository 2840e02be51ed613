//! # hangups-driver
//!
//! The one drive loop of hangups-rs. hangups-core's machines (the chat
//! [`Client`](hangups_core::client::Client), the sign-in
//! [`Login`](hangups_core::auth::Login)) do no IO; this crate runs any
//! [`Machine`](hangups_core::machine::Machine) over real connections:
//!
//! - [`Conns`]: the bookkeeping every loop shares: it applies a machine's
//!   outputs to raw TCP sockets and turns socket news into the machine's
//!   inputs, with TLS (a rustls session fed with bytes; its configuration is
//!   built once per process and shared) and `CONNECT` tunnels inside;
//! - [`Drive`]: the async loop, one future per machine, polled on any
//!   [`Runtime`] (spawn, TCP connect, timers: the little a runtime
//!   provides, in the manner of quinn's); hangups-tokio and hangups-smol
//!   are each one `Runtime` implementation and a few re-exports;
//! - [`blocking`]: the same loop on a plain thread over std sockets, for
//!   hangups-blocking;
//! - [`Client`] and [`Events`]: the handle and the bounded event queue,
//!   the same whoever drives; [`ConversationList`], [`Conversation`] and
//!   [`Notifications`]: hangups' high-level API, written once;
//! - [`oauth`]: user sign-in for Chat (the loopback redirect listener);
//! - [`ChatClient`]: the Google Chat REST client (`spaces.messages`,
//!   [`hangups_core::chat`]) on the same loop.
//!
//! Most applications use a facade (hangups-tokio, hangups-smol,
//! hangups-blocking). A runtime of your own needs only [`Runtime`]:
//!
//! ```no_run
//! # use hangups_driver::{Runtime, AsyncTcp, Timer, BoxFuture};
//! # use std::{io, pin::Pin, task::{Context, Poll}, time::Instant};
//! # #[derive(Debug, Clone, Default)] struct MyRuntime;
//! # #[derive(Debug)] struct MyTcp; #[derive(Debug)] struct MyTimer;
//! # impl AsyncTcp for MyTcp {
//! #   fn poll_read(&mut self, _: &mut Context<'_>, _: &mut [u8]) -> Poll<io::Result<usize>> { Poll::Pending }
//! #   fn poll_write(&mut self, _: &mut Context<'_>, _: &[u8]) -> Poll<io::Result<usize>> { Poll::Pending }
//! # }
//! # impl Timer for MyTimer {
//! #   fn reset(self: Pin<&mut Self>, _: Instant) {}
//! #   fn poll(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> { Poll::Pending }
//! # }
//! impl Runtime for MyRuntime {
//!     type Tcp = MyTcp;
//!     fn spawn(&self, future: BoxFuture<()>) { /* run it */ }
//!     fn connect(&self, host: String, port: u16) -> BoxFuture<io::Result<MyTcp>> {
//!         Box::pin(async move { Ok(MyTcp) })
//!     }
//!     fn new_timer(&self, at: Instant) -> Pin<Box<dyn Timer>> { Box::pin(MyTimer) }
//! }
//! # async fn run(cookies: hangups_core::api::Cookies) -> Result<(), hangups_driver::Error> {
//! let (client, mut events) =
//!     hangups_driver::Client::<MyRuntime>::connect(cookies, hangups_driver::Config::default()).await?;
//! while let Some(event) = events.next().await {
//!     println!("{event:?}");
//! }
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]

pub mod blocking;
mod calls;
mod chat;
mod client;
mod config;
mod conns;
mod drive;
mod facade;
mod host;
mod model;
pub mod oauth;
mod queue;
mod runtime;
mod shared_list;
mod signer;
mod start;
mod tls;

pub use chat::{ChatClient, ChatCommand, MessagePages};
pub use client::{Client, Events};
pub use config::{Config, Error};
pub use conns::{Conns, SocketAction, TlsRoots};
pub use drive::{Drive, Host};
pub use host::Command;
pub use model::{build_user_conversation_list, Conversation, ConversationList, Notifications};
pub use queue::{
    event_queue, Delivery, EventSource, QueueReceiver, QueueSender, DEFAULT_EVENT_QUEUE_CAPACITY,
};
pub use runtime::{AsyncTcp, BoxFuture, Runtime, Timer};
pub use shared_list::SharedList;
pub use signer::{service_account, service_account_config, RsaSigner};
pub use start::{get_auth_with, run_login};

#[doc(hidden)]
pub use hangups_core;
#[doc(hidden)]
pub use hangups_credentials;

use std::time::{SystemTime, UNIX_EPOCH};

/// A seed for the core's RNG from the OS (std's hasher keys are random).
pub(crate) fn os_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish()
}

/// The wall clock in Unix seconds (0 before 1970).
pub(crate) fn unix_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The wall clock in Unix microseconds (0 before 1970).
pub(crate) fn unix_micros() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_micros()).unwrap_or(u64::MAX))
}
