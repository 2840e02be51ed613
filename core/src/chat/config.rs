//! [`ChatConfig`]: where the [`ChatClient`](super::ChatClient) sends its
//! calls, with which credentials, and how it times out and retries.

use super::auth::{ChatAuth, ChatEndpoint};
use super::error::InvalidRequest;
use crate::api::OriginAllowList;
use std::time::Duration;

/// How a [`ChatClient`](super::ChatClient) talks to the Chat API.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ChatConfig {
    /// The server (`https://chat.googleapis.com` by default).
    pub endpoint: ChatEndpoint,
    /// The credentials of every call.
    pub auth: ChatAuth,
    /// The origins credentials may go to: the endpoint's alone, unless
    /// changed. A client whose endpoint is not on it is refused.
    pub allow_list: OriginAllowList,
    /// Seed of the RNG behind request ids and jitter (adapters seed it
    /// from the OS; tests with a constant).
    pub rng_seed: u64,
    /// Connect timeout, and the longest silence (no byte) of a call (30 s).
    pub request_timeout: Duration,
    /// Overall deadline of one attempt, first byte to last (60 s).
    pub response_timeout: Duration,
    /// Largest response body accepted (16 MiB).
    pub max_response_body: usize,
    /// Attempts per call, the first included (5). 1 disables retries.
    pub max_attempts: u32,
    /// Delay before the first retry, before jitter (1 s); it doubles.
    pub retry_initial: Duration,
    /// Largest computed delay (32 s). A server's `Retry-After` or
    /// `RetryInfo` asking for longer is honoured anyway.
    pub retry_max: Duration,
    /// Longest wait a server may ask for (`Retry-After`, `RetryInfo`)
    /// before the call is retried (5 min); a call told to wait longer
    /// fails with the server's error instead, for the caller to decide.
    pub max_server_delay: Duration,
    /// Fraction of each computed delay that is random (0.5).
    pub retry_jitter: f64,
    /// Keep connections after keep-alive responses and reuse them (yes).
    pub reuse_connections: bool,
    /// How long an unused kept connection stays open (20 s).
    pub idle_connection_timeout: Duration,
    /// HTTP proxies (none by default).
    pub proxy: crate::proxy::ProxyConfig,
}

impl ChatConfig {
    /// Google's server with `auth`.
    pub fn new(auth: ChatAuth) -> Self {
        let endpoint = ChatEndpoint::google();
        ChatConfig {
            allow_list: OriginAllowList::only(endpoint.origin().clone()),
            endpoint,
            auth,
            rng_seed: 0,
            request_timeout: Duration::from_secs(30),
            response_timeout: Duration::from_secs(60),
            max_response_body: 16 * 1024 * 1024,
            max_attempts: 5,
            retry_initial: Duration::from_secs(1),
            retry_max: Duration::from_secs(32),
            max_server_delay: Duration::from_secs(300),
            retry_jitter: 0.5,
            reuse_connections: true,
            idle_connection_timeout: Duration::from_secs(20),
            proxy: crate::proxy::ProxyConfig::default(),
        }
    }

    /// The server at `url` (an emulator, `http://127.0.0.1:8080`); the
    /// allow-list becomes that origin alone.
    pub fn with_url(mut self, url: &str) -> Result<Self, InvalidRequest> {
        self.endpoint = ChatEndpoint::parse(url)?;
        self.allow_list = OriginAllowList::only(self.endpoint.origin().clone());
        Ok(self)
    }

    /// A client for an incoming webhook URL as Google shows it
    /// (`https://chat.googleapis.com/v1/spaces/S/messages?key=K&token=T`):
    /// its server (the allow-list becomes that origin alone), its
    /// credentials, and the space to post in. `None` if it is not one.
    pub fn for_webhook(url: &str) -> Option<(ChatConfig, super::SpaceName)> {
        let (endpoint, space, auth) = ChatAuth::from_webhook_url(url)?;
        let mut config = ChatConfig::new(auth);
        config.allow_list = OriginAllowList::only(endpoint.origin().clone());
        config.endpoint = endpoint;
        Some((config, space))
    }

    /// Sets the RNG seed.
    pub fn with_rng_seed(mut self, seed: u64) -> Self {
        self.rng_seed = seed;
        self
    }

    pub(crate) fn backoff(&self) -> crate::backoff::Backoff {
        crate::backoff::Backoff::new(crate::backoff::BackoffConfig {
            initial: self.retry_initial,
            max: self.retry_max,
            jitter: self.retry_jitter,
            max_retries: Some(self.max_attempts.saturating_sub(1)),
        })
    }
}
