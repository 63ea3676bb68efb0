//! What `/metrics` reads from the node at a scrape: live grains, their memory and queued
//! messages per kind, members by status, each kind's current version, the memory budget, the
//! state store's group commits.

use super::Node;
use crate::metrics::Observed;

/// The node's gauges as they stand.
pub fn observe(node: &Node) -> Observed {
    let mut observed = Observed::default();
    for (grain, pid) in node.router.directory().snapshot() {
        let (live, memory) = observed.live.entry(grain.kind().to_string()).or_default();
        *live += 1;
        *memory += i64::try_from(pid.stats.memory_bytes()).unwrap_or(i64::MAX);
        observed.mailbox_depth += i64::try_from(pid.turns.queued()).unwrap_or(i64::MAX);
    }
    for member in &node.cluster().view().members {
        *observed.members.entry(member.status.as_str()).or_default() += 1;
    }
    observed.versions =
        node.kinds.list().into_iter().map(|kind| (kind.name.to_string(), kind.version.to_string())).collect();
    let budget = node.router.budget();
    let bytes = |value: u64| i64::try_from(value).unwrap_or(i64::MAX);
    observed.memory_budget = (bytes(budget.limit()), bytes(budget.used()));
    let store = node.state_store();
    observed.commits = store.commits().map(|totals| (store.name(), totals.batches, totals.writes));
    observed
}
