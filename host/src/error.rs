//! Why a message to a grain produced no reply: the error every API surface maps from.

use std::time::Duration;

/// The outcome of a failed `call` or `send`, as seen by the caller.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum CallError {
    #[error("unknown kind {0:?}")]
    UnknownKind(String),
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    #[error("call cycle rejected: {0}")]
    Cycle(String),
    #[error("no reply before the deadline")]
    Timeout,
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// The message was not delivered: the peer asked does not own the grain under its view
    /// of the cluster, or the message never left for it. The sender asks again once its own
    /// view has caught up. Never reaches a client.
    #[error("not owned here: {0}")]
    NotHere(String),
    /// The grain ran and returned an error result.
    #[error("{0}")]
    Failed(String),
    /// The grain trapped; its instance was discarded.
    #[error("grain trapped: {0}")]
    Trapped(String),
    #[error("grain exceeded its time limit of {0:?}; its instance was discarded")]
    TimeLimit(Duration),
    #[error("grain exceeded its memory limit of {0} bytes; its instance was discarded")]
    MemoryLimit(u64),
}
