//! hangups' `set_focus` example: marks a conversation focused.
//!
//! ```text
//! cargo run -p hangups-tests --example set_focus -- \
//!     [--conversation-id ID] [--timeout-secs N] [--url http://127.0.0.1:PORT]
//! ```
//!
//! Defaults: the emulator's one-to-one conversation, 30 s.

#[path = "common/mod.rs"]
mod common;

use common::Opt;

use hangups_tokio::proto::hangouts::{FocusType, SetFocusRequest};

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    common::exit(run().await)
}

async fn run() -> common::Result<()> {
    let args = common::Args::parse_opts(
        "marks a conversation focused",
        &[
            Opt::value(
                "--conversation-id",
                "ID",
                "the conversation (default: the one-to-one)",
            ),
            Opt::value("--timeout-secs", "N", "for how long (default 30)"),
        ],
    )?;
    let conversation = args.or("--conversation-id", common::ONE_TO_ONE);
    let timeout_secs: u32 = args.parsed("--timeout-secs", 30)?;
    let session = common::connect(&args).await?;
    let response = session
        .client
        .set_focus(SetFocusRequest {
            conversation_id: common::conversation_id(&conversation),
            r#type: Some(FocusType::FOCUS_TYPE_FOCUSED),
            timeout_secs: Some(timeout_secs),
            ..Default::default()
        })
        .await?;
    println!("{response:#?}");
    println!("focused conversation {conversation} for {timeout_secs} s");
    session.close().await;
    Ok(())
}
