//! The pblite decoder: walks the JSON arrays and dispatches each field to
//! the generated `Message::merge_field`, applying hangups' rules for every
//! malformed case (PROTOCOL.md §5). Each skip is logged with `tracing` and
//! counted; only invalid JSON and excessive nesting fail the whole message.

use super::json::{Scanner, Token};
use super::kind::Kind;
use crate::{DecodeError, Message};

/// A message slot: `M` itself or the `Box<M>` pb-rs uses to break cycles.
#[doc(hidden)]
pub trait Slot {
    /// The message inside.
    type Msg: Message;
    /// Wraps a message.
    fn wrap(m: Self::Msg) -> Self;
    /// The message inside.
    fn get(&self) -> &Self::Msg;
    /// The message inside.
    fn get_mut(&mut self) -> &mut Self::Msg;
}

impl<M: Message> Slot for Box<M> {
    type Msg = M;
    fn wrap(m: M) -> Self {
        Box::new(m)
    }
    fn get(&self) -> &M {
        self
    }
    fn get_mut(&mut self) -> &mut M {
        self
    }
}

/// Implements [`Slot`] for a concrete message type.
macro_rules! impl_slot {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::pblite::Slot for $t {
            type Msg = $t;
            fn wrap(m: $t) -> Self { m }
            fn get(&self) -> &$t { self }
            fn get_mut(&mut self) -> &mut $t { self }
        }
    )*};
}
pub(crate) use impl_slot;

/// The decoding cursor handed to generated code.
#[doc(hidden)]
pub struct Decoder<'a> {
    s: Scanner<'a>,
    depth: u32,
    max_depth: u32,
    skipped: usize,
    message: &'static str,
    field: u32,
}

impl<'a> Decoder<'a> {
    pub(crate) fn new(text: &'a str, max_depth: u32) -> Self {
        Decoder {
            s: Scanner::new(text),
            depth: 0,
            max_depth,
            skipped: 0,
            message: "",
            field: 0,
        }
    }

    /// A decoder of pblite escaped twice (see [`Scanner::nested`]).
    pub(crate) fn new_nested(text: &'a str, max_depth: u32) -> Self {
        Decoder {
            s: Scanner::nested(text),
            ..Decoder::new("", max_depth)
        }
    }

    /// For a nested decoder: the skipped count and where the text after
    /// the outer string starts.
    pub(crate) fn finish_nested(mut self) -> Result<(usize, usize), DecodeError> {
        if self.s.at_end() {
            Ok((self.skipped, self.s.nested_end()))
        } else {
            Err(self.s.error("trailing characters after the message"))
        }
    }

    pub(crate) fn finish(mut self) -> Result<usize, DecodeError> {
        if self.s.at_end() {
            Ok(self.skipped)
        } else {
            Err(self.s.error("trailing characters after the message"))
        }
    }

    fn skip(&mut self, why: &'static str, t: &Token<'_>) {
        self.skipped += 1;
        tracing::warn!(
            message = self.message,
            field = self.field,
            json = t.json_type(),
            "pblite: skipped field: {why}"
        );
    }

    /// Decodes the message array at the cursor into `m`; returns whether
    /// any field was set. `skip_first` drops a leading type tag.
    pub(crate) fn message_into<M: Message>(
        &mut self,
        m: &mut M,
        skip_first: bool,
    ) -> Result<bool, DecodeError> {
        if self.s.peek() != b'[' {
            return self.not_a_message();
        }
        if self.depth >= self.max_depth {
            return Err(DecodeError::TooDeep {
                limit: self.max_depth,
            });
        }
        self.depth += 1;
        let outer = std::mem::replace(&mut self.message, M::NAME);
        self.s.pos += 1;
        let mut set = false;
        if self.s.peek() == b']' {
            self.s.pos += 1;
        } else {
            if skip_first {
                self.s.skip_value()?;
                if !self.s.comma_or(b']')? {
                    self.depth -= 1;
                    self.message = outer;
                    return Ok(false);
                }
            }
            let mut number = 0u32;
            loop {
                // Runs of absent fields, the commonest elements by far, as
                // one step each.
                number = number.saturating_add(self.s.skip_nulls());
                let b = self.s.peek();
                number = number.saturating_add(1);
                // Absent (the commonest element by far) or present.
                if b != b'n' || !self.s.null() {
                    if b == b'{' && self.is_last_element()? {
                        set |= self.extras(m)?;
                        self.s.expect(b']', "expected ']' after the extra fields")?;
                        break;
                    }
                    set |= self.field(m, number)?;
                }
                if !self.s.comma_or(b']')? {
                    break;
                }
            }
        }
        self.depth -= 1;
        self.message = outer;
        Ok(set)
    }

    /// Whether the object at the cursor is the array's last element.
    fn is_last_element(&mut self) -> Result<bool, DecodeError> {
        let save = self.s.pos;
        self.s.skip_value()?;
        let last = self.s.peek() == b']';
        self.s.pos = save;
        Ok(last)
    }

    /// The trailing object of extra fields, keyed by field number.
    fn extras<M: Message>(&mut self, m: &mut M) -> Result<bool, DecodeError> {
        self.s.pos += 1;
        let mut set = false;
        if self.s.peek() == b'}' {
            self.s.pos += 1;
            return Ok(false);
        }
        loop {
            let key = self.s.object_key()?;
            match python_int(&key) {
                Some(n) => match u32::try_from(n) {
                    Ok(n) => set |= self.field(m, n)?,
                    // Negative or huge: no such field.
                    Err(_) => self.s.skip_value()?,
                },
                None => {
                    self.s.skip_value()?;
                    self.skipped += 1;
                    tracing::warn!(message = self.message, key = %key, "pblite: skipped extra field with a non-numeric key");
                }
            }
            if !self.s.comma_or(b'}')? {
                return Ok(set);
            }
        }
    }

    #[inline(always)]
    fn field<M: Message>(&mut self, m: &mut M, number: u32) -> Result<bool, DecodeError> {
        if self.s.peek() == b'n' {
            // Absent: the commonest element by far.
            if self.s.null() {
                return Ok(false);
            }
            self.s.token()?;
            return Ok(false);
        }
        self.field = number;
        match m.merge_field(self, number)? {
            Some(set) => Ok(set),
            None => {
                let t = self.s.token()?;
                if !matches!(&t, Token::Array | Token::Int(0))
                    && !matches!(&t, Token::Str(s) if s.is_empty())
                {
                    tracing::debug!(
                        message = self.message,
                        field = number,
                        "pblite: unknown field ignored"
                    );
                }
                Ok(false)
            }
        }
    }

    // ---- helpers called by generated `merge_field` implementations ----

    #[inline]
    pub(crate) fn optional<K: Kind>(
        &mut self,
        slot: &mut Option<K::T>,
    ) -> Result<bool, DecodeError> {
        match K::read_next(&mut self.s)? {
            Ok(v) => {
                *slot = Some(v);
                Ok(true)
            }
            Err(t) => {
                self.skip(K::NAME, &t);
                Ok(false)
            }
        }
    }

    #[inline]
    pub(crate) fn required<K: Kind>(&mut self, slot: &mut K::T) -> Result<bool, DecodeError> {
        match K::read_next(&mut self.s)? {
            Ok(v) => {
                *slot = v;
                Ok(true)
            }
            Err(t) => {
                self.skip(K::NAME, &t);
                Ok(false)
            }
        }
    }

    /// A repeated scalar: one bad element (null included) clears the field.
    pub(crate) fn repeated<K: Kind>(&mut self, v: &mut Vec<K::T>) -> Result<bool, DecodeError> {
        if self.s.peek() != b'[' {
            let t = self.s.token()?;
            v.clear();
            self.skip("a repeated field must be an array; field cleared", &t);
            return Ok(false);
        }
        self.s.pos += 1;
        if self.s.peek() == b']' {
            self.s.pos += 1;
            return Ok(false);
        }
        let before = v.len();
        let mut bad: Option<Token<'a>> = None;
        loop {
            let t = self.s.token()?;
            if bad.is_none() {
                match K::read(t) {
                    Ok(x) => v.push(x),
                    Err(t) => bad = Some(t),
                }
            }
            if !self.s.comma_or(b']')? {
                break;
            }
        }
        if let Some(t) = bad {
            v.clear();
            self.skip("bad element in a repeated field; field cleared", &t);
            return Ok(false);
        }
        Ok(v.len() > before)
    }

    /// An optional message; merged into an existing value.
    pub(crate) fn message<S: Slot>(&mut self, slot: &mut Option<S>) -> Result<bool, DecodeError> {
        if self.s.peek() != b'[' {
            return self.not_a_message();
        }
        let existed = slot.is_some();
        let s = slot.get_or_insert_with(|| S::wrap(S::Msg::default()));
        let set = self.message_into(s.get_mut(), false)?;
        if !set && !existed {
            *slot = None;
        }
        Ok(set)
    }

    fn not_a_message(&mut self) -> Result<bool, DecodeError> {
        let t = self.s.token()?;
        self.skip("a message must be an array", &t);
        Ok(false)
    }

    /// A repeated message: null or non-array elements still append an empty
    /// message; a string appends one empty message per character.
    pub(crate) fn messages<S: Slot>(&mut self, v: &mut Vec<S>) -> Result<bool, DecodeError> {
        match self.s.peek() {
            b'[' => {}
            b'"' => {
                let t = self.s.token()?;
                let n = if let Token::Str(s) = &t {
                    s.chars().count()
                } else {
                    0
                };
                v.extend((0..n).map(|_| S::wrap(S::Msg::default())));
                self.skip(
                    "repeated message given a string: one empty message per character",
                    &t,
                );
                return Ok(n > 0);
            }
            b'{' => {
                let n = self.s.count_object_keys()?;
                v.extend((0..n).map(|_| S::wrap(S::Msg::default())));
                self.skipped += 1;
                tracing::warn!(
                    message = self.message,
                    field = self.field,
                    "pblite: repeated message given an object: one empty message per key"
                );
                return Ok(n > 0);
            }
            _ => {
                let t = self.s.token()?;
                self.skip("a repeated field must be an array", &t);
                return Ok(false);
            }
        }
        self.s.pos += 1;
        if self.s.peek() == b']' {
            self.s.pos += 1;
            return Ok(false);
        }
        if v.capacity() == 0 {
            // Room for a few at once, as `Vec` gives elements up to 1 KiB:
            // for larger ones it would grow 1, 2, 4, moving them each time.
            v.reserve(4);
        }
        loop {
            // Decode in place: messages can be large, moving them costs.
            v.push(S::wrap(S::Msg::default()));
            if self.s.peek() == b'[' {
                if let Some(m) = v.last_mut() {
                    self.message_into(m.get_mut(), false)?;
                }
            } else {
                let t = self.s.token()?;
                if t != Token::Null {
                    self.skip(
                        "repeated message element is not an array; empty message appended",
                        &t,
                    );
                }
            }
            if !self.s.comma_or(b']')? {
                return Ok(true);
            }
        }
    }

    /// A message member of a oneof: setting it replaces another member.
    pub(crate) fn oneof_message<S: Slot, O: Default>(
        &mut self,
        slot: &mut O,
        get: impl Fn(&mut O) -> Option<&mut S>,
        make: impl Fn(S) -> O,
    ) -> Result<bool, DecodeError> {
        if self.s.peek() != b'[' {
            return self.not_a_message();
        }
        if let Some(m) = get(slot) {
            return self.message_into(m.get_mut(), false);
        }
        if std::mem::discriminant(slot) == std::mem::discriminant(&O::default()) {
            // No member is set (the usual case): decode in place, since
            // messages can be large and moving them costs.
            *slot = make(S::wrap(S::Msg::default()));
            let set = match get(slot) {
                Some(m) => self.message_into(m.get_mut(), false)?,
                None => false,
            };
            if !set {
                *slot = O::default();
            }
            return Ok(set);
        }
        let mut m = S::wrap(S::Msg::default());
        let set = self.message_into(m.get_mut(), false)?;
        if set {
            *slot = make(m);
        }
        Ok(set)
    }
}

/// A trailing-object key as Python's `int()` reads it: surrounding
/// whitespace, an optional sign, digits with single `_` between them.
fn python_int(key: &str) -> Option<i64> {
    let k = key.trim();
    let (neg, digits) = match k.as_bytes().first() {
        Some(b'-') => (true, &k[1..]),
        Some(b'+') => (false, &k[1..]),
        _ => (false, k),
    };
    let b = digits.as_bytes();
    if b.is_empty() || !b[0].is_ascii_digit() || !b[b.len() - 1].is_ascii_digit() {
        return None;
    }
    let mut v: i64 = 0;
    let mut prev_underscore = false;
    for &c in b {
        if c == b'_' {
            if prev_underscore {
                return None;
            }
            prev_underscore = true;
            continue;
        }
        if !c.is_ascii_digit() {
            return None;
        }
        prev_underscore = false;
        v = v.checked_mul(10)?.checked_add(i64::from(c - b'0'))?;
    }
    Some(if neg { -v } else { v })
}

#[cfg(test)]
mod tests {
    #[test]
    fn python_int_keys() {
        use super::python_int;
        assert_eq!(python_int("27639957"), Some(27_639_957));
        assert_eq!(python_int(" 2"), Some(2));
        assert_eq!(python_int("+2"), Some(2));
        assert_eq!(python_int("-2"), Some(-2));
        assert_eq!(python_int("1_0"), Some(10));
        for bad in ["", "x", "1__0", "_1", "1_", "+", "0x1", "1.0"] {
            assert_eq!(python_int(bad), None, "{bad:?}");
        }
    }
}
