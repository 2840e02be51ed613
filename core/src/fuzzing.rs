//! Fuzzing hooks: the logic of every fuzz target over this crate, compiled
//! with it so the targets in `fuzz/` stay one-line shims and the same
//! checks run on stable in `cargo test` over the committed corpus. Each
//! hook panics only when an invariant breaks.

use crate::api::{ApiRequest, Cookies};
use crate::channel::{decode_chunk, ChunkParser};
use crate::client::{Client, Config, ConnId, Input, Output};
use hangups_proto::hangouts::GetSelfInfoRequest;
use std::time::{Duration, Instant};

/// The chunk parser under arbitrary splits: the first byte picks a read
/// size, the rest is the stream. Splitting must not change the result,
/// and the buffer never holds more than was fed.
pub fn chunk_parser(data: &[u8]) {
    let Some((&choice, stream)) = data.split_first() else {
        return;
    };
    let whole = run_chunks(stream, stream.len().max(1));
    let read = usize::from(choice % 17) + 1;
    let split = run_chunks(stream, read);
    assert_eq!(whole, split, "chunking depends on read size");
    assert_eq!(
        run_chunks_in_place(stream, read),
        split,
        "framing in place differs from framing a copy"
    );
}

/// [`run_chunks`] with each read framed where it sits
/// ([`ChunkParser::chunks`]).
fn run_chunks_in_place(stream: &[u8], read: usize) -> (Vec<String>, Option<String>) {
    let mut p = ChunkParser::with_max_chunk(1 << 16);
    let mut chunks = Vec::new();
    for piece in stream.chunks(read) {
        let mut framed = p.chunks(piece);
        loop {
            match framed.next_chunk() {
                Ok(Some(c)) => chunks.push(c.to_owned()),
                Ok(None) => break,
                Err(e) => return (chunks, Some(format!("{e:?}"))),
            }
        }
    }
    (chunks, None)
}

fn run_chunks(stream: &[u8], read: usize) -> (Vec<String>, Option<String>) {
    let mut p = ChunkParser::with_max_chunk(1 << 16);
    let mut chunks = Vec::new();
    let mut fed = 0;
    for piece in stream.chunks(read) {
        p.feed(piece);
        fed += piece.len();
        assert!(p.buffered_bytes() <= fed, "buffer larger than input");
        loop {
            match p.next_chunk() {
                Ok(Some(c)) => chunks.push(c),
                Ok(None) => break,
                Err(e) => return (chunks, Some(format!("{e:?}"))),
            }
        }
    }
    (chunks, None)
}

/// The push-array decoder on arbitrary text: never panics, and gives what
/// the fast path that unescapes `"cbu"` payloads before decoding them and
/// the slow path (serde_json) give.
pub fn push_arrays(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let decoded = decode_chunk(text);
    let [unnested, slow] = crate::channel::decode_chunk_other_ways(text);
    assert_eq!(decoded, unnested, "decoding in place differs: {text}");
    assert_eq!(
        decoded, slow,
        "the fast path differs from the slow one: {text}"
    );
}

/// The HTTP response parser under arbitrary splits (see
/// [`crate::http::fuzz_response_parser`]).
pub fn http_response(data: &[u8]) {
    crate::http::fuzz_response_parser(data);
}

/// Arbitrary sequences of connection events, time and commands against a
/// `Client`. `start` is the adapter's clock reading (the core reads none).
/// Checks: no panic, a bounded number of open connections and queued
/// outputs, only known connections in outputs, and no output or timer
/// after `Closed`.
pub fn client_ops(start: Instant, data: &[u8]) {
    let cookies = Cookies::from_iter([("SAPISID", "fuzz")]);
    let seed = data
        .iter()
        .take(8)
        .fold(0u64, |a, &b| a << 8 | u64::from(b));
    let config = Config::new(cookies)
        .with_server("127.0.0.1", 1, false)
        .with_rng_seed(seed);
    let Ok(mut client) = Client::new(config, start, 1_700_000_000) else {
        return;
    };
    let mut now = start;
    let mut open: Vec<ConnId> = Vec::new();
    let mut connected: Vec<ConnId> = Vec::new();
    let mut i = 0;
    let script: [&[u8]; 5] = [
        b"HTTP/1.1 200 OK\r\nContent-Length: 46\r\n\r\n43\n[[0,[\"c\",\"S\",\"\",8]\n]\n,[1,[{\"gsid\":\"G\"}]]\n]\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
        b"14\r\n17\n[[6,[\"noop\"]\n]\n]\n\r\n",
        b"0\r\n\r\n",
        b"HTTP/1.1 400 Unknown SID\r\nContent-Length: 0\r\n\r\n",
    ];
    while i < data.len() {
        let op = data[i];
        i += 1;
        let pick = |v: &[ConnId], b: Option<&u8>| -> Option<ConnId> {
            (!v.is_empty()).then(|| v[usize::from(*b.unwrap_or(&0)) % v.len()])
        };
        match op % 9 {
            0 => client.connect(now),
            1 => {
                if let Some(c) = open.iter().find(|c| !connected.contains(c)).copied() {
                    connected.push(c);
                    client.handle_input(now, Input::Connected(c));
                }
            }
            2 => {
                let len = usize::from(*data.get(i).unwrap_or(&0)) % 64;
                let start_at = (i + 1).min(data.len());
                let bytes = &data[start_at..(start_at + len).min(data.len())];
                if let Some(c) = pick(&connected, data.get(i)) {
                    client.handle_input(now, Input::Data(c, bytes));
                }
                i = start_at + bytes.len();
            }
            3 => {
                if let Some(c) = pick(&open, data.get(i)) {
                    client.handle_input(now, Input::Closed(c));
                    open.retain(|x| *x != c);
                    connected.retain(|x| *x != c);
                }
                i += 1;
            }
            4 => {
                now += Duration::from_millis(u64::from(*data.get(i).unwrap_or(&0)) * 500);
                i += 1;
                client.handle_timeout(now);
            }
            5 => {
                let _ = client.request(now, ApiRequest::from(GetSelfInfoRequest::default()));
            }
            6 => {
                let which = usize::from(*data.get(i).unwrap_or(&0));
                i += 1;
                if let Some(c) = pick(&connected, Some(&(which as u8 / 5))) {
                    client.handle_input(now, Input::Data(c, script[which % script.len()]));
                }
            }
            7 => client.set_active(now),
            _ => {
                if data.get(i).is_some_and(|b| b % 8 == 0) {
                    client.disconnect(now);
                }
                i += 1;
            }
        }
        let mut outputs = 0;
        while let Some(out) = client.poll_output() {
            outputs += 1;
            assert!(outputs < 1000, "unbounded output");
            match out {
                Output::Connect { conn, .. } => open.push(conn),
                Output::Transmit { conn, .. } => assert!(
                    connected.contains(&conn),
                    "transmit on a closed or unopened connection"
                ),
                Output::StartTls { conn, .. } => assert!(
                    connected.contains(&conn),
                    "StartTls on a closed or unopened connection"
                ),
                Output::Close { conn } => {
                    open.retain(|c| *c != conn);
                    connected.retain(|c| *c != conn);
                }
            }
        }
        while client.poll_event().is_some() {}
        assert!(open.len() < 200, "connections pile up: {}", open.len());
        if client.is_closed() {
            assert!(client.poll_timeout().is_none(), "a timer after close");
        }
    }
}

/// The sign-in parsers on arbitrary bytes (the first byte picks one):
/// the token endpoint's JSON, OAuthLogin's body, `Set-Cookie` headers into
/// a jar (and cookie dates), and a stored cookie file. Checks: no panic; a
/// parsed cookie has a name; the jar only answers for its own host; a
/// stored cookie file survives encode → decode.
pub fn auth_responses(data: &[u8]) {
    use crate::auth::{self, steps, CookieJar, SetCookie};
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let status = [200, 400, 401, 500][usize::from(choice >> 4) % 4];
    match choice % 4 {
        0 => {
            let _ = steps::parse_token_response(status, "Reason", rest);
        }
        1 => {
            let _ = steps::parse_oauth_login_response(status, "Reason", rest);
        }
        2 => {
            let mut jar = CookieJar::new();
            for line in text.lines() {
                if let Some(cookie) = SetCookie::parse(line) {
                    assert!(!cookie.name.is_empty(), "a cookie without a name");
                }
                let _ = auth::parse_cookie_date(line);
                jar.store("accounts.google.com", line, 1_700_000_000);
            }
            let _ = jar.header_for("accounts.google.com", true);
            assert!(
                jar.header_for("example.org", true).is_none(),
                "cookies for another site"
            );
            let _ = jar.session_cookies(".google.com");
        }
        _ => {
            let cookies = auth::decode_cookies(&text);
            let again = auth::decode_cookies(&auth::encode_cookies(&cookies));
            assert_eq!(
                auth::encode_cookies(&again),
                auth::encode_cookies(&cookies),
                "a stored cookie file changes when stored again"
            );
        }
    }
}

/// The Google Chat parsers on arbitrary bytes (the first byte picks one):
/// the error envelope (with a `Retry-After` value), a `Message`, a list
/// page, and the resource names. Checks: no panic; a decoded envelope keeps
/// the HTTP status it was given; a parsed name prints back as it was read.
pub fn chat_responses(data: &[u8]) {
    use crate::chat::{self, GoogleError};
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let status = [400, 403, 404, 429, 500, 503][usize::from(choice >> 4) % 6];
    match choice % 4 {
        0 => {
            let (header, body) = rest.split_at(rest.len().min(4));
            let retry_after = std::str::from_utf8(header).ok();
            let error = GoogleError::from_response(status, retry_after, body);
            assert_eq!(error.http_status, status, "the envelope changed the status");
        }
        1 => {
            if let Ok(message) = serde_json::from_slice::<chat::Message>(rest) {
                // What was read can be written again.
                let _ = serde_json::to_vec(&message).expect("a decoded message encodes");
            }
        }
        2 => {
            let _ = serde_json::from_slice::<chat::ListMessagesResponse>(rest);
        }
        _ => {
            let text = String::from_utf8_lossy(rest);
            if let Ok(name) = chat::MessageName::parse(&text) {
                assert_eq!(name.to_string(), text, "a message name is kept as read");
            }
            if let Ok(name) = chat::SpaceName::parse(&text) {
                assert_eq!(name.to_string(), text, "a space name is kept as read");
            }
            let _ = chat::ClientMessageId::parse(&text);
        }
    }
}

/// The proxy handshakes on arbitrary replies: the first byte picks HTTP
/// CONNECT, SOCKS5, or SOCKS5 with credentials; the rest is the proxy's
/// answer, fed in pieces whose sizes come from the data. Checks: no panic;
/// a tunnel never says more bytes were the handshake's than it was given.
pub fn proxy_tunnel(data: &[u8]) {
    use crate::proxy::{Proxy, Tunnel, TunnelState};
    let Some((&choice, rest)) = data.split_first() else {
        return;
    };
    let url =
        ["http://p:3128", "socks5h://p:1080", "socks5://u:pw@p:1080"][usize::from(choice % 3)];
    let Ok(proxy) = Proxy::from_url(url) else {
        return;
    };
    let Ok(mut tunnel) = Tunnel::new(&proxy, "chat.googleapis.com", 443) else {
        return;
    };
    let step = usize::from(choice >> 2).max(1);
    for piece in rest.chunks(step) {
        while tunnel.poll_transmit().is_some() {}
        match tunnel.handle_data(piece) {
            Ok(TunnelState::Established { consumed }) => {
                assert!(consumed <= piece.len(), "consumed more than it was given");
            }
            Ok(_) => {}
            Err(_) => return,
        }
    }
}
