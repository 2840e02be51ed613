//! The tokens of hangups' combined regex (PROTOCOL.md §8.2): paired
//! markdown and HTML tokens in priority order, and what a match is.

use std::ops::Range;

/// A paired token: opens and closes formatting (or a code span).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Paired {
    MdBoldItalicStar,
    MdBoldItalicUnderscore,
    MdBoldStar,
    MdBoldUnderscore,
    MdItalicStar,
    MdItalicUnderscore,
    MdCode3,
    MdCode2,
    MdCode1,
    MdStrike,
    MdUnderline,
    HtmlB,
    HtmlStrong,
    HtmlI,
    HtmlEm,
    HtmlS,
    HtmlStrike,
    HtmlDel,
    HtmlU,
    HtmlIns,
    HtmlMark,
    HtmlPre,
}

/// How many kinds of [`Paired`] there are.
pub(super) const PAIRED_KINDS: usize = 22;

/// The formatting flags a paired token turns on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Flags {
    pub(super) bold: bool,
    pub(super) italic: bool,
    pub(super) strikethrough: bool,
    pub(super) underline: bool,
}

impl Paired {
    /// Code tokens: their content is literal.
    pub(super) fn is_code(self) -> bool {
        matches!(
            self,
            Paired::MdCode3 | Paired::MdCode2 | Paired::MdCode1 | Paired::HtmlPre
        )
    }

    /// The flags this token sets.
    pub(super) fn flags(self) -> Flags {
        use Paired::*;
        let (bold, italic, strikethrough, underline) = match self {
            MdBoldItalicStar | MdBoldItalicUnderscore => (true, true, false, false),
            MdBoldStar | MdBoldUnderscore | HtmlB | HtmlStrong => (true, false, false, false),
            MdItalicStar | MdItalicUnderscore | HtmlI | HtmlEm => (false, true, false, false),
            MdStrike | HtmlS | HtmlStrike | HtmlDel => (false, false, true, false),
            MdUnderline | HtmlU | HtmlIns | HtmlMark => (false, false, false, true),
            MdCode3 | MdCode2 | MdCode1 | HtmlPre => (false, false, false, false),
        };
        Flags {
            bold,
            italic,
            strikethrough,
            underline,
        }
    }

    /// A dense index, for per-kind tables.
    pub(super) fn index(self) -> usize {
        self as usize
    }
}

/// Markdown delimiters in priority order: token, character, length.
pub(super) const MARKDOWN: [(Paired, char, usize); 11] = [
    (Paired::MdBoldItalicStar, '*', 3),
    (Paired::MdBoldItalicUnderscore, '_', 3),
    (Paired::MdBoldStar, '*', 2),
    (Paired::MdBoldUnderscore, '_', 2),
    (Paired::MdItalicStar, '*', 1),
    (Paired::MdItalicUnderscore, '_', 1),
    (Paired::MdCode3, '`', 3),
    (Paired::MdCode2, '`', 2),
    (Paired::MdCode1, '`', 1),
    (Paired::MdStrike, '~', 2),
    (Paired::MdUnderline, '=', 2),
];

/// HTML tags in priority order.
pub(super) const HTML: [(Paired, &str); 11] = [
    (Paired::HtmlB, "b"),
    (Paired::HtmlStrong, "strong"),
    (Paired::HtmlI, "i"),
    (Paired::HtmlEm, "em"),
    (Paired::HtmlS, "s"),
    (Paired::HtmlStrike, "strike"),
    (Paired::HtmlDel, "del"),
    (Paired::HtmlU, "u"),
    (Paired::HtmlIns, "ins"),
    (Paired::HtmlMark, "mark"),
    (Paired::HtmlPre, "pre"),
];

/// One match of the combined regex. Ranges index the scanned characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Match {
    /// An opening tag or delimiter.
    Start(Paired, Range<usize>),
    /// A closing tag or delimiter.
    End(Paired, Range<usize>),
    /// A link of any form: the segment text and the URL before completion.
    Link {
        span: Range<usize>,
        text: Range<usize>,
        url: Range<usize>,
    },
    /// A newline or `<br>`.
    LineBreak(Range<usize>),
}

impl Match {
    /// The characters the match covers.
    pub(super) fn span(&self) -> Range<usize> {
        match self {
            Match::Start(_, r) | Match::End(_, r) | Match::LineBreak(r) => r.clone(),
            Match::Link { span, .. } => span.clone(),
        }
    }
}
