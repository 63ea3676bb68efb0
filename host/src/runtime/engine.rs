//! The node's one wasmtime `Engine` and the epoch ticker that drives time limits.

use crate::config::PoolSettings;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;
use wasmtime::{Config, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

/// How often the epoch advances; a running guest is checked (and yields) this often.
pub const EPOCH_TICK: Duration = Duration::from_millis(10);

/// Core instances, tables and memories one component may need (Rust guests use 1-3
/// core instances; Python and JavaScript guests use more).
const CORE_INSTANCES_PER_COMPONENT: u32 = 4;
const TABLES_PER_COMPONENT: u32 = 2;
const GUARD_BYTES: u64 = 2 * 1024 * 1024;

/// Builds the engine: component model, async, pooling allocator, epoch interruption.
pub fn build_engine(pool: &PoolSettings) -> anyhow::Result<Engine> {
    let mut pooling = PoolingAllocationConfig::new();
    pooling
        .total_component_instances(pool.max_activations)
        .total_core_instances(pool.max_activations.saturating_mul(CORE_INSTANCES_PER_COMPONENT))
        .total_memories(pool.max_activations)
        .total_tables(pool.max_activations.saturating_mul(TABLES_PER_COMPONENT))
        .total_stacks(pool.max_concurrent_turns)
        .max_memories_per_component(4)
        .max_memory_size(usize::try_from(pool.max_grain_memory)?);

    let mut config = Config::new();
    config
        .wasm_component_model(true)
        .concurrency_support(false)
        .epoch_interruption(true)
        .memory_init_cow(true)
        .memory_reservation(pool.max_grain_memory)
        .memory_guard_size(GUARD_BYTES)
        .memory_reservation_for_growth(0)
        .allocation_strategy(InstanceAllocationStrategy::Pooling(pooling));
    Engine::new(&config).map_err(|e| anyhow::anyhow!("cannot build the wasmtime engine: {e}"))
}

/// Advances the engine's epoch every [`EPOCH_TICK`] on a thread of its own, until dropped.
pub struct EpochTicker {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl EpochTicker {
    pub fn start(engine: Engine) -> std::io::Result<Self> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new().name("granary-epoch".into()).spawn(move || {
            while !flag.load(Ordering::Relaxed) {
                std::thread::sleep(EPOCH_TICK);
                engine.increment_epoch();
            }
        })?;
        Ok(EpochTicker { stop, thread: Some(thread) })
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("epoch ticker thread panicked");
        }
    }
}
