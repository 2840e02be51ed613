//! Incremental HTTP/1.x response parser.
//!
//! The head is buffered (bounded by [`Limits::max_head_bytes`]) until its
//! blank line turns up, then parsed once with `httparse`. The end of the
//! head is searched for with a small state machine carried across feeds,
//! so every byte is looked at once however the input is split. Body bytes
//! are never buffered: [`ResponseEvent::Data`] borrows them from the input.

use super::chunked::{Chunk, ChunkedDecoder};
use super::framing::{framing, Framing};
use super::HttpError;

/// Bounds on what the parser buffers or skips; exceeding one is an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest response head (status line, fields, blank line), in bytes.
    /// Default 64 KiB.
    pub max_head_bytes: usize,
    /// Most header fields in one head. Default 100.
    pub max_headers: usize,
    /// Longest chunk-size line, extensions and line end included. Default
    /// 1 KiB.
    pub max_chunk_size_line: usize,
    /// Largest trailer section of a chunked body, final line end included.
    /// Default 16 KiB.
    pub max_trailer_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_head_bytes: 64 * 1024,
            max_headers: 100,
            max_chunk_size_line: 1024,
            max_trailer_bytes: 16 * 1024,
        }
    }
}

/// The status line and header fields of a final response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseHead {
    /// The status code, 200..=999 (interim 1xx responses are skipped).
    pub status: u16,
    /// The reason phrase exactly as sent (e.g. `Unknown SID`); bytes that
    /// are not UTF-8 are replaced with U+FFFD.
    pub reason: String,
    /// `0` for HTTP/1.0, `1` for HTTP/1.1.
    pub minor_version: u8,
    /// Header fields in order, names as sent; values with bytes that are
    /// not UTF-8 replaced with U+FFFD.
    pub headers: Vec<(String, String)>,
}

impl ResponseHead {
    /// The value of the first field called `name` (ASCII case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the parser reports, in order: one `Head`, any number of `Data`,
/// one `End`, per final response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseEvent<'a> {
    /// The head of a final response (interim 1xx responses are skipped).
    Head(ResponseHead),
    /// Body bytes (never empty), borrowed from the input given to `feed`.
    Data(&'a [u8]),
    /// The body is complete.
    End {
        /// Whether the connection may carry another response. When
        /// `false` the caller should close it.
        keep_alive: bool,
    },
}

/// Progress through the blank line ending a head: a line feed, optionally
/// a CR, then another line feed ends it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scan {
    /// Not just after a line feed.
    Text,
    /// Just after a line feed.
    Lf,
    /// Just after a line feed and a CR.
    LfCr,
}

/// Which part of a response the parser is in.
#[derive(Debug, Clone)]
enum State {
    /// Reading a head (possibly none of it yet).
    Head,
    /// A body of known length; this many bytes left (never 0).
    Length(u64),
    /// A chunked body.
    Chunked(ChunkedDecoder),
    /// A body delimited by the end of the connection.
    UntilClose,
}

/// Incremental, sans-IO parser for the responses on one connection.
#[derive(Debug, Clone)]
pub struct ResponseParser {
    limits: Limits,
    state: State,
    /// Keep-alive verdict for the response whose body is being read.
    keep_alive: bool,
    /// Head bytes received so far (never the blank line: once that is
    /// seen the head is parsed and this is cleared).
    buf: Vec<u8>,
    scan: Scan,
    /// An interim 1xx response was skipped; the final one is still due.
    interim: bool,
    /// The first error, returned again by every later call.
    failed: Option<HttpError>,
}

impl Default for ResponseParser {
    fn default() -> Self {
        ResponseParser::new(Limits::default())
    }
}

impl ResponseParser {
    /// A parser expecting the first response on a connection.
    pub fn new(limits: Limits) -> Self {
        ResponseParser {
            limits,
            state: State::Head,
            keep_alive: false,
            buf: Vec::new(),
            scan: Scan::Text,
            interim: false,
            failed: None,
        }
    }

    /// Feeds bytes read from the connection, calling `sink` for each event in order.
    ///
    /// Any split of the input gives the same events (`Data` may be cut
    /// differently). After `End` the rest of `input` is parsed as the next
    /// response. Errors are sticky.
    pub fn feed(
        &mut self,
        input: &[u8],
        sink: &mut dyn FnMut(ResponseEvent<'_>),
    ) -> Result<(), HttpError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let result = self.feed_inner(input, sink);
        if let Err(e) = &result {
            self.fail(e.clone());
        }
        result
    }

    /// The peer closed the connection (EOF).
    ///
    /// Ends a body that runs until close (`End { keep_alive: false }`);
    /// does nothing when idle; otherwise [`HttpError::IncompleteHead`] or
    /// [`HttpError::IncompleteBody`]. Afterwards the parser is idle again
    /// (or failed, stickily).
    pub fn close(&mut self, sink: &mut dyn FnMut(ResponseEvent<'_>)) -> Result<(), HttpError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let error = match self.state {
            State::Head if self.is_idle() => return Ok(()),
            State::Head => HttpError::IncompleteHead,
            State::Length(_) | State::Chunked(_) => HttpError::IncompleteBody,
            State::UntilClose => {
                self.reset();
                sink(ResponseEvent::End { keep_alive: false });
                return Ok(());
            }
        };
        self.fail(error.clone());
        Err(error)
    }

    /// Between responses (nothing partial buffered or in progress).
    ///
    /// `false` after an interim 1xx response until the final one ends, and
    /// once the parser has failed.
    pub fn is_idle(&self) -> bool {
        matches!(self.state, State::Head)
            && self.buf.is_empty()
            && !self.interim
            && self.failed.is_none()
    }

    fn fail(&mut self, error: HttpError) {
        self.failed = Some(error);
        self.state = State::Head;
        self.buf = Vec::new();
    }

    fn reset(&mut self) {
        self.state = State::Head;
        self.buf.clear();
        self.scan = Scan::Text;
        self.interim = false;
    }

    fn finish(&mut self, sink: &mut dyn FnMut(ResponseEvent<'_>)) {
        let keep_alive = self.keep_alive;
        self.reset();
        sink(ResponseEvent::End { keep_alive });
    }

    fn feed_inner(
        &mut self,
        mut input: &[u8],
        sink: &mut dyn FnMut(ResponseEvent<'_>),
    ) -> Result<(), HttpError> {
        while !input.is_empty() {
            let done = match &mut self.state {
                State::Head => {
                    let used = self.feed_head(input, sink)?;
                    input = &input[used..];
                    false
                }
                State::Length(remaining) => {
                    let n = usize::try_from(*remaining).map_or(input.len(), |r| r.min(input.len()));
                    let (data, rest) = input.split_at(n);
                    // `n as u64` is lossless: n <= remaining.
                    *remaining -= n as u64;
                    let done = *remaining == 0;
                    sink(ResponseEvent::Data(data));
                    input = rest;
                    done
                }
                State::Chunked(decoder) => {
                    let (used, chunk) = decoder.decode(input, &self.limits)?;
                    input = &input[used..];
                    match chunk {
                        Chunk::Data(data) => {
                            sink(ResponseEvent::Data(data));
                            false
                        }
                        Chunk::Done => true,
                        Chunk::NeedMore => false,
                    }
                }
                State::UntilClose => {
                    sink(ResponseEvent::Data(input));
                    input = &[];
                    false
                }
            };
            if done {
                self.finish(sink);
            }
        }
        Ok(())
    }

    /// Takes head bytes from `input` (not empty); returns how many were used.
    fn feed_head(
        &mut self,
        input: &[u8],
        sink: &mut dyn FnMut(ResponseEvent<'_>),
    ) -> Result<usize, HttpError> {
        // Empty lines before a status line are skipped (as httparse does).
        let skipped = if self.buf.is_empty() {
            input
                .iter()
                .position(|&b| b != b'\r' && b != b'\n')
                .unwrap_or(input.len())
        } else {
            0
        };
        let rest = &input[skipped..];
        if rest.is_empty() {
            return Ok(input.len());
        }
        let room = self.limits.max_head_bytes.saturating_sub(self.buf.len());
        let window = &rest[..room.min(rest.len())];
        let Some(end) = self.find_head_end(window) else {
            if window.len() < rest.len() {
                return Err(HttpError::HeadTooLarge {
                    limit: self.limits.max_head_bytes,
                });
            }
            self.buf.extend_from_slice(window);
            return Ok(input.len());
        };
        let used = skipped + end;
        let head = if self.buf.is_empty() {
            parse_head(&rest[..end], &self.limits)?
        } else {
            self.buf.extend_from_slice(&rest[..end]);
            let head = parse_head(&self.buf, &self.limits)?;
            self.buf.clear();
            head
        };
        self.scan = Scan::Text;
        match head.status {
            101 => return Err(HttpError::UpgradeUnsupported),
            100..=199 => {
                self.interim = true;
                return Ok(used);
            }
            _ => {}
        }
        let (framing, keep_alive) = framing(&head)?;
        self.keep_alive = keep_alive;
        self.interim = false;
        sink(ResponseEvent::Head(head));
        match framing {
            Framing::Empty => self.finish(sink),
            Framing::Length(n) => self.state = State::Length(n),
            Framing::Chunked => self.state = State::Chunked(ChunkedDecoder::new()),
            Framing::UntilClose => self.state = State::UntilClose,
        }
        Ok(used)
    }

    /// Length of the head in `bytes` (through its blank line), carrying
    /// the search state over from earlier feeds; `None` if not there yet.
    fn find_head_end(&mut self, bytes: &[u8]) -> Option<usize> {
        for (i, &b) in bytes.iter().enumerate() {
            self.scan = match (self.scan, b) {
                (Scan::Lf | Scan::LfCr, b'\n') => return Some(i + 1),
                (_, b'\n') => Scan::Lf,
                (Scan::Lf, b'\r') => Scan::LfCr,
                _ => Scan::Text,
            };
        }
        None
    }
}

/// Parses a complete head (status line through blank line, no leading
/// empty lines).
fn parse_head(bytes: &[u8], limits: &Limits) -> Result<ResponseHead, HttpError> {
    // Each field takes at least two bytes, so this many slots are enough
    // for any head that fits the limit without allocating all of them.
    let slots = limits.max_headers.min(bytes.len() / 2 + 1);
    let mut fields = vec![httparse::EMPTY_HEADER; slots];
    let mut response = httparse::Response::new(&mut fields);
    match response.parse(bytes) {
        Ok(httparse::Status::Complete(n)) if n == bytes.len() => {}
        Ok(_) => {
            return Err(HttpError::MalformedHead(
                "head does not end at its blank line".into(),
            ))
        }
        Err(httparse::Error::TooManyHeaders) => {
            return Err(HttpError::TooManyHeaders {
                limit: limits.max_headers,
            })
        }
        Err(e) => return Err(HttpError::MalformedHead(e.to_string())),
    }
    let (Some(minor_version), Some(status)) = (response.version, response.code) else {
        return Err(HttpError::MalformedHead("missing version or status".into()));
    };
    if status < 100 {
        return Err(HttpError::MalformedHead(format!("status code {status:03}")));
    }
    let headers = response
        .headers
        .iter()
        .map(|h| {
            (
                h.name.to_string(),
                String::from_utf8_lossy(h.value).into_owned(),
            )
        })
        .collect();
    Ok(ResponseHead {
        status,
        reason: reason(bytes),
        minor_version,
        headers,
    })
}

/// The reason phrase, taken from the status line itself: httparse gives an
/// empty one when it holds non-ASCII bytes, which we keep (lossily).
/// httparse has checked the line is `HTTP/1.x NNN[ reason]`.
fn reason(head: &[u8]) -> String {
    let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    String::from_utf8_lossy(line.get(13..).unwrap_or_default()).into_owned()
}
