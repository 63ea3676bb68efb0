//! Which state store a scenario runs on: `--state memory,redb,postgres://...`. Every figure
//! of a scenario that writes state names the store it was measured on.

use granary::state::{MemoryStateStore, RedbStateStore, StateStore};
use std::path::Path;
use std::sync::Arc;

/// A state store to measure on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreSpec {
    /// The in-memory test store: no durability at all, the ceiling.
    Memory,
    /// The embedded default, one redb file (group commit, fsync per batch).
    Redb,
    /// A PostgreSQL database at this URL.
    Postgres(String),
}

impl std::str::FromStr for StoreSpec {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            "memory" => Ok(StoreSpec::Memory),
            "redb" => Ok(StoreSpec::Redb),
            url if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Ok(StoreSpec::Postgres(url.to_string()))
            }
            other => Err(format!("{other:?} is not a state store: memory, redb or postgres://user@host:port/db")),
        }
    }
}

impl StoreSpec {
    /// The store's name in reports.
    pub fn name(&self) -> &'static str {
        match self {
            StoreSpec::Memory => "memory",
            StoreSpec::Redb => "redb",
            StoreSpec::Postgres(_) => "postgres",
        }
    }

    /// Opens the store; a redb file goes into `dir`. A PostgreSQL database is shared by
    /// every run, so scenarios use identities of their own.
    pub async fn open(&self, dir: &Path) -> anyhow::Result<Arc<dyn StateStore>> {
        Ok(match self {
            StoreSpec::Memory => Arc::new(MemoryStateStore::default()),
            StoreSpec::Redb => Arc::new(RedbStateStore::open(&dir.join("bench-state.redb"))?),
            StoreSpec::Postgres(url) => Arc::new(granary::state::PostgresStateStore::connect(url).await?),
        })
    }
}
