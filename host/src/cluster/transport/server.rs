//! The receiving side of the tonic transport: the `granary.cluster.v1.Peer` service on the peer
//! port. Requests for grains are answered in batches on the same stream; every stream ends
//! when the transport stops, so no peer can hold a stopping node open.

use super::auth::PeerSecurity;
use super::wire::{from_announcement, from_request, to_error};
use super::{Inbound, answer};
use crate::proto::cluster::peer_server::{Peer, PeerServer};
use crate::proto::cluster::reply::Outcome;
use crate::proto::cluster::{self as wire, Reply, ReplyBatch, RequestBatch};
use std::pin::Pin;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_stream::{Stream, StreamExt};
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tonic::transport::server::TcpIncoming;
use tonic::{Request, Response, Status, Streaming};

/// The most replies put in one batch.
const MAX_BATCH: usize = 256;
/// Module bytes go to peers in chunks of this size.
const CHUNK: usize = 256 * 1024;

type ReplyStream = Pin<Box<dyn Stream<Item = Result<ReplyBatch, Status>> + Send>>;
type ModuleStream = Pin<Box<dyn Stream<Item = Result<wire::ModuleChunk, Status>> + Send>>;

/// The peer service of one member.
struct PeerService {
    inbound: Arc<dyn Inbound>,
    security: PeerSecurity,
    tasks: TaskTracker,
    stop: CancellationToken,
}

impl PeerService {
    /// Refuses a request without the cluster secret, when there is one.
    #[allow(clippy::result_large_err)]
    fn check<T>(&self, request: &Request<T>) -> Result<(), Status> {
        self.security.check(request.metadata())
    }
}

/// Serves the peer service on `listener` until `stop`, with `security` required of every
/// caller; the server and every task it starts are spawned on `tasks`.
pub fn spawn(
    listener: TcpListener,
    security: &PeerSecurity,
    inbound: Arc<dyn Inbound>,
    tasks: &TaskTracker,
    stop: &CancellationToken,
) -> anyhow::Result<()> {
    let service = PeerService { inbound, security: security.clone(), tasks: tasks.clone(), stop: stop.clone() };
    let peer = PeerServer::new(service).max_decoding_message_size(usize::MAX).max_encoding_message_size(usize::MAX);
    let mut server = tonic::transport::Server::builder();
    if let Some(tls) = security.server_tls() {
        server = server.tls_config(tls)?;
    }
    let router = server.add_service(peer);
    // Replies are small frames written one after another: Nagle would hold them for an ACK.
    let incoming = TcpIncoming::from(listener).with_nodelay(Some(true));
    let stopped = stop.clone().cancelled_owned();
    tasks.spawn(async move {
        if let Err(e) = router.serve_with_incoming_shutdown(incoming, stopped).await {
            tracing::error!("the peer port failed: {e}");
        }
    });
    Ok(())
}

#[tonic::async_trait]
impl Peer for PeerService {
    type ExchangeStream = ReplyStream;
    type FetchModuleStream = ModuleStream;

    async fn hello(&self, request: Request<wire::HelloRequest>) -> Result<Response<wire::HelloReply>, Status> {
        let name = self.inbound.member().0;
        let proof = self.security.prove(&request.into_inner().challenge, &name);
        Ok(Response::new(wire::HelloReply { name, proof }))
    }

    async fn exchange(&self, request: Request<Streaming<RequestBatch>>) -> Result<Response<ReplyStream>, Status> {
        self.check(&request)?;
        let mut batches = request.into_inner();
        let (replies, outcomes) = mpsc::channel::<Reply>(4096);
        let (inbound, tasks, stop) = (Arc::clone(&self.inbound), self.tasks.clone(), self.stop.clone());
        self.tasks.spawn(async move {
            loop {
                let batch = tokio::select! {
                    batch = batches.next() => batch,
                    () = stop.cancelled() => None,
                };
                let Some(Ok(batch)) = batch else { break };
                for request in batch.requests {
                    tasks.spawn(answer_one(Arc::clone(&inbound), request, replies.clone()));
                }
            }
        });
        Ok(Response::new(Box::pin(batched(outcomes, &self.tasks, self.stop.clone()))))
    }

    async fn announce_kind(
        &self,
        request: Request<wire::KindAnnouncement>,
    ) -> Result<Response<wire::KindAnnouncementReply>, Status> {
        self.check(&request)?;
        let announcement =
            from_announcement(request.into_inner()).map_err(|e| Status::invalid_argument(format!("{e:#}")))?;
        let fetched =
            self.inbound.announce_kind(announcement).await.map_err(|e| Status::unavailable(format!("{e:#}")))?;
        Ok(Response::new(wire::KindAnnouncementReply { fetched }))
    }

    async fn fetch_module(&self, request: Request<wire::FetchModuleRequest>) -> Result<Response<ModuleStream>, Status> {
        self.check(&request)?;
        let version = request.into_inner().version;
        let bytes = version
            .parse()
            .ok()
            .and_then(|version| self.inbound.module(&version))
            .ok_or_else(|| Status::not_found(format!("no module {version:?}")))?;
        let chunks: Vec<Result<wire::ModuleChunk, Status>> =
            bytes.chunks(CHUNK).map(|data| Ok(wire::ModuleChunk { data: data.to_vec() })).collect();
        Ok(Response::new(Box::pin(tokio_stream::iter(chunks))))
    }

    async fn remove_kind(
        &self,
        request: Request<wire::RemoveKindRequest>,
    ) -> Result<Response<wire::RemoveKindReply>, Status> {
        self.check(&request)?;
        let name = request.into_inner().name.parse().map_err(|e| Status::invalid_argument(format!("{e}")))?;
        self.inbound.remove_kind(&name).await.map_err(|e| Status::failed_precondition(format!("{e:#}")))?;
        Ok(Response::new(wire::RemoveKindReply {}))
    }

    async fn grain_counts(
        &self,
        request: Request<wire::GrainCountsRequest>,
    ) -> Result<Response<wire::GrainCountsReply>, Status> {
        self.check(&request)?;
        Ok(Response::new(wire::GrainCountsReply { grains_per_kind: self.inbound.grain_counts() }))
    }

    async fn catalog(&self, request: Request<wire::CatalogRequest>) -> Result<Response<wire::CatalogReply>, Status> {
        self.check(&request)?;
        let versions =
            self.inbound.catalog().into_iter().map(|(name, version)| (name.to_string(), version.to_string())).collect();
        Ok(Response::new(wire::CatalogReply { versions }))
    }
}

/// Runs one request against the local grain and queues its reply.
async fn answer_one(inbound: Arc<dyn Inbound>, request: wire::Request, replies: mpsc::Sender<Reply>) {
    let id = request.id;
    let outcome = match from_request(request) {
        Ok(request) => answer(inbound.as_ref(), request).await,
        Err(invalid) => Err(invalid),
    };
    let outcome = match outcome {
        Ok(payload) => Outcome::Payload(payload),
        Err(error) => Outcome::Error(to_error(&error)),
    };
    replies.send(Reply { id, outcome: Some(outcome) }).await.ok();
}

/// Sends whatever replies are ready as one batch: one when idle, up to MAX_BATCH under load.
/// Ends when the transport stops, even if the peer keeps its side open.
fn batched(
    mut outcomes: mpsc::Receiver<Reply>,
    tasks: &TaskTracker,
    stop: CancellationToken,
) -> impl Stream<Item = Result<ReplyBatch, Status>> + use<> {
    let (batches, stream) = mpsc::channel(16);
    tasks.spawn(async move {
        loop {
            let first = tokio::select! {
                first = outcomes.recv() => first,
                () = stop.cancelled() => None,
            };
            let Some(first) = first else { return };
            let mut replies = vec![first];
            while replies.len() < MAX_BATCH {
                match outcomes.try_recv() {
                    Ok(next) => replies.push(next),
                    Err(_) => break,
                }
            }
            if batches.send(Ok(ReplyBatch { replies })).await.is_err() {
                return;
            }
        }
    });
    ReceiverStream::new(stream)
}
