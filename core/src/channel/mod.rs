//! The BrowserChannel push channel.
//!
//! - [`ChunkParser`]: splits the long-poll body into chunks (UTF-16 length
//!   framing, incremental, linear in the input, bounded);
//! - [`decode_chunk`]: turns one chunk into its push arrays (noop, client
//!   id, the StateUpdates of a BatchUpdate).

mod chunk;
mod push;

pub use chunk::{ChunkError, ChunkParser, DEFAULT_MAX_CHUNK};
pub use push::{decode_chunk, PushArray, PushData, PushError};
