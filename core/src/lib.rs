//! # hangups-core
//!
//! The sans-IO heart of hangups-rs: every piece of protocol logic as a pure
//! state machine that never touches a socket, a clock, a thread, a file or
//! an OS random-number source.
//!
//! - [`http`]: the HTTP/1.1 client codec;
//! - [`channel`]: the BrowserChannel push channel;
//! - [`api`]: one typed request per chat API endpoint;
//! - `client`: the `Client` machine that runtime adapters drive.

#![forbid(unsafe_code)]

pub mod api;
pub mod backoff;
pub mod channel;
pub mod client;
#[doc(hidden)]
pub mod fuzzing;
pub mod http;
pub mod rng;

pub use hangups_proto as proto;
