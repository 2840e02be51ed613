//! One connection: a reader thread that connects, shakes hands and reads,
//! and a writer thread fed by a channel. The design, and how `Close` stops
//! both, is in the [crate docs](crate#design).

use crate::Msg;
use hangups_core::client::ConnId;
use hangups_core::proxy::{connect_request, Proxy, TunnelHandshake};
use rustls::pki_types::ServerName;
use rustls::{ClientConfig, ClientConnection};
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::Duration;

/// What a connection reports.
pub(crate) enum IoEvent {
    Connected(ConnId),
    Data(ConnId, Vec<u8>),
    Closed(ConnId),
}

/// Bytes read per call: small, since every idle client holds one buffer per
/// connection (the long-poll), and the stream decoder takes any split.
const READ_SIZE: usize = 8 * 1024;

/// The socket, shared by the driver's handle and the reader.
enum Socket {
    Connecting,
    Open(TcpStream),
    /// Closed by the driver, or ended and reported.
    Closed,
}

/// The driver's side of a connection; dropping it closes the connection.
pub(crate) struct Handle {
    writes: Sender<Vec<u8>>,
    socket: Arc<Mutex<Socket>>,
}

impl Handle {
    /// Queues `bytes` for the writer thread; never blocks.
    pub(crate) fn write(&self, bytes: Vec<u8>) {
        let _ = self.writes.send(bytes);
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        let mut socket = lock(&self.socket);
        if let Socket::Open(s) = &*socket {
            let _ = s.shutdown(Shutdown::Both);
        }
        *socket = Socket::Closed;
    }
}

/// Starts connecting to `host:port` on a new thread (TLS if `tls`).
pub(crate) fn open(
    id: ConnId,
    host: String,
    port: u16,
    tls: Option<Arc<ClientConfig>>,
    via: Option<Proxy>,
    connect_timeout: Duration,
    io: Sender<Msg>,
) -> Handle {
    let (writes, queue) = mpsc::channel();
    let socket = Arc::new(Mutex::new(Socket::Connecting));
    let reader = Reader {
        id,
        socket: socket.clone(),
        io: io.clone(),
        wake_writer: writes.clone(),
    };
    let spawned = thread::Builder::new()
        .name(format!("hangups-conn-{}", id.0))
        .spawn(move || reader.run(&host, port, tls, via, connect_timeout, queue));
    if spawned.is_err() {
        let _ = io.send(Msg::Io(IoEvent::Closed(id)));
    }
    Handle { writes, socket }
}

struct Reader {
    id: ConnId,
    socket: Arc<Mutex<Socket>>,
    io: Sender<Msg>,
    /// An empty message makes the writer send what rustls has queued.
    wake_writer: Sender<Vec<u8>>,
}

impl Reader {
    fn run(
        self,
        host: &str,
        port: u16,
        tls: Option<Arc<ClientConfig>>,
        via: Option<Proxy>,
        connect_timeout: Duration,
        queue: Receiver<Vec<u8>>,
    ) {
        if let Err(e) = self.serve(host, port, tls, via, connect_timeout, queue) {
            tracing::debug!(conn = ?self.id, %host, port, error = %e, "connection ended");
        }
        // Report the end, unless the driver closed the connection.
        let mut socket = lock(&self.socket);
        if let Socket::Open(s) = &*socket {
            let _ = s.shutdown(Shutdown::Both);
        }
        if !matches!(
            std::mem::replace(&mut *socket, Socket::Closed),
            Socket::Closed
        ) {
            let _ = self.io.send(Msg::Io(IoEvent::Closed(self.id)));
        }
    }

    fn serve(
        &self,
        host: &str,
        port: u16,
        tls: Option<Arc<ClientConfig>>,
        via: Option<Proxy>,
        connect_timeout: Duration,
        queue: Receiver<Vec<u8>>,
    ) -> io::Result<()> {
        let mut tcp = match &via {
            Some(p) => connect(&p.host, p.port, connect_timeout)?,
            None => connect(host, port, connect_timeout)?,
        };
        let _ = tcp.set_nodelay(true);
        if via.is_some() && tls.is_some() {
            tunnel(&mut tcp, host, port)?;
        }
        {
            let mut socket = lock(&self.socket);
            if matches!(*socket, Socket::Closed) {
                return Ok(());
            }
            *socket = Socket::Open(tcp.try_clone()?);
        }
        let tls = match tls {
            Some(config) => Some(Arc::new(Mutex::new(handshake(config, host, &tcp)?))),
            None => None,
        };
        let (writer_tcp, writer_tls) = (tcp.try_clone()?, tls.clone());
        thread::Builder::new()
            .name(format!("hangups-conn-{}-writer", self.id.0))
            .spawn(move || write_loop(writer_tcp, writer_tls.as_deref(), queue))?;
        if self.io.send(Msg::Io(IoEvent::Connected(self.id))).is_err() {
            return Ok(());
        }
        self.read_loop(&tcp, tls.as_deref())
    }

    /// Reads until the socket ends, reporting what it carries.
    fn read_loop(
        &self,
        mut tcp: &TcpStream,
        tls: Option<&Mutex<ClientConnection>>,
    ) -> io::Result<()> {
        let mut buf = vec![0u8; READ_SIZE];
        // The first pass takes what the TLS handshake may have read ahead.
        let mut raw: &[u8] = &[];
        loop {
            let (data, eof) = match tls {
                Some(tls) => {
                    let mut tls = lock(tls);
                    let decrypted = decrypt(&mut tls, raw)?;
                    if tls.wants_write() {
                        let _ = self.wake_writer.send(Vec::new());
                    }
                    decrypted
                }
                None => (raw.to_vec(), false),
            };
            if !data.is_empty() && self.io.send(Msg::Io(IoEvent::Data(self.id, data))).is_err() {
                return Ok(());
            }
            if eof {
                return Ok(());
            }
            let n = tcp.read(&mut buf)?;
            if n == 0 {
                return Ok(());
            }
            raw = &buf[..n];
        }
    }
}

/// Sends what the queue brings (encrypted if TLS) until the queue or the
/// socket ends.
fn write_loop(mut tcp: TcpStream, tls: Option<&Mutex<ClientConnection>>, queue: Receiver<Vec<u8>>) {
    for bytes in queue {
        let out = match tls {
            // Encrypt and take the records out in one locked step.
            Some(tls) => match encrypt(&mut lock(tls), &bytes) {
                Ok(out) => out,
                Err(_) => break,
            },
            None => bytes,
        };
        if tcp.write_all(&out).is_err() {
            break;
        }
    }
    // Wakes the reader if the write failed; harmless otherwise.
    let _ = tcp.shutdown(Shutdown::Both);
}

/// Opens a `CONNECT` tunnel through the proxy `tcp` is connected to.
fn tunnel(tcp: &mut TcpStream, host: &str, port: u16) -> io::Result<()> {
    use std::io::{Read, Write};
    tcp.write_all(&connect_request(host, port))?;
    let mut handshake = TunnelHandshake::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = tcp.read(&mut buf)?;
        if n == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        match handshake.feed(&buf[..n]) {
            Ok(None) => {}
            // The server cannot speak before our TLS hello.
            Ok(Some(used)) if used == n => return Ok(()),
            Ok(Some(_)) => return Err(io::Error::other("data after the proxy's answer")),
            Err(e) => return Err(io::Error::other(e)),
        }
    }
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

fn handshake(
    config: Arc<ClientConfig>,
    host: &str,
    mut tcp: &TcpStream,
) -> io::Result<ClientConnection> {
    let name = ServerName::try_from(host.to_string()).map_err(io::Error::other)?;
    let mut tls = ClientConnection::new(config, name).map_err(io::Error::other)?;
    while tls.is_handshaking() {
        tls.complete_io(&mut tcp)?;
    }
    // The writer encrypts a whole message (an image upload too) at once.
    tls.set_buffer_limit(None);
    Ok(tls)
}

/// Feeds `raw` TLS bytes to rustls; returns the plaintext and whether the
/// peer closed the TLS session.
fn decrypt(tls: &mut ClientConnection, mut raw: &[u8]) -> io::Result<(Vec<u8>, bool)> {
    let mut plain = Vec::new();
    loop {
        let state = tls.process_new_packets().map_err(io::Error::other)?;
        let start = plain.len();
        plain.resize(start + state.plaintext_bytes_to_read(), 0);
        tls.reader().read_exact(&mut plain[start..])?;
        if state.peer_has_closed() || raw.is_empty() {
            return Ok((plain, state.peer_has_closed()));
        }
        tls.read_tls(&mut raw)?;
    }
}

fn encrypt(tls: &mut ClientConnection, plain: &[u8]) -> io::Result<Vec<u8>> {
    tls.writer().write_all(plain)?;
    let mut out = Vec::new();
    while tls.wants_write() {
        tls.write_tls(&mut out)?;
    }
    Ok(out)
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
