//! The redb store's commit thread: each batch of claims and saves is staged (each fenced on its
//! own, see `redb_batch`), made durable by one journal frame and one flush, then shown to loads
//! through the overlay; redb's file is not touched. A checkpoint writes the overlay into the file
//! in one durable redb commit, which makes the journal's frames redundant: when the journal is
//! full, when the overlay holds many rows, a while after the last one, and with every batch that
//! writes events (those go to the file directly, in the checkpoint's transaction).

use super::redb_batch::{Batch, Known};
use super::redb_event_tables::EventTables;
use super::redb_journal::{self, Frame, Journal, Record};
use super::redb_overlay::{Overlay, Row};
use super::redb_schema::{GRAIN_EPOCH, GRAIN_STATE, JOURNAL_GENERATION, STORE_META};
use super::redb_tx::backend;
use super::{Claim, Epoch, Etag, EventStream, StateError};
use crate::ids::GrainId;
use redb::{Database, ReadableTable, Table, WriteTransaction};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// The most rows the overlay holds before a checkpoint writes them into the file: the batches
/// behind a checkpoint wait while it writes every row.
const OVERLAY_ROWS: usize = 4096;
/// The longest a journaled batch waits for its checkpoint, while writes keep coming.
const CHECKPOINT_AFTER: Duration = Duration::from_secs(1);

/// One write waiting for its batch.
pub(super) enum Write {
    Claim {
        grain: GrainId,
        reply: oneshot::Sender<Result<Claim, StateError>>,
    },
    Save {
        grain: GrainId,
        bytes: Vec<u8>,
        expected: Option<Etag>,
        epoch: Epoch,
        reply: oneshot::Sender<Result<Etag, StateError>>,
    },
    Delivered {
        events: Vec<(EventStream, u64)>,
        reply: oneshot::Sender<Result<(), StateError>>,
    },
    Publish {
        topic: String,
        key: String,
        payload: Vec<u8>,
        subscribers: Vec<String>,
        reply: oneshot::Sender<Result<u64, StateError>>,
    },
}

impl Write {
    fn writes_events(&self) -> bool {
        matches!(self, Write::Delivered { .. } | Write::Publish { .. })
    }

    /// Answers it with `error`, unapplied.
    fn refuse(self, error: StateError) {
        // Each variant's reply carries a different success type, hence one arm each.
        let _ = match self {
            Write::Claim { reply, .. } => reply.send(Err(error)).is_ok(),
            Write::Save { reply, .. } => reply.send(Err(error)).is_ok(),
            Write::Delivered { reply, .. } => reply.send(Err(error)).is_ok(),
            Write::Publish { reply, .. } => reply.send(Err(error)).is_ok(),
        };
    }
}

/// How one write is answered once its batch has committed (or failed to).
type Answer = Box<dyn FnOnce(Result<(), StateError>) + Send>;

/// Replays the journal at `journal` into `db` after a crash (or a stop) and records a new
/// generation durably; returns it, the generation the journal's next frames belong to.
pub(super) fn recover(db: &Database, journal: &Path) -> Result<u64, StateError> {
    let tx = db.begin_write().map_err(backend)?;
    let generation = {
        let mut meta = tx.open_table(STORE_META).map_err(backend)?;
        let current = meta.get(JOURNAL_GENERATION).map_err(backend)?.map_or(0, |row| row.value());
        let records =
            redb_journal::replay(journal, current).map_err(|e| backend(format!("{}: {e}", journal.display())))?;
        if !records.is_empty() {
            tracing::info!(records = records.len(), "replaying the state journal");
        }
        let mut states = tx.open_table(GRAIN_STATE).map_err(backend)?;
        let mut epochs = tx.open_table(GRAIN_EPOCH).map_err(backend)?;
        for record in records {
            match record {
                Record::Saved { key, etag, bytes } => states.insert(key.as_str(), (etag, bytes.as_slice())).map(drop),
                Record::Claimed { key, epoch } => epochs.insert(key.as_str(), epoch).map(drop),
            }
            .map_err(backend)?;
        }
        meta.insert(JOURNAL_GENERATION, current + 1).map_err(backend)?;
        current + 1
    };
    tx.commit().map_err(backend)?;
    Ok(generation)
}

/// What the commit thread keeps between batches.
pub(super) struct Committer {
    db: Arc<Database>,
    overlay: Arc<Overlay>,
    known: Known,
    journal: Journal,
    last_checkpoint: Instant,
    /// Why the store takes no more writes: a journal flush failed, so what the journal holds on
    /// disk is unknown. A restart replays what is there.
    broken: Option<String>,
}

impl Committer {
    /// Commits to `db`, journaling to `journal`, and shows journaled rows through `overlay`.
    pub(super) fn new(db: Arc<Database>, overlay: Arc<Overlay>, journal: Journal) -> Self {
        Committer { db, overlay, known: Known::default(), journal, last_checkpoint: Instant::now(), broken: None }
    }

    fn checkpoint_due(&self, frame: &Frame, staged: usize) -> bool {
        !self.journal.fits(frame)
            || self.overlay.len() + staged > OVERLAY_ROWS
            || (self.journal.holds_frames() && self.last_checkpoint.elapsed() >= CHECKPOINT_AFTER)
    }

    /// Stages every write of `batch`, in order, each fenced on its own, and answers them once
    /// the batch is durable (or all with the error if it is not).
    pub(super) fn commit(&mut self, batch: Vec<Write>) {
        if let Some(why) = &self.broken {
            for write in batch {
                write.refuse(backend(why));
            }
            return;
        }
        let mut answers: Vec<Answer> = Vec::with_capacity(batch.len());
        let committed = self.commit_staging(batch, &mut answers);
        for answer in answers {
            answer(committed.clone());
        }
    }

    /// Stages `writes`, then journals them, or checkpoints them with the overlay.
    fn commit_staging(&mut self, writes: Vec<Write>, answers: &mut Vec<Answer>) -> Result<(), StateError> {
        let events_tx = match writes.iter().any(Write::writes_events) {
            true => Some(self.db.begin_write().map_err(backend)?),
            false => None,
        };
        let mut batch = Batch::new(&self.db, &self.overlay, &self.known);
        {
            let mut events = events_tx.as_ref().map(EventTables::open).transpose()?;
            for write in writes {
                answers.push(apply(&mut batch, events.as_mut(), write));
            }
        }
        let (rows, frame) = batch.into_parts();
        if events_tx.is_some() || self.checkpoint_due(&frame, rows.len()) {
            return self.checkpoint(events_tx, rows);
        }
        self.journal_frame(&frame)?;
        self.known.remember(&rows);
        self.overlay.merge(rows);
        Ok(())
    }

    /// Appends `frame` to the journal and flushes it.
    fn journal_frame(&mut self, frame: &Frame) -> Result<(), StateError> {
        if frame.is_empty() {
            return Ok(());
        }
        let length = self.journal.write(frame).map_err(backend)?;
        if let Err(e) = self.journal.flush() {
            let why = format!("the state journal's flush failed ({e}); restart the node to recover what is on disk");
            tracing::error!("{why}");
            self.broken = Some(why.clone());
            return Err(backend(why));
        }
        self.journal.keep(length);
        Ok(())
    }

    /// Writes the overlay's rows and `staged` into the file in one durable commit (`tx`, or a
    /// transaction of its own), with the journal's next generation; empties the overlay.
    fn checkpoint(&mut self, tx: Option<WriteTransaction>, staged: HashMap<String, Row>) -> Result<(), StateError> {
        let tx = match tx {
            Some(tx) => tx,
            None => self.db.begin_write().map_err(backend)?,
        };
        let generation = self.journal.generation() + 1;
        {
            let mut states = tx.open_table(GRAIN_STATE).map_err(backend)?;
            let mut epochs = tx.open_table(GRAIN_EPOCH).map_err(backend)?;
            self.overlay.each(|key, row| write_row(&mut states, &mut epochs, key, row))?;
            for (key, row) in &staged {
                write_row(&mut states, &mut epochs, key, row)?;
            }
            tx.open_table(STORE_META).map_err(backend)?.insert(JOURNAL_GENERATION, generation).map_err(backend)?;
        }
        tx.commit().map_err(backend)?;
        self.overlay.clear();
        self.journal.restart(generation);
        self.last_checkpoint = Instant::now();
        self.known.remember(&staged);
        Ok(())
    }
}

impl Drop for Committer {
    /// A store that stops checkpoints, so the next open has nothing to replay (unless it is
    /// broken: a checkpoint would then make durable what was never answered as such).
    fn drop(&mut self) {
        if self.broken.is_none()
            && self.journal.holds_frames()
            && let Err(e) = self.checkpoint(None, HashMap::new())
        {
            tracing::warn!("the state store's last checkpoint failed (its journal is replayed at the next open): {e}");
        }
    }
}

/// Writes `key`'s `row` into the file's tables.
fn write_row(
    states: &mut Table<'_, &'static str, (u64, &'static [u8])>,
    epochs: &mut Table<'_, &'static str, u64>,
    key: &str,
    row: &Row,
) -> Result<(), StateError> {
    epochs.insert(key, row.epoch.0).map_err(backend)?;
    if let Some(saved) = &row.saved {
        states.insert(key, (saved.etag.0, saved.bytes.as_slice())).map_err(backend)?;
    }
    Ok(())
}

/// Applies one write: claims and saves to `batch`, events to the checkpoint's transaction;
/// returns how to answer it once the batch is durable (or failed).
fn apply(batch: &mut Batch<'_>, events: Option<&mut EventTables<'_>>, write: Write) -> Answer {
    let no_events = || backend("events are written only in a checkpoint's transaction");
    match write {
        Write::Delivered { events: delivered, reply } => {
            let removed = events.ok_or_else(no_events).and_then(|events| events.remove(&delivered));
            Box::new(move |committed| {
                reply.send(committed.and(removed)).ok();
            })
        }
        Write::Publish { topic, key, payload, subscribers, reply } => {
            let published =
                events.ok_or_else(no_events).and_then(|events| events.publish(&topic, &key, &payload, &subscribers));
            Box::new(move |committed| {
                reply.send(committed.and(published)).ok();
            })
        }
        Write::Claim { grain, reply } => {
            let claimed = batch.claim(&grain);
            Box::new(move |committed| {
                reply.send(committed.and(claimed)).ok();
            })
        }
        Write::Save { grain, bytes, expected, epoch, reply } => {
            let saved = batch.save(&grain, bytes, (epoch, expected));
            Box::new(move |committed| {
                reply.send(committed.and(saved)).ok();
            })
        }
    }
}
