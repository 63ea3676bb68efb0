//! Activations: one task per live grain, one message at a time, from a bounded mailbox or,
//! when the grain is idle, run by the caller itself.

mod directory;
mod envelope;
mod stats;
mod task;
mod turns;

pub use directory::Directory;
pub use envelope::{Envelope, Origin, ReplyTo};
pub use stats::ActivationStats;
pub use task::Activation;
pub use turns::{Inline, Turns};

use crate::ids::{ActivationId, NodeId};
use std::sync::Arc;
use tokio::sync::mpsc;

/// Where an activation lives and how to reach its mailbox.
#[derive(Clone, Debug)]
pub struct Pid {
    pub node: NodeId,
    pub activation: ActivationId,
    pub(crate) mailbox: mpsc::Sender<Envelope>,
    pub(crate) turns: Arc<Turns>,
    pub stats: Arc<ActivationStats>,
}

impl std::fmt::Debug for Envelope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Envelope").field("method", &self.method).field("bytes", &self.payload.len()).finish()
    }
}
