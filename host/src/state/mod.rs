//! Durable grain state behind one trait, with optimistic concurrency by etag.
//!
//! Every write names the etag it read; a write whose etag is no longer current is
//! refused, so an activation that lost track of newer state can never overwrite it.

mod memory_store;
mod redb_store;
#[cfg(test)]
mod suite;

pub use memory_store::MemoryStateStore;
pub use redb_store::RedbStateStore;

use crate::ids::GrainId;

/// The version of a grain's saved state; it increases by one with every write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Etag(pub u64);

/// A grain's saved bytes and the version they are at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredState {
    pub bytes: Vec<u8>,
    pub etag: Etag,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum StateError {
    /// The write's etag is stale: another activation wrote since this one read.
    #[error("stale write for {grain}: expected version {expected:?}, store has {actual:?}")]
    Conflict { grain: String, expected: Option<Etag>, actual: Option<Etag> },
    #[error("state store failed: {0}")]
    Backend(String),
}

/// Where grain state lives: embedded (redb), in memory (tests), or shared (PostgreSQL).
#[async_trait::async_trait]
pub trait StateStore: Send + Sync + 'static {
    /// The grain's saved state, or `None` if it never saved.
    async fn load(&self, grain: &GrainId) -> Result<Option<StoredState>, StateError>;

    /// Replaces the state if its current version is `expected` (`None`: never saved),
    /// returning the new version.
    async fn save(&self, grain: &GrainId, bytes: &[u8], expected: Option<Etag>) -> Result<Etag, StateError>;
}

/// The version a write after `current` gets.
fn next_etag(current: Option<Etag>) -> Etag {
    Etag(current.map_or(1, |Etag(v)| v + 1))
}

/// Refuses a write whose expected version is not the current one.
fn check_etag(grain: &GrainId, expected: Option<Etag>, actual: Option<Etag>) -> Result<(), StateError> {
    if expected == actual { Ok(()) } else { Err(StateError::Conflict { grain: grain.to_string(), expected, actual }) }
}
