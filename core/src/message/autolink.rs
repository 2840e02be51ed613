//! The auto-link token: bare URLs and host names in running text.
//!
//! hangups matches them with one backtracking regular expression
//! (PROTOCOL.md §8.2):
//!
//! ```text
//! \b ( ( (https?:// | (?<!@)LABEL\. | (?=\S+/)) (LABEL\.)+ TLD
//!      | (https?:// | (?=[\d.]+/)) \d{1,3}(\.\d{1,3}){3} )
//!      (:\d+)? \b(?!@) (/ PATHPART*)* )
//! ```
//!
//! Backtracking only ever revisits the host: how many `LABEL.` pairs the
//! repetition keeps, how long the TLD is, whether the port is taken. This
//! module walks those choices in the regex's own order, but remembers, for
//! each position where the pairs may begin, which choice wins (the pairs
//! that follow a position do not depend on where the match started), so a
//! text of `n` characters costs `O(n)` however it is built, where the
//! regex costs `O(n²)` on `a.a.a.a…`. The path never makes the match fail,
//! so it is read greedily once.

use super::pyclass::{eq_ignore_case, is_boundary, is_digit, is_letter_ignore_case, is_space};
use super::scanner::NextCache;

/// Longest LABEL and TLD the regex accepts.
const MAX_LABEL: usize = 63;

/// Per-text memory of the auto-link matcher.
pub(super) struct AutoLink {
    /// `pairs[s]`: where the host ends (after port and boundary) when the
    /// `(LABEL\.)+ TLD` part starts at `s`; `None` = not computed yet.
    pairs: Vec<Option<Option<usize>>>,
    /// First `/` or whitespace from a position: for `(?=\S+/)`.
    slash_or_space: NextCache,
    /// First character that is neither a digit nor `.`: for `(?=[\d.]+/)`.
    not_digit_dot: NextCache,
}

impl AutoLink {
    pub(super) fn new(len: usize) -> Self {
        AutoLink {
            pairs: vec![None; len + 1],
            slash_or_space: NextCache::default(),
            not_digit_dot: NextCache::default(),
        }
    }

    /// The auto-link match that starts at `i`, as its end, if any.
    pub(super) fn match_at(&mut self, t: &[char], i: usize, work: &mut u64) -> Option<usize> {
        if !is_boundary(t, i) {
            return None;
        }
        let host_end = self.host(t, i, work)?;
        Some(path(t, host_end, work))
    }

    /// The host, port and the `\b(?!@)` after them: the end of that part.
    fn host(&mut self, t: &[char], i: usize, work: &mut u64) -> Option<usize> {
        let scheme = http_prefix(t, i);
        // Domain names, with the three ways in.
        if let Some(s) = scheme {
            if let Some(end) = self.pairs_then_tld(t, s, work) {
                return Some(end);
            }
        }
        if i == 0 || t[i - 1] != '@' {
            if let Some(s) = next_label(t, i, work) {
                if let Some(end) = self.pairs_then_tld(t, s, work) {
                    return Some(end);
                }
            }
        }
        if self.slash_ahead(t, i, work) {
            if let Some(end) = self.pairs_then_tld(t, i, work) {
                return Some(end);
            }
        }
        // IPv4 addresses.
        if let Some(s) = scheme {
            if let Some(end) = ipv4(t, s, work) {
                return Some(end);
            }
        }
        if self.digits_dots_then_slash(t, i, work) {
            return ipv4(t, i, work);
        }
        None
    }

    /// `(LABEL\.)+ TLD (:\d+)? \b(?!@)` from `s`: the greedy repetition
    /// first tries the most pairs, so the furthest TLD position that works
    /// wins. Iterative, memoised per position.
    fn pairs_then_tld(&mut self, t: &[char], s: usize, work: &mut u64) -> Option<usize> {
        // Follow the chain of `LABEL.` pairs until a position whose answer
        // is known or that has no pair.
        let mut chain = Vec::new();
        let mut cur = s;
        let mut known = loop {
            *work += 1;
            if let Some(v) = self.pairs[cur] {
                break v;
            }
            match next_label(t, cur, work) {
                Some(n) => {
                    chain.push(cur);
                    cur = n;
                }
                None => {
                    self.pairs[cur] = Some(None);
                    break None;
                }
            }
        };
        // `known` is the answer at `cur`, the position after one more pair
        // than the chain's last entry: more pairs first, else the TLD there.
        while let Some(pos) = chain.pop() {
            let v = known.or_else(|| tld(t, cur, work));
            self.pairs[pos] = Some(v);
            known = v;
            cur = pos;
        }
        known
    }

    /// `(?=\S+/)` at `i`: a `/` comes after `i` before any whitespace.
    fn slash_ahead(&mut self, t: &[char], i: usize, work: &mut u64) -> bool {
        if t.get(i).is_none_or(|&c| is_space(c)) {
            return false;
        }
        let j = self
            .slash_or_space
            .find(t, i + 1, work, |t, j| t[j] == '/' || is_space(t[j]));
        j.is_some_and(|j| t[j] == '/')
    }

    /// `(?=[\d.]+/)` at `i`.
    fn digits_dots_then_slash(&mut self, t: &[char], i: usize, work: &mut u64) -> bool {
        let j = self
            .not_digit_dot
            .find(t, i, work, |t, j| t[j] != '.' && !is_digit(t[j]));
        j.is_some_and(|j| j > i && t[j] == '/')
    }
}

/// `https?://` at `i` (ignoring case): the position after it.
fn http_prefix(t: &[char], i: usize) -> Option<usize> {
    let starts = |at: usize, lit: &str| {
        lit.chars()
            .enumerate()
            .all(|(k, p)| t.get(at + k).is_some_and(|&c| eq_ignore_case(c, p)))
    };
    if !starts(i, "http") {
        return None;
    }
    let mut j = i + 4;
    if t.get(j).is_some_and(|&c| eq_ignore_case(c, 's')) && starts(j + 1, "://") {
        j += 1;
    }
    starts(j, "://").then_some(j + 3)
}

fn is_label_char(c: char) -> bool {
    c.is_ascii_digit() || c == '-' || is_letter_ignore_case(c)
}

fn is_tld_char(c: char) -> bool {
    c == '-' || is_letter_ignore_case(c)
}

/// `LABEL\.` at `s` (the label is 1 to 63 characters; a longer run never
/// matches): the position after the dot.
fn next_label(t: &[char], s: usize, work: &mut u64) -> Option<usize> {
    let mut j = s;
    while j < t.len() && j - s <= MAX_LABEL && is_label_char(t[j]) {
        j += 1;
        *work += 1;
    }
    let len = j - s;
    ((1..=MAX_LABEL).contains(&len) && t.get(j) == Some(&'.')).then_some(j + 1)
}

/// `TLD (:\d+)? \b(?!@)` at `s`, longest TLD first.
fn tld(t: &[char], s: usize, work: &mut u64) -> Option<usize> {
    let mut run = 0;
    while run < MAX_LABEL && t.get(s + run).is_some_and(|&c| is_tld_char(c)) {
        run += 1;
    }
    for len in (2..=run).rev() {
        *work += 1;
        if let Some(end) = port_and_boundary(t, s + len, work) {
            return Some(end);
        }
    }
    None
}

/// `\d{1,3}(\.\d{1,3}){3} (:\d+)? \b(?!@)` at `s`. Shorter digit groups
/// never help: the next character would be a digit, which is neither a
/// `.` nor a word boundary.
fn ipv4(t: &[char], s: usize, work: &mut u64) -> Option<usize> {
    let mut j = s;
    for group in 0..4 {
        if group > 0 {
            if t.get(j) != Some(&'.') {
                return None;
            }
            j += 1;
        }
        let start = j;
        while j - start < 3 && t.get(j).is_some_and(|&c| is_digit(c)) {
            j += 1;
        }
        if j == start {
            return None;
        }
    }
    port_and_boundary(t, j, work)
}

/// `(:\d+)? \b(?!@)` at `e`. Only the whole digit run can be followed by
/// a word boundary, so that is the one port tried before none.
fn port_and_boundary(t: &[char], e: usize, work: &mut u64) -> Option<usize> {
    let ok = |j: usize| is_boundary(t, j) && t.get(j) != Some(&'@');
    if t.get(e) == Some(&':') {
        let mut j = e + 1;
        while t.get(j).is_some_and(|&c| is_digit(c)) {
            j += 1;
            *work += 1;
        }
        if j > e + 1 && ok(j) {
            return Some(j);
        }
    }
    ok(e).then_some(e)
}

/// `X`: a path character allowed inside parentheses.
fn is_paren_char(c: char) -> bool {
    !is_space(c) && !matches!(c, '/' | '(' | ')')
}

/// `Y`: a path character outside parentheses.
fn is_path_char(c: char) -> bool {
    !is_space(c)
        && !matches!(
            c,
            '/' | '('
                | ')'
                | '{'
                | '}'
                | ';'
                | ':'
                | '!'
                | '<'
                | '>'
                | '«'
                | '»'
                | '“'
                | '”'
                | '"'
                | '\''
                | '‘'
                | '’'
                | '`'
                | '´'
        )
}

/// `( / ( \( X* \( X+ \) X* \) | \( X+ \) | Y* )* )*` at `e`, greedy.
fn path(t: &[char], e: usize, work: &mut u64) -> usize {
    let mut p = e;
    while t.get(p) == Some(&'/') {
        p += 1;
        loop {
            *work += 1;
            if t.get(p) == Some(&'(') {
                match nested_parens(t, p, work).or_else(|| parens(t, p, work)) {
                    Some(q) => p = q,
                    None => break,
                }
            } else {
                let start = p;
                while t.get(p).is_some_and(|&c| is_path_char(c)) {
                    p += 1;
                    *work += 1;
                }
                if p == start {
                    break;
                }
            }
        }
    }
    p
}

/// Skips `X*` from `p`.
fn paren_chars(t: &[char], mut p: usize, work: &mut u64) -> usize {
    while t.get(p).is_some_and(|&c| is_paren_char(c)) {
        p += 1;
        *work += 1;
    }
    p
}

/// `\( X* \( X+ \) X* \)` at `p`.
fn nested_parens(t: &[char], p: usize, work: &mut u64) -> Option<usize> {
    let mut j = paren_chars(t, p + 1, work);
    if t.get(j) != Some(&'(') {
        return None;
    }
    let inner = j + 1;
    j = paren_chars(t, inner, work);
    if j == inner || t.get(j) != Some(&')') {
        return None;
    }
    j = paren_chars(t, j + 1, work);
    (t.get(j) == Some(&')')).then_some(j + 1)
}

/// `\( X+ \)` at `p`.
fn parens(t: &[char], p: usize, work: &mut u64) -> Option<usize> {
    let j = paren_chars(t, p + 1, work);
    (j > p + 1 && t.get(j) == Some(&')')).then_some(j + 1)
}
