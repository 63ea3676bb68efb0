//! JSON payloads: the convention of the examples and the CLI.

use serde::de::DeserializeOwned;
use serde::Serialize;

/// Parses a request payload, describing what is wrong when it does not fit `T`.
pub fn parse<T: DeserializeOwned>(payload: &[u8]) -> Result<T, String> {
    serde_json::from_slice(payload).map_err(|e| format!("bad payload: {e}"))
}

/// Serializes a reply.
pub fn reply<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, String> {
    serde_json::to_vec(value).map_err(|e| format!("cannot encode reply: {e}"))
}
