//! # hangups-core
//!
//! The sans-IO heart of hangups-rs. This crate will own every piece of
//! protocol logic as a pure state machine that never touches a socket, a
//! clock, a thread, a file or an OS random-number source:
//!
//! - `http`: the HTTP/1.1 client codec (requests out, responses parsed with
//!   httparse, chunked and length framing, size limits);
//! - `channel`: the BrowserChannel push channel (SID, long-poll, chunk
//!   parser with UTF-16 lengths, keep-alive timeout, backoff and reconnect);
//! - `api`: one typed request per chat API endpoint;
//! - `auth`: the OAuth and session-cookie exchange as steps;
//! - `client`: the `Client` machine that runtime adapters drive;
//! - `state` and `message`: the conversation model and message markup.
//!
//! Nothing is implemented yet beyond re-exporting the protocol types; see
//! the project README for what works today.

pub use hangups_proto as proto;
