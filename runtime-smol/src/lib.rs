//! # hangups-smol
//!
//! The hangups-rs client over smol. All protocol logic is in hangups-core
//! and the drive loop (TLS, connection bookkeeping, the event queue, the
//! high-level handles) is hangups-driver's: this crate is its [`Runtime`]
//! for smol ([`SmolRuntime`]: [`smol::spawn`], async-io TCP and
//! [`smol::Timer`]). The API is the same as hangups-tokio's.
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
//! `Client` is a cheap handle (`Clone`); one task owns the core and its
//! sockets. It is spawned with [`smol::spawn`], on smol's global executor,
//! so it runs whatever executor awaits the handles. Dropping every handle
//! disconnects.

#![forbid(unsafe_code)]

use hangups_driver::{AsyncTcp, BoxFuture, Runtime, Timer};
use smol::io::{AsyncRead, AsyncWrite};
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

hangups_driver::facade!(SmolRuntime);

/// smol as a [`Runtime`]: tasks go to smol's global executor.
#[derive(Debug, Clone, Copy, Default)]
pub struct SmolRuntime;

impl Runtime for SmolRuntime {
    type Tcp = SmolTcp;

    fn spawn(&self, future: BoxFuture<()>) {
        smol::spawn(future).detach();
    }

    fn connect(&self, host: String, port: u16) -> BoxFuture<io::Result<SmolTcp>> {
        Box::pin(async move {
            let tcp = smol::net::TcpStream::connect((host.as_str(), port)).await?;
            tcp.set_nodelay(true)?;
            Ok(SmolTcp(tcp))
        })
    }

    fn new_timer(&self, at: Instant) -> Pin<Box<dyn Timer>> {
        Box::pin(SmolTimer(smol::Timer::at(at)))
    }
}

/// An async-io TCP stream for the drive loop.
#[derive(Debug)]
pub struct SmolTcp(smol::net::TcpStream);

impl AsyncTcp for SmolTcp {
    fn poll_read(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_read(cx, buf)
    }

    fn poll_write(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.0).poll_write(cx, buf)
    }
}

#[derive(Debug)]
struct SmolTimer(smol::Timer);

impl Timer for SmolTimer {
    fn reset(self: Pin<&mut Self>, at: Instant) {
        self.get_mut().0.set_at(at);
    }

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        Pin::new(&mut self.get_mut().0).poll(cx).map(drop)
    }
}
