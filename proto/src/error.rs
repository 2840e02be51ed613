//! Decoding errors.

/// Why a whole message could not be decoded. Malformed *fields* are never
/// errors: they are skipped and logged (see [`crate::pblite`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The pblite text is not valid JSON.
    #[error("invalid JSON at byte {offset}: {reason}")]
    Json {
        /// Byte offset of the problem.
        offset: usize,
        /// What was wrong.
        reason: &'static str,
    },
    /// Messages are nested deeper than the limit.
    #[error("messages nested deeper than {limit} levels")]
    TooDeep {
        /// The limit that was exceeded.
        limit: u32,
    },
    /// The binary protobuf's framing is broken.
    #[error("invalid protobuf at byte {offset}: {reason}")]
    InvalidProtobuf {
        /// Byte offset of the field where the problem is.
        offset: usize,
        /// What was wrong.
        reason: &'static str,
    },
    /// quick-protobuf refused the binary protobuf (e.g. invalid UTF-8).
    #[error("invalid protobuf: {0}")]
    Protobuf(#[from] quick_protobuf::Error),
}
