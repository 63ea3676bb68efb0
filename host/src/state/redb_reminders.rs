//! Reminders in the embedded redb file: one table by grain and name, and an index by due time
//! that the window loads from. Each change is its own durable transaction; a round of firings
//! is one.

use super::redb_schema::{REMINDERS, REMINDERS_DUE};
use super::redb_tx::{backend, read, write_alone};
use super::reminders::{Fired, Reminder, ReminderStore};
use super::{RedbStateStore, StateError};
use crate::ids::GrainId;
use redb::{Database, ReadableTable, Table};
use std::sync::Arc;

fn reminder(grain: &str, name: &str, (due_ms, period_ms, tick): (u64, u64, u64)) -> Result<Reminder, StateError> {
    let grain: GrainId =
        grain.parse().map_err(|e| backend(format!("a reminder of a malformed grain {grain:?}: {e}")))?;
    Ok(Reminder { grain, name: name.to_string(), due_ms, period_ms, tick })
}

/// Both tables, open in one write transaction.
struct Tables<'tx> {
    by_name: Table<'tx, (&'static str, &'static str), (u64, u64, u64)>,
    by_due: Table<'tx, (u64, &'static str, &'static str), ()>,
}

impl Tables<'_> {
    fn get(&self, grain: &str, name: &str) -> Result<Option<(u64, u64, u64)>, StateError> {
        Ok(self.by_name.get((grain, name)).map_err(backend)?.map(|row| row.value()))
    }

    fn put(&mut self, grain: &str, name: &str, row: (u64, u64, u64)) -> Result<(), StateError> {
        self.remove(grain, name)?;
        self.by_name.insert((grain, name), row).map_err(backend)?;
        self.by_due.insert((row.0, grain, name), ()).map_err(backend)?;
        Ok(())
    }

    fn remove(&mut self, grain: &str, name: &str) -> Result<bool, StateError> {
        let Some((due_ms, ..)) = self.by_name.remove((grain, name)).map_err(backend)?.map(|row| row.value()) else {
            return Ok(false);
        };
        self.by_due.remove((due_ms, grain, name)).map_err(backend)?;
        Ok(true)
    }
}

/// Runs `change` on both tables in one durable write transaction.
async fn write<T: Send + 'static>(
    db: &Arc<Database>,
    change: impl FnOnce(&mut Tables<'_>) -> Result<T, StateError> + Send + 'static,
) -> Result<T, StateError> {
    write_alone(db, move |tx| {
        let by_name = tx.open_table(REMINDERS).map_err(backend)?;
        let by_due = tx.open_table(REMINDERS_DUE).map_err(backend)?;
        change(&mut Tables { by_name, by_due })
    })
    .await
}

#[async_trait::async_trait]
impl ReminderStore for RedbStateStore {
    async fn set_reminder(
        &self,
        grain: &GrainId,
        name: &str,
        due_ms: u64,
        period_ms: u64,
    ) -> Result<Reminder, StateError> {
        let (key, name) = (grain.to_string(), name.to_string());
        let grain = grain.clone();
        write(&self.db, move |tables| {
            let tick = tables.get(&key, &name)?.map_or(1, |(_, _, tick)| tick);
            tables.put(&key, &name, (due_ms, period_ms, tick))?;
            Ok(Reminder { grain, name, due_ms, period_ms, tick })
        })
        .await
    }

    async fn cancel_reminder(&self, grain: &GrainId, name: &str) -> Result<bool, StateError> {
        let (key, name) = (grain.to_string(), name.to_string());
        write(&self.db, move |tables| tables.remove(&key, &name)).await
    }

    async fn reminders_of(&self, grain: &GrainId) -> Result<Vec<Reminder>, StateError> {
        let key = grain.to_string();
        read(&self.db, move |tx| {
            let table = tx.open_table(REMINDERS).map_err(backend)?;
            let rows = table.range((key.as_str(), "")..).map_err(backend)?;
            let mut found = Vec::new();
            for row in rows {
                let (k, v) = row.map_err(backend)?;
                let (grain, name) = k.value();
                if grain != key {
                    break;
                }
                found.push(reminder(grain, name, v.value())?);
            }
            Ok(found)
        })
        .await
    }

    async fn reminders_due(&self, before_ms: u64, limit: usize) -> Result<Vec<Reminder>, StateError> {
        read(&self.db, move |tx| {
            let by_due = tx.open_table(REMINDERS_DUE).map_err(backend)?;
            let by_name = tx.open_table(REMINDERS).map_err(backend)?;
            let mut due = Vec::new();
            for row in by_due.range(..(before_ms, "", "")).map_err(backend)?.take(limit) {
                let key = row.map_err(backend)?.0;
                let (_, grain, name) = key.value();
                if let Some(stored) = by_name.get((grain, name)).map_err(backend)? {
                    due.push(reminder(grain, name, stored.value())?);
                }
            }
            Ok(due)
        })
        .await
    }

    async fn reminders_fired(&self, fired: &[Fired]) -> Result<Vec<bool>, StateError> {
        let fired = fired.to_vec();
        write(&self.db, move |tables| {
            let mut applied = Vec::with_capacity(fired.len());
            for Fired { reminder, next_due_ms } in fired {
                let key = reminder.grain.to_string();
                let as_loaded = (reminder.due_ms, reminder.period_ms, reminder.tick);
                if tables.get(&key, &reminder.name)? != Some(as_loaded) {
                    applied.push(false);
                    continue;
                }
                match next_due_ms {
                    Some(due_ms) => {
                        tables.put(&key, &reminder.name, (due_ms, reminder.period_ms, reminder.tick + 1))?
                    }
                    None => {
                        tables.remove(&key, &reminder.name)?;
                    }
                }
                applied.push(true);
            }
            Ok(applied)
        })
        .await
    }
}
