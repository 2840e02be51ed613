//! Unit tests of the parser's parts: character classes, pre- and
//! postprocessing, URL completion, the scanner's matches, the step count.

use super::parse::{complete_url, parse, preprocess};
use super::pyclass::{eq_ignore_case, is_boundary, is_digit, is_space, is_word};
use super::scanner::{NextCache, Scanner};
use super::tokens::{Match, Paired};

fn chars(s: &str) -> Vec<char> {
    s.chars().collect()
}

fn scan(s: &str) -> Vec<Match> {
    let t = preprocess(s);
    Scanner::new(&t).collect()
}

#[test]
fn python_whitespace() {
    for c in [
        '\t', '\n', '\u{b}', '\u{c}', '\r', ' ', '\u{1c}', '\u{1f}', '\u{85}',
    ] {
        assert!(is_space(c), "{c:?}");
    }
    for c in [
        '\u{a0}', '\u{1680}', '\u{2000}', '\u{200a}', '\u{2028}', '\u{3000}',
    ] {
        assert!(is_space(c), "{c:?}");
    }
    for c in [
        '\u{8}', '\u{1b}', '\u{200b}', '\u{feff}', '\u{180e}', 'a', '_',
    ] {
        assert!(!is_space(c), "{c:?}");
    }
}

#[test]
fn python_word_and_digit() {
    for c in [
        'a',
        'Z',
        '0',
        '_',
        'é',
        'ſ',
        '日',
        '\u{661}',
        '²',
        'Ⅰ',
        '\u{1d7ce}',
    ] {
        assert!(is_word(c), "{c:?}");
    }
    // Combining marks are not word characters in Python (they are
    // alphabetic for Rust's `char::is_alphanumeric`).
    for c in ['-', '.', ' ', '\u{301}', '\u{93e}', '@', '\u{a0}'] {
        assert!(!is_word(c), "{c:?}");
    }
    for c in ['0', '9', '\u{661}', '\u{966}', '\u{ff10}', '\u{1d7ce}'] {
        assert!(is_digit(c), "{c:?}");
    }
    for c in ['a', '²', 'Ⅰ', '½', '.'] {
        assert!(!is_digit(c), "{c:?}");
    }
}

#[test]
fn ignore_case_extras() {
    assert!(eq_ignore_case('I', 'i') && eq_ignore_case('İ', 'i') && eq_ignore_case('ı', 'i'));
    assert!(eq_ignore_case('ſ', 's') && eq_ignore_case('\u{212a}', 'k'));
    assert!(!eq_ignore_case('ſ', 'f') && !eq_ignore_case('/', 'o'));
}

#[test]
fn word_boundaries() {
    let t = chars("ab cd-é");
    let b: Vec<bool> = (0..=t.len()).map(|i| is_boundary(&t, i)).collect();
    assert_eq!(b, [true, false, true, true, false, true, true, true]);
    assert!(!is_boundary(&[], 0));
}

#[test]
fn preprocessing() {
    let s = |x: &str| preprocess(x).into_iter().collect::<String>();
    assert_eq!(s("a  b"), "a \u{a0}b");
    assert_eq!(s("   "), " \u{a0} ");
    assert_eq!(s("    "), " \u{a0} \u{a0}");
    assert_eq!(s(" \u{a0} "), " \u{a0} ");
}

#[test]
fn postprocessing_through_parse() {
    let text = |x: &str| parse(x).0.into_iter().map(|s| s.text).collect::<String>();
    assert_eq!(text("\\* \\_ \\~ \\= \\` \\["), "* _ ~ = ` [");
    assert_eq!(text("\\a \\] \\\\"), "\\a \\] \\\\");
    assert_eq!(text("\\\\*"), "\\*");
    assert_eq!(text("a\\"), "a\\");
}

#[test]
fn url_completion() {
    let c = |x: &str| complete_url(&chars(x));
    assert_eq!(c("x.org"), "http://x.org");
    assert_eq!(c("HTTPS://x"), "HTTPS://x");
    assert_eq!(c("ab:/x"), "ab:/x");
    assert_eq!(c("a-b_c:////x"), "a-b_c:////x");
    assert_eq!(c("ſé:/x"), "ſé:/x");
    assert_eq!(c("a://x"), "http://a://x");
    assert_eq!(c("1ab://x"), "http://1ab://x");
    assert_eq!(c("mailto:x"), "http://mailto:x");
    assert_eq!(c("ab.c://x"), "http://ab.c://x");
}

#[test]
fn scanner_matches() {
    use Match::*;
    assert_eq!(
        scan("**a** <b>c</b>"),
        [
            Start(Paired::MdBoldStar, 0..2),
            End(Paired::MdBoldStar, 3..5),
            Start(Paired::HtmlB, 6..9),
            End(Paired::HtmlB, 10..14),
        ]
    );
    // Ends that were never opened are still matches (the stack drops them).
    assert_eq!(
        scan("a* </I>"),
        [End(Paired::MdItalicStar, 1..2), End(Paired::HtmlI, 3..7)]
    );
    assert_eq!(
        scan("[t](u) <a href='v' >w</A>"),
        [
            Link {
                span: 0..6,
                text: 1..2,
                url: 4..5
            },
            Link {
                span: 7..25,
                text: 20..21,
                url: 16..17
            },
        ]
    );
    assert_eq!(
        scan("<img src=\"p\" /><br/>\r\n"),
        [
            Link {
                span: 0..15,
                text: 10..11,
                url: 10..11
            },
            LineBreak(15..20),
            LineBreak(20..22),
        ]
    );
    assert_eq!(
        scan("go a.b.cd/x(y) now"),
        [Link {
            span: 3..14,
            text: 3..14,
            url: 3..14
        }]
    );
}

#[test]
fn matches_hide_what_they_cover() {
    // The `*` opens (a close exists at 5), but the link match covers that
    // close: the italic never ends.
    let m = scan("*a [b*](c) d");
    assert_eq!(m.len(), 2);
    assert_eq!(m[0], Match::Start(Paired::MdItalicStar, 0..1));
    let segs = parse("*a [b*](c) d").0;
    assert!(segs.iter().all(|s| s.is_italic));
    assert_eq!(segs[1].text, "b*");
}

#[test]
fn next_cache() {
    let t = chars("a)b)c");
    let mut work = 0;
    let mut c = NextCache::default();
    let rp = |t: &[char], j: usize| t[j] == ')';
    assert_eq!(c.find(&t, 0, &mut work, rp), Some(1));
    assert_eq!(c.find(&t, 1, &mut work, rp), Some(1));
    assert_eq!(c.find(&t, 2, &mut work, rp), Some(3));
    assert_eq!(c.find(&t, 4, &mut work, rp), None);
    assert_eq!(c.find(&t, 5, &mut work, rp), None);
    // A query going backwards is answered afresh.
    assert_eq!(c.find(&t, 0, &mut work, rp), Some(1));
}

/// Steps per input character stay small on inputs a backtracking regex
/// spends quadratic time on.
#[test]
fn steps_are_linear() {
    let inputs = [
        "*a ".repeat(4_000),
        "a.".repeat(6_000),
        "a-".repeat(6_000),
        "ab.".repeat(4_000),
        "1.".repeat(6_000),
        "x ".repeat(6_000) + "/",
        "[".repeat(12_000),
        "<a href='\">".repeat(1_500),
        "<img src='\" /".repeat(1_000),
        format!("x.org/{}", "(a".repeat(6_000)),
        format!("{}x", "a".repeat(63).repeat(200)),
        "_a ".repeat(2_000) + &"*b ".repeat(2_000) + &"c_ ".repeat(2_000),
    ];
    for input in inputs {
        let n = input.chars().count() as u64;
        let (_, steps) = parse(&input);
        assert!(
            steps < 200 * n,
            "{steps} steps for {n} chars: {:?}",
            &input[..20]
        );
    }
}
