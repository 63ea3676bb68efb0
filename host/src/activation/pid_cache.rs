//! The moka LRU from grain id to PID in front of the directory; an entry goes when its
//! activation stops.

use super::Pid;
use crate::ids::GrainId;
use moka::sync::Cache;

/// Where recently used grains live, without taking the directory's lock.
pub struct PidCache<I> {
    pids: Cache<GrainId, Pid<I>>,
}

impl<I: Send + 'static> PidCache<I> {
    /// A cache of at most `capacity` entries.
    pub fn new(capacity: u64) -> Self {
        PidCache { pids: Cache::new(capacity) }
    }

    /// The cached PID of `grain`.
    pub fn get(&self, grain: &GrainId) -> Option<Pid<I>> {
        self.pids.get(grain)
    }

    /// Remembers where `grain` lives.
    pub fn insert(&self, grain: GrainId, pid: Pid<I>) {
        self.pids.insert(grain, pid);
    }

    /// Drops `grain`'s entry (its activation stopped, or its mailbox refused a message).
    pub fn invalidate(&self, grain: &GrainId) {
        self.pids.invalidate(grain);
    }
}
