//! Runs the decode_stream example on a stream generated here (the shape of
//! shared/bench/gen_stream.py) and checks each event id and first-segment
//! text against what was generated, whatever the read sizes.

#[allow(dead_code)]
#[path = "../examples/decode_stream.rs"]
mod example;
#[allow(dead_code)]
#[path = "../benches/support/gen_stream.rs"]
mod gen_stream;

use example::{run, ReadSize, Summary};
use hangups_core::proto::hangouts::{StateUpdate, StateUpdateKind};
use hangups_core::proto::pblite;

fn output(stream: &[u8], reads: ReadSize) -> (String, Summary) {
    let mut out = Vec::new();
    let summary = run(stream, reads, false, &mut out).expect("the stream decodes");
    (String::from_utf8(out).expect("UTF-8 output"), summary)
}

/// (event id, first segment text) of each state_update line.
fn events(output: &str) -> Vec<(String, String)> {
    let mut events = Vec::new();
    for line in output.lines() {
        let value: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        let Some(update) = value.get("state_update") else {
            continue;
        };
        let update: StateUpdate = pblite::decode(&update.to_string()).expect("pblite");
        let StateUpdateKind::EventNotification(n) = update.state_update else {
            panic!("not an event: {line}");
        };
        let event = n.event.expect("an event");
        let content = event.chat_message.and_then(|m| m.message_content);
        let text = content.and_then(|c| c.segment.into_iter().next()?.text);
        events.push((event.event_id.expect("event id"), text.expect("text")));
    }
    events
}

#[test]
fn example_output_matches_the_generated_events_at_any_read_size() {
    let generated = gen_stream::generate(400, 99);
    let (reference, summary) = output(&generated.stream, ReadSize::Fixed(4096));
    assert_eq!(events(&reference), generated.manifest);
    assert_eq!(summary.state_updates, 400);
    assert_eq!(summary.bad_chunks, 0);
    // The client id chunk first, then one array per other chunk.
    assert_eq!(summary.arrays, generated.chunks);
    let first = reference.lines().next().unwrap();
    assert_eq!(
        first,
        r#"{"array_id":1,"client_id":"lcsw_hangouts_TEST0001"}"#
    );
    let noops = reference.lines().filter(|l| l.ends_with(r#""noop":true}"#));
    assert_eq!(noops.count(), generated.noops);
    assert!(!reference.contains(r#""unknown":"#));

    for reads in [ReadSize::Fixed(1), ReadSize::Fixed(7), ReadSize::Random(3)] {
        assert_eq!(output(&generated.stream, reads).0, reference, "{reads:?}");
    }
}

#[test]
fn quiet_prints_the_totals() {
    let generated = gen_stream::generate(50, 5);
    let mut out = Vec::new();
    let summary = run(&generated.stream[..], ReadSize::Random(1), true, &mut out).unwrap();
    let expected = format!("{} arrays, 50 state updates\n", summary.arrays);
    assert_eq!(String::from_utf8(out).unwrap(), expected);
}
