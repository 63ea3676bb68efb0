//! `granary cluster status`: members, their status and roles, and live grains per kind.

use super::client::{Connection, status_line};
use super::table;
use granary::proto::api::ClusterStatusRequest;

#[derive(clap::Subcommand)]
pub enum ClusterCommand {
    /// Members as the node sees them, with live grains per member and kind.
    Status(StatusArgs),
}

#[derive(clap::Args)]
pub struct StatusArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    connection: Connection,
}

pub async fn run(command: ClusterCommand) -> anyhow::Result<()> {
    let ClusterCommand::Status(args) = command;
    let request = args.connection.request(ClusterStatusRequest {}, None)?;
    let status = args.connection.node().await?.cluster_status(request).await.map_err(status_line)?.into_inner();
    if args.json {
        println!("{}", serde_json::to_string_pretty(&status)?);
        return Ok(());
    }
    println!("cluster {} ({}), asked {}", status.cluster, status.provider, status.self_id);
    let rows = status.members.iter().map(|member| {
        let mut kinds: Vec<_> = member.grains_per_kind.iter().collect();
        kinds.sort();
        let grains = match &member.unreachable {
            None => kinds.iter().map(|(kind, n)| format!("{kind}={n}")).collect::<Vec<_>>().join(" "),
            Some(why) => format!("({why})"),
        };
        vec![
            member.id.clone(),
            member.peer_address.clone().unwrap_or_else(|| "-".into()),
            member.status.clone(),
            member.roles.join(","),
            if member.hosting { "yes" } else { "no" }.to_string(),
            grains,
        ]
    });
    table::print(&["MEMBER", "PEER ADDRESS", "STATUS", "ROLES", "HOSTING", "GRAINS"], rows);
    Ok(())
}
