//! pblite decoding throughput: one ~1 MB `BatchUpdate` of chat-message
//! events (the shape of shared/bench's streams: multi-byte text, emoji,
//! escapes, links, a photo attachment in the trailing object every tenth
//! event), decoded into owned typed messages. In the same run, serde_json
//! parses the same text into `IgnoredAny` as the baseline, and into a
//! `serde_json::Value` tree (the cost a tree-first decoder pays before any
//! conversion to typed messages).
//!
//! `cargo bench -p hangups-proto --bench pblite`
//!
//! Set `HANGUPS_BENCH_PBLITE=path` to decode a file of your own instead
//! (one tagged pblite BatchUpdate, e.g. extracted from a capture).

use hangups_proto::hangouts::*;
use hangups_proto::pblite;
use std::hint::black_box;
use std::time::{Duration, Instant};

const WORDS: &[&str] = &[
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

struct Rng(u64);
impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

fn event(rng: &mut Rng, i: u64) -> StateUpdate {
    let words = 1 + rng.below(12);
    let text: Vec<&str> = (0..words).map(|_| WORDS[rng.below(WORDS.len())]).collect();
    let sender = (100_000 + i % 7).to_string();
    let mut content = MessageContent {
        segment: vec![
            Segment {
                r#type: SegmentType::SEGMENT_TYPE_TEXT,
                text: Some(text.join(" ")),
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
    StateUpdate {
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
    }
}

/// A tagged BatchUpdate of at least `bytes` of pblite text.
fn sample(bytes: usize) -> String {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let mut batch = BatchUpdate::default();
    let mut i = 0;
    loop {
        batch.state_update.push(event(&mut rng, i));
        i += 1;
        if i % 64 == 0 && pblite::encode_tagged("cbu", &batch).len() >= bytes {
            return pblite::encode_tagged("cbu", &batch);
        }
    }
}

/// Median MB/s of `f` over repeated runs of about `budget`.
fn measure(len: usize, budget: Duration, mut f: impl FnMut()) -> f64 {
    for _ in 0..5 {
        f();
    }
    let mut rates = Vec::new();
    let start = Instant::now();
    while start.elapsed() < budget || rates.len() < 11 {
        let t = Instant::now();
        f();
        rates.push(len as f64 / t.elapsed().as_secs_f64() / 1e6);
    }
    rates.sort_by(f64::total_cmp);
    rates[rates.len() / 2]
}

fn main() {
    let text = match std::env::var("HANGUPS_BENCH_PBLITE") {
        Ok(path) => std::fs::read_to_string(path).expect("read HANGUPS_BENCH_PBLITE"),
        Err(_) => sample(1_000_000),
    };
    let budget = Duration::from_secs(3);
    let batch: BatchUpdate = pblite::decode_tagged(&text).expect("sample decodes");
    let binary = hangups_proto::encode_binary(&batch);
    println!(
        "input: one tagged BatchUpdate, {} bytes of pblite, {} state updates ({} bytes as binary protobuf)",
        text.len(),
        batch.state_update.len(),
        binary.len()
    );
    let ours = measure(text.len(), budget, || {
        let b: BatchUpdate = pblite::decode_tagged(black_box(&text)).unwrap();
        black_box(b);
    });
    if std::env::var("HANGUPS_BENCH_ONLY_DECODE").is_ok() {
        println!("pblite decode into typed BatchUpdate      {ours:8.0} MB/s");
        return;
    }
    let serde = measure(text.len(), budget, || {
        let v: serde::de::IgnoredAny = serde_json::from_str(black_box(&text)).unwrap();
        black_box(v);
    });
    let tree = measure(text.len(), budget, || {
        let v: serde_json::Value = serde_json::from_str(black_box(&text)).unwrap();
        black_box(v);
    });
    let enc = measure(text.len(), budget, || {
        black_box(pblite::encode_tagged("cbu", black_box(&batch)));
    });
    let bin = measure(binary.len(), budget, || {
        let b: BatchUpdate = hangups_proto::decode_binary(black_box(&binary)).unwrap();
        black_box(b);
    });
    println!("pblite decode into typed BatchUpdate      {ours:8.0} MB/s");
    println!("serde_json -> IgnoredAny (same text)      {serde:8.0} MB/s   (baseline, same run)");
    println!("serde_json -> Value (the tree alone)      {tree:8.0} MB/s   (what a tree-first decoder pays before any typing)");
    println!("pblite encode (MB of output)              {enc:8.0} MB/s");
    println!("binary decode (quick-protobuf + depth check, MB of binary) {bin:6.0} MB/s");
    println!(
        "ratio pblite decode / serde_json IgnoredAny: {:.2}",
        ours / serde
    );
}
