//! The model's rules, one test each.

mod compose;
mod conversation;
mod keys_never_panic;
mod list_tabs;
mod overlays;
mod status;
