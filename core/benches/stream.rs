//! Push-stream decoding throughput: a long-poll body, fed in reads of a
//! fixed size, framed where each read sits (`ChunkParser::chunks`: only a
//! chunk that straddles reads is copied) and decoded by `decode_chunk`
//! into typed StateUpdates; MB/s of stream bytes. In the same run, with
//! the same framing, the baselines parse only the outer JSON layer of each
//! chunk with serde_json, into a `Value` (what shared/bench/README.md's
//! ≈ 700 MB/s reference figure measures) and, lighter, only validating it
//! (`IgnoredAny`: the floor the decoder is compared with). A sixth figure
//! decodes with the copying framing (`feed` + `next_chunk`).
//!
//! `cargo bench -p hangups-core --bench stream`
//!
//! By default the stream is generated here with the shape of
//! shared/bench/gen_stream.py (10,000 events). `HANGUPS_BENCH_STREAM=path`
//! decodes a stream file instead, e.g. shared/bench/stream-10k.bin.
//! `HANGUPS_BENCH_MS` sets the time spent on each figure (default 1500);
//! `HANGUPS_BENCH_ONLY_DECODE=1` runs only the decoder (for profiling).
//!
//! The figures of a read size are timed in turns, one run of each per
//! round, and each ratio is taken within a round, then the median over the
//! rounds: the machine is shared, and its load changes hit the decoder
//! and the floors alike (the MB/s figures still move with it; the ratios
//! hardly do).
//!
//! Figures on a 2-core x86-64 VM, stream-10k.bin, the three runs' range
//! of the runs that were not slowed by other load (the ratios over all
//! runs):
//!
//! | read size | decode to StateUpdates | (chunks copied) | outer JSON, `IgnoredAny` | outer JSON → `Value` | framing only | decode / `IgnoredAny` |
//! |---|---|---|---|---|---|---|
//! | 1 KiB | 457–460 | 452–455 | 1,028–1,034 | 656–660 | 3,056–3,080 | 0.44–0.46 |
//! | 4 KiB | 472 | 462 | 1,092 | 686 | 3,636 | 0.43 |
//! | 64 KiB | 475–485 | 461–472 | 1,108–1,116 | 693–705 | 3,795–3,808 | 0.43–0.46 |
//! | 1 MiB | 476–483 | 450–461 | 1,079–1,110 | 690–704 | 3,706–3,919 | 0.43–0.44 |
//!
//! Where the decode time goes (perf, 4 KiB reads): the pblite decoder
//! reading the payload where it sits in the chunk (escaped twice), about
//! half; allocating and freeing its owned output (≈ 10 allocations per
//! StateUpdate), about a fifth; framing (UTF-8 validation, UTF-16 count),
//! which the floors share, about an eighth; the outer layer and the
//! wrapper, the rest.

#[path = "support/gen_stream.rs"]
mod gen_stream;

use hangups_core::channel::{decode_chunk, ChunkParser, PushData};
use std::hint::black_box;
use std::time::{Duration, Instant};

const READS: &[(usize, &str)] = &[
    (1024, "1 KiB"),
    (4096, "4 KiB"),
    (64 * 1024, "64 KiB"),
    (1024 * 1024, "1 MiB"),
];

/// Frames `stream` in `read`-byte reads, each where it sits
/// (`ChunkParser::chunks`: only chunks that straddle reads are copied),
/// handing each chunk to `f`. Every figure but one uses this framing.
fn frame(stream: &[u8], read: usize, mut f: impl FnMut(&str)) {
    let mut parser = ChunkParser::new();
    for piece in stream.chunks(read) {
        let mut chunks = parser.chunks(piece);
        while let Some(chunk) = chunks.next_chunk().expect("framing") {
            f(chunk);
        }
    }
    assert_eq!(parser.buffered_bytes(), 0, "stream ends inside a chunk");
}

/// [`frame`] the copying way: each read copied into the parser
/// (`feed`), each chunk copied out (`next_chunk`).
fn frame_copied(stream: &[u8], read: usize, mut f: impl FnMut(&str)) {
    let mut parser = ChunkParser::new();
    for piece in stream.chunks(read) {
        parser.feed(piece);
        while let Some(chunk) = parser.next_chunk().expect("framing") {
            f(&chunk);
        }
    }
    assert_eq!(parser.buffered_bytes(), 0, "stream ends inside a chunk");
}

/// Push arrays and StateUpdates in the stream.
fn decode(stream: &[u8], read: usize) -> (usize, usize) {
    decode_framed(stream, read, false)
}

/// [`decode`], with the chunks copied if `copied`.
fn decode_framed(stream: &[u8], read: usize, copied: bool) -> (usize, usize) {
    let (mut arrays, mut updates) = (0, 0);
    let mut each = |chunk: &str| {
        for array in decode_chunk(chunk).expect("chunk decodes") {
            arrays += 1;
            match array.data {
                PushData::StateUpdates(u) => updates += black_box(u).len(),
                PushData::Unknown(text) => panic!("unknown push array {text}"),
                other => {
                    black_box(other);
                }
            }
        }
    };
    if copied {
        frame_copied(stream, read, each);
    } else {
        frame(stream, read, &mut each);
    }
    (arrays, updates)
}

fn outer_layer_only(stream: &[u8], read: usize) {
    frame(stream, read, |chunk| {
        let v: serde::de::IgnoredAny = serde_json::from_str(chunk).expect("chunk is JSON");
        black_box(v);
    });
}

/// The outer layer parsed into a `serde_json::Value` (the payload strings
/// unescaped into owned `String`s), as a program that parses the outer
/// layer and hands on its values would.
fn outer_layer_values(stream: &[u8], read: usize) {
    frame(stream, read, |chunk| {
        let v: serde_json::Value = serde_json::from_str(chunk).expect("chunk is JSON");
        black_box(v);
    });
}

fn framing_only(stream: &[u8], read: usize) {
    frame(stream, read, |chunk| {
        black_box(chunk);
    });
}

/// Median MB/s of `f` over repeated runs of about `budget` (the decoder
/// alone, for profiling).
fn measure(len: usize, budget: Duration, mut f: impl FnMut()) -> f64 {
    for _ in 0..3 {
        f();
    }
    let mut rates = Vec::new();
    let start = Instant::now();
    while start.elapsed() < budget || rates.len() < 11 {
        let t = Instant::now();
        f();
        rates.push(len as f64 / t.elapsed().as_secs_f64() / 1e6);
    }
    rates.sort_by(f64::total_cmp);
    rates[rates.len() / 2]
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// The figures of one read size, timed in turns: each round runs every
/// one of `fs` once, so that a change in the machine's load (it is
/// shared) hits them all alike, for about `budget` each in all. Returns
/// the MB/s of each round.
fn measure_in_turns(len: usize, budget: Duration, fs: &mut [&mut dyn FnMut()]) -> Vec<Vec<f64>> {
    for _ in 0..2 {
        fs.iter_mut().for_each(|f| f());
    }
    let mut rounds: Vec<Vec<f64>> = Vec::new();
    let start = Instant::now();
    while start.elapsed() < budget * fs.len() as u32 || rounds.len() < 11 {
        let round = fs
            .iter_mut()
            .map(|f| {
                let t = Instant::now();
                f();
                len as f64 / t.elapsed().as_secs_f64() / 1e6
            })
            .collect();
        rounds.push(round);
    }
    rounds
}

/// The median MB/s of figure `i` over the rounds.
fn rate(rounds: &[Vec<f64>], i: usize) -> f64 {
    median(rounds.iter().map(|r| r[i]).collect())
}

/// The median over the rounds of figure `i` / figure `j` in the same round.
fn ratio(rounds: &[Vec<f64>], i: usize, j: usize) -> f64 {
    median(rounds.iter().map(|r| r[i] / r[j]).collect())
}

fn main() {
    let (stream, what, events) = match std::env::var("HANGUPS_BENCH_STREAM") {
        Ok(path) => {
            let stream = std::fs::read(&path).expect("read HANGUPS_BENCH_STREAM");
            (stream, path, None)
        }
        Err(_) => {
            let g = gen_stream::generate(10_000, 0x2545_F491_4F6C_DD1D);
            let what = format!("generated ({} chunks, {} noops)", g.chunks, g.noops);
            (g.stream, what, Some(g.manifest.len()))
        }
    };
    let budget = Duration::from_millis(
        std::env::var("HANGUPS_BENCH_MS")
            .ok()
            .and_then(|ms| ms.parse().ok())
            .unwrap_or(1500),
    );
    let (arrays, updates) = decode(&stream, 4096);
    if let Some(events) = events {
        assert_eq!(updates, events, "one StateUpdate per generated event");
    }
    println!(
        "input: {what}: {} bytes, {arrays} push arrays, {updates} state updates",
        stream.len()
    );
    if std::env::var("HANGUPS_BENCH_ONLY_DECODE").is_ok() {
        // For profiling: the decoder alone, at 4 KiB reads.
        let ours = measure(stream.len(), budget, || {
            black_box(decode(black_box(&stream), 4096));
        });
        println!("decode, 4 KiB reads: {ours:.0} MB/s");
        return;
    }
    println!(
        "read size | decode to StateUpdates | (chunks copied) | framing + outer JSON: IgnoredAny | Value | framing only | decode / IgnoredAny | decode / Value"
    );
    for &(read, name) in READS {
        let s = &stream;
        let rounds = measure_in_turns(
            stream.len(),
            budget,
            &mut [
                &mut || {
                    black_box(decode(black_box(s), read));
                },
                &mut || {
                    black_box(decode_framed(black_box(s), read, true));
                },
                &mut || outer_layer_only(black_box(s), read),
                &mut || outer_layer_values(black_box(s), read),
                &mut || framing_only(black_box(s), read),
            ],
        );
        let [ours, copied, skip, values, framing] = [0, 1, 2, 3, 4].map(|i| rate(&rounds, i));
        println!(
            "{name:>9} | {ours:>17.0} MB/s | {copied:>10.0} MB/s | {skip:>23.0} MB/s | {values:>5.0} MB/s | {framing:>7.0} MB/s | {:>18.2} | {:>14.2}",
            ratio(&rounds, 0, 2),
            ratio(&rounds, 0, 3)
        );
    }
}
