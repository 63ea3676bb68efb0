//! A node's Prometheus metrics (`GET /metrics`): what grains do, counted as they do it, and
//! what the node holds, read when scraped. No label ever names a grain identity, and each
//! kind's method labels are capped (the rest count as `other`), so cardinality stays bounded
//! by the kinds pushed. Off (`NodeConfig::metrics`), turns record nothing at all.

mod faults;
mod kind;
mod striped;

pub use faults::{Fault, Faults};
pub use kind::{KindMetrics, Outcome};
pub use striped::{StripedCounter, StripedHistogram};

use crate::ids::KindName;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::{Registry, Unit};
use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::{Arc, RwLock};

/// Labels of a kind's own series.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabel {
    kind: String,
}

/// Labels of a deactivation.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DeactivationLabels {
    kind: String,
    reason: String,
}

/// Labels of a call.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CallLabels {
    kind: String,
    method: String,
    outcome: String,
}

/// Labels of a state save.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StoreLabel {
    store: String,
}

/// Labels of a member count.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabel {
    status: String,
}

/// Labels of a kind's current version.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindVersionLabels {
    kind: String,
    version: String,
}

/// What the node holds at the moment of a scrape, gathered by the node.
#[derive(Default)]
pub struct Observed {
    /// Per kind: live activations on this node and the sum of their linear memory.
    pub live: HashMap<String, (i64, i64)>,
    /// Messages waiting in mailboxes (or in hand) across every activation.
    pub mailbox_depth: i64,
    /// Members this node sees, by status.
    pub members: HashMap<&'static str, i64>,
    /// Every kind with its current version.
    pub versions: Vec<(String, String)>,
    /// The node's memory budget and what live grains hold of it.
    pub memory_budget: (i64, i64),
    /// The state store's name, and the commits its group commit made with the writes in
    /// them, since the node started (none for a store that does not batch).
    pub commits: Option<(&'static str, u64, u64)>,
}

/// Every series a node exports, and the kinds' handles turns record through.
pub struct Metrics {
    enabled: bool,
    registry: Registry,
    kinds: RwLock<HashMap<KindName, Arc<KindMetrics>>>,
    faults: Arc<Faults>,
    calls: Family<CallLabels, StripedCounter>,
    call_duration: Family<KindLabel, StripedHistogram>,
    activations: Family<KindLabel, StripedCounter>,
    deactivations: Family<DeactivationLabels, Counter>,
    save_duration: Family<StoreLabel, StripedHistogram>,
    forwarded: StripedCounter,
    retried: StripedCounter,
    live_grains: Family<KindLabel, Gauge>,
    grain_memory: Family<KindLabel, Gauge>,
    mailbox_depth: Gauge,
    members: Family<StatusLabel, Gauge>,
    versions: Family<KindVersionLabels, Gauge>,
    memory_budget: Gauge,
    memory_budget_used: Gauge,
    state_commits: Family<StoreLabel, Counter>,
    state_committed_writes: Family<StoreLabel, Counter>,
}

impl Metrics {
    /// Every series, registered; with `enabled` false, turns and saves record nothing.
    pub fn new(enabled: bool) -> Arc<Self> {
        let metrics = Metrics {
            enabled,
            registry: Registry::with_prefix("granary"),
            kinds: RwLock::default(),
            faults: Arc::default(),
            calls: Family::default(),
            call_duration: Family::default(),
            activations: Family::default(),
            deactivations: Family::default(),
            save_duration: Family::default(),
            forwarded: StripedCounter::default(),
            retried: StripedCounter::default(),
            live_grains: Family::default(),
            grain_memory: Family::default(),
            mailbox_depth: Gauge::default(),
            members: Family::default(),
            versions: Family::default(),
            memory_budget: Gauge::default(),
            memory_budget_used: Gauge::default(),
            state_commits: Family::default(),
            state_committed_writes: Family::default(),
        };
        Arc::new(metrics.registered())
    }

    fn registered(mut self) -> Self {
        let registry = &mut self.registry;
        registry.register("grain_calls", "Turns run, by kind, method and outcome", self.calls.clone());
        registry.register_with_unit(
            "grain_call_duration",
            "How long a turn took, by kind",
            Unit::Seconds,
            self.call_duration.clone(),
        );
        registry.register("activations", "Activations started, by kind", self.activations.clone());
        registry.register("deactivations", "Activations ended, by kind and reason", self.deactivations.clone());
        registry.register("live_grains", "Live activations on this node, by kind", self.live_grains.clone());
        registry.register_with_unit(
            "grain_memory",
            "Linear memory of the live activations on this node, by kind",
            Unit::Bytes,
            self.grain_memory.clone(),
        );
        registry.register_with_unit(
            "state_save_duration",
            "How long a durable state save took, by store",
            Unit::Seconds,
            self.save_duration.clone(),
        );
        registry.register(
            "state_commits",
            "Group commits of the state store, each making a batch of writes durable at once",
            self.state_commits.clone(),
        );
        registry.register(
            "state_committed_writes",
            "Saves, epoch claims and event changes made durable by group commits",
            self.state_committed_writes.clone(),
        );
        registry.register("mailbox_depth", "Messages waiting for their turn on this node", self.mailbox_depth.clone());
        registry.register(
            "messages_forwarded",
            "Messages sent on to the member that owns their grain",
            self.forwarded.clone(),
        );
        registry.register(
            "messages_retried",
            "Messages asked again after a member said not here",
            self.retried.clone(),
        );
        registry.register("cluster_members", "Members this node sees, by status", self.members.clone());
        registry.register("kind_version_info", "The current version of each kind (always 1)", self.versions.clone());
        registry.register_with_unit(
            "memory_budget",
            "What live grains may hold together (linear memory plus instance overhead)",
            Unit::Bytes,
            self.memory_budget.clone(),
        );
        registry.register_with_unit(
            "memory_budget_used",
            "What live grains hold of the memory budget now",
            Unit::Bytes,
            self.memory_budget_used.clone(),
        );
        self
    }

    /// Whether turns record anything.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// The handles turns of `kind` record through; `None` when metrics are off. Ask only for
    /// kinds that exist: each kind asked for becomes a label.
    pub fn kind(&self, kind: &KindName) -> Option<Arc<KindMetrics>> {
        if !self.enabled {
            return None;
        }
        if let Some(known) = self.kinds.read().unwrap_or_else(std::sync::PoisonError::into_inner).get(kind) {
            return Some(Arc::clone(known));
        }
        let mut kinds = self.kinds.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        let made = kinds.entry(kind.clone()).or_insert_with(|| {
            let label = KindLabel { kind: kind.to_string() };
            Arc::new(KindMetrics::new(
                kind.to_string(),
                self.calls.clone(),
                self.call_duration.get_or_create_owned(&label),
                self.activations.get_or_create_owned(&label),
                self.deactivations.clone(),
                Arc::clone(&self.faults),
            ))
        });
        Some(Arc::clone(made))
    }

    /// The last faults on this node.
    pub fn faults(&self) -> Vec<Fault> {
        self.faults.recent()
    }

    /// The histogram saves to `store` record into.
    pub fn save_duration(&self, store: &str) -> StripedHistogram {
        self.save_duration.get_or_create_owned(&StoreLabel { store: store.to_string() })
    }

    /// Counts messages sent on to their grain's owner.
    pub fn forwarded(&self) -> &StripedCounter {
        &self.forwarded
    }

    /// Counts messages asked again after a member said not here.
    pub fn retried(&self) -> &StripedCounter {
        &self.retried
    }

    /// Every series in the Prometheus text format, with `observed` as the node's gauges.
    pub fn render(&self, observed: Observed) -> String {
        self.live_grains.clear();
        self.grain_memory.clear();
        for (kind, (live, memory)) in observed.live {
            let label = KindLabel { kind };
            self.live_grains.get_or_create(&label).set(live);
            self.grain_memory.get_or_create(&label).set(memory);
        }
        self.mailbox_depth.set(observed.mailbox_depth);
        self.members.clear();
        for (status, count) in observed.members {
            self.members.get_or_create(&StatusLabel { status: status.to_string() }).set(count);
        }
        self.versions.clear();
        for (kind, version) in observed.versions {
            self.versions.get_or_create(&KindVersionLabels { kind, version }).set(1);
        }
        self.memory_budget.set(observed.memory_budget.0);
        self.memory_budget_used.set(observed.memory_budget.1);
        if let Some((store, commits, writes)) = observed.commits {
            let label = StoreLabel { store: store.to_string() };
            // Totals the store counts itself: set as they stand, so concurrent scrapes agree.
            self.state_commits.get_or_create(&label).inner().store(commits, Ordering::Relaxed);
            self.state_committed_writes.get_or_create(&label).inner().store(writes, Ordering::Relaxed);
        }
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry).expect("writing to a String cannot fail");
        text
    }
}
