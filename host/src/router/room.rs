//! Making room for a new activation under its kind's live quota and the node's memory budget:
//! the least recently used idle grains are asked to deactivate (saving their state), and when
//! none is idle the activation is refused with a retry-after instead of thrashing.

use super::Router;
use crate::activation::{INSTANCE_OVERHEAD, MemoryBudget};
use crate::error::CallError;
use crate::ids::GrainId;
use crate::runtime::Kind;
use bytesize::ByteSize;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::{Instant, sleep, sleep_until};

/// The shortest a new activation waits for room before it is refused.
const SHORTEST_WAIT: Duration = Duration::from_secs(1);
/// How often a waiting activation looks again for grains that have become idle.
const LOOK_AGAIN: Duration = Duration::from_millis(20);
/// What a refused caller is told to wait before trying again.
const RETRY_AFTER: Duration = Duration::from_secs(1);
/// Evicting for memory goes down to this share of the budget, so that one round of
/// deactivations makes room for many activations rather than one each (the thrash guard).
const LOW_WATER_PERCENT: u64 = 90;
/// The most idle grains one round looks at.
const ROUND: usize = 256;

/// Memory held on the budget for an activation that is starting; given back when dropped,
/// once the started instance carries its own charge (or it failed to start).
pub(super) struct Reservation {
    budget: Arc<MemoryBudget>,
    bytes: u64,
}

impl Drop for Reservation {
    fn drop(&mut self) {
        self.budget.release(self.bytes);
    }
}

impl Router {
    /// Waits until `grain` may start an instance of `kind`: its kind under its live quota
    /// here, and the instance's expected memory reserved on the budget. Idle grains are
    /// evicted to get there; with none idle until the wait ends, the activation is refused.
    pub(super) async fn make_room(&self, grain: &GrainId, kind: &Kind) -> Result<Reservation, CallError> {
        let max_live = usize::try_from(kind.settings().max_live).unwrap_or(usize::MAX);
        let need = INSTANCE_OVERHEAD + kind.expected_memory();
        let give_up = Instant::now() + kind.settings().time_limit.max(SHORTEST_WAIT);
        let mut changes = self.directory.changes();
        loop {
            changes.borrow_and_update();
            // The directory counts this activation too: it registered before starting.
            let excess = if max_live == 0 { 0 } else { self.directory.live_of(grain.kind()).saturating_sub(max_live) };
            if excess == 0 && self.budget.try_reserve(need) {
                return Ok(Reservation { budget: Arc::clone(&self.budget), bytes: need });
            }
            if excess > 0 {
                for pid in self.directory.least_recently_used_idle(Some(grain.kind()), excess) {
                    pid.turns.evict();
                }
            } else {
                self.evict_for_memory(need);
            }
            if Instant::now() >= give_up {
                let why = if excess > 0 {
                    format!(
                        "kind {} has its max-live of {max_live} activations on this member, none idle",
                        grain.kind()
                    )
                } else {
                    format!(
                        "the node's memory budget of {} is in use ({}) and no idle grain can make room",
                        ByteSize(self.budget.limit()),
                        ByteSize(self.budget.used())
                    )
                };
                return Err(CallError::Exhausted { why, retry_after: RETRY_AFTER });
            }
            tokio::select! {
                _ = changes.changed() => {}
                () = sleep(LOOK_AGAIN) => {}
                () = sleep_until(give_up) => {}
            }
        }
    }

    /// Asks the least recently used idle grains to deactivate until what they hold would
    /// bring the budget, with `need` more, down to its low-water mark.
    fn evict_for_memory(&self, need: u64) {
        let low_water = self.budget.limit() / 100 * LOW_WATER_PERCENT;
        let mut to_free = (self.budget.used() + need).saturating_sub(low_water);
        for pid in self.directory.least_recently_used_idle(None, ROUND) {
            if to_free == 0 {
                break;
            }
            pid.turns.evict();
            to_free = to_free.saturating_sub(INSTANCE_OVERHEAD + pid.stats.memory_bytes());
        }
    }
}
