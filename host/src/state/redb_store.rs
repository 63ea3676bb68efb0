//! The embedded default `StateStore`: one redb file in the node's data dir, and its journal
//! beside it. Saves, epoch claims and event publishes are group-committed: those that arrive
//! together share one journal frame and one flush, each checked on its own (saves against
//! their epoch and etag), each answered once durable (see `redb_commit`).

use super::group_commit::{CommitThread, CommitTotals};
use super::redb_batch::stored_state;
use super::redb_commit::{Committer, Write, recover};
use super::redb_journal::Journal;
use super::redb_overlay::Overlay;
use super::redb_schema::{self, GRAIN_STATE};
use super::redb_tx::{backend, read};
use super::{Claim, Epoch, Etag, EventStream, StateError, StateStore, StoredState};
use crate::ids::GrainId;
use redb::Database;
use std::path::Path;
use std::sync::Arc;
use tokio::sync::oneshot;

/// Grain state in one redb file, with its journal at the same path ending `.journal`.
pub struct RedbStateStore {
    pub(super) db: Arc<Database>,
    /// Rows journaled and not yet in the file: a load looks here first.
    overlay: Arc<Overlay>,
    writes: CommitThread<Write>,
}

impl RedbStateStore {
    /// Opens (or creates) the store file at `path`, replays its journal, and starts a thread of
    /// its own that commits.
    pub fn open(path: &Path) -> Result<Self, StateError> {
        let db = Database::create(path).map_err(|e| backend(format!("{}: {e}", path.display())))?;
        redb_schema::create_tables(&db)?;
        let journal_path = path.with_extension("journal");
        let generation = recover(&db, &journal_path)?;
        let journal = Journal::open(&journal_path, generation)
            .map_err(|e| backend(format!("{}: {e}", journal_path.display())))?;
        let db = Arc::new(db);
        let overlay = Arc::new(Overlay::default());
        let mut committer = Committer::new(Arc::clone(&db), Arc::clone(&overlay), journal);
        let writes = CommitThread::start("granary-redb-commit", move |batch| committer.commit(batch))
            .map_err(|e| backend(format!("cannot start the commit thread: {e}")))?;
        Ok(RedbStateStore { db, overlay, writes })
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
        // A row claimed and never saved holds no state: the file holds none either.
        if let Some(row) = self.overlay.row(&key) {
            return Ok(row.saved);
        }
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

    #[tokio::test]
    async fn acknowledged_writes_survive_a_crash_through_the_journal() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (live, crashed) = (dir.path().join("live"), dir.path().join("crashed"));
        std::fs::create_dir_all(&live).expect("live dir");
        std::fs::create_dir_all(&crashed).expect("crashed dir");
        let store = RedbStateStore::open(&live.join("state.redb")).expect("open store");
        let grains: Vec<GrainId> = (0..40).map(|n| suite::id(&format!("counter/crash-{n}"))).collect();
        let mut etags = Vec::new();
        for (n, grain) in grains.iter().enumerate() {
            let claim = store.activate(grain).await.expect("activate");
            let first = store.save(grain, b"first", None, claim.epoch).await.expect("first save");
            let last = store.save(grain, format!("last-{n}").as_bytes(), Some(first), claim.epoch).await.expect("save");
            etags.push((claim.epoch, last));
        }
        // What a crash leaves: the files as they are while the store runs, unflushed redb commits
        // and all.
        for file in ["state.redb", "state.journal"] {
            std::fs::copy(live.join(file), crashed.join(file)).expect("copy the running store's files");
        }
        let restarted = RedbStateStore::open(&crashed.join("state.redb")).expect("open after the crash");
        for (n, (grain, (epoch, etag))) in grains.iter().zip(etags).enumerate() {
            let loaded = restarted.load(grain).await.expect("load");
            assert_eq!(loaded, Some(StoredState { bytes: format!("last-{n}").into_bytes(), etag }), "{grain}");
            let fenced = restarted.save(grain, b"stale", Some(etag), Epoch(epoch.0 - 1)).await;
            assert!(matches!(fenced, Err(StateError::Fenced { .. })), "{grain}'s claimed epoch survived: {fenced:?}");
        }
        drop(store);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn rows_a_checkpoint_moved_into_the_file_are_still_read_and_fenced() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Arc::new(RedbStateStore::open(&dir.path().join("state.redb")).expect("open store"));
        let grains: Vec<GrainId> = (0..5000).map(|n| suite::id(&format!("counter/many-{n}"))).collect();
        let writes: Vec<_> = grains
            .iter()
            .map(|grain| {
                let (store, grain) = (Arc::clone(&store), grain.clone());
                tokio::spawn(async move {
                    let claim = store.activate(&grain).await.expect("activate");
                    let etag = store.save(&grain, grain.to_string().as_bytes(), None, claim.epoch).await.expect("save");
                    (claim.epoch, etag)
                })
            })
            .collect();
        let mut written = Vec::new();
        for write in writes {
            written.push(write.await.expect("write task"));
        }
        assert!(store.overlay.len() < grains.len(), "a checkpoint emptied the overlay on the way");
        for (grain, (epoch, etag)) in grains.iter().zip(written) {
            let loaded = store.load(grain).await.expect("load");
            assert_eq!(loaded, Some(StoredState { bytes: grain.to_string().into_bytes(), etag }), "{grain}");
            let stale = store.save(grain, b"stale", None, epoch).await;
            assert!(matches!(stale, Err(StateError::Conflict { .. })), "{grain}: {stale:?}");
            let old = store.save(grain, b"old", Some(etag), Epoch(epoch.0 - 1)).await;
            assert!(matches!(old, Err(StateError::Fenced { .. })), "{grain}: {old:?}");
        }
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
