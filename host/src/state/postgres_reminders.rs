//! Reminders in the PostgreSQL database a cluster shares: one table, indexed by due time for
//! the window every node loads. A round of firings is one statement over arrays; each row
//! advances only if it is still as it was loaded, so two nodes never both advance one tick.

use super::postgres_connection::Connection;
use super::reminders::{Fired, Reminder, ReminderStore};
use super::{PostgresStateStore, StateError};
use crate::ids::GrainId;
use tokio_postgres::Row;

/// Sets a reminder, keeping the tick of the one it replaces.
const SET: &str = "
    INSERT INTO granary_reminders (kind, identity, name, due_ms, period_ms, tick) VALUES ($1, $2, $3, $4, $5, 1)
    ON CONFLICT (kind, identity, name) DO UPDATE SET due_ms = excluded.due_ms, period_ms = excluded.period_ms
    RETURNING tick";

const CANCEL: &str = "DELETE FROM granary_reminders WHERE kind = $1 AND identity = $2 AND name = $3";

const OF_GRAIN: &str = "
    SELECT kind, identity, name, due_ms, period_ms, tick FROM granary_reminders
    WHERE kind = $1 AND identity = $2 ORDER BY name";

const DUE: &str = "
    SELECT kind, identity, name, due_ms, period_ms, tick FROM granary_reminders
    WHERE due_ms < $1 ORDER BY due_ms LIMIT $2";

/// Advances (or, with no next due time, removes) each fired reminder still as it was loaded;
/// returns the input rows that applied.
const FIRED: &str = "
    WITH input AS (
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[])
            WITH ORDINALITY AS fired(kind, identity, name, due_ms, period_ms, tick, next_due_ms, n)
    ), advanced AS (
        UPDATE granary_reminders AS r SET due_ms = input.next_due_ms, tick = r.tick + 1
        FROM input
        WHERE input.next_due_ms IS NOT NULL
          AND r.kind = input.kind AND r.identity = input.identity AND r.name = input.name
          AND r.due_ms = input.due_ms AND r.period_ms = input.period_ms AND r.tick = input.tick
        RETURNING input.n
    ), removed AS (
        DELETE FROM granary_reminders AS r
        USING input
        WHERE input.next_due_ms IS NULL
          AND r.kind = input.kind AND r.identity = input.identity AND r.name = input.name
          AND r.due_ms = input.due_ms AND r.period_ms = input.period_ms AND r.tick = input.tick
        RETURNING input.n
    )
    SELECT n FROM advanced UNION ALL SELECT n FROM removed";

/// Milliseconds and ticks are `bigint` in the table.
fn to_sql(value: u64) -> Result<i64, StateError> {
    i64::try_from(value).map_err(|_| StateError::Backend(format!("{value} is out of PostgreSQL's bigint range")))
}

fn from_sql(value: i64) -> u64 {
    value.try_into().expect("the table's checks keep times and ticks non-negative")
}

fn reminder(row: &Row) -> Result<Reminder, StateError> {
    let (kind, identity): (String, String) = (row.get("kind"), row.get("identity"));
    let grain = GrainId::new(kind, identity).map_err(|e| StateError::Backend(format!("a malformed grain id: {e}")))?;
    Ok(Reminder {
        grain,
        name: row.get("name"),
        due_ms: from_sql(row.get("due_ms")),
        period_ms: from_sql(row.get("period_ms")),
        tick: from_sql(row.get("tick")),
    })
}

impl Connection {
    fn key(grain: &GrainId) -> (&str, &str) {
        (grain.kind().as_str(), grain.identity())
    }
}

#[async_trait::async_trait]
impl ReminderStore for PostgresStateStore {
    async fn set_reminder(
        &self,
        grain: &GrainId,
        name: &str,
        due_ms: u64,
        period_ms: u64,
    ) -> Result<Reminder, StateError> {
        let (kind, identity) = Connection::key(grain);
        let params = (to_sql(due_ms)?, to_sql(period_ms)?);
        let rows = self.connection.query(SET, &[&kind, &identity, &name, &params.0, &params.1]).await?;
        let tick = rows.first().map_or(1, |row| from_sql(row.get("tick")));
        Ok(Reminder { grain: grain.clone(), name: name.to_string(), due_ms, period_ms, tick })
    }

    async fn cancel_reminder(&self, grain: &GrainId, name: &str) -> Result<bool, StateError> {
        let (kind, identity) = Connection::key(grain);
        Ok(self.connection.execute(CANCEL, &[&kind, &identity, &name]).await? > 0)
    }

    async fn reminders_of(&self, grain: &GrainId) -> Result<Vec<Reminder>, StateError> {
        let (kind, identity) = Connection::key(grain);
        self.connection.query(OF_GRAIN, &[&kind, &identity]).await?.iter().map(reminder).collect()
    }

    async fn reminders_due(&self, before_ms: u64, limit: usize) -> Result<Vec<Reminder>, StateError> {
        let (before, limit) = (to_sql(before_ms)?, to_sql(limit as u64)?);
        self.connection.query(DUE, &[&before, &limit]).await?.iter().map(reminder).collect()
    }

    async fn reminders_fired(&self, fired: &[Fired]) -> Result<Vec<bool>, StateError> {
        let column = |get: fn(&Fired) -> &str| fired.iter().map(get).collect::<Vec<&str>>();
        let kinds = column(|f| f.reminder.grain.kind().as_str());
        let identities = column(|f| f.reminder.grain.identity());
        let names = column(|f| f.reminder.name.as_str());
        let number = |get: fn(&Fired) -> u64| fired.iter().map(|f| to_sql(get(f))).collect::<Result<Vec<i64>, _>>();
        let due = number(|f| f.reminder.due_ms)?;
        let period = number(|f| f.reminder.period_ms)?;
        let tick = number(|f| f.reminder.tick)?;
        let next_due = fired.iter().map(|f| f.next_due_ms.map(to_sql).transpose()).collect::<Result<Vec<_>, _>>()?;
        let rows =
            self.connection.query(FIRED, &[&kinds, &identities, &names, &due, &period, &tick, &next_due]).await?;
        let mut applied = vec![false; fired.len()];
        for row in rows {
            let n: i64 = row.get("n");
            if let Some(slot) = usize::try_from(n - 1).ok().and_then(|i| applied.get_mut(i)) {
                *slot = true;
            }
        }
        Ok(applied)
    }
}
