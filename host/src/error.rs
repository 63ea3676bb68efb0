//! Why a message to a grain produced no reply: the error every API surface maps from, and
//! whether the message ran, so a client knows when sending it again is safe.

use std::time::Duration;

/// The outcome of a failed `call` or `send`, as seen by the caller.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum CallError {
    /// No kind of that name on the node.
    #[error("unknown kind {0:?}")]
    UnknownKind(String),
    /// The request itself is malformed (a bad grain id, say).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The message would close a call cycle (`a -> b -> a`).
    #[error("call cycle rejected: {0}")]
    Cycle(String),
    /// The deadline passed before a reply came.
    #[error("no reply before the deadline")]
    Timeout,
    /// The message was not run: no member could take it now (shutting down, no capacity,
    /// no member to host it). Sending it again is safe.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// The message was not run: the node is at its memory budget or the kind at its live
    /// quota, and no idle grain could make room. Sending it again after `retry_after` is safe.
    #[error("resource exhausted: {why}; retry after {retry_after:?}")]
    Exhausted {
        /// What is full.
        why: String,
        /// When trying again is likely to succeed.
        retry_after: Duration,
    },
    /// The message reached the grain's member or activation, which stopped or lost the link
    /// before answering: it may have run. Sending it again could apply it twice.
    #[error("may have run: {0}")]
    MayHaveRun(String),
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
    /// The grain ran past its kind's time limit; its instance was discarded.
    #[error("grain exceeded its time limit of {0:?}; its instance was discarded")]
    TimeLimit(Duration),
    /// The grain asked for more memory than its kind allows; its instance was discarded.
    #[error("grain exceeded its memory limit of {0} bytes; its instance was discarded")]
    MemoryLimit(u64),
}

/// Whether a failed message ran: what a client needs to know before sending it again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ran {
    /// It was refused before any grain saw it: sending it again is safe.
    No,
    /// It may or may not have run (a lost link, a deadline that passed while it was queued or
    /// running): sending it again is safe only if it is idempotent.
    Maybe,
    /// The grain ran it, and failed (an error result, a trap, a limit).
    Yes,
}

impl Ran {
    /// The name clients see: `NOT_RUN`, `MAY_HAVE_RUN` or `RAN` (the gRPC `ErrorInfo` reason).
    pub fn reason(self) -> &'static str {
        match self {
            Ran::No => "NOT_RUN",
            Ran::Maybe => "MAY_HAVE_RUN",
            Ran::Yes => "RAN",
        }
    }
}

impl CallError {
    /// Whether the message this error answers ran.
    pub fn ran(&self) -> Ran {
        match self {
            CallError::UnknownKind(_)
            | CallError::InvalidRequest(_)
            | CallError::Cycle(_)
            | CallError::Unavailable(_)
            | CallError::Exhausted { .. }
            | CallError::NotHere(_) => Ran::No,
            CallError::Timeout | CallError::MayHaveRun(_) => Ran::Maybe,
            CallError::Failed(_) | CallError::Trapped(_) | CallError::TimeLimit(_) | CallError::MemoryLimit(_) => {
                Ran::Yes
            }
        }
    }
}
