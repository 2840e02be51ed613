//! The BrowserChannel push channel.
//!
//! - [`ChunkParser`]: splits the long-poll body into chunks (UTF-16 length
//!   framing, incremental, linear in the input, bounded);
//! - [`decode_chunk`]: turns one chunk into its push arrays (noop, client
//!   id, the StateUpdates of a BatchUpdate); odd push arrays are kept as
//!   [`PushData::Unknown`], never fatal.
//!
//! ```
//! use hangups_core::channel::{decode_chunk, ChunkParser, PushData};
//!
//! let mut parser = ChunkParser::new();
//! parser.feed(b"17\n[[6,[\"noop\"]\n]\n]\n");   // bytes read off the long-poll body
//! while let Some(chunk) = parser.next_chunk()? {
//!     for array in decode_chunk(&chunk)? {
//!         assert_eq!(array.data, PushData::Noop);
//!     }
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod chunk;
mod push;

pub use chunk::{ChunkError, ChunkParser, Chunks, DEFAULT_MAX_CHUNK};
pub(crate) use push::decode_chunk_other_ways;
pub use push::{decode_chunk, PushArray, PushData, PushError};
