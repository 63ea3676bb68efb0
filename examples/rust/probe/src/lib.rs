//! `probe`: exercises every host function; the test suites drive it.
//!
//! - `whoami` -> `{"kind", "identity"}` from `self-id`
//! - `log` (payload: text) writes the text to the node's log at info level
//! - `call` / `send` `{"target": "kind/id", "method": "...", "payload": <json>}` forward a message
//! - `ping` counts a delivered message in state; `pings` -> `{"count": N}`
//! - `set-timeout {"millis": N}` sets this grain's receive timeout
//! - `activations` -> `{"count": N}`: how many times this identity was activated

use granary_sdk::grains::{self_id, set_receive_timeout, Forward};
use granary_sdk::{json, log, state, Grain};
use serde::{Deserialize, Serialize};
use std::time::Duration;

#[derive(Default, Serialize, Deserialize)]
struct Probe {
    pings: u64,
    activations: u64,
}

#[derive(Deserialize)]
struct Timeout {
    millis: u64,
}

#[derive(Serialize)]
struct Count {
    count: u64,
}

impl Probe {
    fn save(&mut self, next: Probe) -> Result<(), String> {
        state::save(&next)?;
        *self = next;
        Ok(())
    }
}

impl Grain for Probe {
    fn activate() -> Self {
        let loaded: Probe = state::load().ok().flatten().unwrap_or_default();
        let next = Probe { activations: loaded.activations + 1, ..loaded };
        // A failed save here surfaces on the next save; activation itself cannot fail.
        state::save(&next).ok();
        next
    }

    fn handle(&mut self, method: &str, payload: &[u8]) -> Result<Vec<u8>, String> {
        match method {
            "whoami" => {
                let me = self_id();
                json::reply(&serde_json::json!({"kind": me.kind, "identity": me.identity}))
            }
            "log" => {
                log::info(&String::from_utf8_lossy(payload));
                json::reply(&"logged")
            }
            "call" => json::parse::<Forward>(payload)?.call(),
            "send" => {
                json::parse::<Forward>(payload)?.send()?;
                json::reply(&"sent")
            }
            "ping" => {
                self.save(Probe { pings: self.pings + 1, ..*self })?;
                json::reply(&Count { count: self.pings })
            }
            "pings" => json::reply(&Count { count: self.pings }),
            "activations" => json::reply(&Count { count: self.activations }),
            "set-timeout" => {
                let Timeout { millis } = json::parse(payload)?;
                set_receive_timeout(Duration::from_millis(millis));
                json::reply(&"ok")
            }
            other => Err(format!("unknown method {other:?}")),
        }
    }
}

granary_sdk::export_grain!(Probe);
