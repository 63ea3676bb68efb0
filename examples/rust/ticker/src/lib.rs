//! `ticker`: counts the ticks of a durable reminder. `start {"period_ms":N}` sets the reminder
//! `tick` (every N ms, first after N ms), `stop` cancels it, `get` returns `{"ticks":N}` and
//! `reminders` this grain's reminders. Ticks come at least once; one already counted (its tick
//! number is not above the last one seen) is dropped. State is `{"ticks":N,"last_tick":T}`.

use granary_sdk::{json, reminders, state, Grain};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The one reminder a ticker sets.
const REMINDER: &str = "tick";

#[derive(Default, Serialize, Deserialize)]
struct Ticker {
    ticks: u64,
    last_tick: u64,
}

#[derive(Deserialize)]
struct Start {
    period_ms: u64,
}

impl Grain for Ticker {
    fn activate() -> Self {
        state::load().ok().flatten().unwrap_or_default()
    }

    fn handle(&mut self, method: &str, payload: &[u8]) -> Result<Vec<u8>, String> {
        match method {
            "start" => {
                let Start { period_ms } = json::parse(payload)?;
                let period = Duration::from_millis(period_ms);
                reminders::set(REMINDER, period, period)?;
                json::reply("started")
            }
            "stop" => json::reply(&serde_json::json!({"cancelled": reminders::cancel(REMINDER)?})),
            "get" => json::reply(&serde_json::json!({"ticks": self.ticks})),
            "reminders" => {
                let listed: Vec<_> = reminders::list()?
                    .into_iter()
                    .map(|r| serde_json::json!({"name": r.name, "period_ms": r.period_ms, "next_tick": r.next_tick}))
                    .collect();
                json::reply(&listed)
            }
            other => Err(format!("unknown method {other:?}: ticker has start, stop, get, reminders")),
        }
    }

    fn receive_reminder(&mut self, name: &str, tick: u64) -> Result<(), String> {
        if name != REMINDER || tick <= self.last_tick {
            return Ok(());
        }
        let next = Ticker { ticks: self.ticks + 1, last_tick: tick };
        state::save(&next)?;
        *self = next;
        Ok(())
    }
}

granary_sdk::export_grain!(Ticker);
