//! Two cluster members in this process, on loopback: `host` owns every grain, `caller`
//! hosts none, so each of its calls crosses the gRPC link to `host`.

use super::setup::{COUNTER, long_lived, pool};
use crate::api::ApiContext;
use crate::api::auth::Tokens;
use crate::cluster::{Cluster, GossipMembership, GossipSettings, LocalMember, MemberStatus, Placement};
use crate::config::NodeConfig;
use crate::ids::NodeId;
use crate::node::Node;
use crate::state::MemoryStateStore;
use anyhow::Context;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

pub struct ClusterPair {
    pub caller: Arc<Node>,
    pub host: Arc<Node>,
    stop: CancellationToken,
    _data: tempfile::TempDir,
}

/// One member gossiping and serving gRPC on a fresh loopback port.
async fn member(
    data: &std::path::Path,
    seeds: Vec<String>,
    hosting: bool,
    activations: u32,
    stop: &CancellationToken,
) -> anyhow::Result<Arc<Node>> {
    let listener = TcpListener::bind("127.0.0.1:0").await.context("cannot bind a member's port")?;
    let listen = listener.local_addr()?;
    let local = LocalMember { id: NodeId(listen.to_string()), roles: BTreeSet::new(), hosting };
    let settings = GossipSettings {
        cluster: "bench".into(),
        listen,
        advertise: listen,
        seeds,
        gossip_interval: Duration::from_millis(100),
    };
    let membership =
        Arc::new(GossipMembership::start(local.clone(), settings, &chitchat::transport::UdpTransport).await?);
    let cluster = Cluster::new("bench".into(), "gossip", local, membership);
    let config = NodeConfig { pool: pool(activations), ..NodeConfig::new(data.join(listen.port().to_string())) };
    let node = Arc::new(Node::in_cluster(config, Arc::clone(&cluster), Arc::new(MemoryStateStore::default()))?);
    cluster.set_status(MemberStatus::Up).await?;
    let api = ApiContext { node: Arc::clone(&node), tokens: Tokens::default() };
    tokio::spawn(crate::api::grpc::serve(api, listener, stop.clone().cancelled_owned()));
    Ok(node)
}

impl ClusterPair {
    /// Starts both members with `component` installed as the counter kind, and waits until
    /// the caller places grains on the host.
    pub async fn start(component: &[u8], activations: u32) -> anyhow::Result<ClusterPair> {
        let data = tempfile::tempdir().context("cannot create a temporary data dir")?;
        let stop = CancellationToken::new();
        let host = member(data.path(), Vec::new(), true, activations, &stop).await?;
        let seed = host.cluster().local_id().0.clone();
        let caller = member(data.path(), vec![seed], false, 8, &stop).await?;
        for node in [&host, &caller] {
            node.push_kind(COUNTER, component.to_vec(), long_lived().into()).await?;
        }
        let probe = super::setup::counter_grain("placement-probe");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while !matches!(caller.cluster().placement(&probe, &BTreeSet::new()), Placement::Remote(_)) {
            anyhow::ensure!(tokio::time::Instant::now() < deadline, "the two members did not see each other in 20 s");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(ClusterPair { caller, host, stop, _data: data })
    }

    pub async fn shutdown(self) {
        self.caller.shutdown().await;
        self.host.shutdown().await;
        self.stop.cancel();
    }
}
