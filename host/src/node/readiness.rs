//! Whether this node should get traffic (`/readyz`): it has joined its cluster, holds every
//! kind its peers hold, and is not draining. A stop turns it unready at once, before anything
//! is handed over, so an orchestrator sends nothing new while it drains.

use super::Node;
use crate::cluster::MemberStatus;
use std::sync::atomic::{AtomicBool, Ordering};

/// What readiness remembers between checks.
#[derive(Default)]
pub struct Readiness {
    draining: AtomicBool,
    /// Set once this node held every kind its peers held; from then on announcements keep it
    /// in step, so peers are not asked again.
    caught_up: AtomicBool,
}

impl Readiness {
    /// Marks the node as draining: unready from now on.
    pub fn drain(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }
}

/// Empty when `node` is ready; otherwise why not, one reason each.
pub async fn check(node: &Node) -> Vec<String> {
    let mut reasons = Vec::new();
    if node.readiness.draining.load(Ordering::SeqCst) {
        reasons.push("draining".to_string());
    }
    let cluster = node.cluster();
    match cluster.view().member(cluster.local_id()).map(|member| member.status) {
        Some(MemberStatus::Up) => {}
        Some(status) => reasons.push(format!("not joined: this member is {}", status.as_str())),
        None => reasons.push("not joined: this member is not in the cluster view yet".to_string()),
    }
    if !node.readiness.caught_up.load(Ordering::SeqCst) {
        match missing_kinds(node).await {
            // Alone in its view, a node is ready, but compares again once it sees a peer.
            Ok(Compared { missing, peers }) if missing.is_empty() => {
                if peers > 0 {
                    node.readiness.caught_up.store(true, Ordering::SeqCst);
                }
            }
            Ok(Compared { missing, .. }) => reasons.push(format!("kinds not held yet: {}", missing.join(", "))),
            Err(e) => reasons.push(format!("cannot compare kinds with the other members: {e:#}")),
        }
    }
    reasons
}

/// What comparing kinds with the other members found.
struct Compared {
    /// Kinds some other member that is up holds at a version this node does not have.
    missing: Vec<String>,
    /// How many members were asked.
    peers: usize,
}

/// Compares this node's kinds with those of every other member that is up.
async fn missing_kinds(node: &Node) -> anyhow::Result<Compared> {
    let cluster = node.cluster();
    let held = node.kinds().list();
    let mut missing = Vec::new();
    let mut peers = 0;
    for member in cluster.view().up().filter(|member| &member.id != cluster.local_id()) {
        peers += 1;
        for (name, version) in cluster.transport().catalog(member.peer).await? {
            let here = held.iter().any(|kind| kind.name == name && kind.version == version);
            let entry = format!("{name}@{}", version.short());
            if !here && !missing.contains(&entry) {
                missing.push(entry);
            }
        }
    }
    Ok(Compared { missing, peers })
}
