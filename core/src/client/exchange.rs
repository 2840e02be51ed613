//! One HTTP exchange on its own connection: connect, send the request,
//! parse the response, with an inactivity deadline. The client owns a table
//! of these; what a response means is decided by its [`Purpose`].

use super::types::{ConnId, RequestId};
use crate::api::{ApiRequest, ImageUpload};
use crate::channel::ChunkParser;
use crate::http::{HttpError, Limits, ResponseEvent, ResponseHead, ResponseParser};
use std::time::{Duration, Instant};

/// Why the client made a request.
#[derive(Debug)]
pub(crate) enum Purpose {
    /// The channel's session (SID) request.
    Sid,
    /// The channel's long-poll; the body is streamed into a chunk parser.
    LongPoll(Box<ChunkParser>),
    /// The service subscription after a new client id.
    Subscribe,
    /// A chat API call, kept for transport retries.
    Api {
        id: RequestId,
        attempt: u32,
        request: Box<ApiRequest>,
        internal: Option<Internal>,
    },
    /// Image upload, first step (session).
    UploadSession {
        id: RequestId,
        upload: Box<ImageUpload>,
        image: Vec<u8>,
    },
    /// Image upload, second step (the bytes).
    UploadPut {
        id: RequestId,
        upload: Box<ImageUpload>,
    },
}

/// API calls the client makes for itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Internal {
    /// GetSelfInfo to learn the email for SetActiveClient.
    SelfInfoForActive,
    /// SetActiveClient.
    SetActive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Connecting,
    Waiting,
}

/// How an exchange ended.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// A complete response (the long-poll's body went to its chunk parser).
    Complete { head: ResponseHead, body: Vec<u8> },
    /// No complete response.
    Failed(Failure),
}

/// Why an exchange produced no complete response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// Nothing for the deadline.
    Timeout,
    /// The connection failed or closed before a complete response.
    Closed,
    /// The body was cut off after the head arrived.
    BodyCut,
    /// The response was malformed or too large.
    Protocol(String),
}

/// An exchange in flight. (Its `Debug` leaves out the request bytes,
/// which hold the session cookies.)
pub(crate) struct Exchange {
    pub(crate) conn: ConnId,
    pub(crate) purpose: Purpose,
    request: Option<Vec<u8>>,
    parser: ResponseParser,
    phase: Phase,
    pub(crate) head: Option<ResponseHead>,
    body: Vec<u8>,
    max_body: usize,
    idle_timeout: Duration,
    pub(crate) deadline: Instant,
    /// On a connection kept from an earlier exchange: the request bytes,
    /// to send again on a fresh connection if this one turns out stale.
    pub(crate) resend: Option<Vec<u8>>,
    /// Whether any byte of the response arrived.
    pub(crate) got_bytes: bool,
    /// Whether the response allows reusing the connection.
    pub(crate) keep_alive: bool,
    /// Which cookies the request carried (`Client::set_cookies` counts up).
    pub(crate) generation: u64,
}

impl std::fmt::Debug for Exchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exchange")
            .field("conn", &self.conn)
            .field("purpose", &self.purpose)
            .field("phase", &self.phase)
            .field("head", &self.head)
            .field("body_len", &self.body.len())
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}

/// What feeding bytes produced.
pub(crate) enum Progress {
    /// Keep reading.
    More,
    /// The exchange is over.
    Done(Outcome),
}

impl Exchange {
    pub(crate) fn new(
        conn: ConnId,
        purpose: Purpose,
        request: Vec<u8>,
        now: Instant,
        connect_timeout: Duration,
        idle_timeout: Duration,
        max_body: usize,
    ) -> Self {
        Exchange {
            conn,
            purpose,
            request: Some(request),
            parser: ResponseParser::new(Limits::default()),
            phase: Phase::Connecting,
            head: None,
            body: Vec::new(),
            max_body,
            idle_timeout,
            deadline: now + connect_timeout,
            resend: None,
            got_bytes: false,
            keep_alive: false,
            generation: 0,
        }
    }

    /// An exchange on a connection kept open from an earlier one: the
    /// request goes out at once (the returned bytes).
    pub(crate) fn reuse(mut self, now: Instant) -> (Self, Vec<u8>) {
        let bytes = self.request.take().unwrap_or_default();
        self.resend = Some(bytes.clone());
        self.phase = Phase::Waiting;
        self.deadline = now + self.idle_timeout;
        (self, bytes)
    }

    /// The same exchange, again from the start on a fresh connection.
    pub(crate) fn renew(
        mut self,
        conn: ConnId,
        request: Vec<u8>,
        now: Instant,
        connect_timeout: Duration,
    ) -> Self {
        self.conn = conn;
        self.request = Some(request);
        self.parser = ResponseParser::new(Limits::default());
        self.phase = Phase::Connecting;
        self.head = None;
        self.body.clear();
        self.resend = None;
        self.got_bytes = false;
        self.keep_alive = false;
        self.deadline = now + connect_timeout;
        self
    }

    /// The connection is up: the request bytes to transmit.
    pub(crate) fn on_connected(&mut self, now: Instant) -> Option<Vec<u8>> {
        if self.phase != Phase::Connecting {
            return None;
        }
        self.phase = Phase::Waiting;
        self.deadline = now + self.idle_timeout;
        self.request.take()
    }

    /// The long-poll's chunk parser, if this is the long-poll and its
    /// response is a 200 (other responses collect their body).
    fn streaming(&mut self) -> Option<&mut ChunkParser> {
        match (&mut self.purpose, &self.head) {
            (Purpose::LongPoll(p), Some(h)) if h.status == 200 => Some(p),
            _ => None,
        }
    }

    /// Bytes arrived.
    pub(crate) fn on_data(&mut self, now: Instant, data: &[u8]) -> Progress {
        if self.phase == Phase::Connecting {
            return Progress::Done(Outcome::Failed(Failure::Protocol(
                "data before connect".into(),
            )));
        }
        self.deadline = now + self.idle_timeout;
        self.got_bytes |= !data.is_empty();
        let mut heads = Vec::new();
        let mut ended = false;
        let mut keep_alive = false;
        let mut overflow = false;
        let max_body = self.max_body;
        {
            let Exchange {
                parser,
                purpose,
                head,
                body,
                ..
            } = self;
            let mut sink = |ev: ResponseEvent<'_>| match ev {
                ResponseEvent::Head(h) => heads.push(h),
                ResponseEvent::Data(d) if !ended => {
                    let status = heads.last().or(head.as_ref()).map(|h| h.status);
                    match purpose {
                        Purpose::LongPoll(p) if status == Some(200) => p.feed(d),
                        _ if body.len() + d.len() > max_body => overflow = true,
                        _ => body.extend_from_slice(d),
                    }
                }
                ResponseEvent::Data(_) => {}
                ResponseEvent::End { keep_alive: k } => {
                    ended = true;
                    keep_alive = k;
                }
            };
            if let Err(e) = parser.feed(data, &mut sink) {
                return Progress::Done(Outcome::Failed(Failure::Protocol(e.to_string())));
            }
        }
        if let Some(h) = heads.pop() {
            self.head = Some(h);
        }
        if overflow {
            return Progress::Done(Outcome::Failed(Failure::Protocol(format!(
                "response body larger than {max_body} bytes"
            ))));
        }
        if ended {
            self.keep_alive = keep_alive;
            return Progress::Done(self.complete());
        }
        Progress::More
    }

    fn complete(&mut self) -> Outcome {
        match self.head.take() {
            Some(head) => Outcome::Complete {
                head,
                body: std::mem::take(&mut self.body),
            },
            None => Outcome::Failed(Failure::Protocol("response without a head".into())),
        }
    }

    /// The connection closed.
    pub(crate) fn on_closed(&mut self) -> Outcome {
        if self.phase == Phase::Connecting {
            return Outcome::Failed(Failure::Closed);
        }
        let mut ended = false;
        let mut tail = Vec::new();
        let result = self.parser.close(&mut |ev| match ev {
            ResponseEvent::Data(d) => tail.extend_from_slice(d),
            ResponseEvent::End { .. } => ended = true,
            ResponseEvent::Head(_) => {}
        });
        if !tail.is_empty() {
            if let Some(p) = self.streaming() {
                p.feed(&tail);
            } else if self.body.len() + tail.len() <= self.max_body {
                self.body.extend_from_slice(&tail);
            }
        }
        match result {
            Ok(()) if ended => self.complete(),
            Ok(()) => Outcome::Failed(Failure::Closed),
            Err(HttpError::IncompleteBody) => Outcome::Failed(Failure::BodyCut),
            Err(HttpError::IncompleteHead) => Outcome::Failed(Failure::Closed),
            Err(e) => Outcome::Failed(Failure::Protocol(e.to_string())),
        }
    }

    /// Whether the deadline has passed.
    pub(crate) fn expired(&self, now: Instant) -> bool {
        now >= self.deadline
    }

    /// The long-poll's chunk parser while a 200 response streams.
    pub(crate) fn chunks(&mut self) -> Option<&mut ChunkParser> {
        self.streaming()
    }
}
