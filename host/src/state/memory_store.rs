//! An in-memory `StateStore` for tests and throwaway nodes.

use super::{Etag, StateError, StateStore, StoredState, check_etag, next_etag};
use crate::ids::GrainId;
use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Default)]
pub struct MemoryStateStore {
    grains: Mutex<HashMap<GrainId, StoredState>>,
}

#[async_trait::async_trait]
impl StateStore for MemoryStateStore {
    async fn load(&self, grain: &GrainId) -> Result<Option<StoredState>, StateError> {
        let grains = self.grains.lock().map_err(|e| StateError::Backend(e.to_string()))?;
        Ok(grains.get(grain).cloned())
    }

    async fn save(&self, grain: &GrainId, bytes: &[u8], expected: Option<Etag>) -> Result<Etag, StateError> {
        let mut grains = self.grains.lock().map_err(|e| StateError::Backend(e.to_string()))?;
        let actual = grains.get(grain).map(|s| s.etag);
        check_etag(grain, expected, actual)?;
        let etag = next_etag(actual);
        grains.insert(grain.clone(), StoredState { bytes: bytes.to_vec(), etag });
        Ok(etag)
    }
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn passes_the_state_store_suite() {
        super::super::suite::run(&super::MemoryStateStore::default()).await;
    }
}
