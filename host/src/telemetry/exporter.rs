//! The OTLP/gRPC exporter behind a batch processor. The processor exports from a thread of
//! its own, which has no tokio runtime, while tonic needs one: each export runs on the node's
//! runtime and the processor's thread waits for it.

use opentelemetry::KeyValue;
use opentelemetry_otlp::WithExportConfig;
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanData, SpanExporter};
use std::time::Duration;

/// An exporter whose exports run on `runtime`.
#[derive(Debug)]
struct OnRuntime {
    inner: opentelemetry_otlp::SpanExporter,
    runtime: tokio::runtime::Handle,
}

impl SpanExporter for OnRuntime {
    fn export(&self, batch: Vec<SpanData>) -> impl std::future::Future<Output = OTelSdkResult> + Send {
        // Called on the processor's own thread, outside any runtime: waiting here is allowed.
        std::future::ready(self.runtime.block_on(self.inner.export(batch)))
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.inner.shutdown_with_timeout(timeout)
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.inner.force_flush()
    }

    fn set_resource(&mut self, resource: &Resource) {
        self.inner.set_resource(resource);
    }
}

/// A tracer provider exporting in batches to `endpoint`, its spans marked as node `node`'s.
pub fn provider(endpoint: &str, node: &str) -> anyhow::Result<SdkTracerProvider> {
    let runtime = tokio::runtime::Handle::try_current()
        .map_err(|_| anyhow::anyhow!("the span exporter must be installed from within the node's runtime"))?;
    let inner = opentelemetry_otlp::SpanExporter::builder()
        .with_tonic()
        .with_endpoint(endpoint)
        .build()
        .map_err(|e| anyhow::anyhow!("cannot build the OTLP exporter for {endpoint}: {e}"))?;
    let resource = Resource::builder()
        .with_service_name("granary")
        .with_attribute(KeyValue::new("service.instance.id", node.to_string()))
        .build();
    Ok(SdkTracerProvider::builder().with_resource(resource).with_batch_exporter(OnRuntime { inner, runtime }).build())
}
