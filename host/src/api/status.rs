//! Maps call errors and request deadlines onto gRPC. Every failed call carries a
//! `google.rpc.ErrorInfo` detail whose reason says whether the message ran: `NOT_RUN`,
//! `MAY_HAVE_RUN` or `RAN` (domain `granary.dev`), so clients never parse the message text.

use super::auth::Denied;
use crate::error::CallError;
use crate::kinds::RegistryError;
use crate::runtime::KindError;
use std::collections::HashMap;
use std::time::Duration;
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, StatusExt};

/// The `ErrorInfo` domain of Granary's errors.
pub const ERROR_DOMAIN: &str = "granary.dev";

/// The metadata (gRPC) and header (HTTP) that say, in whole seconds, when to try again.
pub const RETRY_AFTER: &str = "retry-after";

/// `retry_after` rounded up to whole seconds, at least one.
pub fn retry_after_seconds(retry_after: Duration) -> u64 {
    retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0).max(u64::from(retry_after.is_zero()))
}

impl From<CallError> for Status {
    fn from(error: CallError) -> Self {
        let code = match &error {
            CallError::UnknownKind(_) => Code::NotFound,
            CallError::InvalidRequest(_) => Code::InvalidArgument,
            CallError::Cycle(_) => Code::FailedPrecondition,
            CallError::Timeout => Code::DeadlineExceeded,
            CallError::Unavailable(_) | CallError::NotHere(_) => Code::Unavailable,
            CallError::MayHaveRun(_) => Code::Unknown,
            CallError::Failed(_) => Code::Aborted,
            CallError::Trapped(_) => Code::Internal,
            CallError::TimeLimit(_) | CallError::MemoryLimit(_) => Code::ResourceExhausted,
            CallError::Exhausted { .. } => Code::ResourceExhausted,
        };
        let mut details =
            ErrorDetails::with_error_info(error.ran().reason(), ERROR_DOMAIN, HashMap::<String, String>::new());
        if let CallError::Exhausted { retry_after, .. } = &error {
            details.set_retry_info(Some(*retry_after));
        }
        let mut status = Status::with_error_details(code, error.to_string(), details);
        if let CallError::Exhausted { retry_after, .. } = &error {
            status.metadata_mut().insert(RETRY_AFTER, retry_after_seconds(*retry_after).into());
        }
        status
    }
}

impl From<RegistryError> for Status {
    fn from(error: RegistryError) -> Self {
        let code = match &error {
            RegistryError::BadModule(KindError::TooLarge { .. }) => Code::ResourceExhausted,
            RegistryError::BadName(_) | RegistryError::BadModule(_) | RegistryError::BadSettings(_) => {
                Code::InvalidArgument
            }
            RegistryError::NotFound(_) => Code::NotFound,
            RegistryError::NoPrevious(_) | RegistryError::Incompatible { .. } => Code::FailedPrecondition,
            RegistryError::Storage(_) => Code::Internal,
        };
        Status::new(code, error.to_string())
    }
}

impl From<Denied> for Status {
    fn from(denied: Denied) -> Self {
        Status::permission_denied(denied.to_string())
    }
}

/// How long the node works on a request: the client's `grpc-timeout`, less a margin so the
/// node's own `DEADLINE_EXCEEDED` reaches the client before tonic cancels the handler.
pub fn request_timeout<T>(request: &tonic::Request<T>) -> Option<Duration> {
    let timeout = client_timeout(request)?;
    Some(timeout.saturating_sub((timeout / 10).min(Duration::from_millis(100))))
}

/// The client's deadline from the `grpc-timeout` header (`<digits><unit>`, unit one of H M S m u n).
fn client_timeout<T>(request: &tonic::Request<T>) -> Option<Duration> {
    let value = request.metadata().get("grpc-timeout")?.to_str().ok()?;
    let (digits, unit) = value.split_at(value.len().checked_sub(1)?);
    let amount: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(amount.saturating_mul(3600)),
        "M" => Duration::from_secs(amount.saturating_mul(60)),
        "S" => Duration::from_secs(amount),
        "m" => Duration::from_millis(amount),
        "u" => Duration::from_micros(amount),
        "n" => Duration::from_nanos(amount),
        _ => return None,
    })
}
