//! The text of channel chunks (PROTOCOL.md §1.2, §1.5, §1.6, §1.10):
//! `<UTF-16 length>\n<payload>`, payloads laid out as the real servers
//! write them, with a `\n` after each inner array.

use hangups_proto::hangouts::{BatchUpdate, StateUpdate};

/// `<length in UTF-16 units>\n<payload>`.
pub(crate) fn frame(payload: &str) -> String {
    format!("{}\n{}", payload.encode_utf16().count(), payload)
}

/// The session-created chunk of §1.2.
pub(crate) fn sid(sid: &str, gsid: &str) -> String {
    frame(&format!(
        "[[0,[\"c\",\"{sid}\",\"\",8]\n]\n,[1,[{{\"gsid\":\"{gsid}\"}}]]\n]\n"
    ))
}

/// The forward-channel answer `[backchannelPresent,lastArrayId,outstandingBytes]`.
pub(crate) fn maps_ack(backchannel: bool, last_array_id: u64) -> String {
    frame(&format!("[{},{last_array_id},0]", u8::from(backchannel)))
}

/// A keep-alive noop: `[[id,["noop"]\n]\n]\n`.
pub(crate) fn noop(array_id: u64) -> String {
    frame(&format!("[[{array_id},[\"noop\"]\n]\n]\n"))
}

/// The wrapper's key `"1"`: `{"1":{"1":{"1":1,"2":1}},"4":"<ms>","5":"S<n>"}`.
fn wrapper_head(time_ms: u64, seq: u64) -> String {
    format!(r#"{{"1":{{"1":{{"1":1,"2":1}}}},"4":"{time_ms}","5":"S{seq}"}}"#)
}

/// A push array whose data is `[{"p": "<wrapper>"}]`.
fn push(array_id: u64, wrapper: &str) -> String {
    let p = serde_json::to_string(wrapper).expect("a string serializes");
    frame(&format!("[[{array_id},[{{\"p\":{p}}}]\n]\n]\n"))
}

/// The new-client-id chunk (wrapper key `"3"`).
pub(crate) fn client_id(array_id: u64, time_ms: u64, seq: u64, client_id: &str) -> String {
    let client_id = serde_json::to_string(client_id).expect("a string serializes");
    let wrapper = format!(
        r#"{{"1":{},"3":{{"1":{{"1":1}},"2":{client_id}}}}}"#,
        wrapper_head(time_ms, seq)
    );
    push(array_id, &wrapper)
}

/// A `cbu` chunk: one BatchUpdate holding `update`, as pblite, in the
/// wrapper's key `"2"` with the babel service header.
pub(crate) fn cbu(array_id: u64, time_ms: u64, seq: u64, update: &StateUpdate) -> String {
    let batch = BatchUpdate {
        state_update: vec![update.clone()],
    };
    let pblite = hangups_proto::pblite::encode_tagged("cbu", &batch);
    let pblite = serde_json::to_string(&pblite).expect("a string serializes");
    let wrapper = format!(
        r#"{{"1":{},"2":{{"1":{{"1":"babel","2":"conserver.google.com"}},"2":{pblite}}}}}"#,
        wrapper_head(time_ms, seq)
    );
    push(array_id, &wrapper)
}

/// One HTTP/1.1 chunk carrying `data`.
pub(crate) fn http_chunk(data: &[u8]) -> Vec<u8> {
    let mut out = format!("{:x}\r\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
    out
}

/// The last HTTP chunk (no trailers).
pub(crate) const HTTP_END: &[u8] = b"0\r\n\r\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_protocol_examples() {
        assert_eq!(
            sid("98803CAAD92268E8", "7tCoFHumSL-IT6BHpCaxLA"),
            "79\n[[0,[\"c\",\"98803CAAD92268E8\",\"\",8]\n]\n,[1,[{\"gsid\":\"7tCoFHumSL-IT6BHpCaxLA\"}]]\n]\n"
        );
        assert_eq!(noop(6), "17\n[[6,[\"noop\"]\n]\n]\n");
        let expected = "154\n[[2,[{\"p\":\"{\\\"1\\\":{\\\"1\\\":{\\\"1\\\":{\\\"1\\\":1,\\\"2\\\":1}},\\\"4\\\":\\\"1521086182842\\\",\\\"5\\\":\\\"S1\\\"},\\\"3\\\":{\\\"1\\\":{\\\"1\\\":1},\\\"2\\\":\\\"lcsw_hangouts_00BBCF28\\\"}}\"}]\n]\n]\n";
        assert_eq!(
            client_id(2, 1521086182842, 1, "lcsw_hangouts_00BBCF28"),
            expected
        );
        assert_eq!(maps_ack(true, 3), "7\n[1,3,0]");
    }

    #[test]
    fn lengths_count_utf16_units() {
        assert_eq!(frame("a😀"), "3\na😀");
        assert_eq!(frame("€"), "1\n€");
        assert_eq!(http_chunk(b"hello"), b"5\r\nhello\r\n");
    }
}
