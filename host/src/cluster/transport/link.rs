//! The sending side of the tonic transport: one bidirectional `Exchange` stream per peer,
//! requests batched under load and matched to their replies by id. A broken stream is replaced
//! on the next request. What it never sent fails as `NotHere` (safe to send again, to whoever
//! owns the grain then); what it sent but got no reply for fails as `MayHaveRun`, since the
//! peer may have run it: sending it again could apply a message twice.

use super::PeerRequest;
use super::auth::PeerSecurity;
use super::wire::{from_error, to_request};
use crate::error::CallError;
use crate::proto::cluster::peer_client::PeerClient;
use crate::proto::cluster::reply::Outcome;
use crate::proto::cluster::{ReplyBatch, Request, RequestBatch};
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;
use tonic::transport::{Channel, Endpoint};

/// The most requests put in one batch.
const MAX_BATCH: usize = 256;
/// Requests queued for one peer before senders wait (back-pressure).
const OUTBOX_CAPACITY: usize = 4096;

/// A request waiting for its reply, and whether it has left this node.
struct Pending {
    reply: oneshot::Sender<Result<Vec<u8>, CallError>>,
    sent: bool,
}

type Waiting = Arc<Mutex<HashMap<u64, Pending>>>;

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// How to reach a peer's port: TLS when the node has it, keep-alives either way.
pub fn endpoint(peer: SocketAddr, security: &PeerSecurity) -> anyhow::Result<Endpoint> {
    let scheme = if security.uses_tls() { "https" } else { "http" };
    let mut endpoint = Endpoint::from_shared(format!("{scheme}://{peer}"))?
        .connect_timeout(Duration::from_secs(2))
        .tcp_nodelay(true)
        .http2_keep_alive_interval(Duration::from_secs(5))
        .keep_alive_timeout(Duration::from_secs(5));
    if let Some(tls) = security.client_tls() {
        endpoint = endpoint.tls_config(tls)?;
    }
    Ok(endpoint)
}

/// A client of a peer's `Peer` service on `channel`, sending the cluster secret if there is one.
pub fn client(
    channel: Channel,
    security: &PeerSecurity,
) -> PeerClient<tonic::service::interceptor::InterceptedService<Channel, impl tonic::service::Interceptor + use<>>> {
    let security = security.clone();
    PeerClient::with_interceptor(channel, move |mut request: tonic::Request<()>| {
        security.attach(&mut request);
        Ok(request)
    })
    .max_decoding_message_size(usize::MAX)
    .max_encoding_message_size(usize::MAX)
}

/// The open streams to every peer this node has sent to.
pub struct Links {
    links: Mutex<HashMap<SocketAddr, Arc<Link>>>,
    security: PeerSecurity,
    tasks: TaskTracker,
    stop: CancellationToken,
}

struct Link {
    outbox: mpsc::Sender<Request>,
    waiting: Waiting,
    next_id: AtomicU64,
    /// Cancelled when the stream ends: what it still carried will get no reply.
    closed: CancellationToken,
}

impl Links {
    /// Links that authenticate with `security`, their tasks spawned on `tasks` and ended by `stop`.
    pub fn new(security: PeerSecurity, tasks: TaskTracker, stop: CancellationToken) -> Self {
        Links { links: Mutex::default(), security, tasks, stop }
    }

    /// Sends `request` to `peer` and waits for its outcome until the deadline.
    pub async fn request(&self, peer: SocketAddr, request: PeerRequest) -> Result<Vec<u8>, CallError> {
        let deadline = request.origin.deadline;
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(CallError::Timeout);
        }
        if self.stop.is_cancelled() {
            return Err(CallError::NotHere("this node is shutting down its links".into()));
        }
        let link = self.link(peer);
        let id = link.next_id.fetch_add(1, Ordering::Relaxed);
        let (reply, outcome) = oneshot::channel();
        lock(&link.waiting).insert(id, Pending { reply, sent: false });
        let sent = tokio::time::timeout_at(deadline, link.outbox.send(to_request(id, request, remaining))).await;
        let forget = || lock(&link.waiting).remove(&id);
        match sent {
            Ok(Ok(())) => {}
            Ok(Err(_closed)) => {
                forget();
                self.drop_link(peer, &link);
                return Err(CallError::NotHere(format!("link to {peer} closed")));
            }
            Err(_elapsed) => {
                forget();
                return Err(CallError::Timeout);
            }
        }
        let broke = || CallError::MayHaveRun(format!("link to {peer} broke"));
        let mut outcome = std::pin::pin!(tokio::time::timeout_at(deadline, outcome));
        tokio::select! {
            biased;
            outcome = &mut outcome => match outcome {
                Ok(Ok(outcome)) => outcome,
                Ok(Err(_dropped)) => Err(broke()),
                Err(_elapsed) => {
                    forget();
                    Err(CallError::Timeout)
                }
            },
            _ = link.closed.cancelled() => {
                self.drop_link(peer, &link);
                match forget() {
                    // The link ended before the batcher sent it: it never left.
                    Some(Pending { sent: false, .. }) => Err(CallError::NotHere(format!("link to {peer} closed"))),
                    Some(Pending { sent: true, .. }) => Err(broke()),
                    // The link's end already answered it.
                    None => match outcome.await {
                        Ok(Ok(outcome)) => outcome,
                        Ok(Err(_dropped)) => Err(broke()),
                        Err(_elapsed) => Err(CallError::Timeout),
                    },
                }
            }
        }
    }

    /// Drops the link to a member that left or died, failing what it carried.
    pub fn forget(&self, peer: SocketAddr) {
        if let Some(link) = lock(&self.links).remove(&peer) {
            fail_all(&link.waiting, &format!("{peer} left the cluster"));
            link.closed.cancel();
        }
    }

    /// Closes every link; their tasks end with the transport's stop token.
    pub fn close_all(&self) {
        let links: Vec<(SocketAddr, Arc<Link>)> = lock(&self.links).drain().collect();
        for (peer, link) in links {
            fail_all(&link.waiting, &format!("link to {peer} closed: this node is stopping"));
            link.closed.cancel();
        }
    }

    fn drop_link(&self, peer: SocketAddr, link: &Arc<Link>) {
        let mut links = lock(&self.links);
        if links.get(&peer).is_some_and(|current| Arc::ptr_eq(current, link)) {
            links.remove(&peer);
        }
    }

    fn link(&self, peer: SocketAddr) -> Arc<Link> {
        let mut links = lock(&self.links);
        if let Some(link) = links.get(&peer)
            && !link.closed.is_cancelled()
        {
            return Arc::clone(link);
        }
        let link = Arc::new(self.open(peer));
        links.insert(peer, Arc::clone(&link));
        link
    }

    /// Opens the stream to `peer` in the background; requests queue until it is up.
    fn open(&self, peer: SocketAddr) -> Link {
        let (outbox, requests) = mpsc::channel(OUTBOX_CAPACITY);
        let waiting: Waiting = Arc::default();
        // Ends with the link (broken, forgotten) or with the transport.
        let closed = self.stop.child_token();
        let run =
            run_link(peer, self.security.clone(), requests, Arc::clone(&waiting), closed.clone(), self.tasks.clone());
        self.tasks.spawn(run);
        Link { outbox, waiting, next_id: AtomicU64::new(1), closed }
    }
}

async fn run_link(
    peer: SocketAddr,
    security: PeerSecurity,
    requests: mpsc::Receiver<Request>,
    waiting: Waiting,
    closed: CancellationToken,
    tasks: TaskTracker,
) {
    let exchanged = tokio::select! {
        exchanged = exchange(peer, &security, requests, &waiting, &closed, &tasks) => exchanged,
        () = closed.cancelled() => Ok(()),
    };
    let why = match exchanged {
        Ok(()) => format!("link to {peer} closed"),
        Err(e) => format!("link to {peer} failed: {e:#}"),
    };
    tracing::debug!("{why}");
    fail_all(&waiting, &why);
    closed.cancel();
}

async fn exchange(
    peer: SocketAddr,
    security: &PeerSecurity,
    mut requests: mpsc::Receiver<Request>,
    waiting: &Waiting,
    closed: &CancellationToken,
    tasks: &TaskTracker,
) -> anyhow::Result<()> {
    let mut client = client(endpoint(peer, security)?.connect().await?, security);
    let (batches, outgoing) = mpsc::channel::<RequestBatch>(16);
    // Batches whatever is queued: one request when idle, up to MAX_BATCH under load.
    let stop_batching = closed.clone();
    let marking = Arc::clone(waiting);
    tasks.spawn(async move {
        while let Some(first) = tokio::select! {
            next = requests.recv() => next,
            () = stop_batching.cancelled() => None,
        } {
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match requests.try_recv() {
                    Ok(next) => batch.push(next),
                    Err(_) => break,
                }
            }
            {
                let mut waiting = lock(&marking);
                for request in &batch {
                    if let Some(pending) = waiting.get_mut(&request.id) {
                        pending.sent = true;
                    }
                }
            }
            if batches.send(RequestBatch { requests: batch }).await.is_err() {
                return;
            }
        }
    });
    let mut replies = client.exchange(ReceiverStream::new(outgoing)).await?.into_inner();
    while let Some(batch) = replies.next().await {
        let ReplyBatch { replies } = batch?;
        let mut waiting = lock(waiting);
        for reply in replies {
            let Some(Pending { reply: sender, .. }) = waiting.remove(&reply.id) else { continue };
            let outcome = match reply.outcome {
                Some(Outcome::Payload(bytes)) => Ok(bytes),
                Some(Outcome::Error(error)) => Err(from_error(error)),
                None => Err(CallError::MayHaveRun("empty reply from peer".into())),
            };
            sender.send(outcome).ok();
        }
    }
    Ok(())
}

fn fail_all(waiting: &Waiting, why: &str) {
    for (_, pending) in lock(waiting).drain() {
        let error = if pending.sent {
            CallError::MayHaveRun(format!("{why} after the request was sent"))
        } else {
            CallError::NotHere(why.to_string())
        };
        pending.reply.send(Err(error)).ok();
    }
}
