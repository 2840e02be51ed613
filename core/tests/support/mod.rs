//! A scripted fake server and a virtual clock around a `Client`: no
//! sockets, no sleeping. Tests open connections, read what the client
//! wrote, answer with chosen bytes split as they like, and move time.

#![allow(dead_code)]

use hangups_core::api::Cookies;
use hangups_core::client::{Client, Config, ConnId, Event, Input, Output};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// One connection as the fake server sees it.
#[derive(Debug, Default)]
pub struct Conn {
    pub host: String,
    pub port: u16,
    pub tls: bool,
    /// Each `Output::StartTls`: the server name, and how many bytes the
    /// client had written on the connection before it.
    pub start_tls: Vec<(String, usize)>,
    pub connected: bool,
    pub closed_by_client: bool,
    pub received: Vec<u8>,
}

/// A request the client sent, parsed.
#[derive(Debug, Clone)]
pub struct Req {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Req {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }
    pub fn query(&self) -> &str {
        self.target.split_once('?').map(|(_, q)| q).unwrap_or("")
    }
}

pub struct Sim {
    pub client: Client,
    pub start: Instant,
    pub now: Instant,
    pub conns: BTreeMap<ConnId, Conn>,
    pub pending: Vec<ConnId>,
    pub events: Vec<Event>,
    /// `Event::KeepAlive`s seen.
    pub keepalives: u64,
}

pub const UNIX_SECS: u64 = 1_234_567_890;

pub fn cookies() -> Cookies {
    Cookies::from_iter([("SAPISID", "abc"), ("SID", "sid-cookie"), ("HSID", "h")])
}

/// One connection per request (the scripts below count connections);
/// `client_reuse.rs` tests keeping them.
pub fn config() -> Config {
    let mut c = Config::new(cookies())
        .with_server("127.0.0.1", 8080, false)
        .with_rng_seed(7);
    c.reuse_connections = false;
    c
}

impl Sim {
    pub fn new(config: Config) -> Sim {
        let start = Instant::now();
        let client = Client::new(config, start, UNIX_SECS).expect("config");
        let mut sim = Sim {
            client,
            start,
            now: start,
            conns: BTreeMap::new(),
            pending: Vec::new(),
            events: Vec::new(),
            keepalives: 0,
        };
        sim.drain();
        sim
    }

    /// Drains outputs and events, applying outputs to the fake network.
    pub fn drain(&mut self) {
        while let Some(out) = self.client.poll_output() {
            match out {
                Output::Connect {
                    conn,
                    host,
                    port,
                    tls,
                } => {
                    self.conns.insert(
                        conn,
                        Conn {
                            host,
                            port,
                            tls,
                            ..Default::default()
                        },
                    );
                    self.pending.push(conn);
                }
                Output::Transmit { conn, bytes } => {
                    let c = self.conns.get_mut(&conn).expect("transmit on unknown conn");
                    assert!(c.connected, "transmit before connected");
                    assert!(!c.closed_by_client, "transmit after close");
                    c.received.extend_from_slice(&bytes);
                }
                Output::StartTls { conn, server_name } => {
                    let c = self.conns.get_mut(&conn).expect("StartTls on unknown conn");
                    assert!(c.connected, "StartTls before connected");
                    assert!(!c.closed_by_client, "StartTls after close");
                    assert!(!c.tls, "StartTls on a TLS connection");
                    c.start_tls.push((server_name, c.received.len()));
                }
                Output::Close { conn } => {
                    if let Some(c) = self.conns.get_mut(&conn) {
                        c.closed_by_client = true;
                    }
                    self.pending.retain(|p| *p != conn);
                }
            }
        }
        while let Some(ev) = self.client.poll_event() {
            // Keep-alives are counted, not listed: the scripts check the
            // other events exactly.
            match ev {
                Event::KeepAlive => self.keepalives += 1,
                ev => self.events.push(ev),
            }
        }
    }

    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    /// Accepts the oldest pending connection; returns it.
    pub fn accept(&mut self) -> ConnId {
        assert!(
            !self.pending.is_empty(),
            "no pending connection; events: {:?}",
            self.events
        );
        let conn = self.pending.remove(0);
        self.conns.get_mut(&conn).unwrap().connected = true;
        self.client.handle_input(self.now, Input::Connected(conn));
        self.drain();
        conn
    }

    /// Refuses the oldest pending connection.
    pub fn refuse(&mut self) -> ConnId {
        let conn = self.pending.remove(0);
        self.client.handle_input(self.now, Input::Closed(conn));
        self.drain();
        conn
    }

    /// The request the client wrote on `conn`.
    pub fn request(&self, conn: ConnId) -> Req {
        parse_request(&self.conns[&conn].received)
    }

    /// Accepts the next connection and returns its request.
    pub fn next_request(&mut self) -> (ConnId, Req) {
        let conn = self.accept();
        let req = self.request(conn);
        (conn, req)
    }

    pub fn send(&mut self, conn: ConnId, bytes: &[u8]) {
        self.client.handle_input(self.now, Input::Data(conn, bytes));
        self.drain();
    }

    /// Sends `bytes` in pieces of `size`.
    pub fn send_split(&mut self, conn: ConnId, bytes: &[u8], size: usize) {
        for piece in bytes.chunks(size.max(1)) {
            self.send(conn, piece);
        }
    }

    pub fn close(&mut self, conn: ConnId) {
        self.client.handle_input(self.now, Input::Closed(conn));
        self.drain();
    }

    pub fn advance(&mut self, d: Duration) {
        self.now += d;
        self.client.handle_timeout(self.now);
        self.drain();
    }

    /// Jumps to the client's next deadline and fires it.
    pub fn advance_to_timeout(&mut self) -> Duration {
        let at = self.client.poll_timeout().expect("a timer");
        let d = at.saturating_duration_since(self.now);
        self.now = self.now.max(at);
        self.client.handle_timeout(self.now);
        self.drain();
        d
    }

    /// Takes what the client wrote on `conn` so far.
    pub fn take_received(&mut self, conn: ConnId) -> Vec<u8> {
        std::mem::take(&mut self.conns.get_mut(&conn).unwrap().received)
    }

    pub fn is_closed_by_client(&self, conn: ConnId) -> bool {
        self.conns[&conn].closed_by_client
    }
}

pub fn parse_request(bytes: &[u8]) -> Req {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut r = httparse::Request::new(&mut headers);
    let n = match r.parse(bytes).expect("valid request") {
        httparse::Status::Complete(n) => n,
        httparse::Status::Partial => {
            panic!("partial request: {:?}", String::from_utf8_lossy(bytes))
        }
    };
    let headers: Vec<(String, String)> = r
        .headers
        .iter()
        .map(|h| {
            (
                h.name.to_string(),
                String::from_utf8_lossy(h.value).into_owned(),
            )
        })
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| v.parse().unwrap())
        .unwrap_or(0);
    Req {
        method: r.method.unwrap().to_string(),
        target: r.path.unwrap().to_string(),
        headers,
        body: bytes[n..n + len].to_vec(),
    }
}

/// `<len in UTF-16 units>\n<payload>`.
pub fn frame(payload: &str) -> String {
    format!("{}\n{}", payload.encode_utf16().count(), payload)
}

/// A complete response with a Content-Length body.
pub fn response(status: u16, reason: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

/// The head of a streamed (chunked) 200 response.
pub fn stream_head() -> Vec<u8> {
    b"HTTP/1.1 200 OK\r\nContent-Type: application/javascript; charset=UTF-8\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec()
}

/// One HTTP chunk carrying `data`.
pub fn http_chunk(data: &[u8]) -> Vec<u8> {
    let mut out = format!("{:x}\r\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
    out
}

pub const HTTP_END: &[u8] = b"0\r\n\r\n";

/// The SID response body of PROTOCOL.md §1.2.
pub fn sid_body(sid: &str, gsid: &str) -> String {
    frame(&format!(
        "[[0,[\"c\",\"{sid}\",\"\",8]\n]\n,[1,[{{\"gsid\":\"{gsid}\"}}]]\n]\n"
    ))
}

pub fn noop_chunk(id: u32) -> String {
    frame(&format!("[[{id},[\"noop\"]\n]\n]\n"))
}

pub fn client_id_chunk(id: u32, client_id: &str) -> String {
    let wrapper = format!(
        r#"{{"1":{{"1":{{"1":{{"1":1,"2":1}}}},"4":"1521086182842","5":"S1"}},"3":{{"1":{{"1":1}},"2":"{client_id}"}}}}"#
    );
    let p = serde_json::to_string(&wrapper).unwrap();
    frame(&format!("[[{id},[{{\"p\":{p}}}]\n]\n]\n"))
}

/// A chunk carrying a "cbu" BatchUpdate given as pblite text.
pub fn cbu_chunk(id: u32, pblite: &str) -> String {
    let inner = serde_json::to_string(pblite).unwrap();
    let wrapper = format!(
        r#"{{"1":{{"1":{{"1":{{"1":1,"2":1}}}},"4":"1521002546965","5":"S4"}},"2":{{"1":{{"1":"babel","2":"conserver.google.com"}},"2":{inner}}}}}"#
    );
    let p = serde_json::to_string(&wrapper).unwrap();
    frame(&format!("[[{id},[{{\"p\":{p}}}]\n]\n]\n"))
}

/// A BatchUpdate with one chat message event at `ts` (µs).
pub fn event_pblite(event_id: &str, ts: u64, text: &str) -> String {
    let text = serde_json::to_string(text).unwrap();
    format!(
        r#"["cbu",[[[2,null,"trace",null,{ts}],null,[[["conv1"],["u1","u1"],{ts},null,null,null,[null,null,[[[0,{text}]]]],null,null,null,null,"{event_id}",null,null,1,null,null,null,null,null,null,null,1]]]]]"#
    )
}
