//! # hangups-tests
//!
//! The Hangouts [`emulator`]: a faithful fake server speaking the real wire
//! protocol on loopback (push channel, chat API, image upload) over an
//! in-memory world, with fault knobs, usable from any test harness and as
//! the `hangups-emulator` binary; test [`proxies`] (HTTP and SOCKS5) that
//! count their tunnels. The integration suite that runs every
//! runtime adapter against it lives in `tests/` (the emulator's own tests
//! are there today). [`chat_emulator`] is a fake Google Chat REST API
//! (`spaces.messages`) on the same server. [`cli`] reads the command lines of the examples;
//! [`chat_cli`] is the `hangups-chat` program (Google Chat messages from
//! the command line).

pub mod chat_cli;
pub mod chat_emulator;
pub mod cli;
pub mod emulator;
pub mod proxies;
