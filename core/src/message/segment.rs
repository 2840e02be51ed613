//! [`ChatMessageSegment`] and its `Segment` protobuf form (PROTOCOL.md §8.5).

use hangups_proto::hangouts::{Formatting, LinkData, Segment, SegmentType};

/// One run of a chat message's text with a single formatting, as hangups'
/// `ChatMessageSegment`: plain text, a line break or a link.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChatMessageSegment {
    /// The text shown (`"\n"` for a line break).
    pub text: String,
    /// `SEGMENT_TYPE_TEXT`, `SEGMENT_TYPE_LINE_BREAK` or `SEGMENT_TYPE_LINK`
    /// (other numbers are kept as they come).
    pub segment_type: SegmentType,
    /// Bold.
    pub is_bold: bool,
    /// Italic.
    pub is_italic: bool,
    /// Struck through.
    pub is_strikethrough: bool,
    /// Underlined.
    pub is_underline: bool,
    /// Where a link points (`None` for text and line breaks).
    pub link_target: Option<String>,
}

impl Default for ChatMessageSegment {
    /// An empty, unformatted text segment.
    fn default() -> Self {
        ChatMessageSegment {
            text: String::new(),
            segment_type: SegmentType::SEGMENT_TYPE_TEXT,
            is_bold: false,
            is_italic: false,
            is_strikethrough: false,
            is_underline: false,
            link_target: None,
        }
    }
}

impl ChatMessageSegment {
    /// An unformatted text segment.
    pub fn text(text: impl Into<String>) -> Self {
        ChatMessageSegment {
            text: text.into(),
            ..Self::default()
        }
    }

    /// A line break (text `"\n"`).
    pub fn line_break() -> Self {
        ChatMessageSegment {
            text: "\n".into(),
            segment_type: SegmentType::SEGMENT_TYPE_LINE_BREAK,
            ..Self::default()
        }
    }

    /// A link showing `text` and pointing at `target` (taken as given: no
    /// `http://` is added).
    pub fn link(text: impl Into<String>, target: impl Into<String>) -> Self {
        ChatMessageSegment {
            text: text.into(),
            segment_type: SegmentType::SEGMENT_TYPE_LINK,
            link_target: Some(target.into()),
            ..Self::default()
        }
    }

    /// Parses message text with its markup (simplified Markdown, a few
    /// HTML tags, bare URLs, line breaks) into segments exactly as hangups'
    /// `ChatMessageSegment.from_str` does (see the [module docs](super)).
    /// Never fails: what is not markup stays text. Linear in the length of
    /// `text`.
    #[allow(clippy::should_implement_trait)] // it returns many segments
    pub fn from_str(text: &str) -> Vec<ChatMessageSegment> {
        super::parse::parse(text).0
    }

    /// The `Segment` message hangups sends: type and text always, all four
    /// formatting flags always (even when false), link data only when there
    /// is a link target.
    pub fn to_segment(&self) -> Segment {
        Segment {
            r#type: self.segment_type,
            text: Some(self.text.clone()),
            formatting: Some(Formatting {
                bold: Some(self.is_bold),
                italic: Some(self.is_italic),
                strikethrough: Some(self.is_strikethrough),
                underline: Some(self.is_underline),
            }),
            link_data: self.link_target.as_ref().map(|t| LinkData {
                link_target: Some(t.clone()),
            }),
        }
    }

    /// Reads a received `Segment`: missing fields are empty or false, and
    /// an empty link target is no link target.
    pub fn from_segment(segment: &Segment) -> Self {
        let f = segment.formatting.clone().unwrap_or_default();
        ChatMessageSegment {
            text: segment.text.clone().unwrap_or_default(),
            segment_type: segment.r#type,
            is_bold: f.bold.unwrap_or(false),
            is_italic: f.italic.unwrap_or(false),
            is_strikethrough: f.strikethrough.unwrap_or(false),
            is_underline: f.underline.unwrap_or(false),
            link_target: segment
                .link_data
                .as_ref()
                .and_then(|l| l.link_target.clone())
                .filter(|t| !t.is_empty()),
        }
    }
}

/// [`ChatMessageSegment::from_str`] then [`ChatMessageSegment::to_segment`]:
/// message text as the `Segment`s of a send request.
pub fn segments_from_str(text: &str) -> Vec<Segment> {
    ChatMessageSegment::from_str(text)
        .iter()
        .map(ChatMessageSegment::to_segment)
        .collect()
}
