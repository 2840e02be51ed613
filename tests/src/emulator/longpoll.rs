//! The channel's HTTP side: the forward channel (session request and
//! maps, PROTOCOL.md §1.2, §1.3, §1.7) and the back channel, the streamed
//! long-poll (§1.4–§1.6, §1.9), with the long-poll faults.

use super::auth;
use super::chunks;
use super::http::{parse_form, reason_for, Aborted, Conn, Flow, Request, Response};
use super::Shared;
use std::io;
use tokio::sync::watch;
use tokio::time::{sleep, sleep_until, Instant};

/// `POST /client-channel/channel/bind`: without `SID` a new session,
/// with `SID` the maps (the service subscription).
pub(crate) fn forward_channel(shared: &Shared, req: &Request) -> Response {
    let mut inner = shared.lock();
    let user = match auth::authenticate(&mut inner.world, req) {
        Ok(u) => u,
        Err(resp) => return resp,
    };
    if req.param("VER") != Some("8") {
        return Response::text(400, "Bad Request", "unsupported VER");
    }
    let Some(sid) = req.param("SID") else {
        if let Some(status) = inner.faults.take_sid_status() {
            return Response::text(
                status,
                reason_for(status),
                "session request refused (fault)",
            );
        }
        let (sid, gsid) = inner.sessions.create(&user);
        return Response::new(
            200,
            "OK",
            "text/plain; charset=utf-8",
            chunks::sid(&sid, &gsid),
        );
    };
    let Some(session) = inner.sessions.live_mut(sid, req.param("gsessionid"), &user) else {
        return Response::unknown_sid();
    };
    let body = String::from_utf8_lossy(&req.body);
    for (key, value) in parse_form(&body) {
        let is_map = key
            .strip_prefix("req")
            .and_then(|k| k.strip_suffix("_p"))
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        if !is_map {
            continue;
        }
        let Ok(map) = serde_json::from_str::<serde_json::Value>(&value) else {
            continue;
        };
        match map["3"]["1"]["1"].as_str() {
            Some("babel") => session.babel = true,
            Some("babel_presence_last_seen") => session.presence = true,
            _ => {}
        }
    }
    let ack = chunks::maps_ack(session.polls_open > 0, session.last_array_id());
    Response::new(200, "OK", "text/plain; charset=utf-8", ack)
}

/// `GET /client-channel/channel/bind?…&RID=rpc&…`: the long-poll.
pub(crate) async fn long_poll(conn: &mut Conn, req: &Request) -> io::Result<Flow> {
    let shared = std::sync::Arc::clone(&conn.shared);
    let opened = {
        let mut inner = shared.lock();
        match auth::authenticate(&mut inner.world, req) {
            Err(resp) => Err(resp),
            Ok(_) if req.param("RID") != Some("rpc") || req.param("VER") != Some("8") => Err(
                Response::text(400, "Bad Request", "not a back-channel request"),
            ),
            Ok(user) => {
                let sid = req.param("SID").unwrap_or("");
                match inner.sessions.live_mut(sid, req.param("gsessionid"), &user) {
                    None => Err(Response::unknown_sid()),
                    Some(s) => Ok((s.sid.clone(), s.open_poll(), s.subscribe_wake())),
                }
            }
        }
    };
    let (sid, generation, wake) = match opened {
        Ok(opened) => opened,
        Err(resp) => {
            conn.respond(&resp, req.close).await?;
            return Ok(Flow::KeepAlive);
        }
    };
    let mut poll = Poll {
        shared: std::sync::Arc::clone(&shared),
        sid,
        generation,
        wake,
        budget: None,
        open: true,
    };
    let result = poll.stream(conn).await;
    poll.release();
    result
}

/// One long-poll in progress.
struct Poll {
    shared: std::sync::Arc<Shared>,
    sid: String,
    generation: u64,
    wake: watch::Receiver<u64>,
    /// Bytes left before the `drop_long_poll_after` fault cuts the body.
    budget: Option<usize>,
    /// Still counted in the session's open long-polls.
    open: bool,
}

/// What the long-poll sends next.
enum Next {
    /// A chunk; the queued update's sequence number if it is one.
    Chunk(String, Option<u64>),
    /// Nothing now: wait.
    Wait,
    /// The session expired or a newer long-poll replaced this one.
    End,
}

impl Poll {
    /// Stops counting this long-poll as open (once).
    fn release(&mut self) {
        if std::mem::take(&mut self.open) {
            if let Some(s) = self.shared.lock().sessions.get_mut(&self.sid) {
                s.close_poll();
            }
        }
    }

    async fn stream(&mut self, conn: &mut Conn) -> io::Result<Flow> {
        let config = self.shared.config.clone();
        let started = Instant::now();
        let end = started + config.long_poll_duration;
        let mut next_noop = started + config.noop_interval;
        let close_mode = self.shared.lock().faults.close_after_each_chunk();
        let mut head = String::from(
            "HTTP/1.1 200 OK\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\
             Cache-Control: no-cache, no-store, max-age=0, must-revalidate\r\n\
             Pragma: no-cache\r\n\
             X-Content-Type-Options: nosniff\r\n\
             Transfer-Encoding: chunked\r\n",
        );
        if close_mode {
            head.push_str("Connection: close\r\n");
        }
        head.push_str("\r\n");
        if !self.write(conn, head.as_bytes()).await? {
            return Ok(Flow::Abort);
        }
        // §1.9: the first chunk makes the client "connected".
        if !self.send_noop(conn).await? {
            return Ok(Flow::Abort);
        }
        let mut client_id_sent_here = false;
        loop {
            match self.next(&mut client_id_sent_here) {
                Next::End => break,
                Next::Chunk(text, seq) => {
                    if !self
                        .write(conn, &chunks::http_chunk(text.as_bytes()))
                        .await?
                    {
                        return Ok(Flow::Abort);
                    }
                    if let Some(seq) = seq {
                        if let Some(s) = self.shared.lock().sessions.get_mut(&self.sid) {
                            s.pop(seq);
                        }
                    }
                    if close_mode {
                        break;
                    }
                }
                Next::Wait => {
                    tokio::select! {
                        changed = self.wake.changed() => {
                            if changed.is_err() {
                                break;
                            }
                        }
                        () = sleep_until(next_noop) => {
                            if !self.send_noop(conn).await? {
                                return Ok(Flow::Abort);
                            }
                            next_noop = Instant::now() + config.noop_interval;
                            if close_mode {
                                break;
                            }
                        }
                        () = sleep_until(end) => break,
                        // The client left (or sent its next request early):
                        // a queued update must not go into a dead socket.
                        read = conn.read_some() => {
                            if matches!(read, Ok(0) | Err(_)) {
                                return Ok(Flow::Abort);
                            }
                        }
                    }
                }
            }
        }
        // Closed as far as the session knows before the client can see it.
        self.release();
        if !self.write(conn, chunks::HTTP_END).await? {
            return Ok(Flow::Abort);
        }
        Ok(if close_mode {
            Flow::Close
        } else {
            Flow::KeepAlive
        })
    }

    /// The next chunk to send, taken under the lock.
    fn next(&mut self, client_id_sent_here: &mut bool) -> Next {
        let mut inner = self.shared.lock();
        let Some(s) = inner.sessions.get_mut(&self.sid) else {
            return Next::End;
        };
        if s.is_expired() || s.poll_generation != self.generation {
            return Next::End;
        }
        let time_ms = super::ids::wall_micros() / 1000;
        // The client id goes out once per session, and again on each
        // long-poll until the subscription has come in.
        if !*client_id_sent_here && (!s.client_id_sent || !s.babel) {
            *client_id_sent_here = true;
            s.client_id_sent = true;
            let (array_id, seq) = (s.next_array_id(), s.next_wrapper_seq());
            let text = chunks::client_id(array_id, time_ms, seq, &s.client_id);
            return Next::Chunk(text, None);
        }
        let Some((qseq, update)) = s.front() else {
            return Next::Wait;
        };
        let update = update.clone();
        let (array_id, seq) = (s.next_array_id(), s.next_wrapper_seq());
        Next::Chunk(chunks::cbu(array_id, time_ms, seq, &update), Some(qseq))
    }

    async fn send_noop(&mut self, conn: &mut Conn) -> io::Result<bool> {
        let text = {
            let mut inner = self.shared.lock();
            match inner.sessions.get_mut(&self.sid) {
                Some(s) => chunks::noop(s.next_array_id()),
                None => return Ok(false),
            }
        };
        self.write(conn, &chunks::http_chunk(text.as_bytes())).await
    }

    /// Writes `bytes` after applying the long-poll faults that are due.
    /// `Ok(false)`: the connection must be dropped (cut, or replaced while
    /// stalled).
    async fn write(&mut self, conn: &mut Conn, bytes: &[u8]) -> io::Result<bool> {
        let (stall, cut, garbage) = {
            let mut inner = self.shared.lock();
            let cut = match self.budget {
                None => inner.faults.take_drop(),
                Some(_) => None,
            };
            (inner.faults.take_stall(), cut, inner.faults.take_garbage())
        };
        if cut.is_some() {
            self.budget = cut;
        }
        if let Some(d) = stall {
            sleep(d).await;
            let replaced = {
                let inner = self.shared.lock();
                inner
                    .sessions
                    .summary_of(&self.sid)
                    .is_none_or(|(generation, expired)| expired || generation != self.generation)
            };
            if replaced {
                return Ok(false);
            }
        }
        if let Some(g) = garbage.filter(|g| !g.is_empty()) {
            let junk = chunks::http_chunk(g.as_bytes());
            if let Err(Aborted) = conn.send_limited(&junk, &mut self.budget).await? {
                return Ok(false);
            }
        }
        Ok(conn.send_limited(bytes, &mut self.budget).await?.is_ok())
    }
}
