//! A long-poll body of the shape of shared/bench/gen_stream.py, made in
//! Rust so that the benchmark and the tests need no files: a client-id
//! chunk first, ~5% noops, then "cbu" BatchUpdates of 1 to 3 chat-message
//! StateUpdates (multi-byte text, emoji, escapes, a link segment, a photo
//! every tenth event), every JSON layer written like Python's `json.dumps`
//! (separators `", "` and `": "`, non-ASCII unescaped), each chunk framed
//! with its UTF-16 length.

use hangups_proto::hangouts::*;
use hangups_proto::pblite;
use serde::Serialize;
use std::io;

/// The words of the messages, as in gen_stream.py.
pub const WORDS: &[&str] = &[
    "hello",
    "world",
    "ça va",
    "naïve",
    "日本語",
    "😀",
    "👍🏽",
    "𝄞",
    "don't",
    "\"quoted\"",
    "back\\slash",
    "new\nline",
    "tab\there",
    "http://example.com/x?a=1&b=2",
    "**bold**",
    "<b>html</b>",
    "ok",
    "lorem",
    "ipsum",
    "Привет",
    "مرحبا",
];

/// A generated stream and what it holds.
pub struct Generated {
    /// The body: length-framed chunks.
    pub stream: Vec<u8>,
    /// Each event's id and the text of its first segment, in order.
    pub manifest: Vec<(String, String)>,
    /// How many chunks.
    pub chunks: usize,
    /// How many noop chunks.
    pub noops: usize,
}

/// xorshift64: small, seeded, repeatable.
pub struct Rng(pub u64);

impl Rng {
    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// Python's `json.dumps` separators.
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
}

/// `json.dumps(value, ensure_ascii=False)`.
pub fn dumps<T: Serialize + ?Sized>(value: &T) -> String {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(&mut out, PythonFormatter);
    value.serialize(&mut ser).expect("serializable");
    String::from_utf8(out).expect("UTF-8")
}

/// Frames one chunk with its length in UTF-16 code units.
pub fn frame(payload: &str, out: &mut Vec<u8>) {
    out.extend_from_slice(format!("{}\n{payload}", payload.encode_utf16().count()).as_bytes());
}

/// A chunk of one push array whose "p" holds `wrapper`.
fn wrapper_chunk(array_id: u64, wrapper: &serde_json::Value) -> String {
    let container = serde_json::json!([[array_id, [{ "p": dumps(wrapper) }]]]);
    dumps(&container) + "\n"
}

fn event(rng: &mut Rng, i: u64) -> (StateUpdate, String) {
    let words = 1 + rng.below(12);
    let text: Vec<&str> = (0..words).map(|_| WORDS[rng.below(WORDS.len())]).collect();
    let text = text.join(" ");
    let sender = (100_000 + i % 7).to_string();
    let mut content = MessageContent {
        segment: vec![
            Segment {
                r#type: SegmentType::SEGMENT_TYPE_TEXT,
                text: Some(text.clone()),
                formatting: Some(Formatting {
                    bold: Some(i % 3 == 0),
                    ..Default::default()
                }),
                ..Default::default()
            },
            Segment {
                r#type: SegmentType::SEGMENT_TYPE_LINK,
                text: Some("link".into()),
                link_data: Some(LinkData {
                    link_target: Some(format!("https://example.org/{i}")),
                }),
                ..Default::default()
            },
        ],
        ..Default::default()
    };
    if i % 10 == 0 {
        content.attachment.push(Attachment {
            embed_item: Some(EmbedItem {
                r#type: vec![ItemType::ITEM_TYPE_PLUS_PHOTO],
                plus_photo: Some(Box::new(PlusPhoto {
                    url: Some(format!("https://photos.example/{i}.jpg")),
                    thumbnail: Some(Box::new(PlusPhotoThumbnail {
                        image_url: Some(format!("https://t/{i}")),
                        width_px: Some(640),
                        height_px: Some(480),
                        ..Default::default()
                    })),
                    ..Default::default()
                })),
                ..Default::default()
            }),
        });
    }
    let ts = 1_500_000_000_000_000 + i * 1000;
    let update = StateUpdate {
        state_update_header: Some(StateUpdateHeader {
            active_client_state: Some(ActiveClientState::ACTIVE_CLIENT_STATE_OTHER_ACTIVE),
            current_server_time: Some(ts),
            ..Default::default()
        }),
        state_update: StateUpdateKind::EventNotification(Box::new(EventNotification {
            event: Some(Event {
                conversation_id: Some(ConversationId {
                    id: Some(format!("CONV{:02}", i % 13)),
                }),
                sender_id: Some(ParticipantId {
                    gaia_id: Some(sender.clone()),
                    chat_id: Some(sender),
                }),
                timestamp: Some(ts),
                event_id: Some(format!("EV{i:08}")),
                event_type: Some(EventType::EVENT_TYPE_REGULAR_CHAT_MESSAGE),
                advances_sort_timestamp: Some(true),
                chat_message: Some(ChatMessage {
                    message_content: Some(content),
                    ..Default::default()
                }),
                ..Default::default()
            }),
        })),
        ..Default::default()
    };
    (update, text)
}

/// A stream of `events` chat-message events.
pub fn generate(events: u64, seed: u64) -> Generated {
    let mut rng = Rng(seed | 1);
    let mut stream = Vec::new();
    let mut manifest = Vec::new();
    let client = serde_json::json!({
        "1": {"1": {"1": {"1": 1, "2": 1}}, "4": "1500000000000", "5": "S1"},
        "3": {"1": {"1": 1}, "2": "lcsw_hangouts_TEST0001"},
    });
    frame(&wrapper_chunk(1, &client), &mut stream);
    let (mut array_id, mut i, mut chunks, mut noops) = (1u64, 0u64, 1, 0);
    while i < events {
        array_id += 1;
        chunks += 1;
        if rng.below(100) < 5 {
            noops += 1;
            frame(
                &(dumps(&serde_json::json!([[array_id, ["noop"]]])) + "\n"),
                &mut stream,
            );
            continue;
        }
        let mut batch = BatchUpdate::default();
        for _ in 0..1 + rng.below(3) {
            if i >= events {
                break;
            }
            let (update, text) = event(&mut rng, i);
            manifest.push((format!("EV{i:08}"), text));
            batch.state_update.push(update);
            i += 1;
        }
        let compact = pblite::encode_tagged("cbu", &batch);
        let tree: serde_json::Value = serde_json::from_str(&compact).expect("pblite is JSON");
        let wrapper = serde_json::json!({
            "1": {"1": {"1": {"1": 1, "2": 1}}, "4": (1_500_000_000_000u64 + array_id).to_string(), "5": format!("S{array_id}")},
            "2": {"1": {"1": "babel", "2": "conserver.google.com"}, "2": dumps(&tree)},
        });
        frame(&wrapper_chunk(array_id, &wrapper), &mut stream);
    }
    Generated {
        stream,
        manifest,
        chunks,
        noops,
    }
}
