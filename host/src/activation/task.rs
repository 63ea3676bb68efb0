//! The life of one activation: start its instance, handle messages in order, stop when idle,
//! superseded, moved, faulted or shut down, and hand back what it still held.

use super::{ActivationStats, Directory, Instance, Turns};
use crate::error::CallError;
use crate::ids::{ActivationId, GrainId, Version};
use crate::message::Envelope;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep};
use tokio_util::sync::CancellationToken;

/// A future an activation watches for a reason to stop.
pub type Signal = Pin<Box<dyn Future<Output = ()> + Send>>;

/// A started instance and what ends its activation besides idleness, faults and shutdown.
pub struct Started<I> {
    /// The instance, its `activate` already run.
    pub instance: I,
    /// The kind version it runs.
    pub version: Version,
    /// The kind's receive timeout, unless the grain sets its own.
    pub idle_timeout: Duration,
    /// Resolves when the kind has a new version or was removed.
    pub superseded: Signal,
    /// Resolves when another member owns the grain now.
    pub moved: Signal,
}

/// Why an activation ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// Its instance could not be started; its queued messages were answered with the error.
    NotStarted,
    /// No message within the receive timeout.
    Idle,
    /// The node is stopping.
    Shutdown,
    /// The instance faulted or turned stale: it was dropped without `deactivate`.
    Fault,
    /// The kind has a new version (or was removed): queued messages go to the next activation.
    Reload,
    /// Another member owns the grain now: queued messages follow it there.
    Handover,
    /// It was idle when the node needed room (its memory budget, its kind's live quota).
    Evicted,
}

impl Stop {
    /// The reason as a word, for logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Stop::NotStarted => "not-started",
            Stop::Idle => "idle",
            Stop::Shutdown => "shutdown",
            Stop::Fault => "fault",
            Stop::Reload => "reload",
            Stop::Handover => "handover",
            Stop::Evicted => "evicted",
        }
    }
}

/// What a stopped activation hands back to whoever spawned it: why it stopped, and the
/// messages that reached it but were not run, in arrival order. It has left the directory,
/// so delivering them again reaches the grain's next activation.
#[derive(Debug)]
pub struct Leftovers {
    /// Why it stopped.
    pub stop: Stop,
    /// Messages not run, oldest first.
    pub messages: Vec<Envelope>,
}

/// One activation's task.
pub struct Activation<I: Instance> {
    grain: GrainId,
    id: ActivationId,
    directory: Arc<Directory<I>>,
    inbox: mpsc::Receiver<Envelope>,
    stats: Arc<ActivationStats>,
    turns: Arc<Turns<I>>,
    /// A message taken from the mailbox after a caller's turn discarded the instance: it is
    /// handed back first.
    held: Option<Envelope>,
}

impl<I: Instance> Activation<I> {
    /// The task of activation `id` of `grain`, registered in `directory` with this inbox,
    /// stats and turns.
    pub fn new(
        grain: GrainId,
        id: ActivationId,
        directory: Arc<Directory<I>>,
        inbox: mpsc::Receiver<Envelope>,
        stats: Arc<ActivationStats>,
        turns: Arc<Turns<I>>,
    ) -> Self {
        Activation { grain, id, directory, inbox, stats, turns, held: None }
    }

    /// Starts the instance with `start`, serves until a reason to stop, deactivates, leaves
    /// the directory and returns what it did not run.
    pub async fn run(
        mut self,
        start: impl Future<Output = Result<Started<I>, CallError>>,
        shutdown: CancellationToken,
    ) -> Leftovers {
        let started = match start.await {
            Ok(started) => started,
            Err(error) => {
                tracing::warn!(grain = %self.grain, "activation failed: {error}");
                for envelope in self.leave() {
                    envelope.answer(Err(error.clone()));
                }
                return Leftovers { stop: Stop::NotStarted, messages: Vec::new() };
            }
        };
        let Started { instance, version, idle_timeout, mut superseded, mut moved } = started;
        self.stats.activated(version.as_str());
        tracing::debug!(grain = %self.grain, activation = %self.id, version = version.short(), "activated");
        *self.turns.lock().await = Some(instance);
        let stop = self.serve(idle_timeout, &mut superseded, &mut moved, &shutdown).await;
        // Waits for a caller's turn in progress; after a fault there is no instance left.
        let instance = self.turns.lock().await.take();
        if let Some(instance) = instance
            && let Err(fault) = instance.deactivate().await
        {
            tracing::warn!(grain = %self.grain, "deactivate failed: {fault}");
        }
        self.stats.instance_stopped();
        tracing::debug!(grain = %self.grain, activation = %self.id, stop = stop.as_str(), "deactivated");
        let messages = self.leave();
        Leftovers { stop, messages }
    }

    /// Leaves the directory, so no new message reaches this activation, and takes what is
    /// still queued.
    fn leave(&mut self) -> Vec<Envelope> {
        self.directory.remove(&self.grain, self.id);
        self.inbox.close();
        let mut messages: Vec<Envelope> = self.held.take().into_iter().collect();
        while let Ok(envelope) = self.inbox.try_recv() {
            messages.push(envelope);
        }
        messages
    }

    /// Handles messages until the grain idles out, faults, its kind changes, it moves, or the
    /// node stops. Callers may run turns of their own in between (see [`Turns`]).
    async fn serve(
        &mut self,
        default_idle: Duration,
        superseded: &mut Signal,
        moved: &mut Signal,
        shutdown: &CancellationToken,
    ) -> Stop {
        let turns = Arc::clone(&self.turns);
        let idle_after = || turns.receive_timeout().unwrap_or(default_idle);
        let idle = sleep(idle_after());
        tokio::pin!(idle);
        loop {
            let envelope = tokio::select! {
                biased;
                _ = shutdown.cancelled() => return Stop::Shutdown,
                _ = superseded.as_mut() => return Stop::Reload,
                _ = moved.as_mut() => return Stop::Handover,
                _ = turns.discarded() => return Stop::Fault,
                envelope = self.inbox.recv() => match envelope {
                    Some(envelope) => envelope,
                    None => return Stop::Shutdown,
                },
                _ = turns.evicted() => return Stop::Evicted,
                _ = turns.timeout_changed() => {
                    idle.as_mut().reset(Instant::now() + idle_after().saturating_sub(self.stats.idle()));
                    continue;
                }
                _ = &mut idle => {
                    // Callers' own turns count as activity too.
                    let quiet = self.stats.idle();
                    if quiet < idle_after() {
                        idle.as_mut().reset(Instant::now() + (idle_after() - quiet));
                        continue;
                    }
                    return Stop::Idle;
                }
            };
            if envelope.is_abandoned() {
                envelope.answer(Err(CallError::Timeout));
                turns.dequeued();
                continue;
            }
            let mut slot = turns.lock().await;
            let Some(instance) = slot.as_mut() else {
                // A caller's turn discarded the instance while this message waited.
                turns.dequeued();
                self.held = Some(envelope);
                return Stop::Fault;
            };
            let live = turns.handle(instance, envelope, &self.stats, &self.grain).await;
            turns.dequeued();
            if !live {
                *slot = None;
                return Stop::Fault;
            }
            drop(slot);
            idle.as_mut().reset(Instant::now() + idle_after());
        }
    }
}
