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
mod new;
mod node;
mod serve;
mod table;
mod templates;

use clap::{Parser, Subcommand};
use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(name = "granary", version, about = "A WebAssembly virtual-actor (grain) platform")]
struct Cli {
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
            Command::New(args) => new::run(args),
            Command::Bench(args) => bench::run(args).await,
        }
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
    let args = match config_file::with_config_file(std::env::args_os().collect()) {
        Ok(args) => args,
        Err(error) => {
            eprintln!("error: {error:#}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match Cli::parse_from(args).run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
