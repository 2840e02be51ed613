//! Decodes a push-channel long-poll body (length-framed chunks, as in
//! shared/bench/*.bin) from standard input and prints one JSON line per
//! item, in order:
//!
//! ```text
//! {"array_id":N,"noop":true}
//! {"array_id":N,"client_id":"..."}
//! {"array_id":N,"state_update":<the StateUpdate as pblite>}   (one per StateUpdate)
//! {"array_id":N,"unknown":"<the push array's JSON text>"}
//! ```
//!
//! ```sh
//! cargo run -q -p hangups-core --example decode_stream -- [--read N | --read random:SEED] [--quiet] < body.bin
//! ```
//!
//! The body is read in reads of at most `--read N` bytes (default 4096), or
//! of pseudo-random sizes from 1 to 65536 with `--read random:SEED`, as a
//! socket might deliver it. `--quiet` prints only the totals.

use hangups_core::channel::{decode_chunk, ChunkParser, PushData};
use hangups_core::proto::pblite;
use std::io::{self, Read, Write};

/// How big each read of the body is.
#[derive(Debug, Clone, Copy)]
pub enum ReadSize {
    /// At most this many bytes.
    Fixed(usize),
    /// From 1 to 65536 bytes, chosen by a PRNG with this seed.
    Random(u64),
}

/// What a run found.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    /// Push arrays (a wrapper with a client id and a payload counts twice).
    pub arrays: usize,
    /// StateUpdates.
    pub state_updates: usize,
    /// Chunks that could not be decoded at all (skipped, as the channel does).
    pub bad_chunks: usize,
}

/// splitmix64: small, seeded, repeatable.
struct Prng(u64);

impl Prng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Reads the body from `input`, decodes it, and writes the JSON lines (or,
/// if `quiet`, only the totals) to `out`.
pub fn run(
    mut input: impl Read,
    reads: ReadSize,
    quiet: bool,
    mut out: impl Write,
) -> io::Result<Summary> {
    let mut parser = ChunkParser::new();
    let mut summary = Summary::default();
    let mut buf = vec![
        0;
        match reads {
            ReadSize::Fixed(n) => n.max(1),
            ReadSize::Random(_) => 65536,
        }
    ];
    let mut prng = Prng(match reads {
        ReadSize::Random(seed) => seed,
        ReadSize::Fixed(_) => 0,
    });
    loop {
        let size = match reads {
            ReadSize::Fixed(_) => buf.len(),
            ReadSize::Random(_) => 1 + (prng.next() % 65536) as usize,
        };
        let n = input.read(&mut buf[..size])?;
        if n == 0 {
            break;
        }
        // Each chunk decoded where it sits in the read (only one that
        // straddles reads is assembled in the parser).
        let mut chunks = parser.chunks(&buf[..n]);
        while let Some(chunk) = chunks
            .next_chunk()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?
        {
            print_chunk(chunk, quiet, &mut summary, &mut out)?;
        }
    }
    if parser.buffered_bytes() > 0 {
        eprintln!(
            "warning: the body ends inside a chunk ({} bytes left)",
            parser.buffered_bytes()
        );
    }
    if quiet {
        writeln!(
            out,
            "{} arrays, {} state updates",
            summary.arrays, summary.state_updates
        )?;
    }
    out.flush()?;
    Ok(summary)
}

fn print_chunk(
    chunk: &str,
    quiet: bool,
    summary: &mut Summary,
    out: &mut impl Write,
) -> io::Result<()> {
    let arrays = match decode_chunk(chunk) {
        Ok(arrays) => arrays,
        Err(e) => {
            eprintln!("warning: chunk skipped: {e}");
            summary.bad_chunks += 1;
            return Ok(());
        }
    };
    for array in arrays {
        summary.arrays += 1;
        if let PushData::StateUpdates(updates) = &array.data {
            summary.state_updates += updates.len();
        }
        if quiet {
            continue;
        }
        let id = array.array_id;
        match &array.data {
            PushData::Noop => writeln!(out, r#"{{"array_id":{id},"noop":true}}"#)?,
            PushData::ClientId(client_id) => {
                let client_id = serde_json::to_string(client_id)?;
                writeln!(out, r#"{{"array_id":{id},"client_id":{client_id}}}"#)?;
            }
            PushData::StateUpdates(updates) => {
                for update in updates {
                    let update = pblite::encode(update);
                    writeln!(out, r#"{{"array_id":{id},"state_update":{update}}}"#)?;
                }
            }
            PushData::Unknown(text) => {
                let text = serde_json::to_string(text)?;
                writeln!(out, r#"{{"array_id":{id},"unknown":{text}}}"#)?;
            }
            other => {
                let other = serde_json::to_string(&format!("{other:?}"))?;
                writeln!(out, r#"{{"array_id":{id},"other":{other}}}"#)?;
            }
        }
    }
    Ok(())
}

fn parse_args() -> Result<(ReadSize, bool), String> {
    let mut reads = ReadSize::Fixed(4096);
    let mut quiet = false;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quiet" => quiet = true,
            "--read" => {
                let value = args.next().ok_or("--read needs a value")?;
                reads = match value.strip_prefix("random:") {
                    Some(seed) => ReadSize::Random(seed.parse().map_err(|_| "bad seed")?),
                    None => match value.parse() {
                        Ok(n) if n > 0 => ReadSize::Fixed(n),
                        _ => return Err(format!("bad read size {value}")),
                    },
                };
            }
            _ => return Err(format!("unknown argument {arg}")),
        }
    }
    Ok((reads, quiet))
}

fn main() {
    let (reads, quiet) = match parse_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!(
                "{e}\nusage: decode_stream [--read N | --read random:SEED] [--quiet] < body.bin"
            );
            std::process::exit(2);
        }
    };
    let stdout = io::stdout().lock();
    if let Err(e) = run(io::stdin().lock(), reads, quiet, io::BufWriter::new(stdout)) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
