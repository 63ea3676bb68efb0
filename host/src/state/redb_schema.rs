//! Every table of the embedded redb file, and their creation when a file has none yet (a file
//! from before a table existed opens unchanged, and gains it).

use super::StateError;
use super::redb_tx::backend;
use redb::{Database, TableDefinition};

/// `kind/identity` -> (etag, state bytes).
pub(super) const GRAIN_STATE: TableDefinition<&str, (u64, &[u8])> = TableDefinition::new("grain_state");
/// `kind/identity` -> the grain's current epoch. A table of its own, written in the same
/// transactions, so files from before epochs existed open unchanged.
pub(super) const GRAIN_EPOCH: TableDefinition<&str, u64> = TableDefinition::new("grain_epoch");

/// The store's own bookkeeping: name -> number.
pub(super) const STORE_META: TableDefinition<&str, u64> = TableDefinition::new("store_meta");
/// In `STORE_META`: the generation of the journal frames written since the last checkpoint.
pub(super) const JOURNAL_GENERATION: &str = "journal_generation";

/// (`kind/identity`, name) -> (due ms, period ms, next tick).
pub(super) const REMINDERS: TableDefinition<(&str, &str), (u64, u64, u64)> = TableDefinition::new("reminders");
/// (due ms, `kind/identity`, name): the reminders by when they are due.
pub(super) const REMINDERS_DUE: TableDefinition<(u64, &str, &str), ()> = TableDefinition::new("reminders_due");

/// (topic, key) -> the last sequence number given out.
pub(super) const EVENT_SEQUENCES: TableDefinition<(&str, &str), u64> = TableDefinition::new("event_sequences");
/// (kind, topic, key, sequence) -> payload: the events a kind has yet to take.
pub(super) const EVENT_QUEUE: TableDefinition<(&str, &str, &str, u64), &[u8]> = TableDefinition::new("event_queue");

/// Creates every table the file does not have yet.
pub(super) fn create_tables(db: &Database) -> Result<(), StateError> {
    let tx = db.begin_write().map_err(backend)?;
    tx.open_table(GRAIN_STATE).map_err(backend)?;
    tx.open_table(GRAIN_EPOCH).map_err(backend)?;
    tx.open_table(STORE_META).map_err(backend)?;
    tx.open_table(REMINDERS).map_err(backend)?;
    tx.open_table(REMINDERS_DUE).map_err(backend)?;
    tx.open_table(EVENT_SEQUENCES).map_err(backend)?;
    tx.open_table(EVENT_QUEUE).map_err(backend)?;
    tx.commit().map_err(backend)
}
