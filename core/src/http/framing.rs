//! How a response body is delimited (RFC 9112 §6.3) and whether the
//! connection stays open after it (RFC 9112 §9.3).

use super::{HttpError, ResponseHead};

/// How the body of a final response is delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    /// No body at all (204, 304, or `Content-Length: 0`).
    Empty,
    /// Exactly this many bytes (never 0: that is [`Framing::Empty`]).
    Length(u64),
    /// The chunked transfer coding.
    Chunked,
    /// Everything until the peer closes the connection.
    UntilClose,
}

/// The framing of a final (non-1xx) response and whether the connection
/// can carry another response after it.
///
/// Rules, in order: 204 and 304 have no body whatever the header fields
/// say; a `Transfer-Encoding` must be exactly one `chunked` coding, last
/// (anything else is an error), and it wins over `Content-Length` but then
/// the connection is not reused (the framing was ambiguous, as it is for a
/// `Transfer-Encoding` in an HTTP/1.0 response); then `Content-Length`
/// (repeated identical values allowed); otherwise the body runs until the
/// connection closes.
pub(crate) fn framing(head: &ResponseHead) -> Result<(Framing, bool), HttpError> {
    let keep_alive = connection_keep_alive(head);
    if head.status == 204 || head.status == 304 {
        return Ok((Framing::Empty, keep_alive));
    }
    if transfer_encoding_chunked(head)? {
        // Content-Length is ignored (not even validated) next to chunked.
        let unambiguous =
            values(head, "content-length").next().is_none() && head.minor_version >= 1;
        return Ok((Framing::Chunked, keep_alive && unambiguous));
    }
    Ok(match content_length(head)? {
        Some(0) => (Framing::Empty, keep_alive),
        Some(n) => (Framing::Length(n), keep_alive),
        None => (Framing::UntilClose, false),
    })
}

fn values<'h>(head: &'h ResponseHead, name: &'h str) -> impl Iterator<Item = &'h str> + 'h {
    head.headers
        .iter()
        .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// The elements of a comma-separated list over every field called `name`,
/// trimmed, empty elements skipped (RFC 9110 §5.6.1).
fn list<'h>(head: &'h ResponseHead, name: &'h str) -> impl Iterator<Item = &'h str> + 'h {
    values(head, name)
        .flat_map(|v| v.split(','))
        .map(|e| e.trim_matches([' ', '\t']))
        .filter(|e| !e.is_empty())
}

/// `Connection` tokens: HTTP/1.1 persists unless `close`; HTTP/1.0 only
/// with `keep-alive` (and no `close`).
fn connection_keep_alive(head: &ResponseHead) -> bool {
    let has = |token: &str| list(head, "connection").any(|t| t.eq_ignore_ascii_case(token));
    if has("close") {
        false
    } else {
        head.minor_version >= 1 || has("keep-alive")
    }
}

/// `Some(n)` when every `Content-Length` value is the same decimal number.
fn content_length(head: &ResponseHead) -> Result<Option<u64>, HttpError> {
    let mut length = None;
    for value in values(head, "content-length") {
        for element in value.split(',') {
            let element = element.trim_matches([' ', '\t']);
            if element.is_empty() || !element.bytes().all(|b| b.is_ascii_digit()) {
                return Err(HttpError::BadContentLength);
            }
            let n: u64 = element.parse().map_err(|_| HttpError::BadContentLength)?;
            if length.is_some_and(|l| l != n) {
                return Err(HttpError::BadContentLength);
            }
            length = Some(n);
        }
    }
    Ok(length)
}

/// `true` when `Transfer-Encoding` is present and is exactly `chunked`;
/// any other coding list is an error.
fn transfer_encoding_chunked(head: &ResponseHead) -> Result<bool, HttpError> {
    let mut fields = values(head, "transfer-encoding").peekable();
    if fields.peek().is_none() {
        return Ok(false);
    }
    let mut codings = list(head, "transfer-encoding");
    match (codings.next(), codings.next()) {
        (Some(c), None) if c.eq_ignore_ascii_case("chunked") => Ok(true),
        _ => {
            let all: Vec<&str> = values(head, "transfer-encoding").collect();
            Err(HttpError::UnsupportedTransferEncoding(all.join(", ")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(minor: u8, status: u16, headers: &[(&str, &str)]) -> ResponseHead {
        ResponseHead {
            status,
            reason: String::new(),
            minor_version: minor,
            headers: headers
                .iter()
                .map(|(n, v)| (n.to_string(), v.to_string()))
                .collect(),
        }
    }

    fn f(minor: u8, status: u16, headers: &[(&str, &str)]) -> Result<(Framing, bool), HttpError> {
        framing(&head(minor, status, headers))
    }

    #[test]
    fn content_length() {
        assert_eq!(
            f(1, 200, &[("Content-Length", "5")]),
            Ok((Framing::Length(5), true))
        );
        assert_eq!(
            f(1, 200, &[("content-length", " 0 ")]),
            Ok((Framing::Empty, true))
        );
        let same = [("Content-Length", "7, 7"), ("CONTENT-LENGTH", "7")];
        assert_eq!(f(1, 200, &same), Ok((Framing::Length(7), true)));
        let max = u64::MAX.to_string();
        assert_eq!(
            f(1, 200, &[("Content-Length", &max)]),
            Ok((Framing::Length(u64::MAX), true))
        );
        for bad in [
            "",
            "-1",
            "+1",
            "1 2",
            "0x10",
            "5,",
            "18446744073709551616",
            "½",
        ] {
            let got = f(1, 200, &[("Content-Length", bad)]);
            assert_eq!(got, Err(HttpError::BadContentLength), "{bad:?}");
        }
        let differ = [("Content-Length", "1"), ("Content-Length", "2")];
        assert_eq!(f(1, 200, &differ), Err(HttpError::BadContentLength));
    }

    #[test]
    fn transfer_encoding() {
        assert_eq!(
            f(1, 200, &[("Transfer-Encoding", "chunked")]),
            Ok((Framing::Chunked, true))
        );
        assert_eq!(
            f(1, 200, &[("transfer-encoding", " Chunked ,")]),
            Ok((Framing::Chunked, true))
        );
        // Chunked wins over Content-Length, but the connection is not reused.
        let both = [("Content-Length", "3"), ("Transfer-Encoding", "chunked")];
        assert_eq!(f(1, 200, &both), Ok((Framing::Chunked, false)));
        let bad_cl = [("Content-Length", "x"), ("Transfer-Encoding", "chunked")];
        assert_eq!(f(1, 200, &bad_cl), Ok((Framing::Chunked, false)));
        // HTTP/1.0 with Transfer-Encoding: faulty framing, close after.
        let te10 = [
            ("Connection", "keep-alive"),
            ("Transfer-Encoding", "chunked"),
        ];
        assert_eq!(f(0, 200, &te10), Ok((Framing::Chunked, false)));
        for bad in [
            "gzip",
            "gzip, chunked",
            "chunked, gzip",
            "chunked, chunked",
            "",
            "identity",
        ] {
            let got = f(1, 200, &[("Transfer-Encoding", bad)]);
            assert_eq!(
                got,
                Err(HttpError::UnsupportedTransferEncoding(bad.into())),
                "{bad:?}"
            );
        }
        let split = [
            ("Transfer-Encoding", "chunked"),
            ("Transfer-Encoding", "chunked"),
        ];
        assert!(matches!(
            f(1, 200, &split),
            Err(HttpError::UnsupportedTransferEncoding(_))
        ));
    }

    #[test]
    fn no_body_statuses_ignore_framing_fields() {
        let h = [("Content-Length", "10"), ("Transfer-Encoding", "gzip")];
        assert_eq!(f(1, 204, &h), Ok((Framing::Empty, true)));
        assert_eq!(f(1, 304, &h), Ok((Framing::Empty, true)));
    }

    #[test]
    fn until_close_never_keeps_alive() {
        assert_eq!(f(1, 200, &[]), Ok((Framing::UntilClose, false)));
        assert_eq!(
            f(0, 200, &[("Connection", "keep-alive")]),
            Ok((Framing::UntilClose, false))
        );
    }

    #[test]
    fn keep_alive_rules() {
        let cl = ("Content-Length", "1");
        assert_eq!(f(1, 200, &[cl]), Ok((Framing::Length(1), true)));
        assert_eq!(
            f(1, 200, &[cl, ("Connection", "close")]),
            Ok((Framing::Length(1), false))
        );
        let list = ("connection", "Upgrade, CLOSE");
        assert_eq!(f(1, 200, &[cl, list]), Ok((Framing::Length(1), false)));
        assert_eq!(f(0, 200, &[cl]), Ok((Framing::Length(1), false)));
        let ka = ("Connection", "Keep-Alive");
        assert_eq!(f(0, 200, &[cl, ka]), Ok((Framing::Length(1), true)));
        let both = [cl, ka, ("Connection", "close")];
        assert_eq!(f(0, 200, &both), Ok((Framing::Length(1), false)));
        // A token must match whole, not as a substring.
        assert_eq!(
            f(1, 200, &[cl, ("Connection", "closed")]),
            Ok((Framing::Length(1), true))
        );
    }
}
