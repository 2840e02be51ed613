//! A sans-IO fake of the Hangouts servers for the property tests: the
//! channel (SID, long-poll, subscription), SyncAllNewEvents, and faults a
//! hostile server or a bad network produces, all driven by a virtual clock
//! around a real `Client` and a real `LiveList`. No sockets, no sleeping.
//!
//! The world keeps every message it injected and every `NewEvent` the
//! model reported, raw (duplicates included), so a test can check that
//! each message arrived exactly once.

#![allow(dead_code)]

use base64::Engine;
use hangups_core::api::Cookies;
use hangups_core::backoff::BackoffConfig;
use hangups_core::client::{Client, Config, ConnId, Event, Input, Output, RequestId};
use hangups_core::proto::hangouts::*;
use hangups_core::state::{
    ConversationList, LiveList, Notification, RequestToken, Update, UserList,
};
use std::collections::{BTreeMap, VecDeque};
use std::time::{Duration, Instant};

/// One step of a schedule.
#[derive(Debug, Clone)]
pub enum Action {
    /// A new chat message in the conversation.
    Inject,
    /// Time passes (ms), the server sending noops every 20 s.
    Advance(u32),
    /// The server ends the long-poll normally, keeping the connection;
    /// with `push`, a new message's chunk and the end go in one write.
    EndPoll { push: bool },
    /// The long-poll body is cut mid-chunk and the SID forgotten.
    CutPoll,
    /// The server drops the n-th open connection.
    DropConn(u8),
    /// The server forgets the SID (and drops an open long-poll).
    ExpireSid,
    /// The next request on a kept connection: closed unanswered.
    CloseKeptOnNext,
    /// The next long-poll gets no response at all.
    HangNextPoll,
    /// The next chat API call: 0 → 500, 1 → an oversized 200, 2 → closed
    /// unanswered after it arrived.
    FailNextApi(u8),
    /// Server writes split in pieces of n bytes (0: whole writes).
    Split(u8),
    /// The long-poll goes silent (no noops, no pushes) for n seconds.
    Stall(u8),
    /// The next connection attempt is refused.
    RefuseNextConnect,
    /// The next long-poll answers `400 Unknown SID` with keep-alive, and
    /// the server closes that connection when the next request arrives.
    UnknownSidThenClose,
}

/// Names of the faults, for the fired counters.
pub const FAULTS: &[&str] = &[
    "end_poll",
    "end_poll_with_push",
    "cut_poll",
    "drop_conn",
    "expire_sid",
    "close_kept",
    "hang_poll",
    "api_500",
    "api_oversized",
    "api_closed",
    "split",
    "stall",
    "refuse",
    "unknown_sid_then_close",
];

const CONV: &str = "conv1";
const NOOP_EVERY: Duration = Duration::from_secs(20);
const MAX_BODY: usize = 64 * 1024;
const BIND: &str = "/client-channel/channel/bind";

#[derive(Debug, Default)]
struct SConn {
    buf: Vec<u8>,
    served: u32,
    poll: bool,
    hung: bool,
    /// Close when the next request arrives.
    close_on_next: bool,
    /// The start of a long-poll response held back by a stall.
    held_start: Option<Vec<u8>>,
}

#[derive(Debug)]
struct Session {
    sid: String,
    subscribed: bool,
    client_id_sent: bool,
    queue: VecDeque<String>,
    poll: Option<ConnId>,
}

/// The world: server, network, client and model.
pub struct World {
    pub client: Client,
    pub live: LiveList,
    pub now: Instant,
    start: Instant,
    conns: BTreeMap<ConnId, SConn>,
    session: Option<Session>,
    next_sid: u32,
    array_id: u32,
    /// Every message injected: (event id, timestamp µs).
    pub injected: Vec<(String, u64)>,
    /// Every NewEvent the model reported, raw.
    pub delivered: Vec<String>,
    tokens: BTreeMap<RequestId, RequestToken>,
    split: usize,
    stall_until: Option<Instant>,
    next_noop: Instant,
    close_kept: bool,
    hang_poll: bool,
    fail_api: Option<u8>,
    refuse: bool,
    unknown_sid_close: bool,
    /// How often each fault took effect.
    pub fired: BTreeMap<&'static str, u32>,
    /// Broken channel promises seen (`Client::check_invariants`).
    pub violations: Vec<String>,
    /// A log of what happened, for a failing case's report.
    pub log: Vec<String>,
    /// Disconnected / Reconnected events seen.
    pub reconnects: u32,
}

fn cookies() -> Cookies {
    Cookies::from_iter([("SAPISID", "abc"), ("SID", "sid-cookie"), ("HSID", "h")])
}

pub fn config() -> Config {
    let mut c = Config::new(cookies())
        .with_server("127.0.0.1", 8080, false)
        .with_rng_seed(11);
    c.backoff = BackoffConfig {
        initial: Duration::from_secs(1),
        max: Duration::from_secs(20),
        jitter: 0.3,
        max_retries: None,
    };
    c.max_response_body = MAX_BODY;
    c
}

fn pid(g: &str) -> ParticipantId {
    ParticipantId {
        gaia_id: Some(g.into()),
        chat_id: Some(g.into()),
    }
}

fn conv_id() -> Option<ConversationId> {
    Some(ConversationId {
        id: Some(CONV.into()),
    })
}

fn conversation() -> Conversation {
    Conversation {
        conversation_id: conv_id(),
        r#type: Some(ConversationType::CONVERSATION_TYPE_GROUP),
        participant_data: ["self", "bob"]
            .iter()
            .map(|g| ConversationParticipantData {
                id: Some(pid(g)),
                fallback_name: Some((*g).into()),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

fn proto_event(id: &str, ts: u64) -> hangups_core::proto::hangouts::Event {
    hangups_core::proto::hangouts::Event {
        conversation_id: conv_id(),
        sender_id: Some(pid("bob")),
        timestamp: Some(ts),
        event_id: Some(id.into()),
        chat_message: Some(ChatMessage {
            message_content: Some(MessageContent {
                segment: vec![Segment {
                    text: Some(format!("text of {id}")),
                    ..Default::default()
                }],
                ..Default::default()
            }),
            ..Default::default()
        }),
        event_type: Some(EventType::EVENT_TYPE_REGULAR_CHAT_MESSAGE),
        ..Default::default()
    }
}

fn frame(payload: &str) -> String {
    format!("{}\n{}", payload.encode_utf16().count(), payload)
}

fn http_chunk(data: &[u8]) -> Vec<u8> {
    let mut out = format!("{:x}\r\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
    out
}

fn response(status: u16, reason: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}

fn cbu_chunk(array_id: u32, event_id: &str, ts: u64) -> String {
    let pblite = format!(
        r#"["cbu",[[[2,null,"trace",null,{ts}],null,[[["{CONV}"],["bob","bob"],{ts},null,null,null,[null,null,[[[0,"text of {event_id}"]]]],null,null,null,null,"{event_id}",null,null,1,null,null,null,null,null,null,null,1]]]]]"#
    );
    let inner = serde_json::to_string(&pblite).unwrap();
    let wrapper = format!(r#"{{"2":{{"1":{{"1":"babel"}},"2":{inner}}}}}"#);
    let p = serde_json::to_string(&wrapper).unwrap();
    frame(&format!("[[{array_id},[{{\"p\":{p}}}]\n]\n]\n"))
}

fn noop_chunk(array_id: u32) -> String {
    frame(&format!("[[{array_id},[\"noop\"]\n]\n]\n"))
}

fn client_id_chunk(array_id: u32) -> String {
    let wrapper = r#"{"3":{"1":{"1":1},"2":"client-1"}}"#;
    let p = serde_json::to_string(wrapper).unwrap();
    frame(&format!("[[{array_id},[{{\"p\":{p}}}]\n]\n]\n"))
}

struct Req {
    method: String,
    target: String,
    body: Vec<u8>,
}

/// A complete request at the front of `buf`, removed from it.
fn take_request(buf: &mut Vec<u8>) -> Option<Req> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut r = httparse::Request::new(&mut headers);
    let n = match r.parse(buf).expect("the client writes valid requests") {
        httparse::Status::Complete(n) => n,
        httparse::Status::Partial => return None,
    };
    let len: usize = r
        .headers
        .iter()
        .find(|h| h.name.eq_ignore_ascii_case("content-length"))
        .map(|h| std::str::from_utf8(h.value).unwrap().parse().unwrap())
        .unwrap_or(0);
    if buf.len() < n + len {
        return None;
    }
    let req = Req {
        method: r.method.unwrap().to_string(),
        target: r.path.unwrap().to_string(),
        body: buf[n..n + len].to_vec(),
    };
    buf.drain(..n + len);
    Some(req)
}

fn query<'a>(target: &'a str, key: &str) -> Option<&'a str> {
    let q = target.split_once('?')?.1;
    q.split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

impl World {
    pub fn new() -> World {
        let start = Instant::now();
        let client = Client::new(config(), start, 1_700_000_000).expect("config");
        let users = UserList::new(
            &Entity {
                id: Some(pid("self")),
                ..Default::default()
            },
            &[],
            &[],
        );
        let state = ConversationState {
            conversation_id: conv_id(),
            conversation: Some(conversation()),
            ..Default::default()
        };
        let live = LiveList::new(ConversationList::new(&[state], users, 1));
        let mut world = World {
            client,
            live,
            now: start,
            start,
            conns: BTreeMap::new(),
            session: None,
            next_sid: 0,
            array_id: 2,
            injected: Vec::new(),
            delivered: Vec::new(),
            tokens: BTreeMap::new(),
            split: 0,
            stall_until: None,
            next_noop: start + NOOP_EVERY,
            close_kept: false,
            hang_poll: false,
            fail_api: None,
            refuse: false,
            unknown_sid_close: false,
            fired: BTreeMap::new(),
            violations: Vec::new(),
            log: Vec::new(),
            reconnects: 0,
        };
        world.client.connect(start);
        world.pump();
        world
    }

    fn fire(&mut self, fault: &'static str) {
        *self.fired.entry(fault).or_default() += 1;
        self.log.push(format!("fault {fault}"));
    }

    fn ts(&self) -> u64 {
        // Strictly increasing server time (µs), after the list's start.
        1_000_000
            + self.now.duration_since(self.start).as_micros() as u64
            + self.injected.len() as u64
    }

    fn next_array(&mut self) -> u32 {
        self.array_id += 1;
        self.array_id
    }

    /// Runs one action, then lets everything settle.
    pub fn act(&mut self, action: &Action) {
        self.log.push(format!("{action:?}"));
        match *action {
            Action::Inject => {
                if let Some(chunk) = self.inject() {
                    self.push(chunk);
                }
            }
            Action::Advance(ms) => self.advance(Duration::from_millis(ms as u64)),
            Action::EndPoll { push } => self.end_poll(push),
            Action::CutPoll => {
                if let Some(conn) = self.session.as_ref().and_then(|s| s.poll) {
                    self.fire("cut_poll");
                    let chunk = noop_chunk(self.next_array());
                    let mut bytes = http_chunk(chunk.as_bytes());
                    bytes.truncate(bytes.len() / 2);
                    self.write(conn, &bytes);
                    self.session = None;
                    self.server_close(conn);
                }
            }
            Action::DropConn(n) => {
                let open: Vec<ConnId> = self.conns.keys().copied().collect();
                if !open.is_empty() {
                    self.fire("drop_conn");
                    let conn = open[n as usize % open.len()];
                    self.server_close(conn);
                }
            }
            Action::ExpireSid => {
                if let Some(s) = self.session.take() {
                    self.fire("expire_sid");
                    if let Some(conn) = s.poll {
                        self.server_close(conn);
                    }
                }
            }
            Action::CloseKeptOnNext => self.close_kept = true,
            Action::HangNextPoll => self.hang_poll = true,
            Action::FailNextApi(k) => self.fail_api = Some(k % 3),
            Action::Split(n) => {
                self.split = n as usize % 6;
                if self.split > 0 {
                    self.fire("split");
                }
            }
            Action::Stall(s) => {
                self.fire("stall");
                self.stall_until = Some(self.now + Duration::from_secs(s as u64 % 120));
            }
            Action::RefuseNextConnect => self.refuse = true,
            Action::UnknownSidThenClose => self.unknown_sid_close = true,
        }
        self.pump();
    }

    /// Turns every fault off and lets the world run quietly for `d`.
    pub fn settle(&mut self, d: Duration) {
        self.log.push(format!("settle {d:?}"));
        self.close_kept = false;
        self.hang_poll = false;
        self.fail_api = None;
        self.refuse = false;
        self.unknown_sid_close = false;
        self.stall_until = None;
        self.advance(d);
    }

    /// A new message; the chunk to push if the session is subscribed.
    fn inject(&mut self) -> Option<String> {
        let id = format!("ev{}", self.injected.len());
        let ts = self.ts();
        self.injected.push((id.clone(), ts));
        let subscribed = self.session.as_ref().is_some_and(|s| s.subscribed);
        subscribed.then(|| {
            let array = self.next_array();
            cbu_chunk(array, &id, ts)
        })
    }

    fn stalled(&self) -> bool {
        self.stall_until.is_some_and(|t| self.now < t)
    }

    /// Sends `chunk` on the long-poll, or queues it for the next one.
    fn push(&mut self, chunk: String) {
        let stalled = self.stalled();
        let Some(s) = self.session.as_mut() else {
            return;
        };
        match s.poll {
            Some(conn) if !stalled => {
                // In order: what waited goes first.
                s.queue.push_back(chunk);
                let _ = conn;
                self.flush_queue();
            }
            _ => s.queue.push_back(chunk),
        }
    }

    fn flush_queue(&mut self) {
        if self.stalled() {
            return;
        }
        let Some(s) = self.session.as_mut() else {
            return;
        };
        let Some(conn) = s.poll else {
            return;
        };
        let chunks: Vec<String> = s.queue.drain(..).collect();
        for chunk in chunks {
            self.write(conn, &http_chunk(chunk.as_bytes()));
        }
    }

    fn end_poll(&mut self, push: bool) {
        let Some(conn) = self.session.as_ref().and_then(|s| s.poll) else {
            return;
        };
        if self.stalled() {
            return;
        }
        self.flush_queue();
        let mut bytes = Vec::new();
        if push {
            if let Some(chunk) = self.inject() {
                self.fire("end_poll_with_push");
                bytes.extend_from_slice(&http_chunk(chunk.as_bytes()));
            }
        } else {
            self.fire("end_poll");
        }
        bytes.extend_from_slice(b"0\r\n\r\n");
        if let Some(s) = self.session.as_mut() {
            s.poll = None;
        }
        if let Some(c) = self.conns.get_mut(&conn) {
            c.poll = false;
            c.served += 1;
        }
        self.write(conn, &bytes);
    }

    fn advance(&mut self, d: Duration) {
        let until = self.now + d;
        loop {
            let mut next = until.min(self.next_noop);
            if let Some(t) = self.client.poll_timeout() {
                next = next.min(t.max(self.now));
            }
            self.now = next;
            self.client.handle_timeout(self.now);
            self.pump();
            if self.now >= self.next_noop {
                self.next_noop = self.now + NOOP_EVERY;
                if !self.stalled() {
                    if let Some(conn) = self.session.as_ref().and_then(|s| s.poll) {
                        self.flush_queue();
                        let chunk = noop_chunk(self.next_array());
                        self.write(conn, &http_chunk(chunk.as_bytes()));
                        self.pump();
                    }
                }
            }
            if self.now >= until {
                return;
            }
        }
    }

    /// Server bytes to the client, split as configured.
    fn write(&mut self, conn: ConnId, bytes: &[u8]) {
        let Some(c) = self.conns.get_mut(&conn) else {
            return;
        };
        if let Some(start) = c.held_start.take() {
            let mut all = start;
            all.extend_from_slice(bytes);
            return self.write(conn, &all);
        }
        let size = if self.split == 0 {
            bytes.len().max(1)
        } else {
            self.split
        };
        for piece in bytes.chunks(size) {
            if !self.conns.contains_key(&conn) {
                return;
            }
            self.client.handle_input(self.now, Input::Data(conn, piece));
            self.pump();
        }
    }

    fn server_close(&mut self, conn: ConnId) {
        if self.conns.remove(&conn).is_none() {
            return;
        }
        if let Some(s) = self.session.as_mut() {
            if s.poll == Some(conn) {
                s.poll = None;
            }
        }
        self.client.handle_input(self.now, Input::Closed(conn));
        self.pump();
    }

    /// Everything the client and the model want done, until quiet.
    pub fn pump(&mut self) {
        loop {
            let mut busy = false;
            while let Some(out) = self.client.poll_output() {
                busy = true;
                self.on_output(out);
            }
            while let Some(ev) = self.client.poll_event() {
                busy = true;
                self.on_client_event(ev);
            }
            while let Some((token, req)) = self.live.poll_request() {
                busy = true;
                match self.client.request(self.now, req) {
                    Ok(id) => {
                        self.tokens.insert(id, token);
                    }
                    Err(e) => self.violations.push(format!("request refused: {e}")),
                }
            }
            while let Some(update) = self.live.poll_update() {
                busy = true;
                match update {
                    Update::Notification(Notification::NewEvent(ev)) => {
                        self.delivered.push(ev.id().to_string())
                    }
                    Update::CatchUpFailed(e) => self.log.push(format!("catch-up failed: {e}")),
                    _ => {}
                }
            }
            if let Err(e) = self.client.check_invariants() {
                if self.violations.len() < 10 {
                    self.violations.push(e);
                }
            }
            if !busy {
                return;
            }
        }
    }

    fn on_client_event(&mut self, ev: Event) {
        if std::env::var_os("FAKE_TRACE").is_some() {
            self.log.push(format!(
                "{:?} event {ev:?}",
                self.now.duration_since(self.start)
            ));
        }
        match &ev {
            Event::Response { id, .. } => {
                if let Some(token) = self.tokens.remove(id) {
                    let Event::Response { result, .. } = ev else {
                        unreachable!()
                    };
                    let result = result
                        .map(|r| *r)
                        .map_err(hangups_core::state::LiveError::from);
                    self.live.handle_response(token, result);
                }
                return;
            }
            Event::Disconnected { error, .. } => {
                self.reconnects += 1;
                self.log.push(format!("client: disconnected ({error})"));
            }
            Event::Reconnected { .. } => self.log.push("client: reconnected".into()),
            Event::Closed { error } => self.violations.push(format!("client closed: {error:?}")),
            _ => {}
        }
        self.live.handle_event(ev);
    }

    fn on_output(&mut self, out: Output) {
        if std::env::var_os("FAKE_TRACE").is_some() {
            let what = match &out {
                Output::Transmit { conn, bytes } => format!(
                    "transmit {conn:?} {:?}",
                    String::from_utf8_lossy(&bytes[..bytes.len().min(90)])
                ),
                other => format!("{other:?}"),
            };
            self.log
                .push(format!("{:?} {what}", self.now.duration_since(self.start)));
        }
        match out {
            Output::Connect { conn, .. } => {
                if self.refuse {
                    self.refuse = false;
                    self.fire("refuse");
                    self.client.handle_input(self.now, Input::Closed(conn));
                    return;
                }
                self.conns.insert(conn, SConn::default());
                self.client.handle_input(self.now, Input::Connected(conn));
            }
            Output::Transmit { conn, bytes } => {
                let Some(c) = self.conns.get_mut(&conn) else {
                    return;
                };
                c.buf.extend_from_slice(&bytes);
                self.serve(conn);
            }
            Output::Close { conn } => {
                self.conns.remove(&conn);
                if let Some(s) = self.session.as_mut() {
                    if s.poll == Some(conn) {
                        s.poll = None;
                    }
                }
            }
            // No proxy here: the client never asks for TLS in a tunnel.
            Output::StartTls { .. } => panic!("StartTls without a proxy"),
        }
    }

    fn serve(&mut self, conn: ConnId) {
        loop {
            let Some(c) = self.conns.get_mut(&conn) else {
                return;
            };
            if c.poll || c.hung {
                return;
            }
            let Some(req) = take_request(&mut c.buf) else {
                return;
            };
            let kept = c.served > 0;
            if c.close_on_next {
                self.fire("unknown_sid_then_close");
                self.server_close(conn);
                return;
            }
            if kept && self.close_kept {
                self.close_kept = false;
                self.fire("close_kept");
                self.server_close(conn);
                return;
            }
            if let Some(c) = self.conns.get_mut(&conn) {
                c.served += 1;
            }
            self.answer(conn, req);
        }
    }

    fn answer(&mut self, conn: ConnId, req: Req) {
        let path = req.target.split('?').next().unwrap_or("").to_string();
        if path == BIND {
            let sid = query(&req.target, "SID").map(str::to_string);
            match (req.method.as_str(), sid) {
                ("POST", None) => {
                    self.next_sid += 1;
                    let sid = format!("sid{}", self.next_sid);
                    let body = frame(&format!(
                        "[[0,[\"c\",\"{sid}\",\"\",8]\n]\n,[1,[{{\"gsid\":\"g{sid}\"}}]]\n]\n"
                    ));
                    self.session = Some(Session {
                        sid,
                        subscribed: false,
                        client_id_sent: false,
                        queue: VecDeque::new(),
                        poll: None,
                    });
                    self.write(conn, &response(200, "OK", body.as_bytes()));
                }
                ("POST", Some(sid)) => {
                    if let Some(s) = self.session.as_mut().filter(|s| s.sid == sid) {
                        s.subscribed = true;
                        self.write(conn, &response(200, "OK", b"[]"));
                    } else {
                        self.write(conn, &response(400, "Unknown SID", b"Unknown SID"));
                    }
                }
                (_, Some(sid)) => self.long_poll(conn, &sid),
                (_, None) => self.write(conn, &response(400, "Bad Request", b"")),
            }
        } else if let Some(endpoint) = path.strip_prefix("/chat/v1/") {
            if let Some(kind) = self.fail_api.take() {
                match kind {
                    0 => {
                        self.fire("api_500");
                        self.write(conn, &response(500, "Internal Server Error", b""));
                    }
                    1 => {
                        self.fire("api_oversized");
                        let big = vec![b'A'; MAX_BODY + 1];
                        self.write(conn, &response(200, "OK", &big));
                    }
                    _ => {
                        self.fire("api_closed");
                        self.server_close(conn);
                    }
                }
                return;
            }
            let body = self.api(endpoint, &req.body);
            let text = base64::engine::general_purpose::STANDARD.encode(body);
            self.write(conn, &response(200, "OK", text.as_bytes()));
        } else {
            self.write(conn, &response(404, "Not Found", b""));
        }
    }

    fn long_poll(&mut self, conn: ConnId, sid: &str) {
        if self.hang_poll {
            self.hang_poll = false;
            self.fire("hang_poll");
            if let Some(c) = self.conns.get_mut(&conn) {
                c.hung = true;
            }
            return;
        }
        if self.unknown_sid_close {
            self.unknown_sid_close = false;
            self.session = None;
            if let Some(c) = self.conns.get_mut(&conn) {
                c.close_on_next = true;
            }
        }
        let known = self.session.as_ref().is_some_and(|s| s.sid == sid);
        if !known {
            self.write(conn, &response(400, "Unknown SID", b"Unknown SID"));
            return;
        }
        let mut bytes = b"HTTP/1.1 200 OK\r\nContent-Type: application/javascript\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
        let noop = noop_chunk(self.next_array());
        bytes.extend_from_slice(&http_chunk(noop.as_bytes()));
        let send_id = !self.session.as_ref().unwrap().client_id_sent;
        if send_id {
            let chunk = client_id_chunk(self.next_array());
            bytes.extend_from_slice(&http_chunk(chunk.as_bytes()));
        }
        if let Some(s) = self.session.as_mut() {
            s.client_id_sent = true;
            s.poll = Some(conn);
        }
        if let Some(c) = self.conns.get_mut(&conn) {
            c.poll = true;
        }
        if self.stalled() {
            // Silent from the start: not even the head, until the stall ends.
            if let Some(c) = self.conns.get_mut(&conn) {
                c.held_start = Some(bytes);
            }
            return;
        }
        self.write(conn, &bytes);
        self.flush_queue();
    }

    fn api(&mut self, endpoint: &str, body: &[u8]) -> Vec<u8> {
        let ok = Some(ResponseHeader {
            status: Some(ResponseStatus::RESPONSE_STATUS_OK),
            ..Default::default()
        });
        if endpoint.starts_with("conversations/syncallnewevents") {
            let req: SyncAllNewEventsRequest =
                hangups_core::proto::decode_binary(body).expect("a valid request");
            let from = req.last_sync_timestamp.unwrap_or(0);
            let events: Vec<_> = self
                .injected
                .iter()
                .filter(|(_, ts)| *ts > from)
                .map(|(id, ts)| proto_event(id, *ts))
                .collect();
            let resp = SyncAllNewEventsResponse {
                response_header: ok,
                sync_timestamp: Some(self.ts()),
                conversation_state: vec![ConversationState {
                    conversation_id: conv_id(),
                    conversation: Some(conversation()),
                    event: events,
                    ..Default::default()
                }],
            };
            return hangups_core::proto::encode_binary(&resp);
        }
        hangups_core::proto::encode_binary(&SetActiveClientResponse {
            response_header: ok,
        })
    }

    /// Injected messages that never arrived, and those that arrived more
    /// than once (looking at every arrival, not a deduplicated copy).
    pub fn lost_and_duplicated(&self) -> (Vec<String>, Vec<String>) {
        let mut count: BTreeMap<&str, u32> = BTreeMap::new();
        for id in &self.delivered {
            *count.entry(id.as_str()).or_default() += 1;
        }
        let lost = self
            .injected
            .iter()
            .filter(|(id, _)| !count.contains_key(id.as_str()))
            .map(|(id, _)| id.clone())
            .collect();
        let dups = count
            .iter()
            .filter(|(_, n)| **n > 1)
            .map(|(id, _)| id.to_string())
            .collect();
        (lost, dups)
    }
}
