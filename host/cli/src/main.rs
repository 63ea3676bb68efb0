//! The `granary` binary: run a node or a cluster member, push kinds, call grains, scaffold
//! grain projects, benchmark. One file per command; errors are printed as one line.

mod bench;
mod call;
mod client;
mod cluster;
mod config_file;
mod dev;
mod duration;
mod grains;
mod kind;
mod logging;
mod new;
mod node;
mod publish;
mod reminders;
mod serve;
mod table;
mod templates;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "granary", version, about = "A WebAssembly virtual-actor (grain) platform")]
struct Cli {
    /// How log lines are written: `text`, or `json` (one object per line, with the trace id).
    #[arg(long, global = true, env = "GRANARY_LOG_FORMAT", value_enum, default_value = "text")]
    log_format: logging::LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Start one node with embedded defaults (redb state, single-node membership).
    Dev(Box<dev::DevArgs>),
    /// Start a cluster member: membership provider, shared state, roles.
    Node(Box<node::NodeArgs>),
    /// Inspect the cluster: members, status, roles, grains per member and kind.
    #[command(subcommand)]
    Cluster(cluster::ClusterCommand),
    /// Call a grain and print its reply.
    Call(call::MessageArgs),
    /// Send a one-way message to a grain.
    Send(call::MessageArgs),
    /// Manage grain kinds: push (hot reload), ls, rm, rollback.
    #[command(subcommand)]
    Kind(kind::KindCommand),
    /// Inspect live grains.
    #[command(subcommand)]
    Grains(grains::GrainsCommand),
    /// Publish an event to a topic: every kind subscribed to it receives it.
    Publish(publish::PublishArgs),
    /// Inspect a grain's durable reminders.
    #[command(subcommand)]
    Reminders(reminders::RemindersCommand),
    /// Scaffold a grain project in a language: `granary new python hello`.
    New(new::NewArgs),
    /// Benchmark Granary against raw wasmtime, raw tonic and a native actor library.
    Bench(bench::BenchArgs),
}

impl Cli {
    async fn run(self) -> anyhow::Result<()> {
        match self.command {
            Command::Dev(args) => dev::run(*args).await,
            Command::Node(args) => node::run(*args).await,
            Command::Cluster(command) => cluster::run(command).await,
            Command::Call(args) => call::call(args).await,
            Command::Send(args) => call::send(args).await,
            Command::Kind(command) => kind::run(command).await,
            Command::Grains(command) => grains::run(command).await,
            Command::Publish(args) => publish::run(args).await,
            Command::Reminders(command) => reminders::run(command).await,
            Command::New(args) => new::run(args),
            Command::Bench(args) => bench::run(args).await,
        }
    }
}

/// mimalloc: every call allocates and frees small buffers on several threads, where glibc's
/// allocator cost about a tenth of a node's CPU under load.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = match config_file::with_config_file(std::env::args_os().collect()) {
        Ok(args) => args,
        Err(error) => {
            eprintln!("error: {error:#}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let cli = Cli::parse_from(args);
    logging::init(cli.log_format);
    match cli.run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
