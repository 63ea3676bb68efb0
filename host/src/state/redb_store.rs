//! The embedded default `StateStore`: one redb file in the node's data dir.

use super::{Etag, StateError, StateStore, StoredState, check_etag, next_etag};
use crate::ids::GrainId;
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use std::path::Path;
use std::sync::Arc;

/// `kind/identity` -> (etag, state bytes).
const GRAIN_STATE: TableDefinition<&str, (u64, &[u8])> = TableDefinition::new("grain_state");

pub struct RedbStateStore {
    db: Arc<Database>,
}

fn backend(e: impl std::fmt::Display) -> StateError {
    StateError::Backend(e.to_string())
}

impl RedbStateStore {
    /// Opens (or creates) the store file at `path`.
    pub fn open(path: &Path) -> Result<Self, StateError> {
        let db = Database::create(path).map_err(|e| backend(format!("{}: {e}", path.display())))?;
        let tx = db.begin_write().map_err(backend)?;
        tx.open_table(GRAIN_STATE).map_err(backend)?;
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
            let table = tx.open_table(GRAIN_STATE).map_err(backend)?;
            let row = table.get(key.as_str()).map_err(backend)?;
            Ok(row.map(|row| {
                let (etag, bytes) = row.value();
                StoredState { bytes: bytes.to_vec(), etag: Etag(etag) }
            }))
        })
        .await
    }

    async fn save(&self, grain: &GrainId, bytes: &[u8], expected: Option<Etag>) -> Result<Etag, StateError> {
        let (grain, bytes) = (grain.clone(), bytes.to_vec());
        self.blocking(move |db| {
            let key = grain.to_string();
            let tx = db.begin_write().map_err(backend)?;
            let etag = {
                let mut table = tx.open_table(GRAIN_STATE).map_err(backend)?;
                let actual = table.get(key.as_str()).map_err(backend)?.map(|row| Etag(row.value().0));
                check_etag(&grain, expected, actual)?;
                let etag = next_etag(actual);
                table.insert(key.as_str(), (etag.0, bytes.as_slice())).map_err(backend)?;
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

    #[tokio::test]
    async fn passes_the_state_store_suite() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = RedbStateStore::open(&dir.path().join("state.redb")).expect("open store");
        super::super::suite::run(&store).await;
    }

    #[tokio::test]
    async fn state_survives_reopening_the_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("state.redb");
        let grain: GrainId = "counter/alice".parse().expect("valid id");
        {
            let store = RedbStateStore::open(&path).expect("open store");
            store.save(&grain, b"{\"total\":12}", None).await.expect("first save");
        }
        let store = RedbStateStore::open(&path).expect("reopen store");
        let saved = store.load(&grain).await.expect("load").expect("state present");
        assert_eq!(saved, StoredState { bytes: b"{\"total\":12}".to_vec(), etag: Etag(1) });
    }
}
