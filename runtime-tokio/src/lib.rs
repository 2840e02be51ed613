//! # hangups-tokio
//!
//! Will own the tokio adapter: open TCP and TLS (rustls) connections for the
//! sans-IO `hangups_core::Client`, copy bytes both ways, sleep until the
//! core's next timeout, and expose one `async fn` per chat API call and the
//! events as a stream. No protocol logic lives here.
//!
//! Not implemented yet: this crate is an empty placeholder.
