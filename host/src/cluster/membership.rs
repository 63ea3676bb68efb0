//! The membership providers behind one trait: who is in the cluster, and news of changes.

use super::member::{Announcement, ClusterView, MemberStatus};
use crate::ids::NodeId;
use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::watch;

/// What this node announces about itself.
#[derive(Clone, Debug)]
pub struct LocalMember {
    /// Its name in the cluster.
    pub id: NodeId,
    /// Where peers reach its peer port.
    pub peer: SocketAddr,
    /// The roles it carries.
    pub roles: BTreeSet<String>,
    /// False for a proxy: it routes but hosts nothing.
    pub hosting: bool,
}

impl LocalMember {
    /// What this member announces with `status`.
    pub fn announcement(&self, status: MemberStatus) -> Announcement {
        Announcement { status, peer: self.peer, roles: self.roles.clone(), hosting: self.hosting }
    }
}

/// Where membership comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Provider {
    /// This node alone.
    Single,
    /// Gossip with seed nodes (chitchat), no outside service.
    Gossip,
    /// Registered in etcd under a lease.
    Etcd,
    /// Scripted by a test, in one process.
    Scripted,
}

impl Provider {
    /// The provider's name as `cluster status` shows it.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Single => "single",
            Provider::Gossip => "gossip",
            Provider::Etcd => "etcd",
            Provider::Scripted => "scripted",
        }
    }
}

/// One source of cluster views.
#[async_trait::async_trait]
pub trait Membership: Send + Sync + 'static {
    /// Which provider this is.
    fn provider(&self) -> Provider;

    /// The current view; every change of membership or status publishes a new one.
    fn subscribe(&self) -> watch::Receiver<Arc<ClusterView>>;

    /// Announces this node's status: `Up` once it serves, `Leaving` when it stops gracefully.
    async fn set_status(&self, status: MemberStatus) -> anyhow::Result<()>;

    /// Stops taking part and awaits the provider's tasks: peers see this node go down (at
    /// once with a graceful provider).
    async fn stop(&self);
}
