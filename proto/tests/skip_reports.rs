//! Every field the permissive decoder skips is reported through `tracing`
//! (a warning naming the message and field), and counted.

use hangups_proto::hangouts::{EntityProperties, Segment};
use hangups_proto::pblite::{self, DecodeOptions};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

#[derive(Default)]
struct Capture {
    warnings: AtomicUsize,
    lines: Mutex<Vec<String>>,
}

struct Fields(String);
impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!(" {}={:?}", field.name(), value));
    }
}

struct Sub(Arc<Capture>);
impl Subscriber for Sub {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        if *event.metadata().level() == Level::WARN {
            self.0.warnings.fetch_add(1, Ordering::SeqCst);
            let mut f = Fields(String::new());
            event.record(&mut f);
            self.0.lines.lock().unwrap().push(f.0);
        }
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

fn capture<T>(f: impl FnOnce() -> T) -> (T, Arc<Capture>) {
    let cap = Arc::new(Capture::default());
    let out = tracing::subscriber::with_default(Sub(cap.clone()), f);
    (out, cap)
}

#[test]
fn each_skip_is_one_warning_naming_message_and_field() {
    let (d, cap) = capture(|| {
        pblite::decode_with::<Segment>(r#"["0",17,5,["http://x"]]"#, DecodeOptions::default())
            .unwrap()
    });
    assert_eq!(d.skipped, 3);
    assert_eq!(cap.warnings.load(Ordering::SeqCst), 3);
    let lines = cap.lines.lock().unwrap();
    assert!(
        lines.iter().all(|l| l.contains("message=\"Segment\"")),
        "{lines:?}"
    );
    for field in ["field=1", "field=2", "field=3"] {
        assert!(
            lines.iter().any(|l| l.contains(field)),
            "{field} not in {lines:?}"
        );
    }
}

#[test]
fn cleared_repeated_field_is_reported() {
    let (d, cap) = capture(|| {
        pblite::decode_with::<EntityProperties>(
            r#"[null,null,null,null,["a",null]]"#,
            DecodeOptions::default(),
        )
        .unwrap()
    });
    assert!(d.message.email.is_empty());
    assert_eq!(cap.warnings.load(Ordering::SeqCst), 1);
    assert!(cap.lines.lock().unwrap()[0].contains("cleared"));
}

#[test]
fn well_formed_input_reports_nothing() {
    let (d, cap) = capture(|| {
        pblite::decode_with::<Segment>(
            r#"[0,"a",[1],["http://x"],{"99":1}]"#,
            DecodeOptions::default(),
        )
        .unwrap()
    });
    assert_eq!(d.skipped, 0);
    assert_eq!(cap.warnings.load(Ordering::SeqCst), 0);
}
