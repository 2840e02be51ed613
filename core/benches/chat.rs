//! The sans-IO Google Chat client's own cost, with no network: requests
//! built per second for a typical `create` (a text post in a thread with
//! a request id), and responses parsed per second for a typical `list`
//! page (25 messages, ≈ 20 KB, the shape the Chat API returns), side by
//! side with serde_json parsing the same page into a `serde_json::Value`
//! in the same run. Also the whole machine per call: `create` or `list`
//! → the request's bytes from `poll_output` → the HTTP response fed back
//! → the typed `ChatEvent::Response`, on one kept connection.
//!
//! `cargo bench -p hangups-core --bench chat`
//!
//! Prints three runs of every figure. `HANGUPS_BENCH_MS` sets the time
//! spent on each (default 500).
//!
//! Figures on a 2-core x86-64 VM shared with other jobs (three runs; a
//! 406-byte create request, a 19,186-byte page):
//!
//! | run | create built+encoded/s | create via machine/s | page → `ListMessagesResponse`/s | page → `Value`/s | list via machine/s |
//! |---|---|---|---|---|---|
//! | 1 | 924,498 | 301,222 | 26,835 | 17,982 | 26,022 |
//! | 2 | 921,939 | 302,933 | 24,652 | 16,890 | 22,068 |
//! | 3 | 775,824 | 279,885 | 26,709 | 13,137 | 25,827 |
//!
//! The typed page parses faster than a `Value` (no map per object, field
//! names matched, not stored); the whole machine per `list` costs little
//! more than the typed parse.

use hangups_core::chat::{
    ChatAuth, ChatClient, ChatConfig, ChatEndpoint, ChatEvent, ChatRequest, ChatResponse,
    CreateMessage, ListMessages, ListMessagesResponse, Message, SpaceName,
};
use hangups_core::client::{ConnId, Input, Output};
use std::hint::black_box;
use std::time::{Duration, Instant};

const SPACE: &str = "spaces/AAAAbuildbot";

/// A list page of `n` messages shaped as the Chat API returns them (the
/// emulator's and Google's fields for an app's and a user's posts).
fn list_page(n: usize) -> String {
    let mut messages = Vec::new();
    for i in 0..n {
        let user = i % 3 != 0;
        let sender = if user {
            serde_json::json!({"name": format!("users/10000000000000000000{}", i % 7),
                "displayName": "Ada Lovelace", "type": "HUMAN", "domainId": "c0ffee1"})
        } else {
            serde_json::json!({"name": "users/app", "displayName": "Build bot", "type": "BOT"})
        };
        let text = format!(
            "Build #{} of main passed in {}m{}s: 1,284 tests, 0 failures. <https://ci.example.com/b/{}|details>",
            4200 + i,
            i % 9,
            (i * 7) % 60,
            4200 + i
        );
        let mut m = serde_json::json!({
            "name": format!("{SPACE}/messages/Xq{i:09}.Xq{i:09}"),
            "sender": sender,
            "createTime": format!("2026-12-07T10:{:02}:{:02}.{:06}Z", i % 60, (i * 13) % 60, i * 1013),
            "text": text,
            "formattedText": text,
            "argumentText": text,
            "thread": {"name": format!("{SPACE}/threads/T{:010}", i / 4)},
            "space": {"name": SPACE, "type": "ROOM", "spaceType": "SPACE", "displayName": "Builds"},
        });
        if i % 4 != 0 {
            m["threadReply"] = serde_json::json!(true);
        }
        if i % 5 == 0 {
            m["annotations"] = serde_json::json!([{"type": "USER_MENTION", "startIndex": 0,
                "length": 4, "userMention": {"user": {"name": "users/100000000000000000001",
                "type": "HUMAN"}, "type": "MENTION"}}]);
        }
        if i % 6 == 0 {
            m["lastUpdateTime"] = serde_json::json!("2026-12-07T11:00:00.000000Z");
        }
        messages.push(m);
    }
    serde_json::json!({"messages": messages, "nextPageToken": "CiAKGjBfQUFBQWJ1aWxkYm90XzQyMjUQAQ"})
        .to_string()
}

fn create_request() -> CreateMessage {
    CreateMessage::new(
        SpaceName::parse(SPACE).expect("space"),
        Message::text("Build #4242 of main passed in 3m12s: 1,284 tests, 0 failures."),
    )
    .thread_key("build-4242")
    .request_id("8f14e45f-ceea-467f-a0e6-7e4d3f3f9a1c")
}

/// Calls per second of `f`, run for `budget`.
fn rate(budget: Duration, mut f: impl FnMut()) -> f64 {
    // Warm up.
    for _ in 0..100 {
        f();
    }
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < budget {
        for _ in 0..64 {
            f();
        }
        n += 64;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

/// A machine on one kept connection, answering each call with `body`.
struct Loop {
    chat: ChatClient,
    conn: Option<ConnId>,
    now: Instant,
    response: Vec<u8>,
}

impl Loop {
    fn new(body: &str) -> Loop {
        let config = ChatConfig::new(ChatAuth::Bearer("ya29.a0AfB_byC-bench-token".into()))
            .with_url("http://127.0.0.1:8080")
            .expect("url")
            .with_rng_seed(7);
        let now = Instant::now();
        let response = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json; charset=UTF-8\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes();
        Loop {
            chat: ChatClient::new(config, now).expect("config"),
            conn: None,
            now,
            response,
        }
    }

    /// Drives one call to its answer; the request's size in bytes.
    fn call(&mut self, start: impl FnOnce(&mut ChatClient, Instant)) -> (usize, ChatResponse) {
        start(&mut self.chat, self.now);
        let mut sent = 0;
        loop {
            match self.chat.poll_output() {
                Some(Output::Connect { conn, .. }) => {
                    self.conn = Some(conn);
                    self.chat.handle_input(self.now, Input::Connected(conn));
                }
                Some(Output::Transmit { bytes, .. }) => sent += black_box(bytes).len(),
                Some(other) => panic!("unexpected {other:?}"),
                None => break,
            }
        }
        let conn = self.conn.expect("a connection");
        self.chat
            .handle_input(self.now, Input::Data(conn, &self.response));
        while let Some(out) = self.chat.poll_output() {
            assert!(
                !matches!(out, Output::Close { .. }),
                "the connection is kept"
            );
        }
        match self.chat.poll_event() {
            Some(ChatEvent::Response { result, .. }) => (sent, result.expect("a success")),
            other => panic!("expected a response, got {other:?}"),
        }
    }
}

fn main() {
    let budget = Duration::from_millis(
        std::env::var("HANGUPS_BENCH_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(500),
    );
    let page = list_page(25);
    let typed: ListMessagesResponse = serde_json::from_str(&page).expect("the page parses");
    assert_eq!(typed.messages.len(), 25);
    let create = ChatRequest::Create(create_request());
    let endpoint = ChatEndpoint::google();
    let auth = ChatAuth::Bearer("ya29.a0AfB_byC-bench-token".into());
    let request_bytes = create
        .build(&endpoint, &auth)
        .expect("builds")
        .encode()
        .len();
    let created = r#"{"name":"spaces/AAAAbuildbot/messages/Xq1.Xq1","sender":{"name":"users/app","type":"BOT"},"createTime":"2026-12-07T10:00:00.000000Z","text":"Build #4242 of main passed in 3m12s: 1,284 tests, 0 failures.","thread":{"name":"spaces/AAAAbuildbot/threads/T1","threadKey":"build-4242"},"space":{"name":"spaces/AAAAbuildbot"}}"#;

    println!(
        "create: {request_bytes}-byte request; list page: 25 messages, {} bytes of JSON",
        page.len()
    );
    println!(
        "{:<5} {:>14} {:>16} {:>16} {:>16} {:>16} {:>16}",
        "run",
        "create build/s",
        "create machine/s",
        "page typed/s",
        "page Value/s",
        "list machine/s",
        "typed MB/s"
    );
    let mut create_loop = Loop::new(created);
    let mut list_loop = Loop::new(&page);
    for run in 1..=3 {
        let build = rate(budget, || {
            let r = create.build(&endpoint, &auth).expect("builds");
            black_box(r.encode());
        });
        let create_machine = rate(budget, || {
            let (sent, resp) = create_loop.call(|c, now| {
                c.create(now, create_request()).expect("create");
            });
            black_box((sent, resp));
        });
        let typed = rate(budget, || {
            let p: ListMessagesResponse =
                serde_json::from_slice(black_box(page.as_bytes())).expect("typed");
            black_box(p);
        });
        let value = rate(budget, || {
            let v: serde_json::Value =
                serde_json::from_slice(black_box(page.as_bytes())).expect("Value");
            black_box(v);
        });
        let list_machine = rate(budget, || {
            let (sent, resp) = list_loop.call(|c, now| {
                c.list(
                    now,
                    ListMessages::new(SpaceName::parse(SPACE).expect("space")),
                )
                .expect("list");
            });
            assert!(matches!(&resp, ChatResponse::List(p) if p.messages.len() == 25));
            black_box((sent, resp));
        });
        println!(
            "{run:<5} {build:>14.0} {create_machine:>16.0} {typed:>16.0} {value:>16.0} {list_machine:>16.0} {:>16.1}",
            typed * page.len() as f64 / 1e6
        );
    }
}
