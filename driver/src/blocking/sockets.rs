//! One blocking TCP socket: a reader thread that connects and reads, and a
//! writer thread fed by a channel. Raw bytes only: TLS and tunnels are the
//! [`Conns`](crate::conns::Conns) bookkeeping's. Dropping the [`Socket`]
//! shuts the socket down, which ends both threads.

use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::Duration;

use hangups_core::client::ConnId;

/// What a socket reports.
pub(crate) enum SockEvent {
    Connected(ConnId),
    Data(ConnId, Vec<u8>),
    Closed(ConnId),
}

/// Bytes read per call.
const READ_SIZE: usize = 16 * 1024;

enum State {
    Connecting,
    Open(TcpStream),
    /// Closed by the drive loop, or ended and reported.
    Closed,
}

/// The drive loop's side of a socket.
pub(crate) struct Socket {
    writes: Sender<Vec<u8>>,
    state: Arc<Mutex<State>>,
}

impl Socket {
    /// Starts connecting to `host:port` on a new thread; `report` takes
    /// what the socket does (and says `false` once nobody listens).
    pub(crate) fn open(
        id: ConnId,
        host: String,
        port: u16,
        connect_timeout: Duration,
        report: impl Fn(SockEvent) -> bool + Send + Sync + 'static,
    ) -> Socket {
        let (writes, queue) = mpsc::channel();
        let state = Arc::new(Mutex::new(State::Connecting));
        let shared = state.clone();
        let report = Arc::new(report);
        let on_fail = report.clone();
        let spawned = thread::Builder::new()
            .name(format!("hangups-conn-{}", id.0))
            .spawn(move || {
                if let Err(e) = serve(id, &host, port, connect_timeout, &shared, queue, &*report) {
                    tracing::debug!(conn = ?id, %host, port, error = %e, "connection ended");
                }
                // Report the end, unless the drive loop closed the socket.
                let mut state = lock(&shared);
                if let State::Open(s) = &*state {
                    let _ = s.shutdown(Shutdown::Both);
                }
                if !matches!(std::mem::replace(&mut *state, State::Closed), State::Closed) {
                    report(SockEvent::Closed(id));
                }
            });
        if spawned.is_err() {
            on_fail(SockEvent::Closed(id));
        }
        Socket { writes, state }
    }

    /// Queues `bytes` for the writer thread; never blocks.
    pub(crate) fn write(&self, bytes: Vec<u8>) {
        let _ = self.writes.send(bytes);
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        let mut state = lock(&self.state);
        if let State::Open(s) = &*state {
            let _ = s.shutdown(Shutdown::Both);
        }
        *state = State::Closed;
    }
}

fn serve(
    id: ConnId,
    host: &str,
    port: u16,
    connect_timeout: Duration,
    state: &Mutex<State>,
    queue: Receiver<Vec<u8>>,
    report: &dyn Fn(SockEvent) -> bool,
) -> io::Result<()> {
    let mut tcp = connect(host, port, connect_timeout)?;
    let _ = tcp.set_nodelay(true);
    {
        let mut state = lock(state);
        if matches!(*state, State::Closed) {
            return Ok(());
        }
        *state = State::Open(tcp.try_clone()?);
    }
    let writer = tcp.try_clone()?;
    thread::Builder::new()
        .name(format!("hangups-conn-{}-writer", id.0))
        .spawn(move || write_loop(writer, queue))?;
    if !report(SockEvent::Connected(id)) {
        return Ok(());
    }
    let mut buf = vec![0u8; READ_SIZE];
    loop {
        let n = tcp.read(&mut buf)?;
        if n == 0 || !report(SockEvent::Data(id, buf[..n].to_vec())) {
            return Ok(());
        }
    }
}

/// Sends what the queue brings until the queue or the socket ends.
fn write_loop(mut tcp: TcpStream, queue: Receiver<Vec<u8>>) {
    for bytes in queue {
        if tcp.write_all(&bytes).is_err() {
            break;
        }
    }
    // Wakes the reader if the write failed; harmless otherwise.
    let _ = tcp.shutdown(Shutdown::Both);
}

fn connect(host: &str, port: u16, timeout: Duration) -> io::Result<TcpStream> {
    let mut last = io::Error::new(io::ErrorKind::NotFound, "the host has no address");
    for addr in (host, port).to_socket_addrs()? {
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(s) => return Ok(s),
            Err(e) => last = e,
        }
    }
    Err(last)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
