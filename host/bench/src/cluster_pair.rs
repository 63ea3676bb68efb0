//! Two cluster members in this process, on loopback: `host` owns every grain, `caller`
//! hosts none, so each of its calls crosses the gRPC link to `host`.

use super::setup::{COUNTER, long_lived, pool};
use anyhow::Context;
use granary::cluster::transport::{PeerSecurity, TonicTransport};
use granary::cluster::{Cluster, GossipMembership, GossipSettings, LocalMember, MemberStatus, Placement};
use granary::config::NodeConfig;
use granary::ids::NodeId;
use granary::node::Node;
use granary::state::MemoryStateStore;
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// The members' cluster secret: peers authenticate as a production cluster without TLS does.
const SECRET: &str = "bench-secret";

pub struct ClusterPair {
    pub caller: Arc<Node>,
    pub host: Arc<Node>,
    _data: tempfile::TempDir,
}

/// One member gossiping on a fresh loopback port, with its peer port beside it.
async fn member(
    data: &std::path::Path,
    seeds: Vec<String>,
    hosting: bool,
    activations: u32,
) -> anyhow::Result<Arc<Node>> {
    let gossip = std::net::UdpSocket::bind("127.0.0.1:0").context("cannot find a gossip port")?;
    let listen = gossip.local_addr()?;
    drop(gossip);
    let peer_listener = TcpListener::bind("127.0.0.1:0").await.context("cannot bind a member's peer port")?;
    let peer = peer_listener.local_addr()?;
    let local = LocalMember { id: NodeId(listen.to_string()), peer, roles: BTreeSet::new(), hosting };
    let security = PeerSecurity::new("bench", None, Some(SECRET.into()))?;
    let settings = GossipSettings {
        cluster: "bench".into(),
        listen,
        advertise: listen,
        seeds,
        gossip_interval: Duration::from_millis(100),
    };
    let membership = Arc::new(GossipMembership::start_udp(local.clone(), settings).await?);
    let transport = Arc::new(TonicTransport::new(peer_listener, peer, security));
    let cluster = Cluster::new("bench".into(), local, membership, transport);
    let config = NodeConfig { pool: pool(activations), ..NodeConfig::new(data.join(listen.port().to_string())) };
    let node = Arc::new(Node::in_cluster(config, Arc::clone(&cluster), Arc::new(MemoryStateStore::default()))?);
    cluster.set_status(MemberStatus::Up).await?;
    Ok(node)
}

impl ClusterPair {
    /// Starts both members with `component` installed as the counter kind, and waits until
    /// the caller places grains on the host.
    pub async fn start(component: &[u8], activations: u32) -> anyhow::Result<ClusterPair> {
        let data = tempfile::tempdir().context("cannot create a temporary data dir")?;
        let host = member(data.path(), Vec::new(), true, activations).await?;
        let seed = host.cluster().local_id().0.clone();
        let caller = member(data.path(), vec![seed], false, 8).await?;
        for node in [&host, &caller] {
            node.push_kind(COUNTER, component.to_vec(), long_lived().into()).await?;
        }
        let probe = super::setup::counter_grain("placement-probe");
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        while !matches!(caller.cluster().placement(&probe, &BTreeSet::new()), Placement::Remote { .. }) {
            anyhow::ensure!(tokio::time::Instant::now() < deadline, "the two members did not see each other in 20 s");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(ClusterPair { caller, host, _data: data })
    }

    pub async fn shutdown(self) {
        self.caller.shutdown().await;
        self.host.shutdown().await;
    }
}
