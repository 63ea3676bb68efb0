//! The last faults on this node (traps, memory and time limits), newest last, for the
//! dashboard: which grain, which method, what went wrong, and when.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// How many faults are kept.
const KEPT: usize = 50;

/// One turn that faulted.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Fault {
    /// When, in milliseconds since the Unix epoch.
    pub at_unix_ms: u64,
    /// `kind/identity`.
    pub grain: String,
    /// The method of the turn.
    pub method: String,
    /// What went wrong.
    pub error: String,
}

/// The last [`KEPT`] faults.
#[derive(Debug, Default)]
pub struct Faults(Mutex<VecDeque<Fault>>);

impl Faults {
    /// Records a fault of `method` on `grain`.
    pub fn record(&self, grain: String, method: &str, error: String) {
        let at_unix_ms = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |since| since.as_millis() as u64);
        let mut faults = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if faults.len() == KEPT {
            faults.pop_front();
        }
        faults.push_back(Fault { at_unix_ms, grain, method: method.to_string(), error });
    }

    /// The faults kept, oldest first.
    pub fn recent(&self) -> Vec<Fault> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).iter().cloned().collect()
    }
}
