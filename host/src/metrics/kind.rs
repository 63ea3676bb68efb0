//! One kind's handles, held by each of its activations, so that a turn records its call
//! without a lock or a shared write: its method is found among the kind's method slots
//! (filled once, then only read), and the counters and histogram are striped per thread.

use super::{CallLabels, DeactivationLabels, Faults, StripedCounter, StripedHistogram};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

/// The most method labels one kind gets; later methods count as `other`.
const MAX_METHODS: usize = 32;
/// A longer method name counts as `other`.
const MAX_METHOD_LABEL: usize = 64;
/// The label of methods past the caps.
const OTHER: &str = "other";

/// How a turn ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The grain replied.
    Ok,
    /// The grain returned an error.
    Error,
    /// The instance trapped, hit a limit or turned stale, and was discarded.
    Fault,
}

impl Outcome {
    /// Every outcome, in the order of their counters.
    const ALL: [Outcome; 3] = [Outcome::Ok, Outcome::Error, Outcome::Fault];

    /// The outcome as a word, for labels and span attributes.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Error => "error",
            Outcome::Fault => "fault",
        }
    }
}

/// A method's counters, one per outcome.
struct MethodCounters {
    method: String,
    outcomes: [StripedCounter; 3],
}

/// The series of one kind.
pub struct KindMetrics {
    kind: String,
    /// Methods seen so far, in the order first seen.
    methods: [OnceLock<MethodCounters>; MAX_METHODS],
    /// Calls of methods past the caps.
    other: OnceLock<[StripedCounter; 3]>,
    /// Held while a method takes a slot.
    adding: Mutex<()>,
    calls: Family<CallLabels, StripedCounter>,
    duration: StripedHistogram,
    activations: StripedCounter,
    deactivations: Family<DeactivationLabels, Counter>,
    faults: Arc<Faults>,
}

impl std::fmt::Debug for KindMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KindMetrics").field("kind", &self.kind).finish_non_exhaustive()
    }
}

impl KindMetrics {
    pub(super) fn new(
        kind: String,
        calls: Family<CallLabels, StripedCounter>,
        duration: StripedHistogram,
        activations: StripedCounter,
        deactivations: Family<DeactivationLabels, Counter>,
        faults: Arc<Faults>,
    ) -> Self {
        KindMetrics {
            kind,
            methods: std::array::from_fn(|_| OnceLock::new()),
            other: OnceLock::new(),
            adding: Mutex::new(()),
            calls,
            duration,
            activations,
            deactivations,
            faults,
        }
    }

    /// A turn of `method` ended with `outcome` after `took`.
    pub fn record_call(&self, method: &str, outcome: Outcome, took: Duration) {
        self.duration.observe(took);
        self.counters(method)[outcome as usize].inc();
    }

    /// The counters of `method`, taking a free slot for a method not seen before.
    fn counters(&self, method: &str) -> &[StripedCounter; 3] {
        if let Some(seen) = self.seen(method) {
            return seen;
        }
        if method.len() <= MAX_METHOD_LABEL {
            let _adding = self.adding.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Some(seen) = self.seen(method) {
                return seen;
            }
            if let Some(free) = self.methods.iter().find(|slot| slot.get().is_none()) {
                let outcomes = self.outcome_counters(method);
                return &free.get_or_init(|| MethodCounters { method: method.to_string(), outcomes }).outcomes;
            }
        }
        self.other.get_or_init(|| self.outcome_counters(OTHER))
    }

    /// The slot of `method`, if it has one.
    fn seen(&self, method: &str) -> Option<&[StripedCounter; 3]> {
        self.methods
            .iter()
            .map_while(OnceLock::get)
            .find(|counters| counters.method == method)
            .map(|counters| &counters.outcomes)
    }

    fn outcome_counters(&self, method: &str) -> [StripedCounter; 3] {
        Outcome::ALL.map(|outcome| {
            let outcome = outcome.as_str().to_string();
            let labels = CallLabels { kind: self.kind.clone(), method: method.to_string(), outcome };
            self.calls.get_or_create_owned(&labels)
        })
    }

    /// A turn of `method` on `grain` faulted with `error`.
    pub fn faulted(&self, grain: String, method: &str, error: String) {
        self.faults.record(grain, method, error);
    }

    /// An activation of the kind started.
    pub fn activated(&self) {
        self.activations.inc();
    }

    /// An activation of the kind ended for `reason` (idle, reload, handover, shutdown, fault).
    pub fn deactivated(&self, reason: &str) {
        let labels = DeactivationLabels { kind: self.kind.clone(), reason: reason.to_string() };
        self.deactivations.get_or_create(&labels).inc();
    }
}
