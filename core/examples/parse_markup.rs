//! Reads one JSON string per line on stdin and prints, per line, the JSON
//! array of segments `ChatMessageSegment::from_str` makes of it:
//!
//! ```text
//! $ echo '"Hi **you**"' | cargo run -q -p hangups-core --example parse_markup
//! [{"text":"Hi ","type":"TEXT","bold":false,...,"link_target":null},{"text":"you",...}]
//! ```
//!
//! A line that is not a JSON string prints `null` (and a note on stderr);
//! the exit status is then 1. Empty lines are skipped.

use hangups_core::message::ChatMessageSegment;
use hangups_core::proto::hangouts::SegmentType;
use serde::Serialize;
use std::io::{BufRead, Write};

#[derive(Serialize)]
struct Out<'a> {
    text: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
    bold: bool,
    italic: bool,
    strikethrough: bool,
    underline: bool,
    link_target: Option<&'a str>,
}

fn type_name(t: SegmentType) -> &'static str {
    match t {
        SegmentType::SEGMENT_TYPE_LINE_BREAK => "LINE_BREAK",
        SegmentType::SEGMENT_TYPE_LINK => "LINK",
        _ => "TEXT",
    }
}

fn main() -> std::io::Result<()> {
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut failed = false;
    for (n, line) in stdin.lock().lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let text: String = match serde_json::from_str(&line) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("line {}: not a JSON string: {e}", n + 1);
                writeln!(out, "null")?;
                failed = true;
                continue;
            }
        };
        let segments = ChatMessageSegment::from_str(&text);
        let json: Vec<Out> = segments
            .iter()
            .map(|s| Out {
                text: &s.text,
                kind: type_name(s.segment_type),
                bold: s.is_bold,
                italic: s.is_italic,
                strikethrough: s.is_strikethrough,
                underline: s.is_underline,
                link_target: s.link_target.as_deref(),
            })
            .collect();
        serde_json::to_writer(&mut out, &json)?;
        writeln!(out)?;
    }
    out.flush()?;
    if failed {
        std::process::exit(1);
    }
    Ok(())
}
