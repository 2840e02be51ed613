//! hangouts.proto holds every message and enum that the seed documentation
//! and PROTOCOL.md Appendix A name (the list in data/schema_names.txt was
//! compiled from those sources independently of the .proto).

use std::collections::BTreeSet;

#[test]
fn proto_defines_every_message_and_enum_of_the_sources() {
    let expected: BTreeSet<&str> = include_str!("data/schema_names.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    let actual: BTreeSet<&str> = hangups_proto::schema_names().collect();
    let missing: Vec<_> = expected.difference(&actual).collect();
    let extra: Vec<_> = actual.difference(&expected).collect();
    assert!(
        missing.is_empty(),
        "missing from hangouts.proto: {missing:?}"
    );
    assert!(extra.is_empty(), "not in the sources' list: {extra:?}");
    assert!(expected.len() >= 190);
}
