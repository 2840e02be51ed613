//! # hangups-core
//!
//! The sans-IO heart of hangups-rs: every piece of protocol logic as a pure
//! state machine that never touches a socket, a clock, a thread, a file or
//! an OS random-number source.
//!
//! - [`http`]: the HTTP/1.1 client codec;
//! - [`channel`]: the push channel's chunk framing and push arrays;
//! - [`auth`]: signing in (refresh token, manual code login, session
//!   cookies) as sans-IO steps, and the token-store trait;
//! - [`api`]: one typed request per chat API endpoint, auth headers,
//!   the origin allow-list, image upload steps;
//! - [`chat`]: the Google Chat REST API (`spaces.messages`) and its
//!   [`ChatClient`](chat::ChatClient) machine;
//! - [`client`]: the [`Client`](client::Client) machine that runtime
//!   adapters drive: push channel, API calls, retries, timers;
//! - [`state`]: the conversation model (users, conversations, events, the
//!   fold of pushed StateUpdates, catch-up sync and list building as steps);
//! - [`message`]: hangups' message markup parser and segment serialisation;
//! - [`proxy`]: which HTTP proxy a request uses, and CONNECT tunnels;
//! - [`machine`]: the [`Machine`](machine::Machine) trait the one drive loop
//!   (hangups-driver) runs every machine through;
//! - [`backoff`], [`rng`]: reconnect delays and the seeded RNG.
//!
//! # Driving contract
//!
//! In through `handle_*` and the commands, out through `poll_*`. After
//! **any** call that takes `now`: drain [`Client::poll_output`](client::Client::poll_output) until `None`,
//! drain [`Client::poll_event`](client::Client::poll_event) until `None`, then sleep until
//! [`Client::poll_timeout`](client::Client::poll_timeout) (or until input arrives) and call
//! [`Client::handle_timeout`](client::Client::handle_timeout). `now` must never go backwards. Calling
//! `handle_timeout` early is harmless. Input for a connection the client
//! no longer knows is ignored. Network faults never return `Err`: they
//! become events and retries.
//!
//! ```
//! use hangups_core::api::Cookies;
//! use hangups_core::client::{Client, Config, Event, Input, Output};
//! use std::time::Instant;
//!
//! let cookies = Cookies::from_iter([("SAPISID", "abc"), ("SID", "x")]);
//! let config = Config::new(cookies).with_server("127.0.0.1", 8080, false);
//! let now = Instant::now(); // the adapter's clock; the core never reads one
//! let mut client = Client::new(config, now, 1_700_000_000).unwrap();
//! client.connect(now);
//! // 1. drain outputs: here, open a connection for the session request
//! let Some(Output::Connect { conn, host, port, tls, .. }) = client.poll_output() else { panic!() };
//! assert_eq!((host.as_str(), port, tls), ("127.0.0.1", 8080, false));
//! // ... the adapter connects, then reports it:
//! client.handle_input(now, Input::Connected(conn));
//! let Some(Output::Transmit { bytes, .. }) = client.poll_output() else { panic!() };
//! assert!(bytes.starts_with(b"POST /client-channel/channel/bind?VER=8&RID=81188&ctype=hangouts HTTP/1.1\r\n"));
//! // 2. drain events, 3. sleep until the next timeout
//! while let Some(ev) = client.poll_event() { let _: Event = ev; }
//! assert!(client.poll_timeout().is_some());
//! ```
//!
//! ## The whole loop
//!
//! A complete driver over std sockets, on one thread (plain HTTP; TLS,
//! proxies and every runtime are hangups-driver's). It is
//! `core/examples/drive_loop.rs`, runnable against the emulator:
//! `cargo run -p hangups-tests --bin hangups-emulator -- --listen 127.0.0.1:8080`
//! then `cargo run -p hangups-core --example drive_loop -- http://127.0.0.1:8080`.
//!
//! ```no_run
#![doc = include_str!("../examples/drive_loop.rs")]
//! ```
//!
//! ## Where this differs from hangups
//!
//! The channel retries forever by default (exponential backoff with
//! jitter, capped at 5 minutes; [`backoff::BackoffConfig::max_retries`]
//! sets a limit), also when the session request fails; malformed chunks are
//! skipped and counted, framing junk re-opens the long-poll instead of
//! stalling it; "Unknown SID" is recognised in the reason phrase or the
//! body; [`client::Event::Reconnected`] carries the timestamp to catch up
//! from; cookies and the authorization header only go to allow-listed
//! origins (scheme, host and port), checked when the client is built. Connections are kept after
//! keep-alive responses and reused (a stale one is replaced transparently).
//!
//! A request is an exchange, never the connection under it: the channel
//! and its subscription name exchanges, so a kept connection replaced
//! under one is invisible to them. Every request has an idle, a head and an
//! overall deadline ([`client::Config::response_timeout`],
//! [`client::Config::long_poll_lifetime`]); the long-poll is dead without a
//! complete chunk for [`client::Config::push_timeout`]. A session that can
//! no longer be subscribed (its subscription failed, or its data brought no
//! client id) is replaced by a new SID, where hangups stayed deaf. Retries
//! of API calls never post twice (see [`client`]'s retry rules and
//! [`api::ApiRequest::is_idempotent`]). Every server keep-alive is an
//! [`client::Event::KeepAlive`], on which a failed catch-up retries.

#![forbid(unsafe_code)]

pub mod api;
pub mod auth;
pub mod backoff;
pub mod channel;
pub mod chat;
pub mod client;
#[doc(hidden)]
pub mod fuzzing;
pub mod http;
pub mod machine;
pub mod message;
mod pool;
pub mod proxy;
pub mod rng;
pub mod state;

pub use hangups_proto as proto;
