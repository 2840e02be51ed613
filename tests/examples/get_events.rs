//! hangups' `get_events` example: pages a conversation's history back
//! with the adapter's `Conversation::get_events` (which fetches older
//! events from the server once the loaded ones run out), then prints it
//! oldest first.
//!
//! ```text
//! cargo run -p hangups-tests --example get_events -- \
//!     [--conversation-id ID] [--max-events N] [--pages N] [--url http://127.0.0.1:PORT]
//! ```
//!
//! Defaults: the emulator's one-to-one conversation, pages of 2 events, 3 pages.

#[path = "common/mod.rs"]
mod common;

use common::Opt;

use hangups_tokio::proto::hangouts::EventContinuationToken;
use hangups_tokio::ConversationEvent;

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    common::exit(run().await)
}

async fn run() -> common::Result<()> {
    let args = common::Args::parse_opts(
        "pages a conversation's history back and prints it oldest first",
        &[
            Opt::value(
                "--conversation-id",
                "ID",
                "the conversation (default: the one-to-one)",
            ),
            Opt::value("--max-events", "N", "events per page (default 2)"),
            Opt::value("--pages", "N", "how many pages (default 3, at most 1000)"),
        ],
    )?;
    let conversation_id = args.or("--conversation-id", common::ONE_TO_ONE);
    let max_events: usize = args.parsed("--max-events", 2)?;
    let pages: usize = args.parsed("--pages", 3)?;
    if pages > 1000 {
        let reason = "at most 1000 pages";
        return Err(common::CliError::invalid("--pages", &pages.to_string(), reason).into());
    }
    let session = common::connect(&args).await?;
    let (list, _notifications, emulator) = common::build_conversation_list(session).await?;
    let conv = list
        .get(&conversation_id)
        .ok_or(format!("conversation {conversation_id:?} not found"))?;
    let mut all: Vec<ConversationEvent> = Vec::new();
    for _ in 0..pages {
        let before = all.first().map(|e| e.id().to_string());
        // With the oldest loaded event, get_events asks the server for
        // older ones; without a continuation token there are none (the
        // request would return the newest events again).
        let oldest = conv.with(|c| c.events().first().map(|e| e.id().to_string()));
        let no_token = conv.with(|c| {
            c.continuation_token()
                .is_none_or(|t| *t == EventContinuationToken::default())
        });
        if before.is_some() && oldest.flatten() == before && no_token == Some(true) {
            println!("no older events");
            break;
        }
        let loaded = conv.with(|c| c.events().len()).unwrap_or(0);
        let page = conv.get_events(before.as_deref(), max_events).await?;
        if conv.with(|c| c.events().len()).unwrap_or(0) > loaded {
            println!("fetched older events from the server");
        }
        if page.is_empty() {
            break;
        }
        all.splice(0..0, page);
    }
    println!("{} events of {conversation_id}, oldest first:", all.len());
    for event in &all {
        let text = event
            .as_chat_message()
            .map(|m| m.text())
            .unwrap_or_default();
        println!("  {} {:?} {text:?}", event.timestamp(), event.kind());
    }
    common::close_list(list, emulator).await;
    Ok(())
}
