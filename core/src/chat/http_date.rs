//! `Retry-After` values (RFC 9110 §10.2.3): delay seconds, or an HTTP date
//! in any of the three forms a recipient must accept (§5.6.7): IMF-fixdate
//! (`Sun, 06 Nov 1994 08:49:37 GMT`), the obsolete RFC 850 form
//! (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37
//! 1994`). A date turns into a delay only with the caller's wall clock;
//! a date in the past is no delay at all.

use std::time::Duration;

/// The delay a `Retry-After` value asks for. `unix_now` (seconds) is the
/// caller's wall clock, needed for a date; `None` if the value is neither
/// a number of seconds nor a date (or is a date and there is no clock).
pub fn retry_after(value: &str, unix_now: Option<u64>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = parse_http_date(value)?;
    let now = unix_now?;
    Some(Duration::from_secs(at.saturating_sub(now)))
}

/// An HTTP date as Unix seconds, or `None` if it is not one.
pub fn parse_http_date(value: &str) -> Option<u64> {
    let words: Vec<&str> = value.split_ascii_whitespace().collect();
    let (day, month, year, time) = match words.as_slice() {
        // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
        [wd, d, m, y, t, "GMT"] if wd.ends_with(',') => (*d, *m, year4(y)?, *t),
        // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
        [wd, dmy, t, "GMT"] if wd.ends_with(',') => {
            let mut parts = dmy.split('-');
            let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
            if parts.next().is_some() || y.len() != 2 {
                return None;
            }
            let yy: u64 = digits(y)?;
            // Two-digit years: RFC 9110 says a year that looks more than 50
            // years ahead is in the past century.
            let year = if yy < 70 { 2000 + yy } else { 1900 + yy };
            (d, m, year, *t)
        }
        // asctime: Sun Nov  6 08:49:37 1994
        [_, m, d, t, y] => (*d, *m, year4(y)?, *t),
        _ => return None,
    };
    let day: u64 = digits(day).filter(|d| (1..=31).contains(d))?;
    let month = month_number(month)?;
    let mut hms = time.split(':');
    let (h, mi, s) = (hms.next()?, hms.next()?, hms.next()?);
    if hms.next().is_some() {
        return None;
    }
    let (h, mi, s): (u64, u64, u64) = (digits(h)?, digits(mi)?, digits(s)?);
    if h > 23 || mi > 59 || s > 60 || day > days_in_month(year, month) {
        return None;
    }
    let days = days_since_epoch(year, month, day)?;
    Some(days * 86_400 + h * 3_600 + mi * 60 + s)
}

fn year4(y: &str) -> Option<u64> {
    (y.len() == 4).then(|| digits(y)).flatten()
}

/// ASCII digits only (no sign, no spaces), at most 4 of them.
fn digits(s: &str) -> Option<u64> {
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

fn month_number(m: &str) -> Option<u64> {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    MONTHS.iter().position(|x| *x == m).map(|i| i as u64 + 1)
}

fn is_leap(year: u64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: u64, month: u64) -> u64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to the date (none before 1970).
fn days_since_epoch(year: u64, month: u64, day: u64) -> Option<u64> {
    if year < 1970 {
        return None;
    }
    let whole_years: u64 = (1970..year)
        .map(|y| if is_leap(y) { 366 } else { 365 })
        .sum();
    let whole_months: u64 = (1..month).map(|m| days_in_month(year, m)).sum();
    Some(whole_years + whole_months + day - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 9110's example instant, 1994-11-06T08:49:37Z.
    const EXAMPLE: u64 = 784_111_777;

    #[test]
    fn the_three_forms_of_rfc_9110_name_the_same_instant() {
        assert_eq!(
            parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(EXAMPLE)
        );
        assert_eq!(
            parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"),
            Some(EXAMPLE)
        );
        assert_eq!(parse_http_date("Sun Nov  6 08:49:37 1994"), Some(EXAMPLE));
    }

    #[test]
    fn dates_count_leap_days() {
        assert_eq!(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        assert_eq!(
            parse_http_date("Tue, 29 Feb 2000 00:00:00 GMT"),
            Some(951_782_400)
        );
        assert_eq!(
            parse_http_date("Fri, 04 Dec 2026 12:00:00 GMT"),
            Some(1_796_385_600)
        );
        assert_eq!(parse_http_date("Mon, 29 Feb 2100 00:00:00 GMT"), None);
    }

    #[test]
    fn malformed_dates_are_refused() {
        for bad in [
            "",
            "soon",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sun, 06 Nov 1994 24:00:00 GMT",
            "Sun, 32 Nov 1994 08:49:37 GMT",
            "Sun, 06 Foo 1994 08:49:37 GMT",
            "Sun, 06 Nov 94 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49 GMT",
            "Sun, +6 Nov 1994 08:49:37 GMT",
            "Sunday, 06-Nov-1994 08:49:37 GMT",
            "Wed, 31 Dec 1969 23:59:59 GMT",
            "Sun, 06 Nov 99999 08:49:37 GMT",
        ] {
            assert_eq!(parse_http_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn retry_after_takes_seconds_or_a_date_against_the_clock() {
        assert_eq!(retry_after(" 7 ", None), Some(Duration::from_secs(7)));
        let date = "Sun, 06 Nov 1994 08:49:37 GMT";
        assert_eq!(retry_after(date, None), None, "a date needs a clock");
        assert_eq!(
            retry_after(date, Some(EXAMPLE - 30)),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            retry_after(date, Some(EXAMPLE + 30)),
            Some(Duration::ZERO),
            "a date in the past asks for no wait"
        );
        assert_eq!(retry_after("-5", Some(0)), None);
    }
}
