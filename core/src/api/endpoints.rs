//! The 25 chat API endpoints of PROTOCOL.md §2.2, generated from one table
//! so that a request, its endpoint path and its response type can never be
//! paired wrongly.

use hangups_proto::hangouts::*;

use super::error::ApiError;
use super::response::{decode_checked, HasResponseHeader};

/// A request message that is the body of one chat API endpoint. Implemented
/// by the 25 `…Request` types of [`ApiRequest`]; sealed.
pub trait ApiCall: hangups_proto::Message + Into<ApiRequest> + private::Sealed {
    /// The response message of this endpoint.
    type Response: hangups_proto::Message;
    /// The [`ApiRequest`] variant's name, e.g. `"SendChatMessage"`.
    const NAME: &'static str;
    /// The endpoint path below `/chat/v1/`, e.g.
    /// `"conversations/sendchatmessage"`.
    const ENDPOINT: &'static str;
    /// The typed response inside `response`, or `response` back if it
    /// belongs to another endpoint.
    fn response_from(response: ApiResponse) -> Result<Self::Response, ApiResponse>;
}

mod private {
    pub trait Sealed {}
}

/// `Some(&mut header)`, created if absent, for endpoints that carry an
/// `event_request_header`; `None` for the others.
macro_rules! event_header_mut {
    (event, $r:expr) => {
        Some($r.event_request_header.get_or_insert_with(Default::default))
    };
    (plain, $r:expr) => {{
        let _ = $r;
        None
    }};
}

macro_rules! endpoints {
    ($(
        $(#[$doc:meta])*
        $variant:ident => $endpoint:literal, $req:ident, $resp:ident, $kind:ident;
    )*) => {
        /// One chat API call: the request message of one endpoint of
        /// PROTOCOL.md §2.2. Build it from the proto message with `From`
        /// (`ApiRequest::from(SendChatMessageRequest { .. })`). Messages are
        /// boxed: some are over a kilobyte.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum ApiRequest {
            $(
                $(#[$doc])*
                #[doc = concat!("\n\n`POST /chat/v1/", $endpoint, "` with a [`", stringify!($req), "`].")]
                $variant(Box<$req>),
            )*
        }

        /// The decoded, status-checked response to an [`ApiRequest`]: the
        /// response message of the same endpoint.
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum ApiResponse {
            $(
                #[doc = concat!("The [`", stringify!($resp), "`] of `", $endpoint, "`.")]
                $variant(Box<$resp>),
            )*
        }

        impl ApiRequest {
            /// The endpoint path below `/chat/v1/`, e.g.
            /// `"conversations/sendchatmessage"`.
            pub fn endpoint(&self) -> &'static str {
                match self {
                    $(ApiRequest::$variant(_) => $endpoint,)*
                }
            }

            /// The variant's name, e.g. `"SendChatMessage"` (for logs).
            pub fn name(&self) -> &'static str {
                match self {
                    $(ApiRequest::$variant(_) => stringify!($variant),)*
                }
            }

            /// The request header (field 1), if set.
            pub fn request_header(&self) -> Option<&RequestHeader> {
                match self {
                    $(ApiRequest::$variant(r) => r.request_header.as_ref(),)*
                }
            }

            /// Sets the request header (field 1), replacing any.
            pub fn set_request_header(&mut self, header: RequestHeader) {
                match self {
                    $(ApiRequest::$variant(r) => r.request_header = Some(header),)*
                }
            }

            /// The event request header of the six event-creating endpoints
            /// (AddUser, RemoveUser, RenameConversation, SendChatMessage,
            /// ModifyOtrStatus, SetGroupLinkSharingEnabled), created empty
            /// if the request has none; `None` for every other endpoint.
            pub fn event_request_header_mut(&mut self) -> Option<&mut EventRequestHeader> {
                match self {
                    $(ApiRequest::$variant(r) => event_header_mut!($kind, r),)*
                }
            }

            /// The request body: the message as binary protobuf.
            pub fn encode_body(&self) -> Vec<u8> {
                match self {
                    $(ApiRequest::$variant(r) => hangups_proto::encode_binary(&**r),)*
                }
            }

            /// Decodes the body of an HTTP 200 response to this request:
            /// base64 text (lenient), then this endpoint's response message,
            /// whose `response_header.status` must be `RESPONSE_STATUS_OK`.
            pub fn decode_response(&self, body: &[u8]) -> Result<ApiResponse, ApiError> {
                match self {
                    $(ApiRequest::$variant(_) => decode_checked::<$resp>(body).map(ApiResponse::from),)*
                }
            }
        }

        impl ApiResponse {
            /// The endpoint path this response belongs to.
            pub fn endpoint(&self) -> &'static str {
                match self {
                    $(ApiResponse::$variant(_) => $endpoint,)*
                }
            }

            /// The variant's name, e.g. `"SendChatMessage"`.
            pub fn name(&self) -> &'static str {
                match self {
                    $(ApiResponse::$variant(_) => stringify!($variant),)*
                }
            }

            /// The response header (field 1), if present.
            pub fn response_header(&self) -> Option<&ResponseHeader> {
                match self {
                    $(ApiResponse::$variant(r) => r.response_header.as_ref(),)*
                }
            }
        }

        $(
            impl From<$req> for ApiRequest {
                fn from(request: $req) -> Self {
                    ApiRequest::$variant(Box::new(request))
                }
            }

            impl From<$resp> for ApiResponse {
                fn from(response: $resp) -> Self {
                    ApiResponse::$variant(Box::new(response))
                }
            }

            impl TryFrom<ApiResponse> for $resp {
                type Error = ApiResponse;

                fn try_from(response: ApiResponse) -> Result<Self, ApiResponse> {
                    match response {
                        ApiResponse::$variant(r) => Ok(*r),
                        #[allow(unreachable_patterns)]
                        other => Err(other),
                    }
                }
            }

            impl HasResponseHeader for $resp {
                fn header(&self) -> Option<&ResponseHeader> {
                    self.response_header.as_ref()
                }
            }

            impl private::Sealed for $req {}

            impl ApiCall for $req {
                type Response = $resp;
                const NAME: &'static str = stringify!($variant);
                const ENDPOINT: &'static str = $endpoint;

                fn response_from(response: ApiResponse) -> Result<$resp, ApiResponse> {
                    <$resp>::try_from(response)
                }
            }
        )*

        #[cfg(test)]
        /// `(name, endpoint, request proto name, response proto name)` of
        /// every variant, in table order.
        pub(crate) const TABLE: &[(&str, &str, &str, &str)] = &[
            $((
                stringify!($variant),
                $endpoint,
                <$req as hangups_proto::Message>::NAME,
                <$resp as hangups_proto::Message>::NAME,
            ),)*
        ];

        #[cfg(test)]
        /// One default request of every variant, in table order.
        pub(crate) fn all_requests() -> Vec<ApiRequest> {
            vec![$(ApiRequest::from($req::default()),)*]
        }

        #[cfg(test)]
        #[allow(clippy::needless_update)] // some responses have only the header
        /// Encodes a default response of `request`'s endpoint carrying
        /// `header`.
        pub(crate) fn encode_response_for(request: &ApiRequest, header: Option<ResponseHeader>) -> Vec<u8> {
            match request {
                $(ApiRequest::$variant(_) => hangups_proto::encode_binary(&$resp {
                    response_header: header,
                    ..Default::default()
                }),)*
            }
        }
    };
}

endpoints! {
    /// Invites users to a group conversation.
    AddUser => "conversations/adduser", AddUserRequest, AddUserResponse, event;
    /// Creates a conversation.
    CreateConversation => "conversations/createconversation",
        CreateConversationRequest, CreateConversationResponse, plain;
    /// Leaves a one-to-one conversation (deletes its history).
    DeleteConversation => "conversations/deleteconversation",
        DeleteConversationRequest, DeleteConversationResponse, plain;
    /// Sends an easter egg.
    EasterEgg => "conversations/easteregg", EasterEggRequest, EasterEggResponse, plain;
    /// Fetches a conversation and/or a page of its events.
    GetConversation => "conversations/getconversation",
        GetConversationRequest, GetConversationResponse, plain;
    /// Looks up entities by id, email or phone.
    GetEntityById => "contacts/getentitybyid", GetEntityByIdRequest, GetEntityByIdResponse, plain;
    /// Fetches a group conversation's invitation URL.
    GetGroupConversationUrl => "conversations/getgroupconversationurl",
        GetGroupConversationUrlRequest, GetGroupConversationUrlResponse, plain;
    /// Fetches the signed-in user's own entity and settings.
    GetSelfInfo => "contacts/getselfinfo", GetSelfInfoRequest, GetSelfInfoResponse, plain;
    /// Fetches suggested contacts.
    GetSuggestedEntities => "contacts/getsuggestedentities",
        GetSuggestedEntitiesRequest, GetSuggestedEntitiesResponse, plain;
    /// Queries users' presence.
    QueryPresence => "presence/querypresence", QueryPresenceRequest, QueryPresenceResponse, plain;
    /// Removes a user (or oneself) from a group conversation.
    RemoveUser => "conversations/removeuser", RemoveUserRequest, RemoveUserResponse, event;
    /// Renames a conversation.
    RenameConversation => "conversations/renameconversation",
        RenameConversationRequest, RenameConversationResponse, event;
    /// Searches for entities.
    SearchEntities => "contacts/searchentities", SearchEntitiesRequest, SearchEntitiesResponse, plain;
    /// Sends a chat message.
    SendChatMessage => "conversations/sendchatmessage",
        SendChatMessageRequest, SendChatMessageResponse, event;
    /// Turns history (off-the-record) on or off.
    ModifyOtrStatus => "conversations/modifyotrstatus",
        ModifyOTRStatusRequest, ModifyOTRStatusResponse, event;
    /// Invites someone by email.
    SendOffnetworkInvitation => "devices/sendoffnetworkinvitation",
        SendOffnetworkInvitationRequest, SendOffnetworkInvitationResponse, plain;
    /// Marks this client as the active one.
    SetActiveClient => "clients/setactiveclient", SetActiveClientRequest, SetActiveClientResponse, plain;
    /// Sets a conversation's notification level.
    SetConversationNotificationLevel => "conversations/setconversationnotificationlevel",
        SetConversationNotificationLevelRequest, SetConversationNotificationLevelResponse, plain;
    /// Sets focus on a conversation.
    SetFocus => "conversations/setfocus", SetFocusRequest, SetFocusResponse, plain;
    /// Turns group link sharing on or off.
    SetGroupLinkSharingEnabled => "conversations/setgrouplinksharingenabled",
        SetGroupLinkSharingEnabledRequest, SetGroupLinkSharingEnabledResponse, event;
    /// Sets the user's presence, do-not-disturb or mood.
    SetPresence => "presence/setpresence", SetPresenceRequest, SetPresenceResponse, plain;
    /// Sets the typing status in a conversation.
    SetTyping => "conversations/settyping", SetTypingRequest, SetTypingResponse, plain;
    /// Fetches every event since a timestamp.
    SyncAllNewEvents => "conversations/syncallnewevents",
        SyncAllNewEventsRequest, SyncAllNewEventsResponse, plain;
    /// Fetches a page of recent conversations.
    SyncRecentConversations => "conversations/syncrecentconversations",
        SyncRecentConversationsRequest, SyncRecentConversationsResponse, plain;
    /// Marks a conversation read up to a timestamp.
    UpdateWatermark => "conversations/updatewatermark",
        UpdateWatermarkRequest, UpdateWatermarkResponse, plain;
}

impl ApiRequest {
    /// The client-generated id this request carries, if any (see
    /// [`ApiRequest::set_client_generated_id`]).
    pub fn client_generated_id(&self) -> Option<u64> {
        match self {
            ApiRequest::CreateConversation(r) => r.client_generated_id,
            ApiRequest::AddUser(r) => r.event_request_header.as_ref()?.client_generated_id,
            ApiRequest::RemoveUser(r) => r.event_request_header.as_ref()?.client_generated_id,
            ApiRequest::RenameConversation(r) => {
                r.event_request_header.as_ref()?.client_generated_id
            }
            ApiRequest::SendChatMessage(r) => r.event_request_header.as_ref()?.client_generated_id,
            ApiRequest::ModifyOtrStatus(r) => r.event_request_header.as_ref()?.client_generated_id,
            ApiRequest::SetGroupLinkSharingEnabled(r) => {
                r.event_request_header.as_ref()?.client_generated_id
            }
            _ => None,
        }
    }

    /// Whether sending this request a second time is harmless, so that
    /// a transport failure after it may have reached the server can be
    /// retried blindly.
    ///
    /// - Event-creating calls and CreateConversation: only with a
    ///   `client_generated_id` (the client always sets one). The server
    ///   answers a repeated id in the same conversation with the event it
    ///   already created, so a retry never posts twice.
    /// - EasterEgg and SendOffnetworkInvitation: never (each send shows
    ///   again or invites again, and they carry no id).
    /// - Every other call reads state or sets it to a given value.
    pub fn is_idempotent(&self) -> bool {
        match self {
            ApiRequest::EasterEgg(_) | ApiRequest::SendOffnetworkInvitation(_) => false,
            ApiRequest::CreateConversation(_)
            | ApiRequest::AddUser(_)
            | ApiRequest::RemoveUser(_)
            | ApiRequest::RenameConversation(_)
            | ApiRequest::SendChatMessage(_)
            | ApiRequest::ModifyOtrStatus(_)
            | ApiRequest::SetGroupLinkSharingEnabled(_) => self.client_generated_id().is_some(),
            _ => true,
        }
    }

    /// Sets the client-generated id (PROTOCOL.md §7.1; see
    /// [`client_generated_id`]): `event_request_header.client_generated_id` for the six
    /// event-creating endpoints, `client_generated_id` for
    /// CreateConversation. Returns false (and changes nothing) for the
    /// other endpoints.
    pub fn set_client_generated_id(&mut self, id: u64) -> bool {
        if let ApiRequest::CreateConversation(r) = self {
            r.client_generated_id = Some(id);
            return true;
        }
        match self.event_request_header_mut() {
            Some(h) => {
                h.client_generated_id = Some(id);
                true
            }
            None => false,
        }
    }
}

/// A `client_generated_id` (PROTOCOL.md §7.1: uniform in `[0, 2^32]`,
/// inclusive) from `random`, a uniformly random `u64` from the caller's
/// RNG. The modulo bias is below 2^-31.
pub fn client_generated_id(random: u64) -> u64 {
    random % ((1u64 << 32) + 1)
}

#[cfg(test)]
mod tests;
