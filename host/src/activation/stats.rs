//! What a listing shows of a live activation, updated by its task after every message, the
//! kind's metrics each turn and activation is counted in, and its charge on the memory budget.

use super::budget::{INSTANCE_OVERHEAD, MemoryBudget};
use crate::ids::GrainId;
use crate::metrics::{KindMetrics, Outcome};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;
use tokio::time::Instant;

/// What one activation has done: when it last finished a message, its memory, its version.
#[derive(Debug)]
pub struct ActivationStats {
    started: Instant,
    /// Milliseconds after `started` when the last message finished.
    last_active_ms: AtomicU64,
    memory_bytes: AtomicU64,
    version: OnceLock<String>,
    /// Where its turns are counted; `None` when metrics are off.
    kind: Option<Arc<KindMetrics>>,
    /// The node's memory budget its instance is charged on, if any.
    budget: Option<Arc<MemoryBudget>>,
    /// What it has charged there: its linear memory plus the instance overhead, once started.
    charged: AtomicU64,
}

impl Default for ActivationStats {
    /// Stats of a new activation whose turns are counted nowhere.
    fn default() -> Self {
        ActivationStats::new(None, None)
    }
}

impl ActivationStats {
    /// Stats of a new activation whose turns are counted in `kind` and whose instance is
    /// charged on `budget`.
    pub fn new(kind: Option<Arc<KindMetrics>>, budget: Option<Arc<MemoryBudget>>) -> Self {
        ActivationStats {
            started: Instant::now(),
            last_active_ms: AtomicU64::new(0),
            memory_bytes: AtomicU64::new(0),
            version: OnceLock::new(),
            kind,
            budget,
            charged: AtomicU64::new(0),
        }
    }

    /// Charges the started instance, holding `memory_bytes` of linear memory, on the budget.
    pub fn instance_started(&self, memory_bytes: u64) {
        self.memory_bytes.store(memory_bytes, Ordering::Relaxed);
        self.recharge(INSTANCE_OVERHEAD + memory_bytes);
    }

    /// Gives the instance's charge back: it has stopped.
    pub fn instance_stopped(&self) {
        self.recharge(0);
    }

    /// Sets this activation's charge on the budget to `bytes`.
    fn recharge(&self, bytes: u64) {
        let Some(budget) = &self.budget else { return };
        let before = self.charged.swap(bytes, Ordering::AcqRel);
        if bytes > before {
            budget.charge(bytes - before);
        } else {
            budget.release(before - bytes);
        }
    }

    /// Records that the activation started, running kind version `version`.
    pub fn activated(&self, version: &str) {
        self.version.get_or_init(|| version.to_string());
        if let Some(kind) = &self.kind {
            kind.activated();
        }
    }

    /// Records a finished turn of `method`, how it ended and took, and the memory after it.
    pub fn record_turn(&self, memory_bytes: u64, method: &str, outcome: Outcome, took: Duration) {
        let since_start = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_active_ms.store(since_start, Ordering::Relaxed);
        if self.memory_bytes.swap(memory_bytes, Ordering::Relaxed) != memory_bytes {
            self.recharge(INSTANCE_OVERHEAD + memory_bytes);
        }
        if let Some(kind) = &self.kind {
            kind.record_call(method, outcome, took);
        }
    }

    /// Records that a turn of `method` on `grain` faulted with `error`.
    pub fn record_fault(&self, grain: &GrainId, method: &str, error: String) {
        if let Some(kind) = &self.kind {
            kind.faulted(grain.to_string(), method, error);
        }
    }

    /// The kind version the activation runs ("" while it is still starting).
    pub fn version(&self) -> &str {
        self.version.get().map_or("", String::as_str)
    }

    /// How long since the activation last finished a message (or started).
    pub fn idle(&self) -> Duration {
        let last = Duration::from_millis(self.last_active_ms.load(Ordering::Relaxed));
        self.started.elapsed().saturating_sub(last)
    }

    /// The instance's linear memory after its last message.
    pub fn memory_bytes(&self) -> u64 {
        self.memory_bytes.load(Ordering::Relaxed)
    }
}
