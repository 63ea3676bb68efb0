//! Routes a message for `kind/identity` to its activation: to the owning peer when another
//! member owns it, else through the directory (PID cache first) to a local activation, which
//! it starts on the first message.
//!
//! A message is never lost to a stopping activation: its mailbox closes only after it left the
//! directory, so a refused post is retried on a fresh activation, and the messages it still
//! held come back here (see [`activate`]) and reach the grain's next activation, or its new
//! owner when it moved. A message to a peer that does not own the grain, or cannot be reached,
//! is retried with a fresh view until its deadline.

mod activate;
mod grain_host;
mod room;
mod topics;

use crate::activation::{Directory, Inline, MemoryBudget, NotQueued};
use crate::cluster::transport::PeerRequest;
use crate::cluster::{Cluster, Placement};
use crate::error::CallError;
use crate::ids::{GrainId, NodeId};
use crate::kinds::KindRegistry;
use crate::message::{Envelope, Origin};
use crate::metrics::{Metrics, StripedCounter, StripedHistogram};
use crate::node_message::check_caller_method;
use crate::reminders::ReminderSchedule;
use crate::state::StateStore;
use std::net::SocketAddr;
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::time::{Instant, timeout_at};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// The first pause before asking again for a grain whose owner is changing; it doubles up to
/// `MAX_RETRY_PAUSE`.
const FIRST_RETRY_PAUSE: Duration = Duration::from_millis(10);
const MAX_RETRY_PAUSE: Duration = Duration::from_millis(200);

/// The router of one node.
pub struct Router {
    /// Itself, for the activations and grains it hands a reference to.
    me: Weak<Router>,
    cluster: Arc<Cluster>,
    kinds: Arc<KindRegistry>,
    state: Arc<dyn StateStore>,
    reminders: Arc<ReminderSchedule>,
    /// Woken when an event is published through this node.
    published: tokio::sync::Notify,
    directory: Arc<Directory>,
    /// What the live grains may hold together.
    budget: Arc<MemoryBudget>,
    mailbox_capacity: usize,
    activations: TaskTracker,
    shutdown: CancellationToken,
    traffic: Traffic,
    metrics: Arc<Metrics>,
    /// Where saves are timed; `None` when metrics are off.
    save_duration: Option<StripedHistogram>,
}

/// How many messages this node sent on to their owner, and how many it had to ask again
/// (the counters `/metrics` exports).
pub struct Traffic {
    forwarded: StripedCounter,
    retried: StripedCounter,
}

impl Traffic {
    /// Messages sent on to the member that owns their grain.
    pub fn forwarded(&self) -> u64 {
        self.forwarded.get()
    }

    /// Messages asked again with a fresh view.
    pub fn retried(&self) -> u64 {
        self.retried.get()
    }
}

impl Router {
    /// A router placing grains in `cluster`, running `kinds`, keeping their state in `state`.
    pub fn new(
        cluster: Arc<Cluster>,
        kinds: Arc<KindRegistry>,
        state: Arc<dyn StateStore>,
        metrics: Arc<Metrics>,
        budget: Arc<MemoryBudget>,
        pid_cache_capacity: u64,
        mailbox_capacity: usize,
    ) -> Arc<Self> {
        let save_duration = metrics.enabled().then(|| metrics.save_duration(state.name()));
        Arc::new_cyclic(|me| Router {
            me: me.clone(),
            cluster,
            kinds,
            reminders: Arc::new(ReminderSchedule::new(Arc::clone(&state))),
            published: tokio::sync::Notify::new(),
            state,
            directory: Arc::new(Directory::new(pid_cache_capacity)),
            budget,
            mailbox_capacity,
            activations: TaskTracker::new(),
            shutdown: CancellationToken::new(),
            traffic: Traffic { forwarded: metrics.forwarded().clone(), retried: metrics.retried().clone() },
            save_duration,
            metrics,
        })
    }

    /// This router, shared: it is alive while any of its methods runs.
    fn arc(&self) -> Arc<Router> {
        self.me.upgrade().expect("a router is alive while its methods run")
    }

    /// Sends a request to `target` and waits for its reply until `origin.deadline`.
    pub async fn call(
        &self,
        target: &GrainId,
        method: String,
        payload: Vec<u8>,
        origin: Origin,
    ) -> Result<Vec<u8>, CallError> {
        check_caller_method(&method)?;
        let deadline = origin.deadline;
        let (reply, answer) = oneshot::channel();
        self.deliver(target, Envelope { method, payload, origin, reply: Some(reply) }).await?;
        match timeout_at(deadline, answer).await {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(_)) => Err(CallError::MayHaveRun(format!("{target} stopped before replying"))),
            Err(_) => Err(CallError::Timeout),
        }
    }

    /// Queues a one-way message for `target`.
    pub async fn send(
        &self,
        target: &GrainId,
        method: String,
        payload: Vec<u8>,
        origin: Origin,
    ) -> Result<(), CallError> {
        check_caller_method(&method)?;
        self.deliver(target, Envelope { method, payload, origin, reply: None }).await
    }

    /// Puts `envelope` into the mailbox of `target`'s activation, here or on the member
    /// that owns it. On failure the sender has been answered with the returned error.
    pub async fn deliver(&self, target: &GrainId, envelope: Envelope) -> Result<(), CallError> {
        self.route(target, envelope, false).await
    }

    /// Delivers a message a peer sent here because it believes this node owns `target`;
    /// refused with `NotHere` when this node's view disagrees, so it is never passed on.
    pub async fn deliver_from_peer(&self, target: &GrainId, envelope: Envelope) -> Result<(), CallError> {
        self.route(target, envelope, true).await
    }

    async fn route(&self, target: &GrainId, envelope: Envelope, from_peer: bool) -> Result<(), CallError> {
        let refuse = |envelope: Envelope, error: CallError| {
            envelope.answer(Err(error.clone()));
            Err(error)
        };
        if envelope.origin.chain.contains(target) {
            let cycle = CallError::Cycle(envelope.origin.describe_with(target));
            return refuse(envelope, cycle);
        }
        let Some(kind) = self.kinds.get(target.kind().as_str()) else {
            return refuse(envelope, CallError::UnknownKind(target.kind().to_string()));
        };
        // A typed call that does not fit the function never reaches the grain.
        if !from_peer
            && let Some(typed) = kind.typed()
            && let Err(why) = typed.check_call(&envelope.method, &envelope.payload)
        {
            let invalid = CallError::InvalidRequest(format!("{target} {}: {why}", envelope.method));
            return refuse(envelope, invalid);
        }
        let roles = &kind.settings().roles;
        let deadline = envelope.origin.deadline;
        let mut pause = FIRST_RETRY_PAUSE;
        let mut envelope = envelope;
        loop {
            if self.shutdown.is_cancelled() {
                // A peer's message was not delivered here, so the peer may send it elsewhere.
                let why = "node is shutting down".to_string();
                let error = if from_peer { CallError::NotHere(why) } else { CallError::Unavailable(why) };
                return refuse(envelope, error);
            }
            let retry_why = match self.cluster.placement(target, roles) {
                Placement::Local => None,
                Placement::Remote { owner, .. } if from_peer => {
                    return refuse(envelope, CallError::NotHere(format!("{target} belongs to {owner}")));
                }
                Placement::Remote { peer, .. } => match self.forward(peer, target, envelope).await {
                    Ok(()) => return Ok(()),
                    Err((returned, why)) => {
                        envelope = returned;
                        Some(why)
                    }
                },
                Placement::Nowhere if from_peer => {
                    return refuse(envelope, CallError::NotHere("no member can host it".into()));
                }
                Placement::Nowhere => Some(CallError::Unavailable(format!("no cluster member can host {target} now"))),
            };
            if let Some(why) = retry_why {
                if Instant::now() + pause >= deadline {
                    let error = match why {
                        CallError::NotHere(_) | CallError::Timeout => CallError::Timeout,
                        other => other,
                    };
                    return refuse(envelope, error);
                }
                if pause == FIRST_RETRY_PAUSE {
                    self.traffic.retried.inc();
                }
                tokio::select! {
                    () = tokio::time::sleep(pause) => {}
                    () = self.shutdown.cancelled() => {}
                }
                pause = (pause * 2).min(MAX_RETRY_PAUSE);
                continue;
            }
            let pid = self.resolve(target);
            // A request from this node to an idle grain runs on the caller's task. Peers'
            // requests always queue: their stream must not wait on one grain's turn.
            if envelope.reply.is_some() && !from_peer {
                envelope = match pid.turns.run_inline(envelope, &pid.stats, target).await {
                    Inline::Ran => return Ok(()),
                    Inline::Declined(envelope) => envelope,
                };
            }
            match pid.post(envelope).await {
                Ok(()) => return Ok(()),
                // The activation stopped after we looked it up: forget it and retry.
                Err(NotQueued::Stopped(returned)) => {
                    self.directory.invalidate(target);
                    envelope = returned;
                }
                Err(NotQueued::Full(returned)) => return refuse(returned, CallError::Timeout),
            }
        }
    }

    /// Sends `envelope` to the owner at `peer` and answers its sender with the outcome. Gives
    /// the envelope back, with why, when it was not delivered (not the owner any more, or it
    /// never left): the caller asks again with a fresh view. A message that may have run (the
    /// link broke after sending it) is failed, never sent twice.
    async fn forward(
        &self,
        peer: SocketAddr,
        target: &GrainId,
        envelope: Envelope,
    ) -> Result<(), (Envelope, CallError)> {
        let one_way = envelope.reply.is_none();
        self.traffic.forwarded.inc();
        let request = PeerRequest {
            grain: target.clone(),
            method: envelope.method.clone(),
            payload: envelope.payload.clone(),
            origin: envelope.origin.clone(),
            one_way,
        };
        match self.cluster.transport().request(peer, request).await {
            Err(why @ CallError::NotHere(_)) => {
                tracing::debug!(grain = %target, %peer, "retrying: {why}");
                Err((envelope, why))
            }
            outcome => {
                envelope.answer(outcome);
                Ok(())
            }
        }
    }

    /// The kinds this router runs.
    pub fn kinds(&self) -> &Arc<KindRegistry> {
        &self.kinds
    }

    /// The store grain state lives in.
    pub fn state_store(&self) -> &Arc<dyn StateStore> {
        &self.state
    }

    /// The grains' reminders.
    pub fn reminders(&self) -> &Arc<ReminderSchedule> {
        &self.reminders
    }

    /// The live activations.
    pub fn directory(&self) -> &Directory {
        &self.directory
    }

    /// The node's memory budget.
    pub fn budget(&self) -> &MemoryBudget {
        &self.budget
    }

    /// Forwarding and retry counters.
    pub fn traffic(&self) -> &Traffic {
        &self.traffic
    }

    /// This node's name.
    pub fn node(&self) -> &NodeId {
        self.cluster.local_id()
    }

    /// The cluster the router places grains in.
    pub fn cluster(&self) -> &Arc<Cluster> {
        &self.cluster
    }

    /// Deactivates every grain (saving state) and waits for all activations to stop.
    /// Messages still queued are refused as not run.
    pub async fn shutdown(&self) {
        self.shutdown.cancel();
        self.activations.close();
        self.activations.wait().await;
    }
}
