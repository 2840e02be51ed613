//! The credential checks a real server makes (PROTOCOL.md §1.1, §3): the
//! cookies name a user, and the SAPISIDHASH authorization matches the
//! SAPISID cookie and the origin.

use super::http::{Request, Response};
use super::world::World;
use serde_json::json;
use sha1::{Digest, Sha1};

/// The user the request authenticates as (whose "last seen" time it
/// updates), or the 401 to answer.
pub(crate) fn authenticate(world: &mut World, req: &Request) -> Result<String, Response> {
    let cookies = cookies(req);
    let get = |name: &str| {
        cookies
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let sapisid = get("SAPISID").ok_or_else(|| unauthorized("no SAPISID cookie"))?;
    let user = world
        .user_by_sapisid(sapisid)
        .ok_or_else(|| unauthorized("unknown SAPISID cookie"))?;
    let sid_ok = user
        .cookies
        .iter()
        .any(|(n, v)| n == "SID" && get("SID") == Some(v.as_str()));
    if !sid_ok {
        return Err(unauthorized("missing or unknown SID cookie"));
    }
    let authorization = req
        .header("authorization")
        .ok_or_else(|| unauthorized("no authorization header"))?;
    let origin = req
        .header("origin")
        .or_else(|| req.header("x-origin"))
        .ok_or_else(|| unauthorized("no origin header"))?;
    check_sapisidhash(authorization, sapisid, origin).map_err(unauthorized)?;
    let id = user.id.clone();
    if let Some(u) = world.user_mut(&id) {
        u.presence.last_seen = super::ids::wall_micros();
    }
    Ok(id)
}

/// Every `name=value` pair of the `cookie` headers (values unquoted as sent).
fn cookies(req: &Request) -> Vec<(String, String)> {
    req.headers_named("cookie")
        .flat_map(|h| h.split(';'))
        .filter_map(|pair| {
            let (n, v) = pair.trim().split_once('=')?;
            Some((n.trim().to_string(), v.trim().to_string()))
        })
        .collect()
}

/// Checks `SAPISIDHASH <t>_<hex sha1("<t> <sapisid> <origin>")>`.
pub(crate) fn check_sapisidhash(
    header: &str,
    sapisid: &str,
    origin: &str,
) -> Result<(), &'static str> {
    let value = header
        .strip_prefix("SAPISIDHASH ")
        .ok_or("authorization is not SAPISIDHASH")?;
    let (t, hash) = value.split_once('_').ok_or("malformed SAPISIDHASH")?;
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err("malformed SAPISIDHASH time");
    }
    if hash.len() != 40 || !hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err("malformed SAPISIDHASH hash");
    }
    if hash != sha1_hex(&format!("{t} {sapisid} {origin}")) {
        return Err("SAPISIDHASH does not match");
    }
    Ok(())
}

fn sha1_hex(input: &str) -> String {
    Sha1::digest(input.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn unauthorized(message: &str) -> Response {
    Response::json(
        401,
        &json!({"error": {"code": 401, "message": message, "status": "UNAUTHENTICATED"}}),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worked_example_of_protocol_section_3() {
        let header = "SAPISIDHASH 1234567890_fc8d2bc1330be75b1748d35d13c332bb0087b98c";
        assert_eq!(
            check_sapisidhash(header, "abc", "https://hangouts.google.com"),
            Ok(())
        );
        assert!(check_sapisidhash(header, "abd", "https://hangouts.google.com").is_err());
        assert!(check_sapisidhash(header, "abc", "https://evil.example").is_err());
        assert!(check_sapisidhash("SAPISIDHASH x_fc8d", "abc", "o").is_err());
        assert!(check_sapisidhash("Bearer x", "abc", "o").is_err());
        let upper = "SAPISIDHASH 1234567890_FC8D2BC1330BE75B1748D35D13C332BB0087B98C";
        assert!(check_sapisidhash(upper, "abc", "https://hangouts.google.com").is_err());
    }
}
