//! The integration suite: every runtime adapter (tokio, smol, blocking)
//! against the emulator on 127.0.0.1, plain and TLS. Each scenario is
//! written once, generic over [`Harness`], and instantiated per adapter.

#[path = "suite/expect.rs"]
mod expect;
#[path = "suite/harness.rs"]
mod harness;

use hangups_core::api::{ApiRequest, ApiResponse, Cookies};
use hangups_core::client::Event;
use hangups_proto::hangouts::*;
use hangups_tests::emulator::{Emulator, EmulatorConfig, EmulatorHandle, Faults};
use hangups_tests::proxies::ProxyServer;
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
        StateUpdateKind::EventNotification(n) => n.event.as_ref()?.event_id.clone(),
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
    let me = H::request(&client, ApiRequest::from(GetSelfInfoRequest::default()))
        .await
        .expect("getselfinfo");
    let ApiResponse::GetSelfInfo(me) = me else {
        panic!("{me:?}")
    };
    let status = me.response_header.and_then(|h| h.status);
    assert_eq!(status, Some(ResponseStatus::RESPONSE_STATUS_OK));
    let gaia = me.self_entity.and_then(|e| e.id).and_then(|id| id.gaia_id);
    assert_eq!(gaia, Some(emu.self_user_id()));
    H::disconnect(&client).await;
    let rest = until_end::<H>(&mut events).await;
    assert!(
        matches!(rest.as_slice(), [Event::Closed { error: None }]),
        "{}: {rest:?}",
        H::NAME
    );
    let after = H::try_request(&client, ApiRequest::from(GetSelfInfoRequest::default())).await;
    assert!(
        matches!(&after, Err(f) if f.kind == Kind::Closed),
        "{}: {after:?}",
        H::NAME
    );
}

/// Every event until the events end, each within [`WAIT`].
async fn until_end<H: Harness>(events: &mut H::Events) -> Vec<Event> {
    let mut seen = Vec::new();
    loop {
        match H::next_or_end(events, WAIT).await {
            Ok(Some(ev)) => seen.push(ev),
            Ok(None) => return seen,
            Err(TimedOut) => panic!("{}: the events did not end; so far {seen:?}", H::NAME),
        }
    }
}

/// Dropping every clone of the client closes it: the events end with
/// `Closed` and no error.
async fn dropping_every_handle_closes<H: Harness>() {
    let emu = emulator(false);
    let (client, mut events) = H::connect(&emu).await;
    until_connected::<H>(&mut events).await;
    drop(client.clone());
    drop(client);
    let rest = until_end::<H>(&mut events).await;
    assert!(
        matches!(rest.last(), Some(Event::Closed { error: None })),
        "{}: {rest:?}",
        H::NAME
    );
}

/// A chat message of 2 MiB of text over TLS is written in full: the
/// emulator (which reads the whole body before it answers) creates the
/// event with every byte of it.
async fn a_large_request_over_tls<H: Harness>() {
    const LEN: usize = 2 << 20;
    let emu = emulator(true);
    let (client, mut events) = H::connect(&emu).await;
    until_connected::<H>(&mut events).await;
    let (conv, _) = other_in(&emu);
    let req = SendChatMessageRequest {
        event_request_header: Some(Box::new(EventRequestHeader {
            conversation_id: Some(ConversationId { id: Some(conv) }),
            ..Default::default()
        })),
        message_content: Some(Box::new(MessageContent {
            segment: vec![Segment {
                text: Some("x".repeat(LEN)),
                ..Default::default()
            }],
            ..Default::default()
        })),
        ..Default::default()
    };
    let resp = H::request(&client, ApiRequest::from(req))
        .await
        .expect("sendchatmessage");
    let ApiResponse::SendChatMessage(resp) = resp else {
        panic!("{resp:?}")
    };
    let text: usize = resp
        .created_event
        .and_then(|e| e.chat_message)
        .and_then(|m| m.message_content)
        .map(|c| {
            c.segment
                .iter()
                .filter_map(|s| s.text.as_ref())
                .map(String::len)
                .sum()
        })
        .unwrap_or(0);
    assert_eq!(text, LEN, "{}", H::NAME);
    H::disconnect(&client).await;
}

/// With a short request timeout against a server that accepts and never
/// answers, the client gives up on its connections and closes them: over
/// TCP after the request is written, over TLS in the middle of the
/// handshake.
async fn timed_out_connections_are_closed<H: Harness>(tls: bool) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("local addr").port();
    let (closed, seen) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for mut tcp in listener.incoming().flatten() {
            let closed = closed.clone();
            std::thread::spawn(move || {
                use std::io::Read;
                let _ = tcp.set_read_timeout(Some(WAIT));
                let mut buf = [0u8; 4096];
                // Reads (a request, a ClientHello) and never answers.
                while let Ok(n) = tcp.read(&mut buf) {
                    if n == 0 {
                        let _ = closed.send(());
                        return;
                    }
                }
            });
        }
    });
    let scheme = if tls { "https" } else { "http" };
    let (client, _events) = H::connect_to(Spec {
        url: format!("{scheme}://127.0.0.1:{port}"),
        cookies: Cookies::from_iter([("SAPISID", "abc")]),
        cert_pem: None,
        proxy: None,
        tune: Tune::RequestTimeout(Duration::from_millis(200)),
    })
    .await;
    let deadline = std::time::Instant::now() + WAIT;
    while seen.try_recv().is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "{} {scheme}: the connection was not closed",
            H::NAME
        );
        async_io::Timer::after(Duration::from_millis(10)).await;
    }
    H::disconnect(&client).await;
}

/// `Config::with_url` sets every server: schemes, default ports, IPv6
/// literals, a path ignored.
fn urls_set_every_server<H: Harness>() {
    let server = |url: &str| {
        let ep = H::config_with_url(url).expect("url").api;
        (ep.host, ep.port, ep.tls)
    };
    assert_eq!(
        server("http://127.0.0.1:8080"),
        ("127.0.0.1".into(), 8080, false)
    );
    assert_eq!(
        server("https://emulator.test/x"),
        ("emulator.test".into(), 443, true)
    );
    assert_eq!(server("http://[::1]:81"), ("::1".into(), 81, false));
    assert_eq!(server("https://[::1]"), ("::1".into(), 443, true));
    let config = H::config_with_url("http://h:1").expect("url");
    assert_eq!((config.channel.host.as_str(), config.upload.port), ("h", 1));
}

/// Bad URLs are the adapter's `Error::BadUrl`.
fn bad_urls_are_typed_errors<H: Harness>() {
    for url in ["ftp://h", "h:1", "http://", "http://h:port", "http://:80"] {
        let result = H::config_with_url(url);
        assert!(
            matches!(&result, Err(f) if f.kind == Kind::BadUrl),
            "{} {url}: {result:?}",
            H::NAME
        );
    }
}

async fn send_a_message_and_see_it_pushed_back<H: Harness>() {
    let emu = emulator(false);
    let (client, mut events) = H::connect(&emu).await;
    until_connected::<H>(&mut events).await;
    until_subscribed(&emu, 1);
    let (conv, _) = other_in(&emu);
    let req = SendChatMessageRequest {
        event_request_header: Some(Box::new(EventRequestHeader {
            conversation_id: Some(ConversationId { id: Some(conv) }),
            ..Default::default()
        })),
        message_content: Some(Box::new(MessageContent {
            segment: vec![Segment {
                text: Some("from the suite".into()),
                ..Default::default()
            }],
            ..Default::default()
        })),
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
    // The typed methods go through the same path.
    let typed = H::typed_get_self_info(&client)
        .await
        .expect("typed get_self_info");
    assert_eq!(
        typed.self_entity.and_then(|e| e.id).and_then(|i| i.gaia_id),
        Some(emu.self_user_id())
    );
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
/// injected event. The fault must have fired, a fault that breaks the
/// long-poll must be reported (`Disconnected`, then `Reconnected`), and no
/// event may be pushed twice: every push is counted as it arrives, also
/// during a grace window after the last wanted one (until a marker
/// injected last arrives), so a late duplicate is seen too.
async fn recovers_every_event_after<H: Harness>(fault: Faults, label: &str) {
    let expect = expect::of(&fault);
    let emu = emulator(false);
    let (client, mut events) = H::connect_tuned(&emu).await;
    until_connected::<H>(&mut events).await;
    until_subscribed(&emu, 1);
    let (conv, other) = other_in(&emu);
    let mut want = BTreeSet::new();
    want.insert(emu.inject_message(&conv, &other, "before").unwrap());
    // Every pushed event id, as it arrived (never deduplicated).
    let mut pushed: Vec<String> = collect_events::<H>(&mut events, &want).await;
    // Event ids the catch-up syncs returned (a sync repeats what was
    // pushed already: that is not a duplicate).
    let mut synced = BTreeSet::new();
    let mut seen = expect::Seen::default();
    emu.set_faults(fault);
    // Some while the fault is armed, the rest once it fired (a sticky knob
    // takes effect on the next long-poll, which may be seconds away).
    for i in 0..5 {
        if i == 2 {
            expect.until_fired(&emu, Duration::from_secs(20));
        }
        want.insert(
            emu.inject_message(&conv, &other, &format!("during {i}"))
                .unwrap(),
        );
    }
    // Drive until everything arrived, catching up after each reconnect;
    // then clear the faults, inject a marker, and drive until it arrived.
    let mut last_sync = None;
    let mut marker: Option<String> = None;
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let arrived = |id: &String| pushed.contains(id) || synced.contains(id);
        match &marker {
            Some(m) if arrived(m) => break,
            Some(_) => {}
            None if want.iter().all(arrived) && seen.enough(&expect) => {
                emu.set_faults(Faults::default());
                marker = Some(emu.inject_message(&conv, &other, "marker").unwrap());
                continue;
            }
            None => {}
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{} {label}: missing {want:?} or the marker {marker:?}; pushed {pushed:?}, \
             synced {synced:?}, {seen:?}",
            H::NAME
        );
        let Some(ev) = H::next_event(&mut events, WAIT).await else {
            continue;
        };
        seen.note(&ev);
        // Catch up after a reconnect and after a (new session's)
        // subscription: what happened before it was never pushed to it.
        if let Event::Reconnected { .. } | Event::Subscribed = ev {
            if let Event::Reconnected { last_sync: ls } = ev {
                last_sync = ls.or(last_sync);
            }
            let req = SyncAllNewEventsRequest {
                last_sync_timestamp: last_sync,
                max_response_size_bytes: Some(1_048_576),
                ..Default::default()
            };
            if let Ok(ApiResponse::SyncAllNewEvents(r)) =
                H::request(&client, ApiRequest::from(req)).await
            {
                let ids = r.conversation_state.into_iter().flat_map(|s| s.event);
                synced.extend(ids.filter_map(|ev| ev.event_id));
            }
        } else if let Some(id) = event_id(&ev) {
            pushed.push(id);
        }
    }
    expect.check(&emu, &seen, &format!("{} {label}", H::NAME));
    let dups = expect::duplicates(&pushed);
    assert!(
        dups.is_empty(),
        "{} {label}: pushed more than once: {dups:?}",
        H::NAME
    );
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

/// Which test proxy a scenario goes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Via {
    /// HTTP: plain requests in absolute form, TLS through `CONNECT`.
    Http,
    /// HTTP with a username and password (`Proxy-Authorization: Basic`).
    HttpAuth,
    /// SOCKS5 without authentication: every request tunnelled.
    Socks5,
    /// SOCKS5 with a username and password (RFC 1929), `socks5h://`.
    Socks5Auth,
}

impl Via {
    fn start(self) -> ProxyServer {
        // Characters that need percent-encoding in the URL.
        let creds = Some(("al ice", "s3:cr@t"));
        match self {
            Via::Http => ProxyServer::http(None),
            Via::HttpAuth => ProxyServer::http(creds),
            Via::Socks5 => ProxyServer::socks5(None),
            Via::Socks5Auth => ProxyServer::socks5(creds),
        }
    }
}

/// Through a proxy, plain or TLS: the client connects, gets its client id
/// and a pushed message, and every connection went through the proxy to
/// the emulator (tunnels, or absolute-form requests for plain HTTP
/// through an HTTP proxy).
async fn through_a_proxy<H: Harness>(via: Via, tls: bool) {
    let emu = emulator(tls);
    let proxy = via.start();
    let (client, mut events) = H::connect_via(&emu, &proxy.url()).await;
    until_connected::<H>(&mut events).await;
    until_subscribed(&emu, 1);
    let (conv, other) = other_in(&emu);
    let id = emu.inject_message(&conv, &other, "via the proxy").unwrap();
    collect_events::<H>(&mut events, &BTreeSet::from([id])).await;
    H::disconnect(&client).await;
    let target = format!("127.0.0.1:{}", emu.addr().port());
    let targets = proxy.targets();
    assert!(!targets.is_empty(), "{}: the proxy was not used", H::NAME);
    assert!(targets.iter().all(|t| *t == target), "{targets:?}");
    assert_eq!(proxy.refused(), 0, "{}", H::NAME);
    let absolute = !tls && matches!(via, Via::Http | Via::HttpAuth);
    if absolute {
        assert!(proxy.forwarded() >= 2, "{}: {}", H::NAME, proxy.forwarded());
        assert_eq!(proxy.tunnels(), 0);
    } else {
        // The SID request, the long-poll, the subscription at least.
        assert!(proxy.tunnels() >= 2, "{}: {}", H::NAME, proxy.tunnels());
        assert_eq!(proxy.forwarded(), 0);
    }
}

/// A proxy that refuses the credentials: the client never reaches the
/// emulator, keeps retrying, closes cleanly when asked (no panic).
async fn refused_by_the_proxy<H: Harness>(via: Via, tls: bool) {
    let emu = emulator(tls);
    let proxy = via.start();
    let url = proxy.url().replace("s3%3Acr%40t", "wrong");
    assert_ne!(url, proxy.url());
    let (client, mut events) = H::connect_to(Spec {
        proxy: Some(url),
        tune: Tune::Faults,
        ..Spec::emulator(&emu)
    })
    .await;
    let deadline = std::time::Instant::now() + WAIT;
    while proxy.refused() < 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "{}: {} refusals",
            H::NAME,
            proxy.refused()
        );
        match H::next_or_end(&mut events, Duration::from_millis(20)).await {
            Ok(Some(Event::Connected | Event::ClientId(_) | Event::Subscribed)) => {
                panic!("{}: connected through a refusing proxy", H::NAME)
            }
            Ok(Some(Event::Closed { error })) => panic!("{}: closed: {error:?}", H::NAME),
            Ok(None) => panic!("{}: events ended", H::NAME),
            Ok(Some(_)) | Err(TimedOut) => {}
        }
    }
    assert_eq!(proxy.tunnels(), 0);
    assert!(proxy.targets().is_empty());
    let sessions = emu.state()["sessions"].as_array().map(Vec::len);
    assert!(matches!(sessions, None | Some(0)), "{sessions:?}");
    H::disconnect(&client).await;
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
    ($module:ident, $harness:ty, events: $($events:tt)+) => {
        mod $module {
            use super::*;
            type H = $harness;
            #[test]
            fn handles_cross_threads() {
                fn send_sync<T: Send + Sync>() {}
                fn send<T: Send>() {}
                fn events_are<T: $($events)+>() {}
                send_sync::<<H as Harness>::Client>();
                send_sync::<<H as Harness>::Config>();
                send_sync::<<H as Harness>::Error>();
                send::<<H as Harness>::Events>();
                events_are::<<H as Harness>::Events>();
            }
            #[test]
            fn urls_set_every_server() {
                super::urls_set_every_server::<H>();
            }
            #[test]
            fn bad_urls_are_typed_errors() {
                super::bad_urls_are_typed_errors::<H>();
            }
            #[test]
            fn dropping_every_handle_closes() {
                H::run(super::dropping_every_handle_closes::<H>());
            }
            #[test]
            fn a_large_request_over_tls() {
                H::run(super::a_large_request_over_tls::<H>());
            }
            #[test]
            fn timed_out_connections_are_closed() {
                H::run(super::timed_out_connections_are_closed::<H>(false));
            }
            #[test]
            fn tls_handshake_that_times_out_is_closed() {
                H::run(super::timed_out_connections_are_closed::<H>(true));
            }
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
            // Was intermittently deaf after the new SID (the channel followed
            // the connection, not the exchange).
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
            // Was deaf after `400 Unknown SID` with keep-alive (the channel
            // followed the connection, not the exchange).
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
            // The push chunk and the end of the body come in one read (the
            // chunk was dropped silently before the exchange layer).
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
            fn plain_through_an_http_proxy() {
                H::run(through_a_proxy::<H>(Via::Http, false));
            }
            #[test]
            fn tls_through_an_http_proxy_tunnel() {
                H::run(through_a_proxy::<H>(Via::Http, true));
            }
            #[test]
            fn plain_through_an_http_proxy_with_credentials() {
                H::run(through_a_proxy::<H>(Via::HttpAuth, false));
            }
            #[test]
            fn tls_through_an_http_proxy_with_credentials() {
                H::run(through_a_proxy::<H>(Via::HttpAuth, true));
            }
            #[test]
            fn plain_through_socks5() {
                H::run(through_a_proxy::<H>(Via::Socks5, false));
            }
            #[test]
            fn tls_through_socks5() {
                H::run(through_a_proxy::<H>(Via::Socks5, true));
            }
            #[test]
            fn plain_through_socks5_with_credentials() {
                H::run(through_a_proxy::<H>(Via::Socks5Auth, false));
            }
            #[test]
            fn tls_through_socks5_with_credentials() {
                H::run(through_a_proxy::<H>(Via::Socks5Auth, true));
            }
            #[test]
            fn socks5_with_wrong_credentials_never_reaches_the_server() {
                H::run(refused_by_the_proxy::<H>(Via::Socks5Auth, true));
            }
            #[test]
            fn http_proxy_with_wrong_credentials_never_reaches_the_server() {
                H::run(refused_by_the_proxy::<H>(Via::HttpAuth, false));
            }
            #[test]
            fn fifty_clients() {
                H::run(many_clients_at_once::<H>(50));
            }
        }
    };
}

suite!(tokio_adapter, harness::TokioHarness, events: futures_lite::Stream<Item = Event>);
suite!(smol_adapter, harness::SmolHarness, events: futures_lite::Stream<Item = Event>);
suite!(blocking_adapter, harness::BlockingHarness, events: Iterator<Item = Event>);

/// `GET /_emulator/faults` reports the knobs set and how often each fired,
/// as `EmulatorHandle::faults_fired` does.
#[test]
fn fault_counts_over_the_control_api() {
    use std::io::{Read, Write};
    let emu = emulator(false);
    emu.set_faults(Faults {
        expire_sessions: true,
        split_writes: Some(7),
        ..Default::default()
    });
    let mut tcp = std::net::TcpStream::connect(emu.addr()).expect("connect");
    write!(
        tcp,
        "GET /_emulator/faults HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut reply = String::new();
    tcp.read_to_string(&mut reply).expect("read");
    let body = reply.split_once("\r\n\r\n").expect("a body").1;
    let v: serde_json::Value = serde_json::from_str(body).expect("JSON");
    assert_eq!(v["faults"]["split_writes"], 7);
    // The reply itself went out split: one more write counted after it.
    assert!(v["fired"]["split_writes"].as_u64().unwrap_or(0) <= 1, "{v}");
    assert_eq!(v["fired"]["expire_sessions"], 1);
    assert_eq!(emu.fault_fired("expire_sessions"), 1);
    assert!(emu.fault_fired("split_writes") >= 1);
    assert_eq!(emu.fault_fired("stall"), 0);
    assert_eq!(emu.faults_fired().len(), 2);
}
