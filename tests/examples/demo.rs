//! The demo: a hangups-rs client (the tokio adapter) against the Hangouts
//! emulator. It connects, lists the conversations, prints incoming
//! messages as they arrive, sends one, and exits cleanly.
//!
//! ```text
//! cargo run -p hangups-tests --example demo                          # starts an emulator in-process
//! cargo run -p hangups-tests --example demo -- --url http://127.0.0.1:PORT   # one started separately:
//!     cargo run -p hangups-tests --bin hangups-emulator -- --listen 127.0.0.1:0
//! cargo run -p hangups-tests --example demo -- --token-path PATH     # sign in with OAuth
//! ```
//!
//! It also takes `-d/--debug`, `--log PATH` and `-h/--help` (see
//! `common/mod.rs`); a bad command line is a message and exit status 2.
//!
//! Without `--token-path` the demo uses the emulator's built-in account.
//! With it, it signs in as hangups does: with the refresh token cached in
//! PATH, else with the manual login (open the printed URL, which the
//! emulator serves too, and paste the `oauth_code` it shows).

#[path = "common/mod.rs"]
mod common;

use common::CliError;
use hangups_proto::hangouts::*;
use hangups_tests::emulator::{Emulator, EmulatorConfig};
use hangups_tokio::{Client, Config, Cookies, Event};
use std::collections::HashMap;
use std::io::{Read, Write};
use std::process::ExitCode;
use std::time::Duration;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args = match common::Args::parse_opts(
        "connects to an emulator, lists the conversations, receives and sends a message",
        &[],
    ) {
        Ok(args) => args,
        Err(e) => return common::exit(Err(e)),
    };
    if let Some(url) = args.get("--url").filter(|u| !u.starts_with("http://")) {
        let reason = "must be http://HOST:PORT of a running emulator";
        return common::exit(Err(CliError::invalid("--url", url, reason).into()));
    }
    match run(&args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("demo failed: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &common::Args) -> Result<(), String> {
    let url = args.get("--url").map(str::to_string);
    let token_path = args.get("--token-path").map(str::to_string);

    // The server: ours, or the one at --url (whose control API gives us a session).
    let (emulator, url, cookies): (_, String, Cookies) = match url {
        None => {
            let emu = Emulator::start(EmulatorConfig::default()).map_err(|e| e.to_string())?;
            println!("started the emulator at {}", emu.url());
            let cookies = emu.self_cookies().into_iter().collect();
            let url = emu.url();
            (Some(emu), url, cookies)
        }
        Some(url) => {
            let cookies = fetch_session(&url)?;
            (None, url, cookies)
        }
    };

    let config = Config::default()
        .with_url(&url)
        .map_err(|e| CliError::invalid("--url", &url, e.to_string()).to_string())?;
    // Signing in with OAuth instead of the built-in account.
    let cookies = match token_path {
        Some(path) => hangups_tokio::get_auth_stdin_with(&path, &config)
            .await
            .map_err(|e| format!("signing in: {e}"))?,
        None => cookies,
    };
    let (client, mut events) = Client::connect(cookies, config)
        .await
        .map_err(|e| e.to_string())?;
    loop {
        match next(&mut events).await? {
            Event::Connected => println!("connected to the push channel"),
            Event::ClientId(id) => {
                println!("client id {id}");
                break;
            }
            _ => {}
        }
    }

    // Who am I, and which conversations are there?
    let me = client
        .get_self_info(GetSelfInfoRequest::default())
        .await
        .map_err(|e| e.to_string())?;
    let me_props = me.self_entity.as_ref().and_then(|e| e.properties.as_ref());
    let my_id = me
        .self_entity
        .as_ref()
        .and_then(|e| e.id.as_ref())
        .and_then(|i| i.gaia_id.clone())
        .unwrap_or_default();
    println!(
        "signed in as {}",
        me_props
            .and_then(|p| p.display_name.clone())
            .unwrap_or_default()
    );
    let recent = client
        .sync_recent_conversations(SyncRecentConversationsRequest {
            max_conversations: Some(100),
            max_events_per_conversation: Some(1),
            sync_filter: vec![
                SyncFilter::SYNC_FILTER_INBOX,
                SyncFilter::SYNC_FILTER_ARCHIVED,
            ],
            ..Default::default()
        })
        .await
        .map_err(|e| e.to_string())?;
    let mut names: HashMap<String, String> = HashMap::new();
    let mut group = None;
    println!("{} conversations:", recent.conversation_state.len());
    for state in &recent.conversation_state {
        let Some(conv) = &state.conversation else {
            continue;
        };
        let id = conv
            .conversation_id
            .as_ref()
            .and_then(|c| c.id.clone())
            .unwrap_or_default();
        let people: Vec<String> = conv
            .participant_data
            .iter()
            .map(|p| {
                let gaia =
                    p.id.as_ref()
                        .and_then(|i| i.gaia_id.clone())
                        .unwrap_or_default();
                let name = p.fallback_name.clone().unwrap_or_else(|| gaia.clone());
                names.insert(gaia, name.clone());
                name
            })
            .collect();
        let title = conv.name.clone().unwrap_or_else(|| people.join(", "));
        let last = state.event.last().map(text_of).unwrap_or_default();
        println!("  {title} [{id}] last: {last:?}");
        if conv.r#type == Some(ConversationType::CONVERSATION_TYPE_GROUP) && group.is_none() {
            group = Some((
                id,
                conv.participant_data
                    .iter()
                    .filter_map(|p| p.id.as_ref()?.gaia_id.clone())
                    .find(|g| *g != my_id),
            ));
        }
    }
    let (group_id, other) = group.ok_or("no group conversation")?;

    // A message from someone else arrives while we listen (once the server
    // has our subscription: only subscribed clients get pushes)…
    if let (Some(emu), Some(other)) = (&emulator, &other) {
        for _ in 0..3000 {
            let state = emu.state();
            let sessions = state["sessions"].as_array().cloned().unwrap_or_default();
            if sessions.iter().any(|s| s["subscribed"] == true) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        emu.inject_message(&group_id, other, "Hi from the emulator 👋")
            .map_err(|e| e.to_string())?;
    }
    // …and we send one, which the server pushes back to us too.
    let sent = client
        .send_chat_message(SendChatMessageRequest {
            event_request_header: Some(Box::new(EventRequestHeader {
                conversation_id: Some(ConversationId {
                    id: Some(group_id.clone()),
                }),
                ..Default::default()
            })),
            message_content: Some(Box::new(MessageContent {
                segment: vec![Segment {
                    text: Some("Hello from hangups-rs!".into()),
                    ..Default::default()
                }],
                ..Default::default()
            })),
            ..Default::default()
        })
        .await
        .map_err(|e| e.to_string())?;
    let sent_id = sent
        .created_event
        .and_then(|e| e.event_id)
        .unwrap_or_default();
    println!("sent message {sent_id}");

    let mut got_own = false;
    let mut got_other = emulator.is_none() || other.is_none();
    while !(got_own && got_other) {
        if let Event::StateUpdate(update) = next(&mut events).await? {
            if let StateUpdateKind::EventNotification(n) = &update.state_update {
                let Some(ev) = &n.event else { continue };
                let sender = ev
                    .sender_id
                    .as_ref()
                    .and_then(|s| s.gaia_id.clone())
                    .unwrap_or_default();
                let who = names.get(&sender).cloned().unwrap_or(sender.clone());
                println!("message from {who}: {}", text_of(ev));
                got_own |= ev.event_id.as_deref() == Some(sent_id.as_str());
                got_other |= sender != my_id;
            }
        }
    }
    client.disconnect().await;
    while let Ok(ev) = next(&mut events).await {
        if let Event::Closed { error } = ev {
            println!(
                "disconnected{}",
                error.map(|e| format!(": {e}")).unwrap_or_default()
            );
            break;
        }
    }
    if let Some(emu) = emulator {
        emu.shutdown();
    }
    Ok(())
}

async fn next(events: &mut hangups_tokio::Events) -> Result<Event, String> {
    match tokio::time::timeout(Duration::from_secs(30), events.next()).await {
        Ok(Some(ev)) => Ok(ev),
        Ok(None) => Err("the client closed".into()),
        Err(_) => Err("nothing happened for 30 s".into()),
    }
}

/// The text of a chat message event.
fn text_of(ev: &hangups_proto::hangouts::Event) -> String {
    let segments = ev
        .chat_message
        .as_ref()
        .and_then(|c| c.message_content.as_ref())
        .map(|m| m.segment.as_slice())
        .unwrap_or(&[]);
    segments.iter().filter_map(|s| s.text.as_deref()).collect()
}

/// A session for the default user from an emulator's control API
/// (`POST /_emulator/session`), over plain HTTP.
fn fetch_session(url: &str) -> Result<Cookies, String> {
    let authority = url
        .strip_prefix("http://")
        .ok_or("--url must be http://HOST:PORT (the control API is fetched over plain HTTP)")?;
    let authority = authority.trim_end_matches('/');
    let mut stream =
        std::net::TcpStream::connect(authority).map_err(|e| format!("{authority}: {e}"))?;
    write!(stream, "POST /_emulator/session HTTP/1.1\r\nHost: {authority}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").map_err(|e| e.to_string())?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .map_err(|e| e.to_string())?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b)
        .ok_or("bad response")?;
    let json: serde_json::Value =
        serde_json::from_str(body).map_err(|e| format!("bad session JSON: {e}"))?;
    let cookies = json["cookies"]
        .as_array()
        .ok_or("no cookies in the session")?;
    Ok(cookies
        .iter()
        .filter_map(|c| Some((c[0].as_str()?.to_string(), c[1].as_str()?.to_string())))
        .collect())
}
