//! The node's live activations by grain id, behind the PID cache: the one place that decides
//! "activate or reuse", and that an activation leaves when it stops.

use super::{Pid, PidCache};
use crate::ids::{ActivationId, GrainId};
use crate::runtime::GrainInstance;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::watch;

/// Every live activation of this node.
pub struct Directory<I = GrainInstance> {
    live: Mutex<HashMap<GrainId, Pid<I>>>,
    pids: PidCache<I>,
    next_activation: AtomicU64,
    started: AtomicU64,
    /// How many are live, for those who wait until none are.
    count: watch::Sender<usize>,
}

impl<I: Send + 'static> Directory<I> {
    /// An empty directory whose PID cache holds at most `pid_cache_capacity` entries.
    pub fn new(pid_cache_capacity: u64) -> Self {
        Directory {
            live: Mutex::default(),
            pids: PidCache::new(pid_cache_capacity),
            next_activation: AtomicU64::new(0),
            started: AtomicU64::new(0),
            count: watch::Sender::new(0),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<GrainId, Pid<I>>> {
        self.live.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The live activation of `grain`, from the PID cache or the directory, or a new one made
    /// by `activate` under the lock, so concurrent first messages create exactly one.
    pub fn get_or_activate(&self, grain: &GrainId, activate: impl FnOnce(ActivationId) -> Pid<I>) -> Pid<I> {
        if let Some(pid) = self.pids.get(grain) {
            return pid;
        }
        let pid = {
            let mut live = self.lock();
            match live.get(grain) {
                Some(pid) => pid.clone(),
                None => {
                    let id = ActivationId(self.next_activation.fetch_add(1, Ordering::Relaxed) + 1);
                    let pid = activate(id);
                    self.started.fetch_add(1, Ordering::Relaxed);
                    live.insert(grain.clone(), pid.clone());
                    self.count.send_replace(live.len());
                    pid
                }
            }
        };
        self.pids.insert(grain.clone(), pid.clone());
        pid
    }

    /// Forgets `grain` if `activation` is still the one registered for it: no new message
    /// reaches that activation from now on.
    pub fn remove(&self, grain: &GrainId, activation: ActivationId) {
        let mut live = self.lock();
        if live.get(grain).is_some_and(|pid| pid.activation == activation) {
            live.remove(grain);
            self.count.send_replace(live.len());
        }
        drop(live);
        self.pids.invalidate(grain);
    }

    /// Drops the cached PID of `grain`, whose mailbox refused a message.
    pub fn invalidate(&self, grain: &GrainId) {
        self.pids.invalidate(grain);
    }

    /// How many activations are live now.
    pub fn len(&self) -> usize {
        *self.count.borrow()
    }

    /// Whether no activation is live.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Resolves once no activation is live.
    pub async fn until_empty(&self) {
        let mut count = self.count.subscribe();
        // The sender lives as long as `self`, which outlives this borrow.
        count.wait_for(|live| *live == 0).await.ok();
    }

    /// How many activations this node has started since it began.
    pub fn started(&self) -> u64 {
        self.started.load(Ordering::Relaxed)
    }

    /// The live grain ids, for listings.
    pub fn grains(&self) -> Vec<GrainId> {
        self.lock().keys().cloned().collect()
    }

    /// The live activations, sorted by grain id.
    pub fn snapshot(&self) -> Vec<(GrainId, Pid<I>)> {
        let mut all: Vec<(GrainId, Pid<I>)> =
            self.lock().iter().map(|(grain, pid)| (grain.clone(), pid.clone())).collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    }
}
