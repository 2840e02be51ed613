//! Decoder for the chunked transfer coding (RFC 9112 §7.1).
//!
//! Chunk data is handed out as sub-slices of the input, never copied; the
//! framing around it (size lines, CRLFs, trailer section) is read a byte at
//! a time through a small state machine, so input may be split anywhere.
//! Bare LF is accepted wherever CRLF is expected. Chunk extensions and
//! trailer fields are skipped, each bounded by its [`Limits`] entry.

use super::{HttpError, Limits};

/// Where the decoder is in the chunked body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a chunk-size line: a hex digit must follow.
    SizeStart,
    /// Reading the hex digits of a chunk size.
    Size(u64),
    /// Whitespace after the size, before `;`, CR or LF.
    SizeSpace(u64),
    /// Skipping chunk extensions up to the line end.
    Extension(u64),
    /// CR seen at the end of a size line: LF must follow.
    SizeLf(u64),
    /// Inside chunk data, this many bytes left (never 0).
    Data(u64),
    /// After chunk data: CR or LF must follow.
    DataEnd,
    /// CR seen after chunk data: LF must follow.
    DataLf,
    /// At the start of a trailer line (an empty line ends the body).
    TrailerStart,
    /// Inside a trailer field line, skipping to its LF.
    TrailerLine,
    /// CR seen at the start of a trailer line: LF must follow.
    TrailerLf,
    /// The body is complete.
    Done,
}

/// What [`ChunkedDecoder::decode`] found.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Chunk<'a> {
    /// Body bytes, a non-empty sub-slice of the input.
    Data(&'a [u8]),
    /// The body ended (last chunk and trailer section read).
    Done,
    /// All input was consumed without reaching data or the end.
    NeedMore,
}

/// Incremental chunked-body decoder.
#[derive(Debug, Clone)]
pub(crate) struct ChunkedDecoder {
    state: State,
    /// Bytes of the current chunk-size line so far (terminator included).
    line_len: usize,
    /// Bytes of the trailer section so far (terminators included).
    trailer_len: usize,
}

impl ChunkedDecoder {
    /// A decoder at the start of a chunked body.
    pub(crate) fn new() -> Self {
        ChunkedDecoder {
            state: State::SizeStart,
            line_len: 0,
            trailer_len: 0,
        }
    }

    /// Whether the final CRLF of the body has been read.
    #[cfg(test)]
    pub(crate) fn is_done(&self) -> bool {
        self.state == State::Done
    }

    /// Reads from `input` up to the next piece of body data or the end of
    /// the body; returns how many bytes were consumed and what was found.
    pub(crate) fn decode<'a>(
        &mut self,
        input: &'a [u8],
        limits: &Limits,
    ) -> Result<(usize, Chunk<'a>), HttpError> {
        for (i, &b) in input.iter().enumerate() {
            if let State::Data(remaining) = self.state {
                let avail = &input[i..];
                let n = usize::try_from(remaining).map_or(avail.len(), |r| r.min(avail.len()));
                // `n as u64` is lossless: n <= remaining.
                let left = remaining - n as u64;
                self.state = if left == 0 {
                    State::DataEnd
                } else {
                    State::Data(left)
                };
                return Ok((i + n, Chunk::Data(&avail[..n])));
            }
            self.framing_byte(b, limits)?;
            if self.state == State::Done {
                return Ok((i + 1, Chunk::Done));
            }
        }
        Ok((input.len(), Chunk::NeedMore))
    }

    /// Advances the state machine over one byte of framing (not data).
    fn framing_byte(&mut self, b: u8, limits: &Limits) -> Result<(), HttpError> {
        use State::*;
        match self.state {
            SizeStart | Size(_) | SizeSpace(_) | Extension(_) | SizeLf(_) => {
                self.line_len += 1;
                if self.line_len > limits.max_chunk_size_line {
                    return Err(HttpError::ChunkSizeLineTooLong {
                        limit: limits.max_chunk_size_line,
                    });
                }
            }
            TrailerStart | TrailerLine | TrailerLf => {
                self.trailer_len += 1;
                if self.trailer_len > limits.max_trailer_bytes {
                    return Err(HttpError::TrailersTooLarge {
                        limit: limits.max_trailer_bytes,
                    });
                }
            }
            Data(_) | DataEnd | DataLf | Done => {}
        }
        self.state = match (self.state, b) {
            (SizeStart, _) => Size(hex(b).ok_or(HttpError::BadChunkSize)?),
            (Size(n), _) if hex(b).is_some() => Size(
                n.checked_mul(16)
                    .and_then(|n| n.checked_add(hex(b).unwrap_or(0)))
                    .ok_or(HttpError::ChunkSizeOverflow)?,
            ),
            (Size(n) | SizeSpace(n), b' ' | b'\t') => SizeSpace(n),
            (Size(n) | SizeSpace(n), b';') => Extension(n),
            (Size(n) | SizeSpace(n) | Extension(n), b'\r') => SizeLf(n),
            (Size(n) | SizeSpace(n) | Extension(n) | SizeLf(n), b'\n') => self.size_line_done(n),
            (Extension(n), _) => Extension(n),
            (Size(_) | SizeSpace(_) | SizeLf(_), _) => return Err(HttpError::BadChunkSize),
            (DataEnd, b'\r') => DataLf,
            (DataEnd | DataLf, b'\n') => SizeStart,
            (DataEnd | DataLf, _) => return Err(HttpError::MissingChunkCrlf),
            (TrailerStart, b'\r') => TrailerLf,
            (TrailerStart | TrailerLf, b'\n') => Done,
            (TrailerLf, _) => return Err(HttpError::MalformedTrailer),
            (TrailerLine, b'\n') => TrailerStart,
            (TrailerStart | TrailerLine, _) => TrailerLine,
            // Not reached: `decode` handles data and stops at `Done`.
            (Data(n), _) => Data(n),
            (Done, _) => Done,
        };
        Ok(())
    }

    /// The state after the LF ending a chunk-size line of size `n`.
    fn size_line_done(&mut self, n: u64) -> State {
        self.line_len = 0;
        if n == 0 {
            State::TrailerStart
        } else {
            State::Data(n)
        }
    }
}

fn hex(b: u8) -> Option<u64> {
    char::from(b).to_digit(16).map(u64::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Decodes `input` fed in pieces of `step` bytes; returns the body, or
    /// the first error. Panics if the body does not end exactly at the end
    /// of the input.
    fn decode_all(input: &[u8], step: usize, limits: &Limits) -> Result<Vec<u8>, HttpError> {
        let mut dec = ChunkedDecoder::new();
        let mut body = Vec::new();
        for piece in input.chunks(step) {
            let mut piece = piece;
            while !piece.is_empty() {
                assert!(!dec.is_done(), "input after the end of the body");
                let (used, chunk) = dec.decode(piece, limits)?;
                assert!(used > 0 && used <= piece.len());
                piece = &piece[used..];
                match chunk {
                    Chunk::Data(d) => {
                        assert!(!d.is_empty());
                        body.extend_from_slice(d);
                    }
                    Chunk::Done => assert!(piece.is_empty(), "bytes left after the end"),
                    Chunk::NeedMore => assert!(piece.is_empty()),
                }
            }
        }
        assert!(dec.is_done(), "body not finished");
        Ok(body)
    }

    fn ok(input: &[u8]) -> Vec<u8> {
        let limits = Limits::default();
        let whole = decode_all(input, input.len().max(1), &limits).unwrap();
        for step in 1..input.len() {
            assert_eq!(
                decode_all(input, step, &limits).unwrap(),
                whole,
                "step {step}"
            );
        }
        whole
    }

    fn err(input: &[u8]) -> HttpError {
        let mut dec = ChunkedDecoder::new();
        let mut rest = input;
        loop {
            match dec.decode(rest, &Limits::default()) {
                Err(e) => return e,
                Ok((used, Chunk::Data(_))) => rest = &rest[used..],
                Ok(other) => panic!("no error: {other:?}"),
            }
        }
    }

    #[test]
    fn simple_bodies() {
        assert_eq!(
            ok(b"5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"),
            b"hello world"
        );
        assert_eq!(ok(b"0\r\n\r\n"), b"");
        assert_eq!(ok(b"A\r\n0123456789\r\n0\r\n\r\n"), b"0123456789");
        assert_eq!(ok(b"00000001\r\nx\r\n000\r\n\r\n"), b"x");
        assert_eq!(
            ok(b"1a\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\n\r\n"),
            b"abcdefghijklmnopqrstuvwxyz"
        );
    }

    #[test]
    fn bare_lf_accepted() {
        assert_eq!(ok(b"3\nabc\n0\n\n"), b"abc");
        assert_eq!(ok(b"3\r\nabc\n0\n\r\n"), b"abc");
    }

    #[test]
    fn extensions_and_whitespace_skipped() {
        assert_eq!(ok(b"3;name=val\r\nabc\r\n0;x\r\n\r\n"), b"abc");
        assert_eq!(ok(b"3 ; a=\"q;\\\"\" ;b\r\nabc\r\n0 \t\r\n\r\n"), b"abc");
    }

    #[test]
    fn trailers_skipped() {
        assert_eq!(
            ok(b"3\r\nabc\r\n0\r\nExpires: never\r\nX-Sum: 1\r\n\r\n"),
            b"abc"
        );
        assert_eq!(ok(b"1\r\nz\r\n0\nA: b\n\n"), b"z");
    }

    #[test]
    fn data_containing_crlf_is_data() {
        assert_eq!(ok(b"4\r\n\r\n\r\n\r\n0\r\n\r\n"), b"\r\n\r\n");
    }

    #[test]
    fn malformed_size_lines() {
        assert_eq!(err(b"\r\n"), HttpError::BadChunkSize);
        assert_eq!(err(b"g\r\n"), HttpError::BadChunkSize);
        assert_eq!(err(b";ext\r\n"), HttpError::BadChunkSize);
        assert_eq!(err(b" 5\r\n"), HttpError::BadChunkSize);
        assert_eq!(err(b"5x\r\n"), HttpError::BadChunkSize);
        assert_eq!(err(b"5 5\r\n"), HttpError::BadChunkSize);
        assert_eq!(err(b"5\rx"), HttpError::BadChunkSize);
        assert_eq!(err(b"-1\r\n"), HttpError::BadChunkSize);
        assert_eq!(err(b"0x5\r\n"), HttpError::BadChunkSize);
    }

    #[test]
    fn size_overflow() {
        let mut dec = ChunkedDecoder::new();
        let max = b"ffffffffffffffff\r\nab";
        assert_eq!(
            dec.decode(max, &Limits::default()),
            Ok((max.len(), Chunk::Data(b"ab")))
        );
        assert_eq!(err(b"10000000000000000\r\n"), HttpError::ChunkSizeOverflow);
        assert_eq!(err(b"fffffffffffffffff"), HttpError::ChunkSizeOverflow);
    }

    #[test]
    fn missing_crlf_after_data() {
        assert_eq!(err(b"3\r\nabcd\r\n"), HttpError::MissingChunkCrlf);
        assert_eq!(err(b"3\r\nabc\rX"), HttpError::MissingChunkCrlf);
    }

    #[test]
    fn malformed_trailer() {
        assert_eq!(err(b"0\r\n\rX"), HttpError::MalformedTrailer);
    }

    #[test]
    fn limits() {
        let limits = Limits {
            max_chunk_size_line: 8,
            max_trailer_bytes: 10,
            ..Limits::default()
        };
        // 8 bytes including CRLF are allowed, 9 are not.
        assert_eq!(
            decode_all(b"3;abcd\r\nxyz\r\n0\r\n\r\n", 1, &limits).unwrap(),
            b"xyz"
        );
        let long = b"3;abcde\r\nxyz\r\n0\r\n\r\n";
        for step in 1..=long.len() {
            let got = decode_all(long, step, &limits);
            assert_eq!(got, Err(HttpError::ChunkSizeLineTooLong { limit: 8 }));
        }
        // Leading zeros count too: no endless size line.
        let zeros = [b'0'; 9];
        assert_eq!(
            ChunkedDecoder::new().decode(&zeros, &limits),
            Err(HttpError::ChunkSizeLineTooLong { limit: 8 })
        );
        // Trailer section: 10 bytes including the final CRLF.
        assert_eq!(decode_all(b"0\r\nA: bcd\r\n\r\n", 1, &limits).unwrap(), b"");
        let big = b"0\r\nA: bcde\r\n\r\n";
        for step in 1..=big.len() {
            let got = decode_all(big, step, &limits);
            assert_eq!(got, Err(HttpError::TrailersTooLarge { limit: 10 }));
        }
    }
}
