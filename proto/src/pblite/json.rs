//! The JSON scanner under the pblite decoder: reads one value at a time
//! straight from the text, borrowing strings without escapes, and skips
//! unwanted values iteratively (no recursion, so no depth can overflow it).

use crate::DecodeError;
use std::borrow::Cow;

/// One scalar JSON value, or the kind of composite value that was skipped.
#[derive(Debug, Clone, PartialEq)]
#[doc(hidden)]
pub enum Token<'a> {
    Null,
    Bool(bool),
    /// Integer syntax that fits an i64.
    Int(i64),
    /// Integer syntax above `i64::MAX` that fits a u64.
    UInt(u64),
    /// Integer syntax too large for 64 bits, as the nearest double.
    BigInt(f64),
    /// Number with a fraction or exponent.
    Float(f64),
    Str(Cow<'a, str>),
    /// A string holding a lone UTF-16 surrogate, which Rust cannot represent.
    BadStr,
    /// An array (already skipped).
    Array,
    /// An object (already skipped).
    Object,
}

impl Token<'_> {
    /// The token with any borrowed text copied.
    fn into_owned(self) -> Token<'static> {
        match self {
            Token::Null => Token::Null,
            Token::Bool(b) => Token::Bool(b),
            Token::Int(i) => Token::Int(i),
            Token::UInt(u) => Token::UInt(u),
            Token::BigInt(f) => Token::BigInt(f),
            Token::Float(f) => Token::Float(f),
            Token::Str(s) => Token::Str(Cow::Owned(s.into_owned())),
            Token::BadStr => Token::BadStr,
            Token::Array => Token::Array,
            Token::Object => Token::Object,
        }
    }

    /// A short name of the JSON type for log messages.
    pub(crate) fn json_type(&self) -> &'static str {
        match self {
            Token::Null => "null",
            Token::Bool(_) => "bool",
            Token::Int(_) | Token::UInt(_) | Token::BigInt(_) => "integer",
            Token::Float(_) => "float",
            Token::Str(_) | Token::BadStr => "string",
            Token::Array => "array",
            Token::Object => "object",
        }
    }
}

/// A cursor over JSON text.
///
/// In *nested* mode (see [`Scanner::nested`]) the JSON is read where it
/// sits inside a JSON string that is itself inside a JSON string (the
/// pblite of a push-channel chunk), so every character of it is escaped
/// twice: a quote is `\\\"`, a backslash `\\\\`, and the text ends
/// at the `\"` that closes the outer string. Structural characters,
/// numbers and literals are the same bytes at every level, so the scanner
/// reads them as usual; only quotes, whitespace escapes and string
/// contents need care. Nested mode is strict: anything unusual (escapes
/// of structural characters, raw control characters, ...) is an error,
/// and the caller then unescapes the text and decodes it normally, so
/// being strict never changes a result. Error offsets are raw positions.
pub(crate) struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pub(crate) pos: usize,
    nested: bool,
}

/// A quote of the JSON in nested mode: `\\\"`.
const NESTED_QUOTE: [u8; 4] = *b"\\\\\\\"";
/// The end of the JSON in nested mode: the quote closing the outer string.
const NESTED_END: [u8; 2] = *b"\\\"";

impl<'a> Scanner<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Scanner {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            nested: false,
        }
    }

    /// A scanner of JSON escaped twice, starting at `text[0]` (see the
    /// type's docs).
    pub(crate) fn nested(text: &'a str) -> Self {
        Scanner {
            nested: true,
            ..Scanner::new(text)
        }
    }

    pub(crate) fn error(&self, reason: &'static str) -> DecodeError {
        DecodeError::Json {
            offset: self.pos,
            reason,
        }
    }

    /// Skips whitespace and returns the next byte (0 at the end).
    ///
    /// In nested mode: `"` at a (4-byte) quote, which is left unconsumed;
    /// 0 at the end of the outer string; 1 (never valid) at anything else
    /// that is escaped.
    #[inline]
    pub(crate) fn peek(&mut self) -> u8 {
        // Fast path: a token right here, or after one space.
        let mut b = self.bytes.get(self.pos).copied().unwrap_or(0);
        if b == b' ' {
            self.pos += 1;
            b = self.bytes.get(self.pos).copied().unwrap_or(0);
        }
        if b > b' ' && b != b'\\' {
            return b;
        }
        if b == b'\\' && self.nested && self.is_at(self.pos, NESTED_QUOTE) {
            return b'"';
        }
        self.peek_slow()
    }

    /// [`peek`](Self::peek) at anything else: more whitespace, an escape,
    /// the end.
    fn peek_slow(&mut self) -> u8 {
        while let Some(&b) = self.bytes.get(self.pos) {
            match b {
                b' ' => self.pos += 1,
                b'\n' | b'\r' | b'\t' | b'\\' => {
                    if let Some(b) = self.peek_special(b) {
                        return b;
                    }
                }
                _ => return b,
            }
        }
        0
    }

    /// [`peek`](Self::peek) at a `\\` or a control character: `None`
    /// after skipping a whitespace character.
    #[inline]
    fn peek_special(&mut self, b: u8) -> Option<u8> {
        if self.nested {
            if self.is_at(self.pos, NESTED_QUOTE) {
                return Some(b'"');
            }
            return self.nested_peek();
        }
        if b == b'\\' {
            return Some(b);
        }
        self.pos += 1;
        None
    }

    /// [`peek_special`](Self::peek_special) in nested mode.
    #[inline(never)]
    fn nested_peek(&mut self) -> Option<u8> {
        let rest = &self.bytes[self.pos..];
        if self.is_at(self.pos, NESTED_QUOTE) {
            Some(b'"')
        } else if self.is_at(self.pos, NESTED_END) {
            Some(0)
        } else if let [b'\\', b'\\', b'n' | b'r' | b't', ..] = rest {
            self.pos += 3;
            None
        } else {
            Some(1)
        }
    }

    /// Consumes `b` (after whitespace) or fails.
    #[inline]
    pub(crate) fn expect(&mut self, b: u8, reason: &'static str) -> Result<(), DecodeError> {
        if self.peek() == b {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(reason))
        }
    }

    /// After an element: `true` for `,`, `false` for `close`.
    #[inline]
    pub(crate) fn comma_or(&mut self, close: u8) -> Result<bool, DecodeError> {
        match self.peek() {
            b',' => {
                self.pos += 1;
                Ok(true)
            }
            b if b == close => {
                self.pos += 1;
                Ok(false)
            }
            _ => Err(self.error("expected ',' or a closing bracket")),
        }
    }

    /// Whether the text after the value is only whitespace (in nested
    /// mode: up to the end of the outer string).
    pub(crate) fn at_end(&mut self) -> bool {
        if self.nested {
            self.peek() == 0 && self.is_at(self.pos, NESTED_END)
        } else {
            self.peek() == 0 && self.pos >= self.bytes.len()
        }
    }

    /// In nested mode, at the end: where the text after the outer string
    /// starts.
    pub(crate) fn nested_end(&self) -> usize {
        self.pos + NESTED_END.len()
    }

    /// Whether `bytes` are at `pos`.
    #[inline]
    fn is_at<const N: usize>(&self, pos: usize, bytes: [u8; N]) -> bool {
        self.bytes
            .get(pos..pos + N)
            .is_some_and(|b| <[u8; N]>::try_from(b).is_ok_and(|b| b == bytes))
    }

    /// Consumes elements `null,` (each followed by at most one space, and
    /// the first preceded by one) and returns how many: what
    /// [`peek`](Self::peek), [`null`](Self::null) and
    /// [`comma_or`](Self::comma_or) would do with them, one step each.
    #[inline]
    pub(crate) fn skip_nulls(&mut self) -> u32 {
        let mut n = 0;
        let mut p = self.pos + usize::from(self.bytes.get(self.pos) == Some(&b' '));
        while self.bytes.get(p..p + 5) == Some(b"null,") {
            p += 5;
            p += usize::from(self.bytes.get(p) == Some(&b' '));
            self.pos = p;
            n += 1;
        }
        n
    }

    /// Consumes `null` if the text at the cursor (after whitespace) is that.
    #[inline]
    pub(crate) fn null(&mut self) -> bool {
        let found = self.is_at(self.pos, *b"null");
        if found {
            self.pos += 4;
        }
        found
    }

    fn literal(&mut self, word: &'static str) -> Result<(), DecodeError> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(())
        } else {
            Err(self.error("invalid literal"))
        }
    }

    /// Reads one value; arrays and objects are skipped and only named.
    #[inline]
    pub(crate) fn token(&mut self) -> Result<Token<'a>, DecodeError> {
        match self.peek() {
            b'n' => self.literal("null").map(|()| Token::Null),
            b't' => self.literal("true").map(|()| Token::Bool(true)),
            b'f' => self.literal("false").map(|()| Token::Bool(false)),
            b'"' => self.string(),
            b'-' | b'0'..=b'9' => self.number(),
            b'[' => self.skip_value().map(|()| Token::Array),
            b'{' => self.skip_value().map(|()| Token::Object),
            0 => Err(self.error("unexpected end of input")),
            _ => Err(self.error("unexpected character")),
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while self.bytes.get(self.pos).is_some_and(u8::is_ascii_digit) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// The digits from `pos`: their value, exact for up to 18 of them
    /// (wrapping beyond, where it is not used), and where they end. Eight
    /// at a time, then one by one.
    #[inline]
    fn digits_value(&self, mut pos: usize) -> (u64, usize) {
        let mut value: u64 = 0;
        while let Some(eight) = self.bytes.get(pos..pos + 8) {
            let Some(x) = <[u8; 8]>::try_from(eight).ok().and_then(eight_digits) else {
                break;
            };
            value = value.wrapping_mul(100_000_000).wrapping_add(u64::from(x));
            pos += 8;
        }
        while let Some(&d) = self.bytes.get(pos) {
            let d = d.wrapping_sub(b'0');
            if d > 9 {
                break;
            }
            value = value.wrapping_mul(10).wrapping_add(u64::from(d));
            pos += 1;
        }
        (value, pos)
    }

    /// A non-negative integer of up to 18 digits at the cursor (after
    /// whitespace): its value and where it ends, without consuming it.
    /// `None` for anything else (other numbers included).
    #[inline]
    pub(crate) fn peek_small_uint(&mut self) -> Option<(u64, usize)> {
        let first = self.peek();
        if !first.is_ascii_digit() {
            return None;
        }
        // One digit (enums, bools, small numbers): the commonest.
        let next = self.bytes.get(self.pos + 1).copied().unwrap_or(0);
        if !next.is_ascii_digit() && !matches!(next, b'.' | b'e' | b'E') {
            return Some((u64::from(first - b'0'), self.pos + 1));
        }
        let (value, end) = self.digits_value(self.pos);
        let n = end - self.pos;
        let leading_zero = n > 1 && self.bytes[self.pos] == b'0';
        let more = matches!(self.bytes.get(end), Some(b'.' | b'e' | b'E'));
        if n > 18 || leading_zero || more {
            return None;
        }
        Some((value, end))
    }

    fn number(&mut self) -> Result<Token<'a>, DecodeError> {
        let start = self.pos;
        let neg = self.bytes[self.pos] == b'-';
        if neg {
            self.pos += 1;
        }
        let int_start = self.pos;
        let (value, end) = self.digits_value(self.pos);
        self.pos = end;
        let n = self.pos - int_start;
        if n == 0 || (n > 1 && self.bytes[int_start] == b'0') {
            return Err(self.error("invalid number"));
        }
        let int_end = self.pos;
        let is_int = !matches!(self.bytes.get(self.pos), Some(b'.' | b'e' | b'E'));
        if is_int && n <= 18 {
            // Fits an i64 whatever the digits.
            #[allow(clippy::cast_possible_wrap)]
            let v = value as i64;
            return Ok(Token::Int(if neg { -v } else { v }));
        }
        let mut is_float = false;
        if self.bytes.get(self.pos) == Some(&b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
            is_float = true;
        }
        if matches!(self.bytes.get(self.pos), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.bytes.get(self.pos), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.error("invalid number"));
            }
            is_float = true;
        }
        let text = &self.text[start..self.pos];
        if is_float {
            return text
                .parse()
                .map(Token::Float)
                .map_err(|_| self.error("invalid number"));
        }
        let digits = &self.bytes[int_start..int_end];
        if digits.len() <= 20 {
            let mut v: u64 = 0;
            let mut ok = true;
            for &d in digits {
                match v
                    .checked_mul(10)
                    .and_then(|x| x.checked_add(u64::from(d - b'0')))
                {
                    Some(x) => v = x,
                    None => ok = false,
                }
            }
            if ok {
                if !neg {
                    return Ok(i64::try_from(v).map_or(Token::UInt(v), Token::Int));
                }
                if v <= 1 << 63 {
                    return Ok(Token::Int(0i64.wrapping_sub_unsigned(v)));
                }
            }
        }
        text.parse()
            .map(Token::BigInt)
            .map_err(|_| self.error("invalid number"))
    }

    fn hex4(&mut self) -> Result<u32, DecodeError> {
        let h = self
            .bytes
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| self.error("short \\u escape"))?;
        let mut v = 0u32;
        for &c in h {
            let d = (c as char)
                .to_digit(16)
                .ok_or_else(|| self.error("bad \\u escape"))?;
            v = v * 16 + d;
        }
        self.pos += 4;
        Ok(v)
    }

    /// A string without escapes at the cursor (after whitespace), consumed;
    /// `None` (and nothing consumed) for anything else.
    #[inline]
    pub(crate) fn plain_string(&mut self) -> Option<&'a str> {
        if self.peek() != b'"' {
            return None;
        }
        let width = if self.nested {
            if !self.is_at(self.pos, NESTED_QUOTE) {
                return None;
            }
            NESTED_QUOTE.len()
        } else {
            1
        };
        let start = self.pos + width;
        let end = plain_run(self.bytes, start);
        let closed = if self.nested {
            self.is_at(end, NESTED_QUOTE)
        } else {
            self.bytes.get(end) == Some(&b'"')
        };
        if !closed {
            return None;
        }
        self.pos = end + width;
        self.text.get(start..end)
    }

    /// Reads a string; positioned at its opening quote.
    pub(crate) fn string(&mut self) -> Result<Token<'a>, DecodeError> {
        if self.nested {
            return self.nested_string();
        }
        self.pos += 1;
        let start = self.pos;
        // Fast path: no escapes.
        self.pos = plain_run(self.bytes, self.pos);
        match self.bytes.get(self.pos) {
            Some(b'"') => {
                let s = &self.text[start..self.pos];
                self.pos += 1;
                return Ok(Token::Str(Cow::Borrowed(s)));
            }
            Some(b'\\') => {}
            Some(_) => return Err(self.error("control character in string")),
            None => return Err(self.error("unterminated string")),
        }
        let mut out = String::with_capacity(self.pos - start + 16);
        out.push_str(&self.text[start..self.pos]);
        let mut bad = false;
        loop {
            let run = self.pos;
            self.pos = plain_run(self.bytes, self.pos);
            out.push_str(&self.text[run..self.pos]);
            match self.bytes.get(self.pos) {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(if bad {
                        Token::BadStr
                    } else {
                        Token::Str(Cow::Owned(out))
                    });
                }
                Some(b'\\') => {
                    self.pos += 1;
                    let e = *self
                        .bytes
                        .get(self.pos)
                        .ok_or_else(|| self.error("unterminated string"))?;
                    self.pos += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let cp = if (0xD800..0xDC00).contains(&hi)
                                && self.bytes[self.pos..].starts_with(b"\\u")
                            {
                                let save = self.pos;
                                self.pos += 2;
                                let lo = self.hex4()?;
                                if (0xDC00..0xE000).contains(&lo) {
                                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                                } else {
                                    self.pos = save;
                                    hi
                                }
                            } else {
                                hi
                            };
                            match char::from_u32(cp) {
                                Some(c) => out.push(c),
                                None => bad = true,
                            }
                        }
                        _ => return Err(self.error("bad escape")),
                    }
                }
                Some(_) => return Err(self.error("control character in string")),
                None => return Err(self.error("unterminated string")),
            }
        }
    }

    /// [`string`](Self::string) in nested mode.
    #[inline(never)]
    fn nested_string(&mut self) -> Result<Token<'a>, DecodeError> {
        if !self.is_at(self.pos, NESTED_QUOTE) {
            return Err(self.error("expected a string"));
        }
        self.pos += NESTED_QUOTE.len();
        let start = self.pos;
        self.pos = plain_run(self.bytes, self.pos);
        if self.is_at(self.pos, NESTED_QUOTE) {
            let s = &self.text[start..self.pos];
            self.pos += NESTED_QUOTE.len();
            return Ok(Token::Str(Cow::Borrowed(s)));
        }
        // The usual escapes, decoded from the raw bytes: `\\\\\\\"` is a
        // quote, `\\\\\\\\` a backslash, `\\\\n` a newline... A first
        // pass finds the decoded length, so the string is allocated once
        // and exactly.
        let Some(len) = usual_escapes_len(self.bytes, self.pos) else {
            return self.nested_string_rebuilt(start);
        };
        let mut out = String::with_capacity(self.pos - start + len);
        out.push_str(&self.text[start..self.pos]);
        loop {
            let at = self.pos;
            let c = match self.bytes.get(at..at + 8) {
                Some([b'\\', b'\\', b'\\', b'"', ..]) => {
                    self.pos += 4;
                    return Ok(Token::Str(Cow::Owned(out)));
                }
                Some([b'\\', b'\\', b'\\', b'\\', b'\\', b'\\', b'\\', c @ (b'"' | b'\\')]) => {
                    self.pos += 8;
                    char::from(*c)
                }
                Some(
                    [b'\\', b'\\', b'\\', b'\\', c @ (b'n' | b't' | b'r' | b'b' | b'f' | b'/'), ..],
                ) => {
                    self.pos += 5;
                    match c {
                        b'n' => '\n',
                        b't' => '\t',
                        b'r' => '\r',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        _ => '/',
                    }
                }
                _ => break,
            };
            out.push(c);
            let run = self.pos;
            self.pos = plain_run(self.bytes, self.pos);
            out.push_str(&self.text[run..self.pos]);
        }
        // Not reached: the first pass saw only the usual escapes.
        self.nested_string_rebuilt(start)
    }

    /// [`nested_string`](Self::nested_string) with escapes other than the
    /// usual ones: rebuild the string as plain JSON (its own escapes kept,
    /// the two outer levels removed), then read that as usual. `start` is
    /// where the string's contents start.
    #[inline(never)]
    fn nested_string_rebuilt(&mut self, start: usize) -> Result<Token<'a>, DecodeError> {
        self.pos = start;
        let mut json = String::with_capacity(64);
        json.push('"');
        let mut escaped = false;
        loop {
            let run = self.pos;
            self.pos = plain_run(self.bytes, self.pos);
            if self.pos > run {
                json.push_str(&self.text[run..self.pos]);
                escaped = false;
            }
            let c = self
                .inner_char()
                .ok_or_else(|| self.error("unexpected escape in nested JSON"))?;
            json.push(c);
            match c {
                '"' if !escaped => break,
                '\\' => escaped = !escaped,
                _ => escaped = false,
            }
        }
        let mut plain = Scanner::new(&json);
        let token = plain.string()?;
        if plain.pos != json.len() {
            return Err(self.error("unexpected escape in nested JSON"));
        }
        Ok(token.into_owned())
    }

    /// In nested mode, inside a string: the next character of the JSON
    /// text (both outer levels of escapes decoded); `None` at the end of
    /// the outer string or at anything invalid there.
    fn inner_char(&mut self) -> Option<char> {
        match self.middle_char()? {
            '\\' => {}
            '"' => return None,
            c if c < ' ' => return None,
            c => return Some(c),
        }
        Some(match self.middle_char()? {
            c @ ('"' | '\\' | '/') => c,
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'u' => {
                let hi = self.middle_hex4()?;
                let code = match hi {
                    0xD800..=0xDBFF => {
                        if self.middle_char()? != '\\' || self.middle_char()? != 'u' {
                            return None;
                        }
                        let lo = self.middle_hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&lo) {
                            return None;
                        }
                        0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                    }
                    0xDC00..=0xDFFF => return None,
                    c => c,
                };
                char::from_u32(code)?
            }
            _ => return None,
        })
    }

    fn middle_hex4(&mut self) -> Option<u32> {
        let mut v = 0;
        for _ in 0..4 {
            v = v * 16 + self.middle_char()?.to_digit(16)?;
        }
        Some(v)
    }

    /// In nested mode: the next character of the middle level (the raw
    /// text with one level of escapes decoded); `None` at the end of the
    /// outer string or at anything invalid.
    fn middle_char(&mut self) -> Option<char> {
        let b = *self.bytes.get(self.pos)?;
        if b != b'\\' {
            if b == b'"' || b < 0x20 {
                return None;
            }
            let c = self.text.get(self.pos..)?.chars().next()?;
            self.pos += c.len_utf8();
            return Some(c);
        }
        let e = *self.bytes.get(self.pos + 1)?;
        self.pos += 2;
        Some(match e {
            b'"' | b'\\' | b'/' => char::from(e),
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let hi = self.raw_hex4()?;
                let code = match hi {
                    0xD800..=0xDBFF => {
                        if self.bytes.get(self.pos..self.pos + 2) != Some(b"\\u") {
                            return None;
                        }
                        self.pos += 2;
                        let lo = self.raw_hex4()?;
                        if !(0xDC00..=0xDFFF).contains(&lo) {
                            return None;
                        }
                        0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                    }
                    0xDC00..=0xDFFF => return None,
                    c => c,
                };
                char::from_u32(code)?
            }
            _ => return None,
        })
    }

    fn raw_hex4(&mut self) -> Option<u32> {
        let h = self.bytes.get(self.pos..self.pos + 4)?;
        let mut v = 0;
        for &c in h {
            v = v * 16 + char::from(c).to_digit(16)?;
        }
        self.pos += 4;
        Some(v)
    }

    /// Skips one value of any kind, iteratively.
    pub(crate) fn skip_value(&mut self) -> Result<(), DecodeError> {
        let mut stack = Closers::default();
        loop {
            match self.peek() {
                b'[' => {
                    self.pos += 1;
                    if self.peek() == b']' {
                        self.pos += 1;
                    } else {
                        stack.push(false);
                        continue;
                    }
                }
                b'{' => {
                    self.pos += 1;
                    if self.peek() == b'}' {
                        self.pos += 1;
                    } else {
                        stack.push(true);
                        self.object_key()?;
                        continue;
                    }
                }
                _ => {
                    self.token()?;
                }
            }
            loop {
                let Some(object) = stack.last() else {
                    return Ok(());
                };
                if self.comma_or(if object { b'}' } else { b']' })? {
                    if object {
                        self.object_key()?;
                    }
                    break;
                }
                stack.pop();
            }
        }
    }

    /// Skips an object (at its `{`) and returns how many keys it has.
    pub(crate) fn count_object_keys(&mut self) -> Result<usize, DecodeError> {
        self.pos += 1;
        if self.peek() == b'}' {
            self.pos += 1;
            return Ok(0);
        }
        let mut n = 0;
        loop {
            self.object_key()?;
            self.skip_value()?;
            n += 1;
            if !self.comma_or(b'}')? {
                return Ok(n);
            }
        }
    }

    /// Reads `"key":` inside an object and returns the key.
    pub(crate) fn object_key(&mut self) -> Result<Cow<'a, str>, DecodeError> {
        if self.peek() != b'"' {
            return Err(self.error("expected an object key"));
        }
        let key = match self.string()? {
            Token::Str(s) => s,
            _ => Cow::Borrowed(""),
        };
        self.expect(b':', "expected ':' after an object key")?;
        Ok(key)
    }
}

/// The containers open in [`Scanner::skip_value`], innermost last (`true`
/// for an object): the first 64 as bits, so that skipping allocates only
/// beyond that depth.
#[derive(Default)]
struct Closers {
    bits: u64,
    depth: usize,
    deeper: Vec<bool>,
}

impl Closers {
    fn push(&mut self, object: bool) {
        if self.depth < 64 {
            self.bits = self.bits << 1 | u64::from(object);
        } else {
            self.deeper.push(object);
        }
        self.depth += 1;
    }

    fn last(&self) -> Option<bool> {
        match self.depth {
            0 => None,
            1..=64 => Some(self.bits & 1 == 1),
            _ => self.deeper.last().copied(),
        }
    }

    fn pop(&mut self) {
        if self.depth > 64 {
            self.deeper.pop();
        } else {
            self.bits >>= 1;
        }
        self.depth = self.depth.saturating_sub(1);
    }
}

/// In nested mode, from `pos` inside a string (at an escape): the
/// decoded length of the rest of the string, if it has only the usual
/// escapes (those [`Scanner::nested_string`] decodes straight from the raw
/// bytes) up to its closing quote; `None` for anything else.
fn usual_escapes_len(bytes: &[u8], mut pos: usize) -> Option<usize> {
    let mut len = 0;
    loop {
        match bytes.get(pos..pos + 8) {
            Some([b'\\', b'\\', b'\\', b'"', ..]) => return Some(len),
            Some([b'\\', b'\\', b'\\', b'\\', b'\\', b'\\', b'\\', b'"' | b'\\']) => pos += 8,
            Some([b'\\', b'\\', b'\\', b'\\', b'n' | b't' | b'r' | b'b' | b'f' | b'/', ..]) => {
                pos += 5
            }
            _ => return None,
        }
        len += 1;
        let run = pos;
        pos = plain_run(bytes, pos);
        len += pos - run;
    }
}

/// The end of the run of bytes from `i` that are neither `"`, `\\` nor
/// control characters, looked at eight at a time (SWAR: the lowest byte
/// flagged by these bit tricks is always a true match; higher ones may be
/// false positives, which is why only the lowest is used).
#[inline]
pub(crate) fn plain_run(bytes: &[u8], mut i: usize) -> usize {
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

/// The value of eight ASCII digits (the first one most significant), or
/// `None` if any byte is not a digit.
#[inline]
fn eight_digits(bytes: [u8; 8]) -> Option<u32> {
    const ZEROS: u64 = 0x3030_3030_3030_3030;
    const HIGH_NIBBLES: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    let w = u64::from_le_bytes(bytes);
    // Each byte 0x30..=0x39: high nibble 3, and adding 6 to the digit
    // (0..=15 after the subtraction) does not reach 16.
    let d = w.wrapping_sub(ZEROS);
    if w & HIGH_NIBBLES != ZEROS || d.wrapping_add(0x0606_0606_0606_0606) & HIGH_NIBBLES != 0 {
        return None;
    }
    // Pairs of digits in the even bytes (10 * first + second), then groups
    // of four in the even 16-bit lanes, then the two groups.
    let pairs = (d * 10 + (d >> 8)) & 0x00FF_00FF_00FF_00FF;
    let quads = (pairs * 100 + (pairs >> 16)) & 0x0000_FFFF_0000_FFFF;
    #[allow(clippy::cast_possible_truncation)]
    Some(((quads & 0xFFFF) * 10_000 + (quads >> 32)) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eight_digits_reads_only_digits() {
        assert_eq!(eight_digits(*b"12345678"), Some(12_345_678));
        assert_eq!(eight_digits(*b"00000000"), Some(0));
        assert_eq!(eight_digits(*b"99999999"), Some(99_999_999));
        assert_eq!(eight_digits(*b"09080706"), Some(9_080_706));
        for i in 0..8 {
            for b in [
                b'/',
                b':',
                b'.',
                b'e',
                b',',
                b']',
                b' ',
                b'-',
                0x30 + 10,
                0xB0,
                0x00,
            ] {
                let mut x = *b"12345678";
                x[i] = b;
                assert_eq!(eight_digits(x), None, "{x:?}");
            }
        }
    }

    #[test]
    fn numbers_of_every_length() {
        for len in 1..=25 {
            for first in ['1', '9'] {
                let digits: String = std::iter::once(first)
                    .chain("8765432109876543210987654".chars())
                    .take(len)
                    .collect();
                for sign in ["", "-"] {
                    for tail in ["", ",", "]", ".5", "e3"] {
                        let text = format!("{sign}{digits}{tail}");
                        let mut s = Scanner::new(&text);
                        let t = s.token().unwrap();
                        let number = format!("{sign}{digits}");
                        let expected = if tail.starts_with(['.', 'e']) {
                            Token::Float(format!("{number}{tail}").parse().unwrap())
                        } else if let Ok(i) = number.parse::<i64>() {
                            Token::Int(i)
                        } else if let Ok(u) = number.parse::<u64>() {
                            Token::UInt(u)
                        } else {
                            Token::BigInt(number.parse().unwrap())
                        };
                        assert_eq!(t, expected, "{text}");
                    }
                }
            }
        }
    }
}
