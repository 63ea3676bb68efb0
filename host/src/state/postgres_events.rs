//! Topic events in the PostgreSQL database a cluster shares: each (topic, key)'s last sequence
//! number, and one queue of every kind's undelivered events. A publish is one statement: the
//! sequence row's lock orders concurrent publishes to one (topic, key), so a later number is
//! never visible before an earlier one.

use super::events::{EventStore, EventStream, QueuedEvent};
use super::{PostgresStateStore, StateError};

/// Takes the next sequence number of (topic, key) and queues the event for every subscriber.
const PUBLISH: &str = "
    WITH next AS (
        INSERT INTO granary_event_sequences (topic, key, last_sequence) VALUES ($1, $2, 1)
        ON CONFLICT (topic, key) DO UPDATE SET last_sequence = granary_event_sequences.last_sequence + 1
        RETURNING last_sequence
    ), queued AS (
        INSERT INTO granary_event_queue (kind, topic, key, sequence, payload)
        SELECT subscriber, $1, $2, next.last_sequence, $3 FROM next, unnest($4::text[]) AS subscriber
    )
    SELECT last_sequence FROM next";

const STREAMS: &str = "SELECT DISTINCT kind, topic, key FROM granary_event_queue LIMIT $1";

const EVENTS: &str = "
    SELECT sequence, payload FROM granary_event_queue WHERE kind = $1 AND topic = $2 AND key = $3
    ORDER BY sequence LIMIT $4";

const DELIVERED: &str = "
    DELETE FROM granary_event_queue AS q
    USING unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS d(kind, topic, key, sequence)
    WHERE q.kind = d.kind AND q.topic = d.topic AND q.key = d.key AND q.sequence = d.sequence";

fn count(value: usize) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn sequence(value: i64) -> u64 {
    value.try_into().unwrap_or_default()
}

#[async_trait::async_trait]
impl EventStore for PostgresStateStore {
    async fn publish(&self, topic: &str, key: &str, payload: &[u8], subscribers: &[String]) -> Result<u64, StateError> {
        let rows = self.connection.query(PUBLISH, &[&topic, &key, &payload, &subscribers]).await?;
        let row = rows.first().ok_or_else(|| StateError::Backend("the publish returned no sequence".into()))?;
        Ok(sequence(row.get("last_sequence")))
    }

    async fn queued_streams(&self, limit: usize) -> Result<Vec<EventStream>, StateError> {
        let rows = self.connection.query(STREAMS, &[&count(limit)]).await?;
        Ok(rows
            .iter()
            .map(|row| EventStream { kind: row.get("kind"), topic: row.get("topic"), key: row.get("key") })
            .collect())
    }

    async fn queued_events(&self, stream: &EventStream, limit: usize) -> Result<Vec<QueuedEvent>, StateError> {
        let params: [&(dyn tokio_postgres::types::ToSql + Sync); 4] =
            [&stream.kind, &stream.topic, &stream.key, &count(limit)];
        let rows = self.connection.query(EVENTS, &params).await?;
        Ok(rows
            .iter()
            .map(|row| QueuedEvent {
                stream: stream.clone(),
                sequence: sequence(row.get("sequence")),
                payload: row.get("payload"),
            })
            .collect())
    }

    async fn delivered(&self, events: &[(EventStream, u64)]) -> Result<(), StateError> {
        let column = |get: fn(&(EventStream, u64)) -> &str| events.iter().map(get).collect::<Vec<&str>>();
        let kinds = column(|(s, _)| s.kind.as_str());
        let topics = column(|(s, _)| s.topic.as_str());
        let keys = column(|(s, _)| s.key.as_str());
        let sequences: Vec<i64> = events.iter().map(|(_, n)| i64::try_from(*n).unwrap_or(i64::MAX)).collect();
        self.connection.execute(DELIVERED, &[&kinds, &topics, &keys, &sequences]).await?;
        Ok(())
    }
}
