//! The test proxies, driven by the core's [`Tunnel`] over std sockets,
//! against a little echo server.

use super::ProxyServer;
use hangups_core::proxy::{Proxy, Socks5ReplyCode, Tunnel, TunnelError, TunnelState};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::thread;
use std::time::Duration;

const BANNER: &[u8] = b"hello\n";

/// An echo server on `bind` that first sends [`BANNER`].
fn echo_server(bind: &str) -> SocketAddr {
    let listener = TcpListener::bind(bind).expect("bind echo");
    let addr = listener.local_addr().unwrap();
    thread::spawn(move || {
        for mut conn in listener.incoming().flatten() {
            thread::spawn(move || {
                let _ = conn.write_all(BANNER);
                let mut buf = [0; 1024];
                while let Ok(n @ 1..) = conn.read(&mut buf) {
                    if conn.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
            });
        }
    });
    addr
}

/// A port nothing listens on.
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Connects to the proxy and opens a tunnel to `host:port`: the stream,
/// and the bytes read past the handshake.
fn open(proxy: &Proxy, host: &str, port: u16) -> Result<(TcpStream, Vec<u8>), TunnelError> {
    let mut tcp = TcpStream::connect((proxy.host.as_str(), proxy.port)).expect("reach the proxy");
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut tunnel = Tunnel::new(proxy, host, port)?;
    let mut buf = [0u8; 4096];
    loop {
        while let Some(bytes) = tunnel.poll_transmit() {
            tcp.write_all(&bytes).expect("write to the proxy");
        }
        let n = tcp.read(&mut buf).unwrap_or(0);
        if n == 0 {
            tunnel.handle_closed()?;
            panic!("closed after the tunnel opened, before it was reported");
        }
        if let TunnelState::Established { consumed } = tunnel.handle_data(&buf[..n])? {
            return Ok((tcp, buf[consumed..n].to_vec()));
        }
    }
}

/// Reads the banner (part of it may have come with the handshake), then
/// checks that bytes go both ways.
fn check_echo((mut tcp, mut got): (TcpStream, Vec<u8>)) {
    let mut buf = [0; 64];
    while got.len() < BANNER.len() {
        let n = tcp.read(&mut buf).expect("read the banner");
        assert!(n > 0, "closed before the banner");
        got.extend_from_slice(&buf[..n]);
    }
    assert_eq!(got, BANNER);
    tcp.write_all(b"ping through the proxy").unwrap();
    let mut back = [0; 22];
    tcp.read_exact(&mut back).unwrap();
    assert_eq!(&back, b"ping through the proxy");
}

fn url_proxy(server: &ProxyServer) -> Proxy {
    Proxy::from_url(&server.url()).unwrap()
}

#[test]
fn proxies_http_connect_tunnels() {
    let echo = echo_server("127.0.0.1:0");
    let server = ProxyServer::http(None);
    let proxy = url_proxy(&server);
    assert_eq!(server.tunnels(), 0);
    check_echo(open(&proxy, "127.0.0.1", echo.port()).unwrap());
    check_echo(open(&proxy, "localhost", echo.port()).unwrap());
    assert_eq!(server.tunnels(), 2);
    assert_eq!(
        server.targets(),
        [
            format!("127.0.0.1:{}", echo.port()),
            format!("localhost:{}", echo.port())
        ]
    );
    let refused = open(&proxy, "127.0.0.1", closed_port()).unwrap_err();
    assert!(
        matches!(refused, TunnelError::HttpRefused { status: 502, .. }),
        "{refused:?}"
    );
    assert_eq!((server.tunnels(), server.refused()), (2, 1));
}

#[test]
fn proxies_http_connect_with_basic_auth() {
    let echo = echo_server("127.0.0.1:0");
    let server = ProxyServer::http(Some(("alice", "p@ss word")));
    assert!(server
        .url()
        .starts_with("http://alice:p%40ss%20word@127.0.0.1:"));
    check_echo(open(&url_proxy(&server), "127.0.0.1", echo.port()).unwrap());
    let mut wrong = url_proxy(&server);
    wrong.auth.as_mut().unwrap().password = "guess".into();
    let anonymous = Proxy::http("127.0.0.1", server.addr().port());
    for p in [wrong, anonymous] {
        assert_eq!(
            open(&p, "127.0.0.1", echo.port()).unwrap_err(),
            TunnelError::HttpRefused {
                status: 407,
                reason: "Proxy Authentication Required".into()
            }
        );
    }
    assert_eq!((server.tunnels(), server.refused()), (1, 2));
}

#[test]
fn proxies_http_forwards_plain_requests() {
    let echo = echo_server("127.0.0.1:0");
    let server = ProxyServer::http(None);
    let mut tcp = TcpStream::connect(server.addr()).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        tcp,
        "GET http://127.0.0.1:{}/p HTTP/1.1\r\nHost: x\r\n\r\n",
        echo.port()
    )
    .unwrap();
    let mut got = Vec::new();
    let mut buf = [0; 256];
    while !got.ends_with(b"\r\n\r\n") {
        let n = tcp.read(&mut buf).unwrap();
        assert!(n > 0);
        got.extend_from_slice(&buf[..n]);
    }
    // The echo server sends the banner, then the request as the target got it.
    let expect = "hello\nGET /p HTTP/1.1\r\nConnection: close\r\nHost: x\r\n\r\n";
    assert_eq!(String::from_utf8_lossy(&got), expect);
    assert_eq!((server.forwarded(), server.tunnels()), (1, 0));
}

#[test]
fn proxies_socks5_targets_by_name_and_address() {
    let echo4 = echo_server("127.0.0.1:0");
    let echo6 = echo_server("[::1]:0");
    let server = ProxyServer::socks5(None);
    assert!(server.url().starts_with("socks5h://127.0.0.1:"));
    let proxy = url_proxy(&server);
    check_echo(open(&proxy, "127.0.0.1", echo4.port()).unwrap());
    check_echo(open(&proxy, "localhost", echo4.port()).unwrap());
    // An IPv6 target: the proxy's reply carries an IPv6 BND.ADDR.
    check_echo(open(&proxy, "::1", echo6.port()).unwrap());
    assert_eq!(server.tunnels(), 3);
    assert_eq!(
        server.targets(),
        [
            format!("127.0.0.1:{}", echo4.port()),
            format!("localhost:{}", echo4.port()),
            format!("[::1]:{}", echo6.port()),
        ]
    );
    assert_eq!(
        open(&proxy, "127.0.0.1", closed_port()).unwrap_err(),
        TunnelError::Socks5Refused(Socks5ReplyCode::ConnectionRefused)
    );
    assert_eq!((server.tunnels(), server.refused()), (3, 1));
}

#[test]
fn proxies_socks5_username_password() {
    let echo = echo_server("127.0.0.1:0");
    let server = ProxyServer::socks5(Some(("bob", "pa:ss")));
    assert!(server.url().starts_with("socks5h://bob:pa%3Ass@127.0.0.1:"));
    let proxy = url_proxy(&server);
    check_echo(open(&proxy, "127.0.0.1", echo.port()).unwrap());
    let (mut wrong_user, mut wrong_password) = (proxy.clone(), proxy.clone());
    wrong_user.auth.as_mut().unwrap().username = "eve".into();
    wrong_password.auth.as_mut().unwrap().password = "pa:s".into();
    for wrong in [wrong_user, wrong_password] {
        assert_eq!(
            open(&wrong, "127.0.0.1", echo.port()).unwrap_err(),
            TunnelError::AuthFailed { status: 1 }
        );
    }
    let mut anonymous = proxy;
    anonymous.auth = None;
    assert_eq!(
        open(&anonymous, "127.0.0.1", echo.port()).unwrap_err(),
        TunnelError::NoAcceptableAuthMethod
    );
    assert_eq!((server.tunnels(), server.refused()), (1, 3));
}
