//! The tunnel handshake as a state machine, for every kind of proxy.

use super::http::{connect_head, HttpReply};
use super::socks5::{self, Socks5ReplyCode};
use super::{Proxy, ProxyKind, ProxyUrlError};
use std::collections::VecDeque;
use std::net::Ipv6Addr;

/// Largest HTTP proxy reply head accepted (16 KiB); a SOCKS5 reply is at
/// most 262 bytes by construction.
pub const MAX_HTTP_REPLY: usize = 16 * 1024;

/// Why a tunnel could not be opened. The `Display` never shows a password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TunnelError {
    /// The HTTP proxy answered `CONNECT` with a status other than 2xx.
    #[error("the proxy refused the tunnel: {status} {reason}")]
    HttpRefused {
        /// The status code.
        status: u16,
        /// The reason phrase.
        reason: String,
    },
    /// The HTTP proxy's answer was not an HTTP response head.
    #[error("bad HTTP proxy reply: {0}")]
    MalformedHttpReply(String),
    /// The HTTP proxy's reply head did not end within `limit` bytes.
    #[error("the proxy reply is larger than {limit} bytes")]
    ReplyTooLarge {
        /// The bound, [`MAX_HTTP_REPLY`].
        limit: usize,
    },
    /// A SOCKS reply with another version byte (5, or 1 in the
    /// username/password reply).
    #[error("the proxy speaks version {got}, not {expected}")]
    WrongVersion {
        /// What was expected.
        expected: u8,
        /// What arrived.
        got: u8,
    },
    /// The SOCKS5 proxy accepts none of the offered methods (`X'FF'`):
    /// it wants credentials we do not have, or another method.
    #[error("the SOCKS5 proxy accepts none of the offered authentication methods")]
    NoAcceptableAuthMethod,
    /// The SOCKS5 proxy chose a method that was not offered.
    #[error("the SOCKS5 proxy chose authentication method {0:#04x}, which was not offered")]
    UnexpectedAuthMethod(u8),
    /// The SOCKS5 proxy refused the username and password (RFC 1929).
    #[error("the SOCKS5 proxy refused the username and password (status {status})")]
    AuthFailed {
        /// The non-zero status byte.
        status: u8,
    },
    /// The SOCKS5 proxy refused the connection (its `REP`, named).
    #[error("the SOCKS5 proxy refused the tunnel: {0}")]
    Socks5Refused(Socks5ReplyCode),
    /// The SOCKS5 reply has an unknown address type.
    #[error("the SOCKS5 reply has unknown address type {0:#04x}")]
    BadAddressType(u8),
    /// The proxy closed the connection before the tunnel was open.
    #[error("the proxy closed the connection during the handshake")]
    ClosedEarly,
    /// The target name is longer than the 255 bytes SOCKS5 can carry.
    #[error("the target name is {len} bytes; SOCKS5 carries at most 255")]
    TargetNameTooLong {
        /// Its length in bytes.
        len: usize,
    },
    /// The target is not a host name or IP literal.
    #[error("invalid tunnel target {0:?}")]
    InvalidTarget(String),
    /// The proxy's credentials cannot be sent in its wire format.
    #[error("unusable proxy credentials: {0}")]
    Credentials(ProxyUrlError),
}

/// What [`Tunnel::handle_data`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum TunnelState {
    /// All the bytes were the proxy's; the handshake goes on. Write what
    /// [`Tunnel::poll_transmit`] has, then read more.
    NeedMore,
    /// The tunnel is open. The first `consumed` bytes of this input were
    /// the proxy's; the rest (`&data[consumed..]`) already belongs to the
    /// tunnelled protocol. Later calls return `consumed: 0`.
    Established {
        /// How many bytes of this input the handshake used.
        consumed: usize,
    },
}

#[derive(Debug)]
enum Phase {
    Http(HttpReply),
    SocksMethod,
    SocksAuth,
    SocksReply,
    Established,
    Failed(TunnelError),
}

/// The handshake that opens a tunnel to a target through a [`Proxy`],
/// sans-IO. Connect to the proxy, then alternate: write everything
/// [`poll_transmit`](Tunnel::poll_transmit) returns, feed what the proxy
/// sends to [`handle_data`](Tunnel::handle_data) (in any split) until it
/// says [`TunnelState::Established`] or fails; report the proxy closing
/// early with [`handle_closed`](Tunnel::handle_closed). Errors stick.
///
/// HTTP proxies get `CONNECT host:port` with a `Host` header (and
/// `Proxy-Authorization: Basic` with credentials). SOCKS5 proxies get a
/// greeting offering no authentication (and username/password with
/// credentials), then `CONNECT` with the target as an IPv4 or IPv6 address
/// if it is an IP literal, as a domain name otherwise.
#[derive(Debug)]
pub struct Tunnel {
    phase: Phase,
    out: VecDeque<Vec<u8>>,
    /// SOCKS5: the reply being collected (at most 262 bytes).
    buf: Vec<u8>,
    /// SOCKS5: the username/password request, if credentials are set.
    auth: Option<Vec<u8>>,
    /// SOCKS5: the CONNECT command, sent after the method (and auth).
    command: Vec<u8>,
}

impl Tunnel {
    /// A handshake through `proxy` to `target_host:target_port` (a host
    /// name, or an IP literal, IPv6 with or without brackets). For
    /// `socks5://` proxies pass the address the driver resolved (see
    /// [`Proxy::resolves_target_locally`]); a name is sent as a name.
    /// Fails on a target that is no host name or IP literal, a name too
    /// long for SOCKS5, or credentials its wire format cannot carry.
    pub fn new(proxy: &Proxy, target_host: &str, target_port: u16) -> Result<Tunnel, TunnelError> {
        let host = check_target(target_host)?;
        proxy
            .check_credentials()
            .map_err(TunnelError::Credentials)?;
        let mut tunnel = Tunnel {
            phase: Phase::SocksMethod,
            out: VecDeque::new(),
            buf: Vec::new(),
            auth: None,
            command: Vec::new(),
        };
        match proxy.kind {
            ProxyKind::Http => {
                tunnel.phase = Phase::Http(HttpReply::default());
                tunnel
                    .out
                    .push_back(connect_head(host, target_port, proxy.auth.as_ref()));
            }
            ProxyKind::Socks5 { .. } => {
                tunnel.command = socks5::connect_command(host, target_port)?;
                tunnel.auth = proxy.auth.as_ref().map(socks5::auth_request);
                tunnel
                    .out
                    .push_back(socks5::greeting(tunnel.auth.is_some()));
            }
        }
        Ok(tunnel)
    }

    /// Whether the tunnel is open.
    pub fn is_established(&self) -> bool {
        matches!(self.phase, Phase::Established)
    }

    /// Feeds bytes read from the proxy. See [`TunnelState`] for what the
    /// answer means; an error is final (later calls return it again).
    pub fn handle_data(&mut self, data: &[u8]) -> Result<TunnelState, TunnelError> {
        match &self.phase {
            Phase::Established => return Ok(TunnelState::Established { consumed: 0 }),
            Phase::Failed(e) => return Err(e.clone()),
            _ => {}
        }
        let result = self.advance(data);
        if let Err(e) = &result {
            self.phase = Phase::Failed(e.clone());
            self.out.clear();
        }
        result
    }

    /// The proxy closed the connection (or it failed): an error unless the
    /// tunnel is already open.
    pub fn handle_closed(&mut self) -> Result<(), TunnelError> {
        match &self.phase {
            Phase::Established => Ok(()),
            Phase::Failed(e) => Err(e.clone()),
            _ => {
                self.phase = Phase::Failed(TunnelError::ClosedEarly);
                self.out.clear();
                Err(TunnelError::ClosedEarly)
            }
        }
    }

    /// Bytes to write to the proxy, in order; `None` when there are none
    /// for now.
    #[must_use]
    pub fn poll_transmit(&mut self) -> Option<Vec<u8>> {
        self.out.pop_front()
    }

    fn advance(&mut self, data: &[u8]) -> Result<TunnelState, TunnelError> {
        let mut used = 0;
        loop {
            match &mut self.phase {
                Phase::Http(reply) => {
                    let Some(n) = reply.feed(&data[used.min(data.len())..])? else {
                        return Ok(TunnelState::NeedMore);
                    };
                    return Ok(self.established(used + n));
                }
                Phase::SocksMethod => {
                    let full = self.fill(data, &mut used, 2);
                    if let Some(&version) = self.buf.first() {
                        check_version(version, socks5::VERSION)?;
                    }
                    if !full {
                        return Ok(TunnelState::NeedMore);
                    }
                    let method = self.buf[1];
                    self.buf.clear();
                    match (method, self.auth.take()) {
                        (socks5::METHOD_NO_AUTH, _) => self.send_command(),
                        (socks5::METHOD_USER_PASS, Some(auth)) => {
                            self.out.push_back(auth);
                            self.phase = Phase::SocksAuth;
                        }
                        (socks5::METHOD_NONE_ACCEPTABLE, _) => {
                            return Err(TunnelError::NoAcceptableAuthMethod)
                        }
                        (other, _) => return Err(TunnelError::UnexpectedAuthMethod(other)),
                    }
                }
                Phase::SocksAuth => {
                    let full = self.fill(data, &mut used, 2);
                    // RFC 1929 says 1; some servers answer 5.
                    if let Some(&version) = self.buf.first().filter(|&&v| v != 5) {
                        check_version(version, 1)?;
                    }
                    if !full {
                        return Ok(TunnelState::NeedMore);
                    }
                    let status = self.buf[1];
                    self.buf.clear();
                    if status != 0 {
                        return Err(TunnelError::AuthFailed { status });
                    }
                    self.send_command();
                }
                Phase::SocksReply => loop {
                    match socks5::reply_len(&self.buf)? {
                        Some(len) if self.fill(data, &mut used, len) => {
                            self.buf.clear();
                            return Ok(self.established(used));
                        }
                        Some(_) => return Ok(TunnelState::NeedMore),
                        None => {
                            let want = self.buf.len() + 1;
                            if !self.fill(data, &mut used, want) {
                                return Ok(TunnelState::NeedMore);
                            }
                        }
                    }
                },
                Phase::Established => return Ok(TunnelState::Established { consumed: used }),
                Phase::Failed(e) => return Err(e.clone()),
            }
        }
    }

    /// Moves bytes from `data[*used..]` into the buffer until it holds
    /// `len`; whether it does.
    fn fill(&mut self, data: &[u8], used: &mut usize, len: usize) -> bool {
        let rest = &data[(*used).min(data.len())..];
        let take = len.saturating_sub(self.buf.len()).min(rest.len());
        self.buf.extend_from_slice(&rest[..take]);
        *used += take;
        self.buf.len() >= len
    }

    fn send_command(&mut self) {
        self.out.push_back(std::mem::take(&mut self.command));
        self.phase = Phase::SocksReply;
    }

    fn established(&mut self, consumed: usize) -> TunnelState {
        self.phase = Phase::Established;
        self.auth = None;
        TunnelState::Established { consumed }
    }
}

fn check_version(got: u8, expected: u8) -> Result<(), TunnelError> {
    if got == expected {
        Ok(())
    } else {
        Err(TunnelError::WrongVersion { expected, got })
    }
}

/// The target without IPv6 brackets, if it is a host name or IP literal.
fn check_target(host: &str) -> Result<&str, TunnelError> {
    let bad = || TunnelError::InvalidTarget(host.to_string());
    if let Some(inner) = host.strip_prefix('[') {
        let inner = inner.strip_suffix(']').ok_or_else(bad)?;
        return inner.parse::<Ipv6Addr>().map(|_| inner).map_err(|_| bad());
    }
    if host.contains(':') {
        return host.parse::<Ipv6Addr>().map(|_| host).map_err(|_| bad());
    }
    let valid = !host.is_empty()
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_');
    if valid {
        Ok(host)
    } else {
        Err(bad())
    }
}
