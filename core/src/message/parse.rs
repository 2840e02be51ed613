//! The parser around the scanner (PROTOCOL.md §8.1, §8.3): preprocessing,
//! the stack of open tokens, postprocessing of plain-text runs.

use super::scanner::Scanner;
use super::segment::ChatMessageSegment;
use super::tokens::{Flags, Match, Paired, PAIRED_KINDS};
use hangups_proto::hangouts::SegmentType;

/// Parses `text` into segments; also returns how many steps the scanner
/// took (for the fuzz hook's linearity check).
pub(super) fn parse(text: &str) -> (Vec<ChatMessageSegment>, u64) {
    let t = preprocess(text);
    let mut scanner = Scanner::new(&t);
    let mut stack = Stack::default();
    let mut out = Vec::new();
    let mut last = 0;
    for m in scanner.by_ref() {
        let flags = stack.flags();
        let mut skip = stack.top().is_some_and(Paired::is_code);
        if let Match::End(tok, _) = m {
            if !skip || stack.top() == Some(tok) {
                // A close that was never opened is plain text.
                skip = !stack.remove_last(tok);
            }
        }
        if skip {
            continue;
        }
        let span = m.span();
        if span.start > last {
            out.push(text_segment(&t[last..span.start], flags));
        }
        match m {
            Match::Start(tok, _) => stack.push(tok),
            Match::End(..) => {}
            Match::Link { text, url, .. } => out.push(ChatMessageSegment {
                text: t[text].iter().collect(),
                segment_type: SegmentType::SEGMENT_TYPE_LINK,
                link_target: Some(complete_url(&t[url])),
                ..styled(flags)
            }),
            Match::LineBreak(_) => out.push(ChatMessageSegment {
                text: "\n".into(),
                segment_type: SegmentType::SEGMENT_TYPE_LINE_BREAK,
                ..styled(flags)
            }),
        }
        last = span.end;
    }
    if last < t.len() {
        out.push(text_segment(&t[last..], stack.flags()));
    }
    (out, scanner.work)
}

/// Each `"  "` (left to right, not overlapping) becomes `" \u{a0}"`, as the
/// Hangouts web client keeps runs of spaces.
pub(super) fn preprocess(text: &str) -> Vec<char> {
    let mut out: Vec<char> = Vec::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if pending_space && c == ' ' {
            out.push('\u{a0}');
            pending_space = false;
        } else {
            out.push(c);
            pending_space = c == ' ';
        }
    }
    out
}

/// Drops a backslash before `* _ ~ = ` [` (left to right, not overlapping).
fn postprocess(t: &[char]) -> String {
    let mut out = String::with_capacity(t.len());
    let mut i = 0;
    while i < t.len() {
        if t[i] == '\\' && matches!(t.get(i + 1), Some('*' | '_' | '~' | '=' | '`' | '[')) {
            out.push(t[i + 1]);
            i += 2;
        } else {
            out.push(t[i]);
            i += 1;
        }
    }
    out
}

fn styled(flags: Flags) -> ChatMessageSegment {
    ChatMessageSegment {
        is_bold: flags.bold,
        is_italic: flags.italic,
        is_strikethrough: flags.strikethrough,
        is_underline: flags.underline,
        ..ChatMessageSegment::default()
    }
}

fn text_segment(t: &[char], flags: Flags) -> ChatMessageSegment {
    ChatMessageSegment {
        text: postprocess(t),
        ..styled(flags)
    }
}

/// A URL as the link target: kept if it starts with a scheme
/// (`(?i)^[a-z][\w-]+:/{1,3}`), else `http://` is put before it.
pub(super) fn complete_url(url: &[char]) -> String {
    let s: String = url.iter().collect();
    if has_scheme(url) {
        s
    } else {
        format!("http://{s}")
    }
}

fn has_scheme(url: &[char]) -> bool {
    use super::pyclass::{is_letter_ignore_case, is_word};
    if !url.first().is_some_and(|&c| is_letter_ignore_case(c)) {
        return false;
    }
    let mut j = 1;
    while url.get(j).is_some_and(|&c| is_word(c) || c == '-') {
        j += 1;
    }
    j >= 2 && url.get(j) == Some(&':') && url.get(j + 1) == Some(&'/')
}

/// The stack of open paired tokens. Removing "the most recent occurrence"
/// of a token leaves a hole (so the order of the rest stays), and per-kind
/// index lists and flag counters keep every operation O(1) amortised even
/// with thousands of open tokens.
#[derive(Default)]
struct Stack {
    entries: Vec<Option<Paired>>,
    by_kind: [Vec<usize>; PAIRED_KINDS],
    /// Open tokens setting bold, italic, strikethrough, underline.
    counts: [usize; 4],
}

impl Stack {
    fn top(&self) -> Option<Paired> {
        self.entries.last().copied().flatten()
    }

    fn flags(&self) -> Flags {
        Flags {
            bold: self.counts[0] > 0,
            italic: self.counts[1] > 0,
            strikethrough: self.counts[2] > 0,
            underline: self.counts[3] > 0,
        }
    }

    fn count(&mut self, tok: Paired, up: bool) {
        let f = tok.flags();
        for (n, on) in self
            .counts
            .iter_mut()
            .zip([f.bold, f.italic, f.strikethrough, f.underline])
        {
            if on {
                *n = if up { *n + 1 } else { n.saturating_sub(1) };
            }
        }
    }

    fn push(&mut self, tok: Paired) {
        self.by_kind[tok.index()].push(self.entries.len());
        self.entries.push(Some(tok));
        self.count(tok, true);
    }

    /// Removes the most recent `tok`; false if none is open.
    fn remove_last(&mut self, tok: Paired) -> bool {
        let Some(i) = self.by_kind[tok.index()].pop() else {
            return false;
        };
        self.entries[i] = None;
        while self.entries.last() == Some(&None) {
            self.entries.pop();
        }
        self.count(tok, false);
        true
    }
}
