//! Events on topics: [`publish`] one, and take those of the topics this grain's kind subscribes
//! to (`granary kind push NAME FILE --subscribe TOPIC`) in [`crate::Grain::receive_event`].

use crate::bindings::granary::grain::topics;
use serde::Serialize;

/// Durably appends an event to `topic` under `key`; returns its sequence number on
/// (`topic`, `key`) once it is durable. Every kind subscribed to `topic` receives it.
pub fn publish(topic: &str, key: &str, payload: &[u8]) -> Result<u64, String> {
    topics::publish(topic, key, payload)
}

/// Publishes `value` as JSON.
pub fn publish_json<T: Serialize + ?Sized>(topic: &str, key: &str, value: &T) -> Result<u64, String> {
    let payload = serde_json::to_vec(value).map_err(|e| format!("cannot encode the event: {e}"))?;
    publish(topic, key, &payload)
}
