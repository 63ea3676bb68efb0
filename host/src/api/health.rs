//! Probes for orchestrators, on the HTTP port and open without tokens (they reveal nothing of
//! grains): `GET /healthz` answers while the process serves; `GET /readyz` answers 200 only
//! while the node should get traffic, else 503 with the reasons, one per line.

use super::ApiContext;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;

async fn healthz() -> &'static str {
    "ok\n"
}

async fn readyz(State(api): State<ApiContext>) -> (StatusCode, String) {
    let reasons = api.node.unready_reasons().await;
    if reasons.is_empty() {
        (StatusCode::OK, "ready\n".to_string())
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, reasons.iter().map(|reason| format!("{reason}\n")).collect())
    }
}

/// The probe routes.
pub fn routes() -> axum::Router<ApiContext> {
    axum::Router::new().route("/healthz", get(healthz)).route("/readyz", get(readyz))
}
