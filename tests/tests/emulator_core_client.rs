//! The real sans-IO `hangups_core::client::Client`, driven over std
//! sockets by a minimal blocking loop, against the emulator: it connects,
//! subscribes, receives pushes, sends, and survives a cut long-poll.
//! (The adapters' own suite comes later; this only shows the emulator
//! speaks what the core expects.)

mod support;

use hangups_core::api::{ApiRequest, ApiResponse, Cookies};
use hangups_core::client::{ChannelError, Client, Config, ConnId, Event, Input, Output};
use hangups_proto::hangouts::{
    ConversationId, EventRequestHeader, MessageContent, Segment, SegmentType,
    SendChatMessageRequest, StateUpdate, StateUpdateKind as Su,
};
use hangups_tests::emulator::{EmulatorHandle, Faults};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use support::*;

/// One thread per connection reads into this channel (`None`: closed).
type Incoming = (ConnId, Option<Vec<u8>>);

struct Driver {
    client: Client,
    conns: HashMap<ConnId, TcpStream>,
    tx: Sender<Incoming>,
    rx: Receiver<Incoming>,
    events: Vec<Event>,
}

impl Driver {
    fn new(emu: &EmulatorHandle) -> Driver {
        let cookies: Cookies = emu.self_cookies().into_iter().collect();
        let mut config = Config::new(cookies)
            .with_server("127.0.0.1", emu.addr().port(), false)
            .with_rng_seed(1);
        config.backoff.initial = Duration::from_millis(50);
        config.backoff.max = Duration::from_millis(200);
        let unix = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let client = Client::new(config, Instant::now(), unix).unwrap();
        let (tx, rx) = channel();
        Driver {
            client,
            conns: HashMap::new(),
            tx,
            rx,
            events: Vec::new(),
        }
    }

    fn drain(&mut self) {
        while let Some(out) = self.client.poll_output() {
            match out {
                Output::Connect {
                    conn, host, port, ..
                } => match TcpStream::connect((host.as_str(), port)) {
                    Ok(tcp) => {
                        tcp.set_nodelay(true).unwrap();
                        let mut reader = tcp.try_clone().unwrap();
                        let tx = self.tx.clone();
                        std::thread::spawn(move || {
                            let mut buf = [0u8; 16384];
                            loop {
                                match reader.read(&mut buf) {
                                    Ok(0) | Err(_) => {
                                        let _ = tx.send((conn, None));
                                        return;
                                    }
                                    Ok(n) => {
                                        if tx.send((conn, Some(buf[..n].to_vec()))).is_err() {
                                            return;
                                        }
                                    }
                                }
                            }
                        });
                        self.conns.insert(conn, tcp);
                        self.client
                            .handle_input(Instant::now(), Input::Connected(conn));
                    }
                    Err(_) => self
                        .client
                        .handle_input(Instant::now(), Input::Closed(conn)),
                },
                Output::Transmit { conn, bytes } => {
                    if let Some(tcp) = self.conns.get_mut(&conn) {
                        let _ = tcp.write_all(&bytes);
                    }
                }
                Output::Close { conn } => {
                    if let Some(tcp) = self.conns.remove(&conn) {
                        let _ = tcp.shutdown(Shutdown::Both);
                    }
                }
                // Plain, without a proxy: never asked for.
                Output::StartTls { .. } => panic!("StartTls without a proxy"),
            }
        }
        while let Some(ev) = self.client.poll_event() {
            self.events.push(ev);
        }
    }

    /// Drives the client until `done` holds for an event (which is
    /// returned and removed), failing after [`WAIT`].
    fn until(&mut self, mut done: impl FnMut(&Event) -> bool) -> Event {
        let deadline = Instant::now() + WAIT;
        loop {
            self.drain();
            if let Some(i) = self.events.iter().position(&mut done) {
                return self.events.remove(i);
            }
            let now = Instant::now();
            assert!(now < deadline, "timed out; events: {:?}", self.events);
            let wake = self.client.poll_timeout().unwrap_or(deadline).min(deadline);
            let wait = wake
                .saturating_duration_since(now)
                .min(Duration::from_millis(100));
            match self.rx.recv_timeout(wait) {
                Ok((conn, Some(data))) => self
                    .client
                    .handle_input(Instant::now(), Input::Data(conn, &data)),
                Ok((conn, None)) => self
                    .client
                    .handle_input(Instant::now(), Input::Closed(conn)),
                Err(RecvTimeoutError::Timeout) => self.client.handle_timeout(Instant::now()),
                Err(RecvTimeoutError::Disconnected) => unreachable!("we hold a sender"),
            }
        }
    }

    fn until_update(&mut self, mut pred: impl FnMut(&StateUpdate) -> bool) -> StateUpdate {
        match self.until(|e| matches!(e, Event::StateUpdate(u) if pred(u))) {
            Event::StateUpdate(u) => *u,
            _ => unreachable!(),
        }
    }

    /// Drives the client until the emulator shows every session subscribed.
    fn until_subscribed(&mut self, emu: &EmulatorHandle) {
        let deadline = Instant::now() + WAIT;
        loop {
            let state = emu.state();
            let sessions = state["sessions"].as_array().unwrap();
            let live: Vec<_> = sessions.iter().filter(|s| s["expired"] == false).collect();
            if !live.is_empty() && live.iter().all(|s| s["subscribed"] == true) {
                return;
            }
            assert!(Instant::now() < deadline, "never subscribed: {state}");
            self.drain();
            if let Ok((conn, data)) = self.rx.recv_timeout(Duration::from_millis(20)) {
                let input = match &data {
                    Some(d) => Input::Data(conn, d),
                    None => Input::Closed(conn),
                };
                self.client.handle_input(Instant::now(), input);
            }
        }
    }
}

fn text_is(u: &StateUpdate, text: &str) -> bool {
    matches!(&u.state_update, Su::EventNotification(_)) && event_text(u) == text
}

#[test]
fn the_core_client_connects_receives_and_sends() {
    let emu = start();
    let mut d = Driver::new(&emu);
    d.client.connect(Instant::now());
    d.until(|e| matches!(e, Event::Connected));
    let client_id = match d.until(|e| matches!(e, Event::ClientId(_))) {
        Event::ClientId(id) => id,
        _ => unreachable!(),
    };
    d.until_subscribed(&emu);

    emu.inject_message(GROUP, GRACE, "to the core 😀").unwrap();
    d.until_update(|u| text_is(u, "to the core 😀"));

    let request = ApiRequest::from(SendChatMessageRequest {
        message_content: Some(Box::new(MessageContent {
            segment: vec![Segment {
                r#type: SegmentType::SEGMENT_TYPE_TEXT,
                text: Some("from the core".into()),
                formatting: None,
                link_data: None,
            }],
            attachment: vec![],
        })),
        event_request_header: Some(Box::new(EventRequestHeader {
            conversation_id: Some(ConversationId {
                id: Some(ONE_TO_ONE.into()),
            }),
            ..Default::default()
        })),
        ..Default::default()
    });
    let id = d.client.request(Instant::now(), request).unwrap();
    let created = match d.until(|e| matches!(e, Event::Response { id: i, .. } if *i == id)) {
        Event::Response { result, .. } => match *result.expect("the call succeeds") {
            ApiResponse::SendChatMessage(r) => r.created_event.unwrap(),
            other => panic!("{other:?}"),
        },
        _ => unreachable!(),
    };
    let echo = d.until_update(|u| text_is(u, "from the core"));
    let Su::EventNotification(n) = &echo.state_update else {
        unreachable!()
    };
    let pushed = n.event.as_ref().unwrap();
    assert_eq!(pushed.event_id, created.event_id);
    assert!(pushed
        .self_event_state
        .as_ref()
        .unwrap()
        .client_generated_id
        .is_some());
    // The emulator saw the client id in the request header.
    assert_eq!(emu.state()["sessions"][0]["client_id"], client_id.as_str());
}

#[test]
fn the_core_client_recovers_from_a_cut_long_poll() {
    let emu = start();
    let mut d = Driver::new(&emu);
    d.client.connect(Instant::now());
    d.until(|e| matches!(e, Event::Connected));
    d.until_subscribed(&emu);
    emu.set_faults(Faults {
        drop_long_poll_after: Some(5),
        ..Default::default()
    });
    emu.inject_message(GROUP, GRACE, "lost with the old SID")
        .unwrap();
    match d.until(|e| matches!(e, Event::Disconnected { .. })) {
        Event::Disconnected { error, .. } => assert_eq!(error, ChannelError::BodyCut),
        _ => unreachable!(),
    }
    d.until(|e| matches!(e, Event::Reconnected { .. }));
    d.until_subscribed(&emu);
    emu.inject_message(GROUP, GRACE, "after the reconnect")
        .unwrap();
    d.until_update(|u| text_is(u, "after the reconnect"));
}
