//! The router's moka LRU from grain id to PID; an entry goes when its activation stops.

use crate::activation::Pid;
use crate::ids::GrainId;
use moka::sync::Cache;

pub struct PidCache {
    pids: Cache<GrainId, Pid>,
}

impl PidCache {
    pub fn new(capacity: u64) -> Self {
        PidCache { pids: Cache::new(capacity) }
    }

    pub fn get(&self, grain: &GrainId) -> Option<Pid> {
        self.pids.get(grain)
    }

    pub fn insert(&self, grain: GrainId, pid: Pid) {
        self.pids.insert(grain, pid);
    }

    /// Drops `grain`'s entry (its activation stopped, or its mailbox refused a message).
    pub fn invalidate(&self, grain: &GrainId) {
        self.pids.invalidate(grain);
    }
}
