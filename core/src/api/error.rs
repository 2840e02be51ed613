//! The chat API's error type and the retry policy of PROTOCOL.md §2.4.

use std::time::Duration;

/// How many times one chat API call (or channel POST, or upload step) is
/// attempted before its last transport error is reported (hangups'
/// `MAX_RETRIES`). Attempts follow one another immediately, with no delay.
pub const MAX_ATTEMPTS: u32 = 3;

/// How long the adapter may take to open a connection before the attempt
/// counts as an [`ApiError::Transport`] failure.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// How long reading a response body may stall before the attempt counts as
/// an [`ApiError::Transport`] failure. Waiting for the response head has no
/// limit in hangups (PROTOCOL.md §2.4).
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a chat API call failed.
///
/// Only [`ApiError::Transport`] is worth another attempt
/// ([`ApiError::is_retryable`]); everything else is final.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ApiError {
    /// The exchange did not complete: the connection could not be opened,
    /// it closed before a complete response, or a read timed out.
    /// Retried up to [`MAX_ATTEMPTS`] times in all.
    #[error("Request failed: {0}")]
    Transport(String),
    /// The server answered, but the response was malformed HTTP or its
    /// body was larger than allowed. Not retried: the call may have taken
    /// effect, and asking again would get the same answer.
    #[error("Bad response: {0}")]
    BadResponse(String),
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

/// The HTTP status check every `fetch` makes: a complete response with a
/// status other than 200 is an [`ApiError::Http`] (not retried).
pub fn check_http_status(status: u16, reason: &str) -> Result<(), ApiError> {
    if status == 200 {
        Ok(())
    } else {
        Err(ApiError::Http {
            status,
            reason: reason.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_transport_errors_are_retried() {
        assert!(ApiError::Transport("connection reset".into()).is_retryable());
        let final_errors = [
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
    fn http_status_check() {
        assert!(check_http_status(200, "OK").is_ok());
        match check_http_status(502, "Bad Gateway") {
            Err(ApiError::Http { status, reason }) => {
                assert_eq!((status, reason.as_str()), (502, "Bad Gateway"));
            }
            other => panic!("{other:?}"),
        }
    }
}
