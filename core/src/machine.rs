//! [`Machine`]: the one shape every sans-IO machine of this crate has, so
//! that a single drive loop (hangups-driver's) runs any of them: the chat
//! [`Client`](crate::client::Client), the sign-in [`Login`](crate::auth::Login),
//! and the machines to come.
//!
//! The contract is the crate's [driving contract](crate#driving-contract):
//! after any `handle_*` call, drain [`poll_output`](Machine::poll_output)
//! and [`poll_event`](Machine::poll_event) until `None`, then wait for input
//! or until [`poll_timeout`](Machine::poll_timeout).

use std::time::Instant;

use crate::client::{Input, Output};

/// A sans-IO machine over connections the driver opens for it.
pub trait Machine {
    /// What the machine reports to the application.
    type Event;
    /// Takes a fact about a connection (connected, data, closed).
    fn handle_input(&mut self, now: Instant, input: Input<'_>);
    /// Lets the machine act on its deadlines; calling it early is harmless.
    fn handle_timeout(&mut self, now: Instant);
    /// The next thing for the driver to do; `None` when drained.
    fn poll_output(&mut self) -> Option<Output>;
    /// The next event; `None` when drained.
    fn poll_event(&mut self) -> Option<Self::Event>;
    /// When to call [`handle_timeout`](Machine::handle_timeout) next.
    fn poll_timeout(&self) -> Option<Instant>;
}

macro_rules! impl_machine {
    ($ty:ty, $event:ty) => {
        impl Machine for $ty {
            type Event = $event;
            fn handle_input(&mut self, now: Instant, input: Input<'_>) {
                <$ty>::handle_input(self, now, input)
            }
            fn handle_timeout(&mut self, now: Instant) {
                <$ty>::handle_timeout(self, now)
            }
            fn poll_output(&mut self) -> Option<Output> {
                <$ty>::poll_output(self)
            }
            fn poll_event(&mut self) -> Option<$event> {
                <$ty>::poll_event(self)
            }
            fn poll_timeout(&self) -> Option<Instant> {
                <$ty>::poll_timeout(self)
            }
        }
    };
}

impl_machine!(crate::client::Client, crate::client::Event);
impl_machine!(crate::auth::Login, crate::auth::LoginEvent);
impl_machine!(crate::chat::ChatClient, crate::chat::ChatEvent);
