//! The integration suite: every runtime adapter (tokio, smol, blocking)
//! against the emulator on 127.0.0.1, plain and TLS. Each scenario is
//! written once, generic over [`Harness`], and instantiated per adapter.

#[path = "suite/harness.rs"]
mod harness;
#[path = "suite/proxy.rs"]
mod proxy;

use hangups_core::api::{ApiRequest, ApiResponse};
use hangups_core::client::Event;
use hangups_proto::hangouts::*;
use hangups_tests::emulator::{Emulator, EmulatorConfig, EmulatorHandle, Faults};
use harness::*;
use std::collections::BTreeSet;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(20);

fn emulator(tls: bool) -> EmulatorHandle {
    Emulator::start(
        EmulatorConfig::default()
            .with_tls(tls)
            .with_noop_interval(Duration::from_millis(500))
            .with_long_poll_duration(Duration::from_secs(5)),
    )
    .expect("emulator starts")
}

/// The event ids of chat messages in `event` (a pushed StateUpdate).
fn event_id(event: &Event) -> Option<String> {
    let Event::StateUpdate(su) = event else {
        return None;
    };
    match &su.state_update {
        StateUpdateStateUpdate::event_notification(n) => n.event.as_ref()?.event_id.clone(),
        _ => None,
    }
}

/// Waits until `n` live sessions are subscribed to `babel`: only those get
/// pushed StateUpdates (events before that are the catch-up sync's job).
fn until_subscribed(emu: &EmulatorHandle, n: usize) {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let state = emu.state();
        let subscribed = state["sessions"]
            .as_array()
            .map(|s| {
                s.iter()
                    .filter(|s| s["subscribed"] == true && s["expired"] == false)
                    .count()
            })
            .unwrap_or(0);
        if subscribed >= n {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "only {subscribed} of {n} sessions subscribed"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Waits for `Connected` and the client id; returns the client id.
async fn until_connected<H: Harness>(events: &mut H::Events) -> String {
    let mut connected = false;
    loop {
        match H::next_event(events, WAIT).await {
            Some(Event::Connected) => connected = true,
            Some(Event::ClientId(id)) if connected => return id,
            Some(Event::Closed { error }) => panic!("closed: {error:?}"),
            Some(_) => {}
            None => panic!("{}: not connected within {WAIT:?}", H::NAME),
        }
    }
}

/// Waits until every id in `want` arrived as a pushed event; returns them all.
async fn collect_events<H: Harness>(
    events: &mut H::Events,
    want: &BTreeSet<String>,
) -> Vec<String> {
    let mut seen = Vec::new();
    while !want.iter().all(|w| seen.contains(w)) {
        match H::next_event(events, WAIT).await {
            Some(ev) => {
                if let Some(id) = event_id(&ev) {
                    seen.push(id);
                }
            }
            None => panic!("{}: missing {:?}, got {seen:?}", H::NAME, want),
        }
    }
    seen
}

fn conversations(emu: &EmulatorHandle) -> Vec<(String, Vec<String>)> {
    let state = emu.state();
    state["conversations"]
        .as_array()
        .expect("conversations")
        .iter()
        .map(|c| {
            let id = c["id"].as_str().unwrap().to_string();
            let parts = c["participants"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap().to_string())
                .collect();
            (id, parts)
        })
        .collect()
}

/// A group conversation of the self user (three or more people) and
/// another participant of it.
fn other_in(emu: &EmulatorHandle) -> (String, String) {
    let me = emu.self_user_id();
    for (conv, parts) in conversations(emu).into_iter().filter(|(_, p)| p.len() >= 3) {
        if let Some(other) = parts.iter().find(|p| **p != me) {
            return (conv, other.clone());
        }
    }
    panic!("no conversation with another user")
}

async fn connect_and_receive_injected_messages<H: Harness>(tls: bool) {
    let emu = emulator(tls);
    let (client, mut events) = H::connect(&emu).await;
    until_connected::<H>(&mut events).await;
    until_subscribed(&emu, 1);
    let (conv, other) = other_in(&emu);
    let mut want = BTreeSet::new();
    for text in ["hello", "ça va 😀", "日本語"] {
        want.insert(emu.inject_message(&conv, &other, text).unwrap());
    }
    let seen = collect_events::<H>(&mut events, &want).await;
    assert_eq!(seen.len(), 3, "{seen:?}");
    H::disconnect(&client).await;
    assert!(matches!(
        H::next_event(&mut events, WAIT).await,
        Some(Event::Closed { error: None })
    ));
}

async fn send_a_message_and_see_it_pushed_back<H: Harness>() {
    let emu = emulator(false);
    let (client, mut events) = H::connect(&emu).await;
    until_connected::<H>(&mut events).await;
    until_subscribed(&emu, 1);
    let (conv, _) = other_in(&emu);
    let req = SendChatMessageRequest {
        event_request_header: Some(EventRequestHeader {
            conversation_id: Some(ConversationId { id: Some(conv) }),
            ..Default::default()
        }),
        message_content: Some(MessageContent {
            segment: vec![Segment {
                text: Some("from the suite".into()),
                ..Default::default()
            }],
            ..Default::default()
        }),
        ..Default::default()
    };
    let resp = H::request(&client, ApiRequest::from(req))
        .await
        .expect("sendchatmessage");
    let ApiResponse::SendChatMessage(resp) = resp else {
        panic!("{resp:?}")
    };
    let id = resp
        .created_event
        .and_then(|e| e.event_id)
        .expect("created event id");
    collect_events::<H>(&mut events, &BTreeSet::from([id])).await;
    H::disconnect(&client).await;
}

async fn every_api_call_round_trips<H: Harness>() {
    let emu = emulator(false);
    let (client, mut events) = H::connect(&emu).await;
    let client_id = until_connected::<H>(&mut events).await;
    until_subscribed(&emu, 1);
    let (conv, other) = other_in(&emu);
    let me = H::request(&client, ApiRequest::from(GetSelfInfoRequest::default()))
        .await
        .expect("getselfinfo");
    let ApiResponse::GetSelfInfo(me) = me else {
        panic!("{me:?}")
    };
    let email = me
        .self_entity
        .and_then(|e| e.properties)
        .and_then(|p| p.email.into_iter().next())
        .expect("an email");
    let jid = format!("{email}/{client_id}");
    for req in harness::one_of_each_call(&conv, &other, &jid) {
        let name = req.name();
        let resp = H::request(&client, req).await;
        assert!(resp.is_ok(), "{} {name}: {resp:?}", H::NAME);
        eprintln!("{} {name}: ok", H::NAME);
    }
    H::disconnect(&client).await;
}

/// After a fault, the client reconnects by itself and the application,
/// with `Reconnected { last_sync }` and SyncAllNewEvents, ends with every
/// injected event exactly once.
async fn recovers_every_event_after<H: Harness>(fault: Faults, label: &str) {
    let emu = emulator(false);
    let (client, mut events) = H::connect_tuned(&emu).await;
    until_connected::<H>(&mut events).await;
    until_subscribed(&emu, 1);
    let (conv, other) = other_in(&emu);
    let mut want = BTreeSet::new();
    want.insert(emu.inject_message(&conv, &other, "before").unwrap());
    let mut seen: Vec<String> = collect_events::<H>(&mut events, &want).await;
    emu.set_faults(fault);
    for i in 0..5 {
        want.insert(
            emu.inject_message(&conv, &other, &format!("during {i}"))
                .unwrap(),
        );
    }
    // Drive until everything arrived, catching up after each reconnect.
    let mut last_sync = None;
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    while !want.iter().all(|w| seen.contains(w)) {
        assert!(
            std::time::Instant::now() < deadline,
            "{} {label}: missing {want:?}, seen {seen:?}",
            H::NAME
        );
        match H::next_event(&mut events, WAIT).await {
            Some(Event::Reconnected { last_sync: ls }) => {
                last_sync = ls.or(last_sync);
                let req = SyncAllNewEventsRequest {
                    last_sync_timestamp: last_sync,
                    max_response_size_bytes: Some(1_048_576),
                    ..Default::default()
                };
                if let Ok(ApiResponse::SyncAllNewEvents(r)) =
                    H::request(&client, ApiRequest::from(req)).await
                {
                    for state in r.conversation_state {
                        for ev in state.event {
                            if let Some(id) = ev.event_id {
                                if !seen.contains(&id) {
                                    seen.push(id);
                                }
                            }
                        }
                    }
                }
            }
            Some(ev) => {
                if let Some(id) = event_id(&ev) {
                    if !seen.contains(&id) {
                        seen.push(id);
                    }
                }
            }
            None => {}
        }
    }
    let unique: BTreeSet<&String> = seen.iter().collect();
    assert_eq!(unique.len(), seen.len());
    H::disconnect(&client).await;
}

/// The next API call failing (HTTP status, then a non-OK response header)
/// is a typed error; the call after it works.
async fn api_faults_are_errors_and_pass<H: Harness>() {
    let emu = emulator(false);
    let (client, mut events) = H::connect(&emu).await;
    until_connected::<H>(&mut events).await;
    let call = || H::request(&client, ApiRequest::from(GetSelfInfoRequest::default()));
    emu.set_faults(Faults {
        api_http_status: Some(500),
        ..Default::default()
    });
    let err = call().await.expect_err("HTTP 500");
    assert!(err.contains("500"), "{err}");
    assert!(call().await.is_ok());
    emu.set_faults(Faults {
        api_response_status: Some(3),
        api_error_description: Some("boom".into()),
        ..Default::default()
    });
    let err = call().await.expect_err("status 3");
    assert!(err.contains("status 3") && err.contains("boom"), "{err}");
    assert!(call().await.is_ok());
    H::disconnect(&client).await;
}

/// Through an HTTP proxy: plain requests in absolute form, TLS through a
/// CONNECT tunnel; messages still arrive.
async fn through_a_proxy<H: Harness>(tls: bool) {
    let emu = emulator(tls);
    let proxy = proxy::TestProxy::start();
    let (client, mut events) = H::connect_via(&emu, &proxy.url).await;
    until_connected::<H>(&mut events).await;
    until_subscribed(&emu, 1);
    let (conv, other) = other_in(&emu);
    let id = emu.inject_message(&conv, &other, "via the proxy").unwrap();
    collect_events::<H>(&mut events, &BTreeSet::from([id])).await;
    H::disconnect(&client).await;
    let seen = proxy.seen();
    let port = emu.addr().port();
    if tls {
        assert!(
            seen.iter()
                .any(|l| *l == format!("CONNECT 127.0.0.1:{port} HTTP/1.1")),
            "{seen:?}"
        );
        assert!(seen.iter().all(|l| l.starts_with("CONNECT ")), "{seen:?}");
    } else {
        let prefix = format!("http://127.0.0.1:{port}/client-channel/channel/bind?");
        assert!(
            seen.iter()
                .any(|l| l.starts_with(&format!("POST {prefix}"))),
            "{seen:?}"
        );
        assert!(
            seen.iter().any(|l| l.starts_with(&format!("GET {prefix}"))),
            "{seen:?}"
        );
    }
}

async fn many_clients_at_once<H: Harness>(n: usize) {
    let emu = emulator(false);
    let mut clients = Vec::new();
    for _ in 0..n {
        let (c, mut e) = H::connect(&emu).await;
        until_connected::<H>(&mut e).await;
        clients.push((c, e));
    }
    until_subscribed(&emu, n);
    let (conv, other) = other_in(&emu);
    let id = emu.inject_message(&conv, &other, "to everyone").unwrap();
    for (_, events) in clients.iter_mut() {
        collect_events::<H>(events, &BTreeSet::from([id.clone()])).await;
    }
    for (c, _) in &clients {
        H::disconnect(c).await;
    }
}

macro_rules! suite {
    ($module:ident, $harness:ty) => {
        mod $module {
            use super::*;
            type H = $harness;
            #[test]
            fn plain_connect_and_receive() {
                H::run(connect_and_receive_injected_messages::<H>(false));
            }
            #[test]
            fn tls_connect_and_receive() {
                H::run(connect_and_receive_injected_messages::<H>(true));
            }
            #[test]
            fn send_and_see_it_pushed_back() {
                H::run(send_a_message_and_see_it_pushed_back::<H>());
            }
            #[test]
            fn every_api_call() {
                H::run(every_api_call_round_trips::<H>());
            }
            #[test]
            fn fault_drop_long_poll() {
                H::run(recovers_every_event_after::<H>(
                    Faults {
                        drop_long_poll_after: Some(40),
                        ..Default::default()
                    },
                    "drop",
                ));
            }
            #[test]
            fn fault_split_writes_one_byte() {
                H::run(recovers_every_event_after::<H>(
                    Faults {
                        split_writes: Some(1),
                        ..Default::default()
                    },
                    "split",
                ));
            }
            #[test]
            fn fault_expire_sid() {
                H::run(recovers_every_event_after::<H>(
                    Faults {
                        expire_sessions: true,
                        ..Default::default()
                    },
                    "expire",
                ));
            }
            #[test]
            fn fault_stall_past_keep_alive() {
                H::run(recovers_every_event_after::<H>(
                    Faults {
                        stall: Some(Duration::from_secs(3)),
                        ..Default::default()
                    },
                    "stall",
                ));
            }
            #[test]
            fn fault_close_after_each_chunk() {
                H::run(recovers_every_event_after::<H>(
                    Faults {
                        close_after_each_chunk: true,
                        ..Default::default()
                    },
                    "close",
                ));
            }
            #[test]
            fn fault_garbage_in_the_stream() {
                H::run(recovers_every_event_after::<H>(
                    Faults {
                        long_poll_garbage: Some("junk4\nfail".into()),
                        ..Default::default()
                    },
                    "garbage",
                ));
            }
            #[test]
            fn api_faults() {
                H::run(api_faults_are_errors_and_pass::<H>());
            }
            #[test]
            fn plain_through_a_proxy() {
                H::run(through_a_proxy::<H>(false));
            }
            #[test]
            fn tls_through_a_proxy_tunnel() {
                H::run(through_a_proxy::<H>(true));
            }
            #[test]
            fn fifty_clients() {
                H::run(many_clients_at_once::<H>(50));
            }
        }
    };
}

suite!(tokio_adapter, harness::TokioHarness);
suite!(smol_adapter, harness::SmolHarness);
suite!(blocking_adapter, harness::BlockingHarness);
