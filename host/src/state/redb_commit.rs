//! The redb store's commit thread: each batch of writes is applied in one transaction, each
//! write fenced on its own. A batch of saves and claims is made durable by one journal frame
//! and committed to redb without a flush; a batch with events, or one that finds a checkpoint
//! due, is committed durably by redb itself, which makes the journal's frames redundant. The
//! journal's flush and redb's commit without one overlap; a batch is answered once both end,
//! and the next batch starts only then (a `load` may see a batch while its flush is under way).

use super::redb_event_tables::EventTables;
use super::redb_journal::{self, Flushing, Frame, Journal, Record};
use super::redb_schema::{GRAIN_EPOCH, GRAIN_STATE, JOURNAL_GENERATION, STORE_META};
use super::redb_tx::backend;
use super::{Claim, Epoch, Etag, EventStream, StateError, StoredState, next_etag, refusal};
use crate::ids::GrainId;
use redb::{Database, Durability, ReadableTable, Table, WriteTransaction};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// Journaled batches between two checkpoints at most: redb keeps the pages a commit without a
/// flush replaces until the next durable commit, so the file would otherwise grow.
const BATCHES_PER_CHECKPOINT: u32 = 256;
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

/// Each recently written grain's epoch and etag as the file holds them, kept by the commit
/// thread, the file's only writer, so a save is fenced without reading them back. Bounded: when
/// full it starts afresh, and a grain it does not know is read from the file.
#[derive(Default)]
struct Known {
    fences: HashMap<String, (Epoch, Option<Etag>)>,
}

/// The most grains `Known` holds before it starts afresh (about 100 bytes each).
const KNOWN_GRAINS: usize = 100_000;

impl Known {
    fn remember(&mut self, key: String, fence: (Epoch, Option<Etag>)) {
        if self.fences.len() >= KNOWN_GRAINS && !self.fences.contains_key(&key) {
            self.fences.clear();
        }
        self.fences.insert(key, fence);
    }
}

/// What the commit thread keeps between batches.
pub(super) struct Committer {
    db: Arc<Database>,
    known: Known,
    journal: Journal,
    journaled_since_checkpoint: u32,
    last_checkpoint: Instant,
    /// Why the store takes no more writes: a journal flush failed after redb had committed its
    /// batch, so redb holds writes that may not be on disk. A restart replays what is.
    broken: Option<String>,
}

impl Committer {
    /// Commits to `db`, journaling to `journal`.
    pub(super) fn new(db: Arc<Database>, journal: Journal) -> Self {
        Committer {
            db,
            known: Known::default(),
            journal,
            journaled_since_checkpoint: 0,
            last_checkpoint: Instant::now(),
            broken: None,
        }
    }

    fn checkpoint_due(&self) -> bool {
        self.journal.holds_frames()
            && (self.journaled_since_checkpoint >= BATCHES_PER_CHECKPOINT
                || self.last_checkpoint.elapsed() >= CHECKPOINT_AFTER)
    }

    /// Applies every write of `batch` in one transaction, in order, each fenced on its own, and
    /// answers them once the batch is durable (or all with the error if it is not).
    pub(super) fn commit(&mut self, batch: Vec<Write>) {
        if let Some(why) = &self.broken {
            for write in batch {
                write.refuse(backend(why));
            }
            return;
        }
        let mut answers: Vec<Answer> = Vec::with_capacity(batch.len());
        let checkpoint = self.checkpoint_due() || batch.iter().any(Write::writes_events);
        let committed = self.commit_applying(batch, &mut answers, checkpoint);
        if committed.is_err() {
            // What was remembered during the failed transaction never reached the file.
            self.known.fences.clear();
        }
        for answer in answers {
            answer(committed.clone());
        }
    }

    /// Applies `batch`, then commits it durably (`checkpoint`, or when its frame does not fit
    /// in the journal) or journals it.
    fn commit_applying(
        &mut self,
        batch: Vec<Write>,
        answers: &mut Vec<Answer>,
        mut checkpoint: bool,
    ) -> Result<(), StateError> {
        let mut frame = Frame::default();
        let mut tx = self.db.begin_write().map_err(backend)?;
        {
            let mut tables = Tables {
                tx: &tx,
                states: tx.open_table(GRAIN_STATE).map_err(backend)?,
                epochs: tx.open_table(GRAIN_EPOCH).map_err(backend)?,
                events: None,
            };
            for write in batch {
                answers.push(tables.apply(&mut self.known, &mut frame, write));
            }
        }
        checkpoint |= !self.journal.fits(&frame);
        if checkpoint {
            let generation = self.journal.generation() + 1;
            tx.open_table(STORE_META).map_err(backend)?.insert(JOURNAL_GENERATION, generation).map_err(backend)?;
            tx.commit().map_err(backend)?;
            self.journal.restart(generation);
            self.journaled_since_checkpoint = 0;
            self.last_checkpoint = Instant::now();
            return Ok(());
        }
        tx.set_durability(Durability::None).map_err(backend)?;
        // The journal's flush and redb's commit without one go on at the same time.
        let flushing = if frame.is_empty() { None } else { Some(self.journal.write(&frame).map_err(backend)?) };
        let committed = tx.commit().map_err(backend);
        let length = match flushing.map(Flushing::wait) {
            Some(Ok(length)) => length,
            Some(Err(e)) => {
                let why =
                    format!("the state journal's flush failed ({e}); restart the node to recover what is on disk");
                tracing::error!("{why}");
                self.broken = Some(why.clone());
                return Err(backend(why));
            }
            None => 0,
        };
        committed?;
        self.journal.keep(length);
        self.journaled_since_checkpoint += 1;
        Ok(())
    }
}

impl Drop for Committer {
    /// A store that stops checkpoints, so the next open has nothing to replay (unless it is
    /// broken: a checkpoint would then make durable what was never answered as such).
    fn drop(&mut self) {
        if self.broken.is_none()
            && self.journal.holds_frames()
            && let Err(e) = self.commit_applying(Vec::new(), &mut Vec::new(), true)
        {
            tracing::warn!("the state store's last checkpoint failed (its journal is replayed at the next open): {e}");
        }
    }
}

/// The tables one batch writes, open in its transaction (the event tables once a write needs
/// them: most batches have none).
struct Tables<'tx> {
    tx: &'tx WriteTransaction,
    states: Table<'tx, &'static str, (u64, &'static [u8])>,
    epochs: Table<'tx, &'static str, u64>,
    events: Option<EventTables<'tx>>,
}

impl<'tx> Tables<'tx> {
    fn events(&mut self) -> Result<&mut EventTables<'tx>, StateError> {
        if self.events.is_none() {
            self.events = Some(EventTables::open(self.tx)?);
        }
        self.events.as_mut().ok_or_else(|| backend("the event tables did not open"))
    }

    /// Applies one write inside the batch's transaction, recording it in `frame`; returns how
    /// to answer it once the batch commits (or fails).
    fn apply(&mut self, known: &mut Known, frame: &mut Frame, write: Write) -> Answer {
        match write {
            Write::Delivered { events: delivered, reply } => {
                let removed = self.events().and_then(|events| events.remove(&delivered));
                Box::new(move |committed| {
                    reply.send(committed.and(removed)).ok();
                })
            }
            Write::Publish { topic, key, payload, subscribers, reply } => {
                let published = self.events().and_then(|events| events.publish(&topic, &key, &payload, &subscribers));
                Box::new(move |committed| {
                    reply.send(committed.and(published)).ok();
                })
            }
            Write::Claim { grain, reply } => {
                let claimed = self.claim(known, frame, &grain);
                Box::new(move |committed| {
                    reply.send(committed.and(claimed)).ok();
                })
            }
            Write::Save { grain, bytes, expected, epoch, reply } => {
                let saved = self.save(known, frame, &grain, &bytes, (epoch, expected));
                Box::new(move |committed| {
                    reply.send(committed.and(saved)).ok();
                })
            }
        }
    }

    fn claim(&mut self, known: &mut Known, frame: &mut Frame, grain: &GrainId) -> Result<Claim, StateError> {
        let key = grain.to_string();
        let epoch = current_epoch(&self.epochs, &key)?.next();
        self.epochs.insert(key.as_str(), epoch.0).map_err(backend)?;
        frame.claimed(&key, epoch.0);
        let saved = stored_state(&self.states, &key)?;
        known.remember(key, (epoch, saved.as_ref().map(|state| state.etag)));
        Ok(Claim { epoch, saved })
    }

    fn save(
        &mut self,
        known: &mut Known,
        frame: &mut Frame,
        grain: &GrainId,
        bytes: &[u8],
        writer: (Epoch, Option<Etag>),
    ) -> Result<Etag, StateError> {
        let key = grain.to_string();
        let (current, actual) = match known.fences.get(&key) {
            Some(&fence) => fence,
            None => (
                current_epoch(&self.epochs, &key)?,
                self.states.get(key.as_str()).map_err(backend)?.map(|row| Etag(row.value().0)),
            ),
        };
        if let Some(refused) = refusal(grain, writer, (current, actual)) {
            return Err(refused);
        }
        let etag = next_etag(actual);
        self.states.insert(key.as_str(), (etag.0, bytes)).map_err(backend)?;
        frame.saved(&key, etag.0, bytes);
        known.remember(key, (current, Some(etag)));
        Ok(etag)
    }
}
