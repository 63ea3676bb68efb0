//! Grain ids, call errors, requests and kind settings as they cross between members.

use super::{KindAnnouncement, PeerRequest};
use crate::config::{DEFAULT_MAX_STATE, KindSettings, Subscription};
use crate::error::CallError;
use crate::ids::GrainId;
use crate::message::Origin;
use crate::proto::cluster::{self as wire, error::Code};
use crate::telemetry::TraceParent;
use std::time::Duration;
use tokio::time::Instant;

pub fn grain_ref(grain: &GrainId) -> wire::GrainRef {
    wire::GrainRef { kind: grain.kind().to_string(), identity: grain.identity().to_string() }
}

pub fn grain_id(grain: Option<&wire::GrainRef>) -> Result<GrainId, CallError> {
    let grain = grain.ok_or_else(|| CallError::InvalidRequest("missing grain".into()))?;
    GrainId::new(grain.kind.as_str(), grain.identity.as_str()).map_err(|e| CallError::InvalidRequest(e.to_string()))
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// `request` as sent, under the id `id`, with the time its sender still waits.
pub fn to_request(id: u64, request: PeerRequest, remaining: Duration) -> wire::Request {
    wire::Request {
        id,
        grain: Some(grain_ref(&request.grain)),
        method: request.method,
        payload: request.payload,
        timeout_ms: millis(remaining),
        chain: request.origin.chain.iter().map(grain_ref).collect(),
        traceparent: request.origin.trace.as_ref().map(|trace| trace.as_str().to_string()).unwrap_or_default(),
        one_way: request.one_way,
    }
}

/// A received request, its deadline counted from now.
pub fn from_request(request: wire::Request) -> Result<PeerRequest, CallError> {
    let grain = grain_id(request.grain.as_ref())?;
    let chain = request.chain.iter().map(|grain| grain_id(Some(grain))).collect::<Result<Vec<_>, _>>()?;
    let origin = Origin {
        chain,
        deadline: Instant::now() + Duration::from_millis(request.timeout_ms),
        trace: TraceParent::parse(&request.traceparent),
    };
    Ok(PeerRequest { grain, method: request.method, payload: request.payload, origin, one_way: request.one_way })
}

pub fn to_error(error: &CallError) -> wire::Error {
    let (code, limit) = match error {
        CallError::Unavailable(_) => (Code::Unavailable, 0),
        CallError::MayHaveRun(_) => (Code::MayHaveRun, 0),
        CallError::NotHere(_) => (Code::NotHere, 0),
        CallError::UnknownKind(_) => (Code::UnknownKind, 0),
        CallError::InvalidRequest(_) => (Code::InvalidRequest, 0),
        CallError::Cycle(_) => (Code::Cycle, 0),
        CallError::Timeout => (Code::Timeout, 0),
        CallError::Failed(_) => (Code::Failed, 0),
        CallError::Trapped(_) => (Code::Trapped, 0),
        CallError::TimeLimit(limit) => (Code::TimeLimit, millis(*limit)),
        CallError::MemoryLimit(limit) => (Code::MemoryLimit, *limit),
        CallError::Exhausted { retry_after, .. } => (Code::Exhausted, millis(*retry_after)),
    };
    let message = match error {
        CallError::Unavailable(m)
        | CallError::MayHaveRun(m)
        | CallError::NotHere(m)
        | CallError::UnknownKind(m)
        | CallError::InvalidRequest(m)
        | CallError::Cycle(m)
        | CallError::Failed(m)
        | CallError::Trapped(m)
        | CallError::Exhausted { why: m, .. } => m.clone(),
        CallError::Timeout | CallError::TimeLimit(_) | CallError::MemoryLimit(_) => String::new(),
    };
    wire::Error { code: code as i32, message, limit }
}

pub fn from_error(error: wire::Error) -> CallError {
    let wire::Error { code, message, limit } = error;
    match Code::try_from(code) {
        Ok(Code::Unavailable) => CallError::Unavailable(message),
        Ok(Code::MayHaveRun) => CallError::MayHaveRun(message),
        Ok(Code::NotHere) => CallError::NotHere(message),
        Ok(Code::UnknownKind) => CallError::UnknownKind(message),
        Ok(Code::InvalidRequest) => CallError::InvalidRequest(message),
        Ok(Code::Cycle) => CallError::Cycle(message),
        Ok(Code::Timeout) => CallError::Timeout,
        Ok(Code::Failed) => CallError::Failed(message),
        Ok(Code::Trapped) => CallError::Trapped(message),
        Ok(Code::TimeLimit) => CallError::TimeLimit(Duration::from_millis(limit)),
        Ok(Code::MemoryLimit) => CallError::MemoryLimit(limit),
        Ok(Code::Exhausted) => CallError::Exhausted { why: message, retry_after: Duration::from_millis(limit) },
        // A newer peer's code this version does not know: whether it ran is unknown.
        Err(_) => CallError::MayHaveRun(format!("peer error code {code}: {message}")),
    }
}

pub fn to_settings(settings: &KindSettings) -> wire::KindSettings {
    wire::KindSettings {
        idle_timeout_ms: millis(settings.idle_timeout),
        max_memory_bytes: settings.max_memory,
        time_limit_ms: millis(settings.time_limit),
        roles: settings.roles.iter().cloned().collect(),
        max_live: settings.max_live,
        max_state_bytes: settings.max_state,
        allow_http: settings.allow_http.iter().cloned().collect(),
        subscribe: settings.subscribe.iter().map(ToString::to_string).collect(),
    }
}

pub fn from_settings(settings: wire::KindSettings) -> KindSettings {
    KindSettings {
        idle_timeout: Duration::from_millis(settings.idle_timeout_ms),
        max_memory: settings.max_memory_bytes,
        time_limit: Duration::from_millis(settings.time_limit_ms),
        roles: settings.roles.into_iter().collect(),
        max_live: settings.max_live,
        // A peer too old to send a state limit: the default.
        max_state: if settings.max_state_bytes == 0 { DEFAULT_MAX_STATE } else { settings.max_state_bytes },
        allow_http: settings.allow_http.into_iter().collect(),
        // Checked where it was pushed; one that does not read here subscribes to nothing.
        subscribe: settings.subscribe.iter().filter_map(|text| Subscription::parse(text).ok()).collect(),
    }
}

pub fn to_announcement(announcement: &KindAnnouncement) -> wire::KindAnnouncement {
    wire::KindAnnouncement {
        name: announcement.name.to_string(),
        version: announcement.version.to_string(),
        settings: Some(to_settings(&announcement.settings)),
        source: announcement.source.to_string(),
    }
}

pub fn from_announcement(announcement: wire::KindAnnouncement) -> anyhow::Result<KindAnnouncement> {
    Ok(KindAnnouncement {
        name: announcement.name.parse()?,
        version: announcement.version.parse()?,
        settings: from_settings(announcement.settings.unwrap_or_default()),
        source: announcement.source.parse()?,
    })
}
