//! Durable grain state behind one trait, fenced by activation epochs and etags.
//!
//! Each activation claims a new epoch when it loads its grain's state, and every write names
//! the epoch it holds and the etag it read. A write from an epoch that is no longer the
//! grain's current one, or with a stale etag, is refused: a grain that was briefly active on
//! two nodes (on both sides of a partition) can never overwrite newer state.

#[doc(hidden)]
pub mod event_suite;
pub mod events;
mod group_commit;
mod memory_store;
mod open;
mod postgres_connection;
mod postgres_events;
mod postgres_reminders;
mod postgres_schema;
mod postgres_store;
mod redb_batch;
mod redb_commit;
mod redb_event_tables;
mod redb_events;
mod redb_journal;
mod redb_overlay;
mod redb_reminders;
mod redb_schema;
mod redb_store;
mod redb_tx;
#[doc(hidden)]
pub mod reminder_suite;
pub mod reminders;
#[doc(hidden)]
pub mod suite;

pub use events::{EventStore, EventStream, QueuedEvent};
pub use group_commit::CommitTotals;
pub use memory_store::MemoryStateStore;
pub use open::{REDB_FILE, open};
pub use postgres_store::PostgresStateStore;
pub use redb_store::RedbStateStore;
pub use reminders::{Fired, Reminder, ReminderStore};

use crate::ids::GrainId;
use std::fmt;

/// The version of a grain's saved state; it increases by one with every write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Etag(pub u64);

/// The fencing token of one activation. Every activation claims the next one; only the
/// grain's current (newest) epoch may write. Only a store makes epochs (so none can be
/// forged); `Epoch(0)` means no activation has claimed one yet.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Epoch(u64);

impl Epoch {
    /// The epoch the activation after this one claims.
    fn next(self) -> Epoch {
        Epoch(self.0 + 1)
    }
}

impl fmt::Display for Epoch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A grain's saved bytes and the version they are at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredState {
    /// The state.
    pub bytes: Vec<u8>,
    /// Its version.
    pub etag: Etag,
}

/// What a new activation starts from: the epoch it now holds and the state saved so far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claim {
    /// The epoch the activation now holds.
    pub epoch: Epoch,
    /// The state saved so far, if any.
    pub saved: Option<StoredState>,
}

/// Why a state operation failed.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum StateError {
    /// The write's etag is stale: another activation wrote since this one read.
    #[error("stale write for {grain}: expected version {expected:?}, store has {actual:?}")]
    Conflict {
        /// The grain.
        grain: String,
        /// The version the write expected.
        expected: Option<Etag>,
        /// The version the store holds.
        actual: Option<Etag>,
    },
    /// The write comes from an activation that a newer one has fenced off.
    #[error(
        "fenced write for {grain}: this activation holds epoch {epoch}, but the grain's current epoch is {current} \
         (a newer activation owns it)"
    )]
    Fenced {
        /// The grain.
        grain: String,
        /// The epoch the writing activation holds.
        epoch: Epoch,
        /// The grain's current epoch.
        current: Epoch,
    },
    /// The store itself failed.
    #[error("state store failed: {0}")]
    Backend(String),
}

/// Where grain state (and grains' reminders, and topic events) live: embedded (redb), in
/// memory (tests), or shared (PostgreSQL).
#[async_trait::async_trait]
pub trait StateStore: ReminderStore + EventStore + Send + Sync + 'static {
    /// What kind of store it is (`memory`, `redb`, `postgres`), as metrics label it.
    fn name(&self) -> &'static str;

    /// What group commit has done so far; `None` for a store that writes each change on its
    /// own.
    fn commits(&self) -> Option<CommitTotals> {
        None
    }

    /// The grain's saved state, or `None` if it never saved. Claims no epoch: for inspection.
    async fn load(&self, grain: &GrainId) -> Result<Option<StoredState>, StateError>;

    /// Claims the grain for a new activation: atomically moves its epoch to the next one
    /// (even if the grain never saved), fencing off every older activation, and returns
    /// that epoch with the saved state.
    async fn activate(&self, grain: &GrainId) -> Result<Claim, StateError>;

    /// Replaces the state if `epoch` is still the grain's current epoch and the state's
    /// version is `expected` (`None`: never saved), returning the new version.
    async fn save(
        &self,
        grain: &GrainId,
        bytes: &[u8],
        expected: Option<Etag>,
        epoch: Epoch,
    ) -> Result<Etag, StateError>;
}

/// The version a write after `current` gets.
fn next_etag(current: Option<Etag>) -> Etag {
    Etag(current.map_or(1, |Etag(v)| v + 1))
}

/// Why a write at (`epoch`, `expected`) is refused when the grain is at (`current`, `actual`),
/// or `None` if it may go ahead. Fencing is checked first: it is the stronger statement.
fn refusal(
    grain: &GrainId,
    (epoch, expected): (Epoch, Option<Etag>),
    (current, actual): (Epoch, Option<Etag>),
) -> Option<StateError> {
    if epoch != current {
        Some(StateError::Fenced { grain: grain.to_string(), epoch, current })
    } else if expected != actual {
        Some(StateError::Conflict { grain: grain.to_string(), expected, actual })
    } else {
        None
    }
}
