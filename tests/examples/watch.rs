//! Watches an account through the high-level list and prints, as one JSON
//! line each, every chat message event exactly once and the client's
//! connection events:
//!
//! ```text
//! cargo run -p hangups-tests --example watch -- --url http://127.0.0.1:PORT [--seconds N]
//! {"conversation_id":"Ugw…","event_id":"…","sender_id":"1000…","text":"hello"}
//! {"event":"Disconnected","error":"the long-poll body was cut off"}
//! {"event":"Reconnected","last_sync":1700000000000000}
//! ```
//!
//! `--url` is an emulator (its control API hands out the session); it
//! runs until `--seconds` passed or Ctrl-C. The messages already in the
//! list when it is built come first; then every
//! `Notification::NewEvent` (pushes, and the catch-up after each
//! (re)connect); a conversation added later (by the catch-up, or fetched)
//! prints the events it arrived with. Nothing is deduplicated beyond what
//! the model guarantees (a `NewEvent` is never sent for an event the list
//! already holds), so a duplicate in the output is a duplicate delivered.
//! Connection events print as `{"event":"Connected"}`,
//! `{"event":"Disconnected","error":…}`, `{"event":"Reconnected","last_sync":…}`
//! (and `CatchUpFailed`, `Closed`).

use hangups_core::state::{Conversation, ConversationEvent, Notification, Update};
use hangups_tokio::{Client, Config, Cookies, Event};
use serde_json::{json, Value};
use std::collections::HashSet;
use std::ffi::OsString;
use std::io::{Read, Write};
use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str = "usage: watch --url http://HOST:PORT [--seconds N]";

/// The command line.
struct Args {
    url: String,
    seconds: Option<u64>,
}

/// Reads the command line without ever panicking: every bad input is a
/// message.
fn parse_args(args: impl IntoIterator<Item = OsString>) -> Result<Option<Args>, String> {
    let mut url = None;
    let mut seconds = None;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let arg = arg
            .into_string()
            .map_err(|a| format!("argument {a:?} is not UTF-8"))?;
        let mut value = |name: &str| -> Result<String, String> {
            args.next()
                .ok_or(format!("{name} needs a value"))?
                .into_string()
                .map_err(|v| format!("{name}: {v:?} is not UTF-8"))
        };
        match arg.as_str() {
            "--url" => url = Some(value("--url")?),
            "--seconds" => {
                let v = value("--seconds")?;
                let n: u64 = v.parse().map_err(|e| format!("--seconds {v:?}: {e}"))?;
                // Past ~31 years a deadline is no deadline.
                seconds = Some(n.min(1 << 30));
            }
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let url = url.ok_or("--url is required")?;
    Ok(Some(Args { url, seconds }))
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args_os().skip(1)) {
        Ok(Some(args)) => args,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("watch: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("watch: no runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(watch(args)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("watch: {e}");
            ExitCode::FAILURE
        }
    }
}

type Error = Box<dyn std::error::Error>;

async fn watch(args: Args) -> Result<(), Error> {
    let config = Config::default().with_url(&args.url)?;
    let cookies = fetch_session(&args.url)?;
    let (client, events) = Client::connect(cookies, config).await?;
    let (list, mut notifications) = client.build_user_conversation_list(events).await?;
    let mut out = Printer::default();
    // The messages the list was built with.
    for id in list.conversation_ids(true) {
        list.with_conversation(&id, |c| out.conversation(c, false));
    }
    let deadline = args.seconds.map(Duration::from_secs);
    let sleep = async {
        match deadline {
            Some(d) => tokio::time::sleep(d).await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(sleep);
    let result = loop {
        tokio::select! {
            update = notifications.next() => match update {
                None => break Ok(()),
                Some(Update::Notification(Notification::NewEvent(event))) => out.new_event(&event),
                Some(Update::Notification(Notification::ConversationAdded(id))) => {
                    list.with_conversation(&id, |c| out.conversation(c, true));
                }
                Some(Update::Client(event)) => {
                    if let Some(result) = out.client_event(event) {
                        break result;
                    }
                }
                Some(Update::CatchUpFailed(error)) => {
                    out.line(json!({"event": "CatchUpFailed", "error": error.to_string()}));
                }
                Some(_) => {}
            },
            () = &mut sleep => break Ok(()),
            _ = tokio::signal::ctrl_c() => break Ok(()),
        }
        if out.broken {
            break Ok(());
        }
    };
    list.client().disconnect().await;
    result
}

/// Prints the lines; remembers only the events printed from a
/// conversation's arrival that a `NewEvent` may still announce.
#[derive(Default)]
struct Printer {
    /// Printed when their conversation arrived (a catch-up adds a
    /// conversation, then notifies its new events).
    from_arrival: HashSet<String>,
    /// Stdout is gone (the reader left).
    broken: bool,
}

impl Printer {
    fn line(&mut self, value: Value) {
        let mut stdout = std::io::stdout().lock();
        if writeln!(stdout, "{value}")
            .and_then(|()| stdout.flush())
            .is_err()
        {
            self.broken = true;
        }
    }

    fn message(&mut self, event: &ConversationEvent) {
        let Some(message) = event.as_chat_message() else {
            return;
        };
        self.line(json!({
            "conversation_id": event.conversation_id(),
            "event_id": event.id(),
            "sender_id": event.user_id().gaia_id,
            "text": message.text(),
        }));
    }

    /// Every chat message of `conversation`; with `arrived`, remembered,
    /// so that the `NewEvent` that may follow for one is not printed again.
    fn conversation(&mut self, conversation: &Conversation, arrived: bool) {
        for event in conversation.events() {
            if arrived && !self.from_arrival.insert(event.id().to_string()) {
                continue;
            }
            self.message(event);
        }
    }

    fn new_event(&mut self, event: &ConversationEvent) {
        if !self.from_arrival.remove(event.id()) {
            self.message(event);
        }
    }

    /// Prints a connection event; `Some` when the client closed.
    fn client_event(&mut self, event: Event) -> Option<Result<(), Error>> {
        match event {
            Event::Connected => self.line(json!({"event": "Connected"})),
            Event::Disconnected { error, .. } => {
                self.line(json!({"event": "Disconnected", "error": error.to_string()}));
            }
            Event::Reconnected { last_sync } => {
                self.line(json!({"event": "Reconnected", "last_sync": last_sync}));
            }
            Event::Closed { error } => {
                let error = error.map(|e| e.to_string());
                self.line(json!({"event": "Closed", "error": error}));
                return Some(match error {
                    None => Ok(()),
                    Some(e) => Err(e.into()),
                });
            }
            _ => {}
        }
        None
    }
}

/// The self user's session from the emulator's control API
/// (`POST /_emulator/session`), over plain HTTP.
fn fetch_session(url: &str) -> Result<Cookies, Error> {
    let authority = url
        .strip_prefix("http://")
        .ok_or("--url must be http://HOST:PORT (the emulator's control API is plain HTTP)")?
        .split('/')
        .next()
        .unwrap_or_default();
    let mut stream =
        std::net::TcpStream::connect(authority).map_err(|e| format!("{authority}: {e}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        stream,
        "POST /_emulator/session HTTP/1.1\r\nHost: {authority}\r\nContent-Length: 0\r\n\
         Connection: close\r\n\r\n"
    )?;
    let mut response = Vec::new();
    stream.take(1 << 20).read_to_end(&mut response)?;
    let response = String::from_utf8_lossy(&response);
    let (head, body) = response
        .split_once("\r\n\r\n")
        .ok_or("no HTTP response from the control API")?;
    if !head.starts_with("HTTP/1.1 200") {
        let status = head.lines().next().unwrap_or_default();
        return Err(format!("the control API answered {status:?}").into());
    }
    let json: Value = serde_json::from_str(body).map_err(|e| format!("bad session JSON: {e}"))?;
    let cookies = json["cookies"]
        .as_array()
        .ok_or("no cookies in the session")?;
    Ok(cookies
        .iter()
        .filter_map(|c| Some((c[0].as_str()?.to_string(), c[1].as_str()?.to_string())))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<Option<Args>, String> {
        parse_args(list.iter().map(OsString::from))
    }

    #[test]
    fn arguments() {
        let a = args(&["--url", "http://h:1", "--seconds", "5"])
            .unwrap()
            .unwrap();
        assert_eq!((a.url.as_str(), a.seconds), ("http://h:1", Some(5)));
        assert!(args(&["--help"]).unwrap().is_none());
        assert!(args(&[]).is_err());
        assert!(args(&["--url"]).is_err());
        assert!(args(&["--url", "x", "--seconds", "-1"]).is_err());
        assert!(args(&["--url", "x", "--nope"]).is_err());
        let huge = args(&["--url", "x", "--seconds", "18446744073709551615"]);
        assert_eq!(huge.unwrap().unwrap().seconds, Some(1 << 30));
    }

    #[cfg(unix)]
    #[test]
    fn non_utf8_is_an_error() {
        use std::os::unix::ffi::OsStringExt;
        let bad = OsString::from_vec(vec![0xff, 0xfe]);
        assert!(parse_args([OsString::from("--url"), bad.clone()]).is_err());
        assert!(parse_args([bad]).is_err());
    }
}
