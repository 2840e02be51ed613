//! `hangups`, the terminal client of hangups-rs: hangups' text client
//! (tabs, keys, notifications, a config file) on ratatui and crossterm,
//! driven by the tokio adapter, sans-IO to the last layer.
//!
//! - [`model`]: the application state, a pure state machine. Inputs (keys,
//!   paste, resize, mouse, focus, the list's updates, ticks, finished
//!   effects) go in with the time; [`Effect`](model::Effect)s (send, upload,
//!   rename, get events, notify, quit…) come out. No IO, no clock.
//! - [`render`]: a pure function of the state (and the conversation list,
//!   the time and the time zone) into a ratatui frame.
//! - [`settings`]: what the command line and the config file decide, as
//!   data for the model and the renderer.
//! - the shell (`shell`): one `select!` over crossterm's event stream, the
//!   list's notifications and the running effects.

#![forbid(unsafe_code)]

pub mod config;
pub mod model;
pub mod notify;
pub mod render;
pub mod settings;
pub mod shell;
