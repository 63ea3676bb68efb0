//! `cluster status`: every member as this node sees it, with live grains per kind asked of
//! each member over the peer link (as Akka's GetClusterShardingStats), and the leaders.

use super::Node;
use crate::cluster::{MemberStatus, Provider, leader, role_leaders};
use crate::ids::NodeId;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::SocketAddr;

/// The cluster as one node sees it.
#[derive(Clone, Debug)]
pub struct ClusterStatus {
    /// The cluster's name.
    pub cluster: String,
    /// Where membership comes from.
    pub provider: Provider,
    /// The node that answered.
    pub self_id: NodeId,
    /// Every member it knows of.
    pub members: Vec<MemberRow>,
    /// The lowest-ordered member that is up, if any.
    pub leader: Option<NodeId>,
    /// The lowest-ordered member up that carries each role.
    pub role_leaders: BTreeMap<String, NodeId>,
}

/// One member in [`ClusterStatus`].
#[derive(Clone, Debug)]
pub struct MemberRow {
    /// Its name.
    pub id: NodeId,
    /// Its peer address.
    pub peer: SocketAddr,
    /// Its status.
    pub status: MemberStatus,
    /// Its roles.
    pub roles: BTreeSet<String>,
    /// False for a proxy.
    pub hosting: bool,
    /// Live grains per kind, or why they could not be counted.
    pub grains_per_kind: Result<HashMap<String, u64>, String>,
}

/// Counts of each kind among `kinds`.
pub fn count(kinds: impl Iterator<Item = String>) -> HashMap<String, u64> {
    let mut counts = HashMap::new();
    for kind in kinds {
        *counts.entry(kind).or_insert(0) += 1;
    }
    counts
}

pub async fn gather(node: &Node) -> ClusterStatus {
    let cluster = node.cluster();
    let view = cluster.view();
    let mut members = Vec::new();
    for member in &view.members {
        let grains_per_kind = if &member.id == cluster.local_id() {
            Ok(count(node.grains().iter().map(|listing| listing.grain.kind().to_string())))
        } else if member.status == MemberStatus::Down {
            Err("down".to_string())
        } else {
            cluster.transport().grain_counts(member.peer).await.map_err(|e| format!("{e:#}"))
        };
        members.push(MemberRow {
            id: member.id.clone(),
            peer: member.peer,
            status: member.status,
            roles: member.roles.clone(),
            hosting: member.hosting,
            grains_per_kind,
        });
    }
    ClusterStatus {
        cluster: cluster.name().to_string(),
        provider: cluster.provider(),
        self_id: cluster.local_id().clone(),
        members,
        leader: leader(&view).cloned(),
        role_leaders: role_leaders(&view),
    }
}
