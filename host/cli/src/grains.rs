//! `granary grains ls`: the live activations of a node.

use super::client::{Connection, status_line};
use super::table;
use granary::proto::api::ListGrainsRequest;
use std::time::Duration;

#[derive(clap::Subcommand)]
pub enum GrainsCommand {
    /// List live grains with their version, idle time and memory.
    Ls(LsArgs),
}

#[derive(clap::Args)]
pub struct LsArgs {
    /// Only grains of this kind.
    #[arg(long)]
    kind: Option<String>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    connection: Connection,
}

pub async fn run(command: GrainsCommand) -> anyhow::Result<()> {
    let GrainsCommand::Ls(args) = command;
    let request = args.connection.request(ListGrainsRequest { kind: args.kind.clone().unwrap_or_default() }, None)?;
    let grains = args.connection.grains().await?.list_grains(request).await.map_err(status_line)?.into_inner().grains;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&grains)?);
        return Ok(());
    }
    let rows = grains.iter().map(|grain| {
        let id = grain.grain.as_ref().map_or_else(String::new, |g| format!("{}/{}", g.kind, g.identity));
        vec![
            id,
            grain.version[..grain.version.len().min(12)].to_string(),
            format!("a{}", grain.activation),
            humantime::format_duration(Duration::from_secs(grain.idle_ms / 1000)).to_string(),
            bytesize::ByteSize(grain.memory_bytes).to_string(),
            grain.node.clone(),
        ]
    });
    table::print(&["GRAIN", "VERSION", "ACTIVATION", "IDLE", "MEMORY", "NODE"], rows);
    Ok(())
}
