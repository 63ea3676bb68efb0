//! The cluster as one node takes part in it: membership (single, gossip, etcd, scripted),
//! placement by rendezvous hashing, and the transport that carries messages and kind changes
//! to the members that own them.

mod etcd;
mod etcd_view;
mod events;
mod gossip;
mod member;
mod membership;
mod placement;
mod quorum;
mod scripted;
mod single;
pub mod transport;
mod verify;

pub use etcd::{EtcdMembership, EtcdSettings};
pub use events::{MemberEvent, changes, leader, role_leaders};
pub use gossip::{GossipMembership, GossipSettings};
pub use member::{Announcement, ClusterView, Member, MemberStatus};
pub use membership::{LocalMember, Membership, Provider};
pub use scripted::{ScriptedMembership, ScriptedWorld};
pub use single::SingleMembership;
pub use transport::Transport;

use crate::ids::{GrainId, NodeId};
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::{Mutex, watch};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Where a grain's messages go under the current view.
#[derive(Debug, PartialEq, Eq)]
pub enum Placement {
    /// This node owns the grain.
    Local,
    /// Another member owns it.
    Remote {
        /// The owner's name.
        owner: NodeId,
        /// Where its peer port is.
        peer: SocketAddr,
    },
    /// No member can host it now (none up, or all leaving).
    Nowhere,
}

/// This node's part in its cluster.
pub struct Cluster {
    name: String,
    local: LocalMember,
    membership: Arc<dyn Membership>,
    view: watch::Receiver<Arc<ClusterView>>,
    transport: Arc<dyn Transport>,
    /// Drops links to members that go down; verifies members, when peers authenticate.
    tasks: Mutex<Vec<JoinHandle<()>>>,
    stop: CancellationToken,
}

impl Cluster {
    /// A cluster of this node alone, up at once, with no peer port.
    pub fn single(id: NodeId) -> Arc<Self> {
        let transport = Arc::new(transport::MemoryNetwork::default()).transport();
        let local = LocalMember { id, peer: transport.local_address(), roles: BTreeSet::new(), hosting: true };
        let membership = Arc::new(SingleMembership::new(local.clone()));
        Cluster::new("single".into(), local, membership, Arc::new(transport))
    }

    /// Takes part in `membership` as `local`, reaching peers over `transport`; when the
    /// transport authenticates, a member counts only once verified (see `verify`). Links to
    /// members that go down are dropped at once.
    pub fn new(
        name: String,
        local: LocalMember,
        membership: Arc<dyn Membership>,
        transport: Arc<dyn Transport>,
    ) -> Arc<Self> {
        let stop = CancellationToken::new();
        let mut tasks = Vec::new();
        let view = if transport.authenticates() {
            let (published, view) = watch::channel(Arc::new(ClusterView::default()));
            let verifying = verify::verify_members(
                local.id.clone(),
                membership.subscribe(),
                Arc::clone(&transport),
                published,
                stop.clone(),
            );
            tasks.push(tokio::spawn(verifying));
            view
        } else {
            membership.subscribe()
        };
        tasks.push(tokio::spawn(drop_links_of_departed(view.clone(), Arc::clone(&transport), stop.clone())));
        Arc::new(Cluster { name, local, membership, view, transport, tasks: Mutex::new(tasks), stop })
    }

    /// Where `grain`, of a kind hosted only by members with `roles`, lives now.
    pub fn placement(&self, grain: &GrainId, roles: &BTreeSet<String>) -> Placement {
        placement_in(&self.view.borrow(), &self.local.id, grain, roles)
    }

    /// Resolves once `grain` is no longer this node's under a newer view (a member joined
    /// or came up, or this node is leaving): its activation then hands over.
    pub fn until_moved(
        &self,
        grain: GrainId,
        roles: BTreeSet<String>,
    ) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut views = self.view.clone();
        let local = self.local.id.clone();
        async move {
            loop {
                if views.changed().await.is_err() {
                    return std::future::pending().await;
                }
                if placement_in(&views.borrow_and_update(), &local, &grain, &roles) != Placement::Local {
                    return;
                }
            }
        }
    }

    /// A receiver of every new view.
    pub fn subscribe(&self) -> watch::Receiver<Arc<ClusterView>> {
        self.view.clone()
    }

    /// The current view.
    pub fn view(&self) -> Arc<ClusterView> {
        Arc::clone(&self.view.borrow())
    }

    /// The link to the other members.
    pub fn transport(&self) -> &Arc<dyn Transport> {
        &self.transport
    }

    /// The cluster's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Where membership comes from.
    pub fn provider(&self) -> Provider {
        self.membership.provider()
    }

    /// This node's name.
    pub fn local_id(&self) -> &NodeId {
        &self.local.id
    }

    /// What this node announces about itself.
    pub fn local(&self) -> &LocalMember {
        &self.local
    }

    /// Whether another member can take over this node's grains.
    pub fn has_other_hosts(&self) -> bool {
        self.view.borrow().up().any(|member| member.id != self.local.id && member.hosting)
    }

    /// Announces this node's status.
    pub async fn set_status(&self, status: MemberStatus) -> anyhow::Result<()> {
        self.membership.set_status(status).await
    }

    /// Stops taking part: leaves the membership, stops the transport (its server and links)
    /// and awaits every task the cluster started.
    pub async fn stop(&self) {
        self.membership.stop().await;
        self.transport.shutdown().await;
        self.stop.cancel();
        for task in self.tasks.lock().await.drain(..) {
            if let Err(e) = task.await {
                tracing::warn!("a cluster task failed: {e}");
            }
        }
    }
}

fn placement_in(view: &ClusterView, local: &NodeId, grain: &GrainId, roles: &BTreeSet<String>) -> Placement {
    match placement::owner(view, grain, roles) {
        Some(owner) if &owner.id == local => Placement::Local,
        Some(owner) => Placement::Remote { owner: owner.id.clone(), peer: owner.peer },
        None => Placement::Nowhere,
    }
}

async fn drop_links_of_departed(
    mut views: watch::Receiver<Arc<ClusterView>>,
    transport: Arc<dyn Transport>,
    stop: CancellationToken,
) {
    loop {
        tokio::select! {
            changed = views.changed() => if changed.is_err() { return },
            () = stop.cancelled() => return,
        }
        let view = Arc::clone(&views.borrow_and_update());
        for member in view.members.iter().filter(|member| member.status == MemberStatus::Down) {
            transport.forget(member.peer);
        }
    }
}
