//! The markup fuzz hook on stable: over the committed corpus
//! (fuzz/corpus/markup/), each seed's prefixes and single-character
//! changes, random markup soup, and inputs of 100 KB.

use hangups_core::message::{fuzz_markup, ChatMessageSegment};
use std::path::PathBuf;

fn corpus() -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/markup");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() > 40, "corpus too small");
    files.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

#[test]
fn corpus_and_variants() {
    for seed in corpus() {
        for n in 0..=seed.len() {
            fuzz_markup(&seed[..n]);
        }
        for i in 0..seed.len() {
            for b in [b'*', b'_', b'<', b'>', b'/', b'.', b' ', b'\n', 0xc5, b'\\'] {
                let mut v = seed.clone();
                v[i] = b;
                fuzz_markup(&v);
            }
        }
    }
}

/// xorshift64*: a fixed, dependency-free pseudo-random sequence.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const PIECES: &[&str] = &[
    "*",
    "_",
    "~",
    "=",
    "`",
    "[",
    "]",
    "(",
    ")",
    "<",
    ">",
    "/",
    "\\",
    " ",
    "\n",
    "\r\n",
    "  ",
    "**",
    "***",
    "__",
    "~~",
    "==",
    "```",
    "<b>",
    "</b>",
    "<i>",
    "</I>",
    "<pre>",
    "</pre>",
    "<a href='",
    "'>",
    "</a>",
    "<img src=\"",
    "\"/>",
    "<br>",
    "](",
    "http://",
    "www.",
    ".com",
    "x.org/",
    "1.2.3.4",
    ":80",
    "@",
    "a",
    "bc",
    "word",
    "é",
    "日本",
    "ſ",
    "\u{212a}",
    "\u{661}",
    "\u{a0}",
    "\u{301}",
    "'",
    "\"",
    "!",
    ".",
    ",",
];

fn soup(rng: &mut Rng, len: usize) -> String {
    let mut s = String::new();
    while s.len() < len {
        s.push_str(rng.pick(PIECES));
    }
    s
}

#[test]
fn random_soup() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..3_000 {
        let len = (rng.next() % 80) as usize;
        fuzz_markup(soup(&mut rng, len).as_bytes());
    }
}

/// 100 KB of random markup parses (the hook checks the step count stays
/// linear) and the output keeps every word in order.
#[test]
fn large_random_inputs() {
    let mut rng = Rng(42);
    for _ in 0..4 {
        let input = soup(&mut rng, 100_000);
        fuzz_markup(input.as_bytes());
        let segs = ChatMessageSegment::from_str(&input);
        let words_in = input.matches("word").count();
        let words_out: usize = segs.iter().map(|s| s.text.matches("word").count()).sum();
        // Link targets aside, markup only removes characters: a word can
        // only be lost where a link's URL part or a tag swallowed it.
        assert!(words_out <= words_in && words_out * 2 > words_in);
    }
}

#[test]
fn invalid_utf8_and_controls() {
    fuzz_markup(b"\xff\xfe*a*\xc5");
    fuzz_markup(b"\x00\x01<b>\x00</b>");
    fuzz_markup(&[b'*'; 5_000]);
}
