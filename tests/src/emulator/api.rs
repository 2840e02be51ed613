//! `POST /chat/v1/<endpoint>?alt=proto&key=…` (PROTOCOL.md §2): the
//! credential check, the API faults, the binary protobuf request, the
//! world, and the base64 of the binary response with its header.

use super::auth;
use super::faults::ApiFault;
use super::http::{reason_for, Request, Response};
use super::world::{Caller, Fail, World};
use super::Shared;
use base64::Engine;
use hangups_proto::hangouts::*;
use serde_json::json;

/// The API key every call must carry.
const API_KEY: &str = hangups_core::api::API_KEY;

pub(crate) fn handle(shared: &Shared, req: &Request) -> Response {
    let endpoint = req.path.trim_start_matches("/chat/v1/");
    if req.param("key") != Some(API_KEY) {
        return google_error(
            400,
            "API key not valid. Please pass a valid API key.",
            "INVALID_ARGUMENT",
        );
    }
    if req.param("alt") != Some("proto") {
        return google_error(400, "only alt=proto is supported", "INVALID_ARGUMENT");
    }
    let mut inner = shared.lock();
    let user = match auth::authenticate(&mut inner.world, req) {
        Ok(u) => u,
        Err(resp) => return resp,
    };
    if !ENDPOINTS.contains(&endpoint) {
        return Response::text(404, "Not Found", "Not Found");
    }
    match inner.faults.take_api_fault(endpoint) {
        Some(ApiFault::Http(status)) => {
            return Response::text(
                status,
                reason_for(status),
                "Injected failure (emulator fault)",
            );
        }
        Some(ApiFault::Status(status, description)) => {
            let fail = Fail {
                status: ResponseStatus(status),
                description,
            };
            let now = inner.world.clock.now();
            // Every response has the header as field 1, so any will do.
            let body = GetSelfInfoResponse {
                response_header: Some(header(&mut inner.world, now, Some(&fail))),
                ..Default::default()
            };
            return proto_response(&body);
        }
        None => {}
    }
    let resp = dispatch(&mut inner.world, &user, endpoint, &req.body);
    inner.deliver();
    resp
}

fn google_error(status: u16, message: &str, kind: &str) -> Response {
    Response::json(
        status,
        &json!({"error": {"code": status, "message": message, "status": kind}}),
    )
}

fn header(world: &mut World, now: u64, fail: Option<&Fail>) -> ResponseHeader {
    ResponseHeader {
        status: Some(fail.map_or(ResponseStatus::RESPONSE_STATUS_OK, |f| f.status)),
        error_description: fail.map(|f| f.description.clone()),
        debug_url: None,
        request_trace_id: Some(world.ids.trace_id()),
        current_server_time: Some(now),
    }
}

/// HTTP 200 with the base64 of the binary message.
fn proto_response<M: hangups_proto::Message>(message: &M) -> Response {
    let bytes = hangups_proto::encode_binary(message);
    let text = base64::engine::general_purpose::STANDARD.encode(bytes);
    Response::new(200, "OK", "application/x-protobuf", text)
}

macro_rules! endpoints {
    ($( $path:literal => $req:ident, $resp:ident, |$w:ident, $c:ident, $r:ident| $call:expr; )*) => {
        /// Every endpoint path below `/chat/v1/`.
        pub(crate) const ENDPOINTS: &[&str] = &[$($path),*];

        #[allow(clippy::needless_update)] // some responses have only the header
        fn dispatch(world: &mut World, user: &str, endpoint: &str, body: &[u8]) -> Response {
            match endpoint {
                $($path => {
                    let $r: $req = match hangups_proto::decode_binary(body) {
                        Ok(r) => r,
                        Err(e) => return Response::text(400, "Bad Request", &format!("invalid {}: {e}", stringify!($req))),
                    };
                    let $c = Caller {
                        user: user.to_string(),
                        client_id: $r
                            .request_header
                            .as_ref()
                            .and_then(|h| h.client_identifier.as_ref())
                            .and_then(|c| c.resource.clone()),
                    };
                    let $w = &mut *world;
                    let result: Result<$resp, Fail> = $call;
                    let now = world.clock.now();
                    let response = match result {
                        Ok(mut r) => {
                            r.response_header = Some(header(world, now, None));
                            r
                        }
                        Err(fail) => {
                            // A refused call changes nothing and pushes nothing.
                            world.outbox.clear();
                            $resp {
                                response_header: Some(header(world, now, Some(&fail))),
                                ..Default::default()
                            }
                        }
                    };
                    proto_response(&response)
                })*
                _ => Response::text(404, "Not Found", "Not Found"),
            }
        }
    };
}

endpoints! {
    "conversations/adduser" => AddUserRequest, AddUserResponse, |w, c, r| w.add_participants(&c, r);
    "conversations/createconversation" => CreateConversationRequest, CreateConversationResponse,
        |w, c, r| w.create_conversation(&c, r);
    "conversations/deleteconversation" => DeleteConversationRequest, DeleteConversationResponse,
        |w, c, r| w.delete_conversation(&c, r);
    "conversations/easteregg" => EasterEggRequest, EasterEggResponse, |w, c, r| w.easter_egg(&c, r);
    "conversations/getconversation" => GetConversationRequest, GetConversationResponse,
        |w, c, r| w.get_conversation(&c, r);
    "contacts/getentitybyid" => GetEntityByIdRequest, GetEntityByIdResponse, |w, c, r| {
        let _ = &c;
        w.get_entity_by_id(r)
    };
    "conversations/getgroupconversationurl" => GetGroupConversationUrlRequest, GetGroupConversationUrlResponse,
        |w, c, r| w.get_group_conversation_url(&c, r);
    "contacts/getselfinfo" => GetSelfInfoRequest, GetSelfInfoResponse, |w, c, r| {
        let _ = r;
        w.get_self_info(&c)
    };
    "contacts/getsuggestedentities" => GetSuggestedEntitiesRequest, GetSuggestedEntitiesResponse,
        |w, c, r| w.get_suggested_entities(&c, r);
    "presence/querypresence" => QueryPresenceRequest, QueryPresenceResponse, |w, c, r| {
        let _ = &c;
        w.query_presence(r)
    };
    "conversations/removeuser" => RemoveUserRequest, RemoveUserResponse, |w, c, r| w.remove_user(&c, r);
    "conversations/renameconversation" => RenameConversationRequest, RenameConversationResponse,
        |w, c, r| w.rename_conversation(&c, r);
    "contacts/searchentities" => SearchEntitiesRequest, SearchEntitiesResponse,
        |w, c, r| w.search_entities(&c, r);
    "conversations/sendchatmessage" => SendChatMessageRequest, SendChatMessageResponse,
        |w, c, r| w.send_chat_message(&c, r);
    "conversations/modifyotrstatus" => ModifyOTRStatusRequest, ModifyOTRStatusResponse,
        |w, c, r| w.modify_otr_status(&c, r);
    "devices/sendoffnetworkinvitation" => SendOffnetworkInvitationRequest, SendOffnetworkInvitationResponse,
        |w, c, r| w.send_offnetwork_invitation(&c, r);
    "clients/setactiveclient" => SetActiveClientRequest, SetActiveClientResponse,
        |w, c, r| w.set_active_client(&c, r);
    "conversations/setconversationnotificationlevel" => SetConversationNotificationLevelRequest,
        SetConversationNotificationLevelResponse, |w, c, r| w.set_conversation_notification_level(&c, r);
    "conversations/setfocus" => SetFocusRequest, SetFocusResponse, |w, c, r| w.set_focus(&c, r);
    "conversations/setgrouplinksharingenabled" => SetGroupLinkSharingEnabledRequest,
        SetGroupLinkSharingEnabledResponse, |w, c, r| w.set_group_link_sharing_enabled(&c, r);
    "presence/setpresence" => SetPresenceRequest, SetPresenceResponse, |w, c, r| w.set_presence(&c, r);
    "conversations/settyping" => SetTypingRequest, SetTypingResponse, |w, c, r| w.set_typing(&c, r);
    "conversations/syncallnewevents" => SyncAllNewEventsRequest, SyncAllNewEventsResponse,
        |w, c, r| w.sync_all_new_events(&c, r);
    "conversations/syncrecentconversations" => SyncRecentConversationsRequest, SyncRecentConversationsResponse,
        |w, c, r| w.sync_recent_conversations(&c, r);
    "conversations/updatewatermark" => UpdateWatermarkRequest, UpdateWatermarkResponse,
        |w, c, r| w.update_watermark(&c, r);
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_endpoint_of_protocol_section_2_2() {
        assert_eq!(super::ENDPOINTS.len(), 25);
    }
}
