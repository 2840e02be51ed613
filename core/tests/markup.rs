//! The message markup parser against PROTOCOL.md §8: every §8.4 example
//! (spelled out segment by segment), the §8.5 bytes, and inputs built to
//! make a backtracking parser take quadratic time.

use hangups_core::message::{segments_from_str, ChatMessageSegment};
use hangups_core::proto::hangouts::{Formatting, LinkData, Segment, SegmentType};
use hangups_proto::{decode_binary, encode_binary};

fn t(text: &str) -> ChatMessageSegment {
    ChatMessageSegment::text(text)
}

fn br() -> ChatMessageSegment {
    ChatMessageSegment::line_break()
}

fn link(text: &str, target: &str) -> ChatMessageSegment {
    ChatMessageSegment::link(text, target)
}

/// `link(x, "http://" + x)`: a bare host as hangups links it.
fn auto(text: &str) -> ChatMessageSegment {
    link(text, &format!("http://{text}"))
}

trait Fmt {
    fn b(self) -> Self;
    fn i(self) -> Self;
    fn s(self) -> Self;
    fn u(self) -> Self;
}

impl Fmt for ChatMessageSegment {
    fn b(mut self) -> Self {
        self.is_bold = true;
        self
    }
    fn i(mut self) -> Self {
        self.is_italic = true;
        self
    }
    fn s(mut self) -> Self {
        self.is_strikethrough = true;
        self
    }
    fn u(mut self) -> Self {
        self.is_underline = true;
        self
    }
}

#[track_caller]
fn check(input: &str, expected: &[ChatMessageSegment]) {
    assert_eq!(
        ChatMessageSegment::from_str(input),
        expected,
        "input {input:?}"
    );
}

// §8.4, the table.

#[test]
fn line_breaks() {
    check(
        "line1\nline2\r\nline3",
        &[t("line1"), br(), t("line2"), br(), t("line3")],
    );
}

#[test]
fn bare_links() {
    check(
        "http://domain.tld",
        &[link("http://domain.tld", "http://domain.tld")],
    );
    check("sub.domain.tld", &[auto("sub.domain.tld")]);
    check("domain.tld/", &[auto("domain.tld/")]);
    check("1.1.1.1/", &[auto("1.1.1.1/")]);
    check("sub.domain.tld:8080", &[auto("sub.domain.tld:8080")]);
}

#[test]
fn links_in_parentheses() {
    let u = "https://domain.tld";
    check(
        "pre (https://domain.tld) post",
        &[t("pre ("), link(u, u), t(") post")],
    );
    let u = "https://domain.tld/path(inner)";
    check(
        "pre (https://domain.tld/path(inner)) post",
        &[t("pre ("), link(u, u), t(") post")],
    );
}

#[test]
fn not_links() {
    for input in [
        "name.other.name@sub.domain.tld",
        "hangups:hangups",
        "http://tld",
        "http://tld/path",
        "version 3.5.11",
    ] {
        check(input, &[t(input)]);
    }
}

#[test]
fn several_links() {
    let wiki = "https://en.wikipedia.org/wiki/Parenthesis_(disambiguation)";
    check(
        "www.google.com google.com/maps (https://en.wikipedia.org/wiki/Parenthesis_(disambiguation))",
        &[
            auto("www.google.com"),
            t(" "),
            auto("google.com/maps"),
            t(" ("),
            link(wiki, wiki),
            t(")"),
        ],
    );
}

#[test]
fn markdown() {
    check(
        "Test **bold *bolditalic* bold** _italic_ not_italic_not ~~strike~~ [Google](www.google.com)**`_bold not italic_`**",
        &[
            t("Test "),
            t("bold ").b(),
            t("bolditalic").b().i(),
            t(" bold").b(),
            t(" "),
            t("italic").i(),
            t(" not_italic_not "),
            t("strike").s(),
            t(" "),
            link("Google", "http://www.google.com"),
            t("_bold not italic_").b(),
        ],
    );
}

#[test]
fn unclosed_markdown_stays_text() {
    let input = "*first opened **second opened _third opened __fourth opened";
    check(input, &[t(input)]);
}

#[test]
fn html() {
    let img = "https://upload.wikimedia.org/wikipedia/en/8/80/Wikipedia-logo-v2.svg";
    check(
        "Test <b>bold <i>bolditalic</i> bold</b> <em>italic</em> <del>strike</del><br><a href=\"google.com\">Google</a><img src='https://upload.wikimedia.org/wikipedia/en/8/80/Wikipedia-logo-v2.svg'><i>default",
        &[
            t("Test "),
            t("bold ").b(),
            t("bolditalic").b().i(),
            t(" bold").b(),
            t(" "),
            t("italic").i(),
            t(" "),
            t("strike").s(),
            br(),
            link("Google", "http://google.com"),
            link(img, img),
            t("<i>default"),
        ],
    );
}

// §8.4, the additional verified cases.

#[test]
fn underline_and_case_insensitivity() {
    check("==u==", &[t("u").u()]);
    check(
        "<B>x</B> HTTP://EXAMPLE.COM",
        &[
            t("x").b(),
            t(" "),
            link("HTTP://EXAMPLE.COM", "HTTP://EXAMPLE.COM"),
        ],
    );
}

#[test]
fn code_is_literal() {
    check("`**c**`", &[t("**c**")]);
    check("<pre>**x** <b>y</b></pre>", &[t("**x** <b>y</b>")]);
}

#[test]
fn escapes_spaces_and_br_tags() {
    check("\\*a\\* \\_b\\_", &[t("*a* _b_")]);
    check("a  b   c", &[t("a \u{a0}b \u{a0} c")]);
    check("x<br/>y<BR />z", &[t("x"), br(), t("y"), br(), t("z")]);
}

#[test]
fn formatting_spans_line_breaks() {
    check(
        "**bold\nnext** line",
        &[t("bold").b(), br().b(), t("next").b(), t(" line")],
    );
}

#[test]
fn delimiters_inside_words() {
    for input in [
        "a*b*c",
        "2*3=6*1",
        "snake_case_word",
        "</b>lone",
        "<b>unclosed",
    ] {
        check(input, &[t(input)]);
    }
    check("_a_b_", &[t("a_b").i()]);
}

#[test]
fn link_edges() {
    check("ftp://host.tld/x", &[t("ftp://"), auto("host.tld/x")]);
    check("www.google.com.", &[auto("www.google.com"), t(".")]);
    check("x.com", &[t("x.com")]);
    check(
        "x.com/it's",
        &[link("x.com/it", "http://x.com/it"), t("'s")],
    );
    check(
        "<a href=x.com>X</a>",
        &[t("<a href="), auto("x.com"), t(">X</a>")],
    );
    check("[**b**](x.com)", &[link("**b**", "http://x.com")]);
}

#[test]
fn stack_order() {
    check(
        "<i>a<b>b</i>c</b>",
        &[t("a").i(), t("b").b().i(), t("c").b()],
    );
    check("***a** b*", &[t("a").b().i(), t(" b").i()]);
}

#[test]
fn empty_input() {
    check("", &[]);
}

// §8.5

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn serialized_bytes() {
    let segs = segments_from_str("Hi **you** x.org/a");
    assert_eq!(
        hex(&encode_binary(&segs[0])),
        "08 00 12 03 48 69 20 1a 08 08 00 10 00 18 00 20 00"
    );
    assert_eq!(
        hex(&encode_binary(&segs[1])),
        "08 00 12 03 79 6f 75 1a 08 08 01 10 00 18 00 20 00"
    );
    let mut wire = vec![0x08, 0x02, 0x12, 0x07];
    wire.extend(b"x.org/a");
    wire.extend([0x1a, 0x08, 0x08, 0x00, 0x10, 0x00, 0x18, 0x00, 0x20, 0x00]);
    wire.extend([0x22, 0x10, 0x0a, 0x0e]);
    wire.extend(b"http://x.org/a");
    assert_eq!(encode_binary(&segs[3]), wire);
    // Line break, all flags, an empty text (still written).
    assert_eq!(
        hex(&encode_binary(&br().to_segment())),
        "08 01 12 01 0a 1a 08 08 00 10 00 18 00 20 00"
    );
    assert_eq!(
        hex(&encode_binary(&t("a").b().i().s().u().to_segment())),
        "08 00 12 01 61 1a 08 08 01 10 01 18 01 20 01"
    );
    assert_eq!(
        hex(&encode_binary(&t("").to_segment())),
        "08 00 12 00 1a 08 08 00 10 00 18 00 20 00"
    );
    // An empty target is still written when set (hangups does the same).
    assert_eq!(
        hex(&encode_binary(&link("x", "").to_segment())),
        "08 02 12 01 78 1a 08 08 00 10 00 18 00 20 00 22 02 0a 00"
    );
}

#[test]
fn deserialize() {
    // An empty link target is none; the type is kept as sent.
    let seg = Segment {
        r#type: SegmentType::SEGMENT_TYPE_LINK,
        text: Some("t".into()),
        formatting: None,
        link_data: Some(LinkData {
            link_target: Some(String::new()),
        }),
    };
    let back = ChatMessageSegment::from_segment(&seg);
    assert_eq!(back.link_target, None);
    assert_eq!(back.segment_type, SegmentType::SEGMENT_TYPE_LINK);
    assert!(!back.is_bold);
    // Missing text and formatting are empty and false.
    let seg = Segment {
        r#type: SegmentType(7),
        text: None,
        formatting: Some(Formatting {
            italic: Some(true),
            ..Default::default()
        }),
        link_data: None,
    };
    let back = ChatMessageSegment::from_segment(&seg);
    assert_eq!(back.text, "");
    assert_eq!(back.segment_type, SegmentType(7));
    assert!(back.is_italic && !back.is_bold);
}

#[test]
fn round_trip_through_bytes() {
    let input = "**a** _b_ ~~c~~ ==d== [e](f.g) <br> h.i.jk\n`**`";
    let segs = ChatMessageSegment::from_str(input);
    assert!(segs.len() > 8);
    for s in &segs {
        let bytes = encode_binary(&s.to_segment());
        let back: Segment = decode_binary(&bytes).unwrap();
        assert_eq!(&ChatMessageSegment::from_segment(&back), s);
    }
    assert_eq!(
        segments_from_str(input),
        segs.iter().map(|s| s.to_segment()).collect::<Vec<_>>()
    );
}

// Adversarial sizes: each would take the regex quadratic time (or worse);
// here they must finish, with the output hangups gives.

#[test]
fn many_stars() {
    let input = "*".repeat(50_000);
    check(&input, &[t(&input)]);
}

#[test]
fn many_unclosed_tags() {
    let input = "<b>".repeat(10_000);
    check(&input, &[t(&input)]);
    let input = "<a href='".repeat(10_000);
    check(&input, &[t(&input)]);
    let input = "<img src='x".repeat(10_000);
    check(&input, &[t(&input)]);
    let input = "[a](".repeat(10_000);
    check(&input, &[t(&input)]);
}

#[test]
fn many_starts_with_one_late_end() {
    // Every `*` opens (a close exists at the very end): 20,000 open tokens.
    let mut input = "*a ".repeat(20_000);
    input.push_str("a*");
    let segs = ChatMessageSegment::from_str(&input);
    assert_eq!(segs.len(), 20_000);
    assert_eq!(segs[0], t("a ").i());
    assert_eq!(segs[19_999], t("a a").i());
    // Opens of two kinds, then closes of the older kind.
    let n = 5_000;
    let input = format!(
        "{}{}{}",
        "**a ".repeat(n),
        "*b ".repeat(n),
        "c** ".repeat(n)
    );
    let segs = ChatMessageSegment::from_str(&input);
    assert_eq!(segs.len(), 3 * n);
    assert_eq!(segs[0], t("a ").b());
    assert_eq!(segs[n], t("b ").b().i());
    assert_eq!(segs[3 * n - 2], t(" c").b().i());
    // The italics never close.
    assert_eq!(segs[3 * n - 1], t(" ").i());
}

#[test]
fn long_host_chains() {
    // `a.a.a.…` has no TLD of two letters: never a link.
    let input = "a.".repeat(50_000);
    check(&input, &[t(&input)]);
    // `a-a-a-…`: a word boundary at every letter, one long run.
    let input = "a-".repeat(50_000);
    check(&input, &[t(&input)]);
    // A long chain that ends in a TLD: one link.
    let input = format!("{}com", "ab.".repeat(30_000));
    check(&input, &[auto(&input)]);
    // Digits and dots before a slash: an address every four numbers.
    let input = format!("{}1.2.3.4/", "1.".repeat(30_000));
    let segs = ChatMessageSegment::from_str(&input);
    assert_eq!(segs.len(), 2 * 7_501 - 1);
    assert_eq!(segs[0], auto("1.1.1.1"));
    assert_eq!(segs[1], t("."));
    assert_eq!(segs.last(), Some(&auto("1.2.3.4/")));
}

#[test]
fn long_paths_and_brackets() {
    let input = format!("x.org/{}", "(a".repeat(30_000));
    check(&input, &[auto("x.org/"), t(&"(a".repeat(30_000))]);
    let input = "[".repeat(30_000) + "](x)";
    let segs = ChatMessageSegment::from_str(&input);
    assert_eq!(segs.len(), 1);
    assert_eq!(segs[0].link_target.as_deref(), Some("http://x"));
    assert_eq!(segs[0].text.len(), 29_999);
}
