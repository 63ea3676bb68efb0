//! `counter`: adds numbers to a durable total. State is the JSON `{"total": N}`.
//!
//! Implements the counter contract shared by every language (examples/README.md).

use granary_sdk::grains::{self_id, set_receive_timeout, Forward};
use granary_sdk::{json, log, state, Grain};
use serde::{Deserialize, Serialize};
use std::time::Duration;

#[derive(Default, Serialize, Deserialize)]
struct Counter {
    total: i64,
}

#[derive(Deserialize)]
struct Add {
    n: i64,
}

#[derive(Deserialize)]
struct Timeout {
    millis: u64,
}

impl Grain for Counter {
    fn activate() -> Self {
        state::load().ok().flatten().unwrap_or_default()
    }

    fn handle(&mut self, method: &str, payload: &[u8]) -> Result<Vec<u8>, String> {
        match method {
            "add" => {
                let Add { n } = json::parse(payload)?;
                let next = Counter { total: self.total.checked_add(n).ok_or("total would overflow")? };
                state::save(&next)?;
                *self = next;
                json::reply(self)
            }
            "get" => json::reply(self),
            "whoami" => {
                let me = self_id();
                json::reply(&serde_json::json!({"kind": me.kind, "identity": me.identity}))
            }
            "log" => {
                log::info(&String::from_utf8_lossy(payload));
                json::reply("logged")
            }
            "call" => json::parse::<Forward>(payload)?.call(),
            "set-timeout" => {
                let Timeout { millis } = json::parse(payload)?;
                set_receive_timeout(Duration::from_millis(millis));
                json::reply("ok")
            }
            other => Err(format!("unknown method {other:?}: counter has add, get, whoami, log, call, set-timeout")),
        }
    }
}

granary_sdk::export_grain!(Counter);
