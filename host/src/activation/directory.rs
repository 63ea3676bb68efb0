//! The node's live activations by grain id: the one place that decides "activate or reuse".

use super::Pid;
use crate::ids::{ActivationId, GrainId};
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Default)]
pub struct Directory {
    live: Mutex<HashMap<GrainId, Pid>>,
    next_activation: AtomicU64,
    started: AtomicU64,
}

impl Directory {
    /// The live activation of `grain`, or a new one made by `activate` under the lock,
    /// so concurrent first messages create exactly one activation.
    pub fn get_or_activate(&self, grain: &GrainId, activate: impl FnOnce(ActivationId) -> Pid) -> Pid {
        let mut live = self.live.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(pid) = live.get(grain) {
            return pid.clone();
        }
        let id = ActivationId(self.next_activation.fetch_add(1, Ordering::Relaxed) + 1);
        let pid = activate(id);
        self.started.fetch_add(1, Ordering::Relaxed);
        live.insert(grain.clone(), pid.clone());
        pid
    }

    /// Forgets `grain` if `activation` is still the one registered for it.
    pub fn remove(&self, grain: &GrainId, activation: ActivationId) {
        let mut live = self.live.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if live.get(grain).is_some_and(|pid| pid.activation == activation) {
            live.remove(grain);
        }
    }

    /// How many activations are live now.
    pub fn len(&self) -> usize {
        self.live.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many activations this node has started since it began.
    pub fn started(&self) -> u64 {
        self.started.load(Ordering::Relaxed)
    }

    /// The live grain ids, for listings.
    pub fn grains(&self) -> Vec<GrainId> {
        self.live.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).keys().cloned().collect()
    }

    /// The live activations, sorted by grain id.
    pub fn snapshot(&self) -> Vec<(GrainId, Pid)> {
        let live = self.live.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let mut all: Vec<(GrainId, Pid)> = live.iter().map(|(grain, pid)| (grain.clone(), pid.clone())).collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    }
}
