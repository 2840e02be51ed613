//! # hangups-tests
//!
//! Will own the Hangouts emulator (a faithful fake server speaking the real
//! wire protocol on loopback, with fault knobs) and the integration suite
//! that runs every runtime adapter against it.
//!
//! Not implemented yet: this crate is an empty placeholder.
