//! The event tables as one write transaction sees them: the redb store applies publishes and
//! removals of delivered events in its group commits through these.

use super::StateError;
use super::events::EventStream;
use super::redb_schema::{EVENT_QUEUE, EVENT_SEQUENCES};
use super::redb_tx::backend;
use redb::{ReadableTable, Table, WriteTransaction};

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
