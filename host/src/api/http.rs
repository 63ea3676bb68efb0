//! The HTTP/JSON gateway: the same operations as gRPC, for curl and any language.
//!
//! - `POST /v1/grains/{kind}/{id}/{method}`: the body is the payload, the response body the reply
//! - `POST /v1/topics/{topic}/{key}`: publishes the body as an event; replies `{"sequence": N}`
//!   once it is durable
//! - `GET /v1/grains[?kind=K&prefix=P]`, `GET /v1/kinds`, `GET /v1/node`, `GET /v1/cluster`
//!   (members, status, roles, live grains per kind), `GET /v1/faults` (the last faults here)
//! - `GET /`: the dashboard (see [`super::dashboard`])
//! - `PUT /v1/kinds/{name}[?idle_timeout=30s&max_memory=64MiB&time_limit=5s&max_live=N&max_state=1MiB&allow_http=HOST[:PORT],...&subscribe=TOPIC[:FIELD],...]`: the body is the wasm
//! - `DELETE /v1/kinds/{name}`, `POST /v1/kinds/{name}/rollback`
//! - `GET /healthz`, `GET /readyz`: probes (see [`super::health`])
//! - `GET /metrics`: Prometheus metrics (see [`crate::metrics`])
//!
//! Errors are `{"error": "..."}` with the matching HTTP status.

use super::auth::{Access, Denied};
use super::no_delay;
use super::status::retry_after_seconds;
use super::tls::{PublicTls, TlsListener};
use super::{ApiContext, convert};
use crate::config::KindSettingsUpdate;
use crate::error::{CallError, Ran};
use crate::ids::GrainId;
use crate::kinds::RegistryError;
use crate::proto::api as proto;
use crate::runtime::KindError;
use crate::telemetry::{TRACEPARENT, TraceParent};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::serve::ListenerExt;
use axum::{Json, Router};
use granary_wire::push_query;
use serde::Deserialize;
use std::future::Future;
use tokio::net::TcpListener;

/// An error as the gateway answers it: `{"error": "...", "ran": "no" | "maybe" | "yes"}`,
/// where `ran` (on failed calls) says whether the message ran.
pub struct ApiError {
    status: StatusCode,
    message: String,
    ran: Option<Ran>,
    /// Seconds after which trying again is likely to succeed (the `Retry-After` header).
    retry_after: Option<u64>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = serde_json::json!({ "error": self.message });
        if let Some(ran) = self.ran {
            body["ran"] = serde_json::Value::from(match ran {
                Ran::No => "no",
                Ran::Maybe => "maybe",
                Ran::Yes => "yes",
            });
        }
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

fn error(status: StatusCode, message: impl ToString) -> ApiError {
    ApiError { status, message: message.to_string(), ran: None, retry_after: None }
}

impl From<CallError> for ApiError {
    fn from(e: CallError) -> Self {
        let status = match &e {
            CallError::UnknownKind(_) => StatusCode::NOT_FOUND,
            CallError::InvalidRequest(_) => StatusCode::BAD_REQUEST,
            CallError::Cycle(_) => StatusCode::CONFLICT,
            CallError::Timeout => StatusCode::GATEWAY_TIMEOUT,
            CallError::Unavailable(_) | CallError::NotHere(_) | CallError::Exhausted { .. } => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            CallError::MayHaveRun(_) => StatusCode::BAD_GATEWAY,
            CallError::Failed(_) => StatusCode::UNPROCESSABLE_ENTITY,
            CallError::Trapped(_) => StatusCode::INTERNAL_SERVER_ERROR,
            CallError::TimeLimit(_) | CallError::MemoryLimit(_) => StatusCode::INSUFFICIENT_STORAGE,
        };
        let retry_after = match &e {
            CallError::Exhausted { retry_after, .. } => Some(retry_after_seconds(*retry_after)),
            _ => None,
        };
        ApiError { status, message: e.to_string(), ran: Some(e.ran()), retry_after }
    }
}

impl From<RegistryError> for ApiError {
    fn from(e: RegistryError) -> Self {
        let status = match &e {
            RegistryError::BadModule(KindError::TooLarge { .. }) => StatusCode::PAYLOAD_TOO_LARGE,
            RegistryError::BadName(_) | RegistryError::BadModule(_) | RegistryError::BadSettings(_) => {
                StatusCode::BAD_REQUEST
            }
            RegistryError::NotFound(_) => StatusCode::NOT_FOUND,
            RegistryError::NoPrevious(_) | RegistryError::Incompatible { .. } => StatusCode::CONFLICT,
            RegistryError::Storage(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        error(status, e)
    }
}

impl From<Denied> for ApiError {
    fn from(denied: Denied) -> Self {
        let status = match denied {
            Denied::Missing(_) => StatusCode::UNAUTHORIZED,
            Denied::Wrong(_) => StatusCode::FORBIDDEN,
        };
        error(status, denied)
    }
}

impl ApiContext {
    fn allow(&self, access: Access, headers: &HeaderMap) -> Result<(), ApiError> {
        let header = headers.get(header::AUTHORIZATION).and_then(|value| value.to_str().ok());
        Ok(self.tokens.check(access, header)?)
    }
}

async fn call(
    State(api): State<ApiContext>,
    Path((kind, identity, method)): Path<(String, String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    api.allow(Access::Call, &headers)?;
    let grain = GrainId::new(kind, identity).map_err(|e| error(StatusCode::BAD_REQUEST, e))?;
    let trace = headers.get(TRACEPARENT).and_then(|value| value.to_str().ok()).and_then(TraceParent::parse);
    let reply = api.node.call_in_trace(&grain, &method, body.to_vec(), None, trace).await?;
    let content_type = if serde_json::from_slice::<serde::de::IgnoredAny>(&reply).is_ok() {
        "application/json"
    } else {
        "application/octet-stream"
    };
    Ok(([(header::CONTENT_TYPE, content_type)], reply).into_response())
}

#[derive(Deserialize)]
struct GrainFilter {
    kind: Option<String>,
    /// Only identities that start with this.
    prefix: Option<String>,
}

async fn list_grains(State(api): State<ApiContext>, Query(filter): Query<GrainFilter>) -> Json<Vec<proto::GrainInfo>> {
    let grains = api
        .node
        .grains()
        .iter()
        .filter(|listing| filter.kind.as_deref().is_none_or(|kind| listing.grain.kind() == kind))
        .filter(|listing| filter.prefix.as_deref().is_none_or(|prefix| listing.grain.identity().starts_with(prefix)))
        .map(|listing| convert::grain(&api.node, listing))
        .collect();
    Json(grains)
}

/// The reply to a publish.
#[derive(serde::Serialize)]
struct Published {
    sequence: u64,
}

async fn publish(
    State(api): State<ApiContext>,
    Path((topic, key)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<Published>, ApiError> {
    api.allow(Access::Call, &headers)?;
    let sequence = api.node.publish(&topic, &key, body.to_vec()).await?;
    Ok(Json(Published { sequence }))
}

async fn list_kinds(State(api): State<ApiContext>) -> Json<Vec<proto::KindInfo>> {
    let active = convert::active_per_kind(&api.node);
    Json(api.node.kinds().list().iter().map(|info| convert::kind(info, &active)).collect())
}

/// The settings a push's query names.
fn settings_update(query: Option<&str>) -> Result<KindSettingsUpdate, ApiError> {
    push_query::parse(query.unwrap_or("")).map_err(|why| error(StatusCode::BAD_REQUEST, why))
}

#[derive(serde::Serialize)]
struct PushOutcome {
    kind: Option<proto::KindInfo>,
    unchanged: bool,
}

async fn push_kind(
    State(api): State<ApiContext>,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<PushOutcome>, ApiError> {
    api.allow(Access::Admin, &headers)?;
    let update = settings_update(query.as_deref())?;
    let pushed = api.node.push_kind(&name, body.to_vec(), update).await?;
    Ok(Json(PushOutcome { kind: convert::kind_named(&api.node, &name), unchanged: pushed.unchanged }))
}

async fn remove_kind(
    State(api): State<ApiContext>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    api.allow(Access::Admin, &headers)?;
    api.node.remove_kind(&name)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn rollback_kind(
    State(api): State<ApiContext>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Result<Json<Option<proto::KindInfo>>, ApiError> {
    api.allow(Access::Admin, &headers)?;
    api.node.rollback_kind(&name).await?;
    Ok(Json(convert::kind_named(&api.node, &name)))
}

/// Which version `GET /v1/kinds/{name}/interface` describes (`?version=`; the current one by default).
#[derive(serde::Deserialize)]
struct VersionQuery {
    version: Option<String>,
}

async fn describe_kind(
    State(api): State<ApiContext>,
    Path(name): Path<String>,
    Query(query): Query<VersionQuery>,
) -> Result<Json<proto::DescribeKindReply>, ApiError> {
    let description = api.node.kinds().describe(&name, query.version.as_deref())?;
    Ok(Json(convert::description(description)))
}

async fn node_info(State(api): State<ApiContext>) -> Json<proto::NodeInfoReply> {
    Json(convert::node_info(&api.node))
}

async fn cluster_status(State(api): State<ApiContext>) -> Json<proto::ClusterStatusReply> {
    Json(convert::cluster_status(api.node.cluster_status().await))
}

async fn faults(State(api): State<ApiContext>) -> Json<Vec<crate::metrics::Fault>> {
    Json(api.node.recent_faults())
}

async fn not_found() -> ApiError {
    error(StatusCode::NOT_FOUND, "no such route: see the HTTP gateway in README.md")
}

/// The gateway's routes, served with `api`.
pub fn router(api: ApiContext) -> Router {
    let body_limit = api.node.config().max_module_bytes;
    Router::new()
        .route("/v1/grains", get(list_grains))
        .route("/v1/grains/{kind}/{identity}/{method}", post(call))
        .route("/v1/topics/{topic}/{key}", post(publish))
        .route("/v1/kinds", get(list_kinds))
        .route("/v1/kinds/{name}", put(push_kind).delete(remove_kind))
        .route("/v1/kinds/{name}/rollback", post(rollback_kind))
        .route("/v1/kinds/{name}/interface", get(describe_kind))
        .route("/v1/node", get(node_info))
        .route("/v1/cluster", get(cluster_status))
        .route("/v1/faults", get(faults))
        .merge(super::dashboard::routes())
        .merge(super::health::routes())
        .merge(super::metrics::routes())
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(api)
}

/// Serves the gateway on `listener` until `shutdown` completes; over TLS with `tls` when given.
pub async fn serve(
    api: ApiContext,
    listener: TcpListener,
    tls: Option<&PublicTls>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    match tls {
        Some(tls) => {
            let listener = TlsListener::new(listener, tls.acceptor()?);
            axum::serve(listener, router(api)).with_graceful_shutdown(shutdown).await?;
        }
        None => {
            let listener = listener.tap_io(|tcp| no_delay(tcp));
            axum::serve(listener, router(api)).with_graceful_shutdown(shutdown).await?;
        }
    }
    Ok(())
}
