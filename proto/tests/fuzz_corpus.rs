//! The fuzz targets' logic on stable: every file of the committed corpus
//! (fuzz/corpus/<target>/) goes through the same hook the fuzzer calls,
//! plus a deterministic sweep of truncations and byte flips of each file.

use std::path::PathBuf;

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            let data = std::fs::read(&p).unwrap();
            (p, data)
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "empty corpus for {target}");
    files
}

/// Each input, every prefix of it, and each byte replaced by a few others.
fn variants(data: &[u8]) -> impl Iterator<Item = Vec<u8>> + '_ {
    let prefixes = (0..=data.len()).map(|n| data[..n].to_vec());
    let flips = (0..data.len()).flat_map(move |i| {
        [b'[', b']', b'{', b'"', b'0', 0xff]
            .into_iter()
            .map(move |b| {
                let mut v = data.to_vec();
                v[i] = b;
                v
            })
    });
    prefixes.chain(flips)
}

#[test]
fn pblite_decode_corpus() {
    for (path, data) in corpus("pblite_decode") {
        eprintln!("{}", path.display());
        for v in variants(&data) {
            hangups_proto::fuzzing::pblite_decode(&v);
        }
    }
}

#[test]
fn binary_batch_update_corpus() {
    for (path, data) in corpus("binary_batch_update") {
        eprintln!("{}", path.display());
        for v in variants(&data) {
            hangups_proto::fuzzing::binary_batch_update(&v);
        }
    }
}
