//! The chat API's error type and the retry policy of PROTOCOL.md §2.4.

use crate::client::UsageError;
use crate::pool::Failure;

/// How many times one chat API call (or channel POST, or upload step) is
/// attempted before its last transport error is reported (hangups'
/// `MAX_RETRIES`). Attempts follow one another immediately, with no delay.
pub const MAX_ATTEMPTS: u32 = 3;

/// Why an exchange got no complete response although the server said
/// nothing wrong: another attempt may succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TransportError {
    /// The connection could not be opened (or closed before it was up):
    /// the request provably never reached the server.
    #[error("could not connect")]
    ConnectFailed,
    /// The connection closed after the request was sent, before a
    /// complete response head (the server may have acted on it).
    #[error("connection closed before a complete response")]
    ClosedBeforeResponse,
    /// The connection closed in the middle of the response body.
    #[error("response body cut off")]
    BodyCut,
    /// A deadline passed.
    #[error("timed out: {0}")]
    TimedOut(Deadline),
}

/// Which deadline of an exchange passed
/// ([`TransportError::TimedOut`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Deadline {
    /// No byte at all for the idle timeout, while connecting or waiting
    /// (`Config::request_timeout`; `Config::push_timeout` on the
    /// long-poll).
    Idle,
    /// The response head, or the whole response, was not complete in time
    /// (`Config::response_timeout`; on the long-poll
    /// `Config::request_timeout` for the head and
    /// `Config::long_poll_lifetime` for the whole).
    Response,
}

impl std::fmt::Display for Deadline {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Deadline::Idle => "no data for the idle timeout",
            Deadline::Response => "no complete response by its deadline",
        })
    }
}

/// Why a response the server sent cannot be used. Not worth another
/// attempt: asking again would get the same answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseError {
    /// Not valid HTTP/1.x: the framing error, as the connection pool
    /// describes it (an [`HttpError`](crate::http::HttpError)'s message,
    /// or bytes before the connection was up).
    #[error("malformed response: {0}")]
    Malformed(String),
    /// The body is larger than `Config::max_response_body`.
    #[error("response body larger than {limit} bytes")]
    TooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
}

/// A pool [`Failure`], sorted: the server's fault or the transport's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum FailureKind {
    Transport(TransportError),
    Response(ResponseError),
}

impl From<Failure> for FailureKind {
    fn from(f: Failure) -> Self {
        use FailureKind::{Response, Transport};
        match f {
            Failure::NotSent => Transport(TransportError::ConnectFailed),
            Failure::Idle => Transport(TransportError::TimedOut(Deadline::Idle)),
            Failure::Deadline => Transport(TransportError::TimedOut(Deadline::Response)),
            Failure::Closed => Transport(TransportError::ClosedBeforeResponse),
            Failure::BodyCut => Transport(TransportError::BodyCut),
            Failure::Protocol(p) => Response(ResponseError::Malformed(p)),
            Failure::TooLarge(limit) => Response(ResponseError::TooLarge { limit }),
        }
    }
}

/// Why a chat API call failed.
///
/// Only [`ApiError::Transport`] is worth another attempt
/// ([`ApiError::is_retryable`]); everything else is final.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// The exchange did not complete: the connection could not be opened,
    /// it closed before a complete response, or a deadline passed.
    /// Retried up to [`MAX_ATTEMPTS`] times in all.
    #[error("Request failed: {0}")]
    Transport(#[source] TransportError),
    /// The server answered, but the response was malformed HTTP or its
    /// body was larger than allowed. Not retried: the call may have taken
    /// effect, and asking again would get the same answer.
    #[error("Bad response: {0}")]
    BadResponse(#[source] ResponseError),
    /// The client is closed (by `disconnect` or a fatal error): the call
    /// was never sent, or its answer will never come. Not retried.
    #[error("the client is closed")]
    Closed,
    /// A complete response whose HTTP status is not 200. Not retried.
    #[error("Request return unexpected status: {status}: {reason}")]
    Http {
        /// The HTTP status code.
        status: u16,
        /// The reason phrase the server sent.
        reason: String,
    },
    /// The response body is not valid base64 (after discarding characters
    /// outside the base64 alphabet).
    #[error("Failed to decode base64 response: {0}")]
    Base64(#[source] base64::DecodeError),
    /// The decoded response is not a valid protobuf of the expected type.
    #[error("Failed to decode Protocol Buffer response: {0}")]
    Protobuf(#[source] hangups_proto::DecodeError),
    /// The server answered, but `response_header.status` is not
    /// `RESPONSE_STATUS_OK`. A response without a header reports status 0.
    #[error("Request failed with status {status}: '{description}'")]
    Status {
        /// The `ResponseStatus` number (0 when the header is missing).
        status: i32,
        /// The header's `error_description` (empty when absent).
        description: String,
    },
    /// The request's origin (scheme, host and port) is not on the
    /// allow-list, so no request (and no credential) was sent to it.
    #[error("refusing to send credentials to host {host:?}: not on the allow-list")]
    HostNotAllowed {
        /// The refused origin, `scheme://host[:port]`.
        host: String,
    },
    /// The session cookies have no `SAPISID`, so no SAPISIDHASH can be made.
    #[error("the session cookies contain no SAPISID cookie")]
    MissingSapisid,
    /// A cookie name or value (or the origin) cannot be written into a
    /// header: control characters, or a name that is not an HTTP token, or
    /// a `;` in a value. The value itself is never reported.
    #[error("cookie {name:?} cannot be sent in a header")]
    InvalidCookie {
        /// The cookie's name (`"origin"` for an invalid origin).
        name: String,
    },
}

impl ApiError {
    /// Whether another attempt may succeed: true only for transport
    /// failures (PROTOCOL.md §2.4).
    pub fn is_retryable(&self) -> bool {
        matches!(self, ApiError::Transport(_))
    }
}

impl From<FailureKind> for ApiError {
    fn from(f: FailureKind) -> Self {
        match f {
            FailureKind::Transport(t) => ApiError::Transport(t),
            FailureKind::Response(r) => ApiError::BadResponse(r),
        }
    }
}

impl From<UsageError> for ApiError {
    /// [`UsageError::Closed`] is [`ApiError::Closed`].
    fn from(e: UsageError) -> Self {
        match e {
            UsageError::Closed => ApiError::Closed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_transport_errors_are_retried() {
        for t in [
            TransportError::ConnectFailed,
            TransportError::ClosedBeforeResponse,
            TransportError::BodyCut,
            TransportError::TimedOut(Deadline::Idle),
            TransportError::TimedOut(Deadline::Response),
        ] {
            assert!(ApiError::Transport(t).is_retryable(), "{t}");
        }
        let final_errors = [
            ApiError::Closed,
            ApiError::BadResponse(ResponseError::TooLarge { limit: 10 }),
            ApiError::BadResponse(ResponseError::Malformed("x".into())),
            ApiError::Http {
                status: 500,
                reason: "Internal Server Error".into(),
            },
            ApiError::Status {
                status: 3,
                description: "x".into(),
            },
            ApiError::HostNotAllowed {
                host: "example.com".into(),
            },
            ApiError::MissingSapisid,
            ApiError::InvalidCookie { name: "SID".into() },
        ];
        for e in final_errors {
            assert!(!e.is_retryable(), "{e}");
        }
    }

    #[test]
    fn messages_match_hangups() {
        let e = ApiError::Status {
            status: 3,
            description: "description".into(),
        };
        assert_eq!(e.to_string(), "Request failed with status 3: 'description'");
        let e = ApiError::Http {
            status: 403,
            reason: "Forbidden".into(),
        };
        assert_eq!(
            e.to_string(),
            "Request return unexpected status: 403: Forbidden"
        );
    }

    #[test]
    fn pool_failures_sort_into_transport_and_response_errors() {
        use FailureKind::{Response, Transport};
        let cases = [
            (Failure::NotSent, Transport(TransportError::ConnectFailed)),
            (
                Failure::Idle,
                Transport(TransportError::TimedOut(Deadline::Idle)),
            ),
            (
                Failure::Deadline,
                Transport(TransportError::TimedOut(Deadline::Response)),
            ),
            (
                Failure::Closed,
                Transport(TransportError::ClosedBeforeResponse),
            ),
            (Failure::BodyCut, Transport(TransportError::BodyCut)),
            (
                Failure::Protocol("bad".into()),
                Response(ResponseError::Malformed("bad".into())),
            ),
            (
                Failure::TooLarge(7),
                Response(ResponseError::TooLarge { limit: 7 }),
            ),
        ];
        for (failure, kind) in cases {
            // What the pool says about a failure and how it is sorted agree.
            assert_eq!(failure.server_answered(), matches!(kind, Response(_)));
            assert_eq!(FailureKind::from(failure), kind);
        }
    }

    #[test]
    fn messages_say_what_failed() {
        let e = ApiError::Transport(TransportError::TimedOut(Deadline::Idle));
        assert_eq!(
            e.to_string(),
            "Request failed: timed out: no data for the idle timeout"
        );
        let e = ApiError::BadResponse(ResponseError::TooLarge { limit: 5 });
        assert_eq!(
            e.to_string(),
            "Bad response: response body larger than 5 bytes"
        );
        assert_eq!(ApiError::Closed.to_string(), UsageError::Closed.to_string());
        assert!(matches!(
            ApiError::from(UsageError::Closed),
            ApiError::Closed
        ));
        let source = std::error::Error::source(&ApiError::Transport(TransportError::BodyCut));
        assert_eq!(
            source.map(ToString::to_string).as_deref(),
            Some("response body cut off")
        );
    }
}
