//! hangups' `create_group_conversation` example: a new group with the
//! given users.
//!
//! ```text
//! cargo run -p hangups-tests --example create_group_conversation -- \
//!     [--user-ids GAIA,GAIA] [--conversation-name NAME] [--url http://127.0.0.1:PORT]
//! ```
//!
//! `--gaia-ids` is hangups' name for `--user-ids`. Defaults: Grace and
//! Alan of the emulator's world, "hangups-rs example group".

#[path = "common/mod.rs"]
mod common;

use common::Opt;

use hangups_tokio::proto::hangouts::{ConversationType, CreateConversationRequest, InviteeID};

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    common::exit(run().await)
}

async fn run() -> common::Result<()> {
    let args = common::Args::parse_opts(
        "creates a group with the given users",
        &[
            Opt::value(
                "--user-ids",
                "GAIA,GAIA",
                "the users (default: Grace and Alan)",
            ),
            Opt::value("--gaia-ids", "GAIA,GAIA", "hangups' name for --user-ids"),
            Opt::value("--conversation-name", "NAME", "the group's name"),
        ],
    )?;
    let default_ids = format!("{},{}", common::GRACE, common::ALAN);
    let ids = args
        .get("--user-ids")
        .or(args.get("--gaia-ids"))
        .unwrap_or(&default_ids)
        .to_string();
    let name = args.or("--conversation-name", "hangups-rs example group");
    let session = common::connect(&args).await?;
    let created = session
        .client
        .create_conversation(CreateConversationRequest {
            r#type: Some(ConversationType::CONVERSATION_TYPE_GROUP),
            name: Some(name),
            invitee_id: ids
                .split(',')
                .filter(|id| !id.is_empty())
                .map(|id| InviteeID {
                    gaia_id: Some(id.trim().to_string()),
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        })
        .await?;
    let conv = created.conversation.unwrap_or_default();
    let participants: Vec<String> = conv
        .participant_data
        .iter()
        .filter_map(|p| p.fallback_name.clone())
        .collect();
    println!(
        "created conversation {} {:?} with {}",
        conv.conversation_id.and_then(|c| c.id).unwrap_or_default(),
        conv.name.unwrap_or_default(),
        participants.join(", ")
    );
    session.close().await;
    Ok(())
}
