//! hangups' `get_events` example: pages a conversation's history back
//! through `Conversation::get_events` (fetching older events with
//! `history_request` / `apply_history`), then prints it oldest first.
//!
//! ```text
//! cargo run -p hangups-tests --example get_events -- \
//!     [--conversation-id ID] [--max-events N] [--pages N] [--url http://127.0.0.1:PORT]
//! ```
//!
//! Defaults: the emulator's one-to-one conversation, pages of 2 events, 3 pages.

#[path = "common/mod.rs"]
mod common;

use hangups_core::state::{ConversationEvent, GetEvents};
use hangups_tokio::proto::hangouts::EventContinuationToken;

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    common::exit(run().await)
}

async fn run() -> common::Result<()> {
    let args = common::Args::parse(&["--conversation-id", "--max-events", "--pages"])?;
    let conversation_id = args.or("--conversation-id", common::ONE_TO_ONE);
    let max_events: usize = args.parsed("--max-events", 2)?;
    let pages: usize = args.parsed("--pages", 3)?;
    let session = common::connect(&args).await?;
    let mut list = common::build_conversation_list(&session.client).await?;
    let conv = list
        .get_mut(&conversation_id)
        .ok_or(format!("conversation {conversation_id:?} not found"))?;
    let no_token = EventContinuationToken::default();
    let mut all: Vec<ConversationEvent> = Vec::new();
    for _ in 0..pages {
        let before = all.first().map(|e| e.id().to_string());
        let page: Vec<ConversationEvent> = match conv.get_events(before.as_deref(), max_events)? {
            GetEvents::Loaded(events) => events.into_iter().cloned().collect(),
            // No token (or an empty one) means there is no older history:
            // the request would return the newest events again.
            GetEvents::Fetch(_) if conv.continuation_token().is_none_or(|t| *t == no_token) => {
                println!("no older events");
                break;
            }
            GetEvents::Fetch(request) => {
                let response = session.client.get_conversation(*request).await?;
                println!("fetched older events from the server");
                conv.apply_history(&response)
            }
        };
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
    session.close().await;
    Ok(())
}
