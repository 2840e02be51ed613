use base64::Engine;
use hangups_proto::hangouts::*;

use super::*;

/// PROTOCOL.md §2.2, transcribed independently of the macro table.
const EXPECTED: [(&str, &str); 25] = [
    ("AddUser", "conversations/adduser"),
    ("CreateConversation", "conversations/createconversation"),
    ("DeleteConversation", "conversations/deleteconversation"),
    ("EasterEgg", "conversations/easteregg"),
    ("GetConversation", "conversations/getconversation"),
    ("GetEntityById", "contacts/getentitybyid"),
    (
        "GetGroupConversationUrl",
        "conversations/getgroupconversationurl",
    ),
    ("GetSelfInfo", "contacts/getselfinfo"),
    ("GetSuggestedEntities", "contacts/getsuggestedentities"),
    ("QueryPresence", "presence/querypresence"),
    ("RemoveUser", "conversations/removeuser"),
    ("RenameConversation", "conversations/renameconversation"),
    ("SearchEntities", "contacts/searchentities"),
    ("SendChatMessage", "conversations/sendchatmessage"),
    ("ModifyOtrStatus", "conversations/modifyotrstatus"),
    (
        "SendOffnetworkInvitation",
        "devices/sendoffnetworkinvitation",
    ),
    ("SetActiveClient", "clients/setactiveclient"),
    (
        "SetConversationNotificationLevel",
        "conversations/setconversationnotificationlevel",
    ),
    ("SetFocus", "conversations/setfocus"),
    (
        "SetGroupLinkSharingEnabled",
        "conversations/setgrouplinksharingenabled",
    ),
    ("SetPresence", "presence/setpresence"),
    ("SetTyping", "conversations/settyping"),
    ("SyncAllNewEvents", "conversations/syncallnewevents"),
    (
        "SyncRecentConversations",
        "conversations/syncrecentconversations",
    ),
    ("UpdateWatermark", "conversations/updatewatermark"),
];

const WITH_EVENT_HEADER: [&str; 6] = [
    "AddUser",
    "RemoveUser",
    "RenameConversation",
    "SendChatMessage",
    "ModifyOtrStatus",
    "SetGroupLinkSharingEnabled",
];

#[test]
fn every_endpoint_name_and_path() {
    let requests = all_requests();
    assert_eq!(requests.len(), 25);
    assert_eq!(TABLE.len(), 25);
    for ((req, &(name, endpoint)), row) in requests.iter().zip(&EXPECTED).zip(TABLE) {
        assert_eq!((req.name(), req.endpoint()), (name, endpoint));
        assert_eq!((row.0, row.1), (name, endpoint));
    }
}

#[test]
fn request_and_response_types_pair_with_the_path() {
    for &(_, endpoint, req_name, resp_name) in TABLE {
        let stem = req_name.strip_suffix("Request").unwrap();
        assert_eq!(resp_name, format!("{stem}Response"), "{req_name}");
        let last = endpoint.rsplit('/').next().unwrap();
        assert_eq!(last, stem.to_ascii_lowercase(), "{req_name}");
    }
}

#[test]
fn event_request_header_only_where_the_schema_has_one() {
    for mut req in all_requests() {
        let name = req.name();
        let has = req.event_request_header_mut().is_some();
        assert_eq!(has, WITH_EVENT_HEADER.contains(&name), "{name}");
        let set = req.set_client_generated_id(7);
        assert_eq!(set, has || name == "CreateConversation", "{name}");
    }
    let mut req = ApiRequest::from(SendChatMessageRequest::default());
    req.event_request_header_mut().unwrap().conversation_id = Some(ConversationId {
        id: Some("c".into()),
    });
    assert!(req.set_client_generated_id(42));
    let ApiRequest::SendChatMessage(inner) = &req else {
        panic!()
    };
    let erh = inner.event_request_header.as_ref().unwrap();
    assert_eq!(erh.client_generated_id, Some(42));
    assert_eq!(
        erh.conversation_id.as_ref().unwrap().id.as_deref(),
        Some("c")
    );
}

#[test]
fn client_generated_id_range() {
    assert_eq!(client_generated_id(0), 0);
    assert_eq!(client_generated_id(1 << 32), 1 << 32);
    assert_eq!(client_generated_id((1 << 32) + 1), 0);
    assert!(client_generated_id(u64::MAX) <= 1 << 32);
}

#[test]
fn set_request_header_on_every_endpoint() {
    let header = super::super::request_header("hangups-0.4.18", Some("cid"));
    for mut req in all_requests() {
        assert_eq!(req.request_header(), None);
        req.set_request_header(header.clone());
        assert_eq!(req.request_header(), Some(&header));
        assert!(req.encode_body().starts_with(&[0x0a]), "{}", req.name());
    }
}

fn ok_header(desc: Option<&str>) -> ResponseHeader {
    ResponseHeader {
        status: Some(ResponseStatus::RESPONSE_STATUS_OK),
        error_description: desc.map(str::to_string),
        ..Default::default()
    }
}

/// Base64 with a line break every 10 characters and a trailing CRLF.
fn b64_with_newlines(bytes: &[u8]) -> Vec<u8> {
    let text = base64::engine::general_purpose::STANDARD.encode(bytes);
    let mut out = Vec::new();
    for (i, c) in text.bytes().enumerate() {
        if i > 0 && i % 10 == 0 {
            out.push(b'\n');
        }
        out.push(c);
    }
    out.extend_from_slice(b"\r\n");
    out
}

#[test]
fn every_endpoint_decodes_its_own_response() {
    for req in all_requests() {
        let body = b64_with_newlines(&encode_response_for(&req, Some(ok_header(Some("x")))));
        let resp = req.decode_response(&body).unwrap();
        assert_eq!(resp.name(), req.name());
        assert_eq!(resp.endpoint(), req.endpoint());
        assert_eq!(resp.response_header(), Some(&ok_header(Some("x"))));
    }
}

#[test]
fn round_trip_send_chat_message() {
    let request = SendChatMessageRequest {
        request_header: Some(super::super::request_header("v", Some("cid"))),
        event_request_header: Some(Box::new(EventRequestHeader {
            conversation_id: Some(ConversationId {
                id: Some("conv".into()),
            }),
            client_generated_id: Some(4_294_967_296),
            ..Default::default()
        })),
        ..Default::default()
    };
    let call = ApiRequest::from(request.clone());
    let decoded: SendChatMessageRequest =
        hangups_proto::decode_binary(&call.encode_body()).unwrap();
    assert_eq!(decoded, request);

    let response = SendChatMessageResponse {
        response_header: Some(ok_header(None)),
        created_event: Some(Box::new(Event {
            event_id: Some("ev1".into()),
            timestamp: Some(1_521_002_546_845_000),
            ..Default::default()
        })),
    };
    let body = b64_with_newlines(&hangups_proto::encode_binary(&response));
    let decoded = call.decode_response(&body).unwrap();
    assert_eq!(decoded, ApiResponse::from(response.clone()));
    let typed = SendChatMessageRequest::response_from(decoded).unwrap();
    assert_eq!(typed, response);

    // The typed accessors refuse another endpoint's response.
    let other = ApiResponse::from(GetSelfInfoResponse::default());
    let back = SendChatMessageResponse::try_from(other.clone()).unwrap_err();
    assert_eq!(back, other);
    assert_eq!(
        <SendChatMessageRequest as ApiCall>::ENDPOINT,
        "conversations/sendchatmessage"
    );
    assert_eq!(<ModifyOTRStatusRequest as ApiCall>::NAME, "ModifyOtrStatus");
}

#[test]
fn non_ok_status_is_an_error_with_the_description() {
    let call = ApiRequest::from(GetSelfInfoRequest::default());
    let header = ResponseHeader {
        status: Some(ResponseStatus(3)),
        error_description: Some("description".into()),
        ..Default::default()
    };
    let body = b64_with_newlines(&encode_response_for(&call, Some(header)));
    let err = call.decode_response(&body).unwrap_err();
    assert!(
        matches!(&err, ApiError::Status { status: 3, description } if description == "description"),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "Request failed with status 3: 'description'"
    );
    assert!(!err.is_retryable());
}

#[test]
fn missing_header_is_status_zero() {
    let call = ApiRequest::from(SyncAllNewEventsRequest::default());
    for body in [
        b64_with_newlines(&encode_response_for(&call, None)),
        Vec::new(),
        b"\n".to_vec(),
    ] {
        match call.decode_response(&body) {
            Err(ApiError::Status {
                status: 0,
                description,
            }) => assert!(description.is_empty()),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn bad_base64_is_a_base64_error() {
    let call = ApiRequest::from(GetSelfInfoRequest::default());
    for body in [&b"CgIIAQ"[..], b"CgIIAQ=", b"C", b"\xff\xfeC"] {
        assert!(
            matches!(call.decode_response(body), Err(ApiError::Base64(_))),
            "{body:?}"
        );
    }
}

#[test]
fn bad_protobuf_is_a_protobuf_error() {
    let call = ApiRequest::from(GetSelfInfoRequest::default());
    // A truncated length-delimited field, a bad wire type, a field that
    // runs past the end, and invalid UTF-8 in a string field.
    for bytes in [
        &[0x0a, 0x05, 0x08][..],
        &[0x0f],
        &[0x0a, 0x02, 0x12, 0x05],
        &[0x0a, 0x04, 0x12, 0x02, 0xff, 0xfe],
    ] {
        let body = b64_with_newlines(bytes);
        let result = call.decode_response(&body);
        assert!(
            matches!(result, Err(ApiError::Protobuf(_))),
            "{bytes:?}: {result:?}"
        );
    }
}

#[test]
fn decoding_garbage_never_panics() {
    let calls = all_requests();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for len in 0..300 {
        let mut bytes = Vec::with_capacity(len);
        for _ in 0..len {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            bytes.push(seed as u8);
        }
        let call = &calls[len % calls.len()];
        let _ = call.decode_response(&bytes);
        let _ = call.decode_response(&b64_with_newlines(&bytes));
    }
}
