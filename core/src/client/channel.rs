//! The push channel half of the client (PROTOCOL.md §1.2–1.9 with the
//! differences of DESIGN.md): session request, long-poll, subscription
//! after each client id, keep-alive timeout, reconnects with backoff.

use super::purpose::Purpose;
use super::{
    ChannelError, ChannelState, Client, Event, FatalError, Session, SessionError, SubscriptionError,
};
use crate::api::{FailureKind, TransportError};
use crate::channel::{decode_chunk, ChunkParser, PushData};
use crate::http::{form_urlencode, Method, Request};
use crate::pool::{ExchangeId, Failure, Outcome};
use hangups_proto::hangouts::ActiveClientState;

const BIND_PATH: &str = "/client-channel/channel/bind";

impl Client {
    fn channel_request(&self, method: Method) -> Request {
        let ep = &self.config.channel;
        Request::new(method, &ep.host, ep.port, ep.tls, BIND_PATH)
    }

    /// Starts the next attempt: a session request if there is no SID, else
    /// the long-poll.
    pub(super) fn start_channel_attempt(&mut self) {
        match self.session.clone() {
            None => {
                let req = self
                    .channel_request(Method::Post)
                    .with_query("VER", "8")
                    .with_query("RID", "81188")
                    .with_query("ctype", "hangouts")
                    .with_header("content-type", "application/x-www-form-urlencoded")
                    .with_body(b"count=0&ofs=0".to_vec());
                let id = self.open(&req, Purpose::Sid, true);
                self.channel = ChannelState::RequestingSid(id);
            }
            Some(s) => {
                let req = self
                    .channel_request(Method::Get)
                    .with_query("VER", "8")
                    .with_query("gsessionid", &s.gsessionid)
                    .with_query("RID", "rpc")
                    .with_query("t", "1")
                    .with_query("SID", &s.sid)
                    .with_query("CI", "0")
                    .with_query("ctype", "hangouts")
                    .with_query("TYPE", "xmlhttp");
                let parser = ChunkParser::with_max_chunk(self.config.max_chunk);
                let exchange = self.open(&req, Purpose::LongPoll(Box::new(parser)), true);
                self.channel = ChannelState::Polling {
                    exchange,
                    chunk_by: self.now + self.config.push_timeout,
                };
            }
        }
    }

    /// The session response: the first chunk holds SID and gsessionid.
    pub(super) fn on_sid_response(&mut self, id: ExchangeId, outcome: Outcome) {
        if self.channel != ChannelState::RequestingSid(id) {
            return;
        }
        let session = match outcome {
            Outcome::Complete { head, body } if head.status == 200 => parse_sid(&body),
            Outcome::Complete { head, .. } => {
                if head.status == 401 {
                    self.session_expired();
                }
                Err(ChannelError::Http {
                    status: head.status,
                    reason: head.reason,
                })
            }
            Outcome::Failed(f) => Err(failure_error(f)),
        };
        match session {
            Ok(s) => {
                tracing::debug!(sid = %s.sid, "channel session opened");
                self.session = Some(s);
                self.start_channel_attempt();
            }
            Err(e) => self.channel_failed(e, true),
        }
    }

    /// Whether `id` is the long-poll in flight.
    fn is_polling(&self, id: ExchangeId) -> bool {
        matches!(self.channel, ChannelState::Polling { exchange, .. } if exchange == id)
    }

    /// Streamed body bytes of exchange `id`: if it is the long-poll,
    /// dispatch every complete chunk now.
    pub(super) fn on_stream(&mut self, id: ExchangeId, bytes: &[u8]) {
        if !self.is_polling(id) {
            return;
        }
        // The parser leaves the exchange while the read is framed, so that
        // each chunk wholly inside the read is dispatched where it sits (a
        // slice of `bytes`, no copy); it goes back unless the long-poll
        // ended on the way.
        let Some(Purpose::LongPoll(parser)) = self.pending.get_mut(&id).map(|p| &mut p.purpose)
        else {
            return;
        };
        let mut parser = std::mem::take(parser);
        let mut chunks = parser.chunks(bytes);
        loop {
            match chunks.next_chunk() {
                Ok(Some(chunk)) => {
                    if let ChannelState::Polling { chunk_by, .. } = &mut self.channel {
                        *chunk_by = self.now + self.config.push_timeout;
                    }
                    if !self.on_chunk(chunk) {
                        // A session that can never be subscribed: deaf.
                        self.drop_exchange(id);
                        self.channel_failed(ChannelError::NoClientId, true);
                        return;
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    // Junk where a length belongs, a chunk too large, bad
                    // UTF-8: abandon this long-poll (same SID), never stall.
                    self.bad_chunks += 1;
                    tracing::warn!(error = %e, "push channel framing error; reopening the long-poll");
                    self.drop_exchange(id);
                    self.channel_failed(ChannelError::Chunk(e), false);
                    return;
                }
            }
            if !self.is_polling(id) {
                return;
            }
        }
        drop(chunks);
        if let Some(Purpose::LongPoll(slot)) = self.pending.get_mut(&id).map(|p| &mut p.purpose) {
            *slot = parser;
        }
    }

    /// Dispatches one chunk; false if it shows the session can never be
    /// subscribed (a keep-alive after the first chunk, with no client id
    /// and no subscription: the server sends a session's id with its
    /// first data, so it was lost on the way).
    fn on_chunk(&mut self, chunk: &str) -> bool {
        let (seen, subscribing) = match self.session.as_mut() {
            Some(s) => {
                s.chunks += 1;
                (s.chunks - 1, s.subscribed || self.subscription.is_some())
            }
            None => (0, true),
        };
        // §1.9: any complete chunk means connected.
        self.backoff.reset();
        if !self.connected {
            self.connected = true;
            if self.ever_connected {
                self.events.push_back(Event::Reconnected {
                    last_sync: self.last_server_time,
                });
            } else {
                self.ever_connected = true;
                self.events.push_back(Event::Connected);
            }
        }
        let arrays = match decode_chunk(chunk) {
            Ok(a) => a,
            Err(e) => {
                self.bad_chunks += 1;
                tracing::warn!(error = %e, "skipping a malformed push chunk");
                return true;
            }
        };
        let mut client_id = false;
        for array in arrays {
            match array.data {
                PushData::Noop if seen > 0 && !subscribing && !client_id => return false,
                PushData::Noop => self.events.push_back(Event::KeepAlive),
                PushData::ClientId(id) => {
                    client_id = true;
                    self.client_id = Some(id.clone());
                    self.events.push_back(Event::ClientId(id));
                    self.subscribe();
                }
                PushData::StateUpdates(updates) => {
                    for update in updates {
                        let header = update.state_update_header.as_ref();
                        self.active_state = header
                            .and_then(|h| h.active_client_state)
                            .unwrap_or(ActiveClientState::ACTIVE_CLIENT_STATE_NO_ACTIVE);
                        if let Some(t) = header.and_then(|h| h.current_server_time) {
                            self.last_server_time =
                                Some(self.last_server_time.map_or(t, |l| l.max(t)));
                        }
                        self.events.push_back(Event::StateUpdate(Box::new(update)));
                    }
                }
                PushData::Unknown(raw) => self.events.push_back(Event::UnknownPush {
                    array_id: array.array_id,
                    raw,
                }),
            }
        }
        true
    }

    /// §1.7: subscribe to `babel` and `babel_presence_last_seen`.
    fn subscribe(&mut self) {
        let Some(s) = self.session.clone() else {
            return;
        };
        if let Some(old) = self.subscription.take() {
            self.drop_exchange(old);
        }
        let body = form_urlencode(&[
            ("count", "2"),
            ("ofs", "0"),
            ("req0_p", r#"{"3": {"1": {"1": "babel"}}}"#),
            (
                "req1_p",
                r#"{"3": {"1": {"1": "babel_presence_last_seen"}}}"#,
            ),
        ]);
        let req = self
            .channel_request(Method::Post)
            .with_query("VER", "8")
            .with_query("RID", "81188")
            .with_query("ctype", "hangouts")
            .with_query("gsessionid", &s.gsessionid)
            .with_query("SID", &s.sid)
            .with_header("content-type", "application/x-www-form-urlencoded")
            .with_body(body.into_bytes());
        self.subscription = Some(self.open(&req, Purpose::Subscribe, true));
    }

    pub(super) fn on_subscription_response(&mut self, id: ExchangeId, outcome: Outcome) {
        if self.subscription != Some(id) {
            return;
        }
        self.subscription = None;
        let error = match outcome {
            Outcome::Complete { head, .. } if head.status == 200 => {
                if let Some(s) = self.session.as_mut() {
                    s.subscribed = true;
                }
                self.events.push_back(Event::Subscribed);
                return;
            }
            Outcome::Complete { head, .. } => SubscriptionError::Http {
                status: head.status,
                reason: head.reason,
            },
            Outcome::Failed(f) => match FailureKind::from(f) {
                FailureKind::Transport(t) => SubscriptionError::Transport(t),
                FailureKind::Response(r) => SubscriptionError::BadResponse(r),
            },
        };
        // §1.7: treated like a long-poll failure; but the server sends a
        // session's client id only once, so the retry takes a new SID (a
        // same-SID retry would never subscribe: a deaf channel).
        if let ChannelState::Polling { exchange, .. } = self.channel {
            self.drop_exchange(exchange);
            self.channel_failed(ChannelError::Subscription(error), true);
        } else {
            self.session = None;
        }
    }

    pub(super) fn on_long_poll_end(&mut self, id: ExchangeId, outcome: Outcome) {
        if !self.is_polling(id) {
            return;
        }
        match outcome {
            // A long-poll that ends normally: poll again at once, same SID.
            Outcome::Complete { head, .. } if head.status == 200 => {
                self.backoff.reset();
                self.start_channel_attempt();
            }
            Outcome::Complete { head, body } => {
                let unknown_sid = head.status == 400
                    && (head.reason == "Unknown SID"
                        || String::from_utf8_lossy(&body).contains("Unknown SID"));
                if unknown_sid {
                    self.channel_failed(ChannelError::UnknownSid, true);
                } else if head.status == 401 {
                    self.session_expired();
                    self.channel_failed(
                        ChannelError::Http {
                            status: head.status,
                            reason: head.reason,
                        },
                        true,
                    );
                } else {
                    self.channel_failed(
                        ChannelError::Http {
                            status: head.status,
                            reason: head.reason,
                        },
                        false,
                    );
                }
            }
            // §1.4: a payload error means the SID is about to expire.
            Outcome::Failed(Failure::BodyCut) => self.channel_failed(ChannelError::BodyCut, true),
            Outcome::Failed(Failure::Idle) => {
                self.channel_failed(ChannelError::PushTimeout(self.config.push_timeout), false)
            }
            Outcome::Failed(f) => self.channel_failed(failure_error(f), false),
        }
    }

    /// One channel attempt failed: back off, then retry (forever unless a
    /// limit is configured).
    pub(super) fn channel_failed(&mut self, error: ChannelError, new_sid: bool) {
        // A session never subscribed (its subscription failed, was cut off
        // or never started) cannot get its client id again: replace it.
        let new_sid = new_sid || !self.session.as_ref().is_some_and(|s| s.subscribed);
        tracing::info!(%error, new_sid, "push channel attempt failed");
        if new_sid {
            self.session = None;
        }
        if let Some(sub) = self.subscription.take() {
            self.drop_exchange(sub);
        }
        match self.backoff.fail(&mut self.rng) {
            Some(delay) => {
                let at = self.now + delay;
                self.channel = ChannelState::Waiting(at);
                if self.connected {
                    self.connected = false;
                    self.events.push_back(Event::Disconnected {
                        error,
                        retry_at: at,
                    });
                }
            }
            None => {
                let attempts = self.backoff.failures().saturating_sub(1);
                if self.connected {
                    self.connected = false;
                    self.events.push_back(Event::Disconnected {
                        error: error.clone(),
                        retry_at: self.now,
                    });
                }
                self.channel = ChannelState::Stopped;
                self.closed = true;
                self.abandon_all();
                self.events.push_back(Event::Closed {
                    error: Some(FatalError::RetriesExhausted {
                        attempts,
                        last: error,
                    }),
                });
            }
        }
    }
}

/// A failed session request or long-poll: a body cut off is
/// [`ChannelError::BodyCut`] (the SID is about to expire, §1.4).
fn failure_error(f: Failure) -> ChannelError {
    match FailureKind::from(f) {
        FailureKind::Transport(TransportError::BodyCut) => ChannelError::BodyCut,
        FailureKind::Transport(t) => ChannelError::Transport(t),
        FailureKind::Response(r) => ChannelError::BadResponse(r),
    }
}

/// §1.2: `[[0,["c",SID,hostPrefix,version]],[1,[{"gsid":G}]]]` in the first chunk.
fn parse_sid(body: &[u8]) -> Result<Session, ChannelError> {
    let mut parser = ChunkParser::new();
    parser.feed(body);
    let chunk = parser
        .next_chunk()
        .map_err(SessionError::Chunk)?
        .ok_or(SessionError::NoChunk)?;
    let v: serde_json::Value = serde_json::from_str(&chunk).map_err(|e| SessionError::Json {
        line: e.line(),
        column: e.column(),
    })?;
    let sid = v[0][1][1].as_str().ok_or(SessionError::NoSid)?;
    let gsid = v[1][1][0]["gsid"].as_str().ok_or(SessionError::NoGsid)?;
    Ok(Session {
        sid: sid.to_string(),
        gsessionid: gsid.to_string(),
        subscribed: false,
        chunks: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{Deadline, ResponseError};
    use crate::channel::ChunkError;

    /// A body of one chunk holding `json`.
    fn chunk(json: &str) -> Vec<u8> {
        format!("{}\n{json}", json.encode_utf16().count()).into_bytes()
    }

    #[test]
    fn a_session_response_names_what_is_wrong() {
        let good = r#"[[0,["c","S1","",8]],[1,[{"gsid":"G1"}]]]"#;
        let s = parse_sid(&chunk(good)).unwrap();
        assert_eq!((s.sid.as_str(), s.gsessionid.as_str()), ("S1", "G1"));
        let bad = |body: &[u8]| match parse_sid(body) {
            Err(ChannelError::BadSession(e)) => e,
            other => panic!("{other:?}"),
        };
        assert_eq!(bad(b"12\n[[0,"), SessionError::NoChunk);
        assert!(matches!(
            bad(b"x\n[]"),
            SessionError::Chunk(ChunkError::BadLength { .. })
        ));
        assert_eq!(
            bad(&chunk("[[0,")),
            SessionError::Json { line: 1, column: 4 }
        );
        assert_eq!(
            bad(&chunk(r#"[[0,["c",1]],[1,[{"gsid":"G1"}]]]"#)),
            SessionError::NoSid
        );
        assert_eq!(
            bad(&chunk(r#"[[0,["c","S1"]],[1,[{}]]]"#)),
            SessionError::NoGsid
        );
        let e = ChannelError::from(SessionError::NoGsid);
        assert_eq!(e.to_string(), "bad session response: no gsid");
    }

    #[test]
    fn pool_failures_become_channel_errors() {
        assert_eq!(failure_error(Failure::BodyCut), ChannelError::BodyCut);
        assert_eq!(
            failure_error(Failure::NotSent),
            ChannelError::Transport(TransportError::ConnectFailed)
        );
        assert_eq!(
            failure_error(Failure::Closed),
            ChannelError::Transport(TransportError::ClosedBeforeResponse)
        );
        assert_eq!(
            failure_error(Failure::Deadline),
            ChannelError::Transport(TransportError::TimedOut(Deadline::Response))
        );
        assert_eq!(
            failure_error(Failure::TooLarge(9)),
            ChannelError::BadResponse(ResponseError::TooLarge { limit: 9 })
        );
        assert_eq!(
            failure_error(Failure::Closed).to_string(),
            "connection lost: connection closed before a complete response"
        );
    }
}
