//! Topic events in the embedded redb file: each (topic, key)'s last sequence number, and one
//! queue per subscribed kind, keyed so that a stream's events come out in sequence order.
//! Publishes and removals of delivered events are group-committed with grain state
//! ([`super::redb_event_tables`]).

use super::events::{EventStore, EventStream, QueuedEvent};
use super::redb_schema::EVENT_QUEUE;
use super::redb_tx::{backend, read};
use super::{RedbStateStore, StateError};
use redb::ReadableTable;

#[async_trait::async_trait]
impl EventStore for RedbStateStore {
    async fn publish(&self, topic: &str, key: &str, payload: &[u8], subscribers: &[String]) -> Result<u64, StateError> {
        self.publish_event(topic, key, payload, subscribers).await
    }

    async fn queued_streams(&self, limit: usize) -> Result<Vec<EventStream>, StateError> {
        read(&self.db, move |tx| {
            let queue = tx.open_table(EVENT_QUEUE).map_err(backend)?;
            let mut streams: Vec<EventStream> = Vec::new();
            let mut rows = queue.iter().map_err(backend)?;
            while streams.len() < limit {
                let Some(row) = rows.next() else { break };
                let (entry, _) = row.map_err(backend)?;
                let (kind, topic, key, _) = entry.value();
                if streams.last().is_none_or(|last| {
                    (last.kind.as_str(), last.topic.as_str(), last.key.as_str()) != (kind, topic, key)
                }) {
                    streams.push(EventStream { kind: kind.into(), topic: topic.into(), key: key.into() });
                    // Skip the rest of this stream's events.
                    rows = queue.range((kind, topic, key, u64::MAX)..).map_err(backend)?;
                }
            }
            Ok(streams)
        })
        .await
    }

    async fn queued_events(&self, stream: &EventStream, limit: usize) -> Result<Vec<QueuedEvent>, StateError> {
        let stream = stream.clone();
        read(&self.db, move |tx| {
            let queue = tx.open_table(EVENT_QUEUE).map_err(backend)?;
            let (kind, topic, key) = (stream.kind.as_str(), stream.topic.as_str(), stream.key.as_str());
            let mut events = Vec::new();
            for row in queue.range((kind, topic, key, 0)..=(kind, topic, key, u64::MAX)).map_err(backend)?.take(limit) {
                let (k, v) = row.map_err(backend)?;
                events.push(QueuedEvent { stream: stream.clone(), sequence: k.value().3, payload: v.value().to_vec() });
            }
            Ok(events)
        })
        .await
    }

    async fn delivered(&self, events: &[(EventStream, u64)]) -> Result<(), StateError> {
        self.remove_delivered(events.to_vec()).await
    }
}
