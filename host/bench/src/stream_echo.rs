//! The like-for-like floor of P3: a raw tonic bidirectional stream of echoes, requests batched
//! whatever is queued (up to 256) and replies matched by id, as Granary's peer link does it,
//! with no grain, no routing and no node behind it.

use super::echo::{EchoBatch, EchoClient, Echoed};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::{mpsc, oneshot};
use tokio_stream::StreamExt;
use tokio_stream::wrappers::ReceiverStream;

const MAX_BATCH: usize = 256;

type Waiting = Arc<Mutex<HashMap<u64, oneshot::Sender<Vec<u8>>>>>;

/// One open echo stream, shared by every caller.
pub struct StreamEcho {
    outbox: mpsc::Sender<Echoed>,
    waiting: Waiting,
    next: AtomicU64,
}

impl StreamEcho {
    /// Opens the stream on `client`.
    pub async fn open(mut client: EchoClient) -> anyhow::Result<StreamEcho> {
        let (outbox, mut requests) = mpsc::channel::<Echoed>(4096);
        let (batches, outgoing) = mpsc::channel::<EchoBatch>(16);
        tokio::spawn(async move {
            while let Some(first) = requests.recv().await {
                let mut messages = vec![first];
                while messages.len() < MAX_BATCH {
                    match requests.try_recv() {
                        Ok(next) => messages.push(next),
                        Err(_) => break,
                    }
                }
                if batches.send(EchoBatch { messages }).await.is_err() {
                    return;
                }
            }
        });
        let mut replies = client.stream(ReceiverStream::new(outgoing)).await?.into_inner();
        let waiting: Waiting = Arc::default();
        let matching = Arc::clone(&waiting);
        tokio::spawn(async move {
            while let Some(Ok(batch)) = replies.next().await {
                let mut waiting = matching.lock().unwrap_or_else(|p| p.into_inner());
                for message in batch.messages {
                    if let Some(reply) = waiting.remove(&message.id) {
                        reply.send(message.payload).ok();
                    }
                }
            }
        });
        Ok(StreamEcho { outbox, waiting, next: AtomicU64::new(1) })
    }

    /// Echoes `payload` over the stream.
    pub async fn echo(&self, payload: &[u8]) -> anyhow::Result<Vec<u8>> {
        let id = self.next.fetch_add(1, Ordering::Relaxed);
        let (reply, echoed) = oneshot::channel();
        self.waiting.lock().unwrap_or_else(|p| p.into_inner()).insert(id, reply);
        self.outbox
            .send(Echoed { id, payload: payload.to_vec() })
            .await
            .map_err(|_| anyhow::anyhow!("stream closed"))?;
        Ok(echoed.await?)
    }
}
