//! The [`Client`]: the machine a runtime adapter drives. It combines the
//! push channel, chat API calls, image upload and active-client
//! bookkeeping over connections the adapter opens on request.
//!
//! The driving contract and its example are in the [crate docs](crate).

mod channel;
mod exchange;
mod requests;
mod types;

pub use types::{
    ChannelError, Config, ConfigError, ConnId, Event, FatalError, Input, Output, RequestId,
    UsageError,
};

use crate::api::{apply_auth, AuthHeaders};
use crate::backoff::Backoff;
use crate::http::Request;
use crate::rng::Rng;
use exchange::{Exchange, Outcome, Progress, Purpose};
use hangups_proto::hangouts::ActiveClientState;
use std::collections::{BTreeMap, VecDeque};
use std::time::Instant;

/// Where the push channel is.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ChannelState {
    /// `connect` not called yet.
    Idle,
    /// The session request is in flight.
    RequestingSid(ConnId),
    /// The long-poll is in flight.
    Polling(ConnId),
    /// Waiting for the backoff timer.
    Waiting(Instant),
    /// Disconnected or given up.
    Stopped,
}

/// Where a connection goes: connections to the same target can be reused.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Target {
    host: String,
    port: u16,
    tls: bool,
    via: Option<crate::proxy::Proxy>,
}

/// A kept-alive connection waiting for its next request.
#[derive(Debug)]
struct IdleConn {
    conn: ConnId,
    target: Target,
    until: Instant,
}

/// The channel session ids.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Session {
    sid: String,
    gsessionid: String,
}

/// The sans-IO Hangouts client. See the [module docs](self) for how to drive it.
#[derive(Debug)]
pub struct Client {
    config: Config,
    auth: AuthHeaders,
    rng: Rng,
    now: Instant,
    next_conn: u64,
    next_request: u64,
    exchanges: BTreeMap<ConnId, Exchange>,
    /// Where each open connection goes.
    targets: BTreeMap<ConnId, Target>,
    /// Kept-alive connections with no exchange.
    idle: Vec<IdleConn>,
    outputs: VecDeque<Output>,
    events: VecDeque<Event>,
    closed: bool,
    // push channel
    channel: ChannelState,
    session: Option<Session>,
    backoff: Backoff,
    client_id: Option<String>,
    subscription: Option<ConnId>,
    ever_connected: bool,
    connected: bool,
    last_server_time: Option<u64>,
    bad_chunks: u64,
    // active-client bookkeeping (PROTOCOL.md §7.1)
    active_state: ActiveClientState,
    last_set_active: Option<Instant>,
    email: Option<String>,
    // session renewal (Config::renew_session)
    /// API calls refused with 401, waiting for new cookies.
    held: Vec<Held>,
    /// Calls already sent again after a renewal: a second 401 fails them.
    renewed: std::collections::BTreeSet<RequestId>,
    /// `Event::SessionExpired` was reported and not yet answered.
    expired: bool,
    /// Counts `set_cookies` calls: which cookies a request carried.
    generation: u64,
    /// The generation of the exchange being completed.
    completing: u64,
}

/// An API call refused with 401, held for new cookies.
#[derive(Debug)]
struct Held {
    id: RequestId,
    request: Box<crate::api::ApiRequest>,
    internal: Option<exchange::Internal>,
    reason: String,
}

impl Client {
    /// A client for `config`. `now` starts its clock; `unix_secs` (wall
    /// clock, from the adapter) timestamps the SAPISIDHASH authorization.
    pub fn new(config: Config, now: Instant, unix_secs: u64) -> Result<Client, ConfigError> {
        let auth = AuthHeaders::new(&config.cookies, unix_secs)?;
        for (role, ep) in [("channel", &config.channel), ("api", &config.api)] {
            if !config.allow_list.allows(&ep.origin()) {
                return Err(ConfigError::HostNotAllowed {
                    role,
                    host: ep.origin().to_string(),
                });
            }
        }
        Ok(Client {
            rng: Rng::new(config.rng_seed),
            backoff: Backoff::new(config.backoff.clone()),
            config,
            auth,
            now,
            next_conn: 0,
            next_request: 0,
            exchanges: BTreeMap::new(),
            targets: BTreeMap::new(),
            idle: Vec::new(),
            outputs: VecDeque::new(),
            events: VecDeque::new(),
            closed: false,
            channel: ChannelState::Idle,
            session: None,
            client_id: None,
            subscription: None,
            ever_connected: false,
            connected: false,
            last_server_time: None,
            bad_chunks: 0,
            active_state: ActiveClientState::ACTIVE_CLIENT_STATE_NO_ACTIVE,
            last_set_active: None,
            email: None,
            held: Vec::new(),
            renewed: std::collections::BTreeSet::new(),
            expired: false,
            generation: 0,
            completing: 0,
        })
    }

    // ---- getters ----

    /// The client id, once the channel has delivered one.
    pub fn client_id(&self) -> Option<&str> {
        self.client_id.as_deref()
    }

    /// Whether the push channel is connected (§1.9).
    pub fn is_connected(&self) -> bool {
        self.connected
    }

    /// The newest server timestamp (µs) seen on the channel: where a
    /// catch-up `SyncAllNewEvents` should start.
    pub fn last_server_time(&self) -> Option<u64> {
        self.last_server_time
    }

    /// Chunks skipped because they were not valid push data.
    pub fn bad_chunks(&self) -> u64 {
        self.bad_chunks
    }

    /// Whether the client is closed.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    // ---- input ----

    /// A fact about a connection.
    pub fn handle_input(&mut self, now: Instant, input: Input<'_>) {
        self.tick(now);
        match input {
            Input::Connected(conn) => {
                if let Some(ex) = self.exchanges.get_mut(&conn) {
                    if let Some(bytes) = ex.on_connected(now) {
                        self.outputs.push_back(Output::Transmit { conn, bytes });
                    }
                }
            }
            Input::Data(conn, data) => {
                if self.drop_idle(conn) {
                    // A kept connection must stay silent between requests.
                    self.outputs.push_back(Output::Close { conn });
                    return;
                }
                let Some(ex) = self.exchanges.get_mut(&conn) else {
                    return;
                };
                let progress = ex.on_data(now, data);
                self.after_data(conn);
                if let Progress::Done(outcome) = progress {
                    self.finish(conn, outcome);
                }
            }
            Input::Closed(conn) => {
                if self.drop_idle(conn) {
                    return;
                }
                let Some(mut ex) = self.exchanges.remove(&conn) else {
                    return;
                };
                let target = self.targets.remove(&conn);
                // A kept connection the server had already closed: send the
                // request again on a fresh one, as if nothing happened.
                if let (Some(bytes), Some(target), false) = (ex.resend.take(), target, ex.got_bytes)
                {
                    if !self.closed {
                        tracing::debug!(?conn, "kept connection was stale; retrying on a new one");
                        let fresh = ConnId(self.next_conn);
                        self.next_conn += 1;
                        let ex = ex.renew(fresh, bytes, self.now, self.config.request_timeout);
                        self.exchanges.insert(fresh, ex);
                        self.connect_output(fresh, target);
                        return;
                    }
                }
                let outcome = ex.on_closed();
                self.exchanges.insert(conn, ex);
                self.after_data(conn);
                // The adapter already dropped it: no Output::Close.
                if let Some(ex) = self.exchanges.remove(&conn) {
                    self.complete(ex, outcome);
                }
            }
        }
    }

    /// Time passed: fires every deadline that is due.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.tick(now);
        let expired: Vec<ConnId> = self
            .exchanges
            .iter()
            .filter(|(_, ex)| ex.expired(now))
            .map(|(c, _)| *c)
            .collect();
        for conn in expired {
            self.finish(conn, Outcome::Failed(exchange::Failure::Timeout));
        }
        let (stale, keep): (Vec<IdleConn>, Vec<IdleConn>) = std::mem::take(&mut self.idle)
            .into_iter()
            .partition(|i| now >= i.until);
        self.idle = keep;
        for i in stale {
            self.targets.remove(&i.conn);
            self.outputs.push_back(Output::Close { conn: i.conn });
        }
        if let ChannelState::Waiting(at) = self.channel {
            if now >= at && !self.closed {
                self.start_channel_attempt();
            }
        }
    }

    // ---- commands ----

    /// Starts the push channel (session, long-poll, subscription). Calling
    /// it again while running does nothing.
    pub fn connect(&mut self, now: Instant) {
        self.tick(now);
        if self.closed || !matches!(self.channel, ChannelState::Idle | ChannelState::Stopped) {
            return;
        }
        self.start_channel_attempt();
    }

    /// New session cookies (after [`Event::SessionExpired`], or whenever
    /// the application has fresher ones), with the wall clock for their
    /// SAPISIDHASH. Calls held for a 401 are sent again (once), and a
    /// channel waiting to retry retries now with a new session.
    pub fn set_cookies(
        &mut self,
        now: Instant,
        cookies: crate::api::Cookies,
        unix_secs: u64,
    ) -> Result<(), ConfigError> {
        self.tick(now);
        self.auth = AuthHeaders::new(&cookies, unix_secs)?;
        self.config.cookies = cookies;
        self.expired = false;
        self.generation += 1;
        // Kept connections carried the old cookies' session; start afresh.
        self.close_idle();
        for held in std::mem::take(&mut self.held) {
            self.renewed.insert(held.id);
            self.send_api(held.id, 1, held.request, held.internal);
        }
        if let ChannelState::Waiting(_) = self.channel {
            if !self.closed {
                self.session = None;
                self.start_channel_attempt();
            }
        }
        Ok(())
    }

    /// Signing in again failed: the calls held for a 401 fail with it.
    pub fn session_renewal_failed(&mut self, now: Instant) {
        self.tick(now);
        self.expired = false;
        for held in std::mem::take(&mut self.held) {
            self.deliver_api(
                held.id,
                held.internal,
                Err(crate::api::ApiError::Http {
                    status: 401,
                    reason: held.reason,
                }),
            );
        }
    }

    /// Whether the exchange being completed carried older cookies than the
    /// current ones (its 401 says nothing about them).
    fn stale_cookies(&self) -> bool {
        self.completing < self.generation
    }

    /// Reports [`Event::SessionExpired`] once (with renewal on), unless
    /// the refused request carried cookies that were replaced since.
    fn session_expired(&mut self) {
        if self.config.renew_session && !self.expired && !self.closed && !self.stale_cookies() {
            self.expired = true;
            self.events.push_back(Event::SessionExpired);
        }
    }

    /// Stops everything: every connection is closed, pending requests fail,
    /// and [`Event::Closed`] is the last event.
    pub fn disconnect(&mut self, now: Instant) {
        self.tick(now);
        if self.closed {
            return;
        }
        self.closed = true;
        self.channel = ChannelState::Stopped;
        self.connected = false;
        let conns: Vec<ConnId> = self.exchanges.keys().copied().collect();
        for conn in conns {
            if let Some(ex) = self.exchanges.remove(&conn) {
                self.outputs.push_back(Output::Close { conn });
                self.abandon(ex);
            }
        }
        self.close_idle();
        self.session_renewal_failed(now);
        self.events.push_back(Event::Closed { error: None });
    }

    // ---- output ----

    /// The next thing for the adapter to do; `None` when drained.
    #[must_use]
    pub fn poll_output(&mut self) -> Option<Output> {
        let out = self.outputs.pop_front();
        if let Some(Output::Close { conn }) = &out {
            self.targets.remove(conn);
        }
        out
    }

    /// The next event for the application; `None` when drained.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When to call [`Client::handle_timeout`] next; `None`: no timer.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        let exchanges = self.exchanges.values().map(|ex| ex.deadline);
        let reconnect = match self.channel {
            ChannelState::Waiting(at) => Some(at),
            _ => None,
        };
        let idle = self.idle.iter().map(|i| i.until);
        exchanges.chain(reconnect).chain(idle).min()
    }

    // ---- internals shared by the submodules ----

    fn tick(&mut self, now: Instant) {
        if now > self.now {
            self.now = now;
        }
    }

    /// Sends `request` on a kept connection to its server, or opens one.
    fn open(&mut self, request: &Request, purpose: Purpose, authorize: bool) -> ConnId {
        let mut request = request.clone();
        if authorize {
            apply_auth(&mut request, &self.auth, &self.config.allow_list);
        }
        let idle = match purpose {
            Purpose::LongPoll(_) => self.config.push_timeout,
            _ => self.config.request_timeout,
        };
        let via = self
            .config
            .proxy
            .proxy_for(&request.host, request.tls)
            .cloned();
        let bytes = match via {
            Some(_) if !request.tls => request.encode_for_proxy(),
            _ => request.encode(),
        };
        let target = Target {
            host: request.host.clone(),
            port: request.port,
            tls: request.tls,
            via,
        };
        let kept = self.idle.iter().position(|i| i.target == target);
        let conn = match kept {
            Some(i) => self.idle.remove(i).conn,
            None => {
                let conn = ConnId(self.next_conn);
                self.next_conn += 1;
                conn
            }
        };
        let mut ex = Exchange::new(
            conn,
            purpose,
            bytes,
            self.now,
            self.config.request_timeout,
            idle,
            self.config.max_response_body,
        );
        ex.generation = self.generation;
        if kept.is_some() {
            let (ex, bytes) = ex.reuse(self.now);
            self.exchanges.insert(conn, ex);
            self.outputs.push_back(Output::Transmit { conn, bytes });
        } else {
            self.exchanges.insert(conn, ex);
            self.connect_output(conn, target);
        }
        conn
    }

    fn connect_output(&mut self, conn: ConnId, target: Target) {
        self.outputs.push_back(Output::Connect {
            conn,
            host: target.host.clone(),
            port: target.port,
            tls: target.tls,
            via: target.via.clone(),
        });
        self.targets.insert(conn, target);
    }

    /// Forgets `conn` if it is a kept connection; whether it was.
    fn drop_idle(&mut self, conn: ConnId) -> bool {
        let Some(i) = self.idle.iter().position(|i| i.conn == conn) else {
            return false;
        };
        self.idle.remove(i);
        self.targets.remove(&conn);
        true
    }

    fn close_idle(&mut self) {
        for i in std::mem::take(&mut self.idle) {
            self.targets.remove(&i.conn);
            self.outputs.push_back(Output::Close { conn: i.conn });
        }
    }

    /// Ends an exchange the client decided to end (it closes the connection).
    /// A complete keep-alive response leaves the connection open for the
    /// next request to the same server.
    fn finish(&mut self, conn: ConnId, outcome: Outcome) {
        if let Some(ex) = self.exchanges.remove(&conn) {
            // The subscription's connection is not kept: the channel's next
            // request (a long-poll, minutes later) reuses the long-poll's own,
            // and an idle client should hold one socket, not two.
            let keep = self.config.reuse_connections
                && !self.closed
                && ex.keep_alive
                && !matches!(ex.purpose, Purpose::Subscribe)
                && matches!(outcome, Outcome::Complete { .. });
            match self.targets.get(&conn) {
                Some(target) if keep => {
                    let until = self.now + self.config.idle_connection_timeout;
                    self.idle.push(IdleConn {
                        conn,
                        target: target.clone(),
                        until,
                    });
                }
                _ => {
                    self.targets.remove(&conn);
                    self.outputs.push_back(Output::Close { conn });
                }
            }
            self.complete(ex, outcome);
        }
    }

    /// Dispatches a finished exchange by purpose.
    fn complete(&mut self, ex: Exchange, outcome: Outcome) {
        let conn = ex.conn;
        self.completing = ex.generation;
        match ex.purpose {
            Purpose::Sid => self.on_sid_response(conn, outcome),
            Purpose::LongPoll(_) => self.on_long_poll_end(conn, outcome),
            Purpose::Subscribe => self.on_subscription_response(conn, outcome),
            Purpose::Api {
                id,
                attempt,
                request,
                internal,
            } => self.on_api_response(id, attempt, request, internal, outcome),
            Purpose::UploadSession { id, upload, image } => {
                self.on_upload_session(id, upload, image, outcome)
            }
            Purpose::UploadPut { id, upload } => self.on_upload_put(id, *upload, outcome),
        }
    }

    /// An exchange dropped by `disconnect`: its requester gets an error.
    fn abandon(&mut self, ex: Exchange) {
        match ex.purpose {
            Purpose::Api {
                id, internal: None, ..
            } => self.events.push_back(Event::Response {
                id,
                result: Err(crate::api::ApiError::Transport(
                    "the client was disconnected".into(),
                )),
            }),
            Purpose::UploadSession { id, .. } | Purpose::UploadPut { id, .. } => {
                self.events.push_back(Event::ImageUploaded {
                    id,
                    result: Err(crate::api::UploadError::Transport(
                        "the client was disconnected".into(),
                    )),
                })
            }
            _ => {}
        }
    }
}
