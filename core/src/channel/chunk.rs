//! Framing of the long-poll body: `<decimal length>\n<payload>`, repeated,
//! where the length counts the payload's **UTF-16 code units** (JavaScript's
//! `String.length`; PROTOCOL.md §1.5).
//!
//! [`ChunkParser`] takes the body in pieces of any size, split anywhere
//! (inside the digits, inside a multi-byte UTF-8 sequence), and returns
//! each complete payload: as a `String` ([`ChunkParser::feed`], then
//! [`ChunkParser::next_chunk`]), or, without copying, as a slice of the
//! read it sits in ([`ChunkParser::chunks`], then [`Chunks::next_chunk`]:
//! only a chunk that straddles reads is assembled in the parser's buffer,
//! and only from its own bytes). Both ways give the same chunks and errors,
//! and can be mixed.
//!
//! ## Linear in the input
//!
//! hangups decodes its whole buffer again on every read, which is quadratic
//! in the size of a chunk when the reads are small. Here every byte is
//! examined a constant number of times whatever the read size:
//!
//! - each read is validated as UTF-8 once, as it is fed, and appended to
//!   a text buffer (only an incomplete character at its end, at most 3
//!   bytes, waits for the next read);
//! - the parser remembers how far it has scanned and how many UTF-16 units
//!   the chunk in progress holds, and counts only the new text, in bulk;
//! - a complete chunk is copied out once (by `next_chunk`; `chunks` hands
//!   out slices, and copies only the bytes of a chunk that straddles
//!   reads); the buffer drops its consumed prefix only when that prefix is
//!   at least as long as what remains, so the bytes moved are paid for by
//!   the bytes dropped.
//!
//! ## Errors, where hangups stalls or raises
//!
//! Every error is final for the parser (and, in the channel, for that
//! long-poll): once [`ChunkParser::next_chunk`] has returned an error it
//! returns the same error again, and [`ChunkParser::feed`] discards input.
//!
//! - Anything other than ASCII digits and then `\n` where a length belongs
//!   is [`ChunkError::BadLength`]. hangups waits forever for such a stream
//!   to make sense; here the long-poll fails at once.
//! - A length above the maximum, or longer than 20 digits, is
//!   [`ChunkError::TooLarge`], reported as soon as the digits read so far
//!   exceed the maximum, without waiting for the payload (and the parser
//!   then keeps none of it).
//! - Invalid UTF-8 in a payload is [`ChunkError::InvalidUtf8`]; an
//!   incomplete sequence at the end of the input so far is not an error.
//! - A length that ends between the two UTF-16 units of one astral
//!   character (for example `1\n😀`) is [`ChunkError::SplitSurrogatePair`]:
//!   no `String` can hold half a character, and a JavaScript server would
//!   never send it.

use std::ops::Range;

/// The default maximum chunk size: 16 MiB of UTF-16 code units.
pub const DEFAULT_MAX_CHUNK: usize = 16 * 1024 * 1024;

/// The most digits a length line may have (`u64::MAX` has 20).
const MAX_DIGITS: u32 = 20;

/// Why the long-poll body cannot be framed. Every error is final for the
/// [`ChunkParser`] that reported it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ChunkError {
    /// Something other than ASCII digits followed by `\n` where a chunk
    /// length belongs (hangups stalls on this forever).
    #[error("expected a chunk length at byte {offset} of the body, found byte {found:#04x}")]
    BadLength {
        /// Offset of the offending byte from the start of the body.
        offset: u64,
        /// The offending byte.
        found: u8,
    },
    /// The declared length exceeds the parser's maximum. Reported at the
    /// first digit that takes the length over the maximum, so `claimed` is
    /// the value of the digits up to there (a lower bound of the declared
    /// length); `u64::MAX` when the line has more than 20 digits.
    #[error("chunk length of at least {claimed} UTF-16 units exceeds the maximum of {max}")]
    TooLarge {
        /// The declared length as far as it was read (see above).
        claimed: u64,
        /// The parser's maximum, in UTF-16 code units.
        max: usize,
    },
    /// The payload is not valid UTF-8.
    #[error("invalid UTF-8 at byte {offset} of the body")]
    InvalidUtf8 {
        /// Offset of the first byte of the invalid sequence from the start
        /// of the body.
        offset: u64,
    },
    /// The declared length ends between the two UTF-16 units of an astral
    /// character, which no string can hold.
    #[error(
        "chunk length {length} ends inside the surrogate pair of the character at byte {offset}"
    )]
    SplitSurrogatePair {
        /// The declared length, in UTF-16 code units.
        length: usize,
        /// Offset of the character from the start of the body.
        offset: u64,
    },
}

/// Where the parser is in the body.
#[derive(Debug, Clone)]
enum State {
    /// Reading the digits of a length line.
    Length { value: u64, digits: u32 },
    /// Reading a payload of `want` UTF-16 units that starts at `text[start]`;
    /// `units` of them are counted so far.
    Payload {
        start: usize,
        want: usize,
        units: usize,
    },
    /// An error happened; it sticks.
    Failed(ChunkError),
}

/// Splits a long-poll body into chunks (PROTOCOL.md §1.5). Sans-IO: feed it
/// the bytes read off the body with [`feed`](Self::feed), then call
/// [`next_chunk`](Self::next_chunk) until it returns `Ok(None)`.
///
/// ```
/// use hangups_core::channel::ChunkParser;
///
/// let mut parser = ChunkParser::new();
/// parser.feed("3\na😀".as_bytes());   // 😀 counts 2 UTF-16 units
/// parser.feed(b"2\n");
/// assert_eq!(parser.next_chunk()?, Some("a😀".to_owned()));
/// assert_eq!(parser.next_chunk()?, None);   // the next one is incomplete
/// parser.feed("[]".as_bytes());
/// assert_eq!(parser.next_chunk()?, Some("[]".to_owned()));
/// # Ok::<(), hangups_core::channel::ChunkError>(())
/// ```
///
/// Memory: the parser holds the bytes fed and not yet returned. Draining
/// [`next_chunk`](Self::next_chunk) after every [`feed`](Self::feed) keeps
/// that to one incomplete chunk (at most 3 bytes per UTF-16 unit of the
/// maximum) plus the last read.
#[derive(Debug, Clone)]
pub struct ChunkParser {
    max_units: usize,
    /// The input so far, validated; `text[..keep]` is consumed (see
    /// [`Self::keep`]) and dropped lazily.
    text: String,
    /// First byte of `text` not yet scanned.
    pos: usize,
    /// Body offset of `text[0]`.
    base: u64,
    /// The incomplete UTF-8 sequence that ends the input so far.
    carry: [u8; 4],
    carry_len: usize,
    /// The first byte of invalid UTF-8 in the input, which comes right
    /// after `text`; nothing after it is kept.
    invalid: Option<u8>,
    state: State,
    /// Bytes examined or moved so far, to prove the work linear.
    #[cfg(test)]
    examined: u64,
}

impl Default for ChunkParser {
    fn default() -> Self {
        Self::new()
    }
}

impl ChunkParser {
    /// A parser accepting chunks of up to [`DEFAULT_MAX_CHUNK`] UTF-16 units.
    pub fn new() -> Self {
        Self::with_max_chunk(DEFAULT_MAX_CHUNK)
    }

    /// A parser accepting chunks of up to `max_units` UTF-16 code units.
    pub fn with_max_chunk(max_units: usize) -> Self {
        ChunkParser {
            max_units,
            text: String::new(),
            pos: 0,
            base: 0,
            carry: [0; 4],
            carry_len: 0,
            invalid: None,
            state: State::Length {
                value: 0,
                digits: 0,
            },
            #[cfg(test)]
            examined: 0,
        }
    }

    /// Appends bytes read off the body. After an error, or after invalid
    /// UTF-8, they are discarded.
    pub fn feed(&mut self, mut data: &[u8]) {
        if matches!(self.state, State::Failed(_)) || self.invalid.is_some() || data.is_empty() {
            return;
        }
        if self.carry_len > 0 {
            // Complete the character split by the previous read.
            let width = utf8_width(self.carry[0]);
            let take = (width - self.carry_len).min(data.len());
            self.carry[self.carry_len..self.carry_len + take].copy_from_slice(&data[..take]);
            self.carry_len += take;
            data = &data[take..];
            self.count_work(self.carry_len);
            match std::str::from_utf8(&self.carry[..self.carry_len]) {
                Ok(c) if self.carry_len == width => {
                    self.text.push_str(c);
                    self.carry_len = 0;
                }
                Err(e) if e.error_len().is_some() => {
                    self.invalid = Some(self.carry[0]);
                    self.carry_len = 0;
                    return;
                }
                _ => return, // still incomplete, and `data` is used up
            }
        }
        self.compact();
        // Hold back an incomplete character at the end, validate the rest.
        let cut = incomplete_tail(data);
        self.count_work(2 * data.len());
        match std::str::from_utf8(&data[..cut]) {
            Ok(valid) => self.text.push_str(valid),
            Err(e) => {
                let mut pieces = data[..cut].utf8_chunks();
                if let Some(piece) = pieces.next() {
                    self.text.push_str(piece.valid());
                }
                self.invalid = Some(data[e.valid_up_to()]);
                return;
            }
        }
        let tail = &data[cut..];
        if std::str::from_utf8(tail).is_err_and(|e| e.error_len().is_some()) {
            self.invalid = Some(tail[0]);
        } else {
            self.carry[..tail.len()].copy_from_slice(tail);
            self.carry_len = tail.len();
        }
    }

    /// The next complete chunk: `Ok(None)` when more bytes are needed.
    ///
    /// This copies the chunk out of the parser's buffer (and [`feed`](Self::feed)
    /// copied it in); [`chunks`](Self::chunks) frames a read where it sits.
    pub fn next_chunk(&mut self) -> Result<Option<String>, ChunkError> {
        Ok(self.next_buffered()?.map(|range| {
            self.count_work(range.len());
            self.text[range].to_owned()
        }))
    }

    /// The next complete chunk of the buffered text, as a range of `text`.
    fn next_buffered(&mut self) -> Result<Option<Range<usize>>, ChunkError> {
        let result = self.advance();
        if let Err(e) = &result {
            self.fail(e.clone());
        }
        result
    }

    /// Makes `e` final: the buffer is dropped.
    fn fail(&mut self, e: ChunkError) {
        self.state = State::Failed(e);
        self.text = String::new();
        self.pos = 0;
        self.carry_len = 0;
    }

    /// Frames one read where it sits: the chunks that lie wholly inside
    /// `data` are returned as slices of it, without a copy; only a chunk
    /// that straddles reads is assembled in the parser's buffer (and only
    /// its own bytes are copied there). Call
    /// [`Chunks::next_chunk`] until it returns `Ok(None)`; what is left
    /// of `data` when the [`Chunks`] is dropped (all of it, if it was not
    /// drained) is buffered as [`feed`](Self::feed) would.
    ///
    /// Mixing this with [`feed`](Self::feed) and
    /// [`next_chunk`](Self::next_chunk) gives the same chunks and errors:
    /// the bytes fed earlier come first.
    ///
    /// ```
    /// use hangups_core::channel::ChunkParser;
    ///
    /// let mut parser = ChunkParser::new();
    /// let mut got = Vec::new();
    /// for read in [&b"2\nab3\nc"[..], b"de1\nf"] {
    ///     let mut chunks = parser.chunks(read);
    ///     while let Some(chunk) = chunks.next_chunk()? {
    ///         got.push(chunk.to_owned()); // "ab" and "f" are slices of the reads
    ///     }
    /// }
    /// assert_eq!(got, ["ab", "cde", "f"]);
    /// # Ok::<(), hangups_core::channel::ChunkError>(())
    /// ```
    pub fn chunks<'p>(&'p mut self, mut data: &'p [u8]) -> Chunks<'p> {
        if matches!(self.state, State::Failed(_)) || self.invalid.is_some() {
            data = &[];
        }
        if self.carry_len > 0 {
            // Complete the character split by the previous read.
            let width = utf8_width(self.carry[0]);
            let take = (width - self.carry_len).min(data.len());
            self.feed(&data[..take]);
            data = &data[take..];
        }
        if self.invalid.is_some() || self.carry_len > 0 {
            data = &[];
        }
        let cut = incomplete_tail(data);
        self.count_work(data.len());
        let valid = match std::str::from_utf8(&data[..cut]) {
            Ok(valid) => valid,
            // Validated up to there already: the second pass is rare.
            Err(e) => std::str::from_utf8(&data[..e.valid_up_to()]).unwrap_or_default(),
        };
        let base = self.base + self.text.len() as u64;
        Chunks {
            parser: self,
            valid,
            rest: data,
            pos: 0,
            base,
            clear: false,
        }
    }

    /// How many fed bytes the parser holds: the ones not yet scanned plus
    /// the text of the chunk in progress (a length line already read is
    /// not counted).
    pub fn buffered_bytes(&self) -> usize {
        self.text.len() - self.keep() + self.carry_len
    }

    /// Where the text still needed starts.
    fn keep(&self) -> usize {
        match self.state {
            State::Payload { start, .. } => start,
            _ => self.pos,
        }
    }

    /// Drops the consumed text once it is at least as long as the rest:
    /// the bytes moved are paid for by the (more) bytes dropped.
    fn compact(&mut self) {
        let keep = self.keep();
        let rest = self.text.len() - keep;
        if keep > 0 && keep >= rest {
            self.text.drain(..keep);
            self.base += keep as u64;
            self.pos -= keep;
            if let State::Payload { start, .. } = &mut self.state {
                *start = 0;
            }
            self.count_work(rest);
        }
    }

    fn advance(&mut self) -> Result<Option<Range<usize>>, ChunkError> {
        loop {
            match self.state {
                State::Failed(ref e) => return Err(e.clone()),
                State::Length { value, digits } => match self.scan_length(value, digits)? {
                    Some(want) => {
                        self.state = State::Payload {
                            start: self.pos,
                            want,
                            units: 0,
                        }
                    }
                    None => return Ok(None),
                },
                State::Payload { start, want, units } => {
                    let units = self.scan_payload(want, units)?;
                    if units < want {
                        if self.invalid.is_some() {
                            return Err(ChunkError::InvalidUtf8 {
                                offset: self.end_offset(),
                            });
                        }
                        self.state = State::Payload { start, want, units };
                        return Ok(None);
                    }
                    self.state = State::Length {
                        value: 0,
                        digits: 0,
                    };
                    return Ok(Some(start..self.pos));
                }
            }
        }
    }

    /// Reads length digits; `Some(length)` once the `\n` is consumed.
    fn scan_length(&mut self, value: u64, digits: u32) -> Result<Option<usize>, ChunkError> {
        let from = self.pos;
        let scan = scan_length(
            self.text.as_bytes(),
            self.pos,
            (value, digits),
            self.max_units,
            self.base,
        );
        let (want, pos, (value, digits)) = scan?;
        self.count_work(pos - from);
        self.pos = pos;
        if want.is_some() {
            return Ok(want);
        }
        // Out of text: a byte that is not ASCII cannot be a digit.
        let next = if self.carry_len > 0 {
            Some(self.carry[0])
        } else {
            self.invalid
        };
        if let Some(found) = next {
            return Err(ChunkError::BadLength {
                offset: self.end_offset(),
                found,
            });
        }
        self.state = State::Length { value, digits };
        Ok(None)
    }

    /// Counts the payload's UTF-16 units from `pos` until there are `want`
    /// or the text runs out; returns the units counted.
    fn scan_payload(&mut self, want: usize, units: usize) -> Result<usize, ChunkError> {
        let from = self.pos;
        let (units, pos) = scan_payload(&self.text, self.pos, want, units, self.base)?;
        self.count_work(pos - from);
        self.pos = pos;
        Ok(units)
    }

    /// Body offset of the end of the text.
    fn end_offset(&self) -> u64 {
        self.base + self.text.len() as u64
    }

    #[cfg(test)]
    fn count_work(&mut self, bytes: usize) {
        self.examined += bytes as u64;
    }

    #[cfg(not(test))]
    #[inline(always)]
    fn count_work(&mut self, _bytes: usize) {}
}

/// What [`scan_length`] found: the length once its `\n` is read, where the
/// scan stopped, and the digits so far (value, count).
type LengthScan = (Option<usize>, usize, (u64, u32));

/// Reads length digits from `bytes[pos..]`, continuing `(value, digits)`:
/// the length once its `\n` is read, where the scan stopped, and the
/// digits so far. `base` is the body offset of `bytes[0]`.
fn scan_length(
    bytes: &[u8],
    mut pos: usize,
    (mut value, mut digits): (u64, u32),
    max_units: usize,
    base: u64,
) -> Result<LengthScan, ChunkError> {
    while let Some(&b) = bytes.get(pos) {
        if b == b'\n' && digits > 0 {
            // value <= max_units, checked digit by digit below.
            let want = usize::try_from(value).unwrap_or(usize::MAX);
            return Ok((Some(want), pos + 1, (value, digits)));
        }
        if !b.is_ascii_digit() {
            return Err(ChunkError::BadLength {
                offset: base + pos as u64,
                found: b,
            });
        }
        digits += 1;
        value = match value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(b - b'0')))
        {
            Some(v) if digits <= MAX_DIGITS => v,
            _ => {
                return Err(ChunkError::TooLarge {
                    claimed: u64::MAX,
                    max: max_units,
                })
            }
        };
        if value > max_units as u64 {
            return Err(ChunkError::TooLarge {
                claimed: value,
                max: max_units,
            });
        }
        pos += 1;
    }
    Ok((None, pos, (value, digits)))
}

/// Counts a payload's UTF-16 units in `text` from `pos`, continuing from
/// `units`, until there are `want` or the text runs out: the units counted
/// and where the count stopped. `base` is the body offset of `text[0]`.
fn scan_payload(
    text: &str,
    mut pos: usize,
    want: usize,
    mut units: usize,
    base: u64,
) -> Result<(usize, usize), ChunkError> {
    while units < want && pos < text.len() {
        // n bytes of whole characters never hold more than n UTF-16
        // units, so a span of `want - units` bytes cannot overshoot.
        let mut end = pos + (want - units).min(text.len() - pos);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        if end > pos {
            units += utf16_units(&text.as_bytes()[pos..end]);
            pos = end;
            continue;
        }
        // The next character is wider than the room left: it fits only
        // if it is one UTF-16 unit, or two with two left.
        let Some(c) = text[pos..].chars().next() else {
            break;
        };
        if units + c.len_utf16() > want {
            return Err(ChunkError::SplitSurrogatePair {
                length: want,
                offset: base + pos as u64,
            });
        }
        units += c.len_utf16();
        pos += c.len_utf8();
    }
    Ok((units, pos))
}

/// The chunks of one read, framed where they sit (see
/// [`ChunkParser::chunks`]). Dropping it buffers what is left of the read.
#[derive(Debug)]
pub struct Chunks<'p> {
    parser: &'p mut ChunkParser,
    /// The read's valid UTF-8, from its start (after the bytes that
    /// completed a character split by the previous read).
    valid: &'p str,
    /// The read from the same start: `valid`, then an incomplete
    /// character or invalid UTF-8 and whatever follows.
    rest: &'p [u8],
    /// First byte of `valid` not yet framed.
    pos: usize,
    /// Body offset of `valid[0]`.
    base: u64,
    /// The last chunk returned was the parser's buffer, to drop next.
    clear: bool,
}

impl Chunks<'_> {
    /// The next complete chunk: `Ok(None)` once the read is used up (the
    /// rest of a chunk in progress is then in the parser). Errors are
    /// those of [`ChunkParser::next_chunk`], and as final.
    pub fn next_chunk(&mut self) -> Result<Option<&str>, ChunkError> {
        let found = match self.find() {
            Ok(found) => found,
            Err(e) => {
                self.parser.fail(e.clone());
                self.valid = "";
                self.rest = &[];
                self.pos = 0;
                return Err(e);
            }
        };
        Ok(found.map(|found| match found {
            Found::Read(range) => &self.valid[range],
            Found::Buffer(range) => &self.parser.text[range],
        }))
    }

    /// Where the next chunk is.
    fn find(&mut self) -> Result<Option<Found>, ChunkError> {
        self.drop_returned();
        let p = &mut *self.parser;
        // Text buffered earlier comes first.
        if p.pos < p.text.len() || matches!(p.state, State::Failed(_)) {
            if let Some(range) = p.next_buffered()? {
                self.clear = p.pos == p.text.len();
                return Ok(Some(Found::Buffer(range)));
            }
        }
        // The buffer holds at most the start of the chunk in progress.
        if let State::Payload { start, .. } = &mut p.state {
            if *start > 0 {
                let start = std::mem::take(start);
                p.text.drain(..start);
                p.base += start as u64;
                p.pos -= start;
                p.count_work(p.text.len());
            }
        } else if !p.text.is_empty() {
            self.drop_returned_text();
        }
        self.frame_read()
    }

    /// Frames `valid` from `pos`.
    fn frame_read(&mut self) -> Result<Option<Found>, ChunkError> {
        let p = &mut *self.parser;
        loop {
            let done = matches!(p.state, State::Payload { want, units, .. } if units == want);
            if self.pos == self.valid.len() && !done {
                // An incomplete character or invalid UTF-8 goes to the
                // parser, which tells whether it ends the stream.
                let tail = &self.rest[self.valid.len()..];
                self.rest = &self.rest[..self.valid.len()];
                if p.text.is_empty() {
                    p.base = self.base + self.pos as u64;
                }
                p.feed(tail);
                // Nothing after an incomplete or invalid character can
                // complete a chunk; this only reports an error (as
                // `next_chunk` would after `feed`).
                p.next_buffered()?;
                return Ok(None);
            }
            match p.state {
                State::Failed(ref e) => return Err(e.clone()),
                State::Length { value, digits } => {
                    let (want, pos, (value, digits)) = scan_length(
                        self.valid.as_bytes(),
                        self.pos,
                        (value, digits),
                        p.max_units,
                        self.base,
                    )?;
                    p.count_work(pos - self.pos);
                    self.pos = pos;
                    p.state = match want {
                        Some(want) => State::Payload {
                            start: 0,
                            want,
                            units: 0,
                        },
                        None => State::Length { value, digits },
                    };
                }
                State::Payload { start, want, units } => {
                    let from = self.pos;
                    let (units, end) = scan_payload(self.valid, from, want, units, self.base)?;
                    p.count_work(end - from);
                    self.pos = end;
                    if units < want {
                        // The read ends inside the chunk: keep its bytes.
                        if p.text.is_empty() {
                            p.base = self.base + from as u64;
                        }
                        p.text.push_str(&self.valid[from..end]);
                        p.count_work(end - from);
                        p.pos = p.text.len();
                        p.state = State::Payload { start, want, units };
                        continue;
                    }
                    p.state = State::Length {
                        value: 0,
                        digits: 0,
                    };
                    if p.text.len() == start {
                        // The whole chunk is in this read.
                        return Ok(Some(Found::Read(from..end)));
                    }
                    p.text.push_str(&self.valid[from..end]);
                    p.count_work(end - from);
                    p.pos = p.text.len();
                    self.clear = true;
                    return Ok(Some(Found::Buffer(start..p.text.len())));
                }
            }
        }
    }

    /// Drops the chunk last returned from the parser's buffer.
    fn drop_returned(&mut self) {
        if std::mem::take(&mut self.clear) {
            self.drop_returned_text();
        }
    }

    /// Drops the parser's text, all consumed.
    fn drop_returned_text(&mut self) {
        let p = &mut *self.parser;
        if p.pos == p.text.len() && matches!(p.state, State::Length { .. }) {
            p.base += p.text.len() as u64;
            p.text.clear();
            p.pos = 0;
        }
    }
}

/// Where a chunk found by [`Chunks`] is.
enum Found {
    /// In the read.
    Read(Range<usize>),
    /// In the parser's buffer.
    Buffer(Range<usize>),
}

impl Drop for Chunks<'_> {
    fn drop(&mut self) {
        self.drop_returned();
        let p = &mut *self.parser;
        if p.text.is_empty() && !matches!(p.state, State::Failed(_)) {
            // The body offset of what comes next.
            p.base = self.base + self.pos as u64;
        }
        let rest = &self.rest[self.pos.min(self.rest.len())..];
        if !rest.is_empty() {
            p.feed(rest);
        }
    }
}

/// Where an incomplete UTF-8 sequence at the end of `data` starts (at
/// most 3 bytes back), or `data.len()` if there is none.
fn incomplete_tail(data: &[u8]) -> usize {
    for back in 1..=3.min(data.len()) {
        let i = data.len() - back;
        if !is_continuation(data[i]) {
            return if utf8_width(data[i]) > back {
                i
            } else {
                data.len()
            };
        }
    }
    data.len()
}

fn is_continuation(b: u8) -> bool {
    b & 0xC0 == 0x80
}

/// The length of the UTF-8 sequence a byte starts (1 for bytes that start
/// none, so that validation reports them).
fn utf8_width(b: u8) -> usize {
    match b {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => 1,
    }
}

/// UTF-16 length of valid UTF-8: one unit per character, two for the
/// four-byte ones. Counted in blocks small enough for `u8` counters, which
/// the compiler vectorises.
fn utf16_units(text: &[u8]) -> usize {
    let mut total = 0;
    for block in text.chunks(255) {
        let (mut chars, mut astral) = (0u8, 0u8);
        for &b in block {
            chars += u8::from(!is_continuation(b));
            astral += u8::from(b >= 0xF0);
        }
        total += usize::from(chars) + usize::from(astral);
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Frames payloads as a server does.
    fn frame(payloads: &[&str]) -> Vec<u8> {
        let mut out = Vec::new();
        for p in payloads {
            out.extend_from_slice(format!("{}\n{p}", p.encode_utf16().count()).as_bytes());
        }
        out
    }

    /// Feeds each piece, draining after each; stops at the first error.
    fn run(parser: &mut ChunkParser, feeds: &[&[u8]]) -> (Vec<String>, Option<ChunkError>) {
        let mut chunks = Vec::new();
        for data in feeds {
            parser.feed(data);
            loop {
                match parser.next_chunk() {
                    Ok(Some(c)) => chunks.push(c),
                    Ok(None) => break,
                    Err(e) => return (chunks, Some(e)),
                }
            }
        }
        (chunks, None)
    }

    /// [`run`] through [`ChunkParser::chunks`], framing each read where it sits.
    fn run_borrowed(
        parser: &mut ChunkParser,
        feeds: &[&[u8]],
    ) -> (Vec<String>, Option<ChunkError>) {
        let mut chunks = Vec::new();
        for data in feeds {
            let mut read = parser.chunks(data);
            loop {
                match read.next_chunk() {
                    Ok(Some(c)) => chunks.push(c.to_owned()),
                    Ok(None) => break,
                    Err(e) => return (chunks, Some(e)),
                }
            }
        }
        (chunks, None)
    }

    /// Both ways, which must agree.
    fn run_new(feeds: &[&[u8]]) -> (Vec<String>, Option<ChunkError>) {
        let copied = run(&mut ChunkParser::new(), feeds);
        let borrowed = run_borrowed(&mut ChunkParser::new(), feeds);
        assert_eq!(borrowed, copied, "framing in place differs for {feeds:?}");
        copied
    }

    /// Every split of `stream` into two feeds, and 1-byte feeds, give `expected`.
    fn assert_any_split(stream: &[u8], expected: &(Vec<String>, Option<ChunkError>)) {
        for at in 0..=stream.len() {
            let (a, b) = stream.split_at(at);
            assert_eq!(&run_new(&[a, b]), expected, "split at {at} of {stream:?}");
        }
        let bytes: Vec<&[u8]> = stream.chunks(1).collect();
        assert_eq!(&run_new(&bytes), expected, "1-byte feeds of {stream:?}");
    }

    fn chunks(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    // The hangups test vectors (PROTOCOL.md §1.5), fed as given.

    #[test]
    fn two_chunks() {
        let feeds: &[&[u8]] = &[b"10\n01234567893\nabc"];
        assert_eq!(run_new(feeds), (chunks(&["0123456789", "abc"]), None));
    }

    #[test]
    fn incomplete_payload() {
        assert_eq!(run_new(&[b"12\n012345678"]), (vec![], None));
    }

    #[test]
    fn incomplete_length() {
        assert_eq!(run_new(&[b"13"]), (vec![], None));
    }

    #[test]
    fn junk_after_a_chunk_is_a_bad_length() {
        let bad = ChunkError::BadLength {
            offset: 15,
            found: b'e',
        };
        let expected = (chunks(&["0123456789\n"]), Some(bad));
        assert_eq!(run_new(&[b"11\n0123456789\n5e\n\"abc\""]), expected);
    }

    #[test]
    fn small_feeds_including_empty_ones() {
        let mut parser = ChunkParser::new();
        for data in [&b""[..], b"5", b"\n", b"abc"] {
            assert_eq!(run(&mut parser, &[data]), (vec![], None));
        }
        assert_eq!(run(&mut parser, &[b"de"]), (chunks(&["abcde"]), None));
        assert_eq!(run(&mut parser, &[b""]), (vec![], None));
    }

    #[test]
    fn astral_character_counts_two_units() {
        assert_eq!(run_new(&["3\na😀".as_bytes()]), (chunks(&["a😀"]), None));
    }

    #[test]
    fn character_split_between_feeds() {
        let mut parser = ChunkParser::new();
        assert_eq!(run(&mut parser, &[b"1\n\xe2\x82"]), (vec![], None));
        assert_eq!(run(&mut parser, &[b"\xac"]), (chunks(&["€"]), None));
    }

    #[test]
    fn junk_before_the_length() {
        let bad = ChunkError::BadLength {
            offset: 0,
            found: b'j',
        };
        assert_eq!(run_new(&[b"junk4\nfail"]), (vec![], Some(bad)));
    }

    #[test]
    fn every_vector_gives_the_same_result_at_every_split() {
        let vectors: &[&[u8]] = &[
            b"10\n01234567893\nabc",
            b"12\n012345678",
            b"13",
            b"11\n0123456789\n5e\n\"abc\"",
            b"5\nabcde",
            "3\na😀".as_bytes(),
            b"1\n\xe2\x82\xac",
            b"junk4\nfail",
        ];
        for v in vectors {
            assert_any_split(v, &run_new(&[v]));
        }
    }

    #[test]
    fn multi_byte_stream_at_every_split() {
        let payloads = [
            "[[6,[\"noop\"]\n]\n]\n",
            "ça va, naïve 日本語 😀 👍🏽 𝄞 Привет مرحبا",
            "",
            "😀",
            "€€€",
            "a\u{10FFFF}\u{7FF}\u{800}\u{FFFF}\u{10000}z",
        ];
        let stream = frame(&payloads);
        let expected = (chunks(&payloads), None);
        assert_eq!(run_new(&[&stream]), expected);
        assert_any_split(&stream, &expected);
        // And in pieces of every size up to 9 bytes.
        for size in 1..10 {
            let pieces: Vec<&[u8]> = stream.chunks(size).collect();
            assert_eq!(run_new(&pieces), expected, "pieces of {size}");
        }
    }

    #[test]
    fn empty_chunk() {
        assert_eq!(run_new(&[b"0\n2\nab"]), (chunks(&["", "ab"]), None));
    }

    #[test]
    fn too_large_before_the_payload_is_buffered() {
        let mut parser = ChunkParser::with_max_chunk(10);
        let too_large = ChunkError::TooLarge {
            claimed: 11,
            max: 10,
        };
        // Reported at the digit that exceeds the maximum, without the newline.
        assert_eq!(
            run(&mut parser, &[b"11"]),
            (vec![], Some(too_large.clone()))
        );
        parser.feed(b"\n0123456789a");
        assert_eq!(parser.buffered_bytes(), 0);
        assert_eq!(parser.next_chunk(), Err(too_large));

        let mut parser = ChunkParser::with_max_chunk(10);
        assert_eq!(
            run(&mut parser, &[b"10\n0123456789"]).0,
            chunks(&["0123456789"])
        );

        let at_max = format!("{DEFAULT_MAX_CHUNK}\n");
        let over = format!("{}\n", DEFAULT_MAX_CHUNK + 1);
        assert_eq!(run_new(&[at_max.as_bytes()]), (vec![], None));
        let expected = ChunkError::TooLarge {
            claimed: DEFAULT_MAX_CHUNK as u64 + 1,
            max: DEFAULT_MAX_CHUNK,
        };
        assert_eq!(run_new(&[over.as_bytes()]).1, Some(expected));
    }

    #[test]
    fn too_many_digits() {
        let huge = ChunkError::TooLarge {
            claimed: u64::MAX,
            max: usize::MAX,
        };
        let mut parser = ChunkParser::with_max_chunk(usize::MAX);
        let digits = [b'0'; 21];
        assert_eq!(run(&mut parser, &[&digits]), (vec![], Some(huge.clone())));
        let mut parser = ChunkParser::with_max_chunk(usize::MAX);
        assert_eq!(run(&mut parser, &[b"99999999999999999999"]).1, Some(huge));
    }

    #[test]
    fn bad_lengths() {
        for (input, offset, found) in [
            (&b"\n"[..], 0, b'\n'),
            (b" 5\nabcde", 0, b' '),
            (b"5 \nabcde", 1, b' '),
            (b"-1\n", 0, b'-'),
            (b"5\r\nabcde", 1, b'\r'),
            (b"\xef\xbb\xbf1\na", 0, 0xef),
        ] {
            let expected = ChunkError::BadLength { offset, found };
            assert_eq!(run_new(&[input]), (vec![], Some(expected)), "{input:?}");
        }
    }

    #[test]
    fn invalid_utf8() {
        for (input, offset) in [
            (&b"3\na\xffb"[..], 3),
            (b"2\n\xe2A", 2),
            (b"2\n\x80a", 2),
            (b"1\n\xc0\x80", 2),
            (b"1\n\xed\xa0\x80", 2),     // an encoded surrogate
            (b"2\n\xf4\x90\x80\x80", 2), // beyond U+10FFFF
            (b"1\na2\nb\xfe", 6),
        ] {
            let got = run_new(&[input]);
            assert_eq!(got.1, Some(ChunkError::InvalidUtf8 { offset }), "{input:?}");
            assert_any_split(input, &got);
        }
    }

    #[test]
    fn length_ending_inside_a_surrogate_pair() {
        let split = |length, offset| Some(ChunkError::SplitSurrogatePair { length, offset });
        assert_eq!(run_new(&["1\n😀".as_bytes()]).1, split(1, 2));
        assert_eq!(run_new(&["3\n😀😀".as_bytes()]).1, split(3, 6));
        let stream = "2\nab4\nx😀😀".as_bytes();
        let expected = (chunks(&["ab"]), split(4, 11));
        assert_eq!(run_new(&[stream]), expected);
        assert_any_split(stream, &expected);
    }

    #[test]
    fn errors_stick() {
        let mut parser = ChunkParser::new();
        parser.feed(b"x");
        let err = parser.next_chunk().unwrap_err();
        parser.feed(b"1\na");
        assert_eq!(parser.buffered_bytes(), 0);
        assert_eq!(parser.next_chunk(), Err(err.clone()));
        assert_eq!(parser.next_chunk(), Err(err));
    }

    /// hangups' algorithm (decode everything, count, cut) as a reference.
    fn reference(stream: &[u8]) -> Vec<String> {
        let text = std::str::from_utf8(stream).unwrap();
        let mut rest = text;
        let mut out = Vec::new();
        while let Some(nl) = rest.find('\n') {
            let length: usize = rest[..nl].parse().unwrap();
            let body = &rest[nl + 1..];
            let (mut units, mut end) = (0, 0);
            for c in body.chars() {
                if units == length {
                    break;
                }
                units += c.len_utf16();
                end += c.len_utf8();
            }
            if units < length {
                break;
            }
            out.push(body[..end].to_string());
            rest = &body[end..];
        }
        out
    }

    struct Rng(u64);
    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    const PIECES: &[&str] = &[
        "a",
        "\\\"",
        "é",
        "€",
        "日本語",
        "😀",
        "👍🏽",
        "𝄞",
        "\n",
        "[[1,",
    ];

    fn random_stream(rng: &mut Rng, chunks: usize, max_pieces: usize) -> Vec<u8> {
        let payloads: Vec<String> = (0..chunks)
            .map(|_| {
                let n = rng.below(max_pieces);
                (0..n).map(|_| PIECES[rng.below(PIECES.len())]).collect()
            })
            .collect();
        let refs: Vec<&str> = payloads.iter().map(String::as_str).collect();
        frame(&refs)
    }

    #[test]
    fn random_streams_and_splits_match_the_reference() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for _ in 0..200 {
            let count = 1 + rng.below(8);
            let stream = random_stream(&mut rng, count, 40);
            let expected = reference(&stream);
            let mut pieces = Vec::new();
            let mut rest = &stream[..];
            while !rest.is_empty() {
                let (a, b) = rest.split_at((1 + rng.below(16)).min(rest.len()));
                pieces.push(a);
                rest = b;
            }
            assert_eq!(run_new(&pieces), (expected, None));
        }
    }

    /// Work counted in bytes examined or moved, for `stream` in `size`-byte
    /// feeds, asserting the chunks are right.
    fn work(stream: &[u8], size: usize) -> u64 {
        let mut parser = ChunkParser::new();
        let pieces: Vec<&[u8]> = stream.chunks(size).collect();
        let (got, err) = run(&mut parser, &pieces);
        assert_eq!(err, None);
        assert_eq!(got, reference(stream));
        parser.examined
    }

    #[test]
    fn work_is_linear_whatever_the_read_size() {
        let mut rng = Rng(7);
        // One big chunk of ~1 MB, and ~1 MB of small chunks.
        let big = random_stream(&mut rng, 1, 300_000);
        let many = random_stream(&mut rng, 4_000, 100);
        for stream in [&big, &many] {
            let n = stream.len() as u64;
            assert!(n > 500_000, "{n}");
            for size in [1, 3, 1000, 65536, stream.len()] {
                let w = work(stream, size);
                // About 4 per byte (validated, copied in, counted, copied
                // out), a little more in 1-byte reads (a split character is
                // looked at again until it is whole); hangups' rescanning
                // would be about half the chunk size per byte.
                assert!(
                    w <= 6 * n,
                    "{w} bytes examined for {n} in {size}-byte reads"
                );
            }
        }
    }

    #[test]
    fn buffer_stays_bounded_by_one_chunk() {
        let mut rng = Rng(11);
        let stream = random_stream(&mut rng, 300, 200);
        let longest = reference(&stream).iter().map(String::len).max().unwrap();
        let mut parser = ChunkParser::new();
        for piece in stream.chunks(100) {
            let _ = run(&mut parser, &[piece]);
            assert!(parser.buffered_bytes() <= longest + 100);
            assert!(parser.text.len() <= 2 * (longest + 100) + 100);
        }
    }

    /// Feeds with [`ChunkParser::feed`] or frames with
    /// [`ChunkParser::chunks`] read by read, draining all, some (the rest
    /// buffered when the `Chunks` is dropped) or none of each.
    fn run_mixed(rng: &mut Rng, feeds: &[&[u8]]) -> (Vec<String>, Option<ChunkError>) {
        let mut parser = ChunkParser::new();
        let mut chunks = Vec::new();
        for data in feeds {
            if rng.below(3) == 0 {
                parser.feed(data);
            } else {
                let budget = if rng.below(2) == 0 {
                    usize::MAX
                } else {
                    rng.below(3)
                };
                let mut read = parser.chunks(data);
                for _ in 0..budget {
                    match read.next_chunk() {
                        Ok(Some(c)) => chunks.push(c.to_owned()),
                        Ok(None) => break,
                        Err(e) => return (chunks, Some(e)),
                    }
                }
            }
            if rng.below(2) == 0 {
                loop {
                    match parser.next_chunk() {
                        Ok(Some(c)) => chunks.push(c),
                        Ok(None) => break,
                        Err(e) => return (chunks, Some(e)),
                    }
                }
            }
        }
        loop {
            match parser.chunks(&[]).next_chunk() {
                Ok(Some(c)) => chunks.push(c.to_owned()),
                Ok(None) => break,
                Err(e) => return (chunks, Some(e)),
            }
        }
        (chunks, None)
    }

    #[test]
    fn framing_in_place_mixed_with_feeding_gives_the_same_chunks() {
        let mut rng = Rng(0x51_7CC1_B727_220A);
        let mut streams: Vec<Vec<u8>> = (0..150)
            .map(|_| {
                let count = 1 + rng.below(6);
                random_stream(&mut rng, count, 30)
            })
            .collect();
        // And corrupted ones: a byte replaced by junk, invalid UTF-8, a
        // digit, a newline.
        for i in 0..150 {
            let mut s = streams[i].clone();
            let at = rng.below(s.len());
            s[at] = [b'x', 0xFF, 0x80, b'7', b'\n', 0xF0][rng.below(6)];
            streams.push(s);
        }
        for stream in &streams {
            let expected = run(&mut ChunkParser::new(), &[stream]);
            for _ in 0..4 {
                let mut pieces = Vec::new();
                let mut rest = &stream[..];
                while !rest.is_empty() {
                    let (a, b) = rest.split_at((1 + rng.below(12)).min(rest.len()));
                    pieces.push(a);
                    rest = b;
                }
                assert_eq!(run_borrowed(&mut ChunkParser::new(), &pieces), expected);
                assert_eq!(run_mixed(&mut rng, &pieces), expected, "{stream:?}");
            }
        }
    }

    #[test]
    fn chunks_inside_a_read_are_slices_of_it() {
        let stream = b"2\nab3\ncde1\nf";
        let mut parser = ChunkParser::new();
        let mut read = parser.chunks(&stream[..8]);
        let ab = read.next_chunk().unwrap().unwrap();
        assert_eq!(ab.as_ptr(), stream[2..].as_ptr());
        assert_eq!(read.next_chunk(), Ok(None));
        drop(read);
        // "cd" waits in the parser: only the straddling chunk is copied.
        assert_eq!(parser.buffered_bytes(), 2);
        let mut read = parser.chunks(&stream[8..]);
        assert_eq!(read.next_chunk(), Ok(Some("cde")));
        let f = read.next_chunk().unwrap().unwrap();
        assert_eq!(f.as_ptr(), stream[11..].as_ptr());
        assert_eq!(read.next_chunk(), Ok(None));
        drop(read);
        assert_eq!(parser.buffered_bytes(), 0);
        assert!(parser.text.is_empty());
    }

    #[test]
    fn framing_in_place_is_linear_and_copies_only_straddling_chunks() {
        let mut rng = Rng(13);
        let many = random_stream(&mut rng, 4_000, 100);
        let n = many.len() as u64;
        for size in [1, 3, 1000, 65536, many.len()] {
            let mut parser = ChunkParser::new();
            let pieces: Vec<&[u8]> = many.chunks(size).collect();
            let (got, err) = run_borrowed(&mut parser, &pieces);
            assert_eq!(err, None);
            assert_eq!(got, reference(&many));
            // Validated and counted (2 per byte), plus the straddling
            // chunks copied; in one read, nothing is copied.
            assert!(
                parser.examined <= 4 * n,
                "{} for {n} in {size}",
                parser.examined
            );
            if size == many.len() {
                assert_eq!(parser.examined, 2 * n, "nothing copied in one read");
            }
        }
    }
}
