//! Node and kind settings, each default documented where it is set.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

pub use granary_wire::push_query::KindSettingsUpdate;
pub use granary_wire::topics::Subscription;

const MIB: u64 = 1024 * 1024;

/// The largest state one `save-state` may write unless the node or kind says otherwise.
pub const DEFAULT_MAX_STATE: u64 = 16 * MIB;

/// Settings a kind carries; every activation of the kind runs under them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KindSettings {
    /// Deactivate a grain after this long without a message (default 60 s).
    /// A grain can override it for itself with `set-receive-timeout`.
    pub idle_timeout: Duration,
    /// Cap on one activation's linear memory (default 64 MiB).
    pub max_memory: u64,
    /// Cap on the wall-clock time one message may run, awaited calls included (default 5 s).
    pub time_limit: Duration,
    /// Roles a cluster member must carry to host the kind's grains (default none: any member).
    pub roles: BTreeSet<String>,
    /// Most live activations of the kind on one member (default 0: no limit). Past it, the
    /// kind's least recently used idle activation deactivates to make room.
    pub max_live: u32,
    /// Largest state one `save-state` may write (default the node's, 16 MiB unless set).
    pub max_state: u64,
    /// Hosts (`HOST` or `HOST:PORT`) the kind's grains may send HTTP requests to through
    /// `wasi:http` (default none: every request is refused).
    pub allow_http: BTreeSet<String>,
    /// Topics whose events reach the kind's grains (default none).
    pub subscribe: BTreeSet<Subscription>,
}

impl Default for KindSettings {
    fn default() -> Self {
        KindSettings {
            idle_timeout: Duration::from_secs(60),
            max_memory: 64 * MIB,
            time_limit: Duration::from_secs(5),
            roles: BTreeSet::new(),
            max_live: 0,
            max_state: DEFAULT_MAX_STATE,
            allow_http: BTreeSet::new(),
            subscribe: BTreeSet::new(),
        }
    }
}

impl From<KindSettings> for KindSettingsUpdate {
    /// An update that sets every field.
    fn from(settings: KindSettings) -> Self {
        KindSettingsUpdate {
            idle_timeout: Some(settings.idle_timeout),
            max_memory: Some(settings.max_memory),
            time_limit: Some(settings.time_limit),
            roles: Some(settings.roles),
            max_live: Some(settings.max_live),
            max_state: Some(settings.max_state),
            allow_http: Some(settings.allow_http),
            subscribe: Some(settings.subscribe),
            force: false,
        }
    }
}

/// How many activations the node can hold at once, and what each may use at most.
///
/// These size wasmtime's pooling allocator, which reserves address space for every slot
/// up front; only memory actually touched by a grain becomes resident.
#[derive(Clone, Debug)]
pub struct PoolSettings {
    /// Live activations the node can hold (default 100 000).
    pub max_activations: u32,
    /// Largest linear memory any kind may be given (default 128 MiB); each slot reserves it.
    pub max_grain_memory: u64,
}

impl Default for PoolSettings {
    fn default() -> Self {
        PoolSettings { max_activations: 100_000, max_grain_memory: 128 * MIB }
    }
}

/// Everything one node needs to start.
#[derive(Clone, Debug)]
pub struct NodeConfig {
    /// Where the node keeps its state store and compiled-module cache.
    pub data_dir: PathBuf,
    /// Settings given to kinds loaded without explicit ones.
    pub default_kind: KindSettings,
    /// Size of the activation pool.
    pub pool: PoolSettings,
    /// Messages that may wait in one activation's mailbox before senders wait (default 1 024).
    pub mailbox_capacity: usize,
    /// Deadline of a request that names none (default 30 s).
    pub default_call_timeout: Duration,
    /// Entries in the PID cache (default 1 000 000).
    pub pid_cache_capacity: u64,
    /// Largest component accepted as a kind (default 64 MiB).
    pub max_module_bytes: usize,
    /// Whether turns and saves are counted for `/metrics` (default on).
    pub metrics: bool,
    /// Bytes the live grains may hold together, linear memory plus instance overhead (default
    /// half the memory of the machine or of its cgroup, whichever is less). Near it, the
    /// least recently used idle grains deactivate; past it, new activations are refused.
    pub memory_budget: u64,
}

impl NodeConfig {
    /// Production defaults with state and caches under `data_dir`.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        NodeConfig {
            data_dir: data_dir.into(),
            default_kind: KindSettings::default(),
            pool: PoolSettings::default(),
            mailbox_capacity: 1_024,
            default_call_timeout: Duration::from_secs(30),
            pid_cache_capacity: 1_000_000,
            max_module_bytes: 64 * MIB as usize,
            metrics: true,
            memory_budget: default_memory_budget(),
        }
    }

    /// Small pool, short limits: many test nodes fit in one process.
    pub fn for_test(data_dir: impl Into<PathBuf>) -> Self {
        NodeConfig {
            default_kind: KindSettings { time_limit: Duration::from_secs(2), ..KindSettings::default() },
            pool: PoolSettings { max_activations: 400, max_grain_memory: 64 * MIB },
            default_call_timeout: Duration::from_secs(10),
            pid_cache_capacity: 10_000,
            ..NodeConfig::new(data_dir)
        }
    }
}

/// Half the memory this process may use: the machine's, or its cgroup's limit when lower.
pub fn default_memory_budget() -> u64 {
    let machine = machine_memory();
    let cgroup = std::fs::read_to_string("/sys/fs/cgroup/memory.max")
        .ok()
        .and_then(|limit| limit.trim().parse::<u64>().ok())
        .unwrap_or(u64::MAX);
    machine.min(cgroup) / 2
}

fn machine_memory() -> u64 {
    // SAFETY: sysconf only reads system configuration.
    let (pages, page_size) = unsafe { (libc::sysconf(libc::_SC_PHYS_PAGES), libc::sysconf(libc::_SC_PAGESIZE)) };
    match (u64::try_from(pages), u64::try_from(page_size)) {
        (Ok(pages), Ok(page_size)) if pages > 0 => pages.saturating_mul(page_size),
        _ => 4 * 1024 * MIB,
    }
}
