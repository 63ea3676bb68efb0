//! An in-memory `StateStore` for tests and throwaway nodes.

use super::{Claim, Epoch, Etag, StateError, StateStore, StoredState, next_etag, refusal};
use crate::ids::GrainId;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};

/// One grain's current epoch and saved state.
#[derive(Default)]
struct GrainRecord {
    epoch: Epoch,
    saved: Option<StoredState>,
}

/// Grain state in memory: lost when the process ends.
#[derive(Default)]
pub struct MemoryStateStore {
    grains: Mutex<HashMap<GrainId, GrainRecord>>,
}

impl MemoryStateStore {
    fn grains(&self) -> Result<MutexGuard<'_, HashMap<GrainId, GrainRecord>>, StateError> {
        self.grains.lock().map_err(|e| StateError::Backend(e.to_string()))
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

#[cfg(test)]
mod tests {
    use super::MemoryStateStore;
    use std::sync::Arc;

    #[tokio::test]
    async fn passes_the_state_store_suite() {
        crate::state::suite::run(Arc::new(MemoryStateStore::default())).await;
    }
}
