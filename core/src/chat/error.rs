//! Errors of the Chat API client: the Google error envelope, decoded
//! into typed details, and what went wrong on this side.

use super::names::NameError;
use crate::api::{ResponseError, TransportError};
use serde_json::Value;
use std::collections::BTreeMap;
use std::time::Duration;

/// Why a Chat API call failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ChatError {
    /// The server answered with an error (a non-2xx status).
    #[error("{0}")]
    Api(GoogleError),
    /// No complete response: the connection failed, closed or timed out.
    #[error("request failed: {0}")]
    Transport(#[source] TransportError),
    /// The response was malformed HTTP or larger than allowed.
    #[error("bad response: {0}")]
    BadResponse(#[source] ResponseError),
    /// A 2xx response whose body is not the expected JSON.
    #[error("undecodable response body (HTTP {status}): {reason}")]
    Decode {
        /// The HTTP status.
        status: u16,
        /// What serde_json said.
        reason: String,
    },
    /// The request was refused before anything was sent.
    #[error("invalid request: {0}")]
    Invalid(#[source] InvalidRequest),
    /// The client is closed: the call was never sent or its answer never came.
    #[error("the chat client is closed")]
    Closed,
    /// The service account's token endpoint refused the assertion
    /// (`invalid_grant`, `invalid_scope`, …).
    #[error(transparent)]
    Token(#[from] super::service_account::TokenError),
    /// The user's refresh token (or authorization code) was refused with
    /// `invalid_grant`: it is expired, revoked or already used. Sign in
    /// again (and drop the stored token).
    #[error("the refresh token was refused (expired or revoked): sign in again: {0}")]
    BadRefreshToken(super::service_account::TokenError),
    /// The signer could not sign the service account's assertion.
    #[error(transparent)]
    Sign(#[from] super::service_account::SignError),
    /// The service account key file was refused.
    #[error(transparent)]
    Key(#[from] super::service_account::KeyError),
}

impl ChatError {
    /// Whether another attempt may succeed: HTTP 429, 500, 502, 503, 504
    /// and transport failures. (Whether the client *may* retry also
    /// depends on the request being idempotent; see the client docs.)
    pub fn is_retryable(&self) -> bool {
        match self {
            ChatError::Api(e) => e.is_retryable(),
            ChatError::Transport(_) => true,
            _ => false,
        }
    }

    /// How long the server asked to wait before another attempt: the
    /// larger of `Retry-After` and `RetryInfo.retryDelay`, if any.
    pub fn retry_delay(&self) -> Option<Duration> {
        match self {
            ChatError::Api(e) => e.retry_delay(),
            _ => None,
        }
    }
}

impl From<InvalidRequest> for ChatError {
    fn from(e: InvalidRequest) -> Self {
        ChatError::Invalid(e)
    }
}

impl From<NameError> for ChatError {
    fn from(e: NameError) -> Self {
        ChatError::Invalid(InvalidRequest::Name(e))
    }
}

/// Why a request was refused before it was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InvalidRequest {
    /// A bad resource name or client-assigned id.
    #[error(transparent)]
    Name(#[from] NameError),
    /// `pageSize` outside `1..=1000`.
    #[error("page size {0} is outside 1..=1000")]
    PageSize(u32),
    /// The message text is longer than the API allows.
    #[error("message text is {bytes} bytes; the limit is {limit}")]
    TextTooLong {
        /// The text's length in bytes.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// A card of `cardsV2` (the `i`-th) whose JSON is larger than the
    /// API's 32 KB per card ([`MAX_CARD_BYTES`](super::request::MAX_CARD_BYTES)).
    #[error("card {index} is {bytes} bytes of JSON; the limit is {limit}")]
    CardTooLarge {
        /// Its position in `cardsV2`.
        index: usize,
        /// Its size as sent.
        bytes: usize,
        /// The limit.
        limit: usize,
    },
    /// A thread key longer than 4,000 characters.
    #[error("thread key is {0} characters; the limit is 4000")]
    ThreadKeyTooLong(usize),
    /// An update mask path that cannot be updated.
    #[error("update mask path {0:?} is not one of text, attachment, cards, cards_v2, accessory_widgets, quoted_message_metadata, *")]
    UpdateMaskPath(String),
    /// An update without a mask (and without `allowMissing`).
    #[error("an update needs a non-empty update mask")]
    EmptyUpdateMask,
    /// `allowMissing` on a message whose id is not client-assigned.
    #[error("allowMissing needs a client-assigned message id (client-…), got {0:?}")]
    AllowMissingNeedsClientId(String),
    /// A list filter with more than one `thread.name` clause.
    #[error("a list filter takes at most one thread.name")]
    FilterThreadTwice,
    /// A timestamp that is not RFC-3339 (`2023-04-21T15:30:00Z`).
    #[error("not an RFC-3339 timestamp: {0:?}")]
    Timestamp(String),
    /// A request id (or other parameter) with control characters or empty.
    #[error("invalid {name}: {value:?}")]
    Parameter {
        /// The parameter's name.
        name: &'static str,
        /// Its value.
        value: String,
    },
    /// Webhook credentials can only create messages.
    #[error("incoming webhooks can only create messages, not {0}")]
    WebhookCreateOnly(&'static str),
    /// Service-account credentials need a wall clock (the JWT's `iat`):
    /// start the client with
    /// [`ChatClient::with_wall_clock`](super::ChatClient::with_wall_clock).
    #[error("service-account credentials need a wall clock: use ChatClient::with_wall_clock")]
    NoWallClock,
    /// A request built with service-account credentials outside a
    /// [`ChatClient`](super::ChatClient), which fetches the access token.
    #[error("service-account credentials need a ChatClient to fetch an access token")]
    NoAccessToken,
    /// The request would go to an origin credentials may not go to.
    #[error("refusing to send credentials to {host:?}: not the configured origin")]
    HostNotAllowed {
        /// The refused origin.
        host: String,
    },
}

/// The error envelope `{"error": {code, message, status, details}}`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("HTTP {http_status} {status}: {message}")]
#[non_exhaustive]
pub struct GoogleError {
    /// The HTTP status of the response.
    pub http_status: u16,
    /// `error.code` (the HTTP status when the body had none).
    pub code: i64,
    /// `error.status`, e.g. `INVALID_ARGUMENT` (empty when absent).
    pub status: String,
    /// `error.message` (or the start of a non-JSON body).
    pub message: String,
    /// `error.details`, decoded where the type is known.
    pub details: Vec<ErrorDetail>,
    /// The `Retry-After` header: its seconds, or the time until its HTTP
    /// date when the client has a wall clock
    /// ([`from_response_at`](GoogleError::from_response_at)).
    pub retry_after: Option<Duration>,
}

/// One entry of `error.details`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ErrorDetail {
    /// `google.rpc.BadRequest`: which fields were wrong.
    BadRequest {
        /// The violations.
        field_violations: Vec<FieldViolation>,
    },
    /// `google.rpc.ErrorInfo`: a machine-readable reason.
    ErrorInfo {
        /// E.g. `RATE_LIMIT_EXCEEDED`.
        reason: String,
        /// E.g. `googleapis.com`.
        domain: String,
        /// E.g. the quota metric and limit.
        metadata: BTreeMap<String, String>,
    },
    /// `google.rpc.RetryInfo`: when to try again.
    RetryInfo {
        /// How long to wait.
        retry_delay: Duration,
    },
    /// `google.rpc.Help`: where to read more.
    Help {
        /// The links.
        links: Vec<HelpLink>,
    },
    /// Any other detail (or a known one that did not decode), verbatim.
    Other(Value),
}

/// One field of a `BadRequest`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldViolation {
    /// The field path.
    pub field: String,
    /// What is wrong with it.
    pub description: String,
}

/// One link of a `Help`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpLink {
    /// What the link is about.
    pub description: String,
    /// The URL.
    pub url: String,
}

const TYPE_PREFIX: &str = "type.googleapis.com/google.rpc.";

impl GoogleError {
    /// Decodes an error response. A body that is not the envelope keeps
    /// its first 200 characters as the message.
    /// A `Retry-After` date is ignored (no clock): see
    /// [`from_response_at`](GoogleError::from_response_at).
    pub fn from_response(http_status: u16, retry_after: Option<&str>, body: &[u8]) -> GoogleError {
        Self::from_response_at(http_status, retry_after, None, body)
    }

    /// [`from_response`](GoogleError::from_response) at `unix_now`
    /// (seconds), which turns a `Retry-After` HTTP date into the time left
    /// until it ([`http_date::retry_after`](super::http_date::retry_after)).
    pub fn from_response_at(
        http_status: u16,
        retry_after: Option<&str>,
        unix_now: Option<u64>,
        body: &[u8],
    ) -> GoogleError {
        let retry_after = retry_after.and_then(|v| super::http_date::retry_after(v, unix_now));
        let envelope = serde_json::from_slice::<Value>(body)
            .ok()
            .and_then(|mut v| v.get_mut("error").map(Value::take))
            .filter(Value::is_object);
        let Some(e) = envelope else {
            let text = String::from_utf8_lossy(body);
            return GoogleError {
                http_status,
                code: i64::from(http_status),
                status: String::new(),
                message: text.chars().take(200).collect(),
                details: Vec::new(),
                retry_after,
            };
        };
        let str_of = |k: &str| e.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        GoogleError {
            http_status,
            code: e
                .get("code")
                .and_then(Value::as_i64)
                .unwrap_or(i64::from(http_status)),
            status: str_of("status"),
            message: str_of("message"),
            details: e
                .get("details")
                .and_then(Value::as_array)
                .map(|d| d.iter().map(ErrorDetail::decode).collect())
                .unwrap_or_default(),
            retry_after,
        }
    }

    /// Whether the status is worth another attempt: 429, 500, 502, 503, 504.
    pub fn is_retryable(&self) -> bool {
        matches!(self.http_status, 429 | 500 | 502 | 503 | 504)
    }

    /// The larger of `Retry-After` and the `RetryInfo` delay, if any.
    pub fn retry_delay(&self) -> Option<Duration> {
        let info = self.details.iter().filter_map(|d| match d {
            ErrorDetail::RetryInfo { retry_delay } => Some(*retry_delay),
            _ => None,
        });
        info.chain(self.retry_after).max()
    }

    /// The `ErrorInfo` reason, if any (e.g. `RATE_LIMIT_EXCEEDED`).
    pub fn reason(&self) -> Option<&str> {
        self.details.iter().find_map(|d| match d {
            ErrorDetail::ErrorInfo { reason, .. } => Some(reason.as_str()),
            _ => None,
        })
    }
}

fn string(v: &Value, k: &str) -> Option<String> {
    match v.get(k) {
        None => Some(String::new()),
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => None,
    }
}

impl ErrorDetail {
    /// Decodes one detail by its `@type`; anything else is kept as `Other`.
    pub fn decode(v: &Value) -> ErrorDetail {
        let kind = v
            .get("@type")
            .and_then(Value::as_str)
            .and_then(|t| t.strip_prefix(TYPE_PREFIX));
        let decoded = match kind {
            Some("BadRequest") => v
                .get("fieldViolations")
                .map_or(Some(Vec::new()), |f| {
                    f.as_array()?
                        .iter()
                        .map(|f| {
                            Some(FieldViolation {
                                field: string(f, "field")?,
                                description: string(f, "description")?,
                            })
                        })
                        .collect()
                })
                .map(|field_violations| ErrorDetail::BadRequest { field_violations }),
            Some("ErrorInfo") => (|| {
                let metadata = match v.get("metadata") {
                    None => BTreeMap::new(),
                    Some(m) => m
                        .as_object()?
                        .iter()
                        .map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                        .collect::<Option<_>>()?,
                };
                Some(ErrorDetail::ErrorInfo {
                    reason: string(v, "reason")?,
                    domain: string(v, "domain")?,
                    metadata,
                })
            })(),
            Some("RetryInfo") => v
                .get("retryDelay")
                .and_then(Value::as_str)
                .and_then(parse_duration)
                .map(|retry_delay| ErrorDetail::RetryInfo { retry_delay }),
            Some("Help") => v
                .get("links")
                .map_or(Some(Vec::new()), |l| {
                    l.as_array()?
                        .iter()
                        .map(|l| {
                            Some(HelpLink {
                                description: string(l, "description")?,
                                url: string(l, "url")?,
                            })
                        })
                        .collect()
                })
                .map(|links| ErrorDetail::Help { links }),
            _ => None,
        };
        decoded.unwrap_or_else(|| ErrorDetail::Other(v.clone()))
    }
}

/// A protobuf JSON `Duration`: decimal seconds with up to 9 fractional
/// digits and an `s` (`"7s"`, `"1.5s"`). Negative or malformed: `None`.
pub fn parse_duration(s: &str) -> Option<Duration> {
    let num = s.strip_suffix('s')?;
    let (secs, frac) = num.split_once('.').unwrap_or((num, ""));
    if secs.is_empty() || !secs.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if frac.len() > 9
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || (num.contains('.') && frac.is_empty())
    {
        return None;
    }
    let secs: u64 = secs.parse().ok()?;
    let nanos: u32 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<9}").parse().ok()?
    };
    Some(Duration::new(secs, nanos))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("7s"), Some(Duration::from_secs(7)));
        assert_eq!(parse_duration("1.5s"), Some(Duration::from_millis(1500)));
        assert_eq!(
            parse_duration("0.000000001s"),
            Some(Duration::from_nanos(1))
        );
        for bad in [
            "7",
            "-1s",
            "1.s",
            ".5s",
            "1.0000000001s",
            "s",
            "1,5s",
            "1e3s",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    #[test]
    fn envelope_with_every_detail_kind() {
        let body = json!({"error": {
        "code": 429, "message": "Quota exceeded", "status": "RESOURCE_EXHAUSTED",
        "details": [
            {"@type": "type.googleapis.com/google.rpc.BadRequest",
             "fieldViolations": [{"field": "message.text", "description": "too long"}]},
            {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "RATE_LIMIT_EXCEEDED",
             "domain": "googleapis.com", "metadata": {"quota_limit": "WritesPerMinute"}},
            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "7s"},
            {"@type": "type.googleapis.com/google.rpc.Help",
             "links": [{"description": "Docs", "url": "https://example.com/h"}]},
            {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": []},
            {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": 7}
        ]}});
        let e = GoogleError::from_response(429, Some("3"), body.to_string().as_bytes());
        assert_eq!(
            (e.http_status, e.code, e.status.as_str()),
            (429, 429, "RESOURCE_EXHAUSTED")
        );
        assert_eq!(e.message, "Quota exceeded");
        assert_eq!(
            e.details[0],
            ErrorDetail::BadRequest {
                field_violations: vec![FieldViolation {
                    field: "message.text".into(),
                    description: "too long".into()
                }]
            }
        );
        assert_eq!(
            e.details[1],
            ErrorDetail::ErrorInfo {
                reason: "RATE_LIMIT_EXCEEDED".into(),
                domain: "googleapis.com".into(),
                metadata: BTreeMap::from([("quota_limit".into(), "WritesPerMinute".into())]),
            }
        );
        assert_eq!(
            e.details[2],
            ErrorDetail::RetryInfo {
                retry_delay: Duration::from_secs(7)
            }
        );
        assert_eq!(
            e.details[3],
            ErrorDetail::Help {
                links: vec![HelpLink {
                    description: "Docs".into(),
                    url: "https://example.com/h".into()
                }]
            }
        );
        assert!(matches!(e.details[4], ErrorDetail::Other(_)));
        assert!(
            matches!(e.details[5], ErrorDetail::Other(_)),
            "malformed RetryInfo kept"
        );
        assert_eq!(e.reason(), Some("RATE_LIMIT_EXCEEDED"));
        assert_eq!(e.retry_after, Some(Duration::from_secs(3)));
        assert_eq!(
            e.retry_delay(),
            Some(Duration::from_secs(7)),
            "the larger wins"
        );
        let e = GoogleError::from_response(429, Some("30"), body.to_string().as_bytes());
        assert_eq!(e.retry_delay(), Some(Duration::from_secs(30)));
        assert!(ChatError::Api(e).is_retryable());
    }

    #[test]
    fn non_envelope_bodies_and_retryable_statuses() {
        let e = GoogleError::from_response(
            502,
            Some("Wed, 21 Oct 2015 07:28:00 GMT"),
            b"<html>Bad Gateway</html>",
        );
        assert_eq!((e.code, e.status.as_str()), (502, ""));
        assert_eq!(e.message, "<html>Bad Gateway</html>");
        assert_eq!(e.retry_after, None);
        for (status, retry) in [
            (400, false),
            (401, false),
            (403, false),
            (404, false),
            (409, false),
            (429, true),
            (500, true),
            (501, false),
            (502, true),
            (503, true),
            (504, true),
        ] {
            let e = GoogleError::from_response(status, None, b"{}");
            assert_eq!(e.is_retryable(), retry, "{status}");
        }
        assert!(ChatError::Transport(TransportError::ConnectFailed).is_retryable());
        assert!(!ChatError::Closed.is_retryable());
        assert!(!ChatError::Invalid(InvalidRequest::EmptyUpdateMask).is_retryable());
    }
}
