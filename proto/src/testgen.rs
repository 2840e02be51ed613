//! Random canonical messages of every type, for the round-trip property
//! tests. "Canonical": no optional sub-message that would encode as `[]`
//! (pblite reads that as absent) and no non-finite doubles (JSON has none).

use crate::pblite::Slot;
use crate::Message;

/// splitmix64: small, seedable, good enough for test data. It has a
/// generator for every proto scalar type, used or not by today's schema.
pub(crate) struct TestRng(u64);

#[allow(dead_code)]
impl TestRng {
    pub(crate) fn new(seed: u64) -> Self {
        TestRng(seed)
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    pub(crate) fn coin(&mut self) -> bool {
        self.next() & 1 == 1
    }
    fn int(&mut self) -> i128 {
        match self.below(6) {
            0 => 0,
            1 => i128::from(self.below(300)),
            2 => -i128::from(self.below(300)),
            3 => i128::from(self.next()),
            4 => i128::from(self.next() as i64),
            _ => 1_521_002_546_845_000 + i128::from(self.below(1 << 40)),
        }
    }
    fn wrap<T: TryFrom<i128> + Default>(&mut self) -> T {
        let v = self.int();
        T::try_from(v).unwrap_or_else(|_| T::try_from(v.rem_euclid(1 << 31)).unwrap_or_default())
    }
    pub(crate) fn scalar_int32(&mut self) -> i32 {
        self.wrap()
    }
    pub(crate) fn scalar_sint32(&mut self) -> i32 {
        self.wrap()
    }
    pub(crate) fn scalar_sfixed32(&mut self) -> i32 {
        self.wrap()
    }
    pub(crate) fn scalar_int64(&mut self) -> i64 {
        self.wrap()
    }
    pub(crate) fn scalar_sint64(&mut self) -> i64 {
        self.wrap()
    }
    pub(crate) fn scalar_sfixed64(&mut self) -> i64 {
        self.wrap()
    }
    pub(crate) fn scalar_uint32(&mut self) -> u32 {
        self.wrap()
    }
    pub(crate) fn scalar_fixed32(&mut self) -> u32 {
        self.wrap()
    }
    pub(crate) fn scalar_uint64(&mut self) -> u64 {
        self.wrap()
    }
    pub(crate) fn scalar_fixed64(&mut self) -> u64 {
        self.wrap()
    }
    pub(crate) fn scalar_bool(&mut self) -> bool {
        self.coin()
    }
    pub(crate) fn scalar_double(&mut self) -> f64 {
        match self.below(4) {
            0 => 0.0,
            1 => (self.next() as i64 as f64) / 1e6,
            2 => f64::from_bits(self.next() & 0x7FEF_FFFF_FFFF_FFFF),
            _ => -f64::from_bits(self.next() & 0x3FFF_FFFF_FFFF_FFFF),
        }
    }
    pub(crate) fn scalar_float(&mut self) -> f32 {
        (self.scalar_double() as f32).clamp(f32::MIN, f32::MAX)
    }
    pub(crate) fn scalar_str(&mut self) -> String {
        const PIECES: &[&str] = &[
            "hello",
            " ",
            "ça va",
            "日本語",
            "😀",
            "👍🏽",
            "𝄞",
            "\"",
            "\\",
            "\n",
            "\t",
            "\u{1}",
            "\u{7f}",
            "/",
            "",
            "http://example.com/x?a=1&b=2",
            "null",
            "[1,2]",
            "{\"a\":1}",
            "\u{2028}",
        ];
        let n = self.below(6);
        (0..n)
            .map(|_| PIECES[self.below(PIECES.len() as u64) as usize])
            .collect()
    }
    pub(crate) fn scalar_bytes(&mut self) -> Vec<u8> {
        let n = self.below(9);
        (0..n).map(|_| self.next() as u8).collect()
    }
    pub(crate) fn enum_value<E: From<i32>>(&mut self) -> E {
        E::from(match self.below(4) {
            0 => self.scalar_int32(),
            _ => self.below(45) as i32,
        })
    }
    pub(crate) fn message<T: Gen>(&mut self, depth: u32) -> T {
        T::gen(self, depth.saturating_sub(1))
    }
    pub(crate) fn optional_message<S: Slot>(&mut self, depth: u32) -> Option<S>
    where
        S::Msg: Gen,
    {
        if depth == 0 || !self.coin() {
            return None;
        }
        let m = S::Msg::gen(self, depth - 1);
        if crate::pblite::encode(&m) == "[]" {
            None
        } else {
            Some(S::wrap(m))
        }
    }
}

/// A random canonical value.
pub(crate) trait Gen: Sized {
    fn gen(g: &mut TestRng, depth: u32) -> Self;
}

/// Called once per message type by `for_each_message`.
pub(crate) trait MessageVisitor {
    fn visit<M: Message + Gen>(&mut self);
}

pub(crate) use crate::generated::test_generators::for_each_message;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pblite;

    const SEEDS: u64 = 60;
    const DEPTH: u32 = 5;

    struct PbliteRoundTrip(usize);
    impl MessageVisitor for PbliteRoundTrip {
        fn visit<M: Message + Gen>(&mut self) {
            for seed in 0..SEEDS {
                let m = M::gen(&mut TestRng::new(seed), DEPTH);
                let text = pblite::encode(&m);
                let back = pblite::decode_with::<M>(&text, pblite::DecodeOptions::default())
                    .unwrap_or_else(|e| panic!("{}: {e} in {text}", M::NAME));
                assert_eq!(back.message, m, "{} seed {seed}: {text}", M::NAME);
                assert_eq!(back.skipped, 0, "{} seed {seed}: {text}", M::NAME);
                let tagged = pblite::encode_tagged("tag", &m);
                assert_eq!(
                    pblite::decode_tagged::<M>(&tagged).unwrap(),
                    m,
                    "{}",
                    M::NAME
                );
                self.0 += 1;
            }
        }
    }

    #[test]
    fn pblite_encode_then_decode_is_identity_for_every_message_type() {
        let mut v = PbliteRoundTrip(0);
        for_each_message(&mut v);
        assert!(v.0 >= 140 * SEEDS as usize, "only {} cases", v.0);
    }

    struct BinaryRoundTrip;
    impl MessageVisitor for BinaryRoundTrip {
        fn visit<M: Message + Gen>(&mut self) {
            for seed in 0..SEEDS {
                let m = M::gen(&mut TestRng::new(seed), DEPTH);
                let bytes = crate::encode_binary(&m);
                let back: M =
                    crate::decode_binary(&bytes).unwrap_or_else(|e| panic!("{}: {e}", M::NAME));
                assert_eq!(back, m, "{} seed {seed}", M::NAME);
            }
        }
    }

    #[test]
    fn binary_encode_then_decode_is_identity_for_every_message_type() {
        for_each_message(&mut BinaryRoundTrip);
    }

    /// The generator is not trivial: it does produce deep, varied messages.
    #[test]
    fn generator_produces_nested_content() {
        let (mut longest, mut deepest) = (0, 0);
        for seed in 0..SEEDS {
            let m = crate::hangouts::BatchUpdate::gen(&mut TestRng::new(seed), DEPTH + 3);
            let text = pblite::encode(&m);
            let mut depth = 0i32;
            for b in text.bytes() {
                match b {
                    b'[' => depth += 1,
                    b']' => depth -= 1,
                    _ => {}
                }
                deepest = deepest.max(depth);
            }
            longest = longest.max(text.len());
        }
        assert!(
            longest > 300,
            "longest BatchUpdate text only {longest} bytes"
        );
        assert!(deepest >= 6, "deepest nesting only {deepest}");
    }
}
