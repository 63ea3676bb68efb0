//! The dashboard at `GET /` on the HTTP port: one page, its script and style embedded in the
//! binary (no build step), reading the node's own read-only endpoints: `/v1/cluster`,
//! `/v1/kinds`, `/v1/grains`, `/v1/faults` and `/metrics`. It changes nothing, so it needs no
//! token; grain calls and kind pushes stay behind theirs.

use super::ApiContext;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

const PAGE: &str = include_str!("dashboard/index.html");
const SCRIPT: &str = include_str!("dashboard/app.js");
const STYLE: &str = include_str!("dashboard/style.css");

async fn page() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], PAGE)
}

async fn script() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], SCRIPT)
}

async fn style() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE)
}

/// The dashboard's routes.
pub fn routes() -> axum::Router<ApiContext> {
    axum::Router::new()
        .route("/", get(page))
        .route("/dashboard/app.js", get(script))
        .route("/dashboard/style.css", get(style))
}
