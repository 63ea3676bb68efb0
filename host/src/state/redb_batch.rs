//! One batch of claims and saves on the redb store's commit thread: each is fenced against its
//! grain's row as the batch finds it (staged earlier in the batch, else remembered by the
//! thread or journaled since the last checkpoint, else read from the file), then staged with its
//! journal record. Nothing staged is seen by anyone else until the batch is durable.

use super::redb_journal::Frame;
use super::redb_overlay::{Overlay, Row};
use super::redb_schema::{GRAIN_EPOCH, GRAIN_STATE};
use super::redb_tx::backend;
use super::{Claim, Epoch, Etag, StateError, StoredState, next_etag, refusal};
use crate::ids::GrainId;
use redb::{Database, ReadTransaction, ReadableDatabase, ReadableTable};
use std::collections::HashMap;

/// The saved state under `key` in `table`, from a read or a write transaction.
pub(super) fn stored_state(
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

/// Each recently written grain's epoch and etag, kept by the commit thread, the store's only
/// writer, so a save is fenced without reading the file. Bounded: when full it starts afresh,
/// and a grain it does not know is read from the file.
#[derive(Default)]
pub(super) struct Known {
    fences: HashMap<String, (Epoch, Option<Etag>)>,
}

/// The most grains `Known` holds before it starts afresh (about 100 bytes each).
const KNOWN_GRAINS: usize = 100_000;

impl Known {
    /// Remembers the rows of a batch that is durable.
    pub fn remember<'r>(&mut self, rows: impl IntoIterator<Item = (&'r String, &'r Row)>) {
        for (key, row) in rows {
            if self.fences.len() >= KNOWN_GRAINS && !self.fences.contains_key(key) {
                self.fences.clear();
            }
            self.fences.insert(key.clone(), (row.epoch, row.saved.as_ref().map(|saved| saved.etag)));
        }
    }
}

/// A batch being staged.
pub(super) struct Batch<'c> {
    db: &'c Database,
    overlay: &'c Overlay,
    known: &'c Known,
    /// Read once a grain is found nowhere else.
    file: Option<ReadTransaction>,
    rows: HashMap<String, Row>,
    frame: Frame,
}

impl<'c> Batch<'c> {
    /// An empty batch over the store's file, its journaled rows and the fences remembered.
    pub fn new(db: &'c Database, overlay: &'c Overlay, known: &'c Known) -> Self {
        Batch { db, overlay, known, file: None, rows: HashMap::new(), frame: Frame::default() }
    }

    /// The rows it staged, and the journal frame that records them.
    pub fn into_parts(self) -> (HashMap<String, Row>, Frame) {
        (self.rows, self.frame)
    }

    fn file(&mut self) -> Result<&ReadTransaction, StateError> {
        if self.file.is_none() {
            self.file = Some(self.db.begin_read().map_err(backend)?);
        }
        self.file.as_ref().ok_or_else(|| backend("the store's file did not open for reading"))
    }

    /// `key`'s whole row as the batch finds it.
    fn row(&mut self, key: &str) -> Result<Row, StateError> {
        if let Some(row) = self.rows.get(key).cloned().or_else(|| self.overlay.row(key)) {
            return Ok(row);
        }
        let file = self.file()?;
        Ok(Row {
            epoch: current_epoch(&file.open_table(GRAIN_EPOCH).map_err(backend)?, key)?,
            saved: stored_state(&file.open_table(GRAIN_STATE).map_err(backend)?, key)?,
        })
    }

    /// `key`'s epoch and etag as the batch finds them.
    fn fence(&mut self, key: &str) -> Result<(Epoch, Option<Etag>), StateError> {
        let staged = self.rows.get(key).map(|row| (row.epoch, row.saved.as_ref().map(|saved| saved.etag)));
        if let Some(fence) = staged.or_else(|| self.known.fences.get(key).copied()).or_else(|| self.overlay.fence(key))
        {
            return Ok(fence);
        }
        let file = self.file()?;
        let etag =
            file.open_table(GRAIN_STATE).map_err(backend)?.get(key).map_err(backend)?.map(|row| Etag(row.value().0));
        Ok((current_epoch(&file.open_table(GRAIN_EPOCH).map_err(backend)?, key)?, etag))
    }

    /// Moves `grain` to its next epoch, fencing off every older activation.
    pub fn claim(&mut self, grain: &GrainId) -> Result<Claim, StateError> {
        let key = grain.to_string();
        let row = self.row(&key)?;
        let epoch = row.epoch.next();
        self.frame.claimed(&key, epoch.0);
        self.rows.insert(key, Row { epoch, saved: row.saved.clone() });
        Ok(Claim { epoch, saved: row.saved })
    }

    /// Saves `bytes` as `grain`'s state if `writer` (its epoch and the etag it read) is current.
    pub fn save(&mut self, grain: &GrainId, bytes: Vec<u8>, writer: (Epoch, Option<Etag>)) -> Result<Etag, StateError> {
        let key = grain.to_string();
        let (current, actual) = self.fence(&key)?;
        if let Some(refused) = refusal(grain, writer, (current, actual)) {
            return Err(refused);
        }
        let etag = next_etag(actual);
        self.frame.saved(&key, etag.0, &bytes);
        self.rows.insert(key, Row { epoch: current, saved: Some(StoredState { bytes, etag }) });
        Ok(etag)
    }
}
