//! The `granary.v1.Grains` gRPC service and the server that hosts it.

use super::proto::grains_server::{Grains, GrainsServer};
use super::proto::{CallReply, CallRequest, GrainRef, SendReply, SendRequest};
use super::status::request_timeout;
use crate::error::CallError;
use crate::ids::GrainId;
use crate::node::Node;
use std::future::Future;
use std::sync::Arc;
use tokio::net::TcpListener;
use tonic::{Request, Response, Status};

pub struct GrainsService {
    node: Arc<Node>,
}

fn grain_id(grain: Option<GrainRef>) -> Result<GrainId, Status> {
    let grain = grain.ok_or_else(|| Status::invalid_argument("request names no grain"))?;
    GrainId::new(grain.kind, grain.identity)
        .map_err(|e| CallError::InvalidRequest(e.to_string()).into())
}

#[tonic::async_trait]
impl Grains for GrainsService {
    async fn call(&self, request: Request<CallRequest>) -> Result<Response<CallReply>, Status> {
        let timeout = request_timeout(&request);
        let CallRequest {
            grain,
            method,
            payload,
        } = request.into_inner();
        let grain = grain_id(grain)?;
        let payload = self.node.call(&grain, &method, payload, timeout).await?;
        Ok(Response::new(CallReply { payload }))
    }

    async fn send(&self, request: Request<SendRequest>) -> Result<Response<SendReply>, Status> {
        let timeout = request_timeout(&request);
        let SendRequest {
            grain,
            method,
            payload,
        } = request.into_inner();
        let grain = grain_id(grain)?;
        self.node.send(&grain, &method, payload, timeout).await?;
        Ok(Response::new(SendReply {}))
    }
}

/// Serves the API on `listener` until `shutdown` completes.
pub async fn serve(
    node: Arc<Node>,
    listener: TcpListener,
    shutdown: impl Future<Output = ()>,
) -> anyhow::Result<()> {
    let incoming = tokio_stream::wrappers::TcpListenerStream::new(listener);
    tonic::transport::Server::builder()
        .add_service(GrainsServer::new(GrainsService { node }))
        .serve_with_incoming_shutdown(incoming, shutdown)
        .await?;
    Ok(())
}
