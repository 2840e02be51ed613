//! The `filter` of `list`: creation time bounds and one thread, joined
//! with `AND` (anything else the server refuses with INVALID_ARGUMENT).

use super::error::InvalidRequest;
use super::names::ThreadName;

/// A `list` filter.
///
/// ```
/// use hangups_core::chat::{ListFilter, ThreadName};
/// let f = ListFilter::new()
///     .created_after("2023-04-21T15:30:00Z")
///     .thread(ThreadName::parse("spaces/S/threads/T")?);
/// assert_eq!(
///     f.to_query()?.as_deref(),
///     Some(r#"create_time > "2023-04-21T15:30:00Z" AND thread.name = spaces/S/threads/T"#)
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    after: Option<String>,
    before: Option<String>,
    threads: Vec<ThreadName>,
}

impl ListFilter {
    /// No condition.
    pub fn new() -> Self {
        ListFilter::default()
    }

    /// Only messages created after `rfc3339` (checked when built).
    pub fn created_after(mut self, rfc3339: &str) -> Self {
        self.after = Some(rfc3339.to_string());
        self
    }

    /// Only messages created before `rfc3339` (checked when built).
    pub fn created_before(mut self, rfc3339: &str) -> Self {
        self.before = Some(rfc3339.to_string());
        self
    }

    /// Only messages of thread `name` (at most one thread; a second is an
    /// error when built).
    pub fn thread(mut self, name: ThreadName) -> Self {
        self.threads.push(name);
        self
    }

    /// The filter expression; `None` when there is no condition.
    pub fn to_query(&self) -> Result<Option<String>, InvalidRequest> {
        if self.threads.len() > 1 {
            return Err(InvalidRequest::FilterThreadTwice);
        }
        let mut parts = Vec::new();
        for (op, ts) in [(">", &self.after), ("<", &self.before)] {
            if let Some(ts) = ts {
                if !is_rfc3339(ts) {
                    return Err(InvalidRequest::Timestamp(ts.clone()));
                }
                parts.push(format!("create_time {op} \"{ts}\""));
            }
        }
        if let Some(t) = self.threads.first() {
            parts.push(format!("thread.name = {t}"));
        }
        Ok((!parts.is_empty()).then(|| parts.join(" AND ")))
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`, fields in range.
pub(crate) fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>, max: u32| -> bool {
        b.get(r.clone())
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
            && s[r].parse::<u32>().is_ok_and(|n| n <= max)
    };
    let ok_date = b.len() >= 20
        && num(0..4, 9999)
        && b[4] == b'-'
        && num(5..7, 12)
        && s[5..7] != *"00"
        && b[7] == b'-'
        && num(8..10, 31)
        && s[8..10] != *"00"
        && matches!(b[10], b'T' | b't')
        && num(11..13, 23)
        && b[13] == b':'
        && num(14..16, 59)
        && b[16] == b':'
        && num(17..19, 60);
    if !ok_date {
        return false;
    }
    let mut i = 19;
    if b[i] == b'.' {
        let digits = b[i + 1..].iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return false;
        }
        i += 1 + digits;
    }
    match &s[i..] {
        "Z" | "z" => true,
        off => {
            let o = off.as_bytes();
            o.len() == 6
                && matches!(o[0], b'+' | b'-')
                && o[3] == b':'
                && o[1..3].iter().chain(&o[4..6]).all(u8::is_ascii_digit)
                && off[1..3].parse::<u32>().is_ok_and(|h| h <= 23)
                && off[4..6].parse::<u32>().is_ok_and(|m| m <= 59)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps() {
        for ok in [
            "2023-04-21T15:30:00Z",
            "2023-04-21t15:30:00.123456789z",
            "2023-04-21T15:30:00+05:30",
        ] {
            assert!(is_rfc3339(ok), "{ok}");
        }
        for bad in [
            "2023-04-21",
            "2023-13-01T00:00:00Z",
            "2023-04-21 15:30:00Z",
            "2023-04-21T15:30:00",
            "2023-04-21T15:30:00.Z",
            "2023-04-21T24:00:00Z",
            "2023-04-21T15:30:00+0530",
            "2023-00-10T00:00:00Z",
            "2023-04-21T15:30:00Z\" OR x",
        ] {
            assert!(!is_rfc3339(bad), "{bad}");
        }
    }

    #[test]
    fn filters() {
        assert_eq!(ListFilter::new().to_query(), Ok(None));
        let f = ListFilter::new()
            .created_after("2023-01-01T00:00:00Z")
            .created_before("2023-02-01T00:00:00Z");
        assert_eq!(
            f.to_query().unwrap().unwrap(),
            r#"create_time > "2023-01-01T00:00:00Z" AND create_time < "2023-02-01T00:00:00Z""#
        );
        let t = ThreadName::parse("spaces/S/threads/T").unwrap();
        let two = ListFilter::new().thread(t.clone()).thread(t);
        assert_eq!(two.to_query(), Err(InvalidRequest::FilterThreadTwice));
        assert_eq!(
            ListFilter::new().created_after("yesterday").to_query(),
            Err(InvalidRequest::Timestamp("yesterday".into()))
        );
    }
}
