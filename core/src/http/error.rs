//! The codec's error type.

/// Everything the HTTP codec can reject.
///
/// Response-parser errors are sticky: once [`ResponseParser::feed`] or
/// [`ResponseParser::close`] has returned one, every later call returns the
/// same error again, and the connection should be dropped.
///
/// [`ResponseParser::feed`]: super::ResponseParser::feed
/// [`ResponseParser::close`]: super::ResponseParser::close
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    /// No complete response head within `limit` bytes.
    #[error("response head exceeds {limit} bytes")]
    HeadTooLarge {
        /// The configured [`Limits::max_head_bytes`](super::Limits::max_head_bytes).
        limit: usize,
    },
    /// The response head has more than `limit` header fields.
    #[error("response head has more than {limit} header fields")]
    TooManyHeaders {
        /// The configured [`Limits::max_headers`](super::Limits::max_headers).
        limit: usize,
    },
    /// The status line or a header field is not valid HTTP/1.x.
    #[error("malformed response head: {0}")]
    MalformedHead(String),
    /// `101 Switching Protocols`: this client never asks for an upgrade.
    #[error("unexpected 101 Switching Protocols (upgrades are not supported)")]
    UpgradeUnsupported,
    /// `Content-Length` is not a decimal number, overflows, or has
    /// differing values.
    #[error("invalid Content-Length")]
    BadContentLength,
    /// `Transfer-Encoding` names a coding other than a single final
    /// `chunked`; the value is the offending field value.
    #[error("unsupported Transfer-Encoding {0:?}")]
    UnsupportedTransferEncoding(String),
    /// A chunk-size line is not `hex-size [ws] [;extensions]`.
    #[error("invalid chunk size line")]
    BadChunkSize,
    /// A chunk size does not fit in 64 bits.
    #[error("chunk size overflows 64 bits")]
    ChunkSizeOverflow,
    /// A chunk-size line (with extensions) is longer than `limit` bytes.
    #[error("chunk size line longer than {limit} bytes")]
    ChunkSizeLineTooLong {
        /// The configured [`Limits::max_chunk_size_line`](super::Limits::max_chunk_size_line).
        limit: usize,
    },
    /// Chunk data is not followed by CRLF (or LF).
    #[error("chunk data not followed by CRLF")]
    MissingChunkCrlf,
    /// A bare CR where the trailer section expects a line end.
    #[error("malformed chunked trailer section")]
    MalformedTrailer,
    /// The trailer section is longer than `limit` bytes.
    #[error("chunked trailer section exceeds {limit} bytes")]
    TrailersTooLarge {
        /// The configured [`Limits::max_trailer_bytes`](super::Limits::max_trailer_bytes).
        limit: usize,
    },
    /// The peer closed the connection in the middle of a response head
    /// (or after an interim `1xx` response, before the final one).
    #[error("connection closed in the middle of a response head")]
    IncompleteHead,
    /// The peer closed the connection before the body's declared end
    /// (`Content-Length` short, or the chunked body unfinished).
    #[error("connection closed in the middle of a response body")]
    IncompleteBody,
    /// [`Request::validate`](super::Request::validate): the host is empty
    /// or contains whitespace or control characters.
    #[error("invalid host {0:?}")]
    InvalidHost(String),
    /// [`Request::validate`](super::Request::validate): a header name is
    /// empty or not an RFC 9110 token.
    #[error("invalid request header name {0:?}")]
    InvalidHeaderName(String),
    /// [`Request::validate`](super::Request::validate): the value of the
    /// named header contains CR, LF, NUL or another control character.
    #[error("invalid value for request header {0:?}")]
    InvalidHeaderValue(String),
    /// [`Request::validate`](super::Request::validate): the codec writes
    /// this header itself (`Host`, `Content-Length`, `Transfer-Encoding`).
    #[error("request header {0:?} is written by the codec")]
    ReservedHeader(String),
}
