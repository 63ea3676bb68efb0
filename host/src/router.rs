//! Routes a message for `kind/identity` to its activation: to the owning peer when another
//! member owns it, else through the PID cache and directory to a local activation.
//!
//! A message is never lost to a stopping activation: its mailbox closes only after it
//! left the directory, so a refused send is retried on a fresh activation, and messages
//! already queued are handed back here by the stopping activation (and then reach the new
//! owner, when the grain stopped because it moved). A message to a peer that does not own
//! the grain, or cannot be reached, is retried with a fresh view until its deadline.

use crate::activation::{Activation, ActivationStats, Directory, Envelope, Inline, Origin, Pid, Turns};
use crate::cluster::{Cluster, Placement};
use crate::error::CallError;
use crate::ids::{GrainId, NodeId};
use crate::kinds::KindRegistry;
use crate::pid_cache::PidCache;
use crate::state::StateStore;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::time::{Instant, sleep, timeout_at};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

/// The first pause before asking again for a grain whose owner is changing; it doubles up to
/// `MAX_RETRY_PAUSE`.
const FIRST_RETRY_PAUSE: Duration = Duration::from_millis(10);
const MAX_RETRY_PAUSE: Duration = Duration::from_millis(200);

pub struct Router {
    node: NodeId,
    cluster: Arc<Cluster>,
    kinds: Arc<KindRegistry>,
    state: Arc<dyn StateStore>,
    directory: Directory,
    pids: PidCache,
    mailbox_capacity: usize,
    activations: TaskTracker,
    shutdown: CancellationToken,
    traffic: Traffic,
}

/// How many messages this node sent on to their owner, and how many it had to ask again.
#[derive(Default)]
pub struct Traffic {
    forwarded: AtomicU64,
    retried: AtomicU64,
}

impl Traffic {
    pub fn forwarded(&self) -> u64 {
        self.forwarded.load(Ordering::Relaxed)
    }

    pub fn retried(&self) -> u64 {
        self.retried.load(Ordering::Relaxed)
    }
}

impl Router {
    pub fn new(
        cluster: Arc<Cluster>,
        kinds: Arc<KindRegistry>,
        state: Arc<dyn StateStore>,
        pid_cache_capacity: u64,
        mailbox_capacity: usize,
    ) -> Self {
        Router {
            node: cluster.local_id().clone(),
            cluster,
            kinds,
            state,
            directory: Directory::default(),
            pids: PidCache::new(pid_cache_capacity),
            mailbox_capacity,
            activations: TaskTracker::new(),
            shutdown: CancellationToken::new(),
            traffic: Traffic::default(),
        }
    }

    /// Sends a request to `target` and waits for its reply until `origin.deadline`.
    pub async fn call(
        self: &Arc<Self>,
        target: &GrainId,
        method: String,
        payload: Vec<u8>,
        origin: Origin,
    ) -> Result<Vec<u8>, CallError> {
        let deadline = origin.deadline;
        let (reply, answer) = oneshot::channel();
        self.deliver(target, Envelope { method, payload, origin, reply: Some(reply) }).await?;
        match timeout_at(deadline, answer).await {
            Ok(Ok(outcome)) => outcome,
            Ok(Err(_)) => Err(CallError::Unavailable(format!("{target} stopped before replying"))),
            Err(_) => Err(CallError::Timeout),
        }
    }

    /// Queues a one-way message for `target`.
    pub async fn send(
        self: &Arc<Self>,
        target: &GrainId,
        method: String,
        payload: Vec<u8>,
        origin: Origin,
    ) -> Result<(), CallError> {
        self.deliver(target, Envelope { method, payload, origin, reply: None }).await
    }

    /// Puts `envelope` into the mailbox of `target`'s activation, here or on the member
    /// that owns it. On failure the sender has been answered with the returned error.
    pub(crate) async fn deliver(self: &Arc<Self>, target: &GrainId, envelope: Envelope) -> Result<(), CallError> {
        self.route(target, envelope, false).await
    }

    /// Delivers a message a peer sent here because it believes this node owns `target`;
    /// refused with `NotHere` when this node's view disagrees, so it is never passed on.
    pub(crate) async fn deliver_from_peer(
        self: &Arc<Self>,
        target: &GrainId,
        envelope: Envelope,
    ) -> Result<(), CallError> {
        self.route(target, envelope, true).await
    }

    async fn route(self: &Arc<Self>, target: &GrainId, envelope: Envelope, from_peer: bool) -> Result<(), CallError> {
        let refuse = |envelope: Envelope, error: CallError| {
            envelope.answer(Err(error.clone()));
            Err(error)
        };
        if envelope.origin.chain.contains(target) {
            let cycle = CallError::Cycle(envelope.origin.describe_with(target));
            return refuse(envelope, cycle);
        }
        let Some(kind) = self.kinds.get(target.kind()) else {
            return refuse(envelope, CallError::UnknownKind(target.kind().to_string()));
        };
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
                Placement::Remote(owner) if from_peer => {
                    return refuse(envelope, CallError::NotHere(format!("{target} belongs to {owner}")));
                }
                Placement::Remote(owner) => match self.forward(&owner, target, envelope).await {
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
                    self.traffic.retried.fetch_add(1, Ordering::Relaxed);
                }
                sleep(pause).await;
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
            pid.turns.queue();
            let permit = match timeout_at(deadline, pid.mailbox.reserve()).await {
                Ok(Ok(permit)) => permit,
                // The activation stopped after we looked it up: forget it and retry.
                Ok(Err(_closed)) => {
                    pid.turns.dequeued();
                    self.pids.invalidate(target);
                    continue;
                }
                Err(_elapsed) => {
                    pid.turns.dequeued();
                    return refuse(envelope, CallError::Timeout);
                }
            };
            permit.send(envelope);
            return Ok(());
        }
    }

    /// Sends `envelope` to `owner` and answers its sender with the outcome. Gives the
    /// envelope back, with why, when it was not delivered (not the owner any more, or it
    /// never left): the caller asks again with a fresh view. A message that may have run
    /// (the link broke after sending it) is failed, never sent twice.
    async fn forward(&self, owner: &NodeId, target: &GrainId, envelope: Envelope) -> Result<(), (Envelope, CallError)> {
        let one_way = envelope.reply.is_none();
        self.traffic.forwarded.fetch_add(1, Ordering::Relaxed);
        let outcome = self
            .cluster
            .peers()
            .request(owner, target, &envelope.method, envelope.payload.clone(), &envelope.origin, one_way)
            .await;
        match outcome {
            Err(why @ CallError::NotHere(_)) => {
                tracing::debug!(grain = %target, %owner, "retrying: {why}");
                Err((envelope, why))
            }
            outcome => {
                envelope.answer(outcome);
                Ok(())
            }
        }
    }

    /// The live activation of `target`, starting one if there is none.
    fn resolve(self: &Arc<Self>, target: &GrainId) -> Pid {
        if let Some(pid) = self.pids.get(target) {
            return pid;
        }
        let pid = self.directory.get_or_activate(target, |activation| {
            let (mailbox, inbox) = mpsc::channel(self.mailbox_capacity);
            let stats = Arc::new(ActivationStats::default());
            let turns = Arc::new(Turns::default());
            let task = Activation::new(
                target.clone(),
                activation,
                Arc::clone(self),
                inbox,
                Arc::clone(&stats),
                Arc::clone(&turns),
            );
            self.activations.spawn(task.run(self.shutdown.clone()));
            Pid { node: self.node.clone(), activation, mailbox, turns, stats }
        });
        self.pids.insert(target.clone(), pid.clone());
        pid
    }

    /// Called by an activation that stopped: no new message may reach it.
    pub(crate) fn forget(&self, grain: &GrainId, pid_activation: crate::ids::ActivationId) {
        self.directory.remove(grain, pid_activation);
        self.pids.invalidate(grain);
    }

    pub fn kinds(&self) -> &Arc<KindRegistry> {
        &self.kinds
    }

    pub fn state_store(&self) -> &Arc<dyn StateStore> {
        &self.state
    }

    pub fn directory(&self) -> &Directory {
        &self.directory
    }

    pub fn traffic(&self) -> &Traffic {
        &self.traffic
    }

    pub fn node(&self) -> &NodeId {
        &self.node
    }

    pub fn cluster(&self) -> &Arc<Cluster> {
        &self.cluster
    }

    /// Deactivates every grain (saving state) and waits for all activations to stop.
    pub async fn shutdown(&self) {
        self.shutdown.cancel();
        self.activations.close();
        self.activations.wait().await;
    }
}
