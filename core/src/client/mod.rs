//! The [`Client`]: the machine a runtime adapter drives. It combines the
//! push channel, chat API calls, image upload and active-client
//! bookkeeping over connections the adapter opens on request.
//!
//! The driving contract and its example are in the [crate docs](crate).
//!
//! # Retries of chat API calls
//!
//! Up to three attempts in all, one after another, and only where a second
//! copy cannot hurt:
//!
//! - a request that provably never reached the server (the connection
//!   could not be opened) is always retried;
//! - after it may have reached the server (closed, cut or timed out
//!   later), only an idempotent request
//!   ([`ApiRequest::is_idempotent`](crate::api::ApiRequest::is_idempotent))
//!   is retried; every retry carries the same `client_generated_id`;
//! - a malformed or oversized response is the server's answer: never
//!   retried ([`ApiError::BadResponse`](crate::api::ApiError::BadResponse)).

mod channel;
mod purpose;
mod requests;
mod types;

pub use types::{
    ChannelError, Config, ConfigError, ConnId, Event, FatalError, Input, Output, RequestId,
    SessionError, SubscriptionError, UsageError,
};

use crate::api::{apply_auth, AuthHeaders};
use crate::backoff::Backoff;
use crate::http::Request;
use crate::pool::{Delivery, ExchangeId, Options, Outcome, Pool, Target, Timeouts};
use crate::rng::Rng;
use hangups_proto::hangouts::ActiveClientState;
use purpose::{Internal, Pending, Purpose};
use std::collections::{BTreeMap, VecDeque};
use std::time::Instant;

/// Where the push channel is. It names exchanges, never connections: a
/// kept connection replaced under an exchange is invisible here.
#[derive(Debug, Clone, PartialEq, Eq)]
enum ChannelState {
    /// `connect` not called yet.
    Idle,
    /// The session request is in flight.
    RequestingSid(ExchangeId),
    /// The long-poll is in flight; it fails if no complete chunk arrives
    /// by `chunk_by`.
    Polling {
        exchange: ExchangeId,
        chunk_by: Instant,
    },
    /// Waiting for the backoff timer.
    Waiting(Instant),
    /// Disconnected or given up.
    Stopped,
}

/// The channel session ids.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Session {
    sid: String,
    gsessionid: String,
    /// The service subscription for this session succeeded. The server
    /// sends a session's client id once, so a session whose subscription
    /// failed or was abandoned can never be subscribed: it is replaced.
    subscribed: bool,
    /// Complete chunks this session has delivered.
    chunks: u64,
}

/// The sans-IO Hangouts client. See the [module docs](self) for how to drive it.
#[derive(Debug)]
pub struct Client {
    config: Config,
    auth: AuthHeaders,
    rng: Rng,
    now: Instant,
    next_request: u64,
    /// The exchanges in flight and the connections under them.
    pool: Pool,
    /// What each exchange in flight is for.
    pending: BTreeMap<ExchangeId, Pending>,
    events: VecDeque<Event>,
    closed: bool,
    // push channel
    channel: ChannelState,
    session: Option<Session>,
    backoff: Backoff,
    client_id: Option<String>,
    subscription: Option<ExchangeId>,
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
    internal: Option<Internal>,
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
        let config_keep_for = config.idle_connection_timeout;
        Ok(Client {
            rng: Rng::new(config.rng_seed),
            backoff: Backoff::new(config.backoff.clone()),
            config,
            auth,
            now,
            next_request: 0,
            pool: Pool::new(0, config_keep_for),
            pending: BTreeMap::new(),
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
        let deliveries = self.pool.handle_input(now, input);
        self.dispatch(deliveries);
    }

    /// Time passed: fires every deadline that is due.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.tick(now);
        let deliveries = self.pool.handle_timeout(now);
        self.dispatch(deliveries);
        if let ChannelState::Polling { exchange, chunk_by } = self.channel {
            if now >= chunk_by {
                self.drop_exchange(exchange);
                self.channel_failed(ChannelError::PushTimeout(self.config.push_timeout), false);
            }
        }
        if let ChannelState::Waiting(at) = self.channel {
            if now >= at && !self.closed {
                self.start_channel_attempt();
            }
        }
    }

    /// Hands what the exchanges produced to their owners, in order.
    fn dispatch(&mut self, deliveries: Vec<Delivery>) {
        for delivery in deliveries {
            match delivery {
                Delivery::Body(id, bytes) => self.on_stream(id, &bytes),
                Delivery::Done(id, outcome) => {
                    if let Some(pending) = self.pending.remove(&id) {
                        self.complete(id, pending, outcome);
                    }
                }
            }
        }
    }

    /// Ends an exchange the client gave up on (closing its connection).
    fn drop_exchange(&mut self, id: ExchangeId) -> Option<Pending> {
        self.pool.cancel(id);
        self.pending.remove(&id)
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
        self.pool.close_idle();
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
        self.abandon_all();
        self.session_renewal_failed(now);
        self.events.push_back(Event::Closed { error: None });
    }

    // ---- output ----

    /// The next thing for the adapter to do; `None` when drained.
    #[must_use]
    pub fn poll_output(&mut self) -> Option<Output> {
        self.pool.poll_output()
    }

    /// The next event for the application; `None` when drained.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When to call [`Client::handle_timeout`] next; `None`: no timer.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        let channel = match self.channel {
            ChannelState::Waiting(at) => Some(at),
            ChannelState::Polling { chunk_by, .. } => Some(chunk_by),
            _ => None,
        };
        self.pool.poll_timeout().into_iter().chain(channel).min()
    }

    /// Kept connections that turned out stale and were replaced under
    /// their request (for tests and metrics).
    pub fn stale_connections_replaced(&self) -> u64 {
        self.pool.stale_replaced()
    }

    /// Checks the channel's promise: while the client runs, the channel
    /// always has an exchange in flight or a timer armed, never neither.
    /// A description of the broken promise, if any (for tests).
    #[doc(hidden)]
    pub fn check_invariants(&self) -> Result<(), String> {
        let live = |id: &ExchangeId| self.pool.is_live(*id) && self.pending.contains_key(id);
        match &self.channel {
            ChannelState::RequestingSid(id) | ChannelState::Polling { exchange: id, .. }
                if !live(id) =>
            {
                Err(format!(
                    "channel {:?} names an exchange not in flight",
                    self.channel
                ))
            }
            ChannelState::Stopped if !self.closed => Err("stopped but not closed".into()),
            _ if self.closed && !self.pending.is_empty() => {
                Err("closed with exchanges in flight".into())
            }
            _ => match self.subscription {
                Some(id) if !live(&id) => Err("subscription names a dead exchange".into()),
                _ => Ok(()),
            },
        }
    }

    // ---- internals shared by the submodules ----

    fn tick(&mut self, now: Instant) {
        if now > self.now {
            self.now = now;
        }
    }

    /// Sends `request` on a kept connection to its server, or opens one.
    fn open(&mut self, request: &Request, purpose: Purpose, authorize: bool) -> ExchangeId {
        let mut request = request.clone();
        if authorize {
            apply_auth(&mut request, &self.auth, &self.config.allow_list);
        }
        let (target, bytes) = Target::for_request(&request, &self.config.proxy);
        let c = &self.config;
        let timeouts = match purpose {
            Purpose::LongPoll(_) => Timeouts {
                idle: c.push_timeout,
                head: c.request_timeout,
                total: c.long_poll_lifetime,
            },
            _ => Timeouts {
                idle: c.request_timeout,
                head: c.response_timeout,
                total: c.response_timeout,
            },
        };
        let options = Options {
            timeouts,
            max_body: c.max_response_body,
            stream: matches!(purpose, Purpose::LongPoll(_)),
            // The subscription's connection is not kept: the channel's next
            // request (a long-poll, minutes later) reuses the long-poll's own,
            // and an idle client should hold one socket, not two.
            keep: c.reuse_connections && !matches!(purpose, Purpose::Subscribe),
        };
        let id = self.pool.start(self.now, target, bytes, options);
        self.pending.insert(
            id,
            Pending {
                purpose,
                generation: self.generation,
            },
        );
        id
    }

    /// Dispatches a finished exchange by purpose.
    fn complete(&mut self, id: ExchangeId, pending: Pending, outcome: Outcome) {
        self.completing = pending.generation;
        match pending.purpose {
            Purpose::Sid => self.on_sid_response(id, outcome),
            Purpose::LongPoll(_) => self.on_long_poll_end(id, outcome),
            Purpose::Subscribe => self.on_subscription_response(id, outcome),
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

    /// Closes every connection; every request in flight fails.
    fn abandon_all(&mut self) {
        self.pool.close_all();
        for (_, pending) in std::mem::take(&mut self.pending) {
            self.abandon(pending.purpose);
        }
    }

    /// An exchange dropped by `disconnect`: its requester gets an error.
    fn abandon(&mut self, purpose: Purpose) {
        match purpose {
            Purpose::Api {
                id, internal: None, ..
            } => self.events.push_back(Event::Response {
                id,
                result: Err(crate::api::ApiError::Closed),
            }),
            Purpose::UploadSession { id, .. } | Purpose::UploadPut { id, .. } => {
                self.events.push_back(Event::ImageUploaded {
                    id,
                    result: Err(crate::api::UploadError::Closed),
                })
            }
            _ => {}
        }
    }
}
