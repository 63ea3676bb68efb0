//! `GET /metrics` on the HTTP port: every series in the Prometheus text format, open without
//! tokens like the probes (kind names and counts, never a grain identity or payload).

use super::ApiContext;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;

/// The content type of the Prometheus text format.
const TEXT_FORMAT: &str = "text/plain; version=0.0.4; charset=utf-8";

async fn metrics(State(api): State<ApiContext>) -> impl IntoResponse {
    match api.node.metrics_text() {
        Some(text) => (StatusCode::OK, [(header::CONTENT_TYPE, TEXT_FORMAT)], text),
        None => {
            (StatusCode::NOT_FOUND, [(header::CONTENT_TYPE, TEXT_FORMAT)], "metrics are off (--no-metrics)\n".into())
        }
    }
}

/// The metrics route.
pub fn routes() -> axum::Router<ApiContext> {
    axum::Router::new().route("/metrics", get(metrics))
}
