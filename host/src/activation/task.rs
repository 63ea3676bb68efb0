//! The life of one activation: activate, handle messages in order, deactivate when idle.

use super::{ActivationStats, Envelope, Turns};
use crate::error::CallError;
use crate::ids::{ActivationId, GrainId};
use crate::router::Router;
use crate::runtime::{Fault, GrainInstance, GrainState, Kind};
use std::sync::Arc;
use tokio::sync::{mpsc, watch};
use tokio::time::{Instant, sleep};
use tokio_util::sync::CancellationToken;

/// Why an activation ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// No message within the receive timeout.
    Idle,
    /// The node is stopping.
    Shutdown,
    /// The instance faulted or turned stale: it is dropped without `deactivate`.
    Discard,
    /// The kind has a new version (or was removed): queued messages go to the next activation.
    Reload,
    /// Another member owns the grain now: queued messages follow it there.
    Handover,
}

pub struct Activation {
    grain: GrainId,
    id: ActivationId,
    router: Arc<Router>,
    inbox: mpsc::Receiver<Envelope>,
    stats: Arc<ActivationStats>,
    turns: Arc<Turns>,
    /// A message taken from the mailbox after a caller's turn discarded the instance: it is
    /// handed to the next activation first.
    held: Option<Envelope>,
}

/// The kind version an activation runs, and news of the next one.
struct Version {
    kind: Arc<Kind>,
    changes: watch::Receiver<Option<Arc<Kind>>>,
}

impl From<Fault> for CallError {
    fn from(fault: Fault) -> Self {
        match fault {
            Fault::Trap(trap) => CallError::Trapped(trap),
            Fault::TimeLimit(limit) => CallError::TimeLimit(limit),
            Fault::MemoryLimit(limit) => CallError::MemoryLimit(limit),
            Fault::Capacity(why) => CallError::Unavailable(why),
        }
    }
}

impl Activation {
    pub fn new(
        grain: GrainId,
        id: ActivationId,
        router: Arc<Router>,
        inbox: mpsc::Receiver<Envelope>,
        stats: Arc<ActivationStats>,
        turns: Arc<Turns>,
    ) -> Self {
        Activation { grain, id, router, inbox, stats, turns, held: None }
    }

    pub async fn run(mut self, shutdown: CancellationToken) {
        let (mut version, instance) = match self.start().await {
            Ok(started) => started,
            Err(error) => {
                tracing::warn!(grain = %self.grain, "activation failed: {error}");
                self.router.forget(&self.grain, self.id);
                self.inbox.close();
                while let Ok(envelope) = self.inbox.try_recv() {
                    envelope.answer(Err(error.clone()));
                }
                return;
            }
        };
        tracing::debug!(grain = %self.grain, activation = %self.id, version = version.kind.version(), "activated");
        *self.turns.lock().await = Some(instance);
        let stop = self.serve(&mut version, &shutdown).await;
        // Waits for a caller's turn in progress; after a discard there is no instance left.
        let instance = self.turns.lock().await.take();
        if let Some(instance) = instance
            && let Err(fault) = instance.deactivate().await
        {
            tracing::warn!(grain = %self.grain, "deactivate failed: {fault}");
        }
        tracing::debug!(grain = %self.grain, activation = %self.id, ?stop, "deactivated");
        self.router.forget(&self.grain, self.id);
        self.inbox.close();
        if let Some(envelope) = self.held.take() {
            self.redeliver(envelope).await;
        }
        while let Ok(envelope) = self.inbox.try_recv() {
            if stop == Stop::Shutdown {
                envelope.answer(Err(CallError::Unavailable("node is shutting down".into())));
            } else {
                self.redeliver(envelope).await;
            }
        }
    }

    /// Subscribes to the kind's current version, claims the grain's next epoch with its state,
    /// instantiates and activates.
    async fn start(&self) -> Result<(Version, GrainInstance), CallError> {
        let unknown = || CallError::UnknownKind(self.grain.kind().to_string());
        let (kind, changes) = self.router.kinds().subscribe(self.grain.kind()).ok_or_else(unknown)?;
        self.stats.set_version(kind.version());
        let claim = self
            .router
            .state_store()
            .activate(&self.grain)
            .await
            .map_err(|e| CallError::Unavailable(format!("cannot load state of {}: {e}", self.grain)))?;
        let state = GrainState::new(self.grain.clone(), Arc::clone(&self.router), claim, kind.settings().max_memory);
        let instance = GrainInstance::start(&kind, state).await?;
        Ok((Version { kind, changes }, instance))
    }

    /// Handles messages until the grain idles out, faults, its kind changes, or the node stops.
    /// Callers may run turns of their own in between (see [`Turns`]).
    async fn serve(&mut self, version: &mut Version, shutdown: &CancellationToken) -> Stop {
        let default_idle = version.kind.settings().idle_timeout;
        let turns = Arc::clone(&self.turns);
        let idle_after = || turns.receive_timeout().unwrap_or(default_idle);
        let idle = sleep(idle_after());
        tokio::pin!(idle);
        let cluster = Arc::clone(self.router.cluster());
        let mut views = cluster.subscribe();
        let roles = version.kind.settings().roles.clone();
        let moved = cluster.until_moved(&self.grain, &roles, &mut views);
        tokio::pin!(moved);
        loop {
            let envelope = tokio::select! {
                biased;
                _ = shutdown.cancelled() => return Stop::Shutdown,
                _ = version.changes.changed() => return Stop::Reload,
                _ = &mut moved => return Stop::Handover,
                _ = turns.discarded() => return Stop::Discard,
                envelope = self.inbox.recv() => match envelope {
                    Some(envelope) => envelope,
                    None => return Stop::Shutdown,
                },
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
                return Stop::Discard;
            };
            let live = turns.handle(instance, envelope, &self.stats, &self.grain).await;
            turns.dequeued();
            if !live {
                *slot = None;
                return Stop::Discard;
            }
            drop(slot);
            idle.as_mut().reset(Instant::now() + idle_after());
        }
    }

    /// Hands a message that reached this stopped activation to the grain's next one.
    /// If that fails, `deliver` has already answered the sender.
    async fn redeliver(&self, envelope: Envelope) {
        if let Err(error) = self.router.deliver(&self.grain, envelope).await {
            tracing::warn!(grain = %self.grain, "could not redeliver a queued message: {error}");
        }
    }
}
