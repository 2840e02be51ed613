//! hangups' `enable_group_link_sharing` example: turns link sharing on
//! for a group and prints its join URL.
//!
//! ```text
//! cargo run -p hangups-tests --example enable_group_link_sharing -- \
//!     [--conversation-id ID] [--url http://127.0.0.1:PORT]
//! ```
//!
//! Default: the emulator's group conversation.

#[path = "common/mod.rs"]
mod common;

use common::Opt;

use hangups_tokio::proto::hangouts::{
    GetGroupConversationUrlRequest, GroupLinkSharingStatus, SetGroupLinkSharingEnabledRequest,
};

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    common::exit(run().await)
}

async fn run() -> common::Result<()> {
    let args = common::Args::parse_opts(
        "turns link sharing on for a group and prints its join URL",
        &[Opt::value(
            "--conversation-id",
            "ID",
            "the group (default: the emulator's)",
        )],
    )?;
    let conversation = args.or("--conversation-id", common::GROUP);
    let session = common::connect(&args).await?;
    session
        .client
        .set_group_link_sharing_enabled(SetGroupLinkSharingEnabledRequest {
            event_request_header: common::event_header(&conversation).map(Box::new),
            group_link_sharing_status: Some(GroupLinkSharingStatus::GROUP_LINK_SHARING_STATUS_ON),
            ..Default::default()
        })
        .await?;
    println!("enabled group link sharing for conversation {conversation}");
    let url = session
        .client
        .get_group_conversation_url(GetGroupConversationUrlRequest {
            conversation_id: common::conversation_id(&conversation),
            ..Default::default()
        })
        .await?;
    println!(
        "group link: {}",
        url.group_conversation_url.unwrap_or_default()
    );
    session.close().await;
    Ok(())
}
