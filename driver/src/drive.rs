//! The async drive loop: one future per machine that owns the machine, its
//! sockets and its timer, and runs the loop of STYLE.md §3 inside `poll`:
//! drain outputs and events, apply them to the sockets, then take whatever
//! input is ready (a command, bytes, a connection, the deadline). No task
//! per connection and no channel per socket: an idle client is this future,
//! its sockets and the machine. Reads go through one buffer per thread.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::io;
use std::ops::ControlFlow;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use futures_core::Stream;
use hangups_core::client::ConnId;
use hangups_core::machine::Machine;

use crate::conns::{Conns, SocketAction};
use crate::runtime::{AsyncTcp, BoxFuture, Runtime, Timer};

/// What a drive loop does besides moving bytes: the machine's events, and
/// commands from the machine's handles.
pub trait Host<M: Machine> {
    /// A command from a handle.
    type Command: Send + 'static;
    /// Applies a command to the machine.
    fn command(&mut self, machine: &mut M, now: Instant, command: Self::Command);
    /// Takes an event of the machine; `Break` ends the drive loop.
    fn event(&mut self, machine: &mut M, event: M::Event) -> ControlFlow<()>;
    /// Whether the loop should end now (checked after every command; a
    /// machine that ends by itself says so through [`event`](Host::event)).
    fn is_finished(&self) -> bool {
        false
    }
}

/// Bytes read per call, into the thread's one read buffer.
const READ_SIZE: usize = 16 * 1024;

/// Rounds of the loop before yielding to the executor, so that a socket
/// that always has data does not starve other tasks.
const ROUNDS_BEFORE_YIELD: usize = 64;

thread_local! {
    static READ_BUF: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

enum Socket<T> {
    Connecting(BoxFuture<io::Result<T>>),
    Open {
        tcp: T,
        out: VecDeque<Vec<u8>>,
        sent: usize,
    },
}

/// The drive loop of `machine` on runtime `R`; a future that ends when the
/// host says so.
pub struct Drive<M: Machine, H: Host<M>, R: Runtime> {
    runtime: R,
    machine: M,
    host: H,
    commands: Option<Pin<Box<async_channel::Receiver<H::Command>>>>,
    conns: Conns,
    sockets: HashMap<ConnId, Socket<R::Tcp>>,
    timer: Option<Pin<Box<dyn Timer>>>,
    finished: bool,
}

impl<M: Machine, H: Host<M>, R: Runtime> Unpin for Drive<M, H, R> {}

impl<M, H, R> Drive<M, H, R>
where
    M: Machine,
    H: Host<M>,
    R: Runtime,
{
    /// Drives `machine` with `host`, taking commands from `commands`.
    pub fn new(
        runtime: R,
        machine: M,
        host: H,
        conns: Conns,
        commands: Option<async_channel::Receiver<H::Command>>,
    ) -> Self {
        Drive {
            runtime,
            machine,
            host,
            commands: commands.map(Box::pin),
            conns,
            sockets: HashMap::new(),
            timer: None,
            finished: false,
        }
    }

    /// The host, once the loop has ended.
    pub fn into_host(self) -> H {
        self.host
    }

    /// Drains the machine and applies what it asks of the sockets.
    fn drain(&mut self) {
        loop {
            self.conns.apply_all(&mut self.machine);
            let mut any = false;
            while let Some(event) = self.machine.poll_event() {
                any = true;
                if self.host.event(&mut self.machine, event).is_break() {
                    self.finished = true;
                }
            }
            while let Some(action) = self.conns.poll_action() {
                any = true;
                match action {
                    SocketAction::Open { id, host, port } => {
                        let connect = self.runtime.connect(host, port);
                        self.sockets.insert(id, Socket::Connecting(connect));
                    }
                    SocketAction::Write { id, bytes } => match self.sockets.get_mut(&id) {
                        Some(Socket::Open { out, .. }) => out.push_back(bytes),
                        Some(Socket::Connecting(_)) | None => {}
                    },
                    SocketAction::Close { id } => {
                        self.sockets.remove(&id);
                    }
                }
            }
            if !any {
                return;
            }
        }
    }

    /// One round over the inputs; `true` if any was taken.
    fn round(&mut self, cx: &mut Context<'_>) -> bool {
        let mut progressed = false;
        if let Some(commands) = &mut self.commands {
            match commands.as_mut().poll_next(cx) {
                Poll::Ready(Some(command)) => {
                    self.host
                        .command(&mut self.machine, Instant::now(), command);
                    return true;
                }
                // Every sender is gone: the host was told by its handles.
                Poll::Ready(None) => self.commands = None,
                Poll::Pending => {}
            }
        }
        let ids: Vec<ConnId> = self.sockets.keys().copied().collect();
        for id in ids {
            progressed |= self.poll_socket(cx, id);
            self.drain();
        }
        if let Some(at) = self.machine.poll_timeout() {
            let timer = match &mut self.timer {
                Some(timer) => {
                    timer.as_mut().reset(at);
                    timer
                }
                None => self.timer.insert(self.runtime.new_timer(at)),
            };
            if at <= Instant::now() || timer.as_mut().poll(cx).is_ready() {
                self.machine.handle_timeout(Instant::now());
                progressed = true;
            }
        }
        progressed
    }

    /// Moves what is ready on the socket of `id`; `true` if anything moved.
    fn poll_socket(&mut self, cx: &mut Context<'_>, id: ConnId) -> bool {
        let Some(socket) = self.sockets.get_mut(&id) else {
            return false;
        };
        if let Socket::Connecting(connect) = socket {
            let Poll::Ready(result) = connect.as_mut().poll(cx) else {
                return false;
            };
            match result {
                Ok(tcp) => {
                    *socket = Socket::Open {
                        tcp,
                        out: VecDeque::new(),
                        sent: 0,
                    };
                    self.conns
                        .on_connected(&mut self.machine, Instant::now(), id);
                }
                Err(e) => {
                    tracing::debug!(?id, error = %e, "connect failed");
                    self.sockets.remove(&id);
                    self.conns.on_closed(&mut self.machine, Instant::now(), id);
                }
            }
            return true;
        }
        let Socket::Open { tcp, out, sent } = socket else {
            return false;
        };
        let mut progressed = false;
        // Writes first: a request goes out before its answer is awaited.
        while let Some(front) = out.front() {
            match tcp.poll_write(cx, &front[*sent..]) {
                Poll::Ready(Ok(n)) if n > 0 => {
                    progressed = true;
                    *sent += n;
                    if *sent == front.len() {
                        out.pop_front();
                        *sent = 0;
                    }
                }
                Poll::Ready(_) => {
                    self.sockets.remove(&id);
                    self.conns.on_closed(&mut self.machine, Instant::now(), id);
                    return true;
                }
                Poll::Pending => break,
            }
        }
        let read = READ_BUF.with(|buf| {
            let mut buf = buf.borrow_mut();
            if buf.len() < READ_SIZE {
                buf.resize(READ_SIZE, 0);
            }
            match tcp.poll_read(cx, &mut buf) {
                Poll::Ready(Ok(0)) | Poll::Ready(Err(_)) => Some(None),
                Poll::Ready(Ok(n)) => {
                    self.conns
                        .on_data(&mut self.machine, Instant::now(), id, &buf[..n]);
                    Some(Some(()))
                }
                Poll::Pending => None,
            }
        });
        match read {
            None => progressed,
            Some(Some(())) => true,
            Some(None) => {
                self.sockets.remove(&id);
                self.conns.on_closed(&mut self.machine, Instant::now(), id);
                true
            }
        }
    }
}

impl<M, H, R> Future for Drive<M, H, R>
where
    M: Machine,
    H: Host<M>,
    R: Runtime,
{
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = self.get_mut();
        for _ in 0..ROUNDS_BEFORE_YIELD {
            this.drain();
            if this.finished || this.host.is_finished() {
                this.sockets.clear();
                this.conns.clear();
                return Poll::Ready(());
            }
            if !this.round(cx) {
                return Poll::Pending;
            }
        }
        cx.waker().wake_by_ref();
        Poll::Pending
    }
}
