//! A tiny raw client for the emulator tests: blocking std sockets with
//! read timeouts (optionally TLS via rustls), requests written with
//! hangups-core's `Request::encode`, responses read with its
//! `ResponseParser`, long-poll bodies cut with its `ChunkParser`.

#![allow(dead_code)]

use hangups_core::api::{
    apply_auth, ApiError, ApiRequest, ApiResponse, AuthHeaders, Cookies, Origin, OriginAllowList,
    API_KEY,
};
use hangups_core::channel::{decode_chunk, ChunkParser, PushArray, PushData};
use hangups_core::http::{
    form_urlencode, Method, Request, ResponseEvent, ResponseHead, ResponseParser,
};
use hangups_proto::hangouts::StateUpdate;
use hangups_tests::emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub const GRACE: &str = "100000000000000000002";
pub const ALAN: &str = "100000000000000000003";
pub const ONE_TO_ONE: &str = "UgwEmulatorOneToOne4AaABAQ";
pub const GROUP: &str = "UgwEmulatorGroupChat4AaABAQ";

/// How long any single wait on a socket may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(10);

pub const SUBSCRIBE_BODY: &[(&str, &str)] = &[
    ("count", "2"),
    ("ofs", "0"),
    ("req0_p", r#"{"3": {"1": {"1": "babel"}}}"#),
    (
        "req1_p",
        r#"{"3": {"1": {"1": "babel_presence_last_seen"}}}"#,
    ),
];

pub fn start() -> EmulatorHandle {
    start_with(EmulatorConfig::default())
}

pub fn start_with(config: EmulatorConfig) -> EmulatorHandle {
    Emulator::start(config).expect("emulator starts")
}

pub trait Io: Read + Write + Send {}
impl<T: Read + Write + Send> Io for T {}

/// A complete response.
#[derive(Debug)]
pub struct Resp {
    pub head: ResponseHead,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
}

/// A client of one user (its cookies, the SAPISIDHASH of `unix_secs`).
#[derive(Clone)]
pub struct Raw {
    pub addr: SocketAddr,
    pub auth: Option<AuthHeaders>,
    pub tls: Option<Arc<rustls::ClientConfig>>,
}

impl Raw {
    pub fn new(emu: &EmulatorHandle, user: &str) -> Raw {
        let cookies: Cookies = emu.cookies(user).into_iter().collect();
        assert!(!cookies.is_empty(), "no cookies for {user}");
        Raw {
            addr: emu.addr(),
            auth: Some(AuthHeaders::new(&cookies, 1_700_000_000).unwrap()),
            tls: None,
        }
    }

    pub fn me(emu: &EmulatorHandle) -> Raw {
        Raw::new(emu, &emu.self_user_id())
    }

    /// No credentials at all.
    pub fn anonymous(emu: &EmulatorHandle) -> Raw {
        Raw {
            addr: emu.addr(),
            auth: None,
            tls: None,
        }
    }

    pub fn request(&self, method: Method, path: &str) -> Request {
        let mut req = Request::new(
            method,
            "127.0.0.1",
            self.addr.port(),
            self.tls.is_some(),
            path,
        );
        if let Some(auth) = &self.auth {
            let allow = OriginAllowList::only(Origin::of(&req));
            apply_auth(&mut req, auth, &allow);
        }
        req
    }

    /// A new connection, and a handle on its socket (for timeouts).
    pub fn connect(&self) -> (Box<dyn Io>, TcpStream) {
        let tcp = TcpStream::connect(self.addr).expect("connect");
        tcp.set_read_timeout(Some(WAIT)).unwrap();
        tcp.set_nodelay(true).unwrap();
        let ctl = tcp.try_clone().unwrap();
        let io: Box<dyn Io> = match &self.tls {
            None => Box::new(tcp),
            Some(config) => {
                let name = rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap();
                let conn = rustls::ClientConnection::new(Arc::clone(config), name).unwrap();
                Box::new(rustls::StreamOwned::new(conn, tcp))
            }
        };
        (io, ctl)
    }

    /// Sends `req` on a new connection and reads one complete response.
    pub fn send(&self, req: &Request) -> Resp {
        let (mut io, _ctl) = self.connect();
        io.write_all(&req.encode()).unwrap();
        read_response(&mut *io)
    }

    // ---- the channel ----

    pub fn bind_post(&self, extra: &[(&str, &str)], body: &[u8]) -> Request {
        let mut r = self
            .request(Method::Post, "/client-channel/channel/bind")
            .with_query("VER", "8")
            .with_query("RID", "81188")
            .with_query("ctype", "hangouts");
        for (n, v) in extra {
            r = r.with_query(n, v);
        }
        r.with_header("content-type", "application/x-www-form-urlencoded")
            .with_body(body.to_vec())
    }

    /// Opens a session: (SID, gsessionid).
    pub fn sid(&self) -> (String, String) {
        let resp = self.send(&self.bind_post(&[], b"count=0&ofs=0"));
        assert_eq!(resp.head.status, 200, "{}", resp.text());
        let mut p = ChunkParser::new();
        p.feed(&resp.body);
        let chunk = p.next_chunk().unwrap().expect("a chunk");
        let v: serde_json::Value = serde_json::from_str(&chunk).unwrap();
        (
            v[0][1][1].as_str().unwrap().to_string(),
            v[1][1][0]["gsid"].as_str().unwrap().to_string(),
        )
    }

    pub fn subscribe(&self, sid: &str, gsid: &str) -> Resp {
        let body = form_urlencode(SUBSCRIBE_BODY);
        self.send(&self.bind_post(&[("gsessionid", gsid), ("SID", sid)], body.as_bytes()))
    }

    pub fn long_poll_request(&self, sid: &str, gsid: &str) -> Request {
        self.request(Method::Get, "/client-channel/channel/bind")
            .with_query("VER", "8")
            .with_query("gsessionid", gsid)
            .with_query("RID", "rpc")
            .with_query("t", "1")
            .with_query("SID", sid)
            .with_query("CI", "0")
            .with_query("ctype", "hangouts")
            .with_query("TYPE", "xmlhttp")
    }

    pub fn long_poll(&self, sid: &str, gsid: &str) -> LongPoll {
        let (mut io, ctl) = self.connect();
        io.write_all(&self.long_poll_request(sid, gsid).encode())
            .unwrap();
        LongPoll::new(io, ctl)
    }

    /// A subscribed session with its long-poll open, past the noop and
    /// the client id.
    pub fn connected(&self) -> Connected {
        let (sid, gsid) = self.sid();
        let mut poll = self.long_poll(&sid, &gsid);
        assert_eq!(poll.next_push().data, PushData::Noop);
        let client_id = match poll.next_push().data {
            PushData::ClientId(id) => id,
            other => panic!("expected a client id, got {other:?}"),
        };
        let ack = self.subscribe(&sid, &gsid);
        assert_eq!(ack.head.status, 200);
        Connected {
            sid,
            gsid,
            client_id,
            poll,
        }
    }

    // ---- the chat API ----

    pub fn api_request(&self, call: &ApiRequest) -> Request {
        self.request(Method::Post, &format!("/chat/v1/{}", call.endpoint()))
            .with_query("alt", "proto")
            .with_query("key", API_KEY)
            .with_header("content-type", "application/x-protobuf")
            .with_header("X-Goog-Encode-Response-If-Executable", "base64")
            .with_body(call.encode_body())
    }

    /// One API call: HTTP 200 expected, then decoded and status-checked.
    pub fn call(&self, call: impl Into<ApiRequest>) -> Result<ApiResponse, ApiError> {
        let mut call = call.into();
        call.set_request_header(hangups_core::api::request_header("hangups-rs-test", None));
        let resp = self.send(&self.api_request(&call));
        assert_eq!(
            resp.head.status,
            200,
            "{}: {}",
            call.endpoint(),
            resp.text()
        );
        call.decode_response(&resp.body)
    }

    /// [`Raw::call`] with the typed response, which must be OK.
    pub fn ok<C: hangups_core::api::ApiCall>(&self, call: C) -> C::Response {
        let resp = self
            .call(call)
            .unwrap_or_else(|e| panic!("{}: {e}", C::ENDPOINT));
        C::response_from(resp).expect("the endpoint's response")
    }

    // ---- the control API ----

    pub fn control(&self, method: Method, what: &str, body: serde_json::Value) -> Resp {
        let mut req = Request::new(
            method,
            "127.0.0.1",
            self.addr.port(),
            self.tls.is_some(),
            &format!("/_emulator/{what}"),
        );
        if method == Method::Post {
            req = req
                .with_header("content-type", "application/json")
                .with_body(body.to_string().into_bytes());
        }
        self.send(&req)
    }
}

/// A session with its long-poll open.
pub struct Connected {
    pub sid: String,
    pub gsid: String,
    pub client_id: String,
    pub poll: LongPoll,
}

impl Connected {
    /// The next StateUpdate on the long-poll (noops skipped).
    pub fn next_update(&mut self) -> StateUpdate {
        self.poll.next_update()
    }
}

/// Reads one response from `io`.
pub fn read_response(io: &mut dyn Io) -> Resp {
    let mut parser = ResponseParser::default();
    let (mut head, mut body, mut done) = (None, Vec::new(), false);
    let mut buf = [0u8; 16384];
    let deadline = Instant::now() + WAIT;
    while !done {
        assert!(Instant::now() < deadline, "response timed out");
        let n = match io.read(&mut buf) {
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => 0,
            Err(e) => panic!("read: {e}"),
        };
        let mut sink = |ev: ResponseEvent<'_>| match ev {
            ResponseEvent::Head(h) => head = Some(h),
            ResponseEvent::Data(d) => body.extend_from_slice(d),
            ResponseEvent::End { .. } => done = true,
        };
        if n == 0 {
            parser.close(&mut sink).expect("complete response");
            break;
        }
        parser.feed(&buf[..n], &mut sink).expect("valid response");
    }
    Resp {
        head: head.expect("a head"),
        body,
    }
}

/// What reading a long-poll produced.
#[derive(Debug, PartialEq)]
pub enum PollRead {
    /// A complete length-framed chunk.
    Chunk(String),
    /// The body ended normally.
    End,
    /// The connection closed before the body ended.
    Cut,
    /// No bytes for the given time.
    Silent,
    /// The chunk framing is broken (junk where a length belongs).
    BadFraming,
}

/// A long-poll response being read.
pub struct LongPoll {
    io: Box<dyn Io>,
    ctl: TcpStream,
    parser: ResponseParser,
    pub head: Option<ResponseHead>,
    chunks: ChunkParser,
    /// Body bytes (raw, before chunk parsing) seen so far.
    pub body: Vec<u8>,
    ended: bool,
    /// How many reads returned data.
    pub reads: usize,
}

impl LongPoll {
    pub fn new(io: Box<dyn Io>, ctl: TcpStream) -> Self {
        LongPoll {
            io,
            ctl,
            parser: ResponseParser::default(),
            head: None,
            chunks: ChunkParser::new(),
            body: Vec::new(),
            ended: false,
            reads: 0,
        }
    }

    /// Reads until a chunk is complete, the body ends, or `timeout` passes
    /// without bytes.
    pub fn read(&mut self, timeout: Duration) -> PollRead {
        let mut buf = [0u8; 16384];
        loop {
            match self.chunks.next_chunk() {
                Ok(Some(c)) => return PollRead::Chunk(c),
                Ok(None) => {}
                Err(_) => return PollRead::BadFraming,
            }
            if self.ended {
                return PollRead::End;
            }
            self.ctl.set_read_timeout(Some(timeout)).unwrap();
            let n = match self.io.read(&mut buf) {
                Ok(n) => n,
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    return PollRead::Silent;
                }
                Err(_) => 0,
            };
            let Self {
                parser,
                head,
                chunks,
                body,
                ended,
                ..
            } = self;
            let mut sink = |ev: ResponseEvent<'_>| match ev {
                ResponseEvent::Head(h) => *head = Some(h),
                ResponseEvent::Data(d) => {
                    body.extend_from_slice(d);
                    chunks.feed(d);
                }
                ResponseEvent::End { .. } => *ended = true,
            };
            if n == 0 {
                return match parser.close(&mut sink) {
                    Ok(()) if *ended => PollRead::End,
                    _ => PollRead::Cut,
                };
            }
            self.reads += 1;
            parser.feed(&buf[..n], &mut sink).expect("valid HTTP");
        }
    }

    /// The next chunk, which must come within [`WAIT`].
    pub fn next_chunk(&mut self) -> String {
        match self.read(WAIT) {
            PollRead::Chunk(c) => c,
            other => panic!("expected a chunk, got {other:?}; head {:?}", self.head),
        }
    }

    /// The next push array (one per chunk in this emulator).
    pub fn next_push(&mut self) -> PushArray {
        let chunk = self.next_chunk();
        let mut arrays = decode_chunk(&chunk).expect("a valid chunk");
        assert_eq!(arrays.len(), 1, "{chunk}");
        arrays.remove(0)
    }

    /// The next StateUpdate, skipping noops.
    pub fn next_update(&mut self) -> StateUpdate {
        loop {
            match self.next_push().data {
                PushData::Noop => continue,
                PushData::StateUpdates(mut u) => {
                    assert_eq!(u.len(), 1);
                    return u.remove(0);
                }
                other => panic!("expected a StateUpdate, got {other:?}"),
            }
        }
    }

    /// Reads until the body ends (skipping chunks); panics on a cut.
    pub fn finish(&mut self) -> Vec<String> {
        let mut chunks = Vec::new();
        loop {
            match self.read(WAIT) {
                PollRead::Chunk(c) => chunks.push(c),
                PollRead::End => return chunks,
                other => panic!("expected the end, got {other:?}"),
            }
        }
    }
}

/// The text of every TEXT segment of a chat message event.
pub fn event_text(update: &StateUpdate) -> String {
    use hangups_proto::hangouts::StateUpdateKind as Su;
    let Su::EventNotification(n) = &update.state_update else {
        panic!("not an event notification: {update:?}");
    };
    n.event
        .as_ref()
        .and_then(|e| e.chat_message.as_ref())
        .and_then(|m| m.message_content.as_ref())
        .map(|c| c.segment.iter().filter_map(|s| s.text.clone()).collect())
        .unwrap_or_default()
}
