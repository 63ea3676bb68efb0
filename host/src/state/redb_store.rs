//! The embedded default `StateStore`: one redb file in the node's data dir.

use super::{Claim, Epoch, Etag, StateError, StateStore, StoredState, next_etag, refusal};
use crate::ids::GrainId;
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use std::path::Path;
use std::sync::Arc;

/// `kind/identity` -> (etag, state bytes).
const GRAIN_STATE: TableDefinition<&str, (u64, &[u8])> = TableDefinition::new("grain_state");
/// `kind/identity` -> the grain's current epoch. A table of its own, written in the same
/// transactions, so files from before epochs existed open unchanged.
const GRAIN_EPOCH: TableDefinition<&str, u64> = TableDefinition::new("grain_epoch");

/// Grain state in one redb file.
pub struct RedbStateStore {
    db: Arc<Database>,
}

fn backend(e: impl std::fmt::Display) -> StateError {
    StateError::Backend(e.to_string())
}

/// The saved state under `key` in `table`, from a read or a write transaction.
fn stored_state(
    table: &impl ReadableTable<&'static str, (u64, &'static [u8])>,
    key: &str,
) -> Result<Option<StoredState>, StateError> {
    let row = table.get(key).map_err(backend)?;
    Ok(row.map(|row| {
        let (etag, bytes) = row.value();
        StoredState { bytes: bytes.to_vec(), etag: Etag(etag) }
    }))
}

/// The current epoch under `key` in `table`.
fn current_epoch(table: &impl ReadableTable<&'static str, u64>, key: &str) -> Result<Epoch, StateError> {
    Ok(Epoch(table.get(key).map_err(backend)?.map_or(0, |row| row.value())))
}

impl RedbStateStore {
    /// Opens (or creates) the store file at `path`.
    pub fn open(path: &Path) -> Result<Self, StateError> {
        let db = Database::create(path).map_err(|e| backend(format!("{}: {e}", path.display())))?;
        let tx = db.begin_write().map_err(backend)?;
        tx.open_table(GRAIN_STATE).map_err(backend)?;
        tx.open_table(GRAIN_EPOCH).map_err(backend)?;
        tx.commit().map_err(backend)?;
        Ok(RedbStateStore { db: Arc::new(db) })
    }

    /// Runs blocking redb work off the async executor.
    async fn blocking<R: Send + 'static>(
        &self,
        work: impl FnOnce(&Database) -> Result<R, StateError> + Send + 'static,
    ) -> Result<R, StateError> {
        let db = Arc::clone(&self.db);
        tokio::task::spawn_blocking(move || work(&db)).await.map_err(backend)?
    }
}

#[async_trait::async_trait]
impl StateStore for RedbStateStore {
    async fn load(&self, grain: &GrainId) -> Result<Option<StoredState>, StateError> {
        let key = grain.to_string();
        self.blocking(move |db| {
            let tx = db.begin_read().map_err(backend)?;
            stored_state(&tx.open_table(GRAIN_STATE).map_err(backend)?, &key)
        })
        .await
    }

    async fn activate(&self, grain: &GrainId) -> Result<Claim, StateError> {
        let key = grain.to_string();
        self.blocking(move |db| {
            // redb runs one write transaction at a time: claims are serialized.
            let tx = db.begin_write().map_err(backend)?;
            let claim = {
                let mut epochs = tx.open_table(GRAIN_EPOCH).map_err(backend)?;
                let epoch = current_epoch(&epochs, &key)?.next();
                epochs.insert(key.as_str(), epoch.0).map_err(backend)?;
                Claim { epoch, saved: stored_state(&tx.open_table(GRAIN_STATE).map_err(backend)?, &key)? }
            };
            tx.commit().map_err(backend)?;
            Ok(claim)
        })
        .await
    }

    async fn save(
        &self,
        grain: &GrainId,
        bytes: &[u8],
        expected: Option<Etag>,
        epoch: Epoch,
    ) -> Result<Etag, StateError> {
        let (grain, bytes) = (grain.clone(), bytes.to_vec());
        self.blocking(move |db| {
            let key = grain.to_string();
            let tx = db.begin_write().map_err(backend)?;
            let etag = {
                let current = current_epoch(&tx.open_table(GRAIN_EPOCH).map_err(backend)?, &key)?;
                let mut states = tx.open_table(GRAIN_STATE).map_err(backend)?;
                let actual = states.get(key.as_str()).map_err(backend)?.map(|row| Etag(row.value().0));
                if let Some(refused) = refusal(&grain, (epoch, expected), (current, actual)) {
                    return Err(refused);
                }
                let etag = next_etag(actual);
                states.insert(key.as_str(), (etag.0, bytes.as_slice())).map_err(backend)?;
                etag
            };
            tx.commit().map_err(backend)?;
            Ok(etag)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::suite;

    #[tokio::test]
    async fn passes_the_state_store_suite() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = RedbStateStore::open(&dir.path().join("state.redb")).expect("open store");
        suite::run(Arc::new(store)).await;
    }

    #[tokio::test]
    async fn state_and_epochs_survive_reopening_the_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("state.redb");
        suite::survives_reopening(async || {
            let store: Arc<dyn StateStore> = Arc::new(RedbStateStore::open(&path).expect("open store"));
            store
        })
        .await;
    }
}
