//! The `granary:grain/host` interface (0.1.0, unchanged in 0.2.0): what a grain can ask of its node.

use super::bindings::v1::granary::grain::{host, types};
use super::bindings::{LogLevel, WitCallError, WitGrainId};
use super::grain_state::GrainState;
use crate::error::CallError;
use crate::ids::GrainId;
use crate::message::Origin;
use crate::state::StateError;
use std::time::Duration;

/// Longest log line kept; the rest is cut.
const MAX_LOG_BYTES: usize = 16 * 1024;

impl types::Host for GrainState {}

impl GrainState {
    /// The target as a typed id, and the origin of a message sent to it from this turn.
    fn outgoing(&self, target: WitGrainId) -> Result<(GrainId, Origin), WitCallError> {
        let target = GrainId::new(target.kind, target.identity).map_err(|e| WitCallError::Rejected(e.to_string()))?;
        Ok(self.outgoing_to(target))
    }

    /// `target` and the origin of a message sent to it from this turn.
    pub(crate) fn outgoing_to(&self, target: GrainId) -> (GrainId, Origin) {
        let mut chain = self.turn.origin.chain.clone();
        chain.push(self.grain.clone());
        let deadline = self.turn.origin.deadline.min(self.turn.stop_at);
        (target, Origin { chain, deadline, trace: self.turn.origin.trace.clone() })
    }
}

fn to_wit(error: CallError) -> WitCallError {
    match error {
        CallError::UnknownKind(_)
        | CallError::Unavailable(_)
        | CallError::Exhausted { .. }
        | CallError::NotHere(_)
        | CallError::MayHaveRun(_) => WitCallError::Unavailable(error.to_string()),
        CallError::InvalidRequest(_) | CallError::Cycle(_) => WitCallError::Rejected(error.to_string()),
        CallError::Timeout => WitCallError::Timeout,
        CallError::Failed(_) | CallError::Trapped(_) | CallError::TimeLimit(_) | CallError::MemoryLimit(_) => {
            WitCallError::Failed(error.to_string())
        }
    }
}

impl host::Host for GrainState {
    fn self_id(&mut self) -> WitGrainId {
        WitGrainId { kind: self.grain.kind().to_string(), identity: self.grain.identity().to_string() }
    }

    fn log(&mut self, level: LogLevel, mut message: String) {
        if message.len() > MAX_LOG_BYTES {
            let mut cut = MAX_LOG_BYTES;
            while !message.is_char_boundary(cut) {
                cut -= 1;
            }
            message.truncate(cut);
        }
        let grain = &self.grain;
        match level {
            LogLevel::Trace => tracing::trace!(target: "grain", %grain, "{message}"),
            LogLevel::Debug => tracing::debug!(target: "grain", %grain, "{message}"),
            LogLevel::Info => tracing::info!(target: "grain", %grain, "{message}"),
            LogLevel::Warn => tracing::warn!(target: "grain", %grain, "{message}"),
            LogLevel::Error => tracing::error!(target: "grain", %grain, "{message}"),
        }
    }

    fn load_state(&mut self) -> Option<Vec<u8>> {
        self.saved.as_ref().map(|saved| saved.bytes.clone())
    }

    async fn save_state(&mut self, state: Vec<u8>) -> Result<(), String> {
        if state.len() as u64 > self.max_state {
            return Err(format!(
                "state of {} bytes exceeds the kind's max-state of {} bytes; nothing was saved",
                state.len(),
                self.max_state
            ));
        }
        if self.stale {
            return Err("this activation is stale: a newer one owns the state".into());
        }
        let expected = self.saved.as_ref().map(|saved| saved.etag);
        match self.host.save_state(&self.grain, &state, expected, self.epoch).await {
            Ok(etag) => {
                self.saved = Some(crate::state::StoredState { bytes: state, etag });
                Ok(())
            }
            Err(refused @ (StateError::Conflict { .. } | StateError::Fenced { .. })) => {
                self.stale = true;
                tracing::warn!(grain = %self.grain, "refused write: {refused}");
                Err(refused.to_string())
            }
            Err(e) => Err(e.to_string()),
        }
    }

    async fn call(&mut self, target: WitGrainId, method: String, payload: Vec<u8>) -> Result<Vec<u8>, WitCallError> {
        let (target, origin) = self.outgoing(target)?;
        self.host.call(&target, method, payload, origin).await.map_err(to_wit)
    }

    async fn send(&mut self, target: WitGrainId, method: String, payload: Vec<u8>) -> Result<(), WitCallError> {
        let (target, mut origin) = self.outgoing(target)?;
        // A one-way message waits for nobody, so it cannot close a cycle.
        origin.chain.clear();
        self.host.send(&target, method, payload, origin).await.map_err(to_wit)
    }

    fn set_receive_timeout(&mut self, millis: u64) {
        self.receive_timeout = (millis > 0).then(|| Duration::from_millis(millis));
    }
}
