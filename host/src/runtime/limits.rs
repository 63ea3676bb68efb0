//! Per-activation limits: the memory cap, and the faults that end an instance.

use std::time::Duration;

/// Why a guest was stopped; its instance is discarded afterwards.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum Fault {
    /// The guest trapped.
    #[error("trapped: {0}")]
    Trap(String),
    /// It ran past its time limit.
    #[error("exceeded its time limit of {0:?}")]
    TimeLimit(Duration),
    /// It asked for more memory than its cap.
    #[error("exceeded its memory limit of {0} bytes")]
    MemoryLimit(u64),
    /// Not the guest's fault: the node's activation pool is full.
    #[error("the node is at its activation capacity: {0}")]
    Capacity(String),
}

/// Raised inside the store to stop a guest that ran past its deadline.
#[derive(Debug, thiserror::Error)]
#[error("time limit exceeded")]
pub struct TimeLimitExceeded;

/// Caps linear memory growth, and remembers whether the cap was hit.
pub struct GrainLimiter {
    max_memory: u64,
    memory_bytes: u64,
    pub(crate) hit_memory_cap: bool,
}

impl GrainLimiter {
    pub fn new(max_memory: u64) -> Self {
        GrainLimiter { max_memory, memory_bytes: 0, hit_memory_cap: false }
    }

    pub fn max_memory(&self) -> u64 {
        self.max_memory
    }

    /// Bytes of linear memory the instance holds now.
    pub fn memory_bytes(&self) -> u64 {
        self.memory_bytes
    }
}

/// Tables are small; this only stops a guest from growing one without bound.
const MAX_TABLE_ELEMENTS: usize = 1 << 20;

impl wasmtime::ResourceLimiter for GrainLimiter {
    fn memory_growing(&mut self, current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        let total = self.memory_bytes - (current as u64).min(self.memory_bytes) + desired as u64;
        if total > self.max_memory {
            self.hit_memory_cap = true;
            return Err(wasmtime::format_err!("memory limit of {} bytes exceeded", self.max_memory));
        }
        self.memory_bytes = total;
        Ok(true)
    }

    fn table_growing(&mut self, _current: usize, desired: usize, _maximum: Option<usize>) -> wasmtime::Result<bool> {
        Ok(desired <= MAX_TABLE_ELEMENTS)
    }
}
