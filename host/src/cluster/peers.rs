//! The sending side of remoting: one tonic bidirectional stream per peer, requests batched
//! under load and matched to their replies by id. A broken stream is replaced on the next
//! request. What it never sent fails as `NotHere` (safe to send again, to whoever owns the
//! grain then); what it sent but got no reply for fails as `Unavailable`, since the peer may
//! have run it: sending it again could apply a message twice.

use super::wire::{from_wire, grain_ref};
use crate::activation::Origin;
use crate::api::proto::remote_client::RemoteClient;
use crate::api::proto::remote_reply::Outcome;
use crate::api::proto::{RemoteReplyBatch, RemoteRequest, RemoteRequestBatch};
use crate::error::CallError;
use crate::ids::{GrainId, NodeId};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;

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

/// Links to every peer this node has sent to.
#[derive(Default)]
pub struct Peers {
    links: Mutex<HashMap<NodeId, Arc<Link>>>,
}

struct Link {
    outbox: mpsc::Sender<RemoteRequest>,
    waiting: Waiting,
    next_id: AtomicU64,
    /// Cancelled when the stream ends: what it still carried will get no reply.
    closed: CancellationToken,
}

impl Peers {
    /// Sends one message to the grain's owner `peer` and waits for its outcome until the
    /// deadline. `NotHere` when it was not delivered (the peer does not own the grain, or
    /// the request never left); `Unavailable` when the link broke after sending it.
    pub async fn request(
        &self,
        peer: &NodeId,
        grain: &GrainId,
        method: &str,
        payload: Vec<u8>,
        origin: &Origin,
        one_way: bool,
    ) -> Result<Vec<u8>, CallError> {
        let remaining = origin.deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(CallError::Timeout);
        }
        let link = self.link(peer);
        let id = link.next_id.fetch_add(1, Ordering::Relaxed);
        let (reply, outcome) = oneshot::channel();
        link.waiting.lock().unwrap_or_else(|p| p.into_inner()).insert(id, Pending { reply, sent: false });
        let request = RemoteRequest {
            id,
            grain: Some(grain_ref(grain)),
            method: method.to_string(),
            payload,
            timeout_ms: u64::try_from(remaining.as_millis()).unwrap_or(u64::MAX),
            chain: origin.chain.iter().map(grain_ref).collect(),
            one_way,
        };
        let sent = tokio::time::timeout_at(origin.deadline, link.outbox.send(request)).await;
        let forget = || link.waiting.lock().unwrap_or_else(|p| p.into_inner()).remove(&id);
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
        let broke = || CallError::Unavailable(format!("link to {peer} broke"));
        tokio::select! {
            biased;
            outcome = tokio::time::timeout_at(origin.deadline, outcome) => match outcome {
                Ok(Ok(outcome)) => outcome,
                Ok(Err(_dropped)) => Err(broke()),
                Err(_elapsed) => {
                    forget();
                    Err(CallError::Timeout)
                }
            },
            // The link ended without failing this request: it was queued after the link
            // stopped reading, so it never left.
            _ = link.closed.cancelled() => {
                forget();
                self.drop_link(peer, &link);
                Err(CallError::NotHere(format!("link to {peer} closed")))
            }
        }
    }

    /// Drops the link to a member that left or died, failing what it carried.
    pub fn forget(&self, peer: &NodeId) {
        if let Some(link) = self.links.lock().unwrap_or_else(|p| p.into_inner()).remove(peer) {
            fail_all(&link.waiting, &format!("{peer} left the cluster"));
        }
    }

    fn drop_link(&self, peer: &NodeId, link: &Arc<Link>) {
        let mut links = self.links.lock().unwrap_or_else(|p| p.into_inner());
        if links.get(peer).is_some_and(|current| Arc::ptr_eq(current, link)) {
            links.remove(peer);
        }
    }

    fn link(&self, peer: &NodeId) -> Arc<Link> {
        let mut links = self.links.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(link) = links.get(peer)
            && !link.closed.is_cancelled()
        {
            return Arc::clone(link);
        }
        let link = Arc::new(open(peer));
        links.insert(peer.clone(), Arc::clone(&link));
        link
    }
}

/// Opens the stream to `peer` in the background; requests queue until it is up.
fn open(peer: &NodeId) -> Link {
    let (outbox, requests) = mpsc::channel(OUTBOX_CAPACITY);
    let waiting: Waiting = Arc::default();
    let closed = CancellationToken::new();
    tokio::spawn(run_link(peer.clone(), requests, Arc::clone(&waiting), closed.clone()));
    Link { outbox, waiting, next_id: AtomicU64::new(1), closed }
}

async fn run_link(peer: NodeId, requests: mpsc::Receiver<RemoteRequest>, waiting: Waiting, closed: CancellationToken) {
    let why = match exchange(&peer, requests, &waiting, &closed).await {
        Ok(()) => format!("link to {peer} closed"),
        Err(e) => format!("link to {peer} failed: {e}"),
    };
    tracing::debug!("{why}");
    closed.cancel();
    fail_all(&waiting, &why);
}

async fn exchange(
    peer: &NodeId,
    mut requests: mpsc::Receiver<RemoteRequest>,
    waiting: &Waiting,
    closed: &CancellationToken,
) -> anyhow::Result<()> {
    let endpoint = tonic::transport::Endpoint::from_shared(format!("http://{peer}"))?
        .connect_timeout(Duration::from_secs(2))
        .tcp_nodelay(true)
        .http2_keep_alive_interval(Duration::from_secs(5))
        .keep_alive_timeout(Duration::from_secs(5));
    let mut client = RemoteClient::new(endpoint.connect().await?)
        .max_decoding_message_size(usize::MAX)
        .max_encoding_message_size(usize::MAX);
    let (batches, outgoing) = mpsc::channel::<RemoteRequestBatch>(16);
    // Batches whatever is queued: one request when idle, up to MAX_BATCH under load.
    let stop_batching = closed.clone();
    let marking = Arc::clone(waiting);
    let batcher = async move {
        while let Some(first) = tokio::select! {
            next = requests.recv() => next,
            _ = stop_batching.cancelled() => None,
        } {
            let mut batch = vec![first];
            while batch.len() < MAX_BATCH {
                match requests.try_recv() {
                    Ok(next) => batch.push(next),
                    Err(_) => break,
                }
            }
            {
                let mut waiting = marking.lock().unwrap_or_else(|p| p.into_inner());
                for request in &batch {
                    if let Some(pending) = waiting.get_mut(&request.id) {
                        pending.sent = true;
                    }
                }
            }
            if batches.send(RemoteRequestBatch { requests: batch }).await.is_err() {
                return;
            }
        }
    };
    tokio::spawn(batcher);
    let mut replies = client.exchange(ReceiverStream::new(outgoing)).await?.into_inner();
    while let Some(batch) = replies.next().await {
        let RemoteReplyBatch { replies } = batch?;
        let mut waiting = waiting.lock().unwrap_or_else(|p| p.into_inner());
        for reply in replies {
            let Some(Pending { reply: sender, .. }) = waiting.remove(&reply.id) else { continue };
            let outcome = match reply.outcome {
                Some(Outcome::Payload(bytes)) => Ok(bytes),
                Some(Outcome::Error(error)) => Err(from_wire(error)),
                None => Err(CallError::Unavailable("empty reply from peer".into())),
            };
            sender.send(outcome).ok();
        }
    }
    Ok(())
}

fn fail_all(waiting: &Waiting, why: &str) {
    for (_, pending) in waiting.lock().unwrap_or_else(|p| p.into_inner()).drain() {
        let error = if pending.sent {
            CallError::Unavailable(format!("{why}; the request may have run"))
        } else {
            CallError::NotHere(why.to_string())
        };
        pending.reply.send(Err(error)).ok();
    }
}
