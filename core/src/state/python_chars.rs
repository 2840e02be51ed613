//! Python's character classes, for the name rules (hangups' `User`
//! uses `str.isalpha()` and `str.split()`).
//!
//! - `str.isalpha()` is true for the letter categories Lu, Ll, Lt, Lm and
//!   Lo. Rust's [`char::is_alphabetic`] is the Alphabetic property, which
//!   also holds letter numbers (Nl: `Ⅻ`, `〇`) and Other_Alphabetic marks
//!   and symbols (Mn, Mc, So: `\u{345}`, `Ⓐ`). [`NOT_PYTHON_ALPHA`] lists
//!   those characters; it was computed by running `chr(c).isalpha()` for
//!   every code point under Python 3.11 (Unicode 14.0) and keeping the
//!   ones Rust calls alphabetic, Python not, and Unicode 14.0 assigns
//!   (characters assigned later follow Rust's tables, as a newer Python
//!   does). No character is alphabetic to Python and not to Rust.
//! - `str.split()` splits on `str.isspace()`: Rust's White_Space plus the
//!   separators U+001C to U+001F (checked the same way: no other
//!   difference).

/// Rust-alphabetic characters that are not `str.isalpha()`, as sorted,
/// disjoint, inclusive ranges.
const NOT_PYTHON_ALPHA: &[(char, char)] = &[
    ('\u{345}', '\u{345}'),
    ('\u{363}', '\u{36f}'),
    ('\u{5b0}', '\u{5bd}'),
    ('\u{5bf}', '\u{5bf}'),
    ('\u{5c1}', '\u{5c2}'),
    ('\u{5c4}', '\u{5c5}'),
    ('\u{5c7}', '\u{5c7}'),
    ('\u{610}', '\u{61a}'),
    ('\u{64b}', '\u{657}'),
    ('\u{659}', '\u{65f}'),
    ('\u{670}', '\u{670}'),
    ('\u{6d6}', '\u{6dc}'),
    ('\u{6e1}', '\u{6e4}'),
    ('\u{6e7}', '\u{6e8}'),
    ('\u{6ed}', '\u{6ed}'),
    ('\u{711}', '\u{711}'),
    ('\u{730}', '\u{73f}'),
    ('\u{7a6}', '\u{7b0}'),
    ('\u{816}', '\u{817}'),
    ('\u{81b}', '\u{823}'),
    ('\u{825}', '\u{827}'),
    ('\u{829}', '\u{82c}'),
    ('\u{8d4}', '\u{8df}'),
    ('\u{8e3}', '\u{8e9}'),
    ('\u{8f0}', '\u{903}'),
    ('\u{93a}', '\u{93b}'),
    ('\u{93e}', '\u{94c}'),
    ('\u{94e}', '\u{94f}'),
    ('\u{955}', '\u{957}'),
    ('\u{962}', '\u{963}'),
    ('\u{981}', '\u{983}'),
    ('\u{9be}', '\u{9c4}'),
    ('\u{9c7}', '\u{9c8}'),
    ('\u{9cb}', '\u{9cc}'),
    ('\u{9d7}', '\u{9d7}'),
    ('\u{9e2}', '\u{9e3}'),
    ('\u{a01}', '\u{a03}'),
    ('\u{a3e}', '\u{a42}'),
    ('\u{a47}', '\u{a48}'),
    ('\u{a4b}', '\u{a4c}'),
    ('\u{a51}', '\u{a51}'),
    ('\u{a70}', '\u{a71}'),
    ('\u{a75}', '\u{a75}'),
    ('\u{a81}', '\u{a83}'),
    ('\u{abe}', '\u{ac5}'),
    ('\u{ac7}', '\u{ac9}'),
    ('\u{acb}', '\u{acc}'),
    ('\u{ae2}', '\u{ae3}'),
    ('\u{afa}', '\u{afc}'),
    ('\u{b01}', '\u{b03}'),
    ('\u{b3e}', '\u{b44}'),
    ('\u{b47}', '\u{b48}'),
    ('\u{b4b}', '\u{b4c}'),
    ('\u{b56}', '\u{b57}'),
    ('\u{b62}', '\u{b63}'),
    ('\u{b82}', '\u{b82}'),
    ('\u{bbe}', '\u{bc2}'),
    ('\u{bc6}', '\u{bc8}'),
    ('\u{bca}', '\u{bcc}'),
    ('\u{bd7}', '\u{bd7}'),
    ('\u{c00}', '\u{c04}'),
    ('\u{c3e}', '\u{c44}'),
    ('\u{c46}', '\u{c48}'),
    ('\u{c4a}', '\u{c4c}'),
    ('\u{c55}', '\u{c56}'),
    ('\u{c62}', '\u{c63}'),
    ('\u{c81}', '\u{c83}'),
    ('\u{cbe}', '\u{cc4}'),
    ('\u{cc6}', '\u{cc8}'),
    ('\u{cca}', '\u{ccc}'),
    ('\u{cd5}', '\u{cd6}'),
    ('\u{ce2}', '\u{ce3}'),
    ('\u{d00}', '\u{d03}'),
    ('\u{d3e}', '\u{d44}'),
    ('\u{d46}', '\u{d48}'),
    ('\u{d4a}', '\u{d4c}'),
    ('\u{d57}', '\u{d57}'),
    ('\u{d62}', '\u{d63}'),
    ('\u{d81}', '\u{d83}'),
    ('\u{dcf}', '\u{dd4}'),
    ('\u{dd6}', '\u{dd6}'),
    ('\u{dd8}', '\u{ddf}'),
    ('\u{df2}', '\u{df3}'),
    ('\u{e31}', '\u{e31}'),
    ('\u{e34}', '\u{e3a}'),
    ('\u{e4d}', '\u{e4d}'),
    ('\u{eb1}', '\u{eb1}'),
    ('\u{eb4}', '\u{eb9}'),
    ('\u{ebb}', '\u{ebc}'),
    ('\u{ecd}', '\u{ecd}'),
    ('\u{f71}', '\u{f83}'),
    ('\u{f8d}', '\u{f97}'),
    ('\u{f99}', '\u{fbc}'),
    ('\u{102b}', '\u{1036}'),
    ('\u{1038}', '\u{1038}'),
    ('\u{103b}', '\u{103e}'),
    ('\u{1056}', '\u{1059}'),
    ('\u{105e}', '\u{1060}'),
    ('\u{1062}', '\u{1064}'),
    ('\u{1067}', '\u{106d}'),
    ('\u{1071}', '\u{1074}'),
    ('\u{1082}', '\u{108d}'),
    ('\u{108f}', '\u{108f}'),
    ('\u{109a}', '\u{109d}'),
    ('\u{16ee}', '\u{16f0}'),
    ('\u{1712}', '\u{1713}'),
    ('\u{1732}', '\u{1733}'),
    ('\u{1752}', '\u{1753}'),
    ('\u{1772}', '\u{1773}'),
    ('\u{17b6}', '\u{17c8}'),
    ('\u{1885}', '\u{1886}'),
    ('\u{18a9}', '\u{18a9}'),
    ('\u{1920}', '\u{192b}'),
    ('\u{1930}', '\u{1938}'),
    ('\u{1a17}', '\u{1a1b}'),
    ('\u{1a55}', '\u{1a5e}'),
    ('\u{1a61}', '\u{1a74}'),
    ('\u{1abf}', '\u{1ac0}'),
    ('\u{1acc}', '\u{1ace}'),
    ('\u{1b00}', '\u{1b04}'),
    ('\u{1b35}', '\u{1b43}'),
    ('\u{1b80}', '\u{1b82}'),
    ('\u{1ba1}', '\u{1ba9}'),
    ('\u{1bac}', '\u{1bad}'),
    ('\u{1be7}', '\u{1bf1}'),
    ('\u{1c24}', '\u{1c36}'),
    ('\u{1dd3}', '\u{1df4}'),
    ('\u{2160}', '\u{2182}'),
    ('\u{2185}', '\u{2188}'),
    ('\u{24b6}', '\u{24e9}'),
    ('\u{2de0}', '\u{2dff}'),
    ('\u{3007}', '\u{3007}'),
    ('\u{3021}', '\u{3029}'),
    ('\u{3038}', '\u{303a}'),
    ('\u{a674}', '\u{a67b}'),
    ('\u{a69e}', '\u{a69f}'),
    ('\u{a6e6}', '\u{a6ef}'),
    ('\u{a802}', '\u{a802}'),
    ('\u{a80b}', '\u{a80b}'),
    ('\u{a823}', '\u{a827}'),
    ('\u{a880}', '\u{a881}'),
    ('\u{a8b4}', '\u{a8c3}'),
    ('\u{a8c5}', '\u{a8c5}'),
    ('\u{a8ff}', '\u{a8ff}'),
    ('\u{a926}', '\u{a92a}'),
    ('\u{a947}', '\u{a952}'),
    ('\u{a980}', '\u{a983}'),
    ('\u{a9b4}', '\u{a9bf}'),
    ('\u{a9e5}', '\u{a9e5}'),
    ('\u{aa29}', '\u{aa36}'),
    ('\u{aa43}', '\u{aa43}'),
    ('\u{aa4c}', '\u{aa4d}'),
    ('\u{aa7b}', '\u{aa7d}'),
    ('\u{aab0}', '\u{aab0}'),
    ('\u{aab2}', '\u{aab4}'),
    ('\u{aab7}', '\u{aab8}'),
    ('\u{aabe}', '\u{aabe}'),
    ('\u{aaeb}', '\u{aaef}'),
    ('\u{aaf5}', '\u{aaf5}'),
    ('\u{abe3}', '\u{abea}'),
    ('\u{fb1e}', '\u{fb1e}'),
    ('\u{10140}', '\u{10174}'),
    ('\u{10341}', '\u{10341}'),
    ('\u{1034a}', '\u{1034a}'),
    ('\u{10376}', '\u{1037a}'),
    ('\u{103d1}', '\u{103d5}'),
    ('\u{10a01}', '\u{10a03}'),
    ('\u{10a05}', '\u{10a06}'),
    ('\u{10a0c}', '\u{10a0f}'),
    ('\u{10d24}', '\u{10d27}'),
    ('\u{10eab}', '\u{10eac}'),
    ('\u{11000}', '\u{11002}'),
    ('\u{11038}', '\u{11045}'),
    ('\u{11073}', '\u{11074}'),
    ('\u{11080}', '\u{11082}'),
    ('\u{110b0}', '\u{110b8}'),
    ('\u{110c2}', '\u{110c2}'),
    ('\u{11100}', '\u{11102}'),
    ('\u{11127}', '\u{11132}'),
    ('\u{11145}', '\u{11146}'),
    ('\u{11180}', '\u{11182}'),
    ('\u{111b3}', '\u{111bf}'),
    ('\u{111ce}', '\u{111cf}'),
    ('\u{1122c}', '\u{11234}'),
    ('\u{11237}', '\u{11237}'),
    ('\u{1123e}', '\u{1123e}'),
    ('\u{112df}', '\u{112e8}'),
    ('\u{11300}', '\u{11303}'),
    ('\u{1133e}', '\u{11344}'),
    ('\u{11347}', '\u{11348}'),
    ('\u{1134b}', '\u{1134c}'),
    ('\u{11357}', '\u{11357}'),
    ('\u{11362}', '\u{11363}'),
    ('\u{11435}', '\u{11441}'),
    ('\u{11443}', '\u{11445}'),
    ('\u{114b0}', '\u{114c1}'),
    ('\u{115af}', '\u{115b5}'),
    ('\u{115b8}', '\u{115be}'),
    ('\u{115dc}', '\u{115dd}'),
    ('\u{11630}', '\u{1163e}'),
    ('\u{11640}', '\u{11640}'),
    ('\u{116ab}', '\u{116b5}'),
    ('\u{1171d}', '\u{1172a}'),
    ('\u{1182c}', '\u{11838}'),
    ('\u{11930}', '\u{11935}'),
    ('\u{11937}', '\u{11938}'),
    ('\u{1193b}', '\u{1193c}'),
    ('\u{11940}', '\u{11940}'),
    ('\u{11942}', '\u{11942}'),
    ('\u{119d1}', '\u{119d7}'),
    ('\u{119da}', '\u{119df}'),
    ('\u{119e4}', '\u{119e4}'),
    ('\u{11a01}', '\u{11a0a}'),
    ('\u{11a35}', '\u{11a39}'),
    ('\u{11a3b}', '\u{11a3e}'),
    ('\u{11a51}', '\u{11a5b}'),
    ('\u{11a8a}', '\u{11a97}'),
    ('\u{11c2f}', '\u{11c36}'),
    ('\u{11c38}', '\u{11c3e}'),
    ('\u{11c92}', '\u{11ca7}'),
    ('\u{11ca9}', '\u{11cb6}'),
    ('\u{11d31}', '\u{11d36}'),
    ('\u{11d3a}', '\u{11d3a}'),
    ('\u{11d3c}', '\u{11d3d}'),
    ('\u{11d3f}', '\u{11d41}'),
    ('\u{11d43}', '\u{11d43}'),
    ('\u{11d47}', '\u{11d47}'),
    ('\u{11d8a}', '\u{11d8e}'),
    ('\u{11d90}', '\u{11d91}'),
    ('\u{11d93}', '\u{11d96}'),
    ('\u{11ef3}', '\u{11ef6}'),
    ('\u{12400}', '\u{1246e}'),
    ('\u{16f4f}', '\u{16f4f}'),
    ('\u{16f51}', '\u{16f87}'),
    ('\u{16f8f}', '\u{16f92}'),
    ('\u{16ff0}', '\u{16ff1}'),
    ('\u{1bc9e}', '\u{1bc9e}'),
    ('\u{1e000}', '\u{1e006}'),
    ('\u{1e008}', '\u{1e018}'),
    ('\u{1e01b}', '\u{1e021}'),
    ('\u{1e023}', '\u{1e024}'),
    ('\u{1e026}', '\u{1e02a}'),
    ('\u{1e947}', '\u{1e947}'),
    ('\u{1f130}', '\u{1f149}'),
    ('\u{1f150}', '\u{1f169}'),
    ('\u{1f170}', '\u{1f189}'),
];

/// Python's `str.isalpha()` for one character.
pub(super) fn is_alpha(c: char) -> bool {
    c.is_alphabetic()
        && NOT_PYTHON_ALPHA
            .binary_search_by(|&(lo, hi)| {
                if hi < c {
                    std::cmp::Ordering::Less
                } else if lo > c {
                    std::cmp::Ordering::Greater
                } else {
                    std::cmp::Ordering::Equal
                }
            })
            .is_err()
}

/// Python's `str.isspace()` for one character.
pub(super) fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// The first word of Python's `s.split()`, if any.
pub(super) fn first_word(s: &str) -> Option<&str> {
    s.split(is_space).find(|w| !w.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_disjoint_and_alphabetic_to_rust() {
        for pair in NOT_PYTHON_ALPHA.windows(2) {
            assert!(pair[0].1 < pair[1].0, "{pair:?}");
        }
        for &(lo, hi) in NOT_PYTHON_ALPHA {
            assert!(lo <= hi);
            assert!((lo..=hi).all(char::is_alphabetic), "{lo:?}..={hi:?}");
        }
    }

    #[test]
    fn classes() {
        for c in ['a', 'Z', 'ß', 'Ǆ', 'ʰ', '中'] {
            assert!(is_alpha(c), "{c:?}");
        }
        for c in ['Ⅻ', '〇', '\u{345}', '\u{93e}', 'Ⓐ', 'ⓩ', '1', ' '] {
            assert!(!is_alpha(c), "{c:?}");
        }
        for c in ['\u{1c}', '\u{1f}', '\u{85}', '\u{a0}', '\u{3000}', '\t'] {
            assert!(is_space(c), "{c:?}");
        }
        assert!(!is_space('\u{200b}') && !is_space('\u{1b}'));
        assert_eq!(first_word("\u{1c}Ada\u{1d}B"), Some("Ada"));
        assert_eq!(first_word(" \u{1f} "), None);
    }
}
