//! The instance of a live activation, shared by its task and by callers that find it idle.
//! Such a caller runs its turn at once on its own task instead of handing the message to the
//! activation's task and waiting to be woken with the reply: the two wake-ups are most of a
//! warm call's cost. Turns still run one at a time (the lock), and never ahead of a message
//! already in the mailbox (`queued`).

use super::{ActivationStats, Instance};
use crate::error::CallError;
use crate::ids::GrainId;
use crate::message::Envelope;
use crate::metrics::Outcome;
use crate::runtime::GrainInstance;
use crate::telemetry::TurnSpan;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;
use tokio::sync::{Mutex, MutexGuard, Notify};
use tracing::Instrument;

/// `receive_timeout_ms` when the grain set none.
const NO_TIMEOUT: u64 = u64::MAX;

/// The instance slot of one activation and what its task and callers need to share about it.
pub struct Turns<I = GrainInstance> {
    instance: Mutex<Option<I>>,
    /// Messages in the mailbox or being handled by the task.
    queued: AtomicUsize,
    /// Signalled when a turn run by a caller discarded the instance: the task stops.
    discarded: Notify,
    /// The receive timeout the grain set for itself, in milliseconds.
    receive_timeout_ms: AtomicU64,
    /// Signalled when a turn changed the receive timeout: the task re-arms its idle timer.
    timeout_changed: Notify,
    /// Whether the instance still runs its kind's current version; once a new version is
    /// pushed, callers queue (the task then stops, and the message goes to the new version).
    still_current: OnceLock<Box<dyn Fn() -> bool + Send + Sync>>,
    /// Set once the activation is asked to make room: it deactivates after the turn it is in.
    evicting: AtomicBool,
    /// Signalled when it is asked to make room.
    evict: Notify,
}

/// What became of a message offered to [`Turns::run_inline`].
pub enum Inline {
    /// It ran and its sender has the outcome.
    Ran,
    /// The activation is busy, has queued messages or no instance: it goes to the mailbox.
    Declined(Envelope),
}

impl<I> Default for Turns<I> {
    fn default() -> Self {
        Turns {
            instance: Mutex::new(None),
            queued: AtomicUsize::new(0),
            discarded: Notify::new(),
            receive_timeout_ms: AtomicU64::new(NO_TIMEOUT),
            timeout_changed: Notify::new(),
            still_current: OnceLock::new(),
            evicting: AtomicBool::new(false),
            evict: Notify::new(),
        }
    }
}

impl<I> std::fmt::Debug for Turns<I> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Turns").field("queued", &self.queued.load(Ordering::Relaxed)).finish_non_exhaustive()
    }
}

impl<I: Instance> Turns<I> {
    /// A message is about to go into the mailbox: callers queue behind it from now on.
    pub(crate) fn queue(&self) {
        self.queued.fetch_add(1, Ordering::AcqRel);
    }

    /// Messages in the mailbox or being handled by the task.
    pub fn queued(&self) -> usize {
        self.queued.load(Ordering::Relaxed)
    }

    /// Tells callers how to check that the instance still runs the current version.
    pub(crate) fn track_version(&self, still_current: impl Fn() -> bool + Send + Sync + 'static) {
        self.still_current.set(Box::new(still_current)).ok();
    }

    /// A queued message was handled (or never made it into the mailbox).
    pub(crate) fn dequeued(&self) {
        self.queued.fetch_sub(1, Ordering::AcqRel);
    }

    /// Runs `envelope`'s turn on the caller's task if the activation is idle with nothing
    /// queued. Only requests are offered: a one-way send returns once queued.
    pub(crate) async fn run_inline(&self, envelope: Envelope, stats: &ActivationStats, grain: &GrainId) -> Inline {
        // A caller whose turns never wait would otherwise keep its worker from everyone else.
        tokio::task::consume_budget().await;
        if self.queued.load(Ordering::Acquire) != 0 || self.still_current.get().is_some_and(|current| !current()) {
            return Inline::Declined(envelope);
        }
        let Ok(slot) = self.instance.try_lock() else {
            return Inline::Declined(envelope);
        };
        // Checked again under the lock: a message queued meanwhile goes first.
        if slot.is_none() || self.queued.load(Ordering::Acquire) != 0 {
            return Inline::Declined(envelope);
        }
        let mut turn = InlineTurn { slot, turns: self, finished: false };
        let Some(instance) = turn.slot.as_mut() else {
            unreachable!("an empty slot was declined above, under the same lock")
        };
        let live = self.handle(instance, envelope, stats, grain).await;
        turn.finished = true;
        if !live {
            *turn.slot = None;
            self.discarded.notify_one();
        }
        Inline::Ran
    }

    /// Runs one message on `instance` and answers its sender. Returns whether the instance
    /// is still fit to run (not faulted, not stale).
    pub(crate) async fn handle(
        &self,
        instance: &mut I,
        envelope: Envelope,
        stats: &ActivationStats,
        grain: &GrainId,
    ) -> bool {
        let Envelope { method, payload, mut origin, reply } = envelope;
        let began = quanta::Instant::now();
        // The turn's span, when exporting; its calls carry its context.
        let span = TurnSpan::start(grain, &method, origin.trace.as_ref()).map(|(span, own)| {
            origin.trace = Some(own);
            span
        });
        let outcome = match origin.trace.as_ref() {
            Some(trace) => {
                let in_trace = tracing::info_span!("turn", trace_id = trace.trace_id());
                instance.handle(&method, &payload, origin).instrument(in_trace).await
            }
            None => instance.handle(&method, &payload, origin).await,
        };
        let counted = match &outcome {
            Ok(_) if instance.is_stale() => Outcome::Fault,
            Ok(Ok(_)) => Outcome::Ok,
            Ok(Err(_)) => Outcome::Error,
            Err(_) => Outcome::Fault,
        };
        stats.record_turn(instance.memory_bytes(), &method, counted, began.elapsed());
        if let Some(span) = span {
            span.end(counted);
        }
        let timeout =
            instance.receive_timeout().map_or(NO_TIMEOUT, |t| u64::try_from(t.as_millis()).unwrap_or(NO_TIMEOUT - 1));
        if self.receive_timeout_ms.swap(timeout, Ordering::Relaxed) != timeout {
            self.timeout_changed.notify_one();
        }
        let reply_with = |outcome| {
            if let Some(reply) = reply {
                reply.send(outcome).ok();
            }
        };
        match outcome {
            Ok(result) if instance.is_stale() => {
                let why = result.err().unwrap_or_else(|| "a newer activation owns the state".into());
                reply_with(Err(CallError::Failed(why)));
                false
            }
            Ok(result) => {
                reply_with(result.map_err(CallError::Failed));
                true
            }
            Err(fault) => {
                tracing::warn!(grain = %grain, method, "instance discarded: {fault}");
                stats.record_fault(grain, &method, fault.to_string());
                reply_with(Err(fault.into()));
                false
            }
        }
    }

    /// Whether it has an instance, no turn running and nothing queued: it may be evicted.
    pub fn is_idle(&self) -> bool {
        self.queued.load(Ordering::Acquire) == 0
            && !self.evicting.load(Ordering::Acquire)
            && self.instance.try_lock().is_ok_and(|slot| slot.is_some())
    }

    /// Asks the activation to deactivate once its current turn (if any) ends, to make room.
    pub fn evict(&self) {
        if !self.evicting.swap(true, Ordering::AcqRel) {
            self.evict.notify_one();
        }
    }

    /// Resolves when the activation is asked to make room.
    pub(crate) async fn evicted(&self) {
        self.evict.notified().await;
    }

    /// Waits for the instance (until a turn in progress ends).
    pub(crate) async fn lock(&self) -> MutexGuard<'_, Option<I>> {
        self.instance.lock().await
    }

    /// Resolves when a turn run by a caller discarded the instance.
    pub(crate) async fn discarded(&self) {
        self.discarded.notified().await;
    }

    /// Resolves when a turn changed the grain's receive timeout.
    pub(crate) async fn timeout_changed(&self) {
        self.timeout_changed.notified().await;
    }

    /// The receive timeout the grain set for itself, if any.
    pub(crate) fn receive_timeout(&self) -> Option<Duration> {
        let millis = self.receive_timeout_ms.load(Ordering::Relaxed);
        (millis != NO_TIMEOUT).then(|| Duration::from_millis(millis))
    }
}

/// A turn run on a caller's task. If the caller is cancelled mid-turn, the instance is left
/// part-way through a call and cannot be trusted: it is discarded and the task stops.
struct InlineTurn<'a, I> {
    slot: MutexGuard<'a, Option<I>>,
    turns: &'a Turns<I>,
    finished: bool,
}

impl<I> Drop for InlineTurn<'_, I> {
    fn drop(&mut self) {
        if !self.finished {
            *self.slot = None;
            self.turns.discarded.notify_one();
        }
    }
}
