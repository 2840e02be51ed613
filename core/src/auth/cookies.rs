//! `Set-Cookie` parsing (RFC 6265 §5.2, lenient as browsers are) and the
//! small cookie jar of one sign-in: it keeps what the flow's responses set,
//! sends matching cookies on redirects, and finally hands out the session
//! cookies of one domain. Values never appear in `Debug`.

use crate::api::Cookies;
use std::fmt;

/// One parsed `Set-Cookie` header.
#[derive(Clone, PartialEq, Eq)]
pub struct SetCookie {
    /// The cookie name.
    pub name: String,
    /// The value, as sent (quotes kept).
    pub value: String,
    /// The `Domain` attribute, lower-case, without a leading dot.
    pub domain: Option<String>,
    /// `Max-Age` in seconds (≤ 0 deletes the cookie).
    pub max_age: Option<i64>,
    /// `Expires` as Unix seconds, if it parsed.
    pub expires: Option<i64>,
    /// The `Secure` attribute.
    pub secure: bool,
}

impl fmt::Debug for SetCookie {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SetCookie")
            .field("name", &self.name)
            .field("value", &format_args!("<redacted>"))
            .field("domain", &self.domain)
            .field("max_age", &self.max_age)
            .field("expires", &self.expires)
            .field("secure", &self.secure)
            .finish()
    }
}

impl SetCookie {
    /// Parses a `Set-Cookie` value; `None` if it has no `name=value`.
    ///
    /// ```
    /// use hangups_core::auth::SetCookie;
    ///
    /// let c = SetCookie::parse("SAPISID=a/b; Domain=.Google.com; Path=/; Secure; Max-Age=60").unwrap();
    /// assert_eq!((c.name.as_str(), c.value.as_str()), ("SAPISID", "a/b"));
    /// assert_eq!(c.domain.as_deref(), Some("google.com"));
    /// assert_eq!((c.max_age, c.secure), (Some(60), true));
    /// ```
    pub fn parse(header: &str) -> Option<SetCookie> {
        let mut parts = header.split(';');
        let (name, value) = parts.next()?.split_once('=')?;
        let name = name.trim();
        if name.is_empty() {
            return None;
        }
        let mut cookie = SetCookie {
            name: name.to_string(),
            value: value.trim().to_string(),
            domain: None,
            max_age: None,
            expires: None,
            secure: false,
        };
        for attr in parts {
            let (key, val) = attr.split_once('=').unwrap_or((attr, ""));
            let (key, val) = (key.trim(), val.trim());
            if key.eq_ignore_ascii_case("domain") {
                let d = val.trim_start_matches('.').to_ascii_lowercase();
                if !d.is_empty() {
                    cookie.domain = Some(d);
                }
            } else if key.eq_ignore_ascii_case("max-age") {
                if let Ok(n) = val.parse::<i64>() {
                    cookie.max_age = Some(n);
                }
            } else if key.eq_ignore_ascii_case("expires") {
                cookie.expires = parse_cookie_date(val);
            } else if key.eq_ignore_ascii_case("secure") {
                cookie.secure = true;
            }
        }
        Some(cookie)
    }

    /// Whether the cookie is already expired at `unix_secs` (a deletion).
    pub fn is_expired(&self, unix_secs: u64) -> bool {
        match (self.max_age, self.expires) {
            (Some(age), _) => age <= 0,
            (None, Some(at)) => at <= i64::try_from(unix_secs).unwrap_or(i64::MAX),
            (None, None) => false,
        }
    }
}

/// A cookie in the jar.
#[derive(Clone, PartialEq, Eq)]
struct Stored {
    name: String,
    value: String,
    /// The domain it belongs to (the setting host when `host_only`).
    domain: String,
    host_only: bool,
    secure: bool,
}

/// The cookies of one sign-in. `Debug` shows names and domains only.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct CookieJar {
    cookies: Vec<Stored>,
}

impl fmt::Debug for CookieJar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(
                self.cookies
                    .iter()
                    .map(|c| format!("{}@{}=<redacted>", c.name, c.domain)),
            )
            .finish()
    }
}

impl CookieJar {
    /// An empty jar.
    pub fn new() -> Self {
        CookieJar::default()
    }

    /// Takes a `Set-Cookie` value received from `host` at `unix_secs`. A
    /// cookie without `Domain` belongs to `host` alone; an expired one
    /// deletes the cookie it names.
    pub fn store(&mut self, host: &str, header: &str, unix_secs: u64) {
        let Some(c) = SetCookie::parse(header) else {
            return;
        };
        let host = host.to_ascii_lowercase();
        let (domain, host_only) = match c.domain.clone() {
            // RFC 6265 §5.3 step 6: a host may only set cookies for itself
            // or a parent domain of it.
            Some(d) if !domain_matches(&host, &d) => return,
            Some(d) => (d, false),
            None => (host, true),
        };
        self.cookies
            .retain(|s| !(s.name == c.name && s.domain == domain && s.host_only == host_only));
        if !c.is_expired(unix_secs) {
            self.cookies.push(Stored {
                name: c.name,
                value: c.value,
                domain,
                host_only,
                secure: c.secure,
            });
        }
    }

    /// The `cookie` header for a request to `host` (`None` if no cookie
    /// matches): host-only cookies of that host, and domain cookies of
    /// `host` or a parent of it; secure ones only over TLS.
    pub fn header_for(&self, host: &str, tls: bool) -> Option<String> {
        let host = host.to_ascii_lowercase();
        let pairs: Vec<String> = self
            .cookies
            .iter()
            .filter(|c| tls || !c.secure)
            .filter(|c| {
                if c.host_only {
                    c.domain == host
                } else {
                    host == c.domain || host.ends_with(&format!(".{}", c.domain))
                }
            })
            .map(|c| format!("{}={}", c.name, c.value))
            .collect();
        (!pairs.is_empty()).then(|| pairs.join("; "))
    }

    /// The cookies set with `Domain=<domain>` (or `.<domain>`), in the
    /// order they were set: hangups' session cookies (PROTOCOL.md §4 step 5).
    pub fn session_cookies(&self, domain: &str) -> Cookies {
        let domain = domain.trim_start_matches('.').to_ascii_lowercase();
        self.cookies
            .iter()
            .filter(|c| !c.host_only && c.domain == domain)
            .map(|c| (c.name.as_str(), c.value.as_str()))
            .collect()
    }

    /// How many cookies the jar holds.
    pub fn len(&self) -> usize {
        self.cookies.len()
    }

    /// Whether the jar is empty.
    pub fn is_empty(&self) -> bool {
        self.cookies.is_empty()
    }
}

/// RFC 6265 §5.1.3: `host` is `domain` or a name below it (never below an
/// IP address).
fn domain_matches(host: &str, domain: &str) -> bool {
    host == domain
        || (host.ends_with(domain)
            && host[..host.len() - domain.len()].ends_with('.')
            && host.parse::<core::net::IpAddr>().is_err())
}

/// RFC 6265 §5.1.1 cookie-date, as Unix seconds (`None` if it does not parse).
pub fn parse_cookie_date(text: &str) -> Option<i64> {
    let is_delim = |c: char| matches!(c, '\t' | ' '..='/' | ';'..='@' | '['..='`' | '{'..='~');
    let (mut time, mut day, mut month, mut year) = (None, None, None, None);
    for token in text.split(is_delim).filter(|t| !t.is_empty()) {
        if time.is_none() {
            let parts: Vec<Option<i64>> = token.split(':').map(|p| digits(p, 1, 2)).collect();
            if let [Some(h), Some(m), Some(s)] = parts[..] {
                time = Some((h, m, s));
                continue;
            }
        }
        if day.is_none() {
            if let Some(d) = digits(token, 1, 2) {
                day = Some(d);
                continue;
            }
        }
        if month.is_none() && token.len() >= 3 {
            let m = token.get(..3).unwrap_or("").to_ascii_lowercase();
            const MONTHS: [&str; 12] = [
                "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
            ];
            if let Some(i) = MONTHS.iter().position(|x| *x == m) {
                month = Some(i as i64 + 1);
                continue;
            }
        }
        if year.is_none() {
            if let Some(y) = digits(token, 2, 4) {
                year = Some(match y {
                    70..=99 => y + 1900,
                    0..=69 => y + 2000,
                    _ => y,
                });
                continue;
            }
        }
    }
    let ((h, mi, s), d, mo, y) = (time?, day?, month?, year?);
    if !(1..=31).contains(&d) || y < 1601 || h > 23 || mi > 59 || s > 59 {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s)
}

/// A token of `min..=max` ASCII digits (followed by anything non-digit,
/// as RFC 6265 allows), as a number.
fn digits(token: &str, min: usize, max: usize) -> Option<i64> {
    let n = token.bytes().take_while(u8::is_ascii_digit).count();
    if n < min || n > max {
        return None;
    }
    token[..n].parse().ok()
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_cookie_shapes() {
        let c = SetCookie::parse(" NID = x\"y=z ; path=/; HttpOnly").unwrap();
        assert_eq!((c.name.as_str(), c.value.as_str()), ("NID", "x\"y=z"));
        assert_eq!(c.domain, None);
        for bad in ["", "novalue", "=x", " =x; Domain=a"] {
            assert!(SetCookie::parse(bad).is_none(), "{bad:?}");
        }
        let c = SetCookie::parse("a=1; Domain=.; Max-Age=soon; Expires=never").unwrap();
        assert_eq!((c.domain, c.max_age, c.expires), (None, None, None));
        let text = format!("{:?}", SetCookie::parse("SID=topsecret").unwrap());
        assert!(!text.contains("topsecret") && text.contains("SID"));
    }

    #[test]
    fn cookie_dates() {
        assert_eq!(parse_cookie_date("Thu, 01 Jan 1970 00:00:00 GMT"), Some(0));
        // Trailing non-digits in a time field (RFC 6265 allows them) once
        // made the parser index past its parts (found by fuzzing).
        assert_eq!(parse_cookie_date("01 Jan 1970 00:00:01x GMT"), Some(1));
        assert_eq!(parse_cookie_date("01 Jan 1970 0x:00:01 GMT"), Some(1));
        assert_eq!(
            parse_cookie_date("Mon, 01-Jan-1990 00:00:00 GMT"),
            Some(631_152_000)
        );
        assert_eq!(
            parse_cookie_date("Sat, 13 Feb 2009 23:31:30 GMT"),
            Some(1_234_567_890)
        );
        assert_eq!(
            parse_cookie_date("Friday, 13-Feb-09 23:31:30 GMT"),
            Some(1_234_567_890)
        );
        for bad in [
            "",
            "tomorrow",
            "13 Foo 2009 23:31:30",
            "32 Feb 2009 1:2:3",
            "1 Jan 2009",
        ] {
            assert_eq!(parse_cookie_date(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn jar_keeps_replaces_and_deletes() {
        const NOW: u64 = 1_700_000_000;
        let mut jar = CookieJar::new();
        jar.store(
            "accounts.google.com",
            "SID=1; Domain=.google.com; Path=/",
            NOW,
        );
        jar.store(
            "accounts.google.com",
            "SAPISID=2; Domain=google.com; Secure",
            NOW,
        );
        jar.store("accounts.google.com", "LSID=3; Path=/; Secure", NOW);
        jar.store("accounts.google.com", "SID=4; Domain=.google.com", NOW);
        jar.store(
            "accounts.google.com",
            "OLD=5; Domain=.google.com; Expires=Mon, 01-Jan-1990 00:00:00 GMT",
            NOW,
        );
        jar.store("accounts.google.com", "APISID=6; Domain=.google.com", NOW);
        // Another site's domain, or a child of the host: ignored.
        jar.store("accounts.google.com", "EVIL=7; Domain=.example.org", NOW);
        jar.store(
            "accounts.google.com",
            "DEEP=8; Domain=x.accounts.google.com",
            NOW,
        );
        jar.store("127.0.0.1", "IP=9; Domain=0.0.1", NOW);
        assert!(jar.header_for("example.org", true).is_none());
        assert!(jar
            .header_for("x.accounts.google.com", true)
            .is_some_and(|h| !h.contains("DEEP")));
        jar.store(
            "accounts.google.com",
            "APISID=; Domain=.google.com; Max-Age=0",
            NOW,
        );
        jar.store("accounts.google.com", "garbage", NOW);
        let session = jar.session_cookies(".google.com");
        assert_eq!(
            session.iter().collect::<Vec<_>>(),
            [("SAPISID", "2"), ("SID", "4")]
        );
        assert_eq!(
            jar.header_for("accounts.google.com", true).as_deref(),
            Some("SAPISID=2; LSID=3; SID=4")
        );
        assert_eq!(
            jar.header_for("www.google.com", false).as_deref(),
            Some("SID=4")
        );
        assert_eq!(jar.header_for("google.com.evil.net", true), None);
        assert_eq!(jar.header_for("evilgoogle.com", true), None);
        assert_eq!(jar.len(), 3);
        let text = format!("{jar:?}");
        assert!(text.contains("SID@google.com") && !text.contains('4'));
    }
}
