//! The push-array decoder's ways agree on whole streams: the fast path
//! that decodes `"cbu"` payloads where they sit in the chunk, the fast
//! path that unescapes them first, and the slow path (serde_json), chunk by
//! chunk, through `hangups_core::fuzzing::push_arrays` (which asserts it).

#[allow(dead_code)]
#[path = "../benches/support/gen_stream.rs"]
mod gen_stream;

use hangups_core::channel::{decode_chunk, ChunkParser, PushData};
use hangups_core::fuzzing::push_arrays;

/// The chunks of a stream; checks each with the hook, and a few small
/// changes to the first chunks with a payload too. Returns how many
/// StateUpdates the stream holds.
fn check_stream(stream: &[u8], mutate: usize) -> usize {
    let mut parser = ChunkParser::new();
    parser.feed(stream);
    let (mut updates, mut mutated) = (0, 0);
    while let Some(chunk) = parser.next_chunk().expect("framing") {
        push_arrays(chunk.as_bytes());
        for array in decode_chunk(&chunk).expect("chunk decodes") {
            match array.data {
                PushData::StateUpdates(u) => updates += u.len(),
                PushData::Unknown(text) => panic!("unknown push array {text}"),
                _ => {}
            }
        }
        if mutated < mutate && chunk.contains("cbu") {
            mutated += 1;
            for (at, _) in chunk.char_indices().step_by(3) {
                let (head, tail) = chunk.split_at(at);
                for insert in ["\\", "\"", "\\\\", "u", " ", "\\n", "]"] {
                    push_arrays(format!("{head}{insert}{tail}").as_bytes());
                }
            }
        }
    }
    assert_eq!(parser.buffered_bytes(), 0);
    updates
}

#[test]
fn generated_streams() {
    for seed in [1, 2, 0x2545_F491_4F6C_DD1D] {
        let g = gen_stream::generate(600, seed);
        assert_eq!(check_stream(&g.stream, 2), 600);
    }
}

/// The benchmark's streams, where this machine has them.
#[test]
fn shared_bench_streams() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/bench");
    for (file, events) in [("stream-1k.bin", 1_000), ("stream-10k.bin", 10_000)] {
        let Ok(stream) = std::fs::read(dir.join(file)) else {
            eprintln!("{file}: not here, skipped");
            continue;
        };
        assert_eq!(check_stream(&stream, 0), events, "{file}");
    }
}
