//! # hangups-smol
//!
//! Will own the smol adapter (async-io sockets, futures-lite, rustls): the
//! same API as hangups-tokio in smol's idiom, driving the sans-IO
//! `hangups_core::Client`. No protocol logic lives here.
//!
//! Not implemented yet: this crate is an empty placeholder.
