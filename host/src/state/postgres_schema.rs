//! The tables a PostgreSQL store keeps, created when missing. Each is created under an advisory
//! lock: concurrent `CREATE TABLE IF NOT EXISTS` from nodes starting together can otherwise fail
//! on PostgreSQL's catalog. One simple query runs as one transaction, so the lock is released
//! when the table is there.

use super::StateError;
use super::postgres_connection::Connection;

/// Grain state: bytes, etag and the epoch that fences writes.
const CREATE_STATE: &str = "
    SELECT pg_advisory_xact_lock(hashtext('granary_grain_state'));
    CREATE TABLE IF NOT EXISTS granary_grain_state (
        kind     text   NOT NULL,
        identity text   NOT NULL,
        bytes    bytea,
        etag     bigint,
        epoch    bigint NOT NULL,
        PRIMARY KEY (kind, identity),
        CHECK ((bytes IS NULL) = (etag IS NULL)),
        CHECK (etag > 0 AND epoch > 0)
    )";

/// Reminders, by grain and name, indexed by due time.
const CREATE_REMINDERS: &str = "
    SELECT pg_advisory_xact_lock(hashtext('granary_reminders'));
    CREATE TABLE IF NOT EXISTS granary_reminders (
        kind      text   NOT NULL,
        identity  text   NOT NULL,
        name      text   NOT NULL,
        due_ms    bigint NOT NULL,
        period_ms bigint NOT NULL,
        tick      bigint NOT NULL,
        PRIMARY KEY (kind, identity, name),
        CHECK (due_ms >= 0 AND period_ms >= 0 AND tick > 0)
    );
    CREATE INDEX IF NOT EXISTS granary_reminders_due ON granary_reminders (due_ms)";

/// Each (topic, key)'s last sequence number, and the events queued per subscribed kind.
const CREATE_EVENTS: &str = "
    SELECT pg_advisory_xact_lock(hashtext('granary_events'));
    CREATE TABLE IF NOT EXISTS granary_event_sequences (
        topic         text   NOT NULL,
        key           text   NOT NULL,
        last_sequence bigint NOT NULL,
        PRIMARY KEY (topic, key)
    );
    CREATE TABLE IF NOT EXISTS granary_event_queue (
        kind     text   NOT NULL,
        topic    text   NOT NULL,
        key      text   NOT NULL,
        sequence bigint NOT NULL,
        payload  bytea  NOT NULL,
        PRIMARY KEY (kind, topic, key, sequence)
    )";

/// Creates every table that is missing.
pub(super) async fn create(connection: &Connection) -> Result<(), StateError> {
    let client = connection.client().await?;
    for statement in [CREATE_STATE, CREATE_REMINDERS, CREATE_EVENTS] {
        client.batch_execute(statement).await.map_err(|e| connection.failed(&e))?;
    }
    Ok(())
}
