//! `granary dev`: one node with embedded defaults, serving until Ctrl-C or SIGTERM.

use super::duration;
use crate::api::grpc;
use crate::config::NodeConfig;
use crate::ids::NodeId;
use crate::node::Node;
use anyhow::Context;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

#[derive(clap::Args)]
pub struct DevArgs {
    /// Where state and compiled modules are kept.
    #[arg(long, default_value = ".granary")]
    data_dir: PathBuf,
    /// Load every NAME.wasm in this directory as kind NAME.
    #[arg(long)]
    kinds: Option<PathBuf>,
    /// gRPC address to listen on.
    #[arg(long, default_value = "127.0.0.1:7070")]
    listen: String,
    /// Default receive timeout of the kinds loaded from --kinds.
    #[arg(long, value_parser = duration::parse)]
    idle_timeout: Option<Duration>,
}

pub async fn run(args: DevArgs) -> anyhow::Result<()> {
    let mut config = NodeConfig::new(&args.data_dir);
    if let Some(idle) = args.idle_timeout {
        config.default_kind.idle_timeout = idle;
    }
    let listener = TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    let address = listener.local_addr()?;
    let node = Arc::new(Node::start(config, NodeId(address.to_string()))?);
    if let Some(dir) = &args.kinds {
        for kind in node.install_kinds_dir(dir).await? {
            tracing::info!(
                kind = kind.name(),
                version = &kind.version()[..12],
                "kind loaded"
            );
        }
    }
    tracing::info!(data_dir = %args.data_dir.display(), "granary node listening on http://{address}");
    grpc::serve(Arc::clone(&node), listener, shutdown_signal()).await?;
    tracing::info!("stopping: deactivating grains");
    node.shutdown().await;
    tracing::info!("stopped");
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(term) => term,
                Err(e) => {
                    tracing::warn!("cannot watch SIGTERM: {e}");
                    ctrl_c.await.ok();
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    ctrl_c.await.ok();
}
