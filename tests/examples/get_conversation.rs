//! hangups' `get_conversation` example: GetConversation with its latest
//! events, printed.
//!
//! ```text
//! cargo run -p hangups-tests --example get_conversation -- \
//!     [--conversation-id ID] [--max-events N] [--url http://127.0.0.1:PORT]
//! ```
//!
//! Default: the emulator's one-to-one conversation, 10 events.

#[path = "common/mod.rs"]
mod common;

use common::Opt;

use hangups_tokio::proto::hangouts::{ConversationSpec, GetConversationRequest};

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    common::exit(run().await)
}

async fn run() -> common::Result<()> {
    let args = common::Args::parse_opts(
        "prints a conversation with its latest events",
        &[
            Opt::value(
                "--conversation-id",
                "ID",
                "the conversation (default: the one-to-one)",
            ),
            Opt::value("--max-events", "N", "how many events (default 10)"),
        ],
    )?;
    let conversation = args.or("--conversation-id", common::ONE_TO_ONE);
    let max_events: u64 = args.parsed("--max-events", 10)?;
    let session = common::connect(&args).await?;
    let response = session
        .client
        .get_conversation(GetConversationRequest {
            conversation_spec: Some(ConversationSpec {
                conversation_id: common::conversation_id(&conversation),
            }),
            include_event: Some(true),
            max_events_per_conversation: Some(max_events),
            ..Default::default()
        })
        .await?;
    let state = response.conversation_state.unwrap_or_default();
    let conv = state.conversation.clone().unwrap_or_default();
    println!("conversation {conversation}: {:?}", conv.r#type);
    for p in &conv.participant_data {
        let gaia = p.id.as_ref().and_then(|i| i.gaia_id.clone());
        let name = p.fallback_name.clone().unwrap_or_default();
        println!("  participant {name} ({})", gaia.unwrap_or_default());
    }
    for event in &state.event {
        let sender = event.sender_id.as_ref().and_then(|s| s.gaia_id.clone());
        println!(
            "  event {} from {}: {:?}",
            event.event_id.clone().unwrap_or_default(),
            sender.unwrap_or_default(),
            common::text_of(event)
        );
    }
    session.close().await;
    Ok(())
}
