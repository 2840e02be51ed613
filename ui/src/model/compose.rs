//! The compose box: a multi-line text with a cursor, readline's editing
//! commands, a kill buffer and the input history.

/// A text field with readline editing. The cursor is a byte index that is
/// always on a char boundary.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Compose {
    text: String,
    cursor: usize,
    kill: String,
    history: Vec<String>,
    /// Browsing the history: which entry, and the draft it replaced.
    browsing: Option<(usize, String)>,
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric()
}

impl Compose {
    /// The text.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// The cursor (byte index).
    pub(crate) fn cursor(&self) -> usize {
        self.cursor
    }

    /// Whether the text is empty.
    pub(crate) fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Replaces the text, the cursor at its end.
    pub(crate) fn set_text(&mut self, text: &str) {
        self.text = text.to_owned();
        self.cursor = self.text.len();
        self.browsing = None;
    }

    /// Empties the box, remembering the text in the input history.
    pub(crate) fn take(&mut self) -> String {
        let text = std::mem::take(&mut self.text);
        self.cursor = 0;
        self.browsing = None;
        if !text.is_empty() && self.history.last() != Some(&text) {
            self.history.push(text.clone());
        }
        text
    }

    /// Inserts text at the cursor.
    pub(crate) fn insert(&mut self, s: &str) {
        self.text.insert_str(self.cursor, s);
        self.cursor += s.len();
        self.browsing = None;
    }

    fn prev(&self, i: usize) -> Option<usize> {
        self.text[..i].char_indices().next_back().map(|(j, _)| j)
    }

    fn next(&self, i: usize) -> Option<usize> {
        self.text[i..].chars().next().map(|c| i + c.len_utf8())
    }

    /// C-b / Left.
    pub(crate) fn left(&mut self) {
        if let Some(j) = self.prev(self.cursor) {
            self.cursor = j;
        }
    }

    /// C-f / Right.
    pub(crate) fn right(&mut self) {
        if let Some(j) = self.next(self.cursor) {
            self.cursor = j;
        }
    }

    /// C-a / Home: the start of the line.
    pub(crate) fn home(&mut self) {
        self.cursor = self.text[..self.cursor].rfind('\n').map_or(0, |i| i + 1);
    }

    /// C-e / End: the end of the line.
    pub(crate) fn end(&mut self) {
        self.cursor = self.line_end();
    }

    fn line_end(&self) -> usize {
        self.text[self.cursor..]
            .find('\n')
            .map_or(self.text.len(), |i| self.cursor + i)
    }

    /// C-h / Backspace.
    pub(crate) fn backspace(&mut self) {
        if let Some(j) = self.prev(self.cursor) {
            self.text.replace_range(j..self.cursor, "");
            self.cursor = j;
        }
    }

    /// Delete.
    pub(crate) fn delete(&mut self) {
        if let Some(j) = self.next(self.cursor) {
            self.text.replace_range(self.cursor..j, "");
        }
    }

    /// C-k: kill to the end of the line (the newline itself at its end).
    pub(crate) fn kill_line(&mut self) {
        let mut end = self.line_end();
        if end == self.cursor {
            end = self.next(end).unwrap_or(end);
        }
        self.kill = self.text[self.cursor..end].to_owned();
        self.text.replace_range(self.cursor..end, "");
    }

    /// C-y: yank the last kill.
    pub(crate) fn yank(&mut self) {
        let kill = self.kill.clone();
        self.insert(&kill);
    }

    /// C-t: swap the characters before and at the cursor (at the end: the
    /// last two).
    pub(crate) fn transpose_chars(&mut self) {
        let at = if self.next(self.cursor).is_none() {
            match self.prev(self.cursor) {
                Some(j) => j,
                None => return,
            }
        } else {
            self.cursor
        };
        let (Some(before), Some(after)) = (self.prev(at), self.next(at)) else {
            return;
        };
        let a: String = self.text[before..at].to_owned();
        let b: String = self.text[at..after].to_owned();
        self.text.replace_range(before..after, &format!("{b}{a}"));
        self.cursor = after;
    }

    fn word_start_before(&self, i: usize) -> usize {
        let head = &self.text[..i];
        let mut j = i;
        let mut seen_word = false;
        for (k, c) in head.char_indices().rev() {
            if is_word(c) {
                seen_word = true;
                j = k;
            } else if seen_word {
                break;
            } else {
                j = k;
            }
        }
        if seen_word {
            j
        } else {
            0
        }
    }

    fn word_end_after(&self, i: usize) -> usize {
        let mut seen_word = false;
        for (k, c) in self.text[i..].char_indices() {
            if is_word(c) {
                seen_word = true;
            } else if seen_word {
                return i + k;
            }
        }
        self.text.len()
    }

    /// M-b.
    pub(crate) fn word_left(&mut self) {
        self.cursor = self.word_start_before(self.cursor);
    }

    /// M-f.
    pub(crate) fn word_right(&mut self) {
        self.cursor = self.word_end_after(self.cursor);
    }

    /// M-d: kill the word after the cursor.
    pub(crate) fn kill_word(&mut self) {
        let end = self.word_end_after(self.cursor);
        self.kill = self.text[self.cursor..end].to_owned();
        self.text.replace_range(self.cursor..end, "");
    }

    /// M-Backspace: kill the word before the cursor.
    pub(crate) fn kill_word_back(&mut self) {
        let start = self.word_start_before(self.cursor);
        self.kill = self.text[start..self.cursor].to_owned();
        self.text.replace_range(start..self.cursor, "");
        self.cursor = start;
    }

    /// M-c, M-l, M-u: capitalize, lowercase or uppercase the word after
    /// the cursor, moving past it.
    pub(crate) fn change_word(&mut self, how: CaseChange) {
        let end = self.word_end_after(self.cursor);
        let word = &self.text[self.cursor..end];
        let changed: String = match how {
            CaseChange::Upper => word.to_uppercase(),
            CaseChange::Lower => word.to_lowercase(),
            CaseChange::Capitalize => {
                let mut out = String::new();
                let mut first = true;
                for c in word.chars() {
                    if first && is_word(c) {
                        out.extend(c.to_uppercase());
                        first = false;
                    } else {
                        out.extend(c.to_lowercase());
                    }
                }
                out
            }
        };
        self.text.replace_range(self.cursor..end, &changed);
        self.cursor += changed.len();
    }

    /// M-t: swap the word before the cursor with the word after it.
    pub(crate) fn transpose_words(&mut self) {
        let a_end = self.word_end_after(self.word_start_before(self.cursor));
        let a_start = self.word_start_before(a_end);
        let b_end = self.word_end_after(a_end);
        let b_start = self.word_start_before(b_end);
        if b_start <= a_end || a_start >= a_end {
            return;
        }
        let a = self.text[a_start..a_end].to_owned();
        let mid = self.text[a_end..b_start].to_owned();
        let b = self.text[b_start..b_end].to_owned();
        self.text
            .replace_range(a_start..b_end, &format!("{b}{mid}{a}"));
        self.cursor = b_end;
    }

    /// Whether Up/Down browse the input history now: the box is empty or
    /// shows a history entry.
    pub(crate) fn at_history(&self) -> bool {
        self.text.is_empty() || self.browsing.is_some()
    }

    /// Up: the previous history entry.
    pub(crate) fn history_prev(&mut self) {
        let i = match &self.browsing {
            Some((i, _)) => i.checked_sub(1),
            None => self.history.len().checked_sub(1),
        };
        let Some(i) = i else { return };
        let draft = match self.browsing.take() {
            Some((_, d)) => d,
            None => self.text.clone(),
        };
        self.text = self.history[i].clone();
        self.cursor = self.text.len();
        self.browsing = Some((i, draft));
    }

    /// Down: the next history entry, or back to the draft.
    pub(crate) fn history_next(&mut self) {
        let Some((i, draft)) = self.browsing.take() else {
            return;
        };
        if i + 1 < self.history.len() {
            self.text = self.history[i + 1].clone();
            self.browsing = Some((i + 1, draft));
        } else {
            self.text = draft;
        }
        self.cursor = self.text.len();
    }
}

/// What M-c, M-l and M-u do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CaseChange {
    /// M-c.
    Capitalize,
    /// M-l.
    Lower,
    /// M-u.
    Upper,
}
