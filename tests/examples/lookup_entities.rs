//! hangups' `lookup_entities` example: GetEntityById for an email
//! address, a phone number or a gaia id.
//!
//! ```text
//! cargo run -p hangups-tests --example lookup_entities -- \
//!     [--email ADDR] [--phone +NUMBER] [--gaia-id ID] [--entity-identifier X] [--url http://127.0.0.1:PORT]
//! ```
//!
//! `--entity-identifier` is hangups' form: `+…` is a phone number, one
//! with `@` an email address, anything else a gaia id. Every option may
//! be repeated. Default: `--email grace@example.com --gaia-id` Alan's id.

#[path = "common/mod.rs"]
mod common;

use common::Opt;

use hangups_tokio::proto::hangouts::{EntityLookupSpec, GetEntityByIdRequest};

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    common::exit(run().await)
}

async fn run() -> common::Result<()> {
    let args = common::Args::parse_opts(
        "looks up entities by email address, phone number or gaia id",
        &[
            Opt::value("--email", "ADDR", "an email address (repeatable)"),
            Opt::value("--phone", "+NUMBER", "a phone number (repeatable)"),
            Opt::value("--gaia-id", "ID", "a gaia id (repeatable)"),
            Opt::value(
                "--entity-identifier",
                "X",
                "hangups' form: +phone, email or gaia id",
            ),
        ],
    )?;
    let mut specs: Vec<EntityLookupSpec> = args
        .all()
        .filter_map(|(name, value)| {
            let kind = match name {
                "--entity-identifier" if value.starts_with('+') => "--phone",
                "--entity-identifier" if value.contains('@') => "--email",
                "--entity-identifier" => "--gaia-id",
                other => other,
            };
            spec(kind, value)
        })
        .collect();
    if specs.is_empty() {
        specs = vec![
            spec("--email", "grace@example.com").unwrap_or_default(),
            spec("--gaia-id", common::ALAN).unwrap_or_default(),
        ];
    }
    let session = common::connect(&args).await?;
    let response = session
        .client
        .get_entity_by_id(GetEntityByIdRequest {
            batch_lookup_spec: specs,
            ..Default::default()
        })
        .await?;
    for result in &response.entity_result {
        let spec = result.lookup_spec.clone().unwrap_or_default();
        let key = [spec.email, spec.phone, spec.gaia_id];
        let key = key.into_iter().flatten().collect::<Vec<_>>().join(" ");
        println!("{key}: {} entities", result.entity.len());
        for entity in &result.entity {
            let props = entity.properties.clone().unwrap_or_default();
            let gaia = entity.id.as_ref().and_then(|i| i.gaia_id.clone());
            println!(
                "  entity {} {:?}",
                gaia.unwrap_or_default(),
                props.display_name.unwrap_or_default()
            );
        }
    }
    session.close().await;
    Ok(())
}

/// The lookup of one option's value.
fn spec(kind: &str, value: &str) -> Option<EntityLookupSpec> {
    let (mut spec, value) = (EntityLookupSpec::default(), Some(value.to_string()));
    match kind {
        "--email" => spec.email = value,
        "--phone" => spec.phone = value,
        "--gaia-id" => spec.gaia_id = value,
        _ => return None,
    }
    spec.create_offnetwork_gaia = (kind != "--gaia-id").then_some(true);
    Some(spec)
}
