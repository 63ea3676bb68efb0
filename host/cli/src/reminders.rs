//! `granary reminders ls KIND/ID`: a grain's durable reminders, as the state store holds them.

use super::client::{Connection, status_line};
use super::table;
use granary::ids::GrainId;
use granary::proto::api::{GrainRef, ListRemindersRequest};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

#[derive(clap::Subcommand)]
pub enum RemindersCommand {
    /// List a grain's reminders: when each is next due, its period and next tick.
    Ls(LsArgs),
}

#[derive(clap::Args)]
pub struct LsArgs {
    /// The grain, as kind/identity.
    grain: GrainId,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    connection: Connection,
    /// Bearer token, needed when the node was started with a call token.
    #[arg(long, env = "GRANARY_CALL_TOKEN", hide_env_values = true)]
    token: Option<String>,
}

pub async fn run(command: RemindersCommand) -> anyhow::Result<()> {
    let RemindersCommand::Ls(args) = command;
    let grain = Some(GrainRef { kind: args.grain.kind().to_string(), identity: args.grain.identity().to_string() });
    let request = args.connection.request(ListRemindersRequest { grain }, args.token.as_deref())?;
    let reminders =
        args.connection.grains().await?.list_reminders(request).await.map_err(status_line)?.into_inner().reminders;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&reminders)?);
        return Ok(());
    }
    let now_ms = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_millis() as u64;
    let rows = reminders.iter().map(|reminder| {
        let due_in = Duration::from_millis(reminder.due_unix_ms.saturating_sub(now_ms) / 1000 * 1000);
        let period = if reminder.period_ms == 0 {
            "once".to_string()
        } else {
            humantime::format_duration(Duration::from_millis(reminder.period_ms)).to_string()
        };
        vec![
            reminder.name.clone(),
            humantime::format_duration(due_in).to_string(),
            period,
            reminder.next_tick.to_string(),
        ]
    });
    table::print(&["NAME", "DUE-IN", "PERIOD", "NEXT-TICK"], rows);
    Ok(())
}
