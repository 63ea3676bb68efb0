//! The narrow way a grain reaches its node: calls and sends to other grains, and its state.
//! The router implements it; the runtime knows nothing else of the node.

use crate::error::CallError;
use crate::ids::GrainId;
use crate::message::Origin;
use crate::state::{Epoch, Etag, Reminder, StateError};
use std::time::Duration;

/// What a grain's host functions ask of the node.
#[async_trait::async_trait]
pub trait GrainHost: Send + Sync + 'static {
    /// Sends a request to `target` and waits for its reply until `origin.deadline`.
    async fn call(
        &self,
        target: &GrainId,
        method: String,
        payload: Vec<u8>,
        origin: Origin,
    ) -> Result<Vec<u8>, CallError>;

    /// Queues a one-way message for `target`.
    async fn send(&self, target: &GrainId, method: String, payload: Vec<u8>, origin: Origin) -> Result<(), CallError>;

    /// Writes `grain`'s state durably, fenced by the activation's `epoch` and the `expected`
    /// etag it read; returns the new etag.
    async fn save_state(
        &self,
        grain: &GrainId,
        bytes: &[u8],
        expected: Option<Etag>,
        epoch: Epoch,
    ) -> Result<Etag, StateError>;

    /// Durably sets `grain`'s reminder `name`: due after `due_after`, then every `period`
    /// (zero: once). The error is for the grain.
    async fn set_reminder(
        &self,
        grain: &GrainId,
        name: &str,
        due_after: Duration,
        period: Duration,
    ) -> Result<(), String>;

    /// Durably removes `grain`'s reminder `name`; `false` if there was none.
    async fn cancel_reminder(&self, grain: &GrainId, name: &str) -> Result<bool, String>;

    /// `grain`'s reminders.
    async fn reminders_of(&self, grain: &GrainId) -> Result<Vec<Reminder>, String>;

    /// Durably appends an event to (`topic`, `key`) for every kind subscribed to `topic`;
    /// returns its sequence number.
    async fn publish(&self, topic: &str, key: &str, payload: Vec<u8>) -> Result<u64, CallError>;

    /// The names of the typed interfaces kind `kind` exports; `None` for an unknown or untyped kind.
    fn typed_interfaces(&self, kind: &str) -> Option<Vec<String>>;
}
