//! The Google Chat emulator over raw HTTP (std TcpStream): every
//! `spaces.messages` verb, the rules Google enforces, the control API,
//! the quota and the fault knobs.

use hangups_tests::chat_emulator::ChatFaults;
use hangups_tests::emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

const BOT: &str = "https://www.googleapis.com/auth/chat.bot";

/// One answer: status, raw head, JSON body (`Null` if none).
struct Answer {
    status: u16,
    head: String,
    body: Value,
}

impl Answer {
    fn error_status(&self) -> &str {
        self.body["error"]["status"].as_str().unwrap_or("")
    }
}

/// Sends one request (extra header lines, body) on a fresh connection;
/// `None` if the connection was dropped without a response.
fn raw(
    emu: &EmulatorHandle,
    method: &str,
    target: &str,
    headers: &str,
    body: &str,
) -> Option<Answer> {
    let mut tcp = TcpStream::connect(emu.addr()).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let head = format!(
        "{method} {target} HTTP/1.1\r\nHost: chat.googleapis.com\r\nConnection: close\r\n{headers}Content-Length: {}\r\n\r\n",
        body.len()
    );
    tcp.write_all(head.as_bytes()).unwrap();
    tcp.write_all(body.as_bytes()).unwrap();
    let mut raw = Vec::new();
    let _ = tcp.read_to_end(&mut raw);
    if raw.is_empty() {
        return None;
    }
    let text = String::from_utf8(raw).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head[9..12].parse().unwrap();
    let body = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
    };
    Some(Answer {
        status,
        head: head.to_string(),
        body,
    })
}

/// A JSON API call (pretty-printed body, bearer token if given).
fn try_call(
    emu: &EmulatorHandle,
    method: &str,
    target: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Option<Answer> {
    let payload = body
        .map(|b| serde_json::to_string_pretty(b).unwrap())
        .unwrap_or_default();
    let mut headers = String::new();
    if body.is_some() {
        headers.push_str("Content-Type: application/json; charset=UTF-8\r\n");
    }
    if let Some(t) = token {
        headers.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    raw(emu, method, target, &headers, &payload)
}

fn call(
    emu: &EmulatorHandle,
    method: &str,
    target: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> Answer {
    try_call(emu, method, target, token, body).expect("a response")
}

/// An emulator with a space (`users/1` and the app members) and an app token.
fn setup() -> (EmulatorHandle, String, String) {
    let emu = Emulator::start(EmulatorConfig::default().with_default_world(false)).unwrap();
    let space = emu
        .chat_create_space("Room", &["users/1", "users/2"])
        .unwrap();
    let token = emu.chat_token("app", &[BOT]).unwrap();
    (emu, space, token)
}

fn create(emu: &EmulatorHandle, space: &str, token: &str, query: &str, body: Value) -> Answer {
    call(
        emu,
        "POST",
        &format!("/v1/{space}/messages{query}"),
        Some(token),
        Some(&body),
    )
}

fn post_text(emu: &EmulatorHandle, space: &str, token: &str, text: &str) -> Value {
    let a = create(emu, space, token, "", json!({"text": text}));
    assert_eq!(a.status, 200, "{}", a.body);
    a.body
}

#[test]
fn every_verb() {
    let (emu, space, token) = setup();
    let m = post_text(&emu, &space, &token, "hello");
    let name = m["name"].as_str().unwrap().to_string();
    assert!(name.starts_with(&format!("{space}/messages/")), "{name}");
    assert_eq!(m["text"], "hello");
    assert_eq!(m["sender"], json!({"name": "users/app", "type": "BOT"}));
    assert_eq!(m["space"]["name"], space.as_str());
    assert!(m["thread"]["name"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{space}/threads/")));
    assert!(m["createTime"].as_str().unwrap().ends_with('Z'));

    let got = call(
        &emu,
        "GET",
        &format!("/v1/{name}?alt=json"),
        Some(&token),
        None,
    );
    assert_eq!((got.status, &got.body), (200, &m));

    let patched = call(
        &emu,
        "PATCH",
        &format!("/v1/{name}?updateMask=text"),
        Some(&token),
        Some(&json!({"text": "edited"})),
    );
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(patched.body["text"], "edited");
    assert!(patched.body["lastUpdateTime"].is_string());

    let put = call(
        &emu,
        "PUT",
        &format!("/v1/{name}?updateMask=text"),
        Some(&token),
        Some(&json!({"text": "put"})),
    );
    assert_eq!(put.body["text"], "put");

    let reader = emu
        .chat_token("app", &[BOT, "chat.app.messages.readonly"])
        .unwrap();
    let listed = call(
        &emu,
        "GET",
        &format!("/v1/{space}/messages"),
        Some(&reader),
        None,
    );
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert_eq!(listed.body["messages"][0]["text"], "put");

    let deleted = call(&emu, "DELETE", &format!("/v1/{name}"), Some(&token), None);
    assert_eq!((deleted.status, &deleted.body), (200, &json!({})));
    let gone = call(&emu, "GET", &format!("/v1/{name}"), Some(&token), None);
    assert_eq!((gone.status, gone.error_status()), (404, "NOT_FOUND"));
    let again = call(&emu, "DELETE", &format!("/v1/{name}"), Some(&token), None);
    assert_eq!(again.status, 404);

    let counts = &emu.chat_state()["requests"];
    assert_eq!(counts["create"], 1);
    assert_eq!(counts["update"], 2);
    assert_eq!(counts["get"], 2);
}

#[test]
fn request_id_returns_the_same_message_unchanged() {
    let (emu, space, token) = setup();
    let first = create(
        &emu,
        &space,
        &token,
        "?requestId=r-1",
        json!({"text": "one"}),
    );
    let second = create(
        &emu,
        &space,
        &token,
        "?requestId=r-1",
        json!({"text": "two"}),
    );
    assert_eq!(first.status, 200);
    assert_eq!(second.body, first.body);
    assert_eq!(second.body["text"], "one");
    assert_eq!(emu.chat_state()["messages"].as_array().unwrap().len(), 1);

    let user = emu.chat_token("users/1", &["chat.messages"]).unwrap();
    let other = create(&emu, &space, &user, "?requestId=r-1", json!({"text": "x"}));
    assert_eq!(
        (other.status, other.error_status()),
        (409, "ALREADY_EXISTS")
    );
    // Another id is another message.
    let third = create(
        &emu,
        &space,
        &token,
        "?requestId=r-2",
        json!({"text": "two"}),
    );
    assert_ne!(third.body["name"], first.body["name"]);
}

#[test]
fn message_id_rules() {
    let (emu, space, token) = setup();
    for bad in [
        "abc",
        "client-UPPER",
        "client-under_score",
        &format!("client-{}", "a".repeat(57)),
    ] {
        let a = create(
            &emu,
            &space,
            &token,
            &format!("?messageId={bad}"),
            json!({"text": "x"}),
        );
        assert_eq!(
            (a.status, a.error_status()),
            (400, "INVALID_ARGUMENT"),
            "{bad}"
        );
        assert_eq!(
            a.body["error"]["details"][0]["@type"],
            "type.googleapis.com/google.rpc.BadRequest"
        );
    }
    let ok = create(
        &emu,
        &space,
        &token,
        "?messageId=client-build-42",
        json!({"text": "x"}),
    );
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.body["clientAssignedMessageId"], "client-build-42");
    let dup = create(
        &emu,
        &space,
        &token,
        "?messageId=client-build-42",
        json!({"text": "y"}),
    );
    assert_eq!((dup.status, dup.error_status()), (409, "ALREADY_EXISTS"));
    let by_client = call(
        &emu,
        "GET",
        &format!("/v1/{space}/messages/client-build-42"),
        Some(&token),
        None,
    );
    assert_eq!(by_client.body["name"], ok.body["name"]);
}

#[test]
fn threading_needs_a_reply_option() {
    let (emu, space, token) = setup();
    let body = json!({"text": "x", "thread": {"threadKey": "build-7"}});
    let a = create(&emu, &space, &token, "", body.clone());
    let b = create(&emu, &space, &token, "", body.clone());
    assert_ne!(
        a.body["thread"]["name"], b.body["thread"]["name"],
        "no option: the key is ignored"
    );

    let opt = "?messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD";
    let c = create(&emu, &space, &token, opt, body.clone());
    let d = create(&emu, &space, &token, opt, body.clone());
    assert_eq!(c.body["thread"]["name"], d.body["thread"]["name"]);
    assert_eq!(d.body["threadReply"], true);
    assert!(c.body.get("threadReply").is_none());
    // The option as a number (GAPIC's enum-encoding=int).
    let e = create(
        &emu,
        &space,
        &token,
        "?messageReplyOption=1&$alt=json;enum-encoding=int",
        body,
    );
    assert_eq!(e.body["thread"]["name"], c.body["thread"]["name"]);
    assert_eq!(e.body["sender"]["type"], 2);

    // Another caller's key is another thread; thread.name replies to it.
    let user = emu.chat_token("users/1", &["chat.messages"]).unwrap();
    let f = create(
        &emu,
        &space,
        &user,
        opt,
        json!({"text": "u", "thread": {"threadKey": "build-7"}}),
    );
    assert_ne!(f.body["thread"]["name"], c.body["thread"]["name"]);
    let g = create(
        &emu,
        &space,
        &user,
        opt,
        json!({"text": "u", "thread": {"name": c.body["thread"]["name"]}}),
    );
    assert_eq!(g.body["thread"]["name"], c.body["thread"]["name"]);

    let missing = json!({"text": "x", "thread": {"name": format!("{space}/threads/nope")}});
    let h = create(
        &emu,
        &space,
        &token,
        "?messageReplyOption=REPLY_MESSAGE_OR_FAIL",
        missing.clone(),
    );
    assert_eq!((h.status, h.error_status()), (404, "NOT_FOUND"));
    let i = create(&emu, &space, &token, opt, missing);
    assert_eq!(i.status, 200);
    let bad = create(
        &emu,
        &space,
        &token,
        "?messageReplyOption=SOMETIMES",
        json!({"text": "x"}),
    );
    assert_eq!(bad.status, 400);
}

#[test]
fn webhooks_create_only_and_thread_with_the_option() {
    let (emu, space, _) = setup();
    let url = emu.chat_webhook(&space).unwrap();
    let target = url.strip_prefix(&emu.url()).unwrap().to_string();
    let body = json!({"text": "deploy", "thread": {"threadKey": "deploys"}});
    let a = call(&emu, "POST", &target, None, Some(&body));
    assert_eq!(a.status, 200, "{}", a.body);
    let keys: Vec<&String> = a.body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["name", "thread"]);
    assert_eq!(a.body["thread"].as_object().unwrap().len(), 1);
    let b = call(&emu, "POST", &target, None, Some(&body));
    assert_ne!(a.body["thread"]["name"], b.body["thread"]["name"]);
    let threaded = format!("{target}&messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD");
    let c = call(&emu, "POST", &threaded, None, Some(&body));
    let d = call(&emu, "POST", &threaded, None, Some(&body));
    assert_eq!(c.body["thread"]["name"], d.body["thread"]["name"]);

    let msg = a.body["name"].as_str().unwrap();
    let (_, query) = target.split_once('?').unwrap();
    let get = call(&emu, "GET", &format!("/v1/{msg}?{query}"), None, None);
    assert_eq!((get.status, get.error_status()), (403, "PERMISSION_DENIED"));
    let wrong = target.replace("token=", "token=x");
    assert_eq!(call(&emu, "POST", &wrong, None, Some(&body)).status, 403);
    let stored = &emu.chat_state()["messages"][0];
    assert_eq!(stored["sender"]["type"], "BOT");
    assert_eq!(stored["text"], "deploy");
}

#[test]
fn list_pages_filters_orders_and_shows_deleted() {
    let (emu, space, token) = setup();
    let reader = emu.chat_token("users/1", &["chat.messages"]).unwrap();
    let base = format!("/v1/{space}/messages");
    let empty = call(&emu, "GET", &base, Some(&reader), None);
    assert_eq!((empty.status, &empty.body), (200, &json!({})));

    let made: Vec<Value> = (0..5)
        .map(|i| post_text(&emu, &space, &token, &format!("m{i}")))
        .collect();
    let texts = |v: &Value| -> Vec<String> {
        v["messages"].as_array().map_or(vec![], |a| {
            a.iter()
                .map(|m| m["text"].as_str().unwrap_or("-").to_string())
                .collect()
        })
    };
    let mut seen = Vec::new();
    let mut target = format!("{base}?pageSize=2");
    let mut pages = 0;
    loop {
        let page = call(&emu, "GET", &target, Some(&reader), None);
        assert_eq!(page.status, 200, "{}", page.body);
        seen.extend(texts(&page.body));
        pages += 1;
        match page.body["nextPageToken"].as_str() {
            Some(t) => target = format!("{base}?pageSize=2&pageToken={t}"),
            None => break,
        }
    }
    assert_eq!(
        (pages, seen),
        (
            3,
            vec!["m0", "m1", "m2", "m3", "m4"]
                .into_iter()
                .map(String::from)
                .collect::<Vec<_>>()
        )
    );

    let desc = call(
        &emu,
        "GET",
        &format!("{base}?orderBy=create_time%20DESC&pageSize=1"),
        Some(&reader),
        None,
    );
    assert_eq!(texts(&desc.body), ["m4"]);
    // A token only goes with the same parameters.
    let token_desc = desc.body["nextPageToken"].as_str().unwrap();
    let mixed = call(
        &emu,
        "GET",
        &format!("{base}?pageToken={token_desc}"),
        Some(&reader),
        None,
    );
    assert_eq!(mixed.status, 400);

    let t1 = made[1]["createTime"].as_str().unwrap();
    let t3 = made[3]["createTime"].as_str().unwrap();
    let filter = format!("create_time > \"{t1}\" AND create_time < \"{t3}\"");
    let q = form(&filter);
    let between = call(
        &emu,
        "GET",
        &format!("{base}?filter={q}"),
        Some(&reader),
        None,
    );
    assert_eq!(texts(&between.body), ["m2"]);
    let thread = made[4]["thread"]["name"].as_str().unwrap();
    let by_thread = call(
        &emu,
        "GET",
        &format!("{base}?filter={}", form(&format!("thread.name = {thread}"))),
        Some(&reader),
        None,
    );
    assert_eq!(texts(&by_thread.body), ["m4"]);
    for bad in [
        "text = \"m1\"",
        "create_time >= \"2026-01-01T00:00:00Z\"",
        "create_time > yesterday",
    ] {
        let a = call(
            &emu,
            "GET",
            &format!("{base}?filter={}", form(bad)),
            Some(&reader),
            None,
        );
        assert_eq!(
            (a.status, a.error_status()),
            (400, "INVALID_ARGUMENT"),
            "{bad}"
        );
    }
    assert_eq!(
        call(
            &emu,
            "GET",
            &format!("{base}?pageSize=-1"),
            Some(&reader),
            None
        )
        .status,
        400
    );
    let clamped = call(
        &emu,
        "GET",
        &format!("{base}?pageSize=5000"),
        Some(&reader),
        None,
    );
    assert_eq!(texts(&clamped.body).len(), 5);

    let name = made[0]["name"].as_str().unwrap();
    assert_eq!(
        call(&emu, "DELETE", &format!("/v1/{name}"), Some(&token), None).status,
        200
    );
    let live = call(&emu, "GET", &base, Some(&reader), None);
    assert_eq!(texts(&live.body).len(), 4);
    let all = call(
        &emu,
        "GET",
        &format!("{base}?showDeleted=true"),
        Some(&reader),
        None,
    );
    let first = &all.body["messages"][0];
    assert_eq!(first["name"], name);
    assert!(
        first["deleteTime"].is_string() && first.get("text").is_none(),
        "{first}"
    );
}

/// A query value, form-encoded.
fn form(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                char::from(b).to_string()
            }
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn update_masks_snake_and_camel() {
    let (emu, space, token) = setup();
    let m = create(
        &emu,
        &space,
        &token,
        "",
        json!({"text": "t", "cardsV2": [{"cardId": "c", "card": {}}]}),
    )
    .body;
    let name = m["name"].as_str().unwrap();
    let url = |mask: &str| format!("/v1/{name}?updateMask={mask}");
    // Only text: the card stays.
    let a = call(
        &emu,
        "PATCH",
        &url("text"),
        Some(&token),
        Some(&json!({"text": "t2"})),
    );
    assert_eq!(a.body["cardsV2"][0]["cardId"], "c");
    // text,cards_v2 with no cards clears them (snake_case, discovery client).
    let b = call(
        &emu,
        "PATCH",
        &url("text,cards_v2"),
        Some(&token),
        Some(&json!({"text": "t3", "cardsV2": []})),
    );
    assert_eq!(b.status, 200, "{}", b.body);
    assert_eq!(b.body["cardsV2"], json!([]));
    // camelCase, PUT (GAPIC).
    let c = call(
        &emu,
        "PUT",
        &url("text,cardsV2"),
        Some(&token),
        Some(&json!({"text": "t4", "cardsV2": [{"cardId": "d", "card": {}}]})),
    );
    assert_eq!(c.body["cardsV2"][0]["cardId"], "d");
    let star = call(
        &emu,
        "PATCH",
        &url("*"),
        Some(&token),
        Some(&json!({"text": "t5"})),
    );
    assert_eq!(star.body["text"], "t5");
    assert!(star.body.get("cardsV2").is_none());
    let bad = call(
        &emu,
        "PATCH",
        &url("sender"),
        Some(&token),
        Some(&json!({"text": "x"})),
    );
    assert_eq!(bad.status, 400);
    assert_eq!(
        bad.body["error"]["details"][0]["fieldViolations"][0]["field"],
        "update_mask"
    );
    let missing = call(
        &emu,
        "PATCH",
        &format!("/v1/{name}"),
        Some(&token),
        Some(&json!({"text": "x"})),
    );
    assert_eq!(
        (missing.status, missing.error_status()),
        (400, "INVALID_ARGUMENT")
    );
    let emptied = call(&emu, "PATCH", &url("text"), Some(&token), Some(&json!({})));
    assert_eq!(emptied.status, 400);
    // Someone else's message.
    let user = emu.chat_token("users/1", &["chat.messages"]).unwrap();
    let theirs = call(
        &emu,
        "PATCH",
        &url("text"),
        Some(&user),
        Some(&json!({"text": "x"})),
    );
    assert_eq!(theirs.status, 403);
}

#[test]
fn allow_missing_creates_with_a_client_id() {
    let (emu, space, token) = setup();
    let target = format!("/v1/{space}/messages/client-status?updateMask=text&allowMissing=true");
    let a = call(
        &emu,
        "PATCH",
        &target,
        Some(&token),
        Some(&json!({"text": "v1"})),
    );
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["clientAssignedMessageId"], "client-status");
    let b = call(
        &emu,
        "PATCH",
        &target,
        Some(&token),
        Some(&json!({"text": "v2"})),
    );
    assert_eq!(
        (b.body["name"].clone(), b.body["text"].clone()),
        (a.body["name"].clone(), json!("v2"))
    );
    assert_eq!(emu.chat_state()["messages"].as_array().unwrap().len(), 1);
    let no = call(
        &emu,
        "PATCH",
        &format!("/v1/{space}/messages/client-other?updateMask=text"),
        Some(&token),
        Some(&json!({"text": "x"})),
    );
    assert_eq!(no.status, 404);
    let not_client = call(
        &emu,
        "PATCH",
        &format!("/v1/{space}/messages/abc?allowMissing=true"),
        Some(&token),
        Some(&json!({"text": "x"})),
    );
    assert_eq!(not_client.status, 400);
}

#[test]
fn size_and_emptiness() {
    let (emu, space, token) = setup();
    let big = create(
        &emu,
        &space,
        &token,
        "",
        json!({"text": "a".repeat(32_001)}),
    );
    assert_eq!((big.status, big.error_status()), (400, "INVALID_ARGUMENT"));
    assert_eq!(
        create(
            &emu,
            &space,
            &token,
            "",
            json!({"text": "a".repeat(32_000)})
        )
        .status,
        200
    );
    let empty = create(&emu, &space, &token, "", json!({"text": ""}));
    assert_eq!(empty.status, 400);
    assert_eq!(empty.body["error"]["message"], "Message cannot be empty");
    let unknown = create(&emu, &space, &token, "", json!({"text": "x", "txet": "y"}));
    assert_eq!(unknown.status, 400);
}

#[test]
fn per_space_write_quota_answers_429_with_retry_info() {
    let (emu, space, token) = setup();
    let other = emu.chat_create_space("Other", &[]).unwrap();
    for i in 0..60 {
        post_text(&emu, &space, &token, &format!("{i}"));
    }
    let over = create(&emu, &space, &token, "", json!({"text": "61"}));
    assert_eq!(
        (over.status, over.error_status()),
        (429, "RESOURCE_EXHAUSTED")
    );
    let details = over.body["error"]["details"].as_array().unwrap();
    assert_eq!(details[0]["reason"], "RATE_LIMIT_EXCEEDED");
    let delay = details[1]["retryDelay"].as_str().unwrap();
    let secs: u64 = delay.trim_end_matches('s').parse().unwrap();
    assert!((1..=60).contains(&secs), "{delay}");
    // Another space has its own quota; reads do not count.
    post_text(&emu, &other, &token, "fine");
    assert_eq!(emu.chat_fired("quota"), 1);
    emu.chat_advance_clock(60_000);
    post_text(&emu, &space, &token, "after a minute");
}

#[test]
fn per_space_read_quota_is_a_knob() {
    let (emu, space, token) = setup();
    let name = post_text(&emu, &space, &token, "x")["name"]
        .as_str()
        .unwrap()
        .to_string();
    emu.set_chat_faults(ChatFaults {
        reads_per_minute: Some(3),
        ..Default::default()
    });
    for _ in 0..3 {
        assert_eq!(
            call(&emu, "GET", &format!("/v1/{name}"), Some(&token), None).status,
            200
        );
    }
    let over = call(&emu, "GET", &format!("/v1/{name}"), Some(&token), None);
    assert_eq!(over.status, 429);
    assert!(over.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Read requests"));
    // Writes have their own quota.
    post_text(&emu, &space, &token, "still writable");
    emu.chat_advance_clock(60_000);
    assert_eq!(
        call(&emu, "GET", &format!("/v1/{name}"), Some(&token), None).status,
        200
    );
}

#[test]
fn scopes_and_membership() {
    let (emu, space, token) = setup();
    let list = call(
        &emu,
        "GET",
        &format!("/v1/{space}/messages"),
        Some(&token),
        None,
    );
    assert_eq!(
        (list.status, list.error_status()),
        (403, "PERMISSION_DENIED")
    );
    let reader = emu
        .chat_token("users/1", &["chat.messages.readonly"])
        .unwrap();
    assert_eq!(
        create(&emu, &space, &reader, "", json!({"text": "x"})).status,
        403
    );
    assert_eq!(
        call(
            &emu,
            "GET",
            &format!("/v1/{space}/messages"),
            Some(&reader),
            None
        )
        .status,
        200
    );

    let outside = emu
        .chat_create_space_without_app("Private", &["users/1"])
        .unwrap();
    let app = create(&emu, &outside, &token, "", json!({"text": "x"}));
    assert_eq!((app.status, app.error_status()), (403, "PERMISSION_DENIED"));
    let stranger = emu.chat_token("users/9", &["chat.messages"]).unwrap();
    assert_eq!(
        create(&emu, &space, &stranger, "", json!({"text": "x"})).status,
        404
    );
    assert_eq!(
        create(&emu, "spaces/nope", &token, "", json!({"text": "x"})).status,
        404
    );
}

#[test]
fn unauthenticated_is_401() {
    let (emu, space, _) = setup();
    for token in [None, Some("ya29.unknown")] {
        let a = call(
            &emu,
            "POST",
            &format!("/v1/{space}/messages"),
            token,
            Some(&json!({"text": "x"})),
        );
        assert_eq!((a.status, a.error_status()), (401, "UNAUTHENTICATED"));
        assert!(a.head.contains("WWW-Authenticate: Bearer"), "{}", a.head);
    }
    assert!(emu.chat_state()["messages"].as_array().unwrap().is_empty());
}

#[test]
fn user_delete_of_a_thread_head_needs_force() {
    let (emu, space, _) = setup();
    let user = emu.chat_token("users/1", &["chat.messages"]).unwrap();
    let opt = "?messageReplyOption=REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD";
    let body = json!({"text": "x", "thread": {"threadKey": "k"}});
    let head = create(&emu, &space, &user, opt, body.clone()).body;
    let reply = create(&emu, &space, &user, opt, body).body;
    let name = head["name"].as_str().unwrap();
    let refused = call(&emu, "DELETE", &format!("/v1/{name}"), Some(&user), None);
    assert_eq!(
        (refused.status, refused.error_status()),
        (400, "FAILED_PRECONDITION")
    );
    assert_eq!(
        call(
            &emu,
            "DELETE",
            &format!("/v1/{name}?force=true"),
            Some(&user),
            None
        )
        .status,
        200
    );
    let r = reply["name"].as_str().unwrap();
    assert_eq!(
        call(&emu, "GET", &format!("/v1/{r}"), Some(&user), None).status,
        404
    );
}

#[test]
fn injected_failures_fire_and_are_counted() {
    let (emu, space, token) = setup();
    emu.set_chat_faults(ChatFaults {
        fail_status: Some(503),
        fail_count: 2,
        retry_delay_ms: Some(1500),
        ..Default::default()
    });
    for _ in 0..2 {
        let a = create(&emu, &space, &token, "", json!({"text": "x"}));
        assert_eq!((a.status, a.error_status()), (503, "UNAVAILABLE"));
        assert_eq!(a.body["error"]["details"][0]["retryDelay"], "1.500s");
        assert!(a.head.contains("Retry-After: 2"), "{}", a.head);
    }
    post_text(&emu, &space, &token, "through");
    assert_eq!(emu.chat_fired("fail"), 2);
    assert_eq!(emu.chat_state()["messages"].as_array().unwrap().len(), 1);

    emu.set_chat_faults(ChatFaults {
        fail_status: Some(429),
        retry_delay_ms: Some(7000),
        ..Default::default()
    });
    let q = create(&emu, &space, &token, "", json!({"text": "x"}));
    assert_eq!(q.status, 429);
    assert_eq!(
        q.body["error"]["details"][0]["reason"],
        "RATE_LIMIT_EXCEEDED"
    );
    assert_eq!(q.body["error"]["details"][1]["retryDelay"], "7s");
    emu.set_chat_faults(ChatFaults {
        fail_status: Some(500),
        ..Default::default()
    });
    assert_eq!(
        create(&emu, &space, &token, "", json!({"text": "x"})).error_status(),
        "INTERNAL"
    );
    assert_eq!(emu.chat_fired("fail"), 4);
}

#[test]
fn a_cut_after_apply_shows_request_id_idempotency() {
    let (emu, space, token) = setup();
    emu.set_chat_faults(ChatFaults {
        cut_after_apply: 1,
        ..Default::default()
    });
    let target = format!("/v1/{space}/messages?requestId=retry-me");
    let body = json!({"text": "once"});
    assert!(
        try_call(&emu, "POST", &target, Some(&token), Some(&body)).is_none(),
        "cut"
    );
    assert_eq!(emu.chat_fired("cut"), 1);
    let retried = call(&emu, "POST", &target, Some(&token), Some(&body));
    assert_eq!(retried.status, 200);
    let state = emu.chat_state();
    let stored = state["messages"].as_array().unwrap();
    assert_eq!(stored.len(), 1, "applied once");
    assert_eq!(retried.body["name"], stored[0]["name"]);
}

#[test]
fn a_stall_holds_the_response() {
    let (emu, space, token) = setup();
    emu.set_chat_faults(ChatFaults {
        stall_ms: Some(300),
        ..Default::default()
    });
    let start = Instant::now();
    post_text(&emu, &space, &token, "slow");
    assert!(start.elapsed() >= Duration::from_millis(300));
    let start = Instant::now();
    post_text(&emu, &space, &token, "fast");
    assert!(start.elapsed() < Duration::from_millis(300));
    assert_eq!(emu.chat_fired("stall"), 1);
}

#[test]
fn a_stall_before_apply_changes_nothing_until_it_ends() {
    let (emu, space, token) = setup();
    emu.set_chat_faults(ChatFaults {
        stall_ms: Some(2000),
        stall_before_apply: true,
        ..Default::default()
    });
    let mut tcp = TcpStream::connect(emu.addr()).unwrap();
    let body = r#"{"text":"late"}"#;
    let req = format!(
        "POST /v1/{space}/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    tcp.write_all(req.as_bytes()).unwrap();
    // The request has arrived and is being held: nothing is stored yet.
    let deadline = Instant::now() + Duration::from_secs(5);
    while emu.chat_fired("stall") == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(emu.chat_fired("stall"), 1);
    assert!(emu.chat_state()["messages"].as_array().unwrap().is_empty());
    drop(tcp);
}

#[test]
fn an_unconfigured_app_is_not_found_with_a_help_link() {
    let (emu, space, token) = setup();
    emu.set_chat_faults(ChatFaults {
        app_not_configured: true,
        ..Default::default()
    });
    let a = create(&emu, &space, &token, "", json!({"text": "x"}));
    assert_eq!((a.status, a.error_status()), (404, "NOT_FOUND"));
    assert!(a.body["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("Google Chat app not found"));
    assert_eq!(
        a.body["error"]["details"][0]["@type"],
        "type.googleapis.com/google.rpc.Help"
    );
    let user = emu.chat_token("users/1", &["chat.messages"]).unwrap();
    assert_eq!(
        create(&emu, &space, &user, "", json!({"text": "x"})).status,
        200
    );
}

#[test]
fn the_control_api_over_http() {
    let emu = Emulator::start(EmulatorConfig::default()).unwrap();
    let s = call(
        &emu,
        "POST",
        "/_emulator/chat/spaces",
        None,
        Some(&json!({"displayName": "Ops", "members": ["users/5"]})),
    );
    assert_eq!(s.status, 200, "{}", s.body);
    let space = s.body["name"].as_str().unwrap().to_string();
    let t = call(
        &emu,
        "POST",
        "/_emulator/chat/tokens",
        None,
        Some(
            &json!({"principal": "users/5", "scopes": ["https://www.googleapis.com/auth/chat.messages"]}),
        ),
    );
    let token = t.body["access_token"].as_str().unwrap().to_string();
    let w = call(
        &emu,
        "POST",
        "/_emulator/chat/webhooks",
        None,
        Some(&json!({"space": space})),
    );
    assert!(w.body["url"].as_str().unwrap().contains("?key="));
    let f = call(
        &emu,
        "POST",
        "/_emulator/chat/faults",
        None,
        Some(&json!({"fail_status": 500})),
    );
    assert_eq!(f.body["fail_count"], 1);
    assert_eq!(
        create(&emu, &space, &token, "", json!({"text": "x"})).status,
        500
    );
    let m = create(
        &emu,
        &space,
        &token,
        "?prettyPrint=false",
        json!({"text": "hi"}),
    );
    assert_eq!(
        m.body["sender"],
        json!({"name": "users/5", "type": "HUMAN"})
    );
    let state = call(&emu, "GET", "/_emulator/chat/state", None, None).body;
    assert_eq!(
        state["spaces"][0]["members"],
        json!(["users/5", "users/app"])
    );
    assert_eq!(state["messages"][0]["text"], "hi");
    assert_eq!(state["fired"]["fail"], 1);
    assert_eq!(state["requests"]["total"], 2);
    let bad = call(
        &emu,
        "POST",
        "/_emulator/chat/tokens",
        None,
        Some(&json!({"principal": "bob"})),
    );
    assert_eq!(bad.status, 400);
    // The Hangouts control API is still there.
    let hangouts = call(&emu, "GET", "/_emulator/state", None, None);
    assert_eq!(hangouts.body["self_user_id"], "100000000000000000001");
}

/// A JWT signed (RS256) with the key file's private key, as a client does.
fn sign_jwt(key_file: &Value, claims: &Value) -> String {
    use base64::Engine as _;
    let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    let pem = key_file["private_key"].as_str().unwrap();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap();
    let key = ring::signature::RsaKeyPair::from_pkcs8(&der).unwrap();
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": key_file["private_key_id"]});
    let signed = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let mut sig = vec![0; key.public().modulus_len()];
    key.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        signed.as_bytes(),
        &mut sig,
    )
    .unwrap();
    format!("{signed}.{}", b64(&sig))
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// POSTs an assertion to the key file's token_uri.
fn exchange(emu: &EmulatorHandle, key_file: &Value, jwt: &str, grant_type: &str) -> Answer {
    let uri = key_file["token_uri"].as_str().unwrap();
    let path = uri.strip_prefix(&emu.url()).unwrap();
    let body = format!("grant_type={}&assertion={jwt}", form(grant_type));
    let form_type = "Content-Type: application/x-www-form-urlencoded\r\n";
    raw(emu, "POST", path, form_type, &body).expect("a response")
}

const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

#[test]
fn service_account_token_exchange_and_delegation() {
    let emu = Emulator::start(EmulatorConfig::default().with_default_world(false)).unwrap();
    let space = emu
        .chat_create_space("Room", &["users/ada@example.com"])
        .unwrap();
    let key = emu.chat_service_account("notifier").unwrap();
    assert_eq!(key["type"], "service_account");
    let email = key["client_email"].as_str().unwrap().to_string();
    assert_eq!(email, "notifier@emulator-project.iam.gserviceaccount.com");
    let aud = key["token_uri"].as_str().unwrap().to_string();
    let now = unix_now();
    let claims = json!({"iss": email, "scope": BOT, "aud": aud, "iat": now, "exp": now + 3600});
    let ok = exchange(&emu, &key, &sign_jwt(&key, &claims), JWT_BEARER);
    assert_eq!(ok.status, 200, "{}", ok.body);
    assert_eq!(ok.body["token_type"], "Bearer");
    // google-auth (the official Python library) signs Google's own token
    // URL as the audience whatever the key's token_uri; Google accepts it,
    // and so must the emulator (found by running google-auth against it).
    let google_aud = json!({"iss": email, "scope": BOT, "aud": "https://oauth2.googleapis.com/token", "iat": now, "exp": now + 3600});
    let official = exchange(&emu, &key, &sign_jwt(&key, &google_aud), JWT_BEARER);
    assert_eq!(official.status, 200, "{}", official.body);
    let token = ok.body["access_token"].as_str().unwrap();
    let m = create(&emu, &space, token, "", json!({"text": "from the app"}));
    assert_eq!(m.body["sender"]["name"], "users/app");
    assert_eq!(
        call(
            &emu,
            "GET",
            &format!("/v1/{space}/messages"),
            Some(token),
            None
        )
        .status,
        403
    );

    let mut delegated = claims.clone();
    delegated["sub"] = json!("ada@example.com");
    delegated["scope"] = json!("https://www.googleapis.com/auth/chat.messages");
    let d = exchange(&emu, &key, &sign_jwt(&key, &delegated), JWT_BEARER);
    let user_token = d.body["access_token"].as_str().unwrap();
    let um = create(&emu, &space, user_token, "", json!({"text": "as Ada"}));
    assert_eq!(
        um.body["sender"],
        json!({"name": "users/ada@example.com", "type": "HUMAN"})
    );
    assert_eq!(
        call(
            &emu,
            "GET",
            &format!("/v1/{space}/messages"),
            Some(user_token),
            None
        )
        .status,
        200
    );
    assert_eq!(
        emu.chat_state()["requests"]["token"],
        3,
        "three exchanges: own audience, Google's, delegation"
    );
}

#[test]
fn service_account_refusals() {
    let emu = Emulator::start(EmulatorConfig::default().with_default_world(false)).unwrap();
    let key = emu.chat_service_account("notifier").unwrap();
    let aud = key["token_uri"].as_str().unwrap().to_string();
    let now = unix_now();
    let good = json!({"iss": key["client_email"], "scope": BOT, "aud": aud, "iat": now, "exp": now + 3600});
    let refused = |claims: &Value, tamper: bool, grant: &str| {
        let mut jwt = sign_jwt(&key, claims);
        if tamper {
            // A character well inside the signature (not its padding bits).
            let at = jwt.len() - 10;
            let c = if &jwt[at..at + 1] == "A" { "B" } else { "A" };
            jwt.replace_range(at..at + 1, c);
        }
        let a = exchange(&emu, &key, &jwt, grant);
        assert_eq!(a.status, 400, "{}", a.body);
        a.body["error"].as_str().unwrap().to_string()
    };
    assert_eq!(
        refused(&good, true, JWT_BEARER),
        "invalid_grant",
        "bad signature"
    );
    assert_eq!(refused(&good, false, "password"), "unsupported_grant_type");
    let with = |k: &str, v: Value| {
        let mut c = good.clone();
        c[k] = v;
        c
    };
    assert_eq!(
        refused(
            &with("aud", json!("https://elsewhere/token")),
            false,
            JWT_BEARER
        ),
        "invalid_grant"
    );
    assert_eq!(
        refused(&with("exp", json!(now + 3601)), false, JWT_BEARER),
        "invalid_grant"
    );
    assert_eq!(
        refused(&with("iat", json!(now + 1000)), false, JWT_BEARER),
        "invalid_grant",
        "clock skew"
    );
    assert_eq!(
        refused(
            &with("iss", json!("nobody@x.iam.gserviceaccount.com")),
            false,
            JWT_BEARER
        ),
        "invalid_grant"
    );
    assert_eq!(
        refused(&with("scope", json!("")), false, JWT_BEARER),
        "invalid_scope"
    );
}

#[test]
fn a_self_signed_jwt_is_a_bearer_token() {
    let emu = Emulator::start(EmulatorConfig::default().with_default_world(false)).unwrap();
    let space = emu.chat_create_space("Room", &[]).unwrap();
    let key = emu.chat_service_account("gapic").unwrap();
    let now = unix_now();
    let email = key["client_email"].clone();
    let claims = json!({"iss": email, "sub": email, "scope": BOT, "iat": now, "exp": now + 3600});
    let jwt = sign_jwt(&key, &claims);
    let m = create(
        &emu,
        &space,
        &jwt,
        "?$alt=json;enum-encoding=int",
        json!({"text": "gapic"}),
    );
    assert_eq!(m.status, 200, "{}", m.body);
    assert_eq!(m.body["sender"]["type"], 2);
    let expired = sign_jwt(
        &key,
        &json!({"iss": email, "scope": BOT, "iat": now - 7200, "exp": now - 3600}),
    );
    assert_eq!(
        create(&emu, &space, &expired, "", json!({"text": "x"})).status,
        401
    );
    let other = sign_jwt(
        &key,
        &json!({"iss": email, "sub": "ada@example.com", "scope": BOT, "iat": now, "exp": now + 60}),
    );
    assert_eq!(
        create(&emu, &space, &other, "", json!({"text": "x"})).status,
        401,
        "no delegation without the exchange"
    );
}

/// The `Location` of a 302.
fn location(a: &Answer) -> String {
    assert_eq!(a.status, 302, "{}", a.head);
    a.head
        .lines()
        .find_map(|l| l.strip_prefix("Location: "))
        .expect("a Location")
        .to_string()
}

fn query_param(url: &str, name: &str) -> Option<String> {
    url.split_once('?')?.1.split('&').find_map(|p| {
        p.strip_prefix(&format!("{name}="))
            .map(|v| v.replace("%2F", "/"))
    })
}

fn token_post(emu: &EmulatorHandle, form: &str) -> Answer {
    raw(
        emu,
        "POST",
        "/token",
        "Content-Type: application/x-www-form-urlencoded\r\n",
        form,
    )
    .expect("a response")
}

#[test]
fn user_oauth_codes_pkce_and_refresh_tokens() {
    let (emu, space, _) = setup();
    let client = call(
        &emu,
        "POST",
        "/_emulator/chat/oauth_clients",
        None,
        Some(&json!({})),
    );
    assert_eq!(client.status, 200);
    let installed = &client.body["installed"];
    let id = installed["client_id"].as_str().unwrap().to_string();
    assert_eq!(
        installed["auth_uri"].as_str(),
        Some(format!("{}/o/oauth2/auth", emu.url()).as_str())
    );
    assert_eq!(
        installed["token_uri"].as_str(),
        Some(format!("{}/token", emu.url()).as_str())
    );
    let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    let challenge = hangups_core::chat::oauth::s256_challenge(verifier);
    let redirect = "http://127.0.0.1:5555";
    let auth = |extra: &str| {
        call(
            &emu,
            "GET",
            &format!(
                "/o/oauth2/auth?response_type=code&client_id={id}&redirect_uri=http%3A%2F%2F127.0.0.1%3A5555&scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fchat.messages&code_challenge={challenge}&code_challenge_method=S256&state=st8{extra}"
            ),
            None,
            None,
        )
    };
    let denied = location(&auth("&consent=deny"));
    assert_eq!(
        query_param(&denied, "error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(query_param(&denied, "state").as_deref(), Some("st8"));
    let to = location(&auth("&login_hint=1"));
    assert!(to.starts_with(&format!("{redirect}?code=")), "{to}");
    assert_eq!(query_param(&to, "state").as_deref(), Some("st8"));
    let code = query_param(&to, "code").unwrap();
    let exchange = |code: &str, verifier: &str, redirect: &str| {
        token_post(
            &emu,
            &format!(
                "grant_type=authorization_code&code={}&code_verifier={verifier}&redirect_uri={}&client_id={id}",
                code.replace('/', "%2F"),
                redirect.replace(':', "%3A").replace('/', "%2F")
            ),
        )
    };
    // A wrong verifier uses the code up.
    let wrong = exchange(&code, &"x".repeat(43), redirect);
    assert_eq!(wrong.status, 400);
    assert_eq!(wrong.body["error"], "invalid_grant", "{}", wrong.body);
    let again = exchange(&code, verifier, redirect);
    assert_eq!(again.body["error"], "invalid_grant", "one use per code");
    // A fresh code: the redirect_uri must match.
    let code = query_param(&location(&auth("&user=users/1")), "code").unwrap();
    let mismatch = exchange(&code, verifier, "http://127.0.0.1:6666");
    assert_eq!(mismatch.body["error"], "redirect_uri_mismatch");
    let code = query_param(&location(&auth("&user=users/1")), "code").unwrap();
    let ok = exchange(&code, verifier, redirect);
    assert_eq!(ok.status, 200, "{}", ok.body);
    let access = ok.body["access_token"].as_str().unwrap().to_string();
    let refresh = ok.body["refresh_token"].as_str().unwrap().to_string();
    let created = create(&emu, &space, &access, "", json!({"text": "as users/1"}));
    assert_eq!(created.status, 200, "{}", created.body);
    assert_eq!(created.body["sender"]["name"], "users/1");
    assert_eq!(created.body["sender"]["type"], "HUMAN");
    let refreshed = token_post(
        &emu,
        &format!(
            "grant_type=refresh_token&refresh_token={}&client_id={id}",
            refresh.replace('/', "%2F")
        ),
    );
    assert_eq!(refreshed.status, 200, "{}", refreshed.body);
    assert!(refreshed.body.get("refresh_token").is_none());
    let other = token_post(
        &emu,
        &format!("grant_type=refresh_token&refresh_token=1%2F%2Fnope&client_id={id}"),
    );
    assert_eq!(other.body["error"], "invalid_grant");
    let unknown = token_post(
        &emu,
        &format!("grant_type=refresh_token&refresh_token={refresh}&client_id=ghost"),
    );
    assert_eq!(unknown.body["error"], "invalid_client");
}
