//! `counter`: adds numbers to a durable total. State is the JSON `{"total": N}`.
//!
//! Implements the counter contract shared by every language (examples/README.md).

use granary_sdk::grains::{self_id, set_receive_timeout, Forward};
use granary_sdk::{json, log, reminders, state, topics, Event, Grain};
use serde::{Deserialize, Serialize};
use std::time::Duration;

#[derive(Default, Serialize, Deserialize)]
struct Counter {
    total: i64,
    /// Reminder ticks this activation received (not saved).
    #[serde(skip)]
    ticks: u64,
    #[serde(skip)]
    last_tick: u64,
}

#[derive(Deserialize)]
struct Remind {
    period_ms: u64,
}

#[derive(Deserialize)]
struct Publish {
    topic: String,
    key: String,
    payload: serde_json::Value,
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
                self.add(n)?;
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
            "remind" => {
                let Remind { period_ms } = json::parse(payload)?;
                let period = Duration::from_millis(period_ms);
                reminders::set("tick", period, period)?;
                json::reply("ok")
            }
            "unremind" => json::reply(&serde_json::json!({"cancelled": reminders::cancel("tick")?})),
            "ticks" => json::reply(&serde_json::json!({"ticks": self.ticks})),
            "publish" => {
                let Publish { topic, key, payload } = json::parse(payload)?;
                json::reply(&serde_json::json!({"sequence": topics::publish_json(&topic, &key, &payload)?}))
            }
            other => Err(format!(
                "unknown method {other:?}: counter has add, get, whoami, log, call, set-timeout, remind, unremind, \
                 ticks, publish"
            )),
        }
    }

    fn receive_reminder(&mut self, _name: &str, tick: u64) -> Result<(), String> {
        if tick > self.last_tick {
            self.ticks += 1;
            self.last_tick = tick;
        }
        Ok(())
    }

    fn receive_event(&mut self, event: Event) -> Result<(), String> {
        let Add { n } = json::parse(&event.payload)?;
        self.add(n)
    }
}

impl Counter {
    /// Adds `n` to the total, durably.
    fn add(&mut self, n: i64) -> Result<(), String> {
        let total = self.total.checked_add(n).ok_or("total would overflow")?;
        state::save(&Counter { total, ..Counter::default() })?;
        self.total = total;
        Ok(())
    }
}

granary_sdk::export_grain!(Counter);
