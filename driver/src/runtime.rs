//! [`Runtime`]: the little an async runtime must provide for the drive
//! loop (quinn's `Runtime` is the model): spawn a task, open a TCP
//! connection, make a timer. hangups-tokio and hangups-smol are each one
//! implementation of it; everything else is in this crate.

use std::fmt::Debug;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

/// A boxed, sendable future.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// An async runtime the drive loop runs on.
pub trait Runtime: Debug + Clone + Send + Sync + 'static {
    /// A connected TCP stream.
    type Tcp: AsyncTcp;
    /// Runs `future` to completion in the background.
    fn spawn(&self, future: BoxFuture<()>);
    /// Connects to `host:port` (resolving the name), with `TCP_NODELAY`.
    fn connect(&self, host: String, port: u16) -> BoxFuture<io::Result<Self::Tcp>>;
    /// A timer that fires at `at`.
    fn new_timer(&self, at: Instant) -> Pin<Box<dyn Timer>>;
}

/// A TCP stream, polled by the drive loop.
pub trait AsyncTcp: Send + Unpin + 'static {
    /// Reads into `buf`; `Ok(0)` at the end of the stream.
    fn poll_read(&mut self, cx: &mut Context<'_>, buf: &mut [u8]) -> Poll<io::Result<usize>>;
    /// Writes from `buf`, returning how much was written.
    fn poll_write(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>>;
}

/// A resettable timer.
pub trait Timer: Send + Debug {
    /// Makes the timer fire at `at` instead.
    fn reset(self: Pin<&mut Self>, at: Instant);
    /// `Ready` once the deadline has passed.
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()>;
}
