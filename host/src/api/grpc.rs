//! The public gRPC services (`Grains`, `Kinds`, `Node`, and reflection of those alone) and the
//! server that hosts them, over TLS when the node has a certificate.

use super::ApiContext;
use super::auth::Access;
use super::convert;
use super::status::request_timeout;
use super::tls::PublicTls;
use super::watch::{self, ClusterEvents};
use crate::config::{KindSettingsUpdate, Subscription};
use crate::error::CallError;
use crate::ids::GrainId;
use crate::proto::api::grains_server::{Grains, GrainsServer};
use crate::proto::api::kinds_server::{Kinds, KindsServer};
use crate::proto::api::node_server::{Node as NodeApi, NodeServer};
use crate::proto::api::{self as proto, push_kind_chunk::Part};
use crate::telemetry::{TRACEPARENT, TraceParent};
use std::future::Future;
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tonic::transport::ServerTlsConfig;
use tonic::{Request, Response, Status, Streaming};

impl ApiContext {
    pub(super) fn authorize<T>(&self, access: Access, request: &Request<T>) -> Result<(), Status> {
        let header = request.metadata().get("authorization").and_then(|value| value.to_str().ok());
        Ok(self.tokens.check(access, header)?)
    }
}

fn grain_id(grain: Option<proto::GrainRef>) -> Result<GrainId, Status> {
    let grain = grain.ok_or_else(|| Status::invalid_argument("request names no grain"))?;
    GrainId::new(grain.kind, grain.identity).map_err(|e| CallError::InvalidRequest(e.to_string()).into())
}

fn nonzero_millis(ms: u64) -> Option<Duration> {
    (ms > 0).then(|| Duration::from_millis(ms))
}

/// Settings from a push; zero fields keep the current values. A subscription that does not
/// read is refused.
fn settings_update(settings: Option<proto::KindSettings>) -> Result<KindSettingsUpdate, Status> {
    let settings = settings.unwrap_or_default();
    let subscribe = settings
        .subscribe
        .map(|topics| topics.topics.iter().map(|topic| Subscription::parse(topic)).collect())
        .transpose()
        .map_err(Status::invalid_argument)?;
    Ok(KindSettingsUpdate {
        idle_timeout: nonzero_millis(settings.idle_timeout_ms),
        max_memory: (settings.max_memory_bytes > 0).then_some(settings.max_memory_bytes),
        time_limit: nonzero_millis(settings.time_limit_ms),
        roles: settings.roles.map(|roles| roles.names.into_iter().collect()),
        max_live: settings.max_live,
        max_state: (settings.max_state_bytes > 0).then_some(settings.max_state_bytes),
        allow_http: settings.allow_http.map(|hosts| hosts.hosts.into_iter().collect()),
        subscribe,
        force: false,
    })
}

/// The caller's W3C trace context, from the `traceparent` metadata (ignored when malformed).
fn trace_parent<T>(request: &Request<T>) -> Option<TraceParent> {
    request.metadata().get(TRACEPARENT).and_then(|value| value.to_str().ok()).and_then(TraceParent::parse)
}

#[tonic::async_trait]
impl Grains for ApiContext {
    async fn call(&self, request: Request<proto::CallRequest>) -> Result<Response<proto::CallReply>, Status> {
        self.authorize(Access::Call, &request)?;
        let (timeout, trace) = (request_timeout(&request), trace_parent(&request));
        let proto::CallRequest { grain, method, payload } = request.into_inner();
        let payload = self.node.call_in_trace(&grain_id(grain)?, &method, payload, timeout, trace).await?;
        Ok(Response::new(proto::CallReply { payload }))
    }

    async fn send(&self, request: Request<proto::SendRequest>) -> Result<Response<proto::SendReply>, Status> {
        self.authorize(Access::Call, &request)?;
        let (timeout, trace) = (request_timeout(&request), trace_parent(&request));
        let proto::SendRequest { grain, method, payload } = request.into_inner();
        self.node.send_in_trace(&grain_id(grain)?, &method, payload, timeout, trace).await?;
        Ok(Response::new(proto::SendReply {}))
    }

    async fn list_grains(
        &self,
        request: Request<proto::ListGrainsRequest>,
    ) -> Result<Response<proto::ListGrainsReply>, Status> {
        let kind = request.into_inner().kind;
        let grains = self
            .node
            .grains()
            .iter()
            .filter(|listing| kind.is_empty() || *listing.grain.kind() == *kind)
            .map(|listing| convert::grain(&self.node, listing))
            .collect();
        Ok(Response::new(proto::ListGrainsReply { grains }))
    }

    async fn publish(&self, request: Request<proto::PublishRequest>) -> Result<Response<proto::PublishReply>, Status> {
        self.authorize(Access::Call, &request)?;
        let proto::PublishRequest { topic, key, payload } = request.into_inner();
        let sequence = self.node.publish(&topic, &key, payload).await?;
        Ok(Response::new(proto::PublishReply { sequence }))
    }

    async fn list_reminders(
        &self,
        request: Request<proto::ListRemindersRequest>,
    ) -> Result<Response<proto::ListRemindersReply>, Status> {
        self.authorize(Access::Call, &request)?;
        let grain = grain_id(request.into_inner().grain)?;
        let listed = self.node.reminders_of(&grain).await.map_err(Status::unavailable)?;
        let reminders = listed
            .into_iter()
            .map(|reminder| proto::ReminderInfo {
                name: reminder.name,
                due_unix_ms: reminder.due_ms,
                period_ms: reminder.period_ms,
                next_tick: reminder.tick,
            })
            .collect();
        Ok(Response::new(proto::ListRemindersReply { reminders }))
    }
}

#[tonic::async_trait]
impl Kinds for ApiContext {
    async fn push_kind(
        &self,
        request: Request<Streaming<proto::PushKindChunk>>,
    ) -> Result<Response<proto::PushKindReply>, Status> {
        self.authorize(Access::Admin, &request)?;
        let limit = self.node.config().max_module_bytes;
        let mut chunks = request.into_inner();
        let header = match chunks.message().await? {
            Some(proto::PushKindChunk { part: Some(Part::Header(header)) }) => header,
            _ => return Err(Status::invalid_argument("a push starts with a header naming the kind")),
        };
        let update = KindSettingsUpdate { force: header.force, ..settings_update(header.settings)? };
        if header.total_bytes > limit as u64 {
            return Err(Status::resource_exhausted(format!(
                "module is {} bytes, over the limit of {limit}",
                header.total_bytes
            )));
        }
        let mut bytes = Vec::with_capacity(usize::try_from(header.total_bytes).unwrap_or(0).min(limit));
        while let Some(chunk) = chunks.message().await? {
            let Some(Part::Data(data)) = chunk.part else {
                return Err(Status::invalid_argument("only module bytes may follow the header"));
            };
            if bytes.len() + data.len() > limit {
                return Err(Status::resource_exhausted(format!("module is over the limit of {limit} bytes")));
            }
            bytes.extend_from_slice(&data);
        }
        if header.total_bytes != 0 && header.total_bytes != bytes.len() as u64 {
            return Err(Status::invalid_argument(format!(
                "upload incomplete: header announced {} bytes, received {}",
                header.total_bytes,
                bytes.len()
            )));
        }
        let started = Instant::now();
        let pushed = self.node.push_kind(&header.name, bytes, update).await?;
        let compile_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        tracing::info!(
            kind = header.name,
            version = pushed.kind.version().short(),
            unchanged = pushed.unchanged,
            compile_ms,
            "kind pushed"
        );
        let kind = convert::kind_named(&self.node, &header.name);
        Ok(Response::new(proto::PushKindReply { kind, unchanged: pushed.unchanged, compile_ms }))
    }

    async fn list_kinds(
        &self,
        _request: Request<proto::ListKindsRequest>,
    ) -> Result<Response<proto::ListKindsReply>, Status> {
        let active = convert::active_per_kind(&self.node);
        let kinds = self.node.kinds().list().iter().map(|info| convert::kind(info, &active)).collect();
        Ok(Response::new(proto::ListKindsReply { kinds }))
    }

    async fn remove_kind(
        &self,
        request: Request<proto::RemoveKindRequest>,
    ) -> Result<Response<proto::RemoveKindReply>, Status> {
        self.authorize(Access::Admin, &request)?;
        let name = request.into_inner().name;
        self.node.remove_kind(&name)?;
        tracing::info!(kind = name, "kind removed");
        Ok(Response::new(proto::RemoveKindReply {}))
    }

    async fn rollback_kind(
        &self,
        request: Request<proto::RollbackKindRequest>,
    ) -> Result<Response<proto::RollbackKindReply>, Status> {
        self.authorize(Access::Admin, &request)?;
        let name = request.into_inner().name;
        let kind = self.node.rollback_kind(&name).await?;
        tracing::info!(kind = name, version = kind.version().short(), "kind rolled back");
        Ok(Response::new(proto::RollbackKindReply { kind: convert::kind_named(&self.node, &name) }))
    }

    async fn describe_kind(
        &self,
        request: Request<proto::DescribeKindRequest>,
    ) -> Result<Response<proto::DescribeKindReply>, Status> {
        let request = request.into_inner();
        let version = Some(request.version.as_str()).filter(|version| !version.is_empty());
        let description = self.node.kinds().describe(&request.name, version)?;
        Ok(Response::new(convert::description(description)))
    }
}

#[tonic::async_trait]
impl NodeApi for ApiContext {
    async fn node_info(
        &self,
        _request: Request<proto::NodeInfoRequest>,
    ) -> Result<Response<proto::NodeInfoReply>, Status> {
        Ok(Response::new(convert::node_info(&self.node)))
    }

    async fn cluster_status(
        &self,
        _request: Request<proto::ClusterStatusRequest>,
    ) -> Result<Response<proto::ClusterStatusReply>, Status> {
        Ok(Response::new(convert::cluster_status(self.node.cluster_status().await)))
    }

    type WatchClusterStream = ClusterEvents;

    async fn watch_cluster(
        &self,
        _request: Request<proto::WatchClusterRequest>,
    ) -> Result<Response<ClusterEvents>, Status> {
        Ok(Response::new(watch::watch(&self.node)))
    }
}

/// Serves the public gRPC API on `listener` until `shutdown` completes; over TLS with `tls`
/// when given.
pub async fn serve(
    context: ApiContext,
    listener: TcpListener,
    tls: Option<&PublicTls>,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    // Both versions of reflection: v1alpha is what grpcio-reflection, older grpcurl builds
    // and several GUI clients speak.
    let reflection =
        || tonic_reflection::server::Builder::configure().register_encoded_file_descriptor_set(proto::DESCRIPTOR_SET);
    let (reflection_v1, reflection_v1alpha) = (reflection().build_v1()?, reflection().build_v1alpha()?);
    let incoming = tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true));
    let mut server = tonic::transport::Server::builder();
    if let Some(tls) = tls {
        server = server.tls_config(ServerTlsConfig::new().identity(tls.identity()))?;
    }
    server
        .add_service(GrainsServer::new(context.clone()))
        .add_service(KindsServer::new(context.clone()))
        .add_service(NodeServer::new(context))
        .add_service(reflection_v1)
        .add_service(reflection_v1alpha)
        .serve_with_incoming_shutdown(incoming, shutdown)
        .await?;
    Ok(())
}
