//! Errors in Google's envelope: `{"error": {"code", "message", "status",
//! "details": [...]}}`, with the canonical status names and their HTTP codes.

use serde_json::{json, Value};

/// A canonical status of google.rpc.Code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    InvalidArgument,
    FailedPrecondition,
    Unauthenticated,
    PermissionDenied,
    NotFound,
    AlreadyExists,
    ResourceExhausted,
    Internal,
    Unavailable,
}

impl Status {
    /// The name in `error.status`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Status::InvalidArgument => "INVALID_ARGUMENT",
            Status::FailedPrecondition => "FAILED_PRECONDITION",
            Status::Unauthenticated => "UNAUTHENTICATED",
            Status::PermissionDenied => "PERMISSION_DENIED",
            Status::NotFound => "NOT_FOUND",
            Status::AlreadyExists => "ALREADY_EXISTS",
            Status::ResourceExhausted => "RESOURCE_EXHAUSTED",
            Status::Internal => "INTERNAL",
            Status::Unavailable => "UNAVAILABLE",
        }
    }

    /// The HTTP status that carries it.
    pub(crate) fn http(self) -> u16 {
        match self {
            Status::InvalidArgument | Status::FailedPrecondition => 400,
            Status::Unauthenticated => 401,
            Status::PermissionDenied => 403,
            Status::NotFound => 404,
            Status::AlreadyExists => 409,
            Status::ResourceExhausted => 429,
            Status::Internal => 500,
            Status::Unavailable => 503,
        }
    }

    /// The status an injected HTTP code stands for (500, 503, 429; others
    /// are INTERNAL).
    pub(crate) fn from_http(code: u16) -> Status {
        match code {
            400 => Status::InvalidArgument,
            401 => Status::Unauthenticated,
            403 => Status::PermissionDenied,
            404 => Status::NotFound,
            409 => Status::AlreadyExists,
            429 => Status::ResourceExhausted,
            503 => Status::Unavailable,
            _ => Status::Internal,
        }
    }
}

/// An API error on its way to the client.
#[derive(Debug, Clone)]
pub(crate) struct ChatError {
    pub status: Status,
    pub message: String,
    pub details: Vec<Value>,
}

/// The result of a handler.
pub(crate) type ChatResult<T> = Result<T, ChatError>;

impl ChatError {
    pub(crate) fn new(status: Status, message: impl Into<String>) -> Self {
        ChatError {
            status,
            message: message.into(),
            details: Vec::new(),
        }
    }

    /// INVALID_ARGUMENT with a BadRequest naming `field`.
    pub(crate) fn invalid(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        ChatError::new(Status::InvalidArgument, message.clone()).with_detail(json!({
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": [{"field": field, "description": message}],
        }))
    }

    pub(crate) fn not_found(what: &str) -> Self {
        ChatError::new(Status::NotFound, format!("{what} not found."))
    }

    pub(crate) fn denied(message: impl Into<String>) -> Self {
        ChatError::new(Status::PermissionDenied, message)
    }

    pub(crate) fn unauthenticated() -> Self {
        ChatError::new(
            Status::Unauthenticated,
            "Request had invalid authentication credentials. Expected OAuth 2 access token, \
             login cookie or other valid authentication credential.",
        )
        .with_detail(error_info("CREDENTIALS_MISSING", json!({})))
    }

    /// 429 with ErrorInfo `RATE_LIMIT_EXCEEDED` and, if given, RetryInfo.
    pub(crate) fn rate_limited(message: &str, retry_delay_ms: Option<u64>) -> Self {
        let mut e = ChatError::new(Status::ResourceExhausted, message).with_detail(error_info(
            "RATE_LIMIT_EXCEEDED",
            json!({
                "quota_metric": "chat.googleapis.com/message_write_requests_per_space",
                "quota_limit": "WriteMessagesPerMinutePerSpace",
                "service": "chat.googleapis.com",
            }),
        ));
        if let Some(ms) = retry_delay_ms {
            e = e.with_detail(json!({
                "@type": "type.googleapis.com/google.rpc.RetryInfo",
                "retryDelay": duration_text(ms),
            }));
        }
        e
    }

    pub(crate) fn with_detail(mut self, detail: Value) -> Self {
        self.details.push(detail);
        self
    }

    /// The envelope.
    pub(crate) fn body(&self) -> Value {
        let mut error = json!({
            "code": self.status.http(),
            "message": self.message,
            "status": self.status.name(),
        });
        if !self.details.is_empty() {
            error["details"] = Value::Array(self.details.clone());
        }
        json!({ "error": error })
    }
}

fn error_info(reason: &str, metadata: Value) -> Value {
    json!({
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        "reason": reason,
        "domain": "googleapis.com",
        "metadata": metadata,
    })
}

/// A google.protobuf.Duration in JSON: `"7s"`, `"1.500s"`.
pub(crate) fn duration_text(ms: u64) -> String {
    if ms % 1000 == 0 {
        format!("{}s", ms / 1000)
    } else {
        format!("{}.{:03}s", ms / 1000, ms % 1000)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_and_codes() {
        let e = ChatError::invalid("text", "too long").body();
        assert_eq!(e["error"]["code"], 400);
        assert_eq!(e["error"]["status"], "INVALID_ARGUMENT");
        assert_eq!(
            e["error"]["details"][0]["fieldViolations"][0]["field"],
            "text"
        );
        assert_eq!(Status::from_http(503).http(), 503);
        assert_eq!(Status::from_http(429).name(), "RESOURCE_EXHAUSTED");
        assert_eq!(duration_text(7000), "7s");
        assert_eq!(duration_text(1500), "1.500s");
        let r = ChatError::rate_limited("x", Some(2000)).body();
        assert_eq!(r["error"]["details"][1]["retryDelay"], "2s");
    }
}
