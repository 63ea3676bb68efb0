//! The grain's persisted state, as raw bytes or as a JSON-encoded value.

use crate::bindings::granary::grain::host;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// The bytes saved by the last activation of this identity.
pub fn load_bytes() -> Option<Vec<u8>> {
    host::load_state()
}

/// Durably replaces the state; fails when a newer activation wrote since this one loaded.
pub fn save_bytes(state: &[u8]) -> Result<(), String> {
    host::save_state(state)
}

/// The last saved state decoded from JSON, `Ok(None)` for a grain never saved.
pub fn load<T: DeserializeOwned>() -> Result<Option<T>, String> {
    load_bytes()
        .map(|bytes| serde_json::from_slice(&bytes).map_err(|e| format!("corrupt state: {e}")))
        .transpose()
}

/// Saves `value` as JSON.
pub fn save<T: Serialize + ?Sized>(value: &T) -> Result<(), String> {
    let bytes = serde_json::to_vec(value).map_err(|e| format!("cannot encode state: {e}"))?;
    save_bytes(&bytes)
}
