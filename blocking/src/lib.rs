//! # hangups-blocking
//!
//! Will own the blocking adapter: std::net sockets (and rustls), a driver
//! thread that owns the sans-IO `hangups_core::Client`, plain methods for
//! every chat API call and an iterator of events. No protocol logic lives here.
//!
//! Not implemented yet: this crate is an empty placeholder.
