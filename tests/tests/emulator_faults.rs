//! Each fault knob of the emulator, with a raw client.

mod support;

use hangups_core::api::ApiError;
use hangups_core::channel::PushData;
use hangups_core::http::Method;
use hangups_proto::hangouts::GetSelfInfoRequest;
use hangups_tests::emulator::{EmulatorConfig, Faults};
use std::time::{Duration, Instant};
use support::*;

#[test]
fn drop_long_poll_after_cuts_the_body_and_loses_nothing() {
    let emu = start();
    let me = Raw::me(&emu);
    let mut c = me.connected();
    emu.set_faults(Faults {
        drop_long_poll_after: Some(10),
        ..Default::default()
    });
    let before = c.poll.body.len();
    let id = emu.inject_message(GROUP, GRACE, "cut short").unwrap();
    assert_eq!(c.poll.read(WAIT), PollRead::Cut);
    // 10 raw bytes of the HTTP chunk went out: its size line and 5 bytes.
    let got = &c.poll.body[before..];
    assert!(got.len() < 10, "{got:?}");
    let state = emu.state();
    assert_eq!(state["faults_fired"]["drop_long_poll_after"], 1);
    assert_eq!(
        state["faults"]["drop_long_poll_after"],
        serde_json::Value::Null,
        "one-shot"
    );
    // The update was not taken off the queue: the next long-poll has it.
    let mut poll = me.long_poll(&c.sid, &c.gsid);
    let u = poll.next_update();
    assert_eq!(event_text(&u), "cut short");
    let hangups_proto::hangouts::StateUpdateKind::EventNotification(n) = &u.state_update else {
        panic!()
    };
    assert_eq!(
        n.event.as_ref().unwrap().event_id.as_deref(),
        Some(id.as_str())
    );
}

#[test]
fn split_writes_deliver_the_same_bytes_in_pieces() {
    let emu = start();
    let me = Raw::me(&emu);
    for k in [1, 3, 7] {
        emu.set_faults(Faults {
            split_writes: Some(k),
            ..Default::default()
        });
        let mut c = me.connected();
        let text = format!("split {k}: é 日本語 😀");
        emu.inject_message(GROUP, GRACE, &text).unwrap();
        assert_eq!(event_text(&c.next_update()), text);
        assert!(c.poll.reads > 1, "pieces arrive separately");
        let r = me.ok(GetSelfInfoRequest::default());
        assert!(r.self_entity.is_some());
    }
    emu.set_faults(Faults::default());
    let mut c = me.connected();
    emu.inject_message(GROUP, GRACE, "whole again").unwrap();
    assert_eq!(event_text(&c.next_update()), "whole again");
}

#[test]
fn expire_sessions_ends_the_long_poll_and_the_sid() {
    let emu = start();
    let me = Raw::me(&emu);
    let mut c = me.connected();
    emu.set_faults(Faults {
        expire_sessions: true,
        ..Default::default()
    });
    c.poll.finish();
    let resp = me.send(&me.long_poll_request(&c.sid, &c.gsid));
    assert_eq!(
        (resp.head.status, resp.head.reason.as_str()),
        (400, "Unknown SID")
    );
    assert_eq!(resp.text(), "Unknown SID");
    assert_eq!(me.subscribe(&c.sid, &c.gsid).head.status, 400);
    let state = emu.state();
    assert_eq!(state["sessions"][0]["expired"], true);
    assert_eq!(state["faults"]["expire_sessions"], false);
    // A new session works, and gets what is pushed from now on.
    let mut again = me.connected();
    emu.inject_message(GROUP, GRACE, "after expiry").unwrap();
    assert_eq!(event_text(&again.next_update()), "after expiry");
}

#[test]
fn stall_holds_back_the_next_write_then_carries_on() {
    let emu = start();
    let me = Raw::me(&emu);
    let mut c = me.connected();
    emu.set_faults(Faults {
        stall: Some(Duration::from_millis(1500)),
        ..Default::default()
    });
    let started = Instant::now();
    emu.inject_message(GROUP, GRACE, "late").unwrap();
    assert_eq!(c.poll.read(Duration::from_millis(700)), PollRead::Silent);
    assert_eq!(event_text(&c.next_update()), "late");
    assert!(started.elapsed() >= Duration::from_millis(1400));
    assert_eq!(emu.state()["faults_fired"]["stall"], 1);
}

#[test]
fn a_stalled_long_poll_replaced_by_a_new_one_is_dropped() {
    let emu = start();
    let me = Raw::me(&emu);
    let mut c = me.connected();
    emu.set_faults(Faults {
        stall: Some(Duration::from_millis(1500)),
        ..Default::default()
    });
    emu.inject_message(GROUP, GRACE, "via the new long-poll")
        .unwrap();
    // The client gives up on the silent long-poll and polls again.
    assert_eq!(c.poll.read(Duration::from_millis(300)), PollRead::Silent);
    let mut poll = me.long_poll(&c.sid, &c.gsid);
    assert_eq!(event_text(&poll.next_update()), "via the new long-poll");
    assert_eq!(c.poll.read(WAIT), PollRead::Cut);
}

#[test]
fn close_after_each_chunk_gives_one_chunk_per_long_poll() {
    let emu = start();
    let me = Raw::me(&emu);
    emu.set_faults(Faults {
        close_after_each_chunk: true,
        ..Default::default()
    });
    let (sid, gsid) = me.sid();
    let mut poll = me.long_poll(&sid, &gsid);
    assert_eq!(poll.next_push().data, PushData::Noop);
    assert_eq!(
        poll.head.as_ref().unwrap().header("connection"),
        Some("close")
    );
    assert!(matches!(poll.next_push().data, PushData::ClientId(_)));
    assert!(poll.finish().is_empty());
    me.subscribe(&sid, &gsid);
    for text in ["one", "two"] {
        let mut poll = me.long_poll(&sid, &gsid);
        assert_eq!(poll.next_push().data, PushData::Noop);
        emu.inject_message(GROUP, GRACE, text).unwrap();
        assert_eq!(event_text(&poll.next_update()), text);
        assert!(poll.finish().is_empty(), "the body ends after the chunk");
    }
}

#[test]
fn api_http_status_fails_the_next_call_only() {
    let emu = start();
    let me = Raw::me(&emu);
    emu.set_faults(Faults {
        api_http_status: Some(500),
        ..Default::default()
    });
    let mut call = hangups_core::api::ApiRequest::from(GetSelfInfoRequest::default());
    call.set_request_header(hangups_core::api::request_header("t", None));
    let resp = me.send(&me.api_request(&call));
    assert_eq!(
        (resp.head.status, resp.head.reason.as_str()),
        (500, "Internal Server Error")
    );
    assert!(me.call(GetSelfInfoRequest::default()).is_ok(), "one-shot");
}

#[test]
fn api_response_status_and_the_endpoint_filter() {
    let emu = start();
    let me = Raw::me(&emu);
    emu.set_faults(Faults {
        api_response_status: Some(3),
        api_error_description: Some("injected".into()),
        api_fault_endpoint: Some("contacts/getselfinfo".into()),
        ..Default::default()
    });
    let other = me.call(hangups_proto::hangouts::SyncAllNewEventsRequest::default());
    assert!(other.is_ok(), "another endpoint goes through");
    match me.call(GetSelfInfoRequest::default()) {
        Err(ApiError::Status {
            status,
            description,
        }) => assert_eq!((status, description.as_str()), (3, "injected")),
        other => panic!("{other:?}"),
    }
    assert!(me.call(GetSelfInfoRequest::default()).is_ok());
    assert_eq!(emu.state()["faults_fired"]["api_response_status"], 1);
}

#[test]
fn sid_http_status_refuses_the_next_session() {
    let emu = start();
    let me = Raw::me(&emu);
    let faults = serde_json::json!({"sid_http_status": 503});
    let resp = me.control(Method::Post, "faults", faults);
    assert_eq!(resp.head.status, 200, "{}", resp.text());
    assert_eq!(resp.json()["sid_http_status"], 503);
    let resp = me.send(&me.bind_post(&[], b"count=0&ofs=0"));
    assert_eq!(resp.head.status, 503);
    me.sid();
}

#[test]
fn long_poll_garbage_breaks_the_framing() {
    let emu = start();
    let me = Raw::me(&emu);
    let mut c = me.connected();
    emu.set_faults(Faults {
        long_poll_garbage: Some("junk".into()),
        ..Default::default()
    });
    emu.inject_message(GROUP, GRACE, "after junk").unwrap();
    assert_eq!(c.poll.read(WAIT), PollRead::BadFraming);
    let body = String::from_utf8_lossy(&c.poll.body).into_owned();
    assert!(
        body.contains("]\n]\n]\njunk"),
        "junk right after a chunk: {body:?}"
    );
    assert_eq!(emu.state()["faults_fired"]["long_poll_garbage"], 1);
}

#[test]
fn faults_over_the_control_api_and_bad_json() {
    let emu = start_with(EmulatorConfig::default().with_default_world(false));
    let me = Raw::me(&emu);
    let bad = me.control(
        Method::Post,
        "faults",
        serde_json::json!({"no_such_knob": 1}),
    );
    assert_eq!(bad.head.status, 400);
    let ok = me.control(
        Method::Post,
        "faults",
        serde_json::json!({"split_writes": 2, "stall_ms": 10, "close_after_each_chunk": true}),
    );
    assert_eq!(ok.head.status, 200);
    let faults = &emu.state()["faults"];
    assert_eq!(
        (faults["split_writes"].as_u64(), faults["stall_ms"].as_u64()),
        (Some(2), Some(10))
    );
    assert_eq!(faults["close_after_each_chunk"], true);
    me.control(Method::Post, "faults", serde_json::json!({}));
    assert_eq!(
        emu.state()["faults"]["split_writes"],
        serde_json::Value::Null
    );
}
