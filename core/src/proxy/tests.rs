//! The proxy types, their parsing, and every tunnel handshake under every
//! split.

use super::*;
use proptest::prelude::*;

fn proxy(url: &str) -> Proxy {
    Proxy::from_url(url).unwrap()
}

/// Feeds the proxy's whole byte stream in pieces of `piece` bytes:
/// what was written to the proxy, and how many of the bytes the handshake
/// used (or the error).
fn run(tunnel: &mut Tunnel, stream: &[u8], piece: usize) -> (Vec<u8>, Result<usize, TunnelError>) {
    let mut written = Vec::new();
    let mut used = 0;
    let drain = |t: &mut Tunnel, w: &mut Vec<u8>| {
        while let Some(b) = t.poll_transmit() {
            w.extend(b);
        }
    };
    drain(tunnel, &mut written);
    for chunk in stream.chunks(piece.max(1)) {
        let state = tunnel.handle_data(chunk);
        drain(tunnel, &mut written);
        match state {
            Ok(TunnelState::NeedMore) => used += chunk.len(),
            Ok(TunnelState::Established { consumed }) => {
                assert!(consumed <= chunk.len());
                return (written, Ok(used + consumed));
            }
            Err(e) => return (written, Err(e)),
        }
    }
    let closed = tunnel.handle_closed().map(|()| used);
    (written, closed)
}

/// The same handshake in one piece and one byte at a time.
fn both_ways(
    p: &Proxy,
    host: &str,
    port: u16,
    stream: &[u8],
) -> (Vec<u8>, Result<usize, TunnelError>) {
    let whole = run(
        &mut Tunnel::new(p, host, port).unwrap(),
        stream,
        stream.len(),
    );
    let bytes = run(&mut Tunnel::new(p, host, port).unwrap(), stream, 1);
    assert_same(&whole, &bytes);
    whole
}

/// Same outcome; same bytes written too when the tunnel opened (after an
/// error the queued output is dropped, so what was written depends on
/// when the caller drained).
fn assert_same(
    a: &(Vec<u8>, Result<usize, TunnelError>),
    b: &(Vec<u8>, Result<usize, TunnelError>),
) {
    assert_eq!(a.1, b.1, "outcome depends on the split");
    if a.1.is_ok() {
        assert_eq!(a.0, b.0, "written bytes depend on the split");
    }
}

const TLS: &[u8] = b"\x16\x03\x01\x02\x00";

#[test]
fn parses_proxy_urls() {
    assert_eq!(
        Proxy::from_url("http://proxy:3128"),
        Ok(Proxy::http("proxy", 3128))
    );
    assert_eq!(
        Proxy::from_url(" proxy.corp "),
        Ok(Proxy::http("proxy.corp", 80))
    );
    assert_eq!(
        Proxy::from_url("http://[::1]:8080/"),
        Ok(Proxy::http("::1", 8080))
    );
    assert_eq!(
        Proxy::from_url("HTTP://P.Corp"),
        Ok(Proxy::http("p.corp", 80))
    );
    let s = proxy("socks5://us%40r:p%3Aw%20d@[fe80::1]");
    assert_eq!(s.kind, ProxyKind::Socks5 { remote_dns: false });
    assert_eq!((s.host.as_str(), s.port), ("fe80::1", 1080));
    let c = s.auth.clone().unwrap();
    assert_eq!(
        (c.username.as_str(), c.password.as_str()),
        ("us@r", "p:w d")
    );
    assert!(s.resolves_target_locally());
    let h = proxy("socks5h://user@10.0.0.1:9050");
    assert_eq!(h.kind, ProxyKind::Socks5 { remote_dns: true });
    assert_eq!(h.auth.as_ref().map(|c| c.password.as_str()), Some(""));
    assert!(!h.resolves_target_locally());
    assert!(!Proxy::http("p", 1).resolves_target_locally());
    assert!(!Proxy::http("p", 1).needs_tunnel(false));
    assert!(Proxy::http("p", 1).needs_tunnel(true));
    assert!(h.needs_tunnel(false) && s.needs_tunnel(true));
    let basic = proxy("http://u:secret@p:3128");
    assert_eq!(basic.auth.as_ref().map(|c| c.username.as_str()), Some("u"));
    assert!(!format!("{basic:?}").contains("secret"));
    for (bad, why) in [
        ("", ProxyUrlError::Empty),
        ("  ", ProxyUrlError::Empty),
        (
            "https://p:1",
            ProxyUrlError::UnsupportedScheme("https".into()),
        ),
        (
            "socks4://p:1",
            ProxyUrlError::UnsupportedScheme("socks4".into()),
        ),
        (
            "http://x:notaport",
            ProxyUrlError::Malformed("invalid port"),
        ),
        ("http://", ProxyUrlError::Malformed("empty host")),
        (
            "http://a@b@c",
            ProxyUrlError::Malformed("more than one @ in authority"),
        ),
        (
            "http://u%zz@h",
            ProxyUrlError::Malformed("malformed percent escape"),
        ),
        ("http://[::1", ProxyUrlError::Malformed("unclosed bracket")),
        ("http://u%3Av:p@h", ProxyUrlError::ColonInUsername),
    ] {
        assert_eq!(Proxy::from_url(bad), Err(why), "{bad:?}");
    }
    let long = "a".repeat(256);
    assert_eq!(
        Proxy::from_url(&format!("socks5://{long}:p@h")),
        Err(ProxyUrlError::CredentialsTooLong)
    );
    assert!(Proxy::from_url(&format!(
        "socks5://{}:{}@h",
        "a".repeat(255),
        "b".repeat(255)
    ))
    .is_ok());
    assert_eq!(Proxy::from_url("p:1"), Ok(Proxy::http("p", 1)));
}

#[test]
fn no_proxy_matches_hosts_and_suffixes() {
    let cfg = ProxyConfig::from_env(env(&[
        ("HTTP_PROXY", "http://p:1"),
        ("HTTPS_PROXY", "http://s:2"),
        (
            "NO_PROXY",
            "localhost, .internal.net,example.com:443,127.0.0.1",
        ),
    ]));
    assert_eq!(
        cfg.proxy_for("chat-pa.clients6.google.com", true)
            .map(|p| p.port),
        Some(2)
    );
    assert_eq!(
        cfg.proxy_for("chat-pa.clients6.google.com", false)
            .map(|p| p.port),
        Some(1)
    );
    for direct in [
        "localhost",
        "a.internal.net",
        "internal.net",
        "example.com",
        "www.example.com",
        "127.0.0.1",
        "LOCALHOST.",
    ] {
        assert!(cfg.proxy_for(direct, true).is_none(), "{direct}");
    }
    assert!(cfg.proxy_for("notexample.com", true).is_some());
    let all = ProxyConfig::from_env(env(&[("HTTP_PROXY", "p:1"), ("NO_PROXY", "*")]));
    assert!(all.proxy_for("anything", false).is_none());
    assert!(ProxyConfig::default().proxy_for("x", true).is_none());
    assert_eq!(
        ProxyConfig::from_env(env(&[("HTTP_PROXY", "socks4://p:1")])).http,
        None,
        "unparsable values are ignored"
    );
}

fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
    move |name| {
        vars.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.to_string())
    }
}

#[test]
fn all_proxy_fills_in_for_the_unset_ones() {
    let cfg = ProxyConfig::from_env(env(&[
        ("ALL_PROXY", "socks5h://s:1080"),
        ("https_proxy", "http://h:3128"),
        ("NO_PROXY", "direct.example"),
    ]));
    assert_eq!(cfg.https, Some(Proxy::http("h", 3128)));
    let socks = cfg.proxy_for("x.example", false).unwrap();
    assert_eq!(
        (socks.kind, socks.host.as_str()),
        (ProxyKind::Socks5 { remote_dns: true }, "s")
    );
    assert!(cfg.proxy_for("direct.example", false).is_none());
    // Empty counts as unset; upper case wins over lower case.
    let cfg = ProxyConfig::from_env(env(&[
        ("all_proxy", "socks5://a:1"),
        ("HTTP_PROXY", ""),
        ("HTTPS_PROXY", "http://up:1"),
        ("https_proxy", "http://low:1"),
    ]));
    assert_eq!(cfg.http.map(|p| p.host), Some("a".into()));
    assert_eq!(cfg.https.map(|p| p.host), Some("up".into()));
    // An unparsable own value is ignored, not replaced by ALL_PROXY.
    let cfg = ProxyConfig::from_env(env(&[("ALL_PROXY", "p:1"), ("HTTP_PROXY", "ftp://x")]));
    assert_eq!((cfg.http, cfg.https.map(|p| p.port)), (None, Some(1)));
    assert_eq!(ProxyConfig::from_env(env(&[])), ProxyConfig::default());
}

#[test]
fn http_connect_with_leftover() {
    let p = Proxy::http("p", 3128);
    let reply = [
        &b"HTTP/1.1 200 Connection established\r\nVia: x\r\n\r\n"[..],
        TLS,
    ]
    .concat();
    let (written, used) = both_ways(&p, "h.example", 443, &reply);
    assert_eq!(
        written,
        b"CONNECT h.example:443 HTTP/1.1\r\nHost: h.example:443\r\n\r\n"
    );
    assert_eq!(used, Ok(reply.len() - TLS.len()));
    let (written, _) = both_ways(&p, "[2001:db8::1]", 443, &reply);
    assert_eq!(
        written,
        b"CONNECT [2001:db8::1]:443 HTTP/1.1\r\nHost: [2001:db8::1]:443\r\n\r\n"
    );
    let (_, used) = both_ways(&p, "h", 1, b"HTTP/1.0 200 OK\n\nrest");
    assert_eq!(used, Ok(17));
}

fn written_for(p: &Proxy, host: &str, port: u16) -> Vec<u8> {
    Tunnel::new(p, host, port).unwrap().poll_transmit().unwrap()
}

#[test]
fn http_connect_with_basic_auth() {
    // RFC 7617's example credentials.
    let p = proxy("http://Aladdin:open%20sesame@p:3128");
    let head = String::from_utf8(written_for(&p, "h", 443)).unwrap();
    assert_eq!(
        head,
        "CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\
         Proxy-Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n\r\n"
    );
}

#[test]
fn http_refusals_and_hostile_replies() {
    let p = Proxy::http("p", 3128);
    let refused = b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n";
    assert_eq!(
        both_ways(&p, "h", 443, refused).1,
        Err(TunnelError::HttpRefused {
            status: 407,
            reason: "Proxy Authentication Required".into()
        })
    );
    assert_eq!(
        both_ways(&p, "h", 443, b"HTTP/1.1 502 \r\n\r\n").1,
        Err(TunnelError::HttpRefused {
            status: 502,
            reason: String::new()
        })
    );
    assert!(matches!(
        both_ways(&p, "h", 443, b"SSH-2.0-OpenSSH_9\r\n\r\n").1,
        Err(TunnelError::MalformedHttpReply(_))
    ));
    assert!(matches!(
        both_ways(&p, "h", 443, b"\x05\x00\r\n\r\n").1,
        Err(TunnelError::MalformedHttpReply(_))
    ));
    // Headers that never end: bounded.
    let endless = [&b"HTTP/1.1 200 OK\r\n"[..], &b"X: y\r\n".repeat(4000)].concat();
    assert_eq!(
        both_ways(&p, "h", 443, &endless).1,
        Err(TunnelError::ReplyTooLarge {
            limit: MAX_HTTP_REPLY
        })
    );
    // Exactly at the bound is fine.
    let mut at_limit = b"HTTP/1.1 200 OK\r\nX: ".to_vec();
    at_limit.resize(MAX_HTTP_REPLY - 4, b'a');
    at_limit.extend(b"\r\n\r\n");
    assert_eq!(both_ways(&p, "h", 443, &at_limit).1, Ok(MAX_HTTP_REPLY));
    // Truncated, then closed.
    assert_eq!(
        both_ways(&p, "h", 443, b"HTTP/1.1 200 OK\r\n").1,
        Err(TunnelError::ClosedEarly)
    );
}

/// A SOCKS5 success reply bound to 10.0.0.1:1080, then TLS bytes.
fn socks_ok_v4() -> Vec<u8> {
    [&[5, 0, 0, 1, 10, 0, 0, 1, 0x04, 0x38][..], TLS].concat()
}

#[test]
fn socks5_connect_by_name_and_address() {
    let p = proxy("socks5h://p");
    let stream = [&[5, 0][..], &socks_ok_v4()].concat();
    let (written, used) = both_ways(&p, "ab.example", 443, &stream);
    let mut expect = vec![5, 1, 0, 5, 1, 0, 3, 10];
    expect.extend(b"ab.example");
    expect.extend([1, 187]);
    assert_eq!(written, expect);
    assert_eq!(used, Ok(stream.len() - TLS.len()));
    let (written, _) = both_ways(&p, "192.0.2.7", 80, &stream);
    assert_eq!(written, [5, 1, 0, 5, 1, 0, 1, 192, 0, 2, 7, 0, 80]);
    for v6 in ["2001:db8::1", "[2001:db8::1]"] {
        let (written, _) = both_ways(&p, v6, 443, &stream);
        let mut expect = vec![5, 1, 0, 5, 1, 0, 4, 0x20, 0x01, 0x0d, 0xb8];
        expect.extend([0; 11]);
        expect.extend([1, 1, 187]);
        assert_eq!(written, expect, "{v6}");
    }
}

#[test]
fn socks5_reply_address_types() {
    let p = proxy("socks5://p");
    let mut domain = vec![5, 0, 5, 0, 0, 3, 7];
    domain.extend(b"bnd.net");
    domain.extend([0, 1]);
    let mut v6 = vec![5, 0, 5, 0, 0, 4];
    v6.extend([0xfe; 16]);
    v6.extend([0, 1]);
    let empty_domain = vec![5, 0, 5, 0, 0, 3, 0, 0, 1];
    for reply in [domain, v6, empty_domain] {
        let stream = [&reply[..], TLS].concat();
        assert_eq!(
            both_ways(&p, "1.2.3.4", 443, &stream).1,
            Ok(reply.len()),
            "{reply:?}"
        );
    }
    assert_eq!(
        both_ways(&p, "h", 443, &[5, 0, 5, 0, 0, 9, 1, 2, 3]).1,
        Err(TunnelError::BadAddressType(9))
    );
}

#[test]
fn socks5_username_password() {
    let p = proxy("socks5://alice:s%3Acret@p");
    let stream = [&[5, 2, 1, 0][..], &socks_ok_v4()].concat();
    let (written, used) = both_ways(&p, "1.2.3.4", 443, &stream);
    let mut expect = vec![5, 2, 0, 2, 1, 5];
    expect.extend(b"alice");
    expect.push(6);
    expect.extend(b"s:cret");
    expect.extend([5, 1, 0, 1, 1, 2, 3, 4, 1, 187]);
    assert_eq!(written, expect);
    assert_eq!(used, Ok(stream.len() - TLS.len()));
    // Some servers answer the sub-negotiation with version 5.
    let stream = [&[5, 2, 5, 0][..], &socks_ok_v4()].concat();
    assert_eq!(
        both_ways(&p, "h", 443, &stream).1,
        Ok(stream.len() - TLS.len())
    );
    // The server may skip authentication although we offer it.
    let stream = [&[5, 0][..], &socks_ok_v4()].concat();
    let (written, used) = both_ways(&p, "1.2.3.4", 443, &stream);
    assert_eq!(written, [5, 2, 0, 2, 5, 1, 0, 1, 1, 2, 3, 4, 1, 187]);
    assert_eq!(used, Ok(stream.len() - TLS.len()));
    assert_eq!(
        both_ways(&p, "h", 1, &[5, 2, 1, 1]).1,
        Err(TunnelError::AuthFailed { status: 1 })
    );
    assert_eq!(
        both_ways(&p, "h", 1, &[5, 2, 7, 0]).1,
        Err(TunnelError::WrongVersion {
            expected: 1,
            got: 7
        })
    );
}

#[test]
fn socks5_every_reply_code_is_named() {
    use Socks5ReplyCode::*;
    let p = proxy("socks5h://p");
    let codes = [
        (1, GeneralFailure, "general SOCKS server failure"),
        (2, NotAllowed, "connection not allowed by ruleset"),
        (3, NetworkUnreachable, "network unreachable"),
        (4, HostUnreachable, "host unreachable"),
        (5, ConnectionRefused, "connection refused"),
        (6, TtlExpired, "TTL expired"),
        (7, CommandNotSupported, "command not supported"),
        (8, AddressTypeNotSupported, "address type not supported"),
        (9, Other(9), "unassigned reply code 0x09"),
        (0xff, Other(0xff), "unassigned reply code 0xff"),
    ];
    for (byte, code, text) in codes {
        let stream = [5, 0, 5, byte, 0, 1, 0, 0, 0, 0, 0, 0];
        let err = both_ways(&p, "h", 443, &stream).1.unwrap_err();
        assert_eq!(err, TunnelError::Socks5Refused(code));
        assert_eq!(
            err.to_string(),
            format!("the SOCKS5 proxy refused the tunnel: {text}")
        );
        // Reported as soon as the code arrives.
        let mut t = Tunnel::new(&p, "h", 443).unwrap();
        assert_eq!(t.handle_data(&[5, 0, 5]), Ok(TunnelState::NeedMore));
        assert_eq!(
            t.handle_data(&[byte]),
            Err(TunnelError::Socks5Refused(code))
        );
    }
    assert_eq!(Socks5ReplyCode::from_byte(0), None);
}

#[test]
fn socks5_hostile_replies() {
    let p = proxy("socks5://p");
    let wrong =
        |got| -> Result<usize, TunnelError> { Err(TunnelError::WrongVersion { expected: 5, got }) };
    let wrong_v9 = TunnelError::WrongVersion {
        expected: 5,
        got: 9,
    };
    assert_eq!(both_ways(&p, "h", 1, &[4, 0]).1, wrong(4));
    assert_eq!(
        both_ways(&p, "h", 1, b"HTTP/1.1 400 Bad Request\r\n\r\n").1,
        wrong(b'H')
    );
    assert_eq!(both_ways(&p, "h", 1, &[5, 0, 4, 0, 0, 1]).1, wrong(4));
    assert_eq!(
        both_ways(&p, "h", 1, &[5, 0xff]).1,
        Err(TunnelError::NoAcceptableAuthMethod)
    );
    // Username/password chosen though not offered, GSSAPI, junk.
    for m in [2, 1, 0x80] {
        assert_eq!(
            both_ways(&p, "h", 1, &[5, m]).1,
            Err(TunnelError::UnexpectedAuthMethod(m))
        );
    }
    // Truncated anywhere, then closed.
    let full = [&[5, 0][..], &socks_ok_v4()[..10]].concat();
    for cut in 0..full.len() {
        assert_eq!(
            both_ways(&p, "h", 1, &full[..cut]).1,
            Err(TunnelError::ClosedEarly),
            "{cut}"
        );
    }
    // Errors stick; a closed tunnel stays closed; nothing more is written.
    let mut t = Tunnel::new(&p, "h", 1).unwrap();
    let _ = t.poll_transmit();
    assert!(t.handle_data(&[9]).is_err());
    assert_eq!(t.handle_data(&[5, 0]), Err(wrong_v9.clone()));
    assert_eq!(t.handle_closed(), Err(wrong_v9));
    assert_eq!(t.poll_transmit(), None);
    // After the tunnel is open, everything is the tunnel's.
    let mut t = Tunnel::new(&p, "h", 1).unwrap();
    let stream = [&[5, 0][..], &socks_ok_v4()].concat();
    assert!(matches!(
        t.handle_data(&stream),
        Ok(TunnelState::Established { .. })
    ));
    assert!(t.is_established());
    assert_eq!(
        t.handle_data(&[5, 0]),
        Ok(TunnelState::Established { consumed: 0 })
    );
    assert_eq!(t.handle_closed(), Ok(()));
}

#[test]
fn bad_targets_and_credentials_are_refused_up_front() {
    let socks = proxy("socks5h://p");
    let http = Proxy::http("p", 1);
    let long = "a".repeat(256);
    assert_eq!(
        Tunnel::new(&socks, &long, 1).err(),
        Some(TunnelError::TargetNameTooLong { len: 256 })
    );
    assert!(Tunnel::new(&socks, &"a".repeat(255), 1).is_ok());
    assert!(Tunnel::new(&http, &long, 1).is_ok());
    for bad in [
        "",
        "a b",
        "h\r\nX: y",
        "h:1",
        "[h]",
        "[::1",
        "a/b",
        "user@h",
    ] {
        for p in [&socks, &http] {
            assert_eq!(
                Tunnel::new(p, bad, 1).err(),
                Some(TunnelError::InvalidTarget(bad.into())),
                "{bad:?}"
            );
        }
    }
    let mut too_long = proxy("socks5://u:p@h");
    too_long.auth.as_mut().unwrap().password = "x".repeat(256);
    assert_eq!(
        Tunnel::new(&too_long, "t", 1).err(),
        Some(TunnelError::Credentials(ProxyUrlError::CredentialsTooLong))
    );
    let mut colon = proxy("http://u:p@h");
    colon.auth.as_mut().unwrap().username = "a:b".into();
    assert_eq!(
        Tunnel::new(&colon, "t", 1).err(),
        Some(TunnelError::Credentials(ProxyUrlError::ColonInUsername))
    );
}

/// Valid handshakes: the proxy, the target and the proxy's whole stream.
fn valid_cases() -> Vec<(Proxy, &'static str, Vec<u8>)> {
    let mut domain_reply = vec![5, 0, 0, 3, 3];
    domain_reply.extend(b"bnd\x00\x01");
    vec![
        (
            Proxy::http("p", 1),
            "h",
            [&b"HTTP/1.1 200 OK\r\nA: b\r\n\r\n"[..], TLS].concat(),
        ),
        (
            proxy("socks5://p"),
            "1.2.3.4",
            [&[5, 0][..], &socks_ok_v4()].concat(),
        ),
        (
            proxy("socks5h://u:p@p"),
            "h",
            [&[5, 2, 1, 0][..], &domain_reply, TLS].concat(),
        ),
        (
            proxy("socks5h://p"),
            "h",
            [&b"\x05\x00"[..], &[5, 0, 0, 1, 0, 0, 0, 0, 0, 0]].concat(),
        ),
    ]
}

/// Feeds `stream` cut at `cuts` (sorted, deduplicated below).
fn run_cuts(
    tunnel: &mut Tunnel,
    stream: &[u8],
    cuts: &[usize],
) -> (Vec<u8>, Result<usize, TunnelError>) {
    let mut cuts: Vec<usize> = cuts.iter().map(|c| c % (stream.len() + 1)).collect();
    cuts.push(stream.len());
    cuts.sort_unstable();
    let mut written = Vec::new();
    let mut used = 0;
    let mut from = 0;
    for cut in cuts {
        while let Some(b) = tunnel.poll_transmit() {
            written.extend(b);
        }
        let piece = &stream[from..cut];
        from = cut;
        match tunnel.handle_data(piece) {
            Ok(TunnelState::NeedMore) => used += piece.len(),
            Ok(TunnelState::Established { consumed }) => {
                while let Some(b) = tunnel.poll_transmit() {
                    written.extend(b);
                }
                return (written, Ok(used + consumed));
            }
            Err(e) => return (written, Err(e)),
        }
    }
    (written, tunnel.handle_closed().map(|()| used))
}

proptest! {
    #[test]
    fn any_split_gives_the_same_result(case in 0..4usize, cuts in prop::collection::vec(0..300usize, 0..8)) {
        let (p, host, stream) = &valid_cases()[case];
        let whole = run(&mut Tunnel::new(p, host, 443).unwrap(), stream, stream.len());
        prop_assert!(whole.1.is_ok());
        let split = run_cuts(&mut Tunnel::new(p, host, 443).unwrap(), stream, &cuts);
        prop_assert_eq!(whole, split);
    }

    #[test]
    fn arbitrary_bytes_never_panic(
        kind in 0..3usize,
        prefix in 0..3usize,
        bytes in prop::collection::vec(any::<u8>(), 0..400),
        cuts in prop::collection::vec(0..400usize, 0..6),
    ) {
        let p = [proxy("http://u:p@p"), proxy("socks5://p"), proxy("socks5h://u:p@p")][kind].clone();
        // Start some streams like a real reply so the later phases are reached.
        let start: &[u8] = [&b""[..], b"\x05\x00\x05", b"\x05\x02\x01\x00\x05\x00\x00"][prefix];
        let stream = [start, &bytes].concat();
        let whole = run(&mut Tunnel::new(&p, "h", 443).unwrap(), &stream, stream.len().max(1));
        let split = run_cuts(&mut Tunnel::new(&p, "h", 443).unwrap(), &stream, &cuts);
        prop_assert_eq!(&whole.1, &split.1);
        if whole.1.is_ok() {
            prop_assert_eq!(&whole.0, &split.0);
        }
        if let Ok(used) = whole.1 {
            prop_assert!(used <= stream.len());
        }
    }
}
