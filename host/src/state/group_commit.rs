//! Group commit: writes that arrive while a batch is being made durable wait together and
//! become the next batch, one transaction (PostgreSQL) or journal frame (redb) and one flush to
//! disk for all of them. Under load
//! batches form by themselves; a lone write waits for nothing but its own commit. Each write
//! is answered only once its batch is durable.
//!
//! Two drivers share the batching: [`Batcher`], a task, for stores whose commit is async I/O
//! (PostgreSQL), and [`CommitThread`], a thread of its own, for a store whose commit blocks
//! (redb): it takes the next batch the moment a commit ends, while the grains it just answered
//! run on the runtime's workers, instead of waiting its turn behind them.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// The most writes in one batch.
pub const MAX_BATCH: usize = 4096;

/// What group commit has done so far.
#[derive(Debug, Default)]
pub struct CommitStats {
    batches: AtomicU64,
    writes: AtomicU64,
    largest: AtomicU64,
}

impl CommitStats {
    fn record(&self, size: usize) {
        let size = size as u64;
        self.batches.fetch_add(1, Ordering::Relaxed);
        self.writes.fetch_add(size, Ordering::Relaxed);
        self.largest.fetch_max(size, Ordering::Relaxed);
    }

    /// What it has counted so far.
    pub fn totals(&self) -> CommitTotals {
        CommitTotals {
            batches: self.batches.load(Ordering::Relaxed),
            writes: self.writes.load(Ordering::Relaxed),
            largest: self.largest.load(Ordering::Relaxed),
        }
    }
}

/// What group commit has done since the store opened.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CommitTotals {
    /// Batches committed, each one transaction (redb) or statement (PostgreSQL).
    pub batches: u64,
    /// Writes made durable by them.
    pub writes: u64,
    /// The most writes in one batch.
    pub largest: u64,
}

impl CommitTotals {
    /// Two batchers of one store counted as one.
    pub fn and(self, other: CommitTotals) -> CommitTotals {
        CommitTotals {
            batches: self.batches + other.batches,
            writes: self.writes + other.writes,
            largest: self.largest.max(other.largest),
        }
    }
}

/// Takes the next batch: `first` and whatever `next` yields at once, up to `MAX_BATCH`;
/// with `apart`, a write that clashes with one already taken is handed back as `held`.
fn take_batch<W>(
    first: W,
    mut next: impl FnMut() -> Option<W>,
    apart: Option<fn(&W, &W) -> bool>,
) -> (Vec<W>, Option<W>) {
    let mut batch = vec![first];
    while batch.len() < MAX_BATCH {
        let Some(write) = next() else { break };
        if apart.is_some_and(|clash| batch.iter().any(|queued| clash(queued, &write))) {
            return (batch, Some(write));
        }
        batch.push(write);
    }
    (batch, None)
}

/// A queue of writes and the task that commits them in batches. The task ends once the
/// batcher is dropped and the writes already queued are committed.
pub struct Batcher<W> {
    queue: mpsc::UnboundedSender<W>,
    stats: Arc<CommitStats>,
    _task: JoinHandle<()>,
}

impl<W: Send + 'static> Batcher<W> {
    /// Starts committing batches with `commit`, which answers every write of the batch it is
    /// given. With `apart`, two writes it says clash never share a batch (the later one waits
    /// for the next).
    pub fn start<C, F>(apart: Option<fn(&W, &W) -> bool>, mut commit: C) -> Self
    where
        C: FnMut(Vec<W>) -> F + Send + 'static,
        F: std::future::Future<Output = ()> + Send,
    {
        let (queue, mut writes) = mpsc::unbounded_channel::<W>();
        let stats = Arc::new(CommitStats::default());
        let recorded = Arc::clone(&stats);
        let task = tokio::spawn(async move {
            let mut held: Option<W> = None;
            loop {
                let first = match held.take() {
                    Some(write) => write,
                    None => match writes.recv().await {
                        Some(write) => write,
                        None => return,
                    },
                };
                let batch;
                (batch, held) = take_batch(first, || writes.try_recv().ok(), apart);
                recorded.record(batch.len());
                commit(batch).await;
            }
        });
        Batcher { queue, stats, _task: task }
    }

    /// Queues `write`; false if the batcher has stopped.
    pub fn submit(&self, write: W) -> bool {
        self.queue.send(write).is_ok()
    }

    /// What it has done so far.
    pub fn stats(&self) -> &Arc<CommitStats> {
        &self.stats
    }
}

/// A queue of writes and the thread that commits them in batches with a blocking `commit`.
/// Dropping it lets the thread commit what is queued, then joins it.
pub struct CommitThread<W> {
    queue: Option<std::sync::mpsc::Sender<W>>,
    stats: Arc<CommitStats>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl<W: Send + 'static> CommitThread<W> {
    /// Starts the thread `name`, committing batches with `commit`, which answers every write of
    /// the batch it is given.
    pub fn start(name: &str, mut commit: impl FnMut(Vec<W>) + Send + 'static) -> std::io::Result<Self> {
        let (queue, writes) = std::sync::mpsc::channel::<W>();
        let stats = Arc::new(CommitStats::default());
        let recorded = Arc::clone(&stats);
        let thread = std::thread::Builder::new().name(name.into()).spawn(move || {
            while let Ok(first) = writes.recv() {
                let (batch, _) = take_batch(first, || writes.try_recv().ok(), None);
                recorded.record(batch.len());
                commit(batch);
            }
        })?;
        Ok(CommitThread { queue: Some(queue), stats, thread: Some(thread) })
    }

    /// Queues `write`; false if the thread has stopped.
    pub fn submit(&self, write: W) -> bool {
        self.queue.as_ref().is_some_and(|queue| queue.send(write).is_ok())
    }

    /// What it has done so far.
    pub fn stats(&self) -> &Arc<CommitStats> {
        &self.stats
    }
}

impl<W> Drop for CommitThread<W> {
    fn drop(&mut self) {
        drop(self.queue.take());
        if let Some(thread) = self.thread.take()
            && thread.join().is_err()
        {
            tracing::error!("the state store's commit thread panicked");
        }
    }
}
