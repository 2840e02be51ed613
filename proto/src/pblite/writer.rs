//! The pblite encoder: field n at index n-1, gaps as `null`, nothing after
//! the last present field, and numbers above [`EXTRA_FIELD_THRESHOLD`] in a
//! trailing object, as the servers write it.

use super::decoder::Slot;
use super::kind::Kind;
use crate::Message;
use std::fmt::Write;

/// Fields numbered above this go into the trailing object, not the array.
pub const EXTRA_FIELD_THRESHOLD: u32 = 1000;

/// Writes one message's fields; handed to generated `write_fields`.
#[doc(hidden)]
pub struct FieldWriter<'a> {
    out: &'a mut String,
    /// The next array position (field number) to fill.
    next: u32,
    /// Whether an element was written (so the next needs a comma).
    wrote: bool,
    extras_open: bool,
}

impl<'a> FieldWriter<'a> {
    /// Starts the array for a message (after an optional tag).
    pub(crate) fn begin(out: &'a mut String, tag: Option<&str>) -> Self {
        out.push('[');
        let mut w = FieldWriter {
            out,
            next: 1,
            wrote: false,
            extras_open: false,
        };
        if let Some(tag) = tag {
            super::kind::write_str(tag, w.out);
            w.wrote = true;
        }
        w
    }

    /// Closes the array.
    pub(crate) fn finish(self) {
        if self.extras_open {
            self.out.push('}');
        }
        self.out.push(']');
    }

    /// Positions the output for field `n`'s value.
    fn at(&mut self, n: u32) {
        if n > EXTRA_FIELD_THRESHOLD {
            if self.extras_open {
                self.out.push(',');
            } else {
                if self.wrote {
                    self.out.push(',');
                }
                self.out.push('{');
                self.extras_open = true;
            }
            let _ = write!(self.out, "\"{n}\":");
            return;
        }
        while self.next < n {
            if self.wrote {
                self.out.push(',');
            }
            self.out.push_str("null");
            self.wrote = true;
            self.next += 1;
        }
        if self.wrote {
            self.out.push(',');
        }
        self.wrote = true;
        self.next = n + 1;
    }

    pub(crate) fn optional<K: Kind>(&mut self, n: u32, v: Option<&K::T>) {
        if let Some(v) = v {
            self.at(n);
            K::write(v, self.out);
        }
    }

    pub(crate) fn repeated<K: Kind>(&mut self, n: u32, v: &[K::T]) {
        if v.is_empty() {
            return;
        }
        self.at(n);
        self.out.push('[');
        for (i, x) in v.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            K::write(x, self.out);
        }
        self.out.push(']');
    }

    pub(crate) fn message<S: Slot>(&mut self, n: u32, v: Option<&S>) {
        if let Some(v) = v {
            self.at(n);
            write_message(v.get(), self.out, None);
        }
    }

    pub(crate) fn messages<S: Slot>(&mut self, n: u32, v: &[S]) {
        if v.is_empty() {
            return;
        }
        self.at(n);
        self.out.push('[');
        for (i, x) in v.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            write_message(x.get(), self.out, None);
        }
        self.out.push(']');
    }
}

/// Appends `m` as a pblite array, with `tag` as element 0 if given.
pub(crate) fn write_message<M: Message>(m: &M, out: &mut String, tag: Option<&str>) {
    let mut w = FieldWriter::begin(out, tag);
    m.write_fields(&mut w);
    w.finish();
}
