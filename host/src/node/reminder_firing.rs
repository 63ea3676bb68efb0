//! The node's reminder loop: reloads the window of reminders due soon (every second, and at
//! once when the membership changes, so a new owner fires at once), takes each one when it
//! is due, and delivers a tick to its grain if this node owns it, as a message through the
//! router (activating the grain if needed). A tick the grain received, whatever it answered,
//! advances the reminder in the store; firings that finish together are recorded in one
//! write. A tick that never reached its grain is tried again: delivery is at least once.

use super::deliveries::Deliveries;
use crate::cluster::Placement;
use crate::error::CallError;
use crate::message::{Envelope, Origin};
use crate::node_message::ReminderTick;
use crate::reminders::{self, RELOAD_EVERY, ReminderSchedule};
use crate::router::Router;
use crate::state::{Fired, Reminder};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// How long a tick waits for its grain's turn.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(30);
/// The pause before trying again a tick that did not reach its grain.
const RETRY_PAUSE: Duration = Duration::from_secs(1);
/// Ticks in delivery at once.
const CONCURRENT_TICKS: usize = 1_024;

/// The running loop; it stops with [`ReminderFiring::stop`].
pub struct ReminderFiring {
    stop: CancellationToken,
    task: JoinHandle<()>,
}

impl ReminderFiring {
    /// Starts firing the reminders of `router`'s grains.
    pub fn start(router: Arc<Router>) -> Self {
        let stop = CancellationToken::new();
        let task = tokio::spawn(run(router, stop.clone()));
        ReminderFiring { stop, task }
    }

    /// Stops taking reminders; ticks in delivery are abandoned (and fired again later). It
    /// returns once no task of the loop holds the router any more.
    pub async fn stop(self) {
        self.stop.cancel();
        self.task.await.ok();
    }
}

async fn run(router: Arc<Router>, stop: CancellationToken) {
    let schedule = Arc::clone(router.reminders());
    let (fired_tx, fired_rx) = mpsc::unbounded_channel();
    let recorder = tokio::spawn(record(Arc::clone(&schedule), fired_rx));
    let deliveries = Deliveries::new(CONCURRENT_TICKS, stop.clone());
    let mut next_reload = Instant::now();
    let mut view = router.cluster().subscribe();
    loop {
        if Instant::now() >= next_reload {
            if let Err(why) = schedule.reload().await {
                tracing::warn!("cannot load due reminders: {why}");
            }
            next_reload = Instant::now() + RELOAD_EVERY;
        }
        for reminder in schedule.take_due() {
            match router.cluster().placement(&reminder.grain, &roles_of(&router, &reminder)) {
                Placement::Local => {
                    let (router, fired) = (Arc::clone(&router), fired_tx.clone());
                    deliveries.start(async move { fire(&router, reminder, &fired).await }).await;
                }
                Placement::Remote { .. } => schedule.let_go(&reminder),
                Placement::Nowhere => schedule.retry(reminder, RETRY_PAUSE),
            }
        }
        let wake = schedule.until_next().map_or(next_reload, |until| next_reload.min(Instant::now() + until));
        tokio::select! {
            () = tokio::time::sleep_until(wake) => {}
            () = schedule.changed() => {}
            // Members came or went: the grains this node owns changed, so load at once.
            changed = view.changed() => match changed {
                Ok(()) => next_reload = Instant::now(),
                Err(_) => break,
            },
            () = stop.cancelled() => break,
        }
    }
    // The recorder ends once every delivery has ended, having written what they fired.
    drop(fired_tx);
    deliveries.finish().await;
    recorder.await.ok();
}

/// The roles that may host `reminder`'s grain (none known: its kind is gone, so any member).
fn roles_of(router: &Router, reminder: &Reminder) -> std::collections::BTreeSet<String> {
    router.kinds().get(reminder.grain.kind().as_str()).map(|kind| kind.settings().roles.clone()).unwrap_or_default()
}

/// Delivers one tick; a delivered one goes to `fired`, an undelivered one back to the window.
async fn fire(router: &Router, reminder: Reminder, fired: &mpsc::UnboundedSender<Fired>) {
    let tick = ReminderTick { name: reminder.name.clone(), tick: reminder.tick };
    let (reply, answer) = oneshot::channel();
    let envelope = Envelope {
        method: ReminderTick::METHOD.to_string(),
        payload: tick.encode(),
        origin: Origin::external(Instant::now() + DELIVERY_TIMEOUT),
        reply: Some(reply),
    };
    let outcome = match router.deliver(&reminder.grain, envelope).await {
        Err(refused) => Err(refused),
        Ok(()) => match tokio::time::timeout(DELIVERY_TIMEOUT, answer).await {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(_)) => Err(CallError::MayHaveRun("the grain stopped before answering".into())),
            Err(_) => Err(CallError::Timeout),
        },
    };
    match outcome {
        Ok(_) => {}
        Err(
            ran @ (CallError::Failed(_) | CallError::Trapped(_) | CallError::TimeLimit(_) | CallError::MemoryLimit(_)),
        ) => {
            tracing::warn!(grain = %reminder.grain, reminder = reminder.name, tick = reminder.tick, "the grain failed its tick: {ran}");
        }
        Err(not_delivered) => {
            tracing::debug!(grain = %reminder.grain, reminder = reminder.name, "tick not delivered, trying again: {not_delivered}");
            router.reminders().retry(reminder, RETRY_PAUSE);
            return;
        }
    }
    fired.send(reminders::firing(reminder)).ok();
}

/// Records delivered ticks: whatever has finished since the last write goes in the next one.
async fn record(schedule: Arc<ReminderSchedule>, mut fired: mpsc::UnboundedReceiver<Fired>) {
    let mut batch = Vec::new();
    while fired.recv_many(&mut batch, 4_096).await > 0 {
        if let Err(why) = schedule.record(std::mem::take(&mut batch)).await {
            tracing::warn!("cannot record fired reminders (they fire again): {why}");
        }
    }
}
