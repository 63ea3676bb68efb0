//! The embedded default `StateStore`: one redb file in the node's data dir. Saves, epoch
//! claims and event publishes are group-committed: those that arrive together share one write
//! transaction and one fsync, each checked on its own (saves against their epoch and etag),
//! each answered once durable.

use super::group_commit::{CommitThread, CommitTotals};
use super::redb_event_tables::EventTables;
use super::redb_schema::{self, GRAIN_EPOCH, GRAIN_STATE};
use super::redb_tx::{backend, read};
use super::{Claim, Epoch, Etag, EventStream, StateError, StateStore, StoredState, next_etag, refusal};
use crate::ids::GrainId;
use redb::{Database, ReadableTable, Table};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;
use tokio::sync::oneshot;

/// Grain state in one redb file.
pub struct RedbStateStore {
    pub(super) db: Arc<Database>,
    writes: CommitThread<Write>,
}

/// One write waiting for its batch.
enum Write {
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

/// How one write is answered once its batch has committed (or failed to).
type Answer = Box<dyn FnOnce(Result<(), StateError>) + Send>;

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
    /// Opens (or creates) the store file at `path`, with a thread of its own that commits.
    pub fn open(path: &Path) -> Result<Self, StateError> {
        let db = Database::create(path).map_err(|e| backend(format!("{}: {e}", path.display())))?;
        redb_schema::create_tables(&db)?;
        let db = Arc::new(db);
        let committing = Arc::clone(&db);
        let mut known = Known::default();
        let writes = CommitThread::start("granary-redb-commit", move |batch| commit(&committing, &mut known, batch))
            .map_err(|e| backend(format!("cannot start the commit thread: {e}")))?;
        Ok(RedbStateStore { db, writes })
    }

    /// Appends an event in the next group commit; returns its sequence number once durable.
    pub(super) async fn publish_event(
        &self,
        topic: &str,
        key: &str,
        payload: &[u8],
        subscribers: &[String],
    ) -> Result<u64, StateError> {
        let (topic, key, payload, subscribers) =
            (topic.to_string(), key.to_string(), payload.to_vec(), subscribers.to_vec());
        self.submit(|reply| Write::Publish { topic, key, payload, subscribers, reply }).await
    }

    /// Removes delivered events in the next group commit.
    pub(super) async fn remove_delivered(&self, events: Vec<(EventStream, u64)>) -> Result<(), StateError> {
        self.submit(|reply| Write::Delivered { events, reply }).await
    }

    async fn submit<T>(
        &self,
        write: impl FnOnce(oneshot::Sender<Result<T, StateError>>) -> Write,
    ) -> Result<T, StateError> {
        let (reply, outcome) = oneshot::channel();
        if !self.writes.submit(write(reply)) {
            return Err(backend("the state store has stopped"));
        }
        outcome.await.map_err(|_| backend("the state store failed while committing"))?
    }
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

/// Applies every write of `batch` in one transaction, in order, each fenced on its own, and
/// answers them once the transaction is durable (or all with the error if it is not).
fn commit(db: &Database, known: &mut Known, batch: Vec<Write>) {
    let mut answers: Vec<Answer> = Vec::with_capacity(batch.len());
    let committed = (|| {
        let tx = db.begin_write().map_err(backend)?;
        {
            let mut states = tx.open_table(GRAIN_STATE).map_err(backend)?;
            let mut epochs = tx.open_table(GRAIN_EPOCH).map_err(backend)?;
            let mut events = EventTables::open(&tx)?;
            for write in batch {
                answers.push(apply(&mut states, &mut epochs, &mut events, known, write));
            }
        }
        tx.commit().map_err(backend)
    })();
    if committed.is_err() {
        // What was remembered during the failed transaction never reached the file.
        known.fences.clear();
    }
    for answer in answers {
        answer(committed.clone());
    }
}

/// Applies one write inside the batch's transaction; returns how to answer it once the batch
/// commits (or fails).
fn apply(
    states: &mut Table<&'static str, (u64, &'static [u8])>,
    epochs: &mut Table<&'static str, u64>,
    events: &mut EventTables<'_>,
    known: &mut Known,
    write: Write,
) -> Answer {
    match write {
        Write::Delivered { events: delivered, reply } => {
            let removed = events.remove(&delivered);
            Box::new(move |committed| {
                reply.send(committed.and(removed)).ok();
            })
        }
        Write::Publish { topic, key, payload, subscribers, reply } => {
            let published = events.publish(&topic, &key, &payload, &subscribers);
            Box::new(move |committed| {
                reply.send(committed.and(published)).ok();
            })
        }
        Write::Claim { grain, reply } => {
            let key = grain.to_string();
            let claimed = (|| {
                let epoch = current_epoch(epochs, &key)?.next();
                epochs.insert(key.as_str(), epoch.0).map_err(backend)?;
                let saved = stored_state(states, &key)?;
                known.remember(key, (epoch, saved.as_ref().map(|state| state.etag)));
                Ok(Claim { epoch, saved })
            })();
            Box::new(move |committed| {
                reply.send(committed.and(claimed)).ok();
            })
        }
        Write::Save { grain, bytes, expected, epoch, reply } => {
            let key = grain.to_string();
            let saved = (|| {
                let (current, actual) = match known.fences.get(&key) {
                    Some(&fence) => fence,
                    None => (
                        current_epoch(epochs, &key)?,
                        states.get(key.as_str()).map_err(backend)?.map(|row| Etag(row.value().0)),
                    ),
                };
                if let Some(refused) = refusal(&grain, (epoch, expected), (current, actual)) {
                    return Err(refused);
                }
                let etag = next_etag(actual);
                states.insert(key.as_str(), (etag.0, bytes.as_slice())).map_err(backend)?;
                known.remember(key, (current, Some(etag)));
                Ok(etag)
            })();
            Box::new(move |committed| {
                reply.send(committed.and(saved)).ok();
            })
        }
    }
}

#[async_trait::async_trait]
impl StateStore for RedbStateStore {
    fn name(&self) -> &'static str {
        "redb"
    }

    fn commits(&self) -> Option<CommitTotals> {
        Some(self.writes.stats().totals())
    }

    async fn load(&self, grain: &GrainId) -> Result<Option<StoredState>, StateError> {
        let key = grain.to_string();
        read(&self.db, move |tx| stored_state(&tx.open_table(GRAIN_STATE).map_err(backend)?, &key)).await
    }

    async fn activate(&self, grain: &GrainId) -> Result<Claim, StateError> {
        self.submit(|reply| Write::Claim { grain: grain.clone(), reply }).await
    }

    async fn save(
        &self,
        grain: &GrainId,
        bytes: &[u8],
        expected: Option<Etag>,
        epoch: Epoch,
    ) -> Result<Etag, StateError> {
        self.submit(|reply| Write::Save { grain: grain.clone(), bytes: bytes.to_vec(), expected, epoch, reply }).await
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
        let store = RedbStateStore::open(&dir.path().join("reminders.redb")).expect("open store");
        crate::state::reminder_suite::run(Arc::new(store)).await;
        let store = RedbStateStore::open(&dir.path().join("events.redb")).expect("open store");
        crate::state::event_suite::run(Arc::new(store)).await;
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

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_saves_share_commits_and_a_stale_one_fails_alone() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Arc::new(RedbStateStore::open(&dir.path().join("state.redb")).expect("open store"));
        suite::batch_mates_are_fenced_alone(Arc::clone(&store) as Arc<dyn StateStore>).await;
        let stats = store.commits().expect("redb group-commits");
        assert!(stats.largest > 1, "concurrent writes shared a commit: {stats:?}");
        assert!(stats.batches < stats.writes, "fewer commits than writes: {stats:?}");
    }
}
