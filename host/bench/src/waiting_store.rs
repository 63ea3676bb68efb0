//! The in-memory store made to wait once per save, in one of three ways: by yielding to the
//! runtime, by being answered at once by a thread of its own, or by a thread that answers in
//! batches, as the redb store's commit thread does. PD measures each beside the in-memory store:
//! what waiting costs with no disk at all.

use granary::ids::GrainId;
use granary::state::{
    Claim, Epoch, Etag, EventStore, EventStream, Fired, MemoryStateStore, QueuedEvent, Reminder, ReminderStore,
    StateError, StateStore, StoredState,
};
use std::sync::mpsc;
use std::time::Duration;
use tokio::sync::oneshot;

/// How long the batching thread pauses before it answers a batch: about one `fdatasync` on the
/// disks the README's figures come from (143-185 µs), so that batches form as in group commit.
/// The thread sleeps at least this long; [`Wait::label`] names it.
const BATCH_PAUSE: Duration = Duration::from_micros(200);

/// How each save waits before it returns.
#[derive(Clone, Copy, Debug)]
pub enum Wait {
    /// It yields to the runtime once.
    Yield,
    /// It asks a thread of the store's own, which answers at once, and waits for the answer.
    OtherThread,
    /// It asks a thread of the store's own that takes every question queued, pauses for
    /// [`BATCH_PAUSE`] as a flush would, and then answers them all: group commit with no disk.
    BatchingThread,
}

impl Wait {
    /// How reports name the store that waits this way.
    pub fn label(self) -> &'static str {
        match self {
            Wait::Yield => "save yields once",
            Wait::OtherThread => "save waits for another thread",
            Wait::BatchingThread => "save waits for a thread that answers batches after 200 µs",
        }
    }
}

/// A thread that answers every question, at once or in batches after a pause; it stops when
/// dropped.
struct Answerer {
    questions: Option<mpsc::Sender<oneshot::Sender<()>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Answerer {
    /// Starts the thread; with `pause`, it answers whatever has queued once it has paused.
    fn start(pause: Option<Duration>) -> std::io::Result<Self> {
        let (questions, asked) = mpsc::channel::<oneshot::Sender<()>>();
        let thread = std::thread::Builder::new().name("bench-answerer".into()).spawn(move || {
            while let Ok(first) = asked.recv() {
                let mut batch = vec![first];
                if let Some(pause) = pause {
                    batch.extend(asked.try_iter());
                    std::thread::sleep(pause);
                }
                for question in batch {
                    question.send(()).ok();
                }
            }
        })?;
        Ok(Answerer { questions: Some(questions), thread: Some(thread) })
    }

    async fn ask(&self) {
        let (answer, answered) = oneshot::channel();
        if self.questions.as_ref().is_some_and(|questions| questions.send(answer).is_ok()) {
            answered.await.ok();
        }
    }
}

impl Drop for Answerer {
    fn drop(&mut self) {
        drop(self.questions.take());
        if let Some(thread) = self.thread.take() {
            thread.join().ok();
        }
    }
}

/// [`MemoryStateStore`], whose saves wait once before they return.
pub struct WaitingStore {
    memory: MemoryStateStore,
    answerer: Option<Answerer>,
}

impl WaitingStore {
    /// An empty store whose saves wait the way `wait` says.
    pub fn new(wait: Wait) -> std::io::Result<Self> {
        let answerer = match wait {
            Wait::Yield => None,
            Wait::OtherThread => Some(Answerer::start(None)?),
            Wait::BatchingThread => Some(Answerer::start(Some(BATCH_PAUSE))?),
        };
        Ok(WaitingStore { memory: MemoryStateStore::default(), answerer })
    }
}

#[async_trait::async_trait]
impl StateStore for WaitingStore {
    fn name(&self) -> &'static str {
        self.memory.name()
    }

    async fn load(&self, grain: &GrainId) -> Result<Option<StoredState>, StateError> {
        self.memory.load(grain).await
    }

    async fn activate(&self, grain: &GrainId) -> Result<Claim, StateError> {
        self.memory.activate(grain).await
    }

    async fn save(
        &self,
        grain: &GrainId,
        bytes: &[u8],
        expected: Option<Etag>,
        epoch: Epoch,
    ) -> Result<Etag, StateError> {
        match &self.answerer {
            Some(answerer) => answerer.ask().await,
            None => tokio::task::yield_now().await,
        }
        self.memory.save(grain, bytes, expected, epoch).await
    }
}

#[async_trait::async_trait]
impl ReminderStore for WaitingStore {
    async fn set_reminder(
        &self,
        grain: &GrainId,
        name: &str,
        due_ms: u64,
        period_ms: u64,
    ) -> Result<Reminder, StateError> {
        self.memory.set_reminder(grain, name, due_ms, period_ms).await
    }

    async fn cancel_reminder(&self, grain: &GrainId, name: &str) -> Result<bool, StateError> {
        self.memory.cancel_reminder(grain, name).await
    }

    async fn reminders_of(&self, grain: &GrainId) -> Result<Vec<Reminder>, StateError> {
        self.memory.reminders_of(grain).await
    }

    async fn reminders_due(&self, before_ms: u64, limit: usize) -> Result<Vec<Reminder>, StateError> {
        self.memory.reminders_due(before_ms, limit).await
    }

    async fn reminders_fired(&self, fired: &[Fired]) -> Result<Vec<bool>, StateError> {
        self.memory.reminders_fired(fired).await
    }
}

#[async_trait::async_trait]
impl EventStore for WaitingStore {
    async fn publish(&self, topic: &str, key: &str, payload: &[u8], subscribers: &[String]) -> Result<u64, StateError> {
        self.memory.publish(topic, key, payload, subscribers).await
    }

    async fn queued_streams(&self, limit: usize) -> Result<Vec<EventStream>, StateError> {
        self.memory.queued_streams(limit).await
    }

    async fn queued_events(&self, stream: &EventStream, limit: usize) -> Result<Vec<QueuedEvent>, StateError> {
        self.memory.queued_events(stream, limit).await
    }

    async fn delivered(&self, events: &[(EventStream, u64)]) -> Result<(), StateError> {
        self.memory.delivered(events).await
    }
}
