//! # hangups-tokio
//!
//! The hangups-rs client over tokio. All protocol logic is in hangups-core
//! and the drive loop (TLS, connection bookkeeping, the event queue, the
//! high-level handles) is hangups-driver's: this crate is its [`Runtime`]
//! for tokio ([`TokioRuntime`]: spawn, TCP connect, timers) and the
//! client API over it.
//!
//! ```no_run
//! use hangups_tokio::{Client, Config, Event};
//! use hangups_tokio::proto::hangouts::GetSelfInfoRequest;
//!
//! # async fn run(cookies: hangups_core::api::Cookies) -> Result<(), hangups_tokio::Error> {
//! let (client, mut events) = Client::connect(cookies, Config::default()).await?;
//! let me = client.get_self_info(GetSelfInfoRequest::default()).await?;
//! println!("signed in as {:?}", me.self_entity);
//! while let Some(event) = events.next().await {
//!     if let Event::StateUpdate(update) = event {
//!         println!("{update:?}");
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! `Client` is a cheap handle (`Clone`); one task spawned on the current
//! tokio runtime owns the core and its sockets. Dropping every handle
//! disconnects.
//!
//! Signing in: the first run prints the login URL and asks for the
//! `oauth_code`; later runs need only the refresh token in the cache file.
//! [`Client::connect_with_store`] signs in again by itself when the session
//! cookies stop working.
//!
//! ```no_run
//! use hangups_tokio::{get_auth_stdin, Client, Config, FileStore};
//!
//! # async fn run() -> Result<(), hangups_tokio::Error> {
//! let path = FileStore::default_path().expect("a cache directory");
//! let cookies = get_auth_stdin(&path).await?;
//! let (client, _events) = Client::connect(cookies, Config::default()).await?;
//! # Ok(()) }
//! ```
//!
//! The high-level API (hangups' `build_user_conversation_list`,
//! `ConversationList`, `Conversation`):
//!
//! ```no_run
//! use hangups_tokio::{Client, Config, Notification, Update};
//! use hangups_tokio::message::segments_from_str;
//!
//! # async fn run(cookies: hangups_core::api::Cookies) -> Result<(), hangups_tokio::Error> {
//! let (client, events) = Client::connect(cookies, Config::default()).await?;
//! let (list, mut notifications) = client.build_user_conversation_list(events).await?;
//! for conversation in list.get_all(false) {
//!     println!("{:?}", conversation.with(|c| c.name().map(str::to_owned)));
//! }
//! let group = list.get("UgwEmulatorGroupChat4AaABAQ").expect("known");
//! let sent = group.send_message(segments_from_str("Hi **all**"), None).await?;
//! while let Some(update) = notifications.next().await { // keeps the list current
//!     match update {
//!         Update::Notification(Notification::NewEvent(event)) => {
//!             let mine = sent.as_ref().is_some_and(|s| s.id() == event.id());
//!             let who = list.user(&event.user_id()).full_name;
//!             println!("{who}: {:?} (mine: {mine})", event.as_chat_message().map(|m| m.text()));
//!             group.update_read_timestamp(None).await?;
//!         }
//!         Update::Client(event) => println!("channel: {event:?}"),
//!         _ => {}
//!     }
//! }
//! # Ok(()) }
//! ```

#![forbid(unsafe_code)]

use hangups_driver::{AsyncTcp, BoxFuture, Runtime, Timer};
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A tokio TCP stream for the drive loop.
#[derive(Debug)]
pub struct TokioTcp(tokio::net::TcpStream);

impl AsyncTcp for TokioTcp {
    fn poll_read(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        let mut buf = ReadBuf::new(buf);
        Pin::new(&mut self.0)
            .poll_read(cx, &mut buf)
            .map_ok(|()| buf.filled().len())
    }

    fn poll_write(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }
}

/// Tokio as a [`Runtime`]: tasks go to the current tokio runtime
/// ([`tokio::spawn`]), so clients must be started inside one.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioRuntime;

impl Runtime for TokioRuntime {
    fn new_timer(&self, at: Instant) -> Pin<Box<dyn Timer>> {
        Box::pin(TokioTimer(Box::pin(tokio::time::sleep_until(at.into()))))
    }

    fn connect(&self, host: String, port: u16) -> BoxFuture<io::Result<TokioTcp>> {
        Box::pin(async move {
            let tcp = tokio::net::TcpStream::connect((host.as_str(), port)).await?;
            tcp.set_nodelay(true).map(|()| TokioTcp(tcp))
        })
    }

    /// On the current tokio runtime.
    fn spawn(&self, future: BoxFuture<()>) {
        tokio::spawn(future);
    }

    type Tcp = TokioTcp;
}

/// A tokio sleep (boxed: it is not `Unpin`, and this crate forbids
/// `unsafe` pin projection).
#[derive(Debug)]
struct TokioTimer(Pin<Box<tokio::time::Sleep>>);

impl Timer for TokioTimer {
    fn reset(self: Pin<&mut Self>, at: Instant) {
        self.get_mut().0.as_mut().reset(at.into());
    }

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.get_mut().0.as_mut().poll(cx)
    }
}

hangups_driver::facade!(TokioRuntime);
