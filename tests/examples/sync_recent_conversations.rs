//! hangups' `sync_recent_conversations` example: SyncRecentConversations,
//! one line per conversation.
//!
//! ```text
//! cargo run -p hangups-tests --example sync_recent_conversations [-- --url http://127.0.0.1:PORT]
//! ```

#[path = "common/mod.rs"]
mod common;

use hangups_tokio::proto::hangouts::{SyncFilter, SyncRecentConversationsRequest};

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    common::exit(run().await)
}

async fn run() -> common::Result<()> {
    let args = common::Args::parse_opts(
        "prints SyncRecentConversations, one line per conversation",
        &[],
    )?;
    let session = common::connect(&args).await?;
    let recent = session
        .client
        .sync_recent_conversations(SyncRecentConversationsRequest {
            max_conversations: Some(20),
            max_events_per_conversation: Some(1),
            sync_filter: vec![SyncFilter::SYNC_FILTER_INBOX],
            ..Default::default()
        })
        .await?;
    println!("{} conversations", recent.conversation_state.len());
    for state in &recent.conversation_state {
        let conv = state.conversation.clone().unwrap_or_default();
        let id = conv.conversation_id.and_then(|c| c.id).unwrap_or_default();
        let names: Vec<String> = conv
            .participant_data
            .iter()
            .filter_map(|p| p.fallback_name.clone())
            .collect();
        let last = state.event.last().map(common::text_of).unwrap_or_default();
        println!(
            "  {id} {:?} [{}] last: {last:?}",
            conv.name,
            names.join(", ")
        );
    }
    session.close().await;
    Ok(())
}
