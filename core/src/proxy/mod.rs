//! Proxies, sans-IO: which proxy (if any) a request goes through, and the
//! handshake that opens a tunnel through it. The adapter (or driver) reads
//! the environment, resolves names and owns the sockets; this module
//! decides, writes and parses.
//!
//! - [`Proxy`] / [`ProxyKind`]: one proxy server, parsed from
//!   `http://[user:pass@]host:port`, `socks5://…` or `socks5h://…`
//!   ([`Proxy::from_url`]).
//! - [`ProxyConfig`]: which proxy for which request, from
//!   `HTTP_PROXY` / `HTTPS_PROXY` / `ALL_PROXY` / `NO_PROXY`
//!   ([`ProxyConfig::from_env`]) or an explicit setting.
//! - [`Tunnel`]: the tunnel handshake as a state machine, for every kind:
//!   HTTP `CONNECT` (with `Proxy-Authorization: Basic`) and SOCKS5
//!   (RFC 1928, username/password RFC 1929).
//!
//! # Driving a [`Tunnel`]
//!
//! ```
//! use hangups_core::proxy::{Proxy, Tunnel, TunnelState};
//!
//! let proxy = Proxy::from_url("socks5h://127.0.0.1:1080").unwrap();
//! let mut tunnel = Tunnel::new(&proxy, "chat-pa.clients6.google.com", 443).unwrap();
//! // Connect a socket to (proxy.host, proxy.port), then loop:
//! while let Some(bytes) = tunnel.poll_transmit() {
//!     // write `bytes` to the proxy
//! #   assert_eq!(bytes, [5, 1, 0]);
//! }
//! // read from the proxy and feed what arrives, in any split:
//! let read = [5, 0];
//! assert_eq!(tunnel.handle_data(&read), Ok(TunnelState::NeedMore));
//! // … write the CONNECT command now queued, read the reply …
//! # let _ = tunnel.poll_transmit();
//! let read = [5, 0, 0, 1, 10, 0, 0, 1, 0x04, 0x38, 0x16, 0x03];
//! assert_eq!(tunnel.handle_data(&read), Ok(TunnelState::Established { consumed: 10 }));
//! // `read[10..]` already belongs to the tunnelled protocol (TLS here).
//! ```
//!
//! The [`Client`](crate::client::Client) and [`Login`](crate::auth::Login)
//! drive a [`Tunnel`] themselves on a connection to the proxy (see
//! [`Output::StartTls`](crate::client::Output::StartTls)); a driver only
//! dials and moves bytes.
//!
//! The core does no DNS. A tunnel given a name always sends the name, so
//! the core never fails for lack of a resolver: the client gives the
//! request's host as it is, and through it `socks5://` behaves as
//! `socks5h://` (the proxy resolves names). Whoever drives a [`Tunnel`]
//! with a resolver may honour [`Proxy::resolves_target_locally`] by giving
//! it the IP address.
//!
//! (hangups only honoured `HTTP_PROXY`, for every request; SOCKS was asked
//! for in hangups issue #262.)

mod config;
pub(crate) mod http;
mod socks5;
mod spec;
mod tunnel;

#[cfg(test)]
mod tests;

pub use config::ProxyConfig;
pub use socks5::Socks5ReplyCode;
pub use spec::{Proxy, ProxyCredentials, ProxyKind, ProxyUrlError};
pub use tunnel::{Tunnel, TunnelError, TunnelState, MAX_HTTP_REPLY};
