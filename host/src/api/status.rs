//! Maps call errors and request deadlines onto gRPC.

use crate::error::CallError;
use std::time::Duration;
use tonic::{Code, Status};

impl From<CallError> for Status {
    fn from(error: CallError) -> Self {
        let code = match &error {
            CallError::UnknownKind(_) => Code::NotFound,
            CallError::InvalidRequest(_) => Code::InvalidArgument,
            CallError::Cycle(_) => Code::FailedPrecondition,
            CallError::Timeout => Code::DeadlineExceeded,
            CallError::Unavailable(_) => Code::Unavailable,
            CallError::Failed(_) => Code::Aborted,
            CallError::Trapped(_) => Code::Internal,
            CallError::TimeLimit(_) | CallError::MemoryLimit(_) => Code::ResourceExhausted,
        };
        Status::new(code, error.to_string())
    }
}

/// The client's deadline from the `grpc-timeout` header (`<digits><unit>`, unit one of H M S m u n).
pub fn request_timeout<T>(request: &tonic::Request<T>) -> Option<Duration> {
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
