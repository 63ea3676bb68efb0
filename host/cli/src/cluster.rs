//! `granary cluster status`: members, their status and roles, live grains per kind, and the
//! leaders; `granary cluster watch`: member events as they happen.

use super::client::{Connection, status_line};
use super::table;
use granary::proto::api::{ClusterEvent, ClusterStatusRequest, WatchClusterRequest};
use std::time::{Duration, UNIX_EPOCH};

#[derive(clap::Subcommand)]
pub enum ClusterCommand {
    /// Members as the node sees them, with live grains per member and kind, and the leaders.
    Status(StatusArgs),
    /// The members, then joined, up, leaving, down and unreachable as they happen (Ctrl-C ends).
    Watch(StatusArgs),
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
    match command {
        ClusterCommand::Status(args) => status(args).await,
        ClusterCommand::Watch(args) => watch(args).await,
    }
}

async fn watch(args: StatusArgs) -> anyhow::Result<()> {
    let request = args.connection.open_ended(WatchClusterRequest {});
    let mut events = args.connection.node().await?.watch_cluster(request).await.map_err(status_line)?.into_inner();
    while let Some(event) = events.message().await.map_err(status_line)? {
        if args.json {
            println!("{}", serde_json::to_string(&event)?);
        } else {
            println!("{}", event_line(&event));
        }
    }
    Ok(())
}

/// `2026-11-30T14:00:00.123Z up 127.0.0.1:7001 roles=a,b leader=127.0.0.1:7000`
fn event_line(event: &ClusterEvent) -> String {
    let at = humantime::format_rfc3339_millis(UNIX_EPOCH + Duration::from_millis(event.at_unix_ms));
    let member = event.member.clone().unwrap_or_default();
    let roles = if member.roles.is_empty() { String::new() } else { format!(" roles={}", member.roles.join(",")) };
    let leader = event.leader.as_deref().unwrap_or("none");
    format!("{at} {:<11} {}{roles} status={} leader={leader}", event.event, member.id, member.status)
}

async fn status(args: StatusArgs) -> anyhow::Result<()> {
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
    let mut roles: Vec<_> = status.role_leaders.iter().map(|(role, leader)| format!("{role}={leader}")).collect();
    roles.sort();
    let per_role = if roles.is_empty() { String::new() } else { format!("; per role: {}", roles.join(" ")) };
    println!("leader: {}{per_role}", status.leader.as_deref().unwrap_or("none (no member is up)"));
    Ok(())
}
