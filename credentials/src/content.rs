//! What a token file and a cookie file may hold.
//!
//! A refresh token is one word of printable ASCII (`0x21..=0x7E`): Google's
//! look like `1//0g…` (letters, digits, `/`, `_`, `-`), an emulator's
//! differ, so any visible character is accepted. Whitespace around it (the
//! newline `echo` adds) is trimmed; whitespace, control characters or
//! other bytes inside are refused, so a notes file, a shell script or a
//! binary is never taken for one. An empty (or whitespace-only) file holds
//! no token.
//!
//! A cookie file is what [`encode_cookies`](hangups_core::auth::encode_cookies)
//! writes: UTF-8 lines `name=value`, the name printable ASCII without `=`,
//! no control characters; empty lines are ignored.

use crate::error::ContentProblem;

/// The largest token file read (a Google refresh token is ~100 bytes).
pub const MAX_TOKEN_FILE: u64 = 4 * 1024;
/// The largest cookie file read (Google's session cookies are ~4 KiB).
pub const MAX_COOKIE_FILE: u64 = 64 * 1024;

/// The token in a token file's bytes: `Ok(None)` if it is empty or blank.
pub fn parse_token(bytes: &[u8]) -> Result<Option<&str>, ContentProblem> {
    let trimmed = bytes.trim_ascii();
    if let Some(problem) = trimmed.iter().find_map(|&b| byte_problem(b)) {
        return Err(problem);
    }
    // Only printable ASCII is left: always UTF-8.
    let text = std::str::from_utf8(trimmed).map_err(|_| ContentProblem::NotAscii)?;
    Ok((!text.is_empty()).then_some(text))
}

fn byte_problem(b: u8) -> Option<ContentProblem> {
    match b {
        0x21..=0x7E => None,
        b' ' | b'\t' => Some(ContentProblem::Whitespace),
        b'\n' | b'\r' => Some(ContentProblem::LineBreak),
        0x00..=0x1F | 0x7F => Some(ContentProblem::Control),
        _ => Some(ContentProblem::NotAscii),
    }
}

/// Checks a cookie file's bytes; `Ok(text)` if they are cookie lines.
pub fn check_cookie_text(bytes: &[u8]) -> Result<&str, ContentProblem> {
    let text = std::str::from_utf8(bytes).map_err(|_| ContentProblem::NotUtf8)?;
    for (i, line) in text.lines().enumerate() {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        if line.chars().any(char::is_control) {
            return Err(ContentProblem::Control);
        }
        let name_ok = line.split_once('=').is_some_and(|(name, _)| {
            !name.is_empty() && name.bytes().all(|b| (0x21..=0x7E).contains(&b))
        });
        if !name_ok {
            return Err(ContentProblem::NotCookieLine(i + 1));
        }
    }
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        assert_eq!(parse_token(b"1//0gAbC-_x"), Ok(Some("1//0gAbC-_x")));
        assert_eq!(parse_token(b"  1//tok\r\n"), Ok(Some("1//tok")), "trimmed");
        assert_eq!(parse_token(b""), Ok(None));
        assert_eq!(parse_token(b" \n\n"), Ok(None));
        assert_eq!(
            parse_token(b"meeting notes"),
            Err(ContentProblem::Whitespace)
        );
        assert_eq!(parse_token(b"a\tb"), Err(ContentProblem::Whitespace));
        assert_eq!(
            parse_token(b"line1\nline2\n"),
            Err(ContentProblem::LineBreak)
        );
        assert_eq!(parse_token(b"a\0b"), Err(ContentProblem::Control));
        assert_eq!(parse_token(b"a\x7fb"), Err(ContentProblem::Control));
        assert_eq!(
            parse_token("caf\u{e9}".as_bytes()),
            Err(ContentProblem::NotAscii)
        );
        assert_eq!(parse_token(b"\x89PNG"), Err(ContentProblem::NotAscii));
    }

    #[test]
    fn cookie_lines() {
        assert!(check_cookie_text(b"SID=a=b\nSAPISID=x y\n\n").is_ok());
        assert!(check_cookie_text(b"SID=a\r\n").is_ok());
        assert!(check_cookie_text(b"").is_ok());
        assert_eq!(
            check_cookie_text(b"SID=a\nnotes without equals\n"),
            Err(ContentProblem::NotCookieLine(2))
        );
        assert_eq!(
            check_cookie_text(b"my notes: a=b\n"),
            Err(ContentProblem::NotCookieLine(1))
        );
        assert_eq!(
            check_cookie_text(b"=v\n"),
            Err(ContentProblem::NotCookieLine(1))
        );
        assert_eq!(check_cookie_text(b"A=\x01\n"), Err(ContentProblem::Control));
        assert_eq!(check_cookie_text(b"A=\xff\n"), Err(ContentProblem::NotUtf8));
    }
}
