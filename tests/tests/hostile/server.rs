//! A scripted raw-TCP HTTP/1.1 server on loopback that plays the push
//! channel (session POST, subscription POST, streamed long-poll GET) and
//! misbehaves the way real servers and proxies do, one [`Script`] each.
//!
//! Messages queued with [`Server::push`] go out on the next long-poll, one
//! per long-poll (each long-poll ends normally after it); a message whose
//! chunk was not written whole stays queued. Each hostile act is counted
//! ([`Server::acts`]) so a test can tell that it happened.

use super::wire;
use std::collections::{BTreeMap, VecDeque};
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How the server misbehaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    /// Every long-poll ends normally (keep-alive); a GET that then arrives
    /// on the kept connection is met with a close (act `closed_kept_get`).
    CloseKeptGet,
    /// Any request on a connection that already had a keep-alive response
    /// is met with a close (act `closed_kept`).
    CloseAfterKeepAlive,
    /// A pushed chunk and the terminating 0-size HTTP chunk go out in one
    /// write (act `end_with_chunk`).
    EndWithChunk,
    /// The second long-poll of the first session gets `400 Unknown SID`
    /// with keep-alive (act `unknown_sid`); a session request that then
    /// arrives on that connection is met with a close (act
    /// `closed_sid_post`).
    UnknownSidThenClose,
    /// The second long-poll of the first session gets its response head
    /// one byte a second, never finished (act `dribble`).
    Dribble,
    /// The second long-poll of the first session gets its head and then a
    /// channel chunk one byte a second (each byte its own HTTP chunk),
    /// never finished (act `dribble_body`).
    DribbleBody,
}

/// How long a long-poll lasts when nothing is pushed.
const POLL: Duration = Duration::from_millis(1000);
/// Noops on a long-poll this often.
const NOOP: Duration = Duration::from_millis(300);
/// A connection thread gives up after this long (the test is over).
const LIFETIME: Duration = Duration::from_secs(120);

#[derive(Default)]
struct Inner {
    /// The session the server knows; others get `Unknown SID`.
    live_sid: Option<String>,
    sessions: u64,
    /// Long-polls served on the live session.
    polls_in_session: u64,
    queue: VecDeque<(String, String)>,
    next_event: u64,
    next_array: u64,
    acts: BTreeMap<&'static str, u64>,
    log: Vec<String>,
}

struct Shared {
    script: Script,
    inner: Mutex<Inner>,
    stop: AtomicBool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn act(&self, name: &'static str) {
        let mut inner = self.lock();
        *inner.acts.entry(name).or_default() += 1;
        inner.log.push(format!("act {name}"));
    }
}

/// A running scripted server; dropping it stops accepting.
pub struct Server {
    shared: Arc<Shared>,
    port: u16,
}

impl Server {
    /// Listens on a free port of 127.0.0.1 and serves with `script`.
    pub fn start(script: Script) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("local addr").port();
        listener.set_nonblocking(true).expect("nonblocking");
        let shared = Arc::new(Shared {
            script,
            inner: Mutex::new(Inner::default()),
            stop: AtomicBool::new(false),
        });
        let accept = Arc::clone(&shared);
        std::thread::spawn(move || {
            let mut conns = 0u64;
            while !accept.stop.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((tcp, _)) => {
                        conns += 1;
                        let shared = Arc::clone(&accept);
                        let n = conns;
                        std::thread::spawn(move || serve(&shared, tcp, n));
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Server { shared, port }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Queues a message for the next long-poll; returns its event id.
    pub fn push(&self, text: &str) -> String {
        let mut inner = self.shared.lock();
        inner.next_event += 1;
        let id = format!("hostile-event-{}", inner.next_event);
        inner.queue.push_back((id.clone(), text.to_string()));
        id
    }

    /// How often the act `name` happened.
    pub fn acts(&self, name: &str) -> u64 {
        self.shared.lock().acts.get(name).copied().unwrap_or(0)
    }

    /// What the server saw and did, for failure messages.
    pub fn log(&self) -> Vec<String> {
        self.shared.lock().log.clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
    }
}

/// One request: method, query parameters, body.
struct Request {
    method: String,
    params: BTreeMap<String, String>,
}

impl Request {
    fn param(&self, name: &str) -> Option<&str> {
        self.params.get(name).map(String::as_str)
    }
}

/// Reads one request; `None` when the peer closed or sent junk.
fn read_request(tcp: &mut TcpStream, buf: &mut Vec<u8>) -> Option<Request> {
    let started = Instant::now();
    loop {
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut req = httparse::Request::new(&mut headers);
        if let Ok(httparse::Status::Complete(head_len)) = req.parse(buf) {
            let method = req.method?.to_string();
            let path = req.path?.to_string();
            let length: usize = req
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                .and_then(|h| std::str::from_utf8(h.value).ok()?.trim().parse().ok())
                .unwrap_or(0);
            while buf.len() < head_len + length {
                read_more(tcp, buf, started)?;
            }
            buf.drain(..head_len + length);
            let query = path.split_once('?').map_or("", |(_, q)| q);
            let params = query
                .split('&')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            return Some(Request { method, params });
        }
        read_more(tcp, buf, started)?;
    }
}

fn read_more(tcp: &mut TcpStream, buf: &mut Vec<u8>, started: Instant) -> Option<()> {
    let mut chunk = [0u8; 4096];
    loop {
        match tcp.read(&mut chunk) {
            Ok(0) => return None,
            Ok(n) => {
                buf.extend_from_slice(&chunk[..n]);
                return Some(());
            }
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) && started.elapsed() < LIFETIME => {}
            Err(_) => return None,
        }
    }
}

/// What a connection does after a response.
enum Flow {
    KeepAlive,
    /// The last response was `400 Unknown SID` (kept open).
    KeptAfterUnknownSid,
    Close,
}

fn serve(shared: &Shared, mut tcp: TcpStream, n: u64) {
    let _ = tcp.set_nonblocking(false);
    let _ = tcp.set_nodelay(true);
    let _ = tcp.set_read_timeout(Some(Duration::from_millis(200)));
    let mut buf = Vec::new();
    // Whether a keep-alive response was completed on this connection, and
    // whether it was `Unknown SID`.
    let mut kept = false;
    let mut after_unknown_sid = false;
    while let Some(req) = read_request(&mut tcp, &mut buf) {
        let kind = match (req.method.as_str(), req.param("SID")) {
            ("POST", None) => "sid",
            ("POST", Some(_)) => "subscribe",
            ("GET", _) => "poll",
            _ => "other",
        };
        shared.lock().log.push(format!("conn {n}: {kind}"));
        let close = match shared.script {
            Script::CloseAfterKeepAlive if kept => Some("closed_kept"),
            Script::CloseKeptGet if kept && kind == "poll" => Some("closed_kept_get"),
            Script::UnknownSidThenClose if after_unknown_sid && kind == "sid" => {
                Some("closed_sid_post")
            }
            _ => None,
        };
        if let Some(act) = close {
            shared.act(act);
            let _ = tcp.shutdown(Shutdown::Both);
            return;
        }
        let flow = match kind {
            "sid" => session(shared, &mut tcp),
            "subscribe" => subscribe(shared, &mut tcp, &req),
            "poll" => long_poll(shared, &mut tcp, &req),
            _ => write(&mut tcp, &wire::response(404, "Not Found", b"")),
        };
        match flow {
            Flow::KeepAlive => {
                kept = true;
                after_unknown_sid = false;
            }
            Flow::KeptAfterUnknownSid => {
                kept = true;
                after_unknown_sid = true;
            }
            Flow::Close => return,
        }
    }
}

fn write(tcp: &mut TcpStream, bytes: &[u8]) -> Flow {
    match tcp.write_all(bytes).and_then(|()| tcp.flush()) {
        Ok(()) => Flow::KeepAlive,
        Err(_) => Flow::Close,
    }
}

fn session(shared: &Shared, tcp: &mut TcpStream) -> Flow {
    let body = {
        let mut inner = shared.lock();
        inner.sessions += 1;
        let sid = format!("HOSTILESID{}", inner.sessions);
        inner.live_sid = Some(sid.clone());
        inner.polls_in_session = 0;
        wire::sid(&sid, &format!("gsid{}", inner.sessions))
    };
    write(tcp, &wire::response(200, "OK", body.as_bytes()))
}

fn unknown_sid(tcp: &mut TcpStream) -> Flow {
    match write(tcp, &wire::response(400, "Unknown SID", b"Unknown SID")) {
        Flow::KeepAlive => Flow::KeptAfterUnknownSid,
        other => other,
    }
}

fn subscribe(shared: &Shared, tcp: &mut TcpStream, req: &Request) -> Flow {
    if shared.lock().live_sid.as_deref() != req.param("SID") {
        return unknown_sid(tcp);
    }
    write(tcp, &wire::response(200, "OK", wire::maps_ack().as_bytes()))
}

/// What the long-poll does, decided under the lock when it starts.
enum Poll {
    UnknownSid,
    /// Dribble the head (`false`) or a chunk after the head (`true`).
    Dribble(bool),
    Stream {
        first: bool,
    },
}

fn long_poll(shared: &Shared, tcp: &mut TcpStream, req: &Request) -> Flow {
    let plan = {
        let mut inner = shared.lock();
        if inner.live_sid.as_deref() != req.param("SID") {
            Poll::UnknownSid
        } else {
            inner.polls_in_session += 1;
            let second_of_first = inner.sessions == 1 && inner.polls_in_session == 2;
            match shared.script {
                Script::UnknownSidThenClose if second_of_first => {
                    inner.live_sid = None;
                    Poll::UnknownSid
                }
                Script::Dribble if second_of_first => Poll::Dribble(false),
                Script::DribbleBody if second_of_first => Poll::Dribble(true),
                _ => Poll::Stream {
                    first: inner.polls_in_session == 1,
                },
            }
        }
    };
    match plan {
        Poll::UnknownSid => {
            if shared.script == Script::UnknownSidThenClose {
                shared.act("unknown_sid");
            }
            unknown_sid(tcp)
        }
        Poll::Dribble(body) => {
            shared.act(if body { "dribble_body" } else { "dribble" });
            dribble(shared, tcp, body)
        }
        Poll::Stream { first } => stream(shared, tcp, first),
    }
}

/// The response head (or, with `body`, a channel chunk after the head)
/// one byte a second, never finished; ends when the client closes the
/// connection.
fn dribble(shared: &Shared, tcp: &mut TcpStream, body: bool) -> Flow {
    let started = Instant::now();
    if body {
        let mut opening = wire::LONG_POLL_HEAD.to_vec();
        opening.extend(wire::http_chunk(wire::noop(next_array(shared)).as_bytes()));
        if let Flow::Close = write(tcp, &opening) {
            return Flow::Close;
        }
    }
    let head: &[u8] = if body {
        b"100000\n[[9,[\"noop\"]"
    } else {
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Slow: "
    };
    let mut bytes = head.iter().copied().chain(std::iter::repeat(b' '));
    while started.elapsed() < LIFETIME && !shared.stop.load(Ordering::Relaxed) {
        let byte = bytes.next().unwrap_or(b' ');
        let piece = if body {
            wire::http_chunk(&[byte])
        } else {
            vec![byte]
        };
        if tcp.write_all(&piece).is_err() {
            break;
        }
        // The client closing shows as end of file on the read side.
        let mut probe = [0u8; 64];
        let _ = tcp.set_read_timeout(Some(Duration::from_secs(1)));
        match tcp.read(&mut probe) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(_) => break,
        }
    }
    shared.lock().log.push("dribble over".into());
    Flow::Close
}

fn next_array(shared: &Shared) -> u64 {
    let mut inner = shared.lock();
    inner.next_array += 1;
    inner.next_array
}

/// A streamed long-poll: head, a noop, the client id on a session's first
/// long-poll, then noops until a queued message is sent (then it ends) or
/// [`POLL`] passed.
fn stream(shared: &Shared, tcp: &mut TcpStream, first: bool) -> Flow {
    let mut opening = wire::LONG_POLL_HEAD.to_vec();
    opening.extend(wire::http_chunk(wire::noop(next_array(shared)).as_bytes()));
    if first {
        let id = wire::client_id(next_array(shared), "hostile_client_id");
        opening.extend(wire::http_chunk(id.as_bytes()));
    }
    if let Flow::Close = write(tcp, &opening) {
        return Flow::Close;
    }
    let started = Instant::now();
    let mut last_noop = Instant::now();
    while started.elapsed() < POLL {
        let next = shared.lock().queue.pop_front();
        if let Some((id, text)) = next {
            let mut bytes =
                wire::http_chunk(wire::message(next_array(shared), &id, &text).as_bytes());
            let together = shared.script == Script::EndWithChunk;
            if together {
                bytes.extend_from_slice(wire::HTTP_END);
            }
            if let Flow::Close = write(tcp, &bytes) {
                shared.lock().queue.push_front((id, text));
                return Flow::Close;
            }
            shared.lock().log.push(format!("pushed {id}"));
            if together {
                shared.act("end_with_chunk");
                return Flow::KeepAlive;
            }
            break;
        }
        if last_noop.elapsed() >= NOOP {
            last_noop = Instant::now();
            let noop = wire::noop(next_array(shared));
            if let Flow::Close = write(tcp, &wire::http_chunk(noop.as_bytes())) {
                return Flow::Close;
            }
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    write(tcp, wire::HTTP_END)
}
