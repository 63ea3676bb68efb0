//! This grain's identity, its receive timeout, and messages to other grains.

use crate::bindings::granary::grain::host;
use crate::{CallError, GrainId};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::time::Duration;

impl GrainId {
    /// `GrainId` for `kind/identity`.
    pub fn new(kind: impl Into<String>, identity: impl Into<String>) -> Self {
        GrainId { kind: kind.into(), identity: identity.into() }
    }
}

impl std::fmt::Display for GrainId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.kind, self.identity)
    }
}

/// A one-line description of a failed call, for error results and logs.
pub fn describe(error: &CallError) -> String {
    match error {
        CallError::Unavailable(why) => format!("unavailable: {why}"),
        CallError::Timeout => "timed out".to_string(),
        CallError::Rejected(why) => format!("rejected: {why}"),
        CallError::Failed(why) => format!("failed: {why}"),
    }
}

/// The identity this instance runs as.
pub fn self_id() -> GrainId {
    host::self_id()
}

/// Calls another grain and waits for its reply.
pub fn call(target: &GrainId, method: &str, payload: &[u8]) -> Result<Vec<u8>, CallError> {
    host::call(target, method, payload)
}

/// Calls another grain with a JSON request and decodes its JSON reply.
pub fn call_json<Req: Serialize + ?Sized, Resp: DeserializeOwned>(
    target: &GrainId,
    method: &str,
    request: &Req,
) -> Result<Resp, String> {
    let payload = serde_json::to_vec(request).map_err(|e| format!("cannot encode request: {e}"))?;
    let reply = call(target, method, &payload).map_err(|e| format!("{target} {method}: {}", describe(&e)))?;
    serde_json::from_slice(&reply).map_err(|e| format!("{target} {method}: bad reply: {e}"))
}

/// Queues a one-way message to another grain.
pub fn send(target: &GrainId, method: &str, payload: &[u8]) -> Result<(), CallError> {
    host::send(target, method, payload)
}

/// Deactivates this grain after `idle` without messages; `Duration::ZERO` restores the kind's default.
pub fn set_receive_timeout(idle: Duration) {
    host::set_receive_timeout(u64::try_from(idle.as_millis()).unwrap_or(u64::MAX))
}

/// A request to pass a message on: `{"target": "kind/id", "method": "...", "payload": <json>}`.
#[derive(serde::Deserialize)]
pub struct Forward {
    pub target: String,
    pub method: String,
    /// Sent as its JSON text; nothing when absent.
    #[serde(default)]
    pub payload: serde_json::Value,
}

impl Forward {
    fn target_id(&self) -> Result<GrainId, String> {
        let (kind, identity) = self
            .target
            .split_once('/')
            .ok_or_else(|| format!("bad payload: target must be \"kind/identity\", got {:?}", self.target))?;
        Ok(GrainId::new(kind, identity))
    }

    fn payload_bytes(&self) -> Vec<u8> {
        match &self.payload {
            serde_json::Value::Null => Vec::new(),
            value => value.to_string().into_bytes(),
        }
    }

    /// Calls the target and returns its reply.
    pub fn call(&self) -> Result<Vec<u8>, String> {
        call(&self.target_id()?, &self.method, &self.payload_bytes())
            .map_err(|e| format!("{} {}: {}", self.target, self.method, describe(&e)))
    }

    /// Queues the message for the target.
    pub fn send(&self) -> Result<(), String> {
        send(&self.target_id()?, &self.method, &self.payload_bytes())
            .map_err(|e| format!("{} {}: {}", self.target, self.method, describe(&e)))
    }
}
