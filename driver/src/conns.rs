//! [`Conns`]: the connection bookkeeping every drive loop shares. It
//! applies a machine's [`Output`]s as [`SocketAction`]s on raw TCP sockets
//! (which the drive loop owns, async or blocking) and turns what those
//! sockets report into the machine's [`Input`]s. TLS lives here, as a
//! rustls session fed with bytes (no IO of its own), started at once
//! ([`Output::Connect`] with `tls`) or inside a proxy tunnel the machine
//! opened itself ([`Output::StartTls`]), so that a runtime only moves
//! bytes.

use std::collections::{HashMap, VecDeque};
use std::io::{Read, Write};
use std::sync::Arc;
use std::time::Instant;

use hangups_core::client::{ConnId, Input, Output};
use hangups_core::machine::Machine;
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
    /// TLS handshake in progress.
    Handshake,
    /// Reported to the machine as connected.
    Open,
}

struct Conn {
    phase: Phase,
    /// The server name for TLS at once; `None` for plain connections.
    tls_name: Option<String>,
    session: Option<Box<ClientConnection>>,
}

/// The connections of one machine.
pub struct Conns {
    roots: TlsRoots,
    map: HashMap<ConnId, Conn>,
    actions: VecDeque<SocketAction>,
    /// Closed while applying an output, not reported to the machine yet.
    closed: VecDeque<ConnId>,
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
            closed: VecDeque::new(),
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

    /// Applies one output of the machine. A connection that fails while
    /// doing so (a TLS session that cannot start or encrypt) is closed at
    /// once and reported to the machine as [`Input::Closed`] by
    /// [`Conns::apply_all`], which drive loops use.
    pub fn apply(&mut self, output: Output) {
        match output {
            Output::Connect {
                conn,
                host,
                port,
                tls,
            } => {
                self.map.insert(
                    conn,
                    Conn {
                        phase: Phase::Dialing,
                        tls_name: tls.then(|| host.clone()),
                        session: None,
                    },
                );
                self.actions.push_back(SocketAction::Open {
                    id: conn,
                    host,
                    port,
                });
            }
            Output::StartTls { conn, server_name } => self.start_tls(conn, &server_name),
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
                            self.close_failed(conn);
                            return;
                        }
                    },
                };
                // Nothing to write while a TLS session started by StartTls
                // still buffers the plaintext; an empty write would read
                // as a closed socket to some runtimes.
                if !bytes.is_empty() {
                    self.actions
                        .push_back(SocketAction::Write { id: conn, bytes });
                }
            }
            Output::Close { conn } => {
                if self.map.remove(&conn).is_some() {
                    self.actions.push_back(SocketAction::Close { id: conn });
                }
            }
        }
    }

    /// Applies every output the machine has, reporting connections that
    /// failed meanwhile.
    pub fn apply_all<M: Machine>(&mut self, machine: &mut M) {
        while let Some(output) = machine.poll_output() {
            self.apply(output);
            while let Some(id) = self.closed.pop_front() {
                machine.handle_input(Instant::now(), Input::Closed(id));
            }
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
        self.after_tcp(machine, now, id);
    }

    /// TLS inside a connection the machine already counts as open (a
    /// proxy tunnel): no [`Input::Connected`] after the handshake. What
    /// the machine transmits from now on is plaintext for the session,
    /// which buffers it until the handshake is done. A session that
    /// cannot be set up closes the connection (reported as
    /// [`Input::Closed`]); a failed handshake too, as for any TLS
    /// connection.
    fn start_tls(&mut self, id: ConnId, server_name: &str) {
        let Some(c) = self.map.get(&id) else {
            return;
        };
        if c.session.is_some() || !matches!(c.phase, Phase::Open) {
            tracing::debug!(?id, "StartTls on a connection not open in plain");
            return self.close_failed(id);
        }
        match self.session(server_name) {
            Ok(session) => {
                if let Some(c) = self.map.get_mut(&id) {
                    c.session = Some(session);
                }
                self.flush_tls(id);
            }
            Err(e) => {
                tracing::debug!(?id, error = %e, "TLS setup failed");
                self.close_failed(id);
            }
        }
    }

    /// Closes the socket of `id` now and queues [`Input::Closed`] for the
    /// machine ([`Conns::apply_all`] reports it).
    fn close_failed(&mut self, id: ConnId) {
        if self.map.remove(&id).is_some() {
            self.actions.push_back(SocketAction::Close { id });
            self.closed.push_back(id);
        }
    }

    /// A new TLS session verifying `name`, with no buffer limit (a whole
    /// message, an image upload too, is encrypted at once).
    fn session(&self, name: &str) -> Result<Box<ClientConnection>, String> {
        let name = ServerName::try_from(name.to_string()).map_err(|e| e.to_string())?;
        let config = self.roots.config().map_err(|e| e.to_string())?;
        let mut session = ClientConnection::new(config, name).map_err(|e| e.to_string())?;
        session.set_buffer_limit(None);
        Ok(Box::new(session))
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
        let name = name.clone();
        match self.session(&name) {
            Ok(session) => {
                let Some(c) = self.map.get_mut(&id) else {
                    return;
                };
                c.session = Some(session);
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A machine that records its inputs and hands out scripted outputs.
    #[derive(Default)]
    struct Script {
        outputs: VecDeque<Output>,
        inputs: Vec<String>,
    }

    impl Machine for Script {
        type Event = ();
        fn handle_input(&mut self, _now: Instant, input: Input<'_>) {
            self.inputs.push(format!("{input:?}"));
        }
        fn handle_timeout(&mut self, _now: Instant) {}
        fn poll_output(&mut self) -> Option<Output> {
            self.outputs.pop_front()
        }
        fn poll_event(&mut self) -> Option<()> {
            None
        }
        fn poll_timeout(&self) -> Option<Instant> {
            None
        }
    }

    fn actions(conns: &mut Conns) -> Vec<SocketAction> {
        std::iter::from_fn(|| conns.poll_action()).collect()
    }

    fn open_plain(conns: &mut Conns, machine: &mut Script, conn: ConnId) {
        machine.outputs.push_back(Output::Connect {
            conn,
            host: "proxy.local".into(),
            port: 1080,
            tls: false,
        });
        conns.apply_all(machine);
        assert_eq!(
            actions(conns),
            [SocketAction::Open {
                id: conn,
                host: "proxy.local".into(),
                port: 1080
            }]
        );
        conns.on_connected(machine, Instant::now(), conn);
        assert_eq!(machine.inputs, [format!("{:?}", Input::Connected(conn))]);
        machine.inputs.clear();
    }

    #[test]
    fn start_tls_inside_a_tunnel_buffers_plaintext_and_reports_nothing() {
        let mut conns = Conns::new(TlsRoots::new(&[]).unwrap());
        let mut machine = Script::default();
        let conn = ConnId(1);
        open_plain(&mut conns, &mut machine, conn);
        // The tunnel handshake goes out as it is.
        machine.outputs.extend([
            Output::Transmit {
                conn,
                bytes: vec![5, 1, 0],
            },
            Output::StartTls {
                conn,
                server_name: "chat.example".into(),
            },
            Output::Transmit {
                conn,
                bytes: b"GET / HTTP/1.1\r\n\r\n".to_vec(),
            },
        ]);
        conns.apply_all(&mut machine);
        let done = actions(&mut conns);
        assert_eq!(
            done.len(),
            2,
            "the handshake bytes, the ClientHello: {done:?}"
        );
        assert_eq!(
            done[0],
            SocketAction::Write {
                id: conn,
                bytes: vec![5, 1, 0]
            }
        );
        let SocketAction::Write { bytes, .. } = &done[1] else {
            panic!("{done:?}");
        };
        assert_eq!(bytes[0], 0x16, "a TLS handshake record");
        assert!(!bytes.windows(3).any(|w| w == b"GET"), "plaintext leaked");
        assert!(machine.inputs.is_empty(), "{:?}", machine.inputs);
    }

    #[test]
    fn start_tls_that_cannot_start_closes_and_reports_it() {
        let mut conns = Conns::new(TlsRoots::new(&[]).unwrap());
        let mut machine = Script::default();
        let conn = ConnId(2);
        open_plain(&mut conns, &mut machine, conn);
        machine.outputs.push_back(Output::StartTls {
            conn,
            server_name: "not a name".into(),
        });
        conns.apply_all(&mut machine);
        assert_eq!(actions(&mut conns), [SocketAction::Close { id: conn }]);
        assert_eq!(machine.inputs, [format!("{:?}", Input::Closed(conn))]);
        assert!(conns.is_empty());
    }
}
