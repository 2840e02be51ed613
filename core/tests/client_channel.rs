//! The push channel, deterministically: a scripted fake server and a
//! virtual clock drive the sans-IO client through every path of
//! PROTOCOL.md §1.2–1.9 (with DESIGN.md's differences).

mod support;

use hangups_core::backoff::BackoffConfig;
use hangups_core::channel::ChunkError;
use hangups_core::client::{ChannelError, Event, FatalError, SubscriptionError};
use hangups_proto::hangouts::StateUpdateKind;
use std::time::Duration;
use support::*;

/// Connects and subscribes: a client id, the subscription answered 200.
/// Only a subscribed session is kept across long-poll failures (the
/// server sends a session's client id once). Returns the long-poll conn.
fn subscribed(sim: &mut Sim) -> hangups_core::client::ConnId {
    let poll = connected(sim);
    sim.send(poll, &http_chunk(client_id_chunk(2, "cid").as_bytes()));
    let (sub, req) = sim.next_request();
    assert_eq!(req.method, "POST");
    sim.send(sub, &response(200, "OK", b"[]"));
    let ev = sim.take_events();
    assert!(
        matches!(&ev[..], [Event::ClientId(_), Event::Subscribed]),
        "{ev:?}"
    );
    poll
}

/// Connects: SID request, long-poll, noop → Connected. Returns the long-poll conn.
fn connected(sim: &mut Sim) -> hangups_core::client::ConnId {
    sim.client.connect(sim.now);
    sim.drain();
    let (sid_conn, _) = sim.next_request();
    sim.send(
        sid_conn,
        &response(200, "OK", sid_body("SID1", "GSID1").as_bytes()),
    );
    let (poll, req) = sim.next_request();
    assert_eq!(req.method, "GET");
    sim.send(poll, &stream_head());
    sim.send(poll, &http_chunk(noop_chunk(1).as_bytes()));
    let ev = sim.take_events();
    assert!(matches!(&ev[..], [Event::Connected]), "{ev:?}");
    poll
}

/// Takes the next channel request; if it is a new-SID request, answers it.
/// Returns the long-poll that follows, with a 200 head sent.
fn next_long_poll(sim: &mut Sim) -> hangups_core::client::ConnId {
    let (mut conn, mut req) = sim.next_request();
    if req.method == "POST" {
        sim.send(
            conn,
            &response(200, "OK", sid_body("SID2", "GSID2").as_bytes()),
        );
        (conn, req) = sim.next_request();
    }
    assert_eq!(req.method, "GET");
    sim.send(conn, &stream_head());
    conn
}

#[test]
fn first_connect_sends_the_exact_session_poll_and_subscription_requests() {
    let mut sim = Sim::new(config());
    sim.client.connect(sim.now);
    sim.drain();
    let (sid_conn, req) = sim.next_request();
    assert_eq!(sim.conns[&sid_conn].host, "127.0.0.1");
    assert_eq!(req.method, "POST");
    assert_eq!(
        req.target,
        "/client-channel/channel/bind?VER=8&RID=81188&ctype=hangouts"
    );
    assert_eq!(req.body, b"count=0&ofs=0");
    assert_eq!(
        req.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    // §3 worked example: t=1234567890, SAPISID=abc.
    assert_eq!(
        req.header("authorization"),
        Some("SAPISIDHASH 1234567890_fc8d2bc1330be75b1748d35d13c332bb0087b98c")
    );
    assert_eq!(req.header("origin"), Some("https://hangouts.google.com"));
    assert_eq!(req.header("x-goog-authuser"), Some("0"));
    assert!(req.header("cookie").unwrap().contains("SAPISID=abc"));

    sim.send(
        sid_conn,
        &response(
            200,
            "OK",
            sid_body("98803CAAD92268E8", "7tCoFHumSL-IT6BHpCaxLA").as_bytes(),
        ),
    );
    assert!(sim.is_closed_by_client(sid_conn));
    let (poll, req) = sim.next_request();
    assert_eq!(req.method, "GET");
    assert_eq!(
        req.target,
        "/client-channel/channel/bind?VER=8&gsessionid=7tCoFHumSL-IT6BHpCaxLA&RID=rpc&t=1&SID=98803CAAD92268E8&CI=0&ctype=hangouts&TYPE=xmlhttp"
    );
    assert!(req.header("authorization").is_some());

    sim.send(poll, &stream_head());
    assert!(sim.take_events().is_empty(), "no chunk yet: not connected");
    sim.send(poll, &http_chunk(noop_chunk(1).as_bytes()));
    let ev = sim.take_events();
    assert!(matches!(&ev[..], [Event::Connected]), "{ev:?}");
    assert!(sim.client.is_connected());

    sim.send(
        poll,
        &http_chunk(client_id_chunk(2, "lcsw_hangouts_00BBCF28").as_bytes()),
    );
    let ev = sim.take_events();
    assert!(
        matches!(&ev[..], [Event::ClientId(id)] if id == "lcsw_hangouts_00BBCF28"),
        "{ev:?}"
    );
    let (sub, req) = sim.next_request();
    assert_eq!(req.method, "POST");
    assert_eq!(
        req.target,
        "/client-channel/channel/bind?VER=8&RID=81188&ctype=hangouts&gsessionid=7tCoFHumSL-IT6BHpCaxLA&SID=98803CAAD92268E8"
    );
    // §1.7, verified wire body.
    assert_eq!(
        String::from_utf8(req.body).unwrap(),
        "count=2&ofs=0&req0_p=%7B%223%22%3A+%7B%221%22%3A+%7B%221%22%3A+%22babel%22%7D%7D%7D&req1_p=%7B%223%22%3A+%7B%221%22%3A+%7B%221%22%3A+%22babel_presence_last_seen%22%7D%7D%7D"
    );
    assert!(
        sim.take_events().is_empty(),
        "not subscribed before the answer"
    );
    sim.send(sub, &response(200, "OK", frame("[1,3,0]").as_bytes()));
    assert!(sim.is_closed_by_client(sub));
    let ev = sim.take_events();
    assert!(matches!(&ev[..], [Event::Subscribed]), "{ev:?}");
    assert!(!sim.is_closed_by_client(poll), "the long-poll goes on");
    assert_eq!(sim.client.client_id(), Some("lcsw_hangouts_00BBCF28"));
}

fn stream_bytes() -> Vec<u8> {
    let mut s = String::new();
    s.push_str(&client_id_chunk(2, "lcsw_hangouts_X"));
    s.push_str(&cbu_chunk(
        3,
        &event_pblite("ev-1", 1_521_000_000_000_000, "héllo 😀 wörld"),
    ));
    s.push_str(&noop_chunk(4));
    s.push_str(&cbu_chunk(
        5,
        &event_pblite("ev-2", 1_521_000_000_000_001, "second €"),
    ));
    s.into_bytes()
}

fn summarize(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .map(|e| match e {
            Event::StateUpdate(su) => match &su.state_update {
                StateUpdateKind::EventNotification(n) => {
                    format!(
                        "event {}",
                        n.event.as_ref().unwrap().event_id.as_deref().unwrap()
                    )
                }
                other => format!("update {other:?}"),
            },
            other => format!("{other:?}"),
        })
        .collect()
}

#[test]
fn updates_split_at_every_byte_boundary_give_the_same_events() {
    let body = stream_bytes();
    let mut expected = None;
    for split in [1usize, 2, 3, 5, 7, 64, 4096] {
        let mut sim = Sim::new(config());
        let poll = connected(&mut sim);
        // One HTTP chunk holding the whole stream, delivered `split` bytes at a time.
        sim.send_split(poll, &http_chunk(&body), split);
        let got = summarize(&sim.take_events());
        assert_eq!(got.len(), 3, "{got:?}");
        match &expected {
            None => expected = Some(got),
            Some(e) => assert_eq!(&got, e, "split {split}"),
        }
    }
    assert_eq!(
        expected.unwrap(),
        vec![
            "ClientId(\"lcsw_hangouts_X\")".to_string(),
            "event ev-1".into(),
            "event ev-2".into()
        ]
    );
}

#[test]
fn every_single_split_point_of_an_event_chunk() {
    let chunk = http_chunk(cbu_chunk(3, &event_pblite("ev-1", 1, "a😀€b")).as_bytes());
    for cut in 1..chunk.len() {
        let mut sim = Sim::new(config());
        let poll = connected(&mut sim);
        sim.send(poll, &chunk[..cut]);
        sim.send(poll, &chunk[cut..]);
        assert_eq!(
            summarize(&sim.take_events()),
            vec!["event ev-1"],
            "cut at {cut}"
        );
    }
}

#[test]
fn keep_alive_timeout_reconnects_with_the_same_sid_after_backoff() {
    let mut sim = Sim::new(config());
    let poll = subscribed(&mut sim);
    sim.advance(Duration::from_secs(59));
    assert!(sim.take_events().is_empty());
    sim.send(poll, &http_chunk(noop_chunk(2).as_bytes())); // data re-arms the timer
    sim.advance(Duration::from_secs(59));
    assert!(sim.take_events().is_empty());
    sim.advance(Duration::from_secs(1));
    let events = sim.take_events();
    assert!(
        matches!(
            &events[..],
            [Event::Disconnected {
                error: ChannelError::PushTimeout(_),
                ..
            }]
        ),
        "{events:?}"
    );
    assert!(sim.is_closed_by_client(poll));
    let Event::Disconnected { retry_at, .. } = events[0] else {
        unreachable!()
    };
    assert!(sim.pending.is_empty(), "nothing before the backoff ends");
    let waited = sim.advance_to_timeout();
    assert!(
        waited >= Duration::from_millis(1400) && waited <= Duration::from_secs(2),
        "{waited:?}"
    );
    assert_eq!(sim.now, retry_at);
    let (poll2, req) = sim.next_request();
    assert_eq!(req.method, "GET", "same SID: straight to the long-poll");
    assert!(req.query().contains("SID=SID1"));
    sim.send(poll2, &stream_head());
    sim.send(poll2, &http_chunk(noop_chunk(3).as_bytes()));
    let ev = sim.take_events();
    assert!(
        matches!(&ev[..], [Event::Reconnected { last_sync: None }]),
        "{ev:?}"
    );
}

#[test]
fn reconnected_carries_the_newest_server_time_seen() {
    let mut sim = Sim::new(config());
    let poll = connected(&mut sim);
    sim.send(
        poll,
        &http_chunk(cbu_chunk(2, &event_pblite("e", 1_521_002_546_845_000, "x")).as_bytes()),
    );
    sim.take_events();
    sim.close(poll);
    assert!(matches!(
        sim.take_events()[..],
        [Event::Disconnected { .. }]
    ));
    sim.advance_to_timeout();
    let p = next_long_poll(&mut sim);
    sim.send(p, &http_chunk(noop_chunk(9).as_bytes()));
    let ev = sim.take_events();
    assert!(
        matches!(
            &ev[..],
            [Event::Reconnected {
                last_sync: Some(1_521_002_546_845_000)
            }]
        ),
        "{ev:?}"
    );
    assert_eq!(sim.client.last_server_time(), Some(1_521_002_546_845_000));
}

#[test]
fn unknown_sid_asks_for_a_new_sid() {
    for (reason, body) in [
        ("Unknown SID", "Unknown SID"),
        ("Bad Request", "Unknown SID"),
        ("Unknown SID", ""),
    ] {
        let mut sim = Sim::new(config());
        let poll = connected(&mut sim);
        sim.send(poll, b"0\r\n\r\n"); // the long-poll ends normally
        let (poll2, req) = sim.next_request();
        assert_eq!(
            req.method, "GET",
            "normal end: re-poll at once with the same SID"
        );
        assert!(sim.take_events().is_empty());
        let _ = poll;
        sim.send(poll2, &response(400, reason, body.as_bytes()));
        let events = sim.take_events();
        assert!(
            matches!(
                &events[..],
                [Event::Disconnected {
                    error: ChannelError::UnknownSid,
                    ..
                }]
            ),
            "{reason}/{body}: {events:?}"
        );
        sim.advance_to_timeout();
        let (_, req) = sim.next_request();
        assert_eq!(req.method, "POST", "a new SID first");
        assert_eq!(
            req.target,
            "/client-channel/channel/bind?VER=8&RID=81188&ctype=hangouts"
        );
    }
}

#[test]
fn other_400_keeps_the_sid() {
    let mut sim = Sim::new(config());
    let poll = subscribed(&mut sim);
    sim.send(poll, HTTP_END);
    let (p, _) = sim.next_request();
    sim.send(p, &response(400, "Bad Request", b"nope"));
    let events = sim.take_events();
    assert!(
        matches!(
            &events[..],
            [Event::Disconnected {
                error: ChannelError::Http { status: 400, .. },
                ..
            }]
        ),
        "{events:?}"
    );
    sim.advance_to_timeout();
    let (_, req) = sim.next_request();
    assert_eq!(req.method, "GET");
}

#[test]
fn long_poll_that_ends_normally_is_reopened_at_once() {
    let mut sim = Sim::new(config());
    let poll = connected(&mut sim);
    for i in 0..5 {
        let current = sim.conns.keys().last().copied().unwrap();
        sim.send(current, HTTP_END);
        assert!(sim.is_closed_by_client(current));
        assert_eq!(sim.pending.len(), 1, "round {i}: re-polled without waiting");
        let (p, req) = sim.next_request();
        assert_eq!(req.method, "GET");
        sim.send(p, &stream_head());
    }
    let _ = poll;
    assert!(
        sim.take_events().is_empty(),
        "a normal end is not a disconnect"
    );
}

#[test]
fn body_cut_mid_chunk_asks_for_a_new_sid() {
    let mut sim = Sim::new(config());
    let poll = connected(&mut sim);
    let chunk = cbu_chunk(2, &event_pblite("e", 5, "cut"));
    let mut partial = format!("{:x}\r\n", chunk.len()).into_bytes();
    partial.extend_from_slice(&chunk.as_bytes()[..chunk.len() / 2]);
    sim.send(poll, &partial);
    sim.close(poll);
    let events = sim.take_events();
    assert!(
        matches!(
            &events[..],
            [Event::Disconnected {
                error: ChannelError::BodyCut,
                ..
            }]
        ),
        "{events:?}"
    );
    sim.advance_to_timeout();
    let (_, req) = sim.next_request();
    assert_eq!(req.method, "POST", "new SID");
}

#[test]
fn http_500_and_refusals_back_off_growing_and_retry_forever() {
    let mut cfg = config();
    cfg.backoff = BackoffConfig {
        jitter: 0.0,
        ..BackoffConfig::default()
    };
    let mut sim = Sim::new(cfg);
    sim.client.connect(sim.now);
    sim.drain();
    let mut waits = Vec::new();
    for i in 0..12 {
        if i % 2 == 0 {
            let (c, _) = sim.next_request();
            sim.send(c, &response(500, "Internal Server Error", b""));
        } else {
            sim.refuse();
        }
        assert!(
            sim.take_events().is_empty(),
            "never connected: no Disconnected"
        );
        waits.push(sim.advance_to_timeout().as_secs());
    }
    assert_eq!(
        waits,
        vec![2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300, 300]
    );
    let (_, req) = sim.next_request();
    assert_eq!(req.method, "POST", "still trying to get a session");
}

#[test]
fn a_retry_limit_closes_the_client() {
    let mut cfg = config();
    cfg.backoff = BackoffConfig {
        max_retries: Some(2),
        ..BackoffConfig::default()
    };
    let mut sim = Sim::new(cfg);
    let poll = connected(&mut sim);
    sim.close(poll);
    sim.advance_to_timeout();
    sim.refuse();
    sim.advance_to_timeout();
    sim.refuse();
    let events = sim.take_events();
    assert!(matches!(events.first(), Some(Event::Disconnected { .. })));
    assert!(
        matches!(
            events.last(),
            Some(Event::Closed {
                error: Some(FatalError::RetriesExhausted { .. })
            })
        ),
        "{events:?}"
    );
    assert!(sim.client.is_closed());
    assert!(sim.client.poll_timeout().is_none());
}

#[test]
fn a_good_chunk_resets_the_backoff() {
    let mut cfg = config();
    cfg.backoff = BackoffConfig {
        jitter: 0.0,
        ..BackoffConfig::default()
    };
    let mut sim = Sim::new(cfg);
    let poll = connected(&mut sim);
    sim.close(poll);
    assert_eq!(sim.advance_to_timeout().as_secs(), 2);
    sim.refuse();
    assert_eq!(sim.advance_to_timeout().as_secs(), 4);
    let p = next_long_poll(&mut sim);
    sim.send(p, &http_chunk(noop_chunk(5).as_bytes()));
    sim.close(p);
    assert_eq!(sim.advance_to_timeout().as_secs(), 2);
}

#[test]
fn junk_where_a_length_belongs_reopens_the_long_poll_instead_of_stalling() {
    let mut sim = Sim::new(config());
    let poll = subscribed(&mut sim);
    sim.send(poll, &http_chunk(b"junk4\nfail"));
    assert!(sim.is_closed_by_client(poll));
    assert_eq!(sim.client.bad_chunks(), 1);
    let events = sim.take_events();
    assert!(
        matches!(
            &events[..],
            [Event::Disconnected {
                error: ChannelError::Chunk(ChunkError::BadLength { .. }),
                ..
            }]
        ),
        "{events:?}"
    );
    sim.advance_to_timeout();
    let (_, req) = sim.next_request();
    assert_eq!(req.method, "GET");
}

#[test]
fn a_malformed_chunk_is_skipped_and_the_channel_goes_on() {
    let mut sim = Sim::new(config());
    let poll = connected(&mut sim);
    sim.send(poll, &http_chunk(frame("this is not json").as_bytes()));
    sim.send(
        poll,
        &http_chunk(cbu_chunk(3, &event_pblite("after", 1, "ok")).as_bytes()),
    );
    assert_eq!(summarize(&sim.take_events()), vec!["event after"]);
    assert_eq!(sim.client.bad_chunks(), 1);
    assert!(!sim.is_closed_by_client(poll));
}

#[test]
/// hangups retries a failed subscription with the same SID; but the server
/// sends a session's client id once, so that session could never be
/// subscribed again (deaf). Here a failed subscription takes a new SID.
fn subscription_failure_is_a_long_poll_failure_with_a_new_sid() {
    let mut sim = Sim::new(config());
    let poll = connected(&mut sim);
    sim.send(poll, &http_chunk(client_id_chunk(2, "cid").as_bytes()));
    sim.take_events();
    let (sub, _) = sim.next_request();
    sim.send(sub, &response(500, "Oops", b""));
    assert!(sim.is_closed_by_client(poll));
    let events = sim.take_events();
    assert!(
        matches!(
            &events[..],
            [Event::Disconnected {
                error: ChannelError::Subscription(SubscriptionError::Http { status: 500, reason }),
                ..
            }] if reason == "Oops"
        ),
        "{events:?}"
    );
    sim.advance_to_timeout();
    let (_, req) = sim.next_request();
    assert_eq!(req.method, "POST");
    assert!(!req.target.contains("SID="), "{}", req.target);
}

#[test]
fn disconnect_in_every_state_closes_everything_and_ends_with_closed() {
    // 0: before connect, 1: SID pending (connecting), 2: SID sent, 3: polling,
    // 4: connected, 5: waiting for backoff.
    for state in 0..6 {
        let mut sim = Sim::new(config());
        if state >= 1 {
            sim.client.connect(sim.now);
            sim.drain();
        }
        if state >= 2 {
            let (c, _) = sim.next_request();
            if state >= 3 {
                sim.send(c, &response(200, "OK", sid_body("S", "G").as_bytes()));
                let (p, _) = sim.next_request();
                if state >= 4 {
                    sim.send(p, &stream_head());
                    sim.send(p, &http_chunk(noop_chunk(1).as_bytes()));
                }
                if state == 5 {
                    sim.close(p);
                }
            }
        }
        sim.take_events();
        sim.client.disconnect(sim.now);
        sim.drain();
        let events = sim.take_events();
        assert!(
            matches!(events.last(), Some(Event::Closed { error: None })),
            "state {state}: {events:?}"
        );
        assert!(
            sim.conns
                .values()
                .all(|c| c.closed_by_client || !c.connected || state == 5),
            "state {state}"
        );
        assert!(
            sim.client.poll_timeout().is_none(),
            "state {state}: no timers after disconnect"
        );
        assert!(sim.client.poll_output().is_none());
        // Late input for old connections is ignored.
        for conn in sim.conns.keys().copied().collect::<Vec<_>>() {
            sim.send(conn, b"HTTP/1.1 200 OK\r\n\r\n");
            sim.close(conn);
        }
        assert!(sim.take_events().is_empty());
        sim.advance(Duration::from_secs(3600));
        assert!(sim.pending.is_empty());
    }
}
