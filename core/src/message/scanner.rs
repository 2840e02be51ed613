//! The token scanner: what hangups' one combined regular expression finds,
//! match after match (`finditer`), without a regex engine.
//!
//! At each position the tokens are tried in hangups' order (PROTOCOL.md
//! §8.2) and the first that matches wins; the next search starts where the
//! match ended, whether or not the stack algorithm then uses the match.
//! The tokens that start at a given character are disjoint from those of
//! any other character, so the scanner looks at the character first.
//!
//! The regex's lookaheads (`(?=.+END)` after a start tag, the lazy `.+?`
//! of links) scan forward from every candidate, which is quadratic in
//! Python. Here a lookahead for an end tag is a comparison with the last
//! place that end tag matches, and forward searches go through
//! [`NextCache`], so the whole scan is linear.

use super::autolink::AutoLink;
use super::pyclass::{eq_ignore_case, is_space};
use super::tokens::{Match, HTML, MARKDOWN};

/// A forward search for the first position at or after `from` where a
/// predicate holds, remembering its last answer. The scanner asks with
/// `from` never decreasing, so the searched stretches do not overlap and
/// all searches together cost one pass over the text.
#[derive(Default)]
pub(super) struct NextCache {
    from: usize,
    found: Option<Option<usize>>,
}

impl NextCache {
    /// The first `j >= from` with `pred(t, j)`.
    pub(super) fn find(
        &mut self,
        t: &[char],
        from: usize,
        work: &mut u64,
        pred: impl Fn(&[char], usize) -> bool,
    ) -> Option<usize> {
        if let Some(found) = self.found {
            // Nothing matched in [self.from, found): the answer stands for
            // any later `from` up to it.
            if from >= self.from && found.is_none_or(|f| f >= from) {
                return found;
            }
        }
        let mut j = from;
        let found = loop {
            if j >= t.len() {
                break None;
            }
            *work += 1;
            if pred(t, j) {
                break Some(j);
            }
            j += 1;
        };
        self.from = from;
        self.found = Some(found);
        found
    }
}

/// The character class hangups calls `BOUNDARY_CHARS`: what may stand
/// before a markdown start and after a markdown end.
pub(super) fn is_boundary_char(c: char) -> bool {
    is_space(c) || "`!()[]{};:'\".,<>?«»“”‘’*_~=".contains(c)
}

/// The combined-regex scanner over one (preprocessed) text.
pub(super) struct Scanner<'t> {
    t: &'t [char],
    pos: usize,
    /// Per markdown delimiter: the last position where its end matches.
    md_last_end: [Option<Option<usize>>; MARKDOWN.len()],
    /// Per HTML tag: the last position of `</tag>`.
    html_last_close: [Option<Option<usize>>; HTML.len()],
    bracket_paren: NextCache,
    close_paren: NextCache,
    a_quote_gt: NextCache,
    a_close: NextCache,
    img_quote_gt: NextCache,
    autolink: Option<AutoLink>,
    /// Characters examined, for the fuzz hook's linearity check.
    pub(super) work: u64,
}

impl<'t> Scanner<'t> {
    pub(super) fn new(t: &'t [char]) -> Self {
        Scanner {
            t,
            pos: 0,
            md_last_end: [None; MARKDOWN.len()],
            html_last_close: [None; HTML.len()],
            bracket_paren: NextCache::default(),
            close_paren: NextCache::default(),
            a_quote_gt: NextCache::default(),
            a_close: NextCache::default(),
            img_quote_gt: NextCache::default(),
            autolink: None,
            work: 0,
        }
    }

    /// The match at position `p`, if one starts there.
    fn match_at(&mut self, p: usize) -> Option<Match> {
        let t = self.t;
        match t[p] {
            '*' | '_' | '`' | '~' | '=' => self.markdown(p),
            '[' => self.markdown_link(p),
            '<' => self.html(p),
            '\n' => Some(Match::LineBreak(p..p + 1)),
            '\r' if t.get(p + 1) == Some(&'\n') => Some(Match::LineBreak(p..p + 2)),
            _ => {
                let t = self.t;
                let len = t.len();
                let auto = self.autolink.get_or_insert_with(|| AutoLink::new(len));
                let end = auto.match_at(t, p, &mut self.work)?;
                Some(Match::Link {
                    span: p..end,
                    text: p..end,
                    url: p..end,
                })
            }
        }
    }

    /// Whether `len` copies of `ch` start at `p`.
    fn run_at(&self, p: usize, ch: char, len: usize) -> bool {
        p + len <= self.t.len() && self.t[p..p + len].iter().all(|&c| c == ch)
    }

    /// `(?<![\s\\])D(?=[B]|$)` at `q`.
    fn md_end_at(&self, q: usize, ch: char, len: usize) -> bool {
        let t = self.t;
        (q == 0 || !(is_space(t[q - 1]) || t[q - 1] == '\\'))
            && self.run_at(q, ch, len)
            && t.get(q + len).is_none_or(|&c| is_boundary_char(c))
    }

    fn md_last_end(&mut self, k: usize) -> Option<usize> {
        if let Some(v) = self.md_last_end[k] {
            return v;
        }
        let (_, ch, len) = MARKDOWN[k];
        let n = self.t.len();
        let mut found = None;
        for q in (0..n.saturating_sub(len - 1)).rev() {
            self.work += 1;
            if self.md_end_at(q, ch, len) {
                found = Some(q);
                break;
            }
        }
        self.md_last_end[k] = Some(found);
        found
    }

    fn markdown(&mut self, p: usize) -> Option<Match> {
        let t = self.t;
        for (k, &(tok, ch, len)) in MARKDOWN.iter().enumerate() {
            if t[p] != ch || !self.run_at(p, ch, len) {
                continue;
            }
            // (?<=[B]|^) D (?!\s) (?!D) (?=.+END)
            let after = p + len;
            if (p == 0 || is_boundary_char(t[p - 1]))
                && t.get(after).is_some_and(|&c| !is_space(c))
                && !self.run_at(after, ch, len)
                && self.md_last_end(k).is_some_and(|q| q > after)
            {
                return Some(Match::Start(tok, p..after));
            }
            if self.md_end_at(p, ch, len) {
                return Some(Match::End(tok, p..after));
            }
        }
        None
    }

    /// `(?<!\\)\[(.+?)\]\((.+?)\)`: the first `](` that leaves a text of one
    /// character or more, then the first `)` that leaves a URL of one or
    /// more. If that `)` is missing, no later `](` can find one either.
    fn markdown_link(&mut self, p: usize) -> Option<Match> {
        let t = self.t;
        if p > 0 && t[p - 1] == '\\' {
            return None;
        }
        let k = self.bracket_paren.find(t, p + 2, &mut self.work, |t, j| {
            t[j] == ']' && t.get(j + 1) == Some(&'(')
        })?;
        let m = self
            .close_paren
            .find(t, k + 3, &mut self.work, |t, j| t[j] == ')')?;
        Some(Match::Link {
            span: p..m + 1,
            text: p + 1..k,
            url: k + 2..m,
        })
    }

    /// Whether `lit` (lowercase) starts at `p`, ignoring case as hangups'
    /// regex does.
    fn lit_at(&self, p: usize, lit: &str) -> bool {
        let mut j = p;
        for c in lit.chars() {
            match self.t.get(j) {
                Some(&x) if eq_ignore_case(x, c) => j += 1,
                _ => return false,
            }
        }
        true
    }

    /// Skips whitespace from `p`.
    fn skip_space(&self, mut p: usize) -> usize {
        while self.t.get(p).is_some_and(|&c| is_space(c)) {
            p += 1;
        }
        p
    }

    fn html_last_close(&mut self, k: usize) -> Option<usize> {
        if let Some(v) = self.html_last_close[k] {
            return v;
        }
        let close = format!("</{}>", HTML[k].1);
        let n = self.t.len();
        let len = close.chars().count();
        let mut found = None;
        for q in (0..n.saturating_sub(len - 1)).rev() {
            self.work += 1;
            if self.lit_at(q, &close) {
                found = Some(q);
                break;
            }
        }
        self.html_last_close[k] = Some(found);
        found
    }

    fn html(&mut self, p: usize) -> Option<Match> {
        for (k, &(tok, name)) in HTML.iter().enumerate() {
            let len = name.len();
            // <tag>(?=.+</tag>)
            if self.lit_at(p + 1, name) && self.t.get(p + 1 + len) == Some(&'>') {
                let after = p + len + 2;
                if self.html_last_close(k).is_some_and(|q| q > after) {
                    return Some(Match::Start(tok, p..after));
                }
            }
            // </tag>
            if self.t.get(p + 1) == Some(&'/')
                && self.lit_at(p + 2, name)
                && self.t.get(p + 2 + len) == Some(&'>')
            {
                return Some(Match::End(tok, p..p + len + 3));
            }
        }
        self.html_link(p)
            .or_else(|| self.html_img(p))
            .or_else(|| self.html_br(p))
    }

    /// After `<tag`, whitespace (at least one), `attr=` and a quote: the
    /// position after the quote.
    fn attr_start(&self, p: usize, tag: &str, attr: &str) -> Option<usize> {
        if !self.lit_at(p, tag) {
            return None;
        }
        let ws = p + tag.len();
        let j = self.skip_space(ws);
        if j == ws || !self.lit_at(j, attr) {
            return None;
        }
        let q = j + attr.len();
        matches!(self.t.get(q), Some('\'' | '"')).then_some(q + 1)
    }

    /// `<a\s+href=['"](.+?)['"]\s*>(.+?)</a>`.
    fn html_link(&mut self, p: usize) -> Option<Match> {
        let url = self.attr_start(p, "<a", "href=")?;
        let t = self.t;
        let e = self.a_quote_gt.find(t, url + 1, &mut self.work, |t, j| {
            matches!(t[j], '\'' | '"') && t.get(skip_space(t, j + 1)) == Some(&'>')
        })?;
        let text = skip_space(t, e + 1) + 1;
        let close = self.a_close.find(t, text + 1, &mut self.work, |t, j| {
            t[j] == '<'
                && t.get(j + 1) == Some(&'/')
                && t.get(j + 2).is_some_and(|&c| eq_ignore_case(c, 'a'))
                && t.get(j + 3) == Some(&'>')
        })?;
        Some(Match::Link {
            span: p..close + 4,
            text: text..close,
            url: url..e,
        })
    }

    /// `<img\s+src=['"](.+?)['"]\s*/?>`: the URL is also the text.
    fn html_img(&mut self, p: usize) -> Option<Match> {
        let url = self.attr_start(p, "<img", "src=")?;
        let t = self.t;
        let e = self.img_quote_gt.find(t, url + 1, &mut self.work, |t, j| {
            matches!(t[j], '\'' | '"') && slash_gt(t, skip_space(t, j + 1)).is_some()
        })?;
        let end = slash_gt(t, skip_space(t, e + 1))?;
        Some(Match::Link {
            span: p..end,
            text: url..e,
            url: url..e,
        })
    }

    /// `<br\s*/?>`.
    fn html_br(&mut self, p: usize) -> Option<Match> {
        if !self.lit_at(p, "<br") {
            return None;
        }
        let end = slash_gt(self.t, self.skip_space(p + 3))?;
        Some(Match::LineBreak(p..end))
    }
}

fn skip_space(t: &[char], mut p: usize) -> usize {
    while t.get(p).is_some_and(|&c| is_space(c)) {
        p += 1;
    }
    p
}

/// `/?>` at `p`: the position after the `>`.
fn slash_gt(t: &[char], p: usize) -> Option<usize> {
    let p = if t.get(p) == Some(&'/') { p + 1 } else { p };
    (t.get(p) == Some(&'>')).then_some(p + 1)
}

impl Iterator for Scanner<'_> {
    type Item = Match;

    fn next(&mut self) -> Option<Match> {
        while self.pos < self.t.len() {
            self.work += 1;
            let p = self.pos;
            if let Some(m) = self.match_at(p) {
                self.pos = m.span().end;
                return Some(m);
            }
            self.pos = p + 1;
        }
        None
    }
}
