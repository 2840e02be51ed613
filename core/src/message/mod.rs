//! Chat message text: the markup parser and segment serialisation
//! (PROTOCOL.md §8), as hangups' `ChatMessageSegment`.
//!
//! [`ChatMessageSegment::from_str`] turns what a user typed into segments:
//!
//! - Markdown: `***x***`/`___x___` bold italic, `**x**`/`__x__` bold,
//!   `*x*`/`_x_` italic, `~~x~~` strikethrough, `==x==` underline, and
//!   `` `x` ``, ``` ``x`` ```, ```` ```x``` ```` code (literal content, no
//!   formatting). A delimiter opens only after the start of the text, a
//!   space or punctuation, when no space follows it and a matching close
//!   comes later; so `snake_case_word` and `2*3=6*1` stay as they are.
//! - HTML, any case: `<b>`, `<strong>`, `<i>`, `<em>`, `<s>`, `<strike>`,
//!   `<del>`, `<u>`, `<ins>`, `<mark>`, `<pre>` (code), `<a href="…">`,
//!   `<img src="…">`, `<br>`.
//! - Links: `[text](url)`, and bare URLs (`http://x.y`, `sub.domain.tld`,
//!   `domain.tld/path`, `1.2.3.4/`); a target without a scheme gets
//!   `http://`.
//! - `\n` and `\r\n` become line breaks; two spaces become a space and a
//!   no-break space; `\*`, `\_`, `\~`, `\=`, `` \` ``, `\[` keep the
//!   character literal.
//!
//! The result is what hangups 0.4.18 gives on Python 3.10 for any input
//! (its combined regex is case-insensitive throughout there, so even
//! `HTTP://X.ORG` links). No regex engine is used: a hand-written scanner
//! finds the same matches in time linear in the input, where the regex
//! backtracks quadratically on inputs like `*a *a *a …`.
//!
//! ```
//! use hangups_core::message::{segments_from_str, ChatMessageSegment};
//! use hangups_core::proto::hangouts::SegmentType;
//!
//! let segs = ChatMessageSegment::from_str("Hi **you**, see www.example.com\nbye");
//! let texts: Vec<&str> = segs.iter().map(|s| s.text.as_str()).collect();
//! assert_eq!(texts, ["Hi ", "you", ", see ", "www.example.com", "\n", "bye"]);
//! assert!(segs[1].is_bold);
//! assert_eq!(segs[3].link_target.as_deref(), Some("http://www.example.com"));
//! assert_eq!(segs[4].segment_type, SegmentType::SEGMENT_TYPE_LINE_BREAK);
//!
//! // The protobuf form, as a send request carries it, and back.
//! let wire = segments_from_str("Hi **you**");
//! assert_eq!(wire[1].formatting.as_ref().unwrap().bold, Some(true));
//! assert_eq!(ChatMessageSegment::from_segment(&wire[1]), segs[1]);
//! ```

mod autolink;
mod fuzz_hook;
mod parse;
mod pyclass;
mod scanner;
mod segment;
#[cfg(test)]
mod tests;
mod tokens;

#[doc(hidden)]
pub use fuzz_hook::markup as fuzz_markup;
pub use segment::{segments_from_str, ChatMessageSegment};
