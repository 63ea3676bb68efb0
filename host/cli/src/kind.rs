//! `granary kind push|ls|rm|rollback`: manage a node's grain kinds.

use super::client::{Connection, status_line};
use super::{duration, table};
use anyhow::Context;
use granary::proto::api::{
    DescribeKindRequest, KindHeader, KindHosts, KindInfo, KindRoles, KindSettings, KindTopics, ListKindsRequest,
    PushKindChunk, RemoveKindRequest, RollbackKindRequest, push_kind_chunk::Part,
};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tokio_stream::StreamExt;

/// Bytes per upload message.
const CHUNK: usize = 256 * 1024;
/// How long a push waits by default: upload, check and compile.
const PUSH_TIMEOUT: Duration = Duration::from_secs(600);

#[derive(clap::Subcommand)]
pub enum KindCommand {
    /// Upload a component as kind NAME (replacing it is a hot reload).
    Push(PushArgs),
    /// List the node's kinds.
    Ls(LsArgs),
    /// Remove a kind; its grains deactivate.
    Rm(NameArgs),
    /// Make the previous version of a kind current again.
    Rollback(NameArgs),
    /// Print the interface a typed kind exports, as WIT.
    Describe(DescribeArgs),
}

#[derive(clap::Args)]
pub struct AdminToken {
    /// Bearer token, needed when the node was started with an admin token.
    #[arg(long, env = "GRANARY_ADMIN_TOKEN", hide_env_values = true)]
    token: Option<String>,
}

#[derive(clap::Args)]
pub struct PushArgs {
    name: String,
    file: PathBuf,
    /// Deactivate grains after this long without a message (e.g. 60s).
    #[arg(long, value_parser = duration::parse)]
    idle_timeout: Option<Duration>,
    /// Linear memory cap per grain (e.g. 64MiB).
    #[arg(long)]
    max_memory: Option<bytesize::ByteSize>,
    /// Wall-clock limit per message (e.g. 5s).
    #[arg(long, value_parser = duration::parse)]
    time_limit: Option<Duration>,
    /// Host the kind's grains only on cluster members carrying all these roles
    /// (`--roles ""` clears them; absent keeps the current roles).
    #[arg(long, value_delimiter = ',')]
    roles: Option<Vec<String>>,
    /// Most live activations of the kind on one member; past it the least recently used idle
    /// one deactivates (`0` removes the limit; absent keeps the current one).
    #[arg(long)]
    max_live: Option<u32>,
    /// Largest state one save may write (e.g. 1MiB; the node's --max-state unless set).
    #[arg(long)]
    max_state: Option<bytesize::ByteSize>,
    /// Let the kind's grains send HTTP requests (wasi:http) to these hosts only, each `HOST`
    /// (any port) or `HOST:PORT` (`--allow-http ""` clears them; absent keeps the current ones).
    #[arg(long, value_delimiter = ',')]
    allow_http: Option<Vec<String>>,
    /// Deliver the events of these topics to the kind's grains, each `TOPIC` (the grain is the
    /// event's key) or `TOPIC:FIELD` (the grain is the string at that field of the event's
    /// JSON payload); `--subscribe ""` clears them, absent keeps the current ones.
    #[arg(long, value_delimiter = ',')]
    subscribe: Option<Vec<String>>,
    /// Replace a typed kind even when the new version removes or changes one of its functions
    /// (a compatible version keeps every function with the same parameters and result).
    #[arg(long)]
    force: bool,
    #[command(flatten)]
    connection: Connection,
    #[command(flatten)]
    admin: AdminToken,
}

#[derive(clap::Args)]
pub struct LsArgs {
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    connection: Connection,
}

#[derive(clap::Args)]
pub struct DescribeArgs {
    name: String,
    /// Describe this version (or a prefix of it) instead of the current one.
    #[arg(long)]
    version: Option<String>,
    #[command(flatten)]
    connection: Connection,
}

#[derive(clap::Args)]
pub struct NameArgs {
    name: String,
    #[command(flatten)]
    connection: Connection,
    #[command(flatten)]
    admin: AdminToken,
}

pub async fn run(command: KindCommand) -> anyhow::Result<()> {
    match command {
        KindCommand::Push(args) => push(args).await,
        KindCommand::Ls(args) => ls(args).await,
        KindCommand::Rm(args) => rm(args).await,
        KindCommand::Rollback(args) => rollback(args).await,
        KindCommand::Describe(args) => describe(args).await,
    }
}

fn millis(duration: Option<Duration>) -> u64 {
    duration.map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn short(version: &str) -> &str {
    &version[..version.len().min(12)]
}

async fn push(args: PushArgs) -> anyhow::Result<()> {
    let bytes = std::fs::read(&args.file).with_context(|| format!("cannot read {}", args.file.display()))?;
    let total = bytes.len() as u64;
    let header = KindHeader {
        name: args.name.clone(),
        settings: Some(KindSettings {
            idle_timeout_ms: millis(args.idle_timeout),
            max_memory_bytes: args.max_memory.map_or(0, |size| size.as_u64()),
            time_limit_ms: millis(args.time_limit),
            roles: args
                .roles
                .as_ref()
                .map(|roles| KindRoles { names: roles.iter().filter(|role| !role.is_empty()).cloned().collect() }),
            max_live: args.max_live,
            max_state_bytes: args.max_state.map_or(0, |size| size.as_u64()),
            allow_http: args
                .allow_http
                .as_ref()
                .map(|hosts| KindHosts { hosts: hosts.iter().filter(|host| !host.is_empty()).cloned().collect() }),
            subscribe: args.subscribe.as_ref().map(|topics| KindTopics {
                topics: topics.iter().filter(|topic| !topic.is_empty()).cloned().collect(),
            }),
        }),
        total_bytes: total,
        force: args.force,
    };
    let progress = ProgressBar::new(total).with_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes}")
            .expect("valid progress template")
            .progress_chars("=> "),
    );
    progress.set_message(format!("uploading {}", args.name));
    let uploading = progress.clone();
    let chunks: Vec<PushKindChunk> = std::iter::once(PushKindChunk { part: Some(Part::Header(header)) })
        .chain(bytes.chunks(CHUNK).map(|chunk| PushKindChunk { part: Some(Part::Data(chunk.to_vec())) }))
        .collect();
    let stream = tokio_stream::iter(chunks).map(move |chunk| {
        if let Some(Part::Data(data)) = &chunk.part {
            uploading.inc(data.len() as u64);
            if uploading.position() == total {
                uploading
                    .set_style(ProgressStyle::with_template("{spinner} {msg} ({elapsed})").expect("valid template"));
                uploading.set_message("uploaded; checking and compiling");
                uploading.enable_steady_tick(Duration::from_millis(120));
            }
        }
        chunk
    });
    let started = Instant::now();
    let request = args.connection.request_waiting(stream, args.admin.token.as_deref(), PUSH_TIMEOUT)?;
    let result = args.connection.kinds().await?.push_kind(request).await;
    progress.finish_and_clear();
    let reply = result.map_err(status_line)?.into_inner();
    let version = reply.kind.as_ref().map_or("?", |kind| short(&kind.version));
    if reply.unchanged {
        println!("{} is already at version {version}: unchanged", args.name);
    } else {
        println!(
            "{} is now at version {version} ({} bytes, compiled in {:.1}s, pushed in {:.1}s)",
            args.name,
            total,
            reply.compile_ms as f64 / 1000.0,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

fn kind_row(kind: &KindInfo) -> Vec<String> {
    let settings = kind.settings.clone().unwrap_or_default();
    vec![
        kind.name.clone(),
        short(&kind.version).to_string(),
        kind.active_grains.to_string(),
        humantime::format_duration(Duration::from_millis(settings.idle_timeout_ms)).to_string(),
        bytesize::ByteSize(settings.max_memory_bytes).to_string(),
        humantime::format_duration(Duration::from_millis(settings.time_limit_ms)).to_string(),
        kind.previous_versions.len().to_string(),
        match settings.max_live {
            None | Some(0) => "-".to_string(),
            Some(max_live) => max_live.to_string(),
        },
        bytesize::ByteSize(settings.max_state_bytes).to_string(),
        settings.roles.map(|roles| roles.names.join(",")).unwrap_or_default(),
        settings.allow_http.map(|hosts| hosts.hosts.join(",")).unwrap_or_default(),
        settings.subscribe.map(|topics| topics.topics.join(",")).unwrap_or_default(),
    ]
}

async fn ls(args: LsArgs) -> anyhow::Result<()> {
    let request = args.connection.request(ListKindsRequest {}, None)?;
    let kinds = args.connection.kinds().await?.list_kinds(request).await.map_err(status_line)?.into_inner().kinds;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&kinds)?);
    } else {
        let header = [
            "NAME",
            "VERSION",
            "ACTIVE",
            "IDLE-TIMEOUT",
            "MAX-MEMORY",
            "TIME-LIMIT",
            "EARLIER",
            "MAX-LIVE",
            "MAX-STATE",
            "ROLES",
            "ALLOW-HTTP",
            "SUBSCRIBE",
        ];
        table::print(&header, kinds.iter().map(kind_row));
    }
    Ok(())
}

async fn rm(args: NameArgs) -> anyhow::Result<()> {
    let request =
        args.connection.request(RemoveKindRequest { name: args.name.clone() }, args.admin.token.as_deref())?;
    args.connection.kinds().await?.remove_kind(request).await.map_err(status_line)?;
    println!("{} removed", args.name);
    Ok(())
}

async fn rollback(args: NameArgs) -> anyhow::Result<()> {
    let request =
        args.connection.request(RollbackKindRequest { name: args.name.clone() }, args.admin.token.as_deref())?;
    let reply = args.connection.kinds().await?.rollback_kind(request).await.map_err(status_line)?.into_inner();
    let version = reply.kind.as_ref().map_or("?", |kind| short(&kind.version));
    println!("{} is back at version {version}", args.name);
    Ok(())
}

async fn describe(args: DescribeArgs) -> anyhow::Result<()> {
    let request = DescribeKindRequest { name: args.name.clone(), version: args.version.unwrap_or_default() };
    let request = args.connection.request(request, None)?;
    let reply = args.connection.kinds().await?.describe_kind(request).await.map_err(status_line)?.into_inner();
    if reply.typed {
        print!("{}", reply.wit);
        if !reply.wit.ends_with('\n') {
            println!();
        }
        Ok(())
    } else {
        anyhow::bail!(
            "{} (version {}) is not a typed kind: it exports `handle`, which takes any method and bytes",
            reply.name,
            short(&reply.version)
        )
    }
}
