//! Topic events in the embedded redb file: each (topic, key)'s last sequence number, and one
//! queue per subscribed kind, keyed so that a stream's events come out in sequence order.
//! Publishes and removals of delivered events are group-committed with grain state.

use super::events::{EventStore, EventStream, QueuedEvent};
use super::redb_store::read;
use super::{RedbStateStore, StateError};
use redb::{Database, ReadableTable, Table, TableDefinition, WriteTransaction};

/// (topic, key) -> the last sequence number given out.
const EVENT_SEQUENCES: TableDefinition<(&str, &str), u64> = TableDefinition::new("event_sequences");
/// (kind, topic, key, sequence) -> payload: the events a kind has yet to take.
const EVENT_QUEUE: TableDefinition<(&str, &str, &str, u64), &[u8]> = TableDefinition::new("event_queue");

fn backend(e: impl std::fmt::Display) -> StateError {
    StateError::Backend(e.to_string())
}

/// Creates the event tables if the file has none yet.
pub(super) fn create_tables(db: &Database) -> Result<(), StateError> {
    let tx = db.begin_write().map_err(backend)?;
    tx.open_table(EVENT_SEQUENCES).map_err(backend)?;
    tx.open_table(EVENT_QUEUE).map_err(backend)?;
    tx.commit().map_err(backend)
}

/// The event tables, open in one write transaction: publishes are group-committed with the
/// saves and claims of grain state.
pub(super) struct EventTables<'tx> {
    sequences: Table<'tx, (&'static str, &'static str), u64>,
    queue: Table<'tx, (&'static str, &'static str, &'static str, u64), &'static [u8]>,
}

impl<'tx> EventTables<'tx> {
    pub(super) fn open(tx: &'tx WriteTransaction) -> Result<Self, StateError> {
        Ok(EventTables {
            sequences: tx.open_table(EVENT_SEQUENCES).map_err(backend)?,
            queue: tx.open_table(EVENT_QUEUE).map_err(backend)?,
        })
    }

    /// Appends an event to (`topic`, `key`) with the next sequence number, queued for each kind
    /// in `subscribers`; returns the sequence number.
    pub(super) fn publish(
        &mut self,
        topic: &str,
        key: &str,
        payload: &[u8],
        subscribers: &[String],
    ) -> Result<u64, StateError> {
        let sequence = self.sequences.get((topic, key)).map_err(backend)?.map_or(0, |row| row.value()) + 1;
        self.sequences.insert((topic, key), sequence).map_err(backend)?;
        for kind in subscribers {
            self.queue.insert((kind.as_str(), topic, key, sequence), payload).map_err(backend)?;
        }
        Ok(sequence)
    }

    /// Removes delivered events from their queues.
    pub(super) fn remove(&mut self, delivered: &[(EventStream, u64)]) -> Result<(), StateError> {
        for (stream, sequence) in delivered {
            let key = (stream.kind.as_str(), stream.topic.as_str(), stream.key.as_str(), *sequence);
            self.queue.remove(key).map_err(backend)?;
        }
        Ok(())
    }
}

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
