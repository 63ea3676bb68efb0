//! The receiving side of remoting: requests from peers for grains this node owns, answered
//! in batches on the same stream; kinds announced by peers and modules fetched by hash; and
//! the cluster status across members.

use super::ApiContext;
use super::auth::Access;
use super::grpc::settings_update;
use super::proto::remote_reply::Outcome;
use super::proto::remote_server::Remote;
use super::proto::{self, RemoteReply, RemoteReplyBatch, RemoteRequest, RemoteRequestBatch};
use super::replicate;
use crate::activation::{Envelope, Origin};
use crate::cluster::wire::{grain_id, to_wire};
use crate::error::CallError;
use crate::ids::NodeId;
use std::pin::Pin;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::{Stream, StreamExt};
use tonic::{Request, Response, Status, Streaming};

/// The most replies put in one batch.
const MAX_BATCH: usize = 256;

type ReplyStream = Pin<Box<dyn Stream<Item = Result<RemoteReplyBatch, Status>> + Send>>;
type ModuleStream = Pin<Box<dyn Stream<Item = Result<proto::ModuleChunk, Status>> + Send>>;

#[tonic::async_trait]
impl Remote for ApiContext {
    type ExchangeStream = ReplyStream;
    type FetchModuleStream = ModuleStream;

    async fn exchange(
        &self,
        request: Request<Streaming<RemoteRequestBatch>>,
    ) -> Result<Response<Self::ExchangeStream>, Status> {
        let mut batches = request.into_inner();
        let (replies, outcomes) = mpsc::channel::<RemoteReply>(4096);
        let node = self.node.clone();
        tokio::spawn(async move {
            while let Some(Ok(batch)) = batches.next().await {
                for request in batch.requests {
                    tokio::spawn(answer(node.clone(), request, replies.clone()));
                }
            }
        });
        Ok(Response::new(Box::pin(batched(outcomes))))
    }

    async fn cluster_status(
        &self,
        _request: Request<proto::ClusterStatusRequest>,
    ) -> Result<Response<proto::ClusterStatusReply>, Status> {
        Ok(Response::new(super::cluster_status::gather(&self.node).await))
    }

    async fn announce_kind(
        &self,
        request: Request<proto::KindAnnouncement>,
    ) -> Result<Response<proto::KindAnnouncementReply>, Status> {
        self.authorize(Access::Admin, &request)?;
        let announcement = request.into_inner();
        let (bytes, fetched) = match self.node.kinds().module(&announcement.version) {
            Ok(bytes) => (bytes, false),
            Err(_) => {
                let source = NodeId(announcement.source.clone());
                let bytes = replicate::fetch_module(self, &source, &announcement.version).await.map_err(|e| {
                    Status::unavailable(format!("cannot fetch module {} from {source}: {e:#}", announcement.version))
                })?;
                (bytes, true)
            }
        };
        let pushed = self.node.push_kind(&announcement.name, bytes, settings_update(announcement.settings)).await?;
        tracing::info!(kind = announcement.name, version = pushed.kind.version(), fetched, "kind announced by a peer");
        Ok(Response::new(proto::KindAnnouncementReply { fetched }))
    }

    async fn fetch_module(
        &self,
        request: Request<proto::FetchModuleRequest>,
    ) -> Result<Response<Self::FetchModuleStream>, Status> {
        self.authorize(Access::Admin, &request)?;
        let version = request.into_inner().version;
        let bytes =
            self.node.kinds().module(&version).map_err(|e| Status::not_found(format!("no module {version:?}: {e}")))?;
        let chunks: Vec<Result<proto::ModuleChunk, Status>> =
            bytes.chunks(replicate::CHUNK).map(|data| Ok(proto::ModuleChunk { data: data.to_vec() })).collect();
        Ok(Response::new(Box::pin(tokio_stream::iter(chunks))))
    }
}

/// Runs one request against the local grain and queues its reply.
async fn answer(node: std::sync::Arc<crate::node::Node>, request: RemoteRequest, replies: mpsc::Sender<RemoteReply>) {
    let id = request.id;
    let outcome = run(&node, request).await;
    let outcome = match outcome {
        Ok(payload) => Outcome::Payload(payload),
        Err(error) => Outcome::Error(to_wire(&error)),
    };
    replies.send(RemoteReply { id, outcome: Some(outcome) }).await.ok();
}

async fn run(node: &crate::node::Node, request: RemoteRequest) -> Result<Vec<u8>, CallError> {
    let target = grain_id(request.grain.as_ref())?;
    let chain = request.chain.iter().map(|grain| grain_id(Some(grain))).collect::<Result<Vec<_>, _>>()?;
    let origin = Origin { chain, deadline: Instant::now() + Duration::from_millis(request.timeout_ms) };
    let router = node.router();
    if request.one_way {
        let envelope = Envelope { method: request.method, payload: request.payload, origin, reply: None };
        return router.deliver_from_peer(&target, envelope).await.map(|()| Vec::new());
    }
    let deadline = origin.deadline;
    let (reply, answer) = oneshot::channel();
    let envelope = Envelope { method: request.method, payload: request.payload, origin, reply: Some(reply) };
    router.deliver_from_peer(&target, envelope).await?;
    match tokio::time::timeout_at(deadline, answer).await {
        Ok(Ok(outcome)) => outcome,
        Ok(Err(_)) => Err(CallError::Unavailable(format!("{target} stopped before replying"))),
        Err(_) => Err(CallError::Timeout),
    }
}

/// Sends whatever replies are ready as one batch: one when idle, up to MAX_BATCH under load.
fn batched(mut outcomes: mpsc::Receiver<RemoteReply>) -> impl Stream<Item = Result<RemoteReplyBatch, Status>> {
    let (batches, stream) = mpsc::channel(16);
    tokio::spawn(async move {
        while let Some(first) = outcomes.recv().await {
            let mut replies = vec![first];
            while replies.len() < MAX_BATCH {
                match outcomes.try_recv() {
                    Ok(next) => replies.push(next),
                    Err(_) => break,
                }
            }
            if batches.send(Ok(RemoteReplyBatch { replies })).await.is_err() {
                return;
            }
        }
    });
    ReceiverStream::new(stream)
}
