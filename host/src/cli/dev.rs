//! `granary dev`: one node with embedded defaults (redb state, single-node membership),
//! serving gRPC and HTTP until Ctrl-C or SIGTERM.

use super::duration;
use super::serve::{bind, serve};
use crate::api::auth::Tokens;
use crate::config::{KindSettingsUpdate, NodeConfig};
use crate::ids::NodeId;
use crate::node::Node;
use anyhow::Context;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(clap::Args)]
pub struct DevArgs {
    /// Where state, modules and compiled artifacts are kept.
    #[arg(long, default_value = ".granary")]
    data_dir: PathBuf,
    /// Push every NAME.wasm in this directory as kind NAME at start.
    #[arg(long)]
    kinds: Option<PathBuf>,
    /// gRPC address to listen on.
    #[arg(long, default_value = "127.0.0.1:7070")]
    listen: String,
    /// HTTP/JSON gateway address to listen on.
    #[arg(long, default_value = "127.0.0.1:7080")]
    http: String,
    /// Receive timeout of the kinds pushed from --kinds.
    #[arg(long, value_parser = duration::parse)]
    idle_timeout: Option<Duration>,
    /// Largest component accepted as a kind.
    #[arg(long, default_value = "64MiB")]
    max_module_size: bytesize::ByteSize,
    /// Require this bearer token to push, remove or roll back kinds.
    #[arg(long, env = "GRANARY_ADMIN_TOKEN", hide_env_values = true)]
    admin_token: Option<String>,
    /// Require this bearer token to call or send to grains.
    #[arg(long, env = "GRANARY_CALL_TOKEN", hide_env_values = true)]
    call_token: Option<String>,
}

pub async fn run(args: DevArgs) -> anyhow::Result<()> {
    let grpc_listener = bind(&args.listen).await?;
    let http_listener = bind(&args.http).await?;
    let grpc_address = grpc_listener.local_addr()?;
    let config = NodeConfig {
        max_module_bytes: usize::try_from(args.max_module_size.as_u64()).context("--max-module-size is too large")?,
        ..NodeConfig::new(&args.data_dir)
    };
    let node = Arc::new(Node::start(config, NodeId(grpc_address.to_string()))?);
    for kind in node.kinds().list() {
        tracing::info!(kind = kind.name, version = &kind.version[..12], "kind restored");
    }
    if let Some(dir) = &args.kinds {
        let update = KindSettingsUpdate { idle_timeout: args.idle_timeout, ..KindSettingsUpdate::default() };
        for pushed in node.push_kinds_dir(dir, &update).await? {
            let kind = &pushed.kind;
            tracing::info!(
                kind = kind.name(),
                version = &kind.version()[..12],
                unchanged = pushed.unchanged,
                "kind loaded"
            );
        }
    }
    let tokens = Tokens { admin: args.admin_token, call: args.call_token };
    serve(node, tokens, grpc_listener, Some(http_listener)).await
}
