//! The config file: hangups' option names without `--`, one per line as
//! `key=value`, `key: value` or `key value` (a flag alone, or
//! `flag = true`); `#` and `;` start comments; `[sections]` are ignored.

use std::path::{Path, PathBuf};

/// One `key value` setting of a config file, with where it was.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// The file.
    pub file: PathBuf,
    /// 1-based line number.
    pub line: usize,
    /// The option name (without `--`).
    pub key: String,
    /// The value (`None`: a bare flag).
    pub value: Option<String>,
}

/// A line that is not a setting.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}: {reason}", file.display())]
pub struct SyntaxError {
    /// The file.
    pub file: PathBuf,
    /// 1-based line number.
    pub line: usize,
    /// Why.
    pub reason: String,
}

/// Reads the settings of a config file's text.
pub fn parse(file: &Path, text: &str) -> Result<Vec<Entry>, SyntaxError> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if line.starts_with('[') {
            if line.ends_with(']') {
                continue;
            }
            return Err(SyntaxError {
                file: file.to_path_buf(),
                line: i + 1,
                reason: "a section header must end with ']'".into(),
            });
        }
        let line_no_dashes = line.trim_start_matches("--");
        let end = line_no_dashes
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(line_no_dashes.len());
        let (key, rest) = line_no_dashes.split_at(end);
        let rest = rest.trim_start();
        let value = match rest.chars().next() {
            None => None,
            Some('=') | Some(':') => Some(&rest[1..]),
            Some(_) if rest.len() < line_no_dashes.len() - key.len() => Some(rest),
            Some(_) => {
                return Err(SyntaxError {
                    file: file.to_path_buf(),
                    line: i + 1,
                    reason: format!("not a setting (key = value): {line:?}"),
                })
            }
        };
        if key.is_empty() {
            return Err(SyntaxError {
                file: file.to_path_buf(),
                line: i + 1,
                reason: format!("not a setting (key = value): {line:?}"),
            });
        }
        let key = key.to_string();
        let value = value.map(|v| unquote(v.trim()).to_string());
        out.push(Entry {
            file: file.to_path_buf(),
            line: i + 1,
            key,
            value,
        });
    }
    Ok(out)
}

fn unquote(v: &str) -> &str {
    for q in ['"', '\''] {
        if v.len() >= 2 && v.starts_with(q) && v.ends_with(q) {
            return &v[1..v.len() - 1];
        }
    }
    v
}

/// Whether a flag's value turns it on (`true`, `yes`, `on`, `1`), off
/// (`false`, `no`, `off`, `0`), or is neither.
pub fn flag_value(value: Option<&str>) -> Option<bool> {
    match value.map(str::to_ascii_lowercase).as_deref() {
        None | Some("") | Some("true") | Some("yes") | Some("on") | Some("1") => Some(true),
        Some("false") | Some("no") | Some("off") | Some("0") => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<(String, Option<String>)> {
        parse(Path::new("x.conf"), text)
            .unwrap()
            .into_iter()
            .map(|e| (e.key, e.value))
            .collect()
    }

    #[test]
    fn every_form() {
        let text = "# c\n; c\n[hangups]\ndate-format = < %y >\ntime-format: %H:%M\nkey-quit ctrl q\nmanual-login\n\nkey-up=\"k\"\n";
        assert_eq!(
            keys(text),
            vec![
                ("date-format".into(), Some("< %y >".into())),
                ("time-format".into(), Some("%H:%M".into())),
                ("key-quit".into(), Some("ctrl q".into())),
                ("manual-login".into(), None),
                ("key-up".into(), Some("k".into())),
            ]
        );
    }

    #[test]
    fn line_numbers_and_errors() {
        let e = parse(Path::new("a.conf"), "\n\nkey-up = k\n").unwrap();
        assert_eq!(e[0].line, 3);
        let err = parse(Path::new("a.conf"), "x\n[bad\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.to_string().starts_with("a.conf:2:"), "{err}");
    }

    #[test]
    fn flags() {
        assert_eq!(flag_value(None), Some(true));
        assert_eq!(flag_value(Some("True")), Some(true));
        assert_eq!(flag_value(Some("no")), Some(false));
        assert_eq!(flag_value(Some("maybe")), None);
    }
}
