//! Call errors and grain ids as they cross between nodes.

use crate::api::proto::remote_error::Code;
use crate::api::proto::{GrainRef, RemoteError};
use crate::error::CallError;
use crate::ids::GrainId;
use std::time::Duration;

pub fn grain_ref(grain: &GrainId) -> GrainRef {
    GrainRef { kind: grain.kind().to_string(), identity: grain.identity().to_string() }
}

pub fn grain_id(grain: Option<&GrainRef>) -> Result<GrainId, CallError> {
    let grain = grain.ok_or_else(|| CallError::InvalidRequest("missing grain".into()))?;
    GrainId::new(grain.kind.as_str(), grain.identity.as_str()).map_err(|e| CallError::InvalidRequest(e.to_string()))
}

pub fn to_wire(error: &CallError) -> RemoteError {
    let (code, limit) = match error {
        CallError::Unavailable(_) => (Code::Unavailable, 0),
        CallError::NotHere(_) => (Code::NotHere, 0),
        CallError::UnknownKind(_) => (Code::UnknownKind, 0),
        CallError::InvalidRequest(_) => (Code::InvalidRequest, 0),
        CallError::Cycle(_) => (Code::Cycle, 0),
        CallError::Timeout => (Code::Timeout, 0),
        CallError::Failed(_) => (Code::Failed, 0),
        CallError::Trapped(_) => (Code::Trapped, 0),
        CallError::TimeLimit(limit) => (Code::TimeLimit, u64::try_from(limit.as_millis()).unwrap_or(u64::MAX)),
        CallError::MemoryLimit(limit) => (Code::MemoryLimit, *limit),
    };
    let message = match error {
        CallError::Unavailable(m)
        | CallError::NotHere(m)
        | CallError::UnknownKind(m)
        | CallError::InvalidRequest(m)
        | CallError::Cycle(m)
        | CallError::Failed(m)
        | CallError::Trapped(m) => m.clone(),
        CallError::Timeout | CallError::TimeLimit(_) | CallError::MemoryLimit(_) => String::new(),
    };
    RemoteError { code: code as i32, message, limit }
}

pub fn from_wire(error: RemoteError) -> CallError {
    let RemoteError { code, message, limit } = error;
    match Code::try_from(code).unwrap_or(Code::Unavailable) {
        Code::Unavailable => CallError::Unavailable(message),
        Code::NotHere => CallError::NotHere(message),
        Code::UnknownKind => CallError::UnknownKind(message),
        Code::InvalidRequest => CallError::InvalidRequest(message),
        Code::Cycle => CallError::Cycle(message),
        Code::Timeout => CallError::Timeout,
        Code::Failed => CallError::Failed(message),
        Code::Trapped => CallError::Trapped(message),
        Code::TimeLimit => CallError::TimeLimit(Duration::from_millis(limit)),
        Code::MemoryLimit => CallError::MemoryLimit(limit),
    }
}
