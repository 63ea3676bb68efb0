//! What this node does with what its peers send it: messages for grains it owns go through
//! the router, kind announcements and removals through replication.

use super::replication::Replication;
use crate::cluster::transport::{Inbound, KindAnnouncement};
use crate::error::CallError;
use crate::ids::{GrainId, KindName, NodeId, Version};
use crate::message::Envelope;
use crate::router::Router;
use std::collections::HashMap;
use std::sync::Arc;

/// The node's answer to its peers.
pub struct PeerInbound {
    router: Arc<Router>,
    replication: Arc<Replication>,
}

impl PeerInbound {
    pub fn new(router: Arc<Router>, replication: Arc<Replication>) -> Self {
        PeerInbound { router, replication }
    }
}

#[async_trait::async_trait]
impl Inbound for PeerInbound {
    fn member(&self) -> NodeId {
        self.router.node().clone()
    }

    async fn deliver(&self, target: &GrainId, envelope: Envelope) -> Result<(), CallError> {
        self.router.deliver_from_peer(target, envelope).await
    }

    async fn announce_kind(&self, announcement: KindAnnouncement) -> anyhow::Result<bool> {
        self.replication.install_announced(announcement).await
    }

    fn module(&self, version: &Version) -> Option<Vec<u8>> {
        self.router.kinds().module(version).ok()
    }

    async fn remove_kind(&self, name: &KindName) -> anyhow::Result<()> {
        self.router.kinds().remove(name)?;
        tracing::info!(kind = name.as_str(), "kind removed by a peer");
        Ok(())
    }

    fn grain_counts(&self) -> HashMap<String, u64> {
        super::status::count(self.router.directory().grains().iter().map(|grain| grain.kind().to_string()))
    }

    fn catalog(&self) -> HashMap<KindName, Version> {
        self.router.kinds().list().into_iter().map(|kind| (kind.name, kind.version)).collect()
    }
}
