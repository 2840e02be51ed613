//! Exchanges over pooled connections, shared by [`Client`](crate::client::Client)
//! and [`Login`](crate::auth::Login).
//!
//! The identity of a request is its [`ExchangeId`], never the connection
//! it rides on: a kept connection that turns out stale is replaced under
//! the exchange (the request is sent again on a fresh one) and whoever
//! waits for the exchange never notices. Connection input goes in through
//! [`Pool::handle_input`]; what the exchanges produced comes back as
//! [`Delivery`]s, in order: every streamed body byte of a read before the
//! end of that body.
//!
//! Through a proxy that needs a tunnel (every SOCKS5 request, TLS through
//! an HTTP proxy) the pool dials the proxy and speaks the [`Tunnel`]
//! handshake on the connection first: the exchange counts as connected
//! (and its request goes out) once the tunnel is open, after
//! [`Output::StartTls`] for a TLS target. The exchange's connect (idle)
//! deadline covers dialing and the handshake together.

mod exchange;

pub(crate) use exchange::{Failure, Outcome, Timeouts};

use crate::client::{ConnId, Input, Output};
use crate::http::Request;
use crate::proxy::{Proxy, ProxyConfig, Tunnel, TunnelError, TunnelState};
use exchange::Exchange;
use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

/// One request and its response, whatever connections carry it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct ExchangeId(u64);

/// Where a connection goes: connections to the same target can be reused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    pub(crate) host: String,
    pub(crate) port: u16,
    pub(crate) tls: bool,
    pub(crate) via: Option<Proxy>,
}

impl Target {
    /// Where `request` goes (through a proxy if `proxy` says so) and its
    /// bytes in the form that target expects: absolute-form for an HTTP
    /// proxy without a tunnel (with `Proxy-Authorization: Basic` if it has
    /// credentials), origin-form otherwise.
    pub(crate) fn for_request(request: &Request, proxy: &ProxyConfig) -> (Target, Vec<u8>) {
        let via = proxy.proxy_for(&request.host, request.tls).cloned();
        let bytes = match &via {
            Some(p) if !p.needs_tunnel(request.tls) => match &p.auth {
                Some(c) => request
                    .clone()
                    .with_header(
                        "Proxy-Authorization",
                        &crate::proxy::http::basic_authorization(c),
                    )
                    .encode_for_proxy(),
                None => request.encode_for_proxy(),
            },
            _ => request.encode(),
        };
        let target = Target {
            host: request.host.clone(),
            port: request.port,
            tls: request.tls,
            via,
        };
        (target, bytes)
    }

    /// The proxy to tunnel through, if the connection needs a tunnel.
    fn tunnel_via(&self) -> Option<&Proxy> {
        self.via.as_ref().filter(|p| p.needs_tunnel(self.tls))
    }
}

/// A connection's tunnel handshake, until the tunnel is open.
#[derive(Debug)]
enum Handshake {
    /// In progress.
    Running(Tunnel),
    /// The tunnel could not even be set up (a target or credentials its
    /// wire format cannot carry): the exchange fails once connected.
    Broken(TunnelError),
}

/// How one exchange is run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Options {
    pub(crate) timeouts: Timeouts,
    /// Largest collected body.
    pub(crate) max_body: usize,
    /// Deliver the body of a 200 response as it arrives.
    pub(crate) stream: bool,
    /// Keep the connection for the next request after a complete
    /// keep-alive response.
    pub(crate) keep: bool,
}

/// What the exchanges produced, in order.
#[derive(Debug)]
pub(crate) enum Delivery {
    /// Streamed body bytes.
    Body(ExchangeId, Vec<u8>),
    /// The exchange is over (its connection is closed or kept already).
    Done(ExchangeId, Outcome),
}

#[derive(Debug)]
struct Live {
    conn: ConnId,
    target: Target,
    keep: bool,
    ex: Exchange,
}

#[derive(Debug)]
struct Idle {
    conn: ConnId,
    target: Target,
    until: Instant,
}

/// The exchanges in flight and the connections under them.
#[derive(Debug)]
pub(crate) struct Pool {
    next_conn: u64,
    next_id: u64,
    keep_for: Duration,
    live: BTreeMap<ExchangeId, Live>,
    by_conn: BTreeMap<ConnId, ExchangeId>,
    idle: Vec<Idle>,
    outputs: VecDeque<Output>,
    stale: u64,
    /// Connections whose tunnel is not open yet.
    tunnels: BTreeMap<ConnId, Handshake>,
}

impl Pool {
    /// A pool whose connection ids start at `first_conn`; an unused kept
    /// connection is closed after `keep_for`.
    pub(crate) fn new(first_conn: u64, keep_for: Duration) -> Pool {
        Pool {
            next_conn: first_conn,
            next_id: 0,
            keep_for,
            live: BTreeMap::new(),
            by_conn: BTreeMap::new(),
            idle: Vec::new(),
            outputs: VecDeque::new(),
            stale: 0,
            tunnels: BTreeMap::new(),
        }
    }

    /// Starts an exchange: on a kept connection to `target` if there is
    /// one, else on a new connection.
    pub(crate) fn start(
        &mut self,
        now: Instant,
        target: Target,
        bytes: Vec<u8>,
        options: Options,
    ) -> ExchangeId {
        let id = ExchangeId(self.next_id);
        self.next_id += 1;
        let mut ex = Exchange::new(
            bytes,
            now,
            options.timeouts,
            options.max_body,
            options.stream,
        );
        let conn = match self.idle.iter().position(|i| i.target == target) {
            Some(i) => {
                let conn = self.idle.remove(i).conn;
                let bytes = ex.on_kept(now);
                self.outputs.push_back(Output::Transmit { conn, bytes });
                conn
            }
            None => self.connect(&target),
        };
        self.by_conn.insert(conn, id);
        self.live.insert(
            id,
            Live {
                conn,
                target,
                keep: options.keep,
                ex,
            },
        );
        id
    }

    fn connect(&mut self, target: &Target) -> ConnId {
        let conn = ConnId(self.next_conn);
        self.next_conn += 1;
        let output = match (&target.via, target.tunnel_via()) {
            (_, Some(proxy)) => {
                let handshake = match Tunnel::new(proxy, &target.host, target.port) {
                    Ok(tunnel) => Handshake::Running(tunnel),
                    Err(e) => Handshake::Broken(e),
                };
                self.tunnels.insert(conn, handshake);
                Output::Connect {
                    conn,
                    host: proxy.host.clone(),
                    port: proxy.port,
                    tls: false,
                }
            }
            // Plain HTTP to an HTTP proxy: absolute-form requests.
            (Some(proxy), None) => Output::Connect {
                conn,
                host: proxy.host.clone(),
                port: proxy.port,
                tls: false,
            },
            (None, None) => Output::Connect {
                conn,
                host: target.host.clone(),
                port: target.port,
                tls: target.tls,
            },
        };
        self.outputs.push_back(output);
        conn
    }

    /// Queues what the tunnel of `conn` has to send.
    fn transmit_tunnel(&mut self, conn: ConnId) {
        let Some(Handshake::Running(tunnel)) = self.tunnels.get_mut(&conn) else {
            return;
        };
        while let Some(bytes) = tunnel.poll_transmit() {
            self.outputs.push_back(Output::Transmit { conn, bytes });
        }
    }

    /// The tunnel of `conn` failed: its exchange never reached the server.
    fn tunnel_failed(
        &mut self,
        now: Instant,
        conn: ConnId,
        error: &TunnelError,
        out: &mut Vec<Delivery>,
    ) {
        tracing::warn!(?conn, %error, "proxy tunnel failed");
        self.tunnels.remove(&conn);
        if let Some(&id) = self.by_conn.get(&conn) {
            self.finish(now, id, Outcome::Failed(Failure::NotSent), true, out);
        } else {
            self.outputs.push_back(Output::Close { conn });
        }
    }

    /// Bytes from the proxy on `conn`, whose tunnel is not open yet.
    fn tunnel_data(&mut self, now: Instant, conn: ConnId, data: &[u8], out: &mut Vec<Delivery>) {
        let state = match self.tunnels.get_mut(&conn) {
            Some(Handshake::Running(tunnel)) => tunnel.handle_data(data),
            Some(Handshake::Broken(e)) => Err(e.clone()),
            None => return,
        };
        match state {
            Ok(TunnelState::NeedMore) => self.transmit_tunnel(conn),
            Ok(TunnelState::Established { consumed }) => {
                self.transmit_tunnel(conn);
                self.tunnels.remove(&conn);
                let Some(&id) = self.by_conn.get(&conn) else {
                    self.outputs.push_back(Output::Close { conn });
                    return;
                };
                if consumed < data.len() {
                    // The request is not sent yet: the server cannot
                    // speak first.
                    tracing::debug!(
                        ?conn,
                        extra = data.len() - consumed,
                        "bytes after the tunnel handshake"
                    );
                    let failure = Failure::Protocol("data before the request was sent".into());
                    self.finish(now, id, Outcome::Failed(failure), true, out);
                    return;
                }
                tracing::debug!(?conn, "proxy tunnel open");
                let Some(live) = self.live.get_mut(&id) else {
                    return;
                };
                if live.target.tls {
                    self.outputs.push_back(Output::StartTls {
                        conn,
                        server_name: live.target.host.clone(),
                    });
                }
                if let Some(bytes) = live.ex.on_connected(now) {
                    self.outputs.push_back(Output::Transmit { conn, bytes });
                }
            }
            Err(e) => self.tunnel_failed(now, conn, &e, out),
        }
    }

    /// Ends an exchange early, closing its connection. Whether it was live.
    pub(crate) fn cancel(&mut self, id: ExchangeId) -> bool {
        let Some(live) = self.live.remove(&id) else {
            return false;
        };
        self.by_conn.remove(&live.conn);
        self.tunnels.remove(&live.conn);
        self.outputs.push_back(Output::Close { conn: live.conn });
        true
    }

    /// Whether `id` is still in flight.
    pub(crate) fn is_live(&self, id: ExchangeId) -> bool {
        self.live.contains_key(&id)
    }

    /// Kept connections replaced by fresh ones so far.
    pub(crate) fn stale_replaced(&self) -> u64 {
        self.stale
    }

    /// A fact about a connection.
    pub(crate) fn handle_input(&mut self, now: Instant, input: Input<'_>) -> Vec<Delivery> {
        let mut out = Vec::new();
        match input {
            Input::Connected(conn) => {
                let broken = self.tunnels.get(&conn).map(|h| match h {
                    Handshake::Running(_) => None,
                    Handshake::Broken(e) => Some(e.clone()),
                });
                match broken {
                    // Connected to the proxy: the handshake starts, the
                    // exchange waits for the tunnel.
                    Some(None) => self.transmit_tunnel(conn),
                    Some(Some(e)) => self.tunnel_failed(now, conn, &e, &mut out),
                    None => {
                        if let Some(live) = self.live_mut(conn) {
                            if let Some(bytes) = live.ex.on_connected(now) {
                                self.outputs.push_back(Output::Transmit { conn, bytes });
                            }
                        }
                    }
                }
            }
            Input::Data(conn, data) => {
                if self.drop_idle(conn) {
                    // A kept connection must stay silent between requests.
                    self.outputs.push_back(Output::Close { conn });
                    return out;
                }
                if self.tunnels.contains_key(&conn) {
                    self.tunnel_data(now, conn, data, &mut out);
                    return out;
                }
                let Some(&id) = self.by_conn.get(&conn) else {
                    return out;
                };
                let Some(live) = self.live.get_mut(&id) else {
                    return out;
                };
                let fed = live.ex.on_data(now, data);
                if !fed.streamed.is_empty() {
                    out.push(Delivery::Body(id, fed.streamed));
                }
                if let Some(outcome) = fed.done {
                    self.finish(now, id, outcome, true, &mut out);
                }
            }
            Input::Closed(conn) => {
                if self.drop_idle(conn) {
                    return out;
                }
                if let Some(Handshake::Running(mut tunnel)) = self.tunnels.remove(&conn) {
                    if let Err(error) = tunnel.handle_closed() {
                        tracing::warn!(?conn, %error, "proxy tunnel failed");
                    }
                }
                let Some(id) = self.by_conn.remove(&conn) else {
                    return out;
                };
                let Some(live) = self.live.get_mut(&id) else {
                    return out;
                };
                if live.ex.resend.is_some() && !live.ex.got_bytes {
                    // A kept connection the server had already closed: the
                    // same exchange again on a fresh connection.
                    tracing::debug!(?conn, "kept connection was stale; retrying on a new one");
                    self.stale += 1;
                    live.ex.restart(now);
                    let target = live.target.clone();
                    let fresh = self.connect(&target);
                    if let Some(live) = self.live.get_mut(&id) {
                        live.conn = fresh;
                    }
                    self.by_conn.insert(fresh, id);
                    return out;
                }
                let fed = live.ex.on_closed();
                if !fed.streamed.is_empty() {
                    out.push(Delivery::Body(id, fed.streamed));
                }
                let outcome = fed.done.unwrap_or(Outcome::Failed(Failure::Closed));
                // The adapter already dropped the connection: no Close.
                self.finish(now, id, outcome, false, &mut out);
            }
        }
        out
    }

    fn live_mut(&mut self, conn: ConnId) -> Option<&mut Live> {
        let id = self.by_conn.get(&conn)?;
        self.live.get_mut(id)
    }

    /// Ends `id` with `outcome`: its connection is kept (a complete
    /// keep-alive response, if allowed) or closed (if `open`).
    fn finish(
        &mut self,
        now: Instant,
        id: ExchangeId,
        outcome: Outcome,
        open: bool,
        out: &mut Vec<Delivery>,
    ) {
        let Some(live) = self.live.remove(&id) else {
            return;
        };
        self.by_conn.remove(&live.conn);
        self.tunnels.remove(&live.conn);
        if open {
            let keep =
                live.keep && live.ex.keep_alive && matches!(outcome, Outcome::Complete { .. });
            if keep {
                self.idle.push(Idle {
                    conn: live.conn,
                    target: live.target,
                    until: now + self.keep_for,
                });
            } else {
                self.outputs.push_back(Output::Close { conn: live.conn });
            }
        }
        out.push(Delivery::Done(id, outcome));
    }

    /// Time passed: exchanges past a deadline fail, unused kept
    /// connections close.
    pub(crate) fn handle_timeout(&mut self, now: Instant) -> Vec<Delivery> {
        let mut out = Vec::new();
        let expired: Vec<(ExchangeId, Failure)> = self
            .live
            .iter()
            .filter_map(|(id, live)| live.ex.expired(now).map(|f| (*id, f)))
            .collect();
        for (id, failure) in expired {
            // A failed exchange's connection is closed, never kept.
            self.finish(now, id, Outcome::Failed(failure), true, &mut out);
        }
        let (stale, keep): (Vec<Idle>, Vec<Idle>) = std::mem::take(&mut self.idle)
            .into_iter()
            .partition(|i| now >= i.until);
        self.idle = keep;
        for i in stale {
            self.outputs.push_back(Output::Close { conn: i.conn });
        }
        out
    }

    /// The next connection action; `None` when drained.
    pub(crate) fn poll_output(&mut self) -> Option<Output> {
        self.outputs.pop_front()
    }

    /// The earliest deadline of any exchange or kept connection.
    pub(crate) fn poll_timeout(&self) -> Option<Instant> {
        let live = self.live.values().map(|l| l.ex.deadline());
        let idle = self.idle.iter().map(|i| i.until);
        live.chain(idle).min()
    }

    fn drop_idle(&mut self, conn: ConnId) -> bool {
        let Some(i) = self.idle.iter().position(|i| i.conn == conn) else {
            return false;
        };
        self.idle.remove(i);
        true
    }

    /// Closes every kept connection.
    pub(crate) fn close_idle(&mut self) {
        for i in std::mem::take(&mut self.idle) {
            self.outputs.push_back(Output::Close { conn: i.conn });
        }
    }

    /// Closes every connection; the exchanges that were in flight.
    pub(crate) fn close_all(&mut self) -> Vec<ExchangeId> {
        self.close_idle();
        let ids: Vec<ExchangeId> = self.live.keys().copied().collect();
        for id in &ids {
            self.cancel(*id);
        }
        ids
    }
}
