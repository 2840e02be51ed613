//! One HTTP exchange: connect, send the request, parse the response, with
//! three deadlines (idle, response head, whole response). It knows nothing
//! of what the request was for, nor which connection it rides on: the
//! [`Pool`](super::Pool) routes connection input to it.

use crate::http::{HttpError, Limits, ResponseEvent, ResponseHead, ResponseParser};
use std::time::{Duration, Instant};

/// How long an exchange may take. Every request has all three.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Timeouts {
    /// Connecting, and then any silence (no byte at all) for this long.
    pub(crate) idle: Duration,
    /// The response head must be complete this long after the start.
    pub(crate) head: Duration,
    /// The whole response must be complete this long after the start.
    pub(crate) total: Duration,
}

/// How an exchange ended.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// A complete response. A streamed body went out as
    /// [`Delivery::Body`](super::Delivery::Body) and is not repeated here.
    Complete {
        /// The response head.
        head: ResponseHead,
        /// The collected body (empty when streamed).
        body: Vec<u8>,
    },
    /// No complete response.
    Failed(Failure),
}

/// Why an exchange produced no complete response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The connection could not be opened (or closed before it was up):
    /// the request provably never reached the server.
    NotSent,
    /// No byte for the idle timeout.
    Idle,
    /// The response head or the whole response missed its deadline.
    Deadline,
    /// The connection closed after the request was sent, before a
    /// complete response.
    Closed,
    /// The body was cut off after the head arrived.
    BodyCut,
    /// The response was malformed.
    Protocol(String),
    /// The response body was larger than allowed.
    TooLarge(usize),
}

impl Failure {
    /// Whether the server may have received (and acted on) the request.
    pub(crate) fn maybe_sent(&self) -> bool {
        !matches!(self, Failure::NotSent)
    }

    /// Whether the server answered (badly): retrying would ask it again
    /// for the same answer.
    pub(crate) fn server_answered(&self) -> bool {
        matches!(self, Failure::Protocol(_) | Failure::TooLarge(_))
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::NotSent => f.write_str("could not connect"),
            Failure::Idle => f.write_str("timed out (no data)"),
            Failure::Deadline => f.write_str("no complete response in time"),
            Failure::Closed => f.write_str("connection closed before a complete response"),
            Failure::BodyCut => f.write_str("response body cut off"),
            Failure::Protocol(p) => write!(f, "malformed response: {p}"),
            Failure::TooLarge(max) => write!(f, "response body larger than {max} bytes"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Connecting,
    Waiting,
}

/// What feeding bytes produced.
pub(crate) struct Fed {
    /// Body bytes of a streamed 200 response, in order.
    pub(crate) streamed: Vec<u8>,
    /// The exchange is over.
    pub(crate) done: Option<Outcome>,
}

/// An exchange in flight. (Its `Debug` leaves out the request bytes,
/// which hold credentials.)
pub(crate) struct Exchange {
    request: Option<Vec<u8>>,
    parser: ResponseParser,
    phase: Phase,
    head: Option<ResponseHead>,
    body: Vec<u8>,
    max_body: usize,
    stream: bool,
    timeouts: Timeouts,
    idle_by: Instant,
    head_by: Instant,
    total_by: Instant,
    /// On a connection kept from an earlier exchange: the request bytes,
    /// to send again on a fresh connection if this one turns out stale.
    pub(crate) resend: Option<Vec<u8>>,
    /// Whether any byte of the response arrived.
    pub(crate) got_bytes: bool,
    /// Whether the complete response allows reusing the connection.
    pub(crate) keep_alive: bool,
}

impl std::fmt::Debug for Exchange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Exchange")
            .field("phase", &self.phase)
            .field("status", &self.head.as_ref().map(|h| h.status))
            .field("body_len", &self.body.len())
            .field("deadline", &self.deadline())
            .finish_non_exhaustive()
    }
}

impl Exchange {
    /// A new exchange waiting for its connection.
    pub(crate) fn new(
        request: Vec<u8>,
        now: Instant,
        timeouts: Timeouts,
        max_body: usize,
        stream: bool,
    ) -> Self {
        Exchange {
            request: Some(request),
            parser: ResponseParser::new(Limits::default()),
            phase: Phase::Connecting,
            head: None,
            body: Vec::new(),
            max_body,
            stream,
            timeouts,
            idle_by: now + timeouts.idle,
            head_by: now + timeouts.head,
            total_by: now + timeouts.total,
            resend: None,
            got_bytes: false,
            keep_alive: false,
        }
    }

    /// The request goes out at once on a connection kept open from an
    /// earlier exchange: the bytes to transmit.
    pub(crate) fn on_kept(&mut self, now: Instant) -> Vec<u8> {
        let bytes = self.request.take().unwrap_or_default();
        self.resend = Some(bytes.clone());
        self.phase = Phase::Waiting;
        self.idle_by = now + self.timeouts.idle;
        bytes
    }

    /// The same exchange from the start on a fresh connection (the kept one
    /// was stale). The head and total deadlines still count from the start.
    pub(crate) fn restart(&mut self, now: Instant) {
        self.request = self.resend.take();
        self.parser = ResponseParser::new(Limits::default());
        self.phase = Phase::Connecting;
        self.head = None;
        self.body.clear();
        self.got_bytes = false;
        self.keep_alive = false;
        self.idle_by = now + self.timeouts.idle;
    }

    /// The connection is up: the request bytes to transmit.
    pub(crate) fn on_connected(&mut self, now: Instant) -> Option<Vec<u8>> {
        if self.phase != Phase::Connecting {
            return None;
        }
        self.phase = Phase::Waiting;
        self.idle_by = now + self.timeouts.idle;
        self.request.take()
    }

    /// Whether the body of the response goes out as it arrives.
    fn streaming(head: Option<&ResponseHead>, stream: bool) -> bool {
        stream && head.is_some_and(|h| h.status == 200)
    }

    /// Bytes arrived. Streamed body bytes and the end come back together,
    /// in order: whoever reads the stream sees every byte before the end.
    pub(crate) fn on_data(&mut self, now: Instant, data: &[u8]) -> Fed {
        let mut fed = Fed {
            streamed: Vec::new(),
            done: None,
        };
        if self.phase == Phase::Connecting {
            fed.done = Some(Outcome::Failed(Failure::Protocol(
                "data before the connection was up".into(),
            )));
            return fed;
        }
        self.idle_by = now + self.timeouts.idle;
        self.got_bytes |= !data.is_empty();
        let mut ended = None;
        let mut extra = false;
        let mut overflow = false;
        let Exchange {
            parser,
            head,
            body,
            max_body,
            stream,
            ..
        } = self;
        let streamed = &mut fed.streamed;
        let result = parser.feed(data, &mut |ev: ResponseEvent<'_>| match ev {
            // Anything after the end: the server is ahead of us; do not
            // keep this connection.
            ResponseEvent::Head(_) | ResponseEvent::Data(_) | ResponseEvent::End { .. }
                if ended.is_some() =>
            {
                extra = true
            }
            ResponseEvent::Head(h) => *head = Some(h),
            ResponseEvent::Data(d) if Self::streaming(head.as_ref(), *stream) => {
                streamed.extend_from_slice(d)
            }
            ResponseEvent::Data(d) if body.len() + d.len() > *max_body => overflow = true,
            ResponseEvent::Data(d) => body.extend_from_slice(d),
            ResponseEvent::End { keep_alive } => ended = Some(keep_alive),
        });
        fed.done = if overflow {
            Some(Outcome::Failed(Failure::TooLarge(self.max_body)))
        } else if let Some(keep_alive) = ended {
            // Junk after a complete response spoils the connection, not
            // the response.
            self.keep_alive = keep_alive && !extra && result.is_ok();
            Some(self.complete())
        } else if let Err(e) = result {
            Some(Outcome::Failed(Failure::Protocol(e.to_string())))
        } else {
            None
        };
        fed
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

    /// The connection closed: what was left of the stream, and the end.
    pub(crate) fn on_closed(&mut self) -> Fed {
        let mut fed = Fed {
            streamed: Vec::new(),
            done: None,
        };
        if self.phase == Phase::Connecting {
            fed.done = Some(Outcome::Failed(Failure::NotSent));
            return fed;
        }
        let mut ended = false;
        let mut tail = Vec::new();
        let result = self.parser.close(&mut |ev| match ev {
            ResponseEvent::Data(d) => tail.extend_from_slice(d),
            ResponseEvent::End { .. } => ended = true,
            ResponseEvent::Head(_) => {}
        });
        if Self::streaming(self.head.as_ref(), self.stream) {
            fed.streamed = tail;
        } else if self.body.len() + tail.len() <= self.max_body {
            self.body.extend_from_slice(&tail);
        } else {
            fed.done = Some(Outcome::Failed(Failure::TooLarge(self.max_body)));
            return fed;
        }
        fed.done = Some(match result {
            Ok(()) if ended => self.complete(),
            Ok(()) => Outcome::Failed(Failure::Closed),
            Err(HttpError::IncompleteBody) => Outcome::Failed(Failure::BodyCut),
            Err(HttpError::IncompleteHead) => Outcome::Failed(Failure::Closed),
            Err(e) => Outcome::Failed(Failure::Protocol(e.to_string())),
        });
        fed
    }

    /// When the next deadline falls.
    pub(crate) fn deadline(&self) -> Instant {
        let mut at = self.idle_by.min(self.total_by);
        if self.head.is_none() {
            at = at.min(self.head_by);
        }
        at
    }

    /// Which deadline has passed, if any.
    pub(crate) fn expired(&self, now: Instant) -> Option<Failure> {
        if now >= self.total_by || (self.head.is_none() && now >= self.head_by) {
            Some(Failure::Deadline)
        } else if now >= self.idle_by {
            Some(match self.phase {
                Phase::Connecting => Failure::NotSent,
                Phase::Waiting => Failure::Idle,
            })
        } else {
            None
        }
    }
}
