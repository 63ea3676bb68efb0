//! Traces: one OpenTelemetry span per turn (kind, method, grain, outcome), parented by the W3C
//! `traceparent` the message carries. It arrives on gRPC metadata or an HTTP header, goes with
//! every call and send a grain makes during the turn, and crosses to other members in the peer
//! envelope, so one trace follows a request through every grain and member it reaches.
//! Export is over OTLP/gRPC, off unless [`install`] was called (`--otlp-endpoint`); off, a
//! turn only checks one flag, and a `traceparent` that came in is passed on as it is.

mod exporter;
mod turn;

pub use turn::TurnSpan;

use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::TraceContextExt;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::SdkTracerProvider;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

/// The header and metadata key of a W3C trace context.
pub const TRACEPARENT: &str = "traceparent";

/// Set once an exporter is installed: turns start spans from then on.
static EXPORTING: AtomicBool = AtomicBool::new(false);

/// Whether turns record spans.
pub fn exporting() -> bool {
    EXPORTING.load(Ordering::Relaxed)
}

/// A W3C `traceparent` (`00-<trace id>-<span id>-<flags>`), checked when read from outside.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceParent(String);

impl TraceParent {
    /// `value` if it is a valid `traceparent`: version `00`, 32 and 16 lowercase hex digits
    /// of trace and span id (neither all zero), 2 of flags.
    pub fn parse(value: &str) -> Option<Self> {
        let value = value.trim();
        let fields: Vec<&str> = value.split('-').collect();
        let hex = |field: &str, digits: usize| {
            field.len() == digits && field.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        };
        let well_formed = matches!(fields.as_slice(), [version, trace, span, flags]
            if *version == "00" && hex(trace, 32) && hex(span, 16) && hex(flags, 2));
        let parent = TraceParent(value.to_string());
        (well_formed && parent.context().span().span_context().is_valid()).then_some(parent)
    }

    /// The trace it belongs to, as 32 hex digits.
    pub fn trace_id(&self) -> &str {
        self.0.get(3..35).unwrap_or("")
    }

    /// The header value.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The remote span context it names, as OpenTelemetry's parent context.
    fn context(&self) -> opentelemetry::Context {
        let carrier = HashMap::from([(TRACEPARENT.to_string(), self.0.clone())]);
        TraceContextPropagator::new().extract(&carrier)
    }
}

/// The installed exporter; dropping it without [`Telemetry::shutdown`] may lose spans.
pub struct Telemetry {
    provider: SdkTracerProvider,
}

/// Exports spans to the OTLP/gRPC collector at `endpoint`, naming this node `node`. Call it
/// from within the node's tokio runtime: exports run on it.
pub fn install(endpoint: &str, node: &str) -> anyhow::Result<Telemetry> {
    let provider = exporter::provider(endpoint, node)?;
    opentelemetry::global::set_tracer_provider(provider.clone());
    EXPORTING.store(true, Ordering::Relaxed);
    Ok(Telemetry { provider })
}

impl Telemetry {
    /// Exports what is left and stops exporting.
    pub async fn shutdown(self) {
        EXPORTING.store(false, Ordering::Relaxed);
        let provider = self.provider;
        let flushed = tokio::task::spawn_blocking(move || provider.shutdown()).await;
        if let Ok(Err(e)) = flushed {
            tracing::warn!("exporting the last spans failed: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::TraceParent;

    #[test]
    fn a_traceparent_is_read_only_when_well_formed() {
        let parent = TraceParent::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").expect("valid");
        assert_eq!(parent.trace_id(), "4bf92f3577b34da6a3ce929d0e0e4736");
        for malformed in [
            "",
            "not a trace",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4bf92f3577b34da6a3ce929d0e0e47-00f067aa0ba902b7-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
        ] {
            assert_eq!(TraceParent::parse(malformed), None, "{malformed:?}");
        }
    }
}
