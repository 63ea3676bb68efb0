//! A state store that times each durable save into `granary_state_save_duration_seconds`.

use super::StripedHistogram;
use crate::ids::GrainId;
use crate::state::{Claim, Epoch, Etag, StateError, StateStore, StoredState};
use std::sync::Arc;
use std::time::Instant;

/// `inner`, with its saves timed.
pub struct TimedStateStore {
    inner: Arc<dyn StateStore>,
    saves: StripedHistogram,
}

impl TimedStateStore {
    /// Times the saves of `inner` into `saves`.
    pub fn new(inner: Arc<dyn StateStore>, saves: StripedHistogram) -> Self {
        TimedStateStore { inner, saves }
    }
}

#[async_trait::async_trait]
impl StateStore for TimedStateStore {
    fn name(&self) -> &'static str {
        self.inner.name()
    }

    async fn load(&self, grain: &GrainId) -> Result<Option<StoredState>, StateError> {
        self.inner.load(grain).await
    }

    async fn activate(&self, grain: &GrainId) -> Result<Claim, StateError> {
        self.inner.activate(grain).await
    }

    async fn save(
        &self,
        grain: &GrainId,
        bytes: &[u8],
        expected: Option<Etag>,
        epoch: Epoch,
    ) -> Result<Etag, StateError> {
        let began = Instant::now();
        let saved = self.inner.save(grain, bytes, expected, epoch).await;
        self.saves.observe(began.elapsed());
        saved
    }
}
