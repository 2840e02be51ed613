//! [`ChatClient`]: the sans-IO machine that runs Chat API calls over
//! pooled connections, with retries.
//!
//! # Retries
//!
//! A call is attempted up to [`ChatConfig::max_attempts`] times (5). It is
//! retried after HTTP 429, 500, 502, 503, 504 and after transport failures
//! (connect failed, closed, cut, timed out), with truncated exponential
//! backoff and jitter from the seeded RNG; when the server asks for a wait
//! (`Retry-After` seconds or, with a wall clock, an HTTP date;
//! `RetryInfo.retryDelay`), the longest of the
//! three is waited (a server asking for more than
//! [`ChatConfig::max_server_delay`] ends the call with its error). Every request but a create without `requestId` is
//! idempotent, and a create gets a `requestId` (a UUIDv4 from the seeded
//! RNG) when the caller gave none, so the server deduplicates its retries:
//! every attempt of one call carries the same id. Malformed responses and
//! other statuses are final.
//!
//! # Service accounts
//!
//! With [`ChatAuth::ServiceAccount`] (start the client with
//! [`ChatClient::with_wall_clock`]), a call needs an access token: when
//! there is none, or it expires within 5 minutes, the client signs a JWT
//! and POSTs it to the key's `token_uri` over the same pool (that origin
//! is allowed for this POST alone, which carries no bearer token), holding
//! the calls until the answer. The token is cached with its expiry. A
//! refusal (`invalid_grant`, …) ends the held calls with
//! [`ChatError::Token`]; a transport failure or 5xx of the token endpoint
//! counts as a failed attempt of each held call. A 401 from the API
//! refreshes the token once per call and retries it.
//!
//! # Users
//!
//! [`ChatAuth::User`] works the same way (no wall clock needed): the token
//! POST goes to the app's `token_uri` with the authorization code
//! (`grant_type=authorization_code`, `code_verifier`, `redirect_uri`) the
//! first time, with the refresh token (`grant_type=refresh_token`) after.
//! A refresh token in the answer replaces the one held and is reported as
//! [`ChatEvent::NewRefreshToken`]. `invalid_grant` ends the held calls with
//! [`ChatError::BadRefreshToken`]: the user must sign in again.

use super::auth::ChatAuth;
use super::config::ChatConfig;
use super::error::{ChatError, GoogleError, InvalidRequest};
use super::model::{ListMessagesResponse, Message};
use super::oauth::{self, UserGrant, UserOAuth};
use super::request::{
    ChatRequest, CreateMessage, DeleteMessage, GetMessage, ListMessages, UpdateMessage, UpdateVerb,
};
use super::service_account::{self, OAuthErrorCode, ServiceAccount, TokenMode};
use crate::api::{FailureKind, Origin};
use crate::backoff::Backoff;
use crate::client::{Input, Output};
use crate::pool::{Delivery, ExchangeId, Options, Outcome, Pool, Target, Timeouts};
use crate::rng::Rng;
use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

/// Identifies one call and its [`ChatEvent::Response`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChatRequestId(pub u64);

/// A successful answer.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ChatResponse {
    /// The message created, read or updated.
    Message(Box<Message>),
    /// One page of `list`.
    List(ListMessagesResponse),
    /// The message was deleted.
    Deleted,
}

/// What the client reports.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ChatEvent {
    /// A call ended.
    Response {
        /// The call.
        id: ChatRequestId,
        /// Its answer or why it failed.
        result: Result<ChatResponse, ChatError>,
    },
    /// A call failed and will be attempted again after `delay`.
    Retrying {
        /// The call.
        id: ChatRequestId,
        /// The attempt that failed (1 for the first).
        attempt: u32,
        /// How long until the next attempt.
        delay: Duration,
        /// Why the attempt failed.
        error: ChatError,
    },
    /// The token endpoint issued a user a new refresh token (the first
    /// sign-in's code exchange, or a rotation): store it, and start the
    /// next run from it ([`UserOAuth::from_refresh_token`]). The client
    /// already uses it.
    NewRefreshToken(crate::auth::RefreshToken),
}

#[derive(Debug)]
enum CallState {
    InFlight(ExchangeId),
    Waiting(Instant),
    /// Waiting for a service account's access token.
    Held,
}

#[derive(Debug)]
struct Call {
    request: ChatRequest,
    attempt: u32,
    backoff: Backoff,
    state: CallState,
    /// The generation of the access token of the last attempt (0: none).
    token_gen: u64,
    /// Whether a 401 already made this call refresh the token.
    refreshed: bool,
}

/// A service account's cached access token.
struct Token {
    value: String,
    /// When to fetch the next one.
    refresh_at: Instant,
    generation: u64,
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Token")
            .field("value", &"<redacted>")
            .field("refresh_at", &self.refresh_at)
            .field("generation", &self.generation)
            .finish()
    }
}

/// Refresh a token this long before it expires (at most half its life).
const REFRESH_MARGIN: Duration = Duration::from_secs(300);

/// The sans-IO Chat API client. Drive it as every machine of the crate
/// ([driving contract](crate#driving-contract)).
#[derive(Debug)]
pub struct ChatClient {
    config: ChatConfig,
    rng: Rng,
    now: Instant,
    next_id: u64,
    pool: Pool,
    calls: BTreeMap<ChatRequestId, Call>,
    by_exchange: BTreeMap<ExchangeId, ChatRequestId>,
    events: VecDeque<ChatEvent>,
    closed: bool,
    /// The instant the client started and the Unix time (s) then.
    wall: Option<(Instant, u64)>,
    token: Option<Token>,
    token_gen: u64,
    /// The token POST in flight, and when it started.
    fetch: Option<(ExchangeId, Instant)>,
}

impl ChatClient {
    /// A client for `config`, its clock starting at `now`. Refused if the
    /// endpoint is not on the allow-list.
    ///
    /// Service-account credentials need a wall clock: use
    /// [`ChatClient::with_wall_clock`] for them
    /// ([`InvalidRequest::NoWallClock`] otherwise).
    pub fn new(config: ChatConfig, now: Instant) -> Result<ChatClient, ChatError> {
        if matches!(config.auth, ChatAuth::ServiceAccount(_)) {
            return Err(InvalidRequest::NoWallClock.into());
        }
        Self::build(config, now, None)
    }

    /// A client whose clock starts at `now`, when the Unix time is
    /// `unix_secs` (the driver reads both once; later times are derived
    /// from `Instant` deltas). Needed by service-account credentials, for
    /// the JWT's `iat` and `exp`.
    pub fn with_wall_clock(
        config: ChatConfig,
        now: Instant,
        unix_secs: u64,
    ) -> Result<ChatClient, ChatError> {
        Self::build(config, now, Some((now, unix_secs)))
    }

    fn build(
        config: ChatConfig,
        now: Instant,
        wall: Option<(Instant, u64)>,
    ) -> Result<ChatClient, ChatError> {
        check_origin(&config, config.endpoint.origin())?;
        if let ChatAuth::ServiceAccount(sa) = &config.auth {
            if sa.mode == TokenMode::SelfSigned && sa.subject.is_some() {
                return Err(InvalidRequest::Parameter {
                    name: "subject (a self-signed JWT cannot act as a user)",
                    value: sa.subject.clone().unwrap_or_default(),
                }
                .into());
            }
        }
        Ok(ChatClient {
            wall,
            token: None,
            token_gen: 0,
            fetch: None,
            rng: Rng::new(config.rng_seed),
            pool: Pool::new(0, config.idle_connection_timeout),
            config,
            now,
            next_id: 0,
            calls: BTreeMap::new(),
            by_exchange: BTreeMap::new(),
            events: VecDeque::new(),
            closed: false,
        })
    }

    /// New credentials (e.g. a refreshed access token) for every attempt
    /// from now on, retries of calls already made included.
    /// A cached service-account token is dropped (and a token POST in
    /// flight abandoned); calls waiting for a token go on with `auth`.
    pub fn set_auth(&mut self, auth: ChatAuth) {
        self.config.auth = auth;
        self.token = None;
        if let Some((ex, _)) = self.fetch.take() {
            self.pool.cancel(ex);
        }
        let held: Vec<ChatRequestId> = self
            .calls
            .iter()
            .filter(|(_, c)| matches!(c.state, CallState::Held))
            .map(|(id, _)| *id)
            .collect();
        for id in held {
            self.launch(id);
        }
    }

    /// `spaces.messages.create`. A missing `requestId` is filled in.
    pub fn create(
        &mut self,
        now: Instant,
        mut req: CreateMessage,
    ) -> Result<ChatRequestId, ChatError> {
        if req.request_id.is_none() {
            req.request_id = Some(uuid_v4(&mut self.rng));
        }
        self.send(now, ChatRequest::Create(req))
    }

    /// `spaces.messages.get`.
    pub fn get(&mut self, now: Instant, req: GetMessage) -> Result<ChatRequestId, ChatError> {
        self.send(now, ChatRequest::Get(req))
    }

    /// `spaces.messages.list`.
    pub fn list(&mut self, now: Instant, req: ListMessages) -> Result<ChatRequestId, ChatError> {
        self.send(now, ChatRequest::List(req))
    }

    /// `spaces.messages.patch` (`PATCH`, whatever `req.verb` says).
    pub fn patch(
        &mut self,
        now: Instant,
        mut req: UpdateMessage,
    ) -> Result<ChatRequestId, ChatError> {
        req.verb = UpdateVerb::Patch;
        self.send(now, ChatRequest::Update(req))
    }

    /// `spaces.messages.update` (`PUT`, whatever `req.verb` says).
    pub fn update(
        &mut self,
        now: Instant,
        mut req: UpdateMessage,
    ) -> Result<ChatRequestId, ChatError> {
        req.verb = UpdateVerb::Update;
        self.send(now, ChatRequest::Update(req))
    }

    /// `spaces.messages.delete`.
    pub fn delete(&mut self, now: Instant, req: DeleteMessage) -> Result<ChatRequestId, ChatError> {
        self.send(now, ChatRequest::Delete(req))
    }

    /// Any call. A create is sent as given (see [`ChatClient::create`] for
    /// the filled-in `requestId`); one without an id is not retried once
    /// it may have reached the server.
    pub fn send(&mut self, now: Instant, request: ChatRequest) -> Result<ChatRequestId, ChatError> {
        self.tick(now);
        if self.closed {
            return Err(ChatError::Closed);
        }
        // Checked now, so a bad request fails here rather than later.
        let probe = match &self.config.auth {
            ChatAuth::ServiceAccount(_) => {
                if self.wall.is_none() {
                    return Err(InvalidRequest::NoWallClock.into());
                }
                ChatAuth::Bearer("pending".into())
            }
            ChatAuth::User(_) => ChatAuth::Bearer("pending".into()),
            auth => auth.clone(),
        };
        let http = request.build(&self.config.endpoint, &probe)?;
        check_origin(&self.config, &Origin::of(&http))?;
        let id = ChatRequestId(self.next_id);
        self.next_id += 1;
        self.calls.insert(
            id,
            Call {
                request,
                attempt: 1,
                backoff: self.config.backoff(),
                state: CallState::Held,
                token_gen: 0,
                refreshed: false,
            },
        );
        self.launch(id);
        Ok(id)
    }

    /// Gives up on call `id` (its connection is closed; no event follows).
    /// Whether it was still running.
    pub fn cancel(&mut self, now: Instant, id: ChatRequestId) -> bool {
        self.tick(now);
        let Some(call) = self.calls.remove(&id) else {
            return false;
        };
        if let CallState::InFlight(ex) = call.state {
            self.by_exchange.remove(&ex);
            self.pool.cancel(ex);
        }
        true
    }

    /// Stops: every connection closes, every running call fails with
    /// [`ChatError::Closed`], later calls are refused.
    pub fn close(&mut self, now: Instant) {
        self.tick(now);
        if self.closed {
            return;
        }
        self.closed = true;
        self.fetch = None;
        self.pool.close_all();
        self.by_exchange.clear();
        for (id, _) in std::mem::take(&mut self.calls) {
            self.events.push_back(ChatEvent::Response {
                id,
                result: Err(ChatError::Closed),
            });
        }
    }

    /// Whether [`ChatClient::close`] was called.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Calls running or waiting to retry.
    pub fn pending(&self) -> usize {
        self.calls.len()
    }

    /// A fact about a connection.
    pub fn handle_input(&mut self, now: Instant, input: Input<'_>) {
        self.tick(now);
        let d = self.pool.handle_input(now, input);
        self.dispatch(d);
    }

    /// Time passed: deadlines fire, waiting retries start.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.tick(now);
        let d = self.pool.handle_timeout(now);
        self.dispatch(d);
        let due: Vec<ChatRequestId> = self
            .calls
            .iter()
            .filter(|(_, c)| matches!(c.state, CallState::Waiting(at) if at <= now))
            .map(|(id, _)| *id)
            .collect();
        for id in due {
            self.retry_now(id);
        }
    }

    /// The next thing for the driver to do; `None` when drained.
    #[must_use]
    pub fn poll_output(&mut self) -> Option<Output> {
        self.pool.poll_output()
    }

    /// The next event; `None` when drained.
    #[must_use]
    pub fn poll_event(&mut self) -> Option<ChatEvent> {
        self.events.pop_front()
    }

    /// When to call [`ChatClient::handle_timeout`] next.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        let waiting = self.calls.values().filter_map(|c| match c.state {
            CallState::Waiting(at) => Some(at),
            CallState::InFlight(_) | CallState::Held => None,
        });
        self.pool.poll_timeout().into_iter().chain(waiting).min()
    }

    fn tick(&mut self, now: Instant) {
        if now > self.now {
            self.now = now;
        }
    }

    fn start(&mut self, http: &crate::http::Request) -> ExchangeId {
        let (target, bytes) = Target::for_request(http, &self.config.proxy);
        let c = &self.config;
        let options = Options {
            timeouts: Timeouts {
                idle: c.request_timeout,
                head: c.response_timeout,
                total: c.response_timeout,
            },
            max_body: c.max_response_body,
            stream: false,
            keep: c.reuse_connections,
        };
        self.pool.start(self.now, target, bytes, options)
    }

    fn retry_now(&mut self, id: ChatRequestId) {
        if let Some(call) = self.calls.get_mut(&id) {
            call.attempt += 1;
            self.launch(id);
        }
    }

    /// Sends call `id` with the current credentials, or holds it until a
    /// service account's token arrives.
    fn launch(&mut self, id: ChatRequestId) {
        let (auth, generation) = match self.credentials() {
            Ok(Some(c)) => c,
            Ok(None) => {
                if let Some(call) = self.calls.get_mut(&id) {
                    call.state = CallState::Held;
                }
                self.fetch_token();
                return;
            }
            Err(e) => return self.finish(id, Err(e)),
        };
        self.send_with(id, &auth, generation);
    }

    /// Sends call `id` with `auth` (of token generation `generation`).
    fn send_with(&mut self, id: ChatRequestId, auth: &ChatAuth, generation: u64) {
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        // Rebuilt with the current credentials; it was valid before.
        let built = call
            .request
            .build(&self.config.endpoint, auth)
            .and_then(|http| check_origin(&self.config, &Origin::of(&http)).map(|()| http));
        match built {
            Ok(http) => {
                let ex = self.start(&http);
                self.by_exchange.insert(ex, id);
                if let Some(call) = self.calls.get_mut(&id) {
                    call.state = CallState::InFlight(ex);
                    call.token_gen = generation;
                }
            }
            Err(e) => self.finish(id, Err(e)),
        }
    }

    /// The credentials of the next attempt and their token generation;
    /// `None` while a service account's token must be fetched.
    fn credentials(&mut self) -> Result<Option<(ChatAuth, u64)>, ChatError> {
        let sa = match &self.config.auth {
            ChatAuth::ServiceAccount(sa) => Some(sa),
            ChatAuth::User(_) => None,
            auth => return Ok(Some((auth.clone(), 0))),
        };
        if let Some(t) = &self.token {
            if self.now < t.refresh_at {
                return Ok(Some((ChatAuth::Bearer(t.value.clone()), t.generation)));
            }
        }
        let Some(sa) = sa.filter(|sa| sa.mode == TokenMode::SelfSigned) else {
            return Ok(None);
        };
        let jwt = sa.signed_jwt(self.unix_now()?)?;
        let lifetime = Duration::from_secs(service_account::JWT_LIFETIME_SECS);
        let generation = self.store_token(jwt.clone(), self.now, lifetime);
        Ok(Some((ChatAuth::Bearer(jwt), generation)))
    }

    fn unix_now(&self) -> Result<u64, ChatError> {
        let (start, unix) = self.wall.ok_or(InvalidRequest::NoWallClock)?;
        Ok(unix + self.now.saturating_duration_since(start).as_secs())
    }

    fn store_token(&mut self, value: String, issued: Instant, lifetime: Duration) -> u64 {
        self.token_gen += 1;
        let margin = REFRESH_MARGIN.min(lifetime / 2);
        self.token = Some(Token {
            value,
            refresh_at: issued + (lifetime - margin),
            generation: self.token_gen,
        });
        self.token_gen
    }

    /// Starts the token POST unless one is in flight.
    fn fetch_token(&mut self) {
        if self.fetch.is_some() {
            return;
        }
        let request = match &self.config.auth {
            ChatAuth::ServiceAccount(sa) => self
                .unix_now()
                .and_then(|unix| token_request(sa, &sa.signed_jwt(unix)?)),
            ChatAuth::User(user) => user_token_request(user),
            _ => return,
        };
        match request {
            Ok(http) => {
                let ex = self.start(&http);
                self.fetch = Some((ex, self.now));
            }
            Err(e) => self.token_failed(e, false),
        }
    }

    fn on_token(&mut self, started: Instant, outcome: Outcome) {
        let error = match outcome {
            Outcome::Complete { head, body } if (200..300).contains(&head.status) => {
                match service_account::parse_token_success(&body) {
                    Ok((token, expires_in)) => {
                        self.on_user_grant(&body);
                        let generation = self.store_token(
                            token.clone(),
                            started,
                            Duration::from_secs(expires_in),
                        );
                        // Sent with this token even if it is already due
                        // for refresh (a tiny expires_in): no fetch loop.
                        let auth = ChatAuth::Bearer(token);
                        let held: Vec<ChatRequestId> = self
                            .calls
                            .iter()
                            .filter(|(_, c)| matches!(c.state, CallState::Held))
                            .map(|(id, _)| *id)
                            .collect();
                        for id in held {
                            self.send_with(id, &auth, generation);
                        }
                        return;
                    }
                    Err(reason) => ChatError::Decode {
                        status: head.status,
                        reason,
                    },
                }
            }
            Outcome::Complete { head, body } => {
                match service_account::parse_token_error(head.status, &body) {
                    Some(e)
                        if e.code == OAuthErrorCode::InvalidGrant
                            && matches!(self.config.auth, ChatAuth::User(_)) =>
                    {
                        ChatError::BadRefreshToken(e)
                    }
                    Some(e) => ChatError::Token(e),
                    None => ChatError::Api(GoogleError::from_response_at(
                        head.status,
                        head.header("retry-after"),
                        self.unix_now().ok(),
                        &body,
                    )),
                }
            }
            Outcome::Failed(f) => match FailureKind::from(f) {
                FailureKind::Transport(t) => ChatError::Transport(t),
                FailureKind::Response(r) => ChatError::BadResponse(r),
            },
        };
        let retry = error.is_retryable();
        self.token_failed(error, retry);
    }

    /// A user's token answer: a new refresh token replaces the grant (the
    /// code is used up either way) and is reported.
    fn on_user_grant(&mut self, body: &[u8]) {
        let ChatAuth::User(user) = &mut self.config.auth else {
            return;
        };
        match oauth::refresh_token_of(body) {
            Some(new) => {
                if user.grant != UserGrant::RefreshToken(new.clone()) {
                    user.grant = UserGrant::RefreshToken(new.clone());
                    self.events.push_back(ChatEvent::NewRefreshToken(new));
                }
            }
            None => {
                if let UserGrant::Code { code, .. } = &mut user.grant {
                    // Used: a later exchange would be refused anyway.
                    code.clear();
                }
            }
        }
    }

    /// The token could not be had: each held call fails its attempt.
    fn token_failed(&mut self, error: ChatError, may_retry: bool) {
        let held: Vec<ChatRequestId> = self
            .calls
            .iter()
            .filter(|(_, c)| matches!(c.state, CallState::Held))
            .map(|(id, _)| *id)
            .collect();
        for id in held {
            self.attempt_failed(id, error.clone(), may_retry);
        }
    }

    fn dispatch(&mut self, deliveries: Vec<Delivery>) {
        for d in deliveries {
            if let Delivery::Done(ex, outcome) = d {
                if let Some((_, started)) = self.fetch.filter(|(f, _)| *f == ex) {
                    self.fetch = None;
                    self.on_token(started, outcome);
                } else if let Some(id) = self.by_exchange.remove(&ex) {
                    self.on_done(id, outcome);
                }
            }
        }
    }

    fn on_done(&mut self, id: ChatRequestId, outcome: Outcome) {
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        let (error, may_retry) = match outcome {
            Outcome::Complete { head, body } if (200..300).contains(&head.status) => {
                let result = decode(&call.request, head.status, &body);
                self.finish(id, result);
                return;
            }
            Outcome::Complete { head, .. }
                if head.status == 401
                    && !call.refreshed
                    && matches!(
                        self.config.auth,
                        ChatAuth::ServiceAccount(_) | ChatAuth::User(_)
                    ) =>
            {
                // The token may have been revoked or expired early: one
                // refresh (unless another call already got a newer one).
                let generation = call.token_gen;
                if self
                    .token
                    .as_ref()
                    .is_some_and(|t| t.generation == generation)
                {
                    self.token = None;
                }
                if let Some(call) = self.calls.get_mut(&id) {
                    call.refreshed = true;
                }
                self.launch(id);
                return;
            }
            Outcome::Complete { head, body } => {
                let e = GoogleError::from_response_at(
                    head.status,
                    head.header("retry-after"),
                    self.unix_now().ok(),
                    &body,
                );
                let retry = e.is_retryable() && call.request.is_idempotent();
                (ChatError::Api(e), retry)
            }
            Outcome::Failed(f) => {
                let unsent = !f.maybe_sent();
                match FailureKind::from(f) {
                    FailureKind::Transport(t) => (
                        ChatError::Transport(t),
                        unsent || call.request.is_idempotent(),
                    ),
                    FailureKind::Response(r) => (ChatError::BadResponse(r), false),
                }
            }
        };
        self.attempt_failed(id, error, may_retry);
    }

    /// An attempt of call `id` failed: retried after a delay if it may
    /// be and attempts are left, else ended with `error`.
    fn attempt_failed(&mut self, id: ChatRequestId, error: ChatError, may_retry: bool) {
        if !may_retry {
            self.finish(id, Err(error));
            return;
        }
        let Some(call) = self.calls.get_mut(&id) else {
            return;
        };
        let Some(computed) = call.backoff.fail(&mut self.rng) else {
            self.finish(id, Err(error));
            return;
        };
        let asked = error.retry_delay();
        if asked.is_some_and(|d| d > self.config.max_server_delay) {
            self.finish(id, Err(error));
            return;
        }
        let delay = asked.map_or(computed, |d| d.max(computed));
        call.state = CallState::Waiting(self.now + delay);
        self.events.push_back(ChatEvent::Retrying {
            id,
            attempt: call.attempt,
            delay,
            error,
        });
    }

    fn finish(&mut self, id: ChatRequestId, result: Result<ChatResponse, ChatError>) {
        if self.calls.remove(&id).is_some() {
            self.events.push_back(ChatEvent::Response { id, result });
        }
    }
}

fn check_origin(config: &ChatConfig, origin: &Origin) -> Result<(), ChatError> {
    if config.allow_list.allows(origin) {
        Ok(())
    } else {
        Err(InvalidRequest::HostNotAllowed {
            host: origin.to_string(),
        }
        .into())
    }
}

/// The token POST of `sa`: the form with the signed `assertion`, to the
/// key's `token_uri`, with no bearer token.
fn token_request(sa: &ServiceAccount, jwt: &str) -> Result<crate::http::Request, ChatError> {
    form_post(
        &sa.key.token_uri,
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("assertion", jwt),
        ],
    )
}

/// A user's token POST (code or refresh token) to the app's `token_uri`.
fn user_token_request(user: &UserOAuth) -> Result<crate::http::Request, ChatError> {
    form_post(&user.app.token_uri, &user.token_form())
}

fn form_post(uri: &str, form: &[(&str, &str)]) -> Result<crate::http::Request, ChatError> {
    let u = crate::api::url::split_url(uri)
        .map_err(|_| service_account::KeyError::BadTokenUri(uri.to_string()))?;
    let mut request =
        crate::http::Request::new(crate::http::Method::Post, &u.host, u.port, u.tls, &u.path);
    request.query = u.query;
    let body = crate::http::form_urlencode(form);
    Ok(request
        .with_header("Content-Type", "application/x-www-form-urlencoded")
        .with_body(body.into_bytes()))
}

fn decode(request: &ChatRequest, status: u16, body: &[u8]) -> Result<ChatResponse, ChatError> {
    let body: &[u8] = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        body
    };
    let bad = |e: serde_json::Error| ChatError::Decode {
        status,
        reason: e.to_string(),
    };
    match request {
        ChatRequest::Delete(_) => Ok(ChatResponse::Deleted),
        ChatRequest::List(_) => serde_json::from_slice(body)
            .map(ChatResponse::List)
            .map_err(bad),
        _ => serde_json::from_slice(body)
            .map(|m| ChatResponse::Message(Box::new(m)))
            .map_err(bad),
    }
}

/// A random (version 4) UUID from the seeded RNG, lower-case hex.
pub(crate) fn uuid_v4(rng: &mut Rng) -> String {
    let hi = (rng.next_u64() & !0xF000) | 0x4000;
    let lo = (rng.next_u64() & !(0b11 << 62)) | (0b10 << 62);
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        hi >> 32,
        (hi >> 16) & 0xFFFF,
        hi & 0xFFFF,
        lo >> 48,
        lo & 0xFFFF_FFFF_FFFF
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_version_4() {
        let mut rng = Rng::new(1);
        let a = uuid_v4(&mut rng);
        let b = uuid_v4(&mut rng);
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        let parts: Vec<&str> = a.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            [8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('4'), "{a}");
        assert!(matches!(&parts[3][..1], "8" | "9" | "a" | "b"), "{a}");
        assert_eq!(uuid_v4(&mut Rng::new(1)), a, "seeded");
    }
}
