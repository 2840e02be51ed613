//! The chat API (PROTOCOL.md §2): one typed request per endpoint, the
//! protobuf body, the credential headers, base64-protobuf response
//! decoding with the status check, and image upload (§6) — all as values
//! in and values out, with no IO.
//!
//! One call goes like this (the `Client` drives it; `unix_secs` and the
//! bytes come from the adapter):
//!
//! ```
//! use hangups_core::api::*;
//! use hangups_core::proto::hangouts::GetSelfInfoRequest;
//!
//! let cookies: Cookies = [("SAPISID", "abc"), ("SID", "x")].into_iter().collect();
//! let auth = AuthHeaders::new(&cookies, 1_234_567_890)?; // once per connect
//! let allow = OriginAllowList::default(); // https://*.google.com on 443
//!
//! let mut call = ApiRequest::from(GetSelfInfoRequest::default());
//! call.set_request_header(request_header("hangups-0.4.18", None));
//! let http = build_request(&ApiEndpoint::google(), API_KEY, &call, &auth, &allow)?;
//! assert_eq!(http.path, "/chat/v1/contacts/getselfinfo");
//!
//! // … the client sends `http`, up to MAX_ATTEMPTS times on transport
//! // errors (ApiError::Transport); a status other than 200 is
//! // ApiError::Http; a 200 response's body is decoded:
//! // let response = call.decode_response(&body)?;
//! # Ok::<(), ApiError>(())
//! ```
//!
//! ## Where this differs from hangups
//!
//! - Credentials are scoped by [`Origin`] (scheme, host and port), not by
//!   host: a request to an origin that is not on the [`OriginAllowList`] is
//!   refused with a typed error ([`ApiError::HostNotAllowed`],
//!   [`UploadError::HostNotAllowed`]) instead of a plain exception. Google's
//!   default allows `https` on port 443 only, so plain HTTP or another port
//!   of a Google host gets nothing; plain HTTP is only ever allowed to an
//!   origin configured exactly (the emulator's `http://127.0.0.1:PORT`), and
//!   a configured server replaces the Google list instead of joining it.
//! - Cookies or an origin that would break the header block (control
//!   characters, `;` in a value, a name that is not a token) are refused
//!   ([`ApiError::InvalidCookie`]) rather than sent.
//! - The image-upload URL returned by the server must be a plain
//!   `http(s)://host[:port]/path?query` URL (no user info, no backslashes,
//!   ASCII only); anything else is [`UploadError::InvalidUploadUrl`].

mod endpoints;
mod error;
mod origin;
mod response;
mod session;
mod upload;
pub(crate) mod url;

pub use endpoints::{client_generated_id, ApiCall, ApiRequest, ApiResponse};
pub(crate) use error::FailureKind;
pub use error::{ApiError, Deadline, ResponseError, TransportError, MAX_ATTEMPTS};
pub use origin::{InvalidOrigin, Origin, OriginAllowList};
pub use session::{apply_auth, sapisidhash, AuthHeaders, Cookies, ORIGIN};
pub use upload::{ImageUpload, UploadError, UploadedImage};

use crate::http::{Method, Request};
use hangups_proto::hangouts::{ClientId, ClientIdentifier, ClientVersion, RequestHeader};

/// The API key hangups sends as `key=` on every chat API and upload call.
pub const API_KEY: &str = "AIzaSyD7InnYR3VKdb4j2rMUEbTCIr2VyEazl6k";

/// The `language_code` of every request header.
pub const LANGUAGE_CODE: &str = "en";

/// Where API calls (or uploads) go: host, port and whether to use TLS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiEndpoint {
    /// Host name or IP literal.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// Whether the connection uses TLS.
    pub tls: bool,
}

impl ApiEndpoint {
    /// An endpoint at `host:port`.
    pub fn new(host: &str, port: u16, tls: bool) -> Self {
        ApiEndpoint {
            host: host.to_string(),
            port,
            tls,
        }
    }

    /// The chat API: `chat-pa.clients6.google.com:443` over TLS.
    pub fn google() -> Self {
        ApiEndpoint::new("chat-pa.clients6.google.com", 443, true)
    }

    /// The image upload service: `docs.google.com:443` over TLS.
    pub fn google_upload() -> Self {
        ApiEndpoint::new("docs.google.com", 443, true)
    }

    /// The endpoint's [`Origin`] (what the allow-list is asked about).
    pub fn origin(&self) -> Origin {
        Origin::new(self.tls, &self.host, self.port)
    }
}

impl Default for ApiEndpoint {
    /// [`ApiEndpoint::google`].
    fn default() -> Self {
        ApiEndpoint::google()
    }
}

/// The request header of PROTOCOL.md §7.1:
/// `client_version{client_id: CLIENT_ID_WEB_HANGOUTS, major_version: version}`,
/// `client_identifier{resource: client_id}` once the channel has delivered
/// a client id (omitted before), and `language_code: "en"`.
///
/// hangups sends `version = "hangups-<version>"`.
pub fn request_header(version: &str, client_id: Option<&str>) -> RequestHeader {
    RequestHeader {
        client_version: Some(Box::new(ClientVersion {
            client_id: Some(ClientId::CLIENT_ID_WEB_HANGOUTS),
            major_version: Some(version.to_string()),
            ..Default::default()
        })),
        client_identifier: client_id.map(|id| {
            Box::new(ClientIdentifier {
                resource: Some(id.to_string()),
                ..Default::default()
            })
        }),
        language_code: Some(LANGUAGE_CODE.to_string()),
    }
}

/// The HTTP request of one chat API call (PROTOCOL.md §2.1):
/// `POST /chat/v1/<endpoint>?alt=proto&key=<api_key>` with
/// `content-type: application/x-protobuf`,
/// `X-Goog-Encode-Response-If-Executable: base64`, the credential headers
/// and the binary protobuf body.
///
/// Fails with [`ApiError::HostNotAllowed`] (and builds nothing) if the
/// endpoint's origin is not on `allow`, as hangups refuses such requests;
/// the error's `host` is then the refused origin, `scheme://host[:port]`.
pub fn build_request(
    endpoint: &ApiEndpoint,
    api_key: &str,
    req: &ApiRequest,
    auth: &AuthHeaders,
    allow: &OriginAllowList,
) -> Result<Request, ApiError> {
    let path = format!("/chat/v1/{}", req.endpoint());
    let mut http = Request::new(
        Method::Post,
        &endpoint.host,
        endpoint.port,
        endpoint.tls,
        &path,
    )
    .with_query("alt", "proto")
    .with_query("key", api_key)
    .with_header("content-type", "application/x-protobuf")
    .with_header("X-Goog-Encode-Response-If-Executable", "base64")
    .with_body(req.encode_body());
    if !apply_auth(&mut http, auth, allow) {
        return Err(ApiError::HostNotAllowed {
            host: endpoint.origin().to_string(),
        });
    }
    Ok(http)
}

/// Calls `$callback! { $( #[doc = ".."] method(Request) -> Response; )* }`
/// with the 25 chat API calls, named as hangups names its `Client`
/// methods, so each runtime adapter generates one method per call without
/// repeating the list.
///
/// ```
/// macro_rules! names {
///     ($( $(#[$doc:meta])* $name:ident($req:ty) -> $resp:ty; )*) => {
///         [$(stringify!($name)),*]
///     };
/// }
/// let names = hangups_core::for_each_api_call!(names);
/// assert_eq!(names.len(), 25);
/// assert!(names.contains(&"send_chat_message"));
/// ```
#[macro_export]
macro_rules! for_each_api_call {
    ($callback:ident) => {
        $callback! {
            /// The `add_user` chat API call.
            add_user($crate::proto::hangouts::AddUserRequest) -> $crate::proto::hangouts::AddUserResponse;
            /// The `create_conversation` chat API call.
            create_conversation($crate::proto::hangouts::CreateConversationRequest) -> $crate::proto::hangouts::CreateConversationResponse;
            /// The `delete_conversation` chat API call.
            delete_conversation($crate::proto::hangouts::DeleteConversationRequest) -> $crate::proto::hangouts::DeleteConversationResponse;
            /// The `easter_egg` chat API call.
            easter_egg($crate::proto::hangouts::EasterEggRequest) -> $crate::proto::hangouts::EasterEggResponse;
            /// The `get_conversation` chat API call.
            get_conversation($crate::proto::hangouts::GetConversationRequest) -> $crate::proto::hangouts::GetConversationResponse;
            /// The `get_entity_by_id` chat API call.
            get_entity_by_id($crate::proto::hangouts::GetEntityByIdRequest) -> $crate::proto::hangouts::GetEntityByIdResponse;
            /// The `get_group_conversation_url` chat API call.
            get_group_conversation_url($crate::proto::hangouts::GetGroupConversationUrlRequest) -> $crate::proto::hangouts::GetGroupConversationUrlResponse;
            /// The `get_self_info` chat API call.
            get_self_info($crate::proto::hangouts::GetSelfInfoRequest) -> $crate::proto::hangouts::GetSelfInfoResponse;
            /// The `get_suggested_entities` chat API call.
            get_suggested_entities($crate::proto::hangouts::GetSuggestedEntitiesRequest) -> $crate::proto::hangouts::GetSuggestedEntitiesResponse;
            /// The `query_presence` chat API call.
            query_presence($crate::proto::hangouts::QueryPresenceRequest) -> $crate::proto::hangouts::QueryPresenceResponse;
            /// The `remove_user` chat API call.
            remove_user($crate::proto::hangouts::RemoveUserRequest) -> $crate::proto::hangouts::RemoveUserResponse;
            /// The `rename_conversation` chat API call.
            rename_conversation($crate::proto::hangouts::RenameConversationRequest) -> $crate::proto::hangouts::RenameConversationResponse;
            /// The `search_entities` chat API call.
            search_entities($crate::proto::hangouts::SearchEntitiesRequest) -> $crate::proto::hangouts::SearchEntitiesResponse;
            /// The `send_chat_message` chat API call.
            send_chat_message($crate::proto::hangouts::SendChatMessageRequest) -> $crate::proto::hangouts::SendChatMessageResponse;
            /// The `modify_otr_status` chat API call.
            modify_otr_status($crate::proto::hangouts::ModifyOTRStatusRequest) -> $crate::proto::hangouts::ModifyOTRStatusResponse;
            /// The `send_offnetwork_invitation` chat API call.
            send_offnetwork_invitation($crate::proto::hangouts::SendOffnetworkInvitationRequest) -> $crate::proto::hangouts::SendOffnetworkInvitationResponse;
            /// The `set_active_client` chat API call.
            set_active_client($crate::proto::hangouts::SetActiveClientRequest) -> $crate::proto::hangouts::SetActiveClientResponse;
            /// The `set_conversation_notification_level` chat API call.
            set_conversation_notification_level($crate::proto::hangouts::SetConversationNotificationLevelRequest) -> $crate::proto::hangouts::SetConversationNotificationLevelResponse;
            /// The `set_focus` chat API call.
            set_focus($crate::proto::hangouts::SetFocusRequest) -> $crate::proto::hangouts::SetFocusResponse;
            /// The `set_group_link_sharing_enabled` chat API call.
            set_group_link_sharing_enabled($crate::proto::hangouts::SetGroupLinkSharingEnabledRequest) -> $crate::proto::hangouts::SetGroupLinkSharingEnabledResponse;
            /// The `set_presence` chat API call.
            set_presence($crate::proto::hangouts::SetPresenceRequest) -> $crate::proto::hangouts::SetPresenceResponse;
            /// The `set_typing` chat API call.
            set_typing($crate::proto::hangouts::SetTypingRequest) -> $crate::proto::hangouts::SetTypingResponse;
            /// The `sync_all_new_events` chat API call.
            sync_all_new_events($crate::proto::hangouts::SyncAllNewEventsRequest) -> $crate::proto::hangouts::SyncAllNewEventsResponse;
            /// The `sync_recent_conversations` chat API call.
            sync_recent_conversations($crate::proto::hangouts::SyncRecentConversationsRequest) -> $crate::proto::hangouts::SyncRecentConversationsResponse;
            /// The `update_watermark` chat API call.
            update_watermark($crate::proto::hangouts::UpdateWatermarkRequest) -> $crate::proto::hangouts::UpdateWatermarkResponse;
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use hangups_proto::hangouts::GetSelfInfoRequest;

    fn auth() -> AuthHeaders {
        let cookies: Cookies = [("SAPISID", "abc"), ("SID", "s")].into_iter().collect();
        AuthHeaders::new(&cookies, 1234567890).unwrap()
    }

    #[test]
    fn request_header_bytes_match_hangups() {
        let req = GetSelfInfoRequest {
            request_header: Some(request_header(
                "hangups-0.4.18",
                Some("lcsw_hangouts_00BBCF28"),
            )),
        };
        let mut expected = vec![0x0a, 0x32, 0x0a, 0x12, 0x08, 0x2c, 0x1a, 0x0e];
        expected.extend_from_slice(b"hangups-0.4.18");
        expected.extend_from_slice(&[0x12, 0x18, 0x0a, 0x16]);
        expected.extend_from_slice(b"lcsw_hangouts_00BBCF28");
        expected.extend_from_slice(&[0x22, 0x02]);
        expected.extend_from_slice(b"en");
        assert_eq!(ApiRequest::from(req).encode_body(), expected);
    }

    #[test]
    fn request_header_without_client_id() {
        let h = request_header("hangups-0.4.18", None);
        assert_eq!(h.client_identifier, None);
        let body = ApiRequest::from(GetSelfInfoRequest {
            request_header: Some(h),
        })
        .encode_body();
        let mut expected = vec![0x0a, 0x18, 0x0a, 0x12, 0x08, 0x2c, 0x1a, 0x0e];
        expected.extend_from_slice(b"hangups-0.4.18");
        expected.extend_from_slice(&[0x22, 0x02]);
        expected.extend_from_slice(b"en");
        assert_eq!(body, expected);
    }

    #[test]
    fn build_request_shape() {
        let mut call = ApiRequest::from(GetSelfInfoRequest::default());
        call.set_request_header(request_header("v", Some("cid")));
        let allow = OriginAllowList::default();
        let http = build_request(&ApiEndpoint::google(), API_KEY, &call, &auth(), &allow).unwrap();
        assert_eq!(http.method, Method::Post);
        assert_eq!(
            (http.host.as_str(), http.port, http.tls),
            ("chat-pa.clients6.google.com", 443, true)
        );
        assert_eq!(http.path, "/chat/v1/contacts/getselfinfo");
        assert_eq!(
            http.query,
            [
                ("alt", "proto"),
                ("key", "AIzaSyD7InnYR3VKdb4j2rMUEbTCIr2VyEazl6k")
            ]
            .map(|(n, v)| (n.to_string(), v.to_string()))
        );
        let names: Vec<&str> = http.headers.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "content-type",
                "X-Goog-Encode-Response-If-Executable",
                "authorization",
                "origin",
                "x-goog-authuser",
                "cookie"
            ]
        );
        assert_eq!(http.header("content-type"), Some("application/x-protobuf"));
        assert_eq!(
            http.header("x-goog-encode-response-if-executable"),
            Some("base64")
        );
        assert_eq!(http.header("x-goog-authuser"), Some("0"));
        assert_eq!(http.header("cookie"), Some("SAPISID=abc; SID=s"));
        assert_eq!(http.body, call.encode_body());
    }

    #[test]
    fn build_request_refuses_origins_off_the_list() {
        let call = ApiRequest::from(GetSelfInfoRequest::default());
        let allow = OriginAllowList::default();
        for (host, port, tls, origin) in [
            ("127.0.0.1", 8080, false, "http://127.0.0.1:8080"),
            ("google.com", 443, true, "https://google.com"),
            (
                "chat-pa.clients6.google.com.evil.net",
                443,
                true,
                "https://chat-pa.clients6.google.com.evil.net",
            ),
            (
                "chat-pa.clients6.google.com",
                80,
                false,
                "http://chat-pa.clients6.google.com",
            ),
            (
                "chat-pa.clients6.google.com",
                8443,
                true,
                "https://chat-pa.clients6.google.com:8443",
            ),
        ] {
            let endpoint = ApiEndpoint::new(host, port, tls);
            match build_request(&endpoint, API_KEY, &call, &auth(), &allow) {
                Err(ApiError::HostNotAllowed { host: h }) => assert_eq!(h, origin),
                other => panic!("{host}: {other:?}"),
            }
        }
        let emulator = OriginAllowList::only(Origin::new(false, "127.0.0.1", 8080));
        let endpoint = ApiEndpoint::new("127.0.0.1", 8080, false);
        assert_eq!(endpoint.origin().to_string(), "http://127.0.0.1:8080");
        let http = build_request(&endpoint, API_KEY, &call, &auth(), &emulator).unwrap();
        assert_eq!((http.port, http.tls), (8080, false));
        assert!(http.header("authorization").is_some());
        let other_port = ApiEndpoint::new("127.0.0.1", 8081, false);
        assert!(build_request(&other_port, API_KEY, &call, &auth(), &emulator).is_err());
    }
}
