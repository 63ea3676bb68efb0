//! An in-memory `StateStore` for tests and throwaway nodes.

use super::events::{EventStore, EventStream, QueuedEvent};
use super::reminders::{Fired, Reminder, ReminderStore};
use super::{Claim, Epoch, Etag, StateError, StateStore, StoredState, next_etag, refusal};
use crate::ids::GrainId;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard};

/// One grain's current epoch and saved state.
#[derive(Default)]
struct GrainRecord {
    epoch: Epoch,
    saved: Option<StoredState>,
}

/// Reminders by grain and name.
type RemindersByName = BTreeMap<(GrainId, String), Reminder>;

/// Grain state in memory: lost when the process ends.
#[derive(Default)]
pub struct MemoryStateStore {
    grains: Mutex<HashMap<GrainId, GrainRecord>>,
    reminders: Mutex<RemindersByName>,
    events: Mutex<Events>,
}

/// Each (topic, key)'s last sequence number, and the queued events by stream and sequence.
#[derive(Default)]
struct Events {
    sequences: HashMap<(String, String), u64>,
    queued: BTreeMap<(EventStream, u64), Vec<u8>>,
}

impl MemoryStateStore {
    fn grains(&self) -> Result<MutexGuard<'_, HashMap<GrainId, GrainRecord>>, StateError> {
        self.grains.lock().map_err(|e| StateError::Backend(e.to_string()))
    }

    fn events(&self) -> Result<MutexGuard<'_, Events>, StateError> {
        self.events.lock().map_err(|e| StateError::Backend(e.to_string()))
    }

    fn reminders(&self) -> Result<MutexGuard<'_, RemindersByName>, StateError> {
        self.reminders.lock().map_err(|e| StateError::Backend(e.to_string()))
    }
}

#[async_trait::async_trait]
impl StateStore for MemoryStateStore {
    fn name(&self) -> &'static str {
        "memory"
    }

    async fn load(&self, grain: &GrainId) -> Result<Option<StoredState>, StateError> {
        Ok(self.grains()?.get(grain).and_then(|record| record.saved.clone()))
    }

    async fn activate(&self, grain: &GrainId) -> Result<Claim, StateError> {
        let mut grains = self.grains()?;
        let record = grains.entry(grain.clone()).or_default();
        record.epoch = record.epoch.next();
        Ok(Claim { epoch: record.epoch, saved: record.saved.clone() })
    }

    async fn save(
        &self,
        grain: &GrainId,
        bytes: &[u8],
        expected: Option<Etag>,
        epoch: Epoch,
    ) -> Result<Etag, StateError> {
        let mut grains = self.grains()?;
        let record = grains.entry(grain.clone()).or_default();
        let actual = record.saved.as_ref().map(|saved| saved.etag);
        if let Some(refused) = refusal(grain, (epoch, expected), (record.epoch, actual)) {
            return Err(refused);
        }
        let etag = next_etag(actual);
        record.saved = Some(StoredState { bytes: bytes.to_vec(), etag });
        Ok(etag)
    }
}

#[async_trait::async_trait]
impl ReminderStore for MemoryStateStore {
    async fn set_reminder(
        &self,
        grain: &GrainId,
        name: &str,
        due_ms: u64,
        period_ms: u64,
    ) -> Result<Reminder, StateError> {
        let mut reminders = self.reminders()?;
        let key = (grain.clone(), name.to_string());
        let tick = reminders.get(&key).map_or(1, |old| old.tick);
        let reminder = Reminder { grain: grain.clone(), name: name.to_string(), due_ms, period_ms, tick };
        reminders.insert(key, reminder.clone());
        Ok(reminder)
    }

    async fn cancel_reminder(&self, grain: &GrainId, name: &str) -> Result<bool, StateError> {
        Ok(self.reminders()?.remove(&(grain.clone(), name.to_string())).is_some())
    }

    async fn reminders_of(&self, grain: &GrainId) -> Result<Vec<Reminder>, StateError> {
        let reminders = self.reminders()?;
        let from = (grain.clone(), String::new());
        Ok(reminders
            .range(from..)
            .take_while(|((of, _), _)| of == grain)
            .map(|(_, reminder)| reminder.clone())
            .collect())
    }

    async fn reminders_due(&self, before_ms: u64, limit: usize) -> Result<Vec<Reminder>, StateError> {
        let mut due: Vec<Reminder> =
            self.reminders()?.values().filter(|reminder| reminder.due_ms < before_ms).cloned().collect();
        due.sort_by_key(|reminder| reminder.due_ms);
        due.truncate(limit);
        Ok(due)
    }

    async fn reminders_fired(&self, fired: &[Fired]) -> Result<Vec<bool>, StateError> {
        let mut reminders = self.reminders()?;
        Ok(fired
            .iter()
            .map(|Fired { reminder, next_due_ms }| {
                let key = (reminder.grain.clone(), reminder.name.clone());
                if reminders.get(&key) != Some(reminder) {
                    return false;
                }
                match next_due_ms {
                    Some(due_ms) => {
                        let next = Reminder { due_ms: *due_ms, tick: reminder.tick + 1, ..reminder.clone() };
                        reminders.insert(key, next);
                    }
                    None => {
                        reminders.remove(&key);
                    }
                }
                true
            })
            .collect())
    }
}

#[async_trait::async_trait]
impl EventStore for MemoryStateStore {
    async fn publish(&self, topic: &str, key: &str, payload: &[u8], subscribers: &[String]) -> Result<u64, StateError> {
        let mut events = self.events()?;
        let sequence = events.sequences.entry((topic.to_string(), key.to_string())).or_default();
        *sequence += 1;
        let sequence = *sequence;
        for kind in subscribers {
            let stream = EventStream { kind: kind.clone(), topic: topic.to_string(), key: key.to_string() };
            events.queued.insert((stream, sequence), payload.to_vec());
        }
        Ok(sequence)
    }

    async fn queued_streams(&self, limit: usize) -> Result<Vec<EventStream>, StateError> {
        let events = self.events()?;
        let mut streams: Vec<EventStream> = events.queued.keys().map(|(stream, _)| stream.clone()).collect();
        streams.dedup();
        streams.truncate(limit);
        Ok(streams)
    }

    async fn queued_events(&self, stream: &EventStream, limit: usize) -> Result<Vec<QueuedEvent>, StateError> {
        let events = self.events()?;
        let range = (stream.clone(), 0)..=(stream.clone(), u64::MAX);
        Ok(events
            .queued
            .range(range)
            .take(limit)
            .map(|((stream, sequence), payload)| QueuedEvent {
                stream: stream.clone(),
                sequence: *sequence,
                payload: payload.clone(),
            })
            .collect())
    }

    async fn delivered(&self, delivered: &[(EventStream, u64)]) -> Result<(), StateError> {
        let mut events = self.events()?;
        for (stream, sequence) in delivered {
            events.queued.remove(&(stream.clone(), *sequence));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::MemoryStateStore;
    use std::sync::Arc;

    #[tokio::test]
    async fn passes_the_state_store_suite() {
        crate::state::suite::run(Arc::new(MemoryStateStore::default())).await;
        crate::state::reminder_suite::run(Arc::new(MemoryStateStore::default())).await;
        crate::state::event_suite::run(Arc::new(MemoryStateStore::default())).await;
    }
}
