//! hangups' `query_presence` example: the presence of a user.
//!
//! ```text
//! cargo run -p hangups-tests --example query_presence -- \
//!     [--user-id GAIA] [--url http://127.0.0.1:PORT]
//! ```
//!
//! Default: Grace of the emulator's world.

#[path = "common/mod.rs"]
mod common;

use common::Opt;

use hangups_tokio::proto::hangouts::{FieldMask, ParticipantId, QueryPresenceRequest};

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    common::exit(run().await)
}

async fn run() -> common::Result<()> {
    let args = common::Args::parse_opts(
        "prints the presence of a user",
        &[Opt::value("--user-id", "GAIA", "the user (default: Grace)")],
    )?;
    let user = args.or("--user-id", common::GRACE);
    let session = common::connect(&args).await?;
    let response = session
        .client
        .query_presence(QueryPresenceRequest {
            participant_id: vec![ParticipantId {
                gaia_id: Some(user.clone()),
                chat_id: Some(user),
            }],
            field_mask: vec![
                FieldMask::FIELD_MASK_REACHABLE,
                FieldMask::FIELD_MASK_AVAILABLE,
                FieldMask::FIELD_MASK_DEVICE,
            ],
            ..Default::default()
        })
        .await?;
    for result in &response.presence_result {
        let presence = result.presence.clone().unwrap_or_default();
        let id = result.user_id.as_ref().and_then(|i| i.gaia_id.clone());
        println!(
            "presence of {}: reachable={:?} available={:?}",
            id.unwrap_or_default(),
            presence.reachable,
            presence.available
        );
        println!("{presence:#?}");
    }
    session.close().await;
    Ok(())
}
