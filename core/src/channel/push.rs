//! The contents of one chunk (PROTOCOL.md §1.6): a JSON array of push
//! arrays `[[array_id, data_array], ...]`, each data array a keep-alive
//! (`["noop"]`) or `[{"p": "<wrapper JSON>"}]`, whose wrapper carries a new
//! client id (key `"3"`) and/or a pblite payload (key `"2"`).
//!
//! [`decode_chunk`] reads three JSON layers: the chunk, the wrapper (a JSON
//! string inside the chunk) and the pblite (a JSON string inside the
//! wrapper, so escaped twice on the wire). The first two are deserialized
//! into small borrowing structs; unescaping each string once is the only
//! copy, and no generic JSON tree is built. The pblite goes straight to
//! [`hangups_proto::pblite`].
//!
//! ## Malformed data, where hangups raises
//!
//! In hangups any oddity in pushed data (a wrong shape, invalid JSON inside
//! `"p"`, a missing key) ends `connect()`. Here one odd push array becomes
//! [`PushData::Unknown`] with a `tracing` warning, and the others in the
//! chunk decode as usual. Only a chunk that is not a JSON array of arrays
//! that start with an array id is an error ([`PushError`]); the channel
//! skips and counts such a chunk.

use hangups_proto::hangouts::{BatchUpdate, StateUpdate};
use hangups_proto::pblite::{self, DecodeOptions};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::borrow::Cow;
use std::fmt;

mod fast;

use fast::{Content, Payload};

/// One push array of a chunk. A wrapper holding both a client id and a
/// payload gives two `PushArray`s with the same `array_id`, the client id
/// first.
#[derive(Debug, Clone, PartialEq)]
pub struct PushArray {
    /// The array id the server numbers its arrays with (2, 3, 4, ... over a
    /// session); a JSON integer from 0 to `u64::MAX`. hangups ignores it;
    /// stock BrowserChannel acknowledges it (`AID`).
    pub array_id: u64,
    /// What the array carries.
    pub data: PushData,
}

/// What a push array carries.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum PushData {
    /// A keep-alive (`["noop"]`), sent every 15 to 30 s.
    Noop,
    /// The wrapper's `"3"`: a new client id (`wrapper["3"]["2"]`), after
    /// which the client must renew its service subscription (§1.7).
    ClientId(String),
    /// A `"cbu"` BatchUpdate's StateUpdates, in order.
    StateUpdates(Vec<StateUpdate>),
    /// Anything else: the push array's raw JSON text as it appeared in the
    /// chunk (the whole `[array_id, data_array]` element), for logging or
    /// for applications. Payloads with other tags than `"cbu"`, data
    /// arrays of unknown shape, wrappers that are not the expected JSON,
    /// and pblite that cannot be decoded all end up here; never an error.
    Unknown(String),
}

/// Why a chunk as a whole cannot be decoded. The channel skips such a
/// chunk, counts it, and goes on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PushError {
    /// The chunk is not valid JSON.
    #[error("chunk is not valid JSON (line {line}, column {column})")]
    InvalidJson {
        /// Line of the error, from 1.
        line: usize,
        /// Column of the error, from 1.
        column: usize,
    },
    /// The chunk is JSON but not an array.
    #[error("chunk is not a JSON array")]
    NotAnArray,
    /// An element of the chunk is not an array whose first item is an
    /// array id (an integer from 0 to `u64::MAX`). The array id is the one
    /// part of a push array that cannot be made up, so such an element
    /// makes the chunk a wrong shape rather than an unknown push array.
    #[error("element {index} of the chunk is not an array starting with an array id")]
    BadElement {
        /// Index of the element in the chunk, from 0.
        index: usize,
    },
}

/// Decodes one chunk (as returned by
/// [`ChunkParser::next_chunk`](super::ChunkParser::next_chunk)) into its
/// push arrays, in order.
///
/// ```
/// use hangups_core::channel::{decode_chunk, PushArray, PushData};
///
/// let arrays = decode_chunk("[[6,[\"noop\"]\n]\n]\n")?;
/// assert_eq!(arrays, [PushArray { array_id: 6, data: PushData::Noop }]);
/// # Ok::<(), hangups_core::channel::PushError>(())
/// ```
pub fn decode_chunk(chunk: &str) -> Result<Vec<PushArray>, PushError> {
    // One pass for the usual shapes; anything unusual goes the slow way,
    // element by element, to tell errors from unknown push arrays.
    let Some(elements) = fast::scan(chunk) else {
        return decode_slowly(chunk);
    };
    let mut out = Vec::with_capacity(elements.len());
    for element in elements {
        push_content(element.id, element.content, element.raw, &mut out);
    }
    Ok(out)
}

/// [`decode_chunk`] as it worked before `"cbu"` payloads were decoded
/// where they sit in the chunk (they are unescaped first), or, with
/// `serde`, the slow path alone; for checking that all ways agree.
pub(crate) fn decode_chunk_other_ways(chunk: &str) -> [Result<Vec<PushArray>, PushError>; 2] {
    let unnested = match fast::scan_unnested(chunk) {
        Some(elements) => {
            let mut out = Vec::with_capacity(elements.len());
            for element in elements {
                push_content(element.id, element.content, element.raw, &mut out);
            }
            Ok(out)
        }
        None => decode_slowly(chunk),
    };
    [unnested, decode_slowly(chunk)]
}

/// Decodes element by element with serde_json: slower, but it takes any
/// JSON and tells which element is wrong.
fn decode_slowly(chunk: &str) -> Result<Vec<PushArray>, PushError> {
    let elements = parse_raw_array(chunk).map_err(|e| match e {
        Some(e) => e,
        None => PushError::NotAnArray,
    })?;
    let mut out = Vec::with_capacity(elements.len());
    for (index, element) in elements.into_iter().enumerate() {
        let raw = element.get();
        let items = match parse_raw_array(raw) {
            Ok(items) => items,
            Err(_) => return Err(PushError::BadElement { index }),
        };
        let Some(Ok(id)) = items.first().map(|i| serde_json::from_str::<u64>(i.get())) else {
            return Err(PushError::BadElement { index });
        };
        let data = match &items[1..] {
            [data] => serde_json::from_str::<Data<'_>>(data.get()).ok(),
            _ => None,
        };
        match data {
            Some(Data::Noop) => push_content(id, Content::Noop, raw, &mut out),
            Some(Data::Wrapper(text)) => match serde_json::from_str::<Wrapper<'_>>(&text) {
                Ok(wrapper) => {
                    let content = Content::Wrapper {
                        client_id: wrapper.client_id.map(|c| c.id.into_owned()),
                        pblite: wrapper.payload.map(|p| Payload::Text(p.pblite)),
                    };
                    push_content(id, content, raw, &mut out);
                }
                Err(_) => unknown(id, raw, "\"p\" is not the expected wrapper JSON", &mut out),
            },
            None => unknown(
                id,
                raw,
                "the data array is not [\"noop\"] or [{\"p\": string}]",
                &mut out,
            ),
        }
    }
    Ok(out)
}

/// `Err(None)`: valid JSON but not an array; `Err(Some(_))`: not JSON.
fn parse_raw_array(text: &str) -> Result<Vec<&RawValue>, Option<PushError>> {
    serde_json::from_str::<Vec<&RawValue>>(text).map_err(|e| {
        if e.is_data() {
            None
        } else {
            Some(PushError::InvalidJson {
                line: e.line(),
                column: e.column(),
            })
        }
    })
}

/// Turns a data array's content into push arrays; `raw` is the element's
/// text, kept if the content turns out to be unknown.
fn push_content(id: u64, content: Content<'_>, raw: &str, out: &mut Vec<PushArray>) {
    let (client_id, pblite) = match content {
        Content::Noop => {
            out.push(PushArray {
                array_id: id,
                data: PushData::Noop,
            });
            return;
        }
        Content::Wrapper { client_id, pblite } => (client_id, pblite),
    };
    let has_client_id = client_id.is_some();
    if let Some(client_id) = client_id {
        out.push(PushArray {
            array_id: id,
            data: PushData::ClientId(client_id),
        });
    }
    match pblite {
        Some(Payload::Updates(updates)) => out.push(PushArray {
            array_id: id,
            data: PushData::StateUpdates(updates),
        }),
        Some(Payload::Text(pblite)) => match decode_payload(&pblite) {
            Ok(updates) => out.push(PushArray {
                array_id: id,
                data: PushData::StateUpdates(updates),
            }),
            Err(why) => unknown(id, raw, why, out),
        },
        None if !has_client_id => unknown(
            id,
            raw,
            "the wrapper has neither a client id nor a payload",
            out,
        ),
        None => {}
    }
}

/// The StateUpdates of a `"cbu"` payload.
fn decode_payload(pblite_text: &str) -> Result<Vec<StateUpdate>, &'static str> {
    let cbu = pblite_text.starts_with("[\"cbu\"")
        || pblite::peek_tag(pblite_text).is_some_and(|tag| tag == "cbu");
    if !cbu {
        return Err("the payload is not tagged \"cbu\"");
    }
    match pblite::decode_with::<BatchUpdate>(pblite_text, DecodeOptions::tagged()) {
        Ok(decoded) => Ok(decoded.message.state_update),
        Err(e) => {
            tracing::warn!(error = %e, "cannot decode a \"cbu\" BatchUpdate");
            Err("the \"cbu\" payload cannot be decoded")
        }
    }
}

fn unknown(id: u64, raw: &str, why: &'static str, out: &mut Vec<PushArray>) {
    tracing::warn!(array_id = id, why, "push array kept as unknown");
    out.push(PushArray {
        array_id: id,
        data: PushData::Unknown(raw.to_owned()),
    });
}

/// The wrapper inside `"p"`; other keys are ignored.
#[derive(Deserialize)]
struct Wrapper<'a> {
    #[serde(rename = "3", borrow, default)]
    client_id: Option<ClientIdField<'a>>,
    #[serde(rename = "2", borrow, default)]
    payload: Option<PayloadField<'a>>,
}

#[derive(Deserialize)]
struct ClientIdField<'a> {
    #[serde(rename = "2", borrow)]
    id: Cow<'a, str>,
}

#[derive(Deserialize)]
struct PayloadField<'a> {
    #[serde(rename = "2", borrow)]
    pblite: Cow<'a, str>,
}

/// A data array of a known shape: `["noop", ...]` or `[{"p": string, ...}, ...]`.
enum Data<'a> {
    Noop,
    Wrapper(Cow<'a, str>),
}

impl<'de> Deserialize<'de> for Data<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_seq(DataVisitor)
    }
}

struct DataVisitor;

impl<'de> Visitor<'de> for DataVisitor {
    type Value = Data<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[\"noop\"] or [{\"p\": string}]")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let first = seq
            .next_element::<FirstItem<'de>>()?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        // hangups reads only data_array[0].
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(first.0)
    }
}

/// `data_array[0]`: `"noop"` or an object with a string `"p"`.
struct FirstItem<'a>(Data<'a>);

impl<'de> Deserialize<'de> for FirstItem<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(FirstItemVisitor)
    }
}

struct FirstItemVisitor;

impl<'de> Visitor<'de> for FirstItemVisitor {
    type Value = FirstItem<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"noop\" or {\"p\": string}")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if v == "noop" {
            Ok(FirstItem(Data::Noop))
        } else {
            Err(E::invalid_value(de::Unexpected::Str(v), &self))
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut p = None;
        while let Some(is_p) = map.next_key::<IsP>()? {
            if !is_p.0 {
                map.next_value::<IgnoredAny>()?;
            } else if p.is_some() {
                return Err(de::Error::duplicate_field("p"));
            } else {
                p = Some(map.next_value::<CowStr<'de>>()?.0);
            }
        }
        match p {
            Some(p) => Ok(FirstItem(Data::Wrapper(p))),
            None => Err(de::Error::missing_field("p")),
        }
    }
}

/// Whether an object key is `"p"`, without allocating.
struct IsP(bool);

impl<'de> Deserialize<'de> for IsP {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = IsP;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<IsP, E> {
                Ok(IsP(v == "p"))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// A string, borrowed from the input when it has no escapes.
struct CowStr<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for CowStr<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct StrVisitor;
        impl<'de> Visitor<'de> for StrVisitor {
            type Value = CowStr<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<CowStr<'de>, E> {
                Ok(CowStr(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<CowStr<'de>, E> {
                Ok(CowStr(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<CowStr<'de>, E> {
                Ok(CowStr(Cow::Owned(v)))
            }
        }
        d.deserialize_str(StrVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channel::ChunkParser;
    use hangups_proto::hangouts::{SegmentType, StateUpdateKind};

    // PROTOCOL.md §1.10, as listed: `\n` stands for a newline byte, every
    // other backslash is literal.
    const NOOP: &str = r#"17\n[[6,["noop"]\n]\n]\n"#;
    const CLIENT_ID: &str = r#"154\n[[2,[{"p":"{\"1\":{\"1\":{\"1\":{\"1\":1,\"2\":1}},\"4\":\"1521086182842\",\"5\":\"S1\"},\"3\":{\"1\":{\"1\":1},\"2\":\"lcsw_hangouts_00BBCF28\"}}"}]\n]\n]\n"#;
    const CHAT_MESSAGE: &str = r#"616\n[[5,[{"p":"{\"1\":{\"1\":{\"1\":{\"1\":1,\"2\":1}},\"4\":\"1521002546965\",\"5\":\"S4\"},\"2\":{\"1\":{\"1\":\"babel\",\"2\":\"conserver.google.com\"},\"2\":\"[\\\"cbu\\\",[[[2,null,\\\"-7225030924581218421\\\",null,1521002546845000],null,[[[\\\"UgzJilj2Tg_oqk5EhEp4AaABAQ\\\"],[\\\"102224360723365489932\\\",\\\"102224360723365489932\\\"],1521002546845000,[[\\\"110994664963851875523\\\",\\\"110994664963851875523\\\"],null,30],null,null,[null,null,[[[0,\\\"Hello \\\",[0]],[0,\\\"world\\\",[1]]]]],null,null,null,null,\\\"7-H0Z7-FkyB7-H0Z7-Fkyx\\\",null,null,1,null,null,null,null,null,null,null,1]]]]]\"}}"}]\n]\n]\n"#;

    /// The one chunk of a listing, framed by the ChunkParser (which checks
    /// the length line against the payload).
    fn wire_chunk(listing: &str) -> String {
        let mut parser = ChunkParser::new();
        parser.feed(listing.replace(r"\n", "\n").as_bytes());
        let chunk = parser.next_chunk().unwrap().unwrap();
        assert_eq!(parser.buffered_bytes(), 0);
        chunk
    }

    fn json_string(text: &str) -> String {
        serde_json::to_string(text).unwrap()
    }

    /// A chunk of one push array whose "p" holds `wrapper`.
    fn with_wrapper(id: u64, wrapper: &str) -> String {
        format!("[[{id},[{{\"p\":{}}}]\n]\n]\n", json_string(wrapper))
    }

    /// A wrapper with a pblite payload.
    fn payload_wrapper(pblite: &str) -> String {
        format!(
            r#"{{"1":{{"4":"1"}},"2":{{"1":{{"1":"babel"}},"2":{}}}}}"#,
            json_string(pblite)
        )
    }

    fn one(array_id: u64, data: PushData) -> Vec<PushArray> {
        vec![PushArray { array_id, data }]
    }

    fn unknown_text(arrays: &[PushArray]) -> Vec<&str> {
        arrays
            .iter()
            .filter_map(|a| match &a.data {
                PushData::Unknown(t) => Some(t.as_str()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn noop_example() {
        let chunk = wire_chunk(NOOP);
        assert_eq!(chunk, "[[6,[\"noop\"]\n]\n]\n");
        assert_eq!(decode_chunk(&chunk), Ok(one(6, PushData::Noop)));
    }

    #[test]
    fn client_id_example() {
        let arrays = decode_chunk(&wire_chunk(CLIENT_ID));
        let id = PushData::ClientId("lcsw_hangouts_00BBCF28".into());
        assert_eq!(arrays, Ok(one(2, id)));
    }

    #[test]
    fn chat_message_example() {
        let arrays = decode_chunk(&wire_chunk(CHAT_MESSAGE)).unwrap();
        assert_eq!(arrays.len(), 1);
        assert_eq!(arrays[0].array_id, 5);
        let PushData::StateUpdates(updates) = &arrays[0].data else {
            panic!("{arrays:?}");
        };
        assert_eq!(updates.len(), 1);
        let header = updates[0].state_update_header.as_ref().unwrap();
        assert_eq!(header.current_server_time, Some(1521002546845000));
        let StateUpdateKind::EventNotification(n) = &updates[0].state_update else {
            panic!("{updates:?}");
        };
        let event = n.event.as_ref().unwrap();
        assert_eq!(event.event_id.as_deref(), Some("7-H0Z7-FkyB7-H0Z7-Fkyx"));
        let content = event
            .chat_message
            .as_ref()
            .unwrap()
            .message_content
            .as_ref();
        let segments = &content.unwrap().segment;
        let texts: Vec<_> = segments.iter().map(|s| s.text.as_deref()).collect();
        assert_eq!(texts, [Some("Hello "), Some("world")]);
        let bold: Vec<_> = segments
            .iter()
            .map(|s| s.formatting.as_ref().and_then(|f| f.bold))
            .collect();
        assert_eq!(bold, [Some(false), Some(true)]);
        assert!(segments
            .iter()
            .all(|s| s.r#type == SegmentType::SEGMENT_TYPE_TEXT));
    }

    const SMALL_CBU: &str = r#"["cbu",[[[2,null,"t",null,5]],[[1,null,"u",null,6]]]]"#;

    #[test]
    fn client_id_and_payload_in_one_wrapper() {
        // "2" before "3" in the text: the client id still comes first.
        let pblite = json_string(SMALL_CBU);
        let wrapper = format!(r#"{{"2":{{"2":{pblite}}},"3":{{"1":{{"1":1}},"2":"cid"}}}}"#);
        let arrays = decode_chunk(&with_wrapper(9, &wrapper)).unwrap();
        assert_eq!(arrays.len(), 2);
        assert_eq!(
            arrays[0],
            PushArray {
                array_id: 9,
                data: PushData::ClientId("cid".into())
            }
        );
        let PushData::StateUpdates(updates) = &arrays[1].data else {
            panic!("{arrays:?}");
        };
        assert_eq!(arrays[1].array_id, 9);
        assert_eq!(updates.len(), 2);
        let time = |i: usize| {
            updates[i]
                .state_update_header
                .as_ref()
                .unwrap()
                .current_server_time
        };
        assert_eq!((time(0), time(1)), (Some(5), Some(6)));
    }

    #[test]
    fn several_arrays_in_one_chunk_keep_their_order() {
        let wrapper = payload_wrapper(SMALL_CBU);
        let chunk = format!(
            "[[3,[\"noop\"]\n],[4,[{{\"p\":{}}}]\n],[5,[\"noop\"]]]",
            json_string(&wrapper)
        );
        let arrays = decode_chunk(&chunk).unwrap();
        let ids: Vec<_> = arrays.iter().map(|a| a.array_id).collect();
        assert_eq!(ids, [3, 4, 5]);
        assert!(matches!(arrays[1].data, PushData::StateUpdates(ref u) if u.len() == 2));
        assert_eq!(decode_chunk("[]\n"), Ok(vec![]));
    }

    #[test]
    fn other_tags_are_unknown_with_the_element_text() {
        for pblite in [r#"["bgu",[]]"#, r#"[1,2]"#, "[]", "{}", "\"cbu\""] {
            let chunk = with_wrapper(7, &payload_wrapper(pblite));
            let element = chunk.trim_end().strip_prefix('[').unwrap();
            let element = element.strip_suffix(']').unwrap().trim_end();
            let arrays = decode_chunk(&chunk).unwrap();
            assert_eq!(
                arrays,
                one(7, PushData::Unknown(element.to_owned())),
                "{pblite}"
            );
        }
    }

    /// EmbedItem -> Place -> EmbedItem ... `levels` messages deep.
    fn nested_embed_item(levels: usize) -> String {
        let mut s = String::new();
        for level in 1..levels {
            s.push_str(if level % 2 == 1 {
                "[{\"35825640\":"
            } else {
                "["
            });
            if level % 2 == 0 {
                s.push_str(&"null,".repeat(23));
            }
        }
        s.push_str("[]");
        for level in (1..levels).rev() {
            s.push_str(if level % 2 == 1 { "}]" } else { "]" });
        }
        s
    }

    #[test]
    fn malformed_push_arrays_are_unknown_not_errors() {
        let deep = format!(
            r#"["cbu",[[null,null,[[null,null,null,null,null,null,[null,null,[null,[[{}]]]]]]]]]"#,
            nested_embed_item(300)
        );
        let too_deep = pblite::decode_tagged::<BatchUpdate>(&deep);
        assert!(matches!(
            too_deep,
            Err(hangups_proto::DecodeError::TooDeep { .. })
        ));
        let wrappers = [
            "not json".to_owned(),
            "[1,2]".to_owned(),
            "{}".to_owned(),
            r#"{"1":{"4":"1"}}"#.to_owned(),
            r#"{"3":{"1":1}}"#.to_owned(),
            r#"{"3":{"2":5}}"#.to_owned(),
            r#"{"3":"cid"}"#.to_owned(),
            r#"{"2":{"2":5}}"#.to_owned(),
            r#"{"2":{"1":{}}}"#.to_owned(),
            r#"{"2":"x"}"#.to_owned(),
            payload_wrapper(r#"["cbu",[[[2,null]]"#),
            payload_wrapper(r#"["cbu",[[[2,null]]]] trailing"#),
            payload_wrapper("not json"),
            payload_wrapper(&deep),
        ];
        let mut chunks: Vec<String> = wrappers.iter().map(|w| with_wrapper(3, w)).collect();
        chunks.extend(
            [
                r#"[[3,["close"]]]"#,
                r#"[[3,[]]]"#,
                r#"[[3,[5]]]"#,
                r#"[[3,[null]]]"#,
                r#"[[3,{}]]"#,
                r#"[[3,"noop"]]"#,
                r#"[[3]]"#,
                r#"[[3,["noop"],"extra"]]"#,
                r#"[[3,[{"q":"x"}]]]"#,
                r#"[[3,[{"p":5}]]]"#,
                r#"[[3,[{"p":"{}","p":"{}"}]]]"#,
                r#"[[3,[{"p":["x"]}]]]"#,
            ]
            .map(String::from),
        );
        for chunk in &chunks {
            let arrays = decode_chunk(chunk);
            let Ok(arrays) = arrays else {
                panic!("{chunk}: {arrays:?}");
            };
            assert_eq!(arrays.len(), 1, "{chunk}: {arrays:?}");
            assert_eq!(arrays[0].array_id, 3);
            let element = chunk.trim_end().strip_prefix('[').unwrap();
            let element = element.strip_suffix(']').unwrap().trim_end();
            assert_eq!(unknown_text(&arrays), [element], "{chunk}");
        }
    }

    #[test]
    fn a_client_id_survives_a_bad_payload_beside_it() {
        let wrapper = r#"{"3":{"2":"cid"},"2":{"2":"[\"bgu\"]"}}"#;
        let arrays = decode_chunk(&with_wrapper(4, wrapper)).unwrap();
        assert_eq!(arrays[0].data, PushData::ClientId("cid".into()));
        assert!(matches!(arrays[1].data, PushData::Unknown(_)));
        assert_eq!(arrays.len(), 2);
    }

    #[test]
    fn one_bad_array_leaves_the_others_alone() {
        let chunk = r#"[[1,["noop"]],[2,["what"]],[3,["noop"]]]"#;
        let arrays = decode_chunk(chunk).unwrap();
        assert_eq!(
            arrays[0],
            PushArray {
                array_id: 1,
                data: PushData::Noop
            }
        );
        assert_eq!(arrays[1].data, PushData::Unknown(r#"[2,["what"]]"#.into()));
        assert_eq!(
            arrays[2],
            PushArray {
                array_id: 3,
                data: PushData::Noop
            }
        );
    }

    #[test]
    fn chunks_that_are_not_arrays_of_push_arrays_are_errors() {
        let invalid =
            |chunk: &str| matches!(decode_chunk(chunk), Err(PushError::InvalidJson { .. }));
        for chunk in [
            "",
            "not json",
            "[[1,[\"noop\"]]",
            "[[1,[\"noop\"]]] x",
            "\u{feff}[]",
            "[1,]",
        ] {
            assert!(invalid(chunk), "{chunk:?}: {:?}", decode_chunk(chunk));
        }
        for chunk in ["{}", "5", "\"[]\"", "null"] {
            assert_eq!(decode_chunk(chunk), Err(PushError::NotAnArray), "{chunk}");
        }
        for (chunk, index) in [
            ("[5]", 0),
            ("[[]]", 0),
            ("[{}]", 0),
            (r#"[["x",["noop"]]]"#, 0),
            (r#"[[-1,["noop"]]]"#, 0),
            (r#"[[1.5,["noop"]]]"#, 0),
            (r#"[[18446744073709551616,["noop"]]]"#, 0),
            (r#"[[1,["noop"]],null]"#, 1),
        ] {
            assert_eq!(
                decode_chunk(chunk),
                Err(PushError::BadElement { index }),
                "{chunk}"
            );
        }
        let max = format!("[[{},[\"noop\"]]]", u64::MAX);
        assert_eq!(decode_chunk(&max), Ok(one(u64::MAX, PushData::Noop)));
    }
    /// The fast path takes `chunk` (or not), and gives what the slow one does.
    fn assert_paths_agree(chunk: &str, fast_takes_it: bool) {
        assert_eq!(fast::scan(chunk).is_some(), fast_takes_it, "{chunk}");
        assert_eq!(decode_chunk(chunk), decode_slowly(chunk), "{chunk}");
    }

    #[test]
    fn fast_path_takes_the_usual_shapes_and_agrees() {
        for listing in [NOOP, CLIENT_ID, CHAT_MESSAGE] {
            assert_paths_agree(&wire_chunk(listing), true);
        }
        let spaced = r#"[[2, [{"p": "{\"1\": {\"1\": {\"1\": {\"1\": 1, \"2\": 1}}, \"4\": \"1\", \"5\": \"S1\"}, \"3\": {\"1\": {\"1\": 1}, \"2\": \"cid\"}}"}]]]"#;
        assert_paths_agree(spaced, true);
        assert_paths_agree(" [ [ 7 , [ \"noop\" ] ] , [8,[\"noop\"]] ] \n", true);
        let ones = [
            r#"{"a":[1,-2.5e+3,0,0.5,1E9,true,false,null,"x\"y\\z\u00e9\n",{},[],[[{}]]]}"#,
            r#"[]"#,
            r#""s""#,
            r#"-0"#,
        ];
        for one in ones {
            let wrapper = format!(r#"{{"1":{one},"3":{{"2":"c"}}}}"#);
            assert_paths_agree(&with_wrapper(1, &wrapper), true);
        }
        // Escapes at each level: \u, surrogate pairs, \/, and raw non-ASCII.
        let pblite = r#"["cbu",[[[2,null,"é\u00e9\ud83d\ude00😀\/\"\\\n\t",null,5]]]]"#;
        let wrapper = format!(
            "{{\"3\":{{\"2\":\"c\\u00e9\\ud83d\\ude00/\\\\\"}},\n\t\"2\":{{\"2\":{}}}}}",
            json_string(pblite)
        );
        let chunk = with_wrapper(1, &wrapper);
        assert_paths_agree(&chunk, true);
        let arrays = decode_chunk(&chunk).unwrap();
        assert_eq!(arrays[0].data, PushData::ClientId("cé😀/\\".into()));
        let PushData::StateUpdates(updates) = &arrays[1].data else {
            panic!("{arrays:?}");
        };
        let header = updates[0].state_update_header.as_ref().unwrap();
        assert_eq!(header.request_trace_id.as_deref(), Some("éé😀😀/\"\\\n\t"));
        // The same chunk with every escapable character of the "p" string
        // written as \u: the wrapper's quotes and backslashes too.
        let escaped = chunk.replace("\\\"", "\\u0022").replace("\\\\", "\\u005c");
        assert_ne!(escaped, chunk);
        assert_paths_agree(&escaped, true);
        assert_eq!(decode_chunk(&escaped), decode_chunk(&chunk));
    }

    #[test]
    fn fast_path_leaves_the_unusual_to_the_slow_path() {
        let wrappers = [
            r#"{"3":{"2":"c"},"3":{"2":"d"}}"#,
            r#"{"3":null,"2":{"2":"[\"cbu\"]"}}"#,
            r#"{"3":["c"]}"#,
            r#"{"3":{"2":"c","2":"d"}}"#,
            r#"{"3":{"2":"\ud800"}}"#,
            r#"{"1":01,"3":{"2":"c"}}"#,
            r#"{"1":[1,],"3":{"2":"c"}}"#,
            r#"{"1":tru,"3":{"2":"c"}}"#,
            r#"{"3":{"2":"c"}} x"#,
        ];
        for wrapper in wrappers {
            assert_paths_agree(&with_wrapper(1, wrapper), false);
        }
        let deep = format!(
            r#"{{"1":{}1{},"3":{{"2":"c"}}}}"#,
            "[".repeat(70),
            "]".repeat(70)
        );
        assert_paths_agree(&with_wrapper(1, &deep), false);
        for chunk in [
            r#"[[1,["noop",1]]]"#,
            r#"[[1,[{"p":"{}","x":1}]]]"#,
            r#"[[01,["noop"]]]"#,
            r#"[[1.0,["noop"]]]"#,
            "[[1,[\"noop\"]]]]",
            "[[1,[\"noop\"]],]",
            "[[1,[{\"p\":\"{\\\"3\\\":{\\\"2\\\":\\\"a\tb\\\"}}\"}]]]",
        ] {
            assert_paths_agree(chunk, false);
        }
    }

    #[test]
    fn paths_agree_on_every_small_corruption() {
        let chunk = wire_chunk(CHAT_MESSAGE);
        let both = with_wrapper(
            3,
            &format!(
                r#"{{"3":{{"2":"c"}},"2":{{"2":{}}}}}"#,
                json_string(SMALL_CBU)
            ),
        );
        for chunk in [chunk, both] {
            for (at, _) in chunk.char_indices() {
                let (head, tail) = chunk.split_at(at);
                let rest = &tail[tail.chars().next().map_or(0, char::len_utf8)..];
                for insert in ["", "\"", "\\", "\\\\", "1", "}", "]", ",", " ", "u", "\n"] {
                    let corrupted = format!("{head}{insert}{rest}");
                    assert_eq!(
                        decode_chunk(&corrupted),
                        decode_slowly(&corrupted),
                        "{corrupted}"
                    );
                }
            }
        }
    }
}
