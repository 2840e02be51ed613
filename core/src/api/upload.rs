//! Image upload (PROTOCOL.md §6) as two sans-IO steps: open an upload
//! session, then send the bytes to the URL the server returned.

use std::io;

use serde::Serialize;
use serde_json::Value;

use super::error::{FailureKind, ResponseError, TransportError};
use super::origin::OriginAllowList;
use super::session::{apply_auth, AuthHeaders};
use super::url::split_url;
use super::ApiEndpoint;
use crate::client::UsageError;
use crate::http::{Method, Request};

const RUPIO: &str = "uploader_service.GoogleRupioAdditionalInfo";

/// A finished upload: the id to put in
/// `SendChatMessageRequest.existing_media.photo.photo_id`, and the image URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadedImage {
    /// The photo id (`customerSpecificInfo.photoid`).
    pub photo_id: String,
    /// The image URL (`customerSpecificInfo.url`).
    pub url: String,
}

/// Why an image upload failed. The messages follow hangups'
/// `NetworkError("image upload failed: …")`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UploadError {
    /// No complete response: the connection failed, closed early or timed
    /// out (reported by the client that drives the upload).
    #[error("image upload failed: {0}")]
    Transport(#[source] TransportError),
    /// The server's response is malformed HTTP or too large (reported by
    /// the client that drives the upload).
    #[error("image upload failed: {0}")]
    BadResponse(#[source] ResponseError),
    /// The client is closed (by `disconnect` or a fatal error): the upload
    /// was never started, or its answer will never come.
    #[error("image upload failed: the client is closed")]
    Closed,
    /// A complete response with an HTTP status other than 200.
    #[error("image upload failed: unexpected HTTP status {status}")]
    Http {
        /// The HTTP status code.
        status: u16,
    },
    /// The response body is not JSON (or the request body could not be
    /// written).
    #[error("image upload failed: invalid JSON: {0}")]
    Json(#[source] serde_json::Error),
    /// The session response has no
    /// `sessionStatus.externalFieldTransfers[0].putInfo.url` string.
    #[error("image upload failed: can not acquire an upload url")]
    NoUploadUrl,
    /// The upload response has no `photoid` and `url` under
    /// `sessionStatus.additionalInfo[…].completionInfo.customerSpecificInfo`.
    #[error("image upload failed: can not fetch upload info")]
    NoUploadInfo,
    /// The response has no `sessionStatus` but an `errorMessage` with a
    /// status and message.
    #[error("image upload failed: {status} : {message}")]
    Rejected {
        /// The error's `status`, as text.
        status: String,
        /// The error's `message`, as text.
        message: String,
    },
    /// The response has neither `sessionStatus` nor a readable
    /// `errorMessage`.
    #[error("image upload failed: unknown reason")]
    UnknownReason,
    /// The upload URL the server returned cannot be used.
    #[error("image upload failed: invalid upload url: {reason}")]
    InvalidUploadUrl {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The upload server, or the upload URL the server returned, is not an
    /// origin on the allow-list (same scheme, host and port; another port of
    /// an allowed host or plain HTTP to a Google host is not). Nothing was
    /// built, so neither a credential nor the image goes there.
    #[error("image upload failed: refusing to send credentials to {host}")]
    HostNotAllowed {
        /// The refused origin, `scheme://host[:port]`.
        host: String,
    },
    /// The image is not the size announced to [`ImageUpload::start`].
    #[error("image upload failed: announced {announced} bytes, got {actual}")]
    SizeMismatch {
        /// The size given to `start`.
        announced: usize,
        /// The image's length.
        actual: usize,
    },
    /// A step was called out of order, or after the upload ended.
    #[error("image upload step called out of order")]
    OutOfOrder,
}

impl From<FailureKind> for UploadError {
    fn from(f: FailureKind) -> Self {
        match f {
            FailureKind::Transport(t) => UploadError::Transport(t),
            FailureKind::Response(r) => UploadError::BadResponse(r),
        }
    }
}

impl From<UsageError> for UploadError {
    /// [`UsageError::Closed`] is [`UploadError::Closed`].
    fn from(e: UsageError) -> Self {
        match e {
            UsageError::Closed => UploadError::Closed,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    AwaitingSession,
    AwaitingUpload,
    Finished,
}

/// One image upload in progress. Each step takes the previous response
/// and returns the next request; any error ends the upload.
///
/// ```
/// use hangups_core::api::*;
///
/// let cookies: Cookies = [("SAPISID", "abc")].into_iter().collect();
/// let auth = AuthHeaders::new(&cookies, 1_234_567_890)?;
/// let allow = OriginAllowList::default();
/// let image = b"\x89PNG...".to_vec();
/// let (mut upload, first) = ImageUpload::start(
///     "cat.png", image.len(), &ApiEndpoint::google_upload(), API_KEY, &auth, &allow,
/// )?;
/// assert_eq!(first.path, "/upload/photos/resumable");
/// // … send `first`; with its response:
/// let body = br#"{"sessionStatus": {"externalFieldTransfers": [
///     {"putInfo": {"url": "https://docs.google.com/upload/photos/resumable?upload_id=u1"}}]}}"#;
/// let second = upload.on_session_response(200, body, image)?;
/// assert_eq!(second.header("content-type"), Some("application/octet-stream"));
/// // … send `second`; with its response:
/// let body = br#"{"sessionStatus": {"additionalInfo": {"uploader_service.GoogleRupioAdditionalInfo":
///     {"completionInfo": {"customerSpecificInfo": {"photoid": "p1", "url": "https://x/p1"}}}}}}"#;
/// let image = upload.on_upload_response(200, body)?;
/// assert_eq!(image.photo_id, "p1");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct ImageUpload {
    step: Step,
    size: usize,
    api_key: String,
    auth: AuthHeaders,
    allow: OriginAllowList,
}

impl ImageUpload {
    /// Starts uploading an image of `size` bytes called `filename` (the
    /// basename): returns the upload and the session request,
    /// `POST /upload/photos/resumable?alt=json&key=<api_key>` to `upload`
    /// ([`ApiEndpoint::google_upload`] for Google) with the JSON body of
    /// PROTOCOL.md §6, written as Python's `json.dumps` writes it. An
    /// `upload` endpoint whose origin is not on `allow` is refused
    /// ([`UploadError::HostNotAllowed`]).
    pub fn start(
        filename: &str,
        size: usize,
        upload: &ApiEndpoint,
        api_key: &str,
        auth: &AuthHeaders,
        allow: &OriginAllowList,
    ) -> Result<(ImageUpload, Request), UploadError> {
        let origin = upload.origin();
        if !allow.allows(&origin) {
            return Err(UploadError::HostNotAllowed {
                host: origin.to_string(),
            });
        }
        let body = session_body(filename, size)?;
        let mut req = Request::new(
            Method::Post,
            &upload.host,
            upload.port,
            upload.tls,
            "/upload/photos/resumable",
        )
        .with_query("alt", "json")
        .with_query("key", api_key)
        .with_header(
            "content-type",
            "application/x-www-form-urlencoded;charset=UTF-8",
        )
        .with_header("X-Goog-Encode-Response-If-Executable", "base64")
        .with_body(body);
        apply_auth(&mut req, auth, allow);
        let upload = ImageUpload {
            step: Step::AwaitingSession,
            size,
            api_key: api_key.to_string(),
            auth: auth.clone(),
            allow: allow.clone(),
        };
        Ok((upload, req))
    }

    /// Takes the session response (HTTP `status` and body) and returns the
    /// request that uploads `image` to the URL the server gave, with
    /// `alt=json&key=…` appended to its query,
    /// `content-type: application/octet-stream` and the credentials.
    ///
    /// The URL must be an origin on the allow-list exactly (same scheme,
    /// host and port as an allowed origin), or the upload is refused with
    /// [`UploadError::HostNotAllowed`] and ends. It is refused rather than
    /// sent without credentials: the upload server needs the session to
    /// take the bytes, so a credential-less PUT could only fail, and it
    /// would still hand the user's image to a server nobody allowed.
    pub fn on_session_response(
        &mut self,
        status: u16,
        body: &[u8],
        image: Vec<u8>,
    ) -> Result<Request, UploadError> {
        self.expect(Step::AwaitingSession)?;
        let result = self.upload_request(status, body, image);
        self.step = match result {
            Ok(_) => Step::AwaitingUpload,
            Err(_) => Step::Finished,
        };
        result
    }

    /// Takes the upload response and returns the uploaded image's id and
    /// URL. Ends the upload.
    pub fn on_upload_response(
        &mut self,
        status: u16,
        body: &[u8],
    ) -> Result<UploadedImage, UploadError> {
        self.expect(Step::AwaitingUpload)?;
        self.step = Step::Finished;
        let session = session_status(status, body)?;
        let info = session
            .get("additionalInfo")
            .and_then(|v| v.get(RUPIO))
            .and_then(|v| v.get("completionInfo"))
            .and_then(|v| v.get("customerSpecificInfo"))
            .ok_or(UploadError::NoUploadInfo)?;
        let field = |name: &str| info.get(name).and_then(scalar_text);
        match (field("photoid"), field("url")) {
            (Some(photo_id), Some(url)) => Ok(UploadedImage { photo_id, url }),
            _ => Err(UploadError::NoUploadInfo),
        }
    }

    fn expect(&self, step: Step) -> Result<(), UploadError> {
        if self.step == step {
            Ok(())
        } else {
            Err(UploadError::OutOfOrder)
        }
    }

    fn upload_request(
        &self,
        status: u16,
        body: &[u8],
        image: Vec<u8>,
    ) -> Result<Request, UploadError> {
        let session = session_status(status, body)?;
        let url = session
            .get("externalFieldTransfers")
            .and_then(|v| v.get(0))
            .and_then(|v| v.get("putInfo"))
            .and_then(|v| v.get("url"))
            .and_then(Value::as_str)
            .ok_or(UploadError::NoUploadUrl)?;
        let url = split_url(url).map_err(|reason| UploadError::InvalidUploadUrl { reason })?;
        let origin = url.origin();
        if !self.allow.allows(&origin) {
            return Err(UploadError::HostNotAllowed {
                host: origin.to_string(),
            });
        }
        if image.len() != self.size {
            return Err(UploadError::SizeMismatch {
                announced: self.size,
                actual: image.len(),
            });
        }
        let mut req = Request::new(Method::Post, &url.host, url.port, url.tls, &url.path);
        req.query = url.query;
        req = req
            .with_query("alt", "json")
            .with_query("key", &self.api_key)
            .with_header("content-type", "application/octet-stream")
            .with_header("X-Goog-Encode-Response-If-Executable", "base64")
            .with_body(image);
        apply_auth(&mut req, &self.auth, &self.allow);
        Ok(req)
    }
}

/// The HTTP status check, the JSON parse, and `sessionStatus` (or the
/// error the response carries instead), as hangups'
/// `_get_upload_session_status`.
fn session_status(status: u16, body: &[u8]) -> Result<Value, UploadError> {
    if status != 200 {
        return Err(UploadError::Http { status });
    }
    let mut response: Value = serde_json::from_slice(body).map_err(UploadError::Json)?;
    if let Some(session) = response.get_mut("sessionStatus") {
        return Ok(session.take());
    }
    let info = response
        .get("errorMessage")
        .and_then(|v| v.get("additionalInfo"))
        .and_then(|v| v.get(RUPIO))
        .and_then(|v| v.get("completionInfo"))
        .and_then(|v| v.get("customerSpecificInfo"));
    let status = info.and_then(|i| i.get("status"));
    let message = info.and_then(|i| i.get("message"));
    match (status, message) {
        (Some(status), Some(message)) => Err(UploadError::Rejected {
            status: python_str(status),
            message: python_str(message),
        }),
        _ => Err(UploadError::UnknownReason),
    }
}

/// A JSON string as itself, a number as its text; anything else is absent.
fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Roughly Python's `str()` of a decoded JSON value: strings bare,
/// anything else as JSON text.
fn python_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreateSession<'a> {
    protocol_version: &'static str,
    create_session_request: SessionRequest<'a>,
}

#[derive(Serialize)]
struct SessionRequest<'a> {
    fields: [Field<'a>; 1],
}

#[derive(Serialize)]
struct Field<'a> {
    external: External<'a>,
}

#[derive(Serialize)]
struct External<'a> {
    name: &'static str,
    filename: &'a str,
    put: Empty,
    size: usize,
}

#[derive(Serialize)]
struct Empty {}

/// The session request body, byte for byte as hangups' `json.dumps` writes
/// it: `", "` and `": "` separators and non-ASCII escaped as `\uXXXX`.
fn session_body(filename: &str, size: usize) -> Result<Vec<u8>, UploadError> {
    let body = CreateSession {
        protocol_version: "0.8",
        create_session_request: SessionRequest {
            fields: [Field {
                external: External {
                    name: "file",
                    filename,
                    put: Empty {},
                    size,
                },
            }],
        },
    };
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, PythonFormatter);
    body.serialize(&mut ser).map_err(UploadError::Json)?;
    Ok(out)
}

/// `json.dumps` defaults: `", "` and `": "`, `ensure_ascii=True`.
struct PythonFormatter;

impl serde_json::ser::Formatter for PythonFormatter {
    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            w.write_all(b", ")
        }
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if first {
            Ok(())
        } else {
            w.write_all(b", ")
        }
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, w: &mut W) -> io::Result<()> {
        w.write_all(b": ")
    }

    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        w: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        for c in fragment.chars() {
            if (' '..='~').contains(&c) {
                let mut buf = [0u8; 1];
                w.write_all(c.encode_utf8(&mut buf).as_bytes())?;
            } else {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    write!(w, "\\u{unit:04x}")?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
