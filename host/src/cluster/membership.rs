//! The membership providers behind one trait: who is in the cluster, and news of changes.

use super::member::{ClusterView, MemberStatus};
use crate::ids::NodeId;
use std::collections::BTreeSet;
use std::sync::Arc;
use tokio::sync::watch;

/// What this node announces about itself.
#[derive(Clone, Debug)]
pub struct LocalMember {
    pub id: NodeId,
    pub roles: BTreeSet<String>,
    pub hosting: bool,
}

#[async_trait::async_trait]
pub trait Membership: Send + Sync + 'static {
    /// The current view; every change of membership or status publishes a new one.
    fn subscribe(&self) -> watch::Receiver<Arc<ClusterView>>;

    /// Announces this node's status: `Up` once it serves, `Leaving` when it stops gracefully.
    async fn set_status(&self, status: MemberStatus) -> anyhow::Result<()>;

    /// Stops taking part: peers see this node go down (at once with a graceful provider).
    async fn stop(&self);
}
