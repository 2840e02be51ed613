//! Decoding where the chunks sit in the reads (`ChunkParser::chunks`)
//! gives what decoding copies of them gives (`feed` + `next_chunk`), for
//! whole generated streams at any read size, for a chunk split at every
//! byte, and for corrupted streams (framing errors included).

#[allow(dead_code)]
#[path = "../benches/support/gen_stream.rs"]
mod gen_stream;

use hangups_core::channel::{decode_chunk, ChunkError, ChunkParser, PushArray, PushError};
use proptest::prelude::*;

/// Each chunk's decoding, then the framing error that ended the stream.
type Outcome = (Vec<Result<Vec<PushArray>, PushError>>, Option<ChunkError>);

/// Frames copies of the chunks out of the parser's buffer.
fn decode_copied(reads: &[&[u8]]) -> Outcome {
    let mut parser = ChunkParser::new();
    let mut out = Vec::new();
    for read in reads {
        parser.feed(read);
        loop {
            match parser.next_chunk() {
                Ok(Some(chunk)) => out.push(decode_chunk(&chunk)),
                Ok(None) => break,
                Err(e) => return (out, Some(e)),
            }
        }
    }
    (out, None)
}

/// Decodes the chunks where they sit in the reads.
fn decode_in_place(reads: &[&[u8]]) -> Outcome {
    let mut parser = ChunkParser::new();
    let mut out = Vec::new();
    for read in reads {
        let mut chunks = parser.chunks(read);
        loop {
            match chunks.next_chunk() {
                Ok(Some(chunk)) => out.push(decode_chunk(chunk)),
                Ok(None) => break,
                Err(e) => return (out, Some(e)),
            }
        }
    }
    (out, None)
}

fn reads(stream: &[u8], size: usize) -> Vec<&[u8]> {
    stream.chunks(size.max(1)).collect()
}

#[test]
fn whole_streams_at_every_read_size() {
    let g = gen_stream::generate(300, 0x9E37_79B9_7F4A_7C15);
    let expected = decode_copied(&[&g.stream]);
    assert_eq!(expected.1, None);
    assert_eq!(expected.0.len(), g.chunks);
    assert!(expected.0.iter().all(Result::is_ok));
    for size in [1, 2, 3, 7, 64, 333, 1024, 4096, 65536, g.stream.len()] {
        let pieces = reads(&g.stream, size);
        assert_eq!(decode_in_place(&pieces), expected, "{size}-byte reads");
        assert_eq!(decode_copied(&pieces), expected, "{size}-byte reads");
    }
}

#[test]
fn a_chunk_split_at_every_byte_decodes_the_same() {
    let g = gen_stream::generate(40, 7);
    // The first chunks: the client id, then BatchUpdates with multi-byte
    // text and escapes (and one with a photo, every tenth event).
    let mut parser = ChunkParser::new();
    let mut read = parser.chunks(&g.stream);
    let mut framed = Vec::new();
    while let Some(chunk) = read.next_chunk().unwrap() {
        if framed.len() < 4 || chunk.contains("27639957") {
            framed.push(chunk.to_owned());
        }
    }
    drop(read);
    assert!(framed.iter().any(|c| c.contains("27639957")));
    for chunk in &framed {
        let mut stream = Vec::new();
        gen_stream::frame(chunk, &mut stream);
        let expected = decode_copied(&[&stream]);
        assert_eq!(expected.0, [decode_chunk(chunk)]);
        assert!(expected.0[0].is_ok());
        for at in 0..=stream.len() {
            let (a, b) = stream.split_at(at);
            assert_eq!(decode_in_place(&[a, b]), expected, "split at {at}");
        }
        // And three reads, around every byte.
        for at in 1..stream.len() {
            let pieces = [&stream[..at - 1], &stream[at - 1..at], &stream[at..]];
            assert_eq!(decode_in_place(&pieces), expected, "byte {at} alone");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// A corrupted stream (bytes replaced by JSON-significant characters,
    /// invalid UTF-8, digits or newlines, which break the framing too),
    /// read in pieces of random sizes.
    #[test]
    fn corrupted_streams_decode_the_same_in_place(
        seed in 1u64..u64::MAX,
        edits in prop::collection::vec(
            (any::<prop::sample::Index>(), prop::sample::select(vec![
                b'\\', b'"', b'[', b']', b'{', b',', b'n', b'0', b'9', b'\n', b' ', 0xFF, 0xC3, 0xF0,
            ])),
            1..6,
        ),
        sizes in prop::collection::vec(1usize..3000, 1..8),
    ) {
        let g = gen_stream::generate(12, seed);
        let mut stream = g.stream;
        for (at, byte) in edits {
            let i = at.index(stream.len());
            stream[i] = byte;
        }
        let expected = decode_copied(&[&stream]);
        let mut pieces = Vec::new();
        let mut rest = &stream[..];
        let mut k = 0;
        while !rest.is_empty() {
            let (a, b) = rest.split_at(sizes[k % sizes.len()].min(rest.len()));
            pieces.push(a);
            rest = b;
            k += 1;
        }
        prop_assert_eq!(decode_in_place(&pieces), expected.clone());
        prop_assert_eq!(decode_copied(&pieces), expected);
    }
}
