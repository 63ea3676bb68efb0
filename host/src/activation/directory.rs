//! The node's live activations by grain id, behind the PID cache: the one place that decides
//! "activate or reuse", and that an activation leaves when it stops.

use super::{Instance, Pid, PidCache};
use crate::ids::{ActivationId, GrainId, KindName};
use crate::runtime::GrainInstance;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::watch;

/// Every live activation of this node.
pub struct Directory<I = GrainInstance> {
    live: Mutex<Live<I>>,
    pids: PidCache<I>,
    next_activation: AtomicU64,
    started: AtomicU64,
    /// How many are live, for those who wait until none are.
    count: watch::Sender<usize>,
}

/// The live activations, and how many of each kind.
struct Live<I> {
    grains: HashMap<GrainId, Pid<I>>,
    per_kind: HashMap<KindName, usize>,
}

impl<I> Default for Live<I> {
    fn default() -> Self {
        Live { grains: HashMap::new(), per_kind: HashMap::new() }
    }
}

impl<I: Instance> Directory<I> {
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

    fn lock(&self) -> std::sync::MutexGuard<'_, Live<I>> {
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
            match live.grains.get(grain) {
                Some(pid) => pid.clone(),
                None => {
                    let id = ActivationId(self.next_activation.fetch_add(1, Ordering::Relaxed) + 1);
                    let pid = activate(id);
                    self.started.fetch_add(1, Ordering::Relaxed);
                    live.grains.insert(grain.clone(), pid.clone());
                    *live.per_kind.entry(grain.kind().clone()).or_default() += 1;
                    self.count.send_replace(live.grains.len());
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
        if live.grains.get(grain).is_some_and(|pid| pid.activation == activation) {
            live.grains.remove(grain);
            if let Some(count) = live.per_kind.get_mut(grain.kind()) {
                *count -= 1;
                if *count == 0 {
                    live.per_kind.remove(grain.kind());
                }
            }
            self.count.send_replace(live.grains.len());
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

    /// How many activations of `kind` are live (or starting) now.
    pub fn live_of(&self, kind: &KindName) -> usize {
        self.lock().per_kind.get(kind).copied().unwrap_or(0)
    }

    /// Sees every change in the number of live activations.
    pub fn changes(&self) -> watch::Receiver<usize> {
        self.count.subscribe()
    }

    /// Up to `most` idle activations (of `kind` only, if given), least recently used first.
    pub fn least_recently_used_idle(&self, kind: Option<&KindName>, most: usize) -> Vec<Pid<I>> {
        // Each one's idle time is read once: it keeps growing while this sorts.
        let mut idle: Vec<(std::time::Duration, Pid<I>)> = self
            .lock()
            .grains
            .iter()
            .filter(|(grain, pid)| kind.is_none_or(|kind| grain.kind() == kind) && pid.turns.is_idle())
            .map(|(_, pid)| (pid.stats.idle(), pid.clone()))
            .collect();
        let longest_idle_first = |a: &(std::time::Duration, Pid<I>), b: &(std::time::Duration, Pid<I>)| b.0.cmp(&a.0);
        if idle.len() > most {
            idle.select_nth_unstable_by(most, longest_idle_first);
            idle.truncate(most);
        }
        idle.sort_unstable_by(longest_idle_first);
        idle.into_iter().map(|(_, pid)| pid).collect()
    }

    /// How many activations this node has started since it began.
    pub fn started(&self) -> u64 {
        self.started.load(Ordering::Relaxed)
    }

    /// The live grain ids, for listings.
    pub fn grains(&self) -> Vec<GrainId> {
        self.lock().grains.keys().cloned().collect()
    }

    /// The live activations, sorted by grain id.
    pub fn snapshot(&self) -> Vec<(GrainId, Pid<I>)> {
        let mut all: Vec<(GrainId, Pid<I>)> =
            self.lock().grains.iter().map(|(grain, pid)| (grain.clone(), pid.clone())).collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    }
}
