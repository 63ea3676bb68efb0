//! `typed-caller`: the Rust twin of `examples/js/counter-caller`. A grain of the `grain` world
//! that imports the typed `example:typed-counter/counter` interface and calls it like local
//! functions: `add {"counter": ID, "n": N}` binds `typed-counter/ID` and replies
//! `{"total": T}`; `get {"counter": ID}` likewise.

wit_bindgen::generate!({ world: "counter-caller", path: "../../../wit/typed-counter", generate_all });

use example::typed_counter::counter;
use granary::grain::typed_calls;
use granary::grain::types::GrainId;
use serde_json::{json, Value};

struct TypedCaller;

/// Binds the `counter` import to `typed-counter/<payload.counter>`.
fn bind(request: &Value) -> Result<(), String> {
    let identity = request["counter"].as_str().ok_or("bad payload: \"counter\" must be a string")?;
    typed_calls::bind(&GrainId { kind: "typed-counter".into(), identity: identity.into() })
}

impl Guest for TypedCaller {
    fn activate() {}

    fn handle(method: String, payload: Vec<u8>) -> Result<Vec<u8>, String> {
        let request: Value = serde_json::from_slice(&payload).map_err(|e| format!("bad payload: {e}"))?;
        bind(&request)?;
        let total = match method.as_str() {
            "add" => counter::add(request["n"].as_i64().ok_or("bad payload: \"n\" must be an integer")?),
            "get" => counter::get(),
            other => return Err(format!("unknown method {other:?}: typed-caller has add, get")),
        };
        Ok(json!({ "total": total }).to_string().into_bytes())
    }

    fn receive_reminder(name: String, _tick: u64) -> Result<(), String> {
        Err(format!("typed-caller sets no reminders (got {name:?})"))
    }

    fn receive_event(event: Event) -> Result<(), String> {
        Err(format!("typed-caller subscribes to nothing (got one on {:?})", event.topic))
    }

    fn deactivate() {}
}

export!(TypedCaller);
