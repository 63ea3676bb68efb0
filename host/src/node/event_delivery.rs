//! The node's event loop: finds the streams with queued events (a subscribed kind's events of
//! one topic and key), and for each whose key's grain this node owns, delivers the events one
//! at a time in sequence order to the kind's grain (`kind/<key>`, or the grain its
//! subscription locates by a payload field), through the router. An event leaves its queue
//! only once the grain has taken it; one it refused or never got is delivered again later, and
//! the stream waits for it. Delivery is at least once, in publish order per (topic, key).

use super::deliveries::Deliveries;
use crate::cluster::Placement;
use crate::config::Subscription;
use crate::error::CallError;
use crate::ids::GrainId;
use crate::message::{Envelope, Origin};
use crate::node_message::EventDelivery;
use crate::router::Router;
use crate::state::{EventStream, QueuedEvent};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// How often the queue is looked at when nothing was published through this node.
const POLL_EVERY: Duration = Duration::from_millis(100);
/// The most streams looked at in one round.
const STREAMS_PER_ROUND: usize = 10_000;
/// The most events of one stream taken at once.
const EVENTS_PER_TAKE: usize = 256;
/// How long an event waits for its grain's turn.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(30);
/// The pause before a stream whose event was refused or not delivered is tried again.
const RETRY_PAUSE: Duration = Duration::from_secs(1);
/// Streams in delivery at once.
const CONCURRENT_STREAMS: usize = 1_024;

/// The running loop; it stops with [`EventDelivery::stop`].
pub struct EventDeliveryLoop {
    stop: CancellationToken,
    task: JoinHandle<()>,
}

impl EventDeliveryLoop {
    /// Starts delivering the events queued for `router`'s grains.
    pub fn start(router: Arc<Router>) -> Self {
        let stop = CancellationToken::new();
        let task = tokio::spawn(run(router, stop.clone()));
        EventDeliveryLoop { stop, task }
    }

    /// Stops taking events; deliveries under way are abandoned (and delivered again later). It
    /// returns once no task of the loop holds the router any more.
    pub async fn stop(self) {
        self.stop.cancel();
        self.task.await.ok();
    }
}

/// The streams being delivered now, each by one task.
type Busy = Arc<Mutex<HashSet<EventStream>>>;

async fn run(router: Arc<Router>, stop: CancellationToken) {
    let busy: Busy = Arc::default();
    let deliveries = Deliveries::new(CONCURRENT_STREAMS, stop.clone());
    loop {
        match router.state_store().queued_streams(STREAMS_PER_ROUND).await {
            Ok(streams) => {
                for stream in streams {
                    if !owns(&router, &stream) || !busy.lock().unwrap_or_else(|p| p.into_inner()).insert(stream.clone())
                    {
                        continue;
                    }
                    let (router, busy) = (Arc::clone(&router), Arc::clone(&busy));
                    // A delivery ended by the loop's stop leaves its stream marked busy: the
                    // loop is over by then.
                    deliveries
                        .start(async move {
                            deliver_stream(&router, &stream).await;
                            busy.lock().unwrap_or_else(|p| p.into_inner()).remove(&stream);
                        })
                        .await;
                }
            }
            Err(why) => tracing::warn!("cannot read the event queue: {why}"),
        }
        tokio::select! {
            () = tokio::time::sleep(POLL_EVERY) => {}
            () = router.events_published() => {}
            () = stop.cancelled() => break,
        }
    }
    deliveries.finish().await;
}

/// Whether this node delivers `stream`: it owns the grain its key names.
fn owns(router: &Router, stream: &EventStream) -> bool {
    let Ok(grain) = GrainId::new(stream.kind.as_str(), stream.key.as_str()) else { return false };
    let roles = router.kinds().get(&stream.kind).map(|kind| kind.settings().roles.clone()).unwrap_or_default();
    matches!(router.cluster().placement(&grain, &roles), Placement::Local)
}

/// Delivers `stream`'s queued events in order until it is empty, this node no longer owns it,
/// or an event is refused (then it pauses, and the loop takes the stream up again later).
async fn deliver_stream(router: &Router, stream: &EventStream) {
    loop {
        let events = match router.state_store().queued_events(stream, EVENTS_PER_TAKE).await {
            Ok(events) if events.is_empty() => return,
            Ok(events) => events,
            Err(why) => {
                tracing::warn!(kind = stream.kind, topic = stream.topic, "cannot read queued events: {why}");
                tokio::time::sleep(RETRY_PAUSE).await;
                return;
            }
        };
        let mut delivered = Vec::with_capacity(events.len());
        let mut refused = false;
        for event in events {
            if !owns(router, stream) {
                break;
            }
            let sequence = event.sequence;
            match deliver(router, event).await {
                Ok(()) => delivered.push((stream.clone(), sequence)),
                Err(why) => {
                    tracing::debug!(
                        kind = stream.kind,
                        topic = stream.topic,
                        key = stream.key,
                        sequence,
                        "delivering again later: {why}"
                    );
                    refused = true;
                    break;
                }
            }
        }
        let taken = delivered.len();
        if !delivered.is_empty()
            && let Err(why) = router.state_store().delivered(&delivered).await
        {
            tracing::warn!(
                kind = stream.kind,
                topic = stream.topic,
                "cannot record delivered events (they come again): {why}"
            );
        }
        if refused {
            tokio::time::sleep(RETRY_PAUSE).await;
            return;
        }
        if taken == 0 {
            return;
        }
    }
}

/// Delivers one event to the grain its subscription names; `Ok` once the grain took it.
async fn deliver(router: &Router, event: QueuedEvent) -> Result<(), String> {
    let QueuedEvent { stream, sequence, payload } = event;
    let kind = router.kinds().get(&stream.kind);
    let subscription = kind.as_ref().and_then(|kind| {
        kind.settings().subscribe.iter().find(|subscription| subscription.topic == stream.topic).cloned()
    });
    let Some(subscription) = subscription else {
        // The kind is gone or no longer subscribed: nobody is left to take it.
        tracing::info!(
            kind = stream.kind,
            topic = stream.topic,
            sequence,
            "dropping an event its kind no longer subscribes to"
        );
        return Ok(());
    };
    let grain = match locate(&subscription, &stream, &payload) {
        Ok(grain) => grain,
        Err(why) => {
            tracing::debug!(
                kind = stream.kind,
                topic = stream.topic,
                key = stream.key,
                sequence,
                "dropping an event no grain of the kind takes: {why}"
            );
            return Ok(());
        }
    };
    let delivery = EventDelivery { topic: stream.topic, key: stream.key, sequence, payload };
    let (reply, answer) = oneshot::channel();
    let envelope = Envelope {
        method: EventDelivery::METHOD.to_string(),
        payload: delivery.encode(),
        origin: Origin::external(Instant::now() + DELIVERY_TIMEOUT),
        reply: Some(reply),
    };
    router.deliver(&grain, envelope).await.map_err(|e| e.to_string())?;
    match tokio::time::timeout(DELIVERY_TIMEOUT, answer).await {
        Ok(Ok(Ok(_))) => Ok(()),
        Ok(Ok(Err(refused))) => Err(refused.to_string()),
        Ok(Err(_)) => Err(CallError::MayHaveRun("the grain stopped before answering".into()).to_string()),
        Err(_) => Err(CallError::Timeout.to_string()),
    }
}

/// The grain that receives an event of `stream`.
fn locate(subscription: &Subscription, stream: &EventStream, payload: &[u8]) -> Result<GrainId, String> {
    let identity = subscription.locate(&stream.key, payload)?;
    GrainId::new(stream.kind.as_str(), identity).map_err(|e| e.to_string())
}
