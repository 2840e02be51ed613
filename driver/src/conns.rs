//! [`Conns`]: the connection bookkeeping every drive loop shares. It
//! applies a machine's [`Output`]s as [`SocketAction`]s on raw TCP sockets
//! (which the drive loop owns, async or blocking) and turns what those
//! sockets report into the machine's [`Input`]s. TLS lives here, as a
//! rustls session fed with bytes (no IO of its own), and so does the
//! `CONNECT` tunnel through an HTTP proxy, so that a runtime only moves
//! bytes.

use std::collections::{HashMap, VecDeque};
use std::io::{Read, Write};
use std::sync::Arc;
use std::time::Instant;

use hangups_core::client::{ConnId, Input, Output};
use hangups_core::machine::Machine;
use hangups_core::proxy::{connect_request, TunnelHandshake};
use rustls::pki_types::ServerName;
use rustls::ClientConnection;

use crate::Error;

/// What the drive loop does to its sockets.
#[derive(Debug, PartialEq, Eq)]
pub enum SocketAction {
    /// Open a TCP connection to `host:port` for `id`.
    Open {
        /// The connection.
        id: ConnId,
        /// Host name or IP literal.
        host: String,
        /// TCP port.
        port: u16,
    },
    /// Write these bytes, after what was written before.
    Write {
        /// The connection.
        id: ConnId,
        /// Raw bytes for the socket (already encrypted for TLS).
        bytes: Vec<u8>,
    },
    /// Close the socket.
    Close {
        /// The connection.
        id: ConnId,
    },
}

/// Where TLS configurations come from (built on first use, shared).
#[derive(Debug, Clone)]
pub struct TlsRoots {
    extra_pem: Arc<[String]>,
}

impl TlsRoots {
    /// The webpki roots plus these PEM certificates (checked now).
    pub fn new(extra_pem: &[String]) -> Result<Self, Error> {
        crate::tls::check_pem(extra_pem)?;
        Ok(TlsRoots {
            extra_pem: extra_pem.into(),
        })
    }

    fn config(&self) -> Result<Arc<rustls::ClientConfig>, Error> {
        crate::tls::client_config(&self.extra_pem)
    }
}

enum Phase {
    /// TCP not connected yet.
    Dialing,
    /// Waiting for the proxy's answer to `CONNECT`.
    Tunnel(TunnelHandshake),
    /// TLS handshake in progress.
    Handshake,
    /// Reported to the machine as connected.
    Open,
}

struct Conn {
    phase: Phase,
    /// The server name for TLS; `None` for plain connections.
    tls_name: Option<String>,
    /// The real target, for a `CONNECT` tunnel.
    tunnel_to: Option<(String, u16)>,
    session: Option<Box<ClientConnection>>,
}

/// The connections of one machine.
pub struct Conns {
    roots: TlsRoots,
    map: HashMap<ConnId, Conn>,
    actions: VecDeque<SocketAction>,
}

impl std::fmt::Debug for Conns {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Conns")
            .field("open", &self.map.len())
            .field("actions", &self.actions.len())
            .finish()
    }
}

impl Conns {
    /// No connections yet; TLS ones trust `roots`.
    pub fn new(roots: TlsRoots) -> Self {
        Conns {
            roots,
            map: HashMap::new(),
            actions: VecDeque::new(),
        }
    }

    /// How many connections are open or opening.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Applies one output of the machine.
    pub fn apply(&mut self, output: Output) {
        match output {
            Output::Connect {
                conn,
                host,
                port,
                tls,
                via,
            } => {
                let (dial_host, dial_port, tunnel_to) = match via {
                    // TLS through a proxy goes through a CONNECT tunnel;
                    // plain HTTP is sent to the proxy as it is.
                    Some(proxy) if tls => (proxy.host, proxy.port, Some((host.clone(), port))),
                    Some(proxy) => (proxy.host, proxy.port, None),
                    None => (host.clone(), port, None),
                };
                self.map.insert(
                    conn,
                    Conn {
                        phase: Phase::Dialing,
                        tls_name: tls.then_some(host),
                        tunnel_to,
                        session: None,
                    },
                );
                self.actions.push_back(SocketAction::Open {
                    id: conn,
                    host: dial_host,
                    port: dial_port,
                });
            }
            Output::Transmit { conn, bytes } => {
                let Some(c) = self.map.get_mut(&conn) else {
                    return;
                };
                let bytes = match &mut c.session {
                    None => bytes,
                    Some(session) => match encrypt(session, &bytes) {
                        Ok(out) => out,
                        Err(e) => {
                            tracing::debug!(?conn, error = %e, "TLS write failed");
                            // The machine learns it through the socket's end.
                            self.actions.push_back(SocketAction::Close { id: conn });
                            return;
                        }
                    },
                };
                self.actions
                    .push_back(SocketAction::Write { id: conn, bytes });
            }
            Output::Close { conn } => {
                if self.map.remove(&conn).is_some() {
                    self.actions.push_back(SocketAction::Close { id: conn });
                }
            }
        }
    }

    /// Applies every output the machine has.
    pub fn apply_all<M: Machine>(&mut self, machine: &mut M) {
        while let Some(output) = machine.poll_output() {
            self.apply(output);
        }
    }

    /// The next thing to do to a socket.
    pub fn poll_action(&mut self) -> Option<SocketAction> {
        self.actions.pop_front()
    }

    /// The socket of `id` is connected.
    pub fn on_connected<M: Machine>(&mut self, machine: &mut M, now: Instant, id: ConnId) {
        let Some(c) = self.map.get_mut(&id) else {
            return;
        };
        if !matches!(c.phase, Phase::Dialing) {
            return;
        }
        if let Some((host, port)) = &c.tunnel_to {
            c.phase = Phase::Tunnel(TunnelHandshake::new());
            let bytes = connect_request(host, *port);
            self.actions.push_back(SocketAction::Write { id, bytes });
            return;
        }
        self.after_tcp(machine, now, id);
    }

    /// Plain: report it; TLS: start the handshake.
    fn after_tcp<M: Machine>(&mut self, machine: &mut M, now: Instant, id: ConnId) {
        let Some(c) = self.map.get_mut(&id) else {
            return;
        };
        let Some(name) = &c.tls_name else {
            c.phase = Phase::Open;
            machine.handle_input(now, Input::Connected(id));
            return;
        };
        let session = ServerName::try_from(name.clone())
            .map_err(|e| e.to_string())
            .and_then(|name| {
                let config = self.roots.config().map_err(|e| e.to_string())?;
                ClientConnection::new(config, name).map_err(|e| e.to_string())
            });
        match session {
            Ok(mut session) => {
                // A whole message (an image upload too) is encrypted at once.
                session.set_buffer_limit(None);
                c.session = Some(Box::new(session));
                c.phase = Phase::Handshake;
                self.flush_tls(id);
            }
            Err(e) => {
                tracing::debug!(?id, error = %e, "TLS setup failed");
                self.fail(machine, now, id);
            }
        }
    }

    /// Bytes read from the socket of `id`.
    pub fn on_data<M: Machine>(&mut self, machine: &mut M, now: Instant, id: ConnId, data: &[u8]) {
        let Some(c) = self.map.get_mut(&id) else {
            return;
        };
        let mut data = data;
        if let Phase::Tunnel(handshake) = &mut c.phase {
            match handshake.feed(data) {
                Ok(None) => return,
                Ok(Some(used)) => {
                    data = &data[used..];
                    c.phase = Phase::Dialing;
                    self.after_tcp(machine, now, id);
                    if data.is_empty() {
                        return;
                    }
                }
                Err(e) => {
                    tracing::debug!(?id, error = %e, "proxy tunnel refused");
                    return self.fail(machine, now, id);
                }
            }
        }
        let Some(c) = self.map.get_mut(&id) else {
            return;
        };
        let Some(session) = &mut c.session else {
            if matches!(c.phase, Phase::Open) {
                machine.handle_input(now, Input::Data(id, data));
            }
            return;
        };
        let (plain, peer_closed) = match decrypt(session, data) {
            Ok(out) => out,
            Err(e) => {
                tracing::debug!(?id, error = %e, "TLS failed");
                return self.fail(machine, now, id);
            }
        };
        let newly_open = matches!(c.phase, Phase::Handshake) && !session.is_handshaking();
        if newly_open {
            c.phase = Phase::Open;
        }
        self.flush_tls(id);
        if newly_open {
            machine.handle_input(now, Input::Connected(id));
        }
        if !plain.is_empty() {
            machine.handle_input(now, Input::Data(id, &plain));
        }
        if peer_closed {
            self.fail(machine, now, id);
        }
    }

    /// The socket of `id` ended (or could not connect).
    pub fn on_closed<M: Machine>(&mut self, machine: &mut M, now: Instant, id: ConnId) {
        if self.map.remove(&id).is_some() {
            machine.handle_input(now, Input::Closed(id));
        }
    }

    /// Closes the socket of `id` and tells the machine.
    fn fail<M: Machine>(&mut self, machine: &mut M, now: Instant, id: ConnId) {
        if self.map.remove(&id).is_some() {
            self.actions.push_back(SocketAction::Close { id });
            machine.handle_input(now, Input::Closed(id));
        }
    }

    /// Queues what the TLS session of `id` wants to send.
    fn flush_tls(&mut self, id: ConnId) {
        let Some(session) = self.map.get_mut(&id).and_then(|c| c.session.as_mut()) else {
            return;
        };
        let mut bytes = Vec::new();
        while session.wants_write() {
            if session.write_tls(&mut bytes).is_err() {
                break;
            }
        }
        if !bytes.is_empty() {
            self.actions.push_back(SocketAction::Write { id, bytes });
        }
    }

    /// Forgets every connection (the drive loop closes the sockets).
    pub fn clear(&mut self) {
        self.map.clear();
    }
}

/// Feeds `raw` TLS bytes to rustls; returns the plaintext and whether the
/// peer closed the TLS session.
fn decrypt(tls: &mut ClientConnection, mut raw: &[u8]) -> std::io::Result<(Vec<u8>, bool)> {
    let mut plain = Vec::new();
    loop {
        if !raw.is_empty() {
            tls.read_tls(&mut raw)?;
        }
        let state = tls.process_new_packets().map_err(std::io::Error::other)?;
        let start = plain.len();
        plain.resize(start + state.plaintext_bytes_to_read(), 0);
        tls.reader().read_exact(&mut plain[start..])?;
        if state.peer_has_closed() || raw.is_empty() {
            return Ok((plain, state.peer_has_closed()));
        }
    }
}

fn encrypt(tls: &mut ClientConnection, plain: &[u8]) -> std::io::Result<Vec<u8>> {
    tls.writer().write_all(plain)?;
    let mut out = Vec::new();
    while tls.wants_write() {
        tls.write_tls(&mut out)?;
    }
    Ok(out)
}
