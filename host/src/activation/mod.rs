//! Activations: one task per live grain, one message at a time, from a bounded mailbox or,
//! when the grain is idle, run by the caller itself. An activation knows nothing of routing:
//! it is started with a future that makes its instance, and when it stops it leaves the
//! directory and hands the messages it still held back to whoever spawned it.

mod budget;
mod directory;
mod instance;
mod pid_cache;
mod stats;
mod task;
mod turns;

pub use budget::{INSTANCE_OVERHEAD, MemoryBudget};
pub use directory::Directory;
pub use instance::Instance;
pub use pid_cache::PidCache;
pub use stats::ActivationStats;
pub use task::{Activation, Leftovers, Started, Stop};
pub use turns::{Inline, Turns};

use crate::ids::ActivationId;
use crate::message::Envelope;
use crate::runtime::GrainInstance;
use std::sync::Arc;
use tokio::sync::mpsc;

/// Where an activation lives on this node and how to reach its mailbox.
#[derive(Debug)]
pub struct Pid<I = GrainInstance> {
    /// The activation, unique on this node.
    pub activation: ActivationId,
    /// Its bounded mailbox.
    pub mailbox: mpsc::Sender<Envelope>,
    /// Its instance, for callers that run a turn themselves when it is idle.
    pub turns: Arc<Turns<I>>,
    /// What listings show of it.
    pub stats: Arc<ActivationStats>,
}

impl<I> Clone for Pid<I> {
    fn clone(&self) -> Self {
        Pid {
            activation: self.activation,
            mailbox: self.mailbox.clone(),
            turns: Arc::clone(&self.turns),
            stats: Arc::clone(&self.stats),
        }
    }
}

/// Why [`Pid::post`] did not queue a message; the message comes back.
#[derive(Debug)]
pub enum NotQueued {
    /// The activation has stopped: look the grain up again.
    Stopped(Envelope),
    /// The mailbox stayed full until the message's deadline.
    Full(Envelope),
}

impl<I: Instance> Pid<I> {
    /// Puts `envelope` in the mailbox, waiting for room until its deadline. Callers that run
    /// turns themselves queue behind it from now on.
    pub async fn post(&self, envelope: Envelope) -> Result<(), NotQueued> {
        self.turns.queue();
        match tokio::time::timeout_at(envelope.origin.deadline, self.mailbox.reserve()).await {
            Ok(Ok(permit)) => {
                permit.send(envelope);
                Ok(())
            }
            Ok(Err(_closed)) => {
                self.turns.dequeued();
                Err(NotQueued::Stopped(envelope))
            }
            Err(_elapsed) => {
                self.turns.dequeued();
                Err(NotQueued::Full(envelope))
            }
        }
    }
}
