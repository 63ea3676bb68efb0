//! What every scenario starts from: the run's options, the counter components built from
//! examples/, and nodes with in-memory state whose grains never idle out during a run.

use super::report::ScenarioReport;
use super::store::StoreSpec;
use anyhow::Context;
use granary::config::{KindSettings, NodeConfig, PoolSettings};
use granary::ids::{GrainId, NodeId};
use granary::node::Node;
use granary::state::StateStore;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// How big and how often a run measures.
#[derive(Clone, Debug)]
pub struct Options {
    /// Small samples and one short repetition: proves the harness runs, measures little.
    pub quick: bool,
    /// Times each scenario is measured, its baseline alongside each time.
    pub repetitions: usize,
    /// Where the example grains were built: `<grains>/<lang>/counter.wasm`.
    pub grains: PathBuf,
    /// The state stores the scenarios that write state run on, each in turn.
    pub stores: Vec<StoreSpec>,
    /// Unique to this run, so grains in a database shared across runs start afresh.
    pub run: String,
    /// As root: `vm.max_map_count` for the density scenario, restored afterwards.
    pub max_map_count: Option<u64>,
}

impl Options {
    /// `name`, made unique to this run.
    pub fn unique(&self, name: &str) -> String {
        format!("{name}-{}", self.run)
    }

    /// `quick` under `--quick`, else `full`.
    pub fn size<T>(&self, quick: T, full: T) -> T {
        if self.quick { quick } else { full }
    }
}

/// The kind name every scenario installs the counter under.
pub const COUNTER: &str = "counter";
/// Largest linear memory a bench grain may use; the counter needs about 1 MiB.
const GRAIN_MEMORY: u64 = 64 * 1024 * 1024;

/// The counter component built for `lang`.
pub fn counter_component(grains: &Path, lang: &str) -> anyhow::Result<Vec<u8>> {
    let path = grains.join(lang).join("counter.wasm");
    std::fs::read(&path)
        .with_context(|| format!("cannot read {} (build it: ./examples/build.sh {lang})", path.display()))
}

/// Runs `scenario` on every store the run was given, in turn.
pub async fn on_each_store(
    options: &Options,
    scenario: impl AsyncFn(&Options, &StoreSpec) -> anyhow::Result<ScenarioReport>,
) -> anyhow::Result<Vec<ScenarioReport>> {
    let mut reports = Vec::new();
    for store in &options.stores {
        reports.push(scenario(options, store).await?);
    }
    Ok(reports)
}

/// A pool of `activations` slots with the bench's memory cap.
pub fn pool(activations: u32) -> PoolSettings {
    PoolSettings { max_activations: activations, max_grain_memory: GRAIN_MEMORY }
}

/// Kind settings under which a grain stays live for the whole run.
pub fn long_lived() -> KindSettings {
    KindSettings { idle_timeout: Duration::from_secs(3600), max_memory: GRAIN_MEMORY, ..KindSettings::default() }
}

/// A single node, with its data dir removed when dropped.
pub struct BenchNode {
    pub node: Arc<Node>,
    /// The node's state store.
    pub state: Arc<dyn StateStore>,
    data: tempfile::TempDir,
}

impl BenchNode {
    /// A node on in-memory state, of `activations` slots, with `component` installed as kind
    /// `counter`.
    pub async fn with_counter(component: &[u8], activations: u32) -> anyhow::Result<BenchNode> {
        BenchNode::on_store(component, activations, &StoreSpec::Memory).await
    }

    /// The same on the store `spec`.
    pub async fn on_store(component: &[u8], activations: u32, spec: &StoreSpec) -> anyhow::Result<BenchNode> {
        BenchNode::start(component, activations, spec, true).await
    }

    /// The same, counting metrics or not.
    pub async fn start(
        component: &[u8],
        activations: u32,
        spec: &StoreSpec,
        metrics: bool,
    ) -> anyhow::Result<BenchNode> {
        BenchNode::configured(component, spec, |config| NodeConfig { pool: pool(activations), metrics, ..config }).await
    }

    /// A node on the store `spec` with `component` as kind `counter`, its settings the
    /// defaults as changed by `configure`.
    pub async fn configured(
        component: &[u8],
        spec: &StoreSpec,
        configure: impl FnOnce(NodeConfig) -> NodeConfig,
    ) -> anyhow::Result<BenchNode> {
        let data = tempfile::tempdir().context("cannot create a temporary data dir")?;
        let state = spec.open(data.path()).await?;
        BenchNode::assemble(component, data, state, configure).await
    }

    /// A node on the store `state`, of `activations` slots, with `component` as kind `counter`.
    pub async fn on_state(component: &[u8], activations: u32, state: Arc<dyn StateStore>) -> anyhow::Result<BenchNode> {
        let data = tempfile::tempdir().context("cannot create a temporary data dir")?;
        BenchNode::assemble(component, data, state, |config| NodeConfig {
            pool: pool(activations),
            metrics: true,
            ..config
        })
        .await
    }

    /// A node with its data in `data` and its state in `state`, `component` as kind `counter`.
    async fn assemble(
        component: &[u8],
        data: tempfile::TempDir,
        state: Arc<dyn StateStore>,
        configure: impl FnOnce(NodeConfig) -> NodeConfig,
    ) -> anyhow::Result<BenchNode> {
        let config = configure(NodeConfig::new(data.path()));
        let node = Node::with_state_store(config, NodeId("bench".into()), Arc::clone(&state))?;
        node.push_kind(COUNTER, component.to_vec(), long_lived().into()).await?;
        Ok(BenchNode { node: Arc::new(node), state, data })
    }

    /// The node's data dir.
    pub fn dir(&self) -> &Path {
        self.data.path()
    }

    pub async fn shutdown(self) {
        self.node.shutdown().await;
    }
}

/// Grain `identity` of the bench's counter kind.
pub fn counter_grain(identity: impl Into<String>) -> GrainId {
    GrainId::new(COUNTER, identity).expect("bench identities are valid")
}
