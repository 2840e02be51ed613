//! The fast path of [`decode_chunk`](super::decode_chunk): one pass over
//! the chunk for the shapes servers send,
//!
//! ```text
//! [[id,["noop"]], [id,[{"p":"<wrapper>"}]], ...]
//! ```
//!
//! reading the wrapper *through* the escapes of the `"p"` string, and the
//! pblite string inside the wrapper through both levels of escapes at once.
//! Text that is plain at every level (no `\`, `"` or control character) is
//! copied in runs; only escape sequences are decoded one by one. Neither
//! the wrapper text nor the once-unescaped pblite is ever built.
//!
//! Anything else, valid or not (other keys beside `"p"`, extra items, a
//! wrapper key given twice, a number where an object belongs, invalid JSON
//! anywhere), returns `None` before any side effect, and the chunk goes the
//! slow way, which decides between unknown push arrays and errors. So for
//! every chunk it accepts, this path gives what the slow one would.

use hangups_proto::hangouts::{BatchUpdate, StateUpdate};
use hangups_proto::pblite::{self, DecodeOptions};
use std::borrow::Cow;

/// A push array of the usual shape.
pub(super) struct Scanned<'a> {
    pub(super) id: u64,
    /// The element's text, `[id, data_array]`.
    pub(super) raw: &'a str,
    pub(super) content: Content<'a>,
}

/// What a data array holds.
pub(super) enum Content<'a> {
    Noop,
    Wrapper {
        client_id: Option<String>,
        pblite: Option<Payload<'a>>,
    },
}

/// The wrapper's payload.
pub(super) enum Payload<'a> {
    /// The pblite text, unescaped.
    Text(Cow<'a, str>),
    /// A `"cbu"` payload already decoded where it sits in the chunk.
    Updates(Vec<StateUpdate>),
}

/// The start of a `"cbu"` payload as it appears inside the `"p"` string.
const CBU_NESTED: &[u8] = br#"[\\\"cbu\\\""#;

/// Not the usual shape: take the slow path.
pub(super) struct Bail;

type Result<T> = std::result::Result<T, Bail>;

/// The push arrays of `chunk`, if it has only the usual shapes.
pub(super) fn scan(chunk: &str) -> Option<Vec<Scanned<'_>>> {
    scan_container(chunk, true).ok()
}

/// [`scan`], with `"cbu"` payloads unescaped and left to the caller rather
/// than decoded where they sit: the way the fast path worked before, kept
/// to check that both ways agree.
pub(super) fn scan_unnested(chunk: &str) -> Option<Vec<Scanned<'_>>> {
    scan_container(chunk, false).ok()
}

fn scan_container(chunk: &str, nested: bool) -> Result<Vec<Scanned<'_>>> {
    let mut c = Outer {
        s: chunk,
        pos: 0,
        nested,
    };
    let mut out = Vec::new();
    c.ws();
    c.expect(b'[')?;
    c.ws();
    if c.peek() == Some(b']') {
        c.pos += 1;
    } else {
        loop {
            out.push(c.element()?);
            c.ws();
            match c.bump()? {
                b',' => c.ws(),
                b']' => break,
                _ => return Err(Bail),
            }
        }
    }
    c.ws();
    if c.pos == chunk.len() {
        Ok(out)
    } else {
        Err(Bail)
    }
}

/// A cursor over the chunk itself.
struct Outer<'a> {
    s: &'a str,
    pos: usize,
    /// Decode `"cbu"` payloads where they sit.
    nested: bool,
}

impl<'a> Outer<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.pos).copied()
    }

    fn bump(&mut self) -> Result<u8> {
        let b = self.peek().ok_or(Bail)?;
        self.pos += 1;
        Ok(b)
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, b: u8) -> Result<()> {
        if self.bump()? == b {
            Ok(())
        } else {
            Err(Bail)
        }
    }

    fn literal(&mut self, lit: &str) -> bool {
        let found = self.s.as_bytes()[self.pos..].starts_with(lit.as_bytes());
        if found {
            self.pos += lit.len();
        }
        found
    }

    /// `[id, ["noop"]]` or `[id, [{"p": "<wrapper>"}]]`.
    fn element(&mut self) -> Result<Scanned<'a>> {
        let start = self.pos;
        self.expect(b'[')?;
        self.ws();
        let id = self.array_id()?;
        self.ws();
        self.expect(b',')?;
        self.ws();
        self.expect(b'[')?;
        self.ws();
        let content = if self.literal("\"noop\"") {
            Content::Noop
        } else if self.literal("{") {
            self.ws();
            if !self.literal("\"p\"") {
                return Err(Bail);
            }
            self.ws();
            self.expect(b':')?;
            self.ws();
            self.expect(b'"')?;
            let mut inner = Inner {
                s: self.s,
                pos: self.pos,
                nested: self.nested,
            };
            let content = inner.wrapper()?;
            self.pos = inner.pos;
            self.ws();
            self.expect(b'}')?;
            content
        } else {
            return Err(Bail);
        };
        for _ in 0..2 {
            self.ws();
            self.expect(b']')?;
        }
        Ok(Scanned {
            id,
            raw: &self.s[start..self.pos],
            content,
        })
    }

    /// A JSON integer from 0 to `u64::MAX`.
    fn array_id(&mut self) -> Result<u64> {
        let start = self.pos;
        let mut id: u64 = 0;
        while let Some(d @ b'0'..=b'9') = self.peek() {
            id = id
                .checked_mul(10)
                .and_then(|id| id.checked_add(u64::from(d - b'0')))
                .ok_or(Bail)?;
            self.pos += 1;
        }
        let digits = self.pos - start;
        let leading_zero = digits > 1 && self.s.as_bytes()[start] == b'0';
        if digits == 0 || leading_zero || matches!(self.peek(), Some(b'.' | b'e' | b'E')) {
            return Err(Bail);
        }
        Ok(id)
    }
}

/// A character of the wrapper: the text of the `"p"` string with its
/// escapes decoded. `END` is the string's closing quote.
type WChar = u32;
const END: WChar = u32::MAX;

/// A cursor over the `"p"` string that reads the wrapper JSON inside it,
/// decoding one level of escapes on the fly.
struct Inner<'a> {
    s: &'a str,
    pos: usize,
    /// Decode `"cbu"` payloads where they sit.
    nested: bool,
}

impl<'a> Inner<'a> {
    /// The next wrapper character.
    fn next(&mut self) -> Result<WChar> {
        let bytes = self.s.as_bytes();
        let b = *bytes.get(self.pos).ok_or(Bail)?;
        self.pos += 1;
        match b {
            b'"' => Ok(END),
            b'\\' => self.escape(),
            0..=0x1F => Err(Bail),
            0x20..=0x7F => Ok(WChar::from(b)),
            _ => {
                let c = self.s[self.pos - 1..].chars().next().ok_or(Bail)?;
                self.pos += c.len_utf8() - 1;
                Ok(WChar::from(c))
            }
        }
    }

    fn peek(&mut self) -> Result<WChar> {
        let pos = self.pos;
        let c = self.next();
        self.pos = pos;
        c
    }

    /// After a `\` of the `"p"` string.
    fn escape(&mut self) -> Result<WChar> {
        let b = *self.s.as_bytes().get(self.pos).ok_or(Bail)?;
        self.pos += 1;
        Ok(match b {
            b'"' | b'\\' | b'/' => WChar::from(b),
            b'b' => 0x08,
            b'f' => 0x0C,
            b'n' => 0x0A,
            b'r' => 0x0D,
            b't' => 0x09,
            b'u' => {
                let mut hex = || {
                    let b = *self.s.as_bytes().get(self.pos).ok_or(Bail)?;
                    self.pos += 1;
                    Ok(b)
                };
                WChar::from(utf16_escape(&mut hex)?)
            }
            _ => return Err(Bail),
        })
    }

    /// Skips wrapper whitespace: spaces, and `\n`, `\r`, `\t` escapes.
    fn ws(&mut self) -> Result<()> {
        let bytes = self.s.as_bytes();
        loop {
            match (bytes.get(self.pos), bytes.get(self.pos + 1)) {
                (Some(b' '), _) => self.pos += 1,
                (Some(b'\\'), Some(b'n' | b'r' | b't')) => self.pos += 2,
                (Some(b'\\'), Some(b'u')) => {
                    // Rare: decode it to see.
                    if !matches!(self.peek()?, 0x20 | 0x0A | 0x0D | 0x09) {
                        return Ok(());
                    }
                    self.next()?;
                }
                _ => return Ok(()),
            }
        }
    }

    fn expect(&mut self, c: u8) -> Result<()> {
        if self.next()? == WChar::from(c) {
            Ok(())
        } else {
            Err(Bail)
        }
    }

    /// The wrapper object, then the end of the `"p"` string.
    fn wrapper(&mut self) -> Result<Content<'a>> {
        let (mut client_id, mut pblite) = (None, None);
        self.object(|this, key| {
            match key {
                Key::Two if pblite.is_none() => pblite = Some(this.field_two(true)?),
                Key::Three if client_id.is_none() => client_id = Some(this.field_two(false)?),
                Key::Two | Key::Three => return Err(Bail), // given twice
                Key::Other => this.skip_value()?,
            }
            Ok(())
        })?;
        self.ws()?;
        if self.next()? != END {
            return Err(Bail);
        }
        let pblite = pblite.map(|p| match p {
            Two::Text(text) => Payload::Text(Cow::Owned(text)),
            Two::Updates(updates) => Payload::Updates(updates),
        });
        let client_id = match client_id {
            Some(Two::Text(id)) => Some(id),
            Some(Two::Updates(_)) => return Err(Bail),
            None => None,
        };
        Ok(Content::Wrapper { client_id, pblite })
    }

    /// `{"2": "<string>", ...}`: the string (other keys skipped). A big
    /// one (`pblite`) gets room for the rest of the chunk at once, unless
    /// it is a `"cbu"` payload that decodes where it sits (the usual case).
    fn field_two(&mut self, pblite: bool) -> Result<Two> {
        let mut value = None;
        self.object(|this, key| {
            match key {
                Key::Two if value.is_none() => {
                    this.ws()?;
                    this.expect(b'"')?;
                    if pblite
                        && this.nested
                        && this.s.as_bytes()[this.pos..].starts_with(CBU_NESTED)
                    {
                        let nested = pblite::decode_nested::<BatchUpdate>(
                            &this.s[this.pos..],
                            DecodeOptions::tagged(),
                        );
                        if let Ok((decoded, used)) = nested {
                            this.pos += used;
                            value = Some(Two::Updates(decoded.message.state_update));
                            return Ok(());
                        }
                    }
                    let mut text =
                        String::with_capacity(if pblite { this.s.len() - this.pos } else { 32 });
                    this.string(&mut text)?;
                    value = Some(Two::Text(text));
                }
                Key::Two => return Err(Bail),
                _ => this.skip_value()?,
            }
            Ok(())
        })?;
        value.ok_or(Bail)
    }

    /// An object, calling `field` with each key, positioned at its value.
    fn object(&mut self, mut field: impl FnMut(&mut Self, Key) -> Result<()>) -> Result<()> {
        self.ws()?;
        self.expect(b'{')?;
        self.ws()?;
        if self.peek()? == WChar::from(b'}') {
            self.next()?;
            return Ok(());
        }
        loop {
            self.ws()?;
            let key = match self.s.as_bytes().get(self.pos..self.pos + 6) {
                // The usual key, written plainly: `\"2\":`.
                Some(&[b'\\', b'"', k @ b'0'..=b'9', b'\\', b'"', b':']) => {
                    self.pos += 6;
                    match k {
                        b'2' => Key::Two,
                        b'3' => Key::Three,
                        _ => Key::Other,
                    }
                }
                _ => {
                    self.expect(b'"')?;
                    let mut key = KeyText::default();
                    self.string(&mut key)?;
                    self.ws()?;
                    self.expect(b':')?;
                    key.key()
                }
            };
            field(self, key)?;
            self.ws()?;
            match self.next()? {
                0x2C => {}             // ,
                0x7D => return Ok(()), // }
                _ => return Err(Bail),
            }
        }
    }

    /// The rest of a wrapper string (after its opening quote), with its own
    /// escapes decoded too. Runs of bytes that are plain at both levels are
    /// copied as they are.
    fn string(&mut self, out: &mut impl Sink) -> Result<()> {
        let bytes = self.s.as_bytes();
        loop {
            let start = self.pos;
            self.pos = plain_run(bytes, self.pos);
            if self.pos > start {
                out.push_str(&self.s[start..self.pos]);
            }
            // The usual escapes, decoded straight from the chunk's bytes:
            // `\\\"` is a quote, `\\\\` a backslash, `\\n` a newline...
            if bytes.get(self.pos) == Some(&b'\\') {
                let ahead = bytes.get(self.pos + 1..).unwrap_or_default();
                match ahead {
                    [b'"', ..] => {
                        self.pos += 2;
                        return Ok(());
                    }
                    [b'\\', b'\\', c @ (b'"' | b'\\'), ..] => {
                        out.push(char::from(*c));
                        self.pos += 4;
                        continue;
                    }
                    [b'\\', c @ (b'/' | b'b' | b'f' | b'n' | b'r' | b't'), ..] => {
                        out.push(simple_escape(*c));
                        self.pos += 3;
                        continue;
                    }
                    _ => {}
                }
            }
            match self.next()? {
                0x22 => return Ok(()), // the closing quote
                0x5C => {
                    let c = self.string_escape()?;
                    out.push(c);
                }
                END | 0..=0x1F => return Err(Bail),
                c => out.push(char::from_u32(c).ok_or(Bail)?),
            }
        }
    }

    /// After a `\` inside a wrapper string.
    fn string_escape(&mut self) -> Result<char> {
        let c = self.next()?;
        let c = match u8::try_from(c).map_err(|_| Bail)? {
            b @ (b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => simple_escape(b),
            b'u' => {
                let mut hex = || u8::try_from(self.next()?).map_err(|_| Bail);
                utf16_escape(&mut hex)?
            }
            _ => return Err(Bail),
        };
        Ok(c)
    }

    /// Skips (and checks) one JSON value of the wrapper.
    fn skip_value(&mut self) -> Result<()> {
        let start = self.pos;
        if self.skip_plain_value().is_some() {
            return Ok(());
        }
        self.pos = start;
        self.skip_any_value()
    }

    /// [`skip_value`](Self::skip_value) for values written plainly (no
    /// escapes in the wrapper's strings, only spaces between tokens),
    /// reading the chunk's bytes directly; `None` for anything else, to be
    /// read the general way. It accepts only what the general way accepts.
    fn skip_plain_value(&mut self) -> Option<()> {
        let bytes = self.s.as_bytes();
        let (mut open, mut depth) = (0u64, 0u32);
        loop {
            // A value is expected.
            while bytes.get(self.pos) == Some(&b' ') {
                self.pos += 1;
            }
            match *bytes.get(self.pos)? {
                b @ (b'{' | b'[') => {
                    self.pos += 1;
                    let object = b == b'{';
                    while bytes.get(self.pos) == Some(&b' ') {
                        self.pos += 1;
                    }
                    if bytes.get(self.pos) == Some(if object { &b'}' } else { &b']' }) {
                        self.pos += 1;
                    } else {
                        if depth == 64 {
                            return None;
                        }
                        open = open << 1 | u64::from(object);
                        depth += 1;
                        if object {
                            self.plain_key()?;
                        }
                        continue;
                    }
                }
                b'\\' => self.plain_string()?,
                b'-' | b'0'..=b'9' => {
                    let start = self.pos;
                    while let Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') =
                        bytes.get(self.pos)
                    {
                        self.pos += 1;
                    }
                    if !is_json_number(&bytes[start..self.pos]) {
                        return None;
                    }
                }
                b't' | b'f' | b'n' => {
                    let word: &[u8] = match bytes[self.pos] {
                        b't' => b"true",
                        b'f' => b"false",
                        _ => b"null",
                    };
                    if !bytes[self.pos..].starts_with(word) {
                        return None;
                    }
                    self.pos += word.len();
                }
                _ => return None,
            }
            // A value is complete: close containers or go on to the next.
            loop {
                if depth == 0 {
                    return Some(());
                }
                let object = open & 1 == 1;
                while bytes.get(self.pos) == Some(&b' ') {
                    self.pos += 1;
                }
                match (*bytes.get(self.pos)?, object) {
                    (b',', _) => {
                        self.pos += 1;
                        if object {
                            self.plain_key()?;
                        }
                        break;
                    }
                    (b'}', true) | (b']', false) => self.pos += 1,
                    _ => return None,
                }
                open >>= 1;
                depth -= 1;
            }
        }
    }

    /// `"key":` written plainly, inside [`skip_plain_value`](Self::skip_plain_value).
    fn plain_key(&mut self) -> Option<()> {
        let bytes = self.s.as_bytes();
        while bytes.get(self.pos) == Some(&b' ') {
            self.pos += 1;
        }
        if bytes.get(self.pos) != Some(&b'\\') {
            return None;
        }
        self.plain_string()?;
        while bytes.get(self.pos) == Some(&b' ') {
            self.pos += 1;
        }
        if bytes.get(self.pos) != Some(&b':') {
            return None;
        }
        self.pos += 1;
        Some(())
    }

    /// A wrapper string written plainly: `\"`, bytes that need no escape,
    /// `\"`.
    fn plain_string(&mut self) -> Option<()> {
        let bytes = self.s.as_bytes();
        if bytes.get(self.pos..self.pos + 2) != Some(b"\\\"") {
            return None;
        }
        self.pos = plain_run(bytes, self.pos + 2);
        if bytes.get(self.pos..self.pos + 2) != Some(b"\\\"") {
            return None;
        }
        self.pos += 2;
        Some(())
    }

    /// [`skip_value`](Self::skip_value), the general way.
    fn skip_any_value(&mut self) -> Result<()> {
        // Open containers as a stack of bits, innermost lowest: 1 for an
        // object. Deeper than 64 is not the usual shape.
        let (mut open, mut depth) = (0u64, 0u32);
        loop {
            // A value is expected.
            self.ws()?;
            let c = self.next()?;
            match u8::try_from(c).map_err(|_| Bail)? {
                b @ (b'{' | b'[') => {
                    let object = b == b'{';
                    self.ws()?;
                    if self.peek()? == WChar::from(if object { b'}' } else { b']' }) {
                        self.next()?;
                    } else {
                        if depth == 64 {
                            return Err(Bail);
                        }
                        open = open << 1 | u64::from(object);
                        depth += 1;
                        if object {
                            self.key()?;
                        }
                        continue;
                    }
                }
                b'"' => self.string(&mut Discard)?,
                b @ (b'-' | b'0'..=b'9') => self.number(b)?,
                b't' => self.word("rue")?,
                b'f' => self.word("alse")?,
                b'n' => self.word("ull")?,
                _ => return Err(Bail),
            }
            // A value is complete: close containers or go on to the next.
            loop {
                if depth == 0 {
                    return Ok(());
                }
                let object = open & 1 == 1;
                self.ws()?;
                match self.next()? {
                    0x2C => {
                        if object {
                            self.key()?;
                        }
                        break;
                    }
                    0x7D if object => {}
                    0x5D if !object => {}
                    _ => return Err(Bail),
                }
                open >>= 1;
                depth -= 1;
            }
        }
    }

    /// `"key":` inside a skipped object.
    fn key(&mut self) -> Result<()> {
        self.ws()?;
        self.expect(b'"')?;
        self.string(&mut Discard)?;
        self.ws()?;
        self.expect(b':')
    }

    fn word(&mut self, rest: &str) -> Result<()> {
        rest.bytes().try_for_each(|b| self.expect(b))
    }

    /// A JSON number whose first character `first` is read.
    fn number(&mut self, first: u8) -> Result<()> {
        let mut text = [0u8; 32];
        text[0] = first;
        let mut len = 1;
        while let Ok(b) = u8::try_from(self.peek()?) {
            if !matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') {
                break;
            }
            *text.get_mut(len).ok_or(Bail)? = b;
            len += 1;
            self.next()?;
        }
        if is_json_number(&text[..len]) {
            Ok(())
        } else {
            Err(Bail)
        }
    }
}

/// The value of a `"2"` key.
enum Two {
    Text(String),
    Updates(Vec<StateUpdate>),
}

/// The wrapper keys that matter.
#[derive(Clone, Copy)]
enum Key {
    Two,
    Three,
    Other,
}

/// Where decoded string text goes.
trait Sink {
    fn push_str(&mut self, s: &str);
    fn push(&mut self, c: char);
}

impl Sink for String {
    fn push_str(&mut self, s: &str) {
        String::push_str(self, s);
    }
    fn push(&mut self, c: char) {
        String::push(self, c);
    }
}

/// Skipped string text.
struct Discard;

impl Sink for Discard {
    fn push_str(&mut self, _: &str) {}
    fn push(&mut self, _: char) {}
}

/// A key, kept only as far as it could be `"2"` or `"3"`.
#[derive(Default)]
struct KeyText {
    first: Option<char>,
    len: usize,
}

impl KeyText {
    fn key(&self) -> Key {
        match (self.len, self.first) {
            (1, Some('2')) => Key::Two,
            (1, Some('3')) => Key::Three,
            _ => Key::Other,
        }
    }
}

impl Sink for KeyText {
    fn push_str(&mut self, s: &str) {
        s.chars().for_each(|c| self.push(c));
    }
    fn push(&mut self, c: char) {
        self.first.get_or_insert(c);
        self.len += 1;
    }
}

/// The character of a one-letter escape (`\n` ...).
fn simple_escape(b: u8) -> char {
    match b {
        b'b' => '\u{8}',
        b'f' => '\u{c}',
        b'n' => '\n',
        b'r' => '\r',
        b't' => '\t',
        _ => char::from(b),
    }
}

/// The end of the run of bytes from `i` that are neither `\`, `"` nor
/// control characters, looked at eight at a time (SWAR: the lowest byte
/// flagged by these bit tricks is always a true match).
fn plain_run(bytes: &[u8], mut i: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    while let Some(word) = bytes.get(i..i + 8) {
        let Ok(word) = <[u8; 8]>::try_from(word) else {
            break;
        };
        let w = u64::from_le_bytes(word);
        let quote = w ^ (ONES * u64::from(b'"'));
        let backslash = w ^ (ONES * u64::from(b'\\'));
        let zero_byte = |v: u64| v.wrapping_sub(ONES) & !v;
        let control = w.wrapping_sub(ONES * 0x20) & !w;
        let found = (zero_byte(quote) | zero_byte(backslash) | control) & HIGH;
        if found != 0 {
            return i + (found.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while bytes
        .get(i)
        .is_some_and(|&b| b != b'"' && b != b'\\' && b >= 0x20)
    {
        i += 1;
    }
    i
}

/// The four hex digits after `\u`, and a second `\uXXXX` for a surrogate
/// pair; lone surrogates are refused (as serde_json does).
fn utf16_escape(next: &mut impl FnMut() -> Result<u8>) -> Result<char> {
    fn unit(next: &mut impl FnMut() -> Result<u8>) -> Result<u32> {
        let mut v = 0;
        for _ in 0..4 {
            let d = char::from(next()?).to_digit(16).ok_or(Bail)?;
            v = v * 16 + d;
        }
        Ok(v)
    }
    let first = unit(next)?;
    let code = match first {
        0xD800..=0xDBFF => {
            if next()? != b'\\' || next()? != b'u' {
                return Err(Bail);
            }
            let second = unit(next)?;
            if !(0xDC00..=0xDFFF).contains(&second) {
                return Err(Bail);
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        }
        0xDC00..=0xDFFF => return Err(Bail),
        _ => first,
    };
    char::from_u32(code).ok_or(Bail)
}

/// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`
fn is_json_number(b: &[u8]) -> bool {
    let mut i = usize::from(b.first() == Some(&b'-'));
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    let int_start = i;
    let n = digits(&mut i);
    if n == 0 || (n > 1 && b[int_start] == b'0') {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}
