//! The bytes the scripted server writes: channel chunks in the Hangouts
//! length-prefixed framing (`<UTF-16 length>\n<payload>`), inside HTTP/1.1
//! chunks, and the HTTP heads around them.

use hangups_proto::hangouts::{
    BatchUpdate, ChatMessage, ConversationId, Event, EventNotification, EventType, MessageContent,
    ParticipantId, Segment, StateUpdate, StateUpdateHeader, StateUpdateKind,
};

/// The conversation every pushed message is in.
pub const CONVERSATION: &str = "UgwHostileServerChat4AaABAQ";
/// The sender of every pushed message.
pub const SENDER: &str = "100000000000000000002";

/// `<length in UTF-16 units>\n<payload>`.
pub fn frame(payload: &str) -> String {
    format!("{}\n{}", payload.encode_utf16().count(), payload)
}

/// The session-created chunk: `[[0,["c",SID,"",8]],[1,[{"gsid":G}]]]`.
pub fn sid(sid: &str, gsid: &str) -> String {
    frame(&format!(
        "[[0,[\"c\",\"{sid}\",\"\",8]\n]\n,[1,[{{\"gsid\":\"{gsid}\"}}]]\n]\n"
    ))
}

/// The answer to the subscription (the maps).
pub fn maps_ack() -> String {
    frame("[1,3,0]")
}

/// A keep-alive noop.
pub fn noop(array_id: u64) -> String {
    frame(&format!("[[{array_id},[\"noop\"]\n]\n]\n"))
}

fn wrapper_head(seq: u64) -> String {
    format!(r#"{{"1":{{"1":{{"1":1,"2":1}}}},"4":"1521086182842","5":"S{seq}"}}"#)
}

fn push(array_id: u64, wrapper: &str) -> String {
    let p = serde_json::to_string(wrapper).expect("a string serializes");
    frame(&format!("[[{array_id},[{{\"p\":{p}}}]\n]\n]\n"))
}

/// The new-client-id chunk.
pub fn client_id(array_id: u64, client_id: &str) -> String {
    let wrapper = format!(
        r#"{{"1":{},"3":{{"1":{{"1":1}},"2":"{client_id}"}}}}"#,
        wrapper_head(array_id)
    );
    push(array_id, &wrapper)
}

/// A `cbu` chunk carrying one chat message event `event_id`.
pub fn message(array_id: u64, event_id: &str, text: &str) -> String {
    let time = 1_600_000_000_000_000 + array_id;
    let event = Event {
        conversation_id: Some(ConversationId {
            id: Some(CONVERSATION.into()),
        }),
        sender_id: Some(ParticipantId {
            gaia_id: Some(SENDER.into()),
            chat_id: Some(SENDER.into()),
        }),
        timestamp: Some(time),
        event_id: Some(event_id.into()),
        event_type: Some(EventType::EVENT_TYPE_REGULAR_CHAT_MESSAGE),
        chat_message: Some(ChatMessage {
            annotation: Vec::new(),
            message_content: Some(MessageContent {
                segment: vec![Segment {
                    text: Some(text.into()),
                    ..Default::default()
                }],
                attachment: Vec::new(),
            }),
        }),
        ..Default::default()
    };
    let update = StateUpdate {
        state_update_header: Some(StateUpdateHeader {
            current_server_time: Some(time),
            ..Default::default()
        }),
        conversation: None,
        state_update: StateUpdateKind::EventNotification(Box::new(EventNotification {
            event: Some(event),
        })),
    };
    let batch = BatchUpdate {
        state_update: vec![update],
    };
    let pblite = hangups_proto::pblite::encode_tagged("cbu", &batch);
    let pblite = serde_json::to_string(&pblite).expect("a string serializes");
    let wrapper = format!(
        r#"{{"1":{},"2":{{"1":{{"1":"babel","2":"conserver.google.com"}},"2":{pblite}}}}}"#,
        wrapper_head(array_id)
    );
    push(array_id, &wrapper)
}

/// One HTTP/1.1 chunk carrying `data`.
pub fn http_chunk(data: &[u8]) -> Vec<u8> {
    let mut out = format!("{:x}\r\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
    out
}

/// The last HTTP chunk.
pub const HTTP_END: &[u8] = b"0\r\n\r\n";

/// The head of a streamed long-poll response (keep-alive).
pub const LONG_POLL_HEAD: &[u8] = b"HTTP/1.1 200 OK\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Cache-Control: no-cache, no-store, max-age=0, must-revalidate\r\n\
Transfer-Encoding: chunked\r\n\r\n";

/// A whole response with a `Content-Length` body (keep-alive).
pub fn response(status: u16, reason: &str, body: &[u8]) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Length: {}\r\n\r\n",
        body.len()
    )
    .into_bytes();
    out.extend_from_slice(body);
    out
}
