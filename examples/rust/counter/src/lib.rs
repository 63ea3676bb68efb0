//! `counter`: adds numbers to a durable total. State is the JSON `{"total": N}`.

use granary_sdk::{json, state, Grain};
use serde::{Deserialize, Serialize};

#[derive(Default, Serialize, Deserialize)]
struct Counter {
    total: i64,
}

#[derive(Deserialize)]
struct Add {
    n: i64,
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
            other => Err(format!("unknown method {other:?}: counter has add, get")),
        }
    }
}

granary_sdk::export_grain!(Counter);
