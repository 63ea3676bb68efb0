//! The cluster as one node takes part in it: membership (single, gossip, etcd), placement by
//! rendezvous hashing, and the links to peers that carry messages to grains they own.

mod etcd;
mod etcd_view;
mod gossip;
mod member;
mod membership;
mod peers;
mod placement;
mod quorum;
mod single;
pub mod wire;

pub use etcd::{EtcdMembership, EtcdSettings};
pub use gossip::{GossipMembership, GossipSettings};
pub use member::{ClusterView, Member, MemberStatus};
pub use membership::{LocalMember, Membership};
pub use peers::Peers;
pub use single::SingleMembership;

use crate::ids::{GrainId, NodeId};
use std::collections::BTreeSet;
use std::sync::Arc;
use tokio::sync::watch;

/// Where a grain's messages go under the current view.
#[derive(Debug, PartialEq, Eq)]
pub enum Placement {
    /// This node owns the grain.
    Local,
    /// Another member owns it.
    Remote(NodeId),
    /// No member can host it now (none up, or all leaving).
    Nowhere,
}

pub struct Cluster {
    name: String,
    provider: &'static str,
    local: LocalMember,
    membership: Arc<dyn Membership>,
    view: watch::Receiver<Arc<ClusterView>>,
    peers: Arc<Peers>,
}

impl Cluster {
    /// A cluster of this node alone, up at once.
    pub fn single(id: NodeId) -> Arc<Self> {
        let local = LocalMember { id, roles: BTreeSet::new(), hosting: true };
        let membership = Arc::new(SingleMembership::new(local.clone()));
        Cluster::new("single".into(), "single", local, membership)
    }

    /// Takes part in `membership`; links to members that go down are dropped at once.
    pub fn new(name: String, provider: &'static str, local: LocalMember, membership: Arc<dyn Membership>) -> Arc<Self> {
        let view = membership.subscribe();
        let peers = Arc::new(Peers::default());
        tokio::spawn(drop_links_of_departed(view.clone(), Arc::clone(&peers)));
        Arc::new(Cluster { name, provider, local, membership, view, peers })
    }

    /// Where `grain`, of a kind hosted only by members with `roles`, lives now.
    pub fn placement(&self, grain: &GrainId, roles: &BTreeSet<String>) -> Placement {
        placement_in(&self.view.borrow(), &self.local.id, grain, roles)
    }

    /// Resolves once `grain` is no longer this node's under a newer view (a member joined
    /// or came up, or this node is leaving): its activation then hands over.
    pub async fn until_moved(
        &self,
        grain: &GrainId,
        roles: &BTreeSet<String>,
        views: &mut watch::Receiver<Arc<ClusterView>>,
    ) {
        loop {
            if views.changed().await.is_err() {
                return std::future::pending().await;
            }
            if placement_in(&views.borrow_and_update(), &self.local.id, grain, roles) != Placement::Local {
                return;
            }
        }
    }

    pub fn subscribe(&self) -> watch::Receiver<Arc<ClusterView>> {
        self.view.clone()
    }

    pub fn view(&self) -> Arc<ClusterView> {
        Arc::clone(&self.view.borrow())
    }

    pub fn peers(&self) -> &Peers {
        &self.peers
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn provider(&self) -> &'static str {
        self.provider
    }

    pub fn local_id(&self) -> &NodeId {
        &self.local.id
    }

    /// Whether another member can take over this node's grains.
    pub fn has_other_hosts(&self) -> bool {
        self.view.borrow().up().any(|member| member.id != self.local.id && member.hosting)
    }

    pub async fn set_status(&self, status: MemberStatus) -> anyhow::Result<()> {
        self.membership.set_status(status).await
    }

    pub async fn stop(&self) {
        self.membership.stop().await;
    }
}

fn placement_in(view: &ClusterView, local: &NodeId, grain: &GrainId, roles: &BTreeSet<String>) -> Placement {
    match placement::owner(view, grain, roles) {
        Some(owner) if owner == local => Placement::Local,
        Some(owner) => Placement::Remote(owner.clone()),
        None => Placement::Nowhere,
    }
}

async fn drop_links_of_departed(mut views: watch::Receiver<Arc<ClusterView>>, peers: Arc<Peers>) {
    while views.changed().await.is_ok() {
        let view = Arc::clone(&views.borrow_and_update());
        for member in view.members.iter().filter(|member| member.status == MemberStatus::Down) {
            peers.forget(&member.id);
        }
    }
}
