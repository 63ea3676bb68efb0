//! `granary dev`: one node with embedded defaults (redb state, single-node membership, no peer
//! port), serving gRPC and HTTP until Ctrl-C or SIGTERM.

use super::duration;
use super::serve::{ServeFlags, bind, serve};
use granary::config::KindSettingsUpdate;
use granary::ids::NodeId;
use granary::node::Node;
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
    #[command(flatten)]
    serving: ServeFlags,
}

pub async fn run(args: DevArgs) -> anyhow::Result<()> {
    let grpc_listener = bind(&args.listen).await?;
    let http_listener = bind(&args.http).await?;
    let grpc_address = grpc_listener.local_addr()?;
    let config = args.serving.node_config(&args.data_dir)?;
    let node = Arc::new(Node::start(config, NodeId(grpc_address.to_string()))?);
    for kind in node.kinds().list() {
        tracing::info!(kind = kind.name.as_str(), version = kind.version.short(), "kind restored");
    }
    if let Some(dir) = &args.kinds {
        // The directory is what the developer wants running, whatever its interfaces became.
        let update =
            KindSettingsUpdate { idle_timeout: args.idle_timeout, force: true, ..KindSettingsUpdate::default() };
        for pushed in node.push_kinds_dir(dir, &update).await? {
            let kind = &pushed.kind;
            tracing::info!(
                kind = kind.name().as_str(),
                version = kind.version().short(),
                unchanged = pushed.unchanged,
                "kind loaded"
            );
        }
    }
    let public_tls = args.serving.tls_cert.is_some();
    serve(node, args.serving, public_tls, grpc_listener, Some(http_listener)).await
}
