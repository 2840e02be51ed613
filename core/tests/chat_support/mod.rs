//! A scripted fake Chat server and a virtual clock around a `ChatClient`:
//! no sockets, no sleeping.

#![allow(dead_code)]

use hangups_core::chat::{ChatAuth, ChatClient, ChatConfig, ChatEvent};
use hangups_core::client::{ConnId, Input, Output};
use hangups_core::machine::Machine;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

#[derive(Debug, Default)]
pub struct Conn {
    pub host: String,
    pub port: u16,
    pub connected: bool,
    pub closed: bool,
    pub received: Vec<u8>,
    /// Bytes of `received` already parsed into requests.
    pub taken: usize,
}

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
    /// The value of query parameter `name` (still percent-encoded).
    pub fn param(&self, name: &str) -> Option<&str> {
        let q = self.target.split_once('?')?.1;
        q.split('&')
            .filter_map(|p| p.split_once('='))
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v)
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
}

pub struct Sim<M: Machine<Event = ChatEvent> = ChatClient> {
    pub chat: M,
    pub start: Instant,
    pub now: Instant,
    pub conns: BTreeMap<ConnId, Conn>,
    pub events: Vec<ChatEvent>,
    pub connects: usize,
}

pub fn config() -> ChatConfig {
    ChatConfig::new(ChatAuth::Bearer("tok".into()))
        .with_url("http://127.0.0.1:8080")
        .unwrap()
        .with_rng_seed(7)
}

impl Sim<ChatClient> {
    pub fn new(config: ChatConfig) -> Self {
        let start = Instant::now();
        let chat = ChatClient::new(config, start).expect("config");
        Sim {
            chat,
            start,
            now: start,
            conns: BTreeMap::new(),
            events: Vec::new(),
            connects: 0,
        }
    }
}

impl Sim<ChatClient> {
    /// A client whose wall clock reads `unix_secs` at the start.
    pub fn with_wall_clock(config: ChatConfig, unix_secs: u64) -> Self {
        let start = Instant::now();
        let chat = ChatClient::with_wall_clock(config, start, unix_secs).expect("config");
        Sim {
            chat,
            start,
            now: start,
            conns: BTreeMap::new(),
            events: Vec::new(),
            connects: 0,
        }
    }
}

impl<M: Machine<Event = ChatEvent>> Sim<M> {
    /// Drains outputs and events, connecting every new connection.
    pub fn pump(&mut self) {
        loop {
            let mut progressed = false;
            while let Some(out) = self.chat.poll_output() {
                progressed = true;
                match out {
                    Output::Connect {
                        conn, host, port, ..
                    } => {
                        self.connects += 1;
                        self.conns.insert(
                            conn,
                            Conn {
                                host,
                                port,
                                ..Conn::default()
                            },
                        );
                    }
                    Output::Transmit { conn, bytes } => {
                        let c = self.conns.get_mut(&conn).expect("transmit on a known conn");
                        assert!(!c.closed, "transmit on a closed conn");
                        c.received.extend_from_slice(&bytes);
                    }
                    Output::StartTls { .. } => panic!("no proxy, no StartTls"),
                    Output::Close { conn } => {
                        if let Some(c) = self.conns.get_mut(&conn) {
                            c.closed = true;
                        }
                    }
                }
            }
            let fresh: Vec<ConnId> = self
                .conns
                .iter()
                .filter(|(_, c)| !c.connected && !c.closed)
                .map(|(id, _)| *id)
                .collect();
            for id in fresh {
                progressed = true;
                self.conns.get_mut(&id).unwrap().connected = true;
                self.chat.handle_input(self.now, Input::Connected(id));
            }
            while let Some(ev) = self.chat.poll_event() {
                self.events.push(ev);
            }
            if !progressed {
                break;
            }
        }
    }

    /// The next complete request on an open connection: (conn, request).
    pub fn next_request(&mut self) -> Option<(ConnId, Req)> {
        self.pump();
        for (id, c) in self.conns.iter_mut() {
            if c.closed {
                continue;
            }
            if let Some((req, used)) = parse(&c.received[c.taken..]) {
                c.taken += used;
                return Some((*id, req));
            }
        }
        None
    }

    pub fn expect_request(&mut self) -> (ConnId, Req) {
        self.next_request().expect("a request")
    }

    /// Answers on `conn` with a keep-alive response.
    pub fn respond(&mut self, conn: ConnId, status: u16, headers: &[(&str, &str)], body: &str) {
        let mut r = format!("HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n");
        for (n, v) in headers {
            r.push_str(&format!("{n}: {v}\r\n"));
        }
        r.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
        self.chat
            .handle_input(self.now, Input::Data(conn, r.as_bytes()));
        self.pump();
    }

    /// The connection is cut by the peer.
    pub fn cut(&mut self, conn: ConnId) {
        self.conns.get_mut(&conn).unwrap().closed = true;
        self.chat.handle_input(self.now, Input::Closed(conn));
        self.pump();
    }

    /// Moves the virtual clock by `d` and fires the timers.
    pub fn advance(&mut self, d: Duration) {
        self.now += d;
        self.chat.handle_timeout(self.now);
        self.pump();
    }

    /// Moves the clock to the client's next timer; how far it moved.
    pub fn advance_to_timer(&mut self) -> Option<Duration> {
        let at = self.chat.poll_timeout()?;
        let d = at.saturating_duration_since(self.now);
        self.now = self.now.max(at);
        self.chat.handle_timeout(self.now);
        self.pump();
        Some(d)
    }

    pub fn take_events(&mut self) -> Vec<ChatEvent> {
        self.pump();
        std::mem::take(&mut self.events)
    }
}

/// One request from `buf`, and how many bytes it used.
fn parse(buf: &[u8]) -> Option<(Req, usize)> {
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&buf[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let target = first.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map_or(0, |(_, v)| v.parse().unwrap());
    let start = end + 4;
    if buf.len() < start + len {
        return None;
    }
    Some((
        Req {
            method,
            target,
            headers,
            body: buf[start..start + len].to_vec(),
        },
        start + len,
    ))
}
