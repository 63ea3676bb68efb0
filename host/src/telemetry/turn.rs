//! The span of one turn: started as a child of the message's trace context, it hands the
//! turn its own context for the calls it makes, and ends with the turn's outcome.

use super::{TraceParent, exporting};
use crate::ids::GrainId;
use crate::metrics::Outcome;
use opentelemetry::KeyValue;
use opentelemetry::global::BoxedSpan;
use opentelemetry::trace::{Span, SpanKind, Status, Tracer};

/// A turn's span, while it runs.
pub struct TurnSpan {
    span: BoxedSpan,
}

impl TurnSpan {
    /// Starts the span of a turn of `method` on `grain`, under `parent` (a new trace without
    /// one); returns it with the context the turn's own calls carry. `None` when not exporting.
    pub fn start(grain: &GrainId, method: &str, parent: Option<&TraceParent>) -> Option<(TurnSpan, TraceParent)> {
        if !exporting() {
            return None;
        }
        let tracer = opentelemetry::global::tracer("granary");
        let parent = parent.map_or_else(opentelemetry::Context::new, TraceParent::context);
        let span = tracer
            .span_builder(format!("{} {method}", grain.kind()))
            .with_kind(SpanKind::Server)
            .with_attributes([
                KeyValue::new("granary.kind", grain.kind().to_string()),
                KeyValue::new("granary.method", method.to_string()),
                KeyValue::new("granary.grain", grain.to_string()),
            ])
            .start_with_context(&tracer, &parent);
        let context = span.span_context();
        let own = TraceParent(format!(
            "00-{}-{}-{:02x}",
            context.trace_id(),
            context.span_id(),
            context.trace_flags().to_u8()
        ));
        Some((TurnSpan { span }, own))
    }

    /// Ends the span with the turn's outcome.
    pub fn end(mut self, outcome: Outcome) {
        let word = outcome.as_str();
        self.span.set_attribute(KeyValue::new("granary.outcome", word));
        if outcome != Outcome::Ok {
            self.span.set_status(Status::error(word));
        }
        self.span.end();
    }
}
