//! The emulator's push channel with a raw client: session, long-poll,
//! subscription, delivery, Unknown SID, credentials.

mod support;

use hangups_core::channel::{decode_chunk, PushData};
use hangups_core::http::Method;
use hangups_proto::hangouts::{ActiveClientState, StateUpdateKind as Su};
use hangups_tests::emulator::EmulatorConfig;
use std::time::Duration;
use support::*;

#[test]
fn sid_response_is_the_protocol_chunk() {
    let emu = start();
    let me = Raw::me(&emu);
    let resp = me.send(&me.bind_post(&[], b"count=0&ofs=0"));
    assert_eq!((resp.head.status, resp.head.reason.as_str()), (200, "OK"));
    assert!(resp.head.header("content-length").is_some());
    let text = resp.text();
    let (len, payload) = text.split_once('\n').unwrap();
    assert_eq!(
        len.parse::<usize>().unwrap(),
        payload.encode_utf16().count()
    );
    assert!(payload.starts_with("[[0,[\"c\",\""), "{payload}");
    let v: serde_json::Value = serde_json::from_str(payload).unwrap();
    let sid = v[0][1][1].as_str().unwrap();
    assert_eq!(sid.len(), 16);
    assert!(sid.bytes().all(|b| b.is_ascii_hexdigit()));
    assert_eq!(
        (v[0][1][2].as_str(), v[0][1][3].as_u64()),
        (Some(""), Some(8))
    );
    assert_eq!(v[1][1][0]["gsid"].as_str().unwrap().len(), 22);
}

#[test]
fn long_poll_sends_noop_then_client_id_then_updates() {
    let emu = start();
    let me = Raw::me(&emu);
    let (sid, gsid) = me.sid();
    let mut poll = me.long_poll(&sid, &gsid);
    let noop = poll.next_chunk();
    let head = poll.head.clone().unwrap();
    assert_eq!(head.status, 200);
    assert_eq!(head.header("transfer-encoding"), Some("chunked"));
    assert_eq!(
        noop, "[[2,[\"noop\"]\n]\n]\n",
        "real-server layout, array ids from 2"
    );
    let push = poll.next_push();
    assert_eq!(push.array_id, 3);
    let PushData::ClientId(client_id) = push.data else {
        panic!("{push:?}")
    };
    assert!(client_id.starts_with("lcsw_hangouts_") && client_id.len() == 22);

    // Before the subscription nothing is delivered to this session.
    emu.inject_message(GROUP, GRACE, "too early").unwrap();
    assert_eq!(emu.state()["sessions"][0]["queued"], 0);

    let ack = me.subscribe(&sid, &gsid);
    assert_eq!(ack.head.status, 200);
    assert_eq!(ack.text(), "7\n[1,3,0]");
    let state = emu.state();
    assert_eq!(state["sessions"][0]["subscribed"], true);
    assert_eq!(state["sessions"][0]["presence_subscribed"], true);

    let text = "héllo 日本語 😀";
    let event_id = emu.inject_message(GROUP, GRACE, text).unwrap();
    let raw = poll.next_chunk();
    let arrays = decode_chunk(&raw).unwrap();
    assert_eq!(arrays[0].array_id, 4);
    let PushData::StateUpdates(updates) = &arrays[0].data else {
        panic!("{raw}")
    };
    let update = &updates[0];
    let header = update.state_update_header.as_ref().unwrap();
    assert_eq!(
        header.active_client_state,
        Some(ActiveClientState::ACTIVE_CLIENT_STATE_NO_ACTIVE)
    );
    assert!(header.current_server_time.is_some());
    let Su::EventNotification(n) = &update.state_update else {
        panic!()
    };
    let event = n.event.as_ref().unwrap();
    assert_eq!(event.event_id.as_deref(), Some(event_id.as_str()));
    assert_eq!(
        event.conversation_id.as_ref().unwrap().id.as_deref(),
        Some(GROUP)
    );
    assert_eq!(
        event.sender_id.as_ref().unwrap().gaia_id.as_deref(),
        Some(GRACE)
    );
    assert!(event.timestamp.unwrap() <= header.current_server_time.unwrap());
    assert_eq!(event_text(update), text);
    let conv = update
        .conversation
        .as_ref()
        .expect("the conversation delta");
    assert_eq!(conv.name.as_deref(), Some("Emulator group"));
    assert_eq!(conv.participant_data.len(), 3);
    // The raw chunk keeps multi-byte text as UTF-8 and counts UTF-16 units.
    assert!(raw.contains(text));
}

#[test]
fn updates_wait_for_the_next_long_poll_and_array_ids_increase() {
    let emu =
        start_with(EmulatorConfig::default().with_long_poll_duration(Duration::from_millis(300)));
    let me = Raw::me(&emu);
    let mut c = me.connected();
    let rest = c.poll.finish();
    assert!(rest.is_empty(), "{rest:?}");
    // No long-poll open now: these wait in the session's queue.
    let ids: Vec<String> = (0..3)
        .map(|i| {
            emu.inject_message(ONE_TO_ONE, GRACE, &format!("queued {i}"))
                .unwrap()
        })
        .collect();
    assert_eq!(emu.state()["sessions"][0]["queued"], 3);
    let mut poll = me.long_poll(&c.sid, &c.gsid);
    let first = decode_chunk(&poll.next_chunk()).unwrap();
    assert_eq!(
        first[0].data,
        PushData::Noop,
        "noop first, no second client id"
    );
    let mut last_array = first[0].array_id;
    for (i, id) in ids.iter().enumerate() {
        let push = poll.next_push();
        assert!(push.array_id > last_array);
        last_array = push.array_id;
        let PushData::StateUpdates(u) = push.data else {
            panic!()
        };
        let Su::EventNotification(n) = &u[0].state_update else {
            panic!()
        };
        assert_eq!(n.event.as_ref().unwrap().event_id.as_ref(), Some(id));
        assert_eq!(event_text(&u[0]), format!("queued {i}"));
    }
    poll.finish();
    assert_eq!(emu.state()["sessions"][0]["delivered"], 3);
}

#[test]
fn every_session_of_every_participant_gets_the_push() {
    let emu = start();
    let me = Raw::me(&emu);
    let mut mine1 = me.connected();
    let mut mine2 = me.connected();
    let mut grace = Raw::new(&emu, GRACE).connected();
    let mut alan = Raw::new(&emu, ALAN).connected();
    emu.inject_message(ONE_TO_ONE, GRACE, "just us").unwrap();
    emu.inject_message(GROUP, ALAN, "everyone").unwrap();
    assert_eq!(event_text(&mine1.next_update()), "just us");
    assert_eq!(event_text(&mine2.next_update()), "just us");
    assert_eq!(event_text(&grace.next_update()), "just us");
    assert_eq!(event_text(&mine1.next_update()), "everyone");
    assert_eq!(event_text(&mine2.next_update()), "everyone");
    assert_eq!(event_text(&grace.next_update()), "everyone");
    // Alan is not in the one-to-one.
    assert_eq!(event_text(&alan.next_update()), "everyone");
}

#[test]
fn client_id_is_resent_until_the_subscription_arrives() {
    let emu =
        start_with(EmulatorConfig::default().with_long_poll_duration(Duration::from_millis(200)));
    let me = Raw::me(&emu);
    let (sid, gsid) = me.sid();
    let mut poll = me.long_poll(&sid, &gsid);
    poll.next_push();
    let PushData::ClientId(first) = poll.next_push().data else {
        panic!()
    };
    poll.finish();
    let mut poll = me.long_poll(&sid, &gsid);
    poll.next_push();
    let PushData::ClientId(again) = poll.next_push().data else {
        panic!()
    };
    assert_eq!(first, again);
    me.subscribe(&sid, &gsid);
    poll.finish();
    let mut poll = me.long_poll(&sid, &gsid);
    assert_eq!(poll.next_push().data, PushData::Noop);
    assert!(poll.finish().is_empty());
}

#[test]
fn noops_keep_the_long_poll_alive_and_it_ends_normally() {
    let config = EmulatorConfig::default()
        .with_noop_interval(Duration::from_millis(50))
        .with_long_poll_duration(Duration::from_millis(400));
    let emu = start_with(config);
    let me = Raw::me(&emu);
    let mut c = me.connected();
    let chunks = c.poll.finish();
    assert!(chunks.len() >= 3, "{chunks:?}");
    assert!(chunks
        .iter()
        .all(|c| decode_chunk(c).unwrap()[0].data == PushData::Noop));
    assert_eq!(emu.state()["sessions"][0]["long_polls_open"], 0);
}

#[test]
fn unknown_sid_is_400_with_reason_and_body() {
    let emu = start();
    let me = Raw::me(&emu);
    let (sid, gsid) = me.sid();
    for (s, g) in [
        ("0123456789ABCDEF", gsid.as_str()),
        (sid.as_str(), "wrong-gsid"),
    ] {
        let resp = me.send(&me.long_poll_request(s, g));
        assert_eq!(
            (resp.head.status, resp.head.reason.as_str()),
            (400, "Unknown SID")
        );
        assert_eq!(resp.text(), "Unknown SID");
        let resp = me.subscribe(s, g);
        assert_eq!(
            (resp.head.status, resp.head.reason.as_str()),
            (400, "Unknown SID")
        );
    }
    // Another user's SID is unknown to this one.
    let grace = Raw::new(&emu, GRACE);
    let resp = grace.send(&grace.long_poll_request(&sid, &gsid));
    assert_eq!(resp.head.status, 400);
}

#[test]
fn credentials_are_checked_like_a_real_server() {
    let emu = start();
    let me = Raw::me(&emu);
    // A request without credentials.
    let anon = Raw::anonymous(&emu);
    let resp = anon.send(&anon.bind_post(&[], b"count=0&ofs=0"));
    assert_eq!(resp.head.status, 401);
    // A SAPISIDHASH of another origin (hash input differs from the header).
    let mut req = me.bind_post(&[], b"count=0&ofs=0");
    for (n, v) in req.headers.iter_mut() {
        if n == "origin" {
            *v = "https://evil.example".into();
        }
    }
    assert_eq!(me.send(&req).head.status, 401);
    // A well-formed but wrong hash.
    let mut req = me.bind_post(&[], b"count=0&ofs=0");
    for (n, v) in req.headers.iter_mut() {
        if n == "authorization" {
            *v = format!("SAPISIDHASH 1700000000_{}", "0".repeat(40));
        }
    }
    assert_eq!(me.send(&req).head.status, 401);
    // A malformed header.
    for bad in ["SAPISIDHASH x", "SAPISIDHASH 12_zz", "Bearer abc"] {
        let mut req = me.bind_post(&[], b"count=0&ofs=0");
        for (n, v) in req.headers.iter_mut() {
            if n == "authorization" {
                *v = bad.into();
            }
        }
        assert_eq!(me.send(&req).head.status, 401, "{bad}");
    }
    // Cookies of nobody: a consistent hash over an unknown SAPISID.
    let cookies: hangups_core::api::Cookies = [("SID", "nobody"), ("SAPISID", "nobody/nothing")]
        .into_iter()
        .collect();
    let stranger = Raw {
        auth: Some(hangups_core::api::AuthHeaders::new(&cookies, 1).unwrap()),
        ..me.clone()
    };
    let resp = stranger.send(&stranger.bind_post(&[], b"count=0&ofs=0"));
    assert_eq!(resp.head.status, 401);
    assert_eq!(resp.json()["error"]["status"], "UNAUTHENTICATED");
    // The right SAPISID with somebody else's SID cookie.
    let mut mixed: hangups_core::api::Cookies = emu.self_cookies().into_iter().collect();
    mixed.insert("SID", &emu.cookies(GRACE)[0].1);
    let mixed = Raw {
        auth: Some(hangups_core::api::AuthHeaders::new(&mixed, 1).unwrap()),
        ..me.clone()
    };
    assert_eq!(
        mixed
            .send(&mixed.bind_post(&[], b"count=0&ofs=0"))
            .head
            .status,
        401
    );
    // And the right ones work, with any time in the hash.
    assert_eq!(
        me.send(&me.bind_post(&[], b"count=0&ofs=0")).head.status,
        200
    );
}

#[test]
fn keep_alive_serves_several_requests_on_one_connection() {
    let emu = start();
    let me = Raw::me(&emu);
    let (mut io, _ctl) = me.connect();
    for _ in 0..3 {
        io.write_all(&me.bind_post(&[], b"count=0&ofs=0").encode())
            .unwrap();
        let resp = read_response(&mut *io);
        assert_eq!(resp.head.status, 200);
    }
    let state = me
        .control(Method::Get, "state", serde_json::Value::Null)
        .json();
    assert_eq!(state["sessions"].as_array().unwrap().len(), 3);
}

#[test]
fn a_client_that_leaves_mid_long_poll_loses_no_update() {
    let emu = start();
    let me = Raw::me(&emu);
    let c = me.connected();
    let (sid, gsid) = (c.sid.clone(), c.gsid.clone());
    drop(c);
    // The emulator notices the closed connection, not only on a write.
    let deadline = std::time::Instant::now() + WAIT;
    while emu.state()["sessions"][0]["long_polls_open"] != 0 {
        assert!(std::time::Instant::now() < deadline, "{}", emu.state());
        std::thread::yield_now();
    }
    emu.inject_message(GROUP, GRACE, "kept for later").unwrap();
    let mut poll = me.long_poll(&sid, &gsid);
    assert_eq!(event_text(&poll.next_update()), "kept for later");
}

#[test]
fn expect_100_continue_is_answered() {
    let emu = start();
    let me = Raw::me(&emu);
    let req = me
        .bind_post(&[], b"count=0&ofs=0")
        .with_header("Expect", "100-continue");
    let bytes = req.encode();
    let split = bytes.len() - req.body.len();
    let (mut io, _ctl) = me.connect();
    io.write_all(&bytes[..split]).unwrap();
    let mut interim = [0u8; 25];
    io.read_exact(&mut interim).unwrap();
    assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
    io.write_all(&bytes[split..]).unwrap();
    assert_eq!(read_response(&mut *io).head.status, 200);
}

use std::io::{Read, Write};
