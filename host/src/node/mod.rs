//! One node assembled: engine, kinds, state store, router, cluster; the background work it
//! owns (the peer port, kind replication, membership), and its orderly shutdown, which awaits
//! all of it.

mod deliveries;
mod event_delivery;
mod inbound;
mod observe;
mod readiness;
mod reminder_firing;
mod replication;
mod status;

pub use status::{ClusterStatus, MemberRow};

use crate::activation::{ActivationStats, MemoryBudget};
use crate::cluster::{Cluster, MemberStatus};
use crate::config::{KindSettingsUpdate, NodeConfig};
use crate::error::CallError;
use crate::ids::{ActivationId, GrainId, KindName, NodeId};
use crate::kinds::{KindRegistry, Pushed, RegistryError};
use crate::message::Origin;
use crate::metrics::Metrics;
use crate::router::Router;
use crate::runtime::{ArtifactCache, EpochTicker, Kind, KindCompiler, build_engine};
use crate::state::{RedbStateStore, Reminder, StateStore};
use crate::telemetry::TraceParent;
use anyhow::Context;
use event_delivery::EventDeliveryLoop;
use inbound::PeerInbound;
use reminder_firing::ReminderFiring;
use replication::Replication;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::OnceCell;
use tokio::time::Instant;

/// How long a leaving node waits for its grains to hand over before stopping the rest.
const HANDOVER_WAIT: Duration = Duration::from_secs(10);

/// One live activation, as listed.
pub struct GrainListing {
    /// The grain.
    pub grain: GrainId,
    /// Its activation on this node.
    pub activation: ActivationId,
    /// What it has done so far.
    pub stats: Arc<ActivationStats>,
}

/// One node.
pub struct Node {
    config: NodeConfig,
    kinds: Arc<KindRegistry>,
    router: Arc<Router>,
    replication: Arc<Replication>,
    /// Fires the reminders of the grains this node owns; taken when it stops.
    reminder_firing: std::sync::Mutex<Option<ReminderFiring>>,
    /// Delivers queued events to the grains this node owns; taken when it stops.
    event_delivery: std::sync::Mutex<Option<EventDeliveryLoop>>,
    /// Advances the engine's epoch until the node is dropped.
    _ticker: EpochTicker,
    started: Instant,
    /// Set once shutdown has run, so a second call waits for the first.
    stopped: OnceCell<()>,
    readiness: readiness::Readiness,
    metrics: Arc<Metrics>,
}

impl Node {
    /// Starts a node whose state lives in the embedded store under `config.data_dir`.
    pub fn start(config: NodeConfig, id: NodeId) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("cannot create data dir {}", config.data_dir.display()))?;
        let state = RedbStateStore::open(&config.data_dir.join(crate::state::REDB_FILE))?;
        Node::with_state_store(config, id, Arc::new(state))
    }

    /// Starts a single-node cluster on the given state store; it opens no peer port.
    pub fn with_state_store(config: NodeConfig, id: NodeId, state: Arc<dyn StateStore>) -> anyhow::Result<Self> {
        Node::in_cluster(config, Cluster::single(id), state)
    }

    /// Starts a node that takes part in `cluster`, on the given state store: it answers its
    /// peers on the cluster's transport and keeps its kinds in step with theirs.
    pub fn in_cluster(config: NodeConfig, cluster: Arc<Cluster>, state: Arc<dyn StateStore>) -> anyhow::Result<Self> {
        let engine = build_engine(&config.pool)?;
        let cache = ArtifactCache::new(config.data_dir.join("artifacts"), &engine)
            .with_context(|| format!("cannot create the artifact cache under {}", config.data_dir.display()))?;
        let compiler = KindCompiler::new(engine.clone(), cache, config.max_module_bytes)?;
        let kinds = Arc::new(KindRegistry::open(
            compiler,
            &config.data_dir,
            config.default_kind.clone(),
            config.pool.max_grain_memory,
        )?);
        let metrics = Metrics::new(config.metrics);
        let router = Router::new(
            Arc::clone(&cluster),
            Arc::clone(&kinds),
            state,
            Arc::clone(&metrics),
            Arc::new(MemoryBudget::new(config.memory_budget)),
            config.pid_cache_capacity,
            config.mailbox_capacity,
        );
        let ticker = EpochTicker::start(engine).context("cannot start the epoch ticker thread")?;
        let replication = Replication::start(Arc::clone(&cluster), Arc::clone(&kinds), config.max_module_bytes);
        let inbound = PeerInbound::new(Arc::clone(&router), Arc::clone(&replication));
        cluster.transport().serve(Arc::new(inbound))?;
        let reminder_firing = std::sync::Mutex::new(Some(ReminderFiring::start(Arc::clone(&router))));
        let event_delivery = std::sync::Mutex::new(Some(EventDeliveryLoop::start(Arc::clone(&router))));
        Ok(Node {
            config,
            kinds,
            router,
            replication,
            reminder_firing,
            event_delivery,
            _ticker: ticker,
            started: Instant::now(),
            stopped: OnceCell::new(),
            readiness: readiness::Readiness::default(),
            metrics,
        })
    }

    /// Checks, compiles and makes `bytes` the current version of kind `name` (a hot reload
    /// if it exists), and announces it to the other members. A refused module changes nothing.
    pub async fn push_kind(
        &self,
        name: &str,
        bytes: Vec<u8>,
        update: KindSettingsUpdate,
    ) -> Result<Pushed, RegistryError> {
        let name: KindName = name.parse()?;
        let pushed = replication::install(&self.kinds, name.clone(), bytes, update).await?;
        if !pushed.unchanged {
            self.replication.announce(&name);
        }
        Ok(pushed)
    }

    /// Makes the previous version of kind `name` current again, on every member.
    pub async fn rollback_kind(&self, name: &str) -> Result<Arc<Kind>, RegistryError> {
        let name: KindName = name.parse()?;
        let kinds = Arc::clone(&self.kinds);
        let rolled = name.clone();
        let kind = tokio::task::spawn_blocking(move || kinds.rollback(&rolled))
            .await
            .map_err(|e| RegistryError::Storage(format!("the rollback stopped: {e}")))??;
        self.replication.announce(&name);
        Ok(kind)
    }

    /// Removes kind `name` on every member; its grains deactivate and later messages find no kind.
    pub fn remove_kind(&self, name: &str) -> Result<(), RegistryError> {
        let name: KindName = name.parse()?;
        self.kinds.remove(&name)?;
        self.replication.remove(&name);
        Ok(())
    }

    /// Pushes every `NAME.wasm` in `dir` as kind `NAME`.
    pub async fn push_kinds_dir(&self, dir: &Path, update: &KindSettingsUpdate) -> anyhow::Result<Vec<Pushed>> {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .with_context(|| format!("cannot read kinds dir {}", dir.display()))?
            .filter_map(Result::ok)
            .map(|entry| entry.path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "wasm"))
            .collect();
        files.sort();
        let mut pushed = Vec::new();
        for path in files {
            let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
            let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
            let kind = self
                .push_kind(&name, bytes, update.clone())
                .await
                .with_context(|| format!("cannot load {} as kind {name:?}", path.display()))?;
            pushed.push(kind);
        }
        Ok(pushed)
    }

    /// The live activations, sorted by grain id.
    pub fn grains(&self) -> Vec<GrainListing> {
        self.router
            .directory()
            .snapshot()
            .into_iter()
            .map(|(grain, pid)| GrainListing { grain, activation: pid.activation, stats: pid.stats })
            .collect()
    }

    /// Calls `target` and waits for its reply, for `timeout` or the node's default.
    pub async fn call(
        &self,
        target: &GrainId,
        method: &str,
        payload: Vec<u8>,
        timeout: Option<Duration>,
    ) -> Result<Vec<u8>, CallError> {
        self.call_in_trace(target, method, payload, timeout, None).await
    }

    /// [`Node::call`] as part of the caller's trace `trace`.
    pub async fn call_in_trace(
        &self,
        target: &GrainId,
        method: &str,
        payload: Vec<u8>,
        timeout: Option<Duration>,
        trace: Option<TraceParent>,
    ) -> Result<Vec<u8>, CallError> {
        let origin = Origin { trace, ..Origin::external(self.deadline(timeout)) };
        self.router.call(target, method.to_string(), payload, origin).await
    }

    /// Queues a one-way message for `target`.
    pub async fn send(
        &self,
        target: &GrainId,
        method: &str,
        payload: Vec<u8>,
        timeout: Option<Duration>,
    ) -> Result<(), CallError> {
        self.send_in_trace(target, method, payload, timeout, None).await
    }

    /// [`Node::send`] as part of the caller's trace `trace`.
    pub async fn send_in_trace(
        &self,
        target: &GrainId,
        method: &str,
        payload: Vec<u8>,
        timeout: Option<Duration>,
        trace: Option<TraceParent>,
    ) -> Result<(), CallError> {
        let origin = Origin { trace, ..Origin::external(self.deadline(timeout)) };
        self.router.send(target, method.to_string(), payload, origin).await
    }

    /// Durably appends an event to (`topic`, `key`) for every kind subscribed to `topic`;
    /// returns its sequence number on (`topic`, `key`).
    pub async fn publish(&self, topic: &str, key: &str, payload: Vec<u8>) -> Result<u64, CallError> {
        self.router.publish(topic, key, payload).await
    }

    /// How late the reminders this node fired so far were.
    pub fn reminder_lateness(&self) -> crate::reminders::Lateness {
        self.router.reminders().lateness()
    }

    /// `grain`'s reminders, as stored.
    pub async fn reminders_of(&self, grain: &GrainId) -> Result<Vec<Reminder>, String> {
        self.router.reminders().of(grain).await
    }

    fn deadline(&self, timeout: Option<Duration>) -> Instant {
        Instant::now() + timeout.unwrap_or(self.config.default_call_timeout)
    }

    /// The node's kinds.
    pub fn kinds(&self) -> &KindRegistry {
        &self.kinds
    }

    /// The node's router.
    pub fn router(&self) -> &Arc<Router> {
        &self.router
    }

    /// The store grain state lives in.
    pub fn state_store(&self) -> &Arc<dyn StateStore> {
        self.router.state_store()
    }

    /// The settings the node started with.
    pub fn config(&self) -> &NodeConfig {
        &self.config
    }

    /// How long the node has been up.
    pub fn uptime(&self) -> Duration {
        self.started.elapsed()
    }

    /// The cluster the node takes part in.
    pub fn cluster(&self) -> &Arc<Cluster> {
        self.router.cluster()
    }

    /// Every member as this node sees it, with live grains per kind asked of each.
    pub async fn cluster_status(&self) -> ClusterStatus {
        status::gather(self).await
    }

    /// Empty when the node should get traffic: it is up in its cluster, holds every kind the
    /// other members hold, and is not draining. Otherwise, why not.
    pub async fn unready_reasons(&self) -> Vec<String> {
        readiness::check(self).await
    }

    /// Every metric in the Prometheus text format, or `None` when metrics are off.
    pub fn metrics_text(&self) -> Option<String> {
        self.metrics.enabled().then(|| self.metrics.render(observe::observe(self)))
    }

    /// The last faults on this node (empty when metrics are off).
    pub fn recent_faults(&self) -> Vec<crate::metrics::Fault> {
        self.metrics.faults()
    }

    /// Turns the node unready at once, ahead of [`Node::shutdown`], so an orchestrator sends
    /// it nothing new while it drains.
    pub fn begin_drain(&self) {
        self.readiness.drain();
    }

    /// Stops firing reminders and delivering events, then leaves the cluster and stops everything the node started: when other members can host,
    /// announces `leaving` so every grain hands over (saving its state, queued messages
    /// following it), then deactivates what is left (each saves its state), stops replicating
    /// kinds, leaves the membership and closes the peer port. New messages are refused as not
    /// run. Awaits every task; a second call waits for the first.
    pub async fn shutdown(&self) {
        self.stopped.get_or_init(|| self.stop_everything()).await;
    }

    async fn stop_everything(&self) {
        self.begin_drain();
        let firing = self.reminder_firing.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take();
        if let Some(firing) = firing {
            firing.stop().await;
        }
        let delivery = self.event_delivery.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take();
        if let Some(delivery) = delivery {
            delivery.stop().await;
        }
        let cluster = self.router.cluster();
        if cluster.has_other_hosts() {
            match cluster.set_status(MemberStatus::Leaving).await {
                Ok(()) => {
                    let handed_over = tokio::time::timeout(HANDOVER_WAIT, self.router.directory().until_empty()).await;
                    if handed_over.is_err() {
                        tracing::warn!(
                            left = self.router.directory().len(),
                            "not every grain handed over in {HANDOVER_WAIT:?}"
                        );
                    }
                }
                Err(e) => tracing::warn!("cannot announce leaving: {e:#}"),
            }
        }
        self.replication.shutdown().await;
        self.router.shutdown().await;
        cluster.stop().await;
    }
}
