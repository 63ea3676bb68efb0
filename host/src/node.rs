//! One node assembled: engine, kinds, state store, router; and its orderly shutdown.

use crate::activation::ActivationStats;
use crate::activation::Origin;
use crate::cluster::{Cluster, MemberStatus};
use crate::config::{KindSettingsUpdate, NodeConfig};
use crate::error::CallError;
use crate::ids::{ActivationId, GrainId, NodeId};
use crate::kinds::{KindRegistry, Pushed, RegistryError};
use crate::router::Router;
use crate::runtime::{ArtifactCache, EpochTicker, Kind, KindCompiler, build_engine};
use crate::state::{RedbStateStore, StateStore};
use anyhow::Context;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// How long a leaving node waits for its grains to hand over before stopping the rest.
const HANDOVER_WAIT: Duration = Duration::from_secs(10);

/// One live activation, as listed.
pub struct GrainListing {
    pub grain: GrainId,
    pub activation: ActivationId,
    pub stats: Arc<ActivationStats>,
}

pub struct Node {
    config: NodeConfig,
    kinds: Arc<KindRegistry>,
    router: Arc<Router>,
    /// Advances the engine's epoch until the node is dropped.
    _ticker: EpochTicker,
    started: Instant,
}

impl Node {
    /// Starts a node whose state lives in the embedded store under `config.data_dir`.
    pub fn start(config: NodeConfig, id: NodeId) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&config.data_dir)
            .with_context(|| format!("cannot create data dir {}", config.data_dir.display()))?;
        let state = RedbStateStore::open(&config.data_dir.join(crate::state::REDB_FILE))?;
        Node::with_state_store(config, id, Arc::new(state))
    }

    /// Starts a single-node cluster on the given state store.
    pub fn with_state_store(config: NodeConfig, id: NodeId, state: Arc<dyn StateStore>) -> anyhow::Result<Self> {
        Node::in_cluster(config, Cluster::single(id), state)
    }

    /// Starts a node that takes part in `cluster`, on the given state store.
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
        let router = Arc::new(Router::new(
            cluster,
            Arc::clone(&kinds),
            state,
            config.pid_cache_capacity,
            config.mailbox_capacity,
        ));
        let ticker = EpochTicker::start(engine).context("cannot start the epoch ticker thread")?;
        Ok(Node { config, kinds, router, _ticker: ticker, started: Instant::now() })
    }

    /// Checks, compiles and makes `bytes` the current version of kind `name` (a hot reload
    /// if it exists). A refused module changes nothing.
    pub async fn push_kind(
        &self,
        name: &str,
        bytes: Vec<u8>,
        update: KindSettingsUpdate,
    ) -> Result<Pushed, RegistryError> {
        let kinds = Arc::clone(&self.kinds);
        let name = name.to_string();
        tokio::task::spawn_blocking(move || kinds.push(&name, &bytes, &update))
            .await
            .expect("kind compilation does not panic")
    }

    /// Makes the previous version of kind `name` current again.
    pub async fn rollback_kind(&self, name: &str) -> Result<Arc<Kind>, RegistryError> {
        let kinds = Arc::clone(&self.kinds);
        let name = name.to_string();
        tokio::task::spawn_blocking(move || kinds.rollback(&name)).await.expect("rollback does not panic")
    }

    /// Removes kind `name`; its grains deactivate and later messages find no kind.
    pub fn remove_kind(&self, name: &str) -> Result<(), RegistryError> {
        self.kinds.remove(name)
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
        let origin = Origin::external(self.deadline(timeout));
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
        let origin = Origin::external(self.deadline(timeout));
        self.router.send(target, method.to_string(), payload, origin).await
    }

    fn deadline(&self, timeout: Option<Duration>) -> Instant {
        Instant::now() + timeout.unwrap_or(self.config.default_call_timeout)
    }

    pub fn kinds(&self) -> &KindRegistry {
        &self.kinds
    }

    pub fn router(&self) -> &Arc<Router> {
        &self.router
    }

    /// The store grain state lives in.
    pub fn state_store(&self) -> &Arc<dyn StateStore> {
        self.router.state_store()
    }

    pub fn config(&self) -> &NodeConfig {
        &self.config
    }

    /// How long the node has been up.
    pub fn uptime(&self) -> Duration {
        self.started.elapsed()
    }

    pub fn cluster(&self) -> &Arc<Cluster> {
        self.router.cluster()
    }

    /// Leaves the cluster: when other members can host, announces `leaving` so every grain
    /// hands over (saving its state, queued messages following it), then deactivates what
    /// is left (each saves its state) and stops taking part. New messages are refused.
    pub async fn shutdown(&self) {
        let cluster = self.router.cluster();
        if cluster.has_other_hosts() {
            match cluster.set_status(MemberStatus::Leaving).await {
                Ok(()) => self.wait_for_handover().await,
                Err(e) => tracing::warn!("cannot announce leaving: {e:#}"),
            }
        }
        self.router.shutdown().await;
        cluster.stop().await;
    }

    /// Waits until every local grain has handed over, for at most `HANDOVER_WAIT`.
    async fn wait_for_handover(&self) {
        let deadline = Instant::now() + HANDOVER_WAIT;
        while !self.router.directory().is_empty() && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}
