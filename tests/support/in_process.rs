//! Several real nodes in one process, members of one scripted cluster: membership from a
//! [`ScriptedWorld`], peer links in memory or over tonic on loopback, state in one shared
//! in-memory store (as a cluster shares PostgreSQL), the Rust example kinds installed.

use super::component;
use granary::cluster::transport::{MemoryNetwork, PeerSecurity, TonicTransport};
use granary::cluster::{Cluster, LocalMember, MemberStatus, Placement, ScriptedWorld, Transport};
use granary::config::{KindSettings, NodeConfig};
use granary::ids::{GrainId, NodeId};
use granary::node::Node;
use granary::state::{MemoryStateStore, StateStore};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

/// Which peer link the members use.
#[derive(Clone, Copy, Debug)]
pub enum Link {
    /// The in-memory transport.
    Memory,
    /// tonic on loopback, with a cluster secret.
    Tonic,
}

/// The members of one in-process cluster.
pub struct InProcess {
    pub world: Arc<ScriptedWorld>,
    pub network: Arc<MemoryNetwork>,
    pub state: Arc<dyn StateStore>,
    pub nodes: Vec<Arc<Node>>,
    link: Link,
    dirs: Vec<tempfile::TempDir>,
}

impl InProcess {
    /// `count` members linked by `link`, each with the Rust `counter`, `probe` and `chaos` kinds.
    pub async fn start(count: usize, link: Link) -> InProcess {
        let mut cluster = InProcess {
            world: Arc::default(),
            network: Arc::default(),
            state: Arc::new(MemoryStateStore::default()),
            nodes: Vec::new(),
            link,
            dirs: Vec::new(),
        };
        for _ in 0..count {
            cluster.add().await;
        }
        cluster.settle().await;
        cluster
    }

    /// One more member, up; returns its index.
    pub async fn add(&mut self) -> usize {
        let index = self.nodes.len();
        let transport: Arc<dyn Transport> = match self.link {
            Link::Memory => Arc::new(self.network.transport()),
            Link::Tonic => {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a peer port");
                let address = listener.local_addr().expect("its address");
                let security = PeerSecurity::new("test", None, Some("in-process-secret".into())).expect("security");
                Arc::new(TonicTransport::new(listener, address, security))
            }
        };
        let local = LocalMember {
            id: NodeId(format!("member-{index}")),
            peer: transport.local_address(),
            roles: BTreeSet::new(),
            hosting: true,
        };
        let membership = Arc::new(self.world.join(local.clone()));
        let cluster = Cluster::new("test".into(), local, membership, transport);
        let dir = tempfile::tempdir().expect("temp dir");
        let node = Node::in_cluster(NodeConfig::for_test(dir.path()), Arc::clone(&cluster), Arc::clone(&self.state))
            .expect("node starts");
        for kind in ["counter", "probe", "chaos"] {
            let settings = KindSettings { time_limit: Duration::from_secs(1), ..KindSettings::default() };
            node.push_kind(kind, component("rust", kind), settings.into()).await.expect("kind installs");
        }
        cluster.set_status(MemberStatus::Up).await.expect("up");
        self.dirs.push(dir);
        self.nodes.push(Arc::new(node));
        index
    }

    /// Waits until every member counts every other member up.
    pub async fn settle(&self) {
        let ids: Vec<NodeId> = (0..self.nodes.len()).map(|at| self.id(at)).collect();
        super::eventually(Duration::from_secs(20), "every member up in every view", async || {
            self.nodes.iter().all(|node| {
                let view = node.cluster().view();
                ids.iter().all(|id| view.member(id).is_some_and(|member| member.status == MemberStatus::Up))
            })
        })
        .await;
    }

    /// A grain of `kind` that member `owner` owns, as every member sees it now.
    pub fn owned_by(&self, owner: usize, kind: &str) -> GrainId {
        (0..10_000)
            .map(|i| GrainId::new(kind, format!("g{i}")).expect("grain id"))
            .find(|grain| {
                self.nodes.iter().enumerate().all(|(at, node)| {
                    let placement = node.cluster().placement(grain, &BTreeSet::new());
                    if at == owner {
                        placement == Placement::Local
                    } else {
                        matches!(placement, Placement::Remote { owner: ref id, .. } if *id == self.id(owner))
                    }
                })
            })
            .expect("some grain belongs to every member")
    }

    /// Member `index`'s name.
    pub fn id(&self, index: usize) -> NodeId {
        self.nodes[index].cluster().local_id().clone()
    }

    /// Stops every member.
    pub async fn shutdown(self) {
        for node in &self.nodes {
            node.shutdown().await;
        }
    }
}
