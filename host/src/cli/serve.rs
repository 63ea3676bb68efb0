//! Serving a started node: gRPC and HTTP until Ctrl-C or SIGTERM, then an orderly stop.
//! Shared by `granary dev` and `granary node`.

use crate::api::auth::Tokens;
use crate::api::{ApiContext, grpc, http, replicate};
use crate::node::Node;
use anyhow::Context;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// What both `dev` and `node` take about serving: the module size limit and the tokens.
#[derive(clap::Args)]
pub struct ServeFlags {
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

impl ServeFlags {
    pub fn max_module_bytes(&self) -> anyhow::Result<usize> {
        usize::try_from(self.max_module_size.as_u64()).context("--max-module-size is too large")
    }

    pub fn tokens(self) -> Tokens {
        Tokens { admin: self.admin_token, call: self.call_token }
    }
}

pub async fn bind(address: &str) -> anyhow::Result<TcpListener> {
    TcpListener::bind(address).await.with_context(|| format!("cannot listen on {address}"))
}

/// Serves `node` on the listeners until a signal, then stops it: a clustered node leaves,
/// handing its grains over; every grain left saves its state.
pub async fn serve(
    node: Arc<Node>,
    tokens: Tokens,
    grpc_listener: TcpListener,
    http_listener: Option<TcpListener>,
) -> anyhow::Result<()> {
    let api = ApiContext { node: Arc::clone(&node), tokens };
    tokio::spawn(replicate::seed_newcomers(api.clone()));
    let stop = CancellationToken::new();
    tokio::spawn(cancel_on_signal(stop.clone()));
    let grpc_address = grpc_listener.local_addr()?;
    let http_address = http_listener.as_ref().map(TcpListener::local_addr).transpose()?;
    tracing::info!(
        http = %http_address.map(|a| format!("http://{a}")).unwrap_or_else(|| "off".into()),
        cluster = %node.cluster().name(),
        provider = %node.cluster().provider(),
        "granary node listening on http://{grpc_address}"
    );
    // The gRPC server keeps serving peers while the node hands its grains over.
    let grpc_stop = CancellationToken::new();
    let serve_grpc = grpc::serve(api.clone(), grpc_listener, grpc_stop.clone().cancelled_owned());
    let serve_http = async {
        match http_listener {
            Some(listener) => http::serve(api.clone(), listener, stop.clone().cancelled_owned()).await,
            None => {
                stop.cancelled().await;
                Ok(())
            }
        }
    };
    let stopping = async {
        let served = serve_http.await;
        stop.cancelled().await;
        tracing::info!("stopping: handing over and deactivating grains");
        node.shutdown().await;
        grpc_stop.cancel();
        served
    };
    let (grpc_served, http_served) = tokio::join!(serve_grpc, stopping);
    tracing::info!("stopped");
    grpc_served.and(http_served)
}

/// Cancels `stop` on Ctrl-C or SIGTERM.
async fn cancel_on_signal(stop: CancellationToken) {
    let ctrl_c = tokio::signal::ctrl_c();
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(term) => term,
        Err(e) => {
            tracing::warn!("cannot watch SIGTERM: {e}");
            ctrl_c.await.ok();
            stop.cancel();
            return;
        }
    };
    tokio::select! {
        _ = ctrl_c => {}
        _ = term.recv() => {}
    }
    stop.cancel();
}
