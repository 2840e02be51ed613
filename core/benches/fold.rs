//! The conversation model (`hangups_core::state`): how fast
//! [`ConversationList::fold`] takes StateUpdates, and how much heap a large
//! list holds.
//!
//! `cargo bench -p hangups-core --bench fold`
//!
//! 1. **Fold throughput.** A list of 100 conversations (2–6 participants
//!    each, read states, delivery medium options), then a pre-built Vec of
//!    240,000 StateUpdates is folded into a fresh clone of it; only the
//!    fold loop is timed (`Instant`, each update and its notifications
//!    through `black_box`), median of 7 runs. The updates are what a push
//!    stream carries: a header with `current_server_time`, `event_notification`
//!    chat messages of 1–3 segments (text, link, line break) spread over
//!    the conversations, 10% of them with a `conversation` delta (the full
//!    conversation, as the server sends it), plus 2% typing and 2%
//!    watermark notifications (half from the self user).
//! 2. **Memory.** 1,000 conversations × 200 chat-message events, built with
//!    [`ConversationList::new`] from ConversationStates, and a second list
//!    of the same content built by folding one update per event; the heap
//!    each list holds is counted with a counting global allocator
//!    (`stats_alloc`: bytes allocated − deallocated).
//!
//! `HANGUPS_BENCH_UPDATES` and `HANGUPS_BENCH_RUNS` change the number of
//! updates and of runs; `HANGUPS_BENCH_ONLY_FOLD=1` runs only the fold (for
//! profiling). The counting allocator stays on during the fold
//! timing too: it costs two relaxed atomic adds per (de)allocation.
//!
//! The memory figure is deterministic: the same number every run (the
//! counts are of requested bytes, and nothing in the workload is random
//! but seeded). `tests/scripts/hangups_memory.py` builds hangups 0.4.18's
//! ConversationList from the same shape of states and prints its RSS growth.
//!
//! Figures on a 2-core x86-64 VM shared with other builds (bench profile,
//! counting allocator on), three runs alternating with the code before the
//! compact event store (main at bcccfd9, same bench, same heap count):
//!
//! ```text
//! fold: 100 conversations, 240000 StateUpdates: 230402 chat events (24262 with a conversation delta), 4762 typing, 4836 watermark
//!   fold loop: median 181.5 ms over 7 runs (min 180.6, max 212.3)
//!   1,322,018 StateUpdates/s, 1,269,148 chat events/s, 756 ns per update
//! memory: 1000 conversations x 200 chat events (size_of Event 320 B, ConversationEvent 8 B)
//!   ConversationList::new from states: 44.2 MiB, 232 bytes per event
//!   ConversationList::new + fold: 44.2 MiB, 232 bytes per event
//! ```
//!
//! | | bytes per stored chat event | chat events/s (3 runs) |
//! |---|---|---|
//! | before (`Arc<Event>` per event, 672-byte `Event`) | 1,071 | 819 K – 855 K |
//! | now (compact record, ids shared, boxed proto members) | 232 | 1.20 M – 1.27 M |
//! | hangups 0.4.18, C++ protobuf (RSS growth) | 2,719 | – |
//!
//! Where a stored chat event's 232 bytes go: the `Arc` of its compact
//! record (96: counts, the byte buffer's and the shared ids' pointers,
//! timestamps, packed enums and flags), the byte buffer (event id, client
//! id, segment headers and texts: ~90), its slot in the conversation's
//! `Vec` and dedupe index (~30 with their growth slack), and the
//! conversations' own messages and users spread over their events. What is
//! left of the fold (callgrind, per update): building the compact record
//! (two allocations, the id interning), SipHash of the conversation and
//! event ids, the notification `Vec`, and the in-place conversation delta
//! (10% of the updates). (Before this bench counted a realloc twice:
//! `stats_alloc` already adds it to allocated/deallocated; the old figure
//! of 1,095 bytes per event is 1,071 counted once.)

use hangups_core::proto::hangouts::StateUpdateKind as Oneof;
use hangups_core::proto::hangouts::{
    ActiveClientState, ChatMessage, Conversation as ConversationMsg, ConversationId,
    ConversationParticipantData, ConversationState, ConversationType, ConversationView,
    DeliveryMedium, DeliveryMediumOption, DeliveryMediumType, Entity, EntityProperties, Event,
    EventNotification, EventType, Formatting, InvitationStatus, LinkData, MessageContent,
    NotificationLevel, OffTheRecordStatus, ParticipantId, Segment, SegmentType,
    SetTypingNotification, StateUpdate, StateUpdateHeader, TypingType, UserConversationState,
    UserEventState, UserReadState, WatermarkNotification,
};
use hangups_core::state::{ConversationEvent, ConversationList, UserList};
use stats_alloc::{StatsAlloc, INSTRUMENTED_SYSTEM};
use std::alloc::System;
use std::hint::black_box;
use std::time::{Duration, Instant};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Bytes currently allocated on the heap (requested sizes). `stats_alloc`
/// already adds a realloc's growth to `bytes_allocated` and its shrink to
/// `bytes_deallocated`; `bytes_reallocated` is the same change again, so it
/// is not added.
fn heap_in_use() -> i64 {
    let s = GLOBAL.stats();
    s.bytes_allocated as i64 - s.bytes_deallocated as i64
}

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// xorshift64: small, seeded, repeatable.
struct Rng(u64);

impl Rng {
    /// A number in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

const WORDS: &[&str] = &[
    "hello",
    "world",
    "ça va",
    "naïve",
    "日本語",
    "😀",
    "👍🏽",
    "don't",
    "ok",
    "lorem",
    "ipsum",
    "Привет",
    "مرحبا",
    "see",
    "you",
    "tomorrow",
    "at",
    "the",
    "usual",
    "place",
];

/// The start of time in the data (µs).
const T0: u64 = 1_500_000_000_000_000;
const SELF_GAIA: &str = "100000000000000000001";
/// How many users besides the self user.
const USERS: usize = 60;

fn gaia(user: usize) -> String {
    if user == 0 {
        SELF_GAIA.to_owned()
    } else {
        format!("1{:020}", 100 + user)
    }
}

fn pid(user: usize) -> ParticipantId {
    let g = gaia(user);
    ParticipantId {
        gaia_id: Some(g.clone()),
        chat_id: Some(g),
    }
}

fn cid(conv: usize) -> Option<ConversationId> {
    Some(ConversationId {
        id: Some(format!("UgzConv{conv:06}AaABAQ")),
    })
}

/// The users of conversation `conv`: the self user and 1–5 others.
fn members(conv: usize) -> Vec<usize> {
    let others = 1 + conv % 5;
    std::iter::once(0)
        .chain((0..others).map(|k| 1 + (conv * 7 + k * 13) % USERS))
        .collect()
}

/// The conversation message of `conv` as the server sends it (in a
/// ConversationState and in every delta), sorted at `ts`.
fn conversation_msg(conv: usize, ts: u64) -> ConversationMsg {
    let users = members(conv);
    let group = users.len() > 2;
    ConversationMsg {
        conversation_id: cid(conv),
        r#type: Some(if group {
            ConversationType::CONVERSATION_TYPE_GROUP
        } else {
            ConversationType::CONVERSATION_TYPE_ONE_TO_ONE
        }),
        name: group.then(|| format!("Group {conv}")),
        self_conversation_state: Some(UserConversationState {
            self_read_state: Some(UserReadState {
                participant_id: Some(Box::new(pid(0))),
                latest_read_timestamp: Some(ts.saturating_sub(5_000)),
            }),
            notification_level: Some(NotificationLevel::NOTIFICATION_LEVEL_RING),
            view: vec![ConversationView::CONVERSATION_VIEW_INBOX],
            sort_timestamp: Some(ts),
            active_timestamp: Some(ts),
            delivery_medium_option: vec![DeliveryMediumOption {
                delivery_medium: Some(DeliveryMedium {
                    medium_type: Some(DeliveryMediumType::DELIVERY_MEDIUM_BABEL),
                    ..Default::default()
                }),
                current_default: Some(true),
            }],
            ..Default::default()
        }),
        read_state: users
            .iter()
            .map(|&u| UserReadState {
                participant_id: Some(Box::new(pid(u))),
                latest_read_timestamp: Some(ts.saturating_sub(1_000 * u as u64)),
            })
            .collect(),
        has_active_hangout: Some(false),
        otr_status: Some(OffTheRecordStatus::OFF_THE_RECORD_STATUS_ON_THE_RECORD),
        current_participant: users.iter().map(|&u| pid(u)).collect(),
        participant_data: users
            .iter()
            .map(|&u| ConversationParticipantData {
                id: Some(pid(u)),
                fallback_name: Some(format!("User Number{u}")),
                invitation_status: Some(InvitationStatus::INVITATION_STATUS_ACCEPTED),
                ..Default::default()
            })
            .collect(),
        ..Default::default()
    }
}

/// A chat message event of 1–3 segments in `conv` from one of its users.
fn chat_event(rng: &mut Rng, conv: usize, seq: u64, ts: u64) -> Event {
    let users = members(conv);
    let sender = users[rng.below(users.len())];
    let words = 1 + rng.below(10);
    let text: Vec<&str> = (0..words).map(|_| WORDS[rng.below(WORDS.len())]).collect();
    let mut segment = vec![Segment {
        r#type: SegmentType::SEGMENT_TYPE_TEXT,
        text: Some(text.join(" ")),
        formatting: (seq % 4 == 0).then(|| Formatting {
            bold: Some(true),
            ..Default::default()
        }),
        ..Default::default()
    }];
    match rng.below(3) {
        0 => {}
        1 => segment.push(Segment {
            r#type: SegmentType::SEGMENT_TYPE_LINK,
            text: Some(format!("https://example.org/{seq}")),
            link_data: Some(LinkData {
                link_target: Some(format!("https://example.org/{seq}")),
            }),
            ..Default::default()
        }),
        _ => {
            segment.push(Segment {
                r#type: SegmentType::SEGMENT_TYPE_LINE_BREAK,
                text: Some("\n".into()),
                ..Default::default()
            });
            segment.push(Segment {
                r#type: SegmentType::SEGMENT_TYPE_TEXT,
                text: Some(WORDS[rng.below(WORDS.len())].into()),
                ..Default::default()
            });
        }
    }
    Event {
        conversation_id: cid(conv),
        sender_id: Some(pid(sender)),
        timestamp: Some(ts),
        self_event_state: Some(Box::new(UserEventState {
            user_id: Some(Box::new(pid(0))),
            client_generated_id: (sender == 0).then(|| format!("{}", 7_000_000 + seq)),
            notification_level: Some(NotificationLevel::NOTIFICATION_LEVEL_RING),
        })),
        chat_message: Some(ChatMessage {
            message_content: Some(MessageContent {
                segment,
                ..Default::default()
            }),
            ..Default::default()
        }),
        event_id: Some(format!("7-H0Z7{seq:016x}")),
        advances_sort_timestamp: Some(true),
        otr_status: Some(OffTheRecordStatus::OFF_THE_RECORD_STATUS_ON_THE_RECORD),
        persisted: Some(true),
        medium_type: Some(DeliveryMedium {
            medium_type: Some(DeliveryMediumType::DELIVERY_MEDIUM_BABEL),
            ..Default::default()
        }),
        event_type: Some(EventType::EVENT_TYPE_REGULAR_CHAT_MESSAGE),
        event_version: Some(ts),
        ..Default::default()
    }
}

fn header(ts: u64) -> Option<StateUpdateHeader> {
    Some(StateUpdateHeader {
        active_client_state: Some(ActiveClientState::ACTIVE_CLIENT_STATE_OTHER_ACTIVE),
        request_trace_id: Some("-4294967295123456789".into()),
        current_server_time: Some(ts),
        ..Default::default()
    })
}

fn event_update(event: Event, delta: Option<ConversationMsg>) -> StateUpdate {
    StateUpdate {
        state_update_header: header(event.timestamp.unwrap_or(0) + 200),
        conversation: delta.map(Box::new),
        state_update: Oneof::EventNotification(Box::new(EventNotification { event: Some(event) })),
    }
}

/// The users: the self entity and `USERS` others.
fn user_list() -> UserList {
    let entity = |u: usize| Entity {
        id: Some(pid(u)),
        properties: Some(EntityProperties {
            display_name: Some(format!("User Number{u}")),
            first_name: Some("User".into()),
            photo_url: Some(format!("//lh3.googleusercontent.com/photo{u}.jpg")),
            email: vec![format!("user{u}@example.com")],
            ..Default::default()
        }),
        ..Default::default()
    };
    let others: Vec<Entity> = (1..=USERS).map(entity).collect();
    UserList::new(&entity(0), &others, &[])
}

fn conv_state(conv: usize, events: Vec<Event>) -> ConversationState {
    ConversationState {
        conversation_id: cid(conv),
        conversation: Some(conversation_msg(conv, T0)),
        event: events,
        ..Default::default()
    }
}

/// What the fold updates are made of.
#[derive(Default)]
struct Mix {
    events: usize,
    deltas: usize,
    typing: usize,
    watermarks: usize,
}

/// `n` StateUpdates over `convs` conversations (see the module docs).
fn fold_updates(n: usize, convs: usize) -> (Vec<StateUpdate>, Mix) {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut mix = Mix::default();
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let ts = T0 + 1_000_000 + i as u64 * 1_000;
        let conv = rng.below(convs);
        let roll = rng.below(100);
        let update = if roll < 2 {
            mix.typing += 1;
            let users = members(conv);
            StateUpdate {
                state_update_header: header(ts),
                state_update: Oneof::TypingNotification(Box::new(SetTypingNotification {
                    conversation_id: cid(conv),
                    sender_id: Some(Box::new(pid(users[1 + rng.below(users.len() - 1)]))),
                    timestamp: Some(ts),
                    r#type: Some(TypingType::TYPING_TYPE_STARTED),
                })),
                ..Default::default()
            }
        } else if roll < 4 {
            mix.watermarks += 1;
            let users = members(conv);
            StateUpdate {
                state_update_header: header(ts),
                state_update: Oneof::WatermarkNotification(Box::new(WatermarkNotification {
                    sender_id: Some(Box::new(pid(users[rng.below(users.len())]))),
                    conversation_id: cid(conv),
                    latest_read_timestamp: Some(ts),
                })),
                ..Default::default()
            }
        } else {
            mix.events += 1;
            let delta = (roll < 14).then(|| conversation_msg(conv, ts));
            mix.deltas += usize::from(delta.is_some());
            event_update(chat_event(&mut rng, conv, i as u64, ts), delta)
        };
        out.push(update);
    }
    (out, mix)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn mib(bytes: i64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn thousands(n: f64) -> String {
    let s = format!("{:.0}", n);
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn bench_fold() {
    let n = env_or("HANGUPS_BENCH_UPDATES", 240_000);
    let runs = env_or("HANGUPS_BENCH_RUNS", 7).max(1);
    let convs = 100;
    let states: Vec<ConversationState> = (0..convs).map(|c| conv_state(c, Vec::new())).collect();
    let base = ConversationList::new(&states, user_list(), T0);
    let (updates, mix) = fold_updates(n, convs);
    println!(
        "fold: {convs} conversations, {n} StateUpdates: {} chat events ({} with a conversation delta), {} typing, {} watermark",
        mix.events, mix.deltas, mix.typing, mix.watermarks
    );

    let mut times = Vec::with_capacity(runs);
    let mut notes = 0usize;
    for _ in 0..runs {
        let mut list = base.clone();
        notes = 0;
        let start = Instant::now();
        for update in &updates {
            let out = list.fold(black_box(update));
            notes += out.len();
            black_box(out);
        }
        times.push(start.elapsed());
        // Every event is new, so every one is stored and notified.
        let stored: usize = list.get_all(true).iter().map(|c| c.events().len()).sum();
        assert_eq!(stored, mix.events);
        black_box(&list);
    }
    let expected = mix.events + mix.deltas + mix.typing + mix.watermarks;
    assert_eq!(notes, expected, "one notification per update and delta");
    let med = median(times.clone());
    let (min, max) = (times.iter().min().unwrap(), times.iter().max().unwrap());
    let secs = med.as_secs_f64();
    println!(
        "  fold loop: median {:.1} ms over {runs} runs (min {:.1}, max {:.1})",
        secs * 1e3,
        min.as_secs_f64() * 1e3,
        max.as_secs_f64() * 1e3
    );
    println!(
        "  {} StateUpdates/s, {} chat events/s, {:.0} ns per update",
        thousands(n as f64 / secs),
        thousands(mix.events as f64 / secs),
        secs * 1e9 / n as f64
    );
}

/// Heap held by a list of `convs` × `per_conv` events, built from states
/// and by folding.
fn bench_memory() {
    let convs = 1_000;
    let per_conv = 200;
    let total = (convs * per_conv) as i64;
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut seq = 0u64;
    let states: Vec<ConversationState> = (0..convs)
        .map(|c| {
            let events = (0..per_conv)
                .map(|k| {
                    seq += 1;
                    chat_event(&mut rng, c, seq, T0 + 1_000 + k as u64 * 1_000)
                })
                .collect();
            conv_state(c, events)
        })
        .collect();
    println!(
        "memory: {convs} conversations x {per_conv} chat events (size_of Event {} B, ConversationEvent {} B)",
        std::mem::size_of::<Event>(),
        std::mem::size_of::<ConversationEvent>()
    );

    // The list from states: everything it holds is its own (cloned).
    let before = heap_in_use();
    let users = user_list();
    let list = ConversationList::new(&states, users, T0);
    let from_states = heap_in_use() - before;
    assert_eq!(list.get_all(true).len(), convs);
    let report = |how: &str, bytes: i64| {
        println!(
            "  {how}: {:.1} MiB, {} bytes per event",
            mib(bytes),
            thousands(bytes as f64 / total as f64)
        );
    };
    report("ConversationList::new from states", from_states);
    drop(list);

    // The same content by folding: empty conversations, then one
    // event_notification per event, interleaved over the conversations.
    let shells: Vec<ConversationState> = (0..convs).map(|c| conv_state(c, Vec::new())).collect();
    let mut updates = Vec::with_capacity(convs * per_conv);
    for k in 0..per_conv {
        for state in &states {
            updates.push(event_update(state.event[k].clone(), None));
        }
    }
    drop(states);
    let before = heap_in_use();
    let users = user_list();
    let mut list = ConversationList::new(&shells, users, T0);
    for update in &updates {
        black_box(list.fold(update));
    }
    let by_fold = heap_in_use() - before;
    let stored: usize = list.get_all(true).iter().map(|c| c.events().len()).sum();
    assert_eq!(stored, convs * per_conv);
    report("ConversationList::new + fold", by_fold);
    drop(list);
}

fn main() {
    // `cargo bench` passes `--bench`; nothing to parse.
    bench_fold();
    if std::env::var_os("HANGUPS_BENCH_ONLY_FOLD").is_none() {
        bench_memory();
    }
}
