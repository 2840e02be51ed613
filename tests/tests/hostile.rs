//! Every adapter against a scripted hostile server on loopback
//! (`hostile/server.rs`): a server that closes kept connections, ends a
//! body in the same write as a chunk, forgets the session and then closes,
//! or dribbles one byte a second. In each, the client must never go deaf:
//! it reports the failure where there is one (`Disconnected`, then
//! `Reconnected`), recovers within its configured timeouts, and every
//! pushed message arrives exactly once. Each wait is bounded, so a deaf
//! client fails the test instead of hanging it.

#[path = "hostile/server.rs"]
mod server;
#[path = "hostile/wire.rs"]
mod wire;

#[path = "suite/harness.rs"]
mod harness;

use hangups_core::api::Cookies;
use hangups_core::client::Event;
use hangups_proto::hangouts::StateUpdateKind;
use harness::*;
use server::{Script, Server};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// The longest any one phase of a scenario may take.
const PHASE: Duration = Duration::from_secs(30);

/// What a scenario expects of the client.
struct Expect {
    /// The server's acts that must have happened (see [`Script`]).
    acts: &'static [&'static str],
    /// Whether the push channel must report the failure
    /// (`Disconnected`, then `Reconnected`). Where it need not, a kept
    /// connection the server closed may be replaced transparently; if the
    /// client reports `Disconnected` anyway, it must come back.
    reports: bool,
    /// Timeouts of the client.
    tune: Tune,
}

fn expect(script: Script) -> Expect {
    match script {
        Script::CloseKeptGet => Expect {
            acts: &["closed_kept_get"],
            reports: false,
            tune: Tune::Faults,
        },
        Script::CloseAfterKeepAlive => Expect {
            acts: &["closed_kept"],
            reports: false,
            tune: Tune::Faults,
        },
        Script::EndWithChunk => Expect {
            acts: &["end_with_chunk"],
            reports: false,
            tune: Tune::Faults,
        },
        Script::UnknownSidThenClose => Expect {
            acts: &["unknown_sid", "closed_sid_post"],
            reports: true,
            tune: Tune::Faults,
        },
        // One byte a second never lets an idle timeout of 2 s pass: only a
        // deadline on the head (`request_timeout`) or on complete chunks
        // (`push_timeout`) ends it.
        Script::Dribble => Expect {
            acts: &["dribble"],
            reports: true,
            tune: Tune::With(short_deadlines),
        },
        Script::DribbleBody => Expect {
            acts: &["dribble_body"],
            reports: true,
            tune: Tune::With(short_deadlines),
        },
    }
}

/// Every timeout of the client at a few seconds (Config's documented
/// knobs), so a dribbling server is given up on within seconds.
fn short_deadlines(c: &mut hangups_core::client::Config) {
    c.push_timeout = Duration::from_secs(2);
    c.request_timeout = Duration::from_secs(2);
    c.response_timeout = Duration::from_secs(3);
}

/// What the client reported so far.
#[derive(Debug, Default)]
struct Seen {
    connected: bool,
    /// Every pushed chat event id, as it arrived.
    pushed: Vec<String>,
    disconnected: usize,
    reconnected: usize,
    /// When the first `Disconnected` came.
    first_disconnect: Option<Instant>,
}

impl Seen {
    fn note(&mut self, event: Event) {
        match event {
            Event::Connected => self.connected = true,
            Event::Disconnected { .. } => {
                self.disconnected += 1;
                self.first_disconnect.get_or_insert_with(Instant::now);
            }
            Event::Reconnected { .. } => self.reconnected += 1,
            Event::StateUpdate(su) => {
                if let StateUpdateKind::EventNotification(n) = &su.state_update {
                    if let Some(id) = n.event.as_ref().and_then(|e| e.event_id.clone()) {
                        self.pushed.push(id);
                    }
                }
            }
            Event::Closed { error } => panic!("the client closed: {error:?}"),
            _ => {}
        }
    }

    fn got(&self, id: &str) -> bool {
        self.pushed.iter().any(|p| p == id)
    }

    fn recovered(&self) -> bool {
        self.disconnected > 0 && self.reconnected > 0
    }
}

/// Takes events until `done`, for at most [`PHASE`].
async fn until<H: Harness>(
    events: &mut H::Events,
    seen: &mut Seen,
    server: &Server,
    what: &str,
    done: impl Fn(&Seen) -> bool,
) {
    let deadline = Instant::now() + PHASE;
    while !done(seen) {
        assert!(
            Instant::now() < deadline,
            "{}: no {what} within {PHASE:?}; seen {seen:?}; the server: {:?}",
            H::NAME,
            server.log()
        );
        match H::next_or_end(events, Duration::from_millis(100)).await {
            Ok(Some(event)) => seen.note(event),
            Ok(None) => panic!("{}: the events ended waiting for {what}", H::NAME),
            Err(TimedOut) => {}
        }
    }
}

/// The scenario for `script`: a message before the hostile act, one
/// after it, and a marker last (a late duplicate shows before it).
async fn never_deaf<H: Harness>(script: Script) {
    let expect = expect(script);
    let server = Server::start(script);
    let (client, mut events) = H::connect_to(Spec {
        url: server.url(),
        cookies: Cookies::from_iter([("SAPISID", "hostile")]),
        cert_pem: None,
        proxy: None,
        tune: expect.tune,
    })
    .await;
    let mut seen = Seen::default();
    let ev = &mut events;
    until::<H>(ev, &mut seen, &server, "Connected", |s| s.connected).await;
    let before = server.push("before");
    until::<H>(ev, &mut seen, &server, "first message", |s| s.got(&before)).await;
    until::<H>(ev, &mut seen, &server, "hostile act", |_| {
        expect.acts.iter().all(|a| server.acts(a) > 0)
    })
    .await;
    let acted = Instant::now();
    let after = server.push("after");
    until::<H>(ev, &mut seen, &server, "message after the act", |s| {
        s.got(&after) && (!expect.reports || s.recovered())
    })
    .await;
    let marker = server.push("marker");
    until::<H>(ev, &mut seen, &server, "marker", |s| s.got(&marker)).await;

    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for id in &seen.pushed {
        *counts.entry(id.as_str()).or_default() += 1;
    }
    for id in [&before, &after, &marker] {
        assert_eq!(
            counts.get(id.as_str()),
            Some(&1),
            "{}: {id} not delivered exactly once: {seen:?}",
            H::NAME
        );
    }
    assert_eq!(counts.len(), 3, "{}: {seen:?}", H::NAME);
    if expect.reports || seen.disconnected > 0 {
        assert!(seen.recovered(), "{}: {seen:?}", H::NAME);
    }
    if matches!(script, Script::Dribble | Script::DribbleBody) {
        // Within the configured timeouts (2 s), with room for a slow machine.
        let gave_up = seen.first_disconnect.expect("reported") - acted;
        assert!(
            gave_up < Duration::from_secs(10),
            "{}: gave up after {gave_up:?}",
            H::NAME
        );
    }
    H::disconnect(&client).await;
}

macro_rules! hostile {
    ($module:ident, $harness:ty) => {
        mod $module {
            use super::*;
            type H = $harness;
            #[test]
            fn close_kept_connection_on_the_next_get() {
                H::run(never_deaf::<H>(Script::CloseKeptGet));
            }
            #[test]
            fn close_on_any_request_after_keep_alive() {
                H::run(never_deaf::<H>(Script::CloseAfterKeepAlive));
            }
            #[test]
            fn end_of_body_in_the_same_write_as_a_chunk() {
                H::run(never_deaf::<H>(Script::EndWithChunk));
            }
            #[test]
            fn unknown_sid_with_keep_alive_then_close_on_the_sid_post() {
                H::run(never_deaf::<H>(Script::UnknownSidThenClose));
            }
            #[test]
            fn a_long_poll_head_one_byte_a_second() {
                H::run(never_deaf::<H>(Script::Dribble));
            }
            #[test]
            fn a_long_poll_chunk_one_byte_a_second() {
                H::run(never_deaf::<H>(Script::DribbleBody));
            }
        }
    };
}

hostile!(tokio_adapter, harness::TokioHarness);
hostile!(smol_adapter, harness::SmolHarness);
hostile!(blocking_adapter, harness::BlockingHarness);
