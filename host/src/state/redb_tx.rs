//! Transactions of the embedded redb file run off the async executor, and its errors as the
//! store's.

use super::StateError;
use redb::{Database, ReadableDatabase};
use std::sync::Arc;

/// A redb error as the store's backend failure.
pub(super) fn backend(e: impl std::fmt::Display) -> StateError {
    StateError::Backend(e.to_string())
}

/// Runs `change` in one durable write transaction of its own, off the async executor (for
/// what is not group-committed: reminders).
pub(super) async fn write_alone<T: Send + 'static>(
    db: &Arc<Database>,
    change: impl FnOnce(&redb::WriteTransaction) -> Result<T, StateError> + Send + 'static,
) -> Result<T, StateError> {
    let db = Arc::clone(db);
    tokio::task::spawn_blocking(move || {
        let tx = db.begin_write().map_err(backend)?;
        let outcome = change(&tx)?;
        tx.commit().map_err(backend)?;
        Ok(outcome)
    })
    .await
    .map_err(backend)?
}

/// Runs `read` in a read transaction, off the async executor.
pub(super) async fn read<T: Send + 'static>(
    db: &Arc<Database>,
    read: impl FnOnce(&redb::ReadTransaction) -> Result<T, StateError> + Send + 'static,
) -> Result<T, StateError> {
    let db = Arc::clone(db);
    tokio::task::spawn_blocking(move || read(&db.begin_read().map_err(backend)?)).await.map_err(backend)?
}
