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

/// Memory mappings one pool slot may need: its fiber stack and guard page (made at start),
/// and its memory and tables once live. `granary bench density` measured the kernel refusing
/// mappings at 10 812 live Rust counters under a limit of 65 530, about 5.1 per activation
/// beyond the reserve, so 6 leaves a margin for kinds with more tables or memories.
const MAPPINGS_PER_ACTIVATION: u64 = 6;
/// Mappings left for everything else in the process.
const MAPPINGS_RESERVED: u64 = 10_000;

/// The activation capacity that fits `vm.max_map_count`: each pooled slot costs mappings,
/// and running past the kernel's limit fails at start or, worse, under load.
fn fit_to_map_count(requested: u32) -> u32 {
    let Some(max_map_count) =
        std::fs::read_to_string("/proc/sys/vm/max_map_count").ok().and_then(|text| text.trim().parse::<u64>().ok())
    else {
        return requested;
    };
    let fits = max_map_count.saturating_sub(MAPPINGS_RESERVED) / MAPPINGS_PER_ACTIVATION;
    if u64::from(requested) <= fits {
        return requested;
    }
    let needed = u64::from(requested) * MAPPINGS_PER_ACTIVATION + MAPPINGS_RESERVED;
    tracing::warn!(
        "vm.max_map_count is {max_map_count}: holding {fits} live activations instead of {requested}; \
         raise it with `sysctl -w vm.max_map_count={needed}` for the full capacity"
    );
    u32::try_from(fits).unwrap_or(requested)
}

/// Builds the engine: component model, async, pooling allocator, epoch interruption.
pub fn build_engine(pool: &PoolSettings) -> anyhow::Result<Engine> {
    let capacity = fit_to_map_count(pool.max_activations);
    let mut pooling = PoolingAllocationConfig::new();
    pooling
        .total_component_instances(capacity)
        .total_core_instances(capacity.saturating_mul(CORE_INSTANCES_PER_COMPONENT))
        .total_memories(capacity)
        .total_tables(capacity.saturating_mul(TABLES_PER_COMPONENT))
        // A Store keeps its fiber stack between calls, so every live activation holds one.
        .total_stacks(capacity)
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
    /// Starts advancing `engine`'s epoch on a thread of its own.
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
