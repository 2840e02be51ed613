//! The fuzz hook of the markup parser (target `markup` in `fuzz/`), kept
//! in the crate so `cargo test` runs it over the committed corpus.

use super::parse::{parse, preprocess};
use super::segment::ChatMessageSegment;
use hangups_proto::hangouts::{Segment, SegmentType};

/// Scanner steps allowed per input character (plus one): the parser must
/// stay linear. The real cost is well under a hundred; quadratic work on
/// a few kilobytes blows far past this.
const STEPS_PER_CHAR: u64 = 1_000;

/// Parses arbitrary bytes (as lossy UTF-8) and checks: the scan stays
/// linear; no segment is empty; line breaks are `"\n"` without a target,
/// links have a non-empty target, text has none; the text of all other
/// segments, joined, is a subsequence of the (preprocessed) input, so
/// nothing is invented or reordered; every segment survives the protobuf
/// round trip. Panics only when one of these breaks.
pub fn markup(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (segments, steps) = parse(&text);
    let chars = preprocess(&text);
    let limit = STEPS_PER_CHAR * (chars.len() as u64 + 1);
    assert!(steps <= limit, "{steps} steps for {} chars", chars.len());
    let mut input = chars.iter();
    for s in &segments {
        assert!(!s.text.is_empty(), "empty segment in {segments:?}");
        match s.segment_type {
            SegmentType::SEGMENT_TYPE_LINE_BREAK => {
                assert_eq!(s.text, "\n");
                assert_eq!(s.link_target, None);
                continue;
            }
            SegmentType::SEGMENT_TYPE_LINK => {
                assert!(s.link_target.as_ref().is_some_and(|t| !t.is_empty()));
            }
            SegmentType::SEGMENT_TYPE_TEXT => assert_eq!(s.link_target, None),
            other => panic!("segment type {other:?}"),
        }
        for c in s.text.chars() {
            assert!(
                input.any(|&x| x == c),
                "segment text {:?} is not taken from the input in order",
                s.text
            );
        }
        let wire = hangups_proto::encode_binary(&s.to_segment());
        let back: Segment = hangups_proto::decode_binary(&wire).expect("own encoding decodes");
        assert_eq!(&ChatMessageSegment::from_segment(&back), s);
    }
}
