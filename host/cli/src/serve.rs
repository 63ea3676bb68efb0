//! Serving a started node: the public gRPC API and HTTP gateway until Ctrl-C or SIGTERM,
//! then an orderly stop within the drain limit. Shared by `granary dev` and `granary node`.

use super::duration;
use anyhow::Context;
use granary::api::auth::Tokens;
use granary::api::tls::PublicTls;
use granary::api::{ApiContext, grpc, http};
use granary::config::{KindSettings, NodeConfig};
use granary::node::Node;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

/// What both `dev` and `node` take about serving: limits, tokens, TLS, the drain limit.
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
    /// This node's certificate (PEM): cluster members present it to each other on the peer
    /// port (with --tls-key and --tls-ca); the public gRPC port and HTTP gateway serve TLS
    /// with it under `granary dev`, and under `granary node` with --public-tls.
    #[arg(long, env = "GRANARY_TLS_CERT", requires = "tls_key")]
    pub tls_cert: Option<PathBuf>,
    /// The private key (PEM) of --tls-cert.
    #[arg(long, env = "GRANARY_TLS_KEY", requires = "tls_cert")]
    pub tls_key: Option<PathBuf>,
    /// Count nothing for `/metrics` (which then answers 404): turns skip their few atomic
    /// increments.
    #[arg(long, env = "GRANARY_NO_METRICS")]
    no_metrics: bool,
    /// What the live grains may hold together (linear memory plus instance overhead), e.g.
    /// 2GiB. Near it the least recently used idle grains deactivate; past it new activations
    /// are refused with RESOURCE_EXHAUSTED / 503 and a retry-after. Default: half the memory
    /// of the machine or its cgroup.
    #[arg(long, env = "GRANARY_MEMORY_BUDGET")]
    memory_budget: Option<bytesize::ByteSize>,
    /// Largest state one save may write, for kinds pushed without their own --max-state.
    #[arg(long, env = "GRANARY_MAX_STATE", default_value = "16MiB")]
    max_state: bytesize::ByteSize,
    /// Export a span per turn to this OpenTelemetry collector (OTLP over gRPC, e.g.
    /// `http://127.0.0.1:4317`); off by default.
    #[arg(long, env = "GRANARY_OTLP_ENDPOINT")]
    otlp_endpoint: Option<String>,
    /// After SIGTERM, how long the node may take to hand over, deactivate and stop before it
    /// exits anyway.
    #[arg(long, env = "GRANARY_DRAIN_TIMEOUT", value_parser = duration::parse, default_value = "30s")]
    drain_timeout: Duration,
}

impl ServeFlags {
    /// The node's settings under these flags, its data kept in `data_dir`.
    pub fn node_config(&self, data_dir: &Path) -> anyhow::Result<NodeConfig> {
        let defaults = NodeConfig::new(data_dir);
        anyhow::ensure!(self.max_state.as_u64() > 0, "--max-state must be above zero");
        Ok(NodeConfig {
            max_module_bytes: usize::try_from(self.max_module_size.as_u64())
                .context("--max-module-size is too large")?,
            metrics: !self.no_metrics,
            memory_budget: self.memory_budget.map_or(defaults.memory_budget, |size| size.as_u64()),
            default_kind: KindSettings { max_state: self.max_state.as_u64(), ..defaults.default_kind.clone() },
            ..defaults
        })
    }

    /// This node's certificate and key, if given.
    fn public_tls(&self) -> anyhow::Result<Option<PublicTls>> {
        let (Some(cert), Some(key)) = (&self.tls_cert, &self.tls_key) else { return Ok(None) };
        let cert_pem = std::fs::read(cert).with_context(|| format!("cannot read --tls-cert {}", cert.display()))?;
        let key_pem = std::fs::read(key).with_context(|| format!("cannot read --tls-key {}", key.display()))?;
        Ok(Some(PublicTls { cert_pem, key_pem }))
    }
}

pub async fn bind(address: &str) -> anyhow::Result<TcpListener> {
    TcpListener::bind(address).await.with_context(|| format!("cannot listen on {address}"))
}

/// Serves `node` publicly on the listeners until a signal, then stops it within the drain
/// limit: the public ports stop taking new requests, a clustered node leaves (its grains hand
/// over), every grain left saves its state, and the peer port closes.
pub async fn serve(
    node: Arc<Node>,
    flags: ServeFlags,
    public_tls: bool,
    grpc_listener: TcpListener,
    http_listener: Option<TcpListener>,
) -> anyhow::Result<()> {
    let tls = if public_tls {
        Some(flags.public_tls()?.context("serving the public ports over TLS needs --tls-cert and --tls-key")?)
    } else {
        None
    };
    let scheme = if tls.is_some() { "https" } else { "http" };
    let telemetry = match &flags.otlp_endpoint {
        Some(endpoint) => Some(granary::telemetry::install(endpoint, &node.cluster().local_id().to_string())?),
        None => None,
    };
    let api =
        ApiContext { node: Arc::clone(&node), tokens: Tokens { admin: flags.admin_token, call: flags.call_token } };
    // The public gRPC port stops taking requests at a signal; the HTTP port keeps answering
    // (its `/readyz` unready) until the node has stopped.
    let stop = CancellationToken::new();
    let stop_http = CancellationToken::new();
    let grpc_address = grpc_listener.local_addr()?;
    let http_address = http_listener.as_ref().map(TcpListener::local_addr).transpose()?;
    let cluster = node.cluster();
    tracing::info!(
        http = %http_address.map(|a| format!("{scheme}://{a}")).unwrap_or_else(|| "off".into()),
        peer = %if cluster.provider() == granary::cluster::Provider::Single { "off".to_string() } else { cluster.local().peer.to_string() },
        cluster = %cluster.name(),
        provider = %cluster.provider().as_str(),
        node = %cluster.local_id(),
        "granary node listening on {scheme}://{grpc_address}"
    );
    let served: anyhow::Result<()> = async {
        let serve_grpc = grpc::serve(api.clone(), grpc_listener, tls.as_ref(), stop.clone().cancelled_owned());
        let serve_http = async {
            match http_listener {
                Some(listener) => {
                    http::serve(api.clone(), listener, tls.as_ref(), stop_http.clone().cancelled_owned()).await
                }
                None => Ok(()),
            }
        };
        let servers = async { tokio::try_join!(serve_grpc, serve_http).map(|_| ()) };
        tokio::pin!(servers);
        tokio::select! {
            served = &mut servers => {
                node.shutdown().await;
                return served.context("a public port failed");
            }
            () = signalled() => {}
        }
        node.begin_drain();
        stop.cancel();
        tracing::info!("stopping: handing over and deactivating grains");
        let drained = tokio::time::timeout(flags.drain_timeout, async {
            let stopped = async {
                node.shutdown().await;
                stop_http.cancel();
            };
            let (served, ()) = tokio::join!(&mut servers, stopped);
            served
        })
        .await;
        match drained {
            Ok(served) => {
                tracing::info!("stopped");
                served
            }
            Err(_) => {
                tracing::warn!("the drain limit of {:?} passed: exiting with work left undone", flags.drain_timeout);
                Ok(())
            }
        }
    }
    .await;
    if let Some(telemetry) = telemetry {
        telemetry.shutdown().await;
    }
    served
}

/// Resolves on Ctrl-C or SIGTERM.
async fn signalled() {
    let ctrl_c = tokio::signal::ctrl_c();
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = ctrl_c => {}
                _ = term.recv() => {}
            }
        }
        Err(e) => {
            tracing::warn!("cannot watch SIGTERM: {e}");
            ctrl_c.await.ok();
        }
    }
}
