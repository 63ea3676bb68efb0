//! The durable queue of topic events, kept by the state store beside grain state: each
//! published event gets the next sequence number of its (topic, key) and is queued once for
//! every kind subscribed to its topic, until that kind's grain has taken it.

use super::StateError;

/// One event queued for one subscribed kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueuedEvent {
    /// The stream it belongs to: the subscribed kind, the topic and the key.
    pub stream: EventStream,
    /// Its number in publish order on (topic, key), from 1.
    pub sequence: u64,
    /// What was published.
    pub payload: Vec<u8>,
}

/// The events of one (topic, key) queued for one kind: delivered in sequence order.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventStream {
    /// The subscribed kind.
    pub kind: String,
    /// The topic.
    pub topic: String,
    /// The key the event was published with.
    pub key: String,
}

/// Where events wait for their subscribers: the same store as grain state.
#[async_trait::async_trait]
pub trait EventStore: Send + Sync + 'static {
    /// Durably appends an event to (`topic`, `key`) with the stream's next sequence number and
    /// queues it for each kind in `subscribers`; returns the sequence number.
    async fn publish(&self, topic: &str, key: &str, payload: &[u8], subscribers: &[String]) -> Result<u64, StateError>;

    /// Up to `limit` streams that have events queued.
    async fn queued_streams(&self, limit: usize) -> Result<Vec<EventStream>, StateError>;

    /// Up to `limit` of `stream`'s queued events, in sequence order.
    async fn queued_events(&self, stream: &EventStream, limit: usize) -> Result<Vec<QueuedEvent>, StateError>;

    /// Removes delivered events from their queues, in one write.
    async fn delivered(&self, events: &[(EventStream, u64)]) -> Result<(), StateError>;
}
