//! SOCKS5 wire format (RFC 1928, username/password RFC 1929).

use super::{ProxyCredentials, TunnelError};
use std::net::{Ipv4Addr, Ipv6Addr};

pub(crate) const VERSION: u8 = 5;
pub(crate) const METHOD_NO_AUTH: u8 = 0x00;
pub(crate) const METHOD_USER_PASS: u8 = 0x02;
pub(crate) const METHOD_NONE_ACCEPTABLE: u8 = 0xFF;
const CMD_CONNECT: u8 = 1;
const ATYP_IPV4: u8 = 1;
const ATYP_DOMAIN: u8 = 3;
const ATYP_IPV6: u8 = 4;

/// A refusal in a SOCKS5 reply (`REP`, RFC 1928 §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum Socks5ReplyCode {
    /// `X'01'`.
    #[error("general SOCKS server failure")]
    GeneralFailure,
    /// `X'02'`.
    #[error("connection not allowed by ruleset")]
    NotAllowed,
    /// `X'03'`.
    #[error("network unreachable")]
    NetworkUnreachable,
    /// `X'04'`.
    #[error("host unreachable")]
    HostUnreachable,
    /// `X'05'`.
    #[error("connection refused")]
    ConnectionRefused,
    /// `X'06'`.
    #[error("TTL expired")]
    TtlExpired,
    /// `X'07'`.
    #[error("command not supported")]
    CommandNotSupported,
    /// `X'08'`.
    #[error("address type not supported")]
    AddressTypeNotSupported,
    /// `X'09'` to `X'FF'`, unassigned.
    #[error("unassigned reply code {0:#04x}")]
    Other(u8),
}

impl Socks5ReplyCode {
    /// The refusal for a non-zero `REP`; `None` for `X'00'` (succeeded).
    pub fn from_byte(rep: u8) -> Option<Socks5ReplyCode> {
        use Socks5ReplyCode::*;
        Some(match rep {
            0 => return None,
            1 => GeneralFailure,
            2 => NotAllowed,
            3 => NetworkUnreachable,
            4 => HostUnreachable,
            5 => ConnectionRefused,
            6 => TtlExpired,
            7 => CommandNotSupported,
            8 => AddressTypeNotSupported,
            other => Other(other),
        })
    }
}

/// The greeting: the methods offered.
pub(crate) fn greeting(with_auth: bool) -> Vec<u8> {
    if with_auth {
        vec![VERSION, 2, METHOD_NO_AUTH, METHOD_USER_PASS]
    } else {
        vec![VERSION, 1, METHOD_NO_AUTH]
    }
}

/// The RFC 1929 request (lengths checked by the caller: at most 255).
pub(crate) fn auth_request(c: &ProxyCredentials) -> Vec<u8> {
    let mut out = vec![1];
    for field in [c.username.as_bytes(), c.password.as_bytes()] {
        out.push(u8::try_from(field.len()).unwrap_or(u8::MAX));
        out.extend_from_slice(&field[..field.len().min(255)]);
    }
    out
}

/// The CONNECT command for `host:port`: an IPv4 or IPv6 literal (brackets
/// allowed) goes as an address, anything else as a domain name.
pub(crate) fn connect_command(host: &str, port: u16) -> Result<Vec<u8>, TunnelError> {
    let mut out = vec![VERSION, CMD_CONNECT, 0];
    let bare = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    if let Ok(v4) = bare.parse::<Ipv4Addr>() {
        out.push(ATYP_IPV4);
        out.extend_from_slice(&v4.octets());
    } else if let Ok(v6) = bare.parse::<Ipv6Addr>() {
        out.push(ATYP_IPV6);
        out.extend_from_slice(&v6.octets());
    } else {
        let len = u8::try_from(host.len())
            .map_err(|_| TunnelError::TargetNameTooLong { len: host.len() })?;
        out.push(ATYP_DOMAIN);
        out.push(len);
        out.extend_from_slice(host.as_bytes());
    }
    out.extend_from_slice(&port.to_be_bytes());
    Ok(out)
}

/// How long the CONNECT reply is, from what has arrived of it: `Ok(None)`
/// until the length is known (its first 5 bytes), refusals and bad
/// versions or address types as soon as their byte arrives.
pub(crate) fn reply_len(head: &[u8]) -> Result<Option<usize>, TunnelError> {
    if let Some(&version) = head.first() {
        if version != VERSION {
            return Err(TunnelError::WrongVersion {
                expected: VERSION,
                got: version,
            });
        }
    }
    if let Some(code) = head.get(1).copied().and_then(Socks5ReplyCode::from_byte) {
        return Err(TunnelError::Socks5Refused(code));
    }
    // head[2] is RSV: ignored.
    let Some(&atyp) = head.get(3) else {
        return Ok(None);
    };
    let addr = match atyp {
        ATYP_IPV4 => 4,
        ATYP_IPV6 => 16,
        ATYP_DOMAIN => match head.get(4) {
            Some(&len) => 1 + usize::from(len),
            None => return Ok(None),
        },
        other => return Err(TunnelError::BadAddressType(other)),
    };
    Ok(Some(4 + addr + 2))
}
