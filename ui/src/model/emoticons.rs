//! Outgoing emoticons as emoji, as hangups replaces them: only a word
//! that is exactly an emoticon (words split at spaces, lines at
//! newlines) is replaced, with the emoji of Hangouts' own table.

/// Emoticon → emoji (the common part of Hangouts' table).
pub const EMOTICONS: &[(&str, &str)] = &[
    (":)", "\u{263a}"),
    (":-)", "\u{263a}"),
    ("<3", "\u{2764}"),
    ("</3", "\u{1f494}"),
    ("(y)", "\u{1f44d}"),
    ("(Y)", "\u{1f44d}"),
    ("(n)", "\u{1f44e}"),
    ("(N)", "\u{1f44e}"),
    (":D", "\u{1f600}"),
    (":-D", "\u{1f600}"),
    ("^_^", "\u{1f601}"),
    ("=D", "\u{1f604}"),
    ("O:)", "\u{1f607}"),
    ("}:)", "\u{1f608}"),
    (";)", "\u{1f609}"),
    (";-)", "\u{1f609}"),
    ("=)", "\u{1f60a}"),
    ("B-)", "\u{1f60e}"),
    (":|", "\u{1f610}"),
    (":-|", "\u{1f610}"),
    ("-_-", "\u{1f611}"),
    (":/", "\u{1f615}"),
    (":-/", "\u{1f615}"),
    (":*", "\u{1f617}"),
    (":P", "\u{1f61b}"),
    (":p", "\u{1f61b}"),
    (":-P", "\u{1f61b}"),
    (";P", "\u{1f61c}"),
    (":(", "\u{1f61e}"),
    (":-(", "\u{1f61e}"),
    (">:(", "\u{1f621}"),
    (":'(", "\u{1f622}"),
    ("T_T", "\u{1f622}"),
    (":o", "\u{1f62e}"),
    (":O", "\u{1f62e}"),
    (":-o", "\u{1f62e}"),
    ("x_x", "\u{1f635}"),
    (":3", "\u{1f638}"),
    ("\\m/", "\u{1f918}"),
];

/// Replaces every word that is exactly an emoticon.
pub fn replace_emoticons(text: &str) -> String {
    text.split('\n')
        .map(|line| {
            line.split(' ')
                .map(|word| {
                    EMOTICONS
                        .iter()
                        .find(|(e, _)| *e == word)
                        .map_or(word, |(_, emoji)| emoji)
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}
