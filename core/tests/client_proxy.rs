//! Requests through proxies, driven through the real `Client` against the
//! fake network of `support`: the client speaks the tunnel handshake
//! (HTTP `CONNECT`, SOCKS5 with and without credentials) on a connection
//! to the proxy, fed one byte at a time, then `StartTls` for a TLS target
//! and the request; plain requests to an HTTP proxy go in absolute form.

mod support;

use hangups_core::api::{ApiError, ApiRequest, TransportError};
use hangups_core::client::{Config, ConnId, Event};
use hangups_core::proxy::{Proxy, ProxyConfig};
use hangups_proto::hangouts::GetSelfInfoRequest;
use support::*;

const HOST: &str = "chat-pa.clients6.google.com";

/// A client sending every request through `proxy`, to the TLS server
/// (`tls`) or to the plain one of `config()`.
fn sim_via(proxy: &str, tls: bool) -> Sim {
    let mut cfg = if tls {
        let mut c = Config::new(cookies()).with_rng_seed(7);
        c.reuse_connections = false;
        c
    } else {
        config()
    };
    cfg.proxy = ProxyConfig::all(Proxy::from_url(proxy).unwrap());
    let mut sim = Sim::new(cfg);
    sim.client
        .request(sim.now, ApiRequest::from(GetSelfInfoRequest::default()))
        .unwrap();
    sim.drain();
    sim
}

/// Feeds `bytes` one at a time; before the last one the client writes
/// nothing (it waits for the whole reply).
fn feed_slowly(sim: &mut Sim, conn: ConnId, bytes: &[u8]) {
    let (last, head) = bytes.split_last().unwrap();
    for b in head {
        sim.send(conn, &[*b]);
        assert!(
            sim.conns[&conn].received.is_empty(),
            "wrote before the whole reply"
        );
        assert!(sim.conns[&conn].start_tls.is_empty());
    }
    sim.send(conn, &[*last]);
}

/// A SOCKS5 CONNECT command for `host:port` as a domain name.
fn socks_domain_command(host: &str, port: u16) -> Vec<u8> {
    let mut out = vec![5, 1, 0, 3, host.len() as u8];
    out.extend_from_slice(host.as_bytes());
    out.extend_from_slice(&port.to_be_bytes());
    out
}

const SOCKS_OK: [u8; 10] = [5, 0, 0, 1, 10, 0, 0, 1, 0x1f, 0x90];

/// After the handshake: exactly one StartTls for `HOST`, before any
/// request byte; then the request, in origin form.
fn assert_tls_then_request(sim: &Sim, conn: ConnId) -> Req {
    let c = &sim.conns[&conn];
    assert_eq!(
        c.start_tls,
        vec![(HOST.to_string(), 0)],
        "one StartTls, first"
    );
    let req = sim.request(conn);
    assert!(
        req.target.starts_with("/chat/v1/contacts/getselfinfo?"),
        "{}",
        req.target
    );
    assert_eq!(req.header("host"), Some(HOST));
    req
}

/// The request fails as never sent, after every retry; nothing but the
/// handshake was written.
fn assert_fails_unsent(sim: &mut Sim, refuse: impl Fn(&mut Sim, ConnId)) {
    for _ in 0..3 {
        let conn = sim.accept();
        refuse(sim, conn);
        assert!(sim.is_closed_by_client(conn), "the tunnel is closed");
        assert!(sim.conns[&conn].start_tls.is_empty());
    }
    assert!(sim.pending.is_empty(), "no fourth attempt");
    let events = sim.take_events();
    assert!(
        matches!(
            events.as_slice(),
            [Event::Response {
                result: Err(ApiError::Transport(TransportError::ConnectFailed)),
                ..
            }]
        ),
        "{events:?}"
    );
}

#[test]
fn tls_through_an_http_connect_tunnel() {
    let mut sim = sim_via("http://al%40ice:s3cret@proxy.local:3128", true);
    let conn = sim.accept();
    let c = &sim.conns[&conn];
    assert_eq!(
        (c.host.as_str(), c.port, c.tls),
        ("proxy.local", 3128, false)
    );
    let head = String::from_utf8(sim.take_received(conn)).unwrap();
    assert!(
        head.starts_with(&format!("CONNECT {HOST}:443 HTTP/1.1\r\n")),
        "{head}"
    );
    // base64("al@ice:s3cret")
    assert!(
        head.contains("Proxy-Authorization: Basic YWxAaWNlOnMzY3JldA==\r\n"),
        "{head}"
    );
    assert!(head.ends_with("\r\n\r\n"), "{head}");
    feed_slowly(
        &mut sim,
        conn,
        b"HTTP/1.1 200 Connection established\r\n\r\n",
    );
    assert_tls_then_request(&sim, conn);
    sim.send(conn, &response(500, "X", b""));
    assert!(matches!(
        sim.take_events().as_slice(),
        [Event::Response {
            result: Err(ApiError::Http { status: 500, .. }),
            ..
        }]
    ));
}

#[test]
fn tls_through_socks5_without_credentials() {
    let mut sim = sim_via("socks5h://proxy.local", true);
    let conn = sim.accept();
    assert_eq!(sim.conns[&conn].port, 1080);
    assert_eq!(sim.take_received(conn), [5, 1, 0]);
    feed_slowly(&mut sim, conn, &[5, 0]);
    assert_eq!(sim.take_received(conn), socks_domain_command(HOST, 443));
    feed_slowly(&mut sim, conn, &SOCKS_OK);
    assert_tls_then_request(&sim, conn);
}

#[test]
fn tls_through_socks5_with_a_username_and_password() {
    let mut sim = sim_via("socks5h://alice:s3cret@proxy.local:1081", true);
    let conn = sim.accept();
    assert_eq!(sim.take_received(conn), [5, 2, 0, 2]);
    feed_slowly(&mut sim, conn, &[5, 2]);
    assert_eq!(sim.take_received(conn), b"\x01\x05alice\x06s3cret");
    feed_slowly(&mut sim, conn, &[1, 0]);
    assert_eq!(sim.take_received(conn), socks_domain_command(HOST, 443));
    // A reply naming a domain is as long as its name says.
    let mut ok = vec![5, 0, 0, 3, 3];
    ok.extend_from_slice(b"abc\x01\xbb");
    feed_slowly(&mut sim, conn, &ok);
    assert_tls_then_request(&sim, conn);
}

#[test]
fn plain_http_through_socks5_is_tunnelled_without_tls() {
    // socks5:// too: the client does no DNS and names the target as given.
    let mut sim = sim_via("socks5://proxy.local:1080", false);
    let conn = sim.accept();
    assert_eq!(sim.take_received(conn), [5, 1, 0]);
    feed_slowly(&mut sim, conn, &[5, 0]);
    assert_eq!(
        sim.take_received(conn),
        [5, 1, 0, 1, 127, 0, 0, 1, 0x1f, 0x90],
        "an IPv4 target as an address"
    );
    feed_slowly(&mut sim, conn, &SOCKS_OK);
    assert!(sim.conns[&conn].start_tls.is_empty(), "no TLS");
    let req = sim.request(conn);
    assert!(req.target.starts_with("/chat/v1/"), "{}", req.target);
}

#[test]
fn plain_http_through_an_http_proxy_is_absolute_form_without_a_tunnel() {
    let mut cfg = config();
    cfg.proxy = ProxyConfig {
        http: Proxy::from_url("http://proxy.local:3128").ok(),
        https: Proxy::from_url("proxy.local:3129").ok(),
        no_proxy: vec!["direct.example".into()],
    };
    let mut sim = Sim::new(cfg);
    sim.client
        .request(sim.now, ApiRequest::from(GetSelfInfoRequest::default()))
        .unwrap();
    sim.drain();
    let (c, req) = sim.next_request();
    let conn = &sim.conns[&c];
    assert_eq!(
        (conn.host.as_str(), conn.port, conn.tls),
        ("proxy.local", 3128, false)
    );
    assert!(conn.start_tls.is_empty());
    assert!(
        req.target
            .starts_with("http://127.0.0.1:8080/chat/v1/contacts/getselfinfo?"),
        "{}",
        req.target
    );
    assert_eq!(req.header("host"), Some("127.0.0.1:8080"));
    assert_eq!(req.header("proxy-authorization"), None);
    // With credentials: Basic on every request (there is no tunnel).
    let mut sim = sim_via("http://al%40ice:s3cret@proxy.local:3128", false);
    let (_, req) = sim.next_request();
    assert!(
        req.target.starts_with("http://127.0.0.1:8080/"),
        "{}",
        req.target
    );
    assert_eq!(
        req.header("proxy-authorization"),
        Some("Basic YWxAaWNlOnMzY3JldA==")
    );
}

#[test]
fn no_proxy_hosts_are_dialed_directly_with_tls_at_once() {
    let mut cfg = Config::new(cookies()).with_rng_seed(7);
    cfg.proxy = ProxyConfig::all(Proxy::from_url("socks5h://proxy.local").unwrap());
    cfg.proxy.no_proxy = vec![".google.com".into()];
    let mut sim = Sim::new(cfg);
    sim.client
        .request(sim.now, ApiRequest::from(GetSelfInfoRequest::default()))
        .unwrap();
    sim.drain();
    let (c, req) = sim.next_request();
    let conn = &sim.conns[&c];
    assert_eq!((conn.host.as_str(), conn.port, conn.tls), (HOST, 443, true));
    assert!(conn.start_tls.is_empty());
    assert!(req.target.starts_with("/chat/v1/"));
}

#[test]
fn a_refused_connect_fails_the_request_unsent() {
    let mut sim = sim_via("http://proxy.local:3128", true);
    assert_fails_unsent(&mut sim, |sim, conn| {
        assert!(sim.take_received(conn).starts_with(b"CONNECT "));
        sim.send(conn, b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n");
        assert!(sim.conns[&conn].received.is_empty(), "no request sent");
    });
}

#[test]
fn refused_socks5_credentials_fail_the_request_unsent() {
    let mut sim = sim_via("socks5h://alice:wrong@proxy.local", true);
    assert_fails_unsent(&mut sim, |sim, conn| {
        sim.send(conn, &[5, 2]);
        assert!(sim.take_received(conn).starts_with(&[5, 2, 0, 2, 1, 5]));
        sim.send(conn, &[1, 1]);
        assert!(sim.conns[&conn].received.is_empty(), "no request sent");
    });
}

#[test]
fn a_socks5_proxy_closing_mid_handshake_fails_the_request_unsent() {
    let mut sim = sim_via("socks5h://proxy.local", false);
    assert_fails_unsent(&mut sim, |sim, conn| {
        sim.send(conn, &[5, 0, 5, 0]);
        sim.close(conn);
        // The client learned it from the network: it closes nothing.
        sim.conns.get_mut(&conn).unwrap().closed_by_client = true;
    });
}

#[test]
fn bytes_after_the_tunnel_reply_are_a_protocol_error() {
    let mut sim = sim_via("socks5h://proxy.local", false);
    let conn = sim.accept();
    sim.send(conn, &[5, 0]);
    let _ = sim.take_received(conn);
    let mut reply = SOCKS_OK.to_vec();
    reply.extend_from_slice(b"HTTP/1.1 200 OK\r\n\r\n");
    sim.send(conn, &reply);
    assert!(sim.is_closed_by_client(conn));
    assert!(sim.conns[&conn].received.is_empty(), "no request sent");
}

#[test]
fn the_handshake_counts_against_the_connect_deadline() {
    let mut sim = sim_via("socks5h://proxy.local", true);
    let conn = sim.accept();
    sim.send(conn, &[5, 0]);
    // The proxy never answers the CONNECT command.
    let waited = sim.advance_to_timeout();
    assert!(waited.as_secs() <= 30, "{waited:?}");
    assert!(sim.is_closed_by_client(conn));
    assert!(sim.conns[&conn].start_tls.is_empty());
}

#[test]
fn a_kept_tunnel_is_reused_without_a_new_handshake() {
    let mut cfg = Config::new(cookies()).with_rng_seed(7);
    cfg.reuse_connections = true;
    cfg.proxy = ProxyConfig::all(Proxy::from_url("socks5h://proxy.local").unwrap());
    let mut sim = Sim::new(cfg);
    for round in 0..2 {
        sim.client
            .request(sim.now, ApiRequest::from(GetSelfInfoRequest::default()))
            .unwrap();
        sim.drain();
        if round == 0 {
            let conn = sim.accept();
            sim.send(conn, &[5, 0]);
            let _ = sim.take_received(conn);
            sim.send(conn, &SOCKS_OK);
        }
        assert!(sim.pending.is_empty(), "round {round}: a new connection");
        let conn = *sim.conns.keys().next().unwrap();
        assert_eq!(sim.conns.len(), 1);
        assert_tls_then_request(&sim, conn);
        let _ = sim.take_received(conn);
        sim.send(conn, &response(500, "X", b""));
        assert!(!sim.is_closed_by_client(conn), "kept");
        assert_eq!(sim.take_events().len(), 1);
    }
    // The kept tunnel turns out stale: a fresh one, handshake and all.
    let kept = *sim.conns.keys().next().unwrap();
    sim.client
        .request(sim.now, ApiRequest::from(GetSelfInfoRequest::default()))
        .unwrap();
    sim.drain();
    sim.close(kept);
    let fresh = sim.accept();
    assert_ne!(fresh, kept);
    assert_eq!(sim.take_received(fresh), [5, 1, 0]);
    sim.send(fresh, &[5, 0]);
    let _ = sim.take_received(fresh);
    sim.send(fresh, &SOCKS_OK);
    assert_tls_then_request(&sim, fresh);
}
