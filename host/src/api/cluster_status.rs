//! `cluster status`: every member as this node sees it, with live grains per kind asked of
//! each member (as Akka's GetClusterShardingStats).

use super::proto::grains_client::GrainsClient;
use super::proto::{ClusterMember, ClusterStatusReply, ListGrainsRequest};
use crate::cluster::{Member, MemberStatus};
use crate::node::Node;
use std::collections::HashMap;
use std::time::Duration;

/// How long one member may take to list its grains.
const ASK_TIMEOUT: Duration = Duration::from_secs(3);

pub async fn gather(node: &Node) -> ClusterStatusReply {
    let cluster = node.cluster();
    let view = cluster.view();
    let mut members = Vec::new();
    for member in &view.members {
        let counted = if &member.id == cluster.local_id() {
            Ok(count(node.grains().iter().map(|listing| listing.grain.kind().to_string())))
        } else if member.status == MemberStatus::Down {
            Err("down".to_string())
        } else {
            ask(member).await
        };
        let (grains_per_kind, unreachable) = match counted {
            Ok(counts) => (counts, String::new()),
            Err(why) => (HashMap::new(), why),
        };
        members.push(ClusterMember {
            id: member.id.0.clone(),
            status: member.status.as_str().to_string(),
            roles: member.roles.iter().cloned().collect(),
            hosting: member.hosting,
            grains_per_kind,
            unreachable,
        });
    }
    ClusterStatusReply {
        cluster: cluster.name().to_string(),
        provider: cluster.provider().to_string(),
        self_id: cluster.local_id().0.clone(),
        members,
    }
}

fn count(kinds: impl Iterator<Item = String>) -> HashMap<String, u64> {
    let mut counts = HashMap::new();
    for kind in kinds {
        *counts.entry(kind).or_insert(0) += 1;
    }
    counts
}

async fn ask(member: &Member) -> Result<HashMap<String, u64>, String> {
    let listing = async {
        let mut client = GrainsClient::connect(format!("http://{}", member.id)).await.map_err(|e| e.to_string())?;
        let reply = client.list_grains(ListGrainsRequest::default()).await.map_err(|s| s.message().to_string())?;
        let kinds = reply.into_inner().grains.into_iter().filter_map(|grain| grain.grain.map(|g| g.kind));
        Ok(count(kinds))
    };
    tokio::time::timeout(ASK_TIMEOUT, listing).await.unwrap_or_else(|_| Err("no answer".to_string()))
}
