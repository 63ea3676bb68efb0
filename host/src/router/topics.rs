//! Publishing to topics: an event goes durably into the queue of every kind subscribed to its
//! topic, and wakes this node's delivery loop.

use super::Router;
use crate::error::CallError;
use granary_wire::topics::check_topic;

/// The longest event key.
const MAX_KEY_BYTES: usize = 1024;

impl Router {
    /// Durably appends an event to (`topic`, `key`) for every kind subscribed to `topic`;
    /// returns its sequence number on (`topic`, `key`).
    pub async fn publish(&self, topic: &str, key: &str, payload: Vec<u8>) -> Result<u64, CallError> {
        check_topic(topic).map_err(CallError::InvalidRequest)?;
        if key.is_empty() || key.len() > MAX_KEY_BYTES || key.chars().any(char::is_control) {
            return Err(CallError::InvalidRequest(format!(
                "event key {key:?}: 1 to {MAX_KEY_BYTES} bytes without control characters"
            )));
        }
        let subscribers = self.kinds.subscribers_of(topic);
        let sequence = self
            .state
            .publish(topic, key, &payload, &subscribers)
            .await
            .map_err(|e| CallError::Unavailable(format!("the event was not published: {e}")))?;
        self.published.notify_one();
        Ok(sequence)
    }

    /// Resolves when an event was published through this node since the last time.
    pub async fn events_published(&self) {
        self.published.notified().await;
    }
}
