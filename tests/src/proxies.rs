//! Test proxy servers for the integration suite: an HTTP proxy (`CONNECT`
//! tunnels and absolute-form plain requests) and a SOCKS5 proxy (RFC 1928,
//! username/password RFC 1929; domain, IPv4 and IPv6 targets), on
//! 127.0.0.1 with std threads. Either can demand credentials. Each counts
//! the tunnels it opened and records their targets, so a test can assert
//! that the proxy was really used and how the target was named.
//!
//! ```no_run
//! use hangups_tests::proxies::ProxyServer;
//!
//! let proxy = ProxyServer::socks5(Some(("alice", "s3cret")));
//! // configure the client with `proxy.url()`, run it, then:
//! assert!(proxy.tunnels() > 0);
//! ```

use base64::Engine as _;
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, Ipv6Addr, Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

/// What a [`ProxyServer`] speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProxyProtocol {
    /// HTTP: `CONNECT` and absolute-form plain requests.
    Http,
    /// SOCKS5.
    Socks5,
}

#[derive(Debug, Default)]
struct Log {
    tunnels: AtomicUsize,
    forwarded: AtomicUsize,
    refused: AtomicUsize,
    targets: Mutex<Vec<String>>,
}

/// A running proxy server. Its threads live as long as the process.
#[derive(Debug)]
pub struct ProxyServer {
    protocol: ProxyProtocol,
    addr: SocketAddr,
    credentials: Option<(String, String)>,
    log: Arc<Log>,
}

type Credentials = Option<(String, String)>;

impl ProxyServer {
    /// An HTTP proxy on a free port; with `credentials` it answers 407
    /// to requests without the matching `Proxy-Authorization: Basic`.
    pub fn http(credentials: Option<(&str, &str)>) -> ProxyServer {
        ProxyServer::start(ProxyProtocol::Http, credentials)
    }

    /// A SOCKS5 proxy on a free port; with `credentials` it accepts only
    /// the username/password method, with those.
    pub fn socks5(credentials: Option<(&str, &str)>) -> ProxyServer {
        ProxyServer::start(ProxyProtocol::Socks5, credentials)
    }

    fn start(protocol: ProxyProtocol, credentials: Option<(&str, &str)>) -> ProxyServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a test proxy");
        let addr = listener.local_addr().expect("local address");
        let credentials = credentials.map(|(u, p)| (u.to_string(), p.to_string()));
        let log = Arc::new(Log::default());
        let (creds, shared) = (credentials.clone(), log.clone());
        thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let (creds, log) = (creds.clone(), shared.clone());
                thread::spawn(move || {
                    let _ = match protocol {
                        ProxyProtocol::Http => serve_http(client, &creds, &log),
                        ProxyProtocol::Socks5 => serve_socks5(client, &creds, &log),
                    };
                });
            }
        });
        ProxyServer {
            protocol,
            addr,
            credentials,
            log,
        }
    }

    /// Where it listens.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Its URL with its credentials (percent-encoded): `http://…` or
    /// `socks5h://…` (the proxy resolves names).
    pub fn url(&self) -> String {
        self.url_with_scheme(match self.protocol {
            ProxyProtocol::Http => "http",
            ProxyProtocol::Socks5 => "socks5h",
        })
    }

    /// Its URL with another scheme (`socks5` for local DNS).
    pub fn url_with_scheme(&self, scheme: &str) -> String {
        match &self.credentials {
            Some((u, p)) => format!("{scheme}://{}:{}@{}", encode(u), encode(p), self.addr),
            None => format!("{scheme}://{}", self.addr),
        }
    }

    /// Tunnels opened so far (`CONNECT` or SOCKS5 `CONNECT` that reached
    /// the target).
    pub fn tunnels(&self) -> usize {
        self.log.tunnels.load(Ordering::SeqCst)
    }

    /// Plain absolute-form requests forwarded so far (HTTP proxy only).
    pub fn forwarded(&self) -> usize {
        self.log.forwarded.load(Ordering::SeqCst)
    }

    /// Handshakes refused so far (bad or missing credentials, no
    /// acceptable method, unreachable target, unsupported command).
    pub fn refused(&self) -> usize {
        self.log.refused.load(Ordering::SeqCst)
    }

    /// The target of every tunnel and forwarded request, as the client
    /// named it: `name:port`, `1.2.3.4:port` or `[v6]:port`.
    pub fn targets(&self) -> Vec<String> {
        self.log.targets.lock().expect("log").clone()
    }
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn serve_http(mut client: TcpStream, creds: &Credentials, log: &Log) -> io::Result<()> {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 4096];
    let head_end = loop {
        let n = client.read(&mut tmp)?;
        if n == 0 || buf.len() > 64 * 1024 {
            return Ok(());
        }
        buf.extend_from_slice(&tmp[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let line = lines.next().unwrap_or_default().to_string();
    let mut parts = line.split(' ');
    let (method, target) = (
        parts.next().unwrap_or_default(),
        parts.next().unwrap_or_default(),
    );
    if let Some((user, pass)) = creds {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"));
        // The scheme is case-insensitive, the token is not.
        let authorized = lines.clone().any(|l| {
            let Some((name, value)) = l.split_once(':') else {
                return false;
            };
            let mut words = value.split_whitespace();
            name.trim().eq_ignore_ascii_case("proxy-authorization")
                && words
                    .next()
                    .is_some_and(|s| s.eq_ignore_ascii_case("basic"))
                && words.next() == Some(token.as_str())
        });
        if !authorized {
            log.refused.fetch_add(1, Ordering::SeqCst);
            client.write_all(
                b"HTTP/1.1 407 Proxy Authentication Required\r\n\
                  Proxy-Authenticate: Basic realm=\"test\"\r\nContent-Length: 0\r\n\r\n",
            )?;
            return Ok(());
        }
    }
    let rest = &buf[head_end..];
    let upstream = if method == "CONNECT" {
        let Ok(upstream) = connect_any(target) else {
            log.refused.fetch_add(1, Ordering::SeqCst);
            client.write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")?;
            return Ok(());
        };
        log.targets.lock().expect("log").push(target.to_string());
        log.tunnels.fetch_add(1, Ordering::SeqCst);
        client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")?;
        let mut upstream = upstream;
        upstream.write_all(rest)?;
        upstream
    } else {
        let without_scheme = target.strip_prefix("http://").unwrap_or(target);
        let (authority, path) =
            without_scheme.split_at(without_scheme.find('/').unwrap_or(without_scheme.len()));
        let mut upstream = connect_any(authority)?;
        log.targets.lock().expect("log").push(authority.to_string());
        log.forwarded.fetch_add(1, Ordering::SeqCst);
        // One request per client connection: ask the server to close after it.
        let path = if path.is_empty() { "/" } else { path };
        write!(
            upstream,
            "{method} {path} HTTP/1.1\r\nConnection: close\r\n"
        )?;
        for header in lines.filter(|l| !l.is_empty()) {
            let name = header.split(':').next().unwrap_or_default().trim();
            if !name.eq_ignore_ascii_case("proxy-authorization")
                && !name.eq_ignore_ascii_case("connection")
            {
                write!(upstream, "{header}\r\n")?;
            }
        }
        upstream.write_all(b"\r\n")?;
        upstream.write_all(rest)?;
        upstream
    };
    relay(client, upstream)
}

const SOCKS_HOST_UNREACHABLE: u8 = 4;
const SOCKS_CONNECTION_REFUSED: u8 = 5;
const SOCKS_COMMAND_NOT_SUPPORTED: u8 = 7;
const SOCKS_ADDRESS_TYPE_NOT_SUPPORTED: u8 = 8;

fn serve_socks5(mut client: TcpStream, creds: &Credentials, log: &Log) -> io::Result<()> {
    let [version, n] = read_array(&mut client)?;
    if version != 5 {
        return Ok(());
    }
    let methods = read_vec(&mut client, n.into())?;
    let method = if creds.is_some() { 2 } else { 0 };
    if !methods.contains(&method) {
        log.refused.fetch_add(1, Ordering::SeqCst);
        return client.write_all(&[5, 0xff]);
    }
    client.write_all(&[5, method])?;
    if let Some((user, pass)) = creds {
        let [_version, ulen] = read_array(&mut client)?;
        let u = read_vec(&mut client, ulen.into())?;
        let [plen] = read_array(&mut client)?;
        let p = read_vec(&mut client, plen.into())?;
        if u != user.as_bytes() || p != pass.as_bytes() {
            log.refused.fetch_add(1, Ordering::SeqCst);
            return client.write_all(&[1, 1]);
        }
        client.write_all(&[1, 0])?;
    }
    let [_version, command, _reserved, atyp] = read_array(&mut client)?;
    let host = match atyp {
        1 => Ipv4Addr::from(read_array::<4>(&mut client)?).to_string(),
        4 => format!("[{}]", Ipv6Addr::from(read_array::<16>(&mut client)?)),
        3 => {
            let [len] = read_array(&mut client)?;
            String::from_utf8_lossy(&read_vec(&mut client, len.into())?).into_owned()
        }
        _ => return socks_refuse(client, log, SOCKS_ADDRESS_TYPE_NOT_SUPPORTED),
    };
    let port = u16::from_be_bytes(read_array(&mut client)?);
    if command != 1 {
        return socks_refuse(client, log, SOCKS_COMMAND_NOT_SUPPORTED);
    }
    let target = format!("{host}:{port}");
    let upstream = match connect_any(&target) {
        Ok(upstream) => upstream,
        Err(e) if e.kind() == io::ErrorKind::ConnectionRefused => {
            return socks_refuse(client, log, SOCKS_CONNECTION_REFUSED)
        }
        Err(_) => return socks_refuse(client, log, SOCKS_HOST_UNREACHABLE),
    };
    log.targets.lock().expect("log").push(target);
    log.tunnels.fetch_add(1, Ordering::SeqCst);
    // BND.ADDR: the address the proxy connected from, as a client would
    // see it (IPv6 when the target was), exercising both reply shapes.
    let mut reply = vec![5, 0, 0];
    match upstream.local_addr()? {
        SocketAddr::V4(a) => {
            reply.push(1);
            reply.extend(a.ip().octets());
            reply.extend(a.port().to_be_bytes());
        }
        SocketAddr::V6(a) => {
            reply.push(4);
            reply.extend(a.ip().octets());
            reply.extend(a.port().to_be_bytes());
        }
    }
    client.write_all(&reply)?;
    relay(client, upstream)
}

fn socks_refuse(mut client: TcpStream, log: &Log, code: u8) -> io::Result<()> {
    log.refused.fetch_add(1, Ordering::SeqCst);
    client.write_all(&[5, code, 0, 1, 0, 0, 0, 0, 0, 0])
}

fn read_array<const N: usize>(stream: &mut TcpStream) -> io::Result<[u8; N]> {
    let mut buf = [0; N];
    stream.read_exact(&mut buf)?;
    Ok(buf)
}

fn read_vec(stream: &mut TcpStream, len: usize) -> io::Result<Vec<u8>> {
    let mut buf = vec![0; len];
    stream.read_exact(&mut buf)?;
    Ok(buf)
}

/// Connects to `host:port` (a name, an IPv4 or a bracketed IPv6 address),
/// trying each address the name resolves to.
fn connect_any(target: &str) -> io::Result<TcpStream> {
    let mut last = io::Error::new(io::ErrorKind::NotFound, "no address");
    for addr in target.to_socket_addrs()? {
        match TcpStream::connect(addr) {
            Ok(stream) => return Ok(stream),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// Copies bytes both ways until the target closes (then the client is
/// closed too, so no thread is left waiting).
fn relay(mut client: TcpStream, mut upstream: TcpStream) -> io::Result<()> {
    let (mut c2, mut u2) = (client.try_clone()?, upstream.try_clone()?);
    let up = thread::spawn(move || {
        let _ = io::copy(&mut c2, &mut u2);
        let _ = u2.shutdown(Shutdown::Write);
    });
    let _ = io::copy(&mut upstream, &mut client);
    let _ = client.shutdown(Shutdown::Both);
    let _ = up.join();
    Ok(())
}

#[cfg(test)]
mod tests;
