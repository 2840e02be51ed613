//! hangups' `set_presence` example: sets the self user's presence to
//! desktop-active, then queries it back.
//!
//! ```text
//! cargo run -p hangups-tests --example set_presence -- \
//!     [--timeout-secs N] [--url http://127.0.0.1:PORT]
//! ```
//!
//! Default: 720 s, as hangups.

#[path = "common/mod.rs"]
mod common;

use common::Opt;

use hangups_tokio::proto::hangouts::{
    ClientPresenceStateType, GetSelfInfoRequest, ParticipantId, PresenceStateSetting,
    QueryPresenceRequest, SetPresenceRequest,
};

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    common::exit(run().await)
}

async fn run() -> common::Result<()> {
    let args = common::Args::parse_opts(
        "sets the self user's presence to desktop-active and queries it back",
        &[Opt::value(
            "--timeout-secs",
            "N",
            "for how long (default 720)",
        )],
    )?;
    let timeout_secs: u64 = args.parsed("--timeout-secs", 720)?;
    let session = common::connect(&args).await?;
    let client = &session.client;
    client
        .set_presence(SetPresenceRequest {
            presence_state_setting: Some(PresenceStateSetting {
                timeout_secs: Some(timeout_secs),
                r#type: Some(ClientPresenceStateType::CLIENT_PRESENCE_STATE_DESKTOP_ACTIVE),
            }),
            ..Default::default()
        })
        .await?;
    println!("set presence: desktop active for {timeout_secs} s");
    let me = client.get_self_info(GetSelfInfoRequest::default()).await?;
    let id: Option<ParticipantId> = me.self_entity.and_then(|e| e.id);
    let presence = client
        .query_presence(QueryPresenceRequest {
            participant_id: id.into_iter().collect(),
            ..Default::default()
        })
        .await?;
    for result in presence.presence_result {
        let p = result.presence.unwrap_or_default();
        println!(
            "self presence: reachable={:?} available={:?}",
            p.reachable, p.available
        );
    }
    session.close().await;
    Ok(())
}
