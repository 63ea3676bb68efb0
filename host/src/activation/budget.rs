//! The node's memory budget: what its live grains hold together, each one's linear memory plus
//! a fixed instance overhead, charged as activations start, grow and stop.

use std::sync::atomic::{AtomicU64, Ordering};

/// What one instance costs besides its linear memory: wasmtime's instance and store, its
/// tables, the part of its async stack it touches (bench P4 measures about 56 KiB in all for
/// a Rust counter, linear memory included; this rounds the rest up).
pub const INSTANCE_OVERHEAD: u64 = 64 * 1024;

/// The bytes live grains may hold together, and how many they hold now.
#[derive(Debug)]
pub struct MemoryBudget {
    limit: u64,
    used: AtomicU64,
}

impl MemoryBudget {
    /// A budget of `limit` bytes, none used.
    pub fn new(limit: u64) -> Self {
        MemoryBudget { limit, used: AtomicU64::new(0) }
    }

    /// The budget.
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// What live grains (and activations about to start) hold now.
    pub fn used(&self) -> u64 {
        self.used.load(Ordering::Relaxed)
    }

    /// Takes `bytes` if they fit under the limit; `false` (nothing taken) if they do not.
    pub fn try_reserve(&self, bytes: u64) -> bool {
        self.used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                used.checked_add(bytes).filter(|&total| total <= self.limit)
            })
            .is_ok()
    }

    /// Takes `bytes` whether or not they fit (a live grain grew).
    pub fn charge(&self, bytes: u64) {
        self.used.fetch_add(bytes, Ordering::AcqRel);
    }

    /// Gives back `bytes` taken earlier.
    pub fn release(&self, bytes: u64) {
        // Never below zero, whatever the order of concurrent charges and releases.
        self.used.fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| Some(used.saturating_sub(bytes))).ok();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reservations_stop_at_the_limit_and_releases_make_room() {
        let budget = MemoryBudget::new(100);
        assert!(budget.try_reserve(60));
        assert!(!budget.try_reserve(41), "60 + 41 is over 100");
        assert_eq!(budget.used(), 60, "a refused reservation takes nothing");
        assert!(budget.try_reserve(40));
        budget.charge(10);
        assert_eq!(budget.used(), 110, "a growing grain is charged even past the limit");
        budget.release(50);
        assert!(budget.try_reserve(40));
        budget.release(1_000);
        assert_eq!(budget.used(), 0);
    }
}
