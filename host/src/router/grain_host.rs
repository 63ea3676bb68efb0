//! What grains ask of the node, served by the router: calls and sends go through routing like
//! any other message, state and reminders go to the node's store (each save timed for
//! `/metrics`).

use super::Router;
use crate::error::CallError;
use crate::ids::GrainId;
use crate::message::Origin;
use crate::runtime::GrainHost;
use crate::state::{Epoch, Etag, Reminder, StateError};
use std::time::Duration;

#[async_trait::async_trait]
impl GrainHost for Router {
    async fn call(
        &self,
        target: &GrainId,
        method: String,
        payload: Vec<u8>,
        origin: Origin,
    ) -> Result<Vec<u8>, CallError> {
        Router::call(self, target, method, payload, origin).await
    }

    async fn send(&self, target: &GrainId, method: String, payload: Vec<u8>, origin: Origin) -> Result<(), CallError> {
        Router::send(self, target, method, payload, origin).await
    }

    async fn save_state(
        &self,
        grain: &GrainId,
        bytes: &[u8],
        expected: Option<Etag>,
        epoch: Epoch,
    ) -> Result<Etag, StateError> {
        let began = quanta::Instant::now();
        let saved = self.state.save(grain, bytes, expected, epoch).await;
        if let Some(saves) = &self.save_duration {
            saves.observe(began.elapsed());
        }
        saved
    }

    async fn set_reminder(
        &self,
        grain: &GrainId,
        name: &str,
        due_after: Duration,
        period: Duration,
    ) -> Result<(), String> {
        self.reminders.set(grain, name, due_after, period).await
    }

    async fn cancel_reminder(&self, grain: &GrainId, name: &str) -> Result<bool, String> {
        self.reminders.cancel(grain, name).await
    }

    async fn reminders_of(&self, grain: &GrainId) -> Result<Vec<Reminder>, String> {
        self.reminders.of(grain).await
    }

    async fn publish(&self, topic: &str, key: &str, payload: Vec<u8>) -> Result<u64, CallError> {
        Router::publish(self, topic, key, payload).await
    }

    fn typed_interfaces(&self, kind: &str) -> Option<Vec<String>> {
        let kind = self.kinds.get(kind)?;
        Some(kind.typed()?.interfaces().iter().map(|interface| interface.name.clone()).collect())
    }
}
