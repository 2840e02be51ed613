//! [`ChatClient`]: the sans-IO machine that runs Chat API calls over
//! pooled connections, with retries.
//!
//! # Retries
//!
//! A call is attempted up to [`ChatConfig::max_attempts`] times (5). It is
//! retried after HTTP 429, 500, 502, 503, 504 and after transport failures
//! (connect failed, closed, cut, timed out), with truncated exponential
//! backoff and jitter from the seeded RNG; when the server asks for a wait
//! (`Retry-After` seconds, `RetryInfo.retryDelay`), the longest of the
//! three is waited (a server asking for more than
//! [`ChatConfig::max_server_delay`] ends the call with its error). Every request but a create without `requestId` is
//! idempotent, and a create gets a `requestId` (a UUIDv4 from the seeded
//! RNG) when the caller gave none, so the server deduplicates its retries:
//! every attempt of one call carries the same id. Malformed responses and
//! other statuses are final.

use super::auth::ChatAuth;
use super::config::ChatConfig;
use super::error::{ChatError, GoogleError, InvalidRequest};
use super::model::{ListMessagesResponse, Message};
use super::request::{
    ChatRequest, CreateMessage, DeleteMessage, GetMessage, ListMessages, UpdateMessage, UpdateVerb,
};
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
}

#[derive(Debug)]
enum CallState {
    InFlight(ExchangeId),
    Waiting(Instant),
}

#[derive(Debug)]
struct Call {
    request: ChatRequest,
    attempt: u32,
    backoff: Backoff,
    state: CallState,
}

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
}

impl ChatClient {
    /// A client for `config`, its clock starting at `now`. Refused if the
    /// endpoint is not on the allow-list.
    pub fn new(config: ChatConfig, now: Instant) -> Result<ChatClient, ChatError> {
        check_origin(&config, config.endpoint.origin())?;
        Ok(ChatClient {
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
    pub fn set_auth(&mut self, auth: ChatAuth) {
        self.config.auth = auth;
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
        let http = request.build(&self.config.endpoint, &self.config.auth)?;
        check_origin(&self.config, &Origin::of(&http))?;
        let id = ChatRequestId(self.next_id);
        self.next_id += 1;
        let ex = self.start(&http);
        self.by_exchange.insert(ex, id);
        self.calls.insert(
            id,
            Call {
                request,
                attempt: 1,
                backoff: self.config.backoff(),
                state: CallState::InFlight(ex),
            },
        );
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
            CallState::InFlight(_) => None,
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
        let Some(call) = self.calls.get(&id) else {
            return;
        };
        // Rebuilt with the current credentials; it was valid before.
        let built = call
            .request
            .build(&self.config.endpoint, &self.config.auth)
            .and_then(|http| check_origin(&self.config, &Origin::of(&http)).map(|()| http));
        match built {
            Ok(http) => {
                let ex = self.start(&http);
                self.by_exchange.insert(ex, id);
                if let Some(call) = self.calls.get_mut(&id) {
                    call.attempt += 1;
                    call.state = CallState::InFlight(ex);
                }
            }
            Err(e) => self.finish(id, Err(e)),
        }
    }

    fn dispatch(&mut self, deliveries: Vec<Delivery>) {
        for d in deliveries {
            if let Delivery::Done(ex, outcome) = d {
                if let Some(id) = self.by_exchange.remove(&ex) {
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
            Outcome::Complete { head, body } => {
                let e = GoogleError::from_response(head.status, head.header("retry-after"), &body);
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
