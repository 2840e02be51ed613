//! hangups' `send_message` example: sends a text message.
//!
//! ```text
//! cargo run -p hangups-tests --example send_message -- \
//!     [--conversation-id ID] [--message-text TEXT] [--url http://127.0.0.1:PORT]
//! ```
//!
//! Defaults: the emulator's group conversation, "Hello from hangups-rs!".
//! An empty or blank `--message-text` is refused (exit status 2).

#[path = "common/mod.rs"]
mod common;

use common::Opt;

use hangups_tokio::proto::hangouts::{MessageContent, Segment, SendChatMessageRequest};

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    common::exit(run().await)
}

async fn run() -> common::Result<()> {
    let args = common::Args::parse_opts(
        "sends a text message",
        &[
            Opt::value(
                "--conversation-id",
                "ID",
                "the conversation (default: the group)",
            ),
            Opt::value("--message-text", "TEXT", "the message (not empty)"),
        ],
    )?;
    let conversation = args.or("--conversation-id", common::GROUP);
    let text = args.or("--message-text", "Hello from hangups-rs!");
    let session = common::connect(&args).await?;
    let sent = session
        .client
        .send_chat_message(SendChatMessageRequest {
            event_request_header: common::event_header(&conversation).map(Box::new),
            message_content: Some(Box::new(MessageContent {
                segment: vec![Segment {
                    text: Some(text),
                    ..Default::default()
                }],
                ..Default::default()
            })),
            ..Default::default()
        })
        .await?;
    let event = sent.created_event.unwrap_or_default();
    println!(
        "sent message {} to {conversation}: {:?}",
        event.event_id.clone().unwrap_or_default(),
        common::text_of(&event)
    );
    session.close().await;
    Ok(())
}
