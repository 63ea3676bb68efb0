//! A message on its way to a grain, with the call chain it belongs to and where its reply goes.

use crate::error::CallError;
use crate::ids::GrainId;
use crate::telemetry::TraceParent;
use tokio::sync::oneshot;
use tokio::time::Instant;

/// Where a reply is sent; `None` for a one-way `send`.
pub type ReplyTo = Option<oneshot::Sender<Result<Vec<u8>, CallError>>>;

/// The call chain a message belongs to and how long its sender waits.
#[derive(Clone, Debug)]
pub struct Origin {
    /// Grains waiting, in order, on the call that produced this message.
    pub chain: Vec<GrainId>,
    /// When the sender stops waiting for delivery and reply.
    pub deadline: Instant,
    /// The trace the message belongs to: the sender's span, whose child its turn becomes.
    pub trace: Option<TraceParent>,
}

impl Origin {
    /// A request from outside any grain.
    pub fn external(deadline: Instant) -> Self {
        Origin { chain: Vec::new(), deadline, trace: None }
    }

    /// `a -> b -> c` for a chain `[a, b]` calling `c`.
    pub fn describe_with(&self, target: &GrainId) -> String {
        let mut hops: Vec<String> = self.chain.iter().map(GrainId::to_string).collect();
        hops.push(target.to_string());
        hops.join(" -> ")
    }
}

/// One message for a grain: what to run, for whom, and where the outcome goes.
pub struct Envelope {
    /// The method the grain's `handle` is asked to run.
    pub method: String,
    /// The method's argument bytes (JSON by convention).
    pub payload: Vec<u8>,
    /// The call chain and deadline.
    pub origin: Origin,
    /// Where the outcome goes; `None` for a one-way message.
    pub reply: ReplyTo,
}

impl Envelope {
    /// Answers the sender, if it waits for an answer.
    pub fn answer(self, outcome: Result<Vec<u8>, CallError>) {
        if let Some(reply) = self.reply {
            // The sender may have given up (deadline passed); then nobody needs the answer.
            reply.send(outcome).ok();
        }
    }

    /// A request whose sender stopped waiting: running it would answer nobody.
    pub fn is_abandoned(&self) -> bool {
        self.reply.as_ref().is_some_and(|reply| reply.is_closed())
    }
}

impl std::fmt::Debug for Envelope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Envelope").field("method", &self.method).field("bytes", &self.payload.len()).finish()
    }
}
