//! Node-side listings as API messages (the HTTP gateway reuses the proto types as JSON).

use crate::cluster::{Member, Provider};
use crate::config::KindSettings;
use crate::kinds::{KindDescription, KindInfo};
use crate::node::{ClusterStatus, GrainListing, Node};
use crate::proto::api as proto;
use std::collections::HashMap;

fn millis(duration: std::time::Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

pub fn settings(settings: &KindSettings) -> proto::KindSettings {
    proto::KindSettings {
        idle_timeout_ms: millis(settings.idle_timeout),
        max_memory_bytes: settings.max_memory,
        time_limit_ms: millis(settings.time_limit),
        roles: Some(proto::KindRoles { names: settings.roles.iter().cloned().collect() }),
        max_live: Some(settings.max_live),
        max_state_bytes: settings.max_state,
        allow_http: Some(proto::KindHosts { hosts: settings.allow_http.iter().cloned().collect() }),
        subscribe: Some(proto::KindTopics { topics: settings.subscribe.iter().map(ToString::to_string).collect() }),
    }
}

pub fn grain(node: &Node, listing: &GrainListing) -> proto::GrainInfo {
    proto::GrainInfo {
        grain: Some(proto::GrainRef {
            kind: listing.grain.kind().to_string(),
            identity: listing.grain.identity().to_string(),
        }),
        node: node.router().node().to_string(),
        activation: listing.activation.0,
        version: listing.stats.version().to_string(),
        idle_ms: millis(listing.stats.idle()),
        memory_bytes: listing.stats.memory_bytes(),
    }
}

/// Live grains per kind name.
pub fn active_per_kind(node: &Node) -> HashMap<String, u64> {
    let mut counts = HashMap::new();
    for grain in node.router().directory().grains() {
        *counts.entry(grain.kind().to_string()).or_insert(0) += 1;
    }
    counts
}

pub fn kind(info: &KindInfo, active: &HashMap<String, u64>) -> proto::KindInfo {
    proto::KindInfo {
        name: info.name.to_string(),
        version: info.version.to_string(),
        previous_versions: info.previous.iter().map(ToString::to_string).collect(),
        settings: Some(settings(&info.settings)),
        uploaded_at_unix_ms: info.uploaded_at_unix_ms,
        active_grains: active.get(info.name.as_str()).copied().unwrap_or(0),
    }
}

/// The listing entry of kind `name`, if it exists.
pub fn kind_named(node: &Node, name: &str) -> Option<proto::KindInfo> {
    let active = active_per_kind(node);
    node.kinds().list().iter().find(|info| info.name == name).map(|info| kind(info, &active))
}

/// What `NodeInfo` (gRPC) and `GET /v1/node` (HTTP) report.
pub fn node_info(node: &Node) -> proto::NodeInfoReply {
    proto::NodeInfoReply {
        node: node.router().node().to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        uptime_ms: millis(node.uptime()),
        kinds: node.kinds().list().len() as u64,
        active_grains: node.router().directory().len() as u64,
        activations_started: node.router().directory().started(),
        forwarded_messages: node.router().traffic().forwarded(),
        retried_messages: node.router().traffic().retried(),
    }
}

/// What `ClusterStatus` reports.
pub fn cluster_status(status: ClusterStatus) -> proto::ClusterStatusReply {
    let has_peers = status.provider != Provider::Single;
    proto::ClusterStatusReply {
        leader: status.leader.map(|leader| leader.to_string()),
        role_leaders: status.role_leaders.into_iter().map(|(role, leader)| (role, leader.to_string())).collect(),
        cluster: status.cluster,
        provider: status.provider.as_str().to_string(),
        self_id: status.self_id.to_string(),
        members: status
            .members
            .into_iter()
            .map(|member| {
                let (grains_per_kind, unreachable) = match member.grains_per_kind {
                    Ok(counts) => (counts, None),
                    Err(why) => (HashMap::new(), Some(why)),
                };
                proto::ClusterMember {
                    id: member.id.to_string(),
                    status: member.status.as_str().to_string(),
                    roles: member.roles.into_iter().collect(),
                    hosting: member.hosting,
                    grains_per_kind,
                    unreachable,
                    peer_address: has_peers.then(|| member.peer.to_string()),
                }
            })
            .collect(),
    }
}

/// A member as an event shows it: no grain counts.
pub fn event_member(member: &Member, has_peers: bool) -> proto::ClusterMember {
    proto::ClusterMember {
        id: member.id.to_string(),
        status: member.status.as_str().to_string(),
        roles: member.roles.iter().cloned().collect(),
        hosting: member.hosting,
        grains_per_kind: HashMap::new(),
        unreachable: None,
        peer_address: has_peers.then(|| member.peer.to_string()),
    }
}

/// A kind's description as the APIs return it.
pub fn description(description: KindDescription) -> proto::DescribeKindReply {
    proto::DescribeKindReply {
        name: description.name.to_string(),
        version: description.version.to_string(),
        typed: description.wit.is_some(),
        wit: description.wit.unwrap_or_default(),
    }
}
