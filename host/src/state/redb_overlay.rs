//! What the redb store's journal holds and its file does not yet: each grain's row as the last
//! journaled batch left it. Loads and the commit thread read it before the file; a checkpoint
//! writes it into the file durably and empties it. Its bytes never exceed the journal's: every
//! row it holds was written in a frame since the last checkpoint.

use super::{Epoch, StoredState};
use std::collections::HashMap;
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// A grain's epoch and saved state, whole.
#[derive(Clone, Debug)]
pub(super) struct Row {
    pub epoch: Epoch,
    pub saved: Option<StoredState>,
}

/// The rows journaled since the last checkpoint, by `kind/identity`. The commit thread is
/// their only writer; loads read them even while a checkpoint does.
#[derive(Default)]
pub(super) struct Overlay {
    rows: RwLock<HashMap<String, Row>>,
}

impl Overlay {
    fn rows(&self) -> RwLockReadGuard<'_, HashMap<String, Row>> {
        // A panic while holding the lock leaves whole rows (each is replaced in one move).
        self.rows.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn rows_mut(&self) -> RwLockWriteGuard<'_, HashMap<String, Row>> {
        self.rows.write().unwrap_or_else(PoisonError::into_inner)
    }

    /// `key`'s row, if it changed since the last checkpoint.
    pub fn row(&self, key: &str) -> Option<Row> {
        self.rows().get(key).cloned()
    }

    /// `key`'s epoch and etag, if its row changed since the last checkpoint.
    pub fn fence(&self, key: &str) -> Option<(Epoch, Option<super::Etag>)> {
        self.rows().get(key).map(|row| (row.epoch, row.saved.as_ref().map(|saved| saved.etag)))
    }

    /// How many rows it holds.
    pub fn len(&self) -> usize {
        self.rows().len()
    }

    /// Takes in the rows of a batch just journaled, replacing older ones.
    pub fn merge(&self, rows: impl IntoIterator<Item = (String, Row)>) {
        self.rows_mut().extend(rows);
    }

    /// Runs `write` over every row held.
    pub fn each<E>(&self, mut write: impl FnMut(&str, &Row) -> Result<(), E>) -> Result<(), E> {
        self.rows().iter().try_for_each(|(key, row)| write(key, row))
    }

    /// Forgets every row: a checkpoint has written them into the file durably.
    pub fn clear(&self) {
        self.rows_mut().clear();
    }
}
