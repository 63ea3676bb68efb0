//! What an activation runs its turns on. The wasmtime instance is the real one; the trait lets
//! the activation's life (idle, reload, hand-over) be tested with a fake under paused time.

use crate::error::CallError;
use crate::message::Origin;
use crate::runtime::{Fault, GrainInstance};
use std::future::Future;
use std::time::Duration;

/// One live grain instance, driven one message at a time.
pub trait Instance: Send + 'static {
    /// Runs one message: `Ok` holds the grain's own result, `Err` a fault that ends the instance.
    fn handle(
        &mut self,
        method: &str,
        payload: &[u8],
        origin: Origin,
    ) -> impl Future<Output = Result<Result<Vec<u8>, String>, Fault>> + Send;

    /// Lets the grain run its `deactivate`, then drops the instance.
    fn deactivate(self) -> impl Future<Output = Result<(), Fault>> + Send;

    /// The receive timeout the grain set for itself, if any.
    fn receive_timeout(&self) -> Option<Duration>;

    /// Whether a write of this instance was refused as stale or fenced: it must stop.
    fn is_stale(&self) -> bool;

    /// Bytes of linear memory the instance holds.
    fn memory_bytes(&self) -> u64;
}

impl Instance for GrainInstance {
    fn handle(
        &mut self,
        method: &str,
        payload: &[u8],
        origin: Origin,
    ) -> impl Future<Output = Result<Result<Vec<u8>, String>, Fault>> + Send {
        GrainInstance::handle(self, method, payload, origin)
    }

    fn deactivate(self) -> impl Future<Output = Result<(), Fault>> + Send {
        GrainInstance::deactivate(self)
    }

    fn receive_timeout(&self) -> Option<Duration> {
        GrainInstance::receive_timeout(self)
    }

    fn is_stale(&self) -> bool {
        GrainInstance::is_stale(self)
    }

    fn memory_bytes(&self) -> u64 {
        GrainInstance::memory_bytes(self)
    }
}

impl From<Fault> for CallError {
    fn from(fault: Fault) -> Self {
        match fault {
            Fault::Trap(trap) => CallError::Trapped(trap),
            Fault::TimeLimit(limit) => CallError::TimeLimit(limit),
            Fault::MemoryLimit(limit) => CallError::MemoryLimit(limit),
            Fault::Capacity(why) => CallError::Unavailable(why),
        }
    }
}
