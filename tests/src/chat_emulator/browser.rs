//! The tests' browser for user OAuth against the emulator: one HTTP GET
//! on a std socket, and [`consent`], which opens an authorization URL,
//! follows the emulator's 302 to the client's loopback listener and
//! returns that page's status line.

use std::io::{Read, Write};
use std::time::Duration;

/// One GET of `url` (`http://host:port/target`): the status line and the
/// `Location` header. An unreachable server gives an empty status line.
pub fn http_get(url: &str) -> (String, Option<String>) {
    let Some(rest) = url.strip_prefix("http://") else {
        return (String::new(), None);
    };
    let (authority, target) = rest.split_at(rest.find(['/', '?']).unwrap_or(rest.len()));
    let target = format!("/{}", target.trim_start_matches('/'));
    let Ok(mut s) = std::net::TcpStream::connect(authority) else {
        return (String::new(), None);
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(20)));
    let request =
        format!("GET {target} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n");
    if s.write_all(request.as_bytes()).is_err() {
        return (String::new(), None);
    }
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).to_string();
    let status = text.lines().next().unwrap_or("").to_string();
    let location = text.lines().take_while(|l| !l.is_empty()).find_map(|l| {
        l.split_once(':')
            .filter(|(n, _)| n.eq_ignore_ascii_case("location"))
            .map(|(_, v)| v.trim().to_string())
    });
    (status, location)
}

/// Consents at `authorization_url` (the emulator answers 302 to the
/// loopback redirect) and returns the status line of the loopback
/// listener's page, or why it could not.
pub fn consent(authorization_url: &str) -> Result<String, String> {
    let (status, location) = http_get(authorization_url);
    if !status.contains(" 302 ") {
        return Err(format!("the authorization URL answered {status:?}"));
    }
    let location = location.ok_or("no Location in the 302")?;
    if !location.starts_with("http://127.0.0.1:") {
        return Err(format!("not a loopback redirect: {location}"));
    }
    Ok(http_get(&location).0)
}
