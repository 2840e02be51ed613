//! HTTP/1.1 client codec: requests out ([`Request::encode`]), responses in
//! ([`ResponseParser`]). No IO: bytes in, bytes and events out.
//!
//! - [`Request::encode`] writes the request line (path and query
//!   percent-encoded), `Host`, the caller's headers and `Content-Length`;
//!   [`form_urlencode`] builds form bodies exactly as Python's `urlencode`.
//! - [`ResponseParser::feed`] takes whatever bytes the connection produced,
//!   split anywhere, and reports [`ResponseEvent`]s: `Head`, body `Data`
//!   borrowed straight from the input (never buffered or copied), `End`.
//!   Interim 1xx responses are skipped; several responses on one keep-alive
//!   connection follow each other. [`ResponseParser::close`] reports the
//!   end of the connection, which ends a read-until-close body or is an
//!   [`HttpError`] mid-response. Everything the parser buffers is bounded
//!   by [`Limits`]; errors are sticky.
//!
//! ```
//! use hangups_core::http::{HttpError, Method, Request, ResponseEvent, ResponseParser};
//!
//! let request = Request::new(Method::Get, "example.com", 443, true, "/a b")
//!     .with_query("q", "x&y");
//! assert_eq!(
//!     request.encode(),
//!     b"GET /a%20b?q=x%26y HTTP/1.1\r\nHost: example.com\r\n\r\n"
//! );
//!
//! let mut parser = ResponseParser::default();
//! let (mut status, mut body, mut ended) = (0, Vec::new(), None);
//! let mut sink = |event: ResponseEvent<'_>| match event {
//!     ResponseEvent::Head(head) => status = head.status,
//!     ResponseEvent::Data(data) => body.extend_from_slice(data),
//!     ResponseEvent::End { keep_alive } => ended = Some(keep_alive),
//! };
//! parser.feed(b"HTTP/1.1 200 OK\r\nContent-Le", &mut sink)?;
//! parser.feed(b"ngth: 5\r\n\r\nhello", &mut sink)?;
//! assert_eq!((status, body.as_slice(), ended), (200, &b"hello"[..], Some(true)));
//! assert!(parser.is_idle());
//! # Ok::<(), HttpError>(())
//! ```

mod chunked;
mod error;
mod framing;
mod percent;
mod request;
mod response;

pub use error::HttpError;
pub use request::{form_urlencode, Method, Request};
pub use response::{Limits, ResponseEvent, ResponseHead, ResponseParser};

/// Fuzzing entry point (used by the fuzz targets and tests; not API).
///
/// `data[0]`: low 4 bits, how many of the following bytes are piece sizes;
/// bit 4, tiny limits instead of the defaults. The rest of `data` is fed in
/// pieces of those sizes (then whatever is left), and the parser is closed.
/// Panics if the parser misbehaves: a panic inside it, more body bytes out
/// than input in, an empty `Data`, events in an impossible order, or an
/// error that is not repeated by later calls.
#[doc(hidden)]
pub fn fuzz_response_parser(data: &[u8]) {
    let Some((&control, rest)) = data.split_first() else {
        return;
    };
    let (sizes, input) = rest.split_at(usize::from(control & 0x0f).min(rest.len()));
    let limits = if control & 0x10 != 0 {
        Limits {
            max_head_bytes: 48,
            max_headers: 3,
            max_chunk_size_line: 6,
            max_trailer_bytes: 12,
        }
    } else {
        Limits::default()
    };
    let mut parser = ResponseParser::new(limits);
    let (mut heads, mut ends, mut data_bytes) = (0usize, 0usize, 0usize);
    let mut sink = |event: ResponseEvent<'_>| match event {
        ResponseEvent::Head(_) => {
            assert_eq!(heads, ends, "Head before the previous End");
            heads += 1;
        }
        ResponseEvent::Data(d) => {
            assert!(!d.is_empty(), "empty Data");
            assert_eq!(heads, ends + 1, "Data outside a response");
            data_bytes += d.len();
        }
        ResponseEvent::End { .. } => {
            assert_eq!(heads, ends + 1, "End without Head");
            ends += 1;
        }
    };
    let mut pieces = Vec::with_capacity(sizes.len() + 1);
    let mut left = input;
    for &size in sizes {
        let (piece, after) = left.split_at(usize::from(size).min(left.len()));
        pieces.push(piece);
        left = after;
    }
    pieces.push(left);
    let mut failed = None;
    for piece in pieces {
        if let Err(e) = parser.feed(piece, &mut sink) {
            failed = Some(e);
            break;
        }
    }
    let closed = parser.close(&mut sink);
    if let Some(e) = failed {
        assert_eq!(closed, Err(e.clone()), "error not sticky");
        assert_eq!(parser.feed(b"HTTP/1.1 200 OK\r\n\r\n", &mut sink), Err(e));
    }
    assert!(data_bytes <= input.len(), "more body bytes out than in");
}

#[cfg(test)]
mod tests;
